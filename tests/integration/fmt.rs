//! `nshed fmt` and the printer behind it (`syntax::print`): the formatted file has the
//! same AST (spans aside) and so the same IR, keeps every comment in order, and
//! formatting twice changes nothing; over the corpus, generated models and mutants.

use nshed::syntax::print::format_source;
use nshed::syntax::{lex, parse_file};
use serde_json::Value;

use crate::support::cli::{nshed, nshed_stdin};
use crate::support::mutate::{mutants, sources};

/// The AST as JSON with every span left out: what the file says, not where.
fn shape(text: &str) -> Option<Value> {
    fn strip(v: &mut Value) {
        match v {
            Value::Object(map) => {
                map.remove("span");
                map.remove("header");
                // `by error` is a span when present: only whether it is there counts.
                if let Some(by_error) = map.get_mut("by_error") {
                    *by_error = Value::Bool(!by_error.is_null());
                }
                map.values_mut().for_each(strip);
            }
            Value::Array(items) => items.iter_mut().for_each(strip),
            _ => {}
        }
    }
    let file = parse_file(text).ok()?;
    let mut json = serde_json::to_value(&file).expect("the AST serialises");
    strip(&mut json);
    Some(json)
}

fn comments(text: &str) -> Vec<String> {
    lex::tokens(text)
        .into_iter()
        .filter(|t| t.kind == lex::TokenKind::Comment)
        .map(|t| t.text(text).trim_end().to_string())
        .collect()
}

fn ir_json(name: &str, text: &str) -> Result<String, Vec<&'static str>> {
    let source = nshed::source::Source {
        name: name.to_string(),
        text: text.to_string(),
    };
    match nshed::compile(source) {
        Ok(c) => Ok(serde_json::to_string(c.ir()).expect("IR serialises")),
        Err(report) => Err(report.problems.iter().map(|p| p.code.as_str()).collect()),
    }
}

/// Formats `text` (which must parse) and checks every promise of the printer. Returns
/// the formatted text.
fn check_formatting(label: &str, text: &str) -> String {
    let formatted = format_source(text).unwrap_or_else(|p| panic!("{label}: {p:?}"));
    let again = format_source(&formatted).unwrap_or_else(|p| {
        panic!("{label}: the formatted text does not parse: {p:?}\n{formatted}")
    });
    assert_eq!(
        again, formatted,
        "{label}: formatting is not idempotent\n{text}"
    );
    assert_eq!(
        shape(&formatted),
        shape(text),
        "{label}: the formatted file says something else\n--- before\n{text}\n--- after\n{formatted}"
    );
    assert_eq!(
        comments(&formatted),
        comments(text),
        "{label}: comments differ\n{formatted}"
    );
    assert_eq!(
        ir_json(label, &formatted),
        ir_json(label, text),
        "{label}: the IR (or the problems) differ"
    );
    formatted
}

#[test]
fn the_corpus_keeps_its_ir_and_comments() {
    let mut n = 0;
    for dir in ["examples", "tests/models", "tests/bad"] {
        for bytes in sources(dir) {
            let Ok(text) = std::str::from_utf8(&bytes) else {
                continue;
            };
            if parse_file(text).is_ok() {
                check_formatting(dir, text);
                n += 1;
            }
        }
    }
    assert!(n >= 60, "only {n} files formatted");
}

#[test]
fn generated_models_keep_their_ir() {
    for (nodes, levels, seed) in [(30, 2, 0), (200, 4, 1), (2_000, 6, 2)] {
        let text = nshed::gen::generate_sized(nodes, levels, seed);
        let formatted = check_formatting("generated", &text);
        // Long lists keep their line breaks: no line grows.
        let longest = |t: &str| t.lines().map(str::len).max().unwrap_or(0);
        assert!(longest(&formatted) <= longest(&text));
    }
}

#[test]
fn mutants_that_parse_keep_their_meaning() {
    // Mutants of tests/bad's longest accepted expressions (1000 operators, 64 levels) make
    // trees as deep as the bounds allow; `check_formatting` walks them several times
    // (print, compare, IR). The binary's main thread has 8 MiB of stack; a test thread has
    // 2 MiB, which the unoptimised frames of a debug build exceed. Give this one the main
    // thread's stack.
    let worker = std::thread::Builder::new()
        .stack_size(8 << 20)
        .spawn(|| {
            let mut parsed = 0;
            for mutant in mutants(10_000) {
                let Ok(text) = String::from_utf8(mutant) else {
                    continue;
                };
                if parse_file(&text).is_ok() {
                    check_formatting("mutant", &text);
                    parsed += 1;
                }
            }
            parsed
        })
        .unwrap();
    let parsed = worker.join().unwrap();
    assert!(parsed > 500, "only {parsed} mutants parse");
}

#[test]
fn the_layout_is_normalised() {
    let messy = "model   m{level input{a b
c}
level mid{h=any(a,b,)   g = atleast 1 of(b , c)}
classes{k<-h,g   j <- g}}
init{lambda=uniform( 0,1 ) eta h->k=2}
rules{grow=mul 1.1 shrink level mid=sub(1+2)*3^-1 grow eta h->k = shrink g = keep jitter=0.5}
data{s1:a b->k weight 2 s2 : -> j noise flip 0.1}
train{seed 3 sampler   cycle phase p{steps 2 batch 1}phase q{steps 1 freeze input,eta grow=mul 2}phase r{steps 1 freeze input}
record every 5{lambda
eta}}
";
    let expected = "model m {
  level input {
    a b
    c
  }
  level mid {
    h = any(a, b)
    g = atleast 1 of (b, c)
  }
  classes {
    k <- h, g
    j <- g
  }
}

init {
  lambda = uniform(0, 1)
  eta h -> k = 2
}

rules {
  grow = mul 1.1
  shrink level mid = sub (1 + 2)*3^-1
  grow eta h -> k = shrink g = keep
  jitter = 0.5
}

data {
  s1: a b -> k weight 2
  s2: -> j
  noise flip 0.1
}

train {
  seed 3
  sampler cycle
  phase p { steps 2 batch 1 }
  phase q {
    steps 1
    freeze input, eta
    grow = mul 2
  }
  phase r { steps 1 freeze input }
  record every 5 {
    lambda
    eta
  }
}
";
    assert_eq!(check_formatting("messy", messy), expected);
}

#[test]
fn error_driven_rules_keep_their_ir() {
    // `by error` after an expression, after `keep`, split by a comment (which moves
    // before its statement, as comments inside a statement do), in a phase.
    let messy = "model m { level input { a b } level mid { h = any(a, b) } classes { k <- h } }
rules{grow=mul 1.5   by
error shrink level mid=sub(1+2)*3^-1 by error shrink eta h->k = keep by // why
 error grow eta = add 0.5 by error}
data { s1: a b -> k }
train{phase p{steps 2 grow = mul 2 by error}}
";
    let expected = "model m {
  level input { a b }
  level mid {
    h = any(a, b)
  }
  classes {
    k <- h
  }
}

rules {
  grow = mul 1.5 by error
  shrink level mid = sub (1 + 2)*3^-1 by error
  // why
  shrink eta h -> k = keep by error
  grow eta = add 0.5 by error
}

data {
  s1: a b -> k
}

train {
  phase p {
    steps 2
    grow = mul 2 by error
  }
}
";
    let formatted = check_formatting("by error", messy);
    assert_eq!(formatted, expected);
    // The IR says the rules are error-driven (and the plain twin's differs).
    let ir = ir_json("by error", &formatted).expect("compiles");
    assert!(
        ir.contains(r#"{"kind":"mul_by_error","factor":1.5}"#),
        "{ir}"
    );
    assert!(
        ir.contains(r#"{"kind":"sub_by_error","amount":1.0}"#),
        "{ir}"
    );
    let plain = formatted.replace(" by error", "");
    assert_ne!(ir_json("plain", &plain).expect("compiles"), ir);
}

#[test]
fn comments_stay_on_their_lines() {
    let text = "// header comment

// about the model
model m { // after the brace
  level input { a b }  // inputs
  // before mid

  level mid {
    h = any(a, // inside a rule
            b)  // after the rule
    // the last line of mid
  }
  classes {
    k <- h, // the first parent
         h2
  } // classes
}
// between blocks
rules {


  grow = mul 2 // two
  shrink = keep // keep it
}
// at the end
";
    let expected = "// header comment

// about the model
model m {  // after the brace
  level input { a b }  // inputs
  // before mid

  level mid {
    h = any(a,  // inside a rule
            b)  // after the rule
    // the last line of mid
  }
  classes {
    k <- h,  // the first parent
         h2
  }  // classes
}

// between blocks
rules {
  grow = mul 2   // two
  shrink = keep  // keep it
}
// at the end
";
    assert_eq!(check_formatting("comments", text), expected);
}

#[test]
fn blank_lines_inside_blocks_are_kept_once_and_parentheses_as_written() {
    let text = "model m {
  level input { a }


  classes {
    k <- a
  }
}

rules {
  grow = mul ((1.5))
  shrink = mul 1.022^(-1/4) * (2)
}
";
    let expected = "model m {
  level input { a }

  classes {
    k <- a
  }
}

rules {
  grow = mul (1.5)
  shrink = mul 1.022^(-1/4)*(2)
}
";
    assert_eq!(check_formatting("blank", text), expected);
}

// ---------------------------------------------------------------- the command

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn examples_and_test_models_are_formatted() {
    let out = nshed(&["fmt", "--check", "examples", "tests/models"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "run `nshed fmt examples tests/models`; not formatted:\n{}",
        text(&out.stdout)
    );
    assert!(out.stdout.is_empty());
}

#[test]
fn fmt_rewrites_files_in_place_and_check_lists_the_ones_that_would_change() {
    let dir = tempfile::tempdir().unwrap();
    let messy = dir.path().join("messy.nshed");
    let tidy = dir.path().join("tidy.nshed");
    std::fs::write(&messy, "model m{level a{x}classes{k<-x}}\n").unwrap();
    std::fs::write(
        &tidy,
        "model m {\n  level a { x }\n  classes {\n    k <- x\n  }\n}\n",
    )
    .unwrap();
    let (messy_s, tidy_s) = (messy.to_str().unwrap(), tidy.to_str().unwrap());

    let out = nshed(&["fmt", "--check", messy_s, tidy_s]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(text(&out.stdout), format!("{messy_s}\n"));
    assert_eq!(
        text(&out.stderr),
        "1 file is not formatted; `nshed fmt FILE` rewrites it\n"
    );
    // --check changes nothing.
    assert_eq!(
        std::fs::read_to_string(&messy).unwrap(),
        "model m{level a{x}classes{k<-x}}\n"
    );

    let out = nshed(&["fmt", messy_s, tidy_s]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(
        std::fs::read_to_string(&messy).unwrap(),
        std::fs::read_to_string(&tidy).unwrap()
    );
    // Nothing but the files themselves: no temporary file is left behind.
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 2);

    let out = nshed(&["fmt", "--check", dir.path().to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0));
}

#[test]
fn fmt_never_touches_a_file_with_a_syntax_error() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.nshed");
    let good = dir.path().join("good.nshed");
    let broken = "model m{level a{x y = }}\n";
    std::fs::write(&bad, broken).unwrap();
    std::fs::write(&good, "model m{level a{x}classes{k<-x}}\n").unwrap();
    let out = nshed(&["fmt", bad.to_str().unwrap(), good.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(std::fs::read_to_string(&bad).unwrap(), broken);
    let err = text(&out.stderr);
    assert!(err.contains("nshed::syntax"), "{err}");
    assert!(err.contains("expected a rule"), "{err}");
    // The good file is still formatted.
    assert_eq!(
        std::fs::read_to_string(&good).unwrap(),
        "model m {\n  level a { x }\n  classes {\n    k <- x\n  }\n}\n"
    );
}

#[test]
fn fmt_dash_reads_stdin_and_writes_stdout() {
    let out = nshed_stdin(&["fmt", "-"], b"model m{level a{x}classes{k<-x}} // c\n");
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(
        text(&out.stdout),
        "model m {\n  level a { x }\n  classes {\n    k <- x\n  }\n}  // c\n"
    );
    let out = nshed_stdin(
        &["fmt", "--check", "-"],
        b"model m{level a{x}classes{k<-x}}\n",
    );
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(text(&out.stdout), "<stdin>\n");
    let out = nshed_stdin(&["fmt", "-"], b"model m {\n");
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty());
}
