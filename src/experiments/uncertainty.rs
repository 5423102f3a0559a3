//! The uncertainty exponent (seed 001, after Grebogi, McDonald, Ott and Yorke): `f(eps)`, the
//! fraction of random initial points whose outcome differs from that of a point at distance
//! `eps`, scales as `eps^phi`. `phi` is the slope of the least-squares line through
//! `(ln eps, ln f)`; `phi = 1` is a smooth basin boundary, `phi` near 0 a riddled one.

use serde::{Deserialize, Serialize};

/// `f(eps)` measured at one `eps`.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Measured {
    /// The distance between the two points of a pair.
    pub eps: f64,
    /// Pairs whose two outcomes differ.
    pub differ: u64,
    /// Pairs run.
    pub pairs: u64,
}

impl Measured {
    /// `f(eps)`.
    pub fn fraction(&self) -> f64 {
        if self.pairs == 0 {
            0.0
        } else {
            self.differ as f64 / self.pairs as f64
        }
    }
}

/// The least-squares fit `ln f = phi ln eps + c`.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct ExponentFit {
    /// The uncertainty exponent: the slope of the line.
    pub phi: f64,
    /// Half-width of the 95% confidence interval of `phi` (t-based, `n - 2` degrees of
    /// freedom).
    pub phi_ci95: f64,
    /// Standard error of `phi`.
    pub phi_se: f64,
    /// The intercept `c`.
    pub intercept: f64,
    /// Coefficient of determination; `None` when every `ln f` is equal (nothing to explain).
    pub r_squared: Option<f64>,
    /// The number of `eps` values used (those with `f > 0`).
    pub used: usize,
}

/// Why no exponent can be fitted.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum FitError {
    #[error("only {usable} eps value(s) have f(eps) > 0; the fit needs at least 3")]
    /// Fewer than three eps values have `f(eps) > 0`.
    TooFewPoints {
        /// How many have.
        usable: usize,
    },
}

/// Fits `ln f = phi ln eps + c` over the `eps` with `f(eps) > 0` (a zero cannot be drawn on
/// a log scale; the caller notes which were left out).
pub fn fit_exponent(measured: &[Measured]) -> Result<ExponentFit, FitError> {
    let points: Vec<(f64, f64)> = measured
        .iter()
        .filter(|m| m.differ > 0 && m.eps > 0.0)
        .map(|m| (m.eps.ln(), m.fraction().ln()))
        .collect();
    let n = points.len();
    let distinct_eps = {
        let mut xs: Vec<f64> = points.iter().map(|p| p.0).collect();
        xs.sort_by(f64::total_cmp);
        xs.dedup();
        xs.len()
    };
    if n < 3 || distinct_eps < 2 {
        return Err(FitError::TooFewPoints { usable: n });
    }
    let nf = n as f64;
    let mean_x = points.iter().map(|p| p.0).sum::<f64>() / nf;
    let mean_y = points.iter().map(|p| p.1).sum::<f64>() / nf;
    let sxx: f64 = points.iter().map(|p| (p.0 - mean_x).powi(2)).sum();
    let sxy: f64 = points.iter().map(|p| (p.0 - mean_x) * (p.1 - mean_y)).sum();
    let syy: f64 = points.iter().map(|p| (p.1 - mean_y).powi(2)).sum();
    let phi = sxy / sxx;
    let intercept = mean_y - phi * mean_x;
    let ssr: f64 = points
        .iter()
        .map(|p| (p.1 - (intercept + phi * p.0)).powi(2))
        .sum();
    let df = nf - 2.0;
    let phi_se = (ssr / df / sxx).sqrt();
    Ok(ExponentFit {
        phi,
        phi_ci95: t_quantile(0.975, df) * phi_se,
        phi_se,
        intercept,
        r_squared: (syy > 0.0).then(|| (1.0 - ssr / syy).clamp(0.0, 1.0)),
        used: n,
    })
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

    fn measured(points: &[(f64, u64)]) -> Vec<Measured> {
        points
            .iter()
            .map(|&(eps, differ)| Measured {
                eps,
                differ,
                pairs: 1000,
            })
            .collect()
    }

    #[test]
    fn an_exact_power_law_gives_its_exponent() {
        // f = 2 eps^0.5: 2, 20 and 200 of 1000 pairs at eps = 1e-6, 1e-4, 1e-2.
        let m = measured(&[(1e-6, 2), (1e-4, 20), (1e-2, 200)]);
        let fit = fit_exponent(&m).unwrap();
        assert!((fit.phi - 0.5).abs() < 1e-12);
        assert!((fit.intercept - 2f64.ln()).abs() < 1e-9);
        assert!(fit.phi_se < 1e-9);
        assert_eq!(fit.r_squared, Some(1.0));
        assert_eq!(fit.used, 3);
    }

    #[test]
    fn the_interval_comes_from_the_residuals() {
        // ln eps = 0, 1, 2, 3 (eps = e^k); ln f = 0, 1, 1, 2 minus ln 10 (fractions are
        // f / 10, which moves only the intercept).
        let e = std::f64::consts::E;
        let m: Vec<Measured> = [(0, 1.0), (1, e), (2, e), (3, e * e)]
            .iter()
            .map(|&(k, f)| {
                Measured {
                    eps: e.powi(k),
                    differ: 0,
                    pairs: 0,
                }
                .with_fraction(f)
            })
            .collect();
        let fit = fit_exponent(&m).unwrap();
        // x mean 1.5, y mean 1; Sxx = 5, Sxy = 3: slope 0.6, intercept 0.1; residuals
        // -0.1, 0.3, -0.3, 0.1: SSR 0.2; SE = sqrt(0.2 / 2 / 5) = 0.141421; t(0.975, 2) =
        // 4.302653; SYY = 2: R² = 0.9.
        assert!((fit.phi - 0.6).abs() < 1e-6);
        assert!((fit.phi_se - 0.141_421_36).abs() < 1e-6);
        assert!((fit.phi_ci95 - 4.302_652_73 * 0.141_421_356).abs() < 1e-5);
        assert!((fit.r_squared.unwrap() - 0.9).abs() < 1e-6);
        assert!((fit.intercept - (0.1 - 10f64.ln())).abs() < 1e-6);
    }

    impl Measured {
        /// A measurement whose fraction is `f` to within 1e-9 (for tests).
        fn with_fraction(self, f: f64) -> Measured {
            let pairs = 1_000_000_000;
            Measured {
                differ: (f / 10.0 * pairs as f64).round() as u64,
                pairs,
                ..self
            }
        }
    }

    #[test]
    fn zero_fractions_are_left_out_and_too_few_is_an_error() {
        let m = measured(&[(1e-4, 0), (1e-3, 10), (1e-2, 100)]);
        assert_eq!(fit_exponent(&m), Err(FitError::TooFewPoints { usable: 2 }));
        let m = measured(&[(1e-4, 0), (1e-3, 10), (1e-2, 100), (1e-1, 1000)]);
        let fit = fit_exponent(&m).unwrap();
        assert_eq!(fit.used, 3);
        assert!((fit.phi - 1.0).abs() < 1e-12);
    }
}
