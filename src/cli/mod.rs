//! The command line: clap definitions and dispatch. Each command lives in its own module
//! and returns an exit code; `main.rs` only calls `cli::main`.

use std::io::Write;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::diag::{RenderStyle, Report};

mod basin;
mod basin_report;
mod check;
mod depth;
mod draw;
mod fool;
mod gen;
mod gen_shape;
mod info_plane;
mod le;
mod le_matrix;
mod query;
mod regularize;
mod repl;
mod run;
pub mod sweep;
mod test;

/// Exit codes, documented in README.
pub mod exit {
    /// Success.
    pub const OK: u8 = 0;
    /// The model (or saved state, or query) has errors; diagnostics were printed.
    pub const MODEL_ERROR: u8 = 1;
    /// Bad command-line usage (clap's own code).
    pub const USAGE: u8 = 2;
    /// An output could not be written.
    pub const IO: u8 = 3;
}

#[derive(Parser, Debug)]
#[command(
    name = "nshed",
    version,
    about = "A language, interpreter and REPL for neurashed models: white-box graph models of deep learning",
    long_about = "nshed checks, trains and explains neurashed models written in .nshed files.\n\
                  See README.md for a tour of the language and examples/ for models."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
    /// Refuse models with more nodes than this (feature nodes plus classes).
    #[arg(long, global = true, value_name = "N", default_value_t = crate::Limits::default().max_nodes)]
    pub max_nodes: usize,
    /// Refuse models with more edges than this (rule children plus class edges).
    #[arg(long, global = true, value_name = "N", default_value_t = crate::Limits::default().max_edges)]
    pub max_edges: usize,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Check one or more .nshed files: report every error and warning, print a summary.
    Check {
        /// Files to check (`-` reads standard input).
        #[arg(required = true, value_name = "FILE")]
        files: Vec<String>,
    },
    /// Print the checked IR of a file as JSON (dense, index-based tables).
    Ir {
        /// The file (`-` reads standard input).
        #[arg(value_name = "FILE")]
        file: String,
    },
    /// Train by the file's `train` block (if any), then report lambda, eta and every sample.
    Run {
        /// The model file (`-` reads standard input).
        #[arg(value_name = "FILE")]
        file: String,
        /// Print one JSON object instead of tables.
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        state: run::StateArgs,
        /// Write the file's `record` snapshots here (JSON lines; CSV if PATH ends in .csv).
        #[arg(long, value_name = "PATH")]
        record: Option<String>,
        #[command(flatten)]
        persist: run::PersistArgs,
    },
    /// Print the local-elasticity matrix over the data samples (row = base).
    Le {
        /// The model file (`-` reads standard input).
        #[arg(value_name = "FILE")]
        file: String,
        /// Print one JSON object instead of tables.
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        state: run::StateArgs,
    },
    /// Answer a query: `pathway X`, `scores X`, `predict X`, `le X Y`, `le-matrix`
    /// (X: a sample name or a pattern `{e1 e2}`, labelled `{e1 e2}->c1` for an `le` base).
    Query {
        /// The model file (`-` reads standard input).
        #[arg(value_name = "FILE")]
        file: String,
        /// The query, e.g. 'pathway c1a', 'scores {e1 e2}', 'le c1a {e2 e3}'.
        #[arg(value_name = "QUERY")]
        query: String,
        /// Print one JSON object instead of tables.
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        state: run::StateArgs,
    },
    /// Explore and train a model interactively (reads a script when stdin is not a terminal).
    Repl {
        /// The model to load (`:load FILE` inside the REPL loads another).
        #[arg(value_name = "FILE")]
        file: Option<String>,
        /// Answer every command with one JSON object (for scripts).
        #[arg(long)]
        json: bool,
    },
    /// The LE matrix at the trained state with per class-pair statistics (table, JSON, CSV, SVG).
    LeMatrix(Box<le_matrix::LeMatrixArgs>),
    /// The information plane (SPEC 6): I(X;T) and I(T;Y) of every level along training
    /// (table, JSON, CSV, SVG).
    InfoPlane(Box<info_plane::InfoPlaneArgs>),
    /// Implicit regularization: train one copy per batch size, compare pathway sparsity and
    /// neural collapse (SPEC 8).
    Regularize(Box<regularize::RegularizeArgs>),
    /// Draw the model (levels as rows, a pathway in red, radius by ln lambda) as SVG or DOT.
    Draw(Box<draw::DrawArgs>),
    /// Write a random layered model with noisy prototype data as .nshed text (seeded).
    Gen(Box<gen::GenArgs>),
    /// Basins of attraction (seed 001): train one run per grid point of the initial lambda of
    /// two nodes, colour the grid by outcome; `--uncertainty` fits the uncertainty exponent.
    Basin(Box<basin::BasinArgs>),
    /// Fooling inputs (random patterns far from the data, classified with p >= 0.99), output
    /// collapse, and the smallest fooling pattern per class; `--depths A..B` sweeps generated
    /// models of growing depth (SPEC 9, seed 000).
    Fool(Box<fool::FoolArgs>),
    /// Spread of the logits across seeds against depth for several init distributions, and
    /// the effect of freezing a level on accuracy, sparsity and LE (SPEC 9, seed 003).
    Depth(Box<depth::DepthArgs>),
    /// Test models: check each, train it once, evaluate its `expect` blocks and compare its
    /// run report with the golden report beside it (MODEL.golden.json); `--bless` writes them.
    Test(Box<test::TestArgs>),
    /// Combine the shard files of a sweep (run with --shard I/N --out PATH) into the result of
    /// the whole sweep: the same table, JSON, CSV and figure as an unsharded run.
    Merge {
        /// Every shard file of the sweep, in any order.
        #[arg(required = true, value_name = "SHARD")]
        files: Vec<String>,
        #[command(flatten)]
        output: sweep::OutputArgs,
    },
}

pub fn main() -> ExitCode {
    let cli = Cli::parse();
    crate::set_limits(crate::Limits {
        max_nodes: cli.max_nodes,
        max_edges: cli.max_edges,
    });
    let code = match cli.command {
        Command::Check { files } => check::check_files(&files),
        Command::Ir { file } => check::print_ir(&file),
        Command::Run {
            file,
            json,
            state,
            record,
            persist,
        } => run::run(&file, json, &state, record.as_deref(), &persist),
        Command::Le { file, json, state } => le::le(&file, json, &state),
        Command::Query {
            file,
            query,
            json,
            state,
        } => query::query(&file, &query, json, &state),
        Command::Repl { file, json } => repl::repl(file.as_deref(), json),
        Command::Gen(args) => gen::run(&args),
        Command::LeMatrix(args) => le_matrix::run(&args),
        Command::InfoPlane(args) => info_plane::run(&args),
        Command::Regularize(args) => regularize::run(&args),
        Command::Draw(args) => draw::run(&args),
        Command::Basin(args) => basin::run(&args),
        Command::Fool(args) => fool::run(&args),
        Command::Depth(args) => depth::run(&args),
        Command::Merge { files, output } => sweep::merge(&files, &output),
        Command::Test(args) => test::run(&args),
    };
    ExitCode::from(code)
}

/// Prints a report's diagnostics to stderr (colours only on a terminal).
pub fn eprint_report(report: &Report) {
    let text = report.render(RenderStyle::for_stderr());
    let mut err = std::io::stderr().lock();
    // A closed stderr leaves nowhere to say anything; ignore the failure.
    let _ = err.write_all(text.as_bytes());
}

/// Writes `text` to stdout; a closed pipe (e.g. `| head`) is not an error worth a panic.
pub fn print_stdout(text: &str) -> u8 {
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|_| out.flush()) {
        Ok(()) => exit::OK,
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => exit::OK,
        Err(e) => {
            eprintln!("error: cannot write to standard output: {e}");
            exit::IO
        }
    }
}

/// Writes an output file atomically (`fsio::write_atomic`), reporting a failure with a
/// help line. Returns the exit code.
pub fn write_output(path: &str, bytes: &[u8]) -> u8 {
    match crate::fsio::write_atomic(std::path::Path::new(path), bytes) {
        Ok(()) => exit::OK,
        Err(e) => {
            eprintln!(
                "error: cannot write `{path}`: {}\n  help: check that the directory exists and is writable",
                crate::source::io_reason(&e)
            );
            exit::IO
        }
    }
}

/// Loads and compiles a model, printing its warnings, or its problems on failure.
pub fn load_model(path: &str) -> Result<crate::Compiled, u8> {
    match crate::compile_path(path) {
        Ok(compiled) => {
            if !compiled.warnings.problems.is_empty() {
                eprint_report(&compiled.warnings);
            }
            Ok(compiled)
        }
        Err(report) => {
            eprint_report(&report);
            Err(exit::MODEL_ERROR)
        }
    }
}
