//! The `nshed info-plane` report: tables, CSV (long format) and the plane; with several
//! estimators, also `I(X;T)` against the step, one line per level and estimator.

use std::fmt::Write as _;

use super::figure::{
    info_plane_series_svg, level_series, line_plot_svg, stack_svgs, FigureOptions, LinePlot,
    LineSeries, Sized,
};
use super::{fmt_num, sorted_json, Csv, Render, Table};
use crate::analysis::{Estimator, InfoPlaneReport, PlaneCurve};

const PLANE_SIZE: (f64, f64) = (780.0, 540.0);
const STEPS_SIZE: (f64, f64) = (780.0, 480.0);

/// The table of one curve.
fn curve_table(curve: &PlaneCurve, levels: &[String]) -> Table {
    let mut headers = vec!["step".to_string()];
    for level in levels {
        headers.push(format!("{level} I(X;T)"));
        headers.push(format!("{level} I(T;Y)"));
    }
    let mut t = Table::new_owned(headers);
    for p in &curve.points {
        let mut row = vec![p.step.to_string()];
        for l in &p.levels {
            row.push(fmt_num(l.i_xt));
            row.push(fmt_num(l.i_ty));
        }
        t.row(row);
    }
    t
}

/// `binning, 30 bins; distinct values (no bins)`.
fn estimators(report: &InfoPlaneReport) -> String {
    report
        .curves
        .iter()
        .map(|c| c.estimator.describe())
        .collect::<Vec<_>>()
        .join("; ")
}

impl Render for InfoPlaneReport {
    fn json(&self) -> serde_json::Result<String> {
        sorted_json(self)
    }

    fn table(&self) -> String {
        let mut out = String::new();
        let several = self.curves.len() > 1;
        for (i, curve) in self.curves.iter().enumerate() {
            if i > 0 {
                out.push('\n');
            }
            let _ = writeln!(
                out,
                "information plane of `{}` (seed {}; {}; T = {} of the level), in bits",
                self.model,
                self.seed,
                curve.estimator.describe(),
                self.representation.name()
            );
            let _ = write!(out, "{}", curve_table(curve, &self.levels));
            if several && i + 1 == self.curves.len() {
                out.push('\n');
            }
        }
        if several {
            let _ = writeln!(
                out,
                "binning merges values closer than a bin; `distinct` keeps every difference (binning's limit as the bins shrink)"
            );
        }
        out
    }

    fn csv(&self) -> Option<String> {
        let mut csv = Csv::new(["mi", "bins", "sigma", "step", "level", "i_xt", "i_ty"]);
        for curve in &self.curves {
            let (mi, bins, sigma) = match curve.estimator {
                Estimator::Binning { bins } => ("binning", bins.to_string(), String::new()),
                Estimator::Distinct => ("distinct", String::new(), String::new()),
                Estimator::Noise { sigma } => ("noise", String::new(), sigma.to_string()),
            };
            for p in &curve.points {
                for l in &p.levels {
                    csv.row([
                        mi.to_string(),
                        bins.clone(),
                        sigma.clone(),
                        p.step.to_string(),
                        l.level.clone(),
                        l.i_xt.to_string(),
                        l.i_ty.to_string(),
                    ]);
                }
            }
        }
        Some(csv.finish())
    }

    fn svg(&self) -> Option<String> {
        let several = self.curves.len() > 1;
        let title = if several {
            format!(
                "Information plane of {} ({} estimators; T = {})",
                self.model,
                self.curves.len(),
                self.representation.name()
            )
        } else {
            format!(
                "Information plane of {} ({}; T = {} of the level)",
                self.model,
                estimators(self),
                self.representation.name()
            )
        };
        let series: Vec<_> = self
            .curves
            .iter()
            .flat_map(|c| {
                let suffix = if several {
                    format!(", {}", c.estimator.short_name())
                } else {
                    String::new()
                };
                level_series(&c.points, &suffix)
            })
            .collect();
        let plane = info_plane_series_svg(
            &series,
            &FigureOptions {
                title: Some(title),
                size: Some(PLANE_SIZE),
            },
        );
        if !several {
            return Some(plane);
        }
        let plot = LinePlot {
            x_label: "step".into(),
            y_label: "I(X;T) (bits)".into(),
            series: series
                .iter()
                .map(|s| {
                    LineSeries::new(
                        s.label.clone(),
                        s.points.iter().map(|p| (p.step as f64, p.i_xt)).collect(),
                    )
                })
                .collect(),
            x_log: false,
            y_log: false,
            y_span: None,
        };
        let steps = line_plot_svg(
            &plot,
            &FigureOptions {
                title: Some("I(X;T) along training, per level and estimator".into()),
                size: Some(STEPS_SIZE),
            },
        );
        Some(stack_svgs(&[
            Sized {
                svg: plane,
                width: PLANE_SIZE.0,
                height: PLANE_SIZE.1,
            },
            Sized {
                svg: steps,
                width: STEPS_SIZE.0,
                height: STEPS_SIZE.1,
            },
        ]))
    }
}
