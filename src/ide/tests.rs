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
    let def = broken.definition(at(&text, "h2\n")).unwrap();
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
