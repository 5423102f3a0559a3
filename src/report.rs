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

use serde::ser::{Serialize, SerializeMap, SerializeStruct, Serializer};

use crate::analysis::{information_plane, AnalysisError, LevelInformation, PlaneOptions};
use crate::engine::graph::samples_per_run;
use crate::engine::numeric::Value;
use crate::engine::{Evaluator, Model, State};
use crate::ir::{Ir, NodeId, Quantity, Sample, SmolStr};
use crate::metrics::Metrics;

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

/// The `lambda` of node `node` whose log is `ln`, as reports give it: the constant the
/// file wrote for the node (`init { lambda x1 = 3 }`) when `ln` is bit for bit that
/// constant's log, else `exp(ln)`; `None` when it does not fit in f64. Values are kept as
/// logs, and `exp(ln 3)` is 3.0000000000000004: a constant that is written is reported as
/// written, for as long as the value has not moved.
pub fn lambda_plain(ir: &Ir, node: usize, ln: f64) -> Option<f64> {
    written_or_plain(ir.init.lambda.get(node), ln)
}

/// [`lambda_plain`] for the `eta` of class edge `edge`.
pub fn eta_plain(ir: &Ir, edge: usize, ln: f64) -> Option<f64> {
    written_or_plain(ir.init.eta.get(edge), ln)
}

fn written_or_plain(init: Option<&crate::ir::Dist>, ln: f64) -> Option<f64> {
    match init {
        Some(&crate::ir::Dist::Const { value }) if value.ln().to_bits() == ln.to_bits() => {
            Some(value)
        }
        _ => plain(ln),
    }
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

/// A data sample's part of a [`RunReport`]: its pathway, logits, probabilities and prediction.
#[derive(Clone, Debug, PartialEq)]
pub struct SampleReport {
    /// The sample's name.
    pub name: String,
    /// Its label.
    pub label: String,
    /// Firing non-class nodes, level order then declaration order (ids: a 10^6-node
    /// model's 60 samples fire about three million, named as the report is written).
    pub pathway: Vec<NodeId>,
    /// The logit of every class (null beyond f64).
    pub logits: Vec<Option<f64>>,
    /// `ln` of every class's logit (null = ln 0).
    pub ln_logits: Vec<Option<f64>>,
    /// The probability of every class.
    pub p: Vec<f64>,
    /// The predicted class; `null` when the sample reaches no class (it counts as wrong).
    pub predicted: Option<String>,
}

/// What `nshed run` prints: a view of a model's state, written as it is read (the report
/// of a 10^6-node model is tens of megabytes; nothing is held per node). The JSON has
/// the fields `model`, `classes`, `steps`, `lambda`, `ln_lambda`, `eta`, `ln_eta`,
/// `samples`, `accuracy`, `loss` and, with a test set, `test` (`accuracy`, `loss`, `gap`
/// and `samples`).
#[derive(Clone, Debug)]
pub struct RunReport<'a> {
    /// The model the state belongs to.
    pub model: &'a Model<'a>,
    /// The state reported.
    pub state: &'a State,
    /// Every data sample's part.
    pub samples: Vec<SampleReport>,
    /// Share of data samples (unweighted) whose predicted class is their label (a sample
    /// that reaches no class counts as wrong); `null` when there is no data.
    pub accuracy: Option<f64>,
    /// Mean `-ln p_label` over the data samples (unweighted); `null` without data.
    pub loss: Option<f64>,
    /// The test samples and their metrics; `None` without a `test` block.
    pub test: Option<TestReport>,
}

/// Each data sample evaluated, in order. The samples are split into one run per core,
/// each with its own evaluator (made here: see `samples_per_run`); a report depends on
/// its sample alone, so the result is the same for any number of threads.
pub fn sample_reports(model: &Model, state: &State) -> Vec<SampleReport> {
    reports_of(model, state, &model.ir.data.samples, true)
}

/// [`sample_reports`] of `samples`: the model's data when `data` (whose firing sets the
/// model may know already), else other labelled samples (the test set).
fn reports_of(model: &Model, state: &State, samples: &[Sample], data: bool) -> Vec<SampleReport> {
    use rayon::prelude::*;
    let ir = model.ir;
    let per_run = samples_per_run(samples.len());
    let mut evaluators: Vec<Evaluator> = samples
        .chunks(per_run)
        .map(|_| Evaluator::new(model))
        .collect();
    let runs: Vec<Vec<SampleReport>> = samples
        .par_chunks(per_run)
        .enumerate()
        .zip(evaluators.par_iter_mut())
        .map(|((run, chunk), ev)| {
            (run * per_run..)
                .zip(chunk)
                .map(|(i, s)| {
                    let e = if data {
                        ev.evaluate_sample(model, state, i)
                    } else {
                        ev.evaluate(model, state, &s.input)
                    };
                    SampleReport {
                        name: s.name.clone(),
                        label: ir.classes[s.label as usize].name.clone(),
                        logits: e.ln_logits.iter().map(|&l| plain(l)).collect(),
                        ln_logits: e.ln_logits.iter().map(|&l| ln_json(l)).collect(),
                        p: e.p,
                        predicted: e.predicted.map(|c| ir.classes[c as usize].name.clone()),
                        pathway: e.firing,
                    }
                })
                .collect()
        })
        .collect();
    drop(evaluators);
    runs.into_iter().flatten().collect()
}

/// The test part of a run report: every test sample evaluated, and the metrics.
#[derive(Clone, Debug)]
pub struct TestReport {
    /// Every test sample evaluated, in test-set order.
    pub samples: Vec<SampleReport>,
    /// Accuracy and loss over them.
    pub metrics: Metrics,
    /// Data accuracy minus test accuracy; `None` when either is undefined.
    pub gap: Option<f64>,
}

/// Share of data samples predicted as their label (`None` without data): see
/// [`crate::metrics`].
pub fn accuracy(model: &Model, state: &State) -> Option<f64> {
    crate::metrics::of_data(model, state).accuracy
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
        .zip(
            state
                .ln_lambdas()
                .into_iter()
                .enumerate()
                .map(|(n, ln)| lambda_plain(ir, n, ln)),
        )
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
        .zip(
            state
                .ln_etas()
                .into_iter()
                .enumerate()
                .map(|(e, ln)| eta_plain(ir, e, ln)),
        )
        .collect();
    let ln_map = names
        .into_iter()
        .zip(state.ln_etas().into_iter().map(ln_json))
        .collect();
    (Ordered(plain_map), Ordered(ln_map))
}

impl<'a> RunReport<'a> {
    /// The report of `state`, every data sample fired and evaluated.
    pub fn new(model: &'a Model<'a>, state: &'a State) -> RunReport<'a> {
        let samples = sample_reports(model, state);
        let accuracy = accuracy_of(&samples);
        let test = crate::engine::heldout::has_test(model.ir).then(|| {
            let held = crate::engine::heldout::test_samples(model.ir, state);
            let metrics = crate::metrics::of_samples(model, state, &held);
            TestReport {
                samples: reports_of(model, state, &held, false),
                gap: accuracy.zip(metrics.accuracy).map(|(d, t)| d - t),
                metrics,
            }
        });
        RunReport {
            model,
            state,
            accuracy,
            loss: crate::metrics::of_data(model, state).loss,
            test,
            samples,
        }
    }
}

/// `lambda` (or `ln_lambda`) of every node, keyed by name, in node order.
struct NodeValues<'a> {
    report: &'a RunReport<'a>,
    ln: bool,
}

impl Serialize for NodeValues<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let (ir, state) = (self.report.model.ir, self.report.state);
        let mut map = s.serialize_map(Some(ir.nodes.len()))?;
        for (n, node) in ir.nodes.iter().enumerate() {
            let ln = state.ln_lambda(n);
            let v = if self.ln {
                ln_json(ln)
            } else {
                lambda_plain(ir, n, ln)
            };
            map.serialize_entry(node.name.as_str(), &v)?;
        }
        map.end()
    }
}

/// `eta` (or `ln_eta`) of every class edge, keyed `"F->C"`, in edge order.
struct EdgeValues<'a> {
    report: &'a RunReport<'a>,
    ln: bool,
}

impl Serialize for EdgeValues<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let (ir, state) = (self.report.model.ir, self.report.state);
        let mut map = s.serialize_map(Some(ir.edges.len()))?;
        for e in 0..ir.edges.len() {
            let ln = state.ln_eta(e);
            let v = if self.ln {
                ln_json(ln)
            } else {
                eta_plain(ir, e, ln)
            };
            map.serialize_entry(&edge_name(ir, e), &v)?;
        }
        map.end()
    }
}

/// A sample's report with its pathway named.
struct SampleJson<'a> {
    ir: &'a Ir,
    sample: &'a SampleReport,
}

impl Serialize for SampleJson<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let r = self.sample;
        let mut m = s.serialize_struct("SampleReport", 7)?;
        m.serialize_field("name", &r.name)?;
        m.serialize_field("label", &r.label)?;
        m.serialize_field("pathway", &Names(self.ir, &r.pathway))?;
        m.serialize_field("logits", &r.logits)?;
        m.serialize_field("ln_logits", &r.ln_logits)?;
        m.serialize_field("p", &r.p)?;
        m.serialize_field("predicted", &r.predicted)?;
        m.end()
    }
}

/// A loss as JSON writes it ([`crate::metrics::loss_json`]).
struct LossJson(Option<f64>);

impl Serialize for LossJson {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        crate::metrics::loss_json(&self.0, s)
    }
}

/// The `test` object of the run report.
struct TestJson<'a> {
    ir: &'a Ir,
    test: &'a TestReport,
}

impl Serialize for TestJson<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let (ir, test) = (self.ir, self.test);
        let mut m = s.serialize_struct("TestReport", 4)?;
        m.serialize_field("accuracy", &test.metrics.accuracy)?;
        m.serialize_field("loss", &LossJson(test.metrics.loss))?;
        m.serialize_field("gap", &test.gap)?;
        let samples = test.samples.iter().map(|sample| SampleJson { ir, sample });
        m.serialize_field("samples", &SeqOf(samples))?;
        m.end()
    }
}

/// Node names of a list of node ids.
struct Names<'a>(&'a Ir, &'a [NodeId]);

impl Serialize for Names<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let nodes = &self.0.nodes;
        s.collect_seq(self.1.iter().map(|&n| nodes[n as usize].name.as_str()))
    }
}

/// Items serialised as a sequence, each made when it is written.
struct SeqOf<I>(I);

impl<I: Iterator<Item = T> + Clone, T: Serialize> Serialize for SeqOf<I> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.0.clone())
    }
}

impl Serialize for RunReport<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let ir = self.model.ir;
        let mut m = s.serialize_struct("RunReport", 9)?;
        m.serialize_field("model", &ir.model)?;
        m.serialize_field("classes", &SeqOf(ir.classes.iter().map(|c| &c.name)))?;
        m.serialize_field("steps", &self.state.step)?;
        m.serialize_field(
            "lambda",
            &NodeValues {
                report: self,
                ln: false,
            },
        )?;
        m.serialize_field(
            "ln_lambda",
            &NodeValues {
                report: self,
                ln: true,
            },
        )?;
        m.serialize_field(
            "eta",
            &EdgeValues {
                report: self,
                ln: false,
            },
        )?;
        m.serialize_field(
            "ln_eta",
            &EdgeValues {
                report: self,
                ln: true,
            },
        )?;
        let samples = self.samples.iter().map(|sample| SampleJson { ir, sample });
        m.serialize_field("samples", &SeqOf(samples))?;
        m.serialize_field("accuracy", &self.accuracy)?;
        m.serialize_field("loss", &LossJson(self.loss))?;
        if let Some(test) = &self.test {
            m.serialize_field("test", &TestJson { ir, test })?;
        }
        m.end()
    }
}

/// One recorded snapshot (`record every N { ... }`).
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Snapshot {
    /// The step the snapshot was taken after.
    pub step: u64,
    /// The phase it belongs to.
    pub phase: String,
    /// Every `lambda`, by node name (when recorded).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lambda: Option<Ordered<Option<f64>>>,
    /// `ln` of every `lambda` (null = ln 0).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ln_lambda: Option<Ordered<Option<f64>>>,
    /// Every `eta`, by edge name (when recorded).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub eta: Option<Ordered<Option<f64>>>,
    /// `ln` of every `eta` (null = ln 0).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ln_eta: Option<Ordered<Option<f64>>>,
    /// The accuracy on the data (when recorded; null when there is no data).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub accuracy: Option<Option<f64>>,
    /// Cross-entropy of the data (`"inf"` in JSON when infinite).
    #[serde(
        skip_serializing_if = "Option::is_none",
        serialize_with = "crate::metrics::asked_loss_json"
    )]
    pub loss: Option<Option<f64>>,
    /// The accuracy on the test samples (when recorded; null without test samples).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub test_accuracy: Option<Option<f64>>,
    /// Cross-entropy of the test samples (`"inf"` in JSON when infinite).
    #[serde(
        skip_serializing_if = "Option::is_none",
        serialize_with = "crate::metrics::asked_loss_json"
    )]
    pub test_loss: Option<Option<f64>>,
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

/// The information plane on the data samples (drawn with their weights, no noise): for every feature
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
        let test = crate::metrics::HeldOut::of_run(model, state);
        Snapshot::take_with_test(model, state, quantities, &test)
    }

    /// [`Snapshot::take`] with the run's test samples drawn already (a recorder draws
    /// them once for the whole run).
    pub fn take_with_test(
        model: &Model,
        state: &State,
        quantities: &[Quantity],
        test: &crate::metrics::HeldOut,
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
            loss: None,
            test_accuracy: None,
            test_loss: None,
            logits: None,
            ln_logits: None,
            info_plane: None,
        };
        let has_test = crate::engine::heldout::has_test(ir);
        let data_metrics = std::cell::OnceCell::new();
        let data_metrics = || *data_metrics.get_or_init(|| crate::metrics::of_data(model, state));
        let test_metrics = std::cell::OnceCell::new();
        let test_metrics =
            || *test_metrics.get_or_init(|| has_test.then(|| test.metrics(model, state)));
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
                Quantity::Accuracy => snap.accuracy = Some(data_metrics().accuracy),
                Quantity::Loss => snap.loss = Some(data_metrics().loss),
                Quantity::TestAccuracy => {
                    snap.test_accuracy = Some(test_metrics().and_then(|m| m.accuracy))
                }
                Quantity::TestLoss => snap.test_loss = Some(test_metrics().and_then(|m| m.loss)),
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
