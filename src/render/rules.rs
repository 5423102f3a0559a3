//! Resolved rules and init distributions as a model would write them (`mul 1.1`,
//! `add 0.5 by error`, `lognormal(0, 1)`): what the REPL's `show` and the editors' hovers
//! print for the IR's per-node and per-edge entries.

use super::fmt_num;
use crate::ir::{Dist, Update};

/// An update function as written in a rule line: `mul 1.1`, `sub 0.5 by error`, `keep`.
pub fn update_text(u: &Update) -> String {
    match u {
        Update::Mul { factor } => format!("mul {}", fmt_num(*factor)),
        Update::Add { amount } => format!("add {}", fmt_num(*amount)),
        Update::Sub { amount } => format!("sub {}", fmt_num(*amount)),
        Update::Keep => "keep".to_string(),
        Update::MulByError { .. } | Update::AddByError { .. } | Update::SubByError { .. } => {
            format!("{} by error", update_text(&u.plain()))
        }
    }
}

/// An init distribution as written after `lambda =`: `1`, `uniform(0.5, 1)`.
pub fn dist_text(d: &Dist) -> String {
    match d {
        Dist::Const { value } => fmt_num(*value),
        Dist::Uniform { a, b } => format!("uniform({}, {})", fmt_num(*a), fmt_num(*b)),
        Dist::Normal { mu, sigma } => format!("normal({}, {})", fmt_num(*mu), fmt_num(*sigma)),
        Dist::LogNormal { mu, sigma } => {
            format!("lognormal({}, {})", fmt_num(*mu), fmt_num(*sigma))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn updates_and_distributions_read_as_written() {
        assert_eq!(update_text(&Update::Mul { factor: 1.1 }), "mul 1.1");
        assert_eq!(
            update_text(&Update::SubByError { amount: 0.5 }),
            "sub 0.5 by error"
        );
        assert_eq!(update_text(&Update::Keep), "keep");
        assert_eq!(dist_text(&Dist::Const { value: 3.0 }), "3");
        assert_eq!(
            dist_text(&Dist::LogNormal {
                mu: 0.0,
                sigma: 0.25
            }),
            "lognormal(0, 0.25)"
        );
    }
}
