//! Turning polars columns into timestamps (ms) and `f64` values, row by row,
//! with an error naming the first bad cell.

use std::path::Path;

use polars::prelude::{Column as PlColumn, DataFrame, DataType, StringChunked, TimeUnit};

use super::error::{DataError, DataErrorKind, Location};
pub use crate::cell::MISSING_TOKENS;
pub(crate) use crate::cell::{numeric_hint, parse_number, Cell, MISSING_HELP};
use crate::timestamp::{
    parse_timestamp, ACCEPTED_TIMESTAMP_FORMS, MAX_TIMESTAMP_MS, MIN_TIMESTAMP_MS, MS_THRESHOLD,
};

/// Original 0-based row indices still in play, ascending.
#[derive(Debug, Clone)]
pub(crate) enum Rows {
    /// Every row of a frame of this height.
    All(usize),
    /// Only these rows.
    Subset(Vec<usize>),
}

impl Rows {
    pub fn len(&self) -> usize {
        match self {
            Rows::All(n) => *n,
            Rows::Subset(v) => v.len(),
        }
    }

    /// Original index of the `k`-th selected row.
    pub fn orig(&self, k: usize) -> usize {
        match self {
            Rows::All(_) => k,
            Rows::Subset(v) => v[k],
        }
    }

    /// Calls `f(original_index, item)` for the selected items of a full-column
    /// iterator, in order. Linear in the column length.
    pub fn try_for_each<I, E>(
        &self,
        iter: I,
        mut f: impl FnMut(usize, I::Item) -> Result<(), E>,
    ) -> Result<(), E>
    where
        I: Iterator,
    {
        match self {
            Rows::All(_) => {
                for (i, v) in iter.enumerate() {
                    f(i, v)?;
                }
            }
            Rows::Subset(idx) => {
                let mut want = idx.iter().copied().peekable();
                for (i, v) in iter.enumerate() {
                    match want.peek() {
                        None => break,
                        Some(&w) if w == i => {
                            want.next();
                            f(i, v)?;
                        }
                        Some(_) => {}
                    }
                }
            }
        }
        Ok(())
    }

    /// Keeps the `k`-th selected rows for which `keep(k)` is true.
    pub fn filter(&self, mut keep: impl FnMut(usize) -> bool) -> Rows {
        Rows::Subset(
            (0..self.len())
                .filter(|&k| keep(k))
                .map(|k| self.orig(k))
                .collect(),
        )
    }
}

/// Rows in which every read cell is null (blank CSV lines), ascending.
pub(crate) fn blank_rows(df: &DataFrame) -> Vec<usize> {
    let cols = df.columns();
    if cols.is_empty() || cols.iter().any(|c| c.null_count() == 0) {
        return Vec::new();
    }
    let Some(first) = cols.iter().min_by_key(|c| c.null_count()) else {
        return Vec::new();
    };
    let mut candidates: Vec<usize> = first
        .is_null()
        .iter()
        .enumerate()
        .filter_map(|(i, n)| (n == Some(true)).then_some(i))
        .collect();
    for c in cols {
        if candidates.is_empty() {
            break;
        }
        let nulls = c.is_null();
        candidates.retain(|&i| nulls.get(i) == Some(true));
    }
    candidates
}

/// Column context for error messages.
#[derive(Clone, Copy)]
pub(crate) struct Ctx<'a> {
    pub path: &'a Path,
    pub column: &'a str,
}

impl Ctx<'_> {
    fn at(&self, orig: usize) -> Location {
        Location::cell(self.path, orig + 1, self.column)
    }

    fn wrong_type(&self, dtype: &DataType, expected: &str, help: &str) -> DataError {
        DataErrorKind::WrongType {
            at: Location::column(self.path, self.column),
            dtype: dtype.to_string(),
            expected: expected.to_string(),
            help: help.to_string(),
        }
        .into()
    }

    fn bad_timestamp(&self, orig: usize, text: &str, reason: &str) -> DataError {
        let t = text.trim();
        let advice = if t.starts_with('#') {
            "comment lines are not supported: remove lines starting with `#`"
        } else if t == self.column {
            "this row repeats the header (were files concatenated?): remove the repeated header line"
        } else if t.is_empty() {
            "every row needs a timestamp: remove the row or fill in its time"
        } else {
            ""
        };
        let help = if advice.is_empty() {
            format!("accepted forms: {ACCEPTED_TIMESTAMP_FORMS}")
        } else {
            format!("{advice}. Accepted forms: {ACCEPTED_TIMESTAMP_FORMS}")
        };
        DataErrorKind::BadTimestamp {
            at: self.at(orig),
            text: cut(text),
            reason: reason.to_string(),
            help,
        }
        .into()
    }
}

fn cut(text: &str) -> String {
    if text.chars().count() > 60 {
        let mut s: String = text.chars().take(60).collect();
        s.push('…');
        s
    } else {
        text.to_string()
    }
}

fn polars_failure(ctx: &Ctx, e: &polars::prelude::PolarsError) -> DataError {
    DataErrorKind::CannotRead {
        at: Location::column(ctx.path, ctx.column),
        reason: format!("cannot convert the column: {e}"),
        help: "please report this, with the file if you can share it".into(),
    }
    .into()
}

/// Integer timestamp: unix ms when |v| >= 1e11, else unix seconds.
pub(crate) fn int_to_ms(v: i64) -> Option<i64> {
    let ms = if v.unsigned_abs() >= MS_THRESHOLD as u64 {
        v
    } else {
        v.checked_mul(1000)?
    };
    (MIN_TIMESTAMP_MS..=MAX_TIMESTAMP_MS)
        .contains(&ms)
        .then_some(ms)
}

/// Float timestamp: unix seconds (rounded to the ms), or ms when |v| >= 1e11.
pub(crate) fn float_to_ms(v: f64) -> Option<i64> {
    if !v.is_finite() {
        return None;
    }
    let ms = if v.abs() >= MS_THRESHOLD as f64 {
        v.floor()
    } else {
        (v * 1000.0).round()
    };
    if ms < MIN_TIMESTAMP_MS as f64 || ms > MAX_TIMESTAMP_MS as f64 {
        return None;
    }
    Some(ms as i64)
}

const RANGE: &str = "out of range (years 0000-9999)";

/// Timestamps (ms) of the selected rows.
pub(crate) fn timestamps(col: &PlColumn, rows: &Rows, ctx: Ctx) -> Result<Vec<i64>, DataError> {
    let mut out = Vec::with_capacity(rows.len());
    let dtype = col.dtype().clone();
    match &dtype {
        DataType::String => {
            let ca = col.str().map_err(|e| polars_failure(&ctx, &e))?;
            if let Rows::All(n) = *rows {
                if n >= PARALLEL_MIN_ROWS {
                    return text_timestamps_in_halves(ca, n, ctx);
                }
            }
            rows.try_for_each(ca.iter(), |i, v| {
                let text = v.unwrap_or("");
                match parse_timestamp(text) {
                    Ok(ms) => {
                        out.push(ms);
                        Ok(())
                    }
                    Err(e) => Err(ctx.bad_timestamp(i, text, e.reason())),
                }
            })?;
        }
        DataType::Datetime(unit, _) => {
            let phys = col.to_physical_repr();
            let ca = phys.i64().map_err(|e| polars_failure(&ctx, &e))?;
            let per_ms = match unit {
                TimeUnit::Nanoseconds => 1_000_000,
                TimeUnit::Microseconds => 1_000,
                TimeUnit::Milliseconds => 1,
            };
            rows.try_for_each(ca.iter(), |i, v| match v {
                Some(v) => {
                    let ms = v.div_euclid(per_ms);
                    if (MIN_TIMESTAMP_MS..=MAX_TIMESTAMP_MS).contains(&ms) {
                        out.push(ms);
                        Ok(())
                    } else {
                        Err(ctx.bad_timestamp(i, &format!("{v} ({unit})"), RANGE))
                    }
                }
                None => Err(ctx.bad_timestamp(i, "", "empty")),
            })?;
        }
        d if d.is_integer() => {
            let cast = col
                .cast(&DataType::Int64)
                .map_err(|e| polars_failure(&ctx, &e))?;
            let ca = cast.i64().map_err(|e| polars_failure(&ctx, &e))?;
            rows.try_for_each(ca.iter(), |i, v| match v {
                Some(v) => match int_to_ms(v) {
                    Some(ms) => {
                        out.push(ms);
                        Ok(())
                    }
                    None => Err(ctx.bad_timestamp(i, &v.to_string(), RANGE)),
                },
                None => Err(ctx.bad_timestamp(i, "", "empty")),
            })?;
        }
        d if d.is_float() => {
            let cast = col
                .cast(&DataType::Float64)
                .map_err(|e| polars_failure(&ctx, &e))?;
            let ca = cast.f64().map_err(|e| polars_failure(&ctx, &e))?;
            rows.try_for_each(ca.iter(), |i, v| match v {
                Some(v) if v.is_nan() => Err(ctx.bad_timestamp(i, "NaN", "empty")),
                Some(v) => match float_to_ms(v) {
                    Some(ms) => {
                        out.push(ms);
                        Ok(())
                    }
                    None => Err(ctx.bad_timestamp(i, &v.to_string(), RANGE)),
                },
                None => Err(ctx.bad_timestamp(i, "", "empty")),
            })?;
        }
        DataType::Null => {
            if rows.len() > 0 {
                return Err(ctx.bad_timestamp(rows.orig(0), "", "empty"));
            }
        }
        other => return Err(ctx.wrong_type(
            other,
            "timestamps (text, integers, floats or datetimes)",
            "store the time as RFC 3339 text, unix seconds or milliseconds, or a Parquet timestamp",
        )),
    }
    Ok(out)
}

/// Below this many rows, timestamps are parsed on one thread.
const PARALLEL_MIN_ROWS: usize = 100_000;

/// Parses all `n` text timestamps on two threads, one half each. The error is the
/// one a single pass would give: the first bad cell in row order.
fn text_timestamps_in_halves(
    ca: &StringChunked,
    n: usize,
    ctx: Ctx,
) -> Result<Vec<i64>, DataError> {
    let half = n / 2;
    let parse = |offset: usize, len: usize, capacity: usize| {
        let mut out = Vec::with_capacity(capacity);
        for (k, v) in ca.slice(offset as i64, len).iter().enumerate() {
            let text = v.unwrap_or("");
            match parse_timestamp(text) {
                Ok(ms) => out.push(ms),
                Err(e) => return Err(ctx.bad_timestamp(offset + k, text, e.reason())),
            }
        }
        Ok(out)
    };
    let (first, second) = std::thread::scope(|scope| {
        let second = scope.spawn(|| parse(half, n - half, n - half));
        (parse(0, half, n), second.join())
    });
    let second = second.unwrap_or_else(|p| std::panic::resume_unwind(p));
    let mut out = first?;
    out.extend(second?);
    Ok(out)
}

/// Values of a numeric column for the selected rows; `NaN` marks missing data.
/// Also returns the number of missing cells.
pub(crate) fn numbers(
    col: &PlColumn,
    rows: &Rows,
    ctx: Ctx,
) -> Result<(Vec<f64>, usize), DataError> {
    let mut out = Vec::with_capacity(rows.len());
    let mut missing = 0usize;
    let infinite = |i: usize, text: &str| -> DataError {
        DataErrorKind::Infinite {
            at: ctx.at(i),
            text: cut(text),
            help: format!(
                "infinite values (`inf`, or numbers beyond ±1.8e308) are not data: \
                 fix the exporter, or leave the cell empty if the value is unknown. {MISSING_HELP}"
            ),
        }
        .into()
    };
    let dtype = col.dtype().clone();
    match &dtype {
        DataType::String => {
            let ca = col.str().map_err(|e| polars_failure(&ctx, &e))?;
            rows.try_for_each(ca.iter(), |i, v| {
                let Some(text) = v else {
                    missing += 1;
                    out.push(f64::NAN);
                    return Ok(());
                };
                match parse_number(text) {
                    Cell::Value(x) => out.push(x),
                    Cell::Missing => {
                        missing += 1;
                        out.push(f64::NAN);
                    }
                    Cell::Infinite => return Err(infinite(i, text)),
                    Cell::Invalid => {
                        return Err(DataErrorKind::NotNumeric {
                            at: ctx.at(i),
                            text: cut(text),
                            help: numeric_hint(text),
                        }
                        .into())
                    }
                }
                Ok(())
            })?;
        }
        d if d.is_numeric() => {
            let cast = col
                .cast(&DataType::Float64)
                .map_err(|e| polars_failure(&ctx, &e))?;
            let ca = cast.f64().map_err(|e| polars_failure(&ctx, &e))?;
            rows.try_for_each(ca.iter(), |i, v| {
                match v {
                    Some(x) if x.is_infinite() => {
                        return Err(infinite(i, if x > 0.0 { "inf" } else { "-inf" }))
                    }
                    Some(x) if !x.is_nan() => out.push(x),
                    _ => {
                        missing += 1;
                        out.push(f64::NAN);
                    }
                }
                Ok(())
            })?;
        }
        DataType::Null => {
            missing = rows.len();
            out.resize(rows.len(), f64::NAN);
        }
        other => {
            let help = match other {
                DataType::Boolean => "booleans are not metrics: store 1/0 as integers",
                DataType::Datetime(..) => {
                    "a datetime column cannot be a metric: did you mean it as the timestamp column?"
                }
                DataType::List(_) => "list cells cannot be metrics: store one number per cell",
                _ => "store the column as integers or floats",
            };
            return Err(ctx.wrong_type(other, "numbers (integers or floats)", help));
        }
    }
    Ok((out, missing))
}

/// Text values of the `service` column (strings, or integers shown as text).
pub(crate) fn service_column(col: &PlColumn, ctx: Ctx) -> Result<PlColumn, DataError> {
    match col.dtype() {
        DataType::String => Ok(col.clone()),
        d if d.is_integer() || matches!(d, DataType::Null) => col
            .cast(&DataType::String)
            .map_err(|e| polars_failure(&ctx, &e)),
        other => Err(ctx.wrong_type(
            other,
            "service names (text)",
            "store the service names as text",
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numeric_timestamps() {
        assert_eq!(int_to_ms(1_772_460_300), Some(1_772_460_300_000));
        assert_eq!(int_to_ms(1_772_460_300_000), Some(1_772_460_300_000));
        assert_eq!(int_to_ms(i64::MAX), None);
        assert_eq!(int_to_ms(i64::MIN), None);
        assert_eq!(float_to_ms(1_772_460_300.25), Some(1_772_460_300_250));
        assert_eq!(float_to_ms(1_772_460_300_000.0), Some(1_772_460_300_000));
        assert_eq!(float_to_ms(f64::INFINITY), None);
        assert_eq!(float_to_ms(1e300), None);
    }

    #[test]
    fn timestamps_in_halves_match_one_pass_and_its_first_error() {
        let n = 2 * PARALLEL_MIN_ROWS + 1;
        let mut text: Vec<String> = (0..n as i64)
            .map(|i| crate::timestamp::format_timestamp(1_772_409_600_000 + i * 10_000))
            .collect();
        let ctx = Ctx {
            path: Path::new("x.csv"),
            column: "timestamp",
        };
        let parse = |text: &[String], rows: &Rows| {
            let col = PlColumn::new("timestamp".into(), text.to_vec());
            timestamps(&col, rows, ctx)
        };
        let every = Rows::Subset((0..n).collect()); // the one-thread path
        let halves = parse(&text, &Rows::All(n)).expect("parses");
        assert_eq!(halves, parse(&text, &every).expect("parses"));
        assert_eq!(halves[n - 1], 1_772_409_600_000 + (n as i64 - 1) * 10_000);
        // Bad cells in both halves: the first one in row order is reported.
        text[n - 10] = "later".into();
        text[n / 2 + 3] = "bad".into();
        let e = parse(&text, &Rows::All(n)).expect_err("bad");
        assert_eq!(e.row(), Some(n / 2 + 4));
        text[7] = "".into();
        let e = parse(&text, &Rows::All(n)).expect_err("bad");
        assert_eq!(e.row(), Some(8));
    }

    #[test]
    fn rows_subset_iteration() {
        let rows = Rows::Subset(vec![1, 3, 4]);
        let mut seen = Vec::new();
        rows.try_for_each("abcdef".chars(), |i, c| {
            seen.push((i, c));
            Ok::<_, ()>(())
        })
        .unwrap();
        assert_eq!(seen, vec![(1, 'b'), (3, 'd'), (4, 'e')]);
        let f = rows.filter(|k| k != 1);
        assert_eq!((f.len(), f.orig(0), f.orig(1)), (2, 1, 4));
    }
}
