//! The session's worker thread: the model that last compiled, its state and trainer,
//! and the answer to every command. The compiled model lives in [`Worker::run`]'s loop
//! and everything that borrows it (the engine's model, the trainer) in [`Live`], made
//! anew when an edit replaces the model.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::Receiver;
use std::sync::Arc;
use std::time::Instant;

use tokio::sync::broadcast;

use super::file::File;
use super::history::History;
use super::session::{answer, next_command, Command, Edited, Event, How, Refusal, Snapshot};
use super::view::{diagnostics, ModelInfo, Progress};
use nshed::diag::JsonDiagnostic;
use nshed::engine::{remaining_steps, run_seed, train, untrainable, Control, Model, State};
use nshed::engine::{Observer, Trainer, Until};
use nshed::source::Source;
use nshed::syntax::words;
use nshed::{Compiled, Limits};
use std::num::NonZeroU64;

/// Progress events while training, at most this often.
const PROGRESS_EVERY: std::time::Duration = std::time::Duration::from_millis(100);

/// What training is doing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Mode {
    Idle,
    /// This many steps are left to take.
    Steps(u64),
    Schedule,
    Play,
}

impl Mode {
    fn name(self) -> &'static str {
        match self {
            Mode::Idle => "idle",
            Mode::Steps(_) => "steps",
            Mode::Schedule => "schedule",
            Mode::Play => "play",
        }
    }
}

/// Everything of the session that outlives a model.
pub struct Worker {
    file: File,
    /// The editor's text, as last sent.
    text: String,
    diagnostics: Vec<JsonDiagnostic>,
    limits: Limits,
    /// The seed chosen in the page (`None`: the file's).
    seed_choice: Option<u64>,
    generation: u64,
    /// Progresses made (see `Progress::seq`).
    seq: u64,
    mode: Mode,
    stop: Arc<AtomicBool>,
    events: broadcast::Sender<Event>,
    last_progress: Instant,
}

/// A model and what borrows it.
pub struct Live<'m, 'c> {
    pub compiled: &'c Compiled,
    pub model: &'m Model<'c>,
    trainer: Trainer<'m, 'c>,
    pub state: State,
    pub history: History,
    pub seed: u64,
    /// The identity of the IR: an edit that leaves it alone keeps the state.
    identity: String,
    /// Steps per chunk of training, adapted to take about `CHUNK_TIME`.
    chunk: u64,
}

/// Why a model's loop ended.
enum Exit {
    /// Replace the model, with the state and curves it keeps (when the IR is the same).
    Replace(Box<Compiled>, Option<Box<(State, History)>>),
    Quit,
}

/// What the loop does after a command.
pub enum Next {
    Stay,
    /// Replace the model; keep the state and curves when the IR did not change.
    Replace(Box<Compiled>, bool),
    Quit,
}

/// A model's identity: the hash of its IR (what an edit of comments or layout leaves
/// alone).
fn identity(compiled: &Compiled) -> String {
    nshed::persist::source_hash(&serde_json::to_string(compiled.ir()).unwrap_or_default())
}

impl Worker {
    pub fn new(
        file: File,
        limits: Limits,
        stop: Arc<AtomicBool>,
        events: broadcast::Sender<Event>,
    ) -> Worker {
        Worker {
            text: file.text.clone(),
            file,
            diagnostics: Vec::new(),
            limits,
            seed_choice: None,
            generation: 0,
            seq: 0,
            mode: Mode::Idle,
            stop,
            events,
            last_progress: Instant::now(),
        }
    }

    /// Serves commands until told to quit (or every route is gone).
    pub fn run(mut self, commands: Receiver<Command>) {
        let mut compiled = self.compile(self.text.clone()).map(Box::new);
        let mut carried: Option<Box<(State, History)>> = None;
        loop {
            let exit = match &compiled {
                Some(c) => self.with_model(c, carried.take(), &commands),
                None => self.without_model(&commands),
            };
            let Exit::Replace(new, kept) = exit else {
                return;
            };
            if kept.is_none() {
                self.mode = Mode::Idle;
                self.generation += 1;
                self.publish("model", &self.generation.to_string());
            }
            compiled = Some(new);
            carried = kept;
        }
    }

    /// Compiles `text` as the editor's text, keeping its diagnostics.
    fn compile(&mut self, text: String) -> Option<Compiled> {
        self.text = text;
        let source = Source {
            name: self.file.name.clone(),
            text: self.text.clone(),
        };
        match nshed::compile_with(source, &self.limits) {
            Ok(compiled) => {
                self.diagnostics = diagnostics(compiled.warnings(), &self.text);
                Some(compiled)
            }
            Err(report) => {
                self.diagnostics = diagnostics(&report, &self.text);
                None
            }
        }
    }

    fn without_model(&mut self, commands: &Receiver<Command>) -> Exit {
        loop {
            let Some(Some(command)) = next_command(commands, false) else {
                return Exit::Quit;
            };
            match self.handle(command, None) {
                Next::Stay => {}
                Next::Replace(new, _) => return Exit::Replace(new, None),
                Next::Quit => return Exit::Quit,
            }
        }
    }

    fn with_model(
        &mut self,
        compiled: &Compiled,
        carried: Option<Box<(State, History)>>,
        commands: &Receiver<Command>,
    ) -> Exit {
        let model = compiled.model();
        let seed = run_seed(compiled.ir(), self.seed_choice);
        let (state, history) = match carried {
            Some(kept) => *kept,
            None => {
                let state = State::new(compiled.ir(), seed);
                let history = History::new(&model, &state);
                (state, history)
            }
        };
        let mut live = Live {
            compiled,
            model: &model,
            trainer: Trainer::new(&model),
            state,
            history,
            seed,
            identity: identity(compiled),
            chunk: 1,
        };
        self.publish_progress(&live);
        loop {
            let training = self.mode != Mode::Idle;
            let Some(command) = next_command(commands, training) else {
                return Exit::Quit;
            };
            match command {
                Some(command) => match self.handle(command, Some(&mut live)) {
                    Next::Stay => {}
                    Next::Replace(new, keep) => {
                        let kept = keep.then(|| Box::new((live.state, live.history)));
                        return Exit::Replace(new, kept);
                    }
                    Next::Quit => return Exit::Quit,
                },
                None => self.train_chunk(&mut live),
            }
        }
    }

    /// One chunk of training in the current mode, then progress for the pages.
    fn train_chunk(&mut self, live: &mut Live) {
        let ir = live.compiled.ir();
        let left = match self.mode {
            Mode::Idle => return,
            Mode::Steps(n) => n,
            Mode::Schedule => remaining_steps(ir, &live.state),
            Mode::Play => u64::MAX,
        };
        let chunk = live.chunk.min(left);
        let started = Instant::now();
        let control = Control {
            stop_after: None,
            stop: Some(&self.stop),
            progress: None,
        };
        let (model, history) = (live.model, &mut live.history);
        let trained = train(
            &mut live.trainer,
            &mut live.state,
            Until::Steps(chunk),
            &control,
            Some(Observer {
                every: NonZeroU64::MIN,
                see: &mut |s| history.after_step(model, s),
            }),
        );
        live.chunk = next_chunk(chunk, trained.taken, started.elapsed());
        if let Mode::Steps(n) = &mut self.mode {
            *n = n.saturating_sub(trained.taken);
        }
        let done = match self.mode {
            Mode::Steps(n) => n == 0,
            Mode::Schedule => remaining_steps(ir, &live.state) == 0,
            Mode::Play | Mode::Idle => false,
        };
        if done || trained.taken == 0 {
            self.mode = Mode::Idle;
        }
        if self.mode == Mode::Idle || self.last_progress.elapsed() >= PROGRESS_EVERY {
            live.history.settle(live.model, &live.state);
            self.publish_progress(live);
        }
    }

    fn progress(&mut self, live: &Live) -> Progress {
        self.seq += 1;
        Progress::of(
            self.seq,
            self.generation,
            self.mode.name(),
            live.seed,
            live.compiled.ir(),
            &live.state,
            &live.history,
        )
    }

    fn publish_progress(&mut self, live: &Live) {
        let progress = self.progress(live);
        self.publish(
            "progress",
            &serde_json::to_string(&progress).unwrap_or_default(),
        );
        self.last_progress = Instant::now();
    }

    fn publish(&self, name: &'static str, data: &str) {
        // No page listening is no error.
        let _ = self.events.send(Event {
            name,
            data: Arc::from(data),
        });
    }

    /// Answers one command.
    fn handle(&mut self, command: Command, live: Option<&mut Live>) -> Next {
        let no_model = || {
            Refusal::new(
                409,
                "the file does not compile yet: fix the errors listed under the editor",
            )
        };
        match command {
            Command::Quit => return Next::Quit,
            Command::Snapshot(reply) => answer(reply, self.snapshot(live.as_deref())),
            Command::Edit { text, reply } => return self.edit(text, live, reply),
            Command::Save { text, force, reply } => {
                let saved = self.file.save(&text, force).map_err(|e| {
                    let status = match e {
                        super::file::SaveError::Changed => 409,
                        super::file::SaveError::TooLarge(_) => 413,
                        super::file::SaveError::Io(_) => 500,
                    };
                    Refusal::new(status, e.message(&self.file.name))
                });
                answer(reply, saved)
            }
            Command::Train { how, reply } => match live {
                Some(live) => answer(reply, self.start(live, how)),
                None => answer(reply, Err(no_model())),
            },
            Command::Pause(reply) => match live {
                Some(live) => {
                    self.stop.store(false, Ordering::SeqCst);
                    self.mode = Mode::Idle;
                    live.history.settle(live.model, &live.state);
                    self.publish_progress(live);
                    answer(reply, Ok(self.progress(live)))
                }
                None => answer(reply, Err(no_model())),
            },
            Command::Reset { seed, reply } => match live {
                Some(live) => answer(reply, Ok(self.reset(live, seed))),
                None => answer(reply, Err(no_model())),
            },
            Command::View { input, reply } => match live {
                Some(live) => {
                    let view = super::view::view(live.model, &live.state, input.as_deref())
                        .map_err(|message| Refusal::new(422, message));
                    answer(reply, view)
                }
                None => answer(reply, Err(no_model())),
            },
            Command::Lambdas { nodes, reply } => match live {
                Some(live) => answer(reply, super::answers::lambdas(live, &nodes)),
                None => answer(reply, Err(no_model())),
            },
            Command::LeMatrix(reply) => match live {
                Some(live) => answer(reply, super::answers::le_matrix(live)),
                None => answer(reply, Err(no_model())),
            },
            Command::Download { what, input, reply } => match live {
                Some(live) => answer(reply, super::answers::download(live, what, input)),
                None => answer(reply, Err(no_model())),
            },
        }
        Next::Stay
    }

    fn snapshot(&mut self, live: Option<&Live>) -> Snapshot {
        let stale = self.diagnostics.iter().any(|d| d.severity == "error");
        let progress = live.map(|l| self.progress(l));
        Snapshot {
            file: self.file.name.clone(),
            text: self.text.clone(),
            saved: self.file.is_saved(&self.text),
            // The editor lights them all as keywords: the contextual ones (`test`,
            // `from`, `copies`) are names only in rare places.
            words: [words::RESERVED, words::EXPECT_WORDS, words::CONTEXTUAL].concat(),
            diagnostics: self.diagnostics.clone(),
            model: live.map(|l| ModelInfo::of(l.model)),
            stale,
            progress,
        }
    }

    /// An edit: the diagnostics of the new text; a new model when it compiles to
    /// another one (the state is kept when only comments or layout changed).
    fn edit(
        &mut self,
        text: String,
        live: Option<&mut Live>,
        reply: super::session::Reply<Edited>,
    ) -> Next {
        let compiled = self.compile(text);
        let next = match compiled {
            None => Next::Stay,
            Some(compiled) => {
                let same = live.is_some_and(|l| l.identity == identity(&compiled));
                Next::Replace(Box::new(compiled), same)
            }
        };
        let generation = match &next {
            Next::Replace(_, false) => self.generation + 1,
            _ => self.generation,
        };
        answer(
            reply,
            Edited {
                diagnostics: self.diagnostics.clone(),
                compiles: matches!(next, Next::Replace(..)),
                generation,
            },
        );
        next
    }

    /// Starts training as `how` says (a running mode is replaced).
    fn start(&mut self, live: &mut Live, how: How) -> Result<Progress, Refusal> {
        if let Some(reason) = untrainable(live.compiled.ir()) {
            return Err(Refusal::new(
                409,
                format!("the model cannot be trained: {reason}"),
            ));
        }
        self.stop.store(false, Ordering::SeqCst);
        self.mode = match how {
            How::Steps(0) => Mode::Idle,
            How::Steps(n) => Mode::Steps(n),
            How::Schedule if remaining_steps(live.compiled.ir(), &live.state) == 0 => {
                return Err(Refusal::new(
                    409,
                    "the file's schedule is done: reset to train it again, or take more steps",
                ));
            }
            How::Schedule => Mode::Schedule,
            How::Play => Mode::Play,
        };
        live.chunk = 1;
        Ok(self.progress(live))
    }

    /// Back to the initial state, from `seed` (`None`: the file's).
    fn reset(&mut self, live: &mut Live, seed: Option<u64>) -> Progress {
        self.stop.store(false, Ordering::SeqCst);
        self.mode = Mode::Idle;
        self.seed_choice = seed;
        live.seed = run_seed(live.compiled.ir(), seed);
        live.state = State::new(live.compiled.ir(), live.seed);
        live.history = History::new(live.model, &live.state);
        self.publish_progress(live);
        self.progress(live)
    }
}

/// Steps for the next chunk: as many as fit in `CHUNK_TIME` at the pace of the last
/// one, growing at most fourfold.
fn next_chunk(chunk: u64, taken: u64, elapsed: std::time::Duration) -> u64 {
    let target = super::session::CHUNK_TIME.as_secs_f64();
    let seconds = elapsed.as_secs_f64().max(1e-6);
    let pace = taken.max(1) as f64 / seconds;
    let wanted = (pace * target) as u64;
    wanted.clamp(1, chunk.max(1).saturating_mul(4)).min(1 << 20)
}
