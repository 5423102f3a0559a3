//! Lazy shrinking: training that writes only what fires must give the values
//! of the plain dense update, through rule changes, freezes, jitter and
//! non-multiplicative rules, and must not depend on when the state is read or saved.

use crate::engine::testing::{generated, mul, one_phase, uniform_rules};
use crate::engine::{Evaluator, Freeze, Model, Rules, State, Trainer};
use crate::ir::{EtaUpdate, Ir, PerEntry, RuleSet, Sampler, Update};
use rand::Rng;
use rand_distr::StandardNormal;

/// A small generated model; `eta_update` is set through a one-phase schedule.
fn model_ir(eta_update: EtaUpdate) -> Ir {
    let mut ir = generated(300, 4, 3, 24, 0.2, 11);
    ir.train = Some(one_phase(&ir, 10, 1, Sampler::Cycle, eta_update, 0));
    ir
}

/// Rules that differ per node and edge: mostly `mul`, with some `keep`, `add`, `sub`.
fn mixed_rules(ir: &Ir, shrink: f64, jitter: f64) -> RuleSet {
    let mut rules = uniform_rules(ir.nodes.len(), ir.edges.len(), mul(1.2), mul(shrink));
    rules.shrink.edit(|all| {
        for (i, s) in all.iter_mut().enumerate() {
            *s = match i % 7 {
                0 => Update::Keep,
                1 => Update::Sub { amount: 0.01 },
                2 => mul(shrink * 0.95),
                _ => *s,
            };
        }
    });
    rules.grow.edit(|all| {
        for g in all.iter_mut().step_by(5) {
            *g = Update::Add { amount: 0.3 };
        }
    });
    rules.shrink_eta.edit(|all| {
        for s in all.iter_mut().step_by(3) {
            *s = Update::Sub { amount: 0.02 };
        }
    });
    rules.jitter = jitter;
    rules
}

/// The dense reference: every value in the linear domain, every entry updated every
/// step, jitter drawn in the documented order (nodes then edges, in id order).
struct Dense {
    lambda: Vec<f64>,
    eta: Vec<f64>,
    rng: crate::engine::state::RunRng,
}

/// One update in the linear domain; `err` is the batch's mean error (`mul a by
/// error` is `mul a^err`, jittered like any `mul`; `add`/`sub c by error` are `add`/`sub
/// err * c`).
fn apply(x: f64, op: Update, jitter: f64, err: f64, rng: &mut crate::engine::state::RunRng) -> f64 {
    let mul = |x: f64, factor: f64, rng: &mut crate::engine::state::RunRng| {
        if jitter > 0.0 {
            let z: f64 = rng.sample(StandardNormal);
            x * factor * (jitter * z).exp()
        } else {
            x * factor
        }
    };
    match op {
        Update::Mul { factor } => mul(x, factor, rng),
        Update::Add { amount } => x + amount,
        Update::Sub { amount } => (x - amount).max(0.0),
        Update::Keep => x,
        Update::MulByError { factor } => mul(x, factor.powf(err), rng),
        Update::AddByError { amount } => x + err * amount,
        Update::SubByError { amount } => (x - err * amount).max(0.0),
    }
}

impl Dense {
    fn new(state: &State) -> Dense {
        Dense {
            lambda: state.ln_lambdas().iter().map(|l| l.exp()).collect(),
            eta: state.ln_etas().iter().map(|l| l.exp()).collect(),
            rng: state.rng.clone(),
        }
    }

    fn step(
        &mut self,
        model: &Model,
        rules: &RuleSet,
        freeze: &Freeze,
        eta_update: EtaUpdate,
        batch: &[(&[u32], u32)],
    ) {
        let ir = model.ir;
        let mut ev = Evaluator::new(model);
        let pathways: Vec<Vec<u32>> = batch.iter().map(|(i, _)| ev.firing(model, i)).collect();
        let in_u = |n: u32| pathways.iter().any(|p| p.contains(&n));
        let err = self.mean_error(model, batch, &pathways);
        let jitter = if rules.jitter > 0.0 {
            rules.jitter
        } else {
            0.0
        };
        for n in 0..ir.nodes.len() {
            if freeze.levels[ir.nodes[n].level as usize] {
                continue;
            }
            let op = if in_u(n as u32) {
                rules.grow[n]
            } else {
                rules.shrink[n]
            };
            self.lambda[n] = apply(self.lambda[n], op, jitter, err, &mut self.rng);
        }
        if freeze.eta {
            return;
        }
        for (e, edge) in ir.edges.iter().enumerate() {
            let cofires = match eta_update {
                EtaUpdate::Union => {
                    in_u(edge.from) && batch.iter().any(|&(_, label)| label == edge.to)
                }
                EtaUpdate::Sample => batch
                    .iter()
                    .zip(&pathways)
                    .any(|(&(_, label), p)| label == edge.to && p.contains(&edge.from)),
            };
            let op = if cofires {
                rules.grow_eta[e]
            } else {
                rules.shrink_eta[e]
            };
            self.eta[e] = apply(self.eta[e], op, jitter, err, &mut self.rng);
        }
    }

    /// The batch's mean `1 - p_label`, from this reference's own values: scores over
    /// each pathway (children before parents), logits, a plain softmax.
    fn mean_error(&self, model: &Model, batch: &[(&[u32], u32)], pathways: &[Vec<u32>]) -> f64 {
        let ir = model.ir;
        let mut total = 0.0;
        for (&(_, label), pathway) in batch.iter().zip(pathways) {
            let mut s = vec![0.0; ir.nodes.len()];
            for &n in pathway {
                let n = n as usize;
                s[n] = self.lambda[n]
                    * match &ir.nodes[n].gate {
                        None => 1.0,
                        Some(g) => g.children.iter().map(|&c| s[c as usize]).sum(),
                    };
            }
            let mut z = vec![0.0; ir.classes.len()];
            for (e, edge) in ir.edges.iter().enumerate() {
                z[edge.to as usize] += self.eta[e] * s[edge.from as usize];
            }
            let max = z.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
            let w: Vec<f64> = z.iter().map(|&v| (v - max).exp()).collect();
            total += 1.0 - w[label as usize] / w.iter().sum::<f64>();
        }
        total / batch.len() as f64
    }

    fn assert_matches(&self, state: &State, what: &str) {
        let close = |a: f64, b: f64| (a - b).abs() <= 1e-9 * a.abs().max(b.abs()).max(1e-300);
        for (n, &want) in self.lambda.iter().enumerate() {
            assert!(
                close(state.lambda(n), want),
                "{what}: lambda[{n}] {} vs {want}",
                state.lambda(n)
            );
        }
        for (e, &want) in self.eta.iter().enumerate() {
            assert!(
                close(state.eta(e), want),
                "{what}: eta[{e}] {} vs {want}",
                state.eta(e)
            );
        }
    }
}

/// One leg of a schedule: this many explicit steps with these rules and freezes.
struct Leg {
    steps: usize,
    rules: RuleSet,
    freeze: Freeze,
}

fn legs(ir: &Ir) -> Vec<Leg> {
    let none = Freeze::none(ir);
    let mut level1 = none.clone();
    level1.levels[1] = true;
    let mut level2 = none.clone();
    level2.levels[2] = true;
    let eta_frozen = Freeze {
        levels: none.levels.clone(),
        eta: true,
    };
    vec![
        Leg {
            steps: 40,
            rules: mixed_rules(ir, 0.9, 0.0),
            freeze: none.clone(),
        },
        // Other shrink factors and a frozen level: every value is materialised.
        Leg {
            steps: 25,
            rules: mixed_rules(ir, 0.8, 0.0),
            freeze: level1,
        },
        // Jitter: everything dense, draws in id order.
        Leg {
            steps: 10,
            rules: mixed_rules(ir, 0.9, 0.05),
            freeze: none.clone(),
        },
        Leg {
            steps: 30,
            rules: mixed_rules(ir, 0.9, 0.0),
            freeze: eta_frozen,
        },
        // Uniform `mul`: all lazy.
        Leg {
            steps: 30,
            rules: uniform_rules(ir.nodes.len(), ir.edges.len(), mul(1.05), mul(0.97)),
            freeze: none.clone(),
        },
        // Only `mul` and `keep` with a frozen level: the branch-free growth loop, frozen
        // nodes rewritten with their own value.
        Leg {
            steps: 30,
            rules: mul_and_keep(ir),
            freeze: level2,
        },
        // `mul 0` shrinks: dense (exact zeros after one silent step), the rest lazy.
        Leg {
            steps: 30,
            rules: with_zero_shrinks(ir),
            freeze: none.clone(),
        },
        // Error-driven rules of every kind beside plain ones: error-driven shrinks are
        // dense, error-driven growth is applied lazily with the step's error.
        Leg {
            steps: 40,
            rules: error_driven(ir, 0.0),
            freeze: none.clone(),
        },
        // ... with jitter on the (error-driven) `mul` factors.
        Leg {
            steps: 15,
            rules: error_driven(ir, 0.05),
            freeze: none.clone(),
        },
        // Only error-driven growth: every shrink lazy, growth through the general path.
        Leg {
            steps: 30,
            rules: {
                let mut r = uniform_rules(ir.nodes.len(), ir.edges.len(), mul(1.1), mul(0.9));
                let by_error = Update::MulByError { factor: 1.3 };
                r.grow = PerEntry::filled(by_error, r.grow.len());
                r.grow_eta = PerEntry::filled(by_error, r.grow_eta.len());
                r
            },
            freeze: none,
        },
    ]
}

/// Every kind of error-driven rule, mixed with plain ones, per node and per edge.
fn error_driven(ir: &Ir, jitter: f64) -> RuleSet {
    let mut rules = uniform_rules(
        ir.nodes.len(),
        ir.edges.len(),
        Update::MulByError { factor: 1.5 },
        Update::MulByError { factor: 0.8 },
    );
    let (mut grow, mut shrink) = (rules.grow.to_vec(), rules.shrink.to_vec());
    for (i, (g, s)) in grow.iter_mut().zip(&mut shrink).enumerate() {
        match i % 5 {
            0 => *g = Update::AddByError { amount: 0.2 },
            1 => *s = Update::SubByError { amount: 0.05 },
            2 => *s = mul(0.95),
            3 => *g = mul(1.05),
            _ => {}
        }
    }
    (rules.grow, rules.shrink) = (grow.into(), shrink.into());
    rules.shrink_eta.edit(|all| {
        for s in all.iter_mut().step_by(3) {
            *s = Update::SubByError { amount: 0.02 };
        }
    });
    rules.jitter = jitter;
    rules
}

fn mul_and_keep(ir: &Ir) -> RuleSet {
    let mut rules = uniform_rules(ir.nodes.len(), ir.edges.len(), mul(1.07), mul(0.93));
    let (mut grow, mut shrink) = (rules.grow.to_vec(), rules.shrink.to_vec());
    for (i, (g, s)) in grow.iter_mut().zip(&mut shrink).enumerate() {
        match i % 4 {
            0 => *g = Update::Keep,
            1 => *s = Update::Keep,
            _ => {}
        }
    }
    (rules.grow, rules.shrink) = (grow.into(), shrink.into());
    rules
}

fn with_zero_shrinks(ir: &Ir) -> RuleSet {
    let mut rules = uniform_rules(ir.nodes.len(), ir.edges.len(), mul(1.1), mul(0.9));
    rules
        .shrink
        .edit(|all| all.iter_mut().step_by(4).for_each(|s| *s = mul(0.0)));
    rules.shrink_eta.set(0, mul(0.0));
    rules
}

/// Both storage orders of the value tables: id order, and the order by firing signature
/// that large models take (`Model::new` takes it from 2^16 nodes; these models are
/// small, so the tests ask for it). Results must not depend on it.
const ORDERS: [(usize, &str); 2] = [(usize::MAX, "id order"), (0, "signature order")];

/// Checks that `state` is stored in the order `min_nodes` asks for on a model this small.
fn assert_order(state: &State, min_nodes: usize, what: &str) {
    assert_eq!(
        state.stored_in_id_order(),
        min_nodes == usize::MAX,
        "{what}: storage order"
    );
}

fn check_against_dense(eta_update: EtaUpdate) {
    for (min_nodes, order) in ORDERS {
        check_against_dense_in(eta_update, min_nodes, order);
    }
}

fn check_against_dense_in(eta_update: EtaUpdate, min_nodes: usize, order: &str) {
    let ir = model_ir(eta_update);
    let model = Model::with_layout_min_nodes(&ir, min_nodes);
    let mut state = State::new(&ir, 3);
    let mut dense = Dense::new(&state);
    let mut trainer = Trainer::new(&model);
    let samples = &ir.data.samples;
    let mut k = 0;
    for (l, leg) in legs(&ir).iter().enumerate() {
        let rules = Rules::new(&leg.rules);
        for _ in 0..leg.steps {
            // Batches of 1 and 2 samples.
            let a = &samples[k % samples.len()];
            let b = &samples[(k * 7 + 3) % samples.len()];
            let batch: Vec<(&[u32], u32)> = if k % 3 == 0 {
                vec![(&a.input, a.label), (&b.input, b.label)]
            } else {
                vec![(&a.input, a.label)]
            };
            trainer.step_on(&mut state, &rules, &leg.freeze, &batch);
            dense.step(&model, &leg.rules, &leg.freeze, eta_update, &batch);
            k += 1;
        }
        dense.assert_matches(&state, &format!("{eta_update:?} leg {l}, {order}"));
    }
    assert_order(&state, min_nodes, order);
    assert_eq!(state.rng, dense.rng, "the same draws in the same order");
}

#[test]
fn lazy_updates_equal_the_dense_rule_union() {
    check_against_dense(EtaUpdate::Union);
}

#[test]
fn lazy_updates_equal_the_dense_rule_sample() {
    check_against_dense(EtaUpdate::Sample);
}

fn bench_like_ir() -> Ir {
    let mut ir = generated(2000, 6, 5, 50, 0.05, 2);
    ir.train = Some(one_phase(
        &ir,
        300,
        1,
        Sampler::Replace,
        EtaUpdate::Union,
        0,
    ));
    // A second phase with other factors and a frozen level, so a boundary is crossed.
    let mut second = ir
        .train
        .as_ref()
        .map(|t| t.phases[0].clone())
        .expect("one phase");
    second.rules = uniform_rules(ir.nodes.len(), ir.edges.len(), mul(1.3), mul(0.7));
    second.frozen_levels[2] = true;
    if let Some(t) = ir.train.as_mut() {
        t.phases.push(second);
    }
    ir
}

fn bits(state: &State) -> Vec<u64> {
    state
        .ln_lambdas()
        .into_iter()
        .chain(state.ln_etas())
        .map(f64::to_bits)
        .collect()
}

#[test]
fn saving_and_reading_mid_run_change_nothing() {
    for (min_nodes, order) in ORDERS {
        saving_and_reading_mid_run_change_nothing_in(min_nodes, order);
    }
}

fn saving_and_reading_mid_run_change_nothing_in(min_nodes: usize, order: &str) {
    let ir = bench_like_ir();
    let model = Model::with_layout_min_nodes(&ir, min_nodes);
    let mut whole = State::new(&ir, 9);
    Trainer::new(&model).run(&mut whole);
    assert_order(&whole, min_nodes, order);
    // The same run in id order: the storage order moves no value.
    let id_model = Model::with_layout_min_nodes(&ir, usize::MAX);
    let mut by_id = State::new(&ir, 9);
    Trainer::new(&id_model).run(&mut by_id);
    assert_eq!(bits(&by_id), bits(&whole), "{order} vs id order");
    assert_eq!(by_id, whole, "{order} vs id order");
    assert_eq!(
        serde_json::to_string(&by_id).expect("serialise"),
        serde_json::to_string(&whole).expect("serialise"),
        "{order}: saved files are in id order"
    );

    let mut ev = Evaluator::new(&model);
    for stop in [1u64, 150, 299, 300, 301, 450] {
        let mut part = State::new(&ir, 9);
        let mut trainer = Trainer::new(&model);
        for _ in 0..stop {
            trainer.run_steps(&mut part, 1);
            // Readers see values but never write them.
            let _ = ev.evaluate(&model, &part, &ir.data.samples[0].input);
        }
        let json = serde_json::to_string(&part).expect("serialise");
        let mut resumed: State = serde_json::from_str(&json).expect("deserialise");
        assert_eq!(resumed, part, "a saved state loads as it was");
        assert!(resumed.stored_in_id_order(), "loaded in id order");
        // A fresh trainer, as after `--resume`.
        Trainer::new(&model).run(&mut resumed);
        assert_eq!(bits(&resumed), bits(&whole), "stopped at {stop}, {order}");
        assert_eq!(resumed, whole, "stopped at {stop}, {order}");
    }
}

#[test]
fn a_step_writes_only_what_fires() {
    let ir = bench_like_ir();
    let model = Model::new(&ir);
    let mut state = State::new(&ir, 1);
    let mut trainer = Trainer::new(&model);
    trainer.run_steps(&mut state, 5);
    let stored = |s: &State| serde_json::to_value(s).expect("serialise")["ln_lambda"].clone();
    let before = stored(&state);
    let lambdas_before = state.ln_lambdas();
    trainer.run_steps(&mut state, 1);
    let after = stored(&state);
    let (before, after) = (
        before.as_array().expect("array"),
        after.as_array().expect("array"),
    );
    let written = before.iter().zip(after).filter(|(a, b)| a != b).count();
    let changed = lambdas_before
        .iter()
        .zip(state.ln_lambdas())
        .filter(|(a, b)| **a != *b)
        .count();
    assert_eq!(
        changed,
        ir.nodes.len(),
        "every lambda moves (all rules are mul)"
    );
    assert!(written > 0, "the firing nodes are written");
    assert!(
        written * 10 < ir.nodes.len(),
        "only the firing nodes are written: {written} of {}",
        ir.nodes.len()
    );
}

#[test]
fn states_saved_before_lazy_updates_still_load() {
    let ir = bench_like_ir();
    let model = Model::new(&ir);
    let mut state = State::new(&ir, 4);
    Trainer::new(&model).run_steps(&mut state, 20);
    // The old format: materialised values and no `lazy` field.
    let mut json = serde_json::to_value(&state).expect("serialise");
    let object = json.as_object_mut().expect("object");
    object.remove("lazy");
    let ln_lambda: Vec<Option<f64>> = state
        .ln_lambdas()
        .into_iter()
        .map(|l| l.is_finite().then_some(l))
        .collect();
    let ln_eta: Vec<Option<f64>> = state
        .ln_etas()
        .into_iter()
        .map(|l| l.is_finite().then_some(l))
        .collect();
    object.insert("ln_lambda".into(), serde_json::json!(ln_lambda));
    object.insert("ln_eta".into(), serde_json::json!(ln_eta));
    let old: State = serde_json::from_value(json).expect("an old state loads");
    assert_eq!(bits(&old), bits(&state));
    assert!(crate::persist::validate(&old, &ir).is_ok());
}

#[test]
fn edited_pending_factors_are_refused() {
    let ir = bench_like_ir();
    let model = Model::new(&ir);
    let mut state = State::new(&ir, 4);
    Trainer::new(&model).run_steps(&mut state, 20);
    assert!(crate::persist::validate(&state, &ir).is_ok());
    let json = serde_json::to_value(&state).expect("serialise");

    let mut edited = json.clone();
    edited["lazy"]["lambda"]["rate"][3] = serde_json::json!(0.5);
    let edited: State = serde_json::from_value(edited).expect("loads");
    let why = crate::persist::validate(&edited, &ir).expect_err("refused");
    assert!(why.contains("fingerprint"), "{why}");

    let mut short = json.clone();
    short["lazy"]["lambda"]["since"] = serde_json::json!([0, 1]);
    // Stamps that do not pair up with the values cannot even be read.
    let why = serde_json::from_value::<State>(short)
        .expect_err("refused")
        .to_string();
    assert!(why.contains("do not fit"), "{why}");

    let mut late = json.clone();
    late["lazy"]["clock"] = serde_json::json!(1u64 << 60);
    let late: State = serde_json::from_value(late).expect("loads");
    let why = crate::persist::validate(&late, &ir).expect_err("refused");
    assert!(why.contains("clock"), "{why}");

    let mut future = json;
    future["lazy"]["lambda"]["since"][0] = serde_json::json!(1_000_000);
    let future: State = serde_json::from_value(future).expect("loads");
    let why = crate::persist::validate(&future, &ir).expect_err("refused");
    assert!(why.contains("after the clock"), "{why}");
}

#[test]
fn format_1_state_files_load_and_unknown_formats_are_refused() {
    use crate::persist::{load, SavedState, FORMAT};
    let ir = bench_like_ir();
    let model = Model::new(&ir);
    let mut state = State::new(&ir, 4);
    Trainer::new(&model).run_steps(&mut state, 20);
    let saved = SavedState {
        nshed_state: FORMAT,
        model: ir.model.clone(),
        source_sha256: "abc".into(),
        seed: 4,
        state: state.clone(),
    };
    let mut json = serde_json::to_value(&saved).expect("serialise");
    // What nshed wrote before lazy updates: format 1, plain values, no `lazy`.
    json["nshed_state"] = serde_json::json!(1);
    let inner = json["state"].as_object_mut().expect("object");
    inner.remove("lazy");
    let plain = |v: Vec<f64>| -> Vec<Option<f64>> {
        v.into_iter().map(|x| x.is_finite().then_some(x)).collect()
    };
    inner.insert(
        "ln_lambda".into(),
        serde_json::json!(plain(state.ln_lambdas())),
    );
    inner.insert("ln_eta".into(), serde_json::json!(plain(state.ln_etas())));
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("old.json");
    let path = path.to_str().expect("utf-8 path");
    std::fs::write(path, json.to_string()).expect("write");
    let old = load(path, &ir, "abc").expect("a format-1 file loads");
    assert_eq!(bits(&old.state), bits(&state));

    json["nshed_state"] = serde_json::json!(FORMAT + 1);
    std::fs::write(path, json.to_string()).expect("write");
    let why = load(path, &ir, "abc").expect_err("a newer format is refused");
    assert!(why.to_string().contains("state format"), "{why:?}");
}

/// Scheduled training, which keeps each drawn sample's pathway after its first draw,
/// against the dense reference over the same draws (`cycle`: batches in file order).
fn check_schedule_against_dense(eta_update: EtaUpdate, batch: u64, min_nodes: usize, order: &str) {
    let mut ir = model_ir(eta_update);
    let steps = 150;
    let mut train = one_phase(&ir, steps, batch, Sampler::Cycle, eta_update, 0);
    train.phases[0].rules = mixed_rules(&ir, 0.9, 0.0);
    let rules = train.phases[0].rules.clone();
    ir.train = Some(train);
    let model = Model::with_layout_min_nodes(&ir, min_nodes);
    let mut state = State::new(&ir, 3);
    let mut dense = Dense::new(&state);
    Trainer::new(&model).run(&mut state);
    assert_eq!(state.step, steps);
    assert_order(&state, min_nodes, order);
    let samples = &ir.data.samples;
    let freeze = Freeze::none(&ir);
    for k in 0..steps as usize {
        let drawn: Vec<(&[u32], u32)> = (0..batch as usize)
            .map(|j| &samples[(k * batch as usize + j) % samples.len()])
            .map(|s| (&s.input[..], s.label))
            .collect();
        dense.step(&model, &rules, &freeze, eta_update, &drawn);
    }
    dense.assert_matches(
        &state,
        &format!("{eta_update:?} batch {batch}, scheduled, {order}"),
    );
}

#[test]
fn scheduled_steps_with_kept_pathways_equal_the_dense_rule() {
    for eta_update in [EtaUpdate::Union, EtaUpdate::Sample] {
        for batch in [1, 3] {
            for (min_nodes, order) in ORDERS {
                check_schedule_against_dense(eta_update, batch, min_nodes, order);
            }
        }
    }
}
