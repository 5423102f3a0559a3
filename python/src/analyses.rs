//! The analyses and experiments of the command line as `Model` methods (the work is in
//! `experiments.rs`). `fool` and `info_plane` judge one state: the model's current state,
//! or the file's run (`state="trained"` / `"initial"`). `regularize`, `depth` and `basin`
//! are sweeps over new runs of the model's file from their own initial states, so the
//! current state has no part in them; none of them changes it.

use pyo3::prelude::*;

use crate::error::argument_error;
use crate::model::{Model, Run};

/// Which state an analysis judges.
pub enum Judged {
    /// The model's state now (a copy taken when the call starts).
    Current(Box<Run>),
    /// A run of the model's file from its seed: trained by its schedule, or not.
    File { train: bool },
}

impl Judged {
    pub fn parse(model: &Model, py: Python<'_>, state: &str) -> PyResult<Judged> {
        match state {
            "current" => Ok(Judged::Current(Box::new(model.snapshot(py)))),
            "trained" => Ok(Judged::File { train: true }),
            "initial" => Ok(Judged::File { train: false }),
            other => Err(argument_error(
                format!("state=\"{other}\" is not a state this analysis can judge"),
                "give state=\"current\" (the model as it is now), \"trained\" (the file's \
                 schedule from the seed) or \"initial\" (the initial state of the seed)",
            )),
        }
    }
}

#[pymethods]
impl Model {
    /// The information plane, as `nshed info-plane FILE --json` reports it: `I(X;T)` and
    /// `I(T;Y)` in bits of every feature level. `state="trained"` (the default) follows a
    /// run of the model's file from its seed (or `seed`) along its schedule, at step 0,
    /// every `every` steps and at the end; `"initial"` measures that run's initial state
    /// only, and `"current"` the model's current state only (one point at its step). `mi`
    /// is `"binning"` (with `bins`: a number of bins, `"distinct"` for the unbinned
    /// estimate, or a list of them, one curve each; 30 when None) or `"noise"` (with
    /// `sigma`); `repr` is `"scores"` or `"lambda"`.
    ///
    /// Besides the report's keys, `steps` (float64, one per point) is a numpy array, and
    /// each entry of `curves` has `i_xt`, `i_ty` (float64, points x levels). It does not
    /// change the model's state.
    #[pyo3(signature = (mi="binning", bins=None, repr="scores", every=None, *, sigma=None, seed=None, state="trained"))]
    #[allow(clippy::too_many_arguments)]
    fn info_plane<'py>(
        &self,
        py: Python<'py>,
        mi: &str,
        bins: Option<crate::experiments::Bins>,
        repr: &str,
        every: Option<u64>,
        sigma: Option<f64>,
        seed: Option<u64>,
        state: &str,
    ) -> PyResult<Bound<'py, PyAny>> {
        let judged = Judged::parse(self, py, state)?;
        crate::experiments::info_plane(self, py, mi, bins, sigma, repr, every, seed, judged)
    }

    /// Implicit regularization, as `nshed regularize FILE --json` reports it: one run of
    /// the model's file per batch size in `batches` (every phase's batch replaced;
    /// `steps` total steps instead of the file's), then per feature level how
    /// concentrated `lambda` is, and the neural collapse of the last level; with a test
    /// set, each run's `test` (`accuracy`, `loss`, `samples`, `correct`, `data_accuracy`,
    /// `gap`; an infinite loss is the string `"inf"`). The runs start from the file's
    /// initial state; the model's state has no part in them.
    #[pyo3(signature = (batches=vec![1, 8], *, steps=None, seed=None), text_signature = "(self, batches=(1, 8), *, steps=None, seed=None)")]
    fn regularize<'py>(
        &self,
        py: Python<'py>,
        batches: Vec<u64>,
        steps: Option<u64>,
        seed: Option<u64>,
    ) -> PyResult<Bound<'py, PyAny>> {
        crate::experiments::regularize_run(self, py, batches, steps, seed)
    }

    /// Fooling inputs and output collapse, as `nshed fool FILE --json` reports them:
    /// `samples` random input patterns (each input on with probability `density`;
    /// `"data"`: the training patterns' mean density) judged
    /// on the model's current state (`state="current"`, the default), or on a run of the
    /// file from its seed (`"trained"` by its schedule, as the command line does, or
    /// `"initial"`). A fooling input is at Hamming distance >= `min_distance` from every
    /// training pattern and predicted with probability >= `threshold`.
    /// `exhaustive=True` judges all 2^n patterns (n <= 24); `restarts` is the search
    /// budget for the smallest fooling pattern per class. `seed` seeds the patterns (the
    /// model's seed when None). Runs on `threads` threads (one per core when None); the
    /// result does not depend on it.
    // The text signature spells out the density's default, which pyo3 cannot render from an
    // enum value.
    #[pyo3(
        signature = (*, samples=1000, density=crate::experiments::DensityArg::Fixed(0.5), min_distance=2, threshold=0.99, exhaustive=false, restarts=20, seed=None, state="current", threads=None),
        text_signature = "(self, /, *, samples=1000, density=0.5, min_distance=2, threshold=0.99, exhaustive=False, restarts=20, seed=None, state='current', threads=None)"
    )]
    #[allow(clippy::too_many_arguments)]
    fn fool<'py>(
        &self,
        py: Python<'py>,
        samples: u64,
        density: crate::experiments::DensityArg,
        min_distance: usize,
        threshold: f64,
        exhaustive: bool,
        restarts: usize,
        seed: Option<u64>,
        state: &str,
        threads: Option<usize>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let judged = Judged::parse(self, py, state)?;
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
            judged,
            threads,
        )
    }

    /// Initialisation, freezing and depth, as `nshed depth FILE --json` reports it: for
    /// every init distribution in `init` (`"const"`, `"uniform"`, `"normal"`,
    /// `"lognormal"`, all with mean 1), `seeds` runs of the model's file from their own
    /// random init; the spread of `ln Z` across them. `freeze` (a level number, 1 = input,
    /// or a level name) also trains every run with that level's lambda frozen and
    /// compares. With a test set, each cell's `test` (and its `freeze`'s `frozen_test`)
    /// has the runs' test `accuracy`, `loss` and `gap` (data minus test accuracy), each a
    /// `mean` with its 95% interval `ci95`. New runs: the model's state has no part in
    /// them.
    #[pyo3(signature = (init=vec!["const".to_string(), "uniform".to_string(), "normal".to_string(), "lognormal".to_string()], *, seeds=8, freeze=None, seed=None, train=true, threads=None),
           text_signature = "(self, init=('const', 'uniform', 'normal', 'lognormal'), *, seeds=8, freeze=None, seed=None, train=True, threads=None)")]
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
    /// lambda), one training run of the model's file per point, each classified by
    /// `outcome` (`"top"`: the node of A's level with the largest final lambda;
    /// `"predictions"`: the predicted class of every data sample). `cells` is also an
    /// int64 array (row = B, column = A) of indices into `outcomes`.
    ///
    /// `uncertainty=True` instead estimates the uncertainty exponent from random pairs of
    /// points at each of `eps_count` distances in `eps` = (lo, hi): pairs are drawn until
    /// `min_differ` of them differ (at most `max_pairs`), or exactly `pairs` when given. New
    /// runs: the model's state has no part in them.
    #[pyo3(signature = (nodes, range, *, log=false, grid=100, steps=None, outcome="top", train=true, seed=None, uncertainty=false, eps=None, eps_count=5, pairs=None, min_differ=50, max_pairs=200_000, threads=None))]
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
        pairs: Option<u64>,
        min_differ: u64,
        max_pairs: u64,
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
                min_differ,
                max_pairs,
                threads,
            },
        )
    }
}
