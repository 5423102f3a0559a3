//! `nshed fool` reports: tables, CSV and figures.

use std::fmt::Write as _;

use super::figure::{
    grouped_bars_svg, line_plot_svg, BarPanel, BarSeries, FigureOptions, LinePlot, LineSeries,
};
use super::{fmt_num, opt_field, opt_num, pretty_json, Csv, Render, Table};
use crate::experiments::fool::{DepthReport, DepthRow, FileReport};

fn pattern_text(p: &Option<Vec<String>>) -> String {
    match p {
        Some(names) => format!("{{{}}}", names.join(" ")),
        None => "none found".to_string(),
    }
}

/// `, accuracy A` for a model with data.
fn accuracy_note(accuracy: Option<f64>) -> String {
    accuracy.map_or(String::new(), |a| format!(", accuracy {}", fmt_num(a)))
}

impl Render for FileReport {
    fn json(&self) -> serde_json::Result<String> {
        pretty_json(self)
    }

    fn table(&self) -> String {
        let r = self;
        let mut out = format!(
            "fooling inputs of {} (seed {}, {}{})\n",
            r.model,
            r.seed,
            if r.trained {
                format!("trained {} steps", r.steps)
            } else {
                "untrained".to_string()
            },
            accuracy_note(r.accuracy)
        );
        let what = match r.density {
            Some(q) => format!("{} random patterns (density {})", r.stats.drawn, fmt_num(q)),
            None => format!("all {} patterns", r.stats.drawn),
        };
        let _ = writeln!(
            out,
            "{what}: {} at distance >= {} from every training pattern, {} of them classified with p >= {}",
            r.stats.far,
            r.min_distance,
            r.stats.fooled,
            fmt_num(r.threshold)
        );
        let _ = writeln!(out, "fooling rate: {}", opt_num(r.stats.fooling_rate));
        let _ = writeln!(
            out,
            "output collapse: {} distinct predicted classes, {} distinct level-(L-1) pathways{}\n",
            r.stats.distinct_classes,
            r.stats.distinct_pathways,
            no_class_note(r.stats.no_class)
        );
        let by = r.smallest_by.unwrap_or("search");
        let mut table = Table::new(&[
            "class",
            "predicted",
            "fooled",
            "smallest",
            "p",
            "distance",
            "pattern",
        ]);
        for c in &r.classes {
            let (size, p, d, pattern) = match &c.smallest {
                Some(s) => (
                    s.size.map_or("-".into(), |n| n.to_string()),
                    opt_num(s.p),
                    s.distance.map_or("-".into(), |d| d.to_string()),
                    pattern_text(&s.pattern),
                ),
                None => ("-".into(), "-".into(), "-".into(), "(no search)".into()),
            };
            table.row(vec![
                c.class.clone(),
                c.predicted.to_string(),
                c.fooled.to_string(),
                size,
                p,
                d,
                pattern,
            ]);
        }
        let _ = writeln!(out, "per class (smallest fooling pattern by {by}):");
        out.push_str(&table.to_string());
        out
    }

    fn csv(&self) -> Option<String> {
        let mut csv = Csv::new([
            "class",
            "predicted",
            "fooled",
            "smallest_size",
            "smallest_pattern",
            "p",
            "distance",
        ]);
        for c in &self.classes {
            let s = c.smallest.as_ref();
            csv.row([
                c.class.clone(),
                c.predicted.to_string(),
                c.fooled.to_string(),
                s.and_then(|s| s.size)
                    .map_or(String::new(), |n| n.to_string()),
                s.and_then(|s| s.pattern.as_ref())
                    .map_or(String::new(), |p| p.join(" ")),
                opt_field(s.and_then(|s| s.p)),
                s.and_then(|s| s.distance)
                    .map_or(String::new(), |d| d.to_string()),
            ]);
        }
        Some(csv.finish())
    }

    fn svg(&self) -> Option<String> {
        let r = self;
        let categories: Vec<String> = r.classes.iter().map(|c| c.class.clone()).collect();
        let panels = vec![
            BarPanel {
                title: "Patterns per predicted class".into(),
                y_label: "patterns".into(),
                categories: categories.clone(),
                series: vec![
                    BarSeries {
                        label: "predicted".into(),
                        values: r.classes.iter().map(|c| c.predicted as f64).collect(),
                    },
                    BarSeries {
                        label: format!("fooling (p >= {})", fmt_num(r.threshold)),
                        values: r.classes.iter().map(|c| c.fooled as f64).collect(),
                    },
                ],
            },
            BarPanel {
                title: "Smallest fooling pattern".into(),
                y_label: "firing inputs".into(),
                categories,
                series: vec![BarSeries {
                    label: "smallest size".into(),
                    values: r
                        .classes
                        .iter()
                        .map(|c| {
                            c.smallest
                                .as_ref()
                                .and_then(|s| s.size)
                                .map_or(f64::NAN, |n| n as f64)
                        })
                        .collect(),
                }],
            },
        ];
        let title = format!(
            "Fooling inputs of {}: rate {} (d >= {}, p >= {}{})",
            r.model,
            opt_num(r.stats.fooling_rate),
            r.min_distance,
            fmt_num(r.threshold),
            accuracy_note(r.accuracy)
        );
        Some(grouped_bars_svg(&panels, &FigureOptions::titled(title)))
    }
}

impl Render for DepthReport {
    fn json(&self) -> serde_json::Result<String> {
        pretty_json(self)
    }

    fn table(&self) -> String {
        let r = self;
        let mut out = format!(
            "fooling inputs and output collapse against depth (seed {}, {} per depth, {} training steps, {} random patterns of density {} per model, d >= {}, p >= {})\n",
            r.seed,
            models(r.models_per_depth),
            r.steps,
            r.samples,
            fmt_num(r.density),
            r.min_distance,
            fmt_num(r.threshold)
        );
        let mut table = Table::new(&[
            "levels",
            "fooling rate",
            "far",
            "fooled",
            "distinct classes",
            "distinct pathways",
            "accuracy",
        ]);
        for d in &r.depths {
            table.row(vec![
                d.depth.to_string(),
                opt_num(d.fooling_rate),
                d.far.to_string(),
                d.fooled.to_string(),
                fmt_num(d.distinct_classes),
                fmt_num(d.distinct_pathways),
                opt_num(d.accuracy),
            ]);
        }
        out.push_str(&table.to_string());
        out
    }

    fn csv(&self) -> Option<String> {
        let mut csv = Csv::new([
            "levels",
            "fooling_rate",
            "far",
            "fooled",
            "distinct_classes",
            "distinct_pathways",
            "accuracy",
        ]);
        for d in &self.depths {
            csv.row([
                d.depth.to_string(),
                opt_field(d.fooling_rate),
                d.far.to_string(),
                d.fooled.to_string(),
                d.distinct_classes.to_string(),
                d.distinct_pathways.to_string(),
                opt_field(d.accuracy),
            ]);
        }
        Some(csv.finish())
    }

    fn svg(&self) -> Option<String> {
        let r = self;
        let classes = r.shape.classes as f64;
        let samples = r.samples as f64;
        let series = |label: &str, f: &dyn Fn(&DepthRow) -> Option<f64>| LineSeries {
            label: label.to_string(),
            points: r
                .depths
                .iter()
                .filter_map(|d| f(d).map(|y| (d.depth as f64, y)))
                .collect(),
        };
        let plot = LinePlot {
            x_label: "levels L".into(),
            y_label: "share".into(),
            series: vec![
                series("fooling rate", &|d| d.fooling_rate),
                series("distinct classes / classes", &|d| {
                    Some(d.distinct_classes / classes)
                }),
                series("distinct level-(L-1) pathways / patterns", &|d| {
                    Some(d.distinct_pathways / samples)
                }),
                series("training accuracy", &|d| d.accuracy),
            ],
            x_log: false,
            y_log: false,
        };
        let title = format!(
            "Fooling and output collapse against depth ({} per depth, p >= {})",
            models(r.models_per_depth),
            fmt_num(r.threshold)
        );
        Some(line_plot_svg(&plot, &FigureOptions::titled(title)))
    }
}

/// `; N reach no class` when some patterns have no prediction.
fn no_class_note(n: u64) -> String {
    if n == 0 {
        String::new()
    } else {
        let (noun, verb) = if n == 1 {
            ("pattern", "reaches")
        } else {
            ("patterns", "reach")
        };
        format!("; {n} {noun} {verb} no class (no prediction)")
    }
}

/// "1 model", "3 models".
fn models(n: u64) -> String {
    if n == 1 {
        "1 model".to_string()
    } else {
        format!("{n} models")
    }
}
