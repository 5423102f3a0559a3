//! Hostile inputs, the commands of the report run against the binary: each
//! ends with a diagnostic and its documented exit code, or works; none crashes, aborts,
//! overflows its stack, loses the session, writes over an input or prints a silent NaN.
//! (The command-line side of the issue, such as `run --save` over the model, full
//! output devices and signals, is tested with the commands.)

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use crate::support::cli::{nshed, nshed_stdin};

const FIG1: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/fig1.nshed");
const BASIN: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/basin.nshed");

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Text with miette's line wrapping undone: runs of whitespace and the `│` of continued
/// lines become one space.
fn unwrapped(text: &str) -> String {
    text.replace('│', " ")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// Asserts that `out` failed with exit code `code` and a diagnostic holding `needle`.
#[track_caller]
fn refused(out: &Output, code: i32, needle: &str) {
    let err = stderr(out);
    assert_eq!(out.status.code(), Some(code), "stderr:\n{err}");
    assert!(
        unwrapped(&err).contains(&unwrapped(needle)),
        "expected `{needle}` in:\n{err}"
    );
}

fn write(dir: &Path, name: &str, text: &str) -> String {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path.to_str().unwrap().to_string()
}

/// `nshed ARGS` run in directory `dir`, with `input` on standard input.
fn nshed_in(dir: &Path, args: &[&str], input: &str) -> Output {
    use std::io::Write;
    let mut child = Command::new(env!("CARGO_BIN_EXE_nshed"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let _ = child.stdin.take().unwrap().write_all(input.as_bytes());
    child.wait_with_output().unwrap()
}

// ------------------------------------------------------------------ 1. flat chains

const ONE_INPUT: &str = "model m { level input { a } classes { A <- a } }\n";

#[test]
fn flat_chains_of_40000_terms_are_diagnostics_not_stack_overflows() {
    let dir = tempfile::tempdir().unwrap();
    // The report's file, byte for byte (`print(...)` adds the final newline).
    let deep = format!("{ONE_INPUT}init {{ lambda = {}1 }}\n", "1+".repeat(40_000));
    let weight = format!(
        "{ONE_INPUT}data {{ s: a -> A weight {}2 }}\n",
        "2*".repeat(40_000)
    );
    let grow = format!(
        "{ONE_INPUT}rules {{ grow = mul {}1 }}\n",
        "1+".repeat(40_000)
    );
    for (name, text) in [("deep", deep), ("weight", weight), ("grow", grow)] {
        let path = write(dir.path(), &format!("{name}.nshed"), &text);
        let out = nshed(&["check", &path]);
        refused(&out, 1, "nshed::syntax::too_long");
        refused(&out, 1, "at most 1000 operators in one number expression");
    }
}

#[test]
fn a_flat_chain_is_not_nesting() {
    let dir = tempfile::tempdir().unwrap();
    // 65 terms: refused as "nested too deeply" before, 5 after the subtractions.
    let text = format!("{ONE_INPUT}init {{ lambda = 70{} }}\n", "-1".repeat(64));
    let path = write(dir.path(), "flat.nshed", &text);
    let out = nshed(&["run", &path, "--json", "--no-train"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["lambda"]["a"], 6.0);
}

#[test]
fn the_repl_survives_a_long_set_line() {
    let line = format!("set lambda e1 = {}1\n", "1+".repeat(40_000));
    let script = format!(
        "{line}show lambda e1\nset lambda e1 = 70{}\nshow lambda e1\n",
        "-1".repeat(64)
    );
    let out = nshed_stdin(&["repl", FIG1], script.as_bytes());
    // The bad line is an error (exit 1 at the end of a script); the session went on.
    refused(&out, 1, "number expression too long");
    let answers = stdout(&out);
    let values: Vec<&str> = answers
        .lines()
        .filter(|l| l.trim_start().starts_with("e1"))
        .collect();
    assert_eq!(values.len(), 2, "{answers}");
    assert!(
        values[0].split_whitespace().nth(2) == Some("1"),
        "{answers}"
    );
    assert!(
        values[1].split_whitespace().nth(2) == Some("6"),
        "{answers}"
    );
}

// ------------------------------------------------------------------ 2, 3. outputs

/// fig1 copied into `dir` as `m.nshed`.
fn model_copy(dir: &Path) -> PathBuf {
    let path = dir.join("m.nshed");
    std::fs::copy(FIG1, &path).unwrap();
    path
}

#[test]
fn repl_save_and_draw_never_write_over_the_model() {
    let dir = tempfile::tempdir().unwrap();
    let model = model_copy(dir.path());
    let before = std::fs::read(&model).unwrap();
    std::os::unix::fs::symlink("m.nshed", dir.path().join("link.nshed")).unwrap();
    std::os::unix::fs::symlink("m.nshed", dir.path().join("link.svg")).unwrap();
    std::fs::hard_link(&model, dir.path().join("hard.dot")).unwrap();
    std::fs::create_dir(dir.path().join("sub")).unwrap();
    for line in [
        ":save m.nshed",
        ":save ./m.nshed",
        ":save sub/../m.nshed",
        ":save link.nshed",
        "draw link.svg",
        "draw c1a hard.dot",
    ] {
        let out = nshed_in(dir.path(), &["repl", "m.nshed"], &format!("{line}\n"));
        refused(&out, 1, "nshed::io::output_is_input");
        let output = line.rsplit(' ').next().unwrap();
        refused(
            &out,
            1,
            &format!("the output `{output}` is the input file `m.nshed`"),
        );
        assert_eq!(std::fs::read(&model).unwrap(), before, "{line}");
    }
    // Other paths are written as usual.
    let out = nshed_in(
        dir.path(),
        &["repl", "m.nshed"],
        ":save s.json\ndraw g.svg\n",
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(dir.path().join("s.json").exists() && dir.path().join("g.svg").exists());
}

#[test]
fn a_replaced_output_keeps_its_permissions() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    model_copy(dir.path());
    let state = dir.path().join("s.json");
    std::fs::write(&state, "old").unwrap();
    std::fs::set_permissions(&state, std::fs::Permissions::from_mode(0o600)).unwrap();
    let out = nshed_in(dir.path(), &["repl", "m.nshed"], ":save s.json\n");
    assert!(out.status.success(), "{}", stderr(&out));
    let meta = std::fs::metadata(&state).unwrap();
    assert_eq!(meta.permissions().mode() & 0o777, 0o600);
    assert!(std::fs::read_to_string(&state)
        .unwrap()
        .contains("nshed_state"));
}

/// Runs `nshed ARGS` in `dir` as an unprivileged user: directly when the tests do not run
/// as root, through `setpriv` as `nobody` when they do; `None` when that is impossible.
fn as_ordinary_user(dir: &Path, args: &[&str], input: &str) -> Option<Output> {
    use std::io::Write;
    let root = std::fs::metadata("/proc/self").map(|m| {
        use std::os::unix::fs::MetadataExt;
        m.uid() == 0
    });
    let mut command = if root.unwrap_or(false) {
        let setpriv = ["/usr/bin/setpriv", "/bin/setpriv"]
            .into_iter()
            .find(|p| Path::new(p).exists())?;
        let mut c = Command::new(setpriv);
        c.args(["--reuid=65534", "--regid=65534", "--clear-groups"])
            .arg(env!("CARGO_BIN_EXE_nshed"));
        c
    } else {
        Command::new(env!("CARGO_BIN_EXE_nshed"))
    };
    let mut child = command
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .ok()?;
    let _ = child.stdin.take()?.write_all(input.as_bytes());
    child.wait_with_output().ok()
}

#[test]
fn a_file_the_user_cannot_write_is_not_replaced() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    // The directory is writable by everyone (renaming into it would succeed); the files
    // in it are read-only.
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o777)).unwrap();
    let model = model_copy(dir.path());
    std::fs::set_permissions(&model, std::fs::Permissions::from_mode(0o644)).unwrap();
    let state = dir.path().join("s.json");
    std::fs::write(&state, "keep me").unwrap();
    std::fs::set_permissions(&state, std::fs::Permissions::from_mode(0o444)).unwrap();
    let Some(out) = as_ordinary_user(dir.path(), &["repl", "m.nshed"], ":save s.json\n") else {
        eprintln!("skipped: running as root without setpriv, no ordinary user to test with");
        return;
    };
    refused(&out, 1, "cannot write `s.json`: permission denied");
    assert_eq!(std::fs::read_to_string(&state).unwrap(), "keep me");
    let leftovers: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains(".tmp-"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

/// `nshed basin b.nshed` on a small grid, with `extra` arguments.
fn basin(extra: &[&str]) -> Vec<String> {
    let grid = [
        "--nodes", "p1,p3", "--range", "0..1", "--grid", "3", "--steps", "10",
    ];
    ["basin", "b.nshed"]
        .iter()
        .chain(&grid)
        .chain(extra)
        .map(|s| s.to_string())
        .collect()
}

fn owned(args: &[&str]) -> Vec<String> {
    args.iter().map(|s| s.to_string()).collect()
}

/// Commands whose output names one of their inputs: (command, the output as given, the
/// input it names), run in a directory holding `m.nshed` (with `link.nshed` a symlink and
/// `hard.svg` a hard link to it), `b.nshed`, `s.json`, `p1.json` and `p2.json`.
fn outputs_over_inputs() -> Vec<(Vec<String>, &'static str, &'static str)> {
    vec![
        (
            owned(&["run", "m.nshed", "--save", "m.nshed"]),
            "m.nshed",
            "m.nshed",
        ),
        (
            owned(&["run", "m.nshed", "--save", "./link.nshed"]),
            "./link.nshed",
            "m.nshed",
        ),
        (
            owned(&["run", "m.nshed", "--save", "sub/../m.nshed"]),
            "sub/../m.nshed",
            "m.nshed",
        ),
        (
            owned(&["run", "m.nshed", "--record", "hard.svg"]),
            "hard.svg",
            "m.nshed",
        ),
        (
            owned(&[
                "run", "m.nshed", "--resume", "s.json", "--record", "./s.json",
            ]),
            "./s.json",
            "s.json",
        ),
        (
            owned(&["le-matrix", "m.nshed", "--svg", "link.nshed"]),
            "link.nshed",
            "m.nshed",
        ),
        (
            owned(&["info-plane", "m.nshed", "--csv", "m.nshed"]),
            "m.nshed",
            "m.nshed",
        ),
        (
            owned(&["info-plane", "m.nshed", "--svg", "hard.svg"]),
            "hard.svg",
            "m.nshed",
        ),
        (
            owned(&[
                "regularize",
                "m.nshed",
                "--batches",
                "1,2",
                "--svg",
                "m.nshed",
            ]),
            "m.nshed",
            "m.nshed",
        ),
        (
            owned(&["draw", "m.nshed", "--svg", "./m.nshed"]),
            "./m.nshed",
            "m.nshed",
        ),
        (
            owned(&[
                "fool",
                "m.nshed",
                "--samples",
                "10",
                "--json",
                "--svg",
                "link.nshed",
            ]),
            "link.nshed",
            "m.nshed",
        ),
        (
            owned(&["depth", "m.nshed", "--seeds", "2", "--csv", "m.nshed"]),
            "m.nshed",
            "m.nshed",
        ),
        (basin(&["--png", "b.nshed"]), "b.nshed", "b.nshed"),
        (basin(&["--csv", "./b.nshed"]), "./b.nshed", "b.nshed"),
        (
            basin(&["--shard", "1/2", "--out", "b.nshed"]),
            "b.nshed",
            "b.nshed",
        ),
        (
            owned(&["merge", "p1.json", "p2.json", "--csv", "p2.json"]),
            "p2.json",
            "p2.json",
        ),
        (
            owned(&["merge", "p1.json", "p2.json", "--png", "./p1.json"]),
            "./p1.json",
            "p1.json",
        ),
    ]
}

#[test]
fn every_cli_output_refuses_a_path_that_is_an_input() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    model_copy(d);
    std::fs::copy(BASIN, d.join("b.nshed")).unwrap();
    std::os::unix::fs::symlink("m.nshed", d.join("link.nshed")).unwrap();
    std::fs::hard_link(d.join("m.nshed"), d.join("hard.svg")).unwrap();
    std::fs::create_dir(d.join("sub")).unwrap();
    let ok = |args: &[&str]| {
        let out = nshed_in(d, args, "");
        assert!(out.status.success(), "{args:?}: {}", stderr(&out));
    };
    ok(&["run", "m.nshed", "--save", "s.json"]);
    let shard1 = basin(&["--shard", "1/2", "--out", "p1.json"]);
    let shard2 = basin(&["--shard", "2/2", "--out", "p2.json"]);
    ok(&shard1.iter().map(String::as_str).collect::<Vec<_>>());
    ok(&shard2.iter().map(String::as_str).collect::<Vec<_>>());
    let cases = outputs_over_inputs();
    let snapshot = || {
        ["m.nshed", "b.nshed", "s.json", "p1.json", "p2.json"]
            .map(|f| std::fs::read(d.join(f)).unwrap())
    };
    let before = snapshot();
    for (args, output, input) in &cases {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let out = nshed_in(d, &args, "");
        refused(&out, 3, "nshed::io::output_is_input");
        refused(
            &out,
            3,
            &format!("the output `{output}` is the input file `{input}`"),
        );
        assert!(before == snapshot(), "{args:?} changed an input");
    }
    let leftovers: Vec<_> = std::fs::read_dir(d)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains(".tmp-"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
    // Checkpointing in place is an update of the state, not of an input kept for later.
    ok(&["run", "m.nshed", "--resume", "s.json", "--save", "s.json"]);
    // The same outputs elsewhere are written.
    ok(&["run", "m.nshed", "--save", "t.json", "--record", "r.jsonl"]);
    ok(&["merge", "p1.json", "p2.json", "--csv", "merged.csv"]);
    assert!(d.join("t.json").exists() && d.join("merged.csv").exists());
}

#[test]
fn bless_refuses_a_golden_report_that_is_the_model() {
    for link in ["symlink", "hard link"] {
        let dir = tempfile::tempdir().unwrap();
        let model = model_copy(dir.path());
        let golden = dir.path().join("m.golden.json");
        if link == "symlink" {
            std::os::unix::fs::symlink("m.nshed", &golden).unwrap();
        } else {
            std::fs::hard_link(&model, &golden).unwrap();
        }
        let before = std::fs::read(&model).unwrap();
        let out = nshed_in(dir.path(), &["test", "--bless", "m.nshed"], "");
        assert_eq!(out.status.code(), Some(3), "{link}: {}", stdout(&out));
        assert!(
            unwrapped(&stdout(&out)).contains(
                "golden report m.golden.json was not written: the output `m.golden.json` is the input file `m.nshed`"
            ),
            "{link}: {}",
            stdout(&out)
        );
        assert_eq!(std::fs::read(&model).unwrap(), before, "{link}");
        let out = nshed_in(dir.path(), &["test", "--bless", "--json", "m.nshed"], "");
        assert_eq!(out.status.code(), Some(3));
        let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        let golden = &json["models"][0]["golden"];
        assert_eq!(golden["status"], "not_written", "{json}");
        assert_eq!(golden["input"], "m.nshed", "{json}");
    }
}

#[test]
fn run_save_keeps_the_mode_and_refuses_a_read_only_state() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o777)).unwrap();
    let model = model_copy(dir.path());
    std::fs::set_permissions(&model, std::fs::Permissions::from_mode(0o644)).unwrap();
    let private = dir.path().join("private.json");
    std::fs::write(&private, "old").unwrap();
    std::fs::set_permissions(&private, std::fs::Permissions::from_mode(0o600)).unwrap();
    let out = nshed_in(
        dir.path(),
        &["run", "m.nshed", "--save", "private.json"],
        "",
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let mode = std::fs::metadata(&private).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o600);
    let locked = dir.path().join("locked.svg");
    std::fs::write(&locked, "keep me").unwrap();
    std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o444)).unwrap();
    let Some(out) = as_ordinary_user(dir.path(), &["draw", "m.nshed", "--svg", "locked.svg"], "")
    else {
        eprintln!("skipped: running as root without setpriv, no ordinary user to test with");
        return;
    };
    refused(&out, 3, "cannot write `locked.svg`: permission denied");
    assert_eq!(std::fs::read_to_string(&locked).unwrap(), "keep me");
}

// ------------------------------------------------------------------ 4. sizes

#[test]
fn a_batch_of_a_billion_is_refused_at_check_time() {
    let dir = tempfile::tempdir().unwrap();
    let text = format!(
        "{ONE_INPUT}data {{ s: a -> A }}\ntrain {{ phase p {{ steps 1 batch 1000000000 }} }}\n"
    );
    let path = write(dir.path(), "batch.nshed", &text);
    for command in ["check", "run"] {
        let out = nshed(&[command, &path]);
        refused(&out, 1, "`batch 1000000000` is more than one step can draw");
    }
    // The largest batch allowed runs.
    let text = text.replace("1000000000", &nshed::ir::MAX_BATCH.to_string());
    let path = write(dir.path(), "largest.nshed", &text);
    let out = nshed(&["run", &path, "--json"]);
    assert!(out.status.success(), "{}", stderr(&out));
}

#[test]
fn batch_options_beyond_what_a_step_can_draw_are_usage_errors() {
    let huge = "18446744073709551615";
    for args in [
        vec!["regularize", FIG1, "--batches", huge],
        vec!["depth", "--depths", "2..3", "--batch", huge],
        vec!["gen", "--nodes", "100", "--steps", "1", "--batch", huge],
        vec!["fool", "--depths", "2..3", "--batch", huge],
    ] {
        let out = nshed(&args);
        refused(
            &out,
            2,
            &format!("a batch of {huge} samples is more than one step can draw (at most 1048576)"),
        );
    }
}

// ------------------------------------------------------------------ 5. many errors

/// CPU seconds used by a finished child that has not been reaped yet, from
/// `/proc/PID/stat` (fields 14 and 15, in clock ticks of 1/100 s).
fn cpu_seconds(pid: u32) -> Option<f64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let fields: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
    let ticks: u64 = fields
        .get(11..13)?
        .iter()
        .filter_map(|v| v.parse::<u64>().ok())
        .sum();
    Some(ticks as f64 / 100.0)
}

#[test]
fn ten_thousand_errors_in_a_large_model_are_reported_in_linear_time() {
    let dir = tempfile::tempdir().unwrap();
    // The report's recipe: a generated 10^5-node model whose input declarations are
    // renamed, so that every use of them is an unknown name (here about 11,600).
    let out = nshed(&["gen", "--nodes", "100000", "--steps", "10"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    let renamed: Vec<String> = text
        .lines()
        .enumerate()
        .map(|(i, line)| {
            if !(5..2091).contains(&i) {
                return line.to_string();
            }
            let words: Vec<String> = line
                .split(' ')
                .map(|w| {
                    let digits = w.strip_prefix('x').unwrap_or("");
                    let ends = digits.len() >= 2
                        && digits.ends_with('0')
                        && matches!(digits.as_bytes()[digits.len() - 2], b'0'..=b'4');
                    if ends && digits.bytes().all(|b| b.is_ascii_digit()) {
                        format!("y{digits}")
                    } else {
                        w.to_string()
                    }
                })
                .collect();
            words.join(" ")
        })
        .collect();
    let bad = write(dir.path(), "bad.nshed", &(renamed.join("\n") + "\n"));
    // Diagnostics go to a file: megabytes of them would fill a pipe nobody reads yet.
    let err_path = dir.path().join("stderr.txt");
    let mut child = Command::new(env!("CARGO_BIN_EXE_nshed"))
        .args(["check", &bad])
        .env("NO_COLOR", "1")
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(&err_path).unwrap())
        .spawn()
        .unwrap();
    // Processor time, not wall time: the machine may be busy. The quadratic reporting took
    // minutes in a release build; linear takes about one second (ten in a debug build).
    let limit = if cfg!(debug_assertions) { 150.0 } else { 15.0 };
    let pid = child.id();
    let used = loop {
        let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
        let state = stat
            .rsplit_once(')')
            .and_then(|(_, r)| r.split_whitespace().next());
        let used = cpu_seconds(pid).unwrap_or(0.0);
        if state == Some("Z") || state.is_none() {
            break used;
        }
        if used > limit {
            let _ = child.kill();
            panic!("still reporting after {used} s of processor time");
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    };
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(1));
    assert!(used < limit, "{used} s of processor time");
    let err = std::fs::read_to_string(&err_path).unwrap();
    let count = err.matches("nshed::check::unknown_name").count();
    assert!(count > 10_000, "{count} unknown names reported");
    assert!(
        err.trim_end()
            .ends_with(&format!("bad.nshed: {count} errors")),
        "{}",
        &err[err.len().saturating_sub(300)..]
    );
    // Every one still suggests the renamed declaration.
    assert!(
        err.contains("help: did you mean `y100`?"),
        "suggestions are kept"
    );
}

// ------------------------------------------------------------------ 6. stdout, stderr

/// `nshed ARGS` with `input` on stdin, stdout and stderr going where the caller says.
fn nshed_with(args: &[&str], input: &[u8], out: Stdio, err: Stdio) -> Output {
    use std::io::Write;
    let mut child = Command::new(env!("CARGO_BIN_EXE_nshed"))
        .args(args)
        .env("NO_COLOR", "1")
        .stdin(Stdio::piped())
        .stdout(out)
        .stderr(err)
        .spawn()
        .unwrap();
    let _ = child.stdin.take().unwrap().write_all(input);
    child.wait_with_output().unwrap()
}

fn dev_full() -> Stdio {
    Stdio::from(
        std::fs::OpenOptions::new()
            .write(true)
            .open("/dev/full")
            .unwrap(),
    )
}

/// Content-Length framed messages for the language server: a session that says hello,
/// shuts down and exits.
fn lsp_session() -> Vec<u8> {
    let mut bytes = Vec::new();
    for message in [
        r#"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"capabilities":{}}}"#,
        r#"{"jsonrpc":"2.0","method":"initialized","params":{}}"#,
        r#"{"jsonrpc":"2.0","id":2,"method":"shutdown"}"#,
        r#"{"jsonrpc":"2.0","method":"exit"}"#,
    ] {
        bytes.extend(format!("Content-Length: {}\r\n\r\n{message}", message.len()).bytes());
    }
    bytes
}

/// Every command that prints, with what it reads on stdin.
fn printing_commands(dir: &Path) -> Vec<(Vec<String>, Vec<u8>)> {
    let bad = write(
        dir,
        "bad.nshed",
        "model m { level a { x } classes { C <- y } }\n",
    );
    let fig1 = std::fs::read(FIG1).unwrap();
    let args = |a: &[&str]| a.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    vec![
        (args(&["repl", "--json", FIG1]), b"scores c1a\n".to_vec()),
        (args(&["repl", FIG1]), b"scores c1a\n".to_vec()),
        (args(&["run", FIG1]), vec![]),
        (args(&["run", "--json", FIG1]), vec![]),
        (args(&["check", FIG1]), vec![]),
        (args(&["ir", FIG1]), vec![]),
        (args(&["query", FIG1, "scores c1a"]), vec![]),
        (args(&["le", FIG1]), vec![]),
        (args(&["test", FIG1]), vec![]),
        (args(&["fmt", "-"]), fig1),
        (args(&["completions", "bash"]), vec![]),
        (args(&["gen", "--nodes", "50"]), vec![]),
        (args(&["--help"]), vec![]),
        (args(&["run", "--help"]), vec![]),
        (args(&["--version"]), vec![]),
        (args(&["lsp"]), lsp_session()),
        // Diagnostics as JSON go to stdout: losing them is a failed write too.
        (args(&["check", "--error-format", "json", &bad]), vec![]),
    ]
}

#[test]
fn a_full_stdout_is_a_failed_write_for_every_command() {
    let dir = tempfile::tempdir().unwrap();
    for (args, input) in printing_commands(dir.path()) {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        // The same command prints something when stdout works.
        let fine = nshed_with(&args, &input, Stdio::piped(), Stdio::piped());
        assert!(!fine.stdout.is_empty(), "{args:?} prints nothing");
        let out = nshed_with(&args, &input, dev_full(), Stdio::piped());
        refused(
            &out,
            3,
            "cannot write to standard output: No space left on device",
        );
        assert!(stderr(&out).contains("nshed::io"), "{args:?}");
    }
}

#[test]
fn a_repl_script_stops_at_the_first_answer_it_cannot_write() {
    let dir = tempfile::tempdir().unwrap();
    let model = model_copy(dir.path());
    let saved = dir.path().join("s.json");
    let script = format!("scores c1a\n:save {}\n", saved.display());
    let out = nshed_with(
        &["repl", model.to_str().unwrap()],
        script.as_bytes(),
        dev_full(),
        Stdio::piped(),
    );
    refused(&out, 3, "cannot write to standard output");
    assert!(!saved.exists(), "nothing runs after a lost answer");
    // With stdout working, the same script saves.
    let out = nshed_with(
        &["repl", model.to_str().unwrap()],
        script.as_bytes(),
        Stdio::piped(),
        Stdio::piped(),
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(saved.exists());
}

/// Runs `nshed ARGS` with its stdout a pipe whose reading end is closed before the command
/// writes (it reads all its stdin first, or works before printing).
fn with_closed_pipe(args: &[&str], input: &[u8]) -> Output {
    use std::io::Write;
    let mut child = Command::new(env!("CARGO_BIN_EXE_nshed"))
        .args(args)
        .env("NO_COLOR", "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let _ = child.stdin.take().unwrap().write_all(input);
    child.wait_with_output().unwrap()
}

#[test]
fn a_closed_pipe_ends_the_command_quietly_with_141() {
    for (args, input) in [
        (vec!["repl", FIG1], &b"scores c1a\nscores c1a\n"[..]),
        (vec!["repl", "--json", FIG1], &b"scores c1a\n"[..]),
        (vec!["fmt", "-"], &std::fs::read(FIG1).unwrap()[..]),
        (vec!["lsp"], &lsp_session()[..]),
        (vec!["run", FIG1], &b""[..]),
    ] {
        let out = with_closed_pipe(&args, input);
        assert_eq!(out.status.code(), Some(141), "{args:?}: {}", stderr(&out));
        assert_eq!(stderr(&out), "", "{args:?} ends quietly");
    }
}

#[test]
fn a_full_stderr_changes_no_exit_code() {
    // Nothing to say it on: the code still tells, and nothing panics (101).
    let out = nshed_with(&["check", "nosuch.nshed"], b"", Stdio::piped(), dev_full());
    assert_eq!(out.status.code(), Some(1));
    let out = nshed_with(&["check", "--bogus"], b"", Stdio::piped(), dev_full());
    assert_eq!(out.status.code(), Some(2));
    // The REPL's diagnostics are lost, its answers are not.
    let out = nshed_with(
        &["repl", FIG1],
        b"scores nosuch\nscores c1a\n",
        Stdio::piped(),
        dev_full(),
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stdout(&out).starts_with("scores of c1a {e1 e2} -> c1\n"),
        "{}",
        stdout(&out)
    );
    let out = nshed_with(&["run", FIG1], b"", Stdio::piped(), dev_full());
    assert_eq!(out.status.code(), Some(0));
    assert!(stdout(&out).starts_with("model fig1 after 5100 training steps\n"));
}

// ------------------------------------------------------------------ 7. forged shards

/// Shard files `1/2` and `2/2` of `args` (a sweep command), as parsed JSON.
fn shards(dir: &Path, args: &[&str]) -> Vec<serde_json::Value> {
    (1..=2)
        .map(|i| {
            let path = dir.join(format!("part{i}.json"));
            let mut all: Vec<&str> = args.to_vec();
            let shard = format!("{i}/2");
            all.extend(["--shard", &shard, "--out", path.to_str().unwrap()]);
            let out = nshed(&all);
            assert!(out.status.success(), "{}", stderr(&out));
            serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap()
        })
        .collect()
}

/// `nshed merge` of the two shard files after `forge` edits them.
fn merge_forged(
    dir: &Path,
    files: &[serde_json::Value],
    forge: impl Fn(&mut [serde_json::Value]),
) -> Output {
    let mut files = files.to_vec();
    forge(&mut files);
    let paths: Vec<String> = files
        .iter()
        .enumerate()
        .map(|(i, f)| write(dir, &format!("forged{i}.json"), &f.to_string()))
        .collect();
    nshed(&["merge", &paths[0], &paths[1]])
}

#[test]
fn forged_basin_shards_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let files = shards(
        dir.path(),
        &[
            "basin", BASIN, "--nodes", "p1,p3", "--range", "0..1", "--grid", "3", "--steps", "10",
        ],
    );
    let fine = merge_forged(dir.path(), &files, |_| {});
    assert!(fine.status.success(), "{}", stderr(&fine));
    // An outcome outside the outcome set (the report's `[99]`).
    let out = merge_forged(dir.path(), &files, |f| {
        f[0]["points"][0]["result"] = serde_json::json!([99]);
    });
    refused(
        &out,
        1,
        "point 0 of the `basin` sweep is not a possible result: [99] is not an outcome",
    );
    // Parameters no basin command accepts.
    for (key, value, why) in [
        ("grid", serde_json::json!(0), "a grid of 0 x 0 points"),
        (
            "nodes",
            serde_json::json!(["p1", "zz"]),
            "are not two nodes of level `mid`",
        ),
        (
            "axis",
            serde_json::json!({"lo": 1.0, "hi": 0.5, "log": false}),
            "the range 1..0.5 is not 0 <= LO < HI",
        ),
    ] {
        let out = merge_forged(dir.path(), &files, |f| {
            for file in f.iter_mut() {
                file["params"][key] = value.clone();
            }
        });
        refused(&out, 1, why);
    }
}

#[test]
fn forged_fool_and_depth_shards_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let files = shards(dir.path(), &["fool", FIG1]);
    // The report's fooled count of 2^64 - 1.
    let out = merge_forged(dir.path(), &files, |f| {
        f[0]["points"][0]["result"]["block"]["fooled"] = serde_json::json!(u64::MAX);
    });
    refused(&out, 1, &format!("{} fooled of", u64::MAX));
    let out = merge_forged(dir.path(), &files, |f| {
        for file in f.iter_mut() {
            file["params"]["criteria"]["threshold"] = serde_json::json!(2.0);
        }
    });
    refused(&out, 1, "the threshold p >= 2 is not a probability");

    let dir = tempfile::tempdir().unwrap();
    let files = shards(
        dir.path(),
        &["depth", "--depths", "2..3", "--steps", "5", "--seeds", "2"],
    );
    // A point relabelled to another depth.
    let out = merge_forged(dir.path(), &files, |f| {
        f[0]["points"][0]["result"]["depth"] = serde_json::json!(3);
    });
    refused(&out, 1, "it is labelled depth 3");
    let out = merge_forged(dir.path(), &files, |f| {
        for file in f.iter_mut() {
            file["params"]["depths"] = serde_json::json!([2, 1000]);
        }
    });
    refused(&out, 1, "depth 1000 is out of range");
    let out = merge_forged(dir.path(), &files, |f| {
        f[0]["points"][0]["result"]["structure"] = serde_json::json!(1);
    });
    refused(&out, 1, "structure 1");
    let out = merge_forged(dir.path(), &files, |f| {
        for file in f.iter_mut() {
            file["params"]["structures"] = serde_json::json!(0);
        }
    });
    refused(&out, 1, "0 structures per depth");
}

#[test]
fn forged_fool_depth_and_uncertainty_shards_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let files = shards(
        dir.path(),
        &[
            "fool",
            "--depths",
            "3",
            "--models",
            "2",
            "--train-seeds",
            "2",
            "--steps",
            "20",
            "--samples",
            "50",
            "--width",
            "8",
            "--inputs",
            "16",
        ],
    );
    let fine = merge_forged(dir.path(), &files, |_| {});
    assert!(fine.status.success(), "{}", stderr(&fine));
    // More confident data samples than samples.
    let out = merge_forged(dir.path(), &files, |f| {
        f[0]["points"][0]["result"]["confident_data"] = serde_json::json!([40, 32]);
    });
    refused(&out, 1, "40 confident of 32 data samples");
    // A run relabelled to another training seed.
    let out = merge_forged(dir.path(), &files, |f| {
        f[0]["points"][0]["result"]["train_seed"] = serde_json::json!(1);
    });
    refused(&out, 1, "training seed 1");
    // A density other than the sweep's.
    let out = merge_forged(dir.path(), &files, |f| {
        f[0]["points"][0]["result"]["density"] = serde_json::json!(0.25);
    });
    refused(&out, 1, "its density 0.25 is not 0.5");
    let out = merge_forged(dir.path(), &files, |f| {
        for file in f.iter_mut() {
            file["params"]["train_seeds"] = serde_json::json!(0);
        }
    });
    refused(&out, 1, "0 training seeds");

    let files = shards(
        dir.path(),
        &[
            "basin",
            BASIN,
            "--nodes",
            "p1,p3",
            "--range",
            "0.5..1.5",
            "--steps",
            "20",
            "--uncertainty",
            "--eps",
            "0.01..0.1",
            "--eps-count",
            "3",
            "--min-differ",
            "5",
            "--max-pairs",
            "3000",
        ],
    );
    let fine = merge_forged(dir.path(), &files, |_| {});
    assert!(fine.status.success(), "{}", stderr(&fine));
    // More differing pairs than a block holds.
    let out = merge_forged(dir.path(), &files, |f| {
        f[0]["points"][0]["result"]["blocks"][0] = serde_json::json!(1001);
    });
    refused(&out, 1, "1001 of a block of 1000 pairs differ");
    // A block drawn after enough pairs differed, or counts that do not end the drawing.
    let out = merge_forged(dir.path(), &files, |f| {
        f[0]["points"][0]["result"] = serde_json::json!({"pairs": 2000, "blocks": [900, 3]});
    });
    refused(&out, 1, "block 1 was drawn after the rule had stopped");
    let out = merge_forged(dir.path(), &files, |f| {
        f[0]["points"][0]["result"] = serde_json::json!({"pairs": 1000, "blocks": [2]});
    });
    refused(&out, 1, "do not end the drawing");
    let out = merge_forged(dir.path(), &files, |f| {
        for file in f.iter_mut() {
            file["params"]["pairs"] =
                serde_json::json!({"until": {"min_differ": 0, "max_pairs": 10}});
        }
    });
    refused(&out, 1, "until 0 pairs differ");
}

// ------------------------------------------------------------------ 8. no silent NaN

#[test]
fn parameters_whose_effect_cannot_be_represented_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let fig1 = std::fs::read_to_string(FIG1).unwrap();
    let jitter = fig1.replace("jitter = 0.01", "jitter = 1.7e308");
    let lognormal = fig1.replace("  lambda = 1 ", "  lambda = lognormal(1e308, 1e308) ");
    assert_ne!(jitter, fig1);
    assert_ne!(lognormal, fig1);
    for (name, text, needle) in [
        ("jitter", jitter, "`jitter` is 1.7e308, too large"),
        (
            "lognormal",
            lognormal,
            "the `mu` of `lognormal` is 1e308, too large",
        ),
    ] {
        let path = write(dir.path(), &format!("{name}.nshed"), &text);
        let out = nshed(&["run", &path, "--json"]);
        refused(&out, 1, needle);
        assert!(out.stdout.is_empty(), "{name}: nothing is reported");
    }
    // At the bounds, training reports only numbers: no NaN, and `null` only where a plain
    // value is beyond f64 or a log is that of an exact 0.
    let extreme = fig1
        .replace("jitter = 0.01", "jitter = 1e100")
        .replace("  lambda = 1 ", "  lambda = lognormal(1e100, 1e100) ")
        .replace("  eta = 1\n", "  eta = normal(1e300, 1e300)\n");
    let path = write(dir.path(), "extreme.nshed", &extreme);
    let out = nshed(&["run", &path, "--json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    for map in ["ln_lambda", "ln_eta"] {
        for (name, v) in report[map].as_object().unwrap() {
            assert!(v.as_f64().is_some_and(f64::is_finite), "{map} {name}: {v}");
        }
    }
}

// ------------------------------------------------------------------ 9. the terminal

#[test]
fn a_byte_that_is_not_utf8_typed_in_the_repl_drops_the_line_not_the_session() {
    use rexpect::session::spawn_command;
    use std::io::Write;
    let home = tempfile::tempdir().unwrap();
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_nshed"));
    cmd.args(["repl", FIG1])
        .env("XDG_DATA_HOME", home.path())
        .env("HOME", home.path())
        .env("NO_COLOR", "1")
        .env("TERM", "xterm");
    let mut p = spawn_command(cmd, Some(20_000)).unwrap();
    p.exp_string("nshed> ").unwrap();
    // The line editor switches the terminal to raw mode after printing the prompt.
    std::thread::sleep(std::time::Duration::from_millis(300));
    p.send("pathway ").unwrap();
    p.writer.write_all(&[0xff]).unwrap();
    p.writer.flush().unwrap();
    p.exp_string("not UTF-8 text").unwrap();
    p.exp_string("nshed> ").unwrap();
    std::thread::sleep(std::time::Duration::from_millis(300));
    p.send_line("pathway c1a").unwrap();
    p.exp_string("wholes  t1").unwrap();
    p.send_control('d').unwrap();
    p.exp_eof().unwrap();
}

// ------------------------------------------------------------------ 11. forged states

#[test]
fn forged_saved_states_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let saved = dir.path().join("s.json");
    let saved = saved.to_str().unwrap();
    let out = nshed(&["run", FIG1, "--stop-after", "5", "--save", saved]);
    assert!(out.status.code().is_some(), "{}", stderr(&out));
    let state: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(saved).unwrap()).unwrap();
    assert_eq!(state["state"]["step"], 5);
    let forge = |edit: &dyn Fn(&mut serde_json::Value)| {
        let mut s = state.clone();
        edit(&mut s["state"]);
        write(dir.path(), "forged.json", &s.to_string())
    };
    for (edit, why) in [
        (
            Box::new(|s: &mut serde_json::Value| s["step"] = serde_json::json!(u64::MAX))
                as Box<dyn Fn(&mut serde_json::Value)>,
            format!("step {} is past the largest a run can reach", u64::MAX),
        ),
        (
            Box::new(|s: &mut serde_json::Value| s["step_in_phase"] = serde_json::json!(1_000_000)),
            "step 1000000 of phase `warmup`, which has 100 steps".to_string(),
        ),
        (
            Box::new(|s: &mut serde_json::Value| s["step"] = serde_json::json!(2)),
            "step 2 is before the 5 steps of the schedule".to_string(),
        ),
    ] {
        let path = forge(&*edit);
        let out = nshed(&["run", FIG1, "--resume", &path]);
        refused(&out, 1, &why);
        let out = nshed_stdin(&["repl", FIG1], format!(":restore {path}\n").as_bytes());
        refused(&out, 1, &why);
    }
}

// ------------------------------------------------------------------ 12. minor

#[test]
fn a_seed_beyond_u64_is_too_large_not_fractional() {
    let out = nshed_stdin(&["repl", FIG1], b"set seed 18446744073709551616\n");
    refused(&out, 1, "`18446744073709551616` is too large");
    let out = nshed_stdin(&["repl", FIG1], b"set seed 1.5\n");
    refused(&out, 1, "`1.5` is not a whole number");
}

#[test]
fn a_byte_order_mark_is_skipped() {
    let dir = tempfile::tempdir().unwrap();
    let text = format!("\u{feff}{}", std::fs::read_to_string(FIG1).unwrap());
    let path = write(dir.path(), "bom.nshed", &text);
    let out = nshed(&["check", &path]);
    assert!(out.status.success(), "{}", stderr(&out));
    // Spans count from after the mark: an error on line 1 is at column 1.
    let path = write(dir.path(), "bad.nshed", "\u{feff}modle m {}\n");
    let out = nshed(&["check", &path]);
    refused(&out, 1, "bad.nshed:1:1]");
}

#[test]
fn an_endless_file_is_read_up_to_the_size_limit() {
    let out = nshed(&["check", "/dev/zero"]);
    refused(
        &out,
        1,
        "`/dev/zero` is larger than the 1073741824 bytes nshed reads",
    );
}

// ------------------------------------------------------------------ long misspelt names

/// A model declaring `declared` and using `used` as a class's parent.
fn one_name_model(declared: &str, used: &str) -> String {
    format!("model m {{ level input {{ {declared} }} classes {{ A <- {used} }} }}\n")
}

#[test]
fn a_misspelt_name_of_a_megabyte_gets_its_suggestion_at_linear_cost() {
    let dir = tempfile::tempdir().unwrap();
    let declared = "x".repeat(1 << 20);
    let mut used = declared.clone();
    used.replace_range(700_000..700_001, "y");
    let path = write(dir.path(), "long.nshed", &one_name_model(&declared, &used));
    let started = std::time::Instant::now();
    let out = nshed(&["check", "--error-format", "json", &path]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let diagnostic: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(diagnostic["code"], "nshed::check::unknown_name");
    assert_eq!(
        diagnostic["help"],
        format!("did you mean `{declared}`?").as_str()
    );
    // The full edit-distance table of two such names has 10^12 cells.
    assert!(started.elapsed().as_secs() < 60, "{:?}", started.elapsed());
}

/// What the language server analyses on each change: a document of long misspelt names,
/// through the library's parse and check (the full tables of 40 names of 1,000 characters
/// against each other once took gigabytes).
#[test]
fn a_document_of_long_misspelt_names_is_checked_by_the_library() {
    let names: Vec<String> = (0..40)
        .map(|i| format!("{}{i:02}", "n".repeat(998)))
        .collect();
    let misspelt: Vec<String> = names
        .iter()
        .map(|n| {
            let mut m = n.clone();
            m.replace_range(500..501, "q");
            m
        })
        .collect();
    let text = format!(
        "model m {{ level input {{ {} }} classes {{ A <- {} }} }}\n",
        names.join(" "),
        misspelt.join(", ")
    );
    assert!(text.len() > 80_000);
    let file = nshed::syntax::parse_file(&text).unwrap();
    let checked = nshed::check::check(&file);
    let helps: Vec<String> = checked
        .problems
        .iter()
        .filter(|p| p.code.as_str() == "nshed::check::unknown_name")
        .map(|p| p.help.clone().unwrap_or_default())
        .collect();
    assert_eq!(helps.len(), 40);
    for (help, name) in helps.iter().zip(&names) {
        assert_eq!(help, &format!("did you mean `{name}`?"));
    }
}

// ------------------------------------------------------------------ many classes

/// `nshed ARGS` with its address space limited to `mib` MiB (`ulimit -v`): a command that
/// needs more fails to allocate and aborts.
fn nshed_within(mib: u64, args: &[&str]) -> Output {
    Command::new("sh")
        .arg("-c")
        .arg(format!("ulimit -v {} && exec \"$0\" \"$@\"", mib * 1024))
        .arg(env!("CARGO_BIN_EXE_nshed"))
        .args(args)
        .env("NO_COLOR", "1")
        .output()
        .unwrap()
}

#[test]
fn le_of_many_classes_and_two_samples_takes_memory_linear_in_the_classes() {
    let dir = tempfile::tempdir().unwrap();
    let classes: Vec<String> = (0..20_000).map(|i| format!("k{i} <- a, b")).collect();
    let text = format!(
        "model m {{ level input {{ a b }} classes {{ {} }} }}\ndata {{ s1: a -> k7  s2: b -> k3 }}\n",
        classes.join("  ")
    );
    let path = write(dir.path(), "many.nshed", &text);
    // The table of every pair of 20,000 classes took 6.4 GB.
    let out = nshed_within(1024, &["le", "--json", "--no-train", &path]);
    assert!(out.status.success(), "{}", stderr(&out));
    let answer: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(answer["classes"], serde_json::json!(["k3", "k7"]));
    assert_eq!(answer["samples"], serde_json::json!(["s1", "s2"]));
    let means = answer["class_means"].as_array().unwrap();
    assert_eq!(means.len(), 2);
    // Row k7 (base s1), column k3 (test s2) is LE(s1, s2); the self pairs are null.
    assert!(answer["matrix"][0][1].as_f64().is_some_and(f64::is_finite));
    assert_eq!(means[1][0], answer["matrix"][0][1]);
    assert_eq!(means[0][1], answer["matrix"][1][0]);
    assert_eq!(means[0][0], serde_json::Value::Null);
    assert_eq!(means[1][1], serde_json::Value::Null);
}

// ------------------------------------------------------------------ bounded reads

/// A named pipe at `path`.
fn mkfifo(path: &Path) {
    let made = Command::new("mkfifo").arg(path).status().unwrap();
    assert!(made.success(), "mkfifo {}", path.display());
}

#[test]
fn a_repl_script_of_one_endless_line_stops_at_the_input_limit() {
    let file = std::fs::File::open("/dev/zero").unwrap();
    let started = std::time::Instant::now();
    let out = Command::new("sh")
        .arg("-c")
        .arg("ulimit -v 1048576 && exec \"$0\" \"$@\"")
        .arg(env!("CARGO_BIN_EXE_nshed"))
        .args(["repl", FIG1])
        .stdin(file)
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    refused(
        &out,
        1,
        "error: an input of the script is longer than 16777216 bytes; the script stops here",
    );
    assert!(started.elapsed().as_secs() < 60, "{:?}", started.elapsed());
}

#[test]
fn endless_devices_as_shards_states_and_golden_reports_are_refused_at_once() {
    let dir = tempfile::tempdir().unwrap();
    model_copy(dir.path());
    let out = nshed_within(1024, &["merge", "/dev/zero"]);
    refused(
        &out,
        1,
        "cannot read `/dev/zero`: it is not a shard file (it does not start with `{`)",
    );
    let out = nshed_within(
        1024,
        &[
            "run",
            dir.path().join("m.nshed").to_str().unwrap(),
            "--resume",
            "/dev/zero",
        ],
    );
    refused(
        &out,
        1,
        "`/dev/zero` is not a saved nshed state: it does not start with `{`",
    );
    // A golden report found beside a model must be a regular file: a link to a device is
    // left alone, with a note, and does not fail the model.
    std::os::unix::fs::symlink("/dev/zero", dir.path().join("m.golden.json")).unwrap();
    let out = nshed_in(dir.path(), &["test", "m.nshed"], "");
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    assert!(
        stdout(&out).contains(
            "note: golden report m.golden.json skipped: it is a character device, not a regular file"
        ),
        "{}",
        stdout(&out)
    );
    assert!(stdout(&out).contains("test m.nshed ... ok (24 expectations, golden skipped)"));
    // --bless does not write into it either.
    let out = nshed_in(dir.path(), &["test", "--bless", "m.nshed"], "");
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    assert!(
        unwrapped(&stdout(&out)).contains(
            "golden report m.golden.json was not written: it is a character device, not a regular file"
        ),
        "{}",
        stdout(&out)
    );
}

#[test]
fn fifos_found_in_directories_are_skipped_never_waited_on() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    model_copy(d);
    mkfifo(&d.join("pipe.nshed"));
    mkfifo(&d.join("m.golden.json"));
    let note = "note: skipped pipe.nshed: it is a named pipe (FIFO), not a regular file";
    let out = nshed_in(d, &["fmt", "--check", "."], "");
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stderr(&out).contains(note), "{}", stderr(&out));
    let out = nshed_in(d, &["fmt", "."], "");
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stderr(&out).contains(note), "{}", stderr(&out));
    // Named on the command line, a FIFO cannot be rewritten in place: skipped before it
    // is opened.
    let out = nshed_in(d, &["fmt", "pipe.nshed"], "");
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("note: skipped pipe.nshed: it is a named pipe (FIFO), which cannot be rewritten in place"),
        "{}",
        stderr(&out)
    );
    let out = nshed_in(d, &["test", "."], "");
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    let text = stdout(&out);
    assert!(text.contains(note), "{text}");
    assert!(
        text.contains("note: golden report m.golden.json skipped: it is a named pipe (FIFO), not a regular file"),
        "{text}"
    );
    let out = nshed_in(d, &["test", "--json", "."], "");
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        json["skipped"],
        serde_json::json!([{"path": "pipe.nshed", "what": "a named pipe (FIFO)"}])
    );
    assert_eq!(json["models"][0]["golden"]["status"], "skipped");
}

/// Writes `text` into the FIFO at `path` from another thread (opening it blocks until
/// nshed opens it for reading).
fn feed_fifo(path: &Path, text: String) -> std::thread::JoinHandle<()> {
    let path = path.to_path_buf();
    std::thread::spawn(move || {
        use std::io::Write;
        let mut writer = std::fs::OpenOptions::new().write(true).open(path).unwrap();
        let _ = writer.write_all(text.as_bytes());
    })
}

#[test]
fn a_pipe_named_on_the_command_line_is_read_as_cat_reads_it() {
    let dir = tempfile::tempdir().unwrap();
    let fig1 = std::fs::read_to_string(FIG1).unwrap();
    let fifo = dir.path().join("m.nshed");
    mkfifo(&fifo);
    let writer = feed_fifo(&fifo, fig1.clone());
    let out = nshed(&["check", fifo.to_str().unwrap()]);
    writer.join().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let writer = feed_fifo(&fifo, fig1.clone());
    let out = nshed(&["fmt", "--check", fifo.to_str().unwrap()]);
    writer.join().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    // /dev/stdin as a path: the pipe on standard input.
    let out = nshed_stdin(
        &["run", "/dev/stdin", "--json", "--no-train"],
        fig1.as_bytes(),
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["model"], "fig1");
}

/// Spawns `nshed ARGS` in `dir` with piped standard streams.
fn spawn_in(dir: &Path, args: &[&str]) -> std::process::Child {
    Command::new(env!("CARGO_BIN_EXE_nshed"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

fn kill(child: &std::process::Child, signal: &str) {
    let sent = Command::new("kill")
        .args([signal, &child.id().to_string()])
        .status()
        .unwrap();
    assert!(sent.success());
}

/// Reads standard output of `child` until a line containing `needle` arrives.
fn wait_for_line(out: &mut impl std::io::BufRead, needle: &str) {
    let mut line = String::new();
    loop {
        line.clear();
        assert!(
            out.read_line(&mut line).unwrap() > 0,
            "no line with `{needle}`"
        );
        if line.contains(needle) {
            return;
        }
    }
}

#[test]
fn a_repl_script_waiting_for_its_next_line_ends_on_any_stop_signal() {
    for (signal, code, name) in [
        ("-INT", 130, "Ctrl-C"),
        ("-TERM", 143, "SIGTERM"),
        ("-HUP", 129, "SIGHUP"),
    ] {
        let dir = tempfile::tempdir().unwrap();
        model_copy(dir.path());
        let mut child = spawn_in(dir.path(), &["repl", "m.nshed"]);
        let mut stdin = child.stdin.take().unwrap();
        {
            use std::io::Write;
            stdin.write_all(b"show lambda e1\n").unwrap();
            stdin.flush().unwrap();
        }
        let mut out = std::io::BufReader::new(child.stdout.take().unwrap());
        // Answered: the script now waits for its next line, with standard input open.
        wait_for_line(&mut out, "e1");
        kill(&child, signal);
        let status = child.wait().unwrap();
        assert_eq!(status.code(), Some(code), "{signal}");
        let mut err = String::new();
        std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut err).unwrap();
        assert!(
            err.contains(&format!("the REPL was stopped by {name}")),
            "{err}"
        );
        drop(stdin);
    }
}

#[test]
fn a_repl_blocked_loading_a_fifo_ends_on_sigterm() {
    let dir = tempfile::tempdir().unwrap();
    model_copy(dir.path());
    let fifo = dir.path().join("pipe.nshed");
    mkfifo(&fifo);
    let mut child = spawn_in(dir.path(), &["repl", "m.nshed"]);
    let mut stdin = child.stdin.take().unwrap();
    {
        use std::io::Write;
        stdin.write_all(b":load pipe.nshed\n").unwrap();
        stdin.flush().unwrap();
    }
    // Opening a FIFO for writing without blocking succeeds once it has a reader: nshed
    // has opened it and now waits for data that never comes.
    let writer = loop {
        use std::os::unix::fs::OpenOptionsExt;
        match std::fs::OpenOptions::new()
            .write(true)
            .custom_flags(0o4000) // O_NONBLOCK
            .open(&fifo)
        {
            Ok(w) => break w,
            Err(_) => std::thread::sleep(std::time::Duration::from_millis(20)),
        }
    };
    kill(&child, "-TERM");
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(143));
    let mut err = String::new();
    std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut err).unwrap();
    assert!(
        unwrapped(&err)
            .contains("cannot read `pipe.nshed`: stopped by a signal while waiting for data"),
        "{err}"
    );
    drop((writer, stdin));
}

// ------------------------------------------------------------------ safe writes

#[test]
fn outputs_never_replace_another_model_unless_forced() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    model_copy(d);
    let other = d.join("b.nshed");
    std::fs::copy(BASIN, &other).unwrap();
    let before = std::fs::read(&other).unwrap();
    let refusal = "the output `b.nshed` holds a nshed model: writing it would replace the model";
    for args in [
        &["run", "m.nshed", "--save", "b.nshed"][..],
        &["run", "m.nshed", "--record", "b.nshed"],
        &["draw", "m.nshed", "--svg", "b.nshed"],
        &["info-plane", "m.nshed", "--csv", "b.nshed"],
        &["gen", "--levels", "3", "-o", "b.nshed"],
    ] {
        let out = nshed_in(d, args, "");
        refused(&out, 3, refusal);
        refused(&out, 3, "nshed::io::output_is_model");
        refused(&out, 3, "(`--force` replaces it anyway)");
        assert_eq!(std::fs::read(&other).unwrap(), before, "{args:?}");
    }
    let out = nshed_in(d, &["repl", "m.nshed"], ":save b.nshed\n");
    refused(&out, 1, refusal);
    assert_eq!(std::fs::read(&other).unwrap(), before);
    // Forced, it is written.
    let out = nshed_in(d, &["draw", "m.nshed", "--svg", "b.nshed", "--force"], "");
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(std::fs::read_to_string(&other).unwrap().contains("<svg"));
    // So is an output over an input.
    let out = nshed_in(
        d,
        &[
            "run",
            "m.nshed",
            "--save",
            "m.nshed",
            "--force",
            "--no-train",
        ],
        "",
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(std::fs::read_to_string(d.join("m.nshed"))
        .unwrap()
        .contains("nshed_state"));
}

#[test]
fn bless_never_writes_through_a_symbolic_link() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::create_dir(d.join("models")).unwrap();
    model_copy(&d.join("models"));
    std::fs::write(d.join("victim.txt"), "keep me\n").unwrap();
    std::os::unix::fs::symlink("../victim.txt", d.join("models/m.golden.json")).unwrap();
    let out = nshed_in(d, &["test", "--bless", "models"], "");
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    assert!(
        unwrapped(&stdout(&out)).contains(
            "golden report models/m.golden.json was not written: it is a symbolic link (to `../victim.txt`); nshed does not write golden reports through links"
        ),
        "{}",
        stdout(&out)
    );
    assert_eq!(
        std::fs::read_to_string(d.join("victim.txt")).unwrap(),
        "keep me\n"
    );
    assert!(std::fs::symlink_metadata(d.join("models/m.golden.json"))
        .unwrap()
        .file_type()
        .is_symlink());
    // Nor with --force.
    let out = nshed_in(d, &["test", "--bless", "--force", "models"], "");
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    assert_eq!(
        std::fs::read_to_string(d.join("victim.txt")).unwrap(),
        "keep me\n"
    );
}

#[test]
fn bless_replaces_a_golden_that_holds_a_model_only_when_forced() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    model_copy(d);
    std::fs::copy(BASIN, d.join("m.golden.json")).unwrap();
    let out = nshed_in(d, &["test", "--bless", "m.nshed"], "");
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    assert!(
        unwrapped(&stdout(&out)).contains("the output `m.golden.json` holds a nshed model"),
        "{}",
        stdout(&out)
    );
    let out = nshed_in(d, &["test", "--bless", "--force", "m.nshed"], "");
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    let golden: serde_json::Value =
        serde_json::from_slice(&std::fs::read(d.join("m.golden.json")).unwrap()).unwrap();
    assert_eq!(golden["model"], "fig1");
}

#[test]
fn saves_leave_no_temporary_file_behind() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    model_copy(d);
    for args in [
        &["run", "m.nshed", "--save", "s.json", "--record", "r.jsonl"][..],
        &["draw", "m.nshed", "--svg", "g.svg"],
        &["le-matrix", "m.nshed", "--svg", "le.svg"],
    ] {
        let out = nshed_in(d, args, "");
        assert!(out.status.success(), "{args:?}: {}", stderr(&out));
    }
    let mut names: Vec<String> = std::fs::read_dir(d)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names, ["g.svg", "le.svg", "m.nshed", "r.jsonl", "s.json"]);
}

// ------------------------------------------------------------------ walking directories

#[test]
fn fmt_never_follows_links_to_directories() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::create_dir(d.join("sub")).unwrap();
    let messy = std::fs::read_to_string(FIG1)
        .unwrap()
        .replace("\n  ", "\n      ");
    std::fs::write(d.join("a.nshed"), &messy).unwrap();
    std::fs::write(d.join("sub/b.nshed"), &messy).unwrap();
    std::os::unix::fs::symlink(".", d.join("self1")).unwrap();
    std::os::unix::fs::symlink(".", d.join("self2")).unwrap();
    std::os::unix::fs::symlink("..", d.join("sub/up")).unwrap();
    let out = nshed_in(d, &["fmt", "--check", "."], "");
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    // Each file once, however many links lead back to it.
    assert_eq!(stdout(&out), "a.nshed\nsub/b.nshed\n");
    let out = nshed_in(d, &["fmt", "."], "");
    assert!(out.status.success(), "{}", stderr(&out));
    let out = nshed_in(d, &["fmt", "--check", ".", "sub", "a.nshed"], "");
    assert!(out.status.success(), "{}", stderr(&out));
}

#[test]
fn file_names_that_are_not_utf8_are_formatted_and_tested() {
    use std::os::unix::ffi::OsStrExt;
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let name = std::ffi::OsStr::from_bytes(b"caf\xe9.nshed");
    let messy = std::fs::read_to_string(FIG1)
        .unwrap()
        .replace("\n  ", "\n      ");
    std::fs::write(d.join(name), &messy).unwrap();
    let out = nshed_in(d, &["fmt", "--check", "."], "");
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert_eq!(stdout(&out), "caf\u{fffd}.nshed\n");
    let out = nshed_in(d, &["fmt", "."], "");
    assert!(out.status.success(), "{}", stderr(&out));
    let formatted = std::fs::read_to_string(d.join(name)).unwrap();
    assert_ne!(formatted, messy);
    let out = nshed_in(d, &["test", "--bless", "."], "");
    assert!(out.status.success(), "{}", stdout(&out));
    // The golden report keeps the model's own (non-UTF-8) name.
    let golden = std::ffi::OsStr::from_bytes(b"caf\xe9.golden.json");
    assert!(d.join(golden).is_file());
    let out = nshed_in(d, &["test", "."], "");
    assert!(out.status.success(), "{}", stdout(&out));
    assert!(stdout(&out).contains("golden matches"), "{}", stdout(&out));
}

// ------------------------------------------------------------------ JSON

#[test]
fn json_spans_of_invalid_utf8_count_bytes_of_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let mut bytes = b"model m { level input { a } classes { A <- a } }\n// caf".to_vec();
    bytes.push(0xe9);
    bytes.extend_from_slice(" \u{e9}t\u{e9}\n".as_bytes());
    let path = dir.path().join("latin1.nshed");
    std::fs::write(&path, &bytes).unwrap();
    let out = nshed(&["check", "--error-format", "json", path.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let diagnostic: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(diagnostic["code"], "nshed::io::not_utf8");
    let at = bytes.iter().position(|&b| b == 0xe9).unwrap();
    let label = &diagnostic["labels"][0];
    assert_eq!(label["start"]["offset"], at);
    assert_eq!(label["end"]["offset"], at + 1);
    assert_eq!(label["start"]["line"], 2);
    assert_eq!(label["start"]["column"], 7);
    assert_eq!(label["message"], format!("byte {at} is not UTF-8").as_str());
}

#[test]
fn fmt_check_with_json_errors_prints_json_only() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let messy = std::fs::read_to_string(FIG1)
        .unwrap()
        .replace("level parts", "level   parts");
    std::fs::write(d.join("a.nshed"), &messy).unwrap();
    std::fs::copy(FIG1, d.join("b.nshed")).unwrap();
    let out = nshed_in(d, &["fmt", "--check", "--error-format", "json", "."], "");
    assert_eq!(out.status.code(), Some(1));
    let lines: Vec<serde_json::Value> = stdout(&out)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 1, "{}", stdout(&out));
    let d0 = &lines[0];
    assert_eq!(d0["file"], "a.nshed");
    assert_eq!(d0["code"], "nshed::fmt::not_formatted");
    assert_eq!(d0["severity"], "error");
    let line = messy
        .lines()
        .position(|l| l.contains("level   parts"))
        .unwrap()
        + 1;
    assert_eq!(d0["labels"][0]["start"]["line"], line);
    assert_eq!(d0["labels"][0]["start"]["column"], 1);
}

// ------------------------------------------------------------------ numbers

#[test]
fn a_written_constant_is_reported_exactly() {
    let dir = tempfile::tempdir().unwrap();
    let text = format!(
        "{}init {{ lambda x1 = 3  lambda x2 = 0.1  eta x1->A = 7 }}\n",
        "model m { level input { x1 x2 } classes { A <- x1, x2 } }\n"
    );
    assert_ne!(3f64.ln().exp(), 3.0, "the case this test is about");
    assert_ne!(7f64.ln().exp(), 7.0, "the case this test is about");
    let path = write(dir.path(), "c.nshed", &text);
    let out = nshed(&["run", &path, "--json", "--no-train"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["lambda"]["x1"].as_f64(), Some(3.0));
    assert_eq!(report["lambda"]["x2"].as_f64(), Some(0.1));
    assert_eq!(report["eta"]["x1->A"].as_f64(), Some(7.0));
    assert_eq!(report["ln_lambda"]["x1"].as_f64(), Some(3f64.ln()));
    // The REPL's `show` says the same.
    let out = nshed_stdin(&["repl", "--json", &path], b"show lambda x1\n");
    assert!(out.status.success(), "{}", stderr(&out));
    let last: serde_json::Value =
        serde_json::from_str(stdout(&out).lines().last().unwrap()).unwrap();
    assert_eq!(last["lambda"][0]["lambda"].as_f64(), Some(3.0), "{last}");
    // Once trained, a value that moved is exp of its log.
    let trained = format!("{text}data {{ s: x1 -> A }}\ntrain {{ phase p {{ steps 1 }} }}\n");
    let path = write(dir.path(), "t.nshed", &trained);
    let out = nshed(&["run", &path, "--json"]);
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let ln = report["ln_lambda"]["x1"].as_f64().unwrap();
    assert_eq!(ln, 3f64.ln() + 1.1f64.ln());
    assert_eq!(report["lambda"]["x1"].as_f64(), Some(ln.exp()));
}

#[test]
fn a_step_lost_to_rounding_is_warned_about() {
    let dir = tempfile::tempdir().unwrap();
    let text = "model m { level input { x1 x2 } classes { A <- x1, x2 } }\n\
                init { lambda x1 = lognormal(1e16, 0)  lambda x2 = lognormal(1e15, 0) }\n\
                rules { grow = mul 1.1 }\n\
                data { s: x1 -> A }\ntrain { phase p { steps 1000 } }\n";
    let path = write(dir.path(), "r.nshed", text);
    let out = nshed(&["check", "--error-format", "json", &path]);
    assert!(out.status.success(), "{}", stderr(&out));
    let warnings: Vec<serde_json::Value> = stdout(&out)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .filter(|w: &serde_json::Value| w["code"] == "nshed::check::lost_to_rounding")
        .collect();
    // Only x1's start: near 1e15, floats are 0.125 apart and 0.095 still shows.
    assert_eq!(warnings.len(), 1, "{}", stdout(&out));
    let w = &warnings[0];
    assert_eq!(w["severity"], "warning");
    assert_eq!(
        w["message"],
        "a step of `mul 1.1` adds 9.531e-2 to `ln lambda`, which starts near 1e16: the addition is lost to rounding"
    );
    let start = w["labels"][0]["start"]["offset"].as_u64().unwrap() as usize;
    assert!(text[start..].starts_with("lambda x1 = lognormal(1e16, 0)"));
    // And indeed: 1000 steps leave it where it was.
    let out = nshed(&["run", &path, "--json"]);
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["ln_lambda"]["x1"].as_f64(), Some(1e16));
}

// ------------------------------------------------------------------ hostile data files

/// A model whose data reads `d.csv` (the path at bytes 93..100 of the model, line 7).
const READS_D_CSV: &str = "model m {\n  level input { a b }\n  classes { c1 <- a  c2 <- b }\n}\n\
                           data {\n  s1: a -> c1\n  from \"d.csv\"\n}\n";

/// `nshed check --error-format json` of [`READS_D_CSV`] beside a `d.csv` made by `make`,
/// within 1 GiB of address space and 30 s: the first problem, as JSON (the model's
/// folder left out of its message).
fn check_data_file(make: impl FnOnce(&Path)) -> serde_json::Value {
    let dir = tempfile::tempdir().unwrap();
    let model = write(dir.path(), "m.nshed", READS_D_CSV);
    make(&dir.path().join("d.csv"));
    let started = std::time::Instant::now();
    let out = nshed_within(1024, &["check", &model, "--error-format", "json"]);
    assert!(started.elapsed().as_secs() < 30, "{:?}", started.elapsed());
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    // Messages name the file as the model's folder joined with its path.
    let folder = format!("{}/", dir.path().display());
    let first = stdout(&out)
        .lines()
        .next()
        .unwrap_or("")
        .replace(&folder, "");
    serde_json::from_str(&first).unwrap_or_else(|e| panic!("{e}: {first}"))
}

/// The problem is at the path of the `from` line, with this message.
#[track_caller]
fn on_from_line(problem: &serde_json::Value, message: &str) {
    assert_eq!(
        problem["file"].as_str().map(|f| f.ends_with("m.nshed")),
        Some(true)
    );
    assert_eq!(problem["code"], "nshed::data::read");
    assert_eq!(problem["message"], message);
    let label = &problem["labels"][0];
    assert_eq!(
        (
            label["start"]["offset"].as_u64(),
            label["end"]["offset"].as_u64()
        ),
        (Some(93), Some(100))
    );
    assert_eq!(label["start"]["line"], 7);
}

#[test]
fn hostile_data_files_are_refused_on_the_from_line() {
    // A sparse file of 10 GB: refused from its size, nothing read.
    let p = check_data_file(|path| {
        std::fs::File::create(path)
            .unwrap()
            .set_len(10 << 30)
            .unwrap();
    });
    on_from_line(
        &p,
        "cannot read `d.csv`: it is larger than the 1073741824 bytes nshed reads as a data file",
    );
    // A FIFO without a writer, and a link to /dev/zero: not regular files, never read.
    let p = check_data_file(mkfifo);
    on_from_line(
        &p,
        "cannot read `d.csv`: it is a named pipe (FIFO), not a regular file",
    );
    let p = check_data_file(|path| std::os::unix::fs::symlink("/dev/zero", path).unwrap());
    on_from_line(
        &p,
        "cannot read `d.csv`: it is a character device, not a regular file",
    );
    let p = check_data_file(|path| std::fs::create_dir(path).unwrap());
    on_from_line(&p, "cannot read `d.csv`: it is a directory");
    let p = check_data_file(|path| std::fs::write(path, b"label,a,b\nc1,1,\xff\n").unwrap());
    on_from_line(&p, "`d.csv` is not UTF-8 (byte 15 is not valid UTF-8)");
}

#[test]
fn a_line_of_10_mb_and_a_million_columns_are_reported_briefly() {
    // One cell of 10^7 characters: quoted cut short, pointing at the whole cell.
    let p = check_data_file(|path| {
        let cell = "1".repeat(10_000_000);
        std::fs::write(path, format!("label,a,b\nc1,{cell},0\n")).unwrap();
    });
    assert_eq!(p["file"].as_str().map(|f| f.ends_with("d.csv")), Some(true));
    assert_eq!(p["code"], "nshed::data::cell");
    let message = p["message"].as_str().unwrap();
    assert_eq!(message, format!("cell `{}…` is not 0 or 1", "1".repeat(40)));
    let label = &p["labels"][0];
    assert_eq!(label["start"]["offset"], 13);
    assert_eq!(label["end"]["offset"], 13 + 10_000_000);
    // 10^6 unknown columns: the first 100 problems and their count.
    let dir = tempfile::tempdir().unwrap();
    let model = write(dir.path(), "m.nshed", READS_D_CSV);
    let columns: Vec<String> = (0..1_000_000).map(|i| format!("x{i}")).collect();
    let zeros = vec!["0"; 1_000_000].join(",");
    let csv = format!("label,{}\nc1,{zeros}\n", columns.join(","));
    std::fs::write(dir.path().join("d.csv"), csv).unwrap();
    let out = nshed_within(1024, &["check", &model, "--error-format", "json"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let problems: Vec<serde_json::Value> = stdout(&out)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(problems.len(), 101);
    assert_eq!(problems[0]["message"], "unknown column `x0`");
    assert_eq!(
        problems[100]["message"],
        format!(
            "{} more problems in `{}` are not shown",
            1_000_000 - 100,
            dir.path().join("d.csv").display()
        )
    );
}
