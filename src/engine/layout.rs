//! The storage order of `State`'s value tables.
//!
//! A training step with a kept pathway walks the cells of every node the sample fires.
//! In id order those are scattered over the whole table (16 bytes a node: 16 MB at 10^6
//! nodes), so each costs a cache line and the step is bound by memory traffic. A large
//! model whose samples keep their pathways therefore stores its cells in another order,
//! where each data sample's pathway is nearly contiguous: within each level, nodes are
//! sorted by their firing signature over the data samples (the first sample that fires
//! them, then the second, then a hash of the whole set), and class edges by their class,
//! then by the storage place of the node they leave. Nodes no sample fires come last in
//! their level.
//!
//! The order is a function of the model alone (its nodes, gates and data), never of a
//! run; it moves no value and no random draw (every draw is still made in id order), and
//! saved files keep id order. Readers never see it: `State`'s accessors map ids to
//! storage places.

use std::sync::Arc;

use super::graph::{FireCounts, Model};
use super::lazy::steps_defer;
use super::pathways::Pathways;
use super::rules::{Freeze, Rules};
use crate::ir::{EdgeId, Ir, NodeId};

/// Models below this many nodes keep id order: their tables fit in the processor's
/// caches, so the map would cost a lookup per read and buy nothing.
const MIN_NODES: usize = 1 << 16;

/// A permutation of a table's entries: `slot[id]` is where entry `id` is stored and
/// `id[slot]` the entry stored there.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Perm {
    pub slot: Vec<u32>,
    pub id: Vec<u32>,
}

impl Perm {
    /// The permutation that stores `order[k]` at place `k`.
    pub(crate) fn from_order(order: Vec<u32>) -> Perm {
        let mut slot = vec![0; order.len()];
        for (k, &i) in order.iter().enumerate() {
            slot[i as usize] = k as u32;
        }
        Perm { slot, id: order }
    }

    #[cfg(test)]
    fn is_identity(&self) -> bool {
        self.id.iter().enumerate().all(|(k, &i)| k == i as usize)
    }
}

/// Where entry `i` of a table stored in order `perm` lies (`None`: id order).
#[inline(always)]
pub(crate) fn slot_of(perm: Option<&Perm>, i: u32) -> u32 {
    match perm {
        None => i,
        Some(p) => p.slot[i as usize],
    }
}

/// Which entry lies at place `s` of a table stored in order `perm`.
#[inline(always)]
pub(crate) fn id_at(perm: Option<&Perm>, s: u32) -> u32 {
    match perm {
        None => s,
        Some(p) => p.id[s as usize],
    }
}

/// The storage order of both tables of a model's states.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Layout {
    pub nodes: Arc<Perm>,
    pub edges: Arc<Perm>,
    /// The lowest place of a node with a class edge (the node count when none has
    /// one): a walk over places skips the places below without a lookup.
    pub first_with_edges: u32,
}

/// A large model's storage order, and the data samples' pathways kept (as places in
/// it) while the order was made: every trainer of the model shares them.
#[derive(Debug)]
pub(crate) struct Prepared {
    pub layout: Arc<Layout>,
    pub pathways: Pathways<'static>,
}

impl Prepared {
    /// `model`'s order and kept pathways when another order pays (see `pays`), `None`
    /// for id order (trainers then keep pathways as samples are drawn). `min_nodes`
    /// forces another order from that many nodes on, whatever the steps (tests use it
    /// to take the large-model path on small models).
    pub fn of(model: &Model, min_nodes: Option<usize>) -> Option<Prepared> {
        if !pays(model, min_nodes) {
            return None;
        }
        let mut pathways = Pathways::new(model);
        let layout = Layout::by_signature(model, &mut pathways);
        pathways.make_all_places(&layout);
        pathways.make_bits(model.n_nodes());
        Some(Prepared {
            layout: Arc::new(layout),
            pathways,
        })
    }
}

impl Layout {
    /// Sorts each level's nodes by firing signature and the class edges by class and
    /// source place (see the module's documentation). Fires every data sample once, and
    /// keeps each one's pathway in `pathways` (as ids) while it fits the budget.
    pub fn by_signature(model: &Model, pathways: &mut Pathways<'_>) -> Layout {
        let ir = model.ir;
        let n = model.n_nodes();
        const NONE: u32 = u32::MAX;
        let mut first = vec![NONE; n];
        let mut second = vec![NONE; n];
        let mut hash = vec![0u64; n];
        let mut counts = FireCounts::default();
        let mut fired: Vec<NodeId> = Vec::new();
        for s in 0..ir.data.samples.len() as u32 {
            // Compiling fired the data samples already (for its warnings): reused.
            model.fire_data_sample(s as usize, &mut counts, &mut fired, false);
            for &f in &fired {
                let f = f as usize;
                if first[f] == NONE {
                    first[f] = s;
                } else if second[f] == NONE && first[f] != s {
                    second[f] = s;
                }
                hash[f] = (hash[f] ^ u64::from(s)).wrapping_mul(0x0000_0100_0000_01b3);
            }
            pathways.keep(model, s as usize, &mut fired);
        }
        let mut order: Vec<NodeId> = (0..n as NodeId).collect();
        for level in &ir.levels {
            let ids = &mut order[level.first as usize..(level.first + level.len) as usize];
            ids.sort_unstable_by_key(|&i| {
                let i = i as usize;
                (first[i], second[i], hash[i], i)
            });
        }
        drop((first, second, hash, counts, fired));
        let nodes = Perm::from_order(order);
        let mut edges: Vec<EdgeId> = (0..ir.edges.len() as EdgeId).collect();
        edges.sort_unstable_by_key(|&e| {
            let edge = ir.edges[e as usize];
            (edge.to, nodes.slot[edge.from as usize], e)
        });
        let first_with_edges = ir
            .edges
            .iter()
            .map(|e| nodes.slot[e.from as usize])
            .min()
            .unwrap_or(n as u32);
        Layout {
            nodes: Arc::new(nodes),
            edges: Arc::new(Perm::from_order(edges)),
            first_with_edges,
        }
    }

    /// Whether both orders are id order (a model whose samples fire nothing, say).
    #[cfg(test)]
    pub fn is_identity(&self) -> bool {
        self.nodes.is_identity() && self.edges.is_identity()
    }
}

/// Whether another order pays for `model`: it is large, its samples keep their
/// pathways (inputs without noise; a noisy input fires anew every step), and some of
/// its scheduled steps are taken at once. When every one is deferred (`replay`), the
/// steps are written a block of the table at a time, whatever the order.
fn pays(model: &Model, min_nodes: Option<usize>) -> bool {
    let ir = model.ir;
    let large = match min_nodes {
        Some(n) => model.n_nodes() >= n.max(1),
        None => model.n_nodes() >= MIN_NODES && !every_step_defers(ir),
    };
    large && ir.data.noise_flip == 0.0 && !ir.data.samples.is_empty()
}

/// Whether every step of `ir`'s schedule (or, without one, every step with the file's
/// rules: batch 1) is deferred, given that its samples keep their pathways.
pub(crate) fn every_step_defers(ir: &Ir) -> bool {
    match &ir.train {
        Some(train) => train
            .phases
            .iter()
            .all(|p| p.batch == 1 && steps_defer(ir, &Rules::new(&p.rules), &Freeze::of_phase(p))),
        None => steps_defer(ir, &Rules::new(&ir.rules), &Freeze::none(ir)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::testing::generated;

    #[test]
    fn each_samples_pathway_is_nearly_contiguous() {
        let ir = generated(3000, 5, 4, 40, 0.05, 3);
        let model = Model::new(&ir);
        let mut pathways = Pathways::new(&model);
        let layout = Layout::by_signature(&model, &mut pathways);
        assert!(!layout.is_identity());
        // A permutation, level by level.
        for level in &ir.levels {
            for i in level.node_ids() {
                let s = layout.nodes.slot[i as usize];
                assert!(level.node_ids().contains(&s));
                assert_eq!(layout.nodes.id[s as usize], i);
            }
        }
        let mut sorted = layout.edges.id.clone();
        sorted.sort_unstable();
        assert_eq!(sorted, (0..ir.edges.len() as u32).collect::<Vec<_>>());
        // Cache lines (4 cells) a pathway touches: fewer in the new order.
        let mut counts = FireCounts::default();
        let mut fired = Vec::new();
        let (mut by_id, mut by_slot) = (0, 0);
        for sample in &ir.data.samples {
            model
                .graph
                .fire_levels(&sample.input, &mut counts, &mut fired, false);
            let lines = |mut places: Vec<u32>| {
                places.iter_mut().for_each(|p| *p /= 4);
                places.sort_unstable();
                places.dedup();
                places.len()
            };
            by_id += lines(fired.clone());
            by_slot += lines(
                fired
                    .iter()
                    .map(|&f| layout.nodes.slot[f as usize])
                    .collect(),
            );
        }
        // Random samples share little, so the gain here is modest (a prototype's
        // samples share most of their pathways, and gain far more).
        assert!(
            by_slot * 4 < by_id * 3,
            "{by_slot} lines vs {by_id} in id order"
        );
        // Sample 0's pathway leads every level, in one run.
        model
            .graph
            .fire_levels(&ir.data.samples[0].input, &mut counts, &mut fired, false);
        for level in &ir.levels {
            let mut places: Vec<u32> = fired
                .iter()
                .filter(|&&f| level.node_ids().contains(&f))
                .map(|&f| layout.nodes.slot[f as usize])
                .collect();
            places.sort_unstable();
            let run: Vec<u32> = (level.first..level.first + places.len() as u32).collect();
            assert_eq!(places, run, "level {}", level.name);
        }
    }

    #[test]
    fn a_compiled_model_orders_by_the_firing_sets_compiling_kept() {
        use crate::engine::graph::{FiringSets, Graph};
        let ir = generated(600, 4, 3, 12, 0.2, 5);
        let graph = Graph::new(&ir);
        let mut counts = FireCounts::default();
        let (mut sets, mut wrong) = (FiringSets::new(), FiringSets::new());
        let mut fired = Vec::new();
        for sample in &ir.data.samples {
            graph.fire(&sample.input, &mut counts, &mut fired);
            sets.push(&fired);
        }
        for k in 0..ir.data.samples.len() {
            // Every sample said to fire what the next one fires.
            wrong.push(sets.get((k + 1) % ir.data.samples.len()).unwrap_or(&[]));
        }
        let order = |model: &Model| {
            let prepared = Prepared::of(model, Some(0)).expect("an order from 0 nodes on");
            (
                Arc::clone(&prepared.layout),
                format!("{:?}", prepared.pathways),
            )
        };
        let fresh = order(&Model::new(&ir));
        // The same order and kept pathways from the sets as from firing again...
        assert_eq!(order(&Model::with_tables(&ir, &graph, Some(&sets))), fresh);
        // ... and the sets are what it reads (other sets, another order).
        assert_ne!(
            order(&Model::with_tables(&ir, &graph, Some(&wrong))).0,
            fresh.0
        );
    }

    #[test]
    fn small_or_noisy_models_keep_id_order() {
        let mut ir = generated(600, 4, 3, 12, 0.2, 5);
        assert!(Prepared::of(&Model::new(&ir), None).is_none());
        assert!(Prepared::of(&Model::new(&ir), Some(MIN_NODES)).is_none());
        assert!(Prepared::of(&Model::new(&ir), Some(0)).is_some());
        ir.data.noise_flip = 0.01;
        assert!(Prepared::of(&Model::new(&ir), Some(0)).is_none());
    }
}
