//! Numbers as tables show them.

use crate::engine::numeric::Value;

/// Six significant decimals, without trailing noise, for tables.
pub fn fmt_num(v: f64) -> String {
    if v == 0.0 {
        return "0".to_string();
    }
    if !v.is_finite() {
        return format!("{v}");
    }
    let a = v.abs();
    if (1e-4..1e9).contains(&a) {
        let s = format!("{v:.6}");
        let s = s.trim_end_matches('0').trim_end_matches('.');
        s.to_string()
    } else {
        format!("{v:.6e}")
    }
}

/// [`fmt_num`], or `-` for a value that is not defined.
pub fn opt_num(v: Option<f64>) -> String {
    v.map_or("-".to_string(), fmt_num)
}

/// A value kept as its natural log: the plain number when it fits in f64, else `e^ln`.
pub fn show_value(v: Value) -> String {
    match v.value {
        Some(v) => fmt_num(v),
        None => format!("e^{}", fmt_num(v.ln)),
    }
}

/// A value as a report stores it (its plain number when that fits in f64, and its natural
/// log, `None` for an exact zero): the number, `e^ln`, or `0`.
pub fn show(plain: Option<f64>, ln: Option<f64>) -> String {
    match (plain, ln) {
        (Some(v), _) => fmt_num(v),
        (None, Some(l)) => format!("e^{}", fmt_num(l)),
        (None, None) => "0".into(),
    }
}
