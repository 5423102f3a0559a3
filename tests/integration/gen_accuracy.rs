//! Generated models classify their data: trained by the schedule in the generated file, the
//! training accuracy is at least 0.9 for 3 to 12 levels and every seed tried, in the three
//! shapes the tool makes (`nshed gen`'s defaults, `--nodes N`, and the models of the depth
//! sweeps); and level L-1 is wired from the data (each of its nodes fires only for samples
//! of the class it feeds).

use nshed::engine::{Model, State};
use nshed::gen::{self, GenParams, RuleMix, Widths};
use nshed::source::Source;

/// Training accuracy after the generated file's own `train` block.
fn trained_accuracy(p: &GenParams) -> f64 {
    let text = gen::generate(p).unwrap();
    let source = Source {
        name: p.describe(),
        text,
    };
    let ir = nshed::compile(source).unwrap().into_ir();
    let model = Model::new(&ir);
    let mut state = State::new(&ir, nshed::engine::run_seed(&ir, None));
    crate::support::train(&model, &mut state);
    nshed::report::accuracy(&model, &state).unwrap()
}

/// The shape `nshed fool --depths` and `nshed depth --depths` generate (their defaults).
fn sweep_shape(levels: usize, seed: u64, steps: u64) -> GenParams {
    GenParams {
        levels,
        widths: Widths::Uniform(32),
        input_width: 64,
        fan_in: (2, 4),
        mix: RuleMix::default(),
        classes: 4,
        prototypes_per_class: 2,
        pattern_size: 8,
        samples_per_prototype: 4,
        noise: 0.05,
        seed,
        with_train: Some((steps, 1)),
    }
}

#[test]
fn generated_models_reach_accuracy_0_9_for_3_to_12_levels() {
    let mut worst = (1.0f64, String::new());
    for levels in 3..=12 {
        for seed in [1u64, 2, 3] {
            let shapes = [
                // `nshed gen --levels L --steps 300` (batch 8, the defaults otherwise).
                GenParams {
                    levels,
                    seed,
                    with_train: Some((300, 8)),
                    ..GenParams::default()
                },
                // `nshed gen --nodes 400 --levels L` (1000 steps, batch 8), 10 classes.
                gen::sized_params(400, levels, seed),
                sweep_shape(levels, seed, 300),
            ];
            for p in shapes {
                let acc = trained_accuracy(&p);
                if acc < worst.0 {
                    worst = (acc, p.describe());
                }
                assert!(acc >= 0.9, "accuracy {acc} < 0.9: {}", p.describe());
            }
        }
    }
    eprintln!("lowest accuracy {:.3}: {}", worst.0, worst.1);
}

#[test]
fn level_l_minus_1_fires_only_for_the_class_it_feeds() {
    for levels in [3usize, 5, 9] {
        for seed in [4u64, 5] {
            for p in [
                sweep_shape(levels, seed, 0),
                gen::sized_params(1000, levels, seed),
            ] {
                let g = gen::build(&p).unwrap();
                let top = g.level_widths.len() - 2;
                let mut feeds = vec![Vec::new(); g.level_widths[top]];
                for class in 0..p.classes {
                    for &q in g.parents_of(class) {
                        feeds[q as usize].push(class as u32);
                    }
                }
                let mut reached = 0;
                for s in &g.samples {
                    let firing = g.firing(&s.inputs);
                    let mut any = false;
                    for (q, &on) in firing.levels[top].iter().enumerate() {
                        if !on {
                            continue;
                        }
                        any = true;
                        assert_eq!(
                            feeds[q],
                            vec![s.class],
                            "{}: node {q} of level L-1 fires for a sample of class {}",
                            p.describe(),
                            s.class
                        );
                    }
                    reached += usize::from(any);
                }
                // Every sample has a pathway to level L-1.
                assert_eq!(reached, g.samples.len(), "{}", p.describe());
            }
        }
    }
}

#[test]
fn class_parents_follow_the_data_with_two_levels() {
    // Two levels: the classes read the inputs, each input feeds the class whose samples
    // hold it most often.
    let p = GenParams {
        levels: 2,
        widths: Widths::PerLevel(vec![]),
        input_width: 12,
        classes: 2,
        prototypes_per_class: 1,
        pattern_size: 4,
        samples_per_prototype: 3,
        noise: 0.0,
        seed: 9,
        ..GenParams::default()
    };
    let g = gen::build(&p).unwrap();
    for (proto, pattern) in g.prototypes.iter().enumerate() {
        for &i in pattern {
            let in_other = g.prototypes[1 - proto].contains(&i);
            if !in_other {
                assert!(
                    g.parents_of(proto).contains(&i),
                    "input x{i} of prototype {proto} only must feed class c{proto}"
                );
            }
        }
    }
}

/// Narrow levels (`nshed gen --levels L --width W --classes C`, 64 inputs, fan-in 2..4):
/// when a level has no more nodes than the trackers that carry each class's pathways,
/// those trackers are kept (the level is too narrow to use every input anyway), the
/// level-2 ones take the widest fan-in, and a tracker above takes fewer children rather
/// than children of other classes. With 3 and 4 levels and at least one level-2 node per
/// prototype (W >= 2C), every seed learns.
#[test]
fn narrow_levels_with_a_node_per_prototype_learn() {
    for levels in [3usize, 4] {
        for classes in 2..=4usize {
            for width in 2 * classes..=8 {
                for seed in 0..20u64 {
                    let p = GenParams {
                        levels,
                        widths: Widths::Uniform(width),
                        classes,
                        seed,
                        with_train: Some((100, 8)),
                        ..GenParams::default()
                    };
                    let acc = trained_accuracy(&p);
                    assert!(acc >= 0.9, "accuracy {acc} < 0.9: {}", p.describe());
                }
            }
        }
    }
}
