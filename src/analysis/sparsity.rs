//! Implicit regularization measures: how concentrated a level's amplification
//! factors are, and how tightly each class's top-level representations cluster (neural collapse).

use std::collections::BTreeMap;

use super::{check_len, mi::normalise_ln_scores, row_width, weights, AnalysisError};

/// How a level's `lambda` mass is spread over its nodes.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct LevelSparsity {
    /// `exp(H)`, `H` the natural-log entropy of `lambda / sum lambda`: `n` for `n` equal nodes,
    /// about 1 when one node dominates. 0 for a level whose `lambda` are all zero (or empty).
    pub effective_nodes: f64,
    /// `max lambda / sum lambda`; 0 for an all-zero level.
    pub top_share: f64,
    /// Index of the largest `lambda` (the first on ties); `None` for an all-zero level.
    pub top_node: Option<usize>,
}

/// Sparsity of one level from its nodes' `ln lambda` (`-inf` for `lambda = 0`).
///
/// Works in the log domain: with `m = max ln lambda`, `q_i = exp(ln lambda_i - m)`,
/// `Z = sum q_i`, `p_i = q_i / Z`: `H = ln Z - sum p_i (ln lambda_i - m)`, top share `1 / Z`.
/// So `lambda` far beyond `f64` range is fine. NaN is read as `lambda = 0`. If some `ln lambda`
/// are `+inf`, those nodes share the mass equally and the others get none.
pub fn level_sparsity(ln_lambda: &[f64]) -> LevelSparsity {
    let clean: Vec<f64> = ln_lambda
        .iter()
        .map(|&v| if v.is_nan() { f64::NEG_INFINITY } else { v })
        .collect();
    let max = clean.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let top_node = clean.iter().position(|&v| v == max);
    if max == f64::NEG_INFINITY {
        return LevelSparsity {
            effective_nodes: 0.0,
            top_share: 0.0,
            top_node: None,
        };
    }
    if max == f64::INFINITY {
        let infinite = clean.iter().filter(|&&v| v == f64::INFINITY).count() as f64;
        return LevelSparsity {
            effective_nodes: infinite,
            top_share: 1.0 / infinite,
            top_node,
        };
    }
    let shifted: Vec<f64> = clean.iter().map(|&v| v - max).collect();
    let z: f64 = shifted.iter().map(|&s| s.exp()).sum();
    let mean_shift: f64 = shifted
        .iter()
        .filter(|s| s.is_finite())
        .map(|&s| s.exp() / z * s)
        .sum();
    let entropy = (z.ln() - mean_shift).max(0.0);
    LevelSparsity {
        effective_nodes: entropy.exp(),
        top_share: 1.0 / z,
        top_node,
    }
}

/// Within-class and between-class spread of a level's representations (neural collapse).
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Collapse {
    /// `sum_i c_i ||h_i - mu_{y_i}||^2`: weighted mean squared distance to the class mean.
    pub within: f64,
    /// `sum_y p_y ||mu_y - mu||^2`: weighted spread of the class means around the global mean.
    pub between: f64,
    /// `within / between`: 0 when every class's vectors coincide, small under collapse.
    /// `None` when the class means coincide (between-class variance 0 up to rounding), where
    /// the ratio is undefined.
    pub ratio: Option<f64>,
}

/// Neural collapse of level-(L-1) log-scores: normalises as [`normalise_ln_scores`] does,
/// then [`neural_collapse`].
pub fn neural_collapse_ln(
    ln_scores: &[Vec<f64>],
    labels: &[usize],
    weights: &[f64],
) -> Result<Collapse, AnalysisError> {
    neural_collapse(&normalise_ln_scores(ln_scores)?, labels, weights)
}

/// Within-class over between-class variance ratio of representation vectors `h_i` (rows) with
/// classes `labels` and sampling weights `weights`.
///
/// With `c_i` the normalised weights, `p_y` the class masses, `mu_y` the weighted class means and
/// `mu` the global mean: `within = sum_i c_i ||h_i - mu_{y_i}||^2`,
/// `between = sum_y p_y ||mu_y - mu||^2` (their sum is the total variance), ratio
/// `within / between`. This is the trace-ratio variant of Papyan, Han & Donoho's (2020) NC1
/// measure `tr(Sigma_W Sigma_B^+) / K`: it needs no pseudo-inverse, so it stays well defined
/// when `Sigma_B` is singular (few classes, many nodes). No mass (no sample or zero weights)
/// gives zeros and no ratio. Non-finite values
/// are an error.
pub fn neural_collapse(
    representation: &[Vec<f64>],
    labels: &[usize],
    weights: &[f64],
) -> Result<Collapse, AnalysisError> {
    let width = row_width("representation rows", representation)?;
    check_len("labels", representation.len(), labels.len())?;
    for (row, values) in representation.iter().enumerate() {
        if let Some(column) = values.iter().position(|v| !v.is_finite()) {
            return Err(AnalysisError::InvalidValue {
                what: "representation values must be finite",
                row,
                column,
                value: values[column],
            });
        }
    }
    let none = Collapse {
        within: 0.0,
        between: 0.0,
        ratio: None,
    };
    let Some(c) = weights::probabilities(weights, representation.len())? else {
        return Ok(none);
    };
    // Class masses and weighted class means.
    let mut classes: BTreeMap<usize, (f64, Vec<f64>)> = BTreeMap::new();
    for (i, row) in representation.iter().enumerate() {
        let (mass, sum) = classes
            .entry(labels[i])
            .or_insert_with(|| (0.0, vec![0.0; width]));
        *mass += c[i];
        for (s, v) in sum.iter_mut().zip(row) {
            *s += c[i] * v;
        }
    }
    let mut global = vec![0.0; width];
    for (mass, sum) in classes.values_mut() {
        for (g, s) in global.iter_mut().zip(sum.iter_mut()) {
            *g += *s;
            if *mass > 0.0 {
                *s /= *mass;
            }
        }
    }
    let distance2 =
        |a: &[f64], b: &[f64]| -> f64 { a.iter().zip(b).map(|(x, y)| (x - y) * (x - y)).sum() };
    let within: f64 = representation
        .iter()
        .enumerate()
        .filter(|&(i, _)| c[i] > 0.0)
        .map(|(i, row)| c[i] * distance2(row, &classes[&labels[i]].1))
        .sum();
    let between: f64 = classes
        .values()
        .map(|(mass, mean)| mass * distance2(mean, &global))
        .sum();
    // Representations lie in [0, 1]; a between-class variance at rounding level of the total
    // means the class means coincide, and the ratio would be rounding noise over rounding noise.
    let defined = between > 1e-12 * (within + between);
    Ok(Collapse {
        within,
        between,
        ratio: defined.then(|| within / between),
    })
}
