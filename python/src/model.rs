//! `nshed.Model`: a compiled model and one training state of it, usable from any thread.
//!
//! The compiled model (`Loaded`) never changes and is shared by copies. The state sits
//! behind a mutex: every call that reads or changes it takes the lock, and a call that
//! must wait for it releases the interpreter meanwhile, so concurrent calls are
//! serialised, never refused. The step, the seed and the progress of a running `train()`
//! are also kept in atomics (`Live`), so that another thread reads them while training
//! holds the lock. The class is `frozen`: Python never borrows it mutably, so no call
//! can meet "Already borrowed".

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use nshed::engine::{self, run_seed, State};
use nshed::ir::Ir;
use nshed::persist::{self, SavedState};
use nshed::Compiled;
use pyo3::prelude::*;
use pyo3::sync::MutexExt;
use pyo3::types::PyList;

use crate::error::{problem_error, report_error};

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
    /// The file it was read from (`None` for `loads`): `save` never writes over it.
    origin: Option<PathBuf>,
    /// For a template (`load(..., template=True)`), the whole text, `train` and `expect`
    /// blocks included: the compiled source is its shape without them.
    template: Option<String>,
}

impl Loaded {
    pub fn new(compiled: Compiled, origin: Option<PathBuf>, template: Option<String>) -> Loaded {
        let hash = compiled.identity();
        Loaded {
            parts: Parts::new(compiled, |c| c.model()),
            hash,
            origin,
            template,
        }
    }

    /// The text that `with_data` and `with_batch` edit: a template's whole text, or the
    /// source.
    pub fn editable_text(&self) -> &str {
        self.template
            .as_deref()
            .unwrap_or(&self.compiled().source().text)
    }

    pub fn template(&self) -> Option<&str> {
        self.template.as_deref()
    }

    pub fn compiled(&self) -> &Compiled {
        self.parts.borrow_owner()
    }

    pub fn ir(&self) -> &Ir {
        self.compiled().ir()
    }

    pub fn model(&self) -> &engine::Model<'_> {
        self.parts.borrow_dependent()
    }

    pub fn hash(&self) -> &str {
        &self.hash
    }

    pub fn origin(&self) -> Option<&Path> {
        self.origin.as_deref()
    }
}

/// The state of a model and the seed its run started from.
#[derive(Clone)]
pub struct Run {
    pub seed: u64,
    pub state: State,
}

/// What other threads may read while a call holds the state: the step and seed of the
/// state, and the steps done and planned by the running (or last) `train()`.
#[derive(Default)]
pub struct Live {
    pub step: AtomicU64,
    pub seed: AtomicU64,
    pub done: AtomicU64,
    pub planned: AtomicU64,
}

/// A neurashed model and one training state of it (every `lambda` and `eta`, the step,
/// the schedule's position and the random stream).
///
/// Make one with `nshed.load(path)` or `nshed.loads(text)`. Inputs `x` are a data
/// sample's name (`"c1a"`), a pattern as the query language writes it (`"{e1 e2}"`,
/// `"{e1 e2}->c1"`), a list of input-level node names (`["e1", "e2"]`), or a 0/1 vector
/// (a list or a 1-D numpy array, bool or numbers) with one entry per input node, in the
/// order of `input_nodes`. Names and values that do not fit the model raise `NshedError`,
/// arguments of the wrong type `TypeError`; the model keeps its state after any error.
///
/// A model may be used from several threads: calls are serialised (a call that waits
/// releases the interpreter), and `step` and `progress` can be read while another thread
/// trains. Models pickle (the source text and the saved state), so `copy`, `joblib` and
/// `multiprocessing` work.
#[pyclass(module = "nshed", name = "Model", frozen)]
pub struct Model {
    pub(crate) loaded: Arc<Loaded>,
    run: Mutex<Run>,
    pub(crate) live: Live,
}

impl Model {
    pub fn new(loaded: Arc<Loaded>, run: Run) -> Model {
        let model = Model {
            loaded,
            run: Mutex::new(run.clone()),
            live: Live::default(),
        };
        model.publish(&run);
        model
    }

    pub fn from_loaded(loaded: Loaded, seed: Option<u64>) -> Model {
        let seed = run_seed(loaded.ir(), seed);
        let state = State::new(loaded.ir(), seed);
        Model::new(Arc::new(loaded), Run { seed, state })
    }

    pub fn ir(&self) -> &Ir {
        self.loaded.ir()
    }

    pub fn compiled(&self) -> &Compiled {
        self.loaded.compiled()
    }

    pub fn engine_model(&self) -> &engine::Model<'_> {
        self.loaded.model()
    }

    /// The state, waiting (with the interpreter released) while another call holds it.
    /// Every call that changes the state catches panics before they unwind through the
    /// guard, so a poisoned lock still holds a whole state.
    pub fn lock(&self, py: Python<'_>) -> MutexGuard<'_, Run> {
        self.run
            .lock_py_attached(py)
            .unwrap_or_else(PoisonError::into_inner)
    }

    /// Makes `run`'s step and seed readable without the lock; called after every change.
    pub fn publish(&self, run: &Run) {
        self.live.step.store(run.state.step, Ordering::SeqCst);
        self.live.seed.store(run.seed, Ordering::SeqCst);
    }

    /// A copy of the state and seed (for work that must not hold the lock).
    pub fn snapshot(&self, py: Python<'_>) -> Run {
        self.lock(py).clone()
    }

    /// The saved-state form of `run` (what `save` writes and pickles carry).
    pub fn saved(&self, run: &Run) -> SavedState {
        SavedState {
            nshed_state: persist::FORMAT,
            model: self.ir().model.clone(),
            source_sha256: self.loaded.hash().to_string(),
            seed: run.seed,
            state: run.state.clone(),
        }
    }
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
        self.compiled().source().name.clone()
    }

    /// The model's source text (for a model made by `with_data` or `with_batch`, the
    /// edited text: write it to a file and the command line runs the same model; for a
    /// template, the whole text, `train` block included).
    #[getter]
    fn text(&self) -> String {
        self.loaded.editable_text().to_string()
    }

    /// Whether this model is a template (`load(..., template=True)`): its `train` and
    /// `expect` blocks wait for `with_data`.
    #[getter]
    fn is_template(&self) -> bool {
        self.loaded.template().is_some()
    }

    /// Training steps taken so far. Readable while another thread trains the model.
    #[getter]
    fn step(&self) -> u64 {
        self.live.step.load(Ordering::SeqCst)
    }

    /// `(done, planned)`: the steps the running `train()` call has taken and will take
    /// in all (of the last call when none runs; `(0, 0)` before the first). Readable
    /// while another thread trains the model, e.g. for a progress bar.
    #[getter]
    fn progress(&self) -> (u64, u64) {
        (
            self.live.done.load(Ordering::SeqCst),
            self.live.planned.load(Ordering::SeqCst),
        )
    }

    /// The seed the run started from (`reset()` goes back to it).
    #[getter]
    fn seed(&self) -> u64 {
        self.live.seed.load(Ordering::SeqCst)
    }

    /// Test sample names: the `test` block's samples in file order (written or read from
    /// files), then the noisy copies `s~1`, `s~2`, ... of each data sample that
    /// `copies N flip q` draws from the run's seed. Empty without a `test` block.
    #[getter]
    fn test_samples(&self, py: Python<'_>) -> Vec<String> {
        let run = self.lock(py);
        nshed::engine::heldout::test_samples(self.ir(), &run.state)
            .into_iter()
            .map(|s| s.name)
            .collect()
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
    /// of `ln_lambdas()` and the columns of `scores_many()` and `pathways_many()`).
    #[getter]
    fn nodes(&self) -> Vec<String> {
        self.ir().nodes.iter().map(|n| n.name.to_string()).collect()
    }

    /// The input level's node names in declaration order: the columns of a 0/1 input
    /// vector or matrix.
    #[getter]
    fn input_nodes(&self) -> Vec<String> {
        let n = self.engine_model().n_inputs();
        self.ir().nodes[..n]
            .iter()
            .map(|n| n.name.to_string())
            .collect()
    }

    /// Class names, in declaration order (the columns of `probabilities_many()`).
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
            .map(|e| nshed::report::edge_name(self.ir(), e))
            .collect()
    }

    /// The checker's warnings, as dicts like `NshedError.diagnostics`.
    #[getter]
    fn warnings<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let warnings = self.compiled().warnings();
        if warnings.problems.is_empty() {
            return Ok(PyList::empty(py).into_any());
        }
        let err = report_error(warnings);
        err.value(py).getattr("diagnostics")
    }

    fn __repr__(&self) -> String {
        let ir = self.ir();
        format!(
            "<nshed.Model {}: {}, {} samples; step {}>",
            ir.model,
            ir.size_summary(),
            ir.data.samples.len(),
            self.step()
        )
    }
}

/// Compiles `text` (shown as `name`, read from `origin`): the model, or with `template`
/// its shape without `train` and `expect` blocks, keeping the whole text for `with_data`.
pub fn compile_loaded(
    text: String,
    name: String,
    origin: Option<PathBuf>,
    template: bool,
) -> PyResult<Loaded> {
    let (compiled_text, template) = if template {
        let shape = nshed::edit::without_training(&text)
            .map_err(|p| crate::error::problems_error(&name, &text, vec![p]))?;
        (shape, Some(text))
    } else {
        (text, None)
    };
    let source = nshed::source::Source {
        name,
        text: compiled_text,
    };
    let compiled = nshed::compile(source).map_err(|r| report_error(&r))?;
    Ok(Loaded::new(compiled, origin, template))
}

/// Compiles `text` (shown as `name`) into a model.
pub fn compile_text(
    text: String,
    name: String,
    seed: Option<u64>,
    template: bool,
) -> PyResult<Model> {
    let loaded = compile_loaded(text, name, None, template)?;
    Ok(Model::from_loaded(loaded, seed))
}

/// Compiles the file at `path` into a model.
pub fn compile_file(path: &Path, seed: Option<u64>, template: bool) -> PyResult<Model> {
    let source = nshed::source::load(path).map_err(|r| report_error(&r))?;
    let loaded = compile_loaded(source.text, source.name, Some(path.to_path_buf()), template)?;
    Ok(Model::from_loaded(loaded, seed))
}

/// The saved state at `path` for `model`, checked against its source.
pub fn read_state(model: &Model, path: &Path) -> PyResult<Run> {
    let saved = persist::load(path, model.ir(), model.loaded.hash())
        .map_err(|p| problem_error(&path.display().to_string(), p))?;
    Ok(Run {
        seed: saved.seed,
        state: saved.state,
    })
}

/// A model of `model_path` in the state saved at `path`.
pub fn restore_file(py: Python<'_>, path: &Path, model_path: &Path) -> PyResult<Model> {
    let model = compile_file(model_path, None, false)?;
    let run = read_state(&model, path)?;
    let mut held = model.lock(py);
    *held = run;
    model.publish(&held);
    drop(held);
    Ok(model)
}
