//! Lazy shrinking: with a deterministic `mul b` shrink (or `keep`), a node that does
//! not fire for `t` steps ends at `ln lambda + t ln b`. So a step only writes the nodes
//! (and class edges) that fire; the others keep the value of their last write (`base`),
//! the step counter of that write (`since`) and their per-step log factor (`rate`),
//! and every reader computes `base + (clock - since) * rate` (`Decay::value`).
//!
//! Results must not depend on when anyone reads or saves, so reads never write back.
//! Values are written (materialised) only at points fixed by the run itself: when a
//! node is updated by a step, and when the rates change (a new phase, or an explicit
//! step with other rules), where every node is materialised (each alone, so the order
//! of that pass changes nothing).
//!
//! Exactness: only deterministic `mul` and `keep` shrinks are lazy. `add`/`sub` shrinks,
//! error-driven shrinks (their step depends on the batch) and every rule under jitter
//! (one draw per node per step, in id order) stay dense: updated every step in id order
//! exactly as the language defines it. An error-driven growth is applied to the entries that grow,
//! lazily like any other (`Steps::General`), with the step's error.

use std::sync::Arc;

use super::layout::{id_at, slot_of, Layout, Perm};
use super::rules::{Freeze, LnOp, Rules};
use crate::ir::{EdgeId, Entry, Ir, NodeId, PerEntry};

/// The last written value of one entry and the clock of that write, side by side: a
/// step reads and writes both, so they share a cache line.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
#[repr(C, align(16))]
pub(crate) struct Cell {
    /// `ln` value at the last write (`-inf` = exactly 0).
    pub base: f64,
    /// Clock at which `base` was written.
    pub since: u64,
}

/// One value table (nodes or class edges) with its pending per-step factors, stored in
/// the order `perm` (`None`: id order; see `layout`). Every method taking an index takes
/// an id, except where it says "place".
#[derive(Clone, Debug, Default)]
pub(crate) struct Table {
    /// By place.
    pub cells: Vec<Cell>,
    /// `ln b` per step for each entry, by place; 0 for entries that do not change
    /// lazily, and for every entry when nothing is pending.
    pub rate: Vec<f64>,
    /// The storage order (`None`: id order).
    pub perm: Option<Arc<Perm>>,
}

impl Table {
    /// A table of values written at clock 0 with nothing pending, in id order.
    pub fn new(values: Vec<f64>) -> Table {
        Table {
            rate: vec![0.0; values.len()],
            cells: values
                .into_iter()
                .map(|base| Cell { base, since: 0 })
                .collect(),
            perm: None,
        }
    }

    pub fn len(&self) -> usize {
        self.cells.len()
    }

    /// Where entry `i` is stored.
    #[inline]
    pub fn place(&self, i: usize) -> usize {
        slot_of(self.perm.as_deref(), i as u32) as usize
    }

    /// Entry `i`'s cell.
    #[inline]
    pub fn cell(&self, i: usize) -> Cell {
        self.cells[self.place(i)]
    }

    /// The current value of entry `i`.
    #[inline]
    pub fn value(&self, i: usize, clock: u64) -> f64 {
        let s = self.place(i);
        let c = self.cells[s];
        decayed(c.base, c.since, self.rate[s], clock)
    }

    /// Every current value, in id order.
    pub fn values(&self, clock: u64) -> Vec<f64> {
        (0..self.len()).map(|i| self.value(i, clock)).collect()
    }

    /// Every cell, in id order.
    pub fn cells_by_id(&self) -> impl Iterator<Item = Cell> + '_ {
        (0..self.len()).map(|i| self.cell(i))
    }

    /// Every pending factor, in id order.
    pub fn rates_by_id(&self) -> Vec<f64> {
        (0..self.len()).map(|i| self.rate[self.place(i)]).collect()
    }

    /// Makes `value` entry `i`'s value from clock `at` on.
    #[inline]
    pub fn write(&mut self, i: usize, value: f64, at: u64) {
        let s = self.place(i);
        self.cells[s] = Cell {
            base: value,
            since: at,
        };
    }

    /// Materialises every value at `clock` and makes `rate` (by id) the pending factors
    /// (all 0 when `rate` is empty). Each entry's value depends on its own cell only, so
    /// the order of this pass changes nothing.
    fn rebase(&mut self, clock: u64, rate: &[f64]) {
        for (c, &r) in self.cells.iter_mut().zip(&self.rate) {
            *c = Cell {
                base: decayed(c.base, c.since, r, clock),
                since: clock,
            };
        }
        if rate.is_empty() {
            self.rate.iter_mut().for_each(|r| *r = 0.0);
        } else {
            for (i, &r) in rate.iter().enumerate() {
                let s = self.place(i);
                self.rate[s] = r;
            }
        }
    }

    /// Whether the table is stored in order `perm`. An equal order held elsewhere is
    /// adopted, so the next comparison is a pointer's.
    fn is_in(&mut self, perm: Option<&Arc<Perm>>) -> bool {
        match (&self.perm, perm) {
            (None, None) => true,
            (Some(a), Some(b)) if Arc::ptr_eq(a, b) => true,
            (Some(a), Some(b)) if a == b => {
                self.perm = Some(Arc::clone(b));
                true
            }
            _ => false,
        }
    }

    /// Stores the table in order `perm`, moving no value. In place, cycle by cycle of
    /// the permutation: a second copy of a large model's tables (24 bytes a node) would
    /// be the peak of its run.
    fn reorder(&mut self, perm: Option<&Arc<Perm>>) {
        if self.is_in(perm) {
            return;
        }
        let old = self.perm.clone();
        // The new place of the entry now at place `s`.
        let target = |s: usize| {
            let id = id_at(old.as_deref(), s as u32);
            slot_of(perm.map(|p| &**p), id) as usize
        };
        let mut done = vec![false; self.len()];
        for start in 0..self.len() {
            if done[start] {
                continue;
            }
            done[start] = true;
            // Carry the entry of `start` to its place, taking the one there along, until
            // the cycle comes back to `start`.
            let (mut cell, mut rate) = (self.cells[start], self.rate[start]);
            let mut at = target(start);
            while at != start {
                std::mem::swap(&mut cell, &mut self.cells[at]);
                std::mem::swap(&mut rate, &mut self.rate[at]);
                done[at] = true;
                at = target(at);
            }
            self.cells[start] = cell;
            self.rate[start] = rate;
        }
        self.perm = perm.cloned();
    }
}

/// `base` written at clock `since`, after shrinking by `rate` per step up to `clock`.
#[inline]
pub(crate) fn decayed(base: f64, since: u64, rate: f64, clock: u64) -> f64 {
    let t = clock - since;
    // t == 0 must not multiply: 0 * ln 0 (= -inf) would be NaN (a state saved before
    // `mul 0` was made dense may hold that rate). `t` fits an i64 (the clock never
    // passes `MAX_CLOCK`), which converts in one instruction where a u64 takes several.
    if t == 0 {
        base
    } else {
        base + (t as i64) as f64 * rate
    }
}

/// A lazy entry's growth in a `Steps::Mul` step at `clock`: its pending shrink, then its
/// growth factor. The one definition of that arithmetic, for steps taken at once and
/// steps written later (`replay`) alike, so both give the same bits.
#[inline(always)]
pub(crate) fn grow_cell(cell: &mut Cell, clock: u64, step: MulStep) {
    // `decayed` without its guard: the rate is finite, so t = 0 adds 0. `t` fits an i64
    // (see `decayed`).
    let t = (clock - cell.since) as i64 as f64;
    *cell = Cell {
        base: (cell.base + t * step.rate) + step.ln_grow,
        since: clock + 1,
    };
}

/// The largest clock a state may hold: every step count up to it is an exact f64.
pub const MAX_CLOCK: u64 = 1 << 53;

/// The lazy part of a `State`: the update clock and both tables.
#[derive(Clone, Debug, Default)]
pub(crate) struct Lazy {
    /// Updates applied so far (scheduled and explicit steps alike).
    pub clock: u64,
    /// Fingerprint of the installed rates (0: none installed, every rate is 0).
    pub key: u64,
    pub lambda: Table,
    pub eta: Table,
}

/// Equal when every value, rate and (while factors are pending) every stamp is: with
/// nothing pending a stamp says nothing, and saved files leave it out.
impl PartialEq for Lazy {
    fn eq(&self, other: &Lazy) -> bool {
        let pending = self.key != 0;
        // Entry by entry in id order: the storage order is not part of the value.
        let same = |a: &Table, b: &Table| {
            a.len() == b.len()
                && a.rates_by_id() == b.rates_by_id()
                && a.cells_by_id().zip(b.cells_by_id()).all(|(x, y)| {
                    x.base.to_bits() == y.base.to_bits() && (!pending || x.since == y.since)
                })
        };
        self.clock == other.clock
            && self.key == other.key
            && same(&self.lambda, &other.lambda)
            && same(&self.eta, &other.eta)
    }
}

impl Lazy {
    /// Values written at clock 0, nothing pending.
    pub fn new(lambda: Vec<f64>, eta: Vec<f64>) -> Lazy {
        Lazy {
            clock: 0,
            key: 0,
            lambda: Table::new(lambda),
            eta: Table::new(eta),
        }
    }

    /// Makes `plan`'s rates the pending ones, with the tables stored in the plan's order.
    /// When the rates differ from the installed ones, every value is first materialised
    /// so it keeps what it has so far.
    pub fn install(&mut self, plan: &Plan) {
        let (nodes, edges) = match &plan.layout {
            Some(l) => (Some(&l.nodes), Some(&l.edges)),
            None => (None, None),
        };
        self.lambda.reorder(nodes);
        self.eta.reorder(edges);
        if self.key == plan.key {
            return;
        }
        self.lambda.rebase(self.clock, &plan.node_rate);
        self.eta.rebase(self.clock, &plan.edge_rate);
        self.key = plan.key;
    }

    /// Checks that the tables hold only what training can produce.
    pub fn check(&self) -> Result<(), String> {
        if self.clock > MAX_CLOCK {
            return Err(format!(
                "the step clock {} is past the largest a run can reach ({MAX_CLOCK})",
                self.clock
            ));
        }
        for (what, t) in [("lambda", &self.lambda), ("eta", &self.eta)] {
            if t.cells.iter().any(|c| c.since > self.clock) {
                return Err(format!("a pending {what} factor starts after the clock"));
            }
            if t.rate.iter().any(|r| r.is_nan() || *r == f64::INFINITY) {
                return Err(format!("a pending {what} factor is not a finite log"));
            }
        }
        let idle = self.key == 0;
        if idle
            && self
                .lambda
                .rate
                .iter()
                .chain(&self.eta.rate)
                .any(|&r| r != 0.0)
        {
            return Err("pending factors without a fingerprint".to_string());
        }
        if !idle && self.key != fingerprint(&self.lambda.rates_by_id(), &self.eta.rates_by_id()) {
            return Err("the pending factors do not match their fingerprint".to_string());
        }
        Ok(())
    }
}

/// How a step treats one node or edge.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Treatment {
    /// Frozen: never changes.
    Frozen,
    /// Shrinks lazily (rate in the plan); written only when it grows.
    Lazy,
    /// Written every step, in id order (non-multiplicative or error-driven shrink, or
    /// jitter).
    Dense,
}

/// Rules and freezes compiled for lazy steps: the rates to install, and which entries
/// a step must write.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Plan {
    pub key: u64,
    pub node_rate: Vec<f64>,
    pub edge_rate: Vec<f64>,
    pub node: Vec<Treatment>,
    pub edge: Vec<Treatment>,
    pub dense_nodes: Vec<NodeId>,
    pub dense_edges: Vec<EdgeId>,
    /// No dense entry, and every growth a plain `mul` or `keep` (`Steps::Mul` or
    /// `Steps::Few`): a step writes the entries of U and of the co-firing edges and
    /// nothing else, each from its own cell, so steps may be written later (`replay`).
    pub defers: bool,
    /// What a step does to each node of U that is not dense (the hot loop of a step).
    pub node_step: Steps,
    /// The same for class edges.
    pub edge_step: Steps,
    /// The storage order of the tables the steps are indexed by (`None`: id order).
    pub layout: Option<Arc<Layout>>,
}

/// What a step does to the lazy entries it grows, one record per entry so each costs
/// one lookup beside its cell.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Steps {
    /// No dense entries, and every lazy growth a `mul` or `keep`: each entry adds its
    /// pending shrink and its growth factor (frozen entries add 0 and 0), with no
    /// branch at all.
    Mul(Vec<MulStep>),
    /// `Mul` with at most 256 different records (nearly every model: one per rule,
    /// and frozen levels): each entry holds a one-byte index into `table`, so the table
    /// a step reads at scattered places is an eighth the size of the cells (at 10^6
    /// nodes 1 MB, which stays in the L2 cache, instead of 16 MB).
    Few { table: Vec<MulStep>, index: Vec<u8> },
    /// Anything else.
    General(Vec<LazyStep>),
}

/// A `Steps::Mul` entry: `ln` of its growth factor and its installed rate.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct MulStep {
    pub ln_grow: f64,
    pub rate: f64,
}

/// A `Steps::General` entry: its growth and its installed rate.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct LazyStep {
    /// The grow rule of a `Lazy` entry; `None` for the others (frozen: never changes;
    /// dense: written by the dense pass).
    pub grow: Option<LnOp>,
    /// The entry's installed rate (0 when no rates are installed).
    pub rate: f64,
}

impl Steps {
    /// Lazy entries are never jittered (jitter makes every entry dense), so their
    /// growth is the plain rule. Rates are finite (see `Plan::new`). All three are by
    /// place.
    fn new(treatment: &[Treatment], grow: &PerEntry<LnOp>, rate: &[f64]) -> Steps {
        let all_mul: Option<PerEntry<MulStep>> = treatment
            .iter()
            .zip(grow.iter())
            .zip(rate)
            .map(|((&t, &op), &rate)| mul_growth(t, op).map(|ln_grow| MulStep { ln_grow, rate }))
            .collect();
        match all_mul {
            Some(steps) => few(steps),
            None => Steps::General(
                treatment
                    .iter()
                    .zip(grow.iter())
                    .zip(rate)
                    .map(|((&t, &op), &rate)| LazyStep {
                        grow: (t == Treatment::Lazy).then_some(op),
                        rate,
                    })
                    .collect(),
            ),
        }
    }
}

/// `Steps::Few` when `steps` has at most 256 different records, else `Steps::Mul`.
fn few(steps: PerEntry<MulStep>) -> Steps {
    match steps.into_bytes() {
        Ok((table, index)) => Steps::Few { table, index },
        Err(steps) => Steps::Mul(steps.to_vec()),
    }
}

impl Entry for MulStep {
    fn bits(&self) -> [u64; 3] {
        [0, self.ln_grow.to_bits(), self.rate.to_bits()]
    }
}

#[cfg(test)]
pub(crate) fn few_for_tests(steps: &[MulStep]) -> Option<(Vec<MulStep>, Vec<u8>)> {
    match few(PerEntry::from(steps.to_vec())) {
        Steps::Few { table, index } => Some((table, index)),
        _ => None,
    }
}

impl Plan {
    /// `layout` is the storage order of the states the plan will step: `node_step` and
    /// `edge_step` are indexed by place in it; everything else is by id.
    pub fn new(ir: &Ir, rules: &Rules, freeze: &Freeze, layout: Option<Arc<Layout>>) -> Plan {
        let jittered = rules.jitter > 0.0;
        let (node, node_rate): (Vec<_>, Vec<_>) = ir
            .nodes
            .iter()
            .zip(rules.shrink.iter())
            .map(|(n, &op)| treatment(freeze.level(n.level), jittered, op))
            .unzip();
        let (edge, edge_rate): (Vec<_>, Vec<_>) = rules
            .shrink_eta
            .iter()
            .map(|&op| treatment(freeze.eta, jittered, op))
            .unzip();
        let dense = |t: &[Treatment]| {
            (0..t.len() as u32)
                .filter(|&i| t[i as usize] == Treatment::Dense)
                .collect::<Vec<u32>>()
        };
        let (node_perm, edge_perm) = match &layout {
            Some(l) => (Some(&*l.nodes), Some(&*l.edges)),
            None => (None, None),
        };
        let node_step = Steps::new(
            &by_place(&node, node_perm),
            &by_place_entries(&rules.grow, node_perm),
            &by_place(&node_rate, node_perm),
        );
        let edge_step = Steps::new(
            &by_place(&edge, edge_perm),
            &by_place_entries(&rules.grow_eta, edge_perm),
            &by_place(&edge_rate, edge_perm),
        );
        let any_rate = node_rate.iter().chain(&edge_rate).any(|&r| r != 0.0);
        // No pending factor at all: install nothing, so values are plain bases.
        let (key, node_rate, edge_rate) = if any_rate {
            (fingerprint(&node_rate, &edge_rate), node_rate, edge_rate)
        } else {
            (0, Vec::new(), Vec::new())
        };
        let (dense_nodes, dense_edges) = (dense(&node), dense(&edge));
        let general = |s: &Steps| matches!(s, Steps::General(_));
        Plan {
            key,
            defers: dense_nodes.is_empty()
                && dense_edges.is_empty()
                && !general(&node_step)
                && !general(&edge_step),
            dense_nodes,
            dense_edges,
            node_step,
            edge_step,
            node_rate,
            edge_rate,
            node,
            edge,
            layout,
        }
    }
}

/// How a step treats an entry whose shrink rule is `shrink`, and its rate.
fn treatment(frozen: bool, jittered: bool, shrink: LnOp) -> (Treatment, f64) {
    match shrink {
        _ if frozen => (Treatment::Frozen, 0.0),
        _ if jittered => (Treatment::Dense, 0.0),
        // `mul 0` (ln = -inf) is dense: lazy rates stay finite, so a step's
        // `t * rate` is never `0 * -inf` and needs no guard.
        LnOp::Mul { ln_factor } if ln_factor.is_finite() => (Treatment::Lazy, ln_factor),
        LnOp::Keep => (Treatment::Lazy, 0.0),
        // Error-driven shrinks move by a different amount every step (the
        // batch's error), so they have no fixed rate: dense.
        LnOp::Mul { .. }
        | LnOp::Add { .. }
        | LnOp::Sub { .. }
        | LnOp::MulByError { .. }
        | LnOp::AddByError { .. }
        | LnOp::SubByError { .. } => (Treatment::Dense, 0.0),
    }
}

/// The `ln` growth factor of a `Steps::Mul` record for an entry treated `t` whose grow
/// rule is `grow` (`None`: the entry needs a `Steps::General` one).
fn mul_growth(t: Treatment, grow: LnOp) -> Option<f64> {
    match (t, grow) {
        (Treatment::Frozen, _) | (Treatment::Lazy, LnOp::Keep) => Some(0.0),
        (Treatment::Lazy, LnOp::Mul { ln_factor }) if ln_factor.is_finite() => Some(ln_factor),
        _ => None,
    }
}

/// Whether the plan of `rules` and `freeze` would defer its steps (`Plan::defers`) and
/// no step under them reads the state (no error-driven rule), without building it.
pub(crate) fn steps_defer(ir: &Ir, rules: &Rules, freeze: &Freeze) -> bool {
    let jittered = rules.jitter > 0.0;
    let defers = |frozen: bool, shrink: LnOp, grow: LnOp| {
        let (t, _) = treatment(frozen, jittered, shrink);
        t != Treatment::Dense && mul_growth(t, grow).is_some()
    };
    !rules.by_error
        && ir
            .nodes
            .iter()
            .zip(rules.shrink.iter().zip(rules.grow.iter()))
            .all(|(n, (&shrink, &grow))| defers(freeze.level(n.level), shrink, grow))
        && rules
            .shrink_eta
            .iter()
            .zip(rules.grow_eta.iter())
            .all(|(&shrink, &grow)| defers(freeze.eta, shrink, grow))
}

/// `v` (by id) in the storage order `perm`.
fn by_place<'a, T: Copy>(v: &'a [T], perm: Option<&Perm>) -> std::borrow::Cow<'a, [T]> {
    match perm {
        None => std::borrow::Cow::Borrowed(v),
        Some(p) => p.id.iter().map(|&i| v[i as usize]).collect(),
    }
}

/// `v` (by id) in the storage order `perm`.
fn by_place_entries<'a, T: Entry>(
    v: &'a PerEntry<T>,
    perm: Option<&Perm>,
) -> std::borrow::Cow<'a, PerEntry<T>> {
    match perm {
        None => std::borrow::Cow::Borrowed(v),
        Some(p) => std::borrow::Cow::Owned(v.permuted(&p.id)),
    }
}

/// A 64-bit FNV-1a hash of the rate tables, never 0 (0 means "no rates"). Two plans
/// with the same key are treated as the same rates; only the rates matter to readers.
fn fingerprint(node_rate: &[f64], edge_rate: &[f64]) -> u64 {
    const PRIME: u64 = 0x0000_0100_0000_01b3;
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    let mut eat = |word: u64| {
        for byte in word.to_le_bytes() {
            h ^= u64::from(byte);
            h = h.wrapping_mul(PRIME);
        }
    };
    eat(node_rate.len() as u64);
    node_rate.iter().for_each(|r| eat(r.to_bits()));
    eat(edge_rate.len() as u64);
    edge_rate.iter().for_each(|r| eat(r.to_bits()));
    h.max(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn value_is_base_plus_elapsed_steps_times_rate() {
        let t = Table {
            cells: vec![
                Cell {
                    base: 1.0,
                    since: 3,
                },
                Cell {
                    base: 2.0,
                    since: 5,
                },
            ],
            rate: vec![0.5f64.ln(), f64::NEG_INFINITY],
            perm: None,
        };
        assert_eq!(t.value(0, 3), 1.0);
        assert!((t.value(0, 7) - (1.0 + 4.0 * 0.5f64.ln())).abs() < 1e-15);
        // A zero factor: exact zero after one step, and never NaN before it.
        assert_eq!(t.value(1, 5), 2.0);
        assert_eq!(t.value(1, 6), f64::NEG_INFINITY);
        assert_eq!(
            decayed(f64::NEG_INFINITY, 5, f64::NEG_INFINITY, 9),
            f64::NEG_INFINITY
        );
        // Nothing installed: the base itself, at any clock.
        assert_eq!(Table::new(vec![0.25]).value(0, 100), 0.25);
        assert_eq!(
            Table::new(vec![f64::NEG_INFINITY]).value(0, 100),
            f64::NEG_INFINITY
        );
    }

    #[test]
    fn reordering_in_place_moves_every_entry_to_its_new_place() {
        let n = 1000u32;
        let values: Vec<f64> = (0..n).map(|i| f64::from(i) * 0.5 - 3.0).collect();
        let mut t = Table::new(values.clone());
        for (i, r) in t.rate.iter_mut().enumerate() {
            *r = -(i as f64);
        }
        let rates: Vec<f64> = t.rates_by_id();
        // A few cycles of many lengths: i -> 7i + 3 mod n, then a reversal, then back.
        let scrambled = Arc::new(Perm::from_order((0..n).map(|k| (7 * k + 3) % n).collect()));
        let reversed = Arc::new(Perm::from_order((0..n).rev().collect()));
        for perm in [Some(&scrambled), Some(&reversed), None, Some(&reversed)] {
            t.reorder(perm);
            assert_eq!(t.values(0), values);
            assert_eq!(t.rates_by_id(), rates);
            for (i, &value) in values.iter().enumerate() {
                let place = slot_of(perm.map(|p| &**p), i as u32) as usize;
                assert_eq!(t.cells[place].base, value);
            }
        }
    }

    #[test]
    fn install_materialises_then_takes_the_new_rates() {
        let mut lazy = Lazy::new(vec![0.0, 1.0], vec![]);
        let plan = |rate: Vec<f64>| Plan {
            key: fingerprint(&rate, &[]),
            node_rate: rate,
            edge_rate: vec![],
            node: vec![],
            edge: vec![],
            dense_nodes: vec![],
            dense_edges: vec![],
            defers: true,
            node_step: Steps::Mul(vec![]),
            edge_step: Steps::Mul(vec![]),
            layout: None,
        };
        lazy.install(&plan(vec![-1.0, 0.0]));
        lazy.clock = 4;
        assert_eq!(lazy.lambda.values(4), vec![-4.0, 1.0]);
        lazy.install(&plan(vec![0.0, -2.0]));
        assert_eq!(
            lazy.lambda.cells[0],
            Cell {
                base: -4.0,
                since: 4
            }
        );
        lazy.clock = 5;
        assert_eq!(lazy.lambda.values(5), vec![-4.0, -1.0]);
        assert_eq!(lazy.check(), Ok(()));
        lazy.key ^= 1;
        assert!(lazy.check().is_err());
    }

    #[test]
    fn few_records_are_indexed_and_many_are_not() {
        let step = |g: f64| MulStep {
            ln_grow: g,
            rate: -g,
        };
        let steps: Vec<MulStep> = [0.5, 0.1, 0.5, 0.0, 0.1].map(step).to_vec();
        let (table, index) = few_for_tests(&steps).expect("few");
        assert_eq!(table, [0.5, 0.1, 0.0].map(step).to_vec());
        assert_eq!(index, vec![0, 1, 0, 2, 1]);
        let many: Vec<MulStep> = (0..257).map(|i| step(i as f64)).collect();
        assert!(few_for_tests(&many).is_none());
        assert_eq!(few(PerEntry::from(many.clone())), Steps::Mul(many.clone()));
        assert!(few_for_tests(&many[..256]).is_some());
    }

    #[test]
    fn fingerprint_tells_rates_apart() {
        let a = fingerprint(&[0.1, 0.2], &[0.3]);
        assert_ne!(a, fingerprint(&[0.2, 0.1], &[0.3]));
        assert_ne!(a, fingerprint(&[0.1], &[0.2, 0.3]));
        assert_eq!(a, fingerprint(&[0.1, 0.2], &[0.3]));
        assert_ne!(a, 0);
    }
}
