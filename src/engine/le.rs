//! Local elasticity (after He & Su): how much one training step on a
//! base sample moves the logits of a test input, relative to how much it moves the
//! base's own logits.
//!
//! The step is made on a copy of the state with the last phase's rules and freezes
//! (file-level rules without `train`), no jitter and no noise.
//!
//! Robustness: logits are kept as `ln Z`, so each difference is computed as
//! `ln |Z_after - Z_before| = max + ln(1 - e^(min - max))` and each norm as
//! `ln ||d|| = ½ ln Σ e^(2 ln|d_j|)`. The ratio is `exp(ln ||num|| - ln ||den||)`:
//! exact where the logits fit in f64 and still meaningful (a ratio of scaled norms)
//! where they do not. It is `None` when the base's logits do not move at all.

use super::eval::Evaluator;
use super::graph::Model;
use super::numeric::{ln_abs_diff, ln_sum_exp_iter};
use super::rules::{Freeze, Rules};
use super::state::State;
use super::train::Trainer;
use crate::ir::{ClassId, NodeId};

/// `ln ||Z_after - Z_before||` over the classes (`-inf` when nothing moved).
pub fn ln_logit_shift(before: &[f64], after: &[f64]) -> f64 {
    ln_sum_exp_iter(
        before
            .iter()
            .zip(after)
            .map(|(&b, &a)| 2.0 * ln_abs_diff(a, b)),
    ) / 2.0
}

/// The rules and freezes of the local-elasticity step.
pub fn le_step_rules(model: &Model) -> (Rules, Freeze) {
    let (rules, phase) = model.ir.le_rules();
    let freeze = phase.map_or_else(|| Freeze::none(model.ir), Freeze::of_phase);
    (Rules::new(rules).without_jitter(), freeze)
}

/// The state after one LE step on `{(base_input, base_label)}`, from a copy of `state`.
pub fn stepped_copy(
    model: &Model,
    state: &State,
    base_input: &[NodeId],
    base_label: ClassId,
) -> State {
    let (rules, freeze) = le_step_rules(model);
    let mut after = state.clone();
    Trainer::new(model).step_on(&mut after, &rules, &freeze, &[(base_input, base_label)]);
    after
}

/// `LE(x, x')` for base `x = (base_input, base_label)` and test `x' = test_input`;
/// `None` when the base's own logits do not move (undefined). May be `+inf` when the
/// ratio itself exceeds f64.
pub fn le(
    model: &Model,
    state: &State,
    base_input: &[NodeId],
    base_label: ClassId,
    test_input: &[NodeId],
) -> Option<f64> {
    let after = stepped_copy(model, state, base_input, base_label);
    let mut ev = Evaluator::new(model);
    let shift = |ev: &mut Evaluator, input: &[NodeId]| {
        let (mut b, mut a) = (Vec::new(), Vec::new());
        ev.ln_logits_into(model, state, input, &mut b);
        ev.ln_logits_into(model, &after, input, &mut a);
        ln_logit_shift(&b, &a)
    };
    let den = shift(&mut ev, base_input);
    let num = shift(&mut ev, test_input);
    ratio(num, den)
}

pub(crate) fn ratio(ln_num: f64, ln_den: f64) -> Option<f64> {
    if ln_den == f64::NEG_INFINITY {
        None
    } else {
        Some((ln_num - ln_den).exp())
    }
}

/// The LE matrix over all data samples (row = base, column = test): entry `(i, j)` is
/// `le(model, state, base i, test j)`. Computed sparsely (see `le_sparse`): only the
/// scores a base's step moves unevenly are recomputed.
pub fn le_matrix(model: &Model, state: &State) -> Vec<Vec<Option<f64>>> {
    super::le_sparse::le_matrix_sparse(model, state)
}

/// The LE matrix computed directly: each base's updated state once, then every test
/// evaluated from scratch. The reference `le_matrix` is tested against.
pub fn le_matrix_direct(model: &Model, state: &State) -> Vec<Vec<Option<f64>>> {
    let samples = &model.ir.data.samples;
    let (rules, freeze) = le_step_rules(model);
    let mut trainer = Trainer::new(model);
    let mut ev = Evaluator::new(model);
    let before: Vec<Vec<f64>> = samples
        .iter()
        .map(|s| {
            let mut z = Vec::new();
            ev.ln_logits_into(model, state, &s.input, &mut z);
            z
        })
        .collect();
    let mut after_state = state.clone();
    let mut shifts = vec![0.0; samples.len()];
    let mut z = Vec::new();
    samples
        .iter()
        .enumerate()
        .map(|(base_index, base)| {
            after_state.clone_from(state);
            trainer.step_on(
                &mut after_state,
                &rules,
                &freeze,
                &[(&base.input, base.label)],
            );
            for (j, test) in samples.iter().enumerate() {
                ev.ln_logits_into(model, &after_state, &test.input, &mut z);
                shifts[j] = ln_logit_shift(&before[j], &z);
            }
            let den = shifts[base_index];
            shifts.iter().map(|&num| ratio(num, den)).collect()
        })
        .collect()
}

/// Mean LE per class pair, over the classes that label at least one data sample (in
/// class order): `means[a][b]` is the mean of the defined LE values of bases labelled
/// `classes[a]` and tests labelled `classes[b]`, leaving out the diagonal (`LE(x, x) = 1`
/// always, and would pull within-class means towards 1); `None` when there is no such
/// pair. Classes no sample is labelled with have no pair at all, so the table is at most
/// as large as the matrix, however many classes the model has.
#[derive(Clone, Debug, PartialEq)]
pub struct ClassMeans {
    /// The labelled classes, ascending.
    pub classes: Vec<crate::ir::ClassId>,
    /// Row = base class, column = test class, both indexing `classes`.
    pub means: Vec<Vec<Option<f64>>>,
}

/// The [`ClassMeans`] of an LE matrix over the model's data samples.
pub fn le_class_means(model: &Model, matrix: &[Vec<Option<f64>>]) -> ClassMeans {
    let samples = &model.ir.data.samples;
    let mut classes: Vec<crate::ir::ClassId> = samples.iter().map(|s| s.label).collect();
    classes.sort_unstable();
    classes.dedup();
    // Each sample's row and column in the table.
    let place: Vec<usize> = samples
        .iter()
        .map(|s| classes.partition_point(|&c| c < s.label))
        .collect();
    let k = classes.len();
    let mut sum = vec![vec![0.0; k]; k];
    let mut count = vec![vec![0usize; k]; k];
    for (i, row) in matrix.iter().enumerate() {
        for (j, v) in row.iter().enumerate() {
            if i == j {
                continue;
            }
            if let Some(v) = v.filter(|v| v.is_finite()) {
                let (a, b) = (place[i], place[j]);
                sum[a][b] += v;
                count[a][b] += 1;
            }
        }
    }
    let means = sum
        .iter()
        .zip(&count)
        .map(|(s, c)| {
            s.iter()
                .zip(c)
                .map(|(&s, &c)| (c > 0).then(|| s / c as f64))
                .collect()
        })
        .collect();
    ClassMeans { classes, means }
}
