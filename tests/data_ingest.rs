//! Dataset ingestion: bad files (one per error kind, snapshotted), good files
//! (exact values), CSV/Parquet parity and Parquet-specific types.

use std::fs::File;
use std::path::{Path, PathBuf};

use miette::{Diagnostic, GraphicalReportHandler, GraphicalTheme};
use polars::prelude::{
    df, CsvWriter, DataFrame, DataType, NamedFrom, ParquetWriter, SerWriter, Series, TimeUnit,
};
use scalerules::backtest::data::{
    inspect, load, DataError, DataErrorKind, DataRequest, Dataset, FileFormat, DATA_ERROR_CODES,
};
use scalerules::timestamp::{format_timestamp, parse_bound, parse_timestamp};

/// 2026-03-02T14:00:00Z
const T0: i64 = 1_772_460_000_000;
const MIN: i64 = 60_000;

fn render(e: &dyn Diagnostic) -> String {
    let mut out = String::new();
    GraphicalReportHandler::new_themed(GraphicalTheme::unicode_nocolor())
        .with_width(100)
        .render_report(&mut out, e)
        .expect("render");
    out
}

fn req(path: impl Into<PathBuf>) -> DataRequest {
    DataRequest {
        columns: vec!["cpu".into()],
        optional_columns: vec!["replicas".into()],
        ..DataRequest::new(path)
    }
}

fn load_ok(r: &DataRequest) -> Dataset {
    match load(r) {
        Ok(d) => d,
        Err(e) => panic!("{} should load:\n{}", r.path.display(), render(&e)),
    }
}

fn load_err(r: &DataRequest) -> DataError {
    match load(r) {
        Ok(d) => panic!("{} should fail, got {d:?}", r.path.display()),
        Err(e) => e,
    }
}

fn good(name: &str) -> PathBuf {
    Path::new("tests/fixtures/data/good").join(name)
}

/// Shows NaN as `_` so that whole columns compare in one assertion.
fn show(values: &[f64]) -> String {
    values
        .iter()
        .map(|v| {
            if v.is_nan() {
                "_".to_string()
            } else {
                v.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

fn grid(start: i64, tick: i64, n: i64) -> Vec<i64> {
    (0..n).map(|k| start + k * tick).collect()
}

/// The number after `_{key}_` in a fixture name, e.g. `_row_4`.
fn name_number(stem: &str, key: &str) -> Option<usize> {
    let pat = format!("_{key}_");
    let at = stem.find(&pat)? + pat.len();
    let digits: String = stem[at..]
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    digits.parse().ok()
}

/// Builds the request for a bad fixture from its name: `__service=x`,
/// `__from=…`, `__to=…`, `__tick=ms` parameters after the description.
fn fixture_request(path: &Path) -> DataRequest {
    let stem = path
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or_default();
    let mut r = req(path);
    for param in stem.split("__").skip(1) {
        let (k, v) = param.split_once('=').expect("key=value");
        match k {
            "service" => r.service = Some(v.to_string()),
            "from" => r.from_ms = Some(parse_bound(v).expect("from")),
            "to" => r.to_ms = Some(parse_bound(v).expect("to")),
            "tick" => r.tick_ms = Some(v.parse().expect("tick")),
            _ => panic!("unknown fixture parameter {k}"),
        }
    }
    r
}

#[test]
fn bad_fixtures() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut seen_codes = std::collections::BTreeSet::new();
    insta::glob!("fixtures/data/bad/*", |abs| {
        let rel = abs.strip_prefix(root).expect("inside the crate");
        let stem = rel.file_stem().and_then(|s| s.to_str()).expect("name");
        let e = load_err(&fixture_request(rel));
        // The expectation in the file name: code, row and line.
        let code = stem[..4].to_uppercase();
        assert_eq!(e.code(), code, "{stem}:\n{}", render(&e));
        assert_eq!(e.path(), rel);
        let row = name_number(stem, "row");
        assert_eq!(e.row(), row, "{stem}: row");
        let line = name_number(stem, "line").or(row.map(|r| r + 1));
        assert_eq!(e.line(), line, "{stem}: line");
        assert!(!e.help_text().is_empty(), "{stem}: help");
        seen_codes.insert(code);
        let text = format!(
            "code: {}\nrow: {:?}, line: {:?}, column: {:?}\n\n{}",
            e.code(),
            e.row(),
            e.line(),
            e.column(),
            render(&e)
        );
        insta::assert_snapshot!(text);
    });
    // E307 only occurs with typed (Parquet) columns: see `bad_parquet_files`.
    let expected: std::collections::BTreeSet<String> = DATA_ERROR_CODES
        .iter()
        .map(|(c, _)| c.to_string())
        .filter(|c| c != "E307")
        .collect();
    assert_eq!(seen_codes, expected, "one bad CSV fixture per error kind");
}

#[test]
fn missing_file_suggests_a_neighbour() {
    let e = load_err(&req(good("gap.csv")));
    assert_eq!(e.code(), "E301");
    assert!(e.to_string().contains("file not found"), "{e}");
    assert!(
        e.help_text()
            .starts_with("did you mean `tests/fixtures/data/good/gaps.csv`?"),
        "{}",
        e.help_text()
    );
    let e = load_err(&req("tests/fixtures/data/good"));
    assert_eq!(e.code(), "E301");
    assert!(e.to_string().contains("directory"), "{e}");
}

#[test]
fn missing_column_suggestion_and_list() {
    let e = load_err(&req("tests/fixtures/data/bad/e302_missing_column_cpu.csv"));
    match e.kind() {
        DataErrorKind::MissingColumn {
            available,
            suggestion,
            ..
        } => {
            assert_eq!(available, &["timestamp", "cpu_usage", "rps"]);
            assert_eq!(suggestion.as_deref(), Some("cpu_usage"));
        }
        k => panic!("{k:?}"),
    }
    assert_eq!(e.column(), Some("cpu"));
}

#[test]
fn timestamp_forms_all_land_on_the_same_grid() {
    for name in [
        "rfc3339.csv",
        "naive_utc.csv",
        "unix_seconds.csv",
        "unix_decimal_seconds.csv",
        "unix_ms.csv",
    ] {
        let d = load_ok(&req(good(name)));
        assert_eq!(d.timestamps_ms, grid(T0, MIN, 4), "{name}");
        assert_eq!(d.tick_ms, MIN, "{name}");
        assert_eq!(show(d.column("cpu").expect("cpu")), "1 2 3 4", "{name}");
        assert_eq!(d.report.inferred_tick_ms, Some(MIN), "{name}");
        assert!(!d.report.resampled);
        assert_eq!(d.report.gap_ticks_filled, 0);
        assert_eq!(d.report.format, FileFormat::Csv);
        assert_eq!(d.report.optional_missing, vec!["replicas".to_string()]);
        assert_eq!(d.column_names(), vec!["cpu"]);
        assert_eq!(d.len(), 4);
        assert!(!d.is_empty());
    }
}

#[test]
fn gaps_are_filled_with_missing_rows() {
    let r = DataRequest {
        columns: vec!["rps".into(), "cpu".into()],
        ..DataRequest::new(good("gaps.csv"))
    };
    let d = load_ok(&r);
    assert_eq!(d.tick_ms, MIN);
    assert_eq!(d.timestamps_ms, grid(T0, MIN, 8));
    assert_eq!(d.column_names(), vec!["rps", "cpu"]);
    assert_eq!(show(d.column("cpu").expect("cpu")), "1 2 _ _ 5 6 _ 8");
    assert_eq!(show(d.column("rps").expect("rps")), "10 20 _ _ 50 60 _ 80");
    assert_eq!(d.report.gap_ticks_filled, 3);
    assert_eq!(d.report.rows_used, 5);
    // Gap ticks are not null cells of the data.
    assert_eq!(d.report.nulls_in("cpu"), Some(0));
}

#[test]
fn resampling_takes_bucket_means() {
    let r = DataRequest {
        tick_ms: Some(MIN),
        ..req(good("resample.csv"))
    };
    let d = load_ok(&r);
    assert_eq!(d.tick_ms, MIN);
    assert_eq!(d.timestamps_ms, grid(T0, MIN, 5));
    // [14:00,14:01): 1,2,6 -> 3; [14:01,14:02): missing cpu -> _; 14:02 no row;
    // [14:03,14:04): 4 (at 14:03:59.999); [14:04,14:05): 8.
    assert_eq!(show(d.column("cpu").expect("cpu")), "3 _ _ 4 8");
    // Optional column present: after the required ones; 2,2,3 -> 7/3.
    let replicas = d.column("replicas").expect("replicas");
    assert!((replicas[0] - 7.0 / 3.0).abs() < 1e-12, "{replicas:?}");
    assert_eq!(show(&replicas[1..]), "3 _ 4 _");
    assert_eq!(d.column_names(), vec!["cpu", "replicas"]);
    assert!(d.report.resampled);
    assert_eq!(d.report.inferred_tick_ms, None);
    assert_eq!(d.report.gap_ticks_filled, 1);
    assert_eq!(d.report.nulls_in("cpu"), Some(1));
    assert_eq!(d.report.nulls_in("replicas"), Some(1));
    assert!(d.report.optional_missing.is_empty());

    // A coarser tick aligned to multiples of itself (5 min from the epoch).
    let r = DataRequest {
        tick_ms: Some(5 * MIN),
        ..req(good("resample.csv"))
    };
    let d = load_ok(&r);
    assert_eq!(d.timestamps_ms, vec![T0]);
    assert_eq!(show(d.column("cpu").expect("cpu")), "4.2");
}

#[test]
fn resampling_an_irregular_file_fixes_e310() {
    let p = "tests/fixtures/data/bad/e310_irregular_row_4.csv";
    match load_err(&req(p)).kind() {
        DataErrorKind::BadTick {
            suggested_tick_ms, ..
        } => assert_eq!(*suggested_tick_ms, Some(MIN)),
        k => panic!("{k:?}"),
    }
    let d = load_ok(&DataRequest {
        tick_ms: Some(MIN),
        ..req(p)
    });
    assert_eq!(show(d.column("cpu").expect("cpu")), "1 2 3.5 _ 5");
}

#[test]
fn long_format_selects_one_service() {
    let r = DataRequest {
        service: Some("api".into()),
        ..req(good("long_format.csv"))
    };
    let d = load_ok(&r);
    assert_eq!(d.timestamps_ms, grid(T0, MIN, 3));
    assert_eq!(show(d.column("cpu").expect("cpu")), "0.5 0.6 0.7");
    assert_eq!(show(d.column("replicas").expect("replicas")), "3 3 4");
    assert_eq!(
        d.report.services,
        vec!["api".to_string(), "web".to_string()]
    );
    assert_eq!(d.report.service.as_deref(), Some("api"));
    assert_eq!(d.report.rows_other_services, 3);
    assert_eq!(d.report.rows_read, 6);

    let d = load_ok(&DataRequest {
        service: Some("web".into()),
        ..req(good("long_format.csv"))
    });
    assert_eq!(d.timestamps_ms, grid(T0, MIN, 4));
    assert_eq!(show(d.column("cpu").expect("cpu")), "0.9 0.8 _ 0.7");
    assert_eq!(d.report.gap_ticks_filled, 1);

    // No service chosen in a two-service file: E309 listing both.
    let e = load_err(&req(good("long_format.csv")));
    assert_eq!(e.code(), "E309");
    match e.kind() {
        DataErrorKind::Service {
            requested,
            services,
            ..
        } => {
            assert_eq!(requested, &None);
            assert_eq!(services, &["api", "web"]);
        }
        k => panic!("{k:?}"),
    }
    // Unknown service: did-you-mean.
    let e = load_err(&DataRequest {
        service: Some("API".into()),
        ..req(good("long_format.csv"))
    });
    assert!(
        e.help_text().starts_with("did you mean `api`?"),
        "{}",
        e.help_text()
    );
}

#[test]
fn service_filter_keeps_original_row_numbers() {
    let dir = tempfile::tempdir().expect("tempdir");
    let p = dir.path().join("long.csv");
    std::fs::write(
        &p,
        "timestamp,service,cpu\n\
         2026-03-02T14:00:00Z,api,1\n\
         2026-03-02T14:00:00Z,web,x\n\
         2026-03-02T14:01:00Z,web,2\n\
         2026-03-02T14:01:00Z,api,oops\n",
    )
    .expect("write");
    // The bad `web` cell is not in the selected rows.
    let e = load_err(&DataRequest {
        service: Some("api".into()),
        ..req(&p)
    });
    assert_eq!((e.code(), e.row(), e.line()), ("E306", Some(4), Some(5)));
    assert_eq!(e.column(), Some("cpu"));
}

#[test]
fn from_to_window_filters_before_everything_else() {
    let from = parse_bound("2026-03-02T14:01:00Z").expect("from");
    let to = parse_bound("2026-03-02T14:05:00Z").expect("to");
    let r = DataRequest {
        columns: vec!["cpu".into()],
        from_ms: Some(from),
        to_ms: Some(to),
        ..DataRequest::new(good("gaps.csv"))
    };
    let d = load_ok(&r);
    // Rows at 14:01 and 14:04 are kept (14:05 is excluded), and the tick is
    // inferred from them alone: 3 minutes.
    assert_eq!(d.tick_ms, 3 * MIN);
    assert_eq!(d.timestamps_ms, vec![T0 + MIN, T0 + 4 * MIN]);
    assert_eq!(show(d.column("cpu").expect("cpu")), "2 5");
    assert_eq!((d.report.rows_before_from, d.report.rows_after_to), (1, 2));
    assert_eq!(d.report.rows_dropped_by_window(), 3);
    // With the tick given, the grid starts at the first kept row's tick. The tick is
    // finer than the kept rows' interval (3 minutes): each row is held for its interval,
    // the last one's too, so the grid runs to 14:06 and has no gap.
    let d = load_ok(&DataRequest {
        tick_ms: Some(MIN),
        ..r.clone()
    });
    assert_eq!(d.timestamps_ms, grid(T0 + MIN, MIN, 6));
    assert_eq!(show(d.column("cpu").expect("cpu")), "2 2 2 5 5 5");
    assert_eq!((d.report.held_ticks, d.report.gap_ticks_filled), (4, 0));

    // Rows outside the window are not validated: unsorted rows 3-4 are at or after --to.
    let d = load_ok(&DataRequest {
        to_ms: Some(T0 + 2 * MIN),
        ..req("tests/fixtures/data/bad/e304_unsorted_row_4.csv")
    });
    assert_eq!(show(d.column("cpu").expect("cpu")), "1 2");

    // An empty window is E308 before the file is even read.
    let e = load_err(&DataRequest {
        from_ms: Some(to),
        to_ms: Some(from),
        ..req(good("gaps.csv"))
    });
    assert_eq!(e.code(), "E308");
}

#[test]
fn nulls_blank_lines_bom_and_crlf() {
    let r = DataRequest {
        columns: vec!["cpu".into(), "rps".into()],
        ..DataRequest::new(good("nulls.csv"))
    };
    let d = load_ok(&r);
    assert_eq!(d.timestamps_ms, grid(T0, MIN, 5));
    assert_eq!(show(d.column("cpu").expect("cpu")), "1 _ _ 4 _");
    assert_eq!(show(d.column("rps").expect("rps")), "_ 20 _ _ _");
    assert_eq!(d.report.nulls_in("cpu"), Some(3));
    assert_eq!(d.report.nulls_in("rps"), Some(4));
    assert_eq!(d.report.blank_rows_skipped, 1);
    assert_eq!(d.report.rows_read, 6);
    assert_eq!(d.report.rows_used, 5);
    assert!(d.column("cpu").expect("cpu")[1].is_nan());
}

#[test]
fn custom_timestamp_column_and_sub_minute_tick() {
    let r = DataRequest {
        timestamp_column: "time".into(),
        columns: vec!["latency_ms".into()],
        ..DataRequest::new(good("custom_time_column.csv"))
    };
    let d = load_ok(&r);
    assert_eq!(d.tick_ms, 30_000);
    assert_eq!(d.timestamps_ms, grid(T0, 30_000, 3));
    assert_eq!(
        show(d.column("latency_ms").expect("latency")),
        "12.5 13.5 10"
    );
    let e = load_err(&DataRequest::new(good("custom_time_column.csv")));
    assert_eq!(e.code(), "E302");
    assert_eq!(e.column(), Some("timestamp"));
    assert!(
        e.help_text().starts_with("did you mean `time`?"),
        "{}",
        e.help_text()
    );
}

#[test]
fn inspect_lists_columns_and_services() {
    let info = inspect(&good("long_format.csv")).expect("inspect");
    assert_eq!(info.format, FileFormat::Csv);
    assert_eq!(
        info.columns,
        vec!["timestamp", "service", "cpu", "replicas"]
    );
    assert_eq!(
        info.services,
        Some(vec!["api".to_string(), "web".to_string()])
    );
    let info = inspect(&good("nulls.csv")).expect("inspect");
    assert_eq!(info.columns, vec!["timestamp", "cpu", "rps"]);
    assert_eq!(info.services, None);
    let e = inspect(Path::new(
        "tests/fixtures/data/bad/e301_gzip_compressed.csv",
    ))
    .expect_err("gzip");
    assert_eq!(e.code(), "E301");
}

#[test]
fn report_summary_reads_well() {
    let d = load_ok(&DataRequest {
        columns: vec!["cpu".into(), "rps".into()],
        ..DataRequest::new(good("nulls.csv"))
    });
    assert_eq!(
        d.report.to_string(),
        "6 rows read (CSV), 1 blank skipped; 5 rows used, tick 1m (inferred); missing cells: cpu 3, rps 4"
    );
}

#[test]
fn odd_but_valid_files() {
    let dir = tempfile::tempdir().expect("tempdir");
    // Trailing blank lines, mixed timestamp forms, quoted cells, no extension.
    let p = dir.path().join("export");
    std::fs::write(
        &p,
        "\"timestamp\",\"cpu\"\n\
         2026-03-02T14:00:00Z,\"0.5\"\n\
         1772460060,0.25\n\
         1772460120000, 1e-1 \n\n\n",
    )
    .expect("write");
    let d = load_ok(&req(&p));
    assert_eq!(d.timestamps_ms, grid(T0, MIN, 3));
    assert_eq!(show(d.column("cpu").expect("cpu")), "0.5 0.25 0.1");
    assert_eq!(d.report.format, FileFormat::Csv);
    assert_eq!(d.report.rows_used, 3);

    // Parquet content wins over a .csv name.
    let p = dir.path().join("actually_parquet.csv");
    let mut frame = df!("timestamp" => [T0, T0 + MIN], "cpu" => [1.0, 2.0]).expect("frame");
    write_parquet(&mut frame, &p);
    let d = load_ok(&req(&p));
    assert_eq!(d.report.format, FileFormat::Parquet);
    assert_eq!(show(d.column("cpu").expect("cpu")), "1 2");

    // A header name with stray spaces is pointed out.
    let p = dir.path().join("spaces.csv");
    std::fs::write(&p, "timestamp, cpu\n2026-03-02T14:00:00Z,1\n").expect("write");
    let e = load_err(&req(&p));
    assert_eq!(e.code(), "E302");
    assert!(
        e.help_text()
            .starts_with("the header has ` cpu` with surrounding spaces"),
        "{}",
        e.help_text()
    );

    // Sub-second ticks and a single-row file with a tick.
    let p = dir.path().join("fast.csv");
    std::fs::write(
        &p,
        "timestamp,cpu\n2026-03-02T14:00:00.000Z,1\n2026-03-02T14:00:00.250Z,2\n2026-03-02T14:00:00.750Z,4\n",
    )
    .expect("write");
    let d = load_ok(&req(&p));
    assert_eq!(d.tick_ms, 250);
    assert_eq!(show(d.column("cpu").expect("cpu")), "1 2 _ 4");
    let d = load_ok(&DataRequest {
        tick_ms: Some(MIN),
        ..req("tests/fixtures/data/bad/e310_single_row_1.csv")
    });
    assert_eq!((d.timestamps_ms.clone(), d.len()), (vec![T0], 1));
}

// ---------------------------------------------------------------- Parquet

fn write_parquet(df: &mut DataFrame, path: &Path) {
    let f = File::create(path).expect("create");
    ParquetWriter::new(f).finish(df).expect("write parquet");
}

fn write_csv(df: &mut DataFrame, path: &Path) {
    let mut f = File::create(path).expect("create");
    CsvWriter::new(&mut f).finish(df).expect("write csv");
}

fn datetime(ms: &[i64], unit: TimeUnit) -> Series {
    let per_ms = match unit {
        TimeUnit::Nanoseconds => 1_000_000,
        TimeUnit::Microseconds => 1_000,
        TimeUnit::Milliseconds => 1,
    };
    let raw: Vec<i64> = ms.iter().map(|m| m * per_ms).collect();
    Series::new("timestamp".into(), raw)
        .cast(&DataType::Datetime(unit, None))
        .expect("datetime")
}

fn assert_same(a: &Dataset, b: &Dataset) {
    assert_eq!(a.tick_ms, b.tick_ms);
    assert_eq!(a.timestamps_ms, b.timestamps_ms);
    assert_eq!(a.column_names(), b.column_names());
    for (x, y) in a.columns.iter().zip(&b.columns) {
        let bits = |v: &[f64]| v.iter().map(|f| f.to_bits()).collect::<Vec<_>>();
        assert_eq!(bits(&x.values), bits(&y.values), "column {}", x.name);
    }
    let mut ra = a.report.clone();
    let rb = b.report.clone();
    ra.format = rb.format;
    assert_eq!(ra, rb);
}

#[test]
fn csv_and_parquet_load_identically() {
    let dir = tempfile::tempdir().expect("tempdir");
    let ts: Vec<i64> = [0, 1, 2, 4, 5, 6, 0, 1, 3]
        .iter()
        .map(|k| T0 + k * MIN)
        .collect();
    let mut frame = DataFrame::new_infer_height(vec![
        datetime(&ts, TimeUnit::Milliseconds).into(),
        Series::new(
            "service".into(),
            [
                "api", "api", "api", "api", "api", "api", "web", "web", "web",
            ],
        )
        .into(),
        Series::new(
            "cpu".into(),
            [
                Some(0.25),
                None,
                Some(0.5),
                Some(f64::NAN),
                Some(1e-3),
                Some(-2.5),
                Some(9.0),
                Some(9.0),
                Some(9.0),
            ],
        )
        .into(),
        Series::new(
            "replicas".into(),
            [
                Some(3i64),
                Some(3),
                None,
                Some(4),
                Some(5),
                Some(5),
                Some(1),
                Some(1),
                Some(1),
            ],
        )
        .into(),
        Series::new("requests".into(), [10u32, 11, 12, 13, 14, 15, 1, 2, 3]).into(),
    ])
    .expect("frame");
    let csv = dir.path().join("m.csv");
    let pq = dir.path().join("m.parquet");
    write_csv(&mut frame, &csv);
    write_parquet(&mut frame, &pq);

    for tick in [None, Some(2 * MIN)] {
        for (from, to) in [(None, None), (Some(T0 + MIN), Some(T0 + 6 * MIN))] {
            let r = |p: &Path| DataRequest {
                columns: vec!["cpu".into(), "requests".into()],
                optional_columns: vec!["replicas".into(), "absent".into()],
                service: Some("api".into()),
                tick_ms: tick,
                from_ms: from,
                to_ms: to,
                ..DataRequest::new(p)
            };
            let a = load_ok(&r(&csv));
            let b = load_ok(&r(&pq));
            assert_same(&a, &b);
            assert_eq!(a.report.format, FileFormat::Csv);
            assert_eq!(b.report.format, FileFormat::Parquet);
        }
    }
    let b = load_ok(&DataRequest {
        columns: vec!["cpu".into(), "requests".into()],
        optional_columns: vec!["replicas".into()],
        service: Some("api".into()),
        ..DataRequest::new(&pq)
    });
    assert_eq!(b.timestamps_ms, grid(T0, MIN, 7));
    assert_eq!(
        show(b.column("cpu").expect("cpu")),
        "0.25 _ 0.5 _ _ 0.001 -2.5"
    );
    assert_eq!(
        show(b.column("requests").expect("requests")),
        "10 11 12 _ 13 14 15"
    );
    assert_eq!(
        show(b.column("replicas").expect("replicas")),
        "3 3 _ _ 4 5 5"
    );
    assert_eq!(b.report.nulls_in("cpu"), Some(2));

    let info = inspect(&pq).expect("inspect");
    assert_eq!(info.format, FileFormat::Parquet);
    assert_eq!(
        info.columns,
        vec!["timestamp", "service", "cpu", "replicas", "requests"]
    );
    assert_eq!(
        info.services,
        Some(vec!["api".to_string(), "web".to_string()])
    );
}

#[test]
fn parquet_timestamp_types() {
    let dir = tempfile::tempdir().expect("tempdir");
    let ms: Vec<i64> = (0..4).map(|k| T0 + k * MIN).collect();
    let cpu = Series::new("cpu".into(), [1.0, 2.0, 3.0, 4.0]);
    let mut frames = vec![
        ("ns", datetime(&ms, TimeUnit::Nanoseconds)),
        ("us", datetime(&ms, TimeUnit::Microseconds)),
        ("ms", datetime(&ms, TimeUnit::Milliseconds)),
        (
            "int_seconds",
            Series::new(
                "timestamp".into(),
                ms.iter().map(|m| m / 1000).collect::<Vec<i64>>(),
            ),
        ),
        ("int_ms", Series::new("timestamp".into(), ms.clone())),
        (
            "float_seconds",
            Series::new(
                "timestamp".into(),
                ms.iter().map(|m| *m as f64 / 1000.0).collect::<Vec<f64>>(),
            ),
        ),
        (
            "text",
            Series::new(
                "timestamp".into(),
                ms.iter().map(|m| format_timestamp(*m)).collect::<Vec<_>>(),
            ),
        ),
    ];
    for (name, ts) in frames.drain(..) {
        let p = dir.path().join(format!("{name}.pq"));
        let mut frame =
            DataFrame::new_infer_height(vec![ts.into(), cpu.clone().into()]).expect("frame");
        write_parquet(&mut frame, &p);
        let d = load_ok(&req(&p));
        assert_eq!(d.timestamps_ms, ms, "{name}");
        assert_eq!(show(d.column("cpu").expect("cpu")), "1 2 3 4", "{name}");
    }
}

/// Bad Parquet files, generated here (Parquet cannot be written by hand).
#[test]
fn bad_parquet_files() {
    let dir = tempfile::tempdir().expect("tempdir");
    let ts: Vec<i64> = (0..3).map(|k| T0 + k * MIN).collect();
    let ts_col = || datetime(&ts, TimeUnit::Milliseconds);
    let cases: Vec<(&str, DataFrame)> = vec![
        (
            "e307_boolean_cpu",
            DataFrame::new_infer_height(vec![
                ts_col().into(),
                Series::new("cpu".into(), [true, false, true]).into(),
            ])
            .expect("frame"),
        ),
        (
            "e307_datetime_cpu",
            DataFrame::new_infer_height(vec![ts_col().into(), {
                let mut s = datetime(&ts, TimeUnit::Microseconds);
                s.rename("cpu".into());
                s.into()
            }])
            .expect("frame"),
        ),
        (
            "e307_boolean_timestamp",
            DataFrame::new_infer_height(vec![
                Series::new("timestamp".into(), [true, false, true]).into(),
                Series::new("cpu".into(), [1.0, 2.0, 3.0]).into(),
            ])
            .expect("frame"),
        ),
        (
            "e311_infinite_row_2",
            df!("timestamp" => ts.clone(), "cpu" => [1.0, f64::INFINITY, 3.0]).expect("frame"),
        ),
        (
            "e306_text_cpu_row_3",
            DataFrame::new_infer_height(vec![
                ts_col().into(),
                Series::new("cpu".into(), ["1", "2", "n/a?"]).into(),
            ])
            .expect("frame"),
        ),
        (
            "e303_null_timestamp_row_2",
            DataFrame::new_infer_height(vec![
                Series::new("timestamp".into(), [Some(T0), None, Some(T0 + 2 * MIN)]).into(),
                Series::new("cpu".into(), [1.0, 2.0, 3.0]).into(),
            ])
            .expect("frame"),
        ),
        (
            "e304_unsorted_row_3",
            df!("timestamp" => [T0, T0 + 2 * MIN, T0 + MIN], "cpu" => [1.0, 2.0, 3.0])
                .expect("frame"),
        ),
    ];
    let tmp = dir.path().display().to_string();
    let mut out = String::new();
    for (name, mut frame) in cases {
        let p = dir.path().join(format!("{name}.parquet"));
        write_parquet(&mut frame, &p);
        let e = load_err(&req(&p));
        assert_eq!(
            e.code(),
            name[..4].to_uppercase(),
            "{name}:\n{}",
            render(&e)
        );
        assert_eq!(e.row(), name_number(name, "row"), "{name}");
        assert_eq!(e.line(), None, "{name}: Parquet has no lines");
        out.push_str(&render(&e).replace(&tmp, "[TMP]"));
        out.push('\n');
    }
    // A Parquet file cut short while being written.
    let p = dir.path().join("truncated.parquet");
    let mut frame = df!("timestamp" => ts.clone(), "cpu" => [1.0, 2.0, 3.0]).expect("frame");
    write_parquet(&mut frame, &p);
    let bytes = std::fs::read(&p).expect("read");
    std::fs::write(&p, &bytes[..bytes.len() / 2]).expect("truncate");
    let e = load_err(&req(&p));
    assert_eq!(e.code(), "E301");
    out.push_str(&render(&e).replace(&tmp, "[TMP]"));
    insta::assert_snapshot!(out);
}

#[test]
fn every_error_code_is_documented_once() {
    let mut codes: Vec<&str> = DATA_ERROR_CODES.iter().map(|(c, _)| *c).collect();
    let n = codes.len();
    codes.dedup();
    assert_eq!(codes.len(), n);
    assert!(DATA_ERROR_CODES.iter().all(|(_, s)| !s.is_empty()));
    assert_eq!(parse_timestamp("2026-03-02T14:00:00Z"), Ok(T0));
}

/// Performance smoke check (not timed): `cargo test --release --test data_ingest -- --ignored --nocapture`.
#[test]
#[ignore = "slow: a million-row file"]
fn million_rows_smoke() {
    use std::io::Write as _;
    let dir = tempfile::tempdir().expect("tempdir");
    let p = dir.path().join("big.csv");
    let mut f = std::io::BufWriter::new(File::create(&p).expect("create"));
    writeln!(f, "timestamp,service,cpu,rps,note").expect("write");
    let n = 1_000_000i64;
    for k in 0..n {
        let svc = if k % 2 == 0 { "api" } else { "web" };
        let t = format_timestamp(T0 + (k / 2) * 15_000);
        writeln!(f, "{t},{svc},{},{},x", (k % 100) as f64 / 100.0, k % 977).expect("write");
    }
    drop(f);
    let started = std::time::Instant::now();
    let d = load_ok(&DataRequest {
        columns: vec!["cpu".into(), "rps".into()],
        service: Some("api".into()),
        tick_ms: Some(MIN),
        ..DataRequest::new(&p)
    });
    let elapsed = started.elapsed();
    assert_eq!(d.report.rows_used, (n / 2) as usize);
    assert_eq!(d.len(), (n / 2 / 4) as usize);
    println!("loaded {n} rows in {elapsed:?}: {}", d.report);
}
