//! `nshed regularize`: implicit regularization. Trains one copy of the model per batch
//! size, all from the same seed, then reports per feature level how concentrated `lambda`
//! is and the neural-collapse ratio of the level-(L-1) score vectors.

use super::output::{check_output_path, print_json_text, print_stdout, write_file};
use super::{CliError, Ctx};
use nshed::experiments::regularize::{regularize, RegularizeOptions};
use nshed::render::Render;

/// Options of `nshed regularize`.
#[derive(clap::Args, Debug, Clone)]
pub struct RegularizeArgs {
    /// The model file (`-` reads standard input); it needs a `train` block.
    #[arg(value_name = "FILE")]
    pub file: String,
    /// Batch sizes to compare, comma-separated (each >= 1); every phase's batch is replaced.
    #[arg(long, value_name = "B,B,...", required = true, num_args = 1.., value_delimiter = ',',
          value_parser = clap::value_parser!(u64).range(1..))]
    pub batches: Vec<u64>,
    /// Total training steps instead of the file's: a single phase gets N steps; several phases
    /// are scaled in proportion to their steps (rounded so that they add up to N).
    #[arg(long, value_name = "N")]
    pub steps: Option<u64>,
    /// Seed of every run's random stream (wins over `train { seed N }`).
    #[arg(long, value_name = "N")]
    pub seed: Option<u64>,
    /// Print one JSON object instead of tables.
    #[arg(long)]
    pub json: bool,
    /// Write grouped bar charts (effective nodes, top share, collapse ratio) to this SVG file.
    #[arg(long, value_name = "PATH")]
    pub svg: Option<String>,
    #[arg(long, help = super::args::FORCE_HELP)]
    pub force: bool,
}

pub fn run(ctx: &Ctx, args: &RegularizeArgs) -> Result<(), CliError> {
    ctx.force(args.force);
    let compiled = ctx.load(&args.file)?;
    if let Some(path) = &args.svg {
        check_output_path(ctx, path)?;
    }
    let options = RegularizeOptions {
        batches: args.batches.clone(),
        steps: args.steps,
        seed: args.seed,
    };
    let report = regularize(&compiled, &options)?;
    if let (Some(path), Some(svg)) = (&args.svg, report.svg()) {
        write_file(ctx, path, svg.as_bytes())?;
    }
    if args.json {
        print_json_text(report.json())
    } else {
        print_stdout(&report.table())
    }
}
