//! W216 `sustain-shorter-than-tick`.

use crate::diagnostics::{Code, Diagnostic, Severity};
use crate::ir::Sustain;
use crate::lint::logic::show_ms;
use crate::lint::{Ctx, LintInfo};

pub const INFO: LintInfo = LintInfo {
    code: Code::SUSTAIN_SHORTER_THAN_TICK,
    default_severity: Severity::Warning,
    docs: r#"
### What it does
With a declared `tick`, reports `for D` sustains where D is positive but shorter than the
tick.

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
    let Some(tick) = cx.ir.tick else { return };
    for (r, a) in cx.ir.rules.iter().zip(&cx.rules) {
        let Sustain::For(d) = r.sustain else { continue };
        if d <= 0 || d >= tick {
            continue;
        }
        let span = a.sustain.as_ref().map_or(r.span, |s| s.span());
        out.push(diagnostic(d, tick, span));
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
}
