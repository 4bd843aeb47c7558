//! W207 `always-true-condition`.

use crate::diagnostics::{Code, Diagnostic, Severity};
use crate::lint::logic::always_true;
use crate::lint::{Ctx, LintInfo};

pub const INFO: LintInfo = LintInfo {
    code: Code::ALWAYS_TRUE_CONDITION,
    default_severity: Severity::Warning,
    docs: r#"
### What it does
Reports a condition that every value makes true, given that metrics are never negative:
`cpu >= 0%`, `x > 5 or x <= 5`.

### Why is this bad
The rule fires whenever its sustain and cooldown allow, regardless of load: the policy
walks to a bound and stays there.

### Example
```text
when cpu >= 0% scale out by 1
```
"#,
};

pub fn check(cx: &Ctx<'_>, out: &mut Vec<Diagnostic>) {
    for r in &cx.ir.rules {
        if always_true(&r.condition) != Some(true) {
            continue;
        }
        let span = cx.rules.get(r.id.0).map_or(r.span, |a| a.condition.span());
        out.push(diagnostic(span));
    }
}

/// The finding, on the condition.
pub fn diagnostic(condition: crate::span::Span) -> Diagnostic {
    Diagnostic::warning(
        INFO.code,
        "this condition is always true (metrics are never negative)",
        condition,
    )
    .label("true for every value")
    .help("the rule fires whatever the load; compare against a meaningful threshold")
}

#[cfg(test)]
mod tests {
    use crate::lint::rules::test_util::fires;

    #[test]
    fn fires_on_tautologies() {
        assert!(fires("W207", "replicas 1..9\nmetric cpu in %\nwhen cpu >= 0% scale out by 1\nwhen cpu < 9% scale in by 1\n"));
        assert!(fires("W207", "replicas 1..9\nmetric x\nwhen x > 5 or x <= 5 scale out by 1\nwhen x < 1 scale in by 1\n"));
    }

    #[test]
    fn quiet_otherwise() {
        assert!(!fires("W207", "replicas 1..9\nmetric cpu in %\nwhen cpu > 0% scale out by 1\nwhen cpu < 9% scale in by 1\n"));
    }
}
