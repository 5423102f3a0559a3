//! The rules of a step in the log domain: update operations (`LnOp`), a phase's rules
//! compiled per node and edge (`Rules`), and what a phase holds fixed (`Freeze`). A leaf
//! of the engine: the state, the lazy tables and the trainer all build on it.

use rand::Rng;
use rand_distr::StandardNormal;

use super::numeric::{ln_add, ln_sub_floor};
use crate::ir::{Entry, Ir, PerEntry, Phase, RuleSet, Update};

/// An update function in the log domain.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum LnOp {
    /// `mul a`: `ln x += ln a` (jittered when the rules say so).
    Mul {
        /// `ln a`.
        ln_factor: f64,
    },
    /// `add c`, with `ln c`.
    Add {
        /// `ln c`.
        ln_amount: f64,
    },
    /// `sub c` floored at 0, with `ln c`.
    Sub {
        /// `ln c`.
        ln_amount: f64,
    },
    /// `keep`: unchanged.
    Keep,
    /// `mul a by error`: `ln x += e ln a` for the step's mean error `e` (see `at_error`).
    MulByError {
        /// `ln a`.
        ln_factor: f64,
    },
    /// `add c by error`: `add e c`, with `ln c`.
    AddByError {
        /// `ln c`.
        ln_amount: f64,
    },
    /// `sub c by error`: `sub e c` floored at 0, with `ln c`.
    SubByError {
        /// `ln c`.
        ln_amount: f64,
    },
}

impl From<Update> for LnOp {
    fn from(u: Update) -> LnOp {
        match u {
            Update::Mul { factor } => LnOp::Mul {
                ln_factor: factor.ln(),
            },
            Update::Add { amount } => LnOp::Add {
                ln_amount: amount.ln(),
            },
            Update::Sub { amount } => LnOp::Sub {
                ln_amount: amount.ln(),
            },
            Update::Keep => LnOp::Keep,
            Update::MulByError { factor } => LnOp::MulByError {
                ln_factor: factor.ln(),
            },
            Update::AddByError { amount } => LnOp::AddByError {
                ln_amount: amount.ln(),
            },
            Update::SubByError { amount } => LnOp::SubByError {
                ln_amount: amount.ln(),
            },
        }
    }
}

impl Entry for LnOp {
    fn bits(&self) -> [u64; 3] {
        match *self {
            LnOp::Mul { ln_factor } => [0, ln_factor.to_bits(), 0],
            LnOp::Add { ln_amount } => [1, ln_amount.to_bits(), 0],
            LnOp::Sub { ln_amount } => [2, ln_amount.to_bits(), 0],
            LnOp::Keep => [3, 0, 0],
            LnOp::MulByError { ln_factor } => [4, ln_factor.to_bits(), 0],
            LnOp::AddByError { ln_amount } => [5, ln_amount.to_bits(), 0],
            LnOp::SubByError { ln_amount } => [6, ln_amount.to_bits(), 0],
        }
    }
}

impl LnOp {
    /// Whether the step is scaled by the batch's error.
    pub fn by_error(self) -> bool {
        matches!(
            self,
            LnOp::MulByError { .. } | LnOp::AddByError { .. } | LnOp::SubByError { .. }
        )
    }

    /// The plain operation of a step whose batch has mean error `e` (in [0, 1]):
    /// `mul a by error` is `mul a^e`, `add c by error` / `sub c by error` are `add e c` /
    /// `sub e c`; other operations are themselves. With `e = 0` an error-driven
    /// step changes nothing (also for `mul 0 by error`: `0^0 = 1`), but stays a `mul`,
    /// so a jittered one still draws its factor.
    #[inline]
    pub fn at_error(self, e: f64) -> LnOp {
        match self {
            LnOp::MulByError { ln_factor } => LnOp::Mul {
                ln_factor: if e == 0.0 { 0.0 } else { e * ln_factor },
            },
            LnOp::AddByError { ln_amount } => LnOp::Add {
                ln_amount: e.ln() + ln_amount,
            },
            LnOp::SubByError { ln_amount } => LnOp::Sub {
                ln_amount: e.ln() + ln_amount,
            },
            other => other,
        }
    }

    /// Applies the update to `ln x`. Only `mul` is jittered; each jittered
    /// application draws its own `N(0,1)` from the run's stream.
    #[inline]
    pub(crate) fn apply<R: Rng + ?Sized>(self, x: f64, jitter: f64, rng: &mut R) -> f64 {
        match self {
            LnOp::Mul { ln_factor } => {
                if jitter > 0.0 {
                    let z: f64 = rng.sample(StandardNormal);
                    x + (ln_factor + jitter * z)
                } else {
                    x + ln_factor
                }
            }
            LnOp::Add { ln_amount } => ln_add(x, ln_amount),
            LnOp::Sub { ln_amount } => ln_sub_floor(x, ln_amount),
            LnOp::Keep => x,
            // A step resolves these with `at_error` first; unresolved, the error is 1.
            op @ (LnOp::MulByError { .. } | LnOp::AddByError { .. } | LnOp::SubByError { .. }) => {
                op.at_error(1.0).apply(x, jitter, rng)
            }
        }
    }

    /// `apply` without jitter: the same value, and no random stream needed.
    #[inline]
    pub(crate) fn apply_exact(self, x: f64) -> f64 {
        match self {
            LnOp::Mul { ln_factor } => x + ln_factor,
            LnOp::Add { ln_amount } => ln_add(x, ln_amount),
            LnOp::Sub { ln_amount } => ln_sub_floor(x, ln_amount),
            LnOp::Keep => x,
            op @ (LnOp::MulByError { .. } | LnOp::AddByError { .. } | LnOp::SubByError { .. }) => {
                op.at_error(1.0).apply_exact(x)
            }
        }
    }
}

/// A `RuleSet` turned into log-domain operations, ready for many steps.
#[derive(Clone, Debug, PartialEq)]
pub struct Rules {
    /// `g+` per node.
    pub grow: PerEntry<LnOp>,
    /// `g-` per node.
    pub shrink: PerEntry<LnOp>,
    /// `g+` per class edge.
    pub grow_eta: PerEntry<LnOp>,
    /// `g-` per class edge.
    pub shrink_eta: PerEntry<LnOp>,
    /// `s` in `factor * exp(s * N(0,1))`; 0 means deterministic.
    pub jitter: f64,
    /// Some rule is error-driven: a step computes its batch's mean error.
    pub by_error: bool,
}

impl Rules {
    /// The rules of `rules`, in the log domain.
    pub fn new(rules: &RuleSet) -> Rules {
        let conv = |v: &PerEntry<Update>| v.map(LnOp::from);
        let by_error = [
            &rules.grow,
            &rules.shrink,
            &rules.grow_eta,
            &rules.shrink_eta,
        ]
        .iter()
        .any(|v| v.distinct().iter().any(Update::by_error));
        Rules {
            grow: conv(&rules.grow),
            shrink: conv(&rules.shrink),
            grow_eta: conv(&rules.grow_eta),
            shrink_eta: conv(&rules.shrink_eta),
            jitter: if rules.jitter.is_finite() && rules.jitter > 0.0 {
                rules.jitter
            } else {
                0.0
            },
            by_error,
        }
    }

    /// The same rules without jitter (the local-elasticity step).
    pub fn without_jitter(mut self) -> Rules {
        self.jitter = 0.0;
        self
    }
}

/// What a step may not change.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Freeze {
    /// `levels[l]`: feature level `l`'s lambda is held fixed.
    pub levels: Vec<bool>,
    /// Every `eta` is held fixed.
    pub eta: bool,
}

impl Freeze {
    /// Nothing frozen.
    pub fn none(ir: &Ir) -> Freeze {
        Freeze {
            levels: vec![false; ir.levels.len()],
            eta: false,
        }
    }

    /// What `phase` freezes.
    pub fn of_phase(phase: &Phase) -> Freeze {
        Freeze {
            levels: phase.frozen_levels.clone(),
            eta: phase.freeze_eta,
        }
    }

    /// Whether level `level`'s lambda is held fixed.
    pub fn level(&self, level: u32) -> bool {
        self.levels.get(level as usize).copied().unwrap_or(false)
    }
}
