//! Grouped bar charts (for `regularize`: per level, one bar per batch size).

use super::axes::{draw_axes, y_axis_room, Axis, Panel, PanelGrid};
use super::scale::Scale;
use super::svg::{escape, text_width, Anchor, Svg, FONT_SIZE};
use super::FigureOptions;
use crate::analysis::LevelSparsity;

/// One bar per category, all in one colour (e.g. one batch size).
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct BarSeries {
    pub label: String,
    /// One value per category of the panel; missing or non-finite values draw no bar.
    pub values: Vec<f64>,
}

/// One panel of grouped bars (e.g. effective nodes per level).
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct BarPanel {
    pub title: String,
    pub y_label: String,
    /// The groups along the x axis (e.g. level names).
    pub categories: Vec<String>,
    pub series: Vec<BarSeries>,
}

/// The two panels of the implicit-regularization figure: effective number of nodes and
/// top-node share per level, one series per run. `runs` pairs a run's label (e.g. `batch 1`)
/// with its per-level sparsity, in the order of `levels`.
pub fn sparsity_bar_panels(
    levels: &[String],
    runs: &[(String, Vec<LevelSparsity>)],
) -> Vec<BarPanel> {
    let panel = |title: &str, y_label: &str, value: fn(&LevelSparsity) -> f64| BarPanel {
        title: title.to_string(),
        y_label: y_label.to_string(),
        categories: levels.to_vec(),
        series: runs
            .iter()
            .map(|(label, sparsity)| BarSeries {
                label: label.clone(),
                values: sparsity.iter().map(value).collect(),
            })
            .collect(),
    };
    vec![
        panel(
            "Effective nodes per level",
            "exp(entropy of lambda share)",
            |s| s.effective_nodes,
        ),
        panel("Share of the top node", "max lambda / sum lambda", |s| {
            s.top_share
        }),
    ]
}

const CELL_WIDTH: f64 = 380.0;
const CELL_HEIGHT: f64 = 300.0;

/// Grouped bar charts as an SVG document: panels side by side (rows of up to three), each with
/// its own y scale from 0, categories along x, one bar per series within each category; a
/// series has the same colour in every panel (by label), with one legend on top.
pub fn grouped_bars_svg(panels: &[BarPanel], options: &FigureOptions) -> String {
    let grid = PanelGrid::new(
        panels.len(),
        (CELL_WIDTH, CELL_HEIGHT),
        options,
        panels
            .iter()
            .flat_map(|p| &p.series)
            .map(|s| s.label.as_str()),
    );

    let mut svg = Svg::new(grid.width, grid.height);
    let cells = grid.draw_head(&mut svg, options.title.as_deref());
    for (data, &(cell_left, cell_top, cell_width, cell_height)) in panels.iter().zip(&cells) {
        // 5% headroom so the tallest bar does not touch the frame.
        let values = data
            .series
            .iter()
            .flat_map(|s| s.values.iter().map(|v| v * 1.05));
        let (y_scale, y_ticks) = Scale::linear(values, Some(0.0));
        let left_room = y_axis_room(&y_ticks) + 6.0;
        let panel = Panel {
            left: cell_left + left_room,
            top: cell_top + 24.0,
            width: (cell_width - left_room - 16.0).max(30.0),
            height: (cell_height - 24.0 - 40.0).max(30.0),
        };
        svg.text(
            panel.left + panel.width / 2.0,
            cell_top + 16.0,
            FONT_SIZE + 1.0,
            Anchor::Middle,
            &data.title,
            "class=\"panel-title\"",
        );
        let y_axis = Axis {
            scale: y_scale.onto(panel.bottom(), panel.top),
            ticks: &y_ticks,
            title: &data.y_label,
        };
        draw_axes(&mut svg, panel, None, &y_axis);

        let groups = data.categories.len().max(1) as f64;
        let group_width = panel.width / groups;
        let bar_width = group_width * 0.8 / data.series.len().max(1) as f64;
        // Category labels shrink to fit their group.
        for (k, category) in data.categories.iter().enumerate() {
            let centre = panel.left + (k as f64 + 0.5) * group_width;
            let size = (FONT_SIZE * group_width / text_width(category, FONT_SIZE).max(1.0))
                .clamp(7.0, FONT_SIZE);
            svg.text(
                centre,
                panel.bottom() + 17.0,
                size,
                Anchor::Middle,
                category,
                "class=\"category\"",
            );
        }
        let zero = y_axis.scale.map_clamped(0.0).unwrap_or(panel.bottom());
        for (s, series) in data.series.iter().enumerate() {
            let colour = grid.colour_of(&series.label);
            svg.open(&format!(
                "class=\"series\" data-label=\"{}\"",
                escape(&series.label)
            ));
            for (k, &value) in series.values.iter().enumerate().take(data.categories.len()) {
                let Some(y) = y_axis.scale.map_clamped(value) else {
                    continue;
                };
                let x =
                    panel.left + k as f64 * group_width + group_width * 0.1 + s as f64 * bar_width;
                svg.rect(
                    x,
                    y.min(zero),
                    bar_width * 0.92,
                    (zero - y).abs(),
                    &format!(
                        "class=\"bar\" fill=\"{colour}\" fill-opacity=\"0.85\" stroke=\"{colour}\""
                    ),
                );
            }
            svg.close();
        }
    }
    svg.finish()
}
