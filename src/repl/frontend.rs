//! The terminal side of the REPL: rustyline editing, history, completion, multi-line
//! input, Ctrl-C / Ctrl-D, and the non-interactive script mode. The session logic is
//! behind `Evaluator`, so tests drive exactly the same code with strings.

use std::borrow::Cow;
use std::io::Write;
use std::path::PathBuf;
use std::sync::atomic::AtomicBool;

use rustyline::completion::{Completer, Pair};
use rustyline::error::ReadlineError;
use rustyline::highlight::Highlighter;
use rustyline::hint::Hinter;
use rustyline::history::{FileHistory, History};
use rustyline::validate::Validator;
use rustyline::{Context, Editor, Helper};

use super::complete::complete;
pub use super::complete::Vocabulary;
use nshed::fsio::{Line, Lines, ReadError};

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

/// Where an input came from, for diagnostics: a script's name and the line its input
/// starts on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Origin {
    pub name: String,
    /// 1-based.
    pub line: usize,
}

/// A REPL session as the front end sees it.
pub trait Evaluator {
    /// Evaluates one complete input (which may span lines). `interrupt` becomes true when
    /// the user presses Ctrl-C during a long command, which should stop early and keep
    /// the state reached so far.
    fn eval(&mut self, input: &str, interrupt: &AtomicBool) -> Outcome;
    /// Evaluates an input read from `origin` (a script): diagnostics name its line there.
    fn eval_from(&mut self, input: &str, origin: &Origin, interrupt: &AtomicBool) -> Outcome;
    /// The names tab completion can offer now.
    fn vocabulary(&self) -> Vocabulary;
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

/// Cuts a stream of lines into inputs: lines are joined while braces are open; blank
/// lines and comment lines between inputs are dropped. Script mode, typed lines and
/// pasted text (one line or many, bracketed or not) all go through it, so every line is
/// run, in order.
#[derive(Debug, Default)]
pub struct Inputs {
    pending: String,
    /// The line number of the pending input's first line.
    first: usize,
    /// Lines seen so far.
    lines: usize,
}

impl Inputs {
    /// Takes one line; returns the input it completes with the number of its first line.
    pub fn push(&mut self, line: &str) -> Option<(String, usize)> {
        self.lines += 1;
        if self.pending.is_empty() {
            if line.trim().is_empty() || line.trim_start().starts_with("//") {
                return None;
            }
            self.first = self.lines;
        } else {
            self.pending.push('\n');
        }
        self.pending.push_str(line);
        if is_incomplete(&self.pending) {
            return None;
        }
        Some((std::mem::take(&mut self.pending), self.first))
    }

    /// Every input that `text` (one or more lines) completes, in order.
    pub fn push_text(&mut self, text: &str) -> Vec<(String, usize)> {
        // A final line end closes the last line; it does not start another.
        let text = text.strip_suffix('\n').unwrap_or(text);
        text.split('\n')
            .map(|l| l.strip_suffix('\r').unwrap_or(l))
            .filter_map(|l| self.push(l))
            .collect()
    }

    /// True while an input is open (a `{` not closed yet).
    pub fn is_pending(&self) -> bool {
        !self.pending.is_empty()
    }

    /// The open input so far, as completion sees it.
    pub fn pending(&self) -> &str {
        &self.pending
    }

    /// Ends the stream: the open input, if any, with its first line.
    pub fn finish(&mut self) -> Option<(String, usize)> {
        (!self.pending.trim().is_empty()).then(|| (std::mem::take(&mut self.pending), self.first))
    }

    /// Drops the open input (Ctrl-C at a continuation prompt).
    pub fn cancel(&mut self) {
        self.pending.clear();
    }
}

/// The prompt, and the one shown while an input is open.
pub const PROMPT: &str = "nshed> ";
pub const CONTINUATION_PROMPT: &str = "  ...> ";

struct ReplHelper {
    vocabulary: Vocabulary,
    /// The lines of an open input before the one being edited.
    pending: String,
}

impl Completer for ReplHelper {
    type Candidate = Pair;
    fn complete(
        &self,
        line: &str,
        pos: usize,
        _ctx: &Context<'_>,
    ) -> rustyline::Result<(usize, Vec<Pair>)> {
        // A continuation line is completed in the context of the lines before it.
        let (text, shift) = if self.pending.is_empty() {
            (line.to_string(), 0)
        } else {
            let before = format!("{}\n", self.pending);
            let shift = before.len();
            (before + line, shift)
        };
        let (start, found) = complete(&self.vocabulary, &text, pos + shift);
        Ok((
            start.saturating_sub(shift),
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

// Every line is taken as typed; `Inputs` joins the lines of an open input, shown with
// the continuation prompt.
impl Validator for ReplHelper {}

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

/// Why a session ended early.
#[derive(Debug)]
pub enum Ended {
    /// An answer could not be written to the output.
    Output(std::io::Error),
    /// The terminal could not be used.
    Terminal(String),
    /// A stop signal ended it: SIGTERM or SIGHUP (interactive), or any of them while a
    /// script ran or waited for its next line.
    Stopped(crate::term::Stop),
}

/// The longest input the REPL reads, in bytes: one line, or the lines of an input joined
/// while a brace is open (16 MiB; a pattern of a million nodes is about 8 MB). A longer
/// one (a line that never ends, like `/dev/zero`'s) ends a script.
pub const MAX_INPUT_BYTES: usize = 16 << 20;

/// The interactive loop, answering on `out` (standard output). Returns when the user quits
/// (`:quit`, Ctrl-D).
///
/// Every line the terminal delivers is run, in order: lines typed ahead (while a long
/// command runs) wait in the line editor's buffer, and a paste of several lines, which
/// a terminal with bracketed paste hands over as one edit, is cut into its inputs.
pub fn run_interactive(
    evaluator: &mut dyn Evaluator,
    banner: &str,
    out: &mut dyn Write,
) -> Result<(), Ended> {
    let mut editor: Editor<ReplHelper, FileHistory> =
        Editor::new().map_err(|e| Ended::Terminal(format!("cannot start the line editor: {e}")))?;
    editor.set_helper(Some(ReplHelper {
        vocabulary: evaluator.vocabulary(),
        pending: String::new(),
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
    let mut inputs = Inputs::default();
    'session: loop {
        if let Some(helper) = editor.helper_mut() {
            helper.pending = inputs.pending().to_string();
        }
        let prompt = if inputs.is_pending() {
            CONTINUATION_PROMPT
        } else {
            PROMPT
        };
        // The line editor restarts its reads after a signal: while it waits, SIGTERM and
        // SIGHUP end the process as they would without handlers.
        let read = {
            let _idle = signals.idle();
            editor.readline(prompt)
        };
        let ready = match read {
            Ok(text) => inputs.push_text(&text),
            // Ctrl-C at the prompt cancels the line (and an open input).
            Err(ReadlineError::Interrupted) => {
                inputs.cancel();
                continue;
            }
            // Ctrl-D: an open input is run (and answered) before leaving.
            Err(ReadlineError::Eof) => {
                if let Some((input, _)) = inputs.finish() {
                    emit(&evaluator.eval(&input, interrupt), out).map_err(Ended::Output)?;
                }
                break;
            }
            // A byte that is not UTF-8 (a stray key, a pasted binary) costs the line being
            // typed, not the session: every byte read is consumed, so this cannot loop.
            Err(ReadlineError::Io(e)) if e.kind() == std::io::ErrorKind::InvalidData => {
                say_on_stderr(NOT_UTF8);
                continue;
            }
            Err(e) => return Err(Ended::Terminal(format!("cannot read the terminal: {e}"))),
        };
        for (input, _) in ready {
            let _ = editor.add_history_entry(input.as_str());
            signals.reset();
            let outcome = evaluator.eval(&input, interrupt);
            emit(&outcome, out).map_err(Ended::Output)?;
            if outcome.quit {
                break 'session;
            }
            // Ctrl-C stops a command and the session goes on; SIGTERM and SIGHUP end it
            // (after the command stopped early, keeping what it did).
            if let Some(stop @ (crate::term::Stop::Terminate | crate::term::Stop::HangUp)) =
                signals.stopped_by()
            {
                return Err(Ended::Stopped(stop));
            }
            if let Some(helper) = editor.helper_mut() {
                helper.vocabulary = evaluator.vocabulary();
            }
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
/// while braces are open, each input is evaluated and answered, with no prompt; a
/// diagnostic names the script line it is about (`stdin:LINE:COLUMN`). Answers go to `out`
/// (standard output). Returns whether any input was an error. It ends early, with
/// [`Ended`], when an answer cannot be written (nothing after it is evaluated) or a stop
/// signal arrives (while a command runs, which stops early, or while the script waits for
/// its next line). A line that is not UTF-8, or an input longer than [`MAX_INPUT_BYTES`],
/// is an error that ends the script.
pub fn run_script(
    evaluator: &mut dyn Evaluator,
    lines: &mut Lines,
    out: &mut dyn Write,
) -> Result<bool, Ended> {
    let signals = crate::term::signals();
    let interrupt = signals.flag();
    let stopped = || {
        signals
            .stopped_by()
            .map_or(Ok(()), |s| Err(Ended::Stopped(s)))
    };
    let mut any_error = false;
    let mut inputs = Inputs::default();
    let mut run = |evaluator: &mut dyn Evaluator, (text, line): (String, usize)| {
        let origin = Origin {
            name: "stdin".to_string(),
            line,
        };
        let outcome = evaluator.eval_from(&text, &origin, interrupt);
        emit(&outcome, out).map_err(Ended::Output)?;
        Ok::<_, Ended>((outcome.is_error, outcome.quit))
    };
    loop {
        stopped()?;
        let line = match lines.next_line() {
            Ok(Some(Line::Text(line))) => line,
            Ok(Some(Line::NotText)) => {
                say_on_stderr("error: standard input is not valid UTF-8 text");
                return Ok(true);
            }
            Ok(None) => break,
            Err(ReadError::Stopped) => {
                stopped()?;
                return Err(Ended::Stopped(crate::term::Stop::Interrupt));
            }
            Err(ReadError::TooLarge { limit, .. }) => {
                say_on_stderr(&too_long(limit));
                return Ok(true);
            }
            Err(e) => {
                say_on_stderr(&format!("error: cannot read standard input: {e}"));
                return Ok(true);
            }
        };
        if inputs.pending().len() + line.len() > MAX_INPUT_BYTES {
            say_on_stderr(&too_long(MAX_INPUT_BYTES));
            return Ok(true);
        }
        if let Some(ready) = inputs.push(&line) {
            let (error, quit) = run(evaluator, ready)?;
            any_error |= error;
            if quit {
                return Ok(any_error);
            }
        }
    }
    if let Some(ready) = inputs.finish() {
        any_error |= run(evaluator, ready)?.0;
    }
    stopped()?;
    Ok(any_error)
}

fn too_long(limit: usize) -> String {
    format!(
        "error: an input of the script is longer than {limit} bytes; the script stops here\n  help: a line of a REPL script is one command"
    )
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
    fn every_line_of_a_paste_is_an_input() {
        let mut inputs = Inputs::default();
        assert_eq!(
            inputs.push_text("pathway c1a\npathway c2\n"),
            vec![
                ("pathway c1a".to_string(), 1),
                ("pathway c2".to_string(), 2)
            ]
        );
        // An open brace waits for the lines that close it, across pastes.
        assert_eq!(inputs.push_text("\n// a comment\npathway {e1"), vec![]);
        assert!(inputs.is_pending());
        assert_eq!(inputs.pending(), "pathway {e1");
        assert_eq!(
            inputs.push_text("e2}\r\nle c1a c2"),
            vec![
                ("pathway {e1\ne2}".to_string(), 5),
                ("le c1a c2".to_string(), 7)
            ]
        );
        assert_eq!(inputs.push_text("step {e1"), vec![]);
        inputs.cancel();
        assert!(!inputs.is_pending());
        assert_eq!(inputs.push_text("step {e3"), vec![]);
        assert_eq!(inputs.finish(), Some(("step {e3".to_string(), 9)));
    }
}
