//! The `nshed le-matrix` report: table, CSV of the matrix, and the Figure 5 style
//! histograms.

use std::fmt::Write as _;

use super::figure::{le_histogram_panels, le_histograms_log_svg, le_histograms_svg, FigureOptions};
use super::{fmt_num, opt_field, Csv, Table};
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
    let mut t = Table::new_owned(
        std::iter::once("base".to_string())
            .chain(samples.iter().cloned())
            .collect(),
    );
    for (name, row) in samples.iter().zip(&r.matrix) {
        t.row(
            std::iter::once(name.clone())
                .chain(row.iter().map(|&v| cell(v)))
                .collect(),
        );
    }
    let _ = write!(out, "{t}");
    out.push_str("\nper class pair (diagonal left out)\n");
    let mut t = Table::new(&["base", "test", "mean", "std dev", "count", "undefined"]);
    for s in &r.class_pairs {
        t.row(vec![
            s.base_class.clone(),
            s.test_class.clone(),
            cell(s.mean),
            cell(s.std_dev),
            s.count.to_string(),
            s.undefined.to_string(),
        ]);
    }
    let _ = write!(out, "{t}");
    out
}

/// The matrix as CSV: header `base,<sample>...`, undefined values empty, numbers in Rust's
/// shortest round-trip form (exponent form for tiny and huge values).
pub fn le_matrix_csv(r: &LeMatrixReport) -> String {
    let mut csv = Csv::new(std::iter::once("base".to_string()).chain(r.samples.iter().cloned()));
    for (name, row) in r.samples.iter().zip(&r.matrix) {
        csv.row(std::iter::once(name.clone()).chain(row.iter().map(|&v| opt_field(v))));
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
