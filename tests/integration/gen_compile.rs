//! Every generated model compiles (`nshed::compile`) without errors or warnings, for a
//! spread of parameter combinations, and the IR has the requested shape. The one warning
//! a generated model may carry is about its data: a noisy sample can fire no parent of any
//! class (`nshed::check::no_class_reached`), which is true of that sample, not a fault of
//! the model's structure.

use nshed::gen::{self, GenParams, RuleMix, Widths};
use nshed::source::Source;

fn compile(text: String) -> nshed::Compiled {
    let source = Source {
        name: "generated.nshed".to_string(),
        text,
    };
    match nshed::compile(source) {
        Ok(c) => c,
        Err(report) => panic!(
            "generated model does not compile:\n{}",
            report.render(nshed::diag::RenderStyle::Plain)
        ),
    }
}

/// The warnings of `compiled` other than samples that reach no class.
fn structural_warnings(compiled: &nshed::Compiled) -> Vec<&nshed::diag::Problem> {
    compiled
        .warnings()
        .problems
        .iter()
        .filter(|p| p.code.as_str() != "nshed::check::no_class_reached")
        .collect()
}

fn combinations() -> Vec<GenParams> {
    let base = GenParams::default();
    vec![
        base.clone(),
        GenParams {
            with_train: Some((500, 16)),
            seed: 3,
            ..base.clone()
        },
        GenParams {
            levels: 2,
            widths: Widths::PerLevel(vec![]),
            classes: 3,
            ..base.clone()
        },
        GenParams {
            levels: 6,
            // Each level has enough child slots to use every node below it (12 × 2 >= 20);
            // with fewer, dead-node warnings are unavoidable.
            widths: Widths::PerLevel(vec![10, 20, 12, 20]),
            input_width: 20,
            fan_in: (2, 6),
            mix: RuleMix {
                any: 0.0,
                all: 1.0,
                atleast: 3.0,
            },
            classes: 9,
            pattern_size: 20,
            noise: 0.5,
            with_train: Some((0, 1)),
            seed: u64::MAX,
            ..base.clone()
        },
        // Fewer level-(L-1) nodes than classes: classes share parents.
        GenParams {
            levels: 3,
            widths: Widths::Uniform(2),
            input_width: 4,
            pattern_size: 2,
            classes: 5,
            fan_in: (2, 2),
            ..base.clone()
        },
        gen::sized_params(20_000, 5, 7),
    ]
}

#[test]
fn generated_models_compile_cleanly() {
    for p in combinations() {
        let compiled = compile(gen::generate(&p).unwrap());
        assert!(
            structural_warnings(&compiled).is_empty(),
            "{}: unexpected warnings:\n{}",
            p.describe(),
            compiled.warnings().render(nshed::diag::RenderStyle::Plain)
        );
        let ir = compiled.ir();
        assert_eq!(ir.n_levels(), p.levels);
        assert_eq!(ir.classes.len(), p.classes);
        assert_eq!(ir.nodes.len() + ir.classes.len(), p.total_nodes().unwrap());
        assert_eq!(
            ir.data.samples.len(),
            p.classes * p.prototypes_per_class * p.samples_per_prototype
        );
        assert_eq!(ir.train.is_some(), p.with_train.is_some());
    }
}

#[test]
fn sized_models_compile_cleanly() {
    for (total, levels) in [(10, 2), (100, 3), (5_000, 8)] {
        let compiled = compile(gen::generate_sized(total, levels, 1));
        assert!(structural_warnings(&compiled).is_empty());
    }
}
