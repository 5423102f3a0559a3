//! Source text → AST. `parse` drives the pest grammar in `grammar/nshed.pest`;
//! `fast` is a hand-written parser for valid files that gives up (and lets pest
//! report) on anything else; `errors` phrases syntax errors for people; `ast` is the tree.

pub mod ast;
pub mod errors;
pub mod fast;
mod hints;
pub mod lex;
pub mod parse;
pub mod print;

pub use parse::{parse_expr, parse_file, parse_file_pest};
