//! What `tune` shows: the front as a table, as JSON, and as an SVG chart of cost
//! against breach minutes (drawn with `crate::chart`, like the backtest charts).

use super::{Outcome, Totals, TraceScores, Variant, VariantOutcome};
use crate::chart::{self, esc};
use comfy_table::{presets, CellAlignment, Table};
use serde::Serialize;
use std::fmt::Write as _;

/// A number with `digits` decimals.
fn f(v: f64, digits: usize) -> String {
    format!("{v:.digits$}")
}

/// `*` for the current file, `>` for the chosen variant.
fn marks(o: &Outcome, i: usize) -> String {
    let mut s = String::new();
    if i == 0 {
        s.push('*');
    }
    if o.chosen == Some(i) {
        s.push('>');
    }
    s
}

/// The parameter values of a variant as rule-file text.
pub fn values_text(o: &Outcome, v: &Variant) -> Vec<String> {
    o.params
        .iter()
        .zip(&v.values)
        .map(|(p, &x)| p.show(x))
        .collect()
}

/// The rows shown: the front, then the current file and the chosen variant when they
/// are not on it.
fn shown(o: &Outcome) -> Vec<usize> {
    let mut rows = o.front.clone();
    for extra in [Some(0), o.chosen].into_iter().flatten() {
        if !rows.contains(&extra) && o.variants.get(extra).is_some() {
            rows.push(extra);
        }
    }
    rows
}

/// The front as a table, with a header saying what was searched and a footer with the
/// counts and the choice.
pub fn table(o: &Outcome, unicode: bool) -> String {
    let mut out = String::new();
    let several = o.traces.len() > 1;
    let _ = writeln!(
        out,
        "tune `{}`: {} parameters, {} variants ({}), {} dataset{}",
        o.service,
        o.params.len(),
        o.variants.len(),
        if o.space.method == "grid" {
            format!("the full grid of {}", o.space.grid)
        } else {
            format!(
                "{} sample of a grid of {}, seed {}",
                o.space.method, o.space.grid, o.space.seed
            )
        },
        o.traces.len(),
        if several { "s" } else { "" }
    );
    for t in &o.traces {
        let stat = match (t.static_replicas, t.static_cost) {
            (Some(k), Some(c)) => format!("static {k} replicas {}", f(c, 2)),
            _ => "no breach-free static count".into(),
        };
        let _ = writeln!(
            out,
            "  {} ({} ticks): oracle {} {}, {stat}",
            t.path,
            t.ticks,
            o.cost_unit,
            f(t.oracle_cost, 2)
        );
    }
    let mut t = Table::new();
    t.load_preset(if unicode {
        presets::UTF8_FULL_CONDENSED
    } else {
        presets::ASCII_FULL_CONDENSED
    });
    let mut header = vec!["".to_string(), "#".to_string()];
    header.extend(o.params.iter().map(|p| format!("${}", p.name)));
    header.push(o.cost_unit.clone());
    if several {
        header.push("worst x oracle".into());
    }
    header.push("breach min".into());
    if several {
        header.push("worst breach min".into());
    }
    header.push("reversals".into());
    if several {
        header.push("worst reversals".into());
    }
    t.set_header(header);
    for i in shown(o) {
        let v = &o.variants[i];
        let Some(tot) = &v.totals else { continue };
        let mut row = vec![marks(o, i), i.to_string()];
        row.extend(values_text(o, v));
        row.push(f(tot.cost, 2));
        if several {
            row.push(tot.worst_cost_vs_oracle.map_or("-".into(), |x| f(x, 2)));
        }
        row.push(f(tot.breach_minutes, 1));
        if several {
            row.push(f(tot.worst_breach_minutes, 1));
        }
        row.push(tot.reversals.to_string());
        if several {
            row.push(tot.worst_reversals.to_string());
        }
        t.add_row(row);
    }
    for (k, col) in t.column_iter_mut().enumerate() {
        if k >= 1 {
            col.set_cell_alignment(CellAlignment::Right);
        }
    }
    let _ = writeln!(out, "{t}");
    let rejected = o.count(|v| matches!(v.outcome, VariantOutcome::Rejected(_)));
    let not_run = o.count(|v| v.outcome == VariantOutcome::NotRun);
    let infeasible = o.count(|v| v.totals.is_some() && !v.feasible);
    let _ = writeln!(
        out,
        "front: {} of {} variants scored; {} rejected, {} outside the constraints{}",
        o.front.len(),
        o.variants.len() - rejected - not_run,
        rejected,
        infeasible,
        if o.interrupted {
            format!("; interrupted: {not_run} not run")
        } else {
            String::new()
        }
    );
    if let Some((_, why)) = o.variants.iter().find_map(|v| match &v.outcome {
        VariantOutcome::Rejected(w) => Some((v, w)),
        _ => None,
    }) {
        let _ = writeln!(out, "first rejection: {why}");
    }
    let _ = writeln!(
        out,
        "* the current file   > chosen: the cheapest front variant with at most {} breach minutes and {} reversals on any dataset{}",
        o.limits.max_breach_minutes.map_or("any".into(), |m| f(m, 1)),
        o.limits.max_reversals.map_or("any".into(), |m| m.to_string()),
        if o.constraints == super::Constraints::default() {
            " (the current file's)"
        } else {
            ""
        }
    );
    match o.chosen {
        Some(c) => {
            let _ = writeln!(out, "chosen: #{c} {}", changes(o, c).join(", "));
        }
        None => {
            let _ = writeln!(out, "chosen: none (no front variant keeps to the limits)");
        }
    }
    out
}

/// What variant `i` changes against the current file: `$thr 250ms → 300ms`.
pub fn changes(o: &Outcome, i: usize) -> Vec<String> {
    let (Some(cur), Some(v)) = (o.variants.first(), o.variants.get(i)) else {
        return Vec::new();
    };
    let c: Vec<String> = o
        .params
        .iter()
        .zip(cur.values.iter().zip(&v.values))
        .filter(|(_, (a, b))| a != b)
        .map(|(p, (&a, &b))| format!("${} {} -> {}", p.name, p.show(a), p.show(b)))
        .collect();
    if c.is_empty() {
        vec!["(the current values)".into()]
    } else {
        c
    }
}

/// One variant in the JSON output.
#[derive(Serialize)]
struct JsonVariant<'a> {
    variant: usize,
    current: bool,
    chosen: bool,
    on_front: bool,
    values: serde_json::Map<String, serde_json::Value>,
    totals: &'a Totals,
    traces: &'a [TraceScores],
}

#[derive(Serialize)]
struct JsonParam {
    name: String,
    default: String,
    values: usize,
}

#[derive(Serialize)]
struct Json<'a> {
    service: &'a str,
    cost_unit: &'a str,
    params: Vec<JsonParam>,
    datasets: &'a [super::TraceInfo],
    space: &'a super::SpaceInfo,
    constraints: &'a super::Constraints,
    limits: &'a super::Constraints,
    variants: usize,
    scored: usize,
    rejected: usize,
    infeasible: usize,
    interrupted: bool,
    threads: usize,
    /// Wall-clock seconds: the shared per-dataset work, then the variants.
    shared_seconds: f64,
    variant_seconds: f64,
    variants_per_second: f64,
    front: Vec<JsonVariant<'a>>,
    current: Option<JsonVariant<'a>>,
    chosen: Option<JsonVariant<'a>>,
    changes: Vec<String>,
}

fn json_variant<'a>(o: &'a Outcome, i: usize) -> Option<JsonVariant<'a>> {
    let v = o.variants.get(i)?;
    let totals = v.totals.as_ref()?;
    let VariantOutcome::Scored(traces) = &v.outcome else {
        return None;
    };
    let values = o
        .params
        .iter()
        .zip(values_text(o, v))
        .map(|(p, t)| (p.name.clone(), serde_json::Value::String(t)))
        .collect();
    Some(JsonVariant {
        variant: i,
        current: i == 0,
        chosen: o.chosen == Some(i),
        on_front: o.front.contains(&i),
        values,
        totals,
        traces,
    })
}

/// The JSON document of `--format json`.
pub fn json(o: &Outcome) -> Result<String, serde_json::Error> {
    let rejected = o.count(|v| matches!(v.outcome, VariantOutcome::Rejected(_)));
    let doc = Json {
        service: &o.service,
        cost_unit: &o.cost_unit,
        params: o
            .params
            .iter()
            .map(|p| JsonParam {
                name: p.name.clone(),
                default: p.show(p.default),
                values: p.values.len(),
            })
            .collect(),
        datasets: &o.traces,
        space: &o.space,
        constraints: &o.constraints,
        limits: &o.limits,
        variants: o.variants.len(),
        scored: o.count(|v| v.totals.is_some()),
        rejected,
        infeasible: o.count(|v| v.totals.is_some() && !v.feasible),
        interrupted: o.interrupted,
        threads: o.threads,
        shared_seconds: o.shared_seconds,
        variant_seconds: o.variant_seconds,
        variants_per_second: if o.variant_seconds > 0.0 {
            o.count(|v| v.outcome != VariantOutcome::NotRun) as f64 / o.variant_seconds
        } else {
            0.0
        },
        front: o.front.iter().filter_map(|&i| json_variant(o, i)).collect(),
        current: json_variant(o, 0),
        chosen: o.chosen.and_then(|i| json_variant(o, i)),
        changes: o.chosen.map(|c| changes(o, c)).unwrap_or_default(),
    };
    serde_json::to_string_pretty(&doc)
}

const FRONT_COLOR: &str = "#d62728";
const OTHER_COLOR: &str = "#9a9a9a";
const CURRENT_COLOR: &str = "#1f77b4";

/// The chart: every scored variant as a grey dot at (total cost, total breach minutes),
/// the front as red dots joined by a step line, the current file as a blue square and
/// the chosen variant ringed.
pub fn svg(o: &Outcome) -> String {
    let (w, h) = (900.0, 600.0);
    let title = format!(
        "tune `{}`: {} against breach minutes, {} variants",
        o.service,
        o.cost_unit,
        o.variants.len()
    );
    let mut s = chart::open(w, h, &title);
    let pts: Vec<(usize, f64, f64)> = o
        .variants
        .iter()
        .enumerate()
        .filter_map(|(i, v)| v.totals.as_ref().map(|t| (i, t.cost, t.breach_minutes)))
        .collect();
    let (left, right, top, bottom) = (80.0, w - 30.0, 50.0, h - 90.0);
    let fin = |v: f64| chart::finite_or_zero(v);
    let xmin = pts.iter().map(|p| fin(p.1)).fold(f64::INFINITY, f64::min);
    let xmax = pts
        .iter()
        .map(|p| fin(p.1))
        .fold(f64::NEG_INFINITY, f64::max);
    let ymax = chart::value_axis_top(pts.iter().map(|p| &p.2));
    let (xmin, xmax) = if pts.is_empty() {
        (0.0, 1.0)
    } else {
        let pad = ((xmax - xmin) * 0.05).max(xmax.abs() * 0.01).max(1e-9);
        (xmin - pad, xmax + pad)
    };
    let x = |v: f64| left + (fin(v) - xmin) / (xmax - xmin) * (right - left);
    // Breach minutes on a log(1 + m) scale: the front sits near zero while poor variants
    // breach for days.
    let ln_top = (1.0 + ymax).ln();
    let y = |v: f64| bottom - (1.0 + fin(v).max(0.0)).ln() / ln_top * (bottom - top);
    // Axes, ticks and titles.
    let _ = writeln!(
        s,
        r#"<g class="axes" stroke="black"><line x1="{left}" y1="{bottom}" x2="{right}" y2="{bottom}"/><line x1="{left}" y1="{top}" x2="{left}" y2="{bottom}"/></g>"#
    );
    for k in 0..=5 {
        let fx = xmin + (xmax - xmin) * f64::from(k) / 5.0;
        let _ = writeln!(
            s,
            r#"<text x="{:.1}" y="{}" text-anchor="middle">{}</text>"#,
            x(fx),
            bottom + 18.0,
            axis_label(fx)
        );
    }
    for fy in std::iter::once(0.0).chain((0..12).flat_map(|e| {
        let p = 10f64.powi(e);
        [p, 3.0 * p]
    })) {
        if fy > ymax {
            break;
        }
        let _ = writeln!(
            s,
            r#"<text x="{}" y="{:.1}" text-anchor="end">{fy}</text><line x1="{}" y1="{:.1}" x2="{left}" y2="{:.1}" stroke="black"/>"#,
            left - 8.0,
            y(fy) + 4.0,
            left - 4.0,
            y(fy),
            y(fy)
        );
    }
    let _ = writeln!(
        s,
        r#"<text x="{}" y="{}" text-anchor="middle">{}</text>"#,
        (left + right) / 2.0,
        bottom + 40.0,
        esc(&format!("{} (total over the datasets)", o.cost_unit))
    );
    let _ = writeln!(
        s,
        r#"<text x="18" y="{}" text-anchor="middle" transform="rotate(-90 18 {})">breach minutes (total, log scale)</text>"#,
        (top + bottom) / 2.0,
        (top + bottom) / 2.0
    );
    // Every variant, then the front over them.
    let _ = writeln!(s, r#"<g class="variants" fill="{OTHER_COLOR}">"#);
    for &(i, cx, cy) in &pts {
        if !o.front.contains(&i) {
            // Outside the constraints: hollow.
            let style = if o.variants[i].feasible {
                ""
            } else {
                r##" fill="none" stroke="#bbbbbb""##
            };
            let _ = writeln!(
                s,
                r#"<circle data-variant="{i}" cx="{:.1}" cy="{:.1}" r="2.5"{style}/>"#,
                x(cx),
                y(cy)
            );
        }
    }
    let _ = writeln!(s, "</g>");
    let mut front: Vec<(usize, f64, f64)> = pts
        .iter()
        .filter(|p| o.front.contains(&p.0))
        .copied()
        .collect();
    front.sort_by(|a, b| a.1.partial_cmp(&b.1).unwrap_or(std::cmp::Ordering::Equal));
    let line: Vec<String> = front
        .iter()
        .map(|&(_, cx, cy)| format!("{:.1},{:.1}", x(cx), y(cy)))
        .collect();
    let _ = writeln!(
        s,
        r#"<polyline class="front" fill="none" stroke="{FRONT_COLOR}" stroke-width="1.2" stroke-opacity="0.6" points="{}"/>"#,
        line.join(" ")
    );
    let _ = writeln!(s, r#"<g class="front" fill="{FRONT_COLOR}">"#);
    for &(i, cx, cy) in &front {
        let _ = writeln!(
            s,
            r#"<circle data-variant="{i}" cx="{:.1}" cy="{:.1}" r="4"/>"#,
            x(cx),
            y(cy)
        );
    }
    let _ = writeln!(s, "</g>");
    if let Some(&(_, cx, cy)) = pts.iter().find(|p| p.0 == 0) {
        let _ = writeln!(
            s,
            r#"<rect class="current" x="{:.1}" y="{:.1}" width="10" height="10" fill="none" stroke="{CURRENT_COLOR}" stroke-width="2.5"/>"#,
            x(cx) - 5.0,
            y(cy) - 5.0
        );
    }
    if let Some(&(_, cx, cy)) = o.chosen.and_then(|c| pts.iter().find(|p| p.0 == c)) {
        let _ = writeln!(
            s,
            r#"<circle class="chosen" cx="{:.1}" cy="{:.1}" r="9" fill="none" stroke="black" stroke-width="1.5"/>"#,
            x(cx),
            y(cy)
        );
    }
    // Legend.
    let ly = h - 28.0;
    let _ = writeln!(
        s,
        r#"<g class="legend"><circle cx="{left}" cy="{ly}" r="2.5" fill="{OTHER_COLOR}"/><text x="{}" y="{}">variant (hollow: outside the constraints)</text><circle cx="{}" cy="{ly}" r="4" fill="{FRONT_COLOR}"/><text x="{}" y="{}">Pareto front</text><rect x="{}" y="{}" width="10" height="10" fill="none" stroke="{CURRENT_COLOR}" stroke-width="2.5"/><text x="{}" y="{}">current file</text><circle cx="{}" cy="{ly}" r="9" fill="none" stroke="black" stroke-width="1.5"/><text x="{}" y="{}">chosen</text></g>"#,
        left + 8.0,
        ly + 4.0,
        left + 290.0,
        left + 298.0,
        ly + 4.0,
        left + 425.0,
        ly - 5.0,
        left + 440.0,
        ly + 4.0,
        left + 565.0,
        left + 580.0,
        ly + 4.0
    );
    chart::close(&mut s);
    s
}

/// An axis number: no more decimals than it needs.
fn axis_label(v: f64) -> String {
    if v.abs() >= 100.0 {
        format!("{v:.0}")
    } else if v.abs() >= 1.0 {
        format!("{v:.1}")
    } else {
        format!("{v:.2}")
    }
}
