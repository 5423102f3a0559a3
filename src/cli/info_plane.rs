//! `nshed info-plane`: the information plane of every feature level along training (SPEC 6,
//! Figure 4 of seed 002) — `I(X;T)` and `I(T;Y)` at step 0, every `--every` steps and at the
//! end, as a table, JSON, CSV (long format) and an SVG plot.

use std::fmt::Write as _;

use super::run::StateArgs;
use super::sweep::OutputArgs;
use super::{exit, load_model};
use crate::analysis::{
    information_plane, Estimator, LevelInformation, PlaneOptions, Representation,
};
use crate::engine::{run_seed, Model, State, Trainer};
use crate::plot::{info_plane_svg, FigureOptions, InfoPlanePoint, InfoPlaneSeries};
use crate::report::Table;

/// The estimator named on the command line.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum MiKind {
    /// Equal bins on [0,1] per coordinate, exact discrete MI (Shwartz-Ziv & Tishby).
    Binning,
    /// Gaussian noise of --sigma, pairwise-distance KDE bound (Kolchinsky & Tracey, Saxe et al.).
    Noise,
}

/// The representation named on the command line.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReprKind {
    /// SPEC 6: the scores of the level's nodes.
    Scores,
    /// The lambda of the level's firing nodes (seed 002's appendix reading of Figure 4).
    Lambda,
}

/// Options of `nshed info-plane`.
#[derive(clap::Args, Debug, Clone)]
pub struct InfoPlaneArgs {
    /// The model file (`-` reads standard input).
    #[arg(value_name = "FILE")]
    pub file: String,
    /// The MI estimator.
    #[arg(long, value_enum, default_value = "binning")]
    pub mi: MiKind,
    /// Bins per coordinate for `--mi binning`.
    #[arg(long, value_name = "N", default_value_t = 30,
          value_parser = clap::value_parser!(u32).range(1..=1_000_000))]
    pub bins: u32,
    /// Noise standard deviation for `--mi noise` (required with it; the representation lies in
    /// [0,1], so 0.01 to 0.5 are sensible).
    #[arg(long, value_name = "S", value_parser = parse_sigma)]
    pub sigma: Option<f64>,
    /// What a level's representation T is: `scores` (SPEC 6) or `lambda`.
    #[arg(long = "repr", value_enum, default_value = "scores")]
    pub representation: ReprKind,
    /// Record every N steps (default: the file's `record every`, else about 100 points).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
    pub every: Option<u64>,
    #[command(flatten)]
    pub state: StateArgs,
    /// `--json`; `--csv PATH` writes step,level,i_xt,i_ty; `--svg PATH` draws the plane.
    #[command(flatten)]
    pub output: OutputArgs,
}

fn parse_sigma(s: &str) -> Result<f64, String> {
    match s.parse::<f64>() {
        Ok(v) if v.is_finite() && v > 0.0 => Ok(v),
        Ok(v) => Err(format!("sigma must be finite and > 0, got {v}")),
        Err(_) => Err(format!("`{s}` is not a number")),
    }
}

/// The information of every level at one recorded step.
#[derive(Clone, Debug, serde::Serialize)]
pub struct PlanePoint {
    pub step: u64,
    pub levels: Vec<LevelInformation>,
}

pub fn run(args: &InfoPlaneArgs) -> u8 {
    if let Err(code) = args.output.refuse_png("info-plane") {
        return code;
    }
    let estimator = match (args.mi, args.sigma) {
        (MiKind::Binning, None) => Estimator::Binning {
            bins: args.bins as usize,
        },
        (MiKind::Noise, Some(sigma)) => Estimator::Noise { sigma },
        (MiKind::Binning, Some(_)) => {
            eprintln!("error: --sigma is for `--mi noise`\n  help: add `--mi noise`, or drop --sigma to use binning");
            return exit::USAGE;
        }
        (MiKind::Noise, None) => {
            eprintln!("error: `--mi noise` needs --sigma S\n  help: the representation lies in [0,1]; try --sigma 0.1");
            return exit::USAGE;
        }
    };
    let representation = match args.representation {
        ReprKind::Scores => Representation::Scores,
        ReprKind::Lambda => Representation::Lambda,
    };
    let options = PlaneOptions {
        estimator,
        representation,
    };
    let compiled = match load_model(&args.file) {
        Ok(c) => c,
        Err(code) => return code,
    };
    let ir = &compiled.ir;
    let model = Model::new(ir);
    let seed = run_seed(ir, args.state.seed);
    let mut trainer = Trainer::new(&model);
    let total = if args.state.no_train {
        0
    } else {
        trainer.total_steps()
    };
    let every = args
        .every
        .or_else(|| ir.train.as_ref()?.record.as_ref().map(|r| r.every))
        .unwrap_or((total / 100).max(1));
    let mut state = State::new(ir, seed);
    let mut points = Vec::new();
    let mut failure = None;
    let mut measure = |state: &State| match information_plane(&model, state, options) {
        Ok(levels) => points.push(PlanePoint {
            step: state.step,
            levels,
        }),
        Err(e) => {
            failure.get_or_insert(e);
        }
    };
    measure(&state);
    if total > 0 {
        trainer.run(&mut state, &mut |s| {
            if s.step % every == 0 || s.step == total {
                measure(s);
            }
        });
    }
    if let Some(e) = failure {
        eprintln!("error: the information analysis failed: {e}");
        return exit::MODEL_ERROR;
    }

    let report = serde_json::json!({
        "model": ir.model,
        "seed": seed,
        "estimator": estimator_json(estimator),
        "representation": representation.name(),
        "every": every,
        "levels": ir.levels.iter().map(|l| l.name.clone()).collect::<Vec<_>>(),
        "points": points,
    });
    args.output.emit(
        &report,
        |_| csv(&points),
        |_| figure(ir, &points, options, &ir.model),
        |_| table(ir, seed, options, &points),
    )
}

fn estimator_json(estimator: Estimator) -> serde_json::Value {
    match estimator {
        Estimator::Binning { bins } => serde_json::json!({"mi": "binning", "bins": bins}),
        Estimator::Noise { sigma } => serde_json::json!({"mi": "noise", "sigma": sigma}),
    }
}

fn table(ir: &crate::ir::Ir, seed: u64, options: PlaneOptions, points: &[PlanePoint]) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "information plane of `{}` (seed {seed}; {}), in bits",
        ir.model,
        options.describe()
    );
    let mut headers = vec!["step".to_string()];
    for level in &ir.levels {
        headers.push(format!("{} I(X;T)", level.name));
        headers.push(format!("{} I(T;Y)", level.name));
    }
    let mut t = Table::new_owned(headers);
    for p in points {
        let mut row = vec![p.step.to_string()];
        for l in &p.levels {
            row.push(format!("{:.4}", l.i_xt));
            row.push(format!("{:.4}", l.i_ty));
        }
        t.row(row);
    }
    let _ = write!(out, "{t}");
    out
}

fn csv(points: &[PlanePoint]) -> String {
    let mut out = String::from("step,level,i_xt,i_ty\n");
    for p in points {
        for l in &p.levels {
            let _ = writeln!(out, "{},{},{},{}", p.step, l.level, l.i_xt, l.i_ty);
        }
    }
    out
}

fn figure(ir: &crate::ir::Ir, points: &[PlanePoint], options: PlaneOptions, model: &str) -> String {
    let series: Vec<InfoPlaneSeries> = ir
        .levels
        .iter()
        .enumerate()
        .map(|(i, level)| InfoPlaneSeries {
            label: level.name.clone(),
            points: points
                .iter()
                .filter_map(|p| {
                    let l = p.levels.get(i)?;
                    Some(InfoPlanePoint {
                        step: p.step,
                        i_xt: l.i_xt,
                        i_ty: l.i_ty,
                    })
                })
                .collect(),
        })
        .collect();
    info_plane_svg(
        &series,
        &FigureOptions::titled(format!(
            "Information plane of {model} ({})",
            options.describe()
        )),
    )
}
