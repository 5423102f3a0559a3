//! The `nshed` Python package's native module (`nshed._nshed`, re-exported by
//! `nshed/__init__.py`): neurashed models in notebooks. A thin front end over the `nshed`
//! library: every function converts its arguments, calls library functions and turns the
//! typed result into Python objects (dicts, lists, numpy arrays).

mod analyses;
mod batch;
mod convert;
mod error;
mod experiments;
mod inputs;
mod interrupt;
mod model;
mod pickle;
mod queries;
mod training;

use std::path::PathBuf;

use pyo3::prelude::*;

use crate::error::NshedError;
use crate::model::Model;

/// Reads and checks the model file at `path`.
///
/// Raises `NshedError` (with the rendered diagnostics) when the file cannot be read or the
/// model has errors. `seed` replaces the file's `train { seed N }` (default 0).
///
/// `template=True` reads a model whose data is to come from `Model.with_data` (as the
/// scikit-learn estimator does): its `train` and `expect` blocks are set aside, so that it
/// compiles without a `data` block, and they come back in the models `with_data` makes.
#[pyfunction]
#[pyo3(signature = (path, *, seed=None, template=false))]
fn load(path: PathBuf, seed: Option<u64>, template: bool) -> PyResult<Model> {
    error::guarded(|| model::compile_file(&path, seed, template))
}

/// Checks the model written in `text`; diagnostics name it `name`.
///
/// Raises `NshedError` when the model has errors. `seed` replaces the file's
/// `train { seed N }` (default 0); `template` is as for `load`.
#[pyfunction]
#[pyo3(signature = (text, name="<string>", *, seed=None, template=false))]
fn loads(text: String, name: &str, seed: Option<u64>, template: bool) -> PyResult<Model> {
    error::guarded(|| model::compile_text(text, name.to_string(), seed, template))
}

/// The model of the file at `model_path` in the state saved at `path` (by `Model.save`,
/// `nshed run --save` or the REPL's `:save`) for that exact source. Training it further is
/// bit-identical to never having stopped.
#[pyfunction]
fn restore(py: Python<'_>, path: PathBuf, model_path: PathBuf) -> PyResult<Model> {
    error::guarded(|| model::restore_file(py, &path, &model_path))
}

/// The native part of the `nshed` package; import `nshed` instead.
#[pymodule(name = "_nshed")]
fn nshed_python(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<Model>()?;
    m.add_function(wrap_pyfunction!(load, m)?)?;
    m.add_function(wrap_pyfunction!(loads, m)?)?;
    m.add_function(wrap_pyfunction!(restore, m)?)?;
    m.add("NshedError", m.py().get_type::<NshedError>())?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    Ok(())
}
