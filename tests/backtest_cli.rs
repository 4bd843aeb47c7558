//! `scalerules backtest` through the real binary: snapshots of the table and the JSON
//! on the sample data, Parquet = CSV, the E302 diagnostic, the timeline and the chart.

use assert_cmd::Command;
use predicates::prelude::*;
use std::path::Path;

fn bt() -> Command {
    let mut c = Command::cargo_bin("scalerules").expect("binary");
    c.env("NO_COLOR", "1").env("COLUMNS", "100");
    c
}

fn json(args: &[&str]) -> serde_json::Value {
    let out = bt()
        .arg("backtest")
        .args(args)
        .args(["--format", "json"])
        .output()
        .expect("runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("json")
}

#[test]
fn checkout_table_snapshot() {
    let out = bt()
        .args([
            "backtest",
            "rules/checkout.scale",
            "--data",
            "datasets/checkout.csv",
        ])
        .output()
        .expect("runs");
    assert!(out.status.success());
    insta::assert_snapshot!(
        "backtest_checkout_table",
        String::from_utf8_lossy(&out.stdout)
    );
}

#[test]
fn checkout_json_snapshot() {
    let mut v = json(&["rules/checkout.scale", "--data", "datasets/checkout.csv"]);
    // The decision list is long: keep the first ten in the snapshot, check the count.
    let n = v["decisions"].as_array().map_or(0, Vec::len);
    assert_eq!(
        n,
        v["policy"]["thrashing"]["scale_outs"].as_u64().unwrap_or(0) as usize
            + v["policy"]["thrashing"]["scale_ins"].as_u64().unwrap_or(0) as usize
    );
    if let Some(a) = v["decisions"].as_array_mut() {
        a.truncate(10);
    }
    insta::assert_json_snapshot!("backtest_checkout_json", v);
}

#[test]
fn parquet_gives_the_same_result_as_csv() {
    let a = json(&["rules/checkout.scale", "--data", "datasets/checkout.csv"]);
    let b = json(&[
        "rules/checkout.scale",
        "--data",
        "datasets/checkout.parquet",
    ]);
    for key in [
        "policy",
        "baselines",
        "decisions",
        "rules",
        "metrics",
        "cost_vs_oracle",
        "notes",
    ] {
        assert_eq!(a[key], b[key], "{key} differs");
    }
    assert_eq!(b["data"]["load"]["format"], "parquet");
}

#[test]
fn replay_is_labelled_in_table_and_json() {
    let v = json(&[
        "rules/checkout.scale",
        "--data",
        "datasets/checkout.csv",
        "--replay",
    ]);
    assert_eq!(v["mode"], "replay (not counterfactual)");
    bt().args([
        "backtest",
        "rules/checkout.scale",
        "--data",
        "datasets/checkout.csv",
        "--replay",
    ])
    .assert()
    .success()
    .stdout(predicate::str::contains("replay (not counterfactual)"));
}

#[test]
fn missing_column_is_e302_with_exit_1() {
    let dir = tempfile::tempdir().expect("tempdir");
    let p = dir.path().join("bad.csv");
    // `latency_p95_ms` may be absent (its latency has a base, so it is modelled);
    // `cpu_pct` may not.
    std::fs::write(&p, "timestamp,rps,replicas,latency_p95_ms\n2026-03-02T00:00:00Z,100,2,50\n2026-03-02T00:01:00Z,100,2,50\n")
        .expect("write");
    bt().args(["backtest", "rules/checkout.scale", "--data"])
        .arg(&p)
        .assert()
        .code(1)
        .stderr(predicate::str::contains("E302").and(predicate::str::contains("cpu_pct")));
}

#[test]
fn usage_errors_exit_2() {
    bt().args([
        "backtest",
        "rules/checkout.scale",
        "--data",
        "datasets/checkout.csv",
        "--tick",
        "soon",
    ])
    .assert()
    .code(2)
    .stderr(predicate::str::contains("--tick"));
    bt().args([
        "backtest",
        "rules/nope.scale",
        "--data",
        "datasets/checkout.csv",
    ])
    .assert()
    .code(2);
    bt().args([
        "backtest",
        "rules/checkout.scale",
        "--data",
        "datasets/checkout.csv",
        "--plot",
        "x.png",
    ])
    .assert()
    .code(2);
}

#[test]
fn rule_errors_exit_1() {
    let dir = tempfile::tempdir().expect("tempdir");
    let p = dir.path().join("bad.scale");
    std::fs::write(&p, "service s { replicas 5..2 when }").expect("write");
    bt().args(["backtest"])
        .arg(&p)
        .args(["--data", "datasets/checkout.csv"])
        .assert()
        .code(1);
}

#[test]
fn timeline_csv_parquet_and_svg_chart() {
    let dir = tempfile::tempdir().expect("tempdir");
    let csv = dir.path().join("tl.csv");
    let pq = dir.path().join("tl.parquet");
    let svg = dir.path().join("chart.svg");
    bt().args([
        "backtest",
        "rules/checkout.scale",
        "--data",
        "datasets/checkout.csv",
        "--timeline",
    ])
    .arg(&csv)
    .arg("--plot")
    .arg(&svg)
    .assert()
    .success();
    let text = std::fs::read_to_string(&csv).expect("timeline");
    let mut lines = text.lines();
    assert_eq!(
        lines.next(),
        Some("timestamp,demand,requested,ready,capacity,utilization,latency_s,backlog,breach,decision,rule,oracle")
    );
    // 7 days of minutes.
    assert_eq!(text.lines().count(), 1 + 10_080);
    assert_eq!(
        lines.next(),
        Some("2026-03-02T00:00:00Z,223.25,4,4,400,0.558125,0.181047,0,false,,,4")
    );
    assert!(text.contains(",out 4->6,r1,") || text.contains(",out "));
    let chart = std::fs::read_to_string(&svg).expect("svg");
    assert!(chart.starts_with("<svg"));
    assert!(chart.trim_end().ends_with("</svg>"));
    for needle in [
        "demand",
        "ready capacity",
        "requested replicas",
        "ready replicas",
        "time (UTC)",
        "replicas</text>",
        "class=\"breach\"",
        "class=\"decision\"",
        "checkout",
    ] {
        assert!(chart.contains(needle), "chart lacks {needle}");
    }
    bt().args([
        "backtest",
        "rules/checkout.scale",
        "--data",
        "datasets/checkout.csv",
        "--timeline",
    ])
    .arg(&pq)
    .assert()
    .success();
    let bytes = std::fs::read(&pq).expect("parquet");
    assert_eq!(&bytes[..4], b"PAR1");
}

/// Every example policy on its sample dataset: the table, and the JSON scores (decision
/// lists are pinned by `rules/*.snap`).
#[test]
fn every_sample_table_and_json_snapshot() {
    for name in ["reports", "queue-worker", "inference"] {
        let rules = format!("rules/{name}.scale");
        let data = format!("datasets/{name}.csv");
        let out = bt()
            .args(["backtest", &rules, "--data", &data])
            .output()
            .expect("runs");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        insta::assert_snapshot!(
            format!("backtest_{name}_table"),
            String::from_utf8_lossy(&out.stdout)
        );
        let mut v = json(&[&rules, "--data", &data]);
        if let Some(a) = v["decisions"].as_array_mut() {
            a.truncate(5);
        }
        insta::assert_json_snapshot!(format!("backtest_{name}_json"), v);
    }
}

#[test]
fn negative_demand_is_e356_with_exit_1() {
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("neg.csv");
    std::fs::write(
        &csv,
        "timestamp,rps,replicas,cpu_pct,latency_p95_ms\n\
         2026-01-01T00:00:00Z,100,3,50,100\n2026-01-01T00:01:00Z,-5,3,50,100\n",
    )
    .unwrap();
    bt().args(["backtest", "rules/checkout.scale", "--data"])
        .arg(&csv)
        .assert()
        .code(1)
        .stderr(
            predicate::str::contains("E356").and(predicate::str::contains(
                "column `rps` holds -5 at 2026-01-01T00:01:00Z",
            )),
        );
}

#[test]
fn long_format_rows_are_picked_by_the_policy_service() {
    // fleet-long.csv holds `checkout` and `reports` rows; the policy's service picks its
    // own rows without `--service`, and `--service` picks them explicitly.
    let auto = json(&["rules/reports.scale", "--data", "datasets/fleet-long.csv"]);
    let named = json(&[
        "rules/reports.scale",
        "--data",
        "datasets/fleet-long.csv",
        "--service",
        "reports",
    ]);
    assert_eq!(auto["data"]["ticks"], 1440);
    assert_eq!(auto["policy"], named["policy"]);
    assert_eq!(auto["data"]["load"]["service"], "reports");
}

/// With `--format json`, stdout holds only the report and every diagnostic (rule file,
/// data, backtest) goes to stderr as one JSON array of the `check --format json` shape.
#[test]
fn json_format_puts_diagnostics_on_stderr_as_json() {
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().join("bad.csv");
    std::fs::write(&data, "timestamp,rps,replicas,latency_p95_ms\n2026-03-02T00:00:00Z,100,2,50\n2026-03-02T00:01:00Z,100,2,50\n")
        .expect("write");
    let reversed = dir.path().join("reversed.scale");
    std::fs::write(
        &reversed,
        "replicas 5..1\nmetric cpu in %\nwhen cpu > 80% scale out by 1\n",
    )
    .expect("write");
    let no_model = dir.path().join("plain.scale");
    std::fs::write(&no_model, "replicas 1..5\nmetric cpu in %\nwhen cpu > 80% scale out by 1, cooldown 3m\nwhen cpu < 10% for 10m scale in by 1\n")
        .expect("write");
    let cases = [
        (
            Path::new("rules/checkout.scale"),
            &data,
            "E302",
            Some(&data),
        ),
        (reversed.as_path(), &data, "E102", Some(&reversed)),
        (no_model.as_path(), &data, "E350", None),
    ];
    for (rules, data, code, file) in cases {
        let out = bt()
            .arg("backtest")
            .arg(rules)
            .arg("--data")
            .arg(data)
            .args(["--format", "json"])
            .output()
            .expect("runs");
        assert_eq!(out.status.code(), Some(1), "{code}");
        assert!(out.stdout.is_empty(), "{code}: stdout holds only a report");
        let v: serde_json::Value = serde_json::from_slice(&out.stderr).unwrap_or_else(|e| {
            panic!(
                "{code}: stderr is not JSON ({e}):\n{}",
                String::from_utf8_lossy(&out.stderr)
            )
        });
        let first = &v[0];
        assert_eq!(first["code"], code, "{v}");
        assert_eq!(first["severity"], "error");
        assert!(first["message"].as_str().is_some_and(|m| !m.is_empty()));
        let want_file = file.map(|f| f.display().to_string());
        assert_eq!(first["file"].as_str(), want_file.as_deref(), "{v}");
    }
}

/// A rule file reading only `rps` and a modelled latency, in `dir`.
fn demand_only_rules(dir: &Path, price: &str) -> std::path::PathBuf {
    let rules = dir.join("web.scale");
    std::fs::write(
        &rules,
        format!(
            "service web {{\n  replicas 1..10, start 2\n  metric p95 = column \"latency_p95_ms\" in ms\n  \
             when p95 > 200ms for 2m scale out by 1, cooldown 2m\n  when p95 < 100ms for 10m scale in by 1\n  \
             model {{\n    demand rps\n    capacity 100 rps per replica\n    startup 60s\n{price}    \
             latency p95 base 80ms\n    slo p95 < 300ms\n  }}\n}}\n"
        ),
    )
    .expect("write rules");
    rules
}

/// `timestamp,rps` only: a demand curve rising from 100 to 490 rps and back, per minute.
fn demand_only_data(dir: &Path) -> std::path::PathBuf {
    let data = dir.join("demand.csv");
    let mut text = String::from("timestamp,rps\n");
    for i in 0..120 {
        let rps = 100 + 10 * (if i < 60 { i } else { 120 - i }) - (i % 3);
        text.push_str(&format!(
            "2026-03-02T{:02}:{:02}:00Z,{rps}\n",
            i / 60,
            i % 60
        ));
    }
    std::fs::write(&data, text).expect("write data");
    data
}

/// Issue 11: with `latency p95 base 80ms` the latency is entirely modelled, so a
/// demand-only dataset (no `latency_p95_ms` column) backtests, SLO included.
#[test]
fn modelled_latency_needs_no_column() {
    let dir = tempfile::tempdir().expect("tempdir");
    let rules = demand_only_rules(dir.path(), "    price 0.10 per replica-hour\n");
    let data = demand_only_data(dir.path());
    let v = json(&[
        rules.to_str().expect("utf-8"),
        "--data",
        data.to_str().expect("utf-8"),
    ]);
    assert_eq!(v["data"]["ticks"], 120);
    assert_eq!(v["metrics"][0]["name"], "p95");
    assert_eq!(v["metrics"][0]["treatment"], "latency_base");
    assert_eq!(
        v["data"]["load"]["optional_missing"],
        serde_json::json!(["latency_p95_ms"])
    );
    assert_eq!(v["slo"]["declared"], serde_json::json!(["slo p95 < 300ms"]));
    // The modelled latency rises with the load, so the policy reacts to it.
    assert!(
        v["policy"]["thrashing"]["scale_outs"].as_u64().unwrap_or(0) > 0,
        "{v}"
    );
    // A metric without a base still needs its column: E302 names it.
    let plain = dir.path().join("plain.scale");
    std::fs::write(
        &plain,
        std::fs::read_to_string(&rules)
            .expect("read")
            .replace("latency p95 base 80ms", "latency p95"),
    )
    .expect("write");
    bt().arg("backtest")
        .arg(&plain)
        .arg("--data")
        .arg(&data)
        .assert()
        .code(1)
        .stderr(predicate::str::contains("E302").and(predicate::str::contains("latency_p95_ms")));
}

/// Issue 11: a model without `price` says that no price was given instead of a cost
/// of 0.00, in the table and in the JSON (`cost` and `price_per_hour` are null).
#[test]
fn no_price_says_so() {
    let dir = tempfile::tempdir().expect("tempdir");
    let rules = demand_only_rules(dir.path(), "");
    let data = demand_only_data(dir.path());
    let (rules, data) = (
        rules.to_str().expect("utf-8"),
        data.to_str().expect("utf-8"),
    );
    let v = json(&[rules, "--data", data]);
    assert_eq!(v["model"]["price_per_hour"], serde_json::Value::Null);
    assert_eq!(v["policy"]["cost"]["cost"], serde_json::Value::Null);
    assert_eq!(
        v["baselines"]["oracle"]["cost"]["cost"],
        serde_json::Value::Null
    );
    assert!(v["policy"]["cost"]["replica_hours"].as_f64().unwrap_or(0.0) > 0.0);
    let notes = v["notes"].to_string();
    assert!(notes.contains("no price given"), "{notes}");

    let out = bt()
        .args(["backtest", rules, "--data", data])
        .output()
        .expect("runs");
    assert!(out.status.success());
    let table =
        String::from_utf8_lossy(&out.stdout).replace(dir.path().to_str().unwrap_or(""), "[dir]");
    let cost_row = table
        .lines()
        .find(|l| l.contains(" cost "))
        .unwrap_or_default();
    assert!(
        cost_row.contains("no price") && !cost_row.contains("0.00"),
        "{cost_row}"
    );
    insta::assert_snapshot!("backtest_no_price_table", table);
}

/// Issue 11: the same inputs give byte-identical output, run after run (the report
/// holds no time of day, no hash-map order, no thread-dependent sum).
#[test]
fn output_is_deterministic() {
    let run = |args: &[&str]| {
        let out = bt().args(args).output().expect("runs");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        out.stdout
    };
    for rules in ["rules/checkout.scale", "rules/queue-worker.scale"] {
        let data = if rules.contains("queue") {
            "datasets/queue-worker.csv"
        } else {
            "datasets/checkout.csv"
        };
        let args = ["backtest", rules, "--data", data, "--format", "json"];
        let first = run(&args);
        assert!(!first.is_empty());
        assert!(first == run(&args), "{rules}: two JSON reports differ");
    }
    // The snapshot file too: written twice from scratch, the same bytes.
    let dir = tempfile::tempdir().expect("tempdir");
    let snap = |name: &str| {
        let out = dir.path().join(name);
        run(&[
            "snapshot",
            "--accept",
            "rules/checkout.scale",
            "--data",
            "datasets/checkout.csv",
            "--out",
            out.to_str().expect("utf-8"),
        ]);
        std::fs::read(&out).expect("snapshot written")
    };
    let (a, b) = (snap("a.snap"), snap("b.snap"));
    assert!(!a.is_empty());
    assert!(a == b, "two snapshot files differ");
}

/// A service with targets and no `tick` is backtested every 15 s, the HPA's sync
/// period: the 1-minute rows are held for their minute, the grid runs to the end of the
/// last row's minute, and scores stay time-weighted. `--tick` still chooses.
#[test]
fn a_target_tracking_service_runs_on_a_15s_grid_by_default() {
    let args = [
        "rules/checkout-hpa.scale",
        "--data",
        "datasets/checkout.csv",
    ];
    let fine = json(&args);
    assert_eq!(fine["data"]["tick_ms"], 15_000);
    assert_eq!(fine["data"]["ticks"], 4 * 10_080);
    assert_eq!(fine["data"]["to"], "2026-03-09T00:00:00Z");
    // Three ticks in four hold the previous row; the 30 minutes without a row stay
    // gaps, four ticks each (a row is not held past its own minute).
    assert_eq!(fine["data"]["load"]["held_ticks"], 3 * (10_080 - 30));
    assert_eq!(fine["data"]["load"]["gap_ticks_filled"], 4 * 30);
    let coarse = json(&[args[0], args[1], args[2], "--tick", "1m"]);
    assert_eq!(coarse["data"]["tick_ms"], 60_000);
    assert_eq!(coarse["data"]["load"]["gap_ticks_filled"], 30);
    assert!(coarse["data"]["load"].get("held_ticks").is_none());
    // The recorded replicas and the oracle do not depend on the grid: the same
    // replica-hours on both (time-weighted: a 15 s tick counts a quarter of a minute).
    for b in ["recorded", "oracle"] {
        let h = |v: &serde_json::Value| v["baselines"][b]["cost"]["replica_hours"].as_f64();
        let (f, c) = (h(&fine).expect("hours"), h(&coarse).expect("hours"));
        assert!((f - c).abs() < 0.1, "{b}: {f} on 15 s against {c} on 1 m");
    }
    // The policy itself differs a little (it decides every 15 s), not by 4×.
    let h = |v: &serde_json::Value| v["policy"]["cost"]["replica_hours"].as_f64().expect("h");
    assert!((h(&fine) / h(&coarse) - 1.0).abs() < 0.01);
    let m = |v: &serde_json::Value| v["policy"]["sla"]["breach_minutes"].as_f64().expect("m");
    assert!(
        (m(&fine) - m(&coarse)).abs() < 5.0,
        "{} {}",
        m(&fine),
        m(&coarse)
    );
}

/// A threshold policy keeps the dataset's own interval.
#[test]
fn a_threshold_service_keeps_the_dataset_interval() {
    let v = json(&["rules/checkout.scale", "--data", "datasets/checkout.csv"]);
    assert_eq!(v["data"]["tick_ms"], 60_000);
}
