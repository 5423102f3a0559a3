//! Targets of `init` and rule lines (`lambda m2 = ...`, `grow level parts = ...`,
//! `eta t1 -> c2 = ...`): resolved to a `Key`, with the same diagnostics for both blocks.

use super::messages as msg;
use super::model::{Entity, Symbols};
use super::Ctx;
use crate::diag::Problem;
use crate::ir;
use crate::syntax::ast::{Span, Target};

/// A resolved target: the key for "given twice" and for "which line applies".
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Key {
    /// Every node (`lambda = ...`, `grow = ...`).
    All,
    Node(ir::NodeId),
    Level(usize),
    AllEdges,
    Edge(ir::EdgeId),
}

/// The kind of line a target stands in, for the wording of its diagnostics.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Statement {
    /// `lambda X = ...` in `init`.
    Init,
    /// `grow X = ...` / `shrink X = ...`.
    Rule { grows: bool },
}

impl Statement {
    fn keyword(self) -> &'static str {
        match self {
            Statement::Init => "lambda",
            Statement::Rule { grows: true } => "grow",
            Statement::Rule { grows: false } => "shrink",
        }
    }

    fn class_problem(self, name: &str, span: Span) -> Problem {
        match self {
            Statement::Init => msg::class_has_no_lambda(name, span),
            Statement::Rule { .. } => msg::class_has_no_rule(name, span),
        }
    }
}

/// Resolves one target, or reports why it names nothing that `statement` can set.
pub fn resolve_target(
    ctx: &mut Ctx,
    symbols: &Symbols,
    target: &Target,
    statement: Statement,
) -> Option<Key> {
    match target {
        Target::All => Some(Key::All),
        Target::AllEdges => Some(Key::AllEdges),
        Target::Level(name) => match symbols.level(&name.name) {
            Some(level) => Some(Key::Level(level)),
            None => {
                let suggestion = symbols.suggest_level(&name.name);
                ctx.push(msg::unknown_level(&name.name, name.span, suggestion));
                None
            }
        },
        Target::Node(name) => match symbols.lookup(&name.name) {
            Some(Entity::Node(id)) => Some(Key::Node(id)),
            Some(Entity::Class(_)) => {
                ctx.push(statement.class_problem(&name.name, name.span));
                None
            }
            None if symbols.level(&name.name).is_some() => {
                ctx.push(msg::level_without_keyword(
                    &name.name,
                    statement.keyword(),
                    name.span,
                ));
                None
            }
            None => {
                // A misspelt level is suggested with its keyword: `lambda parts = ...`
                // would only be the next error.
                let suggestion = symbols
                    .suggest_name(&name.name)
                    .map(str::to_string)
                    .or_else(|| {
                        symbols
                            .suggest_level(&name.name)
                            .map(|l| format!("level {l}"))
                    });
                ctx.push(msg::unknown_node(
                    &name.name,
                    name.span,
                    suggestion.as_deref(),
                ));
                None
            }
        },
        Target::Edge { from, to } => resolve_edge(ctx, symbols, from, to).map(Key::Edge),
    }
}

/// `F->C`: both names known, `F` a node, `C` a class, and the edge declared.
pub fn resolve_edge(
    ctx: &mut Ctx,
    symbols: &Symbols,
    from: &crate::syntax::ast::Ident,
    to: &crate::syntax::ast::Ident,
) -> Option<ir::EdgeId> {
    let last = symbols.last_feature_level();
    let from_id = match symbols.lookup(&from.name) {
        Some(Entity::Node(id)) => Some(id),
        Some(Entity::Class(_)) => {
            ctx.push(msg::edge_end_wrong(
                "start", &from.name, "a class", from.span,
            ));
            None
        }
        None => {
            let suggestion = symbols.suggest_node(&from.name, last);
            ctx.push(msg::unknown_node(&from.name, from.span, suggestion));
            None
        }
    };
    let to_id = match symbols.lookup(&to.name) {
        Some(Entity::Class(id)) => Some(id),
        Some(entity @ Entity::Node(_)) => {
            let what = symbols.describe(entity);
            ctx.push(msg::edge_end_wrong("end", &to.name, &what, to.span));
            None
        }
        None => {
            let suggestion = symbols.suggest_class(&to.name);
            ctx.push(msg::unknown_class(&to.name, to.span, suggestion));
            None
        }
    };
    let (from_id, to_id) = (from_id?, to_id?);
    let edge = symbols.edge(from_id, to_id);
    if edge.is_none() {
        ctx.push(msg::no_such_edge(
            &from.name,
            &to.name,
            from.span.to(to.span),
            symbols.class_spans.get(to_id as usize).copied(),
        ));
    }
    edge
}
