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
