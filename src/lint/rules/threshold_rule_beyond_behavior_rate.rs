//! W227 `threshold-rule-beyond-behavior-rate`.

use super::{action_text, clamped_target, counts, moves};
use crate::diagnostics::{Code, Diagnostic, Severity};
use crate::ir::display_tracking::DEFAULT_UP_POLICIES;
use crate::ir::{Direction, RatePolicy, SelectMode};
use crate::lint::logic::show_ms;
use crate::lint::{Ctx, LintInfo};

pub const INFO: LintInfo = LintInfo {
    code: Code::THRESHOLD_RULE_BEYOND_BEHAVIOR_RATE,
    default_severity: Severity::Warning,
    docs: r#"
### What it does
In a service with targets and a `behavior`, compares each threshold scale-out rule's step
with what the targets' scale-up rate policies allow in one period at the same count
(`select max`: the policy allowing most; `select min`: the least; Pods: + N; Percent:
× (1 + P/100), rounded up), and reports the first count where the rule adds more.

### Why is this bad
`behavior` limits the targets only, but every change the service makes is a scale event
the policies count (`docs/language.md`, "Behavior and threshold rules"). A rule that
adds more than a period's budget spends all of it: for the rest of the period the
targets cannot scale out, however far their metric is above its value, so the step
silently stands in for the targets' own reaction.

### Example
```text
replicas 2..40
target cpu at 60%
behavior out at most 2 replicas per 1m
when p95 > 300ms for 1m scale out by 5    # 5 > 2: the targets wait out the minute
```
Make the step fit the budget, or widen the policies (`behavior out at most 100% per 1m`).
"#,
};

/// The count the policies allow from `c` in one period.
fn allowed(c: u32, policies: &[RatePolicy], select: SelectMode) -> u32 {
    let each = policies.iter().map(|p| {
        if p.percent {
            (f64::from(c) * (1.0 + f64::from(p.value) / 100.0)).ceil() as u32
        } else {
            c.saturating_add(p.value)
        }
    });
    let limit = match select {
        SelectMode::Min => each.min(),
        _ => each.max(),
    };
    limit.unwrap_or(c).max(c)
}

fn policy_text(p: &RatePolicy) -> String {
    if p.percent {
        format!("at most {}% per {}", p.value, show_ms(p.period))
    } else {
        let s = if p.value == 1 { "replica" } else { "replicas" };
        format!("at most {} {s} per {}", p.value, show_ms(p.period))
    }
}

pub fn check(cx: &Ctx<'_>, out: &mut Vec<Diagnostic>) {
    let Some(t) = &cx.ir.targets else { return };
    // Without `behavior` (the legacy path) no scale event limits the targets.
    let Some(b) = &t.behavior else { return };
    let up = b.scale_up.clone().unwrap_or_default();
    let select = up.select.unwrap_or(SelectMode::Max);
    if select == SelectMode::Disabled {
        return;
    }
    let policies = up
        .policies
        .clone()
        .unwrap_or_else(|| DEFAULT_UP_POLICIES.to_vec());
    let anchor = cx
        .behavior_out_span()
        .or_else(|| t.targets.first().map(|x| x.span))
        .unwrap_or(cx.service_anchor());
    let rates: Vec<String> = policies.iter().map(policy_text).collect();
    for r in cx
        .ir
        .rules
        .iter()
        .filter(|r| moves(cx.ir, r, Direction::Out))
    {
        let over = counts(cx.ir).find_map(|c| {
            let to = clamped_target(cx.ir, r.action, c);
            let budget = allowed(c, &policies, select).min(cx.ir.max);
            (to > budget).then_some((c, to - c, budget - c))
        });
        let Some((c, step, budget)) = over else {
            continue;
        };
        out.push(
            Diagnostic::warning(
                INFO.code,
                format!(
                    "at {c} replicas `{}` adds {step}, more than the {budget} the targets' scale-up policies allow in a period: it spends their whole budget",
                    action_text(r.action)
                ),
                r.span,
            )
            .label(format!("adds {step} at {c}"))
            .with_secondary(anchor, format!("scale-up budget: {}", rates.join(", ")))
            .help("make the step fit the budget, or widen the scale-up policies (e.g. `behavior out at most 100% per 1m`)"),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lint::rules::test_util::{codes, fires};

    const HEAD: &str = "replicas 2..40\nmetric cpu in %\nmetric p95 in ms\ntarget cpu at 60%\n";

    #[test]
    fn the_budget_follows_select() {
        let p = |percent, value| RatePolicy {
            percent,
            value,
            period: 60_000,
        };
        let both = [p(false, 2), p(true, 50)];
        assert_eq!(allowed(10, &both, SelectMode::Max), 15);
        assert_eq!(allowed(10, &both, SelectMode::Min), 12);
        assert_eq!(allowed(3, &both, SelectMode::Max), 5);
    }

    #[test]
    fn fires_on_a_step_beyond_the_budget() {
        let src = format!(
            "{HEAD}behavior out at most 2 replicas per 1m\nwhen p95 > 300ms for 1m scale out by 5\n"
        );
        let w: Vec<_> = codes(&src).into_iter().filter(|c| c.0 == "W227").collect();
        assert_eq!(w, vec![("W227", 6)]);
        // The default policies (4 replicas or 100% per 15s) with `scale to 30` from 2.
        assert!(fires(
            "W227",
            &format!("{HEAD}behavior in stabilize 5m\nwhen p95 > 300ms scale to 30\n")
        ));
    }

    #[test]
    fn quiet_within_the_budget_without_behavior_or_when_disabled() {
        assert!(!fires(
            "W227",
            &format!("{HEAD}behavior out at most 100% per 1m, at most 4 replicas per 1m\nwhen p95 > 300ms for 1m scale out by 4\n")
        ));
        assert!(!fires(
            "W227",
            &format!("{HEAD}when p95 > 300ms for 1m scale out by 10\n")
        ));
        assert!(!fires(
            "W227",
            &format!(
                "{HEAD}behavior out select disabled\nwhen p95 > 300ms for 1m scale out by 10\n"
            )
        ));
    }
}
