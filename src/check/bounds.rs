//! Bounds that keep every accepted model computable ("Nothing silently
//! non-finite"): how many samples one step may draw, and parameters whose effect the
//! log-domain engine could not represent.
//!
//! The engine keeps `ln lambda` and `ln eta`. A `mul a` step moves them by `ln a` (at most
//! about 710 for a finite `a`), and initial values are finite logs; three parameters act
//! on the logs directly and are bounded here: `jitter` (a step adds `jitter * z` with
//! `z ~ N(0,1)`, `|z| < 14` for the generator's draws) and `lognormal(mu, sigma)` (the
//! draw is `mu + sigma * z`). With all three at most [`MAX_LOG_SCALE`], a log stays below
//! about `1e118` after the `2^53` steps a run can reach, and a pathway sum of ten million
//! levels of them below `1e125`: far from overflowing, so no sum of logs is ever
//! infinite and no difference of them NaN. `normal(mu, sigma)` is drawn in the plain
//! domain, so `mu + sigma * z` must stay finite: [`MAX_NORMAL`]. The weights of the data
//! must add up to a finite total, or weighted sampling could not use them.

use super::Ctx;
use crate::diag::ErrorCode;
use crate::diag::Problem;
use crate::syntax::ast::Span;

pub use crate::ir::MAX_BATCH;

/// Largest `jitter`, and largest `|mu|` and `sigma` of `lognormal`.
pub const MAX_LOG_SCALE: f64 = 1e100;

/// Largest `|mu|` and `sigma` of `normal`.
pub const MAX_NORMAL: f64 = 1e300;

const BATCH_TOO_LARGE: ErrorCode = ErrorCode::CheckBatchTooLarge;
const OUT_OF_RANGE: ErrorCode = ErrorCode::CheckOutOfRange;

/// `batch N` with `N > MAX_BATCH` (a step holds its whole batch).
pub(crate) fn check_batch(ctx: &mut Ctx, batch: u64, span: Span) -> bool {
    if batch <= MAX_BATCH {
        return true;
    }
    ctx.push(
        Problem::error(
            BATCH_TOO_LARGE,
            format!("`batch {batch}` is more than one step can draw"),
        )
        .label(span, format!("at most {MAX_BATCH} samples per step"))
        .help(format!(
            "use a batch of at most {MAX_BATCH}; a batch larger than the data set draws samples again anyway"
        )),
    );
    false
}

/// A parameter whose size is bounded by `limit` (in absolute value).
fn check_scale(ctx: &mut Ctx, value: f64, limit: f64, what: &str, why: &str, span: Span) -> bool {
    if value.abs() <= limit {
        return true;
    }
    ctx.push(
        Problem::error(OUT_OF_RANGE, format!("{what} is {value:e}, too large"))
            .label(span, format!("at most {limit:e} in size"))
            .help(format!("{why}; use a value of at most {limit:e}")),
    );
    false
}

/// `jitter = s`: the factors `exp(s * N(0,1))` must stay representable as logs.
pub(crate) fn check_jitter(ctx: &mut Ctx, jitter: f64, span: Span) -> bool {
    check_scale(
        ctx,
        jitter,
        MAX_LOG_SCALE,
        "`jitter`",
        "larger jitter gives factors exp(jitter * z) whose logarithm nshed cannot represent",
        span,
    )
}

/// `lognormal(mu, sigma)`: the draws `exp(mu + sigma * N(0,1))` are kept as their logs.
pub(crate) fn check_lognormal(ctx: &mut Ctx, mu: (f64, Span), sigma: (f64, Span)) -> bool {
    let why = "lognormal draws exp(mu + sigma * z), whose logarithm nshed must represent";
    let mu_ok = check_scale(
        ctx,
        mu.0,
        MAX_LOG_SCALE,
        "the `mu` of `lognormal`",
        why,
        mu.1,
    );
    let sigma_ok = check_scale(
        ctx,
        sigma.0,
        MAX_LOG_SCALE,
        "the `sigma` of `lognormal`",
        why,
        sigma.1,
    );
    mu_ok && sigma_ok
}

/// `normal(mu, sigma)`: the draws `mu + sigma * N(0,1)` must be finite numbers.
pub(crate) fn check_normal(ctx: &mut Ctx, mu: (f64, Span), sigma: (f64, Span)) -> bool {
    let why = "normal draws mu + sigma * z, which must stay a finite number";
    let mu_ok = check_scale(ctx, mu.0, MAX_NORMAL, "the `mu` of `normal`", why, mu.1);
    let sigma_ok = check_scale(
        ctx,
        sigma.0,
        MAX_NORMAL,
        "the `sigma` of `normal`",
        why,
        sigma.1,
    );
    mu_ok && sigma_ok
}

/// The weights of the samples so far add up to `total`; `span` is the weight that made it
/// infinite.
pub(crate) fn check_total_weight(ctx: &mut Ctx, total: f64, span: Span) -> bool {
    if total.is_finite() {
        return true;
    }
    ctx.push(
        Problem::error(
            OUT_OF_RANGE,
            "the sample weights add up to more than 1.8e308",
        )
        .label(span, "the total weight overflows here")
        .help("weights are relative frequencies: divide them all by the same number"),
    );
    false
}
