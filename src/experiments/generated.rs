//! Generated models for the depth sweeps: `nshed gen`'s generator run in-process, its text
//! compiled like a file (so a generated model is exactly what `nshed gen` would write).

use serde::{Deserialize, Serialize};

use crate::diag::RenderStyle;
use crate::gen::{GenParams, RuleMix, Widths};
use crate::ir::Ir;
use crate::source::Source;

/// Most levels a depth sweep may ask for.
pub const MAX_DEPTH: usize = 64;

/// The shape of the generated models of a depth sweep (every depth uses the same shape).
/// Shard files carry it under these field names.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct GenShape {
    /// Width of every feature level.
    pub width: usize,
    /// Input (level-1) nodes.
    pub inputs: usize,
    /// Children per middle node, `(min, max)`.
    pub fan_in: (usize, usize),
    /// How many classes.
    pub classes: usize,
    /// Prototype patterns per class.
    pub prototypes: usize,
    /// Noisy data samples made from each prototype.
    pub samples_per_prototype: usize,
    /// Input nodes firing in each prototype (`inputs / 8`, at least 1, when `None`).
    pub pattern_size: Option<usize>,
    /// Probability that each bit of a prototype flips in a data sample.
    pub noise: f64,
    /// Batch size of the training phase.
    pub batch: u64,
}

impl Default for GenShape {
    fn default() -> Self {
        GenShape {
            width: 32,
            inputs: 64,
            fan_in: (2, 4),
            classes: 4,
            prototypes: 2,
            samples_per_prototype: 4,
            pattern_size: None,
            noise: 0.05,
            batch: 1,
        }
    }
}

impl GenShape {
    /// The generator's parameters for a model of `levels` levels trained `steps` steps.
    pub fn params(&self, levels: usize, steps: u64, seed: u64) -> GenParams {
        GenParams {
            levels,
            widths: Widths::Uniform(self.width),
            input_width: self.inputs,
            fan_in: self.fan_in,
            mix: RuleMix::default(),
            classes: self.classes,
            prototypes_per_class: self.prototypes,
            pattern_size: self.pattern_size.unwrap_or((self.inputs / 8).max(1)),
            samples_per_prototype: self.samples_per_prototype,
            noise: self.noise,
            seed,
            with_train: Some((steps, self.batch)),
        }
    }

    /// Checks that every depth gives a valid model (the first problem).
    pub fn validate(&self, depths: &[usize], steps: u64) -> Result<(), String> {
        for &d in depths {
            if !(2..=MAX_DEPTH).contains(&d) {
                return Err(format!(
                    "depth {d} is out of range: a model has 2 to {MAX_DEPTH} levels"
                ));
            }
            self.params(d, steps, 0)
                .validate()
                .map_err(|e| format!("depth {d}: {e}"))?;
        }
        Ok(())
    }
}

/// The checked IR of the model `params` generates; `Err` carries a readable reason.
pub fn generated_ir(params: &GenParams) -> Result<Ir, String> {
    let text = crate::gen::generate(params).map_err(|e| e.to_string())?;
    let source = Source {
        name: format!("<generated: {}>", params.describe()),
        text,
    };
    crate::compile(source)
        .map(|compiled| compiled.ir)
        .map_err(|report| report.render(RenderStyle::Plain))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_depth_is_the_level_count() {
        for levels in [2, 3, 6] {
            let params = GenParams {
                levels,
                with_train: Some((10, 2)),
                ..GenParams::default()
            };
            let ir = generated_ir(&params).unwrap();
            assert_eq!(ir.n_levels(), levels);
            assert_eq!(ir.train.as_ref().unwrap().phases[0].steps, 10);
        }
        let bad = GenParams {
            levels: 1,
            ..GenParams::default()
        };
        assert!(generated_ir(&bad).unwrap_err().contains("levels"));
    }
}
