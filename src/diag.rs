//! User-facing problems: one `Problem` type for every stage (syntax, check, CLI,
//! REPL, saved states), rendered by miette. A `Report` bundles all the problems of one
//! source so they are shown together.

use std::fmt;
use std::sync::Arc;

use miette::{
    Diagnostic, GraphicalReportHandler, GraphicalTheme, LabeledSpan, NamedSource, Severity,
    SourceCode,
};

use crate::span::Span;

/// One problem: an error or a warning, with a stable code, a short lowercase message
/// naming the thing, labelled spans and a help line saying what to do.
#[derive(Clone, Debug)]
pub struct Problem {
    pub severity: Severity,
    /// e.g. `nshed::check::unknown_name`
    pub code: &'static str,
    pub message: String,
    pub labels: Vec<LabeledSpan>,
    pub help: Option<String>,
}

impl Problem {
    pub fn error(code: &'static str, message: impl Into<String>) -> Self {
        Problem {
            severity: Severity::Error,
            code,
            message: message.into(),
            labels: Vec::new(),
            help: None,
        }
    }

    pub fn warning(code: &'static str, message: impl Into<String>) -> Self {
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

    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    pub fn is_error(&self) -> bool {
        matches!(self.severity, Severity::Error)
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

/// A problem attached to the source it points into, so it can be rendered alone.
#[derive(Debug)]
pub struct Located {
    pub source: Arc<NamedSource<String>>,
    pub problem: Problem,
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
        Some(self.source.as_ref() as &dyn SourceCode)
    }
}

/// All the problems found in one source, in source order.
#[derive(Debug)]
pub struct Report {
    pub source: Arc<NamedSource<String>>,
    pub problems: Vec<Problem>,
}

impl Report {
    /// A report on the source `name` holding `text`. The report keeps its own copy of the
    /// text only when there is a problem to draw: a clean compile of a generated 10^6-node
    /// model would otherwise hold its 60 MB source twice.
    pub fn new(name: &str, text: &str, mut problems: Vec<Problem>) -> Self {
        // Source order reads best; a stable sort keeps the checker's order for ties.
        problems.sort_by_key(|p| p.labels.first().map(|l| l.offset()).unwrap_or(0));
        let text = if problems.is_empty() {
            String::new()
        } else {
            text.to_string()
        };
        Report {
            source: Arc::new(NamedSource::new(name, text)),
            problems,
        }
    }

    pub fn has_errors(&self) -> bool {
        self.problems.iter().any(Problem::is_error)
    }

    pub fn error_count(&self) -> usize {
        self.problems.iter().filter(|p| p.is_error()).count()
    }

    pub fn warning_count(&self) -> usize {
        self.problems.len() - self.error_count()
    }

    /// Each problem as a stand-alone diagnostic with the source attached.
    pub fn located(&self) -> impl Iterator<Item = Located> + '_ {
        self.problems.iter().map(|p| Located {
            source: Arc::clone(&self.source),
            problem: drawable(self.source.inner(), p),
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

impl Report {
    /// Every problem as one JSON object per line (`--error-format json`): file, code,
    /// severity, message, help, and labels with byte offsets and 1-based line and column
    /// (in characters) of their start and end (the end is exclusive).
    pub fn to_json_lines(&self) -> String {
        let text = self.source.inner().as_str();
        let index = crate::source::LineIndex::new(text);
        let mut out = String::new();
        for problem in &self.problems {
            let json = problem.to_json(self.source.name(), text, &index);
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
    pub file: String,
    pub code: String,
    /// `error`, `warning` or `advice`.
    pub severity: String,
    pub message: String,
    pub help: Option<String>,
    pub labels: Vec<JsonLabel>,
}

#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct JsonLabel {
    pub message: Option<String>,
    /// The first label of a problem is its primary one.
    pub primary: bool,
    pub start: JsonPosition,
    /// Exclusive: the position just after the last character of the span.
    pub end: JsonPosition,
}

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
        index: &crate::source::LineIndex,
    ) -> JsonDiagnostic {
        let position = |offset: usize| {
            let offset = crate::source::floor_char_boundary(text, offset);
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
fn drawable(text: &str, problem: &Problem) -> Problem {
    let column_of = |offset: usize| {
        let offset = offset.min(text.len());
        let line_start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
        (
            text[..offset].matches('\n').count() + 1,
            offset - line_start + 1,
        )
    };
    let line_len_at = |offset: usize| {
        let offset = offset.min(text.len());
        let start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
        let end = text[offset..].find('\n').map_or(text.len(), |i| offset + i);
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
        let (line, column) = column_of(label.offset());
        let text = label.label().unwrap_or("here");
        plain
            .message
            .push_str(&format!("\n  at line {line}, column {column}: {text}"));
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
            Problem::error("nshed::test", "far away").label(Span::new(at, at + 1), "this one");
        let report = Report::new("long.nshed", &text, vec![problem]);
        let rendered = report.render(RenderStyle::Plain);
        assert!(rendered.contains("far away"), "{rendered}");
        assert!(
            rendered.contains(&format!("at line 1, column {}: this one", at + 1)),
            "{rendered}"
        );
    }

    #[test]
    fn labels_near_the_start_are_drawn() {
        let problem = Problem::error("nshed::test", "near").label(Span::new(6, 7), "this one");
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
        let problem = Problem::error("nshed::test", "here").label(Span::new(6, 7), "m");
        let report = Report::new("m.nshed", text, vec![problem]);
        assert_eq!(report.source.inner(), text);
    }
}
