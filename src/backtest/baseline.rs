//! The three baselines a policy is scored against (docs/backtest.md): the oracle (per
//! tick, the fewest replicas meeting the SLO, ready instantly), the recorded replica
//! counts under the same model, and the cheapest breach-free static count. Each is a
//! run whose ready count is given per tick ([`FixedRun`]); the oracle and recorded runs
//! share one pass over the ticks.

use super::model::{Model, Queue, SloWindows, Supply};
use super::report::{Baselines, Scores, StaticBaseline};
use super::score::{Scorer, TickScore};
use super::sizes::SizeTable;
use crate::ir::Direction;

/// The oracle's demand curve d*_t, in replicas.
pub struct OracleCurve {
    /// d*_t per tick; `max` where even `max` replicas breach.
    pub dstar: Vec<u32>,
    /// Ticks where even `max` replicas breach.
    pub infeasible: usize,
    /// With a size ladder: the oracle's size per tick (empty without one).
    pub sizes: Vec<u32>,
    /// With a size ladder, per size: the largest fewest-count over the ticks, `None`
    /// when some tick breaches even at `max` replicas of that size.
    pub size_peaks: Vec<Option<u32>>,
}

impl OracleCurve {
    /// Searches every tick (each independent of the others) on two threads.
    pub fn compute(m: &Model<'_>) -> OracleCurve {
        if let Some(l) = &m.service.ladder {
            return OracleCurve::compute_sized(m, &SizeTable::new(l, m.model));
        }
        let service = m.service;
        let curve = |range: std::ops::Range<usize>| {
            let mut scratch = vec![0.0; service.metrics.len()];
            let mut aggs = vec![f64::NAN; service.aggregates.len()];
            let mut infeasible = 0;
            let mut hint = None;
            let dstar: Vec<u32> = range
                .map(|i| {
                    let d = m.demand_replicas_sized(i, hint, 1.0, &mut scratch, &mut aggs);
                    hint = d;
                    d.unwrap_or_else(|| {
                        infeasible += 1;
                        service.max
                    })
                })
                .collect();
            (dstar, infeasible)
        };
        let n = m.len();
        let half = n / 2;
        let ((mut dstar, a), (second, b)) = std::thread::scope(|scope| {
            let second = scope.spawn(|| curve(half..n));
            let first = curve(0..half);
            match second.join() {
                Ok(s) => (first, s),
                Err(p) => std::panic::resume_unwind(p),
            }
        });
        dstar.extend(second);
        OracleCurve {
            dstar,
            infeasible: a + b,
            sizes: Vec::new(),
            size_peaks: Vec::new(),
        }
    }

    /// With a size ladder: at each tick, the cheapest (count, size) meeting the SLO:
    /// for every size its fewest count, then the lowest spend per hour (count × the
    /// size's price; without prices, count × capacity), ties to the smaller size.
    fn compute_sized(m: &Model<'_>, table: &SizeTable) -> OracleCurve {
        let service = m.service;
        let z = table.units.len();
        let weight: Vec<f64> = (0..z)
            .map(|i| table.prices[i].unwrap_or(table.units[i]))
            .collect();
        let curve = |range: std::ops::Range<usize>| {
            let mut scratch = vec![0.0; service.metrics.len()];
            let mut aggs = vec![f64::NAN; service.aggregates.len()];
            let mut hints: Vec<Option<u32>> = vec![None; z];
            let mut peaks: Vec<Option<u32>> = vec![Some(0); z];
            let (mut dstar, mut sizes, mut infeasible) = (Vec::new(), Vec::new(), 0);
            for i in range {
                let mut best: Option<(f64, u32, u32)> = None;
                for (s, hint) in hints.iter_mut().enumerate() {
                    let d =
                        m.demand_replicas_sized(i, *hint, table.units[s], &mut scratch, &mut aggs);
                    *hint = d;
                    peaks[s] = match (peaks[s], d) {
                        (Some(p), Some(n)) => Some(p.max(n)),
                        _ => None,
                    };
                    if let Some(n) = d {
                        let w = f64::from(n) * weight[s];
                        if best.is_none_or(|b| w < b.0) {
                            best = Some((w, n, s as u32));
                        }
                    }
                }
                let (n, s) = best.map_or_else(
                    || {
                        infeasible += 1;
                        (service.max, (z - 1) as u32)
                    },
                    |b| (b.1, b.2),
                );
                dstar.push(n);
                sizes.push(s);
            }
            (dstar, sizes, infeasible, peaks)
        };
        let n = m.len();
        let half = n / 2;
        let ((mut dstar, mut sizes, a, pa), (d2, s2, b, pb)) = std::thread::scope(|scope| {
            let second = scope.spawn(|| curve(half..n));
            let first = curve(0..half);
            match second.join() {
                Ok(s) => (first, s),
                Err(p) => std::panic::resume_unwind(p),
            }
        });
        dstar.extend(d2);
        sizes.extend(s2);
        let size_peaks = pa
            .iter()
            .zip(&pb)
            .map(|(x, y)| Some((*x)?.max((*y)?)))
            .collect();
        OracleCurve {
            dstar,
            infeasible: a + b,
            sizes,
            size_peaks,
        }
    }
}

/// A run whose ready count is given per tick: ready at once, billed as ready; a change
/// of the count is a scale-out or scale-in for the thrashing scores.
pub struct FixedRun<'m, 'a> {
    m: &'m Model<'a>,
    queue: Queue,
    slo: SloWindows,
    values: Vec<f64>,
    prev: Option<u32>,
    scorer: Scorer,
    /// With a size ladder: the sizes, and the previous tick's size.
    sizes: Option<(SizeTable, Option<u32>)>,
}

impl<'m, 'a> FixedRun<'m, 'a> {
    pub fn new(m: &'m Model<'a>, reversal_window_ms: i64) -> Self {
        FixedRun {
            m,
            queue: Queue { backlog: 0.0 },
            slo: m.slo_windows(),
            values: vec![0.0; m.service.metrics.len()],
            prev: None,
            scorer: Scorer::new(m.tick_s, m.model.price_per_hour, reversal_window_ms),
            sizes: None,
        }
    }

    /// The same run with every replica of one size of the ladder per tick.
    pub fn sized(m: &'m Model<'a>, table: &SizeTable, reversal_window_ms: i64) -> Self {
        let mut run = FixedRun::new(m, reversal_window_ms);
        run.scorer = run.scorer.with_sizes(table.priced());
        run.sizes = Some((table.clone(), None));
        run
    }

    /// Tick `i` with `k` replicas of size `size` (for a run built with [`sized`]).
    ///
    /// [`sized`]: Self::sized
    pub fn step_sized(&mut self, i: usize, t: i64, k: u32, size: u32, oracle: u32) {
        let m = self.m;
        let Some((table, prev)) = self.sizes.as_mut() else {
            return self.step(i, t, k, oracle);
        };
        let z = size as usize;
        let unit = table.units.get(z).copied().unwrap_or(1.0);
        let price = table.prices.get(z).copied().flatten().unwrap_or(0.0);
        let changed = prev.filter(|&p| p != size).map(|p| size > p);
        *prev = Some(size);
        let supply = Supply {
            ready: k,
            units: f64::from(k) * unit,
        };
        let rho = m.slo_values(i, k, supply.units, k, self.queue.backlog, &mut self.values);
        self.slo.push(t, &self.values);
        let mut st = self.queue.advance(m, i, supply.units, rho);
        st.breach = st.saturated || m.slo_violated(&self.values, &self.slo.values);
        self.scorer.tick(
            TickScore {
                requested: k,
                ready: k,
                oracle,
            },
            &st,
        );
        self.scorer.sizes(f64::from(k) * price, 0, supply.units);
        if let Some(up) = changed {
            self.scorer.resize(t, up);
        }
        if let Some(p) = self.prev.filter(|&p| p != k) {
            let dir = if k > p { Direction::Out } else { Direction::In };
            self.scorer.change(t, dir);
        }
        self.prev = Some(k);
    }

    /// Tick `i` (at time `t`) with `k` replicas; `oracle` is d*_t.
    pub fn step(&mut self, i: usize, t: i64, k: u32, oracle: u32) {
        let m = self.m;
        // Only the SLO's metrics matter to a baseline: its count is given, not decided.
        let units = f64::from(k);
        let rho = m.slo_values(i, k, units, k, self.queue.backlog, &mut self.values);
        self.slo.push(t, &self.values);
        let mut st = self.queue.advance(m, i, units, rho);
        st.breach = st.saturated || m.slo_violated(&self.values, &self.slo.values);
        let counts = TickScore {
            requested: k,
            ready: k,
            oracle,
        };
        self.scorer.tick(counts, &st);
        if let Some(p) = self.prev.filter(|&p| p != k) {
            let dir = if k > p { Direction::Out } else { Direction::In };
            self.scorer.change(t, dir);
        }
        self.prev = Some(k);
    }

    pub fn finish(self) -> Scores {
        self.scorer.finish(self.queue.backlog)
    }
}

/// The recorded replica counts, tick by tick: a missing or invalid cell repeats the
/// last valid count (the service's `start` before the first).
struct RecordedCounts<'a> {
    values: &'a [f64],
    last: u32,
}

impl RecordedCounts<'_> {
    fn at(&mut self, i: usize) -> u32 {
        let v = self.values[i];
        if v.is_finite() && v >= 0.0 {
            self.last = v.round().min(f64::from(u32::MAX)) as u32;
        }
        self.last
    }
}

/// Runs the three baselines against `curve` (timestamps `ts`).
pub fn baselines(
    m: &Model<'_>,
    ts: &[i64],
    curve: &OracleCurve,
    reversal_window_ms: i64,
) -> Baselines {
    if let Some(l) = &m.service.ladder {
        return baselines_sized(
            m,
            ts,
            curve,
            reversal_window_ms,
            &SizeTable::new(l, m.model),
        );
    }
    let dstar = &curve.dstar;
    let mut oracle = FixedRun::new(m, reversal_window_ms);
    let mut recorded = m.recorded.map(|values| {
        let counts = RecordedCounts {
            values,
            last: m.service.start,
        };
        (counts, FixedRun::new(m, reversal_window_ms))
    });
    for (i, (&t, &d)) in ts.iter().zip(dstar).enumerate() {
        oracle.step(i, t, d, d);
        if let Some((counts, run)) = recorded.as_mut() {
            run.step(i, t, counts.at(i), d);
        }
    }
    Baselines {
        recorded: recorded.map(|(_, run)| run.finish()),
        static_best: static_best(m, ts, curve, reversal_window_ms),
        oracle: oracle.finish(),
        oracle_infeasible_ticks: curve.infeasible,
    }
}

/// The cheapest constant count in [max d*_t, max] with no breach: none when some tick is
/// infeasible even at `max`.
fn static_best(
    m: &Model<'_>,
    ts: &[i64],
    curve: &OracleCurve,
    reversal_window_ms: i64,
) -> StaticBaseline {
    let none = StaticBaseline {
        replicas: None,
        scores: None,
        size: None,
    };
    if curve.infeasible > 0 {
        return none;
    }
    let service = m.service;
    let from = curve.dstar.iter().copied().max().unwrap_or(service.min);
    for k in from..=service.max {
        let mut run = FixedRun::new(m, reversal_window_ms);
        for (i, (&t, &d)) in ts.iter().zip(&curve.dstar).enumerate() {
            run.step(i, t, k, d);
            if run.scorer.breach_ticks() > 0 {
                break; // this count is out: the rest of its run cannot matter
            }
        }
        if run.scorer.breach_ticks() == 0 {
            let scores = run.finish();
            return StaticBaseline {
                replicas: Some(k),
                scores: Some(scores),
                size: None,
            };
        }
    }
    none
}

/// [`baselines`] with a size ladder: the oracle runs its (count, size) per tick, the
/// recorded counts run at the starting size (a dataset records no sizes), and the static
/// baseline is the cheapest constant (count, size) with no breach.
fn baselines_sized(
    m: &Model<'_>,
    ts: &[i64],
    curve: &OracleCurve,
    reversal_window_ms: i64,
    table: &SizeTable,
) -> Baselines {
    let dstar = &curve.dstar;
    let mut oracle = FixedRun::sized(m, table, reversal_window_ms);
    let start = table.start as u32;
    let mut recorded = m.recorded.map(|values| {
        let counts = RecordedCounts {
            values,
            last: m.service.start,
        };
        (counts, FixedRun::sized(m, table, reversal_window_ms))
    });
    for (i, (&t, &d)) in ts.iter().zip(dstar).enumerate() {
        oracle.step_sized(i, t, d, curve.sizes.get(i).copied().unwrap_or(start), d);
        if let Some((counts, run)) = recorded.as_mut() {
            run.step_sized(i, t, counts.at(i), start, d);
        }
    }
    Baselines {
        recorded: recorded.map(|(_, run)| run.finish()),
        static_best: static_best_sized(m, ts, curve, reversal_window_ms, table),
        oracle: oracle.finish(),
        oracle_infeasible_ticks: curve.infeasible,
    }
}

/// The cheapest constant (count, size) with no breach: for each size, the upward search
/// of [`static_best`] from that size's peak fewest count; then the lowest spend.
fn static_best_sized(
    m: &Model<'_>,
    ts: &[i64],
    curve: &OracleCurve,
    reversal_window_ms: i64,
    table: &SizeTable,
) -> StaticBaseline {
    let service = m.service;
    let mut best: Option<(f64, u32, usize, Scores)> = None;
    for (z, peak) in curve.size_peaks.iter().enumerate() {
        let Some(from) = *peak else { continue };
        let weight = table.prices[z].unwrap_or(table.units[z]);
        for k in from.max(service.min)..=service.max {
            if best.as_ref().is_some_and(|b| f64::from(k) * weight >= b.0) {
                break; // no cheaper than the best found
            }
            let mut run = FixedRun::sized(m, table, reversal_window_ms);
            for (i, (&t, &d)) in ts.iter().zip(&curve.dstar).enumerate() {
                run.step_sized(i, t, k, z as u32, d);
                if run.scorer.breach_ticks() > 0 {
                    break;
                }
            }
            if run.scorer.breach_ticks() == 0 {
                best = Some((f64::from(k) * weight, k, z, run.finish()));
                break;
            }
        }
    }
    match best {
        Some((_, k, z, scores)) => StaticBaseline {
            replicas: Some(k),
            scores: Some(scores),
            size: service
                .ladder
                .as_ref()
                .and_then(|l| l.sizes.get(z))
                .map(|s| s.name.clone()),
        },
        None => StaticBaseline {
            replicas: None,
            scores: None,
            size: None,
        },
    }
}
