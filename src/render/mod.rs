//! Presentation: text tables, CSV, number formatting and SVG figures. Everything here is a
//! pure function of a typed result (a report, an answer, a drawing): nothing is evaluated,
//! trained or read from a model inside a renderer.
//!
//! Every report a command prints implements [`Render`], so a front end shows any of them
//! the same way: JSON, a text table, and where the report has one, CSV, an SVG figure or a
//! PNG image.

mod csv;
pub mod figure;
mod number;
mod rules;
mod table;

mod basin;
mod curves;
mod depth;
mod fool;
mod info_plane;
mod le_matrix;
mod query;
mod record;
mod regularize;
mod run;
mod test;

pub use self::csv::{csv_num, loss_field, opt_field, Csv};
pub use curves::curves_svg;
pub use le_matrix::{le_matrix_csv, le_matrix_svg, le_matrix_table};
pub use number::{fmt_num, opt_num, show, show_value};
pub use query::le_matrix_json;
pub use record::{snapshot_csv_header, snapshot_csv_row};
pub use rules::{dist_text, update_text};
pub use table::{write_streamed, Table};
pub use test::test_report_text;

pub use crate::present::Render;

/// Pretty JSON of any serialisable report, fields in declaration order (the usual body of
/// [`Render::json`]).
pub fn pretty_json<T: serde::Serialize + ?Sized>(value: &T) -> serde_json::Result<String> {
    serde_json::to_string_pretty(value)
}

/// Pretty JSON with the keys of every object sorted (the documented layout of the
/// analyses' reports: `info-plane`, `le-matrix`, `regularize`, `le`).
pub fn sorted_json<T: serde::Serialize + ?Sized>(value: &T) -> serde_json::Result<String> {
    serde_json::to_string_pretty(&serde_json::to_value(value)?)
}
