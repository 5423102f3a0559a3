//! `nshed depth` through the real binary: no spread for a constant init when training draws
//! nothing at random, a positive spread for random inits, freezing keeps a level's lambdas,
//! reproducibility across thread counts, and shards + merge = the unsharded run.

use crate::support::cli::{nshed, nshed_stdin, ok_json, ok_stdout};

const FIG1: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/fig1.nshed");

/// fig1 trained with `sampler cycle` and no jitter or noise: with a constant init every seed
/// trains the very same way.
const CYCLED: &str = concat!(
    crate::support::fig1_plain!(),
    "train {
  sampler cycle
  phase main { steps 40 batch 1 }
}
"
);

fn cell<'a>(v: &'a serde_json::Value, depth: u64, init: &str) -> &'a serde_json::Value {
    v["cells"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["depth"] == depth && c["init"] == init)
        .expect("cell")
}

#[test]
fn const_init_without_random_training_has_zero_spread() {
    let v = ok_json(nshed_stdin(
        &["depth", "-", "--seeds", "5", "--json"],
        CYCLED.as_bytes(),
    ));
    assert_eq!(v["source"]["file"]["trained"], true);
    let c = cell(&v, 4, "const");
    assert_eq!(c["ln_z_spread"], 0.0);
    assert_eq!(c["p_spread"], 0.0);
    assert_eq!(c["runs"], 5);
    for init in ["uniform", "normal", "lognormal"] {
        let s = cell(&v, 4, init)["ln_z_spread"].as_f64().unwrap();
        assert!(s > 0.05, "{init}: {s}");
    }
    // fig1 samples the batches at random (`sampler replace`): even a constant init spreads.
    let v = ok_json(nshed(&[
        "depth", FIG1, "--init", "const", "--seeds", "4", "--json",
    ]));
    assert!(cell(&v, 4, "const")["ln_z_spread"].as_f64().unwrap() > 0.1);
    // ... but not at initialisation.
    let v = ok_json(nshed(&[
        "depth",
        FIG1,
        "--init",
        "const",
        "--no-train",
        "--json",
    ]));
    assert_eq!(cell(&v, 4, "const")["ln_z_spread"], 0.0);
}

#[test]
fn generated_depths_at_initialisation() {
    let v = ok_json(nshed(&[
        "depth",
        "--depths",
        "2..4",
        "--seeds",
        "4",
        "--init",
        "const,lognormal",
        "--json",
    ]));
    assert_eq!(v["cells"].as_array().unwrap().len(), 6);
    for d in 2..=4 {
        assert_eq!(cell(&v, d, "const")["ln_z_spread"], 0.0);
        let s = cell(&v, d, "lognormal")["ln_z_spread"].as_f64().unwrap();
        assert!(s > 0.0, "depth {d}: {s}");
    }
}

#[test]
fn generated_models_classify_their_data_and_the_figure_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let svg = dir.path().join("spread.svg");
    let v = ok_json(nshed(&[
        "depth",
        "--depths",
        "3..6",
        "--seeds",
        "2",
        "--steps",
        "50",
        "--init",
        "const",
        "--svg",
        svg.to_str().unwrap(),
        "--json",
    ]));
    // Generated models are wired from their data: every sample is classified.
    for d in 3..=6 {
        assert_eq!(cell(&v, d, "const")["accuracy"], 1.0, "depth {d}");
    }
    let svg = std::fs::read_to_string(&svg).unwrap();
    assert!(
        svg.contains("Spread of ln Z across 2 seeds x 1 structure(s) (accuracy 1)"),
        "the accuracy is written beside the figure"
    );
}

#[test]
fn structures_give_the_spread_an_interval() {
    let args = |k: &str| {
        ok_json(nshed(&[
            "depth",
            "--depths",
            "2,4",
            "--seeds",
            "4",
            "--init",
            "uniform",
            "--structures",
            k,
            "--json",
        ]))
    };
    let one = args("1");
    let three = args("3");
    assert_eq!(three["structures"], 3);
    for d in [2, 4] {
        let c = cell(&three, d, "uniform");
        assert_eq!(
            (c["runs"].as_u64(), c["structures"].as_u64()),
            (Some(12), Some(3))
        );
        // The mean over structures, with Student's t interval over them.
        let per: Vec<f64> = c["ln_z_per_structure"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["mean_sd"].as_f64().unwrap())
            .collect();
        assert_eq!(per.len(), 3);
        let mean = per.iter().sum::<f64>() / 3.0;
        assert!((c["ln_z_spread"].as_f64().unwrap() - mean).abs() < 1e-12);
        let sd = (per.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / 2.0).sqrt();
        let half = c["ln_z_spread_ci95"].as_f64().unwrap();
        assert!((half - 4.302_652_73 * sd / 3f64.sqrt()).abs() < 1e-9, "{c}");
        // The first structure is the sweep without --structures.
        assert_eq!(
            per[0],
            cell(&one, d, "uniform")["ln_z_spread"].as_f64().unwrap()
        );
        assert!(cell(&one, d, "uniform")["ln_z_spread_ci95"].is_null());
    }
    let out = nshed(&["depth", FIG1, "--structures", "2"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn zero_logits_of_normal_are_counted_not_dropped() {
    // normal(1, 0.577) clipped at 0 draws exact zeros (about 4%), which switch pathways
    // off in some runs: those logits are reported as a share, and their entries keep the
    // spread of the runs where they are defined.
    let v = ok_json(nshed(&[
        "depth",
        "--depths",
        "8",
        "--seeds",
        "16",
        "--init",
        "uniform,normal",
        "--json",
    ]));
    let c = cell(&v, 8, "normal");
    let share = c["ln_z_undefined_share"].as_f64().unwrap();
    assert!(share > 0.0 && share < 0.5, "{c}");
    let s = &c["ln_z_per_structure"][0];
    assert!(s["partly_undefined"].as_u64().unwrap() > 0, "{s}");
    // The same logits are used as with uniform(0, 2), which draws no zero.
    let u = &cell(&v, 8, "uniform")["ln_z_per_structure"][0];
    assert_eq!(u["undefined_share"], 0.0);
    assert_eq!(s["entries"], u["entries"]);
}

#[test]
fn freezing_the_input_level_keeps_its_lambdas() {
    let v = ok_json(nshed_stdin(
        &[
            "depth", "-", "--freeze", "1", "--seeds", "3", "--init", "uniform", "--json",
        ],
        CYCLED.as_bytes(),
    ));
    assert_eq!(v["frozen_level"], "input");
    let f = &cell(&v, 4, "uniform")["freeze"];
    assert_eq!(f["level_change"]["frozen"], 0.0);
    assert!(f["level_change"]["trained"].as_f64().unwrap() > 0.5, "{f}");
    for key in ["accuracy", "effective_nodes_top", "le_within", "le_between"] {
        assert!(
            f[key]["trained"].is_number() && f[key]["frozen"].is_number(),
            "{key}: {f}"
        );
    }
    // By name, on generated models too.
    let v = ok_json(nshed(&[
        "depth", "--depths", "3", "--steps", "30", "--freeze", "input", "--seeds", "2", "--init",
        "const", "--json",
    ]));
    assert_eq!(
        cell(&v, 3, "const")["freeze"]["level_change"]["frozen"],
        0.0
    );
}

#[test]
fn same_bytes_for_one_and_four_threads_and_for_merged_shards() {
    let dir = tempfile::tempdir().unwrap();
    let base = [
        "depth", "--depths", "2..4", "--steps", "20", "--seeds", "3", "--freeze", "1", "--json",
    ];
    let run = |extra: &[&str]| {
        let mut a: Vec<&str> = base.to_vec();
        a.extend_from_slice(extra);
        ok_stdout(nshed(&a))
    };
    let one = run(&["--threads", "1"]);
    assert_eq!(one, run(&["--threads", "4"]));
    let mut parts = Vec::new();
    for i in 1..=4 {
        let path = dir
            .path()
            .join(format!("p{i}.json"))
            .to_str()
            .unwrap()
            .to_string();
        run(&["--shard", &format!("{i}/4"), "--out", &path]);
        parts.push(path);
    }
    let mut args = vec!["merge", "--json"];
    args.extend(parts.iter().map(String::as_str));
    assert_eq!(ok_stdout(nshed(&args)), one);
    // A missing shard is an error that names it.
    let out = nshed(&["merge", &parts[0], &parts[2], &parts[3]]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("2/4"));
}

#[test]
fn writes_csv_and_svg() {
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("d.csv");
    let svg = dir.path().join("d.svg");
    ok_stdout(nshed_stdin(
        &[
            "depth",
            "-",
            "--seeds",
            "2",
            "--freeze",
            "parts",
            "--csv",
            csv.to_str().unwrap(),
            "--svg",
            svg.to_str().unwrap(),
        ],
        CYCLED.as_bytes(),
    ));
    let text = std::fs::read_to_string(&csv).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 5);
    assert!(lines[0].starts_with("levels,init,runs,structures,ln_z_spread,ln_z_spread_ci95,"));
    assert!(lines[1].starts_with("4,const,2,1,0,,0,0,,"), "{}", lines[1]);
    let svg = std::fs::read_to_string(&svg).unwrap();
    assert!(svg.contains("Spread of ln Z") && svg.contains("Freezing level"));
    assert!(!svg.contains("NaN"));
}

#[test]
fn bad_input_gets_a_clear_error_and_exit_code() {
    let out = nshed(&["depth", "--depths", "2..4", "--freeze", "1"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--steps"));
    let out = nshed(&["depth", FIG1, "--freeze", "9"]);
    assert_eq!(out.status.code(), Some(2));
    let out = nshed(&["depth", FIG1, "--freeze", "nosuch"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("parts"));
    let out = nshed(&["depth", FIG1, "--init", "gamma"]);
    assert_eq!(out.status.code(), Some(2));
    let out = nshed(&["depth", FIG1, "--init", "const,uniform,const"]);
    assert_eq!(out.status.code(), Some(2));
    let out = nshed(&["depth", FIG1, "--seeds", "1"]);
    assert_eq!(out.status.code(), Some(2));
    let out = nshed(&["depth", "--depths", "3..2"]);
    assert_eq!(out.status.code(), Some(2));
}

/// The flags that shape generated models mean nothing for a model file: given with one,
/// they are a usage error instead of being silently ignored.
#[test]
fn generated_model_flags_are_refused_with_a_file() {
    for (cmd, flag, value) in [
        ("depth", "--batch", "4"),
        ("depth", "--steps", "10"),
        ("depth", "--width", "5"),
        ("fool", "--models", "2"),
        ("fool", "--noise", "0.1"),
    ] {
        let out = nshed(&[cmd, FIG1, flag, value]);
        assert_eq!(out.status.code(), Some(2), "{cmd} FILE {flag}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            err.contains("cannot be used with") && err.contains(flag),
            "{cmd} FILE {flag}: {err}"
        );
    }
    // Without the flags the file runs.
    let out = nshed(&["depth", FIG1, "--seeds", "2"]);
    assert_eq!(out.status.code(), Some(0));
}
