//! The protocol's framing on a byte stream: header lines (`Content-Length: N`), a blank
//! line, then N bytes of JSON. Reading is bounded: a header line longer than
//! [`MAX_HEADER_LINE`] bytes, or more than [`MAX_HEADER_LINES`] of them, is refused as
//! soon as the limit is passed, and a body longer than [`MAX_FRAME_BYTES`] is refused
//! before a byte of it is stored, then skipped as it arrives. A body is stored as it
//! arrives, never in a buffer of the size its header announces, so memory follows what
//! the client really sent.

use std::io::{BufRead, Read, Write};

/// Longest header line read (`Content-Length: N` and `Content-Type: ...` are far shorter).
pub const MAX_HEADER_LINE: usize = 1024;

/// Most header lines in one message (the protocol defines two).
pub const MAX_HEADER_LINES: usize = 32;

/// Largest message body read: 256 MiB, a model's text of about that size as a JSON
/// string. A larger message is answered with an error and skipped.
pub const MAX_FRAME_BYTES: u64 = 256 << 20;

/// One message as it arrived.
#[derive(Debug, PartialEq, Eq)]
pub enum Frame {
    /// Its body.
    Body(Vec<u8>),
    /// A body longer than the limit ([`MAX_FRAME_BYTES`]): not read (the next read skips
    /// it).
    TooLarge {
        /// What its `Content-Length` said.
        length: u64,
    },
}

/// Why the stream cannot be read further: after a header the reader cannot make sense
/// of, where the next message starts is unknown.
#[derive(Debug, thiserror::Error)]
pub enum FrameError {
    /// The operating system's error.
    #[error("cannot read standard input: {0}")]
    Io(#[from] std::io::Error),
    /// A header the protocol does not allow.
    #[error("unreadable message header: {0}")]
    Header(String),
}

/// Reads messages off a byte stream.
pub struct FrameReader<R> {
    input: R,
    /// Largest body read ([`MAX_FRAME_BYTES`] but in tests).
    limit: u64,
    /// Body bytes of a refused message still to skip.
    skip: u64,
}

impl<R: BufRead> FrameReader<R> {
    /// A reader that refuses bodies longer than `limit` bytes.
    pub fn with_limit(input: R, limit: u64) -> Self {
        FrameReader {
            input,
            limit,
            skip: 0,
        }
    }

    /// The next message; `None` when the stream ends (between messages or inside one).
    pub fn next_frame(&mut self) -> Result<Option<Frame>, FrameError> {
        if self.skip > 0 {
            let skipped =
                std::io::copy(&mut (&mut self.input).take(self.skip), &mut std::io::sink())?;
            if skipped < self.skip {
                return Ok(None);
            }
            self.skip = 0;
        }
        let Some(length) = self.headers()? else {
            return Ok(None);
        };
        if length > self.limit {
            self.skip = length;
            return Ok(Some(Frame::TooLarge { length }));
        }
        let mut body = Vec::new();
        (&mut self.input).take(length).read_to_end(&mut body)?;
        if (body.len() as u64) < length {
            return Ok(None);
        }
        Ok(Some(Frame::Body(body)))
    }

    /// Reads the header lines up to the blank line: the body's length, or `None` when the
    /// stream ends.
    fn headers(&mut self) -> Result<Option<u64>, FrameError> {
        let mut length = None;
        for _ in 0..MAX_HEADER_LINES {
            let Some(line) = self.line()? else {
                return Ok(None);
            };
            if line.is_empty() {
                return match length {
                    Some(n) => Ok(Some(n)),
                    None => Err(FrameError::Header(
                        "a message without a `Content-Length` header".to_string(),
                    )),
                };
            }
            let Some((name, value)) = line.split_once(':') else {
                return Err(FrameError::Header(format!(
                    "`{}` is not `Name: value`",
                    line.escape_debug()
                )));
            };
            if name.trim().eq_ignore_ascii_case("content-length") {
                let value = value.trim();
                let n = value
                    .parse::<u64>()
                    .ok()
                    .filter(|_| value.bytes().all(|b| b.is_ascii_digit()))
                    .ok_or_else(|| {
                        FrameError::Header(format!(
                            "`Content-Length: {}` is not a number of bytes",
                            value.escape_debug()
                        ))
                    })?;
                length = Some(n);
            }
        }
        Err(FrameError::Header(format!(
            "more than {MAX_HEADER_LINES} header lines"
        )))
    }

    /// One header line without its `\r\n` (or `\n`); `None` when the stream ends first.
    fn line(&mut self) -> Result<Option<String>, FrameError> {
        let mut line = Vec::new();
        loop {
            let available = match self.input.fill_buf() {
                Ok(bytes) => bytes,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e.into()),
            };
            if available.is_empty() {
                return Ok(None);
            }
            let (taken, done) = match available.iter().position(|&b| b == b'\n') {
                Some(i) => (i + 1, true),
                None => (available.len(), false),
            };
            if line.len() + taken > MAX_HEADER_LINE + 2 {
                return Err(FrameError::Header(format!(
                    "a header line longer than {MAX_HEADER_LINE} bytes"
                )));
            }
            line.extend_from_slice(&available[..taken]);
            self.input.consume(taken);
            if done {
                break;
            }
        }
        while matches!(line.last(), Some(b'\n' | b'\r')) {
            line.pop();
        }
        String::from_utf8(line)
            .map(Some)
            .map_err(|_| FrameError::Header("a header line that is not UTF-8".to_string()))
    }
}

/// Writes one message (its JSON) with its header, and flushes.
pub fn write_frame(out: &mut impl Write, body: &serde_json::Value) -> std::io::Result<()> {
    let body = serde_json::to_vec(body).map_err(std::io::Error::other)?;
    write!(out, "Content-Length: {}\r\n\r\n", body.len())?;
    out.write_all(&body)?;
    out.flush()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frames(input: &[u8]) -> (Vec<Frame>, Option<String>) {
        let mut reader = FrameReader::with_limit(input, 100);
        let mut out = Vec::new();
        loop {
            match reader.next_frame() {
                Ok(Some(frame)) => out.push(frame),
                Ok(None) => return (out, None),
                Err(e) => return (out, Some(e.to_string())),
            }
        }
    }

    #[test]
    fn messages_are_read_with_either_line_ending_and_any_header_case() {
        let (got, error) =
            frames(b"Content-Length: 2\r\n\r\n{}content-length:3\nContent-Type: x\n\n[1]");
        assert_eq!(
            got,
            vec![Frame::Body(b"{}".to_vec()), Frame::Body(b"[1]".to_vec())]
        );
        assert_eq!(error, None);
    }

    #[test]
    fn an_oversized_body_is_refused_then_skipped() {
        let huge = 101;
        let mut input = format!("Content-Length: {huge}\r\n\r\n").into_bytes();
        input.resize(input.len() + huge as usize, b' ');
        input.extend_from_slice(b"Content-Length: 2\r\n\r\n{}");
        let (got, error) = frames(&input);
        assert_eq!(
            got,
            vec![
                Frame::TooLarge { length: huge },
                Frame::Body(b"{}".to_vec())
            ]
        );
        assert_eq!(error, None);
    }

    #[test]
    fn a_body_cut_short_or_a_terabyte_announced_ends_the_stream() {
        let (got, _) = frames(b"Content-Length: 1099511627776\r\n\r\n{\"jsonrpc\":\"2.0\"}");
        assert_eq!(
            got,
            vec![Frame::TooLarge {
                length: 1_099_511_627_776
            }]
        );
        let (got, error) = frames(b"Content-Length: 10\r\n\r\n{}");
        assert_eq!((got, error), (vec![], None));
    }

    #[test]
    fn bad_headers_stop_the_reading_with_a_reason() {
        let long = format!("X-Long: {}\r\n", "a".repeat(MAX_HEADER_LINE));
        for (input, reason) in [
            (long.as_bytes(), "longer than 1024 bytes"),
            (b"\r\n{}".as_slice(), "without a `Content-Length`"),
            (b"Content-Length: -1\r\n\r\n", "not a number"),
            (b"Content-Length: +1\r\n\r\n", "not a number"),
            (b"hello\r\n\r\n", "is not `Name: value`"),
        ] {
            let (_, error) = frames(input);
            let error = error.unwrap_or_default();
            assert!(error.contains(reason), "{error}");
        }
        let many = "A: b\r\n".repeat(MAX_HEADER_LINES + 1);
        let (_, error) = frames(many.as_bytes());
        assert!(error
            .unwrap_or_default()
            .contains("more than 32 header lines"));
    }
}
