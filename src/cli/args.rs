//! Flags shared by several commands: the state to report on (`--no-train`, `--seed`), the
//! shape of generated models and `--depths` (the depth sweeps), and their value parsers.

use clap::builder::TypedValueParser as _;
use nshed::engine::{self, run_seed, Control, Model, State, Trainer, Until};

use super::gen::{parse_batch, parse_fan_in, parse_probability};
use nshed::experiments::generated::{GenShape, MAX_DEPTH};

/// The help of `--force`, the same on every command that writes files.
pub const FORCE_HELP: &str = "Write output files even over a file that holds a model or that \
the command reads (refused otherwise, with exit code 3)";

/// Options of every command that reports on a trained state.
#[derive(clap::Args, Debug, Clone)]
pub struct StateArgs {
    /// Use the initial state: do not train by the file's `train` block.
    #[arg(long)]
    pub no_train: bool,
    /// Seed of the run's random stream (wins over `train { seed N }`).
    #[arg(long, value_name = "N")]
    pub seed: Option<u64>,
}

impl StateArgs {
    /// The state these flags ask for: the initial state of the run's seed, trained by the
    /// file's schedule unless `--no-train`.
    pub fn state(&self, model: &Model) -> State {
        let mut state = State::new(model.ir, run_seed(model.ir, self.seed));
        if !self.no_train {
            engine::train(
                &mut Trainer::new(model),
                &mut state,
                Until::EndOfSchedule,
                &Control::default(),
                None,
            );
        }
        state
    }
}

/// Shape of the generated models (every depth of the sweep uses the same shape).
#[derive(clap::Args, Debug, Clone, PartialEq)]
pub struct GenShapeArgs {
    /// Width of every feature level of the generated models.
    #[arg(long, value_name = "W", default_value_t = 32, conflicts_with = "file",
          value_parser = clap::value_parser!(u32).range(1..=100_000).map(|w| w as usize))]
    pub width: usize,
    /// Input (level-1) nodes of the generated models.
    #[arg(long, value_name = "N", default_value_t = 64, conflicts_with = "file",
          value_parser = clap::value_parser!(u32).range(1..=100_000).map(|w| w as usize))]
    pub inputs: usize,
    /// Children per middle node: `MIN..MAX` or a single number.
    #[arg(long, value_name = "MIN..MAX", default_value = "2..4", conflicts_with = "file",
          value_parser = parse_fan_in)]
    pub fan_in: (usize, usize),
    /// Classes of the generated models.
    #[arg(long, value_name = "C", default_value_t = 4, conflicts_with = "file",
          value_parser = clap::value_parser!(u32).range(1..=10_000).map(|w| w as usize))]
    pub classes: usize,
    /// Prototype patterns per class.
    #[arg(long, value_name = "K", default_value_t = 2, conflicts_with = "file",
          value_parser = clap::value_parser!(u32).range(1..=10_000).map(|w| w as usize))]
    pub prototypes: usize,
    /// Noisy data samples made from each prototype.
    #[arg(long, value_name = "S", default_value_t = 4, conflicts_with = "file",
          value_parser = clap::value_parser!(u32).range(1..=10_000).map(|w| w as usize))]
    pub samples_per_prototype: usize,
    /// Input nodes firing in each prototype [default: inputs / 8, at least 1].
    #[arg(long, value_name = "P", conflicts_with = "file",
          value_parser = clap::value_parser!(u32).range(1..=100_000).map(|w| w as usize))]
    pub pattern_size: Option<usize>,
    /// Probability that each bit of a prototype flips in a data sample.
    #[arg(long, value_name = "Q", default_value_t = 0.05, conflicts_with = "file",
          value_parser = parse_probability)]
    pub noise: f64,
    /// Batch size of the generated models' training phase (batch 1: a class edge grows only
    /// when its feature fires for a sample of that class).
    #[arg(long, value_name = "B", default_value_t = 1, conflicts_with = "file",
          value_parser = parse_batch)]
    pub batch: u64,
}

impl GenShapeArgs {
    /// The library's shape.
    pub fn shape(&self) -> GenShape {
        GenShape {
            width: self.width,
            inputs: self.inputs,
            fan_in: self.fan_in,
            classes: self.classes,
            prototypes: self.prototypes,
            samples_per_prototype: self.samples_per_prototype,
            pattern_size: self.pattern_size,
            noise: self.noise,
            batch: self.batch,
        }
    }
}

/// `--depths A..B` or `--depths 2,4,8` (a newtype: clap reads `Vec` as repeated values).
#[derive(Clone, Debug, PartialEq)]
pub struct Depths(pub Vec<usize>);

/// The value parser of `--depths` in `nshed fool` and `nshed depth`.
pub fn parse_depth_list(s: &str) -> Result<Depths, String> {
    parse_depths(s).map(Depths)
}

/// `--depths`: `A..B` (inclusive), or a list `2,4,8`; each from 2 to [`MAX_DEPTH`].
pub fn parse_depths(s: &str) -> Result<Vec<usize>, String> {
    let one = |t: &str| -> Result<usize, String> {
        match t.trim().parse::<usize>() {
            Ok(d) if (2..=MAX_DEPTH).contains(&d) => Ok(d),
            Ok(d) => Err(format!(
                "depth {d} is out of range: a model has 2 to {MAX_DEPTH} levels"
            )),
            Err(_) => Err(format!("`{t}` is not a depth (a whole number of levels)")),
        }
    };
    let depths: Vec<usize> = match s.split_once("..") {
        Some((a, b)) => {
            let (a, b) = (one(a)?, one(b)?);
            if a > b {
                return Err(format!(
                    "`{s}`: the range must go upwards (A..B with A <= B)"
                ));
            }
            (a..=b).collect()
        }
        None => s.split(',').map(one).collect::<Result<_, _>>()?,
    };
    let mut sorted = depths.clone();
    sorted.sort_unstable();
    sorted.dedup();
    if sorted.len() != depths.len() {
        return Err(format!("`{s}` names a depth twice"));
    }
    Ok(depths)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_depth_ranges_and_lists() {
        assert_eq!(parse_depths("2..5"), Ok(vec![2, 3, 4, 5]));
        assert_eq!(parse_depths("3,6, 9"), Ok(vec![3, 6, 9]));
        assert!(parse_depths("1..4").is_err());
        assert!(parse_depths("5..3").is_err());
        assert!(parse_depths("2,2").is_err());
        assert!(parse_depths("x").is_err());
        assert!(parse_depths("2..65").is_err());
    }
}
