//! A hand-written recursive-descent parser for the common case: a valid file.
//!
//! `grammar/nshed.pest` stays the reference. This parser follows it rule by rule with
//! the same PEG semantics, including where pest puts rule boundaries: between the
//! elements of a sequence pest skips whitespace and comments unconditionally, so a rule
//! whose last element matched nothing (`x ~ y?` without `y`) ends *after* that
//! whitespace, and its span says so. Each function below starts where its rule starts
//! and leaves `pos` where pest's rule would end, so spans come out identical.
//!
//! It never reports an error: at the first thing it does not expect it gives up
//! (`Bail`) and `parse::parse_file` lets pest parse the file again to produce the
//! diagnostic. Choices are made by looking at the next token only; where pest could
//! still backtrack into another alternative that would also fail, giving up early is
//! harmless, and where it could succeed, giving up only costs the speed. So the result
//! is always either pest's AST or nothing (`tests/fast_parse.rs` checks both ways).

use super::ast::*;

/// The fast parser gave up; pest decides.
#[derive(Debug)]
pub struct Bail;

type R<T> = Result<T, Bail>;

/// Deeper expression nesting than this is left to pest (which the nesting pre-check
/// already bounds); it keeps this parser's recursion shallow whatever the input.
const MAX_DEPTH: usize = 256;

/// Parses a whole file, or gives up without saying why.
pub fn parse_file(source: &str) -> Option<File> {
    let mut p = Parser {
        src: source.as_bytes(),
        text: source,
        pos: 0,
        depth: 0,
        scratch: Vec::new(),
        names: NameList::default(),
        children: NameList::default(),
    };
    p.file().ok()
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

/// The grammar's `keyword` rule: words that are never a `name`.
fn is_keyword(word: &[u8]) -> bool {
    matches!(
        word,
        b"any"
            | b"all"
            | b"atleast"
            | b"add"
            | b"batch"
            | b"classes"
            | b"cycle"
            | b"data"
            | b"eta_update"
            | b"eta"
            | b"every"
            | b"flip"
            | b"freeze"
            | b"grow"
            | b"init"
            | b"jitter"
            | b"keep"
            | b"level"
            | b"lambda"
            | b"lognormal"
            | b"model"
            | b"mul"
            | b"noise"
            | b"normal"
            | b"of"
            | b"phase"
            | b"rules"
            | b"replace"
            | b"record"
            | b"shrink"
            | b"seed"
            | b"sampler"
            | b"sample"
            | b"steps"
            | b"sub"
            | b"shuffle"
            | b"train"
            | b"union"
            | b"uniform"
            | b"weight"
    )
}

/// The grammar's `expect_word`: keywords inside `expect` blocks.
fn is_expect_word(word: &[u8]) -> bool {
    matches!(
        word,
        b"expect"
            | b"initial"
            | b"predict"
            | b"pathway"
            | b"is"
            | b"none"
            | b"has"
            | b"lacks"
            | b"le"
            | b"ln"
            | b"logit"
            | b"accuracy"
            | b"within"
            | b"p"
    )
}

impl<'a> Parser<'a> {
    // ------------------------------------------------------------ tokens

    fn peek(&self) -> Option<u8> {
        self.src.get(self.pos).copied()
    }

    fn peek_at(&self, offset: usize) -> Option<u8> {
        self.src.get(self.pos + offset).copied()
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
        match self.peek() {
            Some(b) if is_ident_start(b) => {
                1 + self.src[self.pos + 1..]
                    .iter()
                    .take_while(|&&b| is_ident_char(b))
                    .count()
            }
            _ => 0,
        }
    }

    fn word_here(&self) -> &'a [u8] {
        let len = self.ident_len();
        &self.src[self.pos..self.pos + len]
    }

    /// Is the next token the keyword `kw` (`"kw" ~ !ident_char`)?
    fn at_kw(&self, kw: &str) -> bool {
        self.word_here() == kw.as_bytes()
    }

    /// Is the next token a `name` (an identifier that is not reserved)?
    fn at_name(&self) -> bool {
        let word = self.word_here();
        !word.is_empty() && !is_keyword(word)
    }

    fn at(&self, punct: &str) -> bool {
        self.src[self.pos..].starts_with(punct.as_bytes())
    }

    fn span_from(&self, start: usize) -> Span {
        Span::new(start, self.pos)
    }

    /// A keyword rule: its span.
    fn kw(&mut self, kw: &str) -> R<Span> {
        if !self.at_kw(kw) {
            return Err(Bail);
        }
        let start = self.pos;
        self.pos += kw.len();
        Ok(self.span_from(start))
    }

    fn punct(&mut self, punct: &str) -> R<()> {
        if !self.at(punct) {
            return Err(Bail);
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
        if len == 0 || is_keyword(&self.src[self.pos..self.pos + len]) {
            return Err(Bail);
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

    fn int(&mut self) -> R<IntLit> {
        let start = self.pos;
        if self.digits() == 0 || !self.at_literal_end() {
            return Err(Bail);
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
            return Err(Bail);
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
            return Err(Bail);
        }
        let text = &self.text[start..self.pos];
        Ok(Expr::Num {
            value: text.parse::<f64>().unwrap_or(f64::NAN),
            text: text.to_string(),
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
        names.push(self.name_span()?);
        loop {
            let save = self.pos;
            self.skip();
            if self.at(",") {
                self.pos += 1;
                self.skip();
                if self.at_name() {
                    names.push(self.name_span()?);
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

    // ------------------------------------------------------------ file and model

    fn file(&mut self) -> R<File> {
        self.skip();
        let model = self.model()?;
        let mut blocks = Vec::new();
        loop {
            let save = self.pos;
            self.skip();
            let block = if self.at_kw("init") {
                Block::Init(self.init_block()?)
            } else if self.at_kw("rules") {
                Block::Rules(self.rules_block()?)
            } else if self.at_kw("data") {
                Block::Data(self.data_block()?)
            } else if self.at_kw("train") {
                Block::Train(self.train_block()?)
            } else if self.at_kw("expect") {
                Block::Expect(self.expect_block()?)
            } else {
                self.pos = save;
                break;
            };
            blocks.push(block);
        }
        self.skip();
        if self.pos != self.src.len() {
            return Err(Bail);
        }
        Ok(File { model, blocks })
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
        loop {
            self.skip();
            if self.at_kw("level") {
                items.push(ModelItem::Level(self.level_decl()?));
            } else if self.at_kw("classes") {
                items.push(ModelItem::Classes(self.classes_decl()?));
            } else {
                break;
            }
        }
        self.punct("}")?;
        Ok(Model {
            name,
            header,
            items,
        })
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
        self.names = NameList::default();
        self.children = NameList::default();
        loop {
            self.skip();
            if !self.at_name() {
                break;
            }
            nodes.push(self.node_decl()?);
        }
        // Growth by doubling leaves up to half the list unused: 100 MB over the seven
        // levels of a generated 10^6-node model. Giving it back is a remap, not a copy.
        nodes.shrink_to_fit();
        let mut names = std::mem::take(&mut self.names);
        names.shrink_to_fit();
        let mut children = std::mem::take(&mut self.children);
        children.shrink_to_fit();
        self.punct("}")?;
        Ok(LevelDecl {
            name,
            header,
            nodes,
            names,
            children,
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
        } else {
            self.kw("atleast")?;
            self.skip();
            let k = self.int()?;
            self.skip();
            self.kw("of")?;
            GateKind::AtLeast(AtLeastK::new(k))
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
        self.punct(")")?;
        Ok(Gate::new(kind, children, self.span_from(start)))
    }

    fn classes_decl(&mut self) -> R<ClassesDecl> {
        let header = self.kw("classes")?;
        self.skip();
        self.punct("{")?;
        let mut classes = Vec::new();
        loop {
            self.skip();
            if !self.at_name() {
                break;
            }
            classes.push(self.class_decl()?);
        }
        self.punct("}")?;
        Ok(ClassesDecl { header, classes })
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
        loop {
            self.skip();
            if !(self.at_kw("lambda") || self.at_kw("eta")) {
                break;
            }
            items.push(self.init_item()?);
        }
        self.punct("}")?;
        Ok(InitBlock { header, items })
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
            DistKind::Const(self.expr()?)
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
        loop {
            self.skip();
            if self.at_kw("jitter") {
                items.push(self.jitter_stmt()?);
            } else if self.at_rule_target() {
                items.push(RuleItem::Update(self.rule_stmt()?));
            } else {
                break;
            }
        }
        self.punct("}")?;
        Ok(RulesBlock { header, items })
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
            } else {
                self.kw("sub")?;
                UpdateKind::Sub
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

    // ------------------------------------------------------------ data

    fn data_block(&mut self) -> R<DataBlock> {
        let header = self.kw("data")?;
        self.skip();
        self.punct("{")?;
        let mut items = Vec::new();
        loop {
            self.skip();
            if self.at_kw("noise") {
                let start = self.pos;
                self.kw("noise")?;
                self.skip();
                self.kw("flip")?;
                self.skip();
                let value = self.expr()?;
                items.push(DataItem::NoiseFlip {
                    value,
                    span: self.span_from(start),
                });
            } else if self.at_name() {
                items.push(DataItem::Sample(self.sample_decl()?));
            } else {
                break;
            }
        }
        self.punct("}")?;
        Ok(DataBlock { header, items })
    }

    /// `name ~ colon ~ name* ~ arrow ~ name ~ (kw_weight ~ expr)?`
    fn sample_decl(&mut self) -> R<SampleDecl> {
        let start = self.pos;
        let name = self.name()?;
        self.skip();
        self.punct(":")?;
        self.skip();
        let mut inputs = std::mem::take(&mut self.scratch);
        inputs.clear();
        if self.at_name() {
            inputs.push(self.name_span()?);
            loop {
                let save = self.pos;
                self.skip();
                if !self.at_name() {
                    self.pos = save;
                    break;
                }
                inputs.push(self.name_span()?);
            }
        }
        let mut input_list = NameList::default();
        push_names(&mut input_list, self.text, &inputs);
        input_list.shrink_to_fit();
        self.scratch = inputs;
        self.skip();
        self.punct("->")?;
        self.skip();
        let label = self.name()?;
        self.skip();
        let weight = if self.at_kw("weight") {
            self.kw("weight")?;
            self.skip();
            Some(self.expr()?)
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

    // ------------------------------------------------------------ train

    fn train_block(&mut self) -> R<TrainBlock> {
        let header = self.kw("train")?;
        self.skip();
        self.punct("{")?;
        let mut items = Vec::new();
        loop {
            self.skip();
            let start = self.pos;
            let item = if self.at_kw("seed") {
                self.kw("seed")?;
                self.skip();
                let value = self.int()?;
                TrainItem::Seed {
                    value,
                    span: self.span_from(start),
                }
            } else if self.at_kw("eta_update") {
                self.kw("eta_update")?;
                self.skip();
                let mode = self.any_word()?;
                TrainItem::EtaUpdate {
                    mode,
                    span: self.span_from(start),
                }
            } else if self.at_kw("sampler") {
                self.kw("sampler")?;
                self.skip();
                let kind = self.any_word()?;
                TrainItem::Sampler {
                    kind,
                    span: self.span_from(start),
                }
            } else if self.at_kw("phase") {
                TrainItem::Phase(self.phase_decl()?)
            } else if self.at_kw("record") {
                TrainItem::Record(self.record_decl()?)
            } else {
                break;
            };
            items.push(item);
        }
        self.punct("}")?;
        Ok(TrainBlock { header, items })
    }

    fn any_word(&mut self) -> R<Ident> {
        if self.ident_len() == 0 {
            return Err(Bail);
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
        loop {
            self.skip();
            let start = self.pos;
            let item = if self.at_kw("steps") || self.at_kw("batch") {
                let steps = self.at_kw("steps");
                self.kw(if steps { "steps" } else { "batch" })?;
                self.skip();
                let value = self.int()?;
                let span = self.span_from(start);
                if steps {
                    PhaseItem::Steps { value, span }
                } else {
                    PhaseItem::Batch { value, span }
                }
            } else if self.at_kw("freeze") {
                self.freeze_stmt()?
            } else if self.at_kw("jitter") {
                PhaseItem::Rule(self.jitter_stmt()?)
            } else if self.at_rule_target() {
                PhaseItem::Rule(RuleItem::Update(self.rule_stmt()?))
            } else if self.at_kw("lambda") || self.at_kw("eta") {
                PhaseItem::Init(self.init_item()?)
            } else {
                break;
            };
            items.push(item);
        }
        self.punct("}")?;
        Ok(PhaseDecl {
            name,
            header,
            items,
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
        self.name()
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
        self.punct("}")?;
        Ok(RecordDecl {
            every,
            quantities,
            span: self.span_from(start),
        })
    }

    // ------------------------------------------------------------ expect

    /// Is the next token an `ename` (a name that is no keyword inside `expect` blocks)?
    fn at_ename(&self) -> bool {
        self.at_name() && !is_expect_word(self.word_here())
    }

    fn ename(&mut self) -> R<Ident> {
        if !self.at_ename() {
            return Err(Bail);
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
        self.punct("{")?;
        let mut items = Vec::new();
        loop {
            self.skip();
            if !(self.at_kw("predict")
                || self.at_kw("pathway")
                || self.at_kw("p")
                || self.at_kw("le")
                || self.at_kw("ln")
                || self.at_kw("lambda")
                || self.at_kw("eta")
                || self.at_kw("logit")
                || self.at_kw("accuracy"))
            {
                break;
            }
            items.push(self.expectation()?);
        }
        self.punct("}")?;
        Ok(ExpectBlock {
            header,
            initial,
            items,
        })
    }

    /// One of the `expect_*` rules, chosen by its first keyword.
    fn expectation(&mut self) -> R<Expectation> {
        let start = self.pos;
        let kind = if self.at_kw("predict") {
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
                Some(self.ename()?)
            };
            ExpectKind::Predict { input, class }
        } else if self.at_kw("pathway") {
            self.kw("pathway")?;
            self.skip();
            let input = self.expect_input()?;
            self.skip();
            let fires = self.at_kw("has");
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
            ExpectKind::Pathway {
                input,
                fires,
                nodes,
            }
        } else if self.at_kw("p") || self.at_kw("logit") {
            let p = self.at_kw("p");
            self.kw(if p { "p" } else { "logit" })?;
            self.skip();
            let input = self.expect_input()?;
            self.skip();
            let class = self.ename()?;
            self.skip();
            let compare = self.comparison()?;
            if p {
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
            }
        } else if self.at_kw("le") {
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
            ExpectKind::Le {
                base,
                label,
                test,
                compare,
            }
        } else if self.at_kw("accuracy") {
            self.kw("accuracy")?;
            self.skip();
            ExpectKind::Accuracy {
                compare: self.comparison()?,
            }
        } else {
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
                ExpectKind::Lambda {
                    ln,
                    node,
                    compare: self.comparison()?,
                }
            } else {
                self.kw("eta")?;
                self.skip();
                let from = self.ename()?;
                self.skip();
                self.punct("->")?;
                self.skip();
                let to = self.ename()?;
                self.skip();
                ExpectKind::Eta {
                    ln,
                    from,
                    to,
                    compare: self.comparison()?,
                }
            }
        };
        Ok(Expectation {
            kind,
            span: self
                .span_from(start)
                .without_trailing_blanks(&self.text[start..self.pos]),
        })
    }

    /// `pattern | ename`, where `pattern = lbrace ~ ename* ~ rbrace`.
    fn expect_input(&mut self) -> R<ExpectInput> {
        if !self.at("{") {
            return Ok(ExpectInput::Sample(self.ename()?));
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
        self.punct("}")?;
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
            return Err(Bail);
        };
        let kind = CmpOp::from_text(&self.text[start..start + len]).ok_or(Bail)?;
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
            return Err(Bail);
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
        self.punct(")")?;
        Ok(with_span(inner, self.span_from(start)))
    }
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
    use super::{is_expect_word, is_keyword};
    use crate::syntax::errors::{is_reserved, EXPECT_WORDS, RESERVED};

    #[test]
    fn expect_words_are_exactly_the_grammars() {
        for word in EXPECT_WORDS {
            assert!(is_expect_word(word.as_bytes()), "`{word}`");
            for near in [format!("{word}s"), format!("{word}_"), word.to_uppercase()] {
                assert!(!is_expect_word(near.as_bytes()), "`{near}`");
            }
        }
        assert!(!is_expect_word(b"pa"));
        assert!(!is_expect_word(b"l"));
    }

    #[test]
    fn keywords_are_exactly_the_reserved_words() {
        for word in RESERVED {
            assert!(is_keyword(word.as_bytes()), "`{word}` is reserved");
            // Near misses: longer, shorter, other case.
            for near in [format!("{word}s"), format!("{word}_"), word.to_uppercase()] {
                assert_eq!(is_keyword(near.as_bytes()), is_reserved(&near), "`{near}`");
            }
            let shorter = &word[..word.len() - 1];
            assert_eq!(is_keyword(shorter.as_bytes()), is_reserved(shorter));
        }
        for name in ["x", "input", "parts", "c1", "eta_x", "_", "levels"] {
            assert!(!is_keyword(name.as_bytes()), "`{name}` is a name");
        }
    }
}
