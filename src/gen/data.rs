//! Data: `K` prototype input patterns per class, and samples that are noisy copies.

use rand_distr::{Distribution, Geometric};

use super::build::{rng_for, STREAM_PROTOTYPES, STREAM_SAMPLES};
use super::params::GenParams;

/// One labelled data sample.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GenSample {
    /// Firing input nodes, ascending.
    pub inputs: Vec<u32>,
    pub class: u32,
    /// Index into `Generated::prototypes`.
    pub prototype: u32,
}

/// How many times a prototype is redrawn when it equals one of another class.
const REDRAWS: usize = 16;

/// `classes * K` patterns of `pattern_size` distinct inputs, class-major. A pattern equal
/// to one of another class (no gate could tell their samples apart) is redrawn, up to
/// `REDRAWS` times (small input levels may leave no choice).
pub(super) fn prototypes(params: &GenParams) -> Vec<Vec<u32>> {
    let mut rng = rng_for(params.seed, STREAM_PROTOTYPES);
    let n = params.classes * params.prototypes_per_class;
    let k = params.prototypes_per_class;
    let mut out: Vec<Vec<u32>> = Vec::with_capacity(n);
    for index in 0..n {
        let class = index / k;
        let mut pattern = Vec::new();
        for _ in 0..=REDRAWS {
            pattern = rand::seq::index::sample(&mut rng, params.input_width, params.pattern_size)
                .into_iter()
                .map(|i| i as u32)
                .collect();
            pattern.sort_unstable();
            let taken = out
                .iter()
                .enumerate()
                .any(|(other, p)| other / k != class && *p == pattern);
            if !taken {
                break;
            }
        }
        out.push(pattern);
    }
    out
}

/// `samples_per_prototype` noisy copies of each prototype, in prototype order.
pub(super) fn samples(params: &GenParams, prototypes: &[Vec<u32>]) -> Vec<GenSample> {
    let mut rng = rng_for(params.seed, STREAM_SAMPLES);
    let k = params.prototypes_per_class;
    let mut out = Vec::with_capacity(prototypes.len() * params.samples_per_prototype);
    // Flip positions are drawn by geometric gaps, so the cost is the number of flips,
    // not the number of inputs. `validate` guarantees 0 <= noise <= 1.
    let gaps = Geometric::new(params.noise)
        .ok()
        .filter(|_| params.noise > 0.0);
    let mut flips: Vec<u32> = Vec::new();
    for (index, pattern) in prototypes.iter().enumerate() {
        for _ in 0..params.samples_per_prototype {
            flips.clear();
            if let Some(gaps) = &gaps {
                let mut at: u64 = gaps.sample(&mut rng);
                while at < params.input_width as u64 {
                    flips.push(at as u32);
                    at = at.saturating_add(1).saturating_add(gaps.sample(&mut rng));
                }
            }
            out.push(GenSample {
                inputs: symmetric_difference(pattern, &flips),
                class: (index / k) as u32,
                prototype: index as u32,
            });
        }
    }
    out
}

/// Elements in exactly one of two ascending lists, ascending.
fn symmetric_difference(a: &[u32], b: &[u32]) -> Vec<u32> {
    let mut out = Vec::with_capacity(a.len() + b.len());
    let (mut i, mut j) = (0, 0);
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => {
                out.push(a[i]);
                i += 1;
            }
            std::cmp::Ordering::Greater => {
                out.push(b[j]);
                j += 1;
            }
            std::cmp::Ordering::Equal => {
                i += 1;
                j += 1;
            }
        }
    }
    out.extend_from_slice(&a[i..]);
    out.extend_from_slice(&b[j..]);
    out
}

#[cfg(test)]
mod tests {
    use super::symmetric_difference;

    #[test]
    fn symmetric_difference_flips_bits() {
        assert_eq!(
            symmetric_difference(&[1, 3, 5], &[0, 3, 9]),
            vec![0, 1, 5, 9]
        );
        assert_eq!(symmetric_difference(&[], &[2]), vec![2]);
        assert_eq!(symmetric_difference(&[2], &[]), vec![2]);
    }
}
