//! The rules of a step in the log domain: update operations (`LnOp`), a phase's rules
//! compiled per node and edge (`Rules`), and what a phase holds fixed (`Freeze`). A leaf
//! of the engine: the state, the lazy tables and the trainer all build on it.

use rand::Rng;
use rand_distr::StandardNormal;

use super::numeric::{ln_add, ln_sub_floor};
use crate::ir::{Ir, Phase, RuleSet, Update};

/// An update function in the log domain.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum LnOp {
    /// `mul a`: `ln x += ln a` (jittered when the rules say so).
    Mul {
        ln_factor: f64,
    },
    /// `add c`, with `ln c`.
    Add {
        ln_amount: f64,
    },
    /// `sub c` floored at 0, with `ln c`.
    Sub {
        ln_amount: f64,
    },
    Keep,
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
        }
    }
}

impl LnOp {
    /// Applies the update to `ln x`. Only `mul` is jittered (SPEC 10); each jittered
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
        }
    }
}

/// A `RuleSet` turned into log-domain operations, ready for many steps.
#[derive(Clone, Debug, PartialEq)]
pub struct Rules {
    pub grow: Vec<LnOp>,
    pub shrink: Vec<LnOp>,
    pub grow_eta: Vec<LnOp>,
    pub shrink_eta: Vec<LnOp>,
    pub jitter: f64,
}

impl Rules {
    pub fn new(rules: &RuleSet) -> Rules {
        let conv = |v: &[Update]| v.iter().map(|&u| LnOp::from(u)).collect();
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
        }
    }

    /// The same rules without jitter (the local-elasticity step, SPEC 10).
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
    pub fn none(ir: &Ir) -> Freeze {
        Freeze {
            levels: vec![false; ir.levels.len()],
            eta: false,
        }
    }

    pub fn of_phase(phase: &Phase) -> Freeze {
        Freeze {
            levels: phase.frozen_levels.clone(),
            eta: phase.freeze_eta,
        }
    }
}
