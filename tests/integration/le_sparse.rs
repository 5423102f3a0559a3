//! The sparse LE matrix equals the direct one (every test re-evaluated after every
//! base's step) on models where shifts are uniform, mixed, frozen or jittered.

use nshed::engine::testing::{generated, mul, one_phase, uniform_rules};
use nshed::engine::{le, le_matrix, le_matrix_direct, Model, State};
use nshed::ir::{EtaUpdate, Ir, Sampler, Update};

fn assert_same(ir: &Ir, state: &State, what: &str) {
    let model = Model::new(ir);
    let sparse = le_matrix(&model, state);
    let direct = le_matrix_direct(&model, state);
    let mut defined = 0;
    for (i, (a, b)) in sparse.iter().zip(&direct).enumerate() {
        for (j, (x, y)) in a.iter().zip(b).enumerate() {
            match (x, y) {
                (None, None) => {}
                (Some(x), Some(y)) => {
                    defined += 1;
                    let tol = 1e-9 * x.abs().max(y.abs()).max(1e-12);
                    assert!(
                        x == y || (x - y).abs() <= tol,
                        "{what}: LE[{i}][{j}] sparse {x} direct {y}"
                    );
                }
                _ => panic!("{what}: LE[{i}][{j}] sparse {x:?} direct {y:?}"),
            }
        }
    }
    assert_eq!(sparse.len(), ir.data.samples.len());
    assert!(
        defined > sparse.len(),
        "{what}: the matrix has defined entries"
    );
    // And one entry against the single-pair definition.
    let s = &ir.data.samples;
    let one = le(&model, state, &s[1].input, s[1].label, &s[2].input);
    assert_eq!(one.is_some(), sparse[1][2].is_some(), "{what}");
    if let (Some(a), Some(b)) = (one, sparse[1][2]) {
        assert!(
            (a - b).abs() <= 1e-9 * a.abs().max(1e-12),
            "{what}: {a} vs {b}"
        );
    }
}

fn trained(mut ir: Ir, steps: u64, eta_update: EtaUpdate) -> (Ir, State) {
    ir.train = Some(one_phase(&ir, steps, 1, Sampler::Cycle, eta_update, 0));
    let model = Model::new(&ir);
    let mut state = State::new(&ir, 5);
    crate::support::train(&model, &mut state);
    (ir, state)
}

fn small() -> Ir {
    generated(400, 5, 4, 40, 0.15, 21)
}

#[test]
fn uniform_mul_rules() {
    let (ir, state) = trained(small(), 120, EtaUpdate::Union);
    assert_same(&ir, &state, "uniform mul");
}

#[test]
fn per_sample_eta_updates() {
    let (ir, state) = trained(small(), 60, EtaUpdate::Sample);
    assert_same(&ir, &state, "sample eta");
}

#[test]
fn mixed_rules_and_a_frozen_level() {
    let mut ir = small();
    ir.rules.shrink.edit(|all| {
        for (i, s) in all.iter_mut().enumerate() {
            *s = match i % 5 {
                0 => Update::Keep,
                1 => Update::Sub { amount: 0.001 },
                2 => mul(0.8),
                _ => *s,
            };
        }
    });
    ir.rules.grow.set(3, Update::Add { amount: 0.5 });
    ir.rules.shrink_eta.set(0, Update::Add { amount: 0.1 });
    let (mut ir, state) = trained(ir, 80, EtaUpdate::Union);
    if let Some(t) = ir.train.as_mut() {
        t.phases[0].frozen_levels[2] = true;
    }
    assert_same(&ir, &state, "mixed rules");
}

#[test]
fn after_jittered_training_and_with_zero_lambdas() {
    let mut ir = small();
    ir.rules.jitter = 0.1;
    // Some lambdas start at exactly 0 and one level's shrink is `mul 0`.
    ir.init.lambda.edit(|all| {
        for d in all.iter_mut().step_by(9) {
            *d = nshed::ir::Dist::Const { value: 0.0 };
        }
    });
    let (mut ir, state) = trained(ir, 50, EtaUpdate::Union);
    let n = ir.nodes.len();
    let e = ir.edges.len();
    let mut rules = uniform_rules(n, e, mul(1.5), mul(0.5));
    let level = ir.levels[1].node_ids();
    for id in level {
        rules.shrink.set(id as usize, mul(0.0));
    }
    if let Some(t) = ir.train.as_mut() {
        t.phases[0].rules = rules;
    }
    assert_same(&ir, &state, "jitter, zeros");
}

#[test]
fn the_matrix_does_not_depend_on_the_thread_count() {
    let (ir, state) = trained(small(), 120, EtaUpdate::Union);
    let model = Model::new(&ir);
    let with = |threads: usize| {
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .expect("a thread pool")
            .install(|| le_matrix(&model, &state))
    };
    let bits = |m: Vec<Vec<Option<f64>>>| -> Vec<Option<u64>> {
        m.into_iter()
            .flatten()
            .map(|v| v.map(f64::to_bits))
            .collect()
    };
    assert_eq!(bits(with(1)), bits(with(2)));
    assert_eq!(bits(with(1)), bits(with(3)));
}
