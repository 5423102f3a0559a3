//! `nshed regularize` through the real binary on the Figure 4 model (SPEC 8).

use crate::support::cli::{nshed, ok_json};

const FIG4: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/fig4.nshed");

fn json(args: &[&str]) -> serde_json::Value {
    ok_json(nshed(args))
}

fn level<'a>(run: &'a serde_json::Value, name: &str) -> &'a serde_json::Value {
    run["levels"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["level"] == name)
        .expect("level")
}

#[test]
fn batch_one_gives_sparser_mid_level_than_full_batch() {
    let v = json(&["regularize", FIG4, "--batches", "1,8", "--json"]);
    assert_eq!(v["seed"], 1);
    let runs = v["runs"].as_array().unwrap();
    assert_eq!(runs.len(), 2);
    assert_eq!(runs[0]["batch"], 1);
    assert_eq!(runs[1]["batch"], 8);
    assert_eq!(runs[0]["steps"], 1500);
    let small = level(&runs[0], "mid")["effective_nodes"].as_f64().unwrap();
    let full = level(&runs[1], "mid")["effective_nodes"].as_f64().unwrap();
    assert!(small < full, "batch 1: {small}, batch 8: {full}");
    let share_small = level(&runs[0], "mid")["top_share"].as_f64().unwrap();
    let share_full = level(&runs[1], "mid")["top_share"].as_f64().unwrap();
    assert!(share_small > share_full);
    // Neural collapse: defined and tighter for batch 1 on this seed.
    let r1 = runs[0]["collapse"]["ratio"].as_f64().unwrap();
    let r8 = runs[1]["collapse"]["ratio"].as_f64().unwrap();
    assert!(r1 >= 0.0 && r8 >= 0.0);
    assert!(r1 < r8, "collapse ratio batch 1: {r1}, batch 8: {r8}");
}

#[test]
fn same_seed_is_reproducible_and_steps_override() {
    let a = json(&[
        "regularize",
        FIG4,
        "--batches",
        "2",
        "--steps",
        "100",
        "--json",
    ]);
    let b = json(&[
        "regularize",
        FIG4,
        "--batches",
        "2",
        "--steps",
        "100",
        "--json",
    ]);
    assert_eq!(a, b);
    assert_eq!(a["runs"][0]["steps"], 100);
}

#[test]
fn table_and_svg() {
    let dir = std::env::temp_dir().join(format!("nshed-regularize-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("reg.svg");
    let out = nshed(&[
        "regularize",
        FIG4,
        "--batches",
        "1,8",
        "--steps",
        "200",
        "--svg",
        path.to_str().unwrap(),
    ]);
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("effective nodes"));
    assert!(text.contains("neural collapse"));
    let svg = std::fs::read_to_string(&path).expect("svg written");
    let doc = roxmltree::Document::parse(&svg).expect("svg parses");
    assert_eq!(doc.root_element().tag_name().name(), "svg");
    assert!(svg.contains("batch 1") && svg.contains("batch 8"));
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn bad_batches_are_usage_errors() {
    for bad in ["", "0", "1,0", "1,,8", "x"] {
        let out = nshed(&["regularize", FIG4, "--batches", bad]);
        assert_eq!(out.status.code(), Some(2), "--batches '{bad}'");
    }
    let out = nshed(&["regularize", FIG4]);
    assert_eq!(out.status.code(), Some(2), "missing --batches");
}

#[test]
fn a_model_without_train_block_is_refused() {
    let plain = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/models/minimal.nshed");
    let text = std::fs::read_to_string(plain).unwrap();
    assert!(
        !text.contains("train {"),
        "minimal.nshed is meant to have no train block"
    );
    let out = nshed(&["regularize", plain, "--batches", "1"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no `train` block"));
}
