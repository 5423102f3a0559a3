//! The `train { }` block: seed, `eta_update`, `sampler`, phases and `record`.

use std::collections::HashMap;

use super::data::CheckedData;
use super::messages as msg;
use super::model::{Entity, Symbols, Tables};
use super::rules::{self, Scope};
use super::suggest::closest;
use super::Ctx;
use crate::ir;
use crate::syntax::ast::{
    Ident, IntLit, PhaseDecl, PhaseItem, RuleItem, Span, TrainBlock, TrainItem,
};

/// A phase whose rules are checked but not yet resolved against the file-level rules.
#[derive(Debug)]
pub struct PendingPhase {
    pub name: String,
    pub steps: u64,
    pub batch: u64,
    pub scope: Scope,
    pub frozen_levels: Vec<bool>,
    pub freeze_eta: bool,
}

/// The train block, checked; phases still carry their own scope only.
#[derive(Debug)]
pub struct PendingTrain {
    pub seed: u64,
    pub eta_update: ir::EtaUpdate,
    pub sampler: ir::Sampler,
    pub phases: Vec<PendingPhase>,
    pub record: Option<ir::Record>,
}

impl PendingTrain {
    pub fn resolve(self, tables: &Tables, file: &Scope) -> ir::Train {
        ir::Train {
            seed: self.seed,
            eta_update: self.eta_update,
            sampler: self.sampler,
            phases: self
                .phases
                .into_iter()
                .map(|p| ir::Phase {
                    rules: rules::resolve(tables, file, Some(&p.scope)),
                    name: p.name,
                    steps: p.steps,
                    batch: p.batch,
                    frozen_levels: p.frozen_levels,
                    freeze_eta: p.freeze_eta,
                })
                .collect(),
            record: self.record,
        }
    }
}

const ETA_UPDATES: [(&str, ir::EtaUpdate); 2] = [
    ("union", ir::EtaUpdate::Union),
    ("sample", ir::EtaUpdate::Sample),
];
const SAMPLERS: [(&str, ir::Sampler); 3] = [
    ("replace", ir::Sampler::Replace),
    ("shuffle", ir::Sampler::Shuffle),
    ("cycle", ir::Sampler::Cycle),
];

/// Remembers where a once-only statement was first given.
#[derive(Default)]
struct Once(HashMap<&'static str, Span>);

impl Once {
    /// True the first time; reports the repeat otherwise.
    fn first(&mut self, ctx: &mut Ctx, what: &'static str, span: Span) -> bool {
        if let Some(first) = self.0.get(what) {
            ctx.push(msg::duplicate_statement(what, span, *first));
            return false;
        }
        self.0.insert(what, span);
        true
    }
}

pub fn check_train(
    ctx: &mut Ctx,
    symbols: &Symbols,
    block: &TrainBlock,
    data: &CheckedData,
) -> PendingTrain {
    let mut once = Once::default();
    let mut train = PendingTrain {
        seed: 0,
        eta_update: ir::EtaUpdate::Union,
        sampler: ir::Sampler::Replace,
        phases: Vec::new(),
        record: None,
    };
    let mut phase_names: HashMap<&str, Span> = HashMap::new();
    let mut sampler_span = None;
    for item in &block.items {
        match item {
            TrainItem::Seed { value, span } => {
                if once.first(ctx, "seed", *span) {
                    if let Some(seed) = int_value(ctx, "seed", value) {
                        train.seed = seed;
                    }
                }
            }
            TrainItem::EtaUpdate { mode, span } => {
                if once.first(ctx, "eta_update", *span) {
                    if let Some(m) = word(ctx, "eta_update", mode, &ETA_UPDATES) {
                        train.eta_update = m;
                    }
                }
            }
            TrainItem::Sampler { kind, span } => {
                if once.first(ctx, "sampler", *span) {
                    if let Some(s) = word(ctx, "sampler", kind, &SAMPLERS) {
                        train.sampler = s;
                        sampler_span = Some(*span);
                    }
                }
            }
            TrainItem::Record(record) => {
                if once.first(ctx, "record", record.span) {
                    train.record = check_record(ctx, record);
                }
            }
            TrainItem::Phase(phase) => {
                if let Some(first) = phase_names.get(phase.name.name.as_str()) {
                    ctx.push(msg::duplicate_phase(
                        &phase.name.name,
                        phase.name.span,
                        *first,
                    ));
                } else {
                    phase_names.insert(&phase.name.name, phase.name.span);
                }
                train.phases.push(check_phase(ctx, symbols, phase));
            }
        }
    }
    if train.sampler == ir::Sampler::Shuffle && data.declared > 0 {
        for item in &block.items {
            let TrainItem::Phase(phase) = item else {
                continue;
            };
            for pi in &phase.items {
                if let PhaseItem::Batch { value, .. } = pi {
                    if value.value.is_some_and(|b| b > data.declared as u64) {
                        ctx.push(msg::batch_spans_epochs(
                            &value.text,
                            data.declared,
                            value.span,
                            sampler_span,
                        ));
                    }
                }
            }
        }
    }
    let trains = block.items.iter().find_map(|item| match item {
        TrainItem::Phase(p) if phase_steps(p).is_some_and(|s| s > 0) => Some(p.header),
        _ => None,
    });
    if let Some(phase) = trains {
        if data.declared == 0 {
            ctx.push(msg::training_without_data(phase, block.header));
        } else if data.total_weight == 0.0
            && data.data.samples.len() == data.declared
            && train.sampler != ir::Sampler::Cycle
        {
            ctx.push(msg::zero_total_weight(sampler_span.unwrap_or(block.header)));
        }
    }
    train
}

fn phase_steps(phase: &PhaseDecl) -> Option<u64> {
    phase.items.iter().find_map(|item| match item {
        PhaseItem::Steps { value, .. } => value.value,
        _ => None,
    })
}

fn int_value(ctx: &mut Ctx, what: &str, lit: &IntLit) -> Option<u64> {
    if lit.value.is_none() {
        ctx.push(msg::int_too_large(what, &lit.text, lit.span));
    }
    lit.value
}

fn word<T: Copy>(ctx: &mut Ctx, what: &str, given: &Ident, choices: &[(&str, T)]) -> Option<T> {
    if let Some((_, value)) = choices.iter().find(|(name, _)| *name == given.name) {
        return Some(*value);
    }
    let names: Vec<&str> = choices.iter().map(|(n, _)| *n).collect();
    let suggestion = closest(&given.name, names.iter().copied());
    ctx.push(msg::unknown_word(
        what,
        &given.name,
        &names,
        given.span,
        suggestion,
    ));
    None
}

fn check_record(ctx: &mut Ctx, record: &crate::syntax::ast::RecordDecl) -> Option<ir::Record> {
    let every = match record.every.value {
        None => {
            ctx.push(msg::int_too_large(
                "every",
                &record.every.text,
                record.every.span,
            ));
            None
        }
        Some(0) => {
            ctx.push(msg::record_every_zero(record.every.span));
            None
        }
        Some(n) => Some(n),
    };
    let mut quantities = Vec::new();
    let mut seen: HashMap<&str, Span> = HashMap::new();
    for q in &record.quantities {
        let Some(quantity) = word(ctx, "record", q, &ir::Quantity::ALL) else {
            continue;
        };
        if let Some(first) = seen.get(q.name.as_str()) {
            ctx.push(msg::repeated_quantity(&q.name, q.span, *first));
            continue;
        }
        seen.insert(&q.name, q.span);
        quantities.push(quantity);
    }
    Some(ir::Record {
        every: every?,
        quantities,
    })
}

fn check_phase(ctx: &mut Ctx, symbols: &Symbols, phase: &PhaseDecl) -> PendingPhase {
    let mut once = Once::default();
    let mut steps = None;
    let mut steps_given = false;
    let mut batch = Some(1);
    let mut frozen_levels = vec![false; symbols.levels.len()];
    let mut freeze_eta = false;
    let mut frozen_at: HashMap<String, Span> = HashMap::new();
    let mut rule_items: Vec<&RuleItem> = Vec::new();
    for item in &phase.items {
        match item {
            PhaseItem::Steps { value, span } => {
                steps_given = true;
                if once.first(ctx, "steps", *span) {
                    steps = int_value(ctx, "steps", value);
                }
            }
            PhaseItem::Batch { value, span } => {
                if once.first(ctx, "batch", *span) {
                    batch = int_value(ctx, "batch", value);
                    if batch == Some(0) {
                        ctx.push(msg::batch_zero(value.span));
                        batch = None;
                    }
                    if batch.is_some_and(|b| !super::bounds::check_batch(ctx, b, value.span)) {
                        batch = None;
                    }
                }
            }
            PhaseItem::Rule(rule) => rule_items.push(rule),
            PhaseItem::Init(init) => ctx.push(msg::init_in_phase(init.span)),
            PhaseItem::Freeze { levels, .. } => {
                for target in levels {
                    if let Some(first) = frozen_at.get(target.name.as_str()) {
                        ctx.push(msg::repeated_freeze(&target.name, target.span, *first));
                        continue;
                    }
                    frozen_at.insert(target.name.to_string(), target.span);
                    if target.name == "eta" {
                        freeze_eta = true;
                    } else if let Some(level) = freeze_level(ctx, symbols, target) {
                        if let Some(slot) = frozen_levels.get_mut(level) {
                            *slot = true;
                        }
                    }
                }
            }
        }
    }
    if !steps_given {
        ctx.push(msg::phase_without_steps(&phase.name.name, phase.header));
    }
    let scope = rules::check_scope(ctx, symbols, rule_items);
    // Invalid counts were reported; the IR is dropped then, so any value will do.
    PendingPhase {
        name: phase.name.name.to_string(),
        steps: steps.unwrap_or(0),
        batch: batch.unwrap_or(1),
        scope,
        frozen_levels,
        freeze_eta,
    }
}

fn freeze_level(ctx: &mut Ctx, symbols: &Symbols, target: &Ident) -> Option<usize> {
    if let Some(level) = symbols.level(&target.name) {
        return Some(level);
    }
    match symbols.lookup(&target.name) {
        Some(Entity::Class(_)) => ctx.push(msg::freeze_class(&target.name, target.span)),
        Some(entity @ Entity::Node(_)) => {
            let what = symbols.describe(entity);
            ctx.push(msg::freeze_node(&target.name, &what, target.span));
        }
        None => {
            let names: Vec<&str> = symbols.level_names().chain(["eta"]).collect();
            let suggestion = closest(&target.name, names.iter().copied());
            ctx.push(msg::unknown_level(&target.name, target.span, suggestion));
        }
    }
    None
}
