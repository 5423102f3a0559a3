//! Deferred steps: a run of training steps written block by block of the value tables.
//!
//! A batch-1 step of a data sample with a kept pathway, under rules whose every growth
//! and shrink is a plain `mul` or `keep` (`Plan::defers`), writes exactly the cells of
//! the sample's kept lists, each from its own cell alone. Taken one after another, such
//! steps touch the whole table in scattered places, a cache miss per firing node on a
//! large model. `Deferred` instead records the sample of each step (and advances the
//! clock), and `flush` then applies the recorded steps a block of the table at a time:
//! for each block (small enough to stay in the processor's cache), every recorded step
//! in order, each writing the cells of its lists that lie in the block. Each cell takes
//! the same writes, at the same clocks, in the same order, as the steps taken one by one
//! would give it, so every value is bit-identical; but the table is read once per flush,
//! block by block, and the lists are read in order.
//!
//! Nothing outside a `Trainer` ever sees a state with recorded steps: the trainer
//! flushes before every step it takes at once and before it returns.

use super::lazy::{grow_cell, Cell, MulStep, Steps};
use super::pathways::Kept;
use super::state::State;

/// Entries of a table written per block: 16 bytes a cell, so a block's cells (64 KiB)
/// stay in the processor's first- and second-level caches while every recorded step
/// writes into them; a larger block spills, a smaller one pays its per-step set-up
/// more often.
const BLOCK: usize = 1 << 12;

/// Steps recorded, not yet written.
#[derive(Clone, Debug, Default)]
pub(crate) struct Deferred {
    /// The data sample of each recorded step, in order; step `k` was taken at clock
    /// `clock0 + k`.
    samples: Vec<u32>,
    clock0: u64,
    /// The phase whose plan the steps were recorded under (`None`: the file's rules).
    phase: Option<usize>,
    /// Per data sample: where its lists' entries of the current block begin, and end.
    from: Vec<u32>,
    to: Vec<u32>,
    /// The samples of the recorded steps, each once, and which those are (by sample).
    distinct: Vec<u32>,
    seen: Vec<bool>,
    /// Steps recorded since the trainer was made (tests check that steps were).
    #[cfg(test)]
    pub recorded: u64,
}

impl Deferred {
    /// Whether steps are recorded and not yet written.
    pub fn is_empty(&self) -> bool {
        self.samples.is_empty()
    }

    /// The phase the recorded steps belong to (meaningless when there are none).
    pub fn phase(&self) -> Option<usize> {
        self.phase
    }

    /// Records a step of data sample `sample` taken at `state`'s clock under the plan of
    /// `phase`, and ends it (the clock moves on). The caller has installed that plan and
    /// flushed the steps of any other.
    pub fn record(&mut self, state: &mut State, sample: usize, phase: Option<usize>) {
        if self.samples.is_empty() {
            self.clock0 = state.clock();
            self.phase = phase;
        }
        self.samples.push(sample as u32);
        state.tick();
        #[cfg(test)]
        {
            self.recorded += 1;
        }
    }

    /// Writes every recorded step into `state`: `steps` are the plan's node and edge
    /// records (by place) and `kept(i)` data sample `i`'s kept lists, which every
    /// recorded sample has.
    pub fn flush<'p>(
        &mut self,
        state: &mut State,
        steps: (&Steps, &Steps),
        kept: impl Fn(usize) -> Option<Kept<'p>>,
    ) {
        if self.samples.is_empty() {
            return;
        }
        let n_samples = self.samples.iter().max().map_or(0, |&s| s as usize + 1);
        if self.from.len() < n_samples {
            self.from.resize(n_samples, 0);
            self.to.resize(n_samples, 0);
            self.seen.resize(n_samples, false);
        }
        self.distinct.clear();
        for &s in &self.samples {
            if !std::mem::replace(&mut self.seen[s as usize], true) {
                self.distinct.push(s);
            }
        }
        let lists = |s: u32, edges: bool| {
            kept(s as usize).map_or(&[][..], |k| if edges { k.own_edges } else { k.nodes })
        };
        let (lambda, eta) = state.cells_mut();
        for (cells, edges, steps) in [(lambda, false, steps.0), (eta, true, steps.1)] {
            for &s in &self.distinct {
                self.from[s as usize] = 0;
            }
            let run = Run {
                samples: &self.samples,
                clock0: self.clock0,
                distinct: &self.distinct,
            };
            run.write(
                cells,
                steps,
                |s| lists(s, edges),
                &mut self.from,
                &mut self.to,
            );
        }
        for &s in &self.distinct {
            self.seen[s as usize] = false;
        }
        self.samples.clear();
    }
}

/// The recorded steps of one flush.
struct Run<'a> {
    samples: &'a [u32],
    clock0: u64,
    distinct: &'a [u32],
}

impl Run<'_> {
    /// Writes the steps into one table, block by block. `list(s)` is sample `s`'s list
    /// of places in it (ascending); `from[s]` is 0 for every recorded sample.
    fn write<'l>(
        &self,
        cells: &mut [Cell],
        steps: &Steps,
        list: impl Fn(u32) -> &'l [u32],
        from: &mut [u32],
        to: &mut [u32],
    ) {
        match steps {
            Steps::Mul(records) => self.blocks(cells, &list, from, to, |p| records[p]),
            Steps::Few { table, index } => match table[..] {
                [only] => self.blocks(cells, &list, from, to, |_| only),
                _ => self.blocks(cells, &list, from, to, |p| table[usize::from(index[p])]),
            },
            // Deferred steps are never taken under other rules (`Plan::defers`).
            Steps::General(_) => {}
        }
    }

    #[inline(always)]
    fn blocks<'l>(
        &self,
        cells: &mut [Cell],
        list: &impl Fn(u32) -> &'l [u32],
        from: &mut [u32],
        to: &mut [u32],
        step_of: impl Fn(usize) -> MulStep + Copy,
    ) {
        let n = cells.len();
        for lo in (0..n).step_by(BLOCK) {
            let hi = (lo + BLOCK).min(n) as u32;
            for (k, &s) in self.samples.iter().enumerate() {
                let start = from[s as usize] as usize;
                let places = &list(s)[start..];
                let clock = self.clock0 + k as u64;
                to[s as usize] = (start + grow_below(cells, clock, places, hi, step_of)) as u32;
            }
            for &s in self.distinct {
                from[s as usize] = to[s as usize];
            }
        }
    }
}

/// The growth of one step (at `clock`) for the places of `places` below `hi` (a prefix:
/// the list is ascending); returns how many there were.
#[inline(always)]
fn grow_below(
    cells: &mut [Cell],
    clock: u64,
    places: &[u32],
    hi: u32,
    step_of: impl Fn(usize) -> MulStep,
) -> usize {
    let mut done = 0;
    for &p in places {
        if p >= hi {
            break;
        }
        let p = p as usize;
        grow_cell(&mut cells[p], clock, step_of(p));
        done += 1;
    }
    done
}
