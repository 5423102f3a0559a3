//! Mutual information between a level's representation `T`, the input `X` and the label `Y`,
//! in bits.
//!
//! `X` is the data sample (its index), drawn with probability proportional to its weight, and
//! `Y` its label. Two samples with the same input pattern are still two values of `X`.
//!
//! Three estimators:
//! * **binning** (Shwartz-Ziv & Tishby 2017): every coordinate of `T(x)` in `[0, 1]` is cut into
//!   `bins` equal bins; `T` is the tuple of bin indices and both informations are computed
//!   exactly from the discrete joint distributions of `(X, T)` and `(T, Y)`;
//! * **distinct** (unbinned): `T` is the representation itself, so `I(X;T)` is the entropy of
//!   its distinct values: the limit of binning as the bins shrink to nothing. A deterministic
//!   representation loses information about the input only where two inputs get exactly the
//!   same values; binning also merges values closer than a bin, which is where its
//!   "compression" comes from when values shrink towards each other;
//! * **noise** (Kolchinsky & Tracey 2017, Saxe et al. 2018): `T = T(x) + N(0, sigma^2 I)`, with
//!   the entropy of the Gaussian mixture bounded by pairwise distances (see
//!   [`information_noise`]).

use std::collections::BTreeMap;

use super::{check_len, row_width, weights, AnalysisError};

/// `I(X;T)` and `I(T;Y)` of one level, in bits.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Information {
    /// `I(X;T)`: what the level tells of the input.
    pub i_xt: f64,
    /// `I(T;Y)`: what the level tells of the label.
    pub i_ty: f64,
}

impl Information {
    /// No information: what every estimator reports when there is no probability mass.
    pub const ZERO: Information = Information {
        i_xt: 0.0,
        i_ty: 0.0,
    };
}

/// Which estimator to use (`mi binning` or `mi noise sigma`; `Distinct` is binning's
/// limit of infinitely many bins).
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub enum Estimator {
    /// `mi binning`: each activation put in one of `bins` equal bins.
    Binning {
        /// How many bins.
        bins: usize,
    },
    /// Every distinct activation value its own bin (binning's limit of infinitely many bins).
    Distinct,
    /// `mi noise sigma`: activations with Gaussian noise of standard deviation `sigma` added.
    Noise {
        /// The noise's standard deviation.
        sigma: f64,
    },
}

impl Estimator {
    /// The default: binning with 30 bins per coordinate.
    pub const DEFAULT: Estimator = Estimator::Binning { bins: 30 };
}

impl Default for Estimator {
    fn default() -> Self {
        Self::DEFAULT
    }
}

/// Normalises one level's scores, given as natural logs (`ln S`, `-inf` for a zero score; rows =
/// samples, columns = the level's nodes), to `S / max S` over the whole data set.
///
/// Computed as `exp(ln S - max ln S)`, so scores far beyond `f64` range still give values in
/// `[0, 1]`. A level whose scores are all zero stays all zero. `NaN` is read as a zero score; if
/// some scores are `+inf` (infinitely larger than the rest) those become 1 and all others 0.
pub fn normalise_ln_scores(ln_scores: &[Vec<f64>]) -> Result<Vec<Vec<f64>>, AnalysisError> {
    row_width("score rows", ln_scores)?;
    let clean = |v: f64| if v.is_nan() { f64::NEG_INFINITY } else { v };
    let max = ln_scores
        .iter()
        .flatten()
        .map(|&v| clean(v))
        .fold(f64::NEG_INFINITY, f64::max);
    let normalise = |v: f64| {
        let v = clean(v);
        if max == f64::INFINITY {
            if v == f64::INFINITY {
                1.0
            } else {
                0.0
            }
        } else if v == f64::NEG_INFINITY {
            0.0
        } else {
            (v - max).exp()
        }
    };
    Ok(ln_scores
        .iter()
        .map(|row| row.iter().map(|&v| normalise(v)).collect())
        .collect())
}

/// Like [`normalise_ln_scores`] for plain scores (`>= 0`; a negative or NaN score is an error).
pub fn normalise_scores(scores: &[Vec<f64>]) -> Result<Vec<Vec<f64>>, AnalysisError> {
    let mut ln_scores = Vec::with_capacity(scores.len());
    for (row, values) in scores.iter().enumerate() {
        let mut ln_row = Vec::with_capacity(values.len());
        for (column, &value) in values.iter().enumerate() {
            if value.is_nan() || value < 0.0 {
                return Err(AnalysisError::InvalidValue {
                    what: "scores must be >= 0",
                    row,
                    column,
                    value,
                });
            }
            ln_row.push(value.ln());
        }
        ln_scores.push(ln_row);
    }
    normalise_ln_scores(&ln_scores)
}

/// Normalises a level's log-scores and estimates `I(X;T)` and `I(T;Y)`. The distinct
/// estimator compares the log-scores themselves: normalising is a shift of every log, which
/// keeps values apart exactly, where `exp` would round tiny values to the same 0.
pub fn level_information(
    ln_scores: &[Vec<f64>],
    labels: &[usize],
    weights: &[f64],
    estimator: Estimator,
) -> Result<Information, AnalysisError> {
    if estimator == Estimator::Distinct {
        return information_distinct(ln_scores, labels, weights);
    }
    let representation = normalise_ln_scores(ln_scores)?;
    match estimator {
        Estimator::Binning { bins } => information_binning(&representation, labels, weights, bins),
        Estimator::Noise { sigma } => information_noise(&representation, labels, weights, sigma),
        Estimator::Distinct => information_distinct(&representation, labels, weights),
    }
}

/// Mutual information, in bits, of a discrete joint distribution given as `(a, b, mass)` triples.
///
/// `I(A;B) = sum over (a,b) of p(a,b) log2(p(a,b) / (p(a) p(b)))`. Masses need not sum to one
/// (they are divided by their total); repeated pairs add up; zero masses are ignored. No mass at
/// all gives 0. Sums run in key order, so the result does not depend on the order of the triples'
/// insertion beyond that of equal keys. Rounding can only push the result below 0 by an ulp;
/// it is clamped at 0.
pub fn mutual_information_bits<A: Ord, B: Ord>(
    joint: impl IntoIterator<Item = (A, B, f64)>,
) -> f64 {
    let mut pairs: BTreeMap<(A, B), f64> = BTreeMap::new();
    for (a, b, mass) in joint {
        if mass > 0.0 && mass.is_finite() {
            *pairs.entry((a, b)).or_insert(0.0) += mass;
        }
    }
    let total: f64 = pairs.values().sum();
    if total <= 0.0 {
        return 0.0;
    }
    let mut p_a: BTreeMap<&A, f64> = BTreeMap::new();
    let mut p_b: BTreeMap<&B, f64> = BTreeMap::new();
    for ((a, b), &mass) in &pairs {
        *p_a.entry(a).or_insert(0.0) += mass / total;
        *p_b.entry(b).or_insert(0.0) += mass / total;
    }
    let mut information = 0.0;
    for ((a, b), &mass) in &pairs {
        let p = mass / total;
        let (pa, pb) = (p_a[a], p_b[b]);
        information += p * (p / (pa * pb)).log2();
    }
    information.max(0.0)
}

/// The bin of a normalised coordinate: `[0, 1]` cut into `bins` equal bins, 1.0 in the last one.
/// Values outside `[0, 1]` are clamped into it; NaN goes to bin 0.
fn bin_index(value: f64, bins: usize) -> usize {
    let scaled = (value.clamp(0.0, 1.0) * bins as f64).floor();
    if scaled.is_nan() {
        0
    } else {
        (scaled as usize).min(bins - 1)
    }
}

/// Checks the shapes of a representation against its labels (weights are checked separately).
fn check_representation(
    representation: &[Vec<f64>],
    labels: &[usize],
) -> Result<(), AnalysisError> {
    row_width("representation rows", representation)?;
    check_len("labels", representation.len(), labels.len())
}

/// `I(X;T)` and `I(T;Y)` with the binning estimator (`mi binning`).
///
/// `representation`: normalised level values in `[0, 1]` (rows = samples); `labels`: the
/// samples' classes; `weights`: their sampling weights; `bins >= 1`. `T` is the tuple of bin
/// indices of a row, and both informations come from the exact joint distributions of
/// `(X, T)` and `(T, Y)` ([`mutual_information_bits`]). Since `T` is a function of `X`,
/// `I(X;T) = H(T)`. A level with no nodes, or all-zero, carries 0 bits.
pub fn information_binning(
    representation: &[Vec<f64>],
    labels: &[usize],
    weights: &[f64],
    bins: usize,
) -> Result<Information, AnalysisError> {
    check_representation(representation, labels)?;
    if bins == 0 {
        return Err(AnalysisError::InvalidParameter {
            what: "the number of bins",
            requirement: "at least 1",
            value: 0.0,
        });
    }
    let Some(p) = weights::probabilities(weights, representation.len())? else {
        return Ok(Information::ZERO);
    };
    let cells: Vec<Vec<usize>> = representation
        .iter()
        .map(|row| row.iter().map(|&v| bin_index(v, bins)).collect())
        .collect();
    let i_xt = mutual_information_bits(cells.iter().enumerate().map(|(x, t)| (x, t, p[x])));
    let i_ty = mutual_information_bits(cells.iter().enumerate().map(|(x, t)| (t, labels[x], p[x])));
    Ok(Information { i_xt, i_ty })
}

/// `I(X;T)` and `I(T;Y)` with `T` the representation itself (no bins): two samples share a
/// value of `T` only when their rows are equal (`NaN` counts as `-inf`, `-0` as `0`), so
/// `I(X;T)` is the entropy of the distinct rows. Any representation, normalised or as logs.
pub fn information_distinct(
    representation: &[Vec<f64>],
    labels: &[usize],
    weights: &[f64],
) -> Result<Information, AnalysisError> {
    check_representation(representation, labels)?;
    let Some(p) = weights::probabilities(weights, representation.len())? else {
        return Ok(Information::ZERO);
    };
    let key = |v: f64| {
        if v.is_nan() {
            f64::NEG_INFINITY.to_bits()
        } else {
            (v + 0.0).to_bits()
        }
    };
    let values: Vec<Vec<u64>> = representation
        .iter()
        .map(|row| row.iter().map(|&v| key(v)).collect())
        .collect();
    let i_xt = mutual_information_bits(values.iter().enumerate().map(|(x, t)| (x, t, p[x])));
    let i_ty =
        mutual_information_bits(values.iter().enumerate().map(|(x, t)| (t, labels[x], p[x])));
    Ok(Information { i_xt, i_ty })
}

/// `I(X;T)` and `I(T;Y)` with the additive-noise estimator (`mi noise sigma`).
///
/// With noise, `T` given `X = i` is the Gaussian `N(t_i, sigma^2 I)`, so `T` is a Gaussian
/// mixture with weights `c_i`, and `H(T|X)` is the entropy of one Gaussian. Kolchinsky & Tracey
/// ("Estimating mixture entropy with pairwise distances", Entropy 2017; "Nonlinear information
/// bottleneck", eq. 10) bound the mixture entropy with the pairwise KL divergences
/// `KL(i || j) = ||t_i - t_j||^2 / (2 sigma^2)`:
///
/// ```text
/// H(T) <= H(T|X) - sum_i c_i ln sum_j c_j exp(-||t_i - t_j||^2 / (2 sigma^2))
/// ```
///
/// so, writing `B(c) = -sum_i c_i ln sum_j c_j exp(-||t_i - t_j||^2 / (2 sigma^2))`:
/// * `I(X;T) = H(T) - H(T|X) ≈ B(c)` over all samples;
/// * `I(T;Y) = H(T) - H(T|Y) ≈ B(c) - sum_y p(y) B(c | y)`, where `B(c | y)` is the same bound for
///   the mixture of class `y`'s samples alone, with weights `c_i / p(y)` (the Gaussian entropy
///   term cancels). This is what Saxe et al. ("On the information bottleneck theory of deep
///   learning", 2018, `kde.py` / `computeMI`) compute with `entropy_estimator_kl`.
///
/// Results are converted from nats to bits. As `sigma -> 0` with distinct points, `I(X;T)` tends
/// to the entropy of the distinct points (the binning value for well-separated points); as
/// `sigma -> inf` both tend to 0. `sigma` must be finite and `> 0`. The inner sums are
/// log-sum-exp, so tiny `sigma` does not underflow to `ln 0`. `I(T;Y)` is clamped at 0 (the
/// bound difference can dip below it by rounding). Cost: `O(n^2 d)` time, `O(n d)` memory.
pub fn information_noise(
    representation: &[Vec<f64>],
    labels: &[usize],
    weights: &[f64],
    sigma: f64,
) -> Result<Information, AnalysisError> {
    check_representation(representation, labels)?;
    if !(sigma.is_finite() && sigma > 0.0) {
        return Err(AnalysisError::InvalidParameter {
            what: "the noise sigma",
            requirement: "finite and > 0",
            value: sigma,
        });
    }
    let Some(p) = weights::probabilities(weights, representation.len())? else {
        return Ok(Information::ZERO);
    };
    // Zero-weight samples are not part of the mixture at all.
    let present: Vec<usize> = (0..representation.len()).filter(|&i| p[i] > 0.0).collect();
    let kernel = Kernel {
        points: representation,
        two_variance: 2.0 * sigma * sigma,
    };
    let everyone: Vec<(usize, f64)> = present.iter().map(|&i| (i, p[i])).collect();
    let h_total = kernel.pairwise_bound(&everyone);

    let mut classes: BTreeMap<usize, Vec<(usize, f64)>> = BTreeMap::new();
    for &i in &present {
        classes.entry(labels[i]).or_default().push((i, p[i]));
    }
    let mut h_given_y = 0.0;
    for members in classes.values() {
        let p_y: f64 = members.iter().map(|&(_, c)| c).sum();
        let within: Vec<(usize, f64)> = members.iter().map(|&(i, c)| (i, c / p_y)).collect();
        h_given_y += p_y * kernel.pairwise_bound(&within);
    }
    Ok(Information {
        i_xt: (h_total / std::f64::consts::LN_2).max(0.0),
        i_ty: ((h_total - h_given_y) / std::f64::consts::LN_2).max(0.0),
    })
}

/// Gaussian kernels of common variance around the representation's points.
struct Kernel<'a> {
    points: &'a [Vec<f64>],
    two_variance: f64,
}

impl Kernel<'_> {
    /// `ln K(i, j) = -||t_i - t_j||^2 / (2 sigma^2)`; exactly 0 for coinciding points even when
    /// `2 sigma^2` underflows to 0.
    fn ln_kernel(&self, i: usize, j: usize) -> f64 {
        let distance2: f64 = self.points[i]
            .iter()
            .zip(&self.points[j])
            .map(|(a, b)| (a - b) * (a - b))
            .sum();
        if distance2 == 0.0 {
            0.0
        } else {
            -distance2 / self.two_variance
        }
    }

    /// `B(c) = -sum_i c_i ln sum_j c_j K(i, j)` in nats, over `(sample, c)` pairs with `c > 0`.
    fn pairwise_bound(&self, mixture: &[(usize, f64)]) -> f64 {
        let mut bound = 0.0;
        for &(i, c_i) in mixture {
            let mut sum = LogSumExp::default();
            for &(j, c_j) in mixture {
                sum.add(c_j.ln() + self.ln_kernel(i, j));
            }
            bound -= c_i * sum.value();
        }
        bound
    }
}

/// Streaming `ln sum exp(a_k)` with a running maximum, so no term overflows or underflows to 0.
#[derive(Default)]
struct LogSumExp {
    max: Option<f64>,
    scaled_sum: f64,
}

impl LogSumExp {
    fn add(&mut self, term: f64) {
        if term == f64::NEG_INFINITY {
            return;
        }
        match self.max {
            Some(max) if term <= max => self.scaled_sum += (term - max).exp(),
            Some(max) => {
                self.scaled_sum = self.scaled_sum * (max - term).exp() + 1.0;
                self.max = Some(term);
            }
            None => {
                self.max = Some(term);
                self.scaled_sum = 1.0;
            }
        }
    }

    /// `-inf` for an empty sum.
    fn value(&self) -> f64 {
        self.max
            .map_or(f64::NEG_INFINITY, |max| max + self.scaled_sum.ln())
    }
}
