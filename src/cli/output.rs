//! Where command results go: standard output, and output files written atomically. Every
//! command prints and writes through these functions.

use std::io::Write;

use serde::Serialize;

use super::error::CliError;
use super::Ctx;
use nshed::experiments::{Experiment, Outcome, Shard, SweepOptions};
use nshed::render::Render;

/// Standard output as every command writes to it: the one place a failed write is noticed.
/// The first failure is kept for the process (see [`stdout_failure`]), so a write whose
/// caller cannot stop (a diagnostic printed as JSON, a language server's reply on its
/// own thread) still decides the exit code.
#[derive(Clone, Copy, Debug, Default)]
pub struct Stdout;

/// The first failed write to standard output: its kind and its reason in words.
static STDOUT_FAILURE: std::sync::OnceLock<(std::io::ErrorKind, String)> =
    std::sync::OnceLock::new();

/// Keeps the first failure of a write to standard output (a retried interruption is none).
fn noticed<T>(result: std::io::Result<T>) -> std::io::Result<T> {
    if let Err(e) = &result {
        if e.kind() != std::io::ErrorKind::Interrupted {
            let _ = STDOUT_FAILURE.set((e.kind(), nshed::source::io_reason(e)));
        }
    }
    result
}

impl Write for Stdout {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        noticed(std::io::stdout().lock().write(buf))
    }

    fn flush(&mut self) -> std::io::Result<()> {
        noticed(std::io::stdout().lock().flush())
    }
}

/// Records a failure of a write to standard output made outside [`Stdout`] (clap's help).
pub fn notice_stdout_error(e: &std::io::Error) {
    let _ = noticed::<()>(Err(std::io::Error::new(e.kind(), e.to_string())));
}

/// What the first failed write to standard output makes of the command, if one failed:
/// a closed pipe (the reader of `nshed ... | head -1` has gone) ends it quietly with the
/// code of a process ended by SIGPIPE; any other failure (a full disk) is an output that
/// could not be written.
pub fn stdout_failure() -> Option<CliError> {
    let (kind, reason) = STDOUT_FAILURE.get()?;
    Some(if *kind == std::io::ErrorKind::BrokenPipe {
        CliError::ClosedPipe
    } else {
        CliError::io(
            format!("cannot write to standard output: {reason}"),
            "check where standard output goes (a full disk, a closed file)",
        )
    })
}

/// The error of a command whose write to standard output failed with `e`: what
/// [`stdout_failure`] says (it has seen `e` when the write went through [`Stdout`]).
pub fn stdout_error(e: &std::io::Error) -> CliError {
    stdout_failure().unwrap_or_else(|| {
        notice_stdout_error(e);
        stdout_failure().unwrap_or(CliError::Reported(super::exit::IO))
    })
}

/// Writes `text` to stdout and flushes it; a failure is the command's error
/// ([`stdout_failure`]).
pub fn print_stdout(text: &str) -> Result<(), CliError> {
    let mut out = Stdout;
    out.write_all(text.as_bytes())
        .and_then(|_| out.flush())
        .map_err(|e| stdout_error(&e))
}

/// Writes a line to stderr (a note, or what was saved where). A failing stderr is not an
/// error worth stopping for: there is nowhere left to report it (the exit code still
/// tells how the command ended).
pub fn note(text: &str) {
    let mut err = std::io::stderr().lock();
    let _ = err.write_all(text.as_bytes());
    let _ = err.write_all(b"\n");
}

/// Prints one JSON document and a newline.
pub fn print_json_text(json: serde_json::Result<String>) -> Result<(), CliError> {
    let mut text = json.map_err(|e| {
        CliError::io(
            format!("cannot serialise the result: {e}"),
            "this is a bug in nshed; please report it",
        )
    })?;
    text.push('\n');
    print_stdout(&text)
}

/// Prints any serialisable value as pretty JSON and a newline, written as it is made (the
/// same text as [`nshed::render::pretty_json`], without holding it whole).
pub fn print_json<T: Serialize + ?Sized>(value: &T) -> Result<(), CliError> {
    let mut out = std::io::BufWriter::with_capacity(1 << 16, Stdout);
    match serde_json::to_writer_pretty(&mut out, value) {
        Ok(()) => out
            .write_all(b"\n")
            .and_then(|_| out.flush())
            .map_err(|e| stdout_error(&e)),
        Err(e) if e.is_io() => Err(stdout_error(&std::io::Error::from(e))),
        Err(e) => Err(CliError::io(
            format!("cannot serialise the result: {e}"),
            "this is a bug in nshed; please report it",
        )),
    }
}

/// Writes `value`'s text to stdout as it is made, without holding it whole (the `run`
/// report of a 10^6-node model is tens of megabytes); a failure is the command's error.
pub fn print_display(value: &impl std::fmt::Display) -> Result<(), CliError> {
    let mut out = std::io::BufWriter::with_capacity(1 << 16, Stdout);
    write!(out, "{value}")
        .and_then(|_| out.flush())
        .map_err(|e| stdout_error(&e))
}

/// Refuses an output path before anything is computed or written: `-` (standard output
/// carries the report), or a file the command reads or that holds a model
/// (`Ctx::check_output`).
pub fn check_output_path(ctx: &Ctx, path: &str) -> Result<(), CliError> {
    if path == "-" {
        return Err(CliError::usage(
            "`-` is not a file name for an output",
            "give a file name (standard output carries the table or the JSON)",
        ));
    }
    ctx.check_output(path)
}

/// Writes an output file atomically (`fsio::write_atomic`): the one writer of every
/// command's output files. A path that is one of the command's inputs, or holds a model,
/// is refused (unless `--force`).
pub fn write_file(ctx: &Ctx, path: &str, bytes: &[u8]) -> Result<(), CliError> {
    check_output_path(ctx, path)?;
    nshed::fsio::write_atomic(std::path::Path::new(path), bytes).map_err(|e| {
        CliError::io(
            format!("cannot write `{path}`: {}", nshed::source::io_reason(&e)),
            "check that the directory exists and is writable",
        )
    })
}

/// Where the finished result of a command goes: stdout (a table, or JSON) and the files
/// asked for.
#[derive(clap::Args, Debug, Clone, Default)]
pub struct OutputArgs {
    /// Print one JSON object instead of a table.
    #[arg(long)]
    pub json: bool,
    /// Also write the result as CSV to this file.
    #[arg(long, value_name = "PATH")]
    pub csv: Option<String>,
    /// Also draw the figure to this SVG file.
    #[arg(long, value_name = "PATH")]
    pub svg: Option<String>,
    #[arg(long, help = super::args::FORCE_HELP)]
    pub force: bool,
}

/// `--png` for commands whose figure is an image (basins, and `merge` of their shards).
#[derive(clap::Args, Debug, Clone, Default)]
pub struct ImageArgs {
    /// Also write the image as PNG to this file.
    #[arg(long, value_name = "PATH")]
    pub png: Option<String>,
}

impl OutputArgs {
    /// Refuses, before any work, output paths that cannot be written (`check_output_path`):
    /// `--csv`, `--svg` and `png`; `--force` applies from here on.
    pub fn check(&self, ctx: &Ctx, png: Option<&str>) -> Result<(), CliError> {
        ctx.force(self.force);
        for path in [self.csv.as_deref(), self.svg.as_deref(), png]
            .into_iter()
            .flatten()
        {
            check_output_path(ctx, path)?;
        }
        Ok(())
    }

    /// Writes a finished report where the flags say: the `--csv`, `--svg` and `--png` files
    /// (made only when asked for), then JSON or the table on stdout. Nothing is written
    /// when the report lacks a form that was asked for.
    pub fn emit(&self, ctx: &Ctx, report: &dyn Render, png: Option<&str>) -> Result<(), CliError> {
        self.check(ctx, png)?;
        let csv = match &self.csv {
            None => None,
            Some(path) => Some((
                path,
                report
                    .csv()
                    .ok_or_else(|| CliError::usage("this result has no CSV form", "drop --csv"))?,
            )),
        };
        let svg = match &self.svg {
            None => None,
            Some(path) => Some((
                path,
                report
                    .svg()
                    .ok_or_else(|| CliError::usage("this result has no figure", "drop --svg"))?,
            )),
        };
        let png = match png {
            None => None,
            Some(path) => Some((
                path,
                report
                    .png()
                    .ok_or_else(|| {
                        CliError::usage(
                            "this result is drawn as plots, not an image, so it has no PNG output",
                            "drop --png (--svg draws the figure)",
                        )
                    })?
                    .map_err(|e| CliError::io(e, "try --svg instead"))?,
            )),
        };
        if let Some((path, text)) = csv {
            write_file(ctx, path, text.as_bytes())?;
        }
        if let Some((path, text)) = svg {
            write_file(ctx, path, text.as_bytes())?;
        }
        if let Some((path, bytes)) = png {
            write_file(ctx, path, &bytes)?;
        }
        if self.json {
            print_json_text(report.json())
        } else {
            print_stdout(&report.table())
        }
    }
}

/// Parallelism and sharding of a sweep command.
#[derive(clap::Args, Debug, Clone, Default)]
pub struct SweepArgs {
    /// Run only part I of N of the sweep (points p with p mod N = I-1) and write it to --out;
    /// `nshed merge` combines the N files into the result of the whole sweep.
    #[arg(long, value_name = "I/N", requires = "out")]
    pub shard: Option<Shard>,
    /// Where a sharded run writes its shard file (JSON).
    #[arg(long, value_name = "PATH", requires = "shard")]
    pub out: Option<String>,
    /// Worker threads (default: one per core). Results do not depend on it.
    #[arg(long, value_name = "N", value_parser = parse_threads)]
    pub threads: Option<usize>,
}

fn parse_threads(s: &str) -> Result<usize, String> {
    match s.parse::<usize>() {
        Ok(0) => Err("the number of threads must be at least 1".into()),
        Ok(n) if n > 4096 => Err(format!("{n} threads is more than 4096")),
        Ok(n) => Ok(n),
        Err(_) => Err(format!("`{s}` is not a positive integer")),
    }
}

impl SweepArgs {
    /// Refuses, before the sweep runs, outputs that cannot be written: `--out` and the
    /// report's files (`OutputArgs::check`).
    pub fn check(&self, ctx: &Ctx, output: &OutputArgs, png: Option<&str>) -> Result<(), CliError> {
        ctx.force(output.force);
        if let Some(out) = &self.out {
            check_output_path(ctx, out)?;
        }
        output.check(ctx, png)
    }

    /// The library's options.
    pub fn options(&self) -> SweepOptions {
        SweepOptions {
            shard: self.shard.unwrap_or(Shard::ALL),
            threads: self.threads,
        }
    }

    /// Ends a sweep: the shard file to `--out`, or the report where `output` says.
    pub fn finish<E: Experiment>(
        &self,
        ctx: &Ctx,
        outcome: Outcome<E>,
        output: &OutputArgs,
        png: Option<&str>,
    ) -> Result<(), CliError> {
        match (outcome, &self.out) {
            (Outcome::Finished(report), _) => output.emit(ctx, &report, png),
            (Outcome::Shard(file), Some(out)) => {
                let mut text = serde_json::to_string_pretty(&file).map_err(|e| {
                    CliError::io(
                        format!("cannot serialise the shard: {e}"),
                        "this is a bug in nshed; please report it",
                    )
                })?;
                text.push('\n');
                write_file(ctx, out, text.as_bytes())
            }
            (Outcome::Shard(_), None) => Err(CliError::usage(
                "a sharded run needs --out PATH",
                "give --out part-I.json with --shard I/N",
            )),
        }
    }
}
