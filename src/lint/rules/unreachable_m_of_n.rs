//! W217 `unreachable-m-of-n`.

use crate::diagnostics::{Code, Diagnostic, Severity};
use crate::ir::Sustain;
use crate::lint::logic::{lint_tick, on_default_tick, show_ms};
use crate::lint::{Ctx, LintInfo};

pub const INFO: LintInfo = LintInfo {
    code: Code::UNREACHABLE_M_OF_N,
    default_severity: Severity::Warning,
    docs: r#"
### What it does
Reports `for M of W` sustains where M is larger than the number of evaluations that fit
in W (W / tick), with the declared `tick`, else the 15 s a service with a `target` is
evaluated at in backtests.

### Why is this bad
The rule can never collect M true evaluations inside its window, so it never fires.

### Example
```text
tick 1m
when cpu > 80% for 5 of 3m scale out by 1     # at most 3 evaluations in 3m
```
"#,
};

pub fn check(cx: &Ctx<'_>, out: &mut Vec<Diagnostic>) {
    let Some((tick, declared)) = lint_tick(cx.ir) else {
        return;
    };
    for (r, a) in cx.ir.rules.iter().zip(&cx.rules) {
        let Sustain::MOfN { m, window } = r.sustain else {
            continue;
        };
        let fit = window / tick;
        if i64::from(m) <= fit {
            continue;
        }
        let span = a.sustain.as_ref().map_or(r.span, |s| s.span());
        out.push(on_default_tick(diagnostic(m, window, tick, span), declared));
    }
}

/// The finding, on the `for M of W` clause.
pub fn diagnostic(
    m: u32,
    window: crate::ir::Millis,
    tick: crate::ir::Millis,
    span: crate::span::Span,
) -> Diagnostic {
    let fit = window / tick.max(1);
    Diagnostic::warning(
        INFO.code,
        format!(
            "`for {m} of {}` can never hold: a {} tick gives at most {fit} evaluations in {}",
            show_ms(window),
            show_ms(tick),
            show_ms(window)
        ),
        span,
    )
    .label("unreachable")
    .help(format!(
        "lower M to {fit} at most, or widen the window to {}",
        show_ms(i64::from(m) * tick)
    ))
}

#[cfg(test)]
mod tests {
    use crate::lint::rules::test_util::fires;

    #[test]
    fn fires_when_unreachable() {
        assert!(fires("W217", "replicas 1..9\ntick 1m\nmetric cpu in %\nwhen cpu > 80% for 5 of 3m scale out by 1\nwhen cpu < 9% scale in by 1\n"));
    }

    #[test]
    fn quiet_when_reachable() {
        assert!(!fires("W217", "replicas 1..9\ntick 1m\nmetric cpu in %\nwhen cpu > 80% for 3 of 3m scale out by 1\nwhen cpu < 9% scale in by 1\n"));
    }

    /// No `tick`, but a `target`: 30 s hold two 15 s evaluations, so `3 of 30s` never
    /// holds and `2 of 30s` can.
    #[test]
    fn uses_the_default_tick_of_a_target_tracking_service() {
        let src = |m: u32| {
            format!("replicas 1..9\nmetric cpu in %\ntarget cpu at 60%\nwhen cpu > 95% for {m} of 30s scale out by 2, cooldown 1m\n")
        };
        assert!(fires("W217", &src(3)));
        assert!(!fires("W217", &src(2)));
        assert!(!fires("W217", "replicas 1..9\nmetric cpu in %\nwhen cpu > 80% for 3 of 30s scale out by 1, cooldown 1m\nwhen cpu < 9% scale in by 1\n"));
    }
}
