//! The user's documentation: `docs/language.md` is the language reference, its example
//! models compile, every relative link of README.md and docs/ leads somewhere, and no text a
//! user reads (docs, examples, scripts, diagnostics) points to files users do not have (the
//! project's internal specification or its seed papers); the REPL's help, which is part of
//! the binary, is held to the same by a unit test in `src/repl/help.rs`.

use std::path::{Path, PathBuf};

use crate::support::cli::{nshed, nshed_stdin};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display()))
}

/// Files under `dir` (recursively) whose name ends with `suffix`, sorted.
fn files(dir: &Path, suffix: &str) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else if path.to_string_lossy().ends_with(suffix) {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}

/// The fenced code blocks of a markdown text: (info string, body).
fn code_blocks(markdown: &str) -> Vec<(String, String)> {
    let mut blocks = Vec::new();
    let mut current: Option<(String, String)> = None;
    for line in markdown.lines() {
        if let Some(info) = line.strip_prefix("```") {
            match current.take() {
                None => current = Some((info.trim().to_string(), String::new())),
                Some(block) => blocks.push(block),
            }
        } else if let Some((_, body)) = current.as_mut() {
            body.push_str(line);
            body.push('\n');
        }
    }
    blocks
}

/// Markdown text outside code blocks and inline code spans (links inside code are not links).
fn prose(markdown: &str) -> String {
    let mut out = String::new();
    let mut in_code = false;
    for line in markdown.lines() {
        if line.starts_with("```") {
            in_code = !in_code;
        } else if !in_code {
            // Every other backtick-delimited piece is code.
            for (i, piece) in line.split('`').enumerate() {
                if i % 2 == 0 {
                    out.push_str(piece);
                }
            }
            out.push('\n');
        }
    }
    out
}

/// A heading's anchor as GitHub makes it: lower case, punctuation dropped, spaces to `-`.
fn slug(heading: &str) -> String {
    heading
        .trim()
        .to_lowercase()
        .chars()
        .filter(|c| c.is_alphanumeric() || matches!(c, ' ' | '-' | '_'))
        .map(|c| if c == ' ' { '-' } else { c })
        .collect()
}

fn anchors(markdown: &str) -> Vec<String> {
    let mut in_code = false;
    markdown
        .lines()
        .filter(|l| {
            if l.starts_with("```") {
                in_code = !in_code;
            }
            !in_code
        })
        .filter_map(|l| l.strip_prefix('#'))
        .map(|l| slug(l.trim_start_matches('#')))
        .collect()
}

/// The targets of the inline links `[text](target)` of a markdown text.
fn link_targets(markdown: &str) -> Vec<String> {
    let text = prose(markdown);
    let mut targets = Vec::new();
    let mut rest = text.as_str();
    while let Some(i) = rest.find("](") {
        rest = &rest[i + 2..];
        if let Some(end) = rest.find(')') {
            targets.push(rest[..end].to_string());
            rest = &rest[end..];
        }
    }
    targets
}

#[test]
fn every_example_model_of_the_language_reference_checks() {
    let text = read(&root().join("docs/language.md"));
    let dir = tempfile::tempdir().unwrap();
    let mut checked = 0;
    for (i, (info, body)) in code_blocks(&text).into_iter().enumerate() {
        // A complete file: comment lines, then the model block.
        let first = body
            .lines()
            .find(|l| !l.trim().is_empty() && !l.trim_start().starts_with("//"));
        if info != "nshed" || !first.is_some_and(|l| l.starts_with("model ")) {
            continue;
        }
        let path = dir.path().join(format!("block{i}.nshed"));
        std::fs::write(&path, &body).unwrap();
        let out = nshed(&["check", path.to_str().unwrap()]);
        assert!(
            out.status.success(),
            "example {i} of docs/language.md does not check:\n{body}\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
        // Already in `nshed fmt`'s layout, so a reader who copies it and formats it sees no
        // change (fmt aligns trailing comments, never `=` or `:`).
        let formatted = nshed_stdin(&["fmt", "-"], body.as_bytes());
        assert!(formatted.status.success());
        assert_eq!(
            String::from_utf8_lossy(&formatted.stdout),
            body,
            "example {i} of docs/language.md is not in `nshed fmt`'s layout"
        );
        checked += 1;
    }
    // pets, fig1, ini, rl, jit, dat, frz, rec, big.
    assert!(checked >= 9, "only {checked} complete examples found");
}

/// README.md and docs/testing.md list every example the tool runs, and the README's
/// `nshed test examples` transcript is what the command prints.
#[test]
fn readme_and_testing_guide_list_every_example() {
    let readme = read(&root().join("README.md"));
    let testing = read(&root().join("docs/testing.md"));
    let examples = files(&root().join("examples"), ".nshed");
    assert!(examples.len() >= 9, "{examples:?}");
    for path in &examples {
        let name = path.file_name().unwrap().to_string_lossy();
        assert!(
            readme.contains(&format!("| `examples/{name}` |")),
            "README.md's table of examples lacks {name}"
        );
        assert!(
            testing.contains(&format!("| `{name}` |")),
            "docs/testing.md's table of examples lacks {name}"
        );
    }
    let out = nshed(&["test", "examples"]);
    assert!(out.status.success());
    let shown = code_blocks(&readme)
        .into_iter()
        .map(|(_, body)| body)
        .find(|b| b.starts_with("$ nshed test examples\n"))
        .expect("README.md shows `nshed test examples`");
    assert_eq!(
        shown.trim_start_matches("$ nshed test examples\n"),
        String::from_utf8_lossy(&out.stdout),
        "README.md shows another output for `nshed test examples`"
    );
}

#[test]
fn relative_links_of_readme_and_docs_lead_somewhere() {
    let mut pages = vec![root().join("README.md")];
    pages.extend(files(&root().join("docs"), ".md"));
    let mut broken = Vec::new();
    for page in &pages {
        let text = read(page);
        let base = page.parent().unwrap();
        for target in link_targets(&text) {
            if target.contains("://") || target.starts_with("mailto:") {
                continue;
            }
            let (file, anchor) = match target.split_once('#') {
                Some((f, a)) => (f, Some(a)),
                None => (target.as_str(), None),
            };
            let path = if file.is_empty() {
                page.clone()
            } else {
                base.join(file)
            };
            if !path.exists() {
                broken.push(format!("{}: {target} (no such file)", page.display()));
                continue;
            }
            if let Some(anchor) = anchor {
                if !anchors(&read(&path)).iter().any(|a| a == anchor) {
                    broken.push(format!("{}: {target} (no such heading)", page.display()));
                }
            }
        }
    }
    assert!(broken.is_empty(), "broken links:\n{}", broken.join("\n"));
}

#[test]
fn readme_links_the_language_reference() {
    let readme = read(&root().join("README.md"));
    assert!(link_targets(&readme)
        .iter()
        .any(|t| t == "docs/language.md"));
    assert!(!readme.contains("../shared/"));
}

/// Words that point users to files they do not have.
fn internal_references(text: &str) -> Vec<String> {
    let mut found = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let lower = line.to_lowercase();
        if line.contains("SPEC") || lower.contains("seed 00") || lower.contains("seeds/") {
            found.push(format!("line {}: {}", n + 1, line.trim()));
        }
        if lower.contains("seed paper") {
            found.push(format!("line {}: {}", n + 1, line.trim()));
        }
    }
    found
}

#[test]
fn user_facing_text_names_no_internal_specification_or_seed_paper() {
    let mut sources: Vec<PathBuf> = files(&root().join("docs"), ".md");
    sources.extend(files(&root().join("examples"), ".nshed"));
    sources.extend(files(&root().join("scripts"), ".sh"));
    sources.push(root().join("grammar/nshed.pest"));
    // Rendered diagnostics of every bad input.
    sources.extend(
        files(&root().join("tests/integration/snapshots"), ".snap")
            .into_iter()
            .filter(|p| p.to_string_lossy().contains("check_bad")),
    );
    let mut problems = Vec::new();
    for path in &sources {
        for hit in internal_references(&read(path)) {
            problems.push(format!("{}: {hit}", path.display()));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn a_syntax_error_points_to_the_language_reference() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bad.nshed");
    std::fs::write(
        &path,
        "model m { level i { x } classes { c <- x } }\ninit { lambda = +2 }\n",
    )
    .unwrap();
    let out = nshed(&["check", path.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("help: nshed did not expect `+` here; see docs/language.md for the syntax"),
        "{stderr}"
    );
}

/// Every output shown in docs/phenomena.md is exactly what the command before it prints
/// (its figure and CSV files go to a temporary directory instead).
#[test]
fn phenomena_outputs_are_what_their_commands_print() {
    let text = read(&root().join("docs/phenomena.md"));
    let dir = tempfile::tempdir().unwrap();
    let mut command: Option<Vec<String>> = None;
    let mut compared = 0;
    for (info, body) in code_blocks(&text) {
        if info == "sh" {
            let lines: Vec<&str> = body.lines().collect();
            command = match lines.as_slice() {
                [line] if line.starts_with("nshed ") => {
                    Some(line.split_whitespace().skip(1).map(String::from).collect())
                }
                _ => None,
            };
            continue;
        }
        let Some(args) = command.take() else {
            continue;
        };
        let mut args = args;
        for i in 1..args.len() {
            if matches!(args[i - 1].as_str(), "--svg" | "--csv") {
                args[i] = dir.path().join(&args[i]).to_string_lossy().into_owned();
            }
        }
        let refs: Vec<&str> = args.iter().map(String::as_str).collect();
        let out = nshed(&refs);
        assert!(out.status.success(), "nshed {}", args.join(" "));
        assert_eq!(
            String::from_utf8_lossy(&out.stdout),
            body,
            "docs/phenomena.md shows another output for `nshed {}`",
            args.join(" ")
        );
        compared += 1;
    }
    // info-plane (lambda), info-plane (bins), info-plane (scores), le-matrix, regularize.
    assert_eq!(compared, 5);
}
