//! REPL line parser (and queries' answers) on fig1: any text gives a command or
//! diagnostics, never a panic. Commands that train are parsed, not run (they could
//! legitimately take hours: `train 18446744073709551615`).
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use nshed::repl::command::{parse, Command};

fn model() -> &'static nshed::Compiled {
    static MODEL: OnceLock<nshed::Compiled> = OnceLock::new();
    MODEL.get_or_init(|| match nshed::compile_path("../examples/fig1.nshed") {
        Ok(c) => c,
        Err(report) => panic!("{}", report.render(nshed::diag::RenderStyle::Plain)),
    })
}

fuzz_target!(|data: &[u8]| {
    let Ok(line) = std::str::from_utf8(data) else { return };
    let compiled = model();
    match parse(Some(&compiled.ir), line) {
        Ok(Command::Query(query)) => {
            let m = nshed::engine::Model::new(&compiled.ir);
            let state = nshed::engine::State::new(&compiled.ir, 0);
            let _ = nshed::query::answer(&m, &state, &query).to_string();
        }
        Ok(_) => {}
        Err(problems) => {
            let _ = nshed::diag::Report::new("input", line, problems).render(nshed::diag::RenderStyle::Plain);
        }
    }
});
