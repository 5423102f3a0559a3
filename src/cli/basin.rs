//! `nshed basin`: basins of attraction and the uncertainty exponent (SPEC 9, seed 001).
//!
//! The grid sweep trains one run per grid point (initial `lambda` of the two `--nodes` from
//! the grid, everything else, random stream included, the same at every point) and colours
//! the grid by outcome; `--uncertainty` trains random pairs of points at distance `eps`
//! instead and fits `f(eps) ~ eps^phi`. Both are sweeps: parallel, shardable, mergeable. The
//! finishing code (tables, JSON, CSV, figures) is in `basin_report`.

use std::sync::Mutex;

use serde::{Deserialize, Serialize};

use super::basin_report::{finish_grid, finish_uncertainty};
use super::sweep::{OutputArgs, SweepArgs};
use super::{exit, load_model};
use crate::check::suggest::closest;
use crate::engine::run_seed;
use crate::experiments::basin::{
    geometric, grid_cell, random_pair, Axis, Basin, OutcomeKind, Workspace,
};
use crate::ir::Ir;

/// The experiment names in shard files.
pub const GRID_EXPERIMENT: &str = "basin";
pub const UNCERTAINTY_EXPERIMENT: &str = "basin-uncertainty";

/// Largest grid side (a 4096 x 4096 grid is 16.7 million runs).
const MAX_GRID: u64 = 4096;

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
    /// default: 1e-4 to 1e-1 of the range's width.
    #[arg(long, value_name = "LO..HI", requires = "uncertainty", value_parser = parse_range)]
    pub eps: Option<(f64, f64)>,
    /// Number of eps values, evenly spaced on a log scale.
    #[arg(long, value_name = "K", default_value_t = 7, requires = "uncertainty",
          value_parser = clap::value_parser!(u64).range(3..=1000))]
    pub eps_count: u64,
    /// Random pairs per eps.
    #[arg(long, value_name = "M", default_value_t = 1000, requires = "uncertainty",
          value_parser = clap::value_parser!(u64).range(1..=100_000_000))]
    pub pairs: u64,
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

/// What every point of a basin sweep and its finishing step depend on; shard files carry it
/// so that `nshed merge` needs no model file.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Setup {
    pub model: String,
    pub source_sha256: String,
    pub seed: u64,
    /// A and B.
    pub nodes: [String; 2],
    /// Their level and its nodes (the `top` outcomes).
    pub level: String,
    pub level_nodes: Vec<String>,
    pub classes: Vec<String>,
    /// Data sample names (the `predictions` outcome is one class per sample).
    pub samples: Vec<String>,
    pub axis: Axis,
    /// Training steps per run (0 with --no-train).
    pub steps: u64,
    pub trained: bool,
    pub outcome: OutcomeKind,
}

/// Parameters of the grid sweep.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct GridParams {
    #[serde(flatten)]
    pub setup: Setup,
    pub grid: u64,
}

/// Parameters of the uncertainty sweep: point `k * pairs + j` is pair `j` at `eps[k]`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct UncertaintyParams {
    #[serde(flatten)]
    pub setup: Setup,
    pub eps: Vec<f64>,
    pub pairs: u64,
}

pub fn run(args: &BasinArgs) -> u8 {
    // Usage mistakes come before reading the model (exit 2, not "the model has errors").
    if args.nodes.len() != 2 {
        eprintln!(
            "error: --nodes takes exactly two nodes A,B, got {}\n  help: e.g. --nodes p1,p3",
            args.nodes.len()
        );
        return exit::USAGE;
    }
    if args.log && args.range.0 <= 0.0 {
        eprintln!(
            "error: --log needs a range above 0, got {}..{}\n  help: give e.g. --range 1e-4..1 with --log",
            args.range.0, args.range.1
        );
        return exit::USAGE;
    }
    let compiled = match load_model(&args.file) {
        Ok(c) => c,
        Err(code) => return code,
    };
    let (a, b) = match resolve_nodes(&compiled.ir, &args.nodes) {
        Ok(ids) => ids,
        Err(message) => {
            eprintln!("error: {message}");
            return exit::MODEL_ERROR;
        }
    };
    let trained = !args.no_train;
    let ir = match schedule(&compiled.ir, args.steps, trained, &args.file) {
        Ok(ir) => ir,
        Err(code) => return code,
    };
    let seed = run_seed(&ir, args.seed);
    let axis = Axis {
        lo: args.range.0,
        hi: args.range.1,
        log: args.log,
    };
    let basin = Basin::new(&ir, seed, a, b, args.outcome, trained);
    let setup = setup(&compiled, &ir, seed, a, b, axis, args.outcome, trained);
    let pool = Mutex::new(Vec::new());
    let outcome = |x: f64, y: f64| {
        let mut work = take(&pool).unwrap_or_else(|| Workspace::new(basin.model()));
        let result = basin.outcome_with(&mut work, x, y);
        put(&pool, work);
        result
    };

    if args.uncertainty {
        if args.output.png.is_some() {
            eprintln!(
                "error: --uncertainty draws a fit plot, not an image\n  help: drop --png (--svg draws the fit plot)"
            );
            return exit::USAGE;
        }
        let width = axis.width();
        let (lo, hi) = args.eps.unwrap_or((width * 1e-4, width * 1e-1));
        if lo <= 0.0 || hi >= width / 2.0 {
            eprintln!(
                "error: eps must lie in (0, {}) (half the range's width in axis units), got {lo}..{hi}\n  help: give a smaller --eps LO..HI",
                width / 2.0
            );
            return exit::USAGE;
        }
        let eps = geometric(lo, hi, args.eps_count as usize);
        let Some(total) = (eps.len() as u64).checked_mul(args.pairs) else {
            eprintln!("error: too many pairs\n  help: lower --pairs or --eps-count");
            return exit::USAGE;
        };
        let params = UncertaintyParams {
            setup,
            eps,
            pairs: args.pairs,
        };
        let results = match args.sweep.run(total, "pairs", |p| {
            let e = params.eps[(p / params.pairs) as usize];
            let (first, second) = random_pair(seed, p, e, &axis, &axis);
            outcome(first.0, first.1) != outcome(second.0, second.1)
        }) {
            Ok(r) => r,
            Err(code) => return code,
        };
        let output = args.output.clone();
        return args
            .sweep
            .finish(UNCERTAINTY_EXPERIMENT, params, total, results, |p, r| {
                finish_uncertainty(&p, &r, &output)
            });
    }

    let n = args.grid.unwrap_or(100);
    let total = n * n;
    let params = GridParams { setup, grid: n };
    let results = match args.sweep.run(total, "grid points", |p| {
        let (col, row) = grid_cell(p, n);
        outcome(axis.cell_centre(col, n), axis.cell_centre(row, n))
    }) {
        Ok(r) => r,
        Err(code) => return code,
    };
    let output = args.output.clone();
    args.sweep
        .finish(GRID_EXPERIMENT, params, total, results, |p, r| {
            finish_grid(&p, &r, &output)
        })
}

/// A worker's scratch space from the pool (a poisoned lock only means another worker
/// panicked; the pool itself is still a valid list).
fn take<'m, 'ir>(pool: &Mutex<Vec<Workspace<'m, 'ir>>>) -> Option<Workspace<'m, 'ir>> {
    pool.lock().unwrap_or_else(|e| e.into_inner()).pop()
}

fn put<'m, 'ir>(pool: &Mutex<Vec<Workspace<'m, 'ir>>>, work: Workspace<'m, 'ir>) {
    pool.lock().unwrap_or_else(|e| e.into_inner()).push(work);
}

/// Node ids of A and B: two distinct non-class nodes of one level (`run` has checked
/// that there are two names).
fn resolve_nodes(ir: &Ir, names: &[String]) -> Result<(usize, usize), String> {
    let [a, b] = names else {
        return Err(format!("--nodes takes two nodes, got {}", names.len()));
    };
    let find = |name: &str| -> Result<usize, String> {
        if let Some(id) = ir.nodes.iter().position(|n| n.name == name) {
            return Ok(id);
        }
        if ir.classes.iter().any(|c| c.name == name) {
            return Err(format!(
                "`{name}` is a class; a basin varies the initial lambda of feature nodes\n  help: pick two nodes of one feature level"
            ));
        }
        let help = match closest(name, ir.nodes.iter().map(|n| n.name.as_str())) {
            Some(s) => format!("did you mean `{s}`?"),
            None => "`nshed ir FILE` lists the nodes".to_string(),
        };
        Err(format!("unknown node `{name}`\n  help: {help}"))
    };
    let (ia, ib) = (find(a)?, find(b)?);
    if ia == ib {
        return Err(format!(
            "--nodes names `{a}` twice\n  help: give two different nodes of one level"
        ));
    }
    let (la, lb) = (ir.nodes[ia].level, ir.nodes[ib].level);
    if la != lb {
        return Err(format!(
            "`{a}` is in level `{}` but `{b}` is in level `{}`\n  help: the two nodes compete within one level: pick both from the same level",
            ir.levels[la as usize].name, ir.levels[lb as usize].name
        ));
    }
    Ok((ia, ib))
}

/// The model to train: the file's schedule, scaled to `steps` in total when given, never
/// recorded.
fn schedule(ir: &Ir, steps: Option<u64>, trained: bool, file: &str) -> Result<Ir, u8> {
    let mut copy = ir.clone();
    match copy.train.as_mut() {
        None if trained => {
            eprintln!(
                "error: `{file}` has no `train` block, so there is nothing to train\n  help: add a `train` block, or pass --no-train to classify the initial states"
            );
            Err(exit::MODEL_ERROR)
        }
        None => Ok(copy),
        Some(train) => {
            if let Some(total) = steps {
                let old: Vec<u64> = train.phases.iter().map(|p| p.steps).collect();
                for (phase, s) in train
                    .phases
                    .iter_mut()
                    .zip(super::regularize::scale_steps(&old, total))
                {
                    phase.steps = s;
                }
            }
            train.record = None;
            Ok(copy)
        }
    }
}

#[allow(clippy::too_many_arguments)]
fn setup(
    compiled: &crate::Compiled,
    ir: &Ir,
    seed: u64,
    a: usize,
    b: usize,
    axis: Axis,
    outcome: OutcomeKind,
    trained: bool,
) -> Setup {
    let level = &ir.levels[ir.nodes[a].level as usize];
    let steps = if trained {
        ir.train.as_ref().map_or(0, |t| {
            t.phases
                .iter()
                .fold(0u64, |acc, p| acc.saturating_add(p.steps))
        })
    } else {
        0
    };
    Setup {
        model: ir.model.clone(),
        source_sha256: crate::persist::source_hash(&compiled.source.text),
        seed,
        nodes: [ir.nodes[a].name.clone(), ir.nodes[b].name.clone()],
        level: level.name.clone(),
        level_nodes: level
            .node_ids()
            .map(|n| ir.nodes[n as usize].name.clone())
            .collect(),
        classes: ir.classes.iter().map(|c| c.name.clone()).collect(),
        samples: ir.data.samples.iter().map(|s| s.name.clone()).collect(),
        axis,
        steps,
        trained,
        outcome,
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
