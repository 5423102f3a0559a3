//! Reports on a model state: the `run` report, recorded snapshots (and the recorder that
//! writes them to a file), and the JSON conventions shared with queries. They are shown by
//! `render`.
//!
//! JSON conventions (documented in README):
//! * a plain value (`lambda`, `eta`, a logit) is a number, or `null` when it does not
//!   fit in f64; its natural log is always given alongside (`ln_lambda`, ...);
//! * in the `ln_*` maps and lists, `null` stands for `ln 0 = -inf` (JSON has no
//!   infinities), i.e. the plain value is exactly 0;
//! * maps keyed by node, edge (`"F->C"`) or sample keep the model's order.

use serde::ser::{Serialize, SerializeMap, Serializer};

use crate::analysis::{information_plane, AnalysisError, LevelInformation, PlaneOptions};
use crate::engine::numeric::Value;
use crate::engine::{Evaluator, Model, State};
use crate::ir::{Ir, Quantity, SmolStr};

/// A map that serialises its entries in insertion order.
#[derive(Clone, Debug, PartialEq)]
pub struct Ordered<T>(pub Vec<(SmolStr, T)>);

impl<T: Serialize> Serialize for Ordered<T> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(self.0.len()))?;
        for (k, v) in &self.0 {
            map.serialize_entry(k, v)?;
        }
        map.end()
    }
}

/// `exp(ln)` when it fits in f64, else `None` (JSON `null`).
pub fn plain(ln: f64) -> Option<f64> {
    Value::from_ln(ln).value
}

/// `ln` for JSON: `None` (`null`) for `-inf`.
pub fn ln_json(ln: f64) -> Option<f64> {
    ln.is_finite().then_some(ln)
}

/// `"F->C"` for a class edge.
pub fn edge_name(ir: &Ir, e: usize) -> String {
    let edge = ir.edges[e];
    format!(
        "{}->{}",
        ir.nodes[edge.from as usize].name, ir.classes[edge.to as usize].name
    )
}

#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct SampleReport {
    pub name: String,
    pub label: String,
    /// Firing non-class nodes, level order then declaration order (names inline: a
    /// 10^6-node model's 60 samples fire about three million).
    pub pathway: Vec<SmolStr>,
    pub logits: Vec<Option<f64>>,
    pub ln_logits: Vec<Option<f64>>,
    pub p: Vec<f64>,
    /// The predicted class; `null` when the sample reaches no class (it counts as wrong).
    pub predicted: Option<String>,
}

/// What `nshed run` prints.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct RunReport {
    pub model: String,
    pub classes: Vec<String>,
    pub steps: u64,
    pub lambda: Ordered<Option<f64>>,
    pub ln_lambda: Ordered<Option<f64>>,
    pub eta: Ordered<Option<f64>>,
    pub ln_eta: Ordered<Option<f64>>,
    pub samples: Vec<SampleReport>,
    /// Share of data samples (unweighted) whose predicted class is their label (a sample
    /// that reaches no class counts as wrong); `null` when there is no data.
    pub accuracy: Option<f64>,
    /// Levels, for the human layout (not serialised).
    #[serde(skip)]
    pub levels: Vec<(String, Vec<usize>)>,
}

pub fn sample_reports(model: &Model, state: &State) -> Vec<SampleReport> {
    let ir = model.ir;
    let mut ev = Evaluator::new(model);
    ir.data
        .samples
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let e = ev.evaluate_sample(model, state, i);
            SampleReport {
                name: s.name.clone(),
                label: ir.classes[s.label as usize].name.clone(),
                pathway: e
                    .firing
                    .iter()
                    .map(|&n| ir.nodes[n as usize].name.clone())
                    .collect(),
                logits: e.ln_logits.iter().map(|&l| plain(l)).collect(),
                ln_logits: e.ln_logits.iter().map(|&l| ln_json(l)).collect(),
                p: e.p.clone(),
                predicted: e.predicted.map(|c| ir.classes[c as usize].name.clone()),
            }
        })
        .collect()
}

/// Share of data samples predicted as their label (`None` without data). Every sample
/// counts once whatever its weight; a sample that reaches no class has no prediction and
/// counts as wrong.
pub fn accuracy(model: &Model, state: &State) -> Option<f64> {
    let samples = &model.ir.data.samples;
    if samples.is_empty() {
        return None;
    }
    let mut ev = Evaluator::new(model);
    let mut z = Vec::new();
    let correct = samples
        .iter()
        .filter(|s| {
            ev.ln_logits_into(model, state, &s.input, &mut z);
            crate::engine::numeric::predicted_class(&z) == Some(s.label as usize)
        })
        .count();
    Some(correct as f64 / samples.len() as f64)
}

/// `accuracy` from the samples' reports (one evaluation of each sample, not two).
fn accuracy_of(samples: &[SampleReport]) -> Option<f64> {
    if samples.is_empty() {
        return None;
    }
    let correct = samples
        .iter()
        .filter(|s| s.predicted.as_ref() == Some(&s.label))
        .count();
    Some(correct as f64 / samples.len() as f64)
}

fn lambda_maps(ir: &Ir, state: &State) -> (Ordered<Option<f64>>, Ordered<Option<f64>>) {
    let names = ir.nodes.iter().map(|n| n.name.clone());
    let plain_map = names
        .clone()
        .zip(state.ln_lambdas().into_iter().map(plain))
        .collect();
    let ln_map = names
        .zip(state.ln_lambdas().into_iter().map(ln_json))
        .collect();
    (Ordered(plain_map), Ordered(ln_map))
}

fn eta_maps(ir: &Ir, state: &State) -> (Ordered<Option<f64>>, Ordered<Option<f64>>) {
    let names: Vec<SmolStr> = (0..ir.edges.len())
        .map(|e| edge_name(ir, e).into())
        .collect();
    let plain_map = names
        .iter()
        .cloned()
        .zip(state.ln_etas().into_iter().map(plain))
        .collect();
    let ln_map = names
        .into_iter()
        .zip(state.ln_etas().into_iter().map(ln_json))
        .collect();
    (Ordered(plain_map), Ordered(ln_map))
}

impl RunReport {
    pub fn new(model: &Model, state: &State) -> RunReport {
        let ir = model.ir;
        let (lambda, ln_lambda) = lambda_maps(ir, state);
        let (eta, ln_eta) = eta_maps(ir, state);
        let samples = sample_reports(model, state);
        RunReport {
            model: ir.model.clone(),
            classes: ir.classes.iter().map(|c| c.name.clone()).collect(),
            steps: state.step,
            lambda,
            ln_lambda,
            eta,
            ln_eta,
            accuracy: accuracy_of(&samples),
            samples,
            levels: ir
                .levels
                .iter()
                .map(|l| (l.name.clone(), l.node_ids().map(|n| n as usize).collect()))
                .collect(),
        }
    }
}

/// One recorded snapshot (`record every N { ... }`).
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Snapshot {
    pub step: u64,
    pub phase: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lambda: Option<Ordered<Option<f64>>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ln_lambda: Option<Ordered<Option<f64>>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub eta: Option<Ordered<Option<f64>>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ln_eta: Option<Ordered<Option<f64>>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub accuracy: Option<Option<f64>>,
    /// Per sample: its logits (number or null) ...
    #[serde(skip_serializing_if = "Option::is_none")]
    pub logits: Option<Ordered<Vec<Option<f64>>>>,
    /// ... and their natural logs (null = ln 0).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ln_logits: Option<Ordered<Vec<Option<f64>>>>,
    /// `I(X;T)` and `I(T;Y)` in bits per feature level (binning with 30 bins).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub info_plane: Option<Vec<LevelInformation>>,
}

/// SPEC 6 on the data samples (drawn with their weights, no noise): for every feature
/// level, `I(X;T)` and `I(T;Y)` of its normalised scores, binning with 30 bins.
pub fn info_plane(model: &Model, state: &State) -> Result<Vec<LevelInformation>, AnalysisError> {
    information_plane(model, state, PlaneOptions::default())
}

impl Snapshot {
    /// The quantities of `state` that a `record` block asks for.
    pub fn take(
        model: &Model,
        state: &State,
        quantities: &[Quantity],
    ) -> Result<Snapshot, AnalysisError> {
        let ir = model.ir;
        let phase = ir
            .train
            .as_ref()
            .and_then(|t| {
                // After a phase's last step the state points at the next phase; report
                // the phase the step belonged to.
                let i = if state.step_in_phase == 0 {
                    state.phase.saturating_sub(1)
                } else {
                    state.phase
                };
                t.phases.get(i.min(t.phases.len().saturating_sub(1)))
            })
            .map_or_else(String::new, |p| p.name.clone());
        let mut snap = Snapshot {
            step: state.step,
            phase,
            lambda: None,
            ln_lambda: None,
            eta: None,
            ln_eta: None,
            accuracy: None,
            logits: None,
            ln_logits: None,
            info_plane: None,
        };
        for q in quantities {
            match q {
                Quantity::Lambda => {
                    let (a, b) = lambda_maps(ir, state);
                    snap.lambda = Some(a);
                    snap.ln_lambda = Some(b);
                }
                Quantity::Eta => {
                    let (a, b) = eta_maps(ir, state);
                    snap.eta = Some(a);
                    snap.ln_eta = Some(b);
                }
                Quantity::Accuracy => snap.accuracy = Some(accuracy(model, state)),
                Quantity::Logits => {
                    let reports = sample_reports(model, state);
                    snap.logits = Some(Ordered(
                        reports
                            .iter()
                            .map(|r| (r.name.as_str().into(), r.logits.clone()))
                            .collect(),
                    ));
                    snap.ln_logits = Some(Ordered(
                        reports
                            .into_iter()
                            .map(|r| (r.name.into(), r.ln_logits))
                            .collect(),
                    ));
                }
                Quantity::InfoPlane => snap.info_plane = Some(info_plane(model, state)?),
            }
        }
        Ok(snap)
    }
}
