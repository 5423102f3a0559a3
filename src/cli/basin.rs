//! `nshed basin`: basins of attraction and the uncertainty exponent.

use super::output::{ImageArgs, OutputArgs, SweepArgs};
use super::{CliError, Ctx};
use crate::term::Bar;
use nshed::experiments::basin::{
    grid, uncertainty, Axis, BasinOptions, OutcomeKind, PairRule, UncertaintyOptions, MAX_GRID,
};

/// Options of `nshed basin`.
#[derive(clap::Args, Debug, Clone)]
pub struct BasinArgs {
    /// The model file (`-` reads standard input); it needs a `train` block.
    #[arg(value_name = "FILE")]
    pub file: String,
    /// The two nodes whose initial lambda is varied: A (x axis) and B (y axis), non-class
    /// nodes of the same level.
    #[arg(
        long,
        value_name = "A,B",
        required = true,
        num_args = 1,
        value_delimiter = ','
    )]
    pub nodes: Vec<String>,
    /// The range of both initial lambdas, `LO..HI` (0 <= LO < HI; LO > 0 with --log).
    #[arg(long, value_name = "LO..HI", required = true, value_parser = parse_range)]
    pub range: (f64, f64),
    /// Space the grid (and measure eps) evenly in ln lambda instead of lambda.
    #[arg(long)]
    pub log: bool,
    /// Grid points per axis (the image is N x N runs); default 100.
    #[arg(long, value_name = "N", conflicts_with = "uncertainty",
          value_parser = clap::value_parser!(u64).range(1..=MAX_GRID))]
    pub grid: Option<u64>,
    /// Total training steps instead of the file's (phases scaled in proportion).
    #[arg(long, value_name = "T")]
    pub steps: Option<u64>,
    /// How a run's outcome is classified.
    #[arg(long, value_enum, default_value_t = OutcomeKind::Top)]
    pub outcome: OutcomeKind,
    /// Estimate the uncertainty exponent phi from random pairs of points at distance eps
    /// instead of drawing the grid.
    #[arg(long)]
    pub uncertainty: bool,
    /// The eps range `LO..HI` (0 < LO < HI), in axis units (lambda, or ln lambda with --log);
    /// default: 1e-4 to 1e-2 of the range's width.
    #[arg(long, value_name = "LO..HI", requires = "uncertainty", value_parser = parse_range)]
    pub eps: Option<(f64, f64)>,
    /// Number of eps values, evenly spaced on a log scale.
    #[arg(long, value_name = "K", default_value_t = 5, requires = "uncertainty",
          value_parser = clap::value_parser!(u64).range(3..=1000))]
    pub eps_count: u64,
    /// Draw pairs (in blocks of 1000) until at least N of them differ at each eps, so that
    /// every f(eps) is known to about ±2/sqrt(N).
    #[arg(long, value_name = "N", default_value_t = 50, requires = "uncertainty",
          conflicts_with = "pairs", value_parser = clap::value_parser!(u64).range(1..))]
    pub min_differ: u64,
    /// At most M pairs per eps (the cap on --min-differ's drawing; a warning says when it
    /// came first).
    #[arg(long, value_name = "M", default_value_t = 200_000, requires = "uncertainty",
          conflicts_with = "pairs", value_parser = clap::value_parser!(u64).range(1..=1u64 << 32))]
    pub max_pairs: u64,
    /// Exactly M random pairs per eps instead of drawing until --min-differ differ.
    #[arg(long, value_name = "M", requires = "uncertainty",
          value_parser = clap::value_parser!(u64).range(1..=1u64 << 32))]
    pub pairs: Option<u64>,
    /// Use the initial states: do not train (the outcome of the initial lambdas).
    #[arg(long)]
    pub no_train: bool,
    /// Seed of the one random stream every run uses (wins over `train { seed N }`).
    #[arg(long, value_name = "N")]
    pub seed: Option<u64>,
    #[command(flatten)]
    pub sweep: SweepArgs,
    #[command(flatten)]
    pub output: OutputArgs,
    #[command(flatten)]
    pub image: ImageArgs,
}

/// `LO..HI` with finite `0 <= LO < HI`.
fn parse_range(s: &str) -> Result<(f64, f64), String> {
    let (lo, hi) = s
        .split_once("..")
        .ok_or_else(|| format!("`{s}` is not of the form LO..HI (for example `0..0.02`)"))?;
    let number = |part: &str| {
        part.trim()
            .parse::<f64>()
            .ok()
            .filter(|v| v.is_finite())
            .ok_or_else(|| format!("`{part}` in `{s}` is not a finite number"))
    };
    let (lo, hi) = (number(lo)?, number(hi)?);
    if lo < 0.0 {
        return Err(format!("`{s}`: lambda cannot be negative"));
    }
    if lo >= hi {
        return Err(format!("`{s}`: LO must be smaller than HI"));
    }
    Ok((lo, hi))
}

pub fn run(ctx: &Ctx, args: &BasinArgs) -> Result<(), CliError> {
    let options = BasinOptions {
        nodes: args.nodes.clone(),
        axis: Axis {
            lo: args.range.0,
            hi: args.range.1,
            log: args.log,
        },
        steps: args.steps,
        outcome: args.outcome,
        no_train: args.no_train,
        seed: args.seed,
    };
    // Usage mistakes come before reading the model (exit 2, not "the model has errors").
    options.validate()?;
    if args.uncertainty && args.image.png.is_some() {
        return Err(CliError::usage(
            "--uncertainty draws a fit plot, not an image",
            "drop --png (--svg draws the fit plot)",
        ));
    }
    let compiled = ctx.load(&args.file)?;
    args.sweep
        .check(ctx, &args.output, args.image.png.as_deref())?;
    let sweep = args.sweep.options();
    if args.uncertainty {
        let more = UncertaintyOptions {
            eps: args.eps,
            eps_count: args.eps_count,
            pairs: match args.pairs {
                Some(pairs) => PairRule::Fixed { pairs },
                None => PairRule::Until {
                    min_differ: args.min_differ,
                    max_pairs: args.max_pairs,
                },
            },
        };
        let bar = Bar::new("eps values", true);
        let outcome = uncertainty(&compiled, &options, &more, &sweep, &bar)?;
        args.sweep.finish(ctx, outcome, &args.output, None)
    } else {
        let bar = Bar::new("grid points", true);
        let outcome = grid(&compiled, &options, args.grid.unwrap_or(100), &sweep, &bar)?;
        args.sweep
            .finish(ctx, outcome, &args.output, args.image.png.as_deref())
    }
}

#[cfg(test)]
mod tests {
    use super::parse_range;

    #[test]
    fn ranges_parse_and_refuse_nonsense() {
        assert_eq!(parse_range("0..0.02"), Ok((0.0, 0.02)));
        assert_eq!(parse_range("1e-3 .. 1"), Ok((1e-3, 1.0)));
        assert!(parse_range("0.02..0").is_err());
        assert!(parse_range("-1..1").is_err());
        assert!(parse_range("0..inf").is_err());
        assert!(parse_range("0-1").is_err());
        assert!(parse_range("1..1").is_err());
    }
}
