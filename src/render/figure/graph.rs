//! The model itself drawn like Figures 1 and 2 of seed 002: one row per level (input at the
//! bottom, classes at the top), a line from every node to each of its children and from every
//! class-edge source to its class, the nodes that fire for an input in red, and node radii that
//! grow with `ln lambda` over the range of the drawn model (its smallest `lambda` gets the
//! smallest circle, its largest the largest). Every circle's tooltip (`<title>`) names the
//! node, its `lambda` and `ln lambda` and whether it fires; labels are dark text on a white
//! halo drawn as a separate text underneath, which every renderer shows the same way.

use super::svg::{escape, num, Anchor, Svg, FONT_SIZE};
use super::FigureOptions;
use crate::analysis::ModelDrawing;
use crate::engine::numeric::Value;
use crate::render::{fmt_num, show_value};

const FIRING: &str = "#d62728";
const IDLE_FILL: &str = "#dfe6ee";
const IDLE_STROKE: &str = "#5b6b7d";
const EDGE: &str = "#b8c2cc";
const CLASS_FILL: &str = "#ffe9a8";
const ROW_GAP: f64 = 110.0;
const MIN_SPACING: f64 = 60.0;
const MARGIN: f64 = 50.0;
/// Radius bounds in pixels.
const R_MIN: f64 = 4.0;
const R_MAX: f64 = 20.0;
const R_CLASS: f64 = 14.0;

/// Radius of a node with `lambda = 0`: smaller than every other.
const R_ZERO: f64 = 3.0;

/// Node radii over a drawing's range of `ln lambda`: `[R_MIN, R_MAX]` pixels from its
/// smallest finite `ln lambda` to its largest, linear in `ln lambda`; `lambda = 0` gets the
/// smallest circle of all, and a drawing whose nodes all have one value gets the middle one.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RadiusScale {
    range: Option<(f64, f64)>,
}

impl RadiusScale {
    pub fn of(d: &ModelDrawing) -> RadiusScale {
        RadiusScale {
            range: d.ln_lambda_range(),
        }
    }

    /// The radius in pixels of a node with this `ln lambda`.
    pub fn radius(&self, ln_lambda: f64) -> f64 {
        match self.range {
            _ if ln_lambda.is_nan() || ln_lambda == f64::NEG_INFINITY => R_ZERO,
            Some((lo, hi)) if hi > lo => {
                R_MIN + (R_MAX - R_MIN) * ((ln_lambda - lo) / (hi - lo)).clamp(0.0, 1.0)
            }
            _ => (R_MIN + R_MAX) / 2.0,
        }
    }
}

/// What a node's tooltip says: `p2: lambda = 7.1e14, ln lambda = 34.2; fires for a127`.
fn node_title(d: &ModelDrawing, n: usize) -> String {
    let node = &d.nodes[n];
    let lambda = if node.ln_lambda == f64::NEG_INFINITY {
        "lambda = 0".to_string()
    } else {
        format!(
            "lambda = {}, ln lambda = {}",
            show_value(Value::from_ln(node.ln_lambda)),
            fmt_num(node.ln_lambda)
        )
    };
    let firing = match (&d.input, node.firing) {
        (Some(input), true) => format!("; fires for {input}"),
        (Some(input), false) => format!("; does not fire for {input}"),
        (None, _) => String::new(),
    };
    format!("{}: {lambda}{firing}", node.name)
}

/// What a class's tooltip says: its name, and whether the drawn input reaches it.
fn class_title(d: &ModelDrawing, c: usize) -> String {
    let class = &d.classes[c];
    match (&d.input, class.reached) {
        (Some(input), true) => format!("class {}: reached by {input}", class.name),
        (Some(input), false) => format!("class {}: not reached by {input}", class.name),
        (None, _) => format!("class {}", class.name),
    }
}

/// A label readable on any background and in any renderer: the same text twice, first as
/// a white halo (white fill and a wide white stroke), then in dark ink on top. (A single
/// text with `paint-order="stroke"` comes out white in renderers that ignore
/// `paint-order`, such as cairosvg.)
fn label(svg: &mut Svg, x: f64, y: f64, text: &str, extra: &str) {
    for (class, paint) in [
        (
            "label-halo",
            "fill=\"#ffffff\" stroke=\"#ffffff\" stroke-width=\"3\" stroke-linejoin=\"round\"",
        ),
        ("label", "fill=\"#1a1a1a\""),
    ] {
        svg.raw(&format!(
            "<text class=\"{class}\" x=\"{}\" y=\"{}\" font-size=\"{}\" text-anchor=\"middle\" {paint} {extra}>{}</text>",
            num(x),
            num(y),
            num(FONT_SIZE),
            escape(text)
        ));
    }
}

/// Positions of every node and class: `(x, y)` in pixels, plus the figure size.
struct Layout {
    nodes: Vec<(f64, f64)>,
    classes: Vec<(f64, f64)>,
    width: f64,
    height: f64,
}

fn layout(d: &ModelDrawing, title: bool) -> Layout {
    let widest = d
        .levels
        .iter()
        .map(|l| l.nodes.len())
        .chain(std::iter::once(d.classes.len()))
        .max()
        .unwrap_or(1)
        .max(1);
    let width = widest as f64 * MIN_SPACING + 2.0 * MARGIN;
    let rows = d.levels.len() + 1;
    let top = if title { 40.0 } else { 0.0 } + MARGIN;
    let height = top + (rows - 1) as f64 * ROW_GAP + MARGIN;
    let row_y = |row: usize| height - MARGIN - row as f64 * ROW_GAP;
    let row_x = |i: usize, n: usize| MARGIN + (width - 2.0 * MARGIN) * (i as f64 + 0.5) / n as f64;
    let mut nodes = vec![(0.0, 0.0); d.nodes.len()];
    for (row, level) in d.levels.iter().enumerate() {
        let n = level.nodes.len();
        for (i, id) in level.nodes.clone().enumerate() {
            if let Some(p) = nodes.get_mut(id) {
                *p = (row_x(i, n), row_y(row));
            }
        }
    }
    let k = d.classes.len();
    let classes = (0..k)
        .map(|i| (row_x(i, k), row_y(d.levels.len())))
        .collect();
    Layout {
        nodes,
        classes,
        width,
        height,
    }
}

/// The drawing as an SVG document. Every node and class is one `<circle>` (class `node`,
/// `node firing`, `class` or `class reached`); every child link and class edge is one `<line>`
/// (class `edge` or `edge firing`), red when both ends fire.
pub fn model_graph_svg(d: &ModelDrawing, options: &FigureOptions) -> String {
    let lay = layout(d, options.title.is_some());
    let (width, height) = options.size.unwrap_or((lay.width, lay.height));
    let mut svg = Svg::new(width, height);
    if let Some(title) = &options.title {
        svg.text(
            width / 2.0,
            28.0,
            FONT_SIZE + 4.0,
            Anchor::Middle,
            title,
            "font-weight=\"bold\"",
        );
    }
    let fires = |n: usize| d.nodes.get(n).is_some_and(|node| node.firing);
    let reached = |c: usize| d.classes.get(c).is_some_and(|class| class.reached);

    svg.open("class=\"edges\"");
    let edge = |svg: &mut Svg, from: (f64, f64), to: (f64, f64), hot: bool| {
        let (class, stroke, w) = if hot {
            ("edge firing", FIRING, 2.2)
        } else {
            ("edge", EDGE, 1.0)
        };
        svg.raw(&format!(
            "<line class=\"{class}\" x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"{stroke}\" stroke-width=\"{}\"/>",
            num(from.0),
            num(from.1),
            num(to.0),
            num(to.1),
            num(w)
        ));
    };
    for (n, node) in d.nodes.iter().enumerate() {
        for &c in &node.children {
            edge(&mut svg, lay.nodes[n], lay.nodes[c], fires(n) && fires(c));
        }
    }
    for &(f, c) in &d.edges {
        edge(&mut svg, lay.nodes[f], lay.classes[c], fires(f));
    }
    svg.close();

    svg.open("class=\"nodes\"");
    let radii = RadiusScale::of(d);
    for (n, node) in d.nodes.iter().enumerate() {
        let r = radii.radius(node.ln_lambda);
        let (x, y) = lay.nodes[n];
        let (class, fill, stroke) = if fires(n) {
            ("node firing", FIRING, "#8c1a1b")
        } else {
            ("node", IDLE_FILL, IDLE_STROKE)
        };
        svg.raw(&format!(
            "<circle class=\"{class}\" cx=\"{}\" cy=\"{}\" r=\"{}\" fill=\"{fill}\" stroke=\"{stroke}\" stroke-width=\"1.2\"><title>{}</title></circle>",
            num(x),
            num(y),
            num(r),
            escape(&node_title(d, n))
        ));
        label(&mut svg, x, y + r + FONT_SIZE + 3.0, &node.name, "");
    }
    for (c, class) in d.classes.iter().enumerate() {
        let (x, y) = lay.classes[c];
        let (kind, stroke, w) = if reached(c) {
            ("class reached", FIRING, 2.5)
        } else {
            ("class", IDLE_STROKE, 1.2)
        };
        svg.raw(&format!(
            "<circle class=\"{kind}\" cx=\"{}\" cy=\"{}\" r=\"{}\" fill=\"{CLASS_FILL}\" stroke=\"{stroke}\" stroke-width=\"{}\"><title>{}</title></circle>",
            num(x),
            num(y),
            num(R_CLASS),
            num(w),
            escape(&class_title(d, c))
        ));
        label(
            &mut svg,
            x,
            y - R_CLASS - 6.0,
            &class.name,
            "font-weight=\"bold\"",
        );
    }
    svg.close();
    svg.finish()
}

/// Quotes a name as a DOT identifier.
fn dot_id(name: &str) -> String {
    format!("\"{}\"", name.replace('\\', "\\\\").replace('"', "\\\""))
}

/// The same drawing as Graphviz DOT (`rankdir=BT`: input at the bottom, one rank per level;
/// firing nodes and edges red; `width` from the same radius rule).
pub fn model_graph_dot(d: &ModelDrawing) -> String {
    let radii = RadiusScale::of(d);
    let fires = |n: usize| d.nodes.get(n).is_some_and(|node| node.firing);
    let reached = |c: usize| d.classes.get(c).is_some_and(|class| class.reached);
    let mut out = format!(
        "digraph {} {{\n  rankdir=BT;\n  node [shape=circle, style=filled, fontname=\"sans-serif\"];\n",
        dot_id(&d.model)
    );
    for level in &d.levels {
        out.push_str("  { rank=same;");
        for n in level.nodes.clone() {
            if let Some(node) = d.nodes.get(n) {
                let r = radii.radius(node.ln_lambda);
                let (fill, font) = if fires(n) {
                    (FIRING, "white")
                } else {
                    (IDLE_FILL, "black")
                };
                out.push_str(&format!(
                    " {} [fillcolor=\"{fill}\", fontcolor=\"{font}\", width={}, fixedsize=false, tooltip={}];",
                    dot_id(&node.name),
                    num(r / 36.0 * 2.0),
                    dot_id(&node_title(d, n))
                ));
            }
        }
        out.push_str(" }\n");
    }
    out.push_str("  { rank=same;");
    for (c, class) in d.classes.iter().enumerate() {
        let pen = if reached(c) { FIRING } else { IDLE_STROKE };
        out.push_str(&format!(
            " {} [shape=doublecircle, fillcolor=\"{CLASS_FILL}\", color=\"{pen}\"];",
            dot_id(&format!("class {}", class.name))
        ));
    }
    out.push_str(" }\n");
    for (n, node) in d.nodes.iter().enumerate() {
        for &c in &node.children {
            let color = if fires(n) && fires(c) { FIRING } else { EDGE };
            out.push_str(&format!(
                "  {} -> {} [color=\"{color}\", arrowhead=none];\n",
                dot_id(&d.nodes[c].name),
                dot_id(&node.name)
            ));
        }
    }
    for &(f, c) in &d.edges {
        let color = if fires(f) { FIRING } else { EDGE };
        out.push_str(&format!(
            "  {} -> {} [color=\"{color}\"];\n",
            dot_id(&d.nodes[f].name),
            dot_id(&format!("class {}", d.classes[c].name))
        ));
    }
    out.push_str("}\n");
    out
}
