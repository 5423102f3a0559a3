//! Initialisation, freezing and depth.
//!
//! One run: a model (a file, or a generated model of a given depth) whose `lambda` and `eta`
//! are all initialised from one distribution ([`InitKind`]), trained by its schedule from the
//! run's stream, then measured: the logits `ln Z` of every data sample (their spread across
//! seeds is computed over runs by [`spread`]), accuracy, pathway sparsity per level, and with
//! a frozen level, the same run repeated with that level's `lambda` held fixed, plus local
//! elasticity within and between classes.

mod sweep;

pub use sweep::{
    prepare, run, Cell, Depth, DepthModels, DepthOptions, DepthParams, DepthPoint, DepthReport,
    DepthRun, FreezeCell, ModelSource, Pair, TestSummary, MAX_STRUCTURES,
};

use serde::{Deserialize, Serialize};

use crate::analysis::level_sparsity;
use crate::engine::{le_matrix, Evaluator, Model, State, Trainer};
use crate::ir::{Dist, Ir, PerEntry};

/// The standard deviation every random init distribution gets; all four have mean 1.
/// `1/sqrt(3)` is the largest that `uniform(a, b)` with `a >= 0` reaches at mean 1.
pub const INIT_SD: f64 = 0.577_350_269_189_625_8;

/// An init distribution for every `lambda` and `eta`, all with mean 1.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "cli", derive(clap::ValueEnum))]
#[serde(rename_all = "snake_case")]
pub enum InitKind {
    /// `lambda = eta = 1`.
    Const,
    /// `uniform(0, 2)`: mean 1, sd 1/sqrt(3).
    Uniform,
    /// `normal(1, 1/sqrt(3))`, clipped at 0.
    Normal,
    /// `lognormal(-s^2/2, s)` with `s^2 = ln(4/3)`: mean 1, sd 1/sqrt(3).
    Lognormal,
}

impl InitKind {
    /// The word that names it on the command line and in reports.
    pub fn name(self) -> &'static str {
        match self {
            InitKind::Const => "const",
            InitKind::Uniform => "uniform",
            InitKind::Normal => "normal",
            InitKind::Lognormal => "lognormal",
        }
    }

    /// The distribution of `lambda` and `eta` it stands for.
    pub fn dist(self) -> Dist {
        match self {
            InitKind::Const => Dist::Const { value: 1.0 },
            InitKind::Uniform => {
                let half = INIT_SD * 3f64.sqrt();
                Dist::Uniform {
                    a: 1.0 - half,
                    b: 1.0 + half,
                }
            }
            InitKind::Normal => Dist::Normal {
                mu: 1.0,
                sigma: INIT_SD,
            },
            InitKind::Lognormal => {
                // Var = (e^{s^2} - 1) e^{2 mu + s^2} = INIT_SD^2 with mean e^{mu + s^2/2} = 1.
                let s2 = (1.0 + INIT_SD * INIT_SD).ln();
                Dist::LogNormal {
                    mu: -s2 / 2.0,
                    sigma: s2.sqrt(),
                }
            }
        }
    }
}

/// A copy of `ir` with every `lambda` and `eta` drawn from `kind`.
pub fn with_init(ir: &Ir, kind: InitKind) -> Ir {
    let mut copy = ir.clone();
    let dist = kind.dist();
    copy.init.lambda = PerEntry::filled(dist, copy.init.lambda.len());
    copy.init.eta = PerEntry::filled(dist, copy.init.eta.len());
    copy
}

/// A copy of `ir` whose every phase holds level `level` (0 = input level) fixed.
pub fn with_frozen(ir: &Ir, level: usize) -> Ir {
    let mut copy = ir.clone();
    if let Some(train) = copy.train.as_mut() {
        for phase in &mut train.phases {
            if let Some(f) = phase.frozen_levels.get_mut(level) {
                *f = true;
            }
        }
    }
    copy
}

/// What a trained copy looks like.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Outcome {
    /// Share of data samples predicted as their label.
    pub accuracy: Option<f64>,
    /// Effective number of nodes (`exp` of the entropy of `lambda / sum lambda`) per level.
    pub effective_nodes: Vec<f64>,
    /// Median LE over pairs of distinct samples of the same class (defined values only; the
    /// median because LE is a ratio whose denominator can be tiny, so a few pairs reach
    /// 10^100 and would swamp a mean).
    pub le_within: Option<f64>,
    /// Median LE over pairs of samples of different classes.
    pub le_between: Option<f64>,
    /// Largest `|ln lambda after - ln lambda before|` over the nodes of the compared level:
    /// 0 when it is frozen.
    pub level_change: Option<f64>,
    /// Test metrics and the generalisation gap; `None` (left out) without a test set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub test: Option<crate::metrics::Generalisation>,
}

/// One run's measurements.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RunMeasures {
    /// `ln Z` per data sample and class (sample-major); `None` for `Z = 0`.
    pub ln_z: Vec<Option<f64>>,
    /// `p` per data sample and class (sample-major).
    pub p: Vec<f64>,
    /// What the trained run gives.
    pub trained: Outcome,
    /// The same run with the compared level frozen.
    pub frozen: Option<Outcome>,
}

/// Trains run `point` of `ir` (stream `point` of `seed`) by its schedule and measures it;
/// with `freeze = Some(level)`, also trains the same run with `level` frozen.
pub fn measure_run(ir: &Ir, seed: u64, point: u64, freeze: Option<usize>) -> RunMeasures {
    let model = Model::new(ir);
    let initial = State::for_run(ir, seed, point);
    let mut state = initial.clone();
    Trainer::new(&model).run(&mut state);
    let (mut ln_z, mut p) = (Vec::new(), Vec::new());
    let mut ev = Evaluator::new(&model);
    for sample in &ir.data.samples {
        let e = ev.evaluate(&model, &state, &sample.input);
        ln_z.extend(e.ln_logits.iter().map(|&l| l.is_finite().then_some(l)));
        p.extend_from_slice(&e.p);
    }
    let trained = outcome(&model, &initial, &state, freeze);
    let frozen = freeze.map(|level| {
        let frozen_ir = with_frozen(ir, level);
        let frozen_model = Model::new(&frozen_ir);
        let mut s = initial.clone();
        Trainer::new(&frozen_model).run(&mut s);
        outcome(&frozen_model, &initial, &s, freeze)
    });
    RunMeasures {
        ln_z,
        p,
        trained,
        frozen,
    }
}

fn outcome(model: &Model, initial: &State, state: &State, level: Option<usize>) -> Outcome {
    let ir = model.ir;
    let effective_nodes = ir
        .levels
        .iter()
        .map(|l| {
            let r = l.first as usize..(l.first + l.len) as usize;
            let values: Vec<f64> = r.map(|n| state.ln_lambda(n)).collect();
            level_sparsity(&values).effective_nodes
        })
        .collect();
    let (le_within, le_between) = match level {
        Some(_) => le_medians(model, state),
        None => (None, None),
    };
    let level_change = level.and_then(|l| ir.levels.get(l)).map(|l| {
        let r = l.first as usize..(l.first + l.len) as usize;
        r.map(|n| (initial.ln_lambda(n), state.ln_lambda(n)))
            .map(|(a, b)| if a == b { 0.0 } else { (a - b).abs() })
            .fold(0.0, f64::max)
    });
    Outcome {
        accuracy: crate::report::accuracy(model, state),
        effective_nodes,
        le_within,
        le_between,
        level_change,
        test: crate::metrics::generalisation(model, state),
    }
}

/// Median LE over same-class pairs of distinct samples, and over different-class pairs.
fn le_medians(model: &Model, state: &State) -> (Option<f64>, Option<f64>) {
    let samples = &model.ir.data.samples;
    let matrix = le_matrix(model, state);
    let (mut within, mut between) = (Vec::new(), Vec::new());
    for (i, row) in matrix.iter().enumerate() {
        for (j, v) in row.iter().enumerate() {
            let Some(v) = v.filter(|v| v.is_finite()) else {
                continue;
            };
            if i == j {
                continue;
            }
            if samples[i].label == samples[j].label {
                within.push(v);
            } else {
                between.push(v);
            }
        }
    }
    (median(within), median(between))
}

fn median(mut xs: Vec<f64>) -> Option<f64> {
    if xs.is_empty() {
        return None;
    }
    xs.sort_by(f64::total_cmp);
    let m = xs.len() / 2;
    Some(if xs.len() % 2 == 1 {
        xs[m]
    } else {
        (xs[m - 1] + xs[m]) / 2.0
    })
}

/// Spread of a quantity across seeds.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Spread {
    /// Mean over entries of the standard deviation (population, `/ n`) across the runs in
    /// which the entry is defined; `None` when no entry is defined in two runs or more.
    pub mean_sd: Option<f64>,
    /// Entries defined in at least two runs (used).
    pub entries: usize,
    /// Used entries that are undefined (`Z = 0`) in some runs: their sd is over the others.
    pub partly_undefined: usize,
    /// The share of undefined values among the used entries' values (0 when every run
    /// defines every entry): how often a logit is exactly 0, reported beside the spread of
    /// the others instead of being dropped with its entry.
    pub undefined_share: f64,
}

/// The spread across `runs` of each entry (runs are equally long vectors). An entry's sd is
/// taken over the runs that define it, so that a zero in one run (an exact-zero draw that
/// switches a pathway off) neither drops the entry nor makes the set of entries depend on
/// the number of runs; the share of undefined values is reported beside it. Entries defined
/// in fewer than two runs carry no spread and are not counted.
pub fn spread(runs: &[&[Option<f64>]]) -> Spread {
    let len = runs.iter().map(|r| r.len()).min().unwrap_or(0);
    let (mut sds, mut partly, mut undefined) = (Vec::new(), 0, 0usize);
    for k in 0..len {
        let values: Vec<f64> = runs.iter().filter_map(|r| r[k]).collect();
        if values.len() < 2 {
            continue;
        }
        // Shifted by the first value, so that equal values give exactly 0.
        let d: Vec<f64> = values.iter().map(|v| v - values[0]).collect();
        let m = d.iter().sum::<f64>() / d.len() as f64;
        let var = d.iter().map(|v| (v - m) * (v - m)).sum::<f64>() / d.len() as f64;
        sds.push(var.sqrt());
        if values.len() < runs.len() {
            partly += 1;
            undefined += runs.len() - values.len();
        }
    }
    let total = sds.len() * runs.len();
    Spread {
        mean_sd: crate::analysis::mean(sds.iter().copied()),
        entries: sds.len(),
        partly_undefined: partly,
        undefined_share: if total == 0 {
            0.0
        } else {
            undefined as f64 / total as f64
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::testing::fig1;
    use crate::experiments::generated::generated_ir;
    use crate::gen::GenParams;

    fn moments(kind: InitKind) -> (f64, f64) {
        let ir = with_init(&fig1(), kind);
        let mut xs = Vec::new();
        for seed in 0..4000 {
            let s = State::new(&ir, seed);
            xs.extend(s.ln_lambdas().iter().map(|l| l.exp()));
        }
        let m = xs.iter().sum::<f64>() / xs.len() as f64;
        let v = xs.iter().map(|x| (x - m) * (x - m)).sum::<f64>() / xs.len() as f64;
        (m, v.sqrt())
    }

    #[test]
    fn random_inits_have_mean_one_and_the_same_sd() {
        for kind in [InitKind::Uniform, InitKind::Lognormal] {
            let (m, sd) = moments(kind);
            assert!((m - 1.0).abs() < 0.01, "{kind:?}: mean {m}");
            assert!((sd - INIT_SD).abs() < 0.01, "{kind:?}: sd {sd}");
        }
        // Normal is clipped at 0 (1.7 sd below the mean): mean slightly above 1.
        let (m, _) = moments(InitKind::Normal);
        assert!((m - 1.0).abs() < 0.03, "normal: mean {m}");
        assert_eq!(moments(InitKind::Const), (1.0, 0.0));
    }

    #[test]
    fn const_init_has_no_spread_without_training_noise() {
        let ir = with_init(&fig1(), InitKind::Const);
        let runs: Vec<RunMeasures> = (0..5).map(|p| measure_run(&ir, 3, p, None)).collect();
        let lnz: Vec<&[Option<f64>]> = runs.iter().map(|r| r.ln_z.as_slice()).collect();
        let s = spread(&lnz);
        assert_eq!(s.mean_sd, Some(0.0));
        // fig1: c1a, c1b and c2 reach c1 and c2 (via t1), c3 reaches only c3: 7 nonzero logits.
        assert_eq!((s.entries, s.partly_undefined), (7, 0));
        let ir = with_init(&fig1(), InitKind::Lognormal);
        let runs: Vec<RunMeasures> = (0..5).map(|p| measure_run(&ir, 3, p, None)).collect();
        let lnz: Vec<&[Option<f64>]> = runs.iter().map(|r| r.ln_z.as_slice()).collect();
        assert!(spread(&lnz).mean_sd.unwrap() > 0.1);
    }

    #[test]
    fn medians() {
        assert_eq!(median(vec![]), None);
        assert_eq!(median(vec![3.0, 1.0, 1e300]), Some(3.0));
        assert_eq!(median(vec![4.0, 1.0, 2.0, 3.0]), Some(2.5));
    }

    #[test]
    fn spread_by_hand() {
        let a = [Some(1.0), Some(0.0), None, None];
        let b = [Some(3.0), Some(0.0), None, Some(2.0)];
        let s = spread(&[&a, &b]);
        assert_eq!(s.mean_sd, Some(0.5)); // sd of (1, 3) is 1, of (0, 0) is 0
        assert_eq!((s.entries, s.partly_undefined), (2, 0));
        assert_eq!(s.undefined_share, 0.0);
        // A zero in one run of three: the entry keeps the sd of the other two (1 and 3).
        let c = [Some(5.0), Some(0.0), None, None];
        let s = spread(&[&a, &b, &c]);
        assert_eq!(s.entries, 2);
        let sd = |xs: &[f64]| {
            let m = xs.iter().sum::<f64>() / xs.len() as f64;
            (xs.iter().map(|x| (x - m) * (x - m)).sum::<f64>() / xs.len() as f64).sqrt()
        };
        assert!((s.mean_sd.unwrap() - sd(&[1.0, 3.0, 5.0]) / 2.0).abs() < 1e-12);
        let d = [None, Some(0.0), None, Some(4.0)];
        let s = spread(&[&a, &b, &d]);
        // Entry 0: (1, 3) and a zero; entry 1: (0, 0, 0); entry 3: (2, 4) and a zero.
        assert_eq!((s.entries, s.partly_undefined), (3, 2));
        assert!((s.mean_sd.unwrap() - 2.0 / 3.0).abs() < 1e-12);
        assert!((s.undefined_share - 2.0 / 9.0).abs() < 1e-12);
    }

    #[test]
    fn the_spread_of_entries_with_zeros_does_not_depend_on_the_number_of_runs() {
        // Every third run has a zero: the entries' set and their spread stay the same (up to
        // sampling) as runs are added, where dropping the entry would lose it for good.
        let runs: Vec<Vec<Option<f64>>> = (0..30)
            .map(|i| vec![(i % 3 != 0).then_some((i % 2) as f64), Some(1.0)])
            .collect();
        for n in [3, 9, 30] {
            let refs: Vec<&[Option<f64>]> = runs[..n].iter().map(Vec::as_slice).collect();
            let s = spread(&refs);
            assert_eq!(s.entries, 2, "{n} runs");
            assert!(
                (s.undefined_share - 1.0 / 6.0).abs() < 0.02,
                "{n}: {}",
                s.undefined_share
            );
            assert!(
                (s.mean_sd.unwrap() - 0.25).abs() < 0.01,
                "{n}: {:?}",
                s.mean_sd
            );
        }
    }

    #[test]
    fn freezing_the_input_level_keeps_its_lambdas() {
        let params = GenParams {
            levels: 4,
            with_train: Some((50, 4)),
            ..GenParams::default()
        };
        let ir = with_init(&generated_ir(&params).unwrap(), InitKind::Uniform);
        let m = measure_run(&ir, 1, 0, Some(0));
        let frozen = m.frozen.unwrap();
        assert_eq!(frozen.level_change, Some(0.0));
        assert!(m.trained.level_change.unwrap() > 0.1);
        // The frozen copy really started from the same random init.
        let model = Model::new(&ir);
        let init = State::for_run(&ir, 1, 0);
        let frozen_ir = with_frozen(&ir, 0);
        let mut s = init.clone();
        Trainer::new(&Model::new(&frozen_ir)).run(&mut s);
        let n_in = model.n_inputs();
        assert_eq!(s.ln_lambdas()[..n_in], init.ln_lambdas()[..n_in]);
        assert_ne!(s.ln_lambdas()[n_in..], init.ln_lambdas()[n_in..]);
    }
}
