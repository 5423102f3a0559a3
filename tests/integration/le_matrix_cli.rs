//! `nshed le-matrix` through the real binary: SPEC 8's local-elasticity row, CSV shape, SVG.

use crate::support::cli::nshed;
use std::process::Output;

const FIG1: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/models/fig1_plain.nshed");

fn stdout(out: &Output) -> String {
    assert!(
        out.status.success(),
        "nshed failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout.clone()).expect("utf-8")
}

#[test]
fn json_has_spec8_row_of_c1a_and_class_pair_stats() {
    let out = stdout(&nshed(&["le-matrix", FIG1, "--json"]));
    let v: serde_json::Value = serde_json::from_str(&out).expect("json");
    assert_eq!(v["step"], 200);
    let samples: Vec<&str> = v["samples"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_str().unwrap())
        .collect();
    assert_eq!(samples, ["c1a", "c1b", "c2", "c3"]);
    let row: Vec<f64> = v["matrix"][0]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_f64().unwrap())
        .collect();
    let expected = [1.0, 1.4264, 0.4264, 0.0];
    for (got, want) in row.iter().zip(expected) {
        assert!((got - want).abs() < 1e-3, "row of c1a: {row:?}");
    }
    let pairs = v["class_pairs"].as_array().unwrap();
    let c1c1 = pairs
        .iter()
        .find(|p| p["base_class"] == "c1" && p["test_class"] == "c1")
        .expect("pair c1/c1");
    // Diagonal left out: c1a->c1b and c1b->c1a.
    assert_eq!(c1c1["count"], 2);
    assert_eq!(c1c1["undefined"], 0);
    let mean = c1c1["mean"].as_f64().unwrap();
    let a = v["matrix"][0][1].as_f64().unwrap();
    let b = v["matrix"][1][0].as_f64().unwrap();
    assert!((mean - (a + b) / 2.0).abs() < 1e-12);
    let sd = c1c1["std_dev"].as_f64().unwrap();
    assert!((sd - (a - b).abs() / 2.0).abs() < 1e-12);
}

#[test]
fn csv_is_a_square_matrix_with_header() {
    let out = stdout(&nshed(&["le-matrix", FIG1, "--csv"]));
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 5);
    assert_eq!(lines[0], "base,c1a,c1b,c2,c3");
    for (line, name) in lines[1..].iter().zip(["c1a", "c1b", "c2", "c3"]) {
        let fields: Vec<&str> = line.split(',').collect();
        assert_eq!(fields.len(), 5, "{line}");
        assert_eq!(fields[0], name);
        for f in &fields[1..] {
            f.parse::<f64>().expect("a number");
        }
    }
    let c1a: Vec<f64> = lines[1]
        .split(',')
        .skip(1)
        .map(|f| f.parse().unwrap())
        .collect();
    assert!((c1a[1] - 1.4264).abs() < 1e-3);
}

#[test]
fn table_names_every_sample() {
    let out = stdout(&nshed(&["le-matrix", FIG1]));
    assert!(out.contains("step 200"));
    for name in ["c1a", "c1b", "c2", "c3"] {
        assert!(out.contains(name));
    }
    assert!(out.contains("per class pair"));
}

#[test]
fn svg_is_written_and_parses() {
    let dir = std::env::temp_dir().join(format!("nshed-le-matrix-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("le.svg");
    let p = path.to_str().unwrap();
    stdout(&nshed(&[
        "le-matrix",
        FIG1,
        "--svg",
        p,
        "--bins",
        "10",
        "--json",
    ]));
    let text = std::fs::read_to_string(&path).expect("svg written");
    let doc = roxmltree::Document::parse(&text).expect("svg parses");
    assert_eq!(doc.root_element().tag_name().name(), "svg");
    // One panel per base class: titles mention each class.
    for class in ["c1", "c2", "c3"] {
        assert!(text.contains(&format!("Updated with class {class}")));
    }
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn zero_bins_is_a_usage_error() {
    let out = nshed(&["le-matrix", FIG1, "--bins", "0"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn json_and_csv_conflict() {
    let out = nshed(&["le-matrix", FIG1, "--json", "--csv"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn log_histograms_span_the_decades() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("le_log.svg");
    let p = path.to_str().unwrap();
    stdout(&nshed(&["le-matrix", FIG1, "--svg", p, "--log"]));
    let text = std::fs::read_to_string(&path).expect("svg written");
    let doc = roxmltree::Document::parse(&text).expect("svg parses");
    let texts: Vec<&str> = doc.descendants().filter_map(|n| n.text()).collect();
    assert!(texts.contains(&"log10 LE(x, x')"), "{texts:?}");
    // LE(c1a, c3) ~ 2.75e-18 and LE(c3, c1b) ~ 4e17: the axis reaches both ends.
    assert!(texts.contains(&"-20"), "{texts:?}");
    assert!(texts.contains(&"20"), "{texts:?}");
}
