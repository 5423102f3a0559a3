//! The information plane of a model state (SPEC 6): per feature level, `I(X;T)` and `I(T;Y)`
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
    /// SPEC 6: the scores `S` of the level's nodes (0 where a node does not fire). A score
    /// carries the amplification factors of every level below.
    #[default]
    Scores,
    /// The amplification factors `lambda` of the level's firing nodes (0 where a node does not
    /// fire): the reading of seed 002's appendix, where level 2 "forgets" the two kinds of
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

impl PlaneOptions {
    /// `binning, 30 bins; T = scores of the level`: how reports name the options.
    pub fn describe(&self) -> String {
        let estimator = match self.estimator {
            Estimator::Binning { bins } => format!("binning, {bins} bins"),
            Estimator::Noise { sigma } => format!("noise, sigma {sigma}"),
        };
        format!(
            "{estimator}; T = {} of the level",
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
    let ir = model.ir;
    if ir.data.samples.is_empty() {
        return Err(AnalysisError::NoData);
    }
    let labels: Vec<usize> = ir.data.samples.iter().map(|s| s.label as usize).collect();
    let weights: Vec<f64> = ir.data.samples.iter().map(|s| s.weight).collect();
    level_representations(model, state, options.representation)
        .iter()
        .zip(&ir.levels)
        .map(|(rows, level)| {
            let Information { i_xt, i_ty } =
                level_information(rows, &labels, &weights, options.estimator)?;
            Ok(LevelInformation {
                level: level.name.clone(),
                i_xt,
                i_ty,
            })
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
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct InfoPlaneOptions {
    /// The estimator and the level's representation.
    pub plane: PlaneOptions,
    /// Record every this many steps (the file's `record every`, else about 100 points, when
    /// `None`); step 0 and the last step are always recorded.
    pub every: Option<u64>,
    /// Seed of the run (the file's seed, or 0, when `None`).
    pub seed: Option<u64>,
    /// Only the initial state: do not train.
    pub no_train: bool,
}

/// The information plane along training: the report of `nshed info-plane`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct InfoPlaneReport {
    /// The model's name.
    pub model: String,
    /// The seed of the run.
    pub seed: u64,
    /// How the mutual information was estimated.
    #[serde(serialize_with = "estimator_json")]
    pub estimator: Estimator,
    /// What stood for each level (`T`).
    pub representation: Representation,
    /// The state was recorded every this many steps.
    pub every: u64,
    /// Feature level names.
    pub levels: Vec<String>,
    /// The recorded points, in step order.
    pub points: Vec<PlanePoint>,
    /// The options, for titles and tables.
    #[serde(skip)]
    pub options: PlaneOptions,
}

/// `{"mi": "binning", "bins": 30}` or `{"mi": "noise", "sigma": 0.1}`.
fn estimator_json<S: serde::Serializer>(estimator: &Estimator, s: S) -> Result<S::Ok, S::Error> {
    let value = match estimator {
        Estimator::Binning { bins } => serde_json::json!({"mi": "binning", "bins": bins}),
        Estimator::Noise { sigma } => serde_json::json!({"mi": "noise", "sigma": sigma}),
    };
    value.serialize(s)
}

/// The information plane of `state` alone: one point, at its step (a front end's model
/// after the training it did). `seed` is the seed its run started from, for the report;
/// `every` is 1.
pub fn info_plane_at(
    model: &Model,
    state: &State,
    seed: u64,
    plane: PlaneOptions,
) -> Result<InfoPlaneReport, AnalysisError> {
    let ir = model.ir;
    Ok(InfoPlaneReport {
        model: ir.model.clone(),
        seed,
        estimator: plane.estimator,
        representation: plane.representation,
        every: 1,
        levels: ir.levels.iter().map(|l| l.name.clone()).collect(),
        points: vec![PlanePoint {
            step: state.step,
            levels: information_plane(model, state, plane)?,
        }],
        options: plane,
    })
}

/// Trains `model` from the run's seed (unless `no_train`), measuring the information plane
/// at step 0, every `every` steps and at the end.
pub fn info_plane_run(
    model: &Model,
    options: &InfoPlaneOptions,
) -> Result<InfoPlaneReport, AnalysisError> {
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
    let mut points = Vec::new();
    let mut failure = None;
    let mut measure = |state: &State| match information_plane(model, state, options.plane) {
        Ok(levels) => points.push(PlanePoint {
            step: state.step,
            levels,
        }),
        Err(e) => {
            failure.get_or_insert(e);
        }
    };
    measure(&state);
    if total > 0 {
        trainer.run(&mut state, &mut |s| {
            if s.step % every == 0 || s.step == total {
                measure(s);
            }
        });
    }
    if let Some(e) = failure {
        return Err(e);
    }
    Ok(InfoPlaneReport {
        model: ir.model.clone(),
        seed,
        estimator: options.plane.estimator,
        representation: options.plane.representation,
        every,
        levels: ir.levels.iter().map(|l| l.name.clone()).collect(),
        points,
        options: options.plane,
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
            every: Some(1000),
            ..InfoPlaneOptions::default()
        };
        let along = info_plane_run(&model, &options).unwrap_or_else(|e| panic!("{e}"));
        let seed = crate::engine::run_seed(model.ir, None);
        let mut trained = State::new(model.ir, seed);
        crate::engine::Trainer::new(&model).run(&mut trained, &mut |_| {});
        let at =
            info_plane_at(&model, &trained, seed, options.plane).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(at.points.len(), 1);
        assert_eq!(along.points.last(), at.points.first());
        assert_eq!(
            (at.seed, at.levels.clone()),
            (along.seed, along.levels.clone())
        );
    }
}
