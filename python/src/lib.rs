//! The `nshed` Python package: neurashed models in notebooks. A thin front end over the
//! `nshed` library: every function parses its arguments, calls one library function and
//! turns the typed result into Python objects (dicts, lists, numpy arrays).

mod convert;
mod error;
mod experiments;
mod interrupt;
mod model;

use pyo3::prelude::*;

use crate::error::NshedError;
use crate::model::Model;

/// Reads and checks the model file at `path`.
///
/// Raises `NshedError` (with the rendered diagnostics) when the file cannot be read or the
/// model has errors. `seed` replaces the file's `train { seed N }` (default 0).
#[pyfunction]
#[pyo3(signature = (path, *, seed=None))]
fn load(path: std::path::PathBuf, seed: Option<u64>) -> PyResult<Model> {
    let path = path.to_string_lossy().into_owned();
    error::guarded(|| model::compile_file(&path, seed))
}

/// Checks the model written in `text`; diagnostics name it `name`.
///
/// Raises `NshedError` when the model has errors. `seed` replaces the file's
/// `train { seed N }` (default 0).
#[pyfunction]
#[pyo3(signature = (text, name="<string>".to_string(), *, seed=None))]
fn loads(text: String, name: String, seed: Option<u64>) -> PyResult<Model> {
    error::guarded(|| model::compile_text(text, name, seed))
}

/// The model of the file at `model_path` in the state saved at `path` (by `Model.save`,
/// `nshed run --save` or the REPL's `:save`) for that exact source. Training it further is
/// bit-identical to never having stopped.
#[pyfunction]
fn restore(path: std::path::PathBuf, model_path: std::path::PathBuf) -> PyResult<Model> {
    let (path, model_path) = (
        path.to_string_lossy().into_owned(),
        model_path.to_string_lossy().into_owned(),
    );
    error::guarded(|| model::restore_file(&path, &model_path))
}

/// nshed: neurashed models (white-box graph models of deep learning) in Python.
///
/// `nshed.load(path)` or `nshed.loads(text)` give a `Model`: train it, ask it why it
/// predicts what it predicts (pathways, scores, logits, local elasticity), read its
/// `lambda` and `eta` as numpy arrays, run the analyses and experiments of the command
/// line, save and restore it, and draw it (a model displays itself in Jupyter).
#[pymodule(name = "nshed")]
fn nshed_python(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<Model>()?;
    m.add_function(wrap_pyfunction!(load, m)?)?;
    m.add_function(wrap_pyfunction!(loads, m)?)?;
    m.add_function(wrap_pyfunction!(restore, m)?)?;
    m.add("NshedError", m.py().get_type::<NshedError>())?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    m.add(
        "__all__",
        [
            "Model",
            "NshedError",
            "load",
            "loads",
            "restore",
            "__version__",
        ],
    )?;
    Ok(())
}
