//! A counting global allocator needs `unsafe impl GlobalAlloc`, so this test binary allows
//! `unsafe_code` (denied everywhere else by the lint policy in Cargo.toml).
#![allow(unsafe_code)]

//! A training step allocates nothing once its scratch space has grown. A
//! counting global allocator watches steps on a generated model, with sampling.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};

use nshed::engine::testing::{generated, one_phase};
use nshed::engine::{train, Control, Model, State, Trainer, Until};
use nshed::ir::{EtaUpdate, Sampler};

struct Counting;

static ALLOCATIONS: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        System.alloc(layout)
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        System.dealloc(ptr, layout)
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        System.realloc(ptr, layout, new_size)
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

#[test]
fn training_steps_do_not_allocate() {
    for (batch, eta_update) in [(1, EtaUpdate::Union), (8, EtaUpdate::Sample)] {
        let mut ir = generated(3000, 6, 5, 200, 0.05, 7);
        ir.train = Some(one_phase(
            &ir,
            u64::MAX,
            batch,
            Sampler::Shuffle,
            eta_update,
            0,
        ));
        let model = Model::new(&ir);
        let mut state = State::new(&ir, 1);
        let mut trainer = Trainer::new(&model);
        // Warm up: scratch lists grow to their largest size within an epoch or two.
        let at_most = |n| Control {
            stop_after: Some(n),
            ..Control::default()
        };
        train(
            &mut trainer,
            &mut state,
            Until::EndOfSchedule,
            &at_most(2000),
            None,
        );
        let before = ALLOCATIONS.load(Ordering::Relaxed);
        let taken = train(
            &mut trainer,
            &mut state,
            Until::EndOfSchedule,
            &at_most(500),
            None,
        )
        .taken;
        let during = ALLOCATIONS.load(Ordering::Relaxed) - before;
        assert_eq!(taken, 500);
        assert_eq!(
            during, 0,
            "batch {batch}: {during} allocations in 500 steps"
        );
    }
}
