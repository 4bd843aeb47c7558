//! KEDA's cron trigger ↔ `schedule` lines.
//!
//! KEDA (`pkg/scalers/cron_scaler.go`, `IsActive`) is active at `t` when the next firing
//! of `end` comes at or before the next firing of `start` (both `robfig/cron` five-field
//! schedules in `timezone`, "next" meaning strictly after `t`). So the trigger is active
//! from a firing (of either expression) until each `end` firing that is the next event
//! after it: on `[previous event, end)`; an `end` firing together with a `start` closes a
//! window too. For
//! expressions with a fixed minute and hour on whole days of the week, that is a weekly
//! set of windows, computed here exactly and written as `schedule` lines; anything else
//! (steps, several hours, days of the month, months) is refused (E409) with the field.

use super::policy::{Days, Hm, Window};

const WEEK: u32 = 7 * 1440;

/// A cron expression with a fixed minute and hour: `M H * * DOW`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Cron {
    pub at: Hm,
    pub days: Days,
}

/// Why an expression has no exact `schedule` form.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CronError(pub String);

const DOW_NAMES: [&str; 7] = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"];

impl Cron {
    pub fn parse(text: &str) -> Result<Cron, CronError> {
        let fields: Vec<&str> = text.split_whitespace().collect();
        if text.trim_start().starts_with('@') {
            return Err(CronError(format!(
                "`{text}`: KEDA's cron parser takes five fields (minute hour day-of-month month day-of-week), not descriptors"
            )));
        }
        let [minute, hour, dom, month, dow] = fields[..] else {
            return Err(CronError(format!(
                "`{text}` has {} fields; KEDA's cron expressions have five (minute hour day-of-month month day-of-week)",
                fields.len()
            )));
        };
        let number = |f: &str, what: &str, max: u8| -> Result<u8, CronError> {
            match f.parse::<u8>() {
                Ok(n) if n <= max => Ok(n),
                Ok(_) => Err(CronError(format!("the {what} `{f}` is out of range 0–{max}"))),
                Err(_) => Err(CronError(format!(
                    "the {what} `{f}` is not one number: only a fixed minute and hour translate (steps, lists and ranges do not)"
                ))),
            }
        };
        let minute = number(minute, "minute", 59)?;
        let hour = number(hour, "hour", 23)?;
        for (f, what) in [(dom, "day of the month"), (month, "month")] {
            if f != "*" && f != "?" {
                return Err(CronError(format!(
                    "the {what} `{f}` is not `*`: only whole days of the week translate"
                )));
            }
        }
        Ok(Cron {
            at: Hm { hour, minute },
            days: parse_dow(dow)?,
        })
    }
}

fn parse_dow(f: &str) -> Result<Days, CronError> {
    if f == "*" || f == "?" {
        return Ok(Days::ALL);
    }
    let day = |s: &str| -> Result<u8, CronError> {
        let robfig = match s.parse::<u8>() {
            Ok(n) if n <= 6 => n,
            Ok(n) => {
                return Err(CronError(format!(
                    "the day of the week `{n}` is out of range 0–6"
                )))
            }
            Err(_) => DOW_NAMES
                .iter()
                .position(|d| d.eq_ignore_ascii_case(s))
                .map(|p| p as u8)
                .ok_or_else(|| CronError(format!("`{s}` is not a day of the week")))?,
        };
        Ok((robfig + 6) % 7) // robfig: 0 = Sunday; Days: bit 0 = Monday
    };
    let mut bits = 0u8;
    for item in f.split(',') {
        if item.contains('/') {
            return Err(CronError(format!(
                "the day of the week `{f}` has a step: list the days instead"
            )));
        }
        match item.split_once('-') {
            Some((a, b)) => {
                let (ra, rb) = (robfig_number(day(a)?), robfig_number(day(b)?));
                if ra > rb {
                    return Err(CronError(format!("the range `{item}` runs backwards")));
                }
                for r in ra..=rb {
                    bits |= 1 << ((r + 6) % 7);
                }
            }
            None => bits |= 1 << day(item)?,
        }
    }
    Ok(Days(bits))
}

fn robfig_number(day: u8) -> u8 {
    (day + 1) % 7
}

/// The day-of-week field export writes: `*`, or robfig numbers with ranges (`1-5`, `0,6`).
pub fn dow_field(days: Days) -> String {
    if days == Days::ALL {
        return "*".into();
    }
    let nums: Vec<u8> = (0..7u8).filter(|r| days.has((r + 6) % 7)).collect();
    let mut parts = Vec::new();
    let mut i = 0;
    while i < nums.len() {
        let mut j = i;
        while j + 1 < nums.len() && nums[j + 1] == nums[j] + 1 {
            j += 1;
        }
        parts.push(if j > i + 1 {
            format!("{}-{}", nums[i], nums[j])
        } else if j == i + 1 {
            format!("{},{}", nums[i], nums[j])
        } else {
            nums[i].to_string()
        });
        i = j + 1;
    }
    parts.join(",")
}

/// The windows during which a `start`/`end` pair is active, as `schedule` windows: windows
/// with the same times on several days are one line; a window longer than a day is a span.
pub fn windows(start: Cron, end: Cron) -> Result<Vec<Window>, CronError> {
    // Events in minutes of the week from Monday 00:00; 1 = start, 2 = end, 3 = both.
    let mut events: Vec<(u32, u8)> = Vec::new();
    for (c, kind) in [(start, 1u8), (end, 2u8)] {
        for d in 0..7u8 {
            if c.days.has(d) {
                let t = u32::from(d) * 1440 + c.at.minutes();
                match events.iter_mut().find(|e| e.0 == t) {
                    Some(e) => e.1 |= kind,
                    None => events.push((t, kind)),
                }
            }
        }
    }
    events.sort_unstable();
    let n = events.len();
    if !events.iter().any(|e| e.1 == 1) {
        return Err(CronError(
            "`start` never fires without `end`: KEDA refuses a start equal to the end".into(),
        ));
    }
    // Each end event closes a window opened by the event before it.
    let mut spans: Vec<(u32, u32)> = Vec::new();
    for k in 0..n {
        if events[k].1 & 2 != 0 {
            let prev = events[(k + n - 1) % n].0;
            spans.push((prev, events[k].0));
        }
    }
    // Merge windows that touch (an end followed by an end extends the window).
    let mut merged: Vec<(u32, u32)> = Vec::new();
    for (s, e) in spans {
        match merged.last_mut() {
            Some(last) if last.1 == s => last.1 = e,
            _ => merged.push((s, e)),
        }
    }
    if merged.len() > 1 {
        let (first, last) = (merged[0], merged[merged.len() - 1]);
        if last.1 == first.0 {
            merged[0].0 = last.0;
            merged.pop();
        }
    }
    // In the order of the week from Monday 00:00.
    merged.sort_unstable();
    Ok(group(&merged))
}

fn group(spans: &[(u32, u32)]) -> Vec<Window> {
    let mut out: Vec<Window> = Vec::new();
    for &(s, e) in spans {
        let len = (e + WEEK - s) % WEEK;
        let day = (s / 1440) as u8;
        let from = hm(s % 1440);
        let to = hm(e % 1440);
        if len > 0 && len <= 1440 {
            let joined = out.iter_mut().any(|w| match w {
                Window::Daily {
                    days,
                    from: f,
                    to: t,
                } if *f == from && *t == to => {
                    days.0 |= 1 << day;
                    true
                }
                _ => false,
            });
            if !joined {
                out.push(Window::Daily {
                    days: Days(1 << day),
                    from,
                    to,
                });
            }
        } else {
            out.push(Window::Span {
                from_day: day,
                from,
                to_day: ((e % WEEK) / 1440) as u8,
                to,
            });
        }
    }
    out
}

fn hm(minutes: u32) -> Hm {
    Hm {
        hour: (minutes / 60) as u8,
        minute: (minutes % 60) as u8,
    }
}

/// The `start` and `end` expressions export writes for a window.
pub fn expressions(window: &Window) -> (String, String) {
    let field = |at: Hm, days: Days| {
        // 24:00 is midnight of the next day.
        let (at, days) = if at.hour == 24 {
            (Hm { hour: 0, minute: 0 }, shift(days))
        } else {
            (at, days)
        };
        format!("{} {} * * {}", at.minute, at.hour, dow_field(days))
    };
    match *window {
        Window::Daily { days, from, to } => {
            let end_days = if to > from { days } else { shift(days) };
            (field(from, days), field(to, end_days))
        }
        Window::Span {
            from_day,
            from,
            to_day,
            to,
        } => (
            field(from, Days(1 << from_day)),
            field(to, Days(1 << to_day)),
        ),
    }
}

/// The days one day later (Sunday → Monday).
fn shift(days: Days) -> Days {
    Days(((days.0 << 1) | (days.0 >> 6)) & 0x7f)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn w(start: &str, end: &str) -> Vec<Window> {
        windows(Cron::parse(start).unwrap(), Cron::parse(end).unwrap()).unwrap()
    }

    fn daily(days: u8, from: (u8, u8), to: (u8, u8)) -> Window {
        Window::Daily {
            days: Days(days),
            from: Hm {
                hour: from.0,
                minute: from.1,
            },
            to: Hm {
                hour: to.0,
                minute: to.1,
            },
        }
    }

    #[test]
    fn business_hours_are_one_line() {
        assert_eq!(
            w("0 8 * * 1-5", "0 18 * * 1-5"),
            vec![daily(0x1f, (8, 0), (18, 0))]
        );
        assert_eq!(
            w("30 6 * * *", "0 22 * * *"),
            vec![daily(0x7f, (6, 30), (22, 0))]
        );
        assert_eq!(
            w("0 8 * * MON-FRI", "0 18 * * mon-fri"),
            w("0 8 * * 1-5", "0 18 * * 1-5")
        );
    }

    #[test]
    fn overnight_on_weekdays_runs_friday_night_into_monday() {
        // KEDA: from Friday 22:00 the next `end` is Monday 06:00.
        let got = w("0 22 * * 1-5", "0 6 * * 1-5");
        assert_eq!(
            got,
            vec![
                daily(0b0_1111, (22, 0), (6, 0)),
                Window::Span {
                    from_day: 4,
                    from: Hm {
                        hour: 22,
                        minute: 0
                    },
                    to_day: 0,
                    to: Hm { hour: 6, minute: 0 },
                },
            ]
        );
        // Every day: plain overnight windows.
        assert_eq!(
            w("0 22 * * *", "0 6 * * *"),
            vec![daily(0x7f, (22, 0), (6, 0))]
        );
    }

    #[test]
    fn a_later_end_extends_the_window() {
        // Start Monday 08:00; ends Monday and Tuesday 18:00: active Monday 08:00 → Tuesday 18:00.
        let got = w("0 8 * * 1", "0 18 * * 1,2");
        assert_eq!(
            got,
            vec![Window::Span {
                from_day: 0,
                from: Hm { hour: 8, minute: 0 },
                to_day: 1,
                to: Hm {
                    hour: 18,
                    minute: 0
                },
            }]
        );
    }

    #[test]
    fn what_does_not_translate_says_why() {
        for (e, why) in [
            ("*/5 8 * * *", "not one number"),
            ("0 8-17 * * *", "not one number"),
            ("0 8 1 * *", "day of the month"),
            ("0 8 * 12 *", "month"),
            ("0 8 * * 1/2", "step"),
            ("0 8 * * 7", "out of range"),
            ("0 24 * * *", "out of range"),
            ("@daily", "descriptors"),
            ("0 8 * *", "4 fields"),
            ("0 8 * * 5-1", "backwards"),
        ] {
            let err = Cron::parse(e).unwrap_err();
            assert!(err.0.contains(why), "{e}: {}", err.0);
        }
        let same = Cron::parse("0 8 * * *").unwrap();
        assert!(windows(same, same).is_err());
    }

    #[test]
    fn exported_expressions_give_back_the_window() {
        for (s, e) in [
            ("0 8 * * 1-5", "0 18 * * 1-5"),
            ("0 22 * * *", "0 6 * * *"),
            ("15 22 * * 5", "0 6 * * 6"),
            ("0 9 * * 0,6", "0 17 * * 0,6"),
            ("0 8 * * 1", "0 18 * * 2"),
        ] {
            for window in w(s, e) {
                let (s2, e2) = expressions(&window);
                assert_eq!(w(&s2, &e2), vec![window], "{s} / {e} → {s2} / {e2}");
            }
        }
        assert_eq!(
            expressions(&daily(0x1f, (8, 0), (18, 0))),
            ("0 8 * * 1-5".to_string(), "0 18 * * 1-5".to_string())
        );
        assert_eq!(dow_field(Days::WEEKENDS), "0,6");
        assert_eq!(dow_field(Days(0b101_0101)), "0,1,3,5");
    }
}
