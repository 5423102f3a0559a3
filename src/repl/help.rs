//! The REPL's command reference: one table feeds `:help`, `:help CMD` and completion.

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
        details: "X is a data sample name (`pathway c1a`) or an explicit pattern of level-1 nodes (`pathway {e1 e2}`).",
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
        details: "X needs a label: a sample name or `{e1 e2}->c1`. The update is made on a copy; the session's state does not change. It uses the rules and freezes of the last phase of the file's schedule (the file's rules without a `train` block), whatever phase the session is in, with no jitter and no noise. Undefined when the update does not move X's logits. See docs/language.md, section 13.",
    },
    CommandHelp {
        name: "le-matrix",
        usage: "le-matrix",
        summary: "local elasticity between every pair of data samples (row = base)",
        details: "Also prints the mean per pair of classes. Each update is made like `le`'s: with the last phase's rules, no jitter, no noise.",
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
        details: "Levels are rows, node radius grows with ln lambda; with X (a sample or a pattern {e1 e2}) its pathway is red. `draw c1a fig.svg`.",
    },
    CommandHelp {
        name: "show",
        usage: "show lambda [LEVEL|NODE] | show eta | show data | show rules | show model",
        summary: "the current amplification factors, edge weights, data, rules or the model's text",
        details: "`show lambda parts` shows one level; `show lambda m1` one node.",
    },
    CommandHelp {
        name: "train",
        usage: "train N",
        summary: "N training steps of the file's schedule, continuing where the session is",
        details: "Progress is shown for long runs; Ctrl-C stops early and keeps the steps already taken.",
    },
    CommandHelp {
        name: "step",
        usage: "step [BATCH]",
        summary: "one training step, on a drawn batch or on an explicit one",
        details: "`step` draws a batch as the schedule would; `step {e1 e2}->c1, c2` trains on pattern {e1 e2} with label c1 and on sample c2.",
    },
    CommandHelp {
        name: "set",
        usage: "set lambda NODE = V | set eta F->C = V | set seed N",
        summary: "change one amplification factor, one edge weight, or reseed the random stream",
        details: "V is a number expression such as `1.5` or `1.022^(3/4)`.",
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
        details: "Commands that change the state: train, step, set, reset, :restore.",
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
        details: "A file with errors shows its diagnostics and the old model stays loaded.",
    },
    CommandHelp {
        name: ":reload",
        usage: ":reload",
        summary: "recompile the current file (after editing it)",
        details: "The state restarts from the file's initial state.",
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
        details: "The state must have been saved for the same model source.",
    },
    CommandHelp {
        name: ":help",
        usage: ":help [COMMAND]",
        summary: "this list, or the details of one command",
        details: "Colon commands accept any unambiguous prefix: `:h`, `:q`.",
    },
    CommandHelp {
        name: ":quit",
        usage: ":quit",
        summary: "leave the REPL (Ctrl-D does too)",
        details: "",
    },
];

/// The `:help` page.
pub fn overview() -> String {
    let width = COMMANDS
        .iter()
        .map(|c| c.usage.len())
        .max()
        .unwrap_or(0)
        .min(40);
    let mut out = String::from("Commands (X is a sample name or a pattern like {e1 e2}):\n");
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

pub fn details(c: &CommandHelp) -> String {
    let mut out = format!("{}\n  {}\n", c.usage, c.summary);
    if !c.details.is_empty() {
        out.push_str(&format!("  {}\n", c.details));
    }
    out
}
