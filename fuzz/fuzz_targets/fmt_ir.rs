//! `nshed fmt`, differentially: for any source that parses, the formatted text compiles to
//! the same IR (or the same diagnostics, code for code), keeps every comment in order, and
//! formatting it again changes nothing.
#![no_main]

use libfuzzer_sys::fuzz_target;
use nshed::source::Source;
use nshed::syntax::lex;
use nshed::syntax::print::format_source;

/// The IR as JSON, or the codes of the problems.
fn compiled(text: &str) -> Result<String, Vec<&'static str>> {
    let source = Source {
        name: "fuzz.nshed".to_string(),
        text: text.to_string(),
    };
    match nshed::compile(source) {
        Ok(c) => Ok(serde_json::to_string(c.ir()).expect("an IR serialises")),
        Err(report) => Err(report.problems.iter().map(|p| p.code.as_str()).collect()),
    }
}

fn comments(text: &str) -> Vec<String> {
    lex::tokens(text)
        .into_iter()
        .filter(|t| t.kind == lex::TokenKind::Comment)
        .map(|t| t.text(text).trim_end().to_string())
        .collect()
}

fuzz_target!(|data: &[u8]| {
    let Ok(source) = nshed::source::from_bytes("fuzz.nshed", data.to_vec()) else {
        return;
    };
    let Ok(formatted) = format_source(&source.text) else {
        return;
    };
    let again = format_source(&formatted).expect("the formatted text parses");
    assert_eq!(again, formatted, "formatting is not idempotent");
    assert_eq!(comments(&formatted), comments(&source.text), "comments differ");
    assert_eq!(
        compiled(&formatted),
        compiled(&source.text),
        "the formatted text means something else:\n{formatted}"
    );
});
