//! `nshed depth` reports: tables, CSV and figures.

use std::fmt::Write as _;

use super::figure::{
    grouped_bars_svg, line_plot_svg, stack_svgs, BarPanel, BarSeries, FigureOptions, LinePlot,
    LineSeries, Sized,
};
use super::{fmt_num, loss_field, opt_field, opt_num, pretty_json, Csv, Render, Table};
use crate::analysis::mean;
use crate::analysis::stats::MeanCi;
use crate::experiments::depth::{Cell, DepthReport, FreezeCell, ModelSource, Pair, TestSummary};

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
        out.push_str(&test_table(r));
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
        let has_test = r.cells.iter().any(|c| c.test.is_some());
        if has_test {
            header.extend(TEST_COLUMNS);
            if r.frozen_level.is_some() {
                header.extend(FROZEN_TEST_COLUMNS);
            }
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
            if has_test {
                row.extend(test_fields(c.test.as_ref()));
                if let Some(f) = &c.freeze {
                    row.extend(test_fields(f.frozen_test.as_ref()));
                }
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
        y_span: None,
    };
    // The accuracy of the models the spread is measured on, beside the figure.
    let accuracy = r.cells.iter().filter_map(|c| c.accuracy);
    let accuracy = match (accuracy.clone().reduce(f64::min), accuracy.reduce(f64::max)) {
        (Some(lo), Some(hi)) if lo == hi => format!(" (accuracy {})", opt_num(Some(lo))),
        (Some(lo), Some(hi)) => format!(" (accuracy {lo:.2} to {hi:.2})"),
        _ => String::new(),
    };
    let test = r
        .cells
        .iter()
        .filter_map(|c| c.test.as_ref()?.accuracy.mean);
    let accuracy = match (test.clone().reduce(f64::min), test.reduce(f64::max)) {
        (Some(lo), Some(hi)) if lo == hi => {
            format!("{accuracy} (test accuracy {})", opt_num(Some(lo)))
        }
        (Some(lo), Some(hi)) => format!("{accuracy} (test accuracy {lo:.2} to {hi:.2})"),
        _ => accuracy,
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
    let values = |f: &dyn Fn(&Cell) -> Option<f64>| -> Vec<f64> {
        categories
            .iter()
            .map(|k| {
                mean(r.cells.iter().filter(|c| &key(c) == k).filter_map(f)).unwrap_or(f64::NAN)
            })
            .collect()
    };
    let suffix = if by_depth && inits.len() > 1 {
        " (mean over inits)"
    } else {
        ""
    };
    let bars_of = |title: &str,
                   y: &str,
                   trained: &dyn Fn(&Cell) -> Option<f64>,
                   frozen: &dyn Fn(&Cell) -> Option<f64>| BarPanel {
        title: format!("{title}{suffix}"),
        y_label: y.into(),
        categories: categories.clone(),
        series: vec![
            BarSeries {
                label: "trained".into(),
                values: values(trained),
            },
            BarSeries {
                label: format!("level `{level}` frozen"),
                values: values(frozen),
            },
        ],
    };
    let panel = |title: &str, y: &str, f: &dyn Fn(&FreezeCell) -> &Pair| {
        bars_of(
            title,
            y,
            &|c| c.freeze.as_ref().and_then(|fc| f(fc).trained),
            &|c| c.freeze.as_ref().and_then(|fc| f(fc).frozen),
        )
    };
    let mut panels = vec![
        panel("Accuracy", "share of samples", &|f| &f.accuracy),
        panel("Sparsity of level L-1", "effective nodes", &|f| {
            &f.effective_nodes_top
        }),
        panel("LE within classes", "median LE", &|f| &f.le_within),
        panel("LE between classes", "median LE", &|f| &f.le_between),
    ];
    if r.cells.iter().any(|c| c.test.is_some()) {
        let frozen_test = |c: &Cell| c.freeze.as_ref().and_then(|f| f.frozen_test.clone());
        panels.push(bars_of(
            "Test accuracy",
            "share of test samples",
            &|c| c.test.as_ref().and_then(|t| t.accuracy.mean),
            &|c| frozen_test(c).and_then(|t| t.accuracy.mean),
        ));
        panels.push(bars_of(
            "Generalisation gap",
            "data - test accuracy",
            &|c| c.test.as_ref().and_then(|t| t.gap.mean),
            &|c| frozen_test(c).and_then(|t| t.gap.mean),
        ));
    }
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

/// "0.8 ± 0.05" (mean and 95% half-width), "0.8" with no interval, "-" with no mean.
fn mean_ci(m: &MeanCi) -> String {
    match (m.mean, m.ci95) {
        (Some(v), Some(h)) => format!("{} ± {}", fmt_num(v), fmt_num(h)),
        (v, _) => opt_num(v),
    }
}

/// The test metrics of every cell (and of its frozen runs), when the model has a test set.
fn test_table(r: &DepthReport) -> String {
    let Some(samples) = r
        .cells
        .iter()
        .find_map(|c| c.test.as_ref().map(|t| t.samples))
    else {
        return String::new();
    };
    let mut out = format!(
        "\nheld-out test set ({samples} samples): means over seeds with 95% CI (t over the runs); gap = data accuracy - test accuracy\n"
    );
    let mut headers = vec!["levels", "init"];
    if r.frozen_level.is_some() {
        headers.push("runs");
    }
    headers.extend(["test accuracy", "test loss", "gap"]);
    let mut t = Table::new(&headers);
    for c in &r.cells {
        let frozen = c.freeze.as_ref().and_then(|f| f.frozen_test.as_ref());
        for (frozen_runs, test) in [(false, c.test.as_ref()), (true, frozen)] {
            let Some(test) = test else { continue };
            let mut row = vec![c.depth.to_string(), c.init.to_string()];
            if let Some(level) = &r.frozen_level {
                row.push(if frozen_runs {
                    format!("`{level}` frozen")
                } else {
                    "trained".to_string()
                });
            }
            row.extend([
                mean_ci(&test.accuracy),
                mean_ci(&test.loss),
                mean_ci(&test.gap),
            ]);
            t.row(row);
        }
    }
    out.push_str(&t.to_string());
    out
}

/// The CSV columns of a test summary, empty fields without one.
fn test_fields(test: Option<&TestSummary>) -> [String; 6] {
    let f = |m: Option<&MeanCi>| {
        [
            opt_field(m.and_then(|m| m.mean)),
            opt_field(m.and_then(|m| m.ci95)),
        ]
    };
    let [a, ac] = f(test.map(|t| &t.accuracy));
    let [_, lc] = f(test.map(|t| &t.loss));
    let l = loss_field(test.and_then(|t| t.loss.mean));
    let [g, gc] = f(test.map(|t| &t.gap));
    [a, ac, l, lc, g, gc]
}

const TEST_COLUMNS: [&str; 6] = [
    "test_accuracy",
    "test_accuracy_ci95",
    "test_loss",
    "test_loss_ci95",
    "gap",
    "gap_ci95",
];

const FROZEN_TEST_COLUMNS: [&str; 6] = [
    "frozen_test_accuracy",
    "frozen_test_accuracy_ci95",
    "frozen_test_loss",
    "frozen_test_loss_ci95",
    "frozen_gap",
    "frozen_gap_ci95",
];

/// "1 structure", "8 structures (95% CI over them)".
fn structures(n: u64) -> String {
    if n == 1 {
        "1 structure".to_string()
    } else {
        format!("{n} structures (95% CI over them)")
    }
}
