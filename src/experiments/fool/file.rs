//! `nshed fool FILE`: fooling inputs of one trained model. Points `0..blocks` judge a block
//! of patterns each (random ones, or with `exhaustive` every pattern in code order); the
//! points after them search for the smallest fooling pattern of one class each.

use serde::{Deserialize, Serialize};

use super::search::{brute_force_smallest, search_smallest, SearchBudget, Smallest};
use super::{exhaustive_block, random_block, Density, FoolCriteria, Fooler, PatternStats};
use crate::engine::{run_seed, Model, State, Trainer};
use crate::experiments::experiment::{Experiment, ExperimentError, Points};
use crate::experiments::streams::stream;
use crate::experiments::sweep::{self, Outcome, SweepOptions};
use crate::progress::Progress;
use crate::Compiled;

/// Random patterns per sweep point (a point is a block of patterns, so that long runs can
/// be spread over threads and shards).
const BLOCK: u64 = 250;
/// Patterns per point with `exhaustive`.
const EXHAUSTIVE_BLOCK: u64 = 4096;
/// Most inputs `exhaustive` enumerates (2^24 patterns).
pub const MAX_EXHAUSTIVE_INPUTS: usize = 24;
/// Most restarts of the search for the smallest fooling pattern.
pub const MAX_RESTARTS: usize = 100_000;

/// Options of `nshed fool FILE`.
#[derive(Clone, Debug, PartialEq)]
pub struct FileOptions {
    /// Random level-1 patterns to judge (ignored with `exhaustive`).
    pub samples: u64,
    /// Probability that an input fires in a random pattern.
    pub density: Density,
    /// What counts as a fooling input (minimum distance, threshold).
    pub criteria: FoolCriteria,
    /// Judge every pattern, and find the smallest fooling pattern per class by enumeration.
    pub exhaustive: bool,
    /// Restarts of the search for the smallest fooling pattern per class (0: no search).
    pub restarts: usize,
    /// Seed of every stream (the file's seed, or 0, when `None`).
    pub seed: Option<u64>,
    /// Judge the initial state instead of training by the file's schedule.
    pub no_train: bool,
}

impl Default for FileOptions {
    fn default() -> Self {
        FileOptions {
            samples: 1000,
            density: Density::Fixed(0.5),
            criteria: FoolCriteria {
                min_distance: 2,
                threshold: 0.99,
            },
            exhaustive: false,
            restarts: 20,
            seed: None,
            no_train: false,
        }
    }
}

/// Everything the finishing step of `nshed fool FILE` needs (and merge checks).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FileParams {
    /// The model's name.
    pub model: String,
    /// SHA-256 of the model source.
    pub source_sha256: String,
    /// The seed of every stream.
    pub seed: u64,
    /// Whether the model was trained before judging.
    pub trained: bool,
    /// Training steps taken.
    pub steps: u64,
    /// The share of the model's data samples it predicts right in the judged state
    /// (`None` without data).
    #[serde(default)]
    pub accuracy: Option<f64>,
    /// Every pattern is judged (else random ones).
    pub exhaustive: bool,
    /// Patterns judged in all.
    pub patterns: u64,
    /// The probability that an input fires in a random pattern (resolved from the data
    /// when `density_from_data`).
    pub density: f64,
    /// Whether the density is the training patterns' mean density.
    #[serde(default)]
    pub density_from_data: bool,
    /// How many data samples the judged state classifies with `p >= threshold`, of how
    /// many (`None` without data).
    #[serde(default)]
    pub confident_data: Option<(u64, u64)>,
    /// What counts as a fooling input (minimum distance, threshold).
    pub criteria: FoolCriteria,
    /// The search for the smallest fooling pattern per class.
    pub budget: SearchBudget,
    /// Points that judge a block of patterns (the rest search, one class each).
    pub blocks: u64,
    /// The input nodes' names.
    pub inputs: Vec<String>,
    /// The classes' names.
    pub classes: Vec<String>,
}

/// One point of `nshed fool FILE`: a block of patterns, or one class's smallest pattern.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FilePoint {
    /// A block of judged patterns.
    Block(PatternStats),
    /// The smallest fooling pattern found for one class.
    Smallest(Smallest),
}

/// `nshed fool FILE`.
pub struct FoolFile;

impl FileParams {
    fn block_size(&self) -> u64 {
        if self.exhaustive {
            EXHAUSTIVE_BLOCK
        } else {
            BLOCK
        }
    }

    /// Patterns in block `point`.
    fn block_len(&self, point: u64) -> u64 {
        let start = point.saturating_mul(self.block_size());
        self.block_size().min(self.patterns.saturating_sub(start))
    }

    fn searches(&self) -> u64 {
        if self.exhaustive || self.budget.restarts > 0 {
            self.classes.len() as u64
        } else {
            0
        }
    }
}

impl Experiment for FoolFile {
    const NAME: &'static str = "fool";
    type Params = FileParams;
    type Point = FilePoint;
    type Report = FileReport;

    fn total_points(params: &FileParams) -> u64 {
        params.blocks.saturating_add(params.searches())
    }

    fn check_params(params: &FileParams) -> Result<(), String> {
        params.criteria.check()?;
        super::check_density(params.density)?;
        if params.confident_data.is_some_and(|(c, n)| c > n) {
            return Err("more confident data samples than samples".into());
        }
        if params.classes.is_empty() || params.inputs.is_empty() {
            return Err("a model without inputs or classes".into());
        }
        if params.blocks.saturating_mul(params.block_size()) < params.patterns {
            return Err(format!(
                "{} blocks cannot hold {} patterns",
                params.blocks, params.patterns
            ));
        }
        Ok(())
    }

    fn check_point(params: &FileParams, index: u64, point: &FilePoint) -> Result<(), String> {
        match point {
            FilePoint::Block(stats) if index < params.blocks => {
                stats.check(params.classes.len())?;
                let len = params.block_len(index);
                if stats.drawn != len {
                    return Err(format!(
                        "block {index} holds {} patterns, not {len}",
                        stats.drawn
                    ));
                }
                Ok(())
            }
            FilePoint::Smallest(s) if index >= params.blocks => {
                let class = (index - params.blocks) as usize;
                if s.class != class {
                    return Err(format!(
                        "the search of class {class} reports class {}",
                        s.class
                    ));
                }
                s.check(params.inputs.len(), &params.criteria)
            }
            FilePoint::Block(_) => Err(format!("point {index} is a search, not a block")),
            FilePoint::Smallest(_) => Err(format!("point {index} is a block, not a search")),
        }
    }

    fn finish(params: &FileParams, points: Vec<FilePoint>) -> Result<FileReport, ExperimentError> {
        Ok(file_report(params, &points))
    }
}

/// `nshed fool FILE` ready to run: the trained model and the sweep's parameters.
pub struct FileRun<'ir> {
    model: Model<'ir>,
    state: State,
    params: FileParams,
}

/// `nshed fool FILE`: trains the model of `compiled` (unless `no_train`) and runs its
/// fooling sweep (or one shard of it).
pub fn file(
    compiled: &Compiled,
    options: &FileOptions,
    sweep_options: &SweepOptions,
    progress: &dyn Progress,
) -> Result<Outcome<FoolFile>, ExperimentError> {
    sweep::run(&prepare_file(compiled, options)?, sweep_options, progress)
}

/// `nshed fool FILE` judging `state` as it is (a front end's model after the training it
/// did) instead of a run of the file: `no_train` does not apply, and `seed` seeds the
/// patterns and the search (the file's seed, or 0, when `None`).
pub fn file_at(
    compiled: &Compiled,
    state: &State,
    options: &FileOptions,
    sweep_options: &SweepOptions,
    progress: &dyn Progress,
) -> Result<Outcome<FoolFile>, ExperimentError> {
    let run = prepare(compiled, options, Some(state))?;
    sweep::run(&run, sweep_options, progress)
}

/// Trains the model of `compiled` (unless `no_train`) and prepares its fooling sweep.
pub fn prepare_file<'ir>(
    compiled: &'ir Compiled,
    options: &FileOptions,
) -> Result<FileRun<'ir>, ExperimentError> {
    prepare(compiled, options, None)
}

/// Prepares the fooling sweep of `given`, or of the file's run when `None`.
fn prepare<'ir>(
    compiled: &'ir Compiled,
    options: &FileOptions,
    given: Option<&State>,
) -> Result<FileRun<'ir>, ExperimentError> {
    let ir = &compiled.ir;
    let samples = if options.exhaustive {
        1
    } else {
        options.samples
    };
    super::check_options(samples, options.density, &options.criteria)?;
    if options.restarts > MAX_RESTARTS {
        return Err(ExperimentError::options(
            format!("{} restarts is more than {MAX_RESTARTS}", options.restarts),
            "give at most 100000 restarts of the search (0: no search)",
        ));
    }
    let model = Model::new(ir);
    let n = model.n_inputs();
    let density = options.density.resolve(&model).ok_or_else(|| {
        ExperimentError::model(
            "`--density data` needs data samples, and this model has none",
            "give a number, e.g. --density 0.5",
        )
    })?;
    if options.exhaustive && n > MAX_EXHAUSTIVE_INPUTS {
        return Err(ExperimentError::options(
            format!("--exhaustive enumerates 2^{n} patterns; at most {MAX_EXHAUSTIVE_INPUTS} inputs are allowed"),
            "drop --exhaustive to judge random patterns (--samples N)",
        ));
    }
    let seed = run_seed(ir, options.seed);
    let (state, steps, trained) = match given {
        Some(state) => (state.clone(), state.step, state.step > 0),
        None => {
            let mut state = State::new(ir, seed);
            let mut trainer = Trainer::new(&model);
            let steps = if options.no_train {
                0
            } else {
                trainer.total_steps()
            };
            if !options.no_train {
                trainer.run(&mut state);
            }
            (state, steps, !options.no_train && ir.train.is_some())
        }
    };
    let patterns = if options.exhaustive {
        1u64 << n
    } else {
        options.samples
    };
    let block = if options.exhaustive {
        EXHAUSTIVE_BLOCK
    } else {
        BLOCK
    };
    let confident_data = {
        let mut fooler = Fooler::new(&model, &state, options.criteria);
        let (confident, samples) = fooler.confident_data();
        (samples > 0).then_some((confident, samples))
    };
    let params = FileParams {
        model: ir.model.clone(),
        source_sha256: compiled.identity(),
        seed,
        trained,
        steps,
        accuracy: crate::report::accuracy(&model, &state),
        exhaustive: options.exhaustive,
        patterns,
        density,
        density_from_data: options.density == Density::Data,
        confident_data,
        criteria: options.criteria,
        budget: SearchBudget {
            restarts: options.restarts,
            ..SearchBudget::default()
        },
        blocks: patterns.div_ceil(block),
        inputs: ir.nodes[..n]
            .iter()
            .map(|node| node.name.to_string())
            .collect(),
        classes: ir.classes.iter().map(|c| c.name.clone()).collect(),
    };
    Ok(FileRun {
        model,
        state,
        params,
    })
}

impl Points<FoolFile> for FileRun<'_> {
    fn params(&self) -> &FileParams {
        &self.params
    }

    fn run_point(&self, point: u64) -> Result<FilePoint, String> {
        let p = &self.params;
        let mut fooler = Fooler::new(&self.model, &self.state, p.criteria);
        if point < p.blocks {
            let start = point * p.block_size();
            let count = p.block_len(point);
            if p.exhaustive {
                Ok(FilePoint::Block(exhaustive_block(
                    &mut fooler,
                    start..start + count,
                )))
            } else {
                let mut rng = stream(p.seed, "fool patterns", point);
                Ok(FilePoint::Block(random_block(
                    &mut fooler,
                    count,
                    p.density,
                    &mut rng,
                )))
            }
        } else {
            let class = (point - p.blocks) as usize;
            let found = if p.exhaustive {
                brute_force_smallest(&mut fooler, class)
            } else {
                None
            };
            Ok(FilePoint::Smallest(found.unwrap_or_else(|| {
                let mut rng = stream(p.seed, "fool search", class as u64);
                search_smallest(&mut fooler, class, p.budget, &mut rng)
            })))
        }
    }
}

/// The report of `nshed fool FILE`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct FileReport {
    /// `fool`.
    pub experiment: &'static str,
    /// The model's name.
    pub model: String,
    /// SHA-256 of the model source.
    pub source_sha256: String,
    /// The seed of every stream.
    pub seed: u64,
    /// Whether the model was trained before judging.
    pub trained: bool,
    /// Training steps taken.
    pub steps: u64,
    /// The model's accuracy on its data in the judged state (`None` without data).
    pub accuracy: Option<f64>,
    /// `exhaustive` (every pattern judged) or `random`.
    pub mode: &'static str,
    /// The probability that an input fires in a random pattern (`None` with `exhaustive`).
    pub density: Option<f64>,
    /// Whether the density is the training patterns' mean density.
    pub density_from_data: bool,
    /// The share of the model's own data samples it classifies with `p >= threshold` (the
    /// control for the fooling rate; `None` without data).
    pub confident_data: Option<f64>,
    /// Smallest Hamming distance of a fooling input from every training pattern.
    pub min_distance: usize,
    /// Smallest probability of the predicted class of a fooling input.
    pub threshold: f64,
    /// The counts of the patterns judged.
    #[serde(flatten)]
    pub stats: StatsRow,
    /// How the smallest fooling patterns were found: `enumeration`, `search`, or `None` when they were not looked for.
    pub smallest_by: Option<&'static str>,
    /// Every class's row.
    pub classes: Vec<ClassRow>,
}

/// The counts of one set of judged patterns, as both fooling reports give them.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct StatsRow {
    /// Patterns judged.
    pub drawn: u64,
    /// Patterns far (by the minimum distance) from every training pattern.
    pub far: u64,
    /// Far patterns predicted with at least the threshold probability: fooling inputs.
    pub fooled: u64,
    /// `fooled / far` (`None` when no pattern is far).
    pub fooling_rate: Option<f64>,
    /// The share of the fooling patterns that land in their most frequent class.
    pub top_class_share: Option<f64>,
    /// How many distinct classes they are predicted as.
    pub distinct_classes: usize,
    /// How many distinct pathways they fire.
    pub distinct_pathways: usize,
    /// Patterns that reach no class (no prediction; they never fool).
    pub no_class: u64,
}

impl StatsRow {
    /// The counts of a set of judged patterns.
    pub fn of(stats: &PatternStats) -> StatsRow {
        StatsRow {
            drawn: stats.drawn,
            far: stats.far,
            fooled: stats.fooled,
            fooling_rate: stats.fooling_rate(),
            top_class_share: stats.top_class_share(),
            distinct_classes: stats.distinct_classes(),
            distinct_pathways: stats.distinct_pathways(),
            no_class: stats.no_class,
        }
    }
}

/// One class of `nshed fool FILE`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ClassRow {
    /// The class's name.
    pub class: String,
    /// Patterns predicted as it.
    pub predicted: u64,
    /// Fooling patterns predicted as it.
    pub fooled: u64,
    /// Its smallest fooling pattern, when it was looked for.
    pub smallest: Option<SmallestRow>,
}

/// The smallest fooling pattern found for a class.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SmallestRow {
    /// How many inputs fire in it (`None` when none was found).
    pub size: Option<usize>,
    /// Its firing inputs.
    pub pattern: Option<Vec<String>>,
    /// The probability of the class for it.
    pub p: Option<f64>,
    /// Its Hamming distance to the nearest training pattern.
    pub distance: Option<usize>,
    /// Patterns judged to find it.
    pub evaluations: u64,
}

fn file_report(params: &FileParams, results: &[FilePoint]) -> FileReport {
    let k = params.classes.len();
    let stats = PatternStats::total(
        k,
        results.iter().filter_map(|r| match r {
            FilePoint::Block(s) => Some(s),
            FilePoint::Smallest(_) => None,
        }),
    );
    let mut smallest: Vec<Option<&Smallest>> = vec![None; k];
    for r in results {
        if let FilePoint::Smallest(s) = r {
            if let Some(slot) = smallest.get_mut(s.class) {
                *slot = Some(s);
            }
        }
    }
    let name_of = |i: &u32| params.inputs.get(*i as usize).cloned().unwrap_or_default();
    let classes = params
        .classes
        .iter()
        .enumerate()
        .map(|(c, name)| ClassRow {
            class: name.clone(),
            predicted: stats.predicted_per_class.get(c).copied().unwrap_or(0),
            fooled: stats.fooled_per_class.get(c).copied().unwrap_or(0),
            smallest: smallest[c].map(|s| SmallestRow {
                size: s.size(),
                pattern: s.pattern.as_ref().map(|p| p.iter().map(name_of).collect()),
                p: s.p,
                distance: s.distance,
                evaluations: s.evaluations,
            }),
        })
        .collect();
    let searched = smallest.iter().any(Option::is_some);
    FileReport {
        experiment: FoolFile::NAME,
        model: params.model.clone(),
        source_sha256: params.source_sha256.clone(),
        seed: params.seed,
        trained: params.trained,
        steps: params.steps,
        accuracy: params.accuracy,
        mode: if params.exhaustive {
            "exhaustive"
        } else {
            "random"
        },
        density: (!params.exhaustive).then_some(params.density),
        density_from_data: params.density_from_data && !params.exhaustive,
        confident_data: params.confident_data.map(|(c, n)| c as f64 / n as f64),
        min_distance: params.criteria.min_distance,
        threshold: params.criteria.threshold,
        stats: StatsRow::of(&stats),
        smallest_by: searched.then_some(if params.exhaustive {
            "enumeration"
        } else {
            "search"
        }),
        classes,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::progress::Silent;

    fn report(compiled: &Compiled, state: Option<&State>, options: &FileOptions) -> FileReport {
        let sweep = SweepOptions::default();
        let outcome = match state {
            Some(state) => file_at(compiled, state, options, &sweep, &Silent),
            None => file(compiled, options, &sweep, &Silent),
        };
        match outcome.map(Outcome::finished) {
            Ok(Some(report)) => report,
            Ok(None) => panic!("an unsharded sweep gave a shard"),
            Err(e) => panic!("{}", e.message),
        }
    }

    #[test]
    fn a_given_state_is_judged_as_it_is() {
        let source = crate::source::Source {
            name: "fig1.nshed".into(),
            text: include_str!("../../../examples/fig1.nshed").into(),
        };
        let Ok(compiled) = crate::compile(source) else {
            panic!("examples/fig1.nshed compiles")
        };
        let ir = &compiled.ir;
        let options = FileOptions {
            samples: 500,
            restarts: 2,
            ..FileOptions::default()
        };
        let model = Model::new(ir);
        let seed = run_seed(ir, None);
        // The file's run, given as a state, is the file's report.
        let mut trained = State::new(model.ir, seed);
        crate::engine::Trainer::new(&model).run(&mut trained);
        assert_eq!(
            report(&compiled, Some(&trained), &options),
            report(&compiled, None, &options)
        );
        let initial = State::new(ir, seed);
        let untrained = FileOptions {
            no_train: true,
            ..options.clone()
        };
        assert_eq!(
            report(&compiled, Some(&initial), &options),
            report(&compiled, None, &untrained)
        );
        // Any other state is judged, not the file's run: 100 steps in, it is another one.
        let mut early = State::new(ir, seed);
        Trainer::new(&model).run_steps(&mut early, 100);
        let judged = report(&compiled, Some(&early), &options);
        assert_eq!((judged.steps, judged.trained), (100, true));
        assert_eq!(judged.accuracy, crate::report::accuracy(&model, &early));
    }
}
