//! `nshed depth`: the sweep. For each depth (generated models, or the one model of a file),
//! each generated structure of that depth and each init distribution, `seeds` runs start
//! from their own random init and train by the schedule; the spread of `ln Z` across those
//! runs is taken per structure and reported against depth as the mean over structures, with
//! its confidence interval. With a frozen level every run is repeated with that level's
//! `lambda` held fixed, and accuracy, sparsity and local elasticity of the two are compared.
//! Point `p` is run `p % seeds` of init `inits[(p / seeds) % inits]` of structure
//! `(p / (inits * seeds)) % structures` at depth `depths[p / (structures * inits * seeds)]`.

use rand::RngCore;
use serde::{Deserialize, Serialize};

use super::{measure_run, spread, with_init, InitKind, Outcome, RunMeasures, Spread};
use crate::analysis::mean;
use crate::analysis::stats::{mean_ci95, MeanCi};
use crate::engine::run_seed;
use crate::experiments::experiment::{Experiment, ExperimentError, Points};
use crate::experiments::generated::{generated_ir, GenShape};
use crate::experiments::streams::stream;
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
    /// Runs (seeds) per structure, depth and init.
    pub seeds: u64,
    /// Generated structures per depth (1 with a file).
    pub structures: u64,
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
    /// Generated structures per depth (the intervals are over them).
    pub structures: u64,
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
    /// Which generated structure of its depth.
    pub structure: u64,
    /// The init distribution.
    pub init: InitKind,
    /// Which run of its depth and init.
    pub run: u64,
    /// What the run measured.
    pub measures: RunMeasures,
}

/// `nshed depth`.
pub struct Depth;

/// Most generated structures per depth.
pub const MAX_STRUCTURES: u64 = 10_000;

impl DepthParams {
    fn per_structure(&self) -> u64 {
        (self.inits.len() as u64).saturating_mul(self.seeds)
    }

    fn per_depth(&self) -> u64 {
        self.per_structure().saturating_mul(self.structures)
    }

    /// Depth, structure, init and run of point `point`.
    fn point(&self, point: u64) -> Option<(usize, u64, InitKind, u64)> {
        let (per_depth, per_structure) = (self.per_depth(), self.per_structure());
        if per_depth == 0 {
            return None;
        }
        let depth = *self.depths.get(usize::try_from(point / per_depth).ok()?)?;
        let structure = (point / per_structure) % self.structures;
        let init = self.inits[((point / self.seeds) % self.inits.len() as u64) as usize];
        Some((depth, structure, init, point % self.seeds))
    }

    /// The generator seed of a structure: the base seed for the first (the one structure
    /// of a sweep without `structures`), a stream of it for the others.
    fn structure_seed(&self, structure: u64) -> u64 {
        if structure == 0 {
            self.seed
        } else {
            stream(self.seed, "depth structure", structure).next_u64()
        }
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
        if !(1..=MAX_STRUCTURES).contains(&params.structures) {
            return Err(format!(
                "{} structures per depth is not 1 to {MAX_STRUCTURES}",
                params.structures
            ));
        }
        match &params.source {
            ModelSource::Generated { shape, steps } if !params.depths.is_empty() => {
                shape.validate(&params.depths, *steps)
            }
            ModelSource::File { .. } if params.depths.len() == 1 && params.structures == 1 => {
                Ok(())
            }
            _ => Err(format!(
                "{} depths for this source of models",
                params.depths.len()
            )),
        }
    }

    fn check_point(params: &DepthParams, index: u64, point: &DepthPoint) -> Result<(), String> {
        let Some((depth, structure, init, run)) = params.point(index) else {
            return Err(format!("there is no point {index}"));
        };
        if (point.depth, point.structure, point.init, point.run) != (depth, structure, init, run) {
            return Err(format!(
                "it is labelled depth {}, structure {}, init {}, run {}, but point {index} is depth {depth}, structure {structure}, init {}, run {run}",
                point.depth,
                point.structure,
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
    if !(1..=MAX_STRUCTURES).contains(&options.structures) {
        return Err(ExperimentError::options(
            format!(
                "{} structures per depth is not 1 to {MAX_STRUCTURES}",
                options.structures
            ),
            "give --structures K with 1 <= K <= 10000",
        ));
    }
    if options.structures > 1 && matches!(models, DepthModels::File { .. }) {
        return Err(ExperimentError::options(
            "a model file has one structure",
            "--structures K generates K models per depth: use it with --depths",
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
                source_sha256: compiled.identity(),
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
            structures: options.structures,
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
        let (depth, structure, init, run) =
            p.point(point).ok_or_else(|| fail("out of range".into()))?;
        let ir = match (&self.base, &p.source) {
            (Some(ir), _) => ir.clone(),
            (None, ModelSource::Generated { shape, steps }) => {
                let seed = p.structure_seed(structure);
                generated_ir(&shape.params(depth, *steps, seed)).map_err(fail)?
            }
            (None, ModelSource::File { .. }) => {
                return Err(fail("the model file is missing".into()))
            }
        };
        let ir = with_init(&ir, init);
        // Runs of different structures draw from different streams.
        let stream_index = structure * p.seeds + run;
        Ok(DepthPoint {
            depth,
            structure,
            init,
            run,
            measures: measure_run(&ir, p.seed, stream_index, p.freeze.as_ref().map(|f| f.0)),
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
    /// Runs in all (structures times seeds).
    pub runs: usize,
    /// Generated structures.
    pub structures: usize,
    /// Spread of `ln Z` across runs (mean over (sample, class) of the sd across runs),
    /// the mean over structures.
    pub ln_z_spread: Option<f64>,
    /// Half-width of its 95% interval (Student's t over structures; `None` with one).
    pub ln_z_spread_ci95: Option<f64>,
    /// The spread of each structure, with its counts of undefined logits.
    pub ln_z_per_structure: Vec<Spread>,
    /// The share of logits that are exactly 0 (mean over structures): the spread above is
    /// over the others.
    pub ln_z_undefined_share: f64,
    /// The same for the probabilities `p` (always defined).
    pub p_spread: Option<f64>,
    /// Half-width of its 95% interval (Student's t over structures; `None` with one).
    pub p_spread_ci95: Option<f64>,
    /// Accuracy on the data, mean over runs (`None` with no data).
    pub accuracy: Option<f64>,
    /// Effective number of nodes of the top feature level (level L-1), mean over runs.
    pub effective_nodes_top: Option<f64>,
    /// The same runs with the level frozen, when `--freeze` was given.
    pub freeze: Option<FreezeCell>,
    /// The runs' metrics on the model's test set; `None` (left out) without one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub test: Option<TestSummary>,
}

/// Test metrics of a cell's runs: means over the runs with their 95% intervals (Student's
/// t over the runs).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct TestSummary {
    /// Test samples (per run: noisy copies are drawn per run's seed).
    pub samples: usize,
    /// Accuracy on the test samples.
    pub accuracy: MeanCi,
    /// Mean `-ln p_label` of the test samples.
    pub loss: MeanCi,
    /// The generalisation gap: data accuracy minus test accuracy.
    pub gap: MeanCi,
}

/// The [`TestSummary`] of runs' outcomes; `None` when they have no test metrics.
fn test_summary(outcomes: &[&Outcome]) -> Option<TestSummary> {
    let tests: Vec<&crate::metrics::Generalisation> =
        outcomes.iter().filter_map(|o| o.test.as_ref()).collect();
    let first = tests.first()?;
    let of = |f: &dyn Fn(&crate::metrics::Generalisation) -> Option<f64>| {
        MeanCi::of(&tests.iter().filter_map(|g| f(g)).collect::<Vec<f64>>())
    };
    Some(TestSummary {
        samples: first.test.samples,
        accuracy: of(&|g| g.test.accuracy),
        loss: of(&|g| g.test.loss),
        gap: of(&|g| g.gap),
    })
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
    /// The frozen runs' metrics on the test set (the trained runs' are the cell's `test`);
    /// `None` (left out) without one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub frozen_test: Option<TestSummary>,
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
    /// Generated structures per depth (the intervals are over them).
    pub structures: u64,
    /// The frozen level's name, when one is frozen.
    pub frozen_level: Option<String>,
    /// Every (depth, init) cell.
    pub cells: Vec<Cell>,
}

fn max(xs: impl Iterator<Item = f64>) -> Option<f64> {
    xs.fold(None, |m, x| Some(m.map_or(x, |m: f64| m.max(x))))
}

/// The spread of `ln Z` and of `p` of each structure's runs.
fn structure_spreads(structures: u64, runs: &[&DepthPoint]) -> (Vec<Spread>, Vec<Spread>) {
    (0..structures)
        .map(|s| {
            let of: Vec<&RunMeasures> = runs
                .iter()
                .filter(|r| r.structure == s)
                .map(|r| &r.measures)
                .collect();
            let ln_z: Vec<&[Option<f64>]> = of.iter().map(|m| m.ln_z.as_slice()).collect();
            let p: Vec<Vec<Option<f64>>> = of
                .iter()
                .map(|m| m.p.iter().map(|&x| Some(x)).collect())
                .collect();
            let p: Vec<&[Option<f64>]> = p.iter().map(Vec::as_slice).collect();
            (spread(&ln_z), spread(&p))
        })
        .unzip()
}

/// The mean over structures of their spreads, and its 95% half-width.
fn over_structures(spreads: &[Spread]) -> (Option<f64>, Option<f64>) {
    let values: Vec<f64> = spreads.iter().filter_map(|s| s.mean_sd).collect();
    if values.len() < spreads.len() {
        return (mean(values.iter().copied()), None);
    }
    (mean(values.iter().copied()), mean_ci95(&values))
}

fn freeze_cell(runs: &[&RunMeasures]) -> FreezeCell {
    let top = |o: &Outcome| o.effective_nodes.last().copied();
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
        frozen_test: test_summary(&frozen),
    }
}

fn cell(params: &DepthParams, depth: usize, init: InitKind, points: &[&DepthPoint]) -> Cell {
    let runs: Vec<&RunMeasures> = points.iter().map(|r| &r.measures).collect();
    let (ln_z, p) = structure_spreads(params.structures, points);
    let (ln_z_spread, ln_z_spread_ci95) = over_structures(&ln_z);
    let (p_spread, p_spread_ci95) = over_structures(&p);
    let top = |o: &Outcome| o.effective_nodes.last().copied();
    Cell {
        depth,
        init: init.name(),
        runs: runs.len(),
        structures: params.structures as usize,
        ln_z_spread,
        ln_z_spread_ci95,
        ln_z_undefined_share: mean(ln_z.iter().map(|s| s.undefined_share)).unwrap_or(0.0),
        ln_z_per_structure: ln_z,
        p_spread,
        p_spread_ci95,
        accuracy: mean(runs.iter().filter_map(|m| m.trained.accuracy)),
        effective_nodes_top: mean(runs.iter().filter_map(|m| top(&m.trained))),
        freeze: params.freeze.as_ref().map(|_| freeze_cell(&runs)),
        test: test_summary(&runs.iter().map(|m| &m.trained).collect::<Vec<_>>()),
    }
}

fn report(params: &DepthParams, results: &[DepthPoint]) -> DepthReport {
    let mut cells = Vec::new();
    for &depth in &params.depths {
        for &init in &params.inits {
            let points: Vec<&DepthPoint> = results
                .iter()
                .filter(|r| r.depth == depth && r.init == init)
                .collect();
            cells.push(cell(params, depth, init, &points));
        }
    }
    DepthReport {
        experiment: Depth::NAME,
        source: params.source.clone(),
        seed: params.seed,
        seeds: params.seeds,
        structures: params.structures,
        frozen_level: params.freeze.as_ref().map(|f| f.1.clone()),
        cells,
    }
}
