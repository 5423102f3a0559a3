//! The experiments of SPEC 9 (fooling inputs and depth, riddled basins, initialisation and
//! freezing). Each is a sweep of independent training runs: `sweep` runs the points in
//! parallel, reproducibly, optionally one shard at a time, and merges shard files.

pub mod basin;
pub mod sweep;
pub mod uncertainty;

pub use sweep::{merge_shards, run_points, Merged, Shard, ShardFile, SweepError};
pub mod depth;
pub mod fool;
pub mod fool_search;
pub mod generated;
pub mod streams;
