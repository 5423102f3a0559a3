//! The `data { }` block: labelled samples over input-level nodes, and `noise flip`.

use std::collections::HashMap;

use super::fasthash::SeenIds;
use super::files::FileSamples;
use super::messages as msg;
use super::model::{names_ahead, Entity, Symbols, WARM_BATCH};
use super::numbers::eval_non_negative;
use super::Ctx;
use crate::ir;
use crate::syntax::ast::{Children, DataBlock, DataItem, NameList, SampleDecl, Span};

/// The checked data, plus the total weight (for the sampler check in `train`).
#[derive(Debug)]
pub struct CheckedData {
    pub data: ir::Data,
    pub total_weight: f64,
    /// Samples written, valid or not: "no data" must not follow from a bad sample.
    pub declared: usize,
}

/// Sample names seen so far (data and test samples share one namespace), with where
/// each was first declared.
pub type SampleNames<'a> = HashMap<&'a str, Span>;

pub fn check_data<'a>(
    ctx: &mut Ctx,
    symbols: &Symbols,
    block: Option<&'a DataBlock>,
    names: &mut SampleNames<'a>,
    files: &mut FileSamples,
) -> CheckedData {
    let mut samples = Vec::new();
    let mut noise: Option<(f64, Span)> = None;
    let mut seen = SeenIds::new(symbols.nodes.len());
    let mut running_weight = 0.0f64;
    for item in block.map_or(&[][..], |b| b.items.as_slice()) {
        match item {
            DataItem::Sample(decl) => {
                note_name(ctx, names, files, decl);
                if let Some(sample) = check_sample(ctx, symbols, decl, &mut seen) {
                    let before = running_weight;
                    running_weight += sample.weight;
                    if before.is_finite() {
                        let at = decl.weight.as_ref().map_or(decl.span, |w| w.span());
                        super::bounds::check_total_weight(ctx, running_weight, at);
                    }
                    samples.push(sample);
                }
            }
            DataItem::From(from) => {
                let before = samples.len();
                files.read_into(ctx, symbols, names, from, true, &mut samples);
                for sample in &samples[before..] {
                    let at = from.span;
                    let before = running_weight;
                    running_weight += sample.weight;
                    if before.is_finite() {
                        super::bounds::check_total_weight(ctx, running_weight, at);
                    }
                }
            }
            DataItem::NoiseFlip { value, span } => {
                if let Some((_, first)) = noise {
                    ctx.push(msg::duplicate_statement("noise flip", *span, first));
                    continue;
                }
                let Some(q) = eval_non_negative(ctx, value, "the flip probability") else {
                    // Still counts as given, so a second line is reported as a repeat.
                    noise = Some((0.0, *span));
                    continue;
                };
                if q > 1.0 {
                    ctx.push(msg::probability_above_one(q, value.span()));
                }
                noise = Some((q, *span));
            }
        }
    }
    let declared = names.len() + files.data_rows;
    let total_weight = samples.iter().map(|s: &ir::Sample| s.weight).sum();
    CheckedData {
        data: ir::Data {
            samples,
            noise_flip: noise.map_or(0.0, |(q, _)| q),
        },
        total_weight,
        declared,
    }
}

/// Records a sample's name, reporting a second sample of the same name.
pub fn note_name<'a>(
    ctx: &mut Ctx,
    names: &mut SampleNames<'a>,
    files: &FileSamples,
    decl: &'a SampleDecl,
) {
    files.check_written_name(ctx, &decl.name.name, decl.name.span);
    if let Some(first) = names.get(decl.name.name.as_str()) {
        ctx.push(msg::duplicate_sample(
            &decl.name.name,
            decl.name.span,
            *first,
        ));
    } else {
        names.insert(&decl.name.name, decl.name.span);
    }
}

/// `seen` holds, per input node, the position in `decl.inputs` that first named it.
pub fn check_sample(
    ctx: &mut Ctx,
    symbols: &Symbols,
    decl: &SampleDecl,
    seen: &mut SeenIds<u32>,
) -> Option<ir::Sample> {
    let input = resolve_inputs(ctx, symbols, &decl.inputs, seen);
    let label = match symbols.lookup(&decl.label.name) {
        Some(Entity::Class(id)) => Some(id),
        Some(entity) => {
            let what = symbols.describe(entity);
            ctx.push(msg::label_not_class(
                &decl.label.name,
                &what,
                decl.label.span,
            ));
            None
        }
        None => {
            let suggestion = symbols.suggest_class(&decl.label.name);
            ctx.push(msg::unknown_class(
                &decl.label.name,
                decl.label.span,
                suggestion,
            ));
            None
        }
    };
    let weight = match &decl.weight {
        Some(expr) => eval_non_negative(ctx, expr, "a sample weight"),
        None => Some(1.0),
    };
    match (input, label, weight) {
        (Some(input), Some(label), Some(weight)) => Some(ir::Sample {
            name: decl.name.name.to_string(),
            input,
            label,
            weight,
        }),
        _ => None,
    }
}

/// Resolves the input nodes of a sample or of a pattern `{e1 e2}`: each must be a node of
/// the input level, named once. The ids come back ascending; `None` when a problem was
/// reported. `seen` is scratch space sized to the nodes (reused across lists).
pub fn resolve_inputs(
    ctx: &mut Ctx,
    symbols: &Symbols,
    names: &NameList,
    seen: &mut SeenIds<u32>,
) -> Option<Vec<ir::NodeId>> {
    let mut ok = true;
    let mut input: Vec<ir::NodeId> = Vec::with_capacity(names.len());
    seen.next_list();
    let all = Children::of_list(0, names.len());
    for (position, name) in names.iter().enumerate() {
        symbols.warm_names(names_ahead(names, all, position, WARM_BATCH));
        match symbols.lookup_with_level(name.name) {
            Some((Entity::Node(id), 0)) => {
                if let Some(first) = seen.get(id as usize) {
                    let first = names.get(first as usize).map_or(name.span, |n| n.span);
                    ctx.push(msg::repeated_input(name.name, name.span, first));
                    ok = false;
                } else {
                    seen.insert(id as usize, position as u32);
                    input.push(id);
                }
            }
            Some((entity, _)) => {
                let what = symbols.describe(entity);
                ctx.push(msg::input_not_input_level(
                    name.name,
                    &what,
                    symbols.level_name(0),
                    name.span,
                ));
                ok = false;
            }
            None => {
                let suggestion = symbols.suggest_node_of_level(name.name, 0);
                ctx.push(msg::unknown_input(
                    name.name,
                    symbols.level_name(0),
                    name.span,
                    suggestion,
                ));
                ok = false;
            }
        }
    }
    input.sort_unstable();
    ok.then_some(input)
}
