//! `nshed.NshedError`: every problem the library reports, with its rendered diagnostic as
//! `str()`, its `code` and its `diagnostics` (the JSON form of `--error-format json`).

use nshed::diag::ErrorCode;
use std::panic::{catch_unwind, AssertUnwindSafe};

use nshed::diag::{Problem, RenderStyle, Report};
use nshed::experiments::ExperimentError;
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::PyList;

pyo3::create_exception!(
    nshed,
    NshedError,
    PyValueError,
    "A problem nshed reports: a model that does not compile, an unknown name, a value out of \
range, a file that cannot be read or written.\n\n\
`str(e)` is the rendered diagnostic (as the command line prints it), `e.code` the code of \
its first error (e.g. `nshed::check::unknown_name`) and `e.diagnostics` a list of dicts, one \
per problem, as `nshed check --error-format json` prints them: `file`, `code`, `severity`, \
`message`, `help` and `labels` (each with `message`, `primary`, and `start` / `end` holding \
`offset` (bytes), `line` and `column` (1-based)). A subclass of `ValueError`."
);

/// The error for every problem of `report`.
pub fn report_error(report: &Report) -> PyErr {
    Python::attach(|py| {
        let text = report.render(RenderStyle::Plain);
        let code = report
            .problems
            .iter()
            .find(|p| p.is_error())
            .or(report.problems.first())
            .map_or(ErrorCode::Error, |p| p.code);
        let err = NshedError::new_err(text.trim_end().to_string());
        let value = err.value(py);
        let diagnostics = diagnostics(py, report);
        let attach = value
            .setattr("code", code.as_str())
            .and_then(|()| value.setattr("diagnostics", diagnostics?));
        match attach {
            Ok(()) => err,
            Err(e) => e,
        }
    })
}

/// The error for `problems` found in `text` (shown under `name`).
pub fn problems_error(name: &str, text: &str, problems: Vec<Problem>) -> PyErr {
    report_error(&Report::new(name, text, problems))
}

/// The error for one problem that points into no text (a file that cannot be read, an
/// option out of range).
pub fn problem_error(name: &str, problem: Problem) -> PyErr {
    problems_error(name, "", vec![problem])
}

/// The error for an experiment that could not run.
pub fn experiment_error(e: ExperimentError) -> PyErr {
    let mut problem = Problem::error(e.code(), e.message.clone());
    problem.help = e.help;
    problem_error("<options>", problem)
}

/// A problem that is a bug in nshed (a table of the wrong size, an answer of the wrong
/// kind).
pub fn internal_problem(what: impl Into<String>) -> PyErr {
    problem_error("<nshed>", Problem::error(ErrorCode::Internal, what))
}

/// An argument out of range, named like the keyword argument it came in.
pub fn argument_error(message: impl Into<String>, help: impl Into<String>) -> PyErr {
    problem_error(
        "<arguments>",
        Problem::error(ErrorCode::PythonArgument, message).help(help),
    )
}

/// Runs `f`, turning a panic (a bug) into an `NshedError` instead of letting it cross into
/// Python as a `PanicException`.
pub fn guarded<T>(f: impl FnOnce() -> PyResult<T>) -> PyResult<T> {
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(result) => result,
        Err(panic) => Err(internal_error(panic.as_ref())),
    }
}

/// The error for a panic caught at the boundary.
pub fn internal_error(panic: &(dyn std::any::Any + Send)) -> PyErr {
    let what = panic
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "an internal error".to_string());
    problem_error(
        "<nshed>",
        Problem::error(ErrorCode::Internal, format!("nshed failed: {what}"))
            .help("this is a bug in nshed; the model keeps its state from before the call"),
    )
}

/// Every problem of `report` in the JSON form of `--error-format json`, as dicts.
fn diagnostics<'py>(py: Python<'py>, report: &Report) -> PyResult<Bound<'py, PyList>> {
    let text = report.source.inner().as_str();
    let index = nshed::span::LineIndex::new(text);
    let list = PyList::empty(py);
    for problem in &report.problems {
        let json = problem.to_json(report.source.name(), text, &index);
        list.append(crate::convert::to_python(py, &json)?)?;
    }
    Ok(list)
}
