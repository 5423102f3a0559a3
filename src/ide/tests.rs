//! The library's language intelligence on texts with and without errors: what an editor
//! (the language server, the web app) gets from one [`Analysis`].

use super::*;

const PRECEDENCE: &str = include_str!("../../tests/models/precedence.nshed");

fn at(text: &str, needle: &str) -> usize {
    text.find(needle)
        .unwrap_or_else(|| panic!("{needle:?} not in the text"))
}

fn hover_text(a: &Analysis, offset: usize) -> String {
    a.hover(offset).map(|h| h.markdown).unwrap_or_default()
}

/// Two syntax errors away from node `h2`: one in `init` before it is used, one in `data`.
fn broken_precedence() -> String {
    PRECEDENCE
        .replace("  eta = lognormal(0, 0.5)\n", "  eta = lognormal(0, 0.5\n")
        .replace("  c: i1 i3 -> K2\n", "  c: i1 i3 -> \n")
}

#[test]
fn a_text_with_syntax_errors_keeps_hovers_with_resolved_init_and_rules() {
    let whole = Analysis::new(PRECEDENCE.to_string());
    assert!(whole.parses());
    let h2 = hover_text(&whole, at(PRECEDENCE, "h2 = all"));
    assert_eq!(
        h2,
        "**node** `h2` · level 2 `mid`\n\n```nshed\nh2 = all(i2, i3)\n```\n\n\
         init `lambda = uniform(0.5, 1.5)`\n\n\
         rules: grow `mul 3` · shrink `mul 0.5`\n\n\
         phase `one`: grow `mul 3` · shrink `mul 0.5`\n\n\
         phase `two`: grow `mul 3` · shrink `mul 0.25`"
    );
    let text = broken_precedence();
    let broken = Analysis::new(text.clone());
    assert!(!broken.parses());
    assert_eq!(broken.problems().len(), 2, "{:?}", broken.problems());
    assert!(broken.problems().iter().all(|p| p.is_error()));
    assert_eq!(hover_text(&broken, at(&text, "h2 = all")), h2);
    // Every use of the node, its declaration first, as in the whole text.
    let refs = |a: &Analysis, t: &str| -> Vec<String> {
        a.references(at(t, "h2 = all"), true)
            .iter()
            .map(|s| t[..s.start].lines().count().to_string())
            .collect()
    };
    assert_eq!(refs(&broken, &text), refs(&whole, PRECEDENCE));
    let Some(Definition::Here(def)) = broken.definition(at(&text, "h2\n")) else {
        panic!("no definition in the text")
    };
    assert_eq!(&text[def.start..def.end], "h2");
    assert_eq!(def.start, at(&text, "h2 = all"));
    // A text with syntax errors is not formatted: its printing would drop what did not
    // parse.
    assert_eq!(broken.formatted(), None);
    assert!(whole.formatted().is_some());
}

#[test]
fn the_outline_and_completion_work_in_a_text_with_errors() {
    let text = broken_precedence();
    let a = Analysis::new(text.clone());
    let names: Vec<String> = a.symbols().iter().map(|s| s.name.clone()).collect();
    assert_eq!(
        names,
        ["precedence", "init", "rules", "data", "train"],
        "{:?}",
        a.symbols()
    );
    let data = a.symbols().into_iter().find(|s| s.name == "data").unwrap();
    let samples: Vec<&str> = data.children.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(samples, ["a", "b"]);
    // A child of a node of level `mid` is a node of level `in`.
    let typing = text.replace("    h3 = atleast 1 of (i1, i3)", "    h3 = any(");
    let offset = at(&typing, "h3 = any(") + "h3 = any(".len();
    let a = Analysis::new(typing);
    let labels: Vec<String> = a
        .completions(offset)
        .into_iter()
        .filter(|c| c.kind == CompletionKind::Node)
        .map(|c| c.label)
        .collect();
    assert_eq!(labels, ["i1", "i2", "i3"]);
}

#[test]
fn a_text_without_a_model_header_has_its_problem_and_no_names() {
    let a = Analysis::new("modl m { }".to_string());
    assert!(!a.parses());
    assert_eq!(a.problems().len(), 1);
    assert_eq!(a.hover(1), None);
    assert!(a.symbols().is_empty());
    assert!(a.references(1, true).is_empty());
}

#[test]
fn a_model_on_one_line_is_analysed_in_linear_time() {
    // About 50,000 nodes written on one line: positions, tokens and the outline each
    // cost a lookup, not a scan of the line.
    let text: String = crate::gen::generate_sized(50_000, 5, 7)
        .lines()
        .map(|l| l.split("//").next().unwrap_or(""))
        .collect::<Vec<_>>()
        .join(" ");
    assert!(!text.contains('\n'));
    let started = std::time::Instant::now();
    let a = Analysis::new(text.clone());
    assert!(a.parses(), "{:?}", a.problems().first());
    let tokens = a.semantic_tokens();
    assert!(tokens.len() > 100_000);
    let last = tokens.last().unwrap().span.start;
    assert_eq!(a.lines().utf16(a.text(), last), (0, last as u32));
    let symbols = a.symbols();
    assert_eq!(symbols[0].name, a.index.decls[0].name);
    let nodes: usize = symbols[0].children.iter().map(|l| l.children.len()).sum();
    assert!(nodes >= 50_000, "{nodes} nodes in the outline");
    // A quadratic pass over 10^6 bytes would take minutes; linear ones take well under
    // a second in a release build (a generous bound for a busy machine and a debug one).
    let limit = if cfg!(debug_assertions) { 120.0 } else { 20.0 };
    let took = started.elapsed().as_secs_f64();
    assert!(took < limit, "{took} s");
}

/// A model with written test samples, a data file and a test file (in `dir`).
fn heldout_model(dir: &std::path::Path) -> String {
    std::fs::write(
        dir.join("train.csv"),
        "name,label,a,b\nr1,c1,1,0\nr2,c2,0,1\n",
    )
    .unwrap();
    std::fs::write(dir.join("held.csv"), "label,b,a\nc2,1,0\nc1,0,1\nc1,1,1\n").unwrap();
    "model m {\n  level input { a b }\n  classes { c1 <- a  c2 <- b }\n}\n\
     data {\n  s1: a -> c1\n  from \"train.csv\"\n}\n\
     test {\n  t1: a b -> c2\n  from \"held.csv\"\n  copies 2 flip 0.1\n}\n\
     train {\n  phase p {\n    steps 1\n  }\n}\n\
     expect {\n  predict t1 is c2\n  p r2 c2 > 0.1\n}\n"
        .to_string()
}

#[test]
fn test_samples_have_hovers_definitions_and_completions() {
    let dir = tempfile::tempdir().unwrap();
    let text = heldout_model(dir.path());
    let a = Analysis::in_folder(text.clone(), Some(dir.path()));
    assert!(a.problems().is_empty(), "{:?}", a.problems());
    // A written test sample, at its declaration and where an expectation uses it.
    let t1 = "**test sample** `t1` · held out: never trained on\n\n```nshed\nt1: a b -> c2\n```";
    assert_eq!(hover_text(&a, at(&text, "t1: a")), t1);
    assert_eq!(hover_text(&a, at(&text, "t1 is")), t1);
    assert_eq!(
        a.definition(at(&text, "t1 is") + 1),
        Some(Definition::Here(Span::new(
            at(&text, "t1: a"),
            at(&text, "t1: a") + 2
        )))
    );
    // A sample of a data file (named by its `name` column): its file and line, its
    // inputs and label as read.
    let train = dir.path().join("train.csv");
    assert_eq!(
        hover_text(&a, at(&text, "r2 c2")),
        format!(
            "**sample** `r2` · line 3 of `{}`\n\n```nshed\nr2: b -> c2\n```",
            train.display()
        )
    );
    assert_eq!(
        a.definition(at(&text, "r2 c2")),
        Some(Definition::InFile {
            path: train.clone(),
            line: 3
        })
    );
    // The path of a `from`: the file, how many samples it gave, its columns.
    let held = dir.path().join("held.csv");
    let hover = a.hover(at(&text, "held.csv")).unwrap();
    assert_eq!(
        hover.markdown,
        format!(
            "**data file** `{}` · 3 samples into the test set · 3 columns\n\n\
             columns: `label` `b` `a`",
            held.display()
        )
    );
    let quoted = at(&text, "\"held.csv\"");
    assert_eq!(hover.span, Span::new(quoted, quoted + "\"held.csv\"".len()));
    assert_eq!(
        hover_text(&a, at(&text, "train.csv")),
        format!(
            "**data file** `{}` · 2 samples into the training data · 4 columns\n\n\
             columns: `name` `label` `a` `b`",
            train.display()
        )
    );
    // The model counts what its files hold: 3 data samples, 1 + 3 test samples.
    assert_eq!(
        hover_text(&a, at(&text, "m {")),
        "**model** `m` · 2 levels, 2 feature nodes, 2 classes, 3 samples, 4 test samples"
    );
    // The outline holds the test block and its written sample.
    let test = a.symbols().into_iter().find(|s| s.name == "test").unwrap();
    let children: Vec<(&str, SymbolKind, &str)> = test
        .children
        .iter()
        .map(|s| (s.name.as_str(), s.kind, s.detail.as_str()))
        .collect();
    assert_eq!(children, [("t1", SymbolKind::TestSample, "test sample")]);
}

#[test]
fn completion_offers_samples_of_data_and_test_where_an_input_goes() {
    let dir = tempfile::tempdir().unwrap();
    let text = heldout_model(dir.path());
    let complete = |typed: &str| -> Vec<(String, CompletionKind, String)> {
        let line = format!("  p r2 c2 > 0.1\n  {typed}");
        let t = text.replace("  p r2 c2 > 0.1\n", &line);
        let offset = at(&t, &line) + line.len();
        Analysis::in_folder(t, Some(dir.path()))
            .completions(offset)
            .into_iter()
            .map(|c| (c.label, c.kind, c.detail))
            .collect()
    };
    let sample =
        |name: &str, detail: &str| (name.to_string(), CompletionKind::Sample, detail.to_string());
    let samples = vec![
        sample("s1", "sample"),
        sample("t1", "test sample"),
        sample("r1", "sample from a file"),
        sample("r2", "sample from a file"),
    ];
    // The rows of `held.csv` have no `name` column: `held:1` cannot be written bare.
    for typed in [
        "predict ",
        "pathway ",
        "p ",
        "logit ",
        "le s1 ",
        "le {a} -> c1 ",
    ] {
        assert_eq!(complete(typed), samples, "after `{typed}`");
    }
    let words = |c: Vec<(String, CompletionKind, String)>| -> Vec<String> {
        c.into_iter().map(|c| c.0).collect()
    };
    assert_eq!(words(complete("predict t1 ")), ["is"]);
    assert_eq!(words(complete("predict t1 is ")), ["c1", "c2", "none"]);
    assert_eq!(words(complete("pathway t1 has ")), ["a", "b"]);
    assert_eq!(words(complete("p t1 ")), ["c1", "c2"]);
    assert_eq!(words(complete("pathway {")), ["a", "b"]);
    assert_eq!(words(complete("test ")), ["accuracy", "loss"]);
    // A new line of the block starts an expectation.
    assert_eq!(
        words(complete("")).len(),
        crate::syntax::words::EXPECTATIONS.len()
    );
    // In the test block: its statements, and `flip` after `copies N`.
    let in_test = |typed: &str| {
        let line = format!("  {typed}");
        let t = text.replace("  copies 2 flip 0.1\n", &line);
        let offset = at(&t, &line) + line.len();
        words(
            Analysis::in_folder(t, Some(dir.path()))
                .completions(offset)
                .into_iter()
                .map(|c| (c.label, c.kind, c.detail))
                .collect(),
        )
    };
    assert_eq!(in_test("copies 3 "), ["flip"]);
    assert_eq!(in_test("t2: "), ["a", "b"]);
    assert_eq!(in_test("t2: a -> "), ["c1", "c2"]);
    assert_eq!(in_test("t2: a -> c1\n  "), ["copies", "from"]);
}
