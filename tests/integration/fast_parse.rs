//! Differential test: the hand-written parser (`syntax::fast`) and the pest grammar agree.
//! On every input the fast parser either gives up or returns exactly pest's AST (spans
//! included); on the valid corpus it must not give up, or the fast path would be dead.

use crate::support::mutate::{mutants, sources};
use nshed::syntax::ast::File;
use nshed::syntax::{fast, parse_file, parse_file_pest};

#[derive(Debug, PartialEq)]
enum Outcome {
    /// Both parsers produced this AST.
    Same,
    /// The fast parser gave up and pest refused the file.
    BothRefuse,
    /// The fast parser gave up on a file pest accepts (correct, only slower).
    FastGaveUp,
    /// The expression bounds refuse the file before either parser runs (`parse_file`
    /// scans for them first), so what the fast parser would make of it never matters.
    Bounded,
}

/// The codes of the scan that runs before both parsers (too deep, too long).
const BOUNDS: [&str; 2] = ["nshed::syntax::too_deep", "nshed::syntax::too_long"];

/// Compares the two parsers on one source; panics when they disagree.
fn compare(label: &str, text: &str) -> Outcome {
    let fast: Option<File> = fast::parse_file(text);
    let pest = parse_file_pest(text);
    match (fast, pest) {
        (Some(fast), Ok(pest)) => {
            assert!(
                fast == pest,
                "{label}: the ASTs differ\nfast: {fast:#?}\npest: {pest:#?}\nsource:\n{text}"
            );
            Outcome::Same
        }
        (_, Err(problem)) if BOUNDS.contains(&problem.code.as_str()) => {
            let production = nshed::syntax::parse_file(text).map_err(|p| p.code);
            assert_eq!(
                production,
                Err(problem.code),
                "{label}: the scan runs first"
            );
            Outcome::Bounded
        }
        (Some(_), Err(problem)) => {
            panic!("{label}: the fast parser accepts what pest refuses ({problem:?}):\n{text}")
        }
        (None, Err(_)) => Outcome::BothRefuse,
        (None, Ok(_)) => Outcome::FastGaveUp,
    }
}

fn text_of(bytes: &[u8]) -> Option<&str> {
    std::str::from_utf8(bytes).ok()
}

#[test]
fn every_valid_corpus_file_takes_the_fast_path_with_pests_ast() {
    let mut same = 0;
    for dir in ["examples", "tests/models"] {
        for bytes in sources(dir) {
            let text = text_of(&bytes).expect("corpus files are UTF-8");
            assert_eq!(compare(dir, text), Outcome::Same, "{dir}:\n{text}");
            same += 1;
        }
    }
    assert!(same >= 10, "only {same} corpus files");
}

#[test]
fn bad_files_parse_alike_and_keep_pests_diagnostics() {
    let mut refused = 0;
    for bytes in sources("tests/bad") {
        let Some(text) = text_of(&bytes) else {
            continue;
        };
        match compare("tests/bad", text) {
            Outcome::Bounded => refused += 1,
            Outcome::BothRefuse => {
                refused += 1;
                // What the user sees is pest's diagnostic, unchanged.
                let seen = parse_file(text).err().map(|p| format!("{p:?}"));
                let reference = parse_file_pest(text).err().map(|p| format!("{p:?}"));
                assert_eq!(seen, reference);
            }
            outcome => assert_eq!(outcome, Outcome::Same, "tests/bad file:\n{text}"),
        }
    }
    assert!(refused >= 3, "only {refused} syntax-error files");
}

#[test]
fn generated_models_of_several_sizes_and_seeds() {
    for (nodes, levels, seed) in [
        (30, 2, 0),
        (100, 3, 1),
        (1_000, 4, 2),
        (5_000, 5, 3),
        (20_000, 6, 4),
    ] {
        let text = nshed::gen::generate_sized(nodes, levels, seed);
        let label = format!("generated {nodes} nodes, {levels} levels, seed {seed}");
        assert_eq!(compare(&label, &text), Outcome::Same, "{label}");
    }
}

#[test]
fn the_ten_thousand_mutants_parse_alike() {
    let (mut same, mut refused, mut gave_up) = (0, 0, 0);
    for (i, mutant) in mutants(10_000).iter().enumerate() {
        let Some(text) = text_of(mutant) else {
            continue;
        };
        match compare(&format!("mutant {i}"), text) {
            Outcome::Same => same += 1,
            Outcome::BothRefuse | Outcome::Bounded => refused += 1,
            Outcome::FastGaveUp => gave_up += 1,
        }
    }
    // Both kinds must be well represented for the comparison to mean something.
    assert!(same > 1_000, "only {same} mutants parsed");
    assert!(refused > 1_000, "only {refused} mutants refused");
    // The fast parser gives up only where pest needs to backtrack; no mutant does.
    assert_eq!(
        gave_up, 0,
        "the fast parser gave up on {gave_up} valid mutants"
    );
}

/// Spots where pest's rule boundaries are easy to get wrong: whitespace and comments
/// after optional parts, trailing commas, chains, nested expressions.
#[test]
fn tricky_layouts_parse_alike() {
    let cases = [
        "model m { level a { x y } level b { z = any(x , y , ) // c\n } classes { c1 // k\n c2 <- z , y \n c3 <- } }",
        "  // lead\nmodel m{level a{x}level b{z=atleast 1 of(x)}classes{c<-z}}init{lambda=1 lambda level a = uniform( 1 , 2 ) lambda z = normal(0,1) // n\n eta = lognormal(0, 1)\n eta z -> c = 2^ -3 ^2 }",
        "model m { level a { x } level b { z = all(x) } classes { c <- z } }\nrules { grow = shrink z = mul 0.5 // why\n grow eta = add (1 + 2) * 3 - -4 / 5\n shrink eta z->c = sub 1e-3 jitter = 0.1 grow level b = keep }",
        "model m { level a { x } level b { z = any(x) } classes { c <- z } }\ndata { noise flip 0.25 // n\n s1: x -> c weight 2 s2 : -> c\n s3: x x -> c } train { seed 7 eta_update union sampler shuffle phase p { steps 10 batch 2 freeze a , b freeze eta // f\n jitter = 0 lambda = 2 grow = mul 2 } record every 5 { lambda eta accuracy } }",
        "model m { level a { x } level b { z = any(x) } classes { c <- z } } train { phase p { freeze a steps 1 } phase q { freeze eta, a } }",
        "model m { level a { x } } rules { grow = mul ((2)) // a\n shrink = mul -(-(0.5)) }",
        "model m { level a { x } } init { lambda = 1 /// c\n / 2 }",
        "model m { level a { x } } init { lambda = 1 / / 2 }",
        "model m { level a { x } } init { lambda = 1.5.2 }",
        "model m { level a { x } } init { lambda = 1e }",
        "model m { level a { x } } init { eta x -> = 1 }",
        "model m { level a { x } } rules { grow eta x = mul 2 }",
        "model m { level a { eta_x any_ all1 } }",
        "model m { level a { x } } train { sampler replace eta_update sample }",
        "model m { level é { x } }",
        "model m { level a { x } }\r\n\t",
        "",
        // `by error`: after an expression, after `keep` (whose plain span ends at the
        // keyword), across comments, in a phase; and broken forms.
        "model m { level a { x } } rules { grow = mul 2 by error shrink = keep by // c\n error grow eta = add 1 by  error shrink eta = keep\n}",
        "model m { level a { x } } train { phase p { steps 1 shrink = sub 0.5 // s\n by error grow = mul 2 } }",
        "model m { level a { x } } rules { grow = mul 2 by }",
        "model m { level a { x } } rules { shrink = keep by }",
        "model m { level a { x } } rules { shrink = keep by_error }",
        "model m { level a { by error } }",
    ];
    for (i, text) in cases.iter().enumerate() {
        compare(&format!("case {i}"), text);
    }
    expect_layouts_parse_alike();
    // The valid ones among them must take the fast path.
    for i in [0, 1, 2, 3, 4, 5, 6, 12, 13, 15, 17, 18, 22] {
        assert_eq!(
            compare(&format!("case {i}"), cases[i]),
            Outcome::Same,
            "case {i}: {:?}",
            parse_file_pest(cases[i]).err()
        );
    }
}

/// `expect` blocks: keywords that are names elsewhere, lists that end at the next
/// expectation, comments and missing blanks, and near misses that pest refuses.
fn expect_layouts_parse_alike() {
    let model = "model m { level a { x y p } level b { z = any(x, y) } classes { c <- z } }\n";
    let valid = [
        "expect { }",
        "expect initial{predict x is c predict{x y}is none}",
        "expect { pathway x has z y // c\n p x c>=0.5 pathway {} lacks z\n accuracy=1 }",
        "expect initial { le x -> c {y} = 1 within 1e-3 le s {x}<=2// t\n le{x}->c{}>0 }",
        "expect { ln lambda z = -1 ln  eta z->c<0 lambda x>=2^2 eta z -> c = 1 within (1) }",
        "expect { logit {x} c > -(1) logit s c < 1e300 } expect initial { accuracy <= 1 }",
        "expect { pathway x has z\n lambda z = 1 }",
    ];
    for (i, block) in valid.iter().enumerate() {
        let text = format!("{model}{block}");
        assert_eq!(
            compare(&format!("expect case {i}"), &text),
            Outcome::Same,
            "{text}"
        );
    }
    let refused = [
        "expect { pathway x has }",
        "expect { pathway x has p }",
        "expect { predict x is }",
        "expect { p x c }",
        "expect { p x c == 1 }",
        "expect { le x y = 1 within }",
        "expect { ln x = 1 }",
        "expect { accuracy = 1 within 0.1 within 0.2 }",
        "expect { lambda is = 1 }",
        "expect initial initial { }",
        "expect { predict {x is c }",
    ];
    for (i, block) in refused.iter().enumerate() {
        let text = format!("{model}{block}");
        assert_eq!(
            compare(&format!("refused case {i}"), &text),
            Outcome::BothRefuse,
            "{text}"
        );
    }
}
