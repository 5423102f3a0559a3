//! Update rules, freezes, jitter, samplers, noise and long-run numerics.

use nshed::engine::numeric::Value;
use nshed::engine::testing::{fig1, mul, one_phase, uniform_rules};
use nshed::engine::{explicit_step, Model, State, Trainer};
use nshed::ir::{Dist, EtaUpdate, Ir, PerEntry, Sampler, Update};

fn trained(ir: &Ir, seed: u64) -> State {
    let model = Model::new(ir);
    let mut state = State::new(ir, seed);
    crate::support::train(&model, &mut state);
    state
}

fn one_step_with(grow: Update, shrink: Update, start: f64) -> State {
    let mut ir = fig1();
    ir.init.lambda = PerEntry::from(vec![Dist::Const { value: start }; ir.nodes.len()]);
    ir.rules = uniform_rules(ir.nodes.len(), ir.edges.len(), grow, shrink);
    let model = Model::new(&ir);
    let mut state = State::new(&ir, 0);
    let input = [0u32, 1];
    // No `train` block: the step takes the file's rules, nothing frozen.
    explicit_step(&mut Trainer::new(&model), &mut state, &[(&input, 0)]);
    state
}

#[test]
fn sub_is_floored_at_zero_and_add_adds() {
    // c1a: e1 e2 m1 t1 grow, the rest shrink.
    let s = one_step_with(
        Update::Add { amount: 0.5 },
        Update::Sub { amount: 0.25 },
        1.0,
    );
    assert!((s.lambda(0) - 1.5).abs() < 1e-12);
    assert!((s.lambda(2) - 0.75).abs() < 1e-12);
    let s = one_step_with(
        Update::Add { amount: 0.5 },
        Update::Sub { amount: 2.0 },
        1.0,
    );
    assert_eq!(s.lambda(2), 0.0);
    assert_eq!(s.ln_lambda(2), f64::NEG_INFINITY);
    // From exactly 0, add still grows and sub stays at 0.
    let s = one_step_with(
        Update::Add { amount: 0.5 },
        Update::Sub { amount: 1.0 },
        0.0,
    );
    assert!((s.lambda(0) - 0.5).abs() < 1e-12);
    assert_eq!(s.lambda(2), 0.0);
}

#[test]
fn keep_keeps_and_mul_from_zero_stays_zero() {
    let s = one_step_with(mul(1.1), Update::Keep, 0.7);
    assert!((s.lambda(0) - 0.77).abs() < 1e-12);
    assert_eq!(s.ln_lambda(2), 0.7f64.ln());
    let s = one_step_with(mul(1.1), mul(0.9), 0.0);
    assert_eq!(s.lambda(0), 0.0);
}

#[test]
fn freeze_holds_a_level_and_eta() {
    let mut ir = fig1();
    let mut train = one_phase(&ir, 5, 1, Sampler::Cycle, EtaUpdate::Union, 0);
    train.phases[0].frozen_levels[0] = true;
    train.phases[0].freeze_eta = true;
    ir.train = Some(train);
    let s = trained(&ir, 0);
    for n in 0..7 {
        assert_eq!(s.lambda(n), 1.0, "input level is frozen");
    }
    assert!(s.ln_etas().iter().all(|&l| l == 0.0), "eta is frozen");
    assert!((7..ir.nodes.len()).any(|n| s.lambda(n) != 1.0));
}

fn jittered(seed: u64) -> State {
    let mut ir = fig1();
    ir.rules.jitter = 0.05;
    ir.train = Some(one_phase(&ir, 50, 2, Sampler::Replace, EtaUpdate::Union, 0));
    trained(&ir, seed)
}

#[test]
fn jitter_is_deterministic_per_seed() {
    let a = jittered(7);
    let b = jittered(7);
    let c = jittered(8);
    let bits = |s: &State| -> Vec<u64> {
        s.ln_lambdas()
            .into_iter()
            .chain(s.ln_etas())
            .map(|x| x.to_bits())
            .collect()
    };
    assert_eq!(bits(&a), bits(&b));
    assert_ne!(bits(&a), bits(&c));
    // Jitter actually perturbs: not every node sits on the 1.1^k 0.9^m lattice.
    let lattice = |x: f64| {
        (0..=50).any(|k| {
            (0..=50 - k)
                .any(|m| (x - (k as f64) * 1.1f64.ln() - (m as f64) * 0.9f64.ln()).abs() < 1e-12)
        })
    };
    assert!(a.ln_lambdas().iter().any(|&x| !lattice(x)));
}

/// Collects the sample indices a schedule draws, by watching which label class the
/// union contains is not observable; instead we drive the sampler directly.
fn draws(sampler: Sampler, weights: &[f64], n: u64, seed: u64) -> Vec<usize> {
    use nshed::engine::sample::{cumulative_weights, draw_batch};
    let mut ir = fig1();
    for (s, &w) in ir.data.samples.iter_mut().zip(weights) {
        s.weight = w;
    }
    let mut state = State::new(&ir, seed);
    let cum = cumulative_weights(&ir.data.samples);
    let mut out = Vec::new();
    draw_batch(
        sampler,
        &ir.data.samples,
        &cum,
        &mut state.sampler,
        &mut state.rng,
        n,
        &mut out,
    );
    out
}

#[test]
fn cycle_takes_file_order_and_wraps() {
    assert_eq!(
        draws(Sampler::Cycle, &[1.0, 5.0, 1.0, 1.0], 10, 3),
        vec![0, 1, 2, 3, 0, 1, 2, 3, 0, 1]
    );
}

#[test]
fn shuffle_covers_each_sample_once_per_epoch() {
    let d = draws(Sampler::Shuffle, &[1.0; 4], 40, 11);
    for epoch in d.chunks(4) {
        let mut e = epoch.to_vec();
        e.sort();
        assert_eq!(e, vec![0, 1, 2, 3]);
    }
    // Not always file order.
    assert!(d.chunks(4).any(|e| e != [0, 1, 2, 3]));
    // Weight 2 appears twice per epoch of length 5.
    let d = draws(Sampler::Shuffle, &[1.0, 2.0, 1.0, 1.0], 50, 11);
    for epoch in d.chunks(5) {
        assert_eq!(epoch.iter().filter(|&&i| i == 1).count(), 2);
    }
}

#[test]
fn replace_frequencies_follow_weights() {
    let n = 80_000;
    let d = draws(Sampler::Replace, &[1.0, 2.0, 0.0, 5.0], n, 5);
    let mut counts = [0usize; 4];
    for i in d {
        counts[i] += 1;
    }
    assert_eq!(counts[2], 0, "weight 0 is never drawn");
    let share = |i: usize| counts[i] as f64 / n as f64;
    assert!((share(0) - 1.0 / 8.0).abs() < 0.01, "{counts:?}");
    assert!((share(1) - 2.0 / 8.0).abs() < 0.01, "{counts:?}");
    assert!((share(3) - 5.0 / 8.0).abs() < 0.01, "{counts:?}");
}

#[test]
fn noise_flips_bits_at_the_given_rate() {
    use nshed::engine::sample::flip_noise;
    use rand::SeedableRng;
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(1);
    let mut out = Vec::new();
    flip_noise(&[0, 1], 7, 0.0, &mut rng, &mut out);
    assert_eq!(out, vec![0, 1]);
    flip_noise(&[0, 1], 7, 1.0, &mut rng, &mut out);
    assert_eq!(out, vec![2, 3, 4, 5, 6]);
    let mut flips = 0;
    let trials = 20_000;
    for _ in 0..trials {
        flip_noise(&[0, 1], 7, 0.1, &mut rng, &mut out);
        let sym = (0..7u32)
            .filter(|n| out.contains(n) != [0u32, 1].contains(n))
            .count();
        flips += sym;
    }
    let rate = flips as f64 / (7 * trials) as f64;
    assert!((rate - 0.1).abs() < 0.005, "{rate}");
}

#[test]
fn noise_changes_training_but_is_reproducible() {
    let mut ir = fig1();
    ir.train = Some(one_phase(&ir, 40, 1, Sampler::Cycle, EtaUpdate::Union, 0));
    let clean = trained(&ir, 1);
    ir.data.noise_flip = 0.2;
    let a = trained(&ir, 1);
    let b = trained(&ir, 1);
    assert_eq!(a, b);
    assert_ne!(a.ln_lambdas(), clean.ln_lambdas());
}

#[test]
fn random_init_is_reproducible_and_clipped() {
    let mut ir = fig1();
    ir.init.lambda = PerEntry::from(vec![
        Dist::Normal {
            mu: 0.0,
            sigma: 1.0
        };
        ir.nodes.len()
    ]);
    ir.init.eta = PerEntry::from(vec![Dist::Uniform { a: 0.0, b: 0.01 }; ir.edges.len()]);
    let a = State::new(&ir, 3);
    assert_eq!(a, State::new(&ir, 3));
    assert_ne!(a.ln_lambdas(), State::new(&ir, 4).ln_lambdas());
    assert!(
        a.ln_lambdas().contains(&f64::NEG_INFINITY),
        "some normal draw clipped at 0"
    );
    assert!(a.ln_etas().iter().all(|&l| l.exp() <= 0.01));
    ir.init.lambda = PerEntry::from(vec![
        Dist::LogNormal {
            mu: 900.0,
            sigma: 1.0
        };
        ir.nodes.len()
    ]);
    let s = State::new(&ir, 3);
    assert!(s.ln_lambdas().iter().all(|l| l.is_finite() && *l > 800.0));
}

#[test]
fn state_round_trips_through_json() {
    let mut ir = fig1();
    ir.rules = uniform_rules(
        ir.nodes.len(),
        ir.edges.len(),
        mul(1.1),
        Update::Sub { amount: 5.0 },
    );
    ir.train = Some(one_phase(&ir, 3, 1, Sampler::Shuffle, EtaUpdate::Union, 0));
    let s = trained(&ir, 9);
    assert!(s.ln_lambdas().contains(&f64::NEG_INFINITY));
    let json = serde_json::to_string(&s).expect("serialise");
    let back: State = serde_json::from_str(&json).expect("deserialise");
    assert_eq!(s, back);
}

/// SPEC 3: 10^6 steps of multiplicative rules stay representable (about 2 s in a
/// debug build, so it always runs).
fn long_run(steps: u64) {
    let mut ir = fig1();
    ir.train = Some(one_phase(
        &ir,
        steps,
        1,
        Sampler::Cycle,
        EtaUpdate::Union,
        0,
    ));
    let model = Model::new(&ir);
    let mut state = State::new(&ir, 0);
    crate::support::train(&model, &mut state);
    assert_eq!(state.step, steps);
    for l in state.ln_lambdas().into_iter().chain(state.ln_etas()) {
        assert!(!l.is_nan());
        let v = Value::from_ln(l);
        if let Some(x) = v.value {
            assert!(x.is_finite());
        }
    }
    let report = nshed::report::RunReport::new(&model, &state);
    for s in &report.samples {
        let total: f64 = s.p.iter().sum();
        assert!((total - 1.0).abs() < 1e-12, "{:?}", s.p);
        assert!(s.p.iter().all(|p| p.is_finite()));
        assert!(s.ln_logits.iter().flatten().all(|l| l.is_finite()));
    }
    // The report serialises (no NaN or infinity reaches JSON).
    let json = serde_json::to_string(&report).expect("json");
    assert!(!json.contains("NaN"));
    // e1 grows every 4th step and shrinks otherwise: its ln is far beyond f64 range
    // in both directions for some nodes; the cycle makes m1 and t1 grow 3 of 4 steps.
    let m1 = ir.node_index("m1").expect("m1") as usize;
    let expect = (steps as f64 / 4.0) * (3.0 * 1.1f64.ln() + 0.9f64.ln());
    assert!((state.ln_lambda(m1) - expect).abs() < 1e-6 * expect.abs().max(1.0));
}

#[test]
fn million_multiplicative_steps_stay_finite() {
    long_run(1_000_000);
}

#[test]
fn sweep_streams_are_independent_and_stream_zero_is_the_run() {
    let mut ir = fig1();
    ir.init.lambda = PerEntry::from(vec![Dist::Uniform { a: 0.0, b: 1.0 }; ir.nodes.len()]);
    assert_eq!(State::for_run(&ir, 5, 0), State::new(&ir, 5));
    assert_ne!(
        State::for_run(&ir, 5, 1).ln_lambdas(),
        State::for_run(&ir, 5, 2).ln_lambdas()
    );
    assert_eq!(State::for_run(&ir, 5, 3), State::for_run(&ir, 5, 3));
}

#[test]
fn cycle_position_and_stream_carry_across_phases() {
    let mut one = fig1();
    one.rules.jitter = 0.01;
    one.train = Some(one_phase(&one, 7, 1, Sampler::Cycle, EtaUpdate::Union, 0));
    let mut two = one.clone();
    if let Some(train) = two.train.as_mut() {
        let mut second = train.phases[0].clone();
        second.name = "second".into();
        train.phases[0].steps = 3;
        second.steps = 4;
        train.phases.push(second);
    }
    let a = trained(&one, 4);
    let b = trained(&two, 4);
    assert_eq!(a.ln_lambdas(), b.ln_lambdas());
    assert_eq!(a.ln_etas(), b.ln_etas());
    assert_eq!(b.phase, 2, "training is over");
    assert_eq!(b.sampler.cursor, 3);
}

/// `train N` on a model with data and no `train` block takes N steps with every default:
/// exactly the steps of the same model with `train { phase p { steps N } }` (batch 1,
/// sampler replace, eta update union, seed 0, the file's rules), bit for bit.
#[test]
fn train_without_a_schedule_takes_every_default() {
    use nshed::engine::{train, Control, Until};
    let text = std::fs::read_to_string("tests/models/engine_fig1_golden.nshed").unwrap();
    let compile = |text: String| {
        nshed::compile(nshed::source::Source {
            name: "m.nshed".into(),
            text,
        })
        .expect("compiles")
        .into_ir()
    };
    let bare = compile(text.clone());
    assert!(bare.train.is_none());
    let scheduled = compile(format!("{text}\ntrain {{ phase p {{ steps 300 }} }}\n"));

    let model = Model::new(&bare);
    let mut state = State::new(&bare, 0);
    let mut trainer = Trainer::new(&model);
    let trained = train(
        &mut trainer,
        &mut state,
        Until::Steps(300),
        &Control::default(),
        None,
    );
    assert_eq!(trained.taken, 300);

    let expected = trained_state_of(&scheduled);
    assert_eq!(state.step, 300);
    let bits = |v: Vec<f64>| v.into_iter().map(f64::to_bits).collect::<Vec<_>>();
    assert_eq!(bits(state.ln_lambdas()), bits(expected.ln_lambdas()));
    assert_eq!(bits(state.ln_etas()), bits(expected.ln_etas()));
    // The training did something: the defaults move lambda.
    assert!(state.ln_lambdas().iter().any(|&l| l != 0.0));
    // Without data there is nothing to draw from.
    let no_data = compile(std::fs::read_to_string("tests/models/no_data.nshed").unwrap());
    let model = Model::new(&no_data);
    let mut state = State::new(&no_data, 0);
    let mut trainer = Trainer::new(&model);
    let trained = train(
        &mut trainer,
        &mut state,
        Until::Steps(10),
        &Control::default(),
        None,
    );
    assert_eq!(trained.taken, 0);
}

fn trained_state_of(ir: &Ir) -> State {
    let model = Model::new(ir);
    let mut state = State::new(ir, 0);
    crate::support::train(&model, &mut state);
    state
}
