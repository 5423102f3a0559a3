//! User-facing problems: one `Problem` type for every stage (syntax, check, CLI,
//! REPL, saved states), rendered by miette. A `Report` bundles all the problems of one
//! source so they are shown together.

use std::fmt;
use std::sync::Arc;

use miette::{
    Diagnostic, GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteError,
    MietteSpanContents, Severity, SourceCode, SourceSpan, SpanContents,
};

use crate::span::LineIndex;
use crate::span::Span;

mod code;
pub use code::ErrorCode;

/// One problem: an error or a warning, with a stable code, a short lowercase message
/// naming the thing, labelled spans and a help line saying what to do.
#[derive(Clone, Debug)]
pub struct Problem {
    /// Whether it is an error or a warning.
    pub severity: Severity,
    /// What kind of problem it is; shown as e.g. `nshed::check::unknown_name`.
    pub code: ErrorCode,
    /// What is wrong, short and lowercase, naming the thing.
    pub message: String,
    /// The places in the source it points at; the first is the primary one.
    pub labels: Vec<LabeledSpan>,
    /// What to do about it.
    pub help: Option<String>,
    /// Set when the labels point into another file than the report's source (a data file
    /// the model reads): that file, and the place in the model that reads it.
    pub in_file: Option<InFile>,
}

/// The other file a [`Problem`]'s labels point into, and the span of the model's source
/// that names it (`from "FILE.csv"`): where an editor shows the problem.
#[derive(Clone, Debug)]
pub struct InFile {
    /// The other file's text and name.
    pub source: Arc<IndexedSource>,
    /// The span of the model's source that names the file.
    pub from: Span,
}

impl Problem {
    /// An error with `code` and `message`, as yet without labels or help.
    pub fn error(code: ErrorCode, message: impl Into<String>) -> Self {
        Problem {
            severity: Severity::Error,
            code,
            message: message.into(),
            labels: Vec::new(),
            help: None,
            in_file: None,
        }
    }

    /// A warning with `code` and `message`, as yet without labels or help.
    pub fn warning(code: ErrorCode, message: impl Into<String>) -> Self {
        Problem {
            severity: Severity::Warning,
            ..Problem::error(code, message)
        }
    }

    /// Adds a label; the first one added is the primary label.
    pub fn label(mut self, span: Span, text: impl Into<String>) -> Self {
        let primary = self.labels.is_empty();
        let text = text.into();
        let label = if primary {
            LabeledSpan::new_primary_with_span(Some(text), span)
        } else {
            LabeledSpan::new_with_span(Some(text), span)
        };
        self.labels.push(label);
        self
    }

    /// Sets the help line.
    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// Whether it is an error (not a warning).
    pub fn is_error(&self) -> bool {
        matches!(self.severity, Severity::Error)
    }

    /// The same problem, its labels pointing into `source` (read by the model at `from`).
    pub fn in_file(mut self, source: &Arc<IndexedSource>, from: Span) -> Self {
        self.in_file = Some(InFile {
            source: Arc::clone(source),
            from,
        });
        self
    }

    /// The problem as the model's own source shows it: unchanged, or for a problem in
    /// another file, labelled at the place that reads that file, its message starting with
    /// `FILE:LINE:COL:` and followed by that line of the file (an editor shows a model's
    /// problems on the model alone).
    pub fn at_model(&self) -> Problem {
        let Some(file) = &self.in_file else {
            return self.clone();
        };
        let text = file.source.inner();
        let offset = self
            .labels
            .first()
            .map_or(0, |l| l.offset())
            .min(text.len());
        let index = LineIndex::new(text);
        let at = index.line_col(text, offset);
        let start = index.line_start(at.line, text);
        let line = text[start..].lines().next().unwrap_or("");
        let shown: String = line.chars().take(200).collect();
        let column = text.get(start..offset).map_or(0, |t| t.chars().count()) + 1;
        let mut message = format!(
            "{}:{}:{column}: {}",
            file.source.name(),
            at.line + 1,
            self.message
        );
        if let Some(label) = self.labels.first().and_then(|l| l.label()) {
            message.push_str(&format!(" ({label})"));
        }
        message.push_str(&format!("\n  {shown}"));
        Problem {
            message,
            labels: Vec::new(),
            in_file: None,
            ..self.clone()
        }
        .label(file.from, "in this file")
    }

    /// Where the problem is in the model's source: its primary label's offset, or for a
    /// problem in another file, the place that reads that file.
    pub fn model_offset(&self) -> usize {
        match &self.in_file {
            Some(file) => file.from.start,
            None => self.labels.first().map_or(0, |l| l.offset()),
        }
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Problem {}

impl Diagnostic for Problem {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new(self.code))
    }
    fn severity(&self) -> Option<Severity> {
        Some(self.severity)
    }
    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.help
            .as_ref()
            .map(|h| Box::new(h) as Box<dyn fmt::Display + 'a>)
    }
    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        if self.labels.is_empty() {
            None
        } else {
            Some(Box::new(self.labels.iter().cloned()))
        }
    }
}

/// A named source text that diagnostics point into. It finds a span's lines through an
/// index of line starts, so drawing a diagnostic reads only the lines it shows; miette's
/// own reader walks the text from its start for every label, which made reporting many
/// problems in a large file quadratic. What it hands to miette is exactly what miette's
/// reader would (same bytes, line, column and line count), so diagnostics look the same.
#[derive(Debug)]
pub struct IndexedSource {
    name: String,
    text: String,
    /// Built at the first read: where every line starts (after `\n`, `\r\n` or a lone
    /// `\r`, as miette counts line breaks).
    lines: std::sync::OnceLock<LineIndex>,
}

impl IndexedSource {
    /// The source `text`, shown under `name`.
    pub fn new(name: &str, text: String) -> IndexedSource {
        IndexedSource {
            name: name.to_string(),
            text,
            lines: std::sync::OnceLock::new(),
        }
    }

    /// The name diagnostics show for the source (a path, `<stdin>`, `input`).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The source text.
    pub fn inner(&self) -> &String {
        &self.text
    }

    fn lines(&self) -> &LineIndex {
        self.lines.get_or_init(|| LineIndex::new(&self.text))
    }

    /// The line holding byte `offset`: its number (0-based) and its start and end (the end
    /// excludes the line break).
    fn line_of(&self, offset: usize) -> (usize, usize, usize) {
        let index = self.lines();
        let line = index.line_col(&self.text, offset.min(self.text.len())).line;
        let start = index.line_start(line, &self.text);
        (line, start, index.line_end(line, &self.text))
    }
}

impl SourceCode for IndexedSource {
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        context_lines_before: usize,
        context_lines_after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
        // miette's reader, started at a line start far enough before the span that the
        // context lines it keeps are the same; its line numbers then count from there.
        let index = self.lines();
        let (line, _, _) = self.line_of(span.offset());
        let first = line.saturating_sub(context_lines_before + 1);
        let start = index.line_start(first, &self.text);
        let breaks_before = first;
        let window = &self.text.as_bytes()[start..];
        let shifted = SourceSpan::new(span.offset().saturating_sub(start).into(), span.len());
        let inner = window.read_span(&shifted, context_lines_before, context_lines_after)?;
        let contents = MietteSpanContents::new_named(
            self.name.clone(),
            inner.data(),
            SourceSpan::new((inner.span().offset() + start).into(), inner.span().len()),
            inner.line() + breaks_before,
            inner.column(),
            inner.line_count() + breaks_before,
        );
        Ok(Box::new(contents))
    }
}

/// A problem attached to the source it points into, so it can be rendered alone.
#[derive(Debug)]
pub struct Located {
    /// The source it points into.
    pub source: Arc<IndexedSource>,
    /// The problem.
    pub problem: Problem,
    /// Lines of the larger text before the source's first line (see [`Report::at_line`]).
    pub lines_before: usize,
}

impl SourceCode for Located {
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        context_lines_before: usize,
        context_lines_after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
        let inner = self
            .source
            .read_span(span, context_lines_before, context_lines_after)?;
        if self.lines_before == 0 {
            return Ok(inner);
        }
        Ok(Box::new(MietteSpanContents::new_named(
            self.source.name().to_string(),
            inner.data(),
            *inner.span(),
            inner.line() + self.lines_before,
            inner.column(),
            inner.line_count(),
        )))
    }
}

impl fmt::Display for Located {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.problem, f)
    }
}

impl std::error::Error for Located {}

impl Diagnostic for Located {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Diagnostic::code(&self.problem)
    }
    fn severity(&self) -> Option<Severity> {
        Diagnostic::severity(&self.problem)
    }
    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Diagnostic::help(&self.problem)
    }
    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        Diagnostic::labels(&self.problem)
    }
    fn source_code(&self) -> Option<&dyn SourceCode> {
        Some(self as &dyn SourceCode)
    }
}

/// All the problems found in one source, in source order.
#[derive(Debug)]
pub struct Report {
    /// The source they point into.
    pub source: Arc<IndexedSource>,
    /// The problems, in source order.
    pub problems: Vec<Problem>,
    /// Lines of the larger text before the source's first line: a script's input is
    /// drawn with the line numbers it has in the script.
    pub lines_before: usize,
}

impl Report {
    /// The problems of `text`, in source order, every label ending at its last
    /// character (not at the blanks or comment that follow it). The report keeps its own
    /// copy of the text only when there is a problem to draw: a clean compile of a
    /// generated 10^6-node model would otherwise hold its 60 MB source twice.
    pub fn new(name: &str, text: &str, mut problems: Vec<Problem>) -> Self {
        // Source order reads best; a stable sort keeps the checker's order for ties.
        problems.sort_by_key(Problem::model_offset);
        for p in problems.iter_mut().filter(|p| p.in_file.is_none()) {
            for label in &mut p.labels {
                let len = trimmed_len(text, label.offset(), label.len());
                if len != label.len() {
                    let text = label.label().map(str::to_string);
                    let span = (label.offset(), len);
                    *label = if label.primary() {
                        LabeledSpan::new_primary_with_span(text, span)
                    } else {
                        LabeledSpan::new_with_span(text, span)
                    };
                }
            }
        }
        let text = if problems.is_empty() {
            String::new()
        } else {
            text.to_string()
        };
        Report {
            source: Arc::new(IndexedSource::new(name, text)),
            problems,
            lines_before: 0,
        }
    }

    /// The same report for a source that starts at line `line` (1-based) of a larger
    /// text, such as one input of a script.
    pub fn at_line(mut self, line: usize) -> Self {
        self.lines_before = line.saturating_sub(1);
        self
    }

    /// Whether any problem is an error.
    pub fn has_errors(&self) -> bool {
        self.problems.iter().any(Problem::is_error)
    }

    /// How many problems are errors.
    pub fn error_count(&self) -> usize {
        self.problems.iter().filter(|p| p.is_error()).count()
    }

    /// How many problems are warnings.
    pub fn warning_count(&self) -> usize {
        self.problems.len() - self.error_count()
    }

    /// Each problem as a stand-alone diagnostic with the source attached.
    pub fn located(&self) -> impl Iterator<Item = Located> + '_ {
        self.problems.iter().map(|p| match &p.in_file {
            Some(file) => Located {
                source: Arc::clone(&file.source),
                problem: drawable(&file.source, p),
                lines_before: 0,
            },
            None => Located {
                source: Arc::clone(&self.source),
                problem: drawable(&self.source, p),
                lines_before: self.lines_before,
            },
        })
    }

    /// Renders every problem, one after the other.
    pub fn render(&self, style: RenderStyle) -> String {
        let mut out = String::new();
        for located in self.located() {
            out.push_str(&render(&located, style));
        }
        out
    }
}

/// The length of the span `offset..offset + len` of `text` without the blanks and line
/// comments at its end. Grammar rules that end in an optional part take the whitespace and
/// comments after them into their span; a label should stop at the last character that
/// belongs to the thing it names. A span of nothing but blanks keeps its length.
fn trimmed_len(text: &str, offset: usize, len: usize) -> usize {
    let end = offset.saturating_add(len);
    let Some(mut span) = text.get(offset..end) else {
        return len;
    };
    loop {
        let t = span.trim_end();
        let line_start = t.rfind('\n').map_or(0, |i| i + 1);
        // A comment is `//` to the end of its line; `//` right after other text (a path
        // like `a//b` in a REPL line) is not taken for one.
        let comment = t[line_start..]
            .match_indices("//")
            .map(|(i, _)| line_start + i)
            .find(|&i| i == line_start || t[..i].ends_with(char::is_whitespace));
        match comment {
            Some(i) if !t[..i].trim().is_empty() => span = &t[..i],
            _ => {
                span = t;
                break;
            }
        }
    }
    if span.is_empty() {
        len
    } else {
        span.len()
    }
}

impl Report {
    /// Every problem as one JSON object per line (`--error-format json`): file, code,
    /// severity, message, help, and labels with byte offsets and 1-based line and column
    /// (in characters) of their start and end (the end is exclusive).
    pub fn to_json_lines(&self) -> String {
        let text = self.source.inner().as_str();
        let index = crate::span::LineIndex::new(text);
        // The line index of the data file the last problem pointed into (a file's
        // problems come together).
        let mut other: Option<(Arc<IndexedSource>, crate::span::LineIndex)> = None;
        let mut out = String::new();
        for problem in &self.problems {
            let json = match &problem.in_file {
                None => problem.to_json(self.source.name(), text, &index),
                Some(file) => {
                    if !other
                        .as_ref()
                        .is_some_and(|(s, _)| Arc::ptr_eq(s, &file.source))
                    {
                        let index = crate::span::LineIndex::new(file.source.inner());
                        other = Some((Arc::clone(&file.source), index));
                    }
                    let index = other.as_ref().map(|(_, i)| i);
                    let fallback = crate::span::LineIndex::new("");
                    problem.to_json(
                        file.source.name(),
                        file.source.inner(),
                        index.unwrap_or(&fallback),
                    )
                }
            };
            // Serialising plain strings and numbers cannot fail.
            out.push_str(&serde_json::to_string(&json).unwrap_or_default());
            out.push('\n');
        }
        out
    }
}

/// One diagnostic as `--error-format json` prints it.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct JsonDiagnostic {
    /// The file's name.
    pub file: String,
    /// The problem's code, e.g. `nshed::check::unknown_name`.
    pub code: String,
    /// `error`, `warning` or `advice`.
    pub severity: String,
    /// What is wrong.
    pub message: String,
    /// What to do about it.
    pub help: Option<String>,
    /// The places it points at.
    pub labels: Vec<JsonLabel>,
}

/// A labelled place of a [`JsonDiagnostic`].
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct JsonLabel {
    /// The label's text.
    pub message: Option<String>,
    /// The first label of a problem is its primary one.
    pub primary: bool,
    /// Where the span starts.
    pub start: JsonPosition,
    /// Exclusive: the position just after the last character of the span.
    pub end: JsonPosition,
}

/// A position in a file.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct JsonPosition {
    /// Byte offset into the file.
    pub offset: usize,
    /// 1-based line.
    pub line: usize,
    /// 1-based column, in characters.
    pub column: usize,
}

/// The word for a severity in JSON and in the language server.
pub fn severity_word(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Advice => "advice",
    }
}

impl Problem {
    /// This problem in the JSON form, its spans placed in `text` (named `file`).
    pub fn to_json(
        &self,
        file: &str,
        text: &str,
        index: &crate::span::LineIndex,
    ) -> JsonDiagnostic {
        let position = |offset: usize| {
            let offset = crate::span::floor_char_boundary(text, offset);
            let (line, column) = index.human(text, offset);
            JsonPosition {
                offset,
                line,
                column,
            }
        };
        JsonDiagnostic {
            file: file.to_string(),
            code: self.code.to_string(),
            severity: severity_word(self.severity).to_string(),
            message: self.message.clone(),
            help: self.help.clone(),
            labels: self
                .labels
                .iter()
                .map(|l| JsonLabel {
                    message: l.label().map(str::to_string),
                    primary: l.primary(),
                    start: position(l.offset()),
                    end: position(l.offset() + l.len()),
                })
                .collect(),
        }
    }
}

/// Longest source line drawn under a diagnostic. miette prints the whole line and pads
/// through `{:width$}`, which Rust limits to `u16::MAX`; generated models can have lines
/// of megabytes, which are useless to print anyway.
const MAX_DRAWN_LINE: usize = 1_000;

/// `problem` as it can be drawn: labels too far right on their line are replaced by
/// their line and column in the text, so nothing is lost and the renderer cannot fail.
fn drawable(source: &IndexedSource, problem: &Problem) -> Problem {
    let line_len_at = |offset: usize| {
        let (_, start, end) = source.line_of(offset);
        end - start
    };
    let too_wide = problem.labels.iter().any(|l| {
        line_len_at(l.offset()) > MAX_DRAWN_LINE
            || line_len_at(l.offset() + l.len()) > MAX_DRAWN_LINE
    });
    if !too_wide {
        return problem.clone();
    }
    let mut plain = problem.clone();
    plain.labels.clear();
    for label in &problem.labels {
        let offset = label.offset().min(source.text.len());
        let (line, start, _) = source.line_of(offset);
        let text = label.label().unwrap_or("here");
        plain.message.push_str(&format!(
            "\n  at line {}, column {}: {text}",
            line + 1,
            offset - start + 1
        ));
    }
    plain
}

/// How diagnostics are drawn.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RenderStyle {
    /// Unicode art with colours (a terminal).
    Fancy,
    /// Unicode art, no colours, fixed width: what the golden tests and pipes see.
    Plain,
}

impl RenderStyle {
    /// Colours only when stderr is a terminal and NO_COLOR is not set.
    pub fn for_stderr() -> Self {
        use std::io::IsTerminal;
        if std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none() {
            RenderStyle::Fancy
        } else {
            RenderStyle::Plain
        }
    }

    /// Colours only when stdout is a terminal and NO_COLOR is not set.
    pub fn for_stdout() -> Self {
        use std::io::IsTerminal;
        if std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none() {
            RenderStyle::Fancy
        } else {
            RenderStyle::Plain
        }
    }
}

/// Renders one diagnostic to text.
pub fn render(diagnostic: &dyn Diagnostic, style: RenderStyle) -> String {
    let handler = match style {
        RenderStyle::Fancy => GraphicalReportHandler::new_themed(GraphicalTheme::unicode()),
        RenderStyle::Plain => {
            GraphicalReportHandler::new_themed(GraphicalTheme::unicode_nocolor()).with_width(100)
        }
    };
    let mut out = String::new();
    if handler.render_report(&mut out, diagnostic).is_err() {
        // Rendering into a String cannot fail short of a formatter bug; fall back to
        // the bare message rather than lose the problem.
        out = format!("{diagnostic}\n");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_far_right_are_described_not_drawn() {
        let text = format!("model m {{ {} }}", "x ".repeat(40_000));
        let at = text.len() - 3;
        let problem =
            Problem::error(ErrorCode::Failed, "far away").label(Span::new(at, at + 1), "this one");
        let report = Report::new("long.nshed", &text, vec![problem]);
        let rendered = report.render(RenderStyle::Plain);
        assert!(rendered.contains("far away"), "{rendered}");
        assert!(
            rendered.contains(&format!("at line 1, column {}: this one", at + 1)),
            "{rendered}"
        );
    }

    /// Random texts mixing `\n`, `\r\n` and lone `\r`, random spans, every context size:
    /// the indexed reader hands miette exactly what miette's own reader gives.
    #[test]
    fn the_indexed_reader_agrees_with_miettes() {
        use rand::{Rng, SeedableRng};
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(7);
        let pieces = ["a", "bc", " ", "\n", "\r\n", "\r", "\n\n", "xyz"];
        for _ in 0..300 {
            let n = rng.gen_range(0..40);
            let text: String = (0..n)
                .map(|_| pieces[rng.gen_range(0..pieces.len())])
                .collect();
            let named = miette::NamedSource::new("t.nshed", text.clone());
            let indexed = IndexedSource::new("t.nshed", text.clone());
            for _ in 0..20 {
                // Spans inside the text (miette's own reader panics past its end).
                let offset = rng.gen_range(0..=text.len());
                let len = rng.gen_range(0..4).min(text.len() - offset);
                let span = SourceSpan::new(offset.into(), len);
                for (before, after) in [(0, 0), (1, 1), (2, 0), (0, 3), (3, 2)] {
                    let want = named.read_span(&span, before, after);
                    let got = indexed.read_span(&span, before, after);
                    match (want, got) {
                        (Ok(w), Ok(g)) => {
                            let what = format!("{text:?} at {offset}+{len}, {before}/{after}");
                            assert_eq!(w.data(), g.data(), "{what}");
                            assert_eq!(w.span(), g.span(), "{what}");
                            assert_eq!(w.line(), g.line(), "{what}");
                            assert_eq!(w.column(), g.column(), "{what}");
                            assert_eq!(w.line_count(), g.line_count(), "{what}");
                            assert_eq!(w.name(), g.name(), "{what}");
                        }
                        (Err(_), Err(_)) => {}
                        (w, g) => panic!(
                            "{text:?} {offset}+{len}: {:?} vs {:?}",
                            w.is_ok(),
                            g.is_ok()
                        ),
                    }
                }
            }
        }
    }

    #[test]
    fn labels_end_at_their_last_character() {
        let text = "init { lambda x = 0 - 1   // note\n\n}\n";
        let start = text.find("0 - 1").expect("found");
        let problem = Problem::error(ErrorCode::Failed, "negative")
            .label(Span::new(start, text.len() - 2), "this is -1")
            .label(Span::new(text.len() - 1, text.len()), "blank only");
        let report = Report::new("m.nshed", text, vec![problem]);
        let labels = &report.problems[0].labels;
        assert_eq!((labels[0].offset(), labels[0].len()), (start, 5));
        assert_eq!(labels[1].len(), 1, "a span of blanks keeps its length");
        // `//` inside a word is not a comment.
        assert_eq!(trimmed_len(":load a//b.nshed  ", 6, 12), 10);
        assert_eq!(trimmed_len("x // y", 0, 6), 1);
    }

    #[test]
    fn a_report_can_start_at_a_later_line() {
        let problem = Problem::error(ErrorCode::Failed, "bad").label(Span::new(8, 11), "here");
        let rendered = Report::new("stdin", "pathway zzz", vec![problem])
            .at_line(12)
            .render(RenderStyle::Plain);
        assert!(rendered.contains("[stdin:12:9]"), "{rendered}");
        assert!(rendered.contains(" 12 │ pathway zzz"), "{rendered}");
    }

    #[test]
    fn labels_near_the_start_are_drawn() {
        let problem = Problem::error(ErrorCode::Failed, "near").label(Span::new(6, 7), "this one");
        let rendered =
            Report::new("short.nshed", "model m { }", vec![problem]).render(RenderStyle::Plain);
        assert!(rendered.contains("╰── this one"), "{rendered}");
    }

    #[test]
    fn a_report_keeps_the_text_only_when_it_has_problems_to_draw() {
        let text = "model m { level a { x } }";
        let clean = Report::new("m.nshed", text, vec![]);
        assert_eq!(clean.source.inner(), "");
        assert_eq!(clean.source.name(), "m.nshed");
        let problem = Problem::error(ErrorCode::Failed, "here").label(Span::new(6, 7), "m");
        let report = Report::new("m.nshed", text, vec![problem]);
        assert_eq!(report.source.inner(), text);
    }
}
