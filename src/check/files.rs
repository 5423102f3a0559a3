//! Samples read from CSV files: `from "PATH"` in `data` and `test`.
//!
//! A file is UTF-8, comma-separated, with a header row. Its columns are `label` (a class,
//! required), `name` (optional; else `STEM:ROW`, ROW the 1-based data row), `weight`
//! (optional, data only), and level-1 nodes whose cells are `0` or `1` (a level-1 node
//! without a column is 0 in every row). Every problem of a file is reported at once, each
//! pointing at its line and cell in the file (`Problem::in_file`); an editor shows them on
//! the `from` line. A file is read whole through the one bounded reader, so a huge file is
//! refused by the size limit of model sources rather than exhausting memory.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use sha2::{Digest, Sha256};

use super::data::SampleNames;
use super::model::{Entity, Symbols};
use super::Ctx;
use crate::diag::{ErrorCode, IndexedSource, Problem};
use crate::ir::{self, ClassId, NodeId};
use crate::span::Span;
use crate::syntax::ast::FromFile;

/// Problems drawn for one file; past this many, one more problem counts the rest (a file
/// of a million bad rows must not print a million diagnostics).
const MAX_PROBLEMS_PER_FILE: usize = 100;

/// The data files of one check: where relative paths start, the files read (for the
/// model's identity) and the names of the samples read so far.
#[derive(Debug)]
pub struct FileSamples {
    /// The model file's folder; `None` reads paths from the current directory (a model
    /// given on standard input).
    base: Option<PathBuf>,
    pub files: Vec<ir::DataFile>,
    /// The files read, in the order of their `from` lines (one that could not be read
    /// is left out): what an editor shows about a `from` line and a sample read.
    pub read: Vec<ReadFile>,
    /// Samples read from files so far, by name: their file and line.
    names: HashMap<String, (Arc<IndexedSource>, usize)>,
    /// How many samples were read into the data.
    pub data_rows: usize,
    /// How many each data file's `from` read, in order.
    pub data_counts: Vec<usize>,
}

/// A data file as it was read: for editors (a hover on its `from` line, the definition
/// of a sample it holds).
#[derive(Clone, Debug)]
pub struct ReadFile {
    /// The whole `from "PATH"` statement, and its path as written.
    pub from: Span,
    pub path_span: Span,
    /// The path read (the model's folder joined with the path as written).
    pub path: PathBuf,
    /// The header's cells, as written (quotes and blanks trimmed).
    pub columns: Vec<String>,
    /// How many samples were read from it (rows with problems left out).
    pub samples: usize,
    /// Whether it is read into the `test` block (else into `data`).
    pub test: bool,
}

/// What a column of a file holds.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Column {
    Label,
    Name,
    Weight,
    Input(NodeId),
    /// A column already reported (unknown, repeated): its cells are not read.
    Skip,
}

/// One file's problems, all pointing into it.
struct FileProblems<'c> {
    ctx: &'c mut Ctx,
    source: Arc<IndexedSource>,
    from: Span,
    count: usize,
}

impl FileProblems<'_> {
    fn push(&mut self, problem: Problem) {
        self.count += 1;
        if self.count <= MAX_PROBLEMS_PER_FILE {
            self.ctx.push(problem.in_file(&self.source, self.from));
        }
    }

    /// One last problem counting those not shown.
    fn finish(self, path: &str) {
        if self.count > MAX_PROBLEMS_PER_FILE {
            let more = self.count - MAX_PROBLEMS_PER_FILE;
            self.ctx.push(
                Problem::error(
                    ErrorCode::DataCell,
                    format!("{more} more problems in `{path}` are not shown"),
                )
                .label(self.from, "read here")
                .help("fix the problems shown and check the file again"),
            );
        }
    }
}

impl FileSamples {
    /// Data files for a model in `folder` (`None`: the current directory).
    pub(crate) fn new(folder: Option<&Path>) -> FileSamples {
        FileSamples {
            base: folder.map(Path::to_path_buf),
            files: Vec::new(),
            read: Vec::new(),
            names: HashMap::new(),
            data_rows: 0,
            data_counts: Vec::new(),
        }
    }

    /// The file a sample named `name` was read from, and its line there (1-based).
    pub fn sample_line(&self, name: &str) -> Option<(&ReadFile, usize)> {
        let (source, line) = self.names.get(name)?;
        let file = self
            .read
            .iter()
            .find(|f| f.path.display().to_string() == source.name())?;
        Some((file, *line))
    }

    /// Whether a sample written in the model takes a name a file's sample already has:
    /// reported at the written one.
    pub(crate) fn check_written_name(&self, ctx: &mut Ctx, name: &str, span: Span) {
        if let Some((source, line)) = self.names.get(name) {
            ctx.push(
                Problem::error(
                    ErrorCode::CheckDuplicateName,
                    format!(
                        "sample `{name}` is declared twice (first at line {line} of `{}`)",
                        source.name()
                    ),
                )
                .label(span, "declared again here")
                .help("rename one of the samples"),
            );
        }
    }

    /// Reads the samples of `from` (a `data` file when `data`, else a `test` file) onto
    /// `out`; every problem goes to `ctx`.
    pub(crate) fn read_into(
        &mut self,
        ctx: &mut Ctx,
        symbols: &Symbols,
        written: &SampleNames,
        from: &FromFile,
        data: bool,
        out: &mut Vec<ir::Sample>,
    ) {
        if data {
            self.data_counts.push(0);
        }
        let path = match &self.base {
            Some(base) => base.join(&from.path.value),
            None => PathBuf::from(&from.path.value),
        };
        let shown = path.display().to_string();
        let text = match read_text(&path, &shown, from) {
            Ok((text, sha256)) => {
                self.files.push(ir::DataFile {
                    path: from.path.value.clone(),
                    sha256,
                });
                text
            }
            Err(problem) => return ctx.push(problem),
        };
        let source = Arc::new(IndexedSource::new(&shown, text));
        let stem = path
            .file_stem()
            .map_or_else(|| shown.clone(), |s| s.to_string_lossy().into_owned());
        let mut problems = FileProblems {
            ctx,
            source: Arc::clone(&source),
            from: from.span,
            count: 0,
        };
        let before = out.len();
        let reader = Reader {
            symbols,
            written,
            text: source.inner(),
            stem: &stem,
            data,
        };
        let columns = reader.read(&mut problems, &mut self.names, &source, out);
        problems.finish(&shown);
        self.read.push(ReadFile {
            from: from.span,
            path_span: from.path.span,
            path,
            columns,
            samples: out.len() - before,
            test: !data,
        });
        if data {
            self.data_rows += out.len() - before;
            if let Some(last) = self.data_counts.last_mut() {
                *last = out.len() - before;
            }
        }
    }
}

/// The text of a data file and the SHA-256 of its bytes, or the problem that stops it
/// being read (labelled at the path in the model).
fn read_text(path: &Path, shown: &str, from: &FromFile) -> Result<(String, String), Problem> {
    let problem = |message: String, help: &str| {
        Problem::error(ErrorCode::DataRead, message)
            .label(from.path.span, "read here")
            .help(help.to_string())
    };
    // A data file is named in a model, not on the command line, and is read again by
    // every check (an editor's, on each change): it must be a regular file, so that a
    // FIFO never blocks the check and a device is never read; within the model sources'
    // size limit, refused from its size before it is read.
    let bytes = crate::fsio::Input::open(
        path,
        crate::fsio::Accept::RegularFile,
        crate::source::MAX_SOURCE_BYTES,
        "a data file",
    )
    .and_then(crate::fsio::Input::read_all)
    .map_err(|e| {
        use crate::fsio::ReadError;
        let help = match &e {
            ReadError::Io(io) if io.kind() == std::io::ErrorKind::NotFound => {
                "check the path: it is relative to the model file's folder"
            }
            ReadError::Io(io) if io.kind() == std::io::ErrorKind::PermissionDenied => {
                "check the file's permissions"
            }
            ReadError::TooLarge { .. } => "split the file: nshed reads data files up to 1 GiB",
            ReadError::NotRegular(_) | ReadError::Directory => {
                "a data file must be a regular file (not a pipe, device or directory)"
            }
            _ => "give the path of a CSV file, relative to the model file's folder",
        };
        problem(format!("cannot read `{shown}`: {e}"), help)
    })?;
    let sha256 = hex(&Sha256::digest(&bytes));
    let text = String::from_utf8(bytes).map_err(|e| {
        let at = e.utf8_error().valid_up_to();
        problem(
            format!("`{shown}` is not UTF-8 (byte {at} is not valid UTF-8)"),
            "save the file as UTF-8",
        )
    })?;
    // A byte order mark some editors write is not part of the first column's name; three
    // blanks (as many bytes) keep every offset as it is in the file.
    let text = if text.starts_with('\u{feff}') {
        text.replacen('\u{feff}', "   ", 1)
    } else {
        text
    };
    Ok((text, sha256))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Reads one file's rows.
struct Reader<'r, 'a> {
    symbols: &'r Symbols<'a>,
    written: &'r SampleNames<'r>,
    text: &'r str,
    stem: &'r str,
    data: bool,
}

/// One record of the file: its cells' spans (in the file), and its line.
struct Record {
    cells: Vec<Span>,
    line: usize,
    span: Span,
}

impl Reader<'_, '_> {
    /// Reads the rows onto `out`; the header's cells.
    fn read(
        &self,
        problems: &mut FileProblems,
        names: &mut HashMap<String, (Arc<IndexedSource>, usize)>,
        source: &Arc<IndexedSource>,
        out: &mut Vec<ir::Sample>,
    ) -> Vec<String> {
        let mut records = Records::new(self.text);
        let header = match records.next_record() {
            Ok(Some(h)) => h,
            Ok(None) => {
                problems.push(
                    Problem::error(ErrorCode::DataColumn, "the file is empty")
                        .label(Span { start: 0, end: 0 }, "no header row")
                        .help("the first row names the columns: `label` and level-1 nodes"),
                );
                return Vec::new();
            }
            Err(p) => {
                problems.push(p);
                return Vec::new();
            }
        };
        let header_cells = header
            .cells
            .iter()
            .map(|&s| self.cell(s).to_string())
            .collect();
        let Some(columns) = self.columns(problems, &header) else {
            return header_cells;
        };
        let mut input = Vec::new();
        let mut row = 0usize;
        loop {
            let record = match records.next_record() {
                Ok(Some(r)) => r,
                Ok(None) => break,
                Err(p) => {
                    problems.push(p);
                    break;
                }
            };
            row += 1;
            if record.cells.len() != columns.len() {
                problems.push(ragged(&record, columns.len()));
                continue;
            }
            if let Some(sample) = self.row(problems, &columns, &record, row, &mut input) {
                if let Some((first, line)) = names.get(&sample.name) {
                    let first = if Arc::ptr_eq(first, source) {
                        format!("line {line}")
                    } else {
                        format!("line {line} of `{}`", first.name())
                    };
                    problems.push(
                        Problem::error(
                            ErrorCode::CheckDuplicateName,
                            format!(
                                "sample `{}` is declared twice (first at {first})",
                                sample.name
                            ),
                        )
                        .label(record.span, "declared again here")
                        .help("give every row its own name, or leave out the `name` column"),
                    );
                } else if self.written.contains_key(sample.name.as_str()) {
                    problems.push(
                        Problem::error(
                            ErrorCode::CheckDuplicateName,
                            format!(
                                "sample `{}` is declared twice (first in the model file)",
                                sample.name
                            ),
                        )
                        .label(record.span, "declared again here")
                        .help("rename one of the samples"),
                    );
                } else {
                    names.insert(sample.name.clone(), (Arc::clone(source), record.line));
                    out.push(sample);
                }
            }
        }
        header_cells
    }

    /// What each header cell names; `None` when the file cannot be read on (no `label`).
    fn columns(&self, problems: &mut FileProblems, header: &Record) -> Option<Vec<Column>> {
        let mut columns = Vec::with_capacity(header.cells.len());
        let mut seen: HashMap<&str, Span> = HashMap::new();
        for &span in &header.cells {
            let name = self.cell(span);
            if let Some(first) = seen.get(name) {
                problems.push(
                    Problem::error(
                        ErrorCode::DataColumn,
                        format!("column `{}` is named twice", quoted(name)),
                    )
                    .label(span, "named again here")
                    .label(*first, "first named here")
                    .help("remove or rename one of the columns"),
                );
                columns.push(Column::Skip);
                continue;
            }
            seen.insert(name, span);
            columns.push(self.column(problems, name, span));
        }
        if !columns.contains(&Column::Label) {
            problems.push(
                Problem::error(ErrorCode::DataColumn, "the file has no `label` column")
                    .label(header.span, "header row")
                    .help("add a column `label` holding each row's class"),
            );
            return None;
        }
        Some(columns)
    }

    fn column(&self, problems: &mut FileProblems, name: &str, span: Span) -> Column {
        match name {
            "label" => return Column::Label,
            "name" => return Column::Name,
            "weight" if self.data => return Column::Weight,
            "weight" => {
                problems.push(
                    Problem::error(ErrorCode::DataColumn, "a test file has no `weight` column")
                        .label(span, "weights are for training")
                        .help("remove the column: test samples count once each"),
                );
                return Column::Skip;
            }
            _ => {}
        }
        let symbols = self.symbols;
        let level = symbols.level_name(0);
        let problem = match symbols.lookup_with_level(name) {
            Some((Entity::Node(id), 0)) => return Column::Input(id),
            Some((entity, _)) => Problem::error(
                ErrorCode::DataColumn,
                format!(
                    "column `{}` is {}, not a node of the input level `{level}`",
                    quoted(name),
                    symbols.describe(entity)
                ),
            )
            .label(span, "not an input")
            .help("columns are `label`, `name`, `weight` and the nodes of the input level"),
            None => {
                let p = Problem::error(
                    ErrorCode::DataColumn,
                    format!("unknown column `{}`", quoted(name)),
                )
                .label(span, "not a column nshed knows");
                match symbols.suggest_node_of_level(name, 0) {
                    Some(s) => p.help(format!("did you mean `{s}`?")),
                    None => p.help(format!(
                        "columns are `label`, `name`, `weight` and the nodes of the input level `{level}`"
                    )),
                }
            }
        };
        problems.push(problem);
        Column::Skip
    }

    /// The text of a cell, without surrounding blanks or quotes.
    fn cell(&self, span: Span) -> &str {
        let raw = self.text[span.start..span.end].trim();
        match raw.strip_prefix('"').and_then(|r| r.strip_suffix('"')) {
            Some(inner) => inner.trim(),
            None => raw,
        }
    }

    /// One data row as a sample, or `None` when a problem was reported.
    fn row(
        &self,
        problems: &mut FileProblems,
        columns: &[Column],
        record: &Record,
        row: usize,
        input: &mut Vec<NodeId>,
    ) -> Option<ir::Sample> {
        input.clear();
        let (mut label, mut name, mut weight) = (None, None, 1.0);
        let mut ok = true;
        for (&column, &span) in columns.iter().zip(&record.cells) {
            let text = self.cell(span);
            match column {
                Column::Input(id) => match text {
                    "1" => input.push(id),
                    "0" => {}
                    _ => {
                        ok = false;
                        problems.push(bad_cell(
                            text,
                            span,
                            "is not 0 or 1",
                            "write 1 when the node fires, else 0",
                        ));
                    }
                },
                Column::Label => label = self.label(problems, text, span),
                Column::Name if text.is_empty() => {
                    ok = false;
                    problems.push(bad_cell(
                        text,
                        span,
                        "is not a name",
                        "give the row a name, or leave the cell out of every row",
                    ));
                }
                Column::Name => name = Some(text.to_string()),
                Column::Weight => match text.parse::<f64>() {
                    Ok(w) if w.is_finite() && w >= 0.0 => weight = w,
                    _ => {
                        ok = false;
                        problems.push(bad_cell(
                            text,
                            span,
                            "is not a weight",
                            "a weight is a number of at least 0, such as 1 or 2.5",
                        ));
                    }
                },
                Column::Skip => {}
            }
        }
        let label = label?;
        if !ok {
            return None;
        }
        input.sort_unstable();
        Some(ir::Sample {
            name: name.unwrap_or_else(|| format!("{}:{row}", self.stem)),
            input: input.clone(),
            label,
            weight,
        })
    }

    fn label(&self, problems: &mut FileProblems, text: &str, span: Span) -> Option<ClassId> {
        match self.symbols.lookup(text) {
            Some(Entity::Class(id)) => Some(id),
            other => {
                let what = match other {
                    Some(entity) => format!("is {}, not a class", self.symbols.describe(entity)),
                    None => "is not a class".to_string(),
                };
                let help = match self.symbols.suggest_class(text) {
                    Some(s) => format!("did you mean `{s}`?"),
                    None => "a label is one of the model's classes".to_string(),
                };
                problems.push(bad_cell(text, span, &what, &help));
                None
            }
        }
    }
}

/// At most this many characters of a cell are quoted in a message (the label points at
/// the whole cell, which the drawn line shows).
const MAX_QUOTED: usize = 40;

/// A cell's text as a message quotes it: cut after [`MAX_QUOTED`] characters (a 10 MB
/// cell must not make a 10 MB message).
fn quoted(text: &str) -> String {
    match text.char_indices().nth(MAX_QUOTED) {
        Some((at, _)) => format!("{}…", &text[..at]),
        None => text.to_string(),
    }
}

fn bad_cell(text: &str, span: Span, what: &str, help: &str) -> Problem {
    Problem::error(
        ErrorCode::DataCell,
        format!("cell `{}` {what}", quoted(text)),
    )
    .label(span, what.trim_start_matches("is ").to_string())
    .help(help.to_string())
}

fn ragged(record: &Record, want: usize) -> Problem {
    let got = record.cells.len();
    Problem::error(
        ErrorCode::DataRagged,
        format!("the row has {got} cells but the header has {want} columns"),
    )
    .label(record.span, format!("{got} cells"))
    .help("give every row one cell per column")
}

/// The records of a CSV text, read by the `csv` crate, with the span of every cell in
/// the text (the crate gives a record's start; the cells are found from there).
struct Records<'t> {
    text: &'t str,
    reader: csv::Reader<&'t [u8]>,
    record: csv::ByteRecord,
}

impl<'t> Records<'t> {
    fn new(text: &'t str) -> Records<'t> {
        let reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_reader(text.as_bytes());
        Records {
            text,
            reader,
            record: csv::ByteRecord::new(),
        }
    }

    fn next_record(&mut self) -> Result<Option<Record>, Problem> {
        match self.reader.read_byte_record(&mut self.record) {
            Ok(false) => Ok(None),
            Ok(true) => {
                let pos = self.record.position();
                let start = pos.map_or(0, |p| p.byte() as usize);
                let line = pos.map_or(1, |p| p.line() as usize);
                let end = (self.reader.position().byte() as usize).min(self.text.len());
                let raw = &self.text[start.min(end)..end];
                let body = raw.trim_end_matches(['\n', '\r']);
                let cells = cell_spans(body, start);
                Ok(Some(Record {
                    cells,
                    line,
                    span: Span {
                        start,
                        end: start + body.len(),
                    },
                }))
            }
            Err(e) => {
                let (at, line) = match e.position() {
                    Some(p) => (p.byte() as usize, p.line()),
                    None => (0, 0),
                };
                let at = at.min(self.text.len());
                Err(Problem::error(
                    ErrorCode::DataRead,
                    format!("the file is not CSV from line {line} on: {e}"),
                )
                .label(Span { start: at, end: at }, "here")
                .help("write the file as comma-separated values, one row per line"))
            }
        }
    }
}

/// The spans of the comma-separated cells of one record's text (commas inside double
/// quotes do not separate), offset by `start`.
fn cell_spans(body: &str, start: usize) -> Vec<Span> {
    let mut cells = Vec::new();
    let mut quoted = false;
    let mut from = 0;
    for (i, b) in body.bytes().enumerate() {
        match b {
            b'"' => quoted = !quoted,
            b',' if !quoted => {
                cells.push(Span {
                    start: start + from,
                    end: start + i,
                });
                from = i + 1;
            }
            _ => {}
        }
    }
    cells.push(Span {
        start: start + from,
        end: start + body.len(),
    });
    cells
}
