//! Many inputs at once: predictions, probabilities, logits, scores and pathways of a set of
//! level-1 patterns, as flat row-major tables (what a notebook turns into arrays).
//!
//! The rows are shared out over the cores in fixed blocks, each with its own evaluator;
//! every row depends on its input alone, so the tables do not depend on the number of
//! threads.

use rayon::prelude::*;

use super::eval::Evaluator;
use super::graph::Model;
use super::numeric::{predicted_class, softmax_from_ln};
use super::state::State;
use crate::diag::Problem;
use crate::ir::{ClassId, NodeId};

/// Rows per block of work: large enough that making an evaluator is a small share of a
/// block, small enough that a few thousand rows still use every core.
const BLOCK: usize = 512;

/// A list of inputs, each the ascending level-1 node ids that are on.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Inputs {
    ids: Vec<NodeId>,
    /// Row `i` is `ids[ends[i - 1]..ends[i]]` (from 0 for the first).
    ends: Vec<usize>,
}

impl Inputs {
    /// An empty list.
    pub fn new() -> Inputs {
        Inputs::default()
    }

    /// Appends one input: ascending level-1 ids without repeats (a resolved
    /// [`crate::query::Input`]'s `input`, or [`crate::engine::graph::normalise_input`]'s).
    pub fn push(&mut self, input: &[NodeId]) {
        self.ids.extend_from_slice(input);
        self.ends.push(self.ids.len());
    }

    /// The inputs of a row-major 0/1 table of `width` columns, one per level-1 node in id
    /// order (the model's `n_inputs`; anything else is refused).
    pub fn from_indicators(
        bits: &[bool],
        width: usize,
        n_inputs: usize,
    ) -> Result<Inputs, Problem> {
        if width != n_inputs
            || (width == 0 && !bits.is_empty())
            || !bits.len().is_multiple_of(width.max(1))
        {
            return Err(Problem::error(
                crate::diag::ErrorCode::QueryValue,
                format!("an input row has {width} columns; the model has {n_inputs} input nodes"),
            )
            .help(
                "give one 0/1 column per input node, in the order of the input level's declaration",
            ));
        }
        let mut out = Inputs::new();
        if width == 0 {
            return Ok(out);
        }
        out.ends.reserve(bits.len() / width);
        for row in bits.chunks_exact(width) {
            out.ids.extend(
                row.iter()
                    .enumerate()
                    .filter(|&(_, &on)| on)
                    .map(|(i, _)| i as NodeId),
            );
            out.ends.push(out.ids.len());
        }
        Ok(out)
    }

    /// How many inputs it holds.
    pub fn len(&self) -> usize {
        self.ends.len()
    }

    /// Whether it holds none.
    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    /// Input `i` (empty past the end).
    pub fn get(&self, i: usize) -> &[NodeId] {
        let Some(&end) = self.ends.get(i) else {
            return &[];
        };
        let start = if i == 0 { 0 } else { self.ends[i - 1] };
        &self.ids[start..end]
    }
}

/// One block's buffers: an evaluator and the lists it writes into.
struct Work {
    ev: Evaluator,
    values: Vec<f64>,
    p: Vec<f64>,
    ids: Vec<NodeId>,
}

/// Fills a row-major table of `width` entries per input: `row(work, input, out)` writes
/// one input's row, in parallel blocks of [`BLOCK`] rows.
fn table<T: Send + Clone>(
    model: &Model,
    inputs: &Inputs,
    width: usize,
    fill: T,
    row: impl Fn(&mut Work, &[NodeId], &mut [T]) + Sync,
) -> Vec<T> {
    let mut out = vec![fill; inputs.len() * width];
    if width == 0 {
        return out;
    }
    out.par_chunks_mut(BLOCK * width)
        .enumerate()
        .for_each(|(block, rows)| {
            let mut work = Work {
                ev: Evaluator::new(model),
                values: Vec::new(),
                p: Vec::new(),
                ids: Vec::new(),
            };
            for (k, row_out) in rows.chunks_mut(width).enumerate() {
                row(&mut work, inputs.get(block * BLOCK + k), row_out);
            }
        });
    out
}

/// The predicted class of every input (`None` where it reaches no class): the same
/// class as [`crate::engine::Evaluation::predicted`].
pub fn predictions(model: &Model, state: &State, inputs: &Inputs) -> Vec<Option<ClassId>> {
    table(model, inputs, 1, None, |w, input, out| {
        w.ev.ln_logits_into(model, state, input, &mut w.values);
        out[0] = predicted_class(&w.values).map(|c| c as ClassId);
    })
}

/// `ln Z` of every class for every input: `inputs.len() x n_classes`, row-major (`-inf`
/// for a logit of 0).
pub fn ln_logits(model: &Model, state: &State, inputs: &Inputs) -> Vec<f64> {
    table(model, inputs, model.n_classes(), 0.0, |w, input, out| {
        w.ev.ln_logits_into(model, state, input, &mut w.values);
        out.copy_from_slice(&w.values);
    })
}

/// `softmax(Z)` of every input: `inputs.len() x n_classes`, row-major (uniform where no
/// class is reached).
pub fn probabilities(model: &Model, state: &State, inputs: &Inputs) -> Vec<f64> {
    table(model, inputs, model.n_classes(), 0.0, |w, input, out| {
        w.ev.ln_logits_into(model, state, input, &mut w.values);
        softmax_from_ln(&w.values, &mut w.p);
        out.copy_from_slice(&w.p);
    })
}

/// `ln S` of every feature node for every input: `inputs.len() x n_nodes`, row-major
/// (`-inf` where a node does not fire).
pub fn ln_scores(model: &Model, state: &State, inputs: &Inputs) -> Vec<f64> {
    table(model, inputs, model.n_nodes(), 0.0, |w, input, out| {
        w.ev.dense_ln_scores_into(model, state, input, &mut w.values);
        out.copy_from_slice(&w.values);
    })
}

/// Whether each feature node fires for each input: `inputs.len() x n_nodes`, row-major.
/// Firing depends on the input alone, never on a state.
pub fn pathways(model: &Model, inputs: &Inputs) -> Vec<bool> {
    table(model, inputs, model.n_nodes(), false, |w, input, out| {
        w.ev.firing_into(model, input, &mut w.ids);
        for &n in &w.ids {
            out[n as usize] = true;
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::testing::fig1;

    /// fig1's inputs are e1..e7 (ids 0..7).
    fn rows() -> Inputs {
        let bits: Vec<bool> = [
            [1, 1, 0, 0, 0, 0, 0], // c1a
            [0, 0, 1, 1, 1, 0, 0], // c2
            [0, 0, 0, 0, 0, 0, 0], // nothing fires
            [0, 0, 0, 0, 1, 1, 1], // c3
        ]
        .iter()
        .flat_map(|r| r.iter().map(|&b| b == 1))
        .collect();
        match Inputs::from_indicators(&bits, 7, 7) {
            Ok(inputs) => inputs,
            Err(p) => panic!("{}", p.message),
        }
    }

    #[test]
    fn indicators_become_ascending_inputs() {
        let inputs = rows();
        assert_eq!(inputs.len(), 4);
        assert_eq!(inputs.get(0), &[0, 1]);
        assert_eq!(inputs.get(1), &[2, 3, 4]);
        assert!(inputs.get(2).is_empty());
        assert_eq!(inputs.get(3), &[4, 5, 6]);
        assert!(inputs.get(4).is_empty());
        assert!(Inputs::from_indicators(&[true; 12], 6, 7).is_err());
        assert!(Inputs::from_indicators(&[true; 13], 7, 7).is_err());
        assert!(Inputs::from_indicators(&[], 7, 7).is_ok_and(|i| i.is_empty()));
    }

    #[test]
    fn every_table_agrees_with_one_evaluation_at_a_time() {
        let ir = fig1();
        let model = Model::new(&ir);
        let state = State::new(&ir, 0);
        let inputs = rows();
        let (k, n) = (model.n_classes(), model.n_nodes());
        let predicted = predictions(&model, &state, &inputs);
        let p = probabilities(&model, &state, &inputs);
        let ln_z = ln_logits(&model, &state, &inputs);
        let ln_s = ln_scores(&model, &state, &inputs);
        let fired = pathways(&model, &inputs);
        for i in 0..inputs.len() {
            let e = model.evaluate(&state, inputs.get(i));
            assert_eq!(predicted[i], e.predicted);
            assert_eq!(&p[i * k..(i + 1) * k], e.p.as_slice());
            assert_eq!(&ln_z[i * k..(i + 1) * k], e.ln_logits.as_slice());
            for node in 0..n {
                let at = e.firing.iter().position(|&f| f as usize == node);
                assert_eq!(fired[i * n + node], at.is_some());
                let want = at.map_or(f64::NEG_INFINITY, |j| e.ln_scores[j]);
                assert_eq!(ln_s[i * n + node], want);
            }
        }
        // The worked numbers: c2's logits are (3, 7, 0), and the empty input reaches no class.
        assert_eq!(predicted, vec![Some(0), Some(1), None, Some(2)]);
        assert!((ln_z[k] - 3f64.ln()).abs() < 1e-12 && (ln_z[k + 1] - 7f64.ln()).abs() < 1e-12);
        assert_eq!(&p[2 * k..3 * k], &[1.0 / 3.0; 3]);
    }

    #[test]
    fn blocks_give_the_same_rows_as_one() {
        let ir = fig1();
        let model = Model::new(&ir);
        let state = State::new(&ir, 0);
        let mut many = Inputs::new();
        let one = rows();
        for i in 0..3 * BLOCK + 7 {
            many.push(one.get(i % 4));
        }
        let predicted = predictions(&model, &state, &many);
        assert_eq!(predicted.len(), 3 * BLOCK + 7);
        let want = predictions(&model, &state, &one);
        assert!(predicted.iter().enumerate().all(|(i, p)| *p == want[i % 4]));
    }
}
