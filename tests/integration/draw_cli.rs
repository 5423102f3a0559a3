//! `nshed draw` through the real binary: SVG structure, a PNG rendering, DOT, errors.

use crate::support::cli::nshed;

use resvg::{tiny_skia, usvg};

const FIG1: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/models/fig1_plain.nshed");
const FIG4: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/fig4.nshed");

fn draw_svg(extra: &[&str], name: &str) -> String {
    draw_model_svg(FIG1, extra, name)
}

fn draw_model_svg(model: &str, extra: &[&str], name: &str) -> String {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(format!("{name}.svg"));
    let mut args = vec!["draw", model, "--svg", path.to_str().unwrap()];
    args.extend_from_slice(extra);
    let out = nshed(&args);
    assert!(
        out.status.success(),
        "nshed failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    std::fs::read_to_string(&path).expect("svg written")
}

/// The tooltip of a circle.
fn title<'a>(circle: &roxmltree::Node<'a, 'a>) -> &'a str {
    circle
        .children()
        .find(|t| t.tag_name().name() == "title")
        .and_then(|t| t.text())
        .expect("every circle has a title")
}

fn elements<'a>(doc: &'a roxmltree::Document, tag: &str) -> Vec<roxmltree::Node<'a, 'a>> {
    doc.descendants()
        .filter(|n| n.tag_name().name() == tag)
        .collect()
}

#[test]
fn one_circle_per_node_and_one_line_per_edge() {
    let svg = draw_svg(&["--input", "c1a"], "fig1_c1a");
    let doc = roxmltree::Document::parse(&svg).expect("svg parses");
    // fig1: 7 + 4 + 3 nodes and 3 classes; besides them, the key's four markers and the
    // dashed ring of the label, c1.
    let all_circles = elements(&doc, "circle");
    assert_eq!(all_circles.len(), 14 + 3 + 4 + 1);
    let rings: Vec<_> = all_circles
        .iter()
        .filter(|c| c.attribute("class") == Some("label-ring"))
        .collect();
    assert_eq!(rings.len(), 1);
    let circles: Vec<_> = all_circles
        .into_iter()
        .filter(|c| {
            c.attribute("class")
                .is_some_and(|k| k.starts_with("node") || k.starts_with("class"))
        })
        .collect();
    assert_eq!(circles.len(), 14 + 3);
    // Child links: m1 3, m2 2, m3 3, m4 2, t1 2, t2 2, t3 2 = 16; class edges 4.
    let lines: Vec<_> = elements(&doc, "line")
        .into_iter()
        .filter(|l| l.attribute("class").is_some_and(|c| c.starts_with("edge")))
        .collect();
    assert_eq!(lines.len(), 16 + 4);
    // c1a = {e1 e2} fires e1, e2, m1, t1 and reaches c1 and c2.
    let firing: Vec<&str> = circles
        .iter()
        .filter(|c| c.attribute("class") == Some("node firing"))
        .map(|c| title(c).split(':').next().unwrap())
        .collect();
    assert_eq!(firing, ["e1", "e2", "m1", "t1"]);
    let reached = circles
        .iter()
        .filter(|c| c.attribute("class") == Some("class reached"))
        .count();
    assert_eq!(reached, 2);
    // Trained m1 and t1 grew: larger than the untouched e7.
    let radius = |name: &str| -> f64 {
        circles
            .iter()
            .find(|c| title(c).split(':').next() == Some(name))
            .and_then(|c| c.attribute("r"))
            .unwrap()
            .parse()
            .unwrap()
    };
    assert!(radius("t1") > radius("e7"));
    render(&svg, "fig1_c1a");
}

/// fig4 trained: p1 (lambda about 2e4) and p2 (about 7e14) were both drawn at the largest
/// radius when it grew with ln lambda up to a fixed cap; scaled over the model's own range of
/// ln lambda, p2 is the larger by far, and the tooltips say what the circles show.
#[test]
fn radius_spans_the_model_and_tooltips_name_lambda_and_firing() {
    let svg = draw_model_svg(FIG4, &["--input", "a127"], "fig4_a127");
    let doc = roxmltree::Document::parse(&svg).expect("svg parses");
    let nodes: Vec<_> = elements(&doc, "circle")
        .into_iter()
        .filter(|c| c.attribute("class").is_some_and(|k| k.starts_with("node")))
        .collect();
    // (name, radius, ln lambda, fires) from each circle and its tooltip.
    let parsed: Vec<(String, f64, f64, bool)> = nodes
        .iter()
        .map(|c| {
            let t = title(c);
            let (name, rest) = t.split_once(": lambda = ").expect("name: lambda = ...");
            let ln: f64 = rest
                .split("ln lambda = ")
                .nth(1)
                .and_then(|r| r.split(';').next())
                .expect("ln lambda in the tooltip")
                .parse()
                .expect("a number");
            let fires = if rest.ends_with("; fires for a127") {
                true
            } else {
                assert!(rest.ends_with("; does not fire for a127"), "{t}");
                false
            };
            (
                name.to_string(),
                c.attribute("r").unwrap().parse().unwrap(),
                ln,
                fires,
            )
        })
        .collect();
    let get = |n: &str| parsed.iter().find(|p| p.0 == n).expect("node drawn");
    let (p1, p2) = (get("p1"), get("p2"));
    assert!(
        p2.2 - p1.2 > 20.0,
        "p2 dwarfs p1: ln lambda {} vs {}",
        p2.2,
        p1.2
    );
    assert!(p2.1 > p1.1 + 8.0, "radius p2 {} vs p1 {}", p2.1, p1.1);
    // Radius is linear in ln lambda over the drawing's range, 4 to 20 pixels.
    let lo = parsed.iter().map(|p| p.2).fold(f64::INFINITY, f64::min);
    let hi = parsed.iter().map(|p| p.2).fold(f64::NEG_INFINITY, f64::max);
    for (name, r, ln, _) in &parsed {
        let want = 4.0 + 16.0 * (ln - lo) / (hi - lo);
        assert!((r - want).abs() < 0.01, "{name}: r = {r}, expected {want}");
    }
    assert!(p1.3 && p2.3 && !get("p3").3, "a127 fires p1 and p2, not p3");
    render(&svg, "fig4_a127");
}

/// Labels are dark text on a separate white halo: nothing relies on `paint-order`, which
/// some renderers (cairosvg) ignore and then draw the labels white.
#[test]
fn labels_are_dark_ink_over_a_separate_halo() {
    let svg = draw_svg(&["--input", "c2"], "fig1_c2_labels");
    assert!(!svg.contains("paint-order"));
    let doc = roxmltree::Document::parse(&svg).expect("svg parses");
    let texts = elements(&doc, "text");
    let labels: Vec<_> = texts
        .iter()
        .filter(|t| t.attribute("class") == Some("label"))
        .collect();
    // 14 nodes and 3 classes, and the roles of two classes: c2 (the label of c2) is not
    // what the trained model predicts for it (c1), so each says which it is.
    assert_eq!(labels.len(), 17 + 2);
    let roles: Vec<&str> = labels
        .iter()
        .filter_map(|t| t.text())
        .filter(|t| matches!(*t, "predicted" | "label" | "predicted = label"))
        .collect();
    assert_eq!(roles, ["predicted", "label"]);
    for (i, t) in texts.iter().enumerate() {
        if t.attribute("class") != Some("label") {
            continue;
        }
        assert_eq!(t.attribute("fill"), Some("#1a1a1a"), "dark ink");
        assert_eq!(t.attribute("stroke"), None, "no stroke over the letters");
        let halo = texts[i - 1];
        assert_eq!(halo.attribute("class"), Some("label-halo"));
        assert_eq!(halo.text(), t.text());
        assert_eq!(
            (halo.attribute("x"), halo.attribute("y")),
            (t.attribute("x"), t.attribute("y"))
        );
    }
}

#[test]
fn pattern_input_and_no_input() {
    let svg = draw_svg(&["--input", "{e5 e6 e7}"], "fig1_pattern");
    let doc = roxmltree::Document::parse(&svg).expect("svg parses");
    let firing = elements(&doc, "circle")
        .iter()
        .filter(|c| c.attribute("class") == Some("node firing"))
        .count();
    // e5 e6 e7, m3, m4, t3.
    assert_eq!(firing, 6);
    let plain = draw_svg(&[], "fig1_plain");
    assert!(!plain.contains("firing"));
}

#[test]
fn dot_lists_every_node_and_edge() {
    let out = nshed(&["draw", FIG1, "--dot", "--input", "c2"]);
    assert!(out.status.success());
    let dot = String::from_utf8(out.stdout).unwrap();
    assert!(dot.starts_with("digraph \"fig1\""));
    assert_eq!(dot.matches(" -> ").count(), 20);
    assert!(dot.contains("rankdir=BT"));
    assert!(dot.trim_end().ends_with('}'));
}

#[test]
fn errors() {
    let out = nshed(&["draw", FIG1, "--dot", "--input", "c9"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(!String::from_utf8_lossy(&out.stderr).is_empty());
    let out = nshed(&["draw", FIG1]);
    assert_eq!(out.status.code(), Some(2), "needs --svg or --dot");
    let out = nshed(&["draw", FIG1, "--dot", "--svg", "x.svg"]);
    assert_eq!(out.status.code(), Some(2));
}

fn render(svg: &str, _name: &str) {
    let mut options = usvg::Options::default();
    options.fontdb_mut().load_system_fonts();
    if options
        .fontdb
        .faces()
        .any(|f| f.families.iter().any(|(family, _)| family == "DejaVu Sans"))
    {
        options.fontdb_mut().set_sans_serif_family("DejaVu Sans");
    }
    let tree = usvg::Tree::from_str(svg, &options).expect("resvg parses the drawing");
    let size = tree.size().to_int_size();
    let doc = roxmltree::Document::parse(svg).unwrap();
    let root = doc.root_element();
    let w: f64 = root.attribute("width").unwrap().parse().unwrap();
    let h: f64 = root.attribute("height").unwrap().parse().unwrap();
    assert_eq!((size.width(), size.height()), (w as u32, h as u32));
    let mut pixmap = tiny_skia::Pixmap::new(size.width(), size.height()).expect("pixmap");
    resvg::render(&tree, tiny_skia::Transform::default(), &mut pixmap.as_mut());
    let png = pixmap.encode_png().expect("PNG encoding");

    let decoded = tiny_skia::Pixmap::decode_png(&png).expect("PNG decodes");
    assert_eq!(
        (decoded.width(), decoded.height()),
        (size.width(), size.height())
    );
    let red = decoded
        .pixels()
        .iter()
        .filter(|p| p.red() > 180 && p.green() < 80 && p.blue() < 80)
        .count();
    assert!(red > 200, "the pathway is drawn in red ({red} pixels)");
    let ink = decoded
        .pixels()
        .iter()
        .filter(|p| [p.red(), p.green(), p.blue()] != [255, 255, 255])
        .count();
    assert!(ink > 2000, "almost nothing drawn ({ink} pixels)");
}
