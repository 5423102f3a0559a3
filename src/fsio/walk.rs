//! Finding the files a command works on from the paths it was given: a file stands for
//! itself, a directory for every file with the extension below it. `nshed fmt` and
//! `nshed test` both walk with this.

use std::path::{Path, PathBuf};

use super::read::describe_kind;

/// What a walk found.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Found {
    /// The files, sorted by path, each once (a file named twice, or reached through a
    /// link and directly, is listed once, under the first of its paths).
    pub files: Vec<PathBuf>,
    /// Entries with the extension that are not regular files (a FIFO, a device, a link
    /// to nothing), with what they are: they are skipped, never opened.
    pub skipped: Vec<(PathBuf, String)>,
}

/// A path that could not be walked: it does not exist, or a directory cannot be listed.
#[derive(Debug, thiserror::Error)]
#[error("cannot read `{}`: {}", .path.display(), crate::source::io_reason(.error))]
pub struct WalkError {
    pub path: PathBuf,
    pub error: std::io::Error,
}

/// The files named by `roots`: a path that is not a directory is taken as it is (a pipe
/// given on the command line is read as `cat` would; it is the user's choice), a
/// directory gives every file ending in `.{extension}` below it, in any subdirectory.
///
/// The walk
/// * skips hidden files and directories (`.git`, editors' `.m.nshed.swp`);
/// * never follows a symbolic link to a directory (no loops, no file reached twice);
/// * takes a link to a regular file as that file;
/// * skips, with a note in [`Found::skipped`], entries with the extension that are not
///   regular files: a FIFO found in a directory would block a read until someone writes;
/// * keeps names that are not UTF-8 as they are.
///
/// `./x/y.nshed` is listed as `x/y.nshed`.
pub fn walk(roots: &[PathBuf], extension: &str) -> Result<Found, WalkError> {
    let mut found = Found::default();
    for root in roots {
        let meta = std::fs::metadata(root).map_err(|error| WalkError {
            path: root.clone(),
            error,
        })?;
        if meta.is_dir() {
            walk_dir(root, extension, &mut found)?;
        } else {
            found.files.push(display_path(root));
        }
    }
    found.files.sort();
    found.skipped.sort();
    let mut seen = std::collections::HashSet::new();
    found
        .files
        .retain(|p| seen.insert(std::fs::canonicalize(p).unwrap_or_else(|_| p.clone())));
    Ok(found)
}

/// `./x/y.nshed` is shown as `x/y.nshed`.
fn display_path(path: &Path) -> PathBuf {
    path.strip_prefix(".")
        .ok()
        .filter(|rest| !rest.as_os_str().is_empty())
        .map_or_else(|| path.to_path_buf(), Path::to_path_buf)
}

fn walk_dir(dir: &Path, extension: &str, found: &mut Found) -> Result<(), WalkError> {
    let unreadable = |path: &Path, error| WalkError {
        path: path.to_path_buf(),
        error,
    };
    let entries = std::fs::read_dir(dir).map_err(|e| unreadable(dir, e))?;
    for entry in entries {
        let entry = entry.map_err(|e| unreadable(dir, e))?;
        if entry.file_name().as_encoded_bytes().starts_with(b".") {
            continue;
        }
        let path = entry.path();
        // The entry itself: a link is not followed here.
        let kind = entry.file_type().map_err(|e| unreadable(&path, e))?;
        if kind.is_dir() {
            walk_dir(&path, extension, found)?;
            continue;
        }
        if path.extension().is_none_or(|e| e != extension) {
            continue;
        }
        if kind.is_file() {
            found.files.push(display_path(&path));
            continue;
        }
        // A link (followed now: a link to a directory named `*.nshed` is not walked) or
        // something that is not a file.
        match std::fs::metadata(&path) {
            Ok(target) if target.is_file() => found.files.push(display_path(&path)),
            Ok(target) if target.is_dir() => {}
            Ok(target) => {
                let what = if kind.is_symlink() {
                    format!("a link to {}", describe_kind(target.file_type()))
                } else {
                    describe_kind(kind).to_string()
                };
                found.skipped.push((display_path(&path), what));
            }
            Err(_) => found
                .skipped
                .push((display_path(&path), "a link to nothing".to_string())),
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::ffi::OsStrExt;

    #[test]
    fn links_fifos_hidden_entries_and_odd_names() {
        let dir = tempfile::tempdir().expect("temp dir");
        let root = dir.path();
        std::fs::create_dir_all(root.join("sub/deeper")).expect("mkdir");
        std::fs::create_dir(root.join(".hidden")).expect("mkdir");
        for name in [
            "a.nshed",
            "sub/b.nshed",
            "sub/deeper/c.nshed",
            ".hidden/d.nshed",
            ".e.nshed",
            "notes.txt",
        ] {
            std::fs::write(root.join(name), "model m {}").expect("write");
        }
        let odd = std::ffi::OsStr::from_bytes(b"caf\xe9.nshed");
        std::fs::write(root.join(odd), "model m {}").expect("write");
        // Loops and duplicates through links to directories.
        std::os::unix::fs::symlink(".", root.join("self")).expect("symlink");
        std::os::unix::fs::symlink("..", root.join("sub/up")).expect("symlink");
        std::os::unix::fs::symlink("sub", root.join("again.nshed")).expect("symlink");
        // A link to a file is that file; to nothing or to a device, skipped.
        std::os::unix::fs::symlink("a.nshed", root.join("link.nshed")).expect("symlink");
        std::os::unix::fs::symlink("gone", root.join("dangling.nshed")).expect("symlink");
        std::os::unix::fs::symlink("/dev/zero", root.join("zero.nshed")).expect("symlink");
        let fifo = root.join("pipe.nshed");
        let made = std::process::Command::new("mkfifo").arg(&fifo).status();
        assert!(made.is_ok_and(|s| s.success()), "mkfifo");

        let found = walk(&[root.to_path_buf()], "nshed").expect("walk");
        let names: Vec<Vec<u8>> = found
            .files
            .iter()
            .map(|p| {
                p.strip_prefix(root)
                    .expect("under root")
                    .as_os_str()
                    .as_bytes()
                    .to_vec()
            })
            .collect();
        assert_eq!(
            names,
            [
                b"a.nshed".to_vec(),
                b"caf\xe9.nshed".to_vec(),
                b"sub/b.nshed".to_vec(),
                b"sub/deeper/c.nshed".to_vec(),
            ]
        );
        let skipped: Vec<(String, &str)> = found
            .skipped
            .iter()
            .map(|(p, what)| {
                let name = p
                    .strip_prefix(root)
                    .expect("under root")
                    .display()
                    .to_string();
                (name, what.as_str())
            })
            .collect();
        assert_eq!(
            skipped,
            [
                ("dangling.nshed".to_string(), "a link to nothing"),
                ("pipe.nshed".to_string(), "a named pipe (FIFO)"),
                ("zero.nshed".to_string(), "a link to a character device"),
            ]
        );
        // Named twice, listed once.
        let twice = walk(&[root.join("a.nshed"), root.to_path_buf()], "nshed").expect("walk");
        assert_eq!(twice.files.len(), 4);
        let missing = walk(&[root.join("none")], "nshed").expect_err("missing");
        assert!(
            missing.to_string().ends_with("none`: no such file"),
            "{missing}"
        );
    }
}
