//! Calendar windows in a time zone, and the one rule that turns a local wall-clock time
//! into an instant across daylight-saving transitions (`docs/kubernetes.md`,
//! "Schedules"): **a boundary happens the first time the local clock reads that time or
//! later on that date.** A time skipped by a spring-forward jump therefore happens at the
//! jump (02:30 → 03:00 in Europe/Paris); a time repeated by a fall-back happens the first
//! time (02:30 CEST, not 02:30 CET). Each occurrence of a window is then one contiguous,
//! half-open interval of instants `[start, end)`.

use super::Millis;
use chrono::{
    Datelike, Days as ChronoDays, LocalResult, NaiveDate, NaiveDateTime, NaiveTime, Offset,
    TimeZone,
};
use chrono_tz::Tz;

/// Seconds after local midnight, `0..=86400` (86400 is the end of the day, `24:00`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct TimeOfDay(u32);

impl TimeOfDay {
    pub const MIDNIGHT: TimeOfDay = TimeOfDay(0);
    pub const END_OF_DAY: TimeOfDay = TimeOfDay(86_400);

    /// `hh:mm`; `24:00` is the end of the day. `None` when out of range.
    pub fn hm(hour: u32, minute: u32) -> Option<Self> {
        Self::hms(hour, minute, 0)
    }

    pub fn hms(hour: u32, minute: u32, second: u32) -> Option<Self> {
        if minute >= 60 || second >= 60 {
            return None;
        }
        let s = hour.checked_mul(3600)? + minute * 60 + second;
        (s <= 86_400).then_some(TimeOfDay(s))
    }

    pub fn seconds(self) -> u32 {
        self.0
    }

    /// The local date-time of this time on `date` (`24:00` is the next day's midnight).
    fn on(self, date: NaiveDate) -> NaiveDateTime {
        let (date, secs) = if self.0 == 86_400 {
            (date.checked_add_days(ChronoDays::new(1)).unwrap_or(date), 0)
        } else {
            (date, self.0)
        };
        let time = NaiveTime::from_num_seconds_from_midnight_opt(secs, 0).unwrap_or(NaiveTime::MIN);
        date.and_time(time)
    }
}

/// A set of days of the week (bit 0 is Monday).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Days(u8);

impl Days {
    pub const WEEKDAYS: Days = Days(0b0001_1111);
    pub const WEEKENDS: Days = Days(0b0110_0000);
    pub const EVERY_DAY: Days = Days(0b0111_1111);

    pub fn empty() -> Self {
        Days(0)
    }

    /// Adds a day, Monday = 0 … Sunday = 6 (larger numbers are ignored).
    pub fn with(self, monday_based: u32) -> Self {
        if monday_based < 7 {
            Days(self.0 | 1 << monday_based)
        } else {
            self
        }
    }

    pub fn contains(self, date: NaiveDate) -> bool {
        self.0 & (1 << date.weekday().num_days_from_monday()) != 0
    }

    pub fn is_empty(self) -> bool {
        self.0 == 0
    }
}

/// A window that recurs on some days of the week, `start`–`end` local time; `end` at or
/// before `start` runs past midnight into the next day (22:00–06:00). The days are the
/// days a window starts on.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Weekly {
    days: Days,
    start: TimeOfDay,
    end: TimeOfDay,
    /// Days from a window's start date to its end date, for a span across days (`from
    /// fri 18:00 to mon 08:00`); `None`: the same day, or the next when `end <= start`.
    span_days: Option<u32>,
    tz: Tz,
}

/// A single window between two local date-times.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Once {
    start: NaiveDateTime,
    end: NaiveDateTime,
    tz: Tz,
}

/// A calendar window that cannot be.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum CalendarError {
    #[error("the window names no day")]
    NoDays,
    #[error("the window starts and ends at the same time")]
    Empty,
    #[error("the window starts at 24:00")]
    StartsAtEndOfDay,
    #[error("the window ends before it starts")]
    EndsBeforeStart,
}

impl Weekly {
    pub fn new(
        days: Days,
        start: TimeOfDay,
        end: TimeOfDay,
        tz: Tz,
    ) -> Result<Self, CalendarError> {
        if days.is_empty() {
            return Err(CalendarError::NoDays);
        }
        if start == TimeOfDay::END_OF_DAY {
            return Err(CalendarError::StartsAtEndOfDay);
        }
        if start == end {
            return Err(CalendarError::Empty);
        }
        Ok(Weekly {
            days,
            start,
            end,
            span_days: None,
            tz,
        })
    }

    /// A weekly window from `start` on `start_day` to `end` on `end_day` (Monday = 0), as
    /// `from fri 18:00 to mon 08:00`; the same day and an end at or before the start is a
    /// whole week.
    pub fn spanning(
        start_day: u32,
        start: TimeOfDay,
        end_day: u32,
        end: TimeOfDay,
        tz: Tz,
    ) -> Result<Self, CalendarError> {
        if start == TimeOfDay::END_OF_DAY {
            return Err(CalendarError::StartsAtEndOfDay);
        }
        if start_day > 6 || end_day > 6 {
            return Err(CalendarError::NoDays);
        }
        let mut span = (end_day + 7 - start_day) % 7;
        if span == 0 && end <= start {
            span = 7;
        }
        Ok(Weekly {
            days: Days::empty().with(start_day),
            start,
            end,
            span_days: Some(span),
            tz,
        })
    }

    /// The occurrence that starts on `date`, as instants.
    fn occurrence(&self, date: NaiveDate) -> (Millis, Millis) {
        let start = boundary(self.tz, self.start.on(date));
        let span = match self.span_days {
            Some(d) => u64::from(d),
            None => u64::from(self.end <= self.start),
        };
        let end_date = date.checked_add_days(ChronoDays::new(span)).unwrap_or(date);
        (start, boundary(self.tz, self.end.on(end_date)))
    }

    pub(super) fn phase_at(&self, t: Millis) -> Phase {
        let today = local_date(self.tz, t);
        // An occurrence containing t started today, yesterday (past midnight) or, across
        // a transition that skips a day, the day before; a span across days up to 8 days
        // back.
        let back_days = self.span_days.map_or(2, |d| u64::from(d) + 1);
        for back in 0..=back_days {
            let Some(date) = today.checked_sub_days(ChronoDays::new(back)) else {
                continue;
            };
            if self.days.contains(date) {
                let (s, e) = self.occurrence(date);
                if s <= t && t < e {
                    return Phase::Active { until: e };
                }
            }
        }
        let next = (0..=8)
            .filter_map(|ahead| today.checked_add_days(ChronoDays::new(ahead)))
            .filter(|d| self.days.contains(*d))
            .map(|d| self.occurrence(d).0)
            .find(|s| *s > t);
        Phase::Inactive { until: next }
    }
}

impl Once {
    pub fn new(start: NaiveDateTime, end: NaiveDateTime, tz: Tz) -> Result<Self, CalendarError> {
        if end <= start {
            return Err(CalendarError::EndsBeforeStart);
        }
        Ok(Once { start, end, tz })
    }

    /// From the start of `first` to the end of `last`, whole days.
    pub fn days(first: NaiveDate, last: NaiveDate, tz: Tz) -> Result<Self, CalendarError> {
        let end = TimeOfDay::END_OF_DAY.on(last);
        Once::new(TimeOfDay::MIDNIGHT.on(first), end, tz)
    }

    /// The instant the range starts.
    pub fn start_ms(&self) -> Millis {
        boundary(self.tz, self.start)
    }

    pub(super) fn phase_at(&self, t: Millis) -> Phase {
        let s = boundary(self.tz, self.start);
        let e = boundary(self.tz, self.end);
        if t < s {
            Phase::Inactive { until: Some(s) }
        } else if t < e {
            Phase::Active { until: e }
        } else {
            Phase::Inactive { until: None }
        }
    }
}

/// Whether a window is active at an instant, and until when that stays so.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Phase {
    Active { until: Millis },
    Inactive { until: Option<Millis> },
}

/// The instant of a local date-time in `tz`: the first instant at which the local clock
/// reads `local` or later.
pub fn boundary(tz: Tz, local: NaiveDateTime) -> Millis {
    match tz.from_local_datetime(&local) {
        LocalResult::Single(t) => t.timestamp_millis(),
        LocalResult::Ambiguous(a, b) => a.timestamp_millis().min(b.timestamp_millis()),
        LocalResult::None => gap_end(tz, local),
    }
}

/// For a local time skipped by a transition, the instant of the transition: the earliest
/// second whose local time is at or after `local`. Offsets lie within ±15 h, so that
/// second lies within 15 h of `local` read as UTC; the local clock only moves forward
/// there, so a bisection finds it.
fn gap_end(tz: Tz, local: NaiveDateTime) -> Millis {
    let l = local.and_utc().timestamp();
    let (mut lo, mut hi) = (l - 15 * 3600, l + 15 * 3600);
    while hi - lo > 1 {
        let mid = lo + (hi - lo) / 2;
        if local_seconds(tz, mid) >= l {
            hi = mid;
        } else {
            lo = mid;
        }
    }
    hi * 1000
}

/// The local wall-clock time of the UTC second `s`, as seconds of a naive UTC clock.
fn local_seconds(tz: Tz, s: i64) -> i64 {
    match chrono::DateTime::from_timestamp(s, 0) {
        Some(utc) => {
            s + i64::from(
                tz.offset_from_utc_datetime(&utc.naive_utc())
                    .fix()
                    .local_minus_utc(),
            )
        }
        None => s,
    }
}

/// The local date at instant `t`.
fn local_date(tz: Tz, t: Millis) -> NaiveDate {
    let secs = t.div_euclid(1000);
    let local = local_seconds(tz, secs);
    chrono::DateTime::from_timestamp(local, 0)
        .map(|d| d.date_naive())
        .unwrap_or(NaiveDate::MIN)
}
