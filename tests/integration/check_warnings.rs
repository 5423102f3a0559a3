//! Files that compile with warnings: the warnings are snapshotted.

use nshed::diag::{RenderStyle, Report};

const MODEL: &str = "model m {
  level input { a b c }
  level mid {
    x = any(a, b)
    y = all(b, c)
  }
  classes {
    c1 <- x
    c2 <- y
  }
}
";

/// The compiled model (its `warnings()` are what the tests look at).
fn warnings(name: &str, text: &str) -> nshed::Compiled {
    let source = nshed::source::Source {
        name: name.to_string(),
        text: text.to_string(),
    };
    match nshed::compile(source) {
        Ok(compiled) => compiled,
        Err(report) => panic!("{name} has errors:\n{}", report.render(RenderStyle::Plain)),
    }
}

#[test]
fn dead_nodes_warn_once_each() {
    let compiled = warnings(
        "dead_nodes.nshed",
        "model m {
  level input { a b c }
  level mid { x = any(a) y = any(a) }
  classes { c1 <- x }
}
",
    );
    let report = compiled.warnings();
    // b and c feed no mid node; y feeds no class.
    assert_eq!(report.warning_count(), 3);
    insta::assert_snapshot!(report.render(RenderStyle::Plain));
}

#[test]
fn zero_start_with_mul_growth_warns_on_the_init_line() {
    let text = format!("{MODEL}init {{ lambda = 0  lambda x = 1  eta x->c1 = 0 }}\n");
    let compiled = warnings("zero_start.nshed", &text);
    let report = compiled.warnings();
    assert_eq!(report.warning_count(), 2);
    insta::assert_snapshot!(report.render(RenderStyle::Plain));
}

#[test]
fn repeated_record_quantity_is_a_warning() {
    let text = format!(
        "{MODEL}data {{ s: a -> c1  t: b c -> c2 }}\ntrain {{ phase p {{ steps 1 }} record every 5 {{ eta eta }} }}\n"
    );
    let compiled = warnings("record.nshed", &text);
    let report = compiled.warnings();
    assert_eq!(report.warning_count(), 1);
}

#[test]
fn fig1_has_no_problem() {
    let text = std::fs::read_to_string("examples/fig1.nshed").expect("fig1");
    let compiled = warnings("fig1.nshed", &text);
    let report = compiled.warnings();
    assert_eq!(
        report.problems.len(),
        0,
        "{}",
        report.render(RenderStyle::Plain)
    );
}

#[test]
fn many_dead_nodes_in_a_level_are_one_warning() {
    let inputs: Vec<String> = (0..20).map(|i| format!("x{i}")).collect();
    let text = format!(
        "model m {{\n  level a {{ {} }}\n  classes {{ c <- x0 }}\n}}\n",
        inputs.join(" ")
    );
    let compiled = warnings("many_dead.nshed", &text);
    let report = compiled.warnings();
    assert_eq!(
        report.warning_count(),
        1,
        "{}",
        report.render(RenderStyle::Plain)
    );
    let rendered = report.render(RenderStyle::Plain);
    assert!(
        rendered.contains("19 nodes of level `a` feed no class"),
        "{rendered}"
    );
    assert!(rendered.contains("and 11 more"), "{rendered}");
}

#[test]
fn shuffled_batch_larger_than_the_data_warns() {
    let text = "model m { level a { x y } classes { c <- x  d <- y } }\n\
                data { s1: x -> c  s2: y -> d }\n\
                train { sampler shuffle phase p { steps 5 batch 3 } phase q { steps 5 batch 2 } }\n";
    let compiled = warnings("big_batch.nshed", text);
    let report = compiled.warnings();
    assert_eq!(
        report.warning_count(),
        1,
        "{}",
        report.render(RenderStyle::Plain)
    );
    insta::assert_snapshot!(report.render(RenderStyle::Plain));
}

/// A sample that reaches no class, a class no sample is labelled with, and `weight 0`:
/// one warning of each kind, each labelling its cases.
#[test]
fn data_that_reaches_no_class_is_a_warning() {
    let text = format!(
        "{MODEL}data {{\n  s: a -> c1\n  lost: c -> c1\n  alone: -> c1\n  never: a b -> c1 weight 0\n}}\n"
    );
    let compiled = warnings("reach.nshed", &text);
    let report = compiled.warnings();
    let codes: Vec<&str> = report.problems.iter().map(|p| p.code.as_str()).collect();
    assert_eq!(
        codes,
        [
            "nshed::check::class_without_samples",
            "nshed::check::no_class_reached",
            "nshed::check::zero_weight"
        ]
    );
    // `c` alone fires nothing above the input level; the empty input fires nothing.
    assert_eq!(
        report.problems[1].message,
        "2 samples (`lost`, `alone`) reach no class"
    );
    assert_eq!(report.problems[1].labels.len(), 2);
    insta::assert_snapshot!(report.render(RenderStyle::Plain));
}

/// The language server checks with `check::check`, compiling with `check_but_data` and
/// the warnings about the data after the syntax tree is gone: both give the same
/// problems, in the same order.
#[test]
fn check_and_compile_warn_alike_about_the_data() {
    let text = format!(
        "{MODEL}data {{\n  s: a -> c1\n  lost: c -> c1\n  alone: -> c1\n  never: a b -> c1 weight 0\n}}\n"
    );
    let compiled = warnings("reach.nshed", &text);
    let file = nshed::syntax::parse_file(&text).expect("parses");
    let checked = nshed::check::check(&file);
    assert!(checked.ir.is_some());
    let checked = Report::new("reach.nshed", &text, checked.problems);
    assert_eq!(checked.problems.len(), 3);
    assert_eq!(
        checked.render(RenderStyle::Plain),
        compiled.warnings().render(RenderStyle::Plain)
    );
}
