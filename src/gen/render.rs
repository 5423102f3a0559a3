//! `Generated` → `.nshed` text, written into one pre-sized `String`.
//!
//! Names: inputs `x0..`, middle level `l` (1-based) is `level hl` with nodes `hl_0..`,
//! classes `c0..`, samples `s0..`. None of these can be a reserved word.

use super::build::{Generated, Rule};
use super::params::GenParams;

/// Names per line in the input level and in long class-parent lists.
const NAMES_PER_LINE: usize = 16;

impl Generated {
    /// The model, its data and (if asked for) its training schedule as `.nshed` text.
    pub fn to_nshed(&self) -> String {
        let mut out = String::with_capacity(self.estimated_text_len());
        self.write_header(&mut out);
        out.push_str("model generated {\n");
        self.write_input_level(&mut out);
        for (i, level) in self.levels.iter().enumerate() {
            let number = i + 2;
            out.push_str("\n  level ");
            out.push_str(&GenParams::level_name(i + 1));
            out.push_str(" {\n");
            for j in 0..level.width() {
                out.push_str("    ");
                push_node(&mut out, number, j);
                out.push_str(" = ");
                match level.rules[j] {
                    Rule::Any => out.push_str("any("),
                    Rule::All => out.push_str("all("),
                    Rule::AtLeast(k) => {
                        out.push_str("atleast ");
                        push_uint(&mut out, k as u64);
                        out.push_str(" of (");
                    }
                }
                for (n, &c) in level.children_of(j).iter().enumerate() {
                    if n > 0 {
                        out.push_str(", ");
                    }
                    self.push_node(&mut out, number - 1, c as usize);
                }
                out.push_str(")\n");
            }
            out.push_str("  }\n");
        }
        self.write_classes(&mut out);
        out.push_str("}\n");
        if self.params.with_train.is_some() {
            // The defaults of SPEC 10, spelled out so that they are easy to edit.
            out.push_str("\ninit {\n  lambda = 1\n  eta = 1\n}\n");
            out.push_str("\nrules {\n  grow = mul 1.1\n  shrink = mul 0.9\n}\n");
        }
        self.write_data(&mut out);
        if let Some((steps, batch)) = self.params.with_train {
            out.push_str("\ntrain {\n  seed ");
            push_uint(&mut out, self.params.seed);
            out.push_str("\n  phase main { steps ");
            push_uint(&mut out, steps);
            out.push_str(" batch ");
            push_uint(&mut out, batch);
            out.push_str(" }\n}\n");
        }
        out
    }

    fn write_header(&self, out: &mut String) {
        let widths: Vec<String> = self.level_widths.iter().map(|w| w.to_string()).collect();
        out.push_str(&format!(
            "// A random layered neurashed model: {} levels of widths {} (inputs first, classes last).\n",
            self.level_widths.len(),
            widths.join(", ")
        ));
        out.push_str("// Made by: ");
        match &self.given {
            None => out.push_str(&self.params.describe()),
            Some(given) => out.push_str(&self.params.describe_on(&given.file)),
        }
        out.push_str("\n\n");
    }

    fn write_input_level(&self, out: &mut String) {
        out.push_str("  level input {");
        for i in 0..self.level_widths[0] {
            out.push_str(if i % NAMES_PER_LINE == 0 { "\n   " } else { "" });
            out.push(' ');
            self.push_node(out, 1, i);
        }
        out.push_str("\n  }\n");
    }

    fn write_classes(&self, out: &mut String) {
        let parent_level = self.level_widths.len() - 1;
        out.push_str("\n  classes {\n");
        for c in 0..self.params.classes {
            out.push_str("    ");
            self.push_class(out, c);
            out.push_str(" <-");
            for (n, &p) in self.parents_of(c).iter().enumerate() {
                if n > 0 {
                    out.push(',');
                    if n % NAMES_PER_LINE == 0 {
                        out.push_str("\n         ");
                    }
                }
                out.push(' ');
                self.push_node(out, parent_level, p as usize);
            }
            out.push('\n');
        }
        out.push_str("  }\n");
    }

    fn write_data(&self, out: &mut String) {
        out.push_str("\ndata {\n");
        if let Some(given) = &self.given {
            // The data file's path is written as given: it is read from the model's folder.
            out.push_str("  from \"");
            out.push_str(&given.file);
            out.push_str("\"\n}\n");
            return;
        }
        let k = self.params.prototypes_per_class;
        let mut current_prototype = u32::MAX;
        for (n, sample) in self.samples.iter().enumerate() {
            if sample.prototype != current_prototype {
                current_prototype = sample.prototype;
                out.push_str("  // class c");
                push_uint(out, sample.class as u64);
                out.push_str(", prototype ");
                push_uint(out, (sample.prototype as usize % k) as u64);
                out.push('\n');
            }
            out.push_str("  ");
            push_name(out, "s", n);
            out.push(':');
            for &i in &sample.inputs {
                out.push(' ');
                push_node(out, 1, i as usize);
            }
            out.push_str(" -> ");
            push_name(out, "c", sample.class as usize);
            out.push('\n');
        }
        out.push_str("}\n");
    }

    /// Writes the name of node `index` of level `level` (1-based; 1 is the input level).
    fn push_node(&self, out: &mut String, level: usize, index: usize) {
        match &self.given {
            Some(given) if level == 1 => out.push_str(&given.inputs[index]),
            _ => push_node(out, level, index),
        }
    }

    fn push_class(&self, out: &mut String, class: usize) {
        match &self.given {
            Some(given) => out.push_str(&given.classes[class]),
            None => push_name(out, "c", class),
        }
    }

    /// A slight over-estimate of the text length, so that `out` never reallocates.
    fn estimated_text_len(&self) -> usize {
        let names: usize = self.given.as_ref().map_or(0, |g| {
            g.file.len() * 2
                + g.inputs
                    .iter()
                    .chain(&g.classes)
                    .map(String::len)
                    .sum::<usize>()
        });
        let digits = 8 + self.given.as_ref().map_or(0, |g| {
            g.inputs
                .iter()
                .chain(&g.classes)
                .map(String::len)
                .max()
                .unwrap_or(0)
        }); // generous: `h12_123456` is 10 bytes, most names are shorter
        let children: usize = self.levels.iter().map(|l| l.children.len()).sum();
        let nodes: usize = self.level_widths.iter().sum();
        let sample_inputs: usize = self.samples.iter().map(|s| s.inputs.len()).sum();
        2048 + names
            + nodes * (digits + 24)
            + children * (digits + 4)
            + self.class_parents.len() * (digits + 14)
            + sample_inputs * (digits + 2)
            + self.samples.len() * 32
            + self.prototypes.len() * 40
    }
}

/// Writes the name of node `index` of level `level` (1-based; 1 is the input level).
fn push_node(out: &mut String, level: usize, index: usize) {
    if level == 1 {
        push_name(out, "x", index);
    } else {
        out.push('h');
        push_uint(out, level as u64);
        out.push('_');
        push_uint(out, index as u64);
    }
}

fn push_name(out: &mut String, prefix: &str, index: usize) {
    out.push_str(prefix);
    push_uint(out, index as u64);
}

/// Decimal digits without going through `fmt` (this is the generator's inner loop).
fn push_uint(out: &mut String, mut n: u64) {
    let mut buf = [0u8; 20];
    let mut at = buf.len();
    loop {
        at -= 1;
        buf[at] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    // Only ASCII digits were written.
    out.extend(buf[at..].iter().map(|&b| b as char));
}

#[cfg(test)]
mod tests {
    use super::push_uint;

    #[test]
    fn writes_decimal_numbers() {
        for n in [0u64, 7, 10, 1234567890, u64::MAX] {
            let mut s = String::new();
            push_uint(&mut s, n);
            assert_eq!(s, n.to_string());
        }
    }
}
