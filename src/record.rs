//! Writing the `record every N { ... }` snapshots of a training run to a file: JSON lines,
//! or CSV for a path ending in `.csv`. The file is written beside its target and renamed
//! into place at the end, so a reader never sees half a file.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::engine::{Model, State};
use crate::ir::Quantity;
use crate::metrics::HeldOut;
use crate::render::{snapshot_csv_header, snapshot_csv_row};
use crate::report::Snapshot;

/// Writes snapshots of a run to a file.
pub struct Recorder {
    path: PathBuf,
    out: crate::fsio::AtomicWriter,
    /// Snapshot every this many steps.
    pub every: u64,
    quantities: Vec<Quantity>,
    csv: bool,
    /// The run's test samples, drawn at the first snapshot (only the seed counts), or
    /// given by [`Recorder::share_test`].
    test: Option<Arc<HeldOut>>,
}

impl Recorder {
    /// Starts the file at `path` (CSV when it ends in `.csv`, JSON lines otherwise).
    pub fn create(
        model: &Model,
        path: &Path,
        every: u64,
        quantities: Vec<Quantity>,
    ) -> std::io::Result<Recorder> {
        let mut out = crate::fsio::AtomicWriter::create(path)?;
        let csv = path
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("csv"));
        if csv {
            writeln!(out, "{}", snapshot_csv_header(model.ir, &quantities))?;
        }
        Ok(Recorder {
            path: path.to_path_buf(),
            out,
            every: every.max(1),
            quantities,
            csv,
            test: None,
        })
    }

    /// Measures the test set through `test`, the run's test samples, which another
    /// observer of the same run (learning curves) fires too: each sample fires once.
    pub fn share_test(&mut self, test: Arc<HeldOut>) {
        self.test = Some(test);
    }

    /// The file being written.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Appends the snapshot of `state`.
    pub fn write(&mut self, model: &Model, state: &State) -> std::io::Result<()> {
        let test = self
            .test
            .get_or_insert_with(|| Arc::new(HeldOut::of_run(model, state)));
        let snap = Snapshot::take_with_test(model, state, &self.quantities, test)
            .map_err(std::io::Error::other)?;
        if self.csv {
            writeln!(self.out, "{}", snapshot_csv_row(&snap))
        } else {
            let line = serde_json::to_string(&snap).map_err(std::io::Error::other)?;
            writeln!(self.out, "{line}")
        }
    }

    /// Puts the finished file in place.
    pub fn finish(self) -> std::io::Result<()> {
        self.out.commit()
    }

    /// Leaves the target as it was (the partial file is removed).
    pub fn abandon(self) {
        self.out.abandon();
    }
}
