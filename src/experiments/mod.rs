//! The experiments: sweeps of independent training runs (fooling inputs and depth, basins
//! and the uncertainty exponent, initialisation and freezing), and the comparison of batch
//! sizes (implicit regularization).
//!
//! Every sweep is an [`Experiment`]: `sweep::run` runs its points in parallel,
//! reproducibly, optionally one shard at a time, and `sweep::merge` finishes the shard files
//! of any of them. Each experiment module has one entry function per command, taking the
//! compiled model and an options struct of its own and returning a typed report.

pub mod basin;
pub mod depth;
mod experiment;
pub mod fool;
pub mod generated;
pub mod regularize;
pub(crate) mod schedule;
pub(crate) mod streams;
pub mod sweep;
pub mod uncertainty;

pub use experiment::{ErrorKind, Experiment, ExperimentError, Points};
pub use sweep::{
    merge, merge_shards, run_points, Merged, Outcome, Shard, ShardFile, SweepError, SweepOptions,
};
