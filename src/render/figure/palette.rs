//! Colours: a categorical palette for series and a perceptual ramp for steps.

/// Tableau-10 colours: distinct, colour-blind-friendlier than primaries, readable on white.
const CATEGORICAL: [&str; 10] = [
    "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f",
    "#bcbd22", "#17becf",
];

/// The colour of the `index`-th series (cycling after ten).
pub(crate) fn categorical(index: usize) -> &'static str {
    CATEGORICAL[index % CATEGORICAL.len()]
}

/// Viridis sampled at nine evenly spaced points (dark purple → yellow).
const VIRIDIS: [(u8, u8, u8); 9] = [
    (68, 1, 84),
    (71, 44, 122),
    (59, 81, 139),
    (44, 113, 142),
    (33, 144, 141),
    (39, 173, 129),
    (92, 200, 99),
    (170, 220, 50),
    (253, 231, 37),
];

/// The ramp colour at `t` in `[0, 1]` (clamped; NaN reads as 0), as `#rrggbb`.
pub(crate) fn ramp(t: f64) -> String {
    let t = if t.is_nan() { 0.0 } else { t.clamp(0.0, 1.0) };
    let position = t * (VIRIDIS.len() - 1) as f64;
    let index = (position.floor() as usize).min(VIRIDIS.len() - 2);
    let fraction = position - index as f64;
    let (a, b) = (VIRIDIS[index], VIRIDIS[index + 1]);
    let mix = |x: u8, y: u8| (x as f64 + (y as f64 - x as f64) * fraction).round() as u8;
    format!(
        "#{:02x}{:02x}{:02x}",
        mix(a.0, b.0),
        mix(a.1, b.1),
        mix(a.2, b.2)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ramp_runs_from_purple_to_yellow() {
        assert_eq!(ramp(0.0), "#440154");
        assert_eq!(ramp(1.0), "#fde725");
        assert_eq!(ramp(f64::NAN), ramp(0.0));
        assert_eq!(ramp(7.0), ramp(1.0));
        assert_eq!(categorical(10), categorical(0));
    }
}
