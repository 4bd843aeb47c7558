//! Schedules: replica floors and ceilings that follow a calendar in a time zone, such as
//! "weekdays 08:00–18:00 Europe/Paris, at least 10" or "2025-11-28 all day, at least 30".
//! At an instant, the active entries give a floor (the highest active floor) and a
//! ceiling (the lowest active ceiling), which move the service's bounds; they never move
//! them outside `replicas MIN..MAX`, and where a floor and a ceiling cross, the floor wins.
//! The anchors are KEDA's cron scaler (`start`/`end` cron, `timezone`, `desiredReplicas`)
//! and AWS scheduled actions (min/max capacity on a recurrence in a time zone);
//! `docs/kubernetes.md` ("Schedules") has the semantics, the daylight-saving rule in
//! [`calendar`] and the comparison with both.
//!
//! Time zones come from `chrono-tz` (the IANA database compiled in, so results do not
//! depend on the machine's zoneinfo files).

pub mod calendar;

pub use calendar::{boundary, CalendarError, Days, Once, TimeOfDay, Weekly};
pub use chrono_tz::Tz;

use crate::ir::{self, Calendar, Millis};
use calendar::Phase;
use std::borrow::Cow;

/// When an entry applies.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum When {
    Weekly(Weekly),
    Once(Once),
}

impl When {
    fn phase_at(&self, t: Millis) -> Phase {
        match self {
            When::Weekly(w) => w.phase_at(t),
            When::Once(o) => o.phase_at(t),
        }
    }
}

/// One schedule entry: while `when` holds, at least `floor` and at most `ceiling` replicas.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Entry {
    pub when: When,
    pub floor: Option<u32>,
    pub ceiling: Option<u32>,
}

impl Entry {
    /// A schedule line as the library's entry. The checker validated it, so the
    /// library's own checks hold; an entry it would still refuse is `None`.
    pub fn from_ir(e: &ir::ScheduleEntry) -> Option<Entry> {
        let tz: Tz = e.zone.parse().ok()?;
        let when = match e.calendar {
            Calendar::Weekly { days, start, end } => {
                let mut d = Days::empty();
                for i in 0..7 {
                    if days & (1 << i) != 0 {
                        d = d.with(i);
                    }
                }
                let start = TimeOfDay::hms(start / 3600, start % 3600 / 60, 0)?;
                let end = TimeOfDay::hms(end / 3600, end % 3600 / 60, 0)?;
                When::Weekly(Weekly::new(d, start, end, tz).ok()?)
            }
            Calendar::Span {
                day,
                start,
                span_days,
                end,
            } => {
                let start = TimeOfDay::hms(start / 3600, start % 3600 / 60, 0)?;
                let end = TimeOfDay::hms(end / 3600, end % 3600 / 60, 0)?;
                let end_day = (u32::from(day) + u32::from(span_days)) % 7;
                When::Weekly(Weekly::spanning(u32::from(day), start, end_day, end, tz).ok()?)
            }
            Calendar::Once { start, end } => {
                let local = |s: i64| chrono::DateTime::from_timestamp(s, 0).map(|d| d.naive_utc());
                When::Once(Once::new(local(start)?, local(end)?, tz).ok()?)
            }
        };
        Some(Entry {
            when,
            floor: e.floor,
            ceiling: e.ceiling,
        })
    }
}

/// The first instant in `[from, to)` at which both `a` and `b` are active, if any: a
/// walk from boundary to boundary (an overlap starts when the later of the two starts).
pub fn first_overlap(a: &When, b: &When, from: Millis, to: Millis) -> Option<Millis> {
    let mut t = from;
    while t < to {
        let next = match (a.phase_at(t), b.phase_at(t)) {
            (Phase::Active { .. }, Phase::Active { .. }) => return Some(t),
            (Phase::Inactive { until: x }, Phase::Inactive { until: y }) => x?.max(y?),
            (Phase::Inactive { until }, Phase::Active { .. })
            | (Phase::Active { .. }, Phase::Inactive { until }) => until?,
        };
        // Boundaries lie ahead of `t`; the guard only keeps a bad calendar from looping.
        t = next.max(t + 1);
    }
    None
}

/// What the schedule says at an instant.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Active {
    /// The highest floor of the active entries.
    pub floor: Option<u32>,
    /// The lowest ceiling of the active entries.
    pub ceiling: Option<u32>,
}

impl Active {
    /// The bounds in force given the static bounds `min..=max`: each moved by the schedule
    /// but kept within the static bounds; a floor above the ceiling wins.
    pub fn bounds(self, min: u32, max: u32) -> (u32, u32) {
        let lo = self.floor.map_or(min, |f| f.clamp(min, max));
        let hi = self.ceiling.map_or(max, |c| c.clamp(min, max));
        (lo, hi.max(lo))
    }

    fn add(&mut self, e: &Entry) {
        if let Some(f) = e.floor {
            self.floor = Some(self.floor.map_or(f, |g| g.max(f)));
        }
        if let Some(c) = e.ceiling {
            self.ceiling = Some(self.ceiling.map_or(c, |d| d.min(c)));
        }
    }
}

/// A service's schedule entries.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Schedule {
    pub entries: Vec<Entry>,
}

impl Schedule {
    /// The floor and ceiling in force at `t`.
    pub fn at(&self, t: Millis) -> Active {
        let mut active = Active::default();
        for e in &self.entries {
            if matches!(e.when.phase_at(t), Phase::Active { .. }) {
                active.add(e);
            }
        }
        active
    }

    /// A cursor for evaluating at increasing instants (a backtest's ticks): each entry's
    /// phase is recomputed only when it changes.
    pub fn clock(&self) -> Clock<'_> {
        Clock {
            cache: vec![None; self.entries.len()],
            schedule: Cow::Borrowed(self),
        }
    }

    /// [`clock`](Self::clock) owning the schedule (for an evaluator that builds it).
    pub fn into_clock(self) -> Clock<'static> {
        Clock {
            cache: vec![None; self.entries.len()],
            schedule: Cow::Owned(self),
        }
    }
}

/// An entry's phase, known to hold for `[from, until)`.
#[derive(Clone, Copy, Debug)]
struct Cached {
    from: Millis,
    until: Option<Millis>,
    active: bool,
}

/// See [`Schedule::clock`]. Any instant may be asked; instants that move forward are cheap.
#[derive(Clone, Debug)]
pub struct Clock<'s> {
    schedule: Cow<'s, Schedule>,
    cache: Vec<Option<Cached>>,
}

impl Clock<'_> {
    pub fn at(&mut self, t: Millis) -> Active {
        self.at_entries(t, &mut [])
    }

    /// [`at`](Self::at), also setting `which[i]` to whether entry `i` is active (for as
    /// many entries as `which` holds).
    pub fn at_entries(&mut self, t: Millis, which: &mut [bool]) -> Active {
        let mut active = Active::default();
        for (i, (e, slot)) in self
            .schedule
            .entries
            .iter()
            .zip(self.cache.iter_mut())
            .enumerate()
        {
            let valid = slot.filter(|c| c.from <= t && c.until.is_none_or(|u| t < u));
            let cached = match valid {
                Some(c) => c,
                None => {
                    let c = match e.when.phase_at(t) {
                        Phase::Active { until } => Cached {
                            from: t,
                            until: Some(until),
                            active: true,
                        },
                        Phase::Inactive { until } => Cached {
                            from: t,
                            until,
                            active: false,
                        },
                    };
                    *slot = Some(c);
                    c
                }
            };
            if let Some(w) = which.get_mut(i) {
                *w = cached.active;
            }
            if cached.active {
                active.add(e);
            }
        }
        active
    }
}

#[cfg(test)]
mod tests;
