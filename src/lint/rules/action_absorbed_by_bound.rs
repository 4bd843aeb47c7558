//! W212 `action-absorbed-by-bound`.

use crate::diagnostics::{Code, Diagnostic, Severity};
use crate::ir::Action;
use crate::lint::{Ctx, LintInfo};
use crate::span::Span;

pub const INFO: LintInfo = LintInfo {
    code: Code::ACTION_ABSORBED_BY_BOUND,
    default_severity: Severity::Warning,
    docs: r#"
### What it does
Finds actions whose result the replica bounds always change: `scale to 50` with a maximum
of 40, `scale to 1` with a minimum of 2, and any scaling when the bounds are equal.

### Why is this bad
The policy does not do what it says; the bound silently wins. Either the number or the
bounds are out of date.

### Example
```text
replicas 2..40
when p95 > 1s scale to 50
```
"#,
};

pub fn check(cx: &Ctx<'_>, out: &mut Vec<Diagnostic>) {
    let s = cx.ir;
    for (r, a) in s.rules.iter().zip(&cx.rules) {
        let msg = match r.action {
            // `scale up`/`scale down` change the size, not the count.
            a if a.is_vertical() => continue,
            _ if s.min == s.max => format!(
                "the replica bounds are {}..{}: this action can never change the count",
                s.min, s.max
            ),
            Action::To(k) if k > s.max => {
                format!(
                    "`scale to {k}` is above the maximum of {}: it scales to {} at most",
                    s.max, s.max
                )
            }
            Action::To(k) if k < s.min => {
                format!(
                    "`scale to {k}` is below the minimum of {}: it scales to {} at least",
                    s.min, s.min
                )
            }
            _ => continue,
        };
        out.push(diagnostic(msg, a.action.span(), cx.service_anchor()));
    }
}

/// The finding: `msg` on the action, the bounds as the secondary label.
pub fn diagnostic(msg: String, action: Span, bounds: Span) -> Diagnostic {
    Diagnostic::warning(INFO.code, msg, action)
        .label("clamped by the replica bounds")
        .with_secondary(bounds, "bounds declared here")
        .help("change the number or the bounds so they agree")
}

#[cfg(test)]
mod tests {
    #[test]
    fn quiet_on_a_vertical_rule_with_a_fixed_count() {
        assert!(!super::super::test_util::fires(
            "W212",
            "replicas 4..4\nmetric cpu in %\nsize s capacity 1x\nsize l capacity 2x\nwhen cpu > 80% scale up\nwhen cpu < 20% scale down\n"
        ));
    }

    use crate::lint::rules::test_util::fires;

    #[test]
    fn fires_outside_bounds() {
        assert!(fires("W212", "replicas 2..40\nmetric cpu in %\nwhen cpu > 80% scale to 50\nwhen cpu < 9% scale in by 1\n"));
        assert!(fires(
            "W212",
            "replicas 3..3\nmetric cpu in %\nwhen cpu > 80% scale out by 1\n"
        ));
    }

    #[test]
    fn quiet_inside() {
        assert!(!fires("W212", "replicas 2..40\nmetric cpu in %\nwhen cpu > 80% scale to 40\nwhen cpu < 9% scale in by 1\n"));
    }
}
