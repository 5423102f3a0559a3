//! `nshed run --curves` and `--png`: learning curves of a tiny model, their points against
//! the `--record` file, PNG output, an infinite loss, and bad paths.

use std::num::NonZeroU64;
use std::path::Path;

use crate::support::cli::nshed;
use nshed::curves::LearningCurves;
use nshed::engine::State;

const MODEL: &str = "model tiny {
  level input { a b c }
  classes { c1 <- a  c2 <- b }
}
data {
  s1: a -> c1
  s2: b -> c2
  s3: a b -> c1
}
test {
  t1: a -> c1
  t2: a -> c2
  t3: c -> c2
}
RULES
train {
  seed 3
  phase p { steps STEPS batch 2 }
  RECORD
}
";

const RECORD: &str = "record every 10 { accuracy loss test_accuracy test_loss }";

fn model(steps: u64, record: &str, rules: &str) -> String {
    MODEL
        .replace("STEPS", &steps.to_string())
        .replace("RECORD", record)
        .replace("RULES", rules)
}

fn write_model(dir: &Path, text: &str) -> String {
    let path = dir.join("m.nshed");
    std::fs::write(&path, text).unwrap();
    path.to_str().unwrap().to_string()
}

/// The curves of the model's run taken with the library: a point at the start, one
/// every `curve_every` steps, one at the end.
fn library_curves(dir: &Path, text: &str) -> LearningCurves {
    let path = dir.join("lib.nshed");
    std::fs::write(&path, text).unwrap();
    let compiled = nshed::compile_path(&path)
        .unwrap_or_else(|r| panic!("{}", r.render(nshed::diag::RenderStyle::Plain)));
    let model = compiled.model();
    let mut state = State::new(compiled.ir(), 3);
    let mut curves = LearningCurves::new(compiled.ir());
    curves.observe(&model, &state);
    let every = NonZeroU64::new(curves.every).unwrap();
    let mut points = Vec::new();
    crate::support::train_observed(&model, &mut state, every, &mut |s| {
        points.push(s.clone());
    });
    for s in &points {
        curves.observe(&model, s);
    }
    curves.observe(&model, &state);
    curves
}

fn run_ok(args: &[&str]) {
    let out = nshed(args);
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The figure of a tiny model, as a snapshot; the CLI draws the points the library takes,
/// and they are the values the `--record` file has at the same steps.
#[test]
fn curves_of_a_tiny_model() {
    let dir = tempfile::tempdir().unwrap();
    let text = model(40, RECORD, "");
    let file = write_model(dir.path(), &text);
    let svg_path = dir.path().join("c.svg");
    let record = dir.path().join("r.jsonl");
    run_ok(&[
        "run",
        &file,
        "--curves",
        svg_path.to_str().unwrap(),
        "--record",
        record.to_str().unwrap(),
    ]);
    let svg = std::fs::read_to_string(&svg_path).unwrap();
    roxmltree::Document::parse(&svg).expect("the figure is well-formed XML");
    assert!(!svg.contains("NaN") && !svg.contains("inf\""), "{svg}");
    insta::assert_snapshot!(svg);

    let curves = library_curves(dir.path(), &text);
    assert_eq!(svg, nshed::render::curves_svg(&curves));
    let lines = std::fs::read_to_string(&record).unwrap();
    let recorded: Vec<serde_json::Value> = lines
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let steps: Vec<u64> = curves.points.iter().map(|p| p.step).collect();
    assert_eq!(steps, [0, 10, 20, 30, 40]);
    assert_eq!(recorded.len(), curves.points.len());
    for (r, p) in recorded.iter().zip(&curves.points) {
        assert_eq!(r["step"].as_u64(), Some(p.step));
        assert_eq!(r["accuracy"].as_f64(), p.accuracy);
        assert_eq!(r["loss"].as_f64(), p.loss);
        assert_eq!(r["test_accuracy"].as_f64(), p.test_accuracy);
        assert_eq!(r["test_loss"].as_f64(), p.test_loss);
    }
}

/// Without a `record` block, a point every max(1, steps / 100) steps; a `record` block
/// without the metrics gets them for the curves only.
#[test]
fn curves_without_the_metrics_in_the_record_block() {
    let dir = tempfile::tempdir().unwrap();
    for (steps, record, points) in [
        (40, "", 41),
        (250, "", 126),
        (40, "record every 20 { lambda }", 3),
    ] {
        let text = model(steps, record, "");
        let file = write_model(dir.path(), &text);
        let svg_path = dir.path().join("c.svg");
        let jsonl = dir.path().join("r.jsonl");
        let mut args = vec!["run", &file, "--curves", svg_path.to_str().unwrap()];
        if !record.is_empty() {
            args.extend(["--record", jsonl.to_str().unwrap()]);
        }
        run_ok(&args);
        let curves = library_curves(dir.path(), &text);
        assert_eq!(curves.points.len(), points, "{steps} {record:?}");
        assert_eq!(
            std::fs::read_to_string(&svg_path).unwrap(),
            nshed::render::curves_svg(&curves)
        );
        if !record.is_empty() {
            // The record file keeps what its block asks for.
            let first = std::fs::read_to_string(&jsonl).unwrap();
            let first: serde_json::Value =
                serde_json::from_str(first.lines().next().unwrap()).unwrap();
            let keys: Vec<&String> = first.as_object().unwrap().keys().collect();
            assert_eq!(keys, ["lambda", "ln_lambda", "phase", "step"]);
        }
    }
}

/// `--png` and `--curves FILE.png` write PNG images of the figure that decode.
#[test]
fn png_curves_decode() {
    let dir = tempfile::tempdir().unwrap();
    let file = write_model(dir.path(), &model(40, RECORD, ""));
    let a = dir.path().join("a.png");
    let b = dir.path().join("b.PNG");
    run_ok(&[
        "run",
        &file,
        "--png",
        a.to_str().unwrap(),
        "--curves",
        b.to_str().unwrap(),
    ]);
    for path in [&a, &b] {
        let bytes = std::fs::read(path).unwrap();
        let decoder = png::Decoder::new(std::io::Cursor::new(bytes));
        let mut reader = decoder.read_info().expect("a PNG header");
        let mut pixels = vec![0; reader.output_buffer_size()];
        let info = reader.next_frame(&mut pixels).expect("PNG pixels");
        // The 720 x 720 figure at 2 pixels per unit.
        assert_eq!((info.width, info.height), (1440, 1440));
        let white = pixels.iter().filter(|&&v| v == 255).count();
        assert!(white > pixels.len() / 2, "a white background");
        assert!(white < pixels.len(), "something is drawn");
    }
}

/// A test label that reaches probability 0 has an infinite loss: its points are drawn at
/// the top of the loss panel as their own series, named in the legend, never as NaN.
#[test]
fn an_infinite_loss_is_drawn_at_the_top() {
    let dir = tempfile::tempdir().unwrap();
    let text = model(
        700,
        "record every 50 { test_loss }",
        "rules { grow = mul 2 }",
    );
    let file = write_model(dir.path(), &text);
    let svg_path = dir.path().join("c.svg");
    let csv = dir.path().join("r.csv");
    run_ok(&[
        "run",
        &file,
        "--curves",
        svg_path.to_str().unwrap(),
        "--record",
        csv.to_str().unwrap(),
    ]);
    let curves = library_curves(dir.path(), &text);
    let infinite: Vec<u64> = curves
        .points
        .iter()
        .filter(|p| p.test_loss == Some(f64::INFINITY))
        .map(|p| p.step)
        .collect();
    assert!(!infinite.is_empty() && infinite.len() < curves.points.len());
    // The record file says `inf` where the loss is infinite.
    let rows = std::fs::read_to_string(&csv).unwrap();
    let inf_rows: Vec<u64> = rows
        .lines()
        .skip(1)
        .filter(|l| l.ends_with(",inf"))
        .map(|l| l.split(',').next().unwrap().parse().unwrap())
        .collect();
    assert_eq!(inf_rows, infinite);
    let svg = std::fs::read_to_string(&svg_path).unwrap();
    let doc = roxmltree::Document::parse(&svg).unwrap();
    let series: Vec<&str> = doc
        .descendants()
        .filter(|n| n.attribute("class") == Some("series"))
        .filter_map(|n| n.attribute("data-label"))
        .collect();
    assert_eq!(
        series,
        [
            "data",
            "test",
            "data",
            "test",
            "test: loss inf (drawn at the top)"
        ]
    );
    for node in doc.descendants() {
        for attr in node.attributes().filter(|a| a.name() != "data-label") {
            assert!(
                !attr.value().contains("NaN") && !attr.value().contains("inf"),
                "{}={}",
                attr.name(),
                attr.value()
            );
        }
    }
    assert_eq!(svg, nshed::render::curves_svg(&curves));
}

/// Bad output paths are refused before any training, each with its diagnostic.
#[test]
fn bad_curve_paths_are_diagnosed() {
    let dir = tempfile::tempdir().unwrap();
    let file = write_model(dir.path(), &model(40, RECORD, ""));
    let missing = dir.path().join("no/such/folder/c.svg");
    let cases: [(Vec<&str>, i32, &str); 5] = [
        (
            vec!["--curves", "c.txt"],
            2,
            "--curves draws an SVG or a PNG file, and `c.txt` is neither",
        ),
        (vec!["--curves", "-"], 2, "`-` is not a file name"),
        (vec!["--png", "-"], 2, "`-` is not a file name"),
        (
            vec!["--curves", missing.to_str().unwrap()],
            3,
            "its folder does not exist",
        ),
        (vec!["--png", &file], 3, "m.nshed"),
    ];
    for (extra, code, message) in cases {
        let out = nshed(&[&["run", file.as_str()][..], &extra[..]].concat());
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(code), "{extra:?}: {err}");
        assert!(err.contains(message), "{extra:?}: {err}");
        assert!(out.stdout.is_empty(), "{extra:?}: nothing is reported");
    }
    assert_eq!(
        std::fs::read_to_string(&file).unwrap(),
        model(40, RECORD, "")
    );
    // Nothing trained, nothing drawn.
    let svg = dir.path().join("c.svg");
    let out = nshed(&[
        "run",
        &file,
        "--no-train",
        "--curves",
        svg.to_str().unwrap(),
    ]);
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("no learning curves are drawn"));
    assert!(!svg.exists());
}
