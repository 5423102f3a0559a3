//! Basins of attraction: the outcome of training as a function of the
//! initial `lambda` of two nodes `A` and `B`.
//!
//! Every run starts from the same initial state (the run's stream 0 of the seed, so the
//! random init of every other node is the same everywhere) with only `lambda[A]` and
//! `lambda[B]` replaced, and trains with the same random stream for sampling, noise and
//! jitter. The outcome is a small integer key: the winning node of A's level, or the tuple of
//! predicted classes of the data samples.
//!
//! Grid axes: point `(col, row)` of an `n x n` grid sits at the centre of its cell,
//! `lambda[A] = axis(col)`, `lambda[B] = axis(row)`, with `axis(i) = lo + (hi - lo) (i + 1/2) / n`
//! on a linear axis and the same in `ln lambda` on a log axis (`--log`). Point index
//! `p = row * n + col`, so row 0 (the smallest `lambda[B]`) comes first.

mod colours;
mod pairs;
mod sweep;

pub use colours::{outcome_colour, outcome_hex};

pub use pairs::{
    uncertainty, EpsCount, MeasuredEntry, PairRule, Uncertainty, UncertaintyOptions,
    UncertaintyParams, UncertaintyReport, BLOCK, MAX_EPS, MAX_PAIRS,
};
pub use sweep::{
    grid, BasinGrid, BasinOptions, GridParams, GridReport, OutcomeEntry, Setup, MAX_GRID,
};

use rand::{Rng, SeedableRng};
use serde::{Deserialize, Serialize};

use crate::engine::numeric::predicted_class;

/// The outcome entry of a sample that reaches no class (no prediction).
pub const NO_CLASS: u32 = u32::MAX;
use crate::engine::state::RunRng;
use crate::engine::{Evaluator, Model, State, Trainer};
use crate::ir::Ir;

/// How a run's outcome is classified.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "cli", derive(clap::ValueEnum))]
#[serde(rename_all = "lowercase")]
pub enum OutcomeKind {
    /// The node of A's level with the largest final lambda (ties: the first declared).
    Top,
    /// The tuple of predicted classes of the data samples, in file order.
    Predictions,
}

/// One axis of the grid, in lambda units; `log` spaces the points evenly in `ln lambda`.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Axis {
    /// The smallest initial lambda.
    pub lo: f64,
    /// The largest initial lambda.
    pub hi: f64,
    /// Whether the points are spaced evenly in `ln lambda` (else in lambda).
    pub log: bool,
}

impl Axis {
    /// The axis coordinate of `lambda` (`lambda` itself, or `ln lambda` on a log axis).
    pub fn coord(&self, lambda: f64) -> f64 {
        if self.log {
            lambda.ln()
        } else {
            lambda
        }
    }

    /// The `lambda` of an axis coordinate.
    pub fn lambda(&self, coord: f64) -> f64 {
        if self.log {
            coord.exp()
        } else {
            coord
        }
    }

    /// The coordinate bounds `(coord(lo), coord(hi))`.
    pub fn bounds(&self) -> (f64, f64) {
        (self.coord(self.lo), self.coord(self.hi))
    }

    /// The width of the axis in coordinates (the unit of `eps`).
    pub fn width(&self) -> f64 {
        let (a, b) = self.bounds();
        b - a
    }

    /// `lambda` at the centre of cell `i` of `n`.
    pub fn cell_centre(&self, i: u64, n: u64) -> f64 {
        let (a, b) = self.bounds();
        self.lambda(a + (b - a) * ((i as f64 + 0.5) / n as f64))
    }
}

/// A training setup shared by every point of a basin sweep: the model, the common initial
/// state, the two varied nodes and the outcome.
pub struct Basin<'ir> {
    model: Model<'ir>,
    initial: State,
    a: usize,
    b: usize,
    /// Node ids of A's level.
    level: std::ops::Range<usize>,
    outcome: OutcomeKind,
    train: bool,
}

impl<'ir> Basin<'ir> {
    /// `a` and `b` are node ids of the same level (the caller checks names); `seed` gives
    /// the one random stream every run uses.
    pub fn new(
        ir: &'ir Ir,
        seed: u64,
        a: usize,
        b: usize,
        outcome: OutcomeKind,
        train: bool,
    ) -> Basin<'ir> {
        let level = &ir.levels[ir.nodes[a].level as usize];
        let ids = level.node_ids();
        Basin {
            model: Model::new(ir),
            initial: State::new(ir, seed),
            a,
            b,
            level: ids.start as usize..ids.end as usize,
            outcome,
            train,
        }
    }

    /// Trains one run from `lambda[A] = lambda_a`, `lambda[B] = lambda_b` and returns its
    /// outcome key.
    pub fn outcome(&self, lambda_a: f64, lambda_b: f64) -> Vec<u32> {
        let mut work = Workspace::new(&self.model);
        self.outcome_with(&mut work, lambda_a, lambda_b)
    }

    /// Like [`Basin::outcome`], reusing `work` (one per worker thread) so that a run
    /// allocates nothing.
    pub fn outcome_with(
        &self,
        work: &mut Workspace<'_, '_>,
        lambda_a: f64,
        lambda_b: f64,
    ) -> Vec<u32> {
        let state = &mut work.state;
        state.clone_from(&self.initial);
        state.set_ln_lambda(self.a, lambda_a.ln());
        state.set_ln_lambda(self.b, lambda_b.ln());
        if self.train {
            work.trainer.run(state);
        }
        match self.outcome {
            OutcomeKind::Top => {
                // The first node of the level with the largest ln lambda (ties to the first).
                let mut top = 0;
                let mut best = f64::NEG_INFINITY;
                for (i, n) in self.level.clone().enumerate() {
                    let v = state.ln_lambda(n);
                    if v > best || i == 0 {
                        best = v;
                        top = i;
                    }
                }
                vec![top as u32]
            }
            OutcomeKind::Predictions => {
                let ir = self.model.ir;
                ir.data
                    .samples
                    .iter()
                    .map(|s| {
                        work.evaluator.ln_logits_into(
                            &self.model,
                            state,
                            &s.input,
                            &mut work.logits,
                        );
                        predicted_class(&work.logits).map_or(NO_CLASS, |c| c as u32)
                    })
                    .collect()
            }
        }
    }

    /// The model it trains.
    pub fn model(&self) -> &Model<'ir> {
        &self.model
    }
}

/// Per-worker scratch space: a trainer, an evaluator and a state to train in.
pub struct Workspace<'m, 'ir> {
    trainer: Trainer<'m, 'ir>,
    evaluator: Evaluator,
    state: State,
    logits: Vec<f64>,
}

impl<'m, 'ir> Workspace<'m, 'ir> {
    /// Scratch space for runs of `model`.
    pub fn new(model: &'m Model<'ir>) -> Self {
        Workspace {
            trainer: Trainer::new(model),
            evaluator: Evaluator::new(model),
            state: State::new(model.ir, 0),
            logits: Vec::new(),
        }
    }
}

/// The grid point `p` of an `n x n` grid as `(col, row)`.
pub fn grid_cell(p: u64, n: u64) -> (u64, u64) {
    (p % n, p / n)
}

/// A random pair of initial points at distance `eps` (in axis coordinates) for the
/// uncertainty exponent: the first point uniform in the square shrunk by `eps` on every side
/// (so that the second, in a uniformly random direction, stays inside), as `lambda` values
/// `((a, b), (a', b'))`. The draws come from stream `pair + 1` of the seed's key (stream 0 is
/// the training stream), so a pair depends only on the seed and its index. Needs
/// `0 < 2 eps < width` on both axes (the caller checks).
pub fn random_pair(seed: u64, pair: u64, eps: f64, x: &Axis, y: &Axis) -> ((f64, f64), (f64, f64)) {
    let mut rng = RunRng::seed_from_u64(seed);
    rng.set_stream(pair.wrapping_add(1));
    let (x0, x1) = x.bounds();
    let (y0, y1) = y.bounds();
    let u: f64 = rng.gen();
    let v: f64 = rng.gen();
    let angle: f64 = rng.gen::<f64>() * std::f64::consts::TAU;
    let cx = x0 + eps + (x1 - x0 - 2.0 * eps) * u;
    let cy = y0 + eps + (y1 - y0 - 2.0 * eps) * v;
    let (dx, dy) = (eps * angle.cos(), eps * angle.sin());
    (
        (x.lambda(cx), y.lambda(cy)),
        (x.lambda(cx + dx), y.lambda(cy + dy)),
    )
}

/// `n` values from `lo` to `hi` (both included), evenly spaced on a log scale.
pub fn geometric(lo: f64, hi: f64, n: usize) -> Vec<f64> {
    if n == 1 {
        return vec![lo];
    }
    let (a, b) = (lo.ln(), hi.ln());
    (0..n)
        .map(|k| {
            if k == 0 {
                lo
            } else if k + 1 == n {
                hi
            } else {
                (a + (b - a) * k as f64 / (n - 1) as f64).exp()
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn compiled(text: &str) -> Ir {
        crate::compile(crate::source::Source {
            name: "t.nshed".into(),
            text: text.into(),
        })
        .unwrap()
        .ir
    }

    const TWO: &str =
        "model m { level input { x y z } level mid { a = any(x) b = any(y) c = any(z) } \
        classes { k1 <- a, b  k2 <- c } }\n\
        data { s1: x -> k1  s2: y -> k1  s3: z -> k2 }\n\
        train { sampler cycle phase p { steps 3 batch 1 } }";

    #[test]
    fn cell_centres_are_linear_or_geometric() {
        let lin = Axis {
            lo: 0.0,
            hi: 1.0,
            log: false,
        };
        assert_eq!(lin.cell_centre(0, 4), 0.125);
        assert_eq!(lin.cell_centre(3, 4), 0.875);
        let log = Axis {
            lo: 0.01,
            hi: 100.0,
            log: true,
        };
        assert!((log.cell_centre(0, 2) - 0.1).abs() < 1e-12);
        assert!((log.cell_centre(1, 2) - 10.0).abs() < 1e-12);
        assert!((log.width() - 4.0 * 10f64.ln()).abs() < 1e-12);
        assert_eq!(grid_cell(9, 4), (1, 2));
    }

    #[test]
    fn the_winner_is_the_largest_final_lambda() {
        let ir = compiled(TWO);
        let (a, b) = (3, 4);
        // Three cycle steps: each of a, b, c is in U once and out twice: each ends at
        // lambda0 * 1.1 * 0.81, so the largest start wins.
        let basin = Basin::new(&ir, 0, a, b, OutcomeKind::Top, true);
        assert_eq!(basin.outcome(2.0, 0.5), vec![0]);
        assert_eq!(basin.outcome(0.5, 2.0), vec![1]);
        assert_eq!(basin.outcome(0.5, 0.5), vec![2]);
        // A tie goes to the first declared node.
        assert_eq!(basin.outcome(1.0, 1.0), vec![0]);
        let untrained = Basin::new(&ir, 0, a, b, OutcomeKind::Top, false);
        assert_eq!(untrained.outcome(0.5, 3.0), vec![1]);
    }

    #[test]
    fn predictions_follow_the_competing_lambdas() {
        let text = "model m { level input { x y } level mid { a = any(x, y) b = any(y) } \
            classes { k1 <- a  k2 <- b } }\n\
            data { s1: x y -> k1 }\n\
            train { sampler cycle phase p { steps 2 batch 1 } }";
        let ir = compiled(text);
        let basin = Basin::new(&ir, 0, 2, 3, OutcomeKind::Predictions, true);
        // Two steps on s1: every lambda grows by 1.21, eta[a,k1] grows to 1.21 and
        // eta[b,k2] shrinks to 0.81 (k2 is not s1's label). Z1 = 1.21 * 1.21 la * 2.42,
        // Z2 = 0.81 * 1.21 lb * 1.21: k1 wins while lb < 2.42 / 0.81 la = 2.98765 la
        // (untrained, the threshold would be 2 la).
        assert_eq!(basin.outcome(1.0, 2.95), vec![0]);
        assert_eq!(basin.outcome(1.0, 3.02), vec![1]);
        let untrained = Basin::new(&ir, 0, 2, 3, OutcomeKind::Predictions, false);
        assert_eq!(untrained.outcome(1.0, 2.5), vec![1]);
    }

    #[test]
    fn pairs_are_at_distance_eps_inside_the_square() {
        let x = Axis {
            lo: 0.0,
            hi: 2.0,
            log: false,
        };
        let y = Axis {
            lo: 0.1,
            hi: 10.0,
            log: true,
        };
        for pair in 0..50 {
            let ((a, b), (a2, b2)) = random_pair(7, pair, 0.3, &x, &y);
            let d =
                ((x.coord(a2) - x.coord(a)).powi(2) + (y.coord(b2) - y.coord(b)).powi(2)).sqrt();
            assert!((d - 0.3).abs() < 1e-9);
            for v in [a, a2] {
                assert!((0.0..=2.0).contains(&v));
            }
            for v in [b, b2] {
                assert!((0.1..=10.0 + 1e-9).contains(&v));
            }
        }
        assert_eq!(
            random_pair(7, 3, 0.3, &x, &y),
            random_pair(7, 3, 0.3, &x, &y)
        );
        assert_ne!(
            random_pair(7, 3, 0.3, &x, &y),
            random_pair(7, 4, 0.3, &x, &y)
        );
    }

    #[test]
    fn geometric_steps_include_both_ends() {
        let g = geometric(0.001, 0.1, 3);
        assert_eq!(g[0], 0.001);
        assert!((g[1] - 0.01).abs() < 1e-15);
        assert_eq!(g[2], 0.1);
    }
}
