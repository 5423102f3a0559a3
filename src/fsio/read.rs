//! The one reader of every file and stream nshed reads: models, saved states, shard files,
//! golden reports, REPL scripts. Each read has a size limit (a larger input is an error
//! naming the limit, after at most one byte past it is read: `/dev/zero` ends), and every
//! wait for data can be stopped by the process's stop signals.
//!
//! A path may name a regular file or, as `cat` would read it, a pipe (`/dev/stdin`,
//! `<(...)`, a FIFO) or a device. Opening never blocks (a FIFO is opened without waiting
//! for a writer); a pipe is waited on with `poll`, a tenth of a second at a time, looking
//! at the stop flag in between, so Ctrl-C, SIGTERM and SIGHUP end the wait even though
//! their handlers restart interrupted system calls. What a command found by walking a
//! directory, or must write back, is opened with [`Accept::RegularFile`] and refused at once
//! when it is anything else.

use std::io::Read;
use std::os::fd::AsFd;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::OnceLock;

/// The flag that the process's stop signals set, once a front end catches them (see
/// [`stop_reads_on`]); `None` while the signals keep their default meaning (ending the
/// process, which ends any read).
static STOP: OnceLock<&'static AtomicBool> = OnceLock::new();

/// Makes every read wait interruptible by `flag`: a front end that catches SIGINT,
/// SIGTERM and SIGHUP (so they no longer end the process) calls this with the flag its
/// handlers set. A read that is waiting for data when the flag is set ends with
/// [`ReadError::Stopped`]. The first flag registered stays.
pub fn stop_reads_on(flag: &'static AtomicBool) {
    let _ = STOP.set(flag);
}

/// Whether a stop signal asked reads to end.
pub(super) fn stop_requested() -> bool {
    STOP.get().is_some_and(|flag| flag.load(Ordering::SeqCst))
}

/// How long a wait for a pipe lasts before the stop flag is looked at again.
const POLL_MS: i64 = 100;

/// What a path may name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Accept {
    /// A regular file, a pipe, a FIFO or a character device: read as `cat` would.
    Any,
    /// A regular file only (after following links); anything else is refused before a
    /// byte is read (`ReadError::NotRegular`), so it is never waited on.
    RegularFile,
}

/// Why a read failed.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    /// The operating system's error (no such file, permission denied, ...).
    #[error("{}", crate::source::io_reason(.0))]
    Io(#[from] std::io::Error),
    /// More than `limit` bytes.
    #[error("it is larger than the {limit} bytes nshed reads as {what}")]
    TooLarge { limit: usize, what: &'static str },
    /// A stop signal (Ctrl-C, SIGTERM, SIGHUP) ended the read.
    #[error("stopped by a signal while waiting for data")]
    Stopped,
    /// A directory where a file was expected.
    #[error("it is a directory")]
    Directory,
    /// Not a regular file where one is required: what it is instead.
    #[error("it is {0}, not a regular file")]
    NotRegular(&'static str),
    /// The first byte of what should be JSON (after white space) is not `{`.
    #[error("it does not start with `{{`")]
    NotJsonObject,
}

impl ReadError {
    /// The `ReadError` an `std::io::Error` from [`Input`]'s `Read` carries, or the I/O
    /// error itself. A reader built on `Input` (a CSV reader) uses this to give its own
    /// errors their meaning back.
    pub fn from_io(e: std::io::Error) -> ReadError {
        if e.get_ref().is_some_and(|inner| inner.is::<ReadError>()) {
            if let Some(inner) = e.into_inner() {
                if let Ok(read) = inner.downcast::<ReadError>() {
                    return *read;
                }
            }
            // Unreachable: the payload was just seen to be a `ReadError`.
            return ReadError::Io(std::io::Error::other("unreadable"));
        }
        ReadError::Io(e)
    }

    /// As an `std::io::Error` (for the `Read` trait), kept whole for [`ReadError::from_io`].
    fn into_io(self) -> std::io::Error {
        match self {
            ReadError::Io(e) => e,
            other => std::io::Error::other(other),
        }
    }
}

/// What a file's type is, in words, for [`ReadError::NotRegular`] and the notes of walks.
pub fn describe_kind(kind: std::fs::FileType) -> &'static str {
    use std::os::unix::fs::FileTypeExt;
    if kind.is_dir() {
        "a directory"
    } else if kind.is_fifo() {
        "a named pipe (FIFO)"
    } else if kind.is_char_device() {
        "a character device"
    } else if kind.is_block_device() {
        "a block device"
    } else if kind.is_socket() {
        "a socket"
    } else if kind.is_symlink() {
        "a symbolic link"
    } else {
        "a regular file"
    }
}

/// A file or stream being read, at most `limit` bytes of it. `Read` gives its bytes,
/// waiting interruptibly for a pipe; past the limit it fails with `ReadError::TooLarge`
/// (in an `std::io::Error`: see [`ReadError::from_io`]).
///
/// ```no_run
/// # fn main() -> Result<(), nshed::fsio::ReadError> {
/// use nshed::fsio::{Accept, Input};
/// let bytes = Input::open("m.nshed".as_ref(), Accept::Any, 1 << 20, "a model")?.read_all()?;
/// # Ok(()) }
/// ```
#[derive(Debug)]
pub struct Input {
    file: std::fs::File,
    /// Whether reads wait for data (a pipe, a FIFO, a terminal): they are polled first.
    waits: bool,
    limit: usize,
    what: &'static str,
    read: usize,
    /// The file's length when it is a regular file (to size the buffer).
    length: Option<u64>,
}

impl Input {
    /// Opens `path` without blocking (a FIFO with no writer yet included). `what` names
    /// the input in the size-limit message (`a model`, `a saved state`).
    pub fn open(
        path: &Path,
        accept: Accept,
        limit: usize,
        what: &'static str,
    ) -> Result<Input, ReadError> {
        use rustix::fs::{Mode, OFlags};
        if accept == Accept::RegularFile {
            // Refused before opening: opening some devices has effects (a tape rewinds).
            let meta = std::fs::metadata(path)?;
            if !meta.is_file() {
                return Err(kind_error(meta.file_type()));
            }
        }
        let fd = rustix::fs::open(
            path,
            OFlags::RDONLY | OFlags::NONBLOCK | OFlags::CLOEXEC | OFlags::NOCTTY,
            Mode::empty(),
        )
        .map_err(std::io::Error::from)?;
        let file = std::fs::File::from(fd);
        let meta = file.metadata()?;
        let kind = meta.file_type();
        if kind.is_dir() {
            return Err(ReadError::Directory);
        }
        if accept == Accept::RegularFile && !kind.is_file() {
            // Replaced between the look and the open.
            return Err(kind_error(kind));
        }
        // Reads block again: they happen only once `poll` says there is something to read.
        let flags = rustix::fs::fcntl_getfl(&file).map_err(std::io::Error::from)?;
        rustix::fs::fcntl_setfl(&file, flags - OFlags::NONBLOCK).map_err(std::io::Error::from)?;
        Ok(Input::from_file(file, &meta, limit, what))
    }

    /// Standard input, at most `limit` bytes of it.
    pub fn stdin(limit: usize, what: &'static str) -> Result<Input, ReadError> {
        let fd = std::io::stdin().as_fd().try_clone_to_owned()?;
        let file = std::fs::File::from(fd);
        let meta = file.metadata()?;
        if meta.is_dir() {
            return Err(ReadError::Directory);
        }
        Ok(Input::from_file(file, &meta, limit, what))
    }

    fn from_file(
        file: std::fs::File,
        meta: &std::fs::Metadata,
        limit: usize,
        what: &'static str,
    ) -> Input {
        let regular = meta.is_file();
        Input {
            file,
            waits: !regular,
            limit,
            what,
            read: 0,
            length: regular.then_some(meta.len()),
        }
    }

    /// Reads to the end: every byte, or `TooLarge` once more than the limit arrived.
    pub fn read_all(mut self) -> Result<Vec<u8>, ReadError> {
        // A regular file's size is known: one over the limit (a sparse file of 10 GB
        // included) is refused before a byte is read.
        if self.length.is_some_and(|n| n > self.limit as u64) {
            return Err(ReadError::TooLarge {
                limit: self.limit,
                what: self.what,
            });
        }
        // A regular file is read into a buffer of its size (one byte past the limit at
        // most, to tell "exactly the limit" from "larger"); a growing buffer would end up
        // to twice the size of what it holds.
        let capacity = self.length.map_or(0, |n| {
            usize::try_from(n)
                .unwrap_or(usize::MAX)
                .min(self.limit.saturating_add(1))
        });
        let mut bytes = Vec::with_capacity(capacity);
        self.read_to_end(&mut bytes).map_err(ReadError::from_io)?;
        Ok(bytes)
    }

    /// [`Input::read_all`] of what must be one JSON object: refused as soon as its first
    /// byte after white space is not `{` (an endless device of zeros is not read to the
    /// limit).
    pub fn read_json_object(mut self) -> Result<Vec<u8>, ReadError> {
        let mut bytes = Vec::new();
        let mut chunk = [0u8; 4096];
        loop {
            let n = self.read(&mut chunk).map_err(ReadError::from_io)?;
            if n == 0 {
                return Ok(bytes);
            }
            bytes.extend_from_slice(&chunk[..n]);
            match bytes.iter().find(|b| !b.is_ascii_whitespace()) {
                Some(b'{') => break,
                Some(_) => return Err(ReadError::NotJsonObject),
                None => {}
            }
        }
        self.read_to_end(&mut bytes).map_err(ReadError::from_io)?;
        Ok(bytes)
    }

    /// Waits until a read will not block, looking at the stop flag every `POLL_MS`.
    fn wait_readable(&self) -> Result<(), ReadError> {
        use rustix::event::{PollFd, PollFlags, Timespec};
        let timeout = Timespec {
            tv_sec: 0,
            tv_nsec: POLL_MS * 1_000_000,
        };
        loop {
            if stop_requested() {
                return Err(ReadError::Stopped);
            }
            let mut fds = [PollFd::new(&self.file, PollFlags::IN)];
            match rustix::event::poll(&mut fds, Some(&timeout)) {
                // Readable, closed by its writer, or an error a read will report.
                Ok(n) if n > 0 => return Ok(()),
                Ok(_) => {}
                Err(rustix::io::Errno::INTR) => {}
                Err(e) => return Err(ReadError::Io(e.into())),
            }
        }
    }
}

fn kind_error(kind: std::fs::FileType) -> ReadError {
    if kind.is_dir() {
        ReadError::Directory
    } else {
        ReadError::NotRegular(describe_kind(kind))
    }
}

impl Read for Input {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if self.read > self.limit {
            return Err(ReadError::TooLarge {
                limit: self.limit,
                what: self.what,
            }
            .into_io());
        }
        if buf.is_empty() {
            return Ok(0);
        }
        // A regular file never makes a read wait for long: only pipes are polled.
        if self.waits {
            self.wait_readable().map_err(ReadError::into_io)?;
        }
        // Never more than one byte past the limit.
        let room = (self.limit - self.read).saturating_add(1).min(buf.len());
        let n = loop {
            match self.file.read(&mut buf[..room]) {
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {
                    if stop_requested() {
                        return Err(ReadError::Stopped.into_io());
                    }
                }
                other => break other?,
            }
        };
        self.read += n;
        Ok(n)
    }
}

/// Lines of text read from an [`Input`], each at most `max_line` bytes: a REPL script.
/// A line longer than that is an error (`TooLarge`), which ends the reading (an endless
/// line, like `/dev/zero`'s, has no end to skip to).
pub struct Lines {
    input: std::io::BufReader<Input>,
    max_line: usize,
    what: &'static str,
}

/// What reading a line gave.
#[derive(Debug)]
pub enum Line {
    /// A line, without its line end (`\n` or `\r\n`).
    Text(String),
    /// A line whose bytes are not UTF-8.
    NotText,
}

impl Lines {
    /// Lines of `input`, each at most `max_line` bytes (`what` names them in messages).
    pub fn new(input: Input, max_line: usize, what: &'static str) -> Lines {
        Lines {
            input: std::io::BufReader::with_capacity(1 << 16, input),
            max_line,
            what,
        }
    }

    /// The next line, `None` at the end.
    pub fn next_line(&mut self) -> Result<Option<Line>, ReadError> {
        use std::io::BufRead;
        let mut line = Vec::new();
        loop {
            let buf = self.input.fill_buf().map_err(ReadError::from_io)?;
            if buf.is_empty() {
                if line.is_empty() {
                    return Ok(None);
                }
                break;
            }
            let (take, done) = match buf.iter().position(|&b| b == b'\n') {
                Some(at) => (at + 1, true),
                None => (buf.len(), false),
            };
            if line.len() + take > self.max_line.saturating_add(1) {
                return Err(ReadError::TooLarge {
                    limit: self.max_line,
                    what: self.what,
                });
            }
            line.extend_from_slice(&buf[..take]);
            self.input.consume(take);
            if done {
                break;
            }
        }
        if line.last() == Some(&b'\n') {
            line.pop();
            if line.last() == Some(&b'\r') {
                line.pop();
            }
        }
        Ok(Some(match String::from_utf8(line) {
            Ok(text) => Line::Text(text),
            Err(_) => Line::NotText,
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_stop_one_byte_past_the_limit() {
        let open = |limit| Input::open(Path::new("/dev/zero"), Accept::Any, limit, "a test");
        let err = open(1000).expect("open").read_all().expect_err("too large");
        assert!(
            matches!(err, ReadError::TooLarge { limit: 1000, .. }),
            "{err}"
        );
        assert_eq!(
            err.to_string(),
            "it is larger than the 1000 bytes nshed reads as a test"
        );
        let err = open(1000)
            .expect("open")
            .read_json_object()
            .expect_err("zeros");
        assert!(matches!(err, ReadError::NotJsonObject), "{err}");
    }

    #[test]
    fn a_file_is_read_whole_into_a_buffer_of_its_size() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("model.nshed");
        let text: Vec<u8> = (0..100_003u32).map(|i| b'a' + (i % 26) as u8).collect();
        std::fs::write(&path, &text).expect("write");
        let bytes = Input::open(&path, Accept::RegularFile, 1 << 20, "a model")
            .expect("open")
            .read_all()
            .expect("read");
        assert_eq!(bytes, text);
        assert_eq!(bytes.capacity(), text.len());
        // Exactly the limit is fine; one byte less is too little.
        let exact = Input::open(&path, Accept::Any, text.len(), "a model").expect("open");
        assert_eq!(exact.read_all().expect("read").len(), text.len());
        let short = Input::open(&path, Accept::Any, text.len() - 1, "a model").expect("open");
        assert!(matches!(short.read_all(), Err(ReadError::TooLarge { .. })));
    }

    #[test]
    fn what_is_not_a_regular_file_is_refused_unopened() {
        let dir = tempfile::tempdir().expect("temp dir");
        let err = Input::open(Path::new("/dev/null"), Accept::RegularFile, 10, "x")
            .expect_err("a device");
        assert_eq!(
            err.to_string(),
            "it is a character device, not a regular file"
        );
        let err = Input::open(dir.path(), Accept::Any, 10, "x").expect_err("a directory");
        assert!(matches!(err, ReadError::Directory));
        let missing = Input::open(&dir.path().join("none"), Accept::Any, 10, "x");
        assert_eq!(missing.expect_err("missing").to_string(), "no such file");
    }

    #[test]
    fn lines_end_at_either_line_end_and_are_bounded() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("script.txt");
        std::fs::write(&path, b"one\r\ntwo\n\xff\nlast").expect("write");
        let input = Input::open(&path, Accept::Any, usize::MAX, "a script").expect("open");
        let mut lines = Lines::new(input, 10, "a line");
        let mut got = Vec::new();
        while let Some(line) = lines.next_line().expect("line") {
            got.push(match line {
                Line::Text(t) => t,
                Line::NotText => "<not text>".to_string(),
            });
        }
        assert_eq!(got, ["one", "two", "<not text>", "last"]);
        let zero = Input::open(Path::new("/dev/zero"), Accept::Any, usize::MAX, "x").expect("open");
        let mut lines = Lines::new(zero, 1 << 20, "a line");
        assert!(matches!(
            lines.next_line(),
            Err(ReadError::TooLarge { limit, .. }) if limit == 1 << 20
        ));
    }

    #[test]
    fn errors_pass_through_read_and_back() {
        let e = ReadError::TooLarge {
            limit: 5,
            what: "a shard",
        }
        .into_io();
        assert!(matches!(
            ReadError::from_io(e),
            ReadError::TooLarge { limit: 5, .. }
        ));
        let plain = std::io::Error::from(std::io::ErrorKind::NotFound);
        assert!(matches!(ReadError::from_io(plain), ReadError::Io(_)));
    }
}
