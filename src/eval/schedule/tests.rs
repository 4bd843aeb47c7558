//! Schedules across daylight-saving transitions. Dates are Europe/Paris 2025: clocks jump
//! 02:00 CET → 03:00 CEST on Sunday 30 March (01:00 UTC) and fall back 03:00 CEST →
//! 02:00 CET on Sunday 26 October (01:00 UTC).

use super::*;
use chrono::{NaiveDate, NaiveDateTime};
use chrono_tz::Tz;

const PARIS: Tz = chrono_tz::Europe::Paris;

fn utc(s: &str) -> Millis {
    NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S")
        .expect("test timestamp")
        .and_utc()
        .timestamp_millis()
}

fn hm(h: u32, m: u32) -> TimeOfDay {
    TimeOfDay::hm(h, m).expect("test time")
}

fn daily(start: TimeOfDay, end: TimeOfDay) -> Schedule {
    weekly(Days::EVERY_DAY, start, end, Some(10), None)
}

fn weekly(
    days: Days,
    start: TimeOfDay,
    end: TimeOfDay,
    floor: Option<u32>,
    ceiling: Option<u32>,
) -> Schedule {
    let w = Weekly::new(days, start, end, PARIS).expect("test window");
    Schedule {
        entries: vec![Entry {
            when: When::Weekly(w),
            floor,
            ceiling,
        }],
    }
}

fn active(s: &Schedule, t: &str) -> bool {
    s.at(utc(t)).floor.is_some()
}

#[test]
fn weekdays_business_hours_follow_local_time_through_the_change() {
    let s = weekly(Days::WEEKDAYS, hm(8, 0), hm(18, 0), Some(10), None);
    // Friday 28 March, CET (UTC+1): 08:00 local is 07:00 UTC.
    assert!(!active(&s, "2025-03-28 06:59:59"));
    assert!(active(&s, "2025-03-28 07:00:00"));
    assert!(active(&s, "2025-03-28 16:59:59"));
    assert!(!active(&s, "2025-03-28 17:00:00"), "the end is exclusive");
    // Saturday and Sunday: nothing.
    assert!(!active(&s, "2025-03-29 10:00:00"));
    // Monday 31 March, CEST (UTC+2): 08:00 local is 06:00 UTC.
    assert!(active(&s, "2025-03-31 06:00:00"));
    assert!(!active(&s, "2025-03-31 16:00:00"));
}

#[test]
fn a_start_in_the_skipped_hour_happens_at_the_jump() {
    // 02:30 does not exist on 30 March; the window starts when the clock jumps to 03:00
    // (01:00 UTC) and ends at 04:00 CEST (02:00 UTC).
    let s = daily(hm(2, 30), hm(4, 0));
    assert!(!active(&s, "2025-03-30 00:59:59"));
    assert!(active(&s, "2025-03-30 01:00:00"));
    assert!(active(&s, "2025-03-30 01:59:59"));
    assert!(!active(&s, "2025-03-30 02:00:00"));
    assert_eq!(
        boundary(
            PARIS,
            NaiveDate::from_ymd_opt(2025, 3, 30)
                .expect("date")
                .and_hms_opt(2, 30, 0)
                .expect("time")
        ),
        utc("2025-03-30 01:00:00")
    );
}

#[test]
fn a_window_inside_the_skipped_hour_does_not_happen_that_day() {
    let s = daily(hm(2, 10), hm(2, 50));
    assert!(
        active(&s, "2025-03-29 01:30:00"),
        "the day before: 02:30 CET"
    );
    for t in [
        "2025-03-30 00:30:00",
        "2025-03-30 01:00:00",
        "2025-03-30 01:30:00",
    ] {
        assert!(!active(&s, t), "{t}");
    }
    assert!(
        active(&s, "2025-03-31 00:30:00"),
        "the day after: 02:30 CEST"
    );
}

#[test]
fn a_repeated_time_happens_the_first_time() {
    // On 26 October 02:30 happens at 00:30 UTC (CEST) and again at 01:30 UTC (CET).
    // 02:30–04:00 starts at the first 02:30 and ends at 04:00 CET (03:00 UTC).
    let s = daily(hm(2, 30), hm(4, 0));
    assert!(!active(&s, "2025-10-26 00:29:59"));
    assert!(active(&s, "2025-10-26 00:30:00"));
    assert!(
        active(&s, "2025-10-26 01:45:00"),
        "stays active through the repeated hour"
    );
    assert!(!active(&s, "2025-10-26 03:00:00"));
    // 01:30–02:30 ends at the first 02:30: the window is one interval; it does not come
    // back when the clock shows 02:00–02:30 a second time.
    let s = daily(hm(1, 30), hm(2, 30));
    assert!(active(&s, "2025-10-25 23:30:00"));
    assert!(!active(&s, "2025-10-26 00:30:00"));
    assert!(!active(&s, "2025-10-26 01:15:00"));
}

#[test]
fn a_window_past_midnight_belongs_to_its_start_day() {
    let friday = Days::empty().with(4);
    let s = weekly(friday, hm(22, 0), hm(6, 0), Some(3), None);
    assert!(active(&s, "2025-03-28 21:00:00"), "Friday 22:00 CET");
    assert!(active(&s, "2025-03-29 04:59:59"), "Saturday 05:59 CET");
    assert!(!active(&s, "2025-03-29 05:00:00"));
    assert!(
        !active(&s, "2025-03-29 21:30:00"),
        "Saturday night is not Friday"
    );
}

#[test]
fn a_whole_day_is_midnight_to_midnight() {
    let s = weekly(
        Days::empty().with(6),
        TimeOfDay::MIDNIGHT,
        TimeOfDay::END_OF_DAY,
        Some(2),
        None,
    );
    // Sunday 30 March lasts 23 hours: 23:00 UTC Saturday to 22:00 UTC Sunday.
    assert!(!active(&s, "2025-03-29 22:59:59"));
    assert!(active(&s, "2025-03-29 23:00:00"));
    assert!(active(&s, "2025-03-30 21:59:59"));
    assert!(!active(&s, "2025-03-30 22:00:00"));
}

#[test]
fn a_one_off_date_range_covers_whole_local_days() {
    let first = NaiveDate::from_ymd_opt(2025, 11, 28).expect("date");
    let last = NaiveDate::from_ymd_opt(2025, 11, 29).expect("date");
    let once = Once::days(first, last, PARIS).expect("range");
    let s = Schedule {
        entries: vec![Entry {
            when: When::Once(once),
            floor: Some(30),
            ceiling: None,
        }],
    };
    assert!(!active(&s, "2025-11-27 22:59:59"));
    assert!(active(&s, "2025-11-27 23:00:00"));
    assert!(active(&s, "2025-11-29 22:59:59"));
    assert!(!active(&s, "2025-11-29 23:00:00"));
}

#[test]
fn a_skipped_day_moves_the_boundary_to_the_transition() {
    // Samoa skipped 30 December 2011: 29 December 23:59:59 (UTC−10) was followed by
    // 31 December 00:00 (UTC+14), at 10:00 UTC on the 30th.
    let apia = chrono_tz::Pacific::Apia;
    let skipped = NaiveDate::from_ymd_opt(2011, 12, 30)
        .expect("date")
        .and_hms_opt(10, 0, 0)
        .expect("time");
    assert_eq!(boundary(apia, skipped), utc("2011-12-30 10:00:00"));
}

#[test]
fn the_clock_agrees_with_the_stateless_answer() {
    let mut s = weekly(Days::WEEKDAYS, hm(8, 0), hm(18, 0), Some(10), None);
    s.entries.extend(daily(hm(2, 30), hm(4, 0)).entries);
    s.entries
        .extend(weekly(Days::WEEKENDS, hm(22, 0), hm(6, 0), None, Some(4)).entries);
    let mut clock = s.clock();
    let mut t = utc("2025-03-27 00:00:00");
    let end = utc("2025-04-02 00:00:00");
    while t < end {
        assert_eq!(clock.at(t), s.at(t), "at {t}");
        t += 60_000;
    }
    let mut t = utc("2025-10-24 00:00:00");
    let end = utc("2025-10-28 00:00:00");
    while t < end {
        assert_eq!(clock.at(t), s.at(t), "at {t}");
        t += 15_000;
    }
}

#[test]
fn bounds_stay_within_the_static_bounds_and_the_floor_wins() {
    let a = Active {
        floor: Some(50),
        ceiling: None,
    };
    assert_eq!(a.bounds(2, 40), (40, 40), "a floor above max is max");
    let a = Active {
        floor: Some(10),
        ceiling: Some(6),
    };
    assert_eq!(a.bounds(2, 40), (10, 10), "a floor above a ceiling wins");
    let a = Active {
        floor: None,
        ceiling: Some(1),
    };
    assert_eq!(a.bounds(2, 40), (2, 2));
    assert_eq!(Active::default().bounds(2, 40), (2, 40));
}

#[test]
fn overlapping_entries_take_the_highest_floor_and_lowest_ceiling() {
    let mut s = weekly(Days::EVERY_DAY, hm(8, 0), hm(18, 0), Some(10), Some(30));
    s.entries
        .extend(weekly(Days::EVERY_DAY, hm(12, 0), hm(14, 0), Some(20), Some(25)).entries);
    assert_eq!(
        s.at(utc("2025-06-02 11:00:00")),
        Active {
            floor: Some(20),
            ceiling: Some(25)
        }
    );
    assert_eq!(
        s.at(utc("2025-06-02 07:00:00")),
        Active {
            floor: Some(10),
            ceiling: Some(30)
        }
    );
}

#[test]
fn invalid_windows_are_refused() {
    assert_eq!(
        Weekly::new(Days::empty(), hm(8, 0), hm(9, 0), PARIS),
        Err(CalendarError::NoDays)
    );
    assert_eq!(
        Weekly::new(Days::WEEKDAYS, hm(8, 0), hm(8, 0), PARIS),
        Err(CalendarError::Empty)
    );
    assert_eq!(TimeOfDay::hm(24, 1), None);
    assert_eq!(TimeOfDay::hm(7, 60), None);
}

#[test]
fn first_overlap_walks_from_boundary_to_boundary() {
    let w =
        |start, end| When::Weekly(Weekly::new(Days::EVERY_DAY, start, end, PARIS).expect("weekly"));
    let (from, to) = (utc("2025-03-28 00:00:00"), utc("2025-04-05 00:00:00"));
    // 08:00-20:00 and 18:00-23:00 Paris overlap from 18:00 Paris, 17:00 UTC in winter.
    let (day, evening) = (w(hm(8, 0), hm(20, 0)), w(hm(18, 0), hm(23, 0)));
    assert_eq!(
        first_overlap(&day, &evening, from, to),
        Some(utc("2025-03-28 17:00:00"))
    );
    // From inside the first window: the next start of the other.
    let noon = utc("2025-03-30 12:00:00");
    assert_eq!(
        first_overlap(&day, &evening, noon, to),
        Some(utc("2025-03-30 16:00:00")) // 18:00 CEST after the jump
    );
    // Windows that only meet never overlap.
    let late = w(hm(20, 0), hm(23, 0));
    assert_eq!(first_overlap(&day, &late, from, to), None);
}
