//! Which models `nshed test` runs: the files named, and every `*.nshed` below the
//! directories named, in path order (the walk of `fsio::walk`).

use std::path::PathBuf;

use crate::diag::{ErrorCode, Problem};
use crate::fsio::Found;

/// The extension of model files found in directories.
pub const MODEL_EXTENSION: &str = "nshed";

/// The model files under `paths` (the current directory when empty), sorted by path, each
/// once, and what was skipped (see [`crate::fsio::walk`]: hidden entries, links to
/// directories and anything that is not a regular file are not tested). A path that does
/// not exist or cannot be read is a problem.
pub fn discover(paths: &[PathBuf]) -> Result<Found, Problem> {
    let default = [PathBuf::from(".")];
    let roots = if paths.is_empty() {
        &default[..]
    } else {
        paths
    };
    crate::fsio::walk(roots, MODEL_EXTENSION).map_err(|e| {
        let help = match e.error.kind() {
            std::io::ErrorKind::NotFound => {
                "give a model file or a directory of models, for example `nshed test examples`"
            }
            std::io::ErrorKind::PermissionDenied => "check the permissions",
            _ => "check the path",
        };
        Problem::error(ErrorCode::TestPath, e.to_string()).help(help)
    })
}
