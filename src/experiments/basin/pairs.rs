//! `nshed basin --uncertainty`: the uncertainty exponent from random pairs of initial points
//! at distance `eps`. Point `k` of the sweep is `eps[k]`: its pairs are drawn in blocks of
//! [`BLOCK`] until at least `min_differ` of them have different outcomes, or the cap
//! `max_pairs` is reached (or exactly `max_pairs` pairs with a fixed count). A block's pairs
//! run in parallel and the rule looks only at whole blocks, so the count of pairs drawn
//! depends on the seed alone, never on the threads; shards split the `eps` values.

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::sweep::{prepare, BasinOptions, Runs, Setup};
use super::{geometric, random_pair};
use crate::experiments::experiment::{Experiment, ExperimentError, Points};
use crate::experiments::sweep::{self, Outcome, SweepOptions};
use crate::experiments::uncertainty::{
    fit_exponent, fit_warnings, local_slopes, ExponentFit, FitWarning, LocalSlope, Measured,
};
use crate::progress::Progress;
use crate::Compiled;

/// Pairs per block: the unit in which pairs are drawn, and after which the stopping rule
/// looks at the count.
pub const BLOCK: u64 = 1000;
/// Most pairs per `eps` (pair streams of different `eps` never overlap below it).
pub const MAX_PAIRS: u64 = 1 << 32;
/// Most `eps` values.
pub const MAX_EPS: u64 = 1000;

/// How many pairs are drawn at each `eps`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PairRule {
    /// Blocks of pairs until at least `min_differ` differ, or `max_pairs` are drawn.
    Until {
        /// Stop once this many pairs differ.
        min_differ: u64,
        /// Stop once this many pairs are drawn.
        max_pairs: u64,
    },
    /// Exactly this many pairs.
    Fixed {
        /// Pairs per `eps`.
        pairs: u64,
    },
}

impl PairRule {
    /// The default: until 50 pairs differ, at most 200,000 pairs per `eps`.
    pub const DEFAULT: PairRule = PairRule::Until {
        min_differ: 50,
        max_pairs: 200_000,
    };

    /// The cap on the pairs of one `eps`.
    pub fn max_pairs(&self) -> u64 {
        match *self {
            PairRule::Until { max_pairs, .. } => max_pairs,
            PairRule::Fixed { pairs } => pairs,
        }
    }

    /// The count of differing pairs to reach, if the rule stops early.
    pub fn min_differ(&self) -> Option<u64> {
        match *self {
            PairRule::Until { min_differ, .. } => Some(min_differ),
            PairRule::Fixed { .. } => None,
        }
    }

    fn check(&self) -> Result<(), String> {
        let cap = self.max_pairs();
        if !(1..=MAX_PAIRS).contains(&cap) {
            return Err(format!("{cap} pairs per eps is not 1 to {MAX_PAIRS}"));
        }
        if self.min_differ() == Some(0) {
            return Err("drawing until 0 pairs differ draws nothing".into());
        }
        Ok(())
    }

    /// Whether drawing stops after blocks holding `pairs` pairs, `differ` of them differing.
    fn done(&self, pairs: u64, differ: u64) -> bool {
        pairs >= self.max_pairs() || self.min_differ().is_some_and(|k| differ >= k)
    }
}

impl Default for PairRule {
    fn default() -> Self {
        PairRule::DEFAULT
    }
}

/// Options of the uncertainty sweep.
#[derive(Clone, Debug, PartialEq)]
pub struct UncertaintyOptions {
    /// The eps range in axis units (1e-4 to 1e-2 of the range's width when `None`).
    pub eps: Option<(f64, f64)>,
    /// Number of eps values, evenly spaced on a log scale.
    pub eps_count: u64,
    /// How many pairs are drawn at each `eps`.
    pub pairs: PairRule,
}

impl Default for UncertaintyOptions {
    fn default() -> Self {
        UncertaintyOptions {
            eps: None,
            eps_count: 5,
            pairs: PairRule::DEFAULT,
        }
    }
}

/// Parameters of the uncertainty sweep: point `k` is `eps[k]`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct UncertaintyParams {
    /// The basin sweep the pairs are drawn in.
    #[serde(flatten)]
    pub setup: Setup,
    /// The distances, in axis units, increasing.
    pub eps: Vec<f64>,
    /// How many pairs are drawn at each `eps`.
    pub pairs: PairRule,
}

/// The pairs drawn at one `eps`: the differing ones per block, in block order.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EpsCount {
    /// Pairs drawn in all.
    pub pairs: u64,
    /// How many pairs differed in each block, in block order.
    pub blocks: Vec<u64>,
}

impl EpsCount {
    /// How many pairs differ in all.
    pub fn differ(&self) -> u64 {
        self.blocks.iter().sum()
    }
}

/// The uncertainty-exponent sweep.
pub struct Uncertainty;

impl Experiment for Uncertainty {
    const NAME: &'static str = "basin-uncertainty";
    type Params = UncertaintyParams;
    type Point = EpsCount;
    type Report = UncertaintyReport;

    fn total_points(params: &UncertaintyParams) -> u64 {
        params.eps.len() as u64
    }

    fn check_params(params: &UncertaintyParams) -> Result<(), String> {
        params.setup.check()?;
        params.pairs.check()?;
        let half = params.setup.axis.width() / 2.0;
        let eps = &params.eps;
        let in_range = eps.iter().all(|&e| e > 0.0 && e < half);
        if eps.is_empty()
            || eps.len() as u64 > MAX_EPS
            || !in_range
            || eps.windows(2).any(|w| w[0] >= w[1])
        {
            return Err(format!(
                "the eps values are not 1 to {MAX_EPS} increasing values in (0, {half}) (half the range's width)"
            ));
        }
        Ok(())
    }

    fn check_point(
        params: &UncertaintyParams,
        _index: u64,
        point: &EpsCount,
    ) -> Result<(), String> {
        let rule = params.pairs;
        let sizes = block_sizes(rule.max_pairs());
        if point.blocks.is_empty() || point.blocks.len() > sizes.len() {
            return Err(format!("{} blocks of pairs", point.blocks.len()));
        }
        let mut pairs = 0u64;
        let mut differ = 0u64;
        for (b, (&d, &size)) in point.blocks.iter().zip(&sizes).enumerate() {
            if rule.done(pairs, differ) {
                return Err(format!("block {b} was drawn after the rule had stopped"));
            }
            if d > size {
                return Err(format!("{d} of a block of {size} pairs differ"));
            }
            pairs += size;
            differ += d;
        }
        if pairs != point.pairs || !rule.done(pairs, differ) {
            return Err(format!(
                "{} pairs with {differ} differing do not end the drawing",
                point.pairs
            ));
        }
        Ok(())
    }

    fn finish(
        params: &UncertaintyParams,
        points: Vec<EpsCount>,
    ) -> Result<UncertaintyReport, ExperimentError> {
        uncertainty_report(params, &points)
    }
}

/// The sizes of the blocks of up to `cap` pairs (all [`BLOCK`] but a shorter last one).
fn block_sizes(cap: u64) -> Vec<u64> {
    (0..cap.div_ceil(BLOCK))
        .map(|b| BLOCK.min(cap - b * BLOCK))
        .collect()
}

/// The uncertainty sweep ready to run: the runs, and the progress whose stop request ends
/// a long `eps` between blocks.
struct PairRuns<'b, 'ir> {
    runs: Runs<'b, 'ir, UncertaintyParams>,
    progress: &'b dyn Progress,
}

/// The uncertainty exponent of the basins of `compiled`.
pub fn uncertainty(
    compiled: &Compiled,
    options: &BasinOptions,
    uncertainty: &UncertaintyOptions,
    sweep_options: &SweepOptions,
    progress: &dyn Progress,
) -> Result<Outcome<Uncertainty>, ExperimentError> {
    options.validate()?;
    if !(3..=MAX_EPS).contains(&uncertainty.eps_count) {
        return Err(ExperimentError::options(
            format!("{} eps values is not 3 to {MAX_EPS}", uncertainty.eps_count),
            "give --eps-count K with 3 <= K <= 1000 (the fit needs several points)",
        ));
    }
    uncertainty.pairs.check().map_err(|e| {
        ExperimentError::options(
            e,
            "give --min-differ N >= 1 and --max-pairs M from 1 to 2^32, or --pairs M",
        )
    })?;
    let width = options.axis.width();
    let (lo, hi) = uncertainty.eps.unwrap_or((width * 1e-4, width * 1e-2));
    if !(lo > 0.0 && lo < hi && hi < width / 2.0) {
        return Err(ExperimentError::options(
            format!(
                "eps must lie in (0, {}) (half the range's width in axis units), got {lo}..{hi}",
                width / 2.0
            ),
            "give a smaller --eps LO..HI",
        ));
    }
    let prepared = prepare(compiled, options)?;
    let params = UncertaintyParams {
        setup: prepared.setup.clone(),
        eps: geometric(lo, hi, uncertainty.eps_count as usize),
        pairs: uncertainty.pairs,
    };
    let basin = prepared.basin();
    let runs = PairRuns {
        runs: Runs::new(&basin, params),
        progress,
    };
    sweep::run(&runs, sweep_options, progress)
}

impl Points<Uncertainty> for PairRuns<'_, '_> {
    fn params(&self) -> &UncertaintyParams {
        &self.runs.params
    }

    fn run_point(&self, k: u64) -> Result<EpsCount, String> {
        let params = &self.runs.params;
        let eps = params.eps[k as usize];
        let axis = &params.setup.axis;
        let seed = params.setup.seed;
        let mut count = EpsCount {
            pairs: 0,
            blocks: Vec::new(),
        };
        for size in block_sizes(params.pairs.max_pairs()) {
            if params.pairs.done(count.pairs, count.differ()) {
                break;
            }
            if self.progress.stopped() {
                return Err("stopped".into());
            }
            let first = count.pairs;
            let differ = (first..first + size)
                .into_par_iter()
                .filter(|&j| {
                    let (a, b) = random_pair(seed, k * MAX_PAIRS + j, eps, axis, axis);
                    self.runs.outcome(a.0, a.1) != self.runs.outcome(b.0, b.1)
                })
                .count() as u64;
            count.blocks.push(differ);
            count.pairs += size;
        }
        Ok(count)
    }
}

/// The report of an uncertainty sweep.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct UncertaintyReport {
    /// `basin-uncertainty`.
    pub experiment: &'static str,
    /// The basin sweep the pairs are drawn in.
    #[serde(flatten)]
    pub setup: Setup,
    /// How many pairs are drawn at each `eps`.
    pub pairs: PairRule,
    /// `f(eps)` at every `eps`, increasing.
    pub measured: Vec<MeasuredEntry>,
    /// The fitted exponent `phi` of `f(eps) ~ eps^phi`.
    pub fit: ExponentFit,
    /// Slopes of `ln f` between neighbouring `eps`.
    pub local_slopes: Vec<LocalSlope>,
    /// What a reader of the fit should be warned about.
    pub warnings: Vec<FitWarning>,
}

/// `f(eps)` measured at one eps.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MeasuredEntry {
    /// The distance, in axis units.
    pub eps: f64,
    /// Pairs drawn at it.
    pub pairs: u64,
    /// Pairs whose two outcomes differ.
    pub differ: u64,
    /// `differ / pairs`: the uncertain fraction.
    pub f: f64,
    /// The 95% interval of `f` from its count (`f exp(±1.96 / sqrt(weight))`); `None`
    /// when no pair or every pair differs.
    pub f_ci95: Option<[f64; 2]>,
    /// Whether the fit used this eps (`0 < f < 1`).
    pub used: bool,
}

fn uncertainty_report(
    params: &UncertaintyParams,
    results: &[EpsCount],
) -> Result<UncertaintyReport, ExperimentError> {
    let measured: Vec<Measured> = params
        .eps
        .iter()
        .zip(results)
        .map(|(&eps, c)| Measured {
            eps,
            differ: c.differ(),
            pairs: c.pairs,
        })
        .collect();
    let z = crate::analysis::stats::z_quantile(0.975);
    let entries: Vec<MeasuredEntry> = measured
        .iter()
        .map(|m| {
            let w = m.weight();
            let f = m.fraction();
            MeasuredEntry {
                eps: m.eps,
                pairs: m.pairs,
                differ: m.differ,
                f,
                f_ci95: (w > 0.0).then(|| {
                    let spread = z / w.sqrt();
                    [f * (-spread).exp(), (f * spread.exp()).min(1.0)]
                }),
                used: w > 0.0,
            }
        })
        .collect();
    let fit = fit_exponent(&measured).map_err(|e| {
        let measured: Vec<String> = entries
            .iter()
            .map(|m| format!("f({}) = {}/{}", m.eps, m.differ, m.pairs))
            .collect();
        ExperimentError::failed(format!("{e}; measured {}", measured.join(", ")))
            .help("widen --eps towards larger values, or raise --max-pairs")
    })?;
    Ok(UncertaintyReport {
        experiment: Uncertainty::NAME,
        setup: params.setup.clone(),
        pairs: params.pairs,
        local_slopes: local_slopes(&measured),
        warnings: fit_warnings(&measured, Some(&fit), params.pairs.min_differ()),
        measured: entries,
        fit,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_cover_the_cap_and_the_rule_stops_on_whole_blocks() {
        assert_eq!(block_sizes(2500), vec![1000, 1000, 500]);
        assert_eq!(block_sizes(1000), vec![1000]);
        let rule = PairRule::Until {
            min_differ: 50,
            max_pairs: 2500,
        };
        assert!(!rule.done(1000, 49));
        assert!(rule.done(1000, 50));
        assert!(rule.done(2500, 3));
        let fixed = PairRule::Fixed { pairs: 2500 };
        assert!(!fixed.done(2000, 2000));
        assert!(fixed.done(2500, 0));
        assert!(PairRule::Fixed { pairs: 0 }.check().is_err());
        assert!(PairRule::Until {
            min_differ: 0,
            max_pairs: 10
        }
        .check()
        .is_err());
    }
}
