//! The seeded generator of the sample datasets in `datasets/`.
//!
//! Every dataset is a simulation of one service (or, for the long-format
//! sample, two) under a seasonal, noisy demand curve, scaled by a simulated
//! HPA-like autoscaler; see [`model`] and `datasets/README.md`. Each preset
//! has a fixed seed, so [`generate`] is deterministic and [`write_csv`] is
//! byte-for-byte reproducible: the committed samples are exactly what
//! [`regenerate_samples`] writes.
//!
//! ```no_run
//! use scalerules::datagen;
//! let written = datagen::regenerate_samples(std::path::Path::new("datasets"))?;
//! # Ok::<(), datagen::DatagenError>(())
//! ```

pub mod format;
pub mod model;
pub mod rng;

use format::{push_fixed, push_timestamp};
use model::{
    DemandSpec, EventSpec, Scenario, ServiceKind, ServiceModel, Simulation, SpikeSpec, DAY_MS,
    START_MS,
};
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

/// Errors of the dataset writers.
#[derive(Debug, thiserror::Error)]
pub enum DatagenError {
    /// Creating or writing a file failed.
    #[error("cannot write {path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// Polars refused to build or write the Parquet file.
    #[error("cannot write Parquet file {path}: {message}")]
    Parquet { path: PathBuf, message: String },
    /// No preset has this name.
    #[error("unknown dataset preset `{name}` (known presets: {known})")]
    UnknownPreset { name: String, known: String },
}

impl crate::files::WriteFailure for DatagenError {
    fn write_failure(path: &Path, source: std::io::Error) -> Self {
        DatagenError::Io {
            path: path.to_path_buf(),
            source,
        }
    }
}

fn io_err(path: &Path) -> impl FnOnce(std::io::Error) -> DatagenError + '_ {
    move |source| DatagenError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// Where the rows of a preset come from.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Source {
    /// One simulated service (wide format: one row per time step).
    Service(Scenario),
    /// The first `days` days of other presets (by name), interleaved in long
    /// format with a `service` column, sorted by timestamp then service.
    Fleet {
        presets: &'static [&'static str],
        columns: &'static [&'static str],
        days: i64,
    },
}

/// A named, seeded dataset recipe.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Preset {
    /// Name used by `scalerules datasets generate --preset NAME`.
    pub name: &'static str,
    /// One-line description.
    pub description: &'static str,
    /// Files written for this preset, relative to the output directory
    /// (`.csv`, and `.parquet` with the same content).
    pub files: &'static [&'static str],
    /// True for the small samples committed under `datasets/`; false for the
    /// large benchmark presets written on demand (streamed, CSV only).
    pub committed: bool,
    /// How the rows are made.
    pub source: Source,
}

impl Preset {
    /// The simulated scenario, for single-service presets.
    pub fn scenario(&self) -> Option<&Scenario> {
        match &self.source {
            Source::Service(sc) => Some(sc),
            Source::Fleet { .. } => None,
        }
    }

    /// The service model, for single-service presets.
    pub fn service(&self) -> Option<&ServiceModel> {
        self.scenario().map(|sc| &sc.service)
    }

    /// The seed, for single-service presets (a fleet uses its members' seeds).
    pub fn seed(&self) -> Option<u64> {
        self.scenario().map(|sc| sc.seed)
    }
}

const FIVE_MINUTES_S: i64 = 300;

/// Checkout: web API judged on latency.
pub const CHECKOUT: ServiceModel = ServiceModel {
    name: "checkout",
    kind: ServiceKind::Web {
        base_latency_ms: 80.0,
    },
    capacity: 100.0,
    target_util: 0.6,
    min_replicas: 2,
    max_replicas: 40,
    startup_s: 60,
    stabilization_s: FIVE_MINUTES_S,
};

/// Reports: CPU-bound service.
pub const REPORTS: ServiceModel = ServiceModel {
    name: "reports",
    kind: ServiceKind::Cpu,
    capacity: 20.0,
    target_util: 0.7,
    min_replicas: 1,
    max_replicas: 20,
    startup_s: 60,
    stabilization_s: FIVE_MINUTES_S,
};

/// Queue worker: consumers judged on backlog.
pub const QUEUE_WORKER: ServiceModel = ServiceModel {
    name: "queue-worker",
    kind: ServiceKind::Queue {
        backlog_per_replica: 3000.0,
        arrival_util: 0.8,
    },
    capacity: 50.0,
    target_util: 0.8,
    min_replicas: 1,
    max_replicas: 30,
    startup_s: 60,
    stabilization_s: FIVE_MINUTES_S,
};

/// Inference: GPU service judged on concurrency; slow to start.
pub const INFERENCE: ServiceModel = ServiceModel {
    name: "inference",
    kind: ServiceKind::Inference {
        base_latency_ms: 400.0,
        mean_to_p95: 0.6,
    },
    capacity: 6.0,
    target_util: 0.65,
    min_replicas: 1,
    max_replicas: 24,
    startup_s: 180,
    stabilization_s: FIVE_MINUTES_S,
};

const fn week_demand(trough: f64, peak: f64, spikes: Option<SpikeSpec>) -> DemandSpec {
    DemandSpec {
        trough,
        peak,
        weekend_factor: 0.6,
        growth: 0.25,
        noise_sigma: 0.05,
        spikes,
    }
}

const fn sample_week(service: ServiceModel, demand: DemandSpec, seed: u64) -> Scenario {
    Scenario {
        service,
        demand,
        events: EventSpec::SampleWeek,
        start_ms: START_MS,
        days: 7,
        step_s: 60,
        seed,
    }
}

static PRESETS: [Preset; 6] = [
    Preset {
        name: "checkout",
        description: "Web API judged on latency: 1 week, 1-minute rows (CSV + Parquet)",
        files: &["checkout.csv", "checkout.parquet"],
        committed: true,
        source: Source::Service(sample_week(
            CHECKOUT,
            week_demand(150.0, 1500.0, None),
            2026030201,
        )),
    },
    Preset {
        name: "reports",
        description: "CPU-bound service: 1 week, 1-minute rows",
        files: &["reports.csv"],
        committed: true,
        source: Source::Service(sample_week(
            REPORTS,
            week_demand(24.0, 240.0, None),
            2026030202,
        )),
    },
    Preset {
        name: "queue-worker",
        description: "Queue consumers judged on backlog, bursty arrivals: 1 week, 1-minute rows",
        files: &["queue-worker.csv"],
        committed: true,
        source: Source::Service(sample_week(
            QUEUE_WORKER,
            week_demand(
                50.0,
                520.0,
                Some(SpikeSpec {
                    per_day: 3.0,
                    min_minutes: 10,
                    max_minutes: 20,
                    min_amplitude: 150.0,
                    max_amplitude: 320.0,
                }),
            ),
            2026030203,
        )),
    },
    Preset {
        name: "inference",
        description: "GPU inference judged on concurrency, 3-minute startup: 1 week, 1-minute rows",
        files: &["inference.csv"],
        committed: true,
        source: Source::Service(sample_week(
            INFERENCE,
            week_demand(10.0, 90.0, None),
            2026030204,
        )),
    },
    Preset {
        name: "fleet-long",
        description:
            "Long format: Monday of checkout and reports, sorted by timestamp then service",
        files: &["fleet-long.csv"],
        committed: true,
        source: Source::Fleet {
            presets: &["checkout", "reports"],
            columns: &["rps", "replicas", "cpu_pct"],
            days: 1,
        },
    },
    Preset {
        name: "year-10s",
        description:
            "Benchmark (not committed): checkout-like, 365 days at 10-second rows (3.15 M rows)",
        files: &["large/checkout-year-10s.csv"],
        committed: false,
        source: Source::Service(Scenario {
            service: CHECKOUT,
            demand: DemandSpec {
                trough: 150.0,
                peak: 1500.0,
                weekend_factor: 0.6,
                growth: 0.6,
                noise_sigma: 0.05,
                spikes: None,
            },
            events: EventSpec::Random {
                flash_crowds: 12,
                gaps: 8,
                scrape_failures: 8,
            },
            start_ms: START_MS,
            days: 365,
            step_s: 10,
            seed: 2026030299,
        }),
    },
];

/// Every preset: the committed samples, then the large benchmark preset(s).
pub fn presets() -> &'static [Preset] {
    &PRESETS
}

/// The preset called `name`.
pub fn find_preset(name: &str) -> Option<&'static Preset> {
    PRESETS.iter().find(|p| p.name == name)
}

/// Like [`find_preset`], with an error listing the known names.
pub fn preset(name: &str) -> Result<&'static Preset, DatagenError> {
    find_preset(name).ok_or_else(|| DatagenError::UnknownPreset {
        name: name.to_string(),
        known: PRESETS
            .iter()
            .map(|p| p.name)
            .collect::<Vec<_>>()
            .join(", "),
    })
}

/// A generated dataset, column-major.
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    /// Names of the value columns, in file order (after `timestamp` and,
    /// in long format, `service`).
    pub columns: Vec<String>,
    /// Decimal places written for each value column (0 = integer).
    pub decimals: Vec<u8>,
    /// One timestamp per row (ms since the epoch, UTC), including gap rows.
    pub timestamps_ms: Vec<i64>,
    /// The `service` column of long-format tables.
    pub service: Option<Vec<String>>,
    /// Values per column; NaN is an empty cell.
    pub values: Vec<Vec<f64>>,
    /// True for rows omitted from the output (a gap in the data).
    pub missing_rows: Vec<bool>,
}

impl Table {
    fn empty(columns: &[&str], decimals: &[u8], long: bool, capacity: usize) -> Self {
        Table {
            columns: columns.iter().map(|c| c.to_string()).collect(),
            decimals: decimals.to_vec(),
            timestamps_ms: Vec::with_capacity(capacity),
            service: long.then(|| Vec::with_capacity(capacity)),
            values: columns
                .iter()
                .map(|_| Vec::with_capacity(capacity))
                .collect(),
            missing_rows: Vec::with_capacity(capacity),
        }
    }

    /// Number of rows, including the omitted (gap) ones.
    pub fn len(&self) -> usize {
        self.timestamps_ms.len()
    }

    /// True when the table has no row at all.
    pub fn is_empty(&self) -> bool {
        self.timestamps_ms.is_empty()
    }

    /// Number of rows written to files (gap rows excluded).
    pub fn written_rows(&self) -> usize {
        self.missing_rows.iter().filter(|m| !**m).count()
    }

    /// The values of the column called `name`.
    pub fn column(&self, name: &str) -> Option<&[f64]> {
        let i = self.columns.iter().position(|c| c == name)?;
        Some(&self.values[i])
    }
}

/// Generates the table of a preset (deterministic: fixed seed per preset).
///
/// For the large presets this holds every row in memory (a few hundred MB
/// for `year-10s`); use [`write_large`] to stream them to a file instead.
pub fn generate(preset: &Preset) -> Table {
    match &preset.source {
        Source::Service(sc) => {
            let s = &sc.service;
            let cols = s.columns();
            let mut table = Table::empty(cols, s.decimals(), false, sc.steps());
            for row in Simulation::new(sc) {
                table.timestamps_ms.push(row.timestamp_ms);
                table.missing_rows.push(row.missing);
                for (column, v) in table.values.iter_mut().zip(row.values) {
                    column.push(v);
                }
            }
            table
        }
        Source::Fleet {
            presets: members,
            columns,
            days,
        } => {
            let members: Vec<(&str, Table)> = members
                .iter()
                .filter_map(|name| find_preset(name))
                .map(|p| {
                    let name = p.service().map_or(p.name, |s| s.name);
                    (name, generate(p))
                })
                .collect();
            let decimals: Vec<u8> = columns
                .iter()
                .map(|c| {
                    members
                        .iter()
                        .find_map(|(_, t)| {
                            let i = t.columns.iter().position(|x| x == c)?;
                            Some(t.decimals[i])
                        })
                        .unwrap_or(2)
                })
                .collect();
            let end_ms = START_MS + days * DAY_MS;
            let mut rows: Vec<(i64, usize, usize)> = Vec::new();
            for (m, (_, t)) in members.iter().enumerate() {
                for (i, &ts) in t.timestamps_ms.iter().enumerate() {
                    if ts < end_ms {
                        rows.push((ts, m, i));
                    }
                }
            }
            rows.sort_by(|a, b| a.0.cmp(&b.0).then(members[a.1].0.cmp(members[b.1].0)));
            let mut table = Table::empty(columns, &decimals, true, rows.len());
            for (ts, m, i) in rows {
                let (name, t) = &members[m];
                table.timestamps_ms.push(ts);
                table.missing_rows.push(t.missing_rows[i]);
                if let Some(service) = table.service.as_mut() {
                    service.push(name.to_string());
                }
                for (c, out) in columns.iter().zip(table.values.iter_mut()) {
                    out.push(t.column(c).map_or(f64::NAN, |v| v[i]));
                }
            }
            table
        }
    }
}

fn push_header(line: &mut Vec<u8>, long: bool, columns: &[String]) {
    line.extend_from_slice(b"timestamp");
    if long {
        line.extend_from_slice(b",service");
    }
    for c in columns {
        line.push(b',');
        line.extend_from_slice(c.as_bytes());
    }
    line.push(b'\n');
}

fn push_row(line: &mut Vec<u8>, ts: i64, service: Option<&str>, values: &[f64], decimals: &[u8]) {
    push_timestamp(line, ts);
    if let Some(s) = service {
        line.push(b',');
        line.extend_from_slice(s.as_bytes());
    }
    for (&v, &d) in values.iter().zip(decimals) {
        line.push(b',');
        push_fixed(line, v, d);
    }
    line.push(b'\n');
}

/// Writes `table` as CSV: a header, then one line per non-gap row, `\n` line
/// endings, RFC 3339 UTC timestamps, fixed decimals, empty cells for NaN.
/// Byte-for-byte reproducible.
pub fn write_csv(table: &Table, path: &Path) -> std::io::Result<()> {
    let mut out = BufWriter::with_capacity(1 << 16, File::create(path)?);
    let mut line = Vec::with_capacity(128);
    push_header(&mut line, table.service.is_some(), &table.columns);
    out.write_all(&line)?;
    let mut values = vec![0.0; table.columns.len()];
    for i in 0..table.len() {
        if table.missing_rows[i] {
            continue;
        }
        for (v, column) in values.iter_mut().zip(&table.values) {
            *v = column[i];
        }
        line.clear();
        let service = table.service.as_ref().map(|s| s[i].as_str());
        push_row(
            &mut line,
            table.timestamps_ms[i],
            service,
            &values,
            &table.decimals,
        );
        out.write_all(&line)?;
    }
    out.flush()
}

/// Writes `table` as Parquet with the same content as [`write_csv`]:
/// `timestamp` as Datetime(ms, UTC), `service` as a string, integer columns
/// as Int64, the others as Float64; empty cells are nulls; gap rows omitted.
pub fn write_parquet(table: &Table, path: &Path) -> Result<(), DatagenError> {
    use polars::prelude::{
        Column, DataFrame, IntoSeries, NamedFrom, ParquetWriter, Series, TimeUnit, TimeZone,
    };
    let parquet_err = |e: polars::prelude::PolarsError| DatagenError::Parquet {
        path: path.to_path_buf(),
        message: e.to_string(),
    };
    let keep: Vec<usize> = (0..table.len())
        .filter(|&i| !table.missing_rows[i])
        .collect();
    let mut columns: Vec<Column> = Vec::with_capacity(table.columns.len() + 2);
    let ts: Vec<i64> = keep.iter().map(|&i| table.timestamps_ms[i]).collect();
    let ts = Series::new("timestamp".into(), ts)
        .into_datetime(TimeUnit::Milliseconds, Some(TimeZone::UTC))
        .into_series();
    columns.push(ts.into());
    if let Some(service) = &table.service {
        let s: Vec<&str> = keep.iter().map(|&i| service[i].as_str()).collect();
        columns.push(Column::new("service".into(), s));
    }
    for ((name, values), &d) in table.columns.iter().zip(&table.values).zip(&table.decimals) {
        let cell = |i: &usize| Some(values[*i]).filter(|v| !v.is_nan());
        let column = if d == 0 {
            let v: Vec<Option<i64>> = keep.iter().map(|i| cell(i).map(|x| x as i64)).collect();
            Column::new(name.as_str().into(), v)
        } else {
            let v: Vec<Option<f64>> = keep.iter().map(cell).collect();
            Column::new(name.as_str().into(), v)
        };
        columns.push(column);
    }
    let mut df = DataFrame::new(keep.len(), columns).map_err(parquet_err)?;
    let file = File::create(path).map_err(io_err(path))?;
    ParquetWriter::new(file)
        .finish(&mut df)
        .map_err(parquet_err)?;
    Ok(())
}

/// Streams a preset's rows straight to a CSV file without building a
/// [`Table`] (for the large presets; works for any single-service preset).
/// Returns the number of data rows written.
pub fn write_large(preset: &Preset, path: &Path) -> Result<u64, DatagenError> {
    let Source::Service(sc) = &preset.source else {
        let table = generate(preset);
        write_csv(&table, path).map_err(io_err(path))?;
        return Ok(table.written_rows() as u64);
    };
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(io_err(path))?;
    }
    let file = File::create(path).map_err(io_err(path))?;
    let mut out = BufWriter::with_capacity(1 << 20, file);
    let s = &sc.service;
    let columns: Vec<String> = s.columns().iter().map(|c| c.to_string()).collect();
    let n = columns.len();
    let mut line = Vec::with_capacity(128);
    push_header(&mut line, false, &columns);
    let mut rows = 0u64;
    for row in Simulation::new(sc) {
        if row.missing {
            continue;
        }
        push_row(
            &mut line,
            row.timestamp_ms,
            None,
            &row.values[..n],
            s.decimals(),
        );
        rows += 1;
        if line.len() >= 1 << 16 {
            out.write_all(&line).map_err(io_err(path))?;
            line.clear();
        }
    }
    out.write_all(&line).map_err(io_err(path))?;
    out.flush().map_err(io_err(path))?;
    Ok(rows)
}

/// Writes every file of `preset` under `dir` (creating directories as
/// needed) and returns their paths.
pub fn write_preset(preset: &Preset, dir: &Path) -> Result<Vec<PathBuf>, DatagenError> {
    let mut written = Vec::new();
    if !preset.committed {
        for file in preset.files {
            let path = dir.join(file);
            crate::files::write_atomic(&path, |tmp| write_large(preset, tmp))?;
            written.push(path);
        }
        return Ok(written);
    }
    let table = generate(preset);
    for file in preset.files {
        let path = dir.join(file);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(io_err(&path))?;
        }
        if file.ends_with(".parquet") {
            crate::files::write_atomic(&path, |tmp| write_parquet(&table, tmp))?;
        } else {
            crate::files::write_atomic(&path, |tmp| write_csv(&table, tmp))
                .map_err(io_err(&path))?;
        }
        written.push(path);
    }
    Ok(written)
}

/// Regenerates every committed sample into `dir` (not the large ones);
/// returns the paths written.
pub fn regenerate_samples(dir: &Path) -> Result<Vec<PathBuf>, DatagenError> {
    let mut written = Vec::new();
    for preset in presets().iter().filter(|p| p.committed) {
        written.extend(write_preset(preset, dir)?);
    }
    Ok(written)
}
