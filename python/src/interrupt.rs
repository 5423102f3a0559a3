//! Long calls: the work runs on a scoped worker thread with the interpreter released, while
//! the calling thread waits for it and looks at Python's signals every 50 ms. Ctrl-C (or
//! any signal handler that raises) sets the library's stop flag; the work stops at its next
//! look at the flag (within 256 training steps, or one sweep point) and keeps what it did,
//! then the handler's exception (`KeyboardInterrupt`) is raised.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::time::Duration;

use nshed::progress::Progress;
use pyo3::prelude::*;

/// How often the waiting thread looks at Python's signals.
const POLL: Duration = Duration::from_millis(50);

/// What a long call gave: its value, and the exception a signal handler raised meanwhile.
pub struct Finished<T> {
    pub value: T,
    pub signal: Option<PyErr>,
}

impl<T> Finished<T> {
    /// The value, or the signal's exception when one was raised.
    pub fn or_signal(self) -> PyResult<T> {
        match self.signal {
            Some(e) => Err(e),
            None => Ok(self.value),
        }
    }
}

/// Runs `work` with the interpreter released; a signal handler's exception sets `stop`.
/// A panic in `work` comes back as an `NshedError`.
pub fn run_detached<T: Send>(
    py: Python<'_>,
    stop: &AtomicBool,
    work: impl FnOnce() -> T + Send,
) -> PyResult<Finished<T>> {
    std::thread::scope(|scope| {
        let (done_tx, done_rx) = mpsc::channel::<()>();
        let worker = scope.spawn(move || {
            let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(work));
            // The receiver waits until this is sent (or the sender is dropped by a panic).
            let _ = done_tx.send(());
            result
        });
        let mut signal = None;
        let mut done_rx = done_rx;
        loop {
            // The receiver goes into the released section and back (it is not `Sync`).
            let (finished, rx) = py.detach(move || {
                let finished = match done_rx.recv_timeout(POLL) {
                    Ok(()) | Err(mpsc::RecvTimeoutError::Disconnected) => true,
                    Err(mpsc::RecvTimeoutError::Timeout) => false,
                };
                (finished, done_rx)
            });
            done_rx = rx;
            if finished {
                break;
            }
            if signal.is_none() {
                if let Err(e) = py.check_signals() {
                    stop.store(true, Ordering::SeqCst);
                    signal = Some(e);
                }
            }
        }
        match py.detach(|| worker.join()) {
            Ok(Ok(value)) => Ok(Finished { value, signal }),
            Ok(Err(panic)) | Err(panic) => Err(crate::error::internal_error(panic.as_ref())),
        }
    })
}

/// Progress nobody draws, which asks a sweep to stop once the flag is set.
pub struct Watch<'a>(pub &'a AtomicBool);

impl Progress for Watch<'_> {
    fn start(&self, _total: u64) {}
    fn set(&self, _done: u64) {}
    fn advance(&self, _units: u64) {}
    fn finish(&self) {}
    fn stopped(&self) -> bool {
        self.0.load(Ordering::SeqCst)
    }
}
