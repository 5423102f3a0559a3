//! Between the library's places and problems (byte offsets, spans, `Problem`) and the
//! protocol's (lines and UTF-16 columns, ranges, diagnostics).

use lsp_types as lsp;
use nshed::diag::Problem;
use nshed::ide::Analysis;
use nshed::span::Span;

/// A span of the analysed text as a protocol range.
pub fn range(a: &Analysis, span: Span) -> lsp::Range {
    let (l0, c0) = a.lines().utf16(a.text(), span.start);
    let (l1, c1) = a.lines().utf16(a.text(), span.end);
    lsp::Range::new(lsp::Position::new(l0, c0), lsp::Position::new(l1, c1))
}

/// The `file:` URI of a path (made absolute from the current directory), its bytes
/// outside the unreserved characters and `/` percent-encoded; `None` when it cannot be
/// made absolute.
pub fn file_uri(path: &std::path::Path) -> Option<lsp::Uri> {
    use std::os::unix::ffi::OsStrExt;
    let absolute = std::path::absolute(path).ok()?;
    let mut text = String::from("file://");
    for &b in absolute.as_os_str().as_bytes() {
        if b.is_ascii_alphanumeric() || b"/-._~".contains(&b) {
            text.push(b as char);
        } else {
            text.push_str(&format!("%{b:02X}"));
        }
    }
    text.parse().ok()
}

/// The byte offset of a protocol position in the analysed text.
pub fn offset(a: &Analysis, position: lsp::Position) -> usize {
    a.lines()
        .offset_utf16(a.text(), position.line, position.character)
}

/// A problem as a diagnostic: its primary label is the range, the other labels are
/// related information, the help line ends the message.
pub fn diagnostic(a: &Analysis, uri: &lsp::Uri, problem: &Problem) -> lsp::Diagnostic {
    let span_of = |l: &miette::LabeledSpan| Span::new(l.offset(), l.offset() + l.len());
    let primary = problem.labels.first();
    let range_of_problem = primary.map_or(range(a, Span::new(0, 0)), |l| range(a, span_of(l)));
    let mut message = problem.message.clone();
    if let Some(label) = primary.and_then(|l| l.label()) {
        message.push_str(&format!(" ({label})"));
    }
    if let Some(help) = &problem.help {
        message.push_str(&format!("\nhelp: {help}"));
    }
    let related: Vec<lsp::DiagnosticRelatedInformation> = problem
        .labels
        .iter()
        .skip(1)
        .map(|l| lsp::DiagnosticRelatedInformation {
            location: lsp::Location::new(uri.clone(), range(a, span_of(l))),
            message: l.label().unwrap_or("here").to_string(),
        })
        .collect();
    lsp::Diagnostic {
        range: range_of_problem,
        severity: Some(match problem.severity {
            miette::Severity::Error => lsp::DiagnosticSeverity::ERROR,
            miette::Severity::Warning => lsp::DiagnosticSeverity::WARNING,
            miette::Severity::Advice => lsp::DiagnosticSeverity::HINT,
        }),
        code: Some(lsp::NumberOrString::String(problem.code.to_string())),
        source: Some("nshed".to_string()),
        message,
        related_information: (!related.is_empty()).then_some(related),
        ..Default::default()
    }
}

/// The diagnostics of a document, as the notification that publishes them.
pub fn publish(
    a: &Analysis,
    uri: &lsp::Uri,
    version: Option<i32>,
) -> lsp::PublishDiagnosticsParams {
    lsp::PublishDiagnosticsParams {
        uri: uri.clone(),
        diagnostics: a.problems().iter().map(|p| diagnostic(a, uri, p)).collect(),
        version,
    }
}
