//! The command line: clap definitions and dispatch. Each command is a small module that
//! turns its flags into the library's options, calls one library function and renders the
//! typed result; every failure is a [`CliError`], rendered once here. `main.rs` only calls
//! [`main`].

use std::io::Write;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use nshed::diag::{RenderStyle, Report};
use nshed::Limits;

mod args;
mod basin;
mod check;
mod completions;
mod depth;
mod draw;
pub mod error;
pub mod error_format;
mod fmt;
mod fool;
mod gen;
mod info_plane;
mod le;
mod le_matrix;
mod lsp;
mod merge;
pub mod output;
mod query;
mod regularize;
mod repl;
mod run;
mod test;

pub use error::{exit, CliError};

#[derive(Parser, Debug)]
#[command(
    name = "nshed",
    version,
    about = "A language, interpreter and REPL for neurashed models: white-box graph models of deep learning",
    long_about = "nshed checks, trains and explains neurashed models written in .nshed files.\n\
                  See docs/language.md for the language, README.md for a tour, and examples/ for models.",
    after_long_help = "Exit codes:\n  \
        0              success\n  \
        1              the model (or query, saved state, shard files) has errors, or a computation or a test failed\n  \
        2              bad command-line usage; `nshed test`: no model to test\n  \
        3              an output could not be written, or was refused: it is a file the command reads or \
        one that holds a model (`--force` replaces it)\n  \
        129, 130, 143  stopped by SIGHUP, Ctrl-C (SIGINT) or SIGTERM\n  \
        141            standard output is a pipe whose reader has gone"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
    /// Refuse models with more nodes than this (feature nodes plus classes).
    #[arg(long, global = true, value_name = "N", default_value_t = Limits::default().max_nodes)]
    pub max_nodes: usize,
    /// Refuse models with more edges than this (rule children plus class edges).
    #[arg(long, global = true, value_name = "N", default_value_t = Limits::default().max_edges)]
    pub max_edges: usize,
    /// How to print the diagnostics of a model: drawn text on stderr, or one JSON object
    /// per diagnostic on stdout (file, code, severity, message, help, labelled spans).
    #[arg(long, global = true, value_name = "FORMAT", default_value = "text")]
    pub error_format: error_format::ErrorFormat,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Check one or more .nshed files: report every error and warning, print a summary.
    Check(check::CheckArgs),
    /// Print the checked IR of a file as JSON (dense, index-based tables).
    Ir(check::IrArgs),
    /// Train by the file's `train` block (if any), then report lambda, eta and every sample.
    Run(Box<run::RunArgs>),
    /// Print the local-elasticity matrix over the data samples (row = base). The LE step
    /// uses the rules of the last phase, with no jitter and no noise.
    Le(le::LeArgs),
    /// Answer a query: `pathway X`, `scores X`, `predict X`, `le X Y`, `le-matrix`
    /// (X: a sample name or a pattern `{e1 e2}`, labelled `{e1 e2}->c1` for an `le` base).
    Query(query::QueryArgs),
    /// Explore and train a model interactively (reads a script when stdin is not a terminal).
    Repl(repl::ReplArgs),
    /// The LE matrix at the trained state with per class-pair statistics (table, JSON, CSV, SVG).
    LeMatrix(Box<le_matrix::LeMatrixArgs>),
    /// The information plane: I(X;T) and I(T;Y) of every level along training (table, JSON,
    /// CSV, SVG).
    InfoPlane(Box<info_plane::InfoPlaneArgs>),
    /// Implicit regularization: train one copy per batch size, compare pathway sparsity and
    /// neural collapse (and test accuracy, loss and gap when the model has a test set).
    Regularize(Box<regularize::RegularizeArgs>),
    /// Draw the model (levels as rows, a pathway in red, radius by ln lambda) as SVG or DOT.
    Draw(Box<draw::DrawArgs>),
    /// Write a random layered model with noisy prototype data as .nshed text (seeded).
    Gen(Box<gen::GenArgs>),
    /// Basins of attraction: train one run per grid point of the initial lambda of two nodes,
    /// colour the grid by outcome; `--uncertainty` fits the uncertainty exponent.
    Basin(Box<basin::BasinArgs>),
    /// Fooling inputs (random patterns far from the data, classified with p >= 0.99), output
    /// collapse, and the smallest fooling pattern per class; `--depths A..B` sweeps generated
    /// models of growing depth.
    Fool(Box<fool::FoolArgs>),
    /// Spread of the logits across seeds against depth for several init distributions, and
    /// the effect of freezing a level on accuracy, sparsity and LE (and test accuracy, loss
    /// and gap when the model has a test set).
    Depth(Box<depth::DepthArgs>),
    /// Test models: check each, train it once, evaluate its `expect` blocks and compare its
    /// run report with the golden report beside it (MODEL.golden.json); `--bless` writes them.
    Test(Box<test::TestArgs>),
    /// Combine the shard files of a sweep (run with --shard I/N --out PATH) into the result of
    /// the whole sweep: the same table, JSON, CSV and figure as an unsharded run.
    Merge(merge::MergeArgs),
    /// Rewrite .nshed files in the canonical layout (comments kept); `--check` only lists
    /// the files that would change.
    Fmt(fmt::FmtArgs),
    /// Run the language server (Language Server Protocol over stdin/stdout) for editors.
    Lsp,
    /// Open a model in a local web app: edit it with live diagnostics, train it step by
    /// step or continuously, and watch its graph, curves and analyses; saves FILE on request.
    Serve(Box<crate::serve::ServeArgs>),
    /// Print a completion script for bash, zsh, fish, elvish or PowerShell.
    Completions(completions::CompletionsArgs),
}

/// What every command gets besides its own flags.
pub struct Ctx {
    pub limits: Limits,
    /// How model diagnostics are printed (`--error-format`).
    pub error_format: error_format::ErrorFormat,
    /// The files this command reads, which no output may replace.
    inputs: std::cell::RefCell<nshed::fsio::Outputs>,
}

impl Ctx {
    pub fn new(limits: Limits, error_format: error_format::ErrorFormat) -> Ctx {
        Ctx {
            limits,
            error_format,
            inputs: Default::default(),
        }
    }

    /// `--force`: outputs may replace a model file or a file the command reads.
    pub fn force(&self, forced: bool) {
        self.inputs.borrow_mut().force(forced);
    }

    /// Remembers a file the command reads: no output may be written over it.
    pub fn reads(&self, path: impl AsRef<std::path::Path>) {
        self.inputs.borrow_mut().add(path);
    }

    /// Refuses (exit 3, naming both paths) an output path that resolves to a file the
    /// command reads (same device and inode: `./m.nshed`, links) or to a file holding a
    /// model, unless `--force`. Every output file goes through this, in
    /// `output::write_file` or before a streamed output is opened.
    pub fn check_output(&self, path: &str) -> Result<(), CliError> {
        Ok(self.inputs.borrow().check(path)?)
    }

    /// Loads and compiles a model, printing its warnings; its problems are the error.
    pub fn load(&self, path: &str) -> Result<nshed::Compiled, CliError> {
        self.reads(path);
        let compiled = nshed::compile_path_with(path, &self.limits)?;
        if !compiled.warnings().problems.is_empty() {
            self.report(compiled.warnings());
        }
        Ok(compiled)
    }
}

pub fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => return ExitCode::from(clap_exit(&e)),
    };
    let ctx = Ctx::new(
        Limits {
            max_nodes: cli.max_nodes,
            max_edges: cli.max_edges,
        },
        cli.error_format,
    );
    let result = match cli.command {
        Command::Check(args) => check::check(&ctx, &args),
        Command::Ir(args) => check::ir(&ctx, &args),
        Command::Run(args) => run::run(&ctx, &args),
        Command::Le(args) => le::le(&ctx, &args),
        Command::Query(args) => query::query(&ctx, &args),
        Command::Repl(args) => repl::repl(&ctx, &args),
        Command::Gen(args) => gen::run(&ctx, &args),
        Command::LeMatrix(args) => le_matrix::run(&ctx, &args),
        Command::InfoPlane(args) => info_plane::run(&ctx, &args),
        Command::Regularize(args) => regularize::run(&ctx, &args),
        Command::Draw(args) => draw::run(&ctx, &args),
        Command::Basin(args) => basin::run(&ctx, &args),
        Command::Fool(args) => fool::run(&ctx, &args),
        Command::Depth(args) => depth::run(&ctx, &args),
        Command::Merge(args) => merge::run(&ctx, &args),
        Command::Fmt(args) => fmt::run(&ctx, &args),
        Command::Lsp => lsp::run(),
        Command::Completions(args) => completions::run(&args),
        Command::Serve(args) => crate::serve::run(&ctx, &args),
        Command::Test(args) => test::run(&ctx, &args),
    };
    // A failed write to standard output decides the code even when the command could not
    // stop for it (JSON diagnostics of a model with errors): what it printed is lost.
    let result = match (result, output::stdout_failure()) {
        (Err(e @ CliError::Stopped { .. }), _) => Err(e),
        (_, Some(failure)) => Err(failure),
        (result, None) => result,
    };
    match result {
        Ok(()) => ExitCode::from(exit::OK),
        Err(CliError::Model(report)) if ctx.error_format == error_format::ErrorFormat::Json => {
            ctx.report(&report);
            match output::stdout_failure() {
                Some(failure) => {
                    eprint_text(&failure.render(RenderStyle::for_stderr()));
                    ExitCode::from(failure.exit_code())
                }
                None => ExitCode::from(exit::MODEL_ERROR),
            }
        }
        Err(e) => {
            eprint_text(&e.render(RenderStyle::for_stderr()));
            ExitCode::from(e.exit_code())
        }
    }
}

/// Prints clap's message (help, version, or a usage error) and gives the exit code: 0 for
/// help and version, 2 for a usage error; help that could not be written to standard
/// output ends as any other failed write does (`output::stdout_failure`).
fn clap_exit(e: &clap::Error) -> u8 {
    if e.use_stderr() {
        // A usage error on a closed stderr: the code still tells.
        let _ = e.print();
        return exit::USAGE;
    }
    // `print` writes help to stdout without flushing it: a full disk shows only at the flush.
    if let Err(write) = e.print().and_then(|()| std::io::stdout().flush()) {
        output::notice_stdout_error(&write);
    }
    match output::stdout_failure() {
        Some(failure) => {
            eprint_text(&failure.render(RenderStyle::for_stderr()));
            failure.exit_code()
        }
        None => exit::OK,
    }
}

/// Writes text to stderr; a closed stderr leaves nowhere to say anything.
fn eprint_text(text: &str) {
    let mut err = std::io::stderr().lock();
    let _ = err.write_all(text.as_bytes());
}

/// Prints a report's diagnostics to stderr (colours only on a terminal).
pub fn eprint_report(report: &Report) {
    eprint_text(&report.render(RenderStyle::for_stderr()));
}
