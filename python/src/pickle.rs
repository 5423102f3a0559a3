//! Pickling a `Model`: its source text and its state in the saved-state format (the file
//! `save` writes), so that `copy`, `joblib` (loky) and `multiprocessing` get the same
//! model in the same state, bit for bit.

use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyString};

use crate::error::problem_error;
use crate::model::{Model, Run};

/// Version of the pickled form (the dict of `__getstate__`).
const PICKLE_FORMAT: u32 = 1;

impl Model {
    fn state_dict<'py>(
        &self,
        py: Python<'py>,
        source: &Bound<'py, PyString>,
    ) -> PyResult<Bound<'py, PyDict>> {
        let saved = self.saved(&self.lock(py));
        let text = nshed::persist::to_text(&saved).map_err(|p| problem_error("<pickle>", p))?;
        let dict = PyDict::new(py);
        dict.set_item("nshed_pickle", PICKLE_FORMAT)?;
        dict.set_item("name", &self.compiled().source().name)?;
        dict.set_item("source", source)?;
        dict.set_item("template", self.loaded.template().is_some())?;
        dict.set_item("state", text)?;
        Ok(dict)
    }
}

#[pymethods]
impl Model {
    /// The model as plain data: `{"nshed_pickle": 1, "name": ..., "source": the source
    /// text (a template's whole text), "template": bool, "state": the state as `save`
    /// writes it}`.
    fn __getstate__<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let source = PyString::new(py, self.loaded.editable_text());
        self.state_dict(py, &source)
    }

    /// Takes the state of a dict from `__getstate__` of a model of the same source
    /// (`NshedError` `nshed::state::other_model` for another source).
    fn __setstate__(&self, py: Python<'_>, state: &Bound<'_, PyDict>) -> PyResult<()> {
        let version: u32 = match state.get_item("nshed_pickle")? {
            Some(v) => v.extract()?,
            None => {
                return Err(PyTypeError::new_err(
                    "not the state of a pickled nshed.Model",
                ))
            }
        };
        if version > PICKLE_FORMAT {
            return Err(PyValueError::new_err(format!(
                "a model pickled in format {version}; this nshed reads format {PICKLE_FORMAT}"
            )));
        }
        let text: String = state
            .get_item("state")?
            .ok_or_else(|| PyTypeError::new_err("a pickled nshed.Model without its state"))?
            .extract()?;
        let saved =
            nshed::persist::parse("<pickle>", text.as_bytes(), self.ir(), self.loaded.hash())
                .map_err(|p| problem_error("<pickle>", p))?;
        let mut run = self.lock(py);
        *run = Run {
            seed: saved.seed,
            state: saved.state,
        };
        self.publish(&run);
        Ok(())
    }

    /// Pickles as `nshed.loads(source, name)` (with `template=True` for a template)
    /// followed by `__setstate__` (the source text is stored once).
    #[allow(clippy::type_complexity)]
    fn __reduce__<'py>(
        &self,
        py: Python<'py>,
    ) -> PyResult<(
        Bound<'py, PyAny>,
        (Bound<'py, PyString>, String),
        Bound<'py, PyDict>,
    )> {
        let mut loads = py.import("nshed")?.getattr("loads")?;
        if self.loaded.template().is_some() {
            let keywords = pyo3::types::PyDict::new(py);
            keywords.set_item("template", true)?;
            loads = py
                .import("functools")?
                .getattr("partial")?
                .call((loads,), Some(&keywords))?;
        }
        let source = PyString::new(py, self.loaded.editable_text());
        let state = self.state_dict(py, &source)?;
        Ok((
            loads,
            (source, self.compiled().source().name.clone()),
            state,
        ))
    }
}
