//! The outline of a file: its declarations, each inside the block it is declared in.

use super::index::{Index, Kind};

/// What an outline entry declares.
pub use super::index::Kind as SymbolKind;
use crate::span::Span;

/// One entry of the outline.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Symbol {
    /// The name declared (a block's keyword for a block).
    pub name: String,
    /// What it declares.
    pub kind: SymbolKind,
    /// A word or two about it: `node`, `level 2`, `block`.
    pub detail: String,
    /// The whole declaration: a block through its `}`.
    pub range: Span,
    /// The name as written.
    pub selection: Span,
    /// The entries declared inside it, in order.
    pub children: Vec<Symbol>,
}

/// The outline: declarations nested by the extent of their blocks.
pub(super) fn symbols(index: &Index) -> Vec<Symbol> {
    let mut roots: Vec<Symbol> = Vec::new();
    // Declarations are in source order, so each one's container is the innermost open one.
    let mut stack: Vec<Symbol> = Vec::new();
    for d in &index.decls {
        let range = d.range.to(d.span);
        close_until(&mut stack, &mut roots, range.start);
        let detail = match d.kind {
            Kind::Model => "model".to_string(),
            Kind::Level => format!("level {}", d.level.unwrap_or(0) + 1),
            Kind::Node => "node".to_string(),
            Kind::Class => "class".to_string(),
            Kind::Sample => "sample".to_string(),
            Kind::TestSample => "test sample".to_string(),
            Kind::Phase => "phase".to_string(),
            Kind::Block => "block".to_string(),
        };
        stack.push(Symbol {
            name: d.name.clone(),
            kind: d.kind,
            detail,
            range,
            selection: d.span,
            children: Vec::new(),
        });
    }
    close_until(&mut stack, &mut roots, usize::MAX);
    roots
}

/// Closes the open entries that end at or before `start`, each into the one below it.
fn close_until(stack: &mut Vec<Symbol>, roots: &mut Vec<Symbol>, start: usize) {
    while stack.last().is_some_and(|open| open.range.end <= start) {
        if let Some(done) = stack.pop() {
            match stack.last_mut() {
                Some(parent) => parent.children.push(done),
                None => roots.push(done),
            }
        }
    }
}
