//! Checker unit tests: IR facts of fig1, init and rule precedence.

use super::check;
use crate::diag::ErrorCode;
use crate::ir::{Dist, Ir, Update};
use crate::syntax::parse_file;

const MODEL: &str = r#"
model m {
  level input { a b }
  level mid { x = any(a) y = all(a, b) }
  classes { c1 <- x  c2 <- x, y }
}
"#;

fn compile(text: &str) -> Ir {
    let file = parse_file(text).unwrap_or_else(|p| panic!("syntax: {p:?}"));
    let checked = check(&file);
    match checked.ir {
        Some(ir) => ir,
        None => panic!("errors: {:#?}", checked.problems),
    }
}

fn problems(text: &str) -> Vec<(ErrorCode, bool)> {
    let file = parse_file(text).unwrap_or_else(|p| panic!("syntax: {p:?}"));
    check(&file)
        .problems
        .into_iter()
        .map(|p| (p.code, p.is_error()))
        .collect()
}

fn mul(factor: f64) -> Update {
    Update::Mul { factor }
}

fn node(ir: &Ir, name: &str) -> usize {
    ir.node_index(name).map_or(usize::MAX, |i| i as usize)
}

#[test]
fn fig1_ir_facts() {
    let ir = compile(include_str!("../../examples/fig1.nshed"));
    assert_eq!(ir.nodes.len(), 14);
    assert_eq!(
        ir.levels.iter().map(|l| l.len).collect::<Vec<_>>(),
        [7, 4, 3]
    );
    assert_eq!(ir.classes.len(), 3);
    assert_eq!(ir.edges.len(), 4);
    assert_eq!(ir.init.lambda[node(&ir, "m2")], Dist::Const { value: 0.5 });
    assert_eq!(ir.init.lambda[node(&ir, "m1")], Dist::Const { value: 1.0 });
    assert_eq!(ir.rules.grow[node(&ir, "e7")], mul(1.022f64.powf(0.75)));
    assert_eq!(ir.rules.grow[node(&ir, "e1")], mul(1.1));
    assert_eq!(ir.rules.jitter, 0.01);
    let train = ir.train.as_ref().expect("fig1 trains");
    assert_eq!(train.seed, 42);
    let main = &train.phases[1];
    assert_eq!(main.name, "main");
    assert_eq!((main.steps, main.batch), (5000, 8));
    assert!(main.rules.shrink.iter().all(|u| *u == mul(0.95)));
    assert_eq!(main.rules.grow[node(&ir, "e7")], mul(1.022f64.powf(0.75)));
    assert_eq!(main.frozen_levels, [true, false, false]);
    assert!(!main.freeze_eta);
    assert_eq!(train.phases[0].rules, ir.rules);
    assert_eq!(ir.data.samples.len(), 4);
    assert_eq!(ir.data.samples[1].name, "c1b");
    assert_eq!(ir.data.samples[1].weight, 2.0);
    assert_eq!(ir.data.noise_flip, 0.05);
    assert_eq!(train.record.as_ref().map(|r| r.every), Some(100));
}

#[test]
fn defaults_without_blocks() {
    let ir = compile(MODEL);
    assert!(ir
        .init
        .lambda
        .iter()
        .all(|d| *d == Dist::Const { value: 1.0 }));
    assert!(ir.rules.grow.iter().all(|u| *u == mul(1.1)));
    assert!(ir.rules.shrink_eta.iter().all(|u| *u == mul(0.9)));
    assert!(ir.train.is_none());
}

#[test]
fn init_node_beats_level_beats_file_wide() {
    let ir = compile(&format!(
        "{MODEL} init {{ lambda = 2  lambda level mid = 3  lambda y = uniform(0, 1) eta = 4 eta y->c2 = 5 }}"
    ));
    assert_eq!(ir.init.lambda[node(&ir, "a")], Dist::Const { value: 2.0 });
    assert_eq!(ir.init.lambda[node(&ir, "x")], Dist::Const { value: 3.0 });
    assert_eq!(
        ir.init.lambda[node(&ir, "y")],
        Dist::Uniform { a: 0.0, b: 1.0 }
    );
    // edges: x->c1, x->c2, y->c2
    assert_eq!(ir.init.eta[0], Dist::Const { value: 4.0 });
    assert_eq!(ir.init.eta[2], Dist::Const { value: 5.0 });
}

#[test]
fn rules_node_beats_level_beats_file_wide() {
    let ir = compile(&format!(
        "{MODEL} rules {{ grow = mul 2  grow level mid = mul 3  grow y = mul 4 }}"
    ));
    assert_eq!(ir.rules.grow[node(&ir, "a")], mul(2.0));
    assert_eq!(ir.rules.grow[node(&ir, "x")], mul(3.0));
    assert_eq!(ir.rules.grow[node(&ir, "y")], mul(4.0));
}

#[test]
fn phase_precedence() {
    let ir = compile(&format!(
        "{MODEL} data {{ s: a -> c1 }}
         rules {{ grow y = mul 4  grow level mid = mul 3  shrink = mul 0.5 }}
         train {{ phase p {{ steps 1 grow = mul 5  shrink = mul 0.25  grow level mid = mul 6 }} }}"
    ));
    let phase = &ir.train.as_ref().expect("train").phases[0].rules;
    // A file-level node rule beats the phase's level and file-wide rules.
    assert_eq!(phase.grow[node(&ir, "y")], mul(4.0));
    // Equal specificity: the phase wins.
    assert_eq!(phase.grow[node(&ir, "x")], mul(6.0));
    assert_eq!(phase.grow[node(&ir, "a")], mul(5.0));
    assert_eq!(phase.shrink[node(&ir, "a")], mul(0.25));
    // The file-level table is untouched.
    assert_eq!(ir.rules.grow[node(&ir, "a")], mul(1.1));
}

#[test]
fn edge_precedence() {
    let ir = compile(&format!(
        "{MODEL} rules {{ grow = mul 2  grow eta = mul 3  grow eta y->c2 = mul 4 }}
         data {{ s: a -> c1 }}
         train {{ phase p {{ steps 1 grow eta = mul 5 }} }}"
    ));
    assert_eq!(ir.rules.grow_eta, [mul(3.0), mul(3.0), mul(4.0)]);
    assert_eq!(ir.rules.grow[node(&ir, "a")], mul(2.0));
    let phase = &ir.train.as_ref().expect("train").phases[0].rules;
    assert_eq!(phase.grow_eta, [mul(5.0), mul(5.0), mul(4.0)]);
}

#[test]
fn chained_targets_share_the_update() {
    let ir = compile(&format!("{MODEL} rules {{ grow a = grow b = mul 1.5 }}"));
    assert_eq!(ir.rules.grow[node(&ir, "a")], mul(1.5));
    assert_eq!(ir.rules.grow[node(&ir, "b")], mul(1.5));
}

#[test]
fn zero_start_with_mul_growth_warns_once_per_line() {
    let found = problems(&format!("{MODEL} init {{ lambda = 0 }}"));
    assert_eq!(found, [(ErrorCode::CheckCannotGrow, false)]);
    let found = problems(&format!(
        "{MODEL} init {{ lambda = 0 }} rules {{ grow = add 0.1 }}"
    ));
    assert!(found.is_empty(), "{found:?}");
}

#[test]
fn data_inputs_are_sorted() {
    let ir = compile(&format!("{MODEL} data {{ s: b a -> c2 }}"));
    assert_eq!(ir.data.samples[0].input, [0, 1]);
    assert_eq!(ir.data.samples[0].label, 1);
}

#[test]
fn file_wide_grow_reaches_edges_and_phase_jitter_overrides() {
    let ir = compile(&format!(
        "{MODEL} rules {{ grow = mul 3  jitter = 0.1 }}
         data {{ s: a -> c1 }}
         train {{ phase calm {{ steps 1 jitter = 0 }} phase noisy {{ steps 1 }} }}"
    ));
    assert_eq!(ir.rules.grow_eta, [mul(3.0), mul(3.0), mul(3.0)]);
    assert_eq!(ir.rules.jitter, 0.1);
    let phases = &ir.train.as_ref().expect("train").phases;
    assert_eq!(phases[0].rules.jitter, 0.0);
    assert_eq!(phases[1].rules.jitter, 0.1);
}

#[test]
fn every_problem_of_a_file_is_reported() {
    let found = problems(&format!(
        "{MODEL} init {{ lambda q = 1 }} rules {{ grow = mul 0.5 }} data {{ s: x -> a }}"
    ));
    let codes: Vec<ErrorCode> = found.iter().map(|(c, _)| *c).collect();
    assert_eq!(
        codes,
        [
            ErrorCode::CheckUnknownName,
            ErrorCode::CheckBadGrow,
            ErrorCode::CheckWrongLevel,
            ErrorCode::CheckWrongKind,
        ]
    );
}

#[test]
fn an_unknown_child_does_not_cascade() {
    let found =
        problems("model m { level input { a } level mid { x = any(zz) } classes { c1 <- x } }");
    assert_eq!(found, [(ErrorCode::CheckUnknownName, true)]);
}

#[test]
fn names_ahead_gives_each_batch_at_its_start_and_stays_within() {
    use super::model::names_ahead;
    use crate::syntax::ast::{Children, NameList, Span};
    let mut list = NameList::default();
    for (i, name) in ["a", "b", "c", "d", "e", "f", "g"].into_iter().enumerate() {
        list.push(name, Span::new(i * 2, i * 2 + 1));
    }
    let at = |within: Children, position: usize| -> Vec<&str> {
        names_ahead(&list, within, position, 3).collect()
    };
    let all = Children::of_list(0, list.len());
    assert_eq!(at(all, 0), ["a", "b", "c"]);
    assert_eq!(at(all, 1), Vec::<&str>::new());
    assert_eq!(at(all, 6), ["g"]);
    // Within names 2..6: positions count from `c`, and nothing past `f`.
    let within = Children::of_list(2, 6);
    assert_eq!(at(within, 0), ["c", "d", "e"]);
    assert_eq!(at(within, 3), ["f"]);
    assert_eq!(at(within, 2), Vec::<&str>::new());
}

/// The checker runs on what the tolerant parser read of a file with a broken line: the
/// lines around it count.
#[test]
fn a_partial_tree_checks_with_the_lines_that_parsed() {
    let text = format!("{MODEL}init {{\n  lambda = 2\n  lambda x = 3 *\n  lambda y = 5\n}}\n");
    let parsed = crate::syntax::parse(&text);
    assert_eq!(parsed.errors.len(), 1);
    let file = parsed.file.expect("a partial tree");
    assert!(file.is_partial());
    let ir = check(&file).ir.expect("the rest checks");
    assert_eq!(ir.init.lambda[node(&ir, "a")], Dist::Const { value: 2.0 });
    assert_eq!(ir.init.lambda[node(&ir, "y")], Dist::Const { value: 5.0 });
    // The broken line is missing, not misread: `x` keeps the file-wide value.
    assert_eq!(ir.init.lambda[node(&ir, "x")], Dist::Const { value: 2.0 });
}
