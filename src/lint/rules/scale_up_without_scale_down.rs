//! W230 `scale-up-without-scale-down`.

use crate::diagnostics::{Code, Diagnostic, Severity};
use crate::lint::{Ctx, LintInfo};

pub const INFO: LintInfo = LintInfo {
    code: Code::SCALE_UP_WITHOUT_SCALE_DOWN,
    default_severity: Severity::Warning,
    docs: r#"
### What it does
Reports a `scale up` rule in a service none of whose rules can `scale down`.

### Why is this bad
Every resize up is for good: after one busy hour the replicas stay at the largest size
they reached, and the service pays the price of that size for ever. Horizontal policies
have the same trap (`missing-scale-in`); a vertical one needs its own way back down.

### Example
```text
size small capacity 1x
size large capacity 4x
when cpu > 80% for 2m scale up
```
Add e.g. `when cpu < 30% for 30m scale down`.
"#,
};

pub fn check(cx: &Ctx<'_>, out: &mut Vec<Diagnostic>) {
    let up = |r: &&crate::ir::Rule| r.action.is_up() == Some(true);
    let Some(i) = cx.ir.rules.iter().position(|r| up(&r)) else {
        return;
    };
    if cx.ir.rules.iter().any(|r| r.action.is_up() == Some(false)) {
        return;
    }
    out.push(diagnostic(cx.rules[i].action.span()));
}

/// The finding, on the first `scale up`.
pub fn diagnostic(action: crate::span::Span) -> Diagnostic {
    Diagnostic::warning(
        INFO.code,
        "this policy scales up but never down: the replicas stay at the largest size they reach",
        action,
    )
    .label("no way back down")
    .help("add a slower `scale down` rule, e.g. `when cpu < 30% for 30m scale down`")
}

#[cfg(test)]
mod tests {
    use crate::lint::rules::test_util::fires;

    const LADDER: &str = "replicas 2..2\nmetric cpu in %\nsize s capacity 1x\nsize l capacity 2x\n";

    #[test]
    fn fires_on_up_only() {
        assert!(fires("W230", &format!("{LADDER}when cpu > 80% scale up\n")));
    }

    #[test]
    fn quiet_with_a_way_down() {
        assert!(!fires(
            "W230",
            &format!("{LADDER}when cpu > 80% scale up\nwhen cpu < 20% scale down to s\n")
        ));
    }

    #[test]
    fn quiet_without_vertical_rules() {
        assert!(!fires(
            "W230",
            &format!("{LADDER}when cpu > 80% scale out by 1\n")
        ));
    }
}
