//! `nshed fool --depths`: fooling inputs and output collapse of generated models of growing
//! depth. Every depth has `models` generated structures, each trained from `train_seeds`
//! training streams; point `p` is training seed `p % train_seeds` of structure
//! `(p / train_seeds) % models` at depth `depths[p / (models * train_seeds)]`: generated,
//! trained, then judged on random patterns and on its own data (the control).

use rand::RngCore;
use serde::{Deserialize, Serialize};

use super::file::StatsRow;
use super::{random_block, Density, FoolCriteria, Fooler, PatternStats};
use crate::analysis::mean;
use crate::analysis::stats::{bootstrap_ci95, bootstrap_rate_ci95, mean_ci95, pooled_rate};
use crate::engine::{Model, State, Trainer};
use crate::experiments::experiment::{Experiment, ExperimentError, Points};
use crate::experiments::generated::{generated_ir, GenShape};
use crate::experiments::streams::stream;
use crate::experiments::sweep::{self, Outcome, SweepOptions};
use crate::progress::Progress;

/// Most training seeds per generated model.
pub const MAX_TRAIN_SEEDS: u64 = 10_000;

/// Options of `nshed fool --depths`.
#[derive(Clone, Debug, PartialEq)]
pub struct DepthsOptions {
    /// Numbers of levels of the generated models.
    pub depths: Vec<usize>,
    /// Generated models (structures with their data) per depth.
    pub models: u64,
    /// Training runs of every generated model, each from its own stream.
    pub train_seeds: u64,
    /// Training steps of every generated model.
    pub steps: u64,
    /// Seed of every stream (0 when `None`); also picks the generated models.
    pub seed: Option<u64>,
    /// Random patterns judged per trained model.
    pub samples: u64,
    /// Probability that an input fires in a random pattern.
    pub density: Density,
    /// What counts as a fooling input (minimum distance, threshold).
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
    /// Training seeds per generated model.
    pub train_seeds: u64,
    /// Training steps per model.
    pub steps: u64,
    /// The base seed.
    pub seed: u64,
    /// Random patterns judged per model.
    pub samples: u64,
    /// Probability that an input fires in a random pattern, or the data's mean density.
    pub density: Density,
    /// What counts as a fooling input (minimum distance, threshold).
    pub criteria: FoolCriteria,
    /// The rest of the models' shape.
    pub shape: GenShape,
}

/// One trained generated model of one depth.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct DepthPoint {
    /// The model's number of levels.
    pub depth: usize,
    /// Which model of its depth.
    pub model: u64,
    /// Which training seed of its model.
    pub train_seed: u64,
    /// The seed the model was generated with.
    pub model_seed: u64,
    /// The density its random patterns were drawn with.
    pub density: f64,
    /// Accuracy on its data (`None` without data).
    pub accuracy: Option<f64>,
    /// Its data samples classified with `p >= threshold`, and its data samples.
    pub confident_data: (u64, u64),
    /// The counts of its judged patterns.
    pub stats: PatternStats,
}

/// `nshed fool --depths`.
pub struct FoolDepths;

/// Where point `p` of a sweep sits.
struct Place {
    depth: usize,
    model: u64,
    train_seed: u64,
    /// The stream of its training run and patterns: the structure's number for training
    /// seed 0, so that one training seed per model is the sweep without `train_seeds`.
    run: u64,
    model_seed: u64,
}

impl DepthsParams {
    fn per_depth(&self) -> u64 {
        self.models.saturating_mul(self.train_seeds)
    }

    fn place(&self, point: u64) -> Option<Place> {
        let k = self.train_seeds.max(1);
        let models = self.models.max(1);
        let depth_index = point / self.per_depth().max(1);
        let depth = *self.depths.get(usize::try_from(depth_index).ok()?)?;
        let model = (point / k) % models;
        // The model's number across depths: its generator seed's stream.
        let structure = depth_index * models + model;
        let structures = (self.depths.len() as u64).saturating_mul(models);
        let train_seed = point % k;
        Some(Place {
            depth,
            model,
            train_seed,
            run: structure.saturating_add(train_seed.saturating_mul(structures)),
            model_seed: stream(self.seed, "fool model", structure).next_u64(),
        })
    }
}

impl Experiment for FoolDepths {
    const NAME: &'static str = "fool-depths";
    type Params = DepthsParams;
    type Point = DepthPoint;
    type Report = DepthReport;

    fn total_points(params: &DepthsParams) -> u64 {
        (params.depths.len() as u64).saturating_mul(params.per_depth())
    }

    fn check_params(params: &DepthsParams) -> Result<(), String> {
        params.criteria.check()?;
        params.density.check()?;
        if params.depths.is_empty() || params.models == 0 {
            return Err("no depths or no models".into());
        }
        if !(1..=MAX_TRAIN_SEEDS).contains(&params.train_seeds) {
            return Err(format!(
                "{} training seeds per model is not 1 to {MAX_TRAIN_SEEDS}",
                params.train_seeds
            ));
        }
        params.shape.validate(&params.depths, params.steps)
    }

    fn check_point(params: &DepthsParams, index: u64, point: &DepthPoint) -> Result<(), String> {
        let Some(place) = params.place(index) else {
            return Err(format!("there is no point {index}"));
        };
        let expected = (place.depth, place.model, place.train_seed, place.model_seed);
        let found = (point.depth, point.model, point.train_seed, point.model_seed);
        if found != expected {
            return Err(format!(
                "it is labelled depth {}, model {}, training seed {} (model seed {}), but point {index} is depth {}, model {}, training seed {} (model seed {})",
                found.0, found.1, found.2, found.3, expected.0, expected.1, expected.2, expected.3
            ));
        }
        if point.accuracy.is_some_and(|a| !(0.0..=1.0).contains(&a)) {
            return Err("its accuracy is not in [0, 1]".into());
        }
        if let Density::Fixed(q) = params.density {
            if point.density != q {
                return Err(format!("its density {} is not {q}", point.density));
            }
        }
        super::check_density(point.density)?;
        let (confident, samples) = point.confident_data;
        let expected_samples =
            params.shape.classes * params.shape.prototypes * params.shape.samples_per_prototype;
        if confident > samples || samples != expected_samples as u64 {
            return Err(format!(
                "{confident} confident of {samples} data samples (the models have {expected_samples})"
            ));
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
    if !(1..=MAX_TRAIN_SEEDS).contains(&options.train_seeds) {
        return Err(ExperimentError::options(
            format!(
                "{} training seeds per model is not 1 to {MAX_TRAIN_SEEDS}",
                options.train_seeds
            ),
            "give --train-seeds K with 1 <= K <= 10000",
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
            train_seeds: options.train_seeds,
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
        let place = p.place(point).ok_or_else(|| fail("out of range".into()))?;
        let ir =
            generated_ir(&p.shape.params(place.depth, p.steps, place.model_seed)).map_err(fail)?;
        let model = Model::new(&ir);
        let mut state = State::for_run(&ir, p.seed, place.run);
        Trainer::new(&model).run(&mut state);
        let density = p
            .density
            .resolve(&model)
            .ok_or_else(|| fail("it has no data samples".into()))?;
        let mut fooler = Fooler::new(&model, &state, p.criteria);
        let mut rng = stream(p.seed, "fool patterns", place.run);
        let stats = random_block(&mut fooler, p.samples, density, &mut rng);
        Ok(DepthPoint {
            depth: place.depth,
            model: place.model,
            train_seed: place.train_seed,
            model_seed: place.model_seed,
            density,
            accuracy: crate::report::accuracy(&model, &state),
            confident_data: fooler.confident_data(),
            stats,
        })
    }
}

/// One depth of `nshed fool --depths`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct DepthRow {
    /// The number of levels.
    pub depth: usize,
    /// Trained models (structures times training seeds).
    pub models: usize,
    /// Fooled over far patterns, pooled over the depth's models.
    pub fooling_rate: Option<f64>,
    /// 95% percentile-bootstrap interval of the pooled rate, resampling the structures
    /// (each with all its training seeds); `None` with one structure.
    pub fooling_rate_ci95: Option<[f64; 2]>,
    /// Patterns far from every training pattern, summed over the models.
    pub far: u64,
    /// Fooling patterns, summed over the models.
    pub fooled: u64,
    /// The share of the models' own data samples classified with `p >= threshold`,
    /// pooled: the confidence the models give the data they were trained on.
    pub confident_data: Option<f64>,
    /// Its 95% bootstrap interval, resampling the structures like the fooling rate's.
    pub confident_data_ci95: Option<[f64; 2]>,
    /// The fooling rate minus the share of confident data samples, and its 95% bootstrap
    /// interval (both rates of the same resampled structures): above 0, random patterns far
    /// from the data get confident answers more often than the data itself.
    pub excess_over_data: Option<f64>,
    /// The 95% paired-bootstrap interval of `excess_over_data`.
    pub excess_over_data_ci95: Option<[f64; 2]>,
    /// The mean, over models with a fooling pattern, of the share of its fooling
    /// patterns in its most frequent class.
    pub top_class_share: Option<f64>,
    /// Half-width of its 95% interval (Student's t over those models).
    pub top_class_share_ci95: Option<f64>,
    /// The mean over structures of the range (largest minus smallest) of the fooling
    /// rates of their training seeds: how much the training stream alone moves a model's
    /// rate (`None` with one training seed).
    pub train_seed_range: Option<f64>,
    /// The mean density of the random patterns.
    pub density: Option<f64>,
    /// Means over the depth's models.
    pub distinct_classes: f64,
    /// Distinct pathways fired, mean over the models.
    pub distinct_pathways: f64,
    /// Accuracy on the data, mean over the models.
    pub accuracy: Option<f64>,
    /// Every trained model's row.
    pub per_model: Vec<ModelRow>,
}

/// One trained model of `nshed fool --depths`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ModelRow {
    /// Which generated model of its depth.
    pub model: u64,
    /// Which training seed of its model.
    pub train_seed: u64,
    /// The seed the model was generated with.
    pub model_seed: u64,
    /// The density its random patterns were drawn with.
    pub density: f64,
    /// Accuracy on its data (`None` without data).
    pub accuracy: Option<f64>,
    /// The share of its data samples classified with `p >= threshold`.
    pub confident_data: Option<f64>,
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
    /// Training seeds per generated model.
    pub train_seeds: u64,
    /// Training steps per model.
    pub steps: u64,
    /// Random patterns judged per model.
    pub samples: u64,
    /// Probability that an input fires in a random pattern, or the data's mean density.
    pub density: Density,
    /// Smallest Hamming distance of a fooling input from every training pattern.
    pub min_distance: usize,
    /// Smallest probability of the predicted class of a fooling input.
    pub threshold: f64,
    /// The rest of the models' shape.
    pub shape: GenShape,
    /// One row per depth.
    pub depths: Vec<DepthRow>,
}

fn model_row(r: &DepthPoint) -> ModelRow {
    let (confident, samples) = r.confident_data;
    ModelRow {
        model: r.model,
        train_seed: r.train_seed,
        model_seed: r.model_seed,
        density: r.density,
        accuracy: r.accuracy,
        confident_data: (samples > 0).then(|| confident as f64 / samples as f64),
        stats: StatsRow::of(&r.stats),
    }
}

fn depth_row(params: &DepthsParams, depth: usize, of_depth: &[&DepthPoint]) -> DepthRow {
    let far: u64 = of_depth.iter().map(|r| r.stats.far).sum();
    let fooled: u64 = of_depth.iter().map(|r| r.stats.fooled).sum();
    let confident: u64 = of_depth.iter().map(|r| r.confident_data.0).sum();
    let samples: u64 = of_depth.iter().map(|r| r.confident_data.1).sum();
    // One group per structure: its training seeds are not independent of each other.
    let groups = |count: &dyn Fn(&DepthPoint) -> (u64, u64)| {
        let mut groups = vec![(0u64, 0u64); params.models as usize];
        for r in of_depth {
            if let Some(g) = groups.get_mut(r.model as usize) {
                let (hits, trials) = count(r);
                g.0 += hits;
                g.1 += trials;
            }
        }
        groups
    };
    let bootstrap = |purpose: &str, count: &dyn Fn(&DepthPoint) -> (u64, u64)| {
        let seed = stream(params.seed, purpose, depth as u64).next_u64();
        bootstrap_rate_ci95(&groups(count), seed)
    };
    let fooling = groups(&|r| (r.stats.fooled, r.stats.far));
    let data = groups(&|r| r.confident_data);
    let excess =
        |picked: &[usize]| Some(pooled_rate(&fooling, picked)? - pooled_rate(&data, picked)?);
    let all: Vec<usize> = (0..fooling.len()).collect();
    let excess_seed = stream(params.seed, "fool bootstrap excess", depth as u64).next_u64();
    let top_shares: Vec<f64> = of_depth
        .iter()
        .filter_map(|r| r.stats.top_class_share())
        .collect();
    let train_seed_range = (params.train_seeds > 1)
        .then(|| {
            mean((0..params.models).filter_map(|m| {
                let rates: Vec<f64> = of_depth
                    .iter()
                    .filter(|r| r.model == m)
                    .filter_map(|r| r.stats.fooling_rate())
                    .collect();
                let lo = rates.iter().copied().reduce(f64::min)?;
                let hi = rates.iter().copied().reduce(f64::max)?;
                Some(hi - lo)
            }))
        })
        .flatten();
    DepthRow {
        depth,
        models: of_depth.len(),
        fooling_rate: (far > 0).then(|| fooled as f64 / far as f64),
        fooling_rate_ci95: bootstrap("fool bootstrap", &|r| (r.stats.fooled, r.stats.far)),
        far,
        fooled,
        confident_data: (samples > 0).then(|| confident as f64 / samples as f64),
        confident_data_ci95: bootstrap("fool bootstrap data", &|r| r.confident_data),
        excess_over_data: excess(&all),
        excess_over_data_ci95: bootstrap_ci95(fooling.len(), excess_seed, excess),
        top_class_share: mean(top_shares.iter().copied()),
        top_class_share_ci95: mean_ci95(&top_shares),
        train_seed_range,
        density: mean(of_depth.iter().map(|r| r.density)),
        distinct_classes: mean(of_depth.iter().map(|r| r.stats.distinct_classes() as f64))
            .unwrap_or(0.0),
        distinct_pathways: mean(of_depth.iter().map(|r| r.stats.distinct_pathways() as f64))
            .unwrap_or(0.0),
        accuracy: mean(of_depth.iter().filter_map(|r| r.accuracy)),
        per_model: of_depth.iter().map(|r| model_row(r)).collect(),
    }
}

fn depth_report(params: &DepthsParams, results: &[DepthPoint]) -> DepthReport {
    let depths = params
        .depths
        .iter()
        .map(|&d| {
            let of_depth: Vec<&DepthPoint> = results.iter().filter(|r| r.depth == d).collect();
            depth_row(params, d, &of_depth)
        })
        .collect();
    DepthReport {
        experiment: FoolDepths::NAME,
        seed: params.seed,
        models_per_depth: params.models,
        train_seeds: params.train_seeds,
        steps: params.steps,
        samples: params.samples,
        density: params.density,
        min_distance: params.criteria.min_distance,
        threshold: params.criteria.threshold,
        shape: params.shape.clone(),
        depths,
    }
}
