//! W223 `schedule-floor-above-max`.

use crate::diagnostics::{Code, Diagnostic, Severity};
use crate::lint::{Ctx, LintInfo};

pub const INFO: LintInfo = LintInfo {
    code: Code::SCHEDULE_FLOOR_ABOVE_MAX,
    default_severity: Severity::Warning,
    docs: r#"
### What it does
Reports a schedule `at least N` with N above the service's `max`, or `at most N` below
its `min`.

### Why is this bad
Schedules move the bounds only within `replicas MIN..MAX`: the floor is clamped to `max`
(the ceiling to `min`), so the schedule does not do what it says.

### Example
```text
replicas 2..20
schedule weekdays from 08:00 to 18:00 in Europe/Paris at least 30
```
Raise `max` to 30, or lower the floor.
"#,
};

pub fn check(cx: &Ctx<'_>, out: &mut Vec<Diagnostic>) {
    let (min, max) = (cx.ir.min, cx.ir.max);
    for e in &cx.ir.schedules {
        let msg = match (e.floor, e.ceiling) {
            (Some(f), _) if f > max => {
                format!("the floor {f} is above the maximum {max}: it is clamped to {max}")
            }
            (_, Some(c)) if c < min => {
                format!("the ceiling {c} is below the minimum {min}: it is clamped to {min}")
            }
            _ => continue,
        };
        out.push(
            Diagnostic::warning(INFO.code, msg, e.span)
                .label("clamped by `replicas`")
                .with_secondary(cx.service_anchor(), format!("replicas {min}..{max}"))
                .help("schedules move the bounds only within `replicas MIN..MAX`: widen the bounds, or change the schedule's count"),
        );
    }
}

#[cfg(test)]
mod tests {
    use crate::lint::rules::test_util::{codes, fires};

    #[test]
    fn fires_on_a_floor_above_max() {
        let src = "replicas 2..20\nmetric cpu in %\nwhen cpu > 80% scale out by 1\nwhen cpu < 20% scale in by 1\nschedule weekdays from 08:00 to 18:00 in Europe/Paris at least 30\n";
        assert_eq!(
            codes(src)
                .into_iter()
                .filter(|c| c.0 == "W223")
                .collect::<Vec<_>>(),
            vec![("W223", 5)]
        );
        assert!(fires("W223", "replicas 2..20\nschedule daily from 00:00 to 06:00 at most 1\nwhen cpu > 80% scale out by 1\n"));
    }

    #[test]
    fn quiet_within_bounds() {
        assert!(!fires("W223", "replicas 2..20\nschedule daily from 00:00 to 06:00 at most 4, at least 3\nwhen cpu > 80% scale out by 1\n"));
    }
}
