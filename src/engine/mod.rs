//! The interpreter: state, firing and scores, training, local elasticity.
//!
//! Every `lambda`, `eta`, score and logit is a natural log (see `numeric`); the IR is
//! walked through index tables built once (`graph::Model`).

pub mod batch;
pub mod control;
pub mod eval;
pub mod graph;
pub mod heldout;
mod layout;
pub(crate) mod lazy;
#[cfg(test)]
mod lazy_tests;
pub mod le;
mod le_sparse;
pub mod numeric;
mod pathways;
mod replay;
pub mod rules;
pub mod sample;
pub mod state;
pub mod train;

#[doc(hidden)]
pub mod testing;

pub use control::{remaining_steps, train, Control, Observer, Trained, Until};
pub use eval::{Evaluation, Evaluator};
pub use graph::Model;
pub use le::{le, le_class_means, le_matrix, le_matrix_direct, ClassMeans};
pub use rules::{Freeze, LnOp, Rules};
pub use state::{run_seed, State, StateFault};
pub use train::{explicit_rules, explicit_step, untrainable, ExplicitRules, Trainer};
