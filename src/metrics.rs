//! How well a model state does on a set of labelled inputs: accuracy and loss, the one
//! definition every report, recorder, REPL command, expectation and front end uses.
//!
//! * `accuracy`: the share of the inputs whose predicted class is their label. An input
//!   that reaches no class has no prediction and counts as wrong.
//! * `loss`: the mean over the inputs of `-ln p_label` (cross-entropy, computed from the
//!   log-domain logits by [`cross_entropy`]; `p` is uniform when no class is reached).
//!
//! Both are unweighted: a data sample's `weight` changes how often training draws it,
//! not how much it counts here.

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::engine::batch::Inputs;
use crate::engine::numeric::{cross_entropy, predicted_class};
use crate::engine::{Evaluator, Model, State};
use crate::ir::{ClassId, Sample};

/// Accuracy and loss of one state on one set of labelled inputs.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Metrics {
    /// Inputs measured.
    pub samples: usize,
    /// Inputs whose predicted class is their label.
    pub correct: usize,
    /// `correct / samples`; `None` (JSON `null`) for no inputs.
    pub accuracy: Option<f64>,
    /// Mean of `-ln p_label`; `None` for no inputs. `+inf` when some input's label has
    /// probability 0 (JSON: the string `"inf"`, see [`loss_json`]).
    #[serde(serialize_with = "loss_json", deserialize_with = "loss_from_json")]
    pub loss: Option<f64>,
}

/// How one trained state generalises: its metrics on the test samples beside its accuracy
/// on the data, and the difference of the two accuracies. The experiments report it per
/// configuration when the model has a test set.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Generalisation {
    /// Accuracy on the data samples (each counted once).
    pub data_accuracy: Option<f64>,
    /// The metrics on the test samples (`samples`, `correct`, `accuracy`, `loss`).
    #[serde(flatten)]
    pub test: Metrics,
    /// The generalisation gap: data accuracy minus test accuracy; `None` when either is
    /// undefined.
    pub gap: Option<f64>,
}

/// The [`Generalisation`] of `state`; `None` when the model has no `test` block.
pub fn generalisation(model: &Model, state: &State) -> Option<Generalisation> {
    let test = of_test(model, state)?;
    let data_accuracy = of_data(model, state).accuracy;
    Some(Generalisation {
        data_accuracy,
        test,
        gap: data_accuracy.zip(test.accuracy).map(|(d, t)| d - t),
    })
}

/// A loss for JSON, which has no infinity: a number, the string `"inf"` for `+inf` (a
/// label that the model gives probability 0), and `null` for no samples.
pub fn loss_json<S: serde::Serializer>(v: &Option<f64>, s: S) -> Result<S::Ok, S::Error> {
    match v {
        Some(x) if x.is_infinite() && *x > 0.0 => s.serialize_str("inf"),
        Some(x) if x.is_finite() => s.serialize_f64(*x),
        _ => s.serialize_none(),
    }
}

/// Reads what [`loss_json`] writes: a number, `"inf"` or `null` (saved shard files carry
/// losses this way).
pub fn loss_from_json<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<f64>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Loss {
        Number(f64),
        Word(String),
    }
    match Option::<Loss>::deserialize(d)? {
        None => Ok(None),
        Some(Loss::Number(x)) => Ok(Some(x)),
        Some(Loss::Word(w)) if w == "inf" => Ok(Some(f64::INFINITY)),
        Some(Loss::Word(w)) => Err(serde::de::Error::custom(format!(
            "`{w}` is not a loss (a number or \"inf\")"
        ))),
    }
}

/// [`loss_json`] for a quantity that may not have been asked for (left out of the JSON
/// then, by `skip_serializing_if`).
pub fn asked_loss_json<S: serde::Serializer>(
    v: &Option<Option<f64>>,
    s: S,
) -> Result<S::Ok, S::Error> {
    loss_json(v.as_ref().unwrap_or(&None), s)
}

impl Metrics {
    /// The metrics of per-input results (right or wrong, and `-ln p_label`), summed in
    /// input order so that the result does not depend on how the inputs were shared out.
    fn of(results: &[(bool, f64)]) -> Metrics {
        let samples = results.len();
        let correct = results.iter().filter(|r| r.0).count();
        let total: f64 = results.iter().map(|r| r.1).sum();
        let n = samples as f64;
        Metrics {
            samples,
            correct,
            accuracy: (samples > 0).then(|| correct as f64 / n),
            loss: (samples > 0).then(|| total / n),
        }
    }
}

/// Whether `ln_z` predicts `label`, and the loss of `label` under it.
fn judge(ln_z: &[f64], label: ClassId) -> (bool, f64) {
    let label = label as usize;
    (
        predicted_class(ln_z) == Some(label),
        cross_entropy(ln_z, label),
    )
}

/// The metrics of `state` on `n` inputs, input `i` being `input(i)` labelled `label(i)`
/// (a label past the model's classes is never predicted and has infinite loss).
fn of_each<'a>(
    model: &Model,
    state: &State,
    n: usize,
    input: impl Fn(usize) -> &'a [crate::ir::NodeId] + Sync,
    label: impl Fn(usize) -> ClassId + Sync,
) -> Metrics {
    let results: Vec<(bool, f64)> = (0..n)
        .into_par_iter()
        .map_init(
            || (Evaluator::new(model), Vec::new()),
            |(ev, ln_z), i| {
                ev.ln_logits_into(model, state, input(i), ln_z);
                judge(ln_z, label(i))
            },
        )
        .collect();
    Metrics::of(&results)
}

/// The metrics of `state` on `inputs`, input `i` labelled `labels[i]` (the front ends
/// resolve labels by name first).
pub fn of_inputs(model: &Model, state: &State, inputs: &Inputs, labels: &[ClassId]) -> Metrics {
    let n = inputs.len().min(labels.len());
    of_each(model, state, n, |i| inputs.get(i), |i| labels[i])
}

/// The metrics of `state` on labelled samples that are not the model's data (its test
/// samples: [`crate::engine::heldout::test_samples`]).
pub fn of_samples(model: &Model, state: &State, samples: &[Sample]) -> Metrics {
    of_each(
        model,
        state,
        samples.len(),
        |i| samples[i].input.as_slice(),
        |i| samples[i].label,
    )
}

/// Held-out samples with their firing sets, fired on first use and kept: which nodes a
/// sample fires does not depend on the factors training changes, so a run that measures
/// its test set at many steps fires each test sample once.
#[derive(Clone, Debug)]
pub struct HeldOut {
    samples: Vec<Sample>,
    firing: std::sync::OnceLock<Vec<Vec<crate::ir::NodeId>>>,
}

/// Equal when the samples are (the firing sets follow from them).
impl PartialEq for HeldOut {
    fn eq(&self, other: &HeldOut) -> bool {
        self.samples == other.samples
    }
}

impl HeldOut {
    /// The model's test samples for the run of `state` (its copies depend on the seed).
    pub fn of_run(model: &Model, state: &State) -> HeldOut {
        HeldOut::new(crate::engine::heldout::test_samples(model.ir, state))
    }

    /// These samples, not fired yet.
    pub fn new(samples: Vec<Sample>) -> HeldOut {
        HeldOut {
            samples,
            firing: std::sync::OnceLock::new(),
        }
    }

    /// The samples, in their order.
    pub fn samples(&self) -> &[Sample] {
        &self.samples
    }

    /// The metrics of `state` on these samples; the same as [`of_samples`].
    pub fn metrics(&self, model: &Model, state: &State) -> Metrics {
        let firing = self.firing.get_or_init(|| {
            self.samples
                .par_iter()
                .map_init(|| Evaluator::new(model), |ev, s| ev.firing(model, &s.input))
                .collect()
        });
        let results: Vec<(bool, f64)> = (0..self.samples.len())
            .into_par_iter()
            .map_init(
                || (Evaluator::new(model), Vec::new()),
                |(ev, ln_z), i| {
                    ev.fired_ln_logits_into(model, state, &firing[i], ln_z);
                    judge(ln_z, self.samples[i].label)
                },
            )
            .collect();
        Metrics::of(&results)
    }
}

/// The metrics of `state` on the model's test set; `None` when the model has no `test`
/// block.
pub fn of_test(model: &Model, state: &State) -> Option<Metrics> {
    crate::engine::heldout::has_test(model.ir).then(|| {
        of_samples(
            model,
            state,
            &crate::engine::heldout::test_samples(model.ir, state),
        )
    })
}

/// The metrics of `state` on the model's data samples (each counted once, whatever its
/// weight); firing sets the model already knows are not fired again.
pub fn of_data(model: &Model, state: &State) -> Metrics {
    let samples = &model.ir.data.samples;
    let results: Vec<(bool, f64)> = (0..samples.len())
        .into_par_iter()
        .map_init(
            || (Evaluator::new(model), Vec::new()),
            |(ev, ln_z), i| {
                ev.sample_ln_logits_into(model, state, i, ln_z);
                judge(ln_z, samples[i].label)
            },
        )
        .collect();
    Metrics::of(&results)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::testing::fig1;

    /// fig1 at its initial state (every lambda and eta 1): the logits of its four
    /// samples are c1a (2, 2, 0), c1b (2, 2, 0), c2 (3, 7, 0), c3 (0, 0, 4).
    #[test]
    fn fig1_initial_state_by_hand() {
        let ir = fig1();
        let model = Model::new(&ir);
        let state = State::new(&ir, 0);
        let m = of_data(&model, &state);
        // c1a and c1b tie c1 with c2, and ties go to the first class: all four right.
        assert_eq!((m.samples, m.correct, m.accuracy), (4, 4, Some(1.0)));
        let exp = f64::exp;
        let losses = [
            (2.0 + exp(-2.0)).ln(),             // c1a: -ln(e^2 / (2 e^2 + 1))
            (2.0 + exp(-2.0)).ln(),             // c1b, the same logits
            (1.0 + exp(-4.0) + exp(-7.0)).ln(), // c2: -ln(e^7 / (e^3 + e^7 + 1))
            (1.0 + 2.0 * exp(-4.0)).ln(),       // c3: -ln(e^4 / (e^4 + 2))
        ];
        let want = losses.iter().sum::<f64>() / 4.0;
        assert!(
            (m.loss.unwrap_or(f64::NAN) - want).abs() < 1e-12,
            "{m:?} vs {want}"
        );
        // SPEC's p of c1a, 0.468311: its loss is -ln p.
        assert!((losses[0] + 0.468311f64.ln()).abs() < 1e-5);
    }

    #[test]
    fn wrong_labels_and_inputs_that_reach_no_class() {
        let ir = fig1();
        let model = Model::new(&ir);
        let state = State::new(&ir, 0);
        let mut inputs = Inputs::new();
        inputs.push(&[2, 3, 4]); // c2's pattern, logits (3, 7, 0), labelled c1: wrong
        inputs.push(&[]); // nothing fires: no prediction (wrong), p uniform
        inputs.push(&[4, 5, 6]); // c3's pattern, logits (0, 0, 4), labelled c3: right
        let m = of_inputs(&model, &state, &inputs, &[0, 1, 2]);
        assert_eq!((m.samples, m.correct), (3, 1));
        assert_eq!(m.accuracy, Some(1.0 / 3.0));
        let exp = f64::exp;
        let want =
            (4.0 + (1.0 + exp(-4.0) + exp(-7.0)).ln() + 3f64.ln() + (1.0 + 2.0 * exp(-4.0)).ln())
                / 3.0;
        assert!((m.loss.unwrap_or(f64::NAN) - want).abs() < 1e-12);
        let none = of_inputs(&model, &state, &Inputs::new(), &[]);
        assert_eq!((none.samples, none.accuracy, none.loss), (0, None, None));
    }

    /// Firing sets kept across states give what firing again gives, at several states
    /// (the factors change, the firing sets do not).
    #[test]
    fn held_out_firing_sets_give_the_same_metrics() {
        let ir = fig1();
        let model = Model::new(&ir);
        let mut samples = ir.data.samples.clone();
        samples[1].label = 2; // one wrong label, so both right and wrong results occur
        let held = HeldOut::new(samples.clone());
        for seed in [0u64, 7] {
            let mut state = State::new(&ir, seed);
            for step in 0..3 {
                assert_eq!(
                    held.metrics(&model, &state),
                    of_samples(&model, &state, &samples)
                );
                for n in (0..model.n_nodes()).step_by(step + 2) {
                    let grown = state.ln_lambda(n) + 1.7f64.ln();
                    state.set_ln_lambda(n, grown);
                }
            }
        }
    }

    #[test]
    fn metrics_survive_json_with_an_infinite_loss() {
        for loss in [Some(0.25), Some(f64::INFINITY), None] {
            let m = Metrics {
                samples: 3,
                correct: 1,
                accuracy: Some(1.0 / 3.0),
                loss,
            };
            let g = Generalisation {
                data_accuracy: Some(1.0),
                test: m,
                gap: Some(2.0 / 3.0),
            };
            let text = serde_json::to_string(&g).unwrap_or_default();
            let back: Result<Generalisation, _> = serde_json::from_str(&text);
            assert_eq!(back.ok(), Some(g), "{text}");
        }
        let bad: Result<Metrics, _> =
            serde_json::from_str(r#"{"samples":1,"correct":0,"accuracy":0,"loss":"many"}"#);
        assert!(bad.is_err());
    }

    #[test]
    fn data_metrics_equal_the_same_inputs_given_by_hand() {
        let ir = fig1();
        let model = Model::new(&ir);
        let mut state = State::new(&ir, 0);
        state.set_ln_lambda(8, 3.0); // m2 (ids: e1..e7, then m1..m4)
        let mut inputs = Inputs::new();
        let labels: Vec<ClassId> = ir.data.samples.iter().map(|s| s.label).collect();
        for s in &ir.data.samples {
            inputs.push(&s.input);
        }
        assert_eq!(
            of_data(&model, &state),
            of_inputs(&model, &state, &inputs, &labels)
        );
    }
}
