//! Fooling inputs and output collapse.
//!
//! A *fooling input* is a level-1 pattern at Hamming distance at least `d` from every training
//! pattern that the trained model classifies with `p >= threshold`. This module judges patterns
//! one by one ([`Fooler`]), draws blocks of random patterns and counts what they do
//! ([`PatternStats`]: how many are far from the data, how many of those fool the model, which
//! classes are predicted and which level-(L-1) pathways fire), and adds blocks up. The search
//! for the smallest fooling pattern of a class lives in `search`; the two experiments
//! (one model file, and generated models of growing depth) in `file` and `depths`.

mod depths;
mod file;
pub mod search;

pub use depths::{
    depths, prepare_depths, DepthPoint, DepthReport, DepthRow, DepthsOptions, DepthsParams,
    DepthsRun, FoolDepths, ModelRow, MAX_TRAIN_SEEDS,
};
pub use file::{
    file, file_at, prepare_file, ClassRow, FileOptions, FileParams, FilePoint, FileReport, FileRun,
    FoolFile, SmallestRow, StatsRow, MAX_EXHAUSTIVE_INPUTS,
};

use std::collections::BTreeSet;

use rand::Rng;
use serde::{Deserialize, Serialize};

use crate::engine::{Evaluator, Model, State};
use crate::experiments::streams::fingerprint;
use crate::ir::{ClassId, NodeId};

/// What counts as a fooling input.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct FoolCriteria {
    /// Smallest Hamming distance to every training pattern.
    pub min_distance: usize,
    /// Smallest probability of the predicted class.
    pub threshold: f64,
}

/// Most random patterns one sweep judges (per model with `--depths`).
pub const MAX_SAMPLES: u64 = 10_000_000;

/// The probability that an input fires in a random pattern.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Density {
    /// This probability (0.5: uniform over all patterns).
    Fixed(f64),
    /// The training patterns' mean density: the share of inputs a data sample fires,
    /// averaged over the data samples (each model's own, with generated models).
    Data,
}

impl Density {
    /// The probability for `model`; `None` for [`Density::Data`] without data samples.
    pub fn resolve(&self, model: &Model) -> Option<f64> {
        match *self {
            Density::Fixed(q) => Some(q),
            Density::Data => data_density(model),
        }
    }

    fn check(&self) -> Result<(), String> {
        match *self {
            Density::Fixed(q) => check_density(q),
            Density::Data => Ok(()),
        }
    }
}

/// The mean share of inputs the data samples fire (`None` without data or inputs).
pub fn data_density(model: &Model) -> Option<f64> {
    let n = model.n_inputs();
    let samples = &model.ir.data.samples;
    if samples.is_empty() || n == 0 {
        return None;
    }
    let fired: usize = samples.iter().map(|s| s.input.len()).sum();
    Some(fired as f64 / (samples.len() * n) as f64)
}

/// Checks the options both fooling sweeps share (the ranges the command line enforces, for
/// front ends that pass numbers straight through).
pub fn check_options(
    samples: u64,
    density: Density,
    criteria: &FoolCriteria,
) -> Result<(), crate::experiments::ExperimentError> {
    use crate::experiments::ExperimentError;
    if !(1..=MAX_SAMPLES).contains(&samples) {
        return Err(ExperimentError::options(
            format!("{samples} random patterns is not 1 to {MAX_SAMPLES}"),
            "give a number of patterns (samples) from 1 to 10000000",
        ));
    }
    if let Density::Fixed(density) = density {
        if !(0.0..=1.0).contains(&density) {
            return Err(ExperimentError::options(
                format!("density {density} is not a probability"),
                "give the probability that an input fires, from 0 to 1 (0.5: uniform patterns), or `data`",
            ));
        }
    }
    let p = criteria.threshold;
    if !(p > 0.0 && p <= 1.0) {
        return Err(ExperimentError::options(
            format!("threshold {p} is not a probability in (0, 1]"),
            "give the smallest probability of a fooling prediction, e.g. 0.99",
        ));
    }
    Ok(())
}

/// A level-1 pattern as a bit set over the model's input nodes (node ids `0..n`).
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Bits {
    words: Vec<u64>,
    len: usize,
}

impl Bits {
    /// The empty pattern over `len` inputs.
    pub fn empty(len: usize) -> Bits {
        Bits {
            words: vec![0; len.div_ceil(64)],
            len,
        }
    }

    /// The pattern whose firing inputs are `ids` (ids `>= len` are ignored).
    pub fn from_ids(len: usize, ids: &[NodeId]) -> Bits {
        let mut b = Bits::empty(len);
        for &i in ids {
            if (i as usize) < len {
                b.set(i as usize, true);
            }
        }
        b
    }

    /// Pattern number `code` of the `2^len` patterns (bit `i` of `code` = input `i`; for
    /// `len <= 64`, as enumeration needs).
    pub fn from_code(len: usize, code: u64) -> Bits {
        let mut b = Bits::empty(len);
        if let Some(w) = b.words.first_mut() {
            *w = code;
        }
        b
    }

    /// Each input fires independently with probability `density` (0.5: uniform over all
    /// `2^len` patterns).
    pub fn random(len: usize, density: f64, rng: &mut impl Rng) -> Bits {
        let mut b = Bits::empty(len);
        for i in 0..len {
            if rng.gen::<f64>() < density {
                b.set(i, true);
            }
        }
        b
    }

    /// How many inputs.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether there are no inputs.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Whether input `i` fires.
    pub fn get(&self, i: usize) -> bool {
        self.words[i / 64] >> (i % 64) & 1 == 1
    }

    /// Makes input `i` fire (`on`) or not.
    pub fn set(&mut self, i: usize, on: bool) {
        let mask = 1u64 << (i % 64);
        if on {
            self.words[i / 64] |= mask;
        } else {
            self.words[i / 64] &= !mask;
        }
    }

    /// Number of firing inputs.
    pub fn count(&self) -> usize {
        self.words.iter().map(|w| w.count_ones() as usize).sum()
    }

    /// How many inputs differ between the two.
    pub fn hamming(&self, other: &Bits) -> usize {
        self.words
            .iter()
            .zip(&other.words)
            .map(|(a, b)| (a ^ b).count_ones() as usize)
            .sum()
    }

    /// The firing input ids, ascending (the engine's input form).
    pub fn ids(&self) -> Vec<NodeId> {
        (0..self.len)
            .filter(|&i| self.get(i))
            .map(|i| i as NodeId)
            .collect()
    }
}

/// What the model does with one pattern.
#[derive(Clone, Debug, PartialEq)]
pub struct Judgement {
    /// `None` when the pattern reaches no class (no prediction; it cannot fool).
    pub predicted: Option<usize>,
    /// Probability of the predicted class (uniform without a prediction).
    pub p: f64,
    /// Smallest Hamming distance to a training pattern (`None` without data).
    pub distance: Option<usize>,
    /// Far from every training pattern.
    pub far: bool,
    /// Far, and classified with `p >= threshold`.
    pub fooling: bool,
    /// Fingerprint of the firing set of level L-1.
    pub pathway: u64,
}

/// Judges patterns against a trained model and its training data.
pub struct Fooler<'m, 'ir> {
    model: &'m Model<'ir>,
    state: &'m State,
    criteria: FoolCriteria,
    training: Vec<Bits>,
    n_inputs: usize,
    top_level: usize,
    evaluator: Evaluator,
}

impl<'m, 'ir> Fooler<'m, 'ir> {
    /// A fooler of `model` in `state`, far from the data samples' inputs by `criteria`.
    pub fn new(model: &'m Model<'ir>, state: &'m State, criteria: FoolCriteria) -> Self {
        let n_inputs = model.n_inputs();
        let training = model
            .ir
            .data
            .samples
            .iter()
            .map(|s| Bits::from_ids(n_inputs, &s.input))
            .collect();
        Fooler {
            model,
            state,
            criteria,
            training,
            n_inputs,
            top_level: model.ir.levels.len().saturating_sub(1),
            evaluator: Evaluator::new(model),
        }
    }

    /// How many input nodes the model has.
    pub fn n_inputs(&self) -> usize {
        self.n_inputs
    }

    /// How many classes it has.
    pub fn n_classes(&self) -> usize {
        self.model.n_classes()
    }

    /// What counts as a fooling input.
    pub fn criteria(&self) -> FoolCriteria {
        self.criteria
    }

    /// Smallest Hamming distance from `bits` to a training pattern.
    pub fn distance(&self, bits: &Bits) -> Option<usize> {
        self.training.iter().map(|t| t.hamming(bits)).min()
    }

    /// Whether `bits` is far enough from every training pattern (always, without data).
    pub fn is_far(&self, bits: &Bits) -> bool {
        self.distance(bits)
            .is_none_or(|d| d >= self.criteria.min_distance)
    }

    /// Evaluates `bits`: its predicted class, probability and pathway, and whether it fools.
    pub fn judge(&mut self, bits: &Bits) -> Judgement {
        let e = self.evaluator.evaluate(self.model, self.state, &bits.ids());
        let predicted = e.predicted.map(|c| c as usize);
        let p = e.p.get(predicted.unwrap_or(0)).copied().unwrap_or(0.0);
        let distance = self.distance(bits);
        let far = distance.is_none_or(|d| d >= self.criteria.min_distance);
        Judgement {
            predicted,
            p,
            distance,
            far,
            fooling: far && predicted.is_some() && p >= self.criteria.threshold,
            pathway: fingerprint(e.firing_in_level(self.model, self.top_level)),
        }
    }

    /// How many of the model's own data samples it classifies with `p >= threshold` (the
    /// confidence a fooling input needs, without the distance), and how many samples there
    /// are.
    pub fn confident_data(&mut self) -> (u64, u64) {
        let samples = &self.model.ir.data.samples;
        let confident = samples
            .iter()
            .filter(|s| {
                let e = self.evaluator.evaluate(self.model, self.state, &s.input);
                e.predicted
                    .and_then(|c| e.p.get(c as usize))
                    .is_some_and(|&p| p >= self.criteria.threshold)
            })
            .count();
        (confident as u64, samples.len() as u64)
    }

    /// `Some(p)` when `bits` is a fooling input classified as `class`.
    pub fn fools_into(&mut self, bits: &Bits, class: usize) -> Option<f64> {
        if !self.is_far(bits) {
            return None;
        }
        let e = self.evaluator.evaluate(self.model, self.state, &bits.ids());
        let p = e.p.get(class).copied().unwrap_or(0.0);
        (e.predicted == Some(class as ClassId) && p >= self.criteria.threshold).then_some(p)
    }
}

/// Counts over a set of patterns. Blocks add up with [`PatternStats::absorb`], so shards and
/// threads can split the patterns freely.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct PatternStats {
    /// Patterns judged.
    pub drawn: u64,
    /// Patterns at distance `>= d` from every training pattern.
    pub far: u64,
    /// Far patterns classified with `p >= threshold`.
    pub fooled: u64,
    /// `fooled` split by predicted class.
    pub fooled_per_class: Vec<u64>,
    /// Predicted class of every judged pattern (far or not), counted per class.
    pub predicted_per_class: Vec<u64>,
    /// Judged patterns that reach no class (no prediction).
    #[serde(default)]
    pub no_class: u64,
    /// Distinct fingerprints of the level-(L-1) firing sets, ascending.
    pub pathways: Vec<u64>,
}

impl FoolCriteria {
    /// Whether these are criteria a sweep can use: a probability threshold.
    pub fn check(&self) -> Result<(), String> {
        if (0.0..=1.0).contains(&self.threshold) {
            Ok(())
        } else {
            Err(format!(
                "the threshold p >= {} is not a probability",
                self.threshold
            ))
        }
    }
}

/// Whether `density` is a probability of firing (the share of inputs a random pattern
/// turns on).
pub fn check_density(density: f64) -> Result<(), String> {
    if (0.0..=1.0).contains(&density) {
        Ok(())
    } else {
        Err(format!("the density {density} is not between 0 and 1"))
    }
}

impl PatternStats {
    /// Whether these counts can come from judging patterns of a model with `n_classes`
    /// classes (a shard file read back): `fooled <= far <= drawn`, per-class counts that
    /// add up, distinct ascending pathway fingerprints, no more than the patterns.
    pub fn check(&self, n_classes: usize) -> Result<(), String> {
        if self.fooled > self.far || self.far > self.drawn {
            return Err(format!(
                "{} fooled of {} far of {} drawn patterns",
                self.fooled, self.far, self.drawn
            ));
        }
        if self.fooled_per_class.len() != n_classes || self.predicted_per_class.len() != n_classes {
            return Err(format!("per-class counts are not for {n_classes} classes"));
        }
        let sum = |v: &[u64]| v.iter().try_fold(0u64, |a, &b| a.checked_add(b));
        if sum(&self.fooled_per_class) != Some(self.fooled)
            || sum(&self.predicted_per_class).and_then(|n| n.checked_add(self.no_class))
                != Some(self.drawn)
        {
            return Err("the per-class counts do not add up".into());
        }
        if self.pathways.windows(2).any(|w| w[0] >= w[1]) || self.pathways.len() as u64 > self.drawn
        {
            return Err("the pathway fingerprints are not distinct and ascending".into());
        }
        Ok(())
    }

    /// No patterns yet, for a model of `n_classes` classes.
    pub fn new(n_classes: usize) -> Self {
        PatternStats {
            fooled_per_class: vec![0; n_classes],
            predicted_per_class: vec![0; n_classes],
            ..Default::default()
        }
    }

    /// Judges `patterns` and counts them.
    pub fn of_patterns(fooler: &mut Fooler, patterns: impl IntoIterator<Item = Bits>) -> Self {
        let mut stats = PatternStats::new(fooler.n_classes());
        let mut pathways = BTreeSet::new();
        for bits in patterns {
            let j = fooler.judge(&bits);
            stats.drawn += 1;
            match j.predicted {
                Some(c) => stats.predicted_per_class[c] += 1,
                None => stats.no_class += 1,
            }
            if j.far {
                stats.far += 1;
            }
            if let (true, Some(c)) = (j.fooling, j.predicted) {
                stats.fooled += 1;
                stats.fooled_per_class[c] += 1;
            }
            pathways.insert(j.pathway);
        }
        stats.pathways = pathways.into_iter().collect();
        stats
    }

    /// The counts of many blocks added up (one set union for all the pathways, so that
    /// thousands of blocks add up in linear time).
    pub fn total<'a>(n_classes: usize, blocks: impl IntoIterator<Item = &'a PatternStats>) -> Self {
        let mut stats = PatternStats::new(n_classes);
        let mut pathways = BTreeSet::new();
        for b in blocks {
            stats.drawn += b.drawn;
            stats.far += b.far;
            stats.fooled += b.fooled;
            stats.no_class += b.no_class;
            add_counts(&mut stats.fooled_per_class, &b.fooled_per_class);
            add_counts(&mut stats.predicted_per_class, &b.predicted_per_class);
            pathways.extend(b.pathways.iter().copied());
        }
        stats.pathways = pathways.into_iter().collect();
        stats
    }

    /// Adds another block's counts.
    pub fn absorb(&mut self, other: &PatternStats) {
        self.drawn += other.drawn;
        self.far += other.far;
        self.fooled += other.fooled;
        self.no_class += other.no_class;
        add_counts(&mut self.fooled_per_class, &other.fooled_per_class);
        add_counts(&mut self.predicted_per_class, &other.predicted_per_class);
        let set: BTreeSet<u64> = self
            .pathways
            .iter()
            .chain(&other.pathways)
            .copied()
            .collect();
        self.pathways = set.into_iter().collect();
    }

    /// Fooled over far patterns; `None` when no pattern was far.
    pub fn fooling_rate(&self) -> Option<f64> {
        (self.far > 0).then(|| self.fooled as f64 / self.far as f64)
    }

    /// The share of the fooling patterns that land in their most frequent class (`None`
    /// without a fooling pattern).
    pub fn top_class_share(&self) -> Option<f64> {
        let top = self.fooled_per_class.iter().copied().max().unwrap_or(0);
        (self.fooled > 0).then(|| top as f64 / self.fooled as f64)
    }

    /// Number of classes predicted for at least one pattern (output collapse: 1 means every
    /// pattern gets the same answer).
    pub fn distinct_classes(&self) -> usize {
        self.predicted_per_class.iter().filter(|&&n| n > 0).count()
    }

    /// How many distinct pathways the patterns fired.
    pub fn distinct_pathways(&self) -> usize {
        self.pathways.len()
    }
}

fn add_counts(into: &mut Vec<u64>, from: &[u64]) {
    if into.len() < from.len() {
        into.resize(from.len(), 0);
    }
    for (a, b) in into.iter_mut().zip(from) {
        *a += b;
    }
}

/// `count` random patterns with the given density from `rng`, judged.
pub fn random_block(
    fooler: &mut Fooler,
    count: u64,
    density: f64,
    rng: &mut impl Rng,
) -> PatternStats {
    let n = fooler.n_inputs();
    let patterns: Vec<Bits> = (0..count).map(|_| Bits::random(n, density, rng)).collect();
    PatternStats::of_patterns(fooler, patterns)
}

/// Every pattern whose code lies in `codes` (of the `2^n` patterns), judged: the exact
/// counts when the blocks cover `0..2^n`.
pub fn exhaustive_block(fooler: &mut Fooler, codes: std::ops::Range<u64>) -> PatternStats {
    let n = fooler.n_inputs();
    PatternStats::of_patterns(fooler, codes.map(|c| Bits::from_code(n, c)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::testing::fig1;
    use rand::SeedableRng;

    #[test]
    fn options_out_of_range_are_refused() {
        let ok = FoolCriteria {
            min_distance: 2,
            threshold: 0.99,
        };
        assert!(check_options(1000, Density::Fixed(0.5), &ok).is_ok());
        assert!(check_options(1, Density::Fixed(0.0), &ok).is_ok());
        assert!(check_options(1, Density::Data, &ok).is_ok());
        for (samples, density) in [(0, 0.5), (MAX_SAMPLES + 1, 0.5), (10, 1.5), (10, f64::NAN)] {
            assert!(
                check_options(samples, Density::Fixed(density), &ok).is_err(),
                "{samples} {density}"
            );
        }
        for threshold in [0.0, 1.5, f64::NAN] {
            let bad = FoolCriteria { threshold, ..ok };
            let e = check_options(10, Density::Fixed(0.5), &bad).err();
            assert_eq!(
                e.map(|e| e.kind),
                Some(crate::experiments::ErrorKind::Options)
            );
        }
    }

    #[test]
    fn bits_round_trip_and_distance() {
        let a = Bits::from_ids(7, &[0, 3, 6]);
        assert_eq!(a.ids(), vec![0, 3, 6]);
        assert_eq!(a.count(), 3);
        let b = Bits::from_code(7, 0b1001);
        assert_eq!(b.ids(), vec![0, 3]);
        assert_eq!(a.hamming(&b), 1);
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(1);
        assert_eq!(Bits::random(100, 0.0, &mut rng).count(), 0);
        assert_eq!(Bits::random(100, 1.0, &mut rng).count(), 100);
    }

    #[test]
    fn fig1_untrained_fooling_counts_by_hand() {
        // fig1 with lambda = eta = 1. {e1}: fires m1 t1 -> logits (1, 1, 0), p = 0.4223 < 0.99.
        // {e1 e2 ... e7} fires everything: t1 = 1*(m1 + m2) = (3) + (2) = 5; t2 = m2 + m3 = 2 + 3;
        // t3 = m3 + m4 = 3 + 2. Logits c1 = 5, c2 = 10, c3 = 5 -> p(c2) = 1 / (1 + 2 e^-5) = 0.986703 < 0.99.
        let ir = fig1();
        let model = Model::new(&ir);
        let state = State::new(&ir, 0);
        let criteria = FoolCriteria {
            min_distance: 2,
            threshold: 0.99,
        };
        let mut fooler = Fooler::new(&model, &state, criteria);
        let all = fooler.judge(&Bits::from_code(7, 0b111_1111));
        assert_eq!(all.predicted, Some(1));
        assert!((all.p - 0.986_703).abs() < 1e-5, "{}", all.p);
        assert!(all.far && !all.fooling);
        let exact = exhaustive_block(&mut fooler, 0..128);
        assert_eq!(exact.drawn, 128);
        // No class is reached without e1, e2 or e3 (t1) and without both m3 and m4 (t3):
        // 16 patterns of e4..e7, of which 7 fire m3 and m4.
        assert_eq!(exact.no_class, 9);
        assert_eq!(exact.predicted_per_class.iter().sum::<u64>(), 128 - 9);
        assert_eq!(fooler.judge(&Bits::from_code(7, 0)).predicted, None);
        // At 0.9 the everything-pattern fools.
        let mut lax = Fooler::new(
            &model,
            &state,
            FoolCriteria {
                min_distance: 2,
                threshold: 0.9,
            },
        );
        assert!(lax.judge(&Bits::from_code(7, 0b111_1111)).fooling);
    }

    #[test]
    fn blocks_add_up_to_the_whole() {
        let ir = fig1();
        let model = Model::new(&ir);
        let state = State::new(&ir, 0);
        let criteria = FoolCriteria {
            min_distance: 1,
            threshold: 0.5,
        };
        let mut fooler = Fooler::new(&model, &state, criteria);
        let whole = exhaustive_block(&mut fooler, 0..128);
        let (first, second) = (
            exhaustive_block(&mut fooler, 0..50),
            exhaustive_block(&mut fooler, 50..128),
        );
        let mut parts = first.clone();
        parts.absorb(&second);
        assert_eq!(whole, parts);
        assert_eq!(whole, PatternStats::total(3, [&first, &second]));
        // 4 training patterns are at distance 0; every other pattern is far.
        assert_eq!(whole.far, 124);
    }
}
