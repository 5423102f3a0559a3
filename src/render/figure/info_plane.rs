//! The information plane (SPEC 6, Figure 4 of seed 002): `I(X;T)` against `I(T;Y)`, one
//! polyline per level, points coloured by training step.

use super::axes::{
    draw_axes, draw_legend, draw_title, legend_entry_width, y_axis_room, Axis, LegendEntry, Marker,
    Panel,
};
use super::palette::{categorical, ramp};
use super::scale::Scale;
use super::svg::{escape, num, Anchor, Svg, FONT_SIZE};
use super::FigureOptions;
use crate::analysis::PlanePoint;

/// One recorded point of a level's trajectory.
#[derive(Debug, Clone, Copy, PartialEq)]
struct InfoPlanePoint {
    step: u64,
    i_xt: f64,
    i_ty: f64,
}

/// One level's trajectory through the information plane.
struct InfoPlaneSeries {
    label: String,
    points: Vec<InfoPlanePoint>,
}

const COLOUR_BAR_WIDTH: f64 = 14.0;

/// The information plane as an SVG document: x = `I(X;T)` (bits), y = `I(T;Y)` (bits), one
/// polyline per series in step order, markers filled by step on a viridis ramp (colour bar on
/// the right), marker shape and line colour per level (legend on the right). Points with a
/// non-finite coordinate are left out. Default size 780 x 540.
pub fn info_plane_svg(points: &[PlanePoint], options: &FigureOptions) -> String {
    let series = series_of(points);
    let series = series.as_slice();
    let (width, height) = options.size.unwrap_or((780.0, 540.0));
    let finite = |p: &&InfoPlanePoint| p.i_xt.is_finite() && p.i_ty.is_finite();
    let all = || series.iter().flat_map(|s| s.points.iter()).filter(finite);
    let (x_scale, x_ticks) = Scale::linear(all().map(|p| p.i_xt), Some(0.0));
    let (y_scale, y_ticks) = Scale::linear(all().map(|p| p.i_ty), Some(0.0));
    let first_step = all().map(|p| p.step).min().unwrap_or(0);
    let last_step = all().map(|p| p.step).max().unwrap_or(0);
    let step_fraction = |step: u64| step_fraction(step, first_step, last_step);

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

    for (index, level) in series.iter().enumerate() {
        let colour = categorical(index);
        let marker = Marker::nth(index);
        let mut points: Vec<&InfoPlanePoint> = level.points.iter().filter(finite).collect();
        points.sort_by_key(|p| p.step);
        let pixels: Vec<(f64, f64)> = points
            .iter()
            .filter_map(|p| Some((x_axis.scale.map(p.i_xt)?, y_axis.scale.map(p.i_ty)?)))
            .collect();
        svg.open(&format!(
            "class=\"series\" data-label=\"{}\"",
            escape(&level.label)
        ));
        svg.polyline(
            &pixels,
            &format!("stroke=\"{colour}\" stroke-width=\"1.5\" stroke-opacity=\"0.6\" stroke-linejoin=\"round\""),
        );
        for (point, &pixel) in points.iter().zip(&pixels) {
            marker.draw(
                &mut svg,
                pixel,
                4.5,
                &format!(
                    "class=\"point\" data-step=\"{}\" fill=\"{}\" stroke=\"{colour}\" stroke-width=\"1.2\"",
                    point.step,
                    ramp(step_fraction(point.step))
                ),
            );
        }
        svg.close();
    }

    // Colour bar for steps, then the legend of levels, right of the panel.
    let (bar_left, bar_top, bar_height) = draw_step_bar(&mut svg, panel, first_step, last_step);

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
    draw_legend(
        &mut svg,
        (bar_left, bar_top + bar_height + 22.0),
        &entries,
        false,
    );
    svg.finish()
}

/// One trajectory per level, named by the first point that has it.
fn series_of(points: &[PlanePoint]) -> Vec<InfoPlaneSeries> {
    let levels = points.iter().map(|p| p.levels.len()).max().unwrap_or(0);
    (0..levels)
        .map(|i| InfoPlaneSeries {
            label: points
                .iter()
                .find_map(|p| p.levels.get(i))
                .map_or_else(String::new, |l| l.level.clone()),
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

/// Where `step` lies between the first and the last step, in [0, 1] (the middle when
/// they are the same).
fn step_fraction(step: u64, first_step: u64, last_step: u64) -> f64 {
    if last_step > first_step {
        (step - first_step) as f64 / (last_step - first_step) as f64
    } else {
        0.5
    }
}

/// The colour bar of the steps, right of `panel`, labelled with the first, middle and
/// last step; returns its left edge, top and height (the legend goes below it).
fn draw_step_bar(svg: &mut Svg, panel: Panel, first_step: u64, last_step: u64) -> (f64, f64, f64) {
    let bar_left = panel.right() + 24.0;
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
    svg.text(
        label_x,
        bar_top + 4.0,
        FONT_SIZE - 1.0,
        Anchor::Start,
        &last_step.to_string(),
        "",
    );
    if last_step > first_step + 1 {
        let middle = first_step + (last_step - first_step) / 2;
        let y = bar_top + bar_height * (1.0 - step_fraction(middle, first_step, last_step));
        svg.text(
            label_x,
            y + 4.0,
            FONT_SIZE - 1.0,
            Anchor::Start,
            &middle.to_string(),
            "",
        );
    }
    if last_step > first_step {
        svg.text(
            label_x,
            bar_top + bar_height + 4.0,
            FONT_SIZE - 1.0,
            Anchor::Start,
            &first_step.to_string(),
            "",
        );
    }
    svg.close();

    (bar_left, bar_top, bar_height)
}
