//! `nshed fool` through the real binary: fooling rates and smallest fooling patterns checked
//! against hand-computed values and against enumeration, collapse counts, reproducibility
//! across thread counts, and shards + merge = the unsharded run.

use crate::support::cli::{nshed, nshed_stdin, ok_json, ok_stdout};

const FIG1: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/fig1.nshed");

/// Four inputs; `A` counts how many of `a, b` fire, `C` is 2 when `c` and `d` both fire.
/// By hand (threshold 0.85, d >= 2): of the 16 patterns, 10 lie within distance 1 of the
/// training patterns `{a}` and `{c d}`, so 6 are far: `{b} {b c} {b d} {a b c} {a b d}
/// {a b c d}`. A pattern is classified with p >= 0.85 only when the logits differ by 2
/// (p = e^2 / (e^2 + 1) = 0.880797): `{a b}`, `{a b c}`, `{a b d}` (A) and `{c d}` (C), of
/// which `{a b c}` and `{a b d}` are far: fooling rate 2/6. C wins (C > A) for `{c d}`,
/// `{a c d}`, `{b c d}`; `{}`, `{c}` and `{d}` reach no class (no prediction); A wins for
/// the other 10. Level mid fires `ma` iff a or b, `mc` iff c and d: 4 distinct pathways.
const TINY: &str = "model tiny {
  level input { a b c d }
  level mid {
    ma = any(a, b)
    mc = all(c, d)
  }
  classes {
    A <- ma
    C <- mc
  }
}
data {
  x: a -> A
  y: c d -> C
}
";

fn class<'a>(v: &'a serde_json::Value, name: &str) -> &'a serde_json::Value {
    v["classes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["class"] == name)
        .expect("class")
}

#[test]
fn tiny_model_exhaustive_counts_match_the_hand_computation() {
    let v = ok_json(nshed_stdin(
        &["fool", "-", "--exhaustive", "--threshold", "0.85", "--json"],
        TINY.as_bytes(),
    ));
    assert_eq!(v["mode"], "exhaustive");
    assert_eq!(v["trained"], false);
    assert_eq!(v["drawn"], 16);
    assert_eq!(v["far"], 6);
    assert_eq!(v["fooled"], 2);
    assert!((v["fooling_rate"].as_f64().unwrap() - 1.0 / 3.0).abs() < 1e-12);
    assert_eq!(v["distinct_classes"], 2);
    assert_eq!(v["distinct_pathways"], 4);
    assert_eq!(v["no_class"], 3);
    let a = class(&v, "A");
    assert_eq!(a["predicted"], 10);
    assert_eq!(a["fooled"], 2);
    assert_eq!(a["smallest"]["size"], 3);
    assert_eq!(a["smallest"]["pattern"], serde_json::json!(["a", "b", "c"]));
    assert_eq!(a["smallest"]["distance"], 2);
    let e2 = std::f64::consts::E.powi(2);
    assert!((a["smallest"]["p"].as_f64().unwrap() - e2 / (e2 + 1.0)).abs() < 1e-9);
    let c = class(&v, "C");
    assert_eq!(c["predicted"], 3);
    assert_eq!(c["fooled"], 0);
    assert!(c["smallest"]["pattern"].is_null(), "{c}");
    // At d >= 1 the near patterns are only the two training ones (14 far), and {a b} fools too.
    let v = ok_json(nshed_stdin(
        &[
            "fool",
            "-",
            "--exhaustive",
            "--threshold",
            "0.85",
            "--min-distance",
            "1",
            "--json",
        ],
        TINY.as_bytes(),
    ));
    assert_eq!(
        (v["far"].as_u64(), v["fooled"].as_u64()),
        (Some(14), Some(3))
    );
    assert_eq!(
        class(&v, "A")["smallest"]["pattern"],
        serde_json::json!(["a", "b"])
    );
}

#[test]
fn random_patterns_estimate_the_exact_rate_and_the_search_finds_the_minimum() {
    let v = ok_json(nshed_stdin(
        &[
            "fool",
            "-",
            "--samples",
            "4000",
            "--threshold",
            "0.85",
            "--json",
            "--seed",
            "5",
        ],
        TINY.as_bytes(),
    ));
    assert_eq!(v["mode"], "random");
    assert_eq!(v["drawn"], 4000);
    // 6 of 16 patterns are far: about 1500 of 4000, fooling rate about 1/3.
    let far = v["far"].as_u64().unwrap();
    assert!((1300..1700).contains(&far), "far {far}");
    let rate = v["fooling_rate"].as_f64().unwrap();
    assert!((rate - 1.0 / 3.0).abs() < 0.05, "rate {rate}");
    assert_eq!(v["smallest_by"], "search");
    assert_eq!(class(&v, "A")["smallest"]["size"], 3);
    assert!(class(&v, "C")["smallest"]["pattern"].is_null());
}

#[test]
fn search_matches_enumeration_on_trained_fig1() {
    let search = ok_json(nshed(&["fool", FIG1, "--json"]));
    let exact = ok_json(nshed(&["fool", FIG1, "--exhaustive", "--json"]));
    assert_eq!(exact["drawn"], 128);
    for name in ["c1", "c2", "c3"] {
        let s = &class(&search, name)["smallest"];
        let e = &class(&exact, name)["smallest"];
        assert_eq!(s["size"], e["size"], "class {name}: search {s}, exact {e}");
    }
    // Trained fig1: c1 and c3 have fooling patterns of two inputs, c2 none.
    assert_eq!(class(&exact, "c1")["smallest"]["size"], 2);
    assert_eq!(class(&exact, "c3")["smallest"]["size"], 2);
    assert!(class(&exact, "c2")["smallest"]["pattern"].is_null());
    // Every random pattern lands in c1 or c3: the output collapses onto two classes.
    assert_eq!(exact["distinct_classes"], 2);
}

#[test]
fn same_bytes_for_one_and_four_threads_and_for_merged_shards() {
    let dir = tempfile::tempdir().unwrap();
    let one = ok_stdout(nshed(&["fool", FIG1, "--json", "--threads", "1"]));
    let four = ok_stdout(nshed(&["fool", FIG1, "--json", "--threads", "4"]));
    assert_eq!(one, four);
    let mut parts = Vec::new();
    for i in 1..=3 {
        let path = dir.path().join(format!("part{i}.json"));
        let path = path.to_str().unwrap().to_string();
        let shard = format!("{i}/3");
        ok_stdout(nshed(&["fool", FIG1, "--shard", &shard, "--out", &path]));
        parts.push(path);
    }
    let mut args = vec!["merge", "--json"];
    args.extend(parts.iter().rev().map(String::as_str));
    assert_eq!(ok_stdout(nshed(&args)), one);
}

#[test]
fn depth_sweep_is_reproducible_shardable_and_collapses() {
    let dir = tempfile::tempdir().unwrap();
    let base = [
        "fool",
        "--depths",
        "2..5",
        "--models",
        "2",
        "--samples",
        "300",
        "--width",
        "16",
        "--inputs",
        "32",
        "--json",
    ];
    let with = |extra: &[&str]| {
        let mut a: Vec<&str> = base.to_vec();
        a.extend_from_slice(extra);
        a.into_iter().map(String::from).collect::<Vec<_>>()
    };
    let run =
        |args: Vec<String>| ok_stdout(nshed(&args.iter().map(String::as_str).collect::<Vec<_>>()));
    let one = run(with(&["--threads", "1"]));
    assert_eq!(one, run(with(&["--threads", "4"])));
    let mut parts = Vec::new();
    for i in 1..=2 {
        let path = dir
            .path()
            .join(format!("d{i}.json"))
            .to_str()
            .unwrap()
            .to_string();
        run(with(&["--shard", &format!("{i}/2"), "--out", &path]));
        parts.push(path);
    }
    let mut args = vec!["merge", "--json"];
    args.extend(parts.iter().map(String::as_str));
    assert_eq!(ok_stdout(nshed(&args)), one);

    let v: serde_json::Value = serde_json::from_slice(&one).unwrap();
    let rows = v["depths"].as_array().unwrap();
    assert_eq!(rows.len(), 4);
    assert_eq!(v["models"].as_array().unwrap().len(), 8);
    for r in rows {
        assert_eq!(r["models"], 2);
        let classes = r["distinct_classes"].as_f64().unwrap();
        assert!((1.0..=4.0).contains(&classes));
        if let Some(rate) = r["fooling_rate"].as_f64() {
            assert!((0.0..=1.0).contains(&rate));
        }
    }
    // With two levels, level L-1 is the input level: every distinct random pattern of 32
    // inputs is its own pathway (300 draws from 2^32 patterns do not repeat).
    assert_eq!(rows[0]["distinct_pathways"], 300.0);
    // Deeper models funnel the same random inputs into far fewer pathways.
    let deepest = rows[3]["distinct_pathways"].as_f64().unwrap();
    assert!(deepest < 150.0, "{deepest}");
}

#[test]
fn bad_input_gets_a_clear_error_and_exit_code() {
    let out = nshed(&["fool", FIG1, "--threshold", "1.5"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("probability threshold"));
    let out = nshed(&["fool", "--depths", "2..4", "--exhaustive"]);
    assert_eq!(out.status.code(), Some(2));
    let out = nshed(&["fool"]);
    assert_eq!(out.status.code(), Some(2));
    let out = nshed(&["fool", "/nonexistent/model.nshed"]);
    assert_eq!(out.status.code(), Some(1));
    let out = nshed(&["fool", "--depths", "2", "--inputs", "8", "--width", "0"]);
    assert_eq!(out.status.code(), Some(2));
    // A fan-in larger than the input level cannot make a model.
    let out = nshed(&["fool", "--depths", "3", "--inputs", "2", "--fan-in", "3..4"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("fan-in"));
    // 26 inputs are too many to enumerate.
    let wide = "model w { level input { i0 i1 i2 i3 i4 i5 i6 i7 i8 i9 i10 i11 i12 i13 i14 i15 i16 i17 i18 i19 i20 i21 i22 i23 i24 i25 }\n level m { h = any(i0, i1) }\n classes { c <- h } }\n";
    let out = nshed_stdin(&["fool", "-", "--exhaustive"], wide.as_bytes());
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("2^26") && err.contains("help:"), "{err}");
}

#[test]
fn png_is_not_an_option_where_there_is_no_image() {
    let dir = tempfile::tempdir().unwrap();
    let png = dir.path().join("never-written.png");
    let png = png.to_str().unwrap();
    for args in [
        vec!["fool", FIG1, "--png", png],
        vec!["depth", "--depths", "2..3", "--png", png],
    ] {
        let out = nshed(&args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("unexpected argument '--png'"), "{err}");
        assert!(!std::path::Path::new(png).exists());
    }
    let help = String::from_utf8_lossy(&nshed(&["fool", "--help"]).stdout).into_owned();
    assert!(!help.contains("--png"), "{help}");
}
