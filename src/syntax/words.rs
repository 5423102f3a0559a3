//! The one table of the language's words: which are reserved (never a name), which are
//! keywords only inside `expect` blocks, which only where they stand, and the words each
//! place of a file starts a statement with. The grammar (`grammar/nshed.pest`: its
//! `keyword` and `expect_word` rules), the fast parser, the syntax hints, completion and
//! the editor grammar (`editors/vscode/syntaxes/nshed.tmLanguage.json`) are held to it by
//! tests; everything in Rust reads it from here.

/// Which bytes some word of `words` starts with.
const fn first_bytes(words: &[&str]) -> [bool; 256] {
    let mut table = [false; 256];
    let mut i = 0;
    while i < words.len() {
        let bytes = words[i].as_bytes();
        if !bytes.is_empty() {
            table[bytes[0] as usize] = true;
        }
        i += 1;
    }
    table
}

/// Declares a list of words as a constant and a function that recognises them. The match
/// on literals compiles to a few length and byte comparisons: the parser asks it of every
/// name of a file (millions in a generated model), so it must not walk the list.
macro_rules! word_set {
    ($(#[$doc:meta])* $list:ident, $test:ident: $($word:literal)*) => {
        $(#[$doc])*
        pub const $list: &[&str] = &[$($word),*];

        #[doc = concat!("Whether `word` is one of [`", stringify!($list), "`].")]
        #[inline]
        pub fn $test(word: &str) -> bool {
            // Most names of a large model start with a letter no word of the list starts
            // with: one table lookup turns them away before the comparisons.
            const FIRST: [bool; 256] = first_bytes(&[$($word),*]);
            match word.as_bytes().first() {
                Some(&b) if FIRST[b as usize] => matches!(word, $($word)|*),
                _ => false,
            }
        }
    };
}

word_set!(
    /// Reserved words: never a node, level, class, sample or phase name (the grammar's
    /// `keyword` rule).
    RESERVED, is_reserved:
    "model" "level" "classes" "init" "rules" "data" "train" "phase" "grow" "shrink"
    "jitter" "lambda" "eta" "any" "all" "atleast" "of" "mul" "add" "sub" "keep" "noise"
    "flip" "weight" "seed" "sampler" "steps" "batch" "freeze" "record" "every"
    "eta_update" "union" "sample" "replace" "shuffle" "cycle" "uniform" "normal"
    "lognormal"
);

word_set!(
    /// Keywords inside `expect` blocks (the grammar's `expect_word`): a name written in an
    /// expectation cannot be one of them, so that a list of names (`pathway X has a b`)
    /// ends where the next expectation starts.
    EXPECT_WORDS, is_expect_word:
    "expect" "initial" "predict" "pathway" "is" "none" "has" "lacks" "le" "ln" "logit"
    "accuracy" "loss" "test" "within" "p"
);

word_set!(
    /// Keywords only where the grammar expects them, ordinary names everywhere else:
    /// `expect [initial] {` and `test {` at the top of a file, `by error` after an update,
    /// `from "FILE"` at the start of a line of `data` or `test` (a sample may still be
    /// called `from`: `from: a -> c`), `copies N flip q` in `test`. Not reserved, so that
    /// models written before these words existed keep their names.
    CONTEXTUAL, is_contextual:
    "expect" "initial" "test" "by" "error" "from" "copies"
);

/// The blocks that may follow the model and are reserved words.
pub const BLOCKS: &[&str] = &["init", "rules", "data", "train"];
/// Every block that may follow the model (the contextual `test` and `expect` too).
pub const ALL_BLOCKS: &[&str] = &["init", "rules", "data", "train", "test", "expect"];
/// What a `model` block holds.
pub const MODEL_ITEMS: &[&str] = &["level", "classes"];
/// The rules of a node.
pub const GATES: &[&str] = &["any", "all", "atleast"];
/// The start of an `init` line.
pub const INIT_TARGETS: &[&str] = &["lambda", "eta"];
/// Distributions of an `init` line.
pub const DISTRIBUTIONS: &[&str] = &["uniform", "normal", "lognormal"];
/// The start of a rule line.
pub const RULE_TARGETS: &[&str] = &["grow", "shrink"];
/// The statements of a `rules` block.
pub const RULES_ITEMS: &[&str] = &["grow", "shrink", "jitter"];
/// The statements of a phase.
pub const PHASE_ITEMS: &[&str] = &["grow", "shrink", "jitter", "steps", "batch", "freeze"];
/// Updates, and what may follow a rule line's `=` (another target).
pub const UPDATES: &[&str] = &["mul", "add", "sub", "keep"];
/// The statements of a `train` block.
pub const TRAIN_ITEMS: &[&str] = &["seed", "eta_update", "sampler", "phase", "record"];
/// The values of `eta_update`.
pub const ETA_UPDATES: &[&str] = &["union", "sample"];
/// The values of `sampler`.
pub const SAMPLERS: &[&str] = &["replace", "shuffle", "cycle"];
/// The keyword statements of a `data` block (samples start with their name).
pub const DATA_ITEMS: &[&str] = &["noise", "from"];
/// The keyword statements of a `test` block.
pub const TEST_ITEMS: &[&str] = &["from", "copies"];
/// The first words of expectations.
pub const EXPECTATIONS: &[&str] = &[
    "predict", "pathway", "p", "le", "lambda", "ln", "eta", "logit", "accuracy", "loss", "test",
];

word_set!(
    /// Words after which a statement goes on (they take a name, a number, a list or a
    /// block): a completion after one of them is no new statement.
    GOES_ON, goes_on:
    "level" "lambda" "eta" "grow" "shrink" "jitter" "mul" "add" "sub" "noise" "flip"
    "weight" "seed" "sampler" "eta_update" "steps" "batch" "freeze" "record" "every"
    "phase" "atleast" "of" "uniform" "normal" "lognormal" "model" "classes"
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_lists_recognise_exactly_their_words() {
        for (list, test) in [
            (RESERVED, is_reserved as fn(&str) -> bool),
            (EXPECT_WORDS, is_expect_word),
            (CONTEXTUAL, is_contextual),
            (GOES_ON, goes_on),
        ] {
            for word in list {
                assert!(test(word), "`{word}`");
                for near in [format!("{word}s"), format!("{word}_"), word.to_uppercase()] {
                    assert!(!test(&near) || list.contains(&near.as_str()), "`{near}`");
                }
            }
        }
    }

    #[test]
    fn every_statement_word_is_a_keyword_of_the_table() {
        let known = |w: &str| is_reserved(w) || is_contextual(w) || is_expect_word(w);
        for list in [
            BLOCKS,
            ALL_BLOCKS,
            MODEL_ITEMS,
            GATES,
            INIT_TARGETS,
            DISTRIBUTIONS,
            RULE_TARGETS,
            RULES_ITEMS,
            PHASE_ITEMS,
            UPDATES,
            TRAIN_ITEMS,
            ETA_UPDATES,
            SAMPLERS,
            DATA_ITEMS,
            TEST_ITEMS,
            EXPECTATIONS,
            GOES_ON,
        ] {
            for word in list {
                assert!(known(word), "`{word}` is in no list of the table");
            }
        }
        for word in BLOCKS {
            assert!(is_reserved(word));
        }
        // A contextual word is never reserved: that is what keeps old names valid.
        for word in CONTEXTUAL {
            assert!(!is_reserved(word), "`{word}`");
        }
    }

    /// The words of the editor grammar's alternations `(?:a|b|c)` in the patterns of
    /// `repository.NAME`.
    fn editor_words(name: &str) -> Vec<String> {
        let grammar: serde_json::Value = serde_json::from_str(include_str!(
            "../../editors/vscode/syntaxes/nshed.tmLanguage.json"
        ))
        .expect("the editor grammar is JSON");
        let mut regexes = Vec::new();
        fn collect(v: &serde_json::Value, out: &mut Vec<String>) {
            match v {
                serde_json::Value::Object(o) => {
                    for (k, v) in o {
                        match v {
                            serde_json::Value::String(s) if k == "match" || k == "begin" => {
                                out.push(s.clone())
                            }
                            _ => collect(v, out),
                        }
                    }
                }
                serde_json::Value::Array(a) => a.iter().for_each(|v| collect(v, out)),
                _ => {}
            }
        }
        collect(&grammar["repository"][name], &mut regexes);
        let mut words = Vec::new();
        for regex in regexes {
            for group in regex.split("(?:").skip(1) {
                let Some(end) = group.find(')') else { continue };
                words.extend(
                    group[..end]
                        .split('|')
                        .filter(|w| w.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_'))
                        .map(str::to_string),
                );
            }
        }
        words
    }

    #[test]
    fn the_editor_grammar_knows_exactly_the_tables_words() {
        let keywords = editor_words("keywords");
        for word in RESERVED {
            assert!(
                keywords.iter().any(|w| w == word),
                "`{word}` is not highlighted"
            );
        }
        for word in ["test", "from", "copies"] {
            assert!(
                keywords.iter().any(|w| w == word),
                "`{word}` is not highlighted"
            );
        }
        let expect = editor_words("expect");
        for word in EXPECTATIONS.iter().chain(&["is", "has", "lacks", "within"]) {
            assert!(
                expect.iter().any(|w| w == word),
                "`{word}` in expect blocks"
            );
        }
        for name in ["keywords", "declarations", "expect"] {
            for word in editor_words(name) {
                assert!(
                    is_reserved(&word) || is_contextual(&word) || is_expect_word(&word),
                    "the editor grammar highlights `{word}`, which is no word of the table"
                );
            }
        }
    }
}
