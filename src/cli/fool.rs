//! `nshed fool`: fooling inputs and output collapse (SPEC 9, seed 000).
//!
//! `nshed fool FILE` trains the file's model, judges random level-1 patterns (or all of them
//! with `--exhaustive`), reports the fooling rate and the output collapse, and searches for
//! the smallest fooling pattern of every class. `nshed fool --depths A..B` does the same on
//! generated models of growing depth and reports the fooling rate and collapse against depth.
//! Both are sweeps (see `cli::sweep`): parallel, shardable, merged by `nshed merge`.

use std::fmt::Write as _;

use clap::builder::TypedValueParser as _;
use rand::RngCore;
use serde::{Deserialize, Serialize};

use super::gen_shape::{parse_depth_list, Depths, GenShapeArgs};
use super::sweep::{OutputArgs, SweepArgs};
use super::{exit, load_model};
use crate::engine::numeric::fmt_num;
use crate::engine::{run_seed, Model, State, Trainer};
use crate::experiments::fool::{
    exhaustive_block, random_block, FoolCriteria, Fooler, PatternStats,
};
use crate::experiments::fool_search::{
    brute_force_smallest, search_smallest, SearchBudget, Smallest,
};
use crate::experiments::generated::generated_ir;
use crate::experiments::streams::stream;
use crate::plot::{
    grouped_bars_svg, line_plot_svg, BarPanel, BarSeries, FigureOptions, LinePlot, LineSeries,
};
use crate::report::Table;

/// Random patterns per sweep point (a point is a block of patterns, so that long runs can be
/// spread over threads and shards).
const BLOCK: u64 = 250;
/// Patterns per point with `--exhaustive`.
const EXHAUSTIVE_BLOCK: u64 = 4096;
/// Most inputs `--exhaustive` enumerates (2^24 patterns).
const MAX_EXHAUSTIVE_INPUTS: usize = 24;

/// Options of `nshed fool`.
#[derive(clap::Args, Debug, Clone)]
#[command(group(clap::ArgGroup::new("what").required(true).args(["file", "depths"])))]
pub struct FoolArgs {
    /// The model file (`-` reads standard input); trained by its `train` block first.
    #[arg(value_name = "FILE", conflicts_with = "depths")]
    pub file: Option<String>,
    /// Instead of a file: generated models with these numbers of levels, `A..B` or `2,4,8`
    /// (shaped by --width, --inputs, --fan-in, --classes, ...).
    #[arg(long, value_name = "A..B", value_parser = parse_depth_list)]
    pub depths: Option<Depths>,
    /// Random level-1 patterns to judge (per model with --depths); every input fires with
    /// probability --density.
    #[arg(long, value_name = "N", default_value_t = 1000, conflicts_with = "exhaustive",
          value_parser = clap::value_parser!(u64).range(1..=10_000_000))]
    pub samples: u64,
    /// Probability that an input fires in a random pattern (0.5: uniform over all patterns).
    #[arg(long, value_name = "Q", default_value_t = 0.5, conflicts_with = "exhaustive",
          value_parser = super::gen::parse_probability)]
    pub density: f64,
    /// A fooling input is at Hamming distance at least D from every training pattern.
    #[arg(long, value_name = "D", default_value_t = 2)]
    pub min_distance: usize,
    /// A fooling input is classified with probability at least P (0 < P <= 1).
    #[arg(long, value_name = "P", default_value_t = 0.99, value_parser = parse_threshold)]
    pub threshold: f64,
    /// Judge every one of the 2^n input patterns (n <= 24) instead of random ones, and find
    /// the smallest fooling pattern per class by enumeration (exact) instead of by search.
    #[arg(long, conflicts_with = "depths")]
    pub exhaustive: bool,
    /// Restarts of the search for the smallest fooling pattern per class (0: no search).
    #[arg(long, value_name = "R", default_value_t = 20, conflicts_with = "depths",
          value_parser = clap::value_parser!(u64).range(0..=100_000).map(|r| r as usize))]
    pub restarts: usize,
    /// Generated models per depth (with --depths), each with its own structure and data.
    #[arg(long, value_name = "M", default_value_t = 3, requires = "depths",
          value_parser = clap::value_parser!(u64).range(1..=100_000))]
    pub models: u64,
    /// Training steps of every generated model (with --depths).
    #[arg(long, value_name = "T", default_value_t = 1000, requires = "depths")]
    pub steps: u64,
    #[command(flatten)]
    pub shape: GenShapeArgs,
    /// Seed of every random stream (wins over `train { seed N }`; with --depths, also picks
    /// the generated models) [default: the file's seed, or 0].
    #[arg(long, value_name = "N")]
    pub seed: Option<u64>,
    /// Judge the initial state: do not train by the file's `train` block.
    #[arg(long, conflicts_with = "depths")]
    pub no_train: bool,
    #[command(flatten)]
    pub sweep: SweepArgs,
    #[command(flatten)]
    pub output: OutputArgs,
}

fn parse_threshold(s: &str) -> Result<f64, String> {
    match s.trim().parse::<f64>() {
        Ok(p) if p > 0.0 && p <= 1.0 => Ok(p),
        _ => Err(format!(
            "`{s}` is not a probability threshold (a number in (0, 1])"
        )),
    }
}

pub fn run(args: &FoolArgs) -> u8 {
    if let Err(code) = args.output.refuse_png("fool") {
        return code;
    }
    match (&args.file, &args.depths) {
        (Some(file), _) => run_file(file, args),
        (None, Some(depths)) => run_depths(&depths.0, args),
        (None, None) => {
            eprintln!("error: give a model FILE or --depths A..B\n  help: nshed fool FILE, or nshed fool --depths 2..12");
            exit::USAGE
        }
    }
}

fn criteria(args: &FoolArgs) -> FoolCriteria {
    FoolCriteria {
        min_distance: args.min_distance,
        threshold: args.threshold,
    }
}

// ---------------------------------------------------------------------------------------
// One model file.

/// Everything the finishing step of `nshed fool FILE` needs (and merge checks).
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct FileParams {
    model: String,
    source_sha256: String,
    seed: u64,
    trained: bool,
    steps: u64,
    exhaustive: bool,
    /// Patterns judged in all.
    patterns: u64,
    density: f64,
    criteria: FoolCriteria,
    budget: SearchBudget,
    blocks: u64,
    inputs: Vec<String>,
    classes: Vec<String>,
}

/// One point of `nshed fool FILE`: a block of patterns, or one class's smallest pattern.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FilePoint {
    Block(PatternStats),
    Smallest(Smallest),
}

fn run_file(file: &str, args: &FoolArgs) -> u8 {
    let compiled = match load_model(file) {
        Ok(c) => c,
        Err(code) => return code,
    };
    let ir = &compiled.ir;
    let model = Model::new(ir);
    let n = model.n_inputs();
    if args.exhaustive && n > MAX_EXHAUSTIVE_INPUTS {
        eprintln!(
            "error: --exhaustive enumerates 2^{n} patterns; at most {MAX_EXHAUSTIVE_INPUTS} inputs are allowed\n  help: drop --exhaustive to judge random patterns (--samples N)"
        );
        return exit::USAGE;
    }
    let seed = run_seed(ir, args.seed);
    let mut state = State::new(ir, seed);
    let mut trainer = Trainer::new(&model);
    let steps = if args.no_train {
        0
    } else {
        trainer.total_steps()
    };
    if !args.no_train {
        trainer.run(&mut state, &mut |_| {});
    }
    let (patterns, block) = if args.exhaustive {
        (1u64 << n, EXHAUSTIVE_BLOCK)
    } else {
        (args.samples, BLOCK)
    };
    let blocks = patterns.div_ceil(block);
    let budget = SearchBudget {
        restarts: args.restarts,
        ..SearchBudget::default()
    };
    let searches = if args.exhaustive || args.restarts > 0 {
        model.n_classes() as u64
    } else {
        0
    };
    let params = FileParams {
        model: ir.model.clone(),
        source_sha256: crate::persist::source_hash(&compiled.source.text),
        seed,
        trained: !args.no_train && ir.train.is_some(),
        steps,
        exhaustive: args.exhaustive,
        patterns,
        density: args.density,
        criteria: criteria(args),
        budget,
        blocks,
        inputs: ir.nodes[..n].iter().map(|node| node.name.clone()).collect(),
        classes: ir.classes.iter().map(|c| c.name.clone()).collect(),
    };
    let total = blocks + searches;
    let state = &state;
    let model = &model;
    let p = &params;
    let results = match args
        .sweep
        .run(total, "fool: patterns and searches", |point| {
            let mut fooler = Fooler::new(model, state, p.criteria);
            if point < p.blocks {
                let start = point * block;
                let count = block.min(p.patterns - start);
                if p.exhaustive {
                    FilePoint::Block(exhaustive_block(&mut fooler, start..start + count))
                } else {
                    let mut rng = stream(p.seed, "fool patterns", point);
                    FilePoint::Block(random_block(&mut fooler, count, p.density, &mut rng))
                }
            } else {
                let class = (point - p.blocks) as usize;
                let found = if p.exhaustive {
                    brute_force_smallest(&mut fooler, class)
                } else {
                    None
                };
                FilePoint::Smallest(found.unwrap_or_else(|| {
                    let mut rng = stream(p.seed, "fool search", class as u64);
                    search_smallest(&mut fooler, class, p.budget, &mut rng)
                }))
            }
        }) {
        Ok(r) => r,
        Err(code) => return code,
    };
    let output = args.output.clone();
    args.sweep
        .finish("fool", params.clone(), total, results, |params, results| {
            finish_file(&params, &results, &output)
        })
}

#[derive(Serialize)]
struct FileReport<'a> {
    experiment: &'static str,
    model: &'a str,
    source_sha256: &'a str,
    seed: u64,
    trained: bool,
    steps: u64,
    mode: &'static str,
    density: Option<f64>,
    min_distance: usize,
    threshold: f64,
    #[serde(flatten)]
    stats: StatsRow,
    smallest_by: Option<&'static str>,
    classes: Vec<ClassRow>,
}

/// The counts of one set of judged patterns, as both reports print them.
#[derive(Serialize)]
struct StatsRow {
    drawn: u64,
    far: u64,
    fooled: u64,
    fooling_rate: Option<f64>,
    distinct_classes: usize,
    distinct_pathways: usize,
}

impl StatsRow {
    fn of(stats: &PatternStats) -> StatsRow {
        StatsRow {
            drawn: stats.drawn,
            far: stats.far,
            fooled: stats.fooled,
            fooling_rate: stats.fooling_rate(),
            distinct_classes: stats.distinct_classes(),
            distinct_pathways: stats.distinct_pathways(),
        }
    }
}

#[derive(Serialize)]
struct ClassRow {
    class: String,
    predicted: u64,
    fooled: u64,
    smallest: Option<SmallestRow>,
}

#[derive(Serialize)]
struct SmallestRow {
    size: Option<usize>,
    pattern: Option<Vec<String>>,
    p: Option<f64>,
    distance: Option<usize>,
    evaluations: u64,
}

fn file_report<'a>(params: &'a FileParams, results: &[FilePoint]) -> FileReport<'a> {
    let k = params.classes.len();
    let stats = PatternStats::total(
        k,
        results.iter().filter_map(|r| match r {
            FilePoint::Block(s) => Some(s),
            FilePoint::Smallest(_) => None,
        }),
    );
    let mut smallest: Vec<Option<&Smallest>> = vec![None; k];
    for r in results {
        if let FilePoint::Smallest(s) = r {
            if let Some(slot) = smallest.get_mut(s.class) {
                *slot = Some(s);
            }
        }
    }
    let name_of = |i: &u32| params.inputs.get(*i as usize).cloned().unwrap_or_default();
    let classes = params
        .classes
        .iter()
        .enumerate()
        .map(|(c, name)| ClassRow {
            class: name.clone(),
            predicted: stats.predicted_per_class.get(c).copied().unwrap_or(0),
            fooled: stats.fooled_per_class.get(c).copied().unwrap_or(0),
            smallest: smallest[c].map(|s| SmallestRow {
                size: s.size(),
                pattern: s.pattern.as_ref().map(|p| p.iter().map(name_of).collect()),
                p: s.p,
                distance: s.distance,
                evaluations: s.evaluations,
            }),
        })
        .collect();
    let searched = smallest.iter().any(Option::is_some);
    FileReport {
        experiment: "fool",
        model: &params.model,
        source_sha256: &params.source_sha256,
        seed: params.seed,
        trained: params.trained,
        steps: params.steps,
        mode: if params.exhaustive {
            "exhaustive"
        } else {
            "random"
        },
        density: (!params.exhaustive).then_some(params.density),
        min_distance: params.criteria.min_distance,
        threshold: params.criteria.threshold,
        stats: StatsRow::of(&stats),
        smallest_by: searched.then_some(if params.exhaustive {
            "enumeration"
        } else {
            "search"
        }),
        classes,
    }
}

pub(super) fn finish_file(params: &FileParams, results: &[FilePoint], output: &OutputArgs) -> u8 {
    let report = file_report(params, results);
    output.emit(&report, file_csv, file_figure, file_table)
}

fn opt_num(v: Option<f64>) -> String {
    v.map_or("-".to_string(), fmt_num)
}

fn pattern_text(p: &Option<Vec<String>>) -> String {
    match p {
        Some(names) => format!("{{{}}}", names.join(" ")),
        None => "none found".to_string(),
    }
}

fn file_table(r: &FileReport) -> String {
    let mut out = format!(
        "fooling inputs of {} (seed {}, {})\n",
        r.model,
        r.seed,
        if r.trained {
            format!("trained {} steps", r.steps)
        } else {
            "untrained".to_string()
        }
    );
    let what = match r.density {
        Some(q) => format!("{} random patterns (density {})", r.stats.drawn, fmt_num(q)),
        None => format!("all {} patterns", r.stats.drawn),
    };
    let _ = writeln!(
        out,
        "{what}: {} at distance >= {} from every training pattern, {} of them classified with p >= {}",
        r.stats.far,
        r.min_distance,
        r.stats.fooled,
        fmt_num(r.threshold)
    );
    let _ = writeln!(out, "fooling rate: {}", opt_num(r.stats.fooling_rate));
    let _ = writeln!(
        out,
        "output collapse: {} distinct predicted classes, {} distinct level-(L-1) pathways\n",
        r.stats.distinct_classes, r.stats.distinct_pathways
    );
    let by = r.smallest_by.unwrap_or("search");
    let mut table = Table::new(&[
        "class",
        "predicted",
        "fooled",
        "smallest",
        "p",
        "distance",
        "pattern",
    ]);
    for c in &r.classes {
        let (size, p, d, pattern) = match &c.smallest {
            Some(s) => (
                s.size.map_or("-".into(), |n| n.to_string()),
                opt_num(s.p),
                s.distance.map_or("-".into(), |d| d.to_string()),
                pattern_text(&s.pattern),
            ),
            None => ("-".into(), "-".into(), "-".into(), "(no search)".into()),
        };
        table.row(vec![
            c.class.clone(),
            c.predicted.to_string(),
            c.fooled.to_string(),
            size,
            p,
            d,
            pattern,
        ]);
    }
    let _ = writeln!(out, "per class (smallest fooling pattern by {by}):");
    out.push_str(&table.to_string());
    out
}

fn file_csv(r: &FileReport) -> String {
    let mut out =
        String::from("class,predicted,fooled,smallest_size,smallest_pattern,p,distance\n");
    for c in &r.classes {
        let s = c.smallest.as_ref();
        let _ = writeln!(
            out,
            "{},{},{},{},{},{},{}",
            c.class,
            c.predicted,
            c.fooled,
            s.and_then(|s| s.size)
                .map_or(String::new(), |n| n.to_string()),
            s.and_then(|s| s.pattern.as_ref())
                .map_or(String::new(), |p| p.join(" ")),
            s.and_then(|s| s.p).map_or(String::new(), |p| p.to_string()),
            s.and_then(|s| s.distance)
                .map_or(String::new(), |d| d.to_string()),
        );
    }
    out
}

fn file_figure(r: &FileReport) -> String {
    let categories: Vec<String> = r.classes.iter().map(|c| c.class.clone()).collect();
    let panels = vec![
        BarPanel {
            title: "Patterns per predicted class".into(),
            y_label: "patterns".into(),
            categories: categories.clone(),
            series: vec![
                BarSeries {
                    label: "predicted".into(),
                    values: r.classes.iter().map(|c| c.predicted as f64).collect(),
                },
                BarSeries {
                    label: format!("fooling (p >= {})", fmt_num(r.threshold)),
                    values: r.classes.iter().map(|c| c.fooled as f64).collect(),
                },
            ],
        },
        BarPanel {
            title: "Smallest fooling pattern".into(),
            y_label: "firing inputs".into(),
            categories,
            series: vec![BarSeries {
                label: "smallest size".into(),
                values: r
                    .classes
                    .iter()
                    .map(|c| {
                        c.smallest
                            .as_ref()
                            .and_then(|s| s.size)
                            .map_or(f64::NAN, |n| n as f64)
                    })
                    .collect(),
            }],
        },
    ];
    let title = format!(
        "Fooling inputs of {}: rate {} (d >= {}, p >= {})",
        r.model,
        opt_num(r.stats.fooling_rate),
        r.min_distance,
        fmt_num(r.threshold)
    );
    grouped_bars_svg(&panels, &FigureOptions::titled(title))
}

// ---------------------------------------------------------------------------------------
// Generated models of growing depth.

/// Everything the finishing step of `nshed fool --depths` needs.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct DepthParams {
    depths: Vec<usize>,
    models: u64,
    steps: u64,
    seed: u64,
    samples: u64,
    density: f64,
    criteria: FoolCriteria,
    shape: GenShapeArgs,
}

/// One generated model of one depth.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct DepthPoint {
    depth: usize,
    model: u64,
    model_seed: u64,
    accuracy: Option<f64>,
    stats: PatternStats,
}

fn run_depths(depths: &[usize], args: &FoolArgs) -> u8 {
    if let Err(e) = args.shape.validate(depths, args.steps) {
        eprintln!("error: cannot generate the models: {e}\n  help: see nshed fool --help for the shape options (--width, --inputs, --fan-in, ...)");
        return exit::USAGE;
    }
    let params = DepthParams {
        depths: depths.to_vec(),
        models: args.models,
        steps: args.steps,
        seed: args.seed.unwrap_or(0),
        samples: args.samples,
        density: args.density,
        criteria: criteria(args),
        shape: args.shape.clone(),
    };
    let total = depths.len() as u64 * args.models;
    let p = &params;
    let ok =
        match args
            .sweep
            .run_fallible(total, "fool: models", "generated model of point", |point| {
                depth_point(p, point)
            }) {
            Ok(r) => r,
            Err(code) => return code,
        };
    let output = args.output.clone();
    args.sweep.finish(
        "fool-depths",
        params.clone(),
        total,
        ok,
        |params, results| finish_depths(&params, &results, &output),
    )
}

/// Point `point` = model `point % models` of depth `depths[point / models]`.
fn depth_point(p: &DepthParams, point: u64) -> Result<DepthPoint, String> {
    let depth = p.depths[(point / p.models) as usize];
    let model_seed = stream(p.seed, "fool model", point).next_u64();
    let ir = generated_ir(&p.shape.params(depth, p.steps, model_seed))?;
    let model = Model::new(&ir);
    let mut state = State::for_run(&ir, p.seed, point);
    Trainer::new(&model).run(&mut state, &mut |_| {});
    let mut fooler = Fooler::new(&model, &state, p.criteria);
    let mut rng = stream(p.seed, "fool patterns", point);
    let stats = random_block(&mut fooler, p.samples, p.density, &mut rng);
    Ok(DepthPoint {
        depth,
        model: point % p.models,
        model_seed,
        accuracy: crate::report::accuracy(&model, &state),
        stats,
    })
}

#[derive(Serialize)]
struct DepthRow {
    depth: usize,
    models: usize,
    /// Fooled over far patterns, pooled over the depth's models.
    fooling_rate: Option<f64>,
    far: u64,
    fooled: u64,
    /// Means over the depth's models.
    distinct_classes: f64,
    distinct_pathways: f64,
    accuracy: Option<f64>,
}

#[derive(Serialize)]
struct ModelRow {
    depth: usize,
    model: u64,
    model_seed: u64,
    accuracy: Option<f64>,
    #[serde(flatten)]
    stats: StatsRow,
}

#[derive(Serialize)]
struct DepthReport<'a> {
    experiment: &'static str,
    seed: u64,
    models_per_depth: u64,
    steps: u64,
    samples: u64,
    density: f64,
    min_distance: usize,
    threshold: f64,
    shape: &'a GenShapeArgs,
    depths: Vec<DepthRow>,
    models: Vec<ModelRow>,
}

fn mean(xs: impl Iterator<Item = f64>) -> Option<f64> {
    let (mut sum, mut n) = (0.0, 0usize);
    for x in xs {
        sum += x;
        n += 1;
    }
    (n > 0).then(|| sum / n as f64)
}

fn depth_report<'a>(params: &'a DepthParams, results: &[DepthPoint]) -> DepthReport<'a> {
    let depths = params
        .depths
        .iter()
        .map(|&d| {
            let of_depth: Vec<&DepthPoint> = results.iter().filter(|r| r.depth == d).collect();
            let far: u64 = of_depth.iter().map(|r| r.stats.far).sum();
            let fooled: u64 = of_depth.iter().map(|r| r.stats.fooled).sum();
            DepthRow {
                depth: d,
                models: of_depth.len(),
                fooling_rate: (far > 0).then(|| fooled as f64 / far as f64),
                far,
                fooled,
                distinct_classes: mean(of_depth.iter().map(|r| r.stats.distinct_classes() as f64))
                    .unwrap_or(0.0),
                distinct_pathways: mean(
                    of_depth.iter().map(|r| r.stats.distinct_pathways() as f64),
                )
                .unwrap_or(0.0),
                accuracy: mean(of_depth.iter().filter_map(|r| r.accuracy)),
            }
        })
        .collect();
    let models = results
        .iter()
        .map(|r| ModelRow {
            depth: r.depth,
            model: r.model,
            model_seed: r.model_seed,
            accuracy: r.accuracy,
            stats: StatsRow::of(&r.stats),
        })
        .collect();
    DepthReport {
        experiment: "fool-depths",
        seed: params.seed,
        models_per_depth: params.models,
        steps: params.steps,
        samples: params.samples,
        density: params.density,
        min_distance: params.criteria.min_distance,
        threshold: params.criteria.threshold,
        shape: &params.shape,
        depths,
        models,
    }
}

pub(super) fn finish_depths(
    params: &DepthParams,
    results: &[DepthPoint],
    output: &OutputArgs,
) -> u8 {
    let report = depth_report(params, results);
    output.emit(&report, depth_csv, depth_figure, depth_table)
}

fn depth_table(r: &DepthReport) -> String {
    let mut out = format!(
        "fooling inputs and output collapse against depth (seed {}, {} models per depth, {} training steps, {} random patterns of density {} per model, d >= {}, p >= {})\n",
        r.seed,
        r.models_per_depth,
        r.steps,
        r.samples,
        fmt_num(r.density),
        r.min_distance,
        fmt_num(r.threshold)
    );
    let mut table = Table::new(&[
        "levels",
        "fooling rate",
        "far",
        "fooled",
        "distinct classes",
        "distinct pathways",
        "accuracy",
    ]);
    for d in &r.depths {
        table.row(vec![
            d.depth.to_string(),
            opt_num(d.fooling_rate),
            d.far.to_string(),
            d.fooled.to_string(),
            fmt_num(d.distinct_classes),
            fmt_num(d.distinct_pathways),
            opt_num(d.accuracy),
        ]);
    }
    out.push_str(&table.to_string());
    out
}

fn depth_csv(r: &DepthReport) -> String {
    let mut out = String::from(
        "levels,fooling_rate,far,fooled,distinct_classes,distinct_pathways,accuracy\n",
    );
    let opt = |v: Option<f64>| v.map_or(String::new(), |x| x.to_string());
    for d in &r.depths {
        let _ = writeln!(
            out,
            "{},{},{},{},{},{},{}",
            d.depth,
            opt(d.fooling_rate),
            d.far,
            d.fooled,
            d.distinct_classes,
            d.distinct_pathways,
            opt(d.accuracy)
        );
    }
    out
}

fn depth_figure(r: &DepthReport) -> String {
    let classes = r.shape.classes as f64;
    let samples = r.samples as f64;
    let series = |label: &str, f: &dyn Fn(&DepthRow) -> Option<f64>| LineSeries {
        label: label.to_string(),
        points: r
            .depths
            .iter()
            .filter_map(|d| f(d).map(|y| (d.depth as f64, y)))
            .collect(),
    };
    let plot = LinePlot {
        x_label: "levels L".into(),
        y_label: "share".into(),
        series: vec![
            series("fooling rate", &|d| d.fooling_rate),
            series("distinct classes / classes", &|d| {
                Some(d.distinct_classes / classes)
            }),
            series("distinct level-(L-1) pathways / patterns", &|d| {
                Some(d.distinct_pathways / samples)
            }),
            series("training accuracy", &|d| d.accuracy),
        ],
        x_log: false,
        y_log: false,
    };
    let title = format!(
        "Fooling and output collapse against depth ({} models per depth, p >= {})",
        r.models_per_depth,
        fmt_num(r.threshold)
    );
    line_plot_svg(&plot, &FigureOptions::titled(title))
}
