//! A cache prefetch hint: starts loading a value into cache without waiting for it, so
//! that the misses of a batch of scattered reads overlap instead of queueing (name
//! lookups in `check`, the growth of a step's firing nodes in `engine`, the scores of an
//! evaluation's firing nodes in `engine::eval`). Only a speed hint: it changes nothing a
//! program can see.

/// Starts loading `item` into cache. This is the crate's one `unsafe` block (the lint
/// policy in Cargo.toml denies `unsafe_code` elsewhere).
#[cfg(target_arch = "x86_64")]
#[allow(unsafe_code)]
#[inline(always)]
pub(crate) fn prefetch<T>(item: &T) {
    use std::arch::x86_64::{_mm_prefetch, _MM_HINT_T0};
    // SAFETY: `prefetch` only needs SSE, which every x86_64 processor has; a prefetch
    // never faults and has no effect visible to the program, and the pointer comes from
    // a live reference anyway.
    unsafe { _mm_prefetch::<_MM_HINT_T0>((item as *const T).cast()) }
}

/// Elsewhere: nothing (a plain read would stall on the miss it means to hide).
#[cfg(not(target_arch = "x86_64"))]
#[inline(always)]
pub(crate) fn prefetch<T>(_item: &T) {}
