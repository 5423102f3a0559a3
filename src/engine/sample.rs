//! Drawing mini-batches and input noise.
//!
//! Draw order within a step, fixed so runs are bit-reproducible: first the batch's
//! sample indices (in batch order), then the noise flips of each drawn sample (batch
//! order, level-1 nodes in id order), then the jitter factors of the updates.
//!
//! * `replace`: each of the `batch` draws picks sample `i` with probability
//!   `weight_i / sum(weights)` (one uniform f64 per draw, inverse CDF). If every
//!   weight is 0 the draw is uniform.
//! * `shuffle`: an epoch lists sample `i` `n_i` times, `n_i = round(weight_i)` (at
//!   least 1 for a positive weight, 0 for weight 0), in a uniformly random order
//!   (Fisher–Yates); batches take the next entries and a new epoch is drawn when one
//!   runs out (a batch may straddle two epochs). With the default weight 1 every
//!   sample appears exactly once per epoch. Epochs longer than `MAX_EPOCH` are scaled
//!   down proportionally (still at least 1 per positive-weight sample).
//! * `cycle`: file order, wrapping, ignoring weights.

use rand::Rng;

use super::state::{RunRng, SamplerState};
use crate::ir::{NodeId, Sample, Sampler};

/// Largest number of entries in one `shuffle` epoch.
pub const MAX_EPOCH: f64 = (1u64 << 20) as f64;

/// Appends `batch` sample indices to `out` (which is cleared first).
/// `samples` must be non-empty.
pub fn draw_batch(
    sampler: Sampler,
    samples: &[Sample],
    cumulative: &[f64],
    pos: &mut SamplerState,
    rng: &mut RunRng,
    batch: u64,
    out: &mut Vec<usize>,
) {
    out.clear();
    let n = samples.len();
    if n == 0 {
        return;
    }
    for _ in 0..batch {
        let i = match sampler {
            Sampler::Cycle => {
                let i = pos.cursor % n;
                pos.cursor = (i + 1) % n;
                i
            }
            Sampler::Replace => draw_weighted(cumulative, rng),
            Sampler::Shuffle => {
                if pos.cursor >= pos.epoch.len() {
                    new_epoch(samples, rng, &mut pos.epoch);
                    pos.cursor = 0;
                }
                let i = pos.epoch[pos.cursor] as usize;
                pos.cursor += 1;
                i
            }
        };
        out.push(i);
    }
}

/// Running sums of the weights, for `replace` draws.
pub fn cumulative_weights(samples: &[Sample]) -> Vec<f64> {
    let mut acc = 0.0;
    samples
        .iter()
        .map(|s| {
            acc += s.weight.max(0.0);
            acc
        })
        .collect()
}

fn draw_weighted(cumulative: &[f64], rng: &mut RunRng) -> usize {
    let n = cumulative.len();
    let total = cumulative[n - 1];
    if !(total > 0.0 && total.is_finite()) {
        return rng.gen_range(0..n);
    }
    let u: f64 = rng.gen::<f64>() * total;
    // First i with cumulative[i] > u: zero-weight samples are never picked.
    cumulative.partition_point(|&c| c <= u).min(n - 1)
}

fn new_epoch(samples: &[Sample], rng: &mut RunRng, epoch: &mut Vec<u32>) {
    let total: f64 = samples.iter().map(|s| s.weight.max(0.0).round()).sum();
    let scale = if total > MAX_EPOCH {
        MAX_EPOCH / total
    } else {
        1.0
    };
    epoch.clear();
    for (i, s) in samples.iter().enumerate() {
        let copies = if s.weight > 0.0 {
            ((s.weight * scale).round() as usize).max(1)
        } else {
            0
        };
        epoch.extend(std::iter::repeat_n(i as u32, copies));
    }
    if epoch.is_empty() {
        // Every weight is 0: fall back to one of each.
        epoch.extend(0..samples.len() as u32);
    }
    // Fisher–Yates, written out so the draw sequence is ours, not a library detail.
    for k in (1..epoch.len()).rev() {
        let j = rng.gen_range(0..=k);
        epoch.swap(k, j);
    }
}

/// `noise flip q`: each of the `n_inputs` level-1 bits of `input` flips independently
/// with probability `q` (one uniform draw per bit, in node order). Result ascending.
pub fn flip_noise(
    input: &[NodeId],
    n_inputs: usize,
    q: f64,
    rng: &mut RunRng,
    out: &mut Vec<NodeId>,
) {
    out.clear();
    let mut k = 0;
    for node in 0..n_inputs as NodeId {
        let on = if k < input.len() && input[k] == node {
            k += 1;
            true
        } else {
            false
        };
        let flip = rng.gen::<f64>() < q;
        if on != flip {
            out.push(node);
        }
    }
}
