//! The hand-written recursive-descent parser: nshed's one reader of `.nshed` files, and a
//! tolerant one.
//!
//! `grammar/nshed.pest` stays the grammar of record. This parser follows it rule by rule
//! with the same PEG semantics, including where pest puts rule boundaries: between the
//! elements of a sequence pest skips whitespace and comments unconditionally, so a rule
//! whose last element matched nothing (`x ~ y?` without `y`) ends *after* that
//! whitespace, and its span says so. Each function below starts where its rule starts
//! and leaves `pos` where pest's rule would end, so on a file that parses the AST is
//! pest's, spans included.
//!
//! On a file that does not, it reports where pest would (the furthest place a rule was
//! tried and failed: a failing rule fails at its start, and choices are made by the next
//! token, which is where pest's alternatives fail too) and what it expected there, then
//! recovers and reads on:
//!
//! * a statement that does not parse is skipped to the next line that starts outside the
//!   braces it opened (or to the `}` that closes its block), and its text is listed in the
//!   `broken` spans of its block; parentheses left open do not hold a line back, so
//!   `h = any(a, b` loses only its own line;
//! * a block whose `}` is missing ends where a word that only starts a block (`init {`,
//!   `rules {`, `level NAME` inside the model ...) shows that the next one begins;
//! * without a readable `model NAME {` at its start, a file gives no tree at all.
//!
//! `tests/integration/fast_parse.rs` and the `parsers_agree` fuzz target hold the two
//! parsers to the same AST, or the same position of the first error.

use super::ast::*;
use super::parse::Rule;

/// A syntax error: where, and the rules the grammar would have accepted there.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SyntaxError {
    pub at: usize,
    pub expected: &'static [Rule],
}

/// What the tolerant parse gives: the tree (partial when there are errors, none when the
/// file has no model header) and every syntax error, in source order.
#[derive(Debug)]
pub struct Outcome {
    pub file: Option<File>,
    pub errors: Vec<SyntaxError>,
}

type R<T> = Result<T, SyntaxError>;

/// Deeper expression nesting than this is an error here (the nesting pre-check in
/// `parse` refuses far less deep expressions first); it keeps this parser's recursion
/// shallow whatever the input.
const MAX_DEPTH: usize = 256;

/// Errors kept per file: a file that is not nshed at all would otherwise give one per
/// line, and their rendering would cost more than the parse.
const MAX_ERRORS: usize = 100;

/// What may follow the model.
const FILE_ITEMS: &[Rule] = &[
    Rule::kw_init,
    Rule::kw_rules,
    Rule::kw_data,
    Rule::kw_train,
    Rule::kw_test,
    Rule::kw_expect,
    Rule::EOI,
];

/// Parses a whole file, reading past the statements that do not parse.
pub fn parse(source: &str) -> Outcome {
    let mut p = Parser {
        src: source.as_bytes(),
        text: source,
        pos: 0,
        depth: 0,
        scratch: Vec::new(),
        names: NameList::default(),
        children: NameList::default(),
        errors: Vec::new(),
        furthest: None,
    };
    let file = p.file();
    Outcome {
        file,
        errors: p.errors,
    }
}

/// Parses a file that has no syntax error: its tree, or `None`.
pub fn parse_file(source: &str) -> Option<File> {
    let outcome = parse(source);
    outcome.errors.is_empty().then_some(outcome.file).flatten()
}

struct Parser<'a> {
    src: &'a [u8],
    text: &'a str,
    pos: usize,
    depth: usize,
    /// Reused buffer for name lists, so each list is allocated once at its exact size.
    /// The spans of the names of the list being read (a name is its span's text).
    scratch: Vec<Span>,
    /// The names of the nodes of the level being parsed, and the children of its rules.
    names: NameList,
    children: NameList,
    errors: Vec<SyntaxError>,
    /// The furthest place where something was tried and given up for a shorter reading
    /// (`freeze a,` then no level: the statement ends before the comma). pest reports an
    /// error at the furthest place it tried anything, so an error found before this one
    /// is reported here.
    furthest: Option<SyntaxError>,
}

/// Appends to `list` the names of `text` written at `spans`; returns where they are.
fn push_names(list: &mut NameList, text: &str, spans: &[Span]) -> Children {
    let first = list.len();
    for &s in spans {
        list.push(&text[s.start..s.end], s);
    }
    Children::of_list(first, list.len())
}

fn is_ident_start(b: u8) -> bool {
    b.is_ascii_alphabetic() || b == b'_'
}

fn is_ident_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// The grammar's rule for a keyword or punctuation, for error messages.
fn token_rule(token: &str) -> &'static [Rule] {
    match token {
        "model" => &[Rule::kw_model],
        "level" => &[Rule::kw_level],
        "classes" => &[Rule::kw_classes],
        "init" => &[Rule::kw_init],
        "rules" => &[Rule::kw_rules],
        "data" => &[Rule::kw_data],
        "train" => &[Rule::kw_train],
        "test" => &[Rule::kw_test],
        "phase" => &[Rule::kw_phase],
        "grow" => &[Rule::kw_grow],
        "shrink" => &[Rule::kw_shrink],
        "jitter" => &[Rule::kw_jitter],
        "lambda" => &[Rule::kw_lambda],
        "eta" => &[Rule::kw_eta],
        "any" => &[Rule::kw_any],
        "all" => &[Rule::kw_all],
        "atleast" => &[Rule::kw_atleast],
        "of" => &[Rule::kw_of],
        "mul" => &[Rule::kw_mul],
        "add" => &[Rule::kw_add],
        "sub" => &[Rule::kw_sub],
        "keep" => &[Rule::kw_keep],
        "noise" => &[Rule::kw_noise],
        "flip" => &[Rule::kw_flip],
        "from" => &[Rule::kw_from],
        "copies" => &[Rule::kw_copies],
        "weight" => &[Rule::kw_weight],
        "seed" => &[Rule::kw_seed],
        "sampler" => &[Rule::kw_sampler],
        "eta_update" => &[Rule::kw_eta_update],
        "steps" => &[Rule::kw_steps],
        "batch" => &[Rule::kw_batch],
        "freeze" => &[Rule::kw_freeze],
        "record" => &[Rule::kw_record],
        "every" => &[Rule::kw_every],
        "uniform" => &[Rule::kw_uniform],
        "normal" => &[Rule::kw_normal],
        "lognormal" => &[Rule::kw_lognormal],
        "by" => &[Rule::kw_by],
        "error" => &[Rule::kw_error],
        "expect" => &[Rule::kw_expect],
        "initial" => &[Rule::kw_initial],
        "predict" => &[Rule::kw_predict],
        "is" => &[Rule::kw_is],
        "none" => &[Rule::kw_none],
        "pathway" => &[Rule::kw_pathway],
        "has" => &[Rule::kw_has],
        "lacks" => &[Rule::kw_lacks],
        "p" => &[Rule::kw_p],
        "le" => &[Rule::kw_le],
        "ln" => &[Rule::kw_ln],
        "logit" => &[Rule::kw_logit],
        "accuracy" => &[Rule::kw_accuracy],
        "loss" => &[Rule::kw_loss],
        "within" => &[Rule::kw_within],
        "{" => &[Rule::lbrace],
        "}" => &[Rule::rbrace],
        "(" => &[Rule::lparen],
        ")" => &[Rule::rparen],
        "," => &[Rule::comma],
        ":" => &[Rule::colon],
        "=" => &[Rule::eq],
        "->" => &[Rule::arrow],
        "<-" => &[Rule::larrow],
        _ => &[],
    }
}

/// Where a block body stops reading when a statement does not parse.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Scope {
    /// Inside the model: `level NAME` and `classes` start the model's next item.
    Model,
    /// Any other block.
    Block,
}

impl<'a> Parser<'a> {
    // ------------------------------------------------------------ tokens

    fn peek(&self) -> Option<u8> {
        self.src.get(self.pos).copied()
    }

    fn peek_at(&self, offset: usize) -> Option<u8> {
        self.src.get(self.pos + offset).copied()
    }

    fn at_end(&self) -> bool {
        self.pos >= self.src.len()
    }

    /// pest's implicit `(WHITESPACE | COMMENT)*`.
    fn skip(&mut self) {
        loop {
            match self.peek() {
                Some(b' ' | b'\t' | b'\r' | b'\n') => self.pos += 1,
                Some(b'/') if self.peek_at(1) == Some(b'/') => {
                    // A comment ends before the newline; bytes of a multi-byte UTF-8
                    // character are never `\n`, so scanning bytes is exact.
                    self.pos += 2;
                    while let Some(b) = self.peek() {
                        if b == b'\n' {
                            break;
                        }
                        self.pos += 1;
                    }
                }
                _ => return,
            }
        }
    }

    /// Length of the identifier (`ident_raw`) at `pos`, 0 if there is none.
    fn ident_len(&self) -> usize {
        self.ident_len_at(self.pos)
    }

    fn ident_len_at(&self, at: usize) -> usize {
        match self.src.get(at) {
            Some(&b) if is_ident_start(b) => {
                1 + self.src[at + 1..]
                    .iter()
                    .take_while(|&&b| is_ident_char(b))
                    .count()
            }
            _ => 0,
        }
    }

    /// The identifier at `pos` (empty if there is none).
    fn word_here(&self) -> &'a str {
        let len = self.ident_len();
        &self.text[self.pos..self.pos + len]
    }

    /// Is the next token the keyword `kw` (`"kw" ~ !ident_char`)?
    fn at_kw(&self, kw: &str) -> bool {
        self.word_here() == kw
    }

    /// Is the next token a `name` (an identifier that is not reserved)?
    fn at_name(&self) -> bool {
        let word = self.word_here();
        !word.is_empty() && !super::words::is_reserved(word)
    }

    fn at(&self, punct: &str) -> bool {
        self.src[self.pos..].starts_with(punct.as_bytes())
    }

    /// Where the next token starts at or after `at` (past blanks and comments).
    fn token_from(&self, mut at: usize) -> usize {
        loop {
            match self.src.get(at) {
                Some(b' ' | b'\t' | b'\r' | b'\n') => at += 1,
                Some(b'/') if self.src.get(at + 1) == Some(&b'/') => {
                    while self.src.get(at).is_some_and(|&b| b != b'\n') {
                        at += 1;
                    }
                }
                _ => return at,
            }
        }
    }

    /// The first byte of the token after the word at `pos`.
    fn after_word(&self) -> Option<u8> {
        self.src
            .get(self.token_from(self.pos + self.ident_len()))
            .copied()
    }

    /// Is the word at `pos` a contextual keyword here, rather than a name? It is unless a
    /// `:` follows (a sample called `from` or `copies`).
    fn at_contextual(&self, kw: &str) -> bool {
        self.at_kw(kw) && self.after_word() != Some(b':')
    }

    fn span_from(&self, start: usize) -> Span {
        Span::new(start, self.pos)
    }

    /// An error at `pos`.
    fn fail(&self, expected: &'static [Rule]) -> SyntaxError {
        SyntaxError {
            at: self.pos,
            expected,
        }
    }

    /// A keyword rule: its span.
    fn kw(&mut self, kw: &str) -> R<Span> {
        if !self.at_kw(kw) {
            return Err(self.fail(token_rule(kw)));
        }
        let start = self.pos;
        self.pos += kw.len();
        Ok(self.span_from(start))
    }

    fn punct(&mut self, punct: &str) -> R<()> {
        if !self.at(punct) {
            return Err(self.fail(token_rule(punct)));
        }
        self.pos += punct.len();
        Ok(())
    }

    fn name(&mut self) -> R<Ident> {
        let span = self.name_span()?;
        Ok(self.ident_at(span))
    }

    /// `name`, giving only where it is: lists keep their names' text themselves.
    fn name_span(&mut self) -> R<Span> {
        // `at_name` then `word`, scanning the identifier once.
        let len = self.ident_len();
        if len == 0 || super::words::is_reserved(&self.text[self.pos..self.pos + len]) {
            return Err(self.fail(&[Rule::name]));
        }
        let start = self.pos;
        self.pos += len;
        Ok(self.span_from(start))
    }

    /// The name written at `span`.
    fn ident_at(&self, span: Span) -> Ident {
        Ident {
            name: SmolStr::new(&self.text[span.start..span.end]),
            span,
        }
    }

    /// `word` (any identifier, reserved or not); the caller has checked there is one.
    fn word(&mut self) -> Ident {
        let start = self.pos;
        self.pos += self.ident_len();
        Ident {
            name: SmolStr::new(&self.text[start..self.pos]),
            span: self.span_from(start),
        }
    }

    fn digits(&mut self) -> usize {
        let n = self.src[self.pos..]
            .iter()
            .take_while(|b| b.is_ascii_digit())
            .count();
        self.pos += n;
        n
    }

    /// Neither an identifier character nor `.` follows (the end of `int` and `number`).
    fn at_literal_end(&self) -> bool {
        !matches!(self.peek(), Some(b) if is_ident_char(b) || b == b'.')
    }

    /// `int`; an atomic rule fails where it starts.
    fn int(&mut self) -> R<IntLit> {
        let start = self.pos;
        if self.digits() == 0 || !self.at_literal_end() {
            self.pos = start;
            return Err(self.fail(&[Rule::int]));
        }
        let text = &self.text[start..self.pos];
        Ok(IntLit {
            value: text.parse::<u64>().ok(),
            text: SmolStr::new(text),
            span: self.span_from(start),
        })
    }

    fn number(&mut self) -> R<Expr> {
        let start = self.pos;
        if self.digits() == 0 {
            return Err(self.fail(&[Rule::number, Rule::lparen, Rule::minus]));
        }
        if self.peek() == Some(b'.') && self.peek_at(1).is_some_and(|b| b.is_ascii_digit()) {
            self.pos += 1;
            self.digits();
        }
        if matches!(self.peek(), Some(b'e' | b'E')) {
            let sign = usize::from(matches!(self.peek_at(1), Some(b'+' | b'-')));
            if self.peek_at(1 + sign).is_some_and(|b| b.is_ascii_digit()) {
                self.pos += 1 + sign;
                self.digits();
            }
        }
        if !self.at_literal_end() {
            self.pos = start;
            return Err(self.fail(&[Rule::number, Rule::lparen, Rule::minus]));
        }
        let text = &self.text[start..self.pos];
        Ok(Expr::Num {
            value: text.parse::<f64>().unwrap_or(f64::NAN),
            text: text.to_string(),
            span: self.span_from(start),
        })
    }

    /// `string`: `"..."` on one line; its value is the text between the quotes.
    fn string(&mut self) -> R<StringLit> {
        let start = self.pos;
        if self.peek() != Some(b'"') {
            return Err(self.fail(&[Rule::string]));
        }
        let rest = &self.src[start + 1..];
        let Some(len) = rest.iter().position(|&b| b == b'"' || b == b'\n') else {
            return Err(self.fail(&[Rule::string]));
        };
        if rest[len] != b'"' {
            return Err(self.fail(&[Rule::string]));
        }
        self.pos = start + 1 + len + 1;
        Ok(StringLit {
            value: self.text[start + 1..start + 1 + len].to_string(),
            span: self.span_from(start),
        })
    }

    /// `name ~ (comma ~ name)* ~ comma?`, the names in a list of their exact size.
    fn name_list(&mut self) -> R<Vec<Ident>> {
        self.scan_name_list()?;
        // A list of exactly this size; the scratch keeps its capacity for the next one.
        Ok(self.scratch.iter().map(|&s| self.ident_at(s)).collect())
    }

    /// A `name_list` into `scratch`.
    fn scan_name_list(&mut self) -> R<()> {
        let mut names = std::mem::take(&mut self.scratch);
        names.clear();
        let first = self.name_span();
        let first = match first {
            Ok(span) => span,
            Err(e) => {
                self.scratch = names;
                return Err(e);
            }
        };
        names.push(first);
        loop {
            let save = self.pos;
            self.skip();
            if self.at(",") {
                self.pos += 1;
                self.skip();
                if self.at_name() {
                    if let Ok(span) = self.name_span() {
                        names.push(span);
                    }
                    continue;
                }
            }
            self.pos = save;
            break;
        }
        self.skip();
        if self.at(",") {
            self.pos += 1;
        }
        self.scratch = names;
        Ok(())
    }

    // ------------------------------------------------------------ errors and recovery

    /// Notes that `expected` was tried at `pos` and the reading went on without it.
    fn attempted(&mut self, expected: &'static [Rule]) {
        if self.furthest.as_ref().is_none_or(|f| f.at < self.pos) {
            self.furthest = Some(self.fail(expected));
        }
    }

    /// Keeps an error (at the furthest place tried, see `furthest`), unless one is
    /// already kept at or after its place (a block that stops early reports once, not
    /// once per block it was in).
    fn error(&mut self, error: SyntaxError) {
        let error = match self.furthest.take() {
            Some(furthest) if furthest.at > error.at => furthest,
            _ => error,
        };
        if self.errors.len() >= MAX_ERRORS || self.errors.last().is_some_and(|e| e.at >= error.at) {
            return;
        }
        self.errors.push(error);
    }

    /// Does a block start at `pos`, one that can only be at the top of a file (so the
    /// block being read has lost its `}`)? `model NAME`, `init {`, ..., `expect initial`.
    fn at_file_item(&self) -> bool {
        let word = self.word_here();
        match word {
            "model" => true,
            "init" | "rules" | "data" | "train" | "test" | "expect" => {
                let next = self.after_word();
                next == Some(b'{') || (word == "expect" && self.after_word_is("initial"))
            }
            _ => false,
        }
    }

    /// Is the word after the one at `pos` exactly `word`?
    fn after_word_is(&self, word: &str) -> bool {
        let at = self.token_from(self.pos + self.ident_len());
        &self.text[at..at + self.ident_len_at(at)] == word
    }

    /// Does the next item of the model start at `pos` (so a level or `classes` block
    /// has lost its `}`)?
    fn at_model_item(&self) -> bool {
        self.at_kw("level") || self.at_kw("classes")
    }

    fn at_stop(&self, scope: Scope) -> bool {
        self.at_file_item() || (scope == Scope::Model && self.at_model_item())
    }

    /// After a statement starting at `start` failed with `error`: keeps the error, skips
    /// the rest of the statement (recording its text in `broken`) and says whether the
    /// block goes on: not at the end of the file, nor when the statement that failed is
    /// the start of the model's next item or of a top-level block (the block has lost its
    /// `}`; the error said so).
    fn recover(
        &mut self,
        error: SyntaxError,
        start: usize,
        broken: &mut Vec<Span>,
        scope: Scope,
    ) -> bool {
        self.error(error.clone());
        self.pos = error.at;
        if error.at == start && self.at_stop(scope) {
            return false;
        }
        let end = self.sync(start, error.at, scope);
        if end > start {
            broken.push(Span::new(start, end).without_trailing_blanks(&self.text[start..end]));
        }
        !self.at_end()
    }

    /// Skips from `from` (inside the statement that started at `start`) to where the next
    /// statement may start: the first token of a later line outside the braces the
    /// statement opened, the `}` that closes the block, the start of a block that only
    /// comes at the top level, or the end. Returns the end of the last token skipped.
    fn sync(&mut self, start: usize, from: usize, scope: Scope) -> usize {
        let mut braces = open_braces(&self.src[start..from]);
        let mut last_end = from;
        self.pos = from;
        let mut line_start = from > start && at_line_start(self.src, from);
        loop {
            let before = self.pos;
            self.skip();
            if self.src[before..self.pos].contains(&b'\n') {
                line_start = true;
            }
            if self.at_end() {
                return last_end;
            }
            if self.pos > start {
                if self.at_stop(scope) {
                    return last_end;
                }
                if braces == 0 && (self.at("}") || line_start) {
                    return last_end;
                }
            }
            line_start = false;
            match self.peek() {
                Some(b'{') => {
                    braces += 1;
                    self.pos += 1;
                }
                Some(b'}') => {
                    braces = braces.saturating_sub(1);
                    self.pos += 1;
                }
                Some(b'"') => {
                    let rest = &self.src[self.pos + 1..];
                    let len = rest
                        .iter()
                        .position(|&b| b == b'"' || b == b'\n')
                        .map_or(rest.len(), |i| i + usize::from(rest[i] == b'"'));
                    self.pos += 1 + len;
                }
                Some(b) if is_ident_char(b) => {
                    self.pos += 1;
                    while self.peek().is_some_and(is_ident_char) {
                        self.pos += 1;
                    }
                }
                Some(_) => {
                    // One character, whole.
                    let ch = self.text[self.pos..]
                        .chars()
                        .next()
                        .map_or(1, char::len_utf8);
                    self.pos += ch;
                }
                None => return last_end,
            }
            last_end = self.pos;
        }
    }

    /// The end of a block: its `}`, or an error where it should be.
    fn close(&mut self) {
        if self.at("}") {
            self.pos += 1;
        } else {
            let error = self.fail(&[Rule::rbrace]);
            self.error(error);
        }
    }

    // ------------------------------------------------------------ file and model

    fn file(&mut self) -> Option<File> {
        self.skip();
        let model = match self.model() {
            Ok(model) => model,
            Err(error) => {
                self.error(error);
                return None;
            }
        };
        let mut blocks = Vec::new();
        let mut broken = Vec::new();
        loop {
            let save = self.pos;
            self.skip();
            if self.at_end() {
                // `EOI` matches after the blanks; the last block's span does not take them.
                self.pos = save;
                break;
            }
            let start = self.pos;
            let block = self.block();
            match block {
                Ok(block) => blocks.push(block),
                Err(error) => {
                    self.error(error.clone());
                    self.pos = error.at;
                    let end = self.sync_file(start);
                    broken.push(Span::new(start, end));
                }
            }
        }
        Some(File {
            model,
            blocks,
            broken,
        })
    }

    /// One block after the model.
    fn block(&mut self) -> R<Block> {
        Ok(if self.at_kw("init") {
            Block::Init(self.init_block()?)
        } else if self.at_kw("rules") {
            Block::Rules(self.rules_block()?)
        } else if self.at_kw("data") {
            Block::Data(self.data_block()?)
        } else if self.at_kw("train") {
            Block::Train(self.train_block()?)
        } else if self.at_kw("expect") {
            Block::Expect(self.expect_block()?)
        } else if self.at_kw("test") {
            Block::Test(self.test_block()?)
        } else {
            return Err(self.fail(FILE_ITEMS));
        })
    }

    /// Skips from `pos` to the next block at the top level (or the end); returns the end
    /// of the last token skipped.
    fn sync_file(&mut self, start: usize) -> usize {
        let mut last_end = self.pos.max(start + 1).min(self.src.len());
        if self.pos == start {
            // Past the token that is no block, whole (a name, or one character).
            let len = self.ident_len().max(
                self.text[self.pos..]
                    .chars()
                    .next()
                    .map_or(0, char::len_utf8),
            );
            self.pos += len;
            last_end = self.pos;
        }
        loop {
            let before = self.pos;
            self.skip();
            if self.at_end() || self.at_file_item() {
                return last_end;
            }
            let len = self.ident_len().max(
                self.text[self.pos..]
                    .chars()
                    .next()
                    .map_or(1, char::len_utf8),
            );
            debug_assert!(self.pos >= before);
            self.pos += len;
            last_end = self.pos;
        }
    }

    fn model(&mut self) -> R<Model> {
        let start = self.pos;
        self.kw("model")?;
        self.skip();
        let name = self.name()?;
        let header = Span::new(start, name.span.end);
        self.skip();
        self.punct("{")?;
        let mut items = Vec::new();
        let mut broken = Vec::new();
        loop {
            self.skip();
            let start = self.pos;
            let item = if self.at_kw("level") {
                self.level_decl().map(ModelItem::Level)
            } else if self.at_kw("classes") {
                self.classes_decl().map(ModelItem::Classes)
            } else if self.at("}") {
                break;
            } else {
                Err(self.fail(&[Rule::kw_level, Rule::kw_classes, Rule::rbrace]))
            };
            match item {
                Ok(item) => items.push(item),
                Err(error) => {
                    if !self.recover_model(error, start, &mut broken) {
                        break;
                    }
                }
            }
        }
        self.close();
        Ok(Model {
            name,
            header,
            items,
            broken,
        })
    }

    /// `recover` for the model's own items: a level or `classes` that fails is skipped,
    /// and the model ends where a top-level block starts.
    fn recover_model(&mut self, error: SyntaxError, start: usize, broken: &mut Vec<Span>) -> bool {
        self.error(error.clone());
        self.pos = error.at;
        if error.at == start && self.at_file_item() {
            return false;
        }
        let end = self.sync(start, error.at, Scope::Block);
        if end > start {
            broken.push(Span::new(start, end).without_trailing_blanks(&self.text[start..end]));
        }
        !self.at_end()
    }

    /// The body of a block: statements until `}`, each read by `item` when `starts` says
    /// one starts at `pos`, recovering from those that fail. Leaves `pos` at the `}` (or
    /// where the block stopped).
    fn body<T>(
        &mut self,
        scope: Scope,
        expected: &'static [Rule],
        broken: &mut Vec<Span>,
        mut item: impl FnMut(&mut Self) -> Option<R<T>>,
        mut push: impl FnMut(&mut Self, T),
    ) {
        loop {
            self.skip();
            let start = self.pos;
            let result = match item(self) {
                Some(result) => result,
                None if self.at("}") => break,
                None => Err(self.fail(expected)),
            };
            match result {
                Ok(value) => push(self, value),
                Err(error) => {
                    if !self.recover(error, start, broken, scope) {
                        break;
                    }
                }
            }
        }
    }

    fn level_decl(&mut self) -> R<LevelDecl> {
        let start = self.pos;
        self.kw("level")?;
        self.skip();
        let name = self.name()?;
        let header = Span::new(start, name.span.end);
        self.skip();
        self.punct("{")?;
        let mut nodes = Vec::new();
        let mut broken = Vec::new();
        self.names = NameList::default();
        self.children = NameList::default();
        self.body(
            Scope::Model,
            &[Rule::name, Rule::rbrace],
            &mut broken,
            |p| {
                if !p.at_name() {
                    return None;
                }
                let (names, children) = (p.names.len(), p.children.len());
                let node = p.node_decl();
                if node.is_err() {
                    // The node's name and children go with it.
                    p.names.truncate(names);
                    p.children.truncate(children);
                }
                Some(node)
            },
            |_, node| nodes.push(node),
        );
        // Growth by doubling leaves up to half the list unused, on a large model the
        // largest waste of the parse. Giving it back is a remap, not a copy.
        nodes.shrink_to_fit();
        let mut names = std::mem::take(&mut self.names);
        names.shrink_to_fit();
        let mut children = std::mem::take(&mut self.children);
        children.shrink_to_fit();
        self.close();
        Ok(LevelDecl {
            name,
            header,
            nodes,
            names,
            children,
            broken,
        })
    }

    /// `name ~ (eq ~ gate)?`
    fn node_decl(&mut self) -> R<NodeDecl> {
        let name = self.name()?;
        self.names.push(&name.name, name.span);
        let save = self.pos;
        self.skip();
        if !self.at("=") {
            // The whitespace belongs to the (span-less) node_decl; the level loop skips
            // it again.
            self.pos = save;
            return Ok(NodeDecl { gate: None });
        }
        self.pos += 1;
        self.skip();
        let gate = self.gate()?;
        Ok(NodeDecl { gate: Some(gate) })
    }

    /// `gate_any | gate_all | gate_atleast`
    fn gate(&mut self) -> R<Gate> {
        let start = self.pos;
        let kind = if self.at_kw("any") {
            self.kw("any")?;
            GateKind::Any
        } else if self.at_kw("all") {
            self.kw("all")?;
            GateKind::All
        } else if self.at_kw("atleast") {
            self.kw("atleast")?;
            self.skip();
            let k = self.int()?;
            self.skip();
            self.kw("of")?;
            GateKind::AtLeast(AtLeastK::new(k))
        } else {
            return Err(self.fail(&[Rule::gate]));
        };
        self.skip();
        self.punct("(")?;
        self.skip();
        let children = if self.at_name() {
            self.scan_name_list()?;
            self.skip();
            push_names(&mut self.children, self.text, &self.scratch)
        } else {
            Children::of_list(self.children.len(), self.children.len())
        };
        if !self.at(")") {
            return Err(self.fail(if children.is_empty() {
                &[Rule::name, Rule::rparen]
            } else {
                &[Rule::comma, Rule::rparen]
            }));
        }
        self.pos += 1;
        Ok(Gate::new(kind, children, self.span_from(start)))
    }

    fn classes_decl(&mut self) -> R<ClassesDecl> {
        let header = self.kw("classes")?;
        self.skip();
        self.punct("{")?;
        let mut classes = Vec::new();
        let mut broken = Vec::new();
        self.body(
            Scope::Model,
            &[Rule::name, Rule::rbrace],
            &mut broken,
            |p| p.at_name().then(|| p.class_decl()),
            |_, class| classes.push(class),
        );
        self.close();
        Ok(ClassesDecl {
            header,
            classes,
            broken,
        })
    }

    /// `name ~ (larrow ~ name_list?)?`: the span takes the whitespace after an empty
    /// optional part, as pest's does.
    fn class_decl(&mut self) -> R<ClassDecl> {
        let start = self.pos;
        let name = self.name()?;
        self.skip();
        let mut parents = Vec::new();
        if self.at("<-") {
            self.pos += 2;
            self.skip();
            if self.at_name() {
                parents = self.name_list()?;
            }
        }
        Ok(ClassDecl {
            name,
            parents,
            span: self.span_from(start),
        })
    }

    // ------------------------------------------------------------ init

    fn init_block(&mut self) -> R<InitBlock> {
        let header = self.kw("init")?;
        self.skip();
        self.punct("{")?;
        let mut items = Vec::new();
        let mut broken = Vec::new();
        self.body(
            Scope::Block,
            &[Rule::init_item, Rule::rbrace],
            &mut broken,
            |p| (p.at_kw("lambda") || p.at_kw("eta")).then(|| p.init_item()),
            |_, item| items.push(item),
        );
        self.close();
        Ok(InitBlock {
            header,
            items,
            broken,
        })
    }

    /// `(lambda_target | eta_init_target) ~ eq ~ dist`
    fn init_item(&mut self) -> R<InitItem> {
        let start = self.pos;
        let target = if self.at_kw("lambda") {
            self.kw("lambda")?;
            self.skip();
            if self.at_kw("level") {
                self.level_target()?
            } else if self.at_name() {
                Target::Node(self.name()?)
            } else {
                Target::All
            }
        } else {
            self.eta_target()?
        };
        self.skip();
        self.punct("=")?;
        self.skip();
        let dist = self.dist()?;
        Ok(InitItem {
            target,
            dist,
            span: self.span_from(start),
        })
    }

    /// `kw_level ~ name`
    fn level_target(&mut self) -> R<Target> {
        self.kw("level")?;
        self.skip();
        Ok(Target::Level(self.name()?))
    }

    /// `kw_eta ~ edge_target?`, where `edge_target = name ~ arrow ~ name`. Leaves `pos`
    /// after the whitespace following `eta` when there is no edge, as pest does.
    fn eta_target(&mut self) -> R<Target> {
        self.kw("eta")?;
        self.skip();
        if !self.at_name() {
            return Ok(Target::AllEdges);
        }
        let from = self.name()?;
        self.skip();
        self.punct("->")?;
        self.skip();
        let to = self.name()?;
        Ok(Target::Edge { from, to })
    }

    /// `dist_uniform | dist_normal | dist_lognormal | expr`
    fn dist(&mut self) -> R<Dist> {
        let start = self.pos;
        let two_args = |p: &mut Self, kw: &str| -> R<(Expr, Expr)> {
            p.kw(kw)?;
            p.skip();
            p.punct("(")?;
            p.skip();
            let a = p.expr()?;
            p.skip();
            p.punct(",")?;
            p.skip();
            let b = p.expr()?;
            p.skip();
            p.punct(")")?;
            Ok((a, b))
        };
        let kind = if self.at_kw("uniform") {
            let (a, b) = two_args(self, "uniform")?;
            DistKind::Uniform(a, b)
        } else if self.at_kw("normal") {
            let (a, b) = two_args(self, "normal")?;
            DistKind::Normal(a, b)
        } else if self.at_kw("lognormal") {
            let (a, b) = two_args(self, "lognormal")?;
            DistKind::LogNormal(a, b)
        } else {
            DistKind::Const(self.expr().map_err(|e| SyntaxError {
                at: e.at,
                expected: if e.at == start {
                    &[Rule::dist]
                } else {
                    e.expected
                },
            })?)
        };
        Ok(Dist {
            kind,
            span: self.span_from(start),
        })
    }

    // ------------------------------------------------------------ rules

    fn rules_block(&mut self) -> R<RulesBlock> {
        let header = self.kw("rules")?;
        self.skip();
        self.punct("{")?;
        let mut items = Vec::new();
        let mut broken = Vec::new();
        self.body(
            Scope::Block,
            &[Rule::jitter_stmt, Rule::rule_stmt, Rule::rbrace],
            &mut broken,
            |p| {
                if p.at_kw("jitter") {
                    Some(p.jitter_stmt())
                } else if p.at_rule_target() {
                    Some(p.rule_stmt().map(RuleItem::Update))
                } else {
                    None
                }
            },
            |_, item| items.push(item),
        );
        self.close();
        Ok(RulesBlock {
            header,
            items,
            broken,
        })
    }

    fn at_rule_target(&self) -> bool {
        self.at_kw("grow") || self.at_kw("shrink")
    }

    /// `kw_jitter ~ eq ~ expr`
    fn jitter_stmt(&mut self) -> R<RuleItem> {
        let start = self.pos;
        self.kw("jitter")?;
        self.skip();
        self.punct("=")?;
        self.skip();
        let value = self.expr()?;
        Ok(RuleItem::Jitter {
            value,
            span: self.span_from(start),
        })
    }

    /// `rule_target ~ eq ~ (rule_target ~ eq)* ~ update`
    fn rule_stmt(&mut self) -> R<RuleStmt> {
        let start = self.pos;
        let mut targets = vec![self.rule_target()?];
        self.skip();
        self.punct("=")?;
        loop {
            self.skip();
            if !self.at_rule_target() {
                break;
            }
            targets.push(self.rule_target()?);
            self.skip();
            self.punct("=")?;
        }
        let update = self.update()?;
        Ok(RuleStmt {
            targets,
            update,
            span: self.span_from(start),
        })
    }

    /// `(kw_grow | kw_shrink) ~ (level_target | eta_rule_target | node_target)?`
    fn rule_target(&mut self) -> R<RuleTarget> {
        let start = self.pos;
        let direction = if self.at_kw("grow") {
            self.kw("grow")?;
            Direction::Grow
        } else {
            self.kw("shrink")?;
            Direction::Shrink
        };
        self.skip();
        let target = if self.at_kw("level") {
            self.level_target()?
        } else if self.at_kw("eta") {
            self.eta_target()?
        } else if self.at_name() {
            Target::Node(self.name()?)
        } else {
            Target::All
        };
        Ok(RuleTarget {
            direction,
            target,
            span: self.span_from(start),
        })
    }

    /// `(upd_mul | upd_add | upd_sub) ~ by_error? | upd_keep ~ by_error | upd_keep`
    fn update(&mut self) -> R<Update> {
        let start = self.pos;
        let kind = if self.at_kw("keep") {
            self.kw("keep")?;
            // `keep by error` is its own alternative: without the suffix the rule ends
            // right after `keep`, not after the whitespace that follows it.
            let after_keep = self.pos;
            self.skip();
            if self.at_kw("by") {
                let by_error = Some(self.by_error()?);
                return Ok(Update {
                    kind: UpdateKind::Keep,
                    by_error,
                    span: self.span_from(start),
                });
            }
            self.pos = after_keep;
            UpdateKind::Keep
        } else {
            let make: fn(Expr) -> UpdateKind = if self.at_kw("mul") {
                self.kw("mul")?;
                UpdateKind::Mul
            } else if self.at_kw("add") {
                self.kw("add")?;
                UpdateKind::Add
            } else if self.at_kw("sub") {
                self.kw("sub")?;
                UpdateKind::Sub
            } else {
                return Err(self.fail(&[Rule::rule_target, Rule::update]));
            };
            self.skip();
            make(self.expr()?)
        };
        // After an expression `pos` is already past the whitespace that follows it.
        let by_error = if matches!(kind, UpdateKind::Keep) || !self.at_kw("by") {
            None
        } else {
            Some(self.by_error()?)
        };
        Ok(Update {
            kind,
            by_error,
            span: self.span_from(start),
        })
    }

    /// `kw_by ~ kw_error`
    fn by_error(&mut self) -> R<Span> {
        let start = self.pos;
        self.kw("by")?;
        self.skip();
        self.kw("error")?;
        Ok(self.span_from(start))
    }

    // ------------------------------------------------------------ data and test

    fn data_block(&mut self) -> R<DataBlock> {
        let header = self.kw("data")?;
        self.skip();
        self.punct("{")?;
        let mut items = Vec::new();
        let mut broken = Vec::new();
        self.body(
            Scope::Block,
            &[
                Rule::noise_stmt,
                Rule::from_stmt,
                Rule::sample_decl,
                Rule::rbrace,
            ],
            &mut broken,
            |p| {
                if p.at_kw("noise") {
                    Some(p.noise_stmt())
                } else if p.at_contextual("from") {
                    Some(p.file_source().map(DataItem::From))
                } else if p.at_name() {
                    Some(p.sample_decl(true).map(DataItem::Sample))
                } else {
                    None
                }
            },
            |_, item| items.push(item),
        );
        self.close();
        Ok(DataBlock {
            header,
            items,
            broken,
        })
    }

    /// `kw_noise ~ kw_flip ~ expr`
    fn noise_stmt(&mut self) -> R<DataItem> {
        let start = self.pos;
        self.kw("noise")?;
        self.skip();
        self.kw("flip")?;
        self.skip();
        let value = self.expr()?;
        Ok(DataItem::NoiseFlip {
            value,
            span: self.span_from(start),
        })
    }

    /// `kw_from ~ string`
    fn file_source(&mut self) -> R<FromFile> {
        let start = self.pos;
        self.kw("from")?;
        self.skip();
        let path = self.string()?;
        Ok(FromFile {
            path,
            span: self.span_from(start),
        })
    }

    /// `name ~ colon ~ name* ~ arrow ~ name ~ (kw_weight ~ expr)?` (`sample_decl`), or
    /// without the weight (`test_sample`).
    fn sample_decl(&mut self, weighted: bool) -> R<SampleDecl> {
        let start = self.pos;
        let name = self.name()?;
        self.skip();
        self.punct(":")?;
        self.skip();
        let mut inputs = std::mem::take(&mut self.scratch);
        inputs.clear();
        while self.at_name() {
            let at = self.pos;
            self.pos += self.ident_len();
            inputs.push(self.span_from(at));
            let save = self.pos;
            self.skip();
            if !self.at_name() {
                self.pos = save;
                break;
            }
        }
        let mut input_list = NameList::default();
        push_names(&mut input_list, self.text, &inputs);
        input_list.shrink_to_fit();
        self.scratch = inputs;
        self.skip();
        if !self.at("->") {
            return Err(self.fail(&[Rule::name, Rule::arrow]));
        }
        self.pos += 2;
        self.skip();
        let label = self.name()?;
        // With a weight allowed, the rule ends after the blanks an absent weight leaves,
        // as pest's does; a test sample's ends at its label.
        let weight = if weighted {
            self.skip();
            if self.at_kw("weight") {
                self.kw("weight")?;
                self.skip();
                Some(self.expr()?)
            } else {
                None
            }
        } else {
            None
        };
        Ok(SampleDecl {
            name,
            inputs: input_list,
            label,
            weight,
            span: self.span_from(start),
        })
    }

    fn test_block(&mut self) -> R<TestBlock> {
        let header = self.kw("test")?;
        self.skip();
        self.punct("{")?;
        let mut items = Vec::new();
        let mut broken = Vec::new();
        self.body(
            Scope::Block,
            &[
                Rule::copies_stmt,
                Rule::from_stmt,
                Rule::test_sample,
                Rule::rbrace,
            ],
            &mut broken,
            |p| {
                if p.at_contextual("copies") {
                    Some(p.copies_stmt())
                } else if p.at_contextual("from") {
                    Some(p.file_source().map(TestItem::From))
                } else if p.at_name() {
                    Some(p.sample_decl(false).map(TestItem::Sample))
                } else {
                    None
                }
            },
            |_, item| items.push(item),
        );
        self.close();
        Ok(TestBlock {
            header,
            items,
            broken,
        })
    }

    /// `kw_copies ~ int ~ kw_flip ~ expr`
    fn copies_stmt(&mut self) -> R<TestItem> {
        let start = self.pos;
        self.kw("copies")?;
        self.skip();
        let count = self.int()?;
        self.skip();
        self.kw("flip")?;
        self.skip();
        let flip = self.expr()?;
        Ok(TestItem::Copies {
            count,
            flip,
            span: self.span_from(start),
        })
    }

    // ------------------------------------------------------------ train

    fn train_block(&mut self) -> R<TrainBlock> {
        let header = self.kw("train")?;
        self.skip();
        self.punct("{")?;
        let mut items = Vec::new();
        let mut broken = Vec::new();
        self.body(
            Scope::Block,
            &[
                Rule::kw_phase,
                Rule::kw_seed,
                Rule::kw_sampler,
                Rule::kw_eta_update,
                Rule::kw_record,
                Rule::rbrace,
            ],
            &mut broken,
            |p| p.train_item(),
            |_, item| items.push(item),
        );
        self.close();
        Ok(TrainBlock {
            header,
            items,
            broken,
        })
    }

    /// One statement of `train`, or `None` if none starts here.
    fn train_item(&mut self) -> Option<R<TrainItem>> {
        let start = self.pos;
        let word = self.word_here();
        Some(match word {
            "seed" => self.kw("seed").and_then(|_| {
                self.skip();
                let value = self.int()?;
                Ok(TrainItem::Seed {
                    value,
                    span: self.span_from(start),
                })
            }),
            "eta_update" | "sampler" => self.kw(word).and_then(|_| {
                self.skip();
                let value = self.any_word()?;
                let span = self.span_from(start);
                Ok(if word == "sampler" {
                    TrainItem::Sampler { kind: value, span }
                } else {
                    TrainItem::EtaUpdate { mode: value, span }
                })
            }),
            "phase" => self.phase_decl().map(TrainItem::Phase),
            "record" => self.record_decl().map(TrainItem::Record),
            _ => return None,
        })
    }

    fn any_word(&mut self) -> R<Ident> {
        if self.ident_len() == 0 {
            return Err(self.fail(&[Rule::word]));
        }
        Ok(self.word())
    }

    fn phase_decl(&mut self) -> R<PhaseDecl> {
        let start = self.pos;
        self.kw("phase")?;
        self.skip();
        let name = self.name()?;
        let header = Span::new(start, name.span.end);
        self.skip();
        self.punct("{")?;
        let mut items = Vec::new();
        let mut broken = Vec::new();
        self.body(
            Scope::Block,
            &[
                Rule::steps_stmt,
                Rule::batch_stmt,
                Rule::freeze_stmt,
                Rule::jitter_stmt,
                Rule::rule_stmt,
                Rule::init_item,
                Rule::rbrace,
            ],
            &mut broken,
            |p| p.phase_item(),
            |_, item| items.push(item),
        );
        self.close();
        Ok(PhaseDecl {
            name,
            header,
            items,
            broken,
        })
    }

    /// One statement of a phase, or `None` if none starts here.
    fn phase_item(&mut self) -> Option<R<PhaseItem>> {
        let start = self.pos;
        Some(if self.at_kw("steps") || self.at_kw("batch") {
            let steps = self.at_kw("steps");
            self.kw(if steps { "steps" } else { "batch" })
                .and_then(|_| {
                    self.skip();
                    let value = self.int()?;
                    let span = self.span_from(start);
                    Ok(if steps {
                        PhaseItem::Steps { value, span }
                    } else {
                        PhaseItem::Batch { value, span }
                    })
                })
        } else if self.at_kw("freeze") {
            self.freeze_stmt()
        } else if self.at_kw("jitter") {
            self.jitter_stmt().map(PhaseItem::Rule)
        } else if self.at_rule_target() {
            self.rule_stmt()
                .map(|r| PhaseItem::Rule(RuleItem::Update(r)))
        } else if self.at_kw("lambda") || self.at_kw("eta") {
            self.init_item().map(PhaseItem::Init)
        } else {
            return None;
        })
    }

    /// `kw_freeze ~ freeze_target ~ (comma ~ freeze_target)*`
    fn freeze_stmt(&mut self) -> R<PhaseItem> {
        let start = self.pos;
        self.kw("freeze")?;
        self.skip();
        let mut levels = vec![self.freeze_target()?];
        loop {
            let save = self.pos;
            self.skip();
            if self.at(",") {
                self.pos += 1;
                self.skip();
                if self.at_kw("eta") || self.at_name() {
                    levels.push(self.freeze_target()?);
                    continue;
                }
                self.attempted(&[Rule::freeze_target]);
            }
            self.pos = save;
            break;
        }
        // `(comma ~ freeze_target)*` is the last element: after no repeat at all, the
        // rule ends after the whitespace that preceded it.
        if levels.len() == 1 {
            self.skip();
        }
        Ok(PhaseItem::Freeze {
            levels,
            span: self.span_from(start),
        })
    }

    /// `kw_eta | name`
    fn freeze_target(&mut self) -> R<Ident> {
        if self.at_kw("eta") {
            return Ok(self.word());
        }
        self.name().map_err(|e| SyntaxError {
            expected: &[Rule::freeze_target],
            ..e
        })
    }

    /// `kw_record ~ kw_every ~ int ~ lbrace ~ word* ~ rbrace`
    fn record_decl(&mut self) -> R<RecordDecl> {
        let start = self.pos;
        self.kw("record")?;
        self.skip();
        self.kw("every")?;
        self.skip();
        let every = self.int()?;
        self.skip();
        self.punct("{")?;
        let mut quantities = Vec::new();
        loop {
            self.skip();
            if self.ident_len() == 0 {
                break;
            }
            quantities.push(self.word());
        }
        if !self.at("}") {
            return Err(self.fail(&[Rule::word, Rule::rbrace]));
        }
        self.pos += 1;
        Ok(RecordDecl {
            every,
            quantities,
            span: self.span_from(start),
        })
    }

    // ------------------------------------------------------------ expect

    /// Is the next token an `ename` (a name that is no keyword inside `expect` blocks)?
    fn at_ename(&self) -> bool {
        self.at_name() && !super::words::is_expect_word(self.word_here())
    }

    fn ename(&mut self) -> R<Ident> {
        if !self.at_ename() {
            return Err(self.fail(&[Rule::ename]));
        }
        Ok(self.word())
    }

    /// `kw_expect ~ kw_initial? ~ lbrace ~ expectation* ~ rbrace`
    fn expect_block(&mut self) -> R<ExpectBlock> {
        let mut header = self.kw("expect")?;
        self.skip();
        let initial = self.at_kw("initial");
        if initial {
            header = header.to(self.kw("initial")?);
            self.skip();
        }
        if !self.at("{") {
            return Err(self.fail(if initial {
                &[Rule::lbrace]
            } else {
                &[Rule::kw_initial, Rule::lbrace]
            }));
        }
        self.pos += 1;
        let mut items = Vec::new();
        let mut broken = Vec::new();
        self.body(
            Scope::Block,
            &[Rule::expectation, Rule::rbrace],
            &mut broken,
            |p| {
                let word = p.word_here();
                super::words::EXPECTATIONS
                    .contains(&word)
                    .then(|| p.expectation())
            },
            |_, item| items.push(item),
        );
        self.close();
        Ok(ExpectBlock {
            header,
            initial,
            items,
            broken,
        })
    }

    /// One of the `expect_*` rules, chosen by its first keyword.
    fn expectation(&mut self) -> R<Expectation> {
        let start = self.pos;
        let kind = match self.word_here() {
            "predict" => self.expect_predict()?,
            "pathway" => self.expect_pathway()?,
            "p" | "logit" => self.expect_p_or_logit()?,
            "le" => self.expect_le()?,
            "accuracy" | "loss" | "test" => self.expect_score()?,
            _ => self.expect_value()?,
        };
        Ok(Expectation {
            kind,
            span: self
                .span_from(start)
                .without_trailing_blanks(&self.text[start..self.pos]),
        })
    }

    /// `kw_predict ~ expect_input ~ kw_is ~ (kw_none | ename)`
    fn expect_predict(&mut self) -> R<ExpectKind> {
        self.kw("predict")?;
        self.skip();
        let input = self.expect_input()?;
        self.skip();
        self.kw("is")?;
        self.skip();
        let class = if self.at_kw("none") {
            self.kw("none")?;
            None
        } else {
            Some(self.ename().map_err(|e| SyntaxError {
                expected: &[Rule::kw_none, Rule::ename],
                ..e
            })?)
        };
        Ok(ExpectKind::Predict { input, class })
    }

    /// `kw_pathway ~ expect_input ~ (kw_has | kw_lacks) ~ ename+`
    fn expect_pathway(&mut self) -> R<ExpectKind> {
        self.kw("pathway")?;
        self.skip();
        let input = self.expect_input()?;
        self.skip();
        let fires = self.at_kw("has");
        if !fires && !self.at_kw("lacks") {
            return Err(self.fail(&[Rule::kw_has, Rule::kw_lacks]));
        }
        self.kw(if fires { "has" } else { "lacks" })?;
        self.skip();
        let mut nodes = vec![self.ename()?];
        loop {
            let save = self.pos;
            self.skip();
            if !self.at_ename() {
                self.pos = save;
                break;
            }
            nodes.push(self.ename()?);
        }
        Ok(ExpectKind::Pathway {
            input,
            fires,
            nodes,
        })
    }

    /// `kw_p ~ expect_input ~ ename ~ comparison` and the same with `kw_logit`.
    fn expect_p_or_logit(&mut self) -> R<ExpectKind> {
        let p = self.at_kw("p");
        self.kw(if p { "p" } else { "logit" })?;
        self.skip();
        let input = self.expect_input()?;
        self.skip();
        let class = self.ename()?;
        self.skip();
        let compare = self.comparison()?;
        Ok(if p {
            ExpectKind::P {
                input,
                class,
                compare,
            }
        } else {
            ExpectKind::Logit {
                input,
                class,
                compare,
            }
        })
    }

    /// `kw_le ~ expect_input ~ (arrow ~ ename)? ~ expect_input ~ comparison`
    fn expect_le(&mut self) -> R<ExpectKind> {
        self.kw("le")?;
        self.skip();
        let base = self.expect_input()?;
        self.skip();
        let label = if self.at("->") {
            self.pos += 2;
            self.skip();
            let label = self.ename()?;
            self.skip();
            Some(label)
        } else {
            None
        };
        let test = self.expect_input()?;
        self.skip();
        let compare = self.comparison()?;
        Ok(ExpectKind::Le {
            base,
            label,
            test,
            compare,
        })
    }

    /// `kw_accuracy ~ comparison`, `kw_loss ~ comparison`, and
    /// `kw_test ~ (kw_accuracy | kw_loss) ~ comparison`.
    fn expect_score(&mut self) -> R<ExpectKind> {
        let test = self.at_kw("test");
        if test {
            self.kw("test")?;
            self.skip();
        }
        let metric = if self.at_kw("accuracy") {
            self.kw("accuracy")?;
            Metric::Accuracy
        } else if self.at_kw("loss") {
            self.kw("loss")?;
            Metric::Loss
        } else {
            return Err(self.fail(&[Rule::kw_accuracy, Rule::kw_loss]));
        };
        self.skip();
        Ok(ExpectKind::Score {
            test,
            metric,
            compare: self.comparison()?,
        })
    }

    /// `kw_ln? ~ kw_lambda ~ ename ~ comparison` and
    /// `kw_ln? ~ kw_eta ~ ename ~ arrow ~ ename ~ comparison`.
    fn expect_value(&mut self) -> R<ExpectKind> {
        let ln = self.at_kw("ln");
        if ln {
            self.kw("ln")?;
            self.skip();
        }
        if self.at_kw("lambda") {
            self.kw("lambda")?;
            self.skip();
            let node = self.ename()?;
            self.skip();
            return Ok(ExpectKind::Lambda {
                ln,
                node,
                compare: self.comparison()?,
            });
        }
        if !self.at_kw("eta") {
            return Err(self.fail(&[Rule::kw_lambda, Rule::kw_eta]));
        }
        self.kw("eta")?;
        self.skip();
        let from = self.ename()?;
        self.skip();
        self.punct("->")?;
        self.skip();
        let to = self.ename()?;
        self.skip();
        Ok(ExpectKind::Eta {
            ln,
            from,
            to,
            compare: self.comparison()?,
        })
    }

    /// `pattern | ename`, where `pattern = lbrace ~ ename* ~ rbrace`.
    fn expect_input(&mut self) -> R<ExpectInput> {
        if !self.at("{") {
            return Ok(ExpectInput::Sample(self.ename().map_err(|e| {
                SyntaxError {
                    expected: &[Rule::expect_input],
                    ..e
                }
            })?));
        }
        let start = self.pos;
        self.pos += 1;
        let mut nodes = Vec::new();
        loop {
            self.skip();
            if !self.at_ename() {
                break;
            }
            nodes.push(self.ename()?);
        }
        if !self.at("}") {
            return Err(self.fail(&[Rule::ename, Rule::rbrace]));
        }
        self.pos += 1;
        Ok(ExpectInput::Pattern {
            nodes,
            span: self.span_from(start),
        })
    }

    /// `cmp_op ~ expr ~ (kw_within ~ expr)?`. The expression already ends after the
    /// whitespace that follows it, where `within` would start.
    fn comparison(&mut self) -> R<Comparison> {
        let start = self.pos;
        let len = if self.at("<=") || self.at(">=") {
            2
        } else if self.at("<") || self.at(">") || self.at("=") {
            1
        } else {
            return Err(self.fail(&[Rule::cmp_op]));
        };
        let kind = CmpOp::from_text(&self.text[start..start + len])
            .ok_or_else(|| self.fail(&[Rule::cmp_op]))?;
        self.pos += len;
        let op = Operator {
            kind,
            span: self.span_from(start),
        };
        self.skip();
        let value = self.expr()?;
        self.skip();
        let within = if self.at_kw("within") {
            let header = self.kw("within")?;
            self.skip();
            Some(Within {
                header,
                tolerance: self.expr()?,
            })
        } else {
            None
        };
        Ok(Comparison { op, value, within })
    }

    // ------------------------------------------------------------ expressions

    fn enter(&mut self) -> R<()> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            self.depth = 0;
            return Err(self.fail(&[Rule::expr]));
        }
        Ok(())
    }

    /// `product ~ ((plus | minus) ~ product)*`. Every expression rule ends after the
    /// whitespace that follows its last atom (see `power`), so after an operand `pos` is
    /// already where the next operator would be.
    fn expr(&mut self) -> R<Expr> {
        self.enter()?;
        let mut lhs = self.product()?;
        loop {
            let op = match self.peek() {
                Some(b'+') => BinOp::Add,
                Some(b'-') if self.peek_at(1) != Some(b'>') => BinOp::Sub,
                _ => break,
            };
            self.pos += 1;
            self.skip();
            let rhs = self.product()?;
            lhs = binary(op, lhs, rhs);
        }
        self.depth -= 1;
        Ok(lhs)
    }

    /// `unary ~ ((star | slash) ~ unary)*`
    fn product(&mut self) -> R<Expr> {
        let mut lhs = self.unary()?;
        loop {
            let op = match self.peek() {
                Some(b'*') => BinOp::Mul,
                Some(b'/') => BinOp::Div,
                _ => break,
            };
            self.pos += 1;
            self.skip();
            let rhs = self.unary()?;
            lhs = binary(op, lhs, rhs);
        }
        Ok(lhs)
    }

    /// `minus ~ unary | power`
    fn unary(&mut self) -> R<Expr> {
        if self.peek() == Some(b'-') && self.peek_at(1) != Some(b'>') {
            self.enter()?;
            let start = self.pos;
            self.pos += 1;
            self.skip();
            let operand = self.unary()?;
            self.depth -= 1;
            return Ok(Expr::Neg {
                operand: Box::new(operand),
                span: self.span_from(start),
            });
        }
        self.power()
    }

    /// `atom ~ (caret ~ unary)?`. Without the power part pest still consumes the
    /// whitespace after the atom (a sequence skips between its elements), so every
    /// expression rule ends after the whitespace and comments following its last atom.
    fn power(&mut self) -> R<Expr> {
        let start = self.pos;
        let base = self.atom()?;
        self.skip();
        if self.peek() != Some(b'^') {
            return Ok(base);
        }
        self.pos += 1;
        self.skip();
        self.enter()?;
        let exponent = self.unary()?;
        self.depth -= 1;
        Ok(Expr::Binary {
            op: BinOp::Pow,
            lhs: Box::new(base),
            rhs: Box::new(exponent),
            span: self.span_from(start),
        })
    }

    /// `number | lparen ~ expr ~ rparen`
    fn atom(&mut self) -> R<Expr> {
        if self.peek() != Some(b'(') {
            return self.number();
        }
        let start = self.pos;
        self.pos += 1;
        self.skip();
        let inner = self.expr()?;
        self.skip();
        if !self.at(")") {
            return Err(self.fail(&[
                Rule::rparen,
                Rule::plus,
                Rule::minus,
                Rule::star,
                Rule::slash,
                Rule::caret,
            ]));
        }
        self.pos += 1;
        Ok(with_span(inner, self.span_from(start)))
    }
}

/// How many `{` of `bytes` are not closed within it (comments and strings aside).
fn open_braces(bytes: &[u8]) -> usize {
    let mut depth = 0usize;
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'/' if bytes.get(i + 1) == Some(&b'/') => {
                while i < bytes.len() && bytes[i] != b'\n' {
                    i += 1;
                }
                continue;
            }
            b'"' => {
                i += 1;
                while i < bytes.len() && bytes[i] != b'"' && bytes[i] != b'\n' {
                    i += 1;
                }
            }
            b'{' => depth += 1,
            b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
        i += 1;
    }
    depth
}

/// Whether only blanks stand between the start of the line and `at`.
fn at_line_start(src: &[u8], at: usize) -> bool {
    src[..at]
        .iter()
        .rev()
        .find(|&&b| !matches!(b, b' ' | b'\t' | b'\r'))
        .is_none_or(|&b| b == b'\n')
}

fn binary(op: BinOp, lhs: Expr, rhs: Expr) -> Expr {
    let span = lhs.span().to(rhs.span());
    Expr::Binary {
        op,
        lhs: Box::new(lhs),
        rhs: Box::new(rhs),
        span,
    }
}

/// A parenthesised expression keeps the parentheses in its span.
fn with_span(e: Expr, span: Span) -> Expr {
    match e {
        Expr::Num { value, text, .. } => Expr::Num { value, text, span },
        Expr::Neg { operand, .. } => Expr::Neg { operand, span },
        Expr::Binary { op, lhs, rhs, .. } => Expr::Binary { op, lhs, rhs, span },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MODEL: &str = "model m {\n  level input { a b }\n  level mid {\n    h = any(a, b)\n    g = all(a)\n  }\n  classes { c <- h  d <- g }\n}\n";

    fn outcome(text: &str) -> (File, Vec<usize>) {
        let out = parse(text);
        let file = out.file.expect("a model header");
        (file, out.errors.iter().map(|e| e.at).collect())
    }

    fn init_targets(file: &File) -> Vec<String> {
        file.blocks
            .iter()
            .filter_map(|b| match b {
                Block::Init(i) => Some(i),
                _ => None,
            })
            .flat_map(|i| i.items.iter())
            .map(|i| match &i.target {
                Target::Node(n) => n.name.to_string(),
                Target::All => "*".to_string(),
                _ => "?".to_string(),
            })
            .collect()
    }

    #[test]
    fn a_broken_init_line_loses_only_itself() {
        let text = format!(
            "{MODEL}init {{\n  lambda = 1\n  lambda h = .5\n  lambda g = 2\n}}\nrules {{ grow = mul 2 }}\ntrain {{ phase p {{ steps 1 }} }}\n"
        );
        let (file, errors) = outcome(&text);
        assert_eq!(errors, [text.find(".5").unwrap()]);
        assert_eq!(init_targets(&file), ["*", "g"]);
        let Some(Block::Init(init)) = file.blocks.first() else {
            panic!("init first")
        };
        assert_eq!(init.broken.len(), 1);
        assert_eq!(
            &text[init.broken[0].start..init.broken[0].end],
            "lambda h = .5"
        );
        assert_eq!(file.blocks.len(), 3, "rules and train are read");
        assert_eq!(file.model.items.len(), 3, "both levels and the classes");
        assert!(file.is_partial());
    }

    #[test]
    fn an_unclosed_parenthesis_loses_only_its_line() {
        let text = "model m {\n  level input { a b }\n  level mid {\n    h = any(a, b\n    g = all(a)\n  }\n  classes { c <- g }\n}\n";
        let (file, errors) = outcome(text);
        assert_eq!(errors, [text.find("g = all").unwrap()]);
        let ModelItem::Level(mid) = &file.model.items[1] else {
            panic!("a level")
        };
        let names: Vec<&str> = mid.names.iter().map(|n| n.name).collect();
        assert_eq!(names, ["g"], "the broken node's name goes with it");
        assert_eq!(mid.nodes.len(), 1);
        assert_eq!(mid.children.len(), 1, "and so do its children");
        assert_eq!(mid.broken.len(), 1);
        assert!(matches!(file.model.items[2], ModelItem::Classes(_)));
    }

    #[test]
    fn a_block_without_its_brace_ends_where_the_next_begins() {
        let text = format!("{MODEL}init {{\n  lambda = 1\nrules {{\n  grow = mul 2\n}}\n");
        let (file, errors) = outcome(&text);
        assert_eq!(
            errors,
            [text.find("rules").unwrap()],
            "one error, not one per block"
        );
        assert_eq!(file.blocks.len(), 2);
        assert!(matches!(&file.blocks[1], Block::Rules(r) if r.items.len() == 1));
        // A level without its brace: the next level is still a level of the model.
        let text =
            "model m {\n  level input { a b\n  level mid { h = any(a) }\n  classes { c <- h }\n}\n";
        let (file, errors) = outcome(text);
        assert_eq!(errors, [text.find("level mid").unwrap()]);
        assert_eq!(file.model.items.len(), 3);
    }

    #[test]
    fn several_errors_are_each_reported_once() {
        let text = format!(
            "{MODEL}init {{\n  lambda h = \n  lambda g = 1\n}}\nrules {{\n  grow x y = mul 2\n  shrink = mul 0.5\n}}\ndata {{\n  s1: a, b -> c\n  s2: a -> c\n}}\n"
        );
        let (file, errors) = outcome(&text);
        assert_eq!(
            errors,
            [
                text.find("lambda g").unwrap(),
                text.find("y = mul").unwrap(),
                text.find("a, b -> c").unwrap() + 1,
            ]
        );
        assert_eq!(init_targets(&file), ["g"]);
        let data = file.blocks.iter().find_map(|b| match b {
            Block::Data(d) => Some(d),
            _ => None,
        });
        assert_eq!(data.map(|d| d.items.len()), Some(1));
    }

    #[test]
    fn text_that_is_no_block_is_skipped_to_the_next_block() {
        let text = format!("{MODEL}oops here {{ lambda = 1 }}\ninit {{ lambda = 2 }}\n");
        let (file, errors) = outcome(&text);
        assert_eq!(errors, [text.find("oops").unwrap()]);
        assert_eq!(file.broken.len(), 1);
        assert_eq!(init_targets(&file), ["*"]);
    }

    #[test]
    fn without_a_model_header_there_is_no_tree() {
        for text in [
            "",
            "modle m { }",
            "model { level a { x } }",
            "model m level a { x }",
        ] {
            let out = parse(text);
            assert!(out.file.is_none(), "{text:?}");
            assert_eq!(out.errors.len(), 1, "{text:?}");
        }
    }

    #[test]
    fn a_file_that_parses_has_nothing_broken() {
        let text = format!("{MODEL}data {{ from \"x.csv\"  s: a -> c weight 2 }}\ntest {{ t: b -> d  from \"y.csv\"  copies 3 flip 0.1  from: a -> c }}\nexpect {{ test accuracy >= 0.5  loss < 1  test loss <= 2 }}\n");
        let (file, errors) = outcome(&text);
        assert!(errors.is_empty(), "{errors:?}");
        assert!(!file.is_partial());
        let Some(Block::Test(test)) = file.blocks.get(1) else {
            panic!("a test block")
        };
        assert!(matches!(&test.items[0], TestItem::Sample(s) if s.weight.is_none()));
        assert!(matches!(&test.items[1], TestItem::From(f) if f.path.value == "y.csv"));
        assert!(matches!(&test.items[2], TestItem::Copies { count, .. } if count.value == Some(3)));
        assert!(matches!(&test.items[3], TestItem::Sample(s) if s.name.name == "from"));
    }
}
