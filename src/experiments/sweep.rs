//! Parallel, reproducible, shardable sweeps.
//!
//! A sweep is `total` independent points, numbered `0..total`. A point's result depends only
//! on the sweep's parameters and its index (its random stream is `State::for_run(ir, seed,
//! index)`), never on which thread ran it or in what order, so the results are bit-identical
//! whatever the thread count and however the sweep is split into shards.
//!
//! `--shard i/n` runs the points `p` with `p % n == i - 1` (round robin, so that expensive
//! regions of a grid are spread over every shard) and writes a [`ShardFile`]; `nshed merge`
//! reads the `n` files back, checks that they belong together and cover every point exactly
//! once, and hands the results in point order to the experiment's own finishing code, the same
//! code an unsharded run calls.

use std::collections::{BTreeSet, HashMap};
use std::fmt;
use std::marker::PhantomData;
use std::str::FromStr;

use rayon::prelude::*;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use super::experiment::{ErrorKind, ExperimentError, Points};
use super::Experiment;
use crate::present::Render;
use crate::progress::Progress;

/// The file-format tag of shard files.
pub const SHARD_FORMAT: &str = "nshed-shard";
/// The version of the shard-file format.
pub const SHARD_VERSION: u32 = 1;

/// Part `index` (1-based) of `count` of a sweep.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Shard {
    /// Which part (1-based).
    pub index: u64,
    /// How many parts.
    pub count: u64,
}

impl Shard {
    /// The whole sweep.
    pub const ALL: Shard = Shard { index: 1, count: 1 };

    /// Whether point `point` belongs to this shard.
    pub fn owns(&self, point: u64) -> bool {
        point % self.count == self.index - 1
    }

    /// This shard's points of a sweep of `total` points, in increasing order.
    pub fn points(&self, total: u64) -> Vec<u64> {
        (self.index - 1..total)
            .step_by(self.count as usize)
            .collect()
    }

    /// Whether it is the whole sweep (one part).
    pub fn is_all(&self) -> bool {
        self.count == 1
    }
}

impl fmt::Display for Shard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

impl FromStr for Shard {
    type Err = String;

    /// Parses `i/n` with `1 <= i <= n` (the form Slurm's `$SLURM_ARRAY_TASK_ID/N` and GNU
    /// parallel's `{#}/N` give).
    fn from_str(s: &str) -> Result<Shard, String> {
        let (i, n) = s
            .split_once('/')
            .ok_or_else(|| format!("`{s}` is not of the form I/N (for example `2/8`)"))?;
        let parse = |part: &str, what: &str| {
            part.trim()
                .parse::<u64>()
                .map_err(|_| format!("{what} `{part}` in `{s}` is not a non-negative integer"))
        };
        let (index, count) = (parse(i, "shard index")?, parse(n, "shard count")?);
        if count == 0 {
            return Err(format!("`{s}`: the shard count must be at least 1"));
        }
        if index == 0 || index > count {
            return Err(format!(
                "`{s}`: shards are numbered 1 to {count} (I/N with 1 <= I <= N)"
            ));
        }
        if count > usize::MAX as u64 {
            return Err(format!("`{s}`: too many shards"));
        }
        Ok(Shard { index, count })
    }
}

/// Why a sweep could not run, or shard files could not be merged.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum SweepError {
    /// The worker threads could not be started.
    #[error("cannot start {threads} worker threads: {reason}")]
    Threads {
        /// How many were asked for.
        threads: usize,
        /// Why they could not start.
        reason: String,
    },
    /// `merge` was given no file.
    #[error("no shard files to merge")]
    NoShards,
    /// A file is not a shard file.
    #[error("`{file}` is not an nshed shard file: {reason}")]
    NotAShard {
        /// The file.
        file: String,
        /// What is wrong with it.
        reason: String,
    },
    /// Two files are shards of different experiments.
    #[error("`{file}` is a shard of a `{found}` sweep, but `{first}` is of a `{expected}` sweep")]
    MixedExperiments {
        /// The file.
        file: String,
        /// Its experiment.
        found: String,
        /// The first file.
        first: String,
        /// The first file's experiment.
        expected: String,
    },
    /// Two files were run with different parameters.
    #[error(
        "`{file}` was run with `{param}` = {found}, but `{first}` with `{param}` = {expected}"
    )]
    MixedParams {
        /// The file.
        file: String,
        /// The first file.
        first: String,
        /// The first parameter that differs (a dotted path into the parameters).
        param: String,
        /// Its value in `file` (JSON, `absent` when missing).
        found: String,
        /// Its value in `first`.
        expected: String,
    },
    /// Two files split the sweep differently.
    #[error("`{file}` is shard {shard} of a sweep of {total} points split {count} ways, but `{first}` is of a sweep of {first_total} points split {first_count} ways")]
    MixedSplits {
        /// The file.
        file: String,
        /// Its shard.
        shard: Shard,
        /// Its sweep's number of points.
        total: u64,
        /// Its sweep's number of shards.
        count: u64,
        /// The first file.
        first: String,
        /// The first file's number of points.
        first_total: u64,
        /// The first file's number of shards.
        first_count: u64,
    },
    /// A file holds a point its shard does not own.
    #[error(
        "`{file}` holds point {point}, which shard {shard} does not own, or which is out of range"
    )]
    ForeignPoint {
        /// The file.
        file: String,
        /// Its shard.
        shard: Shard,
        /// The point.
        point: u64,
    },
    /// Two files hold the same point.
    #[error("point {point} appears twice (in `{first}` and `{second}`)")]
    DuplicatePoint {
        /// The point.
        point: u64,
        /// The first file holding it.
        first: String,
        /// The second.
        second: String,
    },
    /// The sweep was stopped (Ctrl-C) before it finished.
    #[error("interrupted after {done} of {total} points")]
    Interrupted {
        /// Points finished.
        done: u64,
        /// Points in the sweep.
        total: u64,
    },
    /// The files merged do not hold every point.
    #[error("{missing} of {total} points are missing; shards not given: {shards}")]
    MissingPoints {
        /// Points missing.
        missing: u64,
        /// Points in the sweep.
        total: u64,
        /// The shards not given.
        shards: String,
    },
}

impl SweepError {
    /// A help line for the diagnostic.
    pub fn help(&self) -> &'static str {
        match self {
            SweepError::Threads { .. } => "try a smaller --threads",
            SweepError::NoShards => "give every shard file of the sweep: nshed merge part-*.json",
            SweepError::NotAShard { .. } => {
                "shard files are written by a sweep command run with --shard I/N --out PATH"
            }
            SweepError::MixedExperiments { .. }
            | SweepError::MixedParams { .. }
            | SweepError::MixedSplits { .. } => {
                "merge only the shards of one sweep: the same command, options, model and seed with --shard 1/N ... N/N"
            }
            SweepError::ForeignPoint { .. } | SweepError::DuplicatePoint { .. } => {
                "each shard file must come from its own --shard I/N run; a file was edited or given twice"
            }
            SweepError::Interrupted { .. } => "the points already computed are not kept; run it again",
            SweepError::MissingPoints { .. } => {
                "run the missing shards (same command with --shard I/N) and merge all the files"
            }
        }
    }
}

/// How a sweep runs: which part of it, on how many threads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SweepOptions {
    /// The part of the sweep to run ([`Shard::ALL`] for all of it).
    pub shard: Shard,
    /// Worker threads (rayon's default, one per core, when `None`). Results do not
    /// depend on it.
    pub threads: Option<usize>,
}

impl Default for SweepOptions {
    fn default() -> Self {
        SweepOptions {
            shard: Shard::ALL,
            threads: None,
        }
    }
}

/// What a sweep gives: the finished report, or, for one shard of it, the shard file to
/// write (finished later by [`merge`]).
pub enum Outcome<E: Experiment> {
    /// The report of the whole sweep.
    Finished(E::Report),
    /// One shard's points, to merge later.
    Shard(ShardFile<E::Params, E::Point>),
}

impl<E: Experiment> Outcome<E> {
    /// The report of an unsharded sweep (`None` for a shard).
    pub fn finished(self) -> Option<E::Report> {
        match self {
            Outcome::Finished(report) => Some(report),
            Outcome::Shard(_) => None,
        }
    }
}

/// Runs the points of `options.shard` of a sweep of experiment `E` in parallel, and either
/// finishes the report (the whole sweep) or returns the shard file. The first failing
/// point (in point order) ends it.
pub fn run<E: Experiment>(
    points: &impl Points<E>,
    options: &SweepOptions,
    progress: &dyn Progress,
) -> Result<Outcome<E>, ExperimentError> {
    let params = points.params();
    let total = E::total_points(params);
    let results = run_points(total, options.shard, options.threads, progress, |p| {
        points.run_point(p)
    })
    .map_err(|e| {
        let kind = match e {
            SweepError::Interrupted { .. } => ErrorKind::Interrupted,
            _ => ErrorKind::Options,
        };
        ExperimentError::new(kind, e.to_string()).help(e.help())
    })?;
    let total_run = results.len() as u64;
    let done = results.iter().filter(|(_, r)| r.is_ok()).count() as u64;
    let results = results
        .into_iter()
        .map(|(p, r)| r.map(|v| (p, v)))
        .collect::<Result<Vec<_>, String>>()
        .map_err(|e| {
            // A long point may give up half-way when asked to stop; that is an interruption,
            // not a failure.
            if progress.stopped() {
                let e = SweepError::Interrupted {
                    done,
                    total: total_run,
                };
                ExperimentError::new(ErrorKind::Interrupted, e.to_string()).help(e.help())
            } else {
                ExperimentError::failed(e)
            }
        })?;
    if options.shard.is_all() {
        let report = E::finish(params, results.into_iter().map(|(_, r)| r).collect())?;
        Ok(Outcome::Finished(report))
    } else {
        Ok(Outcome::Shard(ShardFile::new(
            E::NAME,
            params.clone(),
            total,
            options.shard,
            results,
        )))
    }
}

/// Runs `run` on every point of `shard` of a sweep of `total` points, in parallel on `threads`
/// workers (rayon's default when `None`), and returns `(point, result)` in point order,
/// telling `progress` as points finish.
pub fn run_points<T, F>(
    total: u64,
    shard: Shard,
    threads: Option<usize>,
    progress: &dyn Progress,
    run: F,
) -> Result<Vec<(u64, T)>, SweepError>
where
    T: Send,
    F: Fn(u64) -> T + Sync + Send,
{
    let points = shard.points(total);
    progress.start(points.len() as u64);
    let work = || {
        points
            .par_iter()
            .map(|&p| {
                if progress.stopped() {
                    return (p, None);
                }
                let result = run(p);
                progress.advance(1);
                (p, Some(result))
            })
            .collect::<Vec<_>>()
    };
    let results = match threads {
        None => work(),
        Some(n) => rayon::ThreadPoolBuilder::new()
            .num_threads(n)
            .build()
            .map_err(|e| SweepError::Threads {
                threads: n,
                reason: e.to_string(),
            })?
            .install(work),
    };
    progress.finish();
    let wanted = results.len() as u64;
    let done: Vec<(u64, T)> = results
        .into_iter()
        .filter_map(|(p, r)| r.map(|r| (p, r)))
        .collect();
    if done.len() as u64 != wanted {
        return Err(SweepError::Interrupted {
            done: done.len() as u64,
            total: wanted,
        });
    }
    Ok(done)
}

/// The partial result of one shard: what `--shard I/N --out PATH` writes.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct ShardFile<P, T> {
    /// Always [`SHARD_FORMAT`].
    pub format: String,
    /// Always [`SHARD_VERSION`].
    pub version: u32,
    /// The experiment's name, e.g. `basin`.
    pub experiment: String,
    /// Everything the points and the finishing step depend on (options, seed, model digest).
    pub params: P,
    /// How many points the whole sweep has.
    pub total_points: u64,
    /// Which shard this is.
    pub shard: Shard,
    /// This shard's points, in increasing order.
    pub points: Vec<PointResult<T>>,
}

/// One point's result in a shard file.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct PointResult<T> {
    /// The point.
    pub index: u64,
    /// Its result.
    pub result: T,
}

impl<P, T> ShardFile<P, T> {
    /// The shard file of `shard` of a sweep of `total_points` points, holding `points` (point, result).
    pub fn new(
        experiment: &str,
        params: P,
        total_points: u64,
        shard: Shard,
        points: Vec<(u64, T)>,
    ) -> Self {
        ShardFile {
            format: SHARD_FORMAT.into(),
            version: SHARD_VERSION,
            experiment: experiment.into(),
            params,
            total_points,
            shard,
            points: points
                .into_iter()
                .map(|(index, result)| PointResult { index, result })
                .collect(),
        }
    }
}

/// Shard files merged: the experiment, its parameters and every point's result in point order.
#[derive(Clone, Debug, PartialEq)]
pub struct Merged {
    /// The experiment's name.
    pub experiment: String,
    /// Its parameters, as the shard files hold them.
    pub params: serde_json::Value,
    /// Every point's result, in point order.
    pub results: Vec<serde_json::Value>,
}

impl Merged {
    /// The typed parameters and results, for the experiment's finishing code.
    pub fn typed<P: DeserializeOwned, T: DeserializeOwned>(
        self,
    ) -> Result<(P, Vec<T>), serde_json::Error> {
        let params = serde_json::from_value(self.params)?;
        let results = self
            .results
            .into_iter()
            .map(serde_json::from_value)
            .collect::<Result<_, _>>()?;
        Ok((params, results))
    }
}

/// Largest shard file read, in bytes (a shard holds one result per point it ran: a
/// basin grid of a million points is about a hundred megabytes).
pub const MAX_SHARD_BYTES: usize = 1 << 30;

/// The first place where two parameter values differ: its dotted path (`params` when the
/// values differ as a whole) and both values as compact JSON (`absent` for a missing key).
/// Keys are visited in order, so the answer does not depend on the files' layout.
fn first_difference(
    found: &serde_json::Value,
    expected: &serde_json::Value,
    path: &str,
) -> Option<(String, String, String)> {
    use serde_json::Value;
    let here = || {
        if path.is_empty() {
            "params".to_string()
        } else {
            path.to_string()
        }
    };
    match (found, expected) {
        (Value::Object(a), Value::Object(b)) => {
            let keys: BTreeSet<&String> = a.keys().chain(b.keys()).collect();
            keys.into_iter().find_map(|k| {
                let sub = if path.is_empty() {
                    k.clone()
                } else {
                    format!("{path}.{k}")
                };
                match (a.get(k), b.get(k)) {
                    (Some(x), Some(y)) => first_difference(x, y, &sub),
                    (x, y) => {
                        let show =
                            |v: Option<&Value>| v.map_or("absent".to_string(), Value::to_string);
                        Some((sub, show(x), show(y)))
                    }
                }
            })
        }
        _ if found == expected => None,
        _ => Some((here(), found.to_string(), expected.to_string())),
    }
}

/// Parses shard files (`(file name, text)`) and merges them; every inconsistency is an error.
pub fn merge_shards(files: &[(String, String)]) -> Result<Merged, SweepError> {
    let mut parsed = Vec::with_capacity(files.len());
    for (name, text) in files {
        let shard: ShardFile<serde_json::Value, serde_json::Value> = serde_json::from_str(text)
            .map_err(|e| SweepError::NotAShard {
                file: name.clone(),
                reason: e.to_string(),
            })?;
        if shard.format != SHARD_FORMAT || shard.version != SHARD_VERSION {
            return Err(SweepError::NotAShard {
                file: name.clone(),
                reason: format!(
                    "format `{}` version {} (expected `{SHARD_FORMAT}` version {SHARD_VERSION})",
                    shard.format, shard.version
                ),
            });
        }
        if shard.shard.count == 0 || shard.shard.index == 0 || shard.shard.index > shard.shard.count
        {
            return Err(SweepError::NotAShard {
                file: name.clone(),
                reason: format!("shard {} is not of the form I/N", shard.shard),
            });
        }
        parsed.push((name.clone(), shard));
    }
    let Some((first_name, first)) = parsed.first() else {
        return Err(SweepError::NoShards);
    };
    let total = first.total_points;
    // Sized by what the files hold, never by the counts they claim: a corrupt file saying
    // 10^18 points or shards must get an error, not an allocation that aborts.
    let given: usize = parsed.iter().map(|(_, s)| s.points.len()).sum();
    let mut owner: HashMap<u64, usize> = HashMap::with_capacity(given);
    let mut seen_shards: BTreeSet<u64> = BTreeSet::new();
    for (i, (name, shard)) in parsed.iter().enumerate() {
        if shard.experiment != first.experiment {
            return Err(SweepError::MixedExperiments {
                file: name.clone(),
                found: shard.experiment.clone(),
                first: first_name.clone(),
                expected: first.experiment.clone(),
            });
        }
        if let Some((param, found, expected)) = first_difference(&shard.params, &first.params, "") {
            return Err(SweepError::MixedParams {
                file: name.clone(),
                first: first_name.clone(),
                param,
                found,
                expected,
            });
        }
        if shard.total_points != total || shard.shard.count != first.shard.count {
            return Err(SweepError::MixedSplits {
                file: name.clone(),
                shard: shard.shard,
                total: shard.total_points,
                count: shard.shard.count,
                first: first_name.clone(),
                first_total: total,
                first_count: first.shard.count,
            });
        }
        seen_shards.insert(shard.shard.index);
        for point in &shard.points {
            let p = point.index;
            if p >= total || !shard.shard.owns(p) {
                return Err(SweepError::ForeignPoint {
                    file: name.clone(),
                    shard: shard.shard,
                    point: p,
                });
            }
            if let Some(&j) = owner.get(&p) {
                return Err(SweepError::DuplicatePoint {
                    point: p,
                    first: parsed[j].0.clone(),
                    second: name.clone(),
                });
            }
            owner.insert(p, i);
        }
    }
    let missing = total - owner.len() as u64;
    if missing > 0 {
        const LISTED: usize = 20;
        let count = first.shard.count;
        let absent = count - seen_shards.len() as u64;
        let mut shards: Vec<String> = (1..=count)
            .filter(|k| !seen_shards.contains(k))
            .take(LISTED)
            .map(|k| format!("{k}/{count}"))
            .collect();
        if absent > LISTED as u64 {
            shards.push(format!("and {} more", absent - LISTED as u64));
        }
        return Err(SweepError::MissingPoints {
            missing,
            total,
            shards: if shards.is_empty() {
                "none (a shard file lacks points; was it cut short?)".into()
            } else {
                shards.join(", ")
            },
        });
    }
    let experiment = first.experiment.clone();
    let params = first.params.clone();
    // Every point 0..total is present exactly once, so sorting by index puts them in order.
    let mut points: Vec<PointResult<serde_json::Value>> = parsed
        .into_iter()
        .flat_map(|(_, shard)| shard.points)
        .collect();
    points.sort_unstable_by_key(|p| p.index);
    Ok(Merged {
        experiment,
        params,
        results: points.into_iter().map(|p| p.result).collect(),
    })
}

/// Finishes merged shard files of one experiment, whatever it is.
trait Finisher: Sync {
    fn name(&self) -> &'static str;
    fn finish(&self, merged: Merged) -> Result<Box<dyn Render>, ExperimentError>;
}

struct Entry<E>(PhantomData<fn() -> E>);

impl<E: Experiment> Finisher for Entry<E> {
    fn name(&self) -> &'static str {
        E::NAME
    }

    fn finish(&self, merged: Merged) -> Result<Box<dyn Render>, ExperimentError> {
        let total = merged.results.len() as u64;
        let (params, points) = merged.typed::<E::Params, E::Point>().map_err(|e| {
            ExperimentError::model(
                format!(
                    "the shard files of this `{}` sweep do not hold what `{}` writes: {e}",
                    E::NAME,
                    E::NAME
                ),
                "merge shard files written by this version of nshed",
            )
        })?;
        E::check_params(&params).map_err(|why| {
            ExperimentError::model(
                format!(
                    "the parameters of the `{}` sweep in the shard files are not possible: {why}",
                    E::NAME
                ),
                "a shard file was edited or corrupted; run the sweep's shards again",
            )
        })?;
        let expected = E::total_points(&params);
        if expected != total {
            return Err(ExperimentError::model(
                format!(
                    "the shard files hold {total} points, but a `{}` sweep with their parameters has {expected}",
                    E::NAME
                ),
                "a shard file was edited, or belongs to another sweep",
            ));
        }
        for (index, point) in points.iter().enumerate() {
            E::check_point(&params, index as u64, point).map_err(|why| {
                ExperimentError::model(
                    format!(
                        "point {index} of the `{}` sweep is not a possible result: {why}",
                        E::NAME
                    ),
                    "a shard file was edited or corrupted; run its shard again",
                )
            })?;
        }
        Ok(Box::new(E::finish(&params, points)?))
    }
}

/// Every experiment `merge` knows, by name.
fn registry() -> [&'static dyn Finisher; 5] {
    use super::{basin, depth, fool};
    [
        &Entry::<fool::FoolFile>(PhantomData),
        &Entry::<fool::FoolDepths>(PhantomData),
        &Entry::<depth::Depth>(PhantomData),
        &Entry::<basin::BasinGrid>(PhantomData),
        &Entry::<basin::Uncertainty>(PhantomData),
    ]
}

/// Merges the shard files of one sweep (`(file name, text)`, any order) and finishes it
/// with its experiment's own code: the same report as the unsharded run.
pub fn merge(files: &[(String, String)]) -> Result<Box<dyn Render>, ExperimentError> {
    let merged =
        merge_shards(files).map_err(|e| ExperimentError::model(e.to_string(), e.help()))?;
    let Some(entry) = registry()
        .into_iter()
        .find(|entry| entry.name() == merged.experiment)
    else {
        return Err(ExperimentError::model(
            format!(
                "shard files of an unknown experiment `{}`",
                merged.experiment
            ),
            "nshed merge knows the sweeps of this version of nshed",
        ));
    };
    entry.finish(merged)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shards_partition_the_points() {
        let total = 23;
        let mut all: Vec<u64> = (1..=4)
            .flat_map(|i| Shard { index: i, count: 4 }.points(total))
            .collect();
        all.sort_unstable();
        assert_eq!(all, (0..total).collect::<Vec<_>>());
        assert_eq!(Shard { index: 2, count: 4 }.points(10), vec![1, 5, 9]);
        assert_eq!(Shard::ALL.points(3), vec![0, 1, 2]);
    }

    #[test]
    fn parses_shard_specs() {
        assert_eq!("3/8".parse(), Ok(Shard { index: 3, count: 8 }));
        assert!("0/8".parse::<Shard>().is_err());
        assert!("9/8".parse::<Shard>().is_err());
        assert!("1/0".parse::<Shard>().is_err());
        assert!("1-8".parse::<Shard>().is_err());
        assert!("a/8".parse::<Shard>().is_err());
    }

    /// Progress that asks to stop once `after` points are done.
    struct StopAfter {
        after: u64,
        done: std::sync::atomic::AtomicU64,
    }

    impl Progress for StopAfter {
        fn start(&self, _total: u64) {}
        fn set(&self, _done: u64) {}
        fn advance(&self, units: u64) {
            self.done
                .fetch_add(units, std::sync::atomic::Ordering::SeqCst);
        }
        fn finish(&self) {}
        fn stopped(&self) -> bool {
            self.done.load(std::sync::atomic::Ordering::SeqCst) >= self.after
        }
    }

    #[test]
    fn a_stopped_sweep_is_interrupted_not_finished() {
        let progress = StopAfter {
            after: 3,
            done: Default::default(),
        };
        let result = run_points(100, Shard::ALL, Some(1), &progress, |p| p);
        assert_eq!(
            result,
            Err(SweepError::Interrupted {
                done: 3,
                total: 100
            })
        );
        let never = StopAfter {
            after: u64::MAX,
            done: Default::default(),
        };
        let all = run_points(5, Shard::ALL, Some(2), &never, |p| p);
        assert_eq!(all, Ok((0..5).map(|p| (p, p)).collect()));
    }

    #[test]
    fn same_results_whatever_the_thread_count() {
        let f = |p: u64| (p * 2654435761) % 1000;
        let one = run_points(100, Shard::ALL, Some(1), &crate::progress::Silent, f).unwrap();
        let four = run_points(100, Shard::ALL, Some(4), &crate::progress::Silent, f).unwrap();
        assert_eq!(one, four);
        assert_eq!(one[7], (7, f(7)));
    }

    fn shard_text(index: u64, count: u64, total: u64) -> (String, String) {
        let shard = Shard { index, count };
        let points =
            run_points(total, shard, Some(2), &crate::progress::Silent, |p| p * p).unwrap();
        let file = ShardFile::new("demo", serde_json::json!({"seed": 1}), total, shard, points);
        (
            format!("part{index}.json"),
            serde_json::to_string(&file).unwrap(),
        )
    }

    #[test]
    fn merge_restores_point_order() {
        let files: Vec<_> = (1..=3).rev().map(|i| shard_text(i, 3, 10)).collect();
        let merged = merge_shards(&files).unwrap();
        let (params, results): (serde_json::Value, Vec<u64>) = merged.typed().unwrap();
        assert_eq!(params["seed"], 1);
        assert_eq!(results, (0..10).map(|p| p * p).collect::<Vec<_>>());
    }

    #[test]
    fn merge_refuses_incomplete_or_mixed_sets() {
        let files = vec![shard_text(1, 3, 10), shard_text(3, 3, 10)];
        assert_eq!(
            merge_shards(&files),
            Err(SweepError::MissingPoints {
                missing: 3,
                total: 10,
                shards: "2/3".into()
            })
        );
        let files = vec![shard_text(1, 2, 10), shard_text(1, 2, 10)];
        assert!(matches!(
            merge_shards(&files),
            Err(SweepError::DuplicatePoint { point: 0, .. })
        ));
        let files = vec![shard_text(1, 2, 10), shard_text(2, 2, 12)];
        assert!(matches!(
            merge_shards(&files),
            Err(SweepError::MixedSplits { .. })
        ));
        let files = vec![("x.json".to_string(), "{\"a\": 1}".to_string())];
        assert!(matches!(
            merge_shards(&files),
            Err(SweepError::NotAShard { .. })
        ));
        assert_eq!(merge_shards(&[]), Err(SweepError::NoShards));
    }

    #[test]
    fn mixed_parameters_are_named_with_both_values() {
        let file = |index: u64, params: serde_json::Value| {
            let shard = Shard { index, count: 2 };
            let points = run_points(4, shard, Some(1), &crate::progress::Silent, |p| p).unwrap();
            let file = ShardFile::new("demo", params, 4, shard, points);
            (
                format!("part{index}.json"),
                serde_json::to_string(&file).unwrap(),
            )
        };
        let a = serde_json::json!({"seed": 1, "model": {"depths": [2, 3], "width": 6}});
        let b = serde_json::json!({"seed": 1, "model": {"depths": [2, 4], "width": 6}});
        let err = merge_shards(&[file(1, a.clone()), file(2, b)]).unwrap_err();
        assert_eq!(
            err.to_string(),
            "`part2.json` was run with `model.depths` = [2,4], but `part1.json` with `model.depths` = [2,3]"
        );
        let c = serde_json::json!({"seed": 1, "model": {"depths": [2, 3]}});
        let err = merge_shards(&[file(1, a), file(2, c)]).unwrap_err();
        assert_eq!(
            err.to_string(),
            "`part2.json` was run with `model.width` = absent, but `part1.json` with `model.width` = 6"
        );
        let err = merge_shards(&[
            file(1, serde_json::json!(1)),
            file(2, serde_json::json!("x")),
        ])
        .unwrap_err();
        assert_eq!(
            err.to_string(),
            "`part2.json` was run with `params` = \"x\", but `part1.json` with `params` = 1"
        );
    }

    #[test]
    fn absurd_counts_in_a_file_are_errors_not_aborts() {
        let file = |index: u64, count: u64, total: u64| {
            let shard = ShardFile::new(
                "demo",
                serde_json::json!({}),
                total,
                Shard { index, count },
                vec![(index - 1, 7u64)],
            );
            (
                "huge.json".to_string(),
                serde_json::to_string(&shard).unwrap(),
            )
        };
        assert_eq!(
            merge_shards(&[file(1, 1, u64::MAX)]),
            Err(SweepError::MissingPoints {
                missing: u64::MAX - 1,
                total: u64::MAX,
                shards: "none (a shard file lacks points; was it cut short?)".into()
            })
        );
        let Err(SweepError::MissingPoints { shards, .. }) =
            merge_shards(&[file(1, u64::MAX, u64::MAX)])
        else {
            panic!("expected missing points");
        };
        assert!(shards.starts_with("2/18446744073709551615, 3/"), "{shards}");
        assert!(
            shards.ends_with(&format!("and {} more", u64::MAX - 21)),
            "{shards}"
        );
    }
}
