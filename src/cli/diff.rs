//! `scalerules diff OLD NEW`: two versions of a policy backtested on the same data
//! (docs/testing.md).

use super::backtest::{usage, OutFormat};
use super::snapshot::{backtest_loaded, parse_window, RunSpec};
use super::{Loaded, Reporter, EXIT_FAILURE, EXIT_OK, EXIT_USAGE};
use crate::diagnostics::SourceFile;
use crate::snapshot::compare::{shift, signed, DecisionChange};
use crate::snapshot::plot::overlay_svg;
use crate::snapshot::{compare, Comparison, Outcome};
use crate::timestamp::format_timestamp;
use comfy_table::{presets, CellAlignment, Table};
use serde_json::{json, Map, Value};
use std::fmt::Write as _;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(clap::Args, Debug)]
pub struct DiffArgs {
    /// The old policy: a path, or `REV:path` read with `git show` (e.g. `HEAD~1:rules/checkout.scale`).
    pub old: String,
    /// The new policy: a path or `REV:path`.
    pub new: String,
    /// The dataset (CSV or Parquet).
    #[arg(long)]
    pub data: PathBuf,
    /// The service to run (needed when the rule files have several).
    #[arg(long)]
    pub service: Option<String>,
    #[command(flatten)]
    pub window: super::WindowArgs,
    /// Output format.
    #[arg(long, value_enum, default_value = "table")]
    pub format: OutFormat,
    /// Write an SVG overlay of both policies' replica curves to this file.
    #[arg(long, value_name = "OUT.svg")]
    pub plot: Option<PathBuf>,
    /// A decision of the same rule and direction at most this many ticks away counts
    /// as moved rather than vanished and appeared.
    #[arg(long, default_value_t = 10, value_name = "TICKS")]
    pub move_window: u32,
    /// How many divergent decisions the table shows.
    #[arg(long, default_value_t = 10, value_name = "N")]
    pub limit: usize,
}

/// Reads `spec`: an existing path, else `REV:path` through `git show`.
fn read_version(spec: &str) -> Result<Loaded, ExitCode> {
    let as_path = Path::new(spec);
    if as_path.is_file() {
        return super::load_rules(as_path).map_err(|_| ExitCode::from(EXIT_USAGE));
    }
    let Some((rev, path)) = spec.split_once(':').filter(|(_, p)| !p.is_empty()) else {
        return Err(usage(format!(
            "cannot read {spec}: no such file (write a path, or REV:path for a git revision)"
        )));
    };
    let out = std::process::Command::new("git")
        .arg("show")
        .arg(format!("{rev}:{path}"))
        .output()
        .map_err(|e| usage(format!("cannot run `git show {spec}`: {e}")))?;
    if !out.status.success() {
        let msg = String::from_utf8_lossy(&out.stderr);
        return Err(usage(format!(
            "`git show {spec}` failed: {}",
            msg.trim().lines().next().unwrap_or("(no message)")
        )));
    }
    let text =
        String::from_utf8(out.stdout).map_err(|_| usage(format!("{spec} is not UTF-8 text")))?;
    let compiled = crate::compile(&text, &crate::stem_of(Path::new(path)));
    Ok(Loaded {
        file: SourceFile::new(spec, text),
        compiled,
    })
}

/// Rounds away float noise such as `45.799999999999727`.
fn round6(v: f64) -> f64 {
    (v * 1e6).round() / 1e6
}

fn score_value(s: &str) -> Value {
    match s.parse::<f64>() {
        Ok(v) if v.is_finite() => json!(v),
        _ => Value::Null,
    }
}

fn json_report(
    args: &DiffArgs,
    old: &Outcome,
    new: &Outcome,
    c: &Comparison,
) -> Result<String, serde_json::Error> {
    let side = |label: &str, o: &Outcome| {
        let scores: Map<String, Value> = o
            .scores
            .iter()
            .map(|(k, v)| (k.clone(), score_value(v)))
            .collect();
        let rules: Vec<Value> = o
            .rules
            .iter()
            .map(|r| json!({"rule": r.rule, "line": r.line, "fired": r.fired, "suppressed": r.suppressed, "text": r.text}))
            .collect();
        json!({
            "source": label,
            "service": o.run_value("service"),
            "scores": scores,
            "rules": rules,
            "decisions": o.decisions.len(),
        })
    };
    let mut deltas = Map::new();
    for (k, ov) in &old.scores {
        let Some((_, nv)) = new.scores.iter().find(|(nk, _)| nk == k) else {
            continue;
        };
        let (o, n) = (score_value(ov), score_value(nv));
        let (delta, pct) = match (o.as_f64(), n.as_f64()) {
            (Some(a), Some(b)) => (
                json!(round6(b - a)),
                if a != 0.0 {
                    json!(round6(100.0 * (b - a) / a.abs()))
                } else {
                    Value::Null
                },
            ),
            _ => (Value::Null, Value::Null),
        };
        deltas.insert(
            k.clone(),
            json!({"old": o, "new": n, "delta": delta, "percent": pct}),
        );
    }
    let v = json!({
        "data": {
            "path": new.run_value("data"),
            "from": new.run_value("from"),
            "to": new.run_value("to"),
            "tick": new.run_value("tick"),
            "ticks": new.run_value("ticks").and_then(|t| t.parse::<u64>().ok()),
        },
        "old": side(&args.old, old),
        "new": side(&args.new, new),
        "deltas": deltas,
        "rules": c.rules,
        "decisions": {
            "old": c.old_decisions,
            "new": c.new_decisions,
            "unchanged": c.unchanged,
            "moved": c.count("moved"),
            "vanished": c.count("vanished"),
            "appeared": c.count("appeared"),
            "move_window_ms": c.move_window_ms,
        },
        "first_divergence": c.decisions.first().map(|d| format_timestamp(d.time())),
        "divergences": c.decisions,
    });
    serde_json::to_string_pretty(&v)
}

fn short(d: &crate::snapshot::Decision) -> String {
    match &d.resize {
        // A resize: the sizes say what changed (the count did not).
        Some([a, b]) => format!(
            "{}  {} {a} -> {b}  {}",
            format_timestamp(d.timestamp_ms),
            d.direction,
            d.rule
        ),
        None => format!(
            "{}  {} {} -> {}  {}",
            format_timestamp(d.timestamp_ms),
            d.direction,
            d.from,
            d.to,
            d.rule
        ),
    }
}

fn table_report(args: &DiffArgs, old: &Outcome, new: &Outcome, c: &Comparison) -> String {
    let preset = if std::io::stdout().is_terminal() {
        presets::UTF8_FULL_CONDENSED
    } else {
        presets::ASCII_FULL_CONDENSED
    };
    let mut s = String::new();
    let _ = writeln!(
        s,
        "diff of `{}` on {} ({} ticks of {}, {} to {})",
        new.run_value("service").unwrap_or("?"),
        new.run_value("data").unwrap_or("?"),
        new.run_value("ticks").unwrap_or("?"),
        new.run_value("tick").unwrap_or("?"),
        new.run_value("from").unwrap_or("?"),
        new.run_value("to").unwrap_or("?"),
    );
    let _ = writeln!(s, "old: {}", args.old);
    let _ = writeln!(s, "new: {}", args.new);
    for (k, o, n) in &c.run {
        if k != "rules" {
            let _ = writeln!(s, "note: {k} differs: {o} (old) vs {n} (new)");
        }
    }
    let mut t = Table::new();
    t.load_preset(preset);
    t.set_header(vec!["score", "old", "new", "Δ", "Δ%"]);
    for (k, ov) in &old.scores {
        let nv = new
            .scores
            .iter()
            .find(|(nk, _)| nk == k)
            .map_or("(absent)", |(_, v)| v.as_str());
        let ch = c.scores.iter().find(|x| &x.key == k);
        let (d, p) = match ch {
            None => ("".to_string(), "".to_string()),
            Some(x) => {
                let dec = nv.split_once('.').map_or(0, |(_, f)| f.len());
                (
                    x.delta.map_or("-".into(), |d| signed(d, dec)),
                    x.percent
                        .map_or("-".into(), |p| format!("{}%", signed(p, 1))),
                )
            }
        };
        let key = k.strip_prefix("policy.").unwrap_or(k);
        t.add_row(vec![key.to_string(), ov.clone(), nv.to_string(), d, p]);
    }
    for i in 1..=4 {
        if let Some(col) = t.column_mut(i) {
            col.set_cell_alignment(CellAlignment::Right);
        }
    }
    let _ = writeln!(s, "{t}");
    let mut rt = Table::new();
    rt.load_preset(preset);
    rt.set_header(vec![
        "rule",
        "line",
        "fired old",
        "fired new",
        "Δ",
        "text (new)",
    ]);
    let mut ids: Vec<&str> = new.rules.iter().map(|r| r.rule.as_str()).collect();
    for r in &old.rules {
        if !ids.contains(&r.rule.as_str()) {
            ids.push(&r.rule);
        }
    }
    for id in ids {
        let o = old.rules.iter().find(|r| r.rule == id);
        let n = new.rules.iter().find(|r| r.rule == id);
        let line = match (o.map(|r| r.line), n.map(|r| r.line)) {
            (Some(a), Some(b)) if a != b => format!("{a} → {b}"),
            (_, Some(b)) => b.to_string(),
            (Some(a), None) => a.to_string(),
            (None, None) => "-".into(),
        };
        let fo = o.map_or("-".into(), |r| r.fired.to_string());
        let fnew = n.map_or("-".into(), |r| r.fired.to_string());
        let d = match (o, n) {
            (Some(a), Some(b)) if a.fired != b.fired => signed(b.fired as f64 - a.fired as f64, 0),
            (Some(_), Some(_)) => String::new(),
            _ => "-".into(),
        };
        let mut text = n.or(o).map_or(String::new(), |r| r.text.clone());
        if let (Some(a), Some(b)) = (o, n) {
            if a.text != b.text {
                text = format!("{} (was: {})", b.text, a.text);
            }
        }
        rt.add_row(vec![id.to_string(), line, fo, fnew, d, text]);
    }
    let _ = writeln!(s, "{rt}");
    let _ = writeln!(
        s,
        "decisions: {} old, {} new: {} ({})",
        c.old_decisions,
        c.new_decisions,
        c.kinds(),
        c.moved_means()
    );
    if c.decisions.is_empty() {
        let _ = writeln!(s, "the decisions are the same");
        return s;
    }
    let _ = writeln!(
        s,
        "first {} divergent decisions:",
        c.decisions.len().min(args.limit)
    );
    let mut dt = Table::new();
    dt.load_preset(preset);
    dt.set_header(vec!["change", "old", "new"]);
    for d in c.decisions.iter().take(args.limit) {
        let row = match d {
            DecisionChange::Appeared { new } => vec!["appeared".into(), String::new(), short(new)],
            DecisionChange::Vanished { old } => vec!["vanished".into(), short(old), String::new()],
            DecisionChange::Moved { old, new, shift_ms } => {
                vec![
                    format!("moved {}", shift(*shift_ms)),
                    short(old),
                    short(new),
                ]
            }
        };
        dt.add_row(row);
    }
    let _ = writeln!(s, "{dt}");
    if c.decisions.len() > args.limit {
        let _ = writeln!(
            s,
            "… and {} more (--limit N, or --format json for all)",
            c.decisions.len() - args.limit
        );
    }
    s
}

pub fn run(args: DiffArgs) -> ExitCode {
    let (from_ms, to_ms, tick_ms) = match parse_window(
        args.window.from.as_deref(),
        args.window.to.as_deref(),
        args.window.tick.as_deref(),
    ) {
        Ok(w) => w,
        Err(e) => return usage(e),
    };
    if let Some(p) = &args.plot {
        if p.extension().and_then(|e| e.to_str()) != Some("svg") {
            return usage(format!("--plot: {} must be an .svg file", p.display()));
        }
    }
    let spec = RunSpec {
        data: &args.data,
        service: args.service.as_deref(),
        service_is_hint: false,
        from_ms,
        to_ms,
        tick_ms,
        timeline: args.plot.is_some(),
    };
    let mut out = Reporter::new(args.format.diagnostics());
    let mut reports = Vec::new();
    for v in [&args.old, &args.new] {
        let loaded = match read_version(v) {
            Ok(l) => l,
            Err(c) => return c,
        };
        match backtest_loaded(&loaded, &spec, &mut out) {
            Ok(r) => reports.push(r),
            Err(c) => return c,
        }
    }
    let [old_r, new_r] = reports.as_slice() else {
        return ExitCode::from(EXIT_FAILURE);
    };
    let old = Outcome::from_report(old_r, &args.old);
    let new = Outcome::from_report(new_r, &args.new);
    let window = i64::from(args.move_window) * new_r.data.tick_ms;
    let c = compare(&old, &new, window);
    if let (Some(p), Some(ot), Some(nt)) = (&args.plot, &old_r.timeline, &new_r.timeline) {
        let title = format!("scalerules diff: {}", new_r.service);
        let svg = overlay_svg(&title, &args.old, ot, &args.new, nt);
        if let Err(e) = crate::files::write_file(p, svg) {
            return usage(format!("cannot write {}: {e}", p.display()));
        }
    }
    match args.format {
        OutFormat::Json => match json_report(&args, &old, &new, &c) {
            Ok(s) => println!("{s}"),
            Err(e) => return usage(format!("cannot serialise the diff: {e}")),
        },
        OutFormat::Table => print!("{}", table_report(&args, &old, &new, &c)),
    }
    out.finish(EXIT_OK)
}
