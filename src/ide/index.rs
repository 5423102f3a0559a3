//! Every name of a file: where it is declared and where it is used, from the syntax tree
//! the tolerant parser gives (`Index::from_ast`), which holds every part of the file that
//! parses: navigation and completion keep working while the user types.

use std::collections::HashMap;

use crate::syntax::ast::{self, Span};
use crate::syntax::lex::{self, Token, TokenKind};

/// What a declaration declares (public as [`super::SymbolKind`], the kind of an outline
/// entry).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// The model.
    Model,
    /// A feature level (the declaration's `level` is its index, 0 = input level).
    Level,
    /// A feature node (of the declaration's `level`).
    Node,
    /// A class.
    Class,
    /// A data sample.
    Sample,
    /// A held-out sample (of the `test` block).
    TestSample,
    /// A training phase.
    Phase,
    /// A block without a name of its own (`classes`, `init`, `rules`, `data`, `train`,
    /// `expect`).
    Block,
}

/// Which names a name is looked up among. Nodes and classes share one namespace (node
/// names are unique across the model); levels, samples and phases have their own.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Namespace {
    Model,
    Level,
    Sample,
    Phase,
}

impl Kind {
    /// The names a declaration of this kind is looked up among (`None` for a block).
    pub(crate) fn namespace(self) -> Option<Namespace> {
        match self {
            Kind::Node | Kind::Class => Some(Namespace::Model),
            Kind::Level => Some(Namespace::Level),
            Kind::Sample | Kind::TestSample => Some(Namespace::Sample),
            Kind::Phase => Some(Namespace::Phase),
            Kind::Model | Kind::Block => None,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Decl {
    pub kind: Kind,
    pub name: String,
    /// The name as written.
    pub span: Span,
    /// The whole declaration: a block through its `}`, a node, class or sample its name.
    pub range: Span,
    /// For levels and nodes: the level's index (0 = input level).
    pub level: Option<usize>,
}

/// One place where a name is written: its declaration or a use.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Occurrence {
    pub name: String,
    pub span: Span,
    pub namespace: Namespace,
    pub is_decl: bool,
}

#[derive(Clone, Debug, Default)]
pub struct Index {
    /// In source order.
    pub decls: Vec<Decl>,
    /// In source order.
    pub occurrences: Vec<Occurrence>,
    /// The first declaration of each name in its namespace (a position in `decls`), so
    /// that looking names up stays linear in the number of names.
    first_decl: HashMap<(Namespace, String), usize>,
}

/// Two indexes are equal when they list the same declarations and occurrences.
impl PartialEq for Index {
    fn eq(&self, other: &Index) -> bool {
        self.decls == other.decls && self.occurrences == other.occurrences
    }
}

impl Index {
    /// The occurrence of a name at byte `offset` (at its start, inside it or just after it).
    pub fn occurrence_at(&self, offset: usize) -> Option<&Occurrence> {
        let i = self.occurrences.partition_point(|o| o.span.end < offset);
        self.occurrences
            .get(i)
            .filter(|o| o.span.start <= offset && offset <= o.span.end)
    }

    /// The first declaration of `name` in `namespace`.
    pub fn decl_of(&self, namespace: Namespace, name: &str) -> Option<&Decl> {
        let at = self.first_decl.get(&(namespace, name.to_string()))?;
        self.decls.get(*at)
    }

    /// Every occurrence of `name` in `namespace`, declarations included.
    pub fn occurrences_of<'a>(
        &'a self,
        namespace: Namespace,
        name: &'a str,
    ) -> impl Iterator<Item = &'a Occurrence> + 'a {
        self.occurrences
            .iter()
            .filter(move |o| o.namespace == namespace && o.name == name)
    }

    /// The feature levels in order, each with its nodes' names.
    pub fn levels(&self) -> Vec<(&str, Vec<&str>)> {
        let mut levels: Vec<(&str, Vec<&str>)> = Vec::new();
        for d in &self.decls {
            match (d.kind, d.level) {
                (Kind::Level, _) => levels.push((&d.name, Vec::new())),
                (Kind::Node, Some(l)) => {
                    if let Some(level) = levels.get_mut(l) {
                        level.1.push(&d.name);
                    }
                }
                _ => {}
            }
        }
        levels
    }

    pub fn names_of(&self, kind: Kind) -> Vec<&str> {
        self.decls
            .iter()
            .filter(|d| d.kind == kind)
            .map(|d| d.name.as_str())
            .collect()
    }

    fn decl(&mut self, kind: Kind, ident: &ast::Ident, range: Span, level: Option<usize>) {
        self.decl_at(kind, &ident.name, ident.span, range, level);
    }

    fn decl_at(&mut self, kind: Kind, name: &str, span: Span, range: Span, level: Option<usize>) {
        if let Some(namespace) = kind.namespace() {
            self.occurrences.push(Occurrence {
                name: name.to_string(),
                span,
                namespace,
                is_decl: true,
            });
        }
        self.decls.push(Decl {
            kind,
            name: name.to_string(),
            span,
            range,
            level,
        });
    }

    fn use_of(&mut self, namespace: Namespace, name: &str, span: Span) {
        self.occurrences.push(Occurrence {
            name: name.to_string(),
            span,
            namespace,
            is_decl: false,
        });
    }

    fn finish(mut self) -> Self {
        self.decls.sort_by_key(|d| (d.range.start, d.span.start));
        self.occurrences.sort_by_key(|o| o.span.start);
        for (i, d) in self.decls.iter().enumerate() {
            if let Some(namespace) = d.kind.namespace() {
                self.first_decl
                    .entry((namespace, d.name.clone()))
                    .or_insert(i);
            }
        }
        self
    }

    // ------------------------------------------------------------ from the AST

    /// The index of a parsed file; `text` is its source (for the extent of blocks).
    pub fn from_ast(file: &ast::File, text: &str) -> Index {
        let blocks = Blocks::new(text);
        let mut index = Index::default();
        let ast::File {
            model,
            blocks: file_blocks,
            broken: _,
        } = file;
        let model_range = blocks.range(model.header.start);
        let model_name = Span::new(model.name.span.start, model.name.span.end);
        index.decl_at(Kind::Model, &model.name.name, model_name, model_range, None);
        let mut level = 0;
        for item in &model.items {
            match item {
                ast::ModelItem::Level(l) => {
                    let range = blocks.range(l.header.start);
                    index.decl(Kind::Level, &l.name, range, Some(level));
                    for (name, node) in l.named_nodes() {
                        index.decl(Kind::Node, &name.to_ident(), name.span, Some(level));
                        if let Some(gate) = &node.gate {
                            for child in l.children.of(gate.children) {
                                index.use_of(Namespace::Model, child.name, child.span);
                            }
                        }
                    }
                    level += 1;
                }
                ast::ModelItem::Classes(c) => {
                    index.block("classes", c.header, &blocks);
                    for class in &c.classes {
                        index.decl(Kind::Class, &class.name, class.name.span, None);
                        for parent in &class.parents {
                            index.use_of(Namespace::Model, &parent.name, parent.span);
                        }
                    }
                }
            }
        }
        for block in file_blocks {
            match block {
                ast::Block::Init(b) => {
                    index.block("init", b.header, &blocks);
                    for item in &b.items {
                        index.target(&item.target);
                    }
                }
                ast::Block::Rules(b) => {
                    index.block("rules", b.header, &blocks);
                    for item in &b.items {
                        index.rule_item(item);
                    }
                }
                ast::Block::Data(b) => {
                    index.block("data", b.header, &blocks);
                    for item in &b.items {
                        if let ast::DataItem::Sample(s) = item {
                            index.sample(Kind::Sample, s);
                        }
                    }
                }
                ast::Block::Train(b) => {
                    index.block("train", b.header, &blocks);
                    for item in &b.items {
                        if let ast::TrainItem::Phase(phase) = item {
                            let range = blocks.range(phase.header.start);
                            index.decl(Kind::Phase, &phase.name, range, None);
                            for item in &phase.items {
                                match item {
                                    ast::PhaseItem::Rule(rule) => index.rule_item(rule),
                                    ast::PhaseItem::Init(init) => index.target(&init.target),
                                    ast::PhaseItem::Freeze { levels, .. } => {
                                        for l in levels.iter().filter(|l| l.name != "eta") {
                                            index.use_of(Namespace::Level, &l.name, l.span);
                                        }
                                    }
                                    ast::PhaseItem::Steps { .. } | ast::PhaseItem::Batch { .. } => {
                                    }
                                }
                            }
                        }
                    }
                }
                ast::Block::Expect(b) => {
                    let name = if b.initial {
                        "expect initial"
                    } else {
                        "expect"
                    };
                    index.block(name, b.header, &blocks);
                    for item in &b.items {
                        index.expectation(&item.kind);
                    }
                }
                ast::Block::Test(b) => {
                    index.block("test", b.header, &blocks);
                    for item in &b.items {
                        if let ast::TestItem::Sample(s) = item {
                            index.sample(Kind::TestSample, s);
                        }
                    }
                }
            }
        }
        index.finish()
    }

    /// A sample's name, inputs and label.
    fn sample(&mut self, kind: Kind, s: &ast::SampleDecl) {
        self.decl(kind, &s.name, s.name.span, None);
        for input in s.inputs.iter() {
            self.use_of(Namespace::Model, input.name, input.span);
        }
        self.use_of(Namespace::Model, &s.label.name, s.label.span);
    }

    /// The names of one expectation: samples in the sample namespace, pattern inputs,
    /// nodes and classes in the model's.
    fn expectation(&mut self, kind: &ast::ExpectKind) {
        use ast::ExpectKind as K;
        let model =
            |index: &mut Self, n: &ast::Ident| index.use_of(Namespace::Model, &n.name, n.span);
        match kind {
            K::Predict { input, class } => {
                self.expect_input(input);
                if let Some(c) = class {
                    model(self, c);
                }
            }
            K::Pathway { input, nodes, .. } => {
                self.expect_input(input);
                for n in nodes {
                    model(self, n);
                }
            }
            K::P { input, class, .. } | K::Logit { input, class, .. } => {
                self.expect_input(input);
                model(self, class);
            }
            K::Le {
                base, label, test, ..
            } => {
                self.expect_input(base);
                if let Some(l) = label {
                    model(self, l);
                }
                self.expect_input(test);
            }
            K::Lambda { node, .. } => model(self, node),
            K::Eta { from, to, .. } => {
                model(self, from);
                model(self, to);
            }
            K::Score { .. } => {}
        }
    }

    fn expect_input(&mut self, input: &ast::ExpectInput) {
        match input {
            ast::ExpectInput::Sample(n) => self.use_of(Namespace::Sample, &n.name, n.span),
            ast::ExpectInput::Pattern { nodes, .. } => {
                for n in nodes {
                    self.use_of(Namespace::Model, &n.name, n.span);
                }
            }
        }
    }

    fn block(&mut self, name: &str, header: Span, blocks: &Blocks) {
        let range = blocks.range(header.start);
        self.decl_at(Kind::Block, name, header, range, None);
    }

    fn rule_item(&mut self, item: &ast::RuleItem) {
        if let ast::RuleItem::Update(stmt) = item {
            for t in &stmt.targets {
                self.target(&t.target);
            }
        }
    }

    fn target(&mut self, target: &ast::Target) {
        match target {
            ast::Target::All | ast::Target::AllEdges => {}
            ast::Target::Node(n) => self.use_of(Namespace::Model, &n.name, n.span),
            ast::Target::Level(l) => self.use_of(Namespace::Level, &l.name, l.span),
            ast::Target::Edge { from, to } => {
                self.use_of(Namespace::Model, &from.name, from.span);
                self.use_of(Namespace::Model, &to.name, to.span);
            }
        }
    }
}

/// The code tokens of a text with their bracket partners, for the extent of blocks.
pub(crate) struct Blocks {
    pub(crate) code: Vec<Token>,
    partner: Vec<Option<usize>>,
    len: usize,
}

impl Blocks {
    pub(crate) fn new(text: &str) -> Self {
        let code: Vec<Token> = lex::tokens(text)
            .into_iter()
            .filter(|t| t.kind != TokenKind::Comment)
            .collect();
        let partner = lex::partners(&code);
        Blocks {
            code,
            partner,
            len: text.len(),
        }
    }

    /// From `start` through the `}` that closes the first `{` after it (the end of the
    /// text when it is not closed).
    pub(crate) fn range(&self, start: usize) -> Span {
        let first = self.code.partition_point(|t| t.span.start < start);
        let open = self.code[first.min(self.code.len())..]
            .iter()
            .position(|t| t.kind == TokenKind::LBrace)
            .map(|p| first + p);
        let end = open
            .and_then(|o| self.partner[o])
            .map_or(self.len, |c| self.code[c].span.end);
        Span::new(start, end.max(start))
    }
}

/// The scope (innermost known block) and the tokens before `offset`, for completion.
pub(crate) struct Context {
    pub(crate) scope: ContextScope,
    /// Code tokens of the current block before the cursor (the block's `{` excluded), and
    /// the word being typed, if any, left out.
    pub(crate) before: Vec<Token>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ContextScope {
    Top,
    Model,
    Level(usize),
    Classes,
    Init,
    Rules,
    Data,
    Test,
    Expect,
    /// A pattern `{e1 e2}` of an expectation.
    Pattern,
    Train,
    Phase,
    Record,
    Unknown,
}

/// Where `offset` is: the innermost block around it and what precedes it there.
pub(crate) fn context_at(text: &str, offset: usize) -> Context {
    let blocks = Blocks::new(text);
    let code = &blocks.code;
    // Tokens strictly before the cursor; a word the cursor touches is being typed.
    let mut end = code.partition_point(|t| t.span.end <= offset);
    if end > 0 && code[end - 1].kind == TokenKind::Word && code[end - 1].span.end == offset {
        end -= 1;
    }
    let word = |i: usize| {
        code.get(i)
            .filter(|t| t.kind == TokenKind::Word)
            .map(|t| t.text(text))
    };
    let mut stack: Vec<(ContextScope, usize)> = Vec::new();
    let mut levels = 0usize;
    for (i, token) in code[..end].iter().enumerate() {
        match token.kind {
            TokenKind::LBrace => {
                let parent = stack.last().map_or(ContextScope::Top, |s| s.0);
                let w1 = i.checked_sub(1).and_then(word);
                let w2 = i.checked_sub(2).and_then(word);
                let w3 = i.checked_sub(3).and_then(word);
                let scope = match (parent, w2, w1) {
                    (ContextScope::Top, Some("model"), Some(_)) => ContextScope::Model,
                    (ContextScope::Top, _, Some("init")) => ContextScope::Init,
                    (ContextScope::Top, _, Some("rules")) => ContextScope::Rules,
                    (ContextScope::Top, _, Some("data")) => ContextScope::Data,
                    (ContextScope::Top, _, Some("test")) => ContextScope::Test,
                    (ContextScope::Top, _, Some("expect"))
                    | (ContextScope::Top, Some("expect"), Some("initial")) => ContextScope::Expect,
                    (ContextScope::Expect, _, _) => ContextScope::Pattern,
                    (ContextScope::Top, _, Some("train")) => ContextScope::Train,
                    (ContextScope::Model, Some("level"), Some(_)) => {
                        levels += 1;
                        ContextScope::Level(levels - 1)
                    }
                    (ContextScope::Model, _, Some("classes")) => ContextScope::Classes,
                    (ContextScope::Train, Some("phase"), Some(_)) => ContextScope::Phase,
                    (ContextScope::Train, _, _) if w3 == Some("record") => ContextScope::Record,
                    _ => ContextScope::Unknown,
                };
                stack.push((scope, i + 1));
            }
            TokenKind::RBrace => {
                stack.pop();
            }
            _ => {}
        }
    }
    let (scope, from) = stack.last().copied().unwrap_or((ContextScope::Top, 0));
    Context {
        scope,
        before: code[from..end].to_vec(),
    }
}
