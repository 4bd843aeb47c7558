//! W204 `shadowed-rule`.

use super::{clamped_target, counts, duplicate_rule::duplicates, sustain_ms};
use crate::diagnostics::{Code, Diagnostic, Severity};
use crate::ir;
use crate::lint::logic::{always_true, implies, unsatisfiable};
use crate::lint::{Ctx, LintInfo};

pub const INFO: LintInfo = LintInfo {
    code: Code::SHADOWED_RULE,
    default_severity: Severity::Warning,
    docs: r#"
### What it does
When several rules fire at once, the one with the larger resulting replica count wins
(then the earlier one). This lint finds a rule A for which another rule B of the same
direction exists such that: A's condition implies B's, B's sustain is no longer and its
cooldown no longer than A's, and B's result is at least A's at every replica count within
the bounds (ties going to B).

### Why is this bad
Rule A never decides anything. Either it is dead weight, or (more often) its author meant
it to act in a situation the other rule already covers, and the policy does not do what
was intended.

### Example
```text
when cpu > 70% scale out by 3
when cpu > 90% scale out by 2     # shadowed: cpu > 90% implies cpu > 70%, and 3 ≥ 2
```
"#,
};

/// Whether `b` wins against `a` whenever `a` fires.
fn shadows(cx: &Ctx<'_>, a: &ir::Rule, b: &ir::Rule) -> bool {
    let s = cx.ir;
    let (Some(da), Some(db)) = (a.action.static_direction(), b.action.static_direction()) else {
        return false;
    };
    if da != db || a.id == b.id || duplicates(a, b) {
        return false;
    }
    let sustain_ok = match (a.sustain, b.sustain) {
        (_, ir::Sustain::Immediate) => true,
        (ir::Sustain::For(x), ir::Sustain::For(y)) => y <= x,
        (x, y) => x == y,
    };
    if !sustain_ok
        || sustain_ms(b) > sustain_ms(a)
        || cx.effective_cooldown(b) > cx.effective_cooldown(a)
    {
        return false;
    }
    let mut strictly = false;
    for n in counts(s) {
        let (ta, tb) = (
            clamped_target(s, a.action, n),
            clamped_target(s, b.action, n),
        );
        if tb < ta {
            return false;
        }
        strictly |= tb > ta;
    }
    // An impossible A or an always-true B is reported by its own lint; saying it
    // again here would only add noise.
    (strictly || b.id < a.id)
        && unsatisfiable(&a.condition) == Some(false)
        && always_true(&b.condition) == Some(false)
        && implies(&a.condition, &b.condition) == Some(true)
}

pub fn check(cx: &Ctx<'_>, out: &mut Vec<Diagnostic>) {
    let rules = &cx.ir.rules;
    for a in rules {
        if let Some(b) = rules.iter().find(|b| shadows(cx, a, b)) {
            out.push(diagnostic(b.line, cx.rule_span(a.id), cx.rule_span(b.id)));
        }
    }
}

/// The finding, on the shadowed rule, with the winning rule as secondary label.
pub fn diagnostic(
    winner_line: usize,
    shadowed: crate::span::Span,
    winner: crate::span::Span,
) -> Diagnostic {
    Diagnostic::warning(
                    INFO.code,
                    format!(
                        "this rule can never win: whenever it fires, the rule on line {} fires too and scales at least as far",
                        winner_line
                    ),
                    shadowed,
                )
                .label("never decides")
                .with_secondary(winner, "wins the tie-break every time")
                .help("delete the rule, or make its action larger than the other rule's so it takes over when its condition holds")
}

#[cfg(test)]
mod tests {
    use crate::lint::rules::test_util::fires;

    #[test]
    fn fires_when_implied_and_smaller() {
        assert!(fires("W204", "replicas 1..9\nmetric cpu in %\nwhen cpu > 70% scale out by 3\nwhen cpu > 90% scale out by 2\nwhen cpu < 9% scale in by 1\n"));
    }

    #[test]
    fn quiet_when_the_stricter_rule_scales_further() {
        assert!(!fires("W204", "replicas 1..9\nmetric cpu in %\nwhen cpu > 70% scale out by 1\nwhen cpu > 90% scale out by 3\nwhen cpu < 9% scale in by 1\n"));
    }
}
