//! Recorded snapshots (`record every N { ... }`) as CSV lines: the same values as the JSON
//! lines, column for column (`lambda:NODE` then `ln_lambda:NODE`, ...). A value beyond
//! f64 is left empty with its natural log in the `ln_` column beside; an empty `ln_` cell
//! stands for ln 0 (the value is exactly 0), as `null` does in JSON.

use super::{csv_num, loss_field, opt_field, Csv};
use crate::ir::{Ir, Quantity};
use crate::report::{edge_name, Snapshot};

/// CSV header for the given quantities. Columns come in a fixed order (lambda, ln lambda,
/// eta, ln eta, accuracy, loss, test accuracy, test loss, logits, ln logits, info plane) whatever the order of the
/// `record` block: the order of the JSON lines' fields and of [`snapshot_csv_row`].
pub fn snapshot_csv_header(ir: &Ir, quantities: &[Quantity]) -> String {
    let has = |q: Quantity| quantities.contains(&q);
    let mut cols = vec!["step".to_string(), "phase".to_string()];
    if has(Quantity::Lambda) {
        for prefix in ["lambda", "ln_lambda"] {
            cols.extend(ir.nodes.iter().map(|n| format!("{prefix}:{}", n.name)));
        }
    }
    if has(Quantity::Eta) {
        for prefix in ["eta", "ln_eta"] {
            cols.extend((0..ir.edges.len()).map(|e| format!("{prefix}:{}", edge_name(ir, e))));
        }
    }
    for (q, name) in [
        (Quantity::Accuracy, "accuracy"),
        (Quantity::Loss, "loss"),
        (Quantity::TestAccuracy, "test_accuracy"),
        (Quantity::TestLoss, "test_loss"),
    ] {
        if has(q) {
            cols.push(name.into());
        }
    }
    if has(Quantity::Logits) {
        for prefix in ["logit", "ln_logit"] {
            for s in &ir.data.samples {
                for c in &ir.classes {
                    cols.push(format!("{prefix}:{}:{}", s.name, c.name));
                }
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

/// One snapshot as a CSV line (see the module notes for empty cells).
pub fn snapshot_csv_row(snap: &Snapshot) -> String {
    let mut cells = vec![snap.step.to_string(), snap.phase.clone()];
    let values = |cells: &mut Vec<String>, m: &Option<crate::report::Ordered<Option<f64>>>| {
        if let Some(m) = m {
            cells.extend(m.0.iter().map(|(_, v)| opt_field(*v)));
        }
    };
    values(&mut cells, &snap.lambda);
    values(&mut cells, &snap.ln_lambda);
    values(&mut cells, &snap.eta);
    values(&mut cells, &snap.ln_eta);
    for (a, loss) in [
        (&snap.accuracy, false),
        (&snap.loss, true),
        (&snap.test_accuracy, false),
        (&snap.test_loss, true),
    ] {
        if let Some(a) = a {
            cells.push(if loss { loss_field(*a) } else { opt_field(*a) });
        }
    }
    for m in [&snap.logits, &snap.ln_logits].into_iter().flatten() {
        for (_, zs) in &m.0 {
            cells.extend(zs.iter().map(|z| opt_field(*z)));
        }
    }
    if let Some(points) = &snap.info_plane {
        for p in points {
            cells.push(csv_num(p.i_xt));
            cells.push(csv_num(p.i_ty));
        }
    }
    Csv::line(cells)
}
