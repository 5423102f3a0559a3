//! The model itself drawn like Figures 1 and 2 of seed 002: one row per level (input at the
//! bottom, classes at the top), a line from every node to each of its children and from every
//! class-edge source to its class, the nodes that fire for an input in red, and node radii that
//! grow with `ln lambda`.

use super::svg::{escape, num, Anchor, Svg, FONT_SIZE};
use super::FigureOptions;
use crate::engine::{Model, State};
use crate::ir::{Ir, NodeId};

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

/// What to draw on top of the model's structure.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct GraphView {
    /// `ln lambda` per node (`-inf` for `lambda = 0`); empty draws every node at one size.
    pub ln_lambda: Vec<f64>,
    /// Which nodes fire (one entry per node); empty highlights nothing.
    pub firing: Vec<bool>,
    /// Which classes are reached by a firing node (one entry per class).
    pub class_reached: Vec<bool>,
}

impl GraphView {
    /// The view of `state`: radii from its `lambda`, and, for `input`, its firing nodes and the
    /// classes they reach highlighted.
    pub fn of(model: &Model, state: &State, input: Option<&[NodeId]>) -> GraphView {
        let ir = model.ir;
        let mut view = GraphView {
            ln_lambda: state.ln_lambdas(),
            ..GraphView::default()
        };
        if let Some(input) = input {
            let ev = model.evaluate(state, input);
            let mut firing = vec![false; ir.nodes.len()];
            for &n in &ev.firing {
                if let Some(f) = firing.get_mut(n as usize) {
                    *f = true;
                }
            }
            let mut reached = vec![false; ir.classes.len()];
            for e in &ir.edges {
                if firing.get(e.from as usize).copied().unwrap_or(false) {
                    if let Some(r) = reached.get_mut(e.to as usize) {
                        *r = true;
                    }
                }
            }
            view.firing = firing;
            view.class_reached = reached;
        }
        view
    }
}

/// Node radius: `10 + 2 ln lambda`, clamped to `[4, 20]` pixels (`lambda = 0` is the smallest).
pub fn node_radius(ln_lambda: f64) -> f64 {
    if ln_lambda.is_nan() {
        return R_MIN;
    }
    (10.0 + 2.0 * ln_lambda).clamp(R_MIN, R_MAX)
}

/// Positions of every node and class: `(x, y)` in pixels, plus the figure size.
struct Layout {
    nodes: Vec<(f64, f64)>,
    classes: Vec<(f64, f64)>,
    width: f64,
    height: f64,
}

fn layout(ir: &Ir, title: bool) -> Layout {
    let widest = ir
        .levels
        .iter()
        .map(|l| l.len as usize)
        .chain(std::iter::once(ir.classes.len()))
        .max()
        .unwrap_or(1)
        .max(1);
    let width = widest as f64 * MIN_SPACING + 2.0 * MARGIN;
    let rows = ir.levels.len() + 1;
    let top = if title { 40.0 } else { 0.0 } + MARGIN;
    let height = top + (rows - 1) as f64 * ROW_GAP + MARGIN;
    let row_y = |row: usize| height - MARGIN - row as f64 * ROW_GAP;
    let row_x = |i: usize, n: usize| MARGIN + (width - 2.0 * MARGIN) * (i as f64 + 0.5) / n as f64;
    let mut nodes = vec![(0.0, 0.0); ir.nodes.len()];
    for (row, level) in ir.levels.iter().enumerate() {
        let n = level.len as usize;
        for i in 0..n {
            if let Some(p) = nodes.get_mut(level.first as usize + i) {
                *p = (row_x(i, n), row_y(row));
            }
        }
    }
    let k = ir.classes.len();
    let classes = (0..k)
        .map(|i| (row_x(i, k), row_y(ir.levels.len())))
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
pub fn model_graph_svg(ir: &Ir, view: &GraphView, options: &FigureOptions) -> String {
    let lay = layout(ir, options.title.is_some());
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
    let fires = |n: usize| view.firing.get(n).copied().unwrap_or(false);
    let reached = |c: usize| view.class_reached.get(c).copied().unwrap_or(false);

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
    for (n, node) in ir.nodes.iter().enumerate() {
        if let Some(gate) = &node.gate {
            for &c in &gate.children {
                let c = c as usize;
                edge(&mut svg, lay.nodes[n], lay.nodes[c], fires(n) && fires(c));
            }
        }
    }
    for e in &ir.edges {
        let (f, c) = (e.from as usize, e.to as usize);
        edge(&mut svg, lay.nodes[f], lay.classes[c], fires(f));
    }
    svg.close();

    svg.open("class=\"nodes\"");
    for (n, node) in ir.nodes.iter().enumerate() {
        let r = view.ln_lambda.get(n).map_or(10.0, |&l| node_radius(l));
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
            escape(&node.name)
        ));
        svg.text(
            x,
            y + r + FONT_SIZE + 3.0,
            FONT_SIZE,
            Anchor::Middle,
            &node.name,
            "stroke=\"#ffffff\" stroke-width=\"3\" paint-order=\"stroke\"",
        );
    }
    for (c, class) in ir.classes.iter().enumerate() {
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
            escape(&class.name)
        ));
        svg.text(
            x,
            y - R_CLASS - 6.0,
            FONT_SIZE,
            Anchor::Middle,
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
pub fn model_graph_dot(ir: &Ir, view: &GraphView) -> String {
    let fires = |n: usize| view.firing.get(n).copied().unwrap_or(false);
    let reached = |c: usize| view.class_reached.get(c).copied().unwrap_or(false);
    let mut out = format!(
        "digraph {} {{\n  rankdir=BT;\n  node [shape=circle, style=filled, fontname=\"sans-serif\"];\n",
        dot_id(&ir.model)
    );
    for level in &ir.levels {
        out.push_str("  { rank=same;");
        for n in level.first as usize..(level.first + level.len) as usize {
            if let Some(node) = ir.nodes.get(n) {
                let r = view.ln_lambda.get(n).map_or(10.0, |&l| node_radius(l));
                let (fill, font) = if fires(n) {
                    (FIRING, "white")
                } else {
                    (IDLE_FILL, "black")
                };
                out.push_str(&format!(
                    " {} [fillcolor=\"{fill}\", fontcolor=\"{font}\", width={}, fixedsize=false];",
                    dot_id(&node.name),
                    num(r / 36.0 * 2.0)
                ));
            }
        }
        out.push_str(" }\n");
    }
    out.push_str("  { rank=same;");
    for (c, class) in ir.classes.iter().enumerate() {
        let pen = if reached(c) { FIRING } else { IDLE_STROKE };
        out.push_str(&format!(
            " {} [shape=doublecircle, fillcolor=\"{CLASS_FILL}\", color=\"{pen}\"];",
            dot_id(&format!("class {}", class.name))
        ));
    }
    out.push_str(" }\n");
    for (n, node) in ir.nodes.iter().enumerate() {
        if let Some(gate) = &node.gate {
            for &c in &gate.children {
                let c = c as usize;
                let color = if fires(n) && fires(c) { FIRING } else { EDGE };
                out.push_str(&format!(
                    "  {} -> {} [color=\"{color}\", arrowhead=none];\n",
                    dot_id(&ir.nodes[c].name),
                    dot_id(&node.name)
                ));
            }
        }
    }
    for e in &ir.edges {
        let (f, c) = (e.from as usize, e.to as usize);
        let color = if fires(f) { FIRING } else { EDGE };
        out.push_str(&format!(
            "  {} -> {} [color=\"{color}\"];\n",
            dot_id(&ir.nodes[f].name),
            dot_id(&format!("class {}", ir.classes[c].name))
        ));
    }
    out.push_str("}\n");
    out
}
