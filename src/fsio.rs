//! Writing files so that a crash or Ctrl-C never leaves a half-written file where the
//! user's file was: write a temporary file beside it, fsync, rename over.

use crate::diag::ErrorCode;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

/// Reads `reader` to its end, but never more than `max + 1` bytes: a result longer than
/// `max` means the input is larger than `max` (and may be endless, like `/dev/zero`).
pub fn read_capped(reader: impl std::io::Read, max: usize) -> std::io::Result<Vec<u8>> {
    read_capped_into(reader, max, Vec::new())
}

/// [`read_capped`] appending to `bytes` (whose capacity the caller may have sized).
fn read_capped_into(
    reader: impl std::io::Read,
    max: usize,
    mut bytes: Vec<u8>,
) -> std::io::Result<Vec<u8>> {
    let limit = u64::try_from(max).unwrap_or(u64::MAX).saturating_add(1);
    reader.take(limit).read_to_end(&mut bytes)?;
    Ok(bytes)
}

/// [`read_capped`] for a file, into a buffer sized by the file's length: a growing buffer
/// ends up to twice the size of what it holds (a 62 MB model took a 64 MB buffer, and a
/// 5.7 MB one 8.4 MB). A file that changes size while read is still read whole.
pub fn read_file_capped(file: std::fs::File, max: usize) -> std::io::Result<Vec<u8>> {
    let length = file.metadata().map_or(0, |m| m.len());
    // One byte past the limit is read to tell "exactly `max`" from "larger".
    let capacity = usize::try_from(length)
        .unwrap_or(usize::MAX)
        .min(max.saturating_add(1));
    read_capped_into(file, max, Vec::with_capacity(capacity))
}

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
/// Replacing a file keeps what a user would expect of writing into it:
/// * a file this user may not write (read-only, someone else's) is refused, as writing
///   into it would be; the kernel decides, by opening it for writing as this user;
/// * the new file keeps the old one's permission bits (a `0600` file stays private, even
///   while the temporary file is being written) and, where allowed, its owner and group.
///
/// Two kinds of target are not regular files and get special care:
/// * a device, FIFO or socket (`/dev/null`, `/dev/stdout`, a named pipe) is written straight
///   into: renaming a temporary file over it would replace the device itself with a file;
/// * a symbolic link keeps being a link: the file it points to is replaced atomically.
///
/// Dropped without `commit`, the writer removes its temporary file (an early return or a
/// panic leaves nothing behind).
pub struct AtomicWriter {
    out: std::io::BufWriter<std::fs::File>,
    /// `(temporary file, final path)`; `None` when writing straight into a device, or once
    /// the temporary file is gone (committed or removed).
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
        let existing = std::fs::metadata(&target).ok().filter(|m| m.is_file());
        if existing.is_some() {
            // Opening for writing (without truncating) changes nothing, and fails exactly
            // when this user may not write the file.
            std::fs::OpenOptions::new().write(true).open(&target)?;
        }
        let tmp = temp_path(&target);
        let file = create_temporary(&tmp, existing.as_ref())?;
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
        if result.is_ok() {
            // Renamed: there is no temporary file left to remove.
            self.rename = None;
        }
        result
    }

    /// Drops what was written; the file at the path is untouched.
    pub fn abandon(self) {
        // `Drop` removes the temporary file.
    }

    fn remove_temporary(&mut self) {
        if let Some((tmp, _)) = self.rename.take() {
            // Leave no stray temporary file behind; nothing else can be done on failure.
            let _ = std::fs::remove_file(tmp);
        }
    }
}

impl Drop for AtomicWriter {
    fn drop(&mut self) {
        self.remove_temporary();
    }
}

/// Creates the temporary file that will replace `existing` (or be a new file): with the
/// permission bits of the file it replaces, set before any byte is written, and its owner
/// and group where this user may set them.
fn create_temporary(
    tmp: &Path,
    existing: Option<&std::fs::Metadata>,
) -> std::io::Result<std::fs::File> {
    use std::os::unix::fs::{MetadataExt, OpenOptionsExt, PermissionsExt};
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    let Some(old) = existing else {
        // A new file gets the usual mode (0666 less the umask).
        return options.open(tmp);
    };
    // Private until its bits are set (a stale temporary file of the same name is reused).
    let file = options.mode(0o600).open(tmp)?;
    let set = (|| {
        let mode = old.mode() & 0o7777;
        let ours = file.metadata()?;
        if ours.uid() != old.uid() || ours.gid() != old.gid() {
            // Only root may give a file away, and only a member may set a group: keep
            // what is allowed, and this user's own otherwise.
            let _ = std::os::unix::fs::fchown(&file, Some(old.uid()), Some(old.gid()))
                .or_else(|_| std::os::unix::fs::fchown(&file, None, Some(old.gid())));
        }
        // After the owner: changing the owner clears the set-id bits.
        file.set_permissions(std::fs::Permissions::from_mode(mode))
    })();
    if let Err(e) = set {
        let _ = std::fs::remove_file(tmp);
        return Err(e);
    }
    Ok(file)
}

impl Write for AtomicWriter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.out.write(buf)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.out.flush()
    }
}

/// An output path that names one of the command's input files.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("the output `{}` is the input file `{}`: writing it would replace the input", .output.display(), .input.display())]
pub struct OutputIsInput {
    /// The output path as given.
    pub output: PathBuf,
    /// The input it resolves to, as given.
    pub input: PathBuf,
}

impl OutputIsInput {
    /// The diagnostic's code.
    pub const CODE: ErrorCode = ErrorCode::IoOutputIsInput;

    /// What to do about it.
    pub fn help(&self) -> &'static str {
        "write the output to another file; nshed never writes over the files it reads"
    }

    /// The problem as a diagnostic (no source spans).
    pub fn problem(&self) -> crate::diag::Problem {
        crate::diag::Problem::error(Self::CODE, self.to_string()).help(self.help())
    }
}

/// The files a command reads, so that it can refuse to write an output over one of them.
/// Paths are compared by device and inode: `./m.nshed`, `dir/../m.nshed`, a symbolic link
/// and a hard link to `m.nshed` are all `m.nshed`.
///
/// ```no_run
/// # fn main() -> Result<(), nshed::fsio::OutputIsInput> {
/// let outputs = nshed::fsio::Outputs::new(["m.nshed", "run.state.json"]);
/// outputs.check("result.svg")?;
/// # Ok(()) }
/// ```
#[derive(Clone, Debug, Default)]
pub struct Outputs {
    /// `(path as given, (device, inode))` of every input that exists.
    inputs: Vec<(PathBuf, (u64, u64))>,
}

impl Outputs {
    /// Remembers `inputs`; those that do not exist (or `-`, standard input) cannot be
    /// written over and are left out.
    pub fn new<I>(inputs: I) -> Outputs
    where
        I: IntoIterator,
        I::Item: AsRef<Path>,
    {
        let mut outputs = Outputs::default();
        for input in inputs {
            outputs.add(input);
        }
        outputs
    }

    /// Adds one more input (a file read later, like a state restored in the REPL).
    pub fn add(&mut self, input: impl AsRef<Path>) {
        let input = input.as_ref();
        if input == Path::new("-") {
            return;
        }
        if let Some(id) = file_id(input) {
            self.inputs.push((input.to_path_buf(), id));
        }
    }

    /// `Err` when `output` resolves to one of the inputs.
    pub fn check(&self, output: impl AsRef<Path>) -> Result<(), OutputIsInput> {
        let output = output.as_ref();
        if output == Path::new("-") {
            return Ok(());
        }
        let Some(id) = file_id(output) else {
            return Ok(());
        };
        match self.inputs.iter().find(|(_, input)| *input == id) {
            Some((input, _)) => Err(OutputIsInput {
                output: output.to_path_buf(),
                input: input.clone(),
            }),
            None => Ok(()),
        }
    }
}

/// Device and inode of the file `path` resolves to (following links).
fn file_id(path: &Path) -> Option<(u64, u64)> {
    use std::os::unix::fs::MetadataExt;
    std::fs::metadata(path).ok().map(|m| (m.dev(), m.ino()))
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
    fn the_target_keeps_its_permission_bits() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().expect("temp dir");
        let mode_of = |p: &Path| std::fs::metadata(p).expect("stat").permissions().mode() & 0o7777;
        for mode in [0o600, 0o640, 0o755, 0o444] {
            let path = dir.path().join(format!("out-{mode:o}.json"));
            std::fs::write(&path, b"old").expect("write");
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(mode)).expect("chmod");
            // 0444 is read-only: only root may replace it (root passes the check).
            match write_atomic(&path, b"new") {
                Ok(()) => {
                    assert_eq!(mode_of(&path), mode, "mode {mode:o} kept");
                    assert_eq!(std::fs::read(&path).expect("read"), b"new");
                }
                Err(e) => {
                    assert_eq!(mode, 0o444, "{e}");
                    assert_eq!(e.kind(), std::io::ErrorKind::PermissionDenied);
                    assert_eq!(std::fs::read(&path).expect("read"), b"old");
                }
            }
        }
        // Through a link, the file it points to keeps its bits.
        let real = dir.path().join("real.csv");
        let link = dir.path().join("link.csv");
        std::fs::write(&real, b"old").expect("write");
        std::fs::set_permissions(&real, std::fs::Permissions::from_mode(0o600)).expect("chmod");
        std::os::unix::fs::symlink(&real, &link).expect("symlink");
        write_atomic(&link, b"new").expect("write");
        assert_eq!(mode_of(&real), 0o600);
    }

    #[test]
    fn the_temporary_file_is_private_while_written() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("secret.json");
        std::fs::write(&path, b"old").expect("write");
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).expect("chmod");
        let mut writer = AtomicWriter::create(&path).expect("create");
        writer.write_all(b"half").expect("write");
        let tmp = temp_path(&path);
        let mode = std::fs::metadata(&tmp)
            .expect("the temporary file")
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
        drop(writer);
        assert!(!tmp.exists(), "a dropped writer removes its temporary file");
        assert_eq!(std::fs::read(&path).expect("read"), b"old");
    }

    #[test]
    fn outputs_over_inputs_are_refused_by_inode() {
        let dir = tempfile::tempdir().expect("temp dir");
        let model = dir.path().join("m.nshed");
        let state = dir.path().join("s.json");
        std::fs::write(&model, b"model").expect("write");
        std::fs::write(&state, b"{}").expect("write");
        let link = dir.path().join("link.nshed");
        std::os::unix::fs::symlink(&model, &link).expect("symlink");
        let hard = dir.path().join("hard.nshed");
        std::fs::hard_link(&model, &hard).expect("hard link");
        let outputs = Outputs::new([model.as_path(), state.as_path(), Path::new("-")]);
        let dotted = dir.path().join(".").join("sub").join("..").join("m.nshed");
        std::fs::create_dir(dir.path().join("sub")).expect("mkdir");
        for output in [&model, &dotted, &link, &hard] {
            let err = outputs.check(output).expect_err("the model");
            assert_eq!(err.input, model);
            assert_eq!(&err.output, output);
            assert!(
                err.to_string().contains(&model.display().to_string()),
                "{err}"
            );
            assert!(
                err.to_string().contains(&output.display().to_string()),
                "{err}"
            );
        }
        assert_eq!(
            outputs.check(&state).map_err(|e| e.input),
            Err(state.clone())
        );
        for fine in [
            dir.path().join("new.svg"),
            PathBuf::from("-"),
            dir.path().join("sub"),
        ] {
            assert_eq!(outputs.check(&fine), Ok(()), "{}", fine.display());
        }
        assert_eq!(err_code(&outputs, &model), Some(OutputIsInput::CODE));
    }

    fn err_code(outputs: &Outputs, path: &Path) -> Option<ErrorCode> {
        outputs.check(path).err().map(|e| e.problem().code)
    }

    #[test]
    fn capped_reads_stop_after_the_limit() {
        let zero = std::fs::File::open("/dev/zero").expect("/dev/zero");
        assert_eq!(read_capped(zero, 1000).expect("read").len(), 1001);
        assert_eq!(read_capped(&b"short"[..], 1000).expect("read"), b"short");
    }

    #[test]
    fn a_file_is_read_into_a_buffer_of_its_size() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("model.nshed");
        let text: Vec<u8> = (0..100_003u32).map(|i| b'a' + (i % 26) as u8).collect();
        std::fs::write(&path, &text).expect("write");
        let open = || std::fs::File::open(&path).expect("open");
        let bytes = read_file_capped(open(), 1 << 20).expect("read");
        assert_eq!(bytes, text);
        assert_eq!(bytes.capacity(), text.len());
        // Over the limit: one byte past it, as `read_capped` reads.
        assert_eq!(read_file_capped(open(), 1000).expect("read").len(), 1001);
        let zero = std::fs::File::open("/dev/zero").expect("/dev/zero");
        assert_eq!(read_file_capped(zero, 1000).expect("read").len(), 1001);
    }

    #[test]
    fn a_directory_is_refused() {
        let dir = tempfile::tempdir().expect("temp dir");
        let err = write_atomic(dir.path(), b"x").expect_err("a directory");
        assert_eq!(err.to_string(), "it is a directory");
    }
}
