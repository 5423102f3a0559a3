//! Which files an output may replace: never one the command reads, never a model, unless
//! the user forces it.

use std::path::{Path, PathBuf};

use super::read::{Accept, Input};
use crate::diag::ErrorCode;

/// Why an output path is refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum OutputRefused {
    /// It names one of the command's input files.
    #[error("the output `{}` is the input file `{}`: writing it would replace the input", .output.display(), .input.display())]
    IsInput {
        /// The output path as given.
        output: PathBuf,
        /// The input it resolves to, as given.
        input: PathBuf,
    },
    /// It holds a model (a file that parses as `.nshed` source).
    #[error("the output `{}` holds a nshed model: writing it would replace the model", .output.display())]
    IsModel {
        /// The output path as given.
        output: PathBuf,
    },
}

impl OutputRefused {
    /// The code of an output over an input.
    pub const INPUT_CODE: ErrorCode = ErrorCode::IoOutputIsInput;
    /// The code of an output over a model.
    pub const MODEL_CODE: ErrorCode = ErrorCode::IoOutputIsModel;

    /// The diagnostic's code.
    pub fn code(&self) -> ErrorCode {
        match self {
            OutputRefused::IsInput { .. } => Self::INPUT_CODE,
            OutputRefused::IsModel { .. } => Self::MODEL_CODE,
        }
    }

    /// The input file it would replace, when that is the reason.
    pub fn input(&self) -> Option<&Path> {
        match self {
            OutputRefused::IsInput { input, .. } => Some(input),
            OutputRefused::IsModel { .. } => None,
        }
    }

    /// What to do about it (a front end adds how to force it, in its own terms).
    pub fn help(&self) -> &'static str {
        match self {
            OutputRefused::IsInput { .. } => {
                "write the output to another file; nshed does not write over the files it reads"
            }
            OutputRefused::IsModel { .. } => {
                "write the output to another file; nshed does not replace a model file"
            }
        }
    }

    /// The problem as a diagnostic (no source spans).
    pub fn problem(&self) -> crate::diag::Problem {
        crate::diag::Problem::error(self.code(), self.to_string()).help(self.help())
    }
}

/// The files a command reads, so that it can refuse to write an output over one of them,
/// or over any model file. Paths are compared by device and inode: `./m.nshed`,
/// `dir/../m.nshed`, a symbolic link and a hard link to `m.nshed` are all `m.nshed`.
/// Forced ([`Outputs::force`]), it refuses nothing.
///
/// ```no_run
/// # fn main() -> Result<(), nshed::fsio::OutputRefused> {
/// let outputs = nshed::fsio::Outputs::new(["m.nshed", "run.state.json"]);
/// outputs.check("result.svg")?;
/// # Ok(()) }
/// ```
#[derive(Clone, Debug, Default)]
pub struct Outputs {
    /// `(path as given, (device, inode))` of every input that exists.
    inputs: Vec<(PathBuf, (u64, u64))>,
    forced: bool,
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

    /// Whether outputs may replace inputs and models (the user's `--force`).
    pub fn force(&mut self, forced: bool) {
        self.forced = forced;
    }

    /// `Err` when `output` resolves to one of the inputs, or is a file holding a model
    /// (unless forced).
    pub fn check(&self, output: impl AsRef<Path>) -> Result<(), OutputRefused> {
        let output = output.as_ref();
        if self.forced || output == Path::new("-") {
            return Ok(());
        }
        let Some(id) = file_id(output) else {
            return Ok(());
        };
        if let Some((input, _)) = self.inputs.iter().find(|(_, input)| *input == id) {
            return Err(OutputRefused::IsInput {
                output: output.to_path_buf(),
                input: input.clone(),
            });
        }
        if holds_model(output) {
            return Err(OutputRefused::IsModel {
                output: output.to_path_buf(),
            });
        }
        Ok(())
    }
}

/// Device and inode of the file `path` resolves to (following links).
fn file_id(path: &Path) -> Option<(u64, u64)> {
    use std::os::unix::fs::MetadataExt;
    std::fs::metadata(path).ok().map(|m| (m.dev(), m.ino()))
}

/// Whether `path` is a regular file (after links) that parses as a model. Only a file
/// whose first word (after a byte order mark, white space and comments) is `model` is
/// read whole and parsed; no other file is read past its first block.
pub fn holds_model(path: &Path) -> bool {
    let open = || {
        Input::open(
            path,
            Accept::RegularFile,
            crate::source::MAX_SOURCE_BYTES,
            "a model",
        )
    };
    let Ok(mut head) = open() else {
        return false;
    };
    let mut first = vec![0u8; 4096];
    let n = match std::io::Read::read(&mut head, &mut first) {
        Ok(n) => n,
        Err(_) => return false,
    };
    if !starts_like_a_model(&first[..n]) {
        return false;
    }
    let Ok(bytes) = open().and_then(Input::read_all) else {
        return false;
    };
    match crate::source::from_bytes(&path.display().to_string(), bytes) {
        Ok(source) => crate::syntax::parse_file(&source.text).is_ok(),
        Err(_) => false,
    }
}

/// Whether `bytes` (the start of a file) begin, after a byte order mark, white space and
/// `//` comments, with the word `model` (as every model does). Undecided (a comment
/// longer than `bytes`) counts as yes.
fn starts_like_a_model(bytes: &[u8]) -> bool {
    let mut rest = bytes.strip_prefix("\u{feff}".as_bytes()).unwrap_or(bytes);
    loop {
        let skipped = rest.iter().take_while(|b| b" \t\r\n".contains(b)).count();
        rest = &rest[skipped..];
        if rest.starts_with(b"//") {
            match rest.iter().position(|&b| b == b'\n') {
                Some(end) => rest = &rest[end..],
                None => return true,
            }
        } else {
            break;
        }
    }
    if rest.len() < "model".len() + 1 {
        return b"model".starts_with(rest) || rest.starts_with(b"model");
    }
    rest.starts_with(b"model") && !(rest[5].is_ascii_alphanumeric() || rest[5] == b'_')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outputs_over_inputs_are_refused_by_inode() {
        let dir = tempfile::tempdir().expect("temp dir");
        let model = dir.path().join("m.txt");
        let state = dir.path().join("s.json");
        std::fs::write(&model, b"model").expect("write");
        std::fs::write(&state, b"{}").expect("write");
        let link = dir.path().join("link.nshed");
        std::os::unix::fs::symlink(&model, &link).expect("symlink");
        let hard = dir.path().join("hard.nshed");
        std::fs::hard_link(&model, &hard).expect("hard link");
        let outputs = Outputs::new([model.as_path(), state.as_path(), Path::new("-")]);
        let dotted = dir.path().join(".").join("sub").join("..").join("m.txt");
        std::fs::create_dir(dir.path().join("sub")).expect("mkdir");
        for output in [&model, &dotted, &link, &hard] {
            let err = outputs.check(output).expect_err("the model");
            assert_eq!(err.input(), Some(model.as_path()));
            assert_eq!(
                err.to_string(),
                format!(
                    "the output `{}` is the input file `{}`: writing it would replace the input",
                    output.display(),
                    model.display()
                )
            );
            assert_eq!(err.code(), OutputRefused::INPUT_CODE);
        }
        assert_eq!(
            outputs
                .check(&state)
                .map_err(|e| e.input().map(Path::to_path_buf)),
            Err(Some(state.clone()))
        );
        for fine in [
            dir.path().join("new.svg"),
            PathBuf::from("-"),
            dir.path().join("sub"),
        ] {
            assert_eq!(outputs.check(&fine), Ok(()), "{}", fine.display());
        }
        let mut forced = outputs.clone();
        forced.force(true);
        assert_eq!(forced.check(&model), Ok(()));
    }

    #[test]
    fn a_file_that_parses_as_a_model_is_refused_unless_forced() {
        let dir = tempfile::tempdir().expect("temp dir");
        let write = |name: &str, text: &str| {
            let path = dir.path().join(name);
            std::fs::write(&path, text).expect("write");
            path
        };
        let model = write(
            "other.json",
            "\u{feff}// a comment\n\nmodel m { level input { a } classes { A <- a } }\n",
        );
        let broken = write("broken.nshed", "model m { level input { a } \n");
        let text = write("notes.txt", "models are nice\n");
        let json = write("s.json", "{\"model\": 1}\n");
        let outputs = Outputs::default();
        let err = outputs.check(&model).expect_err("a model");
        assert_eq!(err.code(), OutputRefused::MODEL_CODE);
        assert_eq!(
            err.to_string(),
            format!(
                "the output `{}` holds a nshed model: writing it would replace the model",
                model.display()
            )
        );
        for fine in [&broken, &text, &json] {
            assert_eq!(outputs.check(fine), Ok(()), "{}", fine.display());
        }
        let mut forced = Outputs::default();
        forced.force(true);
        assert_eq!(forced.check(&model), Ok(()));
        // Through a link too, and never by reading a device.
        let link = dir.path().join("link.svg");
        std::os::unix::fs::symlink(&model, &link).expect("symlink");
        assert!(outputs.check(&link).is_err());
        assert_eq!(outputs.check("/dev/zero"), Ok(()));
    }

    #[test]
    fn the_first_word_decides_whether_a_file_is_read() {
        assert!(starts_like_a_model(b"model m {"));
        assert!(starts_like_a_model(b"  // c\n// d\r\n\tmodel{"));
        assert!(starts_like_a_model(b"// a comment with no end"));
        assert!(starts_like_a_model(b"mod"));
        assert!(!starts_like_a_model(b"models"));
        assert!(!starts_like_a_model(b"{\"model\": 1}"));
        assert!(!starts_like_a_model(b"step,lambda"));
        assert!(!starts_like_a_model(b"<svg"));
    }
}
