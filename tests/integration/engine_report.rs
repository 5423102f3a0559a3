//! Reports on the hand-built fig1: JSON shape and the human layout.

use nshed::engine::testing::{fig1, mul, one_phase, uniform_rules};
use nshed::engine::{Model, State};
use nshed::ir::{EtaUpdate, Quantity, Sampler, Update};
use nshed::report::{RunReport, Snapshot};

fn eight_steps() -> (nshed::ir::Ir, State) {
    let mut ir = fig1();
    ir.train = Some(one_phase(&ir, 8, 1, Sampler::Cycle, EtaUpdate::Union, 0));
    let model = Model::new(&ir);
    let mut state = State::new(&ir, 0);
    crate::support::train(&model, &mut state);
    (ir, state)
}

#[test]
fn run_report_json_shape() {
    let (ir, state) = eight_steps();
    let model = Model::new(&ir);
    let report = RunReport::new(&model, &state);
    let json = serde_json::to_value(&report).expect("json");
    let keys: Vec<&String> = json.as_object().expect("object").keys().collect();
    // serde_json's default map sorts keys; check the set here and the order in text.
    assert_eq!(keys.len(), 10);
    let text = serde_json::to_string(&report).expect("json");
    let order = [
        "\"model\"",
        "\"classes\"",
        "\"steps\"",
        "\"lambda\"",
        "\"ln_lambda\"",
        "\"eta\"",
        "\"ln_eta\"",
        "\"samples\"",
        "\"accuracy\"",
        "\"loss\"",
    ];
    let pos: Vec<usize> = order.iter().map(|k| text.find(k).expect(k)).collect();
    assert!(pos.windows(2).all(|w| w[0] < w[1]), "{text}");
    // Node order in the lambda map.
    assert!(text.find("\"e1\"").expect("e1") < text.find("\"t3\"").expect("t3"));
    assert_eq!(json["steps"], 8);
    assert!((json["lambda"]["m1"].as_f64().expect("m1") - 1.434964).abs() < 1e-6);
    assert_eq!(
        json["samples"][0]["pathway"],
        serde_json::json!(["e1", "e2", "m1", "t1"])
    );
    assert_eq!(json["samples"][0]["predicted"], "c1");
    insta::assert_snapshot!("fig1_eight_steps_human", report.to_string());
}

#[test]
fn beyond_f64_values_are_null_with_ln() {
    let mut ir = fig1();
    ir.rules = uniform_rules(
        ir.nodes.len(),
        ir.edges.len(),
        mul(1e100),
        Update::Sub { amount: 10.0 },
    );
    ir.train = Some(one_phase(&ir, 40, 1, Sampler::Cycle, EtaUpdate::Union, 0));
    let model = Model::new(&ir);
    let mut state = State::new(&ir, 0);
    crate::support::train(&model, &mut state);
    let json = serde_json::to_value(RunReport::new(&model, &state)).expect("json");
    // m1 grows 30 times by 1e100: beyond f64.
    assert!(json["lambda"]["m1"].is_null());
    assert!(json["ln_lambda"]["m1"].as_f64().expect("ln") > 700.0);
    // e3..e7 are floored at 0: plain 0, ln null.
    assert_eq!(json["lambda"]["e7"], 0.0);
    assert!(json["ln_lambda"]["e7"].is_null());
    let s0 = &json["samples"][0];
    assert!(s0["logits"][0].is_null());
    assert!(s0["ln_logits"][0].as_f64().is_some());
    assert_eq!(s0["p"], serde_json::json!([1.0, 0.0, 0.0]));
    let text = RunReport::new(&model, &state).to_string();
    assert!(text.contains("e^"), "{text}");
}

#[test]
fn snapshots_carry_the_recorded_quantities() {
    let (ir, state) = eight_steps();
    let model = Model::new(&ir);
    // Out of the canonical order on purpose: CSV columns must still line up.
    let q = [
        Quantity::Accuracy,
        Quantity::InfoPlane,
        Quantity::Lambda,
        Quantity::Logits,
    ];
    let snap = Snapshot::take(&model, &state, &q).expect("the analysis runs");
    let json = serde_json::to_value(&snap).expect("json");
    assert_eq!(json["step"], 8);
    assert_eq!(json["phase"], "main");
    assert!(json.get("eta").is_none());
    assert_eq!(json["accuracy"], 0.75);
    let points = json["info_plane"].as_array().expect("info plane");
    assert_eq!(points.len(), ir.levels.len());
    for p in points {
        let (x, y) = (
            p["i_xt"].as_f64().expect("i_xt"),
            p["i_ty"].as_f64().expect("i_ty"),
        );
        // 4 equally weighted samples, 3 classes: I(X;T) <= 2 bits, I(T;Y) <= H(Y).
        assert!((0.0..=2.0 + 1e-9).contains(&x), "{p}");
        assert!((0.0..=1.5 + 1e-9).contains(&y), "{p}");
    }
    // The input level tells all four samples apart: I(X;T) = 2 bits, I(T;Y) = H(Y) = 1.5.
    assert!((points[0]["i_xt"].as_f64().expect("x") - 2.0).abs() < 1e-9);
    assert!((points[0]["i_ty"].as_f64().expect("y") - 1.5).abs() < 1e-9);
    let header = nshed::render::snapshot_csv_header(&ir, &q);
    let row = nshed::render::snapshot_csv_row(&snap);
    assert_eq!(header.split(',').count(), row.split(',').count());
    assert!(header.starts_with("step,phase,lambda:e1,"));
}

/// Compiling fires every data sample (for the warnings about the data) and keeps the
/// engine's tables: `Compiled::model` lends both, and what the engine says through them is
/// what a freshly built `Model` says.
#[test]
fn a_compiled_model_shares_its_tables_and_data_firing() {
    for file in [
        "engine_fig1_golden.nshed",
        "by_error.nshed",
        "engine_schedule.nshed",
    ] {
        let path = format!("{}/tests/models/{file}", env!("CARGO_MANIFEST_DIR"));
        let compiled = nshed::compile_path(&path).expect(file);
        let shared = compiled.model();
        let fresh = Model::new(compiled.ir());
        let samples = &compiled.ir().data.samples;
        assert!(!samples.is_empty(), "{file}");
        let mut ev = nshed::engine::Evaluator::new(&fresh);
        for (i, s) in samples.iter().enumerate() {
            let fired = ev.firing(&fresh, &s.input);
            assert_eq!(shared.data_firing(i), Some(&fired[..]), "{file} sample {i}");
            assert_eq!(fresh.data_firing(i), None);
        }
        assert_eq!(shared.data_firing(samples.len()), None);
        let mut state = State::new(compiled.ir(), 3);
        crate::support::train(&shared, &mut state);
        let a = RunReport::new(&shared, &state);
        let b = RunReport::new(&fresh, &state);
        assert_eq!(a.to_string(), b.to_string(), "{file}");
        assert_eq!(
            serde_json::to_string_pretty(&a).expect("json"),
            serde_json::to_string_pretty(&b).expect("json"),
            "{file}"
        );
    }
    // Without data there is nothing to share.
    let path = format!("{}/tests/models/no_data.nshed", env!("CARGO_MANIFEST_DIR"));
    let compiled = nshed::compile_path(&path).expect("no_data");
    assert_eq!(compiled.model().data_firing(0), None);
}
