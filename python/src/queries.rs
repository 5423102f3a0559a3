//! What a `Model` says about one input (pathways, scores, logits, probabilities,
//! predictions, local elasticity), its values (`lambda`, `eta`), reports, drawings and
//! saved states. Arguments are converted before the state is locked, so that a Python
//! callback (an item's `__iter__`) can never run while the lock is held.

use std::path::PathBuf;
use std::sync::atomic::AtomicBool;

use nshed::analysis::ModelDrawing;
use nshed::engine;
use nshed::query::{self, Answer, Query};
use nshed::render::figure::{model_graph_svg, FigureOptions};
use nshed::report::{edge_name, eta_plain, lambda_plain, RunReport};
use nshed::span::Span;
use numpy::{PyArray1, PyArray2};
use pyo3::prelude::*;
use pyo3::types::PyDict;

use crate::error::{guarded, internal_problem, problem_error, problems_error};
use crate::inputs::input_text;
use crate::interrupt::run_detached;
use crate::model::{read_state, Model};

/// `ln` as a plain value (`inf` beyond f64, 0 for `-inf`).
pub fn plain(ln: f64) -> f64 {
    ln.exp()
}

impl Model {
    /// The query `kind X` for the input argument `x`, parsed.
    fn query_of(&self, kind: &str, x: &Bound<'_, PyAny>) -> PyResult<Query> {
        let text = format!("{kind} {}", self.text_of(x, None)?);
        self.parse_query(&text)
    }

    pub fn text_of(&self, x: &Bound<'_, PyAny>, label: Option<&str>) -> PyResult<String> {
        input_text(self.ir(), self.engine_model().n_inputs(), x, label)
    }

    fn parse_query(&self, text: &str) -> PyResult<Query> {
        query::parse_query(self.ir(), text).map_err(|p| problems_error("<query>", text, p))
    }

    /// The answer to `query` on the current state.
    fn answer(&self, py: Python<'_>, query: &Query) -> PyResult<Answer> {
        let run = self.lock(py);
        guarded(|| Ok(query::answer(self.engine_model(), &run.state, query)))
    }

    /// The classes of a `scores` answer: `(class, ln Z, p)`.
    fn class_values(
        &self,
        py: Python<'_>,
        x: &Bound<'_, PyAny>,
    ) -> PyResult<Vec<(String, f64, f64)>> {
        let query = self.query_of("scores", x)?;
        Ok(match self.answer(py, &query)? {
            Answer::Scores { classes, .. } => classes
                .into_iter()
                .map(|c| (c.class, c.ln_logit.unwrap_or(f64::NEG_INFINITY), c.p))
                .collect(),
            _ => Vec::new(),
        })
    }
}

#[pymethods]
impl Model {
    /// The firing nodes of `x` per feature level: `{level: [node, ...]}`.
    fn pathway<'py>(&self, py: Python<'py>, x: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyDict>> {
        let query = self.query_of("pathway", x)?;
        let out = PyDict::new(py);
        if let Answer::Pathway { levels, .. } = self.answer(py, &query)? {
            for l in levels {
                out.set_item(l.level, l.nodes)?;
            }
        }
        Ok(out)
    }

    /// The score `S` of every firing feature node of `x`: `{node: S}` (with `ln=True`,
    /// `ln S`; plain values beyond float range are `inf`).
    #[pyo3(signature = (x, ln=false))]
    fn scores<'py>(
        &self,
        py: Python<'py>,
        x: &Bound<'py, PyAny>,
        ln: bool,
    ) -> PyResult<Bound<'py, PyDict>> {
        let input = crate::inputs::resolve(self.ir(), self.engine_model().n_inputs(), x)?;
        let ids = {
            let run = self.lock(py);
            guarded(|| {
                let ev = self.engine_model().evaluate(&run.state, &input.input);
                Ok(ev.firing.into_iter().zip(ev.ln_scores).collect::<Vec<_>>())
            })?
        };
        let out = PyDict::new(py);
        for (n, s) in ids {
            out.set_item(
                self.ir().nodes[n as usize].name.as_str(),
                if ln { s } else { plain(s) },
            )?;
        }
        Ok(out)
    }

    /// The logit `Z` of every class for `x`: `{class: Z}` (with `ln=True`, `ln Z`; `-inf`
    /// for 0; plain values beyond float range are `inf`).
    #[pyo3(signature = (x, ln=false))]
    fn logits<'py>(
        &self,
        py: Python<'py>,
        x: &Bound<'py, PyAny>,
        ln: bool,
    ) -> PyResult<Bound<'py, PyDict>> {
        let out = PyDict::new(py);
        for (class, ln_z, _) in self.class_values(py, x)? {
            out.set_item(class, if ln { ln_z } else { plain(ln_z) })?;
        }
        Ok(out)
    }

    /// The probability of every class for `x` (the softmax of the logits): `{class: p}`.
    fn probabilities<'py>(
        &self,
        py: Python<'py>,
        x: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyDict>> {
        let out = PyDict::new(py);
        for (class, _, p) in self.class_values(py, x)? {
            out.set_item(class, p)?;
        }
        Ok(out)
    }

    /// The predicted class of `x`: the class of the largest logit, the first declared on a
    /// tie (as `nshed query FILE 'predict X'` answers); `None` when `x` reaches no class.
    fn predict(&self, py: Python<'_>, x: &Bound<'_, PyAny>) -> PyResult<Option<String>> {
        let query = self.query_of("predict", x)?;
        match self.answer(py, &query)? {
            Answer::Predict { predicted, .. } => Ok(predicted),
            other => Err(internal_problem(format!(
                "a predict query answered {other:?}"
            ))),
        }
    }

    /// Local elasticity `LE(base, test)`: one training step on `base` with its label (on a
    /// copy: the model does not change), then how far the test's logits moved relative to
    /// the base's. `NaN` when undefined (the base's logits do not move).
    ///
    /// `base` needs a label: a sample name, a labelled pattern `"{e1 e2}->c1"`, or a list
    /// of input-node names (or a 0/1 vector) with `label="c1"`.
    #[pyo3(signature = (base, test, label=None))]
    fn le(
        &self,
        py: Python<'_>,
        base: &Bound<'_, PyAny>,
        test: &Bound<'_, PyAny>,
        label: Option<&str>,
    ) -> PyResult<f64> {
        let text = format!(
            "le {} {}",
            self.text_of(base, label)?,
            self.text_of(test, None)?
        );
        let query = self.parse_query(&text)?;
        let run = self.lock(py);
        let stop = AtomicBool::new(false);
        let answer = run_detached(py, &stop, || {
            query::answer(self.engine_model(), &run.state, &query)
        })?
        .or_signal()?;
        match answer {
            Answer::Le { le, .. } => Ok(le.unwrap_or(f64::NAN)),
            _ => Ok(f64::NAN),
        }
    }

    /// The local-elasticity matrix over the data samples: a `(n, n)` float64 array, row =
    /// base, column = test, in the order of `samples`; NaN where undefined.
    fn le_matrix<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyArray2<f64>>> {
        let matrix = {
            let run = self.lock(py);
            let stop = AtomicBool::new(false);
            run_detached(py, &stop, || {
                engine::le_matrix(self.engine_model(), &run.state)
            })?
            .or_signal()?
        };
        crate::convert::matrix(py, &matrix, self.ir().data.samples.len())
    }

    /// `lambda` of every feature node: `{node: lambda}` (beyond float range: `inf`; use
    /// `ln_lambdas()` for the exact values).
    fn lambdas<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let values = self.lock(py).state.ln_lambdas();
        let out = PyDict::new(py);
        for (n, (node, ln)) in self.ir().nodes.iter().zip(values).enumerate() {
            // A value still as written is reported as written, not as exp(ln value).
            let value = lambda_plain(self.ir(), n, ln).unwrap_or_else(|| plain(ln));
            out.set_item(node.name.as_str(), value)?;
        }
        Ok(out)
    }

    /// `eta` of every class edge: `{"F->C": eta}`.
    fn etas<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let values = self.lock(py).state.ln_etas();
        let out = PyDict::new(py);
        for (e, ln) in values.into_iter().enumerate() {
            let value = eta_plain(self.ir(), e, ln).unwrap_or_else(|| plain(ln));
            out.set_item(edge_name(self.ir(), e), value)?;
        }
        Ok(out)
    }

    /// `ln lambda` of every feature node as a float64 array aligned with `nodes` (`-inf`
    /// is an exact 0).
    fn ln_lambdas<'py>(&self, py: Python<'py>) -> Bound<'py, PyArray1<f64>> {
        let values = self.lock(py).state.ln_lambdas();
        crate::convert::vector(py, values)
    }

    /// `ln eta` of every class edge as a float64 array aligned with `edges`.
    fn ln_etas<'py>(&self, py: Python<'py>) -> Bound<'py, PyArray1<f64>> {
        let values = self.lock(py).state.ln_etas();
        crate::convert::vector(py, values)
    }

    /// Sets `lambda` of the node called `name` (a finite number >= 0).
    fn set_lambda(&self, py: Python<'_>, name: &str, value: f64) -> PyResult<()> {
        let node = query::node_named(self.ir(), name, Span::new(0, name.len()))
            .map_err(|p| problems_error("<name>", name, vec![p]))?;
        let value = checked_factor(value)?;
        self.lock(py).state.set_ln_lambda(node as usize, value.ln());
        Ok(())
    }

    /// Sets `eta` of the class edge `edge`, written `"F->C"` (a finite number >= 0).
    fn set_eta(&self, py: Python<'_>, edge: &str, value: f64) -> PyResult<()> {
        let e = query::edge_named(self.ir(), edge, Span::new(0, edge.len()))
            .map_err(|p| problems_error("<edge>", edge, vec![p]))?;
        let value = checked_factor(value)?;
        self.lock(py).state.set_ln_eta(e as usize, value.ln());
        Ok(())
    }

    /// The report `nshed run FILE --json` prints for this state, as a dict.
    fn run_report<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        // Serialised under the lock, made into Python objects after it.
        let value = {
            let run = self.lock(py);
            guarded(|| {
                serde_json::to_value(RunReport::new(self.engine_model(), &run.state))
                    .map_err(|e| internal_problem(format!("cannot convert a report: {e}")))
            })?
        };
        crate::convert::value_to_python(py, &value)
    }

    /// Writes the state to `path` (atomically): `nshed.restore(path, model_path)`,
    /// `Model.restore(path)`, `nshed run --resume` and the REPL's `:restore` continue it
    /// bit for bit. Never over the model file this model was read from; a file that holds
    /// another model is not replaced unless `force`.
    #[pyo3(signature = (path, force=false))]
    fn save(&self, py: Python<'_>, path: PathBuf, force: bool) -> PyResult<()> {
        let shown = path.display().to_string();
        let mut outputs = nshed::fsio::Outputs::new(self.loaded.origin());
        outputs.force(force);
        outputs.check(&path).map_err(|e| {
            let mut problem = e.problem();
            problem.help = Some(format!("{} (`force=True` replaces it anyway)", e.help()));
            problem_error(&shown, problem)
        })?;
        let saved = self.saved(&self.lock(py));
        nshed::persist::save(&path, &saved).map_err(|p| problem_error(&shown, p))
    }

    /// Replaces the state by one saved with `save` for this exact model source.
    fn restore(&self, py: Python<'_>, path: PathBuf) -> PyResult<()> {
        let run = read_state(self, &path)?;
        let mut held = self.lock(py);
        *held = run;
        self.publish(&held);
        Ok(())
    }

    /// The model drawn as SVG text: levels, nodes shaded by `ln lambda`, class edges; with
    /// `input`, the pathway of that input highlighted.
    #[pyo3(signature = (input=None))]
    fn draw(&self, py: Python<'_>, input: Option<&Bound<'_, PyAny>>) -> PyResult<String> {
        let input = match input {
            Some(x) => {
                let text = self.text_of(x, None)?;
                let resolved = query::parse_input(self.ir(), &text)
                    .map_err(|p| problems_error("<input>", &text, p))?;
                Some((resolved, text))
            }
            None => None,
        };
        let run = self.lock(py);
        guarded(|| {
            let highlighted = input
                .as_ref()
                .map(|(i, text)| (i.input.as_slice(), i.sample.clone().unwrap_or(text.clone())));
            let drawing = ModelDrawing::of(self.engine_model(), &run.state, highlighted);
            Ok(model_graph_svg(
                &drawing,
                &FigureOptions::titled(drawing.title()),
            ))
        })
    }

    /// Jupyter shows a model as its drawing.
    fn _repr_svg_(&self, py: Python<'_>) -> PyResult<String> {
        self.draw(py, None)
    }
}

fn checked_factor(value: f64) -> PyResult<f64> {
    let text = value.to_string();
    query::factor(value, Span::new(0, text.len()))
        .map_err(|p| problems_error("<value>", &text, vec![p]))
}
