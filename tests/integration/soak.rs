//! Soak: 10^6 training steps of fig4 with jitter. Every reported number is finite (or
//! given as a log), probabilities stay normalised, and nothing is NaN. Ignored by default
//! (it is a minute in a debug build); CI runs it in release with `--ignored`.

use nshed::engine::{Model, State};
use nshed::report::RunReport;

#[test]
#[ignore = "long: run with `cargo test --release --test integration soak -- --ignored`"]
fn a_million_jittered_steps_of_fig4() {
    let text = std::fs::read_to_string("examples/fig4.nshed")
        .expect("fig4 exists")
        .replace("steps 1500", "steps 1000000")
        .replace("rules {", "rules {\n  jitter = 0.05");
    let source = nshed::source::from_bytes("soak.nshed", text.into_bytes()).expect("UTF-8");
    let compiled = nshed::compile(source)
        .unwrap_or_else(|r| panic!("{}", r.render(nshed::diag::RenderStyle::Plain)));
    let model = Model::new(compiled.ir());
    let mut state = State::new(compiled.ir(), 11);
    let mut checked = 0u64;
    let every = std::num::NonZeroU64::new(100_000).expect("not zero");
    crate::support::train_observed(&model, &mut state, every, &mut |s| {
        assert_eq!(s.step % 100_000, 0);
        assert!(
            s.ln_lambdas()
                .into_iter()
                .chain(s.ln_etas())
                .all(|v| !v.is_nan() && v != f64::INFINITY),
            "step {}",
            s.step
        );
        checked += 1;
    });
    assert_eq!(state.step, 1_000_000);
    assert_eq!(checked, 10);
    let report = serde_json::to_value(RunReport::new(&model, &state)).expect("report serialises");
    for sample in report["samples"].as_array().expect("samples") {
        let p: Vec<f64> = sample["p"]
            .as_array()
            .expect("p")
            .iter()
            .map(|v| v.as_f64().expect("p is a number"))
            .collect();
        assert!(
            p.iter().all(|v| v.is_finite() && (0.0..=1.0).contains(v)),
            "{p:?}"
        );
        assert!((p.iter().sum::<f64>() - 1.0).abs() < 1e-9, "{p:?}");
    }
    for (_, ln) in report["ln_lambda"].as_object().expect("ln_lambda").iter() {
        assert!(
            ln.is_null() || ln.as_f64().is_some_and(f64::is_finite),
            "{ln}"
        );
    }
}
