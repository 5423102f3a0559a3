//! Whole-output snapshots of every command as a user runs it: the exact standard output,
//! standard error and exit code, and every file the command writes, on small models. A
//! change to any table, CSV, JSON document, figure or help text shows up here as a diff to
//! read. Paths of the temporary directory are redacted to `$TMP`; nothing else varies (every
//! run is seeded and no command prints a time).

use std::path::Path;
use std::process::{Command, Stdio};

use std::io::Write;

/// One invocation: `args` (with `$TMP` standing for a fresh temporary directory), optional
/// standard input, and the files under `$TMP` it writes whose contents join the snapshot.
struct Case {
    name: &'static str,
    args: &'static [&'static str],
    stdin: Option<&'static str>,
    files: &'static [&'static str],
}

const fn case(name: &'static str, args: &'static [&'static str]) -> Case {
    Case {
        name,
        args,
        stdin: None,
        files: &[],
    }
}

const fn writes(
    name: &'static str,
    args: &'static [&'static str],
    files: &'static [&'static str],
) -> Case {
    Case {
        name,
        args,
        stdin: None,
        files,
    }
}

/// Runs one case in a fresh temporary directory and renders everything it produced as one
/// text.
fn transcript(c: &Case) -> String {
    let tmp = tempfile::tempdir().unwrap();
    transcript_in(c.args, c.stdin, c.files, tmp.path())
}

/// Runs `nshed ARGS` with `$TMP` standing for `tmp` (commands that read what an earlier one
/// wrote share one directory) and renders its exit code, stdout, stderr and the `files`
/// under `tmp` it wrote as one text.
fn transcript_in(args: &[&str], stdin: Option<&str>, files: &[&str], tmp: &Path) -> String {
    let tmp_str = tmp.to_str().unwrap().to_string();
    let real_args: Vec<String> = args.iter().map(|a| a.replace("$TMP", &tmp_str)).collect();
    let mut child = Command::new(env!("CARGO_BIN_EXE_nshed"))
        .args(&real_args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("NO_COLOR", "1")
        .env("COLUMNS", "100")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut input = child.stdin.take().unwrap();
    if let Some(text) = stdin {
        input.write_all(text.as_bytes()).unwrap();
    }
    drop(input);
    let out = child.wait_with_output().unwrap();
    let redact = |s: &str| s.replace(&tmp_str, "$TMP");
    let mut text = format!("$ nshed {}\n", args.join(" "));
    text += &format!("--- exit {:?}\n", out.status.code());
    text += &format!(
        "--- stdout\n{}",
        redact(&String::from_utf8_lossy(&out.stdout))
    );
    text += &format!(
        "--- stderr\n{}",
        redact(&String::from_utf8_lossy(&out.stderr))
    );
    for f in files {
        let path = tmp.join(f);
        let bytes = std::fs::read(&path)
            .unwrap_or_else(|e| panic!("nshed {}: {f} was not written: {e}", args.join(" ")));
        text += &format!("--- file $TMP/{f}\n{}", describe(&path, &bytes));
    }
    text
}

/// A written file as text: itself, or for a PNG its signature and size (the pixels are
/// checked where images are tested).
fn describe(path: &Path, bytes: &[u8]) -> String {
    if path.extension().is_some_and(|e| e == "png") {
        assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n", "{}", path.display());
        let width = u32::from_be_bytes(bytes[16..20].try_into().unwrap());
        let height = u32::from_be_bytes(bytes[20..24].try_into().unwrap());
        return format!("PNG image {width} x {height}\n");
    }
    String::from_utf8(bytes.to_vec()).unwrap()
}

fn check_all(cases: &[Case]) {
    for c in cases {
        insta::assert_snapshot!(c.name, transcript(c));
    }
}

/// The help of the program and of every command.
#[test]
fn help_texts() {
    insta::assert_snapshot!("help", transcript(&case("help", &["--help"])));
    for cmd in crate::support::cli::COMMANDS {
        let args = [cmd, "--help"];
        let out = Command::new(env!("CARGO_BIN_EXE_nshed"))
            .args(args)
            .env("NO_COLOR", "1")
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0), "{cmd} --help");
        assert!(out.stderr.is_empty(), "{cmd} --help wrote to stderr");
        insta::assert_snapshot!(
            format!("help_{cmd}"),
            String::from_utf8(out.stdout).unwrap()
        );
    }
}

#[test]
fn check_ir_run_query() {
    check_all(&[
        case(
            "check",
            &["check", "examples/fig1.nshed", "examples/fruit.nshed"],
        ),
        case(
            "check_error_json",
            &[
                "check",
                "--error-format",
                "json",
                "tests/bad/unknown_child.nshed",
            ],
        ),
        case("ir", &["ir", "tests/models/minimal.nshed"]),
        case("run_table", &["run", "examples/fig1.nshed"]),
        case(
            "run_no_train",
            &["run", "--no-train", "examples/fruit.nshed"],
        ),
        case("run_json", &["run", "--json", "examples/fruit.nshed"]),
        writes(
            "run_record_csv",
            &[
                "run",
                "examples/fig1.nshed",
                "--record",
                "$TMP/r.csv",
                "--save",
                "$TMP/s.json",
            ],
            &["r.csv"],
        ),
        writes(
            "run_record_jsonl",
            &["run", "examples/fig1.nshed", "--record", "$TMP/r.jsonl"],
            &["r.jsonl"],
        ),
        case("le", &["le", "examples/fig1_le.nshed"]),
        case("le_json", &["le", "--json", "examples/fig1_le.nshed"]),
        case(
            "query_pathway",
            &["query", "examples/fig1.nshed", "pathway c1a"],
        ),
        case(
            "query_scores",
            &["query", "examples/fig1.nshed", "scores {e1 e2}"],
        ),
        case(
            "query_predict",
            &["query", "examples/fig1.nshed", "predict c3"],
        ),
        case(
            "query_le_json",
            &["query", "--json", "examples/fig1_le.nshed", "le c1a c2"],
        ),
        Case {
            name: "repl_script",
            args: &["repl", "examples/fig1.nshed"],
            stdin: Some("pathway c1a\ntrain 10\nscores c2\nshow lambda\n"),
            files: &[],
        },
    ]);
}

#[test]
fn analyses() {
    check_all(&[
        case("le_matrix_table", &["le-matrix", "examples/fig1_le.nshed"]),
        case(
            "le_matrix_csv",
            &["le-matrix", "--csv", "examples/fig1_le.nshed"],
        ),
        writes(
            "le_matrix_json_svg",
            &[
                "le-matrix",
                "--json",
                "examples/fig1_le.nshed",
                "--svg",
                "$TMP/le.svg",
            ],
            &["le.svg"],
        ),
        writes(
            "info_plane",
            &[
                "info-plane",
                "examples/fig4.nshed",
                "--csv",
                "$TMP/ip.csv",
                "--svg",
                "$TMP/ip.svg",
            ],
            &["ip.csv", "ip.svg"],
        ),
        case(
            "info_plane_json",
            &[
                "info-plane",
                "--json",
                "--repr",
                "lambda",
                "examples/fig4.nshed",
            ],
        ),
        writes(
            "regularize",
            &[
                "regularize",
                "examples/fig1.nshed",
                "--batches",
                "1,4",
                "--steps",
                "60",
                "--svg",
                "$TMP/reg.svg",
            ],
            &["reg.svg"],
        ),
        case(
            "regularize_json",
            &[
                "regularize",
                "--json",
                "examples/fig1.nshed",
                "--batches",
                "1,4",
                "--steps",
                "60",
            ],
        ),
        case(
            "draw_dot",
            &["draw", "--dot", "examples/fig1.nshed", "--input", "c2"],
        ),
        writes(
            "draw_svg",
            &["draw", "examples/fig1.nshed", "--svg", "$TMP/m.svg"],
            &["m.svg"],
        ),
        case(
            "gen",
            &[
                "gen",
                "--levels",
                "3",
                "--width",
                "4",
                "--inputs",
                "8",
                "--classes",
                "2",
                "--prototypes",
                "1",
                "--samples-per-prototype",
                "2",
                "--seed",
                "3",
                "--steps",
                "20",
            ],
        ),
    ]);
}

#[test]
fn experiments() {
    check_all(&[
        writes(
            "basin",
            &[
                "basin",
                "examples/basin.nshed",
                "--nodes",
                "p1,p3",
                "--range",
                "1e-3..1e3",
                "--log",
                "--outcome",
                "predictions",
                "--grid",
                "4",
                "--threads",
                "2",
                "--csv",
                "$TMP/b.csv",
                "--svg",
                "$TMP/b.svg",
                "--png",
                "$TMP/b.png",
            ],
            &["b.csv", "b.svg", "b.png"],
        ),
        case(
            "basin_json",
            &[
                "basin",
                "--json",
                "examples/basin.nshed",
                "--nodes",
                "p1,p3",
                "--range",
                "0.5..1.5",
                "--grid",
                "3",
            ],
        ),
        writes(
            "basin_uncertainty",
            &[
                "basin",
                "examples/basin.nshed",
                "--nodes",
                "p1,p3",
                "--range",
                "1e-3..1e3",
                "--log",
                "--outcome",
                "predictions",
                "--uncertainty",
                "--eps-count",
                "3",
                "--pairs",
                "100",
                "--eps",
                "0.1..2",
                "--csv",
                "$TMP/u.csv",
            ],
            &["u.csv"],
        ),
        writes(
            "fool_exhaustive",
            &[
                "fool",
                "examples/fool_tiny.nshed",
                "--exhaustive",
                "--csv",
                "$TMP/f.csv",
                "--svg",
                "$TMP/f.svg",
            ],
            &["f.csv", "f.svg"],
        ),
        case(
            "fool_json",
            &[
                "fool",
                "--json",
                "examples/fool_tiny.nshed",
                "--samples",
                "50",
                "--restarts",
                "2",
            ],
        ),
        writes(
            "fool_depths",
            &[
                "fool",
                "--depths",
                "3,4",
                "--models",
                "1",
                "--steps",
                "100",
                "--width",
                "8",
                "--inputs",
                "16",
                "--samples",
                "40",
                "--csv",
                "$TMP/fd.csv",
            ],
            &["fd.csv"],
        ),
        writes(
            "depth",
            &[
                "depth",
                "--depths",
                "2..3",
                "--seeds",
                "2",
                "--width",
                "8",
                "--inputs",
                "16",
                "--csv",
                "$TMP/d.csv",
                "--svg",
                "$TMP/d.svg",
            ],
            &["d.csv", "d.svg"],
        ),
        case(
            "depth_json_freeze",
            &[
                "depth",
                "--json",
                "examples/fig1.nshed",
                "--seeds",
                "2",
                "--init",
                "const,uniform",
                "--freeze",
                "2",
            ],
        ),
    ]);
}

/// A sharded sweep and its merge, with the shard files themselves.
#[test]
fn shards_and_merge() {
    let tmp = tempfile::tempdir().unwrap();
    let basin = |shard: &'static [&'static str]| {
        [
            "basin",
            "examples/basin.nshed",
            "--nodes",
            "p1,p3",
            "--range",
            "1e-3..1e3",
            "--log",
            "--outcome",
            "predictions",
            "--grid",
            "3",
            "--shard",
        ]
        .into_iter()
        .chain(shard.iter().copied())
        .collect::<Vec<_>>()
    };
    let shard1 = basin(&["1/2", "--out", "$TMP/s1.json"]);
    let shard2 = basin(&["2/2", "--out", "$TMP/s2.json"]);
    let text = [
        (shard1.as_slice(), &["s1.json"][..]),
        (shard2.as_slice(), &["s2.json"][..]),
        (&["merge", "$TMP/s1.json", "$TMP/s2.json"][..], &[][..]),
    ]
    .into_iter()
    .map(|(args, files)| transcript_in(args, None, files, tmp.path()))
    .collect::<String>();
    insta::assert_snapshot!("basin_shards_merge", text);
    // A shard of another range: the merge names the parameter and both values.
    let other: Vec<&str> = shard2
        .iter()
        .map(|a| match *a {
            "1e-3..1e3" => "1e-2..1e3",
            "$TMP/s2.json" => "$TMP/other.json",
            a => a,
        })
        .collect();
    let text = [
        (other.as_slice(), &[][..]),
        (&["merge", "$TMP/s1.json", "$TMP/other.json"][..], &[][..]),
    ]
    .into_iter()
    .map(|(args, files)| transcript_in(args, None, files, tmp.path()))
    .collect::<String>();
    insta::assert_snapshot!("basin_shards_merge_mixed", text);
}

#[test]
fn authoring_and_testing() {
    check_all(&[
        Case {
            name: "fmt_stdin",
            args: &["fmt", "-"],
            stdin: Some(
                "// a comment\nmodel m{level input{a b}\nlevel mid{x=any(a,b)}classes{A<-x}}\ndata{s: a->A}\n",
            ),
            files: &[],
        },
        case("fmt_check", &["fmt", "--check", "examples/fig1.nshed", "tests/models/minimal.nshed"]),
        case("test", &["test", "examples/fig1.nshed", "examples/fruit.nshed"]),
        case("test_json", &["test", "--json", "examples/fig1.nshed"]),
        case("completions_bash", &["completions", "bash"]),
    ]);
}
