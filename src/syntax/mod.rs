//! Source text → AST. `parse` drives the pest grammar in `grammar/nshed.pest`;
//! `errors` phrases syntax errors for people; `ast` is the tree.

pub mod ast;
pub mod errors;
pub mod parse;

pub use parse::{parse_expr, parse_file};
