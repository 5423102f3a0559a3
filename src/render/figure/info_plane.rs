//! The information plane (Figure 4 of the neurashed paper): `I(X;T)` against `I(T;Y)`, one
//! polyline per series (a level, or a level under one of several estimators), points
//! coloured by training step.

use super::axes::{
    draw_axes, draw_legend, draw_title, legend_entry_width, y_axis_room, Axis, LegendEntry, Marker,
    Panel,
};
use super::palette::{categorical, ramp};
use super::scale::Scale;
use super::svg::{escape, num, Anchor, Svg, FONT_SIZE};
use super::FigureOptions;
use crate::analysis::PlanePoint;

/// One recorded point of a trajectory.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct InfoPlanePoint {
    pub step: u64,
    pub i_xt: f64,
    pub i_ty: f64,
}

/// One trajectory through the information plane.
#[derive(Debug, Clone, PartialEq)]
pub struct InfoPlaneSeries {
    pub label: String,
    pub points: Vec<InfoPlanePoint>,
}

/// One series per level of `points`, labelled `{level}{suffix}`.
pub fn level_series(points: &[PlanePoint], suffix: &str) -> Vec<InfoPlaneSeries> {
    let levels = points.iter().map(|p| p.levels.len()).max().unwrap_or(0);
    (0..levels)
        .map(|i| InfoPlaneSeries {
            label: points
                .iter()
                .find_map(|p| p.levels.get(i))
                .map_or_else(String::new, |l| format!("{}{suffix}", l.level)),
            points: points
                .iter()
                .filter_map(|p| {
                    let l = p.levels.get(i)?;
                    Some(InfoPlanePoint {
                        step: p.step,
                        i_xt: l.i_xt,
                        i_ty: l.i_ty,
                    })
                })
                .collect(),
        })
        .collect()
}

const COLOUR_BAR_WIDTH: f64 = 14.0;

/// The information plane as an SVG document: x = `I(X;T)` (bits), y = `I(T;Y)` (bits), one
/// polyline per level in step order, markers filled by step on a viridis ramp (colour bar on
/// the right), marker shape and line colour per level (legend on the right). Points with a
/// non-finite coordinate are left out. Default size 780 x 540.
pub fn info_plane_svg(points: &[PlanePoint], options: &FigureOptions) -> String {
    info_plane_series_svg(&level_series(points, ""), options)
}

fn finite(p: &&InfoPlanePoint) -> bool {
    p.i_xt.is_finite() && p.i_ty.is_finite()
}

/// The steps the colour ramp spans.
#[derive(Clone, Copy)]
struct Steps {
    first: u64,
    last: u64,
}

impl Steps {
    fn fraction(&self, step: u64) -> f64 {
        if self.last > self.first {
            (step.saturating_sub(self.first)) as f64 / (self.last - self.first) as f64
        } else {
            0.5
        }
    }
}

/// [`info_plane_svg`] for any series (marker shape and line colour per series).
pub fn info_plane_series_svg(series: &[InfoPlaneSeries], options: &FigureOptions) -> String {
    let (width, height) = options.size.unwrap_or((780.0, 540.0));
    let all = || series.iter().flat_map(|s| s.points.iter()).filter(finite);
    let (x_scale, x_ticks) = Scale::linear(all().map(|p| p.i_xt), Some(0.0));
    let (y_scale, y_ticks) = Scale::linear(all().map(|p| p.i_ty), Some(0.0));
    let steps = Steps {
        first: all().map(|p| p.step).min().unwrap_or(0),
        last: all().map(|p| p.step).max().unwrap_or(0),
    };

    let mut svg = Svg::new(width, height);
    let top = draw_title(&mut svg, width, options.title.as_deref()) + 10.0;
    let legend_width = series
        .iter()
        .map(|s| legend_entry_width(&s.label))
        .fold(90.0, f64::max);
    let left = y_axis_room(&y_ticks) + 14.0;
    let panel = Panel {
        left,
        top,
        width: (width - left - legend_width - 24.0).max(50.0),
        height: (height - top - 56.0).max(50.0),
    };
    let x_axis = Axis {
        scale: x_scale.padded(0.03).onto(panel.left, panel.right()),
        ticks: &x_ticks,
        title: "I(X;T) (bits)",
    };
    let y_axis = Axis {
        scale: y_scale.padded(0.03).onto(panel.bottom(), panel.top),
        ticks: &y_ticks,
        title: "I(T;Y) (bits)",
    };
    draw_axes(&mut svg, panel, Some(&x_axis), &y_axis);
    for (index, s) in series.iter().enumerate() {
        draw_trajectory(&mut svg, index, s, (&x_axis, &y_axis), steps);
    }
    let bar_left = panel.right() + 24.0;
    let bar_bottom = draw_colour_bar(&mut svg, bar_left, &panel, steps);
    let entries: Vec<LegendEntry> = series
        .iter()
        .enumerate()
        .map(|(index, s)| LegendEntry {
            label: &s.label,
            colour: categorical(index),
            marker: Some(Marker::nth(index)),
            marker_filled: false,
            line: true,
        })
        .collect();
    draw_legend(&mut svg, (bar_left, bar_bottom + 22.0), &entries, false);
    svg.finish()
}

/// One series: its polyline in step order and a marker per point, filled by step.
fn draw_trajectory(
    svg: &mut Svg,
    index: usize,
    series: &InfoPlaneSeries,
    (x_axis, y_axis): (&Axis, &Axis),
    steps: Steps,
) {
    let colour = categorical(index);
    let marker = Marker::nth(index);
    let mut points: Vec<&InfoPlanePoint> = series.points.iter().filter(finite).collect();
    points.sort_by_key(|p| p.step);
    let pixels: Vec<(f64, f64)> = points
        .iter()
        .filter_map(|p| Some((x_axis.scale.map(p.i_xt)?, y_axis.scale.map(p.i_ty)?)))
        .collect();
    svg.open(&format!(
        "class=\"series\" data-label=\"{}\"",
        escape(&series.label)
    ));
    svg.polyline(
        &pixels,
        &format!("stroke=\"{colour}\" stroke-width=\"1.5\" stroke-opacity=\"0.6\" stroke-linejoin=\"round\""),
    );
    for (point, &pixel) in points.iter().zip(&pixels) {
        marker.draw(
            svg,
            pixel,
            4.5,
            &format!(
                "class=\"point\" data-step=\"{}\" fill=\"{}\" stroke=\"{colour}\" stroke-width=\"1.2\"",
                point.step,
                ramp(steps.fraction(point.step))
            ),
        );
    }
    svg.close();
}

/// The colour bar of steps right of the panel; returns its bottom edge.
fn draw_colour_bar(svg: &mut Svg, bar_left: f64, panel: &Panel, steps: Steps) -> f64 {
    let bar_height = (panel.height * 0.4).clamp(60.0, 180.0);
    let bar_top = panel.top + 18.0;
    svg.raw("<defs><linearGradient id=\"step-ramp\" x1=\"0\" y1=\"1\" x2=\"0\" y2=\"0\">");
    for k in 0..=8 {
        let t = k as f64 / 8.0;
        svg.raw(&format!(
            "<stop offset=\"{}\" stop-color=\"{}\"/>",
            num(t),
            ramp(t)
        ));
    }
    svg.raw("</linearGradient></defs>");
    svg.open("class=\"colour-bar\"");
    svg.text(
        bar_left,
        panel.top + 8.0,
        FONT_SIZE,
        Anchor::Start,
        "step",
        "font-weight=\"bold\"",
    );
    svg.rect(
        bar_left,
        bar_top,
        COLOUR_BAR_WIDTH,
        bar_height,
        "fill=\"url(#step-ramp)\" stroke=\"#444444\" stroke-width=\"0.8\"",
    );
    let label_x = bar_left + COLOUR_BAR_WIDTH + 5.0;
    let mut label = |y: f64, step: u64| {
        svg.text(
            label_x,
            y + 4.0,
            FONT_SIZE - 1.0,
            Anchor::Start,
            &step.to_string(),
            "",
        );
    };
    label(bar_top, steps.last);
    if steps.last > steps.first + 1 {
        let middle = steps.first + (steps.last - steps.first) / 2;
        label(
            bar_top + bar_height * (1.0 - steps.fraction(middle)),
            middle,
        );
    }
    if steps.last > steps.first {
        label(bar_top + bar_height, steps.first);
    }
    svg.close();
    bar_top + bar_height
}
