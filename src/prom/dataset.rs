//! Writing a [`Fetched`] result as the dataset file `backtest` reads: a `timestamp`
//! column (RFC 3339, UTC) and one column per metric, one row per grid point.
//!
//! CSV: a header, `\n` line ends, numbers written in Rust's shortest form that reads
//! back to the same `f64` (`223.25`, `4`), a missing value as an empty cell; names that
//! need it are quoted. Parquet (with the `data` feature, through polars): `timestamp` a
//! Datetime in milliseconds, UTC; every metric Float64, missing values null. Every row
//! of the grid is written, also those where every metric is missing, so the file keeps
//! the fetched grid (the loader reads such rows as missing data).
//!
//! The file is written next to its destination and renamed into place, so an
//! interrupted fetch never leaves a truncated dataset behind.

use std::io::{self, Write};
use std::path::{Path, PathBuf};

use crate::timestamp::format_timestamp;

use super::fetch::Fetched;

/// The formats [`write_dataset`] writes, chosen by the file's extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DatasetFormat {
    Csv,
    Parquet,
}

/// A dataset that cannot be written.
#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    #[error("cannot write `{}`: {source}", .path.display())]
    Io { path: PathBuf, source: io::Error },
    #[error("cannot write `{}`: the extension must be `.csv`{}", .path.display(), parquet_hint())]
    UnknownFormat { path: PathBuf },
    #[error("cannot write `{}`: Parquet needs scalerules built with the `data` feature; write `.csv`", .path.display())]
    ParquetUnavailable { path: PathBuf },
    #[error("cannot write `{}`: two columns are named `{name}`", .path.display())]
    DuplicateColumn { path: PathBuf, name: String },
    #[error("cannot write `{}`: {message}", .path.display())]
    Parquet { path: PathBuf, message: String },
}

fn parquet_hint() -> &'static str {
    if cfg!(feature = "data") {
        ", `.parquet` or `.pq`"
    } else {
        ""
    }
}

/// The format for `path`, from its extension (`.csv`; `.parquet`, `.pq`).
pub fn format_of(path: &Path) -> Result<DatasetFormat, WriteError> {
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or("")
        .to_ascii_lowercase();
    match ext.as_str() {
        "csv" => Ok(DatasetFormat::Csv),
        "parquet" | "pq" if cfg!(feature = "data") => Ok(DatasetFormat::Parquet),
        "parquet" | "pq" => Err(WriteError::ParquetUnavailable {
            path: path.to_path_buf(),
        }),
        _ => Err(WriteError::UnknownFormat {
            path: path.to_path_buf(),
        }),
    }
}

/// Writes `fetched` to `path` as CSV or Parquet (by extension), atomically.
pub fn write_dataset(fetched: &Fetched, path: &Path) -> Result<DatasetFormat, WriteError> {
    let format = format_of(path)?;
    check_names(fetched, path)?;
    let io_err = |source| WriteError::Io {
        path: path.to_path_buf(),
        source,
    };
    crate::files::write_atomic(path, |tmp| match format {
        DatasetFormat::Csv => std::fs::File::create(tmp)
            .and_then(|f| {
                let mut w = io::BufWriter::new(f);
                write_csv(fetched, &mut w)?;
                w.into_inner().map_err(|e| e.into_error()).map(drop)
            })
            .map_err(io_err),
        DatasetFormat::Parquet => write_parquet(fetched, tmp, path),
    })?;
    Ok(format)
}

impl crate::files::WriteFailure for WriteError {
    fn write_failure(path: &Path, source: io::Error) -> Self {
        WriteError::Io {
            path: path.to_path_buf(),
            source,
        }
    }
}

fn check_names(fetched: &Fetched, path: &Path) -> Result<(), WriteError> {
    let mut seen = vec!["timestamp"];
    for c in &fetched.columns {
        if seen.contains(&c.name.as_str()) {
            return Err(WriteError::DuplicateColumn {
                path: path.to_path_buf(),
                name: c.name.clone(),
            });
        }
        seen.push(&c.name);
    }
    Ok(())
}

/// Writes `fetched` as CSV to `w`.
pub fn write_csv(fetched: &Fetched, w: &mut dyn Write) -> io::Result<()> {
    let mut line = String::from("timestamp");
    for c in &fetched.columns {
        line.push(',');
        line.push_str(&csv_field(&c.name));
    }
    line.push('\n');
    w.write_all(line.as_bytes())?;
    for (i, t) in fetched.grid.times().enumerate() {
        line.clear();
        line.push_str(&format_timestamp(t));
        for c in &fetched.columns {
            line.push(',');
            let v = c.series.values[i];
            if v.is_finite() {
                line.push_str(&v.to_string());
            }
        }
        line.push('\n');
        w.write_all(line.as_bytes())?;
    }
    Ok(())
}

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) || s.trim() != s {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

#[cfg(feature = "data")]
fn write_parquet(fetched: &Fetched, tmp: &Path, path: &Path) -> Result<(), WriteError> {
    use polars::prelude::{
        Column, DataFrame, IntoSeries, NamedFrom, ParquetWriter, Series, TimeUnit, TimeZone,
    };
    let err = |e: polars::prelude::PolarsError| WriteError::Parquet {
        path: path.to_path_buf(),
        message: e.to_string(),
    };
    let times: Vec<i64> = fetched.grid.times().collect();
    let mut columns: Vec<Column> = Vec::with_capacity(fetched.columns.len() + 1);
    let ts = Series::new("timestamp".into(), times)
        .into_datetime(TimeUnit::Milliseconds, Some(TimeZone::UTC))
        .into_series();
    columns.push(ts.into());
    for c in &fetched.columns {
        let v: Vec<Option<f64>> = c
            .series
            .values
            .iter()
            .map(|v| v.is_finite().then_some(*v))
            .collect();
        columns.push(Column::new(c.name.as_str().into(), v));
    }
    let mut df = DataFrame::new(fetched.grid.len(), columns).map_err(err)?;
    let file = std::fs::File::create(tmp).map_err(|source| WriteError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    ParquetWriter::new(file).finish(&mut df).map_err(err)?;
    Ok(())
}

#[cfg(not(feature = "data"))]
fn write_parquet(_: &Fetched, _: &Path, path: &Path) -> Result<(), WriteError> {
    Err(WriteError::ParquetUnavailable {
        path: path.to_path_buf(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::prom::fetch::Column;
    use crate::prom::range::Grid;
    use crate::prom::series::AlignedSeries;

    fn fetched() -> Fetched {
        let grid = Grid::new(1_772_409_600_000, 1_772_409_600_000 + 180_000, 60_000).unwrap();
        let col = |name: &str, values: Vec<f64>| Column {
            name: name.into(),
            promql: "q".into(),
            series: AlignedSeries {
                labels: Default::default(),
                present: values.iter().filter(|v| v.is_finite()).count(),
                values,
                non_finite: 0,
            },
            warnings: vec![],
        };
        Fetched {
            grid,
            columns: vec![
                col("rps", vec![223.25, f64::NAN, 0.1 + 0.2]),
                col("replicas", vec![4.0, 5.0, f64::NAN]),
            ],
        }
    }

    #[test]
    fn csv_has_a_row_per_grid_point_and_empty_missing_cells() {
        let mut out = Vec::new();
        write_csv(&fetched(), &mut out).unwrap();
        insta::assert_snapshot!(String::from_utf8(out).unwrap(), @r"
        timestamp,rps,replicas
        2026-03-02T00:00:00Z,223.25,4
        2026-03-02T00:01:00Z,,5
        2026-03-02T00:02:00Z,0.30000000000000004,
        ");
    }

    /// Writes `fetched()` to `name`, loads it back with the backtest's loader and
    /// compares every value bit for bit (missing stays missing).
    #[cfg(feature = "data")]
    fn round_trip(name: &str, format: DatasetFormat) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(name);
        assert_eq!(write_dataset(&fetched(), &path).unwrap(), format);
        // Written through `files::write_atomic`: nothing but the file is left.
        let left: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
        assert_eq!(left.len(), 1);
        let request = crate::backtest::data::DataRequest {
            path: path.clone(),
            timestamp_column: "timestamp".into(),
            columns: vec!["rps".into(), "replicas".into()],
            ..Default::default()
        };
        let ds = crate::backtest::data::load(&request).unwrap();
        let f = fetched();
        assert_eq!(ds.timestamps_ms, f.grid.times().collect::<Vec<_>>());
        for name in ["rps", "replicas"] {
            let (want, got) = (f.column(name).unwrap(), ds.column(name).unwrap());
            assert_eq!(want.len(), got.len());
            for (a, b) in want.iter().zip(got) {
                assert!(
                    a.to_bits() == b.to_bits() || (a.is_nan() && b.is_nan()),
                    "{name}: {a} vs {b}"
                );
            }
        }
    }

    #[cfg(feature = "data")]
    #[test]
    fn csv_round_trips_through_the_loader() {
        round_trip("f.csv", DatasetFormat::Csv);
    }

    #[cfg(feature = "data")]
    #[test]
    fn parquet_round_trips_through_the_loader() {
        round_trip("f.parquet", DatasetFormat::Parquet);
    }

    #[test]
    fn names_and_extensions_are_checked() {
        let dir = tempfile::tempdir().unwrap();
        assert!(matches!(
            write_dataset(&fetched(), &dir.path().join("f.txt")),
            Err(WriteError::UnknownFormat { .. })
        ));
        let mut f = fetched();
        f.columns[1].name = "rps".into();
        assert!(matches!(
            write_dataset(&f, &dir.path().join("f.csv")),
            Err(WriteError::DuplicateColumn { .. })
        ));
        assert_eq!(csv_field("a,b"), "\"a,b\"");
        assert_eq!(csv_field("a\"b"), "\"a\"\"b\"");
    }
}
