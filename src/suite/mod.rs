//! `nshed test`: golden tests of one's own models. For each model file: check it, train
//! it once by its `train` block, evaluate every expectation (`crate::expect`), and compare
//! its run report with the golden report beside it (`golden`), or write that report
//! (`bless`). Models run in parallel; the report lists them in path order.

pub mod discover;
pub mod golden;

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use serde::Serialize;

use crate::diag::{Problem, RenderStyle, Report};
use crate::engine::{run_seed, trained_state, Model, State};
use crate::expect::{evaluate_file, Outcome, Stage};
use crate::report::RunReport;
use crate::source::Source;
pub use golden::{Difference, ABS_FLOOR};

/// How to test.
#[derive(Clone, Debug, PartialEq)]
pub struct Options {
    /// Relative tolerance of numbers in golden reports.
    pub rtol: f64,
    /// Write (or update) the golden reports instead of comparing with them.
    pub bless: bool,
    /// Test only the models whose path contains this.
    pub filter: Option<String>,
    /// Differences of a golden report listed in full; the rest are counted.
    pub max_diffs: usize,
    /// Size limits of the models.
    pub limits: crate::Limits,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            rtol: 1e-9,
            bless: false,
            filter: None,
            max_diffs: 10,
            limits: crate::Limits::default(),
        }
    }
}

/// The result of a whole run, models in path order.
#[derive(Debug, Serialize)]
pub struct TestReport {
    pub models: Vec<ModelReport>,
    pub passed: usize,
    pub failed: usize,
    /// Models found but left out by the filter.
    pub filtered_out: usize,
    /// Whether golden reports were written (`--bless`) rather than compared.
    pub blessed: bool,
}

/// The result of one model.
#[derive(Debug, Serialize)]
pub struct ModelReport {
    pub path: String,
    pub passed: bool,
    /// Errors that kept the model from being tested (unreadable, does not compile).
    pub errors: Vec<ErrorInfo>,
    /// Every expectation, `expect initial` first, in the order written.
    pub expectations: Vec<Checked>,
    /// The golden report, when there is one or `--bless` wrote one.
    pub golden: Option<Golden>,
    /// The errors, for drawing them under their source.
    #[serde(skip)]
    diagnostics: Option<Report>,
    /// The model's source, for drawing failed expectations.
    #[serde(skip)]
    source: Option<Source>,
}

/// An expectation's outcome and where it is written.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Checked {
    #[serde(flatten)]
    pub outcome: Outcome,
    /// 1-based line and column of the expectation.
    pub line: usize,
    pub column: usize,
}

/// One error of a model that could not be tested.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ErrorInfo {
    pub code: String,
    pub message: String,
    /// 1-based line and column of its first label (absent when it has none).
    pub line: Option<usize>,
    pub column: Option<usize>,
}

/// A model's golden report and how it compares.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Golden {
    pub path: String,
    #[serde(flatten)]
    pub status: GoldenStatus,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum GoldenStatus {
    /// Agrees with the run.
    Matches,
    /// Disagrees: the first differences, and how many there are.
    Differs {
        differences: Vec<Difference>,
        total: usize,
    },
    /// Cannot be used (unreadable, not JSON, not a run report): why.
    Invalid { reason: String },
    /// A run report of another model (named here).
    OtherModel { model: String },
    /// `--bless` wrote it: `new` or `updated`.
    Written { change: Change },
    /// `--bless` did not write it: why.
    NotWritten { reason: String },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Change {
    New,
    Updated,
}

impl GoldenStatus {
    fn passes(&self) -> bool {
        matches!(self, GoldenStatus::Matches | GoldenStatus::Written { .. })
    }
}

/// Finds the models under `paths` (see `discover::discover`) and tests them. `Err` when a
/// path cannot be read or no model is found: nothing was tested.
pub fn run(paths: &[PathBuf], options: &Options) -> Result<TestReport, Problem> {
    let found = discover::discover(paths)?;
    if found.is_empty() {
        let shown: Vec<String> = if paths.is_empty() {
            vec![".".to_string()]
        } else {
            paths.iter().map(|p| p.display().to_string()).collect()
        };
        return Err(Problem::error(
            "nshed::test::no_model",
            format!("no `.nshed` file under {}", shown.join(", ")),
        )
        .help(
            "give model files or directories that hold some, for example `nshed test examples`",
        ));
    }
    Ok(run_models(&found, options))
}

/// Tests these model files (in parallel), reported in the order given.
pub fn run_models(models: &[PathBuf], options: &Options) -> TestReport {
    let selected: Vec<&PathBuf> = models
        .iter()
        .filter(|p| {
            options
                .filter
                .as_ref()
                .is_none_or(|f| p.to_string_lossy().contains(f.as_str()))
        })
        .collect();
    // Blessing must never write over a model, nor let two models share one golden file.
    let model_files: Vec<PathBuf> = models.iter().map(|p| canonical(p)).collect();
    let mut golden_users: HashMap<PathBuf, Vec<&PathBuf>> = HashMap::new();
    for path in &selected {
        golden_users
            .entry(canonical(&golden::golden_path(path)))
            .or_default()
            .push(path);
    }
    let reports: Vec<ModelReport> = selected
        .par_iter()
        .map(|path| {
            let golden = canonical(&golden::golden_path(path));
            let sharer = golden_users
                .get(&golden)
                .and_then(|users| users.iter().find(|u| **u != *path))
                .map(|u| u.display().to_string());
            let guard = Guard {
                model_files: &model_files,
                sharer,
            };
            test_model(path, options, &guard)
        })
        .collect();
    let passed = reports.iter().filter(|r| r.passed).count();
    TestReport {
        failed: reports.len() - passed,
        passed,
        filtered_out: models.len() - selected.len(),
        blessed: options.bless,
        models: reports,
    }
}

/// The path with symbolic links and `..` resolved when it exists (as given otherwise).
fn canonical(path: &Path) -> PathBuf {
    std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf())
}

/// What `--bless` must not write over.
struct Guard<'a> {
    /// Every model file of the run, canonical.
    model_files: &'a [PathBuf],
    /// Another model of the run whose golden report has the same path.
    sharer: Option<String>,
}

fn test_model(path: &Path, options: &Options, guard: &Guard) -> ModelReport {
    let shown = path.display().to_string();
    let failed = |report: Report| ModelReport {
        path: shown.clone(),
        passed: false,
        errors: error_infos(&report),
        expectations: Vec::new(),
        golden: None,
        diagnostics: Some(report),
        source: None,
    };
    let compiled = match crate::source::load(&shown)
        .and_then(|source| crate::compile_with(source, &options.limits))
    {
        Ok(compiled) => compiled,
        Err(report) => return failed(report),
    };
    let ir = &compiled.ir;
    let model = Model::new(ir);
    let seed = run_seed(ir, None);
    let initial = State::new(ir, seed);
    let trained = trained_state(&model, seed, true, &mut |_| {});
    let text = &compiled.source.text;
    let expectations: Vec<Checked> = evaluate_file(&model, &initial, &trained)
        .into_iter()
        .map(|outcome| {
            let (line, column) = line_column(text, outcome.span.start);
            Checked {
                outcome,
                line,
                column,
            }
        })
        .collect();
    let golden = golden_outcome(path, &model, &trained, options, guard);
    let passed = expectations.iter().all(|c| c.outcome.passed)
        && golden.as_ref().is_none_or(|g| g.status.passes());
    ModelReport {
        path: shown,
        passed,
        errors: Vec::new(),
        expectations,
        golden,
        diagnostics: None,
        source: Some(compiled.source),
    }
}

/// Compares the run report with the golden report, or writes it (`--bless`).
fn golden_outcome(
    model_path: &Path,
    model: &Model,
    trained: &State,
    options: &Options,
    guard: &Guard,
) -> Option<Golden> {
    let path = golden::golden_path(model_path);
    let report = RunReport::new(model, trained);
    let golden = |status| {
        Some(Golden {
            path: path.display().to_string(),
            status,
        })
    };
    let actual = match serde_json::to_value(&report) {
        Ok(v) => v,
        Err(e) => {
            return golden(GoldenStatus::Invalid {
                reason: format!("the run report cannot be written as JSON: {e}"),
            })
        }
    };
    let read = golden::read(&path, &model.ir.model);
    if !options.bless {
        return match read {
            golden::Read::Absent => None,
            golden::Read::Invalid(reason) => golden(GoldenStatus::Invalid { reason }),
            golden::Read::OtherModel(model) => golden(GoldenStatus::OtherModel { model }),
            golden::Read::Report(value) => {
                let (differences, total) =
                    golden::compare(&value, &actual, options.rtol, options.max_diffs);
                golden(if total == 0 {
                    GoldenStatus::Matches
                } else {
                    GoldenStatus::Differs { differences, total }
                })
            }
        };
    }
    let change = match &read {
        golden::Read::Absent => Change::New,
        golden::Read::Report(value) => {
            if golden::compare(value, &actual, options.rtol, 0).1 == 0 {
                // Already agrees: left as it is, so goldens do not churn in the last digits.
                return golden(GoldenStatus::Matches);
            }
            Change::Updated
        }
        golden::Read::Invalid(_) | golden::Read::OtherModel(_) => Change::Updated,
    };
    if let Some(reason) = refuse_to_write(&path, &read, guard) {
        return golden(GoldenStatus::NotWritten { reason });
    }
    let mut text = match serde_json::to_string_pretty(&report) {
        Ok(text) => text,
        Err(e) => {
            return golden(GoldenStatus::NotWritten {
                reason: format!("the run report cannot be written as JSON: {e}"),
            })
        }
    };
    text.push('\n');
    match crate::fsio::write_atomic(&path, text.as_bytes()) {
        Ok(()) => golden(GoldenStatus::Written { change }),
        Err(e) => golden(GoldenStatus::NotWritten {
            reason: format!("cannot write it: {}", crate::source::io_reason(&e)),
        }),
    }
}

/// Why `--bless` must not write `path`, if it must not.
fn refuse_to_write(path: &Path, read: &golden::Read, guard: &Guard) -> Option<String> {
    if guard.model_files.contains(&canonical(path)) {
        return Some("it is a model file of this run".to_string());
    }
    if let Some(other) = &guard.sharer {
        return Some(format!(
            "it is also the golden report of `{other}`; rename one of the two models"
        ));
    }
    if let golden::Read::Invalid(_) = read {
        // An unusable golden report is replaced, unless it is in fact a model.
        if let Ok(text) = std::fs::read_to_string(path) {
            if crate::syntax::parse_file(&text).is_ok() {
                return Some("it holds a model, not a report".to_string());
            }
        }
    }
    None
}

fn error_infos(report: &Report) -> Vec<ErrorInfo> {
    let text = report.source.inner();
    report
        .problems
        .iter()
        .filter(|p| p.is_error())
        .map(|p| {
            let at = p.labels.first().map(|l| line_column(text, l.offset()));
            ErrorInfo {
                code: p.code.to_string(),
                message: p.message.clone(),
                line: at.map(|a| a.0),
                column: at.map(|a| a.1),
            }
        })
        .collect()
}

/// 1-based line and column (in characters) of a byte offset.
fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = text.get(..offset).unwrap_or("");
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    (
        before.matches('\n').count() + 1,
        before[line_start..].chars().count() + 1,
    )
}

impl TestReport {
    pub fn all_passed(&self) -> bool {
        self.failed == 0
    }

    /// The report as `cargo test` shows one: a line per model, then each failure in
    /// full (failed expectations drawn under their source line, golden differences),
    /// and last `N passed, M failed`.
    pub fn render(&self, style: RenderStyle) -> String {
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
        "nshed::test::expectation",
        format!("expectation failed at the {stage} state: {}", o.subject),
    )
    .label(o.span, o.verdict())
}

/// What is wrong with a golden report, with what to do.
fn render_golden(g: &Golden) -> String {
    let path = &g.path;
    let bless = "run `nshed test --bless` on this model to write the current report";
    match &g.status {
        GoldenStatus::Matches | GoldenStatus::Written { .. } => String::new(),
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
        GoldenStatus::NotWritten { reason } => format!(
            "golden report {path} was not written: {reason}\n  help: golden reports are named MODEL.golden.json beside each model\n"
        ),
    }
}
