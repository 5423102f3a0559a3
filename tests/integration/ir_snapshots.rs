//! Golden IR: every example and every test model compiles, and its IR (as `nshed ir`
//! prints it) is snapshotted. Adding a model is adding a file.

use nshed::diag::RenderStyle;

fn compile_to_json(path: &std::path::Path) -> String {
    let bytes = std::fs::read(path).expect("test model is readable");
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let source = nshed::source::from_bytes(&name, bytes).expect("test model is UTF-8");
    // Data files (`from "data/..."`) are read from the model's folder.
    match nshed::compile_in(source, path.parent(), &nshed::Limits::default()) {
        Ok(compiled) => serde_json::to_string_pretty(compiled.ir()).expect("IR serialises"),
        Err(report) => panic!(
            "{} does not compile:\n{}",
            name,
            report.render(RenderStyle::Plain)
        ),
    }
}

#[test]
fn examples_ir() {
    insta::glob!("../../examples", "*.nshed", |path| {
        // The digits example's IR (4000 nodes, 1797 samples) is megabytes: it is held to
        // its numbers by its expectations and the round trip below instead.
        if path.file_name().is_some_and(|n| n == "digits.nshed") {
            return;
        }
        insta::assert_snapshot!(compile_to_json(path));
    });
}

#[test]
fn test_models_ir() {
    insta::glob!("../models", "*.nshed", |path| {
        insta::assert_snapshot!(compile_to_json(path));
    });
}

#[test]
fn ir_round_trips_through_json() {
    insta::glob!("../../examples", "*.nshed", |path| {
        let json = compile_to_json(path);
        let ir: nshed::ir::Ir = serde_json::from_str(&json).expect("IR deserialises");
        assert_eq!(
            serde_json::to_string_pretty(&ir).expect("IR serialises"),
            json
        );
    });
}
