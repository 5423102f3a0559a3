//! The `nshed test` report as text: `ok` / `FAILED` per model, each failure in full (failed
//! expectations drawn under their source line like any diagnostic, golden differences),
//! and last `N passed, M failed`.

use super::{pretty_json, Render};
use crate::diag::ErrorCode;
use crate::diag::{Problem, RenderStyle, Report};
use crate::expect::{Outcome, Stage};
use crate::suite::{Change, Golden, GoldenStatus, ModelReport, TestReport};

impl Render for TestReport {
    fn json(&self) -> serde_json::Result<String> {
        pretty_json(self)
    }

    fn table(&self) -> String {
        self.text(RenderStyle::Plain)
    }
}

/// The report as `cargo test` shows one: a line per model, then each failure in full
/// (failed expectations drawn under their source line, golden differences), and last
/// `N passed, M failed`. `style` draws the diagnostics (colours or not).
pub fn test_report_text(report: &TestReport, style: RenderStyle) -> String {
    report.text(style)
}

impl TestReport {
    fn text(&self, style: RenderStyle) -> String {
        let mut out = String::new();
        let n = self.models.len();
        out.push_str(&format!(
            "running {n} model{}{}\n",
            plural(n),
            if self.filtered_out > 0 {
                format!(" ({} filtered out)", self.filtered_out)
            } else {
                String::new()
            }
        ));
        for m in &self.models {
            let verdict = if m.passed { "ok" } else { "FAILED" };
            let detail = m.summary();
            if detail.is_empty() {
                out.push_str(&format!("test {} ... {verdict}\n", m.path));
            } else {
                out.push_str(&format!("test {} ... {verdict} ({detail})\n", m.path));
            }
        }
        let mut notes: Vec<String> = self
            .skipped
            .iter()
            .map(|s| {
                format!(
                    "note: skipped {}: it is {}, not a regular file",
                    s.path, s.what
                )
            })
            .collect();
        notes.extend(self.models.iter().filter_map(|m| match &m.golden {
            Some(Golden {
                path,
                status: GoldenStatus::Skipped { reason },
            }) => Some(format!("note: golden report {path} skipped: {reason}")),
            _ => None,
        }));
        if !notes.is_empty() {
            out.push('\n');
            out.push_str(&notes.join("\n"));
            out.push('\n');
        }
        let written: Vec<String> = self
            .models
            .iter()
            .filter_map(|m| match &m.golden {
                Some(Golden {
                    path,
                    status: GoldenStatus::Written { change },
                }) => Some(format!(
                    "  {path} ({})",
                    match change {
                        Change::New => "new",
                        Change::Updated => "updated",
                    }
                )),
                _ => None,
            })
            .collect();
        if self.blessed {
            out.push('\n');
            if written.is_empty() {
                out.push_str("no golden report changed\n");
            } else {
                out.push_str(&format!(
                    "golden reports written ({}):\n{}\n",
                    written.len(),
                    written.join("\n")
                ));
            }
        }
        let failures: Vec<&ModelReport> = self.models.iter().filter(|m| !m.passed).collect();
        if !failures.is_empty() {
            out.push_str("\nfailures:\n");
            for m in &failures {
                out.push_str(&format!("\n---- {} ----\n", m.path));
                out.push_str(&m.render_failure(style));
            }
            out.push_str("\nfailures:\n");
            for m in &failures {
                out.push_str(&format!("    {}\n", m.path));
            }
        }
        out.push_str(&format!(
            "\n{} passed, {} failed\n",
            self.passed, self.failed
        ));
        out
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

impl ModelReport {
    /// `12 expectations, golden matches`.
    fn summary(&self) -> String {
        let mut parts = Vec::new();
        if !self.errors.is_empty() {
            let n = self.errors.len();
            parts.push(format!("{n} error{}", plural(n)));
        }
        let n = self.expectations.len();
        if n > 0 {
            let failed = self
                .expectations
                .iter()
                .filter(|c| !c.outcome.passed)
                .count();
            if failed > 0 {
                parts.push(format!("{failed} of {n} expectation{} failed", plural(n)));
            } else {
                parts.push(format!("{n} expectation{}", plural(n)));
            }
        }
        if let Some(g) = &self.golden {
            parts.push(
                match &g.status {
                    GoldenStatus::Matches => "golden matches",
                    GoldenStatus::Differs { .. } => "golden differs",
                    GoldenStatus::Invalid { .. } => "golden unusable",
                    GoldenStatus::OtherModel { .. } => "golden of another model",
                    GoldenStatus::Written {
                        change: Change::New,
                    } => "golden new",
                    GoldenStatus::Written {
                        change: Change::Updated,
                    } => "golden updated",
                    GoldenStatus::NotWritten { .. } => "golden not written",
                    GoldenStatus::Skipped { .. } => "golden skipped",
                }
                .to_string(),
            );
        }
        parts.join(", ")
    }

    /// Everything that made this model fail.
    fn render_failure(&self, style: RenderStyle) -> String {
        let mut out = String::new();
        if let Some(report) = &self.diagnostics {
            out.push_str(&report.render(style));
        }
        if let Some(source) = &self.source {
            let problems: Vec<Problem> = self
                .expectations
                .iter()
                .filter(|c| !c.outcome.passed)
                .map(|c| expectation_problem(&c.outcome))
                .collect();
            if !problems.is_empty() {
                out.push_str(&Report::new(&source.name, &source.text, problems).render(style));
            }
        }
        if let Some(g) = &self.golden {
            out.push_str(&render_golden(g));
        }
        out
    }
}

/// A failed expectation as a diagnostic on its line.
fn expectation_problem(o: &Outcome) -> Problem {
    let stage = match o.stage {
        Stage::Initial => "initial",
        Stage::Trained => "trained",
    };
    Problem::error(
        ErrorCode::TestExpectation,
        format!("expectation failed at the {stage} state: {}", o.subject),
    )
    .label(o.span, o.verdict())
}

/// What is wrong with a golden report, with what to do.
fn render_golden(g: &Golden) -> String {
    let path = &g.path;
    let bless = "run `nshed test --bless` on this model to write the current report";
    match &g.status {
        GoldenStatus::Matches | GoldenStatus::Written { .. } | GoldenStatus::Skipped { .. } => {
            String::new()
        }
        GoldenStatus::Differs { differences, total } => {
            let mut out = format!(
                "golden report {path} differs from this run in {total} value{}:\n",
                plural(*total)
            );
            let show = |v: &Option<serde_json::Value>| {
                v.as_ref()
                    .map_or_else(|| "(absent)".to_string(), |v| v.to_string())
            };
            for d in differences {
                out.push_str(&format!(
                    "  {}: golden {}, now {}\n",
                    d.path,
                    show(&d.golden),
                    show(&d.actual)
                ));
            }
            if *total > differences.len() {
                out.push_str(&format!("  ... and {} more\n", total - differences.len()));
            }
            out.push_str(&format!("  help: if the change is intended, {bless}\n"));
            out
        }
        GoldenStatus::Invalid { reason } => {
            format!("golden report {path} cannot be used: {reason}\n  help: fix or delete it, or {bless}\n")
        }
        GoldenStatus::OtherModel { model } => format!(
            "golden report {path} belongs to model `{model}`, not to this one\n  help: delete it, or {bless}\n"
        ),
        GoldenStatus::NotWritten { reason, .. } => format!(
            "golden report {path} was not written: {reason}\n  help: golden reports are named MODEL.golden.json beside each model\n"
        ),
    }
}
