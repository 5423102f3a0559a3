//! The `expect { }` and `expect initial { }` blocks: every name resolved, every number
//! evaluated, every tolerance validated, so that `crate::expect` only evaluates.

use std::collections::{HashMap, HashSet};

use super::data::{resolve_inputs, CheckedData};
use super::fasthash::SeenIds;
use super::messages as msg;
use super::model::{Entity, Symbols};
use super::numbers::{eval, eval_non_negative};
use super::targets::resolve_edge;
use super::Ctx;
use crate::ir;
use crate::syntax::ast::{
    self, Comparison, DataBlock, DataItem, ExpectBlock, ExpectInput, ExpectKind, Ident, Metric,
    Span, TestBlock, TestItem,
};

/// What the expectations may refer to besides the model's names.
pub struct Context<'a> {
    /// The samples as written (valid or not), for "unknown sample" and its suggestion.
    pub data_block: Option<&'a DataBlock>,
    /// The checked samples.
    pub data: &'a CheckedData,
    /// The `train` block's header, if the file has one.
    pub train: Option<Span>,
    /// The `test` block as written, and its checked samples (`None` without one).
    pub test_block: Option<&'a TestBlock>,
    pub test: Option<&'a ir::TestSet>,
}

/// Checks both blocks; the IR's expectations (complete only when no error was reported).
pub fn check_expect(
    ctx: &mut Ctx,
    symbols: &Symbols,
    context: &Context,
    initial: Option<&ExpectBlock>,
    trained: Option<&ExpectBlock>,
) -> ir::Expectations {
    if initial.is_none() && trained.is_none() {
        // Nothing to check: no tables are built (large generated models have no expectations).
        return ir::Expectations::default();
    }
    let mut checker = Checker::new(symbols, context);
    if let (Some(block), None) = (trained, context.train) {
        ctx.push(msg::expect_untrained(block.header));
    }
    ir::Expectations {
        initial: initial.map_or_else(Vec::new, |b| checker.block(ctx, b)),
        trained: trained.map_or_else(Vec::new, |b| checker.block(ctx, b)),
    }
}

/// A sample as an expectation sees it: of the data, or of the test set (`test`).
#[derive(Clone, Copy)]
struct SampleRef {
    index: u32,
    label: ir::ClassId,
    test: bool,
}

struct Checker<'s, 'a> {
    symbols: &'s Symbols<'a>,
    /// Checked samples by name (first declaration wins).
    samples: HashMap<&'s str, SampleRef>,
    /// Every sample name written, valid or not, in the order written (for suggestions).
    declared: Vec<&'s str>,
    declared_set: HashSet<&'s str>,
    /// Did-you-mean over `declared`, built at the first unknown sample name.
    near_samples: std::cell::OnceCell<super::suggest::NameIndex>,
    seen: SeenIds<u32>,
    /// Whether the data has samples (written or read from files), and the model a test set.
    has_data: bool,
    has_test: bool,
}

impl<'s, 'a> Checker<'s, 'a> {
    fn new(symbols: &'s Symbols<'a>, context: &'s Context<'s>) -> Self {
        let mut samples = HashMap::new();
        let data = context.data.data.samples.iter().map(|s| (s, false));
        let test = context.test.map_or(&[][..], |t| &t.samples[..]);
        for (position, (sample, test)) in data
            .enumerate()
            .chain(test.iter().map(|s| (s, true)).enumerate())
        {
            samples.entry(sample.name.as_str()).or_insert(SampleRef {
                index: position as u32,
                label: sample.label,
                test,
            });
        }
        // Every sample name written (checked or not), then those read from files: the
        // names an unknown one is compared with.
        let written_data = context
            .data_block
            .map_or(&[][..], |b| b.items.as_slice())
            .iter()
            .filter_map(|item| match item {
                DataItem::Sample(s) => Some(s.name.name.as_str()),
                DataItem::NoiseFlip { .. } | DataItem::From(_) => None,
            });
        let written_test = context
            .test_block
            .map_or(&[][..], |b| b.items.as_slice())
            .iter()
            .filter_map(|item| match item {
                TestItem::Sample(s) => Some(s.name.name.as_str()),
                TestItem::From(_) | TestItem::Copies { .. } => None,
            });
        let declared_set: HashSet<&str> =
            written_data.clone().chain(written_test.clone()).collect();
        let read = context
            .data
            .data
            .samples
            .iter()
            .chain(test)
            .map(|s| s.name.as_str())
            .filter(|name| !declared_set.contains(name));
        let declared: Vec<&str> = written_data.chain(written_test).chain(read).collect();
        Checker {
            symbols,
            samples,
            declared,
            declared_set,
            near_samples: std::cell::OnceCell::new(),
            seen: SeenIds::new(symbols.nodes.len()),
            has_data: context.data.declared > 0,
            has_test: context.test.is_some(),
        }
    }

    fn block(&mut self, ctx: &mut Ctx, block: &ExpectBlock) -> Vec<ir::Expectation> {
        block
            .items
            .iter()
            .filter_map(|item| {
                self.check(ctx, &item.kind, item.span)
                    .map(|check| ir::Expectation {
                        check,
                        span: item.span,
                    })
            })
            .collect()
    }

    /// One expectation; every part is checked even after a problem, so that all of them
    /// are reported at once.
    fn check(&mut self, ctx: &mut Ctx, kind: &ExpectKind, span: Span) -> Option<ir::Check> {
        match kind {
            ExpectKind::Predict { input, class } => {
                let input = self.input(ctx, input);
                let class = match class {
                    Some(name) => Some(self.class(ctx, name)?),
                    None => None,
                };
                Some(ir::Check::Predict {
                    input: input?.0,
                    class,
                })
            }
            ExpectKind::Pathway {
                input,
                fires,
                nodes,
            } => {
                let input = self.input(ctx, input);
                let nodes = self.pathway_nodes(ctx, nodes);
                Some(ir::Check::Pathway {
                    input: input?.0,
                    fires: *fires,
                    nodes: nodes?,
                })
            }
            ExpectKind::P {
                input,
                class,
                compare,
            }
            | ExpectKind::Logit {
                input,
                class,
                compare,
            } => {
                let input = self.input(ctx, input);
                let class = self.class(ctx, class);
                let compare = compare_of(ctx, compare);
                let (input, class, compare) = (input?.0, class?, compare?);
                Some(match kind {
                    ExpectKind::P { .. } => ir::Check::P {
                        input,
                        class,
                        compare,
                    },
                    _ => ir::Check::Logit {
                        input,
                        class,
                        compare,
                    },
                })
            }
            ExpectKind::Le {
                base,
                label,
                test,
                compare,
            } => {
                let resolved = self.input(ctx, base);
                let written = label.as_ref().map(|name| self.class(ctx, name));
                let test = self.input(ctx, test);
                let compare = compare_of(ctx, compare);
                // A sample brings its own label; a pattern must be given one.
                let label = match (base, label, written) {
                    (ExpectInput::Sample(sample), Some(name), _) => {
                        ctx.push(msg::label_on_sample(&sample.name, name.span));
                        None
                    }
                    (ExpectInput::Pattern { span, .. }, None, _) => {
                        ctx.push(msg::le_base_without_label(*span));
                        None
                    }
                    (ExpectInput::Pattern { .. }, Some(_), written) => written.flatten(),
                    (ExpectInput::Sample(_), None, _) => resolved.as_ref().and_then(|r| r.1),
                };
                Some(ir::Check::Le {
                    base: resolved?.0,
                    label: label?,
                    test: test?.0,
                    compare: compare?,
                })
            }
            ExpectKind::Lambda { ln, node, compare } => {
                let node = self.feature_node(ctx, node);
                let compare = compare_of(ctx, compare);
                Some(ir::Check::Lambda {
                    node: node?,
                    ln: *ln,
                    compare: compare?,
                })
            }
            ExpectKind::Eta {
                ln,
                from,
                to,
                compare,
            } => {
                let edge = resolve_edge(ctx, self.symbols, from, to);
                let compare = compare_of(ctx, compare);
                Some(ir::Check::Eta {
                    edge: edge?,
                    ln: *ln,
                    compare: compare?,
                })
            }
            ExpectKind::Score {
                test,
                metric,
                compare,
            } => {
                if *test && !self.has_test {
                    ctx.push(msg::no_test_set(span));
                    return None;
                }
                if !*test && !self.has_data {
                    let word = match metric {
                        Metric::Accuracy => "accuracy",
                        Metric::Loss => "loss",
                    };
                    ctx.push(msg::accuracy_without_data(word, span));
                    return None;
                }
                let compare = compare_of(ctx, compare)?;
                Some(match (test, metric) {
                    (false, Metric::Accuracy) => ir::Check::Accuracy { compare },
                    (false, Metric::Loss) => ir::Check::Loss { compare },
                    (true, Metric::Accuracy) => ir::Check::TestAccuracy { compare },
                    (true, Metric::Loss) => ir::Check::TestLoss { compare },
                })
            }
        }
    }

    /// An input, with the sample's own label when it names a sample.
    fn input(
        &mut self,
        ctx: &mut Ctx,
        input: &ExpectInput,
    ) -> Option<(ir::ExpectInput, Option<ir::ClassId>)> {
        match input {
            ExpectInput::Pattern { nodes, .. } => {
                let nodes = nodes.iter().cloned().collect();
                resolve_inputs(ctx, self.symbols, &nodes, &mut self.seen)
                    .map(|ids| (ir::ExpectInput::Pattern(ids), None))
            }
            ExpectInput::Sample(name) => {
                if let Some(sample) = self.samples.get(name.name.as_str()) {
                    let input = if sample.test {
                        ir::ExpectInput::TestSample(sample.index)
                    } else {
                        ir::ExpectInput::Sample(sample.index)
                    };
                    return Some((input, Some(sample.label)));
                }
                if self.declared_set.contains(name.name.as_str()) {
                    // Declared but refused: its problem is reported already.
                    return None;
                }
                if self.declared.is_empty() {
                    ctx.push(msg::sample_without_data(&name.name, name.span));
                    return None;
                }
                let input_node = matches!(
                    self.symbols.lookup_with_level(&name.name),
                    Some((Entity::Node(_), 0))
                );
                let name_of = |i: u32| self.declared.get(i as usize).copied().unwrap_or("");
                let suggestion = self
                    .near_samples
                    .get_or_init(|| super::suggest::NameIndex::new(self.declared.len(), name_of))
                    .closest(&name.name, name_of, |_| true)
                    .map(name_of);
                ctx.push(msg::unknown_sample(
                    &name.name,
                    name.span,
                    suggestion,
                    input_node,
                    self.has_test,
                ));
                None
            }
        }
    }

    fn class(&self, ctx: &mut Ctx, name: &Ident) -> Option<ir::ClassId> {
        match self.symbols.lookup(&name.name) {
            Some(Entity::Class(id)) => Some(id),
            Some(entity) => {
                let what = self.symbols.describe(entity);
                ctx.push(msg::expected_class(&name.name, &what, name.span));
                None
            }
            None => {
                let suggestion = self.symbols.suggest_class(&name.name);
                ctx.push(msg::unknown_class(&name.name, name.span, suggestion));
                None
            }
        }
    }

    /// A non-class node (`lambda N`).
    fn feature_node(&self, ctx: &mut Ctx, name: &Ident) -> Option<ir::NodeId> {
        match self.symbols.lookup(&name.name) {
            Some(Entity::Node(id)) => Some(id),
            Some(Entity::Class(_)) => {
                ctx.push(msg::expect_class_lambda(&name.name, name.span));
                None
            }
            None => {
                let suggestion = self.symbols.suggest_name(&name.name);
                ctx.push(msg::unknown_node(&name.name, name.span, suggestion));
                None
            }
        }
    }

    /// The nodes of `pathway X has ...`: non-class nodes, each once.
    fn pathway_nodes(&mut self, ctx: &mut Ctx, names: &[Ident]) -> Option<Vec<ir::NodeId>> {
        let mut ok = true;
        let mut ids = Vec::with_capacity(names.len());
        self.seen.next_list();
        for (position, name) in names.iter().enumerate() {
            match self.symbols.lookup(&name.name) {
                Some(Entity::Node(id)) => {
                    if let Some(first) = self.seen.get(id as usize) {
                        let first = names[first as usize].span;
                        ctx.push(msg::repeated_pathway_node(&name.name, name.span, first));
                        ok = false;
                    } else {
                        self.seen.insert(id as usize, position as u32);
                        ids.push(id);
                    }
                }
                Some(Entity::Class(_)) => {
                    ctx.push(msg::pathway_class(&name.name, name.span));
                    ok = false;
                }
                None => {
                    let suggestion = self.symbols.suggest_name(&name.name);
                    ctx.push(msg::unknown_node(&name.name, name.span, suggestion));
                    ok = false;
                }
            }
        }
        ok.then_some(ids)
    }
}

/// `OP v [within tol]`: finite numbers, a tolerance only with `=` and never negative.
fn compare_of(ctx: &mut Ctx, compare: &Comparison) -> Option<ir::Compare> {
    let value = eval(ctx, &compare.value);
    let within = match &compare.within {
        None => Some(None),
        Some(within) => {
            let tolerance = eval_non_negative(ctx, &within.tolerance, "a tolerance");
            if compare.op.kind != ast::CmpOp::Eq {
                ctx.push(msg::within_without_eq(
                    op_symbol(compare.op.kind),
                    within.header,
                    compare.op.span,
                ));
                return None;
            }
            tolerance.map(Some)
        }
    };
    Some(ir::Compare {
        op: ir_op(compare.op.kind),
        value: value?,
        within: within?,
    })
}

fn ir_op(op: ast::CmpOp) -> ir::CmpOp {
    match op {
        ast::CmpOp::Lt => ir::CmpOp::Lt,
        ast::CmpOp::Le => ir::CmpOp::Le,
        ast::CmpOp::Gt => ir::CmpOp::Gt,
        ast::CmpOp::Ge => ir::CmpOp::Ge,
        ast::CmpOp::Eq => ir::CmpOp::Eq,
    }
}

fn op_symbol(op: ast::CmpOp) -> &'static str {
    ir_op(op).symbol()
}
