//! The model itself drawn like Figures 1 and 2 of the neurashed paper: one row per level (input at the
//! bottom, classes at the top), a line from every node to each of its children and from every
//! class-edge source to its class, the nodes that fire for an input in red, and node radii that
//! grow with `ln lambda` over the range of the drawn model (its smallest `lambda` gets the
//! smallest circle, its largest the largest). Every circle's tooltip (`<title>`) names the
//! node, its `lambda` and `ln lambda` and whether it fires; labels are dark text on a white
//! halo drawn as a separate text underneath, which every renderer shows the same way.

use super::axes::{draw_legend_flow, flow_rows, legend_height, LegendEntry, Marker};
use super::svg::{escape, num, text_width, Anchor, Svg, FONT_SIZE};
use super::FigureOptions;
use crate::analysis::ModelDrawing;
use crate::engine::numeric::Value;
use crate::render::{fmt_num, show_value};

const FIRING: &str = "#d62728";
const IDLE_FILL: &str = "#dfe6ee";
const IDLE_STROKE: &str = "#5b6b7d";
const EDGE: &str = "#b8c2cc";
const CLASS_FILL: &str = "#ffe9a8";
/// The predicted class is filled with this; the label gets a dashed ring of `LABEL`.
const PREDICTED_FILL: &str = "#f4a6a6";
const LABEL: &str = "#2a7d2e";
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

fn layout(d: &ModelDrawing, title: bool, legend: f64) -> Layout {
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
    let top = if title { 40.0 } else { 0.0 } + legend + MARGIN;
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
    let radii = RadiusScale::of(d);
    let input = d.input.as_deref().unwrap_or("");
    let (fires, label_of) = (
        format!("fires for {input}"),
        format!("label of {input} (dashed ring)"),
    );
    let keys = legend_entries(&fires, &label_of);
    let keys = if d.input.is_some() { &keys[..] } else { &[] };
    let size_note = size_note(d, &radii);
    let natural = layout(d, options.title.is_some(), 0.0).width;
    let key_rows = flow_rows(keys, natural - MARGIN).len();
    let legend = legend_height(key_rows + 1) + 8.0;
    let lay = layout(d, options.title.is_some(), legend);
    let (width, height) = options.size.unwrap_or((lay.width, lay.height));
    let mut svg = Svg::new(width, height);
    let legend_top = if options.title.is_some() { 40.0 } else { 10.0 };
    svg.open("class=\"legend\"");
    let used = draw_legend_flow(&mut svg, (MARGIN / 2.0, legend_top), width - MARGIN, keys);
    svg.text(
        width / 2.0,
        legend_top + used + 13.0,
        FONT_SIZE,
        Anchor::Middle,
        &size_note,
        "class=\"size-note\"",
    );
    svg.close();
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

    let segments = segments(d, &lay);
    svg.open("class=\"nodes\"");
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
        let (lx, ly) = label_place(&segments, (x, y), r, &node.name);
        label(&mut svg, lx, ly, &node.name, "");
    }
    for (c, class) in d.classes.iter().enumerate() {
        let (x, y) = lay.classes[c];
        let (kind, stroke, w) = if reached(c) {
            ("class reached", FIRING, 2.5)
        } else {
            ("class", IDLE_STROKE, 1.2)
        };
        let fill = if class.predicted {
            PREDICTED_FILL
        } else {
            CLASS_FILL
        };
        svg.raw(&format!(
            "<circle class=\"{kind}\" cx=\"{}\" cy=\"{}\" r=\"{}\" fill=\"{fill}\" stroke=\"{stroke}\" stroke-width=\"{}\"><title>{}</title></circle>",
            num(x),
            num(y),
            num(R_CLASS),
            num(w),
            escape(&class_title(d, c))
        ));
        if class.label {
            svg.raw(&format!(
                "<circle class=\"label-ring\" cx=\"{}\" cy=\"{}\" r=\"{}\" fill=\"none\" stroke=\"{LABEL}\" stroke-width=\"2\" stroke-dasharray=\"4 3\"/>",
                num(x),
                num(y),
                num(R_CLASS + 5.0)
            ));
        }
        let top = y - R_CLASS - 10.0;
        label(&mut svg, x, top, &class.name, "font-weight=\"bold\"");
        let role = match (class.predicted, class.label) {
            (true, true) => "predicted = label",
            (true, false) => "predicted",
            (false, true) => "label",
            (false, false) => "",
        };
        if !role.is_empty() {
            label(
                &mut svg,
                x,
                top - FONT_SIZE - 2.0,
                role,
                "font-style=\"italic\"",
            );
        }
    }
    svg.close();
    svg.finish()
}

/// The key of a drawing with an input: what red, grey, a filled class and a dashed ring mean.
fn legend_entries<'a>(fires: &'a str, label_of: &'a str) -> [LegendEntry<'a>; 4] {
    let entry = |label: &'a str, colour: &'a str, filled: bool| LegendEntry {
        label,
        colour,
        marker: Some(Marker::Circle),
        marker_filled: filled,
        line: false,
    };
    [
        entry(fires, FIRING, true),
        entry("does not fire", IDLE_STROKE, false),
        entry("predicted class (filled)", PREDICTED_FILL, true),
        entry(label_of, LABEL, false),
    ]
}

/// What node size means, with the drawing's own range.
fn size_note(d: &ModelDrawing, radii: &RadiusScale) -> String {
    match d.ln_lambda_range() {
        Some((lo, hi)) if hi > lo => format!(
            "circle size grows with ln lambda: radius {} px at ln lambda = {}, {} px at {}",
            num(radii.radius(lo)),
            fmt_num(lo),
            num(radii.radius(hi)),
            fmt_num(hi)
        ),
        Some((lo, _)) => format!("every node has ln lambda = {}", fmt_num(lo)),
        None => "every node has lambda = 0 (smallest circles)".to_string(),
    }
}

/// Every drawn line, as its two end points.
/// A straight line of the drawing, from one point to another.
type Segment = ((f64, f64), (f64, f64));

fn segments(d: &ModelDrawing, lay: &Layout) -> Vec<Segment> {
    let mut out: Vec<_> = d
        .nodes
        .iter()
        .enumerate()
        .flat_map(|(n, node)| node.children.iter().map(move |&c| (n, c)))
        .map(|(n, c)| (lay.nodes[n], lay.nodes[c]))
        .collect();
    out.extend(d.edges.iter().map(|&(f, c)| (lay.nodes[f], lay.classes[c])));
    out
}

/// The box a label drawn centred at `x` with its baseline at `y` covers (with a margin for
/// its halo): `(left, top, right, bottom)`.
fn label_box(x: f64, y: f64, text: &str) -> (f64, f64, f64, f64) {
    let half = text_width(text, FONT_SIZE) / 2.0 + 2.0;
    (x - half, y - FONT_SIZE, x + half, y + 4.0)
}

/// Whether the segment from `a` to `b` passes through the box (Liang-Barsky clipping).
fn crosses(
    (a, b): ((f64, f64), (f64, f64)),
    (left, top, right, bottom): (f64, f64, f64, f64),
) -> bool {
    let (dx, dy) = (b.0 - a.0, b.1 - a.1);
    let (mut t0, mut t1) = (0.0f64, 1.0f64);
    for (p, q) in [
        (-dx, a.0 - left),
        (dx, right - a.0),
        (-dy, a.1 - top),
        (dy, bottom - a.1),
    ] {
        if p == 0.0 {
            if q < 0.0 {
                return false;
            }
        } else {
            let t = q / p;
            if p < 0.0 {
                t0 = t0.max(t);
            } else {
                t1 = t1.min(t);
            }
        }
    }
    t0 <= t1
}

/// Where a node's label goes: below the circle, else above, right, left or diagonally,
/// whichever first crosses no line (the one crossing fewest when every place does).
fn label_place(segments: &[Segment], (x, y): (f64, f64), r: f64, text: &str) -> (f64, f64) {
    let half = text_width(text, FONT_SIZE) / 2.0;
    let below = y + r + FONT_SIZE + 3.0;
    let above = y - r - 5.0;
    let beside = y + FONT_SIZE / 3.0;
    let side = r + 4.0 + half;
    // Nearest first: under, over and beside the circle, then the corners, then one step
    // further out (still nearer this node than its neighbours, `MIN_SPACING` away).
    let mut candidates = vec![
        (x, below),
        (x, above),
        (x + side, beside),
        (x - side, beside),
    ];
    for step in [0.0, 8.0, 16.0] {
        for dx in [side + step, -(side + step)] {
            for cy in [below + step, above - step, beside + step, beside - step] {
                candidates.push((x + dx, cy));
            }
        }
    }
    let crossings = |&(cx, cy): &(f64, f64)| {
        let b = label_box(cx, cy, text);
        segments.iter().filter(|&&s| crosses(s, b)).count()
    };
    candidates
        .iter()
        .find(|c| crossings(c) == 0)
        .or_else(|| candidates.iter().min_by_key(|c| crossings(c)))
        .copied()
        .unwrap_or((x, below))
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::{run_seed, train, Control, State, Trainer, Until};

    /// The number in attribute `name` of an element's text.
    fn attr(element: &str, name: &str) -> Option<f64> {
        let at = element.find(&format!(" {name}=\""))? + name.len() + 3;
        element[at..].split('"').next()?.parse().ok()
    }

    /// Every example, trained as `nshed draw` trains it and drawn with each sample's
    /// pathway: no line of the drawing passes through a node's label.
    #[test]
    fn no_line_crosses_a_label_in_the_examples() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/examples");
        let mut drawn = 0;
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_none_or(|e| e != "nshed") {
                continue;
            }
            let compiled = crate::compile_path(&path).unwrap();
            let model = compiled.model();
            let ir = compiled.ir();
            // A drawing of thousands of nodes (the digits example) cannot keep every edge
            // off every label; the layout's promise is for models one can read drawn.
            if model.n_nodes() > 200 {
                continue;
            }
            let mut state = State::new(ir, run_seed(ir, None));
            let control = Control::default();
            let until = Until::EndOfSchedule;
            train(&mut Trainer::new(&model), &mut state, until, &control, None);
            let inputs = std::iter::once(None).chain(
                ir.data
                    .samples
                    .iter()
                    .map(|s| Some((s.input.as_slice(), s.name.clone()))),
            );
            for input in inputs {
                let d = ModelDrawing::of(&model, &state, input);
                let svg = model_graph_svg(&d, &FigureOptions::titled(d.title()));
                let lines: Vec<((f64, f64), (f64, f64))> = svg
                    .split("<line ")
                    .skip(1)
                    .filter(|e| e.starts_with("class=\"edge"))
                    .map(|e| {
                        let v = |n| attr(e, n).unwrap();
                        ((v("x1"), v("y1")), (v("x2"), v("y2")))
                    })
                    .collect();
                assert!(!lines.is_empty());
                for e in svg.split("<text class=\"label\"").skip(1) {
                    let (x, y) = (attr(e, "x").unwrap(), attr(e, "y").unwrap());
                    let text = e.split('>').nth(1).unwrap().split('<').next().unwrap();
                    let b = label_box(x, y, text);
                    // The halo's margin aside: the glyphs themselves.
                    let glyphs = (b.0 + 2.0, b.1, b.2 - 2.0, y);
                    for &l in &lines {
                        assert!(
                            !crosses(l, glyphs),
                            "{}: a line {l:?} crosses label `{text}` at ({x}, {y})",
                            path.display()
                        );
                    }
                }
                drawn += 1;
            }
        }
        assert!(drawn >= 9, "{drawn} drawings");
    }

    #[test]
    fn a_segment_crosses_a_box_only_through_it() {
        let b = (0.0, 0.0, 10.0, 10.0);
        assert!(crosses(((-5.0, 5.0), (15.0, 5.0)), b));
        assert!(crosses(((5.0, 5.0), (6.0, 6.0)), b));
        assert!(!crosses(((-5.0, -5.0), (-1.0, 20.0)), b));
        assert!(!crosses(((11.0, 0.0), (20.0, 10.0)), b));
        assert!(crosses(((-10.0, 20.0), (20.0, -10.0)), b));
    }
}
