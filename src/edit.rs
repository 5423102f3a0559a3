//! New model texts made from a model's text: the same model with other data, or with
//! another batch size in every phase. The result is a plain `.nshed` text (it compiles,
//! prints, saves and pickles like any other), so a model fitted to a table of samples can
//! be read, run by the command line and restored bit for bit. The Python package's
//! `Model.with_data` / `with_batch` and its scikit-learn estimator are made of these.
//!
//! Edits are made on the text, not by printing a tree: everything else (comments, layout,
//! rules, the schedule) stays as it was written.

use crate::diag::{ErrorCode, Problem};
use crate::engine::batch::Inputs;
use crate::ir::{ClassId, Ir};
use crate::span::Span;
use crate::syntax::ast::{Block, DataItem, PhaseItem, TrainItem};
use crate::syntax::lex::{self, TokenKind};

/// Code of every problem found here.
const CODE: ErrorCode = ErrorCode::Edit;

/// `text` (the source of `ir`) with its `data` block's samples replaced by `inputs`, input
/// `i` labelled `labels[i]` and named `row{i+1}`. The block's `noise flip` line stays;
/// sample files and weights do not, and `expect` blocks are left out (they speak of the
/// samples that were there). A text without a `data` block gets one at its end.
pub fn with_data(
    text: &str,
    ir: &Ir,
    inputs: &Inputs,
    labels: &[ClassId],
) -> Result<String, Problem> {
    if inputs.len() != labels.len() {
        return Err(Problem::error(
            CODE,
            format!(
                "{} inputs and {} labels: every sample needs one label",
                inputs.len(),
                labels.len()
            ),
        )
        .help("give as many labels as input rows"));
    }
    let file = crate::syntax::parse_file(text)?;
    let blocks = BlockEnds::new(text);
    let mut noise = Vec::new();
    let mut edits: Vec<(Span, String)> = Vec::new();
    for block in &file.blocks {
        match block {
            Block::Data(data) => {
                for item in &data.items {
                    if let DataItem::NoiseFlip { span, .. } = item {
                        noise.push(text[span.start..span.end].trim_end());
                    }
                }
                edits.push((blocks.whole(data.header)?, String::new()));
            }
            Block::Expect(expect) => edits.push((blocks.whole(expect.header)?, String::new())),
            _ => {}
        }
    }
    let block = data_block(ir, inputs, labels, &noise)?;
    match edits
        .iter_mut()
        .find(|(span, _)| text[span.start..].starts_with("data"))
    {
        Some((_, replacement)) => *replacement = block,
        None => edits.push((Span::new(text.len(), text.len()), format!("\n{block}\n"))),
    }
    Ok(apply(text, edits))
}

/// `text` with `batch N` in every phase of its `train` block (replacing the phase's own
/// batch, or added after its `{`).
pub fn with_batch(text: &str, batch: u64) -> Result<String, Problem> {
    crate::ir::validate_batch(batch)
        .map_err(|why| Problem::error(CODE, why).help("give a batch size of 1 to 1048576"))?;
    let file = crate::syntax::parse_file(text)?;
    let blocks = BlockEnds::new(text);
    let mut edits = Vec::new();
    let mut train = false;
    for block in &file.blocks {
        let Block::Train(t) = block else { continue };
        train = true;
        for item in &t.items {
            let TrainItem::Phase(phase) = item else {
                continue;
            };
            let written = phase.items.iter().find_map(|i| match i {
                PhaseItem::Batch { value, .. } => Some(value.span),
                _ => None,
            });
            match written {
                Some(span) => edits.push((span, batch.to_string())),
                None => {
                    let open = blocks.open_after(phase.header)?;
                    edits.push((Span::new(open.end, open.end), format!(" batch {batch}")));
                }
            }
        }
    }
    if !train {
        return Err(Problem::error(
            CODE,
            "the model has no `train` block, so it has no batch to set",
        )
        .help(
            "add a `train` block (`train { phase p { steps 1000 } }`), or leave the batch as it is",
        ));
    }
    Ok(apply(text, edits))
}

/// `text` without its `train` and `expect` blocks: the shape of a model whose data is to
/// come from [`with_data`] (a `train` block needs data to compile; the full text keeps it
/// for the models made from the shape).
pub fn without_training(text: &str) -> Result<String, Problem> {
    let file = crate::syntax::parse_file(text)?;
    let blocks = BlockEnds::new(text);
    let mut edits = Vec::new();
    for block in &file.blocks {
        let header = match block {
            Block::Train(t) => t.header,
            Block::Expect(e) => e.header,
            _ => continue,
        };
        edits.push((blocks.whole(header)?, String::new()));
    }
    Ok(apply(text, edits))
}

/// The text of a `data` block holding `inputs` labelled `labels`, then `noise` lines.
fn data_block(
    ir: &Ir,
    inputs: &Inputs,
    labels: &[ClassId],
    noise: &[&str],
) -> Result<String, Problem> {
    let mut out = String::from("data {\n");
    for (i, &label) in labels.iter().enumerate() {
        let Some(class) = ir.classes.get(label as usize) else {
            return Err(Problem::error(
                CODE,
                format!("row {}: no class {label}", i + 1),
            ));
        };
        out.push_str(&format!("  row{}:", i + 1));
        for &n in inputs.get(i) {
            match ir.nodes.get(n as usize).filter(|node| node.level == 0) {
                Some(node) => {
                    out.push(' ');
                    out.push_str(&node.name);
                }
                None => {
                    return Err(Problem::error(
                        CODE,
                        format!("row {}: node {n} is not an input node", i + 1),
                    ))
                }
            }
        }
        out.push_str(&format!(" -> {}\n", class.name));
    }
    for line in noise {
        out.push_str(&format!("  {line}\n"));
    }
    out.push('}');
    Ok(out)
}

/// Replaces each span of `edits` (disjoint) by its text.
fn apply(text: &str, mut edits: Vec<(Span, String)>) -> String {
    edits.sort_by_key(|(span, _)| span.start);
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for (span, replacement) in edits {
        out.push_str(&text[at..span.start]);
        out.push_str(&replacement);
        at = span.end;
    }
    out.push_str(&text[at..]);
    out
}

/// Where the blocks of a text open and close, from its tokens.
struct BlockEnds {
    tokens: Vec<lex::Token>,
    partners: Vec<Option<usize>>,
}

impl BlockEnds {
    fn new(text: &str) -> BlockEnds {
        let tokens = lex::tokens(text);
        let partners = lex::partners(&tokens);
        BlockEnds { tokens, partners }
    }

    /// The index of the first `{` after `header`.
    fn open_index(&self, header: Span) -> Result<usize, Problem> {
        self.tokens
            .iter()
            .position(|t| t.kind == TokenKind::LBrace && t.span.start >= header.end)
            .ok_or_else(|| unbalanced(header))
    }

    /// The first `{` after `header`.
    fn open_after(&self, header: Span) -> Result<Span, Problem> {
        Ok(self.tokens[self.open_index(header)?].span)
    }

    /// A block from its header to its closing `}`.
    fn whole(&self, header: Span) -> Result<Span, Problem> {
        let open = self.open_index(header)?;
        let close = self.partners[open].ok_or_else(|| unbalanced(header))?;
        Ok(Span::new(header.start, self.tokens[close].span.end))
    }
}

fn unbalanced(header: Span) -> Problem {
    Problem::error(CODE, "a block without its braces").label(header, "this block")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::Source;

    const TEXT: &str = "model m {
  level input { a b c }
  classes { x <- a y <- b, c }
}

// the samples
data {
  s1: a -> x
  noise flip 0.1
  s2: b c -> y weight 2
}

train { seed 3 phase one { steps 10 } phase two { steps 5 batch 2 } }

expect { predict s1 is x }
";

    fn compile(text: &str) -> crate::Compiled {
        let source = Source {
            name: "m.nshed".into(),
            text: text.into(),
        };
        match crate::compile(source) {
            Ok(c) => c,
            Err(r) => panic!("{}", r.render(crate::diag::RenderStyle::Plain)),
        }
    }

    #[test]
    fn data_is_replaced_and_everything_else_kept() {
        let compiled = compile(TEXT);
        let mut inputs = Inputs::new();
        inputs.push(&[0, 2]);
        inputs.push(&[]);
        let edited = with_data(TEXT, &compiled.ir, &inputs, &[1, 0]);
        let edited = edited.unwrap_or_else(|p| panic!("{}", p.message));
        assert_eq!(
            edited,
            "model m {
  level input { a b c }
  classes { x <- a y <- b, c }
}

// the samples
data {
  row1: a c -> y
  row2: -> x
  noise flip 0.1
}

train { seed 3 phase one { steps 10 } phase two { steps 5 batch 2 } }


"
        );
        let again = compile(&edited);
        let names: Vec<&str> = again
            .ir
            .data
            .samples
            .iter()
            .map(|s| s.name.as_str())
            .collect();
        assert_eq!(names, ["row1", "row2"]);
        assert_eq!(again.ir.data.samples[0].input, vec![0, 2]);
        assert_eq!(again.ir.data.samples[0].label, 1);
        assert_eq!(again.ir.data.samples[0].weight, 1.0);
    }

    #[test]
    fn a_model_without_data_gets_a_block() {
        let text = "model m { level input { a b } classes { x <- a } }\n";
        let compiled = compile(text);
        let mut inputs = Inputs::new();
        inputs.push(&[1]);
        let edited = with_data(text, &compiled.ir, &inputs, &[0]);
        assert_eq!(
            edited.ok().as_deref(),
            Some(
                "model m { level input { a b } classes { x <- a } }\n\ndata {\n  row1: b -> x\n}\n"
            )
        );
        assert!(with_data(text, &compiled.ir, &inputs, &[0, 0]).is_err());
        assert!(with_data(text, &compiled.ir, &inputs, &[3]).is_err());
    }

    #[test]
    fn every_phase_gets_the_batch() {
        let edited = with_batch(TEXT, 16).unwrap_or_else(|p| panic!("{}", p.message));
        assert!(edited.contains(
            "train { seed 3 phase one { batch 16 steps 10 } phase two { steps 5 batch 16 } }"
        ));
        let compiled = compile(&edited);
        let phases = &compiled
            .ir
            .train
            .as_ref()
            .map(|t| t.phases.clone())
            .unwrap_or_default();
        assert_eq!(phases.iter().map(|p| p.batch).collect::<Vec<_>>(), [16, 16]);
        assert!(with_batch(TEXT, 0).is_err());
        let shape = without_training(TEXT).unwrap_or_else(|p| panic!("{}", p.message));
        assert!(
            !shape.contains("train")
                && !shape.contains("expect")
                && shape.contains("noise flip 0.1")
        );
        assert!(compile(&shape).ir.train.is_none());
        let no_train = with_batch("model m { level input { a } classes { x <- a } }", 4);
        assert!(no_train.is_err_and(|p| p.message.contains("no `train` block")));
    }
}
