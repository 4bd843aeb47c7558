//! The Prometheus side of the commands (docs/prometheus.md): the server flags shared by
//! `fetch`, `backtest --prometheus` and `eval --prometheus`, the queries a service
//! needs, a range fetch with its progress bar, and errors rendered at the `promql "…"`
//! binding they concern. The live loop of `eval` is in `cli/live.rs`.

use super::{Loaded, Reporter};
use crate::diagnostics::{Code, Diagnostic, SourceFile};
use crate::ir::{PromqlColumn, Service};
use crate::prom::{
    self, Auth, Client, ClientConfig, FetchOptions, Fetched, Grid, PromError, PromErrorKind, Query,
    Secret,
};
use crate::span::Span;
use crate::timestamp::parse_duration;
use std::io::IsTerminal;
use std::path::PathBuf;
use std::time::Duration;

/// Where the Prometheus server is and how to talk to it.
#[derive(clap::Args, Debug, Clone)]
pub struct ServerArgs {
    /// Read the metrics from this Prometheus server (base URL with any path prefix:
    /// `http://localhost:9090`, `https://host/prometheus`), using each metric's
    /// `promql "…"` binding.
    #[arg(long, value_name = "URL")]
    pub prometheus: Option<String>,
    /// Authenticate with the bearer token in this file (re-read for every request).
    #[arg(long, value_name = "FILE", requires = "prometheus")]
    pub bearer_token_file: Option<PathBuf>,
    /// Authenticate with the bearer token in this environment variable.
    #[arg(
        long,
        value_name = "VAR",
        requires = "prometheus",
        conflicts_with = "bearer_token_file"
    )]
    pub bearer_token_env: Option<String>,
    /// Basic auth: `USER:PASSWORD`, or `USER` with --basic-auth-password-file.
    #[arg(
        long,
        value_name = "USER[:PASSWORD]",
        requires = "prometheus",
        conflicts_with_all = ["bearer_token_file", "bearer_token_env"]
    )]
    pub basic_auth: Option<String>,
    /// The basic-auth password, read from this file (keeps it out of `ps`).
    #[arg(long, value_name = "FILE", requires = "basic_auth")]
    pub basic_auth_password_file: Option<PathBuf>,
    /// An extra request header, `Name: value` (repeatable), e.g. `X-Scope-OrgID: team-a`.
    #[arg(long = "header", value_name = "NAME: VALUE", requires = "prometheus")]
    pub headers: Vec<String>,
    /// Trust the CA certificates in this PEM file (instead of the bundled roots).
    #[arg(long, value_name = "FILE", requires = "prometheus")]
    pub ca_file: Option<PathBuf>,
    /// The timeout of one request to Prometheus.
    #[arg(long = "prometheus-timeout", value_name = "D", default_value = "30s")]
    pub timeout: String,
}

fn bad_setting(setting: &str, reason: impl Into<String>, help: &str) -> PromError {
    PromErrorKind::BadConfig {
        setting: setting.to_string(),
        reason: reason.into(),
        help: help.to_string(),
    }
    .into()
}

impl ServerArgs {
    /// The client for `url` with these settings (E378 on a bad one, before any request).
    pub fn client(&self, url: &str) -> Result<Client, PromError> {
        let mut config = ClientConfig::new(url);
        config.timeout = match parse_duration(&self.timeout) {
            Ok(ms) if ms > 0 => Duration::from_millis(ms.unsigned_abs()),
            _ => {
                return Err(bad_setting(
                    &format!("--prometheus-timeout `{}`", self.timeout),
                    "not a positive duration",
                    "write a duration such as `30s` or `2m`",
                ))
            }
        };
        if let Some(f) = &self.bearer_token_file {
            config.auth = Auth::Bearer(Secret::File(f.clone()));
        } else if let Some(v) = &self.bearer_token_env {
            config.auth = Auth::Bearer(Secret::Env(v.clone()));
        } else if let Some(b) = &self.basic_auth {
            config.auth =
                match (b.split_once(':'), &self.basic_auth_password_file) {
                    (Some((user, pass)), None) => Auth::Basic {
                        user: user.to_string(),
                        password: Secret::Value(pass.to_string()),
                    },
                    (None, Some(file)) => Auth::Basic {
                        user: b.clone(),
                        password: Secret::File(file.clone()),
                    },
                    (Some(_), Some(_)) => return Err(bad_setting(
                        "--basic-auth",
                        "a password is given twice, after `:` and in --basic-auth-password-file",
                        "give the user alone with --basic-auth-password-file",
                    )),
                    (None, None) => return Err(bad_setting(
                        &format!("--basic-auth `{b}`"),
                        "no password",
                        "write `USER:PASSWORD`, or give the password in --basic-auth-password-file",
                    )),
                };
        }
        for h in &self.headers {
            config.headers.push(prom::parse_header(h)?);
        }
        config.ca_file = self.ca_file.clone();
        Client::new(config)
    }
}

/// The time range of a fetch: `--from`, `--to` and `--step`.
pub fn grid(
    from: &str,
    to: &str,
    step: Option<&str>,
    tick: Option<i64>,
) -> Result<Grid, PromError> {
    let now = now_ms();
    let from = prom::parse_time(from, now, "--from")?;
    let to = prom::parse_time(to, now, "--to")?;
    let step = match step {
        Some(s) => prom::parse_step(s)?,
        None => tick.unwrap_or_else(|| prom::default_step(from, to)),
    };
    Grid::new(from, to, step)
}

/// Milliseconds since the epoch, now.
pub fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64)
}

/// One query per dataset column of `service`, each carrying the span of its binding.
/// A column without a `promql` binding is E379 (every one is reported).
pub fn queries(service: &Service, file: &SourceFile) -> Result<Vec<Query>, Vec<Diagnostic>> {
    let mut out = Vec::new();
    let mut missing = Vec::new();
    for c in service.promql_columns() {
        match c.promql {
            Some(q) => out.push(Query::new(c.column, &q.query).with_span(q.span)),
            None => missing.push(no_binding(service, file, &c)),
        }
    }
    if missing.is_empty() {
        Ok(out)
    } else {
        Err(missing)
    }
}

fn no_binding(service: &Service, file: &SourceFile, c: &PromqlColumn) -> Diagnostic {
    let span = c
        .declared
        .unwrap_or_else(|| first_mention(&file.text, c.name, service.span));
    let (what, fix) = if c.declared.is_some() {
        (
            format!("metric `{}` has no PromQL query", c.name),
            format!(
                "add one to its line: `metric {} = column \"{}\", promql \"…\"` (keep `in UNIT`)",
                c.name, c.column
            ),
        )
    } else {
        (
            format!(
                "metric `{}` is not declared, so it has no PromQL query",
                c.name
            ),
            format!(
                "declare it with one: `metric {} = promql \"…\" in UNIT`",
                c.name
            ),
        )
    };
    Diagnostic::error(
        Code::NO_PROMQL_BINDING,
        format!("{what}: Prometheus cannot give its column `{}`", c.column),
        span,
    )
    .label("no `promql \"…\"` binding")
    .help(fix)
}

/// The first place in `within` where `name` stands as a whole word outside a comment
/// (where an undeclared metric is first used), else the start of `within`.
fn first_mention(text: &str, name: &str, within: Span) -> Span {
    let is_word = |c: char| c.is_ascii_alphanumeric() || c == '_';
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let code_end = crate::syntax::lex::comment_start(line).unwrap_or(line.len());
        for (i, _) in line[..code_end].match_indices(name) {
            let at = offset + i;
            let before = line[..i].chars().next_back();
            let after = line[i + name.len()..].chars().next();
            let inside = at >= within.start && at + name.len() <= within.end;
            if inside && !before.is_some_and(is_word) && !after.is_some_and(is_word) {
                return Span::new(at, at + name.len());
            }
        }
        offset += line.len();
    }
    Span::new(within.start, within.start)
}

/// Reports a Prometheus error: at its `promql "…"` binding in the rule file when it has
/// one (the snippet shows the query and its line, the label the metric), else on its own.
pub fn report(out: &mut Reporter, file: &SourceFile, service: &Service, e: &PromError) {
    match e.span() {
        Some(span) => {
            let mut d = e.to_diagnostic(span);
            if let Some(name) = binding_name(service, e) {
                d.primary.message = format!("the query of `{name}`");
            }
            out.diagnostics(&[d], file)
        }
        None => out.other(e, None, None),
    }
}

/// The metric (or `recorded replicas`) whose `promql` binding an error is about: the
/// error itself knows only the dataset column, which may be named otherwise.
pub fn binding_name<'s>(service: &'s Service, e: &PromError) -> Option<&'s str> {
    let span = e.span()?;
    service
        .promql_columns()
        .into_iter()
        .find(|c| c.promql.is_some_and(|q| q.span == span))
        .map(|c| c.name)
}

/// Runs every query over `grid` with a progress bar on a terminal. Failures are
/// reported (each at its binding) and give `None`; gaps are noted on stderr.
pub fn fetch(
    client: &Client,
    queries: &[Query],
    grid: &Grid,
    service: &Service,
    loaded: &Loaded,
    out: &mut Reporter,
) -> Option<Fetched> {
    let total = (grid.chunks(prom::DEFAULT_CHUNK_POINTS).len() * queries.len()) as u64;
    let bar = std::io::stderr().is_terminal().then(|| {
        let pb = indicatif::ProgressBar::new(total);
        pb.set_style(
            indicatif::ProgressStyle::with_template("{msg} [{bar:40}] {pos}/{len} queries ({eta})")
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
        );
        pb.set_message("fetch");
        pb
    });
    let result = prom::fetch(client, queries, grid, FetchOptions::default(), &mut |p| {
        if let Some(b) = &bar {
            b.set_position(p.done as u64);
        }
    });
    if let Some(b) = bar {
        b.finish_and_clear();
    }
    match result {
        Ok(fetched) => {
            note_gaps(&fetched);
            Some(fetched)
        }
        Err(errors) => {
            for e in &errors.0 {
                report(out, &loaded.file, service, e);
            }
            None
        }
    }
}

/// Gaps are missing data, not errors: one note per column that has some, and the
/// server's warnings.
fn note_gaps(fetched: &Fetched) {
    let n = fetched.grid.len();
    for c in &fetched.columns {
        let missing = c.series.missing();
        if missing > 0 {
            let nan = match c.series.non_finite {
                0 => String::new(),
                k => format!(", {k} of them NaN or infinite on the server"),
            };
            eprintln!(
                "note: `{}`: {missing} of {n} points have no value{nan}; they are missing data (the rule file's `on missing` mode applies)",
                c.name
            );
        }
        for w in &c.warnings {
            eprintln!("warning: `{}`: Prometheus says: {w}", c.name);
        }
    }
}

/// A usage or I/O error (exit 2).
pub fn usage(msg: impl std::fmt::Display) -> std::process::ExitCode {
    eprintln!("error: {msg}");
    std::process::ExitCode::from(super::EXIT_USAGE)
}

/// `backtest --prometheus`: the flags beside the server's.
#[cfg(feature = "data")]
#[derive(clap::Args, Debug, Clone)]
pub struct BacktestSource {
    #[command(flatten)]
    pub server: ServerArgs,
    /// With --prometheus: time between points (`15s`, `1m`); default: the tick, else 1m.
    #[arg(long, requires = "prometheus")]
    pub step: Option<String>,
    /// With --prometheus: keep the fetched data in this .csv/.parquet file, and reuse it
    /// instead of fetching while it covers the range at the step (docs/prometheus.md).
    #[arg(long, value_name = "FILE", requires = "prometheus")]
    pub cache: Option<PathBuf>,
}

/// The dataset of `backtest --prometheus`: the range fetched (or read from a `--cache`
/// that covers it), written to a file and read back by the dataset loader, so it is
/// exactly what `backtest --data` makes of the same file. Failures are reported and
/// give the exit code.
#[cfg(feature = "data")]
pub fn backtest_data(
    src: &BacktestSource,
    window: &super::WindowArgs,
    service: &Service,
    loaded: &Loaded,
    tick_ms: Option<i64>,
    out: &mut Reporter,
) -> Result<crate::backtest::data::Dataset, std::process::ExitCode> {
    use std::process::ExitCode;
    let failed = || ExitCode::from(super::EXIT_FAILURE);
    let url = src
        .server
        .prometheus
        .as_deref()
        .ok_or_else(|| usage("give the data: --data FILE or --prometheus URL"))?;
    let from = window
        .from
        .as_deref()
        .ok_or_else(|| usage("--prometheus needs --from, e.g. `--from -7d`"))?;
    let to = window.to.as_deref().unwrap_or("now");
    let grid = grid(from, to, src.step.as_deref(), tick_ms).map_err(|e| {
        report(out, &loaded.file, service, &e);
        failed()
    })?;
    let load = |path: &std::path::Path| {
        let (from, to) = (grid.first_ms(), grid.last_ms() + grid.step_ms());
        let req = super::backtest::data_request(service, path, None, Some(from), Some(to), tick_ms);
        crate::backtest::data::load(&req)
    };
    if let Some(cache) = src.cache.as_deref().filter(|c| c.exists()) {
        match load(cache) {
            Ok(d) if covers(&d, &grid) => {
                eprintln!(
                    "note: reusing {}: it covers {}",
                    cache.display(),
                    grid.describe()
                );
                return Ok(d);
            }
            _ => eprintln!(
                "note: {} does not cover {}: fetching again",
                cache.display(),
                grid.describe()
            ),
        }
    }
    let queries = queries(service, &loaded.file).map_err(|diags| {
        out.diagnostics(&diags, &loaded.file);
        failed()
    })?;
    let client = src.server.client(url).map_err(|e| {
        report(out, &loaded.file, service, &e);
        failed()
    })?;
    let fetched = fetch(&client, &queries, &grid, service, loaded, out).ok_or_else(failed)?;
    let path = src.cache.clone().unwrap_or_else(temp_dataset);
    prom::write_dataset(&fetched, &path).map_err(usage)?;
    let data = load(&path);
    if src.cache.is_none() {
        let _ = std::fs::remove_file(&path);
    }
    let mut data = data.map_err(|e| {
        super::backtest::data_error(out, &e);
        failed()
    })?;
    if src.cache.is_none() {
        // The file was ours and is gone: name where the data came from.
        data.path = PathBuf::from(client.base_url());
    }
    Ok(data)
}

/// Whether a cached dataset holds the grid: the same step, rows at its first and last
/// point (the loader has already checked every column the rule file needs).
#[cfg(feature = "data")]
fn covers(d: &crate::backtest::data::Dataset, grid: &Grid) -> bool {
    d.tick_ms == grid.step_ms()
        && d.timestamps_ms.first() == Some(&grid.first_ms())
        && d.timestamps_ms.last() == Some(&grid.last_ms())
}

/// A fresh file name in the temporary directory for a fetched dataset.
#[cfg(feature = "data")]
fn temp_dataset() -> PathBuf {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    std::env::temp_dir().join(format!(
        "scalerules-fetch-{}-{nanos}.parquet",
        std::process::id()
    ))
}
