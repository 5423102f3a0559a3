pub mod frontend;
pub mod help;
