//! Tab completion by position: the first word completes to a command; after it, each
//! command completes what it takes there (`pathway` a sample or, inside `{...}`, an input
//! node; `le X Y` a class after `->`; `show lambda` a level or node; `set eta` an edge;
//! `:load`, `:save`, `:restore` and `draw` a file path).

use super::command::{command_words, INFO_PLANE_OPTIONS, SET_WORDS, SHOW_WORDS};
use super::help;

/// The names a completion can offer, from the loaded model (empty without one).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Vocabulary {
    /// Data sample names.
    pub samples: Vec<String>,
    /// Nodes of the input level (what a pattern `{...}` lists).
    pub inputs: Vec<String>,
    /// Every feature node.
    pub nodes: Vec<String>,
    pub classes: Vec<String>,
    pub levels: Vec<String>,
    /// Class edges, written `F->C`.
    pub edges: Vec<String>,
}

/// What the command before the cursor takes at the cursor.
enum Wanted<'v> {
    Nothing,
    Words(Vec<&'v str>),
    /// Inputs (`X`): a sample name, or input nodes inside `{`, or a class after `->`.
    Input,
    /// A file path, or for `draw`'s first argument, an input or a path.
    Path {
        or_input: bool,
    },
}

/// The completions of the word that ends at `pos` in `line`: where the replaced text
/// starts, and the candidates, sorted.
pub fn complete(vocab: &Vocabulary, line: &str, pos: usize) -> (usize, Vec<String>) {
    let pos = floor_char_boundary(line, pos);
    let head = &line[..pos];
    // The command is the first word of the input; inputs may span lines.
    let lead = head.len() - head.trim_start().len();
    let body = &head[lead..];
    let command_end = body.find(char::is_whitespace).map(|i| lead + i);
    let Some(command_end) = command_end else {
        // Still typing the command itself.
        let words = command_words()
            .into_iter()
            .filter(|w| w.starts_with(body))
            .map(str::to_string);
        return (lead, sorted(words.collect()));
    };
    let command = &head[lead..command_end];
    let args = &head[command_end..];
    let args_at = command_end;
    let wanted = wanted(vocab, command, args);
    match wanted {
        Wanted::Nothing => (pos, Vec::new()),
        Wanted::Words(words) => {
            let start = word_start(head, args_at, |c| c.is_whitespace());
            let prefix = &head[start..];
            (
                start,
                sorted(
                    words
                        .into_iter()
                        .filter(|w| w.starts_with(prefix))
                        .map(str::to_string)
                        .collect(),
                ),
            )
        }
        Wanted::Input => complete_input(vocab, head, args_at),
        Wanted::Path { or_input } => {
            let start = word_start(head, args_at, |c| c.is_whitespace());
            let prefix = &head[start..];
            let mut found = paths(prefix);
            if or_input {
                if head[args_at..].contains('{') {
                    return complete_input(vocab, head, args_at);
                }
                found.extend(
                    vocab
                        .samples
                        .iter()
                        .filter(|s| s.starts_with(prefix))
                        .cloned(),
                );
            }
            (start, sorted(found))
        }
    }
}

/// What `command` takes after `args` (the text between the command and the cursor).
fn wanted<'v>(vocab: &'v Vocabulary, command: &str, args: &str) -> Wanted<'v> {
    // Completed words before the cursor (the last one is being typed unless the text
    // ends in a blank).
    let mut done: Vec<&str> = args.split_whitespace().collect();
    if !args.ends_with(char::is_whitespace) {
        done.pop();
    }
    let names = |v: &'v [String]| v.iter().map(String::as_str).collect::<Vec<_>>();
    if command.starts_with(':') {
        let colon = super::command::resolve_colon(command);
        return match colon {
            Some(":load" | ":save" | ":restore") => Wanted::Path { or_input: false },
            Some(":help") if done.is_empty() => {
                Wanted::Words(help::COMMANDS.iter().map(|c| c.name).collect())
            }
            _ => Wanted::Nothing,
        };
    }
    match command {
        "pathway" | "scores" | "predict" | "step" => Wanted::Input,
        "le" if argument_index(args) < 2 => Wanted::Input,
        "accuracy" | "loss" if done.is_empty() => Wanted::Words(vec!["test", "data"]),
        "show" => match done.as_slice() {
            [] => Wanted::Words(SHOW_WORDS.to_vec()),
            ["lambda"] => {
                let mut words = names(&vocab.levels);
                words.extend(names(&vocab.nodes));
                Wanted::Words(words)
            }
            _ => Wanted::Nothing,
        },
        "set" => match done.as_slice() {
            [] => Wanted::Words(SET_WORDS.to_vec()),
            ["lambda"] => Wanted::Words(names(&vocab.nodes)),
            ["eta"] => Wanted::Words(names(&vocab.edges)),
            _ => Wanted::Nothing,
        },
        "info-plane" => Wanted::Words(
            INFO_PLANE_OPTIONS
                .iter()
                .copied()
                .filter(|w| !done.contains(w))
                .collect(),
        ),
        // `draw [X] PATH`: the first argument is an input or the path.
        "draw" => Wanted::Path {
            or_input: argument_index(args) == 0,
        },
        _ => Wanted::Nothing,
    }
}

/// Which argument the cursor is in (0-based): arguments are separated by blanks outside
/// braces, and `X -> C` with blanks around the arrow is one argument.
fn argument_index(args: &str) -> usize {
    let mut joined = String::new();
    for (i, part) in args.split("->").enumerate() {
        if i > 0 {
            joined.truncate(joined.trim_end().len());
            joined.push_str("->");
            joined.push_str(part.trim_start());
        } else {
            joined.push_str(part);
        }
    }
    let mut depth = 0i32;
    let mut count = 0;
    let mut in_word = false;
    for c in joined.chars() {
        match c {
            '{' => depth += 1,
            '}' => depth -= 1,
            _ => {}
        }
        if c.is_whitespace() && depth <= 0 {
            in_word = false;
        } else if !in_word {
            in_word = true;
            count += 1;
        }
    }
    // The word being typed is the last one counted; after a blank, a new one starts.
    if in_word {
        count - 1
    } else {
        count
    }
}

/// Completes within an input list (`X`, `{e1 e2}`, `{e1}->c1`, `a, b`): input nodes inside
/// an open `{`, classes right after `->`, sample names elsewhere.
fn complete_input(vocab: &Vocabulary, head: &str, args_at: usize) -> (usize, Vec<String>) {
    let args = &head[args_at..];
    let open = args.matches('{').count() > args.matches('}').count();
    let start = word_start(head, args_at, |c| {
        c.is_whitespace() || matches!(c, '{' | '}' | ',' | '>')
    });
    let prefix = &head[start..];
    let before = head[args_at..start].trim_end();
    let pool = if open {
        &vocab.inputs
    } else if before.ends_with("->") {
        &vocab.classes
    } else {
        &vocab.samples
    };
    (
        start,
        sorted(
            pool.iter()
                .filter(|w| w.starts_with(prefix))
                .cloned()
                .collect(),
        ),
    )
}

/// Where the word that ends at the end of `head` starts (not before `floor`).
fn word_start(head: &str, floor: usize, is_break: impl Fn(char) -> bool) -> usize {
    head[floor..]
        .char_indices()
        .rev()
        .find(|(_, c)| is_break(*c))
        .map_or(floor, |(i, c)| floor + i + c.len_utf8())
}

/// Files and directories whose path starts with `prefix` (directories end in `/`).
/// Hidden entries are offered only when the name typed so far starts with a dot.
fn paths(prefix: &str) -> Vec<String> {
    let (dir, name) = match prefix.rfind('/') {
        Some(i) => (&prefix[..=i], &prefix[i + 1..]),
        None => ("", prefix),
    };
    let listed = if dir.is_empty() { "." } else { dir };
    let Ok(entries) = std::fs::read_dir(listed) else {
        return Vec::new();
    };
    entries
        .flatten()
        .filter_map(|e| {
            let file = e.file_name().into_string().ok()?;
            if !file.starts_with(name) || (file.starts_with('.') && !name.starts_with('.')) {
                return None;
            }
            let is_dir = e.file_type().ok()?.is_dir()
                || (e.file_type().ok()?.is_symlink() && e.path().is_dir());
            Some(format!("{dir}{file}{}", if is_dir { "/" } else { "" }))
        })
        .collect()
}

fn sorted(mut words: Vec<String>) -> Vec<String> {
    words.sort();
    words.dedup();
    words
}

fn floor_char_boundary(s: &str, pos: usize) -> usize {
    let mut pos = pos.min(s.len());
    while !s.is_char_boundary(pos) {
        pos -= 1;
    }
    pos
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fig1() -> Vocabulary {
        let v = |xs: &[&str]| xs.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        Vocabulary {
            samples: v(&["c1a", "c1b", "c2", "c3"]),
            inputs: v(&["e1", "e2", "e3", "e4", "e5", "e6", "e7"]),
            nodes: v(&[
                "e1", "e2", "e3", "e4", "e5", "e6", "e7", "m1", "m2", "m3", "m4", "t1", "t2", "t3",
            ]),
            classes: v(&["c1", "c2", "c3"]),
            levels: v(&["input", "parts", "wholes"]),
            edges: v(&["t1->c1", "t1->c2", "t2->c2", "t3->c3"]),
        }
    }

    fn at_end(line: &str) -> (usize, Vec<String>) {
        complete(&fig1(), line, line.len())
    }

    fn words(xs: &[&str]) -> Vec<String> {
        xs.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn the_first_word_is_a_command() {
        // `parts` is a level: it cannot start a line.
        assert_eq!(at_end("pa"), (0, words(&["pathway"])));
        assert_eq!(at_end("le-m"), (0, words(&["le-matrix"])));
        assert_eq!(at_end("le"), (0, words(&["le", "le-matrix"])));
        assert_eq!(at_end(":re"), (0, words(&[":reload", ":restore"])));
        assert_eq!(at_end("  sh"), (2, words(&["show"])));
        assert_eq!(at_end("c1").1, Vec::<String>::new());
    }

    #[test]
    fn queries_take_samples_not_classes() {
        assert_eq!(at_end("scores c"), (7, words(&["c1a", "c1b", "c2", "c3"])));
        assert_eq!(at_end("pathway c1"), (8, words(&["c1a", "c1b"])));
        assert_eq!(
            at_end("predict {e1 e"),
            (12, words(&["e1", "e2", "e3", "e4", "e5", "e6", "e7"]))
        );
        assert_eq!(at_end("le c1a c"), (7, words(&["c1a", "c1b", "c2", "c3"])));
        assert_eq!(at_end("le {e1 e2}->c"), (12, words(&["c1", "c2", "c3"])));
        assert_eq!(at_end("le {e1 e2} -> c"), (14, words(&["c1", "c2", "c3"])));
        assert_eq!(at_end("step {e1}->c1, c1"), (15, words(&["c1a", "c1b"])));
        assert_eq!(at_end("le-matrix ").1, Vec::<String>::new());
        assert_eq!(at_end("train 1").1, Vec::<String>::new());
        // A pattern inside braces spanning lines still completes input nodes.
        assert_eq!(at_end("pathway {e1\ne").1.len(), 7);
    }

    #[test]
    fn arguments_are_counted_outside_braces() {
        assert_eq!(argument_index(" c1"), 0);
        assert_eq!(argument_index(" c1 "), 1);
        assert_eq!(argument_index(" {e1 e2} -> c"), 0);
        assert_eq!(argument_index(" {e1 e2} -> c1 c"), 1);
        assert_eq!(argument_index(" {e1 e"), 0);
        assert_eq!(argument_index(" c1a fig"), 1);
    }

    #[test]
    fn show_set_and_info_plane_take_their_words() {
        assert_eq!(at_end("show l"), (5, words(&["lambda"])));
        assert_eq!(at_end("show lambda p"), (12, words(&["parts"])));
        assert_eq!(
            at_end("show lambda m"),
            (12, words(&["m1", "m2", "m3", "m4"]))
        );
        assert_eq!(at_end("set e"), (4, words(&["eta"])));
        assert_eq!(at_end("set lambda t"), (11, words(&["t1", "t2", "t3"])));
        assert_eq!(at_end("set eta t1-"), (8, words(&["t1->c1", "t1->c2"])));
        assert_eq!(
            at_end("info-plane noise 0.1 "),
            (21, words(&["binning", "lambda", "scores"]))
        );
        assert_eq!(at_end(":help le"), (6, words(&["le", "le-matrix"])));
        assert_eq!(at_end(":h :rel"), (3, words(&[":reload"])));
    }

    #[test]
    fn paths_after_load_save_restore_and_draw() {
        let dir = tempfile::tempdir().expect("temp dir");
        let base = dir.path().to_str().expect("utf-8 temp path");
        std::fs::write(dir.path().join("model.nshed"), "").expect("write");
        std::fs::write(dir.path().join("state.json"), "").expect("write");
        std::fs::write(dir.path().join(".hidden"), "").expect("write");
        std::fs::create_dir(dir.path().join("models")).expect("mkdir");
        let line = format!(":load {base}/mo");
        assert_eq!(
            complete(&fig1(), &line, line.len()),
            (
                6,
                vec![format!("{base}/model.nshed"), format!("{base}/models/")]
            )
        );
        let line = format!(":restore {base}/s");
        assert_eq!(
            complete(&fig1(), &line, line.len()).1,
            vec![format!("{base}/state.json")]
        );
        let line = format!(":save {base}/");
        assert_eq!(complete(&fig1(), &line, line.len()).1.len(), 3);
        let line = format!(":save {base}/.h");
        assert_eq!(
            complete(&fig1(), &line, line.len()).1,
            vec![format!("{base}/.hidden")]
        );
        // `draw X PATH`: the second argument is a path; the first an input or a path.
        let line = format!("draw c1a {base}/mod");
        assert_eq!(
            complete(&fig1(), &line, line.len()).1,
            vec![format!("{base}/model.nshed"), format!("{base}/models/")]
        );
        assert_eq!(at_end("draw c1").1, words(&["c1a", "c1b"]));
        assert_eq!(at_end("draw {e").1.len(), 7);
    }
}
