//! W203 `cooldown-shorter-than-window`.

use crate::diagnostics::{Code, Diagnostic, Severity};
use crate::lint::logic::{show_ms, value_name};
use crate::lint::{Ctx, LintInfo};

pub const INFO: LintInfo = LintInfo {
    code: Code::COOLDOWN_SHORTER_THAN_WINDOW,
    default_severity: Severity::Warning,
    docs: r#"
### What it does
Finds rules whose condition reads an aggregate over a window (`avg(cpu, 5m)`) while the
rule's effective cooldown (its own, or its direction's, whichever is longer) is shorter
than that window.

### Why is this bad
When the cooldown ends, most of the window still holds samples from before the last
scaling action. The rule re-fires on a stale average and scales again for load it has
already handled.

### Example
```text
when avg(cpu, 5m) > 80% scale out by 2, cooldown 1m
```
Use `cooldown 5m`, or a shorter window.
"#,
};

pub fn check(cx: &Ctx<'_>, out: &mut Vec<Diagnostic>) {
    let s = cx.ir;
    for r in &s.rules {
        if r.action.static_direction().is_none() {
            continue;
        }
        let cd = cx.effective_cooldown(r);
        let Some(atoms) = crate::lint::logic::atoms(&r.condition) else {
            continue;
        };
        let mut seen = Vec::new();
        for (a, cmp) in atoms {
            let crate::lint::logic::Var::Aggregate(id) = a.var else {
                continue;
            };
            let Some(agg) = s.aggregates.get(id) else {
                continue;
            };
            if agg.window <= cd || seen.contains(&id) {
                continue;
            }
            seen.push(id);
            let name = value_name(s, &a.var.value());
            out.push(diagnostic(&name, cd, agg.window, cmp.span));
        }
    }
}

/// The finding, on the comparison that reads the aggregate.
pub fn diagnostic(
    name: &str,
    cooldown: crate::ir::Millis,
    window: crate::ir::Millis,
    comparison: crate::span::Span,
) -> Diagnostic {
    Diagnostic::warning(
                    INFO.code,
                    format!(
                        "the cooldown ({}) is shorter than the {} window of `{name}`: the rule re-fires on an average of samples from before its last action",
                        show_ms(cooldown),
                        show_ms(window)
                    ),
                    comparison,
                )
                .label(format!("averages the last {}", show_ms(window)))
                .help(format!(
                    "use `, cooldown {}` or more, or a window no longer than {}",
                    show_ms(window),
                    show_ms(cooldown)
                ))
}

#[cfg(test)]
mod tests {
    use crate::lint::rules::test_util::fires;

    #[test]
    fn fires_on_short_cooldown() {
        assert!(fires("W203", "replicas 1..9\nmetric cpu in %\nwhen avg(cpu, 5m) > 80% scale out by 1, cooldown 1m\nwhen cpu < 10% scale in by 1, cooldown 5m\n"));
    }

    #[test]
    fn quiet_on_long_cooldown() {
        assert!(!fires("W203", "replicas 1..9\nmetric cpu in %\nwhen avg(cpu, 5m) > 80% scale out by 1, cooldown 5m\nwhen cpu < 10% scale in by 1\n"));
    }
}
