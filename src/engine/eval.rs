//! Firing sets, scores, logits and predictions for one input.

use serde::Serialize;

use super::graph::{FireCounts, Model};
use super::numeric::{ln_add, ln_sum_exp_iter, predicted_class, softmax_from_ln};
use super::state::State;
use crate::ir::{ClassId, NodeId};

/// Everything the model says about one input, in the log domain.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Evaluation {
    /// Firing nodes, ascending (level by level, declaration order). Non-class only.
    pub firing: Vec<NodeId>,
    /// `ln S` of each firing node, parallel to `firing`.
    pub ln_scores: Vec<f64>,
    /// `ln Z_j` per class (`-inf` when `Z_j = 0`).
    pub ln_logits: Vec<f64>,
    /// `softmax(Z)`.
    pub p: Vec<f64>,
    /// Argmax of the exact logits, ties to the first declared class; `None` when the
    /// input reaches no class (every logit is 0).
    pub predicted: Option<ClassId>,
}

impl Evaluation {
    /// The firing nodes of feature level `level` (0 = input level).
    pub fn firing_in_level<'s>(&'s self, model: &Model, level: usize) -> &'s [NodeId] {
        let Some(l) = model.ir.levels.get(level) else {
            return &[];
        };
        let ids = l.node_ids();
        let lo = self.firing.partition_point(|&n| n < ids.start);
        let hi = self.firing.partition_point(|&n| n < ids.end);
        &self.firing[lo..hi]
    }
}

/// Reusable buffers for evaluating many inputs without allocating per node.
#[derive(Clone, Debug)]
pub struct Evaluator {
    counts: FireCounts,
    /// `ln S` per node; `-inf` everywhere except while an evaluation runs.
    ln_s: Vec<f64>,
    firing: Vec<NodeId>,
}

impl Evaluator {
    /// An evaluator sized for `model`.
    pub fn new(model: &Model) -> Evaluator {
        Evaluator {
            counts: FireCounts::default(),
            ln_s: vec![f64::NEG_INFINITY; model.n_nodes()],
            firing: Vec::new(),
        }
    }

    /// The firing set of `input` (ascending level-1 ids, no repeats).
    pub fn firing(&mut self, model: &Model, input: &[NodeId]) -> Vec<NodeId> {
        model.graph.fire(input, &mut self.counts, &mut self.firing);
        self.firing.clone()
    }

    /// Only the ln-logits (what local elasticity needs), written into `ln_logits`.
    pub fn ln_logits_into(
        &mut self,
        model: &Model,
        state: &State,
        input: &[NodeId],
        ln_logits: &mut Vec<f64>,
    ) {
        model.graph.fire(input, &mut self.counts, &mut self.firing);
        self.fill_scores(model, state);
        self.logits_from_scores(model, state, ln_logits);
        for &n in &self.firing {
            self.ln_s[n as usize] = f64::NEG_INFINITY;
        }
    }

    /// [`Evaluator::ln_logits_into`] for data sample `sample`, without firing it again
    /// when the model knows its firing set already ([`Model::data_firing`]).
    pub fn sample_ln_logits_into(
        &mut self,
        model: &Model,
        state: &State,
        sample: usize,
        ln_logits: &mut Vec<f64>,
    ) {
        model.fire_data_sample(sample, &mut self.counts, &mut self.firing, true);
        self.fill_scores(model, state);
        self.logits_from_scores(model, state, ln_logits);
        for &n in &self.firing {
            self.ln_s[n as usize] = f64::NEG_INFINITY;
        }
    }

    /// [`Evaluator::ln_logits_into`] for an input whose firing set (ascending, as
    /// [`Evaluator::firing`] gives it) is known already: no firing pass.
    pub fn fired_ln_logits_into(
        &mut self,
        model: &Model,
        state: &State,
        firing: &[NodeId],
        ln_logits: &mut Vec<f64>,
    ) {
        self.firing.clear();
        self.firing.extend_from_slice(firing);
        self.fill_scores(model, state);
        self.logits_from_scores(model, state, ln_logits);
        for &n in &self.firing {
            self.ln_s[n as usize] = f64::NEG_INFINITY;
        }
    }

    /// The firing set of `input` written into `out` (ascending), without allocating.
    pub fn firing_into(&mut self, model: &Model, input: &[NodeId], out: &mut Vec<NodeId>) {
        model.graph.fire(input, &mut self.counts, &mut self.firing);
        out.clear();
        out.extend_from_slice(&self.firing);
    }

    /// `ln S` of every node for `input` (`-inf` where a node does not fire), written
    /// into `out` in node order: the representation the information analyses use.
    pub fn dense_ln_scores_into(
        &mut self,
        model: &Model,
        state: &State,
        input: &[NodeId],
        out: &mut Vec<f64>,
    ) {
        model.graph.fire(input, &mut self.counts, &mut self.firing);
        self.fill_scores(model, state);
        out.clear();
        out.extend_from_slice(&self.ln_s);
        for &n in &self.firing {
            self.ln_s[n as usize] = f64::NEG_INFINITY;
        }
    }

    /// Fires `input` (ascending input node ids) on `model` and scores it with `state`: its pathway, logits and prediction.
    pub fn evaluate(&mut self, model: &Model, state: &State, input: &[NodeId]) -> Evaluation {
        model.graph.fire(input, &mut self.counts, &mut self.firing);
        self.evaluate_fired(model, state)
    }

    /// [`Evaluator::evaluate`] of data sample `sample`'s input, without firing it again
    /// when the model knows its firing set already ([`Model::data_firing`]).
    pub fn evaluate_sample(&mut self, model: &Model, state: &State, sample: usize) -> Evaluation {
        model.fire_data_sample(sample, &mut self.counts, &mut self.firing, true);
        self.evaluate_fired(model, state)
    }

    /// The evaluation of the firing set in `self.firing`.
    fn evaluate_fired(&mut self, model: &Model, state: &State) -> Evaluation {
        self.fill_scores(model, state);
        let mut ln_logits = Vec::with_capacity(model.n_classes());
        self.logits_from_scores(model, state, &mut ln_logits);
        let ln_scores = self.firing.iter().map(|&n| self.ln_s[n as usize]).collect();
        for &n in &self.firing {
            self.ln_s[n as usize] = f64::NEG_INFINITY;
        }
        let mut p = Vec::with_capacity(ln_logits.len());
        softmax_from_ln(&ln_logits, &mut p);
        let predicted = predicted_class(&ln_logits).map(|c| c as ClassId);
        Evaluation {
            firing: self.firing.clone(),
            ln_scores,
            ln_logits,
            p,
            predicted,
        }
    }

    /// `ln S` for every firing node, in firing order (children before parents).
    fn fill_scores(&mut self, model: &Model, state: &State) {
        let nodes = &model.ir.nodes;
        for (k, &n) in self.firing.iter().enumerate() {
            // The firing nodes are scattered over a large model: start the misses of
            // the nodes a few places ahead (their records, then their child lists and
            // the children's scores) so that they overlap. Speed hints only.
            if let Some(&far) = self.firing.get(k + 16) {
                crate::prefetch::prefetch(&nodes[far as usize]);
            }
            if let Some(&mid) = self.firing.get(k + 8) {
                if let Some(first) = nodes[mid as usize]
                    .gate
                    .as_ref()
                    .and_then(|g| g.children.first())
                {
                    crate::prefetch::prefetch(first);
                }
            }
            if let Some(&near) = self.firing.get(k + 4) {
                if let Some(gate) = &nodes[near as usize].gate {
                    for &c in &gate.children {
                        crate::prefetch::prefetch(&self.ln_s[c as usize]);
                    }
                }
            }
            let node = &nodes[n as usize];
            let ln_lambda = state.ln_lambda(n as usize);
            let s = match &node.gate {
                None => ln_lambda,
                Some(gate) => {
                    // Non-firing children hold -inf and add nothing.
                    let ln_s = &self.ln_s;
                    ln_lambda + ln_sum_exp_iter(gate.children.iter().map(|&c| ln_s[c as usize]))
                }
            };
            // A zero lambda times an infinite sum cannot happen (sums are finite logs),
            // but guard the NaN anyway: a non-finite product of a zero is zero.
            self.ln_s[n as usize] = if s.is_nan() { f64::NEG_INFINITY } else { s };
        }
    }

    fn logits_from_scores(&self, model: &Model, state: &State, ln_logits: &mut Vec<f64>) {
        ln_logits.clear();
        ln_logits.resize(model.n_classes(), f64::NEG_INFINITY);
        // Only nodes of level L-1 have class edges; the others contribute no terms.
        for &f in &self.firing {
            let edges = model.graph.out_edges(f);
            for &e in edges {
                let to = model.ir.edges[e as usize].to as usize;
                let term = state.ln_eta(e as usize) + self.ln_s[f as usize];
                ln_logits[to] = ln_add(ln_logits[to], term);
            }
        }
    }
}

impl Model<'_> {
    /// Convenience: evaluate one input with fresh buffers.
    pub fn evaluate(&self, state: &State, input: &[NodeId]) -> Evaluation {
        Evaluator::new(self).evaluate(self, state, input)
    }
}
