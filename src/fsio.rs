//! Writing files so that a crash or Ctrl-C never leaves a half-written file where the
//! user's file was: write a temporary file beside it, fsync, rename over.

use std::io::Write;
use std::path::{Path, PathBuf};

/// `dir/.name.tmp-PID` beside `path` (same directory, so the rename is atomic).
pub fn temp_path(path: &Path) -> PathBuf {
    let name = path
        .file_name()
        .map_or_else(|| "out".into(), |n| n.to_string_lossy().into_owned());
    let tmp = format!(".{name}.tmp-{}", std::process::id());
    match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir.join(tmp),
        _ => PathBuf::from(tmp),
    }
}

/// Writes `bytes` to `path` atomically (temp file + fsync + rename); see [`AtomicWriter`].
pub fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let mut writer = AtomicWriter::create(path)?;
    if let Err(e) = writer.write_all(bytes) {
        writer.abandon();
        return Err(e);
    }
    writer.commit()
}

/// A file written in pieces that appears at its path only when complete: the bytes go to a
/// temporary file beside it, which [`AtomicWriter::commit`] fsyncs and renames over the path.
///
/// Two kinds of target are not regular files and get special care:
/// * a device, FIFO or socket (`/dev/null`, `/dev/stdout`, a named pipe) is written straight
///   into: renaming a temporary file over it would replace the device itself with a file;
/// * a symbolic link keeps being a link: the file it points to is replaced atomically.
pub struct AtomicWriter {
    out: std::io::BufWriter<std::fs::File>,
    /// `(temporary file, final path)`; `None` when writing straight into a device.
    rename: Option<(PathBuf, PathBuf)>,
}

impl AtomicWriter {
    pub fn create(path: &Path) -> std::io::Result<AtomicWriter> {
        match std::fs::metadata(path) {
            Ok(meta) if meta.is_dir() => {
                return Err(std::io::Error::new(
                    std::io::ErrorKind::InvalidInput,
                    "it is a directory",
                ))
            }
            Ok(meta) if !meta.is_file() => {
                let device = std::fs::OpenOptions::new().write(true).open(path)?;
                return Ok(AtomicWriter {
                    out: std::io::BufWriter::new(device),
                    rename: None,
                });
            }
            _ => {}
        }
        let is_link = std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink());
        let target = if is_link {
            // A dangling link has nothing to canonicalise; write beside it as before.
            std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf())
        } else {
            path.to_path_buf()
        };
        let tmp = temp_path(&target);
        let file = std::fs::File::create(&tmp)?;
        Ok(AtomicWriter {
            out: std::io::BufWriter::new(file),
            rename: Some((tmp, target)),
        })
    }

    /// Flushes, fsyncs and renames the temporary file over the path.
    pub fn commit(mut self) -> std::io::Result<()> {
        let result = (|| {
            self.out.flush()?;
            if let Some((tmp, target)) = &self.rename {
                self.out.get_ref().sync_all()?;
                std::fs::rename(tmp, target)?;
            }
            Ok(())
        })();
        if result.is_err() {
            self.remove_temporary();
        }
        result
    }

    /// Drops what was written; the file at the path is untouched.
    pub fn abandon(self) {
        self.remove_temporary();
    }

    fn remove_temporary(&self) {
        if let Some((tmp, _)) = &self.rename {
            // Leave no stray temporary file behind; nothing else can be done on failure.
            let _ = std::fs::remove_file(tmp);
        }
    }
}

impl Write for AtomicWriter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.out.write(buf)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.out.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replaces_the_whole_file() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("state.json");
        write_atomic(&path, b"first version, rather long").expect("write");
        write_atomic(&path, b"second").expect("write");
        assert_eq!(std::fs::read(&path).expect("read"), b"second");
        let leftovers: Vec<_> = std::fs::read_dir(dir.path()).expect("list").collect();
        assert_eq!(leftovers.len(), 1);
    }

    #[test]
    fn a_failed_write_keeps_the_old_file() {
        let dir = tempfile::tempdir().expect("temp dir");
        let missing_dir = dir.path().join("no_such_dir").join("state.json");
        assert!(write_atomic(&missing_dir, b"x").is_err());
    }

    #[test]
    fn devices_are_written_into_not_replaced() {
        use std::os::unix::fs::FileTypeExt;
        write_atomic(Path::new("/dev/null"), b"discarded").expect("write /dev/null");
        let meta = std::fs::metadata("/dev/null").expect("stat");
        assert!(
            meta.file_type().is_char_device(),
            "/dev/null is still a device"
        );
    }

    #[test]
    fn a_symlink_stays_a_link() {
        let dir = tempfile::tempdir().expect("temp dir");
        let real = dir.path().join("real.svg");
        let link = dir.path().join("link.svg");
        std::fs::write(&real, b"old").expect("write");
        std::os::unix::fs::symlink(&real, &link).expect("symlink");
        write_atomic(&link, b"new").expect("write through the link");
        assert!(std::fs::symlink_metadata(&link)
            .expect("stat")
            .file_type()
            .is_symlink());
        assert_eq!(std::fs::read(&real).expect("read"), b"new");
    }

    #[test]
    fn a_directory_is_refused() {
        let dir = tempfile::tempdir().expect("temp dir");
        let err = write_atomic(dir.path(), b"x").expect_err("a directory");
        assert_eq!(err.to_string(), "it is a directory");
    }
}
