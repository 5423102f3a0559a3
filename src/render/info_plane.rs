//! The `nshed info-plane` report: table, CSV (long format) and the plane.

use std::fmt::Write as _;

use super::figure::{info_plane_svg, FigureOptions};
use super::{fmt_num, sorted_json, Csv, Render, Table};
use crate::analysis::InfoPlaneReport;

impl Render for InfoPlaneReport {
    fn json(&self) -> serde_json::Result<String> {
        sorted_json(self)
    }

    fn table(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(
            out,
            "information plane of `{}` (seed {}; {}), in bits",
            self.model,
            self.seed,
            self.options.describe()
        );
        let mut headers = vec!["step".to_string()];
        for level in &self.levels {
            headers.push(format!("{level} I(X;T)"));
            headers.push(format!("{level} I(T;Y)"));
        }
        let mut t = Table::new_owned(headers);
        for p in &self.points {
            let mut row = vec![p.step.to_string()];
            for l in &p.levels {
                row.push(fmt_num(l.i_xt));
                row.push(fmt_num(l.i_ty));
            }
            t.row(row);
        }
        let _ = write!(out, "{t}");
        out
    }

    fn csv(&self) -> Option<String> {
        let mut csv = Csv::new(["step", "level", "i_xt", "i_ty"]);
        for p in &self.points {
            for l in &p.levels {
                csv.row([
                    p.step.to_string(),
                    l.level.clone(),
                    l.i_xt.to_string(),
                    l.i_ty.to_string(),
                ]);
            }
        }
        Some(csv.finish())
    }

    fn svg(&self) -> Option<String> {
        Some(info_plane_svg(
            &self.points,
            &FigureOptions::titled(format!(
                "Information plane of {} ({})",
                self.model,
                self.options.describe()
            )),
        ))
    }
}
