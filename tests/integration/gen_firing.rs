//! Pathway sparsity of sized models: about 5% of non-class nodes fire per sample, measured
//! with the generator's own evaluator of the gate semantics (SPEC 1).

use nshed::gen;

#[test]
fn sized_models_fire_about_five_percent() {
    for (total, levels, seed) in [(20_000, 4, 1), (20_000, 5, 2), (50_000, 6, 3)] {
        let g = gen::build(&gen::sized_params(total, levels, seed)).unwrap();
        let fraction = g.mean_firing_fraction();
        let per_level: Vec<f64> = {
            let f = g.firing(&g.samples[0].inputs);
            f.counts()
                .iter()
                .zip(&g.level_widths)
                .map(|(&c, &w)| c as f64 / w as f64)
                .collect()
        };
        eprintln!("{total} nodes, {levels} levels: {fraction:.4} fire; sample 0 per level {per_level:.3?}");
        assert!(
            (0.025..=0.10).contains(&fraction),
            "{total} nodes, {levels} levels: {:.3} fire (per level {per_level:.3?})",
            fraction
        );
    }
}

#[test]
fn evaluator_follows_the_gate_rules() {
    let p = gen::GenParams {
        levels: 3,
        widths: gen::Widths::Uniform(30),
        input_width: 12,
        ..Default::default()
    };
    let g = gen::build(&p).unwrap();
    let inputs = [0u32, 3, 5, 7];
    let f = g.firing(&inputs);
    let level = &g.levels[0];
    for j in 0..level.width() {
        let on = level
            .children_of(j)
            .iter()
            .filter(|c| inputs.contains(c))
            .count();
        let expect = match level.rules[j] {
            gen::Rule::Any => on > 0,
            gen::Rule::All => on == level.children_of(j).len(),
            gen::Rule::AtLeast(k) => on >= k as usize,
        };
        assert_eq!(f.levels[1][j], expect, "node {j}");
    }
    assert_eq!(f.counts()[0], inputs.len());
}
