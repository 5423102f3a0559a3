//! Property test: mutated sources never make the front end panic. Every file in
//! `examples/` and `tests/bad/` is mutated with a fixed-seed generator (delete, duplicate,
//! insert a token, swap two spans) and compiled; a panic is reported with its input.

use crate::support::mutate::mutants;

const MUTANTS: usize = 10_000;

#[test]
fn mutants_never_panic() {
    let mut compiled = 0usize;
    for (i, mutant) in mutants(MUTANTS).into_iter().enumerate() {
        let input = mutant.clone();
        let outcome = std::panic::catch_unwind(move || {
            let source = nshed::source::from_bytes("mutant.nshed", input)?;
            let result = nshed::compile(source);
            // Rendering is part of the user's path too.
            if let Err(report) = &result {
                let _ = report.render(nshed::diag::RenderStyle::Plain);
            }
            result.map(|_| ())
        });
        match outcome {
            Ok(result) => compiled += usize::from(result.is_ok()),
            Err(_) => panic!(
                "compile panicked on mutant {i}:\n{}",
                String::from_utf8_lossy(&mutant)
            ),
        }
    }
    // Some mutants must survive the parser, or the checker is not being exercised.
    assert!(compiled > MUTANTS / 50, "only {compiled} mutants compiled");
}
