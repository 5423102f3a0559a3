//! `nshed merge` on forged shard files: the input is split into files at each NUL byte;
//! any set of files is refused with a reason or merged, and a merged sweep's report
//! renders (table, JSON, CSV, SVG) without a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

/// Most shard files per input.
const MAX_FILES: usize = 4;

fuzz_target!(|data: &[u8]| {
    let mut files = Vec::new();
    for (i, part) in data.split(|&b| b == 0).take(MAX_FILES).enumerate() {
        let Ok(text) = std::str::from_utf8(part) else {
            return;
        };
        files.push((format!("part{i}.json"), text.to_string()));
    }
    match nshed::experiments::sweep::merge(&files) {
        Ok(report) => {
            let _ = report.table();
            let _ = report.json();
            let _ = report.csv();
            let _ = report.svg();
        }
        Err(e) => {
            assert!(!e.message.is_empty(), "a refusal says why");
        }
    }
});
