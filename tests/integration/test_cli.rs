//! `nshed test`: the examples pass; failures, golden reports, `--bless`, `--filter`,
//! `--json` and the exit codes. Every model and golden report lives in a temporary
//! directory, and nshed runs there so that the paths it prints are stable.

use std::path::Path;
use std::process::{Command, Output};

use crate::support::cli::nshed;

/// Runs `nshed ARGS` in `dir`.
fn nshed_in(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_nshed"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .output()
        .expect("the nshed binary runs")
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn last_line(out: &Output) -> String {
    stdout(out).lines().last().unwrap_or_default().to_string()
}

const MODEL: &str = concat!(
    crate::support::fig1_plain!(),
    "train { sampler cycle phase main { steps 8 batch 1 } }\n"
);

/// A temporary directory holding `files` (path, text).
fn dir_with(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (path, text) in files {
        let path = dir.path().join(path);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).unwrap();
        }
        std::fs::write(path, text).unwrap();
    }
    dir
}

fn passing() -> String {
    format!("{MODEL}expect initial {{ p c2 c2 = 0.981135 within 1e-6 }}\nexpect {{ lambda m1 = 1.434964 within 1e-6 }}\n")
}

fn failing() -> String {
    format!(
        "{MODEL}expect initial {{\n  p c2 c2 > 0.99\n  pathway c1a has t2\n}}\nexpect {{\n  predict c2 is c3\n  lambda m1 = 1.434964 within 1e-6\n}}\n"
    )
}

#[test]
fn every_example_passes() {
    let out = nshed(&["test", "examples"]);
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(0), "{text}");
    let mut examples: Vec<String> = std::fs::read_dir("examples")
        .unwrap()
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "nshed"))
        .map(|p| p.display().to_string())
        .collect();
    examples.sort();
    let lines: Vec<&str> = text.lines().filter(|l| l.starts_with("test ")).collect();
    assert_eq!(lines.len(), examples.len(), "{text}");
    for (line, example) in lines.iter().zip(&examples) {
        assert!(
            line.starts_with(&format!("test {example} ... ok (")) && line.contains(" expectations"),
            "every example has expectations, and passes: {line}"
        );
    }
    assert_eq!(
        last_line(&out),
        format!("{} passed, 0 failed", examples.len())
    );
}

#[test]
fn failures_show_each_expectation_under_its_line() {
    let dir = dir_with(&[("fig1.nshed", &failing()), ("ok.nshed", &passing())]);
    let out = nshed_in(dir.path(), &["test"]);
    assert_eq!(out.status.code(), Some(1));
    insta::assert_snapshot!(stdout(&out));
    assert_eq!(last_line(&out), "1 passed, 1 failed");
}

#[test]
fn a_golden_report_is_blessed_then_compared() {
    let dir = dir_with(&[("m.nshed", &passing())]);
    let golden = dir.path().join("m.golden.json");

    let out = nshed_in(dir.path(), &["test", "--bless"]);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    assert!(stdout(&out).contains("golden reports written (1):\n  m.golden.json (new)\n"));
    // The golden report is exactly what `nshed run --json` prints.
    let run = nshed_in(dir.path(), &["run", "--json", "m.nshed"]);
    assert_eq!(std::fs::read(&golden).unwrap(), run.stdout);

    let out = nshed_in(dir.path(), &["test"]);
    assert_eq!(out.status.code(), Some(0));
    assert!(stdout(&out).contains("test m.nshed ... ok (2 expectations, golden matches)"));

    // Blessing again changes nothing.
    let out = nshed_in(dir.path(), &["test", "--bless"]);
    assert!(
        stdout(&out).contains("no golden report changed"),
        "{}",
        stdout(&out)
    );
    assert_eq!(std::fs::read(&golden).unwrap(), run.stdout);

    // A changed model fails against its golden report, then is blessed as updated.
    std::fs::write(
        dir.path().join("m.nshed"),
        passing().replace("steps 8", "steps 9"),
    )
    .unwrap();
    let out = nshed_in(dir.path(), &["test", "--max-diffs", "1000"]);
    assert_eq!(out.status.code(), Some(1));
    let text = stdout(&out);
    assert!(
        text.contains("test m.nshed ... FAILED (1 of 2 expectations failed, golden differs)"),
        "{text}"
    );
    assert!(text.contains("  steps: golden 8, now 9\n"), "{text}");
    let listed = text.lines().filter(|l| l.contains(": golden ")).count();
    assert!(
        text.contains(&format!(
            "golden report m.golden.json differs from this run in {listed} values:\n"
        )),
        "{text}"
    );
    // At most N differences are listed, then a count of the others.
    let out = nshed_in(dir.path(), &["test", "--max-diffs", "2"]);
    let text = stdout(&out);
    assert_eq!(
        text.lines().filter(|l| l.contains(": golden ")).count(),
        2,
        "{text}"
    );
    assert!(
        text.contains(&format!("  ... and {} more\n", listed - 2)),
        "{text}"
    );
    let out = nshed_in(dir.path(), &["test", "--bless"]);
    assert!(
        stdout(&out).contains("  m.golden.json (updated)"),
        "{}",
        stdout(&out)
    );
    let run = nshed_in(dir.path(), &["run", "--json", "m.nshed"]);
    assert_eq!(std::fs::read(&golden).unwrap(), run.stdout);
}

#[test]
fn golden_numbers_compare_to_the_relative_tolerance() {
    let dir = dir_with(&[("m.nshed", MODEL)]);
    let out = nshed_in(dir.path(), &["test", "--bless"]);
    assert_eq!(out.status.code(), Some(0));
    let path = dir.path().join("m.golden.json");
    let mut report: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    let lambda = report["lambda"]["m1"].as_f64().unwrap();
    report["lambda"]["m1"] = serde_json::json!(lambda * (1.0 + 1e-7));
    std::fs::write(&path, serde_json::to_string_pretty(&report).unwrap()).unwrap();

    let out = nshed_in(dir.path(), &["test"]);
    assert_eq!(out.status.code(), Some(1));
    let text = stdout(&out);
    assert!(
        text.contains("differs from this run in 1 value:\n  lambda.m1: golden "),
        "{text}"
    );
    let out = nshed_in(dir.path(), &["test", "--rtol", "1e-6"]);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
}

#[test]
fn an_unusable_golden_report_is_named_and_fails_without_a_crash() {
    let dir = dir_with(&[
        ("a.nshed", MODEL),
        ("a.golden.json", "{\"model\": \"fig1\", \"steps\": "),
        ("b.nshed", MODEL),
        ("b.golden.json", "[1, 2]"),
        ("c.nshed", MODEL),
        ("c.golden.json", "{\"model\": \"fig4\"}"),
    ]);
    let out = nshed_in(dir.path(), &["test"]);
    assert_eq!(out.status.code(), Some(1));
    let text = stdout(&out);
    assert!(
        text.contains("golden report a.golden.json cannot be used: not valid JSON: EOF while parsing a value at line 1 column 27"),
        "{text}"
    );
    assert!(
        text.contains("golden report b.golden.json cannot be used: not a run report"),
        "{text}"
    );
    assert!(
        text.contains("golden report c.golden.json belongs to model `fig4`, not to this one"),
        "{text}"
    );
    assert_eq!(last_line(&out), "0 passed, 3 failed");
    // `--bless` replaces them all.
    let out = nshed_in(dir.path(), &["test", "--bless"]);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    assert!(stdout(&out).contains("golden reports written (3):"));
}

#[test]
fn bless_never_writes_over_a_model_file() {
    // `m.golden.json` is a model here, named on the command line beside `m.nshed`.
    let dir = dir_with(&[("m.nshed", MODEL), ("m.golden.json", MODEL)]);
    // A refused output: exit 3, the message names both files.
    let out = nshed_in(dir.path(), &["test", "--bless", "m.nshed", "m.golden.json"]);
    assert_eq!(out.status.code(), Some(3));
    let text = stdout(&out);
    assert!(
        text.contains(
            "golden report m.golden.json was not written: the output `m.golden.json` is the input file `m.golden.json`"
        ),
        "{text}"
    );
    assert_eq!(
        std::fs::read_to_string(dir.path().join("m.golden.json")).unwrap(),
        MODEL
    );
    // Not named as a model, it is still recognised as one and kept.
    let out = nshed_in(dir.path(), &["test", "--bless", "m.nshed"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stdout(&out).contains(
            "was not written: the output `m.golden.json` holds a nshed model: writing it would replace the model"
        ),
        "{}",
        stdout(&out)
    );
    assert_eq!(
        std::fs::read_to_string(dir.path().join("m.golden.json")).unwrap(),
        MODEL
    );
}

#[test]
fn directories_are_searched_in_path_order_and_filtered() {
    let dir = dir_with(&[
        ("b.nshed", &passing()),
        ("a.nshed", &passing()),
        ("sub/c.nshed", &passing()),
        ("sub/notes.txt", "not a model"),
        (".hidden/d.nshed", "not even a model"),
    ]);
    let out = nshed_in(dir.path(), &["test"]);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    let tests: Vec<String> = stdout(&out)
        .lines()
        .filter(|l| l.starts_with("test "))
        .map(|l| l.split(" ... ").next().unwrap_or_default().to_string())
        .collect();
    assert_eq!(tests, ["test a.nshed", "test b.nshed", "test sub/c.nshed"]);

    let out = nshed_in(dir.path(), &["test", "--filter", "sub/"]);
    assert_eq!(out.status.code(), Some(0));
    let text = stdout(&out);
    assert!(
        text.starts_with("running 1 model (2 filtered out)\ntest sub/c.nshed ... ok"),
        "{text}"
    );
    assert_eq!(last_line(&out), "1 passed, 0 failed");

    // A file named on the command line is tested whatever its extension.
    let out = nshed_in(dir.path(), &["test", "sub", "a.nshed"]);
    assert_eq!(last_line(&out), "2 passed, 0 failed");
    // ... and once, however it is spelt.
    let out = nshed_in(
        dir.path(),
        &["test", "a.nshed", "./a.nshed", "sub/../a.nshed"],
    );
    assert!(
        stdout(&out).starts_with("running 1 model\n"),
        "{}",
        stdout(&out)
    );
}

#[test]
fn json_output_has_every_expectation_with_its_values() {
    let dir = dir_with(&[("fig1.nshed", &failing())]);
    let out = nshed_in(dir.path(), &["test", "--json"]);
    assert_eq!(out.status.code(), Some(1));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        (json["passed"].as_u64(), json["failed"].as_u64()),
        (Some(0), Some(1))
    );
    let model = &json["models"][0];
    assert_eq!(model["path"], "fig1.nshed");
    assert_eq!(model["passed"], false);
    let expectations = model["expectations"].as_array().unwrap();
    assert_eq!(expectations.len(), 4);
    let first = &expectations[0];
    assert_eq!(first["stage"], "initial");
    assert_eq!(first["subject"], "p c2 c2");
    assert_eq!(first["expected"]["op"], ">");
    assert!((first["actual"]["value"].as_f64().unwrap() - 0.981135).abs() < 1e-6);
    assert_eq!(
        (first["line"].as_u64(), first["column"].as_u64()),
        (Some(28), Some(3))
    );
    assert_eq!(
        expectations[1]["actual"]["wrong"],
        serde_json::json!(["t2"])
    );
    assert_eq!(expectations[2]["actual"]["class"], "c1");
    assert_eq!(expectations[3]["passed"], true);
}

#[test]
fn a_model_with_errors_fails_with_its_diagnostics() {
    let broken = format!("{MODEL}expect {{ predict c2 is c9 }}\n");
    let dir = dir_with(&[("bad.nshed", &broken), ("good.nshed", &passing())]);
    let out = nshed_in(dir.path(), &["test"]);
    assert_eq!(out.status.code(), Some(1));
    let text = stdout(&out);
    assert!(
        text.contains("test bad.nshed ... FAILED (1 error)"),
        "{text}"
    );
    assert!(text.contains("unknown class `c9`"), "{text}");
    assert!(text.contains("[bad.nshed:27:24]"), "{text}");
    assert_eq!(last_line(&out), "1 passed, 1 failed");
    let json: serde_json::Value =
        serde_json::from_slice(&nshed_in(dir.path(), &["test", "--json"]).stdout).unwrap();
    assert_eq!(
        json["models"][0]["errors"][0]["code"],
        "nshed::check::unknown_name"
    );
    assert_eq!(json["models"][0]["errors"][0]["line"], 27);
}

#[test]
fn usage_errors_exit_2() {
    let dir = dir_with(&[("notes.txt", "no model here")]);
    for args in [
        &["test", "no_such_dir"][..],
        &["test"][..],
        &["test", "--rtol", "-1"][..],
        &["test", "--rtol", "nan"][..],
        &["test", "--max-diffs", "x"][..],
    ] {
        let out = nshed_in(dir.path(), args);
        assert_eq!(
            out.status.code(),
            Some(2),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(out.stdout.is_empty(), "{args:?}");
    }
    let stderr = String::from_utf8_lossy(&nshed_in(dir.path(), &["test", "no_such_dir"]).stderr)
        .into_owned();
    assert!(stderr.contains("cannot read `no_such_dir`"), "{stderr}");
    let stderr = String::from_utf8_lossy(&nshed_in(dir.path(), &["test"]).stderr).into_owned();
    assert!(stderr.contains("no `.nshed` file under ."), "{stderr}");
}

#[test]
fn two_models_never_share_one_golden_report() {
    let dir = dir_with(&[("a.nshed", MODEL), ("a.model", MODEL)]);
    let out = nshed_in(dir.path(), &["test", "--bless", "a.nshed", "a.model"]);
    assert_eq!(out.status.code(), Some(1));
    let text = stdout(&out);
    assert!(text.contains("golden report a.golden.json was not written: it is also the golden report of `a.nshed`"), "{text}");
    assert!(
        text.contains("it is also the golden report of `a.model`"),
        "{text}"
    );
    assert!(!dir.path().join("a.golden.json").exists());
}

#[test]
fn an_example_with_a_wrong_number_fails() {
    let text = std::fs::read_to_string("examples/fig1_le.nshed").unwrap();
    let wrong = text.replace(
        "le c1a c2 = 1.782503 within 1e-6",
        "le c1a c2 = 1.782603 within 1e-6",
    );
    assert_ne!(text, wrong);
    let dir = dir_with(&[("fig1_le.nshed", &wrong)]);
    let out = nshed_in(dir.path(), &["test"]);
    assert_eq!(out.status.code(), Some(1));
    let text = stdout(&out);
    assert!(
        text.contains("test fig1_le.nshed ... FAILED (1 of "),
        "{text}"
    );
    assert!(
        text.contains("expected = 1.782603 within 0.000001, got 1.78250"),
        "{text}"
    );
}

#[test]
fn a_sample_that_reaches_no_class_has_no_prediction_in_the_run_report() {
    let model = "model m {
  level input { a b }
  level mid { x = any(a) y = all(a, b) }
  classes { c1 <- y c2 <- x }
}
data { q: b -> c1  r: a -> c2 }
";
    let dir = dir_with(&[("m.nshed", model)]);
    let out = nshed_in(dir.path(), &["run", "m.nshed"]);
    assert_eq!(out.status.code(), Some(0));
    let text = stdout(&out);
    let q = text
        .lines()
        .find(|l| l.trim_start().starts_with("q "))
        .unwrap_or_default();
    assert_eq!(
        q.split_whitespace().take(3).collect::<Vec<_>>(),
        ["q", "c1", "-"],
        "{text}"
    );
    assert!(
        text.contains("accuracy 0.5 (1/2 samples; 1 reaches no class, counted wrong)"),
        "{text}"
    );
}

#[test]
fn the_report_does_not_depend_on_the_thread_count() {
    let run = |threads: &str| {
        Command::new(env!("CARGO_BIN_EXE_nshed"))
            .args(["test", "examples", "--json"])
            .env("RAYON_NUM_THREADS", threads)
            .output()
            .expect("the nshed binary runs")
    };
    let one = run("1");
    assert_eq!(one.status.code(), Some(0));
    assert_eq!(one.stdout, run("4").stdout);
}
