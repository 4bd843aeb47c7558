//! W222 `rate-policy-cannot-reach-max`.

use crate::diagnostics::{Code, Diagnostic, Severity};
use crate::ir::display_tracking::DEFAULT_UP_POLICIES;
use crate::ir::{RatePolicy, SelectMode};
use crate::lint::{Ctx, LintInfo};

pub const INFO: LintInfo = LintInfo {
    code: Code::RATE_POLICY_CANNOT_REACH_MAX,
    default_severity: Severity::Warning,
    docs: r#"
### What it does
Starting from the start count, applies the targets' scale-up rate policies period after
period (`select max`: the policy allowing most; `select min`: the least; Pods: + N per
period; Percent: × (1 + P/100), rounded up) and reports when the count cannot reach
`max` within one hour; `select disabled` never scales out.

### Why is this bad
A traffic spike needs the capacity now; a policy that takes hours to reach `max` makes
`max` a number on paper.

### Example
```text
replicas 2..100
target cpu at 60%
behavior out at most 1 replica per 5m
```
After an hour: 14 replicas. Allow more, e.g. `at most 100% per 1m`.
"#,
};

const HOUR: i64 = 3_600_000;

/// The count the policies reach from `start` after one hour (`None`: disabled).
pub fn reach_in_an_hour(
    start: u32,
    max: u32,
    policies: &[RatePolicy],
    select: SelectMode,
) -> Option<u32> {
    if select == SelectMode::Disabled || policies.is_empty() {
        return None;
    }
    // Step through time at the shortest period; each policy may act once per its period.
    let step = policies
        .iter()
        .map(|p| p.period)
        .min()
        .unwrap_or(HOUR)
        .max(1000);
    let mut count = start.max(1);
    let mut t = 0;
    while t < HOUR && count < max {
        let allowed: Vec<u32> = policies
            .iter()
            .filter(|p| t % p.period == 0)
            .map(|p| {
                if p.percent {
                    (f64::from(count) * (1.0 + f64::from(p.value) / 100.0)).ceil() as u32
                } else {
                    count.saturating_add(p.value)
                }
            })
            .collect();
        let next = match select {
            SelectMode::Min => allowed.iter().copied().min(),
            _ => allowed.iter().copied().max(),
        };
        if let Some(n) = next {
            count = n.max(count).min(max);
        }
        t += step;
    }
    Some(count)
}

pub fn check(cx: &Ctx<'_>, out: &mut Vec<Diagnostic>) {
    let Some(t) = &cx.ir.targets else { return };
    // Without `behavior`: the legacy max(2 × current, 4) per 15 s reaches any max.
    let Some(b) = &t.behavior else { return };
    let up = b.scale_up.clone().unwrap_or_default();
    let policies = up
        .policies
        .clone()
        .unwrap_or_else(|| DEFAULT_UP_POLICIES.to_vec());
    let select = up.select.unwrap_or(SelectMode::Max);
    let reached = reach_in_an_hour(cx.ir.start, cx.ir.max, &policies, select);
    if reached.is_some_and(|r| r >= cx.ir.max) {
        return;
    }
    let anchor = cx.behavior_out_span().unwrap_or(cx.service_anchor());
    let msg = match reached {
        None => format!(
            "the targets never scale out (`select disabled`), so `max` {} is never reached",
            cx.ir.max
        ),
        Some(r) => format!(
            "the scale-up policies reach only {r} of {} replicas within an hour from {}",
            cx.ir.max, cx.ir.start
        ),
    };
    out.push(
        Diagnostic::warning(INFO.code, msg, anchor)
            .label("the scale-up rate")
            .help(
                "allow a faster scale-up, e.g. `behavior out at most 100% per 1m`, or lower `max`",
            ),
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lint::rules::test_util::fires;

    #[test]
    fn simulates_the_policies() {
        let p = |percent, value, period| RatePolicy {
            percent,
            value,
            period,
        };
        assert_eq!(
            reach_in_an_hour(2, 100, &[p(false, 1, 300_000)], SelectMode::Max),
            Some(14)
        );
        assert_eq!(
            reach_in_an_hour(2, 100, &[p(true, 100, 60_000)], SelectMode::Max),
            Some(100)
        );
        assert_eq!(
            reach_in_an_hour(2, 100, &[p(true, 100, 60_000)], SelectMode::Disabled),
            None
        );
    }

    #[test]
    fn fires_on_a_slow_policy_and_quiet_on_defaults() {
        let head = "replicas 2..100\nmetric cpu in %\ntarget cpu at 60%\n";
        assert!(fires(
            "W222",
            &format!("{head}behavior out at most 1 replica per 5m\n")
        ));
        assert!(fires(
            "W222",
            &format!("{head}behavior out select disabled\n")
        ));
        assert!(!fires("W222", &format!("{head}behavior\n")));
        assert!(!fires("W222", head));
    }
}
