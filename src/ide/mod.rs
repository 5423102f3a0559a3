//! Language intelligence for editors: what the language server and the web app's editor
//! show about a model's text while it is being written. One [`Analysis`] per version of a
//! text answers every question about it: hovers, completion candidates, definitions,
//! references, renames, the outline, semantic tokens, the formatted text and the
//! problems. Places are byte offsets into the text and answers are byte [`Span`]s; a
//! front end converts them to its own positions with [`Analysis::lines`] (UTF-16 columns
//! for the Language Server Protocol and for JavaScript editors).
//!
//! Nothing here knows a protocol: the language server (`nshed lsp`) and the web app
//! (`nshed serve`) convert these values to their own messages.
#![deny(missing_docs)]

mod complete;
mod hover;
mod index;
mod rename;
mod symbols;
mod tokens;

pub use complete::{Completion, CompletionKind};
pub use hover::Hover;
pub use rename::RenameError;
pub use symbols::{Symbol, SymbolKind};
pub use tokens::{SemanticKind, SemanticToken};

use crate::check::FileSamples;
use crate::diag::Problem;
use crate::ir::Ir;
use crate::span::{LineIndex, Span};
use crate::syntax::ast;
use index::Index;

/// Everything known about one version of a text.
#[derive(Debug)]
pub struct Analysis {
    text: String,
    lines: LineIndex,
    /// What parses, with what does not left out (see [`crate::syntax::parse`]); `None`
    /// when the text does not start with a readable `model NAME {`.
    file: Option<ast::File>,
    /// Whether some of the text does not parse (`file` is then partial or missing).
    partial: bool,
    /// Every syntax error and, when the whole text parses, every problem the checker
    /// found; in source order.
    problems: Vec<Problem>,
    /// The model as far as it checks (see [`crate::check::Resolved`]): what hovers show
    /// of init and rules, also in a text with errors.
    resolved: Option<Ir>,
    /// The data files read (`from "PATH"`) and where each of their samples is.
    files: Option<FileSamples>,
    index: Index,
}

/// Where a name is declared.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Definition {
    /// In the text analysed.
    Here(Span),
    /// In a data file: a sample read from it, at its 1-based `line` of the file `path`
    /// (the model's folder joined with the path of its `from`).
    InFile {
        /// The file.
        path: std::path::PathBuf,
        /// The sample's line in it, from 1.
        line: usize,
    },
}

impl Analysis {
    /// Parses, checks and indexes `text`. A text with syntax errors is read as far as it
    /// goes: names, hovers, completion and the outline work on every part that parses,
    /// and hovers show init and rules as the checker resolves them from the lines that
    /// parse and check.
    pub fn new(text: String) -> Analysis {
        Analysis::in_folder(text, None)
    }

    /// [`Analysis::new`] for a text in `folder`, where the paths of its data files start
    /// (`None`: the current directory). A data file's problems are shown on the `from`
    /// line that reads it ([`Problem::at_model`]).
    pub fn in_folder(text: String, folder: Option<&std::path::Path>) -> Analysis {
        let lines = LineIndex::new(&text);
        let parsed = crate::syntax::parse(&text);
        let partial = !parsed.errors.is_empty() || parsed.file.is_none();
        let mut problems = parsed.errors;
        let (index, resolved, files) = match &parsed.file {
            Some(file) => {
                let checked = crate::check::check_resolved(file, folder);
                // The checker's problems on a partial tree would mostly be echoes of the
                // syntax errors (a name whose declaration did not parse is unknown
                // everywhere), so a text with syntax errors shows those only.
                if !partial {
                    problems = checked.problems.iter().map(Problem::at_model).collect();
                }
                (
                    Index::from_ast(file, &text),
                    Some(checked.ir),
                    Some(checked.files),
                )
            }
            None => (Index::default(), None, None),
        };
        problems.sort_by_key(|p| p.labels.first().map_or(0, |l| l.offset()));
        Analysis {
            text,
            lines,
            file: parsed.file,
            partial,
            problems,
            resolved,
            files,
            index,
        }
    }

    /// The text analysed.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The lines of the text, to turn offsets into lines and columns and back.
    pub fn lines(&self) -> &LineIndex {
        &self.lines
    }

    /// Whether the whole text parses.
    pub fn parses(&self) -> bool {
        !self.partial
    }

    /// Every problem of the text (errors and warnings), in source order.
    pub fn problems(&self) -> &[Problem] {
        &self.problems
    }

    /// The hover at byte `offset`: the model's size on its name, a declaration's details
    /// on any occurrence of a name.
    pub fn hover(&self, offset: usize) -> Option<Hover> {
        hover::hover_at(self, offset)
    }

    /// What may be written at byte `offset`: the words the grammar allows there and,
    /// of the names, those that make sense there.
    pub fn completions(&self, offset: usize) -> Vec<Completion> {
        complete::complete(&self.text, offset, &self.index, self.resolved.as_ref())
    }

    /// Where the name at byte `offset` is declared: its declaration in the text, or for
    /// a sample read from a data file, its line in that file.
    pub fn definition(&self, offset: usize) -> Option<Definition> {
        let o = self.index.occurrence_at(offset)?;
        if let Some(d) = self.index.decl_of(o.namespace, &o.name) {
            return Some(Definition::Here(d.span));
        }
        let (file, line) = self
            .files
            .as_ref()
            .filter(|_| o.namespace == index::Namespace::Sample)?
            .sample_line(&o.name)?;
        Some(Definition::InFile {
            path: file.path.clone(),
            line,
        })
    }

    /// Every place the name at byte `offset` is written, its declaration first when
    /// `include_declaration` and it has one, then in source order.
    pub fn references(&self, offset: usize, include_declaration: bool) -> Vec<Span> {
        let Some(o) = self.index.occurrence_at(offset) else {
            return Vec::new();
        };
        self.index
            .occurrences_of(o.namespace, &o.name)
            .filter(|r| include_declaration || !r.is_decl)
            .map(|r| r.span)
            .collect()
    }

    /// The name at byte `offset` that a rename would change, and where it is written.
    pub fn rename_target(&self, offset: usize) -> Option<(Span, &str)> {
        self.index
            .occurrence_at(offset)
            .map(|o| (o.span, o.name.as_str()))
    }

    /// The places to write `new_name` in, to rename the name at byte `offset`; or why
    /// it cannot be renamed so.
    pub fn rename(&self, offset: usize, new_name: &str) -> Result<Vec<Span>, RenameError> {
        rename::rename(&self.index, offset, new_name)
    }

    /// The outline: declarations nested by the extent of their blocks.
    pub fn symbols(&self) -> Vec<Symbol> {
        symbols::symbols(&self.index)
    }

    /// Keywords, numbers, comments, operators, and names by what they name, in order.
    pub fn semantic_tokens(&self) -> Vec<SemanticToken> {
        tokens::semantic_tokens(self)
    }

    /// The text in the canonical layout (`nshed fmt`), or `None` when it does not parse
    /// (the problems say where).
    pub fn formatted(&self) -> Option<String> {
        let file = self.file.as_ref().filter(|_| !self.partial)?;
        Some(crate::syntax::print::print_file(file, &self.text))
    }
}

#[cfg(test)]
mod tests;
