//! Reading model sources: files, `-` for stdin, bytes that are not UTF-8.

use crate::diag::ErrorCode;
use std::path::Path;

use crate::diag::{Problem, Report};
use crate::span::Span;

/// A source text and the name it is shown under in diagnostics.
#[derive(Clone, Debug)]
pub struct Source {
    pub name: String,
    pub text: String,
}

/// Largest source accepted, in bytes: 1 GiB (a generated 10^6-node model is about 62 MB,
/// a 10^7-node one about 650 MB).
pub const MAX_SOURCE_BYTES: usize = 1024 * 1024 * 1024;

/// Reads `path` (or stdin for `-`). Problems reading come back as a `Report` with no
/// source spans; invalid UTF-8 comes back pointing at the first bad byte. The path need
/// not be UTF-8; it is shown in diagnostics as `Path::display` writes it.
pub fn load(path: impl AsRef<Path>) -> Result<Source, Report> {
    let p = path.as_ref();
    let (name, bytes) = if p == Path::new("-") {
        let bytes = crate::fsio::read_capped(std::io::stdin().lock(), MAX_SOURCE_BYTES)
            .map_err(|e| io_report("<stdin>", "cannot read standard input", &e.to_string()))?;
        ("<stdin>".to_string(), bytes)
    } else {
        let path = p.display().to_string();
        if p.is_dir() {
            return Err(Report::new(
                &path,
                "",
                vec![
                    Problem::error(ErrorCode::IoIsDirectory, format!("`{path}` is a directory"))
                        .help(
                            "give the path of a `.nshed` file, for example `examples/fig1.nshed`",
                        ),
                ],
            ));
        }
        // Read at most one byte past the limit: `/dev/zero` or a FIFO never ends.
        let read = std::fs::File::open(p)
            .and_then(|file| crate::fsio::read_file_capped(file, MAX_SOURCE_BYTES));
        let bytes = read.map_err(|e| {
            let help = match e.kind() {
                std::io::ErrorKind::NotFound => {
                    "check the path; `nshed check examples/fig1.nshed` is a model that exists"
                }
                std::io::ErrorKind::PermissionDenied => "check the file's permissions",
                _ => "check that the path names a readable file",
            };
            io_report(
                &path,
                &format!("cannot read `{path}`: {}", io_reason(&e)),
                help,
            )
        })?;
        (path, bytes)
    };
    from_bytes(&name, bytes)
}

/// The files named by `paths`: a directory stands for every `.nshed` file under it (in
/// name order, subdirectories included), anything else for itself (`-` is stdin).
pub fn expand_dirs(paths: &[String]) -> Result<Vec<String>, Report> {
    fn walk(dir: &Path, out: &mut Vec<String>) -> std::io::Result<()> {
        let mut entries: Vec<_> = std::fs::read_dir(dir)?
            .map(|e| e.map(|e| e.path()))
            .collect::<std::io::Result<_>>()?;
        entries.sort();
        for path in entries {
            if path.is_dir() {
                walk(&path, out)?;
            } else if path.extension().is_some_and(|e| e == "nshed") {
                out.push(path.to_string_lossy().into_owned());
            }
        }
        Ok(())
    }
    let mut out = Vec::new();
    for path in paths {
        let p = Path::new(path);
        if path != "-" && p.is_dir() {
            walk(p, &mut out).map_err(|e| {
                io_report(
                    path,
                    &format!("cannot list `{path}`: {}", io_reason(&e)),
                    "check the directory's permissions",
                )
            })?;
        } else {
            out.push(path.clone());
        }
    }
    Ok(out)
}

/// A short reason for an I/O error, as a person would say it.
pub fn io_reason(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file".to_string(),
        std::io::ErrorKind::PermissionDenied => "permission denied".to_string(),
        _ => e.to_string(),
    }
}

fn io_report(name: &str, message: &str, help: &str) -> Report {
    Report::new(
        name,
        "",
        vec![Problem::error(ErrorCode::Io, message.to_string()).help(help.to_string())],
    )
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
            let lossy = String::from_utf8_lossy(e.as_bytes()).into_owned();
            // The prefix up to the first bad byte is identical in the lossy text.
            let end = lossy[at..]
                .chars()
                .next()
                .map(|c| at + c.len_utf8())
                .unwrap_or(at);
            Err(Report::new(
                name,
                &lossy,
                vec![
                    Problem::error(ErrorCode::IoNotUtf8, "the file is not valid UTF-8")
                        .label(Span::new(at, end), format!("byte {at} is not UTF-8"))
                        .help("save the file as UTF-8; nshed sources are plain text"),
                ],
            ))
        }
    }
}
