//! The basin image: a grid of outcomes, one colour per outcome, as SVG (with axes
//! and a legend) or as a PNG raster (one block of pixels per grid point, no text).

use super::axes::{draw_axes, draw_title, legend_entry_width, Axis, LegendEntry, Panel};
use super::scale::Scale;
use super::svg::{escape, num, Anchor, Svg, FONT_SIZE};
use super::FigureOptions;
pub use crate::experiments::basin::{outcome_colour, outcome_hex};

/// A grid of outcome indices: `cells[row * n + col]` (`n * n` of them), row 0 at the bottom
/// (smallest y).
#[derive(Debug, Clone, PartialEq)]
pub struct BasinImage {
    pub n: usize,
    pub cells: Vec<usize>,
    /// The label of each outcome index (legend order).
    pub labels: Vec<String>,
    pub x_label: String,
    pub y_label: String,
    /// Axis bounds in lambda units; `log` draws the axes on a log scale.
    pub x_range: (f64, f64),
    pub y_range: (f64, f64),
    pub log: bool,
}

/// Legend entries beyond this many are summarised as "... and N more".
const LEGEND_LIMIT: usize = 24;

/// The basin image as SVG: the grid drawn as runs of equal cells (one `rect` per run of a
/// row, class `cell-run`, `data-outcome` = the outcome index), axes in lambda units, the
/// legend on the right.
pub fn basin_svg(image: &BasinImage, options: &FigureOptions) -> String {
    let side = 512.0;
    let shown = image.labels.len().min(LEGEND_LIMIT);
    let more = image.labels.len() - shown;
    let more_label = format!("... and {more} more");
    let hexes: Vec<String> = (0..shown).map(outcome_hex).collect();
    let mut entries: Vec<LegendEntry> = image.labels[..shown]
        .iter()
        .zip(&hexes)
        .map(|(label, colour)| LegendEntry {
            label,
            colour,
            marker: None,
            marker_filled: true,
            line: false,
        })
        .collect();
    if more > 0 {
        entries.push(LegendEntry {
            label: &more_label,
            colour: "#ffffff",
            marker: None,
            marker_filled: true,
            line: false,
        });
    }
    let legend_width = entries
        .iter()
        .map(|e| legend_entry_width(e.label))
        .fold(0.0, f64::max);

    let scale = |(lo, hi): (f64, f64)| {
        if image.log {
            Scale::log([lo, hi].into_iter()).1
        } else {
            Scale::linear([lo, hi].into_iter(), None).1
        }
    };
    let in_range = |ticks: Vec<super::scale::Tick>, (lo, hi): (f64, f64)| -> Vec<_> {
        let slack = (hi - lo).abs() * 1e-9;
        ticks
            .into_iter()
            .filter(|t| t.value >= lo - slack && t.value <= hi + slack)
            .collect()
    };
    let x_ticks = in_range(scale(image.x_range), image.x_range);
    let y_ticks = in_range(scale(image.y_range), image.y_range);

    let left = super::axes::y_axis_room(&y_ticks) + 14.0;
    let width = left + side + 24.0 + legend_width + 10.0;
    // The room `draw_title` takes, so the document's height is known before drawing.
    let top = if options.title.is_some() { 36.0 } else { 10.0 } + 10.0;
    let height = (top + side + 56.0).max(top + super::axes::legend_height(entries.len()) + 20.0);
    let mut svg = Svg::new(width, height);
    draw_title(&mut svg, width, options.title.as_deref());
    let panel = Panel {
        left,
        top,
        width: side,
        height: side,
    };

    let axis = |(lo, hi): (f64, f64), start: f64, end: f64| {
        if image.log {
            Scale::fixed(lo.log10(), hi.log10(), true).onto(start, end)
        } else {
            Scale::fixed(lo, hi, false).onto(start, end)
        }
    };
    let x_axis = Axis {
        scale: axis(image.x_range, panel.left, panel.right()),
        ticks: &x_ticks,
        title: &image.x_label,
    };
    let y_axis = Axis {
        scale: axis(image.y_range, panel.bottom(), panel.top),
        ticks: &y_ticks,
        title: &image.y_label,
    };
    // Axes (and their grid lines) first, so the basin covers the grid lines.
    draw_axes(&mut svg, panel, Some(&x_axis), &y_axis);
    // The basin, one rect per run of equal cells in a row.
    let n = image.n.max(1);
    let cell = side / n as f64;
    svg.open("class=\"basin\"");
    for row in 0..n {
        let y = panel.bottom() - (row + 1) as f64 * cell;
        // A short `cells` (a caller's bug) leaves the missing rows white.
        let Some(cells) = image.cells.get(row * n..(row + 1) * n) else {
            continue;
        };
        let mut start = 0;
        while start < n {
            let outcome = cells[start];
            let mut end = start + 1;
            while end < n && cells[end] == outcome {
                end += 1;
            }
            // A hair of overlap hides anti-aliasing seams between rows.
            svg.raw(&format!(
                "<rect class=\"cell-run\" data-outcome=\"{outcome}\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"{}\" shape-rendering=\"crispEdges\"/>",
                num(panel.left + start as f64 * cell),
                num(y),
                num((end - start) as f64 * cell),
                num(cell),
                outcome_hex(outcome)
            ));
            start = end;
        }
    }
    svg.close();
    panel.frame(&mut svg);
    draw_swatches(&mut svg, (panel.right() + 24.0, panel.top), &entries);
    svg.raw(&format!(
        "<desc>{}</desc>",
        escape(&format!("{n} x {n} grid, {} outcomes", image.labels.len()))
    ));
    svg.finish()
}

/// A legend of solid swatches in exactly the image's colours (the shared legend draws
/// swatches translucent, which would not match the cells).
fn draw_swatches(svg: &mut Svg, (x, y): (f64, f64), entries: &[LegendEntry]) {
    for (k, entry) in entries.iter().enumerate() {
        let top = y + k as f64 * 18.0;
        svg.open(&format!(
            "class=\"legend-entry\" data-label=\"{}\"",
            escape(entry.label)
        ));
        svg.rect(
            x + 4.0,
            top + 3.0,
            14.0,
            12.0,
            &format!(
                "fill=\"{}\" stroke=\"#444444\" stroke-width=\"0.6\"",
                entry.colour
            ),
        );
        svg.text(
            x + 26.0,
            top + 13.0,
            FONT_SIZE,
            Anchor::Start,
            entry.label,
            "",
        );
        svg.close();
    }
}

/// The basin image as PNG bytes: `scale x scale` pixels per grid point, the top row of the
/// image is the largest y.
pub fn basin_png(image: &BasinImage, scale: usize) -> Result<Vec<u8>, png::EncodingError> {
    let n = image.n;
    let scale = scale.max(1);
    let side = n * scale;
    let mut pixels = Vec::with_capacity(side * side * 3);
    for image_row in 0..side {
        let row = n - 1 - image_row / scale;
        for col in 0..side {
            let (r, g, b) = image
                .cells
                .get(row * n + col / scale)
                .map_or((255, 255, 255), |&c| outcome_colour(c));
            pixels.extend_from_slice(&[r, g, b]);
        }
    }
    let mut out = Vec::new();
    {
        let mut encoder = png::Encoder::new(&mut out, side as u32, side as u32);
        encoder.set_color(png::ColorType::Rgb);
        encoder.set_depth(png::BitDepth::Eight);
        let mut writer = encoder.write_header()?;
        writer.write_image_data(&pixels)?;
        writer.finish()?;
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn image() -> BasinImage {
        BasinImage {
            n: 3,
            // Bottom row all 0; middle 0 1 1; top 2 2 1.
            cells: vec![0, 0, 0, 0, 1, 1, 2, 2, 1],
            labels: vec!["p1".into(), "p3".into(), "p2".into()],
            x_label: "lambda[p1]".into(),
            y_label: "lambda[p3]".into(),
            x_range: (0.0, 0.03),
            y_range: (0.0, 0.03),
            log: false,
        }
    }

    #[test]
    fn rows_are_drawn_as_runs() {
        let svg = basin_svg(&image(), &FigureOptions::titled("basin"));
        let doc = roxmltree::Document::parse(&svg).unwrap();
        let runs: Vec<_> = doc
            .descendants()
            .filter(|n| n.attribute("class") == Some("cell-run"))
            .collect();
        // 1 run in the bottom row, 2 in the middle, 2 at the top.
        assert_eq!(runs.len(), 5);
        assert_eq!(runs[0].attribute("data-outcome"), Some("0"));
        assert_eq!(runs[0].attribute("width"), Some("512"));
        assert_eq!(runs[1].attribute("data-outcome"), Some("0"));
        assert_eq!(runs[2].attribute("data-outcome"), Some("1"));
        let legend: Vec<_> = doc
            .descendants()
            .filter(|n| n.attribute("class") == Some("legend-entry"))
            .map(|n| n.attribute("data-label").unwrap().to_string())
            .collect();
        assert_eq!(legend, ["p1", "p3", "p2"]);
    }

    #[test]
    fn png_pixels_follow_the_grid() {
        let bytes = basin_png(&image(), 2).unwrap();
        let decoder = png::Decoder::new(std::io::Cursor::new(bytes));
        let mut reader = decoder.read_info().unwrap();
        let mut buf = vec![0; reader.output_buffer_size()];
        let info = reader.next_frame(&mut buf).unwrap();
        assert_eq!((info.width, info.height), (6, 6));
        let pixel = |x: usize, y: usize| {
            let i = (y * 6 + x) * 3;
            (buf[i], buf[i + 1], buf[i + 2])
        };
        // Top-left block is the top row's first cell (outcome 2); bottom-right outcome 0.
        assert_eq!(pixel(0, 0), outcome_colour(2));
        assert_eq!(pixel(5, 0), outcome_colour(1));
        assert_eq!(pixel(5, 5), outcome_colour(0));
        assert_eq!(pixel(3, 2), outcome_colour(1));
    }

    #[test]
    fn colours_stay_distinct() {
        let colours: std::collections::BTreeSet<_> = (0..60).map(outcome_colour).collect();
        assert_eq!(colours.len(), 60);
    }
}
