//! The scores of one run, accumulated tick by tick: cost, SLA, thrashing and SPEC RG
//! elasticity (formulas: docs/backtest.md). A run feeds a [`Scorer`] as it goes, so no
//! per-tick vector is kept; [`Scorer::finish`] gives the [`Scores`].

use super::model::TickState;
use super::report::{CostScores, Elasticity, Scores, SlaScores, ThrashScores, VerticalScores};
use crate::ir::Direction;

/// What one tick of a run contributes to its scores.
#[derive(Clone, Copy, Debug)]
pub struct TickScore {
    /// Replicas requested (and billed).
    pub requested: u32,
    /// Replicas ready (the supply `s_t` of the elasticity metrics).
    pub ready: u32,
    /// The oracle's d*_t (the demand `d_t` of the elasticity metrics).
    pub oracle: u32,
}

/// The scores of one run so far.
#[derive(Clone, Debug)]
pub struct Scorer {
    tick_s: f64,
    price_per_hour: Option<f64>,
    cost: Cost,
    sla: Sla,
    thrash: Thrash,
    elasticity: ElasticityAcc,
    /// With a size ladder: the spend, resizes and restarts (`None` without one, so the
    /// horizontal path does no more work than before).
    sized: Option<Sized>,
}

/// A run with a size ladder: cost is the sum of each replica's size price.
#[derive(Clone, Debug, Default)]
struct Sized {
    /// Every size has a price.
    priced: bool,
    /// Σ spend per hour over the ticks.
    spend: f64,
    ups: usize,
    downs: usize,
    restarting: f64,
    units: f64,
    ticks: usize,
}

impl Scorer {
    /// A run on a grid of `tick_s` seconds, billed at `price_per_hour` per replica; opposite
    /// changes at most `reversal_window_ms` apart are reversals.
    pub fn new(tick_s: f64, price_per_hour: Option<f64>, reversal_window_ms: i64) -> Self {
        Scorer {
            tick_s,
            price_per_hour,
            cost: Cost::default(),
            sla: Sla::default(),
            thrash: Thrash {
                window_ms: reversal_window_ms,
                ..Thrash::default()
            },
            elasticity: ElasticityAcc::default(),
            sized: None,
        }
    }

    /// The same run, for a service with a size ladder (`priced`: every size has a price).
    pub fn with_sizes(mut self, priced: bool) -> Self {
        self.sized = Some(Sized {
            priced,
            ..Sized::default()
        });
        self
    }

    /// One tick's sizes: the fleet's spend per hour, the replicas restarting, and the
    /// ready capacity in units of the model's capacity per replica.
    pub fn sizes(&mut self, spend_per_hour: f64, restarting: u32, units: f64) {
        if let Some(s) = &mut self.sized {
            s.spend += spend_per_hour;
            s.restarting += f64::from(restarting);
            s.units += units;
            s.ticks += 1;
        }
    }

    /// A resize at `t` (`up`: to a larger size). It counts as a change of capacity for
    /// the reversals, not as a scale-out or scale-in.
    pub fn resize(&mut self, t: i64, up: bool) {
        if let Some(s) = &mut self.sized {
            if up {
                s.ups += 1;
            } else {
                s.downs += 1;
            }
        }
        let dir = if up { Direction::Out } else { Direction::In };
        self.thrash.reverse(t, dir);
    }

    /// One tick: the counts and the simulated state (with its breach flag set).
    pub fn tick(&mut self, t: TickScore, st: &TickState) {
        self.cost.push(t.requested);
        self.sla.push(st, self.tick_s);
        self.elasticity.push(t.oracle, t.ready);
    }

    /// A change of the requested count at `t` (a decision, or a baseline's step).
    pub fn change(&mut self, t: i64, direction: Direction) {
        self.thrash.push(t, direction);
    }

    /// Breach ticks so far.
    pub fn breach_ticks(&self) -> usize {
        self.sla.breach_ticks
    }

    /// The scores, with `unserved` requests left in the backlog after the last tick.
    pub fn finish(self, unserved: f64) -> Scores {
        let mut cost = self.cost.finish(self.tick_s, self.price_per_hour);
        let vertical = self.sized.map(|s| {
            cost.cost = s.priced.then_some(s.spend * self.tick_s / 3600.0);
            VerticalScores {
                size_ups: s.ups,
                size_downs: s.downs,
                restart_replica_minutes: s.restarting * self.tick_s / 60.0,
                mean_capacity_units: if s.ticks > 0 {
                    s.units / s.ticks as f64
                } else {
                    0.0
                },
            }
        });
        Scores {
            cost,
            sla: self.sla.finish(self.tick_s, unserved),
            thrashing: self.thrash.finish(),
            elasticity: self.elasticity.finish(self.tick_s),
            vertical,
        }
    }
}

/// Σ R_t (replicas requested), the tick count and the peak.
#[derive(Clone, Debug, Default)]
struct Cost {
    total: f64,
    ticks: usize,
    peak: u32,
}

impl Cost {
    fn push(&mut self, requested: u32) {
        self.total += f64::from(requested);
        self.ticks += 1;
        self.peak = self.peak.max(requested);
    }

    fn finish(self, tick_s: f64, price_per_hour: Option<f64>) -> CostScores {
        let replica_hours = self.total * (tick_s / 3600.0);
        CostScores {
            replica_hours,
            cost: price_per_hour.map(|p| replica_hours * p),
            mean_replicas: if self.ticks > 0 {
                self.total / self.ticks as f64
            } else {
                0.0
            },
            peak_replicas: self.peak,
        }
    }
}

/// Breach ticks and episodes, saturation, backlog and delayed requests.
#[derive(Clone, Debug, Default)]
struct Sla {
    ticks: usize,
    breach_ticks: usize,
    episodes: usize,
    /// Length of the breach episode in progress (ticks).
    current: usize,
    longest: usize,
    saturated: usize,
    backlog_rs: f64,
    delayed: f64,
}

impl Sla {
    fn push(&mut self, st: &TickState, tick_s: f64) {
        self.ticks += 1;
        if st.breach {
            self.breach_ticks += 1;
            if self.current == 0 {
                self.episodes += 1;
            }
            self.current += 1;
            self.longest = self.longest.max(self.current);
        } else {
            self.current = 0;
        }
        if st.saturated {
            self.saturated += 1;
        }
        self.backlog_rs += st.backlog * tick_s;
        self.delayed += st.delayed;
    }

    fn finish(self, tick_s: f64, unserved: f64) -> SlaScores {
        let tick_min = tick_s / 60.0;
        SlaScores {
            breach_ticks: self.breach_ticks,
            breach_minutes: self.breach_ticks as f64 * tick_min,
            breach_ratio: if self.ticks > 0 {
                self.breach_ticks as f64 / self.ticks as f64
            } else {
                0.0
            },
            breach_episodes: self.episodes,
            longest_breach_minutes: self.longest as f64 * tick_min,
            saturated_ticks: self.saturated,
            backlog_request_seconds: self.backlog_rs,
            delayed_requests: self.delayed,
            unserved_at_end: unserved,
        }
    }
}

/// Scale-outs, scale-ins and reversals (a change opposite to the previous one at most
/// `window_ms` later).
#[derive(Clone, Debug, Default)]
struct Thrash {
    window_ms: i64,
    outs: usize,
    ins: usize,
    reversals: usize,
    last: Option<(i64, Direction)>,
}

impl Thrash {
    fn push(&mut self, t: i64, direction: Direction) {
        match direction {
            Direction::Out => self.outs += 1,
            Direction::In => self.ins += 1,
        }
        self.reverse(t, direction);
    }

    /// A change of capacity in `direction` at `t`: a reversal when opposite to the
    /// previous one at most the window before.
    fn reverse(&mut self, t: i64, direction: Direction) {
        if let Some((t0, d0)) = self.last {
            if d0 != direction && t - t0 <= self.window_ms {
                self.reversals += 1;
            }
        }
        self.last = Some((t, direction));
    }

    fn finish(self) -> ThrashScores {
        ThrashScores {
            scale_outs: self.outs,
            scale_ins: self.ins,
            reversals: self.reversals,
        }
    }
}

/// SPEC RG elasticity sums of supply `s_t` against demand `d_t`.
#[derive(Clone, Debug, Default)]
struct ElasticityAcc {
    ticks: usize,
    under: f64,
    over: f64,
    under_ticks: usize,
    over_ticks: usize,
    /// Ticks where the directions of supply and demand differ (from the second tick).
    unstable: usize,
    supply_changes: usize,
    demand_changes: usize,
    /// (d, s) of the previous tick.
    prev: Option<(u32, u32)>,
}

impl ElasticityAcc {
    fn push(&mut self, d: u32, s: u32) {
        let (dd, ss) = (f64::from(d), f64::from(s));
        let denom = dd.max(1.0);
        if dd > ss {
            self.under += (dd - ss) / denom;
            self.under_ticks += 1;
        } else if ss > dd {
            self.over += (ss - dd) / denom;
            self.over_ticks += 1;
        }
        if let Some((pd, ps)) = self.prev {
            let sgn = |a: u32, b: u32| (i64::from(b) - i64::from(a)).signum();
            let (ds, dd) = (sgn(ps, s), sgn(pd, d));
            if ds != dd {
                self.unstable += 1;
            }
            self.supply_changes += usize::from(ds != 0);
            self.demand_changes += usize::from(dd != 0);
        }
        self.prev = Some((d, s));
        self.ticks += 1;
    }

    fn finish(self, tick_s: f64) -> Elasticity {
        let n = self.ticks;
        if n == 0 {
            return Elasticity::default();
        }
        let nf = n as f64;
        let hours = nf * tick_s / 3600.0;
        Elasticity {
            theta_u: 100.0 * self.under / nf,
            theta_o: 100.0 * self.over / nf,
            tau_u: 100.0 * self.under_ticks as f64 / nf,
            tau_o: 100.0 * self.over_ticks as f64 / nf,
            instability: if n > 1 {
                100.0 * self.unstable as f64 / (n - 1) as f64
            } else {
                0.0
            },
            jitter: (self.supply_changes as f64 - self.demand_changes as f64) / hours,
        }
    }
}

/// SPEC RG elasticity metrics of supply `s` (ready) against demand `d` (d*_t), both in
/// replicas, on a regular grid of `tick_s` seconds. See docs/backtest.md.
pub fn elasticity(d: &[u32], s: &[u32], tick_s: f64) -> Elasticity {
    let mut acc = ElasticityAcc::default();
    for (&d, &s) in d.iter().zip(s) {
        acc.push(d, s);
    }
    acc.finish(tick_s)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn state(breach: bool, saturated: bool, backlog: f64, delayed: f64) -> TickState {
        TickState {
            breach,
            saturated,
            backlog,
            delayed,
            ..TickState::default()
        }
    }

    #[test]
    fn cost_and_sla_accumulate() {
        // 60-second ticks, 0.5 per replica-hour.
        let mut s = Scorer::new(60.0, Some(0.5), 600_000);
        let ticks = [(2, false), (4, true), (4, true), (3, false), (3, true)];
        for (r, b) in ticks {
            let t = TickScore {
                requested: r,
                ready: r,
                oracle: r,
            };
            s.tick(t, &state(b, b, 10.0, 1.0));
        }
        let sc = s.finish(7.0);
        assert_eq!(sc.cost.replica_hours, 16.0 / 60.0);
        assert_eq!(sc.cost.cost, Some(16.0 / 60.0 * 0.5));
        assert_eq!((sc.cost.mean_replicas, sc.cost.peak_replicas), (3.2, 4));
        assert_eq!(
            (
                sc.sla.breach_ticks,
                sc.sla.breach_episodes,
                sc.sla.saturated_ticks
            ),
            (3, 2, 3)
        );
        assert_eq!(
            (sc.sla.breach_minutes, sc.sla.longest_breach_minutes),
            (3.0, 2.0)
        );
        assert_eq!(sc.sla.breach_ratio, 0.6);
        assert_eq!(
            (sc.sla.backlog_request_seconds, sc.sla.delayed_requests),
            (3000.0, 5.0)
        );
        assert_eq!(sc.sla.unserved_at_end, 7.0);
    }

    #[test]
    fn reversals_count_opposite_changes_within_the_window() {
        let mut s = Scorer::new(60.0, None, 600_000);
        s.change(0, Direction::Out);
        s.change(300_000, Direction::In); // 5 min later: a reversal
        s.change(1_000_000, Direction::Out); // 700 s later: outside the window
        s.change(1_100_000, Direction::Out); // same direction
        let sc = s.finish(0.0);
        assert_eq!(sc.cost.cost, None); // no price, no cost
        let th = sc.thrashing;
        assert_eq!((th.scale_outs, th.scale_ins, th.reversals), (3, 1, 1));
    }

    #[test]
    fn elasticity_follows_the_spec_rg_formulas() {
        // d = 2 2 4 4, s = 2 3 3 4: over by 1 at t1 (of 2), under by 1 at t2 (of 4).
        let e = elasticity(&[2, 2, 4, 4], &[2, 3, 3, 4], 900.0);
        assert_eq!(
            (e.theta_o, e.theta_u),
            (100.0 * 0.5 / 4.0, 100.0 * 0.25 / 4.0)
        );
        assert_eq!((e.tau_o, e.tau_u), (25.0, 25.0));
        // Directions: s + 0 +, d 0 + 0: all three differ.
        assert_eq!(e.instability, 100.0);
        // Two supply changes, one demand change, over one hour.
        assert_eq!(e.jitter, 1.0);
        assert_eq!(elasticity(&[], &[], 60.0), Elasticity::default());
    }
}
