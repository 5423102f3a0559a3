//! SPEC 7 and SPEC 8 golden numbers on the hand-built fig1 IR.

use nshed::engine::testing::{fig1, one_phase};
use nshed::engine::{explicit_step, le, le_matrix, Model, State, Trainer};
use nshed::ir::{EtaUpdate, Ir, Sampler};

const TOL: f64 = 1e-6;

fn close(a: f64, b: f64, tol: f64) -> bool {
    (a - b).abs() <= tol
}

fn assert_row(got: &[f64], want: &[f64], tol: f64, what: &str) {
    assert_eq!(got.len(), want.len(), "{what}");
    for (g, w) in got.iter().zip(want) {
        assert!(close(*g, *w, tol), "{what}: got {got:?}, want {want:?}");
    }
}

fn node(ir: &Ir, name: &str) -> usize {
    ir.node_index(name).expect("node") as usize
}

fn names(ir: &Ir, ids: &[u32]) -> Vec<String> {
    ids.iter()
        .map(|&n| ir.nodes[n as usize].name.to_string())
        .collect()
}

#[test]
fn spec7_logits_and_probabilities() {
    let ir = fig1();
    let model = Model::new(&ir);
    let state = State::new(&ir, 0);
    let rows = [
        (
            "c1a",
            "e1 e2 m1 t1",
            [2.0, 2.0, 0.0],
            [0.468311, 0.468311, 0.063379],
        ),
        (
            "c2",
            "e3 e4 e5 m1 m2 m3 t1 t2",
            [3.0, 7.0, 0.0],
            [0.017970, 0.981135, 0.000895],
        ),
        (
            "c3",
            "e5 e6 e7 m3 m4 t3",
            [0.0, 0.0, 4.0],
            [0.017668, 0.017668, 0.964663],
        ),
    ];
    for (sample, firing, z, p) in rows {
        let s = &ir.data.samples[ir.sample_index(sample).expect("sample")];
        let ev = model.evaluate(&state, &s.input);
        assert_eq!(names(&ir, &ev.firing).join(" "), firing);
        let logits: Vec<f64> = ev.ln_logits.iter().map(|l| l.exp()).collect();
        assert_row(&logits, &z, TOL, sample);
        assert_row(&ev.p, &p, TOL, sample);
    }
}

#[test]
fn spec7_local_elasticity_rows() {
    let ir = fig1();
    let model = Model::new(&ir);
    let state = State::new(&ir, 0);
    let m = le_matrix(&model, &state);
    let row = |i: usize| -> Vec<f64> { m[i].iter().map(|v| v.expect("defined")).collect() };
    assert_row(&row(0), &[1.0, 0.679354, 1.782503, 1.363242], TOL, "c1a");
    assert_row(&row(2), &[0.120453, 0.207574, 1.0, 0.274277], TOL, "c2");
    // The single-pair API agrees with the matrix.
    let s = &ir.data.samples;
    let v = le(&model, &state, &s[0].input, s[0].label, &s[1].input).expect("defined");
    assert!(close(v, 0.679354, TOL));
}

fn one_step(eta_update: EtaUpdate) -> (Ir, State) {
    let mut ir = fig1();
    ir.train = Some(one_phase(&ir, 1, 2, Sampler::Cycle, eta_update, 0));
    let model = Model::new(&ir);
    let mut state = State::new(&ir, 0);
    let (e1, e2, e4, e5, e6) = (0u32, 1, 3, 4, 5);
    let a = [e1, e2];
    let b = [e4, e5, e6];
    let batch: [(&[u32], u32); 2] = [(&a, 0), (&b, 1)];
    // The phase's rules are the file's, nothing frozen.
    explicit_step(&mut Trainer::new(&model), &mut state, &batch);
    (ir, state)
}

#[test]
fn spec7_one_step_union_and_sample() {
    let (ir, union) = one_step(EtaUpdate::Union);
    let (_, sample) = one_step(EtaUpdate::Sample);
    // Edge 1 is t1 -> c2.
    assert!(close(union.eta(1), 1.1, 1e-12), "union {}", union.eta(1));
    assert!(close(sample.eta(1), 0.9, 1e-12), "sample {}", sample.eta(1));
    for state in [&union, &sample] {
        for (i, n) in ir.nodes.iter().enumerate() {
            let want = if ["e3", "e7", "m2", "t2"].contains(&n.name.as_str()) {
                0.9
            } else {
                1.1
            };
            assert!(close(state.lambda(i), want, 1e-12), "{}", n.name);
        }
    }
}

#[test]
fn spec7_eight_cycle_steps() {
    let mut ir = fig1();
    ir.train = Some(one_phase(&ir, 8, 1, Sampler::Cycle, EtaUpdate::Union, 0));
    let model = Model::new(&ir);
    let mut state = State::new(&ir, 0);
    crate::support::train(&model, &mut state);
    assert_eq!(state.step, 8);
    assert!(close(state.lambda(node(&ir, "m1")), 1.434964, TOL));
    assert!(close(state.lambda(node(&ir, "t1")), 1.434964, TOL));
    assert!(close(state.lambda(node(&ir, "e2")), 0.960596, TOL));
    assert!(close(state.lambda(node(&ir, "e1")), 0.643044, TOL));
    let ev = model.evaluate(&state, &ir.data.samples[0].input);
    let logits: Vec<f64> = ev.ln_logits.iter().map(|l| l.exp()).collect();
    assert_row(&logits, &[3.171975, 2.123389, 0.0], TOL, "c1a logits");
}

/// SPEC 8: fig1 trained 200 cycle steps, batch 1, eta_update sample: the row of base
/// c1a is "about 1, 1.4264, 0.4264, 0".
#[test]
fn spec8_local_elasticity_after_training() {
    let mut ir = fig1();
    ir.train = Some(one_phase(&ir, 200, 1, Sampler::Cycle, EtaUpdate::Sample, 0));
    let model = Model::new(&ir);
    let mut state = State::new(&ir, 0);
    crate::support::train(&model, &mut state);
    let m = le_matrix(&model, &state);
    let row: Vec<f64> = m[0].iter().map(|v| v.expect("defined")).collect();
    eprintln!("SPEC 8 LE row of c1a: {row:?}");
    assert_row(&row, &[1.0, 1.4264, 0.4264, 0.0], 1e-3, "spec 8 c1a");
}

#[test]
fn dense_scores_match_the_evaluation() {
    let ir = fig1();
    let model = Model::new(&ir);
    let state = State::new(&ir, 0);
    let mut ev = nshed::engine::Evaluator::new(&model);
    let mut dense = Vec::new();
    ev.dense_ln_scores_into(&model, &state, &ir.data.samples[2].input, &mut dense);
    let e = model.evaluate(&state, &ir.data.samples[2].input);
    assert_eq!(dense.len(), ir.nodes.len());
    for (n, &ln) in dense.iter().enumerate() {
        match e.firing.iter().position(|&f| f as usize == n) {
            Some(i) => assert_eq!(ln, e.ln_scores[i]),
            None => assert_eq!(ln, f64::NEG_INFINITY),
        }
    }
    // t2 = lambda * (S[m2] + S[m3]) = 2 + 2 = 4 on c2.
    assert!((dense[node(&ir, "t2")].exp() - 4.0).abs() < 1e-12);
}
