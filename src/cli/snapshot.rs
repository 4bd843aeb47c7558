//! `scalerules snapshot`: the backtest outcome of a rule file, kept in git beside it and
//! reviewed like an insta snapshot (docs/testing.md).

use super::backtest::{data_error, usage};
use super::{Loaded, Reporter, EXIT_FAILURE, EXIT_OK, EXIT_USAGE};
use crate::backtest::data::{load, DataRequest};
use crate::backtest::{backtest, Options, Report};
use crate::diagnostics::Format;
use crate::snapshot::{compare, Comparison, Outcome};
use crate::timestamp::parse_bound;
use crate::timestamp::parse_duration;
use serde::Serialize;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(clap::Args, Debug)]
pub struct SnapshotArgs {
    /// The rule files (each gets its own snapshot file).
    #[arg(required = true, value_name = "RULES")]
    pub files: Vec<PathBuf>,
    /// The dataset (CSV or Parquet). Default: the `data` recorded in the existing snapshot
    /// (with its window and tick).
    #[arg(long)]
    pub data: Option<PathBuf>,
    /// The service to run (needed when the rule file has several). Default: the one
    /// recorded in the existing snapshot.
    #[arg(long)]
    pub service: Option<String>,
    #[command(flatten)]
    pub window: super::WindowArgs,
    /// The snapshot file (default: the rule file with `.snap` for `.scale`). One rule
    /// file only.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// CI mode: never write; exit 1 when the snapshot is missing or differs.
    #[arg(long, conflicts_with = "accept")]
    pub check: bool,
    /// Recompute and write the snapshot, whatever it held (removes `FILE.pending`).
    #[arg(long)]
    pub accept: bool,
    /// A decision of the same rule and direction at most this many ticks away counts
    /// as moved rather than vanished and appeared.
    #[arg(long, default_value_t = 10, value_name = "TICKS")]
    pub move_window: u32,
    /// Also print a unified diff of the snapshot file.
    #[arg(long)]
    pub line_diff: bool,
    /// Text (`human`, `plain`: how diagnostics look) or `json`: one object per rule file
    /// on stdout, diagnostics as one JSON array on stderr.
    #[arg(long, value_enum, default_value = "human")]
    pub format: Format,
}

/// The window and dataset of one backtest run.
pub(crate) struct RunSpec<'a> {
    pub data: &'a Path,
    /// `--service`, or a recorded one (`service_is_hint`: used only if the file has it).
    pub service: Option<&'a str>,
    pub service_is_hint: bool,
    pub from_ms: Option<i64>,
    pub to_ms: Option<i64>,
    pub tick_ms: Option<i64>,
    pub timeline: bool,
}

/// `--from`, `--to` and `--tick` in ms.
pub(crate) type Window = (Option<i64>, Option<i64>, Option<i64>);

/// Parses `--from`, `--to` and `--tick`.
pub(crate) fn parse_window(
    from: Option<&str>,
    to: Option<&str>,
    tick: Option<&str>,
) -> Result<Window, String> {
    let from_ms = from
        .map(parse_bound)
        .transpose()
        .map_err(|e| format!("--from: {e}"))?;
    let to_ms = to
        .map(parse_bound)
        .transpose()
        .map_err(|e| format!("--to: {e}"))?;
    let tick_ms = match tick.map(parse_duration).transpose() {
        Ok(Some(0)) => return Err("--tick must be greater than 0".into()),
        Ok(v) => v,
        Err(e) => return Err(format!("--tick: {e}")),
    };
    Ok((from_ms, to_ms, tick_ms))
}

/// Compiles `loaded`'s service, loads the data and runs the backtest, reporting any
/// diagnostic to `out`. Errors are the exit status to return (1: rules or data, 2: usage).
pub(crate) fn backtest_loaded(
    loaded: &Loaded,
    spec: &RunSpec,
    out: &mut Reporter,
) -> Result<Report, ExitCode> {
    out.rules(loaded);
    let Some(program) = &loaded.compiled.program else {
        return Err(ExitCode::from(EXIT_FAILURE));
    };
    let mut name = spec.service;
    if spec.service_is_hint && program.services.len() == 1 {
        name = None;
    }
    let service = program.select(name).map_err(usage)?;
    if !super::backtest::has_model(service, out) {
        return Err(ExitCode::from(EXIT_FAILURE));
    }
    let req = DataRequest {
        from_ms: spec.from_ms,
        to_ms: spec.to_ms,
        tick_ms: spec.tick_ms.or(service.backtest_tick()),
        ..DataRequest::for_service(spec.data, service, spec.service)
    };
    let data = load(&req).map_err(|e| {
        data_error(out, &e);
        ExitCode::from(EXIT_FAILURE)
    })?;
    let opts = Options {
        timeline: spec.timeline,
        ..Options::default()
    };
    backtest(service, &data, &opts).map_err(|e| {
        out.other(&e, None, None);
        ExitCode::from(EXIT_FAILURE)
    })
}

/// `rules/checkout.scale` → `rules/checkout.snap`.
pub fn default_snapshot_path(rules: &Path) -> PathBuf {
    rules.with_extension("snap")
}

/// `rules/checkout.snap` → `rules/checkout.snap.pending`.
pub fn pending_path(snap: &Path) -> PathBuf {
    let mut s = snap.as_os_str().to_owned();
    s.push(".pending");
    PathBuf::from(s)
}

fn shell_word(s: &str) -> String {
    if !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./:=@+,".contains(c))
    {
        s.to_string()
    } else {
        format!("'{}'", s.replace('\'', r"'\''"))
    }
}

/// The command that accepts the change, with the flags the user gave.
fn accept_command(args: &SnapshotArgs, file: &Path) -> String {
    let mut c = vec![
        "scalerules snapshot --accept".to_string(),
        shell_word(&file.display().to_string()),
    ];
    let mut opt = |flag: &str, v: Option<String>| {
        if let Some(v) = v {
            c.push(format!("{flag} {}", shell_word(&v)));
        }
    };
    opt(
        "--data",
        args.data.as_ref().map(|p| p.display().to_string()),
    );
    opt("--service", args.service.clone());
    opt("--from", args.window.from.clone());
    opt("--to", args.window.to.clone());
    opt("--tick", args.window.tick.clone());
    opt("--out", args.out.as_ref().map(|p| p.display().to_string()));
    c.join(" ")
}

fn write(path: &Path, text: &str) -> Result<(), ExitCode> {
    crate::files::write_file(path, text)
        .map_err(|e| usage(format!("cannot write {}: {e}", path.display())))
}

fn remove_pending(snap: &Path) -> Result<bool, ExitCode> {
    let p = pending_path(snap);
    match std::fs::remove_file(&p) {
        Ok(()) => Ok(true),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(false),
        Err(e) => Err(usage(format!("cannot remove {}: {e}", p.display()))),
    }
}

/// What `snapshot` found for one rule file.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
enum Status {
    Created,
    Accepted,
    Unchanged,
    Missing,
    Changed,
}

/// The outcome for one rule file: printed as text, or one object of the JSON array.
#[derive(Debug, Serialize)]
struct FileOutcome {
    rules: String,
    snapshot: String,
    status: Status,
    /// Decisions in the new outcome.
    decisions: usize,
    /// A stale `.pending` file was removed.
    removed_pending: bool,
    /// The `.pending` file written for review.
    pending: Option<String>,
    /// The command that accepts the new outcome (status `missing` or `changed`).
    accept_command: Option<String>,
    /// What changed, when the old snapshot could be read.
    changes: Option<Comparison>,
    /// Why the old snapshot could not be read.
    old_unreadable: Option<String>,
    /// The unified diff of the file (`--line-diff`, or when the old one is unreadable).
    line_diff: Option<String>,
    #[serde(skip)]
    accept_mode: bool,
    #[serde(skip)]
    check_mode: bool,
}

impl FileOutcome {
    fn exit_status(&self) -> u8 {
        match self.status {
            Status::Missing | Status::Changed => EXIT_FAILURE,
            _ => EXIT_OK,
        }
    }

    fn text(&self) -> String {
        let shown = &self.snapshot;
        let n = self.decisions;
        let cmd = self.accept_command.as_deref().unwrap_or_default();
        if self.accept_mode {
            let what = match self.status {
                Status::Created => "created",
                Status::Accepted => "accepted",
                _ => "unchanged",
            };
            let extra = if self.removed_pending {
                " (removed the .pending file)"
            } else {
                ""
            };
            return format!("{shown}: {what}, {n} decisions{extra}\n");
        }
        match self.status {
            Status::Missing => format!("{shown}: missing\ncreate it with: {cmd}\n"),
            Status::Created | Status::Accepted => format!("{shown}: created, {n} decisions\n"),
            Status::Unchanged if self.removed_pending => {
                format!("{shown}: unchanged (removed a stale .pending file)\n")
            }
            Status::Unchanged => format!("{shown}: unchanged\n"),
            Status::Changed => {
                let mut out = format!("{shown}: the backtest outcome changed\n");
                match (&self.changes, &self.old_unreadable) {
                    (Some(c), _) if c.is_empty() => {
                        out.push_str("(only the layout of the file differs)\n")
                    }
                    (Some(c), _) => out.push_str(&crate::snapshot::compare::render(c, 100)),
                    (None, Some(e)) => out.push_str(&format!(
                        "cannot read the old snapshot ({e}); showing the line diff\n"
                    )),
                    (None, None) => {}
                }
                if let Some(d) = &self.line_diff {
                    out.push_str(d);
                }
                if self.check_mode {
                    out.push_str(&format!(
                        "review with `scalerules snapshot` (writes {}), accept with: {cmd}\n",
                        pending_path(Path::new(shown)).display()
                    ));
                } else {
                    out.push_str(&format!(
                        "wrote {}; accept with: {cmd}\n",
                        self.pending.as_deref().unwrap_or_default()
                    ));
                }
                out
            }
        }
    }
}

fn one(args: &SnapshotArgs, file: &Path, out: &mut Reporter) -> Result<FileOutcome, ExitCode> {
    if file.as_os_str() == "-" {
        return Err(usage("snapshot needs a rule file path, not standard input"));
    }
    let snap = args
        .out
        .clone()
        .unwrap_or_else(|| default_snapshot_path(file));
    let old_text = match std::fs::read_to_string(&snap) {
        Ok(t) => Some(t),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => return Err(usage(format!("cannot read {}: {e}", snap.display()))),
    };
    let old = old_text.as_deref().map(Outcome::parse);
    let recorded = match &old {
        Some(Ok(o)) => Some(o),
        _ => None,
    };
    // The dataset and window: the flags, else what the snapshot recorded.
    let (from_ms, to_ms, tick_ms) = match (&args.data, recorded) {
        (None, Some(o)) => parse_window(
            args.window.from.as_deref().or(o.run_value("from")),
            args.window.to.as_deref().or(o.run_value("to")),
            args.window.tick.as_deref().or(o.run_value("tick")),
        ),
        _ => parse_window(
            args.window.from.as_deref(),
            args.window.to.as_deref(),
            args.window.tick.as_deref(),
        ),
    }
    .map_err(usage)?;
    let data: PathBuf = match (&args.data, recorded.and_then(|o| o.run_value("data"))) {
        (Some(d), _) => d.clone(),
        (None, Some(d)) => PathBuf::from(d),
        (None, None) => {
            return Err(usage(format!(
                "{}: no --data given and no snapshot at {} to take the dataset from",
                file.display(),
                snap.display()
            )))
        }
    };
    let (service, service_is_hint) = match (&args.service, recorded) {
        (Some(s), _) => (Some(s.as_str()), false),
        (None, Some(o)) => (o.run_value("service"), true),
        (None, None) => (None, false),
    };
    let loaded = super::load_rules(file).map_err(|_| ExitCode::from(EXIT_USAGE))?;
    let report = backtest_loaded(
        &loaded,
        &RunSpec {
            data: &data,
            service,
            service_is_hint,
            from_ms,
            to_ms,
            tick_ms,
            timeline: false,
        },
        out,
    )?;
    let new = Outcome::from_report(&report, &file.display().to_string());
    let new_text = new.render();
    let mut result = FileOutcome {
        rules: file.display().to_string(),
        snapshot: snap.display().to_string(),
        status: Status::Unchanged,
        decisions: new.decisions.len(),
        removed_pending: false,
        pending: None,
        accept_command: None,
        changes: None,
        old_unreadable: None,
        line_diff: None,
        accept_mode: args.accept,
        check_mode: args.check,
    };

    if args.accept {
        write(&snap, &new_text)?;
        result.removed_pending = remove_pending(&snap)?;
        result.status = match &old_text {
            Some(t) if *t == new_text => Status::Unchanged,
            Some(_) => Status::Accepted,
            None => Status::Created,
        };
        return Ok(result);
    }
    let Some(old_text) = old_text else {
        if args.check {
            result.status = Status::Missing;
            result.accept_command = Some(accept_command(args, file));
            return Ok(result);
        }
        write(&snap, &new_text)?;
        result.status = Status::Created;
        return Ok(result);
    };
    if old_text == new_text {
        result.removed_pending = !args.check && remove_pending(&snap)?;
        return Ok(result);
    }
    result.status = Status::Changed;
    result.accept_command = Some(accept_command(args, file));
    match &old {
        Some(Ok(o)) => {
            let window = i64::from(args.move_window) * report.data.tick_ms;
            result.changes = Some(compare(o, &new, window));
        }
        Some(Err(e)) => result.old_unreadable = Some(e.to_string()),
        None => {}
    }
    if args.line_diff || matches!(old, Some(Err(_))) {
        let d = similar::TextDiff::from_lines(&old_text, &new_text);
        result.line_diff = Some(
            d.unified_diff()
                .context_radius(1)
                .header(&result.snapshot, "new")
                .to_string(),
        );
    }
    if !args.check {
        let p = pending_path(&snap);
        write(&p, &new_text)?;
        result.pending = Some(p.display().to_string());
    }
    Ok(result)
}

pub fn run(args: SnapshotArgs) -> ExitCode {
    if args.out.is_some() && args.files.len() > 1 {
        return usage("--out needs a single rule file");
    }
    let mut out = Reporter::new(args.format);
    let mut json = Vec::new();
    let mut worst = EXIT_OK;
    for file in &args.files {
        let status = match one(&args, file, &mut out) {
            Ok(r) => {
                if args.format == Format::Json {
                    json.push(serde_json::to_value(&r).unwrap_or_default());
                } else {
                    print!("{}", r.text());
                }
                r.exit_status()
            }
            Err(code) => {
                json.push(serde_json::json!({
                    "rules": file.display().to_string(),
                    "status": "error",
                }));
                // ExitCode has no accessor: compare against the two failures we return.
                if code == ExitCode::from(EXIT_USAGE) {
                    EXIT_USAGE
                } else {
                    EXIT_FAILURE
                }
            }
        };
        worst = worst.max(status);
    }
    if args.format == Format::Json {
        match serde_json::to_string_pretty(&json) {
            Ok(s) => println!("{s}"),
            Err(e) => return usage(format!("cannot serialise the result: {e}")),
        }
    }
    out.finish(worst)
}
