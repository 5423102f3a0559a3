//! A tiny evaluator of the gate semantics: which non-class nodes fire for an
//! input. It lets the generator's own tests and tuning measure pathway sparsity without
//! the engine.

use super::build::{Generated, Rule};

/// The firing set of one input, level by level (input level first, classes excluded).
#[derive(Clone, Debug, PartialEq)]
pub struct Firing {
    pub levels: Vec<Vec<bool>>,
}

impl Firing {
    /// Firing nodes in each level.
    pub fn counts(&self) -> Vec<usize> {
        self.levels
            .iter()
            .map(|l| l.iter().filter(|&&f| f).count())
            .collect()
    }

    /// Fraction of all non-class nodes that fire.
    pub fn fraction(&self) -> f64 {
        let total: usize = self.levels.iter().map(Vec::len).sum();
        if total == 0 {
            return 0.0;
        }
        self.counts().iter().sum::<usize>() as f64 / total as f64
    }
}

impl Generated {
    /// Fires the given input nodes (indices into level 1; out-of-range ones are ignored)
    /// and propagates level by level.
    pub fn firing(&self, inputs: &[u32]) -> Firing {
        let mut input = vec![false; self.level_widths[0]];
        for &i in inputs {
            if let Some(bit) = input.get_mut(i as usize) {
                *bit = true;
            }
        }
        let mut levels = Vec::with_capacity(self.levels.len() + 1);
        levels.push(input);
        for level in &self.levels {
            let prev = &levels[levels.len() - 1];
            let fired: Vec<bool> = (0..level.width())
                .map(|j| {
                    let children = level.children_of(j);
                    let on = children.iter().filter(|&&c| prev[c as usize]).count();
                    match level.rules[j] {
                        Rule::Any => on >= 1,
                        Rule::All => on == children.len(),
                        Rule::AtLeast(k) => on >= k as usize,
                    }
                })
                .collect();
            levels.push(fired);
        }
        Firing { levels }
    }

    /// Mean firing fraction of non-class nodes over the data samples.
    pub fn mean_firing_fraction(&self) -> f64 {
        if self.samples.is_empty() {
            return 0.0;
        }
        let sum: f64 = self
            .samples
            .iter()
            .map(|s| self.firing(&s.inputs).fraction())
            .sum();
        sum / self.samples.len() as f64
    }
}
