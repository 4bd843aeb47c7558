//! W209 `missing-scale-in`.

use super::moves;
use crate::diagnostics::{Code, Diagnostic, Severity};
use crate::ir::Direction;
use crate::lint::{Ctx, LintInfo};

pub const INFO: LintInfo = LintInfo {
    code: Code::MISSING_SCALE_IN,
    default_severity: Severity::Warning,
    docs: r#"
### What it does
Reports a service none of whose rules can scale in (`scale in by …`, or `scale to N`
with N below the maximum).

### Why is this bad
A policy that can only grow never gives capacity back after a peak: it costs money
forever. Pair every scale-out with a (slower) scale-in.

### Example
```text
replicas 2..20
when cpu > 80% scale out by 2
```
"#,
};

pub fn check(cx: &Ctx<'_>, out: &mut Vec<Diagnostic>) {
    if cx.ir.min == cx.ir.max
        || cx.ir.targets.is_some()
        || cx.ir.rules.iter().any(|r| moves(cx.ir, r, Direction::In))
    {
        return;
    }
    out.push(diagnostic(&cx.subject(), cx.service_anchor()));
}

/// The finding, on the `replicas` line (or the service name).
pub fn diagnostic(service: &str, anchor: crate::span::Span) -> Diagnostic {
    Diagnostic::warning(
        INFO.code,
        format!(
            "{} has no rule that can scale in: it only ever grows",
            service
        ),
        anchor,
    )
    .label("replicas never come back down")
    .help("add a scale-in rule, e.g. `when cpu < 30% for 10m scale in by 1`")
}

#[cfg(test)]
mod tests {
    use crate::lint::rules::test_util::fires;

    #[test]
    fn fires_on_one_direction() {
        assert!(fires(
            "W209",
            "replicas 1..9\nmetric cpu in %\nwhen cpu > 80% scale out by 1\n"
        ));
    }

    #[test]
    fn quiet_with_both() {
        assert!(!fires("W209", "replicas 1..9\nmetric cpu in %\nwhen cpu > 80% scale out by 1\nwhen cpu < 9% scale to 1\n"));
    }
}
