//! Reading model sources: files, `-` for stdin, bytes that are not UTF-8.

use std::path::Path;

use crate::diag::{ErrorCode, Problem, Report};
use crate::fsio::{Accept, Input, ReadError};
use crate::span::Span;

/// A source text and the name it is shown under in diagnostics.
#[derive(Clone, Debug)]
pub struct Source {
    /// The name it is shown under (a path, or `<stdin>`).
    pub name: String,
    /// The text.
    pub text: String,
}

impl Source {
    /// The folder of the model file, where the paths of its data files start; `None` for
    /// standard input and for a text that was not read from a file (paths then start at
    /// the current directory).
    pub fn folder(&self) -> Option<std::path::PathBuf> {
        if self.name.starts_with('<') || self.name.is_empty() {
            return None;
        }
        Path::new(&self.name).parent().map(Path::to_path_buf)
    }
}

/// Largest source accepted, in bytes: 1 GiB (a generated 10^6-node model is about 62 MB,
/// a 10^7-node one about 650 MB).
pub const MAX_SOURCE_BYTES: usize = 1024 * 1024 * 1024;

/// Reads `path` (or stdin for `-`). Problems reading come back as a `Report` with no
/// source spans; invalid UTF-8 comes back pointing at the first bad byte. The path need
/// not be UTF-8; it is shown in diagnostics as `Path::display` writes it. A path may name
/// a pipe (`/dev/stdin`, `<(...)`), read as `cat` would; see [`load_path`].
pub fn load(path: impl AsRef<Path>) -> Result<Source, Report> {
    let path = path.as_ref();
    if path == Path::new("-") {
        let bytes = Input::stdin(MAX_SOURCE_BYTES, "a model")
            .and_then(Input::read_all)
            .map_err(|e| read_report("<stdin>", "cannot read standard input", &e))?;
        return from_bytes("<stdin>", bytes);
    }
    load_path(path, Accept::Any)
}

/// Reads the model at `path` (any name, UTF-8 or not; shown as [`Path::display`] does),
/// which must be a regular file with [`Accept::RegularFile`] (a file found in a directory,
/// or one to be written back): anything else is refused without being opened.
pub fn load_path(path: &Path, accept: Accept) -> Result<Source, Report> {
    let name = path.display().to_string();
    let bytes = Input::open(path, accept, MAX_SOURCE_BYTES, "a model")
        .and_then(Input::read_all)
        .map_err(|e| read_report(&name, &format!("cannot read `{name}`"), &e))?;
    from_bytes(&name, bytes)
}

/// The report of a model that could not be read: `message` and the reason.
fn read_report(name: &str, message: &str, e: &ReadError) -> Report {
    let (code, help) = match e {
        ReadError::Io(io) => (
            ErrorCode::Io,
            match io.kind() {
                std::io::ErrorKind::NotFound => {
                    "check the path; `nshed check examples/fig1.nshed` is a model that exists"
                }
                std::io::ErrorKind::PermissionDenied => "check the file's permissions",
                _ => "check that the path names a readable file",
            },
        ),
        ReadError::TooLarge { .. } => (
            ErrorCode::IoTooLarge,
            "split the model or generate a smaller one",
        ),
        ReadError::Directory => (
            ErrorCode::IoIsDirectory,
            "give the path of a `.nshed` file, for example `examples/fig1.nshed`",
        ),
        ReadError::NotRegular(_) => (
            ErrorCode::IoNotRegular,
            "give the path of a regular file (a pipe is read only when named on the command line)",
        ),
        ReadError::Stopped => (ErrorCode::IoStopped, "nothing was read; run it again"),
        ReadError::NotJsonObject => (ErrorCode::Io, "give the path of a `.nshed` file"),
    };
    let message = match e {
        ReadError::TooLarge { limit, .. } => {
            format!("`{name}` is larger than the {limit} bytes nshed reads")
        }
        ReadError::Directory => format!("`{name}` is a directory"),
        other => format!("{message}: {other}"),
    };
    Report::new(
        name,
        "",
        vec![Problem::error(code, message).help(help.to_string())],
    )
}

/// A short reason for an I/O error, as a person would say it.
pub fn io_reason(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file".to_string(),
        std::io::ErrorKind::PermissionDenied => "permission denied".to_string(),
        _ => e.to_string(),
    }
}

/// `bytes` as text for showing a diagnostic in it: every byte that is not part of a UTF-8
/// character becomes one `?`, so that offsets in the text are offsets in the file (the
/// usual replacement character takes three bytes).
fn with_bytes_replaced(bytes: &[u8]) -> String {
    let mut text = String::with_capacity(bytes.len());
    for chunk in bytes.utf8_chunks() {
        text.push_str(chunk.valid());
        text.extend(std::iter::repeat_n('?', chunk.invalid().len()));
    }
    text
}

/// The UTF-8 byte order mark some editors put at the start of a file.
const BOM: char = '\u{feff}';

/// Checks size and encoding of raw bytes. A leading byte order mark is dropped (spans
/// count from the character after it).
pub fn from_bytes(name: &str, bytes: Vec<u8>) -> Result<Source, Report> {
    if bytes.len() > MAX_SOURCE_BYTES {
        return Err(Report::new(
            name,
            "",
            vec![Problem::error(
                ErrorCode::IoTooLarge,
                format!("`{name}` is larger than the {MAX_SOURCE_BYTES} bytes nshed reads"),
            )
            .help("split the model or generate a smaller one")],
        ));
    }
    match String::from_utf8(bytes) {
        Ok(mut text) => {
            if text.starts_with(BOM) {
                text.drain(..BOM.len_utf8());
            }
            Ok(Source {
                name: name.to_string(),
                text,
            })
        }
        Err(e) => {
            let at = e.utf8_error().valid_up_to();
            let bad = e
                .utf8_error()
                .error_len()
                .unwrap_or(e.as_bytes().len() - at);
            let text = with_bytes_replaced(e.as_bytes());
            Err(Report::new(
                name,
                &text,
                vec![
                    Problem::error(ErrorCode::IoNotUtf8, "the file is not valid UTF-8")
                        .label(Span::new(at, at + bad), format!("byte {at} is not UTF-8"))
                        .help("save the file as UTF-8; nshed sources are plain text"),
                ],
            ))
        }
    }
}
