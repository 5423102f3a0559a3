//! The command line's errors: one type, one renderer, one table of exit codes.
//!
//! Every command returns `Result<(), CliError>`; `cli::main` renders the error once, with the
//! same miette renderer the model's diagnostics use, and exits with its code:
//!
//! | code | meaning |
//! |---|---|
//! | 0 | success |
//! | 1 | the model (or query, saved state, shard files) has errors, or a computation failed |
//! | 2 | bad command-line usage |
//! | 3 | an output could not be written (a file, or standard output), or was refused: it is an input of the command or holds a model (without `--force`) |
//! | 141 | standard output is a pipe whose reader has gone (`nshed run m.nshed \| head -1`): the command ends quietly, as one ended by SIGPIPE |
//! | 129, 130, 143 | a run or the REPL stopped by SIGHUP, Ctrl-C (SIGINT) or SIGTERM (state saved first when asked) |

use std::fmt;

use miette::{Diagnostic, Severity};

use crate::term::Stop;
use nshed::diag::ErrorCode;
use nshed::diag::{render, Problem, RenderStyle, Report};
use nshed::experiments::{ErrorKind, ExperimentError};

/// Exit codes.
pub mod exit {
    /// Success.
    pub const OK: u8 = 0;
    /// The model (or saved state, query, shard files) has errors, or a computation failed.
    pub const MODEL_ERROR: u8 = 1;
    /// Bad command-line usage (clap's own code).
    pub const USAGE: u8 = 2;
    /// An output could not be written.
    pub const IO: u8 = 3;
    /// Standard output is a pipe whose reader has gone: 128 + SIGPIPE, as a shell reports
    /// a process the signal ended.
    pub const CLOSED_PIPE: u8 = 141;
}

/// Why a command failed.
#[derive(Debug)]
pub enum CliError {
    /// A source with problems (a model file, a query, a saved state): every problem, drawn
    /// in its source.
    Model(Box<Report>),
    /// Bad command-line usage.
    Usage(Problem),
    /// An output could not be written.
    Io(Problem),
    /// A computation failed, or a file could not be used as asked.
    Failed(Problem),
    /// A long run stopped by a signal; `message` says where (and whether it was saved).
    Stopped { signal: Stop, message: String },
    /// The problems were shown already (`check` of several files); only the code is left.
    Reported(u8),
    /// Standard output is a closed pipe: nobody reads the answer, nothing is said.
    ClosedPipe,
}

impl CliError {
    pub fn usage(message: impl Into<String>, help: impl Into<String>) -> CliError {
        CliError::Usage(Problem::error(ErrorCode::Usage, message).help(help))
    }

    pub fn io(message: impl Into<String>, help: impl Into<String>) -> CliError {
        CliError::Io(Problem::error(ErrorCode::Io, message).help(help))
    }

    pub fn failed(message: impl Into<String>, help: Option<String>) -> CliError {
        let mut problem = Problem::error(ErrorCode::Failed, message);
        problem.help = help;
        CliError::Failed(problem)
    }

    /// A model (or other source) with problems.
    pub fn model(report: Report) -> CliError {
        CliError::Model(Box::new(report))
    }

    /// The exit code of this error.
    pub fn exit_code(&self) -> u8 {
        match self {
            CliError::Model(_) | CliError::Failed(_) => exit::MODEL_ERROR,
            CliError::Usage(_) => exit::USAGE,
            CliError::Io(_) => exit::IO,
            CliError::Stopped { signal, .. } => signal.exit_code(),
            CliError::Reported(code) => *code,
            CliError::ClosedPipe => exit::CLOSED_PIPE,
        }
    }

    /// The error as the terminal shows it.
    pub fn render(&self, style: RenderStyle) -> String {
        match self {
            CliError::Model(report) => report.render(style),
            CliError::Usage(problem) | CliError::Io(problem) | CliError::Failed(problem) => {
                render(problem, style)
            }
            CliError::Stopped { message, .. } => format!("{message}\n"),
            CliError::Reported(_) | CliError::ClosedPipe => String::new(),
        }
    }
}

impl fmt::Display for CliError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CliError::Model(report) => write!(
                f,
                "`{}` has {} error(s)",
                report.source.name(),
                report.error_count()
            ),
            CliError::Usage(p) | CliError::Io(p) | CliError::Failed(p) => fmt::Display::fmt(p, f),
            CliError::Stopped { message, .. } => f.write_str(message),
            CliError::Reported(code) => write!(f, "failed with exit code {code}"),
            CliError::ClosedPipe => f.write_str("standard output is a closed pipe"),
        }
    }
}

impl std::error::Error for CliError {}

impl Diagnostic for CliError {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        match self {
            CliError::Usage(p) | CliError::Io(p) | CliError::Failed(p) => Diagnostic::code(p),
            CliError::Model(_) => Some(Box::new(ErrorCode::Model)),
            CliError::Stopped { .. } => Some(Box::new(ErrorCode::Stopped)),
            CliError::Reported(_) => None,
            CliError::ClosedPipe => Some(Box::new(ErrorCode::IoClosedPipe)),
        }
    }

    fn severity(&self) -> Option<Severity> {
        Some(Severity::Error)
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        match self {
            CliError::Usage(p) | CliError::Io(p) | CliError::Failed(p) => Diagnostic::help(p),
            _ => None,
        }
    }

    fn related<'a>(&'a self) -> Option<Box<dyn Iterator<Item = &'a dyn Diagnostic> + 'a>> {
        match self {
            CliError::Model(report) => Some(Box::new(
                report.problems.iter().map(|p| p as &dyn Diagnostic),
            )),
            _ => None,
        }
    }
}

impl From<ExperimentError> for CliError {
    fn from(e: ExperimentError) -> CliError {
        let code = e.code();
        let mut problem = Problem::error(code, e.message);
        problem.help = e.help;
        match e.kind {
            ErrorKind::Options => CliError::Usage(problem),
            ErrorKind::Model | ErrorKind::Failed | ErrorKind::Interrupted => {
                CliError::Failed(problem)
            }
        }
    }
}

impl From<Report> for CliError {
    fn from(report: Report) -> CliError {
        CliError::model(report)
    }
}

/// An output over an input file or a model (`fsio::Outputs::check`): exit 3, nothing
/// written.
impl From<nshed::fsio::OutputRefused> for CliError {
    fn from(e: nshed::fsio::OutputRefused) -> CliError {
        let mut problem = e.problem();
        problem.help = Some(format!("{} (`--force` replaces it anyway)", e.help()));
        CliError::Io(problem)
    }
}
