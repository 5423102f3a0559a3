//! The curves of a training session: accuracy and loss, the information plane and (for models
//! small enough) every node's `ln lambda`, measured every `every` steps and at the end of
//! every command. When the curve reaches [`MAX_POINTS`] points, every other one is
//! dropped and `every` doubles, so a session that trains forever holds a bounded curve.

use serde::Serialize;

use nshed::analysis::{information_plane, LevelInformation, PlaneOptions};
use nshed::engine::{Model, State};

/// Points kept at most (then thinned to half).
pub const MAX_POINTS: usize = 400;
/// Models with more nodes than this get no `ln lambda` curves (a point would hold them all).
pub const MAX_LAMBDA_NODES: usize = 2000;

/// What is measured at one step.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Point {
    pub step: u64,
    /// Share of the data samples predicted right (`null` without data).
    pub accuracy: Option<f64>,
    /// Mean of `-ln p_label` over the data samples (`null` without data).
    pub loss: Option<f64>,
    /// `I(X;T)` and `I(T;Y)` of every feature level (scores, 30 bins); empty without data.
    pub info: Vec<LevelInformation>,
}

/// The curves of one model's run since its last reset.
#[derive(Debug, Default)]
pub struct History {
    every: u64,
    points: Vec<Point>,
    /// `ln lambda` of every node at each point (empty for large models).
    lambdas: Vec<Vec<f64>>,
    /// Whether the last point was taken off the `every` grid (the end of a command).
    tail: bool,
}

/// One point of `state`.
pub fn measure(model: &Model, state: &State) -> Point {
    let metrics = nshed::metrics::of_data(model, state);
    Point {
        step: state.step,
        accuracy: metrics.accuracy,
        loss: metrics.loss,
        info: information_plane(model, state, PlaneOptions::default()).unwrap_or_default(),
    }
}

impl History {
    /// A history starting at `state` (usually step 0).
    pub fn new(model: &Model, state: &State) -> History {
        let mut history = History {
            every: 1,
            ..History::default()
        };
        history.push(model, state, false);
        history
    }

    pub fn points(&self) -> &[Point] {
        &self.points
    }

    /// The step of every point and, per node, its `ln lambda` at each of them; `None`
    /// when the model is too large to keep them.
    pub fn lambdas(&self, node: usize) -> Option<Vec<f64>> {
        self.lambdas
            .iter()
            .map(|row| row.get(node).copied())
            .collect()
    }

    /// Whether `ln lambda` curves are kept for this model.
    pub fn keeps_lambdas(model: &Model) -> bool {
        model.ir.nodes.len() <= MAX_LAMBDA_NODES
    }

    /// Called after every training step: measures on the grid of `every`.
    pub fn after_step(&mut self, model: &Model, state: &State) {
        if state.step.is_multiple_of(self.every) {
            self.push(model, state, false);
        }
    }

    /// Called at the end of a command: the curve ends at the current step.
    pub fn settle(&mut self, model: &Model, state: &State) {
        if self.points.last().map(|p| p.step) != Some(state.step) {
            self.push(model, state, true);
        }
    }

    fn push(&mut self, model: &Model, state: &State, tail: bool) {
        if self.tail {
            self.points.pop();
            self.lambdas.pop();
        }
        if self.points.last().is_some_and(|p| p.step >= state.step) {
            self.tail = false;
            return;
        }
        self.points.push(measure(model, state));
        if History::keeps_lambdas(model) {
            self.lambdas.push(state.ln_lambdas());
        }
        self.tail = tail;
        if self.points.len() > MAX_POINTS {
            self.thin();
        }
    }

    /// Keeps the points on a grid twice as coarse (and the first and last).
    fn thin(&mut self) {
        self.every = self.every.saturating_mul(2);
        let every = self.every;
        let last = self.points.len() - 1;
        let keep: Vec<bool> = (0..self.points.len())
            .map(|i| i == 0 || i == last || self.points[i].step.is_multiple_of(every))
            .collect();
        let mut k = keep.iter();
        self.points.retain(|_| k.next().copied().unwrap_or(false));
        if !self.lambdas.is_empty() {
            let mut k = keep.iter();
            self.lambdas.retain(|_| k.next().copied().unwrap_or(false));
        }
        // The last point stays even when it is off the new grid.
        self.tail = self
            .points
            .last()
            .is_some_and(|p| !p.step.is_multiple_of(every));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use nshed::engine::{Trainer, Until};

    fn fruit() -> nshed::Compiled {
        let source = nshed::source::Source {
            name: "fruit.nshed".into(),
            text: include_str!("../../examples/fruit.nshed").into(),
        };
        nshed::compile(source).unwrap_or_else(|r| panic!("{:?}", r.problems))
    }

    /// `n` steps of training, every one of them seen by `history`, as the worker trains.
    fn train_recorded(trainer: &mut Trainer, state: &mut State, history: &mut History, n: u64) {
        let model = trainer.model();
        let observer = nshed::engine::Observer {
            every: std::num::NonZeroU64::MIN,
            see: &mut |s| history.after_step(model, s),
        };
        let control = nshed::engine::Control::default();
        nshed::engine::train(trainer, state, Until::Steps(n), &control, Some(observer));
        history.settle(model, state);
    }

    #[test]
    fn points_follow_the_steps_and_stay_bounded() {
        let compiled = fruit();
        let model = compiled.model();
        let mut trainer = Trainer::new(&model);
        let mut state = State::new(compiled.ir(), 1);
        let mut history = History::new(&model, &state);
        let mut train = |n: u64, state: &mut State, history: &mut History| {
            train_recorded(&mut trainer, state, history, n);
        };
        train(3, &mut state, &mut history);
        let steps: Vec<u64> = history.points().iter().map(|p| p.step).collect();
        assert_eq!(steps, [0, 1, 2, 3]);
        // fruit starts with every lambda 0: nothing is reached, accuracy 0; after its
        // 8-step schedule every sample is right.
        assert_eq!(history.points()[0].accuracy, Some(0.0));
        train(5, &mut state, &mut history);
        assert_eq!(history.points().last().and_then(|p| p.accuracy), Some(1.0));
        // Nothing reaches a class at first: p is uniform over the 3 classes, loss ln 3.
        let first = history.points()[0].loss.unwrap_or(f64::NAN);
        assert!((first - 3f64.ln()).abs() < 1e-12, "{first}");
        let losses: Vec<f64> = history.points().iter().filter_map(|p| p.loss).collect();
        assert!(losses[8] < losses[0], "{losses:?}");
        assert_eq!(history.points().last().map(|p| p.info.len()), Some(2));
        train(1000, &mut state, &mut history);
        let points = history.points();
        assert!(points.len() <= MAX_POINTS, "{}", points.len());
        assert!(points.len() > MAX_POINTS / 4, "{}", points.len());
        assert_eq!(points.first().map(|p| p.step), Some(0));
        assert_eq!(points.last().map(|p| p.step), Some(1008));
        assert!(points.windows(2).all(|w| w[0].step < w[1].step));
        // The lambdas are those of the state at each point.
        let lambdas = history.lambdas(0).unwrap_or_default();
        assert_eq!(lambdas.len(), points.len());
        assert_eq!(lambdas.last().copied(), Some(state.ln_lambda(0)));
        assert_eq!(lambdas.first().copied(), Some(f64::NEG_INFINITY));
    }

    #[test]
    fn a_command_ending_off_the_grid_leaves_one_tail_point() {
        let compiled = fruit();
        let model = compiled.model();
        let mut state = State::new(compiled.ir(), 1);
        let mut history = History::new(&model, &state);
        history.every = 4;
        let mut trainer = Trainer::new(&model);
        let mut train = |n: u64, state: &mut State, history: &mut History| {
            train_recorded(&mut trainer, state, history, n);
        };
        for _ in 0..3 {
            train(1, &mut state, &mut history);
        }
        let steps: Vec<u64> = history.points().iter().map(|p| p.step).collect();
        assert_eq!(steps, [0, 3]);
        train(2, &mut state, &mut history);
        let steps: Vec<u64> = history.points().iter().map(|p| p.step).collect();
        assert_eq!(steps, [0, 4, 5]);
    }
}
