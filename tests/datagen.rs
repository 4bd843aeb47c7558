//! Tests of the seeded sample-data generator and of the committed samples in
//! `datasets/`.

use scalerules::datagen::model::{ServiceKind, DAY_MS, HOUR_MS, MINUTE_MS, START_MS};
use scalerules::datagen::{
    find_preset, generate, preset, presets, regenerate_samples, write_csv, write_large, Preset,
    Source, Table,
};
use std::path::{Path, PathBuf};

const SERVICES: [&str; 4] = ["checkout", "reports", "queue-worker", "inference"];

fn datasets_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("datasets")
}

fn sample(name: &str) -> (&'static Preset, Table) {
    let p = find_preset(name).unwrap_or_else(|| panic!("no preset {name}"));
    (p, generate(p))
}

/// Row index of `day` (0 = Monday) at `hour:minute` in a 1-minute table.
fn at(day: i64, hour: i64, minute: i64) -> usize {
    ((day * DAY_MS + hour * HOUR_MS + minute * MINUTE_MS) / MINUTE_MS) as usize
}

fn demand_column(t: &Table) -> &[f64] {
    &t.values[0]
}

#[test]
fn committed_samples_are_reproducible_byte_for_byte() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let written = regenerate_samples(tmp.path()).expect("regenerate");
    let mut csvs = 0;
    for path in &written {
        let name = path.file_name().expect("file name");
        let committed = datasets_dir().join(name);
        if path.extension().is_some_and(|e| e == "csv") {
            csvs += 1;
            let fresh = std::fs::read(path).expect("read fresh");
            let old = std::fs::read(&committed)
                .unwrap_or_else(|e| panic!("{} is not committed ({e})", committed.display()));
            assert!(
                fresh == old,
                "{} differs from a fresh regeneration: run `cargo run --release --example gen_datasets`",
                committed.display()
            );
        } else {
            assert!(
                committed.exists(),
                "{} is not committed",
                committed.display()
            );
        }
    }
    assert_eq!(csvs, 5, "five committed CSV samples");
    // And no stray CSV in datasets/ that the generator does not make.
    for entry in std::fs::read_dir(datasets_dir()).expect("datasets/") {
        let path = entry.expect("entry").path();
        if path
            .extension()
            .is_some_and(|e| e == "csv" || e == "parquet")
        {
            let name = path.file_name().expect("name");
            assert!(
                written.iter().any(|w| w.file_name() == Some(name)),
                "{} is not produced by regenerate_samples",
                path.display()
            );
        }
    }
}

#[test]
fn generation_is_deterministic() {
    for p in presets().iter().filter(|p| p.committed) {
        let (a, b) = (generate(p), generate(p));
        // NaN != NaN, so compare bit patterns.
        let bits = |t: &Table| -> Vec<Vec<u64>> {
            t.values
                .iter()
                .map(|c| c.iter().map(|v| v.to_bits()).collect())
                .collect()
        };
        assert_eq!(bits(&a), bits(&b), "{}", p.name);
        assert_eq!(a.timestamps_ms, b.timestamps_ms);
        assert_eq!(a.missing_rows, b.missing_rows);
        assert_eq!(a.service, b.service);
    }
}

#[test]
fn committed_files_are_small_and_well_formed() {
    for name in SERVICES {
        let path = datasets_dir().join(format!("{name}.csv"));
        let text = std::fs::read_to_string(&path).expect("read sample");
        assert!(text.len() < 700_000, "{name}.csv is {} bytes", text.len());
        let mut lines = text.lines();
        let header = lines.next().expect("header");
        let p = find_preset(name).expect("preset");
        let cols = p.service().expect("service").columns();
        assert_eq!(header, format!("timestamp,{}", cols.join(",")));
        let first = lines.next().expect("first row");
        assert!(first.starts_with("2026-03-02T00:00:00Z,"), "{first}");
        assert!(text.ends_with('\n') && !text.contains('\r'));
        let last = text.lines().last().expect("last row");
        assert!(last.starts_with("2026-03-08T23:59:00Z,"), "{last}");
        for line in text.lines() {
            assert_eq!(line.split(',').count(), cols.len() + 1, "{line}");
        }
    }
}

#[test]
fn row_counts() {
    for name in SERVICES {
        let (_, t) = sample(name);
        assert_eq!(t.len(), 7 * 1440, "{name}");
        assert_eq!(t.written_rows(), 7 * 1440 - 30, "{name}");
        for (i, ts) in t.timestamps_ms.iter().enumerate() {
            assert_eq!(*ts, START_MS + i as i64 * MINUTE_MS);
        }
    }
    let (_, fleet) = sample("fleet-long");
    assert_eq!(fleet.len(), 2 * 1440);
    assert_eq!(fleet.written_rows(), 2 * 1440);
}

#[test]
fn friday_gap_rows_are_absent() {
    for name in SERVICES {
        let (_, t) = sample(name);
        let gap = at(4, 9, 0)..at(4, 9, 30);
        for (i, missing) in t.missing_rows.iter().enumerate() {
            assert_eq!(*missing, gap.contains(&i), "{name} row {i}");
        }
        let text = std::fs::read_to_string(datasets_dir().join(format!("{name}.csv")))
            .expect("read sample");
        assert!(text.contains("\n2026-03-06T08:59:00Z,"));
        assert!(!text.contains("\n2026-03-06T09:00:00Z,"));
        assert!(!text.contains("\n2026-03-06T09:29:00Z,"));
        assert!(text.contains("\n2026-03-06T09:30:00Z,"));
    }
}

#[test]
fn thursday_scrape_failure_leaves_only_demand_and_replicas() {
    for name in SERVICES {
        let (_, t) = sample(name);
        let failure = at(3, 20, 0)..at(3, 20, 20);
        for i in 0..t.len() {
            for (c, column) in t.columns.iter().zip(&t.values) {
                let always = c == "replicas" || std::ptr::eq(column, &t.values[0]);
                let expect_empty = !always && failure.contains(&i);
                assert_eq!(column[i].is_nan(), expect_empty, "{name} {c} row {i}");
            }
        }
        let text = std::fs::read_to_string(datasets_dir().join(format!("{name}.csv")))
            .expect("read sample");
        let line = text
            .lines()
            .find(|l| l.starts_with("2026-03-05T20:10:00Z,"))
            .expect("scrape-failure row present");
        let empties = t.columns.len() - 2;
        assert!(line.ends_with(&",".repeat(empties)), "{line}");
        assert!(!line.contains(&",".repeat(empties + 1)), "{line}");
    }
}

#[test]
fn flash_crowd_triples_wednesday_afternoon() {
    for name in SERVICES {
        let (_, t) = sample(name);
        let d = demand_column(&t);
        // Full strength from 14:05 to 14:40 (ramp 14:00–14:05, decay to 14:50).
        for m in 5..=40 {
            let wed = d[at(2, 14, m)];
            let tue = d[at(1, 14, m)];
            assert!(wed >= 2.5 * tue, "{name} 14:{m:02}: {wed} vs {tue}");
        }
        // And it is over by 15:00.
        let after = d[at(2, 15, 0)] / d[at(1, 15, 0)];
        assert!(after < 1.5, "{name}: {after}");
    }
}

#[test]
fn weekend_is_quieter_than_weekdays() {
    for name in SERVICES {
        let (_, t) = sample(name);
        let d = demand_column(&t);
        let mean = |r: std::ops::Range<usize>| d[r.clone()].iter().sum::<f64>() / r.len() as f64;
        let weekday = mean(0..at(5, 0, 0));
        let weekend = mean(at(5, 0, 0)..at(7, 0, 0));
        assert!(weekend < weekday, "{name}: {weekend} vs {weekday}");
        // Weekend ≈ 60 % of weekday, a little more after the week's growth.
        let ratio = weekend / weekday;
        assert!((0.5..0.8).contains(&ratio), "{name}: {ratio}");
    }
}

#[test]
fn demand_has_the_documented_shape() {
    let (_, t) = sample("checkout");
    let d = demand_column(&t);
    let mean_at = |day: i64, hour: i64| {
        let i = at(day, hour, 0);
        d[i - 15..i + 15].iter().sum::<f64>() / 30.0
    };
    for day in [0, 1, 3, 4] {
        let trough = mean_at(day, 3);
        let peak = mean_at(day, 14);
        assert!(
            (110.0..190.0).contains(&trough),
            "day {day} trough {trough}"
        );
        assert!((1250.0..1750.0).contains(&peak), "day {day} peak {peak}");
        assert!(mean_at(day, 8) < peak && mean_at(day, 20) < peak);
    }
    // +25 % linear growth over the week: Thursday vs Monday at the peak.
    let growth = mean_at(3, 14) / mean_at(0, 14);
    assert!((1.05..1.25).contains(&growth), "{growth}");
}

#[test]
fn recorded_utilisation_stays_in_0_to_100() {
    for (name, col) in [
        ("checkout", "cpu_pct"),
        ("reports", "cpu_pct"),
        ("inference", "gpu_util_pct"),
    ] {
        let (p, t) = sample(name);
        let cap = p.service().expect("service").capacity;
        let util = t.column(col).expect("util column");
        let rps = demand_column(&t);
        let replicas = t.column("replicas").expect("replicas");
        for i in 0..t.len() {
            if util[i].is_nan() {
                continue;
            }
            assert!(
                (0.0..=100.0).contains(&util[i]),
                "{name} row {i}: {}",
                util[i]
            );
            // 100·min(ρ,1)·U(0.9,1) + N(0, 0.5): well inside ±3 of that band.
            let rho = (rps[i] / (replicas[i] * cap)).min(1.0);
            assert!(
                util[i] >= 90.0 * rho - 3.0 && util[i] <= 100.0 * rho + 3.0,
                "{name} row {i}: {} at ρ = {rho}",
                util[i]
            );
        }
    }
}

#[test]
fn latency_rises_when_replicas_are_nearly_saturated() {
    for name in ["checkout", "inference"] {
        let (p, t) = sample(name);
        let s = p.service().expect("service");
        let base = s.base_latency_ms().expect("base latency");
        let rps = demand_column(&t);
        let replicas = t.column("replicas").expect("replicas");
        let latency = t.column("latency_p95_ms").expect("latency");
        let mut hot = 0;
        for i in 0..t.len() {
            if latency[i].is_nan() {
                continue;
            }
            let rho = rps[i] / (replicas[i] * s.capacity);
            assert!(latency[i] >= base * 0.6, "{name} row {i}");
            if rho > 0.9 {
                hot += 1;
                assert!(
                    latency[i] > base / (1.0 - 0.9),
                    "{name} row {i}: {} ms at ρ = {rho}",
                    latency[i]
                );
            }
            if rho >= 1.0 {
                assert!(latency[i] >= 10.0 * base, "{name} row {i}");
            }
            if rho < 0.5 {
                assert!(latency[i] < base / (1.0 - 0.5) * 1.5, "{name} row {i}");
            }
        }
        assert!(hot >= 20, "{name}: only {hot} saturated minutes");
    }
}

#[test]
fn queue_depth_behaves_like_a_queue() {
    let (p, t) = sample("queue-worker");
    let cap = p.service().expect("service").capacity;
    let arrivals = t.column("arrivals_per_s").expect("arrivals");
    let replicas = t.column("replicas").expect("replicas");
    let depth = t.column("queue_depth").expect("queue_depth");
    let processed = t.column("processed_per_s").expect("processed");
    let (mut grew, mut drained) = (0, 0);
    for i in 1..t.len() {
        if depth[i].is_nan() || depth[i - 1].is_nan() {
            continue;
        }
        assert!(depth[i] >= 0.0);
        let capacity = replicas[i] * cap;
        assert!(processed[i] <= capacity + 1e-9, "row {i}");
        if arrivals[i] > capacity {
            grew += 1;
            assert!(depth[i] > depth[i - 1], "row {i}: backlog must grow");
        }
        if depth[i - 1] == 0.0 && arrivals[i] <= capacity {
            assert_eq!(depth[i], 0.0, "row {i}");
            assert!((processed[i] - arrivals[i]).abs() < 0.006, "row {i}");
        }
        if depth[i] < depth[i - 1] {
            drained += 1;
        }
        // Conservation: backlog_t = backlog_{t-1} + 60·(arrivals − processed).
        let expected = depth[i - 1] + 60.0 * (arrivals[i] - processed[i]);
        assert!(
            (depth[i] - expected).abs() <= 2.0,
            "row {i}: {} vs {expected}",
            depth[i]
        );
    }
    assert!(grew >= 30, "only {grew} minutes of growing backlog");
    assert!(drained >= 10, "only {drained} minutes of draining backlog");
    let peak = arrivals.iter().copied().fold(0.0, f64::max);
    assert!(peak > 700.0);
}

#[test]
fn inference_inflight_follows_littles_law() {
    let (p, t) = sample("inference");
    let ServiceKind::Inference { mean_to_p95, .. } = p.service().expect("service").kind else {
        panic!("inference is not an inference service")
    };
    let rps = demand_column(&t);
    let replicas = t.column("replicas").expect("replicas");
    let inflight = t.column("inflight").expect("inflight");
    let latency = t.column("latency_p95_ms").expect("latency");
    for i in 0..t.len() {
        if inflight[i].is_nan() {
            continue;
        }
        let little = rps[i] * mean_to_p95 * latency[i] / 1000.0 / replicas[i];
        assert!((inflight[i] - little).abs() <= 0.051, "row {i}");
    }
}

/// Replays the documented autoscaler on the recorded columns and checks
/// that it reproduces the recorded (ready) replica counts exactly.
#[test]
fn recorded_replicas_follow_the_documented_autoscaler() {
    for name in SERVICES {
        let (p, t) = sample(name);
        let s = p.service().expect("service");
        let replicas = t.column("replicas").expect("replicas");
        let startup = (s.startup_s / 60) as usize;
        let window = (s.stabilization_s / 60) as usize;
        let clamp = |x: f64| x.clamp(f64::from(s.min_replicas), f64::from(s.max_replicas));
        let mut requested = vec![replicas[0]; startup + 1];
        let mut recs = vec![replicas[0]; window];
        let (mut ups, mut downs) = (0, 0);
        for (i, &recorded) in replicas.iter().enumerate() {
            let ready = requested[requested.len() - startup - 1..]
                .iter()
                .copied()
                .fold(f64::INFINITY, f64::min);
            assert_eq!(ready, recorded, "{name} row {i}");
            assert!(ready >= f64::from(s.min_replicas) && ready <= f64::from(s.max_replicas));
            let desired = match s.kind {
                ServiceKind::Queue {
                    backlog_per_replica,
                    arrival_util,
                } => {
                    let depth = t.column("queue_depth").expect("depth")[i];
                    let a = t.values[0][i];
                    (!depth.is_nan()).then(|| {
                        (depth / backlog_per_replica).ceil()
                            + (a / (arrival_util * s.capacity)).ceil()
                    })
                }
                _ => {
                    let util = t.values[if name == "inference" { 3 } else { 2 }][i];
                    (!util.is_nan()).then(|| ready * (util / 100.0) / s.target_util)
                }
            };
            let current = *requested.last().expect("requested");
            let next = match desired {
                None => current,
                Some(d) => {
                    let d = clamp((d - 1e-9).ceil());
                    recs.push(d);
                    let recent = &recs[recs.len() - window..];
                    if d >= current {
                        d
                    } else {
                        recent.iter().copied().fold(0.0, f64::max).min(current)
                    }
                }
            };
            if next > current {
                ups += 1;
            } else if next < current {
                downs += 1;
            }
            requested.push(next);
        }
        assert!(ups > 50 && downs > 50, "{name}: {ups} ups, {downs} downs");
    }
}

#[test]
fn fleet_long_interleaves_monday_of_checkout_and_reports() {
    let (_, fleet) = sample("fleet-long");
    let (_, checkout) = sample("checkout");
    let (_, reports) = sample("reports");
    let services = fleet.service.as_ref().expect("service column");
    assert_eq!(fleet.columns, ["rps", "replicas", "cpu_pct"]);
    for i in 0..fleet.len() {
        let (minute, svc) = (i / 2, if i % 2 == 0 { "checkout" } else { "reports" });
        assert_eq!(services[i], svc);
        assert_eq!(fleet.timestamps_ms[i], START_MS + minute as i64 * MINUTE_MS);
        let wide = if svc == "checkout" {
            &checkout
        } else {
            &reports
        };
        for (c, col) in fleet.columns.iter().zip(&fleet.values) {
            assert_eq!(
                col[i],
                wide.column(c).expect("column")[minute],
                "row {i} {c}"
            );
        }
    }
    let text = std::fs::read_to_string(datasets_dir().join("fleet-long.csv")).expect("read");
    let mut lines = text.lines();
    assert_eq!(lines.next(), Some("timestamp,service,rps,replicas,cpu_pct"));
    assert!(lines
        .next()
        .is_some_and(|l| l.starts_with("2026-03-02T00:00:00Z,checkout,")));
    assert!(lines
        .next()
        .is_some_and(|l| l.starts_with("2026-03-02T00:00:00Z,reports,")));
}

#[test]
fn parquet_sample_has_the_same_content_as_the_csv() {
    use polars::prelude::{DataType, ParquetReader, SerReader, TimeUnit, TimeZone};
    let (_, t) = sample("checkout");
    let file = std::fs::File::open(datasets_dir().join("checkout.parquet")).expect("open");
    let df = ParquetReader::new(file).finish().expect("read parquet");
    assert_eq!(df.height(), t.written_rows());
    let names: Vec<&str> = df.get_column_names().iter().map(|n| n.as_str()).collect();
    assert_eq!(
        names,
        ["timestamp", "rps", "replicas", "cpu_pct", "latency_p95_ms"]
    );
    let ts = df.column("timestamp").expect("timestamp");
    assert_eq!(
        ts.dtype(),
        &DataType::Datetime(TimeUnit::Milliseconds, Some(TimeZone::UTC))
    );
    assert_eq!(
        df.column("replicas").expect("replicas").dtype(),
        &DataType::Int64
    );
    let keep: Vec<usize> = (0..t.len()).filter(|&i| !t.missing_rows[i]).collect();
    let ts: Vec<Option<i64>> = ts.datetime().expect("datetime").physical().iter().collect();
    for (row, &i) in keep.iter().enumerate() {
        assert_eq!(ts[row], Some(t.timestamps_ms[i]));
    }
    let replicas: Vec<Option<i64>> = df
        .column("replicas")
        .and_then(|c| c.i64().cloned())
        .expect("i64")
        .iter()
        .collect();
    for (row, &i) in keep.iter().enumerate() {
        assert_eq!(
            replicas[row],
            Some(t.column("replicas").expect("replicas")[i] as i64)
        );
    }
    for name in ["rps", "cpu_pct", "latency_p95_ms"] {
        let col: Vec<Option<f64>> = df
            .column(name)
            .and_then(|c| c.f64().cloned())
            .expect("f64")
            .iter()
            .collect();
        let expected = t.column(name).expect("column");
        for (row, &i) in keep.iter().enumerate() {
            let e = Some(expected[i]).filter(|v| !v.is_nan());
            assert_eq!(col[row], e, "{name} row {i}");
        }
    }
}

#[test]
fn streaming_writer_matches_the_table_writer() {
    // The large preset, cut to two days, must stream exactly what
    // generate() + write_csv() write.
    let mut short = *find_preset("year-10s").expect("year-10s");
    let Source::Service(mut sc) = short.source else {
        panic!("year-10s is a single-service preset")
    };
    sc.days = 2;
    short.source = Source::Service(sc);
    let tmp = tempfile::tempdir().expect("tempdir");
    let streamed = tmp.path().join("nested/streamed.csv");
    let rows = write_large(&short, &streamed).expect("write_large");
    let table = generate(&short);
    assert_eq!(table.len(), 2 * 8640);
    assert_eq!(rows as usize, table.written_rows());
    let buffered = tmp.path().join("buffered.csv");
    write_csv(&table, &buffered).expect("write_csv");
    let a = std::fs::read(&streamed).expect("read");
    let b = std::fs::read(&buffered).expect("read");
    assert!(a == b, "streamed and buffered CSVs differ");
    let text = String::from_utf8(a).expect("utf8");
    assert!(text.contains("\n2026-03-02T00:00:10Z,"));
}

#[test]
fn year_preset_is_large_and_not_committed() {
    let p = find_preset("year-10s").expect("year-10s");
    assert!(!p.committed);
    assert_eq!(p.files, ["large/checkout-year-10s.csv"]);
    let sc = p.scenario().expect("scenario");
    assert_eq!(sc.steps(), 365 * 8640);
    let ev = scalerules::datagen::model::events(sc);
    assert_eq!(ev.flash_crowds.len(), 12);
    assert_eq!(ev.gaps.len(), 8);
    for f in &ev.flash_crowds {
        let day = (f.start_ms - START_MS) / DAY_MS;
        assert!(day % 7 < 5, "flash crowd on a weekend");
        assert!((2.0..=3.5).contains(&f.factor));
    }
    let committed: Vec<&str> = presets()
        .iter()
        .filter(|p| p.committed)
        .map(|p| p.name)
        .collect();
    assert_eq!(
        committed,
        [
            "checkout",
            "reports",
            "queue-worker",
            "inference",
            "fleet-long"
        ]
    );
}

#[test]
fn unknown_presets_are_reported() {
    assert!(find_preset("nope").is_none());
    let err = preset("nope").expect_err("unknown preset");
    let msg = err.to_string();
    assert!(
        msg.contains("nope") && msg.contains("checkout") && msg.contains("year-10s"),
        "{msg}"
    );
}

#[test]
fn write_errors_are_returned_not_panicked() {
    let (_, t) = sample("reports");
    let tmp = tempfile::tempdir().expect("tempdir");
    let bad = tmp.path().join("missing-dir/x.csv");
    assert!(write_csv(&t, &bad).is_err());
    let file = tmp.path().join("a-file");
    std::fs::write(&file, "x").expect("write");
    assert!(regenerate_samples(&file.join("sub")).is_err());
    assert!(scalerules::datagen::write_parquet(&t, &bad.with_extension("parquet")).is_err());
}
