//! Progress of long computations (training, sweeps), reported to whoever shows it. The
//! library only counts; a front end decides how (or whether) to draw it: the command line
//! draws a bar on a terminal, the Python package shows nothing.

/// Receives the progress of one long computation. Shared between worker threads.
pub trait Progress: Sync {
    /// The computation has `total` units of work (steps, sweep points).
    fn start(&self, total: u64);
    /// `done` units are finished (a count from the start, never decreasing).
    fn set(&self, done: u64);
    /// `units` more units are finished.
    fn advance(&self, units: u64);
    /// The computation ended (finished or stopped).
    fn finish(&self);
    /// Whether whoever watches wants the computation to stop (a notebook's interrupt).
    /// Sweeps look at it before every point and end with
    /// [`ErrorKind::Interrupted`](crate::experiments::ErrorKind::Interrupted). Never, unless
    /// the front end says so.
    fn stopped(&self) -> bool {
        false
    }
}

/// Progress that nobody watches.
#[derive(Clone, Copy, Debug, Default)]
pub struct Silent;

impl Progress for Silent {
    fn start(&self, _total: u64) {}
    fn set(&self, _done: u64) {}
    fn advance(&self, _units: u64) {}
    fn finish(&self) {}
}
