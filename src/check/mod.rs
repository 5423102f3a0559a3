//! AST → IR: name resolution and every semantic check of the language.
//!
//! Each block has its own module; `messages` holds every diagnostic so they read alike.
//! All problems of a file are collected in one run: each check reports and carries on,
//! and a name that failed to resolve is skipped by later checks rather than reported
//! again.

pub mod bounds;
mod data;
mod expect;
mod fasthash;
mod files;
pub use files::{FileSamples, ReadFile};
mod init;
mod messages;
mod model;
mod names;
mod numbers;
mod reach;
mod rounding;
mod rules;
pub mod suggest;
mod targets;
mod test;
mod train;

#[cfg(test)]
mod tests;

use crate::diag::ErrorCode;
use crate::diag::Problem;
use crate::ir::{self, Ir};
use crate::syntax::ast::{Block, File, ModelItem, Span};

/// The result of checking a file: the IR when there is no error, and every problem
/// (errors and warnings) found, all at once.
#[derive(Debug)]
pub struct Checked {
    pub ir: Option<Ir>,
    pub problems: Vec<Problem>,
}

/// Evaluates a standalone number expression (a REPL or CLI value): its value, or the
/// problem that makes it unusable (NaN, infinite, division by zero).
pub fn eval_number(expr: &crate::syntax::ast::Expr) -> Result<f64, Problem> {
    let mut ctx = Ctx::default();
    match numbers::eval(&mut ctx, expr) {
        Some(v) => Ok(v),
        None => Err(ctx.problems.into_iter().next().unwrap_or_else(|| {
            Problem::error(ErrorCode::CheckNotFinite, "the number cannot be evaluated")
        })),
    }
}

/// Collects problems while checking; every check pushes here and carries on.
#[derive(Debug, Default)]
pub(crate) struct Ctx {
    problems: Vec<Problem>,
}

impl Ctx {
    fn push(&mut self, problem: Problem) {
        self.problems.push(problem);
    }

    fn error_count(&self) -> usize {
        self.problems.iter().filter(|p| p.is_error()).count()
    }
}

/// The optional blocks, at most one of each.
#[derive(Default)]
struct Blocks<'a> {
    init: Option<&'a crate::syntax::ast::InitBlock>,
    rules: Option<&'a crate::syntax::ast::RulesBlock>,
    data: Option<&'a crate::syntax::ast::DataBlock>,
    train: Option<&'a crate::syntax::ast::TrainBlock>,
    expect: Option<&'a crate::syntax::ast::ExpectBlock>,
    expect_initial: Option<&'a crate::syntax::ast::ExpectBlock>,
    test: Option<&'a crate::syntax::ast::TestBlock>,
}

fn collect_blocks<'a>(ctx: &mut Ctx, file: &'a File) -> Blocks<'a> {
    fn keep_first<'a, T>(
        ctx: &mut Ctx,
        slot: &mut Option<&'a T>,
        block: &'a T,
        name: &str,
        header: impl Fn(&T) -> Span,
    ) {
        match slot {
            Some(first) => ctx.push(messages::duplicate_block(
                name,
                header(block),
                header(first),
            )),
            None => *slot = Some(block),
        }
    }
    let mut blocks = Blocks::default();
    for block in &file.blocks {
        match block {
            Block::Init(b) => keep_first(ctx, &mut blocks.init, b, "init", |b| b.header),
            Block::Rules(b) => keep_first(ctx, &mut blocks.rules, b, "rules", |b| b.header),
            Block::Data(b) => keep_first(ctx, &mut blocks.data, b, "data", |b| b.header),
            Block::Train(b) => keep_first(ctx, &mut blocks.train, b, "train", |b| b.header),
            Block::Expect(b) => {
                let (slot, name) = if b.initial {
                    (&mut blocks.expect_initial, "expect initial")
                } else {
                    (&mut blocks.expect, "expect")
                };
                match slot {
                    Some(first) => {
                        ctx.push(messages::duplicate_expect(name, b.header, first.header))
                    }
                    None => *slot = Some(b),
                }
            }
            Block::Test(b) => keep_first(ctx, &mut blocks.test, b, "test", |b| b.header),
        }
    }
    blocks
}

pub use reach::DataSpans;

/// Checks a parsed file: every problem is collected, and the IR is built only when
/// none of them is an error. A repeated block is reported and its contents skipped.
pub fn check(file: &File) -> Checked {
    check_in(file, None)
}

/// [`check`] for a model in `folder`, where the paths of its data files start (`None`:
/// the current directory).
pub fn check_in(file: &File, folder: Option<&std::path::Path>) -> Checked {
    let (mut checked, data) = check_file(file, None, folder);
    if let (Some(ir), Some(data)) = (&checked.ir, data) {
        let graph = crate::engine::graph::Graph::new(ir);
        data.warn(ir, &graph, &mut checked.problems);
    }
    checked
}

/// [`check`] for a caller that is done with the file (compiling), less the warnings about
/// the data that need every sample fired: with an IR, what they label comes back
/// ([`DataSpans::warn`] then adds them last, as `check` does), so that the caller builds
/// the engine's tables once and fires the samples once. The levels' node declarations
/// (most of a large model's syntax tree) are dropped once the names are resolved, and the
/// rest of the tree before this returns, so that the tree and the IR are not held at once.
/// With the warnings added, the problems are the same as [`check`]'s.
pub fn check_but_data(
    mut file: File,
    folder: Option<&std::path::Path>,
) -> (Checked, Option<DataSpans>) {
    let held: Vec<model::HeldNodes> = file
        .model
        .items
        .iter_mut()
        .filter_map(|item| match item {
            ModelItem::Level(level) => Some((
                std::mem::take(&mut level.nodes),
                std::mem::take(&mut level.names),
                std::mem::take(&mut level.children),
            )),
            ModelItem::Classes(_) => None,
        })
        .collect();
    check_file(&file, Some(held), folder)
}

/// Checks `file`, whose levels' nodes are in `held` (in level order) when they were taken
/// out of it: each level's are dropped as soon as its rules are resolved.
fn check_file(
    file: &File,
    held: Option<Vec<model::HeldNodes>>,
    folder: Option<&std::path::Path>,
) -> (Checked, Option<DataSpans>) {
    let (ir, errors, problems, data, _) = check_parts(file, held, folder);
    let checked = Checked {
        ir: (errors == 0).then_some(ir),
        problems,
    };
    (checked, data)
}

/// What the checker makes of a file that may have errors or be a partial syntax tree
/// (see [`crate::syntax::parse`]): what an editor shows about names while the file is
/// being written.
#[derive(Debug)]
pub struct Resolved {
    /// Every problem, as [`check`] reports them.
    pub problems: Vec<Problem>,
    /// The model as far as it checks: every node, class and level declared, the init and
    /// rules of each node as resolved from the lines that check (a line with an error
    /// is left out), the samples and phases that check. The same IR as [`check`]'s when
    /// `problems` has no error; otherwise for showing, never for running.
    pub ir: Ir,
    /// Whether `problems` has no error (then `ir` is [`check`]'s).
    pub complete: bool,
    /// The data files read, and where each sample read from them is.
    pub files: files::FileSamples,
}

/// Checks `file` as far as it goes: [`check`]'s problems, and the IR of what checks even
/// when something does not (data files read from `folder`, as [`check_in`] reads them).
/// A file with errors costs what a file without them does.
pub fn check_resolved(file: &File, folder: Option<&std::path::Path>) -> Resolved {
    let (ir, errors, mut problems, data, files) = check_parts(file, None, folder);
    if let Some(data) = data {
        let graph = crate::engine::graph::Graph::new(&ir);
        data.warn(&ir, &graph, &mut problems);
    }
    Resolved {
        problems,
        ir,
        complete: errors == 0,
        files,
    }
}

/// The checker's passes: the IR (sound only with no error), the number of errors, every
/// problem, and what the data warnings need (with no error only).
fn check_parts(
    file: &File,
    held: Option<Vec<model::HeldNodes>>,
    folder: Option<&std::path::Path>,
) -> (
    Ir,
    usize,
    Vec<Problem>,
    Option<DataSpans>,
    files::FileSamples,
) {
    let mut ctx = Ctx::default();
    let blocks = collect_blocks(&mut ctx, file);
    let mut levels = model::level_nodes(&file.model, held);
    let symbols = model::check_model(&mut ctx, &file.model, &mut levels);
    drop(levels);
    let init = init::check_init(&mut ctx, &symbols, blocks.init);
    let file_rules = rules::check_scope(
        &mut ctx,
        &symbols,
        blocks.rules.map_or(&[][..], |b| b.items.as_slice()),
    );
    let mut files = files::FileSamples::new(folder);
    let mut names = data::SampleNames::default();
    let data = data::check_data(&mut ctx, &symbols, blocks.data, &mut names, &mut files);
    let test = test::check_test(&mut ctx, &symbols, blocks.test, &mut names, &mut files);
    let train = blocks
        .train
        .map(|b| train::check_train(&mut ctx, &symbols, b, &data));
    let phase_scopes: Vec<&rules::Scope> = train
        .iter()
        .flat_map(|t| t.phases.iter().map(|p| &p.scope))
        .collect();
    rules::check_jitter_conflicts(&mut ctx, &file_rules, &phase_scopes);

    let expect = expect::check_expect(
        &mut ctx,
        &symbols,
        &expect::Context {
            data_block: blocks.data,
            data: &data,
            train: blocks.train.map(|b| b.header),
            test_block: blocks.test,
            test: test.test.as_ref(),
        },
        blocks.expect_initial,
        blocks.expect,
    );

    // Every name is resolved: the symbol table's lookups go, and its tables move into the
    // IR rather than being copied.
    let tables = symbols.into_tables();
    let file_set = rules::resolve(&tables, &file_rules, None);
    let train = train.map(|t| t.resolve(&tables, &file_rules));
    warn_cannot_grow(&mut ctx, &init, &file_set, train.as_ref());
    rounding::warn_lost_to_rounding(&mut ctx, &init, &file_set, train.as_ref());

    let errors = ctx.error_count();
    let ir = Ir {
        model: tables.model_name,
        levels: tables.levels,
        nodes: tables.nodes,
        classes: tables.classes,
        edges: tables.edges,
        init: init.init,
        rules: file_set,
        data: data.data,
        train,
        expect,
        test: test.test,
        data_files: std::mem::take(&mut files.files),
    };
    let data = if errors == 0 {
        DataSpans::new(file, blocks.data, &files.data_counts)
    } else {
        None
    };
    (ir, errors, ctx.problems, data, files)
}

/// A `lambda = 0` start with only multiplicative growth can never grow.
/// One warning per init statement responsible, not per node.
fn warn_cannot_grow(
    ctx: &mut Ctx,
    init: &init::ResolvedInit,
    file: &ir::RuleSet,
    train: Option<&ir::Train>,
) {
    let sets: Vec<&ir::RuleSet> = std::iter::once(file)
        .chain(
            train
                .into_iter()
                .flat_map(|t| t.phases.iter().map(|p| &p.rules)),
        )
        .collect();
    let only_mul = |rule: fn(&ir::RuleSet) -> &ir::PerEntry<ir::Update>, id: usize| {
        sets.iter().all(|set| {
            matches!(
                rule(set).get(id).map(|u| u.plain()),
                Some(ir::Update::Mul { .. })
            )
        })
    };
    let is_zero = |d: &ir::Dist| matches!(d, ir::Dist::Const { value } if *value == 0.0);
    let mut warned: Vec<Span> = Vec::new();
    let nodes = init
        .init
        .lambda
        .iter()
        .zip(init.lambda_source.iter())
        .enumerate()
        .map(|(id, (d, s))| (d, s, only_mul(|r| &r.grow, id), ("lambda", "grow")));
    let edges = init
        .init
        .eta
        .iter()
        .zip(init.eta_source.iter())
        .enumerate()
        .map(|(id, (d, s))| (d, s, only_mul(|r| &r.grow_eta, id), ("eta", "grow eta")));
    for (dist, source, stuck, (what, grow)) in nodes.chain(edges) {
        if let (true, true, Some(span)) = (is_zero(dist), stuck, source) {
            if !warned.contains(&span) {
                warned.push(span);
                ctx.push(messages::cannot_grow(what, grow, span));
            }
        }
    }
}
