//! `scalerules backtest`: the counterfactual backtester (docs/backtest.md).

use super::{load_rules, Reporter, EXIT_FAILURE, EXIT_OK, EXIT_USAGE};
use crate::backtest::data::{load, DataRequest};
use crate::backtest::{backtest_with_progress, output, Options};
use crate::diagnostics::Format;
use crate::timestamp::parse_bound;
use crate::timestamp::parse_duration;
use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

/// The output of `backtest` and `diff`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum OutFormat {
    /// Tables on stdout; diagnostics in human form on stderr.
    Table,
    /// One JSON document on stdout; diagnostics (rule file, data, backtest) as one JSON
    /// array on stderr.
    Json,
}

impl OutFormat {
    /// How the diagnostics beside this output are shown.
    pub fn diagnostics(self) -> Format {
        match self {
            OutFormat::Table => Format::Human,
            OutFormat::Json => Format::Json,
        }
    }
}

#[derive(clap::Args, Debug)]
pub struct BacktestArgs {
    /// The rule file.
    pub file: PathBuf,
    /// The dataset (CSV or Parquet).
    #[arg(long)]
    #[cfg_attr(
        feature = "prometheus",
        arg(required_unless_present = "prometheus", conflicts_with = "prometheus")
    )]
    pub data: Option<PathBuf>,
    /// Or fetch the data from Prometheus (`--prometheus URL --from -7d`).
    #[cfg(feature = "prometheus")]
    #[command(flatten)]
    pub prometheus: super::prometheus::BacktestSource,
    /// The service to run (needed when the rule file has several; also selects the
    /// rows of a long-format dataset).
    #[arg(long)]
    pub service: Option<String>,
    #[command(flatten)]
    pub window: super::WindowArgs,
    /// Output format.
    #[arg(long, value_enum, default_value = "table")]
    pub format: OutFormat,
    /// Write the per-tick timeline to this .csv or .parquet file.
    #[arg(long, value_name = "OUT")]
    pub timeline: Option<PathBuf>,
    /// Write an SVG chart to this file.
    #[arg(long, value_name = "OUT.svg")]
    pub plot: Option<PathBuf>,
    /// Feed the rules the recorded metrics, without feedback (not counterfactual).
    #[arg(long)]
    pub replay: bool,
    /// Opposite decisions closer than this count as a reversal.
    #[arg(long, default_value = "10m")]
    pub reversal_window: String,
}

pub(crate) fn usage(msg: impl std::fmt::Display) -> ExitCode {
    eprintln!("error: {msg}");
    ExitCode::from(EXIT_USAGE)
}

/// Whether `service` has a `model` block, which every command that backtests needs; if
/// not, the error is reported to `out` (E350) and the caller ends with a failure.
pub(crate) fn has_model(service: &crate::ir::Service, out: &mut Reporter) -> bool {
    if service.model.is_none() {
        let e = crate::backtest::BacktestError::NoModel(service.name.clone());
        out.other(&e, None, None);
    }
    service.model.is_some()
}

/// Reports a dataset error with its file and CSV line.
pub(crate) fn data_error(out: &mut Reporter, e: &crate::backtest::data::DataError) {
    let file = e.path().display().to_string();
    out.other(e, Some(&file), e.line());
}

/// The dataset request for `service`: [`DataRequest::for_service`] (its columns, and
/// its name or `service_arg` for the rows of a long-format file, which the loader picks
/// in its one read), with the window and the tick. Shared with `snapshot`, `diff` and
/// the Prometheus cache.
pub(crate) fn data_request(
    service: &crate::ir::Service,
    data: &std::path::Path,
    service_arg: Option<&str>,
    from_ms: Option<i64>,
    to_ms: Option<i64>,
    tick_ms: Option<i64>,
) -> DataRequest {
    DataRequest {
        from_ms,
        to_ms,
        tick_ms,
        ..DataRequest::for_service(data, service, service_arg)
    }
}

pub fn run(args: BacktestArgs) -> ExitCode {
    let Ok(loaded) = load_rules(&args.file) else {
        return ExitCode::from(EXIT_USAGE);
    };
    let mut out = Reporter::new(args.format.diagnostics());
    out.rules(&loaded);
    let Some(program) = &loaded.compiled.program else {
        return out.finish(EXIT_FAILURE);
    };
    let service = match program.select(args.service.as_deref()) {
        Ok(s) => s,
        Err(e) => return usage(e),
    };
    if !has_model(service, &mut out) {
        return out.finish(EXIT_FAILURE);
    }
    // With --prometheus, --from/--to are the fetch range (`-7d` allowed): see below.
    let from_ms = match args
        .data
        .as_ref()
        .and(args.window.from.as_deref())
        .map(parse_bound)
        .transpose()
    {
        Ok(v) => v,
        Err(e) => return usage(format!("--from: {e}")),
    };
    let to_ms = match args
        .data
        .as_ref()
        .and(args.window.to.as_deref())
        .map(parse_bound)
        .transpose()
    {
        Ok(v) => v,
        Err(e) => return usage(format!("--to: {e}")),
    };
    let tick_ms = match args.window.tick.as_deref().map(parse_duration).transpose() {
        Ok(Some(0)) => return usage("--tick must be greater than 0"),
        Ok(v) => v.or(service.backtest_tick()),
        Err(e) => return usage(format!("--tick: {e}")),
    };
    let reversal_window_ms = match parse_duration(&args.reversal_window) {
        Ok(v) => v,
        Err(e) => return usage(format!("--reversal-window: {e}")),
    };
    if let Some(p) = &args.plot {
        if p.extension().and_then(|e| e.to_str()) != Some("svg") {
            return usage(format!("--plot: {} must be an .svg file", p.display()));
        }
    }
    if let Some(p) = &args.timeline {
        let ext = p
            .extension()
            .and_then(|e| e.to_str())
            .unwrap_or("")
            .to_ascii_lowercase();
        if !matches!(ext.as_str(), "csv" | "parquet" | "pq") {
            return usage(format!(
                "--timeline: {} must be a .csv or .parquet file",
                p.display()
            ));
        }
    }
    let data = match &args.data {
        Some(path) => {
            let req = data_request(
                service,
                path,
                args.service.as_deref(),
                from_ms,
                to_ms,
                tick_ms,
            );
            match load(&req) {
                Ok(d) => d,
                Err(e) => {
                    data_error(&mut out, &e);
                    return out.finish(EXIT_FAILURE);
                }
            }
        }
        // `--prometheus`: the fetched range, read as a dataset file is.
        #[cfg(feature = "prometheus")]
        None => match super::prometheus::backtest_data(
            &args.prometheus,
            &args.window,
            service,
            &loaded,
            tick_ms,
            &mut out,
        ) {
            Ok(d) => d,
            Err(code) => return code,
        },
        #[cfg(not(feature = "prometheus"))]
        None => return usage("--data is needed"),
    };
    let opts = Options {
        replay: args.replay,
        reversal_window_ms,
        timeline: args.timeline.is_some() || args.plot.is_some(),
    };
    let bar = (std::io::stderr().is_terminal() && data.len() > 200_000).then(|| {
        let pb = indicatif::ProgressBar::new(data.len() as u64);
        pb.set_style(
            indicatif::ProgressStyle::with_template("{msg} [{bar:40}] {pos}/{len} ticks ({eta})")
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
        );
        pb.set_message("backtest");
        pb
    });
    let result = backtest_with_progress(service, &data, &opts, &mut |done, _| {
        if let Some(b) = &bar {
            b.set_position(done as u64);
        }
    });
    if let Some(b) = bar {
        b.finish_and_clear();
    }
    let report = match result {
        Ok(r) => r,
        Err(e) => {
            out.other(&e, None, None);
            return out.finish(EXIT_FAILURE);
        }
    };
    if let (Some(p), Some(tl)) = (&args.timeline, &report.timeline) {
        if let Err(e) = output::write_timeline(tl, p, &report.mode) {
            return usage(e);
        }
    }
    if let (Some(p), Some(tl)) = (&args.plot, &report.timeline) {
        if let Err(e) = crate::files::write_file(p, output::svg(&report, tl)) {
            return usage(format!("cannot write {}: {e}", p.display()));
        }
    }
    match args.format {
        OutFormat::Json => match serde_json::to_string_pretty(&report) {
            Ok(s) => println!("{s}"),
            Err(e) => return usage(format!("cannot serialise the report: {e}")),
        },
        OutFormat::Table => {
            print!(
                "{}",
                output::table(&report, std::io::stdout().is_terminal())
            );
        }
    }
    out.finish(EXIT_OK)
}
