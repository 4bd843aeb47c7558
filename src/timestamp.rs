//! Parsing and formatting of dataset timestamps.
//!
//! Every timestamp in scalerules is an `i64` count of **milliseconds since the
//! Unix epoch, UTC**. [`parse_timestamp`] turns one dataset cell into that
//! number, [`format_timestamp`] turns it back into RFC 3339 text and
//! [`parse_bound`] reads a user-given `--from`/`--to` bound.
//!
//! # Accepted forms
//!
//! Surrounding ASCII whitespace is ignored. Then, in order:
//!
//! | form | example | meaning |
//! | --- | --- | --- |
//! | RFC 3339 | `2026-03-02T14:05:00Z`, `2026-03-02T16:05:00.250+02:00` | the offset is applied; `z`, `t` and `+HHMM` / `+HH` offsets are tolerated |
//! | date and time | `2026-03-02 14:05:00`, `2026-03-02T14:05:00.5`, `2026-03-02 14:05` | UTC; seconds and fractional seconds (`.` or `,`) optional; a trailing `Z`, ` UTC` or offset (also after one space) is honoured |
//! | date | `2026-03-02` | midnight UTC |
//! | unix seconds | `1772460300`, `1772460300.25`, `-86400` | seconds since the epoch, fractions allowed |
//! | unix milliseconds | `1772460300000` | any number whose integer part has magnitude >= 1e11 (`100000000000`, 1973-03-03 as ms) is taken as milliseconds |
//! | other layouts (via chrono) | `2026/03/02 14:05:00`, `Mon, 02 Mar 2026 14:05:00 +0000` | slash-separated dates (UTC) and RFC 2822 |
//!
//! Fractions finer than a millisecond are truncated toward negative infinity
//! (`…:00.0009Z` is `…:00.000Z`). Years must have four digits (0000–9999) and
//! every field is range-checked (`2026-02-30` is rejected, leap years are
//! honoured, a leap second `:60` is rejected). Numeric timestamps must lie in
//! the same years 0000–9999. Scientific notation (`1.77e9`) is rejected: it
//! usually means the column lost precision in a spreadsheet.
//!
//! The common layouts (RFC 3339, `YYYY-MM-DD HH:MM:SS`, integers) are parsed
//! by hand from fixed positions without allocating; chrono is only consulted
//! for the rare layouts of the last row.

use std::fmt;

/// Human-readable list of the forms [`parse_timestamp`] accepts; used in help texts.
pub const ACCEPTED_TIMESTAMP_FORMS: &str = "RFC 3339 (`2026-03-02T14:05:00Z`, \
`2026-03-02T16:05:00.250+02:00`), `YYYY-MM-DD HH:MM:SS[.fff]` in UTC (also with `T`), \
a date `YYYY-MM-DD` (midnight UTC), unix seconds (`1772460300`, `1772460300.25`) \
or unix milliseconds (`1772460300000`, any integer of magnitude >= 1e11)";

/// Smallest accepted instant: 0000-01-01T00:00:00Z.
pub const MIN_TIMESTAMP_MS: i64 = -62_167_219_200_000;
/// Largest accepted instant: 9999-12-31T23:59:59.999Z.
pub const MAX_TIMESTAMP_MS: i64 = 253_402_300_799_999;

/// Integers (and the integer part of decimals) with at least this magnitude are milliseconds.
pub const MS_THRESHOLD: i64 = 100_000_000_000;

const MS_PER_DAY: i64 = 86_400_000;
const MAX_SHOWN_INPUT: usize = 60;

/// A cell or argument that is not a timestamp in any accepted form.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", self.render())]
pub struct TimestampError {
    input: String,
    reason: String,
}

impl TimestampError {
    fn new(input: &str, reason: impl Into<String>) -> Self {
        let input = if input.chars().count() > MAX_SHOWN_INPUT {
            let cut: String = input.chars().take(MAX_SHOWN_INPUT).collect();
            format!("{cut}…")
        } else {
            input.to_string()
        };
        TimestampError {
            input,
            reason: reason.into(),
        }
    }

    /// The offending text (cut to 60 characters).
    pub fn input(&self) -> &str {
        &self.input
    }

    /// What is wrong with it, e.g. `month 13 is out of range`.
    pub fn reason(&self) -> &str {
        &self.reason
    }

    fn render(&self) -> String {
        if self.input.is_empty() {
            format!("empty timestamp; accepted forms: {ACCEPTED_TIMESTAMP_FORMS}")
        } else {
            format!(
                "`{}` is not a timestamp ({}); accepted forms: {ACCEPTED_TIMESTAMP_FORMS}",
                self.input, self.reason
            )
        }
    }
}

/// Parses one timestamp cell to milliseconds since the Unix epoch (UTC).
///
/// Accepts RFC 3339 (`2026-03-02T14:05:00Z`, offsets like `+02:00`, fractional seconds),
/// `YYYY-MM-DD HH:MM:SS` (UTC, optional fractional secs, also with `T`), unix seconds
/// (integer or decimal) and unix milliseconds (integers with magnitude >= 1e11 are ms).
/// See the [module documentation](self) for the exact rules.
pub fn parse_timestamp(s: &str) -> Result<i64, TimestampError> {
    let t = s.trim_ascii();
    let b = t.as_bytes();
    if b.is_empty() {
        return Err(TimestampError::new("", "empty"));
    }
    if b.len() >= 5 && b[4] == b'-' && b[..4].iter().all(u8::is_ascii_digit) {
        // Fully handled here: chrono would accept a leap second `:60` as the next
        // minute's `:00`, creating duplicates, so there is no fallback.
        return parse_date_time(b).map_err(|reason| TimestampError::new(t, reason));
    }
    if matches!(b[0], b'0'..=b'9' | b'+' | b'-' | b'.') {
        match parse_unix(b) {
            Ok(ms) => return Ok(ms),
            Err(NumError::NotNumeric) => {}
            Err(NumError::Invalid(reason)) => return Err(TimestampError::new(t, reason)),
        }
    }
    chrono_fallback(t).ok_or_else(|| TimestampError::new(t, "unrecognised layout"))
}

/// Parses a user-given bound such as `--from 2026-03-02` (date only = midnight UTC)
/// or any [`parse_timestamp`] form.
pub fn parse_bound(s: &str) -> Result<i64, TimestampError> {
    parse_timestamp(s)
}

/// Formats ms since epoch as RFC 3339 UTC with `Z`, seconds precision unless ms are non-zero.
///
/// Never panics: instants outside years 0000–9999 are written with a signed,
/// wider year (`+10000-01-01T00:00:00Z`), which is not RFC 3339 but readable.
pub fn format_timestamp(ms: i64) -> String {
    let days = ms.div_euclid(MS_PER_DAY);
    let in_day = ms.rem_euclid(MS_PER_DAY);
    let (y, m, d) = civil_from_days(days);
    let secs = in_day / 1000;
    let frac = in_day % 1000;
    let (hh, mm, ss) = (secs / 3600, (secs / 60) % 60, secs % 60);
    let mut out = String::with_capacity(24);
    use fmt::Write as _;
    let _ = if (0..=9999).contains(&y) {
        write!(out, "{y:04}")
    } else {
        write!(out, "{y:+05}")
    };
    let _ = write!(out, "-{m:02}-{d:02}T{hh:02}:{mm:02}:{ss:02}");
    if frac != 0 {
        let _ = write!(out, ".{frac:03}");
    }
    out.push('Z');
    out
}

/// Formats a duration as one number in the largest unit that divides it exactly:
/// `250ms`, `1500ms`, `90s`, `5m`, `36h`, `2d`, `0s`; negative durations get a `-`.
///
/// The one duration format of the tool (reports, messages, snapshots, `explain`): it is
/// the rule files' own syntax, and [`parse_duration`] reads it back.
pub fn format_duration(ms: i64) -> String {
    if ms == 0 {
        return "0s".into();
    }
    for (unit, size) in [
        ("d", 86_400_000),
        ("h", 3_600_000),
        ("m", 60_000),
        ("s", 1000),
    ] {
        if ms % size == 0 {
            return format!("{}{unit}", ms / size);
        }
    }
    format!("{ms}ms")
}

/// Parses `500ms`, `30s`, `10m`, `2h`, `1d` (or a combination such as `1h30m`).
pub fn parse_duration(s: &str) -> Result<i64, String> {
    let t = s.trim();
    let bad = || format!("invalid duration `{s}`: write e.g. `30s`, `10m`, `1h`");
    if t.is_empty() {
        return Err(bad());
    }
    let mut total: i64 = 0;
    let mut rest = t;
    while !rest.is_empty() {
        let digits = rest
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(rest.len());
        if digits == 0 {
            return Err(bad());
        }
        let n: i64 = rest[..digits].parse().map_err(|_| bad())?;
        rest = &rest[digits..];
        let unit_len = rest
            .find(|c: char| c.is_ascii_digit())
            .unwrap_or(rest.len());
        let factor = match &rest[..unit_len] {
            "ms" => 1,
            "s" => 1000,
            "m" => 60_000,
            "h" => 3_600_000,
            "d" => 86_400_000,
            _ => return Err(bad()),
        };
        rest = &rest[unit_len..];
        total = n
            .checked_mul(factor)
            .and_then(|v| total.checked_add(v))
            .ok_or_else(bad)?;
    }
    Ok(total)
}

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).
pub(crate) fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Inverse of [`days_from_civil`]: (year, month 1–12, day 1–31) of a count of days since
/// 1970-01-01; total over all `i64` day counts reachable from ms. The one calendar of the
/// crate (the dataset generator's fast timestamp writer uses it too).
pub(crate) fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

fn is_leap(y: i64) -> bool {
    (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
}

fn days_in_month(y: i64, m: i64) -> i64 {
    match m {
        2 if is_leap(y) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

#[inline]
fn digit(b: u8) -> Option<i64> {
    if b.is_ascii_digit() {
        Some(i64::from(b - b'0'))
    } else {
        None
    }
}

/// Fixed-width run of ASCII digits at `b[at..at + n]`.
#[inline]
fn digits(b: &[u8], at: usize, n: usize) -> Option<i64> {
    let run = b.get(at..at + n)?;
    let mut v = 0i64;
    for &c in run {
        v = v * 10 + digit(c)?;
    }
    Some(v)
}

/// `YYYY-MM-DD[( |T)HH:MM[:SS[.fff]]][ ][Z|UTC|±HH[:MM]]`
fn parse_date_time(b: &[u8]) -> Result<i64, String> {
    let year = digits(b, 0, 4).ok_or("the year must be four digits")?;
    let month = digits(b, 5, 2).ok_or("the month must be two digits")?;
    if b.get(7) != Some(&b'-') {
        return Err("the month must be two digits".into());
    }
    let day = digits(b, 8, 2).ok_or("the day must be two digits")?;
    if b.len() > 10 && b[10].is_ascii_digit() {
        return Err("the day must be two digits".into());
    }
    if !(1..=12).contains(&month) {
        return Err(format!("month {month} is out of range"));
    }
    if day < 1 || day > days_in_month(year, month) {
        return Err(format!(
            "day {day} is out of range for {year:04}-{month:02}"
        ));
    }
    let mut ms = days_from_civil(year, month, day) * MS_PER_DAY;
    if b.len() == 10 {
        return Ok(ms);
    }
    if !matches!(b[10], b'T' | b't' | b' ') {
        return Err("expected `T` or a space between the date and the time".into());
    }
    let hour = digits(b, 11, 2).ok_or("the hour must be two digits")?;
    if b.get(13) != Some(&b':') {
        return Err("expected `HH:MM` after the date".into());
    }
    let minute = digits(b, 14, 2).ok_or("the minute must be two digits")?;
    if hour > 23 {
        return Err(format!("hour {hour} is out of range"));
    }
    if minute > 59 {
        return Err(format!("minute {minute} is out of range"));
    }
    let mut i = 16;
    let mut second = 0;
    if b.get(i) == Some(&b':') {
        second = digits(b, i + 1, 2).ok_or("the seconds must be two digits")?;
        if second > 59 {
            return Err(format!("second {second} is out of range"));
        }
        i += 3;
    }
    ms += ((hour * 60 + minute) * 60 + second) * 1000;
    if matches!(b.get(i), Some(b'.' | b',')) {
        i += 1;
        let start = i;
        let mut frac_ms = 0;
        while let Some(d) = b.get(i).copied().and_then(digit) {
            if i - start < 3 {
                frac_ms = frac_ms * 10 + d;
            }
            i += 1;
        }
        if i == start {
            return Err("expected digits after the decimal point".into());
        }
        for _ in (i - start)..3 {
            frac_ms *= 10;
        }
        ms += frac_ms;
    }
    let mut rest = &b[i..];
    if rest.first() == Some(&b' ') {
        rest = &rest[1..];
        if rest.is_empty() {
            return Err("trailing space".into());
        }
    }
    let offset_ms = match rest {
        [] | [b'Z' | b'z'] | [b'U', b'T', b'C'] => 0,
        [sign @ (b'+' | b'-'), tail @ ..] => {
            let (oh, om) = match tail {
                [h1, h2] => (digits(&[*h1, *h2], 0, 2), Some(0)),
                [h1, h2, b':', m1, m2] | [h1, h2, m1, m2] => {
                    (digits(&[*h1, *h2], 0, 2), digits(&[*m1, *m2], 0, 2))
                }
                _ => (None, None),
            };
            let (Some(oh), Some(om)) = (oh, om) else {
                return Err("the UTC offset must look like `+02:00`".into());
            };
            if oh > 23 || om > 59 {
                return Err("the UTC offset is out of range".into());
            }
            let off = (oh * 60 + om) * 60_000;
            if *sign == b'+' {
                off
            } else {
                -off
            }
        }
        _ => {
            return Err(format!(
                "unexpected `{}` after the time",
                String::from_utf8_lossy(rest)
            ))
        }
    };
    Ok(ms - offset_ms)
}

enum NumError {
    /// Not shaped like a number at all: try other layouts.
    NotNumeric,
    /// Shaped like a number but unusable; the reason says why.
    Invalid(String),
}

/// `[+-]digits[.digits]`: unix seconds, or milliseconds when the integer part is >= 1e11.
fn parse_unix(b: &[u8]) -> Result<i64, NumError> {
    let (neg, body) = match b[0] {
        b'-' => (true, &b[1..]),
        b'+' => (false, &b[1..]),
        _ => (false, b),
    };
    let dot = body.iter().position(|&c| c == b'.');
    let (int_part, frac_part) = match dot {
        Some(p) => (&body[..p], &body[p + 1..]),
        None => (body, &body[body.len()..]),
    };
    let all_digits = |s: &[u8]| s.iter().all(u8::is_ascii_digit);
    if !all_digits(int_part) || !all_digits(frac_part) {
        let sci = body
            .iter()
            .all(|c| c.is_ascii_digit() || matches!(c, b'.' | b'e' | b'E' | b'+' | b'-'))
            && body.iter().any(|c| matches!(c, b'e' | b'E'))
            && body.first().is_some_and(u8::is_ascii_digit);
        if sci {
            return Err(NumError::Invalid(
                "scientific notation is not accepted: write the full integer".into(),
            ));
        }
        return Err(NumError::NotNumeric);
    }
    if int_part.is_empty() && frac_part.is_empty() {
        return Err(NumError::NotNumeric);
    }
    if dot.is_some() && frac_part.is_empty() {
        return Err(NumError::Invalid(
            "expected digits after the decimal point".into(),
        ));
    }
    let out_of_range = || NumError::Invalid("out of range (years 0000-9999)".into());
    let mut int: i64 = 0;
    for &c in int_part {
        int = int
            .checked_mul(10)
            .and_then(|v| v.checked_add(i64::from(c - b'0')))
            .ok_or_else(out_of_range)?;
    }
    let is_ms = int >= MS_THRESHOLD;
    // Fraction scaled to the output unit: 3 digits for seconds, none for ms.
    let keep = if is_ms { 0 } else { 3 };
    let mut frac: i64 = 0;
    let mut dropped_nonzero = false;
    for (i, &c) in frac_part.iter().enumerate() {
        if i < keep {
            frac = frac * 10 + i64::from(c - b'0');
        } else if c != b'0' {
            dropped_nonzero = true;
        }
    }
    for _ in frac_part.len().min(keep)..keep {
        frac *= 10;
    }
    let scale = if is_ms { 1 } else { 1000 };
    let mut ms = int
        .checked_mul(scale)
        .and_then(|v| v.checked_add(frac))
        .ok_or_else(out_of_range)?;
    if neg {
        ms = -ms;
        if dropped_nonzero {
            ms -= 1; // floor, not truncation toward zero
        }
    }
    if !(MIN_TIMESTAMP_MS..=MAX_TIMESTAMP_MS).contains(&ms) {
        return Err(out_of_range());
    }
    Ok(ms)
}

/// The rare layouts: slash-separated dates and RFC 2822.
#[cold]
fn chrono_fallback(t: &str) -> Option<i64> {
    use chrono::{DateTime, NaiveDateTime};
    if t.contains('/') {
        const LAYOUTS: [&str; 4] = [
            "%Y/%m/%d %H:%M:%S%.f",
            "%Y/%m/%dT%H:%M:%S%.f",
            "%Y/%m/%d %H:%M",
            "%Y/%m/%dT%H:%M",
        ];
        for layout in LAYOUTS {
            if let Ok(dt) = NaiveDateTime::parse_from_str(t, layout) {
                return in_range(dt.and_utc().timestamp_millis());
            }
        }
        if let Ok(d) = chrono::NaiveDate::parse_from_str(t, "%Y/%m/%d") {
            return in_range(
                d.and_time(chrono::NaiveTime::MIN)
                    .and_utc()
                    .timestamp_millis(),
            );
        }
    }
    if t.contains(',') || t.bytes().next().is_some_and(|c| c.is_ascii_alphabetic()) {
        if let Ok(dt) = DateTime::parse_from_rfc2822(t) {
            return in_range(dt.timestamp_millis());
        }
    }
    None
}

fn in_range(ms: i64) -> Option<i64> {
    (MIN_TIMESTAMP_MS..=MAX_TIMESTAMP_MS)
        .contains(&ms)
        .then_some(ms)
}

#[cfg(test)]
mod tests {
    use super::*;

    const T0: i64 = 1_772_460_300_000; // 2026-03-02T14:05:00Z

    fn ok(s: &str) -> i64 {
        match parse_timestamp(s) {
            Ok(v) => v,
            Err(e) => panic!("{s:?} should parse: {e}"),
        }
    }

    fn reason(s: &str) -> String {
        match parse_timestamp(s) {
            Ok(v) => panic!("{s:?} should be rejected, got {v}"),
            Err(e) => e.reason().to_string(),
        }
    }

    #[test]
    fn rfc3339_forms() {
        assert_eq!(ok("2026-03-02T14:05:00Z"), T0);
        assert_eq!(ok("2026-03-02t14:05:00z"), T0);
        assert_eq!(ok("2026-03-02T16:05:00+02:00"), T0);
        assert_eq!(ok("2026-03-02T16:05:00+0200"), T0);
        assert_eq!(ok("2026-03-02T16:05:00+02"), T0);
        assert_eq!(ok("2026-03-02T09:35:00-04:30"), T0);
        assert_eq!(ok("2026-03-02T14:05:00.250Z"), T0 + 250);
        assert_eq!(ok("2026-03-02T14:05:00.5Z"), T0 + 500);
        assert_eq!(ok("2026-03-02T14:05:00.123456789Z"), T0 + 123);
        assert_eq!(ok("2026-03-02T14:05:00,25Z"), T0 + 250);
        assert_eq!(ok("  2026-03-02T14:05:00Z\t"), T0);
    }

    #[test]
    fn naive_utc_forms() {
        assert_eq!(ok("2026-03-02 14:05:00"), T0);
        assert_eq!(ok("2026-03-02T14:05:00"), T0);
        assert_eq!(ok("2026-03-02 14:05:00.001"), T0 + 1);
        assert_eq!(ok("2026-03-02 14:05"), T0);
        assert_eq!(ok("2026-03-02 14:05:00 UTC"), T0);
        assert_eq!(ok("2026-03-02 14:05:00UTC"), T0);
        assert_eq!(ok("2026-03-02 15:05:00+01"), T0);
        assert_eq!(ok("2026-03-02 15:05:00 +0100"), T0);
    }

    #[test]
    fn dates() {
        assert_eq!(ok("1970-01-01"), 0);
        assert_eq!(ok("2026-03-02"), T0 - (14 * 60 + 5) * 60_000);
        assert_eq!(ok("2024-02-29"), 1_709_164_800_000);
        assert_eq!(ok("2000-02-29"), 951_782_400_000);
        assert_eq!(ok("0000-01-01"), MIN_TIMESTAMP_MS);
        assert_eq!(ok("9999-12-31T23:59:59.999Z"), MAX_TIMESTAMP_MS);
        assert_eq!(ok("1969-12-31T23:59:59Z"), -1000);
    }

    #[test]
    fn unix_numbers() {
        assert_eq!(ok("1772460300"), T0);
        assert_eq!(ok("+1772460300"), T0);
        assert_eq!(ok("1772460300.25"), T0 + 250);
        assert_eq!(ok("1772460300.2"), T0 + 200);
        assert_eq!(ok("1772460300.0009"), T0);
        assert_eq!(ok("1772460300000"), T0);
        assert_eq!(ok("1772460300000.9"), T0);
        assert_eq!(ok("0"), 0);
        assert_eq!(ok("-86400"), -MS_PER_DAY);
        assert_eq!(ok("-1.5"), -1500);
        assert_eq!(ok("-1.0005"), -1001);
        assert_eq!(ok(".5"), 500);
        // The seconds/milliseconds threshold.
        assert_eq!(ok("99999999999"), 99_999_999_999_000);
        assert_eq!(ok("100000000000"), 100_000_000_000);
        assert_eq!(ok("-100000000000"), -100_000_000_000);
    }

    #[test]
    fn chrono_layouts() {
        assert_eq!(ok("2026/03/02 14:05:00"), T0);
        assert_eq!(ok("2026/03/02 14:05:00.250"), T0 + 250);
        assert_eq!(ok("2026/03/02 14:05"), T0);
        assert_eq!(ok("2026/03/02"), T0 - (14 * 60 + 5) * 60_000);
        assert_eq!(ok("Mon, 02 Mar 2026 14:05:00 +0000"), T0);
    }

    #[test]
    fn rejected_forms() {
        assert_eq!(reason(""), "empty");
        assert_eq!(reason("   "), "empty");
        assert_eq!(reason("2026-13-01 00:00:00"), "month 13 is out of range");
        assert_eq!(reason("2026-00-01"), "month 0 is out of range");
        assert_eq!(reason("2026-02-29"), "day 29 is out of range for 2026-02");
        assert_eq!(
            reason("2026-04-31T00:00:00Z"),
            "day 31 is out of range for 2026-04"
        );
        assert_eq!(reason("2026-03-02T24:00:00Z"), "hour 24 is out of range");
        assert_eq!(reason("2026-03-02T14:60:00Z"), "minute 60 is out of range");
        assert_eq!(reason("2026-03-02T14:05:60Z"), "second 60 is out of range");
        assert_eq!(
            reason("2026-03-02T14:05:00+25:00"),
            "the UTC offset is out of range"
        );
        assert_eq!(
            reason("2026-03-02T14:05:00+2"),
            "the UTC offset must look like `+02:00`"
        );
        assert_eq!(
            reason("2026-03-02T14:05:00."),
            "expected digits after the decimal point"
        );
        assert_eq!(
            reason("2026-03-02T14:05:00 CET"),
            "unexpected `CET` after the time"
        );
        assert_eq!(
            reason("2026-03-02X14:05:00"),
            "expected `T` or a space between the date and the time"
        );
        assert_eq!(reason("2026-3-02"), "the month must be two digits");
        assert_eq!(reason("2026-03-2"), "the day must be two digits");
        assert_eq!(reason("2026-03-021"), "the day must be two digits");
        assert_eq!(reason("2026-033-02"), "the month must be two digits");
        assert_eq!(reason("26-03-02 14:05:00"), "unrecognised layout");
        assert_eq!(reason("02/03/2026 14:05"), "unrecognised layout");
        assert_eq!(reason("yesterday"), "unrecognised layout");
        assert_eq!(reason("NaN"), "unrecognised layout");
        assert_eq!(
            reason("1.7724603e9"),
            "scientific notation is not accepted: write the full integer"
        );
        assert_eq!(
            reason("1772460300."),
            "expected digits after the decimal point"
        );
        assert_eq!(
            reason("99999999999999999999"),
            "out of range (years 0000-9999)"
        );
        assert_eq!(reason("253402300800000"), "out of range (years 0000-9999)");
        assert_eq!(reason("12:30"), "unrecognised layout");
        assert_eq!(reason("-"), "unrecognised layout");
        assert_eq!(reason("1,5"), "unrecognised layout");
    }

    #[test]
    fn error_message_names_input_and_forms() {
        let e = parse_timestamp("2026-13-01").unwrap_err();
        let msg = e.to_string();
        assert!(msg.starts_with("`2026-13-01` is not a timestamp (month 13 is out of range); accepted forms: RFC 3339"), "{msg}");
        assert_eq!(e.input(), "2026-13-01");
        let long = "x".repeat(500);
        let e = parse_timestamp(&long).unwrap_err();
        assert_eq!(e.input().chars().count(), MAX_SHOWN_INPUT + 1);
        assert!(parse_timestamp("")
            .unwrap_err()
            .to_string()
            .starts_with("empty timestamp"));
    }

    #[test]
    fn format() {
        assert_eq!(format_timestamp(T0), "2026-03-02T14:05:00Z");
        assert_eq!(format_timestamp(T0 + 250), "2026-03-02T14:05:00.250Z");
        assert_eq!(format_timestamp(0), "1970-01-01T00:00:00Z");
        assert_eq!(format_timestamp(-1), "1969-12-31T23:59:59.999Z");
        assert_eq!(
            format_timestamp(MAX_TIMESTAMP_MS),
            "9999-12-31T23:59:59.999Z"
        );
        assert_eq!(format_timestamp(MIN_TIMESTAMP_MS), "0000-01-01T00:00:00Z");
        assert_eq!(
            format_timestamp(MAX_TIMESTAMP_MS + 1),
            "+10000-01-01T00:00:00Z"
        );
        // Total: never panics.
        let _ = format_timestamp(i64::MIN);
        let _ = format_timestamp(i64::MAX);
    }

    #[test]
    fn durations() {
        assert_eq!(format_duration(0), "0s");
        assert_eq!(format_duration(250), "250ms");
        assert_eq!(format_duration(1500), "1500ms");
        assert_eq!(format_duration(60_000), "1m");
        assert_eq!(format_duration(59_000), "59s");
        assert_eq!(format_duration(90_000), "90s");
        assert_eq!(format_duration(5_400_000), "90m");
        assert_eq!(format_duration(129_600_000), "36h");
        assert_eq!(format_duration(86_400_000), "1d");
        assert_eq!(format_duration(-60_000), "-1m");
        let _ = format_duration(i64::MIN);
        let _ = format_duration(i64::MAX);
    }

    #[test]
    fn durations_parse() {
        assert_eq!(parse_duration("10m"), Ok(600_000));
        assert_eq!(parse_duration("1h30m"), Ok(5_400_000));
        assert_eq!(parse_duration("250ms"), Ok(250));
        assert!(parse_duration("10").is_err());
        assert!(parse_duration("m").is_err());
        assert!(parse_duration("").is_err());
        assert!(parse_duration("99999999999999999999d").is_err());
    }

    proptest::proptest! {
        #[test]
        fn formatted_durations_parse_back(ms in 0i64..=1_000_000_000_000) {
            proptest::prop_assert_eq!(parse_duration(&format_duration(ms)), Ok(ms));
        }
    }

    #[test]
    fn bounds() {
        assert_eq!(
            parse_bound("2026-03-02").unwrap(),
            T0 - (14 * 60 + 5) * 60_000
        );
        assert_eq!(parse_bound("2026-03-02T14:05:00Z").unwrap(), T0);
        assert_eq!(parse_bound("1772460300").unwrap(), T0);
        assert!(parse_bound("last tuesday").is_err());
    }

    #[test]
    fn days_from_civil_matches_chrono() {
        for y in [0, 1, 1600, 1900, 1969, 1970, 2000, 2024, 2100, 9999] {
            for m in 1..=12 {
                for d in [1, days_in_month(y, m)] {
                    let ours = days_from_civil(y, m, d) * MS_PER_DAY;
                    let date = chrono::NaiveDate::from_ymd_opt(y as i32, m as u32, d as u32)
                        .expect("valid date");
                    let theirs = date
                        .and_time(chrono::NaiveTime::MIN)
                        .and_utc()
                        .timestamp_millis();
                    assert_eq!(ours, theirs, "{y}-{m}-{d}");
                    assert_eq!(civil_from_days(days_from_civil(y, m, d)), (y, m, d));
                }
            }
        }
    }

    mod props {
        use super::super::*;
        use proptest::prelude::*;

        proptest! {
            #[test]
            fn format_then_parse_round_trips(ms in MIN_TIMESTAMP_MS..=MAX_TIMESTAMP_MS) {
                prop_assert_eq!(parse_timestamp(&format_timestamp(ms)), Ok(ms));
            }

            #[test]
            fn never_panics(s in "\\PC{0,40}") {
                let _ = parse_timestamp(&s);
            }

            #[test]
            fn never_panics_on_near_misses(s in "[0-9T:.Z+ -]{0,30}") {
                let _ = parse_timestamp(&s);
            }

            #[test]
            fn rfc3339_agrees_with_chrono(ms in MIN_TIMESTAMP_MS..=MAX_TIMESTAMP_MS, off in -1439i64..=1439) {
                let off_s = i32::try_from(off * 60).unwrap_or(0);
                let tz = chrono::FixedOffset::east_opt(off_s).unwrap_or(chrono::FixedOffset::east_opt(0).unwrap());
                let dt = chrono::DateTime::from_timestamp_millis(ms).unwrap().with_timezone(&tz);
                let text = dt.to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
                // Shifting by the offset can leave years 0000-9999; skip those.
                if text.len() == 29 || text.ends_with('Z') && text.len() == 24 {
                    prop_assert_eq!(parse_timestamp(&text), Ok(ms), "{}", text);
                }
            }
        }
    }
}
