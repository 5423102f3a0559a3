//! The REPL's line evaluator on fig1: any text, evaluated line by line in one session,
//! gives answers or diagnostics: never a panic, a hang or a NaN in an answer (SPEC 10).
//! Lines that touch files (`:save`, `:restore`, `:load`, `:reload`, `draw`) are parsed but
//! not evaluated: they would write anywhere on this machine, and the `saved_state` target
//! fuzzes the state format. `train N` is capped so that an input stays fast.
//!
//! The REPL is part of the `nshed` binary, not of the library: this target compiles the
//! binary's own `repl` and `term` modules into itself (by path), so it fuzzes the very code
//! `nshed repl` runs, through the library like the binary does.
#![no_main]

// Only the session is driven here: the terminal side of these modules is unused.
#[allow(dead_code)]
#[path = "../../src/repl/mod.rs"]
mod repl;
#[allow(dead_code)]
#[path = "../../src/term.rs"]
mod term;

use std::sync::atomic::AtomicBool;
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use nshed::diag::RenderStyle;
use repl::command::{parse, Command};
use repl::Session;

const MODEL: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../examples/fig1.nshed");

/// Longest `train N` evaluated.
const MAX_STEPS: u64 = 2_000;

/// Lines evaluated per input.
const MAX_LINES: usize = 16;

fn model() -> &'static nshed::Compiled {
    static MODEL_IR: OnceLock<nshed::Compiled> = OnceLock::new();
    MODEL_IR.get_or_init(|| match nshed::compile_path(MODEL) {
        Ok(c) => c,
        Err(report) => panic!("{}", report.render(RenderStyle::Plain)),
    })
}

fn evaluated(command: &Command) -> bool {
    match command {
        Command::Save(_)
        | Command::Restore(_)
        | Command::Load(_)
        | Command::Reload
        | Command::Draw { .. } => false,
        Command::Train(Some(n)) => *n <= MAX_STEPS,
        _ => true,
    }
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let ir = model().ir();
    // The first byte picks JSON answers or tables, so both renderers are fuzzed.
    let json = data.first().is_some_and(|b| b % 2 == 1);
    let mut session = Session::new(json, RenderStyle::Plain);
    let loaded = session.load_path(MODEL);
    assert!(!loaded.is_error, "{}", loaded.diagnostics);
    let stop = AtomicBool::new(false);
    for line in text.lines().take(MAX_LINES) {
        if parse(Some(ir), line).is_ok_and(|c| !evaluated(&c)) {
            continue;
        }
        let outcome = session.eval_line(line, &stop);
        assert!(
            !outcome.output.contains("NaN"),
            "`{line}` answered with a NaN:\n{}",
            outcome.output
        );
        if outcome.quit {
            break;
        }
    }
});
