//! W216 `sustain-shorter-than-tick`.

use crate::diagnostics::{Code, Diagnostic, Severity};
use crate::ir::Sustain;
use crate::lint::logic::{lint_tick, on_default_tick, show_ms};
use crate::lint::{Ctx, LintInfo};

pub const INFO: LintInfo = LintInfo {
    code: Code::SUSTAIN_SHORTER_THAN_TICK,
    default_severity: Severity::Warning,
    docs: r#"
### What it does
Reports `for D` sustains where D is positive but shorter than the tick: the declared
`tick`, else the 15 s a service with a `target` is evaluated at in backtests.

### Why is this bad
Conditions are evaluated once per tick, so a condition held for less than one tick is
seen once: `for 30s` with `tick 1m` fires at the first true evaluation, like no sustain.
The rule reacts to single-sample spikes its author meant to ignore.

### Example
```text
tick 1m
when cpu > 80% for 30s scale out by 1
```
"#,
};

pub fn check(cx: &Ctx<'_>, out: &mut Vec<Diagnostic>) {
    let Some((tick, declared)) = lint_tick(cx.ir) else {
        return;
    };
    for (r, a) in cx.ir.rules.iter().zip(&cx.rules) {
        let Sustain::For(d) = r.sustain else { continue };
        if d <= 0 || d >= tick {
            continue;
        }
        let span = a.sustain.as_ref().map_or(r.span, |s| s.span());
        out.push(on_default_tick(diagnostic(d, tick, span), declared));
    }
}

/// The finding, on the `for` clause.
pub fn diagnostic(
    sustain: crate::ir::Millis,
    tick: crate::ir::Millis,
    span: crate::span::Span,
) -> Diagnostic {
    Diagnostic::warning(
        INFO.code,
        format!(
            "`for {}` is shorter than the {} tick: the rule fires at the first true evaluation",
            show_ms(sustain),
            show_ms(tick)
        ),
        span,
    )
    .label("less than one tick")
    .help(format!(
        "use `for {}` or longer (a whole number of ticks)",
        show_ms(tick)
    ))
}

#[cfg(test)]
mod tests {
    use crate::lint::rules::test_util::fires;

    #[test]
    fn fires_below_tick() {
        assert!(fires("W216", "replicas 1..9\ntick 1m\nmetric cpu in %\nwhen cpu > 80% for 30s scale out by 1\nwhen cpu < 9% scale in by 1\n"));
    }

    #[test]
    fn quiet_at_tick() {
        assert!(!fires("W216", "replicas 1..9\ntick 1m\nmetric cpu in %\nwhen cpu > 80% for 1m scale out by 1\nwhen cpu < 9% scale in by 1\n"));
    }

    /// No `tick`, but a `target`: `for 10s` is shorter than the 15 s default tick, and
    /// the help says where that tick comes from; `for 15s` is not.
    #[test]
    fn uses_the_default_tick_of_a_target_tracking_service() {
        let src = |d: &str| {
            format!("replicas 1..9\nmetric cpu in %\ntarget cpu at 60%\nwhen cpu > 95% for {d} scale out by 2, cooldown 1m\n")
        };
        assert!(fires("W216", &src("10s")));
        assert!(!fires("W216", &src("15s")));
        let r = crate::lint::lint_source(&src("10s"), "t").unwrap_or_else(|e| panic!("{e:?}"));
        let d = r.diagnostics.iter().find(|d| d.code.as_str() == "W216");
        let help = d.and_then(|d| d.help.clone()).unwrap_or_default();
        assert!(help.contains("no `tick` is declared"), "{help}");
        assert!(!fires("W216", "replicas 1..9\nmetric cpu in %\nwhen cpu > 80% for 10s scale out by 1, cooldown 1m\nwhen cpu < 9% scale in by 1\n"));
    }
}
