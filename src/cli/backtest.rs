//! `scalerules backtest`: the counterfactual backtester (docs/backtest.md).

use super::{
    load_rules, print_diagnostics, stderr_color, term_width, EXIT_FAILURE, EXIT_OK, EXIT_USAGE,
};
use crate::backtest::data::{load, DataRequest};
use crate::backtest::{backtest_with_progress, output, Options};
use crate::diagnostics::Format;
use crate::timestamp::parse_bound;
use crate::units::parse_duration;
use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum OutFormat {
    Table,
    Json,
}

#[derive(clap::Args, Debug)]
pub struct BacktestArgs {
    /// The rule file.
    pub file: PathBuf,
    /// The dataset (CSV or Parquet).
    #[arg(long)]
    pub data: PathBuf,
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

pub(crate) fn render_diag(d: &dyn miette::Diagnostic) {
    let handler = if stderr_color() {
        miette::GraphicalReportHandler::new()
    } else {
        miette::GraphicalReportHandler::new_themed(miette::GraphicalTheme::unicode_nocolor())
    }
    .with_width(term_width());
    let mut s = String::new();
    if handler.render_report(&mut s, d).is_err() {
        s = format!("error: {d}");
    }
    eprintln!("{s}");
}

/// The dataset request for `service`: its columns (and the recorded replica column when
/// the model names one), the window and the tick. Shared with `snapshot` and `diff`.
pub(crate) fn data_request(
    service: &crate::ir::Service,
    data: &std::path::Path,
    service_arg: Option<&str>,
    from_ms: Option<i64>,
    to_ms: Option<i64>,
    tick_ms: Option<i64>,
) -> DataRequest {
    let mut optional = Vec::new();
    if let Some(c) = service
        .model
        .as_ref()
        .and_then(|m| m.recorded_replicas.clone())
    {
        optional.push(c);
    }
    // A long-format file (with a `service` column) is filtered to one service: the one
    // `--service` names, else the policy's own service when the file holds it. A wide
    // file has no `service` column, so it is never filtered.
    let services = crate::backtest::data::inspect(data)
        .ok()
        .and_then(|info| info.services);
    let filter = match (service_arg, &services) {
        (_, None) => None,
        (Some(s), Some(_)) => Some(s.to_string()),
        (None, Some(names)) => names.iter().find(|n| **n == service.name).cloned(),
    };
    DataRequest {
        path: data.to_path_buf(),
        columns: service.columns().iter().map(|c| c.to_string()).collect(),
        optional_columns: optional,
        service: filter,
        from_ms,
        to_ms,
        tick_ms,
        ..DataRequest::default()
    }
}

pub fn run(args: BacktestArgs) -> ExitCode {
    let Ok(loaded) = load_rules(&args.file) else {
        return ExitCode::from(EXIT_USAGE);
    };
    print_diagnostics(&loaded, Format::Human);
    let Some(program) = &loaded.compiled.program else {
        return ExitCode::from(EXIT_FAILURE);
    };
    let service = match program.select(args.service.as_deref()) {
        Ok(s) => s,
        Err(e) => return usage(e),
    };
    if service.model.is_none() {
        render_diag(&crate::backtest::BacktestError::NoModel(
            service.name.clone(),
        ));
        return ExitCode::from(EXIT_FAILURE);
    }
    let from_ms = match args.window.from.as_deref().map(parse_bound).transpose() {
        Ok(v) => v,
        Err(e) => return usage(format!("--from: {e}")),
    };
    let to_ms = match args.window.to.as_deref().map(parse_bound).transpose() {
        Ok(v) => v,
        Err(e) => return usage(format!("--to: {e}")),
    };
    let tick_ms = match args.window.tick.as_deref().map(parse_duration).transpose() {
        Ok(Some(0)) => return usage("--tick must be greater than 0"),
        Ok(v) => v.or(service.tick),
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
    let req = data_request(
        service,
        &args.data,
        args.service.as_deref(),
        from_ms,
        to_ms,
        tick_ms,
    );
    let data = match load(&req) {
        Ok(d) => d,
        Err(e) => {
            render_diag(&e);
            return ExitCode::from(EXIT_FAILURE);
        }
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
            render_diag(&e);
            return ExitCode::from(EXIT_FAILURE);
        }
    };
    if let (Some(p), Some(tl)) = (&args.timeline, &report.timeline) {
        if let Err(e) = output::write_timeline(tl, p, &report.mode) {
            return usage(e);
        }
    }
    if let (Some(p), Some(tl)) = (&args.plot, &report.timeline) {
        if let Err(e) = std::fs::write(p, output::svg(&report, tl)) {
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
    ExitCode::from(EXIT_OK)
}
