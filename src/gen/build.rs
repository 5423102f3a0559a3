//! The structure of a generated model: gates of each middle level, parents of each class.
//!
//! Dead nodes are avoided by construction: before children are drawn at random, every
//! node of the preceding level is dealt to one randomly chosen free child slot of the
//! level being built (as long as there are at least as many slots as nodes), and every
//! node of level L-1 is dealt to one class.

use rand::seq::SliceRandom;
use rand::Rng;
use rand_chacha::ChaCha8Rng;

use super::data::{self, GenSample};
use super::params::{GenParams, RuleMix};

/// Stream numbers of the one seeded generator, one per independent part.
pub(super) const STREAM_STRUCTURE: u64 = 0;
pub(super) const STREAM_PROTOTYPES: u64 = 1;
pub(super) const STREAM_SAMPLES: u64 = 2;

pub(super) fn rng_for(seed: u64, stream: u64) -> ChaCha8Rng {
    use rand::SeedableRng;
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    rng.set_stream(stream);
    rng
}

/// The gate of one middle node.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Rule {
    Any,
    All,
    /// `atleast k of (...)`, `1 <= k <= number of children`.
    AtLeast(u32),
}

/// One middle level, stored compactly: node `j`'s children (indices into the preceding
/// level, ascending) are `children[offsets[j]..offsets[j + 1]]`.
#[derive(Clone, Debug, PartialEq)]
pub struct FeatureLevel {
    pub rules: Vec<Rule>,
    pub offsets: Vec<usize>,
    pub children: Vec<u32>,
}

impl FeatureLevel {
    pub fn width(&self) -> usize {
        self.rules.len()
    }
    pub fn children_of(&self, node: usize) -> &[u32] {
        &self.children[self.offsets[node]..self.offsets[node + 1]]
    }
}

/// A generated model with its data, ready to render (`to_nshed`) or evaluate (`firing`).
#[derive(Clone, Debug, PartialEq)]
pub struct Generated {
    pub params: GenParams,
    /// Width of every level, input level first, classes last.
    pub level_widths: Vec<usize>,
    /// Levels 2..L-1.
    pub levels: Vec<FeatureLevel>,
    /// Class `c`'s parents (indices into level L-1, ascending) are
    /// `class_parents[class_offsets[c]..class_offsets[c + 1]]`.
    pub class_offsets: Vec<usize>,
    pub class_parents: Vec<u32>,
    /// Prototype `c * K + k` is the `k`-th pattern of class `c`: ascending input indices.
    pub prototypes: Vec<Vec<u32>>,
    pub samples: Vec<GenSample>,
}

impl Generated {
    pub fn parents_of(&self, class: usize) -> &[u32] {
        &self.class_parents[self.class_offsets[class]..self.class_offsets[class + 1]]
    }
}

/// Builds from parameters that `validate` accepted.
pub(super) fn build_validated(params: &GenParams) -> Generated {
    let level_widths = params.level_widths();
    let mut rng = rng_for(params.seed, STREAM_STRUCTURE);
    let n_levels = level_widths.len();
    let mut levels = Vec::with_capacity(n_levels.saturating_sub(2));
    for i in 1..n_levels - 1 {
        levels.push(build_level(
            &mut rng,
            level_widths[i - 1],
            level_widths[i],
            params.fan_in,
            &params.mix,
        ));
    }
    let (class_offsets, class_parents) =
        build_classes(&mut rng, level_widths[n_levels - 2], params.classes);
    let prototypes = data::prototypes(params);
    let samples = data::samples(params, &prototypes);
    Generated {
        params: params.clone(),
        level_widths,
        levels,
        class_offsets,
        class_parents,
        prototypes,
        samples,
    }
}

fn build_level(
    rng: &mut ChaCha8Rng,
    prev_width: usize,
    width: usize,
    (lo, hi): (usize, usize),
    mix: &RuleMix,
) -> FeatureLevel {
    let hi = hi.min(prev_width);
    let mut offsets = Vec::with_capacity(width + 1);
    offsets.push(0usize);
    for _ in 0..width {
        let k = rng.gen_range(lo..=hi);
        offsets.push(offsets[offsets.len() - 1] + k);
    }
    let total = offsets[width];
    // `owner[t]` is the node that child slot `t` belongs to; slots are filled from the
    // front, `fill[j]` says how many of node j's slots are taken.
    let mut fill = vec![0u32; width];
    let mut children = vec![0u32; total];

    // Coverage: deal the preceding level's nodes to random distinct slots (a partial
    // Fisher-Yates shuffle of the slot list), so each is somebody's child.
    let dealt = prev_width.min(total);
    let mut slot_owner: Vec<u32> = Vec::with_capacity(total);
    for (j, w) in offsets.windows(2).enumerate() {
        slot_owner.extend(std::iter::repeat_n(j as u32, w[1] - w[0]));
    }
    // Shuffle the order of previous-level nodes too, so that which node lands where is random
    // even when only some of them can be dealt.
    let mut prev_order: Vec<u32> = (0..prev_width as u32).collect();
    if dealt < prev_width {
        prev_order.shuffle(rng);
    }
    for (t, &p) in prev_order.iter().enumerate().take(dealt) {
        let pick = rng.gen_range(t..total);
        slot_owner.swap(t, pick);
        let j = slot_owner[t] as usize;
        children[offsets[j] + fill[j] as usize] = p;
        fill[j] += 1;
    }
    drop(slot_owner);

    // Fill the remaining slots with random distinct children. `stamp[p] == j + 1` marks
    // p as already a child of node j: O(1) duplicate test without clearing per node.
    let mut stamp = vec![0u32; prev_width];
    let mut rules = Vec::with_capacity(width);
    for j in 0..width {
        let start = offsets[j];
        let k = offsets[j + 1] - start;
        let mark = j as u32 + 1;
        let have = fill[j] as usize;
        for &c in &children[start..start + have] {
            stamp[c as usize] = mark;
        }
        let missing = k - have;
        if missing > 0 {
            if 2 * k > prev_width {
                // Dense: most of the preceding level is chosen; shuffle the unused ones.
                let mut free: Vec<u32> = (0..prev_width as u32)
                    .filter(|&p| stamp[p as usize] != mark)
                    .collect();
                let (picked, _) = free.partial_shuffle(rng, missing);
                children[start + have..start + k].copy_from_slice(picked);
            } else {
                // Sparse: rejection sampling terminates quickly (at most half are taken).
                let mut at = start + have;
                while at < start + k {
                    let p = rng.gen_range(0..prev_width);
                    if stamp[p] != mark {
                        stamp[p] = mark;
                        children[at] = p as u32;
                        at += 1;
                    }
                }
            }
        }
        children[start..start + k].sort_unstable();
        rules.push(draw_rule(rng, mix, k));
    }
    FeatureLevel {
        rules,
        offsets,
        children,
    }
}

/// Draws a gate kind by the mix weights; an `atleast` threshold is a genuine threshold
/// (strictly between `any` and `all`) whenever the node has 3 or more children.
fn draw_rule(rng: &mut ChaCha8Rng, mix: &RuleMix, n_children: usize) -> Rule {
    let total = mix.any + mix.all + mix.atleast;
    let x = rng.gen::<f64>() * total;
    if x < mix.any {
        Rule::Any
    } else if x < mix.any + mix.all || mix.atleast <= 0.0 {
        Rule::All
    } else {
        let n = n_children as u32;
        let k = if n >= 3 {
            rng.gen_range(2..n)
        } else {
            rng.gen_range(1..=n)
        };
        Rule::AtLeast(k)
    }
}

/// Deals the nodes of level L-1 out to the classes (balanced, random), then gives any
/// class left without a parent (fewer nodes than classes) one random parent.
fn build_classes(
    rng: &mut ChaCha8Rng,
    prev_width: usize,
    classes: usize,
) -> (Vec<usize>, Vec<u32>) {
    let mut owner: Vec<u32> = (0..prev_width).map(|p| (p % classes) as u32).collect();
    owner.shuffle(rng);
    let mut extra: Vec<u32> = vec![u32::MAX; classes];
    for slot in extra.iter_mut().skip(prev_width) {
        *slot = rng.gen_range(0..prev_width) as u32;
    }
    let mut counts = vec![0usize; classes];
    for &c in &owner {
        counts[c as usize] += 1;
    }
    for (c, &e) in extra.iter().enumerate() {
        if e != u32::MAX {
            counts[c] += 1;
        }
    }
    let mut offsets = Vec::with_capacity(classes + 1);
    offsets.push(0usize);
    for c in 0..classes {
        offsets.push(offsets[c] + counts[c]);
    }
    let mut parents = vec![0u32; offsets[classes]];
    let mut next: Vec<usize> = offsets[..classes].to_vec();
    // Visiting parents in ascending order keeps each class's list sorted.
    for (p, &c) in owner.iter().enumerate() {
        let c = c as usize;
        parents[next[c]] = p as u32;
        next[c] += 1;
    }
    for (c, &e) in extra.iter().enumerate() {
        if e != u32::MAX {
            parents[next[c]] = e;
            next[c] += 1;
        }
    }
    (offsets, parents)
}
