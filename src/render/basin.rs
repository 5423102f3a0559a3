//! `nshed basin` reports: the outcome table, CSV, the basin image (SVG, PNG) and the
//! uncertainty fit.

use std::fmt::Write as _;

use super::figure::{
    basin_png, basin_svg, line_plot_svg, BasinImage, FigureOptions, LinePlot, LineSeries,
};
use super::{fmt_num, pretty_json, Csv, Render, Table};
use crate::experiments::basin::OutcomeKind;
use crate::experiments::basin::{
    GridReport, MeasuredEntry, PairRule, Setup, UncertaintyReport, BLOCK,
};
use crate::experiments::uncertainty::FitWarning;

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
fn uncertainty_measured_table(r: &UncertaintyReport) -> String {
    let setup = &r.setup;
    let mut out = header(setup);
    let unit = if setup.axis.log {
        "ln lambda"
    } else {
        "lambda"
    };
    let rule = match r.pairs {
        PairRule::Until {
            min_differ,
            max_pairs,
        } => format!("drawn in blocks of {BLOCK} until {min_differ} differ (at most {max_pairs})"),
        PairRule::Fixed { pairs } => format!("{pairs} per eps"),
    };
    let _ = writeln!(
        out,
        "f(eps): random pairs at distance eps ({unit} units), {rule}\n"
    );
    let mut table = Table::new(&["eps", "pairs", "differ", "f(eps)", "95% CI of f", "fit"]);
    for e in &r.measured {
        table.row(vec![
            fmt_num(e.eps),
            e.pairs.to_string(),
            e.differ.to_string(),
            fmt_num(e.f),
            e.f_ci95.map_or("-".to_string(), |[lo, hi]| {
                format!("{}..{}", fmt_num(lo), fmt_num(hi))
            }),
            if e.used { "used" } else { "left out" }.to_string(),
        ]);
    }
    let _ = write!(out, "{table}");
    out
}

/// One warning of an uncertainty fit, in words.
fn warning_text(w: &FitWarning) -> String {
    match *w {
        FitWarning::NoneDiffer { eps, pairs } => format!(
            "at eps = {}, none of {pairs} pairs differ: left out of the fit",
            fmt_num(eps)
        ),
        FitWarning::AllDiffer { eps, pairs } => format!(
            "at eps = {}, all {pairs} pairs differ: left out (eps is coarser than the basins)",
            fmt_num(eps)
        ),
        FitWarning::FewDiffer {
            eps,
            differ,
            pairs,
            min_differ,
        } => format!(
            "at eps = {}, only {differ} of {pairs} pairs differ (fewer than {min_differ}; the pair cap came first): f is known to about ±{:.0}%",
            fmt_num(eps),
            196.0 / (differ as f64).sqrt()
        ),
        FitWarning::Curved {
            chi_squared,
            dof,
            p_value,
        } => format!(
            "f(eps) is not one power law over this range (chi² = {} on {dof} df, p = {}): the interval is widened by the scatter; the local slopes show where f bends, fit a range of smaller eps",
            fmt_num(chi_squared),
            fmt_num(p_value)
        ),
    }
}

impl Render for UncertaintyReport {
    fn json(&self) -> serde_json::Result<String> {
        pretty_json(self)
    }

    fn table(&self) -> String {
        let fit = &self.fit;
        let mut out = uncertainty_measured_table(self);
        if !self.local_slopes.is_empty() {
            let _ = writeln!(out, "\nlocal slopes of ln f against ln eps");
            let mut table = Table::new(&["from eps", "to eps", "slope", "95% CI"]);
            for s in &self.local_slopes {
                table.row(vec![
                    fmt_num(s.eps_lo),
                    fmt_num(s.eps_hi),
                    fmt_num(s.slope),
                    format!("± {}", fmt_num(s.ci95)),
                ]);
            }
            let _ = write!(out, "{table}");
        }
        let _ = writeln!(
            out,
            "\nuncertainty exponent phi = {} ± {} (95% CI; SE {}), fitted over eps {}..{} ({} eps, weighted by their counts); chi² = {} on {} df (p = {})",
            fmt_num(fit.phi),
            fmt_num(fit.phi_ci95),
            fmt_num(fit.phi_se),
            fmt_num(fit.eps_range.0),
            fmt_num(fit.eps_range.1),
            fit.used,
            fmt_num(fit.chi_squared),
            fit.dof,
            fmt_num(fit.p_value)
        );
        for w in &self.warnings {
            let _ = writeln!(out, "warning: {}", warning_text(w));
        }
        let _ = writeln!(
            out,
            "phi near 1: a smooth basin boundary; phi near 0: riddled (outcomes unpredictable at any precision)"
        );
        out
    }

    fn csv(&self) -> Option<String> {
        let mut csv = Csv::new(["eps", "pairs", "differ", "f", "f_lo", "f_hi", "used"]);
        for e in &self.measured {
            let (lo, hi) = e.f_ci95.map_or((String::new(), String::new()), |[lo, hi]| {
                (lo.to_string(), hi.to_string())
            });
            csv.row([
                e.eps.to_string(),
                e.pairs.to_string(),
                e.differ.to_string(),
                e.f.to_string(),
                lo,
                hi,
                e.used.to_string(),
            ]);
        }
        Some(csv.finish())
    }

    fn svg(&self) -> Option<String> {
        let (setup, fit) = (&self.setup, &self.fit);
        let used: Vec<&MeasuredEntry> = self.measured.iter().filter(|e| e.used).collect();
        let line = |eps: f64| (fit.intercept + fit.phi * eps.ln()).exp();
        let (lo, hi) = fit.eps_range;
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
                    label: "measured (95% CI)".to_string(),
                    points: used.iter().map(|e| (e.eps, e.f)).collect(),
                    intervals: used.iter().map(|e| e.f_ci95.map(|[a, b]| (a, b))).collect(),
                },
                LineSeries::new(
                    format!("fit: phi = {:.3} ± {:.3}", fit.phi, fit.phi_ci95),
                    vec![(lo, line(lo)), (hi, line(hi))],
                ),
            ],
            x_log: true,
            y_log: true,
            y_span: None,
        };
        let [a, b] = &setup.nodes;
        let title = format!("Uncertainty exponent of {} ({a}, {b})", setup.model);
        Some(line_plot_svg(&plot, &FigureOptions::titled(title)))
    }
}
