//! The REPL's session: a loaded model, its state, undo and history. Driven by strings
//! (`Session::eval`), so transcripts test exactly what the terminal runs.

use nshed::diag::ErrorCode;
use std::sync::atomic::AtomicBool;

use serde_json::{json, Value as Json};

use super::command::{self, Command};
use super::frontend::{Evaluator, Origin, Outcome, Vocabulary};
use super::{help, show};
use commands::{Failed, Here};
use nshed::diag::{Problem, RenderStyle, Report};
use nshed::engine::{run_seed, State};
use nshed::query::{answer, Input};
use nshed::Compiled;

mod commands;

/// How many earlier states `undo` can go back to.
const UNDO_DEPTH: usize = 64;

/// One command that trained (or a restored state, whose steps were taken elsewhere).
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
enum Undo {
    /// The state before a command changed it (with the seed and history of then).
    State {
        command: String,
        state: Box<State>,
        seed: u64,
        history: Vec<HistoryEntry>,
    },
    /// The whole session a `:load` or `:reload` replaced.
    Session {
        command: String,
        previous: Box<Loaded>,
    },
}

/// How many sessions replaced by `:load` / `:reload` `undo` can go back through.
const SESSION_UNDO_DEPTH: usize = 8;

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
    /// The file `:reload` reads: the last one given to `:load`, even when it had errors.
    path: Option<String>,
    /// Where the input being evaluated comes from (a script line), for diagnostics.
    origin: Option<Origin>,
    json: bool,
    style: RenderStyle,
    limits: nshed::Limits,
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
            path: None,
            origin: None,
            json,
            style,
            limits: nshed::Limits::default(),
        }
    }

    /// The same session, refusing models beyond `limits`.
    pub fn with_limits(mut self, limits: nshed::Limits) -> Session {
        self.limits = limits;
        self
    }

    /// Loads a model from a file; the problems are returned rendered on failure, and the
    /// model loaded before (if any) stays. Either way `:reload` reads this file next.
    pub fn load_path(&mut self, path: &str) -> Outcome {
        self.load(path, ":load")
    }

    fn load(&mut self, path: &str, command: &str) -> Outcome {
        self.path = Some(path.to_string());
        match nshed::compile_path_with(path, &self.limits) {
            Ok(compiled) => {
                let warnings = if compiled.warnings().problems.is_empty() {
                    String::new()
                } else {
                    compiled.warnings().render(self.style)
                };
                let mut out = self.install(Some(path.to_string()), compiled, command);
                out.diagnostics = warnings + &out.diagnostics;
                out
            }
            Err(report) => self.report_outcome(&report),
        }
    }

    /// What a session says after a file failed to load: which model stays, and what to
    /// do next.
    pub fn failed_load_note(&self, path: &str) -> String {
        match &self.loaded {
            Some(l) => format!(
                "the model loaded before, `{}` from {}, stays (at step {}); fix {path} and `:reload` to load it\n",
                l.compiled.ir().model, l.compiled.source().name, l.run.state.step
            ),
            None => format!("no model is loaded; fix {path} and `:reload` to load it\n"),
        }
    }

    /// `:load` and `:reload`: a failure ends with [`Session::failed_load_note`].
    fn load_command(&mut self, path: &str, command: &str) -> Outcome {
        let mut out = self.load(path, command);
        if out.is_error && !self.json {
            out.diagnostics.push_str(&self.failed_load_note(path));
        }
        out
    }

    fn install(&mut self, path: Option<String>, compiled: Compiled, command: &str) -> Outcome {
        let seed = run_seed(compiled.ir(), None);
        let state = State::new(compiled.ir(), seed);
        let hash = compiled.identity();
        let ir = compiled.ir();
        let verb = if command == ":reload" {
            "reloaded"
        } else {
            "loaded"
        };
        let mut text = format!(
            "{verb} model `{}` from {}: {}, {} samples; seed {}",
            ir.model,
            compiled.source().name,
            ir.size_summary(),
            ir.data.samples.len(),
            seed
        );
        let previous = self.loaded.take();
        let mut undo = Vec::new();
        let mut json = json!({ "command": command.trim_start_matches(':'), "model": ir.model, "source": compiled.source().name, "seed": seed });
        if let Some(mut previous) = previous {
            let (was, step) = (
                previous.compiled.ir().model.clone(),
                previous.run.state.step,
            );
            text.push_str(&if command == ":reload" {
                format!("\nthe session restarts at step 0 from the file's initial state, with an empty history (it was at step {step}; `undo` goes back to it)")
            } else {
                format!(" (replacing `{was}` at step {step}; `undo` goes back to it)")
            });
            json["previous"] = json!({ "model": was, "step": step });
            forget_old_sessions(&mut previous, SESSION_UNDO_DEPTH - 1);
            undo.push(Undo::Session {
                command: command.to_string(),
                previous: Box::new(previous),
            });
        }
        self.loaded = Some(Loaded {
            path,
            compiled,
            hash,
            run: Run {
                seed,
                state,
                undo,
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
        let report = match &self.origin {
            Some(o) => Report::new(&o.name, line, problems).at_line(o.line),
            None => Report::new("input", line, problems),
        };
        self.report_outcome(&report)
    }

    fn plain_error(&self, line: &str, problem: Problem) -> Outcome {
        self.problems(line, vec![problem])
    }

    /// Evaluates one input.
    pub fn eval_line(&mut self, line: &str, interrupt: &AtomicBool) -> Outcome {
        let ir = self.loaded.as_ref().map(|l| l.compiled.ir());
        let command = match command::parse(ir, line) {
            Ok(c) => c,
            Err(problems) => return self.problems(line, problems),
        };
        match command {
            Command::Help(topic) => {
                let names = help::Names::of(self.loaded.as_ref().map(|l| l.compiled.ir()));
                let text = match topic.as_deref().and_then(help::lookup) {
                    Some(c) => help::details(c, &names),
                    None => help::overview(&names),
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
            Command::Load(path) => self.load_command(&path, ":load"),
            Command::Reload => match self.path.clone() {
                Some(path) => self.load_command(&path, ":reload"),
                None => self.plain_error(
                    line,
                    no_model(line, "nothing to reload", "no file is loaded"),
                ),
            },
            Command::Undo => match self.loaded.as_mut().and_then(|l| l.run.undo.pop()) {
                Some(Undo::Session { command, previous }) => {
                    let (model, step) = (
                        previous.compiled.ir().model.clone(),
                        previous.run.state.step,
                    );
                    let source = previous.compiled.source().name.clone();
                    self.path = previous.path.clone();
                    self.loaded = Some(*previous);
                    self.answer(
                        format!("undid `{command}` (back to model `{model}` from {source}, at step {step})"),
                        json!({ "command": "undo", "undid": command, "model": model, "step": step }),
                    )
                }
                Some(state) => {
                    // Put it back for `with_model`, which owns the state changes.
                    if let Some(l) = self.loaded.as_mut() {
                        l.run.undo.push(state);
                    }
                    self.with_model(line, Command::Undo, interrupt)
                }
                None if self.loaded.is_some() => self.with_model(line, Command::Undo, interrupt),
                None => {
                    self.plain_error(line, no_model(line, "no model is loaded", "needs a model"))
                }
            },
            other => match self.loaded.as_mut() {
                Some(_) => self.with_model(line, other, interrupt),
                None => {
                    self.plain_error(line, no_model(line, "no model is loaded", "needs a model"))
                }
            },
        }
    }

    /// Runs a command that needs the loaded model (one function each, in `commands`).
    fn with_model(&mut self, line: &str, command: Command, interrupt: &AtomicBool) -> Outcome {
        let json_mode = self.json;
        let Some(loaded) = self.loaded.as_mut() else {
            return Outcome::default();
        };
        let model = loaded.compiled.model();
        // `:save` and `draw` never write over the model file.
        let model_file = nshed::fsio::Outputs::new(loaded.path.as_deref());
        let mut here = Here {
            line,
            ir: loaded.compiled.ir(),
            model: &model,
            hash: loaded.hash.as_str(),
            model_file: &model_file,
            run: &mut loaded.run,
        };
        let answered = match command {
            Command::Query(q) => {
                let a = answer(&model, &here.run.state, &q);
                Ok((
                    a.to_string(),
                    serde_json::to_value(&a).unwrap_or(Json::Null),
                ))
            }
            Command::Show(what) => Ok(show::show(
                here.ir,
                &loaded.compiled.source().text,
                &here.run.state,
                &what,
            )),
            Command::Train(n) => commands::train(&mut here, n, json_mode, interrupt),
            Command::Step(batch) => commands::step(&mut here, batch),
            Command::SetLambda { node, value } => commands::set_lambda(&mut here, node, value),
            Command::SetEta { edge, value } => commands::set_eta(&mut here, edge, value),
            Command::SetSeed(seed) => commands::set_seed(&mut here, seed),
            Command::Reset => commands::reset(&mut here),
            Command::Undo => commands::undo(&mut here),
            Command::History => commands::history(&here),
            Command::Save(path) => commands::save(&here, &path),
            Command::Restore(path) => commands::restore(&mut here, &path),
            Command::InfoPlane(options) => commands::info_plane(&here, options),
            Command::Draw { input, path } => commands::draw(&here, input, &path),
            // Handled before a model is needed.
            Command::Help(_) | Command::Quit | Command::Load(_) | Command::Reload => {
                Ok((String::new(), Json::Null))
            }
        };
        match answered {
            Ok((text, json)) => self.answer(text, json),
            Err(Failed::Problems(problems)) => self.problems(line, problems),
            Err(Failed::Again) => self.eval_line(line, interrupt),
        }
    }
}

/// A command that needs a model, given when none is loaded.
fn no_model(line: &str, message: &str, label: &str) -> Problem {
    Problem::error(ErrorCode::ReplNoModel, message.to_string())
        .label(
            nshed::syntax::ast::Span::new(0, line.trim_end().len()),
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
    run.undo.push(Undo::State {
        command: line.trim().to_string(),
        state: Box::new(before),
        seed: run.seed,
        history: run.history.clone(),
    });
}

/// Keeps at most `depth` sessions replaced by `:load` / `:reload` behind `loaded`.
fn forget_old_sessions(loaded: &mut Loaded, depth: usize) {
    let at = loaded
        .run
        .undo
        .iter()
        .position(|u| matches!(u, Undo::Session { .. }));
    if let Some(at) = at {
        if depth == 0 {
            loaded.run.undo.remove(at);
        } else if let Undo::Session { previous, .. } = &mut loaded.run.undo[at] {
            forget_old_sessions(previous, depth - 1);
        }
    }
}

fn schedule_over(ir: &nshed::ir::Ir, state: &State) -> bool {
    ir.train
        .as_ref()
        .is_some_and(|t| state.phase >= t.phases.len())
}

fn phase_note(ir: &nshed::ir::Ir, state: &State, was_beyond: bool) -> String {
    if ir.train.is_none() {
        return "; no `train` block: every default (batch 1, sampler replace, the file's rules)"
            .to_string();
    }
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

fn describe_batch(ir: &nshed::ir::Ir, batch: &[Input]) -> String {
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
        self.origin = None;
        self.eval_line(input, interrupt)
    }

    fn eval_from(&mut self, input: &str, origin: &Origin, interrupt: &AtomicBool) -> Outcome {
        self.origin = Some(origin.clone());
        let outcome = self.eval_line(input, interrupt);
        self.origin = None;
        outcome
    }

    fn vocabulary(&self) -> Vocabulary {
        let Some(l) = &self.loaded else {
            return Vocabulary::default();
        };
        let ir = l.compiled.ir();
        let names = |ids: std::ops::Range<u32>| -> Vec<String> {
            ids.map(|n| ir.nodes[n as usize].name.to_string()).collect()
        };
        Vocabulary {
            samples: ir.data.samples.iter().map(|s| s.name.clone()).collect(),
            inputs: ir
                .levels
                .first()
                .map_or_else(Vec::new, |l| names(l.node_ids())),
            nodes: ir.nodes.iter().map(|n| n.name.to_string()).collect(),
            classes: ir.classes.iter().map(|c| c.name.clone()).collect(),
            levels: ir.levels.iter().map(|l| l.name.clone()).collect(),
            edges: (0..ir.edges.len())
                .map(|e| nshed::report::edge_name(ir, e))
                .collect(),
        }
    }
}
