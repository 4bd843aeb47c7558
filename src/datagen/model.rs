//! The demand model and the simulated reactive autoscaler behind every
//! dataset. See `datasets/README.md` for the numbers in prose.

use super::format::round_to;
use super::rng::Rng;
use std::collections::VecDeque;

/// Milliseconds in a minute, hour and day.
pub const MINUTE_MS: i64 = 60_000;
pub const HOUR_MS: i64 = 60 * MINUTE_MS;
pub const DAY_MS: i64 = 24 * HOUR_MS;

/// 2026-03-02T00:00:00Z, a Monday: the first row of every dataset.
pub const START_MS: i64 = 1_772_409_600_000;

/// What a service does, which decides its recorded columns.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum ServiceKind {
    /// Web API: `rps, replicas, cpu_pct, latency_p95_ms`.
    Web {
        /// Latency of an idle replica (ms); p95 = base / (1 - min(ρ, 0.97)).
        base_latency_ms: f64,
    },
    /// CPU-bound service: `rps, replicas, cpu_pct`.
    Cpu,
    /// Queue consumers: `arrivals_per_s, replicas, queue_depth, processed_per_s`.
    Queue {
        /// The recorded autoscaler wants one replica per this many queued messages…
        backlog_per_replica: f64,
        /// …plus enough replicas to serve the arrivals at this utilisation.
        arrival_util: f64,
    },
    /// GPU inference: `rps, replicas, inflight, gpu_util_pct, latency_p95_ms`.
    Inference {
        /// Latency of an idle replica (ms); p95 = base / (1 - min(ρ, 0.97)).
        base_latency_ms: f64,
        /// Mean latency as a fraction of p95 (for Little's law).
        mean_to_p95: f64,
    },
}

/// One simulated service: its capacity model and its recorded autoscaler.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ServiceModel {
    /// Name (also the `service` value in long-format files).
    pub name: &'static str,
    /// What it does (decides the columns).
    pub kind: ServiceKind,
    /// Demand one ready replica serves at 100 % utilisation (rps or messages/s).
    pub capacity: f64,
    /// Target utilisation of the HPA-like autoscaler (unused by `Queue`).
    pub target_util: f64,
    /// Replica bounds of the autoscaler.
    pub min_replicas: u32,
    pub max_replicas: u32,
    /// Seconds from a replica being requested to it being ready.
    pub startup_s: i64,
    /// Scale-down stabilisation window (seconds): scale down only to the
    /// largest recommendation of this window.
    pub stabilization_s: i64,
}

impl ServiceModel {
    /// Names of the recorded value columns (after `timestamp`).
    pub fn columns(&self) -> &'static [&'static str] {
        match self.kind {
            ServiceKind::Web { .. } => &["rps", "replicas", "cpu_pct", "latency_p95_ms"],
            ServiceKind::Cpu => &["rps", "replicas", "cpu_pct"],
            ServiceKind::Queue { .. } => &[
                "arrivals_per_s",
                "replicas",
                "queue_depth",
                "processed_per_s",
            ],
            ServiceKind::Inference { .. } => &[
                "rps",
                "replicas",
                "inflight",
                "gpu_util_pct",
                "latency_p95_ms",
            ],
        }
    }

    /// Decimal places of each value column (0 = integer).
    pub fn decimals(&self) -> &'static [u8] {
        match self.kind {
            ServiceKind::Web { .. } => &[2, 0, 1, 1],
            ServiceKind::Cpu => &[2, 0, 1],
            ServiceKind::Queue { .. } => &[2, 0, 0, 2],
            ServiceKind::Inference { .. } => &[2, 0, 1, 1, 1],
        }
    }

    /// Base (idle) latency in ms, for the kinds that record latency.
    pub fn base_latency_ms(&self) -> Option<f64> {
        match self.kind {
            ServiceKind::Web { base_latency_ms }
            | ServiceKind::Inference {
                base_latency_ms, ..
            } => Some(base_latency_ms),
            _ => None,
        }
    }
}

/// Batch spikes added to the demand (Poisson arrivals).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SpikeSpec {
    /// Mean number of spikes per day.
    pub per_day: f64,
    /// Duration range (minutes, inclusive).
    pub min_minutes: i64,
    pub max_minutes: i64,
    /// Added demand range (same unit as the demand).
    pub min_amplitude: f64,
    pub max_amplitude: f64,
}

/// How the incidents (flash crowds, gaps, scrape failures) are placed.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum EventSpec {
    /// The sample week: one flash crowd on Wednesday at 14:00 (×3), a gap on
    /// Friday 09:00–09:29 and a scrape failure on Thursday 20:00–20:19.
    SampleWeek,
    /// Seeded random incidents over a long period (counts for the whole period).
    Random {
        flash_crowds: u32,
        gaps: u32,
        scrape_failures: u32,
    },
}

/// The demand curve of a dataset.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DemandSpec {
    /// Weekday demand at the 03:00 UTC trough and the 14:00 UTC peak, at the
    /// middle of the period (the growth ramp is centred on it).
    pub trough: f64,
    pub peak: f64,
    /// Weekend demand as a fraction of weekday demand.
    pub weekend_factor: f64,
    /// Linear growth over the whole period (0.25 = +25 %).
    pub growth: f64,
    /// σ of the multiplicative lognormal noise of each row.
    pub noise_sigma: f64,
    /// Batch spikes, if any.
    pub spikes: Option<SpikeSpec>,
}

/// A fully specified scenario: one service over one period.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Scenario {
    pub service: ServiceModel,
    pub demand: DemandSpec,
    pub events: EventSpec,
    /// First timestamp (ms since the epoch, UTC).
    pub start_ms: i64,
    /// Number of days.
    pub days: i64,
    /// Row spacing in seconds.
    pub step_s: i64,
    /// Seed of every random stream of the scenario.
    pub seed: u64,
}

impl Scenario {
    /// Number of time steps (rows, including the ones of gaps).
    pub fn steps(&self) -> usize {
        (self.days * 86_400 / self.step_s) as usize
    }
}

/// A flash crowd: ramps linearly to `factor` × demand within 5 minutes, holds
/// until 40 minutes after `start_ms`, then decays linearly over 10 minutes.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FlashCrowd {
    pub start_ms: i64,
    pub factor: f64,
}

pub const FLASH_RAMP_MS: i64 = 5 * MINUTE_MS;
pub const FLASH_HOLD_UNTIL_MS: i64 = 40 * MINUTE_MS;
pub const FLASH_DECAY_MS: i64 = 10 * MINUTE_MS;

impl FlashCrowd {
    /// Demand multiplier at `t_ms`.
    pub fn multiplier(&self, t_ms: i64) -> f64 {
        let dt = t_ms - self.start_ms;
        let extra = self.factor - 1.0;
        if !(0..FLASH_HOLD_UNTIL_MS + FLASH_DECAY_MS).contains(&dt) {
            1.0
        } else if dt < FLASH_RAMP_MS {
            1.0 + extra * dt as f64 / FLASH_RAMP_MS as f64
        } else if dt <= FLASH_HOLD_UNTIL_MS {
            self.factor
        } else {
            self.factor - extra * (dt - FLASH_HOLD_UNTIL_MS) as f64 / FLASH_DECAY_MS as f64
        }
    }
}

/// A batch spike: `amplitude` added over `[start_ms, start_ms + duration_ms)`,
/// with a 2-minute linear rise and a 3-minute linear fall.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Spike {
    pub start_ms: i64,
    pub duration_ms: i64,
    pub amplitude: f64,
}

impl Spike {
    pub fn added(&self, t_ms: i64) -> f64 {
        let dt = t_ms - self.start_ms;
        if dt < 0 || dt >= self.duration_ms {
            return 0.0;
        }
        let rise = (dt as f64 / (2 * MINUTE_MS) as f64).min(1.0);
        let fall = ((self.duration_ms - dt) as f64 / (3 * MINUTE_MS) as f64).min(1.0);
        self.amplitude * rise.min(fall)
    }
}

/// The concrete incidents of a scenario.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Events {
    pub flash_crowds: Vec<FlashCrowd>,
    /// `[start, end)` intervals whose rows are absent from the output.
    pub gaps: Vec<(i64, i64)>,
    /// `[start, end)` intervals whose non-demand, non-replica cells are empty.
    pub scrape_failures: Vec<(i64, i64)>,
    pub spikes: Vec<Spike>,
}

/// Random stream numbers (one per component).
const STREAM_DEMAND: u64 = 1;
const STREAM_METRICS: u64 = 2;
const STREAM_EVENTS: u64 = 3;
const STREAM_SPIKES: u64 = 4;

/// Places the incidents of a scenario (deterministic in its seed).
pub fn events(sc: &Scenario) -> Events {
    let mut ev = Events::default();
    let end_ms = sc.start_ms + sc.days * DAY_MS;
    match sc.events {
        EventSpec::SampleWeek => {
            let wed = sc.start_ms + 2 * DAY_MS;
            let thu = sc.start_ms + 3 * DAY_MS;
            let fri = sc.start_ms + 4 * DAY_MS;
            ev.flash_crowds.push(FlashCrowd {
                start_ms: wed + 14 * HOUR_MS,
                factor: 3.0,
            });
            ev.scrape_failures
                .push((thu + 20 * HOUR_MS, thu + 20 * HOUR_MS + 20 * MINUTE_MS));
            ev.gaps
                .push((fri + 9 * HOUR_MS, fri + 9 * HOUR_MS + 30 * MINUTE_MS));
        }
        EventSpec::Random {
            flash_crowds,
            gaps,
            scrape_failures,
        } => {
            let mut rng = Rng::stream(sc.seed, STREAM_EVENTS);
            // Flash crowds on weekdays, starting between 09:00 and 18:59 on a
            // whole minute, spread over the period (one per equal slice).
            let slice = sc.days / i64::from(flash_crowds.max(1));
            for i in 0..i64::from(flash_crowds) {
                let mut day = i * slice + rng.int_range(0, (slice - 1).max(0));
                while (day % 7) >= 5 {
                    day -= 1; // the period starts on a Monday
                }
                let minute = rng.int_range(9 * 60, 18 * 60 + 59);
                ev.flash_crowds.push(FlashCrowd {
                    start_ms: sc.start_ms + day * DAY_MS + minute * MINUTE_MS,
                    factor: round_to(rng.range(2.0, 3.5), 1),
                });
            }
            let mut intervals = |count: u32, min_min: i64, max_min: i64| {
                let mut out = Vec::new();
                for _ in 0..count {
                    let day = rng.int_range(0, sc.days - 1);
                    let minute = rng.int_range(0, 24 * 60 - max_min);
                    let start = sc.start_ms + day * DAY_MS + minute * MINUTE_MS;
                    let len = rng.int_range(min_min, max_min) * MINUTE_MS;
                    out.push((start, start + len));
                }
                out.sort_unstable();
                out
            };
            ev.gaps = intervals(gaps, 10, 60);
            ev.scrape_failures = intervals(scrape_failures, 5, 30);
        }
    }
    if let Some(spec) = sc.demand.spikes {
        let mut rng = Rng::stream(sc.seed, STREAM_SPIKES);
        let mean_gap_ms = DAY_MS as f64 / spec.per_day;
        let mut t = sc.start_ms as f64 + rng.exponential(mean_gap_ms);
        while (t as i64) < end_ms {
            // Spikes start on a whole minute.
            let start_ms = (t as i64).div_euclid(MINUTE_MS) * MINUTE_MS;
            ev.spikes.push(Spike {
                start_ms,
                duration_ms: rng.int_range(spec.min_minutes, spec.max_minutes) * MINUTE_MS,
                amplitude: rng.range(spec.min_amplitude, spec.max_amplitude),
            });
            t += rng.exponential(mean_gap_ms);
        }
    }
    ev
}

fn in_any(intervals: &[(i64, i64)], t: i64) -> bool {
    intervals.iter().any(|&(a, b)| a <= t && t < b)
}

/// Diurnal shape in [0, 1]: 0 at 03:00 UTC, 1 at 14:00 UTC, smooth (a
/// raised cosine rising over 11 h and falling over 13 h).
pub fn diurnal(hour: f64) -> f64 {
    let h = (hour - 3.0).rem_euclid(24.0);
    let theta = if h <= 11.0 {
        std::f64::consts::PI * h / 11.0
    } else {
        std::f64::consts::PI * (1.0 + (h - 11.0) / 13.0)
    };
    (1.0 - theta.cos()) / 2.0
}

fn smoothstep(x: f64) -> f64 {
    let x = x.clamp(0.0, 1.0);
    x * x * (3.0 - 2.0 * x)
}

/// Weekly factor: 1 on weekdays, `weekend` on Saturday and Sunday, with
/// 4-hour smooth transitions centred on midnight.
pub fn weekly(t_ms: i64, week_start_ms: i64, weekend: f64) -> f64 {
    let h = (t_ms - week_start_ms).rem_euclid(7 * DAY_MS) as f64 / HOUR_MS as f64;
    // Fraction of "weekend-ness": ramps up around Sat 00:00 (h = 120) and
    // down around Mon 00:00 (h = 168 ≡ 0).
    let up = smoothstep((h - 118.0) / 4.0);
    let back = if h >= 166.0 {
        smoothstep((h - 166.0) / 4.0)
    } else if h < 2.0 {
        smoothstep((h + 2.0) / 4.0)
    } else {
        0.0
    };
    let w = if h < 2.0 {
        1.0 - back
    } else {
        up * (1.0 - back)
    };
    1.0 - (1.0 - weekend) * w
}

/// Noise-free demand of a scenario at `t_ms`, before incidents.
pub fn base_demand(sc: &Scenario, t_ms: i64) -> f64 {
    let d = &sc.demand;
    let hour = (t_ms.rem_euclid(DAY_MS)) as f64 / HOUR_MS as f64;
    let level = d.trough + (d.peak - d.trough) * diurnal(hour);
    let frac = (t_ms - sc.start_ms) as f64 / (sc.days * DAY_MS) as f64;
    let growth = (1.0 + d.growth * frac) / (1.0 + d.growth * 0.5);
    level * weekly(t_ms, sc.start_ms, d.weekend_factor) * growth
}

/// One generated row.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Row {
    pub timestamp_ms: i64,
    /// The first `n` entries are the values of the service's columns, NaN
    /// for an empty cell.
    pub values: [f64; 5],
    /// True when the row is omitted from the output (a gap).
    pub missing: bool,
}

/// Row-by-row simulation of a scenario: demand, autoscaler and metrics.
/// An iterator, so that the large presets can be streamed to disk.
pub struct Simulation {
    sc: Scenario,
    ev: Events,
    step: usize,
    steps: usize,
    demand_rng: Rng,
    metric_rng: Rng,
    /// Requested replica counts of the last `startup + 1` steps, newest last.
    requested: VecDeque<u32>,
    /// Recommendations of the last stabilisation window, newest last.
    recommendations: VecDeque<u32>,
    startup_steps: usize,
    window_steps: usize,
    /// Queue backlog (messages) at the end of the previous step.
    backlog: f64,
}

impl Simulation {
    pub fn new(sc: &Scenario) -> Self {
        let ev = events(sc);
        let startup_steps = (sc.service.startup_s / sc.step_s).max(0) as usize;
        let window_steps = (sc.service.stabilization_s / sc.step_s).max(1) as usize;
        let mut sim = Simulation {
            sc: *sc,
            ev,
            step: 0,
            steps: sc.steps(),
            demand_rng: Rng::stream(sc.seed, STREAM_DEMAND),
            metric_rng: Rng::stream(sc.seed, STREAM_METRICS),
            requested: VecDeque::with_capacity(startup_steps + 2),
            recommendations: VecDeque::with_capacity(window_steps + 1),
            startup_steps,
            window_steps,
            backlog: 0.0,
        };
        // Start in the steady state for the first minute's noise-free demand.
        let d0 = base_demand(sc, sc.start_ms);
        let s = &sc.service;
        let initial = match s.kind {
            ServiceKind::Queue { arrival_util, .. } => (d0 / (arrival_util * s.capacity)).ceil(),
            _ => (d0 / (s.target_util * s.capacity)).ceil(),
        };
        let initial = sim.clamp(initial);
        sim.requested
            .extend(std::iter::repeat_n(initial, startup_steps + 1));
        sim.recommendations
            .extend(std::iter::repeat_n(initial, window_steps));
        sim
    }

    /// The incidents placed for this simulation.
    pub fn events(&self) -> &Events {
        &self.ev
    }

    fn clamp(&self, x: f64) -> u32 {
        let s = &self.sc.service;
        if x.is_nan() {
            return s.min_replicas;
        }
        x.clamp(f64::from(s.min_replicas), f64::from(s.max_replicas)) as u32
    }

    /// Replicas ready now: a replica requested `startup` steps ago is ready,
    /// and scale-downs take effect at once (pending replicas go first).
    fn ready(&self) -> u32 {
        self.requested.iter().copied().min().unwrap_or(1).max(1)
    }

    fn current_requested(&self) -> u32 {
        self.requested.back().copied().unwrap_or(1)
    }

    fn demand(&mut self, t: i64) -> f64 {
        let mut d = base_demand(&self.sc, t);
        for f in &self.ev.flash_crowds {
            d *= f.multiplier(t);
        }
        for s in &self.ev.spikes {
            d += s.added(t);
        }
        let noisy = d * self.demand_rng.lognormal(self.sc.demand.noise_sigma);
        round_to(noisy.max(0.01), 2)
    }

    /// Utilisation as a replica reports it: 100·min(ρ,1)·U(0.9,1) + N(0,0.5)
    /// percent, clamped to [0, 100], one decimal.
    fn util_pct(&mut self, rho: f64) -> f64 {
        let pct =
            100.0 * rho.min(1.0) * self.metric_rng.range(0.9, 1.0) + 0.5 * self.metric_rng.normal();
        round_to(pct.clamp(0.0, 100.0), 1)
    }

    /// p95 latency: base / (1 − min(ρ, 0.97)) × lognormal(0.08), and at least
    /// 10 × base when ρ ≥ 1; one decimal.
    fn latency(&mut self, base: f64, rho: f64) -> f64 {
        let mut l = base / (1.0 - rho.min(0.97)) * self.metric_rng.lognormal(0.08);
        if rho >= 1.0 {
            l = l.max(10.0 * base);
        }
        round_to(l, 1)
    }

    /// The HPA-like decision: scale up at once, scale down only to the
    /// largest recommendation of the stabilisation window; `None` (no
    /// metrics) keeps the current request.
    fn autoscale(&mut self, desired: Option<f64>) {
        let current = self.current_requested();
        let next = match desired {
            None => current,
            Some(d) => {
                let d = self.clamp(d);
                self.recommendations.push_back(d);
                while self.recommendations.len() > self.window_steps {
                    self.recommendations.pop_front();
                }
                if d >= current {
                    d
                } else {
                    let stabilised = self.recommendations.iter().copied().max().unwrap_or(d);
                    stabilised.min(current)
                }
            }
        };
        self.requested.push_back(next);
        while self.requested.len() > self.startup_steps + 1 {
            self.requested.pop_front();
        }
    }
}

impl Iterator for Simulation {
    type Item = Row;

    fn next(&mut self) -> Option<Row> {
        if self.step >= self.steps {
            return None;
        }
        let t = self.sc.start_ms + self.step as i64 * self.sc.step_s * 1000;
        self.step += 1;
        let missing = in_any(&self.ev.gaps, t);
        let scraped = !in_any(&self.ev.scrape_failures, t);
        let demand = self.demand(t);
        let ready = self.ready();
        let s = self.sc.service;
        let capacity = f64::from(ready) * s.capacity;
        let rho = demand / capacity;
        let mut values = [f64::NAN; 5];
        values[0] = demand;
        values[1] = f64::from(ready);
        let desired = match s.kind {
            ServiceKind::Web { base_latency_ms } => {
                let cpu = self.util_pct(rho);
                let lat = self.latency(base_latency_ms, rho);
                if scraped {
                    values[2] = cpu;
                    values[3] = lat;
                }
                scraped.then(|| f64::from(ready) * (cpu / 100.0) / s.target_util)
            }
            ServiceKind::Cpu => {
                let cpu = self.util_pct(rho);
                if scraped {
                    values[2] = cpu;
                }
                scraped.then(|| f64::from(ready) * (cpu / 100.0) / s.target_util)
            }
            ServiceKind::Inference {
                base_latency_ms,
                mean_to_p95,
            } => {
                let gpu = self.util_pct(rho);
                let lat = self.latency(base_latency_ms, rho);
                let inflight = round_to(demand * mean_to_p95 * lat / 1000.0 / f64::from(ready), 1);
                if scraped {
                    values[2] = inflight;
                    values[3] = gpu;
                    values[4] = lat;
                }
                scraped.then(|| f64::from(ready) * (gpu / 100.0) / s.target_util)
            }
            ServiceKind::Queue {
                backlog_per_replica,
                arrival_util,
            } => {
                let dt = self.sc.step_s as f64;
                let processed = (demand + self.backlog / dt).min(capacity);
                self.backlog = (self.backlog + (demand - capacity) * dt).max(0.0);
                if scraped {
                    values[2] = self.backlog.round();
                    values[3] = round_to(processed, 2);
                }
                scraped.then(|| {
                    (self.backlog.round() / backlog_per_replica).ceil()
                        + (demand / (arrival_util * s.capacity)).ceil()
                })
            }
        };
        // The desired count is ceil()ed; guard against 14.000000001 → 15.
        self.autoscale(desired.map(|d| (d - 1e-9).ceil()));
        Some(Row {
            timestamp_ms: t,
            values,
            missing,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn diurnal_trough_and_peak() {
        assert!(diurnal(3.0).abs() < 1e-12);
        assert!((diurnal(14.0) - 1.0).abs() < 1e-12);
        for i in 0..240 {
            let h = f64::from(i) / 10.0;
            assert!((0.0..=1.0).contains(&diurnal(h)));
        }
    }

    #[test]
    fn weekly_factor() {
        let w = |d: i64, h: i64| weekly(START_MS + d * DAY_MS + h * HOUR_MS, START_MS, 0.6);
        assert_eq!(w(0, 12), 1.0);
        assert_eq!(w(4, 12), 1.0);
        assert!((w(5, 12) - 0.6).abs() < 1e-12);
        assert!((w(6, 12) - 0.6).abs() < 1e-12);
        assert!((w(5, 0) - 0.8).abs() < 1e-12);
        assert!((w(7, 0) - 0.8).abs() < 1e-12);
        assert!((w(7, 3) - 1.0).abs() < 1e-12);
    }

    #[test]
    fn flash_crowd_profile() {
        let f = FlashCrowd {
            start_ms: 0,
            factor: 3.0,
        };
        assert_eq!(f.multiplier(-1), 1.0);
        assert_eq!(f.multiplier(0), 1.0);
        assert_eq!(f.multiplier(5 * MINUTE_MS), 3.0);
        assert_eq!(f.multiplier(40 * MINUTE_MS), 3.0);
        assert!((f.multiplier(45 * MINUTE_MS) - 2.0).abs() < 1e-12);
        assert_eq!(f.multiplier(50 * MINUTE_MS), 1.0);
    }
}
