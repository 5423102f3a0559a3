//! The one file the page edits: read at start (through the library's bounded reader),
//! written back only when the user saves (through the library's atomic writer), and never
//! over a version changed on disk since it was read unless the user says so.

use std::path::PathBuf;

use crate::cli::CliError;
use nshed::persist::source_hash;

/// Largest source the page edits: every edit crosses HTTP whole, so the request body
/// limit is this too.
pub const MAX_EDIT_BYTES: usize = 8 << 20;

/// FILE, with what is known of its contents on disk.
pub struct File {
    /// As given on the command line (how the page and diagnostics name it).
    pub name: String,
    path: PathBuf,
    /// The text read at start.
    pub text: String,
    /// SHA-256 of the text on disk when it was last read or written by us.
    disk_hash: String,
}

/// Why a save did not happen.
#[derive(Debug)]
pub enum SaveError {
    /// The file on disk is not what was read or last saved: saving would lose those edits.
    Changed,
    /// The text is larger than the page may edit.
    TooLarge(usize),
    /// The file could not be read or written.
    Io(String),
}

impl SaveError {
    pub fn message(&self, name: &str) -> String {
        match self {
            SaveError::Changed => format!(
                "`{name}` changed on disk since it was loaded; saving would replace those changes"
            ),
            SaveError::TooLarge(n) => {
                format!("the text is {n} bytes, more than the {MAX_EDIT_BYTES} the page may save")
            }
            SaveError::Io(reason) => format!("cannot save `{name}`: {reason}"),
        }
    }
}

impl File {
    /// Reads FILE (a missing file, a directory, an unreadable or non-UTF-8 file is the
    /// usual diagnostic of `nshed check`).
    pub fn load(name: &str) -> Result<File, CliError> {
        let source = nshed::source::load(name).map_err(CliError::model)?;
        if source.text.len() > MAX_EDIT_BYTES {
            return Err(CliError::failed(
                format!(
                    "`{name}` is {} bytes; the page edits files of up to {MAX_EDIT_BYTES} bytes",
                    source.text.len()
                ),
                Some("use `nshed run` and the other commands for a model this large".to_string()),
            ));
        }
        Ok(File {
            name: name.to_string(),
            path: PathBuf::from(name),
            disk_hash: source_hash(&source.text),
            text: source.text,
        })
    }

    /// Whether `text` is what the file held when last read or saved.
    pub fn is_saved(&self, text: &str) -> bool {
        source_hash(text) == self.disk_hash
    }

    /// Writes `text` to the file atomically. Unless `force`, refuses when the file on
    /// disk is no longer what was read or last saved (another editor changed it).
    pub fn save(&mut self, text: &str, force: bool) -> Result<(), SaveError> {
        if text.len() > MAX_EDIT_BYTES {
            return Err(SaveError::TooLarge(text.len()));
        }
        if !force {
            match nshed::source::load(&self.name) {
                Ok(on_disk) if source_hash(&on_disk.text) == self.disk_hash => {}
                Ok(_) => return Err(SaveError::Changed),
                // Gone, unreadable or no longer UTF-8: someone else changed it.
                Err(_) => return Err(SaveError::Changed),
            }
        }
        nshed::fsio::write_atomic(&self.path, text.as_bytes())
            .map_err(|e| SaveError::Io(nshed::source::io_reason(&e)))?;
        self.disk_hash = source_hash(text);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp_model(text: &str) -> (tempfile::TempDir, String) {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let path = dir.path().join("m.nshed");
        std::fs::write(&path, text).unwrap_or_else(|e| panic!("{e}"));
        (dir, path.display().to_string())
    }

    #[test]
    fn saving_writes_the_text_and_follows_its_own_saves() {
        let (_dir, path) = temp_model("a");
        let Ok(mut file) = File::load(&path) else {
            panic!("loads")
        };
        assert!(file.is_saved("a") && !file.is_saved("b"));
        assert!(file.save("b", false).is_ok());
        assert_eq!(std::fs::read_to_string(&path).ok().as_deref(), Some("b"));
        assert!(file.is_saved("b"));
        // Our own save is what is on disk now: the next save needs no confirmation.
        assert!(file.save("c", false).is_ok());
        assert_eq!(std::fs::read_to_string(&path).ok().as_deref(), Some("c"));
    }

    #[test]
    fn a_file_changed_on_disk_is_not_overwritten_without_force() {
        let (_dir, path) = temp_model("a");
        let Ok(mut file) = File::load(&path) else {
            panic!("loads")
        };
        std::fs::write(&path, "changed elsewhere").unwrap_or_else(|e| panic!("{e}"));
        assert!(matches!(file.save("b", false), Err(SaveError::Changed)));
        assert_eq!(
            std::fs::read_to_string(&path).ok().as_deref(),
            Some("changed elsewhere")
        );
        assert!(file.save("b", true).is_ok());
        assert_eq!(std::fs::read_to_string(&path).ok().as_deref(), Some("b"));
        std::fs::remove_file(&path).unwrap_or_else(|e| panic!("{e}"));
        assert!(matches!(file.save("c", false), Err(SaveError::Changed)));
        assert!(!std::path::Path::new(&path).exists());
    }
}
