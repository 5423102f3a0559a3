//! The mutable part of a run: every `lambda` and `eta` (as natural logs), where the
//! schedule is, and the run's random stream. Serialisable so a REPL can save and
//! resume it bit-identically.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::StandardNormal;
use serde::{Deserialize, Serialize};

use crate::ir::{Dist, Ir};

/// The run's random stream (SPEC 4: one seed determines every draw).
pub type RunRng = ChaCha8Rng;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct State {
    /// `ln lambda[F]` per node (`-inf` = exactly 0). In JSON, `-inf` is written as `null`.
    #[serde(with = "ln_vec")]
    pub ln_lambda: Vec<f64>,
    /// `ln eta[f,F]` per class edge.
    #[serde(with = "ln_vec")]
    pub ln_eta: Vec<f64>,
    /// Training steps taken so far, over all phases.
    pub step: u64,
    /// Index of the current phase (== number of phases when training is over).
    pub phase: usize,
    /// Steps taken in the current phase.
    pub step_in_phase: u64,
    pub rng: RunRng,
    pub sampler: SamplerState,
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
        let ln_lambda = ir
            .init
            .lambda
            .iter()
            .map(|d| draw_ln(d, &mut rng))
            .collect();
        let ln_eta = ir.init.eta.iter().map(|d| draw_ln(d, &mut rng)).collect();
        State {
            ln_lambda,
            ln_eta,
            step: 0,
            phase: 0,
            step_in_phase: 0,
            rng,
            sampler: SamplerState::default(),
        }
    }

    /// Restarts the random stream from `seed`, keeping lambda, eta and the schedule
    /// position (the REPL's `set seed`).
    pub fn reseed(&mut self, seed: u64) {
        self.rng = RunRng::seed_from_u64(seed);
    }

    pub fn lambda(&self, node: usize) -> f64 {
        self.ln_lambda[node].exp()
    }

    pub fn eta(&self, edge: usize) -> f64 {
        self.ln_eta[edge].exp()
    }
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
