//! One mechanism for every sweep experiment.
//!
//! An experiment is a sweep of independent points. Its definition ([`Experiment`]) names
//! it, fixes the types of its parameters, of one point's result and of its report, and
//! turns the results of all points into the report (`finish`). A prepared run of it
//! ([`Points`]) holds what the points need (a model, a trained state, ...) and computes one
//! point. `sweep::run` runs the points of any experiment in parallel, or one shard of them;
//! `sweep::merge` reads shard files of any registered experiment back and finishes them,
//! with no knowledge of what the experiment is.

use crate::diag::ErrorCode;
use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::present::Render;

/// Why an experiment could not run or finish.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct ExperimentError {
    /// What kind of failure it is (how a front end reports it).
    pub kind: ErrorKind,
    /// What went wrong.
    pub message: String,
    /// What to do about it.
    pub help: Option<String>,
}

/// What kind of mistake an [`ExperimentError`] is (front ends map it to their exit codes).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ErrorKind {
    /// The options contradict each other or are out of range.
    Options,
    /// The model (or the shard files) cannot be used as asked.
    Model,
    /// The computation itself failed (a point's model could not be built, a fit failed).
    Failed,
    /// The front end asked it to stop ([`Progress::stopped`](crate::progress::Progress::stopped)).
    Interrupted,
}

impl ExperimentError {
    /// An error of `kind` saying `message`, without help.
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> ExperimentError {
        ExperimentError {
            kind,
            message: message.into(),
            help: None,
        }
    }

    /// Bad options.
    pub fn options(message: impl Into<String>, help: impl Into<String>) -> ExperimentError {
        ExperimentError::new(ErrorKind::Options, message).help(help)
    }

    /// A model (or set of shard files) that cannot be used as asked.
    pub fn model(message: impl Into<String>, help: impl Into<String>) -> ExperimentError {
        ExperimentError::new(ErrorKind::Model, message).help(help)
    }

    /// A computation that failed.
    pub fn failed(message: impl Into<String>) -> ExperimentError {
        ExperimentError::new(ErrorKind::Failed, message)
    }

    /// The diagnostic code every front end shows it with.
    pub fn code(&self) -> ErrorCode {
        match self.kind {
            ErrorKind::Options => ErrorCode::Usage,
            ErrorKind::Model => ErrorCode::Model,
            ErrorKind::Failed => ErrorCode::Failed,
            ErrorKind::Interrupted => ErrorCode::Interrupted,
        }
    }

    /// Sets the help line.
    pub fn help(mut self, help: impl Into<String>) -> ExperimentError {
        self.help = Some(help.into());
        self
    }
}

/// The definition of a sweep experiment: everything `nshed merge` needs to finish one.
pub trait Experiment: 'static {
    /// The experiment's name in shard files (e.g. `basin`).
    const NAME: &'static str;
    /// Everything the points and the finishing step depend on (options, seed, model digest,
    /// names); shard files carry it, so finishing needs no model file.
    type Params: Serialize + DeserializeOwned + Clone + PartialEq + Send + Sync;
    /// The result of one point.
    type Point: Serialize + DeserializeOwned + Send;
    /// The finished result.
    type Report: Render + Serialize + 'static;

    /// The number of points of a sweep with these parameters.
    fn total_points(params: &Self::Params) -> u64;

    /// Whether parameters read back from shard files can be those of a sweep: sizes and
    /// ranges the command accepts, names that agree; forged ones are refused with the
    /// reason (before any point is looked at).
    fn check_params(params: &Self::Params) -> Result<(), String> {
        let _ = params;
        Ok(())
    }

    /// Whether a point read back from a shard file can be a result of point `index` of a
    /// sweep with these parameters (shapes, ranges, counters); forged or foreign files are
    /// refused with the reason.
    fn check_point(params: &Self::Params, index: u64, point: &Self::Point) -> Result<(), String> {
        let _ = (params, index, point);
        Ok(())
    }

    /// The report of a whole sweep from every point's result, in point order.
    fn finish(
        params: &Self::Params,
        points: Vec<Self::Point>,
    ) -> Result<Self::Report, ExperimentError>;
}

/// A prepared run of experiment `E`: what its points need, and how to compute one.
pub trait Points<E: Experiment>: Sync {
    /// The sweep's parameters.
    fn params(&self) -> &E::Params;

    /// The result of point `index` (in `0..E::total_points(params)`); its random stream is
    /// derived from the seed and `index`, so it does not depend on which thread runs it.
    /// An error ends the sweep (the first failing point, in point order, is reported).
    fn run_point(&self, index: u64) -> Result<E::Point, String>;
}
