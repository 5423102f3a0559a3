//! `nshed.Model`: a compiled model and one training state of it.

use nshed::diag::ErrorCode;
use std::sync::atomic::AtomicBool;
use std::sync::Arc;

use nshed::analysis::ModelDrawing;
use nshed::diag::Problem;
use nshed::engine::{self, run_seed, Control, State, Trainer, Until};
use nshed::ir::{ClassId, Ir, NodeId};
use nshed::persist::{self, SavedState};
use nshed::query::{self, Answer, Input, Query};
use nshed::render::figure::{model_graph_svg, FigureOptions};
use nshed::report::{edge_name, RunReport};
use nshed::span::Span;
use nshed::Compiled;
use numpy::PyArray1;
use numpy::PyArray2;
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList, PyString, PyTuple};

use crate::error::{guarded, problem_error, problems_error, report_error};
use crate::interrupt::run_detached;

type EngineModel<'a> = engine::Model<'a>;

self_cell::self_cell!(
    /// A compiled model and the engine's index tables over its IR, built once.
    struct Parts {
        owner: Compiled,
        #[covariant]
        dependent: EngineModel,
    }
);

/// What every copy of a model shares: the compiled source and its tables.
pub struct Loaded {
    parts: Parts,
    /// SHA-256 of the source, which saved states are tied to.
    hash: String,
}

impl Loaded {
    pub fn new(compiled: Compiled) -> Loaded {
        let hash = persist::source_hash(&compiled.source().text);
        Loaded {
            parts: Parts::new(compiled, |c| c.model()),
            hash,
        }
    }

    fn compiled(&self) -> &Compiled {
        self.parts.borrow_owner()
    }

    fn ir(&self) -> &Ir {
        self.compiled().ir()
    }

    fn model(&self) -> &engine::Model<'_> {
        self.parts.borrow_dependent()
    }
}

/// A neurashed model and one training state of it (every `lambda` and `eta`, the step,
/// the schedule's position and the random stream).
///
/// Make one with `nshed.load(path)` or `nshed.loads(text)`. Inputs `x` of the queries are
/// a data sample's name (`"c1a"`), a pattern as the query language writes it
/// (`"{e1 e2}"`, `"{e1 e2}->c1"`), or a list of level-1 node names (`["e1", "e2"]`).
/// Names and values that do not fit the model raise `NshedError`; the model keeps its
/// state after any error.
#[pyclass(module = "nshed", name = "Model")]
pub struct Model {
    loaded: Arc<Loaded>,
    seed: u64,
    state: State,
}

impl Model {
    pub fn from_compiled(compiled: Compiled, seed: Option<u64>) -> Model {
        let seed = run_seed(compiled.ir(), seed);
        let state = State::new(compiled.ir(), seed);
        Model {
            loaded: Arc::new(Loaded::new(compiled)),
            seed,
            state,
        }
    }

    fn ir(&self) -> &Ir {
        self.loaded.ir()
    }

    /// Parses and answers a query written `kind ARGS`.
    fn ask(&self, text: &str) -> PyResult<Answer> {
        let query = self.parse_query(text)?;
        Ok(query::answer(self.loaded.model(), &self.state, &query))
    }

    fn parse_query(&self, text: &str) -> PyResult<Query> {
        query::parse_query(self.ir(), text).map_err(|p| problems_error("<query>", text, p))
    }

    /// Resolves one input (for `draw`).
    fn input(&self, x: &Bound<'_, PyAny>) -> PyResult<(Input, String)> {
        let text = input_text(x, None)?;
        let input = query::parse_input(self.ir(), &text)
            .map_err(|p| problems_error("<input>", &text, p))?;
        Ok((input, text))
    }

    fn save_state(&self, path: &str) -> PyResult<()> {
        // Never over the model file this was loaded from (`loads` names no file).
        nshed::fsio::Outputs::new([&self.loaded.compiled().source().name])
            .check(path)
            .map_err(|e| problem_error(path, e.problem()))?;
        let saved = SavedState {
            nshed_state: persist::FORMAT,
            model: self.ir().model.clone(),
            source_sha256: self.loaded.hash.clone(),
            seed: self.seed,
            state: self.state.clone(),
        };
        persist::save(path, &saved).map_err(|p| problem_error(path, p))
    }

    fn restore_state(&mut self, path: &str) -> PyResult<()> {
        let saved = persist::load(path, self.ir(), &self.loaded.hash)
            .map_err(|p| problem_error(path, p))?;
        self.state = saved.state;
        self.seed = saved.seed;
        Ok(())
    }
}

/// The text of an input argument: a string as it is, a list of names as the pattern
/// `{a b}` (with `->label` when given).
pub fn input_text(x: &Bound<'_, PyAny>, label: Option<&str>) -> PyResult<String> {
    if let Ok(s) = x.cast::<PyString>() {
        if label.is_some() {
            return Err(PyTypeError::new_err(
                "label= goes with a list of node names; write a labelled pattern as \"{e1 e2}->c1\"",
            ));
        }
        return Ok(s.to_str()?.to_string());
    }
    let names = names_of(x).ok_or_else(|| {
        PyTypeError::new_err(format!(
            "an input is a sample name, a pattern string such as \"{{e1 e2}}\", or a list of \
             level-1 node names, not {}",
            type_name(x)
        ))
    })?;
    query::pattern_text(&names, label).map_err(|p| {
        let shown = format!("{{{}}}", names.join(" "));
        problems_error("<input>", &shown, vec![p])
    })
}

/// The names of a list or tuple of strings.
fn names_of(x: &Bound<'_, PyAny>) -> Option<Vec<String>> {
    let items: Vec<Bound<'_, PyAny>> = if let Ok(list) = x.cast::<PyList>() {
        list.iter().collect()
    } else if let Ok(tuple) = x.cast::<PyTuple>() {
        tuple.iter().collect()
    } else {
        return None;
    };
    items
        .iter()
        .map(|i| {
            i.cast::<PyString>()
                .ok()
                .and_then(|s| s.to_str().ok().map(str::to_string))
        })
        .collect()
}

fn type_name(x: &Bound<'_, PyAny>) -> String {
    x.get_type()
        .name()
        .map_or_else(|_| "this".to_string(), |n| format!("`{n}`"))
}

/// A number of steps: an `int` >= 0 (`bool` is refused).
pub fn count(what: &str, value: &Bound<'_, PyAny>) -> PyResult<u64> {
    if value.is_instance_of::<pyo3::types::PyBool>()
        || !value.is_instance_of::<pyo3::types::PyInt>()
    {
        return Err(PyTypeError::new_err(format!(
            "{what} must be an int, not {}",
            type_name(value)
        )));
    }
    let n: i128 = value.extract()?;
    u64::try_from(n).map_err(|_| {
        crate::error::argument_error(
            format!("{what} must be an int from 0 to 2^64 - 1, got {n}"),
            format!("give {what} as a non-negative int"),
        )
    })
}

/// The batch of `step_on`: a string as the REPL's `step` takes it, or a list whose items
/// are a sample name, a labelled pattern string, or a pair `(names, class)`.
fn batch_text(batch: &Bound<'_, PyAny>) -> PyResult<String> {
    if let Ok(s) = batch.cast::<PyString>() {
        return Ok(s.to_str()?.to_string());
    }
    let items: Vec<Bound<'_, PyAny>> = if let Ok(list) = batch.cast::<PyList>() {
        list.iter().collect()
    } else {
        return Err(PyTypeError::new_err(format!(
            "a batch is a string (\"c1a, {{e4 e5}}->c2\") or a list of samples, labelled \
             patterns and (names, class) pairs, not {}",
            type_name(batch)
        )));
    };
    let mut parts = Vec::with_capacity(items.len());
    for item in &items {
        if let Ok(s) = item.cast::<PyString>() {
            parts.push(s.to_str()?.to_string());
        } else if let Ok(pair) = item.cast::<PyTuple>() {
            let (names, class): (Bound<'_, PyAny>, String) = pair.extract().map_err(|_| {
                PyTypeError::new_err(
                    "a batch item given as a tuple is (list of level-1 node names, class name)",
                )
            })?;
            parts.push(input_text(&names, Some(&class))?);
        } else {
            return Err(PyTypeError::new_err(format!(
                "a batch item is a sample name, a labelled pattern \"{{e1 e2}}->c1\" or a pair \
                 (names, class), not {}",
                type_name(item)
            )));
        }
    }
    Ok(parts.join(", "))
}

/// `ln` as a plain value (`inf` beyond f64, 0 for `-inf`).
fn plain(ln: f64) -> f64 {
    ln.exp()
}

#[pymethods]
impl Model {
    /// The model's name (`model NAME { ... }`).
    #[getter]
    fn name(&self) -> String {
        self.ir().model.clone()
    }

    /// Where the model was read from (a path, or the `name` given to `loads`).
    #[getter]
    fn source(&self) -> String {
        self.loaded.compiled().source().name.clone()
    }

    /// Training steps taken so far.
    #[getter]
    fn step(&self) -> u64 {
        self.state.step
    }

    /// The seed the run started from (`reset()` goes back to it).
    #[getter]
    fn seed(&self) -> u64 {
        self.seed
    }

    /// Data sample names, in file order (the rows and columns of `le_matrix()`).
    #[getter]
    fn samples(&self) -> Vec<String> {
        self.ir()
            .data
            .samples
            .iter()
            .map(|s| s.name.clone())
            .collect()
    }

    /// Feature node names in IR order: level by level, in declaration order (the entries
    /// of `ln_lambdas()`).
    #[getter]
    fn nodes(&self) -> Vec<String> {
        self.ir().nodes.iter().map(|n| n.name.to_string()).collect()
    }

    /// Class names, in declaration order.
    #[getter]
    fn classes(&self) -> Vec<String> {
        self.ir().classes.iter().map(|c| c.name.clone()).collect()
    }

    /// Feature level names, from the input level up (the classes are not a level here).
    #[getter]
    fn levels(&self) -> Vec<String> {
        self.ir().levels.iter().map(|l| l.name.clone()).collect()
    }

    /// Class edges written `"F->C"`, in IR order (the entries of `ln_etas()`).
    #[getter]
    fn edges(&self) -> Vec<String> {
        (0..self.ir().edges.len())
            .map(|e| edge_name(self.ir(), e))
            .collect()
    }

    /// The checker's warnings, as dicts like `NshedError.diagnostics`.
    #[getter]
    fn warnings<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let warnings = self.loaded.compiled().warnings();
        if warnings.problems.is_empty() {
            return Ok(PyList::empty(py).into_any());
        }
        let err = report_error(warnings);
        err.value(py).getattr("diagnostics")
    }

    /// Trains and returns the number of steps taken.
    ///
    /// `steps=None` trains by the rest of the file's schedule (nothing when there is no
    /// `train` block, or it is spent). An int trains that many more steps: the rest of the
    /// schedule first, then steps like the last phase's; a model with data but no `train`
    /// block takes steps with every default (batch 1, `replace`, the file's rules).
    ///
    /// Runs without holding the interpreter. Ctrl-C (KeyboardInterrupt) stops it within
    /// 256 steps; the steps taken are kept.
    #[pyo3(signature = (steps=None))]
    fn train(&mut self, py: Python<'_>, steps: Option<Bound<'_, PyAny>>) -> PyResult<u64> {
        let until = match &steps {
            None => Until::EndOfSchedule,
            Some(n) => Until::Steps(count("steps", n)?),
        };
        if let (Until::Steps(n), Some(why)) = (until, engine::untrainable(self.ir())) {
            if n > 0 {
                return Err(problem_error(
                    &self.source(),
                    Problem::error(ErrorCode::PythonNoData, why)
                        .help("add a `data` block, or train on explicit batches with step_on()"),
                ));
            }
        }
        let before = self.state.clone();
        let stop = AtomicBool::new(false);
        let loaded = Arc::clone(&self.loaded);
        let state = &mut self.state;
        let finished = run_detached(py, &stop, || {
            let mut trainer = Trainer::new(loaded.model());
            let control = Control {
                stop_after: None,
                stop: Some(&stop),
                progress: None,
            };
            engine::train(&mut trainer, state, until, &control, &mut |_| {})
        });
        match finished {
            Ok(done) => done.or_signal().map(|t| t.taken),
            Err(e) => {
                // A panic may have left the state half-updated: go back to where it was.
                self.state = before;
                Err(e)
            }
        }
    }

    /// One explicit training step on `batch`, with the rules of the current phase (the
    /// last phase's once the schedule is over, the file's without one). It counts as a
    /// step; the schedule's position does not move.
    ///
    /// `batch` is a string as the REPL's `step` takes it (`"c1a, {e4 e5 e6}->c2"`), or a
    /// list whose items are sample names, labelled patterns (`"{e1 e2}->c1"`) or pairs
    /// `(["e1", "e2"], "c1")`. Returns the new step.
    fn step_on(&mut self, batch: &Bound<'_, PyAny>) -> PyResult<u64> {
        let text = batch_text(batch)?;
        guarded(|| {
            let loaded = Arc::clone(&self.loaded);
            let inputs = query::parse_batch(loaded.ir(), &text)
                .map_err(|p| problems_error("<batch>", &text, p))?;
            let pairs: Vec<(&[NodeId], ClassId)> = inputs
                .iter()
                .filter_map(|i| i.label.map(|c| (i.input.as_slice(), c)))
                .collect();
            let mut state = self.state.clone();
            engine::explicit_step(&mut Trainer::new(loaded.model()), &mut state, &pairs);
            self.state = state;
            Ok(self.state.step)
        })
    }

    /// Goes back to the initial state: of the same seed, or of `seed` (which becomes the
    /// model's seed).
    #[pyo3(signature = (seed=None))]
    fn reset(&mut self, seed: Option<Bound<'_, PyAny>>) -> PyResult<()> {
        if let Some(s) = &seed {
            self.seed = count("seed", s)?;
        }
        self.state = State::new(self.ir(), self.seed);
        Ok(())
    }

    /// An independent copy: same model, same state; training one does not move the other.
    fn copy(&self) -> Model {
        Model {
            loaded: Arc::clone(&self.loaded),
            seed: self.seed,
            state: self.state.clone(),
        }
    }

    fn __copy__(&self) -> Model {
        self.copy()
    }

    #[pyo3(signature = (_memo=None))]
    fn __deepcopy__(&self, _memo: Option<Bound<'_, PyAny>>) -> Model {
        self.copy()
    }

    /// The firing nodes of `x` per feature level: `{level: [node, ...]}`.
    fn pathway<'py>(&self, py: Python<'py>, x: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyDict>> {
        let text = format!("pathway {}", input_text(x, None)?);
        let answer = guarded(|| self.ask(&text))?;
        let out = PyDict::new(py);
        if let Answer::Pathway { levels, .. } = answer {
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
        let text = input_text(x, None)?;
        let ids = guarded(|| {
            let input = query::parse_input(self.ir(), &text)
                .map_err(|p| problems_error("<input>", &text, p))?;
            let ev = self.loaded.model().evaluate(&self.state, &input.input);
            Ok(ev.firing.into_iter().zip(ev.ln_scores).collect::<Vec<_>>())
        })?;
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
        let text = format!("scores {}", input_text(x, None)?);
        let answer = guarded(|| self.ask(&text))?;
        let out = PyDict::new(py);
        if let Answer::Scores { classes, .. } = answer {
            for c in classes {
                let ln_z = c.ln_logit.unwrap_or(f64::NEG_INFINITY);
                out.set_item(c.class, if ln { ln_z } else { plain(ln_z) })?;
            }
        }
        Ok(out)
    }

    /// The probability of every class for `x` (the softmax of the logits): `{class: p}`.
    fn probabilities<'py>(
        &self,
        py: Python<'py>,
        x: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyDict>> {
        let text = format!("scores {}", input_text(x, None)?);
        let answer = guarded(|| self.ask(&text))?;
        let out = PyDict::new(py);
        if let Answer::Scores { classes, .. } = answer {
            for c in classes {
                out.set_item(c.class, c.p)?;
            }
        }
        Ok(out)
    }

    /// The predicted class of `x`: the class of the largest logit, the first declared on a
    /// tie (as `nshed query FILE 'predict X'` answers); `None` when `x` reaches no class.
    fn predict(&self, x: &Bound<'_, PyAny>) -> PyResult<Option<String>> {
        let text = format!("predict {}", input_text(x, None)?);
        match guarded(|| self.ask(&text))? {
            Answer::Predict { predicted, .. } => Ok(predicted),
            other => Err(problem_error(
                "<nshed>",
                Problem::error(
                    ErrorCode::Internal,
                    format!("a predict query answered {other:?}"),
                ),
            )),
        }
    }

    /// Local elasticity `LE(base, test)`: one training step on `base` with its label (on a
    /// copy: the model does not change), then how far the test's logits moved relative to
    /// the base's. `NaN` when undefined (the base's logits do not move).
    ///
    /// `base` needs a label: a sample name, a labelled pattern `"{e1 e2}->c1"`, or a list
    /// of level-1 names with `label="c1"`.
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
            input_text(base, label)?,
            input_text(test, None)?
        );
        let query = guarded(|| self.parse_query(&text))?;
        let stop = AtomicBool::new(false);
        let answer = run_detached(py, &stop, || {
            query::answer(self.loaded.model(), &self.state, &query)
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
        let stop = AtomicBool::new(false);
        let matrix = run_detached(py, &stop, || {
            engine::le_matrix(self.loaded.model(), &self.state)
        })?
        .or_signal()?;
        crate::convert::matrix(py, &matrix, self.ir().data.samples.len())
    }

    /// `lambda` of every feature node: `{node: lambda}` (beyond float range: `inf`; use
    /// `ln_lambdas()` for the exact values).
    fn lambdas<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let out = PyDict::new(py);
        for (node, ln) in self.ir().nodes.iter().zip(self.state.ln_lambdas()) {
            out.set_item(node.name.as_str(), plain(ln))?;
        }
        Ok(out)
    }

    /// `eta` of every class edge: `{"F->C": eta}`.
    fn etas<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let out = PyDict::new(py);
        for (e, ln) in self.state.ln_etas().into_iter().enumerate() {
            out.set_item(edge_name(self.ir(), e), plain(ln))?;
        }
        Ok(out)
    }

    /// `ln lambda` of every feature node as a float64 array aligned with `nodes` (`-inf`
    /// is an exact 0).
    fn ln_lambdas<'py>(&self, py: Python<'py>) -> Bound<'py, PyArray1<f64>> {
        crate::convert::vector(py, self.state.ln_lambdas())
    }

    /// `ln eta` of every class edge as a float64 array aligned with `edges`.
    fn ln_etas<'py>(&self, py: Python<'py>) -> Bound<'py, PyArray1<f64>> {
        crate::convert::vector(py, self.state.ln_etas())
    }

    /// Sets `lambda` of the node called `name` (a finite number >= 0).
    fn set_lambda(&mut self, name: &str, value: f64) -> PyResult<()> {
        let node = query::node_named(self.ir(), name, Span::new(0, name.len()))
            .map_err(|p| problems_error("<name>", name, vec![p]))?;
        let value = checked_factor(value)?;
        self.state.set_ln_lambda(node as usize, value.ln());
        Ok(())
    }

    /// Sets `eta` of the class edge `edge`, written `"F->C"` (a finite number >= 0).
    fn set_eta(&mut self, edge: &str, value: f64) -> PyResult<()> {
        let e = query::edge_named(self.ir(), edge, Span::new(0, edge.len()))
            .map_err(|p| problems_error("<edge>", edge, vec![p]))?;
        let value = checked_factor(value)?;
        self.state.set_ln_eta(e as usize, value.ln());
        Ok(())
    }

    /// The report `nshed run FILE --json` prints for this state, as a dict.
    fn run_report<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let report = guarded(|| Ok(RunReport::new(self.loaded.model(), &self.state)))?;
        crate::convert::to_python(py, &report)
    }

    /// Writes the state to `path` (atomically): `nshed.restore(path, model_path)`,
    /// `Model.restore(path)`, `nshed run --resume` and the REPL's `:restore` continue it
    /// bit for bit.
    fn save(&self, path: &str) -> PyResult<()> {
        guarded(|| self.save_state(path))
    }

    /// Replaces the state by one saved with `save` for this exact model source.
    fn restore(&mut self, path: &str) -> PyResult<()> {
        guarded(|| self.restore_state(path))
    }

    /// The model drawn as SVG text: levels, nodes shaded by `ln lambda`, class edges; with
    /// `input`, the pathway of that input highlighted.
    #[pyo3(signature = (input=None))]
    fn draw(&self, input: Option<&Bound<'_, PyAny>>) -> PyResult<String> {
        let input = input.map(|x| self.input(x)).transpose()?;
        guarded(|| {
            let highlighted = input
                .as_ref()
                .map(|(i, text)| (i.input.as_slice(), i.sample.clone().unwrap_or(text.clone())));
            let drawing = ModelDrawing::of(self.loaded.model(), &self.state, highlighted);
            Ok(model_graph_svg(
                &drawing,
                &FigureOptions::titled(drawing.title()),
            ))
        })
    }

    /// Jupyter shows a model as its drawing.
    fn _repr_svg_(&self) -> PyResult<String> {
        self.draw(None)
    }

    /// The information plane along training, as `nshed info-plane FILE --json` reports it:
    /// the model's file trained from its seed (or `seed`), `I(X;T)` and `I(T;Y)` in bits of
    /// every feature level at step 0, every `every` steps and at the end. `mi` is
    /// `"binning"` (with `bins`) or `"noise"` (with `sigma`); `repr` is `"scores"` or
    /// `"lambda"`. `train=False` measures the initial state only.
    ///
    /// Besides the report's keys, `steps` (float64, one per point) and `i_xt`, `i_ty`
    /// (float64, points x levels) are numpy arrays. It does not use or change this
    /// model's state.
    #[pyo3(signature = (mi="binning", bins=30, repr="scores", every=None, *, sigma=None, seed=None, train=true))]
    #[allow(clippy::too_many_arguments)]
    fn info_plane<'py>(
        &self,
        py: Python<'py>,
        mi: &str,
        bins: usize,
        repr: &str,
        every: Option<u64>,
        sigma: Option<f64>,
        seed: Option<u64>,
        train: bool,
    ) -> PyResult<Bound<'py, PyAny>> {
        crate::experiments::info_plane(self, py, mi, bins, sigma, repr, every, seed, train)
    }

    /// Implicit regularization, as `nshed regularize FILE --json` reports it: one copy of
    /// the model's file trained per batch size in `batches` (every phase's batch
    /// replaced; `steps` total steps instead of the file's), then per feature level how
    /// concentrated `lambda` is, and the neural collapse of the last level. It does not
    /// use or change this model's state.
    #[pyo3(signature = (batches=vec![1, 8], *, steps=None, seed=None))]
    fn regularize<'py>(
        &self,
        py: Python<'py>,
        batches: Vec<u64>,
        steps: Option<u64>,
        seed: Option<u64>,
    ) -> PyResult<Bound<'py, PyAny>> {
        crate::experiments::regularize_run(self, py, batches, steps, seed)
    }

    /// Fooling inputs and output collapse, as `nshed fool FILE --json` reports them: the
    /// model's file trained from its seed (`train=False`: the initial state), then
    /// `samples` random level-1 patterns (each input fires with probability `density`)
    /// judged: a fooling input is at Hamming distance >= `min_distance` from every
    /// training pattern and predicted with probability >= `threshold`. `exhaustive=True`
    /// judges all 2^n patterns (n <= 24); `restarts` is the search budget for the smallest
    /// fooling pattern per class. Runs on `threads` threads (one per core when None); the
    /// result does not depend on it. It does not use or change this model's state.
    #[pyo3(signature = (*, samples=1000, density=0.5, min_distance=2, threshold=0.99, exhaustive=false, restarts=20, seed=None, train=true, threads=None))]
    #[allow(clippy::too_many_arguments)]
    fn fool<'py>(
        &self,
        py: Python<'py>,
        samples: u64,
        density: f64,
        min_distance: usize,
        threshold: f64,
        exhaustive: bool,
        restarts: usize,
        seed: Option<u64>,
        train: bool,
        threads: Option<usize>,
    ) -> PyResult<Bound<'py, PyAny>> {
        crate::experiments::fool_run(
            self,
            py,
            samples,
            density,
            min_distance,
            threshold,
            exhaustive,
            restarts,
            seed,
            train,
            threads,
        )
    }

    /// Initialisation, freezing and depth, as `nshed depth FILE --json` reports it: for
    /// every init distribution in `init` (`"const"`, `"uniform"`, `"normal"`,
    /// `"lognormal"`, all with mean 1), `seeds` runs of the model's file from their own
    /// random init; the spread of `ln Z` across them. `freeze` (a level number, 1 = input,
    /// or a level name) also trains every run with that level's lambda frozen and
    /// compares. It does not use or change this model's state.
    #[pyo3(signature = (init=vec!["const".to_string(), "uniform".to_string(), "normal".to_string(), "lognormal".to_string()], *, seeds=8, freeze=None, seed=None, train=true, threads=None))]
    #[allow(clippy::too_many_arguments)]
    fn depth<'py>(
        &self,
        py: Python<'py>,
        init: Vec<String>,
        seeds: u64,
        freeze: Option<String>,
        seed: Option<u64>,
        train: bool,
        threads: Option<usize>,
    ) -> PyResult<Bound<'py, PyAny>> {
        crate::experiments::depth_run(self, py, init, seeds, freeze, seed, train, threads)
    }

    /// Basins of attraction, as `nshed basin FILE --json` reports them: the initial lambda
    /// of the two `nodes` (A on the x axis, B on the y axis; non-class nodes of one level)
    /// varied over `range` = (lo, hi) on a `grid` x `grid` grid (`log=True`: evenly in ln
    /// lambda), one training run per point, each classified by `outcome` (`"top"`: the
    /// node of A's level with the largest final lambda; `"predictions"`: the predicted
    /// class of every data sample). `cells` is also an int64 array (row = B, column = A)
    /// of indices into `outcomes`.
    ///
    /// `uncertainty=True` instead estimates the uncertainty exponent from `pairs` random
    /// pairs of points at each of `eps_count` distances in `eps` = (lo, hi). It does not
    /// use or change this model's state.
    #[pyo3(signature = (nodes, range, *, log=false, grid=100, steps=None, outcome="top", train=true, seed=None, uncertainty=false, eps=None, eps_count=7, pairs=1000, threads=None))]
    #[allow(clippy::too_many_arguments)]
    fn basin<'py>(
        &self,
        py: Python<'py>,
        nodes: Vec<String>,
        range: (f64, f64),
        log: bool,
        grid: u64,
        steps: Option<u64>,
        outcome: &str,
        train: bool,
        seed: Option<u64>,
        uncertainty: bool,
        eps: Option<(f64, f64)>,
        eps_count: u64,
        pairs: u64,
        threads: Option<usize>,
    ) -> PyResult<Bound<'py, PyAny>> {
        crate::experiments::basin_run(
            self,
            py,
            crate::experiments::BasinArgs {
                nodes,
                range,
                log,
                grid,
                steps,
                outcome: outcome.to_string(),
                train,
                seed,
                uncertainty,
                eps,
                eps_count,
                pairs,
                threads,
            },
        )
    }

    fn __repr__(&self) -> String {
        let ir = self.ir();
        format!(
            "<nshed.Model {}: {} levels, {} nodes, {} classes, {} samples; step {}>",
            ir.model,
            ir.levels.len(),
            ir.nodes.len(),
            ir.classes.len(),
            ir.data.samples.len(),
            self.state.step
        )
    }
}

fn checked_factor(value: f64) -> PyResult<f64> {
    let text = value.to_string();
    query::factor(value, Span::new(0, text.len()))
        .map_err(|p| problems_error("<value>", &text, vec![p]))
}

impl Model {
    pub fn compiled(&self) -> &Compiled {
        self.loaded.compiled()
    }

    pub fn engine_model(&self) -> &engine::Model<'_> {
        self.loaded.model()
    }
}

/// Compiles `text` (shown as `name`) into a model.
pub fn compile_text(text: String, name: String, seed: Option<u64>) -> PyResult<Model> {
    let source = nshed::source::Source { name, text };
    let compiled = nshed::compile(source).map_err(|r| report_error(&r))?;
    Ok(Model::from_compiled(compiled, seed))
}

/// Compiles the file at `path` into a model.
pub fn compile_file(path: &str, seed: Option<u64>) -> PyResult<Model> {
    let compiled = nshed::compile_path(path).map_err(|r| report_error(&r))?;
    Ok(Model::from_compiled(compiled, seed))
}

/// A model of `model_path` in the state saved at `path`.
pub fn restore_file(path: &str, model_path: &str) -> PyResult<Model> {
    let mut model = compile_file(model_path, None)?;
    model.restore_state(path)?;
    Ok(model)
}
