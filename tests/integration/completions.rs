//! `nshed completions SHELL`: scripts that complete nshed's commands and flags.

use crate::support::cli::nshed;

fn script(shell: &str) -> String {
    let out = nshed(&["completions", shell]);
    assert_eq!(out.status.code(), Some(0), "{shell}");
    String::from_utf8(out.stdout).expect("UTF-8")
}

/// Runs the bash completion function on the words typed so far; the candidates.
fn bash_complete(script: &str, words: &[&str]) -> Vec<String> {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("nshed.bash");
    std::fs::write(&path, script).unwrap();
    let words_array: Vec<String> = words.iter().map(|w| format!("'{w}'")).collect();
    let program = format!(
        "source '{}'; COMP_WORDS=({}); COMP_CWORD={}; COMP_LINE='{}'; COMP_POINT=${{#COMP_LINE}}; _nshed nshed '{}' '{}'; printf '%s\\n' \"${{COMPREPLY[@]}}\"",
        path.display(),
        words_array.join(" "),
        words.len() - 1,
        words.join(" "),
        words[words.len() - 1],
        words.get(words.len().wrapping_sub(2)).copied().unwrap_or(""),
    );
    let out = std::process::Command::new("bash")
        .args(["-c", &program])
        .output()
        .expect("bash runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(str::to_string)
        .collect()
}

#[test]
fn bash_completes_commands_and_flags() {
    let script = script("bash");
    let mut commands = bash_complete(&script, &["nshed", "f"]);
    commands.sort();
    assert_eq!(commands, ["fmt", "fool"]);
    let flags = bash_complete(&script, &["nshed", "fmt", "--ch"]);
    assert_eq!(flags, ["--check"]);
    let formats = bash_complete(&script, &["nshed", "check", "--error-format", ""]);
    assert_eq!(formats, ["text", "json"]);
}

#[test]
fn zsh_and_fish_scripts_name_every_command() {
    let zsh = script("zsh");
    assert!(zsh.starts_with("#compdef nshed\n"), "{}", &zsh[..40]);
    let fish = script("fish");
    for command in ["check", "fmt", "completions", "repl"] {
        assert!(zsh.contains(&format!("'{command}:")), "zsh: {command}");
        assert!(
            fish.contains(&format!("-f -a \"{command}\"")),
            "fish: {command}"
        );
    }
}

#[test]
fn an_unknown_shell_is_a_usage_error() {
    let out = nshed(&["completions", "tcsh"]);
    assert_eq!(out.status.code(), Some(2));
}
