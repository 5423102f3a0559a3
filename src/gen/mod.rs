//! Seeded generator of layered random neurashed models, emitted as readable `.nshed` text.
//!
//! `build` makes the structure (`Generated`: levels of gates in compact arrays, class
//! parents, prototypes and noisy samples), wired from the data so that the model
//! classifies its samples (`fire` tracks which samples fire each node while levels are
//! built); `render` writes it as text; `eval` computes firing sets so that tests and
//! tuning can measure how sparse the pathways are; `sized` picks parameters that hit a
//! node count.
//!
//! Randomness: one `ChaCha8Rng` seeded from `GenParams::seed`, with a separate stream for
//! each part (structure, prototypes, samples), so that the same seed always gives the same
//! text. The structure depends on the data (it is wired from it): other samples give
//! another model.
//!
//! Dead nodes (the checker warns of them) are avoided by construction; they can only appear when a
//! level has fewer child slots in total (width × drawn fan-in) than the level below has
//! nodes, in which case some nodes below cannot all be used.

mod build;
mod data;
mod eval;
mod fire;
mod given;
mod params;
mod render;
mod sized;

pub use build::{FeatureLevel, Generated, Rule};
pub use data::GenSample;
pub use eval::Firing;
pub use given::{build_on, GivenData, GivenNames};
pub use params::{
    GenError, GenParams, RuleMix, Widths, MAX_CHILD_LINKS, MAX_FIRING_BITS, MAX_NODES, MAX_SAMPLES,
};
pub use sized::{generate_sized, sized_params};

/// Validates the parameters and returns the model as `.nshed` text.
pub fn generate(params: &GenParams) -> Result<String, GenError> {
    Ok(build(params)?.to_nshed())
}

/// Validates the parameters and builds the model's structure and data.
pub fn build(params: &GenParams) -> Result<Generated, GenError> {
    params.validate()?;
    Ok(build::build_validated(params))
}
