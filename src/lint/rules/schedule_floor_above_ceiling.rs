//! W228 `schedule-floor-above-ceiling`.

use crate::diagnostics::{Code, Diagnostic, Severity};
use crate::eval::schedule::{first_overlap, Entry, When};
use crate::ir::Millis;
use crate::lint::{Ctx, LintInfo};
use crate::timestamp::format_timestamp;

pub const INFO: LintInfo = LintInfo {
    code: Code::SCHEDULE_FLOOR_ABOVE_CEILING,
    default_severity: Severity::Warning,
    docs: r#"
### What it does
Looks for two schedule lines in force at the same time where one's floor (`at least N`)
is above the other's ceiling (`at most M`, M < N), and reports the first instant they
overlap (weekly lines over a year from 2026-01-05, in their zones and with daylight
saving; a one-off line over its own dates).

### Why is this bad
Where a floor and a ceiling cross, the floor wins (`docs/language.md`, "schedule"): the
ceiling is silently ignored for the overlap, and an overnight cost cap or a maintenance
limit does not hold when the file says it does.

### Example
```text
schedule weekdays from 08:00 to 20:00 in Europe/Paris at least 10
schedule daily from 18:00 to 23:00 in Europe/Paris at most 4    # 18:00-20:00 on weekdays
```
Make the windows meet without overlapping (`from 20:00`), or lower the floor.
"#,
};

/// Where the search for weekly overlaps starts: a Monday, 00:00 UTC.
const EPOCH: Millis = 1_767_571_200_000; // 2026-01-05T00:00:00Z
/// A year and a day: every weekday of the year, both daylight-saving transitions.
const HORIZON: Millis = 366 * 86_400_000;

/// The instants to search: a one-off line's own range, else a year from [`EPOCH`].
fn range(a: &When, b: &When) -> (Millis, Millis) {
    let once_start = [a, b].into_iter().find_map(|w| match w {
        When::Once(o) => Some(o.start_ms()),
        When::Weekly(_) => None,
    });
    let from = once_start.unwrap_or(EPOCH);
    (from, from + HORIZON)
}

pub fn check(cx: &Ctx<'_>, out: &mut Vec<Diagnostic>) {
    let entries: Vec<(usize, Entry)> = cx
        .ir
        .schedules
        .iter()
        .enumerate()
        .filter_map(|(i, e)| Some((i, Entry::from_ir(e)?)))
        .collect();
    for (i, floor_entry) in &entries {
        let Some(floor) = floor_entry.floor else {
            continue;
        };
        for (j, ceiling_entry) in &entries {
            let Some(ceiling) = ceiling_entry.ceiling.filter(|c| *c < floor) else {
                continue;
            };
            if i == j {
                continue; // one line with both: E124 already
            }
            let (from, to) = range(&floor_entry.when, &ceiling_entry.when);
            let Some(at) = first_overlap(&floor_entry.when, &ceiling_entry.when, from, to) else {
                continue;
            };
            let (f, c) = (&cx.ir.schedules[*i], &cx.ir.schedules[*j]);
            out.push(
                Diagnostic::warning(
                    INFO.code,
                    format!(
                        "the floor {floor} is above the ceiling {ceiling} of line {} where both are in force (first at {}): the floor wins",
                        c.line,
                        format_timestamp(at)
                    ),
                    f.span,
                )
                .label(format!("at least {floor}"))
                .with_secondary(c.span, format!("at most {ceiling}, ignored while both hold"))
                .help("make the windows meet without overlapping, or bring the floor down to the ceiling"),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::lint::rules::test_util::{codes, fires};

    const HEAD: &str = "replicas 1..20\nmetric cpu in %\nwhen cpu > 80% scale out by 1\nwhen cpu < 20% scale in by 1\n";

    #[test]
    fn fires_on_overlapping_windows() {
        let src = format!(
            "{HEAD}schedule weekdays from 08:00 to 20:00 in Europe/Paris at least 10\nschedule daily from 18:00 to 23:00 in Europe/Paris at most 4\n"
        );
        let w: Vec<_> = codes(&src).into_iter().filter(|c| c.0 == "W228").collect();
        assert_eq!(w, vec![("W228", 5)]);
        // Different zones: 08:00-10:00 New York is 14:00-16:00 Paris (in winter).
        assert!(fires(
            "W228",
            &format!("{HEAD}schedule daily from 08:00 to 10:00 in America/New_York at least 8\nschedule daily from 15:00 to 15:30 in Europe/Paris at most 2\n")
        ));
        // A one-off range against a weekly cap.
        assert!(fires(
            "W228",
            &format!("{HEAD}schedule from 2027-11-26 to 2027-11-29 in UTC at least 12\nschedule sat,sun from 00:00 to 06:00 in UTC at most 3\n")
        ));
    }

    #[test]
    fn quiet_when_windows_meet_or_the_floor_is_lower() {
        assert!(!fires(
            "W228",
            &format!("{HEAD}schedule weekdays from 08:00 to 18:00 in UTC at least 10\nschedule daily from 18:00 to 23:00 in UTC at most 4\n")
        ));
        assert!(!fires(
            "W228",
            &format!("{HEAD}schedule weekdays from 08:00 to 20:00 in UTC at least 3\nschedule daily from 18:00 to 23:00 in UTC at most 4\n")
        ));
        // Weekend cap, weekday floor.
        assert!(!fires(
            "W228",
            &format!("{HEAD}schedule weekdays from 08:00 to 18:00 in UTC at least 10\nschedule weekends from 00:00 to 24:00 in UTC at most 2\n")
        ));
    }
}
