//! The command line as a user meets it: exit codes and the exact text of CLI errors.

use crate::support::cli::{nshed, nshed_stdin};

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn check_reports_a_summary_per_file() {
    let out = nshed(&["check", "examples/fig1.nshed", "examples/fig4.nshed"]);
    assert_eq!(out.status.code(), Some(0), "stderr: {}", text(&out.stderr));
    insta::assert_snapshot!(text(&out.stdout));
}

#[test]
fn check_reads_stdin() {
    let src = std::fs::read("examples/fig1.nshed").expect("example exists");
    let out = nshed_stdin(&["check", "-"], &src);
    assert_eq!(out.status.code(), Some(0), "stderr: {}", text(&out.stderr));
    assert!(text(&out.stdout).starts_with("<stdin>: ok"));
}

#[test]
fn check_exits_1_on_model_errors_and_keeps_going() {
    let out = nshed_stdin(
        &["check", "-", "examples/fig1.nshed"],
        b"model m { level a { x } }\n",
    );
    assert_eq!(out.status.code(), Some(1));
    // The good file after the bad one is still checked.
    assert!(text(&out.stdout).contains("examples/fig1.nshed: ok"));
    insta::assert_snapshot!(text(&out.stderr));
}

#[test]
fn missing_file() {
    let out = nshed(&["check", "no/such/model.nshed"]);
    assert_eq!(out.status.code(), Some(1));
    insta::assert_snapshot!(text(&out.stderr));
}

#[test]
fn directory_instead_of_file() {
    let out = nshed(&["ir", "examples"]);
    assert_eq!(out.status.code(), Some(1));
    insta::assert_snapshot!(text(&out.stderr));
}

#[test]
fn no_file_is_a_usage_error() {
    let out = nshed(&["check"]);
    assert_eq!(out.status.code(), Some(2));
    insta::assert_snapshot!(text(&out.stderr));
}

#[test]
fn unknown_command_is_a_usage_error() {
    let out = nshed(&["chek", "examples/fig1.nshed"]);
    assert_eq!(out.status.code(), Some(2));
    insta::assert_snapshot!(text(&out.stderr));
}

#[test]
fn non_utf8_source() {
    let out = nshed_stdin(&["check", "-"], b"model m {\n  level a { x\xff }\n}\n");
    assert_eq!(out.status.code(), Some(1));
    insta::assert_snapshot!(text(&out.stderr));
}

#[test]
fn ir_prints_json_that_names_the_model() {
    let out = nshed(&["ir", "examples/fig1.nshed"]);
    assert_eq!(out.status.code(), Some(0), "stderr: {}", text(&out.stderr));
    let ir: serde_json::Value = serde_json::from_slice(&out.stdout).expect("nshed ir prints JSON");
    assert_eq!(ir["model"], "fig1");
    assert_eq!(ir["nodes"].as_array().map(Vec::len), Some(14));
    assert_eq!(ir["classes"].as_array().map(Vec::len), Some(3));
}

#[test]
fn help_lists_the_commands() {
    let out = nshed(&["--help"]);
    assert_eq!(out.status.code(), Some(0));
    let help = text(&out.stdout);
    // The first word of every line of the `Commands:` section, in order.
    let commands: Vec<&str> = help
        .split("Commands:\n")
        .nth(1)
        .expect("--help has a Commands section")
        .lines()
        .take_while(|line| line.starts_with("  "))
        .filter_map(|line| line.split_whitespace().next())
        .collect();
    let mut expected = crate::support::cli::COMMANDS.to_vec();
    expected.push("help");
    assert_eq!(commands, expected, "--help:\n{help}");
}

#[test]
fn repl_runs_a_script_from_stdin() {
    let script =
        b"// a comment line is skipped\npathway c1a\ntrain 8\nscores {e1\ne2}\npathway {e9}\n";
    let out = nshed_stdin(&["repl", "tests/models/fig1_plain.nshed"], script);
    // A script with a bad line still answers every line, and exits 1.
    assert_eq!(out.status.code(), Some(1));
    let stdout = text(&out.stdout);
    assert!(
        !stdout.contains("nshed>"),
        "no prompt when stdin is not a terminal:\n{stdout}"
    );
    assert!(!stdout.contains('\u{1b}'), "no colours when not a terminal");
    insta::assert_snapshot!(stdout);
    insta::assert_snapshot!(text(&out.stderr));
}

/// A diagnostic about a script names the script's line (`stdin:LINE:COLUMN`, the gutter
/// numbered like the script), also inside an input spanning lines.
#[test]
fn script_diagnostics_name_the_script_line() {
    let script = b"pathway c1a\n\n// comment\nstep {e1\n  e9}->c1\npathway c2\nshow lamda\n";
    let out = nshed_stdin(&["repl", "tests/models/fig1_plain.nshed"], script);
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(
        err.contains("[stdin:5:3]"),
        "e9 is on line 5, column 3:\n{err}"
    );
    assert!(
        err.contains(" 4 │ step {e1") && err.contains(" 5 │   e9}->c1"),
        "{err}"
    );
    assert!(err.contains("[stdin:7:6]"), "`lamda` is on line 7:\n{err}");
    assert!(!err.contains("input:1:1"), "{err}");
    assert!(
        text(&out.stdout).contains("pathway of c2"),
        "later lines still run"
    );
}

/// Twelve classes: the samples table splits its per-class columns into tables of at
/// most 120 columns, each naming its rows; `--json` keeps every class of a row together.
#[test]
fn run_tables_of_many_classes_fit_120_columns() {
    let out = nshed(&["run", "tests/models/many_classes.nshed"]);
    assert_eq!(out.status.code(), Some(0));
    let stdout = text(&out.stdout);
    let long: Vec<&str> = stdout.lines().filter(|l| l.chars().count() > 120).collect();
    assert!(long.is_empty(), "lines over 120 columns: {long:?}");
    let samples = stdout
        .split("\nsamples\n")
        .nth(1)
        .and_then(|s| s.split("\npathways\n").next())
        .expect("a samples section");
    let parts: Vec<&str> = samples.trim_end().split("\n\n").collect();
    assert!(parts.len() >= 3, "{samples}");
    let mut columns = Vec::new();
    for part in &parts {
        let header: Vec<&str> = part.lines().next().unwrap().split_whitespace().collect();
        assert_eq!(&header[..3], ["sample", "label", "predicted"], "{part}");
        // 24 samples under every header.
        assert_eq!(part.lines().count(), 25, "{part}");
        columns.extend(header[3..].iter().map(|h| h.to_string()));
    }
    let expected: Vec<String> = (0..12)
        .map(|c| format!("Z[c{c}]"))
        .chain((0..12).map(|c| format!("p[c{c}]")))
        .collect();
    assert_eq!(columns, expected);
    let json = nshed(&["run", "--json", "tests/models/many_classes.nshed"]);
    let report: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    let first = &report["samples"][0];
    assert_eq!(
        first["logits"].as_array().map(Vec::len),
        Some(12),
        "{first}"
    );
    assert_eq!(first["p"].as_array().map(Vec::len), Some(12), "{first}");
}

/// A script whose model has errors still runs to its end: `help` and `:load` answer, the
/// lines that need a model say so, and the exit code (1) says that something failed.
#[test]
fn a_script_goes_on_after_a_model_with_errors() {
    let script = b"help step\npathway c1a\n:load tests/models/fig1_plain.nshed\npredict c2\n";
    let out = nshed_stdin(&["repl", "tests/bad/unknown_child.nshed"], script);
    assert_eq!(out.status.code(), Some(1));
    let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
    assert!(stderr.contains("unknown node"), "{stderr}");
    assert!(
        stderr.contains("no model is loaded; fix tests/bad/unknown_child.nshed and `:reload`"),
        "{stderr}"
    );
    assert!(
        stderr.contains("[stdin:2:1]"),
        "line 2 needs a model:\n{stderr}"
    );
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines[0], "step [BATCH]", "{stdout}");
    assert!(
        stdout.contains("loaded model `fig1` from tests/models/fig1_plain.nshed: 4 levels, 17 nodes (3 classes), 4 samples; seed 0"),
        "{stdout}"
    );
    assert_eq!(
        lines.last(),
        Some(&"c2 {e3 e4 e5} -> c2: predicted c2 (p = 0.981135), correct"),
        "{stdout}"
    );
}

#[test]
fn repl_json_mode_prints_one_object_per_command() {
    let out = nshed_stdin(
        &["repl", "--json", "tests/models/fig1_plain.nshed"],
        b"predict c2\ntrain 3\n",
    );
    assert_eq!(out.status.code(), Some(0), "stderr: {}", text(&out.stderr));
    let lines: Vec<serde_json::Value> = text(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).expect("each line is one JSON object"))
        .collect();
    assert_eq!(lines.len(), 3, "load, predict, train");
    assert_eq!(lines[0]["command"], "load");
    assert_eq!(lines[1]["predicted"], "c2");
    assert_eq!(lines[2]["step"], 3);
}

#[test]
fn repl_with_a_bad_model_exits_1() {
    let out = nshed_stdin(&["repl", "tests/bad/unknown_child.nshed"], b"pathway c1a\n");
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("unknown node `e9`"));
}

#[test]
fn models_over_the_size_limits_are_refused() {
    let out = nshed(&["check", "--max-nodes", "10", "examples/fig1.nshed"]);
    assert_eq!(out.status.code(), Some(1));
    insta::assert_snapshot!(text(&out.stderr));
    let out = nshed(&["check", "examples/fig1.nshed", "--max-edges", "19"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("the model has 20 edges, more than the limit of 19"));
    let out = nshed(&["check", "examples/fig1.nshed", "--max-edges", "20"]);
    assert_eq!(out.status.code(), Some(0));
}

#[test]
fn bad_flag_values_are_usage_errors() {
    for args in [
        &["check", "--max-nodes", "lots", "examples/fig1.nshed"][..],
        &["run", "examples/fig1.nshed", "--seed", "-1"][..],
        &["run", "examples/fig1.nshed", "--stop-after", "1e3"][..],
        &["repl", "--jsn"][..],
    ] {
        let out = nshed(args);
        assert_eq!(
            out.status.code(),
            Some(2),
            "{args:?}: {}",
            text(&out.stderr)
        );
        let name = args.join("_").replace(['-', '/', '.'], "");
        insta::assert_snapshot!(name, text(&out.stderr));
    }
}

/// A file that exists but cannot be read (as root, permissions do not stop a read, so
/// this uses a file whose reads fail).
#[cfg(target_os = "linux")]
#[test]
fn unreadable_file() {
    let out = nshed(&["check", "/proc/self/mem"]);
    assert_eq!(out.status.code(), Some(1));
    insta::assert_snapshot!(text(&out.stderr));
}

/// The README's first command runs a model that learns: accuracy 0 before training (no
/// sample reaches a class), 1 after, in a report that fits a terminal.
#[test]
fn the_readmes_first_command_learns_and_reads_well() {
    let readme = std::fs::read_to_string("README.md").expect("README");
    let block = readme
        .split("```sh\n")
        .nth(1)
        .expect("the README has a sh block");
    let first = block.lines().next().expect("a first command");
    let args: Vec<&str> = first
        .strip_prefix("cargo run --release -- ")
        .expect("the first command runs nshed")
        .split_whitespace()
        .collect();
    let out = nshed(&args);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let report = text(&out.stdout);
    assert!(
        report.contains("\naccuracy 1 (4/4 samples)\nloss "),
        "{report}"
    );
    for line in report.lines() {
        assert!(line.chars().count() <= 100, "too wide: {line:?}");
    }
    insta::assert_snapshot!(report);
    let mut untrained = args.clone();
    untrained.push("--no-train");
    let report = text(&nshed(&untrained).stdout);
    assert!(
        report.ends_with(
            "accuracy 0 (0/4 samples; 4 reach no class, counted wrong)\nloss 1.098612\n"
        ),
        "{report}"
    );
    // No class reached: no prediction (`-`, JSON `null`), counted wrong, p uniform.
    let row = report
        .lines()
        .find(|l| l.trim_start().starts_with("red_apple  Apple"))
        .expect("the sample row");
    assert_eq!(row.split_whitespace().nth(2), Some("-"), "{report}");
    untrained.push("--json");
    let v: serde_json::Value = serde_json::from_slice(&nshed(&untrained).stdout).unwrap();
    assert_eq!(v["accuracy"], 0.0);
    for s in v["samples"].as_array().unwrap() {
        assert!(s["predicted"].is_null(), "{s}");
        assert_eq!(s["p"], serde_json::json!([1.0 / 3.0, 1.0 / 3.0, 1.0 / 3.0]));
    }
}
