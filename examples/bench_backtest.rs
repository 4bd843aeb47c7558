//! Benchmark: `cargo run --release --example bench_backtest [FILE]`
//! (default `datasets/large/checkout-year-10s.csv`, written by
//! `cargo run --release --example gen_datasets -- year-10s`).
//! In one run it times, on the same file:
//! - polars' CSV read alone (the needed columns, types inferred, nothing else),
//!   the reference the other figures are divided by;
//! - `load` (read, validate, grid) and `backtest` (policy run, oracle, recorded
//!   and static baselines, scores); "whole" = load + backtest, what
//!   `scalerules backtest` does before printing;
//! - the evaluator alone (evaluations/s);
//! - the peak RSS of load + backtest (the high-water mark is reset after the
//!   reference read) against the bytes of the loaded columns.
//!
//! Results: docs/performance.md.

use scalerules::backtest::data::{load, DataRequest};
use scalerules::backtest::{backtest, Options};
use scalerules::eval::Evaluator;
use std::sync::Arc;
use std::time::Instant;

use polars::prelude::{CsvReadOptions, PlSmallStr, SerReader};

fn vm_hwm_kib() -> Option<u64> {
    let s = std::fs::read_to_string("/proc/self/status").ok()?;
    s.lines()
        .find(|l| l.starts_with("VmHWM:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse().ok())
}

fn vm_rss_kib() -> Option<u64> {
    let s = std::fs::read_to_string("/proc/self/status").ok()?;
    s.lines()
        .find(|l| l.starts_with("VmRSS:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse().ok())
}

/// Resets VmHWM to the current RSS (Linux >= 4.0).
fn reset_hwm() -> bool {
    std::fs::write("/proc/self/clear_refs", "5").is_ok()
}

fn main() {
    let path = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "datasets/large/checkout-year-10s.csv".into());
    let src = match std::fs::read_to_string("rules/checkout.scale") {
        Ok(s) => s,
        Err(e) => {
            eprintln!("cannot read rules/checkout.scale: {e}");
            std::process::exit(2);
        }
    };
    let Some(program) = scalerules::compile(&src, "checkout").program else {
        eprintln!("rules/checkout.scale does not compile");
        std::process::exit(1);
    };
    let service = &program.services[0];
    let mut req = DataRequest::new(&path);
    req.columns = service.columns().iter().map(|c| c.to_string()).collect();
    req.optional_columns = vec!["replicas".into()];

    // Reference: polars' CSV read alone, of the same columns.
    let needed: Arc<[PlSmallStr]> = std::iter::once("timestamp")
        .chain(req.columns.iter().map(String::as_str))
        .chain(req.optional_columns.iter().map(String::as_str))
        .map(PlSmallStr::from)
        .collect();
    let t = Instant::now();
    let df = CsvReadOptions::default()
        .with_has_header(true)
        .with_columns(Some(needed))
        .try_into_reader_with_file_path(Some(path.clone().into()))
        .and_then(SerReader::finish)
        .unwrap_or_else(|e| {
            eprintln!("polars cannot read {path}: {e}");
            std::process::exit(1);
        });
    let polars_s = t.elapsed().as_secs_f64();
    let polars_shape = df.shape();
    drop(df);
    let hwm_reset = reset_hwm();
    let rss_before = vm_rss_kib().unwrap_or(0);

    let t = Instant::now();
    let data = match load(&req) {
        Ok(d) => d,
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(1);
        }
    };
    let load_s = t.elapsed().as_secs_f64();
    let hwm_after_load = vm_hwm_kib().unwrap_or(0);
    let rss_after_load = vm_rss_kib().unwrap_or(0);
    let col_bytes: usize = data
        .columns
        .iter()
        .map(|c| c.values.len() * 8)
        .sum::<usize>()
        + data.timestamps_ms.len() * 8;
    let n = data.len();

    // Evaluator alone, on the recorded values (SI).
    let t = Instant::now();
    let mut ev = Evaluator::new(service);
    let cols: Vec<(&[f64], f64)> = service
        .metrics
        .iter()
        .map(|m| match &m.source {
            scalerules::ir::MetricSource::Column(c) => {
                (data.column(c).unwrap_or(&[]), m.unit.si_factor())
            }
            scalerules::ir::MetricSource::Builtin(_) => (&[][..], 1.0),
        })
        .collect();
    let mut vals = vec![0.0; service.metrics.len()];
    let mut decisions = 0usize;
    for i in 0..n {
        for (k, (c, f)) in cols.iter().enumerate() {
            vals[k] = c.get(i).map_or(f64::NAN, |v| v * f);
        }
        if let Ok(s) = ev.step(data.timestamps_ms[i], &vals) {
            decisions += usize::from(s.decision.is_some());
        }
    }
    let eval_s = t.elapsed().as_secs_f64();

    let t = Instant::now();
    let report = match backtest(service, &data, &Options::default()) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(1);
        }
    };
    let bt_s = t.elapsed().as_secs_f64();
    let hwm = vm_hwm_kib().unwrap_or(0);

    println!("file:                 {path}");
    println!("ticks:                {n} (tick {} ms)", data.tick_ms);
    println!(
        "polars CSV read alone: {polars_s:.2} s  ({} rows x {} columns, types inferred)",
        polars_shape.0, polars_shape.1
    );
    println!(
        "load:                 {load_s:.2} s  ({:.2}x polars read)",
        load_s / polars_s
    );
    println!(
        "evaluator alone:      {eval_s:.2} s  ({:.2} M evaluations/s, {decisions} decisions)",
        n as f64 / eval_s / 1e6
    );
    println!(
        "backtest (no load):   {bt_s:.2} s  ({:.2} M ticks/s; policy + recorded + static + oracle runs)",
        n as f64 / bt_s / 1e6
    );
    let whole = load_s + bt_s;
    println!(
        "whole (load+backtest): {whole:.2} s  ({:.2}x polars read, {:.2}x load)",
        whole / polars_s,
        whole / load_s
    );
    println!(
        "column bytes:         {:.1} MiB",
        col_bytes as f64 / 1048576.0
    );
    if !hwm_reset {
        println!("(could not reset the RSS high-water mark: peaks include the reference read)");
    }
    println!(
        "RSS before load:      {:.1} MiB",
        rss_before as f64 / 1024.0
    );
    println!(
        "RSS after load:       {:.1} MiB",
        rss_after_load as f64 / 1024.0
    );
    println!(
        "peak RSS after load:  {:.1} MiB ({:.2}x column bytes)",
        hwm_after_load as f64 / 1024.0,
        hwm_after_load as f64 * 1024.0 / col_bytes as f64
    );
    println!(
        "peak RSS at the end:  {:.1} MiB ({:.2}x column bytes)",
        hwm as f64 / 1024.0,
        hwm as f64 * 1024.0 / col_bytes as f64
    );
    println!(
        "policy: {:.0} replica-hours, {} breach minutes; oracle {:.0} replica-hours; cost/oracle {:.3}",
        report.policy.cost.replica_hours,
        report.policy.sla.breach_minutes,
        report.baselines.oracle.cost.replica_hours,
        report.cost_vs_oracle.unwrap_or(f64::NAN)
    );
}
