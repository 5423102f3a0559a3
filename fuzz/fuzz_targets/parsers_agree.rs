//! The two parsers agree: on any text, the hand-written parser (`syntax::fast`, nshed's
//! reader) and the pest grammar (the grammar of record) either both accept it with the
//! same syntax tree, spans included, or both refuse it with the first error at the same
//! place. The tolerant reading past that error must not panic either, and its errors
//! come in source order, each inside the text.
#![no_main]

use libfuzzer_sys::fuzz_target;
use nshed::syntax::parse::pest_error_offset;
use nshed::syntax::{fast, parse_file_pest};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    // Expressions nested too deeply are refused before either parser runs.
    let Ok(pest_at) = pest_error_offset(text) else {
        return;
    };
    let fast = fast::parse(text);
    assert!(
        fast.errors.windows(2).all(|w| w[0].at < w[1].at)
            && fast.errors.iter().all(|e| e.at <= text.len()),
        "errors out of order: {:?}",
        fast.errors
    );
    match (fast.errors.first(), pest_at) {
        (None, None) => {
            let pest = parse_file_pest(text).ok();
            assert!(fast.file.is_some() && fast.file == pest, "the trees differ");
        }
        (Some(error), Some(at)) => assert_eq!(
            error.at, at,
            "the first error is elsewhere (fast expected {:?})",
            error.expected
        ),
        (Some(error), None) => panic!("fast refuses what pest accepts: {error:?}"),
        (None, Some(at)) => panic!("fast accepts what pest refuses at {at}"),
    }
    // What the user sees: every error rendered, never a panic.
    let parsed = nshed::syntax::parse(text);
    let report = nshed::diag::Report::new("fuzz.nshed", text, parsed.errors);
    let _ = report.render(nshed::diag::RenderStyle::Plain);
});
