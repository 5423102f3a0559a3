//! Reading model sources: files, `-` for stdin, bytes that are not UTF-8.

use std::io::Read;
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
/// source spans; invalid UTF-8 comes back pointing at the first bad byte.
pub fn load(path: &str) -> Result<Source, Report> {
    let (name, bytes) = if path == "-" {
        let mut bytes = Vec::new();
        std::io::stdin()
            .read_to_end(&mut bytes)
            .map_err(|e| io_report("<stdin>", "cannot read standard input", &e.to_string()))?;
        ("<stdin>".to_string(), bytes)
    } else {
        let p = Path::new(path);
        if p.is_dir() {
            return Err(Report::new(
                path,
                "",
                vec![Problem::error(
                    "nshed::io::is_directory",
                    format!("`{path}` is a directory"),
                )
                .help("give the path of a `.nshed` file, for example `examples/fig1.nshed`")],
            ));
        }
        let bytes = std::fs::read(p).map_err(|e| {
            let help = match e.kind() {
                std::io::ErrorKind::NotFound => {
                    "check the path; `nshed check examples/fig1.nshed` is a model that exists"
                }
                std::io::ErrorKind::PermissionDenied => "check the file's permissions",
                _ => "check that the path names a readable file",
            };
            io_report(
                path,
                &format!("cannot read `{path}`: {}", io_reason(&e)),
                help,
            )
        })?;
        (path.to_string(), bytes)
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
        vec![Problem::error("nshed::io", message.to_string()).help(help.to_string())],
    )
}

/// Checks size and encoding of raw bytes.
pub fn from_bytes(name: &str, bytes: Vec<u8>) -> Result<Source, Report> {
    if bytes.len() > MAX_SOURCE_BYTES {
        return Err(Report::new(
            name,
            "",
            vec![Problem::error(
                "nshed::io::too_large",
                format!(
                    "`{name}` is {} bytes, more than the {} bytes nshed reads",
                    bytes.len(),
                    MAX_SOURCE_BYTES
                ),
            )
            .help("split the model or generate a smaller one")],
        ));
    }
    match String::from_utf8(bytes) {
        Ok(text) => Ok(Source {
            name: name.to_string(),
            text,
        }),
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
                    Problem::error("nshed::io::not_utf8", "the file is not valid UTF-8")
                        .label(Span::new(at, end), format!("byte {at} is not UTF-8"))
                        .help("save the file as UTF-8; nshed sources are plain text"),
                ],
            ))
        }
    }
}

/// Line starts of a text, for turning byte offsets into lines and columns (diagnostics in
/// JSON, the language server) and back. Building it is one pass; each lookup is a binary
/// search, so a report with many labels on a large file stays linear.
#[derive(Clone, Debug)]
pub struct LineIndex {
    /// Byte offset of the start of every line; `starts[0] == 0`.
    starts: Vec<usize>,
}

/// A place in a text: 0-based line, and the column as a byte offset into that line.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LineCol {
    pub line: usize,
    pub byte: usize,
}

impl LineIndex {
    pub fn new(text: &str) -> Self {
        let mut starts = vec![0];
        starts.extend(
            text.bytes()
                .enumerate()
                .filter(|(_, b)| *b == b'\n')
                .map(|(i, _)| i + 1),
        );
        LineIndex { starts }
    }

    /// Number of lines (a text ending in a newline has an empty last line).
    pub fn line_count(&self) -> usize {
        self.starts.len()
    }

    /// Byte offset where 0-based `line` starts (the end of the text past the last line).
    pub fn line_start(&self, line: usize, text: &str) -> usize {
        self.starts.get(line).copied().unwrap_or(text.len())
    }

    /// The line and byte column of `offset` (clamped to the text and moved back to a
    /// character boundary).
    pub fn line_col(&self, text: &str, offset: usize) -> LineCol {
        let offset = floor_char_boundary(text, offset);
        let line = self.starts.partition_point(|&s| s <= offset) - 1;
        LineCol {
            line,
            byte: offset - self.starts[line],
        }
    }

    /// 1-based line and 1-based column counted in characters (Unicode scalar values): what
    /// `--error-format json` reports.
    pub fn human(&self, text: &str, offset: usize) -> (usize, usize) {
        let at = self.line_col(text, offset);
        let start = self.starts[at.line];
        let column = text[start..start + at.byte].chars().count();
        (at.line + 1, column + 1)
    }

    /// 0-based line and column in UTF-16 code units: what the Language Server Protocol uses.
    pub fn utf16(&self, text: &str, offset: usize) -> (u32, u32) {
        let at = self.line_col(text, offset);
        let start = self.starts[at.line];
        let column: usize = text[start..start + at.byte]
            .chars()
            .map(char::len_utf16)
            .sum();
        (to_u32(at.line), to_u32(column))
    }

    /// The byte offset of a 0-based line and UTF-16 column. Positions past the end of a
    /// line mean its end; lines past the end of the text mean the end of the text.
    pub fn offset_utf16(&self, text: &str, line: u32, column: u32) -> usize {
        let line = line as usize;
        if line >= self.starts.len() {
            return text.len();
        }
        let start = self.starts[line];
        let end = self
            .starts
            .get(line + 1)
            .map_or(text.len(), |&next| next - 1);
        let mut units = 0usize;
        for (i, c) in text[start..end].char_indices() {
            if units >= column as usize {
                return start + i;
            }
            units += c.len_utf16();
        }
        end
    }
}

fn to_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// The largest character boundary of `text` at or before `offset`.
pub fn floor_char_boundary(text: &str, offset: usize) -> usize {
    let mut at = offset.min(text.len());
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_and_columns_count_characters_and_utf16_units() {
        let text = "ab\né𝄞x\n\nlast";
        let index = LineIndex::new(text);
        assert_eq!(index.line_count(), 4);
        assert_eq!(index.human(text, 0), (1, 1));
        assert_eq!(index.human(text, 2), (1, 3)); // the newline ends line 1
        assert_eq!(index.human(text, 3), (2, 1));
        // `é` is 2 bytes, `𝄞` 4 bytes (2 UTF-16 units): `x` is byte 9.
        assert_eq!(index.human(text, 9), (2, 3));
        assert_eq!(index.utf16(text, 9), (1, 3));
        assert_eq!(index.offset_utf16(text, 1, 3), 9);
        assert_eq!(index.offset_utf16(text, 1, 99), 10);
        assert_eq!(index.offset_utf16(text, 9, 0), text.len());
        assert_eq!(index.human(text, 11), (3, 1));
        assert_eq!(index.human(text, text.len()), (4, 5));
        // Inside a character: the start of that character.
        assert_eq!(index.human(text, 6), (2, 2));
        assert_eq!(index.human(text, 1_000), (4, 5));
    }
}
