//! Recorded snapshots (`record every N { ... }`) as CSV lines.

use super::Csv;
use crate::ir::{Ir, Quantity};
use crate::report::{edge_name, Snapshot};

/// CSV header for the given quantities. Columns come in a fixed order (lambda, eta,
/// accuracy, logits, info plane) whatever the order of the `record` block, the same order
/// as [`snapshot_csv_row`].
pub fn snapshot_csv_header(ir: &Ir, quantities: &[Quantity]) -> String {
    let has = |q: Quantity| quantities.contains(&q);
    let mut cols = vec!["step".to_string(), "phase".to_string()];
    if has(Quantity::Lambda) {
        cols.extend(ir.nodes.iter().map(|n| format!("lambda:{}", n.name)));
    }
    if has(Quantity::Eta) {
        cols.extend((0..ir.edges.len()).map(|e| format!("eta:{}", edge_name(ir, e))));
    }
    if has(Quantity::Accuracy) {
        cols.push("accuracy".into());
    }
    if has(Quantity::Logits) {
        for s in &ir.data.samples {
            for c in &ir.classes {
                cols.push(format!("logit:{}:{}", s.name, c.name));
            }
        }
    }
    if has(Quantity::InfoPlane) {
        for l in &ir.levels {
            cols.push(format!("i_xt:{}", l.name));
            cols.push(format!("i_ty:{}", l.name));
        }
    }
    Csv::line(cols)
}

/// One snapshot as a CSV line. Plain values; a value beyond f64 is written `inf`, an
/// undefined one (accuracy without data) is left empty.
pub fn snapshot_csv_row(snap: &Snapshot) -> String {
    let mut cells = vec![snap.step.to_string(), snap.phase.clone()];
    let num = |v: &Option<f64>| v.map_or_else(|| "inf".to_string(), |x| format!("{x}"));
    if let Some(m) = &snap.lambda {
        cells.extend(m.0.iter().map(|(_, v)| num(v)));
    }
    if let Some(m) = &snap.eta {
        cells.extend(m.0.iter().map(|(_, v)| num(v)));
    }
    if let Some(a) = &snap.accuracy {
        cells.push(a.map_or_else(String::new, |x| format!("{x}")));
    }
    if let Some(m) = &snap.logits {
        for (_, zs) in &m.0 {
            cells.extend(zs.iter().map(num));
        }
    }
    if let Some(points) = &snap.info_plane {
        for p in points {
            cells.push(format!("{}", p.i_xt));
            cells.push(format!("{}", p.i_ty));
        }
    }
    Csv::line(cells)
}
