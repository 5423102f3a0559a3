//! Files: the one bounded, interruptible reader of every input ([`Input`], [`Lines`]), the
//! one atomic writer of every output ([`write_atomic`], [`AtomicWriter`]), which outputs
//! may replace ([`Outputs`]), and the one walk of directories for model files ([`walk`]).

mod outputs;
mod read;
mod walk;
mod write;

pub use outputs::{holds_model, OutputRefused, Outputs};
pub use read::{describe_kind, stop_reads_on, Accept, Input, Line, Lines, ReadError};
pub use walk::{walk, Found, WalkError};
pub use write::{write_atomic, AtomicWriter};
