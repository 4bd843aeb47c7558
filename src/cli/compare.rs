//! `scalerules compare A.scale B.scale …`: several policies for the same service (e.g.
//! horizontal, vertical and hybrid) backtested on the same history, the dataset read
//! once and the runs in parallel; one table with a column per policy, the baselines
//! once, and the winner of each score marked (docs/strategies.md). `diff` stays the
//! two-version review tool; both print scores through `snapshot::score_lines`.

use super::backtest::{data_error, usage, OutFormat};
use super::snapshot::parse_window;
use super::{load_rules, Loaded, Reporter, EXIT_FAILURE, EXIT_OK};
use crate::backtest::data::{load, DataRequest};
use crate::backtest::report::{Report, Scores};
use crate::backtest::{backtest, Options};
use crate::snapshot::compare::{better, winners};
use crate::snapshot::plot::capacity_overlay_svg;
use crate::snapshot::score_lines;
use comfy_table::{presets, CellAlignment, Table};
use rayon::prelude::*;
use serde_json::{json, Map, Value};
use std::fmt::Write as _;
use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::Args, Debug)]
pub struct CompareArgs {
    /// The rule files, one policy each (at least two).
    #[arg(required = true, num_args = 2.., value_name = "RULES")]
    pub files: Vec<PathBuf>,
    /// The dataset (CSV or Parquet), read once for every policy.
    #[arg(long)]
    pub data: PathBuf,
    /// The service to run (needed when a rule file has several).
    #[arg(long)]
    pub service: Option<String>,
    #[command(flatten)]
    pub window: super::WindowArgs,
    /// Output format.
    #[arg(long, value_enum, default_value = "table")]
    pub format: OutFormat,
    /// Write an SVG of every policy's ready capacity (and replicas) over the demand.
    #[arg(long, value_name = "OUT.svg")]
    pub plot: Option<PathBuf>,
}

/// A policy's column label: the file's stem (`rules/hybrid.scale` → `hybrid`), or the
/// path when two stems are the same.
fn labels(files: &[PathBuf]) -> Vec<String> {
    let stems: Vec<String> = files.iter().map(|f| crate::stem_of(f)).collect();
    files
        .iter()
        .zip(&stems)
        .map(|(f, s)| {
            if stems.iter().filter(|x| *x == s).count() > 1 {
                f.display().to_string()
            } else {
                s.clone()
            }
        })
        .collect()
}

/// The score rows: `(key, value per policy)`, keys in order of first appearance (a
/// horizontal policy has no `vertical.*` rows: `-`), plus `thrashing.changes` (every
/// decision, horizontal or vertical).
fn score_rows(reports: &[Report]) -> Vec<(String, Vec<String>)> {
    let per: Vec<Vec<(String, String)>> = reports
        .iter()
        .map(|r| {
            let mut v = score_lines("policy", &r.policy);
            v.push((
                "policy.thrashing.changes".into(),
                changes(&r.policy).to_string(),
            ));
            v
        })
        .collect();
    let mut keys: Vec<String> = Vec::new();
    for lines in &per {
        for (k, _) in lines {
            if !keys.contains(k) {
                keys.push(k.clone());
            }
        }
    }
    keys.into_iter()
        .map(|k| {
            let values = per
                .iter()
                .map(|lines| {
                    lines
                        .iter()
                        .find(|(x, _)| *x == k)
                        .map_or("-".to_string(), |(_, v)| v.clone())
                })
                .collect();
            (k.trim_start_matches("policy.").to_string(), values)
        })
        .collect()
}

fn changes(s: &Scores) -> usize {
    s.thrashing.scale_outs
        + s.thrashing.scale_ins
        + s.vertical.as_ref().map_or(0, |v| v.size_ups + v.size_downs)
}

fn parse(v: &str) -> Option<f64> {
    v.parse::<f64>().ok().filter(|x| x.is_finite())
}

/// The winners of each ranked row, by index of policy.
fn row_winners(values: &[String], key: &str) -> Vec<usize> {
    let nums: Vec<Option<f64>> = values.iter().map(|v| parse(v)).collect();
    if key.ends_with(" ~") {
        return Vec::new();
    }
    better(key).map_or_else(Vec::new, |b| winners(&nums, b))
}

/// The report whose baselines the table shows: the one whose oracle is feasible at the
/// most ticks, then the cheapest (its bounds and sizes leave the widest choice), the
/// first on a tie. The others' baselines are in their own `backtest` reports.
fn baseline_source(reports: &[Report]) -> usize {
    let key = |r: &Report| {
        let o = &r.baselines.oracle.cost;
        (
            r.baselines.oracle_infeasible_ticks,
            o.cost.unwrap_or(o.replica_hours),
        )
    };
    let mut best = 0;
    for (i, r) in reports.iter().enumerate() {
        let (a, b) = (key(r), key(&reports[best]));
        if a.0 < b.0 || (a.0 == b.0 && a.1 < b.1) {
            best = i;
        }
    }
    best
}

/// The three headline verdicts: cost (money, else replica-hours), SLA (breach
/// minutes), thrashing (reversals, then changes).
fn verdicts(rows: &[(String, Vec<String>)], labels: &[String]) -> Vec<(String, String)> {
    let pick = |keys: &[&str]| -> String {
        for k in keys {
            if let Some((_, v)) = rows.iter().find(|(x, _)| x == k) {
                let w = row_winners(v, k);
                if !w.is_empty() {
                    let names: Vec<&str> = w.iter().map(|&i| labels[i].as_str()).collect();
                    return format!("{} ({k})", names.join(", "));
                }
            }
        }
        "a tie".to_string()
    };
    vec![
        ("cost".into(), pick(&["cost.cost", "cost.replica_hours"])),
        (
            "SLA".into(),
            pick(&["sla.breach_minutes", "sla.delayed_requests"]),
        ),
        (
            "thrashing".into(),
            pick(&["thrashing.reversals", "thrashing.changes"]),
        ),
    ]
}

fn table_report(
    reports: &[Report],
    labels: &[String],
    base: usize,
    rows: &[(String, Vec<String>)],
) -> String {
    let preset = if std::io::stdout().is_terminal() {
        presets::UTF8_FULL_CONDENSED
    } else {
        presets::ASCII_FULL_CONDENSED
    };
    let r0 = &reports[0];
    let mut s = String::new();
    let _ = writeln!(
        s,
        "compare of `{}` on {} ({} ticks of {}, {} to {}): {} policies",
        r0.service,
        r0.data.path,
        r0.data.ticks,
        crate::timestamp::format_duration(r0.data.tick_ms),
        r0.data.from,
        r0.data.to,
        reports.len()
    );
    let b = &reports[base].baselines;
    let static_label = match (&b.static_best.replicas, &b.static_best.size) {
        (Some(k), Some(z)) => format!("static {k}x{z}"),
        (Some(k), None) => format!("static {k}"),
        _ => "static (none)".into(),
    };
    let static_lines = b.static_best.scores.as_ref().map(|x| score_lines("b", x));
    let oracle_lines = score_lines("b", &b.oracle);
    let baseline = |lines: Option<&Vec<(String, String)>>, k: &str| {
        lines
            .and_then(|l| {
                let k = k.trim_end_matches(" ~");
                l.iter().find(|(x, _)| x == &format!("b.{k}"))
            })
            .map_or("-".to_string(), |(_, v)| v.clone())
    };
    let mut t = Table::new();
    t.load_preset(preset);
    let mut header = vec!["score".to_string()];
    header.extend(labels.iter().cloned());
    header.push(static_label);
    header.push("oracle".into());
    t.set_header(header);
    for (k, values) in rows {
        let w = row_winners(values, k);
        let mut row = vec![k.clone()];
        row.extend(values.iter().enumerate().map(|(i, v)| {
            if w.contains(&i) {
                format!("{v} *")
            } else {
                v.clone()
            }
        }));
        row.push(baseline(static_lines.as_ref(), k));
        row.push(baseline(Some(&oracle_lines), k));
        t.add_row(row);
    }
    for i in 1..=labels.len() + 2 {
        if let Some(c) = t.column_mut(i) {
            c.set_cell_alignment(CellAlignment::Right);
        }
    }
    let _ = writeln!(s, "{t}");
    let _ = writeln!(
        s,
        "* the best policy on that score (lower is better; jitter: nearer 0); baselines from {}",
        labels[base]
    );
    if rows.iter().any(|(k, _)| k.ends_with(" ~")) {
        let _ = writeln!(
            s,
            "~ not ranked: elasticity compares replica counts, not capacity, and a size ladder changes what a replica is"
        );
    }
    for (what, who) in verdicts(rows, labels) {
        let _ = writeln!(s, "best on {what}: {who}");
    }
    for (label, r) in labels.iter().zip(reports) {
        if r.slo.declared.is_empty() {
            let _ = writeln!(s, "{label}: no SLO declared, only saturation is a breach");
        }
    }
    s
}

fn json_report(
    reports: &[Report],
    labels: &[String],
    files: &[PathBuf],
    base: usize,
    rows: &[(String, Vec<String>)],
) -> Result<String, serde_json::Error> {
    let r0 = &reports[0];
    let policies: Vec<Value> = reports
        .iter()
        .zip(labels)
        .zip(files)
        .enumerate()
        .map(|(i, ((r, label), file))| {
            let scores: Map<String, Value> = rows
                .iter()
                .map(|(k, v)| {
                    (
                        k.trim_end_matches(" ~").to_string(),
                        parse(&v[i]).map_or(Value::Null, |x| json!(x)),
                    )
                })
                .collect();
            json!({
                "label": label,
                "rules": file.display().to_string(),
                "service": r.service,
                "scores": scores,
                "decisions": r.decisions.len(),
                "cost_vs_oracle": r.cost_vs_oracle,
            })
        })
        .collect();
    let winners: Map<String, Value> = rows
        .iter()
        .filter_map(|(k, v)| {
            let w = row_winners(v, k);
            (!w.is_empty()).then(|| {
                (
                    k.clone(),
                    json!(w.iter().map(|&i| labels[i].clone()).collect::<Vec<_>>()),
                )
            })
        })
        .collect();
    let verdicts: Map<String, Value> = verdicts(rows, labels)
        .into_iter()
        .map(|(k, v)| (k, json!(v)))
        .collect();
    let v = json!({
        "service": r0.service,
        "data": {
            "path": r0.data.path,
            "from": r0.data.from,
            "to": r0.data.to,
            "tick_ms": r0.data.tick_ms,
            "ticks": r0.data.ticks,
        },
        "policies": policies,
        "baselines": {
            "from": labels[base],
            "static_best": reports[base].baselines.static_best,
            "oracle": reports[base].baselines.oracle,
            "oracle_infeasible_ticks": reports[base].baselines.oracle_infeasible_ticks,
        },
        "winners": winners,
        "best": verdicts,
    });
    serde_json::to_string_pretty(&v)
}

pub fn run(args: CompareArgs) -> ExitCode {
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
    let mut out = Reporter::new(args.format.diagnostics());
    let mut loaded: Vec<Loaded> = Vec::new();
    for f in &args.files {
        match load_rules(f) {
            Ok(l) => loaded.push(l),
            Err(_) => return ExitCode::from(super::EXIT_USAGE),
        }
    }
    // Every file must compile and name the service.
    let mut failed = false;
    for l in &loaded {
        out.rules(l);
        failed |= l.compiled.program.is_none();
    }
    if failed {
        return out.finish(EXIT_FAILURE);
    }
    let mut services = Vec::new();
    for l in &loaded {
        let Some(program) = &l.compiled.program else {
            return out.finish(EXIT_FAILURE);
        };
        let service = match program.select(args.service.as_deref()) {
            Ok(s) => s,
            Err(e) => return usage(e),
        };
        if !super::backtest::has_model(service, &mut out) {
            return out.finish(EXIT_FAILURE);
        }
        services.push(service);
    }
    // One load: the union of the columns every policy reads.
    let Some(first) = services.first() else {
        return out.finish(EXIT_FAILURE);
    };
    let mut req = DataRequest {
        from_ms,
        to_ms,
        tick_ms: tick_ms.or(first.tick),
        ..DataRequest::for_service(&args.data, first, args.service.as_deref())
    };
    for s in &services[1..] {
        let other = DataRequest::for_service(&args.data, s, args.service.as_deref());
        for c in other.columns {
            req.optional_columns.retain(|x| *x != c);
            if !req.columns.contains(&c) {
                req.columns.push(c);
            }
        }
        for c in other.optional_columns {
            if !req.columns.contains(&c) && !req.optional_columns.contains(&c) {
                req.optional_columns.push(c);
            }
        }
    }
    let data = match load(&req) {
        Ok(d) => d,
        Err(e) => {
            data_error(&mut out, &e);
            return out.finish(EXIT_FAILURE);
        }
    };
    let opts = Options {
        timeline: args.plot.is_some(),
        ..Options::default()
    };
    let results: Vec<_> = services
        .par_iter()
        .map(|s| backtest(s, &data, &opts))
        .collect();
    let mut reports = Vec::new();
    for r in results {
        match r {
            Ok(r) => reports.push(r),
            Err(e) => {
                out.other(&e, None, None);
                return out.finish(EXIT_FAILURE);
            }
        }
    }
    let labels = labels(&args.files);
    let base = baseline_source(&reports);
    let mut rows = score_rows(&reports);
    // The elasticity metrics compare replica counts, which mean different capacities
    // once a policy has a size ladder: then they describe and do not rank (marked `~`).
    if services.iter().any(|s| s.ladder.is_some()) {
        for (k, _) in &mut rows {
            if k.starts_with("elasticity.") {
                k.push_str(" ~");
            }
        }
    }
    if let Some(p) = &args.plot {
        let runs: Vec<(&str, &crate::backtest::Timeline)> = labels
            .iter()
            .zip(&reports)
            .filter_map(|(l, r)| r.timeline.as_ref().map(|t| (l.as_str(), t)))
            .collect();
        let title = format!("scalerules compare: {}", reports[0].service);
        if let Err(e) = crate::files::write_file(p, capacity_overlay_svg(&title, &runs)) {
            return usage(format!("cannot write {}: {e}", p.display()));
        }
    }
    match args.format {
        OutFormat::Json => match json_report(&reports, &labels, &args.files, base, &rows) {
            Ok(s) => println!("{s}"),
            Err(e) => return usage(format!("cannot serialise the comparison: {e}")),
        },
        OutFormat::Table => print!("{}", table_report(&reports, &labels, base, &rows)),
    }
    out.finish(EXIT_OK)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_are_stems_unless_two_are_the_same() {
        assert_eq!(labels(&[PathBuf::from("rules/hybrid.scale")]), ["hybrid"]);
        let l = labels(&[
            PathBuf::from("a/x.scale"),
            PathBuf::from("b/x.scale"),
            PathBuf::from("c/y.scale"),
        ]);
        assert_eq!(l, ["a/x.scale", "b/x.scale", "y"]);
    }
}
