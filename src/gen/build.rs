//! The structure of a generated model: gates of each middle level, parents of each class.
//!
//! Levels are built bottom-up, each knowing which data samples fire each node of the level
//! below (`fire::Fire`), so that the model classifies its data:
//!
//! * **Trackers.** A few nodes of every level (`t` per class, `t = width / 4C` clamped to
//!   1..=3, at most half the level) are wired so that every sample keeps a pathway that
//!   stays within its class: in level 2, `atleast n-1 of` n inputs of one prototype; above,
//!   `any` of nodes that fire only for samples of one class, chosen to cover them all.
//! * **Random nodes.** The others are drawn at random: fan-in in the range, gate by the
//!   mix, random distinct children.
//! * **Level L-1 fires within a class.** A node of level L-1 that fires for samples of two
//!   classes gets a stricter threshold, or has children swapped for nodes that fire only
//!   for its majority class, until it does not.
//! * **Classes from the data.** Each level-(L-1) node feeds the class whose samples fire
//!   it; nodes that fire for no sample are dealt to the classes with the fewest parents.
//!
//! So a sample of class `c` fires parents of `c` only, and the prediction of every sample
//! that reaches level L-1 is its label, before and after training (training moves the
//! probabilities, not the argmax). Dead nodes are avoided by construction: every node of
//! the preceding level that no tracker uses is dealt to one randomly chosen free child
//! slot of the other nodes (as long as there are at least as many slots as nodes; trackers
//! give way when that makes enough, and all stay when nothing would: a level that narrow
//! leaves nodes below it dead whatever it does), purification never removes a node's last parent, and
//! every node of level L-1 feeds a class.

use rand::seq::SliceRandom;
use rand::Rng;
use rand_chacha::ChaCha8Rng;

use super::data::{self, GenSample};
use super::fire::{Fire, Profile};
use super::given::GivenNames;
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
    /// Names and data file when the levels were wired from given data (`build_on`);
    /// `None` for generated data (inputs `x0..`, classes `c0..`, inline samples).
    pub given: Option<GivenNames>,
}

impl Generated {
    pub fn parents_of(&self, class: usize) -> &[u32] {
        &self.class_parents[self.class_offsets[class]..self.class_offsets[class + 1]]
    }
}

/// Builds from parameters that `validate` accepted.
pub(super) fn build_validated(params: &GenParams) -> Generated {
    let prototypes = data::prototypes(params);
    let samples = data::samples(params, &prototypes);
    build_from(params, prototypes, samples, None)
}

/// Builds the levels from validated parameters and data laid out class by class, the same
/// number of samples (`prototypes_per_class * samples_per_prototype`) in each class.
pub(super) fn build_from(
    params: &GenParams,
    prototypes: Vec<Vec<u32>>,
    samples: Vec<GenSample>,
    given: Option<GivenNames>,
) -> Generated {
    let level_widths = params.level_widths();
    let mut rng = rng_for(params.seed, STREAM_STRUCTURE);
    let n_levels = level_widths.len();
    let patterns: Vec<&[u32]> = samples.iter().map(|s| s.inputs.as_slice()).collect();
    let per_class = params.prototypes_per_class * params.samples_per_prototype;
    let mut fire = Fire::inputs(&patterns, level_widths[0], per_class);
    drop(patterns);
    let mut levels = Vec::with_capacity(n_levels.saturating_sub(2));
    for (i, &width) in level_widths.iter().enumerate().take(n_levels - 1).skip(1) {
        let plan = LevelPlan {
            prev: &fire,
            prototypes: &prototypes,
            samples: &samples,
            width,
            fan_in: params.fan_in,
            mix: &params.mix,
            classes: params.classes,
            per_class: params.prototypes_per_class,
            per_prototype: params.samples_per_prototype,
            first: i == 1,
            top: i == n_levels - 2,
        };
        let level = build_level(&mut rng, &plan);
        fire = fire.next(&level);
        levels.push(level);
    }
    let (class_offsets, class_parents) = build_classes(&mut rng, &fire, params.classes);
    Generated {
        params: params.clone(),
        level_widths,
        levels,
        class_offsets,
        class_parents,
        prototypes,
        samples,
        given,
    }
}

/// What building one middle level needs to know.
struct LevelPlan<'a> {
    /// Which data samples fire each node of the level below.
    prev: &'a Fire,
    prototypes: &'a [Vec<u32>],
    samples: &'a [GenSample],
    width: usize,
    fan_in: (usize, usize),
    mix: &'a RuleMix,
    classes: usize,
    /// Prototypes per class.
    per_class: usize,
    /// Samples made from each prototype (the samples of prototype `p` are the bits
    /// `p*n .. p*n + n` of a sample set).
    per_prototype: usize,
    /// The level below is the input level (level 2 is being built).
    first: bool,
    /// This is level L-1, whose nodes feed the classes.
    top: bool,
}

/// What a tracker must fire for.
struct Target<'a> {
    class: usize,
    /// Level 2: the inputs it draws its children from (a prototype's or a sample's).
    pattern: &'a [u32],
    /// The samples (of its class) it should fire for.
    want: Vec<u64>,
}

/// How many trackers a level may have beyond the planned ones (to cover samples that
/// those miss): a quarter of the level, at least one.
fn repair_budget(width: usize) -> usize {
    (width / 4).max(1)
}

/// The planned trackers of a level, classes interleaved so that a cut keeps them
/// balanced: `t` per class, `t = width / 4C` clamped to 1..=3; in level 2 they follow the
/// prototypes (at least one each). At most half the level, or one per prototype (level
/// 2) or class when that is more, and never more than the level.
fn tracker_targets<'a>(plan: &LevelPlan<'a>) -> Vec<Target<'a>> {
    let (c, k) = (plan.classes, plan.per_class);
    let t = (plan.width / (4 * c)).clamp(1, 3);
    let per_class = if plan.first { t.max(k) } else { t };
    let needed = if plan.first { c * k } else { c };
    let cap = (plan.width / 2).max(needed).min(plan.width);
    let mut out = Vec::new();
    for r in 0..per_class {
        for class in 0..c {
            if out.len() == cap {
                return out;
            }
            out.push(if plan.first {
                let proto = class * k + r % k;
                Target {
                    class,
                    pattern: &plan.prototypes[proto],
                    want: plan
                        .prev
                        .range_set(proto * plan.per_prototype, (proto + 1) * plan.per_prototype),
                }
            } else {
                Target {
                    class,
                    pattern: &[],
                    want: plan.prev.class_set(class),
                }
            });
        }
    }
    out
}

/// The gate that fires when at least `k` of `n` children fire, among the kinds the mix
/// allows (a stricter one when the wanted kind has weight 0).
fn gate_for(k: usize, n: usize, mix: &RuleMix) -> Rule {
    let k = k.clamp(1, n.max(1));
    if k == 1 && mix.any > 0.0 {
        Rule::Any
    } else if k == n && mix.all > 0.0 {
        Rule::All
    } else if mix.atleast > 0.0 {
        Rule::AtLeast(k as u32)
    } else if mix.all > 0.0 {
        Rule::All
    } else {
        Rule::Any
    }
}

/// The number of firing children at which a gate fires.
fn threshold(rule: Rule, n: usize) -> usize {
    match rule {
        Rule::Any => 1,
        Rule::All => n,
        Rule::AtLeast(k) => k as usize,
    }
}

/// Nodes of the level below by what fires them: `pure[c]` fire only for samples of
/// class `c`, `silent` for none, `mixed` for samples of two classes or more.
struct Pools {
    pure: Vec<Vec<u32>>,
    silent: Vec<u32>,
    mixed: Vec<u32>,
}

impl Pools {
    fn of(prev: &Fire, classes: usize) -> Pools {
        let mut pure = vec![Vec::new(); classes];
        let mut silent = Vec::new();
        let mut mixed = Vec::new();
        for node in 0..prev.width() {
            match prev.profile_of(node) {
                Profile::Pure(c) => pure[c as usize].push(node as u32),
                Profile::Silent => silent.push(node as u32),
                Profile::Mixed => mixed.push(node as u32),
            }
        }
        Pools {
            pure,
            silent,
            mixed,
        }
    }
}

fn build_level(rng: &mut ChaCha8Rng, plan: &LevelPlan) -> FeatureLevel {
    let prev_width = plan.prev.width();
    let width = plan.width;
    let (lo, hi) = (plan.fan_in.0, plan.fan_in.1.min(prev_width));
    // Children per node; a tracker may take another number in the range (see below).
    let mut sizes: Vec<usize> = (0..width).map(|_| rng.gen_range(lo..=hi)).collect();
    let mut rules = vec![Rule::Any; width];

    // Trackers first, at random places: nodes wired so that every sample keeps a
    // pathway through every level, and one that stays within its class.
    let pools = Pools::of(plan.prev, plan.classes);
    let mut stamps = Stamps::new(prev_width);
    let planned = tracker_targets(plan);
    let budget = (planned.len() + repair_budget(width)).min(width);
    // A level with no room for trackers of the samples that the planned ones miss gives
    // its level-2 trackers the most children the range allows: `atleast n-1 of` n
    // inputs loses a sample to noise less often the larger n is.
    let widest_inputs = plan.first && budget == planned.len();
    // The children of each tracker made, by position.
    let mut wired: Vec<(usize, Vec<u32>)> = Vec::with_capacity(budget);
    let positions = rand::seq::index::sample(rng, width, budget);
    let mut is_tracker = vec![false; width];
    // How many trackers use each node below.
    let mut used = vec![0u32; prev_width];
    let mut made: Vec<usize> = Vec::with_capacity(budget);
    // Samples that a tracker of their class fires for, and those none can (no node below
    // fires for them within their class).
    let mut covered = vec![0u64; plan.prev.words()];
    let mut hopeless = vec![0u64; plan.prev.words()];
    let mut set = vec![0u64; plan.prev.words()];
    let mut counts = [0u32; 64];
    let mut targets = planned.into_iter();
    for pos in positions.iter() {
        // The planned trackers, then one per sample left uncovered.
        let target = match targets.next() {
            Some(t) => t,
            None => {
                let Some(s) = first_outside(&covered, &hopeless, plan.samples.len()) else {
                    break;
                };
                let class = plan.samples[s].class as usize;
                let mut want = plan.prev.class_set(class);
                for ((w, &c), &h) in want.iter_mut().zip(&covered).zip(&hopeless) {
                    *w &= !(c | h);
                }
                hopeless[s / 64] |= 1u64 << (s % 64);
                Target {
                    class,
                    pattern: &plan.samples[s].inputs,
                    want,
                }
            }
        };
        let mut slot = vec![0u32; if widest_inputs { hi } else { sizes[pos] }];
        let rule = if plan.first {
            input_tracker(rng, plan, &pools, &target, &mut slot, &mut stamps)
        } else {
            class_tracker(rng, plan, &pools, &target, &mut slot, &mut stamps)
        };
        let Some(rule) = rule else { continue };
        let slot = &slot[..];
        // A tracker that still fires for another class gets a stricter threshold; its
        // samples count as covered only if it then fires within its class (a mixed
        // node is no candidate for the trackers above, and level L-1 would purify it).
        let rule = tighten(plan.prev, rule, slot, plan.mix);
        rules[pos] = rule;
        is_tracker[pos] = true;
        made.push(pos);
        sizes[pos] = slot.len();
        for &c in slot.iter() {
            used[c as usize] += 1;
        }
        plan.prev.eval(rule, slot, &mut set, &mut counts);
        wired.push((pos, slot.to_vec()));
        if plan.prev.profile(&set) == Profile::Mixed {
            continue;
        }
        for ((c, &s), &o) in covered
            .iter_mut()
            .zip(&set)
            .zip(&plan.prev.class_set(target.class))
        {
            *c |= s & o;
        }
    }
    let mut offsets = Vec::with_capacity(width + 1);
    offsets.push(0usize);
    for &k in &sizes {
        offsets.push(offsets[offsets.len() - 1] + k);
    }
    let mut children = vec![0u32; offsets[width]];
    for (pos, kids) in wired {
        children[offsets[pos]..offsets[pos + 1]].copy_from_slice(&kids);
    }
    let free_slots = give_way(&offsets, &children, &mut is_tracker, &mut used, &mut made);

    let fill = deal_unused(rng, &offsets, &is_tracker, &used, free_slots, &mut children);

    // Fill the remaining slots with random distinct children.
    for j in 0..width {
        if is_tracker[j] {
            continue;
        }
        let start = offsets[j];
        let k = offsets[j + 1] - start;
        let have = fill[j] as usize;
        fill_distinct(rng, &mut children[start..start + k], have, &mut stamps);
        rules[j] = draw_rule(rng, plan.mix, k);
    }

    if plan.top {
        purify(rng, plan, &offsets, &mut children, &mut rules);
    }
    for j in 0..width {
        children[offsets[j]..offsets[j + 1]].sort_unstable();
    }
    FeatureLevel {
        rules,
        offsets,
        children,
    }
}

/// The other nodes of a level must have a slot for every node below that no tracker uses
/// (so that none is dead): the last trackers go back to being ordinary nodes until they
/// do. Only if that is enough, though: a level too narrow to use every node below leaves
/// some dead however it is wired, and then keeps every tracker, since they are what
/// carries each class's pathways up. Returns the slots of the ordinary nodes.
fn give_way(
    offsets: &[usize],
    children: &[u32],
    is_tracker: &mut [bool],
    used: &mut [u32],
    made: &mut Vec<usize>,
) -> usize {
    let slots = |j: usize| offsets[j + 1] - offsets[j];
    let mut free_slots: usize = (0..is_tracker.len())
        .filter(|&j| !is_tracker[j])
        .map(slots)
        .sum();
    let mut unused = used.iter().filter(|&&u| u == 0).count();
    // How many trackers must go: counted on a copy first.
    let mut going = 0;
    let mut left = used.to_vec();
    let (mut free, mut idle) = (free_slots, unused);
    for &pos in made.iter().rev() {
        if free >= idle {
            break;
        }
        going += 1;
        free += slots(pos);
        for &c in &children[offsets[pos]..offsets[pos + 1]] {
            left[c as usize] -= 1;
            idle += usize::from(left[c as usize] == 0);
        }
    }
    if free < idle {
        return free_slots;
    }
    for _ in 0..going {
        let Some(pos) = made.pop() else { break };
        is_tracker[pos] = false;
        free_slots += slots(pos);
        for &c in &children[offsets[pos]..offsets[pos + 1]] {
            used[c as usize] -= 1;
            unused += usize::from(used[c as usize] == 0);
        }
    }
    debug_assert!(free_slots >= unused);
    free_slots
}

/// Coverage: deals the nodes of the level below that no tracker uses (`used` is 0) to
/// random distinct slots of the other nodes (a partial Fisher-Yates shuffle of the slot
/// list), so each is somebody's child. Returns how many slots of each node are dealt
/// (they are the first ones of its slot range).
fn deal_unused(
    rng: &mut ChaCha8Rng,
    offsets: &[usize],
    is_tracker: &[bool],
    used: &[u32],
    free_slots: usize,
    children: &mut [u32],
) -> Vec<u32> {
    let width = is_tracker.len();
    let mut slot_owner: Vec<u32> = Vec::with_capacity(children.len());
    for (j, w) in offsets.windows(2).enumerate() {
        if !is_tracker[j] {
            slot_owner.extend(std::iter::repeat_n(j as u32, w[1] - w[0]));
        }
    }
    let mut prev_order: Vec<u32> = (0..used.len() as u32)
        .filter(|&p| used[p as usize] == 0)
        .collect();
    let dealt = prev_order.len().min(free_slots);
    // Shuffle the order of the nodes too, so that which node lands where is random even
    // when only some of them can be dealt.
    if dealt < prev_order.len() {
        prev_order.shuffle(rng);
    }
    let mut fill = vec![0u32; width];
    for (t, &p) in prev_order.iter().enumerate().take(dealt) {
        let pick = rng.gen_range(t..free_slots);
        slot_owner.swap(t, pick);
        let j = slot_owner[t] as usize;
        children[offsets[j] + fill[j] as usize] = p;
        fill[j] += 1;
    }
    fill
}

/// Membership marks over the nodes of the level below, for O(1) duplicate tests
/// without clearing: `stamp[p] == mark` says that p is in the set being filled, and
/// each new set takes a fresh mark.
struct Stamps {
    stamp: Vec<u32>,
    mark: u32,
}

impl Stamps {
    fn new(prev_width: usize) -> Stamps {
        Stamps {
            stamp: vec![0; prev_width],
            mark: 0,
        }
    }
}

/// Fills `slot[have..]` with random nodes of the level below that are not in the slot yet.
fn fill_distinct(rng: &mut ChaCha8Rng, slot: &mut [u32], have: usize, stamps: &mut Stamps) {
    stamps.mark += 1;
    let (stamp, mark) = (&mut stamps.stamp, stamps.mark);
    let prev_width = stamp.len();
    let k = slot.len();
    for &c in &slot[..have] {
        stamp[c as usize] = mark;
    }
    let missing = k - have;
    if missing == 0 {
        return;
    }
    if 2 * k > prev_width {
        // Dense: most of the preceding level is chosen; shuffle the unused ones.
        let mut free: Vec<u32> = (0..prev_width as u32)
            .filter(|&p| stamp[p as usize] != mark)
            .collect();
        let (picked, _) = free.partial_shuffle(rng, missing);
        slot[have..].copy_from_slice(picked);
        for &p in picked.iter() {
            stamp[p as usize] = mark;
        }
    } else {
        // Sparse: rejection sampling terminates quickly (at most half are taken).
        let mut at = have;
        while at < k {
            let p = rng.gen_range(0..prev_width);
            if stamp[p] != mark {
                stamp[p] = mark;
                slot[at] = p as u32;
                at += 1;
            }
        }
    }
}

/// A level-2 tracker: `atleast n-1 of` n inputs of its pattern (so one input lost to
/// noise does not silence it) or, where that fires for another class, all n of them
/// (a pattern shorter than the fan-in is padded with inputs that no sample holds);
/// redrawn up to 8 times until it fires for every sample it wants and for no sample of
/// another class. The best draw is kept (a sample of another class costs more than a
/// missed one). `None` for an empty pattern.
fn input_tracker(
    rng: &mut ChaCha8Rng,
    plan: &LevelPlan,
    pools: &Pools,
    target: &Target,
    slot: &mut [u32],
    stamps: &mut Stamps,
) -> Option<Rule> {
    let pattern = target.pattern;
    if pattern.is_empty() {
        return None;
    }
    let n = slot.len();
    let mut counts = [0u32; 64];
    let mut set = vec![0u64; plan.prev.words()];
    let own = plan.prev.class_set(target.class);
    let mut best: Option<(usize, Vec<u32>, Rule)> = None;
    for _ in 0..8 {
        let from_pattern = pattern.len().min(n);
        for (at, i) in rand::seq::index::sample(rng, pattern.len(), from_pattern)
            .iter()
            .enumerate()
        {
            slot[at] = pattern[i];
        }
        // Pad a short pattern with inputs that no sample holds, then with any.
        let silent = (n - from_pattern).min(pools.silent.len());
        for (at, i) in rand::seq::index::sample(rng, pools.silent.len(), silent)
            .iter()
            .enumerate()
        {
            slot[from_pattern + at] = pools.silent[i];
        }
        fill_distinct(rng, slot, from_pattern + silent, stamps);
        let lowest = if from_pattern >= 3 {
            from_pattern - 1
        } else {
            from_pattern
        };
        for k in lowest..=from_pattern {
            let rule = gate_for(k, n, plan.mix);
            plan.prev.eval(rule, slot, &mut set, &mut counts);
            let mut cost = 0usize;
            for ((&s, &o), &w) in set.iter().zip(&own).zip(&target.want) {
                cost += 4 * (s & !o).count_ones() as usize + (w & !s).count_ones() as usize;
            }
            if best.as_ref().is_none_or(|(c, _, _)| cost < *c) {
                best = Some((cost, slot.to_vec(), rule));
            }
        }
        if best.as_ref().is_some_and(|(c, _, _)| *c == 0) {
            break;
        }
    }
    let (_, chosen, rule) = best?;
    slot.copy_from_slice(&chosen);
    Some(rule)
}

/// The first sample in neither set (`n` samples), if any.
fn first_outside(a: &[u64], b: &[u64], n: usize) -> Option<usize> {
    a.iter()
        .zip(b)
        .enumerate()
        .find_map(|(i, (&x, &y))| {
            let free = !(x | y);
            (free != 0).then(|| i * 64 + free.trailing_zeros() as usize)
        })
        .filter(|&s| s < n)
}

/// A tracker of a class in level 3 and above: `any` of nodes that fire only for that
/// class, chosen greedily to cover the samples it wants, topped up with more of them,
/// then with nodes that fire for no sample (and, short of those, see below). `None` when
/// no node below is pure for the class.
fn class_tracker(
    rng: &mut ChaCha8Rng,
    plan: &LevelPlan,
    pools: &Pools,
    target: &Target,
    slot: &mut Vec<u32>,
    stamps: &mut Stamps,
) -> Option<Rule> {
    let cands = &pools.pure[target.class];
    if cands.is_empty() {
        return None;
    }
    let mut n = slot.len();
    let mut uncovered = target.want.clone();
    let mut picked: Vec<u32> = Vec::with_capacity(n);
    let start = rng.gen_range(0..cands.len());
    let order = || (0..cands.len()).map(move |i| cands[(start + i) % cands.len()]);
    while picked.len() < n && uncovered.iter().any(|&w| w != 0) {
        let mut best = (0u32, None);
        for c in order() {
            if picked.contains(&c) {
                continue;
            }
            let gain: u32 = plan
                .prev
                .of(c as usize)
                .iter()
                .zip(&uncovered)
                .map(|(&s, &u)| (s & u).count_ones())
                .sum();
            if gain > best.0 {
                best = (gain, Some(c));
            }
        }
        let Some(c) = best.1 else { break };
        picked.push(c);
        for (u, &s) in uncovered.iter_mut().zip(plan.prev.of(c as usize)) {
            *u &= !s;
        }
    }
    let again = rng.gen_range(0..cands.len());
    for i in 0..cands.len() {
        if picked.len() == n {
            break;
        }
        let c = cands[(again + i) % cands.len()];
        if !picked.contains(&c) {
            picked.push(c);
        }
    }
    if picked.len() < n && !pools.silent.is_empty() {
        let need = (n - picked.len()).min(pools.silent.len());
        for i in rand::seq::index::sample(rng, pools.silent.len(), need).iter() {
            picked.push(pools.silent[i]);
        }
    }
    // Short of pure and silent nodes for the drawn fan-in, the tracker takes fewer
    // children, down to the least the range allows: its own samples seldom fire more
    // than one of its children, so the `atleast` below would silence it for most of them.
    if picked.len() < n && picked.len() >= plan.fan_in.0 {
        n = picked.len();
        slot.truncate(n);
    }
    // Short of pure and silent nodes even for that (deep levels of small models), the fan-in is
    // reached with `m` nodes that fire for other classes too, those that fire for most of
    // the wanted samples, under `atleast m+1`: a sample of another class fires at most
    // the `m`, so the tracker stays within its class.
    let mixed = n - picked.len();
    if mixed > 0 {
        let from = rng.gen_range(0..pools.mixed.len().max(1));
        let mut scored: Vec<(u32, usize, u32)> = (0..pools.mixed.len())
            .map(|i| {
                let c = pools.mixed[(from + i) % pools.mixed.len()];
                let hits: u32 = plan
                    .prev
                    .of(c as usize)
                    .iter()
                    .zip(&target.want)
                    .map(|(&s, &w)| (s & w).count_ones())
                    .sum();
                (hits, i, c)
            })
            .collect();
        scored.sort_unstable_by_key(|&(hits, i, _)| (std::cmp::Reverse(hits), i));
        picked.extend(scored.iter().take(mixed).map(|&(_, _, c)| c));
    }
    let have = picked.len();
    slot[..have].copy_from_slice(&picked);
    fill_distinct(rng, slot, have, stamps);
    let rule = gate_for(mixed + 1, n, plan.mix);
    Some(tighten(plan.prev, rule, slot, plan.mix))
}

/// The loosest gate at least as strict as `rule` under which a node with these children
/// fires for the samples of one class at most (the strictest when none does).
fn tighten(prev: &Fire, rule: Rule, slot: &[u32], mix: &RuleMix) -> Rule {
    let n = slot.len();
    let mut set = vec![0u64; prev.words()];
    let mut counts = [0u32; 64];
    let mut out = rule;
    for k in threshold(rule, n)..=n {
        out = if k == threshold(rule, n) {
            rule
        } else {
            gate_for(k, n, mix)
        };
        prev.eval(out, slot, &mut set, &mut counts);
        if prev.profile(&set) != Profile::Mixed {
            break;
        }
    }
    out
}

/// Makes every node of level L-1 fire for the samples of one class at most, so that
/// the class it feeds is the class that fires it. A node that fires for two classes gets
/// the loosest stricter threshold that separates them; failing that, its children that
/// fire for other classes are replaced, worst first, by nodes that fire only for its
/// majority class (or for no sample). A child that has no other parent is traded instead
/// for such a node of another node of the level that stays within one class with it and
/// loses no sample, so every node below keeps a parent.
fn purify(
    rng: &mut ChaCha8Rng,
    plan: &LevelPlan,
    offsets: &[usize],
    children: &mut [u32],
    rules: &mut [Rule],
) {
    let prev = plan.prev;
    let mut parents = vec![0u32; prev.width()];
    for &c in children.iter() {
        parents[c as usize] += 1;
    }
    let pools = Pools::of(prev, plan.classes);
    let mut set = vec![0u64; prev.words()];
    let mut counts = [0u32; 64];
    for j in 0..rules.len() {
        let (a, b) = (offsets[j], offsets[j + 1]);
        prev.eval(rules[j], &children[a..b], &mut set, &mut counts);
        if prev.profile(&set) != Profile::Mixed {
            continue;
        }
        let majority = majority_class(rng, &prev.class_counts(&set, plan.classes));
        rules[j] = tighten(prev, rules[j], &children[a..b], plan.mix);
        prev.eval(rules[j], &children[a..b], &mut set, &mut counts);
        let own = prev.class_set(majority);
        let strays = |node: u32| -> u32 {
            prev.of(node as usize)
                .iter()
                .zip(&own)
                .map(|(&s, &o)| (s & !o).count_ones())
                .sum()
        };
        let mut tried = vec![false; b - a];
        while prev.profile(&set) == Profile::Mixed {
            // The child with the most samples of other classes not tried yet.
            let worst = (0..b - a)
                .filter(|&i| !tried[i])
                .map(|i| (strays(children[a + i]), i))
                .filter(|&(s, _)| s > 0)
                .max_by_key(|&(s, i)| (s, std::cmp::Reverse(i)));
            let Some((_, i)) = worst else { break };
            tried[i] = true;
            let x = children[a + i];
            let replaced = parents[x as usize] >= 2
                && match replacement(rng, &pools, majority, &children[a..b]) {
                    Some(r) => {
                        parents[x as usize] -= 1;
                        parents[r as usize] += 1;
                        children[a + i] = r;
                        true
                    }
                    None => false,
                };
            if !replaced {
                trade(rng, plan, offsets, children, rules, j, a + i, majority);
            }
            prev.eval(rules[j], &children[a..b], &mut set, &mut counts);
        }
    }
}

/// Gives the child at `children[at]` of node `j` to another node `j2` of the level in
/// place of one of `j2`'s children `y` that fires only for `class` (or for no sample),
/// which `j` takes instead; only when `j2` then still fires within one class (with a
/// stricter threshold if need be) and for every sample it fired for before. Looks at up
/// to 256 nodes from a random start; returns whether a trade was made.
#[allow(clippy::too_many_arguments)]
fn trade(
    rng: &mut ChaCha8Rng,
    plan: &LevelPlan,
    offsets: &[usize],
    children: &mut [u32],
    rules: &mut [Rule],
    j: usize,
    at: usize,
    class: usize,
) -> bool {
    let prev = plan.prev;
    let width = rules.len();
    let x = children[at];
    let (a, b) = (offsets[j], offsets[j + 1]);
    let mut before = vec![0u64; prev.words()];
    let mut after = vec![0u64; prev.words()];
    let mut counts = [0u32; 64];
    let start = rng.gen_range(0..width);
    for t in 0..width.min(256) {
        let j2 = (start + t) % width;
        let (a2, b2) = (offsets[j2], offsets[j2 + 1]);
        if j2 == j || children[a2..b2].contains(&x) {
            continue;
        }
        prev.eval(rules[j2], &children[a2..b2], &mut before, &mut counts);
        for yi in a2..b2 {
            let y = children[yi];
            let suits = match prev.profile_of(y as usize) {
                Profile::Pure(c) => c as usize == class,
                Profile::Silent => true,
                Profile::Mixed => false,
            };
            if !suits || children[a..b].contains(&y) {
                continue;
            }
            children[yi] = x;
            let rule = tighten(prev, rules[j2], &children[a2..b2], plan.mix);
            prev.eval(rule, &children[a2..b2], &mut after, &mut counts);
            let keeps = before.iter().zip(&after).all(|(&o, &n)| o & !n == 0);
            if keeps && prev.profile(&after) != Profile::Mixed {
                rules[j2] = rule;
                children[at] = y;
                return true;
            }
            children[yi] = y;
        }
    }
    false
}

/// A random node below that fires only for `class` (or, failing that, for no sample) and
/// is not in `slot` yet; a few random tries in each pool.
fn replacement(rng: &mut ChaCha8Rng, pools: &Pools, class: usize, slot: &[u32]) -> Option<u32> {
    for pool in [&pools.pure[class], &pools.silent] {
        if pool.is_empty() {
            continue;
        }
        for _ in 0..16 {
            let r = pool[rng.gen_range(0..pool.len())];
            if !slot.contains(&r) {
                return Some(r);
            }
        }
    }
    None
}

/// The class with the most samples in `counts`; ties go to a random one of them.
fn majority_class(rng: &mut ChaCha8Rng, counts: &[u32]) -> usize {
    let top = counts.iter().copied().max().unwrap_or(0);
    let tied: Vec<usize> = (0..counts.len()).filter(|&c| counts[c] == top).collect();
    match tied.len() {
        0 => 0,
        1 => tied[0],
        n => tied[rng.gen_range(0..n)],
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

/// Wires each node of level L-1 (the inputs when L = 2) to the class whose samples fire
/// it (most of them, ties to a random one); nodes that fire for no sample go, in
/// random order, to the class with the fewest parents so far (ties: the first). A class
/// left without a parent gets one random parent.
fn build_classes(rng: &mut ChaCha8Rng, top: &Fire, classes: usize) -> (Vec<usize>, Vec<u32>) {
    let n = top.width();
    let mut owner: Vec<u32> = vec![0; n];
    let mut counts = vec![0usize; classes];
    let mut silent: Vec<u32> = Vec::new();
    for (p, slot) in owner.iter_mut().enumerate() {
        let class = match top.profile_of(p) {
            Profile::Pure(c) => c as usize,
            Profile::Mixed => majority_class(rng, &top.class_counts(top.of(p), classes)),
            Profile::Silent => {
                silent.push(p as u32);
                continue;
            }
        };
        *slot = class as u32;
        counts[class] += 1;
    }
    silent.shuffle(rng);
    for &p in &silent {
        let class = (0..classes).min_by_key(|&c| counts[c]).unwrap_or(0);
        owner[p as usize] = class as u32;
        counts[class] += 1;
    }
    let mut extra: Vec<u32> = vec![u32::MAX; classes];
    for (c, slot) in extra.iter_mut().enumerate() {
        if counts[c] == 0 {
            *slot = rng.gen_range(0..n) as u32;
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
