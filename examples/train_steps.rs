//! Times N training steps of a model file from the command line (the throughput
//! comparison; `benches/baseline/compare.sh` runs it beside the NumPy baseline):
//!
//! ```text
//! cargo run --release --example train_steps -- model.nshed --steps 20000 [--batch 1]
//!     [--seed 0] [--cycle] [--dump lambdas.json]
//! ```
//!
//! The file's first phase is run for `--steps` steps (its rules, freezes and sampler;
//! `--batch` overrides the batch size, `--cycle` draws samples in order), and the
//! steps per second are printed, by the wall clock and (on Linux) by the processor time
//! the training thread used, which a busy machine does not inflate, and the firing set:
//! the nodes a data sample fires on average, with the processor time a step takes per
//! firing node (the figure that must not grow with the model's size). `--dump` writes
//! `ln lambda` and `ln eta` afterwards.

use std::process::ExitCode;
use std::time::Instant;

use clap::Parser;
use nshed::diag::RenderStyle;
use nshed::engine::{self, Control, Evaluator, Model, State, Trainer, Until};
use nshed::ir::Sampler;

#[derive(Parser)]
#[command(about = "Time N training steps of a model file")]
struct Args {
    /// The model file.
    file: String,
    /// Training steps to time.
    #[arg(long, default_value_t = 20_000, value_parser = clap::value_parser!(u64).range(1..))]
    steps: u64,
    /// Batch size (default: the first phase's).
    #[arg(long, value_parser = clap::value_parser!(u64).range(1..))]
    batch: Option<u64>,
    /// Seed of the run.
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// Draw the samples in order (to compare values with the baseline's `--cycle`).
    #[arg(long)]
    cycle: bool,
    /// Write `ln lambda` and `ln eta` after the steps to this JSON file.
    #[arg(long)]
    dump: Option<String>,
}

/// The processor time this thread has used, in seconds (Linux: the first field of
/// `/proc/thread-self/schedstat`, in nanoseconds); `None` elsewhere.
fn thread_cpu_seconds() -> Option<f64> {
    let text = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    let ns: f64 = text.split_whitespace().next()?.parse().ok()?;
    Some(ns * 1e-9)
}

fn main() -> ExitCode {
    let args = match Args::try_parse() {
        Ok(a) => a,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { 2 } else { 0 });
        }
    };
    let mut ir = match nshed::compile_path(&args.file) {
        Ok(c) => c.into_ir(),
        Err(report) => {
            eprint!("{}", report.render(RenderStyle::for_stderr()));
            return ExitCode::from(1);
        }
    };
    let Some(train) = ir.train.as_mut() else {
        eprintln!("error: `{}` has no `train` block", args.file);
        eprintln!("help: make one with `nshed gen --nodes N --steps T --batch 1`");
        return ExitCode::from(1);
    };
    let Some(mut phase) = train.phases.first().cloned() else {
        eprintln!("error: `{}` has no training phase", args.file);
        eprintln!("help: make one with `nshed gen --nodes N --steps T --batch 1`");
        return ExitCode::from(1);
    };
    phase.steps = args.steps;
    phase.batch = args.batch.unwrap_or(phase.batch);
    let batch = phase.batch;
    train.phases = vec![phase];
    if args.cycle {
        train.sampler = Sampler::Cycle;
    }

    let model = Model::new(&ir);
    let mut state = State::new(&ir, args.seed);
    let mut trainer = Trainer::new(&model);
    let cpu_start = thread_cpu_seconds();
    let start = Instant::now();
    engine::train(
        &mut trainer,
        &mut state,
        Until::EndOfSchedule,
        &Control::default(),
        None,
    );
    let seconds = start.elapsed().as_secs_f64();
    println!(
        "nshed: {} steps (batch {batch}) in {seconds:.3} s: {:.1} steps/s",
        args.steps,
        args.steps as f64 / seconds
    );
    // On a busy machine the wall clock counts the time other processes had the
    // processor; the thread's own processor time does not.
    let cpu = match (cpu_start, thread_cpu_seconds()) {
        (Some(a), Some(b)) => {
            println!(
                "cpu: {:.3} s on the processor: {:.1} steps/s",
                b - a,
                args.steps as f64 / (b - a)
            );
            Some(b - a)
        }
        _ => None,
    };
    // The firing set: what a data sample fires (its pathway, inputs included), on average.
    let mut evaluator = Evaluator::new(&model);
    let samples = &ir.data.samples;
    let fired: usize = samples
        .iter()
        .map(|s| evaluator.firing(&model, &s.input).len())
        .sum();
    let mean = fired as f64 / samples.len().max(1) as f64;
    let per_node = cpu
        .filter(|&t| mean > 0.0 && t > 0.0)
        .map(|t| {
            format!(
                "; {:.2} ns a firing node a step",
                t * 1e9 / args.steps as f64 / (mean * batch as f64)
            )
        })
        .unwrap_or_default();
    println!("firing: {mean:.0} nodes a data sample{per_node}");

    if let Some(path) = &args.dump {
        let finite = |v: Vec<f64>| -> Vec<Option<f64>> {
            v.into_iter().map(|x| x.is_finite().then_some(x)).collect()
        };
        let json = serde_json::json!({
            "ln_lambda": finite(state.ln_lambdas()),
            "ln_eta": finite(state.ln_etas()),
        });
        let text = json.to_string();
        if let Err(e) = nshed::fsio::write_atomic(std::path::Path::new(path), text.as_bytes()) {
            eprintln!("error: cannot write `{path}`: {e}");
            eprintln!("help: check that the directory exists and is writable");
            return ExitCode::from(3);
        }
    }
    ExitCode::SUCCESS
}
