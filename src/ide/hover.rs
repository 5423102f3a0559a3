//! Hover text (Markdown) for a name: a node's level, rule, and its init and grow/shrink
//! rules as resolved by precedence (from the IR); a class's parents; a sample's pattern
//! and label; a phase's settings; a level's nodes.

use super::index::{Decl, Index, Kind, Namespace};
use super::Analysis;
use crate::check::ReadFile;
use crate::ir::Ir;
use crate::render::{dist_text, update_text};
use crate::span::Span;
use crate::syntax::ast;
use crate::syntax::print;

/// A hover: Markdown text about the name or model at a place, and the span it is about.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Hover {
    /// Markdown, as an editor shows it.
    pub markdown: String,
    /// The name the text is about.
    pub span: Span,
}

/// The hover at byte `offset`: the model's size on its name, a declaration's details on
/// any occurrence of a name.
pub fn hover_at(analysis: &Analysis, offset: usize) -> Option<Hover> {
    let index = &analysis.index;
    if let Some(model) = index
        .decls
        .iter()
        .find(|d| d.kind == Kind::Model && d.span.start <= offset && offset <= d.span.end)
    {
        return Some(Hover {
            markdown: hover_model(index, analysis.resolved.as_ref(), model),
            span: model.span,
        });
    }
    if let Some(file) = analysis
        .files
        .iter()
        .flat_map(|f| &f.read)
        .find(|f| f.path_span.start <= offset && offset <= f.path_span.end)
    {
        return Some(Hover {
            markdown: hover_file(file),
            span: file.path_span,
        });
    }
    let occurrence = index.occurrence_at(offset)?;
    let markdown = hover(analysis, occurrence.namespace, &occurrence.name)
        .or_else(|| hover_read_sample(analysis, occurrence.namespace, &occurrence.name))?;
    Some(Hover {
        markdown,
        span: occurrence.span,
    })
}

/// At most this many of a data file's columns are listed in its hover.
const MAX_COLUMNS_SHOWN: usize = 24;

/// The hover on the path of `from "PATH"`: the file, its samples and its columns.
fn hover_file(file: &ReadFile) -> String {
    let set = if file.test {
        "test set"
    } else {
        "training data"
    };
    let s = if file.samples == 1 { "" } else { "s" };
    let mut text = format!(
        "**data file** `{}` · {} sample{s} into the {set} · {} column{}",
        file.path.display(),
        file.samples,
        file.columns.len(),
        if file.columns.len() == 1 { "" } else { "s" },
    );
    if !file.columns.is_empty() {
        let shown: Vec<String> = file
            .columns
            .iter()
            .take(MAX_COLUMNS_SHOWN)
            .map(|c| format!("`{c}`"))
            .collect();
        text.push_str(&format!("\n\ncolumns: {}", shown.join(" ")));
        if file.columns.len() > MAX_COLUMNS_SHOWN {
            text.push_str(&format!(
                " and {} more",
                file.columns.len() - MAX_COLUMNS_SHOWN
            ));
        }
    }
    text
}

/// The hover on the name of a sample read from a data file (used in an expectation):
/// its file and line, and its inputs and label as read.
fn hover_read_sample(analysis: &Analysis, namespace: Namespace, name: &str) -> Option<String> {
    if namespace != Namespace::Sample {
        return None;
    }
    let (file, line) = analysis.files.as_ref()?.sample_line(name)?;
    let ir = analysis.resolved.as_ref()?;
    let (what, samples) = if file.test {
        (
            "test sample",
            ir.test.as_ref().map_or(&[][..], |t| &t.samples[..]),
        )
    } else {
        ("sample", &ir.data.samples[..])
    };
    let mut text = format!(
        "**{what}** `{name}` · line {line} of `{}`",
        file.path.display()
    );
    if file.test {
        text.push_str(" · held out: never trained on");
    }
    if let Some(sample) = samples.iter().find(|s| s.name == name) {
        text.push_str(&format!("\n\n```nshed\n{}\n```", sample_text(ir, sample)));
    }
    Some(text)
}

/// A checked sample as it would be written: `name: e1 e2 -> c1`.
fn sample_text(ir: &Ir, sample: &crate::ir::Sample) -> String {
    let mut out = format!("{}:", sample.name);
    for &n in &sample.input {
        if let Some(node) = ir.nodes.get(n as usize) {
            out.push(' ');
            out.push_str(&node.name);
        }
    }
    out.push_str(" -> ");
    if let Some(class) = ir.classes.get(sample.label as usize) {
        out.push_str(&class.name);
    }
    if sample.weight != 1.0 {
        out.push_str(&format!(" weight {}", sample.weight));
    }
    out
}

/// The hover text for the declaration of (`namespace`, `name`), from what parses and
/// checks of the text. `None` when the name is declared nowhere (or its declaration does
/// not parse).
fn hover(analysis: &Analysis, namespace: Namespace, name: &str) -> Option<String> {
    let decl = analysis.index.decl_of(namespace, name)?;
    let levels = analysis.index.levels();
    let out = match decl.kind {
        Kind::Node => {
            let level = decl.level.unwrap_or(0);
            let level_name = levels.get(level).map_or("", |l| l.0);
            let mut text = format!("**node** `{name}` · level {} `{level_name}`", level + 1);
            if let Some(gate) = find_gate(analysis, name) {
                text.push_str(&format!("\n\n```nshed\n{name} = {gate}\n```"));
            } else if level == 0 {
                text.push_str("\n\ninput node (fires when the input says so)");
            }
            if let Some(ir) = &analysis.resolved {
                text.push_str(&resolved_node(ir, name));
            }
            text
        }
        Kind::Class => {
            let mut text = format!("**class** `{name}` · level {}", levels.len() + 1);
            if let Some(parents) = find_parents(analysis, name) {
                text.push_str(&format!(
                    "\n\n```nshed\n{name} <- {}\n```",
                    parents.join(", ")
                ));
            }
            text
        }
        Kind::Level => {
            let level = decl.level.unwrap_or(0);
            let nodes = levels.get(level).map(|l| l.1.clone()).unwrap_or_default();
            format!(
                "**level** `{name}` · level {} of {} · {} node{}: {}",
                level + 1,
                levels.len() + 1,
                nodes.len(),
                if nodes.len() == 1 { "" } else { "s" },
                nodes
                    .iter()
                    .map(|n| format!("`{n}`"))
                    .collect::<Vec<_>>()
                    .join(" ")
            )
        }
        Kind::Sample | Kind::TestSample => {
            let mut text = if decl.kind == Kind::TestSample {
                format!("**test sample** `{name}` · held out: never trained on")
            } else {
                format!("**sample** `{name}`")
            };
            if let Some(line) = find_sample(analysis, name) {
                text.push_str(&format!("\n\n```nshed\n{line}\n```"));
            }
            text
        }
        Kind::Phase => {
            let mut text = format!("**phase** `{name}`");
            if let Some(phase) = find_phase(analysis, name) {
                text.push_str(&format!("\n\n```nshed\n{}```", phase));
            }
            text
        }
        Kind::Model | Kind::Block => return None,
    };
    Some(out)
}

/// The hover for the model's own name: its size (samples read from files counted when
/// the file checks that far).
fn hover_model(index: &Index, ir: Option<&Ir>, decl: &Decl) -> String {
    let levels = index.levels();
    let nodes: usize = levels.iter().map(|l| l.1.len()).sum();
    let classes = index.names_of(Kind::Class).len();
    let mut text = format!(
        "**model** `{}` · {} levels, {} feature nodes, {} class{}, {} samples",
        decl.name,
        levels.len() + 1,
        nodes,
        classes,
        if classes == 1 { "" } else { "es" },
        index
            .names_of(Kind::Sample)
            .len()
            .max(ir.map_or(0, |ir| ir.data.samples.len()))
    );
    let test = index.names_of(Kind::TestSample).len().max(
        ir.and_then(|ir| ir.test.as_ref())
            .map_or(0, |t| t.samples.len()),
    );
    if test > 0 {
        text.push_str(&format!(
            ", {test} test sample{}",
            if test == 1 { "" } else { "s" }
        ));
    }
    text
}

fn model_levels(file: &ast::File) -> impl Iterator<Item = &ast::LevelDecl> {
    file.model.items.iter().filter_map(|i| match i {
        ast::ModelItem::Level(l) => Some(l),
        ast::ModelItem::Classes(_) => None,
    })
}

fn find_gate(analysis: &Analysis, name: &str) -> Option<String> {
    let file = analysis.file.as_ref()?;
    model_levels(file)
        .flat_map(|l| l.named_nodes().map(move |(n, node)| (l, n, node)))
        .find(|(_, n, _)| n.name == name)
        .and_then(|(l, _, node)| Some((l, node.gate.as_ref()?)))
        .map(|(l, gate)| print::gate_text(&l.children, gate))
}

fn find_parents(analysis: &Analysis, name: &str) -> Option<Vec<String>> {
    let file = analysis.file.as_ref()?;
    file.model
        .items
        .iter()
        .filter_map(|i| match i {
            ast::ModelItem::Classes(c) => Some(c),
            ast::ModelItem::Level(_) => None,
        })
        .flat_map(|c| &c.classes)
        .find(|c| c.name.name == name)
        .map(|c| c.parents.iter().map(|p| p.name.to_string()).collect())
}

/// The written sample (of `data` or `test`) named `name`, printed.
fn find_sample(analysis: &Analysis, name: &str) -> Option<String> {
    let file = analysis.file.as_ref()?;
    file.blocks
        .iter()
        .flat_map(|b| -> Vec<&ast::SampleDecl> {
            match b {
                ast::Block::Data(d) => d
                    .items
                    .iter()
                    .filter_map(|item| match item {
                        ast::DataItem::Sample(s) => Some(s),
                        _ => None,
                    })
                    .collect(),
                ast::Block::Test(t) => t
                    .items
                    .iter()
                    .filter_map(|item| match item {
                        ast::TestItem::Sample(s) => Some(s),
                        _ => None,
                    })
                    .collect(),
                _ => Vec::new(),
            }
        })
        .find(|s| s.name.name == name)
        .map(|s| print::print_sample(s, &analysis.text))
}

fn find_phase(analysis: &Analysis, name: &str) -> Option<String> {
    let file = analysis.file.as_ref()?;
    file.blocks
        .iter()
        .filter_map(|b| match b {
            ast::Block::Train(t) => Some(t),
            _ => None,
        })
        .flat_map(|t| &t.items)
        .find_map(|item| match item {
            ast::TrainItem::Phase(p) if p.name.name == name => {
                Some(print::print_phase(p, &analysis.text))
            }
            _ => None,
        })
}

/// Init and rules of a node as the checker resolved them (node, then level, then the
/// file-wide line; a phase's line beats the file's at equal specificity).
fn resolved_node(ir: &Ir, name: &str) -> String {
    let Some(id) = ir.node_index(name).map(|i| i as usize) else {
        return String::new();
    };
    let mut out = String::new();
    if let Some(d) = ir.init.lambda.get(id) {
        out.push_str(&format!("\n\ninit `lambda = {}`", dist_text(d)));
    }
    if let (Some(g), Some(s)) = (ir.rules.grow.get(id), ir.rules.shrink.get(id)) {
        out.push_str(&format!(
            "\n\nrules: grow `{}` · shrink `{}`",
            update_text(g),
            update_text(s)
        ));
    }
    let level = ir.nodes.get(id).map_or(0, |n| n.level as usize);
    for phase in ir.train.iter().flat_map(|t| &t.phases) {
        if let (Some(g), Some(s)) = (phase.rules.grow.get(id), phase.rules.shrink.get(id)) {
            let frozen = if phase.frozen_levels.get(level).copied().unwrap_or(false) {
                " · frozen"
            } else {
                ""
            };
            out.push_str(&format!(
                "\n\nphase `{}`: grow `{}` · shrink `{}`{frozen}",
                phase.name,
                update_text(g),
                update_text(s)
            ));
        }
    }
    out
}
