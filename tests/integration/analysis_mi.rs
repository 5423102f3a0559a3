//! Mutual information (SPEC 6): exact values on hand-computable cases.

use nshed::analysis::{
    information_binning, information_distinct, information_noise, level_information,
    mutual_information_bits, normalise_ln_scores, normalise_scores, AnalysisError, Estimator,
    Information,
};

fn close(a: f64, b: f64, tolerance: f64) -> bool {
    (a - b).abs() <= tolerance
}

fn ones(n: usize) -> Vec<f64> {
    vec![1.0; n]
}

#[test]
fn independent_variables_share_no_information() {
    // A uniform on {0,1}, B uniform on {0,1,2}, independent.
    let joint = (0..2).flat_map(|a| (0..3).map(move |b| (a, b, 1.0 / 6.0)));
    assert_eq!(mutual_information_bits(joint), 0.0);
}

#[test]
fn a_bijection_of_eight_equally_likely_inputs_carries_three_bits() {
    // Eight samples, one node each, values 0, 1/8, ..., 7/8: all in different bins of 8.
    let rep: Vec<Vec<f64>> = (0..8).map(|i| vec![i as f64 / 8.0]).collect();
    let labels = vec![0; 8];
    let info = information_binning(&rep, &labels, &ones(8), 8).unwrap();
    assert_eq!(info.i_xt, 3.0);
    assert_eq!(info.i_ty, 0.0, "a constant label carries nothing");
}

#[test]
fn two_groups_of_four_inputs_carry_one_bit() {
    let rep = vec![
        vec![0.0, 1.0],
        vec![0.0, 1.0],
        vec![1.0, 0.0],
        vec![1.0, 0.0],
    ];
    let info = information_binning(&rep, &[0, 1, 0, 1], &ones(4), 30).unwrap();
    assert_eq!(info.i_xt, 1.0);
    assert_eq!(info.i_ty, 0.0, "the groups cut across the labels");
}

#[test]
fn a_balanced_binary_label_determined_by_t_gives_one_bit() {
    let rep = vec![vec![0.1], vec![0.15], vec![0.9], vec![0.95]];
    let info = information_binning(&rep, &[0, 0, 1, 1], &ones(4), 2).unwrap();
    assert_eq!(info.i_ty, 1.0);
    assert_eq!(info.i_xt, 1.0);
    let info = information_binning(&rep, &[0, 0, 1, 1], &ones(4), 30).unwrap();
    assert_eq!(info.i_xt, 2.0);
    assert_eq!(info.i_ty, 1.0);
}

#[test]
fn identical_inputs_are_still_two_values_of_x() {
    // Two samples with the same representation: T cannot tell them apart.
    let rep = vec![vec![0.5], vec![0.5], vec![1.0], vec![0.0]];
    let info = information_binning(&rep, &[0, 0, 1, 1], &ones(4), 10).unwrap();
    // T: {0.5 (mass 1/2), 1.0 (1/4), 0.0 (1/4)} -> H = 1.5 bits.
    assert_eq!(info.i_xt, 1.5);
    // T determines Y here: I(T;Y) = H(Y) = 1.
    assert_eq!(info.i_ty, 1.0);
    // The noise estimator, with tiny sigma, also sees the coinciding pair as one point.
    let noisy = information_noise(&rep, &[0, 0, 1, 1], &ones(4), 1e-4).unwrap();
    assert!(
        close(noisy.i_xt, 1.5, 1e-12) && close(noisy.i_ty, 1.0, 1e-12),
        "{noisy:?}"
    );
}

#[test]
fn an_all_zero_level_carries_nothing() {
    let ln = vec![vec![f64::NEG_INFINITY; 3]; 4];
    let rep = normalise_ln_scores(&ln).unwrap();
    assert!(rep.iter().flatten().all(|&v| v == 0.0));
    let info = level_information(&ln, &[0, 1, 0, 1], &ones(4), Estimator::DEFAULT).unwrap();
    assert_eq!(info, Information::ZERO);
    let info = level_information(
        &ln,
        &[0, 1, 0, 1],
        &ones(4),
        Estimator::Noise { sigma: 0.1 },
    )
    .unwrap();
    assert_eq!(info, Information::ZERO);
}

#[test]
fn the_value_one_goes_in_the_last_bin() {
    // 29.5/30 and 1.0 share the last of 30 bins; 0.5 is in bin 15.
    let rep = vec![vec![1.0], vec![29.5 / 30.0], vec![0.5]];
    let info = information_binning(&rep, &[0, 0, 1], &ones(3), 30).unwrap();
    let h = -(2.0 / 3.0f64) * (2.0 / 3.0f64).log2() - (1.0 / 3.0f64) * (1.0 / 3.0f64).log2();
    assert!(close(info.i_xt, h, 1e-12));
    // With one bin everything collapses.
    let info = information_binning(&rep, &[0, 0, 1], &ones(3), 1).unwrap();
    assert_eq!(info, Information::ZERO);
}

#[test]
fn a_single_sample_and_no_samples_carry_nothing() {
    let info = information_binning(&[vec![0.3, 1.0]], &[1], &[2.0], 30).unwrap();
    assert_eq!(info, Information::ZERO);
    let info = information_noise(&[vec![0.3, 1.0]], &[1], &[2.0], 0.1).unwrap();
    assert_eq!(info, Information::ZERO);
    let info = information_binning(&[], &[], &[], 30).unwrap();
    assert_eq!(info, Information::ZERO);
    let info = information_noise(&[], &[], &[], 0.1).unwrap();
    assert_eq!(info, Information::ZERO);
}

#[test]
fn weights_shape_the_distribution_of_x() {
    // Weight 3:1 over two distinguishable samples: H = H(3/4, 1/4).
    let rep = vec![vec![0.0], vec![1.0]];
    let info = information_binning(&rep, &[0, 1], &[3.0, 1.0], 30).unwrap();
    let h = -(0.75f64) * 0.75f64.log2() - 0.25 * 0.25f64.log2();
    assert!(close(info.i_xt, h, 1e-12));
    assert!(close(info.i_ty, h, 1e-12));
    // A zero weight removes a sample; all-zero weights leave no distribution.
    let info = information_binning(&rep, &[0, 1], &[1.0, 0.0], 30).unwrap();
    assert_eq!(info, Information::ZERO);
    let info = information_binning(&rep, &[0, 1], &[0.0, 0.0], 30).unwrap();
    assert_eq!(info, Information::ZERO);
}

#[test]
fn bad_inputs_are_errors_not_nan() {
    let rep = vec![vec![0.0], vec![1.0]];
    assert!(matches!(
        information_binning(&rep, &[0], &ones(2), 30),
        Err(AnalysisError::LengthMismatch { .. })
    ));
    assert!(matches!(
        information_binning(&rep, &[0, 1], &[1.0, f64::NAN], 30),
        Err(AnalysisError::InvalidWeight { index: 1, .. })
    ));
    assert!(matches!(
        information_binning(&rep, &[0, 1], &[1.0, -1.0], 30),
        Err(AnalysisError::InvalidWeight { .. })
    ));
    assert!(information_binning(&rep, &[0, 1], &ones(2), 0).is_err());
    assert!(information_noise(&rep, &[0, 1], &ones(2), 0.0).is_err());
    assert!(information_noise(&rep, &[0, 1], &ones(2), f64::INFINITY).is_err());
    assert!(information_binning(&[vec![0.0], vec![1.0, 0.0]], &[0, 1], &ones(2), 3).is_err());
    assert!(normalise_scores(&[vec![-1.0]]).is_err());
}

#[test]
fn normalisation_works_in_the_log_domain() {
    // Scores e^1000 and e^999 overflow f64; their ratio does not.
    let ln = vec![
        vec![1000.0, f64::NEG_INFINITY],
        vec![999.0, 1000.0 + 2f64.ln()],
    ];
    let rep = normalise_ln_scores(&ln).unwrap();
    assert!(close(rep[0][0], 0.5, 1e-12));
    assert_eq!(rep[0][1], 0.0);
    assert!(close(rep[1][0], 0.5 * (-1f64).exp(), 1e-12));
    assert_eq!(rep[1][1], 1.0);
    let plain = normalise_scores(&[vec![2.0, 0.0], vec![1.0, 4.0]]).unwrap();
    assert_eq!(plain, vec![vec![0.5, 0.0], vec![0.25, 1.0]]);
    // NaN reads as a zero score; +inf dominates everything.
    let rep = normalise_ln_scores(&[vec![f64::NAN, 0.0], vec![f64::INFINITY, 5.0]]).unwrap();
    assert_eq!(rep, vec![vec![0.0, 0.0], vec![1.0, 0.0]]);
}

#[test]
fn noise_estimate_tends_to_the_binning_value_as_sigma_shrinks() {
    // Eight well-separated points in two classes, one of them weighted double.
    let rep: Vec<Vec<f64>> = (0..8).map(|i| vec![i as f64 / 7.0, 0.0]).collect();
    let labels = [0, 0, 0, 0, 1, 1, 1, 1];
    let weights = [2.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0];
    let exact = information_binning(&rep, &labels, &weights, 30).unwrap();
    let noisy = information_noise(&rep, &labels, &weights, 1e-3).unwrap();
    assert!(
        close(noisy.i_xt, exact.i_xt, 1e-9),
        "{noisy:?} vs {exact:?}"
    );
    assert!(
        close(noisy.i_ty, exact.i_ty, 1e-9),
        "{noisy:?} vs {exact:?}"
    );
    // Even absurdly small sigma stays finite (the kernel is computed as a log).
    let tiny = information_noise(&rep, &labels, &weights, 1e-200).unwrap();
    assert!(close(tiny.i_xt, exact.i_xt, 1e-12));
    // As sigma grows the information decreases monotonically to 0.
    let mut previous = noisy;
    for sigma in [0.05, 0.2, 1.0, 10.0] {
        let info = information_noise(&rep, &labels, &weights, sigma).unwrap();
        assert!(info.i_xt <= previous.i_xt + 1e-12 && info.i_ty <= previous.i_ty + 1e-12);
        previous = info;
    }
    let far = information_noise(&rep, &labels, &weights, 1e6).unwrap();
    assert!(far.i_xt < 1e-9 && far.i_ty < 1e-9, "{far:?}");
}

#[test]
fn noise_estimate_matches_the_pairwise_formula_on_two_points() {
    // Two points at distance 1, equal weights, different labels:
    // B = -ln((1 + e^{-1/(2 s^2)}) / 2); I(X;T) = I(T;Y) = B / ln 2 (each class alone has B = 0).
    let sigma: f64 = 0.8;
    let info = information_noise(&[vec![0.0], vec![1.0]], &[0, 1], &ones(2), sigma).unwrap();
    let k = (-1.0 / (2.0 * sigma * sigma)).exp();
    let expected = -((1.0 + k) / 2.0).ln() / std::f64::consts::LN_2;
    assert!(close(info.i_xt, expected, 1e-12));
    assert!(close(info.i_ty, expected, 1e-12));
}

/// Level-2 log-scores of SPEC 8's Figure 4 model for its eight inputs, with level-1 `lambda = 1`
/// and the given `ln lambda` of (p1, p2, p3) = (q1, q2, q3): class-1 inputs {a1 a2 a7},
/// {a2 a3 a7}, {a4 a5 a7}, {a5 a6 a7} and their mirror images in class 2.
fn figure4_level2(ln_lambda: [f64; 3]) -> (Vec<Vec<f64>>, Vec<usize>) {
    let zero = f64::NEG_INFINITY;
    // Children scores: p1 and p3 see two firing children, p2 sees three.
    let p = |first_kind: bool| {
        let (l1, l2, l3) = (ln_lambda[0], ln_lambda[1], ln_lambda[2]);
        if first_kind {
            [l1 + 2f64.ln(), l2 + 3f64.ln(), zero]
        } else {
            [zero, l2 + 3f64.ln(), l3 + 2f64.ln()]
        }
    };
    let mut rows = Vec::new();
    let mut labels = Vec::new();
    for class in 0..2 {
        for input in 0..4 {
            let own = p(input < 2);
            let row: Vec<f64> = if class == 0 {
                own.iter().copied().chain([zero; 3]).collect()
            } else {
                [zero; 3].iter().copied().chain(own).collect()
            };
            rows.push(row);
            labels.push(class);
        }
    }
    (rows, labels)
}

#[test]
fn figure4_level2_goes_from_two_bits_to_one_as_p2_dominates() {
    let weights = ones(8);
    let (early, labels) = figure4_level2([0.0, 0.0, 0.0]);
    let info = level_information(&early, &labels, &weights, Estimator::DEFAULT).unwrap();
    assert_eq!(
        info,
        Information {
            i_xt: 2.0,
            i_ty: 1.0
        }
    );
    let noisy =
        level_information(&early, &labels, &weights, Estimator::Noise { sigma: 0.05 }).unwrap();
    assert!(
        close(noisy.i_xt, 2.0, 1e-6) && close(noisy.i_ty, 1.0, 1e-6),
        "{noisy:?}"
    );

    // After training p2 is e^60 times p1 and p3 (far beyond f64 in plain scores, too).
    let (late, labels) = figure4_level2([400.0, 460.0, 400.0]);
    let info = level_information(&late, &labels, &weights, Estimator::DEFAULT).unwrap();
    assert_eq!(
        info,
        Information {
            i_xt: 1.0,
            i_ty: 1.0
        }
    );
    let noisy =
        level_information(&late, &labels, &weights, Estimator::Noise { sigma: 0.05 }).unwrap();
    assert!(
        close(noisy.i_xt, 1.0, 1e-6) && close(noisy.i_ty, 1.0, 1e-6),
        "{noisy:?}"
    );
}

/// A constructed level whose two kinds of class-1 input differ by a ratio that shrinks
/// geometrically, as p1 and p3 do against p2 in the Figure 4 model: `T = (r^k, 1)` for the
/// first kind, `(0, 1)` for the second, two inputs each, and the mirror image for class 2.
/// Binning with `b` bins tells the kinds apart exactly while `r^k >= 1/b` (2 bits), then
/// not (1 bit); the distinct values keep 2 bits for every `k`.
#[test]
fn binned_information_falls_when_the_differences_shrink_below_a_bin_and_unbinned_does_not() {
    let labels = [0, 0, 0, 0, 1, 1, 1, 1];
    let level = |k: i32| -> Vec<Vec<f64>> {
        let small = 0.5f64.powi(k);
        let mut rows = Vec::new();
        for class in 0..2 {
            for kind in [small, 0.0] {
                for _ in 0..2 {
                    rows.push(if class == 0 {
                        vec![kind, 1.0]
                    } else {
                        vec![1.0, kind]
                    });
                }
            }
        }
        rows
    };
    // From k = 1 (at k = 0 the two classes' first kinds coincide).
    for k in 1..40 {
        let rep = level(k);
        let small = 0.5f64.powi(k);
        for bins in [30usize, 1000, 1_000_000] {
            let info = information_binning(&rep, &labels, &ones(8), bins).unwrap();
            // r^k lands in bin floor(r^k b): apart from 0's bin 0 exactly when r^k >= 1/b.
            let expected = if small * bins as f64 >= 1.0 { 2.0 } else { 1.0 };
            assert_eq!(info.i_xt, expected, "k {k}, {bins} bins");
            assert_eq!(info.i_ty, 1.0);
        }
        let exact = information_distinct(&rep, &labels, &ones(8)).unwrap();
        assert_eq!((exact.i_xt, exact.i_ty), (2.0, 1.0), "k {k}");
    }
    // The step at which the binned estimate falls: the first k with 2^-k < 1/b, that is
    // floor(log2 b) + 1, growing with the logarithm of the number of bins.
    let falls = |bins: usize| {
        (1..40)
            .find(|&k| {
                information_binning(&level(k), &labels, &ones(8), bins)
                    .unwrap()
                    .i_xt
                    < 2.0
            })
            .unwrap()
    };
    assert_eq!((falls(30), falls(1000), falls(1_000_000)), (5, 10, 20));
}

#[test]
fn the_distinct_estimator_compares_logs_where_exp_would_round_to_zero() {
    // ln S of -2000 and -1000 against 0: both normalise to exactly 0.0 in f64, like the
    // zero score, so every binning merges the three; the logs are still apart.
    let ln = vec![
        vec![-2000.0],
        vec![-1000.0],
        vec![0.0],
        vec![f64::NEG_INFINITY],
    ];
    let labels = [0, 0, 1, 1];
    let binned = level_information(
        &ln,
        &labels,
        &ones(4),
        Estimator::Binning { bins: 1_000_000 },
    )
    .unwrap();
    let h = -(0.75f64) * 0.75f64.log2() - 0.25 * 0.25f64.log2();
    assert!(close(binned.i_xt, h, 1e-12), "{binned:?}");
    let exact = level_information(&ln, &labels, &ones(4), Estimator::Distinct).unwrap();
    assert_eq!((exact.i_xt, exact.i_ty), (2.0, 1.0));
    // NaN reads as a zero score (-inf), and -0 as 0: equal values, one value of T.
    let rep = vec![
        vec![f64::NAN],
        vec![f64::NEG_INFINITY],
        vec![-0.0],
        vec![0.0],
    ];
    let info = information_distinct(&rep, &labels, &ones(4)).unwrap();
    assert_eq!((info.i_xt, info.i_ty), (1.0, 1.0));
}
