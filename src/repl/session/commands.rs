//! The commands that act on a loaded model, one function each. Each gets the session's
//! model and its mutable run ([`Here`]) and returns its answer (text and JSON) or why it
//! failed; `Session::with_model` turns either into the session's outcome.

use std::sync::atomic::AtomicBool;

use serde_json::{json, Value as Json};

use super::{
    describe_batch, describe_interrupt, phase_note, plural, push_undo, schedule_over, HistoryEntry,
    Run, Undo,
};
use crate::repl::{help, show};
use nshed::analysis::{AnalysisError, PlaneOptions};
use nshed::diag::{ErrorCode, Problem};
use nshed::engine::{Control, Model, State, Trainer, Until};
use nshed::fsio::Outputs;
use nshed::ir::{ClassId, EdgeId, Ir, NodeId};
use nshed::persist::{self, SavedState};
use nshed::query::Input;
use nshed::syntax::ast::Span;

/// What a command works on: the loaded model and the session's run of it.
pub(super) struct Here<'a> {
    /// The input line, for labels and the history.
    pub line: &'a str,
    pub ir: &'a Ir,
    pub model: &'a Model<'a>,
    /// SHA-256 of the model's source, tying saved states to it.
    pub hash: &'a str,
    /// The files an output must not overwrite (the model's own).
    pub model_file: &'a Outputs,
    pub run: &'a mut Run,
}

/// Why a command gave no answer.
pub(super) enum Failed {
    /// Problems with the input line (labelled on it).
    Problems(Vec<Problem>),
    /// The session's answer is the one to the same line evaluated again (an `undo` of a
    /// `:load`, which needs no model).
    Again,
}

impl From<Problem> for Failed {
    fn from(problem: Problem) -> Failed {
        Failed::Problems(vec![problem])
    }
}

/// A command's answer: its text, and its JSON for `--json` sessions.
pub(super) type Answered = Result<(String, Json), Failed>;

impl Here<'_> {
    /// The whole input line, as a span to label.
    fn whole(&self) -> Span {
        Span::new(0, self.line.trim_end().len())
    }

    /// Records that the command took the state from `from` to where it is now.
    fn record(&mut self, from: u64, note: &str) {
        self.run.history.push(HistoryEntry {
            command: self.line.trim().to_string(),
            from_step: from,
            to_step: self.run.state.step,
            note: note.to_string(),
        });
    }
}

/// `train [N]`: N more steps, or the rest of the schedule; Ctrl-C stops it.
pub(super) fn train(
    here: &mut Here,
    steps: Option<u64>,
    json_mode: bool,
    interrupt: &AtomicBool,
) -> Answered {
    let ir = here.ir;
    let before = here.run.state.clone();
    let from = here.run.state.step;
    let beyond = schedule_over(ir, &here.run.state);
    if let Some(why) = nshed::engine::untrainable(ir) {
        return Err(Problem::error(ErrorCode::ReplNoData, why)
            .label(here.whole(), "nothing to draw batches from")
            .help(help::Names::of(Some(ir)).fill(
                "add a `data` block, or train on explicit batches with `step {$inputs}->$class`",
            ))
            .into());
    }
    let wanted = match (steps, ir.train.is_some()) {
        (Some(n), _) => n,
        (None, true) => nshed::engine::remaining_steps(ir, &here.run.state),
        (None, false) => {
            return Err(Problem::error(
                ErrorCode::ReplNoSchedule,
                "this model has no training schedule to finish",
            )
            .label(here.whole(), "how many steps?")
            .help("say how many steps to take, e.g. `train 100` (every default: batch 1, sampler replace, the file's rules)")
            .into())
        }
    };
    let bar = crate::term::Bar::new("steps", !json_mode && wanted >= 20_000);
    let control = Control {
        stop_after: None,
        stop: Some(interrupt),
        progress: Some(&bar),
    };
    let trained = nshed::engine::train(
        &mut Trainer::new(here.model),
        &mut here.run.state,
        Until::Steps(wanted),
        &control,
        None,
    );
    let (taken, interrupted) = (trained.taken, trained.interrupted);
    let note = format!(
        "{}{}",
        phase_note(ir, &here.run.state, beyond),
        describe_interrupt(interrupted)
    );
    push_undo(here.run, here.line, before);
    here.record(from, &note);
    let step = here.run.state.step;
    Ok((
        format!(
            "trained {taken} step{} (step {from} → {step}){note}",
            plural(taken)
        ),
        json!({ "command": "train", "steps": taken, "step": step, "interrupted": interrupted }),
    ))
}

/// `step [BATCH]`: one step, drawn by the schedule or on the batch given.
pub(super) fn step(here: &mut Here, batch: Option<Vec<Input>>) -> Answered {
    let ir = here.ir;
    let before = here.run.state.clone();
    let from = here.run.state.step;
    let mut trainer = Trainer::new(here.model);
    let (note, ok) = match &batch {
        None if nshed::engine::untrainable(ir).is_some() => (String::new(), false),
        None => {
            // The schedule's next step, or one past its end.
            let done = nshed::engine::train(
                &mut trainer,
                &mut here.run.state,
                Until::Steps(1),
                &Control::default(),
                None,
            )
            .taken;
            (phase_note(ir, &here.run.state, false), done == 1)
        }
        Some(inputs) => {
            let pairs: Vec<(&[NodeId], ClassId)> = inputs
                .iter()
                .filter_map(|i| i.label.map(|c| (i.input.as_slice(), c)))
                .collect();
            let source = nshed::engine::explicit_step(&mut trainer, &mut here.run.state, &pairs);
            // It counts towards the phase as a drawn step does: say where that leaves it.
            let position = if ir.train.is_some() {
                phase_note(ir, &here.run.state, false)
            } else {
                String::new()
            };
            (format!(" with the rules of {source}{position}"), true)
        }
    };
    if !ok {
        let help = help::Names::of(Some(ir))
            .fill("add a `data` block, or give the batch: `step {$inputs}->$class`");
        return Err(Problem::error(
            ErrorCode::ReplNoData,
            "the model has no data to draw a batch from",
        )
        .label(here.whole(), "no batch to draw")
        .help(help)
        .into());
    }
    push_undo(here.run, here.line, before);
    here.record(from, &note);
    let step = here.run.state.step;
    let batch_text = batch.as_ref().map(|b| describe_batch(ir, b));
    Ok((
        match &batch_text {
            Some(b) => format!("step {step} on {b}{note}"),
            None => format!("step {step}{note}"),
        },
        json!({ "command": "step", "step": step, "batch": batch_text }),
    ))
}

/// `set lambda NODE = V`.
pub(super) fn set_lambda(here: &mut Here, node: NodeId, value: f64) -> Answered {
    let before = here.run.state.clone();
    here.run.state.set_ln_lambda(node as usize, value.ln());
    push_undo(here.run, here.line, before);
    let name = &here.ir.nodes[node as usize].name;
    Ok((
        format!("lambda {name} = {}", nshed::render::fmt_num(value)),
        json!({ "command": "set", "lambda": name, "value": value }),
    ))
}

/// `set eta F->C = V`.
pub(super) fn set_eta(here: &mut Here, edge: EdgeId, value: f64) -> Answered {
    let before = here.run.state.clone();
    here.run.state.set_ln_eta(edge as usize, value.ln());
    push_undo(here.run, here.line, before);
    let name = nshed::report::edge_name(here.ir, edge as usize);
    Ok((
        format!("eta {name} = {}", nshed::render::fmt_num(value)),
        json!({ "command": "set", "eta": name, "value": value }),
    ))
}

/// `set seed N`: the random stream restarts; values stay.
pub(super) fn set_seed(here: &mut Here, seed: u64) -> Answered {
    push_undo(here.run, here.line, here.run.state.clone());
    here.run.state.reseed(seed);
    here.run.seed = seed;
    Ok((
        format!("seed {seed}: the random stream restarts from it (lambda and eta are kept)"),
        json!({ "command": "set", "seed": seed }),
    ))
}

/// `reset`: back to the initial state of the session's seed.
pub(super) fn reset(here: &mut Here) -> Answered {
    let run = &mut *here.run;
    let before = run.state.clone();
    let before_step = before.step;
    run.state = State::new(here.ir, run.seed);
    push_undo(run, here.line, before);
    run.history.clear();
    Ok((
        format!(
            "reset to the initial state (seed {}); the history is cleared, `undo` brings back step {}",
            run.seed, before_step
        ),
        json!({ "command": "reset", "seed": run.seed }),
    ))
}

/// `undo`: the state (with its seed and history) before the last command that changed it.
pub(super) fn undo(here: &mut Here) -> Answered {
    let run = &mut *here.run;
    match run.undo.pop() {
        Some(Undo::State {
            command: what,
            state,
            seed,
            history,
        }) => {
            run.state = *state;
            run.seed = seed;
            run.history = history;
            Ok((
                format!("undid `{what}` (now at step {})", run.state.step),
                json!({ "command": "undo", "undid": what, "step": run.state.step }),
            ))
        }
        // Sessions replaced by `:load` are undone before a model is needed.
        Some(session @ Undo::Session { .. }) => {
            run.undo.push(session);
            Err(Failed::Again)
        }
        None => Ok((
            format!("nothing to undo (at step {})", run.state.step),
            json!({ "command": "undo", "undid": null }),
        )),
    }
}

/// `history`: the commands that trained, with their steps.
pub(super) fn history(here: &Here) -> Answered {
    let run = &*here.run;
    let mut t = nshed::render::Table::new(&["command", "steps", "note"]);
    let mut rows = Vec::new();
    for h in &run.history {
        t.row(vec![
            h.command.clone(),
            format!("{}–{}", h.from_step, h.to_step),
            h.note.trim_start_matches("; ").trim().to_string(),
        ]);
        rows.push(json!({ "command": h.command, "from_step": h.from_step, "to_step": h.to_step }));
    }
    let text = if run.history.is_empty() {
        format!("no training in this session yet (step {})", run.state.step)
    } else {
        format!("{t}now at step {}", run.state.step)
    };
    Ok((
        text,
        json!({ "command": "history", "history": rows, "step": run.state.step }),
    ))
}

/// `:save PATH`: the state, tied to the model's source.
pub(super) fn save(here: &Here, path: &str) -> Answered {
    here.model_file.check(path).map_err(|e| e.problem())?;
    let run = &*here.run;
    let saved = SavedState {
        nshed_state: persist::FORMAT,
        model: here.ir.model.clone(),
        source_sha256: here.hash.to_string(),
        seed: run.seed,
        state: run.state.clone(),
    };
    persist::save(path, &saved)?;
    Ok((
        format!("saved the state at step {} to {path}", run.state.step),
        json!({ "command": "save", "path": path, "step": run.state.step }),
    ))
}

/// `:restore PATH`: a saved state of this model (`undo` goes back).
pub(super) fn restore(here: &mut Here, path: &str) -> Answered {
    let saved = persist::load(path, here.ir, here.hash)?;
    let line = here.line;
    let run = &mut *here.run;
    push_undo(run, line, run.state.clone());
    let was = run.state.step;
    run.state = saved.state;
    run.seed = saved.seed;
    // How the saved state was reached is not saved: the history starts at it, with the
    // steps it holds.
    run.history = vec![HistoryEntry {
        command: line.trim().to_string(),
        from_step: 0,
        to_step: run.state.step,
        note: format!("restored from {path}; taken before it was saved"),
    }];
    Ok((
        format!(
            "restored the state at step {} from {path} (seed {}); the session was at step {was}, `undo` goes back to it; the history starts at the restored state",
            run.state.step, run.seed
        ),
        json!({ "command": "restore", "path": path, "step": run.state.step, "previous_step": was }),
    ))
}

/// `info-plane ...`: the information plane of every level at the current state.
pub(super) fn info_plane(here: &Here, options: PlaneOptions) -> Answered {
    let step = here.run.state.step;
    match nshed::analysis::information_plane(here.model, &here.run.state, options) {
        Ok(levels) => Ok((
            show::info_plane(&levels, options, step),
            json!({ "command": "info-plane", "step": step,
                    "representation": options.representation.name(),
                    "levels": levels }),
        )),
        Err(AnalysisError::NoData) => Err(Problem::error(
            ErrorCode::ReplNoData,
            AnalysisError::NoData.to_string(),
        )
        .label(here.whole(), "needs data")
        .help("add a `data` block with labelled samples to the model and `:reload`")
        .into()),
        Err(e) => Err(Problem::error(
            ErrorCode::ReplAnalysis,
            format!("the information analysis failed: {e}"),
        )
        .help("the data samples' weights must be finite and >= 0")
        .into()),
    }
}

/// `draw [X] PATH`: the model at the current state, as SVG or Graphviz DOT.
pub(super) fn draw(here: &Here, input: Option<(Input, String)>, path: &str) -> Answered {
    here.model_file.check(path).map_err(|e| e.problem())?;
    let step = here.run.state.step;
    let drawing = nshed::analysis::ModelDrawing::of(
        here.model,
        &here.run.state,
        input
            .as_ref()
            .map(|(i, written)| (i.input.as_slice(), written.clone())),
    )
    .with_label(input.as_ref().and_then(|(i, _)| i.label));
    let dot = path.ends_with(".dot") || path.ends_with(".gv");
    let what = match &input {
        Some((_, written)) => format!(", pathway of {written}"),
        None => String::new(),
    };
    let body = if dot {
        nshed::render::figure::model_graph_dot(&drawing)
    } else {
        nshed::render::figure::model_graph_svg(
            &drawing,
            &nshed::render::figure::FigureOptions::titled(drawing.title()),
        )
    };
    nshed::fsio::write_atomic(std::path::Path::new(path), body.as_bytes()).map_err(|e| {
        Problem::error(
            ErrorCode::ReplIo,
            format!("cannot write `{path}`: {}", nshed::source::io_reason(&e)),
        )
        .help("check that the directory exists and is writable")
    })?;
    Ok((
        format!(
            "drew the model at step {step}{what} to {path} ({})",
            if dot { "Graphviz DOT" } else { "SVG" }
        ),
        json!({ "command": "draw", "path": path, "step": step, "format": if dot { "dot" } else { "svg" } }),
    ))
}
