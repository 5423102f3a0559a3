//! The `test { }` block: held-out samples (written, or read from files) and
//! `copies N flip q`.

use super::data::{check_sample, note_name, SampleNames};
use super::fasthash::SeenIds;
use super::messages as msg;
use super::model::Symbols;
use super::numbers::eval_non_negative;
use super::Ctx;
use crate::ir;
use crate::syntax::ast::{Span, TestBlock, TestItem};

/// The checked test set; `None` without a `test` block.
#[derive(Debug, Default)]
pub struct CheckedTest {
    pub test: Option<ir::TestSet>,
}

pub fn check_test<'a>(
    ctx: &mut Ctx,
    symbols: &Symbols,
    block: Option<&'a TestBlock>,
    names: &mut SampleNames<'a>,
    files: &mut super::files::FileSamples,
) -> CheckedTest {
    let Some(block) = block else {
        return CheckedTest::default();
    };
    let mut set = ir::TestSet::default();
    let mut copies_at: Option<Span> = None;
    let mut seen = SeenIds::new(symbols.nodes.len());
    for item in &block.items {
        match item {
            TestItem::Sample(decl) => {
                note_name(ctx, names, files, decl);
                if let Some(sample) = check_sample(ctx, symbols, decl, &mut seen) {
                    set.samples.push(sample);
                }
            }
            TestItem::From(from) => {
                files.read_into(ctx, symbols, names, from, false, &mut set.samples);
            }
            TestItem::Copies { count, flip, span } => {
                if let Some(first) = copies_at {
                    ctx.push(msg::duplicate_statement("copies", *span, first));
                    continue;
                }
                copies_at = Some(*span);
                let n = match count.value {
                    Some(n) if n >= 1 && n <= u32::MAX as u64 => Some(n as u32),
                    _ => {
                        ctx.push(msg::bad_copies(&count.text, count.span));
                        None
                    }
                };
                let q = eval_non_negative(ctx, flip, "the flip probability");
                if let Some(q) = q.filter(|&q| q > 1.0) {
                    ctx.push(msg::probability_above_one(q, flip.span()));
                    continue;
                }
                if let (Some(count), Some(flip)) = (n, q) {
                    set.copies = Some(ir::Copies { count, flip });
                }
            }
        }
    }
    CheckedTest { test: Some(set) }
}
