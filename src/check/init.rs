//! The `init { }` block: initial distributions of `lambda` and `eta`, resolved per node
//! and per edge (node > level > file-wide > default; edge > `eta =` > default).

use std::collections::HashMap;

use super::messages as msg;
use super::model::{Entity, Symbols};
use super::numbers::{eval, eval_non_negative};
use super::suggest::closest;
use super::Ctx;
use crate::ir;
use crate::syntax::ast::{DistKind, InitBlock, InitItem, Span, Target};

/// A resolved init target, the key for "given twice".
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum Key {
    AllNodes,
    Node(ir::NodeId),
    Level(usize),
    AllEdges,
    Edge(ir::EdgeId),
}

/// The resolved init and, per node / edge, which init statement set it (its span), so
/// that the "can never grow" warning can point at the line responsible.
#[derive(Debug)]
pub struct ResolvedInit {
    pub init: ir::Init,
    pub lambda_source: Vec<Option<Span>>,
    pub eta_source: Vec<Option<Span>>,
}

const DEFAULT: ir::Dist = ir::Dist::Const { value: 1.0 };

pub fn check_init(ctx: &mut Ctx, symbols: &Symbols, block: Option<&InitBlock>) -> ResolvedInit {
    let mut given: HashMap<Key, (ir::Dist, Span)> = HashMap::new();
    for item in block.map_or(&[][..], |b| b.items.as_slice()) {
        let key = resolve_target(ctx, symbols, &item.target);
        let dist = check_dist(ctx, item);
        let (Some(key), Some(dist)) = (key, dist) else {
            continue;
        };
        if let Some((_, first)) = given.get(&key) {
            ctx.push(msg::duplicate_init(item.span, *first));
            continue;
        }
        given.insert(key, (dist, item.span));
    }

    let pick = |keys: &[Key]| keys.iter().find_map(|k| given.get(k).copied());
    // Nodes and edges without a line of their own share their level's (or the all-edges)
    // choice, found once; per-node lookups happen only if some line names a node.
    let node_lines = given.keys().any(|k| matches!(k, Key::Node(_)));
    let edge_lines = given.keys().any(|k| matches!(k, Key::Edge(_)));
    let per_level: Vec<_> = (0..symbols.levels.len())
        .map(|level| pick(&[Key::Level(level), Key::AllNodes]))
        .collect();
    let mut lambda = Vec::with_capacity(symbols.nodes.len());
    let mut lambda_source = Vec::with_capacity(symbols.nodes.len());
    for (id, node) in symbols.nodes.iter().enumerate() {
        let level = node.level as usize;
        let chosen = node_lines
            .then(|| pick(&[Key::Node(id as ir::NodeId)]))
            .flatten()
            .or_else(|| match per_level.get(level) {
                Some(shared) => *shared,
                None => pick(&[Key::Level(level), Key::AllNodes]),
            });
        lambda.push(chosen.map_or(DEFAULT, |(d, _)| d));
        lambda_source.push(chosen.map(|(_, s)| s));
    }
    let all_edges = pick(&[Key::AllEdges]);
    let mut eta = Vec::with_capacity(symbols.edges.len());
    let mut eta_source = Vec::with_capacity(symbols.edges.len());
    for id in 0..symbols.edges.len() {
        let chosen = edge_lines
            .then(|| pick(&[Key::Edge(id as ir::EdgeId)]))
            .flatten()
            .or(all_edges);
        eta.push(chosen.map_or(DEFAULT, |(d, _)| d));
        eta_source.push(chosen.map(|(_, s)| s));
    }
    ResolvedInit {
        init: ir::Init { lambda, eta },
        lambda_source,
        eta_source,
    }
}

fn resolve_target(ctx: &mut Ctx, symbols: &Symbols, target: &Target) -> Option<Key> {
    match target {
        Target::All => Some(Key::AllNodes),
        Target::AllEdges => Some(Key::AllEdges),
        Target::Level(name) => match symbols.level(&name.name) {
            Some(level) => Some(Key::Level(level)),
            None => {
                let suggestion = closest(&name.name, symbols.level_names());
                ctx.push(msg::unknown_level(&name.name, name.span, suggestion));
                None
            }
        },
        Target::Node(name) => match symbols.lookup(&name.name) {
            Some(Entity::Node(id)) => Some(Key::Node(id)),
            Some(Entity::Class(_)) => {
                ctx.push(msg::class_has_no_lambda(&name.name, name.span));
                None
            }
            None if symbols.level(&name.name).is_some() => {
                ctx.push(msg::level_without_keyword(&name.name, "lambda", name.span));
                None
            }
            None => {
                let suggestion = closest(&name.name, symbols.all_names());
                ctx.push(msg::unknown_node(&name.name, name.span, suggestion));
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
            let suggestion = closest(&from.name, symbols.level_node_names(last))
                .or_else(|| closest(&from.name, symbols.all_names()));
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
            let suggestion = closest(&to.name, symbols.class_names());
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

fn check_dist(ctx: &mut Ctx, item: &InitItem) -> Option<ir::Dist> {
    let what = match item.target {
        Target::AllEdges | Target::Edge { .. } => "an initial `eta`",
        _ => "an initial `lambda`",
    };
    match &item.dist.kind {
        DistKind::Const(e) => {
            eval_non_negative(ctx, e, what).map(|value| ir::Dist::Const { value })
        }
        DistKind::Uniform(a, b) => {
            let lo = eval_non_negative(ctx, a, "the lower bound of `uniform`");
            let hi = eval(ctx, b);
            let (lo, hi) = (lo?, hi?);
            if hi < lo {
                ctx.push(msg::uniform_reversed(lo, hi, item.dist.span));
                return None;
            }
            Some(ir::Dist::Uniform { a: lo, b: hi })
        }
        DistKind::Normal(mu, sigma) => {
            let mu = eval(ctx, mu);
            let sigma = eval_non_negative(ctx, sigma, "the `sigma` of `normal`");
            Some(ir::Dist::Normal {
                mu: mu?,
                sigma: sigma?,
            })
        }
        DistKind::LogNormal(mu, sigma) => {
            let mu = eval(ctx, mu);
            let sigma = eval_non_negative(ctx, sigma, "the `sigma` of `lognormal`");
            Some(ir::Dist::LogNormal {
                mu: mu?,
                sigma: sigma?,
            })
        }
    }
}
