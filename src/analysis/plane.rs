//! The information plane of a model state: per feature level, `I(X;T)` and `I(T;Y)`
//! of the level's representation `T` over the data samples. This is the bridge from an engine
//! state to the plain-data estimators of [`super::mi`].

use serde::{Deserialize, Serialize};

use super::{level_information, AnalysisError, Estimator, Information};
use crate::engine::{Evaluator, Model, State};

/// What a level's representation `T(x)` is made of, before normalisation by the level's
/// largest value over the data set.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Representation {
    /// The scores `S` of the level's nodes (0 where a node does not fire). A score
    /// carries the amplification factors of every level below.
    #[default]
    Scores,
    /// The amplification factors `lambda` of the level's firing nodes (0 where a node does not
    /// fire): the reading of the neurashed paper's appendix, where level 2 "forgets" the two kinds of
    /// class-1 input once `lambda` of its dominant node dwarfs the others. Unlike scores it
    /// does not inherit the competition among the nodes of lower levels.
    Lambda,
}

impl Representation {
    /// The word a report names it by: `scores` or `lambda`.
    pub fn name(self) -> &'static str {
        match self {
            Representation::Scores => "scores",
            Representation::Lambda => "lambda",
        }
    }
}

/// How to compute an information plane.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct PlaneOptions {
    /// How the mutual information is estimated.
    pub estimator: Estimator,
    /// What stands for the level (`T`).
    pub representation: Representation,
}

impl Estimator {
    /// `binning, 30 bins`, `distinct values (no bins)`, `noise, sigma 0.1`.
    pub fn describe(&self) -> String {
        match *self {
            Estimator::Binning { bins } => format!("binning, {bins} bins"),
            Estimator::Distinct => "distinct values (no bins)".to_string(),
            Estimator::Noise { sigma } => format!("noise, sigma {sigma}"),
        }
    }

    /// `30 bins`, `distinct`, `sigma 0.1`: a curve's name beside others.
    pub fn short_name(&self) -> String {
        match *self {
            Estimator::Binning { bins } => format!("{bins} bins"),
            Estimator::Distinct => "distinct".to_string(),
            Estimator::Noise { sigma } => format!("sigma {sigma}"),
        }
    }
}

impl PlaneOptions {
    /// `binning, 30 bins; T = scores of the level`: how reports name the options.
    pub fn describe(&self) -> String {
        format!(
            "{}; T = {} of the level",
            self.estimator.describe(),
            self.representation.name()
        )
    }
}

/// One level's information at one state.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LevelInformation {
    /// The level's name.
    pub level: String,
    /// `I(X;T)` in bits.
    pub i_xt: f64,
    /// `I(T;Y)` in bits.
    pub i_ty: f64,
}

/// The representation of every feature level for every data sample, as natural logs
/// (`-inf` = 0): `[level][sample][node of the level]`.
pub fn level_representations(
    model: &Model,
    state: &State,
    representation: Representation,
) -> Vec<Vec<Vec<f64>>> {
    let ir = model.ir;
    let mut ev = Evaluator::new(model);
    let mut dense = Vec::new();
    let rows: Vec<Vec<f64>> = ir
        .data
        .samples
        .iter()
        .map(|s| match representation {
            Representation::Scores => {
                ev.dense_ln_scores_into(model, state, &s.input, &mut dense);
                dense.clone()
            }
            Representation::Lambda => {
                let mut row = vec![f64::NEG_INFINITY; ir.nodes.len()];
                for n in ev.firing(model, &s.input) {
                    row[n as usize] = state.ln_lambda(n as usize);
                }
                row
            }
        })
        .collect();
    ir.levels
        .iter()
        .map(|level| {
            let ids = level.node_ids();
            let (a, b) = (ids.start as usize, ids.end as usize);
            rows.iter().map(|r| r[a..b].to_vec()).collect()
        })
        .collect()
}

/// `I(X;T)` and `I(T;Y)` of every feature level at `state`, over the data samples drawn with
/// their weights (no noise).
pub fn information_plane(
    model: &Model,
    state: &State,
    options: PlaneOptions,
) -> Result<Vec<LevelInformation>, AnalysisError> {
    let mut planes =
        information_planes(model, state, options.representation, &[options.estimator])?;
    Ok(planes.pop().unwrap_or_default())
}

/// [`information_plane`] for several estimators of one representation (computed once):
/// one list of levels per estimator.
pub fn information_planes(
    model: &Model,
    state: &State,
    representation: Representation,
    estimators: &[Estimator],
) -> Result<Vec<Vec<LevelInformation>>, AnalysisError> {
    let ir = model.ir;
    if ir.data.samples.is_empty() {
        return Err(AnalysisError::NoData);
    }
    let labels: Vec<usize> = ir.data.samples.iter().map(|s| s.label as usize).collect();
    let weights: Vec<f64> = ir.data.samples.iter().map(|s| s.weight).collect();
    let rows = level_representations(model, state, representation);
    estimators
        .iter()
        .map(|&estimator| {
            rows.iter()
                .zip(&ir.levels)
                .map(|(rows, level)| {
                    let Information { i_xt, i_ty } =
                        level_information(rows, &labels, &weights, estimator)?;
                    Ok(LevelInformation {
                        level: level.name.clone(),
                        i_xt,
                        i_ty,
                    })
                })
                .collect()
        })
        .collect()
}

/// The information of every feature level at one recorded step.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PlanePoint {
    /// The step the state was recorded at.
    pub step: u64,
    /// Every feature level's information.
    pub levels: Vec<LevelInformation>,
}

/// Options of an information plane along training.
#[derive(Clone, Debug, PartialEq)]
pub struct InfoPlaneOptions {
    /// One curve per estimator (at least one; each at most once), all of the same
    /// representation.
    pub estimators: Vec<Estimator>,
    /// What a level's activation is (normalised scores or ln lambda).
    pub representation: Representation,
    /// Record every this many steps (the file's `record every`, else about 100 points, when
    /// `None`); step 0 and the last step are always recorded.
    pub every: Option<u64>,
    /// Seed of the run (the file's seed, or 0, when `None`).
    pub seed: Option<u64>,
    /// Only the initial state: do not train.
    pub no_train: bool,
}

impl Default for InfoPlaneOptions {
    fn default() -> Self {
        InfoPlaneOptions {
            estimators: vec![Estimator::DEFAULT],
            representation: Representation::default(),
            every: None,
            seed: None,
            no_train: false,
        }
    }
}

/// One estimator's information plane along training.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PlaneCurve {
    /// The estimator of this curve.
    #[serde(serialize_with = "estimator_json")]
    pub estimator: Estimator,
    /// One point per recorded step, in step order.
    pub points: Vec<PlanePoint>,
}

/// The information plane along training: the report of `nshed info-plane`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct InfoPlaneReport {
    /// The model's name.
    pub model: String,
    /// The seed of the run.
    pub seed: u64,
    /// What a level's activation is (normalised scores or ln lambda).
    pub representation: Representation,
    /// The state was recorded every this many steps.
    pub every: u64,
    /// Feature level names.
    pub levels: Vec<String>,
    /// One curve per estimator, in the order asked for.
    pub curves: Vec<PlaneCurve>,
}

/// `{"mi": "binning", "bins": 30}`, `{"mi": "distinct"}` or `{"mi": "noise", "sigma": 0.1}`.
fn estimator_json<S: serde::Serializer>(estimator: &Estimator, s: S) -> Result<S::Ok, S::Error> {
    let value = match estimator {
        Estimator::Binning { bins } => serde_json::json!({"mi": "binning", "bins": bins}),
        Estimator::Distinct => serde_json::json!({"mi": "distinct"}),
        Estimator::Noise { sigma } => serde_json::json!({"mi": "noise", "sigma": sigma}),
    };
    value.serialize(s)
}

/// Checks a list of estimators: at least one, none twice, valid parameters.
fn check_estimators(estimators: &[Estimator]) -> Result<(), AnalysisError> {
    if estimators.is_empty() {
        return Err(AnalysisError::InvalidParameter {
            what: "the number of estimators",
            requirement: "at least 1",
            value: 0.0,
        });
    }
    for (i, e) in estimators.iter().enumerate() {
        if estimators[..i].contains(e) {
            return Err(AnalysisError::RepeatedEstimator(e.short_name()));
        }
        match *e {
            Estimator::Binning { bins: 0 } => {
                return Err(AnalysisError::InvalidParameter {
                    what: "the number of bins",
                    requirement: "at least 1",
                    value: 0.0,
                })
            }
            Estimator::Noise { sigma } if !(sigma.is_finite() && sigma > 0.0) => {
                return Err(AnalysisError::InvalidParameter {
                    what: "the noise sigma",
                    requirement: "finite and > 0",
                    value: sigma,
                })
            }
            _ => {}
        }
    }
    Ok(())
}

/// The information plane of `state` alone: one point per estimator, at its step (a front
/// end's model after the training it did). `seed` is the seed its run started from, for the
/// report; `every` is 1.
pub fn info_plane_at(
    model: &Model,
    state: &State,
    seed: u64,
    representation: Representation,
    estimators: &[Estimator],
) -> Result<InfoPlaneReport, AnalysisError> {
    check_estimators(estimators)?;
    let ir = model.ir;
    let planes = information_planes(model, state, representation, estimators)?;
    Ok(InfoPlaneReport {
        model: ir.model.clone(),
        seed,
        representation,
        every: 1,
        levels: ir.levels.iter().map(|l| l.name.clone()).collect(),
        curves: estimators
            .iter()
            .zip(planes)
            .map(|(&estimator, levels)| PlaneCurve {
                estimator,
                points: vec![PlanePoint {
                    step: state.step,
                    levels,
                }],
            })
            .collect(),
    })
}

/// Trains `model` from the run's seed (unless `no_train`), measuring the information plane
/// with every estimator at step 0, every `every` steps and at the end.
pub fn info_plane_run(
    model: &Model,
    options: &InfoPlaneOptions,
) -> Result<InfoPlaneReport, AnalysisError> {
    check_estimators(&options.estimators)?;
    let ir = model.ir;
    let seed = crate::engine::run_seed(ir, options.seed);
    let mut trainer = crate::engine::Trainer::new(model);
    let total = if options.no_train {
        0
    } else {
        trainer.total_steps()
    };
    let every = options
        .every
        .or_else(|| ir.train.as_ref()?.record.as_ref().map(|r| r.every))
        .unwrap_or((total / 100).max(1))
        .max(1);
    let mut state = State::new(ir, seed);
    let mut curves: Vec<PlaneCurve> = options
        .estimators
        .iter()
        .map(|&estimator| PlaneCurve {
            estimator,
            points: Vec::new(),
        })
        .collect();
    let mut failure = None;
    let mut measure = |state: &State| match information_planes(
        model,
        state,
        options.representation,
        &options.estimators,
    ) {
        Ok(planes) => {
            for (curve, levels) in curves.iter_mut().zip(planes) {
                curve.points.push(PlanePoint {
                    step: state.step,
                    levels,
                });
            }
        }
        Err(e) => {
            failure.get_or_insert(e);
        }
    };
    measure(&state);
    // At every multiple of `every`, and at the end.
    while state.step < total {
        let next = ((state.step / every + 1) * every).min(total);
        let steps = next - state.step;
        if trainer.run_steps(&mut state, steps) == 0 {
            break;
        }
        measure(&state);
    }
    if let Some(e) = failure {
        return Err(e);
    }
    Ok(InfoPlaneReport {
        model: ir.model.clone(),
        seed,
        representation: options.representation,
        every,
        levels: ir.levels.iter().map(|l| l.name.clone()).collect(),
        curves,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_plane_of_a_state_is_its_point_along_training() {
        let source = crate::source::Source {
            name: "fig1.nshed".into(),
            text: include_str!("../../examples/fig1.nshed").into(),
        };
        let Ok(compiled) = crate::compile(source) else {
            panic!("examples/fig1.nshed compiles")
        };
        let model = compiled.model();
        let options = InfoPlaneOptions {
            estimators: vec![Estimator::DEFAULT, Estimator::Distinct],
            every: Some(1000),
            ..InfoPlaneOptions::default()
        };
        let along = info_plane_run(&model, &options).unwrap_or_else(|e| panic!("{e}"));
        let seed = crate::engine::run_seed(model.ir, None);
        let mut trained = State::new(model.ir, seed);
        crate::engine::Trainer::new(&model).run(&mut trained);
        let at = info_plane_at(
            &model,
            &trained,
            seed,
            options.representation,
            &options.estimators,
        )
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(at.curves.len(), 2);
        for (a, b) in at.curves.iter().zip(&along.curves) {
            assert_eq!(a.estimator, b.estimator);
            assert_eq!(a.points.len(), 1);
            assert_eq!(b.points.last(), a.points.first());
        }
        assert_eq!(
            (at.seed, at.levels.clone()),
            (along.seed, along.levels.clone())
        );
    }
}
