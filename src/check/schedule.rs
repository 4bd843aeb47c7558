//! Schedules and time zones: the calendar of each `schedule` line, its zone (an IANA name
//! from `chrono-tz`'s compiled-in database) and its bounds.

use super::resolved::{Calendar, ScheduleSpec};
use super::ServiceChecker;
use crate::diagnostics::{Code, Diagnostic};
use crate::span::{Span, Spanned};
use crate::syntax::ast::{self, BoundKind, DaySet, ScheduleWhen};
use chrono::NaiveDate;

/// The canonical spelling of a zone name, matched exactly.
pub(super) fn zone(name: &str) -> Option<&'static str> {
    chrono_tz::TZ_VARIANTS
        .iter()
        .map(|z| z.name())
        .find(|n| *n == name)
}

/// Monday-based day number of a day name (`mon`, `monday`).
fn day_number(name: &str) -> Option<u32> {
    const DAYS: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];
    DAYS.iter()
        .position(|d| name.starts_with(d))
        .map(|i| i as u32)
}

impl ServiceChecker<'_> {
    /// A zone name, or an `unknown-time-zone` error with "did you mean".
    pub(super) fn time_zone(&mut self, z: &Spanned<String>) -> Option<&'static str> {
        if let Some(n) = zone(&z.node) {
            return Some(n);
        }
        let names = || chrono_tz::TZ_VARIANTS.iter().map(|t| t.name());
        let fix = names()
            .find(|n| n.eq_ignore_ascii_case(&z.node))
            .or_else(|| crate::diagnostics::did_you_mean(&z.node, names()));
        let help = match fix {
            Some(f) => format!("did you mean `{f}`? Zones are IANA names, case-sensitive"),
            None => "write an IANA zone name such as `Europe/Paris`, `America/New_York` or `UTC`"
                .to_string(),
        };
        self.sink.push(
            Diagnostic::error(
                Code::UNKNOWN_TIME_ZONE,
                format!("unknown time zone `{}`", z.node),
                z.span,
            )
            .label("not an IANA time zone")
            .help(help),
        );
        None
    }

    /// One `schedule` line. `default_zone`: the service's `timezone`, if any.
    pub(super) fn schedule(
        &mut self,
        s: &ast::ScheduleDecl,
        default_zone: Option<&'static str>,
        has_target: bool,
    ) -> Option<ScheduleSpec> {
        let zone_written = s.zone.is_some() || default_zone.is_some();
        let zone = match &s.zone {
            Some(z) => self.time_zone(z),
            None => Some(default_zone.unwrap_or("UTC")),
        };
        let calendar = self.calendar(&s.when, s.span);
        let (mut floor, mut ceiling, mut propose) = (None, None, None);
        let mut seen: [Option<Span>; 3] = [None; 3];
        let mut ok = true;
        for b in &s.bounds {
            let i = b.kind as usize;
            if let Some(first) = seen[i] {
                self.duplicate(bound_name(b.kind), b.span, first);
                ok = false;
            }
            seen[i] = Some(b.span);
            let n = self.count(&b.count, "a schedule's count");
            match b.kind {
                BoundKind::AtLeast => floor = n,
                BoundKind::AtMost => ceiling = n,
                BoundKind::Propose => propose = n,
            }
            ok &= n.is_some();
        }
        if let (Some(p), true) = (seen[BoundKind::Propose as usize], s.bounds.len() > 1) {
            self.invalid_schedule(
                p,
                "`propose N` stands alone: it is a metric, not a bound".into(),
                "write the floor or ceiling on a schedule line of its own",
            );
            ok = false;
        }
        if let (Some(f), Some(c)) = (floor, ceiling) {
            if f > c {
                self.invalid_schedule(
                    s.bounds
                        .iter()
                        .map(|b| b.span)
                        .reduce(Span::to)
                        .unwrap_or(s.span),
                    format!("the floor {f} is above the ceiling {c}"),
                    "swap them, or drop one",
                );
                ok = false;
            }
        }
        if let (Some(p), false) = (seen[BoundKind::Propose as usize], has_target) {
            self.sink.push(
                Diagnostic::error(
                    Code::PROPOSE_WITHOUT_TARGET,
                    "`propose` needs a `target` in the service",
                    p,
                )
                .label("an extra metric for target tracking")
                .help("`propose N` is KEDA's cron trigger, one of the HPA's metrics; without a target use `at least N`"),
            );
            ok = false;
        }
        let (calendar, zone) = (calendar?, zone?);
        ok.then(|| ScheduleSpec {
            calendar,
            zone: zone.to_string(),
            zone_written,
            floor,
            ceiling,
            propose,
        })
    }

    fn calendar(&mut self, when: &ScheduleWhen, span: Span) -> Option<Calendar> {
        match when {
            ScheduleWhen::Weekly { days, from, to } => {
                let mut bits = 0u8;
                for d in days {
                    bits |= self.day_set(d)?;
                }
                let start = self.clock(from)?;
                let end = self.clock(to)?;
                if start == 86_400 {
                    self.invalid_schedule(
                        from.span,
                        "a window cannot start at 24:00".into(),
                        "start at 00:00 of the next day",
                    );
                    return None;
                }
                if start == end {
                    self.invalid_schedule(
                        from.span.to(to.span),
                        "the window starts and ends at the same time".into(),
                        "a window from 08:00 to 08:00 is empty; give two different times",
                    );
                    return None;
                }
                Some(Calendar::Weekly {
                    days: bits,
                    start,
                    end,
                })
            }
            ScheduleWhen::Span {
                from_day,
                from,
                to_day,
                to,
            } => {
                let (a, b) = (day_number(&from_day.node)?, day_number(&to_day.node)?);
                let start = self.clock(from)?;
                let end = self.clock(to)?;
                if start == 86_400 {
                    self.invalid_schedule(
                        from.span,
                        "a window cannot start at 24:00".into(),
                        "start at 00:00 of the next day",
                    );
                    return None;
                }
                let mut span = (b + 7 - a) % 7;
                if span == 0 && end <= start {
                    span = 7;
                }
                Some(Calendar::Span {
                    day: a as u8,
                    start,
                    span_days: span as u8,
                    end,
                })
            }
            ScheduleWhen::Once {
                from_date,
                from_time,
                to_date,
                to_time,
            } => {
                let start_day = self.date(from_date)?;
                let end_day = self.date(to_date)?;
                let start_s = match from_time {
                    Some(t) => self.clock(t)?,
                    None => 0,
                };
                // A date alone as the end includes that day.
                let end_s = match to_time {
                    Some(t) => self.clock(t)?,
                    None => 86_400,
                };
                let start = start_day + i64::from(start_s);
                let end = end_day + i64::from(end_s);
                if end <= start {
                    self.invalid_schedule(
                        span,
                        "the date range ends before it starts".into(),
                        "write the earlier date after `from`",
                    );
                    return None;
                }
                Some(Calendar::Once { start, end })
            }
        }
    }

    fn day_set(&mut self, d: &DaySet) -> Option<u8> {
        match d {
            DaySet::Group(g) => Some(match g.node.as_str() {
                "weekdays" => 0b0001_1111,
                "weekends" => 0b0110_0000,
                _ => 0b0111_1111,
            }),
            DaySet::Range(a, b) => {
                let first = day_number(&a.node)?;
                let last = b.as_ref().map_or(Some(first), |b| day_number(&b.node))?;
                let mut bits = 0u8;
                let mut d = first;
                loop {
                    bits |= 1 << d;
                    if d == last {
                        break;
                    }
                    d = (d + 1) % 7;
                }
                Some(bits)
            }
        }
    }

    /// `hh:mm` as seconds after midnight; 24:00 allowed.
    fn clock(&mut self, t: &Spanned<String>) -> Option<u32> {
        let (h, m) = t.node.split_once(':')?;
        let (h, m): (u32, u32) = (h.parse().ok()?, m.parse().ok()?);
        if m >= 60 || h > 24 || (h == 24 && m > 0) {
            self.invalid_schedule(
                t.span,
                format!("`{}` is not a time of day", t.node),
                "write hours 00-23 and minutes 00-59, or 24:00 for the end of the day",
            );
            return None;
        }
        Some(h * 3600 + m * 60)
    }

    /// `YYYY-MM-DD` as seconds since 1970-01-01 (local).
    fn date(&mut self, d: &Spanned<String>) -> Option<i64> {
        match NaiveDate::parse_from_str(&d.node, "%Y-%m-%d") {
            Ok(date) => date.and_hms_opt(0, 0, 0).map(|dt| dt.and_utc().timestamp()),
            Err(_) => {
                self.invalid_schedule(
                    d.span,
                    format!("`{}` is not a date", d.node),
                    "write a calendar date as YYYY-MM-DD, e.g. `2026-11-27`",
                );
                None
            }
        }
    }

    fn invalid_schedule(&mut self, span: Span, msg: String, help: &str) {
        self.sink.push(
            Diagnostic::error(Code::INVALID_SCHEDULE, msg, span)
                .label("not a valid schedule")
                .help(help),
        );
    }
}

fn bound_name(k: BoundKind) -> &'static str {
    match k {
        BoundKind::AtLeast => "at least",
        BoundKind::AtMost => "at most",
        BoundKind::Propose => "propose",
    }
}
