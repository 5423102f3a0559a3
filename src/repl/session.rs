//! The REPL's session: a loaded model, its state, undo and history. Driven by strings
//! (`Session::eval`), so transcripts test exactly what the terminal runs.

use std::sync::atomic::AtomicBool;

use serde_json::{json, Value as Json};

use super::command::{self, Command};
use super::frontend::{Evaluator, Outcome};
use super::{help, show};
use crate::diag::{Problem, RenderStyle, Report};
use crate::engine::{run_seed, Model, State, Trainer};
use crate::ir::{ClassId, NodeId};
use crate::persist::{self, SavedState};
use crate::query::{answer, Input};
use crate::Compiled;

/// How many earlier states `undo` can go back to.
const UNDO_DEPTH: usize = 64;

/// One command that trained.
#[derive(Clone, Debug, PartialEq)]
struct HistoryEntry {
    command: String,
    from_step: u64,
    to_step: u64,
    note: String,
}

struct Loaded {
    /// The path it was loaded from.
    path: Option<String>,
    compiled: Compiled,
    /// SHA-256 of the source, tying saved states to it.
    hash: String,
    run: Run,
}

/// What `undo` brings back.
struct Undo {
    command: String,
    state: State,
    seed: u64,
    history: Vec<HistoryEntry>,
}

/// What commands change: kept apart from the model so both can be borrowed at once.
struct Run {
    seed: u64,
    state: State,
    undo: Vec<Undo>,
    history: Vec<HistoryEntry>,
}

/// A REPL session.
pub struct Session {
    loaded: Option<Loaded>,
    json: bool,
    style: RenderStyle,
    limits: crate::Limits,
}

fn describe_interrupt(interrupted: bool) -> &'static str {
    if interrupted {
        " (interrupted by Ctrl-C; the steps taken are kept)"
    } else {
        ""
    }
}

impl Session {
    /// A session with no model; `json` makes every answer one JSON object.
    pub fn new(json: bool, style: RenderStyle) -> Session {
        Session {
            loaded: None,
            json,
            style,
            limits: crate::Limits::default(),
        }
    }

    /// The same session, refusing models beyond `limits`.
    pub fn with_limits(mut self, limits: crate::Limits) -> Session {
        self.limits = limits;
        self
    }

    /// Loads a model from a file; the problems are returned rendered on failure.
    pub fn load_path(&mut self, path: &str) -> Outcome {
        match crate::compile_path_with(path, &self.limits) {
            Ok(compiled) => {
                let warnings = if compiled.warnings.problems.is_empty() {
                    String::new()
                } else {
                    compiled.warnings.render(self.style)
                };
                let mut out = self.install(Some(path.to_string()), compiled);
                out.diagnostics = warnings + &out.diagnostics;
                out
            }
            Err(report) => {
                let mut out = self.report_outcome(&report);
                if self.loaded.is_some() {
                    out.diagnostics
                        .push_str("the previous model stays loaded\n");
                }
                out
            }
        }
    }

    fn install(&mut self, path: Option<String>, compiled: Compiled) -> Outcome {
        let seed = run_seed(&compiled.ir, None);
        let state = State::new(&compiled.ir, seed);
        let hash = persist::source_hash(&compiled.source.text);
        let ir = &compiled.ir;
        let text = format!(
            "loaded model `{}` from {}: {} levels, {} nodes, {} classes, {} samples; seed {}",
            ir.model,
            compiled.source.name,
            ir.n_levels(),
            ir.nodes.len() + ir.classes.len(),
            ir.classes.len(),
            ir.data.samples.len(),
            seed
        );
        let json = json!({ "command": "load", "model": ir.model, "source": compiled.source.name, "seed": seed });
        self.loaded = Some(Loaded {
            path,
            compiled,
            hash,
            run: Run {
                seed,
                state,
                undo: Vec::new(),
                history: Vec::new(),
            },
        });
        self.answer(text, json)
    }

    fn answer(&self, text: String, json: Json) -> Outcome {
        Outcome {
            output: if self.json { json.to_string() } else { text },
            ..Outcome::default()
        }
    }

    fn report_outcome(&self, report: &Report) -> Outcome {
        if self.json {
            let errors: Vec<Json> = report
                .problems
                .iter()
                .map(|p| {
                    json!({
                        "code": p.code,
                        "severity": if p.is_error() { "error" } else { "warning" },
                        "message": p.message,
                        "labels": p.labels.iter().map(|l| json!({ "offset": l.offset(), "len": l.len(), "label": l.label() })).collect::<Vec<_>>(),
                        "help": p.help,
                    })
                })
                .collect();
            Outcome {
                output:
                    json!({ "error": true, "source": report.source.name(), "problems": errors })
                        .to_string(),
                is_error: true,
                ..Outcome::default()
            }
        } else {
            Outcome {
                diagnostics: report.render(self.style),
                is_error: true,
                ..Outcome::default()
            }
        }
    }

    fn problems(&self, line: &str, problems: Vec<Problem>) -> Outcome {
        self.report_outcome(&Report::new("input", line, problems))
    }

    fn plain_error(&self, line: &str, problem: Problem) -> Outcome {
        self.problems(line, vec![problem])
    }

    /// Evaluates one input.
    pub fn eval_line(&mut self, line: &str, interrupt: &AtomicBool) -> Outcome {
        let ir = self.loaded.as_ref().map(|l| &l.compiled.ir);
        let command = match command::parse(ir, line) {
            Ok(c) => c,
            Err(problems) => return self.problems(line, problems),
        };
        match command {
            Command::Help(topic) => {
                let text = match topic.as_deref().and_then(help::lookup) {
                    Some(c) => help::details(c),
                    None => help::overview(),
                };
                self.answer(text.clone(), json!({ "command": "help", "text": text }))
            }
            Command::Quit => Outcome {
                quit: true,
                output: if self.json {
                    json!({ "command": "quit" }).to_string()
                } else {
                    String::new()
                },
                ..Outcome::default()
            },
            Command::Load(path) => self.load_path(&path),
            Command::Reload => match self.loaded.as_ref().and_then(|l| l.path.clone()) {
                Some(path) => self.load_path(&path),
                None => self.plain_error(
                    line,
                    no_model(line, "nothing to reload", "no file is loaded"),
                ),
            },
            other => match self.loaded.as_mut() {
                Some(_) => self.with_model(line, other, interrupt),
                None => {
                    self.plain_error(line, no_model(line, "no model is loaded", "needs a model"))
                }
            },
        }
    }

    fn with_model(&mut self, line: &str, command: Command, interrupt: &AtomicBool) -> Outcome {
        let json_mode = self.json;
        let Some(loaded) = self.loaded.as_mut() else {
            return Outcome::default();
        };
        let ir = &loaded.compiled.ir;
        let hash = loaded.hash.as_str();
        let run = &mut loaded.run;
        let model = Model::new(ir);
        let (text, json): (String, Json) = match command {
            Command::Query(q) => {
                let a = answer(&model, &run.state, &q);
                (
                    a.to_string(),
                    serde_json::to_value(&a).unwrap_or(Json::Null),
                )
            }
            Command::Show(what) => show::show(ir, &loaded.compiled.source.text, &run.state, &what),
            Command::Train(n) => {
                let before = run.state.clone();
                let from = run.state.step;
                let mut trainer = Trainer::new(&model);
                let wanted = n.unwrap_or_else(|| crate::engine::remaining_steps(ir, &run.state));
                let beyond = schedule_over(ir, &run.state);
                if let Some(why) = crate::engine::untrainable(ir) {
                    return self.problems(
                        line,
                        vec![Problem::error("nshed::repl::no_data", why)
                            .label(crate::syntax::ast::Span::new(0, line.trim_end().len()), "nothing to draw batches from")
                            .help("add a `data` block, or train on explicit batches with `step {e1 e2}->c1`")],
                    );
                }
                let bar = crate::term::Bar::new("steps", !json_mode && wanted >= 20_000);
                let control = crate::engine::Control {
                    stop_after: None,
                    stop: Some(interrupt),
                    progress: Some(&bar),
                };
                let trained = crate::engine::train(
                    &mut trainer,
                    &mut run.state,
                    crate::engine::Until::Steps(wanted),
                    &control,
                    &mut |_| {},
                );
                let (taken, interrupted) = (trained.taken, trained.interrupted);
                let note = format!(
                    "{}{}",
                    phase_note(ir, &run.state, beyond),
                    describe_interrupt(interrupted)
                );
                push_undo(run, line, before);
                run.history.push(HistoryEntry {
                    command: line.trim().to_string(),
                    from_step: from,
                    to_step: run.state.step,
                    note: note.clone(),
                });
                (
                    format!(
                        "trained {taken} step{} (step {} → {}){note}",
                        plural(taken),
                        from,
                        run.state.step
                    ),
                    json!({ "command": "train", "steps": taken, "step": run.state.step, "interrupted": interrupted }),
                )
            }
            Command::Step(batch) => {
                let before = run.state.clone();
                let from = run.state.step;
                let mut trainer = Trainer::new(&model);
                let (note, ok) = match &batch {
                    None => {
                        if crate::engine::untrainable(ir).is_some() {
                            (String::new(), false)
                        } else {
                            let done = if ir.train.is_none() || schedule_over(ir, &run.state) {
                                trainer.run_extra_steps(&mut run.state, 1, &mut |_| {})
                            } else {
                                trainer.run_steps(&mut run.state, 1, &mut |_| {})
                            };
                            (phase_note(ir, &run.state, false), done == 1)
                        }
                    }
                    Some(inputs) => {
                        let pairs: Vec<(&[NodeId], ClassId)> = inputs
                            .iter()
                            .filter_map(|i| i.label.map(|c| (i.input.as_slice(), c)))
                            .collect();
                        let source =
                            crate::engine::explicit_step(&mut trainer, &mut run.state, &pairs);
                        (format!(" with the rules of {source}"), true)
                    }
                };
                if !ok {
                    return self.problems(
                        line,
                        vec![Problem::error(
                            "nshed::repl::no_data",
                            "the model has no data to draw a batch from",
                        )
                        .label(
                            crate::syntax::ast::Span::new(0, line.trim_end().len()),
                            "no batch to draw",
                        )
                        .help("give the batch: `step {e1 e2}->c1, c2`")],
                    );
                }
                push_undo(run, line, before);
                run.history.push(HistoryEntry {
                    command: line.trim().to_string(),
                    from_step: from,
                    to_step: run.state.step,
                    note: note.clone(),
                });
                let batch_text = batch.as_ref().map(|b| describe_batch(ir, b));
                (
                    match &batch_text {
                        Some(b) => format!("step {} on {b}{note}", run.state.step),
                        None => format!("step {}{note}", run.state.step),
                    },
                    json!({ "command": "step", "step": run.state.step, "batch": batch_text }),
                )
            }
            Command::SetLambda { node, value } => {
                let before = run.state.clone();
                run.state.set_ln_lambda(node as usize, value.ln());
                push_undo(run, line, before);
                let name = &ir.nodes[node as usize].name;
                (
                    format!("lambda {name} = {}", crate::render::fmt_num(value)),
                    json!({ "command": "set", "lambda": name, "value": value }),
                )
            }
            Command::SetEta { edge, value } => {
                let before = run.state.clone();
                run.state.set_ln_eta(edge as usize, value.ln());
                push_undo(run, line, before);
                let name = crate::report::edge_name(ir, edge as usize);
                (
                    format!("eta {name} = {}", crate::render::fmt_num(value)),
                    json!({ "command": "set", "eta": name, "value": value }),
                )
            }
            Command::SetSeed(seed) => {
                push_undo(run, line, run.state.clone());
                run.state.reseed(seed);
                run.seed = seed;
                (
                    format!(
                        "seed {seed}: the random stream restarts from it (lambda and eta are kept)"
                    ),
                    json!({ "command": "set", "seed": seed }),
                )
            }
            Command::Reset => {
                let before = run.state.clone();
                run.state = State::new(ir, run.seed);
                push_undo(run, line, before);
                run.history.clear();
                (
                    format!("reset to the initial state (seed {})", run.seed),
                    json!({ "command": "reset", "seed": run.seed }),
                )
            }
            Command::Undo => match run.undo.pop() {
                Some(Undo {
                    command: what,
                    state,
                    seed,
                    history,
                }) => {
                    run.state = state;
                    run.seed = seed;
                    run.history = history;
                    (
                        format!("undid `{what}` (now at step {})", run.state.step),
                        json!({ "command": "undo", "undid": what, "step": run.state.step }),
                    )
                }
                None => (
                    "nothing to undo".to_string(),
                    json!({ "command": "undo", "undid": null }),
                ),
            },
            Command::History => {
                let mut t = crate::render::Table::new(&["command", "steps", "note"]);
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
                (
                    text,
                    json!({ "command": "history", "history": rows, "step": run.state.step }),
                )
            }
            Command::Save(path) => {
                let saved = SavedState {
                    nshed_state: persist::FORMAT,
                    model: ir.model.clone(),
                    source_sha256: hash.to_string(),
                    seed: run.seed,
                    state: run.state.clone(),
                };
                match persist::save(&path, &saved) {
                    Ok(()) => (
                        format!("saved the state at step {} to {path}", run.state.step),
                        json!({ "command": "save", "path": path, "step": run.state.step }),
                    ),
                    Err(p) => return self.plain_error(line, p),
                }
            }
            Command::Restore(path) => match persist::load(&path, ir, hash) {
                Ok(saved) => {
                    push_undo(run, line, run.state.clone());
                    let from_step = run.state.step;
                    run.state = saved.state;
                    run.seed = saved.seed;
                    // How the saved state was reached is not saved: the history starts here.
                    run.history = vec![HistoryEntry {
                        command: line.trim().to_string(),
                        from_step,
                        to_step: run.state.step,
                        note: format!("state restored from {path}"),
                    }];
                    (
                        format!("restored the state at step {} from {path}", run.state.step),
                        json!({ "command": "restore", "path": path, "step": run.state.step }),
                    )
                }
                Err(p) => return self.plain_error(line, p),
            },
            Command::InfoPlane(options) => {
                match crate::analysis::information_plane(&model, &run.state, options) {
                    Ok(levels) => (
                        show::info_plane(&levels, options, run.state.step),
                        json!({ "command": "info-plane", "step": run.state.step,
                                "representation": options.representation.name(),
                                "levels": levels }),
                    ),
                    Err(e) => {
                        return self.plain_error(
                            line,
                            Problem::error(
                                "nshed::repl::analysis",
                                format!("the information analysis failed: {e}"),
                            )
                            .help("the data samples' weights must be finite and >= 0"),
                        )
                    }
                }
            }
            Command::Draw { input, path } => {
                let drawing = crate::analysis::ModelDrawing::of(
                    &model,
                    &run.state,
                    input
                        .as_ref()
                        .map(|(i, written)| (i.input.as_slice(), written.clone())),
                );
                let dot = path.ends_with(".dot") || path.ends_with(".gv");
                let what = match &input {
                    Some((_, written)) => format!(", pathway of {written}"),
                    None => String::new(),
                };
                let body = if dot {
                    crate::render::figure::model_graph_dot(&drawing)
                } else {
                    crate::render::figure::model_graph_svg(
                        &drawing,
                        &crate::render::figure::FigureOptions::titled(drawing.title()),
                    )
                };
                if let Err(e) =
                    crate::fsio::write_atomic(std::path::Path::new(&path), body.as_bytes())
                {
                    return self.plain_error(
                        line,
                        Problem::error(
                            "nshed::repl::io",
                            format!("cannot write `{path}`: {}", crate::source::io_reason(&e)),
                        )
                        .help("check that the directory exists and is writable"),
                    );
                }
                (
                    format!(
                        "drew the model at step {}{what} to {path} ({})",
                        run.state.step,
                        if dot { "Graphviz DOT" } else { "SVG" }
                    ),
                    json!({ "command": "draw", "path": path, "step": run.state.step, "format": if dot { "dot" } else { "svg" } }),
                )
            }
            // Handled before a model is needed.
            Command::Help(_) | Command::Quit | Command::Load(_) | Command::Reload => {
                (String::new(), Json::Null)
            }
        };
        self.answer(text, json)
    }
}

/// A command that needs a model, given when none is loaded.
fn no_model(line: &str, message: &str, label: &str) -> Problem {
    Problem::error("nshed::repl::no_model", message.to_string())
        .label(
            crate::syntax::ast::Span::new(0, line.trim_end().len()),
            label.to_string(),
        )
        .help("load one with `:load FILE`, e.g. `:load examples/fig1.nshed`")
}

fn plural(n: u64) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

/// Remembers the state before `line` changed it. Call before changing the seed or the
/// history, so that `undo` brings back all three.
fn push_undo(run: &mut Run, line: &str, before: State) {
    if run.undo.len() == UNDO_DEPTH {
        run.undo.remove(0);
    }
    run.undo.push(Undo {
        command: line.trim().to_string(),
        state: before,
        seed: run.seed,
        history: run.history.clone(),
    });
}

fn schedule_over(ir: &crate::ir::Ir, state: &State) -> bool {
    ir.train
        .as_ref()
        .is_some_and(|t| state.phase >= t.phases.len())
}

fn phase_note(ir: &crate::ir::Ir, state: &State, was_beyond: bool) -> String {
    let Some(t) = ir.train.as_ref().filter(|t| !t.phases.is_empty()) else {
        return String::new();
    };
    if state.phase >= t.phases.len() {
        let last = &t.phases[t.phases.len() - 1].name;
        if was_beyond {
            format!("; past the schedule, with phase `{last}`'s rules")
        } else {
            format!("; the schedule is complete (further steps use phase `{last}`'s rules)")
        }
    } else {
        let p = &t.phases[state.phase];
        format!(
            "; in phase `{}` ({}/{})",
            p.name, state.step_in_phase, p.steps
        )
    }
}

fn describe_batch(ir: &crate::ir::Ir, batch: &[Input]) -> String {
    let items: Vec<String> = batch
        .iter()
        .map(|i| match &i.sample {
            Some(s) => s.clone(),
            None => {
                let nodes: Vec<&str> = i
                    .input
                    .iter()
                    .map(|&n| ir.nodes[n as usize].name.as_str())
                    .collect();
                let label = i
                    .label
                    .map(|c| ir.classes[c as usize].name.as_str())
                    .unwrap_or("?");
                format!("{{{}}}->{label}", nodes.join(" "))
            }
        })
        .collect();
    items.join(", ")
}

impl Evaluator for Session {
    fn eval(&mut self, input: &str, interrupt: &AtomicBool) -> Outcome {
        self.eval_line(input, interrupt)
    }

    fn completion_words(&self) -> Vec<String> {
        let mut words: Vec<String> = command::command_words()
            .into_iter()
            .map(str::to_string)
            .collect();
        words.extend(help::COMMANDS.iter().map(|c| c.name.to_string()));
        words.extend(
            ["lambda", "eta", "data", "rules", "model", "seed"]
                .iter()
                .map(|s| s.to_string()),
        );
        if let Some(l) = &self.loaded {
            let ir = &l.compiled.ir;
            words.extend(ir.nodes.iter().map(|n| n.name.to_string()));
            words.extend(ir.classes.iter().map(|c| c.name.clone()));
            words.extend(ir.levels.iter().map(|c| c.name.clone()));
            words.extend(ir.data.samples.iter().map(|s| s.name.clone()));
        }
        words.sort();
        words.dedup();
        words
    }
}
