//! The one CSV writer (the `csv` crate: fields are quoted where they need it).

/// A CSV document built row by row in memory.
pub struct Csv {
    writer: ::csv::Writer<Vec<u8>>,
}

impl Csv {
    /// A document whose first row is `header`.
    pub fn new<I, S>(header: I) -> Csv
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let mut csv = Csv::empty();
        csv.row(header);
        csv
    }

    fn empty() -> Csv {
        Csv {
            writer: ::csv::WriterBuilder::new()
                .flexible(true)
                .from_writer(Vec::new()),
        }
    }

    /// Appends one row.
    pub fn row<I, S>(&mut self, fields: I)
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        // Writing into a Vec cannot fail.
        let _ = self
            .writer
            .write_record(fields.into_iter().map(|f| f.as_ref().to_string()));
    }

    /// One record as a CSV line, without the line end (for files written row by row).
    pub fn line<I, S>(fields: I) -> String
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let mut csv = Csv::empty();
        csv.row(fields);
        let mut text = csv.finish();
        if text.ends_with('\n') {
            text.pop();
        }
        text
    }

    /// The document's text.
    pub fn finish(self) -> String {
        let bytes = self.writer.into_inner().unwrap_or_default();
        String::from_utf8(bytes).unwrap_or_default()
    }
}

/// A number as CSV shows it: Rust's shortest text that reads back to the same value, empty
/// for a value that is not defined.
pub fn opt_field(v: Option<f64>) -> String {
    v.map_or_else(String::new, |x| x.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_only_what_needs_it() {
        let mut csv = Csv::new(["a", "b,c"]);
        csv.row(["x \"y\"", "plain"]);
        csv.row(["line\nbreak", ""]);
        assert_eq!(
            csv.finish(),
            "a,\"b,c\"\n\"x \"\"y\"\"\",plain\n\"line\nbreak\",\n"
        );
    }
}
