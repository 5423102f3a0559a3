//! Held-out test sets, data files and the metrics: hand-computed values, inline and CSV
//! samples alike, copies that leave training alone, identity that survives `fmt`.

use std::path::Path;

use crate::support::cli::{nshed, ok_json};
use nshed::engine::{heldout, State};

const MODEL: &str = "model tiny {
  level input { a b c }
  classes { c1 <- a  c2 <- b }
}
data {
  s1: a -> c1
  s2: b -> c2
  s3: a b -> c1
}
TEST
train {
  seed 3
  phase p { steps 40 batch 2 }
  record every 10 { accuracy loss test_accuracy test_loss }
}
";

const INLINE_TEST: &str = "test {
  t1: a -> c1
  t2: b -> c1
  t3: c -> c2
}";

fn model_with(test: &str) -> String {
    MODEL.replace("TEST", test)
}

fn compile_in(dir: &Path, text: &str) -> nshed::Compiled {
    let path = dir.join("m.nshed");
    std::fs::write(&path, text).unwrap();
    nshed::compile_path(&path)
        .unwrap_or_else(|r| panic!("{}", r.render(nshed::diag::RenderStyle::Plain)))
}

/// Every lambda and eta 1: t1 fires a (Z = e, 1 for c1, c2), t2 fires b (Z = 1, e), t3
/// fires c, which reaches no class (p uniform, counted wrong).
#[test]
fn test_metrics_by_hand() {
    let dir = tempfile::tempdir().unwrap();
    let compiled = compile_in(dir.path(), &model_with(INLINE_TEST));
    let model = compiled.model();
    let state = State::new(compiled.ir(), 3);
    let m = nshed::metrics::of_test(&model, &state).unwrap();
    assert_eq!((m.samples, m.correct), (3, 1));
    assert_eq!(m.accuracy, Some(1.0 / 3.0));
    let e = std::f64::consts::E;
    let want = ((1.0 + 1.0 / e).ln() + (1.0 + e).ln() + 2f64.ln()) / 3.0;
    assert!((m.loss.unwrap() - want).abs() < 1e-12, "{m:?} vs {want}");
    // The data: s1, s2 right; s3 fires a and b: Z = (e, e), a tie that goes to c1, right.
    let d = nshed::metrics::of_data(&model, &state);
    assert_eq!(d.accuracy, Some(1.0));
    let want = (2.0 * (1.0 + 1.0 / e).ln() + 2f64.ln()) / 3.0;
    assert!((d.loss.unwrap() - want).abs() < 1e-12);
}

#[test]
fn run_json_has_loss_test_metrics_and_gap() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("m.nshed");
    std::fs::write(&path, model_with(INLINE_TEST)).unwrap();
    let json = ok_json(nshed(&[
        "run",
        path.to_str().unwrap(),
        "--json",
        "--no-train",
    ]));
    let e = std::f64::consts::E;
    let test = &json["test"];
    assert_eq!(test["accuracy"].as_f64(), Some(1.0 / 3.0));
    let want = ((1.0 + 1.0 / e).ln() + (1.0 + e).ln() + 2f64.ln()) / 3.0;
    assert!((test["loss"].as_f64().unwrap() - want).abs() < 1e-12);
    assert!((test["gap"].as_f64().unwrap() - 2.0 / 3.0).abs() < 1e-12);
    let names: Vec<&str> = test["samples"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["t1", "t2", "t3"]);
    assert_eq!(test["samples"][2]["predicted"], serde_json::Value::Null);
    let want = (2.0 * (1.0 + 1.0 / e).ln() + 2f64.ln()) / 3.0;
    assert!((json["loss"].as_f64().unwrap() - want).abs() < 1e-12);
}

/// A label with probability 0 (its logit is so far below another's that `p` is exactly
/// 0) has infinite loss, which JSON writes as the string "inf".
#[test]
fn an_infinite_loss_is_the_string_inf_in_json() {
    let dir = tempfile::tempdir().unwrap();
    let compiled = compile_in(dir.path(), &model_with("test { t1: a -> c2 }"));
    let model = compiled.model();
    let mut state = State::new(compiled.ir(), 3);
    // ln lambda of `a` 800: Z[c1] = e^800, beyond f64, while Z[c2] = 0.
    state.set_ln_lambda(0, 800.0);
    let m = nshed::metrics::of_test(&model, &state).unwrap();
    assert_eq!(m.loss, Some(f64::INFINITY));
    let json = serde_json::to_value(m).unwrap();
    assert_eq!(json["loss"], "inf");
    let report = nshed::report::RunReport::new(&model, &state);
    let json = serde_json::to_value(&report).unwrap();
    assert_eq!(json["test"]["loss"], "inf");
    assert!(report.to_string().contains("\ntest loss inf\n"));
}

/// The same samples written inline and read from a CSV file give the same report.
#[test]
fn inline_and_csv_samples_are_the_same() {
    let dir = tempfile::tempdir().unwrap();
    let inline = dir.path().join("inline.nshed");
    std::fs::write(&inline, model_with(INLINE_TEST)).unwrap();
    std::fs::create_dir(dir.path().join("data")).unwrap();
    // Columns in another order than the model's nodes.
    std::fs::write(
        dir.path().join("data/held.csv"),
        "c,label,name,a,b\n0,c1,t1,1,0\n0,c1,t2,0,1\n1,c2,t3,0,0\n",
    )
    .unwrap();
    let csv = dir.path().join("csv.nshed");
    std::fs::write(&csv, model_with("test {\n  from \"data/held.csv\"\n}")).unwrap();
    let run = |p: &Path| ok_json(nshed(&["run", p.to_str().unwrap(), "--json"]));
    let (a, b) = (run(&inline), run(&csv));
    assert_eq!(a["test"], b["test"]);
    assert_eq!(a["lambda"], b["lambda"]);
    // Without a name column, a row is named FILESTEM:ROW.
    std::fs::write(
        dir.path().join("data/held.csv"),
        "label,a,b\nc1,1,0\nc1,0,1\n",
    )
    .unwrap();
    let c = run(&csv);
    assert_eq!(c["test"]["samples"][1]["name"], "held:2");
}

fn trained_state(compiled: &nshed::Compiled, seed: u64) -> State {
    let model = compiled.model();
    let mut state = State::new(compiled.ir(), seed);
    crate::support::train(&model, &mut state);
    state
}

/// Adding a test set, with copies or not, changes no training result; the copies are
/// the same for the same seed and differ for another.
#[test]
fn copies_are_reproducible_and_leave_training_alone() {
    let dir = tempfile::tempdir().unwrap();
    let plain = compile_in(dir.path(), &model_with(""));
    let with_copies = compile_in(
        dir.path(),
        &model_with("test {\n  t1: a -> c1\n  copies 5 flip 0.3\n}"),
    );
    for seed in [3, 4] {
        let a = trained_state(&plain, seed);
        let b = trained_state(&with_copies, seed);
        assert_eq!(a.ln_lambdas(), b.ln_lambdas(), "seed {seed}");
        assert_eq!(a.ln_etas(), b.ln_etas(), "seed {seed}");
    }
    let ir = with_copies.ir();
    let start = State::new(ir, 3);
    let trained = trained_state(&with_copies, 3);
    let copies = heldout::test_samples(ir, &start);
    assert_eq!(copies.len(), 1 + 3 * 5);
    assert_eq!(copies[1].name, "s1~1");
    assert_eq!(copies[15].name, "s3~5");
    // Only the seed counts, not how far the run is.
    assert_eq!(copies, heldout::test_samples(ir, &trained));
    let other = heldout::test_samples(ir, &State::new(ir, 4));
    assert_ne!(copies, other);
    // flip 0.3 over 3 bits and 15 copies: some copy differs from its sample.
    let data = &ir.data.samples;
    assert!(copies[1..]
        .iter()
        .enumerate()
        .any(|(k, c)| c.input != data[k / 5].input));
}

/// Saved states are tied to the checked model and its data files: reformatting and
/// comments keep `--resume` working; a changed data file does not.
#[test]
fn resume_survives_fmt_but_not_a_changed_data_file() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("held.csv"), "label,a\nc1,1\n").unwrap();
    let path = dir.path().join("m.nshed");
    let p = path.to_str().unwrap();
    std::fs::write(&path, model_with("test { from \"held.csv\" }")).unwrap();
    let state = dir.path().join("s.json");
    let s = state.to_str().unwrap();
    let out = nshed(&["run", p, "--stop-after", "10", "--save", s]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // Reformat in place and add a comment: the same model.
    let out = nshed(&["fmt", p]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(&path, format!("// a comment\n{text}")).unwrap();
    let resumed = ok_json(nshed(&["run", p, "--resume", s, "--json"]));
    let whole = ok_json(nshed(&["run", p, "--json"]));
    assert_eq!(resumed["lambda"], whole["lambda"]);
    assert_eq!(resumed["test"], whole["test"]);
    // Another data file: another model.
    std::fs::write(dir.path().join("held.csv"), "label,a\nc2,1\n").unwrap();
    let out = nshed(&["run", p, "--resume", s]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("different model or data"));
}

#[test]
fn expectations_and_the_record_file_measure_the_test_set() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("m.nshed");
    let text = model_with(INLINE_TEST)
        + "expect initial {\n  test accuracy <= 0.34\n  test loss > 0.77\n  loss < 0.6\n}\n";
    std::fs::write(&path, text).unwrap();
    let out = nshed(&["test", path.to_str().unwrap()]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let record = dir.path().join("r.csv");
    let out = nshed(&[
        "run",
        path.to_str().unwrap(),
        "--record",
        record.to_str().unwrap(),
    ]);
    assert!(out.status.success());
    let csv = std::fs::read_to_string(&record).unwrap();
    let mut lines = csv.lines();
    assert_eq!(
        lines.next(),
        Some("step,phase,accuracy,loss,test_accuracy,test_loss")
    );
    let first: Vec<&str> = lines.next().unwrap().split(',').collect();
    assert_eq!(first[0], "0");
    assert_eq!(first[4].parse::<f64>().unwrap(), 1.0 / 3.0);
    assert_eq!(csv.lines().count(), 1 + 5);
}

/// A data file's problem, for an editor that shows the model alone: at the `from` line,
/// naming FILE:LINE:COL and showing the file's line.
#[test]
fn a_data_file_problem_is_shown_on_its_from_line() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("held.csv"), "label,a\nc1,1\nc2,7\n").unwrap();
    let text = model_with("test { from \"held.csv\" }");
    let path = dir.path().join("m.nshed");
    std::fs::write(&path, &text).unwrap();
    let report = nshed::compile_path(&path).unwrap_err();
    assert_eq!(report.error_count(), 1);
    let problem = report
        .problems
        .iter()
        .find(|p| p.is_error())
        .expect("the cell's error")
        .at_model();
    let csv = dir.path().join("held.csv").display().to_string();
    assert_eq!(
        problem.message,
        format!("{csv}:3:4: cell `7` is not 0 or 1 (not 0 or 1)\n  c2,7")
    );
    let at = problem.labels[0].offset();
    assert_eq!(&text[at..at + problem.labels[0].len()], "from \"held.csv\"");
}

/// `(mean, 95% half-width)` of `xs` computed here: Student's t with n - 1 degrees of
/// freedom from its table (n = 3: t = 4.302652729911275).
fn mean_ci3(xs: &[f64]) -> (f64, f64) {
    assert_eq!(xs.len(), 3);
    let m = xs.iter().sum::<f64>() / 3.0;
    let var = xs.iter().map(|x| (x - m) * (x - m)).sum::<f64>() / 2.0;
    (m, 4.302652729911275 * (var / 3.0).sqrt())
}

fn close(json: &serde_json::Value, want: f64, what: &str) {
    let got = json.as_f64().unwrap_or_else(|| panic!("{what}: {json}"));
    assert!((got - want).abs() < 1e-12, "{what}: {got} vs {want}");
}

/// At initialisation with every lambda and eta 1, every run has the hand-computed test
/// metrics of `test_metrics_by_hand`: accuracy 1/3, gap 2/3, no spread.
#[test]
fn depth_reports_the_test_metrics_of_untrained_runs_by_hand() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("m.nshed");
    std::fs::write(&path, model_with(INLINE_TEST)).unwrap();
    let file = path.to_str().unwrap();
    let args = [
        "depth",
        file,
        "--init",
        "const",
        "--seeds",
        "3",
        "--no-train",
    ];
    let json = ok_json(nshed(&[&args[..], &["--json"]].concat()));
    let test = &json["cells"][0]["test"];
    assert_eq!(test["samples"], 3);
    close(&test["accuracy"]["mean"], 1.0 / 3.0, "accuracy");
    close(&test["accuracy"]["ci95"], 0.0, "accuracy ci");
    let e = std::f64::consts::E;
    let loss = ((1.0 + 1.0 / e).ln() + (1.0 + e).ln() + 2f64.ln()) / 3.0;
    close(&test["loss"]["mean"], loss, "loss");
    close(&test["gap"]["mean"], 2.0 / 3.0, "gap");
    let out = nshed(&args);
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("\nheld-out test set (3 samples): means over seeds with 95% CI"),
        "{text}"
    );
    let row = text.lines().last().unwrap_or_default();
    assert_eq!(
        row.split_whitespace().collect::<Vec<_>>(),
        ["2", "const", "0.333333", "±", "0", "0.773224", "±", "0", "0.666667", "±", "0"],
        "{text}"
    );
}

/// Trained runs, and the same runs with the input level frozen: each configuration's test
/// metrics are those of the same runs trained here with the library, averaged here.
#[test]
fn depth_freezing_reports_the_test_metrics_of_its_runs() {
    use nshed::engine::Model;
    use nshed::experiments::depth::{with_frozen, with_init, InitKind};
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("m.nshed");
    let text = model_with(INLINE_TEST);
    std::fs::write(&path, &text).unwrap();
    let compiled = compile_in(dir.path(), &text);
    let json = ok_json(nshed(&[
        "depth",
        path.to_str().unwrap(),
        "--init",
        "uniform",
        "--seeds",
        "3",
        "--freeze",
        "input",
        "--json",
    ]));
    let cell = &json["cells"][0];
    let ir = with_init(compiled.ir(), InitKind::Uniform);
    for (frozen, test) in [
        (false, &cell["test"]),
        (true, &cell["freeze"]["frozen_test"]),
    ] {
        let ir = if frozen {
            with_frozen(&ir, 0)
        } else {
            ir.clone()
        };
        let model = Model::new(&ir);
        let (mut acc, mut loss, mut gap) = (Vec::new(), Vec::new(), Vec::new());
        for run in 0..3 {
            let mut state = State::for_run(&ir, 3, run);
            crate::support::train(&model, &mut state);
            let t = nshed::metrics::of_test(&model, &state).unwrap();
            let d = nshed::metrics::of_data(&model, &state);
            acc.push(t.accuracy.unwrap());
            loss.push(t.loss.unwrap());
            gap.push(d.accuracy.unwrap() - t.accuracy.unwrap());
        }
        for (name, xs) in [("accuracy", &acc), ("loss", &loss), ("gap", &gap)] {
            let (m, h) = mean_ci3(xs);
            close(&test[name]["mean"], m, name);
            let got = test[name]["ci95"].as_f64().unwrap();
            assert!((got - h).abs() < 1e-9 * (1.0 + h), "{name} ci {got} vs {h}");
        }
    }
    // The CSV has both configurations' columns.
    let csv_path = dir.path().join("depth.csv");
    let out = nshed(&[
        "depth",
        path.to_str().unwrap(),
        "--init",
        "uniform",
        "--seeds",
        "3",
        "--freeze",
        "input",
        "--csv",
        csv_path.to_str().unwrap(),
    ]);
    assert!(out.status.success());
    let csv = std::fs::read_to_string(&csv_path).unwrap();
    let header = csv.lines().next().unwrap_or_default();
    assert!(
        header.ends_with(",test_accuracy,test_accuracy_ci95,test_loss,test_loss_ci95,gap,gap_ci95,frozen_test_accuracy,frozen_test_accuracy_ci95,frozen_test_loss,frozen_test_loss_ci95,frozen_gap,frozen_gap_ci95"),
        "{header}"
    );
}

/// Each batch size's test metrics are those of the model trained here with that batch.
#[test]
fn regularize_reports_each_batch_sizes_test_metrics() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("m.nshed");
    std::fs::write(&path, model_with(INLINE_TEST)).unwrap();
    let json = ok_json(nshed(&[
        "regularize",
        path.to_str().unwrap(),
        "--batches",
        "1,2",
        "--json",
    ]));
    for (k, batch) in [1, 2].into_iter().enumerate() {
        let text = model_with(INLINE_TEST).replace("batch 2", &format!("batch {batch}"));
        let compiled = compile_in(dir.path(), &text);
        let state = trained_state(&compiled, 3);
        let model = compiled.model();
        let t = nshed::metrics::of_test(&model, &state).unwrap();
        let d = nshed::metrics::of_data(&model, &state);
        let test = &json["runs"][k]["test"];
        assert_eq!(json["runs"][k]["batch"], batch);
        assert_eq!(test["samples"], 3);
        assert_eq!(test["correct"], t.correct);
        close(&test["accuracy"], t.accuracy.unwrap(), "accuracy");
        close(&test["loss"], t.loss.unwrap(), "loss");
        close(&test["data_accuracy"], d.accuracy.unwrap(), "data accuracy");
        close(
            &test["gap"],
            d.accuracy.unwrap() - t.accuracy.unwrap(),
            "gap",
        );
    }
    let out = nshed(&["regularize", path.to_str().unwrap(), "--batches", "1,2"]);
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("\nheld-out test set (3 samples; gap = data accuracy - test accuracy)\n"),
        "{text}"
    );
    // Without a test set, no test metrics at all.
    std::fs::write(&path, model_with("")).unwrap();
    let json = ok_json(nshed(&[
        "regularize",
        path.to_str().unwrap(),
        "--batches",
        "1",
        "--json",
    ]));
    assert!(json["runs"][0].get("test").is_none());
}
