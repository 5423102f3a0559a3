//! Number expressions: evaluated in f64 (`^` is `powf`), rejected when not finite.

use super::messages as msg;
use super::Ctx;
use crate::syntax::ast::{BinOp, Expr};

/// Evaluates `expr`; reports the innermost sub-expression that is NaN or infinite.
/// `None` means a problem was reported (callers must not report again).
///
/// A flat chain (`1+2+3` is `(1+2)+3`) is walked down its left side in a loop, so the
/// recursion is as deep as the real nesting (parentheses, unary minus, `^`), which the
/// parser bounds, not as long as the chain.
pub fn eval(ctx: &mut Ctx, expr: &Expr) -> Option<f64> {
    // The left spine: the operators, right operands and spans from the top down.
    let mut spine = Vec::new();
    let mut leftmost = expr;
    while let Expr::Binary { op, lhs, rhs, span } = leftmost {
        spine.push((*op, rhs.as_ref(), *span));
        leftmost = lhs;
    }
    let mut value = match leftmost {
        Expr::Num { value, text, span } => {
            if value.is_finite() {
                Some(*value)
            } else {
                ctx.push(msg::literal_not_finite(text, *span));
                None
            }
        }
        Expr::Neg { operand, .. } => eval(ctx, operand).map(|v| -v),
        Expr::Binary { .. } => None,
    };
    // Innermost first, as a recursive evaluation would: both sides are evaluated so that
    // problems in each are reported.
    for &(op, rhs, span) in spine.iter().rev() {
        let r = eval(ctx, rhs);
        value = match (value, r) {
            (Some(l), Some(r)) => {
                let v = apply(op, l, r);
                if v.is_finite() {
                    Some(v)
                } else {
                    ctx.push(msg::expr_not_finite(op, v, span));
                    None
                }
            }
            _ => None,
        };
    }
    value
}

fn apply(op: BinOp, l: f64, r: f64) -> f64 {
    match op {
        BinOp::Add => l + r,
        BinOp::Sub => l - r,
        BinOp::Mul => l * r,
        BinOp::Div => l / r,
        BinOp::Pow => l.powf(r),
    }
}

/// Evaluates a quantity that must be `>= 0` (`what` names it in the message).
pub fn eval_non_negative(ctx: &mut Ctx, expr: &Expr, what: &str) -> Option<f64> {
    let v = eval(ctx, expr)?;
    if v < 0.0 {
        ctx.push(msg::negative(what, v, expr.span()));
        return None;
    }
    Some(v)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax::parse::parse_expr;

    fn value(text: &str) -> Option<f64> {
        let expr = parse_expr(text).ok()?;
        let mut ctx = Ctx::default();
        eval(&mut ctx, &expr)
    }

    #[test]
    fn paper_factors() {
        let v = value("1.022^(11/4)").unwrap_or(f64::NAN);
        assert!((v - 1.022f64.powf(2.75)).abs() < 1e-15);
    }

    #[test]
    fn power_binds_tighter_than_minus_and_is_right_associative() {
        assert_eq!(value("-2^2"), Some(-4.0));
        assert_eq!(value("2^3^2"), Some(512.0));
        assert_eq!(value("(2^3)^2"), Some(64.0));
    }

    #[test]
    fn non_finite_is_an_error() {
        for text in ["1e999", "1/0", "0/0", "(-1)^0.5", "10^400"] {
            let expr = parse_expr(text).expect("parses");
            let mut ctx = Ctx::default();
            assert_eq!(eval(&mut ctx, &expr), None, "{text}");
            assert_eq!(ctx.problems.len(), 1, "{text}");
        }
    }

    #[test]
    fn chains_evaluate_left_to_right() {
        assert_eq!(value("70-1-1-1"), Some(67.0));
        assert_eq!(value("2*3/4*8"), Some(12.0));
        assert_eq!(value("1-2^2*3+-1"), Some(-12.0));
    }

    #[test]
    fn problems_in_a_chain_are_all_reported_innermost_first() {
        let expr = parse_expr("1e999+1/0+2").expect("parses");
        let mut ctx = Ctx::default();
        assert_eq!(eval(&mut ctx, &expr), None);
        let spans: Vec<_> = ctx.problems.iter().map(|p| p.labels[0].offset()).collect();
        // The literal, then `1/0`; the sums above them are not reported again.
        assert_eq!(spans, vec![0, 6]);
    }

    #[test]
    fn the_longest_accepted_flat_chain_evaluates() {
        use crate::syntax::parse::MAX_EXPR_OPERATORS;
        let text = format!("1{}", "+1".repeat(MAX_EXPR_OPERATORS));
        assert_eq!(value(&text), Some((MAX_EXPR_OPERATORS + 1) as f64));
        let text = format!("1{}", "+1".repeat(MAX_EXPR_OPERATORS + 1));
        assert_eq!(
            parse_expr(&text).map_err(|p| p.code),
            Err(crate::diag::ErrorCode::SyntaxTooLong)
        );
    }
}
