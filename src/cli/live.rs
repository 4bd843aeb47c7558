//! `scalerules eval --prometheus`: the evaluator on live metrics. Every tick runs each
//! metric's `promql "…"` query as an instant query (`prom::live::sample`), feeds the
//! evaluator and prints the decision as the JSON line `eval` prints for a CSV row. A
//! failed query is missing data for that tick, reported on stderr with its code; SIGINT
//! or SIGTERM ends the loop cleanly with a summary (docs/prometheus.md).

use super::prometheus::{self, ServerArgs};
use super::{Loaded, Reporter, EXIT_FAILURE, EXIT_OK};
use crate::diagnostics::Format;
use crate::ir::{MetricSource, Service};
use crate::prom::{self, PromError, PromErrorKind};
use crate::span::line_col;
use crate::timestamp::{format_timestamp, parse_duration};
use std::collections::HashSet;
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

/// The flags of `eval --prometheus`.
#[derive(clap::Args, Debug, Clone)]
pub struct LiveArgs {
    #[command(flatten)]
    pub server: ServerArgs,
    /// With --prometheus: time between evaluations (`15s`, `1m`); default: the
    /// service's `tick`, else 1m.
    #[arg(long, value_name = "D", requires = "prometheus")]
    pub every: Option<String>,
    /// With --prometheus: stop after this many ticks (default: until SIGINT/SIGTERM).
    #[arg(long, value_name = "N", requires = "prometheus")]
    pub ticks: Option<u64>,
}

/// What a run did beyond the evaluations `eval::Online` counts, for the summary on exit.
#[derive(Debug, Default)]
struct Summary {
    ticks: u64,
    failed_queries: u64,
    missing_values: u64,
}

/// Runs the live loop until a signal (or `--ticks`). Setup errors (a metric without a
/// query, a bad flag, a bad client setting) exit 1 before the first tick.
pub fn run(
    args: &LiveArgs,
    url: &str,
    service: &Service,
    loaded: &Loaded,
    show_suppressed: bool,
) -> ExitCode {
    let mut out = Reporter::new(Format::Human);
    let queries = match prometheus::queries(service, &loaded.file) {
        Ok(q) => q,
        Err(diags) => {
            out.diagnostics(&diags, &loaded.file);
            return out.finish(EXIT_FAILURE);
        }
    };
    // Metric slot → its query; a simulation builtin (`replicas`, …) has none: missing.
    let slots: Vec<Option<usize>> = service
        .metrics
        .iter()
        .map(|m| match &m.source {
            MetricSource::Column(c) => queries.iter().position(|q| &q.name == c),
            MetricSource::Builtin(_) => None,
        })
        .collect();
    for m in &service.metrics {
        if let MetricSource::Builtin(b) = m.source {
            eprintln!(
                "note: `{}` is simulated in backtests; live it has no query and is always missing",
                b.name()
            );
        }
    }
    let every = match every_ms(args, service) {
        Ok(ms) => ms,
        Err(e) => {
            prometheus::report(&mut out, &loaded.file, service, &e);
            return out.finish(EXIT_FAILURE);
        }
    };
    // The tick is known: refuse a window that would outgrow its limit now.
    if let Err(e) = crate::eval::check_window_sizes(service, every) {
        eprintln!("error: {e}");
        return out.finish(EXIT_FAILURE);
    }
    let client = match args.server.client(url) {
        Ok(c) => c,
        Err(e) => {
            prometheus::report(&mut out, &loaded.file, service, &e);
            return out.finish(EXIT_FAILURE);
        }
    };
    let stop = Arc::new(AtomicBool::new(false));
    for sig in [signal_hook::consts::SIGINT, signal_hook::consts::SIGTERM] {
        if let Err(e) = signal_hook::flag::register(sig, Arc::clone(&stop)) {
            return prometheus::usage(format!("cannot watch for signal {sig}: {e}"));
        }
    }
    let mut online = super::eval::Online::new(service, show_suppressed);
    let mut values = vec![f64::NAN; service.metrics.len()];
    let mut summary = Summary::default();
    let mut shown: HashSet<(&'static str, Option<crate::span::Span>)> = HashSet::new();
    let stdout = std::io::stdout();
    let mut t = prometheus::now_ms() / every * every;
    while !stop.load(Ordering::Relaxed) {
        let tick = prom::live::sample(&client, &queries, t);
        summary.ticks += 1;
        for e in &tick.errors {
            summary.failed_queries += 1;
            report_tick_error(&mut out, loaded, service, e, t, &mut shown);
        }
        for (v, (slot, m)) in values.iter_mut().zip(slots.iter().zip(&service.metrics)) {
            *v = match slot.and_then(|i| tick.values[i]) {
                Some(raw) => m.to_si(raw),
                None => f64::NAN,
            };
        }
        summary.missing_values += values.iter().filter(|v| v.is_nan()).count() as u64;
        if let Err(e) = online.row(t, &values, &mut stdout.lock()) {
            eprintln!("error: {}: {e}", format_timestamp(t));
            return ExitCode::from(EXIT_FAILURE);
        }
        if args.ticks.is_some_and(|n| summary.ticks >= n) {
            break;
        }
        t = next_tick(t, every, &stop);
    }
    let why = if stop.load(Ordering::Relaxed) {
        "stopped by a signal"
    } else {
        "done (--ticks)"
    };
    eprintln!(
        "eval --prometheus: {why} after {}: {}, {}, {}",
        count(summary.ticks, "tick", "ticks"),
        count(online.summary.decisions, "decision", "decisions"),
        count(summary.failed_queries, "failed query", "failed queries"),
        count(summary.missing_values, "missing value", "missing values"),
    );
    out.finish(EXIT_OK)
}

fn count(n: u64, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

fn every_ms(args: &LiveArgs, service: &Service) -> Result<i64, PromError> {
    let Some(text) = &args.every else {
        return Ok(service.tick.unwrap_or(prom::DEFAULT_STEP_MS));
    };
    match parse_duration(text) {
        Ok(ms) if ms > 0 => Ok(ms),
        _ => Err(PromErrorKind::BadRange {
            reason: format!("--every `{text}` is not a positive duration"),
            help: "write a duration such as `15s` or `1m`".into(),
        }
        .into()),
    }
}

/// The next tick after `t` (a multiple of `every`), once the clock reaches it; ticks
/// the loop fell behind on are skipped. Returns early when `stop` is set.
fn next_tick(t: i64, every: i64, stop: &AtomicBool) -> i64 {
    let next = (t + every).max(prometheus::now_ms() / every * every);
    while !stop.load(Ordering::Relaxed) {
        let wait = next - prometheus::now_ms();
        if wait <= 0 {
            break;
        }
        std::thread::sleep(Duration::from_millis(wait.clamp(1, 50) as u64));
    }
    next
}

/// A failed query: one line per tick with its code, metric and rule-file line; the full
/// diagnostic (with the query in its rule-file snippet) the first time each kind of
/// failure hits a query.
fn report_tick_error(
    out: &mut Reporter,
    loaded: &Loaded,
    service: &Service,
    e: &PromError,
    t: i64,
    shown: &mut HashSet<(&'static str, Option<crate::span::Span>)>,
) {
    if shown.insert((e.code().as_str(), e.span())) {
        prometheus::report(out, &loaded.file, service, e);
    }
    let line = e
        .span()
        .map(|s| format!(", line {}", line_col(&loaded.file.text, s.start).0))
        .unwrap_or_default();
    eprintln!(
        "{}: {} `{}`{line}: {} (missing data for this tick)",
        format_timestamp(t),
        e.code(),
        prometheus::binding_name(service, e)
            .or(e.metric())
            .unwrap_or("?"),
        e.message()
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_tick_is_the_next_multiple_and_skips_missed_ones() {
        let stop = AtomicBool::new(true);
        let now = prometheus::now_ms();
        let every = 1000;
        let old = (now - 10_000) / every * every;
        let next = next_tick(old, every, &stop);
        assert_eq!(next % every, 0);
        assert!(next > now - 2 * every, "missed ticks are skipped");
    }
}
