//! The engine through the real front end: `tests/models/engine_*.nshed` compiled by the
//! checker, trained, reported (insta snapshots of the `run --json` report), plus the
//! SPEC 7/8 goldens from source files, determinism, and the CLI commands.

use crate::support::cli::nshed;
use std::path::Path;

use nshed::engine::{le_matrix, run_seed, Model, State};
use nshed::ir::Ir;
use nshed::report::RunReport;

fn compile(path: &str) -> Ir {
    match nshed::compile_path(path) {
        Ok(c) => c.into_ir(),
        Err(report) => panic!(
            "{path} does not compile:\n{}",
            report.render(nshed::diag::RenderStyle::Plain)
        ),
    }
}

fn trained(ir: &Ir, seed: Option<u64>) -> State {
    let model = Model::new(ir);
    let mut state = State::new(ir, run_seed(ir, seed));
    crate::support::train(&model, &mut state);
    state
}

fn report_json(ir: &Ir, seed: Option<u64>) -> String {
    let state = trained(ir, seed);
    serde_json::to_string_pretty(&RunReport::new(&Model::new(ir), &state)).expect("json")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn run_reports_of_engine_models() {
    insta::glob!("../models", "engine_*.nshed", |path| {
        let ir = compile(&path.to_string_lossy());
        insta::assert_snapshot!(report_json(&ir, None));
    });
}

#[test]
fn spec7_goldens_from_source() {
    let ir = compile("tests/models/engine_fig1_golden.nshed");
    let model = Model::new(&ir);
    let state = State::new(&ir, 0);
    let m = le_matrix(&model, &state);
    let want = [
        [1.0, 0.679354, 1.782503, 1.363242],
        [0.120453, 0.207574, 1.0, 0.274277],
    ];
    for (row, want) in [0, 2].iter().zip(want) {
        for (got, want) in m[*row].iter().zip(want) {
            assert!((got.expect("defined") - want).abs() < 1e-6, "{m:?}");
        }
    }

    let ir = compile("tests/models/engine_fig1_cycle8.nshed");
    let state = trained(&ir, None);
    let lambda = |n: &str| state.lambda(ir.node_index(n).expect("node") as usize);
    assert!((lambda("m1") - 1.434964).abs() < 1e-6);
    assert!((lambda("t1") - 1.434964).abs() < 1e-6);
    assert!((lambda("e2") - 0.960596).abs() < 1e-6);
    assert!((lambda("e1") - 0.643044).abs() < 1e-6);
    let ev = Model::new(&ir).evaluate(&state, &ir.data.samples[0].input);
    for (got, want) in ev.ln_logits.iter().zip([3.171975, 2.123389, 0.0]) {
        assert!((got.exp() - want).abs() < 1e-6);
    }
}

#[test]
fn spec8_le_row_from_source() {
    let ir = compile("tests/models/engine_fig1_le200.nshed");
    let state = trained(&ir, None);
    let m = le_matrix(&Model::new(&ir), &state);
    for (got, want) in m[0].iter().zip([1.0, 1.4264, 0.4264, 0.0]) {
        assert!((got.expect("defined") - want).abs() < 1e-3, "{:?}", m[0]);
    }
}

#[test]
fn same_seed_same_bits_other_seed_differs() {
    let ir = compile("tests/models/engine_schedule.nshed");
    let a = report_json(&ir, None);
    assert_eq!(a, report_json(&ir, None));
    assert_eq!(a, report_json(&ir, Some(7)), "file seed is 7");
    assert_ne!(a, report_json(&ir, Some(8)));
    // Through the CLI too: two processes, identical bytes.
    let file = "tests/models/engine_schedule.nshed";
    let x = nshed(&["run", file, "--json"]);
    let y = nshed(&["run", file, "--json"]);
    assert_eq!(x.status.code(), Some(0), "{}", text(&x.stderr));
    assert_eq!(x.stdout, y.stdout);
    let z = nshed(&["run", file, "--json", "--seed", "8"]);
    assert_ne!(x.stdout, z.stdout);
}

#[test]
fn cli_run_le_and_query() {
    let file = "tests/models/engine_fig1_golden.nshed";
    let out = nshed(&["run", file]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    insta::assert_snapshot!("cli_run_fig1_golden", text(&out.stdout));

    let out = nshed(&["le", file, "--json"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("one JSON object");
    assert_eq!(v["samples"], serde_json::json!(["c1a", "c1b", "c2", "c3"]));
    assert!((v["matrix"][0][1].as_f64().expect("number") - 0.679354).abs() < 1e-6);
    let out = nshed(&["le", file]);
    insta::assert_snapshot!("cli_le_fig1_golden", text(&out.stdout));

    let out = nshed(&["query", file, "scores {e3 e4 e5}"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    insta::assert_snapshot!("cli_query_scores", text(&out.stdout));
    let out = nshed(&["query", file, "pathway {e1 m1}"]);
    assert_eq!(out.status.code(), Some(1));
    insta::assert_snapshot!("cli_query_not_input", text(&out.stderr));
    let out = nshed(&["query", file, "--json", "le c1a {e2 e3}"]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("one JSON object");
    assert!((v["le"].as_f64().expect("number") - 0.679354).abs() < 1e-6);
}

#[test]
fn cli_record_writes_jsonl_and_csv_atomically() {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = "tests/models/engine_schedule.nshed";
    let jsonl = dir.path().join("rec.jsonl");
    let out = nshed(&["run", file, "--json", "--record", &jsonl.to_string_lossy()]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let lines: Vec<serde_json::Value> = std::fs::read_to_string(&jsonl)
        .expect("written")
        .lines()
        .map(|l| serde_json::from_str(l).expect("a JSON object per line"))
        .collect();
    // Steps 0, 25, ..., 150.
    let steps: Vec<u64> = lines
        .iter()
        .map(|l| l["step"].as_u64().expect("step"))
        .collect();
    assert_eq!(steps, vec![0, 25, 50, 75, 100, 125, 150]);
    assert_eq!(lines[1]["phase"], "warm");
    assert_eq!(lines[2]["phase"], "main");
    assert!(lines[0]["lambda"]["h1"].is_number());
    assert!(lines[0]["logits"]["x1"].is_array());
    let plane = lines[6]["info_plane"]
        .as_array()
        .expect("info plane recorded");
    assert_eq!(plane.len(), 3, "one point per feature level");
    assert!(plane
        .iter()
        .all(|p| p["i_xt"].is_number() && p["i_ty"].is_number()));

    let csv = dir.path().join("rec.csv");
    let out = nshed(&["run", file, "--record", &csv.to_string_lossy()]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let body = std::fs::read_to_string(&csv).expect("written");
    let mut lines = body.lines();
    let header = lines.next().expect("header");
    assert!(header.starts_with("step,phase,lambda:a,"));
    assert_eq!(lines.count(), 7);
    // No temporary file is left behind.
    let leftovers: Vec<_> = std::fs::read_dir(dir.path())
        .expect("dir")
        .filter_map(Result::ok)
        .filter(|e| e.file_name().to_string_lossy().contains(".tmp"))
        .collect();
    assert!(leftovers.is_empty());
    assert!(Path::new(&csv).exists());
}

/// Every example and test model trains, reports and gives an LE matrix: no panic, no
/// NaN, probabilities summing to 1.
#[test]
fn every_model_runs_and_reports() {
    let mut files: Vec<_> = ["examples", "tests/models"]
        .iter()
        .flat_map(|dir| std::fs::read_dir(dir).expect("dir").filter_map(Result::ok))
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "nshed"))
        .collect();
    files.sort();
    assert!(files.len() >= 4);
    for path in files {
        let ir = compile(&path.to_string_lossy());
        let state = trained(&ir, None);
        let model = Model::new(&ir);
        let report = RunReport::new(&model, &state);
        for s in &report.samples {
            let total: f64 = s.p.iter().sum();
            assert!((total - 1.0).abs() < 1e-9, "{}: {:?}", path.display(), s.p);
        }
        let json = serde_json::to_string(&report).expect("json");
        assert!(!json.contains("NaN"));
        let m = le_matrix(&model, &state);
        assert_eq!(m.len(), ir.data.samples.len());
        assert!(m.iter().flatten().flatten().all(|v| !v.is_nan()));
    }
}
