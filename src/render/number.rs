//! Numbers as tables show them.

use crate::engine::numeric::Value;

/// The one way reports, tables and answers show a number: at most six decimals with
/// trailing zeros dropped (`1`, `0.25`, `1.718944`), and from 10^6 up or below 10^-4 the
/// same in scientific notation (`6.113201e8`, `2.5e-7`), so a column never holds more
/// than seven significant digits. JSON and CSV carry the full value.
pub fn fmt_num(v: f64) -> String {
    if v == 0.0 {
        return "0".to_string();
    }
    if !v.is_finite() {
        return format!("{v}");
    }
    let a = v.abs();
    if a < 1e6 && v.fract() == 0.0 {
        // A whole number below 10^6: the digits `{v:.6}` gives once trimmed, without the
        // float formatter's exact-decimal work (an untrained report is mostly `1`s).
        return (v as i64).to_string();
    }
    if (1e-4..1e6).contains(&a) {
        let s = format!("{v:.6}");
        trim_zeros(&s).to_string()
    } else {
        let s = format!("{v:.6e}");
        match s.split_once('e') {
            Some((mantissa, exponent)) => format!("{}e{exponent}", trim_zeros(mantissa)),
            None => s,
        }
    }
}

/// `1.500000` → `1.5`, `2.000000` → `2`.
fn trim_zeros(s: &str) -> &str {
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.')
    } else {
        s
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

#[cfg(test)]
mod tests {
    use super::fmt_num;

    #[test]
    fn one_format_for_every_number() {
        assert_eq!(fmt_num(1.0), "1");
        assert_eq!(fmt_num(0.25), "0.25");
        assert_eq!(fmt_num(1.718_944_3), "1.718944");
        assert_eq!(fmt_num(-0.662_314), "-0.662314");
        assert_eq!(fmt_num(611_320_065.163_3), "6.113201e8");
        assert_eq!(fmt_num(999_999.0), "999999");
        assert_eq!(fmt_num(2.5e-7), "2.5e-7");
        assert_eq!(fmt_num(1e300), "1e300");
        assert_eq!(fmt_num(0.0), "0");
        assert_eq!(fmt_num(-0.0), "0");
        assert_eq!(fmt_num(-3.0), "-3");
    }

    #[test]
    fn whole_numbers_match_the_fixed_format() {
        for v in [
            1.0, -1.0, 2.0, 17.0, -512.0, 65_536.0, 999_999.0, -999_999.0,
        ] {
            assert_eq!(
                fmt_num(v),
                format!("{v:.6}")
                    .trim_end_matches('0')
                    .trim_end_matches('.')
            );
        }
        assert_eq!(fmt_num(1e6), "1e6");
        assert_eq!(fmt_num(-2e6), "-2e6");
        assert_eq!(fmt_num(0.5), "0.5");
    }
}
