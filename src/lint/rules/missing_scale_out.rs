//! W210 `missing-scale-out`.

use super::moves;
use crate::diagnostics::{Code, Diagnostic, Severity};
use crate::ir::Direction;
use crate::lint::{Ctx, LintInfo};

pub const INFO: LintInfo = LintInfo {
    code: Code::MISSING_SCALE_OUT,
    default_severity: Severity::Warning,
    docs: r#"
### What it does
Reports a service none of whose rules can scale out (`scale out by …`, or `scale to N`
with N above the minimum).

### Why is this bad
A policy that can only shrink cannot react to load at all: it is almost certainly a
bug (a rule written as `scale in` that meant `scale out`, or a missing rule).

### Example
```text
replicas 2..20
when cpu > 80% scale in by 2
```
"#,
};

pub fn check(cx: &Ctx<'_>, out: &mut Vec<Diagnostic>) {
    if cx.ir.min == cx.ir.max
        || cx.ir.targets.is_some()
        || cx.ir.rules.iter().any(|r| moves(cx.ir, r, Direction::Out))
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
            "{} has no rule that can scale out: it only ever shrinks",
            service
        ),
        anchor,
    )
    .label("replicas never go up")
    .help("add a scale-out rule, e.g. `when cpu > 80% for 2m scale out by 2`")
}

#[cfg(test)]
mod tests {
    use crate::lint::rules::test_util::fires;

    #[test]
    fn fires_on_one_direction() {
        assert!(fires(
            "W210",
            "replicas 1..9\nmetric cpu in %\nwhen cpu > 80% scale in by 1\n"
        ));
    }

    #[test]
    fn quiet_with_both() {
        assert!(!fires("W210", "replicas 1..9\nmetric cpu in %\nwhen cpu > 80% scale out by 1\nwhen cpu < 9% scale to 1\n"));
    }
}
