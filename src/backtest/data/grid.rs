//! The regular time grid: tick inference, gap filling and resampling.

use std::collections::HashMap;
use std::path::Path;

use super::cells::Rows;
use super::error::{DataError, DataErrorKind, Location};
use crate::timestamp::{format_duration, MAX_TIMESTAMP_MS, MIN_TIMESTAMP_MS};

/// Largest grid a dataset may have, in points (a guard against e.g. a 1 ms
/// tick over a year, which would need gigabytes).
pub const MAX_GRID_POINTS: usize = 50_000_000;

/// Where each used row lands on the output grid.
pub(crate) struct Grid {
    pub tick_ms: i64,
    pub start_ms: i64,
    pub len: usize,
    pub resampled: bool,
    pub inferred_tick_ms: Option<i64>,
    /// Grid points that no row falls on and that hold no earlier row (filled with
    /// missing values).
    pub gap_ticks: usize,
    /// Upsampling: runs of grid points that no row falls on, each holding one row's
    /// values (see [`holds`]); one run per row at most, so the size is the rows', not
    /// the grid's.
    pub held: Vec<Held>,
    /// Grid slot of each used row, ascending.
    slots: Vec<usize>,
}

fn bad_tick(
    path: &Path,
    row: Option<usize>,
    reason: String,
    suggested_tick_ms: Option<i64>,
    help: String,
) -> DataError {
    let mut at = Location::file(path);
    at.row = row;
    DataErrorKind::BadTick {
        at,
        reason,
        suggested_tick_ms,
        help,
    }
    .into()
}

/// Longest accepted tick: the whole range of timestamps (years 0000-9999).
pub const MAX_TICK_MS: i64 = MAX_TIMESTAMP_MS - MIN_TIMESTAMP_MS;

/// A given tick must be positive and at most [`MAX_TICK_MS`] (E310).
pub(crate) fn check_tick(path: &Path, tick_ms: i64) -> Result<(), DataError> {
    if tick_ms <= 0 {
        return Err(bad_tick(
            path,
            None,
            format!("invalid tick of {tick_ms} ms: a tick must be positive"),
            None,
            "give a positive tick such as 60s, or none to infer it from the data".into(),
        ));
    }
    if tick_ms > MAX_TICK_MS {
        return Err(bad_tick(
            path,
            None,
            format!("invalid tick of {tick_ms} ms: longer than ten thousand years"),
            None,
            "give a tick such as 60s, or none to infer it from the data".into(),
        ));
    }
    Ok(())
}

/// Most common interval (ties: the smallest) and the intervals sorted by frequency.
fn interval_stats(ts: &[i64]) -> (i64, Vec<(i64, usize)>) {
    let mut counts: HashMap<i64, usize> = HashMap::new();
    // Runs of one interval are the rule on a grid: count a run, then look it up once.
    let mut run: Option<(i64, usize)> = None;
    for w in ts.windows(2) {
        let d = w[1] - w[0];
        match &mut run {
            Some((r, n)) if *r == d => *n += 1,
            _ => {
                if let Some((r, n)) = run {
                    *counts.entry(r).or_insert(0) += n;
                }
                run = Some((d, 1));
            }
        }
    }
    if let Some((r, n)) = run {
        *counts.entry(r).or_insert(0) += n;
    }
    let mut by_freq: Vec<(i64, usize)> = counts.into_iter().collect();
    by_freq.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    (by_freq.first().map_or(0, |x| x.0), by_freq)
}

fn describe_intervals(by_freq: &[(i64, usize)]) -> String {
    let mut parts: Vec<String> = by_freq
        .iter()
        .take(4)
        .map(|(d, n)| format!("{} ×{n}", format_duration(*d)))
        .collect();
    if by_freq.len() > 4 {
        parts.push(format!("and {} other intervals", by_freq.len() - 4));
    }
    parts.join(", ")
}

/// Plans the grid for strictly increasing timestamps `ts` of the rows `rows`.
pub(crate) fn plan(
    ts: &[i64],
    rows: &Rows,
    tick: Option<i64>,
    path: &Path,
) -> Result<Grid, DataError> {
    let (Some(&first), Some(&last)) = (ts.first(), ts.last()) else {
        return Err(bad_tick(
            path,
            None,
            "no rows to place on a grid".into(),
            None,
            String::new(),
        ));
    };
    if let Some(t) = tick {
        check_tick(path, t)?;
    }
    let (tick_ms, start_ms, resampled, inferred) = match tick {
        Some(t) => (t, first.div_euclid(t) * t, true, None),
        None => {
            if ts.len() < 2 {
                return Err(bad_tick(
                    path,
                    Some(rows.orig(0) + 1),
                    format!(
                        "cannot infer the tick of {}: only one row is left",
                        Location::file(path).file_display()
                    ),
                    None,
                    "give a tick (e.g. 60s) to place the single row on a grid, or widen the --from/--to window".into(),
                ));
            }
            let (mode, by_freq) = interval_stats(ts);
            if let Some(k) = ts.windows(2).position(|w| (w[1] - w[0]) % mode != 0) {
                let min = by_freq.iter().map(|x| x.0).min().unwrap_or(mode);
                let suggested = if by_freq.iter().all(|(d, _)| d % min == 0) {
                    min
                } else {
                    mode
                };
                let gap = ts[k + 1] - ts[k];
                return Err(bad_tick(
                    path,
                    Some(rows.orig(k + 1) + 1),
                    format!(
                        "timestamps in {} are not on a regular grid: {} between two rows is not a multiple of the most common interval ({})",
                        Location::file(path).file_display(),
                        format_duration(gap),
                        format_duration(mode),
                    ),
                    Some(suggested),
                    format!(
                        "intervals seen: {}. Give a tick to resample, e.g. {}: each grid point then takes the mean of the rows in [t, t + {})",
                        describe_intervals(&by_freq),
                        format_duration(suggested),
                        format_duration(suggested),
                    ),
                ));
            }
            (mode, first, false, Some(mode))
        }
    };
    // Upsampling holds each row for its interval, the last one too: the grid then ends
    // where the last row's interval does.
    let hold_ms = resampled
        .then(|| interval_stats(ts).0)
        .filter(|&interval| ts.len() >= 2 && tick_ms < interval);
    let end = last + hold_ms.map_or(0, |interval| interval - 1);
    // `end - start_ms` cannot overflow: timestamps are within years 0000-9999.
    let span = (end - start_ms) / tick_ms;
    let len = usize::try_from(span)
        .ok()
        .and_then(|s| s.checked_add(1))
        .filter(|&n| n <= MAX_GRID_POINTS);
    let Some(len) = len else {
        return Err(bad_tick(
            path,
            None,
            format!(
                "a tick of {} over {} of data needs {} grid points, more than the limit of {MAX_GRID_POINTS}",
                format_duration(tick_ms),
                format_duration(last - first),
                span.saturating_add(1)
            ),
            None,
            "use a coarser tick, or narrow the data with --from/--to".into(),
        ));
    };
    let slots: Vec<usize> = ts
        .iter()
        .map(|&t| ((t - start_ms) / tick_ms) as usize)
        .collect();
    let mut distinct = 0usize;
    let mut prev = None;
    for &s in &slots {
        if prev != Some(s) {
            distinct += 1;
            prev = Some(s);
        }
    }
    let held = hold_ms.map_or_else(Vec::new, |interval| {
        holds(ts, &slots, (start_ms, tick_ms, len), interval)
    });
    Ok(Grid {
        tick_ms,
        start_ms,
        len,
        resampled,
        inferred_tick_ms: inferred,
        gap_ticks: len - distinct - held.iter().map(Held::len).sum::<usize>(),
        held,
        slots,
    })
}

/// Grid points `from..to` holding the values of row `row`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Held {
    pub from: usize,
    pub to: usize,
    pub row: usize,
}

impl Held {
    pub fn len(&self) -> usize {
        self.to - self.from
    }
}

/// Upsampling (a tick finer than the rows' own interval, e.g. the 15 s tick of a
/// target-tracking service on 1-minute rows): a grid point `t` with no row holds the
/// latest earlier row `r` while `t − r` is less than `interval`, the rows' most common
/// interval: the time that row's value stays current (it is what a scrape would still
/// return). A point further from its last row is a gap.
fn holds(
    ts: &[i64],
    slots: &[usize],
    (start_ms, tick_ms, len): (i64, i64, usize),
    interval: i64,
) -> Vec<Held> {
    let mut out = Vec::new();
    for (row, (&row_ms, &slot)) in ts.iter().zip(slots).enumerate() {
        let next = slots.get(row + 1).copied().unwrap_or(len);
        let from = slot + 1;
        let to = (from..next)
            .find(|&k| start_ms + k as i64 * tick_ms - row_ms >= interval)
            .unwrap_or(next);
        if to > from {
            out.push(Held { from, to, row });
        }
    }
    out
}

impl Grid {
    /// The grid's timestamps: start, start + tick, …
    pub fn timestamps(&self) -> Vec<i64> {
        (0..self.len as i64)
            .map(|k| self.start_ms + k * self.tick_ms)
            .collect()
    }

    /// Places one column's row values on the grid: each point gets the mean of
    /// the non-missing values of its rows, the value of the row it holds
    /// ([`Grid::held`]), or `NaN`.
    pub fn place(&self, values: &[f64]) -> Vec<f64> {
        let mut out = self.means(values);
        for h in &self.held {
            out[h.from..h.to].fill(values[h.row]);
        }
        out
    }

    fn means(&self, values: &[f64]) -> Vec<f64> {
        let mut out = vec![f64::NAN; self.len];
        if !self.resampled {
            for (&s, &v) in self.slots.iter().zip(values) {
                out[s] = v;
            }
            return out;
        }
        let mut counts = vec![0u32; self.len];
        let mut sums = vec![0.0f64; self.len];
        for (&s, &v) in self.slots.iter().zip(values) {
            if !v.is_nan() {
                counts[s] += 1;
                sums[s] += v;
            }
        }
        let mut overflowed = false;
        for ((o, &sum), &n) in out.iter_mut().zip(&sums).zip(&counts) {
            if n > 0 {
                *o = sum / f64::from(n);
                overflowed |= !o.is_finite();
            }
        }
        if overflowed {
            // Sums beyond ±1.8e308: recompute those buckets as running means.
            let mut seen = vec![0u32; self.len];
            for (&s, &v) in self.slots.iter().zip(values) {
                if v.is_nan() || sums[s].is_finite() {
                    continue;
                }
                seen[s] += 1;
                if seen[s] == 1 {
                    out[s] = v;
                } else {
                    out[s] += (v - out[s]) / f64::from(seen[s]);
                }
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn grid(ts: &[i64], tick: Option<i64>) -> Result<Grid, DataError> {
        plan(ts, &Rows::All(ts.len()), tick, Path::new("x.csv"))
    }

    #[test]
    fn infers_most_common_interval_and_fills_gaps() {
        let g = grid(&[0, 10, 20, 50, 60], None).expect("grid");
        assert_eq!(
            (g.tick_ms, g.len, g.gap_ticks, g.resampled),
            (10, 7, 2, false)
        );
        assert_eq!(g.timestamps(), vec![0, 10, 20, 30, 40, 50, 60]);
        let v = g.place(&[1.0, 2.0, 3.0, 4.0, 5.0]);
        assert_eq!(format!("{v:?}"), "[1.0, 2.0, 3.0, NaN, NaN, 4.0, 5.0]");
    }

    #[test]
    fn irregular_spacing_is_e310_with_suggestion() {
        let e = grid(&[0, 60, 120, 157, 240], None).err().expect("error");
        assert_eq!(e.code(), "E310");
        assert_eq!(e.row(), Some(4));
        match e.kind() {
            DataErrorKind::BadTick {
                suggested_tick_ms, ..
            } => {
                assert_eq!(*suggested_tick_ms, Some(60))
            }
            k => panic!("{k:?}"),
        }
        // Every interval a multiple of the smallest: that one is suggested.
        let e = grid(&[0, 120, 240, 300, 420], None).err().expect("error");
        match e.kind() {
            DataErrorKind::BadTick {
                suggested_tick_ms, ..
            } => {
                assert_eq!(*suggested_tick_ms, Some(60))
            }
            k => panic!("{k:?}"),
        }
    }

    #[test]
    fn resampling_aligns_and_averages() {
        let g = grid(&[5, 10, 25, 61], Some(20)).expect("grid");
        assert_eq!(
            (g.start_ms, g.len, g.gap_ticks, g.resampled),
            (0, 4, 1, true)
        );
        let v = g.place(&[1.0, 2.0, f64::NAN, 7.0]);
        assert_eq!(format!("{v:?}"), "[1.5, NaN, NaN, 7.0]");
        // Huge values do not overflow the mean.
        let g = grid(&[0, 1], Some(10)).expect("grid");
        assert_eq!(g.place(&[1e308, 1.5e308]), vec![1.25e308]);
        // Negative times floor too.
        let g = grid(&[-5, 3], Some(10)).expect("grid");
        assert_eq!((g.start_ms, g.len), (-10, 2));
    }

    #[test]
    fn upsampling_holds_each_row_for_its_interval() {
        // 60 s rows with one missing (120 s), on a 15 s grid.
        let g = grid(&[0, 60_000, 180_000, 240_000], Some(15_000)).expect("grid");
        // The grid runs to the end of the last row's minute: 0 s to 285 s.
        assert_eq!((g.len, g.resampled), (20, true));
        // 15..45 s hold row 0, 75..105 s row 1; 120..165 s are a gap (the 120 s row is
        // absent and the 60 s row is a full interval old); 195..225 s hold row 2 (its
        // value is missing, so they are too) and 255..285 s row 3.
        let held: usize = g.held.iter().map(Held::len).sum();
        assert_eq!((held, g.held.len(), g.gap_ticks), (12, 4, 4));
        let v = g.place(&[1.0, 2.0, f64::NAN, 4.0]);
        assert_eq!(
            format!("{v:?}"),
            "[1.0, 1.0, 1.0, 1.0, 2.0, 2.0, 2.0, 2.0, NaN, NaN, NaN, NaN, NaN, NaN, NaN, NaN, 4.0, 4.0, 4.0, 4.0]"
        );
        // A tick as coarse as the rows, or coarser, holds nothing.
        let g = grid(&[0, 60_000, 180_000], Some(60_000)).expect("grid");
        assert_eq!((g.held.is_empty(), g.gap_ticks), (true, 1));
        let g = grid(&[0, 10_000, 20_000, 50_000], Some(20_000)).expect("grid");
        assert!(g.held.is_empty());
    }

    #[test]
    fn tick_guards() {
        assert_eq!(grid(&[0, 1], Some(0)).err().map(|e| e.code()), Some("E310"));
        assert_eq!(
            grid(&[0, 1], Some(i64::MAX)).err().map(|e| e.code()),
            Some("E310")
        );
        let g = grid(&[MIN_TIMESTAMP_MS, MAX_TIMESTAMP_MS], Some(MAX_TICK_MS)).expect("grid");
        // Aligned to multiples of the tick from the epoch; no overflow.
        assert_eq!(g.timestamps(), vec![-MAX_TICK_MS, 0]);
        assert_eq!(grid(&[0], None).err().map(|e| e.code()), Some("E310"));
        let e = grid(&[0, 1, 3_000_000_000], None).err().expect("too big");
        assert!(e.to_string().contains("more than the limit"), "{e}");
    }
}
