//! Generated models for the depth sweeps: `nshed gen`'s generator run in-process, its text
//! compiled like a file (so a generated model is exactly what `nshed gen` would write).

use crate::diag::RenderStyle;
use crate::gen::GenParams;
use crate::ir::Ir;
use crate::source::Source;

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
