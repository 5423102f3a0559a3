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

/// A number as CSV shows it: the shortest text that reads back to the same value (at most
/// 17 significant digits), positional from 1e-4 to 1e16 and with an exponent beyond
/// (`1e300`, not 301 digits); empty for a value that is not finite (JSON's `null`).
pub fn csv_num(x: f64) -> String {
    if !x.is_finite() {
        String::new()
    } else if x == 0.0 || (1e-4..1e16).contains(&x.abs()) {
        format!("{x}")
    } else {
        format!("{x:e}")
    }
}

/// A loss as CSV shows it: [`opt_field`], but `inf` for an infinite loss (a label given
/// probability 0), which an empty field would confuse with an undefined one.
pub fn loss_field(v: Option<f64>) -> String {
    match v {
        Some(x) if x == f64::INFINITY => "inf".to_string(),
        v => opt_field(v),
    }
}

/// [`csv_num`], or empty for a value that is not defined.
pub fn opt_field(v: Option<f64>) -> String {
    v.map_or_else(String::new, csv_num)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_read_back_exactly_in_at_most_17_digits() {
        for x in [
            1.0,
            0.1,
            1.0 / 3.0,
            2.5e-8,
            611_320_065.163_3,
            1e300,
            f64::MAX,
            -7.25e20,
            f64::MIN_POSITIVE,
        ] {
            let text = csv_num(x);
            assert_eq!(text.parse::<f64>().ok(), Some(x), "{text}");
            let digits = text
                .split(['e', 'E'])
                .next()
                .unwrap_or("")
                .chars()
                .filter(char::is_ascii_digit)
                .collect::<String>();
            assert!(digits.trim_start_matches('0').len() <= 17, "{text}");
        }
        assert_eq!(csv_num(1.0), "1");
        assert_eq!(csv_num(1e300), "1e300");
        assert_eq!(csv_num(f64::INFINITY), "");
        assert_eq!(csv_num(f64::NAN), "");
    }

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
