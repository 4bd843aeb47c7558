//! Incremental window aggregates over (t − window, t]. Each push and each query is
//! amortised O(1) for avg/sum/min/max/rate; quantiles keep the window's values in a
//! sorted buffer (O(log n) search plus a short memmove, bounded by the window's samples).
//!
//! Memory is bounded whatever the stream: a window holds at most [`MAX_WINDOW_SAMPLES`]
//! samples. Where the sample interval is known before work starts (a backtest's grid, a
//! declared `tick`), [`check_window_sizes`] refuses a window that would need more; online,
//! with an unknown interval, a window that fills up drops its oldest samples early and
//! says so ([`Window::truncated`]).

use crate::ir::{self, AggFunc, Millis};
use crate::timestamp::format_duration;
use std::collections::VecDeque;

/// The most samples one window holds: 16–24 MB of state (a `p99` over a day of one-second
/// samples needs 86 400; over a year, 31.5 million).
pub const MAX_WINDOW_SAMPLES: usize = 1_000_000;

/// An aggregate whose window would hold more than [`MAX_WINDOW_SAMPLES`] samples at
/// the given interval.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[error(
    "`{func}({metric}, {window})` would hold {samples} samples at one every {tick}, more than \
     the limit of {MAX_WINDOW_SAMPLES} per window",
    window = format_duration(*window),
    tick = format_duration(*tick)
)]
pub struct WindowTooLarge {
    pub func: String,
    pub metric: String,
    pub window: Millis,
    pub tick: Millis,
    pub samples: i64,
}

/// Refuses, before any work, a service whose windows would outgrow
/// [`MAX_WINDOW_SAMPLES`] with one sample every `tick_ms`.
pub fn check_window_sizes(service: &ir::Service, tick_ms: Millis) -> Result<(), WindowTooLarge> {
    if tick_ms <= 0 {
        return Ok(());
    }
    for a in &service.aggregates {
        let samples = a.window / tick_ms + 1;
        if samples > MAX_WINDOW_SAMPLES as i64 {
            return Err(WindowTooLarge {
                func: a.func.name(),
                metric: service.metrics[a.metric.0].name.clone(),
                window: a.window,
                tick: tick_ms,
                samples,
            });
        }
    }
    Ok(())
}

/// The running state of one aggregate.
#[derive(Clone, Debug)]
pub struct Window {
    func: AggFunc,
    width: Millis,
    samples: VecDeque<(Millis, f64)>,
    sum: f64,
    /// Indices into `samples` (offset by `popped`) forming a monotonic deque.
    mono: VecDeque<(u64, f64)>,
    pushed: u64,
    popped: u64,
    /// Sum of counter increases between consecutive samples in the window.
    increase: f64,
    sorted: Vec<f64>,
    /// Whether samples were ever dropped early to stay within [`MAX_WINDOW_SAMPLES`].
    truncated: bool,
}

impl Window {
    pub fn new(func: AggFunc, width: Millis) -> Self {
        Window {
            func,
            width,
            samples: VecDeque::new(),
            sum: 0.0,
            mono: VecDeque::new(),
            pushed: 0,
            popped: 0,
            increase: 0.0,
            sorted: Vec::new(),
            truncated: false,
        }
    }

    /// Whether the window ever dropped samples still inside it because it held
    /// [`MAX_WINDOW_SAMPLES`]: its value then covers the newest samples only.
    pub fn truncated(&self) -> bool {
        self.truncated
    }

    /// Adds the sample at `t` (NaN = missing: ignored) and drops samples at or before
    /// `t − width`.
    pub fn push(&mut self, t: Millis, v: f64) {
        if !v.is_nan() {
            self.add(t, v);
        }
        self.evict(t - self.width);
        if self.samples.len() > MAX_WINDOW_SAMPLES {
            // Drop the oldest sample early, through the same path as a timed eviction.
            if let Some(&(oldest, _)) = self.samples.front() {
                self.truncated = true;
                self.evict(oldest);
            }
        }
    }

    fn add(&mut self, t: Millis, v: f64) {
        match self.func {
            AggFunc::Avg | AggFunc::Sum => self.sum += v,
            AggFunc::Min => {
                while self.mono.back().is_some_and(|&(_, b)| b >= v) {
                    self.mono.pop_back();
                }
                self.mono.push_back((self.pushed, v));
            }
            AggFunc::Max => {
                while self.mono.back().is_some_and(|&(_, b)| b <= v) {
                    self.mono.pop_back();
                }
                self.mono.push_back((self.pushed, v));
            }
            AggFunc::Rate => {
                if let Some(&(_, prev)) = self.samples.back() {
                    self.increase += counter_increase(prev, v);
                }
            }
            AggFunc::Quantile(_) => {
                let at = self.sorted.partition_point(|&x| x < v);
                self.sorted.insert(at, v);
            }
        }
        self.samples.push_back((t, v));
        self.pushed += 1;
    }

    fn evict(&mut self, cutoff: Millis) {
        while let Some(&(t, v)) = self.samples.front() {
            if t > cutoff {
                break;
            }
            self.samples.pop_front();
            let index = self.popped;
            self.popped += 1;
            match self.func {
                AggFunc::Avg | AggFunc::Sum => self.sum -= v,
                AggFunc::Min | AggFunc::Max => {
                    if self.mono.front().is_some_and(|&(i, _)| i == index) {
                        self.mono.pop_front();
                    }
                }
                AggFunc::Rate => {
                    if let Some(&(_, next)) = self.samples.front() {
                        self.increase -= counter_increase(v, next);
                    }
                }
                AggFunc::Quantile(_) => {
                    let at = self.sorted.partition_point(|&x| x < v);
                    if at < self.sorted.len() {
                        self.sorted.remove(at);
                    }
                }
            }
        }
        if self.samples.is_empty() {
            // Keep floating-point drift from accumulating across empty windows.
            self.sum = 0.0;
            self.increase = 0.0;
        }
    }

    /// The aggregate's value, NaN when the window holds no sample (or, for `rate`,
    /// fewer than two).
    pub fn value(&self) -> f64 {
        let n = self.samples.len();
        if n == 0 {
            return f64::NAN;
        }
        match self.func {
            AggFunc::Avg => self.sum / n as f64,
            AggFunc::Sum => self.sum,
            AggFunc::Min | AggFunc::Max => self.mono.front().map_or(f64::NAN, |&(_, v)| v),
            AggFunc::Rate => {
                let (Some(&(t0, _)), Some(&(t1, _))) = (self.samples.front(), self.samples.back())
                else {
                    return f64::NAN;
                };
                if n < 2 || t1 == t0 {
                    return f64::NAN;
                }
                self.increase.max(0.0) / ((t1 - t0) as f64 / 1000.0)
            }
            AggFunc::Quantile(q) => quantile(&self.sorted, q),
        }
    }
}

/// A counter's increase from `a` to `b`; a drop is a reset, after which `b` counts in full.
fn counter_increase(a: f64, b: f64) -> f64 {
    if b >= a {
        b - a
    } else {
        b
    }
}

/// The q-quantile of sorted values, interpolating linearly between closest ranks
/// (rank = q × (n − 1), as Prometheus' `quantile_over_time` and numpy's default do).
pub fn quantile(sorted: &[f64], q: f64) -> f64 {
    match sorted.len() {
        0 => f64::NAN,
        1 => sorted[0],
        n => {
            let rank = q * (n - 1) as f64;
            let lo = rank.floor() as usize;
            let hi = (lo + 1).min(n - 1);
            let frac = rank - lo as f64;
            sorted[lo] + (sorted[hi] - sorted[lo]) * frac
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The definition, computed the slow way.
    fn naive(func: AggFunc, width: Millis, samples: &[(Millis, f64)], t: Millis) -> f64 {
        let inside: Vec<(Millis, f64)> = samples
            .iter()
            .copied()
            .filter(|&(s, v)| s > t - width && s <= t && !v.is_nan())
            .collect();
        if inside.is_empty() {
            return f64::NAN;
        }
        let vals: Vec<f64> = inside.iter().map(|x| x.1).collect();
        match func {
            AggFunc::Avg => vals.iter().sum::<f64>() / vals.len() as f64,
            AggFunc::Sum => vals.iter().sum(),
            AggFunc::Min => vals.iter().copied().fold(f64::INFINITY, f64::min),
            AggFunc::Max => vals.iter().copied().fold(f64::NEG_INFINITY, f64::max),
            AggFunc::Rate => {
                if inside.len() < 2 || inside[0].0 == inside[inside.len() - 1].0 {
                    return f64::NAN;
                }
                let inc: f64 = inside
                    .windows(2)
                    .map(|w| counter_increase(w[0].1, w[1].1))
                    .sum();
                inc / ((inside[inside.len() - 1].0 - inside[0].0) as f64 / 1000.0)
            }
            AggFunc::Quantile(q) => {
                let mut s = vals.clone();
                s.sort_by(f64::total_cmp);
                quantile(&s, q)
            }
        }
    }

    fn close(a: f64, b: f64) -> bool {
        (a.is_nan() && b.is_nan()) || (a - b).abs() <= 1e-6 * (1.0 + a.abs().max(b.abs()))
    }

    #[test]
    fn window_is_left_open_right_closed() {
        let mut w = Window::new(AggFunc::Avg, 300_000);
        w.push(0, 10.0);
        w.push(60_000, 20.0);
        assert_eq!(w.value(), 15.0);
        w.push(300_000, 30.0); // (0, 300000]: the sample at 0 leaves
        assert_eq!(w.value(), 25.0);
    }

    #[test]
    fn a_window_holds_at_most_the_limit() {
        let mut w = Window::new(AggFunc::Sum, 365 * 86_400_000);
        for i in 0..(MAX_WINDOW_SAMPLES as i64 + 10) {
            w.push(i * 1000, 1.0);
        }
        assert!(w.truncated());
        assert_eq!(w.samples.len(), MAX_WINDOW_SAMPLES);
        assert_eq!(w.value(), MAX_WINDOW_SAMPLES as f64);
        let mut small = Window::new(AggFunc::Avg, 60_000);
        small.push(0, 1.0);
        assert!(!small.truncated());
    }

    #[test]
    fn rate_counts_resets() {
        let mut w = Window::new(AggFunc::Rate, 600_000);
        w.push(0, 100.0);
        w.push(60_000, 160.0);
        w.push(120_000, 30.0); // reset: +30
        assert!((w.value() - 90.0 / 120.0).abs() < 1e-12);
    }

    proptest! {
        #[test]
        fn incremental_matches_definition(
            gaps in proptest::collection::vec(1i64..90_000, 1..80),
            vals in proptest::collection::vec(proptest::option::weighted(0.85, 0.0f64..1000.0), 80),
            width in 1i64..600_000,
            f in 0usize..6,
        ) {
            let func = [AggFunc::Avg, AggFunc::Sum, AggFunc::Min, AggFunc::Max, AggFunc::Rate, AggFunc::Quantile(0.9)][f];
            let mut w = Window::new(func, width);
            let mut t = 0;
            let mut seen = Vec::new();
            for (g, v) in gaps.iter().zip(vals.iter()) {
                t += g;
                let v = v.unwrap_or(f64::NAN);
                seen.push((t, v));
                w.push(t, v);
                let want = naive(func, width, &seen, t);
                prop_assert!(close(w.value(), want), "{:?} at {}: {} vs {}", func, t, w.value(), want);
            }
        }
    }
}
