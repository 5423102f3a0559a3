//! Error-driven rules (`... by error`, SPEC 3) on models small enough to follow by hand:
//! every step scales its error-driven rules by the batch's mean error
//! `e = mean of (1 - p_label)`, read from the state before the step.
//!
//! The two-input model used throughout: inputs `a`, `b`; class `c1 <- a`, `c2 <- b`;
//! `lambda = eta = 1`. For the sample `{a} -> c1` the logits are `Z = (1, 0)`, so
//! `p_c1 = e^1 / (e^1 + e^0) = 0.731059` and `e1 = 1 - p_c1 = 1 / (1 + e) = 0.268941`.

use nshed::engine::{Model, State};
use nshed::ir::Ir;
use nshed::source::Source;
use rand::SeedableRng;
use rand_distr::{Distribution, StandardNormal};

/// `1 / (1 + e)`: the error of `{a} -> c1` at `lambda = eta = 1`.
const E1: f64 = 0.268_941_421_369_995_1;

fn compile(text: &str) -> Ir {
    let source = Source {
        name: "by_error.nshed".into(),
        text: text.into(),
    };
    match nshed::compile(source) {
        Ok(c) => c.into_ir(),
        Err(r) => panic!("{}", r.render(nshed::diag::RenderStyle::Plain)),
    }
}

/// The two-input model with these rules, data and schedule lines.
fn two_inputs(rules: &str, data: &str, train: &str) -> Ir {
    compile(&format!(
        "model m {{ level input {{ a b }} classes {{ c1 <- a  c2 <- b }} }}\n\
         rules {{ {rules} }}\ndata {{ {data} }}\ntrain {{ sampler cycle {train} }}"
    ))
}

fn trained(ir: &Ir, seed: u64) -> State {
    let model = Model::new(ir);
    let mut state = State::new(ir, seed);
    crate::support::train(&model, &mut state);
    state
}

fn close(actual: f64, expected: f64, what: &str) {
    assert!(
        (actual - expected).abs() <= 1e-12 * expected.abs().max(1.0),
        "{what}: {actual} vs {expected}"
    );
}

#[test]
fn mul_by_error_raises_the_factor_to_the_batch_error() {
    let ir = two_inputs(
        "grow = mul 2 by error  shrink = mul 0.5 by error",
        "s1: a -> c1",
        "phase p { steps 1 }",
    );
    let s = trained(&ir, 0);
    // a and the edge a->c1 grow by 2^e1 = exp(0.268941 * 0.693147) = exp(0.186415)
    // = 1.204923; b and b->c2 shrink by 0.5^e1 = 1 / 1.204923 = 0.829928.
    close(s.lambda(0), 1.204_923_389_759_439, "lambda a");
    close(s.eta(0), 1.204_923_389_759_439, "eta a->c1");
    close(s.lambda(1), 0.829_928_282_992_040_2, "lambda b");
    close(s.eta(1), 0.829_928_282_992_040_2, "eta b->c2");
}

#[test]
fn add_and_sub_by_error_scale_the_amount() {
    let ir = two_inputs(
        "grow = add 0.5 by error  shrink = sub 0.5 by error",
        "s1: a -> c1",
        "phase p { steps 1 }",
    );
    let s = trained(&ir, 0);
    // add 0.5 * e1 = 0.134471: 1.134471; sub it: 0.865529.
    close(s.lambda(0), 1.0 + 0.5 * E1, "lambda a");
    close(s.lambda(1), 1.0 - 0.5 * E1, "lambda b");
    close(s.eta(0), 1.134_470_710_684_997_6, "eta a->c1");
    close(s.eta(1), 0.865_529_289_315_002_4, "eta b->c2");
}

#[test]
fn the_second_step_reads_the_error_of_the_state_after_the_first() {
    let ir = two_inputs(
        "grow = mul 2 by error  shrink = mul 0.5 by error",
        "s1: a -> c1",
        "phase p { steps 2 }",
    );
    let s = trained(&ir, 0);
    // After step 1, Z_c1 = lambda_a * eta = 1.204923^2 = 1.451840, Z_c2 = 0, so the
    // second error is e2 = 1 / (1 + e^1.451840) = 1 / 5.270953 = 0.189718, and
    // lambda_a = 2^(e1 + e2) = 2^0.458660 = 1.374265, lambda_b = 0.5^0.458660 = 0.727662.
    close(s.lambda(0), 1.374_264_701_907_024_7, "lambda a");
    close(s.lambda(1), 0.727_661_853_362_260_5, "lambda b");
}

#[test]
fn a_batch_uses_the_mean_error_of_its_samples() {
    // c1 <- a, c2 <- a, b. {a} -> c1 has Z = (1, 1): error 0.5. {a b} -> c2 has
    // Z = (1, 2): p_c2 = e^2 / (e + e^2) = 0.731059, error 0.268941. Mean e = 0.384471.
    let ir = compile(
        "model m { level input { a b } classes { c1 <- a  c2 <- a, b } }\n\
         rules { grow = mul 2 by error  shrink = keep }\n\
         data { s1: a -> c1  s2: a b -> c2 }\n\
         train { sampler cycle phase p { steps 1 batch 2 } }",
    );
    let s = trained(&ir, 0);
    // Everything is in U and every edge co-fires: all grow by 2^0.384471 = 1.305381.
    for n in 0..2 {
        close(s.lambda(n), 1.305_380_787_133_915_7, "lambda");
    }
    for e in 0..3 {
        close(s.eta(e), 1.305_380_787_133_915_7, "eta");
    }
}

#[test]
fn plain_rules_beside_error_driven_ones_are_unaffected() {
    // Only node a's growth and the edge a->c1's growth are error-driven; the rest keep
    // the defaults mul 1.1 / mul 0.9, and a phase overrides b's shrink with `sub 0.5 by
    // error` and makes the edge b->c2 `keep by error` (= keep).
    let ir = two_inputs(
        "grow a = mul 2 by error  grow eta a -> c1 = add 1 by error",
        "s1: a -> c1",
        "phase p { steps 1 shrink b = sub 0.5 by error  shrink eta b -> c2 = keep by error }",
    );
    let s = trained(&ir, 0);
    close(s.lambda(0), 1.204_923_389_759_439, "lambda a: mul 2^e1");
    close(s.eta(0), 1.0 + E1, "eta a->c1: add e1");
    close(s.lambda(1), 1.0 - 0.5 * E1, "lambda b: sub 0.5 e1");
    close(s.eta(1), 1.0, "eta b->c2: keep");
    // A level rule: the default mul 1.1 is error-driven for the whole input level.
    let ir = two_inputs(
        "grow level input = mul 1.1 by error",
        "s1: a -> c1",
        "phase p { steps 1 }",
    );
    let s = trained(&ir, 0);
    close(s.lambda(0), 1.1f64.powf(E1), "lambda a");
    close(s.eta(0), 1.1, "eta a->c1 keeps the plain default");
    close(s.lambda(1), 0.9, "lambda b keeps the plain default");
}

#[test]
fn jitter_multiplies_the_error_driven_factor() {
    // One step on {a} -> c1 with jitter 0.1: the run's stream draws one N(0,1) per
    // `mul` application, nodes a, b then edges a->c1, b->c2 (constant init and the
    // cycle sampler draw nothing). a grows by 2^e1 * exp(0.1 z1); b shrinks by
    // 0.5 * exp(0.1 z2).
    let ir = two_inputs(
        "grow = mul 2 by error  shrink = mul 0.5  jitter = 0.1",
        "s1: a -> c1",
        "seed 7 phase p { steps 1 }",
    );
    let s = trained(&ir, 7);
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(7);
    let z: Vec<f64> = (0..4).map(|_| StandardNormal.sample(&mut rng)).collect();
    close(s.lambda(0), 2f64.powf(E1) * (0.1 * z[0]).exp(), "lambda a");
    close(s.lambda(1), 0.5 * (0.1 * z[1]).exp(), "lambda b");
    close(s.eta(0), 2f64.powf(E1) * (0.1 * z[2]).exp(), "eta a->c1");
    close(s.eta(1), 0.5 * (0.1 * z[3]).exp(), "eta b->c2");
}

#[test]
fn the_local_elasticity_step_uses_the_base_samples_error() {
    // c1 <- a, b; c2 <- b; no schedule, so the LE step takes the file's rules. Base
    // {a} -> c1 has Z = (1, 0) and error e1. Its step: a and a->c1 grow by 2^e1, b,
    // b->c1 and b->c2 shrink by 0.5^e1. The base's logits move by (2^(2 e1) - 1, 0) =
    // (0.451840, 0); the test {b} (Z = (1, 1)) moves by (0.5^(2 e1) - 1) (1, 1) =
    // -0.311219 (1, 1), of norm 0.440131. LE = 0.440131 / 0.451840 = 0.974083.
    // (Plain mul 2 / mul 0.5 would give sqrt 2 * 0.75 / 3 = 0.353553.)
    let ir = compile(
        "model m { level input { a b } classes { c1 <- a, b  c2 <- b } }\n\
         rules { grow = mul 2 by error  shrink = mul 0.5 by error }\n\
         data { s1: a -> c1  s2: b -> c2 }",
    );
    let model = Model::new(&ir);
    let state = State::new(&ir, 0);
    let le = nshed::engine::le(&model, &state, &[0], 0, &[1]).unwrap();
    close(le, 0.974_083_367_938_177_2, "LE(s1, s2)");
    // The LE matrix (sparse) agrees with its direct reference.
    let sparse = nshed::engine::le_matrix(&model, &state);
    let direct = nshed::engine::le_matrix_direct(&model, &state);
    for (rs, rd) in sparse.iter().zip(&direct) {
        for (a, b) in rs.iter().zip(rd) {
            close(a.unwrap(), b.unwrap(), "sparse vs direct");
        }
    }
    close(
        sparse[0][1].unwrap(),
        0.974_083_367_938_177_2,
        "matrix entry",
    );
}

#[test]
fn a_sample_that_reaches_no_class_has_error_one_minus_one_over_k() {
    // No class lists b, so {b} reaches no class: p is uniform (SPEC 10), error 1/2.
    let ir = compile(
        "model m { level input { a b } classes { c1 <- a  c2 <- a } }\n\
         rules { grow = mul 4 by error  shrink = mul 0.25 by error }\n\
         data { s1: b -> c1  s2: a -> c2 }\n\
         train { sampler cycle phase p { steps 1 } }",
    );
    let s = trained(&ir, 0);
    // b grows by 4^0.5 = 2; a shrinks by 0.25^0.5 = 0.5.
    close(s.lambda(1), 2.0, "lambda b");
    close(s.lambda(0), 0.5, "lambda a");
}

#[test]
fn error_driven_runs_stop_and_resume_bit_for_bit() {
    // Dense error-driven shrinks, lazy error-driven growth, batches of two drawn at
    // random, jitter: a run stopped, saved and resumed equals the run made at once.
    use crate::support::cli::nshed;
    let dir = tempfile::tempdir().unwrap();
    let model = dir.path().join("m.nshed");
    std::fs::write(
        &model,
        "model m { level input { a b c } level mid { x = any(a, b)  y = all(b, c) }\n\
         classes { c1 <- x  c2 <- x, y } }\n\
         rules { grow = mul 1.5 by error  shrink = mul 0.8 by error  shrink y = mul 0.7\n\
                 grow eta = mul 1.2 by error  jitter = 0.05 }\n\
         data { s1: a -> c1  s2: b c -> c2  s3: a b c -> c2 }\n\
         train { seed 5 phase p { steps 40 batch 2 } }",
    )
    .unwrap();
    let model = model.to_str().unwrap();
    let saved = dir.path().join("state.json");
    let saved = saved.to_str().unwrap();
    let once = nshed(&["run", model, "--json"]);
    assert!(once.status.success());
    let stop = nshed(&["run", model, "--stop-after", "17", "--save", saved]);
    assert!(
        stop.status.success(),
        "{}",
        String::from_utf8_lossy(&stop.stderr)
    );
    let resumed = nshed(&["run", model, "--resume", saved, "--json"]);
    assert!(
        resumed.status.success(),
        "{}",
        String::from_utf8_lossy(&resumed.stderr)
    );
    assert_eq!(
        String::from_utf8_lossy(&once.stdout),
        String::from_utf8_lossy(&resumed.stdout)
    );
    // And the error-driven rules did something: not the run of the plain rules.
    std::fs::write(
        dir.path().join("plain.nshed"),
        std::fs::read_to_string(model)
            .unwrap()
            .replace(" by error", ""),
    )
    .unwrap();
    let plain = nshed(&[
        "run",
        dir.path().join("plain.nshed").to_str().unwrap(),
        "--json",
    ]);
    assert_ne!(once.stdout, plain.stdout);
}
