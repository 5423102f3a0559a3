//! `nshed le-matrix`: the local-elasticity matrix at the trained state (row = base sample),
//! its per (base class, test class) statistics, as a table, JSON or CSV, and optionally the
//! Figure 5 style histograms as SVG.

use std::fmt::Write as _;

use super::run::{print_json, trained_state, StateArgs};
use super::{exit, load_model, print_stdout};
use crate::analysis::{le_class_pair_stats, LePairStats};
use crate::engine::numeric::fmt_num;
use crate::engine::{le_matrix, Model};
use crate::plot::{le_histogram_panels, le_histograms_log_svg, le_histograms_svg, FigureOptions};

/// Options of `nshed le-matrix`.
#[derive(clap::Args, Debug, Clone)]
pub struct LeMatrixArgs {
    /// The model file (`-` reads standard input).
    #[arg(value_name = "FILE")]
    pub file: String,
    /// Print one JSON object instead of tables.
    #[arg(long, conflicts_with = "csv")]
    pub json: bool,
    /// Print the matrix as CSV (header `base,<sample>...`; undefined values are empty).
    #[arg(long)]
    pub csv: bool,
    /// Write histograms of LE per base class (like the paper's Figure 5) to this SVG file.
    #[arg(long, value_name = "PATH")]
    pub svg: Option<String>,
    /// Number of histogram bins in the SVG.
    #[arg(long, value_name = "N", default_value_t = 20,
          value_parser = clap::value_parser!(u64).range(1..=10_000))]
    pub bins: u64,
    /// Bin log10 LE instead of LE in the SVG (zeros left out): LE spans many decades when a base
    /// barely moves its own logits.
    #[arg(long)]
    pub log: bool,
    #[command(flatten)]
    pub state: StateArgs,
}

pub fn run(args: &LeMatrixArgs) -> u8 {
    let compiled = match load_model(&args.file) {
        Ok(c) => c,
        Err(code) => return code,
    };
    let ir = &compiled.ir;
    let model = Model::new(ir);
    let state = match trained_state(&model, &args.state, None) {
        Ok(s) => s,
        Err(code) => return code,
    };
    if ir.data.samples.is_empty() {
        eprintln!("note: the model has no data samples; the matrix is empty");
    }
    let matrix = le_matrix(&model, &state);
    let samples: Vec<String> = ir.data.samples.iter().map(|s| s.name.clone()).collect();
    let labels: Vec<usize> = ir.data.samples.iter().map(|s| s.label as usize).collect();
    let classes: Vec<String> = ir.classes.iter().map(|c| c.name.clone()).collect();
    // The diagonal (LE(x, x) = 1 by definition) is left out of the class statistics.
    let stats = match le_class_pair_stats(&matrix, &labels, true) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("error: {e}");
            return exit::MODEL_ERROR;
        }
    };

    if let Some(path) = &args.svg {
        let panels = match le_histogram_panels(&matrix, &labels, &classes, true) {
            Ok(p) => p,
            Err(e) => {
                eprintln!("error: {e}");
                return exit::MODEL_ERROR;
            }
        };
        let title = format!("Local elasticity of {}", ir.model);
        let bins = usize::try_from(args.bins).unwrap_or(usize::MAX);
        let options = FigureOptions::titled(title);
        let svg = if args.log {
            le_histograms_log_svg(&panels, bins, &options)
        } else {
            le_histograms_svg(&panels, bins, &options)
        };
        let code = super::write_output(path, svg.as_bytes());
        if code != exit::OK {
            return code;
        }
    }

    if args.json {
        let pairs: Vec<serde_json::Value> = stats
            .iter()
            .map(|s| {
                serde_json::json!({
                    "base_class": class_name(&classes, s.base_class),
                    "test_class": class_name(&classes, s.test_class),
                    "mean": s.mean,
                    "std_dev": s.std_dev,
                    "count": s.count,
                    "undefined": s.undefined,
                })
            })
            .collect();
        print_json(&serde_json::json!({
            "model": ir.model,
            "step": state.step,
            "samples": samples,
            "labels": labels.iter().map(|&l| class_name(&classes, l)).collect::<Vec<_>>(),
            "matrix": matrix,
            "class_pairs": pairs,
        }))
    } else if args.csv {
        print_stdout(&csv(&samples, &matrix))
    } else {
        print_stdout(&table(&samples, &matrix, &classes, &stats, state.step))
    }
}

fn class_name(classes: &[String], k: usize) -> String {
    classes
        .get(k)
        .cloned()
        .unwrap_or_else(|| format!("class {k}"))
}

fn cell(v: Option<f64>) -> String {
    match v {
        Some(v) if v.is_finite() => fmt_num(v),
        _ => "-".to_string(),
    }
}

/// Quotes a CSV field when it needs it.
fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

fn csv(samples: &[String], matrix: &[Vec<Option<f64>>]) -> String {
    let mut out = String::from("base");
    for s in samples {
        out.push(',');
        out.push_str(&csv_field(s));
    }
    out.push('\n');
    for (name, row) in samples.iter().zip(matrix) {
        out.push_str(&csv_field(name));
        for v in row {
            out.push(',');
            if let Some(v) = v.filter(|v| v.is_finite()) {
                // Shortest round-trip representation (exponent form for tiny and huge values).
                let _ = write!(out, "{v:?}");
            }
        }
        out.push('\n');
    }
    out
}

fn table(
    samples: &[String],
    matrix: &[Vec<Option<f64>>],
    classes: &[String],
    stats: &[LePairStats],
    step: u64,
) -> String {
    let mut out = format!("local elasticity at step {step} (row = base, - = undefined)\n");
    let cells: Vec<Vec<String>> = matrix
        .iter()
        .map(|row| row.iter().map(|&v| cell(v)).collect())
        .collect();
    let first = samples.iter().map(|s| s.len()).max().unwrap_or(0).max(4);
    let width = samples
        .iter()
        .map(|s| s.len())
        .chain(cells.iter().flatten().map(|c| c.len()))
        .max()
        .unwrap_or(1);
    let _ = write!(out, "{:first$}", "base");
    for s in samples {
        let _ = write!(out, "  {s:>width$}");
    }
    out.push('\n');
    for (name, row) in samples.iter().zip(&cells) {
        let _ = write!(out, "{name:first$}");
        for c in row {
            let _ = write!(out, "  {c:>width$}");
        }
        out.push('\n');
    }
    out.push_str("\nper class pair (diagonal left out)\n");
    let cw = classes.iter().map(|c| c.len()).max().unwrap_or(0).max(4);
    let _ = writeln!(
        out,
        "{:cw$}  {:cw$}  {:>10}  {:>10}  {:>5}  {:>9}",
        "base", "test", "mean", "std dev", "count", "undefined"
    );
    for s in stats {
        let _ = writeln!(
            out,
            "{:cw$}  {:cw$}  {:>10}  {:>10}  {:>5}  {:>9}",
            class_name(classes, s.base_class),
            class_name(classes, s.test_class),
            cell(s.mean),
            cell(s.std_dev),
            s.count,
            s.undefined
        );
    }
    out
}
