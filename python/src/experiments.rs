//! The analyses and experiments of a model's file, as the command line runs them: each
//! takes the library's options, runs with the interpreter released (Ctrl-C stops it), and
//! returns the report the command prints with `--json`, as a dict, with matrix-shaped parts
//! also as numpy arrays.

use std::sync::atomic::AtomicBool;

use nshed::analysis::{info_plane_at, info_plane_run, Estimator, InfoPlaneOptions, Representation};
use nshed::diag::{ErrorCode, Problem};
use nshed::experiments::basin::{
    self, Axis, BasinOptions, OutcomeKind, PairRule, UncertaintyOptions,
};
use nshed::experiments::depth::{self, DepthModels, DepthOptions, InitKind};
use nshed::experiments::fool::{self, Density, FileOptions, FoolCriteria};
use nshed::experiments::regularize::{regularize, RegularizeOptions};
use nshed::experiments::sweep::{Outcome, SweepOptions};
use nshed::experiments::{Experiment, ExperimentError};
use pyo3::prelude::*;
use pyo3::types::PyDict;
use serde::de::DeserializeOwned;

use crate::analyses::Judged;
use crate::convert::{int_matrix, to_python, vector};
use crate::error::{argument_error, experiment_error, problem_error};
use crate::interrupt::{run_detached, Watch};
use crate::model::Model;

/// A name of the library's (an init distribution, an outcome kind, ...) from its string,
/// with the names it takes in the error.
fn named<T: DeserializeOwned>(what: &str, name: &str) -> PyResult<T> {
    serde_json::from_value(serde_json::Value::String(name.to_string())).map_err(|e| {
        argument_error(
            format!("`{name}` is not a {what}"),
            e.to_string().replace("variant", "name"),
        )
    })
}

fn sweep_options(threads: Option<usize>) -> PyResult<SweepOptions> {
    if threads == Some(0) {
        return Err(argument_error(
            "threads=0 runs nothing",
            "give threads >= 1, or None for one per core",
        ));
    }
    Ok(SweepOptions {
        threads,
        ..SweepOptions::default()
    })
}

/// Runs a sweep with the interpreter released, stopping on Ctrl-C.
fn sweep<E: Experiment>(
    py: Python<'_>,
    run: impl FnOnce(&Watch) -> Result<Outcome<E>, ExperimentError> + Send,
) -> PyResult<E::Report>
where
    E::Report: Send,
{
    let stop = AtomicBool::new(false);
    let finished = run_detached(py, &stop, || {
        run(&Watch(&stop)).map(|outcome| outcome.finished())
    })?;
    if let Some(signal) = finished.signal {
        return Err(signal);
    }
    match finished.value {
        Ok(Some(report)) => Ok(report),
        Ok(None) => Err(problem_error(
            "<nshed>",
            Problem::error(ErrorCode::Internal, "an unsharded sweep gave a shard"),
        )),
        Err(e) => Err(experiment_error(e)),
    }
}

/// One entry of `bins`: a number of bins, or `"distinct"` (no bins).
#[derive(FromPyObject)]
pub enum BinsItem {
    Count(usize),
    Name(String),
}

/// `bins`: one entry or a list of them (one curve each).
#[derive(FromPyObject)]
pub enum Bins {
    One(BinsItem),
    Many(Vec<BinsItem>),
}

impl BinsItem {
    fn estimator(&self) -> PyResult<Estimator> {
        match self {
            BinsItem::Count(0) => Err(argument_error(
                "bins=0 cuts nothing",
                "give a number of bins >= 1, or \"distinct\"",
            )),
            BinsItem::Count(bins) => Ok(Estimator::Binning { bins: *bins }),
            BinsItem::Name(name) if name == "distinct" => Ok(Estimator::Distinct),
            BinsItem::Name(name) => Err(argument_error(
                format!("`{name}` is not a number of bins"),
                "give numbers of bins and/or \"distinct\" (the unbinned estimate)",
            )),
        }
    }
}

/// The estimators of `mi`, `bins` and `sigma`.
fn estimators(mi: &str, bins: Option<Bins>, sigma: Option<f64>) -> PyResult<Vec<Estimator>> {
    match (mi, bins, sigma) {
        ("binning", None, None) => Ok(vec![Estimator::DEFAULT]),
        ("binning", Some(Bins::One(item)), None) => Ok(vec![item.estimator()?]),
        ("binning", Some(Bins::Many(items)), None) => {
            let list = items
                .iter()
                .map(BinsItem::estimator)
                .collect::<PyResult<Vec<_>>>()?;
            if list.is_empty() {
                return Err(argument_error(
                    "bins=[] gives no curve",
                    "give at least one number of bins, or \"distinct\"",
                ));
            }
            Ok(list)
        }
        ("noise", None, Some(sigma)) => Ok(vec![Estimator::Noise { sigma }]),
        ("binning", _, Some(_)) => Err(argument_error(
            "sigma is for mi=\"noise\"",
            "give mi=\"noise\" with sigma, or drop sigma to use binning",
        )),
        ("noise", Some(_), _) => Err(argument_error(
            "bins is for mi=\"binning\"",
            "drop bins, or give mi=\"binning\"",
        )),
        ("noise", None, None) => Err(argument_error(
            "mi=\"noise\" needs sigma",
            "the representation lies in [0, 1]; try sigma=0.1",
        )),
        (other, _, _) => Err(argument_error(
            format!("`{other}` is not an estimator of mutual information"),
            "give mi=\"binning\" (with bins) or mi=\"noise\" (with sigma)",
        )),
    }
}

/// `info_plane`: see `Model.info_plane`.
#[allow(clippy::too_many_arguments)]
pub fn info_plane<'py>(
    model: &Model,
    py: Python<'py>,
    mi: &str,
    bins: Option<Bins>,
    sigma: Option<f64>,
    repr: &str,
    every: Option<u64>,
    seed: Option<u64>,
    judged: Judged,
) -> PyResult<Bound<'py, PyAny>> {
    let estimators = estimators(mi, bins, sigma)?;
    let representation: Representation = named("representation (repr)", repr)?;
    if every == Some(0) {
        return Err(argument_error(
            "every=0 records nothing",
            "give every >= 1, or None for the file's `record every` (else about 100 points)",
        ));
    }
    let stop = AtomicBool::new(false);
    let report = run_detached(py, &stop, || match judged {
        Judged::Current(run) => info_plane_at(
            model.engine_model(),
            &run.state,
            seed.unwrap_or(run.seed),
            representation,
            &estimators,
        ),
        Judged::File { train } => {
            let options = InfoPlaneOptions {
                estimators: estimators.clone(),
                representation,
                every,
                seed,
                no_train: !train,
            };
            info_plane_run(model.engine_model(), &options)
        }
    })?
    .or_signal()?
    .map_err(|e| {
        problem_error(
            "<options>",
            Problem::error(
                ErrorCode::Failed,
                format!("the information analysis failed: {e}"),
            )
            .help("the data samples' weights must be finite and >= 0, bins >= 1 (each once), sigma > 0"),
        )
    })?;
    let out = to_python(py, &report)?;
    let dict = out.cast::<PyDict>()?;
    let n_levels = report.levels.len();
    let steps: Vec<f64> = report
        .curves
        .first()
        .map(|c| c.points.iter().map(|p| p.step as f64).collect())
        .unwrap_or_default();
    dict.set_item("steps", vector(py, steps))?;
    let curves = dict.get_item("curves")?.ok_or_else(|| {
        problem_error(
            "<nshed>",
            Problem::error(ErrorCode::Internal, "the report has no curves"),
        )
    })?;
    for (k, curve) in report.curves.iter().enumerate() {
        let table = |f: fn(&nshed::analysis::LevelInformation) -> f64| -> Vec<Vec<Option<f64>>> {
            curve
                .points
                .iter()
                .map(|p| p.levels.iter().map(|l| Some(f(l))).collect())
                .collect()
        };
        let entry = curves.get_item(k)?;
        let entry = entry.cast::<PyDict>()?;
        entry.set_item(
            "i_xt",
            crate::convert::matrix(py, &table(|l| l.i_xt), n_levels)?,
        )?;
        entry.set_item(
            "i_ty",
            crate::convert::matrix(py, &table(|l| l.i_ty), n_levels)?,
        )?;
    }
    Ok(out)
}

/// `regularize`: see `Model.regularize`.
pub fn regularize_run<'py>(
    model: &Model,
    py: Python<'py>,
    batches: Vec<u64>,
    steps: Option<u64>,
    seed: Option<u64>,
) -> PyResult<Bound<'py, PyAny>> {
    let options = RegularizeOptions {
        batches,
        steps,
        seed,
    };
    let stop = AtomicBool::new(false);
    let report = run_detached(py, &stop, || regularize(model.compiled(), &options))?
        .or_signal()?
        .map_err(experiment_error)?;
    to_python(py, &report)
}

/// `density`: a probability, or `"data"`.
#[derive(FromPyObject)]
pub enum DensityArg {
    Fixed(f64),
    Named(String),
}

/// `fool`: see `Model.fool`.
#[allow(clippy::too_many_arguments)]
pub fn fool_run<'py>(
    model: &Model,
    py: Python<'py>,
    samples: u64,
    density: DensityArg,
    min_distance: usize,
    threshold: f64,
    exhaustive: bool,
    restarts: usize,
    seed: Option<u64>,
    judged: Judged,
    threads: Option<usize>,
) -> PyResult<Bound<'py, PyAny>> {
    let density =
        match density {
            DensityArg::Fixed(q) => Density::Fixed(q),
            DensityArg::Named(name) if name == "data" => Density::Data,
            DensityArg::Named(name) => return Err(argument_error(
                format!("`{name}` is not a density"),
                "give a probability from 0 to 1, or \"data\" (the training patterns' mean density)",
            )),
        };
    let options = FileOptions {
        samples,
        density,
        criteria: FoolCriteria {
            min_distance,
            threshold,
        },
        exhaustive,
        restarts,
        seed,
        no_train: matches!(judged, Judged::File { train: false }),
    };
    let sweep_options = sweep_options(threads)?;
    let compiled = model.compiled();
    let report = sweep(py, |watch| match &judged {
        Judged::Current(run) => {
            let options = FileOptions {
                seed: Some(seed.unwrap_or(run.seed)),
                ..options.clone()
            };
            fool::file_at(compiled, &run.state, &options, &sweep_options, watch)
        }
        Judged::File { .. } => fool::file(compiled, &options, &sweep_options, watch),
    })?;
    to_python(py, &report)
}

/// `depth`: see `Model.depth`.
#[allow(clippy::too_many_arguments)]
pub fn depth_run<'py>(
    model: &Model,
    py: Python<'py>,
    init: Vec<String>,
    seeds: u64,
    freeze: Option<String>,
    seed: Option<u64>,
    train: bool,
    threads: Option<usize>,
) -> PyResult<Bound<'py, PyAny>> {
    let inits = init
        .iter()
        .map(|name| named::<InitKind>("init distribution", name))
        .collect::<PyResult<Vec<_>>>()?;
    let options = DepthOptions {
        inits,
        seeds,
        structures: 1,
        freeze,
        seed,
    };
    let sweep_options = sweep_options(threads)?;
    let compiled = model.compiled();
    let report = sweep(py, |watch| {
        depth::run(
            DepthModels::File {
                compiled,
                no_train: !train,
            },
            &options,
            &sweep_options,
            watch,
        )
    })?;
    to_python(py, &report)
}

/// Options of `basin`, as `Model.basin` takes them.
pub struct BasinArgs {
    pub nodes: Vec<String>,
    pub range: (f64, f64),
    pub log: bool,
    pub grid: u64,
    pub steps: Option<u64>,
    pub outcome: String,
    pub train: bool,
    pub seed: Option<u64>,
    pub uncertainty: bool,
    pub eps: Option<(f64, f64)>,
    pub eps_count: u64,
    pub pairs: Option<u64>,
    pub min_differ: u64,
    pub max_pairs: u64,
    pub threads: Option<usize>,
}

/// `basin`: see `Model.basin`.
pub fn basin_run<'py>(
    model: &Model,
    py: Python<'py>,
    args: BasinArgs,
) -> PyResult<Bound<'py, PyAny>> {
    let options = BasinOptions {
        nodes: args.nodes,
        axis: Axis {
            lo: args.range.0,
            hi: args.range.1,
            log: args.log,
        },
        steps: args.steps,
        outcome: named::<OutcomeKind>("basin outcome", &args.outcome)?,
        no_train: !args.train,
        seed: args.seed,
    };
    let sweep_options = sweep_options(args.threads)?;
    let compiled = model.compiled();
    if args.uncertainty {
        let more = UncertaintyOptions {
            eps: args.eps,
            eps_count: args.eps_count,
            pairs: match args.pairs {
                Some(pairs) => PairRule::Fixed { pairs },
                None => PairRule::Until {
                    min_differ: args.min_differ,
                    max_pairs: args.max_pairs,
                },
            },
        };
        let report = sweep(py, |watch| {
            basin::uncertainty(compiled, &options, &more, &sweep_options, watch)
        })?;
        return to_python(py, &report);
    }
    let grid = args.grid;
    let report = sweep(py, |watch| {
        basin::grid(compiled, &options, grid, &sweep_options, watch)
    })?;
    let out = to_python(py, &report)?;
    let cells = int_matrix(py, &report.cells, report.grid as usize)?;
    out.cast::<PyDict>()?.set_item("cells", cells)?;
    Ok(out)
}
