//! nshed: a language, interpreter and REPL for neurashed models.
//!
//! Pipeline: source text → `syntax` (AST) → `check` (IR) → `engine` (state) → `analysis`.

pub mod diag;
pub mod ir;
pub mod syntax;
