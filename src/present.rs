//! The one interface every report implements to be shown: JSON, a text table and, where the
//! report has them, CSV, an SVG figure or a PNG image. The implementations live in
//! `render/`; the trait sits down here so that the experiments can require it of their
//! reports (a merged sweep returns "some report") without importing the renderers.

/// The ways a report can be shown.
pub trait Render {
    /// The report as pretty-printed JSON (one object, no trailing newline).
    fn json(&self) -> serde_json::Result<String>;
    /// The report as text for a terminal (ends with a newline).
    fn table(&self) -> String;
    /// The report as CSV, where it has a tabular form.
    fn csv(&self) -> Option<String> {
        None
    }
    /// The report's figure as an SVG document, where it has one.
    fn svg(&self) -> Option<String> {
        None
    }
    /// The report's image as PNG bytes, where its figure is an image.
    fn png(&self) -> Option<Result<Vec<u8>, String>> {
        None
    }
}
