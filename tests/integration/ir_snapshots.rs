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
    match nshed::compile(source) {
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
