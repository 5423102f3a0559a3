//! The REPL's command reference: one table feeds `:help`, `:help CMD` and completion.
//! Examples in the texts name things by placeholder (`$sample`, `$inputs`, `$class`,
//! `$level`, `$node`, `$edge`, `$other`), filled with the loaded model's names ([`Names`]).

use nshed::ir::Ir;

/// One command of the REPL.
pub struct CommandHelp {
    pub name: &'static str,
    pub usage: &'static str,
    pub summary: &'static str,
    pub details: &'static str,
}

pub const COMMANDS: &[CommandHelp] = &[
    CommandHelp {
        name: "pathway",
        usage: "pathway X",
        summary: "the firing nodes of input X, level by level",
        details: "X is a data sample name or an explicit pattern of level-1 nodes: `pathway $sample`, `pathway {$inputs}`.",
    },
    CommandHelp {
        name: "scores",
        usage: "scores X",
        summary: "the score of every firing node, the logits, probabilities and predicted class of X",
        details: "Scores are S = lambda for a firing input node and lambda * (sum of the firing children's scores) above it.",
    },
    CommandHelp {
        name: "predict",
        usage: "predict X",
        summary: "the probabilities and the predicted class of X",
        details: "Ties go to the class declared first.",
    },
    CommandHelp {
        name: "le",
        usage: "le X Y",
        summary: "local elasticity: how much one update at X moves the logits of Y, relative to X's own",
        details: "X needs a label: a sample name or `{$inputs}->$class`. The update is made on a copy; the session's state does not change. It uses the rules and freezes of the last phase of the file's schedule (the file's rules without a `train` block), whatever phase the session is in, with no jitter and no noise. Undefined when the update does not move X's logits. See docs/language.md, section 13.",
    },
    CommandHelp {
        name: "le-matrix",
        usage: "le-matrix",
        summary: "local elasticity between every pair of data samples (row = base)",
        details: "Also prints the mean per pair of classes. Each update is made like `le`'s: with the last phase's rules, no jitter, no noise.",
    },
    CommandHelp {
        name: "accuracy",
        usage: "accuracy [test]",
        summary: "the share of the data samples (or with `test`, of the test samples) predicted as their label",
        details: "Unweighted; a sample that reaches no class counts as wrong. `accuracy test` needs a `test { ... }` block in the model.",
    },
    CommandHelp {
        name: "loss",
        usage: "loss [test]",
        summary: "the mean of -ln p(label) over the data samples (or with `test`, the test samples)",
        details: "Cross-entropy, unweighted; p is uniform for a sample that reaches no class, and the loss is `inf` when a label has probability 0.",
    },
    CommandHelp {
        name: "info-plane",
        usage: "info-plane [binning [BINS] | noise SIGMA] [scores | lambda]",
        summary: "mutual information I(X;T) and I(T;Y) of every level at the current state, in bits",
        details: "Default: 30 bins, T = the level's scores normalised by their largest value over the level and the data. `lambda` uses the lambda of the firing nodes instead; `noise 0.1` the Gaussian-noise estimator. Train and ask again to follow a level through the information plane; `nshed info-plane FILE` records the whole curve. See docs/language.md, section 14.",
    },
    CommandHelp {
        name: "draw",
        usage: "draw [X] PATH",
        summary: "draw the model at the current state to PATH (SVG; DOT if PATH ends in .dot or .gv)",
        details: "Levels are rows, node radius grows with ln lambda over the model's range; with X (a sample or a pattern {$inputs}) its pathway is red. `draw $sample fig.svg`.",
    },
    CommandHelp {
        name: "show",
        usage: "show lambda [LEVEL|NODE] | show eta | show data | show rules | show model",
        summary: "the current amplification factors, edge weights, data, rules or the model's text",
        details: "`show lambda $level` shows one level; `show lambda $node` one node.",
    },
    CommandHelp {
        name: "train",
        usage: "train N",
        summary: "N training steps of the file's schedule, continuing where the session is",
        details: "Without N: to the end of the schedule. Past the schedule, steps continue like its last phase's; a model with data but no `train` block takes N steps with every default (batch 1, sampler replace, eta update union, the file's rules). Progress is shown for long runs; Ctrl-C stops early and keeps the steps already taken.",
    },
    CommandHelp {
        name: "step",
        usage: "step [BATCH]",
        summary: "one training step, on a drawn batch or on an explicit one",
        details: "`step` draws a batch as the schedule would; `step {$inputs}->$class, $other` trains on the pattern {$inputs} with label $class and on $other. Either way it uses the current phase's rules and counts towards that phase, as a drawn step does: `train` then finishes the steps the schedule has left.",
    },
    CommandHelp {
        name: "set",
        usage: "set lambda NODE = V | set eta F->C = V | set seed N",
        summary: "change one amplification factor, one edge weight, or reseed the random stream",
        details: "V is a number expression such as `1.5` or `1.022^(3/4)`: `set lambda $node = 1.5`, `set eta $edge = 0.5`.",
    },
    CommandHelp {
        name: "reset",
        usage: "reset",
        summary: "back to the initial state (step 0)",
        details: "Undo brings back the state before the reset.",
    },
    CommandHelp {
        name: "undo",
        usage: "undo",
        summary: "take back the last command that changed the state",
        details: "Commands that change the state: train, step, set, reset, :restore; undo after :load or :reload goes back to the model and state before it.",
    },
    CommandHelp {
        name: "history",
        usage: "history",
        summary: "the training steps taken in this session",
        details: "One line per command that trained: which steps, which phase, which batches.",
    },
    CommandHelp {
        name: ":load",
        usage: ":load FILE",
        summary: "compile FILE and start a session on it",
        details: "A file with errors shows its diagnostics and the model loaded before stays (or none): fix the file and `:reload`. `undo` goes back to the session before the load.",
    },
    CommandHelp {
        name: ":reload",
        usage: ":reload",
        summary: "recompile the current file (after editing it)",
        details: "The session restarts at step 0 from the file's initial state, with an empty history; `undo` goes back to the session before the reload. A file with errors keeps the model loaded before.",
    },
    CommandHelp {
        name: ":save",
        usage: ":save STATE.json",
        summary: "save the full state (model hash, lambda, eta, step, random stream) atomically",
        details: "A restored session continues exactly as this one would.",
    },
    CommandHelp {
        name: ":restore",
        usage: ":restore STATE.json",
        summary: "restore a state saved with :save",
        details: "The state must have been saved for the same model source. The history then starts at the restored step; `undo` goes back to the state before the restore.",
    },
    CommandHelp {
        name: ":help",
        usage: ":help [COMMAND]",
        summary: "this list, or the details of one command",
        details: "Also written `help` and `help COMMAND`. Colon commands accept any unambiguous prefix: `:h`, `:q`.",
    },
    CommandHelp {
        name: ":quit",
        usage: ":quit",
        summary: "leave the REPL (Ctrl-D does too)",
        details: "",
    },
];

/// The names help examples use: the loaded model's, or fig1's without one.
#[derive(Clone, Debug, PartialEq)]
pub struct Names {
    /// A data sample, and another one.
    pub sample: String,
    pub other: String,
    /// Input nodes of a pattern, space-separated (`e1 e2`).
    pub inputs: String,
    pub class: String,
    /// A level above the input level, and a node of it.
    pub level: String,
    pub node: String,
    /// A class edge `F->C`.
    pub edge: String,
}

impl Names {
    /// The names of fig1, the paper's model (`examples/fig1.nshed`).
    pub fn fig1() -> Names {
        Names {
            sample: "c1a".into(),
            other: "c2".into(),
            inputs: "e1 e2".into(),
            class: "c1".into(),
            level: "parts".into(),
            node: "m1".into(),
            edge: "t1->c2".into(),
        }
    }

    /// Names from `ir` (fig1's where the model has none of a kind).
    pub fn of(ir: Option<&Ir>) -> Names {
        let fig1 = Names::fig1();
        let Some(ir) = ir else {
            return fig1;
        };
        let samples = &ir.data.samples;
        let first_sample = samples.first();
        // A pattern: the first sample's input, else the first two input nodes.
        let inputs: Vec<&str> = match first_sample {
            Some(s) => s
                .input
                .iter()
                .take(2)
                .map(|&n| ir.nodes[n as usize].name.as_str())
                .collect(),
            None => ir
                .levels
                .first()
                .map(|l| {
                    l.node_ids()
                        .take(2)
                        .map(|n| ir.nodes[n as usize].name.as_str())
                        .collect()
                })
                .unwrap_or_default(),
        };
        let level = ir.levels.get(1).or(ir.levels.first());
        let node = level.and_then(|l| l.node_ids().next());
        let class = first_sample
            .map(|s| s.label as usize)
            .and_then(|c| ir.classes.get(c))
            .or(ir.classes.first());
        let class = class.map_or(fig1.class, |c| c.name.clone());
        // Without data, inputs are patterns: `{a}` and `{a b}->C`.
        let first_input = inputs.first().map(|n| format!("{{{n}}}"));
        let inputs = if inputs.is_empty() {
            fig1.inputs
        } else {
            inputs.join(" ")
        };
        Names {
            sample: first_sample
                .map(|s| s.name.clone())
                .or(first_input)
                .unwrap_or(fig1.sample),
            other: samples
                .get(1)
                .or(first_sample)
                .map_or_else(|| format!("{{{inputs}}}->{class}"), |s| s.name.clone()),
            inputs,
            class,
            level: level.map_or(fig1.level, |l| l.name.clone()),
            node: node.map_or(fig1.node, |n| ir.nodes[n as usize].name.to_string()),
            edge: if ir.edges.is_empty() {
                fig1.edge
            } else {
                nshed::report::edge_name(ir, 0)
            },
        }
    }

    /// `text` with its placeholders filled in.
    pub fn fill(&self, text: &str) -> String {
        text.replace("$sample", &self.sample)
            .replace("$other", &self.other)
            .replace("$inputs", &self.inputs)
            .replace("$class", &self.class)
            .replace("$level", &self.level)
            .replace("$node", &self.node)
            .replace("$edge", &self.edge)
    }
}

/// The `:help` page.
pub fn overview(names: &Names) -> String {
    let width = COMMANDS
        .iter()
        .map(|c| c.usage.len())
        .max()
        .unwrap_or(0)
        .min(40);
    let mut out =
        names.fill("Commands (X is a sample name like $sample or a pattern like {$inputs}):\n");
    for c in COMMANDS {
        if c.usage.len() > width {
            out.push_str(&format!("  {}\n  {:width$}  {}\n", c.usage, "", c.summary));
        } else {
            out.push_str(&format!("  {:width$}  {}\n", c.usage, c.summary));
        }
    }
    out.push_str("Colon commands accept unambiguous prefixes (:h, :q). Tab completes names.\n");
    out
}

/// `:help NAME` (with or without the colon).
pub fn lookup(name: &str) -> Option<&'static CommandHelp> {
    let bare = name.trim_start_matches(':');
    COMMANDS
        .iter()
        .find(|c| c.name == name || c.name.trim_start_matches(':') == bare)
}

pub fn details(c: &CommandHelp, names: &Names) -> String {
    let mut out = format!("{}\n  {}\n", c.usage, c.summary);
    if !c.details.is_empty() {
        out.push_str(&format!("  {}\n", names.fill(c.details)));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::COMMANDS;

    /// The help is user-facing text: like the docs (`tests/integration/docs_reference.rs`
    /// holds those), it stands alone and names no internal specification or seed paper.
    #[test]
    fn help_names_no_internal_specification_or_seed_paper() {
        for command in COMMANDS {
            let text = [command.usage, command.summary, command.details].join("\n");
            let lower = text.to_lowercase();
            for internal in ["seed 00", "seeds/", "seed paper"] {
                assert!(!lower.contains(internal), "`{}`: {text}", command.name);
            }
            assert!(!text.contains("SPEC"), "`{}`: {text}", command.name);
        }
    }
}
