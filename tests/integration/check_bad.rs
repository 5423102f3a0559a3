//! Every file in `tests/bad/` must fail to compile; the rendered diagnostics are
//! snapshotted so that a change in wording, span or help is reviewed.

use nshed::diag::{RenderStyle, Report};

/// Compiles `bytes` shown as `name`, its data files read from `tests/bad`.
fn compile_bytes(name: &str, bytes: Vec<u8>) -> Result<nshed::Compiled, Report> {
    nshed::compile_in(
        nshed::source::from_bytes(name, bytes)?,
        Some(std::path::Path::new("tests/bad")),
        &nshed::Limits::default(),
    )
}

#[test]
fn bad_files_report_errors() {
    insta::glob!("../bad", "*.nshed", |path| {
        let bytes = std::fs::read(path).expect("readable test file");
        let name = path
            .file_name()
            .map(|n| format!("bad/{}", n.to_string_lossy()))
            .unwrap_or_default();
        let report = match compile_bytes(&name, bytes) {
            Ok(_) => panic!("{name} compiled, but it is in tests/bad"),
            Err(report) => report,
        };
        assert!(report.has_errors(), "{name}: no error reported");
        insta::assert_snapshot!(report.render(RenderStyle::Plain));
    });
}

#[test]
fn several_problems_are_reported_together() {
    let bytes = std::fs::read("tests/bad/many_problems.nshed").expect("test file");
    let report = match compile_bytes("many_problems.nshed", bytes) {
        Ok(_) => panic!("many_problems.nshed compiled"),
        Err(report) => report,
    };
    let codes: Vec<&str> = report.problems.iter().map(|p| p.code.as_str()).collect();
    // unknown child e9, atleast 0, unknown parent q, lambda -1, grow mul 0.9, sample
    // input x not in the input level, label y not a class, batch 0, missing steps.
    assert_eq!(report.error_count(), 9, "{codes:#?}");
}
