//! Training throughput on a generated 10^4-node, 8-level model (fan-in 3–5, a mix of
//! any / all / atleast, ~5% of input nodes firing per sample), batch 1 and batch 32.
//! Also one full evaluation and an LE matrix row count for scale.

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use nshed::engine::testing::{generated, one_phase};
use nshed::engine::{Evaluator, Model, State, Trainer};
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

fn firing_share(ir: &Ir) -> f64 {
    let model = Model::new(ir);
    let mut ev = Evaluator::new(&model);
    let total: usize = ir
        .data
        .samples
        .iter()
        .map(|s| ev.firing(&model, &s.input).len())
        .sum();
    total as f64 / (ir.data.samples.len() * ir.nodes.len()) as f64
}

fn train_steps(c: &mut Criterion) {
    let mut group = c.benchmark_group("train_step");
    for batch in [1u64, 32] {
        let ir = model_ir(batch);
        if batch == 1 {
            eprintln!(
                "generated model: {} nodes, {} edges, {:.2}% of nodes fire per sample",
                ir.nodes.len(),
                ir.edges.len(),
                100.0 * firing_share(&ir)
            );
        }
        let model = Model::new(&ir);
        let mut trainer = Trainer::new(&model);
        let mut state = State::new(&ir, 0);
        group.throughput(Throughput::Elements(1));
        group.bench_function(format!("batch{batch}"), |b| {
            b.iter(|| black_box(trainer.run_steps(&mut state, 1, &mut |_| {})))
        });
    }
    group.finish();

    let ir = model_ir(1);
    let model = Model::new(&ir);
    let state = State::new(&ir, 0);
    let mut ev = Evaluator::new(&model);
    let input = ir.data.samples[0].input.clone();
    c.bench_function("evaluate_one_sample", |b| {
        b.iter(|| black_box(ev.evaluate(&model, &state, &input)))
    });
}

criterion_group!(benches, train_steps);
criterion_main!(benches);
