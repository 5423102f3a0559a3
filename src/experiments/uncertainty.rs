//! The uncertainty exponent (after Grebogi, McDonald, Ott and Yorke): `f(eps)`, the
//! fraction of random initial points whose outcome differs from that of a point at distance
//! `eps`, scales as `eps^phi`; `phi = 1` is a smooth basin boundary, `phi` near 0 a riddled
//! one.
//!
//! `phi` is the slope of the line through `(ln eps, ln f)` fitted by weighted least squares,
//! each point weighted by the inverse of its counting variance: with `d` of `n` pairs
//! differing, `Var(ln f) = (1 - f) / d` (binomial; Poisson, `1 / d`, when `f` is small). The
//! counts therefore set the interval, not the scatter of the points: a line through three
//! points with a handful of differing pairs each is not trusted because it happens to be
//! straight. The scatter still counts when it is larger than the counts explain (a curved
//! `f`): the interval is then widened by `sqrt(chi² / df)` and the chi-squared test says how
//! unlikely the curvature is under a single power law.

use serde::{Deserialize, Serialize};

use crate::analysis::stats::{chi_squared_sf, t_quantile, z_quantile};

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

    /// The inverse of the counting variance of `ln f` (0 without a differing pair, and
    /// when every pair differs: `ln f` is then pinned at 0 with no spread to weigh).
    pub fn weight(&self) -> f64 {
        let f = self.fraction();
        if self.differ == 0 || f >= 1.0 {
            0.0
        } else {
            self.differ as f64 / (1.0 - f)
        }
    }
}

/// The weighted fit `ln f = phi ln eps + c`.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct ExponentFit {
    /// The uncertainty exponent: the slope of the line.
    pub phi: f64,
    /// Half-width of the 95% confidence interval of `phi`.
    pub phi_ci95: f64,
    /// Standard error of `phi` (widened by `sqrt(chi² / df)` when that exceeds 1).
    pub phi_se: f64,
    /// The intercept `c`.
    pub intercept: f64,
    /// Weighted sum of squared residuals: about `df` when the counts explain the scatter.
    pub chi_squared: f64,
    /// Degrees of freedom of the residuals (used points minus 2).
    pub dof: usize,
    /// `P(chi² >= chi_squared)` under a single power law; small means `f` is curved over
    /// the fitted range.
    pub p_value: f64,
    /// The number of `eps` values used (those with a differing pair and not every pair).
    pub used: usize,
    /// The smallest and largest `eps` used.
    pub eps_range: (f64, f64),
}

/// The slope of `ln f` between two neighbouring `eps`, with its counting error.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct LocalSlope {
    /// The smaller `eps`.
    pub eps_lo: f64,
    /// The larger `eps`.
    pub eps_hi: f64,
    /// `ln(f_hi / f_lo) / ln(eps_hi / eps_lo)`.
    pub slope: f64,
    /// Half-width of its 95% interval (normal; the two counts are independent).
    pub ci95: f64,
}

/// Why no exponent can be fitted.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum FitError {
    /// Fewer than three eps values have a fraction strictly between 0 and 1.
    #[error("only {usable} eps value(s) have 0 < f(eps) < 1; the fit needs at least 3")]
    TooFewPoints {
        /// How many eps values have `0 < f(eps) < 1`.
        usable: usize,
    },
}

/// Fits `ln f = phi ln eps + c` over the `eps` with `0 < f(eps) < 1` (a zero cannot be drawn
/// on a log scale, and `f = 1` carries no slope; the caller notes which were left out).
pub fn fit_exponent(measured: &[Measured]) -> Result<ExponentFit, FitError> {
    let points: Vec<(f64, f64, f64, f64)> = measured
        .iter()
        .filter(|m| m.weight() > 0.0 && m.eps > 0.0)
        .map(|m| (m.eps.ln(), m.fraction().ln(), m.weight(), m.eps))
        .collect();
    let n = points.len();
    let mut xs: Vec<f64> = points.iter().map(|p| p.0).collect();
    xs.sort_by(f64::total_cmp);
    xs.dedup();
    if n < 3 || xs.len() < 2 {
        return Err(FitError::TooFewPoints { usable: n });
    }
    let w: f64 = points.iter().map(|p| p.2).sum();
    let mean_x = points.iter().map(|p| p.2 * p.0).sum::<f64>() / w;
    let mean_y = points.iter().map(|p| p.2 * p.1).sum::<f64>() / w;
    let sxx: f64 = points.iter().map(|p| p.2 * (p.0 - mean_x).powi(2)).sum();
    let sxy: f64 = points
        .iter()
        .map(|p| p.2 * (p.0 - mean_x) * (p.1 - mean_y))
        .sum();
    let phi = sxy / sxx;
    let intercept = mean_y - phi * mean_x;
    let chi_squared: f64 = points
        .iter()
        .map(|p| p.2 * (p.1 - (intercept + phi * p.0)).powi(2))
        .sum();
    let dof = n - 2;
    let birge = chi_squared / dof as f64;
    let se_counts = (1.0 / sxx).sqrt();
    let (phi_se, quantile) = if birge > 1.0 {
        (se_counts * birge.sqrt(), t_quantile(0.975, dof as f64))
    } else {
        (se_counts, z_quantile(0.975))
    };
    let eps = points.iter().map(|p| p.3);
    Ok(ExponentFit {
        phi,
        phi_ci95: quantile * phi_se,
        phi_se,
        intercept,
        chi_squared,
        dof,
        p_value: chi_squared_sf(chi_squared, dof as f64),
        used: n,
        eps_range: (
            eps.clone().fold(f64::INFINITY, f64::min),
            eps.fold(0.0, f64::max),
        ),
    })
}

/// The slopes of `ln f` against `ln eps` between neighbouring measured `eps` (in increasing
/// order) where both have `0 < f < 1`.
pub fn local_slopes(measured: &[Measured]) -> Vec<LocalSlope> {
    let z = z_quantile(0.975);
    measured
        .windows(2)
        .filter(|w| w[0].weight() > 0.0 && w[1].weight() > 0.0 && w[0].eps < w[1].eps)
        .map(|w| {
            let dx = (w[1].eps / w[0].eps).ln();
            LocalSlope {
                eps_lo: w[0].eps,
                eps_hi: w[1].eps,
                slope: (w[1].fraction() / w[0].fraction()).ln() / dx,
                ci95: z * (1.0 / w[0].weight() + 1.0 / w[1].weight()).sqrt() / dx,
            }
        })
        .collect()
}

/// Below this p-value the points are said not to lie on one power law.
pub const CURVATURE_P: f64 = 0.01;

/// What a reader of a fit should be warned about.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum FitWarning {
    /// No pair differs at this `eps`: left out of the fit.
    NoneDiffer {
        /// The distance.
        eps: f64,
        /// Pairs drawn at it.
        pairs: u64,
    },
    /// Every pair differs: left out (the `eps` is larger than the basins' structure).
    AllDiffer {
        /// The distance.
        eps: f64,
        /// Pairs drawn at it.
        pairs: u64,
    },
    /// Fewer than `min_differ` pairs differ (the pair cap came first): `f` is known only
    /// to about `±1.96 / sqrt(differ)` relative.
    FewDiffer {
        /// The distance.
        eps: f64,
        /// Pairs that differ at it.
        differ: u64,
        /// Pairs drawn at it.
        pairs: u64,
        /// How many were asked to differ.
        min_differ: u64,
    },
    /// The points scatter more than their counts explain (`p_value < CURVATURE_P`):
    /// `f(eps)` is not one power law over the fitted range.
    Curved {
        /// The fit's chi-squared.
        chi_squared: f64,
        /// Its degrees of freedom.
        dof: usize,
        /// The probability of a chi-squared this large from counting noise alone.
        p_value: f64,
    },
}

/// The warnings of a fit: counts below `min_differ` (when the pairs were drawn until that
/// many differ), `eps` left out, a curved `f`.
pub fn fit_warnings(
    measured: &[Measured],
    fit: Option<&ExponentFit>,
    min_differ: Option<u64>,
) -> Vec<FitWarning> {
    let mut warnings = Vec::new();
    for m in measured {
        let (eps, differ, pairs) = (m.eps, m.differ, m.pairs);
        if differ == 0 {
            warnings.push(FitWarning::NoneDiffer { eps, pairs });
        } else if differ == pairs {
            warnings.push(FitWarning::AllDiffer { eps, pairs });
        } else if let Some(min_differ) = min_differ.filter(|&k| differ < k) {
            warnings.push(FitWarning::FewDiffer {
                eps,
                differ,
                pairs,
                min_differ,
            });
        }
    }
    if let Some(fit) = fit.filter(|f| f.p_value < CURVATURE_P) {
        warnings.push(FitWarning::Curved {
            chi_squared: fit.chi_squared,
            dof: fit.dof,
            p_value: fit.p_value,
        });
    }
    warnings
}

#[cfg(test)]
mod tests {
    use super::*;

    fn measured(points: &[(f64, u64, u64)]) -> Vec<Measured> {
        points
            .iter()
            .map(|&(eps, differ, pairs)| Measured { eps, differ, pairs })
            .collect()
    }

    #[test]
    fn an_exact_power_law_gives_its_exponent() {
        // f = 2 eps^0.5: 20, 200 and 2000 of 10^6 pairs at eps = 1e-6, 1e-4, 1e-2.
        let m = measured(&[
            (1e-6, 2_000, 1_000_000),
            (1e-4, 20_000, 1_000_000),
            (1e-2, 200_000, 1_000_000),
        ]);
        let fit = fit_exponent(&m).unwrap();
        assert!((fit.phi - 0.5).abs() < 1e-12);
        assert!((fit.intercept - 2f64.ln()).abs() < 1e-9);
        assert!(fit.chi_squared < 1e-18);
        assert_eq!((fit.used, fit.dof), (3, 1));
        assert_eq!(fit.eps_range, (1e-6, 1e-2));
        assert!((fit.p_value - 1.0).abs() < 1e-6);
    }

    #[test]
    fn the_interval_comes_from_the_counts_by_hand() {
        // Three eps at ln eps = -1, 0, 1 with 100 differing pairs of 10^6 each on a line
        // of slope 1: w = 100 / (1 - 1e-4 e^k), SE = 1 / sqrt(sum w (x - xbar)^2).
        let e = std::f64::consts::E;
        let m: Vec<Measured> = [-1, 0, 1]
            .iter()
            .map(|&k| {
                let eps = e.powi(k);
                Measured {
                    eps,
                    differ: 100,
                    pairs: (1e6 / eps).round() as u64,
                }
            })
            .collect();
        let fit = fit_exponent(&m).unwrap();
        assert!((fit.phi - 1.0).abs() < 1e-5, "{}", fit.phi);
        let w: Vec<f64> = m.iter().map(Measured::weight).collect();
        let xbar = (-w[0] + w[2]) / (w[0] + w[1] + w[2]);
        let sxx = w[0] * (-1.0 - xbar).powi(2) + w[1] * xbar * xbar + w[2] * (1.0 - xbar).powi(2);
        assert!((fit.phi_se - sxx.sqrt().recip()).abs() < 1e-9);
        assert!((fit.phi_ci95 - 1.959_964 * fit.phi_se).abs() < 1e-6);
        // About 1.96 / sqrt(200): 100 differing pairs per eps, two e-folds apart.
        assert!((fit.phi_ci95 - 0.1386).abs() < 1e-3, "{}", fit.phi_ci95);
    }

    #[test]
    fn scatter_beyond_the_counts_widens_the_interval_and_is_flagged() {
        // ln f = 0, 1, 1, 2 over ln eps = 0..3 with 10^4 differing pairs each: the counts
        // allow a scatter of about 0.01, the points scatter by 0.3.
        let e = std::f64::consts::E;
        let m: Vec<Measured> = [(0, 1.0), (1, e), (2, e), (3, e * e)]
            .iter()
            .map(|&(k, f)| Measured {
                eps: e.powi(k),
                differ: 10_000,
                pairs: (10_000.0 / (f * 1e-3)).round() as u64,
            })
            .collect();
        let fit = fit_exponent(&m).unwrap();
        // Equal weights: the ordinary least squares slope 0.6 of these points.
        assert!((fit.phi - 0.6).abs() < 1e-3);
        assert!(fit.chi_squared > 100.0 * fit.dof as f64);
        assert!(fit.p_value < 1e-10);
        // Widened: the t interval of the residual scatter (SE about 0.1414, t 4.30).
        assert!(
            (fit.phi_ci95 - 4.302_653 * 0.141_421).abs() < 5e-3,
            "{}",
            fit.phi_ci95
        );
        let warnings = fit_warnings(&m, Some(&fit), Some(50));
        assert!(matches!(warnings[..], [FitWarning::Curved { dof: 2, .. }]));
    }

    #[test]
    fn zero_and_full_fractions_are_left_out_and_too_few_is_an_error() {
        let m = measured(&[(1e-4, 0, 1000), (1e-3, 10, 1000), (1e-2, 100, 1000)]);
        assert_eq!(fit_exponent(&m), Err(FitError::TooFewPoints { usable: 2 }));
        let m = measured(&[
            (1e-4, 0, 1000),
            (1e-3, 1, 1000),
            (1e-2, 10, 1000),
            (1e-1, 100, 1000),
            (1.0, 1000, 1000),
        ]);
        let fit = fit_exponent(&m).unwrap();
        assert_eq!(fit.used, 3);
        assert!((fit.phi - 1.0).abs() < 1e-12);
        let warnings = fit_warnings(&m, Some(&fit), Some(50));
        assert_eq!(
            warnings,
            vec![
                FitWarning::NoneDiffer {
                    eps: 1e-4,
                    pairs: 1000
                },
                FitWarning::FewDiffer {
                    eps: 1e-3,
                    differ: 1,
                    pairs: 1000,
                    min_differ: 50
                },
                FitWarning::FewDiffer {
                    eps: 1e-2,
                    differ: 10,
                    pairs: 1000,
                    min_differ: 50
                },
                FitWarning::AllDiffer {
                    eps: 1.0,
                    pairs: 1000
                },
            ]
        );
        assert_eq!(fit_warnings(&m, Some(&fit), None).len(), 2);
    }

    #[test]
    fn local_slopes_by_hand() {
        // f doubles from eps 1 to 2 (slope 1) and stays from 2 to 4 (slope 0).
        let m = measured(&[(1.0, 100, 10_000), (2.0, 200, 10_000), (4.0, 200, 10_000)]);
        let s = local_slopes(&m);
        assert_eq!(s.len(), 2);
        assert!((s[0].slope - 1.0).abs() < 1e-12 && s[1].slope.abs() < 1e-12);
        let w = |d: f64| d / (1.0 - d / 10_000.0);
        let ci = 1.959_964 * (1.0 / w(100.0) + 1.0 / w(200.0)).sqrt() / 2f64.ln();
        assert!((s[0].ci95 - ci).abs() < 1e-6);
        assert_eq!((s[1].eps_lo, s[1].eps_hi), (2.0, 4.0));
    }
}
