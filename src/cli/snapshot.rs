//! `scalerules snapshot`: the backtest outcome of a rule file, kept in git beside it and
//! reviewed like an insta snapshot (docs/testing.md).

use super::backtest::{data_request, render_diag, usage};
use super::{print_diagnostics, Loaded, EXIT_FAILURE, EXIT_OK, EXIT_USAGE};
use crate::backtest::data::load;
use crate::backtest::{backtest, Options, Report};
use crate::diagnostics::Format;
use crate::snapshot::{compare, Outcome};
use crate::timestamp::parse_bound;
use crate::units::parse_duration;
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

/// Compiles `loaded`'s service, loads the data and runs the backtest, printing any
/// diagnostic. Errors are the exit status to return (1: rules or data, 2: usage).
pub(crate) fn backtest_loaded(loaded: &Loaded, spec: &RunSpec) -> Result<Report, ExitCode> {
    print_diagnostics(loaded, Format::Human);
    let Some(program) = &loaded.compiled.program else {
        return Err(ExitCode::from(EXIT_FAILURE));
    };
    let mut name = spec.service;
    if spec.service_is_hint && program.services.len() == 1 {
        name = None;
    }
    let service = program.select(name).map_err(usage)?;
    if service.model.is_none() {
        render_diag(&crate::backtest::BacktestError::NoModel(
            service.name.clone(),
        ));
        return Err(ExitCode::from(EXIT_FAILURE));
    }
    let req = data_request(
        service,
        spec.data,
        spec.service,
        spec.from_ms,
        spec.to_ms,
        spec.tick_ms.or(service.tick),
    );
    let data = load(&req).map_err(|e| {
        render_diag(&e);
        ExitCode::from(EXIT_FAILURE)
    })?;
    let opts = Options {
        timeline: spec.timeline,
        ..Options::default()
    };
    backtest(service, &data, &opts).map_err(|e| {
        render_diag(&e);
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
    std::fs::write(path, text).map_err(|e| usage(format!("cannot write {}: {e}", path.display())))
}

fn remove_pending(snap: &Path) -> Result<bool, ExitCode> {
    let p = pending_path(snap);
    match std::fs::remove_file(&p) {
        Ok(()) => Ok(true),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(false),
        Err(e) => Err(usage(format!("cannot remove {}: {e}", p.display()))),
    }
}

fn one(args: &SnapshotArgs, file: &Path) -> Result<ExitCode, ExitCode> {
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
    )?;
    let new = Outcome::from_report(&report, &file.display().to_string());
    let new_text = new.render();
    let shown = snap.display();

    if args.accept {
        write(&snap, &new_text)?;
        let removed = remove_pending(&snap)?;
        let what = match &old_text {
            Some(t) if *t == new_text => "unchanged",
            Some(_) => "accepted",
            None => "created",
        };
        let extra = if removed {
            " (removed the .pending file)"
        } else {
            ""
        };
        println!("{shown}: {what}, {} decisions{extra}", new.decisions.len());
        return Ok(ExitCode::from(EXIT_OK));
    }
    let Some(old_text) = old_text else {
        if args.check {
            println!("{shown}: missing");
            println!("create it with: {}", accept_command(args, file));
            return Ok(ExitCode::from(EXIT_FAILURE));
        }
        write(&snap, &new_text)?;
        println!("{shown}: created, {} decisions", new.decisions.len());
        return Ok(ExitCode::from(EXIT_OK));
    };
    if old_text == new_text {
        if !args.check && remove_pending(&snap)? {
            println!("{shown}: unchanged (removed a stale .pending file)");
        } else {
            println!("{shown}: unchanged");
        }
        return Ok(ExitCode::from(EXIT_OK));
    }
    println!("{shown}: the backtest outcome changed");
    match &old {
        Some(Ok(o)) => {
            let window = i64::from(args.move_window) * report.data.tick_ms;
            let c = compare(o, &new, window);
            if c.is_empty() {
                println!("(only the layout of the file differs)");
            } else {
                print!("{}", crate::snapshot::compare::render(&c, 100));
            }
        }
        Some(Err(e)) => println!("cannot read the old snapshot ({e}); showing the line diff"),
        None => {}
    }
    if args.line_diff || matches!(old, Some(Err(_))) {
        let d = similar::TextDiff::from_lines(&old_text, &new_text);
        print!(
            "{}",
            d.unified_diff()
                .context_radius(1)
                .header(&shown.to_string(), "new")
        );
    }
    if args.check {
        println!(
            "review with `scalerules snapshot` (writes {}), accept with: {}",
            pending_path(&snap).display(),
            accept_command(args, file)
        );
    } else {
        let p = pending_path(&snap);
        write(&p, &new_text)?;
        println!(
            "wrote {}; accept with: {}",
            p.display(),
            accept_command(args, file)
        );
    }
    Ok(ExitCode::from(EXIT_FAILURE))
}

pub fn run(args: SnapshotArgs) -> ExitCode {
    if args.out.is_some() && args.files.len() > 1 {
        return usage("--out needs a single rule file");
    }
    let mut worst = EXIT_OK;
    for file in &args.files {
        let code = match one(&args, file) {
            Ok(c) | Err(c) => c,
        };
        // ExitCode has no accessor: compare against the three we return.
        for k in [EXIT_FAILURE, EXIT_USAGE] {
            if code == ExitCode::from(k) && k > worst {
                worst = k;
            }
        }
    }
    ExitCode::from(worst)
}
