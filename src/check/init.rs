//! The `init { }` block: initial distributions of `lambda` and `eta`, resolved per node
//! and per edge (node > level > file-wide > default; edge > `eta =` > default).

use std::collections::HashMap;

use super::bounds;
use super::messages as msg;
use super::model::Symbols;
use super::numbers::{eval, eval_non_negative};
use super::targets::{resolve_target, Key, Statement};
use super::Ctx;
use crate::ir;
use crate::syntax::ast::{DistKind, InitBlock, InitItem, Span, Target};

/// The resolved init and, per node / edge, which init statement set it (its span), so
/// that the "can never grow" warning can point at the line responsible.
#[derive(Debug)]
pub struct ResolvedInit {
    pub init: ir::Init,
    pub lambda_source: Sources,
    pub eta_source: Sources,
}

/// Which init statement set each node's (or edge's) distribution: 4 bytes an item (an
/// index into the statements' spans) rather than the 24 of an `Option<Span>`, which at
/// 10^6 nodes is 20 MB of the check's peak.
#[derive(Debug, Default)]
pub struct Sources {
    lines: Vec<Span>,
    of: Vec<u32>,
}

impl Sources {
    const NONE: u32 = u32::MAX;

    /// The statement of item `i`, if one set it (`None` for the default).
    pub fn get(&self, i: usize) -> Option<Span> {
        let line = *self.of.get(i)?;
        self.lines.get(line as usize).copied()
    }

    pub fn iter(&self) -> impl Iterator<Item = Option<Span>> + '_ {
        (0..self.of.len()).map(|i| self.get(i))
    }
}

const DEFAULT: ir::Dist = ir::Dist::Const { value: 1.0 };

pub fn check_init(ctx: &mut Ctx, symbols: &Symbols, block: Option<&InitBlock>) -> ResolvedInit {
    // The span of a statement is kept once, in `lines`; `given` holds its index.
    let mut lines: Vec<Span> = Vec::new();
    let mut given: HashMap<Key, (ir::Dist, u32)> = HashMap::new();
    for item in block.map_or(&[][..], |b| b.items.as_slice()) {
        let key = resolve_target(ctx, symbols, &item.target, Statement::Init);
        let dist = check_dist(ctx, item);
        let (Some(key), Some(dist)) = (key, dist) else {
            continue;
        };
        if let Some((_, first)) = given.get(&key) {
            ctx.push(msg::duplicate_init(item.span, lines[*first as usize]));
            continue;
        }
        given.insert(key, (dist, lines.len() as u32));
        lines.push(item.span);
    }

    let pick = |keys: &[Key]| keys.iter().find_map(|k| given.get(k).copied());
    // Nodes and edges without a line of their own share their level's (or the all-edges)
    // choice, found once; per-node lookups happen only if some line names a node.
    let node_lines = given.keys().any(|k| matches!(k, Key::Node(_)));
    let edge_lines = given.keys().any(|k| matches!(k, Key::Edge(_)));
    let per_level: Vec<_> = (0..symbols.levels.len())
        .map(|level| pick(&[Key::Level(level), Key::All]))
        .collect();
    let mut lambda = ir::PerEntryBuilder::new();
    let mut lambda_source = Vec::with_capacity(symbols.nodes.len());
    let source = |chosen: Option<(ir::Dist, u32)>| chosen.map_or(Sources::NONE, |(_, l)| l);
    for (id, node) in symbols.nodes.iter().enumerate() {
        let level = node.level as usize;
        let chosen = node_lines
            .then(|| pick(&[Key::Node(id as ir::NodeId)]))
            .flatten()
            .or_else(|| match per_level.get(level) {
                Some(shared) => *shared,
                None => pick(&[Key::Level(level), Key::All]),
            });
        lambda.push(chosen.map_or(DEFAULT, |(d, _)| d));
        lambda_source.push(source(chosen));
    }
    let all_edges = pick(&[Key::AllEdges]);
    let mut eta = ir::PerEntryBuilder::new();
    let mut eta_source = Vec::with_capacity(symbols.edges.len());
    for id in 0..symbols.edges.len() {
        let chosen = edge_lines
            .then(|| pick(&[Key::Edge(id as ir::EdgeId)]))
            .flatten()
            .or(all_edges);
        eta.push(chosen.map_or(DEFAULT, |(d, _)| d));
        eta_source.push(source(chosen));
    }
    ResolvedInit {
        init: ir::Init {
            lambda: lambda.finish(),
            eta: eta.finish(),
        },
        lambda_source: Sources {
            lines: lines.clone(),
            of: lambda_source,
        },
        eta_source: Sources {
            lines,
            of: eta_source,
        },
    }
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
        DistKind::Normal(mu_expr, sigma_expr) => {
            let mu = eval(ctx, mu_expr);
            let sigma = eval_non_negative(ctx, sigma_expr, "the `sigma` of `normal`");
            let (mu, sigma) = (mu?, sigma?);
            bounds::check_normal(ctx, (mu, mu_expr.span()), (sigma, sigma_expr.span()))
                .then_some(ir::Dist::Normal { mu, sigma })
        }
        DistKind::LogNormal(mu_expr, sigma_expr) => {
            let mu = eval(ctx, mu_expr);
            let sigma = eval_non_negative(ctx, sigma_expr, "the `sigma` of `lognormal`");
            let (mu, sigma) = (mu?, sigma?);
            bounds::check_lognormal(ctx, (mu, mu_expr.span()), (sigma, sigma_expr.span()))
                .then_some(ir::Dist::LogNormal { mu, sigma })
        }
    }
}
