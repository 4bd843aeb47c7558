//! The `diff --plot` chart: two policies' requested replicas (step lines, right axis)
//! over the demand and each policy's ready capacity (left axis), drawn with
//! `crate::chart` like the backtest chart (`backtest::output::svg`).

use crate::backtest::Timeline;
use crate::chart::{self, esc, Frame};
use std::fmt::Write as _;

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
    let mut s = chart::open(w, h, title);
    let ts = old.timestamp_ms.iter().chain(&new.timestamp_ms);
    let (Some(t0), Some(t1)) = (ts.clone().min().copied(), ts.max().copied()) else {
        chart::close(&mut s);
        return s;
    };
    let fr = Frame::standard(
        t0,
        t1,
        chart::value_axis_top(
            old.demand
                .iter()
                .chain(&old.capacity)
                .chain(&new.demand)
                .chain(&new.capacity),
        ),
        chart::count_axis_top(old.requested.iter().chain(&new.requested)),
    );
    fr.axes(&mut s);
    fr.axis_titles(
        &mut s,
        w,
        "demand and ready capacity (per second)",
        "requested replicas",
    );
    let y = |v: f64| fr.y(v);
    let yr = |v: f64| fr.y_right(v);
    let old_name = format!("old: {old_label}");
    let new_name = format!("new: {new_label}");
    let series: Vec<(String, &str, String, &str)> = vec![
        (
            "demand".into(),
            "#7f7f7f",
            fr.points(&new.timestamp_ms, &|i| new.demand[i], &y, false),
            "",
        ),
        (
            format!("{old_name} (ready capacity)"),
            OLD_COLOR,
            fr.points(&old.timestamp_ms, &|i| old.capacity[i], &y, true),
            r#" stroke-opacity="0.35" stroke-dasharray="2 3""#,
        ),
        (
            format!("{new_name} (ready capacity)"),
            NEW_COLOR,
            fr.points(&new.timestamp_ms, &|i| new.capacity[i], &y, true),
            r#" stroke-opacity="0.35" stroke-dasharray="2 3""#,
        ),
        (
            format!("{old_name} (requested replicas)"),
            OLD_COLOR,
            fr.points(
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
            fr.points(
                &new.timestamp_ms,
                &|i| f64::from(new.requested[i]),
                &yr,
                true,
            ),
            r#" stroke-dasharray="5 3""#,
        ),
    ];
    draw(&mut s, &fr, &series);
    chart::close(&mut s);
    s
}

/// One line of an overlay: its legend name, colour, points and extra SVG attributes.
type Series<'a> = (String, &'a str, String, &'a str);

/// The polylines, then their legend below the time axis (3 to a row).
fn draw(s: &mut String, fr: &Frame, series: &[Series<'_>]) {
    for (name, color, pts, extra) in series {
        let _ = writeln!(
            s,
            r#"<polyline class="series" data-name="{}" fill="none" stroke="{color}" stroke-width="1.4"{extra} points="{pts}"/>"#,
            esc(name)
        );
    }
    let _ = writeln!(s, r#"<g class="legend">"#);
    for (k, (name, color, _, extra)) in series.iter().enumerate() {
        let col = (k % 3) as f64;
        let row = (k / 3) as f64;
        let lx = fr.left + col * 330.0;
        let ly = fr.bottom + 62.0 + row * 18.0;
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
}

/// Colours of the `compare --plot` policies, in order (then repeated).
const PALETTE: [&str; 6] = [
    "#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b",
];

/// The `compare --plot` chart: the demand and each policy's ready capacity (left axis;
/// a restart dip shows as a drop), and each policy's requested replicas (right axis,
/// dashed). The timelines come from the same dataset.
pub fn capacity_overlay_svg(title: &str, runs: &[(&str, &Timeline)]) -> String {
    let (w, h) = (1200.0, 600.0);
    let mut s = chart::open(w, h, title);
    let ts = runs.iter().flat_map(|(_, t)| &t.timestamp_ms);
    let (Some(t0), Some(t1)) = (ts.clone().min().copied(), ts.max().copied()) else {
        chart::close(&mut s);
        return s;
    };
    let fr = Frame::standard(
        t0,
        t1,
        chart::value_axis_top(
            runs.iter()
                .flat_map(|(_, t)| t.demand.iter().chain(&t.capacity)),
        ),
        chart::count_axis_top(runs.iter().flat_map(|(_, t)| &t.requested)),
    );
    fr.axes(&mut s);
    fr.axis_titles(
        &mut s,
        w,
        "demand and ready capacity (per second)",
        "requested replicas (dashed)",
    );
    let y = |v: f64| fr.y(v);
    let yr = |v: f64| fr.y_right(v);
    let mut series: Vec<Series> = Vec::new();
    if let Some((_, t)) = runs.first() {
        series.push((
            "demand".into(),
            "#7f7f7f",
            fr.points(&t.timestamp_ms, &|i| t.demand[i], &y, false),
            "",
        ));
    }
    for (k, (label, t)) in runs.iter().enumerate() {
        let color = PALETTE[k % PALETTE.len()];
        series.push((
            format!("{label} (ready capacity)"),
            color,
            fr.points(&t.timestamp_ms, &|i| t.capacity[i], &y, true),
            "",
        ));
    }
    for (k, (label, t)) in runs.iter().enumerate() {
        let color = PALETTE[k % PALETTE.len()];
        series.push((
            format!("{label} (replicas)"),
            color,
            fr.points(&t.timestamp_ms, &|i| f64::from(t.requested[i]), &yr, true),
            r#" stroke-opacity="0.5" stroke-dasharray="5 3""#,
        ));
    }
    draw(&mut s, &fr, &series);
    chart::close(&mut s);
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
        let s = capacity_overlay_svg("t", &[("a", &t), ("b", &t)]);
        assert!(s.starts_with("<svg") && s.ends_with("</svg>\n"));
    }
}
