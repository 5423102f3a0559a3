//! Local elasticity histograms like Figure 5 of the neurashed paper: one panel per base class, one
//! colour per test class.

use std::collections::BTreeMap;

use super::axes::{draw_axes, y_axis_room, Axis, Panel, PanelGrid};
use super::scale::Scale;
use super::svg::{escape, Anchor, Svg, FONT_SIZE};
use super::FigureOptions;
use crate::analysis::{le_values_by_class_pair, AnalysisError};

/// The values of one histogram (one test class within a panel).
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct HistogramSeries {
    pub label: String,
    pub values: Vec<f64>,
}

/// One panel: the LE values obtained by updating on samples of one base class.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct LeHistogramPanel {
    pub title: String,
    pub series: Vec<HistogramSeries>,
}

/// Groups an LE matrix (row = base sample) into one panel per base class ("Updated with class
/// c1") holding one series per test class, in class order. `class_names[k]` names class `k`
/// (`class k` when missing). Undefined values are left out; `skip_self` leaves out `LE(x, x)`.
pub fn le_histogram_panels(
    matrix: &[Vec<Option<f64>>],
    labels: &[usize],
    class_names: &[String],
    skip_self: bool,
) -> Result<Vec<LeHistogramPanel>, AnalysisError> {
    let name = |k: usize| {
        class_names
            .get(k)
            .cloned()
            .unwrap_or_else(|| format!("class {k}"))
    };
    let mut panels: BTreeMap<usize, Vec<HistogramSeries>> = BTreeMap::new();
    for ((base, test), group) in le_values_by_class_pair(matrix, labels, skip_self)? {
        panels.entry(base).or_default().push(HistogramSeries {
            label: name(test),
            values: group.values,
        });
    }
    Ok(panels
        .into_iter()
        .map(|(base, series)| LeHistogramPanel {
            title: format!("Updated with class {}", name(base)),
            series,
        })
        .collect())
}

const CELL_WIDTH: f64 = 330.0;
const CELL_HEIGHT: f64 = 270.0;

/// The histograms as an SVG document: panels in rows of up to three, sharing the x range
/// (`[0, max LE]`, rounded up), the `bins` equal bins on it (at least 1) and the y range (counts),
/// so panels compare directly; each test class is a translucent bar set with a step outline in
/// its colour, the same colour in every panel (by label), with one legend on top. Non-finite
/// values are left out.
pub fn le_histograms_svg(
    panels: &[LeHistogramPanel],
    bins: usize,
    options: &FigureOptions,
) -> String {
    le_histograms_svg_scaled(panels, bins, options, false)
}

/// [`le_histograms_svg`] on a log scale: every positive value `v` is binned as `log10 v` (the
/// x range then fits the data instead of starting at 0); zeros and negatives are left out.
/// LE spans many decades when a base barely moves its own logits, which squeezes a linear
/// histogram into its first bin.
pub fn le_histograms_log_svg(
    panels: &[LeHistogramPanel],
    bins: usize,
    options: &FigureOptions,
) -> String {
    let logged: Vec<LeHistogramPanel> = panels
        .iter()
        .map(|p| LeHistogramPanel {
            title: p.title.clone(),
            series: p
                .series
                .iter()
                .map(|s| HistogramSeries {
                    label: s.label.clone(),
                    values: s
                        .values
                        .iter()
                        .filter(|v| **v > 0.0)
                        .map(|v| v.log10())
                        .collect(),
                })
                .collect(),
        })
        .collect();
    le_histograms_svg_scaled(&logged, bins, options, true)
}

fn le_histograms_svg_scaled(
    panels: &[LeHistogramPanel],
    bins: usize,
    options: &FigureOptions,
    log: bool,
) -> String {
    let bins = bins.max(1);
    let grid = PanelGrid::new(
        panels.len(),
        (CELL_WIDTH, CELL_HEIGHT),
        options,
        panels
            .iter()
            .flat_map(|p| &p.series)
            .map(|s| s.label.as_str()),
    );

    let values = || {
        panels
            .iter()
            .flat_map(|p| &p.series)
            .flat_map(|s| s.values.iter().copied())
    };
    let (x_scale, x_ticks) = Scale::linear(values(), (!log).then_some(0.0));
    let (lo, hi) = x_scale.domain();
    let bin_width = (hi - lo) / bins as f64;
    let counts = |series: &HistogramSeries| {
        let mut counts = vec![0usize; bins];
        for v in series.values.iter().filter(|v| v.is_finite()) {
            let bin = (((v - lo) / bin_width).floor().max(0.0) as usize).min(bins - 1);
            counts[bin] += 1;
        }
        counts
    };
    let all_counts: Vec<Vec<Vec<usize>>> = panels
        .iter()
        .map(|p| p.series.iter().map(counts).collect())
        .collect();
    let highest = all_counts
        .iter()
        .flatten()
        .flatten()
        .copied()
        .max()
        .unwrap_or(0);
    // Counts are whole numbers, and so are the ticks of their axis.
    let (y_scale, y_ticks) = Scale::linear_whole([highest as f64 * 1.05].into_iter(), Some(0.0));

    let mut svg = Svg::new(grid.width, grid.height);
    let cells = grid.draw_head(&mut svg, options.title.as_deref());
    let left_room = y_axis_room(&y_ticks) + 6.0;
    for ((panel_data, counts_of_panel), &(cell_left, cell_top, cell_width, cell_height)) in
        panels.iter().zip(&all_counts).zip(&cells)
    {
        let panel = Panel {
            left: cell_left + left_room,
            top: cell_top + 24.0,
            width: (cell_width - left_room - 16.0).max(30.0),
            height: (cell_height - 24.0 - 52.0).max(30.0),
        };
        svg.text(
            panel.left + panel.width / 2.0,
            cell_top + 16.0,
            FONT_SIZE + 1.0,
            Anchor::Middle,
            &panel_data.title,
            "class=\"panel-title\"",
        );
        let x_axis = Axis {
            scale: x_scale.onto(panel.left, panel.right()),
            ticks: &x_ticks,
            title: if log { "log10 LE(x, x')" } else { "LE(x, x')" },
        };
        let y_axis = Axis {
            scale: y_scale.onto(panel.bottom(), panel.top),
            ticks: &y_ticks,
            title: "count",
        };
        draw_axes(&mut svg, panel, Some(&x_axis), &y_axis);
        for (series, counts) in panel_data.series.iter().zip(counts_of_panel) {
            let colour = grid.colour_of(&series.label);
            svg.open(&format!(
                "class=\"series\" data-label=\"{}\"",
                escape(&series.label)
            ));
            let base = y_axis.scale.start();
            // The step outline starts and ends on the x axis.
            let mut outline = vec![(panel.left, base)];
            for (bin, &count) in counts.iter().enumerate() {
                let edge = |k: usize| x_axis.scale.map(lo + k as f64 * bin_width);
                let (Some(x0), Some(x1), Some(y)) =
                    (edge(bin), edge(bin + 1), y_axis.scale.map(count as f64))
                else {
                    continue;
                };
                if count > 0 {
                    svg.rect(
                        x0,
                        y,
                        x1 - x0,
                        base - y,
                        &format!("class=\"bar\" fill=\"{colour}\" fill-opacity=\"0.35\""),
                    );
                }
                outline.push((x0, y));
                outline.push((x1, y));
            }
            outline.push((panel.right(), base));
            svg.polyline(
                &outline,
                &format!("stroke=\"{colour}\" stroke-width=\"1.5\""),
            );
            svg.close();
        }
    }
    svg.finish()
}
