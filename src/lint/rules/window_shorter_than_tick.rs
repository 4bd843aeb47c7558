//! W213 `window-shorter-than-tick`.

use crate::diagnostics::{Code, Diagnostic, Severity};
use crate::lint::logic::{atoms, lint_tick, on_default_tick, show_ms, value_name, Var};
use crate::lint::{Ctx, LintInfo};
use crate::syntax::ast::Operand;

pub const INFO: LintInfo = LintInfo {
    code: Code::WINDOW_SHORTER_THAN_TICK,
    default_severity: Severity::Warning,
    docs: r#"
### What it does
Reports aggregates (`avg(cpu, 30s)`) whose window is shorter than the tick: the declared
`tick`, else the 15 s a service with a `target` is evaluated at in backtests.

### Why is this bad
A window shorter than the interval between evaluations holds one sample or none: the
"average" is just the current value (or unknown), and the smoothing the author wanted
does not happen.

### Example
```text
tick 1m
when avg(cpu, 30s) > 80% scale out by 1
```
"#,
};

pub fn check(cx: &Ctx<'_>, out: &mut Vec<Diagnostic>) {
    let Some((tick, declared)) = lint_tick(cx.ir) else {
        return;
    };
    for r in &cx.ir.rules {
        for (a, cmp) in atoms(&r.condition).unwrap_or_default() {
            let Var::Aggregate(id) = a.var else { continue };
            let Some(agg) = cx.ir.aggregates.get(id) else {
                continue;
            };
            if agg.window >= tick {
                continue;
            }
            let span = cx
                .comparison_at(cmp.span)
                .and_then(|c| match (&c.lhs, &c.rhs) {
                    (Operand::Aggregate(g), _) | (_, Operand::Aggregate(g)) => Some(g.window.span),
                    _ => None,
                })
                .unwrap_or(cmp.span);
            out.push(on_default_tick(
                diagnostic(&value_name(cx.ir, &a.var.value()), agg.window, tick, span),
                declared,
            ));
        }
    }
}

/// The finding, on the aggregate's window.
pub fn diagnostic(
    aggregate: &str,
    window: crate::ir::Millis,
    tick: crate::ir::Millis,
    span: crate::span::Span,
) -> Diagnostic {
    Diagnostic::warning(
        INFO.code,
        format!(
            "`{}` looks at {} but the tick is {}: the window holds at most one sample",
            aggregate,
            show_ms(window),
            show_ms(tick)
        ),
        span,
    )
    .label("shorter than the tick")
    .help(format!(
        "use a window of at least {} (several ticks to smooth anything)",
        show_ms(tick)
    ))
}

#[cfg(test)]
mod tests {
    use crate::lint::rules::test_util::fires;

    #[test]
    fn fires_on_short_window() {
        assert!(fires("W213", "replicas 1..9\ntick 1m\nmetric cpu in %\nwhen avg(cpu, 30s) > 80% scale out by 1, cooldown 1m\nwhen cpu < 9% scale in by 1\n"));
    }

    #[test]
    fn quiet_on_long_window() {
        assert!(!fires("W213", "replicas 1..9\ntick 1m\nmetric cpu in %\nwhen avg(cpu, 5m) > 80% scale out by 1\nwhen cpu < 9% scale in by 1\n"));
    }

    /// No `tick`, but a `target`: backtests evaluate every 15 s, which a 10 s window
    /// cannot span; a 30 s one can.
    #[test]
    fn uses_the_default_tick_of_a_target_tracking_service() {
        let src = |w: &str| {
            format!("replicas 1..9\nmetric cpu in %\ntarget cpu at 60%\nwhen avg(cpu, {w}) > 95% scale out by 1, cooldown 1m\n")
        };
        assert!(fires("W213", &src("10s")));
        assert!(!fires("W213", &src("30s")));
        // Without a target and without a tick, every sample is an evaluation: quiet.
        assert!(!fires("W213", "replicas 1..9\nmetric cpu in %\nwhen avg(cpu, 10s) > 80% scale out by 1, cooldown 1m\nwhen cpu < 9% scale in by 1\n"));
    }
}
