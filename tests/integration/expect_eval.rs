//! `expect` blocks evaluated by the library (`nshed::expect`): the actual values are the
//! worked numbers of fig1 (initial state, local elasticity, eight steps in data order),
//! computed independently of the expectation that states them.

use nshed::engine::{run_seed, Model, State};
use nshed::expect::{evaluate_file, Actual, Expected, Outcome, Stage};
use nshed::ir::CmpOp;

const FIG1: &str = crate::support::fig1_plain!();

/// Compiles `FIG1` followed by `tail` and evaluates every expectation.
fn outcomes(tail: &str) -> (String, Vec<Outcome>) {
    let text = format!("{FIG1}{tail}");
    let compiled = nshed::compile(nshed::source::Source {
        name: "fig1.nshed".into(),
        text: text.clone(),
    })
    .unwrap_or_else(|r| panic!("{}", r.render(nshed::diag::RenderStyle::Plain)));
    let model = Model::new(compiled.ir());
    let seed = run_seed(compiled.ir(), None);
    let initial = State::new(compiled.ir(), seed);
    let mut trained = initial.clone();
    crate::support::train(&model, &mut trained);
    let outcomes = evaluate_file(&model, &initial, &trained);
    (text, outcomes)
}

fn value(o: &Outcome) -> f64 {
    match o.actual {
        Actual::Value { value } => value,
        ref other => panic!("{}: not a number: {other:?}", o.subject),
    }
}

#[test]
fn the_worked_numbers_are_what_the_state_gives() {
    let (text, outs) = outcomes(
        "expect initial {
  p c2 c2 >= 0.98
  p c1a c1 = 0.468311 within 1e-6
  logit c2 c2 = 7
  logit c3 c3 = 4
  le c1a c2 = 1.782503 within 1e-6
  le c2 c3 = 0.274277 within 1e-6
  lambda m1 = 1
  ln eta t1->c2 = 0
  accuracy = 1
}",
    );
    assert_eq!(outs.len(), 9);
    assert!(
        outs.iter().all(|o| o.passed && o.stage == Stage::Initial),
        "{outs:#?}"
    );
    let expected = [
        0.981135, 0.468311, 7.0, 4.0, 1.782503, 0.274277, 1.0, 0.0, 1.0,
    ];
    for (o, want) in outs.iter().zip(expected) {
        assert!(
            (value(o) - want).abs() < 1e-6,
            "{}: {}",
            o.subject,
            value(o)
        );
    }
    // Each outcome points at its own line.
    assert_eq!(
        &text[outs[0].span.start..outs[0].span.end],
        "p c2 c2 >= 0.98"
    );
    assert_eq!(outs[4].subject, "le c1a c2");
    assert_eq!(outs[7].subject, "ln eta t1->c2");
}

#[test]
fn eight_steps_in_data_order_give_the_worked_lambdas() {
    let (_, outs) = outcomes(
        "train { sampler cycle phase main { steps 8 batch 1 } }
expect {
  lambda m1 = 1.434964 within 1e-6
  lambda t1 = 1.434964 within 1e-6
  lambda e2 = 0.960596 within 1e-6
  lambda e1 = 0.643044 within 1e-6
  logit c1a c1 = 3.171975 within 1e-6
  logit c1a c2 = 2.123389 within 1e-6
  logit c1a c3 = 0
}
expect initial { lambda m1 = 1 }",
    );
    assert!(outs.iter().all(|o| o.passed), "{outs:#?}");
    assert_eq!(outs[0].stage, Stage::Initial, "expect initial comes first");
    assert!(outs[1..].iter().all(|o| o.stage == Stage::Trained));
    assert!((value(&outs[1]) - 1.434964).abs() < 1e-6);
}

#[test]
fn failures_say_what_was_expected_and_what_the_state_gives() {
    let (_, outs) = outcomes(
        "expect initial {
  p c2 c2 > 0.99
  predict c1a is c2
  predict {} is none
  predict {} is c1
  pathway c2 has t1 t3 m4
  pathway c1a lacks e1 m2 t1
  lambda m1 = 1.0000000011
  lambda m1 = 1.0000000009
}",
    );
    let passed: Vec<bool> = outs.iter().map(|o| o.passed).collect();
    assert_eq!(
        passed,
        [false, false, true, false, false, false, false, true]
    );
    assert_eq!(
        outs[0].expected,
        Expected::Value {
            op: CmpOp::Gt,
            value: 0.99,
            within: None
        }
    );
    assert!((value(&outs[0]) - 0.981135).abs() < 1e-6);
    assert_eq!(
        outs[1].actual,
        Actual::Class {
            class: Some("c1".into())
        },
        "c1a ties c1 and c2 at 2: the first class wins"
    );
    assert_eq!(outs[3].actual, Actual::Class { class: None });
    match &outs[4].actual {
        Actual::Pathway { wrong, firing } => {
            assert_eq!(wrong, &["t3", "m4"]);
            assert_eq!(firing, &["e3", "e4", "e5", "m1", "m2", "m3", "t1", "t2"]);
        }
        other => panic!("{other:?}"),
    }
    match &outs[5].actual {
        Actual::Pathway { wrong, .. } => assert_eq!(wrong, &["e1", "t1"]),
        other => panic!("{other:?}"),
    }
    assert_eq!(
        outs[4].describe(),
        "pathway c2: expected has t1 t3 m4, t3 m4 do not fire (pathway: e3 e4 e5 m1 m2 m3 t1 t2)"
    );
    assert_eq!(
        outs[0].describe(),
        format!("p c2 c2: expected > 0.99, got {}", value(&outs[0]))
    );
}

#[test]
fn an_undefined_local_elasticity_fails_and_exact_zeros_have_log_minus_infinity() {
    // Nothing fires for {}: a step on it with label c3 moves no logit of it.
    let (_, outs) = outcomes(
        "rules { shrink = mul 0 }
expect initial {
  le {} -> c3 c1a = 0
  ln lambda m1 < -1000
}
train { sampler cycle phase p { steps 1 } }
expect {
  ln lambda m4 < -1000
  lambda m4 = 0
}",
    );
    assert_eq!(outs[0].actual, Actual::Undefined);
    assert!(!outs[0].passed);
    assert!(!outs[1].passed, "lambda m1 starts at 1");
    // One step of `shrink = mul 0` on c1a (data order) sets every lambda outside its
    // pathway to exactly 0: m4 among them.
    assert_eq!(value(&outs[2]), f64::NEG_INFINITY);
    assert!(outs[2].passed && outs[3].passed, "{outs:#?}");
    let json = serde_json::to_value(&outs[2]).unwrap();
    assert_eq!(json["actual"]["value"], "-inf");
}

#[test]
fn a_sample_that_reaches_no_class_is_wrong_whatever_its_label() {
    // `q` reaches no class, and is labelled with the first class: an argmax over all-zero
    // logits would call it right.
    let text = "model m {
  level input { a b }
  level mid { x = any(a) y = all(a, b) }
  classes { c1 <- y c2 <- x }
}
data { q: b -> c1  r: a -> c2 }
expect initial { accuracy = 0.5 predict q is none }";
    let compiled = nshed::compile(nshed::source::Source {
        name: "m.nshed".into(),
        text: text.into(),
    })
    .unwrap_or_else(|r| panic!("{}", r.render(nshed::diag::RenderStyle::Plain)));
    let model = Model::new(compiled.ir());
    let state = State::new(compiled.ir(), 0);
    let outs = evaluate_file(&model, &state, &state);
    assert!(outs.iter().all(|o| o.passed), "{outs:#?}");
    assert_eq!(nshed::report::accuracy(&model, &state), Some(0.5));
    // The run report agrees: no prediction (null) for q.
    let report = serde_json::to_value(nshed::report::RunReport::new(&model, &state)).unwrap();
    assert_eq!(report["samples"][0]["predicted"], serde_json::Value::Null);
    assert_eq!(report["samples"][1]["predicted"], "c2");
    assert_eq!(report["accuracy"], 0.5);
}

#[test]
fn check_validates_expectations_without_running_them_and_ir_shows_them() {
    let source = format!("{FIG1}expect initial {{ p c2 c2 >= 1.5 }}");
    let compiled = nshed::compile(nshed::source::Source {
        name: "fig1.nshed".into(),
        text: source,
    })
    .unwrap_or_else(|r| panic!("{}", r.render(nshed::diag::RenderStyle::Plain)));
    // An expectation that can never hold still compiles: checking is not evaluating.
    assert_eq!(compiled.ir().expect.initial.len(), 1);
    let json = serde_json::to_value(compiled.ir()).unwrap();
    assert_eq!(json["expect"]["initial"][0]["check"]["kind"], "p");
    assert_eq!(json["expect"]["initial"][0]["check"]["compare"]["op"], ">=");
    assert_eq!(
        json["expect"]["initial"][0]["check"]["compare"]["value"],
        1.5
    );
    // A model without expectations has no `expect` key at all.
    let plain = nshed::compile(nshed::source::Source {
        name: "fig1.nshed".into(),
        text: FIG1.into(),
    })
    .unwrap_or_else(|r| panic!("{}", r.render(nshed::diag::RenderStyle::Plain)));
    let json = serde_json::to_value(plain.ir()).unwrap();
    assert!(json.get("expect").is_none());
}

#[test]
fn expect_without_train_warns_and_checks_the_initial_state() {
    let source = format!("{FIG1}expect {{ lambda m1 = 1 }}");
    let compiled = nshed::compile(nshed::source::Source {
        name: "fig1.nshed".into(),
        text: source,
    })
    .unwrap_or_else(|r| panic!("{}", r.render(nshed::diag::RenderStyle::Plain)));
    let codes: Vec<&str> = compiled
        .warnings()
        .problems
        .iter()
        .map(|p| p.code.as_str())
        .collect();
    assert_eq!(codes, ["nshed::check::expect_untrained"]);
    let (_, outs) = outcomes("expect { lambda m1 = 1 }");
    assert!(outs[0].passed);
    assert_eq!(outs[0].stage, Stage::Trained);
}
