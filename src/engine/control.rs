//! Training: [`train`] is the one way to train a state, used by every front end (`nshed
//! run`, the REPL, the Python package) and by the library itself. It trains in chunks,
//! looking at a stop flag between chunks, reporting progress, and continues past the end
//! of the file's schedule when asked for more steps. (An update on a batch the caller
//! chooses, rather than one the schedule draws, is [`super::explicit_step`].)

use std::num::NonZeroU64;
use std::sync::atomic::{AtomicBool, Ordering};

use super::state::State;
use super::train::Trainer;
use crate::ir::Ir;
use crate::progress::Progress;

/// Steps between two looks at the stop flag (and two progress reports).
pub const CHUNK: u64 = 256;

/// How far to train.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Until {
    /// To the end of the file's schedule (nothing when there is none, or it is spent).
    EndOfSchedule,
    /// This many more steps: the rest of the schedule first, then steps drawn and updated
    /// like the last phase's (see [`Trainer::run_extra_steps`]).
    Steps(u64),
}

/// When training stops early, and who hears about it.
#[derive(Clone, Copy, Default)]
pub struct Control<'a> {
    /// At most this many steps in this call.
    pub stop_after: Option<u64>,
    /// Set from elsewhere (a signal handler, a notebook's interrupt) to stop within
    /// [`CHUNK`] steps; the steps taken are kept.
    pub stop: Option<&'a AtomicBool>,
    /// Told the number of steps to take and how many are done.
    pub progress: Option<&'a dyn Progress>,
}

/// What a call to [`train`] did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Trained {
    /// Steps taken.
    pub taken: u64,
    /// Whether the stop flag ended it before it was done.
    pub interrupted: bool,
}

/// Who looks at the state while it trains: `see` is called after every step whose
/// number (`State::step`, over all phases) is a multiple of `every`. Steps between two
/// looks may be written to the state together (see `Trainer`), so an observer that asks
/// for fewer looks lets training go faster.
pub struct Observer<'a> {
    /// Look after the steps whose number is a multiple of this.
    pub every: NonZeroU64,
    /// Called with the state after each such step.
    pub see: &'a mut dyn FnMut(&State),
}

/// Trains `state` as `until` says, within `control`; `observer`, if any, sees the state at
/// the steps it asks for. `Until::EndOfSchedule` with `Control::default()` trains by the
/// whole schedule; `Control { stop_after: Some(n), .. }` takes at most `n` of its steps.
///
/// The same seed gives the same state whatever the chunks, the stop flag's timing or the
/// observer: steps are drawn one after another from the state's own random stream.
pub fn train(
    trainer: &mut Trainer,
    state: &mut State,
    until: Until,
    control: &Control,
    mut observer: Option<Observer>,
) -> Trained {
    let wanted = match until {
        Until::EndOfSchedule => remaining_steps(trainer.model().ir, state),
        Until::Steps(n) => n,
    };
    let wanted = control.stop_after.map_or(wanted, |cap| wanted.min(cap));
    if let Some(p) = control.progress {
        p.start(wanted);
    }
    let mut taken = 0u64;
    let mut interrupted = false;
    while taken < wanted {
        if control.stop.is_some_and(|f| f.load(Ordering::SeqCst)) {
            interrupted = true;
            break;
        }
        // A chunk ends at the next step the observer asks for, if it comes first.
        let mut chunk = CHUNK.min(wanted - taken);
        if let Some(o) = &observer {
            chunk = chunk.min(o.every.get() - state.step % o.every.get());
        }
        let mut done = trainer.run_steps(state, chunk);
        if done < chunk && matches!(until, Until::Steps(_)) {
            done += trainer.run_extra_steps(state, chunk - done);
        }
        taken += done;
        if let Some(o) = observer.as_mut() {
            if done > 0 && state.step.is_multiple_of(o.every.get()) {
                (o.see)(state);
            }
        }
        if let Some(p) = control.progress {
            p.set(taken);
        }
        if done == 0 {
            break;
        }
    }
    if let Some(p) = control.progress {
        p.finish();
    }
    Trained { taken, interrupted }
}

/// Steps the schedule still holds from `state`'s position (phase and step within it; 0
/// when there is no schedule).
pub fn remaining_steps(ir: &Ir, state: &State) -> u64 {
    let Some(train) = ir.train.as_ref() else {
        return 0;
    };
    train
        .phases
        .iter()
        .enumerate()
        .skip(state.phase)
        .map(|(i, p)| {
            if i == state.phase {
                p.steps.saturating_sub(state.step_in_phase)
            } else {
                p.steps
            }
        })
        .fold(0u64, u64::saturating_add)
}
