//! Loading metric datasets (CSV, Parquet) with polars.
//!
//! [`load`] reads the columns a backtest needs from one file, validates every
//! cell it uses, and returns them as `f64` columns on a regular time grid
//! ([`Dataset`]). Every rejection is a [`DataError`] naming the file and, when
//! it concerns a cell, the 1-based data row, the file line (CSV) and the
//! column, with a fix hint. [`inspect`] lists a file's columns and services
//! without loading the data.
//!
//! # Semantics
//!
//! **Files.** The format comes from the extension: `.csv` is CSV, `.parquet`
//! and `.pq` are Parquet. A file starting with the Parquet magic bytes `PAR1`
//! is read as Parquet whatever its name; a `.parquet`/`.pq` file without them,
//! a compressed file (gzip, zstd, bzip2, xz, zip), a binary file or a `.tsv`
//! file is E301. A file with another or no extension is read as CSV if its
//! first line contains a comma, else E301. A CSV file is UTF-8, comma-separated, `"`
//! quoted, with a header row naming the columns (a UTF-8 byte-order mark and
//! CRLF line ends are fine). Only the needed columns are read.
//!
//! **Rows.** "Row N" is the N-th data row, counting from 1 (the CSV header is
//! not a row); for CSV the error also gives the file line, which is N + 1
//! unless an earlier quoted cell spans several lines. Row numbers always refer
//! to the original file, whatever filters applied. A row whose read cells are
//! all empty (a blank line) is skipped and counted in
//! [`LoadReport::blank_rows_skipped`]. A CSV row with more fields than the
//! header, an unterminated quote or invalid UTF-8 is E312; a row with fewer
//! fields has its missing cells empty.
//!
//! **Columns.** The timestamp column ([`DataRequest::timestamp_column`]) and
//! every [`DataRequest::columns`] entry must exist (E302, with a did-you-mean
//! and the list of the file's columns) and appear once in the header (E313).
//! [`DataRequest::optional_columns`] are read when present and otherwise left
//! out of the output (listed in [`LoadReport::optional_missing`]). Output
//! columns come in request order: required ones, then the present optional
//! ones.
//!
//! **Timestamps.** A text cell is parsed with
//! [`parse_timestamp`](crate::timestamp::parse_timestamp) (RFC 3339,
//! `YYYY-MM-DD HH:MM:SS` in UTC, a date, unix seconds or milliseconds). An
//! integer column holds unix seconds, or milliseconds when the magnitude is
//! at least 1e11; a float column holds unix seconds (rounded to the
//! millisecond), or milliseconds from 1e11 on; a Parquet datetime of any unit
//! and time zone is taken as the UTC instant it denotes. An empty, `NaN` or
//! unparsable timestamp, or one outside years 0000–9999, is E303; a column of
//! another type (boolean, list, …) is E307.
//!
//! **Numbers.** Integer and float columns are converted to `f64`. In a text
//! column (every CSV column) each cell is trimmed and parsed as a decimal
//! number (`42`, `-0.5`, `1e-3`); empty cells and `NaN`, `null`, `NA`,
//! `N/A`, `None` (any case) are missing data, stored as `f64::NAN`; anything
//! else is E306 with a hint (thousands separators, decimal commas, units,
//! `%`). Infinite values (`inf`, `-Infinity`, `1e999`, or an infinite float)
//! are E311. A column of another type (boolean, datetime, list, …) is E307.
//!
//! **Order of filters.** 1. blank rows are skipped; 2. the service filter
//! keeps the rows of the selected service; 3. timestamps of those rows are
//! parsed; 4. the `[from_ms, to_ms)` window (from inclusive, to exclusive)
//! keeps the rows inside it; 5. only then are the remaining rows checked and
//! used: cells are validated only in rows that survive the filters.
//!
//! **Long format.** A file with a `service` column holds several series. With
//! [`DataRequest::service`] set, the file must have a `service` column (E302)
//! and only the rows whose service equals it exactly are kept; a service not
//! in the file is E309 (listing the services, with a did-you-mean). With no
//! service requested, a file whose `service` column holds more than one
//! distinct service is E309, asking to pick one; a single service is used
//! as is. A request built from a policy ([`DataRequest::for_service`])
//! decides here, from the same single pass over the `service` column: a
//! service the user named ([`LongFormat::Named`]) is kept as above (E309 if
//! absent); otherwise the policy's own service ([`LongFormat::Policy`]) is
//! kept when the file holds it, and the file is read as if no service were
//! requested when it does not. A wide file (no `service` column) ignores
//! [`DataRequest::long_format`].
//!
//! **Order and duplicates.** The remaining rows must be in strictly
//! increasing time: a timestamp earlier than the previous row's is E304, the
//! same timestamp twice is E305 (both name the two rows).
//!
//! **Grid.** Without [`DataRequest::tick_ms`], the tick is inferred as the
//! most common interval between consecutive rows (ties: the smaller). Every
//! interval must then be a multiple of it: the grid runs from the first
//! row's time to the last row's in steps of the tick, and the grid points
//! without a row (gaps) get missing values in every column
//! ([`LoadReport::gap_ticks_filled`]). An interval that is not a multiple is
//! E310, listing the intervals seen and suggesting a tick (the smallest
//! interval if all are multiples of it, else the most common). A single row
//! with no tick is E310. With a tick given (it must be > 0, else E310), the
//! rows are resampled: grid points are the multiples of the tick from the
//! floor of the first timestamp to the floor of the last, and each point `t`
//! takes, per column, the mean of the non-missing values of the rows with
//! times in `[t, t + tick)`. A point with no row takes, when the tick is finer than
//! the rows' most common interval (upsampling, e.g. 15 s ticks on 1-minute rows), the
//! values of the latest earlier row if that row is less than one interval older than
//! the point: the value a scrape would still return ([`LoadReport::held_ticks`]);
//! otherwise a missing value, and the point counts as a gap tick. A tick above [`MAX_TICK_MS`], or a grid
//! of more than [`MAX_GRID_POINTS`] points, is E310.
//!
//! **Empty.** A 0-byte file, a file with no data rows, only blank rows, or no
//! row left in the `[from, to)` window (or an empty window, `from >= to`) is
//! E308, saying which.

mod cells;
mod error;
mod grid;
mod source;

use std::collections::HashSet;
use std::fmt;
use std::path::{Path, PathBuf};

use polars::prelude::DataFrame;

pub use self::cells::MISSING_TOKENS;
pub use self::error::{DataError, DataErrorKind, Location, RowRef, DATA_ERROR_CODES};
pub use self::grid::{MAX_GRID_POINTS, MAX_TICK_MS};

use self::cells::{blank_rows, numbers, service_column, timestamps, Ctx, Rows};
use self::error::{list_quoted, suggest};
use self::source::{csv_line_of_row, resolve_column, Source};
use crate::ir::Service;
use crate::timestamp::{format_duration, format_timestamp};

/// Name of the column that identifies the series in a long-format file.
pub const SERVICE_COLUMN: &str = "service";

/// What to load from a dataset file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DataRequest {
    pub path: PathBuf,
    /// Name of the timestamp column, usually `"timestamp"`.
    pub timestamp_column: String,
    /// Required numeric columns.
    pub columns: Vec<String>,
    /// Numeric columns read when present (e.g. `"replicas"`), else absent from the output.
    pub optional_columns: Vec<String>,
    /// Long format: keep the rows whose `service` column equals this; the file must
    /// have a `service` column (E302) that holds it (E309).
    pub service: Option<String>,
    /// Long format, for a request built from a policy ([`DataRequest::for_service`]):
    /// which service's rows to keep when the file has a `service` column. A wide file
    /// ignores it, and [`service`](Self::service) overrides it.
    pub long_format: Option<LongFormat>,
    /// Keep rows at or after this instant (ms since the epoch).
    pub from_ms: Option<i64>,
    /// Keep rows strictly before this instant (ms since the epoch).
    pub to_ms: Option<i64>,
    /// Resample to this grid; `None` infers the tick.
    pub tick_ms: Option<i64>,
}

impl Default for DataRequest {
    fn default() -> Self {
        DataRequest {
            path: PathBuf::new(),
            timestamp_column: "timestamp".to_string(),
            columns: Vec::new(),
            optional_columns: Vec::new(),
            service: None,
            long_format: None,
            from_ms: None,
            to_ms: None,
            tick_ms: None,
        }
    }
}

impl DataRequest {
    /// A request for `path` with the default `timestamp` column and nothing else.
    pub fn new(path: impl Into<PathBuf>) -> Self {
        DataRequest {
            path: path.into(),
            ..DataRequest::default()
        }
    }

    /// What a backtest of `service` reads from `path`: the columns its metrics name,
    /// the recorded replica column when the model names one (optional: without it
    /// there is no recorded baseline), and, in a long-format file, the rows of
    /// `named` (the `--service` the user gave) or else of the policy's own service
    /// when the file holds it ([`LongFormat`]). The caller sets the window and tick.
    pub fn for_service(path: impl Into<PathBuf>, service: &Service, named: Option<&str>) -> Self {
        let modelled = modelled_columns(service);
        let mut columns: Vec<String> = Vec::new();
        let mut optional: Vec<String> = Vec::new();
        for c in service.columns() {
            let list = if modelled.contains(&c) {
                &mut optional
            } else {
                &mut columns
            };
            if !list.iter().any(|x| x == c) {
                list.push(c.to_string());
            }
        }
        if let Some(c) = service
            .model
            .as_ref()
            .and_then(|m| m.recorded_replicas.as_ref())
        {
            if !optional.contains(c) && !columns.contains(c) {
                optional.push(c.clone());
            }
        }
        DataRequest {
            path: path.into(),
            columns,
            optional_columns: optional,
            long_format: Some(match named {
                Some(s) => LongFormat::Named(s.to_string()),
                None => LongFormat::Policy(service.name.clone()),
            }),
            ..DataRequest::default()
        }
    }
}

/// Columns that a backtest of `service` does not need: those read only by latency
/// metrics whose model has a base (`latency p95 base 80ms`), whose value the model
/// computes entirely. They are read when present (for `--replay`).
pub fn modelled_columns(service: &Service) -> Vec<&str> {
    let Some(model) = &service.model else {
        return Vec::new();
    };
    let based = |i: usize| {
        model
            .latency
            .iter()
            .any(|l| l.metric.0 == i && l.base.is_some())
    };
    fn column(m: &crate::ir::Metric) -> Option<&str> {
        match &m.source {
            crate::ir::MetricSource::Column(c) => Some(c.as_str()),
            crate::ir::MetricSource::Builtin(_) => None,
        }
    }
    let mut out: Vec<&str> = Vec::new();
    for (i, m) in service.metrics.iter().enumerate() {
        if let Some(c) = column(m).filter(|_| based(i)) {
            let needed_elsewhere = service
                .metrics
                .iter()
                .enumerate()
                .any(|(j, o)| j != i && !based(j) && column(o) == Some(c));
            if !needed_elsewhere && !out.contains(&c) {
                out.push(c);
            }
        }
    }
    out
}

/// How a request built from a policy picks the rows of a long-format file (one with a
/// `service` column); see [`DataRequest::long_format`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LongFormat {
    /// The service the user named: only its rows are kept, and a file that does not
    /// hold it is E309.
    Named(String),
    /// The policy's own service: its rows are kept when the file holds it; otherwise
    /// the file is read as if no service were named (a single service is used as is,
    /// several are E309).
    Policy(String),
}

/// The file formats [`load`] reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum FileFormat {
    Csv,
    Parquet,
}

impl fmt::Display for FileFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            FileFormat::Csv => "CSV",
            FileFormat::Parquet => "Parquet",
        })
    }
}

/// A loaded dataset: columns on a regular time grid.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Dataset {
    pub path: PathBuf,
    pub tick_ms: i64,
    /// Regular grid: first, first + tick, … last.
    pub timestamps_ms: Vec<i64>,
    /// In the order requested (required, then the present optional ones).
    pub columns: Vec<Column>,
    /// What was done to get here.
    pub report: LoadReport,
}

/// One numeric column; `f64::NAN` marks a missing value.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Column {
    pub name: String,
    pub values: Vec<f64>,
}

impl Dataset {
    /// The values of a column, if it was loaded.
    pub fn column(&self, name: &str) -> Option<&[f64]> {
        self.columns
            .iter()
            .find(|c| c.name == name)
            .map(|c| c.values.as_slice())
    }

    /// Number of grid points.
    pub fn len(&self) -> usize {
        self.timestamps_ms.len()
    }

    /// True when the grid has no point (never the case for a loaded dataset).
    pub fn is_empty(&self) -> bool {
        self.timestamps_ms.is_empty()
    }

    /// Names of the loaded columns, in order.
    pub fn column_names(&self) -> Vec<&str> {
        self.columns.iter().map(|c| c.name.as_str()).collect()
    }
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

/// What [`load`] did.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct LoadReport {
    pub format: FileFormat,
    /// Data rows in the file (header excluded), before any filter.
    pub rows_read: usize,
    /// Rows whose read cells were all empty (blank lines), skipped.
    pub blank_rows_skipped: usize,
    /// Rows of other services, dropped by the service filter.
    pub rows_other_services: usize,
    /// Rows before `from_ms`, dropped.
    pub rows_before_from: usize,
    /// Rows at or after `to_ms`, dropped.
    pub rows_after_to: usize,
    /// Rows that made it onto the grid.
    pub rows_used: usize,
    /// Grid points that no row fell on, filled with missing values.
    pub gap_ticks_filled: usize,
    /// Upsampling: grid points that no row fell on, holding the latest earlier row's
    /// values (it was less than one row interval old).
    #[serde(skip_serializing_if = "is_zero")]
    pub held_ticks: usize,
    /// Missing cells per output column among the rows used (gap ticks not counted).
    pub null_cells: Vec<(String, usize)>,
    /// True when a tick was given and the rows were resampled onto it.
    pub resampled: bool,
    /// The inferred tick, when none was given.
    pub inferred_tick_ms: Option<i64>,
    /// Distinct services in the file's `service` column (sorted; empty without one).
    pub services: Vec<String>,
    /// The service whose rows were used (requested, or the file's only one).
    pub service: Option<String>,
    /// Optional columns that the file does not have.
    pub optional_missing: Vec<String>,
}

impl LoadReport {
    /// Rows dropped by the `[from, to)` window.
    pub fn rows_dropped_by_window(&self) -> usize {
        self.rows_before_from + self.rows_after_to
    }

    /// Missing cells of one output column among the rows used.
    pub fn nulls_in(&self, column: &str) -> Option<usize> {
        self.null_cells
            .iter()
            .find(|(c, _)| c == column)
            .map(|(_, n)| *n)
    }
}

impl fmt::Display for LoadReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} rows read ({})", self.rows_read, self.format)?;
        if self.blank_rows_skipped > 0 {
            write!(f, ", {} blank skipped", self.blank_rows_skipped)?;
        }
        if let Some(s) = &self.service {
            write!(f, ", service `{s}`")?;
            if self.rows_other_services > 0 {
                write!(
                    f,
                    " ({} rows of other services dropped)",
                    self.rows_other_services
                )?;
            }
        }
        if self.rows_dropped_by_window() > 0 {
            write!(
                f,
                ", {} before --from and {} after --to dropped",
                self.rows_before_from, self.rows_after_to
            )?;
        }
        write!(f, "; {} rows used", self.rows_used)?;
        match self.inferred_tick_ms {
            Some(t) => write!(f, ", tick {} (inferred)", format_duration(t))?,
            None if self.resampled => write!(f, ", resampled")?,
            None => {}
        }
        if self.held_ticks > 0 {
            write!(f, ", {} ticks held the previous row", self.held_ticks)?;
        }
        if self.gap_ticks_filled > 0 {
            write!(f, ", {} gap ticks filled", self.gap_ticks_filled)?;
        }
        let nulls: Vec<String> = self
            .null_cells
            .iter()
            .filter(|(_, n)| *n > 0)
            .map(|(c, n)| format!("{c} {n}"))
            .collect();
        if !nulls.is_empty() {
            write!(f, "; missing cells: {}", nulls.join(", "))?;
        }
        if !self.optional_missing.is_empty() {
            write!(
                f,
                "; absent optional columns: {}",
                self.optional_missing.join(", ")
            )?;
        }
        Ok(())
    }
}

/// A file's columns and services, from [`inspect`].
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct DatasetInfo {
    pub path: PathBuf,
    pub format: FileFormat,
    /// Column names in file order.
    pub columns: Vec<String>,
    /// Distinct services (sorted) when the file has a `service` column.
    pub services: Option<Vec<String>>,
}

/// Column names and services (if a `service` column exists) without loading the
/// data, for suggestions and UX. Reads the header (CSV) or schema (Parquet),
/// and only the `service` column's values.
pub fn inspect(path: &Path) -> Result<DatasetInfo, DataError> {
    let src = Source::open(path)?;
    let has_service = src.columns.iter().filter(|c| *c == SERVICE_COLUMN).count() == 1;
    let services = if has_service {
        let run = || -> Result<Vec<String>, DataError> {
            let df = src.read(&[SERVICE_COLUMN.to_string()])?;
            let col = df.column(SERVICE_COLUMN).map_err(|e| internal(path, &e))?;
            let ctx = Ctx {
                path,
                column: SERVICE_COLUMN,
            };
            let svc = service_column(col, ctx)?;
            let ca = svc.str().map_err(|e| internal(path, &e))?;
            let set: HashSet<&str> = ca.iter().flatten().collect();
            let mut v: Vec<String> = set.into_iter().map(str::to_string).collect();
            v.sort();
            Ok(v)
        };
        Some(run().map_err(|e| with_csv_lines(e, &src))?)
    } else {
        None
    };
    Ok(DatasetInfo {
        path: path.to_path_buf(),
        format: src.format,
        columns: src.columns,
        services,
    })
}

fn internal(path: &Path, e: &polars::prelude::PolarsError) -> DataError {
    DataErrorKind::CannotRead {
        at: Location::file(path),
        reason: format!("unexpected reader error: {e}"),
        help: "please report this, with the file if you can share it".into(),
    }
    .into()
}

fn with_csv_lines(e: DataError, src: &Source) -> DataError {
    if src.format == FileFormat::Csv {
        let fields = src.columns.len();
        e.with_lines(|row| csv_line_of_row(&src.path, fields, row))
    } else {
        e
    }
}

fn empty(path: &Path, reason: String, help: String) -> DataError {
    DataErrorKind::Empty {
        at: Location::file(path),
        reason,
        help,
    }
    .into()
}

/// Loads, validates and grids the requested columns of one file: see the
/// [module documentation](self) for the exact semantics.
pub fn load(req: &DataRequest) -> Result<Dataset, DataError> {
    let path = req.path.as_path();
    if let Some(t) = req.tick_ms {
        grid::check_tick(path, t)?;
    }
    if let (Some(from), Some(to)) = (req.from_ms, req.to_ms) {
        if from >= to {
            return Err(empty(
                path,
                format!(
                    "the --from/--to window is empty: --from {} is not before --to {}",
                    format_timestamp(from),
                    format_timestamp(to)
                ),
                "--from is inclusive and --to exclusive: give a --to later than --from".into(),
            ));
        }
    }
    let src = Source::open(path)?;
    let result = load_from(&src, req).map_err(|e| with_csv_lines(e, &src));
    release_freed_memory();
    result
}

/// Returns the memory the reader freed to the OS. glibc keeps the frames that
/// polars' worker threads built in their own arenas once freed, where the
/// backtest (on this thread) cannot reuse them: without this the resident
/// size after a 120 MiB load stays ~325 MiB and the backtest adds to it.
fn release_freed_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        extern "C" {
            fn malloc_trim(pad: usize) -> std::os::raw::c_int;
        }
        // SAFETY: glibc's malloc_trim only releases free heap pages; it has no
        // precondition and touches no live allocation.
        unsafe {
            malloc_trim(0);
        }
    }
}

fn dedup(names: impl IntoIterator<Item = String>) -> Vec<String> {
    let mut seen = HashSet::new();
    names
        .into_iter()
        .filter(|n| seen.insert(n.clone()))
        .collect()
}

fn load_from(src: &Source, req: &DataRequest) -> Result<Dataset, DataError> {
    let path = src.path.as_path();
    let header = &src.columns;

    // Columns.
    resolve_column(
        path,
        header,
        &req.timestamp_column,
        "every dataset needs its timestamp column",
    )?;
    for c in &req.columns {
        resolve_column(path, header, c, "this numeric column is required")?;
    }
    let service_count = header.iter().filter(|c| *c == SERVICE_COLUMN).count();
    if req.service.is_some() {
        resolve_column(
            path,
            header,
            SERVICE_COLUMN,
            "selecting a service needs a long-format file with a `service` column",
        )?;
    }
    let read_service = service_count == 1;
    let mut optional_present = Vec::new();
    let mut optional_missing = Vec::new();
    for c in &req.optional_columns {
        if header.contains(c) {
            resolve_column(path, header, c, "")?; // rejects a repeated name
            optional_present.push(c.clone());
        } else {
            optional_missing.push(c.clone());
        }
    }
    let out_names = dedup(req.columns.iter().chain(&optional_present).cloned());
    let needed = dedup(
        std::iter::once(req.timestamp_column.clone())
            .chain(read_service.then(|| SERVICE_COLUMN.to_string()))
            .chain(out_names.iter().cloned()),
    );

    // Numeric columns are read as floats when that changes nothing (see
    // `Source::read_typed`); the timestamp and service columns as text.
    let numeric: Vec<String> = out_names
        .iter()
        .filter(|n| **n != req.timestamp_column && (!read_service || *n != SERVICE_COLUMN))
        .cloned()
        .collect();
    let mut df = src.read_typed(&needed, &numeric)?;
    let column =
        |df: &DataFrame, name: &str| df.column(name).cloned().map_err(|e| internal(path, &e));
    let rows_read = df.height();
    if rows_read == 0 {
        return Err(empty(
            path,
            "the file has no data rows".into(),
            "a dataset needs at least one row of data after the header".into(),
        ));
    }

    // 1. Blank rows.
    let blanks = blank_rows(&df);
    let mut rows = if blanks.is_empty() {
        Rows::All(rows_read)
    } else {
        let mut b = blanks.iter().peekable();
        Rows::Subset(
            (0..rows_read)
                .filter(|i| {
                    if b.peek() == Some(&i) {
                        b.next();
                        false
                    } else {
                        true
                    }
                })
                .collect(),
        )
    };
    if rows.len() == 0 {
        return Err(empty(
            path,
            format!("all {rows_read} data rows are blank"),
            "a dataset needs at least one row of data after the header".into(),
        ));
    }

    // 2. Service filter.
    let mut services = Vec::new();
    let mut service = None;
    let mut rows_other_services = 0;
    if read_service {
        let ctx = Ctx {
            path,
            column: SERVICE_COLUMN,
        };
        let svc = service_column(&column(&df, SERVICE_COLUMN)?, ctx)?;
        let ca = svc.str().map_err(|e| internal(path, &e))?;
        // The service whose rows to keep, decided here from the one pass over the
        // column: the requested one, or the policy's own if the file holds it.
        let (candidate, strict) = match (&req.service, &req.long_format) {
            (Some(s), _) | (None, Some(LongFormat::Named(s))) => (Some(s.as_str()), true),
            (None, Some(LongFormat::Policy(s))) => (Some(s.as_str()), false),
            (None, None) => (None, false),
        };
        let mut seen: HashSet<&str> = HashSet::new();
        let mut kept = Vec::new();
        rows.try_for_each(ca.iter(), |i, v| {
            if let Some(v) = v {
                seen.insert(v);
                if candidate == Some(v) {
                    kept.push(i);
                }
            }
            Ok::<_, DataError>(())
        })?;
        services = seen.into_iter().map(str::to_string).collect();
        services.sort();
        let wanted = candidate.filter(|_| strict || !kept.is_empty());
        match wanted {
            Some(wanted) => {
                if kept.is_empty() {
                    let mut help = match suggest(wanted, &services) {
                        Some(s) => format!("did you mean `{s}`? "),
                        None => String::new(),
                    };
                    if services.is_empty() {
                        help.push_str("the `service` column has no values");
                    } else {
                        help.push_str(&format!(
                            "services in the file: {}",
                            list_quoted(&services, 20)
                        ));
                    }
                    return Err(DataErrorKind::Service {
                        at: Location::column(path, SERVICE_COLUMN),
                        requested: Some(wanted.to_string()),
                        services,
                        help,
                    }
                    .into());
                }
                rows_other_services = rows.len() - kept.len();
                rows = Rows::Subset(kept);
                service = Some(wanted.to_string());
            }
            None if services.len() > 1 => {
                return Err(DataErrorKind::Service {
                    at: Location::column(path, SERVICE_COLUMN),
                    requested: None,
                    help: format!(
                        "the file is in long format: select the service to backtest, e.g. `{}`; services: {}",
                        services[0],
                        list_quoted(&services, 20)
                    ),
                    services,
                }
                .into());
            }
            None => service = services.first().cloned(),
        }
    }

    // 3. Timestamps.
    let ts_ctx = Ctx {
        path,
        column: &req.timestamp_column,
    };
    let mut ts = timestamps(&column(&df, &req.timestamp_column)?, &rows, ts_ctx)?;
    // Free each column as soon as it is converted (the text of the timestamps
    // is the largest).
    for name in [req.timestamp_column.as_str(), SERVICE_COLUMN] {
        if !out_names.iter().any(|n| n == name) {
            let _ = df.drop_in_place(name);
        }
    }

    // 4. The [from, to) window.
    let (mut before, mut after) = (0usize, 0usize);
    if req.from_ms.is_some() || req.to_ms.is_some() {
        let from = req.from_ms.unwrap_or(i64::MIN);
        let to = req.to_ms.unwrap_or(i64::MAX);
        let keep: Vec<bool> = ts
            .iter()
            .map(|&t| {
                if t < from {
                    before += 1;
                    false
                } else if t >= to {
                    after += 1;
                    false
                } else {
                    true
                }
            })
            .collect();
        if before + after == ts.len() {
            let (lo, hi) = ts
                .iter()
                .fold((i64::MAX, i64::MIN), |(lo, hi), &t| (lo.min(t), hi.max(t)));
            let window = match (req.from_ms, req.to_ms) {
                (Some(f), Some(t)) => format!("[{}, {})", format_timestamp(f), format_timestamp(t)),
                (Some(f), None) => format!("from {} on", format_timestamp(f)),
                (None, Some(t)) => format!("before {}", format_timestamp(t)),
                (None, None) => String::new(),
            };
            let whose = service
                .as_ref()
                .map(|s| format!(" of service `{s}`"))
                .unwrap_or_default();
            return Err(empty(
                path,
                format!("no row{whose} is in the --from/--to window {window}"),
                format!(
                    "the rows{whose} run from {} to {}: move or widen the window",
                    format_timestamp(lo),
                    format_timestamp(hi)
                ),
            ));
        }
        if before + after > 0 {
            rows = rows.filter(|k| keep[k]);
            let mut k = 0;
            ts.retain(|_| {
                k += 1;
                keep[k - 1]
            });
        }
    }

    // 5. Order and duplicates.
    for k in 1..ts.len() {
        if ts[k] <= ts[k - 1] {
            let prev = RowRef::new(rows.orig(k - 1) + 1, None);
            let cur = RowRef::new(rows.orig(k) + 1, None);
            let column = req.timestamp_column.as_str();
            let at = Location::cell(path, cur.row, column);
            let err = if ts[k] < ts[k - 1] {
                DataErrorKind::Unsorted {
                    at,
                    previous: prev,
                    current: cur,
                    previous_time: format_timestamp(ts[k - 1]),
                    current_time: format_timestamp(ts[k]),
                    help: format!(
                        "rows must be in ascending time order: sort the file by `{column}`"
                    ),
                }
            } else {
                let per = if read_service { " of a service" } else { "" };
                DataErrorKind::DuplicateTimestamp {
                    at,
                    first: prev,
                    second: cur,
                    time: format_timestamp(ts[k]),
                    help: format!(
                        "each time may appear once per series{per}: remove the duplicate row or \
                         merge the two (e.g. average them)"
                    ),
                }
            };
            return Err(err.into());
        }
    }

    // 6. Numbers.
    let mut values = Vec::with_capacity(out_names.len());
    let mut null_cells = Vec::with_capacity(out_names.len());
    for name in &out_names {
        let ctx = Ctx { path, column: name };
        let col = df.drop_in_place(name).map_err(|e| internal(path, &e))?;
        let (v, missing) = numbers(&col, &rows, ctx)?;
        drop(col);
        values.push(v);
        null_cells.push((name.clone(), missing));
    }
    drop(df);

    // 7. Grid.
    let grid = grid::plan(&ts, &rows, req.tick_ms, path)?;
    let columns = out_names
        .iter()
        .zip(values)
        .map(|(name, v)| Column {
            name: name.clone(),
            values: grid.place(&v),
        })
        .collect();
    let report = LoadReport {
        format: src.format,
        rows_read,
        blank_rows_skipped: blanks.len(),
        rows_other_services,
        rows_before_from: before,
        rows_after_to: after,
        rows_used: ts.len(),
        gap_ticks_filled: grid.gap_ticks,
        held_ticks: grid.held.iter().map(grid::Held::len).sum(),
        null_cells,
        resampled: grid.resampled,
        inferred_tick_ms: grid.inferred_tick_ms,
        services,
        service,
        optional_missing,
    };
    Ok(Dataset {
        path: path.to_path_buf(),
        tick_ms: grid.tick_ms,
        timestamps_ms: grid.timestamps(),
        columns,
        report,
    })
}
