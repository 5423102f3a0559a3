//! `nshed depth` reports: tables, CSV and figures.

use std::fmt::Write as _;

use super::figure::{
    grouped_bars_svg, line_plot_svg, stack_svgs, BarPanel, BarSeries, FigureOptions, LinePlot,
    LineSeries, Sized,
};
use super::{fmt_num, opt_field, opt_num, pretty_json, Csv, Render, Table};
use crate::analysis::mean;
use crate::experiments::depth::{Cell, DepthReport, FreezeCell, ModelSource, Pair};

fn describe_source(source: &ModelSource) -> String {
    match source {
        ModelSource::File { model, trained, .. } => format!(
            "model {model}, {}",
            if *trained {
                "trained by its schedule"
            } else {
                "at initialisation"
            }
        ),
        ModelSource::Generated { shape, steps } => format!(
            "generated models (width {}, {} inputs, fan-in {}..{}, {} classes), {}",
            shape.width,
            shape.inputs,
            shape.fan_in.0,
            shape.fan_in.1,
            shape.classes,
            if *steps == 0 {
                "at initialisation".to_string()
            } else {
                format!("trained {steps} steps with batch {}", shape.batch)
            }
        ),
    }
}

const PLOT_SIZE: (f64, f64) = (720.0, 480.0);
const BARS_SIZE: (f64, f64) = (1080.0, 760.0);

impl Render for DepthReport {
    fn json(&self) -> serde_json::Result<String> {
        pretty_json(self)
    }

    fn table(&self) -> String {
        let r = self;
        let mut out = format!(
            "spread of the logits across {} seeds per structure, {} (base seed {}); {}\n",
            r.seeds,
            structures(r.structures),
            r.seed,
            describe_source(&r.source)
        );
        out.push_str(
            "spread = mean over data samples and classes of the sd of ln Z (resp. p) across seeds, then the mean over structures (95% CI: t over structures); zero logits: share of ln Z undefined (Z = 0), left out of their entry's sd\n",
        );
        let mut t = Table::new(&[
            "levels",
            "init",
            "spread ln Z",
            "95% CI",
            "zero logits",
            "spread p",
            "accuracy",
            "eff. nodes L-1",
        ]);
        for c in &r.cells {
            t.row(vec![
                c.depth.to_string(),
                c.init.to_string(),
                opt_num(c.ln_z_spread),
                c.ln_z_spread_ci95
                    .map_or("-".to_string(), |h| format!("± {}", fmt_num(h))),
                fmt_num(c.ln_z_undefined_share),
                opt_num(c.p_spread),
                opt_num(c.accuracy),
                opt_num(c.effective_nodes_top),
            ]);
        }
        out.push_str(&t.to_string());
        if let Some(level) = &r.frozen_level {
            let _ = writeln!(
                out,
                "\nfreezing level `{level}` (means over seeds of accuracy, effective nodes and median LE; trained -> frozen)"
            );
            let arrow = |p: &Pair| format!("{} -> {}", opt_num(p.trained), opt_num(p.frozen));
            let mut t = Table::new(&[
                "levels",
                "init",
                "accuracy",
                "eff. nodes L-1",
                "LE within",
                "LE between",
                "max change of frozen level",
            ]);
            for c in &r.cells {
                if let Some(f) = &c.freeze {
                    t.row(vec![
                        c.depth.to_string(),
                        c.init.to_string(),
                        arrow(&f.accuracy),
                        arrow(&f.effective_nodes_top),
                        arrow(&f.le_within),
                        arrow(&f.le_between),
                        arrow(&f.level_change),
                    ]);
                }
            }
            out.push_str(&t.to_string());
        }
        out
    }

    fn csv(&self) -> Option<String> {
        let r = self;
        let mut header = vec![
            "levels",
            "init",
            "runs",
            "structures",
            "ln_z_spread",
            "ln_z_spread_ci95",
            "ln_z_undefined_share",
            "p_spread",
            "p_spread_ci95",
            "accuracy",
            "effective_nodes_top",
        ];
        if r.frozen_level.is_some() {
            header.extend([
                "frozen_accuracy",
                "frozen_effective_nodes_top",
                "le_within",
                "frozen_le_within",
                "le_between",
                "frozen_le_between",
                "frozen_level_change",
            ]);
        }
        let mut csv = Csv::new(header);
        for c in &r.cells {
            let mut row = vec![
                c.depth.to_string(),
                c.init.to_string(),
                c.runs.to_string(),
                c.structures.to_string(),
                opt_field(c.ln_z_spread),
                opt_field(c.ln_z_spread_ci95),
                c.ln_z_undefined_share.to_string(),
                opt_field(c.p_spread),
                opt_field(c.p_spread_ci95),
                opt_field(c.accuracy),
                opt_field(c.effective_nodes_top),
            ];
            if let Some(f) = &c.freeze {
                row.extend([
                    opt_field(f.accuracy.frozen),
                    opt_field(f.effective_nodes_top.frozen),
                    opt_field(f.le_within.trained),
                    opt_field(f.le_within.frozen),
                    opt_field(f.le_between.trained),
                    opt_field(f.le_between.frozen),
                    opt_field(f.level_change.frozen),
                ]);
            }
            csv.row(row);
        }
        Some(csv.finish())
    }

    fn svg(&self) -> Option<String> {
        Some(figure(self))
    }
}

fn figure(r: &DepthReport) -> String {
    let mut inits: Vec<&str> = Vec::new();
    for c in &r.cells {
        if !inits.contains(&c.init) {
            inits.push(c.init);
        }
    }
    let plot = LinePlot {
        x_label: "levels L".into(),
        y_label: "spread of ln Z across seeds".into(),
        series: inits
            .iter()
            .map(|&init| {
                let cells: Vec<&Cell> = r
                    .cells
                    .iter()
                    .filter(|c| c.init == init && c.ln_z_spread.is_some())
                    .collect();
                LineSeries {
                    label: init.to_string(),
                    points: cells
                        .iter()
                        .filter_map(|c| c.ln_z_spread.map(|s| (c.depth as f64, s)))
                        .collect(),
                    intervals: cells
                        .iter()
                        .map(|c| {
                            let s = c.ln_z_spread?;
                            c.ln_z_spread_ci95.map(|h| (s - h, s + h))
                        })
                        .collect(),
                }
            })
            .collect(),
        x_log: false,
        y_log: false,
    };
    // The accuracy of the models the spread is measured on, beside the figure.
    let accuracy = r.cells.iter().filter_map(|c| c.accuracy);
    let accuracy = match (accuracy.clone().reduce(f64::min), accuracy.reduce(f64::max)) {
        (Some(lo), Some(hi)) if lo == hi => format!(" (accuracy {})", opt_num(Some(lo))),
        (Some(lo), Some(hi)) => format!(" (accuracy {lo:.2} to {hi:.2})"),
        _ => String::new(),
    };
    let spread_svg = line_plot_svg(
        &plot,
        &FigureOptions {
            title: Some(format!(
                "Spread of ln Z across {} seeds x {} structure(s){accuracy}",
                r.seeds, r.structures
            )),
            size: Some(PLOT_SIZE),
        },
    );
    let Some(level) = &r.frozen_level else {
        return spread_svg;
    };
    // One group of bars per depth (means over the inits) when there are several depths, else
    // one per init: a bar per (depth, init) would not leave room for the labels.
    let by_depth = r.cells.iter().any(|c| c.depth != r.cells[0].depth);
    let key = |c: &Cell| {
        if by_depth {
            format!("L={}", c.depth)
        } else {
            c.init.to_string()
        }
    };
    let mut categories: Vec<String> = Vec::new();
    for c in &r.cells {
        if !categories.contains(&key(c)) {
            categories.push(key(c));
        }
    }
    let values = |f: &dyn Fn(&FreezeCell) -> Option<f64>| -> Vec<f64> {
        categories
            .iter()
            .map(|k| {
                mean(
                    r.cells
                        .iter()
                        .filter(|c| &key(c) == k)
                        .filter_map(|c| c.freeze.as_ref().and_then(f)),
                )
                .unwrap_or(f64::NAN)
            })
            .collect()
    };
    let suffix = if by_depth && inits.len() > 1 {
        " (mean over inits)"
    } else {
        ""
    };
    let panel = |title: &str, y: &str, f: &dyn Fn(&FreezeCell) -> &Pair| BarPanel {
        title: format!("{title}{suffix}"),
        y_label: y.into(),
        categories: categories.clone(),
        series: vec![
            BarSeries {
                label: "trained".into(),
                values: values(&|fc| f(fc).trained),
            },
            BarSeries {
                label: format!("level `{level}` frozen"),
                values: values(&|fc| f(fc).frozen),
            },
        ],
    };
    let panels = vec![
        panel("Accuracy", "share of samples", &|f| &f.accuracy),
        panel("Sparsity of level L-1", "effective nodes", &|f| {
            &f.effective_nodes_top
        }),
        panel("LE within classes", "median LE", &|f| &f.le_within),
        panel("LE between classes", "median LE", &|f| &f.le_between),
    ];
    let bars = grouped_bars_svg(
        &panels,
        &FigureOptions {
            title: Some(format!("Freezing level `{level}`")),
            size: Some(BARS_SIZE),
        },
    );
    stack_svgs(&[
        Sized {
            svg: spread_svg,
            width: PLOT_SIZE.0,
            height: PLOT_SIZE.1,
        },
        Sized {
            svg: bars,
            width: BARS_SIZE.0,
            height: BARS_SIZE.1,
        },
    ])
}

/// "1 structure", "8 structures (95% CI over them)".
fn structures(n: u64) -> String {
    if n == 1 {
        "1 structure".to_string()
    } else {
        format!("{n} structures (95% CI over them)")
    }
}
