//! `nshed basin` reports: the outcome table, CSV, the basin image (SVG, PNG) and the
//! uncertainty fit.

use std::fmt::Write as _;

use super::figure::{
    basin_png, basin_svg, line_plot_svg, BasinImage, FigureOptions, LinePlot, LineSeries,
};
use super::{fmt_num, pretty_json, Csv, Render, Table};
use crate::experiments::basin::OutcomeKind;
use crate::experiments::basin::{GridReport, MeasuredEntry, Setup, UncertaintyReport};

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

fn image(r: &GridReport) -> BasinImage {
    let [a, b] = &r.setup.nodes;
    BasinImage {
        n: r.grid as usize,
        cells: r.cells.iter().flatten().copied().collect(),
        labels: r.outcomes.iter().map(|o| o.label.clone()).collect(),
        x_label: format!("initial lambda[{a}]"),
        y_label: format!("initial lambda[{b}]"),
        x_range: (r.setup.axis.lo, r.setup.axis.hi),
        y_range: (r.setup.axis.lo, r.setup.axis.hi),
        log: r.setup.axis.log,
    }
}

impl Render for GridReport {
    fn json(&self) -> serde_json::Result<String> {
        pretty_json(self)
    }

    fn table(&self) -> String {
        let mut out = header(&self.setup);
        let grid = self.grid;
        let _ = writeln!(
            out,
            "{grid} x {grid} grid, {} outcome(s)\n",
            self.outcomes.len()
        );
        let mut table = Table::new(&["colour", "outcome", "points", "share"]);
        for o in &self.outcomes {
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

    fn csv(&self) -> Option<String> {
        let [a, b] = &self.setup.nodes;
        let mut csv = Csv::new([
            "row".to_string(),
            "col".to_string(),
            format!("lambda_{a}"),
            format!("lambda_{b}"),
            "outcome".to_string(),
        ]);
        for (row, cells) in self.cells.iter().enumerate() {
            for (col, &c) in cells.iter().enumerate() {
                csv.row([
                    row.to_string(),
                    col.to_string(),
                    self.lambdas[col].to_string(),
                    self.lambdas[row].to_string(),
                    self.outcomes[c].label.clone(),
                ]);
            }
        }
        Some(csv.finish())
    }

    fn svg(&self) -> Option<String> {
        let title = format!(
            "Basins of {} ({} steps, seed {})",
            self.setup.model, self.setup.steps, self.setup.seed
        );
        Some(basin_svg(&image(self), &FigureOptions::titled(title)))
    }

    fn png(&self) -> Option<Result<Vec<u8>, String>> {
        // Small grids get bigger blocks so the image is at least 256 pixels wide.
        let scale = (256 / (self.grid as usize).max(1)).max(1);
        Some(basin_png(&image(self), scale).map_err(|e| format!("cannot encode the PNG: {e}")))
    }
}

/// The table of `f(eps)` measured by an uncertainty sweep.
fn uncertainty_measured_table(setup: &Setup, entries: &[MeasuredEntry]) -> String {
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

impl Render for UncertaintyReport {
    fn json(&self) -> serde_json::Result<String> {
        pretty_json(self)
    }

    fn table(&self) -> String {
        let fit = &self.fit;
        let mut out = uncertainty_measured_table(&self.setup, &self.measured);
        let _ = writeln!(
            out,
            "\nuncertainty exponent phi = {} ± {} (95% CI, t with {} df; SE {}), R² = {}",
            fmt_num(fit.phi),
            fmt_num(fit.phi_ci95),
            fit.used.saturating_sub(2),
            fmt_num(fit.phi_se),
            fit.r_squared.map_or("undefined".to_string(), fmt_num)
        );
        let excluded = self.measured.len().saturating_sub(fit.used);
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
        out
    }

    fn csv(&self) -> Option<String> {
        let mut csv = Csv::new(["eps", "pairs", "differ", "f", "used"]);
        for e in &self.measured {
            csv.row([
                e.eps.to_string(),
                e.pairs.to_string(),
                e.differ.to_string(),
                e.f.to_string(),
                e.used.to_string(),
            ]);
        }
        Some(csv.finish())
    }

    fn svg(&self) -> Option<String> {
        let (setup, fit) = (&self.setup, &self.fit);
        let used: Vec<(f64, f64)> = self
            .measured
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
        Some(line_plot_svg(&plot, &FigureOptions::titled(title)))
    }
}
