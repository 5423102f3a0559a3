//! Saved states for fig1: any bytes are refused with a diagnostic or accepted, and an
//! accepted state is one the engine can continue from: training on from it, reporting it
//! and saving it again never panics, and its values stay finite logs (or exact zeros).
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use nshed::diag::RenderStyle;
use nshed::engine::{Model, Trainer};

const MODEL: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../examples/fig1.nshed");

fn model() -> &'static (nshed::Compiled, String) {
    static MODEL_IR: OnceLock<(nshed::Compiled, String)> = OnceLock::new();
    MODEL_IR.get_or_init(|| match nshed::compile_path(MODEL) {
        Ok(c) => {
            let hash = nshed::persist::source_hash(&c.source().text);
            (c, hash)
        }
        Err(report) => panic!("{}", report.render(RenderStyle::Plain)),
    })
}

fuzz_target!(|data: &[u8]| {
    let (compiled, hash) = model();
    let ir = compiled.ir();
    let Ok(mut saved) = nshed::persist::parse("fuzz.json", data, ir, hash) else {
        return;
    };
    let engine = Model::new(ir);
    let mut trainer = Trainer::new(&engine);
    // A few scheduled steps, then a few past the end of the schedule (the REPL's `train`).
    trainer.run_steps(&mut saved.state, 8, &mut |_| {});
    trainer.run_extra_steps(&mut saved.state, 2, &mut |_| {});
    let report = nshed::report::RunReport::new(&engine, &saved.state);
    let _ = serde_json::to_string(&report);
    let state = &saved.state;
    for v in state.ln_lambdas().into_iter().chain(state.ln_etas()) {
        assert!(!v.is_nan() && v != f64::INFINITY, "ln value {v}");
    }
    let text = serde_json::to_string(&saved).expect("an accepted state can be saved again");
    let again = nshed::persist::parse("again.json", text.as_bytes(), ir, hash);
    assert!(again.is_ok(), "a saved state reads back: {:?}", again.err());
});
