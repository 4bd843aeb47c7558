//! W226 `schedule-without-time-zone`.

use crate::diagnostics::{Code, Diagnostic, Severity};
use crate::lint::{Ctx, LintInfo};

pub const INFO: LintInfo = LintInfo {
    code: Code::SCHEDULE_WITHOUT_TIME_ZONE,
    default_severity: Severity::Warning,
    docs: r#"
### What it does
Reports a `schedule` line with no `in ZONE`, in a service with no `timezone` statement.

### Why is this bad
Such a schedule runs in UTC. Office hours, shop opening times and batch windows are
local times: in UTC they drift by an hour twice a year wherever daylight saving applies,
and are hours off elsewhere. Writing the zone, even `in UTC`, says the time was meant.

### Example
```text
schedule weekdays from 08:00 to 18:00 at least 10
```
Write `schedule weekdays from 08:00 to 18:00 in Europe/Paris at least 10`, or
`timezone Europe/Paris` once for the service.
"#,
};

pub fn check(cx: &Ctx<'_>, out: &mut Vec<Diagnostic>) {
    for e in cx.ir.schedules.iter().filter(|e| !e.zone_written) {
        out.push(
            Diagnostic::warning(
                INFO.code,
                "this schedule names no time zone: it runs in UTC",
                e.span,
            )
            .label("in UTC")
            .help("write `in ZONE` on the line (e.g. `in Europe/Paris`, or `in UTC` if meant), or `timezone ZONE` once for the service"),
        );
    }
}

#[cfg(test)]
mod tests {
    use crate::lint::rules::test_util::{codes, fires};

    #[test]
    fn fires_on_a_schedule_without_a_zone() {
        let src = "replicas 1..9\nmetric cpu in %\nwhen cpu > 80% scale out by 1\nwhen cpu < 20% scale in by 1\nschedule weekdays from 08:00 to 18:00 at least 3\nschedule daily from 00:00 to 06:00 in UTC at most 4\n";
        let w: Vec<_> = codes(src).into_iter().filter(|c| c.0 == "W226").collect();
        assert_eq!(w, vec![("W226", 5)]);
    }

    #[test]
    fn quiet_with_a_service_time_zone() {
        assert!(!fires(
            "W226",
            "replicas 1..9\ntimezone Europe/Paris\nmetric cpu in %\nwhen cpu > 80% scale out by 1\nschedule weekdays from 08:00 to 18:00 at least 3\n"
        ));
    }
}
