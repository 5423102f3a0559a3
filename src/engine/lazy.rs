//! Lazy shrinking: with a deterministic `mul b` shrink (or `keep`), a node that does
//! not fire for `t` steps ends at `ln lambda + t ln b`. So a step only writes the nodes
//! (and class edges) that fire; the others keep the value of their last write (`base`),
//! the step counter of that write (`since`) and their per-step log factor (`rate`),
//! and every reader computes `base + (clock - since) * rate` (`Decay::value`).
//!
//! Results must not depend on when anyone reads or saves, so reads never write back.
//! Values are written (materialised) only at points fixed by the run itself: when a
//! node is updated by a step, and when the rates change (a new phase, or an explicit
//! step with other rules), where every node is materialised in id order.
//!
//! Exactness: only deterministic `mul` and `keep` shrinks are lazy. `add`/`sub` shrinks
//! and every rule under jitter (one draw per node per step, in id order) stay dense:
//! updated every step in id order exactly as SPEC 3 says.

use serde::{Deserialize, Serialize};

use super::state::ln_vec;
use super::train::{Freeze, LnOp, Rules};
use crate::ir::{EdgeId, Ir, NodeId};

/// Pending per-step factors of one value table (nodes or class edges). Both vectors are
/// empty when nothing is pending (every value is its base).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Decay {
    /// Clock at which each base was written.
    pub(crate) since: Vec<u64>,
    /// `ln b` per step for each entry (0 for entries that do not change lazily).
    #[serde(with = "ln_vec")]
    pub(crate) rate: Vec<f64>,
}

impl Decay {
    /// The current value of entry `i` whose last written value is `base`.
    #[inline]
    pub(crate) fn value(&self, base: f64, i: usize, clock: u64) -> f64 {
        let Some(&rate) = self.rate.get(i) else {
            return base;
        };
        decayed(base, self.since[i], rate, clock)
    }

    fn is_idle(&self) -> bool {
        self.rate.is_empty()
    }
}

/// `base` written at clock `since`, after shrinking by `rate` per step up to `clock`.
#[inline]
pub(crate) fn decayed(base: f64, since: u64, rate: f64, clock: u64) -> f64 {
    let t = clock - since;
    // t == 0 must not multiply: 0 * ln 0 (= -inf) would be NaN.
    if t == 0 {
        base
    } else {
        base + t as f64 * rate
    }
}

/// The lazy part of a `State`: the update clock and the pending factors.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Lazy {
    /// Updates applied so far (scheduled and explicit steps alike).
    pub(crate) clock: u64,
    /// Fingerprint of the installed rates (0: none installed).
    pub(crate) key: u64,
    pub(crate) lambda: Decay,
    pub(crate) eta: Decay,
}

impl Lazy {
    /// Checks that the lazy tables fit `n_nodes` nodes and `n_edges` edges and hold
    /// only what training can produce.
    pub(crate) fn check(&self, n_nodes: usize, n_edges: usize) -> Result<(), String> {
        for (what, d, n) in [
            ("lambda", &self.lambda, n_nodes),
            ("eta", &self.eta, n_edges),
        ] {
            if d.since.len() != d.rate.len() || !(d.rate.is_empty() || d.rate.len() == n) {
                return Err(format!("pending {what} factors do not fit the model"));
            }
            if d.since.iter().any(|&s| s > self.clock) {
                return Err(format!("a pending {what} factor starts after the clock"));
            }
            if d.rate.iter().any(|r| r.is_nan() || *r == f64::INFINITY) {
                return Err(format!("a pending {what} factor is not a finite log"));
            }
        }
        let expect = if self.lambda.is_idle() && self.eta.is_idle() {
            0
        } else {
            fingerprint(&self.lambda.rate, &self.eta.rate)
        };
        if self.key != expect {
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
    /// Written every step, in id order (non-multiplicative shrink, or jitter).
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
    /// The grow rule of each `Lazy` node (`None` for the others): what a step applies
    /// to a lazy node of U, read with one lookup instead of the treatment and the rule.
    pub node_grow: Vec<Option<LnOp>>,
    /// The same for class edges.
    pub edge_grow: Vec<Option<LnOp>>,
}

impl Plan {
    pub fn new(ir: &Ir, rules: &Rules, freeze: &Freeze) -> Plan {
        let jittered = rules.jitter > 0.0;
        let treat = |frozen: bool, shrink: LnOp| -> (Treatment, f64) {
            match shrink {
                _ if frozen => (Treatment::Frozen, 0.0),
                _ if jittered => (Treatment::Dense, 0.0),
                LnOp::Mul { ln_factor } => (Treatment::Lazy, ln_factor),
                LnOp::Keep => (Treatment::Lazy, 0.0),
                LnOp::Add { .. } | LnOp::Sub { .. } => (Treatment::Dense, 0.0),
            }
        };
        let (node, node_rate): (Vec<_>, Vec<_>) = ir
            .nodes
            .iter()
            .zip(&rules.shrink)
            .map(|(n, &op)| {
                let frozen = freeze
                    .levels
                    .get(n.level as usize)
                    .copied()
                    .unwrap_or(false);
                treat(frozen, op)
            })
            .unzip();
        let (edge, edge_rate): (Vec<_>, Vec<_>) = rules
            .shrink_eta
            .iter()
            .map(|&op| treat(freeze.eta, op))
            .unzip();
        let dense = |t: &[Treatment]| {
            (0..t.len() as u32)
                .filter(|&i| t[i as usize] == Treatment::Dense)
                .collect::<Vec<u32>>()
        };
        // Lazy entries are never jittered (jitter makes every entry dense), so their
        // growth is the plain rule.
        let lazy_grow = |t: &[Treatment], grow: &[LnOp]| -> Vec<Option<LnOp>> {
            t.iter()
                .zip(grow)
                .map(|(&t, &op)| (t == Treatment::Lazy).then_some(op))
                .collect()
        };
        let node_grow = lazy_grow(&node, &rules.grow);
        let edge_grow = lazy_grow(&edge, &rules.grow_eta);
        let any_rate = node_rate.iter().chain(&edge_rate).any(|&r| r != 0.0);
        // No pending factor at all: install nothing, so values are plain bases.
        let (key, node_rate, edge_rate) = if any_rate {
            (fingerprint(&node_rate, &edge_rate), node_rate, edge_rate)
        } else {
            (0, Vec::new(), Vec::new())
        };
        Plan {
            key,
            dense_nodes: dense(&node),
            dense_edges: dense(&edge),
            node_grow,
            edge_grow,
            node_rate,
            edge_rate,
            node,
            edge,
        }
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
        let d = Decay {
            since: vec![3, 5],
            rate: vec![0.5f64.ln(), f64::NEG_INFINITY],
        };
        assert_eq!(d.value(1.0, 0, 3), 1.0);
        assert!((d.value(1.0, 0, 7) - (1.0 + 4.0 * 0.5f64.ln())).abs() < 1e-15);
        // A zero factor: exact zero after one step, and never NaN before it.
        assert_eq!(d.value(2.0, 1, 5), 2.0);
        assert_eq!(d.value(2.0, 1, 6), f64::NEG_INFINITY);
        assert_eq!(d.value(f64::NEG_INFINITY, 1, 9), f64::NEG_INFINITY);
        // Nothing installed: the base itself.
        assert_eq!(Decay::default().value(0.25, 0, 100), 0.25);
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
