//! Training throughput on a generated 10^4-node, 8-level model (fan-in 3–5, a mix of
//! any / all / atleast, ~5% of input nodes firing per sample), batch 1 and batch 32;
//! the same model with 10x more nodes that never fire (a step must cost what fires,
//! not what the model holds); one full evaluation; and the LE matrix of 1000 samples.
// `criterion_group!` declares an undocumented public function.
#![allow(missing_docs)]

use std::hint::black_box;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use nshed::engine::testing::{generated, one_phase, with_silent_nodes};
use nshed::engine::{le_matrix, train, Control, Evaluator, Model, State, Trainer, Until};
use nshed::ir::{EtaUpdate, Ir, Sampler};

fn model_ir(batch: u64) -> Ir {
    let mut ir = generated(10_000, 8, 10, 1000, 0.05, 1);
    ir.train = Some(one_phase(
        &ir,
        u64::MAX,
        batch,
        Sampler::Replace,
        EtaUpdate::Union,
        0,
    ));
    ir
}

/// Mean number of firing nodes per sample.
fn mean_firing(ir: &Ir) -> f64 {
    let model = Model::new(ir);
    let mut ev = Evaluator::new(&model);
    let total: usize = ir
        .data
        .samples
        .iter()
        .map(|s| ev.firing(&model, &s.input).len())
        .sum();
    total as f64 / ir.data.samples.len() as f64
}

/// The 10^4 model padded with nodes that never fire, so that it has 10x as many
/// non-firing nodes per sample.
fn silent_ir(ir: &Ir) -> Ir {
    let non_firing = ir.nodes.len() as f64 - mean_firing(ir);
    let extra_total = 9.0 * non_firing;
    let padded = with_silent_nodes(ir, (extra_total / ir.levels.len() as f64).ceil() as usize);
    let ratio = (padded.nodes.len() as f64 - mean_firing(&padded)) / non_firing;
    eprintln!(
        "padded model: {} nodes, {:.1} firing per sample, {ratio:.2}x the non-firing nodes",
        padded.nodes.len(),
        mean_firing(&padded)
    );
    padded
}

fn bench_steps(c: &mut Criterion, name: &str, ir: &Ir) {
    let model = Model::new(ir);
    let mut trainer = Trainer::new(&model);
    let mut state = State::new(ir, 0);
    let mut group = c.benchmark_group("train_step");
    group.throughput(Throughput::Elements(1));
    let one_step = Control {
        stop_after: Some(1),
        ..Control::default()
    };
    group.bench_function(name, |b| {
        b.iter(|| {
            black_box(train(
                &mut trainer,
                &mut state,
                Until::EndOfSchedule,
                &one_step,
                None,
            ))
        })
    });
    group.finish();
}

fn train_steps(c: &mut Criterion) {
    let ir = model_ir(1);
    eprintln!(
        "generated model: {} nodes, {} edges, {:.1} nodes ({:.2}%) fire per sample",
        ir.nodes.len(),
        ir.edges.len(),
        mean_firing(&ir),
        100.0 * mean_firing(&ir) / ir.nodes.len() as f64
    );
    bench_steps(c, "batch1", &ir);
    bench_steps(c, "batch32", &model_ir(32));
    bench_steps(c, "batch1_10x_silent", &silent_ir(&ir));

    let model = Model::new(&ir);
    let state = State::new(&ir, 0);
    let mut ev = Evaluator::new(&model);
    let input = ir.data.samples[0].input.clone();
    c.bench_function("evaluate_one_sample", |b| {
        b.iter(|| black_box(ev.evaluate(&model, &state, &input)))
    });
}

/// The LE matrix (1000 x 1000) of the 10^4 model, after 1000 training steps.
fn le_matrix_1000(c: &mut Criterion) {
    let ir = model_ir(1);
    let model = Model::new(&ir);
    let mut state = State::new(&ir, 0);
    let thousand = Control {
        stop_after: Some(1000),
        ..Control::default()
    };
    train(
        &mut Trainer::new(&model),
        &mut state,
        Until::EndOfSchedule,
        &thousand,
        None,
    );
    let mut group = c.benchmark_group("le_matrix");
    group.sample_size(10);
    group.warm_up_time(Duration::from_millis(1));
    group.measurement_time(Duration::from_secs(1));
    group.bench_function("samples1000_nodes10k", |b| {
        b.iter(|| black_box(le_matrix(&model, &state)))
    });
    group.finish();
}

criterion_group!(benches, train_steps, le_matrix_1000);
criterion_main!(benches);
