//! Learning curves of a training run: the accuracy and loss of the data, and of the test
//! set when the model has one, against the step. `nshed run --curves` takes a point every
//! `K` steps while it trains ([`curve_every`]) and draws them (`crate::render`).

use std::sync::Arc;

use serde::Serialize;

use crate::engine::{Model, State};
use crate::ir::Ir;
use crate::metrics::HeldOut;

/// The metrics of the state after `step` training steps.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct CurvePoint {
    /// Training steps taken (over all phases).
    pub step: u64,
    /// Accuracy on the data samples (`None` without data).
    pub accuracy: Option<f64>,
    /// Mean `-ln p_label` of the data samples (`+inf`, `"inf"` in JSON, when a label has
    /// probability 0).
    #[serde(serialize_with = "crate::metrics::loss_json")]
    pub loss: Option<f64>,
    /// Accuracy on the test samples (`None` without a test set).
    pub test_accuracy: Option<f64>,
    /// Mean `-ln p_label` of the test samples.
    #[serde(serialize_with = "crate::metrics::loss_json")]
    pub test_loss: Option<f64>,
}

/// The learning curves of one run: its points in step order.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct LearningCurves {
    /// The model's name.
    pub model: String,
    /// Steps between two points.
    pub every: u64,
    /// Whether the model has a test set (its test values are `None` otherwise).
    pub has_test: bool,
    /// The points, one per observed step, in step order.
    pub points: Vec<CurvePoint>,
    /// The run's test samples, drawn at the first point (only the run's seed counts), or
    /// given by [`LearningCurves::share_test`].
    #[serde(skip)]
    test: Option<Arc<HeldOut>>,
}

/// Most points a run gets when its model has no `record` block.
pub const DEFAULT_POINTS: u64 = 100;

/// Steps between two points of the curves of `ir`'s run: the `record` block's, else
/// `max(1, steps / 100)` for its whole schedule.
pub fn curve_every(ir: &Ir) -> u64 {
    match ir.train.as_ref().and_then(|t| t.record.as_ref()) {
        Some(record) => record.every.max(1),
        None => (crate::experiments::schedule::total_steps(ir) / DEFAULT_POINTS).max(1),
    }
}

impl LearningCurves {
    /// No points yet, one every [`curve_every`] steps.
    pub fn new(ir: &Ir) -> LearningCurves {
        LearningCurves {
            model: ir.model.clone(),
            every: curve_every(ir),
            has_test: crate::engine::heldout::has_test(ir),
            points: Vec::new(),
            test: None,
        }
    }

    /// Measures the test set through `test`, the run's test samples, which another
    /// observer of the same run (a `--record` file) fires too: each sample fires once.
    pub fn share_test(&mut self, test: Arc<HeldOut>) {
        self.test = Some(test);
    }

    /// Adds the point of `state`, unless its step has one already (the last step of a run
    /// is observed both by the schedule and at the end).
    pub fn observe(&mut self, model: &Model, state: &State) {
        if self.points.last().is_some_and(|p| p.step == state.step) {
            return;
        }
        let data = crate::metrics::of_data(model, state);
        let test = if self.has_test {
            let held = self
                .test
                .get_or_insert_with(|| Arc::new(HeldOut::of_run(model, state)));
            Some(held.metrics(model, state))
        } else {
            None
        };
        self.points.push(CurvePoint {
            step: state.step,
            accuracy: data.accuracy,
            loss: data.loss,
            test_accuracy: test.and_then(|t| t.accuracy),
            test_loss: test.and_then(|t| t.loss),
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::testing::fig1;

    fn ir_of(train: &str) -> Ir {
        let source = crate::source::Source {
            name: "m.nshed".into(),
            text: format!(
                "model m {{ level input {{ a b }} classes {{ c1 <- a  c2 <- b }} }}\n\
                 data {{ s1: a -> c1 }}\n{train}"
            ),
        };
        match crate::compile(source) {
            Ok(compiled) => compiled.ir().clone(),
            Err(report) => panic!("{}", report.render(crate::diag::RenderStyle::Plain)),
        }
    }

    #[test]
    fn every_follows_the_record_block_or_the_schedule() {
        let with = "train { phase p { steps 5100 } record every 100 { accuracy } }";
        assert_eq!(curve_every(&ir_of(with)), 100);
        let phases = "train { phase p { steps 5000 } phase q { steps 100 } }";
        assert_eq!(curve_every(&ir_of(phases)), 51);
        assert_eq!(curve_every(&ir_of("train { phase p { steps 40 } }")), 1);
        assert_eq!(curve_every(&ir_of("")), 1);
    }

    #[test]
    fn a_step_gets_one_point() {
        let ir = fig1();
        let model = Model::new(&ir);
        let state = State::new(&ir, 0);
        let mut curves = LearningCurves::new(&ir);
        curves.observe(&model, &state);
        curves.observe(&model, &state);
        assert_eq!(curves.points.len(), 1);
        let p = curves.points[0];
        let m = crate::metrics::of_data(&model, &state);
        assert_eq!((p.step, p.accuracy, p.loss), (0, m.accuracy, m.loss));
        assert_eq!((p.test_accuracy, p.test_loss), (None, None));
    }
}
