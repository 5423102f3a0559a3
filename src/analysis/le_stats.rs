//! Local elasticity summaries (`le-matrix`): per (base class, test class) pair,
//! the mean and spread of `LE(x, x')` over the samples of those classes.

use std::collections::BTreeMap;

use super::{check_len, AnalysisError};

/// Statistics of the defined LE values whose base sample has class `base_class` and whose test
/// sample has class `test_class`.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct LePairStats {
    /// The class of the base samples.
    pub base_class: usize,
    /// The class of the test samples.
    pub test_class: usize,
    /// Number of defined (finite) values.
    pub count: usize,
    /// Number of undefined values (`None`, or a non-finite number), not included in the moments.
    pub undefined: usize,
    /// Mean of the defined values; `None` when there is none.
    pub mean: Option<f64>,
    /// Population standard deviation (divisor `count`) of the defined values; `None` when
    /// there is none.
    pub std_dev: Option<f64>,
}

/// The LE values of one (base class, test class) pair.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LeGroup {
    /// Defined (finite) values, base rows in order, each row's columns in order.
    pub values: Vec<f64>,
    /// How many values were undefined (`None` or non-finite).
    pub undefined: usize,
}

/// The LE values of `matrix` (row = base sample, column = test sample) grouped by
/// `(base class, test class)` in ascending class order, each group in row-major order.
///
/// `labels[i]` is sample `i`'s class; the matrix must be square with one row per label. With
/// `skip_self`, the diagonal (`LE(x, x) = 1` by definition) is left out. Returns the defined
/// values and the count of undefined ones per pair.
pub fn le_values_by_class_pair(
    matrix: &[Vec<Option<f64>>],
    labels: &[usize],
    skip_self: bool,
) -> Result<BTreeMap<(usize, usize), LeGroup>, AnalysisError> {
    check_len("LE matrix rows", labels.len(), matrix.len())?;
    let mut groups: BTreeMap<(usize, usize), LeGroup> = BTreeMap::new();
    for (base, row) in matrix.iter().enumerate() {
        check_len("LE matrix columns", labels.len(), row.len())?;
        for (test, value) in row.iter().enumerate() {
            if skip_self && base == test {
                continue;
            }
            let group = groups.entry((labels[base], labels[test])).or_default();
            match value {
                Some(v) if v.is_finite() => group.values.push(*v),
                _ => group.undefined += 1,
            }
        }
    }
    Ok(groups)
}

/// Mean, standard deviation and counts of `LE` per (base class, test class) pair, in ascending
/// class order (see [`le_values_by_class_pair`] for the arguments).
pub fn le_class_pair_stats(
    matrix: &[Vec<Option<f64>>],
    labels: &[usize],
    skip_self: bool,
) -> Result<Vec<LePairStats>, AnalysisError> {
    let groups = le_values_by_class_pair(matrix, labels, skip_self)?;
    Ok(groups
        .into_iter()
        .map(|((base_class, test_class), group)| {
            let (mean, std_dev) = moments(&group.values).unzip();
            LePairStats {
                base_class,
                test_class,
                count: group.values.len(),
                undefined: group.undefined,
                mean,
                std_dev,
            }
        })
        .collect())
}

/// Mean and population standard deviation; `None` for no value. Two passes, so a large common
/// offset does not cancel catastrophically.
fn moments(values: &[f64]) -> Option<(f64, f64)> {
    if values.is_empty() {
        return None;
    }
    let n = values.len() as f64;
    let mean = values.iter().sum::<f64>() / n;
    let variance = values.iter().map(|v| (v - mean) * (v - mean)).sum::<f64>() / n;
    Some((mean, variance.sqrt()))
}
