//! Index tables derived once from the IR so that firing and updates never search:
//! for every node, the nodes of the next level that use it (CSR) and the class edges
//! leaving it; for every middle node, how many firing children make it fire.

use std::borrow::Cow;
use std::sync::{Arc, OnceLock};

use super::layout::{Layout, Prepared};
use crate::ir::{ClassId, EdgeId, Ir, NodeId};

/// A checked model plus the tables the engine walks. Cheap to build (linear in the
/// model's size); build it once per model and share it. A compiled model already has
/// them: [`crate::Compiled::model`] lends its own instead of building them again.
#[derive(Clone, Debug)]
pub struct Model<'a> {
    /// The checked model.
    pub ir: &'a Ir,
    pub(crate) graph: Cow<'a, Graph>,
    /// The firing set of every data sample, when they were fired already (compiling
    /// fires them for its warnings about the data); firing does not depend on the state.
    data_firing: Option<&'a FiringSets>,
    /// The storage order of its states' tables and the samples' kept pathways, made
    /// on first use by training.
    prepared: OnceLock<Option<Arc<Prepared>>>,
    /// Models with fewer nodes keep id order, whatever the steps (`None`: as
    /// `layout::Prepared::of` decides).
    layout_min_nodes: Option<usize>,
}

impl<'a> Model<'a> {
    /// Builds the tables of `ir`.
    pub fn new(ir: &'a Ir) -> Model<'a> {
        Model {
            ir,
            graph: Cow::Owned(Graph::new(ir)),
            data_firing: None,
            prepared: OnceLock::new(),
            layout_min_nodes: None,
        }
    }

    /// A model that stores its states' tables in another order than id order from
    /// `min_nodes` nodes on, whatever its steps (`Model::new` decides by the processor's
    /// caches and the steps). Tests use it to take the large-model path on small models;
    /// no result may depend on it.
    #[doc(hidden)]
    pub fn with_layout_min_nodes(ir: &'a Ir, min_nodes: usize) -> Model<'a> {
        Model {
            layout_min_nodes: Some(min_nodes),
            ..Model::new(ir)
        }
    }

    /// A model over tables built before: `graph` must be `Graph::new(ir)`, and
    /// `data_firing` the firing sets of `ir`'s data samples in order.
    pub(crate) fn with_tables(
        ir: &'a Ir,
        graph: &'a Graph,
        data_firing: Option<&'a FiringSets>,
    ) -> Model<'a> {
        Model {
            ir,
            graph: Cow::Borrowed(graph),
            data_firing: data_firing.filter(|f| f.len() == ir.data.samples.len()),
            prepared: OnceLock::new(),
            layout_min_nodes: None,
        }
    }

    /// The firing set of data sample `sample` when it is known already (see
    /// [`crate::Compiled::model`]); `None` means fire its input.
    pub fn data_firing(&self, sample: usize) -> Option<&'a [NodeId]> {
        self.data_firing.and_then(|f| f.get(sample))
    }

    /// The firing sets of the data samples, when compiling kept them (see `data_firing`).
    pub(crate) fn data_firing_sets(&self) -> Option<&'a FiringSets> {
        self.data_firing
    }

    /// Data sample `sample`'s firing set into `out`: the one compiling kept, when known
    /// (ascending), or else its input fired now (each level's nodes ascending when
    /// `sorted`, as [`Graph::fire_levels`]); a sample that is not there fires nothing.
    pub(crate) fn fire_data_sample(
        &self,
        sample: usize,
        counts: &mut FireCounts,
        out: &mut Vec<NodeId>,
        sorted: bool,
    ) {
        match self.data_firing(sample) {
            Some(set) => {
                out.clear();
                out.extend_from_slice(set);
            }
            None => {
                let input = self
                    .ir
                    .data
                    .samples
                    .get(sample)
                    .map_or(&[][..], |s| &s.input);
                self.graph.fire_levels(input, counts, out, sorted);
            }
        }
    }

    /// The storage order of this model's states in training and the pathways kept
    /// while making it (`None`: id order). Made once, on first use: it fires every
    /// data sample whose firing set is not known already.
    pub(crate) fn prepared(&self) -> Option<Arc<Prepared>> {
        self.prepared
            .get_or_init(|| Prepared::of(self, self.layout_min_nodes).map(Arc::new))
            .clone()
    }

    /// The storage order of this model's states in training (`None`: id order).
    pub(crate) fn layout(&self) -> Option<Arc<Layout>> {
        self.prepared().map(|p| Arc::clone(&p.layout))
    }

    /// How many feature nodes the model has.
    pub fn n_nodes(&self) -> usize {
        self.ir.nodes.len()
    }

    /// How many class edges it has.
    pub fn n_edges(&self) -> usize {
        self.ir.edges.len()
    }

    /// How many classes it has.
    pub fn n_classes(&self) -> usize {
        self.ir.classes.len()
    }

    /// Number of level-1 (input) nodes; they are `0 .. n_inputs()`.
    pub fn n_inputs(&self) -> usize {
        self.graph.n_inputs
    }
}

/// A next-level node that uses some node, with its firing threshold. The threshold is
/// copied here so that firing reads it from the list it walks anyway instead of from a
/// table indexed by a scattered id.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Parent {
    pub id: NodeId,
    /// Firing children the parent needs.
    pub threshold: u32,
}

#[derive(Clone, Debug)]
pub(crate) struct Graph {
    /// `parents[parent_start[n] .. parent_start[n+1]]`: next-level nodes whose gate lists `n`.
    parent_start: Vec<u32>,
    parents: Vec<Parent>,
    /// `out_edges[edge_start[n] .. edge_start[n+1]]`: class edges leaving `n`.
    edge_start: Vec<u32>,
    out_edges: Vec<EdgeId>,
    /// The class each of `out_edges` goes into, beside it (a step that picks edges by
    /// class reads this list instead of the IR's edge records at scattered places).
    out_to: Vec<ClassId>,
    pub n_inputs: usize,
    n_nodes: usize,
    /// The lowest node id with a class edge (the node count when there is none).
    pub first_with_edges: NodeId,
}

impl Graph {
    pub fn new(ir: &Ir) -> Graph {
        let n = ir.nodes.len();
        let mut n_parents = vec![0u32; n + 1];
        let mut threshold = vec![0u32; n];
        for (id, node) in ir.nodes.iter().enumerate() {
            if let Some(gate) = &node.gate {
                threshold[id] = gate.kind.threshold(gate.children.len()) as u32;
                for &c in &gate.children {
                    n_parents[c as usize] += 1;
                }
            }
        }
        let parent_start = prefix_sums(&n_parents);
        let mut fill = parent_start.clone();
        let mut parents = vec![
            Parent {
                id: 0,
                threshold: 0
            };
            parent_start[n] as usize
        ];
        // Nodes are visited in id order, so each node's parents come out ascending.
        for (id, node) in ir.nodes.iter().enumerate() {
            if let Some(gate) = &node.gate {
                for &c in &gate.children {
                    parents[fill[c as usize] as usize] = Parent {
                        id: id as NodeId,
                        threshold: threshold[id],
                    };
                    fill[c as usize] += 1;
                }
            }
        }

        let mut n_out = vec![0u32; n + 1];
        for e in &ir.edges {
            n_out[e.from as usize] += 1;
        }
        let edge_start = prefix_sums(&n_out);
        let mut fill = edge_start.clone();
        let mut out_edges = vec![0; edge_start[n] as usize];
        let mut out_to = vec![0; edge_start[n] as usize];
        for (id, e) in ir.edges.iter().enumerate() {
            out_edges[fill[e.from as usize] as usize] = id as EdgeId;
            out_to[fill[e.from as usize] as usize] = e.to;
            fill[e.from as usize] += 1;
        }

        let n_inputs = ir.levels.first().map_or(0, |l| l.len as usize);
        Graph {
            parent_start,
            parents,
            n_nodes: n,
            first_with_edges: ir.edges.iter().map(|e| e.from).min().unwrap_or(n as NodeId),
            edge_start,
            out_edges,
            out_to,
            n_inputs,
        }
    }

    pub fn parents(&self, n: NodeId) -> &[Parent] {
        let n = n as usize;
        &self.parents[self.parent_start[n] as usize..self.parent_start[n + 1] as usize]
    }

    pub fn out_edges(&self, n: NodeId) -> &[EdgeId] {
        let n = n as usize;
        &self.out_edges[self.edge_start[n] as usize..self.edge_start[n + 1] as usize]
    }

    /// The class edges leaving `n`, each with the class it goes into.
    pub fn out_edges_to(&self, n: NodeId) -> impl Iterator<Item = (EdgeId, ClassId)> + '_ {
        let range = self.edge_start[n as usize] as usize..self.edge_start[n as usize + 1] as usize;
        self.out_edges[range.clone()]
            .iter()
            .copied()
            .zip(self.out_to[range].iter().copied())
    }

    /// The firing set of `input` (ascending level-1 ids), ascending — that is, level by
    /// level and in declaration order within a level. Work is proportional to the
    /// edges leaving firing nodes.
    pub fn fire(&self, input: &[NodeId], counts: &mut FireCounts, out: &mut Vec<NodeId>) {
        self.fire_levels(input, counts, out, true);
    }

    /// Like `fire`, but with `sorted == false` each level's nodes come in discovery
    /// order (training only needs the set, and sorting is a sizeable share of a step).
    pub fn fire_levels(
        &self,
        input: &[NodeId],
        counts: &mut FireCounts,
        out: &mut Vec<NodeId>,
        sorted: bool,
    ) {
        let epoch = counts.next_epoch();
        let FireCounts { cells, stack, .. } = counts;
        if cells.len() < self.n_nodes {
            cells.resize(self.n_nodes, 0);
        }
        // Nodes reached by counting fire once each; the input is copied as given. So
        // this bound holds even for inputs that repeat ids or name non-input nodes
        // (for valid inputs it is the size `FireCounts::with_nodes` gives, and nothing
        // grows).
        let need = input.len() + (self.n_nodes - self.n_inputs.min(self.n_nodes)) + 1;
        if stack.len() < need {
            stack.resize(need, 0);
        }
        // Firing nodes go onto `stack` (one slot per node, plus a spare): a node is
        // written at `len` every time and kept only when it fires, so the hot loop
        // has no unpredictable branch.
        stack[..input.len()].copy_from_slice(input);
        let mut len = input.len();
        let mut start = 0;
        while start < len {
            let end = len;
            for i in start..end {
                let node = stack[i];
                for &Parent { id: p, threshold } in self.parents(node) {
                    let cell = &mut cells[p as usize];
                    // Children still missing before p fires; a cell of an older
                    // evaluation counts as untouched (no reset pass needed).
                    // Written as a mask to invite a branchless select: whether a
                    // cell is fresh is data-dependent (both values are in registers).
                    let fresh = u32::from(*cell >> 32 == epoch).wrapping_neg();
                    let missing = (*cell as u32 & fresh) | (threshold & !fresh);
                    // Wrapping: a threshold of 0 never reaches 0 again (never fires).
                    let missing = missing.wrapping_sub(1);
                    *cell = (epoch << 32) | u64::from(missing);
                    // Kept exactly once: when the last missing child fires.
                    stack[len] = p;
                    len += usize::from(missing == 0);
                }
            }
            // The nodes just added are the next level; keep declaration order.
            if sorted {
                stack[end..len].sort_unstable();
            }
            start = end;
        }
        out.clear();
        out.extend_from_slice(&stack[..len]);
    }
}

/// Per-node countdown of the children still missing, reused across evaluations: each
/// cell holds `(epoch << 32) | missing`, and a cell from an older epoch is untouched, so
/// nothing has to be reset between evaluations. Made at the first firing (12 bytes a
/// node): many holders never fire (an evaluator of samples whose firing sets are known,
/// a trainer whose samples keep their pathways).
#[derive(Clone, Debug, Default)]
pub struct FireCounts {
    cells: Vec<u64>,
    epoch: u64,
    /// Scratch list of firing nodes: every node fires at most once, plus a spare slot.
    stack: Vec<NodeId>,
}

impl FireCounts {
    /// Counters for a model of `n_nodes` nodes, made now (by the calling thread: memory
    /// a worker thread allocates and frees stays in its `malloc` arena).
    pub fn with_nodes(n_nodes: usize) -> FireCounts {
        FireCounts {
            cells: vec![0; n_nodes],
            epoch: 0,
            stack: vec![0; n_nodes + 1],
        }
    }

    fn next_epoch(&mut self) -> u64 {
        if self.epoch >= u64::from(u32::MAX) {
            // After 2^32 evaluations: clear once rather than let epochs wrap.
            self.cells.iter_mut().for_each(|c| *c = 0);
            self.epoch = 0;
        }
        self.epoch += 1;
        self.epoch
    }
}

/// The firing sets of a sequence of inputs, one after another in one allocation (a
/// 10^6-node model's 60 data samples fire about three million nodes).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FiringSets {
    /// Set `i` is `nodes[start[i] .. start[i + 1]]`.
    start: Vec<usize>,
    nodes: Vec<NodeId>,
}

impl FiringSets {
    /// No sets.
    pub fn new() -> FiringSets {
        FiringSets {
            start: vec![0],
            nodes: Vec::new(),
        }
    }

    /// Appends the next set.
    pub fn push(&mut self, set: &[NodeId]) {
        if self.start.is_empty() {
            self.start.push(0);
        }
        self.nodes.extend_from_slice(set);
        self.start.push(self.nodes.len());
    }

    /// Room for `sets` sets of `nodes` nodes in all.
    pub fn with_capacity(sets: usize, nodes: usize) -> FiringSets {
        let mut start = Vec::with_capacity(sets + 1);
        start.push(0);
        FiringSets {
            start,
            nodes: Vec::with_capacity(nodes),
        }
    }

    /// Appends every set of `other`, in order.
    pub fn append(&mut self, other: &FiringSets) {
        for i in 0..other.len() {
            self.push(other.get(i).unwrap_or(&[]));
        }
    }

    /// Number of sets.
    pub fn len(&self) -> usize {
        self.start.len().saturating_sub(1)
    }

    /// Whether it holds no set.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Set `i`, if there is one.
    pub fn get(&self, i: usize) -> Option<&[NodeId]> {
        match (self.start.get(i), self.start.get(i + 1)) {
            (Some(&lo), Some(&hi)) => Some(&self.nodes[lo..hi]),
            _ => None,
        }
    }

    /// Gives back the spare capacity (the sets are kept for the model's lifetime).
    pub fn shrink_to_fit(&mut self) {
        self.start.shrink_to_fit();
        self.nodes.shrink_to_fit();
    }
}

/// How many of `n` data samples each run takes when they are shared out one run per
/// core (at least one a run). The caller makes each run's buffers on its own thread:
/// memory a worker thread allocates and frees stays in its `malloc` arena, out of reach
/// of what follows.
pub(crate) fn samples_per_run(n: usize) -> usize {
    n.div_ceil(rayon::current_num_threads().max(1)).max(1)
}

fn prefix_sums(counts: &[u32]) -> Vec<u32> {
    let mut out = Vec::with_capacity(counts.len());
    let mut acc = 0;
    for &c in counts {
        out.push(acc);
        acc += c;
    }
    out
}

/// Sorts and dedups a list of node ids into a valid input (helper for callers that
/// build patterns by hand); does not check that they are level-1 nodes.
pub fn normalise_input(mut input: Vec<NodeId>) -> Vec<NodeId> {
    input.sort_unstable();
    input.dedup();
    input
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::testing::fig1;

    #[test]
    fn fires_by_thresholds_and_survives_odd_inputs() {
        let ir = fig1();
        let graph = Graph::new(&ir);
        let mut counts = FireCounts::default();
        let mut out = Vec::new();
        // c2 = e3 e4 e5: m1 (any e1 e2 e3), m2 (all e3 e4), m3 (2 of e4 e5 e6),
        // then t1 (any m1 m2), t2 (all m2 m3); t3 needs m3 and m4 (2 of 2).
        // e6 e7 fire only m4 (m3 needs 2 of e4 e5 e6), so t3 stays silent.
        graph.fire(&[2, 3, 4], &mut counts, &mut out);
        assert_eq!(out, vec![2, 3, 4, 7, 8, 9, 11, 12]);
        // Reused counters start clean for the next input (older epochs are stale).
        graph.fire(&[5, 6], &mut counts, &mut out);
        assert_eq!(out, vec![5, 6, 10]);
        // Repeated ids and a non-input node: no panic, every node listed once by
        // counting.
        graph.fire(&[2, 2, 3, 3, 13], &mut counts, &mut out);
        assert!(out.starts_with(&[2, 2, 3, 3, 13]));
        assert_eq!(out.iter().filter(|&&n| n == 8).count(), 1);
    }

    #[test]
    fn firing_sets_keep_each_set_apart() {
        let mut sets = FiringSets::default();
        assert_eq!((sets.len(), sets.get(0)), (0, None));
        sets.push(&[2, 3, 7]);
        sets.push(&[]);
        sets.push(&[5]);
        assert_eq!(sets.len(), 3);
        assert_eq!(sets.get(0), Some(&[2, 3, 7][..]));
        assert_eq!(sets.get(1), Some(&[][..]));
        assert_eq!(sets.get(2), Some(&[5][..]));
        assert_eq!(sets.get(3), None);
        assert_eq!(
            (FiringSets::new().len(), FiringSets::new().get(0)),
            (0, None)
        );
    }
}
