//! Training, explicit steps, resets and copies of a `Model`.

use std::num::NonZeroU64;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use nshed::diag::{ErrorCode, Problem};
use nshed::engine::{self, Control, Observer, State, Trainer, Until};
use nshed::ir::{ClassId, NodeId};
use nshed::progress::Progress;
use nshed::query;
use pyo3::prelude::*;

use crate::error::{guarded, problem_error, problems_error};
use crate::inputs::{batch_text, count};
use crate::interrupt::run_detached;
use crate::model::{Live, Model, Run};

/// The steps planned by a running `train()`, for `Model.progress`.
impl Progress for Live {
    fn start(&self, total: u64) {
        self.done.store(0, Ordering::SeqCst);
        self.planned.store(total, Ordering::SeqCst);
    }
    fn set(&self, done: u64) {
        self.done.store(done, Ordering::SeqCst);
    }
    fn advance(&self, _units: u64) {}
    fn finish(&self) {}
}

#[pymethods]
impl Model {
    /// Trains and returns the number of steps taken.
    ///
    /// `steps=None` trains by the rest of the file's schedule (nothing when there is no
    /// `train` block, or it is spent). An int trains that many more steps: the rest of the
    /// schedule first, then steps like the last phase's; a model with data but no `train`
    /// block takes steps with every default (batch 1, `replace`, the file's rules).
    ///
    /// Runs without holding the interpreter; `step` and `progress` can be read from other
    /// threads meanwhile. Ctrl-C (KeyboardInterrupt) stops it within 256 steps; the steps
    /// taken are kept.
    #[pyo3(signature = (steps=None))]
    fn train(&self, py: Python<'_>, steps: Option<Bound<'_, PyAny>>) -> PyResult<u64> {
        let until = match &steps {
            None => Until::EndOfSchedule,
            Some(n) => Until::Steps(count("steps", n)?),
        };
        if let (Until::Steps(n), Some(why)) = (until, engine::untrainable(self.ir())) {
            if n > 0 {
                return Err(problem_error(
                    &self.compiled().source().name,
                    Problem::error(ErrorCode::PythonNoData, why)
                        .help("add a `data` block, or train on explicit batches with step_on()"),
                ));
            }
        }
        let mut run = self.lock(py);
        let before = run.state.clone();
        let stop = AtomicBool::new(false);
        let (loaded, live) = (&*self.loaded, &self.live);
        let state = &mut run.state;
        let finished = run_detached(py, &stop, || {
            let mut trainer = Trainer::new(loaded.model());
            let control = Control {
                stop_after: None,
                stop: Some(&stop),
                progress: Some(live),
            };
            // The step is shown once a chunk (the stop flag's period): an observer of
            // every step would have each step written at once, where steps between two
            // looks may be written together.
            let mut see = |s: &State| live.step.store(s.step, Ordering::Relaxed);
            let observer = Observer {
                every: NonZeroU64::new(engine::control::CHUNK).unwrap_or(NonZeroU64::MIN),
                see: &mut see,
            };
            engine::train(&mut trainer, state, until, &control, Some(observer))
        });
        let taken = match finished {
            Ok(done) => done.or_signal().map(|t| t.taken),
            Err(e) => {
                // A panic may have left the state half-updated: go back to where it was.
                run.state = before;
                Err(e)
            }
        };
        self.publish(&run);
        taken
    }

    /// One explicit training step on `batch`, with the rules of the current phase (the
    /// last phase's once the schedule is over, the file's without one). It counts as a
    /// step; the schedule's position does not move.
    ///
    /// `batch` is a string as the REPL's `step` takes it (`"c1a, {e4 e5 e6}->c2"`), or a
    /// list whose items are sample names, labelled patterns (`"{e1 e2}->c1"`) or pairs
    /// `(input, "c1")` of an input (node names or a 0/1 vector) and its class. Returns
    /// the new step.
    fn step_on(&self, py: Python<'_>, batch: &Bound<'_, PyAny>) -> PyResult<u64> {
        let n_inputs = self.engine_model().n_inputs();
        let text = batch_text(self.ir(), n_inputs, batch)?;
        let inputs = query::parse_batch(self.ir(), &text)
            .map_err(|p| problems_error("<batch>", &text, p))?;
        let pairs: Vec<(&[NodeId], ClassId)> = inputs
            .iter()
            .filter_map(|i| i.label.map(|c| (i.input.as_slice(), c)))
            .collect();
        let mut run = self.lock(py);
        let step = guarded(|| {
            let mut state = run.state.clone();
            let mut trainer = Trainer::new(self.engine_model());
            engine::explicit_step(&mut trainer, &mut state, &pairs);
            run.state = state;
            Ok(run.state.step)
        });
        self.publish(&run);
        step
    }

    /// Goes back to the initial state: of the same seed, or of `seed` (which becomes the
    /// model's seed).
    #[pyo3(signature = (seed=None))]
    fn reset(&self, py: Python<'_>, seed: Option<Bound<'_, PyAny>>) -> PyResult<()> {
        let seed = seed.as_ref().map(|s| count("seed", s)).transpose()?;
        let mut run = self.lock(py);
        let seed = seed.unwrap_or(run.seed);
        *run = Run {
            seed,
            state: State::new(self.ir(), seed),
        };
        self.publish(&run);
        Ok(())
    }

    /// An independent copy: same model, same state; training one does not move the other.
    fn copy(&self, py: Python<'_>) -> Model {
        Model::new(Arc::clone(&self.loaded), self.snapshot(py))
    }

    fn __copy__(&self, py: Python<'_>) -> Model {
        self.copy(py)
    }

    #[pyo3(signature = (memo=None))]
    fn __deepcopy__(&self, py: Python<'_>, memo: Option<Bound<'_, PyAny>>) -> Model {
        let _ = memo;
        self.copy(py)
    }
}
