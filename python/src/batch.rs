//! Many inputs at once (numpy arrays out), accuracy and loss, and models fitted to other
//! data (`with_data`, `with_batch`).

use std::sync::atomic::AtomicBool;
use std::sync::Arc;

use nshed::engine::batch::{self, Inputs};
use nshed::ir::ClassId;
use nshed::metrics::{self, Metrics};
use numpy::ndarray::Array2;
use numpy::{IntoPyArray, PyArray1, PyArray2};
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyString, PyTuple};

use crate::error::{argument_error, internal_problem, problem_error};
use crate::inputs::{count, inputs, labels, type_name};
use crate::interrupt::run_detached;
use crate::model::{Model, Run};

/// A row-major table as an `(rows, cols)` array.
fn table<'py, T: numpy::Element>(
    py: Python<'py>,
    values: Vec<T>,
    rows: usize,
    cols: usize,
) -> PyResult<Bound<'py, PyArray2<T>>> {
    let array = Array2::from_shape_vec((rows, cols), values)
        .map_err(|e| internal_problem(format!("a table of the wrong size: {e}")))?;
    Ok(array.into_pyarray(py))
}

impl Model {
    /// `X` as the library's inputs.
    fn inputs_of(&self, x: &Bound<'_, PyAny>) -> PyResult<Inputs> {
        inputs(self.ir(), self.engine_model().n_inputs(), x)
    }

    /// `f(model, state)` on the current state, with the interpreter released.
    fn on_state<T: Send>(
        &self,
        py: Python<'_>,
        f: impl FnOnce(&nshed::engine::Model, &nshed::engine::State) -> T + Send,
    ) -> PyResult<T> {
        let run = self.lock(py);
        let stop = AtomicBool::new(false);
        run_detached(py, &stop, || f(self.engine_model(), &run.state))?.or_signal()
    }

    /// The metrics `on` asks for: `"data"`, `"test"`, or a pair `(X, y)`.
    fn metrics_on(&self, py: Python<'_>, on: Option<&Bound<'_, PyAny>>) -> PyResult<Metrics> {
        let Some(on) = on else {
            return self.on_state(py, metrics::of_data);
        };
        if let Ok(s) = on.cast::<PyString>() {
            match s.to_cow()?.as_ref() {
                "data" => return self.on_state(py, metrics::of_data),
                "test" => {
                    if !nshed::engine::heldout::has_test(self.ir()) {
                        return Err(argument_error(
                            "the model has no test samples".to_string(),
                            "add a `test { ... }` block to the model, or measure on=\"data\"",
                        ));
                    }
                    return self.on_state(py, |model, state| {
                        metrics::of_test(model, state).unwrap_or(Metrics {
                            samples: 0,
                            correct: 0,
                            accuracy: None,
                            loss: None,
                        })
                    });
                }
                other => {
                    return Err(argument_error(
                        format!("on=\"{other}\" is not a set of samples"),
                        "give on=\"data\" (the model's data samples), on=\"test\" (its test samples) or on=(X, y)",
                    ))
                }
            }
        }
        let Ok(pair) = on.cast::<PyTuple>() else {
            return Err(PyTypeError::new_err(format!(
                "on is \"data\", \"test\" or a pair (X, y), not {}",
                type_name(on)
            )));
        };
        let (x, y): (Bound<'_, PyAny>, Bound<'_, PyAny>) = pair.extract().map_err(|_| {
            PyTypeError::new_err("on is \"data\" or a pair (X, y) of inputs and class names")
        })?;
        let inputs = self.inputs_of(&x)?;
        let labels = labels(self.ir(), &y)?;
        if labels.len() != inputs.len() {
            return Err(argument_error(
                format!("X has {} rows and y {} labels", inputs.len(), labels.len()),
                "give one class name per row of X",
            ));
        }
        self.on_state(py, |model, state| {
            metrics::of_inputs(model, state, &inputs, &labels)
        })
    }

    /// A new model of `text` (an edit of this model's), with this model's seed: a
    /// template again when `template`.
    fn edited(&self, py: Python<'_>, text: String, template: bool) -> PyResult<Model> {
        let name = self.compiled().source().name.clone();
        let origin = self.loaded.origin().map(|p| p.to_path_buf());
        let loaded = crate::model::compile_loaded(text, name, origin, template)?;
        let seed = self.lock(py).seed;
        let state = nshed::engine::State::new(loaded.ir(), seed);
        Ok(Model::new(Arc::new(loaded), Run { seed, state }))
    }
}

#[pymethods]
impl Model {
    /// The predicted class of every row of `X` (a 2-D 0/1 array with one column per input
    /// node in the order of `input_nodes`, or a list of inputs): an object array of class
    /// names, `None` where a row reaches no class.
    fn predict_many<'py>(
        &self,
        py: Python<'py>,
        x: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyArray1<Py<PyAny>>>> {
        let inputs = self.inputs_of(x)?;
        let predicted =
            self.on_state(py, |model, state| batch::predictions(model, state, &inputs))?;
        let names: Vec<Py<PyAny>> = self
            .ir()
            .classes
            .iter()
            .map(|c| PyString::intern(py, &c.name).into_any().unbind())
            .collect();
        let objects: Vec<Py<PyAny>> = predicted
            .iter()
            .map(|p| match p {
                Some(c) => names[*c as usize].clone_ref(py),
                None => py.None(),
            })
            .collect();
        Ok(PyArray1::from_vec(py, objects))
    }

    /// The probability of every class for every row of `X`: float64, shape
    /// `(rows, classes)`, columns in the order of `classes` (uniform where a row reaches
    /// no class).
    fn probabilities_many<'py>(
        &self,
        py: Python<'py>,
        x: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyArray2<f64>>> {
        let inputs = self.inputs_of(x)?;
        let p = self.on_state(py, |model, state| {
            batch::probabilities(model, state, &inputs)
        })?;
        table(py, p, inputs.len(), self.ir().classes.len())
    }

    /// The score `S` of every feature node for every row of `X`: float64, shape
    /// `(rows, nodes)`, columns in the order of `nodes`, 0 where a node does not fire
    /// (with `ln=True`, `ln S` and `-inf`).
    #[pyo3(signature = (x, ln=false))]
    fn scores_many<'py>(
        &self,
        py: Python<'py>,
        x: &Bound<'py, PyAny>,
        ln: bool,
    ) -> PyResult<Bound<'py, PyArray2<f64>>> {
        let inputs = self.inputs_of(x)?;
        let mut s = self.on_state(py, |model, state| batch::ln_scores(model, state, &inputs))?;
        if !ln {
            s.iter_mut().for_each(|v| *v = crate::queries::plain(*v));
        }
        table(py, s, inputs.len(), self.ir().nodes.len())
    }

    /// Which feature nodes fire for every row of `X`: bool, shape `(rows, nodes)`,
    /// columns in the order of `nodes` (firing does not depend on the state).
    fn pathways_many<'py>(
        &self,
        py: Python<'py>,
        x: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyArray2<bool>>> {
        let inputs = self.inputs_of(x)?;
        let fired = self.on_state(py, |model, _| batch::pathways(model, &inputs))?;
        table(py, fired, inputs.len(), self.ir().nodes.len())
    }

    /// The share of samples whose predicted class is their label, on the model's data
    /// samples (`on="data"`, each counted once whatever its weight), its test samples
    /// (`on="test"`, see `test_samples`) or on `on=(X, y)`
    /// (inputs as `predict_many` takes them, `y` their class names). A sample that
    /// reaches no class counts as wrong. `None` when there are no samples.
    #[pyo3(signature = (on=None), text_signature = "(self, on='data')")]
    fn accuracy(&self, py: Python<'_>, on: Option<&Bound<'_, PyAny>>) -> PyResult<Option<f64>> {
        Ok(self.metrics_on(py, on)?.accuracy)
    }

    /// The mean cross-entropy `-ln p(label)` over the same samples as `accuracy` takes
    /// (`p` is uniform where a sample reaches no class; `inf` where a label has probability
    /// 0). `None` when there are no samples.
    #[pyo3(signature = (on=None), text_signature = "(self, on='data')")]
    fn loss(&self, py: Python<'_>, on: Option<&Bound<'_, PyAny>>) -> PyResult<Option<f64>> {
        Ok(self.metrics_on(py, on)?.loss)
    }

    /// A new model: this one with its `data` samples replaced by the rows of `X` (inputs
    /// as `predict_many` takes them), labelled by the class names `y` and named `row1`,
    /// `row2`, ...; in its initial state, with this model's seed. The data block's
    /// `noise flip` line stays; `expect` blocks (which speak of the old samples) go; a
    /// template's `train` block comes back. `text` shows the new source.
    fn with_data(
        &self,
        py: Python<'_>,
        x: &Bound<'_, PyAny>,
        y: &Bound<'_, PyAny>,
    ) -> PyResult<Model> {
        let inputs = self.inputs_of(x)?;
        let labels: Vec<ClassId> = labels(self.ir(), y)?;
        let text = nshed::edit::with_data(self.loaded.editable_text(), self.ir(), &inputs, &labels)
            .map_err(|p| problem_error("<data>", p))?;
        self.edited(py, text, false)
    }

    /// A new model: this one with `batch N` in every phase of its `train` block, in its
    /// initial state, with this model's seed (a template stays a template).
    fn with_batch(&self, py: Python<'_>, batch: &Bound<'_, PyAny>) -> PyResult<Model> {
        let batch = count("batch", batch)?;
        let text = nshed::edit::with_batch(self.loaded.editable_text(), batch)
            .map_err(|p| problem_error("<batch>", p))?;
        self.edited(py, text, self.loaded.template().is_some())
    }
}
