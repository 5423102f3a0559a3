//! Which data samples fire each node of a level, as bit sets (bit `s` = sample `s`; the
//! samples are class-major, so those of class `c` are the bits `c*n .. c*n + n` with `n`
//! samples per class).
//!
//! The generator builds a level at a time and needs, for the level below, which nodes
//! fire for which samples: to wire trackers to nodes that fire only for one class, to
//! keep level L-1 free of nodes that fire for two classes, and to wire each level-(L-1)
//! node to the class that fires it.

use super::build::{FeatureLevel, Rule};

/// The sample bit sets of every node of one level: node `j`'s set is
/// `bits[j * words .. (j + 1) * words]`.
#[derive(Clone, Debug)]
pub(super) struct Fire {
    words: usize,
    bits: Vec<u64>,
    /// Number of samples (bits in use).
    total: usize,
    /// Samples per class, to map a bit to its class.
    per_class: usize,
}

/// What one node's prototype set says about the classes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Profile {
    /// Fires for no sample.
    Silent,
    /// Fires only for samples of this class.
    Pure(u32),
    /// Fires for samples of two classes or more.
    Mixed,
}

impl Fire {
    /// The input level: input `i` fires for the samples whose pattern holds it.
    pub(super) fn inputs(patterns: &[&[u32]], width: usize, per_class: usize) -> Fire {
        let words = patterns.len().div_ceil(64).max(1);
        let mut bits = vec![0u64; width * words];
        for (p, pattern) in patterns.iter().enumerate() {
            for &i in pattern.iter() {
                bits[i as usize * words + p / 64] |= 1u64 << (p % 64);
            }
        }
        Fire {
            words,
            bits,
            total: patterns.len(),
            per_class,
        }
    }

    /// The level built on top of `self`.
    pub(super) fn next(&self, level: &FeatureLevel) -> Fire {
        let mut bits = vec![0u64; level.width() * self.words];
        let mut counts = [0u32; 64];
        for j in 0..level.width() {
            let out = &mut bits[j * self.words..(j + 1) * self.words];
            self.eval(level.rules[j], level.children_of(j), out, &mut counts);
        }
        Fire {
            words: self.words,
            bits,
            total: self.total,
            per_class: self.per_class,
        }
    }

    pub(super) fn words(&self) -> usize {
        self.words
    }

    pub(super) fn width(&self) -> usize {
        self.bits.len() / self.words
    }

    /// The sample set of node `node`.
    pub(super) fn of(&self, node: usize) -> &[u64] {
        &self.bits[node * self.words..(node + 1) * self.words]
    }

    /// The samples for which a node with this gate over these children (nodes of
    /// `self`) fires, into `out` (`words` long). `counts` is scratch space.
    pub(super) fn eval(
        &self,
        rule: Rule,
        children: &[u32],
        out: &mut [u64],
        counts: &mut [u32; 64],
    ) {
        let n = children.len();
        let k = match rule {
            Rule::Any => 1,
            Rule::All => n,
            Rule::AtLeast(k) => k as usize,
        };
        for (w, slot) in out.iter_mut().enumerate() {
            let word = |c: u32| self.bits[c as usize * self.words + w];
            *slot = if k <= 1 {
                children.iter().fold(0, |acc, &c| acc | word(c))
            } else if k >= n {
                children.iter().fold(!0, |acc, &c| acc & word(c))
            } else {
                *counts = [0; 64];
                for &c in children {
                    let mut m = word(c);
                    while m != 0 {
                        counts[m.trailing_zeros() as usize] += 1;
                        m &= m - 1;
                    }
                }
                counts
                    .iter()
                    .enumerate()
                    .filter(|&(_, &count)| count as usize >= k)
                    .fold(0, |acc, (bit, _)| acc | 1u64 << bit)
            };
        }
        // Bits past the last sample stay clear (`all` of nothing set them).
        self.clear_tail(out);
    }

    fn clear_tail(&self, out: &mut [u64]) {
        if let Some(last) = out.last_mut() {
            let used = self.total.saturating_sub((self.words - 1) * 64);
            if used < 64 {
                *last &= (1u64 << used) - 1;
            }
        }
    }

    /// The class profile of node `node`.
    pub(super) fn profile_of(&self, node: usize) -> Profile {
        self.profile(self.of(node))
    }

    /// The class profile of a sample set.
    pub(super) fn profile(&self, set: &[u64]) -> Profile {
        let k = self.per_class;
        let first = set
            .iter()
            .enumerate()
            .find(|(_, &w)| w != 0)
            .map(|(i, &w)| i * 64 + w.trailing_zeros() as usize);
        let last = set
            .iter()
            .enumerate()
            .rev()
            .find(|(_, &w)| w != 0)
            .map(|(i, &w)| i * 64 + 63 - w.leading_zeros() as usize);
        match (first, last) {
            (Some(f), Some(l)) if f / k == l / k => Profile::Pure((f / k) as u32),
            (Some(_), Some(_)) => Profile::Mixed,
            _ => Profile::Silent,
        }
    }

    /// How many samples of each class are in `set`.
    pub(super) fn class_counts(&self, set: &[u64], classes: usize) -> Vec<u32> {
        let mut counts = vec![0u32; classes];
        for (i, &w) in set.iter().enumerate() {
            let mut m = w;
            while m != 0 {
                let p = i * 64 + m.trailing_zeros() as usize;
                if let Some(c) = counts.get_mut(p / self.per_class) {
                    *c += 1;
                }
                m &= m - 1;
            }
        }
        counts
    }

    /// The bit set of the samples of class `class`.
    pub(super) fn class_set(&self, class: usize) -> Vec<u64> {
        self.range_set(class * self.per_class, (class + 1) * self.per_class)
    }

    /// The bit set of the samples `from..to`.
    pub(super) fn range_set(&self, from: usize, to: usize) -> Vec<u64> {
        let mut set = vec![0u64; self.words];
        for p in from..to.min(self.total) {
            set[p / 64] |= 1u64 << (p % 64);
        }
        set
    }
}
