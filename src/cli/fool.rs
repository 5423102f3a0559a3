//! `nshed fool`: fooling inputs and output collapse of one trained model, or of generated
//! models of growing depth (`--depths`).

use clap::builder::TypedValueParser as _;

use super::args::{parse_depth_list, Depths, GenShapeArgs};
use super::output::{OutputArgs, SweepArgs};
use super::{CliError, Ctx};
use crate::term::Bar;
use nshed::experiments::fool::{self, Density, DepthsOptions, FileOptions, FoolCriteria};

/// Options of `nshed fool`.
#[derive(clap::Args, Debug, Clone)]
#[command(group(clap::ArgGroup::new("what").required(true).args(["file", "depths"])))]
pub struct FoolArgs {
    /// The model file (`-` reads standard input); trained by its `train` block first.
    #[arg(value_name = "FILE", conflicts_with = "depths")]
    pub file: Option<String>,
    /// Instead of a file: generated models with these numbers of levels, `A..B` or `2,4,8`
    /// (shaped by --width, --inputs, --fan-in, --classes, ...).
    #[arg(long, value_name = "A..B", value_parser = parse_depth_list)]
    pub depths: Option<Depths>,
    /// Random level-1 patterns to judge (per model with --depths); every input fires with
    /// probability --density.
    #[arg(long, value_name = "N", default_value_t = 1000, conflicts_with = "exhaustive",
          value_parser = clap::value_parser!(u64).range(1..=10_000_000))]
    pub samples: u64,
    /// Probability that an input fires in a random pattern: a number (0.5: uniform over all
    /// patterns), or `data` for the training patterns' mean density (each model's own with
    /// --depths).
    #[arg(long, value_name = "Q|data", default_value = "0.5", conflicts_with = "exhaustive",
          value_parser = parse_density)]
    pub density: Density,
    /// A fooling input is at Hamming distance at least D from every training pattern.
    #[arg(long, value_name = "D", default_value_t = 2)]
    pub min_distance: usize,
    /// A fooling input is classified with probability at least P (0 < P <= 1).
    #[arg(long, value_name = "P", default_value_t = 0.99, value_parser = parse_threshold)]
    pub threshold: f64,
    /// Judge every one of the 2^n input patterns (n <= 24) instead of random ones, and find
    /// the smallest fooling pattern per class by enumeration (exact) instead of by search.
    #[arg(long, conflicts_with = "depths")]
    pub exhaustive: bool,
    /// Restarts of the search for the smallest fooling pattern per class (0: no search).
    #[arg(long, value_name = "R", default_value_t = 20, conflicts_with = "depths",
          value_parser = clap::value_parser!(u64).range(0..=100_000).map(|r| r as usize))]
    pub restarts: usize,
    /// Generated models per depth (with --depths), each with its own structure and data.
    #[arg(long, value_name = "M", default_value_t = 3, conflicts_with = "file",
          value_parser = clap::value_parser!(u64).range(1..=100_000))]
    pub models: u64,
    /// Training runs of every generated model (with --depths), each from its own random
    /// stream: separates the spread due to training from that due to the structure.
    #[arg(long, value_name = "K", default_value_t = 1, conflicts_with = "file",
          value_parser = clap::value_parser!(u64).range(1..=10_000))]
    pub train_seeds: u64,
    /// Training steps of every generated model (with --depths).
    #[arg(
        long,
        value_name = "T",
        default_value_t = 1000,
        conflicts_with = "file"
    )]
    pub steps: u64,
    #[command(flatten)]
    pub shape: GenShapeArgs,
    /// Seed of every random stream (wins over `train { seed N }`; with --depths, also picks
    /// the generated models) [default: the file's seed, or 0].
    #[arg(long, value_name = "N")]
    pub seed: Option<u64>,
    /// Judge the initial state: do not train by the file's `train` block.
    #[arg(long, conflicts_with = "depths")]
    pub no_train: bool,
    #[command(flatten)]
    pub sweep: SweepArgs,
    #[command(flatten)]
    pub output: OutputArgs,
}

fn parse_density(s: &str) -> Result<Density, String> {
    if s.trim() == "data" {
        return Ok(Density::Data);
    }
    super::gen::parse_probability(s)
        .map(Density::Fixed)
        .map_err(|e| format!("{e}, or `data` (the training patterns' mean density)"))
}

fn parse_threshold(s: &str) -> Result<f64, String> {
    match s.trim().parse::<f64>() {
        Ok(p) if p > 0.0 && p <= 1.0 => Ok(p),
        _ => Err(format!(
            "`{s}` is not a probability threshold (a number in (0, 1])"
        )),
    }
}

pub fn run(ctx: &Ctx, args: &FoolArgs) -> Result<(), CliError> {
    let criteria = FoolCriteria {
        min_distance: args.min_distance,
        threshold: args.threshold,
    };
    if let Some(file) = &args.file {
        ctx.reads(file);
    }
    args.sweep.check(ctx, &args.output, None)?;
    let sweep = args.sweep.options();
    match (&args.file, &args.depths) {
        (Some(file), _) => {
            let compiled = ctx.load(file)?;
            let options = FileOptions {
                samples: args.samples,
                density: args.density,
                criteria,
                exhaustive: args.exhaustive,
                restarts: args.restarts,
                seed: args.seed,
                no_train: args.no_train,
            };
            let bar = Bar::new("patterns and searches", true);
            let outcome = fool::file(&compiled, &options, &sweep, &bar)?;
            args.sweep.finish(ctx, outcome, &args.output, None)
        }
        (None, Some(depths)) => {
            let options = DepthsOptions {
                depths: depths.0.clone(),
                models: args.models,
                train_seeds: args.train_seeds,
                steps: args.steps,
                seed: args.seed,
                samples: args.samples,
                density: args.density,
                criteria,
                shape: args.shape.shape(),
            };
            let bar = Bar::new("models", true);
            let outcome = fool::depths(&options, &sweep, &bar)?;
            args.sweep.finish(ctx, outcome, &args.output, None)
        }
        (None, None) => Err(CliError::usage(
            "give a model FILE or --depths A..B",
            "nshed fool FILE, or nshed fool --depths 2..12",
        )),
    }
}
