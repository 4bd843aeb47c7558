//! The `diff --plot` chart: two policies' requested replicas (step lines, right axis)
//! over the demand and each policy's ready capacity (left axis). Plain SVG, laid out
//! like the backtest chart (`backtest::output::svg`).

use crate::backtest::Timeline;
use std::fmt::Write as _;

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

const OLD_COLOR: &str = "#d62728";
const NEW_COLOR: &str = "#1f77b4";

/// The overlay chart. `old_label` / `new_label` name the two versions (e.g. the paths
/// or `HEAD~1:rules/checkout.scale`). The timelines come from the same dataset; the
/// time axis is the union of both.
pub fn overlay_svg(
    title: &str,
    old_label: &str,
    old: &Timeline,
    new_label: &str,
    new: &Timeline,
) -> String {
    let (w, h) = (1200.0, 580.0);
    let (l, rt, top, bot) = (80.0, 1060.0, 50.0, 480.0);
    let mut s = String::new();
    let _ = writeln!(
        s,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" viewBox="0 0 {w} {h}" font-family="sans-serif" font-size="12">"#
    );
    let _ = writeln!(
        s,
        r#"<rect x="0" y="0" width="{w}" height="{h}" fill="white"/>"#
    );
    let _ = writeln!(
        s,
        r#"<text x="{}" y="28" font-size="16" text-anchor="middle">{}</text>"#,
        w / 2.0,
        esc(title)
    );
    let ts = old.timestamp_ms.iter().chain(&new.timestamp_ms);
    let (Some(t0), Some(t1)) = (ts.clone().min().copied(), ts.max().copied()) else {
        s.push_str("</svg>\n");
        return s;
    };
    let t0 = t0 as f64;
    let t1 = (t1 as f64).max(t0 + 1.0);
    use crate::backtest::output::{count_axis_top, finite_or_zero, value_axis_top};
    let ymax = value_axis_top(
        old.demand
            .iter()
            .chain(&old.capacity)
            .chain(&new.demand)
            .chain(&new.capacity),
    );
    let rmax = count_axis_top(old.requested.iter().chain(&new.requested));
    let x = |t: i64| l + (t as f64 - t0) / (t1 - t0) * (rt - l);
    let y = |v: f64| bot - finite_or_zero(v) / ymax * (bot - top);
    let yr = |v: f64| bot - v / rmax * (bot - top);
    // Axes and ticks.
    for (x1, y1, x2, y2) in [(l, bot, rt, bot), (l, top, l, bot), (rt, top, rt, bot)] {
        let _ = writeln!(
            s,
            r#"<line x1="{x1}" y1="{y1}" x2="{x2}" y2="{y2}" stroke="black"/>"#
        );
    }
    crate::backtest::output::write_axis_labels(
        &mut s,
        &crate::backtest::output::Frame {
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
        r#"<text x="20" y="{0}" text-anchor="middle" transform="rotate(-90 20 {0})">demand and ready capacity (per second)</text>"#,
        (top + bot) / 2.0
    );
    let _ = writeln!(
        s,
        r#"<text x="{0}" y="{1}" text-anchor="middle" transform="rotate(90 {0} {1})">requested replicas</text>"#,
        w - 30.0,
        (top + bot) / 2.0
    );
    // Series, max-downsampled to at most 2000 buckets.
    let line = |tsv: &[i64], vals: &dyn Fn(usize) -> f64, proj: &dyn Fn(f64) -> f64, step: bool| {
        let n = tsv.len();
        let buckets = n.min(2000);
        let mut pts = String::new();
        let mut prev: Option<f64> = None;
        for b in 0..buckets {
            let a = b * n / buckets;
            let e = ((b + 1) * n / buckets).max(a + 1).min(n);
            let v = (a..e).map(vals).fold(f64::NEG_INFINITY, f64::max);
            let (xx, yy) = (x(tsv[a]), proj(v));
            if step {
                if let Some(py) = prev {
                    let _ = write!(pts, "{xx:.1},{py:.1} ");
                }
            }
            let _ = write!(pts, "{xx:.1},{yy:.1} ");
            prev = Some(yy);
        }
        pts
    };
    let old_name = format!("old: {old_label}");
    let new_name = format!("new: {new_label}");
    let series: Vec<(String, &str, String, &str)> = vec![
        (
            "demand".into(),
            "#7f7f7f",
            line(&new.timestamp_ms, &|i| new.demand[i], &y, false),
            "",
        ),
        (
            format!("{old_name} (ready capacity)"),
            OLD_COLOR,
            line(&old.timestamp_ms, &|i| old.capacity[i], &y, true),
            r#" stroke-opacity="0.35" stroke-dasharray="2 3""#,
        ),
        (
            format!("{new_name} (ready capacity)"),
            NEW_COLOR,
            line(&new.timestamp_ms, &|i| new.capacity[i], &y, true),
            r#" stroke-opacity="0.35" stroke-dasharray="2 3""#,
        ),
        (
            format!("{old_name} (requested replicas)"),
            OLD_COLOR,
            line(
                &old.timestamp_ms,
                &|i| f64::from(old.requested[i]),
                &yr,
                true,
            ),
            "",
        ),
        (
            format!("{new_name} (requested replicas)"),
            NEW_COLOR,
            line(
                &new.timestamp_ms,
                &|i| f64::from(new.requested[i]),
                &yr,
                true,
            ),
            r#" stroke-dasharray="5 3""#,
        ),
    ];
    for (name, color, pts, extra) in &series {
        let _ = writeln!(
            s,
            r#"<polyline class="series" data-name="{}" fill="none" stroke="{color}" stroke-width="1.4"{extra} points="{pts}"/>"#,
            esc(name)
        );
    }
    // Legend, below the time axis.
    let _ = writeln!(s, r#"<g class="legend">"#);
    for (k, (name, color, _, extra)) in series.iter().enumerate() {
        let col = (k % 3) as f64;
        let row = (k / 3) as f64;
        let lx = l + col * 330.0;
        let ly = bot + 62.0 + row * 18.0;
        let _ = writeln!(
            s,
            r#"<line x1="{lx}" y1="{ly}" x2="{}" y2="{ly}" stroke="{color}" stroke-width="2"{extra}/>"#,
            lx + 22.0
        );
        let _ = writeln!(
            s,
            r#"<text x="{}" y="{}">{}</text>"#,
            lx + 28.0,
            ly + 4.0,
            esc(name)
        );
    }
    let _ = writeln!(s, "</g>");
    s.push_str("</svg>\n");
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_timelines_still_make_an_svg() {
        let t = Timeline::default();
        let s = overlay_svg("t", "a", &t, "b", &t);
        assert!(s.starts_with("<svg") && s.ends_with("</svg>\n"));
    }
}
