//! Differential test: the hand-written parser (`syntax::fast`, nshed's reader) and the
//! pest grammar (the grammar of record) agree. On every input either both accept it with
//! the same AST (spans included), or both refuse it and the fast parser's first error is
//! where pest's is (and the diagnostic the user sees for it is pest's).

use crate::support::mutate::{mutants, sources};
use nshed::syntax::parse::pest_error_offset;
use nshed::syntax::{fast, parse, parse_file_pest};

#[derive(Debug, PartialEq)]
enum Outcome {
    /// Both parsers produced this AST.
    Same,
    /// Both refused the file, the first error at the same place.
    BothRefuse,
    /// The expression bounds refuse the file before either parser runs (`parse` scans for
    /// them first), so what the parsers would make of it never matters.
    Bounded,
}

/// Compares the two parsers on one source; panics when they disagree.
fn compare(label: &str, text: &str) -> Outcome {
    let pest_at = match pest_error_offset(text) {
        Ok(at) => at,
        Err(problem) => {
            let production = parse(text).errors.first().map(|p| p.code);
            assert_eq!(
                production,
                Some(problem.code),
                "{label}: the scan runs first"
            );
            return Outcome::Bounded;
        }
    };
    let fast = fast::parse(text);
    match (fast.errors.first(), pest_at) {
        (None, None) => {
            let pest = parse_file_pest(text).expect("pest accepts it");
            let fast = fast.file.expect("no error, so a tree");
            assert!(
                fast == pest,
                "{label}: the ASTs differ\nfast: {fast:#?}\npest: {pest:#?}\nsource:\n{text}"
            );
            Outcome::Same
        }
        (Some(error), Some(at)) => {
            assert!(
                fast.errors.windows(2).all(|w| w[0].at < w[1].at)
                    && fast.errors.iter().all(|e| e.at <= text.len()),
                "{label}: the errors are in source order, each once"
            );
            assert_eq!(
                error.at, at,
                "{label}: the first error is elsewhere (fast expected {:?})\n{text}",
                error.expected
            );
            // What the user sees first is pest's diagnostic, unchanged.
            let seen = parse(text).errors.first().map(|p| format!("{p:?}"));
            let reference = parse_file_pest(text).err().map(|p| format!("{p:?}"));
            assert_eq!(seen, reference, "{label}");
            Outcome::BothRefuse
        }
        (Some(error), None) => {
            panic!("{label}: the fast parser refuses what pest accepts ({error:?}):\n{text}")
        }
        (None, Some(at)) => {
            panic!("{label}: the fast parser accepts what pest refuses (at {at}):\n{text}")
        }
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
            Outcome::Bounded | Outcome::BothRefuse => refused += 1,
            Outcome::Same => {}
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
    let (mut same, mut refused) = (0, 0);
    for (i, mutant) in mutants(10_000).iter().enumerate() {
        let Some(text) = text_of(mutant) else {
            continue;
        };
        match compare(&format!("mutant {i}"), text) {
            Outcome::Same => same += 1,
            Outcome::BothRefuse | Outcome::Bounded => refused += 1,
        }
    }
    // Both kinds must be well represented for the comparison to mean something.
    assert!(same > 1_000, "only {same} mutants parsed");
    assert!(refused > 1_000, "only {refused} mutants refused");
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
        // Held-out data and files: contextual words as names, strings, broken forms.
        "model m { level a { from test copies loss } } data { from \"d.csv\" // f\n from: from -> test s: a -> b weight 2 }",
        "model m { level a { x } } test { copies 2 flip 0.5 from \"t e.csv\" t: x -> c copies: -> c }",
        "model m { level a { x } } test{from\"\"}data{from\"a\\b.csv\"}",
        "model m { level a { x } } data { from x.csv }",
        "model m { level a { x } } data { from \"x.csv }",
        "model m { level a { x } } data { from \"x\n.csv\" }",
        "model m { level a { x } } test { t: x -> c weight 2 }",
        "model m { level a { x } } test { noise flip 0.1 }",
        "model m { level a { x } } test { copies 1e3 flip 0.1 }",
        "model m { level a { x } } test { copies 3 }",
        "model m { level a { x } } test x",
        "model m { level a { x } } test",
        "model m { level a { x } } train { record every 1 { loss test_accuracy test_loss } }",
    ];
    for (i, text) in cases.iter().enumerate() {
        compare(&format!("case {i}"), text);
    }
    expect_layouts_parse_alike();
    // The valid ones among them must take the fast path.
    for i in [0, 1, 2, 3, 4, 5, 6, 12, 13, 15, 17, 18, 22, 23, 24, 25, 35] {
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
        "expect { pathway x has z y\n test accuracy >= 0.5 loss<1 test  loss = 2 within 1 }",
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
        "expect { test x >= 1 }",
        "expect { test }",
        "expect { loss }",
        "expect { pathway x has loss }",
        "expect { accuracy loss }",
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
