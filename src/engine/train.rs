//! Training: one step draws a batch, takes the union `U` of its feature
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

use std::sync::Arc;

use super::graph::{FireCounts, Model};
use super::layout::{id_at, slot_of, Layout, Perm, Prepared};
use super::lazy::Plan;
use super::pathways::{is_plain_input, Kept, Pathways};
use super::replay::Deferred;
use super::rules::{Freeze, Rules};
use super::sample::{cumulative_weights, draw_batch, flip_noise};
use super::state::State;
use crate::ir::{ClassId, EdgeId, EtaUpdate, Ir, NodeId, Phase, RuleSet, Sampler};

/// The file-wide `eta_update` (union when there is no `train`).
pub fn eta_update_of(ir: &Ir) -> EtaUpdate {
    ir.train.as_ref().map_or(EtaUpdate::Union, |t| t.eta_update)
}

/// An evaluator, the classes' ln-logits and their probabilities, for a sample's error.
type ErrorScratch = (super::eval::Evaluator, Vec<f64>, Vec<f64>);

/// Scratch space for steps: reused so a step allocates nothing.
#[derive(Clone, Debug)]
struct Workspace {
    counts: FireCounts,
    pathway: Vec<NodeId>,
    /// A fired pathway as storage places (when the tables are not in id order).
    places: Vec<u32>,
    /// By storage place (as are `u_list`, `cofire` and `cofire_list`).
    in_u: Vec<bool>,
    /// The nodes of U, each once, in discovery order, in front (one slot per node and
    /// a spare, so that adding a node needs no branch).
    u_list: Vec<u32>,
    label_in_u: Vec<bool>,
    /// Class edges whose eta grows this step, and the same as a list.
    cofire: Vec<bool>,
    cofire_list: Vec<u32>,
    batch: Vec<usize>,
    /// The kept pathways already in this step's U (address and length): a sample
    /// drawn twice in a batch adds nothing to U the second time.
    in_union: Vec<(usize, usize)>,
    /// U as a bitset of places, for the samples whose kept pathway has one (made on
    /// first use; all zero between steps).
    u_bits: Vec<u64>,
    noisy: Vec<Vec<NodeId>>,
    /// For the batch's error (error-driven rules only; made on first use).
    error: Option<ErrorScratch>,
}

impl Workspace {
    /// Leaves the scratch space clean for the next step: `in_u` (when `marked`, from the
    /// first `u_len` places of `u_list`), the union's lists, the batch's labels and the
    /// co-firing edges.
    fn clear_step(&mut self, marked: bool, u_len: usize) {
        if marked {
            if u_len > self.in_u.len() / 8 {
                // A large U (a large batch): one pass over the table is cheaper.
                self.in_u.fill(false);
            } else {
                for &n in &self.u_list[..u_len] {
                    self.in_u[n as usize] = false;
                }
            }
        }
        self.in_union.clear();
        self.label_in_u.iter_mut().for_each(|b| *b = false);
        for &e in self.cofire_list.iter() {
            self.cofire[e as usize] = false;
        }
        self.cofire_list.clear();
    }

    fn new(model: &Model) -> Workspace {
        Workspace {
            counts: FireCounts::default(),
            pathway: Vec::new(),
            places: Vec::new(),
            in_u: vec![false; model.n_nodes()],
            u_list: vec![0; model.n_nodes() + 1],
            label_in_u: vec![false; model.n_classes()],
            cofire: vec![false; model.n_edges()],
            cofire_list: Vec::new(),
            batch: Vec::new(),
            in_union: Vec::new(),
            u_bits: Vec::new(),
            noisy: Vec::new(),
            error: None,
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
    /// The file's rules and their plan, for steps of a model without a `train` block.
    file_rules: Option<(Rules, Plan)>,
    cumulative: Vec<f64>,
    eta_update: EtaUpdate,
    ws: Workspace,
    /// The data samples' pathways, kept from their first draw (unless `prepared`).
    pathways: Pathways<'ir>,
    /// Steps recorded and not yet written (see `replay`): empty whenever a method
    /// returns.
    deferred: Deferred,
    /// A large model's pathways, kept before the first step (see `layout::Prepared`).
    prepared: Option<Arc<Prepared>>,
    /// The storage order of the states this trainer steps (the model's).
    layout: Option<Arc<Layout>>,
}

impl<'m, 'ir> Trainer<'m, 'ir> {
    /// A trainer for `model`, by its schedule.
    pub fn new(model: &'m Model<'ir>) -> Self {
        let ir = model.ir;
        let phases: &[Phase] = ir.train.as_ref().map_or(&[], |t| &t.phases);
        let prepared = model.prepared();
        let layout = prepared.as_ref().map(|p| Arc::clone(&p.layout));
        Trainer {
            model,
            phase_rules: phases.iter().map(|p| Rules::new(&p.rules)).collect(),
            phase_plans: phases
                .iter()
                .map(|p| {
                    let rules = Rules::new(&p.rules);
                    Plan::new(ir, &rules, &Freeze::of_phase(p), layout.clone())
                })
                .collect(),
            explicit: None,
            file_rules: ir.train.is_none().then(|| {
                let rules = Rules::new(&ir.rules);
                let plan = Plan::new(ir, &rules, &Freeze::none(ir), layout.clone());
                (rules, plan)
            }),
            cumulative: cumulative_weights(&ir.data.samples),
            eta_update: eta_update_of(ir),
            ws: Workspace::new(model),
            pathways: Pathways::borrowing(model),
            deferred: Deferred::default(),
            prepared,
            layout,
        }
    }

    /// The model this trainer trains.
    pub fn model(&self) -> &'m Model<'ir> {
        self.model
    }

    /// Total steps of the file's schedule (saturating: `steps` may be any u64).
    pub fn total_steps(&self) -> u64 {
        self.model.ir.train.as_ref().map_or(0, |t| {
            t.phases
                .iter()
                .fold(0u64, |acc, p| acc.saturating_add(p.steps))
        })
    }

    /// Trains from wherever `state` is to the end of the schedule.
    pub(crate) fn run(&mut self, state: &mut State) {
        self.run_steps(state, u64::MAX);
    }

    /// Like `run`, but stops after at most `max_steps` steps. Returns the steps taken.
    /// (To look at the state as it trains, take the steps a few at a time.)
    pub(crate) fn run_steps(&mut self, state: &mut State, max_steps: u64) -> u64 {
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
            self.scheduled_step(state, train.sampler, Some(state.phase), phase.batch);
            state.step += 1;
            state.step_in_phase += 1;
            taken += 1;
        }
        self.flush(state);
        // Leave the state past any phase that is complete, so `phase` says "done".
        skip_complete_phases(ir, state);
        taken
    }

    /// Steps past the end of the schedule (the REPL's `train N` once the file's steps
    /// are spent): drawn and updated exactly like the last phase's steps. A model without
    /// a `train` block takes steps with every default (batch 1, `replace`, the
    /// file's rules, nothing frozen). Returns the steps taken (0 when there is no phase,
    /// or no data to draw from: see [`untrainable`]).
    pub(crate) fn run_extra_steps(&mut self, state: &mut State, steps: u64) -> u64 {
        let ir = self.model.ir;
        if untrainable(ir).is_some() {
            return 0;
        }
        let (sampler, phase, batch) = match ir.train.as_ref() {
            Some(train) => {
                let Some(last) = train.phases.len().checked_sub(1) else {
                    return 0;
                };
                (train.sampler, Some(last), train.phases[last].batch)
            }
            None => (Sampler::Replace, None, 1),
        };
        for _ in 0..steps {
            self.scheduled_step(state, sampler, phase, batch);
            state.step += 1;
        }
        self.flush(state);
        steps
    }

    /// Writes the recorded steps into `state` (see `replay`).
    fn flush(&mut self, state: &mut State) {
        if self.deferred.is_empty() {
            return;
        }
        let plan = match (self.deferred.phase(), &self.file_rules) {
            (Some(p), _) => &self.phase_plans[p],
            (None, Some((_, plan))) => plan,
            // Steps are only recorded under one of those plans.
            (None, None) => return,
        };
        let pathways = match &self.prepared {
            Some(p) => &p.pathways,
            None => &self.pathways,
        };
        self.deferred
            .flush(state, (&plan.node_step, &plan.edge_step), |i| {
                pathways.get(i)
            });
    }

    /// One step of the schedule: draw, add noise, update with the rules of `phase` (the
    /// file's rules when `None`). A step that may be written later is recorded.
    fn scheduled_step(
        &mut self,
        state: &mut State,
        sampler: Sampler,
        phase: Option<usize>,
        batch: u64,
    ) {
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
        if q == 0.0 && self.prepared.is_none() {
            for &i in &drawn {
                self.pathways.fill(
                    self.model,
                    self.layout.as_deref(),
                    i,
                    &mut self.ws.counts,
                    &mut self.ws.pathway,
                );
            }
        }
        if q == 0.0 && self.defer(state, phase, &drawn) {
            self.ws.batch = drawn;
            self.ws.noisy = noisy;
            return;
        }
        self.flush(state);
        let pathways = match &self.prepared {
            Some(p) => &p.pathways,
            None => &self.pathways,
        };
        let batch_iter = drawn.iter().enumerate().map(|(k, &i)| {
            if q > 0.0 {
                (&noisy[k][..], samples[i].label, None)
            } else {
                (&samples[i].input[..], samples[i].label, pathways.get(i))
            }
        });
        let (rules, plan) = match (phase, &self.file_rules) {
            (Some(p), _) => (&self.phase_rules[p], &self.phase_plans[p]),
            (None, Some((rules, plan))) => (rules, plan),
            // Only models without a `train` block step with the file's rules.
            (None, None) => return,
        };
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

    /// Records the step of the noiseless batch `drawn` under the plan of `phase` instead
    /// of taking it, when it may be written later: one data sample with a kept pathway,
    /// and a plan that defers (see `replay`). Returns whether it did.
    fn defer(&mut self, state: &mut State, phase: Option<usize>, drawn: &[usize]) -> bool {
        let (rules, plan) = match (phase, &self.file_rules) {
            (Some(p), _) => (&self.phase_rules[p], &self.phase_plans[p]),
            (None, Some((rules, plan))) => (rules, plan),
            (None, None) => return false,
        };
        let pathways = match &self.prepared {
            Some(p) => &p.pathways,
            None => &self.pathways,
        };
        let &[sample] = drawn else {
            return false;
        };
        if !plan.defers || rules.by_error || pathways.get(sample).is_none() {
            return false;
        }
        if !self.deferred.is_empty() && self.deferred.phase() != phase {
            self.flush(state);
        }
        if self.deferred.is_empty() {
            // Nothing is pending: the plan's rates and order may be installed now.
            let plan = match phase {
                Some(p) => &self.phase_plans[p],
                None => match &self.file_rules {
                    Some((_, plan)) => plan,
                    None => return false,
                },
            };
            state.install(plan);
        }
        self.deferred.record(state, sample, phase);
        true
    }

    /// One step on an explicit batch of `(input, label)` pairs (inputs ascending
    /// level-1 ids): no sampling, no noise. Does not advance the step counters.
    pub(crate) fn step_on(
        &mut self,
        state: &mut State,
        rules: &Rules,
        freeze: &Freeze,
        batch: &[(&[NodeId], ClassId)],
    ) {
        self.flush(state);
        let cached = matches!(&self.explicit, Some((r, f, _)) if r == rules && f == freeze);
        if !cached {
            let plan = Plan::new(self.model.ir, rules, freeze, self.layout.clone());
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
            batch.iter().map(|&(input, label)| (input, label, None)),
        );
    }
}

/// Why training steps cannot be drawn for `ir`: it has no data (a model with
/// data and no `train` block trains with every default).
pub fn untrainable(ir: &Ir) -> Option<&'static str> {
    ir.data
        .samples
        .is_empty()
        .then_some("the model has no data to draw training batches from")
}

/// The rules and freezes of an explicit step (`step BATCH` in the REPL, `step_on` in
/// Python): the current phase's (the last phase's once the schedule is over), or the
/// file's when there is no schedule.
pub struct ExplicitRules<'ir> {
    /// The update functions.
    pub rules: &'ir RuleSet,
    /// What is held fixed.
    pub freeze: Freeze,
    /// Where the rules come from: "phase `main`" or "the file".
    pub source: String,
}

/// See [`ExplicitRules`].
pub fn explicit_rules<'ir>(ir: &'ir Ir, state: &State) -> ExplicitRules<'ir> {
    match ir.train.as_ref().filter(|t| !t.phases.is_empty()) {
        Some(t) => {
            let p = &t.phases[state.phase.min(t.phases.len() - 1)];
            ExplicitRules {
                rules: &p.rules,
                freeze: Freeze::of_phase(p),
                source: format!("phase `{}`", p.name),
            }
        }
        None => ExplicitRules {
            rules: &ir.rules,
            freeze: Freeze::none(ir),
            source: "the file".to_string(),
        },
    }
}

/// One explicit training step on `batch` (pairs of ascending level-1 ids and a label) with
/// the [`explicit_rules`] of the state's position. It counts as a step of the schedule, as
/// a drawn step does: `state.step` grows and so does the position in the current phase
/// (moving to the next phase when this one is complete), so `train` to the end of the
/// schedule takes the steps that are left. Past the schedule only `state.step` grows.
/// Returns where the rules came from.
pub fn explicit_step(
    trainer: &mut Trainer,
    state: &mut State,
    batch: &[(&[NodeId], ClassId)],
) -> String {
    let ir = trainer.model().ir;
    skip_complete_phases(ir, state);
    let ExplicitRules {
        rules,
        freeze,
        source,
    } = explicit_rules(ir, state);
    trainer.step_on(state, &Rules::new(rules), &freeze, batch);
    state.step += 1;
    if let Some(t) = &ir.train {
        if state.phase < t.phases.len() {
            state.step_in_phase += 1;
        }
    }
    skip_complete_phases(ir, state);
    source
}

/// Moves the state past every phase whose steps are all taken, so `phase` names the one
/// the next step belongs to (or is past the end once the schedule is complete).
fn skip_complete_phases(ir: &Ir, state: &mut State) {
    let Some(t) = &ir.train else {
        return;
    };
    while state.phase < t.phases.len() && state.step_in_phase >= t.phases[state.phase].steps {
        state.phase += 1;
        state.step_in_phase = 0;
    }
}

/// Stages 1–4 of a training step, for one batch of `(input, label, kept pathway)`. Every update reads
/// the value from before the step: U and the co-firing edges are fixed first, and each
/// entry is written once.
fn update<'b>(
    model: &Model,
    ws: &mut Workspace,
    eta_update: EtaUpdate,
    state: &mut State,
    rules: &Rules,
    plan: &Plan,
    batch: impl ExactSizeIterator<Item = (&'b [NodeId], ClassId, Option<Kept<'b>>)>,
) {
    let Workspace {
        counts,
        pathway,
        places,
        in_u,
        u_list,
        label_in_u,
        cofire,
        cofire_list,
        error,
        in_union,
        u_bits,
        ..
    } = ws;
    // A batch of one valid input needs no union: its pathway lists each node once, and
    // `in_u` is only read by dense nodes. Then U is the pathway itself.
    let lone = batch.len() == 1 && plan.dense_nodes.is_empty();
    // The storage order: U and the co-firing edges are lists of places in it.
    let (np, ep) = match &plan.layout {
        Some(l) => (Some(&*l.nodes), Some(&*l.edges)),
        None => (None, None),
    };
    let batch_len = batch.len();
    // Sum over the batch of `1 - p_label`, when some rule is error-driven.
    let mut error_sum = 0.0;
    // Where a lone sample's pathway is: kept (`Some`), or fired (`None`: in `pathway`,
    // or `places` when the tables are not in id order).
    let mut lone_path: Option<Option<&[u32]>> = None;
    let mut u_len = 0;
    // Whether some sample went into `u_bits` instead of `in_u` and `u_list`.
    let mut any_bits = false;
    // A lone sample's kept co-firing edges (its own label's), for either eta update.
    let mut lone_edges: Option<&[EdgeId]> = None;
    // 1. U: firing nodes of every sample, and the label classes.
    for (input, label, kept) in batch {
        if rules.by_error {
            error_sum += sample_error(model, error, state, input, label);
        }
        // The pathway as places.
        let path: &[u32] = match kept {
            Some(k) => k.nodes,
            None => {
                model.graph.fire_levels(input, counts, pathway, false);
                match np {
                    None => pathway,
                    Some(p) => {
                        places.clear();
                        places.extend(pathway.iter().map(|&n| p.slot[n as usize]));
                        places
                    }
                }
            }
        };
        if lone && (kept.is_some() || is_plain_input(input, model.n_inputs())) {
            lone_path = Some(kept.map(|k| k.nodes));
            lone_edges = kept.map(|k| k.own_edges);
        } else {
            // A kept pathway is one list per sample: the same address and length, the
            // same set (two lists share an address only when the first is empty).
            let again = kept.is_some_and(|k| {
                let at = (k.nodes.as_ptr() as usize, k.nodes.len());
                let again = in_union.contains(&at);
                if !again {
                    in_union.push(at);
                }
                again
            });
            match kept.and_then(|k| k.bits) {
                _ if again => {}
                Some(bits) => {
                    if u_bits.len() != bits.len() {
                        *u_bits = vec![0; bits.len()];
                    }
                    u_bits.iter_mut().zip(bits).for_each(|(u, b)| *u |= b);
                    any_bits = true;
                }
                None => u_len = add_to_union(path.iter().copied(), in_u, u_list, u_len),
            }
        }
        if let Some(l) = label_in_u.get_mut(label as usize) {
            *l = true;
        }
        if eta_update == EtaUpdate::Sample {
            mark_own_edges(model, ep, kept, pathway, label, cofire, cofire_list);
        }
    }
    let mut marked = lone_path.is_none();
    if any_bits {
        if u_len == 0 && plan.dense_nodes.is_empty() {
            // U is the bitset alone, and only dense nodes read `in_u`: listed as is,
            // in increasing place order.
            u_len = u_list
                .iter_mut()
                .zip(places_of(u_bits))
                .map(|(slot, p)| *slot = p)
                .count();
            marked = false;
        } else {
            u_len = add_to_union(places_of(u_bits), in_u, u_list, u_len);
        }
        u_bits.fill(0);
    }
    let u_nodes: &[u32] = match lone_path {
        Some(Some(kept)) => kept,
        Some(None) if np.is_some() => places,
        Some(None) => pathway,
        None => &u_list[..u_len],
    };
    if eta_update == EtaUpdate::Union {
        match lone_edges {
            // One sample: the edges from its pathway into its label, kept.
            Some(edges) => {
                for &e in edges {
                    cofire[e as usize] = true;
                }
                cofire_list.extend_from_slice(edges);
            }
            None => mark_union_edges(model, plan, u_nodes, label_in_u, cofire, cofire_list),
        }
    }

    // The batch's mean error (SPEC 3), read from the state before the step; it scales
    // only the error-driven rules.
    let err = if rules.by_error && batch_len > 0 {
        error_sum / batch_len as f64
    } else {
        1.0
    };

    write_values(state, plan, rules, err, u_nodes, in_u, cofire, cofire_list);
    ws.clear_step(marked, u_len);
}

/// Stages 2 and 3 of a training step, once U (`u_nodes` and `in_u`, places) and the co-firing edges
/// are known: every `lambda` and `eta` grows or shrinks, at the batch's mean error `err`.
#[allow(clippy::too_many_arguments)]
#[inline]
fn write_values(
    state: &mut State,
    plan: &Plan,
    rules: &Rules,
    err: f64,
    u_nodes: &[u32],
    in_u: &[bool],
    cofire: &[bool],
    cofire_list: &[u32],
) {
    let (np, ep) = match &plan.layout {
        Some(l) => (Some(&*l.nodes), Some(&*l.edges)),
        None => (None, None),
    };
    state.install(plan);
    // 2. lambda. Lazy nodes of U grow (the others shrink by the clock's tick); dense
    //    nodes are all written, in id order (the order of their jitter draws).
    state.grow_lazy_lambdas(u_nodes, &plan.node_step, err);
    state.step_dense_lambdas(&plan.dense_nodes, rules.jitter, |n| {
        if in_u[slot_of(np, n as u32) as usize] {
            rules.grow[n].at_error(err)
        } else {
            rules.shrink[n].at_error(err)
        }
    });

    // 3. eta of every class edge, by co-firing, the same way.
    state.grow_lazy_etas(cofire_list, &plan.edge_step, err);
    state.step_dense_etas(&plan.dense_edges, rules.jitter, |e| {
        if cofire[slot_of(ep, e as u32) as usize] {
            rules.grow_eta[e].at_error(err)
        } else {
            rules.shrink_eta[e].at_error(err)
        }
    });
    state.tick();
}

/// `eta update sample`: marks the edges from a node of one sample's pathway into its own
/// label as co-firing (kept with the pathway, or looked up from the fired ids in
/// `pathway`).
#[inline]
fn mark_own_edges(
    model: &Model,
    ep: Option<&Perm>,
    kept: Option<Kept>,
    pathway: &[NodeId],
    label: ClassId,
    cofire: &mut [bool],
    cofire_list: &mut Vec<u32>,
) {
    match kept {
        Some(k) => {
            for &e in k.own_edges {
                if !cofire[e as usize] {
                    cofire[e as usize] = true;
                    cofire_list.push(e);
                }
            }
        }
        None => {
            let first = model.graph.first_with_edges;
            for &f in pathway.iter().filter(|&&f| f >= first) {
                for (e, to) in model.graph.out_edges_to(f) {
                    let place = slot_of(ep, e) as usize;
                    if to == label && !cofire[place] {
                        cofire[place] = true;
                        cofire_list.push(place as u32);
                    }
                }
            }
        }
    }
}

/// `eta update union`: marks the edges from a node of U (`u_nodes`, places) into a label
/// of the batch as co-firing. Places below the first with an edge are skipped without a
/// lookup (in most models only the last feature level has edges, and U is mostly lower
/// levels).
#[inline]
fn mark_union_edges(
    model: &Model,
    plan: &Plan,
    u_nodes: &[u32],
    label_in_u: &[bool],
    cofire: &mut [bool],
    cofire_list: &mut Vec<u32>,
) {
    let (np, ep) = match &plan.layout {
        Some(l) => (Some(&*l.nodes), Some(&*l.edges)),
        None => (None, None),
    };
    let first = plan
        .layout
        .as_ref()
        .map_or(model.graph.first_with_edges, |l| l.first_with_edges);
    for f in u_nodes
        .iter()
        .filter(|&&s| s >= first)
        .map(|&s| id_at(np, s))
    {
        for (e, to) in model.graph.out_edges_to(f) {
            if label_in_u[to as usize] {
                let place = slot_of(ep, e);
                cofire[place as usize] = true;
                cofire_list.push(place);
            }
        }
    }
}

/// Adds the places `path` to U (`in_u`, and `u_list` from `u_len` on); returns U's new
/// length. Branch-free: whether a node is new is data-dependent (samples of a batch
/// share much of their pathways), so every node is written at `u_len` and kept only when
/// it was not in U yet. A function of its own so that the slices are known not to
/// overlap (no reload of their bounds per node).
fn add_to_union(
    path: impl IntoIterator<Item = u32>,
    in_u: &mut [bool],
    u_list: &mut [u32],
    mut u_len: usize,
) -> usize {
    for n in path {
        let seen = std::mem::replace(&mut in_u[n as usize], true);
        u_list[u_len] = n;
        u_len += usize::from(!seen);
    }
    u_len
}

/// The places set in `bits` (bit `p % 64` of word `p / 64`), in increasing order.
fn places_of(bits: &[u64]) -> impl Iterator<Item = u32> + '_ {
    bits.iter().enumerate().flat_map(|(w, &word)| {
        let base = (w * 64) as u32;
        std::iter::successors((word != 0).then_some(word), |&rest| {
            let rest = rest & (rest - 1);
            (rest != 0).then_some(rest)
        })
        .map(move |rest| base + rest.trailing_zeros())
    })
}

/// `1 - p_label(input)` at the state before the step, as the sum of the other classes'
/// probabilities (exact for errors far below 1e-16, where `1 - p` would round to 0). A
/// sample that reaches no class has uniform `p`.
fn sample_error(
    model: &Model,
    error: &mut Option<ErrorScratch>,
    state: &State,
    input: &[NodeId],
    label: ClassId,
) -> f64 {
    let (ev, ln_z, p) =
        error.get_or_insert_with(|| (super::eval::Evaluator::new(model), Vec::new(), Vec::new()));
    ev.ln_logits_into(model, state, input, ln_z);
    super::numeric::softmax_from_ln(ln_z, p);
    p.iter()
        .enumerate()
        .filter(|&(j, _)| j != label as usize)
        .map(|(_, &q)| q)
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::testing::fig1;

    #[test]
    fn without_a_schedule_steps_take_every_default() {
        // SPEC 10: batch 1, `replace`, union, the file's rules: the same run as a one-phase
        // schedule that says so.
        let bare = fig1();
        let mut scheduled = fig1();
        scheduled.train = Some(crate::engine::testing::one_phase(
            &bare,
            50,
            1,
            Sampler::Replace,
            EtaUpdate::Union,
            0,
        ));
        let (a, b) = (Model::new(&bare), Model::new(&scheduled));
        let mut from_defaults = State::new(&bare, 0);
        let until = crate::engine::Until::Steps(50);
        let control = crate::engine::Control::default();
        let taken = crate::engine::train(
            &mut Trainer::new(&a),
            &mut from_defaults,
            until,
            &control,
            None,
        );
        assert_eq!(taken.taken, 50);
        let mut from_schedule = State::new(&scheduled, 0);
        Trainer::new(&b).run(&mut from_schedule);
        assert_eq!(from_defaults.ln_lambdas(), from_schedule.ln_lambdas());
        assert_eq!(from_defaults.ln_etas(), from_schedule.ln_etas());
        assert_eq!(from_defaults.step, 50);
        assert_ne!(
            from_defaults.ln_lambdas(),
            State::new(&bare, 0).ln_lambdas()
        );
    }

    #[test]
    fn without_data_no_step_is_drawn() {
        let mut ir = fig1();
        ir.data.samples.clear();
        assert!(untrainable(&ir).is_some());
        assert!(untrainable(&fig1()).is_none());
        let model = Model::new(&ir);
        let mut state = State::new(&ir, 0);
        assert_eq!(Trainer::new(&model).run_extra_steps(&mut state, 5), 0);
        assert_eq!(state, State::new(&ir, 0));
    }

    #[test]
    fn an_explicit_step_counts_and_names_its_rules() {
        // SPEC 7: one step on {c1a, {e4 e5 e6}->c2} leaves lambda[e3] at 0.9.
        let ir = fig1();
        let model = Model::new(&ir);
        let mut state = State::new(&ir, 0);
        let batch: [(&[NodeId], ClassId); 2] = [(&[0, 1], 0), (&[3, 4, 5], 1)];
        let source = explicit_step(&mut Trainer::new(&model), &mut state, &batch);
        assert_eq!(source, "the file");
        assert_eq!(state.step, 1);
        assert!((state.lambda(2) - 0.9).abs() < 1e-12);
        assert!((state.lambda(0) - 1.1).abs() < 1e-12);
    }

    #[test]
    fn explicit_steps_count_towards_the_phase() {
        // Two phases of 2 and 3 steps: two explicit steps finish `main`, the third is the
        // first of `tune` and takes its rules; `train` to the end then takes the two left.
        let mut ir = fig1();
        let mut train =
            crate::engine::testing::one_phase(&ir, 2, 1, Sampler::Replace, EtaUpdate::Union, 0);
        let mut tune = train.phases[0].clone();
        tune.name = "tune".into();
        tune.steps = 3;
        train.phases.push(tune);
        ir.train = Some(train);
        let model = Model::new(&ir);
        let mut trainer = Trainer::new(&model);
        let mut state = State::new(&ir, 0);
        let batch: [(&[NodeId], ClassId); 1] = [(&[0, 1], 0)];
        assert_eq!(
            explicit_step(&mut trainer, &mut state, &batch),
            "phase `main`"
        );
        assert_eq!((state.step, state.phase, state.step_in_phase), (1, 0, 1));
        assert_eq!(
            explicit_step(&mut trainer, &mut state, &batch),
            "phase `main`"
        );
        assert_eq!((state.step, state.phase, state.step_in_phase), (2, 1, 0));
        assert_eq!(
            explicit_step(&mut trainer, &mut state, &batch),
            "phase `tune`"
        );
        assert_eq!((state.step, state.phase, state.step_in_phase), (3, 1, 1));
        assert_eq!(trainer.run_steps(&mut state, u64::MAX), 2);
        assert_eq!((state.step, state.phase, state.step_in_phase), (5, 2, 0));
        // Past the schedule, only the step number grows.
        assert_eq!(
            explicit_step(&mut trainer, &mut state, &batch),
            "phase `tune`"
        );
        assert_eq!((state.step, state.phase, state.step_in_phase), (6, 2, 0));
    }

    #[test]
    fn plain_inputs_are_ascending_level1_ids() {
        assert!(is_plain_input(&[], 7));
        assert!(is_plain_input(&[0, 2, 6], 7));
        assert!(!is_plain_input(&[2, 2, 3], 7));
        assert!(!is_plain_input(&[3, 2], 7));
        assert!(!is_plain_input(&[2, 7], 7));
    }

    /// Trains `ir`'s schedule with the given pathway cache, storing the tables in their
    /// own order from `min_nodes` nodes on; returns the state.
    fn trained_with(
        ir: &Ir,
        min_nodes: usize,
        cache: impl Fn(&Model) -> Pathways<'static>,
    ) -> (State, usize) {
        let (state, kept, _) = trained_counting(ir, min_nodes, cache);
        (state, kept)
    }

    /// `trained_with`, also counting the steps recorded to be written later.
    fn trained_counting(
        ir: &Ir,
        min_nodes: usize,
        cache: impl Fn(&Model) -> Pathways<'static>,
    ) -> (State, usize, u64) {
        let model = Model::with_layout_min_nodes(ir, min_nodes);
        let mut state = State::new(ir, 5);
        let mut trainer = Trainer::new(&model);
        // Kept as samples are drawn, in the cache given, whatever the storage order.
        trainer.pathways = cache(&model);
        trainer.prepared = None;
        trainer.run(&mut state);
        (state, trainer.pathways.n_kept(), trainer.deferred.recorded)
    }

    /// A schedule of batch-1 phases whose steps are written later (plain `mul` rules,
    /// some of them `keep` or frozen, so that a step's records differ by entry), with a
    /// phase of dense (`sub`) shrinks and one of batch 3 between them, whose steps are
    /// taken at once.
    fn deferring_schedule(ir: &Ir, sampler: Sampler, eta_update: EtaUpdate) -> crate::ir::Train {
        use crate::engine::testing::{mul, one_phase, uniform_rules};
        use crate::ir::Update;
        let (n, e) = (ir.nodes.len(), ir.edges.len());
        let mut train = one_phase(ir, 130, 1, sampler, eta_update, 0);
        let plain = train.phases[0].clone();
        let mut mixed = plain.clone();
        mixed.rules = uniform_rules(n, e, mul(1.25), mul(0.85));
        mixed
            .rules
            .grow
            .edit(|all| all.iter_mut().step_by(7).for_each(|g| *g = Update::Keep));
        mixed
            .rules
            .shrink
            .edit(|all| all.iter_mut().step_by(5).for_each(|s| *s = mul(0.95)));
        mixed.frozen_levels[2] = true;
        mixed.steps = 170;
        let mut frozen_eta = plain.clone();
        frozen_eta.freeze_eta = true;
        frozen_eta.steps = 60;
        let mut dense = plain.clone();
        dense.rules = uniform_rules(n, e, mul(1.2), Update::Sub { amount: 0.01 });
        dense.steps = 40;
        let mut batched = plain.clone();
        batched.batch = 3;
        batched.steps = 30;
        train.phases = vec![
            plain,
            mixed,
            dense,
            frozen_eta,
            batched,
            train.phases[0].clone(),
        ];
        train
    }

    #[test]
    fn deferred_steps_change_no_value() {
        use crate::engine::graph::{FiringSets, Graph};
        use crate::engine::testing::generated;
        // Tables of several blocks (see `replay`), and a sample that fires nothing.
        let mut base = generated(14_000, 5, 4, 40, 0.05, 3);
        base.data.samples[2].input.clear();
        for (sampler, eta_update) in [
            (Sampler::Cycle, EtaUpdate::Union),
            (Sampler::Replace, EtaUpdate::Sample),
            (Sampler::Shuffle, EtaUpdate::Union),
        ] {
            let mut ir = base.clone();
            ir.train = Some(deferring_schedule(&ir, sampler, eta_update));
            let what = format!("{sampler:?}, {eta_update:?}");
            // The reference: nothing kept (but the empty pathway, which fits any budget),
            // so nearly every step is taken at once, in id order.
            let (at_once, _, few) =
                trained_counting(&ir, usize::MAX, |m| Pathways::with_budget(m, 0));
            // Kept as drawn, in id order and in the order by firing signature.
            for min_nodes in [usize::MAX, 0] {
                let (deferred, _, recorded) = trained_counting(&ir, min_nodes, Pathways::new);
                assert!(
                    recorded >= few + 400,
                    "{what}, {min_nodes}: {recorded} recorded"
                );
                assert_eq!(
                    deferred, at_once,
                    "{what}, {min_nodes}: deferred vs at once"
                );
            }
            // The firing sets compiling keeps, lent to the trainer.
            let graph = Graph::new(&ir);
            let mut sets = FiringSets::new();
            let mut counts = FireCounts::default();
            let mut fired = Vec::new();
            for sample in &ir.data.samples {
                graph.fire(&sample.input, &mut counts, &mut fired);
                sets.push(&fired);
            }
            let model = Model::with_tables(&ir, &graph, Some(&sets));
            let mut state = State::new(&ir, 5);
            let mut trainer = Trainer::new(&model);
            assert!(trainer.prepared.is_none(), "{what}: small, and id order");
            trainer.run(&mut state);
            assert!(trainer.deferred.recorded >= 400, "{what}: lent sets");
            assert_eq!(trainer.pathways.n_kept(), 0, "{what}: no copies");
            assert_eq!(state, at_once, "{what}: lent sets vs at once");
            // Stopped and resumed at any step (each call writes what it recorded).
            let mut parts = State::new(&ir, 5);
            let mut trainer = Trainer::new(&model);
            for k in [1, 2, 97, 128, 200, 1] {
                trainer.run_steps(&mut parts, k);
                assert!(trainer.deferred.is_empty(), "{what}: written on return");
            }
            trainer.run(&mut parts);
            assert_eq!(parts, at_once, "{what}: in parts vs at once");
        }
    }

    /// Trains `ir`'s schedule as `Trainer::new` does, storing the tables in their own
    /// order from `min_nodes` nodes on; returns the state and how many samples the
    /// model kept before the first step.
    fn trained(ir: &Ir, min_nodes: usize) -> (State, usize) {
        let model = Model::with_layout_min_nodes(ir, min_nodes);
        let mut state = State::new(ir, 5);
        let mut trainer = Trainer::new(&model);
        trainer.run(&mut state);
        let prepared = trainer.prepared.as_ref().map_or(0, |p| p.pathways.n_kept());
        (state, prepared)
    }

    #[test]
    fn kept_pathways_change_no_value() {
        use crate::engine::testing::{generated, mul, one_phase, uniform_rules};
        use crate::ir::Update;
        for (batch, eta_update, sampler) in [
            (1, EtaUpdate::Union, Sampler::Replace),
            (1, EtaUpdate::Sample, Sampler::Shuffle),
            (4, EtaUpdate::Union, Sampler::Replace),
            (3, EtaUpdate::Sample, Sampler::Cycle),
        ] {
            let mut ir = generated(1500, 5, 4, 40, 0.05, 3);
            // A sample that fires nothing: its kept list is empty, at the address where
            // the next sample's begins (which must still join U).
            ir.data.samples[1].input.clear();
            ir.train = Some(one_phase(&ir, 400, batch, sampler, eta_update, 0));
            // A second phase with dense (`sub`) shrinks: U is marked, not borrowed.
            if let Some(t) = ir.train.as_mut() {
                let mut dense = t.phases[0].clone();
                dense.rules = uniform_rules(
                    ir.nodes.len(),
                    ir.edges.len(),
                    mul(1.2),
                    Update::Sub { amount: 0.01 },
                );
                dense.steps = 50;
                t.phases.push(dense);
            }
            // The reference: nothing kept, tables in id order.
            let id_order = usize::MAX;
            let (fired, none_kept) = trained_with(&ir, id_order, |m| Pathways::with_budget(m, 0));
            assert!(fired.stored_in_id_order());
            let half = ir.nodes.len() * 2;
            // Id order, then the order by firing signature that large models take.
            for min_nodes in [id_order, 0] {
                let (kept, n_kept) = trained_with(&ir, min_nodes, Pathways::new);
                let (mixed, some_kept) =
                    trained_with(&ir, min_nodes, |m| Pathways::with_budget(m, half));
                let (unkept, _) = trained_with(&ir, min_nodes, |m| Pathways::with_budget(m, 0));
                let what = format!("batch {batch}, {eta_update:?}, {sampler:?}, {min_nodes}");
                assert_eq!(kept.stored_in_id_order(), min_nodes == id_order, "{what}");
                assert_eq!(n_kept, ir.data.samples.len(), "{what}: every sample kept");
                assert_eq!(none_kept, 1, "{what}: only the sample that fires nothing");
                assert!(some_kept > 0 && some_kept < n_kept, "{what}: {some_kept}");
                assert_eq!(kept, fired, "{what}: kept vs fired");
                assert_eq!(mixed, fired, "{what}: partly kept vs fired");
                assert_eq!(unkept, fired, "{what}: fired vs fired in id order");
                let (default, prepared) = trained(&ir, min_nodes);
                assert_eq!(default, fired, "{what}: as Trainer::new trains");
                // The model's own kept pathways are bitsets too: batches above one take
                // their union from them (the first phase alone, with no dense node;
                // merged with `in_u` in the second).
                let bits = Model::with_layout_min_nodes(&ir, min_nodes)
                    .prepared()
                    .is_some_and(|p| p.pathways.has_bits());
                assert_eq!(bits, min_nodes == 0, "{what}: bitsets");
                // Large models keep every sample before the first step.
                let all = if min_nodes == 0 { n_kept } else { 0 };
                assert_eq!(prepared, all, "{what}: kept by the model");
            }
        }
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
