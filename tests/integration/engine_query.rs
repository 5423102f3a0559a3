//! Queries: parsing with labelled problems, and answers on the hand-built fig1.

use nshed::diag::{RenderStyle, Report};
use nshed::engine::testing::fig1;
use nshed::engine::{Model, State};
use nshed::query::{answer, parse_query, Answer};

fn problems(text: &str) -> Vec<nshed::diag::Problem> {
    parse_query(&fig1(), text).expect_err("should fail")
}

fn first_label(p: &nshed::diag::Problem) -> (usize, usize) {
    let l = p.labels.first().expect("labelled");
    (l.offset(), l.len())
}

fn ask(text: &str) -> Answer {
    let ir = fig1();
    let model = Model::new(&ir);
    let state = State::new(&ir, 0);
    let q = parse_query(&ir, text).expect("parses");
    answer(&model, &state, &q)
}

#[test]
fn unknown_node_in_pattern_is_labelled_with_a_suggestion() {
    let text = "pathway {e1 e22}";
    let p = problems(text);
    assert_eq!(p.len(), 1);
    assert_eq!(p[0].code.as_str(), "nshed::query::unknown_name");
    assert_eq!(first_label(&p[0]), (12, 3));
    assert!(p[0].help.as_deref().unwrap_or("").contains("`e2`"));
}

#[test]
fn non_input_node_in_pattern_is_an_error() {
    let text = "scores {e1 m1 t9}";
    let p = problems(text);
    assert_eq!(p.len(), 2, "both bad names reported");
    assert_eq!(p[0].code.as_str(), "nshed::query::not_an_input_node");
    assert_eq!(first_label(&p[0]), (11, 2));
    assert!(p[0].message.contains("m1"));
}

#[test]
fn malformed_patterns() {
    let p = problems("pathway {e1 e2");
    assert!(p[0].message.contains("unclosed"));
    assert_eq!(first_label(&p[0]), (8, 1));
    let p = problems("le {e1 e2} c2");
    assert_eq!(p[0].code.as_str(), "nshed::query::missing_label");
    let p = problems("le {e1}-> } c1a");
    assert!(p[0].message.contains("missing class"), "{}", p[0].message);
    let p = problems("pathway");
    assert!(p[0].message.contains("missing input"));
    assert_eq!(first_label(&p[0]), (7, 0));
    let p = problems("pathway {e1 -> c1}");
    assert!(p[0].message.contains("malformed"));
    let p = problems("patway c1a");
    assert!(p[0].help.as_deref().unwrap_or("").contains("`pathway`"));
    let p = problems("pathway c1x");
    assert!(p[0].help.as_deref().unwrap_or("").contains("`c1a`"));
    let p = problems("pathway c1a c2");
    assert!(p[0].message.contains("unexpected"));
    let p = problems("pathway {e1} $");
    assert!(p[0].message.contains("unexpected `$`"));
    // Problems render against the query text.
    let text = "pathway {e1 m1}";
    let rendered = Report::new("query", text, problems(text)).render(RenderStyle::Plain);
    assert!(rendered.contains("is in level `parts`"), "{rendered}");
}

#[test]
fn pathway_and_scores_answers() {
    match ask("pathway {e3 e4 e5}") {
        Answer::Pathway { levels, .. } => {
            let got: Vec<String> = levels.iter().map(|l| l.nodes.join(" ")).collect();
            assert_eq!(got, ["e3 e4 e5", "m1 m2 m3", "t1 t2"]);
        }
        other => panic!("{other:?}"),
    }
    let a = ask("scores c2");
    let shown = a.to_string();
    assert!(shown.contains("0.981135"), "{shown}");
    match a {
        Answer::Scores {
            classes, predicted, ..
        } => {
            assert_eq!(predicted.as_deref(), Some("c2"));
            assert!((classes[1].logit.expect("fits") - 7.0).abs() < 1e-12);
        }
        other => panic!("{other:?}"),
    }
    match ask("predict {e1 e2}->c2") {
        Answer::Predict {
            predicted, correct, ..
        } => {
            // Tie 2, 2 goes to the first declared class.
            assert_eq!(predicted.as_deref(), Some("c1"));
            assert_eq!(correct, Some(false));
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn le_answers() {
    match ask("le c1a c1b") {
        Answer::Le { le, .. } => assert!((le.expect("defined") - 0.679354).abs() < 1e-6),
        other => panic!("{other:?}"),
    }
    match ask("le {e1 e2}->c1 {e2 e3}") {
        Answer::Le { le, .. } => assert!((le.expect("defined") - 0.679354).abs() < 1e-6),
        other => panic!("{other:?}"),
    }
    // An empty base fires nothing: its logits cannot move, so LE is undefined.
    match ask("le {}->c1 c1a") {
        Answer::Le { le, .. } => assert_eq!(le, None),
        other => panic!("{other:?}"),
    }
    let m = ask("le-matrix");
    let json = serde_json::to_value(&m).expect("json");
    assert_eq!(json["query"], "le_matrix");
    assert_eq!(json["matrix"][0][0], 1.0);
}
