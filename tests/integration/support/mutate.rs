//! The fixed-seed source mutator shared by `check_mutations` (no panics) and
//! `fast_parse` (the fast parser agrees with pest): delete, duplicate, insert a token,
//! swap two spans.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// Tokens worth inserting besides the reserved words: punctuation, numbers (including
/// edge cases) and names, so that mutants reach the checker rather than stopping at the
/// parser.
const OTHER_TOKENS: &[&str] = &[
    "{",
    "}",
    "(",
    ")",
    ",",
    ":",
    "=",
    "->",
    "<-",
    "<=",
    ">=",
    ">",
    "{}",
    "+",
    "-",
    "*",
    "/",
    "^",
    "0",
    "1",
    "2",
    "0.5",
    "1e999",
    "-1",
    "99999999999999999999999",
    "1e-400",
    "e1",
    "m1",
    "t1",
    "c1",
    "x",
    "input",
    "parts",
    "//",
    "\n",
    " ",
    "é",
];

/// The `.nshed` files of `dir`, in name order.
pub fn sources(dir: &str) -> Vec<Vec<u8>> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut paths: Vec<_> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    paths.sort();
    paths
        .iter()
        .filter(|p| p.extension().is_some_and(|e| e == "nshed"))
        .filter_map(|p| std::fs::read(p).ok())
        .collect()
}

/// A random byte range of `bytes` (possibly empty), at most `max` long.
fn span(rng: &mut ChaCha8Rng, len: usize, max: usize) -> (usize, usize) {
    let start = rng.gen_range(0..=len);
    let end = (start + rng.gen_range(0..=max)).min(len);
    (start, end)
}

pub fn mutate(rng: &mut ChaCha8Rng, mut bytes: Vec<u8>) -> Vec<u8> {
    for _ in 0..rng.gen_range(1..=3) {
        let len = bytes.len();
        match rng.gen_range(0..4) {
            0 => {
                let (s, e) = span(rng, len, 12);
                bytes.drain(s..e);
            }
            1 => {
                let (s, e) = span(rng, len, 24);
                let copy: Vec<u8> = bytes[s..e].to_vec();
                let at = rng.gen_range(0..=len);
                bytes.splice(at..at, copy);
            }
            2 => {
                use nshed::syntax::words::{EXPECT_WORDS, RESERVED};
                let n_reserved = RESERVED.len();
                let n_words = n_reserved + EXPECT_WORDS.len();
                let pick = rng.gen_range(0..n_words + OTHER_TOKENS.len());
                let token = if pick < n_reserved {
                    RESERVED[pick]
                } else if pick < n_words {
                    EXPECT_WORDS[pick - n_reserved]
                } else {
                    OTHER_TOKENS[pick - n_words]
                };
                let at = rng.gen_range(0..=len);
                let mut insert = vec![b' '];
                insert.extend_from_slice(token.as_bytes());
                insert.push(b' ');
                bytes.splice(at..at, insert);
            }
            _ => {
                let (a0, a1) = span(rng, len, 8);
                let (b0, b1) = span(rng, len, 8);
                if a1 <= b0 {
                    let first = bytes[a0..a1].to_vec();
                    let second = bytes[b0..b1].to_vec();
                    bytes.splice(b0..b1, first);
                    bytes.splice(a0..a1, second);
                }
            }
        }
    }
    bytes
}

/// The `count` mutants of the front-end property tests, always the same ones: half from
/// the (few, valid) examples so that many reach the checker, half from `tests/bad/`.
pub fn mutants(count: usize) -> Vec<Vec<u8>> {
    let examples = sources("examples");
    let bad = sources("tests/bad");
    assert!(
        !examples.is_empty() && bad.len() >= 30,
        "expected examples and bad files"
    );
    let mut rng = ChaCha8Rng::seed_from_u64(0x6e_7368_6564);
    (0..count)
        .map(|i| {
            let original = if i % 2 == 0 {
                &examples[(i / 2) % examples.len()]
            } else {
                &bad[(i / 2) % bad.len()]
            };
            mutate(&mut rng, original.clone())
        })
        .collect()
}
