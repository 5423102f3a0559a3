//! The terminal side of the REPL: rustyline editing, history, completion, multi-line
//! input, Ctrl-C / Ctrl-D, and the non-interactive script mode. The session logic is
//! behind `Evaluator`, so tests drive exactly the same code with strings.

use std::borrow::Cow;
use std::io::{BufRead, Write};
use std::path::PathBuf;
use std::sync::atomic::AtomicBool;

use rustyline::completion::{Completer, Pair};
use rustyline::error::ReadlineError;
use rustyline::highlight::Highlighter;
use rustyline::hint::Hinter;
use rustyline::history::{FileHistory, History};
use rustyline::validate::{ValidationContext, ValidationResult, Validator};
use rustyline::{Context, Editor, Helper};

/// What evaluating one input produced.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Outcome {
    /// The answer, for stdout.
    pub output: String,
    /// Diagnostics, for stderr.
    pub diagnostics: String,
    /// True when the input was an error (the session goes on).
    pub is_error: bool,
    /// True when the session should end (`:quit`).
    pub quit: bool,
}

/// A REPL session as the front end sees it.
pub trait Evaluator {
    /// Evaluates one complete input (which may span lines). `interrupt` becomes true when
    /// the user presses Ctrl-C during a long command, which should stop early and keep
    /// the state reached so far.
    fn eval(&mut self, input: &str, interrupt: &AtomicBool) -> Outcome;
    /// Words that tab completion offers now: commands, node, sample and class names.
    fn completion_words(&self) -> Vec<String>;
}

/// True while an input has more `{` than `}` or more `(` than `)`: ask for another line.
pub fn is_incomplete(input: &str) -> bool {
    let mut braces = 0i64;
    let mut parens = 0i64;
    for line in input.lines() {
        let code = line.split("//").next().unwrap_or("");
        for c in code.chars() {
            match c {
                '{' => braces += 1,
                '}' => braces -= 1,
                '(' => parens += 1,
                ')' => parens -= 1,
                _ => {}
            }
        }
    }
    braces > 0 || parens > 0
}

/// Characters that end a word for completion purposes.
fn is_word_break(c: char) -> bool {
    c.is_whitespace() || matches!(c, '{' | '}' | '(' | ')' | ',' | '>' | '=' | '-')
}

/// Candidates for the word that ends at `pos`.
pub fn complete_word(words: &[String], line: &str, pos: usize) -> (usize, Vec<String>) {
    let head = &line[..pos.min(line.len())];
    let start = head
        .char_indices()
        .rev()
        .find(|(_, c)| is_word_break(*c))
        .map(|(i, c)| i + c.len_utf8())
        .unwrap_or(0);
    let prefix = &head[start..];
    let at_line_start = head[..start].trim().is_empty();
    let mut found: Vec<String> = words
        .iter()
        .filter(|w| w.starts_with(prefix))
        // Colon commands only make sense as the first word.
        .filter(|w| at_line_start || !w.starts_with(':'))
        .cloned()
        .collect();
    found.sort();
    found.dedup();
    (start, found)
}

struct ReplHelper {
    words: Vec<String>,
}

impl Completer for ReplHelper {
    type Candidate = Pair;
    fn complete(
        &self,
        line: &str,
        pos: usize,
        _ctx: &Context<'_>,
    ) -> rustyline::Result<(usize, Vec<Pair>)> {
        let (start, found) = complete_word(&self.words, line, pos);
        Ok((
            start,
            found
                .into_iter()
                .map(|w| Pair {
                    display: w.clone(),
                    replacement: w,
                })
                .collect(),
        ))
    }
}

impl Hinter for ReplHelper {
    type Hint = String;
}

impl Highlighter for ReplHelper {
    fn highlight_prompt<'b, 's: 'b, 'p: 'b>(
        &'s self,
        prompt: &'p str,
        _default: bool,
    ) -> Cow<'b, str> {
        Cow::Borrowed(prompt)
    }
}

impl Validator for ReplHelper {
    fn validate(&self, ctx: &mut ValidationContext) -> rustyline::Result<ValidationResult> {
        if is_incomplete(ctx.input()) {
            Ok(ValidationResult::Incomplete)
        } else {
            Ok(ValidationResult::Valid(None))
        }
    }
}

impl Helper for ReplHelper {}

/// Where the history lives: `<data dir>/nshed/history.txt` (e.g. `~/.local/share/nshed`).
pub fn history_path() -> Option<PathBuf> {
    dirs::data_dir().map(|d| d.join("nshed").join("history.txt"))
}

/// Writes `text` to stderr (diagnostics, notes). A failing stderr is not worth ending the
/// session for: there is nowhere left to report it.
fn say_on_stderr(text: &str) {
    let mut err = std::io::stderr().lock();
    let _ = err.write_all(text.as_bytes());
    if !text.ends_with('\n') {
        let _ = err.write_all(b"\n");
    }
}

/// Shows an outcome: its diagnostics on stderr, its answer on `out` (standard output). A
/// failed write of the answer is the error: the session cannot go on answering nobody.
fn emit(outcome: &Outcome, out: &mut dyn Write) -> std::io::Result<()> {
    if !outcome.diagnostics.is_empty() {
        let mut err = std::io::stderr().lock();
        let _ = err.write_all(outcome.diagnostics.as_bytes());
    }
    if !outcome.output.is_empty() {
        out.write_all(outcome.output.as_bytes())?;
        if !outcome.output.ends_with('\n') {
            out.write_all(b"\n")?;
        }
        out.flush()?;
    }
    Ok(())
}

/// What the interactive loop says when the terminal sends a byte that is not UTF-8.
pub const NOT_UTF8: &str = "error: the terminal sent a byte that is not UTF-8 text; the line being typed was dropped\n  help: type the line again (nshed reads UTF-8 text)";

/// Why the interactive loop ended early.
#[derive(Debug)]
pub enum Ended {
    /// An answer could not be written to the output.
    Output(std::io::Error),
    /// The terminal could not be used.
    Terminal(String),
}

/// The interactive loop, answering on `out` (standard output). Returns when the user quits
/// (`:quit`, Ctrl-D).
pub fn run_interactive(
    evaluator: &mut dyn Evaluator,
    banner: &str,
    out: &mut dyn Write,
) -> Result<(), Ended> {
    let mut editor: Editor<ReplHelper, FileHistory> =
        Editor::new().map_err(|e| Ended::Terminal(format!("cannot start the line editor: {e}")))?;
    editor.set_helper(Some(ReplHelper {
        words: evaluator.completion_words(),
    }));
    let history = history_path();
    if let Some(path) = &history {
        // A missing history file is normal on first use.
        let _ = editor.load_history(path);
    }
    let signals = crate::term::signals();
    let interrupt = signals.flag();
    writeln!(out, "{banner}")
        .and_then(|()| out.flush())
        .map_err(Ended::Output)?;
    loop {
        match editor.readline("nshed> ") {
            Ok(line) => {
                if line.trim().is_empty() {
                    continue;
                }
                let _ = editor.add_history_entry(line.as_str());
                signals.reset();
                let outcome = evaluator.eval(&line, interrupt);
                emit(&outcome, out).map_err(Ended::Output)?;
                if outcome.quit {
                    break;
                }
                if let Some(helper) = editor.helper_mut() {
                    helper.words = evaluator.completion_words();
                }
            }
            // Ctrl-C at the prompt cancels the line being typed.
            Err(ReadlineError::Interrupted) => continue,
            Err(ReadlineError::Eof) => break,
            // A byte that is not UTF-8 (a stray key, a pasted binary) costs the line being
            // typed, not the session: every byte read is consumed, so this cannot loop.
            Err(ReadlineError::Io(e)) if e.kind() == std::io::ErrorKind::InvalidData => {
                say_on_stderr(NOT_UTF8);
                continue;
            }
            Err(e) => return Err(Ended::Terminal(format!("cannot read the terminal: {e}"))),
        }
    }
    if let Some(path) = &history {
        if editor.history().is_empty() {
            return Ok(());
        }
        if let Some(dir) = path.parent() {
            let _ = std::fs::create_dir_all(dir);
        }
        if let Err(e) = editor.save_history(path) {
            say_on_stderr(&format!(
                "warning: cannot save the history to {}: {e}",
                path.display()
            ));
        }
    }
    Ok(())
}

/// Runs every input of a script (standard input that is not a terminal): lines are joined
/// while braces are open, each input is evaluated and answered on `out` (standard output),
/// with no prompt. Returns whether any input was an error; an answer that cannot be
/// written ends the script with that error (nothing after it is evaluated).
pub fn run_script(
    evaluator: &mut dyn Evaluator,
    input: impl BufRead,
    out: &mut dyn Write,
) -> std::io::Result<bool> {
    let signals = crate::term::signals();
    let interrupt = signals.flag();
    let mut any_error = false;
    let mut pending = String::new();
    for line in input.lines() {
        let Ok(line) = line else {
            say_on_stderr("error: standard input is not valid UTF-8 text");
            return Ok(true);
        };
        if !pending.is_empty() {
            pending.push('\n');
        }
        pending.push_str(&line);
        if is_incomplete(&pending) {
            continue;
        }
        let input = std::mem::take(&mut pending);
        if input.trim().is_empty() || input.trim_start().starts_with("//") {
            continue;
        }
        let outcome = evaluator.eval(&input, interrupt);
        any_error |= outcome.is_error;
        emit(&outcome, out)?;
        if outcome.quit {
            return Ok(any_error);
        }
    }
    if !pending.trim().is_empty() {
        let outcome = evaluator.eval(&pending, interrupt);
        any_error |= outcome.is_error;
        emit(&outcome, out)?;
    }
    Ok(any_error)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn open_braces_ask_for_more() {
        assert!(is_incomplete("step {e1 e2"));
        assert!(is_incomplete("step {e1 e2}->c1, {e3"));
        assert!(!is_incomplete("step {e1 e2}->c1"));
        assert!(!is_incomplete("pathway {e1} // a { in a comment"));
        assert!(!is_incomplete("}"));
    }

    #[test]
    fn completes_the_word_under_the_cursor() {
        let words: Vec<String> = ["pathway", "predict", "e1", "e2", "c1", ":quit", ":load"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        assert_eq!(
            complete_word(&words, "p", 1),
            (0, vec!["pathway".into(), "predict".into()])
        );
        assert_eq!(
            complete_word(&words, "pathway {e", 10),
            (9, vec!["e1".into(), "e2".into()])
        );
        assert_eq!(complete_word(&words, ":q", 2), (0, vec![":quit".into()]));
        // Colon commands are not offered after the first word.
        assert_eq!(complete_word(&words, "le c1 :", 7).1, Vec::<String>::new());
        assert_eq!(
            complete_word(&words, "step {e1}->c", 12),
            (11, vec!["c1".into()])
        );
    }
}
