//! The three baselines a policy is scored against (docs/backtest.md): the oracle (per
//! tick, the fewest replicas meeting the SLO, ready instantly), the recorded replica
//! counts under the same model, and the cheapest breach-free static count. Each is a
//! run whose ready count is given per tick ([`FixedRun`]); the oracle and recorded runs
//! share one pass over the ticks.

use super::model::{Model, Queue, SloWindows};
use super::report::{Baselines, Scores, StaticBaseline};
use super::score::{Scorer, TickScore};
use crate::ir::Direction;

/// The oracle's demand curve d*_t, in replicas.
pub struct OracleCurve {
    /// d*_t per tick; `max` where even `max` replicas breach.
    pub dstar: Vec<u32>,
    /// Ticks where even `max` replicas breach.
    pub infeasible: usize,
}

impl OracleCurve {
    /// Searches every tick (each independent of the others) on two threads.
    pub fn compute(m: &Model<'_>) -> OracleCurve {
        let service = m.service;
        let curve = |range: std::ops::Range<usize>| {
            let mut scratch = vec![0.0; service.metrics.len()];
            let mut aggs = vec![f64::NAN; service.aggregates.len()];
            let mut infeasible = 0;
            let mut hint = None;
            let dstar: Vec<u32> = range
                .map(|i| {
                    let d = m.demand_replicas(i, hint, &mut scratch, &mut aggs);
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
        }
    }

    /// Tick `i` (at time `t`) with `k` replicas; `oracle` is d*_t.
    pub fn step(&mut self, i: usize, t: i64, k: u32, oracle: u32) {
        let m = self.m;
        // Only the SLO's metrics matter to a baseline: its count is given, not decided.
        let rho = m.slo_values(i, k, k, self.queue.backlog, &mut self.values);
        self.slo.push(t, &self.values);
        let mut st = self.queue.advance(m, i, k, rho);
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
            };
        }
    }
    none
}
