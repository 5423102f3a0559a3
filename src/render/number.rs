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
    let cut = if (1e-4..1e6).contains(&a) {
        Cut::Decimals
    } else {
        Cut::Significant
    };
    if let Some(text) = rounded(v, cut) {
        return text;
    }
    match cut {
        Cut::Decimals => trim_zeros(&format!("{v:.6}")).to_string(),
        Cut::Significant => {
            let s = format!("{v:.6e}");
            match s.split_once('e') {
                Some((mantissa, exponent)) => format!("{}e{exponent}", trim_zeros(mantissa)),
                None => s,
            }
        }
    }
}

/// Where a number's digits are cut.
#[derive(Clone, Copy)]
enum Cut {
    /// Six decimals, as `{v:.6}`.
    Decimals,
    /// Seven significant digits, as `{v:.6e}`.
    Significant,
}

/// What `fmt_num` makes of `format!("{v:.6}")` (or `"{v:.6e}"`) for a finite non-zero
/// `v`, made from its shortest round-trip digits: the exact formatting costs several
/// times more (big-number arithmetic for some values, and the formatting machinery), and
/// a trained report shows a million different values. `None` when the shortest digits
/// cannot decide the rounding (one `5` just past the cut: `v` may lie on the tie between
/// the two neighbours at the cut, or on either side of it), left to the exact formatting.
///
/// Why the shortest digits decide every other case: they are the fewest digits within
/// half an ulp of `v`, and of those the closest to `v`. The tie has one digit more than
/// the cut keeps; were it between `v` and the shortest digits (or on `v`), it would be
/// within half an ulp of `v`, with no more digits than they have and closer, and would
/// have been chosen. So `v` and its shortest digits lie on the same side of the tie and
/// round alike; and shortest digits that end at or before the cut are `v` rounded. Both
/// need an ulp far finer than the cut: true of normal numbers (16 digits), not of
/// subnormal ones, which are left to the exact formatting too.
fn rounded(v: f64, cut: Cut) -> Option<String> {
    if !v.is_normal() {
        return None;
    }
    let mut buffer = ryu::Buffer::new();
    let (digits, mut exponent) = shortest_digits(buffer.format_finite(v.abs()))?;
    // Significant digits kept: seven, or those down to the sixth decimal.
    let keep = match cut {
        Cut::Significant => 7,
        Cut::Decimals => exponent + 7,
    };
    let keep = usize::try_from(keep)
        .ok()
        .filter(|&k| (1..=15).contains(&k))?;
    let mut kept = (0..keep).fold(0u64, |n, k| n * 10 + digits.get(k));
    match digits.from(keep) {
        [] => {}
        [5] => return None,
        [first, ..] => kept += u64::from(*first >= 5),
    }
    // `kept` is the value in millionths (`Decimals`) or its seven digits (`Significant`).
    if matches!(cut, Cut::Significant) && kept == 10_000_000 {
        // Rounded up past 9.999999: one more digit before the point.
        kept = 1_000_000;
        exponent += 1;
    }
    let mut out = String::with_capacity(24);
    if v < 0.0 {
        out.push('-');
    }
    push_digits(&mut out, kept / 1_000_000, 1);
    let mut decimals = kept % 1_000_000;
    if decimals > 0 {
        let mut width = 6;
        while decimals % 10 == 0 {
            decimals /= 10;
            width -= 1;
        }
        out.push('.');
        push_digits(&mut out, decimals, width);
    }
    if matches!(cut, Cut::Significant) {
        out.push('e');
        if exponent < 0 {
            out.push('-');
        }
        push_digits(&mut out, u64::from(exponent.unsigned_abs()), 1);
    }
    Some(out)
}

/// The significant digits of a positive number's text (`ryu`'s: `1.25e-7`, `0.00125`,
/// `125.0`), without leading or trailing zeros (at most 17), and the decimal exponent of
/// the first.
fn shortest_digits(text: &str) -> Option<(Digits, i32)> {
    let (mantissa, exponent) = match text.split_once('e') {
        Some((m, e)) => (m, e.parse::<i32>().ok()?),
        None => (text, 0),
    };
    let mut digits = Digits::default();
    // The place of the first significant digit, counted from the left of the mantissa's
    // whole part (0: its first digit).
    let mut first = None;
    let mut at = 0i32;
    for b in mantissa.bytes() {
        match b {
            b'.' => continue,
            b'0' if first.is_none() => {}
            b'0'..=b'9' => {
                first.get_or_insert(at);
                *digits.bytes.get_mut(digits.len)? = b - b'0';
                digits.len += 1;
            }
            _ => return None,
        }
        at += 1;
    }
    while digits.len > 0 && digits.bytes[digits.len - 1] == 0 {
        digits.len -= 1;
    }
    let whole = i32::try_from(mantissa.split('.').next()?.len()).ok()?;
    Some((digits, whole - first? - 1 + exponent))
}

/// Up to 17 decimal digits (values 0 to 9).
#[derive(Default)]
struct Digits {
    bytes: [u8; 17],
    len: usize,
}

impl Digits {
    /// Digit `k`, 0 past the last.
    fn get(&self, k: usize) -> u64 {
        if k < self.len {
            u64::from(self.bytes[k])
        } else {
            0
        }
    }

    /// The digits from `k` on.
    fn from(&self, k: usize) -> &[u8] {
        self.bytes.get(k..self.len).unwrap_or(&[])
    }
}

/// Appends `n` in decimal, with leading zeros to at least `width` digits.
fn push_digits(out: &mut String, mut n: u64, width: usize) {
    let mut digits = [b'0'; 20];
    let mut at = digits.len();
    while n > 0 || digits.len() - at < width {
        at -= 1;
        digits[at] = b'0' + (n % 10) as u8;
        n /= 10;
    }
    out.push_str(std::str::from_utf8(&digits[at..]).unwrap_or(""));
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

    /// `fmt_num` as it was written first, on the exact formatting alone.
    fn exact(v: f64) -> String {
        if (1e-4..1e6).contains(&v.abs()) {
            super::trim_zeros(&format!("{v:.6}")).to_string()
        } else {
            let s = format!("{v:.6e}");
            let (mantissa, exponent) = s.split_once('e').expect("an exponent");
            format!("{}e{exponent}", super::trim_zeros(mantissa))
        }
    }

    #[test]
    fn shortest_digits_round_as_the_exact_formatting_does() {
        use rand::{Rng, SeedableRng};
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(35);
        let mut values: Vec<f64> = vec![
            // Ties at the cut, exactly (k / 128 has 7 decimals ending in 5) and not.
            0.0078125,
            0.0234375,
            1.0000005,
            2.5e-7,
            1.2345675e-30,
            0.0001,
            0.00009999995,
            0.000999999,
            999_999.999_999_6,
            999_999.499_999_9,
            9.999_999_5e-5,
            9.999_999_5e10,
            1e-300,
            f64::MIN_POSITIVE,
            5e-324,
            f64::MAX,
            1.0 / 3.0,
            0.1,
            0.3,
        ];
        for k in 1..20_000 {
            values.push(f64::from(k) / 128.0);
            values.push(f64::from(k) * 1e-7 + 5e-8);
        }
        for _ in 0..100_000 {
            // Any finite value, and values of every decade a report shows.
            let bits = f64::from_bits(rng.gen::<u64>());
            if bits.is_finite() {
                values.push(bits);
            }
            let ln: f64 = rng.gen_range(-700.0..700.0);
            values.push(ln.exp());
            values.push(10f64.powf(rng.gen_range(-6.0..8.0)));
        }
        for v in values {
            for v in [v, -v] {
                if v != 0.0 && v.fract() != 0.0 || v.abs() >= 1e6 {
                    assert_eq!(fmt_num(v), exact(v), "{v:e}");
                }
            }
        }
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
