//! Number expressions: evaluated in f64 (`^` is `powf`), rejected when not finite.

use super::messages as msg;
use super::Ctx;
use crate::syntax::ast::{BinOp, Expr};

/// Evaluates `expr`; reports the innermost sub-expression that is NaN or infinite.
/// `None` means a problem was reported (callers must not report again).
pub fn eval(ctx: &mut Ctx, expr: &Expr) -> Option<f64> {
    let value = match expr {
        Expr::Num { value, text, span } => {
            if !value.is_finite() {
                ctx.push(msg::literal_not_finite(text, *span));
                return None;
            }
            *value
        }
        Expr::Neg { operand, .. } => -eval(ctx, operand)?,
        Expr::Binary { op, lhs, rhs, span } => {
            // Evaluate both sides so problems in each are reported.
            let l = eval(ctx, lhs);
            let r = eval(ctx, rhs);
            let (l, r) = (l?, r?);
            let v = apply(*op, l, r);
            if !v.is_finite() {
                ctx.push(msg::expr_not_finite(*op, v, *span));
                return None;
            }
            v
        }
    };
    Some(value)
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
}
