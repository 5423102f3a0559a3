//! One row of the basin target: 256 grid points of examples/fig4.nshed (lambda of p1
//! and p3 over 0..0.02), 1000 training steps each, on one thread. The full 256 x 256 image is
//! 256 such rows; divide by the core count for the expected wall time.
// `criterion_group!` declares an undocumented public function.
#![allow(missing_docs)]

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use nshed::experiments::basin::{Axis, Basin, OutcomeKind, Workspace};

const GRID: u64 = 256;
const STEPS: u64 = 1000;

fn fig4() -> nshed::ir::Ir {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/fig4.nshed");
    let mut ir = nshed::compile_path(path).expect("fig4 compiles").into_ir();
    if let Some(train) = ir.train.as_mut() {
        train.phases.truncate(1);
        train.phases[0].steps = STEPS;
    }
    ir
}

fn basin_row(c: &mut Criterion) {
    let ir = fig4();
    let node = |name: &str| ir.nodes.iter().position(|n| n.name == name).expect("node");
    let basin = Basin::new(&ir, 1, node("p1"), node("p3"), OutcomeKind::Top, true);
    let axis = Axis {
        lo: 0.0,
        hi: 0.02,
        log: false,
    };
    let mut work = Workspace::new(basin.model());
    let row = GRID / 2;
    let mut group = c.benchmark_group("basin");
    group.sample_size(10);
    // Throughput in training steps, so criterion reports steps per second.
    group.throughput(Throughput::Elements(GRID * STEPS));
    group.bench_function("fig4_row_256x1000", |b| {
        b.iter(|| {
            for col in 0..GRID {
                let x = axis.cell_centre(col, GRID);
                let y = axis.cell_centre(row, GRID);
                black_box(basin.outcome_with(&mut work, x, y));
            }
        })
    });
    // The same row with fresh scratch space per run (trainer, evaluator, state): what the
    // per-worker pool of `nshed basin` saves.
    group.bench_function("fig4_row_256x1000_fresh_workspace", |b| {
        b.iter(|| {
            for col in 0..GRID {
                let x = axis.cell_centre(col, GRID);
                let y = axis.cell_centre(row, GRID);
                black_box(basin.outcome(x, y));
            }
        })
    });
    group.finish();
}

criterion_group!(benches, basin_row);
criterion_main!(benches);
