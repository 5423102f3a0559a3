//! Helpers shared by several integration tests (`mod support;` in each). Each test crate
//! uses only some of them, so unused ones are not warnings there.
#![allow(dead_code)]

pub mod cli;
pub mod mutate;
