//! Generated models: determinism and the structural promises of `nshed::gen`, checked on
//! the parsed text (so that what is promised is what a reader of the file gets).

use std::collections::HashSet;

use nshed::gen::{self, GenParams, RuleMix, Widths};
use nshed::syntax::ast::{Block, DataItem, GateKind, ModelItem};
use nshed::syntax::parse_file;

/// What a parsed generated file looks like, level by level.
struct Shape {
    /// Node names per level, input level first (classes not included).
    levels: Vec<Vec<String>>,
    /// Per middle level, per node: gate kind ("any"/"all"/"atleast"), k, children.
    gates: Vec<Vec<(String, u64, Vec<String>)>>,
    classes: Vec<(String, Vec<String>)>,
    samples: Vec<(Vec<String>, String)>,
}

fn shape(text: &str) -> Shape {
    let file = parse_file(text).unwrap_or_else(|e| panic!("generated text must parse: {e:?}"));
    let mut levels = Vec::new();
    let mut gates = Vec::new();
    let mut classes = Vec::new();
    for item in &file.model.items {
        match item {
            ModelItem::Level(level) => {
                levels.push(level.names.iter().map(|n| n.name.to_string()).collect());
                if level.nodes.iter().any(|n| n.gate.is_some()) {
                    gates.push(
                        level
                            .nodes
                            .iter()
                            .map(|n| {
                                let g = n.gate.as_ref().expect("every middle node has a gate");
                                let (kind, k) = match &g.kind {
                                    GateKind::Any => ("any", 0),
                                    GateKind::All => ("all", 0),
                                    GateKind::AtLeast(k) => ("atleast", k.lit().value.unwrap()),
                                };
                                let children = level
                                    .children
                                    .of(g.children)
                                    .map(|c| c.name.to_string())
                                    .collect();
                                (kind.to_string(), k, children)
                            })
                            .collect(),
                    );
                }
            }
            ModelItem::Classes(decl) => {
                for c in &decl.classes {
                    let parents = c.parents.iter().map(|p| p.name.to_string()).collect();
                    classes.push((c.name.name.to_string(), parents));
                }
            }
        }
    }
    let mut samples = Vec::new();
    for block in &file.blocks {
        if let Block::Data(data) = block {
            for item in &data.items {
                if let DataItem::Sample(s) = item {
                    let inputs = s.inputs.iter().map(|i| i.name.to_string()).collect();
                    samples.push((inputs, s.label.name.to_string()));
                }
            }
        }
    }
    Shape {
        levels,
        gates,
        classes,
        samples,
    }
}

fn params(seed: u64) -> GenParams {
    GenParams {
        levels: 5,
        widths: Widths::PerLevel(vec![20, 30, 12]),
        input_width: 40,
        fan_in: (2, 5),
        mix: RuleMix::default(),
        classes: 4,
        prototypes_per_class: 3,
        pattern_size: 6,
        samples_per_prototype: 5,
        noise: 0.05,
        seed,
        with_train: Some((100, 4)),
    }
}

fn variants() -> Vec<GenParams> {
    let mut out = vec![params(1), params(2)];
    // Two levels: classes read the inputs directly.
    out.push(GenParams {
        levels: 2,
        widths: Widths::PerLevel(vec![]),
        ..params(3)
    });
    // Fewer slots than children to cover, a dense fan-in, more classes than parents.
    out.push(GenParams {
        levels: 4,
        widths: Widths::Uniform(3),
        input_width: 50,
        fan_in: (3, 3),
        classes: 7,
        ..params(4)
    });
    // Fan-in maximum above the width (cut to the width), only `atleast` gates.
    out.push(GenParams {
        levels: 6,
        widths: Widths::Uniform(6),
        input_width: 5,
        fan_in: (1, 9),
        mix: RuleMix {
            any: 0.0,
            all: 0.0,
            atleast: 1.0,
        },
        pattern_size: 5,
        noise: 1.0,
        with_train: None,
        ..params(5)
    });
    out
}

#[test]
fn same_seed_same_text_different_seed_different_text() {
    for p in variants() {
        let a = gen::generate(&p).unwrap();
        let b = gen::generate(&p).unwrap();
        assert_eq!(a, b, "generation must be deterministic");
    }
    let a = gen::generate(&params(1)).unwrap();
    let b = gen::generate(&params(2)).unwrap();
    assert_ne!(a, b);
    assert_eq!(
        gen::generate_sized(5000, 4, 9),
        gen::generate_sized(5000, 4, 9)
    );
    assert_ne!(
        gen::generate_sized(5000, 4, 9),
        gen::generate_sized(5000, 4, 10)
    );
}

#[test]
fn more_samples_keep_the_prototypes_but_rewire_the_model() {
    let few = gen::build(&params(7)).unwrap();
    let many = gen::build(&GenParams {
        samples_per_prototype: 50,
        ..params(7)
    })
    .unwrap();
    // Prototypes come from their own stream; the structure is wired from the samples.
    assert_eq!(few.prototypes, many.prototypes);
    assert_ne!(few.levels, many.levels);
}

#[test]
fn structure_matches_the_parameters() {
    for p in variants() {
        let text = gen::generate(&p).unwrap();
        let s = shape(&text);
        let widths = p.level_widths();
        assert_eq!(s.levels.len() + 1, p.levels, "levels incl. classes");
        for (i, level) in s.levels.iter().enumerate() {
            assert_eq!(level.len(), widths[i], "width of level {}", i + 1);
        }
        assert_eq!(s.classes.len(), p.classes);

        // Names: unique across the model, never reserved.
        let mut seen = HashSet::new();
        for name in s
            .levels
            .iter()
            .flatten()
            .chain(s.classes.iter().map(|c| &c.0))
        {
            assert!(seen.insert(name.clone()), "duplicate name {name}");
        }

        for (i, gates) in s.gates.iter().enumerate() {
            let prev: HashSet<&String> = s.levels[i].iter().collect();
            let max = p.fan_in.1.min(widths[i]);
            let mut used = HashSet::new();
            for (kind, k, children) in gates {
                assert!(
                    (p.fan_in.0..=max).contains(&children.len()),
                    "fan-in {} outside {}..{}",
                    children.len(),
                    p.fan_in.0,
                    max
                );
                let distinct: HashSet<&String> = children.iter().collect();
                assert_eq!(distinct.len(), children.len(), "repeated child");
                assert!(
                    children.iter().all(|c| prev.contains(c)),
                    "child outside the preceding level"
                );
                if kind == "atleast" {
                    assert!(*k >= 1 && *k as usize <= children.len(), "bad k {k}");
                }
                if kind == "any" {
                    assert!(p.mix.any > 0.0);
                }
                if kind == "all" {
                    assert!(p.mix.all > 0.0);
                }
                used.extend(children.iter().cloned());
            }
            // No dead nodes whenever there are enough child slots to cover the level.
            let slots: usize = gates.iter().map(|g| g.2.len()).sum();
            if slots >= widths[i] {
                assert_eq!(used.len(), widths[i], "dead node in level {}", i + 1);
            }
        }

        let last: HashSet<&String> = s.levels[s.levels.len() - 1].iter().collect();
        let mut fed = HashSet::new();
        for (class, parents) in &s.classes {
            assert!(!parents.is_empty(), "class {class} has no parent");
            let distinct: HashSet<&String> = parents.iter().collect();
            assert_eq!(distinct.len(), parents.len(), "repeated parent of {class}");
            assert!(
                parents.iter().all(|x| last.contains(x)),
                "parent outside level L-1"
            );
            fed.extend(parents.iter().cloned());
        }
        assert_eq!(fed.len(), last.len(), "every level L-1 node feeds a class");

        // Data: one line per sample, labels are classes, inputs are input nodes.
        assert_eq!(
            s.samples.len(),
            p.classes * p.prototypes_per_class * p.samples_per_prototype
        );
        let inputs: HashSet<&String> = s.levels[0].iter().collect();
        let class_names: HashSet<&String> = s.classes.iter().map(|c| &c.0).collect();
        for (sample_inputs, label) in &s.samples {
            assert!(class_names.contains(label));
            assert!(sample_inputs.iter().all(|i| inputs.contains(i)));
        }
    }
}

#[test]
fn noise_flips_about_the_requested_share_of_bits() {
    let p = GenParams {
        levels: 2,
        widths: Widths::PerLevel(vec![]),
        input_width: 1000,
        classes: 2,
        prototypes_per_class: 1,
        pattern_size: 100,
        samples_per_prototype: 50,
        noise: 0.1,
        ..params(11)
    };
    let g = gen::build(&p).unwrap();
    let mut flipped = 0usize;
    for s in &g.samples {
        let proto: HashSet<u32> = g.prototypes[s.prototype as usize].iter().copied().collect();
        let sample: HashSet<u32> = s.inputs.iter().copied().collect();
        flipped += proto.symmetric_difference(&sample).count();
    }
    let rate = flipped as f64 / (g.samples.len() * 1000) as f64;
    assert!((0.09..0.11).contains(&rate), "flip rate {rate}");
    let zero = gen::build(&GenParams { noise: 0.0, ..p }).unwrap();
    for s in &zero.samples {
        assert_eq!(s.inputs, zero.prototypes[s.prototype as usize]);
    }
}

#[test]
fn sized_models_hit_the_node_count() {
    for (total, levels) in [(100, 3), (10_000, 4), (10_000, 6), (12_345, 5)] {
        let p = gen::sized_params(total, levels, 1);
        assert_eq!(p.total_nodes(), Some(total));
        let g = gen::build(&p).unwrap();
        assert_eq!(g.level_widths.len(), levels);
        assert_eq!(g.level_widths.iter().sum::<usize>(), total);
    }
    // Out-of-range requests are brought into range rather than failing.
    for (total, levels) in [(0, 0), (1, 1), (3, 9), (usize::MAX, 3)] {
        let p = gen::sized_params(total, levels, 1);
        assert!(
            p.validate().is_ok(),
            "{total} nodes, {levels} levels: {p:?}"
        );
    }
}

#[test]
fn invalid_parameters_are_errors_not_panics() {
    let bad = [
        GenParams {
            levels: 1,
            ..params(0)
        },
        GenParams {
            widths: Widths::PerLevel(vec![3]),
            ..params(0)
        },
        GenParams {
            widths: Widths::PerLevel(vec![3, 0, 4]),
            ..params(0)
        },
        GenParams {
            widths: Widths::Uniform(0),
            ..params(0)
        },
        GenParams {
            input_width: 0,
            ..params(0)
        },
        GenParams {
            fan_in: (0, 3),
            ..params(0)
        },
        GenParams {
            fan_in: (4, 3),
            ..params(0)
        },
        GenParams {
            fan_in: (41, 50),
            ..params(0)
        },
        GenParams {
            classes: 0,
            ..params(0)
        },
        GenParams {
            mix: RuleMix {
                any: 0.0,
                all: 0.0,
                atleast: 0.0,
            },
            ..params(0)
        },
        GenParams {
            mix: RuleMix {
                any: f64::NAN,
                all: 1.0,
                atleast: 1.0,
            },
            ..params(0)
        },
        GenParams {
            mix: RuleMix {
                any: -1.0,
                all: 1.0,
                atleast: 1.0,
            },
            ..params(0)
        },
        GenParams {
            prototypes_per_class: 0,
            ..params(0)
        },
        GenParams {
            samples_per_prototype: 0,
            ..params(0)
        },
        GenParams {
            samples_per_prototype: usize::MAX,
            ..params(0)
        },
        GenParams {
            pattern_size: 0,
            ..params(0)
        },
        GenParams {
            pattern_size: 41,
            ..params(0)
        },
        GenParams {
            noise: -0.1,
            ..params(0)
        },
        GenParams {
            noise: f64::NAN,
            ..params(0)
        },
        GenParams {
            with_train: Some((10, 0)),
            ..params(0)
        },
        GenParams {
            widths: Widths::Uniform(usize::MAX),
            ..params(0)
        },
        GenParams {
            widths: Widths::PerLevel(vec![usize::MAX, usize::MAX, 1]),
            ..params(0)
        },
        GenParams {
            fan_in: (1, usize::MAX),
            widths: Widths::Uniform(100_000),
            input_width: 100_000,
            ..params(0)
        },
    ];
    for p in bad {
        let err = gen::generate(&p).expect_err(&format!("{p:?} must be rejected"));
        assert!(!err.message.is_empty());
    }
    // Too many samples to track on levels this wide (10^5 samples × 2·10^4 nodes).
    let err = gen::generate(&GenParams {
        classes: 10,
        prototypes_per_class: 100,
        samples_per_prototype: 100,
        widths: Widths::Uniform(20_000),
        input_width: 20_000,
        ..params(0)
    })
    .unwrap_err();
    assert!(err.message.contains("100000 samples"), "{}", err.message);
    assert!(err.message.contains("fewer samples"), "{}", err.message);
}
