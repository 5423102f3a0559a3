//! Steps that rounding loses. Values are kept as their natural logarithms, and a `mul b`
//! rule adds `ln b` to the log at each step; where the log is large, that addition can be
//! smaller than half the spacing of floats there and vanish: `lognormal(1e16, 0)` then
//! `mul 1.1` leaves `ln lambda` at exactly 1e16 after any number of steps. The checker
//! warns where an initial value and a rule meet like this (the engine keeps plain sums).

use super::init::ResolvedInit;
use super::{messages, Ctx};
use crate::ir::{Dist, PerEntry, RuleSet, Train, Update};
use crate::syntax::ast::Span;

/// One warning per init statement whose values some `mul` rule cannot move (the first
/// such rule in file order: the file's rules, then each phase's).
pub fn warn_lost_to_rounding(
    ctx: &mut Ctx,
    init: &ResolvedInit,
    file: &RuleSet,
    train: Option<&Train>,
) {
    let sets: Vec<&RuleSet> = std::iter::once(file)
        .chain(
            train
                .into_iter()
                .flat_map(|t| t.phases.iter().map(|p| &p.rules)),
        )
        .collect();
    type Rules = fn(&RuleSet) -> [&PerEntry<Update>; 2];
    let node_rules: Rules = |set| [&set.grow, &set.shrink];
    let edge_rules: Rules = |set| [&set.grow_eta, &set.shrink_eta];
    let mut warned: Vec<Span> = Vec::new();
    for (what, dists, sources, rules) in [
        ("lambda", &init.init.lambda, &init.lambda_source, node_rules),
        ("eta", &init.init.eta, &init.eta_source, edge_rules),
    ] {
        for (id, (dist, span)) in dists.iter().zip(sources.iter()).enumerate() {
            let Some(span) = span else {
                // The default start, 1, has log 0: every step shows.
                continue;
            };
            if warned.contains(&span) {
                continue;
            }
            let Some(ln) = typical_ln(dist) else {
                continue;
            };
            let lost = sets
                .iter()
                .flat_map(|set| rules(set))
                .filter_map(|rule| match rule.get(id)? {
                    Update::Mul { factor } | Update::MulByError { factor } => Some(*factor),
                    _ => None,
                })
                .find(|&factor| is_lost(ln, factor));
            if let Some(factor) = lost {
                warned.push(span);
                ctx.push(messages::lost_to_rounding(what, ln, factor, span));
            }
        }
    }
}

/// The log a value drawn from `dist` starts near, when it is finite: the constant's log,
/// `mu` of `lognormal`, the log of the largest likely draw otherwise.
fn typical_ln(dist: &Dist) -> Option<f64> {
    let ln = match *dist {
        Dist::Const { value } => value.ln(),
        Dist::LogNormal { mu, .. } => mu,
        Dist::Uniform { b, .. } => b.ln(),
        Dist::Normal { mu, sigma } => (mu.abs() + 3.0 * sigma).ln(),
    };
    ln.is_finite().then_some(ln)
}

/// Whether adding `ln factor` to `ln` leaves it unchanged (a factor of exactly 1, or 0,
/// changes nothing on purpose, or everything).
fn is_lost(ln: f64, factor: f64) -> bool {
    let step = factor.ln();
    step != 0.0 && step.is_finite() && ln + step == ln
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn steps_below_half_the_spacing_are_lost() {
        assert!(is_lost(1e16, 1.1));
        assert!(!is_lost(1e15, 1.1));
        assert!(!is_lost(1e16, 1.0));
        assert!(!is_lost(1e16, 0.0));
        assert!(is_lost(700.0, 1.0 + 1e-14));
        assert!(!is_lost(0.0, 1.0 + 1e-14));
        assert_eq!(messages::half_spacing(1e16), 1.0);
        assert_eq!(
            typical_ln(&Dist::LogNormal {
                mu: 1e16,
                sigma: 0.0
            }),
            Some(1e16)
        );
        assert_eq!(typical_ln(&Dist::Const { value: 0.0 }), None);
    }
}
