//! `rules { }` and the rule lines of each `phase { }`: constraints on `g+` / `g-`, and
//! resolution into full per-node / per-edge tables.

use std::collections::HashMap;

use super::messages as msg;
use super::model::{Symbols, Tables};
use super::numbers::eval;
use super::targets::{resolve_target, Key, Statement};
use super::Ctx;
use crate::ir;
use crate::syntax::ast::{Direction, RuleItem, RuleStmt, Span, UpdateKind};

/// `(grows, target)`: `true` for `grow`, `false` for `shrink` (the AST's `Direction`
/// is not hashable).
type Slot = (bool, Key);

fn grows(direction: Direction) -> bool {
    direction == Direction::Grow
}

/// The checked rules of one scope (the file-level block or one phase).
#[derive(Debug, Default)]
pub struct Scope {
    pub rules: HashMap<Slot, ir::Update>,
    pub jitter: Option<(f64, Span)>,
    /// Spans of `add` / `sub` / `keep` updates, checked against jitter later.
    pub non_mul: Vec<Span>,
}

pub fn check_scope<'a, I>(ctx: &mut Ctx, symbols: &Symbols, items: I) -> Scope
where
    I: IntoIterator<Item = &'a RuleItem>,
{
    let mut scope = Scope::default();
    let mut first_span: HashMap<Slot, Span> = HashMap::new();
    for item in items {
        match item {
            RuleItem::Jitter { value, span } => {
                if let Some((_, first)) = scope.jitter {
                    ctx.push(msg::duplicate_jitter(*span, first));
                    continue;
                }
                if let Some(v) = super::numbers::eval_non_negative(ctx, value, "`jitter`") {
                    if super::bounds::check_jitter(ctx, v, value.span()) {
                        scope.jitter = Some((v, *span));
                    }
                }
            }
            RuleItem::Update(stmt) => check_stmt(ctx, symbols, stmt, &mut scope, &mut first_span),
        }
    }
    scope
}

fn check_stmt(
    ctx: &mut Ctx,
    symbols: &Symbols,
    stmt: &RuleStmt,
    scope: &mut Scope,
    first_span: &mut HashMap<Slot, Span>,
) {
    let update = evaluate(ctx, &stmt.update.kind).map(|u| {
        if stmt.update.by_error.is_some() {
            by_error(u)
        } else {
            u
        }
    });
    if !matches!(stmt.update.kind, UpdateKind::Mul(_)) {
        scope.non_mul.push(stmt.update.span);
    }
    // Check the update once per direction, however many targets share it.
    let mut valid = HashMap::new();
    let chained = stmt.targets.len() > 1;
    for direction in [Direction::Grow, Direction::Shrink] {
        if let Some(target) = stmt.targets.iter().find(|t| t.direction == direction) {
            // In a chain, point at the target whose constraint fails.
            let target = chained.then_some(target.span);
            let ok =
                update.is_some_and(|u| check_update(ctx, direction, u, stmt.update.span, target));
            valid.insert(grows(direction), ok);
        }
    }
    for target in &stmt.targets {
        let statement = Statement::Rule {
            grows: grows(target.direction),
        };
        let Some(key) = resolve_target(ctx, symbols, &target.target, statement) else {
            continue;
        };
        let slot = (grows(target.direction), key);
        if let Some(first) = first_span.get(&slot) {
            ctx.push(msg::duplicate_rule(target.span, *first));
            continue;
        }
        first_span.insert(slot, target.span);
        if let (Some(update), Some(true)) = (update, valid.get(&grows(target.direction))) {
            scope.rules.insert(slot, update);
        }
    }
}

fn evaluate(ctx: &mut Ctx, kind: &UpdateKind) -> Option<ir::Update> {
    Some(match kind {
        UpdateKind::Mul(e) => ir::Update::Mul {
            factor: eval(ctx, e)?,
        },
        UpdateKind::Add(e) => ir::Update::Add {
            amount: eval(ctx, e)?,
        },
        UpdateKind::Sub(e) => ir::Update::Sub {
            amount: eval(ctx, e)?,
        },
        UpdateKind::Keep => ir::Update::Keep,
    })
}

/// The error-driven form of an update; `keep by error` is `keep`.
fn by_error(u: ir::Update) -> ir::Update {
    match u {
        ir::Update::Mul { factor } => ir::Update::MulByError { factor },
        ir::Update::Add { amount } => ir::Update::AddByError { amount },
        ir::Update::Sub { amount } => ir::Update::SubByError { amount },
        other => other,
    }
}

/// `g+(x) > x` for growth; `0 <= g-(x) <= x` for shrinking. An error-driven
/// rule must satisfy them as written (its factor or amount), since the error can be 1.
fn check_update(
    ctx: &mut Ctx,
    direction: Direction,
    update: ir::Update,
    span: Span,
    target: Option<Span>,
) -> bool {
    let problem = match (direction, update.plain()) {
        (Direction::Grow, ir::Update::Mul { factor }) if factor <= 1.0 => {
            Some(msg::grow_mul_not_growing(factor, span))
        }
        (Direction::Grow, ir::Update::Add { amount }) if amount <= 0.0 => {
            Some(msg::grow_add_not_positive(amount, span))
        }
        (Direction::Grow, ir::Update::Sub { .. }) => Some(msg::grow_with("sub", span)),
        (Direction::Grow, ir::Update::Keep) => Some(msg::grow_with("keep", span)),
        (Direction::Shrink, ir::Update::Mul { factor }) if !(0.0..=1.0).contains(&factor) => {
            Some(msg::shrink_mul_out_of_range(factor, span))
        }
        (Direction::Shrink, ir::Update::Sub { amount }) if amount < 0.0 => {
            Some(msg::shrink_sub_negative(amount, span))
        }
        (Direction::Shrink, ir::Update::Add { .. }) => Some(msg::shrink_with_add(span)),
        _ => None,
    };
    match problem {
        Some(p) => {
            ctx.push(match target {
                Some(target) => msg::in_chain(p, target),
                None => p,
            });
            false
        }
        None => true,
    }
}

/// The defaults of a file that says nothing.
const DEFAULT_GROW: ir::Update = ir::Update::Mul { factor: 1.1 };
const DEFAULT_SHRINK: ir::Update = ir::Update::Mul { factor: 0.9 };

/// The full tables for `file` with `phase`'s overrides on top. Most specific target
/// first; at equal specificity the phase beats the file.
pub fn resolve(tables: &Tables, file: &Scope, phase: Option<&Scope>) -> ir::RuleSet {
    let scopes: Vec<&Scope> = phase.into_iter().chain(std::iter::once(file)).collect();
    let find = |direction: Direction, key: Key| -> Option<ir::Update> {
        scopes
            .iter()
            .find_map(|s| s.rules.get(&(grows(direction), key)).copied())
    };
    // A node or edge without a rule of its own takes its level's rule (or the all-edges
    // one): found once here, so a million nodes cost no lookups unless rules name them.
    let names = |is_own: fn(&Key) -> bool| {
        scopes
            .iter()
            .any(|s| s.rules.keys().any(|(_, key)| is_own(key)))
    };
    let node_rules = names(|k| matches!(k, Key::Node(_)));
    let edge_rules = names(|k| matches!(k, Key::Edge(_)));
    let node_table = |direction, default| -> ir::PerEntry<ir::Update> {
        let all = find(direction, Key::All);
        let per_level: Vec<ir::Update> = (0..tables.levels.len())
            .map(|level| {
                find(direction, Key::Level(level))
                    .or(all)
                    .unwrap_or(default)
            })
            .collect();
        let shared = |level: usize| per_level.get(level).copied().or(all).unwrap_or(default);
        tables
            .nodes
            .iter()
            .enumerate()
            .map(|(id, n)| {
                let own = node_rules
                    .then(|| find(direction, Key::Node(id as ir::NodeId)))
                    .flatten();
                own.unwrap_or_else(|| shared(n.level as usize))
            })
            .collect()
    };
    let edge_table = |direction, default| -> ir::PerEntry<ir::Update> {
        let shared = find(direction, Key::AllEdges)
            .or_else(|| find(direction, Key::All))
            .unwrap_or(default);
        (0..tables.edges.len())
            .map(|id| {
                edge_rules
                    .then(|| find(direction, Key::Edge(id as ir::EdgeId)))
                    .flatten()
                    .unwrap_or(shared)
            })
            .collect()
    };
    ir::RuleSet {
        grow: node_table(Direction::Grow, DEFAULT_GROW),
        shrink: node_table(Direction::Shrink, DEFAULT_SHRINK),
        grow_eta: edge_table(Direction::Grow, DEFAULT_GROW),
        shrink_eta: edge_table(Direction::Shrink, DEFAULT_SHRINK),
        jitter: scopes
            .iter()
            .find_map(|s| s.jitter.map(|(v, _)| v))
            .unwrap_or(0.0),
    }
}

/// Jitter applies to `mul` factors only, so a jitter in force next to an
/// `add` / `sub` / `keep` (in its own scope or the file-level block) is an error.
/// One diagnostic per jitter, labelling every rule it conflicts with.
pub fn check_jitter_conflicts(ctx: &mut Ctx, file: &Scope, phases: &[&Scope]) {
    let mut reported: Vec<Span> = Vec::new();
    // (jitter, the non-`mul` rules under it), in the order found.
    let mut conflicts: Vec<(Span, Vec<Span>)> = Vec::new();
    let mut report = |_: &mut Ctx, update: Span, jitter: Span| {
        if !reported.contains(&update) {
            reported.push(update);
            match conflicts.iter_mut().find(|(j, _)| *j == jitter) {
                Some((_, updates)) => updates.push(update),
                None => conflicts.push((jitter, vec![update])),
            }
        }
    };
    let positive = |s: &Scope| s.jitter.filter(|(v, _)| *v > 0.0).map(|(_, span)| span);
    if let Some(jitter) = positive(file) {
        for &update in &file.non_mul {
            report(ctx, update, jitter);
        }
        for phase in phases {
            // A phase that sets its own jitter is judged by that one.
            if phase.jitter.is_none() {
                for &update in &phase.non_mul {
                    report(ctx, update, jitter);
                }
            }
        }
    }
    for phase in phases {
        if let Some(jitter) = positive(phase) {
            for &update in phase.non_mul.iter().chain(&file.non_mul) {
                report(ctx, update, jitter);
            }
        }
    }
    for (jitter, updates) in conflicts {
        ctx.push(msg::jitter_on_non_mul(&updates, jitter));
    }
}
