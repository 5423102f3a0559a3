//! Saved states: everything needed to continue a run bit for bit, tied to the
//! model source it was made from. Used by the REPL's `:save` / `:restore`.

use crate::diag::ErrorCode;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::path::Path;

use crate::diag::Problem;
use crate::engine::State;
use crate::ir::Ir;

/// Format version of saved states. Format 2 added the pending lazy factors (an older
/// nshed would misread them, so it must refuse the file); format 1 files still load.
pub const FORMAT: u32 = 2;

/// The oldest format this nshed reads.
pub const OLDEST_FORMAT: u32 = 1;

/// Largest saved state read, in bytes (a state of a model at the node and edge limits
/// is well below it). A file that does not start with `{` is refused at its first byte.
pub const MAX_STATE_BYTES: usize = 4 << 30;

/// A saved state: a model state, with what ties it to the source of its model (the file `:save` writes).
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct SavedState {
    /// `FORMAT` when written; `OLDEST_FORMAT..=FORMAT` are read.
    pub nshed_state: u32,
    /// The model's name, for people reading the file.
    pub model: String,
    /// The identity of the model the state belongs to: [`model_identity`] of the checked
    /// model (its IR and the bytes of its data files), so that reformatting or a comment
    /// does not orphan a state, while an edit that changes the model or its data does.
    pub source_sha256: String,
    /// The seed the run started from (so `reset` means the same after a restore).
    pub seed: u64,
    /// The state itself.
    pub state: State,
}

/// The identity of a checked model: the SHA-256 (hex) of its IR as JSON, which holds
/// every sample (read or written), the SHA-256 of each data file's bytes, and no span,
/// comment or layout of the source.
pub fn model_identity(ir: &crate::ir::Ir) -> String {
    struct Hasher(Sha256);
    impl std::io::Write for Hasher {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0.update(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let mut hasher = Hasher(Sha256::new());
    // Writing to a hasher cannot fail, and the IR has only plain values: a failure would
    // leave the hash of what was written, still a fixed function of the IR.
    let _ = serde_json::to_writer(&mut hasher, ir);
    hasher
        .0
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// SHA-256 of a source text, in hex.
pub fn source_hash(text: &str) -> String {
    let digest = Sha256::digest(text.as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// A saved state as the text of its file (JSON), which [`parse`] reads back bit for bit.
pub fn to_text(saved: &SavedState) -> Result<String, Problem> {
    let mut json = serde_json::to_string_pretty(saved).map_err(|e| {
        Problem::error(
            ErrorCode::StateWrite,
            format!("cannot serialise the state: {e}"),
        )
    })?;
    json.push('\n');
    Ok(json)
}

/// Writes a saved state atomically.
pub fn save(path: impl AsRef<Path>, saved: &SavedState) -> Result<(), Problem> {
    let path = path.as_ref();
    let json = to_text(saved)?;
    crate::fsio::write_atomic(path, json.as_bytes()).map_err(|e| {
        let path = path.display();
        Problem::error(
            ErrorCode::StateWrite,
            format!("cannot write `{path}`: {}", crate::source::io_reason(&e)),
        )
        .help("check that the directory exists and is writable; nothing was overwritten")
    })
}

/// Reads a saved state for the model `ir` compiled from a source with hash `hash`,
/// rejecting anything that does not fit it exactly.
pub fn load(path: impl AsRef<Path>, ir: &Ir, hash: &str) -> Result<SavedState, Problem> {
    let (path, shown) = (path.as_ref(), path.as_ref().display().to_string());
    let help = "give the path of a file written by `nshed run --save` or the REPL's `:save`";
    let read = crate::fsio::Input::open(
        path,
        crate::fsio::Accept::Any,
        MAX_STATE_BYTES,
        "a saved state",
    )
    .and_then(crate::fsio::Input::read_json_object);
    let bytes = read.map_err(|e| match e {
        crate::fsio::ReadError::TooLarge { .. } => Problem::error(
            ErrorCode::StateTooLarge,
            format!("`{shown}` is larger than the {MAX_STATE_BYTES} bytes a saved state may have"),
        )
        .help(help),
        crate::fsio::ReadError::NotJsonObject => Problem::error(
            ErrorCode::StateCorrupt,
            format!("`{shown}` is not a saved nshed state: it does not start with `{{`"),
        )
        .help(help),
        other => Problem::error(
            ErrorCode::StateRead,
            format!("cannot read `{shown}`: {other}"),
        )
        .help(help),
    })?;
    parse(&shown, &bytes, ir, hash)
}

/// Reads the saved state in `bytes` (the contents of the file `path` names, for messages)
/// for the model `ir` compiled from a source with hash `hash`, rejecting anything that
/// does not fit it exactly.
pub fn parse(path: &str, bytes: &[u8], ir: &Ir, hash: &str) -> Result<SavedState, Problem> {
    let saved: SavedState = serde_json::from_slice(bytes).map_err(|e| {
        Problem::error(
            ErrorCode::StateCorrupt,
            format!("`{path}` is not a saved nshed state: {e}"),
        )
        .help("the file may be truncated or edited; save it again (`nshed run --save` or the REPL's `:save`)")
    })?;
    if !(OLDEST_FORMAT..=FORMAT).contains(&saved.nshed_state) {
        return Err(Problem::error(
            ErrorCode::StateVersion,
            format!(
                "`{path}` has state format {}, this nshed reads formats {OLDEST_FORMAT} to {FORMAT}",
                saved.nshed_state
            ),
        )
        .help("save the state again with this version of nshed"));
    }
    if saved.source_sha256 != hash {
        return Err(Problem::error(
            ErrorCode::StateOtherModel,
            format!(
                "`{path}` was saved for a different model or data (model `{}`)",
                saved.model
            ),
        )
        .help(
            "load the model the state was saved from: a change to its nodes, rules, data, schedule or data files (not to comments or layout) makes it another model",
        ));
    }
    validate(&saved.state, ir).map_err(|why| {
        Problem::error(
            ErrorCode::StateInvalid,
            format!("`{path}` holds an invalid state: {why}"),
        )
        .help("the file was edited or damaged; save it again (`nshed run --save` or the REPL's `:save`)")
    })?;
    Ok(saved)
}

/// Checks that a state fits the model and holds only values the engine can produce.
pub fn validate(state: &State, ir: &Ir) -> Result<(), String> {
    use crate::engine::StateFault;
    // ln values: -inf is an exact zero; NaN or +inf can never arise from training.
    state
        .check_values(ir.nodes.len(), ir.edges.len())
        .map_err(|fault| match fault {
            StateFault::Lambda(n, v) => format!("ln lambda of `{}` is {v}", ir.nodes[n].name),
            StateFault::Eta(e, v) => format!("ln eta of edge {e} is {v}"),
            StateFault::Other(why) => why,
        })?;
    let phases = ir.train.as_ref().map_or(0, |t| t.phases.len());
    if state.phase > phases {
        return Err(format!(
            "phase {} of a schedule with {phases} phases",
            state.phase
        ));
    }
    check_counters(state, ir)?;
    let n_samples = ir.data.samples.len();
    if state.sampler.cursor > n_samples.max(state.sampler.epoch.len()) {
        return Err(format!(
            "sampler position {} past the data",
            state.sampler.cursor
        ));
    }
    if state.sampler.epoch.iter().any(|&i| i as usize >= n_samples) {
        return Err("the sampler's epoch names a sample that does not exist".to_string());
    }
    Ok(())
}

/// The step counters agree with each other and with the schedule: a step within its
/// phase, at least as many steps as the schedule says are done, and no more than a run
/// can take (the counters would wrap).
fn check_counters(state: &State, ir: &Ir) -> Result<(), String> {
    let max = crate::engine::lazy::MAX_CLOCK;
    if state.step > max {
        return Err(format!(
            "step {} is past the largest a run can reach ({max})",
            state.step
        ));
    }
    let phases = ir.train.as_ref().map_or(&[][..], |t| t.phases.as_slice());
    match phases.get(state.phase) {
        Some(phase) if state.step_in_phase > phase.steps => {
            return Err(format!(
                "step {} of phase `{}`, which has {} steps",
                state.step_in_phase, phase.name, phase.steps
            ))
        }
        None if state.step_in_phase != 0 => {
            return Err(format!(
                "step {} in a phase after the end of the schedule",
                state.step_in_phase
            ))
        }
        _ => {}
    }
    let done = phases[..state.phase.min(phases.len())]
        .iter()
        .fold(state.step_in_phase, |acc, p| acc.saturating_add(p.steps));
    if state.step < done {
        return Err(format!(
            "step {} is before the {done} steps of the schedule it says are done",
            state.step
        ));
    }
    if state.lazy.clock > state.step {
        return Err(format!(
            "{} updates were applied in {} steps",
            state.lazy.clock, state.step
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::testing::{fig1, one_phase};
    use crate::engine::{Model, Trainer};
    use crate::ir::{EtaUpdate, Sampler};

    /// fig1 with a 10-step schedule, trained `steps` steps.
    fn trained(steps: u64) -> (Ir, State) {
        let mut ir = fig1();
        ir.train = Some(one_phase(&ir, 10, 2, Sampler::Cycle, EtaUpdate::Union, 1));
        let mut state = State::new(&ir, 1);
        let model = Model::new(&ir);
        Trainer::new(&model).run_steps(&mut state, steps);
        (ir, state)
    }

    #[test]
    fn states_training_reaches_are_valid() {
        for steps in [0, 3, 10] {
            let (ir, state) = trained(steps);
            assert_eq!(validate(&state, &ir), Ok(()), "after {steps} steps");
        }
    }

    #[test]
    fn forged_counters_are_refused() {
        let (ir, state) = trained(3);
        let forged = |edit: &dyn Fn(&mut State)| {
            let mut s = state.clone();
            edit(&mut s);
            validate(&s, &ir)
        };
        assert_eq!(
            forged(&|s| s.step = u64::MAX),
            Err(format!(
                "step {} is past the largest a run can reach ({})",
                u64::MAX,
                1u64 << 53
            ))
        );
        assert_eq!(
            forged(&|s| s.step_in_phase = 1_000_000),
            Err("step 1000000 of phase `main`, which has 10 steps".to_string())
        );
        assert_eq!(
            forged(&|s| s.step = 2),
            Err("step 2 is before the 3 steps of the schedule it says are done".to_string())
        );
        assert_eq!(
            forged(&|s| {
                s.phase = 1;
                s.step_in_phase = 4;
            }),
            Err("step 4 in a phase after the end of the schedule".to_string())
        );
        assert_eq!(
            forged(&|s| s.lazy.clock = 4),
            Err("4 updates were applied in 3 steps".to_string())
        );
        // Explicit steps (the REPL's `step {...}`) count beyond the schedule: fine.
        assert_eq!(forged(&|s| s.step = 7), Ok(()));
    }

    #[test]
    fn the_text_of_a_state_reads_back_bit_for_bit() {
        let (ir, state) = trained(7);
        let saved = SavedState {
            nshed_state: FORMAT,
            model: ir.model.clone(),
            source_sha256: "ab".repeat(32),
            seed: 1,
            state,
        };
        let text = to_text(&saved).unwrap_or_else(|p| panic!("{p}"));
        assert!(text.ends_with("}\n"), "{text}");
        let back = parse("s.json", text.as_bytes(), &ir, &saved.source_sha256)
            .unwrap_or_else(|p| panic!("{p}"));
        assert_eq!(back.state, saved.state);
        assert_eq!((back.seed, back.state.step), (1, 7));
        assert!(parse("s.json", text.as_bytes(), &ir, "other").is_err());
    }

    #[test]
    fn a_state_holding_nan_cannot_be_saved() {
        let (ir, mut state) = trained(1);
        state.set_ln_lambda(0, f64::NAN);
        let saved = SavedState {
            nshed_state: FORMAT,
            model: ir.model.clone(),
            source_sha256: String::new(),
            seed: 1,
            state,
        };
        let err = serde_json::to_string(&saved).expect_err("NaN is not saved as null");
        assert!(err.to_string().contains("a natural log is NaN"), "{err}");
    }
}
