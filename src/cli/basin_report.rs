//! The finishing step of `nshed basin` (run by an unsharded sweep and by `nshed merge`): the
//! outcome table, JSON, CSV, the basin image (SVG, PNG) and the uncertainty fit.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use serde::Serialize;

use super::basin::{GridParams, Setup, UncertaintyParams};
use super::run::print_json;
use super::sweep::{write_text_file, OutputArgs};
use super::{exit, print_stdout};
use crate::engine::numeric::fmt_num;
use crate::experiments::basin::OutcomeKind;
use crate::experiments::uncertainty::{fit_exponent, ExponentFit, Measured};
use crate::plot::{
    basin_png, basin_svg, line_plot_svg, outcome_hex, BasinImage, FigureOptions, LinePlot,
    LineSeries,
};
use crate::report::Table;

/// One distinct outcome of a grid.
#[derive(Debug, Clone, Serialize)]
struct OutcomeEntry {
    label: String,
    colour: String,
    points: u64,
    share: f64,
}

/// The JSON object of a grid sweep.
#[derive(Debug, Serialize)]
struct GridReport<'a> {
    experiment: &'static str,
    #[serde(flatten)]
    setup: &'a Setup,
    grid: u64,
    /// `lambda` at the cell centres (the same for both axes).
    lambdas: Vec<f64>,
    /// Distinct outcomes, in legend order (sorted by their key).
    outcomes: Vec<OutcomeEntry>,
    /// `cells[row][col]`: index into `outcomes`; row 0 has the smallest `lambda[B]`.
    cells: Vec<Vec<usize>>,
}

/// The label of an outcome key.
fn outcome_label(setup: &Setup, key: &[u32]) -> String {
    let name = |names: &[String], i: u32| {
        names
            .get(i as usize)
            .cloned()
            .unwrap_or_else(|| format!("#{i}"))
    };
    match setup.outcome {
        OutcomeKind::Top => key
            .first()
            .map_or_else(|| "-".to_string(), |&i| name(&setup.level_nodes, i)),
        OutcomeKind::Predictions if key.is_empty() => "(no samples)".to_string(),
        OutcomeKind::Predictions => key
            .iter()
            .map(|&c| name(&setup.classes, c))
            .collect::<Vec<_>>()
            .join(" "),
    }
}

/// Tables, JSON, CSV and figures of a finished grid.
pub fn finish_grid(params: &GridParams, results: &[Vec<u32>], output: &OutputArgs) -> u8 {
    let setup = &params.setup;
    let n = params.grid as usize;
    if results.len() != n * n {
        eprintln!(
            "error: the sweep holds {} results for a {n} x {n} grid\n  help: merge shard files written by this version of nshed",
            results.len()
        );
        return exit::MODEL_ERROR;
    }
    let mut counts: BTreeMap<&[u32], u64> = BTreeMap::new();
    for key in results {
        *counts.entry(key.as_slice()).or_insert(0) += 1;
    }
    let index: BTreeMap<&[u32], usize> = counts.keys().enumerate().map(|(i, &k)| (k, i)).collect();
    let outcomes: Vec<OutcomeEntry> = counts
        .iter()
        .enumerate()
        .map(|(i, (key, &points))| OutcomeEntry {
            label: outcome_label(setup, key),
            colour: outcome_hex(i),
            points,
            share: points as f64 / results.len() as f64,
        })
        .collect();
    let cells: Vec<usize> = results.iter().map(|k| index[k.as_slice()]).collect();
    let lambdas: Vec<f64> = (0..params.grid)
        .map(|i| setup.axis.cell_centre(i, params.grid))
        .collect();
    let [a, b] = &setup.nodes;

    let image = BasinImage {
        n,
        cells: cells.clone(),
        labels: outcomes.iter().map(|o| o.label.clone()).collect(),
        x_label: format!("initial lambda[{a}]"),
        y_label: format!("initial lambda[{b}]"),
        x_range: (setup.axis.lo, setup.axis.hi),
        y_range: (setup.axis.lo, setup.axis.hi),
        log: setup.axis.log,
    };
    if let Some(path) = &output.svg {
        let title = format!(
            "Basins of {} ({} steps, seed {})",
            setup.model, setup.steps, setup.seed
        );
        let code = write_text_file(path, &basin_svg(&image, &FigureOptions::titled(title)));
        if code != exit::OK {
            return code;
        }
    }
    if let Some(path) = &output.png {
        // Small grids get bigger blocks so the image is at least 256 pixels wide.
        let scale = (256 / n.max(1)).max(1);
        let bytes = match basin_png(&image, scale) {
            Ok(b) => b,
            Err(e) => {
                eprintln!("error: cannot encode the PNG: {e}");
                return exit::IO;
            }
        };
        let code = super::write_output(path, &bytes);
        if code != exit::OK {
            return code;
        }
    }
    if let Some(path) = &output.csv {
        let mut csv = format!("row,col,lambda_{a},lambda_{b},outcome\n");
        for (p, &c) in cells.iter().enumerate() {
            let (row, col) = (p / n, p % n);
            let _ = writeln!(
                csv,
                "{row},{col},{},{},{}",
                lambdas[col],
                lambdas[row],
                csv_field(&outcomes[c].label)
            );
        }
        let code = write_text_file(path, &csv);
        if code != exit::OK {
            return code;
        }
    }
    if output.json {
        print_json(&GridReport {
            experiment: super::basin::GRID_EXPERIMENT,
            setup,
            grid: params.grid,
            lambdas,
            outcomes,
            cells: cells.chunks(n.max(1)).map(<[usize]>::to_vec).collect(),
        })
    } else {
        print_stdout(&grid_table(setup, params.grid, &outcomes))
    }
}

fn csv_field(text: &str) -> String {
    if text.contains([',', '"', '\n']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_string()
    }
}

fn header(setup: &Setup) -> String {
    let [a, b] = &setup.nodes;
    let axis = &setup.axis;
    format!(
        "basins of {} (seed {}): initial lambda[{a}], lambda[{b}] in {}..{}{}, {}, outcome: {}\n",
        setup.model,
        setup.seed,
        fmt_num(axis.lo),
        fmt_num(axis.hi),
        if axis.log { " (log spaced)" } else { "" },
        if setup.trained {
            format!("{} training steps per run", setup.steps)
        } else {
            "untrained".to_string()
        },
        match setup.outcome {
            OutcomeKind::Top => format!("the top node of level `{}`", setup.level),
            OutcomeKind::Predictions => format!(
                "the predicted classes of {}",
                if setup.samples.is_empty() {
                    "no samples".to_string()
                } else {
                    setup.samples.join(" ")
                }
            ),
        }
    )
}

fn grid_table(setup: &Setup, grid: u64, outcomes: &[OutcomeEntry]) -> String {
    let mut out = header(setup);
    let _ = writeln!(out, "{grid} x {grid} grid, {} outcome(s)\n", outcomes.len());
    let mut table = Table::new(&["colour", "outcome", "points", "share"]);
    for o in outcomes {
        table.row(vec![
            o.colour.clone(),
            o.label.clone(),
            o.points.to_string(),
            fmt_num(o.share),
        ]);
    }
    let _ = write!(out, "{table}");
    out
}

/// The JSON object of an uncertainty sweep.
#[derive(Debug, Serialize)]
struct UncertaintyReport<'a> {
    experiment: &'static str,
    #[serde(flatten)]
    setup: &'a Setup,
    pairs: u64,
    measured: Vec<MeasuredEntry>,
    fit: ExponentFit,
}

#[derive(Debug, Serialize)]
struct MeasuredEntry {
    eps: f64,
    pairs: u64,
    differ: u64,
    f: f64,
    /// Whether the fit used this eps (`f > 0`).
    used: bool,
}

/// Table, JSON, CSV and fit plot of a finished uncertainty sweep.
pub fn finish_uncertainty(params: &UncertaintyParams, results: &[bool], output: &OutputArgs) -> u8 {
    let pairs = params.pairs as usize;
    if results.len() != params.eps.len() * pairs {
        eprintln!(
            "error: the sweep holds {} results for {} eps x {pairs} pairs\n  help: merge shard files written by this version of nshed",
            results.len(),
            params.eps.len()
        );
        return exit::MODEL_ERROR;
    }
    let measured: Vec<Measured> = params
        .eps
        .iter()
        .zip(results.chunks(pairs.max(1)))
        .map(|(&eps, chunk)| Measured {
            eps,
            differ: chunk.iter().filter(|&&d| d).count() as u64,
            pairs: params.pairs,
        })
        .collect();
    let entries: Vec<MeasuredEntry> = measured
        .iter()
        .map(|m| MeasuredEntry {
            eps: m.eps,
            pairs: m.pairs,
            differ: m.differ,
            f: m.fraction(),
            used: m.differ > 0,
        })
        .collect();
    if let Some(path) = &output.csv {
        let mut csv = "eps,pairs,differ,f,used\n".to_string();
        for e in &entries {
            let _ = writeln!(csv, "{},{},{},{},{}", e.eps, e.pairs, e.differ, e.f, e.used);
        }
        let code = write_text_file(path, &csv);
        if code != exit::OK {
            return code;
        }
    }
    let fit = match fit_exponent(&measured) {
        Ok(fit) => fit,
        Err(e) => {
            eprintln!(
                "{}error: {e}\n  help: widen --eps towards larger values or raise --pairs",
                measured_table(&params.setup, &entries)
            );
            return exit::MODEL_ERROR;
        }
    };
    if let Some(path) = &output.svg {
        let code = write_text_file(path, &fit_svg(&params.setup, &entries, &fit));
        if code != exit::OK {
            return code;
        }
    }
    if output.json {
        print_json(&UncertaintyReport {
            experiment: super::basin::UNCERTAINTY_EXPERIMENT,
            setup: &params.setup,
            pairs: params.pairs,
            measured: entries,
            fit,
        })
    } else {
        let mut out = measured_table(&params.setup, &entries);
        let _ = writeln!(
            out,
            "\nuncertainty exponent phi = {} ± {} (95% CI, t with {} df; SE {}), R² = {}",
            fmt_num(fit.phi),
            fmt_num(fit.phi_ci95),
            fit.used - 2,
            fmt_num(fit.phi_se),
            fit.r_squared.map_or("undefined".to_string(), fmt_num)
        );
        let excluded = entries.len() - fit.used;
        if excluded > 0 {
            let _ = writeln!(
                out,
                "note: {excluded} eps with f(eps) = 0 left out of the fit (ln 0 is undefined)"
            );
        }
        let _ = writeln!(
            out,
            "phi near 1: a smooth basin boundary; phi near 0: riddled (outcomes unpredictable at any precision)"
        );
        print_stdout(&out)
    }
}

fn measured_table(setup: &Setup, entries: &[MeasuredEntry]) -> String {
    let mut out = header(setup);
    let unit = if setup.axis.log {
        "ln lambda"
    } else {
        "lambda"
    };
    let _ = writeln!(out, "f(eps): random pairs at distance eps ({unit} units)\n");
    let mut table = Table::new(&["eps", "pairs", "differ", "f(eps)", "fit"]);
    for e in entries {
        table.row(vec![
            fmt_num(e.eps),
            e.pairs.to_string(),
            e.differ.to_string(),
            fmt_num(e.f),
            if e.used { "used" } else { "left out (f = 0)" }.to_string(),
        ]);
    }
    let _ = write!(out, "{table}");
    out
}

fn fit_svg(setup: &Setup, entries: &[MeasuredEntry], fit: &ExponentFit) -> String {
    let used: Vec<(f64, f64)> = entries
        .iter()
        .filter(|e| e.used)
        .map(|e| (e.eps, e.f))
        .collect();
    let line = |eps: f64| (fit.intercept + fit.phi * eps.ln()).exp();
    let (lo, hi) = used
        .iter()
        .fold((f64::INFINITY, 0.0_f64), |(lo, hi), &(e, _)| {
            (lo.min(e), hi.max(e))
        });
    let plot = LinePlot {
        x_label: format!(
            "eps ({} units)",
            if setup.axis.log {
                "ln lambda"
            } else {
                "lambda"
            }
        ),
        y_label: "f(eps): fraction of pairs with different outcomes".to_string(),
        series: vec![
            LineSeries {
                label: "measured".to_string(),
                points: used,
            },
            LineSeries {
                label: format!(
                    "fit: phi = {} ± {}",
                    fmt_num(fit.phi),
                    fmt_num(fit.phi_ci95)
                ),
                points: vec![(lo, line(lo)), (hi, line(hi))],
            },
        ],
        x_log: true,
        y_log: true,
    };
    let [a, b] = &setup.nodes;
    let title = format!("Uncertainty exponent of {} ({a}, {b})", setup.model);
    line_plot_svg(&plot, &FigureOptions::titled(title))
}
