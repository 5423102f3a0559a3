//! Local elasticity statistics per class pair (SPEC 5, `le-matrix`).

use nshed::analysis::{le_class_pair_stats, le_values_by_class_pair, LePairStats};

#[test]
fn means_and_deviations_per_class_pair() {
    // Samples: a (class 0), b (class 0), c (class 1).
    let m = vec![
        vec![Some(1.0), Some(0.5), Some(0.2)],
        vec![Some(0.7), Some(1.0), None],
        vec![Some(0.1), Some(0.3), Some(1.0)],
    ];
    let stats = le_class_pair_stats(&m, &[0, 0, 1], false).unwrap();
    let pairs: Vec<(usize, usize)> = stats.iter().map(|s| (s.base_class, s.test_class)).collect();
    assert_eq!(pairs, vec![(0, 0), (0, 1), (1, 0), (1, 1)]);
    // (0,0): 1, 0.5, 0.7, 1 -> mean 0.8, variance (0.04+0.09+0.01+0.04)/4 = 0.045.
    let s = &stats[0];
    assert_eq!((s.count, s.undefined), (4, 0));
    assert!((s.mean.unwrap() - 0.8).abs() < 1e-12);
    assert!((s.std_dev.unwrap() - 0.045f64.sqrt()).abs() < 1e-12);
    // (0,1): 0.2 and one undefined.
    assert_eq!(
        stats[1],
        LePairStats {
            base_class: 0,
            test_class: 1,
            count: 1,
            undefined: 1,
            mean: Some(0.2),
            std_dev: Some(0.0),
        }
    );
    // (1,0): 0.1, 0.3 -> mean 0.2, std 0.1.
    assert!((stats[2].mean.unwrap() - 0.2).abs() < 1e-12);
    assert!((stats[2].std_dev.unwrap() - 0.1).abs() < 1e-12);
}

#[test]
fn skipping_the_diagonal_and_all_undefined_pairs() {
    let m = vec![vec![Some(1.0), None], vec![Some(f64::NAN), Some(1.0)]];
    let stats = le_class_pair_stats(&m, &[0, 1], true).unwrap();
    assert_eq!(stats.len(), 2, "diagonal pairs vanish when skipped");
    for s in &stats {
        assert_eq!(
            (s.count, s.undefined, s.mean, s.std_dev),
            (0, 1, None, None)
        );
    }
    let groups = le_values_by_class_pair(&m, &[0, 1], false).unwrap();
    assert_eq!(groups[&(0, 0)].values, vec![1.0]);
    assert_eq!(groups[&(0, 0)].undefined, 0);
    let nan = &groups[&(1, 0)];
    assert_eq!(
        (nan.values.len(), nan.undefined),
        (0, 1),
        "non-finite is undefined"
    );
}

#[test]
fn shape_errors() {
    assert!(le_class_pair_stats(&[vec![Some(1.0)]], &[0, 1], false).is_err());
    assert!(le_class_pair_stats(&[vec![Some(1.0)], vec![None]], &[0, 1], false).is_err());
    assert!(le_class_pair_stats(&[], &[], false).unwrap().is_empty());
}
