//! Panel frames, axes, markers and legends shared by the figures.

use super::palette::categorical;
use super::scale::{Scale, Tick};
use super::svg::{escape, num, text_width, Anchor, Svg, FONT_SIZE};
use super::FigureOptions;

/// The plotting area of one panel, in pixels.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Panel {
    pub(crate) left: f64,
    pub(crate) top: f64,
    pub(crate) width: f64,
    pub(crate) height: f64,
}

impl Panel {
    pub(crate) fn right(&self) -> f64 {
        self.left + self.width
    }
    pub(crate) fn bottom(&self) -> f64 {
        self.top + self.height
    }

    /// The panel's grey outline, drawn over its content.
    pub(crate) fn frame(&self, svg: &mut Svg) {
        svg.rect(
            self.left,
            self.top,
            self.width,
            self.height,
            "fill=\"none\" stroke=\"#444444\" stroke-width=\"1\"",
        );
    }
}

/// One axis: its scale (already mapped onto the panel), ticks and title.
pub(crate) struct Axis<'a> {
    pub(crate) scale: Scale,
    pub(crate) ticks: &'a [Tick],
    pub(crate) title: &'a str,
}

/// Space to leave left of a panel for y tick labels and the y title.
pub(crate) fn y_axis_room(ticks: &[Tick]) -> f64 {
    let widest = ticks
        .iter()
        .map(|t| text_width(&t.label, FONT_SIZE))
        .fold(0.0, f64::max);
    widest + 34.0
}

/// Draws grid lines, the frame, ticks with labels and axis titles. `x` may be `None` for a
/// categorical x axis drawn by the caller.
pub(crate) fn draw_axes(svg: &mut Svg, panel: Panel, x: Option<&Axis>, y: &Axis) {
    svg.open("class=\"axis\"");
    let y_stride = label_stride(&y.scale, y.ticks, |_| FONT_SIZE + 4.0);
    for (index, tick) in y.ticks.iter().enumerate() {
        if let Some(py) = y.scale.map(tick.value) {
            svg.line((panel.left, py), (panel.right(), py), "#e6e6e6", 1.0);
            svg.line((panel.left - 4.0, py), (panel.left, py), "#444444", 1.0);
            if index % y_stride == 0 {
                svg.text(
                    panel.left - 7.0,
                    py + 4.0,
                    FONT_SIZE,
                    Anchor::End,
                    &tick.label,
                    "",
                );
            }
        }
    }
    if let Some(x) = x {
        let x_stride = label_stride(&x.scale, x.ticks, |t| {
            text_width(&t.label, FONT_SIZE) + 10.0
        });
        for (index, tick) in x.ticks.iter().enumerate() {
            if let Some(px) = x.scale.map(tick.value) {
                svg.line((px, panel.top), (px, panel.bottom()), "#e6e6e6", 1.0);
                svg.line(
                    (px, panel.bottom()),
                    (px, panel.bottom() + 4.0),
                    "#444444",
                    1.0,
                );
                if index % x_stride == 0 {
                    svg.text(
                        px,
                        panel.bottom() + 17.0,
                        FONT_SIZE,
                        Anchor::Middle,
                        &tick.label,
                        "",
                    );
                }
            }
        }
        svg.text(
            panel.left + panel.width / 2.0,
            panel.bottom() + 38.0,
            FONT_SIZE + 1.0,
            Anchor::Middle,
            x.title,
            "class=\"axis-title\"",
        );
    }
    panel.frame(svg);
    let title_x = panel.left - y_axis_room(y.ticks) + 12.0;
    let title_y = panel.top + panel.height / 2.0;
    svg.text(
        title_x,
        title_y,
        FONT_SIZE + 1.0,
        Anchor::Middle,
        y.title,
        &format!(
            "class=\"axis-title\" transform=\"rotate(-90 {} {})\"",
            num(title_x),
            num(title_y)
        ),
    );
    svg.close();
}

/// Label every `k`-th tick so that labels (of the given extent along the axis) never overlap.
fn label_stride(scale: &Scale, ticks: &[Tick], extent: impl Fn(&Tick) -> f64) -> usize {
    let pixels: Vec<f64> = ticks.iter().filter_map(|t| scale.map(t.value)).collect();
    let spacing = pixels
        .windows(2)
        .map(|w| (w[1] - w[0]).abs())
        .fold(f64::INFINITY, f64::min);
    let needed = ticks.iter().map(extent).fold(0.0, f64::max);
    if spacing.is_finite() && spacing > 0.0 {
        ((needed / spacing).ceil() as usize).max(1)
    } else {
        1
    }
}

/// Marker shapes, so series stay distinguishable without colour.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Marker {
    Circle,
    Square,
    TriangleUp,
    Diamond,
    TriangleDown,
}

impl Marker {
    pub(crate) fn nth(index: usize) -> Marker {
        [
            Marker::Circle,
            Marker::Square,
            Marker::TriangleUp,
            Marker::Diamond,
            Marker::TriangleDown,
        ][index % 5]
    }

    /// The marker centred at `(x, y)` with radius `r`; `extra` holds raw attributes.
    pub(crate) fn draw(self, svg: &mut Svg, (x, y): (f64, f64), r: f64, extra: &str) {
        let polygon = |svg: &mut Svg, points: &[(f64, f64)]| {
            let list: Vec<String> = points
                .iter()
                .map(|(dx, dy)| format!("{},{}", num(x + dx * r), num(y + dy * r)))
                .collect();
            svg.raw(&format!("<polygon points=\"{}\" {extra}/>", list.join(" ")));
        };
        match self {
            Marker::Circle => svg.raw(&format!(
                "<circle cx=\"{}\" cy=\"{}\" r=\"{}\" {extra}/>",
                num(x),
                num(y),
                num(r)
            )),
            Marker::Square => {
                let s = r * 0.9;
                svg.rect(x - s, y - s, 2.0 * s, 2.0 * s, extra);
            }
            Marker::TriangleUp => polygon(svg, &[(0.0, -1.2), (1.1, 0.8), (-1.1, 0.8)]),
            Marker::TriangleDown => polygon(svg, &[(0.0, 1.2), (1.1, -0.8), (-1.1, -0.8)]),
            Marker::Diamond => polygon(svg, &[(0.0, -1.25), (1.1, 0.0), (0.0, 1.25), (-1.1, 0.0)]),
        }
    }
}

/// One legend line: a colour sample (a line, a marker, or a filled swatch) and a label.
pub(crate) struct LegendEntry<'a> {
    pub(crate) label: &'a str,
    pub(crate) colour: &'a str,
    pub(crate) marker: Option<Marker>,
    /// Fill the marker with the colour (else white, for markers filled by another scale).
    pub(crate) marker_filled: bool,
    pub(crate) line: bool,
}

const LEGEND_SAMPLE: f64 = 22.0;
const LEGEND_ROW: f64 = 18.0;

/// Width of one legend entry including its sample and a gap after it.
pub(crate) fn legend_entry_width(label: &str) -> f64 {
    LEGEND_SAMPLE + 6.0 + text_width(label, FONT_SIZE) + 16.0
}

/// Height of a vertical legend of `entries` entries.
pub(crate) fn legend_height(entries: usize) -> f64 {
    entries as f64 * LEGEND_ROW
}

/// Draws legend entries from `(x, y)` (top left), stacked, or in a row when `horizontal`.
pub(crate) fn draw_legend(
    svg: &mut Svg,
    (x, y): (f64, f64),
    entries: &[LegendEntry],
    horizontal: bool,
) {
    let (mut cx, mut cy) = (x, y);
    for entry in entries {
        svg.open(&format!(
            "class=\"legend-entry\" data-label=\"{}\"",
            escape(entry.label)
        ));
        let mid = cy + LEGEND_ROW / 2.0;
        if entry.line {
            svg.line((cx, mid), (cx + LEGEND_SAMPLE, mid), entry.colour, 2.0);
        }
        match entry.marker {
            Some(marker) => marker.draw(
                svg,
                (cx + LEGEND_SAMPLE / 2.0, mid),
                4.0,
                &format!(
                    "fill=\"{}\" stroke=\"{}\" stroke-width=\"1.5\"",
                    if entry.marker_filled {
                        entry.colour
                    } else {
                        "#ffffff"
                    },
                    entry.colour
                ),
            ),
            None if !entry.line => svg.rect(
                cx + 4.0,
                mid - 6.0,
                LEGEND_SAMPLE - 8.0,
                12.0,
                &format!(
                    "fill=\"{}\" fill-opacity=\"0.6\" stroke=\"{}\"",
                    entry.colour, entry.colour
                ),
            ),
            None => {}
        }
        svg.text(
            cx + LEGEND_SAMPLE + 6.0,
            mid + 4.0,
            FONT_SIZE,
            Anchor::Start,
            entry.label,
            "",
        );
        svg.close();
        if horizontal {
            cx += legend_entry_width(entry.label);
        } else {
            cy += LEGEND_ROW;
        }
    }
}

/// Draws legend entries in rows centred in `[left, left + width]` from `top`, wrapping when a
/// row is full; returns the height used.
pub(crate) fn draw_legend_flow(
    svg: &mut Svg,
    (left, top): (f64, f64),
    width: f64,
    entries: &[LegendEntry],
) -> f64 {
    let rows = flow_rows(entries, width);
    for (k, row) in rows.iter().enumerate() {
        let row_width: f64 = row.iter().map(|e| legend_entry_width(e.label)).sum();
        let x = left + ((width - row_width) / 2.0).max(0.0);
        draw_legend(svg, (x, top + k as f64 * LEGEND_ROW), row, true);
    }
    legend_height(rows.len())
}

/// Splits legend entries into rows no wider than `width` (each row holds at least one entry).
pub(crate) fn flow_rows<'e, 'a>(
    entries: &'e [LegendEntry<'a>],
    width: f64,
) -> Vec<&'e [LegendEntry<'a>]> {
    let mut rows = Vec::new();
    let mut start = 0;
    let mut used = 0.0;
    for (index, entry) in entries.iter().enumerate() {
        let w = legend_entry_width(entry.label);
        if used + w > width && index > start {
            rows.push(&entries[start..index]);
            start = index;
            used = 0.0;
        }
        used += w;
    }
    if start < entries.len() {
        rows.push(&entries[start..]);
    }
    rows
}

/// Panels in rows of up to three under one head: the title, then one colour swatch per
/// series label (in order of first appearance; a label has its colour in every panel).
/// Grouped bars and histograms are laid out this way.
pub(crate) struct PanelGrid<'a> {
    columns: usize,
    rows: usize,
    pub(crate) width: f64,
    pub(crate) height: f64,
    labels: Vec<&'a str>,
}

impl<'a> PanelGrid<'a> {
    /// `panels` cells of `cell` (width, height) pixels each, unless `options` sets the
    /// figure's size; `labels` are the series' labels, repeats included.
    pub(crate) fn new(
        panels: usize,
        cell: (f64, f64),
        options: &FigureOptions,
        labels: impl IntoIterator<Item = &'a str>,
    ) -> Self {
        let columns = panels.clamp(1, 3);
        let rows = panels.div_ceil(columns).max(1);
        let (width, height) = options
            .size
            .unwrap_or((columns as f64 * cell.0 + 20.0, rows as f64 * cell.1 + 80.0));
        let mut seen: Vec<&str> = Vec::new();
        for label in labels {
            if !seen.contains(&label) {
                seen.push(label);
            }
        }
        PanelGrid {
            columns,
            rows,
            width,
            height,
            labels: seen,
        }
    }

    /// The colour of a series label.
    pub(crate) fn colour_of(&self, label: &str) -> &'static str {
        categorical(self.labels.iter().position(|l| *l == label).unwrap_or(0))
    }

    /// Draws the head (title and swatches) and returns the cell of each panel, in order:
    /// (left, top, width, height).
    pub(crate) fn draw_head(
        &self,
        svg: &mut Svg,
        title: Option<&str>,
    ) -> Vec<(f64, f64, f64, f64)> {
        let top = draw_title(svg, self.width, title);
        let entries: Vec<LegendEntry> = self
            .labels
            .iter()
            .map(|label| LegendEntry {
                label,
                colour: self.colour_of(label),
                marker: None,
                marker_filled: false,
                line: false,
            })
            .collect();
        let top = top + draw_legend_flow(svg, (10.0, top), self.width - 20.0, &entries) + 10.0;
        let cell_width = (self.width - 20.0) / self.columns as f64;
        let cell_height = (self.height - top) / self.rows as f64;
        (0..self.columns * self.rows)
            .map(|index| {
                let (row, column) = (index / self.columns, index % self.columns);
                (
                    10.0 + column as f64 * cell_width,
                    top + row as f64 * cell_height,
                    cell_width,
                    cell_height,
                )
            })
            .collect()
    }
}

/// Draws the figure title centred at the top, if any; returns the height it used.
pub(crate) fn draw_title(svg: &mut Svg, width: f64, title: Option<&str>) -> f64 {
    match title {
        Some(title) => {
            svg.text(
                width / 2.0,
                24.0,
                FONT_SIZE + 4.0,
                Anchor::Middle,
                title,
                "font-weight=\"bold\" class=\"title\"",
            );
            36.0
        }
        None => 10.0,
    }
}
