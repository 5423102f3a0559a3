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
use crate::engine::graph::{samples_per_run, FireCounts, FiringSets, Graph};
use crate::ir::{Ir, NodeId};
use crate::syntax::ast::{DataBlock, DataItem, File, ModelItem, Span};
use rayon::prelude::*;

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
    /// The spans of `file` with its `data` block, whose `from` lines read `rows[i]`
    /// samples (the i-th `from`; a file's samples are all shown at their `from` line);
    /// `None` without a data block or samples (there is nothing to warn about).
    pub fn new(file: &File, data: Option<&DataBlock>, rows: &[usize]) -> Option<DataSpans> {
        let mut rows = rows.iter();
        let mut samples = Vec::new();
        for item in &data?.items {
            match item {
                DataItem::Sample(s) => samples.push((s.span, s.weight.as_ref().map(|w| w.span()))),
                DataItem::From(from) => {
                    let n = rows.next().copied().unwrap_or(0);
                    samples.extend(std::iter::repeat_n((from.span, None), n));
                }
                DataItem::NoiseFlip { .. } => {}
            }
        }
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
        let (sets, reached) = fire_all(ir, graph);
        let mut labelled = vec![false; ir.classes.len()];
        let mut unreached: Vec<(&str, Span)> = Vec::new();
        let mut weightless: Vec<(&str, Span)> = Vec::new();
        for ((sample, &(span, weight)), reached) in
            ir.data.samples.iter().zip(&self.samples).zip(reached)
        {
            labelled[sample.label as usize] = true;
            if !reached {
                unreached.push((&sample.name, span));
            }
            if sample.weight == 0.0 {
                weightless.push((&sample.name, weight.unwrap_or(span)));
            }
        }
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

/// One run of samples fired by one thread, with buffers made by the calling thread (see
/// `samples_per_run`).
struct Run {
    counts: FireCounts,
    firing: Vec<NodeId>,
    sets: FiringSets,
    reached: Vec<bool>,
}

/// Every data sample's firing set, in sample order, and whether it reaches a class (a
/// node it fires has a class edge). The samples are fired in one run per core; each
/// set depends on its sample alone, so the result is the same for any thread count.
fn fire_all(ir: &Ir, graph: &Graph) -> (FiringSets, Vec<bool>) {
    let samples = &ir.data.samples;
    let n = ir.nodes.len();
    let per_run = samples_per_run(samples.len());
    // Room for each run's sets, from the first sample's (a guess: a set past it grows
    // its run's list, still correctly).
    let mut counts = FireCounts::with_nodes(n);
    let mut firing = Vec::with_capacity(n + 1);
    let guess = samples.first().map_or(0, |s| {
        graph.fire(&s.input, &mut counts, &mut firing);
        firing.len() + firing.len() / 4
    });
    let mut first = Some((counts, firing));
    let mut runs: Vec<Run> = samples
        .chunks(per_run)
        .map(|run| {
            let (counts, firing) = first
                .take()
                .unwrap_or_else(|| (FireCounts::with_nodes(n), Vec::with_capacity(n + 1)));
            Run {
                counts,
                firing,
                sets: FiringSets::with_capacity(run.len(), run.len() * guess),
                reached: Vec::with_capacity(run.len()),
            }
        })
        .collect();
    runs.par_iter_mut()
        .zip(samples.par_chunks(per_run))
        .for_each(|(run, samples)| {
            for sample in samples {
                graph.fire(&sample.input, &mut run.counts, &mut run.firing);
                let reached = run.firing.iter().any(|&n| !graph.out_edges(n).is_empty());
                run.reached.push(reached);
                run.sets.push(&run.firing);
            }
        });
    let mut runs = runs.into_iter();
    let Some(Run {
        mut sets,
        mut reached,
        ..
    }) = runs.next()
    else {
        return (FiringSets::new(), Vec::new());
    };
    for run in runs {
        sets.append(&run.sets);
        reached.extend(run.reached);
    }
    sets.shrink_to_fit();
    (sets, reached)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::testing::generated;

    #[test]
    fn the_firing_sets_are_the_same_for_any_thread_count() {
        let ir = generated(3000, 5, 4, 37, 0.05, 11);
        let graph = Graph::new(&ir);
        let in_pool = |threads: usize| {
            rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .expect("pool")
                .install(|| fire_all(&ir, &graph))
        };
        let (one, reached) = in_pool(1);
        assert_eq!(one.len(), ir.data.samples.len());
        let mut counts = FireCounts::default();
        let mut firing = Vec::new();
        for (i, sample) in ir.data.samples.iter().enumerate() {
            graph.fire(&sample.input, &mut counts, &mut firing);
            assert_eq!(one.get(i), Some(&firing[..]), "sample {i}");
            let reaches = firing.iter().any(|&n| !graph.out_edges(n).is_empty());
            assert_eq!(reached[i], reaches, "sample {i}");
        }
        for threads in [2, 3, 8] {
            assert_eq!(
                in_pool(threads),
                (one.clone(), reached.clone()),
                "{threads}"
            );
        }
    }
}
