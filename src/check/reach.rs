//! Warnings about the data that only the whole model can show: samples whose pathway
//! reaches no class (they have no prediction and count as wrong), classes no sample is
//! labelled with, and samples of `weight 0` (never drawn for training). Each kind is one
//! warning that labels its first few cases and names the rest, so a large generated model
//! does not flood the terminal.

use super::{messages, Ctx};
use crate::engine::graph::FireCounts;
use crate::engine::Model;
use crate::ir::Ir;
use crate::syntax::ast::{DataBlock, DataItem, File, ModelItem, Span};

/// Cases labelled in one warning; the others are named in its message.
pub const LABELLED: usize = 5;

/// Pushes the warnings about `ir`'s data; spans come from the file's `data` block and
/// `classes` declarations, in the IR's order.
pub fn warn_data(ctx: &mut Ctx, ir: &Ir, file: &File, data: Option<&DataBlock>) {
    let Some(data) = data else {
        return;
    };
    let decls: Vec<_> = data
        .items
        .iter()
        .filter_map(|item| match item {
            DataItem::Sample(s) => Some(s),
            DataItem::NoiseFlip { .. } => None,
        })
        .collect();
    if decls.len() != ir.data.samples.len() || decls.is_empty() {
        return;
    }
    let model = Model::new(ir);
    let mut counts = FireCounts::new(model.n_nodes());
    let mut firing = Vec::new();
    // A node reaches a class when it has a class edge.
    let mut has_class_edge = vec![false; ir.nodes.len()];
    for e in &ir.edges {
        has_class_edge[e.from as usize] = true;
    }
    let mut labelled = vec![false; ir.classes.len()];
    let mut unreached: Vec<(&str, Span)> = Vec::new();
    let mut weightless: Vec<(&str, Span)> = Vec::new();
    for (sample, decl) in ir.data.samples.iter().zip(&decls) {
        labelled[sample.label as usize] = true;
        model.graph.fire(&sample.input, &mut counts, &mut firing);
        if !firing.iter().any(|&n| has_class_edge[n as usize]) {
            unreached.push((&sample.name, decl.span));
        }
        if sample.weight == 0.0 {
            let span = decl.weight.as_ref().map_or(decl.span, |w| w.span());
            weightless.push((&sample.name, span));
        }
    }
    let class_decls = file.model.items.iter().flat_map(|item| match item {
        ModelItem::Classes(c) => c.classes.as_slice(),
        ModelItem::Level(_) => &[],
    });
    let unlabelled: Vec<(&str, Span)> = ir
        .classes
        .iter()
        .zip(class_decls)
        .enumerate()
        .filter(|(c, _)| !labelled[*c])
        .map(|(_, (class, decl))| (class.name.as_str(), decl.name.span))
        .collect();
    if !unreached.is_empty() {
        ctx.push(messages::reaches_no_class(&unreached));
    }
    if !unlabelled.is_empty() {
        ctx.push(messages::class_without_samples(&unlabelled));
    }
    if !weightless.is_empty() {
        ctx.push(messages::zero_weight(&weightless));
    }
}
