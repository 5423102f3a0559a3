//! The one writer of every file nshed writes: a crash, a signal or a full disk never
//! leaves a half-written file where the user's file was. The bytes go to a new file in the
//! target's directory, which is synced and renamed over the target, and the directory
//! synced after it.
//!
//! The new file is made so that nothing another user plants can be written through, and
//! so that a killed process leaves nothing behind where the system allows it:
//! * on Linux it is an unnamed file (`O_TMPFILE`): it has no name until it is complete,
//!   so a killed save leaves no stray file; it is then linked under a random name and
//!   renamed over the target;
//! * elsewhere (or where the file system has no unnamed files) it is created under a
//!   random name `.NAME.<16 hex digits>.tmp` with `O_CREAT | O_EXCL`, which fails rather
//!   than follow a link or open a file that is already there, and removed if the write
//!   fails or the writer is dropped.

use std::io::Write;
use std::path::{Path, PathBuf};

/// Writes `bytes` to `path` atomically; see [`AtomicWriter`].
pub fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let mut writer = AtomicWriter::create(path)?;
    if let Err(e) = writer.write_all(bytes) {
        writer.abandon();
        return Err(e);
    }
    writer.commit()
}

/// A file written in pieces that appears at its path only when complete.
///
/// Replacing a file keeps what a user would expect of writing into it:
/// * a file this user may not write (read-only, someone else's) is refused, as writing
///   into it would be; the kernel decides, by opening it for writing as this user;
/// * the new file has the old one's permission bits from the start (a `0600` file stays
///   private while it is written) and, where allowed, its owner and group.
///
/// Two kinds of target are not regular files and get special care:
/// * a device, FIFO or socket (`/dev/null`, `/dev/stdout`, a named pipe) is written straight
///   into: renaming a file over it would replace the device itself with a file;
/// * a symbolic link keeps being a link: the file it points to is replaced atomically.
///
/// Dropped without `commit`, the writer leaves no file behind (an early return or a panic
/// changes nothing on disk).
pub struct AtomicWriter {
    out: std::io::BufWriter<std::fs::File>,
    /// How the file reaches its path; `None` once committed or abandoned.
    place: Option<Place>,
}

/// Where the bytes go until `commit`.
enum Place {
    /// Straight into a device or FIFO.
    Device,
    /// An unnamed file in `dir`, to be linked and renamed over `target`.
    Unnamed { dir: PathBuf, target: PathBuf },
    /// A file named `temp`, to be renamed over `target`.
    Named { temp: PathBuf, target: PathBuf },
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
                return Ok(AtomicWriter {
                    out: std::io::BufWriter::new(open_device(path)?),
                    place: Some(Place::Device),
                });
            }
            _ => {}
        }
        let is_link = std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink());
        let target = if is_link {
            // A dangling link has nothing to canonicalise: the link itself is replaced.
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
        let dir = match target.parent() {
            Some(dir) if !dir.as_os_str().is_empty() => dir.to_path_buf(),
            _ => PathBuf::from("."),
        };
        let (file, place) = match open_unnamed(&dir, existing.is_some()) {
            Some(file) => (file, Place::Unnamed { dir, target }),
            None => {
                let (file, temp) = create_named(&dir, &target, existing.is_some())?;
                (file, Place::Named { temp, target })
            }
        };
        let writer = AtomicWriter {
            out: std::io::BufWriter::new(file),
            place: Some(place),
        };
        if let Some(old) = &existing {
            // On failure the writer is dropped, and with it the new file.
            copy_owner_and_mode(writer.out.get_ref(), old)?;
        }
        Ok(writer)
    }

    /// Flushes and syncs the file, puts it at its path and syncs the directory.
    pub fn commit(mut self) -> std::io::Result<()> {
        self.out.flush()?;
        let Some(place) = self.place.take() else {
            return Ok(());
        };
        let file = self.out.get_ref();
        match &place {
            Place::Device => return Ok(()),
            Place::Unnamed { dir, target } => {
                file.sync_all()?;
                let temp = link_unnamed(file, dir, target)?;
                if let Err(e) = std::fs::rename(&temp, target) {
                    let _ = std::fs::remove_file(&temp);
                    return Err(e);
                }
                sync_dir(dir);
            }
            Place::Named { temp, target } => {
                if let Err(e) = file.sync_all().and_then(|()| std::fs::rename(temp, target)) {
                    let _ = std::fs::remove_file(temp);
                    return Err(e);
                }
                if let Some(dir) = target.parent() {
                    sync_dir(if dir.as_os_str().is_empty() {
                        Path::new(".")
                    } else {
                        dir
                    });
                }
            }
        }
        Ok(())
    }

    /// Drops what was written; the file at the path is untouched.
    pub fn abandon(self) {
        // `Drop` removes the new file.
    }
}

impl Drop for AtomicWriter {
    fn drop(&mut self) {
        if let Some(Place::Named { temp, .. }) = self.place.take() {
            // Leave no stray file behind; nothing else can be done on failure. (An
            // unnamed file goes with its descriptor.)
            let _ = std::fs::remove_file(temp);
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

/// The mode of a new file: private when it will replace a file (its bits are copied once
/// it is open), `0666` less the umask for a new one, as any program's new file.
fn new_mode(replaces: bool) -> u32 {
    if replaces {
        0o600
    } else {
        0o666
    }
}

/// An unnamed file in `dir`, or `None` where there are none (not Linux, a file system
/// without `O_TMPFILE`, no `/proc` to link it through later).
fn open_unnamed(dir: &Path, replaces: bool) -> Option<std::fs::File> {
    #[cfg(target_os = "linux")]
    {
        use rustix::fs::{Mode, OFlags};
        if !Path::new("/proc/self/fd").is_dir() {
            return None;
        }
        let fd = rustix::fs::open(
            dir,
            OFlags::TMPFILE | OFlags::WRONLY | OFlags::CLOEXEC,
            Mode::from_raw_mode(new_mode(replaces)),
        )
        .ok()?;
        Some(std::fs::File::from(fd))
    }
    #[cfg(not(target_os = "linux"))]
    {
        let _ = (dir, replaces);
        None
    }
}

/// `.NAME.<16 hex digits>.tmp` beside `target`.
fn random_name(dir: &Path, target: &Path) -> PathBuf {
    let name = target
        .file_name()
        .map_or_else(|| "out".into(), |n| n.to_string_lossy().into_owned());
    dir.join(format!(".{name}.{:016x}.tmp", rand::random::<u64>()))
}

/// How many random names are tried before giving up (a clash is a 2^-64 event, or an
/// attacker's guess).
const NAME_TRIES: usize = 16;

/// Gives the unnamed `file` a random name in `dir` (through `/proc/self/fd`, which any
/// user may link from), to be renamed over `target`.
fn link_unnamed(file: &std::fs::File, dir: &Path, target: &Path) -> std::io::Result<PathBuf> {
    use std::os::fd::AsRawFd;
    let source = format!("/proc/self/fd/{}", file.as_raw_fd());
    let mut last = None;
    for _ in 0..NAME_TRIES {
        let temp = random_name(dir, target);
        match rustix::fs::linkat(
            rustix::fs::CWD,
            source.as_str(),
            rustix::fs::CWD,
            &temp,
            rustix::fs::AtFlags::SYMLINK_FOLLOW,
        ) {
            Ok(()) => return Ok(temp),
            Err(e) if e == rustix::io::Errno::EXIST => last = Some(e),
            Err(e) => return Err(e.into()),
        }
    }
    Err(last.map_or_else(|| std::io::Error::other("no free name"), Into::into))
}

/// A new file under a random name in `dir`, created exclusively (never through a link,
/// never a file that exists).
fn create_named(
    dir: &Path,
    target: &Path,
    replaces: bool,
) -> std::io::Result<(std::fs::File, PathBuf)> {
    use std::os::unix::fs::OpenOptionsExt;
    let mut last = None;
    for _ in 0..NAME_TRIES {
        let temp = random_name(dir, target);
        match std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(new_mode(replaces))
            .open(&temp)
        {
            Ok(file) => return Ok((file, temp)),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => last = Some(e),
            Err(e) => return Err(e),
        }
    }
    Err(last.unwrap_or_else(|| std::io::Error::other("no free name")))
}

/// Gives `file` the permission bits of `old`, and its owner and group where this user
/// may: only root may give a file away, and only a member may set a group.
fn copy_owner_and_mode(file: &std::fs::File, old: &std::fs::Metadata) -> std::io::Result<()> {
    use std::os::unix::fs::{MetadataExt, PermissionsExt};
    let ours = file.metadata()?;
    if ours.uid() != old.uid() || ours.gid() != old.gid() {
        let _ = std::os::unix::fs::fchown(file, Some(old.uid()), Some(old.gid()))
            .or_else(|_| std::os::unix::fs::fchown(file, None, Some(old.gid())));
    }
    // After the owner: changing the owner clears the set-id bits.
    file.set_permissions(std::fs::Permissions::from_mode(old.mode() & 0o7777))
}

/// Opens a device, FIFO or socket for writing. A FIFO with no reader yet is waited for
/// (as a shell's `>` would) without blocking, so that a stop signal ends the wait.
fn open_device(path: &Path) -> std::io::Result<std::fs::File> {
    use rustix::fs::{Mode, OFlags};
    loop {
        match rustix::fs::open(
            path,
            OFlags::WRONLY | OFlags::NONBLOCK | OFlags::CLOEXEC | OFlags::NOCTTY,
            Mode::empty(),
        ) {
            Ok(fd) => {
                let file = std::fs::File::from(fd);
                let flags = rustix::fs::fcntl_getfl(&file)?;
                rustix::fs::fcntl_setfl(&file, flags - OFlags::NONBLOCK)?;
                return Ok(file);
            }
            // A FIFO that nobody reads yet.
            Err(rustix::io::Errno::NXIO) => {
                if super::read::stop_requested() {
                    return Err(std::io::Error::new(
                        std::io::ErrorKind::Interrupted,
                        "stopped by a signal while waiting for a reader",
                    ));
                }
                std::thread::sleep(std::time::Duration::from_millis(100));
            }
            Err(e) => return Err(e.into()),
        }
    }
}

/// Syncs a directory, so that a rename in it survives a crash. A file system that cannot
/// sync directories has nothing better to offer; the file itself is synced.
fn sync_dir(dir: &Path) {
    if let Ok(d) = std::fs::File::open(dir) {
        let _ = d.sync_all();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entries(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(dir)
            .expect("list")
            .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    #[test]
    fn replaces_the_whole_file() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("state.json");
        write_atomic(&path, b"first version, rather long").expect("write");
        write_atomic(&path, b"second").expect("write");
        assert_eq!(std::fs::read(&path).expect("read"), b"second");
        assert_eq!(entries(dir.path()), ["state.json"]);
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
    fn the_new_file_is_private_while_written_and_dropped_without_a_trace() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("secret.json");
        std::fs::write(&path, b"old").expect("write");
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).expect("chmod");
        let mut writer = AtomicWriter::create(&path).expect("create");
        writer.write_all(b"half").expect("write");
        let mode = writer
            .out
            .get_ref()
            .metadata()
            .expect("stat")
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
        drop(writer);
        assert_eq!(entries(dir.path()), ["secret.json"]);
        assert_eq!(std::fs::read(&path).expect("read"), b"old");
    }

    /// A process killed while writing runs no destructor: the writer is forgotten here
    /// the same way. The unnamed file goes with its descriptor; nothing has a name.
    #[cfg(target_os = "linux")]
    #[test]
    fn a_killed_write_leaves_nothing_behind() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("s.json");
        let mut writer = AtomicWriter::create(&path).expect("create");
        assert!(matches!(writer.place, Some(Place::Unnamed { .. })));
        writer.write_all(b"half a state").expect("write");
        writer.out.flush().expect("flush");
        std::mem::forget(writer);
        assert!(entries(dir.path()).is_empty());
    }

    /// A file planted under the name the writer would use is never opened: names are
    /// random and created exclusively.
    #[test]
    fn named_files_are_created_exclusively_and_never_through_a_link() {
        let dir = tempfile::tempdir().expect("temp dir");
        let victim = dir.path().join("victim.txt");
        std::fs::write(&victim, b"keep").expect("write");
        let target = dir.path().join("out.json");
        let (mut file, temp) = create_named(dir.path(), &target, false).expect("create");
        file.write_all(b"x").expect("write");
        let name = temp
            .file_name()
            .expect("name")
            .to_string_lossy()
            .into_owned();
        assert!(
            name.starts_with(".out.json.") && name.ends_with(".tmp"),
            "{name}"
        );
        assert_eq!(name.len(), ".out.json.".len() + 16 + ".tmp".len());
        // A link at a name the writer picks makes `create_new` fail, not follow it.
        std::fs::remove_file(&temp).expect("remove");
        std::os::unix::fs::symlink(&victim, &temp).expect("symlink");
        let err = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&temp)
            .expect_err("exclusive");
        assert_eq!(err.kind(), std::io::ErrorKind::AlreadyExists);
        assert_eq!(std::fs::read(&victim).expect("read"), b"keep");
    }

    #[test]
    fn a_directory_is_refused() {
        let dir = tempfile::tempdir().expect("temp dir");
        let err = write_atomic(dir.path(), b"x").expect_err("a directory");
        assert_eq!(err.to_string(), "it is a directory");
    }
}
