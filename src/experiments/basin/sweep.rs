//! `nshed basin`: the setup both basin sweeps share (options, the scheduled model, a pool of
//! scratch spaces) and the grid sweep (one training run per grid point, coloured by
//! outcome). The uncertainty sweep is in `pairs.rs`.

use std::collections::BTreeMap;
use std::sync::Mutex;

use serde::{Deserialize, Serialize};

use super::{grid_cell, Axis, Basin, OutcomeKind, Workspace};
use crate::check::suggest::closest;
use crate::engine::run_seed;
use crate::experiments::experiment::{Experiment, ExperimentError, Points};
use crate::experiments::schedule::{total_steps, with_schedule};
use crate::experiments::sweep::{self, Outcome, SweepOptions};
use crate::ir::Ir;
use crate::progress::Progress;
use crate::Compiled;

/// Largest grid side (a 4096 x 4096 grid is 16.7 million runs).
pub const MAX_GRID: u64 = 4096;

/// Options shared by both basin sweeps.
#[derive(Clone, Debug, PartialEq)]
pub struct BasinOptions {
    /// The two nodes whose initial lambda is varied: A (x axis) and B (y axis).
    pub nodes: Vec<String>,
    /// The range of both initial lambdas, and whether the grid is spaced in ln lambda.
    pub axis: Axis,
    /// Total training steps instead of the file's (phases scaled in proportion).
    pub steps: Option<u64>,
    /// What classifies a run: its top node or its predictions.
    pub outcome: OutcomeKind,
    /// Classify the initial states instead of training.
    pub no_train: bool,
    /// Seed of the one random stream every run uses (the file's seed, or 0, when `None`).
    pub seed: Option<u64>,
}

impl BasinOptions {
    /// The checks that need no model (a front end can run them before reading the file).
    pub fn validate(&self) -> Result<(), ExperimentError> {
        if self.nodes.len() != 2 {
            return Err(ExperimentError::options(
                format!(
                    "--nodes takes exactly two nodes A,B, got {}",
                    self.nodes.len()
                ),
                "e.g. --nodes p1,p3",
            ));
        }
        self.axis.check().map_err(|fault| {
            let help = match fault {
                AxisFault::Order => "give e.g. --range 0..0.02",
                AxisFault::Log => "give e.g. --range 1e-4..1 with --log",
            };
            ExperimentError::options(self.axis.describe(fault), help)
        })
    }
}

/// What is wrong with an axis.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AxisFault {
    /// Not `0 <= lo < hi` (finite).
    Order,
    /// A log axis starting at 0.
    Log,
}

impl Axis {
    /// Whether the axis is a range a sweep can run over.
    pub fn check(&self) -> Result<(), AxisFault> {
        let Axis { lo, hi, log } = *self;
        if !(lo.is_finite() && hi.is_finite() && 0.0 <= lo && lo < hi) {
            return Err(AxisFault::Order);
        }
        if log && lo <= 0.0 {
            return Err(AxisFault::Log);
        }
        Ok(())
    }

    /// The fault, in words.
    pub fn describe(&self, fault: AxisFault) -> String {
        let Axis { lo, hi, .. } = *self;
        match fault {
            AxisFault::Order => format!("the range {lo}..{hi} is not 0 <= LO < HI"),
            AxisFault::Log => format!("--log needs a range above 0, got {lo}..{hi}"),
        }
    }
}

/// What every point of a basin sweep and its finishing step depend on; shard files carry it
/// so that `nshed merge` needs no model file.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Setup {
    /// The model's name.
    pub model: String,
    /// SHA-256 of the model source.
    pub source_sha256: String,
    /// The seed of the sweep.
    pub seed: u64,
    /// A and B.
    pub nodes: [String; 2],
    /// Their level and its nodes (the `top` outcomes).
    pub level: String,
    /// The nodes of that level.
    pub level_nodes: Vec<String>,
    /// The classes' names.
    pub classes: Vec<String>,
    /// Data sample names (the `predictions` outcome is one class per sample).
    pub samples: Vec<String>,
    /// The range of both initial lambdas.
    pub axis: Axis,
    /// Training steps per run (0 without training).
    pub steps: u64,
    /// Whether the runs trained (false with `--no-train`).
    pub trained: bool,
    /// What classifies a run.
    pub outcome: OutcomeKind,
}

impl Setup {
    /// Whether `key` can be an outcome of this setup.
    /// Whether the setup read back from shard files can be a sweep's: two distinct nodes
    /// of the listed level, a valid axis.
    pub(super) fn check(&self) -> Result<(), String> {
        let [a, b] = &self.nodes;
        if a == b || !self.level_nodes.contains(a) || !self.level_nodes.contains(b) {
            return Err(format!(
                "the nodes `{a}` and `{b}` are not two nodes of level `{}`",
                self.level
            ));
        }
        self.axis.check().map_err(|fault| self.axis.describe(fault))
    }

    fn check_key(&self, key: &[u32]) -> Result<(), String> {
        let fits = match self.outcome {
            OutcomeKind::Top => key.len() == 1 && (key[0] as usize) < self.level_nodes.len(),
            OutcomeKind::Predictions => {
                key.len() == self.samples.len()
                    && key
                        .iter()
                        .all(|&c| (c as usize) < self.classes.len() || c == super::NO_CLASS)
            }
        };
        if fits {
            Ok(())
        } else {
            Err(format!("{key:?} is not an outcome of this basin"))
        }
    }
}

/// Parameters of the grid sweep.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct GridParams {
    /// What the sweep depends on.
    #[serde(flatten)]
    pub setup: Setup,
    /// The grid's side: `grid * grid` runs.
    pub grid: u64,
}

/// The basin grid sweep.
pub struct BasinGrid;

impl Experiment for BasinGrid {
    const NAME: &'static str = "basin";
    type Params = GridParams;
    type Point = Vec<u32>;
    type Report = GridReport;

    fn total_points(params: &GridParams) -> u64 {
        params.grid.saturating_mul(params.grid)
    }

    fn check_params(params: &GridParams) -> Result<(), String> {
        if !(1..=MAX_GRID).contains(&params.grid) {
            return Err(format!("a grid of {0} x {0} points", params.grid));
        }
        params.setup.check()
    }

    fn check_point(params: &GridParams, _index: u64, key: &Vec<u32>) -> Result<(), String> {
        params.setup.check_key(key)
    }

    fn finish(params: &GridParams, points: Vec<Vec<u32>>) -> Result<GridReport, ExperimentError> {
        Ok(grid_report(params, &points))
    }
}

/// The scheduled model of a basin and its setup, shared by both sweeps.
pub(super) struct Prepared {
    pub(super) ir: Ir,
    pub(super) a: usize,
    pub(super) b: usize,
    pub(super) seed: u64,
    pub(super) setup: Setup,
}

/// Node ids of A and B: two distinct non-class nodes of one level.
fn resolve_nodes(ir: &Ir, names: &[String]) -> Result<(usize, usize), ExperimentError> {
    let [a, b] = names else {
        return Err(ExperimentError::options(
            format!("--nodes takes two nodes, got {}", names.len()),
            "e.g. --nodes p1,p3",
        ));
    };
    let find = |name: &str| -> Result<usize, ExperimentError> {
        if let Some(id) = ir.nodes.iter().position(|n| n.name == name) {
            return Ok(id);
        }
        if ir.classes.iter().any(|c| c.name == name) {
            return Err(ExperimentError::model(
                format!("`{name}` is a class; a basin varies the initial lambda of feature nodes"),
                "pick two nodes of one feature level",
            ));
        }
        let help = match closest(name, ir.nodes.iter().map(|n| n.name.as_str())) {
            Some(s) => format!("did you mean `{s}`?"),
            None => "`nshed ir FILE` lists the nodes".to_string(),
        };
        Err(ExperimentError::model(
            format!("unknown node `{name}`"),
            help,
        ))
    };
    let (ia, ib) = (find(a)?, find(b)?);
    if ia == ib {
        return Err(ExperimentError::model(
            format!("--nodes names `{a}` twice"),
            "give two different nodes of one level",
        ));
    }
    let (la, lb) = (ir.nodes[ia].level, ir.nodes[ib].level);
    if la != lb {
        return Err(ExperimentError::model(
            format!(
                "`{a}` is in level `{}` but `{b}` is in level `{}`",
                ir.levels[la as usize].name, ir.levels[lb as usize].name
            ),
            "the two nodes compete within one level: pick both from the same level",
        ));
    }
    Ok((ia, ib))
}

pub(super) fn prepare(
    compiled: &Compiled,
    options: &BasinOptions,
) -> Result<Prepared, ExperimentError> {
    options.validate()?;
    let (a, b) = resolve_nodes(&compiled.ir, &options.nodes)?;
    let trained = !options.no_train;
    if trained && compiled.ir.train.is_none() {
        return Err(ExperimentError::model(
            format!(
                "`{}` has no `train` block, so there is nothing to train",
                compiled.source.name
            ),
            "add a `train` block, or pass --no-train to classify the initial states",
        ));
    }
    let ir = with_schedule(&compiled.ir, None, options.steps);
    let seed = run_seed(&ir, options.seed);
    let level = &ir.levels[ir.nodes[a].level as usize];
    let setup = Setup {
        model: ir.model.clone(),
        source_sha256: compiled.identity(),
        seed,
        nodes: [ir.nodes[a].name.to_string(), ir.nodes[b].name.to_string()],
        level: level.name.clone(),
        level_nodes: level
            .node_ids()
            .map(|n| ir.nodes[n as usize].name.to_string())
            .collect(),
        classes: ir.classes.iter().map(|c| c.name.clone()).collect(),
        samples: ir.data.samples.iter().map(|s| s.name.clone()).collect(),
        axis: options.axis,
        steps: if trained { total_steps(&ir) } else { 0 },
        trained,
        outcome: options.outcome,
    };
    Ok(Prepared {
        ir,
        a,
        b,
        seed,
        setup,
    })
}

impl Prepared {
    pub(super) fn basin(&self) -> Basin<'_> {
        Basin::new(
            &self.ir,
            self.seed,
            self.a,
            self.b,
            self.setup.outcome,
            self.setup.trained,
        )
    }
}

/// The runs of a basin sweep: one shared setup, and a pool of per-worker scratch spaces.
pub(super) struct Runs<'b, 'ir, P> {
    basin: &'b Basin<'ir>,
    pool: Mutex<Vec<Workspace<'b, 'ir>>>,
    pub(super) params: P,
}

impl<'b, 'ir, P> Runs<'b, 'ir, P> {
    pub(super) fn new(basin: &'b Basin<'ir>, params: P) -> Self {
        Runs {
            basin,
            pool: Mutex::new(Vec::new()),
            params,
        }
    }

    /// The outcome of the run from `lambda[A] = x`, `lambda[B] = y`.
    pub(super) fn outcome(&self, x: f64, y: f64) -> Vec<u32> {
        // A poisoned lock only means another worker panicked; the pool is still a list.
        let taken = self.pool.lock().unwrap_or_else(|e| e.into_inner()).pop();
        let mut work = taken.unwrap_or_else(|| Workspace::new(self.basin.model()));
        let result = self.basin.outcome_with(&mut work, x, y);
        self.pool
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(work);
        result
    }
}

/// The basin grid of `compiled`: `n x n` runs.
pub fn grid(
    compiled: &Compiled,
    options: &BasinOptions,
    n: u64,
    sweep_options: &SweepOptions,
    progress: &dyn Progress,
) -> Result<Outcome<BasinGrid>, ExperimentError> {
    if !(1..=MAX_GRID).contains(&n) {
        return Err(ExperimentError::options(
            format!("a grid of {n} x {n} points is not 1 to {MAX_GRID} per side"),
            "give --grid N with 1 <= N <= 4096",
        ));
    }
    let prepared = prepare(compiled, options)?;
    let params = GridParams {
        setup: prepared.setup.clone(),
        grid: n,
    };
    let basin = prepared.basin();
    sweep::run(&Runs::new(&basin, params), sweep_options, progress)
}

impl Points<BasinGrid> for Runs<'_, '_, GridParams> {
    fn params(&self) -> &GridParams {
        &self.params
    }

    fn run_point(&self, p: u64) -> Result<Vec<u32>, String> {
        let n = self.params.grid;
        let axis = &self.params.setup.axis;
        let (col, row) = grid_cell(p, n);
        Ok(self.outcome(axis.cell_centre(col, n), axis.cell_centre(row, n)))
    }
}

/// One distinct outcome of a grid.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OutcomeEntry {
    /// The outcome, as a report names it.
    pub label: String,
    /// The colour it is drawn in.
    pub colour: String,
    /// How many grid points end in it.
    pub points: u64,
    /// Their share of the grid.
    pub share: f64,
}

/// The report of a grid sweep.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GridReport {
    /// `basin`.
    pub experiment: &'static str,
    /// What the sweep depended on.
    #[serde(flatten)]
    pub setup: Setup,
    /// The grid's side.
    pub grid: u64,
    /// `lambda` at the cell centres (the same for both axes).
    pub lambdas: Vec<f64>,
    /// Distinct outcomes, in legend order (sorted by their key).
    pub outcomes: Vec<OutcomeEntry>,
    /// `cells[row][col]`: index into `outcomes`; row 0 has the smallest `lambda[B]`.
    pub cells: Vec<Vec<usize>>,
}

/// The label of an outcome key.
fn outcome_label(setup: &Setup, key: &[u32]) -> String {
    let name = |names: &[String], i: u32| {
        names
            .get(i as usize)
            .cloned()
            .unwrap_or_else(|| format!("#{i}"))
    };
    match setup.outcome {
        OutcomeKind::Top => key
            .first()
            .map_or_else(|| "-".to_string(), |&i| name(&setup.level_nodes, i)),
        OutcomeKind::Predictions if key.is_empty() => "(no samples)".to_string(),
        OutcomeKind::Predictions => key
            .iter()
            .map(|&c| {
                if c == super::NO_CLASS {
                    "-".to_string()
                } else {
                    name(&setup.classes, c)
                }
            })
            .collect::<Vec<_>>()
            .join(" "),
    }
}

fn grid_report(params: &GridParams, results: &[Vec<u32>]) -> GridReport {
    let setup = &params.setup;
    let n = params.grid as usize;
    let mut counts: BTreeMap<&[u32], u64> = BTreeMap::new();
    for key in results {
        *counts.entry(key.as_slice()).or_insert(0) += 1;
    }
    let index: BTreeMap<&[u32], usize> = counts.keys().enumerate().map(|(i, &k)| (k, i)).collect();
    let outcomes: Vec<OutcomeEntry> = counts
        .iter()
        .enumerate()
        .map(|(i, (key, &points))| OutcomeEntry {
            label: outcome_label(setup, key),
            colour: super::outcome_hex(i),
            points,
            share: points as f64 / results.len() as f64,
        })
        .collect();
    let cells: Vec<usize> = results.iter().map(|k| index[k.as_slice()]).collect();
    GridReport {
        experiment: BasinGrid::NAME,
        setup: setup.clone(),
        grid: params.grid,
        lambdas: (0..params.grid)
            .map(|i| setup.axis.cell_centre(i, params.grid))
            .collect(),
        outcomes,
        cells: cells.chunks(n.max(1)).map(<[usize]>::to_vec).collect(),
    }
}
