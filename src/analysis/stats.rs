//! Confidence intervals the experiments report: Student's t interval of a mean, a seeded
//! percentile bootstrap of a pooled rate, and the distribution functions behind them
//! (Student's t, chi-squared).

use rand::{Rng, SeedableRng};

/// The half-width of the 95% confidence interval of the mean of `xs` (Student's t with
/// `n - 1` degrees of freedom, sample standard deviation); `None` for fewer than two values
/// or a non-finite value.
pub fn mean_ci95(xs: &[f64]) -> Option<f64> {
    let n = xs.len();
    if n < 2 || xs.iter().any(|x| !x.is_finite()) {
        return None;
    }
    let nf = n as f64;
    let mean = xs.iter().sum::<f64>() / nf;
    let var = xs.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>() / (nf - 1.0);
    Some(t_quantile(0.975, nf - 1.0) * (var / nf).sqrt())
}

/// The mean of some runs' values and the half-width of its 95% interval ([`mean_ci95`]).
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize)]
pub struct MeanCi {
    /// The mean (`None` without values; `+inf`, the string `"inf"` in JSON, when a value
    /// is: an infinite loss).
    #[serde(serialize_with = "crate::metrics::loss_json")]
    pub mean: Option<f64>,
    /// Half-width of its 95% interval (Student's t over the values); `None` for fewer than
    /// two values or an infinite one.
    pub ci95: Option<f64>,
}

impl MeanCi {
    /// The mean of `xs` and its interval.
    pub fn of(xs: &[f64]) -> MeanCi {
        // The interval of the values shifted by the first (the same spread), so that equal
        // values give exactly 0 rather than rounding noise around their mean.
        let shifted: Vec<f64> = xs.iter().map(|x| x - xs[0]).collect();
        MeanCi {
            mean: (!xs.is_empty()).then(|| xs.iter().sum::<f64>() / xs.len() as f64),
            ci95: mean_ci95(&shifted),
        }
    }
}

/// Resamples drawn by the bootstraps.
pub const BOOTSTRAP_RESAMPLES: usize = 4000;

/// The 95% percentile-bootstrap interval `[lo, hi]` of a statistic of `groups` independent
/// groups (models, structures): the groups are resampled with replacement
/// [`BOOTSTRAP_RESAMPLES`] times from a ChaCha stream seeded with `seed` (so the interval is
/// reproducible), and `statistic` gets each resample as a list of group indices (`None`:
/// the resample is left out). `None` for fewer than two groups (one group has no spread to
/// resample) or when every resample is left out.
pub fn bootstrap_ci95(
    groups: usize,
    seed: u64,
    statistic: impl Fn(&[usize]) -> Option<f64>,
) -> Option<[f64; 2]> {
    if groups < 2 {
        return None;
    }
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
    let mut values = Vec::with_capacity(BOOTSTRAP_RESAMPLES);
    let mut sample = vec![0; groups];
    for _ in 0..BOOTSTRAP_RESAMPLES {
        for slot in sample.iter_mut() {
            *slot = rng.gen_range(0..groups);
        }
        values.extend(statistic(&sample));
    }
    if values.is_empty() {
        return None;
    }
    values.sort_by(f64::total_cmp);
    Some([quantile(&values, 0.025), quantile(&values, 0.975)])
}

/// The pooled rate `sum(hits) / sum(trials)` of the groups `picked` of `(hits, trials)`
/// (`None` without trials).
pub fn pooled_rate(groups: &[(u64, u64)], picked: &[usize]) -> Option<f64> {
    let (hits, trials) = picked.iter().fold((0u64, 0u64), |(h, t), &i| {
        (h + groups[i].0, t + groups[i].1)
    });
    (trials > 0).then(|| hits as f64 / trials as f64)
}

/// [`bootstrap_ci95`] of the pooled rate of groups `(hits, trials)`; groups without trials
/// are left out first.
pub fn bootstrap_rate_ci95(groups: &[(u64, u64)], seed: u64) -> Option<[f64; 2]> {
    let groups: Vec<(u64, u64)> = groups.iter().copied().filter(|g| g.1 > 0).collect();
    bootstrap_ci95(groups.len(), seed, |picked| pooled_rate(&groups, picked))
}

/// The `q` quantile of sorted values (linear interpolation between order statistics, as
/// numpy's default).
pub fn quantile(sorted: &[f64], q: f64) -> f64 {
    let Some(&last) = sorted.last() else {
        return f64::NAN;
    };
    let h = (sorted.len() - 1) as f64 * q.clamp(0.0, 1.0);
    let (i, frac) = (h.floor() as usize, h - h.floor());
    match sorted.get(i + 1) {
        Some(&next) => sorted[i] + frac * (next - sorted[i]),
        None => last,
    }
}

/// The `p` quantile of the standard normal distribution for `0.5 <= p < 1` (bisection on
/// the CDF).
pub fn z_quantile(p: f64) -> f64 {
    let (mut lo, mut hi) = (0.0_f64, 40.0_f64);
    for _ in 0..200 {
        let mid = 0.5 * (lo + hi);
        if normal_cdf(mid) < p {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    0.5 * (lo + hi)
}

/// `P(Z <= z)` for the standard normal, from the regularised incomplete gamma function.
pub fn normal_cdf(z: f64) -> f64 {
    let tail = 0.5 * gamma_q(0.5, 0.5 * z * z);
    if z >= 0.0 {
        1.0 - tail
    } else {
        tail
    }
}

/// `P(X > x)` for chi-squared with `df > 0` degrees of freedom.
pub fn chi_squared_sf(x: f64, df: f64) -> f64 {
    if x <= 0.0 {
        1.0
    } else {
        gamma_q(0.5 * df, 0.5 * x)
    }
}

/// The `p` quantile of Student's t distribution with `df > 0` degrees of freedom, for
/// `0.5 <= p < 1` (bisection on the CDF; accurate to about 1e-10).
pub fn t_quantile(p: f64, df: f64) -> f64 {
    let (mut lo, mut hi) = (0.0_f64, 1.0_f64);
    while t_cdf(hi, df) < p && hi < 1e12 {
        hi *= 2.0;
    }
    for _ in 0..200 {
        let mid = 0.5 * (lo + hi);
        if t_cdf(mid, df) < p {
            lo = mid;
        } else {
            hi = mid;
        }
        if hi - lo <= 1e-12 * hi.max(1.0) {
            break;
        }
    }
    0.5 * (lo + hi)
}

/// `P(T <= t)` for Student's t with `df` degrees of freedom.
pub fn t_cdf(t: f64, df: f64) -> f64 {
    let tail = 0.5 * incomplete_beta(df / (df + t * t), 0.5 * df, 0.5);
    if t >= 0.0 {
        1.0 - tail
    } else {
        tail
    }
}

/// The regularised upper incomplete gamma function `Q(a, x) = Gamma(a, x) / Gamma(a)`
/// (series below `a + 1`, continued fraction above).
fn gamma_q(a: f64, x: f64) -> f64 {
    if x <= 0.0 {
        return 1.0;
    }
    let ln_front = a * x.ln() - x - ln_gamma(a);
    if x < a + 1.0 {
        let (mut term, mut sum, mut ap) = (1.0 / a, 1.0 / a, a);
        for _ in 0..1000 {
            ap += 1.0;
            term *= x / ap;
            sum += term;
            if term.abs() < sum.abs() * 1e-16 {
                break;
            }
        }
        (1.0 - sum * ln_front.exp()).clamp(0.0, 1.0)
    } else {
        const TINY: f64 = 1e-300;
        let mut b = x + 1.0 - a;
        let mut c = 1.0 / TINY;
        let mut d = 1.0 / b;
        let mut h = d;
        for i in 1..1000 {
            let an = -(i as f64) * (i as f64 - a);
            b += 2.0;
            d = an * d + b;
            d = if d.abs() < TINY { TINY } else { d };
            c = b + an / c;
            c = if c.abs() < TINY { TINY } else { c };
            d = 1.0 / d;
            let delta = d * c;
            h *= delta;
            if (delta - 1.0).abs() < 1e-16 {
                break;
            }
        }
        (ln_front.exp() * h).clamp(0.0, 1.0)
    }
}

/// The regularised incomplete beta function `I_x(a, b)` (continued fraction, modified Lentz).
fn incomplete_beta(x: f64, a: f64, b: f64) -> f64 {
    if x <= 0.0 {
        return 0.0;
    }
    if x >= 1.0 {
        return 1.0;
    }
    let ln_front = ln_gamma(a + b) - ln_gamma(a) - ln_gamma(b) + a * x.ln() + b * (1.0 - x).ln();
    // The continued fraction converges fast for x < (a + 1) / (a + b + 2); use the symmetry
    // I_x(a, b) = 1 - I_{1-x}(b, a) otherwise.
    if x < (a + 1.0) / (a + b + 2.0) {
        ln_front.exp() * beta_fraction(x, a, b) / a
    } else {
        1.0 - ln_front.exp() * beta_fraction(1.0 - x, b, a) / b
    }
}

fn beta_fraction(x: f64, a: f64, b: f64) -> f64 {
    const TINY: f64 = 1e-300;
    let (qab, qap, qam) = (a + b, a + 1.0, a - 1.0);
    let mut c = 1.0;
    let mut d = 1.0 - qab * x / qap;
    if d.abs() < TINY {
        d = TINY;
    }
    d = 1.0 / d;
    let mut h = d;
    for m in 1..=300 {
        let m = m as f64;
        let m2 = 2.0 * m;
        let aa = m * (b - m) * x / ((qam + m2) * (a + m2));
        d = 1.0 + aa * d;
        d = if d.abs() < TINY { TINY } else { d };
        c = 1.0 + aa / c;
        c = if c.abs() < TINY { TINY } else { c };
        d = 1.0 / d;
        h *= d * c;
        let aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2));
        d = 1.0 + aa * d;
        d = if d.abs() < TINY { TINY } else { d };
        c = 1.0 + aa / c;
        c = if c.abs() < TINY { TINY } else { c };
        d = 1.0 / d;
        let delta = d * c;
        h *= delta;
        if (delta - 1.0).abs() < 1e-15 {
            break;
        }
    }
    h
}

/// `ln Gamma(x)` for `x > 0` (Lanczos, g = 7, nine coefficients; relative error ~1e-15).
fn ln_gamma(x: f64) -> f64 {
    const G: f64 = 7.0;
    const COEFFICIENTS: [f64; 9] = [
        0.999_999_999_999_809_9,
        676.520_368_121_885_1,
        -1_259.139_216_722_402_8,
        771.323_428_777_653_1,
        -176.615_029_162_140_6,
        12.507_343_278_686_905,
        -0.138_571_095_265_720_12,
        9.984_369_578_019_572e-6,
        1.505_632_735_149_311_6e-7,
    ];
    if x < 0.5 {
        // Reflection: Gamma(x) Gamma(1 - x) = pi / sin(pi x).
        let pi = std::f64::consts::PI;
        return (pi / (pi * x).sin()).ln() - ln_gamma(1.0 - x);
    }
    let x = x - 1.0;
    let mut sum = COEFFICIENTS[0];
    for (i, &c) in COEFFICIENTS.iter().enumerate().skip(1) {
        sum += c / (x + i as f64);
    }
    let t = x + G + 0.5;
    0.5 * (2.0 * std::f64::consts::PI).ln() + (x + 0.5) * t.ln() - t + sum.ln()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn t_quantiles_match_the_tables() {
        // Two-sided 95% critical values of Student's t.
        for (df, expected) in [
            (1.0, 12.706_204_736),
            (2.0, 4.302_652_730),
            (3.0, 3.182_446_305),
            (10.0, 2.228_138_852),
            (30.0, 2.042_272_456),
            (1000.0, 1.962_339_081),
        ] {
            let t = t_quantile(0.975, df);
            assert!((t - expected).abs() < 1e-6, "df {df}: {t} vs {expected}");
        }
        assert!((t_cdf(0.0, 5.0) - 0.5).abs() < 1e-15);
        assert!((ln_gamma(5.0) - 24f64.ln()).abs() < 1e-12);
        assert!((ln_gamma(0.5) - std::f64::consts::PI.sqrt().ln()).abs() < 1e-12);
    }

    #[test]
    fn normal_and_chi_squared_match_the_tables() {
        assert!((z_quantile(0.975) - 1.959_963_985).abs() < 1e-8);
        assert!((normal_cdf(1.0) - 0.841_344_746).abs() < 1e-9);
        assert!((normal_cdf(-2.0) - 0.022_750_132).abs() < 1e-9);
        // Upper 5% and 1% points of chi-squared.
        for (x, df, p) in [
            (3.841_458_821, 1.0, 0.05),
            (5.991_464_547, 2.0, 0.05),
            (11.070_497_69, 5.0, 0.05),
            (15.086_272_47, 5.0, 0.01),
            (0.454_936_423, 1.0, 0.5),
        ] {
            let sf = chi_squared_sf(x, df);
            assert!((sf - p).abs() < 1e-8, "chi2({x}, {df}) = {sf}, not {p}");
        }
        // df 2: P(X > x) = exp(-x/2) exactly.
        assert!((chi_squared_sf(7.0, 2.0) - (-3.5f64).exp()).abs() < 1e-14);
        assert_eq!(chi_squared_sf(0.0, 3.0), 1.0);
    }

    #[test]
    fn the_t_interval_of_a_mean_by_hand() {
        // 1, 2, 3: mean 2, sample sd 1, SE 1/sqrt 3, t(0.975, 2) = 4.302653.
        let ci = mean_ci95(&[1.0, 2.0, 3.0]).unwrap();
        assert!((ci - 4.302_652_73 / 3f64.sqrt()).abs() < 1e-8);
        assert_eq!(mean_ci95(&[5.0, 5.0]), Some(0.0));
        assert_eq!(mean_ci95(&[1.0]), None);
        assert_eq!(mean_ci95(&[1.0, f64::NAN]), None);
    }

    #[test]
    fn quantiles_interpolate_like_numpy() {
        let xs = [1.0, 2.0, 3.0, 4.0];
        assert_eq!(quantile(&xs, 0.0), 1.0);
        assert_eq!(quantile(&xs, 1.0), 4.0);
        assert_eq!(quantile(&xs, 0.5), 2.5);
        assert!((quantile(&xs, 0.025) - 1.075).abs() < 1e-12);
    }

    #[test]
    fn the_bootstrap_covers_a_known_rate_and_is_reproducible() {
        // Equal groups with the same rate: every resample gives that rate.
        assert_eq!(
            bootstrap_rate_ci95(&[(3, 10), (3, 10), (6, 20)], 1),
            Some([0.3, 0.3])
        );
        // Half the groups at 0 and half at 1 (equal trials): the pooled rate of a resample
        // of 20 groups is Binomial(20, 1/2) / 20, whose central 95% is about [0.3, 0.7].
        let groups: Vec<(u64, u64)> = (0..20)
            .map(|i| (if i % 2 == 0 { 0 } else { 50 }, 50))
            .collect();
        let [lo, hi] = bootstrap_rate_ci95(&groups, 7).unwrap();
        assert!((0.25..=0.35).contains(&lo), "{lo}");
        assert!((0.65..=0.75).contains(&hi), "{hi}");
        assert_eq!(bootstrap_rate_ci95(&groups, 7), Some([lo, hi]));
        assert_eq!(bootstrap_rate_ci95(&[(1, 2)], 7), None);
        assert_eq!(bootstrap_rate_ci95(&[(1, 2), (0, 0)], 7), None);
    }

    #[test]
    fn a_paired_difference_keeps_the_pairing() {
        // Two rates per group that differ by exactly 0.1 in every group: every resample's
        // difference of pooled rates is 0.1, however much the rates vary between groups.
        let a: Vec<(u64, u64)> = (0..10).map(|i| (10 * i + 10, 100)).collect();
        let b: Vec<(u64, u64)> = (0..10).map(|i| (10 * i, 100)).collect();
        let ci = bootstrap_ci95(10, 3, |picked| {
            Some(pooled_rate(&a, picked)? - pooled_rate(&b, picked)?)
        })
        .unwrap();
        assert!(
            (ci[0] - 0.1).abs() < 1e-12 && (ci[1] - 0.1).abs() < 1e-12,
            "{ci:?}"
        );
        // Unpaired, the same rates would give a wide interval.
        let [lo, hi] = bootstrap_rate_ci95(&a, 3).unwrap();
        assert!(hi - lo > 0.2, "{lo} {hi}");
        assert_eq!(bootstrap_ci95(5, 3, |_| None), None);
    }
}
