//! `nshed fool --depths`: fooling inputs and output collapse of generated models of growing
//! depth. Point `p` is model `p % models` of depth `depths[p / models]`: generated, trained,
//! then judged on random patterns.

use rand::RngCore;
use serde::{Deserialize, Serialize};

use super::file::StatsRow;
use super::{random_block, FoolCriteria, Fooler, PatternStats};
use crate::engine::{Model, State, Trainer};
use crate::experiments::experiment::{Experiment, ExperimentError, Points};
use crate::experiments::generated::{generated_ir, GenShape};
use crate::experiments::streams::stream;
use crate::experiments::sweep::{self, Outcome, SweepOptions};
use crate::progress::Progress;

/// Options of `nshed fool --depths`.
#[derive(Clone, Debug, PartialEq)]
pub struct DepthsOptions {
    /// Numbers of levels of the generated models.
    pub depths: Vec<usize>,
    /// Generated models per depth.
    pub models: u64,
    /// Training steps of every generated model.
    pub steps: u64,
    /// Seed of every stream (0 when `None`); also picks the generated models.
    pub seed: Option<u64>,
    /// Random patterns judged per model.
    pub samples: u64,
    /// Probability that an input fires in a random pattern.
    pub density: f64,
    /// What counts as a fooling input.
    pub criteria: FoolCriteria,
    /// The rest of the generated models' shape.
    pub shape: GenShape,
}

/// Everything the finishing step of `nshed fool --depths` needs.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DepthsParams {
    /// Numbers of levels of the generated models.
    pub depths: Vec<usize>,
    /// Generated models per depth.
    pub models: u64,
    /// Training steps of every model.
    pub steps: u64,
    /// The base seed.
    pub seed: u64,
    /// Random patterns judged per model.
    pub samples: u64,
    /// Probability that an input fires in a random pattern.
    pub density: f64,
    /// What counts as a fooling input.
    pub criteria: FoolCriteria,
    /// The rest of the models' shape.
    pub shape: GenShape,
}

/// One generated model of one depth.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct DepthPoint {
    /// The model's number of levels.
    pub depth: usize,
    /// Which model of its depth.
    pub model: u64,
    /// The seed it was generated and trained with.
    pub model_seed: u64,
    /// Its accuracy on its data after training.
    pub accuracy: Option<f64>,
    /// The counts of its judged patterns.
    pub stats: PatternStats,
}

/// `nshed fool --depths`.
pub struct FoolDepths;

impl DepthsParams {
    /// The depth, model number and model seed of point `point`.
    fn point(&self, point: u64) -> Option<(usize, u64, u64)> {
        let models = self.models.max(1);
        let depth = *self.depths.get(usize::try_from(point / models).ok()?)?;
        let model_seed = stream(self.seed, "fool model", point).next_u64();
        Some((depth, point % models, model_seed))
    }
}

impl Experiment for FoolDepths {
    const NAME: &'static str = "fool-depths";
    type Params = DepthsParams;
    type Point = DepthPoint;
    type Report = DepthReport;

    fn total_points(params: &DepthsParams) -> u64 {
        (params.depths.len() as u64).saturating_mul(params.models)
    }

    fn check_params(params: &DepthsParams) -> Result<(), String> {
        params.criteria.check()?;
        super::check_density(params.density)?;
        if params.depths.is_empty() || params.models == 0 {
            return Err("no depths or no models".into());
        }
        params.shape.validate(&params.depths, params.steps)
    }

    fn check_point(params: &DepthsParams, index: u64, point: &DepthPoint) -> Result<(), String> {
        let Some((depth, model, model_seed)) = params.point(index) else {
            return Err(format!("there is no point {index}"));
        };
        if (point.depth, point.model, point.model_seed) != (depth, model, model_seed) {
            return Err(format!(
                "it is labelled depth {}, model {} (seed {}), but point {index} is depth {depth}, model {model} (seed {model_seed})",
                point.depth, point.model, point.model_seed
            ));
        }
        if point.accuracy.is_some_and(|a| !(0.0..=1.0).contains(&a)) {
            return Err("its accuracy is not in [0, 1]".into());
        }
        point.stats.check(params.shape.classes)?;
        if point.stats.drawn != params.samples {
            return Err(format!(
                "it judged {} patterns, not {}",
                point.stats.drawn, params.samples
            ));
        }
        Ok(())
    }

    fn finish(
        params: &DepthsParams,
        points: Vec<DepthPoint>,
    ) -> Result<DepthReport, ExperimentError> {
        Ok(depth_report(params, &points))
    }
}

/// `nshed fool --depths` ready to run.
pub struct DepthsRun {
    params: DepthsParams,
}

/// `nshed fool --depths`: generated models of growing depth, trained and judged (or one
/// shard of them).
pub fn depths(
    options: &DepthsOptions,
    sweep_options: &SweepOptions,
    progress: &dyn Progress,
) -> Result<Outcome<FoolDepths>, ExperimentError> {
    sweep::run(&prepare_depths(options)?, sweep_options, progress)
}

/// Checks the options and prepares the sweep (the models are generated by the points).
pub fn prepare_depths(options: &DepthsOptions) -> Result<DepthsRun, ExperimentError> {
    super::check_options(options.samples, options.density, &options.criteria)?;
    if options.models == 0 {
        return Err(ExperimentError::options(
            "0 models per depth",
            "give at least 1 generated model per depth",
        ));
    }
    options
        .shape
        .validate(&options.depths, options.steps)
        .map_err(|e| {
            ExperimentError::options(
                format!("cannot generate the models: {e}"),
                "see nshed fool --help for the shape options (--width, --inputs, --fan-in, ...)",
            )
        })?;
    Ok(DepthsRun {
        params: DepthsParams {
            depths: options.depths.clone(),
            models: options.models,
            steps: options.steps,
            seed: options.seed.unwrap_or(0),
            samples: options.samples,
            density: options.density,
            criteria: options.criteria,
            shape: options.shape.clone(),
        },
    })
}

impl Points<FoolDepths> for DepthsRun {
    fn params(&self) -> &DepthsParams {
        &self.params
    }

    fn run_point(&self, point: u64) -> Result<DepthPoint, String> {
        let p = &self.params;
        let fail = |why: String| format!("generated model of point {point}: {why}");
        let (depth, model_number, model_seed) =
            p.point(point).ok_or_else(|| fail("out of range".into()))?;
        let ir = generated_ir(&p.shape.params(depth, p.steps, model_seed)).map_err(fail)?;
        let model = Model::new(&ir);
        let mut state = State::for_run(&ir, p.seed, point);
        Trainer::new(&model).run(&mut state, &mut |_| {});
        let mut fooler = Fooler::new(&model, &state, p.criteria);
        let mut rng = stream(p.seed, "fool patterns", point);
        let stats = random_block(&mut fooler, p.samples, p.density, &mut rng);
        Ok(DepthPoint {
            depth,
            model: model_number,
            model_seed,
            accuracy: crate::report::accuracy(&model, &state),
            stats,
        })
    }
}

/// One depth of `nshed fool --depths`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct DepthRow {
    /// The number of levels.
    pub depth: usize,
    /// How many models it has.
    pub models: usize,
    /// Fooled over far patterns, pooled over the depth's models.
    pub fooling_rate: Option<f64>,
    /// Far patterns, summed over the models.
    pub far: u64,
    /// Fooling patterns, summed over the models.
    pub fooled: u64,
    /// Means over the depth's models.
    pub distinct_classes: f64,
    /// Distinct pathways fired, mean over the models.
    pub distinct_pathways: f64,
    /// Accuracy on the data, mean over the models.
    pub accuracy: Option<f64>,
}

/// One model of `nshed fool --depths`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ModelRow {
    /// The model's number of levels.
    pub depth: usize,
    /// Which model of its depth.
    pub model: u64,
    /// The seed it was generated and trained with.
    pub model_seed: u64,
    /// Its accuracy on its data after training.
    pub accuracy: Option<f64>,
    /// The counts of its judged patterns.
    #[serde(flatten)]
    pub stats: StatsRow,
}

/// The report of `nshed fool --depths`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct DepthReport {
    /// `fool-depths`.
    pub experiment: &'static str,
    /// The base seed.
    pub seed: u64,
    /// Generated models per depth.
    pub models_per_depth: u64,
    /// Training steps of every model.
    pub steps: u64,
    /// Random patterns judged per model.
    pub samples: u64,
    /// Probability that an input fires in a random pattern.
    pub density: f64,
    /// Smallest Hamming distance to every training pattern of a fooling input.
    pub min_distance: usize,
    /// Smallest probability of the predicted class of a fooling input.
    pub threshold: f64,
    /// The rest of the models' shape.
    pub shape: GenShape,
    /// One row per depth.
    pub depths: Vec<DepthRow>,
    /// One row per model.
    pub models: Vec<ModelRow>,
}

fn depth_report(params: &DepthsParams, results: &[DepthPoint]) -> DepthReport {
    use crate::analysis::mean;
    let depths = params
        .depths
        .iter()
        .map(|&d| {
            let of_depth: Vec<&DepthPoint> = results.iter().filter(|r| r.depth == d).collect();
            let far: u64 = of_depth.iter().map(|r| r.stats.far).sum();
            let fooled: u64 = of_depth.iter().map(|r| r.stats.fooled).sum();
            DepthRow {
                depth: d,
                models: of_depth.len(),
                fooling_rate: (far > 0).then(|| fooled as f64 / far as f64),
                far,
                fooled,
                distinct_classes: mean(of_depth.iter().map(|r| r.stats.distinct_classes() as f64))
                    .unwrap_or(0.0),
                distinct_pathways: mean(
                    of_depth.iter().map(|r| r.stats.distinct_pathways() as f64),
                )
                .unwrap_or(0.0),
                accuracy: mean(of_depth.iter().filter_map(|r| r.accuracy)),
            }
        })
        .collect();
    let models = results
        .iter()
        .map(|r| ModelRow {
            depth: r.depth,
            model: r.model,
            model_seed: r.model_seed,
            accuracy: r.accuracy,
            stats: StatsRow::of(&r.stats),
        })
        .collect();
    DepthReport {
        experiment: FoolDepths::NAME,
        seed: params.seed,
        models_per_depth: params.models,
        steps: params.steps,
        samples: params.samples,
        density: params.density,
        min_distance: params.criteria.min_distance,
        threshold: params.criteria.threshold,
        shape: params.shape.clone(),
        depths,
        models,
    }
}
