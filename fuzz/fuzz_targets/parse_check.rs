//! Parser + checker: any bytes must give an IR or diagnostics, never a panic or a hang.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(source) = nshed::source::from_bytes("fuzz.nshed", data.to_vec()) {
        if let Err(report) = nshed::compile(source) {
            // Rendering walks the spans: it must not panic either.
            let _ = report.render(nshed::diag::RenderStyle::Plain);
        }
    }
});
