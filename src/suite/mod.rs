//! `nshed test`: golden tests of one's own models. For each model file: check it, train
//! it once by its `train` block, evaluate every expectation (`crate::expect`), and compare
//! its run report with the golden report beside it (`golden`), or write that report
//! (`bless`). Models run in parallel; the report lists them in path order.

pub mod discover;
pub mod golden;

use crate::diag::ErrorCode;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use serde::Serialize;

use crate::diag::{Problem, Report};
use crate::engine::{run_seed, train, Control, Model, State, Trainer, Until};
use crate::expect::{evaluate_file, Outcome};
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
    /// `--bless` may replace a file that holds a model (never one through a link).
    pub force: bool,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            rtol: 1e-9,
            bless: false,
            filter: None,
            max_diffs: 10,
            limits: crate::Limits::default(),
            force: false,
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
    /// Files found in the directories that are not tested: not regular files.
    pub skipped: Vec<Skipped>,
}

/// A file a walk found and left alone, and why.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Skipped {
    pub path: String,
    /// What it is (`a named pipe (FIFO)`, `a link to nothing`).
    pub what: String,
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
    pub diagnostics: Option<Report>,
    /// The model's source, for drawing failed expectations.
    #[serde(skip)]
    pub source: Option<Source>,
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
    /// Not a regular file (a FIFO, a device, a link to nothing): left alone, unopened,
    /// and not counted against the model; `reason` says what it is.
    Skipped { reason: String },
    /// A run report of another model (named here).
    OtherModel { model: String },
    /// `--bless` wrote it: `new` or `updated`.
    Written { change: Change },
    /// `--bless` did not write it: why; `input` is the file of this run it would have
    /// replaced, when that is the reason (the command then ends as a refused output).
    NotWritten {
        reason: String,
        #[serde(skip_serializing_if = "Option::is_none")]
        input: Option<String>,
    },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Change {
    New,
    Updated,
}

impl GoldenStatus {
    fn passes(&self) -> bool {
        matches!(
            self,
            GoldenStatus::Matches | GoldenStatus::Written { .. } | GoldenStatus::Skipped { .. }
        )
    }
}

/// Finds the models under `paths` (see `discover::discover`) and tests them. `Err` when a
/// path cannot be read or no model is found: nothing was tested.
pub fn run(paths: &[PathBuf], options: &Options) -> Result<TestReport, Problem> {
    let found = discover::discover(paths)?;
    if found.files.is_empty() {
        let shown: Vec<String> = if paths.is_empty() {
            vec![".".to_string()]
        } else {
            paths.iter().map(|p| p.display().to_string()).collect()
        };
        return Err(Problem::error(
            ErrorCode::TestNoModel,
            format!("no `.nshed` file under {}", shown.join(", ")),
        )
        .help(
            "give model files or directories that hold some, for example `nshed test examples`",
        ));
    }
    let mut report = run_models(&found.files, options);
    report.skipped = found
        .skipped
        .iter()
        .map(|(path, what)| Skipped {
            path: path.display().to_string(),
            what: what.clone(),
        })
        .collect();
    Ok(report)
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
    let mut model_files = crate::fsio::Outputs::new(models);
    model_files.force(options.force);
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
        skipped: Vec::new(),
    }
}

/// The path with symbolic links and `..` resolved when it exists (as given otherwise).
fn canonical(path: &Path) -> PathBuf {
    std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf())
}

/// What `--bless` must not write over.
struct Guard<'a> {
    /// Every model file of the run (compared by device and inode, so links count).
    model_files: &'a crate::fsio::Outputs,
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
    // A model found in a directory is a regular file; one named on the command line may
    // be a pipe, read as `cat` would.
    let compiled = match crate::source::load_path(path, crate::fsio::Accept::Any)
        .and_then(|source| crate::compile_with(source, &options.limits))
    {
        Ok(compiled) => compiled,
        Err(report) => return failed(report),
    };
    let ir = &compiled.ir;
    let model = compiled.model();
    let seed = run_seed(ir, None);
    let initial = State::new(ir, seed);
    let mut trained = initial.clone();
    train(
        &mut Trainer::new(&model),
        &mut trained,
        Until::EndOfSchedule,
        &Control::default(),
        None,
    );
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
            golden::Read::NotRegular(what) => golden(GoldenStatus::Skipped {
                reason: format!("it is {what}, not a regular file"),
            }),
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
        golden::Read::NotRegular(what) => {
            return golden(GoldenStatus::NotWritten {
                reason: format!(
                    "it is {what}, not a regular file; remove it and bless again to write one"
                ),
                input: None,
            })
        }
    };
    if let Err(over) = guard.model_files.check(&path) {
        return golden(GoldenStatus::NotWritten {
            reason: over.to_string(),
            input: over.input().map(|p| p.display().to_string()),
        });
    }
    if let Some(reason) = refuse_to_write(&path, guard) {
        return golden(GoldenStatus::NotWritten {
            reason,
            input: None,
        });
    }
    let mut text = match serde_json::to_string_pretty(&report) {
        Ok(text) => text,
        Err(e) => {
            return golden(GoldenStatus::NotWritten {
                reason: format!("the run report cannot be written as JSON: {e}"),
                input: None,
            })
        }
    };
    text.push('\n');
    match crate::fsio::write_atomic(&path, text.as_bytes()) {
        Ok(()) => golden(GoldenStatus::Written { change }),
        Err(e) => golden(GoldenStatus::NotWritten {
            reason: format!("cannot write it: {}", crate::source::io_reason(&e)),
            input: None,
        }),
    }
}

/// Why `--bless` must not write `path`, if it must not.
fn refuse_to_write(path: &Path, guard: &Guard) -> Option<String> {
    if let Some(other) = &guard.sharer {
        return Some(format!(
            "it is also the golden report of `{other}`; rename one of the two models"
        ));
    }
    if std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink()) {
        // Replacing what the link points to would write a file outside the model's
        // place (`m.golden.json -> ../victim.txt`); replacing the link would lose it.
        let to = std::fs::read_link(path).map_or_else(|_| "?".into(), |t| t.display().to_string());
        return Some(format!(
            "it is a symbolic link (to `{to}`); nshed does not write golden reports through links: replace the link by a file to bless"
        ));
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
}
