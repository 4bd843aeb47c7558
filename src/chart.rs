//! SVG charts over time, written by hand (plain XML, no font or system dependency): the
//! canvas, the frame with its three axes (time along the bottom, values on the left,
//! replicas on the right), and max-downsampled series. The backtest chart
//! (`backtest::output::svg`) and the `diff` overlay (`snapshot::plot`) draw with these.

use crate::timestamp::format_timestamp;
use std::fmt::Write as _;

/// Text escaped for XML content and attribute values.
pub fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// The `<svg>` element opened on a white `width`×`height` canvas, with a centred title.
pub fn open(width: f64, height: f64, title: &str) -> String {
    let (w, h) = (width, height);
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
    s
}

/// Closes the `<svg>` element.
pub fn close(s: &mut String) {
    s.push_str("</svg>\n");
}

/// A value as drawn: infinite and missing values sit on the axis.
pub fn finite_or_zero(v: f64) -> f64 {
    if v.is_finite() {
        v
    } else {
        0.0
    }
}

/// The top of a value axis: 5% above the largest finite value.
pub fn value_axis_top<'a>(values: impl Iterator<Item = &'a f64>) -> f64 {
    values
        .map(|v| finite_or_zero(*v))
        .fold(0.0, f64::max)
        .max(1e-9)
        * 1.05
}

/// The top of a replica axis: 10% above the largest count (at least 1).
pub fn count_axis_top<'a>(counts: impl Iterator<Item = &'a u32>) -> f64 {
    f64::from(counts.copied().max().unwrap_or(1).max(1)) * 1.1
}

/// The plotting area of a chart and the ranges of its three axes.
pub struct Frame {
    pub left: f64,
    pub right: f64,
    pub top: f64,
    pub bottom: f64,
    /// Time range (ms) along the x axis.
    pub t0: i64,
    pub t1: i64,
    /// Top of the left (value) axis and of the right (replicas) axis.
    pub ymax: f64,
    pub rmax: f64,
}

impl Frame {
    /// The plotting area both charts use on a 1200-pixel-wide canvas (room for axis
    /// labels on three sides), over the instants `t0..=t1` and value ranges up to
    /// `ymax` (left) and `rmax` (right).
    pub fn standard(t0: i64, t1: i64, ymax: f64, rmax: f64) -> Frame {
        Frame {
            left: 80.0,
            right: 1060.0,
            top: 50.0,
            bottom: 480.0,
            t0,
            t1: t1.max(t0 + 1),
            ymax,
            rmax,
        }
    }

    /// The x of an instant.
    pub fn x(&self, t: i64) -> f64 {
        let span = (self.t1 - self.t0).max(1) as f64;
        self.left + (t - self.t0) as f64 / span * (self.right - self.left)
    }

    /// The y of a value on the left axis (missing and infinite values on the axis).
    pub fn y(&self, v: f64) -> f64 {
        self.bottom - finite_or_zero(v) / self.ymax * (self.bottom - self.top)
    }

    /// The y of a replica count on the right axis.
    pub fn y_right(&self, v: f64) -> f64 {
        self.bottom - v / self.rmax * (self.bottom - self.top)
    }

    /// The three axis lines, round tick values on both value axes, and time labels at
    /// day/hour boundaries.
    pub fn axes(&self, s: &mut String) {
        let (l, rt, top, bot) = (self.left, self.right, self.top, self.bottom);
        for (x1, y1, x2, y2) in [(l, bot, rt, bot), (l, top, l, bot), (rt, top, rt, bot)] {
            let _ = writeln!(
                s,
                r#"<line x1="{x1}" y1="{y1}" x2="{x2}" y2="{y2}" stroke="black"/>"#
            );
        }
        let decimals = if self.ymax < 10.0 { 1 } else { 0 };
        for v in nice_ticks(self.ymax) {
            let _ = writeln!(
                s,
                r#"<text x="{}" y="{:.1}" text-anchor="end">{v:.decimals$}</text>"#,
                l - 6.0,
                self.y(v) + 4.0,
            );
        }
        for rv in nice_ticks(self.rmax)
            .into_iter()
            .filter(|v| v.fract() == 0.0)
        {
            let _ = writeln!(
                s,
                r#"<text x="{}" y="{:.1}">{rv:.0}</text>"#,
                rt + 6.0,
                self.y_right(rv) + 4.0,
            );
        }
        for t in time_ticks(self.t0, self.t1) {
            let full = format_timestamp(t).trim_end_matches('Z').replace('T', " ");
            // Midnight shows the date alone; other boundaries drop the seconds.
            let label = full
                .strip_suffix(" 00:00:00")
                .or_else(|| full.strip_suffix(":00"))
                .unwrap_or(&full);
            let _ = writeln!(
                s,
                r#"<text x="{:.1}" y="{}" text-anchor="middle">{}</text>"#,
                self.x(t),
                bot + 18.0,
                esc(label)
            );
            let _ = writeln!(
                s,
                r##"<line x1="{:.1}" y1="{bot}" x2="{:.1}" y2="{}" stroke="#888"/>"##,
                self.x(t),
                self.x(t),
                bot + 5.0
            );
        }
    }

    /// The titles of the left and the right axis, turned along them; `width` is the
    /// canvas width.
    pub fn axis_titles(&self, s: &mut String, width: f64, left: &str, right: &str) {
        let mid = (self.top + self.bottom) / 2.0;
        let _ = writeln!(
            s,
            r#"<text x="20" y="{mid}" text-anchor="middle" transform="rotate(-90 20 {mid})">{}</text>"#,
            esc(left)
        );
        let xr = width - 30.0;
        let _ = writeln!(
            s,
            r#"<text x="{xr}" y="{mid}" text-anchor="middle" transform="rotate(90 {xr} {mid})">{}</text>"#,
            esc(right)
        );
    }

    /// The `points` of a polyline over `timestamps`, max-downsampled to at most 2000
    /// buckets: `value(i)` is the i-th value, `proj` its y. A step line holds each value
    /// until the next one.
    pub fn points(
        &self,
        timestamps: &[i64],
        value: &dyn Fn(usize) -> f64,
        proj: &dyn Fn(f64) -> f64,
        step: bool,
    ) -> String {
        let n = timestamps.len();
        let buckets = n.min(2000);
        let mut pts = String::new();
        let mut prev: Option<f64> = None;
        for b in 0..buckets {
            let a = b * n / buckets;
            let e = ((b + 1) * n / buckets).max(a + 1).min(n);
            let v = (a..e).map(value).fold(f64::NEG_INFINITY, f64::max);
            let (xx, yy) = (self.x(timestamps[a]), proj(v));
            if step {
                if let Some(py) = prev {
                    let _ = write!(pts, "{xx:.1},{py:.1} ");
                }
            }
            let _ = write!(pts, "{xx:.1},{yy:.1} ");
            prev = Some(yy);
        }
        pts
    }
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

#[cfg(test)]
mod tests {
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

    #[test]
    fn text_is_escaped() {
        assert_eq!(esc(r#"a<b & "c">"#), "a&lt;b &amp; &quot;c&quot;&gt;");
        assert!(open(10.0, 5.0, "<x>").contains(">&lt;x&gt;</text>"));
    }
}
