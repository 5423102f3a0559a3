//! Saved states: everything needed to continue a run bit for bit (SPEC 4), tied to the
//! model source it was made from. Used by the REPL's `:save` / `:restore`.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::diag::Problem;
use crate::engine::State;
use crate::ir::Ir;

/// Format version of saved states. Format 2 added the pending lazy factors (an older
/// nshed would misread them, so it must refuse the file); format 1 files still load.
pub const FORMAT: u32 = 2;

/// The oldest format this nshed reads.
pub const OLDEST_FORMAT: u32 = 1;

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct SavedState {
    /// `FORMAT` when written; `OLDEST_FORMAT..=FORMAT` are read.
    pub nshed_state: u32,
    /// The model's name, for people reading the file.
    pub model: String,
    /// SHA-256 of the model source the state belongs to.
    pub source_sha256: String,
    /// The seed the run started from (so `reset` means the same after a restore).
    pub seed: u64,
    pub state: State,
}

/// SHA-256 of a source text, in hex.
pub fn source_hash(text: &str) -> String {
    let digest = Sha256::digest(text.as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// Writes a saved state atomically.
pub fn save(path: &str, saved: &SavedState) -> Result<(), Problem> {
    let mut json = serde_json::to_string_pretty(saved).map_err(|e| {
        Problem::error(
            "nshed::state::write",
            format!("cannot serialise the state: {e}"),
        )
    })?;
    json.push('\n');
    crate::fsio::write_atomic(std::path::Path::new(path), json.as_bytes()).map_err(|e| {
        Problem::error(
            "nshed::state::write",
            format!("cannot write `{path}`: {}", crate::source::io_reason(&e)),
        )
        .help("check that the directory exists and is writable; nothing was overwritten")
    })
}

/// Reads a saved state for the model `ir` compiled from a source with hash `hash`,
/// rejecting anything that does not fit it exactly.
pub fn load(path: &str, ir: &Ir, hash: &str) -> Result<SavedState, Problem> {
    let bytes = std::fs::read(path).map_err(|e| {
        Problem::error(
            "nshed::state::read",
            format!("cannot read `{path}`: {}", crate::source::io_reason(&e)),
        )
        .help("give the path of a file written by `nshed run --save` or the REPL's `:save`")
    })?;
    let saved: SavedState = serde_json::from_slice(&bytes).map_err(|e| {
        Problem::error(
            "nshed::state::corrupt",
            format!("`{path}` is not a saved nshed state: {e}"),
        )
        .help("the file may be truncated or edited; save it again (`nshed run --save` or the REPL's `:save`)")
    })?;
    if !(OLDEST_FORMAT..=FORMAT).contains(&saved.nshed_state) {
        return Err(Problem::error(
            "nshed::state::version",
            format!(
                "`{path}` has state format {}, this nshed reads formats {OLDEST_FORMAT} to {FORMAT}",
                saved.nshed_state
            ),
        )
        .help("save the state again with this version of nshed"));
    }
    if saved.source_sha256 != hash {
        return Err(Problem::error(
            "nshed::state::other_model",
            format!(
                "`{path}` was saved for a different model source (model `{}`)",
                saved.model
            ),
        )
        .help(
            "load the exact file the state was saved from; any edit to the source changes its hash",
        ));
    }
    validate(&saved.state, ir).map_err(|why| {
        Problem::error(
            "nshed::state::invalid",
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
