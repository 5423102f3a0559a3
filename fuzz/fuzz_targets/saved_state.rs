//! Saved states for fig1: any bytes are refused with a diagnostic or accepted, and an
//! accepted state is one the engine can continue from: training on from it, reporting it
//! and saving it again never panics, and its values stay finite logs (or exact zeros).
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use nshed::diag::RenderStyle;
use nshed::engine::{train, Control, Model, Trainer, Until};

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
    // A few scheduled steps, then two more as the REPL's `train 2` takes them (past the
    // end of the schedule when it is spent).
    let eight = Control {
        stop_after: Some(8),
        ..Control::default()
    };
    train(&mut trainer, &mut saved.state, Until::EndOfSchedule, &eight, None);
    train(&mut trainer, &mut saved.state, Until::Steps(2), &Control::default(), None);
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
