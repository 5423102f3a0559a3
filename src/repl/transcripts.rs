//! REPL transcripts: `tests/repl/*.txt` hold input lines (`> ...`, continued with
//! `… ...`) each followed by the expected output (answer, then diagnostics). They run
//! through `Session::eval`, the code the terminal runs, in process: a session's answer
//! and its diagnostics come back apart, in the order the transcript shows them, which
//! the binary's two output streams would not keep. Files named `*.json.txt` run the
//! session in `--json` mode. `NSHED_BLESS=1 cargo test --bin nshed transcripts` rewrites
//! the expected outputs (then read the diff).

use std::sync::atomic::AtomicBool;

use nshed::diag::RenderStyle;

use super::frontend::Evaluator;
use super::Session;

struct Entry {
    input: Vec<String>,
    expected: Vec<String>,
}

fn parse(text: &str) -> Vec<Entry> {
    let mut entries: Vec<Entry> = Vec::new();
    for line in text.lines() {
        if let Some(input) = line.strip_prefix("> ") {
            entries.push(Entry {
                input: vec![input.to_string()],
                expected: Vec::new(),
            });
        } else if let (Some(cont), Some(last)) = (line.strip_prefix("… "), entries.last_mut()) {
            last.input.push(cont.to_string());
        } else if let Some(last) = entries.last_mut() {
            last.expected.push(line.to_string());
        }
    }
    entries
}

/// Runs one transcript. `$TMP` in an input line names a fresh temporary directory (files
/// the session writes go there); answers show it as `$TMP` again.
fn run(path: &std::path::Path) -> (String, String) {
    let text = std::fs::read_to_string(path).expect("transcript is readable");
    let tmp = tempfile::tempdir().expect("temp dir");
    let tmp_path = tmp.path().to_str().expect("UTF-8 temp path").to_string();
    let json = path.to_string_lossy().ends_with(".json.txt");
    let mut session = Session::new(json, RenderStyle::Plain);
    let interrupt = AtomicBool::new(false);
    let mut actual = String::new();
    for entry in parse(&text) {
        for (i, line) in entry.input.iter().enumerate() {
            actual.push_str(if i == 0 { "> " } else { "… " });
            actual.push_str(line);
            actual.push('\n');
        }
        let input = entry.input.join("\n").replace("$TMP", &tmp_path);
        if input.trim_start().starts_with("//") {
            continue;
        }
        let outcome = session.eval(&input, &interrupt);
        for part in [&outcome.output, &outcome.diagnostics] {
            let part = &part.replace(&tmp_path, "$TMP");
            if !part.is_empty() {
                actual.push_str(part);
                if !part.ends_with('\n') {
                    actual.push('\n');
                }
            }
        }
    }
    (text, actual)
}

#[test]
fn transcripts() {
    let mut failures = Vec::new();
    let mut paths: Vec<_> = std::fs::read_dir("tests/repl")
        .expect("tests/repl exists")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "txt"))
        .collect();
    paths.sort();
    assert!(
        paths.len() >= 5,
        "expected the REPL transcripts in tests/repl"
    );
    for path in paths {
        let (expected, actual) = run(&path);
        if same_transcript(&expected, &actual) {
            continue;
        }
        if std::env::var_os("NSHED_BLESS").is_some() {
            std::fs::write(&path, &actual).expect("transcript is writable");
        } else {
            failures.push(format!(
                "{}:\n{}",
                path.display(),
                similar_diff(&expected, &actual)
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "transcripts differ (NSHED_BLESS=1 to accept):\n{}",
        failures.join("\n")
    );
}

/// Whether two transcripts agree. `$TMP` stood for a longer path when the session printed
/// it, so a table naming it was aligned to that path: the answers that name `$TMP` are
/// compared with runs of spaces folded into one, every other answer exactly.
fn same_transcript(expected: &str, actual: &str) -> bool {
    /// The transcript cut into answers, each starting at its `> ` input line.
    fn answers(text: &str) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for line in text.lines() {
            match out.last_mut() {
                Some(last) if !line.starts_with("> ") => {
                    last.push('\n');
                    last.push_str(line);
                }
                _ => out.push(line.to_string()),
            }
        }
        out
    }
    let fold = |answer: &str| answer.split_whitespace().collect::<Vec<_>>().join(" ");
    let (expected, actual) = (answers(expected), answers(actual));
    expected.len() == actual.len()
        && expected.iter().zip(&actual).all(|(e, a)| {
            e == a || (e.contains("$TMP") && a.contains("$TMP") && fold(e) == fold(a))
        })
}

/// A line diff good enough to read in a test failure.
fn similar_diff(expected: &str, actual: &str) -> String {
    let e: Vec<&str> = expected.lines().collect();
    let a: Vec<&str> = actual.lines().collect();
    let mut out = String::new();
    for i in 0..e.len().max(a.len()) {
        match (e.get(i), a.get(i)) {
            (Some(x), Some(y)) if x == y => {}
            (x, y) => {
                out.push_str(&format!(
                    "line {}:\n  - {}\n  + {}\n",
                    i + 1,
                    x.unwrap_or(&"<none>"),
                    y.unwrap_or(&"<none>")
                ));
            }
        }
    }
    out
}
