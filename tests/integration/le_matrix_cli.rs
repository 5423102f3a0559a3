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

/// One number format: `nshed le` and `nshed le-matrix` print the same LE matrix with the
/// same text for every value (`1`, not `1.000000` in one and `1` in the other).
#[test]
fn le_and_le_matrix_print_the_same_numbers() {
    let cells = |text: &str| -> Vec<Vec<String>> {
        text.lines()
            .skip_while(|l| !l.trim_start().starts_with("base"))
            .skip(1)
            .take_while(|l| !l.trim().is_empty())
            .map(|l| l.split_whitespace().skip(1).map(str::to_string).collect())
            .collect()
    };
    let le = cells(&stdout(&nshed(&["le", FIG1])));
    let matrix = cells(&stdout(&nshed(&["le-matrix", FIG1])));
    assert_eq!(le.len(), 4);
    assert_eq!(le, matrix);
    assert_eq!(le[0][0], "1");
    assert!(le.iter().flatten().all(|c| c.len() <= 13), "{le:?}");
}

/// The class-pair table sizes its columns by what they hold: values such as 2.991812e17
/// do not push a row out of line.
#[test]
fn class_pair_columns_line_up() {
    let out = stdout(&nshed(&["le-matrix", FIG1]));
    let table: Vec<&str> = out
        .lines()
        .skip_while(|l| !l.starts_with("per class pair"))
        .skip(1)
        .collect();
    assert_eq!(table.len(), 1 + 7, "{out}");
    assert!(table.iter().any(|l| l.contains("e17")), "{out}");
    // Right-aligned number columns: every row ends where the header does, and each
    // column's right edge is the same in every row.
    let edges = |line: &str| -> Vec<usize> {
        let chars: Vec<char> = line.chars().collect();
        (0..chars.len())
            .filter(|&i| chars[i] != ' ' && chars.get(i + 1).is_none_or(|c| *c == ' '))
            .collect()
    };
    let header = edges(&table[0].replace("std dev", "std_dev"));
    for row in &table[1..] {
        let e = edges(row);
        assert_eq!(e[2..], header[2..], "{row:?} against {:?}", table[0]);
    }
}

/// Histogram count axes count in whole numbers (no `1.00`, `0.25`).
#[test]
fn histogram_count_axes_are_whole_numbers() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("le.svg");
    stdout(&nshed(&[
        "le-matrix",
        FIG1,
        "--svg",
        path.to_str().unwrap(),
    ]));
    let text = std::fs::read_to_string(&path).expect("svg written");
    let doc = roxmltree::Document::parse(&text).expect("svg parses");
    // The y-axis tick labels are the right-anchored numbers.
    let ticks: Vec<&str> = doc
        .descendants()
        .filter(|n| n.attribute("text-anchor") == Some("end"))
        .filter_map(|n| n.text())
        .filter(|t| t.parse::<f64>().is_ok())
        .collect();
    assert!(ticks.len() >= 6, "{ticks:?}");
    assert!(
        ticks.iter().all(|t| t.parse::<u64>().is_ok()),
        "count ticks: {ticks:?}"
    );
}
