//! Data-to-pixel scales and "nice" tick positions.

/// Maps data values in `[lo, hi]` (log10 of them for a log scale) to pixels `[start, end]`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Scale {
    lo: f64,
    hi: f64,
    log: bool,
    start: f64,
    end: f64,
}

/// A tick: its data value and its label.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Tick {
    pub(crate) value: f64,
    pub(crate) label: String,
}

impl Scale {
    /// A linear scale over nice bounds that contain `values` (and `include`, e.g. 0), with its
    /// ticks. With no finite value the domain is `[0, 1]`. When every value is a whole
    /// number (counts, depths), so is every tick.
    pub(crate) fn linear(
        values: impl Iterator<Item = f64>,
        include: Option<f64>,
    ) -> (Self, Vec<Tick>) {
        let values: Vec<f64> = values.filter(|v| v.is_finite()).collect();
        let whole = !values.is_empty()
            && values
                .iter()
                .chain(include.iter())
                .all(|v| v.fract() == 0.0 && v.abs() < 1e15);
        Self::linear_ticks(values.into_iter(), include, whole)
    }

    /// A linear scale whose ticks are whole numbers (an axis of counts).
    pub(crate) fn linear_whole(
        values: impl Iterator<Item = f64>,
        include: Option<f64>,
    ) -> (Self, Vec<Tick>) {
        Self::linear_ticks(values, include, true)
    }

    fn linear_ticks(
        values: impl Iterator<Item = f64>,
        include: Option<f64>,
        whole: bool,
    ) -> (Self, Vec<Tick>) {
        let (mut lo, mut hi) = finite_range(values).unwrap_or((0.0, 1.0));
        if let Some(v) = include {
            lo = lo.min(v);
            hi = hi.max(v);
        }
        if hi - lo <= f64::EPSILON * hi.abs().max(1.0) {
            // A single value: give it some room.
            let pad = if hi == 0.0 { 1.0 } else { hi.abs() * 0.5 };
            (lo, hi) = if lo >= 0.0 && include == Some(0.0) {
                (0.0, hi + pad)
            } else {
                (lo - pad, hi + pad)
            };
        }
        let mut step = nice_step((hi - lo) / 5.0);
        if whole && step.fract() != 0.0 {
            // 0.2, 0.5, 2.5 → 1 or 5: whole steps only.
            step = if step < 1.0 { 1.0 } else { step * 2.0 };
        }
        let (lo, hi) = ((lo / step).floor() * step, (hi / step).ceil() * step);
        let ticks = linear_ticks(lo, hi, step);
        (Self::over(lo, hi, false), ticks)
    }

    /// A log10 scale over whole or half decades containing the positive finite `values`.
    pub(crate) fn log(values: impl Iterator<Item = f64>) -> (Self, Vec<Tick>) {
        let logs = values.filter(|v| *v > 0.0).map(f64::log10);
        let (lo, hi) = finite_range(logs).unwrap_or((0.0, 1.0));
        let (lo, hi) = (lo.floor(), hi.ceil().max(lo.floor() + 1.0));
        let decades = (hi - lo) as i64;
        // Label every decade, or every other one when there are many.
        let stride = (decades / 6 + 1).max(1);
        let mut ticks = Vec::new();
        let mut exponent = lo as i64;
        while exponent <= hi as i64 {
            let value = 10f64.powi(exponent as i32);
            ticks.push(Tick {
                value,
                label: power_of_ten_label(exponent),
            });
            if decades == 1 {
                for m in [2.0, 5.0] {
                    if exponent < hi as i64 {
                        ticks.push(Tick {
                            value: m * value,
                            label: format_plain(m * value, m * value),
                        });
                    }
                }
            }
            exponent += stride;
        }
        ticks.sort_by(|a, b| a.value.total_cmp(&b.value));
        (Self::over(lo, hi, true), ticks)
    }

    /// A scale over exactly `[lo, hi]` (log10 bounds for a log scale), for figures whose
    /// frame must match the data's extent (the basin image).
    pub(crate) fn fixed(lo: f64, hi: f64, log: bool) -> Self {
        Self::over(lo, hi, log)
    }

    fn over(lo: f64, hi: f64, log: bool) -> Self {
        Self {
            lo,
            hi,
            log,
            start: 0.0,
            end: 1.0,
        }
    }

    /// The same scale with its domain widened by `fraction` of its span at both ends, ticks
    /// unchanged, so that points at the extremes do not sit on the frame.
    pub(crate) fn padded(self, fraction: f64) -> Self {
        let pad = (self.hi - self.lo) * fraction;
        Self {
            lo: self.lo - pad,
            hi: self.hi + pad,
            ..self
        }
    }

    /// The same scale drawn onto pixels `start..end` (`end < start` for a y axis).
    pub(crate) fn onto(self, start: f64, end: f64) -> Self {
        Self { start, end, ..self }
    }

    /// The pixel of `value`; `None` for values that cannot be drawn (non-finite, or `<= 0` on
    /// a log scale).
    pub(crate) fn map(&self, value: f64) -> Option<f64> {
        let v = if self.log {
            if value > 0.0 {
                value.log10()
            } else {
                return None;
            }
        } else {
            value
        };
        if !v.is_finite() {
            return None;
        }
        let t = (v - self.lo) / (self.hi - self.lo);
        Some(self.start + t * (self.end - self.start))
    }

    /// The pixel of `value` clamped into the scale's range (for bars reaching past the axis).
    pub(crate) fn map_clamped(&self, value: f64) -> Option<f64> {
        let (a, b) = (self.start.min(self.end), self.start.max(self.end));
        self.map(value).map(|p| p.clamp(a, b))
    }

    /// The data bounds (log10 of them for a log scale).
    pub(crate) fn domain(&self) -> (f64, f64) {
        (self.lo, self.hi)
    }

    /// The pixel at the bottom of the scale (its `start`).
    pub(crate) fn start(&self) -> f64 {
        self.start
    }
}

fn finite_range(values: impl Iterator<Item = f64>) -> Option<(f64, f64)> {
    values
        .filter(|v| v.is_finite())
        .fold(None, |range, v| match range {
            None => Some((v, v)),
            Some((lo, hi)) => Some((f64::min(lo, v), f64::max(hi, v))),
        })
}

/// 1, 2, 2.5 or 5 times a power of ten, at least `raw`.
pub(crate) fn nice_step(raw: f64) -> f64 {
    if !(raw.is_finite() && raw > 0.0) {
        return 1.0;
    }
    let magnitude = 10f64.powf(raw.log10().floor());
    let fraction = raw / magnitude;
    let nice = [1.0, 2.0, 2.5, 5.0, 10.0]
        .into_iter()
        .find(|&f| fraction <= f + 1e-9)
        .unwrap_or(10.0);
    nice * magnitude
}

fn linear_ticks(lo: f64, hi: f64, step: f64) -> Vec<Tick> {
    let count = ((hi - lo) / step).round() as i64;
    (0..=count.clamp(0, 100))
        .map(|k| {
            let value = lo + k as f64 * step;
            // Snap rounding noise (0.30000000000000004) so labels read cleanly.
            let value = (value / step).round() * step;
            Tick {
                value,
                label: format_plain(value, step),
            }
        })
        .collect()
}

/// A number with as many decimals as `step` needs (`0.25` → 2, `5` → 0).
pub(crate) fn format_plain(value: f64, step: f64) -> String {
    if value != 0.0 && (value.abs() >= 1e6 || step.abs() < 1e-4) {
        return format_scientific(value);
    }
    if value == 0.0 && step.abs() < 1e-4 {
        return "0".to_string();
    }
    // A step of 2.5 needs one decimal like 0.25 needs two: count until the step is whole.
    let decimals = if step == 0.0 || !step.is_finite() {
        0
    } else {
        let mut d = 0usize;
        let mut s = step.abs();
        while (s - s.round()).abs() > 1e-9 * s.max(1e-300) && d < 12 {
            s *= 10.0;
            d += 1;
        }
        d
    };
    let text = format!("{:.*}", decimals, value);
    if text.starts_with('-') && text.trim_start_matches(['-', '0', '.']).is_empty() {
        text[1..].to_string()
    } else {
        text
    }
}

/// `1.5e6`, `-2e-7`: at most four significant digits, no trailing zeros in the mantissa.
fn format_scientific(value: f64) -> String {
    let text = format!("{:.3e}", value);
    match text.split_once('e') {
        Some((mantissa, exponent)) => {
            let mantissa = mantissa.trim_end_matches('0').trim_end_matches('.');
            format!("{mantissa}e{exponent}")
        }
        None => text,
    }
}

/// `1000`, `0.01`, or `1e-7` for far-off decades.
fn power_of_ten_label(exponent: i64) -> String {
    if (-3..=4).contains(&exponent) {
        format_plain(10f64.powi(exponent as i32), 10f64.powi(exponent as i32))
    } else {
        format!("1e{exponent}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nice_steps() {
        assert_eq!(nice_step(0.3), 0.5);
        assert_eq!(nice_step(0.2), 0.2);
        assert_eq!(nice_step(7.0), 10.0);
        assert_eq!(nice_step(0.0), 1.0);
    }

    #[test]
    fn linear_ticks_cover_the_values_with_clean_labels() {
        let (_, ticks) = Scale::linear([0.1, 2.3].into_iter(), Some(0.0));
        let labels: Vec<&str> = ticks.iter().map(|t| t.label.as_str()).collect();
        assert_eq!(labels, ["0.0", "0.5", "1.0", "1.5", "2.0", "2.5"]);
        let (_, ticks) = Scale::linear(std::iter::empty(), None);
        assert_eq!(ticks.first().map(|t| t.value), Some(0.0));
    }

    #[test]
    fn whole_values_get_whole_ticks() {
        // Depths 2..5 would get ticks every 0.5; counts up to 1 every 0.25.
        let (_, ticks) = Scale::linear([2.0, 3.0, 4.0, 5.0].into_iter(), None);
        let labels: Vec<&str> = ticks.iter().map(|t| t.label.as_str()).collect();
        assert_eq!(labels, ["2", "3", "4", "5"]);
        let (_, ticks) = Scale::linear_whole([1.05].into_iter(), Some(0.0));
        let labels: Vec<&str> = ticks.iter().map(|t| t.label.as_str()).collect();
        assert_eq!(labels, ["0", "1", "2"]);
        let (_, ticks) = Scale::linear_whole([11.0].into_iter(), Some(0.0));
        let labels: Vec<&str> = ticks.iter().map(|t| t.label.as_str()).collect();
        assert_eq!(labels, ["0", "5", "10", "15"]);
    }

    #[test]
    fn huge_and_tiny_labels_are_scientific() {
        assert_eq!(format_plain(1.5e300, 1e299), "1.5e300");
        assert_eq!(format_plain(2e-7, 1e-7), "2e-7");
        assert_eq!(format_plain(0.0, 1e-7), "0");
        assert_eq!(format_plain(250.0, 50.0), "250");
        assert_eq!(format_plain(2.5, 2.5), "2.5");
        assert_eq!(format_plain(5.0, 2.5), "5.0");
        assert_eq!(format_plain(7.5, 2.5), "7.5");
    }

    #[test]
    fn log_ticks_are_decades() {
        let (scale, ticks) = Scale::log([0.02, 300.0, -1.0].into_iter());
        let labels: Vec<&str> = ticks.iter().map(|t| t.label.as_str()).collect();
        assert_eq!(labels, ["0.01", "0.1", "1", "10", "100", "1000"]);
        let scale = scale.onto(0.0, 100.0);
        assert_eq!(scale.map(-1.0), None);
        assert!((scale.map(0.1).unwrap() - 20.0).abs() < 1e-9);
    }
}
