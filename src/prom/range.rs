//! Times, steps and the grid every fetched series is aligned on.
//!
//! A [`Grid`] is the multiples of the step (counted from the Unix epoch) inside
//! `[from, to)`: the same half-open window as `backtest --from/--to`, and grid points
//! that do not depend on when a relative range like `--from -7d` was resolved.
//! [`Grid::chunks`] splits it into consecutive pieces of at most N points, each one
//! `query_range` call; the pieces share the grid, so stitching is concatenation.

use crate::timestamp::{format_duration as fmt_duration_ms, parse_duration};
use crate::timestamp::{format_timestamp, parse_timestamp};

use super::error::{PromError, PromErrorKind};

/// Prometheus refuses a range query of more than 11,000 points per series.
pub const SERVER_MAX_POINTS: usize = 11_000;

/// Points per series asked for in one `query_range` call: under
/// [`SERVER_MAX_POINTS`] with a margin (servers behind proxies such as Thanos or Mimir
/// may count the end point differently).
pub const DEFAULT_CHUNK_POINTS: usize = 10_000;

/// The step when none is given: one minute, like the bundled datasets, unless the
/// range would then exceed [`MAX_GRID_POINTS`].
pub const DEFAULT_STEP_MS: i64 = 60_000;

/// The largest grid a fetch builds (per column): a year at a 10-second step fits.
pub const MAX_GRID_POINTS: usize = 5_000_000;

/// Steps tried, in order, when the default step would give too many points.
const COARSER_STEPS_MS: &[i64] = &[
    60_000, 120_000, 300_000, 600_000, 900_000, 1_800_000, 3_600_000, 10_800_000, 21_600_000,
    86_400_000,
];

const TIME_FORMS: &str = "`now`, a time relative to now such as `-7d`, `now-1h30m` or \
`now+5m` (units ms, s, m, h, d), an RFC 3339 time (`2026-03-02T14:05:00Z`), a date \
(`2026-03-02`, midnight UTC) or unix seconds (`1772460300`)";

fn bad_range(reason: impl Into<String>, help: impl Into<String>) -> PromError {
    PromErrorKind::BadRange {
        reason: reason.into(),
        help: help.into(),
    }
    .into()
}

/// Parses a `--from`/`--to` time to ms since the epoch: `now`, `now-7d`, `-7d`,
/// `now+1h`, or any absolute form of [`parse_timestamp`] (RFC 3339, a date, unix
/// seconds or milliseconds). `now_ms` is the current time; pass it in so a command
/// resolves both bounds against the same instant. Errors are E377, naming `what`
/// (e.g. `--from`).
pub fn parse_time(text: &str, now_ms: i64, what: &str) -> Result<i64, PromError> {
    let t = text.trim();
    let relative = if let Some(rest) = t.strip_prefix("now") {
        let rest = rest.trim_start();
        if rest.is_empty() {
            return Ok(now_ms);
        }
        Some(rest)
    } else if t.starts_with(['-', '+']) && t.ends_with(|c: char| c.is_ascii_alphabetic()) {
        Some(t)
    } else {
        None
    };
    if let Some(rel) = relative {
        let mut chars = rel.chars();
        let sign = match chars.next() {
            Some('-') => -1,
            Some('+') => 1,
            _ => {
                return Err(bad_range(
                    format!("{what} `{text}` is not a time"),
                    format!("write {TIME_FORMS}"),
                ))
            }
        };
        let amount = chars.as_str().trim_start();
        let ms = parse_duration(amount).map_err(|_| {
            bad_range(
                format!("{what} `{text}`: `{amount}` is not a duration"),
                format!("write {TIME_FORMS}"),
            )
        })?;
        return now_ms.checked_add(sign * ms).ok_or_else(|| {
            bad_range(
                format!("{what} `{text}` is out of range"),
                "use a shorter relative time",
            )
        });
    }
    if t.starts_with('-') && t[1..].bytes().all(|b| b.is_ascii_digit() || b == b'.') {
        return Err(bad_range(
            format!("{what} `{text}` would be read as a unix time before 1970"),
            format!("a relative time needs a unit, e.g. `{t}s` or `-7d`; accepted: {TIME_FORMS}"),
        ));
    }
    parse_timestamp(t).map_err(|e| {
        bad_range(
            format!("{what} `{text}` is not a time ({})", e.reason()),
            format!("write {TIME_FORMS}"),
        )
    })
}

/// Parses a `--step` such as `30s`, `1m`, `5m` (E377 when invalid or not positive).
pub fn parse_step(text: &str) -> Result<i64, PromError> {
    match parse_duration(text) {
        Ok(ms) if ms > 0 => Ok(ms),
        Ok(_) => Err(bad_range(
            format!("--step `{text}` must be greater than 0"),
            "write a step such as `15s`, `1m` or `5m`",
        )),
        Err(e) => Err(bad_range(
            format!("--step: {e}"),
            "write a step such as `15s`, `1m` or `5m`",
        )),
    }
}

/// The step used when none is given: [`DEFAULT_STEP_MS`], or the first coarser
/// round step that keeps the range under [`MAX_GRID_POINTS`].
pub fn default_step(from_ms: i64, to_ms: i64) -> i64 {
    let span = to_ms.saturating_sub(from_ms).max(0);
    COARSER_STEPS_MS
        .iter()
        .copied()
        .find(|step| span / step < MAX_GRID_POINTS as i64)
        .unwrap_or(86_400_000)
}

/// The evaluation times shared by every fetched series: `first + i·step` for
/// `i in 0..len`, all multiples of `step` since the epoch, inside `[from, to)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Grid {
    first_ms: i64,
    step_ms: i64,
    len: usize,
}

impl Grid {
    /// The multiples of `step_ms` in `[from_ms, to_ms)`. E377 when the step is not
    /// positive, the window is empty or holds no multiple of the step, or the grid
    /// would exceed [`MAX_GRID_POINTS`].
    pub fn new(from_ms: i64, to_ms: i64, step_ms: i64) -> Result<Grid, PromError> {
        if step_ms <= 0 {
            return Err(bad_range(
                format!("the step must be greater than 0 (got {step_ms} ms)"),
                "write a step such as `15s`, `1m` or `5m`",
            ));
        }
        if from_ms >= to_ms {
            return Err(bad_range(
                format!(
                    "the range is empty: --from {} is not before --to {}",
                    format_timestamp(from_ms),
                    format_timestamp(to_ms)
                ),
                "--from must be earlier than --to (the range is [from, to))",
            ));
        }
        let first_ms = ceil_to(from_ms, step_ms);
        if first_ms >= to_ms {
            return Err(bad_range(
                format!(
                    "no {} step falls in [{}, {})",
                    fmt_duration_ms(step_ms),
                    format_timestamp(from_ms),
                    format_timestamp(to_ms)
                ),
                "widen the range or use a smaller --step",
            ));
        }
        let count = (i128::from(to_ms) - i128::from(first_ms) - 1) / i128::from(step_ms) + 1;
        if count > MAX_GRID_POINTS as i128 {
            let suggested = default_step(from_ms, to_ms);
            return Err(bad_range(
                format!(
                    "{count} points at a {} step is more than the {MAX_GRID_POINTS} a fetch holds",
                    fmt_duration_ms(step_ms)
                ),
                format!(
                    "use a larger --step (e.g. `{}`) or a shorter range",
                    fmt_duration_ms(suggested)
                ),
            ));
        }
        Ok(Grid {
            first_ms,
            step_ms,
            len: count as usize,
        })
    }

    /// Time of the first point (ms since the epoch).
    pub fn first_ms(&self) -> i64 {
        self.first_ms
    }

    /// Time of the last point.
    pub fn last_ms(&self) -> i64 {
        self.time(self.len - 1)
    }

    pub fn step_ms(&self) -> i64 {
        self.step_ms
    }

    /// Number of points (at least 1).
    pub fn len(&self) -> usize {
        self.len
    }

    /// Always false: a grid has at least one point.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Time of point `i`.
    pub fn time(&self, i: usize) -> i64 {
        self.first_ms + i as i64 * self.step_ms
    }

    /// Every point's time, in order.
    pub fn times(&self) -> impl Iterator<Item = i64> + '_ {
        (0..self.len).map(|i| self.time(i))
    }

    /// The index of the point at exactly `t_ms`, if `t_ms` is on the grid.
    pub fn index_of(&self, t_ms: i64) -> Option<usize> {
        let offset = t_ms.checked_sub(self.first_ms)?;
        if offset < 0 || offset % self.step_ms != 0 {
            return None;
        }
        let i = usize::try_from(offset / self.step_ms).ok()?;
        (i < self.len).then_some(i)
    }

    /// Consecutive pieces of at most `max_points` points (at least 1) covering the grid.
    pub fn chunks(&self, max_points: usize) -> Vec<Chunk> {
        let size = max_points.max(1);
        (0..self.len)
            .step_by(size)
            .map(|start| Chunk {
                start,
                len: size.min(self.len - start),
            })
            .collect()
    }

    /// `from 2026-03-02T00:00:00Z to 2026-03-09T00:00:00Z (step 1m)`, for messages.
    pub fn describe(&self) -> String {
        format!(
            "from {} to {} (step {})",
            format_timestamp(self.first_ms),
            format_timestamp(self.last_ms()),
            fmt_duration_ms(self.step_ms)
        )
    }
}

/// Points `start .. start + len` of a [`Grid`]: one `query_range` call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Chunk {
    pub start: usize,
    pub len: usize,
}

fn ceil_to(t: i64, step: i64) -> i64 {
    let r = t.rem_euclid(step);
    if r == 0 {
        t
    } else {
        t - r + step
    }
}

/// Writes ms since the epoch as the decimal seconds the API takes (`1772409600`,
/// `1772409600.5`).
pub(crate) fn api_seconds(ms: i64) -> String {
    let secs = ms.div_euclid(1000);
    let frac = ms.rem_euclid(1000);
    if frac == 0 {
        secs.to_string()
    } else {
        format!("{secs}.{frac:03}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: i64 = 1_772_460_300_000; // 2026-03-02T14:05:00Z

    #[test]
    fn relative_and_absolute_times() {
        assert_eq!(parse_time("now", NOW, "--to").unwrap(), NOW);
        assert_eq!(parse_time(" now ", NOW, "--to").unwrap(), NOW);
        assert_eq!(
            parse_time("-7d", NOW, "--from").unwrap(),
            NOW - 7 * 86_400_000
        );
        assert_eq!(
            parse_time("now-1h30m", NOW, "--from").unwrap(),
            NOW - 5_400_000
        );
        assert_eq!(
            parse_time("now - 5m", NOW, "--from").unwrap(),
            NOW - 300_000
        );
        assert_eq!(parse_time("now+5m", NOW, "--to").unwrap(), NOW + 300_000);
        assert_eq!(parse_time("+5m", NOW, "--to").unwrap(), NOW + 300_000);
        assert_eq!(
            parse_time("2026-03-02T14:05:00Z", 0, "--from").unwrap(),
            NOW
        );
        assert_eq!(parse_time("1772460300", 0, "--from").unwrap(), NOW);
        assert_eq!(
            parse_time("2026-03-02", 0, "--from").unwrap(),
            NOW - (14 * 60 + 5) * 60_000
        );
    }

    #[test]
    fn bad_times_are_e377_with_the_forms() {
        for bad in ["-7x", "now-", "nowish", "-3600", "yesterday", "now*2"] {
            let e = parse_time(bad, NOW, "--from").unwrap_err();
            assert_eq!(e.code().as_str(), "E377", "{bad}");
            assert!(e.to_string().contains("--from"), "{bad}: {e}");
        }
        let e = parse_time("-3600", NOW, "--from").unwrap_err();
        assert!(e.help_text().contains("`-3600s`"), "{}", e.help_text());
    }

    #[test]
    fn steps() {
        assert_eq!(parse_step("30s").unwrap(), 30_000);
        assert_eq!(parse_step("1m30s").unwrap(), 90_000);
        assert_eq!(parse_step("0s").unwrap_err().code().as_str(), "E377");
        assert_eq!(parse_step("fast").unwrap_err().code().as_str(), "E377");
        assert_eq!(default_step(0, 7 * 86_400_000), 60_000);
        // Ten years at one minute is too many points: the default step grows.
        let ten_years = 10 * 365 * 86_400_000;
        let step = default_step(0, ten_years);
        assert!(step > 60_000 && (ten_years / step) < MAX_GRID_POINTS as i64);
    }

    #[test]
    fn grid_is_the_step_multiples_in_the_half_open_window() {
        let g = Grid::new(NOW - 90_000, NOW + 60_000, 60_000).unwrap();
        // NOW is a whole minute: the points are NOW-60s and NOW; NOW+60s is excluded.
        assert_eq!(g.times().collect::<Vec<_>>(), vec![NOW - 60_000, NOW]);
        assert_eq!(g.index_of(NOW), Some(1));
        assert_eq!(g.index_of(NOW + 1), None);
        assert_eq!(g.index_of(NOW + 60_000), None);
        assert_eq!(g.index_of(NOW - 120_000), None);
        assert_eq!(Grid::new(NOW, NOW + 1, 60_000).unwrap().len(), 1);
        assert_eq!(
            Grid::new(NOW + 1, NOW + 2, 60_000)
                .unwrap_err()
                .code()
                .as_str(),
            "E377"
        );
        assert_eq!(
            Grid::new(NOW, NOW, 60_000).unwrap_err().code().as_str(),
            "E377"
        );
        assert_eq!(
            Grid::new(NOW, NOW + 1, 0).unwrap_err().code().as_str(),
            "E377"
        );
        let e = Grid::new(0, 100 * 365 * 86_400_000, 1000).unwrap_err();
        assert!(e.help_text().contains("larger --step"), "{e}");
    }

    #[test]
    fn chunks_cover_the_grid_without_overlap() {
        let g = Grid::new(0, 25 * 60_000, 60_000).unwrap();
        let chunks = g.chunks(10);
        assert_eq!(
            chunks,
            vec![
                Chunk { start: 0, len: 10 },
                Chunk { start: 10, len: 10 },
                Chunk { start: 20, len: 5 }
            ]
        );
        assert_eq!(g.chunks(0).len(), 25);
        assert_eq!(g.chunks(100), vec![Chunk { start: 0, len: 25 }]);
    }

    #[test]
    fn api_seconds_are_exact() {
        assert_eq!(api_seconds(NOW), "1772460300");
        assert_eq!(api_seconds(NOW + 500), "1772460300.500");
        assert_eq!(api_seconds(-1), "-1.999");
    }

    mod props {
        use super::super::*;
        use proptest::prelude::*;

        proptest! {
            #[test]
            fn chunks_partition_every_grid(
                from in -1_000_000_000i64..1_000_000_000,
                span in 1i64..5_000_000,
                step in 1i64..100_000,
                max in 1usize..50,
            ) {
                if let Ok(g) = Grid::new(from, from + span, step) {
                    let chunks = g.chunks(max);
                    let mut next = 0;
                    for c in &chunks {
                        prop_assert_eq!(c.start, next);
                        prop_assert!(c.len >= 1 && c.len <= max);
                        next += c.len;
                    }
                    prop_assert_eq!(next, g.len());
                    prop_assert!(g.first_ms() >= from && g.last_ms() < from + span);
                    prop_assert_eq!(g.first_ms().rem_euclid(step), 0);
                    for (i, t) in g.times().enumerate() {
                        prop_assert_eq!(g.index_of(t), Some(i));
                    }
                }
            }

            #[test]
            fn parse_time_never_panics(s in "\\PC{0,20}") {
                let _ = parse_time(&s, 0, "--from");
            }
        }
    }
}
