//! `nshed depth`: initialisation, freezing and depth (SPEC 9, seed 003).
//!
//! For each depth (generated models with `--depths`, or the one model of FILE) and each init
//! distribution (`--init`), `--seeds` runs start from their own random init and train by the
//! schedule; the spread of `ln Z` across those runs (mean over data samples and classes of
//! the standard deviation across seeds) is reported against depth. With `--freeze LEVEL`
//! every run is repeated with that level's `lambda` held fixed, and accuracy, sparsity and
//! local elasticity of the two are compared. A sweep (see `cli::sweep`): parallel,
//! shardable, merged by `nshed merge`.

use std::fmt::Write as _;

use serde::{Deserialize, Serialize};

use super::gen_shape::{parse_depth_list, Depths, GenShapeArgs};
use super::sweep::{OutputArgs, SweepArgs};
use super::{exit, load_model};
use crate::engine::numeric::fmt_num;
use crate::engine::run_seed;
use crate::experiments::depth::{measure_run, spread, with_init, InitKind, RunMeasures, Spread};
use crate::experiments::generated::generated_ir;
use crate::ir::Ir;
use crate::plot::{
    grouped_bars_svg, line_plot_svg, stack_svgs, BarPanel, BarSeries, FigureOptions, LinePlot,
    LineSeries, Sized,
};
use crate::report::Table;

/// Options of `nshed depth`.
#[derive(clap::Args, Debug, Clone)]
#[command(group(clap::ArgGroup::new("what").required(true).args(["file", "depths"])))]
pub struct DepthArgs {
    /// The model file (`-` reads standard input); its init is replaced by each --init, and
    /// it trains by its `train` block.
    #[arg(value_name = "FILE", conflicts_with = "depths")]
    pub file: Option<String>,
    /// Instead of a file: generated models with these numbers of levels, `A..B` or `2,4,8`
    /// (one structure per depth, picked by --seed; shaped by --width, --inputs, ...).
    #[arg(long, value_name = "A..B", value_parser = parse_depth_list)]
    pub depths: Option<Depths>,
    /// Init distributions of every lambda and eta, all with mean 1: const (1), uniform(0, 2),
    /// normal(1, 1/sqrt 3) clipped at 0, lognormal with sd 1/sqrt 3.
    #[arg(
        long,
        value_name = "KIND,...",
        value_enum,
        value_delimiter = ',',
        default_value = "const,uniform,normal,lognormal"
    )]
    pub init: Vec<InitKind>,
    /// Runs (seeds) per depth and init; the spread is taken across them.
    #[arg(long, value_name = "N", default_value_t = 8,
          value_parser = clap::value_parser!(u64).range(2..=100_000))]
    pub seeds: u64,
    /// Training steps of the generated models (with --depths; 0 measures at initialisation).
    #[arg(long, value_name = "T", default_value_t = 0, requires = "depths")]
    pub steps: u64,
    #[command(flatten)]
    pub shape: GenShapeArgs,
    /// Also train every run with this level's lambda frozen (a number, 1 = input level, or
    /// a level name of FILE) and compare accuracy, sparsity and LE. Needs training. LE is
    /// taken over every pair of data samples, so its cost grows with their number squared.
    #[arg(long, value_name = "LEVEL")]
    pub freeze: Option<String>,
    /// Base seed: run i of every (depth, init) uses stream i of it; with --depths it also
    /// picks the models [default: the file's seed, or 0].
    #[arg(long, value_name = "N")]
    pub seed: Option<u64>,
    /// Measure at initialisation: do not train by the file's `train` block.
    #[arg(long, conflicts_with = "depths")]
    pub no_train: bool,
    #[command(flatten)]
    pub sweep: SweepArgs,
    #[command(flatten)]
    pub output: OutputArgs,
}

/// Where the runs' models come from.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "snake_case")]
pub enum ModelSource {
    File {
        model: String,
        source_sha256: String,
        trained: bool,
    },
    Generated {
        shape: GenShapeArgs,
        steps: u64,
    },
}

/// Everything the finishing step needs.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct DepthParams {
    source: ModelSource,
    depths: Vec<usize>,
    inits: Vec<InitKind>,
    seeds: u64,
    seed: u64,
    /// The frozen level (0 = input level) and its name.
    freeze: Option<(usize, String)>,
}

/// One run.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct DepthPoint {
    depth: usize,
    init: InitKind,
    run: u64,
    measures: RunMeasures,
}

fn usage(message: &str, help: &str) -> u8 {
    eprintln!("error: {message}\n  help: {help}");
    exit::USAGE
}

/// The frozen level of `--freeze` (0-based) for a model with `levels` (names of levels
/// 1..L-1), or an error message.
fn resolve_level(spec: &str, names: &[String]) -> Result<(usize, String), String> {
    if let Ok(k) = spec.trim().parse::<usize>() {
        if k >= 1 && k <= names.len() {
            return Ok((k - 1, names[k - 1].clone()));
        }
        return Err(format!(
            "level {k} cannot be frozen: the feature levels are 1 to {}",
            names.len()
        ));
    }
    match names.iter().position(|n| n == spec.trim()) {
        Some(i) => Ok((i, names[i].clone())),
        None => Err(format!(
            "unknown level `{spec}` (levels: {})",
            names.join(", ")
        )),
    }
}

pub fn run(args: &DepthArgs) -> u8 {
    if let Err(code) = args.output.refuse_png("depth") {
        return code;
    }
    let inits = args.init.clone();
    let repeated = inits
        .iter()
        .enumerate()
        .any(|(i, kind)| inits[..i].contains(kind));
    if repeated || inits.is_empty() {
        return usage(
            "--init names a distribution twice",
            "list each of const, uniform, normal, lognormal at most once",
        );
    }
    let seed;
    let (source, depths, base_ir): (ModelSource, Vec<usize>, Option<Ir>) = match (
        &args.file,
        &args.depths,
    ) {
        (Some(file), _) => {
            let compiled = match load_model(file) {
                Ok(c) => c,
                Err(code) => return code,
            };
            seed = run_seed(&compiled.ir, args.seed);
            let mut ir = compiled.ir;
            let trained = !args.no_train && ir.train.is_some();
            if args.no_train {
                ir.train = None;
            }
            if let Some(t) = ir.train.as_mut() {
                t.record = None;
            }
            let source = ModelSource::File {
                model: ir.model.clone(),
                source_sha256: crate::persist::source_hash(&compiled.source.text),
                trained,
            };
            (source, vec![ir.n_levels()], Some(ir))
        }
        (None, Some(depths)) => {
            seed = args.seed.unwrap_or(0);
            if let Err(e) = args.shape.validate(&depths.0, args.steps) {
                return usage(
                        &format!("cannot generate the models: {e}"),
                        "see nshed depth --help for the shape options (--width, --inputs, --fan-in, ...)",
                    );
            }
            let source = ModelSource::Generated {
                shape: args.shape.clone(),
                steps: args.steps,
            };
            (source, depths.0.clone(), None)
        }
        (None, None) => {
            return usage(
                "give a model FILE or --depths A..B",
                "nshed depth --depths 2..10",
            )
        }
    };
    let freeze = match &args.freeze {
        None => None,
        Some(spec) => {
            let names: Vec<String> = match &base_ir {
                Some(ir) => ir.levels.iter().map(|l| l.name.clone()).collect(),
                None => {
                    let shallowest = depths.iter().copied().min().unwrap_or(2);
                    (0..shallowest - 1)
                        .map(crate::gen::GenParams::level_name)
                        .collect()
                }
            };
            match resolve_level(spec, &names) {
                Ok(level) => Some(level),
                Err(e) => {
                    return usage(
                        &e,
                        "--freeze takes a level number (1 = input level) below the class level of every model, or a level name",
                    )
                }
            }
        }
    };
    let trains = match &source {
        ModelSource::File { trained, .. } => *trained,
        ModelSource::Generated { steps, .. } => *steps > 0,
    };
    if freeze.is_some() && !trains {
        return usage(
            "--freeze compares trained runs, but these runs are not trained",
            "with --depths give --steps N; with a FILE it needs a `train` block and no --no-train",
        );
    }
    let params = DepthParams {
        source,
        depths,
        inits,
        seeds: args.seeds,
        seed,
        freeze,
    };
    let per_depth = params.inits.len() as u64 * params.seeds;
    let total = params.depths.len() as u64 * per_depth;
    let p = &params;
    let base = &base_ir;
    let ok = match args
        .sweep
        .run_fallible(total, "depth: runs", "model of run", |point| {
            let depth = p.depths[(point / per_depth) as usize];
            let init = p.inits[((point / p.seeds) % p.inits.len() as u64) as usize];
            let run = point % p.seeds;
            let ir = match (base, &p.source) {
                (Some(ir), _) => ir.clone(),
                (None, ModelSource::Generated { shape, steps }) => {
                    generated_ir(&shape.params(depth, *steps, p.seed))?
                }
                (None, ModelSource::File { .. }) => return Err("the model file is missing".into()),
            };
            let ir = with_init(&ir, init);
            Ok(DepthPoint {
                depth,
                init,
                run,
                measures: measure_run(&ir, p.seed, run, p.freeze.as_ref().map(|f| f.0)),
            })
        }) {
        Ok(r) => r,
        Err(code) => return code,
    };
    let output = args.output.clone();
    args.sweep
        .finish("depth", params.clone(), total, ok, |params, results| {
            finish(&params, &results, &output)
        })
}

/// One (depth, init) cell.
#[derive(Serialize)]
struct Cell {
    depth: usize,
    init: &'static str,
    runs: usize,
    /// Spread of `ln Z` across runs: mean over (sample, class) of the sd across runs.
    ln_z_spread: Spread,
    /// The same for the probabilities `p`.
    p_spread: Spread,
    accuracy: Option<f64>,
    /// Effective number of nodes of the top feature level (level L-1), mean over runs.
    effective_nodes_top: Option<f64>,
    freeze: Option<FreezeCell>,
}

/// Means over runs, trained as scheduled vs with the level frozen.
#[derive(Serialize)]
struct FreezeCell {
    accuracy: Pair,
    effective_nodes_top: Pair,
    le_within: Pair,
    le_between: Pair,
    /// Largest change of `ln lambda` on the frozen level over all runs (0 when frozen).
    level_change: Pair,
}

#[derive(Serialize)]
struct Pair {
    trained: Option<f64>,
    frozen: Option<f64>,
}

#[derive(Serialize)]
struct Report<'a> {
    experiment: &'static str,
    source: &'a ModelSource,
    seed: u64,
    seeds: u64,
    frozen_level: Option<&'a str>,
    cells: Vec<Cell>,
}

fn mean(xs: impl Iterator<Item = f64>) -> Option<f64> {
    let (mut sum, mut n) = (0.0, 0usize);
    for x in xs {
        sum += x;
        n += 1;
    }
    (n > 0).then(|| sum / n as f64)
}

fn max(xs: impl Iterator<Item = f64>) -> Option<f64> {
    xs.fold(None, |m, x| Some(m.map_or(x, |m: f64| m.max(x))))
}

fn report<'a>(params: &'a DepthParams, results: &[DepthPoint]) -> Report<'a> {
    let mut cells = Vec::new();
    for &depth in &params.depths {
        for &init in &params.inits {
            let runs: Vec<&RunMeasures> = results
                .iter()
                .filter(|r| r.depth == depth && r.init == init)
                .map(|r| &r.measures)
                .collect();
            let ln_z: Vec<&[Option<f64>]> = runs.iter().map(|m| m.ln_z.as_slice()).collect();
            let p_opt: Vec<Vec<Option<f64>>> = runs
                .iter()
                .map(|m| m.p.iter().map(|&x| Some(x)).collect())
                .collect();
            let p_refs: Vec<&[Option<f64>]> = p_opt.iter().map(Vec::as_slice).collect();
            let top = |o: &crate::experiments::depth::Outcome| o.effective_nodes.last().copied();
            let freeze = params.freeze.as_ref().map(|_| {
                let frozen: Vec<_> = runs.iter().filter_map(|m| m.frozen.as_ref()).collect();
                let pair = |f: &dyn Fn(&crate::experiments::depth::Outcome) -> Option<f64>| Pair {
                    trained: mean(runs.iter().filter_map(|m| f(&m.trained))),
                    frozen: mean(frozen.iter().filter_map(|o| f(o))),
                };
                FreezeCell {
                    accuracy: pair(&|o| o.accuracy),
                    effective_nodes_top: pair(&top),
                    le_within: pair(&|o| o.le_within),
                    le_between: pair(&|o| o.le_between),
                    level_change: Pair {
                        trained: max(runs.iter().filter_map(|m| m.trained.level_change)),
                        frozen: max(frozen.iter().filter_map(|o| o.level_change)),
                    },
                }
            });
            cells.push(Cell {
                depth,
                init: init.name(),
                runs: runs.len(),
                ln_z_spread: spread(&ln_z),
                p_spread: spread(&p_refs),
                accuracy: mean(runs.iter().filter_map(|m| m.trained.accuracy)),
                effective_nodes_top: mean(runs.iter().filter_map(|m| top(&m.trained))),
                freeze,
            });
        }
    }
    Report {
        experiment: "depth",
        source: &params.source,
        seed: params.seed,
        seeds: params.seeds,
        frozen_level: params.freeze.as_ref().map(|f| f.1.as_str()),
        cells,
    }
}

pub(super) fn finish(params: &DepthParams, results: &[DepthPoint], output: &OutputArgs) -> u8 {
    let r = report(params, results);
    output.emit(&r, csv, figure, table)
}

fn opt_num(v: Option<f64>) -> String {
    v.map_or("-".to_string(), fmt_num)
}

fn describe_source(source: &ModelSource) -> String {
    match source {
        ModelSource::File { model, trained, .. } => format!(
            "model {model}, {}",
            if *trained {
                "trained by its schedule"
            } else {
                "at initialisation"
            }
        ),
        ModelSource::Generated { shape, steps } => format!(
            "generated models (width {}, {} inputs, fan-in {}..{}, {} classes), {}",
            shape.width,
            shape.inputs,
            shape.fan_in.0,
            shape.fan_in.1,
            shape.classes,
            if *steps == 0 {
                "at initialisation".to_string()
            } else {
                format!("trained {steps} steps with batch {}", shape.batch)
            }
        ),
    }
}

fn table(r: &Report) -> String {
    let mut out = format!(
        "spread of the logits across {} seeds (base seed {}); {}\n",
        r.seeds,
        r.seed,
        describe_source(r.source)
    );
    out.push_str(
        "spread = mean over data samples and classes of the sd of ln Z (resp. p) across seeds\n",
    );
    let mut t = Table::new(&[
        "levels",
        "init",
        "spread ln Z",
        "spread p",
        "accuracy",
        "eff. nodes L-1",
    ]);
    for c in &r.cells {
        t.row(vec![
            c.depth.to_string(),
            c.init.to_string(),
            opt_num(c.ln_z_spread.mean_sd),
            opt_num(c.p_spread.mean_sd),
            opt_num(c.accuracy),
            opt_num(c.effective_nodes_top),
        ]);
    }
    out.push_str(&t.to_string());
    if let Some(level) = r.frozen_level {
        let _ = writeln!(
            out,
            "\nfreezing level `{level}` (means over seeds of accuracy, effective nodes and median LE; trained -> frozen)"
        );
        let arrow = |p: &Pair| format!("{} -> {}", opt_num(p.trained), opt_num(p.frozen));
        let mut t = Table::new(&[
            "levels",
            "init",
            "accuracy",
            "eff. nodes L-1",
            "LE within",
            "LE between",
            "max change of frozen level",
        ]);
        for c in &r.cells {
            if let Some(f) = &c.freeze {
                t.row(vec![
                    c.depth.to_string(),
                    c.init.to_string(),
                    arrow(&f.accuracy),
                    arrow(&f.effective_nodes_top),
                    arrow(&f.le_within),
                    arrow(&f.le_between),
                    arrow(&f.level_change),
                ]);
            }
        }
        out.push_str(&t.to_string());
    }
    out
}

fn csv(r: &Report) -> String {
    let opt = |v: Option<f64>| v.map_or(String::new(), |x| x.to_string());
    let mut out =
        String::from("levels,init,runs,ln_z_spread,p_spread,accuracy,effective_nodes_top");
    if r.frozen_level.is_some() {
        out.push_str(",frozen_accuracy,frozen_effective_nodes_top,le_within,frozen_le_within,le_between,frozen_le_between,frozen_level_change");
    }
    out.push('\n');
    for c in &r.cells {
        let _ = write!(
            out,
            "{},{},{},{},{},{},{}",
            c.depth,
            c.init,
            c.runs,
            opt(c.ln_z_spread.mean_sd),
            opt(c.p_spread.mean_sd),
            opt(c.accuracy),
            opt(c.effective_nodes_top)
        );
        if let Some(f) = &c.freeze {
            let _ = write!(
                out,
                ",{},{},{},{},{},{},{}",
                opt(f.accuracy.frozen),
                opt(f.effective_nodes_top.frozen),
                opt(f.le_within.trained),
                opt(f.le_within.frozen),
                opt(f.le_between.trained),
                opt(f.le_between.frozen),
                opt(f.level_change.frozen)
            );
        }
        out.push('\n');
    }
    out
}

const PLOT_SIZE: (f64, f64) = (720.0, 480.0);
const BARS_SIZE: (f64, f64) = (1080.0, 760.0);

fn figure(r: &Report) -> String {
    let mut inits: Vec<&str> = Vec::new();
    for c in &r.cells {
        if !inits.contains(&c.init) {
            inits.push(c.init);
        }
    }
    let plot = LinePlot {
        x_label: "levels L".into(),
        y_label: "spread of ln Z across seeds".into(),
        series: inits
            .iter()
            .map(|&init| LineSeries {
                label: init.to_string(),
                points: r
                    .cells
                    .iter()
                    .filter(|c| c.init == init)
                    .filter_map(|c| c.ln_z_spread.mean_sd.map(|s| (c.depth as f64, s)))
                    .collect(),
            })
            .collect(),
        x_log: false,
        y_log: false,
    };
    let spread_svg = line_plot_svg(
        &plot,
        &FigureOptions {
            title: Some(format!("Spread of the logits across {} seeds", r.seeds)),
            size: Some(PLOT_SIZE),
        },
    );
    let Some(level) = r.frozen_level else {
        return spread_svg;
    };
    // One group of bars per depth (means over the inits) when there are several depths, else
    // one per init: a bar per (depth, init) would not leave room for the labels.
    let by_depth = r.cells.iter().any(|c| c.depth != r.cells[0].depth);
    let key = |c: &Cell| {
        if by_depth {
            format!("L={}", c.depth)
        } else {
            c.init.to_string()
        }
    };
    let mut categories: Vec<String> = Vec::new();
    for c in &r.cells {
        if !categories.contains(&key(c)) {
            categories.push(key(c));
        }
    }
    let values = |f: &dyn Fn(&FreezeCell) -> Option<f64>| -> Vec<f64> {
        categories
            .iter()
            .map(|k| {
                mean(
                    r.cells
                        .iter()
                        .filter(|c| &key(c) == k)
                        .filter_map(|c| c.freeze.as_ref().and_then(f)),
                )
                .unwrap_or(f64::NAN)
            })
            .collect()
    };
    let suffix = if by_depth && inits.len() > 1 {
        " (mean over inits)"
    } else {
        ""
    };
    let panel = |title: &str, y: &str, f: &dyn Fn(&FreezeCell) -> &Pair| BarPanel {
        title: format!("{title}{suffix}"),
        y_label: y.into(),
        categories: categories.clone(),
        series: vec![
            BarSeries {
                label: "trained".into(),
                values: values(&|fc| f(fc).trained),
            },
            BarSeries {
                label: format!("level `{level}` frozen"),
                values: values(&|fc| f(fc).frozen),
            },
        ],
    };
    let panels = vec![
        panel("Accuracy", "share of samples", &|f| &f.accuracy),
        panel("Sparsity of level L-1", "effective nodes", &|f| {
            &f.effective_nodes_top
        }),
        panel("LE within classes", "median LE", &|f| &f.le_within),
        panel("LE between classes", "median LE", &|f| &f.le_between),
    ];
    let bars = grouped_bars_svg(
        &panels,
        &FigureOptions {
            title: Some(format!("Freezing level `{level}`")),
            size: Some(BARS_SIZE),
        },
    );
    stack_svgs(&[
        Sized {
            svg: spread_svg,
            width: PLOT_SIZE.0,
            height: PLOT_SIZE.1,
        },
        Sized {
            svg: bars,
            width: BARS_SIZE.0,
            height: BARS_SIZE.1,
        },
    ])
}
