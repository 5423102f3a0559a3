//! The session: one worker thread owns the model, its state and its training, and
//! answers the routes' commands one at a time, in order (so no answer sees half a step).
//! Routes send a [`Command`] with a reply channel through a bounded queue (a full queue
//! is a 503, never a growing one); training runs in chunks of about [`CHUNK_TIME`],
//! with the commands that arrived meanwhile handled between two chunks. Progress goes
//! to every open page as events.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{sync_channel, Receiver, SyncSender, TrySendError};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde::Serialize;
use tokio::sync::{broadcast, oneshot, watch};

use super::file::File;
use super::view::{ModelInfo, Progress, View};
use nshed::analysis::LeMatrixReport;
use nshed::diag::JsonDiagnostic;
use nshed::Limits;

/// Commands waiting at most; more get 503.
const QUEUE: usize = 64;
/// How long a chunk of training should take: the page sees progress (and a pause acts)
/// this often.
pub const CHUNK_TIME: Duration = Duration::from_millis(60);

pub type Reply<T> = oneshot::Sender<T>;

/// How far to train.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum How {
    /// This many steps (the rest of the schedule first, then steps like its last phase).
    Steps(u64),
    /// The rest of the file's schedule.
    Schedule,
    /// Until paused.
    Play,
}

/// A file the page can download.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Download {
    /// The training state, as `nshed run --save` writes it.
    State,
    /// `nshed run --json` at the current state.
    Report,
    /// The model drawn (with the pathway of the chosen input).
    GraphSvg,
    /// The information plane along the session's training.
    InfoPlaneSvg,
    /// Histograms of the LE matrix per class pair.
    LeMatrixSvg,
}

/// A downloadable file: its name, media type and contents.
pub struct Downloaded {
    pub name: String,
    pub media_type: &'static str,
    pub body: String,
}

/// Answered with an HTTP status and a message.
#[derive(Debug)]
pub struct Refusal {
    pub status: u16,
    pub message: String,
}

impl Refusal {
    pub fn new(status: u16, message: impl Into<String>) -> Refusal {
        Refusal {
            status,
            message: message.into(),
        }
    }
}

pub type Answer<T> = Result<T, Refusal>;

/// The answer to an edit: its diagnostics, and whether the model was replaced.
#[derive(Debug, Serialize)]
pub struct Edited {
    pub diagnostics: Vec<JsonDiagnostic>,
    /// Whether the text compiles (the model below is this text's).
    pub compiles: bool,
    pub generation: u64,
}

/// Everything the page needs to draw itself from scratch.
#[derive(Debug, Serialize)]
pub struct Snapshot {
    pub file: String,
    pub text: String,
    /// Whether `text` is what the file holds on disk (as last read or saved).
    pub saved: bool,
    /// The language's words, for highlighting.
    pub words: Vec<&'static str>,
    pub diagnostics: Vec<JsonDiagnostic>,
    /// The last version of the text that compiled (`null` when none has yet).
    pub model: Option<ModelInfo>,
    /// Whether `model` is older than `text` (the text has errors).
    pub stale: bool,
    pub progress: Option<Progress>,
}

/// `ln lambda` of some nodes at every point of the curves.
#[derive(Debug, Serialize)]
pub struct Lambdas {
    pub steps: Vec<u64>,
    pub series: Vec<LambdaSeries>,
}

#[derive(Debug, Serialize)]
pub struct LambdaSeries {
    pub node: String,
    /// `null` for `lambda = 0`.
    pub ln_lambda: Vec<f64>,
}

pub enum Command {
    Snapshot(Reply<Snapshot>),
    Edit {
        text: String,
        reply: Reply<Edited>,
    },
    Train {
        how: How,
        reply: Reply<Answer<Progress>>,
    },
    Pause(Reply<Answer<Progress>>),
    Reset {
        seed: Option<u64>,
        reply: Reply<Answer<Progress>>,
    },
    View {
        input: Option<String>,
        reply: Reply<Answer<View>>,
    },
    Lambdas {
        nodes: Vec<String>,
        reply: Reply<Answer<Lambdas>>,
    },
    LeMatrix(Reply<Answer<LeMatrixReport>>),
    Download {
        what: Download,
        input: Option<String>,
        reply: Reply<Answer<Downloaded>>,
    },
    Save {
        text: String,
        force: bool,
        reply: Reply<Answer<()>>,
    },
    Quit,
}

/// An event for the pages: `progress` (a [`Progress`]) or `model` (the model was
/// replaced: reload it).
#[derive(Clone, Debug)]
pub struct Event {
    pub name: &'static str,
    pub data: Arc<str>,
}

/// The routes' handle on the session (cheap to clone).
#[derive(Clone)]
pub struct Session {
    inner: Arc<Inner>,
}

struct Inner {
    commands: SyncSender<Command>,
    /// Set to stop a chunk of training at once (pause, reset, quit).
    stop: Arc<AtomicBool>,
    events: broadcast::Sender<Event>,
    closed: watch::Sender<bool>,
    worker: Mutex<Option<std::thread::JoinHandle<()>>>,
}

impl Session {
    /// Starts the worker on `file`.
    pub fn start(file: File, limits: Limits) -> Session {
        let (commands, receiver) = sync_channel(QUEUE);
        let stop = Arc::new(AtomicBool::new(false));
        let (events, _) = broadcast::channel(16);
        let worker = super::worker::Worker::new(file, limits, Arc::clone(&stop), events.clone());
        let handle = std::thread::Builder::new()
            .name("nshed-session".to_string())
            .spawn(move || worker.run(receiver));
        let (closed, _) = watch::channel(false);
        Session {
            inner: Arc::new(Inner {
                commands,
                stop,
                events,
                closed,
                worker: Mutex::new(handle.ok()),
            }),
        }
    }

    /// Sends a command and waits for its answer: 503 when the queue is full, 500 when
    /// the worker is gone.
    pub async fn ask<T>(&self, command: impl FnOnce(Reply<T>) -> Command) -> Answer<T> {
        let (reply, answer) = oneshot::channel();
        match self.inner.commands.try_send(command(reply)) {
            Ok(()) => {}
            Err(TrySendError::Full(_)) => {
                return Err(Refusal::new(503, "the server is busy; try again"));
            }
            Err(TrySendError::Disconnected(_)) => {
                return Err(Refusal::new(500, "the session has stopped"));
            }
        }
        answer
            .await
            .map_err(|_| Refusal::new(500, "the session stopped before answering"))
    }

    /// Stops a running chunk of training now (the command that follows says what next).
    pub fn interrupt(&self) {
        self.inner.stop.store(true, Ordering::SeqCst);
    }

    pub fn subscribe(&self) -> (broadcast::Receiver<Event>, watch::Receiver<bool>) {
        (self.inner.events.subscribe(), self.inner.closed.subscribe())
    }

    /// Ends the pages' event streams.
    pub fn close_streams(&self) {
        let _ = self.inner.closed.send(true);
    }

    /// Ends the event streams and the worker (waiting for it).
    pub fn shutdown(&self) {
        self.close_streams();
        self.interrupt();
        // Waits for room in a full queue: the worker keeps taking commands, and the stop
        // flag ends its chunk of training.
        let _ = self.inner.commands.send(Command::Quit);
        let handle = self.inner.worker.lock().ok().and_then(|mut w| w.take());
        if let Some(handle) = handle {
            let _ = handle.join();
        }
    }
}

/// Sends an answer; a page that stopped waiting is no error.
pub fn answer<T>(reply: Reply<T>, value: T) {
    let _ = reply.send(value);
}

/// Receives the next command: waiting for one when idle, only looking when training.
pub fn next_command(receiver: &Receiver<Command>, training: bool) -> Option<Option<Command>> {
    use std::sync::mpsc::TryRecvError;
    if training {
        match receiver.try_recv() {
            Ok(c) => Some(Some(c)),
            Err(TryRecvError::Empty) => Some(None),
            Err(TryRecvError::Disconnected) => None,
        }
    } else {
        receiver.recv().ok().map(Some)
    }
}
