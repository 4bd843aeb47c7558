//! W232 `restart-longer-than-cooldown`.

use crate::diagnostics::{Code, Diagnostic, Severity};
use crate::lint::logic::show_ms as format_duration;
use crate::lint::{Ctx, LintInfo};

pub const INFO: LintInfo = LintInfo {
    code: Code::RESTART_LONGER_THAN_COOLDOWN,
    default_severity: Severity::Warning,
    docs: r#"
### What it does
Reports a `scale up` or `scale down` rule whose cooldown (its own, or the service's
`cooldown up`/`cooldown down`, whichever is longer) is shorter than the time one replica
restarts for in a resize (`resize restart D`, by default the model's `startup`).

### Why is this bad
While a replica restarts it serves nothing, so the metrics look worse than before the
resize. A rule that may fire again before the restart is over sees that dip and resizes
again: one step up becomes two, a step down is undone at once.

### Example
```text
size small capacity 1x
size large capacity 2x
resize restart 2m
when cpu > 80% scale up
```
Give the rule at least the restart time: `when cpu > 80% scale up, cooldown 3m`, or
`cooldown up 3m` for the service.
"#,
};

pub fn check(cx: &Ctx<'_>, out: &mut Vec<Diagnostic>) {
    let Some(l) = &cx.ir.ladder else {
        return;
    };
    let startup = cx.ir.model.as_ref().map_or(0, |m| m.startup);
    let Some((restart, _)) = l.restart(startup) else {
        return;
    };
    for (r, a) in cx.ir.rules.iter().zip(&cx.rules) {
        let Some(up) = r.action.is_up() else {
            continue;
        };
        let service = if up { l.cooldown_up } else { l.cooldown_down };
        let cooldown = r.cooldown.max(service);
        if cooldown < restart {
            out.push(diagnostic(a.action.span(), restart, cooldown));
        }
    }
}

/// The finding, on the rule's action.
pub fn diagnostic(action: crate::span::Span, restart: i64, cooldown: i64) -> Diagnostic {
    Diagnostic::warning(
        INFO.code,
        format!(
            "a replica restarts for {} in a resize, but this rule may fire again after {}",
            format_duration(restart),
            format_duration(cooldown)
        ),
        action,
    )
    .label("can resize again during the restart")
    .help(format!(
        "give the rule a cooldown of at least {}, e.g. `, cooldown {}`",
        format_duration(restart),
        format_duration(restart)
    ))
}

#[cfg(test)]
mod tests {
    use crate::lint::rules::test_util::{codes, fires};

    const LADDER: &str = "replicas 2..2\nmetric cpu in %\nsize s capacity 1x\nsize l capacity 2x\n";

    #[test]
    fn fires_when_the_restart_outlasts_the_cooldown() {
        let src = format!("{LADDER}resize restart 2m\nwhen cpu > 80% scale up, cooldown 1m\nwhen cpu < 20% for 30m scale down, cooldown 30m\n");
        assert_eq!(
            codes(&src)
                .into_iter()
                .filter(|c| c.0 == "W232")
                .collect::<Vec<_>>(),
            [("W232", 6)]
        );
    }

    #[test]
    fn the_default_restart_is_the_model_startup() {
        let src = format!("{LADDER}metric rps in rps\nwhen cpu > 80% scale up\nwhen cpu < 20% scale down, cooldown 5m\nmodel {{\n  demand rps\n  capacity 10 rps per replica\n  startup 90s\n}}\n");
        assert!(fires("W232", &src));
    }

    #[test]
    fn quiet_in_place_or_with_a_long_size_cooldown() {
        let a = format!(
            "{LADDER}resize in place\nwhen cpu > 80% scale up\nwhen cpu < 20% scale down\n"
        );
        assert!(!fires("W232", &a));
        let b = format!("{LADDER}resize restart 2m\ncooldown up 2m, down 10m\nwhen cpu > 80% scale up\nwhen cpu < 20% scale down\n");
        assert!(!fires("W232", &b));
    }
}
