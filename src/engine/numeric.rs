//! Log-domain arithmetic. `lambda`, `eta`, scores and logits are kept as natural logs
//! (`f64`, `-inf` = exact zero) because multiplicative rules grow them geometrically:
//! `1.1^7500` overflows `f64`, its log does not.

use serde::{Deserialize, Serialize};

/// `ln(e^a + e^b)`, exact for `-inf` operands and never NaN for finite or `-inf` input.
pub fn ln_add(a: f64, b: f64) -> f64 {
    let (hi, lo) = if a >= b { (a, b) } else { (b, a) };
    if lo == f64::NEG_INFINITY {
        return hi;
    }
    hi + (lo - hi).exp().ln_1p()
}

/// `ln(max(e^x - c, 0))` given `ln_c = ln c`: the `sub c` rule floored at 0.
pub fn ln_sub_floor(x: f64, ln_c: f64) -> f64 {
    if ln_c == f64::NEG_INFINITY {
        return x;
    }
    if x <= ln_c {
        return f64::NEG_INFINITY;
    }
    x + ln_one_minus_exp(ln_c - x)
}

/// `ln(1 - e^d)` for `d <= 0`, accurate near both ends.
pub fn ln_one_minus_exp(d: f64) -> f64 {
    if d > -std::f64::consts::LN_2 {
        (-d.exp_m1()).ln()
    } else {
        (-d.exp()).ln_1p()
    }
}

/// `ln |e^a - e^b|`; `-inf` when equal.
pub fn ln_abs_diff(a: f64, b: f64) -> f64 {
    let (hi, lo) = if a >= b { (a, b) } else { (b, a) };
    if hi == lo {
        return f64::NEG_INFINITY;
    }
    if lo == f64::NEG_INFINITY {
        return hi;
    }
    hi + ln_one_minus_exp(lo - hi)
}

/// `ln(sum e^x)` over a slice; `-inf` for an empty slice or all `-inf`.
pub fn ln_sum_exp(xs: &[f64]) -> f64 {
    ln_sum_exp_iter(xs.iter().copied())
}

/// `ln(sum e^x)` over an iterator (two passes would need a clone; this keeps a running
/// maximum and rescales, which is exact enough and allocation-free).
pub fn ln_sum_exp_iter(xs: impl IntoIterator<Item = f64>) -> f64 {
    let mut max = f64::NEG_INFINITY;
    let mut sum = 0.0_f64; // sum of e^(x - max)
    for x in xs {
        if x == f64::NEG_INFINITY {
            continue;
        }
        if x <= max {
            sum += (x - max).exp();
        } else {
            sum = sum * (max - x).exp() + 1.0;
            max = x;
        }
    }
    if max == f64::NEG_INFINITY {
        max
    } else {
        max + sum.ln()
    }
}

/// `softmax(Z)` for logits given as `ln Z` (so every `Z >= 0`), written into `out`.
///
/// Exact (plain `Z_j - Z_max` in f64) when the largest logit fits in f64. Beyond that,
/// `Z_j - Z_max = -(Z_max (1 - Z_j / Z_max))` is evaluated in the log domain: it is
/// `-0` for the maximum (ties split the mass equally) and overflows to `-inf` (zero
/// probability) otherwise, so the result is one-hot on the largest. Never NaN.
pub fn softmax_from_ln(ln_z: &[f64], out: &mut Vec<f64>) {
    out.clear();
    if ln_z.is_empty() {
        return;
    }
    let ln_max = ln_z.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    if ln_max == f64::NEG_INFINITY {
        // Every logit is exactly 0.
        let p = 1.0 / ln_z.len() as f64;
        out.extend(std::iter::repeat_n(p, ln_z.len()));
        return;
    }
    let z_max = ln_max.exp();
    for &lz in ln_z {
        let d = if z_max.is_finite() {
            lz.exp() - z_max
        } else {
            -(ln_max + ln_one_minus_exp(lz - ln_max)).exp()
        };
        out.push(d.exp());
    }
    let total: f64 = out.iter().sum();
    // total >= 1 because the maximum contributes e^0.
    for p in out.iter_mut() {
        *p /= total;
    }
}

/// `-ln p_label`, the cross-entropy of `label` under `softmax(Z)` for logits given as
/// `ln Z`, computed without forming `p` (so a `p_label` that would round to 0 still gives
/// its finite loss): with `d_k = Z_k - Z_max`, formed as [`softmax_from_ln`] forms it,
/// `-ln p_label = -d_label + ln(1 + sum of e^d_k over the classes but the first largest)`.
/// `ln K` when no class is reached (every logit 0: `p` is uniform); `+inf` only when
/// `Z_max - Z_label` itself exceeds f64. Never NaN.
pub fn cross_entropy(ln_z: &[f64], label: usize) -> f64 {
    let ln_max = ln_z.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    if ln_max == f64::NEG_INFINITY {
        return (ln_z.len() as f64).ln();
    }
    let z_max = ln_max.exp();
    let gap = |lz: f64| {
        if z_max.is_finite() {
            lz.exp() - z_max
        } else {
            -(ln_max + ln_one_minus_exp(lz - ln_max)).exp()
        }
    };
    let top = ln_z.iter().position(|&lz| lz == ln_max);
    let rest: f64 = ln_z
        .iter()
        .enumerate()
        .filter(|&(k, _)| Some(k) != top)
        .map(|(_, &lz)| gap(lz).exp())
        .sum();
    let Some(&ln_label) = ln_z.get(label) else {
        return f64::INFINITY;
    };
    -gap(ln_label) + rest.ln_1p()
}

/// The predicted class of `ln_logits`: the largest, ties to the first declared; `None`
/// when no class is reached (every logit is an exact 0, `ln = -inf`).
pub fn predicted_class(ln_logits: &[f64]) -> Option<usize> {
    argmax_first(ln_logits).filter(|&i| ln_logits[i] > f64::NEG_INFINITY)
}

/// Index of the largest value; ties go to the first (first declared class).
pub fn argmax_first(xs: &[f64]) -> Option<usize> {
    let mut best: Option<usize> = None;
    for (i, &x) in xs.iter().enumerate() {
        match best {
            Some(b) if xs[b] >= x => {}
            _ => best = Some(i),
        }
    }
    best
}

/// A quantity for reports: the plain value when `exp(ln)` fits in f64, else `None`
/// (then only `ln` describes it).
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Value {
    /// The plain value, or `None` when it is beyond f64.
    pub value: Option<f64>,
    /// Natural log; `-inf` for an exact zero.
    pub ln: f64,
}

impl Value {
    /// The value whose natural log is `ln`.
    pub fn from_ln(ln: f64) -> Value {
        let v = ln.exp();
        Value {
            value: v.is_finite().then_some(v),
            ln,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NI: f64 = f64::NEG_INFINITY;

    #[test]
    fn ln_add_handles_zero_and_equal() {
        assert_eq!(ln_add(NI, NI), NI);
        assert_eq!(ln_add(NI, 1.5), 1.5);
        assert!((ln_add(0.0, 0.0) - 2f64.ln()).abs() < 1e-15);
        assert!((ln_add(1e4, 1e4) - (1e4 + 2f64.ln())).abs() < 1e-9);
    }

    #[test]
    fn ln_sub_floors_at_zero() {
        assert_eq!(ln_sub_floor(0.0, 0.0), NI); // 1 - 1
        assert_eq!(ln_sub_floor(0.0, 2f64.ln()), NI); // 1 - 2 floored
        assert!((ln_sub_floor(3f64.ln(), 1f64.ln()) - 2f64.ln()).abs() < 1e-15);
        assert_eq!(ln_sub_floor(0.7, NI), 0.7); // sub 0
        assert_eq!(ln_sub_floor(NI, 0.0), NI);
    }

    #[test]
    fn ln_sum_exp_matches_direct() {
        let xs = [0.0, 1.0, 2.0, NI];
        let direct = (1.0 + 1f64.exp() + 2f64.exp()).ln();
        assert!((ln_sum_exp(&xs) - direct).abs() < 1e-14);
        assert_eq!(ln_sum_exp(&[]), NI);
        assert_eq!(ln_sum_exp(&[NI, NI]), NI);
        assert!((ln_sum_exp(&[5000.0, 5000.0]) - (5000.0 + 2f64.ln())).abs() < 1e-9);
    }

    #[test]
    fn softmax_exact_and_one_hot() {
        let mut p = Vec::new();
        softmax_from_ln(&[2f64.ln(), 2f64.ln(), NI], &mut p);
        assert!((p[0] - 0.468311).abs() < 1e-6 && (p[2] - 0.063379).abs() < 1e-6);
        softmax_from_ln(&[800.0, 799.0, NI], &mut p);
        assert_eq!(p, vec![1.0, 0.0, 0.0]);
        softmax_from_ln(&[800.0, 800.0, 1.0], &mut p);
        assert_eq!(p, vec![0.5, 0.5, 0.0]);
        softmax_from_ln(&[NI, NI], &mut p);
        assert_eq!(p, vec![0.5, 0.5]);
        assert!(p.iter().all(|x| !x.is_nan()));
    }

    #[test]
    fn cross_entropy_is_minus_ln_p() {
        let mut p = Vec::new();
        for (ln_z, label) in [
            (vec![2f64.ln(), 2f64.ln(), NI], 0),
            (vec![2f64.ln(), 2f64.ln(), NI], 2),
            (vec![0.3, -1.0, 1.2], 1),
            (vec![NI, 0.0], 1),
        ] {
            softmax_from_ln(&ln_z, &mut p);
            let direct = -p[label].ln();
            assert!(
                (cross_entropy(&ln_z, label) - direct).abs() < 1e-14,
                "{ln_z:?}"
            );
        }
        // Z = (2, 2, 0): p = e^2 / (2 e^2 + 1) for the first two, 1 / (2 e^2 + 1) for the third.
        let e2 = 2f64.exp();
        assert!(
            (cross_entropy(&[2f64.ln(), 2f64.ln(), NI], 2) - (2.0 * e2 + 1.0).ln()).abs() < 1e-14
        );
        // No class reached: uniform over 4 classes.
        assert_eq!(cross_entropy(&[NI; 4], 3), 4f64.ln());
        // p_label rounds to 0 in f64, its loss does not: Z = (1000, 0).
        softmax_from_ln(&[1000f64.ln(), NI], &mut p);
        assert_eq!(p[1], 0.0);
        assert!((cross_entropy(&[1000f64.ln(), NI], 1) - 1000.0).abs() < 1e-9);
        assert!(cross_entropy(&[1000f64.ln(), NI], 0) < 1e-300);
        // Beyond f64 (Z_max = e^800): equal logits split the mass; a label of logit 0 is
        // e^800 behind, which f64 cannot hold.
        assert_eq!(cross_entropy(&[800.0, 800.0], 1), 2f64.ln());
        assert_eq!(cross_entropy(&[800.0, NI], 1), f64::INFINITY);
        assert!(cross_entropy(&[800.0, NI], 0) == 0.0);
        assert!(!cross_entropy(&[800.0, 799.0, 5.0], 1).is_nan());
    }

    #[test]
    fn abs_diff_and_value() {
        assert!((ln_abs_diff(3f64.ln(), 1f64.ln()) - 2f64.ln()).abs() < 1e-15);
        assert_eq!(ln_abs_diff(1.0, 1.0), NI);
        assert_eq!(Value::from_ln(1000.0).value, None);
        assert_eq!(Value::from_ln(NI).value, Some(0.0));
        assert_eq!(argmax_first(&[1.0, 3.0, 3.0]), Some(1));
        let zero = f64::NEG_INFINITY;
        assert_eq!(predicted_class(&[zero, zero]), None);
        assert_eq!(predicted_class(&[zero, -5.0, -5.0]), Some(1));
        assert_eq!(predicted_class(&[]), None);
    }
}
