//! nshed: a language, interpreter and REPL for neurashed models.
//!
//! Pipeline (see ARCHITECTURE.md): source text → `syntax` (AST) → `check` (IR) →
//! `engine` (state) → `analysis` (reports).

pub mod analysis;
pub mod check;
pub mod cli;
pub mod diag;
pub mod engine;
pub mod fsio;
pub mod gen;
pub mod ir;
pub mod persist;
pub mod plot;
pub mod query;
pub mod repl;
pub mod report;
pub mod source;
pub mod syntax;

use diag::Report;
use ir::Ir;
use source::Source;

/// A checked model, with the warnings found on the way.
#[derive(Debug)]
pub struct Compiled {
    pub ir: Ir,
    pub source: Source,
    /// Warnings only (a compiled model has no errors).
    pub warnings: Report,
}

/// Parses and checks a source: the IR, or every problem found.
pub fn compile(source: Source) -> Result<Compiled, Report> {
    let file = match syntax::parse_file(&source.text) {
        Ok(file) => file,
        Err(problem) => return Err(Report::new(&source.name, &source.text, vec![problem])),
    };
    let checked = check::check(&file);
    let report = Report::new(&source.name, &source.text, checked.problems);
    match checked.ir {
        Some(ir) if !report.has_errors() => Ok(Compiled {
            ir,
            source,
            warnings: report,
        }),
        _ => Err(report),
    }
}

/// Reads and compiles a file (`-` for stdin).
pub fn compile_path(path: &str) -> Result<Compiled, Report> {
    compile(source::load(path)?)
}
