//! The LE matrix without re-evaluating every test from scratch for every base.
//!
//! One LE step on a base changes `ln lambda` of node `n` by a shift `d_n`: the node's
//! lazy rate when the step does not write it (the same for every node sharing rules),
//! or `after - before` when it does (the base's pathway, dense rules). In the log
//! domain a node's score then moves by `d_n + s` when all its firing children moved by
//! the same `s` — no sum to recompute. Only nodes above a place where shifts differ
//! (in practice: above the base's pathway) recompute their log-sum-exp, and a logit
//! whose terms all moved alike moves by that shift. Firing sets, child lists and the
//! scores and logits before the step are computed once per test.
//!
//! The result equals the direct evaluation up to rounding (both are the same sums,
//! taken in a different order); rows are independent and computed in parallel, each
//! row always the same way, so the matrix does not depend on the thread count.

use rayon::prelude::*;

use super::graph::{FireCounts, Model};
use super::lazy::Plan;
use super::le::{le_step_rules, ln_logit_shift};
use super::numeric::{ln_add, ln_sum_exp_iter};
use super::state::State;
use super::train::Trainer;
use crate::ir::{EdgeId, NodeId};

/// Everything about one test input that does not depend on the step.
struct TestPathway {
    /// Firing nodes, children before parents.
    nodes: Vec<NodeId>,
    /// `children[child_start[i] .. child_start[i + 1]]`: positions (in `nodes`) of the
    /// firing children of `nodes[i]`.
    child_start: Vec<u32>,
    children: Vec<u32>,
    /// `ln S` of each firing node before the step.
    ln_s: Vec<f64>,
    /// Class edges leaving firing nodes, as (edge, position of its node), by class.
    edges: Vec<(EdgeId, u32)>,
    /// `edges[class_start[j] .. class_start[j + 1]]` feed class `j`.
    class_start: Vec<u32>,
    /// `ln Z` before the step.
    ln_z: Vec<f64>,
}

impl TestPathway {
    fn new(model: &Model, before: &State, input: &[NodeId], counts: &mut FireCounts) -> Self {
        let mut nodes = Vec::new();
        model.graph.fire(input, counts, &mut nodes);
        // Position of each firing node, for its parents' child lists.
        let position = |n: NodeId| nodes.binary_search(&n).ok().map(|p| p as u32);
        let mut child_start = Vec::with_capacity(nodes.len() + 1);
        let mut children = Vec::new();
        let mut ln_s: Vec<f64> = Vec::with_capacity(nodes.len());
        for &n in &nodes {
            child_start.push(children.len() as u32);
            let ln_lambda = before.ln_lambda(n as usize);
            let s = match &model.ir.nodes[n as usize].gate {
                None => ln_lambda,
                Some(gate) => {
                    let first = children.len();
                    children.extend(gate.children.iter().filter_map(|&c| position(c)));
                    children[first..].sort_unstable();
                    let kids = &children[first..];
                    ln_lambda + ln_sum_exp_iter(kids.iter().map(|&p| ln_s[p as usize]))
                }
            };
            ln_s.push(not_nan(s));
        }
        child_start.push(children.len() as u32);
        let n_classes = model.n_classes();
        let mut edges: Vec<(EdgeId, u32)> = nodes
            .iter()
            .enumerate()
            .flat_map(|(i, &f)| model.graph.out_edges(f).iter().map(move |&e| (e, i as u32)))
            .collect();
        // Stable: within a class, terms keep firing order (the order `eval` adds them).
        edges.sort_by_key(|&(e, _)| model.ir.edges[e as usize].to);
        let mut class_start = vec![0u32; n_classes + 1];
        for &(e, _) in &edges {
            class_start[model.ir.edges[e as usize].to as usize + 1] += 1;
        }
        for j in 0..n_classes {
            class_start[j + 1] += class_start[j];
        }
        let ln_z = (0..n_classes)
            .map(|j| {
                let terms = &edges[class_start[j] as usize..class_start[j + 1] as usize];
                terms.iter().fold(f64::NEG_INFINITY, |z, &(e, p)| {
                    ln_add(z, before.ln_eta(e as usize) + ln_s[p as usize])
                })
            })
            .collect();
        TestPathway {
            nodes,
            child_start,
            children,
            ln_s,
            edges,
            class_start,
            ln_z,
        }
    }
}

/// A NaN product of a zero is zero (as in `eval`).
fn not_nan(x: f64) -> f64 {
    if x.is_nan() {
        f64::NEG_INFINITY
    } else {
        x
    }
}

/// How far one value moved: `after - before`, exactly the lazy rate when the step did
/// not write it, and NaN ("recompute") when the move is not a finite log difference.
fn shift(before: f64, after: f64, lazy_rate: Option<f64>) -> f64 {
    if let Some(rate) = lazy_rate {
        return rate;
    }
    if before == after {
        0.0
    } else if before.is_finite() && after.is_finite() {
        after - before
    } else {
        f64::NAN
    }
}

/// Per-thread scratch for one row.
struct Row<'m, 'ir> {
    trainer: Trainer<'m, 'ir>,
    after: State,
    d_lambda: Vec<f64>,
    d_eta: Vec<f64>,
    /// Per position of a test's pathway: score after the step and its shift (NaN when
    /// recomputed).
    ln_s: Vec<f64>,
    moved: Vec<f64>,
    ln_z: Vec<f64>,
}

/// The LE matrix (row = base, column = test), as `le::le_matrix` defines it.
pub(crate) fn le_matrix_sparse(model: &Model, state: &State) -> Vec<Vec<Option<f64>>> {
    let samples = &model.ir.data.samples;
    let (rules, freeze) = le_step_rules(model);
    let plan = Plan::new(model.ir, &rules, &freeze, model.layout());
    // Installing the step's rates first materialises nothing twice: every value keeps
    // its bits, and only entries a step writes change their `since`.
    let mut before = state.clone();
    before.install(&plan);
    let mut counts = FireCounts::default();
    let tests: Vec<TestPathway> = samples
        .iter()
        .map(|s| TestPathway::new(model, &before, &s.input, &mut counts))
        .collect();

    let new_row = || Row {
        trainer: Trainer::new(model),
        after: before.clone(),
        d_lambda: vec![0.0; model.n_nodes()],
        d_eta: vec![0.0; model.n_edges()],
        ln_s: Vec::new(),
        moved: Vec::new(),
        ln_z: Vec::new(),
    };
    (0..samples.len())
        .into_par_iter()
        .map_init(new_row, |row, base_index| {
            let base = &samples[base_index];
            row.after.clone_from(&before);
            row.trainer.step_on(
                &mut row.after,
                &rules,
                &freeze,
                &[(&base.input, base.label)],
            );
            step_shifts(
                &before,
                &row.after,
                &plan,
                &mut row.d_lambda,
                &mut row.d_eta,
            );
            let shifts: Vec<f64> = tests.iter().map(|t| logit_shift(model, t, row)).collect();
            let den = shifts[base_index];
            shifts
                .iter()
                .map(|&num| super::le::ratio(num, den))
                .collect()
        })
        .collect()
}

/// The shift of every lambda and eta made by the step from `before` to `after`.
fn step_shifts(
    before: &State,
    after: &State,
    plan: &Plan,
    d_lambda: &mut [f64],
    d_eta: &mut [f64],
) {
    // Not written by the step (its stamp did not move): exactly one more factor.
    let lazy = |rate: &[f64], i: usize, written_before: u64, written_after: u64| {
        (!rate.is_empty() && written_before == written_after).then(|| rate[i])
    };
    for (n, d) in d_lambda.iter_mut().enumerate() {
        let rate = lazy(
            &plan.node_rate,
            n,
            before.lambda_written_at(n),
            after.lambda_written_at(n),
        );
        *d = shift(before.ln_lambda(n), after.ln_lambda(n), rate);
    }
    for (e, d) in d_eta.iter_mut().enumerate() {
        let rate = lazy(
            &plan.edge_rate,
            e,
            before.eta_written_at(e),
            after.eta_written_at(e),
        );
        *d = shift(before.ln_eta(e), after.ln_eta(e), rate);
    }
}

/// `ln ||Z_after - Z_before||` of one test.
fn logit_shift(model: &Model, t: &TestPathway, row: &mut Row) -> f64 {
    let after = &row.after;
    row.ln_s.clear();
    row.moved.clear();
    for (i, &n) in t.nodes.iter().enumerate() {
        let d = row.d_lambda[n as usize];
        let kids = &t.children[t.child_start[i] as usize..t.child_start[i + 1] as usize];
        // The children's common shift, if they all moved alike (none for inputs).
        let common = match kids.split_first() {
            None => Some(0.0),
            Some((&first, rest)) => {
                let s = row.moved[first as usize];
                rest.iter()
                    .all(|&p| row.moved[p as usize] == s)
                    .then_some(s)
            }
        };
        let (ln_s, moved) = match common {
            Some(s) if !d.is_nan() && !s.is_nan() => (t.ln_s[i] + (d + s), d + s),
            _ => {
                let ln_lambda = after.ln_lambda(n as usize);
                let s = if kids.is_empty() {
                    ln_lambda
                } else {
                    ln_lambda + ln_sum_exp_iter(kids.iter().map(|&p| row.ln_s[p as usize]))
                };
                (not_nan(s), f64::NAN)
            }
        };
        row.ln_s.push(ln_s);
        row.moved.push(moved);
    }
    row.ln_z.clear();
    for j in 0..model.n_classes() {
        let terms = &t.edges[t.class_start[j] as usize..t.class_start[j + 1] as usize];
        let term_shift = |&(e, p): &(EdgeId, u32)| row.d_eta[e as usize] + row.moved[p as usize];
        let common = terms.first().map(term_shift).filter(|s| !s.is_nan());
        let z = match common {
            None if terms.is_empty() => f64::NEG_INFINITY,
            Some(s) if terms.iter().all(|t| term_shift(t) == s) => t.ln_z[j] + s,
            _ => terms.iter().fold(f64::NEG_INFINITY, |z, &(e, p)| {
                ln_add(z, after.ln_eta(e as usize) + row.ln_s[p as usize])
            }),
        };
        row.ln_z.push(z);
    }
    ln_logit_shift(&t.ln_z, &row.ln_z)
}
