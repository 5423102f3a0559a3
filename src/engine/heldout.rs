//! The test set of a run: the model's held-out samples, then, with `copies N flip q`,
//! noisy copies of every training sample. The copies are drawn from a stream of their
//! own, keyed by the run's seed (the key of the state's training stream) and the test
//! stream's number, so drawing them takes nothing from the training stream: adding a
//! test set changes no training result, and the same seed gives the same copies.

use rand::SeedableRng;

use super::sample::flip_noise;
use super::state::{RunRng, State};
use crate::ir::{Ir, Sample};

/// The stream number of the test copies (the training streams of a sweep's runs count
/// up from 0; this one is far past any of them).
pub const TEST_STREAM: u64 = u64::from_be_bytes(*b"nshedtst");

/// The test stream of a run whose training stream is `rng`.
fn test_rng(rng: &RunRng) -> RunRng {
    let mut test = RunRng::from_seed(rng.get_seed());
    test.set_stream(TEST_STREAM);
    test
}

/// Whether the model has a test set (a `test` block).
pub fn has_test(ir: &Ir) -> bool {
    ir.test.is_some()
}

/// The test samples of a run at `state` (any state of the run: only its seed counts):
/// the written and read ones in file order, then copy `j` of training sample `s`, named
/// `s~j`, for `s` in data order and `j` from 1 (all of `s`'s copies together). Empty
/// without a `test` block.
pub fn test_samples(ir: &Ir, state: &State) -> Vec<Sample> {
    let Some(test) = &ir.test else {
        return Vec::new();
    };
    let mut out = test.samples.clone();
    if let Some(copies) = test.copies {
        let mut rng = test_rng(&state.rng);
        let n_inputs = ir.levels.first().map_or(0, |l| l.len as usize);
        out.reserve(ir.data.samples.len() * copies.count as usize);
        for s in &ir.data.samples {
            for j in 1..=copies.count {
                let mut input = Vec::new();
                flip_noise(&s.input, n_inputs, copies.flip, &mut rng, &mut input);
                out.push(Sample {
                    name: format!("{}~{j}", s.name),
                    input,
                    label: s.label,
                    weight: 1.0,
                });
            }
        }
    }
    out
}
