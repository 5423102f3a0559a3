//! Implicit regularization measures (SPEC 8): effective nodes, top share, neural collapse.

use nshed::analysis::{level_sparsity, neural_collapse, neural_collapse_ln, Collapse};

fn close(a: f64, b: f64, tolerance: f64) -> bool {
    (a - b).abs() <= tolerance
}

#[test]
fn uniform_lambdas_give_n_effective_nodes() {
    for n in [1usize, 2, 5, 16] {
        let s = level_sparsity(&vec![0.3; n]);
        assert!(close(s.effective_nodes, n as f64, 1e-12), "{n}: {s:?}");
        assert!(close(s.top_share, 1.0 / n as f64, 1e-15));
        assert_eq!(s.top_node, Some(0), "ties go to the first node");
    }
    // Beyond f64 range: ln lambda = 1e6 for every node.
    let s = level_sparsity(&[1e6, 1e6, 1e6, 1e6]);
    assert!(close(s.effective_nodes, 4.0, 1e-12));
}

#[test]
fn one_dominant_node_gives_about_one() {
    // lambda = (e^50, 1, 1): the others are e^-50 of the top.
    let s = level_sparsity(&[0.0, 50.0, 0.0]);
    assert!(close(s.effective_nodes, 1.0, 1e-15), "{s:?}");
    assert!(close(s.top_share, 1.0, 1e-15));
    assert_eq!(s.top_node, Some(1));
    // Exact zeros are not nodes at all.
    let s = level_sparsity(&[f64::NEG_INFINITY, 7.0, f64::NEG_INFINITY]);
    assert_eq!(
        (s.effective_nodes, s.top_share, s.top_node),
        (1.0, 1.0, Some(1))
    );
}

#[test]
fn a_hand_computed_two_node_level() {
    // lambda = (3, 1): p = (3/4, 1/4), H = ln 4 - (3/4) ln 3, exp(H) = 4 / 3^(3/4).
    let s = level_sparsity(&[3f64.ln(), 0.0]);
    assert!(
        close(s.effective_nodes, 4.0 / 3f64.powf(0.75), 1e-12),
        "{s:?}"
    );
    assert!(close(s.top_share, 0.75, 1e-15));
}

#[test]
fn degenerate_levels_are_nan_free() {
    let s = level_sparsity(&[]);
    assert_eq!(
        (s.effective_nodes, s.top_share, s.top_node),
        (0.0, 0.0, None)
    );
    let s = level_sparsity(&[f64::NEG_INFINITY, f64::NAN]);
    assert_eq!(
        (s.effective_nodes, s.top_share, s.top_node),
        (0.0, 0.0, None)
    );
    let s = level_sparsity(&[f64::INFINITY, 1.0, f64::INFINITY]);
    assert_eq!(
        (s.effective_nodes, s.top_share, s.top_node),
        (2.0, 0.5, Some(0))
    );
}

#[test]
fn identical_vectors_within_each_class_collapse_to_zero() {
    let rep = vec![
        vec![1.0, 0.0],
        vec![1.0, 0.0],
        vec![0.0, 1.0],
        vec![0.0, 1.0],
    ];
    let c = neural_collapse(&rep, &[0, 0, 1, 1], &[1.0; 4]).unwrap();
    assert_eq!(c.within, 0.0);
    assert_eq!(c.ratio, Some(0.0));
}

#[test]
fn a_worked_two_class_example() {
    // Class 0: (0), (1) with weights 1, 1 -> mean 1/2, mass 1/2.
    // Class 1: (3) with weight 2 -> mean 3, mass 1/2. Global mean: 1/2*1/2 + 1/2*3 = 7/4.
    // within  = 1/4 * (1/2)^2 + 1/4 * (1/2)^2 + 1/2 * 0 = 1/8.
    // between = 1/2 * (5/4)^2 + 1/2 * (5/4)^2 = 25/16.   ratio = (1/8) / (25/16) = 2/25.
    let rep = vec![vec![0.0], vec![1.0], vec![3.0]];
    let c = neural_collapse(&rep, &[0, 0, 1], &[1.0, 1.0, 2.0]).unwrap();
    assert!(close(c.within, 0.125, 1e-15), "{c:?}");
    assert!(close(c.between, 25.0 / 16.0, 1e-15), "{c:?}");
    assert!(close(c.ratio.unwrap(), 0.08, 1e-15), "{c:?}");
}

#[test]
fn collapse_normalises_log_scores_first() {
    // Plain scores (2e300, 0), (1e300, 0), (0, 4e300): normalised by 4e300.
    let ln = |x: f64| x.ln();
    let big = 300.0 * 10f64.ln();
    let scores = vec![
        vec![ln(2.0) + big, f64::NEG_INFINITY],
        vec![big, f64::NEG_INFINITY],
        vec![f64::NEG_INFINITY, ln(4.0) + big],
    ];
    let c = neural_collapse_ln(&scores, &[0, 0, 1], &[1.0; 3]).unwrap();
    // Normalised: (1/2, 0), (1/4, 0), (0, 1). Class 0 mean (3/8, 0), mass 2/3; class 1 mass 1/3.
    // within = 1/3 * (1/8)^2 * 2 = 1/96. Global mean (1/4, 1/3).
    // between = 2/3 * ((1/8)^2 + (1/3)^2) + 1/3 * ((1/4)^2 + (2/3)^2).
    let between = 2.0 / 3.0 * (1.0 / 64.0 + 1.0 / 9.0) + 1.0 / 3.0 * (1.0 / 16.0 + 4.0 / 9.0);
    assert!(close(c.within, 1.0 / 96.0, 1e-12), "{c:?}");
    assert!(close(c.between, between, 1e-12), "{c:?}");
}

#[test]
fn undefined_ratios_are_none() {
    // One class only: no between-class variance.
    let c = neural_collapse(&[vec![0.0], vec![1.0]], &[0, 0], &[1.0, 1.0]).unwrap();
    assert_eq!(c.ratio, None);
    assert!(close(c.within, 0.25, 1e-15));
    // Everything identical.
    let c = neural_collapse(&[vec![0.5], vec![0.5]], &[0, 1], &[1.0, 1.0]).unwrap();
    assert_eq!(c.ratio, None);
    // No mass.
    let none = Collapse {
        within: 0.0,
        between: 0.0,
        ratio: None,
    };
    assert_eq!(neural_collapse(&[], &[], &[]).unwrap(), none);
    assert_eq!(neural_collapse(&[vec![1.0]], &[0], &[0.0]).unwrap(), none);
    // Non-finite representation values are an error.
    assert!(neural_collapse(&[vec![f64::NAN]], &[0], &[1.0]).is_err());
}
