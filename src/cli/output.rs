//! Where command results go: standard output, and output files written atomically. Every
//! command prints and writes through these functions.

use std::io::Write;

use serde::Serialize;

use super::error::CliError;
use crate::experiments::{Experiment, Outcome, Shard, SweepOptions};
use crate::render::Render;

/// Writes `text` to stdout; a closed pipe (e.g. `| head`) is not an error.
pub fn print_stdout(text: &str) -> Result<(), CliError> {
    let mut out = std::io::stdout().lock();
    stdout_result(out.write_all(text.as_bytes()).and_then(|_| out.flush()))
}

/// Writes `value`'s text to stdout as it is made, without holding it whole (the `run`
/// report of a 10^6-node model is tens of megabytes); a closed pipe is not an error.
pub fn print_display(value: &impl std::fmt::Display) -> Result<(), CliError> {
    let mut out = std::io::BufWriter::with_capacity(1 << 16, std::io::stdout().lock());
    stdout_result(write!(out, "{value}").and_then(|_| out.flush()))
}

fn stdout_result(result: std::io::Result<()>) -> Result<(), CliError> {
    match result {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        Err(e) => Err(CliError::io(
            format!(
                "cannot write to standard output: {}",
                crate::source::io_reason(&e)
            ),
            "check where standard output goes (a full disk, a closed file)",
        )),
    }
}

/// Writes a line to stderr (a note, or what was saved where). A failing stderr is not an
/// error worth stopping for: there is nowhere left to report it.
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
/// same text as [`crate::render::pretty_json`], without holding it whole).
pub fn print_json<T: Serialize + ?Sized>(value: &T) -> Result<(), CliError> {
    let mut out = std::io::BufWriter::with_capacity(1 << 16, std::io::stdout().lock());
    match serde_json::to_writer_pretty(&mut out, value) {
        Ok(()) => stdout_result(out.write_all(b"\n").and_then(|_| out.flush())),
        Err(e) if e.is_io() => stdout_result(Err(std::io::Error::from(e))),
        Err(e) => Err(CliError::io(
            format!("cannot serialise the result: {e}"),
            "this is a bug in nshed; please report it",
        )),
    }
}

/// Writes an output file atomically (`fsio::write_atomic`).
pub fn write_file(path: &str, bytes: &[u8]) -> Result<(), CliError> {
    if path == "-" {
        return Err(CliError::usage(
            "`-` is not a file name for an output",
            "give a file name (standard output carries the table or the JSON)",
        ));
    }
    crate::fsio::write_atomic(std::path::Path::new(path), bytes).map_err(|e| {
        CliError::io(
            format!("cannot write `{path}`: {}", crate::source::io_reason(&e)),
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
}

/// `--png` for commands whose figure is an image (basins, and `merge` of their shards).
#[derive(clap::Args, Debug, Clone, Default)]
pub struct ImageArgs {
    /// Also write the image as PNG to this file.
    #[arg(long, value_name = "PATH")]
    pub png: Option<String>,
}

impl OutputArgs {
    /// Writes a finished report where the flags say: the `--csv`, `--svg` and `--png` files
    /// (made only when asked for), then JSON or the table on stdout. Nothing is written
    /// when the report lacks a form that was asked for.
    pub fn emit(&self, report: &dyn Render, png: Option<&str>) -> Result<(), CliError> {
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
            write_file(path, text.as_bytes())?;
        }
        if let Some((path, text)) = svg {
            write_file(path, text.as_bytes())?;
        }
        if let Some((path, bytes)) = png {
            write_file(path, &bytes)?;
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
        outcome: Outcome<E>,
        output: &OutputArgs,
        png: Option<&str>,
    ) -> Result<(), CliError> {
        match (outcome, &self.out) {
            (Outcome::Finished(report), _) => output.emit(&report, png),
            (Outcome::Shard(file), Some(out)) => {
                let mut text = serde_json::to_string_pretty(&file).map_err(|e| {
                    CliError::io(
                        format!("cannot serialise the shard: {e}"),
                        "this is a bug in nshed; please report it",
                    )
                })?;
                text.push('\n');
                write_file(out, text.as_bytes())
            }
            (Outcome::Shard(_), None) => Err(CliError::usage(
                "a sharded run needs --out PATH",
                "give --out part-I.json with --shard I/N",
            )),
        }
    }
}
