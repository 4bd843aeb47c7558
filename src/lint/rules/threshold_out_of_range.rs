//! W208 `threshold-out-of-range`.

use crate::diagnostics::{Code, Diagnostic, Severity};
use crate::lint::logic::{atoms, value_name};
use crate::lint::{show, Ctx, LintInfo};
use crate::syntax::ast::Operand;
use crate::units::Dimension;

pub const INFO: LintInfo = LintInfo {
    code: Code::THRESHOLD_OUT_OF_RANGE,
    default_severity: Severity::Warning,
    docs: r#"
### What it does
Checks every constant a metric is compared with: ratios must lie in 0..100%, latencies,
counts and rates must not be negative.

### Why is this bad
The comparison is decided before any data arrives, so the rule either never fires or
always does. Usually a unit is wrong (`0.8%` meant `80%`) or a digit slipped.

### Example
```text
when cpu > 120% scale out by 1
when p95 < -5ms scale in by 1
```
"#,
};

pub fn check(cx: &Ctx<'_>, out: &mut Vec<Diagnostic>) {
    for r in &cx.ir.rules {
        for (a, cmp) in atoms(&r.condition).unwrap_or_default() {
            let ratio = cmp.unit.dimension() == Dimension::Ratio;
            let bad = a.c < 0.0 || (ratio && a.c > 1.0);
            if !bad {
                continue;
            }
            let span = cx
                .comparison_at(cmp.span)
                .and_then(|c| match (&c.lhs, &c.rhs) {
                    (Operand::Literal(q), _) | (_, Operand::Literal(q)) => Some(q.span),
                    _ => None,
                })
                .unwrap_or(cmp.span);
            let name = value_name(cx.ir, &a.var.value());
            let why = if a.c < 0.0 {
                format!("{name} is never negative")
            } else {
                format!("{name} is a ratio, at most 100%")
            };
            out.push(diagnostic(&show(a.c, cmp.unit), &why, span));
        }
    }
}

/// The finding, on the literal.
pub fn diagnostic(threshold: &str, why: &str, literal: crate::span::Span) -> Diagnostic {
    Diagnostic::warning(
        INFO.code,
        format!("threshold {} is out of range: {why}", threshold),
        literal,
    )
    .label("out of range")
    .help("check the number and its unit (`0.8` is a fraction, `80%` a percentage)")
}

#[cfg(test)]
mod tests {
    use crate::lint::rules::test_util::fires;

    #[test]
    fn fires_out_of_range() {
        assert!(fires("W208", "replicas 1..9\nmetric cpu in %\nwhen cpu > 120% scale out by 1\nwhen cpu < 9% scale in by 1\n"));
        assert!(fires("W208", "replicas 1..9\nmetric p95 in ms\nwhen p95 > 1s scale out by 1\nwhen p95 < -5ms scale in by 1\n"));
    }

    /// The `utilization` builtin is a fraction inside; the message uses the `%` written.
    #[test]
    fn speaks_in_the_unit_written() {
        let src = "replicas 1..9\nmodel {\n  demand rps\n  capacity 100 rps per replica\n}\nwhen utilization > 120% scale out by 1\nwhen utilization < 30% scale in by 1\n";
        let r = crate::lint::lint_source(src, "t").unwrap_or_default();
        let d = r
            .diagnostics
            .iter()
            .find(|d| d.code == "W208")
            .expect("W208");
        assert!(
            d.message.starts_with("threshold 120% is out of range"),
            "{}",
            d.message
        );
    }

    #[test]
    fn quiet_in_range() {
        assert!(!fires("W208", "replicas 1..9\nmetric cpu in %\nwhen cpu > 100% scale out by 1\nwhen cpu < 0.5% scale in by 1\n"));
    }
}
