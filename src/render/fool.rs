//! `nshed fool` reports: tables, CSV and figures.

use std::fmt::Write as _;

use super::figure::{
    grouped_bars_svg, line_plot_svg, BarPanel, BarSeries, FigureOptions, LinePlot, LineSeries,
};
use super::{fmt_num, opt_field, opt_num, pretty_json, Csv, Render, Table};
use crate::experiments::fool::{Density, DepthReport, DepthRow, FileReport};

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
            Some(q) => format!(
                "{} random patterns (density {}{})",
                r.stats.drawn,
                fmt_num(q),
                if r.density_from_data {
                    ", the training patterns' mean"
                } else {
                    ""
                }
            ),
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
        if let Some(c) = r.confident_data {
            let _ = writeln!(
                out,
                "control: {} of the model's own data samples are classified with p >= {}",
                fmt_num(c),
                fmt_num(r.threshold)
            );
        }
        if let Some(t) = r.stats.top_class_share {
            let _ = writeln!(
                out,
                "the most frequent class holds {} of the fooling patterns",
                fmt_num(t)
            );
        }
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

/// The density of a depth sweep's random patterns, in words.
fn density_text(r: &DepthReport) -> String {
    match r.density {
        Density::Fixed(q) => format!("density {}", fmt_num(q)),
        Density::Data => "the density of each model's training patterns".to_string(),
    }
}

/// A 95% interval `[lo, hi]` as `lo..hi`, or `-`.
fn interval(ci: Option<[f64; 2]>) -> String {
    ci.map_or("-".to_string(), |[lo, hi]| {
        format!("{}..{}", fmt_num(lo), fmt_num(hi))
    })
}

/// The mean top-class share `± half-width`.
fn top_class(d: &DepthRow) -> String {
    match (d.top_class_share, d.top_class_share_ci95) {
        (Some(m), Some(h)) => format!("{} ± {}", fmt_num(m), fmt_num(h)),
        (m, _) => opt_num(m),
    }
}

/// How many of a depth's models have a fooling rate of 0, below 1/2, and from 1/2 up.
fn model_rates(d: &DepthRow) -> String {
    let rates: Vec<f64> = d
        .per_model
        .iter()
        .filter_map(|m| m.stats.fooling_rate)
        .collect();
    let zero = rates.iter().filter(|&&r| r == 0.0).count();
    let high = rates.iter().filter(|&&r| r >= 0.5).count();
    format!("{zero} / {} / {high}", rates.len() - zero - high)
}

impl Render for DepthReport {
    fn json(&self) -> serde_json::Result<String> {
        pretty_json(self)
    }

    fn table(&self) -> String {
        let r = self;
        let mut out = format!(
            "fooling inputs and output collapse against depth (seed {}, {} per depth x {} training seed(s), {} training steps, {} random patterns per model at {}, d >= {}, p >= {})\n",
            r.seed,
            models(r.models_per_depth),
            r.train_seeds,
            r.steps,
            r.samples,
            density_text(r),
            r.min_distance,
            fmt_num(r.threshold)
        );
        let mut table = Table::new(&[
            "levels",
            "fooling rate",
            "95% CI",
            "confident data",
            "95% CI",
            "excess",
            "95% CI",
            "top class",
            "density",
            "pathways",
            "accuracy",
            "models: 0 / <0.5 / >=0.5",
            "seed range",
        ]);
        for d in &r.depths {
            table.row(vec![
                d.depth.to_string(),
                opt_num(d.fooling_rate),
                interval(d.fooling_rate_ci95),
                opt_num(d.confident_data),
                interval(d.confident_data_ci95),
                opt_num(d.excess_over_data),
                interval(d.excess_over_data_ci95),
                top_class(d),
                opt_num(d.density),
                fmt_num(d.distinct_pathways),
                opt_num(d.accuracy),
                model_rates(d),
                opt_num(d.train_seed_range),
            ]);
        }
        out.push_str(&table.to_string());
        out.push_str("fooling rate: fooled / far patterns, pooled (CI: bootstrap over models); confident data: share of the models' own data samples with p >= the threshold (CI: bootstrap over models); excess: fooling rate minus confident data (CI: bootstrap over models, paired); top class: mean share of a model's fooling patterns in its most frequent class (± 95% t interval over models); pathways: mean distinct level-(L-1) pathways; models: how many models have a fooling rate of 0, between 0 and 1/2, and from 1/2; seed range: mean over structures of the range of their training seeds' rates\n");
        out
    }

    fn csv(&self) -> Option<String> {
        let mut csv = Csv::new([
            "levels",
            "fooling_rate",
            "fooling_rate_lo",
            "fooling_rate_hi",
            "far",
            "fooled",
            "confident_data",
            "confident_data_lo",
            "confident_data_hi",
            "excess_over_data",
            "excess_over_data_lo",
            "excess_over_data_hi",
            "top_class_share",
            "top_class_share_ci95",
            "train_seed_range",
            "density",
            "distinct_classes",
            "distinct_pathways",
            "accuracy",
        ]);
        for d in &self.depths {
            let [lo, hi] = d
                .fooling_rate_ci95
                .map_or([None, None], |[lo, hi]| [Some(lo), Some(hi)]);
            let [cd_lo, cd_hi] = d
                .confident_data_ci95
                .map_or([None, None], |[lo, hi]| [Some(lo), Some(hi)]);
            let [ex_lo, ex_hi] = d
                .excess_over_data_ci95
                .map_or([None, None], |[lo, hi]| [Some(lo), Some(hi)]);
            csv.row([
                d.depth.to_string(),
                opt_field(d.fooling_rate),
                opt_field(lo),
                opt_field(hi),
                d.far.to_string(),
                d.fooled.to_string(),
                opt_field(d.confident_data),
                opt_field(cd_lo),
                opt_field(cd_hi),
                opt_field(d.excess_over_data),
                opt_field(ex_lo),
                opt_field(ex_hi),
                opt_field(d.top_class_share),
                opt_field(d.top_class_share_ci95),
                opt_field(d.train_seed_range),
                opt_field(d.density),
                d.distinct_classes.to_string(),
                d.distinct_pathways.to_string(),
                opt_field(d.accuracy),
            ]);
        }
        Some(csv.finish())
    }

    fn svg(&self) -> Option<String> {
        let r = self;
        let samples = r.samples as f64;
        let series = |label: &str, f: &dyn Fn(&DepthRow) -> Option<f64>| {
            LineSeries::new(
                label,
                r.depths
                    .iter()
                    .filter_map(|d| f(d).map(|y| (d.depth as f64, y)))
                    .collect(),
            )
        };
        let mut rate = series("fooling rate (95% CI)", &|d| d.fooling_rate);
        rate.intervals = r
            .depths
            .iter()
            .filter(|d| d.fooling_rate.is_some())
            .map(|d| d.fooling_rate_ci95.map(|[lo, hi]| (lo, hi)))
            .collect();
        let mut confident = series(
            &format!("data samples with p >= {} (95% CI)", fmt_num(r.threshold)),
            &|d| d.confident_data,
        );
        confident.intervals = r
            .depths
            .iter()
            .filter(|d| d.confident_data.is_some())
            .map(|d| d.confident_data_ci95.map(|[lo, hi]| (lo, hi)))
            .collect();
        let plot = LinePlot {
            x_label: "levels L".into(),
            y_label: "share".into(),
            series: vec![
                rate,
                confident,
                series("fooling patterns in the top class", &|d| d.top_class_share),
                series("distinct level-(L-1) pathways / patterns", &|d| {
                    Some(d.distinct_pathways / samples)
                }),
                series("training accuracy", &|d| d.accuracy),
            ],
            x_log: false,
            y_log: false,
            y_span: None,
        };
        let density = match r.density {
            Density::Fixed(q) => format!("density {}", fmt_num(q)),
            Density::Data => "data's density".to_string(),
        };
        let title = format!(
            "Fooling against depth ({} x {} models, {density}, p >= {})",
            r.models_per_depth,
            r.train_seeds,
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
