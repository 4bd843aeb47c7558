//! Benchmark: `cargo run --release --example bench_backtest [FILE]`
//! (default `datasets/large/checkout-year-10s.csv`, written by
//! `cargo run --release --example gen_datasets -- year-10s`).
//! Times the polars load alone, the evaluator alone, and the whole backtest
//! (three simulated runs plus the oracle search), and compares the peak RSS with
//! the bytes of the loaded columns. Results: docs/performance.md.

use scalerules::backtest::data::{load, DataRequest};
use scalerules::backtest::{backtest, Options};
use scalerules::eval::Evaluator;
use std::time::Instant;

fn vm_hwm_kib() -> Option<u64> {
    let s = std::fs::read_to_string("/proc/self/status").ok()?;
    s.lines()
        .find(|l| l.starts_with("VmHWM:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse().ok())
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
    println!("polars load:          {load_s:.2} s");
    println!(
        "evaluator alone:      {eval_s:.2} s  ({:.2} M evaluations/s, {decisions} decisions)",
        n as f64 / eval_s / 1e6
    );
    println!(
        "backtest (no load):   {bt_s:.2} s  ({:.2} M ticks/s; policy + recorded + static + oracle runs)",
        n as f64 / bt_s / 1e6
    );
    println!("backtest / load:      {:.2}x", bt_s / load_s);
    println!(
        "column bytes:         {:.1} MiB",
        col_bytes as f64 / 1048576.0
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
