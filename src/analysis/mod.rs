//! Numerical analyses: over plain data, and the typed reports
//! built from a model state (information plane, LE matrix, the drawing of a model).
//!
//! Everything here works on plain vectors — per-sample score rows, class labels as indices,
//! sampling weights — so it can be fed from any engine state. Scores come in as natural logs
//! (`-inf` is an exact zero) because trained amplification factors overflow `f64`.
//!
//! Conventions shared by every function:
//! * rows of a level must all have the same length, and `labels` / `weights` one entry per row,
//!   otherwise [`AnalysisError::LengthMismatch`];
//! * weights must be finite and `>= 0` ([`AnalysisError::InvalidWeight`]); only their ratios
//!   matter; when they sum to zero (or there is no sample) there is no distribution, and the
//!   information measures return 0 bits;
//! * results are never NaN; quantities that are undefined (a variance ratio over a zero
//!   denominator, a mean of no value) are `None`.
//!
//! ```
//! use nshed::analysis::{
//!     level_information, level_sparsity, Estimator, LevelInformation, PlanePoint,
//! };
//! use nshed::render::figure::{info_plane_svg, FigureOptions};
//!
//! // ln S of a 2-node level for four samples (two per class); -inf is a zero score.
//! let zero = f64::NEG_INFINITY;
//! let ln_scores = vec![vec![900.0, zero], vec![900.0, zero], vec![zero, 901.0], vec![zero, 901.0]];
//! let info = level_information(&ln_scores, &[0, 0, 1, 1], &[1.0; 4], Estimator::DEFAULT)?;
//! assert_eq!((info.i_xt, info.i_ty), (1.0, 1.0));
//! assert_eq!(level_sparsity(&[0.0, 0.0]).effective_nodes, 2.0);
//!
//! let points = vec![PlanePoint {
//!     step: 100,
//!     levels: vec![LevelInformation { level: "level 2".into(), i_xt: info.i_xt, i_ty: info.i_ty }],
//! }];
//! let svg: String = info_plane_svg(&points, &FigureOptions::titled("Information plane"));
//! assert!(svg.starts_with("<?xml"));
//! # Ok::<(), nshed::analysis::AnalysisError>(())
//! ```

pub mod drawing;
pub mod le_matrix;
pub mod le_stats;
pub mod mi;
pub mod plane;
pub mod sparsity;
pub mod stats;
mod weights;

pub use drawing::ModelDrawing;
pub use le_matrix::{le_matrix_report, LeMatrixReport, LePairRow};
pub use le_stats::{le_class_pair_stats, le_values_by_class_pair, LeGroup, LePairStats};
pub use mi::{
    information_binning, information_distinct, information_noise, level_information,
    mutual_information_bits, normalise_ln_scores, normalise_scores, Estimator, Information,
};
pub use plane::{
    info_plane_at, info_plane_run, information_plane, information_planes, level_representations,
    InfoPlaneOptions, InfoPlaneReport, LevelInformation, PlaneCurve, PlaneOptions, PlanePoint,
    Representation,
};
pub use sparsity::{level_sparsity, neural_collapse, neural_collapse_ln, Collapse, LevelSparsity};

/// The mean of some values (`None` when there are none).
pub fn mean(xs: impl IntoIterator<Item = f64>) -> Option<f64> {
    let (mut sum, mut n) = (0.0, 0usize);
    for x in xs {
        sum += x;
        n += 1;
    }
    (n > 0).then(|| sum / n as f64)
}

/// Why an analysis could not run on the data it was given.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum AnalysisError {
    /// The model has no data samples.
    #[error("the model has no data: the information plane is measured over the data samples")]
    NoData,
    /// An input has the wrong number of entries.
    #[error("{what}: expected {expected} entries, got {got}")]
    LengthMismatch {
        /// Which input.
        what: &'static str,
        /// How many entries it should have.
        expected: usize,
        /// How many it has.
        got: usize,
    },
    /// A sample weight is negative or not finite.
    #[error("weight of sample {index} is {value}; weights must be finite and >= 0")]
    InvalidWeight {
        /// The sample.
        index: usize,
        /// Its weight.
        value: f64,
    },
    /// A parameter is out of its range.
    #[error("{what} must be {requirement}, got {value}")]
    InvalidParameter {
        /// Which parameter.
        what: &'static str,
        /// What it must be.
        requirement: &'static str,
        /// What it is.
        value: f64,
    },
    /// An estimator is listed twice (its curves would be indistinguishable).
    #[error("the estimator `{0}` is listed twice")]
    RepeatedEstimator(String),
    /// An entry of a table is not allowed (not finite, or out of range).
    #[error("{what}: value {value} at sample {row}, node {column} is not allowed")]
    InvalidValue {
        /// Which table.
        what: &'static str,
        /// The sample (row).
        row: usize,
        /// The node (column).
        column: usize,
        /// The entry.
        value: f64,
    },
}

/// Checks that `len` matches `expected`, naming the offending input.
pub(crate) fn check_len(
    what: &'static str,
    expected: usize,
    len: usize,
) -> Result<(), AnalysisError> {
    if expected == len {
        Ok(())
    } else {
        Err(AnalysisError::LengthMismatch {
            what,
            expected,
            got: len,
        })
    }
}

/// The common row length of a level's score rows (0 for no rows).
pub(crate) fn row_width(what: &'static str, rows: &[Vec<f64>]) -> Result<usize, AnalysisError> {
    let width = rows.first().map_or(0, Vec::len);
    for row in rows {
        check_len(what, width, row.len())?;
    }
    Ok(width)
}
