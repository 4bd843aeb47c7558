//! Rendering a [`Report`]: the comparison table, the per-tick timeline (CSV or
//! Parquet) and the SVG chart (written by hand: plain XML, no font dependency).

use super::engine::{Report, Scores, Timeline};
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
        (Some(k), Some(s)) => cols.push((format!("static {k}"), Some(s))),
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
        ("cost", |s| f(s.cost.cost, 2)),
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
        "csv" => write_csv(tl, path, mode),
        "parquet" | "pq" => write_parquet(tl, path),
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

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// The SVG chart: demand and ready capacity (left axis, demand units per second),
/// requested and ready replicas as step lines (right axis), breach periods shaded,
/// decisions marked. At most ~2000 points per series (max-downsampled).
pub fn svg(r: &Report, tl: &Timeline) -> String {
    let (w, h) = (1200.0, 560.0);
    let (l, rt, top, bot) = (80.0, 1060.0, 50.0, 480.0);
    let n = tl.timestamp_ms.len();
    let mut s = String::new();
    let _ = writeln!(
        s,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" viewBox="0 0 {w} {h}" font-family="sans-serif" font-size="12">"#
    );
    let _ = writeln!(
        s,
        r#"<rect x="0" y="0" width="{w}" height="{h}" fill="white"/>"#
    );
    let title = format!("scalerules backtest: {} — {}", r.service, r.mode);
    let _ = writeln!(
        s,
        r#"<text x="{}" y="28" font-size="16" text-anchor="middle">{}</text>"#,
        w / 2.0,
        esc(&title)
    );
    if n == 0 {
        s.push_str("</svg>\n");
        return s;
    }
    let t0 = tl.timestamp_ms[0] as f64;
    let t1 = (tl.timestamp_ms[n - 1] as f64).max(t0 + 1.0);
    let ymax = value_axis_top(tl.demand.iter().chain(&tl.capacity));
    let rmax = count_axis_top(tl.requested.iter().chain(&tl.ready));
    let x = |t: i64| l + (t as f64 - t0) / (t1 - t0) * (rt - l);
    let y = |v: f64| bot - finite_or_zero(v) / ymax * (bot - top);
    let yr = |v: f64| bot - v / rmax * (bot - top);
    // Breach shading.
    let mut i = 0;
    let step_w = (rt - l) / n as f64;
    while i < n {
        if tl.breach[i] {
            let j0 = i;
            while i < n && tl.breach[i] {
                i += 1;
            }
            let xa = x(tl.timestamp_ms[j0]);
            let xb = if i < n { x(tl.timestamp_ms[i]) } else { rt };
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
    // Axes.
    let _ = writeln!(
        s,
        r#"<line x1="{l}" y1="{bot}" x2="{rt}" y2="{bot}" stroke="black"/>"#
    );
    let _ = writeln!(
        s,
        r#"<line x1="{l}" y1="{top}" x2="{l}" y2="{bot}" stroke="black"/>"#
    );
    let _ = writeln!(
        s,
        r#"<line x1="{rt}" y1="{top}" x2="{rt}" y2="{bot}" stroke="black"/>"#
    );
    write_axis_labels(
        &mut s,
        &Frame {
            left: l,
            right: rt,
            top,
            bottom: bot,
            t0: t0 as i64,
            t1: t1 as i64,
            ymax,
            rmax,
        },
    );
    let _ = writeln!(
        s,
        r#"<text x="{}" y="{}" text-anchor="middle">time (UTC)</text>"#,
        (l + rt) / 2.0,
        bot + 40.0
    );
    let _ = writeln!(
        s,
        r#"<text x="20" y="{}" text-anchor="middle" transform="rotate(-90 20 {})">demand and ready capacity (per second)</text>"#,
        (top + bot) / 2.0,
        (top + bot) / 2.0
    );
    let _ = writeln!(
        s,
        r#"<text x="{}" y="{}" text-anchor="middle" transform="rotate(90 {} {})">replicas</text>"#,
        w - 30.0,
        (top + bot) / 2.0,
        w - 30.0,
        (top + bot) / 2.0
    );
    // Series, downsampled to buckets.
    let buckets = n.min(2000);
    let bucket = |b: usize| {
        (
            b * n / buckets,
            ((b + 1) * n / buckets).max(b * n / buckets + 1),
        )
    };
    let line = |vals: &dyn Fn(usize) -> f64, proj: &dyn Fn(f64) -> f64, step: bool| -> String {
        let mut pts = String::new();
        let mut prev_y: Option<f64> = None;
        for b in 0..buckets {
            let (a, e) = bucket(b);
            let v = (a..e.min(n)).map(vals).fold(f64::NEG_INFINITY, f64::max);
            let xx = x(tl.timestamp_ms[a]);
            let yy = proj(v);
            if step {
                if let Some(py) = prev_y {
                    let _ = write!(pts, "{xx:.1},{py:.1} ");
                }
            }
            let _ = write!(pts, "{xx:.1},{yy:.1} ");
            prev_y = Some(yy);
        }
        pts
    };
    let series: [(&str, &str, String, &str); 4] = [
        ("demand", "#1f77b4", line(&|i| tl.demand[i], &y, false), ""),
        (
            "ready capacity",
            "#2ca02c",
            line(&|i| tl.capacity[i], &y, true),
            "",
        ),
        (
            "requested replicas",
            "#ff7f0e",
            line(&|i| f64::from(tl.requested[i]), &yr, true),
            r#" stroke-dasharray="4 3""#,
        ),
        (
            "ready replicas",
            "#9467bd",
            line(&|i| f64::from(tl.ready[i]), &yr, true),
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
            x(tl.timestamp_ms[k]),
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
    s.push_str("</svg>\n");
    s
}

/// About five round tick values (1, 2 or 5 × 10^k apart) from 0 up to `max`.
fn nice_ticks(max: f64) -> Vec<f64> {
    if !(max.is_finite() && max > 0.0) {
        return vec![0.0];
    }
    let raw = max / 5.0;
    let mag = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 5.0, 10.0]
        .iter()
        .map(|m| m * mag)
        .find(|st| *st >= raw)
        .unwrap_or(10.0 * mag);
    (0..)
        .map(|k| k as f64 * step)
        .take_while(|v| *v <= max + 1e-9)
        .collect()
}

/// Timestamps (ms) at round boundaries between `t0` and `t1`: at most about eight.
fn time_ticks(t0: i64, t1: i64) -> Vec<i64> {
    const STEPS: [i64; 9] = [
        60_000,
        300_000,
        900_000,
        3_600_000,
        3 * 3_600_000,
        6 * 3_600_000,
        12 * 3_600_000,
        86_400_000,
        7 * 86_400_000,
    ];
    let span = (t1 - t0).max(1);
    let step = STEPS
        .iter()
        .copied()
        .find(|st| span / st <= 8)
        .unwrap_or_else(|| (span / 8 / 86_400_000 + 1) * 86_400_000);
    let first = t0.div_euclid(step) * step + if t0.rem_euclid(step) == 0 { 0 } else { step };
    (0..)
        .map(|k| first + k * step)
        .take_while(|t| *t <= t1)
        .collect()
}

/// A value as drawn: infinite and missing values sit on the axis.
pub(crate) fn finite_or_zero(v: f64) -> f64 {
    if v.is_finite() {
        v
    } else {
        0.0
    }
}

/// The top of a value axis: 5% above the largest finite value.
pub(crate) fn value_axis_top<'a>(values: impl Iterator<Item = &'a f64>) -> f64 {
    values
        .map(|v| finite_or_zero(*v))
        .fold(0.0, f64::max)
        .max(1e-9)
        * 1.05
}

/// The top of a replica axis: 10% above the largest count (at least 1).
pub(crate) fn count_axis_top<'a>(counts: impl Iterator<Item = &'a u32>) -> f64 {
    f64::from(counts.copied().max().unwrap_or(1).max(1)) * 1.1
}

/// The plotting area of a chart and the ranges of its three axes.
pub(crate) struct Frame {
    pub left: f64,
    pub right: f64,
    pub top: f64,
    pub bottom: f64,
    /// Time range (ms) along the x axis.
    pub t0: i64,
    pub t1: i64,
    /// Top of the left (demand) axis and of the right (replicas) axis.
    pub ymax: f64,
    pub rmax: f64,
}

/// Round tick values on both value axes, and time labels at day/hour boundaries.
pub(crate) fn write_axis_labels(s: &mut String, fr: &Frame) {
    let (l, rt, bot) = (fr.left, fr.right, fr.bottom);
    let span = (fr.t1 - fr.t0).max(1) as f64;
    let x = |t: i64| l + (t - fr.t0) as f64 / span * (rt - l);
    let y = |v: f64| bot - v / fr.ymax * (bot - fr.top);
    let yr = |v: f64| bot - v / fr.rmax * (bot - fr.top);
    for v in nice_ticks(fr.ymax) {
        let _ = writeln!(
            s,
            r#"<text x="{}" y="{:.1}" text-anchor="end">{}</text>"#,
            l - 6.0,
            y(v) + 4.0,
            f(v, if fr.ymax < 10.0 { 1 } else { 0 })
        );
    }
    for rv in nice_ticks(fr.rmax).into_iter().filter(|v| v.fract() == 0.0) {
        let _ = writeln!(
            s,
            r#"<text x="{}" y="{:.1}">{}</text>"#,
            rt + 6.0,
            yr(rv) + 4.0,
            f(rv, 0)
        );
    }
    for t in time_ticks(fr.t0, fr.t1) {
        let full = format_timestamp(t).trim_end_matches('Z').replace('T', " ");
        // Midnight shows the date alone; other boundaries drop the seconds.
        let label = full
            .strip_suffix(" 00:00:00")
            .or_else(|| full.strip_suffix(":00"))
            .unwrap_or(&full);
        let _ = writeln!(
            s,
            r#"<text x="{:.1}" y="{}" text-anchor="middle">{}</text>"#,
            x(t),
            bot + 18.0,
            esc(label)
        );
        let _ = writeln!(
            s,
            r##"<line x1="{:.1}" y1="{bot}" x2="{:.1}" y2="{}" stroke="#888"/>"##,
            x(t),
            x(t),
            bot + 5.0
        );
    }
}

#[cfg(test)]
mod chart_tests {
    use super::*;

    #[test]
    fn ticks_are_round() {
        assert_eq!(
            nice_ticks(4986.0),
            vec![0.0, 1000.0, 2000.0, 3000.0, 4000.0]
        );
        assert_eq!(nice_ticks(44.0), vec![0.0, 10.0, 20.0, 30.0, 40.0]);
        let week = time_ticks(
            1_772_409_600_000,
            1_772_409_600_000 + 7 * 86_400_000 - 60_000,
        );
        assert_eq!(week.len(), 7);
        assert!(week.iter().all(|t| t % 86_400_000 == 0));
    }
}
