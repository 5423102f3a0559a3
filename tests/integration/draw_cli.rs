//! `nshed draw` through the real binary: SVG structure, a PNG rendering, DOT, errors.

use crate::support::cli::nshed;

use resvg::{tiny_skia, usvg};

const FIG1: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/models/fig1_plain.nshed");

fn draw_svg(extra: &[&str], name: &str) -> String {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(format!("{name}.svg"));
    let mut args = vec!["draw", FIG1, "--svg", path.to_str().unwrap()];
    args.extend_from_slice(extra);
    let out = nshed(&args);
    assert!(
        out.status.success(),
        "nshed failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    std::fs::read_to_string(&path).expect("svg written")
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
    // fig1: 7 + 4 + 3 nodes and 3 classes.
    let circles = elements(&doc, "circle");
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
        .map(|c| {
            c.children()
                .find(|t| t.tag_name().name() == "title")
                .and_then(|t| t.text())
                .unwrap()
        })
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
            .find(|c| {
                c.children()
                    .any(|t| t.tag_name().name() == "title" && t.text() == Some(name))
            })
            .and_then(|c| c.attribute("r"))
            .unwrap()
            .parse()
            .unwrap()
    };
    assert!(radius("t1") > radius("e7"));
    render(&svg, "fig1_c1a");
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
