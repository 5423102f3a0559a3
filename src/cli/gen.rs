//! `nshed gen`: write a random layered model (with data) as `.nshed` text.
//!
//! Flag values are parsed by the small parsers below (clap reports their errors with exit
//! code 2); combinations are then checked by `GenParams::validate`, whose errors also exit
//! with code 2. The output goes to stdout, or atomically to `-o PATH`.

use clap::Args;

use super::output::{print_stdout, write_file};
use super::{CliError, Ctx};
use nshed::gen::{self, GenParams, RuleMix, Widths};

#[derive(Args, Debug)]
pub struct GenArgs {
    /// Number of levels L >= 2, counting the input level and the class level.
    #[arg(long, default_value_t = 4, value_name = "N")]
    levels: usize,
    /// Width of every feature level (levels 2..L-1).
    #[arg(long, value_name = "W", conflicts_with_all = ["widths", "nodes"])]
    width: Option<usize>,
    /// Widths of the feature levels, one per level: `--widths 20,30,30` for L = 5.
    #[arg(long, value_name = "W,W,..", value_parser = parse_widths, conflicts_with = "nodes")]
    widths: Option<WidthList>,
    /// Number of input (level-1) nodes.
    #[arg(long, value_name = "N", conflicts_with = "nodes")]
    inputs: Option<usize>,
    /// Children per middle node: `MIN..MAX` or a single number.
    #[arg(long, value_name = "MIN..MAX", value_parser = parse_fan_in, conflicts_with = "nodes")]
    fan_in: Option<(usize, usize)>,
    /// Relative weights of the gate kinds, e.g. `any=1,all=1,atleast=1` (missing kinds get 0).
    #[arg(long, value_name = "KIND=W,..", value_parser = parse_mix, conflicts_with = "nodes")]
    mix: Option<RuleMix>,
    /// Number of classes (level L).
    #[arg(long, value_name = "C", conflicts_with = "nodes")]
    classes: Option<usize>,
    /// Prototype input patterns per class.
    #[arg(long, value_name = "K", conflicts_with = "nodes")]
    prototypes: Option<usize>,
    /// Input nodes firing in each prototype pattern [default: inputs / 8, at least 1].
    #[arg(long, value_name = "P", conflicts_with = "nodes")]
    pattern_size: Option<usize>,
    /// Noisy samples made from each prototype.
    #[arg(long, value_name = "S", conflicts_with = "nodes")]
    samples_per_prototype: Option<usize>,
    /// Probability that each input bit of a prototype flips in a sample, in [0, 1].
    #[arg(long, value_name = "Q", value_parser = parse_probability, conflicts_with = "nodes")]
    noise: Option<f64>,
    /// Seed of the generator (same seed and flags → same file); also the train seed.
    #[arg(long, default_value_t = 0, value_name = "N")]
    seed: u64,
    /// Add `init`, `rules` and a one-phase `train` block with this many steps
    /// [default when --batch is given: 1000].
    #[arg(long, value_name = "T")]
    steps: Option<u64>,
    /// Batch size of the `train` phase [default when --steps is given: 8].
    #[arg(long, value_name = "B", value_parser = parse_batch)]
    batch: Option<u64>,
    /// Pick widths, fan-in 3..5, mix and patterns for about this many nodes in total, with
    /// about 5% of nodes firing per sample (only --levels, --seed, --steps, --batch apply).
    #[arg(long, value_name = "N", value_parser = parse_nodes)]
    nodes: Option<usize>,
    /// Wire the levels from the labelled rows of this CSV file (header: `label`, optional
    /// `name`, and one 0/1 column per input node) instead of generated data: inputs and
    /// classes come from the file, and the model reads its data with
    /// `data { from "FILE" }` (the path written as given: run from the model's folder).
    #[arg(long, value_name = "FILE.csv", conflicts_with_all = [
        "inputs", "classes", "prototypes", "pattern_size", "samples_per_prototype", "noise", "nodes"
    ])]
    data: Option<String>,
    /// Write to this file (atomically: a temporary file in the same directory, then a
    /// rename) instead of standard output.
    #[arg(short = 'o', long = "output", value_name = "PATH")]
    output: Option<String>,
    #[arg(long, help = super::args::FORCE_HELP)]
    force: bool,
}

/// `--widths 20,30,30` (a newtype: clap would read `Option<Vec<_>>` as a repeatable flag).
#[derive(Clone, Debug, PartialEq)]
struct WidthList(Vec<usize>);

impl GenArgs {
    fn params(&self) -> GenParams {
        let train = match (self.steps, self.batch) {
            (None, None) => None,
            (steps, batch) => Some((steps.unwrap_or(1000), batch.unwrap_or(8))),
        };
        if let Some(nodes) = self.nodes {
            let mut p = gen::sized_params(nodes, self.levels, self.seed);
            // The sized model always has a schedule; explicit flags adjust it.
            let (steps, batch) = p.with_train.unwrap_or((1000, 8));
            p.with_train = Some((self.steps.unwrap_or(steps), self.batch.unwrap_or(batch)));
            return p;
        }
        let defaults = GenParams::default();
        let inputs = self.inputs.unwrap_or(defaults.input_width);
        let widths = match (&self.widths, self.width) {
            (Some(ws), _) => Widths::PerLevel(ws.0.clone()),
            (None, Some(w)) => Widths::Uniform(w),
            (None, None) => defaults.widths,
        };
        GenParams {
            levels: self.levels,
            widths,
            input_width: inputs,
            fan_in: self.fan_in.unwrap_or(defaults.fan_in),
            mix: self.mix.unwrap_or(defaults.mix),
            classes: self.classes.unwrap_or(defaults.classes),
            prototypes_per_class: self.prototypes.unwrap_or(defaults.prototypes_per_class),
            pattern_size: self.pattern_size.unwrap_or((inputs / 8).max(1)),
            samples_per_prototype: self
                .samples_per_prototype
                .unwrap_or(defaults.samples_per_prototype),
            noise: self.noise.unwrap_or(defaults.noise),
            seed: self.seed,
            with_train: train,
        }
    }
}

pub fn run(ctx: &Ctx, args: &GenArgs) -> Result<(), CliError> {
    ctx.force(args.force);
    if let Some(path) = &args.output {
        // Before the work: generating a large model takes a while.
        super::output::check_output_path(ctx, path)?;
    }
    let params = args.params();
    let built = match &args.data {
        None => gen::build(&params),
        Some(file) => {
            let text = read_data(file)?;
            gen::GivenData::from_csv(&text, file).and_then(|data| gen::build_on(&params, &data))
        }
    };
    let text = built
        .map_err(|e| {
            CliError::usage(
                format!("cannot generate a model: {e}"),
                "see nshed gen --help for the shape options",
            )
        })?
        .to_nshed();
    match &args.output {
        None => print_stdout(&text),
        Some(path) => write_file(ctx, path, text.as_bytes()),
    }
}

/// The data file of `--data`, through the bounded reader.
fn read_data(file: &str) -> Result<String, CliError> {
    let bytes = nshed::fsio::Input::open(
        std::path::Path::new(file),
        nshed::fsio::Accept::Any,
        nshed::source::MAX_SOURCE_BYTES,
        "a data file",
    )
    .and_then(nshed::fsio::Input::read_all)
    .map_err(|e| {
        CliError::usage(
            format!("cannot read `{file}`: {e}"),
            "give the path of a CSV file with a header row",
        )
    })?;
    String::from_utf8(bytes)
        .map_err(|_| CliError::usage(format!("`{file}` is not UTF-8"), "save the file as UTF-8"))
}

fn parse_count(s: &str, what: &str) -> Result<usize, String> {
    s.trim()
        .parse::<usize>()
        .map_err(|_| format!("`{s}` is not a {what} (a whole number >= 0)"))
}

fn parse_widths(s: &str) -> Result<WidthList, String> {
    if s.trim().is_empty() {
        return Err("give one width per feature level, e.g. `20,30,30`".into());
    }
    s.split(',')
        .map(|w| parse_count(w, "width"))
        .collect::<Result<_, _>>()
        .map(WidthList)
}

pub(super) fn parse_fan_in(s: &str) -> Result<(usize, usize), String> {
    let (lo, hi) = match s.split_once("..") {
        Some((lo, hi)) => (
            parse_count(lo, "fan-in minimum")?,
            parse_count(hi.strip_prefix('=').unwrap_or(hi), "fan-in maximum")?,
        ),
        None => {
            let k = parse_count(s, "fan-in")?;
            (k, k)
        }
    };
    if lo == 0 || lo > hi {
        return Err(format!(
            "fan-in `{s}` must be MIN..MAX with 1 <= MIN <= MAX (e.g. `2..4`)"
        ));
    }
    Ok((lo, hi))
}

fn parse_mix(s: &str) -> Result<RuleMix, String> {
    let mut mix = RuleMix {
        any: 0.0,
        all: 0.0,
        atleast: 0.0,
    };
    for part in s.split(',') {
        let (kind, weight) = part
            .split_once('=')
            .ok_or_else(|| format!("`{part}` is not KIND=WEIGHT (e.g. `any=1`)"))?;
        let weight: f64 = weight
            .trim()
            .parse()
            .ok()
            .filter(|w: &f64| w.is_finite() && *w >= 0.0)
            .ok_or_else(|| format!("weight `{weight}` of `{kind}` must be a number >= 0"))?;
        match kind.trim() {
            "any" => mix.any = weight,
            "all" => mix.all = weight,
            "atleast" => mix.atleast = weight,
            other => {
                return Err(format!(
                    "unknown gate kind `{other}` (expected any, all or atleast)"
                ))
            }
        }
    }
    if mix.any + mix.all + mix.atleast <= 0.0 {
        return Err("at least one weight must be positive".into());
    }
    Ok(mix)
}

pub(super) fn parse_probability(s: &str) -> Result<f64, String> {
    s.trim()
        .parse::<f64>()
        .ok()
        .filter(|q| (0.0..=1.0).contains(q))
        .ok_or_else(|| format!("`{s}` is not a probability (a number between 0 and 1)"))
}

pub(super) fn parse_batch(s: &str) -> Result<u64, String> {
    match s.trim().parse::<u64>() {
        Ok(0) => Err("batch must be at least 1".into()),
        Ok(b) => Ok(b),
        Err(_) => Err(format!("`{s}` is not a batch size (a whole number >= 1)")),
    }
}

fn parse_nodes(s: &str) -> Result<usize, String> {
    let n = parse_count(s, "node count")?;
    if n == 0 || n > gen::MAX_NODES {
        return Err(format!(
            "node count must be between 1 and {}, got {n}",
            gen::MAX_NODES
        ));
    }
    Ok(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fan_in_forms() {
        assert_eq!(parse_fan_in("2..4"), Ok((2, 4)));
        assert_eq!(parse_fan_in("2..=4"), Ok((2, 4)));
        assert_eq!(parse_fan_in("3"), Ok((3, 3)));
        assert!(parse_fan_in("4..2").is_err());
        assert!(parse_fan_in("0..2").is_err());
        assert!(parse_fan_in("a..b").is_err());
    }

    #[test]
    fn mix_forms() {
        let m = parse_mix("any=1,atleast=2.5").unwrap();
        assert_eq!((m.any, m.all, m.atleast), (1.0, 0.0, 2.5));
        assert!(parse_mix("any=0").is_err());
        assert!(parse_mix("most=1").is_err());
        assert!(parse_mix("any=-1").is_err());
        assert!(parse_mix("any=NaN").is_err());
        assert!(parse_mix("any").is_err());
    }

    #[test]
    fn other_values() {
        assert_eq!(parse_widths("20,30,30"), Ok(WidthList(vec![20, 30, 30])));
        assert!(parse_widths("20,,30").is_err());
        assert!(parse_probability("1.5").is_err());
        assert!(parse_probability("nan").is_err());
        assert_eq!(parse_probability("0.25"), Ok(0.25));
        assert!(parse_batch("0").is_err());
        assert!(parse_nodes("0").is_err());
    }
}
