//! `nshed gen` on the command line: output, atomic `-o`, and bad flags → exit code 2.

use crate::support::cli::nshed;

#[test]
fn writes_the_same_model_to_stdout_and_to_a_file() {
    let args = [
        "gen", "--levels", "3", "--width", "10", "--inputs", "12", "--seed", "5",
    ];
    let out = nshed(&args);
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("model generated {"));
    assert!(text.contains("level h2 {"));

    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("m.nshed");
    let path_str = path.to_str().unwrap();
    let mut with_o = args.to_vec();
    with_o.extend(["-o", path_str]);
    let out = nshed(&with_o);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(std::fs::read_to_string(&path).unwrap(), text);
    // Only the output is left: the temporary file was renamed.
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
}

#[test]
fn sized_generation_from_the_command_line() {
    let out = nshed(&["gen", "--nodes", "500", "--levels", "4", "--steps", "10"]);
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("steps 10 batch 8"));
}

#[test]
fn bad_flag_values_exit_with_code_2() {
    let cases: &[&[&str]] = &[
        &["gen", "--levels", "1"],
        &["gen", "--levels", "-3"],
        &["gen", "--width", "0"],
        &["gen", "--widths", "3,x"],
        &["gen", "--levels", "4", "--widths", "3"],
        &["gen", "--fan-in", "5..2"],
        &["gen", "--fan-in", "9", "--inputs", "4"],
        &["gen", "--mix", "any=0,all=0"],
        &["gen", "--mix", "most=1"],
        &["gen", "--classes", "0"],
        &["gen", "--prototypes", "0"],
        &["gen", "--pattern-size", "1000"],
        &["gen", "--samples-per-prototype", "0"],
        &["gen", "--noise", "2"],
        &["gen", "--noise", "nan"],
        &["gen", "--seed", "-1"],
        &["gen", "--steps", "x"],
        &["gen", "--batch", "0"],
        &["gen", "--nodes", "0"],
        &["gen", "--nodes", "100", "--width", "3"],
        &["gen", "--width", "99999999999"],
    ];
    for args in cases {
        let out = nshed(args);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
        // clap's own usage errors, or nshed's usage diagnostic.
        assert!(
            stderr.starts_with("error: ") || stderr.starts_with("nshed::usage"),
            "{args:?}: {stderr}"
        );
    }
}

#[test]
fn unwritable_output_is_an_io_error() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("missing-dir").join("m.nshed");
    let out = nshed(&["gen", "-o", path.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(3));
}

/// `--data`: the levels are wired from a CSV file's rows; the model names the file's inputs
/// and classes, reads its data with `from`, and every training row reaches its own class.
#[test]
fn wires_levels_from_a_data_file() {
    let dir = tempfile::tempdir().unwrap();
    // Two classes of 8 inputs: `left` rows fire inputs a..d, `right` rows e..h, one bit off.
    let mut csv = String::from("name,label,a,b,c,d,e,f,g,h\n");
    for i in 0..4 {
        let mut bits = [1, 1, 1, 1, 0, 0, 0, 0];
        bits[i] = 0;
        let row: Vec<String> = bits.iter().map(|b| b.to_string()).collect();
        csv.push_str(&format!("l{i},left,{}\n", row.join(",")));
        bits.reverse();
        let row: Vec<String> = bits.iter().map(|b| b.to_string()).collect();
        csv.push_str(&format!("r{i},right,{}\n", row.join(",")));
    }
    std::fs::write(dir.path().join("rows.csv"), &csv).unwrap();
    let model = dir.path().join("m.nshed");
    let gen = |out: &std::path::Path| {
        std::process::Command::new(env!("CARGO_BIN_EXE_nshed"))
            .current_dir(dir.path())
            .args([
                "gen", "--data", "rows.csv", "--levels", "3", "--width", "12",
            ])
            .args([
                "--fan-in", "2..3", "--seed", "4", "--steps", "5", "--batch", "2", "-o",
            ])
            .arg(out)
            .output()
            .unwrap()
    };
    let out = gen(&model);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = std::fs::read_to_string(&model).unwrap();
    assert!(
        text.contains("--data rows.csv --levels 3 --width 12"),
        "{text}"
    );
    assert!(
        text.contains("level input {\n    a b c d e f g h\n  }"),
        "{text}"
    );
    assert!(text.contains("data {\n  from \"rows.csv\"\n}"), "{text}");
    assert!(
        text.contains("    left <-") && text.contains("    right <-"),
        "{text}"
    );
    // Same flags, same file.
    let again = dir.path().join("again.nshed");
    assert!(gen(&again).status.success());
    assert_eq!(std::fs::read_to_string(&again).unwrap(), text);
    // The model checks and, before any training step, predicts every row's own class.
    let out = nshed(&["run", "--no-train", "--json", model.to_str().unwrap()]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["accuracy"], 1.0, "{report}");
}

#[test]
fn a_data_file_that_is_not_zero_one_is_a_usage_error() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bad.csv");
    std::fs::write(&path, "label,a,b\nyes,1,0\nno,0,2\n").unwrap();
    let out = nshed(&["gen", "--data", path.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("bad.csv:3: column `b` holds `2`, not 0 or 1"),
        "{err}"
    );
    let path = dir.path().join("nolabel.csv");
    std::fs::write(&path, "a,b\n1,0\n").unwrap();
    let out = nshed(&["gen", "--data", path.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("has no `label` column"));
}

/// scripts/digits_data.py writes the committed digits files byte for byte (only where
/// scikit-learn is installed: the script needs its bundled copy of the data).
#[test]
fn digits_data_script_regenerates_the_committed_files() {
    let python = std::env::var("NSHED_SKLEARN_PYTHON").unwrap_or_else(|_| "python3".into());
    let has_sklearn = std::process::Command::new(&python)
        .args(["-c", "import sklearn"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !has_sklearn {
        eprintln!("skipped: {python} has no scikit-learn (set NSHED_SKLEARN_PYTHON)");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let out = std::process::Command::new(&python)
        .arg(root.join("scripts/digits_data.py"))
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for name in ["digits_train.csv", "digits_test.csv"] {
        let made = std::fs::read(dir.path().join(name)).unwrap();
        let committed = std::fs::read(root.join("examples/data").join(name)).unwrap();
        assert!(made == committed, "{name} differs from the committed file");
    }
}
