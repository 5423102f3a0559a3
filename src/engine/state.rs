//! The mutable part of a run: every `lambda` and `eta` (as natural logs), where the
//! schedule is, and the run's random stream. Serialisable so a REPL can save and
//! resume it bit-identically.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::StandardNormal;
use serde::{Deserialize, Serialize};

use super::lazy::{decayed, grow_cell, Cell, Lazy, LazyStep, MulStep, Plan, Steps, Table};
use super::rules::LnOp;
use crate::ir::{Dist, Ir};
use crate::prefetch::prefetch;

/// The run's random stream (one seed determines every draw).
pub type RunRng = ChaCha8Rng;

/// Everything that changes as a run goes on.
///
/// `lambda` and `eta` are stored lazily (see `lazy`): read them with `ln_lambda(n)`,
/// `ln_eta(e)` (or the whole tables with `ln_lambdas()`, `ln_etas()`), and write them
/// with `set_ln_lambda` / `set_ln_eta`. Saved as `StateFile`.
#[derive(Clone, Debug, PartialEq)]
pub struct State {
    /// Training steps taken so far, over all phases.
    pub step: u64,
    /// Index of the current phase (== number of phases when training is over).
    pub phase: usize,
    /// Steps taken in the current phase.
    pub step_in_phase: u64,
    /// The run's random stream (batches, noise, jitter).
    pub rng: RunRng,
    /// Where the sampler is in the data.
    pub sampler: SamplerState,
    /// `ln lambda` per node and `ln eta` per class edge, with their pending factors.
    pub(crate) lazy: Lazy,
}

/// Where the sampler is. `cycle`: `cursor` is the next sample index. `shuffle`:
/// `epoch` is the current epoch's order and `cursor` the next position in it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SamplerState {
    /// The next sample index (`cycle`) or position in `epoch` (`shuffle`).
    pub cursor: usize,
    /// The current epoch's order of the samples (`shuffle`).
    pub epoch: Vec<u32>,
}

impl State {
    /// The initial state: init draws come first from the run's stream, in node order,
    /// then edges. Constant inits draw nothing.
    pub fn new(ir: &Ir, seed: u64) -> State {
        State::from_rng(ir, RunRng::seed_from_u64(seed))
    }

    /// The initial state of run `run_index` of a parallel sweep: ChaCha
    /// stream `run_index` of the key derived from `seed`, so runs are independent and
    /// each is reproducible alone, whatever the thread count. Stream 0 is `new(ir, seed)`.
    pub fn for_run(ir: &Ir, seed: u64, run_index: u64) -> State {
        let mut rng = RunRng::seed_from_u64(seed);
        rng.set_stream(run_index);
        State::from_rng(ir, rng)
    }

    fn from_rng(ir: &Ir, mut rng: RunRng) -> State {
        let lambda = ir
            .init
            .lambda
            .iter()
            .map(|d| draw_ln(d, &mut rng))
            .collect();
        let eta = ir.init.eta.iter().map(|d| draw_ln(d, &mut rng)).collect();
        State {
            step: 0,
            phase: 0,
            step_in_phase: 0,
            rng,
            sampler: SamplerState::default(),
            lazy: Lazy::new(lambda, eta),
        }
    }

    /// Restarts the random stream from `seed`, keeping lambda, eta and the schedule
    /// position (the REPL's `set seed`).
    pub fn reseed(&mut self, seed: u64) {
        self.rng = RunRng::seed_from_u64(seed);
    }

    /// `lambda` of `node`.
    pub fn lambda(&self, node: usize) -> f64 {
        self.ln_lambda(node).exp()
    }

    /// `eta` of class edge `edge`.
    pub fn eta(&self, edge: usize) -> f64 {
        self.ln_eta(edge).exp()
    }

    /// `ln lambda` of `node` (`-inf` = exactly 0).
    #[inline]
    pub fn ln_lambda(&self, node: usize) -> f64 {
        self.lazy.lambda.value(node, self.lazy.clock)
    }

    /// `ln eta` of class edge `edge`.
    #[inline]
    pub fn ln_eta(&self, edge: usize) -> f64 {
        self.lazy.eta.value(edge, self.lazy.clock)
    }

    /// `ln lambda` of every node, in node order.
    pub fn ln_lambdas(&self) -> Vec<f64> {
        self.lazy.lambda.values(self.lazy.clock)
    }

    /// `ln eta` of every class edge, in edge order.
    pub fn ln_etas(&self) -> Vec<f64> {
        self.lazy.eta.values(self.lazy.clock)
    }

    /// Sets `ln lambda` of `node` from now on.
    pub fn set_ln_lambda(&mut self, node: usize, ln_value: f64) {
        self.lazy.lambda.write(node, ln_value, self.lazy.clock);
    }

    /// Sets `ln eta` of class edge `edge` from now on.
    pub fn set_ln_eta(&mut self, edge: usize, ln_value: f64) {
        self.lazy.eta.write(edge, ln_value, self.lazy.clock);
    }

    /// The clock of the last write of `node`'s lambda (a step that leaves it to shrink
    /// lazily does not move it).
    pub(crate) fn lambda_written_at(&self, node: usize) -> u64 {
        self.lazy.lambda.cell(node).since
    }

    /// The clock of the last write of class edge `edge`'s eta.
    pub(crate) fn eta_written_at(&self, edge: usize) -> u64 {
        self.lazy.eta.cell(edge).since
    }

    /// Checks that the state fits a model of `n_nodes` nodes and `n_edges` class edges
    /// and holds only values training can produce (no NaN, no `+inf`). The message
    /// names the node or edge index at fault.
    pub fn check_values(&self, n_nodes: usize, n_edges: usize) -> Result<(), StateFault> {
        if self.lazy.lambda.len() != n_nodes {
            return Err(StateFault::Other(format!(
                "{} lambda values for {n_nodes} nodes",
                self.lazy.lambda.len()
            )));
        }
        if self.lazy.eta.len() != n_edges {
            return Err(StateFault::Other(format!(
                "{} eta values for {n_edges} edges",
                self.lazy.eta.len()
            )));
        }
        self.lazy.check().map_err(StateFault::Other)?;
        let bad = |v: f64| v.is_nan() || v == f64::INFINITY;
        if let Some(n) = (0..n_nodes).find(|&n| bad(self.ln_lambda(n))) {
            return Err(StateFault::Lambda(n, self.ln_lambda(n)));
        }
        if let Some(e) = (0..n_edges).find(|&e| bad(self.ln_eta(e))) {
            return Err(StateFault::Eta(e, self.ln_eta(e)));
        }
        Ok(())
    }

    /// Whether the value tables are stored in id order (see `engine::layout`; a state
    /// takes a large model's order at its first training step).
    #[doc(hidden)]
    pub fn stored_in_id_order(&self) -> bool {
        self.lazy.lambda.perm.is_none() && self.lazy.eta.perm.is_none()
    }

    /// Applies a step's growth to the lazy nodes stored at `places` (the others are
    /// left to the dense pass): each reads its current value and holds the grown one
    /// from the end of the step, in one pass (the hot loop of a training step). `steps`
    /// must be the installed plan's (indexed by place, like the cells); `err` is the
    /// step's mean error (for error-driven growth).
    pub(crate) fn grow_lazy_lambdas(&mut self, places: &[u32], steps: &Steps, err: f64) {
        grow_lazy(
            &mut self.lazy.lambda.cells,
            self.lazy.clock,
            places,
            steps,
            err,
        );
    }

    /// `grow_lazy_lambdas` for class edges.
    pub(crate) fn grow_lazy_etas(&mut self, places: &[u32], steps: &Steps, err: f64) {
        grow_lazy(
            &mut self.lazy.eta.cells,
            self.lazy.clock,
            places,
            steps,
            err,
        );
    }

    /// Writes the dense nodes `ids` of a step, in id order (the order of their jitter
    /// draws): each takes `op_of(n)` of its value before the step, from the end of the
    /// step.
    pub(crate) fn step_dense_lambdas(
        &mut self,
        ids: &[u32],
        jitter: f64,
        op_of: impl Fn(usize) -> LnOp,
    ) {
        let State { lazy, rng, .. } = self;
        step_dense(&mut lazy.lambda, lazy.clock, rng, ids, jitter, op_of);
    }

    /// `step_dense_lambdas` for class edges.
    pub(crate) fn step_dense_etas(
        &mut self,
        ids: &[u32],
        jitter: f64,
        op_of: impl Fn(usize) -> LnOp,
    ) {
        let State { lazy, rng, .. } = self;
        step_dense(&mut lazy.eta, lazy.clock, rng, ids, jitter, op_of);
    }

    /// Ends a step: lazy entries take one more factor.
    pub(crate) fn tick(&mut self) {
        self.lazy.clock += 1;
    }

    /// The update clock: steps (scheduled and explicit) applied so far.
    pub(crate) fn clock(&self) -> u64 {
        self.lazy.clock
    }

    /// The cells of both value tables (`lambda`, `eta`), by storage place.
    pub(crate) fn cells_mut(&mut self) -> (&mut [Cell], &mut [Cell]) {
        (&mut self.lazy.lambda.cells, &mut self.lazy.eta.cells)
    }

    /// Makes `plan`'s rates the pending ones (see `Lazy::install`).
    pub(crate) fn install(&mut self, plan: &Plan) {
        self.lazy.install(plan);
    }
}

/// The `Steps::Few` growth loop: like `Steps::Mul`, with each entry's record from
/// `step_of` (a lookup in a table small enough to stay in cache).
#[inline(always)]
fn grow_mul(cells: &mut [Cell], clock: u64, ids: &[u32], step_of: impl Fn(usize) -> MulStep) {
    for (k, &i) in ids.iter().enumerate() {
        if let Some(c) = ids.get(k + AHEAD).and_then(|&j| cells.get(j as usize)) {
            prefetch(c);
        }
        let i = i as usize;
        grow_cell(&mut cells[i], clock, step_of(i));
    }
}

/// How far ahead of the growth loop its entries are prefetched.
const AHEAD: usize = 16;

/// See `State::grow_lazy_lambdas`. The rate comes from the plan's step, which holds
/// the installed rate, so each entry costs two lookups: its step and its cell.
fn grow_lazy(cells: &mut [Cell], clock: u64, ids: &[u32], steps: &Steps, err: f64) {
    match steps {
        Steps::Mul(steps) => {
            for (k, &i) in ids.iter().enumerate() {
                // The entries are scattered: ask for those a few places ahead now,
                // so their cache misses overlap with this one's work.
                if let Some(&j) = ids.get(k + AHEAD) {
                    if let (Some(c), Some(s)) = (cells.get(j as usize), steps.get(j as usize)) {
                        prefetch(c);
                        prefetch(s);
                    }
                }
                let i = i as usize;
                grow_cell(&mut cells[i], clock, steps[i]);
            }
        }
        Steps::Few { table, index } => {
            if let [only] = table[..] {
                // One record for every entry (one rule, nothing frozen): no lookup.
                grow_mul(cells, clock, ids, |_| only);
            } else {
                grow_mul(cells, clock, ids, |i| table[usize::from(index[i])]);
            }
        }
        Steps::General(steps) => {
            for &i in ids {
                let i = i as usize;
                let LazyStep { grow, rate } = steps[i];
                if let Some(op) = grow {
                    let cell = &mut cells[i];
                    *cell = Cell {
                        base: op
                            .at_error(err)
                            .apply_exact(decayed(cell.base, cell.since, rate, clock)),
                        since: clock + 1,
                    };
                }
            }
        }
    }
}

/// See `State::step_dense_lambdas`.
fn step_dense(
    table: &mut Table,
    clock: u64,
    rng: &mut RunRng,
    ids: &[u32],
    jitter: f64,
    op_of: impl Fn(usize) -> LnOp,
) {
    for &i in ids {
        let i = i as usize;
        let v = op_of(i).apply(table.value(i, clock), jitter, rng);
        table.write(i, v, clock + 1);
    }
}

/// A `State` as saved files hold it (format 2; format 1 files have no `lazy`): values
/// and their stamps in separate lists, and no pending lists at all when nothing is
/// pending.
#[derive(Serialize, Deserialize)]
struct StateFile {
    /// `ln lambda[F]` per node at its last write (`-inf` = exactly 0, written `null`).
    #[serde(with = "ln_vec")]
    ln_lambda: Vec<f64>,
    /// `ln eta[f,F]` per class edge at its last write.
    #[serde(with = "ln_vec")]
    ln_eta: Vec<f64>,
    step: u64,
    phase: usize,
    step_in_phase: u64,
    rng: RunRng,
    sampler: SamplerState,
    /// Absent in files saved before lazy updates: nothing pending.
    #[serde(default)]
    lazy: LazyFile,
}

#[derive(Default, Serialize, Deserialize)]
struct LazyFile {
    clock: u64,
    key: u64,
    lambda: DecayFile,
    eta: DecayFile,
}

/// Pending factors of one table: both lists empty when nothing is pending.
#[derive(Default, Serialize, Deserialize)]
struct DecayFile {
    since: Vec<u64>,
    #[serde(with = "ln_vec")]
    rate: Vec<f64>,
}

impl DecayFile {
    fn of(table: &Table, pending: bool) -> DecayFile {
        if !pending {
            return DecayFile::default();
        }
        DecayFile {
            since: table.cells_by_id().map(|c| c.since).collect(),
            rate: table.rates_by_id(),
        }
    }

    fn into_table(self, base: Vec<f64>, what: &str) -> Result<Table, String> {
        if self.since.len() != self.rate.len()
            || !(self.rate.is_empty() || self.rate.len() == base.len())
        {
            return Err(format!("pending {what} factors do not fit its values"));
        }
        if self.rate.is_empty() {
            return Ok(Table::new(base));
        }
        Ok(Table {
            cells: base
                .into_iter()
                .zip(self.since)
                .map(|(base, since)| Cell { base, since })
                .collect(),
            rate: self.rate,
            perm: None,
        })
    }
}

impl Serialize for State {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let lazy = &self.lazy;
        let pending = lazy.key != 0;
        // In id order, whatever the storage order.
        let bases = |t: &Table| t.cells_by_id().map(|c| c.base).collect();
        StateFile {
            ln_lambda: bases(&lazy.lambda),
            ln_eta: bases(&lazy.eta),
            step: self.step,
            phase: self.phase,
            step_in_phase: self.step_in_phase,
            rng: self.rng.clone(),
            sampler: self.sampler.clone(),
            lazy: LazyFile {
                clock: lazy.clock,
                key: lazy.key,
                lambda: DecayFile::of(&lazy.lambda, pending),
                eta: DecayFile::of(&lazy.eta, pending),
            },
        }
        .serialize(s)
    }
}

impl<'de> Deserialize<'de> for State {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<State, D::Error> {
        use serde::de::Error;
        let f = StateFile::deserialize(d)?;
        let lazy = Lazy {
            clock: f.lazy.clock,
            key: f.lazy.key,
            lambda: f
                .lazy
                .lambda
                .into_table(f.ln_lambda, "lambda")
                .map_err(D::Error::custom)?,
            eta: f
                .lazy
                .eta
                .into_table(f.ln_eta, "eta")
                .map_err(D::Error::custom)?,
        };
        Ok(State {
            step: f.step,
            phase: f.phase,
            step_in_phase: f.step_in_phase,
            rng: f.rng,
            sampler: f.sampler,
            lazy,
        })
    }
}

/// What is wrong with a state that does not fit its model.
#[derive(Clone, Debug, PartialEq)]
pub enum StateFault {
    /// Node index and its `ln lambda`.
    Lambda(usize, f64),
    /// Class edge index and its `ln eta`.
    Eta(usize, f64),
    /// Anything else, described.
    Other(String),
}

/// The seed a run uses: `--seed` wins over `train { seed }`, which defaults to 0.
pub fn run_seed(ir: &Ir, cli_seed: Option<u64>) -> u64 {
    cli_seed.unwrap_or_else(|| ir.train.as_ref().map_or(0, |t| t.seed))
}

/// One initial value, as a natural log.
fn draw_ln(dist: &Dist, rng: &mut RunRng) -> f64 {
    match *dist {
        Dist::Const { value } => value.ln(),
        Dist::Uniform { a, b } => {
            let u: f64 = rng.gen();
            (a + (b - a) * u).ln()
        }
        Dist::Normal { mu, sigma } => {
            let z: f64 = rng.sample(StandardNormal);
            (mu + sigma * z).max(0.0).ln()
        }
        // exp(N(mu, sigma^2)), kept as its log: never overflows.
        Dist::LogNormal { mu, sigma } => {
            let z: f64 = rng.sample(StandardNormal);
            mu + sigma * z
        }
    }
}

/// Serde for vectors of natural logs: JSON has no `-inf`, so it is written as `null`.
pub(crate) mod ln_vec {
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    /// `null` stands for `-inf` only: NaN or `+inf` (which training never produces) is an
    /// error, never written as something that reads back as another value.
    pub fn serialize<S: Serializer>(v: &[f64], s: S) -> Result<S::Ok, S::Error> {
        if let Some(bad) = v.iter().find(|x| x.is_nan() || **x == f64::INFINITY) {
            return Err(serde::ser::Error::custom(format!(
                "a natural log is {bad}, which no state can hold"
            )));
        }
        let opts: Vec<Option<f64>> = v.iter().map(|&x| x.is_finite().then_some(x)).collect();
        opts.serialize(s)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<f64>, D::Error> {
        let opts: Vec<Option<f64>> = Vec::deserialize(d)?;
        Ok(opts
            .into_iter()
            .map(|x| x.unwrap_or(f64::NEG_INFINITY))
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn few_records_grow_like_one_record_per_entry() {
        // 40 entries, 3 records (and one alone), written at different clocks.
        let records = [(0.1, -0.05), (0.0, 0.0), (0.2, -0.1)];
        let steps: Vec<MulStep> = (0..40)
            .map(|i| {
                let (ln_grow, rate) = records[i % 3];
                MulStep { ln_grow, rate }
            })
            .collect();
        let cells: Vec<Cell> = (0..40)
            .map(|i| Cell {
                base: i as f64 * 0.25 - 3.0,
                since: (i % 5) as u64,
            })
            .collect();
        let ids: Vec<u32> = (0..40).filter(|i| i % 4 != 1).collect();
        let grown = |plan: &Steps| {
            let mut c = cells.clone();
            grow_lazy(&mut c, 7, &ids, plan, 1.0);
            c
        };
        let per_entry = grown(&Steps::Mul(steps.clone()));
        let Some((table, index)) = super::super::lazy::few_for_tests(&steps) else {
            panic!("three records are few");
        };
        assert_eq!(table.len(), 3);
        assert_eq!(grown(&Steps::Few { table, index }), per_entry);
        // One record: the loop without lookups.
        let one = vec![
            MulStep {
                ln_grow: 0.1,
                rate: -0.05
            };
            40
        ];
        assert_eq!(
            grown(&Steps::Few {
                table: vec![one[0]],
                index: vec![0; 40]
            }),
            grown(&Steps::Mul(one))
        );
        assert_eq!(per_entry[1], cells[1], "not grown");
        assert_eq!(per_entry[3].since, 8);
    }
}
