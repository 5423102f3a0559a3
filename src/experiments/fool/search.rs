//! The smallest fooling pattern of a class: the fooling input (see `fool`) classified as
//! that class with the fewest firing inputs.
//!
//! The search is a randomised local search with restarts. Each restart finds a starting
//! fooling pattern (the all-on pattern first, then random patterns of random density), then
//! alternates two moves until its budget is spent: *prune* (drop a firing input while the
//! pattern still fools, in random order) and, when no input can be dropped, *swap* (replace a
//! firing input by a silent one, staying a fooling pattern, never revisiting a pattern) to
//! leave a plateau. The best pattern over restarts wins (fewest inputs, then the lowest ids).
//! It is a heuristic; [`brute_force_smallest`] gives the exact answer for small inputs and
//! the tests check that the search reaches it.

use std::collections::HashSet;

use rand::seq::SliceRandom;
use rand::Rng;
use serde::{Deserialize, Serialize};

use super::{Bits, FoolCriteria, Fooler};
use crate::ir::NodeId;

/// Budget of the search.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SearchBudget {
    /// Independent restarts.
    pub restarts: usize,
    /// Random patterns tried per restart to find a starting fooling pattern.
    pub start_tries: usize,
    /// Swaps allowed per restart.
    pub swaps: usize,
}

impl Default for SearchBudget {
    fn default() -> Self {
        SearchBudget {
            restarts: 20,
            start_tries: 2000,
            swaps: 200,
        }
    }
}

/// The smallest fooling pattern found for one class.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Smallest {
    /// The class.
    pub class: usize,
    /// Firing input ids, ascending; `None` when no fooling pattern of this class was found.
    pub pattern: Option<Vec<NodeId>>,
    /// Probability of the class for that pattern.
    pub p: Option<f64>,
    /// Its Hamming distance to the nearest training pattern (`None` without data).
    pub distance: Option<usize>,
    /// Patterns evaluated.
    pub evaluations: u64,
}

impl Smallest {
    /// How many inputs fire in the pattern (`None` when none was found).
    pub fn size(&self) -> Option<usize> {
        self.pattern.as_ref().map(Vec::len)
    }

    /// Whether this can be a search's result over `n_inputs` inputs under `criteria` (a
    /// shard file read back): ascending input ids in range, a probability in
    /// `[threshold, 1]` and a distance of at least the minimum when a pattern was found.
    pub fn check(&self, n_inputs: usize, criteria: &FoolCriteria) -> Result<(), String> {
        let Some(pattern) = &self.pattern else {
            return if self.p.is_some() || self.distance.is_some() {
                Err("a search that found nothing reports a probability or distance".into())
            } else {
                Ok(())
            };
        };
        if pattern.windows(2).any(|w| w[0] >= w[1])
            || pattern.last().is_some_and(|&i| i as usize >= n_inputs)
        {
            return Err("the pattern's input ids are not ascending ids of level-1 nodes".into());
        }
        match self.p {
            Some(p) if (criteria.threshold..=1.0).contains(&p) => {}
            _ => return Err("the pattern's probability is not a fooling probability".into()),
        }
        if self
            .distance
            .is_some_and(|d| d < criteria.min_distance || d > n_inputs)
        {
            return Err("the pattern's distance to the data is out of range".into());
        }
        Ok(())
    }
}

/// Whether `a` beats `b`: fewer inputs, then lower ids.
fn better(a: &Bits, b: &Bits) -> bool {
    let (ca, cb) = (a.count(), b.count());
    ca < cb || (ca == cb && a.ids() < b.ids())
}

/// The randomised search for `class` (see the module comment).
pub fn search_smallest(
    fooler: &mut Fooler,
    class: usize,
    budget: SearchBudget,
    rng: &mut impl Rng,
) -> Smallest {
    let mut evaluations = 0u64;
    let mut best: Option<Bits> = None;
    for restart in 0..budget.restarts {
        let Some(start) = find_start(fooler, class, budget, restart == 0, rng, &mut evaluations)
        else {
            continue;
        };
        let found = descend(fooler, class, start, budget.swaps, rng, &mut evaluations);
        if best.as_ref().is_none_or(|b| better(&found, b)) {
            best = Some(found);
        }
        if best.as_ref().is_some_and(|b| b.count() == 0) {
            break;
        }
    }
    finish(fooler, class, best, evaluations)
}

fn finish(fooler: &mut Fooler, class: usize, best: Option<Bits>, evaluations: u64) -> Smallest {
    match best {
        Some(bits) => {
            let p = fooler.fools_into(&bits, class);
            Smallest {
                class,
                distance: fooler.distance(&bits),
                pattern: Some(bits.ids()),
                p,
                evaluations,
            }
        }
        None => Smallest {
            class,
            pattern: None,
            p: None,
            distance: None,
            evaluations,
        },
    }
}

fn find_start(
    fooler: &mut Fooler,
    class: usize,
    budget: SearchBudget,
    try_all_on: bool,
    rng: &mut impl Rng,
    evaluations: &mut u64,
) -> Option<Bits> {
    let n = fooler.n_inputs();
    if try_all_on {
        let all = Bits::random(n, 1.0, rng);
        *evaluations += 1;
        if fooler.fools_into(&all, class).is_some() {
            return Some(all);
        }
    }
    for _ in 0..budget.start_tries {
        let density: f64 = rng.gen();
        let bits = Bits::random(n, density, rng);
        *evaluations += 1;
        if fooler.fools_into(&bits, class).is_some() {
            return Some(bits);
        }
    }
    None
}

/// Prune and swap from a fooling pattern; returns the smallest fooling pattern visited.
fn descend(
    fooler: &mut Fooler,
    class: usize,
    start: Bits,
    max_swaps: usize,
    rng: &mut impl Rng,
    evaluations: &mut u64,
) -> Bits {
    let n = fooler.n_inputs();
    let mut current = start;
    let mut best = current.clone();
    let mut visited: HashSet<Bits> = HashSet::new();
    visited.insert(current.clone());
    let mut swaps = 0;
    loop {
        // Prune: drop inputs (random order) as long as the pattern keeps fooling.
        let mut order = current.ids();
        order.shuffle(rng);
        for i in order {
            let mut next = current.clone();
            next.set(i as usize, false);
            *evaluations += 1;
            if fooler.fools_into(&next, class).is_some() {
                visited.insert(next.clone());
                current = next;
            }
        }
        if better(&current, &best) {
            best = current.clone();
        }
        if swaps >= max_swaps {
            return best;
        }
        // Swap: move to an unvisited fooling pattern of the same size.
        let mut on = current.ids();
        let mut off: Vec<NodeId> = (0..n as NodeId)
            .filter(|&i| !current.get(i as usize))
            .collect();
        on.shuffle(rng);
        off.shuffle(rng);
        let mut moved = false;
        'pairs: for &i in &on {
            for &j in &off {
                let mut next = current.clone();
                next.set(i as usize, false);
                next.set(j as usize, true);
                if visited.contains(&next) {
                    continue;
                }
                visited.insert(next.clone());
                *evaluations += 1;
                if fooler.fools_into(&next, class).is_some() {
                    current = next;
                    moved = true;
                    break 'pairs;
                }
            }
        }
        swaps += 1;
        if !moved {
            return best;
        }
    }
}

/// The exact smallest fooling pattern of `class` by enumerating patterns in order of size
/// (for `n <= 24` inputs; `None` beyond). Ties go to the lowest ids, as in the search.
pub fn brute_force_smallest(fooler: &mut Fooler, class: usize) -> Option<Smallest> {
    let n = fooler.n_inputs();
    if n > 24 {
        return None;
    }
    let mut evaluations = 0u64;
    let mut best: Option<Bits> = None;
    for code in 0..(1u64 << n) {
        let bits = Bits::from_code(n, code);
        if best.as_ref().is_some_and(|b| !better(&bits, b)) {
            continue;
        }
        evaluations += 1;
        if fooler.fools_into(&bits, class).is_some() {
            best = Some(bits);
        }
    }
    Some(finish(fooler, class, best, evaluations))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::testing::fig1;
    use crate::engine::{Model, State};
    use crate::experiments::fool::FoolCriteria;
    use rand::SeedableRng;

    #[test]
    fn search_reaches_the_brute_force_minimum_on_fig1() {
        let ir = fig1();
        let model = Model::new(&ir);
        let state = State::new(&ir, 0);
        for threshold in [0.5, 0.9, 0.95] {
            let criteria = FoolCriteria {
                min_distance: 2,
                threshold,
            };
            let mut fooler = Fooler::new(&model, &state, criteria);
            for class in 0..3 {
                let exact = brute_force_smallest(&mut fooler, class).unwrap();
                let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(class as u64);
                let found = search_smallest(&mut fooler, class, SearchBudget::default(), &mut rng);
                assert_eq!(found.size(), exact.size(), "class {class} at {threshold}");
                if let Some(pattern) = &found.pattern {
                    let bits = Bits::from_ids(7, pattern);
                    assert!(fooler.fools_into(&bits, class).is_some());
                }
            }
        }
    }
}
