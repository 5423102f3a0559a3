//! Helpers shared by several integration tests (`mod support;` in each). Each test crate
//! uses only some of them, so unused ones are not warnings there.
#![allow(dead_code)]

pub mod cli;
pub mod mutate;

/// The model and data of the paper's Figure 1 (fig1 with every default: lambda = eta = 1,
/// `mul 1.1` / `mul 0.9`, no `train` block), as text to build test files from:
/// `concat!(fig1_plain!(), "train { ... }")`.
macro_rules! fig1_plain {
    () => {
        "model fig1 {
  level input { e1 e2 e3 e4 e5 e6 e7 }
  level parts {
    m1 = any(e1, e2, e3)
    m2 = all(e3, e4)
    m3 = atleast 2 of (e4, e5, e6)
    m4 = any(e6, e7)
  }
  level wholes {
    t1 = any(m1, m2)
    t2 = all(m2, m3)
    t3 = atleast 2 of (m3, m4)
  }
  classes {
    c1 <- t1
    c2 <- t1, t2
    c3 <- t3
  }
}
data {
  c1a: e1 e2 -> c1
  c1b: e2 e3 -> c1
  c2:  e3 e4 e5 -> c2
  c3:  e5 e6 e7 -> c3
}
"
    };
}
pub(crate) use fig1_plain;

/// Trains `state` by the rest of its model's schedule, through the library's one way to
/// train (`engine::train`).
pub fn train(model: &nshed::engine::Model, state: &mut nshed::engine::State) {
    nshed::engine::train(
        &mut nshed::engine::Trainer::new(model),
        state,
        nshed::engine::Until::EndOfSchedule,
        &nshed::engine::Control::default(),
        None,
    );
}

/// [`train`], with `see` shown the state after every step whose number is a multiple of
/// `every`.
pub fn train_observed(
    model: &nshed::engine::Model,
    state: &mut nshed::engine::State,
    every: std::num::NonZeroU64,
    see: &mut dyn FnMut(&nshed::engine::State),
) {
    nshed::engine::train(
        &mut nshed::engine::Trainer::new(model),
        state,
        nshed::engine::Until::EndOfSchedule,
        &nshed::engine::Control::default(),
        Some(nshed::engine::Observer { every, see }),
    );
}
