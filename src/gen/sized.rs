//! Parameters chosen to hit a node count, with sparse pathways (about 5% of nodes firing
//! per sample), for benchmarks and experiments that sweep model size.

use super::params::{GenParams, RuleMix, Widths, MAX_NODES};

/// Share of input nodes that fire in a prototype pattern.
const INPUT_DENSITY: f64 = 0.05;

/// Gate mix that keeps the firing density of a level close to that of the level below
/// when children fire with probability ~5% and fan-in is 3..5: `any` of ~4 children
/// fires ~18% of the time, a genuine `atleast` ~0.7%, `all` almost never. Mixing them
/// ~1 : 3 (plus a few `all`s) keeps the level near 5% (see `tests/gen_firing.rs`).
pub const SPARSE_MIX: RuleMix = RuleMix {
    any: 6.0,
    all: 1.0,
    atleast: 18.0,
};

/// The parameters `generate_sized` uses. Out-of-range arguments are brought into range:
/// `levels` to at least 2, `total_nodes` to at least what the levels need and at most
/// `MAX_NODES`.
pub fn sized_params(total_nodes: usize, levels: usize, seed: u64) -> GenParams {
    let levels = levels.max(2);
    let total = total_nodes.clamp(1, MAX_NODES);
    // One class per 20 nodes, 2 to 10, and no more than an eighth of a level's width
    // (narrow levels cannot keep ten classes apart).
    let non_class_levels = levels - 1;
    let classes = (total / 20)
        .clamp(2, 10)
        .min((total / non_class_levels / 8).max(2));
    // Input level and each feature level share what the classes leave, equally.
    let rest = total.saturating_sub(classes).max(non_class_levels);
    let width = rest / non_class_levels;
    let input_width = width + rest % non_class_levels;
    let fan_lo = 3.min(width).min(input_width).max(1);
    // At least three inputs, so that the samples of two classes rarely coincide in small
    // models.
    let pattern_size = ((input_width as f64 * INPUT_DENSITY).round() as usize)
        .clamp(3.min(input_width), input_width);
    GenParams {
        levels,
        widths: Widths::Uniform(width),
        input_width,
        fan_in: (fan_lo, 5.max(fan_lo)),
        mix: SPARSE_MIX,
        classes,
        prototypes_per_class: 2,
        pattern_size,
        samples_per_prototype: 3,
        // Small next to the 5% density, so noise does not swamp the pattern.
        noise: 0.002,
        seed,
        with_train: Some((1000, 8)),
    }
}

/// A model of about `total_nodes` nodes (exactly, unless clamped by `sized_params`) in
/// `levels` levels, as `.nshed` text.
pub fn generate_sized(total_nodes: usize, levels: usize, seed: u64) -> String {
    let params = sized_params(total_nodes, levels, seed);
    match super::generate(&params) {
        Ok(text) => text,
        // `sized_params` only makes valid parameters; this arm documents that invariant
        // rather than panicking if it were ever broken.
        Err(e) => format!("// nshed gen: cannot generate: {e}\n"),
    }
}
