//! A generic line plot with several series and optional log axes (for the experiments).

use super::axes::{
    draw_axes, draw_legend, draw_legend_flow, draw_title, flow_rows, legend_entry_width,
    legend_height, y_axis_room, Axis, LegendEntry, Marker, Panel,
};
use super::palette::categorical;
use super::scale::Scale;
use super::svg::{escape, Svg};
use super::FigureOptions;

/// One series: `(x, y)` points drawn in the given order, optionally with an interval
/// `(lo, hi)` of `y` per point, drawn as a vertical error bar.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct LineSeries {
    pub label: String,
    pub points: Vec<(f64, f64)>,
    /// Empty, or one entry per point (`None`: no bar at that point).
    #[serde(default)]
    pub intervals: Vec<Option<(f64, f64)>>,
}

impl LineSeries {
    /// A series without error bars.
    pub fn new(label: impl Into<String>, points: Vec<(f64, f64)>) -> LineSeries {
        LineSeries {
            label: label.into(),
            points,
            intervals: Vec::new(),
        }
    }

    /// The interval of point `i`, if it has one.
    fn interval(&self, i: usize) -> Option<(f64, f64)> {
        self.intervals.get(i).copied().flatten()
    }
}

/// A line plot: axis titles, series, and whether each axis is logarithmic (base 10).
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct LinePlot {
    pub x_label: String,
    pub y_label: String,
    pub series: Vec<LineSeries>,
    pub x_log: bool,
    pub y_log: bool,
    /// Values the y axis spans whatever the points (`(0, 1)` for a share), if any.
    #[serde(default)]
    pub y_span: Option<(f64, f64)>,
}

/// Series with at most this many points get markers as well as lines.
const MARKER_LIMIT: usize = 60;

fn scale_of(values: impl Iterator<Item = f64>, log: bool) -> (Scale, Vec<super::scale::Tick>) {
    if log {
        Scale::log(values)
    } else {
        Scale::linear(values, None)
    }
}

/// The line plot as an SVG document (default 720 x 480): one colour and marker shape per
/// series, legend on the right. Points that cannot be drawn (non-finite, or `<= 0` on a log
/// axis) are skipped and break the line there.
pub fn line_plot_svg(plot: &LinePlot, options: &FigureOptions) -> String {
    let (width, height) = options.size.unwrap_or((720.0, 480.0));
    let points = || plot.series.iter().flat_map(|s| s.points.iter().copied());
    let bounds = plot.series.iter().flat_map(|s| {
        (0..s.points.len())
            .filter_map(|i| s.interval(i))
            .flat_map(|(lo, hi)| [lo, hi])
    });
    let (x_scale, x_ticks) = scale_of(points().map(|p| p.0), plot.x_log);
    let span = plot.y_span.into_iter().flat_map(|(lo, hi)| [lo, hi]);
    let (y_scale, y_ticks) = scale_of(points().map(|p| p.1).chain(bounds).chain(span), plot.y_log);

    let mut svg = Svg::new(width, height);
    let top = draw_title(&mut svg, width, options.title.as_deref()) + 10.0;
    let entries: Vec<LegendEntry> = plot
        .series
        .iter()
        .enumerate()
        .map(|(index, s)| LegendEntry {
            label: &s.label,
            colour: categorical(index),
            marker: Some(Marker::nth(index)),
            marker_filled: true,
            line: true,
        })
        .collect();
    let legend_width = entries
        .iter()
        .map(|e| legend_entry_width(e.label))
        .fold(0.0, f64::max);
    // A legend that would squeeze the plot goes below it instead of to its right.
    let legend_below = legend_width > 0.3 * width;
    let below_height = if legend_below {
        legend_height(flow_rows(&entries, width - 20.0).len()) + 6.0
    } else {
        0.0
    };
    let left = y_axis_room(&y_ticks) + 14.0;
    let panel = Panel {
        left,
        top,
        width: if legend_below {
            width - left - 20.0
        } else {
            width - left - legend_width - 8.0
        }
        .max(50.0),
        height: (height - top - 56.0 - below_height).max(50.0),
    };
    let x_axis = Axis {
        scale: x_scale.padded(0.03).onto(panel.left, panel.right()),
        ticks: &x_ticks,
        title: &plot.x_label,
    };
    let y_axis = Axis {
        scale: y_scale.padded(0.03).onto(panel.bottom(), panel.top),
        ticks: &y_ticks,
        title: &plot.y_label,
    };
    draw_axes(&mut svg, panel, Some(&x_axis), &y_axis);

    for (index, series) in plot.series.iter().enumerate() {
        let colour = categorical(index);
        svg.open(&format!(
            "class=\"series\" data-label=\"{}\"",
            escape(&series.label)
        ));
        let mut segment: Vec<(f64, f64)> = Vec::new();
        let mut drawn: Vec<(f64, f64)> = Vec::new();
        for &(x, y) in &series.points {
            match (x_axis.scale.map(x), y_axis.scale.map(y)) {
                (Some(px), Some(py)) => {
                    segment.push((px, py));
                    drawn.push((px, py));
                }
                _ => flush(&mut svg, &mut segment, colour),
            }
        }
        flush(&mut svg, &mut segment, colour);
        for (i, &(x, _)) in series.points.iter().enumerate() {
            let Some((lo, hi)) = series.interval(i) else {
                continue;
            };
            let ends = (
                x_axis.scale.map(x),
                y_axis.scale.map(lo),
                y_axis.scale.map(hi),
            );
            if let (Some(px), Some(low), Some(high)) = ends {
                error_bar(&mut svg, px, (low, high), colour);
            }
        }
        if drawn.len() <= MARKER_LIMIT {
            for &pixel in &drawn {
                Marker::nth(index).draw(
                    &mut svg,
                    pixel,
                    3.5,
                    &format!(
                        "class=\"point\" fill=\"{colour}\" stroke=\"#ffffff\" stroke-width=\"0.8\""
                    ),
                );
            }
        }
        svg.close();
    }

    if legend_below {
        draw_legend_flow(
            &mut svg,
            (10.0, panel.bottom() + 50.0),
            width - 20.0,
            &entries,
        );
    } else {
        let legend_top =
            (panel.top + (panel.height - legend_height(entries.len())) / 2.0).max(panel.top);
        draw_legend(
            &mut svg,
            (panel.right() + 16.0, legend_top),
            &entries,
            false,
        );
    }
    svg.finish()
}

/// A vertical error bar at `x` from pixel `low` to `high`, with short caps.
fn error_bar(svg: &mut Svg, x: f64, (low, high): (f64, f64), colour: &str) {
    let style = format!("class=\"interval\" stroke=\"{colour}\" stroke-width=\"1.2\"");
    svg.polyline(&[(x, low), (x, high)], &style);
    for y in [low, high] {
        svg.polyline(&[(x - 3.0, y), (x + 3.0, y)], &style);
    }
}

/// Draws the pending line segment (if it has two points or more) and starts a new one.
fn flush(svg: &mut Svg, segment: &mut Vec<(f64, f64)>, colour: &str) {
    if segment.len() >= 2 {
        svg.polyline(
            segment,
            &format!("stroke=\"{colour}\" stroke-width=\"2\" stroke-linejoin=\"round\""),
        );
    }
    segment.clear();
}
