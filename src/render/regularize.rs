//! The `nshed regularize` report: table, JSON and the grouped bar charts.

use std::fmt::Write as _;

use super::figure::{grouped_bars_svg, sparsity_bar_panels, BarPanel, BarSeries, FigureOptions};
use super::{fmt_num, opt_num, sorted_json, Render};
use crate::analysis::LevelSparsity;
use crate::experiments::regularize::RegularizeReport;

impl Render for RegularizeReport {
    fn json(&self) -> serde_json::Result<String> {
        sorted_json(self)
    }

    fn table(&self) -> String {
        let mut out = format!(
            "implicit regularization of {} (seed {})\n",
            self.model, self.seed
        );
        let lw = self
            .levels
            .iter()
            .map(String::len)
            .max()
            .unwrap_or(0)
            .max(5);
        let _ = writeln!(
            out,
            "{:>6}  {:>6}  {:lw$}  {:>15}  {:>9}  top node",
            "batch", "steps", "level", "effective nodes", "top share"
        );
        for r in &self.runs {
            for l in &r.levels {
                let _ = writeln!(
                    out,
                    "{:>6}  {:>6}  {:lw$}  {:>15}  {:>9}  {}",
                    r.batch,
                    r.steps,
                    l.level,
                    fmt_num(l.effective_nodes),
                    fmt_num(l.top_share),
                    l.top_node.as_deref().unwrap_or("-")
                );
            }
        }
        let top = self.levels.last().map_or("-", String::as_str);
        let _ = writeln!(
            out,
            "\nneural collapse of level `{top}` (normalised scores; within / between class variance)"
        );
        let _ = writeln!(
            out,
            "{:>6}  {:>12}  {:>12}  {:>12}",
            "batch", "within", "between", "ratio"
        );
        for r in &self.runs {
            let c = &r.collapse;
            let _ = writeln!(
                out,
                "{:>6}  {:>12}  {:>12}  {:>12}",
                r.batch,
                fmt_num(c.within),
                fmt_num(c.between),
                c.ratio.map_or("undefined".to_string(), fmt_num)
            );
        }
        if let Some(samples) = self
            .runs
            .iter()
            .find_map(|r| r.test.map(|t| t.test.samples))
        {
            let _ = writeln!(
                out,
                "\nheld-out test set ({samples} samples; gap = data accuracy - test accuracy)"
            );
            let _ = writeln!(
                out,
                "{:>6}  {:>13}  {:>13}  {:>12}  {:>12}",
                "batch", "data accuracy", "test accuracy", "test loss", "gap"
            );
            for r in &self.runs {
                let Some(t) = &r.test else { continue };
                let _ = writeln!(
                    out,
                    "{:>6}  {:>13}  {:>13}  {:>12}  {:>12}",
                    r.batch,
                    opt_num(t.data_accuracy),
                    opt_num(t.test.accuracy),
                    opt_num(t.test.loss),
                    opt_num(t.gap)
                );
            }
        }
        out
    }

    fn svg(&self) -> Option<String> {
        let labelled: Vec<(String, Vec<LevelSparsity>)> = self
            .runs
            .iter()
            .map(|r| {
                (
                    format!("batch {}", r.batch),
                    r.levels.iter().map(|l| l.sparsity).collect(),
                )
            })
            .collect();
        let mut panels = sparsity_bar_panels(&self.levels, &labelled);
        let top = self.levels.last().cloned().unwrap_or_default();
        panels.push(BarPanel {
            title: "Neural collapse".to_string(),
            y_label: "within / between class variance".to_string(),
            categories: vec![top],
            series: self
                .runs
                .iter()
                .map(|r| BarSeries {
                    label: format!("batch {}", r.batch),
                    values: vec![r.collapse.ratio.unwrap_or(f64::NAN)],
                })
                .collect(),
        });
        if self.runs.iter().any(|r| r.test.is_some()) {
            panels.push(BarPanel {
                title: "Generalisation".to_string(),
                y_label: "accuracy".to_string(),
                categories: vec!["data".to_string(), "test".to_string()],
                series: self
                    .runs
                    .iter()
                    .map(|r| BarSeries {
                        label: format!("batch {}", r.batch),
                        values: [
                            r.test.and_then(|t| t.data_accuracy),
                            r.test.and_then(|t| t.test.accuracy),
                        ]
                        .map(|v| v.unwrap_or(f64::NAN))
                        .to_vec(),
                    })
                    .collect(),
            });
        }
        let title = format!("Implicit regularization of {}", self.model);
        Some(grouped_bars_svg(&panels, &FigureOptions::titled(title)))
    }
}
