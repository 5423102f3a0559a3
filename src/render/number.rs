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
/// `v`, without the exact formatting (big-number arithmetic for some values, and the
/// formatting machinery: several times the cost, and a trained report shows a million
/// different values). `None` when neither way below can decide the rounding, left to the
/// exact formatting.
fn rounded(v: f64, cut: Cut) -> Option<String> {
    if !v.is_normal() {
        return None;
    }
    let (mut kept, mut exponent) = match scaled(v.abs(), cut) {
        Some(found) => found,
        None => shortest(v.abs(), cut)?,
    };
    // `kept` is the value in millionths (`Decimals`) or its seven digits (`Significant`).
    if matches!(cut, Cut::Significant) && kept == 10_000_000 {
        // Rounded up past 9.999999: one more digit before the point.
        kept = 1_000_000;
        exponent += 1;
    }
    // Written into a buffer on the stack and copied out once: at most 1 + 7 + 1 + 6
    // characters, then `e-308`.
    let mut out = Ascii::default();
    if v < 0.0 {
        out.push(b'-');
    }
    out.push_digits(kept / 1_000_000, 1);
    let mut decimals = kept % 1_000_000;
    if decimals > 0 {
        let mut width = 6;
        while decimals % 10 == 0 {
            decimals /= 10;
            width -= 1;
        }
        out.push(b'.');
        out.push_digits(decimals, width);
    }
    if matches!(cut, Cut::Significant) {
        out.push(b'e');
        if exponent < 0 {
            out.push(b'-');
        }
        out.push_digits(u64::from(exponent.unsigned_abs()), 1);
    }
    Some(out.into_string())
}

/// ASCII text of at most 40 bytes (a number `rounded` writes takes at most 28).
struct Ascii {
    bytes: [u8; 40],
    len: usize,
}

impl Default for Ascii {
    fn default() -> Ascii {
        Ascii {
            bytes: [0; 40],
            len: 0,
        }
    }
}

impl Ascii {
    fn push(&mut self, b: u8) {
        if let Some(slot) = self.bytes.get_mut(self.len) {
            *slot = b;
            self.len += 1;
        }
    }

    /// Appends `n` in decimal, with leading zeros to at least `width` digits.
    fn push_digits(&mut self, n: u64, width: usize) {
        let mut count = 1;
        let mut rest = n / 10;
        while rest > 0 {
            rest /= 10;
            count += 1;
        }
        let count = count.max(width);
        let end = (self.len + count).min(self.bytes.len());
        let mut n = n;
        for slot in self.bytes[self.len..end].iter_mut().rev() {
            *slot = b'0' + (n % 10) as u8;
            n /= 10;
        }
        self.len = end;
    }

    fn into_string(self) -> String {
        String::from_utf8_lossy(&self.bytes[..self.len]).into_owned()
    }
}

/// The digits `rounded` keeps of a normal `a > 0` (and, for `Significant`, the decimal
/// exponent of the first), from `a` scaled by a power of ten in floating point: `a ·
/// 10^6` (`Decimals`), or `a · 10^k` with `k` putting the first digit seven places
/// before the point (`Significant`), then rounded to a whole number.
///
/// Why that is the exact rounding whenever it answers: the scaled value `x` is within
/// `x · 2^-52` of the exact `a · 10^k` (one rounding of the product or quotient, and at
/// most one of the power itself), below `10^-8` for the seven digits of `Significant`
/// and `2.3 · 10^-4` for `Decimals` (whose `x` is below `10^12`). When `x`'s fraction is
/// farther than `x · 10^-15` from one half, the exact value lies on the same side of the
/// half-way point as `x` and rounds to the same whole number; otherwise (about one value
/// in 10^8, and every tie) this answers `None`.
fn scaled(a: f64, cut: Cut) -> Option<(u64, i32)> {
    let (x, exponent) = match cut {
        Cut::Decimals => (a * 1e6, 0),
        Cut::Significant => {
            // The decimal exponent of `a`'s first digit, or one less: `a` lies in
            // [2^b, 2^(b+1)), so its decimal exponent is floor(b·log10 2) or the next.
            // floor(b·log10 2) as floor(b·78913 / 2^18), exact for every exponent of a
            // normal number (the shift of a negative number rounds down); no call into
            // the maths library.
            let b = ((a.to_bits() >> 52) & 0x7ff) as i32 - 1023;
            let mut e = (b * 78_913) >> 18;
            let mut x = times_ten_to(a, 6 - e)?;
            if x >= 1e7 {
                e += 1;
                x = times_ten_to(a, 6 - e)?;
            }
            (x, e)
        }
    };
    if !(0.0..1e15).contains(&x) {
        return None;
    }
    // Whole part and fraction without the maths library's `floor`/`round` (calls on
    // processors without SSE4.1): both conversions are exact below 2^53.
    let whole = x as u64;
    let fraction = x - whole as f64;
    if (fraction - 0.5).abs() <= x * 1e-15 {
        return None;
    }
    Some((whole + u64::from(fraction > 0.5), exponent))
}

/// `a · 10^k`, rounded once after the power of ten, itself correctly rounded (`None`
/// past the table).
fn times_ten_to(a: f64, k: i32) -> Option<f64> {
    static POWERS: std::sync::OnceLock<Vec<f64>> = std::sync::OnceLock::new();
    let powers = POWERS.get_or_init(|| {
        // Parsing is correctly rounded; 10^k itself is exact only up to 10^22.
        (0..=308)
            .map(|k| format!("1e{k}").parse().unwrap_or(f64::INFINITY))
            .collect()
    });
    let power = *powers.get(usize::try_from(k.unsigned_abs()).ok()?)?;
    Some(if k >= 0 { a * power } else { a / power })
}

/// The digits `rounded` keeps of a normal `a > 0`, made from its shortest round-trip
/// digits. `None` when those cannot decide the rounding (one `5` just past the cut: `a`
/// may lie on the tie between the two neighbours at the cut, or on either side of it).
///
/// Why the shortest digits decide every other case: they are the fewest digits within
/// half an ulp of `a`, and of those the closest to `a`. The tie has one digit more than
/// the cut keeps; were it between `a` and the shortest digits (or on `a`), it would be
/// within half an ulp of `a`, with no more digits than they have and closer, and would
/// have been chosen. So `a` and its shortest digits lie on the same side of the tie and
/// round alike; and shortest digits that end at or before the cut are `a` rounded. Both
/// need an ulp far finer than the cut: true of normal numbers (16 digits), not of
/// subnormal ones, which are left to the exact formatting too.
fn shortest(a: f64, cut: Cut) -> Option<(u64, i32)> {
    let mut buffer = ryu::Buffer::new();
    let (digits, exponent) = shortest_digits(buffer.format_finite(a))?;
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
    Some((kept, exponent))
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
            // Either side of a decade, where the scaled value's first digit moves.
            1e7,
            9_999_999.5,
            9_999_999.499_999,
            1e-5,
            9.999_999_5e-6,
            9.999_999_499_999e-6,
            1e-200,
            1e-302,
            1e-305,
            2.5e300,
            1.797e308,
        ];
        for k in -307..=308 {
            let p: f64 = format!("1e{k}").parse().expect("a power of ten");
            for x in [p, p * (1.0 + f64::EPSILON), p * (1.0 - f64::EPSILON)] {
                for y in [x, x * 9.999_999_5, x * 1.000_000_5] {
                    if y.is_finite() {
                        values.push(y);
                    }
                }
            }
        }
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
                // The fallback agrees wherever both ways answer (`fmt_num` seldom takes it).
                let a = v.abs();
                if a.is_normal() {
                    for cut in [super::Cut::Decimals, super::Cut::Significant] {
                        if let (Some(x), Some(y)) = (super::scaled(a, cut), super::shortest(a, cut))
                        {
                            let at = |(k, e): (u64, i32)| match cut {
                                super::Cut::Decimals => (k, 0),
                                // Seven nines rounded up: one more digit before the point.
                                super::Cut::Significant if k == 10_000_000 => (1_000_000, e + 1),
                                super::Cut::Significant => (k, e),
                            };
                            assert_eq!(at(x), at(y), "{v:e}");
                        }
                    }
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
