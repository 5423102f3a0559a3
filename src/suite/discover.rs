//! Which models `nshed test` runs: the files named, and every `*.nshed` below the
//! directories named, in path order.

use crate::diag::ErrorCode;
use std::path::{Path, PathBuf};

use crate::diag::Problem;

/// The extension of model files found in directories.
pub const MODEL_EXTENSION: &str = "nshed";

/// The model files under `paths` (the current directory when empty), sorted by path, each
/// once. A file is taken whatever its name; a directory gives every `*.nshed` below it,
/// except hidden files and directories (`.git`, ...); symbolic links to directories are not
/// followed (no cycles). A path that does not exist or cannot be read is a problem.
pub fn discover(paths: &[PathBuf]) -> Result<Vec<PathBuf>, Problem> {
    let default = [PathBuf::from(".")];
    let roots = if paths.is_empty() {
        &default[..]
    } else {
        paths
    };
    let mut found = Vec::new();
    for root in roots {
        let meta = std::fs::metadata(root).map_err(|e| unreadable(root, &e))?;
        if meta.is_dir() {
            walk(root, &mut found)?;
        } else {
            found.push(display_path(root));
        }
    }
    found.sort();
    // The same file named twice (`a.nshed`, `sub/../a.nshed`) is tested once.
    let mut seen = std::collections::HashSet::new();
    found.retain(|p| seen.insert(std::fs::canonicalize(p).unwrap_or_else(|_| p.clone())));
    Ok(found)
}

/// `./x/y.nshed` is shown as `x/y.nshed`.
fn display_path(path: &Path) -> PathBuf {
    path.strip_prefix(".")
        .ok()
        .filter(|rest| !rest.as_os_str().is_empty())
        .map_or_else(|| path.to_path_buf(), Path::to_path_buf)
}

fn walk(dir: &Path, found: &mut Vec<PathBuf>) -> Result<(), Problem> {
    let entries = std::fs::read_dir(dir).map_err(|e| unreadable(dir, &e))?;
    for entry in entries {
        let entry = entry.map_err(|e| unreadable(dir, &e))?;
        let path = entry.path();
        let kind = entry.file_type().map_err(|e| unreadable(&path, &e))?;
        let hidden = entry.file_name().to_string_lossy().starts_with('.');
        if kind.is_dir() {
            if !hidden {
                walk(&path, found)?;
            }
        } else if path.extension().is_some_and(|e| e == MODEL_EXTENSION) && !hidden {
            // A link to a file is a file; `is_file` follows it (and drops dangling links).
            if kind.is_file() || path.is_file() {
                found.push(display_path(&path));
            }
        }
    }
    Ok(())
}

fn unreadable(path: &Path, e: &std::io::Error) -> Problem {
    let shown = path.display();
    let help = match e.kind() {
        std::io::ErrorKind::NotFound => {
            "give a model file or a directory of models, for example `nshed test examples`"
        }
        std::io::ErrorKind::PermissionDenied => "check the permissions",
        _ => "check the path",
    };
    Problem::error(
        ErrorCode::TestPath,
        format!("cannot read `{shown}`: {}", crate::source::io_reason(e)),
    )
    .help(help)
}
