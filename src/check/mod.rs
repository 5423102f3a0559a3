//! AST → IR: name resolution and every semantic check of SPEC sections 1, 2 and 10.

use crate::diag::Problem;
use crate::ir::Ir;
use crate::syntax::ast::File;

/// The result of checking a file: the IR when there is no error, and every problem
/// (errors and warnings) found, all at once.
#[derive(Debug)]
pub struct Checked {
    pub ir: Option<Ir>,
    pub problems: Vec<Problem>,
}

pub fn check(_file: &File) -> Checked {
    Checked {
        ir: None,
        problems: vec![Problem::error(
            "nshed::check::todo",
            "the checker is being written",
        )],
    }
}
