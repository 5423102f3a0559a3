//! Hover text (Markdown) for a name: a node's level, rule, and its init and grow/shrink
//! rules as resolved by precedence (from the IR); a class's parents; a sample's pattern
//! and label; a phase's settings; a level's nodes.

use super::index::{Decl, Index, Kind, Namespace};
use super::Analysis;
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
            markdown: hover_model(index, model),
            span: model.span,
        });
    }
    let occurrence = index.occurrence_at(offset)?;
    let markdown = hover(analysis, occurrence.namespace, &occurrence.name)?;
    Some(Hover {
        markdown,
        span: occurrence.span,
    })
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
        Kind::Sample => {
            let mut text = format!("**sample** `{name}`");
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

/// The hover for the model's own name: its size.
fn hover_model(index: &Index, decl: &Decl) -> String {
    let levels = index.levels();
    let nodes: usize = levels.iter().map(|l| l.1.len()).sum();
    let classes = index.names_of(Kind::Class).len();
    format!(
        "**model** `{}` · {} levels, {} feature nodes, {} class{}, {} samples",
        decl.name,
        levels.len() + 1,
        nodes,
        classes,
        if classes == 1 { "" } else { "es" },
        index.names_of(Kind::Sample).len()
    )
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

fn find_sample(analysis: &Analysis, name: &str) -> Option<String> {
    let file = analysis.file.as_ref()?;
    file.blocks
        .iter()
        .filter_map(|b| match b {
            ast::Block::Data(d) => Some(d),
            _ => None,
        })
        .flat_map(|d| &d.items)
        .find_map(|item| match item {
            ast::DataItem::Sample(s) if s.name.name == name => {
                Some(print::print_sample(s, &analysis.text))
            }
            _ => None,
        })
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
