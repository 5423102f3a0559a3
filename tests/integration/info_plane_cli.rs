//! `nshed info-plane` through the real binary on the Figure 4 model (SPEC 6 and 8).

use crate::support::cli::{nshed, ok_json};

const FIG4: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/fig4.nshed");

fn json(args: &[&str]) -> serde_json::Value {
    ok_json(nshed(args))
}

/// `(step, I(X;T), I(T;Y))` of level `level` at every recorded point of the first curve.
fn curve(v: &serde_json::Value, level: &str) -> Vec<(u64, f64, f64)> {
    curve_of(v, 0, level)
}

/// The same for curve `k` (one per estimator).
fn curve_of(v: &serde_json::Value, k: usize, level: &str) -> Vec<(u64, f64, f64)> {
    v["curves"][k]["points"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            let l = p["levels"]
                .as_array()
                .unwrap()
                .iter()
                .find(|l| l["level"] == level)
                .expect("level");
            (
                p["step"].as_u64().unwrap(),
                l["i_xt"].as_f64().unwrap(),
                l["i_ty"].as_f64().unwrap(),
            )
        })
        .collect()
}

/// The Figure 4 shape of the issue: level 2 carries about 2 bits early (the first third of
/// training), about 1 bit at the end, and all the label's bit at the end.
fn has_figure4_shape(curve: &[(u64, f64, f64)]) -> bool {
    let last_step = curve.last().unwrap().0;
    let early_peak = curve
        .iter()
        .filter(|p| p.0 <= last_step / 3)
        .map(|p| p.1)
        .fold(0.0, f64::max);
    let (_, final_xt, final_ty) = *curve.last().unwrap();
    early_peak >= 1.8 && final_xt <= 1.2 && final_ty >= 0.95
}

#[test]
fn level_two_compresses_from_two_bits_to_one_with_lambda_representation() {
    let v = json(&["info-plane", FIG4, "--repr", "lambda", "--json"]);
    assert_eq!(v["seed"], 1);
    assert_eq!(v["representation"], "lambda");
    assert_eq!(v["curves"][0]["estimator"]["mi"], "binning");
    assert_eq!(v["curves"][0]["estimator"]["bins"], 30);
    // The file records every 10 steps; 1500 steps → 151 points.
    assert_eq!(v["every"], 10);
    let mid = curve(&v, "mid");
    assert_eq!(mid.len(), 151);
    assert_eq!(
        mid[0],
        (0, 2.0, 1.0),
        "two kinds of input per class at the start"
    );
    assert!(has_figure4_shape(&mid), "{mid:?}");
    // Compression happens once lambda[p2] / lambda[p1] passes the bin width (1/30).
    let first_one_bit = mid.iter().find(|p| p.1 <= 1.0 + 1e-12).unwrap().0;
    assert!((100..=500).contains(&first_one_bit), "{first_one_bit}");
    assert!(mid.iter().all(|p| (p.2 - 1.0).abs() < 1e-12));
}

#[test]
fn figure4_shape_holds_for_every_seed() {
    // The expected reading (`repr lambda`): about 2 bits early, 1 bit at the end, for
    // every seed. The paper's initial *rise* is not expected: level 2 starts at its peak
    // (the normalised lambdas of the three nodes already tell the two kinds of input of
    // each class apart) and never carries more than those 2 bits.
    for seed in 1..=10 {
        let s = seed.to_string();
        let v = json(&[
            "info-plane",
            FIG4,
            "--repr",
            "lambda",
            "--seed",
            &s,
            "--every",
            "50",
            "--json",
        ]);
        assert_eq!(v["seed"], seed);
        let mid = curve(&v, "mid");
        assert!(has_figure4_shape(&mid), "seed {seed}: {mid:?}");
        assert_eq!(mid[0].1, 2.0, "seed {seed}: level 2 starts at 2 bits");
        assert!(
            mid.iter().all(|p| p.1 <= 2.0 + 1e-12),
            "seed {seed}: no rise above the starting 2 bits: {mid:?}"
        );
    }
}

/// The binning's compression is a matter of resolution: lambda[p1] / lambda[p2] shrinks
/// geometrically, so the step at which it falls below one bin grows with ln(bins), and the
/// unbinned representation keeps its 2 bits throughout.
#[test]
fn compression_comes_later_with_more_bins_and_never_without_them() {
    let v = json(&[
        "info-plane",
        FIG4,
        "--repr",
        "lambda",
        "--bins",
        "30,1000,1000000,distinct",
        "--every",
        "50",
        "--json",
    ]);
    let names: Vec<&serde_json::Value> = v["curves"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| &c["estimator"])
        .collect();
    assert_eq!(names[3], &serde_json::json!({"mi": "distinct"}));
    let first_one_bit = |k: usize| {
        curve_of(&v, k, "mid")
            .iter()
            .find(|p| p.1 <= 1.0 + 1e-12)
            .map(|p| p.0)
    };
    let (b30, b1000, b1e6) = (first_one_bit(0), first_one_bit(1), first_one_bit(2));
    assert!(
        b30.unwrap() < b1000.unwrap() && b1000.unwrap() < b1e6.unwrap(),
        "{b30:?} {b1000:?} {b1e6:?}"
    );
    // Each curve's first point, and the distinct values throughout: 2 bits, and the label's 1.
    let distinct = curve_of(&v, 3, "mid");
    assert!(
        distinct.iter().all(|p| p.1 == 2.0 && p.2 == 1.0),
        "{distinct:?}"
    );
    // The 30-bin curve is the one of a run with the default bins.
    let default = json(&[
        "info-plane",
        FIG4,
        "--repr",
        "lambda",
        "--every",
        "50",
        "--json",
    ]);
    assert_eq!(default["curves"][0], v["curves"][0]);
}

#[test]
fn spec_scores_keep_the_level_one_competition() {
    // With SPEC 6's scores, level 2 starts with all 8 inputs apart (3 bits) and ends at 1.5:
    // p2's score sums lambda of its firing children, where a2 and a5 (fast growth, 2 of 8
    // inputs each) outgrow the slow a7, so one class stays split by a2 versus a5.
    let v = json(&["info-plane", FIG4, "--every", "500", "--json"]);
    assert_eq!(v["representation"], "scores");
    let mid = curve(&v, "mid");
    assert_eq!(
        mid.iter().map(|p| p.0).collect::<Vec<_>>(),
        [0, 500, 1000, 1500]
    );
    assert_eq!(mid[0].1, 3.0);
    assert_eq!(mid[3].1, 1.5);
    assert_eq!(mid[3].2, 1.0);
    let input = curve(&v, "input");
    assert_eq!((input[0].1, input[3].1), (3.0, 2.0));
}

#[test]
fn noise_estimator_and_no_train() {
    let v = json(&[
        "info-plane",
        FIG4,
        "--mi",
        "noise",
        "--sigma",
        "0.05",
        "--no-train",
        "--repr",
        "lambda",
        "--json",
    ]);
    assert_eq!(v["curves"][0]["estimator"]["sigma"], 0.05);
    let mid = curve(&v, "mid");
    assert_eq!(mid.len(), 1);
    // Four well-separated kinds of input (a127 and a237 coincide): close to 2 bits, never more.
    assert!(mid[0].1 > 1.9 && mid[0].1 <= 2.0 + 1e-9, "{mid:?}");
    assert!(mid[0].2 > 0.95 && mid[0].2 <= 1.0 + 1e-9, "{mid:?}");
}

#[test]
fn table_csv_and_svg() {
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("plane.csv");
    let svg = dir.path().join("plane.svg");
    let out = nshed(&[
        "info-plane",
        FIG4,
        "--every",
        "750",
        "--csv",
        csv.to_str().unwrap(),
        "--svg",
        svg.to_str().unwrap(),
    ]);
    assert!(out.status.success());
    let table = String::from_utf8(out.stdout).unwrap();
    assert!(table.starts_with("information plane of `fig4` (seed 1; binning, 30 bins; T = scores of the level), in bits\n"), "{table}");
    assert!(table.contains("mid I(X;T)"));
    assert_eq!(table.lines().count(), 2 + 3);
    let csv = std::fs::read_to_string(csv).unwrap();
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines[0], "mi,bins,sigma,step,level,i_xt,i_ty");
    assert_eq!(lines.len(), 1 + 3 * 2);
    assert_eq!(lines[1], "binning,30,,0,input,3,1");
    assert_eq!(lines[6], "binning,30,,1500,mid,1.5,1");
    let svg = std::fs::read_to_string(svg).unwrap();
    let doc = roxmltree::Document::parse(&svg).expect("valid SVG");
    let texts: Vec<&str> = doc.descendants().filter_map(|n| n.text()).collect();
    assert!(texts.iter().any(|t| t.contains("I(X;T)")), "{texts:?}");
    assert!(texts.iter().any(|t| t.contains("mid")));
}

#[test]
fn bad_options_are_usage_errors() {
    for (args, needle) in [
        (vec!["--sigma", "0.1"], "--sigma is for `--mi noise`"),
        (vec!["--mi", "noise"], "needs --sigma"),
        (
            vec!["--mi", "noise", "--sigma", "0"],
            "sigma must be finite and > 0",
        ),
        (
            vec!["--mi", "noise", "--sigma", "nan"],
            "sigma must be finite and > 0",
        ),
        (vec!["--bins", "0"], "`0` is not a number of bins"),
        (vec!["--bins", "30,x"], "`x` is not a number of bins"),
        (
            vec!["--bins", "30,distinct,30"],
            "--bins lists `30 bins` twice",
        ),
        (
            vec!["--mi", "noise", "--sigma", "0.1", "--bins", "3"],
            "--bins is for `--mi binning`",
        ),
        (vec!["--every", "0"], "0 is not in 1.."),
        (vec!["--repr", "weights"], "invalid value 'weights'"),
    ] {
        let mut all = vec!["info-plane", FIG4];
        all.extend(args.iter());
        let out = nshed(&all);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(needle), "{args:?}: {err}");
    }
    let out = nshed(&["info-plane", "/nonexistent.nshed"]);
    assert_eq!(out.status.code(), Some(1));
}

/// A model without data has no information plane: nshed says so rather than printing 0 bits.
#[test]
fn no_data_is_an_error_not_zero_bits() {
    let out = nshed(&["info-plane", "tests/models/no_data.nshed"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty(), "no table of zeros");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains(
            "the model has no data: the information plane is measured over the data samples"
        ) && err.contains("help: add a `data` block"),
        "{err}"
    );
}
