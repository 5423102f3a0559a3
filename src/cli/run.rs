//! `nshed run`: train by the file's schedule (or not), then report the state; save and
//! resume; stop cleanly on Ctrl-C, SIGTERM or SIGHUP.

use std::num::NonZeroU64;
use std::path::Path;
use std::sync::Arc;

use super::args::StateArgs;
use super::output::{note, print_display, print_json, write_file};
use super::{CliError, Ctx};
use crate::term::{self, Bar};
use nshed::curves::LearningCurves;
use nshed::diag::Report;
use nshed::engine::{run_seed, train, Control, Model, Observer, State, Trainer, Until};
use nshed::metrics::HeldOut;
use nshed::persist::{self, SavedState};
use nshed::record::Recorder;
use nshed::render::Render;
use nshed::report::RunReport;

#[derive(clap::Args, Debug)]
pub struct RunArgs {
    /// The model file (`-` reads standard input).
    #[arg(value_name = "FILE")]
    file: String,
    /// Print one JSON object instead of tables.
    #[arg(long)]
    json: bool,
    #[command(flatten)]
    state: StateArgs,
    /// Write the file's `record` snapshots here (JSON lines; CSV if PATH ends in .csv).
    #[arg(long, value_name = "PATH")]
    record: Option<String>,
    /// Draw the learning curves here: accuracy and loss of the data and of the test set
    /// against the step, as SVG, or as PNG when PATH ends in .png. The points are the
    /// `record` block's steps, else every max(1, steps/100) steps, and the last step.
    #[arg(long, value_name = "PATH")]
    curves: Option<String>,
    /// Draw the learning curves (as --curves does) as PNG to this file.
    #[arg(long, value_name = "PATH")]
    png: Option<String>,
    /// Write the full training state here at the end (or when a signal stops the run),
    /// atomically; `--resume` continues it bit for bit.
    #[arg(long, value_name = "STATE.json")]
    save: Option<String>,
    /// Start from a state written by `--save` (or the REPL's `:save`) for this exact model
    /// source, and train the rest of the schedule.
    #[arg(long, value_name = "STATE.json", conflicts_with_all = ["seed", "no_train"])]
    resume: Option<String>,
    /// Stop after this many training steps (of this invocation); with `--save`, resume later.
    #[arg(long, value_name = "N")]
    stop_after: Option<u64>,
    #[arg(long, help = super::args::FORCE_HELP)]
    force: bool,
}

/// Work (node and edge updates) above which a terminal gets a progress bar.
const PROGRESS_WORK: f64 = 2e8;

pub fn run(ctx: &Ctx, args: &RunArgs) -> Result<(), CliError> {
    ctx.force(args.force);
    for path in [&args.save, &args.record, &args.curves, &args.png]
        .into_iter()
        .flatten()
    {
        if path == "-" {
            return Err(CliError::usage(
                "`-` is not a file name for --save, --record, --curves or --png",
                "give a file name; standard output carries the report",
            ));
        }
    }
    let figures = curve_files(args)?;
    // Outputs over inputs are refused before any training. `--save` may replace the state
    // `--resume` read (checkpointing in place: it is read in full first), never the model.
    ctx.reads(&args.file);
    if let Some(save) = &args.save {
        ctx.check_output(save)?;
    }
    if let Some(resume) = &args.resume {
        ctx.reads(resume);
    }
    if let Some(record) = &args.record {
        ctx.check_output(record)?;
    }
    for (path, _) in &figures {
        ctx.check_output(path)?;
    }
    let compiled = ctx.load(&args.file)?;
    let ir = compiled.ir();
    let model = compiled.model();
    // Only a saved state is tied to the source (hashing 60 MB is not free).
    let hash = std::cell::OnceCell::new();
    let hash = || hash.get_or_init(|| compiled.identity());
    let (mut state, seed) = match &args.resume {
        Some(path) => {
            let saved = persist::load(path, ir, hash())
                .map_err(|problem| Report::new(path, "", vec![problem]))?;
            (saved.state, saved.seed)
        }
        None => {
            let seed = run_seed(ir, args.state.seed);
            (State::new(ir, seed), seed)
        }
    };

    let (stopped, curves) = if args.state.no_train || ir.train.is_none() {
        if args.record.is_some() {
            note("note: nothing is trained, so nothing is recorded");
        }
        if !figures.is_empty() {
            note("note: nothing is trained, so no learning curves are drawn");
        }
        (None, None)
    } else {
        let mut curves = (!figures.is_empty()).then(|| LearningCurves::new(ir));
        let stopped = train_and_record(&model, &mut state, args, curves.as_mut())?;
        (stopped, curves)
    };
    if let Some(curves) = &curves {
        write_curves(ctx, curves, &figures)?;
    }

    if let Some(path) = &args.save {
        let saved = SavedState {
            nshed_state: persist::FORMAT,
            model: ir.model.clone(),
            source_sha256: hash().clone(),
            seed,
            state: state.clone(),
        };
        persist::save(path, &saved).map_err(CliError::Io)?;
        note(&format!("saved the state at step {} to {path}", state.step));
    }
    if let Some(signal) = stopped {
        return Err(CliError::Stopped {
            signal,
            message: format!(
                "interrupted by {} at step {}{}",
                signal.describe(),
                state.step,
                if args.save.is_some() {
                    "; resume with --resume"
                } else {
                    ""
                }
            ),
        });
    }
    let report = RunReport::new(&model, &state);
    if args.json {
        print_json(&report)
    } else {
        print_display(&report)
    }
}

/// Trains by the rest of the schedule, recording when asked; the signal that stopped it,
/// if one did.
fn train_and_record(
    model: &Model,
    state: &mut State,
    args: &RunArgs,
    mut curves: Option<&mut LearningCurves>,
) -> Result<Option<term::Stop>, CliError> {
    let ir = model.ir;
    let mut recorder = match (
        &args.record,
        ir.train.as_ref().and_then(|t| t.record.as_ref()),
    ) {
        (Some(path), Some(spec)) => Some(
            Recorder::create(model, Path::new(path), spec.every, spec.quantities.clone()).map_err(
                |e| {
                    CliError::io(
                        format!("cannot write `{path}`: {}", nshed::source::io_reason(&e)),
                        "check that the directory exists and is writable",
                    )
                },
            )?,
        ),
        (Some(path), None) => {
            note(&format!(
                "note: the file has no `record` block, so `{path}` is not written"
            ));
            None
        }
        (None, _) => None,
    };
    if let (Some(r), Some(c)) = (recorder.as_mut(), curves.as_deref_mut()) {
        // Both measure the test set at the same steps: fire its samples once for both.
        let test = Arc::new(HeldOut::of_run(model, state));
        r.share_test(Arc::clone(&test));
        c.share_test(test);
    }
    let mut trainer = Trainer::new(model);
    let batch_max = ir
        .train
        .as_ref()
        .and_then(|t| t.phases.iter().map(|p| p.batch).max())
        .unwrap_or(1);
    let work = trainer.total_steps() as f64
        * (model.n_nodes() + model.n_edges()) as f64
        * batch_max.max(1) as f64;
    let bar = Bar::new("steps", work >= PROGRESS_WORK);
    let signals = term::signals();
    signals.reset();
    let control = Control {
        stop_after: args.stop_after,
        stop: Some(signals.flag()),
        progress: Some(&bar),
    };

    let mut io_error = None;
    if let Some(r) = recorder.as_mut() {
        if let Err(e) = r.write(model, state) {
            io_error = Some(e);
        }
    }
    // With a record block, the curves take its steps (`curve_every`), so one observer
    // serves both.
    let every = recorder
        .as_ref()
        .map(|r| r.every)
        .or(curves.as_ref().map(|c| c.every));
    if let Some(c) = curves.as_deref_mut() {
        c.observe(model, state);
    }
    let mut see = |s: &State| {
        if let Some(c) = curves.as_deref_mut() {
            c.observe(model, s);
        }
        if let Some(r) = recorder.as_mut() {
            if io_error.is_none() {
                if let Err(e) = r.write(model, s) {
                    io_error = Some(e);
                }
            }
        }
    };
    let observer = every.and_then(NonZeroU64::new).map(|every| Observer {
        every,
        see: &mut see,
    });
    let trained = train(
        &mut trainer,
        state,
        Until::EndOfSchedule,
        &control,
        observer,
    );
    if let Some(c) = curves {
        c.observe(model, state);
    }
    if let Some(r) = recorder {
        let path = r.path().display().to_string();
        let result = match io_error {
            Some(e) => {
                r.abandon();
                Err(e)
            }
            None => r.finish(),
        };
        result.map_err(|e| {
            CliError::io(
                format!("cannot write `{path}`: {}", nshed::source::io_reason(&e)),
                "check that the directory exists and is writable",
            )
        })?;
    }
    Ok(if trained.interrupted {
        signals.stopped_by()
    } else {
        None
    })
}

/// How a learning-curve file is drawn.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Figure {
    Svg,
    Png,
}

/// The files `--curves` (SVG, or PNG by its extension) and `--png` ask for, refused before
/// any training when `--curves` names another kind of file or a folder that is missing.
fn curve_files(args: &RunArgs) -> Result<Vec<(String, Figure)>, CliError> {
    let mut files = Vec::new();
    if let Some(path) = &args.curves {
        let extension = Path::new(path)
            .extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase);
        let figure = match extension.as_deref() {
            Some("svg") => Figure::Svg,
            Some("png") => Figure::Png,
            _ => {
                return Err(CliError::usage(
                    format!("--curves draws an SVG or a PNG file, and `{path}` is neither"),
                    "give a path ending in .svg or .png",
                ))
            }
        };
        files.push((path.clone(), figure));
    }
    if let Some(path) = &args.png {
        files.push((path.clone(), Figure::Png));
    }
    for (path, _) in &files {
        let folder = Path::new(path)
            .parent()
            .filter(|p| !p.as_os_str().is_empty());
        if folder.is_some_and(|f| !f.is_dir()) {
            return Err(CliError::io(
                format!("cannot write `{path}`: its folder does not exist"),
                "check that the directory exists and is writable",
            ));
        }
    }
    Ok(files)
}

/// Draws the learning curves into each file asked for.
fn write_curves(
    ctx: &Ctx,
    curves: &LearningCurves,
    files: &[(String, Figure)],
) -> Result<(), CliError> {
    for (path, figure) in files {
        let bytes = match figure {
            Figure::Svg => nshed::render::curves_svg(curves).into_bytes(),
            Figure::Png => curves
                .png()
                .unwrap_or_else(|| Err("the learning curves have no PNG form".into()))
                .map_err(|e| {
                    CliError::io(
                        format!("cannot draw `{path}`: {e}"),
                        "draw the curves as SVG instead (--curves FILE.svg)",
                    )
                })?,
        };
        write_file(ctx, path, &bytes)?;
    }
    Ok(())
}
