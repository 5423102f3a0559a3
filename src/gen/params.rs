//! What to generate, and the checks that make every accepted `GenParams` produce a model
//! the compiler accepts.

use std::fmt;

/// Most nodes a generated model may have (node indices are `u32`; the text of a
/// 10^7-node model is already a few hundred megabytes).
pub const MAX_NODES: usize = 10_000_000;
/// Most child links over all middle nodes (bounds memory and output size).
pub const MAX_CHILD_LINKS: usize = 100_000_000;
/// Most data samples (classes × prototypes × samples per prototype).
pub const MAX_SAMPLES: usize = 1_000_000;
/// Most bits of the table of which samples fire which node of a level (the generator
/// wires from the data and holds two such tables, of 128 MiB at most each).
pub const MAX_FIRING_BITS: usize = 1 << 30;

/// Widths of the feature levels (levels 2..L-1).
#[derive(Clone, Debug, PartialEq)]
pub enum Widths {
    /// Every feature level has this many nodes.
    Uniform(usize),
    /// One width per feature level, in order (exactly `levels - 2` of them).
    PerLevel(Vec<usize>),
}

/// Relative weights of the three gate kinds for middle nodes.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RuleMix {
    pub any: f64,
    pub all: f64,
    pub atleast: f64,
}

impl Default for RuleMix {
    fn default() -> Self {
        RuleMix {
            any: 1.0,
            all: 1.0,
            atleast: 1.0,
        }
    }
}

impl fmt::Display for RuleMix {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "any={},all={},atleast={}",
            self.any, self.all, self.atleast
        )
    }
}

/// Everything that decides a generated model. Same parameters → same text.
#[derive(Clone, Debug, PartialEq)]
pub struct GenParams {
    /// Number of levels `L >= 2`, counting the input level and the class level.
    pub levels: usize,
    pub widths: Widths,
    /// Number of level-1 (input) nodes.
    pub input_width: usize,
    /// Inclusive range of children per middle node. The upper end is cut to the width of
    /// the preceding level (a node cannot have more distinct children than exist).
    pub fan_in: (usize, usize),
    pub mix: RuleMix,
    pub classes: usize,
    /// Prototype input patterns per class (`K`).
    pub prototypes_per_class: usize,
    /// Input nodes firing in each prototype pattern.
    pub pattern_size: usize,
    pub samples_per_prototype: usize,
    /// Probability that each input bit of a prototype flips when a sample is made from it.
    pub noise: f64,
    pub seed: u64,
    /// `Some((steps, batch))` adds `init`, `rules` and a one-phase `train` block.
    pub with_train: Option<(u64, u64)>,
}

impl Default for GenParams {
    fn default() -> Self {
        GenParams {
            levels: 4,
            widths: Widths::Uniform(32),
            input_width: 64,
            fan_in: (2, 4),
            mix: RuleMix::default(),
            classes: 4,
            prototypes_per_class: 2,
            pattern_size: 8,
            samples_per_prototype: 4,
            noise: 0.05,
            seed: 0,
            with_train: None,
        }
    }
}

/// A parameter value that cannot make a valid model. The message names the parameter
/// and says what would be accepted.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[error("{message}")]
pub struct GenError {
    pub message: String,
}

fn bad(message: impl Into<String>) -> GenError {
    GenError {
        message: message.into(),
    }
}

impl GenParams {
    /// Width of each level, input level first, class level last.
    pub fn level_widths(&self) -> Vec<usize> {
        let mut out = Vec::with_capacity(self.levels.max(2));
        out.push(self.input_width);
        match &self.widths {
            Widths::Uniform(w) => {
                out.extend(std::iter::repeat_n(*w, self.levels.saturating_sub(2)))
            }
            Widths::PerLevel(ws) => out.extend(ws.iter().copied()),
        }
        out.push(self.classes);
        out
    }

    /// Name of the level at 0-based position `index` (classes have no level name).
    pub fn level_name(index: usize) -> String {
        if index == 0 {
            "input".to_string()
        } else {
            format!("h{}", index + 1)
        }
    }

    /// Checks every parameter; the first problem found is returned.
    pub fn validate(&self) -> Result<(), GenError> {
        if self.levels < 2 {
            return Err(bad(format!(
                "levels must be at least 2 (the input level and the class level), got {}",
                self.levels
            )));
        }
        let n_feature = self.levels - 2;
        match &self.widths {
            Widths::Uniform(0) if n_feature > 0 => {
                return Err(bad("width must be at least 1"));
            }
            Widths::Uniform(_) => {}
            Widths::PerLevel(ws) => {
                if ws.len() != n_feature {
                    return Err(bad(format!(
                        "{} levels have {} feature level{} (levels 2..{}), but {} width{} {} given",
                        self.levels,
                        n_feature,
                        if n_feature == 1 { "" } else { "s" },
                        self.levels - 1,
                        ws.len(),
                        if ws.len() == 1 { "" } else { "s" },
                        if ws.len() == 1 { "was" } else { "were" },
                    )));
                }
                if let Some(pos) = ws.iter().position(|&w| w == 0) {
                    return Err(bad(format!(
                        "every width must be at least 1, but the width of level {} is 0",
                        pos + 2
                    )));
                }
            }
        }
        if self.input_width == 0 {
            return Err(bad("inputs must be at least 1"));
        }
        if self.classes == 0 {
            return Err(bad("classes must be at least 1"));
        }
        let total = self.total_nodes().ok_or_else(|| {
            bad(format!(
                "the model would have more than {MAX_NODES} nodes; use fewer levels or smaller widths"
            ))
        })?;
        if total > MAX_NODES {
            return Err(bad(format!(
                "the model would have {total} nodes, more than the limit of {MAX_NODES}"
            )));
        }
        let (lo, hi) = self.fan_in;
        if lo == 0 || lo > hi {
            return Err(bad(format!(
                "fan-in must be a range MIN..MAX with 1 <= MIN <= MAX, got {lo}..{hi}"
            )));
        }
        let widths = self.level_widths();
        // Middle nodes of level i (0-based, 1..levels-2) draw children from level i-1.
        for i in 1..self.levels - 1 {
            if lo > widths[i - 1] {
                return Err(bad(format!(
                    "fan-in minimum {lo} exceeds the width {} of level {} (`{}`), whose nodes are the children of level {}",
                    widths[i - 1],
                    i,
                    Self::level_name(i - 1),
                    i + 1
                )));
            }
        }
        let mut links: usize = 0;
        for i in 1..self.levels - 1 {
            let per_node = hi.min(widths[i - 1]);
            links = links.saturating_add(widths[i].saturating_mul(per_node));
        }
        if links > MAX_CHILD_LINKS {
            return Err(bad(format!(
                "the middle nodes could have up to {links} child links, more than the limit of \
                 {MAX_CHILD_LINKS}; lower the fan-in maximum or the widths"
            )));
        }
        let m = self.mix;
        for (name, w) in [("any", m.any), ("all", m.all), ("atleast", m.atleast)] {
            if !w.is_finite() || w < 0.0 {
                return Err(bad(format!(
                    "rule mix weight {name}={w} must be a finite number >= 0"
                )));
            }
        }
        if m.any + m.all + m.atleast <= 0.0 {
            return Err(bad(
                "the rule mix needs at least one positive weight (e.g. any=1,all=1,atleast=1)",
            ));
        }
        if self.prototypes_per_class == 0 {
            return Err(bad("prototypes per class must be at least 1"));
        }
        if self.samples_per_prototype == 0 {
            return Err(bad("samples per prototype must be at least 1"));
        }
        let n_samples = self
            .classes
            .checked_mul(self.prototypes_per_class)
            .and_then(|n| n.checked_mul(self.samples_per_prototype));
        match n_samples {
            Some(n) if n <= MAX_SAMPLES => {}
            _ => {
                return Err(bad(format!(
                    "classes × prototypes × samples per prototype must be at most {MAX_SAMPLES}"
                )))
            }
        }
        let n_samples = self.classes * self.prototypes_per_class * self.samples_per_prototype;
        let widest = self.level_widths().into_iter().max().unwrap_or(0);
        let bits = n_samples
            .div_ceil(64)
            .saturating_mul(64)
            .saturating_mul(widest);
        if bits > MAX_FIRING_BITS {
            return Err(bad(format!(
                "{n_samples} samples on levels of up to {widest} nodes are too many to wire from \
                 (the generator tracks which samples fire each node: samples × widest level \
                 must be at most {MAX_FIRING_BITS}); use fewer samples or narrower levels"
            )));
        }
        if self.pattern_size == 0 || self.pattern_size > self.input_width {
            return Err(bad(format!(
                "pattern size must be between 1 and the number of inputs ({}), got {}",
                self.input_width, self.pattern_size
            )));
        }
        if !(0.0..=1.0).contains(&self.noise) {
            return Err(bad(format!(
                "noise is a probability and must be between 0 and 1, got {}",
                self.noise
            )));
        }
        if let Some((_, batch)) = self.with_train {
            crate::ir::validate_batch(batch).map_err(bad)?;
        }
        Ok(())
    }

    /// Total node count including inputs and classes, `None` on overflow.
    pub fn total_nodes(&self) -> Option<usize> {
        let feature = match &self.widths {
            Widths::Uniform(w) => w.checked_mul(self.levels.saturating_sub(2))?,
            Widths::PerLevel(ws) => ws.iter().try_fold(0usize, |acc, &w| acc.checked_add(w))?,
        };
        feature
            .checked_add(self.input_width)?
            .checked_add(self.classes)
    }

    /// The `--width`/`--widths` flags of the feature levels (none for two levels).
    fn width_flags(&self) -> String {
        match &self.widths {
            _ if self.levels <= 2 => String::new(),
            Widths::Uniform(w) => format!(" --width {w}"),
            Widths::PerLevel(ws) => {
                let list: Vec<String> = ws.iter().map(|w| w.to_string()).collect();
                format!(" --widths {}", list.join(","))
            }
        }
    }

    /// A one-line description, written as a comment at the top of the generated file so
    /// that it says how to make it again.
    pub fn describe(&self) -> String {
        let widths = self.width_flags();
        let mut s = format!(
            "nshed gen --levels {}{} --inputs {} --fan-in {}..{} --mix {} --classes {} \
             --prototypes {} --pattern-size {} --samples-per-prototype {} --noise {} --seed {}",
            self.levels,
            widths,
            self.input_width,
            self.fan_in.0,
            self.fan_in.1,
            self.mix,
            self.classes,
            self.prototypes_per_class,
            self.pattern_size,
            self.samples_per_prototype,
            self.noise,
            self.seed
        );
        if let Some((steps, batch)) = self.with_train {
            s.push_str(&format!(" --steps {steps} --batch {batch}"));
        }
        s
    }

    /// The command line that wires the same levels from the data file `file` (inputs,
    /// classes and samples come from the file, so only the shape is spelled out).
    pub fn describe_on(&self, file: &str) -> String {
        let widths = self.width_flags();
        let mut s = format!(
            "nshed gen --data {file} --levels {}{} --fan-in {}..{} --mix {} --seed {}",
            self.levels, widths, self.fan_in.0, self.fan_in.1, self.mix, self.seed
        );
        if let Some((steps, batch)) = self.with_train {
            s.push_str(&format!(" --steps {steps} --batch {batch}"));
        }
        s
    }
}
