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

/// The fooling rate of TINY's random patterns at density q, by hand: the far patterns are
/// `{b}` (probability q (1-q)^3), `{b c}`, `{b d}` (q^2 (1-q)^2 each), `{a b c}`, `{a b d}`
/// (q^3 (1-q) each, the two that fool at p >= 0.85) and `{a b c d}` (q^4).
fn tiny_rate(q: f64) -> f64 {
    let r = 1.0 - q;
    let fooled = 2.0 * q.powi(3) * r;
    fooled / (q * r.powi(3) + 2.0 * q * q * r * r + fooled + q.powi(4))
}

#[test]
fn the_rate_at_any_density_matches_the_hand_computation_and_the_controls_are_reported() {
    for (density, q) in [("0.3", 0.3), ("data", 0.375)] {
        let v = ok_json(nshed_stdin(
            &[
                "fool",
                "-",
                "--samples",
                "20000",
                "--density",
                density,
                "--threshold",
                "0.85",
                "--json",
            ],
            TINY.as_bytes(),
        ));
        // The training patterns {a} and {c d} fire 3 of 8 inputs: density 0.375.
        assert!((v["density"].as_f64().unwrap() - q).abs() < 1e-12, "{v}");
        assert_eq!(v["density_from_data"], density == "data");
        let far = v["far"].as_f64().unwrap();
        let rate = v["fooling_rate"].as_f64().unwrap();
        let expected = tiny_rate(q);
        let sd = (expected * (1.0 - expected) / far).sqrt();
        assert!(
            (rate - expected).abs() < 4.0 * sd,
            "density {q}: rate {rate}, expected {expected} ± {sd}"
        );
        // The control: x = {a} gets p = e / (e + 1) = 0.73 < 0.85, y = {c d} gets 0.88.
        assert_eq!(v["confident_data"], 0.5);
        // Every fooling pattern is A's.
        assert_eq!(v["top_class_share"], 1.0);
    }
    let text = String::from_utf8(ok_stdout(nshed_stdin(
        &["fool", "-", "--density", "data", "--threshold", "0.85"],
        TINY.as_bytes(),
    )))
    .unwrap();
    assert!(
        text.contains("(density 0.375, the training patterns' mean)"),
        "{text}"
    );
    assert!(
        text.contains("control: 0.5 of the model's own data samples are classified with p >= 0.85"),
        "{text}"
    );
    // Without data there is no data density.
    let out = nshed_stdin(
        &["fool", "-", "--density", "data"],
        TINY.replace("data {\n  x: a -> A\n  y: c d -> C\n}\n", "")
            .as_bytes(),
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("needs data samples"));
    let out = nshed(&["fool", FIG1, "--density", "dense"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("or `data`"));
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
fn the_report_and_figure_give_the_accuracy_of_the_judged_state() {
    // fig1 classifies its four samples at initialisation and three of them once trained.
    let trained = ok_json(nshed(&["fool", FIG1, "--samples", "100", "--json"]));
    assert_eq!(trained["accuracy"], 0.75);
    let initial = ok_json(nshed(&[
        "fool",
        FIG1,
        "--samples",
        "100",
        "--no-train",
        "--json",
    ]));
    assert_eq!(initial["accuracy"], 1.0);
    let dir = tempfile::tempdir().unwrap();
    let svg = dir.path().join("fool.svg");
    let text = String::from_utf8(ok_stdout(nshed(&[
        "fool",
        FIG1,
        "--samples",
        "100",
        "--svg",
        svg.to_str().unwrap(),
    ])))
    .unwrap();
    assert!(
        text.starts_with("fooling inputs of fig1 (seed 42, trained 5100 steps, accuracy 0.75)\n"),
        "{text}"
    );
    let svg = std::fs::read_to_string(&svg).unwrap();
    assert!(
        svg.contains("(d &gt;= 2, p &gt;= 0.99, accuracy 0.75)"),
        "{svg}"
    );
    // A model without data has no accuracy to give.
    let v = ok_json(nshed_stdin(
        &["fool", "-", "--exhaustive", "--json"],
        TINY.replace("data {\n  x: a -> A\n  y: c d -> C\n}\n", "")
            .as_bytes(),
    ));
    assert!(v["accuracy"].is_null(), "{v}");
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
    for r in rows {
        assert_eq!(r["models"], 2);
        assert_eq!(r["per_model"].as_array().unwrap().len(), 2);
        // The pooled rate lies in its bootstrap interval, and is the per-model counts'.
        if let Some(rate) = r["fooling_rate"].as_f64() {
            let [lo, hi] = [
                r["fooling_rate_ci95"][0].as_f64().unwrap(),
                r["fooling_rate_ci95"][1].as_f64().unwrap(),
            ];
            assert!(lo <= rate && rate <= hi, "{r}");
            let sum = |key: &str| -> u64 {
                r["per_model"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|m| m[key].as_u64().unwrap())
                    .sum()
            };
            assert_eq!(
                (sum("fooled"), sum("far")),
                (r["fooled"].as_u64().unwrap(), r["far"].as_u64().unwrap())
            );
        }
        let confident = r["confident_data"].as_f64().unwrap();
        assert!((0.0..=1.0).contains(&confident));
        // The excess over the data is the difference of the two pooled rates, in its interval.
        if let Some(rate) = r["fooling_rate"].as_f64() {
            let excess = r["excess_over_data"].as_f64().unwrap();
            assert!((excess - (rate - confident)).abs() < 1e-12, "{r}");
            let ci = &r["excess_over_data_ci95"];
            assert!(
                ci[0].as_f64().unwrap() <= excess && excess <= ci[1].as_f64().unwrap(),
                "{r}"
            );
        }
        // The generated models classify their own data (they are wired from it).
        if r["depth"].as_u64().unwrap() >= 3 {
            let accuracy = r["accuracy"].as_f64().unwrap();
            assert!(accuracy >= 0.9, "{r}");
        }
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
fn training_seeds_add_runs_of_the_same_structures() {
    let base = [
        "fool",
        "--depths",
        "3,6",
        "--models",
        "2",
        "--samples",
        "200",
        "--width",
        "16",
        "--inputs",
        "32",
        "--steps",
        "200",
        "--density",
        "data",
        "--json",
    ];
    let with = |extra: &[&str]| {
        let mut a: Vec<&str> = base.to_vec();
        a.extend_from_slice(extra);
        ok_json(nshed(&a))
    };
    let one = with(&[]);
    let three = with(&["--train-seeds", "3"]);
    assert_eq!(three["train_seeds"], 3);
    for (r1, r3) in one["depths"]
        .as_array()
        .unwrap()
        .iter()
        .zip(three["depths"].as_array().unwrap())
    {
        let (m1, m3) = (
            r1["per_model"].as_array().unwrap(),
            r3["per_model"].as_array().unwrap(),
        );
        assert_eq!((m1.len(), m3.len()), (2, 6));
        // Training seed 0 of each structure is the run without --train-seeds.
        for m in m1 {
            let same = m3
                .iter()
                .find(|x| x["model"] == m["model"] && x["train_seed"] == 0)
                .unwrap();
            assert_eq!(same, m);
        }
        // A structure's training seeds share its generator seed and data (its density).
        for m in m3 {
            let first = &m3[(m["model"].as_u64().unwrap() * 3) as usize];
            assert_eq!(
                (&m["model_seed"], &m["density"]),
                (&first["model_seed"], &first["density"])
            );
        }
        // The mean range of a structure's rates over its training seeds.
        assert!(r1["train_seed_range"].is_null());
        let range = |model: u64| {
            let rates: Vec<f64> = m3
                .iter()
                .filter(|x| x["model"] == model)
                .map(|x| x["fooling_rate"].as_f64().unwrap())
                .collect();
            rates.iter().copied().fold(f64::MIN, f64::max)
                - rates.iter().copied().fold(f64::MAX, f64::min)
        };
        let expected = (range(0) + range(1)) / 2.0;
        assert!(
            (r3["train_seed_range"].as_f64().unwrap() - expected).abs() < 1e-12,
            "{r3}"
        );
        // The data density of generated models: about pattern_size / inputs (4 of 32).
        let density = r3["density"].as_f64().unwrap();
        assert!((0.08..0.2).contains(&density), "{density}");
    }
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
    let out = nshed(&["fool", FIG1, "--train-seeds", "2"]);
    assert_eq!(out.status.code(), Some(2));
    let out = nshed(&["fool", "--depths", "3", "--train-seeds", "0"]);
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
