//! nshed: a language and interpreter for neurashed models, white-box graph models of deep
//! learning. This crate is the library the `nshed` command, its REPL and language server,
//! and the Python package are built on.
//!
//! The pipeline: source text → [`compile`] (parse and check) → [`Compiled`] (the checked
//! model, [`ir::Ir`], and the engine's tables) → [`engine::State`] (every `lambda` and
//! `eta`), trained by [`engine::train`] → answers to queries ([`query`]), analyses
//! ([`analysis`]), experiments ([`experiments`]) and reports ([`report`]), all typed values
//! that serialise to JSON and render as text, CSV or SVG ([`present::Render`]). Problems
//! are [`diag::Problem`]s with an [`diag::ErrorCode`], gathered in a [`diag::Report`].
//!
//! Every module shown here is documented item by item. The parser, the checker, the
//! renderers, the model generator and the test runner are public only for the `nshed`
//! command and the Python package, and hidden from this documentation: they are not an
//! interface to build on.
//!
//! ```
//! use nshed::engine::{self, Control, State, Trainer, Until};
//! use nshed::query::{answer, parse_query, Answer};
//! use nshed::source::Source;
//!
//! let text = "
//! model tiny {
//!   level input { x y }
//!   classes {
//!     a <- x
//!     b <- y
//!   }
//! }
//! data {
//!   sx: x -> a
//!   sy: y -> b
//! }
//! train {
//!   sampler cycle
//!   phase main { steps 2 batch 1 }
//! }
//! ";
//! let source = Source { name: "tiny.nshed".into(), text: text.into() };
//! let compiled = nshed::compile(source).expect("the model is valid");
//! let model = compiled.model();
//!
//! // Train by the file's schedule: a step on `sx`, then one on `sy` (`sampler cycle`).
//! let mut state = State::new(compiled.ir(), 0);
//! let trained = engine::train(
//!     &mut Trainer::new(&model),
//!     &mut state,
//!     Until::EndOfSchedule,
//!     &Control::default(),
//!     None,
//! );
//! assert_eq!(trained.taken, 2);
//! // `x` grew once (mul 1.1) and shrank once (mul 0.9), by the default rules.
//! assert!((state.lambda(0) - 0.99).abs() < 1e-12);
//!
//! // The logit of `a` for `sx` is eta(x->a) * lambda(x) = 0.99 * 0.99, that of `b` is 0:
//! // p(a) = 1 / (1 + e^-0.9801).
//! let query = parse_query(compiled.ir(), "predict sx").expect("a valid query");
//! match answer(&model, &state, &query) {
//!     Answer::Predict { predicted, p, .. } => {
//!         assert_eq!(predicted.as_deref(), Some("a"));
//!         assert!((p - 1.0 / (1.0 + (-0.9801f64).exp())).abs() < 1e-9);
//!     }
//!     other => panic!("not a prediction: {other:?}"),
//! }
//! ```

pub mod analysis;
pub mod curves;
pub mod diag;
pub mod edit;
pub mod engine;
pub mod expect;
pub mod experiments;
pub mod ide;
pub mod ir;
pub mod metrics;
pub mod persist;
pub mod present;
pub mod progress;
pub mod query;
pub mod report;
pub mod source;
pub mod span;

// The stages and helpers below are the `nshed` command's and the Python package's (the
// formatter, the renderers, the model generator, the test runner, the atomic writer):
// public so that those crates can reach them, hidden from the documentation because they
// are not an interface others should build on.
#[doc(hidden)]
pub mod check;
#[doc(hidden)]
pub mod fsio;
#[doc(hidden)]
pub mod gen;
mod prefetch;
#[doc(hidden)]
pub mod record;
#[doc(hidden)]
pub mod render;
#[doc(hidden)]
pub mod suite;
#[doc(hidden)]
pub mod syntax;

use crate::diag::ErrorCode;
use diag::Report;
use ir::Ir;
use source::Source;

/// A checked model, with the warnings found on the way. Its parts are read through
/// accessors: the engine's tables are built from the IR once, so the IR cannot change
/// under them.
#[derive(Debug)]
pub struct Compiled {
    ir: Ir,
    source: Source,
    /// Warnings only (a compiled model has no errors).
    warnings: Report,
    /// The engine's tables of `ir`, built to fire the data for the warnings about it.
    tables: engine::graph::Graph,
    /// The firing set of every data sample, from the same warnings.
    data_firing: Option<engine::graph::FiringSets>,
}

impl Compiled {
    /// The checked model: nodes, classes, rules, data, schedule and expectations.
    pub fn ir(&self) -> &Ir {
        &self.ir
    }

    /// The source it was compiled from (its name and text).
    pub fn source(&self) -> &Source {
        &self.source
    }

    /// The model's identity ([`persist::model_identity`]): what saved states, shard files
    /// and golden reports are tied to.
    pub fn identity(&self) -> String {
        persist::model_identity(&self.ir)
    }

    /// The checked model alone, to change and build an [`engine::Model`] of (the tables
    /// compiling built are dropped with the rest).
    pub fn into_ir(self) -> Ir {
        self.ir
    }

    /// The warnings found while compiling (a compiled model has no errors); empty when
    /// there were none.
    pub fn warnings(&self) -> &Report {
        &self.warnings
    }

    /// The engine's view of the model, sharing the tables and the data samples' firing
    /// sets that compiling built (rather than building them again, as
    /// [`engine::Model::new`] does).
    pub fn model(&self) -> engine::Model<'_> {
        engine::Model::with_tables(&self.ir, &self.tables, self.data_firing.as_ref())
    }
}

/// Size limits a model must stay within, so that a huge (usually generated) file gets a
/// diagnostic instead of exhausting memory. A parameter of [`compile_with`]; the CLI sets
/// them with `--max-nodes` and `--max-edges`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Feature nodes plus classes.
    pub max_nodes: usize,
    /// Child links of rules plus class edges.
    pub max_edges: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_nodes: 10_000_000,
            max_edges: 100_000_000,
        }
    }
}

/// Refuses a parsed file larger than `limits`, before the checker builds its tables.
fn check_limits(file: &syntax::ast::File, limits: Limits) -> Option<diag::Problem> {
    use syntax::ast::ModelItem;
    let (mut nodes, mut edges) = (0usize, 0usize);
    for item in &file.model.items {
        match item {
            ModelItem::Level(level) => {
                nodes += level.nodes.len();
                edges += level
                    .nodes
                    .iter()
                    .filter_map(|n| n.gate.as_ref())
                    .map(|g| g.children.len())
                    .sum::<usize>();
            }
            ModelItem::Classes(classes) => {
                nodes += classes.classes.len();
                edges += classes
                    .classes
                    .iter()
                    .map(|c| c.parents.len())
                    .sum::<usize>();
            }
        }
    }
    let over = |what: &str, count: usize, limit: usize, flag: &str| {
        diag::Problem::error(
            ErrorCode::Limit,
            format!("the model has {count} {what}, more than the limit of {limit}"),
        )
        .label(file.model.header, format!("{count} {what}"))
        .help(format!(
            "raise the limit with `{flag} N` if the machine has the memory (about 300 bytes per node)"
        ))
    };
    if nodes > limits.max_nodes {
        return Some(over("nodes", nodes, limits.max_nodes, "--max-nodes"));
    }
    if edges > limits.max_edges {
        return Some(over("edges", edges, limits.max_edges, "--max-edges"));
    }
    None
}

/// Parses and checks a source within the default [`Limits`]: the IR, or every problem
/// found.
pub fn compile(source: Source) -> Result<Compiled, Report> {
    compile_with(source, &Limits::default())
}

/// Parses and checks a source within `limits`: the IR, or every problem found. The paths
/// of its data files start at the source's folder ([`Source::folder`]).
pub fn compile_with(source: Source, limits: &Limits) -> Result<Compiled, Report> {
    let folder = source.folder();
    compile_in(source, folder.as_deref(), limits)
}

/// [`compile_with`] with the paths of the data files starting at `folder` (`None`: the
/// current directory), whatever the source's name.
pub fn compile_in(
    source: Source,
    folder: Option<&std::path::Path>,
    limits: &Limits,
) -> Result<Compiled, Report> {
    // Every syntax error, and nothing of the checker: on a partial tree it would report
    // the names and blocks that did not parse as missing.
    let file = match syntax::parse(&source.text).into_result() {
        Ok(file) => file,
        Err(errors) => return Err(Report::new(&source.name, &source.text, errors)),
    };
    if let Some(problem) = check_limits(&file, *limits) {
        return Err(Report::new(&source.name, &source.text, vec![problem]));
    }
    // The syntax tree is gone when this returns, before the engine's tables are built.
    let (checked, data) = check::check_but_data(file, folder);
    let mut problems = checked.problems;
    let Some(ir) = checked.ir else {
        return Err(Report::new(&source.name, &source.text, problems));
    };
    let tables = engine::graph::Graph::new(&ir);
    let data_firing = data.and_then(|data| data.warn(&ir, &tables, &mut problems));
    let report = Report::new(&source.name, &source.text, problems);
    if report.has_errors() {
        return Err(report);
    }
    Ok(Compiled {
        ir,
        source,
        warnings: report,
        tables,
        data_firing,
    })
}

/// Reads and compiles a file (`-` for stdin) within the default [`Limits`].
pub fn compile_path(path: impl AsRef<std::path::Path>) -> Result<Compiled, Report> {
    compile_path_with(path, &Limits::default())
}

/// Reads and compiles a file (`-` for stdin) within `limits`.
pub fn compile_path_with(
    path: impl AsRef<std::path::Path>,
    limits: &Limits,
) -> Result<Compiled, Report> {
    compile_with(source::load(path)?, limits)
}
