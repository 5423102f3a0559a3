//! The pathways of the data samples, kept across training steps.
//!
//! Which nodes fire depends only on the input, never on `lambda` or `eta`, so a
//! data sample drawn again fires exactly the nodes it fired before. A `Trainer` keeps
//! each drawn sample's pathway (ascending, so a step's growth walks the value tables in
//! memory order) and the class edges from it into the sample's own label, up to a
//! memory budget; samples past the budget, noisy inputs and explicit batches are fired
//! afresh at each step. Results cannot differ: the kept list is the set a step would compute.
//!
//! The lists hold storage places (see `layout`), not ids: a step walks them straight
//! into the value tables. In id order, a sample whose firing set compiling kept
//! (`Model::data_firing`) is not copied: its list is that set.

use super::graph::{FireCounts, FiringSets, Model};
use super::layout::{slot_of, Layout};
use crate::ir::NodeId;

/// Entries (node and edge ids) the cache may hold per node and class edge of the model,
/// plus a fixed allowance: 4 entries (16 bytes) a node, so at most 16 bytes a node.
const ENTRIES_PER_ITEM: usize = 4;
const ENTRIES_ALWAYS: usize = 1 << 16;

/// Where one sample's lists lie in the arena.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Slot {
    /// Not fired yet.
    Empty,
    /// Fired once, but it did not fit the budget (or its input is not plain): fire it
    /// every time.
    Uncached,
    /// `nodes[start .. start + n_nodes]`, then `n_edges` class edges after them.
    Kept {
        start: usize,
        n_nodes: usize,
        n_edges: usize,
    },
    /// The pathway is the sample's firing set that compiling kept (ids, in id order);
    /// its `n_edges` class edges are at `start`.
    Borrowed { start: usize, n_edges: usize },
}

/// A sample's kept pathway and the class edges from it into the sample's label, as
/// storage places of the value tables.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Kept<'a> {
    /// Places of the firing nodes, ascending, each once.
    pub nodes: &'a [u32],
    /// Places of the class edges from the pathway into the sample's own label,
    /// ascending.
    pub own_edges: &'a [u32],
    /// The pathway again as a bitset of places (bit `p % 64` of word `p / 64`), when
    /// the pathways are dense enough to hold them (see `Pathways::make_bits`).
    pub bits: Option<&'a [u64]>,
}

#[derive(Clone, Debug)]
pub(crate) struct Pathways<'a> {
    /// The firing sets compiling kept, when lists may borrow them (id order).
    sets: Option<&'a FiringSets>,
    slots: Vec<Slot>,
    /// Every kept pathway, each followed by its own-label edges.
    arena: Vec<u32>,
    budget: usize,
    /// Sample `i`'s pathway as a bitset of places is `bits[i * words ..][.. words]`
    /// (`words` is 0 when there are none).
    bits: Vec<u64>,
    words: usize,
}

impl<'a> Pathways<'a> {
    pub fn new(model: &Model) -> Pathways<'a> {
        let items = model.n_nodes() + model.n_edges();
        Pathways::with_budget(
            model,
            items.saturating_mul(ENTRIES_PER_ITEM) + ENTRIES_ALWAYS,
        )
    }

    /// `new`, but the pathways of the samples whose firing sets `model` knows are those
    /// sets (only for tables in id order), and take no room in the budget.
    pub fn borrowing(model: &Model<'a>) -> Pathways<'a> {
        Pathways {
            sets: model.data_firing_sets(),
            ..Pathways::new(model)
        }
    }

    /// A cache that keeps at most `budget` node and edge ids in all.
    pub fn with_budget(model: &Model, budget: usize) -> Pathways<'a> {
        Pathways {
            sets: None,
            slots: vec![Slot::Empty; model.ir.data.samples.len()],
            arena: Vec::new(),
            budget,
            bits: Vec::new(),
            words: 0,
        }
    }

    /// How many samples have their lists kept.
    #[cfg(test)]
    pub fn n_kept(&self) -> usize {
        self.slots
            .iter()
            .filter(|s| matches!(s, Slot::Kept { .. }))
            .count()
    }

    /// Whether the kept pathways are held as bitsets too (`make_bits`).
    #[cfg(test)]
    pub fn has_bits(&self) -> bool {
        self.words > 0
    }

    /// Sample `i`'s kept lists, if any.
    #[inline]
    pub fn get(&self, i: usize) -> Option<Kept<'_>> {
        match self.slots.get(i)? {
            &Slot::Kept {
                start,
                n_nodes,
                n_edges,
            } => {
                let (nodes, rest) = self.arena[start..].split_at(n_nodes);
                let words = self.words;
                Some(Kept {
                    nodes,
                    own_edges: &rest[..n_edges],
                    bits: (words > 0).then(|| &self.bits[i * words..(i + 1) * words]),
                })
            }
            &Slot::Borrowed { start, n_edges } => Some(Kept {
                nodes: self.sets?.get(i)?,
                own_edges: &self.arena[start..start + n_edges],
                bits: None,
            }),
            Slot::Empty | Slot::Uncached => None,
        }
    }

    /// Fires data sample `i` once and keeps its lists, as places in `layout`'s order,
    /// when they fit the budget (nothing when it was fired before). `counts` and
    /// `scratch` are the caller's buffers.
    pub fn fill(
        &mut self,
        model: &Model,
        layout: Option<&Layout>,
        i: usize,
        counts: &mut FireCounts,
        scratch: &mut Vec<u32>,
    ) {
        if self.slots.get(i) != Some(&Slot::Empty) {
            return;
        }
        let sample = &model.ir.data.samples[i];
        // Only a plain input's pathway lists every firing node once (`keep` checks).
        let plain = is_plain_input(&sample.input, model.n_inputs());
        if let Some(set) = self.sets.and_then(|s| s.get(i)).filter(|_| plain) {
            if layout.is_none() {
                self.borrow(model, i, set);
                return;
            }
        }
        if plain {
            model.fire_data_sample(i, counts, scratch, false);
        }
        self.keep(model, i, scratch);
        if let Some(layout) = layout {
            self.make_places(i, layout);
        }
    }

    /// Keeps data sample `i`'s class edges from `set`, its firing set (ascending ids),
    /// which is its pathway: the edges always fit (a few a sample).
    fn borrow(&mut self, model: &Model, i: usize, set: &[NodeId]) {
        let label = model.ir.data.samples[i].label;
        let from = set.partition_point(|&n| n < model.graph.first_with_edges);
        let start = self.arena.len();
        for &f in &set[from..] {
            let edges = model.graph.out_edges_to(f);
            self.arena
                .extend(edges.filter(|&(_, to)| to == label).map(|(e, _)| e));
        }
        self.arena[start..].sort_unstable();
        self.slots[i] = Slot::Borrowed {
            start,
            n_edges: self.arena.len() - start,
        };
    }

    /// Keeps the lists of data sample `i`, which fires the nodes `fired` (ids, in any
    /// order; sorted here), when its input is plain and they fit the budget; the sample
    /// is fired every time otherwise. The lists hold ids until `make_places`.
    pub fn keep(&mut self, model: &Model, i: usize, fired: &mut [NodeId]) {
        let sample = &model.ir.data.samples[i];
        self.slots[i] = Slot::Uncached;
        if !is_plain_input(&sample.input, model.n_inputs()) {
            return;
        }
        fired.sort_unstable();
        let first = model.graph.first_with_edges;
        let from = fired.partition_point(|&n| n < first);
        // The class edges from the pathway into the sample's own label.
        let own_edges = || {
            fired[from..].iter().flat_map(|&f| {
                model
                    .graph
                    .out_edges_to(f)
                    .filter(|&(_, to)| to == sample.label)
                    .map(|(e, _)| e)
            })
        };
        let n_edges = own_edges().count();
        let need = fired.len() + n_edges;
        if self.arena.len() + need > self.budget {
            return;
        }
        let start = self.arena.len();
        self.arena.extend_from_slice(fired);
        self.arena.extend(own_edges());
        self.arena[start + fired.len()..].sort_unstable();
        self.slots[i] = Slot::Kept {
            start,
            n_nodes: fired.len(),
            n_edges,
        };
    }

    /// Holds every kept pathway (of places below `n_places`) as a bitset too, when every
    /// sample's pathway is kept and the bitsets take no more room than the lists they
    /// repeat (pathways of at least one node in 32) nor 8 bytes a node. A step of a
    /// large batch then takes its union U a word (64 places) at a time.
    pub fn make_bits(&mut self, n_places: usize) {
        let words = n_places.div_ceil(64);
        let samples = self.slots.len();
        let kept_nodes: usize = (0..samples)
            .filter_map(|i| self.get(i))
            .map(|k| k.nodes.len())
            .sum();
        let all_kept = (0..samples).all(|i| self.get(i).is_some());
        let bytes = words.saturating_mul(samples).saturating_mul(8);
        if !all_kept || samples < 2 || bytes > kept_nodes * 4 || bytes > n_places * 8 {
            return;
        }
        let mut bits = vec![0u64; words * samples];
        for (i, set) in bits.chunks_exact_mut(words).enumerate() {
            for &p in self.get(i).map_or(&[][..], |k| k.nodes) {
                set[p as usize / 64] |= 1 << (p % 64);
            }
        }
        self.bits = bits;
        self.words = words;
    }

    /// Turns every kept list, held as ids, into sorted places of `layout`.
    pub fn make_all_places(&mut self, layout: &Layout) {
        for i in 0..self.slots.len() {
            self.make_places(i, layout);
        }
    }

    /// Turns sample `i`'s kept lists (ids) into sorted places of `layout`.
    fn make_places(&mut self, i: usize, layout: &Layout) {
        let Some(&Slot::Kept {
            start,
            n_nodes,
            n_edges,
        }) = self.slots.get(i)
        else {
            return;
        };
        let (nodes, rest) = self.arena[start..].split_at_mut(n_nodes);
        let edges = &mut rest[..n_edges];
        let (np, ep) = (Some(&*layout.nodes), Some(&*layout.edges));
        nodes.iter_mut().for_each(|n| *n = slot_of(np, *n));
        nodes.sort_unstable();
        edges.iter_mut().for_each(|e| *e = slot_of(ep, *e));
        edges.sort_unstable();
    }
}

/// Whether `input` is strictly ascending and names only level-1 nodes (then its
/// pathway lists every firing node once).
pub(crate) fn is_plain_input(input: &[NodeId], n_inputs: usize) -> bool {
    input.windows(2).all(|w| w[0] < w[1]) && input.last().is_none_or(|&n| (n as usize) < n_inputs)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::testing::generated;
    use crate::engine::Evaluator;
    use crate::ir::EdgeId;

    #[test]
    fn bitsets_repeat_the_kept_lists_when_they_are_no_larger() {
        let ir = generated(600, 4, 3, 12, 0.2, 5);
        let model = Model::new(&ir);
        let mut cache = Pathways::new(&model);
        let mut counts = FireCounts::default();
        let mut scratch = Vec::new();
        // Not every sample kept yet: no bitsets.
        cache.fill(&model, None, 0, &mut counts, &mut scratch);
        cache.make_bits(model.n_nodes());
        assert!(!cache.has_bits());
        for i in 0..ir.data.samples.len() {
            cache.fill(&model, None, i, &mut counts, &mut scratch);
        }
        // Bitsets of a model ten thousand times larger would outweigh the lists.
        cache.make_bits(model.n_nodes() * 10_000);
        assert!(!cache.has_bits());
        cache.make_bits(model.n_nodes());
        assert!(cache.has_bits());
        for i in 0..ir.data.samples.len() {
            let kept = cache.get(i).expect("kept");
            let bits = kept.bits.expect("bits");
            let listed: Vec<u32> = (0..model.n_nodes() as u32)
                .filter(|&p| bits[p as usize / 64] >> (p % 64) & 1 == 1)
                .collect();
            assert_eq!(listed, kept.nodes, "sample {i}");
        }
    }

    #[test]
    fn kept_lists_are_the_sorted_pathway_and_its_own_label_edges() {
        let ir = generated(600, 4, 3, 12, 0.2, 5);
        let model = Model::new(&ir);
        let mut cache = Pathways::new(&model);
        let mut counts = FireCounts::default();
        let mut scratch = Vec::new();
        let mut ev = Evaluator::new(&model);
        for (i, sample) in ir.data.samples.iter().enumerate() {
            assert!(cache.get(i).is_none());
            cache.fill(&model, None, i, &mut counts, &mut scratch);
            let kept = cache.get(i).expect("kept");
            // `firing` lists the pathway level by level, ascending within a level.
            assert_eq!(kept.nodes, &ev.firing(&model, &sample.input)[..]);
            let own: Vec<EdgeId> = (0..ir.edges.len() as EdgeId)
                .filter(|&e| {
                    let edge = ir.edges[e as usize];
                    edge.to == sample.label && kept.nodes.contains(&edge.from)
                })
                .collect();
            assert_eq!(kept.own_edges, &own[..]);
        }
        assert_eq!(cache.n_kept(), ir.data.samples.len());
    }

    #[test]
    fn samples_past_the_budget_are_not_kept() {
        let ir = generated(600, 4, 3, 12, 0.2, 5);
        let model = Model::new(&ir);
        let mut counts = FireCounts::default();
        let mut scratch = Vec::new();
        let mut none = Pathways::with_budget(&model, 0);
        none.fill(&model, None, 0, &mut counts, &mut scratch);
        assert!(none.get(0).is_none());
        assert_eq!(none.n_kept(), 0);
        // Room for the first sample only.
        let mut full = Pathways::new(&model);
        full.fill(&model, None, 0, &mut counts, &mut scratch);
        let first = full.get(0).map(|k| k.nodes.len() + k.own_edges.len());
        let mut one = Pathways::with_budget(&model, first.expect("kept"));
        for i in 0..ir.data.samples.len() {
            one.fill(&model, None, i, &mut counts, &mut scratch);
        }
        assert!(one.get(0).is_some());
        assert_eq!(one.n_kept(), 1);
    }
}
