//! The size ladder in the simulation (docs/backtest.md, "Sizes"): what each size serves
//! and costs, and the rolling restart of a resize, tick by tick. A service without a
//! ladder never builds any of this: its supply is its ready count.

use super::model::Supply;
use crate::ir::{Ladder, Model as IrModel};

/// The ladder resolved against the model: per size, capacity in units of the model's
/// capacity per replica, and price per replica-hour.
#[derive(Clone, Debug, PartialEq)]
pub struct SizeTable {
    /// Capacity per replica of each size, in units of the model's `capacity`.
    pub units: Vec<f64>,
    /// Price per replica-hour of each size; `None` when neither the size nor the model
    /// has a price.
    pub prices: Vec<Option<f64>>,
    /// Restart time of one replica and how many restart at once; `None`: in place.
    pub restart: Option<(i64, u32)>,
    pub start: usize,
}

impl SizeTable {
    pub fn new(ladder: &Ladder, model: &IrModel) -> Self {
        let base = model.capacity;
        SizeTable {
            units: ladder.capacities(base).iter().map(|c| c / base).collect(),
            prices: ladder.prices(base, model.price_per_hour),
            restart: ladder.restart(model.startup),
            start: ladder.start,
        }
    }

    /// Every size has a price.
    pub fn priced(&self) -> bool {
        self.prices.iter().all(Option::is_some)
    }

    fn price(&self, size: usize) -> f64 {
        self.prices.get(size).copied().flatten().unwrap_or(0.0)
    }
}

/// A resize in progress: the replicas there were when it began are replaced `k` at a
/// time, each batch serving nothing for `restart`.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Rollout {
    from: usize,
    to: usize,
    /// When the first batch goes down.
    begins: i64,
    /// Replicas to replace.
    n: u32,
}

/// What the fleet looks like at one tick.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct FleetTick {
    pub supply_units: f64,
    /// Money per hour of the requested replicas, each at its size's price.
    pub spend_per_hour: f64,
    /// Replicas serving nothing because they are restarting.
    pub restarting: u32,
}

/// The sizes of a policy run's replicas.
#[derive(Clone, Debug)]
pub struct Fleet {
    pub table: SizeTable,
    /// The size every replica has once no resize is in progress.
    size: usize,
    rollout: Option<Rollout>,
}

impl Fleet {
    pub fn new(table: SizeTable) -> Self {
        Fleet {
            size: table.start,
            table,
            rollout: None,
        }
    }

    /// A resize to `to` decided with `replicas` requested; its first batch goes down at
    /// `begins` (the next tick). A resize during another one starts from the size the
    /// other was going to (its remaining batches are taken as done).
    pub fn resize(&mut self, to: usize, replicas: u32, begins: i64) {
        let from = self.size;
        self.size = to;
        self.rollout = Some(Rollout {
            from,
            to,
            begins,
            n: replicas,
        });
    }

    /// The fleet at time `t` with `ready` of `requested` replicas ready.
    pub fn at(&mut self, t: i64, ready: u32, requested: u32) -> FleetTick {
        let t_ = &self.table;
        let pending = requested.saturating_sub(ready);
        let Some(r) = self.rollout else {
            let u = t_.units[self.size];
            return FleetTick {
                supply_units: f64::from(ready) * u,
                spend_per_hour: f64::from(requested.max(ready)) * t_.price(self.size),
                restarting: 0,
            };
        };
        // Replicas of the original fleet already replaced, replacing now, and not yet
        // (in place: all replaced at the first tick).
        let (done, now) = match t_.restart {
            _ if t < r.begins => (0, 0),
            None => (r.n, 0),
            Some((restart, k)) => {
                let batches = if restart > 0 {
                    (t - r.begins) / restart
                } else {
                    i64::MAX
                };
                let done = (batches.min(i64::from(u32::MAX)) as u64 * u64::from(k))
                    .min(u64::from(r.n)) as u32;
                (done, k.min(r.n - done))
            }
        };
        if t >= r.begins && done >= r.n {
            self.rollout = None;
            return self.at(t, ready, requested);
        }
        // A scale-in during the resize removes replicas of the original fleet.
        let original = r.n.min(ready);
        let done = done.min(original);
        let now = now.min(original - done);
        let old = original - done - now;
        let new = ready - old - now;
        let (uf, ut) = (t_.units[r.from], t_.units[r.to]);
        let (pf, pt) = (t_.price(r.from), t_.price(r.to));
        FleetTick {
            supply_units: f64::from(new) * ut + f64::from(old) * uf,
            spend_per_hour: f64::from(ready - old + pending) * pt + f64::from(old) * pf,
            restarting: now,
        }
    }
}

impl FleetTick {
    pub fn supply(&self, ready: u32) -> Supply {
        Supply {
            ready,
            units: self.supply_units,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(restart: Option<(i64, u32)>) -> SizeTable {
        SizeTable {
            units: vec![1.0, 2.0, 4.0],
            prices: vec![Some(0.1), Some(0.25), Some(0.6)],
            restart,
            start: 0,
        }
    }

    /// 5 replicas small → medium, 2 at a time, 90 s each, first batch at t = 60 s.
    /// Batches: [60, 150) 2 down; [150, 240) 2 more; [240, 330) the last; done at 330.
    #[test]
    fn a_rolling_restart_dips_batch_by_batch() {
        let mut f = Fleet::new(table(Some((90_000, 2))));
        assert_eq!(f.at(0, 5, 5).supply_units, 5.0);
        f.resize(1, 5, 60_000);
        // Before the first batch: all small.
        assert_eq!(f.at(0, 5, 5).supply_units, 5.0);
        // t = 60 s: 2 restarting (0), 3 small → 3 units; billed: 2 medium + 3 small.
        let a = f.at(60_000, 5, 5);
        assert_eq!((a.supply_units, a.restarting), (3.0, 2));
        assert!((a.spend_per_hour - (2.0 * 0.25 + 3.0 * 0.1)).abs() < 1e-12);
        // t = 150 s: 2 medium, 2 restarting, 1 small → 5 units.
        let b = f.at(150_000, 5, 5);
        assert_eq!((b.supply_units, b.restarting), (5.0, 2));
        // t = 240 s: 4 medium, 1 restarting → 8 units.
        assert_eq!(f.at(240_000, 5, 5).supply_units, 8.0);
        // t = 330 s: done, 5 medium → 10 units, 1.25 an hour.
        let d = f.at(330_000, 5, 5);
        assert_eq!((d.supply_units, d.restarting), (10.0, 0));
        assert!((d.spend_per_hour - 1.25).abs() < 1e-12);
    }

    #[test]
    fn in_place_has_no_dip() {
        let mut f = Fleet::new(table(None));
        f.resize(2, 3, 60_000);
        assert_eq!(f.at(0, 3, 3).supply_units, 3.0);
        let a = f.at(60_000, 3, 3);
        assert_eq!((a.supply_units, a.restarting), (12.0, 0));
    }

    /// Replicas added during a resize start at the new size; pending ones are billed at
    /// it too.
    #[test]
    fn scale_out_during_a_resize_starts_at_the_new_size() {
        let mut f = Fleet::new(table(Some((120_000, 1))));
        f.resize(1, 2, 0);
        // t = 0: 1 restarting, 1 small; 1 more requested (pending) → billed medium.
        let a = f.at(0, 2, 3);
        assert_eq!(a.supply_units, 1.0);
        assert!((a.spend_per_hour - (2.0 * 0.25 + 0.1)).abs() < 1e-12);
        // t = 120 s: the new replica is ready: 1 medium done, 1 restarting, 1 new medium.
        assert_eq!(f.at(120_000, 3, 3).supply_units, 4.0);
    }
}
