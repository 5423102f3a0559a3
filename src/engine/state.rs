//! The mutable part of a run: every `lambda` and `eta` (as natural logs), where the
//! schedule is, and the run's random stream. Serialisable so a REPL can save and
//! resume it bit-identically.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::StandardNormal;
use serde::{Deserialize, Serialize};

use super::lazy::{decayed, Decay, Lazy, Plan};
use super::train::LnOp;
use crate::ir::{Dist, Ir};

/// The run's random stream (SPEC 4: one seed determines every draw).
pub type RunRng = ChaCha8Rng;

///
/// `lambda` and `eta` are stored lazily (see `lazy`): read them with `ln_lambda(n)`,
/// `ln_eta(e)` (or the whole tables with `ln_lambdas()`, `ln_etas()`), and write them
/// with `set_ln_lambda` / `set_ln_eta`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct State {
    /// `ln lambda[F]` per node at its last write (`-inf` = exactly 0). In JSON, `-inf`
    /// is written as `null`. The name is that of saved files from before lazy updates.
    #[serde(rename = "ln_lambda", with = "ln_vec")]
    lambda_base: Vec<f64>,
    /// `ln eta[f,F]` per class edge at its last write.
    #[serde(rename = "ln_eta", with = "ln_vec")]
    eta_base: Vec<f64>,
    /// Training steps taken so far, over all phases.
    pub step: u64,
    /// Index of the current phase (== number of phases when training is over).
    pub phase: usize,
    /// Steps taken in the current phase.
    pub step_in_phase: u64,
    pub rng: RunRng,
    pub sampler: SamplerState,
    /// Pending shrink factors (absent in files saved before lazy updates: none pending).
    #[serde(default)]
    pub(crate) lazy: Lazy,
}

/// Where the sampler is. `cycle`: `cursor` is the next sample index. `shuffle`:
/// `epoch` is the current epoch's order and `cursor` the next position in it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SamplerState {
    pub cursor: usize,
    pub epoch: Vec<u32>,
}

impl State {
    /// The initial state: init draws come first from the run's stream, in node order,
    /// then edges (SPEC 10). Constant inits draw nothing.
    pub fn new(ir: &Ir, seed: u64) -> State {
        State::from_rng(ir, RunRng::seed_from_u64(seed))
    }

    /// The initial state of run `run_index` of a parallel sweep (SPEC 4): ChaCha
    /// stream `run_index` of the key derived from `seed`, so runs are independent and
    /// each is reproducible alone, whatever the thread count. Stream 0 is `new(ir, seed)`.
    pub fn for_run(ir: &Ir, seed: u64, run_index: u64) -> State {
        let mut rng = RunRng::seed_from_u64(seed);
        rng.set_stream(run_index);
        State::from_rng(ir, rng)
    }

    fn from_rng(ir: &Ir, mut rng: RunRng) -> State {
        let lambda_base = ir
            .init
            .lambda
            .iter()
            .map(|d| draw_ln(d, &mut rng))
            .collect();
        let eta_base = ir.init.eta.iter().map(|d| draw_ln(d, &mut rng)).collect();
        State {
            lambda_base,
            eta_base,
            step: 0,
            phase: 0,
            step_in_phase: 0,
            rng,
            sampler: SamplerState::default(),
            lazy: Lazy::default(),
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
        self.lazy
            .lambda
            .value(self.lambda_base[node], node, self.lazy.clock)
    }

    /// `ln eta` of class edge `edge`.
    #[inline]
    pub fn ln_eta(&self, edge: usize) -> f64 {
        self.lazy
            .eta
            .value(self.eta_base[edge], edge, self.lazy.clock)
    }

    /// `ln lambda` of every node, in node order.
    pub fn ln_lambdas(&self) -> Vec<f64> {
        (0..self.lambda_base.len())
            .map(|n| self.ln_lambda(n))
            .collect()
    }

    /// `ln eta` of every class edge, in edge order.
    pub fn ln_etas(&self) -> Vec<f64> {
        (0..self.eta_base.len()).map(|e| self.ln_eta(e)).collect()
    }

    /// Sets `ln lambda` of `node` from now on.
    pub fn set_ln_lambda(&mut self, node: usize, ln_value: f64) {
        self.lambda_base[node] = ln_value;
        if let Some(s) = self.lazy.lambda.since.get_mut(node) {
            *s = self.lazy.clock;
        }
    }

    /// Sets `ln eta` of class edge `edge` from now on.
    pub fn set_ln_eta(&mut self, edge: usize, ln_value: f64) {
        self.eta_base[edge] = ln_value;
        if let Some(s) = self.lazy.eta.since.get_mut(edge) {
            *s = self.lazy.clock;
        }
    }

    /// Checks that the state fits a model of `n_nodes` nodes and `n_edges` class edges
    /// and holds only values training can produce (no NaN, no `+inf`). The message
    /// names the node or edge index at fault.
    pub fn check_values(&self, n_nodes: usize, n_edges: usize) -> Result<(), StateFault> {
        if self.lambda_base.len() != n_nodes {
            return Err(StateFault::Other(format!(
                "{} lambda values for {n_nodes} nodes",
                self.lambda_base.len()
            )));
        }
        if self.eta_base.len() != n_edges {
            return Err(StateFault::Other(format!(
                "{} eta values for {n_edges} edges",
                self.eta_base.len()
            )));
        }
        self.lazy
            .check(n_nodes, n_edges)
            .map_err(StateFault::Other)?;
        let bad = |v: f64| v.is_nan() || v == f64::INFINITY;
        if let Some(n) = (0..n_nodes).find(|&n| bad(self.ln_lambda(n))) {
            return Err(StateFault::Lambda(n, self.ln_lambda(n)));
        }
        if let Some(e) = (0..n_edges).find(|&e| bad(self.ln_eta(e))) {
            return Err(StateFault::Eta(e, self.ln_eta(e)));
        }
        Ok(())
    }

    /// Writes the value a step gives `node`; it holds from the end of the step.
    #[inline]
    pub(crate) fn write_lambda_after_step(&mut self, node: usize, ln_value: f64) {
        self.lambda_base[node] = ln_value;
        if let Some(s) = self.lazy.lambda.since.get_mut(node) {
            *s = self.lazy.clock + 1;
        }
    }

    /// Writes the value a step gives class edge `edge`; it holds from the end of the step.
    #[inline]
    pub(crate) fn write_eta_after_step(&mut self, edge: usize, ln_value: f64) {
        self.eta_base[edge] = ln_value;
        if let Some(s) = self.lazy.eta.since.get_mut(edge) {
            *s = self.lazy.clock + 1;
        }
    }

    /// Applies a step's growth to the lazy nodes among `nodes` (`grow[n]` is `None` for
    /// the others): each reads its current value and holds the grown one from the end of
    /// the step. The same as `write_lambda_after_step(n, op.apply_exact(ln_lambda(n)))`
    /// for each, in one pass over the tables (the hot loop of a training step).
    pub(crate) fn grow_lazy_lambdas(&mut self, nodes: &[u32], grow: &[Option<LnOp>]) {
        let clock = self.lazy.clock;
        grow_lazy(
            &mut self.lambda_base,
            &mut self.lazy.lambda,
            clock,
            nodes,
            grow,
        );
    }

    /// `grow_lazy_lambdas` for class edges.
    pub(crate) fn grow_lazy_etas(&mut self, edges: &[u32], grow: &[Option<LnOp>]) {
        let clock = self.lazy.clock;
        grow_lazy(&mut self.eta_base, &mut self.lazy.eta, clock, edges, grow);
    }

    /// Ends a step: lazy entries take one more factor.
    pub(crate) fn tick(&mut self) {
        self.lazy.clock += 1;
    }

    /// Makes `plan`'s rates the pending ones. When they differ from the installed ones,
    /// every value is first materialised (in id order) so it keeps what it has so far.
    pub(crate) fn install(&mut self, plan: &Plan) {
        if self.lazy.key == plan.key {
            return;
        }
        let clock = self.lazy.clock;
        self.lambda_base = self.ln_lambdas();
        self.eta_base = self.ln_etas();
        let since = |rate: &[f64]| vec![clock; rate.len()];
        self.lazy.lambda.since = since(&plan.node_rate);
        self.lazy.lambda.rate.clone_from(&plan.node_rate);
        self.lazy.eta.since = since(&plan.edge_rate);
        self.lazy.eta.rate.clone_from(&plan.edge_rate);
        self.lazy.key = plan.key;
    }
}

/// See `State::grow_lazy_lambdas`.
fn grow_lazy(base: &mut [f64], decay: &mut Decay, clock: u64, ids: &[u32], grow: &[Option<LnOp>]) {
    if decay.rate.is_empty() {
        // Nothing pending: values are their bases, and there is no stamp to write.
        for &i in ids {
            let i = i as usize;
            if let Some(op) = grow[i] {
                base[i] = op.apply_exact(base[i]);
            }
        }
        return;
    }
    let Decay { since, rate } = decay;
    for &i in ids {
        let i = i as usize;
        if let Some(op) = grow[i] {
            base[i] = op.apply_exact(decayed(base[i], since[i], rate[i], clock));
            since[i] = clock + 1;
        }
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
pub mod ln_vec {
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    pub fn serialize<S: Serializer>(v: &[f64], s: S) -> Result<S::Ok, S::Error> {
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
