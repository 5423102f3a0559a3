//! Training (SPEC 3): one step draws a batch, takes the union `U` of its feature
//! pathways, and moves every `lambda` and `eta` by its `g+` or `g-`, all reading the
//! values from before the step.
//!
//! Non-firing nodes and edges with a deterministic `mul`/`keep` shrink are updated
//! lazily (see `lazy`), so a step costs what fires; the others are updated every step.
//!
//! Random draws of a step, in order: batch indices, noise flips (see `sample`), then
//! one `N(0,1)` per jittered `mul` application — nodes in id order (frozen levels make
//! no application and draw nothing), then class edges in id order (none when eta is
//! frozen).

use super::graph::{FireCounts, Model};
use super::lazy::Plan;
use super::rules::{Freeze, Rules};
use super::sample::{cumulative_weights, draw_batch, flip_noise};
use super::state::State;
use crate::ir::{ClassId, EtaUpdate, Ir, NodeId, Phase, RuleSet, Sampler};

/// The file-wide `eta_update` (union when there is no `train`).
pub fn eta_update_of(ir: &Ir) -> EtaUpdate {
    ir.train.as_ref().map_or(EtaUpdate::Union, |t| t.eta_update)
}

/// Scratch space for steps: reused so a step allocates nothing.
#[derive(Clone, Debug)]
struct Workspace {
    counts: FireCounts,
    pathway: Vec<NodeId>,
    in_u: Vec<bool>,
    /// The nodes of U, each once, in discovery order.
    u_list: Vec<NodeId>,
    label_in_u: Vec<bool>,
    /// Class edges whose eta grows this step, and the same as a list.
    cofire: Vec<bool>,
    cofire_list: Vec<u32>,
    batch: Vec<usize>,
    noisy: Vec<Vec<NodeId>>,
}

impl Workspace {
    fn new(model: &Model) -> Workspace {
        Workspace {
            counts: FireCounts::new(model.n_nodes()),
            pathway: Vec::new(),
            in_u: vec![false; model.n_nodes()],
            u_list: Vec::new(),
            label_in_u: vec![false; model.n_classes()],
            cofire: vec![false; model.n_edges()],
            cofire_list: Vec::new(),
            batch: Vec::new(),
            noisy: Vec::new(),
        }
    }
}

/// Runs steps on a model; owns the compiled rules of every phase and the scratch space.
#[derive(Clone, Debug)]
pub struct Trainer<'m, 'ir> {
    model: &'m Model<'ir>,
    phase_rules: Vec<Rules>,
    phase_plans: Vec<Plan>,
    /// The plan of the last explicit step's rules (LE steps reuse one rule set).
    explicit: Option<(Rules, Freeze, Plan)>,
    cumulative: Vec<f64>,
    eta_update: EtaUpdate,
    ws: Workspace,
}

impl<'m, 'ir> Trainer<'m, 'ir> {
    pub fn new(model: &'m Model<'ir>) -> Self {
        let ir = model.ir;
        let phases: &[Phase] = ir.train.as_ref().map_or(&[], |t| &t.phases);
        Trainer {
            model,
            phase_rules: phases.iter().map(|p| Rules::new(&p.rules)).collect(),
            phase_plans: phases
                .iter()
                .map(|p| Plan::new(ir, &Rules::new(&p.rules), &Freeze::of_phase(p)))
                .collect(),
            explicit: None,
            cumulative: cumulative_weights(&ir.data.samples),
            eta_update: eta_update_of(ir),
            ws: Workspace::new(model),
        }
    }

    /// Total steps of the file's schedule (saturating: `steps` may be any u64).
    /// The model this trainer trains.
    pub fn model(&self) -> &'m Model<'ir> {
        self.model
    }

    pub fn total_steps(&self) -> u64 {
        self.model.ir.train.as_ref().map_or(0, |t| {
            t.phases
                .iter()
                .fold(0u64, |acc, p| acc.saturating_add(p.steps))
        })
    }

    /// Trains from wherever `state` is to the end of the schedule, calling `observer`
    /// after every step.
    pub fn run(&mut self, state: &mut State, observer: &mut dyn FnMut(&State)) {
        self.run_steps(state, u64::MAX, observer);
    }

    /// Like `run`, but stops after at most `max_steps` steps. Returns the steps taken.
    pub fn run_steps(
        &mut self,
        state: &mut State,
        max_steps: u64,
        observer: &mut dyn FnMut(&State),
    ) -> u64 {
        let ir = self.model.ir;
        let Some(train) = ir.train.as_ref() else {
            return 0;
        };
        let mut taken = 0;
        while state.phase < train.phases.len() && taken < max_steps {
            let phase = &train.phases[state.phase];
            if state.step_in_phase >= phase.steps {
                state.phase += 1;
                state.step_in_phase = 0;
                continue;
            }
            self.scheduled_step(state, train.sampler, state.phase, phase.batch);
            state.step += 1;
            state.step_in_phase += 1;
            taken += 1;
            observer(state);
        }
        // Leave the state past any phase that is complete, so `phase` says "done".
        while state.phase < train.phases.len()
            && state.step_in_phase >= train.phases[state.phase].steps
        {
            state.phase += 1;
            state.step_in_phase = 0;
        }
        taken
    }

    /// Steps past the end of the schedule (the REPL's `train N` once the file's steps
    /// are spent): drawn and updated exactly like the last phase's steps. Returns the
    /// steps taken (0 when there is no phase).
    pub fn run_extra_steps(
        &mut self,
        state: &mut State,
        steps: u64,
        observer: &mut dyn FnMut(&State),
    ) -> u64 {
        let ir = self.model.ir;
        let Some(train) = ir.train.as_ref() else {
            return 0;
        };
        let Some(last) = train.phases.len().checked_sub(1) else {
            return 0;
        };
        let batch = train.phases[last].batch;
        for _ in 0..steps {
            self.scheduled_step(state, train.sampler, last, batch);
            state.step += 1;
            observer(state);
        }
        steps
    }

    /// One step of the schedule: draw, add noise, update.
    fn scheduled_step(&mut self, state: &mut State, sampler: Sampler, phase: usize, batch: u64) {
        let samples = &self.model.ir.data.samples;
        let mut drawn = std::mem::take(&mut self.ws.batch);
        draw_batch(
            sampler,
            samples,
            &self.cumulative,
            &mut state.sampler,
            &mut state.rng,
            batch,
            &mut drawn,
        );
        let q = self.model.ir.data.noise_flip;
        let mut noisy = std::mem::take(&mut self.ws.noisy);
        if q > 0.0 {
            if noisy.len() < drawn.len() {
                noisy.resize_with(drawn.len(), Vec::new);
            }
            let n_inputs = self.model.n_inputs();
            for (k, &i) in drawn.iter().enumerate() {
                flip_noise(
                    &samples[i].input,
                    n_inputs,
                    q,
                    &mut state.rng,
                    &mut noisy[k],
                );
            }
        }
        let batch_iter = drawn.iter().enumerate().map(|(k, &i)| {
            let input: &[NodeId] = if q > 0.0 {
                &noisy[k]
            } else {
                &samples[i].input
            };
            (input, samples[i].label)
        });
        let rules = &self.phase_rules[phase];
        let plan = &self.phase_plans[phase];
        update(
            self.model,
            &mut self.ws,
            self.eta_update,
            state,
            rules,
            plan,
            batch_iter,
        );
        self.ws.batch = drawn;
        self.ws.noisy = noisy;
    }

    /// One step on an explicit batch of `(input, label)` pairs (inputs ascending
    /// level-1 ids): no sampling, no noise. Does not advance the step counters.
    pub fn step_on(
        &mut self,
        state: &mut State,
        rules: &Rules,
        freeze: &Freeze,
        batch: &[(&[NodeId], ClassId)],
    ) {
        let cached = matches!(&self.explicit, Some((r, f, _)) if r == rules && f == freeze);
        if !cached {
            let plan = Plan::new(self.model.ir, rules, freeze);
            self.explicit = Some((rules.clone(), freeze.clone(), plan));
        }
        let Some((_, _, plan)) = &self.explicit else {
            return;
        };
        update(
            self.model,
            &mut self.ws,
            self.eta_update,
            state,
            rules,
            plan,
            batch.iter().copied(),
        );
    }
}

/// Convenience for one explicit step with fresh scratch space (REPL, tests).
pub fn step_on(
    model: &Model,
    state: &mut State,
    rules: &RuleSet,
    freeze: &Freeze,
    batch: &[(&[NodeId], ClassId)],
) {
    Trainer::new(model).step_on(state, &Rules::new(rules), freeze, batch);
}

/// SPEC 3 steps 1–4 for one batch. Every update reads the value from before the step:
/// U and the co-firing edges are fixed first, and each entry is written once.
fn update<'b>(
    model: &Model,
    ws: &mut Workspace,
    eta_update: EtaUpdate,
    state: &mut State,
    rules: &Rules,
    plan: &Plan,
    batch: impl ExactSizeIterator<Item = (&'b [NodeId], ClassId)>,
) {
    let ir = model.ir;
    // A batch of one valid input needs no union: its pathway lists each node once, and
    // `in_u` is only read by dense nodes. Then U is the pathway itself.
    let lone = batch.len() == 1 && plan.dense_nodes.is_empty();
    let mut marked = true;
    // 1. U: firing nodes of every sample, and the label classes.
    for (input, label) in batch {
        model
            .graph
            .fire_levels(input, &mut ws.counts, &mut ws.pathway, false);
        if lone && is_plain_input(input, model.n_inputs()) {
            marked = false;
        } else {
            for &n in &ws.pathway {
                if !ws.in_u[n as usize] {
                    ws.in_u[n as usize] = true;
                    ws.u_list.push(n);
                }
            }
        }
        if let Some(l) = ws.label_in_u.get_mut(label as usize) {
            *l = true;
        }
        if eta_update == EtaUpdate::Sample {
            // Edges from a node of this sample's pathway into its own label.
            let first = model.graph.first_with_edges;
            for &f in ws.pathway.iter().filter(|&&f| f >= first) {
                for &e in model.graph.out_edges(f) {
                    if ir.edges[e as usize].to == label && !ws.cofire[e as usize] {
                        ws.cofire[e as usize] = true;
                        ws.cofire_list.push(e);
                    }
                }
            }
        }
    }
    let u_nodes: &[NodeId] = if marked { &ws.u_list } else { &ws.pathway };
    if eta_update == EtaUpdate::Union {
        // Edges from a node of U into a label of the batch. Nodes below the first
        // with an edge are skipped without a lookup (in most models only the last
        // feature level has edges, and U is mostly lower levels).
        let first = model.graph.first_with_edges;
        for &f in u_nodes.iter().filter(|&&f| f >= first) {
            for &e in model.graph.out_edges(f) {
                if ws.label_in_u[ir.edges[e as usize].to as usize] {
                    ws.cofire[e as usize] = true;
                    ws.cofire_list.push(e);
                }
            }
        }
    }

    state.install(plan);
    // 2. lambda. Lazy nodes of U grow (the others shrink by the clock's tick); dense
    //    nodes are all written, in id order (the order of their jitter draws).
    state.grow_lazy_lambdas(u_nodes, &plan.node_step);
    state.step_dense_lambdas(&plan.dense_nodes, rules.jitter, |n| {
        if ws.in_u[n] {
            rules.grow[n]
        } else {
            rules.shrink[n]
        }
    });

    // 3. eta of every class edge, by co-firing, the same way.
    state.grow_lazy_etas(&ws.cofire_list, &plan.edge_step);
    state.step_dense_etas(&plan.dense_edges, rules.jitter, |e| {
        if ws.cofire[e] {
            rules.grow_eta[e]
        } else {
            rules.shrink_eta[e]
        }
    });
    state.tick();

    // Leave the scratch space clean for the next step.
    if marked {
        for &n in &ws.u_list {
            ws.in_u[n as usize] = false;
        }
        ws.u_list.clear();
    }
    ws.label_in_u.iter_mut().for_each(|b| *b = false);
    for &e in &ws.cofire_list {
        ws.cofire[e as usize] = false;
    }
    ws.cofire_list.clear();
}

/// Whether `input` is strictly ascending and names only level-1 nodes (then its
/// pathway lists every firing node once).
fn is_plain_input(input: &[NodeId], n_inputs: usize) -> bool {
    input.windows(2).all(|w| w[0] < w[1]) && input.last().is_none_or(|&n| (n as usize) < n_inputs)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::testing::fig1;

    #[test]
    fn plain_inputs_are_ascending_level1_ids() {
        assert!(is_plain_input(&[], 7));
        assert!(is_plain_input(&[0, 2, 6], 7));
        assert!(!is_plain_input(&[2, 2, 3], 7));
        assert!(!is_plain_input(&[3, 2], 7));
        assert!(!is_plain_input(&[2, 7], 7));
    }

    #[test]
    fn a_lone_sample_updates_exactly_like_a_union() {
        // c2 = e3 e4 e5 fires e3 e4 e5 m1 m2 m3 t1 t2. The plain input takes the
        // lone-sample path (U = its pathway); the same input with a repeated id, and
        // the same sample twice, take the union; all three write the same values.
        let ir = fig1();
        let model = Model::new(&ir);
        let rules = Rules::new(&ir.rules);
        let freeze = Freeze::none(&ir);
        let plain: &[NodeId] = &[2, 3, 4];
        let repeated: &[NodeId] = &[2, 3, 3, 4];
        let runs: [&[(&[NodeId], ClassId)]; 3] =
            [&[(plain, 1)], &[(repeated, 1)], &[(plain, 1), (plain, 1)]];
        let states: Vec<State> = runs
            .iter()
            .map(|batch| {
                let mut state = State::new(&ir, 0);
                let mut trainer = Trainer::new(&model);
                for _ in 0..3 {
                    trainer.step_on(&mut state, &rules, &freeze, batch);
                }
                state
            })
            .collect();
        let bits = |s: &State| -> Vec<u64> {
            s.ln_lambdas()
                .iter()
                .chain(&s.ln_etas())
                .map(|v| v.to_bits())
                .collect()
        };
        assert_eq!(bits(&states[0]), bits(&states[1]));
        assert_eq!(bits(&states[0]), bits(&states[2]));
        // Three growths of 1.1 on a firing node (e3), three shrinks of 0.9 on a silent
        // one (e1), from lambda = 1.
        let lambda = |n: usize| states[0].lambda(n);
        assert!((lambda(2) - 1.1f64.powi(3)).abs() < 1e-12);
        assert!((lambda(0) - 0.9f64.powi(3)).abs() < 1e-12);
    }
}
