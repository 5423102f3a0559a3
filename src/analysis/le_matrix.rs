//! The local-elasticity matrix of a state with its per class-pair statistics: the report
//! of `nshed le-matrix`.

use serde::Serialize;

use super::{le_class_pair_stats, AnalysisError, LePairStats};
use crate::engine::{le_matrix, Model, State};

/// One (base class, test class) pair of the matrix.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct LePairRow {
    /// The class of the base samples.
    pub base_class: String,
    /// The class of the test samples.
    pub test_class: String,
    /// The mean of the defined values (`None` when there is none).
    pub mean: Option<f64>,
    /// Their standard deviation (`None` with fewer than two).
    pub std_dev: Option<f64>,
    /// How many values are defined.
    pub count: usize,
    /// How many are undefined (the base's logits do not move).
    pub undefined: usize,
}

/// The LE matrix over the data samples (row = base) and its statistics per class pair
/// (the diagonal, `LE(x, x) = 1` by definition, left out of them).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct LeMatrixReport {
    /// The model's name.
    pub model: String,
    /// The training step of the state.
    pub step: u64,
    /// The data samples' names, in the order of the rows and columns.
    pub samples: Vec<String>,
    /// The label of every sample.
    pub labels: Vec<String>,
    /// `matrix[base][test]`; `None` where LE is undefined (the base's logits do not move).
    pub matrix: Vec<Vec<Option<f64>>>,
    /// The statistics of every class pair.
    pub class_pairs: Vec<LePairRow>,
    /// Class names, and every sample's label as a class index (for the histograms).
    #[serde(skip)]
    pub classes: Vec<String>,
    /// Every sample's label, as an index into `classes`.
    #[serde(skip)]
    pub label_ids: Vec<usize>,
    /// The same statistics with class indices.
    #[serde(skip)]
    pub stats: Vec<LePairStats>,
}

fn class_name(classes: &[String], k: usize) -> String {
    classes
        .get(k)
        .cloned()
        .unwrap_or_else(|| format!("class {k}"))
}

/// The LE matrix of `state` and its class-pair statistics.
pub fn le_matrix_report(model: &Model, state: &State) -> Result<LeMatrixReport, AnalysisError> {
    let ir = model.ir;
    let matrix = le_matrix(model, state);
    let label_ids: Vec<usize> = ir.data.samples.iter().map(|s| s.label as usize).collect();
    let classes: Vec<String> = ir.classes.iter().map(|c| c.name.clone()).collect();
    let stats = le_class_pair_stats(&matrix, &label_ids, true)?;
    Ok(LeMatrixReport {
        model: ir.model.clone(),
        step: state.step,
        samples: ir.data.samples.iter().map(|s| s.name.clone()).collect(),
        labels: label_ids.iter().map(|&l| class_name(&classes, l)).collect(),
        matrix,
        class_pairs: stats
            .iter()
            .map(|s| LePairRow {
                base_class: class_name(&classes, s.base_class),
                test_class: class_name(&classes, s.test_class),
                mean: s.mean,
                std_dev: s.std_dev,
                count: s.count,
                undefined: s.undefined,
            })
            .collect(),
        classes,
        label_ids,
        stats,
    })
}
