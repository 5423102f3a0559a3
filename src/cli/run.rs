//! `nshed run`: train by the file's schedule (or not), then report the state.
//! Also the shared "get the trained state" path used by `le` and `query`.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;

use super::{exit, load_model, print_stdout};
use crate::engine::{run_seed, Model, State, Trainer};
use crate::ir::Quantity;
use crate::report::{RunReport, Snapshot};

/// Options of every command that reports on a trained state (SPEC 10).
#[derive(clap::Args, Debug, Clone)]
pub struct StateArgs {
    /// Use the initial state: do not train by the file's `train` block.
    #[arg(long)]
    pub no_train: bool,
    /// Seed of the run's random stream (wins over `train { seed N }`).
    #[arg(long, value_name = "N")]
    pub seed: Option<u64>,
}

/// Saving, resuming and stopping a run (`nshed run` only).
#[derive(clap::Args, Debug, Clone, Default)]
pub struct PersistArgs {
    /// Write the full training state here at the end (or when Ctrl-C stops the run),
    /// atomically; `--resume` continues it bit for bit.
    #[arg(long, value_name = "STATE.json")]
    pub save: Option<String>,
    /// Start from a state written by `--save` (or the REPL's `:save`) for this exact model
    /// source, and train the rest of the schedule.
    #[arg(long, value_name = "STATE.json", conflicts_with_all = ["seed", "no_train"])]
    pub resume: Option<String>,
    /// Stop after this many training steps (of this invocation); with `--save`, resume later.
    #[arg(long, value_name = "N")]
    pub stop_after: Option<u64>,
}

/// Steps between two looks at the Ctrl-C flag.
const INTERRUPT_CHUNK: u64 = 1024;

/// Exit code after Ctrl-C stopped a run (128 + SIGINT, as shells report it).
const INTERRUPTED: u8 = 130;

/// Work (node and edge updates) above which a terminal gets a progress bar.
const PROGRESS_WORK: f64 = 2e8;

pub fn run(
    file: &str,
    json: bool,
    args: &StateArgs,
    record: Option<&str>,
    persist: &PersistArgs,
) -> u8 {
    let compiled = match load_model(file) {
        Ok(c) => c,
        Err(code) => return code,
    };
    let model = Model::new(&compiled.ir);
    let hash = crate::persist::source_hash(&compiled.source.text);
    let (start, seed) = match &persist.resume {
        Some(path) => match crate::persist::load(path, &compiled.ir, &hash) {
            Ok(saved) => (saved.state, saved.seed),
            Err(problem) => {
                super::eprint_report(&crate::diag::Report::new(path, "", vec![problem]));
                return exit::MODEL_ERROR;
            }
        },
        None => {
            let seed = run_seed(&compiled.ir, args.seed);
            (State::new(&compiled.ir, seed), seed)
        }
    };
    let interrupt = crate::repl::frontend::interrupt_flag();
    let control = Control {
        stop_after: persist.stop_after,
        interrupt: Some(&interrupt),
    };
    let (state, interrupted) = match train_state(&model, start, !args.no_train, record, &control) {
        Ok(s) => s,
        Err(code) => return code,
    };
    if let Some(path) = &persist.save {
        let saved = crate::persist::SavedState {
            nshed_state: crate::persist::FORMAT,
            model: compiled.ir.model.clone(),
            source_sha256: hash,
            seed,
            state: state.clone(),
        };
        if let Err(problem) = crate::persist::save(path, &saved) {
            super::eprint_report(&crate::diag::Report::new(path, "", vec![problem]));
            return exit::IO;
        }
        eprintln!("saved the state at step {} to {path}", state.step);
    }
    if interrupted {
        eprintln!(
            "interrupted by Ctrl-C at step {}{}",
            state.step,
            if persist.save.is_some() {
                "; resume with --resume"
            } else {
                ""
            }
        );
        return INTERRUPTED;
    }
    let report = RunReport::new(&model, &state);
    if json {
        print_json(&report)
    } else {
        print_stdout(&report.to_string())
    }
}

/// Prints one JSON object and a newline.
pub fn print_json<T: serde::Serialize>(value: &T) -> u8 {
    match serde_json::to_string_pretty(value) {
        Ok(mut s) => {
            s.push('\n');
            print_stdout(&s)
        }
        Err(e) => {
            eprintln!("error: cannot serialise the report: {e}");
            exit::IO
        }
    }
}

/// The state to report on: initial state for the run's seed, trained by the file's
/// schedule unless `--no-train`; records to `record` when given and the file has a
/// `record` block.
pub fn trained_state(model: &Model, args: &StateArgs, record: Option<&str>) -> Result<State, u8> {
    let state = State::new(model.ir, run_seed(model.ir, args.seed));
    train_state(model, state, !args.no_train, record, &Control::default()).map(|(s, _)| s)
}

/// When training stops early.
#[derive(Default)]
pub struct Control<'a> {
    /// At most this many steps.
    pub stop_after: Option<u64>,
    /// Ctrl-C sets this; training stops within `INTERRUPT_CHUNK` steps.
    pub interrupt: Option<&'a std::sync::atomic::AtomicBool>,
}

/// Trains `state` by the rest of the file's schedule (when `train`), recording to
/// `record`. Returns the state and whether Ctrl-C stopped it.
pub fn train_state(
    model: &Model,
    mut state: State,
    train: bool,
    record: Option<&str>,
    control: &Control,
) -> Result<(State, bool), u8> {
    let ir = model.ir;
    let Some(train) = ir.train.as_ref().filter(|_| train) else {
        if record.is_some() {
            eprintln!("note: nothing is trained, so nothing is recorded");
        }
        return Ok((state, false));
    };
    let mut recorder = match (record, train.record.as_ref()) {
        (Some(path), Some(spec)) => {
            match Recorder::create(model, path, spec.every, spec.quantities.clone()) {
                Ok(r) => Some(r),
                Err(e) => {
                    eprintln!("error: cannot write `{path}`: {e}");
                    return Err(exit::IO);
                }
            }
        }
        (Some(path), None) => {
            eprintln!("note: the file has no `record` block, so `{path}` is not written");
            None
        }
        (None, _) => None,
    };

    let mut trainer = Trainer::new(model);
    let total = trainer.total_steps();
    let batch_max = train.phases.iter().map(|p| p.batch).max().unwrap_or(1);
    let work = total as f64 * (model.n_nodes() + model.n_edges()) as f64 * batch_max.max(1) as f64;
    let bar = (std::io::stderr().is_terminal() && work >= PROGRESS_WORK).then(|| {
        let bar = indicatif::ProgressBar::new(total);
        if let Ok(style) = indicatif::ProgressStyle::with_template(
            "{spinner} training {bar:40} {pos}/{len} steps ({per_sec}, eta {eta})",
        ) {
            bar.set_style(style);
        }
        bar
    });

    let mut io_error = None;
    if let Some(r) = recorder.as_mut() {
        if let Err(e) = r.write(model, &state) {
            io_error = Some(e);
        }
    }
    let mut left = control.stop_after.unwrap_or(u64::MAX);
    let mut interrupted = false;
    while left > 0 {
        if control
            .interrupt
            .is_some_and(|f| f.load(std::sync::atomic::Ordering::SeqCst))
        {
            interrupted = true;
            break;
        }
        let taken = trainer.run_steps(&mut state, left.min(INTERRUPT_CHUNK), &mut |s| {
            if let Some(bar) = &bar {
                if s.step % 256 == 0 {
                    bar.set_position(s.step);
                }
            }
            if let Some(r) = recorder.as_mut() {
                if io_error.is_none() && s.step % r.every == 0 {
                    if let Err(e) = r.write(model, s) {
                        io_error = Some(e);
                    }
                }
            }
        });
        if taken == 0 {
            break;
        }
        left -= taken;
    }
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    if let Some(r) = recorder {
        let path = r.path.clone();
        let result = match io_error {
            Some(e) => {
                r.abandon();
                Err(e)
            }
            None => r.finish(),
        };
        if let Err(e) = result {
            eprintln!("error: cannot write `{}`: {e}", path.display());
            return Err(exit::IO);
        }
    }
    Ok((state, interrupted))
}

/// Writes snapshots to a temporary file next to the target, renamed into place at the
/// end so a reader never sees half a file.
struct Recorder {
    path: PathBuf,
    out: crate::fsio::AtomicWriter,
    every: u64,
    quantities: Vec<Quantity>,
    csv: bool,
}

impl Recorder {
    fn create(
        model: &Model,
        path: &str,
        every: u64,
        quantities: Vec<Quantity>,
    ) -> std::io::Result<Recorder> {
        let path = PathBuf::from(path);
        let mut out = crate::fsio::AtomicWriter::create(&path)?;
        let csv = path
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("csv"));
        if csv {
            writeln!(out, "{}", Snapshot::csv_header(model, &quantities))?;
        }
        Ok(Recorder {
            path,
            out,
            every: every.max(1),
            quantities,
            csv,
        })
    }

    fn write(&mut self, model: &Model, state: &State) -> std::io::Result<()> {
        let snap = Snapshot::take(model, state, &self.quantities);
        if self.csv {
            writeln!(self.out, "{}", snap.csv_row())
        } else {
            let line = serde_json::to_string(&snap).map_err(std::io::Error::other)?;
            writeln!(self.out, "{line}")
        }
    }

    fn finish(self) -> std::io::Result<()> {
        self.out.commit()
    }

    fn abandon(self) {
        self.out.abandon();
    }
}
