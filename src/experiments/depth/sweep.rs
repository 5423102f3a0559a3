//! `nshed depth`: the sweep. For each depth (generated models, or the one model of a file)
//! and each init distribution, `seeds` runs start from their own random init and train by
//! the schedule; the spread of `ln Z` across those runs is reported against depth. With a
//! frozen level every run is repeated with that level's `lambda` held fixed, and accuracy,
//! sparsity and local elasticity of the two are compared. Point `p` is run `p % seeds` of
//! init `inits[(p / seeds) % inits]` at depth `depths[p / (inits * seeds)]`.

use serde::{Deserialize, Serialize};

use super::{measure_run, spread, with_init, InitKind, Outcome, RunMeasures, Spread};
use crate::analysis::mean;
use crate::engine::run_seed;
use crate::experiments::experiment::{Experiment, ExperimentError, Points};
use crate::experiments::generated::{generated_ir, GenShape};
use crate::experiments::sweep::{self, SweepOptions};
use crate::ir::Ir;
use crate::progress::Progress;
use crate::Compiled;

/// Where the runs' models come from.
#[derive(Clone, Copy, Debug)]
pub enum DepthModels<'a> {
    /// One model file (its init is replaced by each distribution; it trains by its
    /// schedule unless `no_train`).
    File {
        /// The model.
        compiled: &'a Compiled,
        /// Judge the initial states: do not train.
        no_train: bool,
    },
    /// Generated models with these numbers of levels, trained `steps` steps.
    Generated {
        /// The numbers of levels.
        depths: &'a [usize],
        /// The rest of the models' shape.
        shape: &'a GenShape,
        /// Training steps per run.
        steps: u64,
    },
}

/// Options of `nshed depth`.
#[derive(Clone, Debug, PartialEq)]
pub struct DepthOptions {
    /// Init distributions, each at most once.
    pub inits: Vec<InitKind>,
    /// Runs (seeds) per depth and init.
    pub seeds: u64,
    /// Also train every run with this level's lambda frozen: a level number (1 = input
    /// level) or a level name.
    pub freeze: Option<String>,
    /// Base seed (the file's seed, or 0, when `None`).
    pub seed: Option<u64>,
}

/// Where the runs' models came from, as reports and shard files name it.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "snake_case")]
pub enum ModelSource {
    /// One model file.
    File {
        /// The model's name.
        model: String,
        /// SHA-256 of its source.
        source_sha256: String,
        /// Whether the runs trained.
        trained: bool,
    },
    /// Generated models.
    Generated {
        /// Their shape (but for the number of levels).
        shape: GenShape,
        /// Training steps per run.
        steps: u64,
    },
}

/// Everything the finishing step needs.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DepthParams {
    /// Where the models come from.
    pub source: ModelSource,
    /// The numbers of levels (one, the file's, for a model file).
    pub depths: Vec<usize>,
    /// The init distributions.
    pub inits: Vec<InitKind>,
    /// Runs per depth and init.
    pub seeds: u64,
    /// The base seed.
    pub seed: u64,
    /// The frozen level (0 = input level) and its name.
    pub freeze: Option<(usize, String)>,
}

/// One run.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct DepthPoint {
    /// The model's number of levels.
    pub depth: usize,
    /// The init distribution.
    pub init: InitKind,
    /// Which run of its depth and init.
    pub run: u64,
    /// What the run measured.
    pub measures: RunMeasures,
}

/// `nshed depth`.
pub struct Depth;

impl DepthParams {
    fn per_depth(&self) -> u64 {
        (self.inits.len() as u64).saturating_mul(self.seeds)
    }

    /// Depth, init and run of point `point`.
    fn point(&self, point: u64) -> Option<(usize, InitKind, u64)> {
        let per_depth = self.per_depth();
        if per_depth == 0 {
            return None;
        }
        let depth = *self.depths.get(usize::try_from(point / per_depth).ok()?)?;
        let init = self.inits[((point / self.seeds) % self.inits.len() as u64) as usize];
        Some((depth, init, point % self.seeds))
    }
}

impl Experiment for Depth {
    const NAME: &'static str = "depth";
    type Params = DepthParams;
    type Point = DepthPoint;
    type Report = DepthReport;

    fn total_points(params: &DepthParams) -> u64 {
        (params.depths.len() as u64).saturating_mul(params.per_depth())
    }

    fn check_params(params: &DepthParams) -> Result<(), String> {
        if params.inits.is_empty() || params.seeds == 0 {
            return Err("no init distributions or no runs".into());
        }
        match &params.source {
            ModelSource::Generated { shape, steps } if !params.depths.is_empty() => {
                shape.validate(&params.depths, *steps)
            }
            ModelSource::File { .. } if params.depths.len() == 1 => Ok(()),
            _ => Err(format!(
                "{} depths for this source of models",
                params.depths.len()
            )),
        }
    }

    fn check_point(params: &DepthParams, index: u64, point: &DepthPoint) -> Result<(), String> {
        let Some((depth, init, run)) = params.point(index) else {
            return Err(format!("there is no point {index}"));
        };
        if (point.depth, point.init, point.run) != (depth, init, run) {
            return Err(format!(
                "it is labelled depth {}, init {}, run {}, but point {index} is depth {depth}, init {}, run {run}",
                point.depth,
                point.init.name(),
                point.run,
                init.name()
            ));
        }
        let m = &point.measures;
        if m.ln_z.len() != m.p.len() || m.p.iter().any(|p| !(0.0..=1.0).contains(p)) {
            return Err("its logits and probabilities do not fit together".into());
        }
        if m.frozen.is_some() != params.freeze.is_some() {
            return Err("it does not match the sweep's --freeze".into());
        }
        Ok(())
    }

    fn finish(
        params: &DepthParams,
        points: Vec<DepthPoint>,
    ) -> Result<DepthReport, ExperimentError> {
        Ok(report(params, &points))
    }
}

/// `nshed depth` ready to run.
pub struct DepthRun {
    params: DepthParams,
    /// The file's model (init and schedule as the runs use them), or `None` for generated
    /// models.
    base: Option<Ir>,
}

/// The frozen level of `spec` (0-based) among feature levels `names`, or an error message.
fn resolve_level(spec: &str, names: &[String]) -> Result<(usize, String), String> {
    if let Ok(k) = spec.trim().parse::<usize>() {
        if k >= 1 && k <= names.len() {
            return Ok((k - 1, names[k - 1].clone()));
        }
        return Err(format!(
            "level {k} cannot be frozen: the feature levels are 1 to {}",
            names.len()
        ));
    }
    match names.iter().position(|n| n == spec.trim()) {
        Some(i) => Ok((i, names[i].clone())),
        None => Err(format!(
            "unknown level `{spec}` (levels: {})",
            names.join(", ")
        )),
    }
}

/// `nshed depth`: the spread of the logits across seeds per depth and init (or one shard
/// of the sweep).
pub fn run(
    models: DepthModels,
    options: &DepthOptions,
    sweep_options: &SweepOptions,
    progress: &dyn Progress,
) -> Result<sweep::Outcome<Depth>, ExperimentError> {
    sweep::run(&prepare(models, options)?, sweep_options, progress)
}

/// Checks the options and prepares the sweep.
pub fn prepare(models: DepthModels, options: &DepthOptions) -> Result<DepthRun, ExperimentError> {
    let inits = options.inits.clone();
    let repeated = inits
        .iter()
        .enumerate()
        .any(|(i, kind)| inits[..i].contains(kind));
    if repeated || inits.is_empty() {
        return Err(ExperimentError::options(
            if repeated {
                "--init names a distribution twice"
            } else {
                "no init distribution to compare"
            },
            "list each of const, uniform, normal, lognormal at most once",
        ));
    }
    if options.seeds < 2 {
        return Err(ExperimentError::options(
            format!("{} seeds per depth and init give no spread", options.seeds),
            "give at least 2 seeds (runs) per depth and init",
        ));
    }
    let (seed, source, depths, base) = match models {
        DepthModels::File { compiled, no_train } => {
            let seed = run_seed(&compiled.ir, options.seed);
            let mut ir = compiled.ir.clone();
            let trained = !no_train && ir.train.is_some();
            if no_train {
                ir.train = None;
            }
            if let Some(t) = ir.train.as_mut() {
                t.record = None;
            }
            let source = ModelSource::File {
                model: ir.model.clone(),
                source_sha256: crate::persist::source_hash(&compiled.source.text),
                trained,
            };
            (seed, source, vec![ir.n_levels()], Some(ir))
        }
        DepthModels::Generated {
            depths,
            shape,
            steps,
        } => {
            shape.validate(depths, steps).map_err(|e| {
                ExperimentError::options(
                    format!("cannot generate the models: {e}"),
                    "see nshed depth --help for the shape options (--width, --inputs, --fan-in, ...)",
                )
            })?;
            let source = ModelSource::Generated {
                shape: shape.clone(),
                steps,
            };
            (options.seed.unwrap_or(0), source, depths.to_vec(), None)
        }
    };
    let freeze = match &options.freeze {
        None => None,
        Some(spec) => {
            let names: Vec<String> = match &base {
                Some(ir) => ir.levels.iter().map(|l| l.name.clone()).collect(),
                None => {
                    let shallowest = depths.iter().copied().min().unwrap_or(2);
                    (0..shallowest - 1)
                        .map(crate::gen::GenParams::level_name)
                        .collect()
                }
            };
            Some(resolve_level(spec, &names).map_err(|e| {
                ExperimentError::options(
                    e,
                    "--freeze takes a level number (1 = input level) below the class level of every model, or a level name",
                )
            })?)
        }
    };
    let trains = match &source {
        ModelSource::File { trained, .. } => *trained,
        ModelSource::Generated { steps, .. } => *steps > 0,
    };
    if freeze.is_some() && !trains {
        return Err(ExperimentError::options(
            "--freeze compares trained runs, but these runs are not trained",
            "with --depths give --steps N; with a FILE it needs a `train` block and no --no-train",
        ));
    }
    Ok(DepthRun {
        params: DepthParams {
            source,
            depths,
            inits,
            seeds: options.seeds,
            seed,
            freeze,
        },
        base,
    })
}

impl Points<Depth> for DepthRun {
    fn params(&self) -> &DepthParams {
        &self.params
    }

    fn run_point(&self, point: u64) -> Result<DepthPoint, String> {
        let p = &self.params;
        let fail = |why: String| format!("model of run {point}: {why}");
        let (depth, init, run) = p.point(point).ok_or_else(|| fail("out of range".into()))?;
        let ir = match (&self.base, &p.source) {
            (Some(ir), _) => ir.clone(),
            (None, ModelSource::Generated { shape, steps }) => {
                generated_ir(&shape.params(depth, *steps, p.seed)).map_err(fail)?
            }
            (None, ModelSource::File { .. }) => {
                return Err(fail("the model file is missing".into()))
            }
        };
        let ir = with_init(&ir, init);
        Ok(DepthPoint {
            depth,
            init,
            run,
            measures: measure_run(&ir, p.seed, run, p.freeze.as_ref().map(|f| f.0)),
        })
    }
}

/// One (depth, init) cell of `nshed depth`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Cell {
    /// The models' number of levels.
    pub depth: usize,
    /// The init distribution.
    pub init: &'static str,
    /// How many runs the cell has.
    pub runs: usize,
    /// Spread of `ln Z` across runs: mean over (sample, class) of the sd across runs.
    pub ln_z_spread: Spread,
    /// The same for the probabilities `p`.
    pub p_spread: Spread,
    /// Accuracy on the data, mean over runs.
    pub accuracy: Option<f64>,
    /// Effective number of nodes of the top feature level (level L-1), mean over runs.
    pub effective_nodes_top: Option<f64>,
    /// The same runs with the level frozen, when `--freeze` was given.
    pub freeze: Option<FreezeCell>,
}

/// Means over runs, trained as scheduled vs with the level frozen.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct FreezeCell {
    /// Accuracy on the data.
    pub accuracy: Pair,
    /// Effective number of nodes of the top feature level.
    pub effective_nodes_top: Pair,
    /// Mean local elasticity between samples of the same class.
    pub le_within: Pair,
    /// Mean local elasticity between samples of different classes.
    pub le_between: Pair,
    /// Largest change of `ln lambda` on the frozen level over all runs (0 when frozen).
    pub level_change: Pair,
}

/// A measure trained as scheduled and with the level frozen.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Pair {
    /// Trained as scheduled.
    pub trained: Option<f64>,
    /// Trained with the level frozen.
    pub frozen: Option<f64>,
}

/// The report of `nshed depth`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct DepthReport {
    /// `depth`.
    pub experiment: &'static str,
    /// Where the models came from.
    pub source: ModelSource,
    /// The base seed.
    pub seed: u64,
    /// Runs per depth and init.
    pub seeds: u64,
    /// The name of the level frozen, when one was.
    pub frozen_level: Option<String>,
    /// Every (depth, init) cell.
    pub cells: Vec<Cell>,
}

fn max(xs: impl Iterator<Item = f64>) -> Option<f64> {
    xs.fold(None, |m, x| Some(m.map_or(x, |m: f64| m.max(x))))
}

fn report(params: &DepthParams, results: &[DepthPoint]) -> DepthReport {
    let mut cells = Vec::new();
    for &depth in &params.depths {
        for &init in &params.inits {
            let runs: Vec<&RunMeasures> = results
                .iter()
                .filter(|r| r.depth == depth && r.init == init)
                .map(|r| &r.measures)
                .collect();
            let ln_z: Vec<&[Option<f64>]> = runs.iter().map(|m| m.ln_z.as_slice()).collect();
            let p_opt: Vec<Vec<Option<f64>>> = runs
                .iter()
                .map(|m| m.p.iter().map(|&x| Some(x)).collect())
                .collect();
            let p_refs: Vec<&[Option<f64>]> = p_opt.iter().map(Vec::as_slice).collect();
            let top = |o: &Outcome| o.effective_nodes.last().copied();
            let freeze = params.freeze.as_ref().map(|_| {
                let frozen: Vec<_> = runs.iter().filter_map(|m| m.frozen.as_ref()).collect();
                let pair = |f: &dyn Fn(&Outcome) -> Option<f64>| Pair {
                    trained: mean(runs.iter().filter_map(|m| f(&m.trained))),
                    frozen: mean(frozen.iter().filter_map(|o| f(o))),
                };
                FreezeCell {
                    accuracy: pair(&|o| o.accuracy),
                    effective_nodes_top: pair(&top),
                    le_within: pair(&|o| o.le_within),
                    le_between: pair(&|o| o.le_between),
                    level_change: Pair {
                        trained: max(runs.iter().filter_map(|m| m.trained.level_change)),
                        frozen: max(frozen.iter().filter_map(|o| o.level_change)),
                    },
                }
            });
            cells.push(Cell {
                depth,
                init: init.name(),
                runs: runs.len(),
                ln_z_spread: spread(&ln_z),
                p_spread: spread(&p_refs),
                accuracy: mean(runs.iter().filter_map(|m| m.trained.accuracy)),
                effective_nodes_top: mean(runs.iter().filter_map(|m| top(&m.trained))),
                freeze,
            });
        }
    }
    DepthReport {
        experiment: Depth::NAME,
        source: params.source.clone(),
        seed: params.seed,
        seeds: params.seeds,
        frozen_level: params.freeze.as_ref().map(|f| f.1.clone()),
        cells,
    }
}
