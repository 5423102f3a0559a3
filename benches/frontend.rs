//! Front-end speed on generated models (`nshed::gen::generate_sized`, 5 levels, ~5% of
//! nodes firing per sample): generating the text, parsing it (`parse`: the fast parser,
//! as `nshed` runs it; `parse_pest`: the pest grammar alone, the reference, for 10^4 and
//! 10^5 nodes only since it is slow), checking a parsed file (`check`), and parsing +
//! checking (`nshed::compile`). 10^4 and 10^5 nodes run in the main groups; 10^6 nodes
//! run in their own groups with fewer samples because one iteration takes about a second.
//!
//! `csv_data`: reading and checking `examples/digits.nshed` with its training file replaced
//! by a generated CSV file of 10^5 rows x 64 pixel columns (`nshed::compile_path`, what
//! `nshed check` does).
//!
//! Run: `cargo bench --bench frontend -- --warm-up-time 1 --measurement-time 5`
// `criterion_group!` declares an undocumented public function.
#![allow(missing_docs)]

use criterion::{black_box, criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};

use nshed::gen::generate_sized;
use nshed::source::Source;

const LEVELS: usize = 5;
const SEED: u64 = 1;

fn bench_sizes(c: &mut Criterion, suffix: &str, sizes: &[usize], samples: usize, pest: bool) {
    let models: Vec<(usize, String)> = sizes
        .iter()
        .map(|&n| (n, generate_sized(n, LEVELS, SEED)))
        .collect();

    let mut group = c.benchmark_group(format!("generate{suffix}"));
    group.sample_size(samples);
    for &(n, _) in &models {
        group.throughput(Throughput::Elements(n as u64));
        group.bench_with_input(BenchmarkId::from_parameter(n), &n, |b, &n| {
            b.iter(|| generate_sized(black_box(n), LEVELS, SEED))
        });
    }
    group.finish();

    let mut group = c.benchmark_group(format!("parse{suffix}"));
    group.sample_size(samples);
    for (n, text) in &models {
        group.throughput(Throughput::Bytes(text.len() as u64));
        group.bench_with_input(BenchmarkId::from_parameter(n), text, |b, text| {
            b.iter(|| nshed::syntax::parse_file(black_box(text)).map(|f| f.model.items.len()))
        });
    }
    group.finish();

    if pest {
        let mut group = c.benchmark_group(format!("parse_pest{suffix}"));
        group.sample_size(samples);
        for (n, text) in &models {
            group.throughput(Throughput::Bytes(text.len() as u64));
            group.bench_with_input(BenchmarkId::from_parameter(n), text, |b, text| {
                b.iter(|| {
                    nshed::syntax::parse_file_pest(black_box(text)).map(|f| f.model.items.len())
                })
            });
        }
        group.finish();
    }

    let mut group = c.benchmark_group(format!("check{suffix}"));
    group.sample_size(samples);
    for (n, text) in &models {
        let Ok(file) = nshed::syntax::parse_file(text) else {
            continue;
        };
        group.throughput(Throughput::Elements(*n as u64));
        group.bench_with_input(BenchmarkId::from_parameter(n), &file, |b, file| {
            b.iter(|| nshed::check::check(black_box(file)).ir.is_some())
        });
    }
    group.finish();

    let mut group = c.benchmark_group(format!("parse_check{suffix}"));
    group.sample_size(samples);
    for (n, text) in &models {
        group.throughput(Throughput::Bytes(text.len() as u64));
        group.bench_with_input(BenchmarkId::from_parameter(n), text, |b, text| {
            b.iter(|| {
                let source = Source {
                    name: "generated.nshed".to_string(),
                    text: black_box(text).clone(),
                };
                nshed::compile(source).is_ok()
            })
        });
    }
    group.finish();
}

fn small_models(c: &mut Criterion) {
    bench_sizes(c, "", &[10_000, 100_000], 20, true);
}

fn million_nodes(c: &mut Criterion) {
    bench_sizes(c, "_1e6", &[1_000_000], 10, false);
}

/// A CSV file of `rows` random digit rows (header as the digits example's) and the digits
/// model reading it, in `dir`; returns the model's path.
fn big_digits_model(dir: &std::path::Path, rows: usize) -> std::path::PathBuf {
    use rand::{Rng, SeedableRng};
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(SEED);
    let mut csv = String::from("name,label");
    for r in 0..8 {
        for c in 0..8 {
            csv.push_str(&format!(",r{r}c{c}"));
        }
    }
    csv.push('\n');
    for i in 0..rows {
        csv.push_str(&format!("img{i},d{}", i % 10));
        for _ in 0..64 {
            csv.push_str(if rng.gen_bool(0.4) { ",1" } else { ",0" });
        }
        csv.push('\n');
    }
    std::fs::create_dir_all(dir.join("data")).expect("data folder");
    std::fs::write(dir.join("data/digits_train.csv"), csv).expect("csv");
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples");
    std::fs::copy(
        root.join("data/digits_test.csv"),
        dir.join("data/digits_test.csv"),
    )
    .expect("test csv");
    let model = dir.join("digits.nshed");
    std::fs::copy(root.join("digits.nshed"), &model).expect("model");
    model
}

fn csv_data(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("temporary folder");
    let model = big_digits_model(dir.path(), 100_000);
    let mut group = c.benchmark_group("csv_data");
    group.sample_size(10);
    group.bench_function("check_100000x64", |b| {
        b.iter(|| nshed::compile_path(black_box(&model)).is_ok())
    });
    group.finish();
}

criterion_group!(benches, small_models, million_nodes, csv_data);
criterion_main!(benches);
