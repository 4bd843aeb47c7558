//! Rendering a [`Report`]: the comparison table, the per-tick timeline (CSV or
//! Parquet) and the SVG chart (drawn with `crate::chart`).

use super::report::{Report, Scores, Timeline};
use crate::chart::{self, esc, Frame};
use crate::timestamp::{format_duration, format_timestamp};
use comfy_table::{presets, CellAlignment, Table};
use std::fmt::Write as _;
use std::io::Write;
use std::path::Path;

fn f(v: f64, d: usize) -> String {
    if v.is_nan() {
        "-".into()
    } else if v.is_infinite() {
        "inf".into()
    } else {
        format!("{v:.d$}")
    }
}

/// The comparison table and the per-rule table, as text. `unicode`: box-drawing
/// borders (for terminals), else plain ASCII.
pub fn table(r: &Report, unicode: bool) -> String {
    let preset = if unicode {
        presets::UTF8_FULL_CONDENSED
    } else {
        presets::ASCII_FULL_CONDENSED
    };
    let mut out = String::new();
    let _ = writeln!(
        out,
        "backtest of `{}` on {} ({} ticks of {}, {} to {}): {}",
        r.service,
        r.data.path,
        r.data.ticks,
        format_duration(r.data.tick_ms),
        r.data.from,
        r.data.to,
        r.mode
    );
    let mut cols: Vec<(String, Option<&Scores>)> = vec![("policy".into(), Some(&r.policy))];
    if let Some(s) = &r.baselines.recorded {
        cols.push(("recorded".into(), Some(s)));
    }
    match (
        &r.baselines.static_best.replicas,
        &r.baselines.static_best.scores,
    ) {
        (Some(k), Some(s)) => {
            let size = r.baselines.static_best.size.as_ref();
            let name = size.map_or_else(|| format!("static {k}"), |z| format!("static {k}x{z}"));
            cols.push((name, Some(s)))
        }
        _ => cols.push(("static (none)".into(), None)),
    }
    cols.push(("oracle".into(), Some(&r.baselines.oracle)));
    let mut t = Table::new();
    t.load_preset(preset);
    let mut header = vec!["".to_string()];
    header.extend(cols.iter().map(|c| c.0.clone()));
    t.set_header(header);
    type Row = (&'static str, fn(&Scores) -> String);
    let rows: &[Row] = &[
        ("replica-hours", |s| f(s.cost.replica_hours, 1)),
        ("cost", |s| {
            s.cost.cost.map_or("no price".into(), |c| f(c, 2))
        }),
        ("mean replicas", |s| f(s.cost.mean_replicas, 2)),
        ("peak replicas", |s| s.cost.peak_replicas.to_string()),
        ("breach minutes", |s| f(s.sla.breach_minutes, 1)),
        ("breach ratio %", |s| f(100.0 * s.sla.breach_ratio, 2)),
        ("breach episodes", |s| s.sla.breach_episodes.to_string()),
        ("longest breach min", |s| f(s.sla.longest_breach_minutes, 1)),
        ("delayed requests", |s| f(s.sla.delayed_requests, 0)),
        ("backlog req-s", |s| f(s.sla.backlog_request_seconds, 0)),
        ("scale-outs", |s| s.thrashing.scale_outs.to_string()),
        ("scale-ins", |s| s.thrashing.scale_ins.to_string()),
        ("reversals", |s| s.thrashing.reversals.to_string()),
        ("theta_U % (under)", |s| f(s.elasticity.theta_u, 2)),
        ("theta_O % (over)", |s| f(s.elasticity.theta_o, 2)),
        ("tau_U % (time under)", |s| f(s.elasticity.tau_u, 2)),
        ("tau_O % (time over)", |s| f(s.elasticity.tau_o, 2)),
        ("instability %", |s| f(s.elasticity.instability, 2)),
        ("jitter /h", |s| f(s.elasticity.jitter, 3)),
    ];
    // Only with a size ladder, so horizontal tables stay as they were.
    let vertical: &[Row] = &[
        ("size-ups", |s| {
            s.vertical
                .as_ref()
                .map_or("-".into(), |v| v.size_ups.to_string())
        }),
        ("size-downs", |s| {
            s.vertical
                .as_ref()
                .map_or("-".into(), |v| v.size_downs.to_string())
        }),
        ("restart replica-min", |s| {
            s.vertical
                .as_ref()
                .map_or("-".into(), |v| f(v.restart_replica_minutes, 1))
        }),
        ("mean capacity units", |s| {
            s.vertical
                .as_ref()
                .map_or("-".into(), |v| f(v.mean_capacity_units, 2))
        }),
    ];
    let rows: Vec<&Row> = if r.policy.vertical.is_some() {
        rows.iter().chain(vertical).collect()
    } else {
        rows.iter().collect()
    };
    for (name, get) in rows {
        let mut row = vec![name.to_string()];
        row.extend(cols.iter().map(|c| c.1.map_or("-".to_string(), get)));
        t.add_row(row);
    }
    for i in 1..=cols.len() {
        if let Some(c) = t.column_mut(i) {
            c.set_cell_alignment(CellAlignment::Right);
        }
    }
    let _ = writeln!(out, "{t}");
    match r.cost_vs_oracle {
        Some(x) => {
            let _ = writeln!(out, "policy cost / oracle cost: {x:.3}");
        }
        None => {
            let _ = writeln!(
                out,
                "policy cost / oracle cost: - (the oracle costs nothing)"
            );
        }
    }
    if r.slo.declared.is_empty() {
        if let Some(n) = &r.slo.note {
            let _ = writeln!(out, "SLO: {n}");
        }
    } else {
        let _ = writeln!(out, "SLO: {} (and rho < 1)", r.slo.declared.join("; "));
    }
    let sim: Vec<String> = r
        .metrics
        .iter()
        .filter(|m| m.simulated)
        .map(|m| format!("{} ({:?})", m.name, m.treatment))
        .collect();
    let rep: Vec<String> = r
        .metrics
        .iter()
        .filter(|m| !m.simulated)
        .map(|m| m.name.clone())
        .collect();
    let _ = writeln!(
        out,
        "simulated metrics: {}",
        if sim.is_empty() {
            "none".into()
        } else {
            sim.join(", ")
        }
    );
    let _ = writeln!(
        out,
        "replayed metrics: {}",
        if rep.is_empty() {
            "none".into()
        } else {
            rep.join(", ")
        }
    );
    let mut rt = Table::new();
    rt.load_preset(preset);
    rt.set_header(vec!["rule", "line", "fired", "suppressed", "text"]);
    for rs in &r.rules {
        let sup: Vec<String> = rs
            .suppressed
            .iter()
            .map(|(k, v)| format!("{k} {v}"))
            .collect();
        rt.add_row(vec![
            rs.rule.clone(),
            rs.line.to_string(),
            rs.fired.to_string(),
            if sup.is_empty() {
                "-".into()
            } else {
                sup.join(", ")
            },
            rs.text.clone(),
        ]);
    }
    let _ = writeln!(out, "{rt}");
    let _ = writeln!(out, "{} decisions", r.decisions.len());
    for n in &r.notes {
        let _ = writeln!(out, "note: {n}");
    }
    out
}

const HEADER: [&str; 12] = [
    "timestamp",
    "demand",
    "requested",
    "ready",
    "capacity",
    "utilization",
    "latency_s",
    "backlog",
    "breach",
    "decision",
    "rule",
    "oracle",
];

fn csv_num(v: f64) -> String {
    if v.is_nan() {
        String::new()
    } else if v.is_infinite() {
        "inf".into()
    } else {
        let s = format!("{v:.6}");
        let s = s.trim_end_matches('0').trim_end_matches('.');
        s.to_string()
    }
}

/// Writes the timeline as CSV (`.csv`) or Parquet (`.parquet`/`.pq`).
pub fn write_timeline(tl: &Timeline, path: &Path, mode: &str) -> Result<(), String> {
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or("")
        .to_ascii_lowercase();
    match ext.as_str() {
        "csv" => crate::files::write_atomic(path, |tmp| write_csv(tl, tmp, mode)),
        "parquet" | "pq" => crate::files::write_atomic(path, |tmp| write_parquet(tl, tmp)),
        _ => Err(format!(
            "cannot tell the timeline format of {}: use a .csv or .parquet file name",
            path.display()
        )),
    }
}

fn write_csv(tl: &Timeline, path: &Path, mode: &str) -> Result<(), String> {
    let file =
        std::fs::File::create(path).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    let mut w = std::io::BufWriter::new(file);
    let io = |e: std::io::Error| format!("cannot write {}: {e}", path.display());
    if mode != super::COUNTERFACTUAL_LABEL {
        writeln!(w, "# {mode}").map_err(io)?;
    }
    writeln!(w, "{}", HEADER.join(",")).map_err(io)?;
    for i in 0..tl.timestamp_ms.len() {
        writeln!(
            w,
            "{},{},{},{},{},{},{},{},{},{},{},{}",
            format_timestamp(tl.timestamp_ms[i]),
            csv_num(tl.demand[i]),
            tl.requested[i],
            tl.ready[i],
            csv_num(tl.capacity[i]),
            csv_num(tl.utilization[i]),
            csv_num(tl.latency_s[i]),
            csv_num(tl.backlog[i]),
            tl.breach[i],
            tl.decision[i],
            tl.rule[i],
            tl.oracle[i],
        )
        .map_err(io)?;
    }
    w.flush().map_err(io)
}

fn write_parquet(tl: &Timeline, path: &Path) -> Result<(), String> {
    use polars::prelude::*;
    let err = |e: PolarsError| format!("cannot write {}: {e}", path.display());
    let ts = Series::new("timestamp".into(), tl.timestamp_ms.clone())
        .cast(&DataType::Datetime(
            TimeUnit::Milliseconds,
            Some(TimeZone::UTC),
        ))
        .map_err(err)?;
    let height = tl.timestamp_ms.len();
    let mut df = DataFrame::new(
        height,
        vec![
            ts.into(),
            Column::new("demand".into(), tl.demand.clone()),
            Column::new("requested".into(), tl.requested.clone()),
            Column::new("ready".into(), tl.ready.clone()),
            Column::new("capacity".into(), tl.capacity.clone()),
            Column::new("utilization".into(), tl.utilization.clone()),
            Column::new("latency_s".into(), tl.latency_s.clone()),
            Column::new("backlog".into(), tl.backlog.clone()),
            Column::new("breach".into(), tl.breach.clone()),
            Column::new("decision".into(), tl.decision.clone()),
            Column::new("rule".into(), tl.rule.clone()),
            Column::new("oracle".into(), tl.oracle.clone()),
        ],
    )
    .map_err(err)?;
    let file =
        std::fs::File::create(path).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    ParquetWriter::new(file).finish(&mut df).map_err(err)?;
    Ok(())
}

/// The SVG chart: demand and ready capacity (left axis, demand units per second),
/// requested and ready replicas as step lines (right axis), breach periods shaded,
/// decisions marked. At most ~2000 points per series (max-downsampled).
pub fn svg(r: &Report, tl: &Timeline) -> String {
    let (w, h) = (1200.0, 560.0);
    let title = format!("scalerules backtest: {} — {}", r.service, r.mode);
    let mut s = chart::open(w, h, &title);
    let n = tl.timestamp_ms.len();
    if n == 0 {
        chart::close(&mut s);
        return s;
    }
    let fr = Frame::standard(
        tl.timestamp_ms[0],
        tl.timestamp_ms[n - 1],
        chart::value_axis_top(tl.demand.iter().chain(&tl.capacity)),
        chart::count_axis_top(tl.requested.iter().chain(&tl.ready)),
    );
    let (l, rt, top, bot) = (fr.left, fr.right, fr.top, fr.bottom);
    // Breach shading.
    let mut i = 0;
    let step_w = (rt - l) / n as f64;
    while i < n {
        if tl.breach[i] {
            let j0 = i;
            while i < n && tl.breach[i] {
                i += 1;
            }
            let xa = fr.x(tl.timestamp_ms[j0]);
            let xb = if i < n { fr.x(tl.timestamp_ms[i]) } else { rt };
            let _ = writeln!(
                s,
                r##"<rect class="breach" x="{xa:.1}" y="{top}" width="{:.1}" height="{}" fill="#f4a6a6" fill-opacity="0.5"/>"##,
                (xb - xa).max(step_w.max(2.0)),
                bot - top
            );
        } else {
            i += 1;
        }
    }
    fr.axes(&mut s);
    let _ = writeln!(
        s,
        r#"<text x="{}" y="{}" text-anchor="middle">time (UTC)</text>"#,
        (l + rt) / 2.0,
        bot + 40.0
    );
    fr.axis_titles(
        &mut s,
        w,
        "demand and ready capacity (per second)",
        "replicas",
    );
    let ts = &tl.timestamp_ms;
    let y = |v: f64| fr.y(v);
    let yr = |v: f64| fr.y_right(v);
    let series: [(&str, &str, String, &str); 4] = [
        (
            "demand",
            "#1f77b4",
            fr.points(ts, &|i| tl.demand[i], &y, false),
            "",
        ),
        (
            "ready capacity",
            "#2ca02c",
            fr.points(ts, &|i| tl.capacity[i], &y, true),
            "",
        ),
        (
            "requested replicas",
            "#ff7f0e",
            fr.points(ts, &|i| f64::from(tl.requested[i]), &yr, true),
            r#" stroke-dasharray="4 3""#,
        ),
        (
            "ready replicas",
            "#9467bd",
            fr.points(ts, &|i| f64::from(tl.ready[i]), &yr, true),
            "",
        ),
    ];
    for (name, color, pts, extra) in &series {
        let _ = writeln!(
            s,
            r#"<polyline class="series" data-name="{name}" fill="none" stroke="{color}" stroke-width="1.2"{extra} points="{pts}"/>"#
        );
    }
    // Decisions.
    for (k, d) in tl.decision.iter().enumerate() {
        if d.is_empty() {
            continue;
        }
        let color = if d.starts_with("out") {
            "#d62728"
        } else {
            "#17becf"
        };
        let _ = writeln!(
            s,
            r#"<circle class="decision" cx="{:.1}" cy="{:.1}" r="3" fill="{color}"><title>{} {}</title></circle>"#,
            fr.x(tl.timestamp_ms[k]),
            yr(f64::from(tl.requested[k])),
            esc(d),
            esc(&tl.rule[k])
        );
    }
    // Legend.
    let mut ly = top + 10.0;
    let lx = l + 10.0;
    let mut items: Vec<(&str, String)> = Vec::new();
    for (k, (name, color, _, _)) in series.iter().enumerate() {
        let yy = ly + 16.0 * k as f64;
        items.push((name, format!(r#"<line x1="{lx}" y1="{yy:.1}" x2="{}" y2="{yy:.1}" stroke="{color}" stroke-width="2"/>"#, lx + 20.0)));
    }
    let yy = ly + 16.0 * 4.0;
    items.push((
        "breach",
        format!(
            r##"<rect x="{lx}" y="{:.1}" width="20" height="8" fill="#f4a6a6"/>"##,
            yy - 4.0
        ),
    ));
    let yy = ly + 16.0 * 5.0;
    items.push((
        "scale out / in",
        format!(
            r##"<circle cx="{}" cy="{yy:.1}" r="3" fill="#d62728"/>"##,
            lx + 10.0
        ),
    ));
    for (label, swatch) in items {
        let _ = writeln!(s, "{swatch}");
        let _ = writeln!(
            s,
            r#"<text x="{}" y="{:.1}">{}</text>"#,
            lx + 26.0,
            ly + 4.0,
            esc(label)
        );
        ly += 16.0;
    }
    chart::close(&mut s);
    s
}
