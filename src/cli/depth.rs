//! `nshed depth`: initialisation, freezing and depth. For each depth and init distribution,
//! `--seeds` runs train from their own random init; the spread of `ln Z` across them is
//! reported against depth, and with `--freeze LEVEL` the runs are compared with that
//! level's lambda held fixed.

use super::args::{parse_depth_list, Depths, GenShapeArgs};
use super::output::{OutputArgs, SweepArgs};
use super::{CliError, Ctx};
use crate::term::Bar;
use nshed::experiments::depth::{self, DepthModels, DepthOptions, InitKind};

/// Options of `nshed depth`.
#[derive(clap::Args, Debug, Clone)]
#[command(group(clap::ArgGroup::new("what").required(true).args(["file", "depths"])))]
pub struct DepthArgs {
    /// The model file (`-` reads standard input); its init is replaced by each --init, and
    /// it trains by its `train` block.
    #[arg(value_name = "FILE", conflicts_with = "depths")]
    pub file: Option<String>,
    /// Instead of a file: generated models with these numbers of levels, `A..B` or `2,4,8`
    /// (--structures per depth, picked by --seed; shaped by --width, --inputs, ...).
    #[arg(long, value_name = "A..B", value_parser = parse_depth_list)]
    pub depths: Option<Depths>,
    /// Init distributions of every lambda and eta, all with mean 1: const (1), uniform(0, 2),
    /// normal(1, 1/sqrt 3) clipped at 0, lognormal with sd 1/sqrt 3.
    #[arg(
        long,
        value_name = "KIND,...",
        value_enum,
        value_delimiter = ',',
        default_value = "const,uniform,normal,lognormal"
    )]
    pub init: Vec<InitKind>,
    /// Runs (seeds) per depth and init; the spread is taken across them.
    #[arg(long, value_name = "N", default_value_t = 8,
          value_parser = clap::value_parser!(u64).range(2..=100_000))]
    pub seeds: u64,
    /// Generated structures per depth (with --depths): the spread is taken across the seeds
    /// of each structure and reported as the mean over structures with its 95% interval.
    #[arg(long, value_name = "K", default_value_t = 1, conflicts_with = "file",
          value_parser = clap::value_parser!(u64).range(1..=10_000))]
    pub structures: u64,
    /// Training steps of the generated models (with --depths; 0 measures at initialisation).
    #[arg(long, value_name = "T", default_value_t = 0, conflicts_with = "file")]
    pub steps: u64,
    #[command(flatten)]
    pub shape: GenShapeArgs,
    /// Also train every run with this level's lambda frozen (a number, 1 = input level, or
    /// a level name of FILE) and compare accuracy, sparsity and LE. Needs training. LE is
    /// taken over every pair of data samples, so its cost grows with their number squared.
    #[arg(long, value_name = "LEVEL")]
    pub freeze: Option<String>,
    /// Base seed: run i of structure s of every (depth, init) uses stream s * seeds + i of
    /// it; with --depths it also picks the models [default: the file's seed, or 0].
    #[arg(long, value_name = "N")]
    pub seed: Option<u64>,
    /// Measure at initialisation: do not train by the file's `train` block.
    #[arg(long, conflicts_with = "depths")]
    pub no_train: bool,
    #[command(flatten)]
    pub sweep: SweepArgs,
    #[command(flatten)]
    pub output: OutputArgs,
}

pub fn run(ctx: &Ctx, args: &DepthArgs) -> Result<(), CliError> {
    let options = DepthOptions {
        inits: args.init.clone(),
        seeds: args.seeds,
        structures: args.structures,
        freeze: args.freeze.clone(),
        seed: args.seed,
    };
    if let Some(file) = &args.file {
        ctx.reads(file);
    }
    args.sweep.check(ctx, &args.output, None)?;
    let sweep = args.sweep.options();
    let bar = Bar::new("runs", true);
    let shape = args.shape.shape();
    let compiled;
    let models = match (&args.file, &args.depths) {
        (Some(file), _) => {
            compiled = ctx.load(file)?;
            DepthModels::File {
                compiled: &compiled,
                no_train: args.no_train,
            }
        }
        (None, Some(depths)) => DepthModels::Generated {
            depths: &depths.0,
            shape: &shape,
            steps: args.steps,
        },
        (None, None) => {
            return Err(CliError::usage(
                "give a model FILE or --depths A..B",
                "nshed depth --depths 2..10",
            ))
        }
    };
    let outcome = depth::run(models, &options, &sweep, &bar)?;
    args.sweep.finish(ctx, outcome, &args.output, None)
}
