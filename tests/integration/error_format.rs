//! `--error-format json`: one JSON object per diagnostic on stdout, with exact positions.

use serde_json::{json, Value};

use crate::support::cli::{nshed, nshed_stdin};

/// The JSON lines of stdout, each parsed.
fn json_lines(stdout: &[u8]) -> Vec<Value> {
    String::from_utf8_lossy(stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON: {l}: {e}")))
        .collect()
}

#[test]
fn check_prints_one_object_per_problem_with_every_label() {
    let out = nshed(&[
        "check",
        "--error-format",
        "json",
        "tests/bad/duplicate_node.nshed",
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        json_lines(&out.stdout),
        vec![json!({
            "file": "tests/bad/duplicate_node.nshed",
            "code": "nshed::check::duplicate_name",
            "severity": "error",
            "message": "`a` is declared twice",
            "help": "node and class names are unique across the model: rename one",
            "labels": [
                {
                    "message": "declared again here",
                    "primary": true,
                    "start": {"offset": 46, "line": 3, "column": 15},
                    "end": {"offset": 47, "line": 3, "column": 16}
                },
                {
                    "message": "first declared here",
                    "primary": false,
                    "start": {"offset": 26, "line": 2, "column": 17},
                    "end": {"offset": 27, "line": 2, "column": 18}
                }
            ]
        })]
    );
    // The summary stays on stderr; nothing else is on stdout.
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "tests/bad/duplicate_node.nshed: 1 error\n"
    );
}

#[test]
fn columns_count_characters_and_offsets_count_bytes() {
    // `é` is two bytes and `𝄞` four: the bad `é` on line 3 starts at byte 38, column 17.
    let src = "model m {\n  // é𝄞\n  level a { x y é }\n}\n";
    let out = nshed_stdin(&["check", "--error-format", "json", "-"], src.as_bytes());
    assert_eq!(out.status.code(), Some(1));
    let lines = json_lines(&out.stdout);
    assert_eq!(lines.len(), 1);
    assert_eq!(lines[0]["file"], "<stdin>");
    assert_eq!(lines[0]["code"], "nshed::syntax");
    assert_eq!(
        lines[0]["labels"],
        json!([{
            "message": "here",
            "primary": true,
            "start": {"offset": 38, "line": 3, "column": 17},
            "end": {"offset": 40, "line": 3, "column": 18}
        }])
    );
}

#[test]
fn warnings_of_a_good_model_are_json_and_the_summary_goes_to_stderr() {
    let src = "model m {\n  level a { x y }\n  classes { c <- x }\n}\n";
    let out = nshed_stdin(&["check", "--error-format", "json", "-"], src.as_bytes());
    assert_eq!(out.status.code(), Some(0));
    let lines = json_lines(&out.stdout);
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert_eq!(lines[0]["severity"], "warning");
    assert_eq!(lines[0]["code"], "nshed::check::dead_node");
    assert_eq!(lines[0]["labels"][0]["start"]["offset"], 24);
    assert_eq!(lines[0]["labels"][0]["start"]["line"], 2);
    assert_eq!(lines[0]["labels"][0]["start"]["column"], 15);
    assert!(String::from_utf8_lossy(&out.stderr).starts_with("<stdin>: ok"));
}

#[test]
fn ir_and_run_report_problems_as_json() {
    for command in ["ir", "run"] {
        let out = nshed(&[
            command,
            "--error-format",
            "json",
            "tests/bad/unknown_child.nshed",
        ]);
        assert_eq!(out.status.code(), Some(1), "{command}");
        let lines = json_lines(&out.stdout);
        assert!(!lines.is_empty(), "{command}");
        assert!(lines.iter().all(|l| l["severity"] == "error"), "{command}");
        assert!(
            out.stderr.is_empty(),
            "{command}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

#[test]
fn a_missing_file_is_one_object_without_labels() {
    let out = nshed(&["check", "--error-format", "json", "no/such.nshed"]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        json_lines(&out.stdout),
        vec![json!({
            "file": "no/such.nshed",
            "code": "nshed::io",
            "severity": "error",
            "message": "cannot read `no/such.nshed`: no such file",
            "help": "check the path; `nshed check examples/fig1.nshed` is a model that exists",
            "labels": []
        })]
    );
}

#[test]
fn text_stays_the_default() {
    let out = nshed(&["check", "tests/bad/duplicate_node.nshed"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("× `a` is declared twice"), "{err}");
}

#[test]
fn an_unknown_format_is_a_usage_error() {
    let out = nshed(&["check", "--error-format", "xml", "examples/fig1.nshed"]);
    assert_eq!(out.status.code(), Some(2));
}
