//! W215 `no-cooldown`.

use crate::diagnostics::{Code, Diagnostic, Severity};
use crate::ir::Direction;
use crate::lint::logic::{atoms, Var};
use crate::lint::{Ctx, LintInfo};

pub const INFO: LintInfo = LintInfo {
    code: Code::NO_COOLDOWN,
    default_severity: Severity::Warning,
    docs: r#"
### What it does
Reports scale-out rules with no cooldown, when the service declares no `cooldown out`
either. (Rules on windowed aggregates are left to `cooldown-shorter-than-window`.)

### Why is this bad
The rule fires at every evaluation while its condition holds, adding replicas each time
before the ones already requested can change the metric: a short spike ends at the
maximum.

### Example
```text
when cpu > 80% scale out by 2
```
Add `, cooldown 3m` (at least the startup time), or `cooldown out 3m` for the service.
"#,
};

pub fn check(cx: &Ctx<'_>, out: &mut Vec<Diagnostic>) {
    for (r, a) in cx.ir.rules.iter().zip(&cx.rules) {
        if r.action.static_direction() != Some(Direction::Out) || cx.effective_cooldown(r) > 0 {
            continue;
        }
        let windowed = atoms(&r.condition)
            .unwrap_or_default()
            .iter()
            .any(|(x, _)| matches!(x.var, Var::Aggregate(_)));
        if windowed {
            continue;
        }
        out.push(diagnostic(a.action.span()));
    }
}

/// The finding, on the rule's action.
pub fn diagnostic(action: crate::span::Span) -> Diagnostic {
    Diagnostic::warning(INFO.code, "this scale-out rule has no cooldown: it fires at every evaluation while its condition holds", action)
                .label("no cooldown")
                .help("add `, cooldown 3m` (at least the startup time) or a service-wide `cooldown out 3m`")
}

#[cfg(test)]
mod tests {
    use crate::lint::rules::test_util::fires;

    #[test]
    fn fires_without_cooldown() {
        assert!(fires("W215", "replicas 1..9\nmetric cpu in %\nwhen cpu > 80% scale out by 1\nwhen cpu < 9% scale in by 1\n"));
    }

    #[test]
    fn quiet_with_direction_cooldown() {
        assert!(!fires("W215", "replicas 1..9\nmetric cpu in %\ncooldown out 2m\nwhen cpu > 80% scale out by 1\nwhen cpu < 9% scale in by 1\n"));
    }
}
