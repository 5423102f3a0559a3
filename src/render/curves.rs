//! Learning curves (`nshed run --curves`): one figure of two panels, accuracy and loss
//! against the step, a line for the data and one for the test set.

use super::figure::{line_plot_svg, stack_svgs, FigureOptions, LinePlot, LineSeries, Sized};
use super::{fmt_num, loss_field, opt_field, opt_num, pretty_json, Csv, Render, Table};
use crate::curves::{CurvePoint, LearningCurves};

const PANEL_SIZE: (f64, f64) = (720.0, 360.0);

/// Pixels per SVG unit of the PNG (sharp on high-density screens and in print).
const PNG_SCALE: f32 = 2.0;

/// A loss above this turns the loss axis logarithmic (a wrong prediction's loss can reach
/// 10^60 and would flatten every other value to the axis).
const LOG_LOSS_ABOVE: f64 = 100.0;

/// Where a loss of 0 sits on a logarithmic loss axis.
const LOG_LOSS_FLOOR: f64 = 1e-6;

type Pick = fn(&CurvePoint) -> Option<f64>;

impl Render for LearningCurves {
    fn json(&self) -> serde_json::Result<String> {
        pretty_json(self)
    }

    fn table(&self) -> String {
        let mut headers = vec!["step", "accuracy", "loss"];
        if self.has_test {
            headers.extend(["test accuracy", "test loss"]);
        }
        let mut t = Table::new(&headers);
        for p in &self.points {
            let mut row = vec![p.step.to_string(), opt_num(p.accuracy), opt_num(p.loss)];
            if self.has_test {
                row.extend([opt_num(p.test_accuracy), opt_num(p.test_loss)]);
            }
            t.row(row);
        }
        t.to_string()
    }

    fn csv(&self) -> Option<String> {
        let mut csv = Csv::new(vec![
            "step",
            "accuracy",
            "loss",
            "test_accuracy",
            "test_loss",
        ]);
        for p in &self.points {
            csv.row(vec![
                p.step.to_string(),
                opt_field(p.accuracy),
                loss_field(p.loss),
                opt_field(p.test_accuracy),
                loss_field(p.test_loss),
            ]);
        }
        Some(csv.finish())
    }

    fn svg(&self) -> Option<String> {
        Some(curves_svg(self))
    }

    fn png(&self) -> Option<Result<Vec<u8>, String>> {
        Some(super::figure::svg_png(&curves_svg(self), PNG_SCALE))
    }
}

/// The data line and, with a test set, the test line of one quantity; the points where it
/// is undefined are left out.
fn lines(c: &LearningCurves, data: Pick, test: Pick) -> Vec<(&'static str, Vec<(f64, f64)>)> {
    let line = |pick: Pick| -> Vec<(f64, f64)> {
        c.points
            .iter()
            .filter_map(|p| pick(p).map(|v| (p.step as f64, v)))
            .collect()
    };
    let mut out = vec![("data", line(data))];
    if c.has_test {
        out.push(("test", line(test)));
    }
    out
}

/// The two panels, one above the other.
pub fn curves_svg(c: &LearningCurves) -> String {
    let accuracy = LinePlot {
        x_label: "training step".into(),
        y_label: "accuracy".into(),
        series: lines(c, |p| p.accuracy, |p| p.test_accuracy)
            .into_iter()
            .map(|(label, points)| LineSeries::new(label, points))
            .collect(),
        x_log: false,
        y_log: false,
        y_span: Some((0.0, 1.0)),
    };
    let panel = |plot: &LinePlot, title: String| Sized {
        svg: line_plot_svg(
            plot,
            &FigureOptions {
                title: Some(title),
                size: Some(PANEL_SIZE),
            },
        ),
        width: PANEL_SIZE.0,
        height: PANEL_SIZE.1,
    };
    stack_svgs(&[
        panel(
            &accuracy,
            format!("Learning curves of {}: accuracy", c.model),
        ),
        panel(&loss_plot(c), "Loss (mean -ln p of the label)".to_string()),
    ])
}

/// The loss panel. An infinite loss (a label with probability 0) cannot be drawn: its
/// points form their own series at a height above every finite loss, named so in the
/// legend, and break the finite line.
fn loss_plot(c: &LearningCurves) -> LinePlot {
    let lines = lines(c, |p| p.loss, |p| p.test_loss);
    let finite = || {
        lines
            .iter()
            .flat_map(|(_, points)| points.iter().map(|p| p.1))
            .filter(|v| v.is_finite())
    };
    let high = finite().fold(None, |m: Option<f64>, v| Some(m.map_or(v, |m| m.max(v))));
    let log = high.is_some_and(|h| h > LOG_LOSS_ABOVE);
    let clip = match high {
        Some(h) if log => h * 10.0,
        Some(h) if h > 0.0 => h * 1.15,
        _ => 1.0,
    };
    let mut series = Vec::new();
    let mut clipped = Vec::new();
    for (label, points) in lines {
        let drawn: Vec<(f64, f64)> = points
            .iter()
            .map(|&(x, y)| match y {
                y if y.is_infinite() => (x, f64::NAN),
                y if log && y <= 0.0 => (x, LOG_LOSS_FLOOR),
                y => (x, y),
            })
            .collect();
        let infinite: Vec<(f64, f64)> = points
            .iter()
            .filter(|p| p.1.is_infinite())
            .map(|p| (p.0, clip))
            .collect();
        if !infinite.is_empty() {
            clipped.push(LineSeries::new(
                format!("{label}: loss inf (drawn at the top)"),
                infinite,
            ));
        }
        // The line of finite values, broken where the loss is infinite: the plot leaves
        // out a point it cannot place and starts a new segment after it.
        series.push(LineSeries::new(label, drawn));
    }
    series.extend(clipped);
    LinePlot {
        x_label: "training step".into(),
        y_label: if log {
            format!("loss (log scale; 0 drawn at {})", fmt_num(LOG_LOSS_FLOOR))
        } else {
            "loss".into()
        },
        series,
        x_log: false,
        y_log: log,
        y_span: None,
    }
}
