//! `nshed run --save / --resume / --stop-after` and Ctrl-C: a run stopped and resumed
//! gives exactly the run made at once; bad saved states are refused.

use crate::support::cli::nshed;
use std::process::Command;

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn stopped_and_resumed_equals_run_at_once() {
    let dir = tempfile::tempdir().expect("temp dir");
    let state = dir.path().join("state.json");
    let state = state.to_str().expect("utf-8 path");
    // fig1 has jitter and input noise: the random stream must continue exactly.
    let full = nshed(&["run", "examples/fig1.nshed", "--json"]);
    assert_eq!(full.status.code(), Some(0), "{}", text(&full.stderr));
    let part = nshed(&[
        "run",
        "examples/fig1.nshed",
        "--stop-after",
        "1234",
        "--save",
        state,
    ]);
    assert_eq!(part.status.code(), Some(0), "{}", text(&part.stderr));
    let resumed = nshed(&["run", "examples/fig1.nshed", "--resume", state, "--json"]);
    assert_eq!(resumed.status.code(), Some(0), "{}", text(&resumed.stderr));
    assert_eq!(text(&full.stdout), text(&resumed.stdout));
    // And resuming twice in a row (N, then M, then the rest) is the same too.
    let again = nshed(&[
        "run",
        "examples/fig1.nshed",
        "--resume",
        state,
        "--stop-after",
        "7",
        "--save",
        state,
    ]);
    assert_eq!(again.status.code(), Some(0), "{}", text(&again.stderr));
    let rest = nshed(&["run", "examples/fig1.nshed", "--resume", state, "--json"]);
    assert_eq!(text(&full.stdout), text(&rest.stdout));
}

#[test]
fn saved_states_that_do_not_fit_are_refused() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("state.json");
    let p = path.to_str().expect("utf-8 path");
    let saved = nshed(&[
        "run",
        "examples/fig1.nshed",
        "--stop-after",
        "10",
        "--save",
        p,
    ]);
    assert_eq!(saved.status.code(), Some(0), "{}", text(&saved.stderr));
    let good = std::fs::read_to_string(&path).expect("state written");

    // Another model.
    let other = nshed(&["run", "examples/fig4.nshed", "--resume", p]);
    assert_eq!(other.status.code(), Some(1));
    assert!(text(&other.stderr).contains("saved for a different model or data"));

    // Truncated.
    std::fs::write(&path, &good[..good.len() / 2]).expect("write");
    let truncated = nshed(&["run", "examples/fig1.nshed", "--resume", p]);
    assert_eq!(truncated.status.code(), Some(1));
    assert!(text(&truncated.stderr).contains("is not a saved nshed state"));

    // Edited numbers: a value JSON cannot hold, and a value training cannot produce.
    let value: serde_json::Value = serde_json::from_str(&good).expect("state is JSON");
    let first_ln = value["state"]["ln_lambda"][0].to_string();
    let edited = good.replacen(&first_ln, "1e999", 1);
    std::fs::write(&path, edited).expect("write");
    let huge = nshed(&["run", "examples/fig1.nshed", "--resume", p]);
    assert_eq!(huge.status.code(), Some(1), "{}", text(&huge.stderr));
    let mut wrong_len = value.clone();
    wrong_len["state"]["ln_lambda"] = serde_json::json!([0.0, 0.0]);
    std::fs::write(&path, wrong_len.to_string()).expect("write");
    let short = nshed(&["run", "examples/fig1.nshed", "--resume", p]);
    assert_eq!(short.status.code(), Some(1));
    assert!(
        text(&short.stderr).contains("2 lambda values for 14 nodes"),
        "{}",
        text(&short.stderr)
    );
}

#[test]
fn resume_conflicts_with_seed() {
    let out = nshed(&[
        "run",
        "examples/fig1.nshed",
        "--resume",
        "x.json",
        "--seed",
        "3",
    ]);
    assert_eq!(out.status.code(), Some(2));
}

/// Starts a long run of fig1's shape saving to `state.json`, waits until it trains, sends
/// `signal`, and returns its output, the saved state and the directory's files after it.
fn signalled_run(
    dir: &tempfile::TempDir,
    signal: &str,
) -> (std::process::Output, serde_json::Value, Vec<String>) {
    let model = dir.path().join("long.nshed");
    let state = dir.path().join("state.json");
    // A long run, recorded: ten million steps of fig1's shape.
    let src = std::fs::read_to_string("tests/models/fig1_plain.nshed")
        .expect("model")
        .replace(
            "phase main { steps 200 batch 1 }",
            "phase main { steps 10000000 batch 1 }\n  record every 1000 { accuracy }",
        );
    std::fs::write(&model, src).expect("write model");
    let child = Command::new(env!("CARGO_BIN_EXE_nshed"))
        .args([
            "run",
            model.to_str().expect("path"),
            "--save",
            state.to_str().expect("path"),
            "--record",
            dir.path().join("record.jsonl").to_str().expect("path"),
        ])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("nshed runs");
    crate::support::cli::wait_until_busy(child.id(), 200, std::time::Duration::from_secs(60));
    let sent = Command::new("kill")
        .args([signal, &child.id().to_string()])
        .status()
        .expect("kill runs");
    assert!(sent.success());
    let out = child.wait_with_output().expect("nshed finishes");
    let saved: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&state).expect("state saved")).expect("JSON");
    let mut files: Vec<String> = std::fs::read_dir(dir.path())
        .expect("dir")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    files.sort();
    (out, saved, files)
}

#[test]
fn ctrl_c_saves_the_state_and_exits_cleanly() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (out, saved, files) = signalled_run(&dir, "-INT");
    assert_eq!(out.status.code(), Some(130), "{}", text(&out.stderr));
    let stderr = text(&out.stderr);
    assert!(stderr.contains("interrupted by Ctrl-C at step"), "{stderr}");
    let step = saved["state"]["step"].as_u64().expect("a step");
    assert!(step > 0 && step < 10_000_000, "stopped part-way: {step}");
    // No temporary file is left behind: the record and the state are in place.
    assert_eq!(files, ["long.nshed", "record.jsonl", "state.json"]);
    // The saved state resumes.
    let path = |name: &str| dir.path().join(name).to_str().expect("path").to_string();
    let resumed = nshed(&[
        "run",
        &path("long.nshed"),
        "--resume",
        &path("state.json"),
        "--stop-after",
        "5",
    ]);
    assert_eq!(resumed.status.code(), Some(0), "{}", text(&resumed.stderr));
}

#[test]
fn sigterm_and_sighup_stop_like_ctrl_c() {
    for (signal, code, name) in [("-TERM", 143, "SIGTERM"), ("-HUP", 129, "SIGHUP")] {
        let dir = tempfile::tempdir().expect("temp dir");
        let (out, saved, files) = signalled_run(&dir, signal);
        let stderr = text(&out.stderr);
        assert_eq!(out.status.code(), Some(code), "{signal}: {stderr}");
        assert!(
            stderr.contains(&format!("interrupted by {name} at step")),
            "{stderr}"
        );
        assert!(stderr.contains("resume with --resume"), "{stderr}");
        let step = saved["state"]["step"].as_u64().expect("a step");
        assert!(step > 0 && step < 10_000_000, "stopped part-way: {step}");
        assert_eq!(files, ["long.nshed", "record.jsonl", "state.json"]);
    }
}
