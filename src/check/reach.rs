//! Warnings about the data that only the whole model can show: samples whose pathway
//! reaches no class (they have no prediction and count as wrong), classes no sample is
//! labelled with, and samples of `weight 0` (never drawn for training). Each kind is one
//! warning that labels its first few cases and names the rest, so a large generated model
//! does not flood the terminal.
//!
//! They need every sample fired, so they run on the IR and the engine's tables, after the
//! rest of the check; the few spans they label are taken from the syntax tree first
//! ([`DataSpans`]), so that a caller can drop the tree before the tables are built.

use crate::diag::Problem;
use crate::engine::graph::{FireCounts, FiringSets, Graph};
use crate::ir::Ir;
use crate::syntax::ast::{DataBlock, DataItem, File, ModelItem, Span};

use super::messages;

/// Cases labelled in one warning; the others are named in its message.
pub const LABELLED: usize = 5;

/// What the warnings about the data label, taken from the syntax tree: per sample of the
/// `data` block its span and the span of its `weight` (if written), and per class its
/// name's span, in declaration order (the IR's order).
#[derive(Clone, Debug)]
pub struct DataSpans {
    samples: Vec<(Span, Option<Span>)>,
    classes: Vec<Span>,
}

impl DataSpans {
    /// The spans of `file` with its `data` block; `None` without a data block or samples
    /// (there is nothing to warn about).
    pub fn new(file: &File, data: Option<&DataBlock>) -> Option<DataSpans> {
        let samples: Vec<_> = data?
            .items
            .iter()
            .filter_map(|item| match item {
                DataItem::Sample(s) => Some((s.span, s.weight.as_ref().map(|w| w.span()))),
                DataItem::NoiseFlip { .. } => None,
            })
            .collect();
        if samples.is_empty() {
            return None;
        }
        let classes = file
            .model
            .items
            .iter()
            .flat_map(|item| match item {
                ModelItem::Classes(c) => c.classes.as_slice(),
                ModelItem::Level(_) => &[],
            })
            .map(|decl| decl.name.span)
            .collect();
        Some(DataSpans { samples, classes })
    }

    /// Fires every data sample of `ir` with `graph` (the engine's tables of `ir`), pushes
    /// the warnings about the data onto `problems`, and gives back the firing sets, in
    /// sample order (so that evaluating the samples need not fire them again); `None`
    /// when the spans are not those of `ir`'s samples.
    pub(crate) fn warn(
        &self,
        ir: &Ir,
        graph: &Graph,
        problems: &mut Vec<Problem>,
    ) -> Option<FiringSets> {
        if self.samples.len() != ir.data.samples.len() {
            return None;
        }
        let mut counts = FireCounts::new(ir.nodes.len());
        let mut firing = Vec::new();
        let mut sets = FiringSets::new();
        let mut labelled = vec![false; ir.classes.len()];
        let mut unreached: Vec<(&str, Span)> = Vec::new();
        let mut weightless: Vec<(&str, Span)> = Vec::new();
        for (sample, &(span, weight)) in ir.data.samples.iter().zip(&self.samples) {
            labelled[sample.label as usize] = true;
            graph.fire(&sample.input, &mut counts, &mut firing);
            // A sample reaches a class when a node it fires has a class edge.
            if firing.iter().all(|&n| graph.out_edges(n).is_empty()) {
                unreached.push((&sample.name, span));
            }
            if sample.weight == 0.0 {
                weightless.push((&sample.name, weight.unwrap_or(span)));
            }
            sets.push(&firing);
        }
        sets.shrink_to_fit();
        let unlabelled: Vec<(&str, Span)> = ir
            .classes
            .iter()
            .zip(&self.classes)
            .enumerate()
            .filter(|(c, _)| !labelled[*c])
            .map(|(_, (class, &span))| (class.name.as_str(), span))
            .collect();
        if !unreached.is_empty() {
            problems.push(messages::reaches_no_class(&unreached));
        }
        if !unlabelled.is_empty() {
            problems.push(messages::class_without_samples(&unlabelled));
        }
        if !weightless.is_empty() {
            problems.push(messages::zero_weight(&weightless));
        }
        Some(sets)
    }
}
