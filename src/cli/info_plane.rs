//! `nshed info-plane`: the information plane of every feature level along training:
//! `I(X;T)` and `I(T;Y)` at step 0, every `--every` steps and at the end, as a table, JSON,
//! CSV (long format) and an SVG plot.

use super::args::StateArgs;
use super::output::OutputArgs;
use super::{CliError, Ctx};
use nshed::analysis::{info_plane_run, AnalysisError, Estimator, InfoPlaneOptions, Representation};

/// The estimator named on the command line.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum MiKind {
    /// Equal bins on [0,1] per coordinate, exact discrete MI (Shwartz-Ziv & Tishby).
    Binning,
    /// Gaussian noise of --sigma, pairwise-distance KDE bound (Kolchinsky & Tracey, Saxe et al.).
    Noise,
}

/// The representation named on the command line.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReprKind {
    /// The scores of the level's nodes (0 where a node does not fire).
    Scores,
    /// The lambda of the level's firing nodes (the reading of the paper's appendix).
    Lambda,
}

/// Options of `nshed info-plane`.
#[derive(clap::Args, Debug, Clone)]
pub struct InfoPlaneArgs {
    /// The model file (`-` reads standard input).
    #[arg(value_name = "FILE")]
    pub file: String,
    /// The MI estimator.
    #[arg(long, value_enum, default_value = "binning")]
    pub mi: MiKind,
    /// Bins per coordinate for `--mi binning` [default: 30]. A list (`30,1000,distinct`)
    /// gives one curve per entry; `distinct` is the unbinned estimate (T itself: its
    /// distinct values, binning's limit as the bins shrink).
    #[arg(long, value_name = "N,...", value_delimiter = ',', value_parser = parse_bins)]
    pub bins: Option<Vec<Estimator>>,
    /// Noise standard deviation for `--mi noise` (required with it; the representation lies in
    /// [0,1], so 0.01 to 0.5 are sensible).
    #[arg(long, value_name = "S", value_parser = parse_sigma)]
    pub sigma: Option<f64>,
    /// What a level's representation T is: `scores` (the default) or `lambda`.
    #[arg(long = "repr", value_enum, default_value = "scores")]
    pub representation: ReprKind,
    /// Record every N steps (default: the file's `record every`, else about 100 points).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
    pub every: Option<u64>,
    #[command(flatten)]
    pub state: StateArgs,
    /// `--json`; `--csv PATH` writes mi,bins,sigma,step,level,i_xt,i_ty; `--svg PATH` draws
    /// the plane (and, with several --bins, I(X;T) against the step).
    #[command(flatten)]
    pub output: OutputArgs,
}

fn parse_bins(s: &str) -> Result<Estimator, String> {
    if s.trim() == "distinct" {
        return Ok(Estimator::Distinct);
    }
    match s.trim().parse::<usize>() {
        Ok(bins) if (1..=1_000_000_000).contains(&bins) => Ok(Estimator::Binning { bins }),
        _ => Err(format!(
            "`{s}` is not a number of bins (1 to 1000000000) or `distinct`"
        )),
    }
}

fn parse_sigma(s: &str) -> Result<f64, String> {
    match s.parse::<f64>() {
        Ok(v) if v.is_finite() && v > 0.0 => Ok(v),
        Ok(v) => Err(format!("sigma must be finite and > 0, got {v}")),
        Err(_) => Err(format!("`{s}` is not a number")),
    }
}

pub fn run(ctx: &Ctx, args: &InfoPlaneArgs) -> Result<(), CliError> {
    let estimators = match (args.mi, args.sigma, &args.bins) {
        (MiKind::Binning, None, None) => vec![Estimator::DEFAULT],
        (MiKind::Binning, None, Some(list)) => {
            if let Some(i) = (0..list.len()).find(|&i| list[..i].contains(&list[i])) {
                return Err(CliError::usage(
                    format!("--bins lists `{}` twice", list[i].short_name()),
                    "list each number of bins (and `distinct`) once",
                ));
            }
            list.clone()
        }
        (MiKind::Noise, Some(sigma), None) => vec![Estimator::Noise { sigma }],
        (MiKind::Binning, Some(_), _) => {
            return Err(CliError::usage(
                "--sigma is for `--mi noise`",
                "add `--mi noise`, or drop --sigma to use binning",
            ))
        }
        (MiKind::Noise, _, Some(_)) => {
            return Err(CliError::usage(
                "--bins is for `--mi binning`",
                "drop --bins, or drop `--mi noise`",
            ))
        }
        (MiKind::Noise, None, None) => {
            return Err(CliError::usage(
                "`--mi noise` needs --sigma S",
                "the representation lies in [0,1]; try --sigma 0.1",
            ))
        }
    };
    let representation = match args.representation {
        ReprKind::Scores => Representation::Scores,
        ReprKind::Lambda => Representation::Lambda,
    };
    let compiled = ctx.load(&args.file)?;
    args.output.check(ctx, None)?;
    let options = InfoPlaneOptions {
        estimators,
        representation,
        every: args.every,
        seed: args.state.seed,
        no_train: args.state.no_train,
    };
    let report = info_plane_run(&compiled.model(), &options).map_err(|e| match e {
        AnalysisError::NoData => CliError::failed(
            e.to_string(),
            Some("add a `data` block with labelled samples to the model".to_string()),
        ),
        e => CliError::failed(format!("the information analysis failed: {e}"), None),
    })?;
    args.output.emit(ctx, &report, None)
}
