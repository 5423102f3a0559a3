//! Hand-built IRs for tests and benches, independent of the front end: the `fig1`
//! example model and a generator of large layered models.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::ir::*;

/// Rules with one `grow` and one `shrink` for every node and edge.
pub fn uniform_rules(n_nodes: usize, n_edges: usize, grow: Update, shrink: Update) -> RuleSet {
    RuleSet {
        grow: PerEntry::filled(grow, n_nodes),
        shrink: PerEntry::filled(shrink, n_nodes),
        grow_eta: PerEntry::filled(grow, n_edges),
        shrink_eta: PerEntry::filled(shrink, n_edges),
        jitter: 0.0,
    }
}

pub fn mul(factor: f64) -> Update {
    Update::Mul { factor }
}

/// A training schedule with one phase using the file-level `rules`.
pub fn one_phase(
    ir: &Ir,
    steps: u64,
    batch: u64,
    sampler: Sampler,
    eta_update: EtaUpdate,
    seed: u64,
) -> Train {
    Train {
        seed,
        eta_update,
        sampler,
        phases: vec![Phase {
            name: "main".into(),
            steps,
            batch,
            rules: ir.rules.clone(),
            frozen_levels: vec![false; ir.levels.len()],
            freeze_eta: false,
        }],
        record: None,
    }
}

/// The `fig1` example with `lambda = eta = 1`, `grow = mul 1.1`, `shrink = mul 0.9`, no
/// jitter, no noise, data c1a c1b c2 c3 (all weight 1), and no `train` block.
pub fn fig1() -> Ir {
    let input = ["e1", "e2", "e3", "e4", "e5", "e6", "e7"];
    let mut nodes: Vec<Node> = input
        .iter()
        .map(|n| Node {
            name: (*n).into(),
            level: 0,
            gate: None,
        })
        .collect();
    let gate = |kind, children: &[u32]| {
        Some(Gate {
            kind,
            children: children.into(),
        })
    };
    let middle = [
        ("m1", 1, gate(GateKind::Any, &[0, 1, 2])),
        ("m2", 1, gate(GateKind::All, &[2, 3])),
        ("m3", 1, gate(GateKind::AtLeast { k: 2 }, &[3, 4, 5])),
        ("m4", 1, gate(GateKind::Any, &[5, 6])),
        ("t1", 2, gate(GateKind::Any, &[7, 8])),
        ("t2", 2, gate(GateKind::All, &[8, 9])),
        ("t3", 2, gate(GateKind::AtLeast { k: 2 }, &[9, 10])),
    ];
    for (name, level, gate) in middle {
        nodes.push(Node {
            name: name.into(),
            level,
            gate,
        });
    }
    let levels = vec![
        Level {
            name: "input".into(),
            first: 0,
            len: 7,
        },
        Level {
            name: "parts".into(),
            first: 7,
            len: 4,
        },
        Level {
            name: "wholes".into(),
            first: 11,
            len: 3,
        },
    ];
    let classes = vec![
        Class {
            name: "c1".into(),
            first_edge: 0,
            n_edges: 1,
        },
        Class {
            name: "c2".into(),
            first_edge: 1,
            n_edges: 2,
        },
        Class {
            name: "c3".into(),
            first_edge: 3,
            n_edges: 1,
        },
    ];
    let edges = vec![
        Edge { from: 11, to: 0 },
        Edge { from: 11, to: 1 },
        Edge { from: 12, to: 1 },
        Edge { from: 13, to: 2 },
    ];
    let sample = |name: &str, input: &[u32], label| Sample {
        name: name.into(),
        input: input.to_vec(),
        label,
        weight: 1.0,
    };
    let samples = vec![
        sample("c1a", &[0, 1], 0),
        sample("c1b", &[1, 2], 0),
        sample("c2", &[2, 3, 4], 1),
        sample("c3", &[4, 5, 6], 2),
    ];
    let n = nodes.len();
    Ir {
        model: "fig1".into(),
        levels,
        nodes,
        classes,
        edges,
        init: Init {
            lambda: PerEntry::filled(Dist::Const { value: 1.0 }, n),
            eta: PerEntry::filled(Dist::Const { value: 1.0 }, 4),
        },
        rules: uniform_rules(n, 4, mul(1.1), mul(0.9)),
        data: Data {
            samples,
            noise_flip: 0.0,
        },
        train: None,
        expect: Default::default(),
        test: None,
        data_files: Vec::new(),
    }
}

/// A layered model for benchmarks: `levels` feature levels of roughly equal size
/// totalling about `n_nodes`, gates with 3–5 children mixing any/all/atleast, `classes`
/// classes each fed by 4 random nodes of the last feature level, and `n_samples`
/// samples each firing `input_share` of the input level.
pub fn generated(
    n_nodes: usize,
    levels: usize,
    classes: usize,
    n_samples: usize,
    input_share: f64,
    seed: u64,
) -> Ir {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let per_level = (n_nodes / levels).max(5);
    let mut nodes = Vec::new();
    let mut lv = Vec::new();
    for l in 0..levels {
        let first = nodes.len() as u32;
        for i in 0..per_level {
            let gate = (l > 0).then(|| {
                let prev_first = first - per_level as u32;
                let fan_in = rng.gen_range(3..=5usize);
                let mut children: Vec<u32> = Vec::with_capacity(fan_in);
                while children.len() < fan_in {
                    let c = prev_first + rng.gen_range(0..per_level as u32);
                    if !children.contains(&c) {
                        children.push(c);
                    }
                }
                // 20% OR, 70% 2-of-n, 10% AND: roughly keeps a ~5% firing rate
                // steady from level to level (OR alone would saturate, AND die out).
                let kind = match rng.gen_range(0..10) {
                    0 => GateKind::All,
                    1 | 2 => GateKind::Any,
                    _ => GateKind::AtLeast { k: 2 },
                };
                Gate {
                    kind,
                    children: children.into(),
                }
            });
            nodes.push(Node {
                name: format!("n{l}_{i}").into(),
                level: l as u32,
                gate,
            });
        }
        lv.push(Level {
            name: format!("l{l}"),
            first,
            len: per_level as u32,
        });
    }
    let last_first = ((levels - 1) * per_level) as u32;
    let mut edges = Vec::new();
    let mut cls = Vec::new();
    for c in 0..classes {
        let first_edge = edges.len() as u32;
        let mut from: Vec<u32> = Vec::new();
        while from.len() < 4.min(per_level) {
            let f = last_first + rng.gen_range(0..per_level as u32);
            if !from.contains(&f) {
                from.push(f);
            }
        }
        for f in from {
            edges.push(Edge {
                from: f,
                to: c as u32,
            });
        }
        cls.push(Class {
            name: format!("c{c}"),
            first_edge,
            n_edges: edges.len() as u32 - first_edge,
        });
    }
    let samples = (0..n_samples)
        .map(|s| {
            let mut input: Vec<u32> = (0..per_level as u32)
                .filter(|_| rng.gen::<f64>() < input_share)
                .collect();
            input.dedup();
            Sample {
                name: format!("s{s}"),
                input,
                label: rng.gen_range(0..classes as u32),
                weight: 1.0,
            }
        })
        .collect();
    let n = nodes.len();
    let n_edges = edges.len();
    Ir {
        model: "generated".into(),
        levels: lv,
        nodes,
        classes: cls,
        edges,
        init: Init {
            lambda: PerEntry::filled(Dist::Const { value: 1.0 }, n),
            eta: PerEntry::filled(Dist::Const { value: 1.0 }, n_edges),
        },
        rules: uniform_rules(n, n_edges, mul(1.1), mul(0.9)),
        data: Data {
            samples,
            noise_flip: 0.0,
        },
        train: None,
        expect: Default::default(),
        test: None,
        data_files: Vec::new(),
    }
}

/// `ir` with `extra_per_level` nodes added at the end of every feature level that no
/// sample can make fire: level-1 extras are inputs no sample lists, and the extras of
/// level `l > 1` are `any` gates over extras of level `l - 1`. Existing nodes keep
/// their order (ids shift by the extras of the levels below); data, rules and class
/// edges are carried over. Benchmarks use it to show that a training step costs what
/// fires, not what the model holds.
pub fn with_silent_nodes(ir: &Ir, extra_per_level: usize) -> Ir {
    let extra = extra_per_level as u32;
    // New id of old node `n` of level `l`: old id plus the extras of levels below it.
    let new_id = |n: NodeId| -> NodeId {
        let l = ir.nodes[n as usize].level;
        n + extra * l
    };
    let mut nodes = Vec::with_capacity(ir.nodes.len() + extra_per_level * ir.levels.len());
    let mut levels = Vec::with_capacity(ir.levels.len());
    let mut lambda = Vec::with_capacity(nodes.capacity());
    let mut grow = Vec::with_capacity(nodes.capacity());
    let mut shrink = Vec::with_capacity(nodes.capacity());
    let mut prev_extra_first = 0u32;
    for (l, level) in ir.levels.iter().enumerate() {
        let first = nodes.len() as u32;
        for old in level.node_ids() {
            let node = &ir.nodes[old as usize];
            nodes.push(Node {
                name: node.name.clone(),
                level: node.level,
                gate: node.gate.as_ref().map(|g| Gate {
                    kind: g.kind,
                    children: g.children.iter().map(|&c| new_id(c)).collect(),
                }),
            });
            lambda.push(ir.init.lambda[old as usize]);
            grow.push(ir.rules.grow[old as usize]);
            shrink.push(ir.rules.shrink[old as usize]);
        }
        let extra_first = nodes.len() as u32;
        for i in 0..extra {
            let gate = (l > 0).then(|| Gate {
                kind: GateKind::Any,
                children: (0..3.min(extra))
                    .map(|k| prev_extra_first + (i + k) % extra)
                    .collect(),
            });
            nodes.push(Node {
                name: format!("silent{l}_{i}").into(),
                level: l as u32,
                gate,
            });
            lambda.push(Dist::Const { value: 1.0 });
            grow.push(
                ir.rules
                    .grow
                    .get(level.first as usize)
                    .copied()
                    .unwrap_or(Update::Keep),
            );
            shrink.push(
                ir.rules
                    .shrink
                    .get(level.first as usize)
                    .copied()
                    .unwrap_or(Update::Keep),
            );
        }
        prev_extra_first = extra_first;
        levels.push(Level {
            name: level.name.clone(),
            first,
            len: level.len + extra,
        });
    }
    let edges = ir
        .edges
        .iter()
        .map(|e| Edge {
            from: new_id(e.from),
            to: e.to,
        })
        .collect();
    let mut samples = ir.data.samples.clone();
    for s in &mut samples {
        s.input = s.input.iter().map(|&n| new_id(n)).collect();
    }
    let rules = RuleSet {
        grow: grow.into(),
        shrink: shrink.into(),
        ..ir.rules.clone()
    };
    let train = ir.train.as_ref().map(|t| Train {
        phases: t
            .phases
            .iter()
            .map(|p| Phase {
                rules: rules.clone(),
                ..p.clone()
            })
            .collect(),
        ..t.clone()
    });
    Ir {
        model: format!("{}_silent", ir.model),
        levels,
        nodes,
        classes: ir.classes.clone(),
        edges,
        init: Init {
            lambda: lambda.into(),
            eta: ir.init.eta.clone(),
        },
        rules,
        data: Data {
            samples,
            noise_flip: ir.data.noise_flip,
        },
        train,
        expect: Default::default(),
        test: None,
        data_files: Vec::new(),
    }
}
