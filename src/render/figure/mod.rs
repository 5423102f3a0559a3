//! SVG figures for the analyses, written by hand into a `String` (the caller writes files).
//!
//! Every figure is a plain SVG 1.1 document with a white background, sized in pixels, using
//! the system's sans-serif font. Elements carry `class` attributes so that tests (and people
//! post-processing the files) can find them: `series` groups (one per plotted series, with a
//! `data-label`), `point` markers, `bar`s, `legend-entry` groups, `axis` groups.
//!
//! Non-finite values are skipped, never drawn at NaN coordinates; on a log axis non-positive
//! values are skipped too. A figure with no data still draws its axes.

mod axes;
mod bars;
mod basin;
mod graph;
mod histograms;
mod info_plane;
mod lines;
mod palette;
mod raster;
mod scale;
mod stack;
mod svg;

pub use bars::{grouped_bars_svg, sparsity_bar_panels, BarPanel, BarSeries};
pub use basin::{basin_png, basin_svg, outcome_colour, outcome_hex, BasinImage};
pub use graph::{model_graph_dot, model_graph_svg, RadiusScale};
pub use histograms::{
    le_histogram_panels, le_histograms_log_svg, le_histograms_svg, HistogramSeries,
    LeHistogramPanel,
};
pub use info_plane::{
    info_plane_series_svg, info_plane_svg, level_series, InfoPlanePoint, InfoPlaneSeries,
};
pub use lines::{line_plot_svg, LinePlot, LineSeries};
pub use raster::svg_png;
pub use stack::{stack_svgs, Sized};

/// Options shared by every figure.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FigureOptions {
    /// A title drawn centred at the top.
    pub title: Option<String>,
    /// Width and height in pixels; `None` picks a size that fits the figure's panels.
    pub size: Option<(f64, f64)>,
}

impl FigureOptions {
    /// Options with just a title.
    pub fn titled(title: impl Into<String>) -> Self {
        Self {
            title: Some(title.into()),
            size: None,
        }
    }
}
