//! The `nshed le-matrix` report: table, CSV of the matrix, and the Figure 5 style
//! histograms.

use std::fmt::Write as _;

use super::figure::{le_histogram_panels, le_histograms_log_svg, le_histograms_svg, FigureOptions};
use super::{fmt_num, Csv};
use crate::analysis::LeMatrixReport;

fn cell(v: Option<f64>) -> String {
    match v {
        Some(v) if v.is_finite() => fmt_num(v),
        _ => "-".to_string(),
    }
}

/// The matrix as text, with the class-pair statistics below it.
pub fn le_matrix_table(r: &LeMatrixReport) -> String {
    let samples = &r.samples;
    let mut out = format!(
        "local elasticity at step {} (row = base, - = undefined)\n",
        r.step
    );
    let cells: Vec<Vec<String>> = r
        .matrix
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
    let cw = r.classes.iter().map(|c| c.len()).max().unwrap_or(0).max(4);
    let _ = writeln!(
        out,
        "{:cw$}  {:cw$}  {:>10}  {:>10}  {:>5}  {:>9}",
        "base", "test", "mean", "std dev", "count", "undefined"
    );
    for s in &r.class_pairs {
        let _ = writeln!(
            out,
            "{:cw$}  {:cw$}  {:>10}  {:>10}  {:>5}  {:>9}",
            s.base_class,
            s.test_class,
            cell(s.mean),
            cell(s.std_dev),
            s.count,
            s.undefined
        );
    }
    out
}

/// The matrix as CSV: header `base,<sample>...`, undefined values empty, numbers in Rust's
/// shortest round-trip form (exponent form for tiny and huge values).
pub fn le_matrix_csv(r: &LeMatrixReport) -> String {
    let mut csv = Csv::new(std::iter::once("base".to_string()).chain(r.samples.iter().cloned()));
    for (name, row) in r.samples.iter().zip(&r.matrix) {
        csv.row(std::iter::once(name.clone()).chain(row.iter().map(|v| {
            v.filter(|v| v.is_finite())
                .map_or_else(String::new, |v| format!("{v:?}"))
        })));
    }
    csv.finish()
}

/// Histograms of LE per base class (one panel each, one colour per test class), of LE or
/// of log10 LE.
pub fn le_matrix_svg(r: &LeMatrixReport, bins: usize, log: bool) -> Result<String, String> {
    let panels = le_histogram_panels(&r.matrix, &r.label_ids, &r.classes, true)
        .map_err(|e| e.to_string())?;
    let options = FigureOptions::titled(format!("Local elasticity of {}", r.model));
    Ok(if log {
        le_histograms_log_svg(&panels, bins, &options)
    } else {
        le_histograms_svg(&panels, bins, &options)
    })
}
