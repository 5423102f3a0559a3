//! Options and plumbing shared by the sweep commands (SPEC 9): `--shard I/N --out PATH`,
//! `--threads N`, the outputs `--json`/`--csv`/`--svg`, and `nshed merge`.

use serde::de::DeserializeOwned;
use serde::Serialize;

use super::exit;
use crate::experiments::{merge_shards, run_points, Merged, Shard, ShardFile, SweepError};

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

/// Where the finished result of a sweep goes (an unsharded run, or `nshed merge`).
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
    /// Also write the image as PNG to this file (sweeps whose figure is an image: basin).
    #[arg(long, value_name = "PATH")]
    pub png: Option<String>,
}

impl OutputArgs {
    /// Writes a finished report where the flags say: `--csv` and `--svg` files (made only when
    /// asked for), then JSON or the table on stdout. Returns the exit code.
    pub fn emit<R: Serialize>(
        &self,
        report: &R,
        csv: impl FnOnce(&R) -> String,
        svg: impl FnOnce(&R) -> String,
        table: impl FnOnce(&R) -> String,
    ) -> u8 {
        if let Some(path) = &self.csv {
            let code = write_text_file(path, &csv(report));
            if code != exit::OK {
                return code;
            }
        }
        if let Some(path) = &self.svg {
            let code = write_text_file(path, &svg(report));
            if code != exit::OK {
                return code;
            }
        }
        if self.json {
            super::run::print_json(report)
        } else {
            super::print_stdout(&table(report))
        }
    }

    /// Refuses `--png` for a command whose figure is not an image (only `basin` draws one).
    pub fn refuse_png(&self, command: &str) -> Result<(), u8> {
        if self.png.is_some() {
            eprintln!(
                "error: `nshed {command}` draws plots, not an image, so it has no PNG output\n  help: use --svg PATH"
            );
            return Err(exit::USAGE);
        }
        Ok(())
    }
}

impl SweepArgs {
    pub fn shard(&self) -> Shard {
        self.shard.unwrap_or(Shard::ALL)
    }

    /// Runs `run` on this invocation's points. `Err` carries the exit code (the error is
    /// printed).
    pub fn run<T, F>(&self, total: u64, what: &str, run: F) -> Result<Vec<(u64, T)>, u8>
    where
        T: Send,
        F: Fn(u64) -> T + Sync + Send,
    {
        run_points(total, self.shard(), self.threads, what, run).map_err(|e| {
            eprint_sweep_error(&e);
            exit::USAGE
        })
    }

    /// `run` for points that can fail: the first failing point (in point order) is
    /// printed as `error: {failed} {point}: {why}` and ends the sweep with exit code 1.
    pub fn run_fallible<T, F>(
        &self,
        total: u64,
        what: &str,
        failed: &str,
        run: F,
    ) -> Result<Vec<(u64, T)>, u8>
    where
        T: Send,
        F: Fn(u64) -> Result<T, String> + Sync + Send,
    {
        self.run(total, what, run)?
            .into_iter()
            .map(|(point, r)| {
                r.map(|v| (point, v)).map_err(|why| {
                    eprintln!("error: {failed} {point}: {why}");
                    exit::MODEL_ERROR
                })
            })
            .collect()
    }

    /// Ends a sweep: with `--shard`, writes the shard file; otherwise hands the results (in
    /// point order) to `finish`, the code `nshed merge` calls too.
    pub fn finish<P, T>(
        &self,
        experiment: &str,
        params: P,
        total: u64,
        results: Vec<(u64, T)>,
        finish: impl FnOnce(P, Vec<T>) -> u8,
    ) -> u8
    where
        P: Serialize,
        T: Serialize,
    {
        match (&self.shard, &self.out) {
            (Some(shard), Some(out)) => {
                let file = ShardFile::new(experiment, params, total, *shard, results);
                write_json_file(out, &file)
            }
            _ => finish(params, results.into_iter().map(|(_, r)| r).collect()),
        }
    }
}

/// Writes `value` as pretty JSON to `path`, atomically.
pub fn write_json_file<T: Serialize>(path: &str, value: &T) -> u8 {
    let text = match serde_json::to_string_pretty(value) {
        Ok(mut t) => {
            t.push('\n');
            t
        }
        Err(e) => {
            eprintln!("error: cannot serialise the result: {e}");
            return exit::IO;
        }
    };
    write_text_file(path, &text)
}

/// Writes `text` to `path` atomically, reporting a failure.
pub fn write_text_file(path: &str, text: &str) -> u8 {
    super::write_output(path, text.as_bytes())
}

pub fn eprint_sweep_error(e: &SweepError) {
    eprintln!("error: {e}\n  help: {}", e.help());
}

/// Reads shard files and merges them; `Err` carries the exit code (the error is printed).
pub fn read_and_merge(files: &[String]) -> Result<Merged, u8> {
    let mut texts = Vec::with_capacity(files.len());
    for file in files {
        match std::fs::read_to_string(file) {
            Ok(text) => texts.push((file.clone(), text)),
            Err(e) => {
                eprintln!(
                    "error: cannot read `{file}`: {}",
                    crate::source::io_reason(&e)
                );
                return Err(exit::MODEL_ERROR);
            }
        }
    }
    merge_shards(&texts).map_err(|e| {
        eprint_sweep_error(&e);
        exit::MODEL_ERROR
    })
}

/// Finishes merged shards with the experiment's own finishing code, once their parameters
/// and results are read back as the types it wrote; a mismatch means the files were
/// written by another version of the experiment.
fn finish_typed<P: DeserializeOwned, T: DeserializeOwned>(
    merged: Merged,
    output: &OutputArgs,
    finish: fn(&P, &[T], &OutputArgs) -> u8,
) -> u8 {
    let experiment = merged.experiment.clone();
    match merged.typed::<P, T>() {
        Ok((params, results)) => finish(&params, &results, output),
        Err(e) => {
            eprintln!(
                "error: the shard files of this `{experiment}` sweep do not hold what `{experiment}` writes: {e}\n  help: merge shard files written by this version of nshed"
            );
            exit::MODEL_ERROR
        }
    }
}

/// `nshed merge FILE...`: combines the shard files of one sweep into the result of the whole
/// sweep, printed and drawn exactly as the unsharded command would.
pub fn merge(files: &[String], output: &OutputArgs) -> u8 {
    let merged = match read_and_merge(files) {
        Ok(m) => m,
        Err(code) => return code,
    };
    // Each experiment adds its arm here, with the function its unsharded command finishes
    // with: `"name" => finish_typed(merged, output, its_module::finish)`.
    let experiment = merged.experiment.clone();
    let has_image = experiment == super::basin::GRID_EXPERIMENT;
    if output.png.is_some() && !has_image {
        eprintln!("error: a `{experiment}` sweep has no image to write as PNG\n  help: drop --png");
        return exit::USAGE;
    }
    match merged.experiment.as_str() {
        super::basin::GRID_EXPERIMENT => {
            finish_typed(merged, output, super::basin_report::finish_grid)
        }
        super::basin::UNCERTAINTY_EXPERIMENT => {
            finish_typed(merged, output, super::basin_report::finish_uncertainty)
        }
        "fool" => finish_typed(merged, output, super::fool::finish_file),
        "fool-depths" => finish_typed(merged, output, super::fool::finish_depths),
        "depth" => finish_typed(merged, output, super::depth::finish),
        other => {
            eprintln!(
                "error: shard files of an unknown experiment `{other}`\n  help: nshed merge knows the sweeps of this version of nshed"
            );
            exit::MODEL_ERROR
        }
    }
}
