//! The queueing model: demand, ready capacity and backlog in; simulated metric
//! values and the breach flag out. See docs/backtest.md for every formula.

use super::BacktestError;
use crate::backtest::data::Dataset;
use crate::eval::Window;
use crate::ir::{self, Builtin, CmpOp, MetricSource, Service, Value};
use crate::units::Dimension;
use serde::Serialize;
use std::borrow::Cow;
use std::collections::VecDeque;

/// Latency reported when ρ ≥ 1 and the latency has a base: `100 × base`.
pub const SATURATION_BASE_FACTOR: f64 = 100.0;
/// Latency reported when ρ ≥ 1 (or the rescaled latency exceeds it) without a base, seconds.
pub const SATURATION_LATENCY_S: f64 = 60.0;
/// ρ_rec is clamped to this in the rescaling formula (a saturated recording has no factor).
pub const MAX_RECORDED_RHO: f64 = 0.99;

/// How a metric slot gets its value in the simulation.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Treatment {
    /// The demand column, replayed (it does not depend on replicas).
    Demand,
    /// A builtin computed by the simulation.
    Builtin,
    /// `m_sim = m_rec × ready_rec / N`.
    UtilizationRescaled,
    /// `m = ρ`.
    UtilizationFromRho,
    /// `L = base / (1 − ρ)`.
    LatencyBase,
    /// `L_sim = L_rec × (1 − ρ_rec) / (1 − ρ_sim)`.
    LatencyRescaled,
    /// Replayed as recorded.
    Replayed,
}

impl Treatment {
    pub fn simulated(self) -> bool {
        !matches!(self, Treatment::Demand | Treatment::Replayed)
    }
}

#[derive(Clone, Copy, Debug)]
enum Kind {
    Demand,
    Builtin(Builtin),
    UtilScaled { ratio: bool },
    UtilRho { ratio: bool },
    LatBase { base: f64 },
    LatRescaled,
    Replayed,
}

/// What serves at one tick: the ready replicas, and their capacity in units of the
/// model's `capacity … per replica` (the count itself without a size ladder; with one,
/// Σ over ready replicas of their size's multiple, replicas mid-restart counting 0).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Supply {
    pub ready: u32,
    pub units: f64,
}

impl Supply {
    /// `n` replicas of the model's capacity each.
    pub fn replicas(n: u32) -> Self {
        Supply {
            ready: n,
            units: f64::from(n),
        }
    }
}

/// One tick's simulated state.
#[derive(Clone, Copy, Debug, Default)]
pub struct TickState {
    /// Demand used by the simulation (SI, missing values carried forward).
    pub demand: f64,
    pub capacity: f64,
    pub rho: f64,
    /// Backlog at the start of the tick (requests).
    pub backlog: f64,
    /// Requests arriving in this tick not served in it.
    pub delayed: f64,
    pub breach: bool,
    pub saturated: bool,
    /// The first latency metric (SI seconds), NaN without one.
    pub latency: f64,
}

/// Everything the model needs, resolved once against a dataset.
pub struct Model<'a> {
    pub service: &'a Service,
    pub model: &'a ir::Model,
    pub tick_ms: i64,
    pub tick_s: f64,
    /// Demand, SI, carried forward (leading missing values: 0). Borrowed from the
    /// model of the default variant when `tune` runs another ([`Model::for_variant`]).
    pub demand: Cow<'a, [f64]>,
    /// Demand, SI, NaN where missing (what the evaluator sees).
    pub demand_si: Cow<'a, [f64]>,
    /// Recorded ready replicas, when the column is present.
    pub recorded: Option<&'a [f64]>,
    cols: Vec<Option<&'a [f64]>>,
    kinds: Vec<Kind>,
    pub treatments: Vec<Treatment>,
    latency_slot: Option<usize>,
    /// Aggregates read by SLOs (indices into service.aggregates).
    slo_aggs: Vec<usize>,
    /// Metric slots the SLOs read, directly or through an aggregate.
    slo_slots: Vec<usize>,
    pub missing_demand_ticks: usize,
}

/// What the model takes from the service alone: how each metric slot is simulated and
/// what the SLOs read.
struct ServiceParts {
    kinds: Vec<Kind>,
    treatments: Vec<Treatment>,
    latency_slot: Option<usize>,
    slo_aggs: Vec<usize>,
    slo_slots: Vec<usize>,
}

impl ServiceParts {
    fn of(service: &Service, model: &ir::Model, recorded: bool) -> ServiceParts {
        let mut kinds = Vec::with_capacity(service.metrics.len());
        let mut treatments = Vec::with_capacity(service.metrics.len());
        let mut latency_slot = None;
        for (i, m) in service.metrics.iter().enumerate() {
            let ratio = m.unit.dimension() == Dimension::Ratio;
            let lat = model.latency.iter().find(|l| l.metric.0 == i);
            let (k, t) = if i == model.demand.0 {
                (Kind::Demand, Treatment::Demand)
            } else if let MetricSource::Builtin(b) = m.source {
                (Kind::Builtin(b), Treatment::Builtin)
            } else if model.utilization.iter().any(|u| u.0 == i) {
                if recorded {
                    (Kind::UtilScaled { ratio }, Treatment::UtilizationRescaled)
                } else {
                    (Kind::UtilRho { ratio }, Treatment::UtilizationFromRho)
                }
            } else if let Some(l) = lat {
                match l.base {
                    Some(base) => (Kind::LatBase { base }, Treatment::LatencyBase),
                    None if recorded => (Kind::LatRescaled, Treatment::LatencyRescaled),
                    None => (Kind::Replayed, Treatment::Replayed),
                }
            } else {
                (Kind::Replayed, Treatment::Replayed)
            };
            if lat.is_some() && latency_slot.is_none() && t != Treatment::Replayed {
                latency_slot = Some(i);
            }
            kinds.push(k);
            treatments.push(t);
        }
        let mut slo_aggs = Vec::new();
        for slo in &model.slos {
            for v in [&slo.compare.lhs, &slo.compare.rhs] {
                if let Value::Aggregate(a) = v {
                    if !slo_aggs.contains(&a.0) {
                        slo_aggs.push(a.0);
                    }
                }
            }
        }
        let mut slo_slots: Vec<usize> = Vec::new();
        for slo in &model.slos {
            for v in [&slo.compare.lhs, &slo.compare.rhs] {
                let slot = match v {
                    Value::Metric(m) => Some(m.0),
                    Value::Aggregate(a) => service.aggregates.get(a.0).map(|g| g.metric.0),
                    Value::Const(_) => None,
                };
                if let Some(slot) = slot.filter(|s| !slo_slots.contains(s)) {
                    slo_slots.push(slot);
                }
            }
        }
        ServiceParts {
            kinds,
            treatments,
            latency_slot,
            slo_aggs,
            slo_slots,
        }
    }
}

impl<'a> Model<'a> {
    pub fn new(service: &'a Service, data: &'a Dataset) -> Result<Self, BacktestError> {
        let model = service
            .model
            .as_ref()
            .ok_or_else(|| BacktestError::NoModel(service.name.clone()))?;
        if model.capacity.is_nan() || model.capacity <= 0.0 || model.capacity.is_infinite() {
            return Err(BacktestError::BadModel(format!(
                "capacity must be a positive number, got {}",
                model.capacity
            )));
        }
        // A latency with a base is modelled entirely: its column may be absent.
        let modelled = crate::backtest::data::modelled_columns(service);
        let mut cols = Vec::with_capacity(service.metrics.len());
        for m in &service.metrics {
            cols.push(match &m.source {
                MetricSource::Column(c) => match data.column(c) {
                    Some(v) => Some(v),
                    None if modelled.contains(&c.as_str()) => None,
                    None => return Err(BacktestError::MissingColumn(c.clone())),
                },
                MetricSource::Builtin(_) => None,
            });
        }
        let recorded = match &model.recorded_replicas {
            Some(c) => data.column(c),
            None => None,
        };
        let dm = service
            .metrics
            .get(model.demand.0)
            .ok_or_else(|| BacktestError::BadModel("demand metric out of range".into()))?;
        let dcol = cols[model.demand.0].ok_or_else(|| {
            BacktestError::BadModel(format!(
                "the demand metric `{}` must be a dataset column",
                dm.name
            ))
        })?;
        // Offered load and replica counts cannot be negative: a negative cell is a data
        // error, not something to clamp away silently.
        let negative = |col: &str, values: &[f64]| {
            values
                .iter()
                .position(|v| *v < 0.0)
                .map(|i| BacktestError::NegativeValue {
                    column: col.to_string(),
                    value: values[i],
                    time: crate::timestamp::format_timestamp(data.timestamps_ms[i]),
                })
        };
        let dcol_name = match &dm.source {
            MetricSource::Column(c) => c.as_str(),
            MetricSource::Builtin(b) => b.name(),
        };
        if let Some(e) = negative(dcol_name, dcol) {
            return Err(e);
        }
        if let (Some(rec), Some(name)) = (recorded, &model.recorded_replicas) {
            if let Some(e) = negative(name, rec) {
                return Err(e);
            }
        }
        let demand_si: Vec<f64> = dcol.iter().map(|&v| dm.to_si(v)).collect();
        let mut demand = Vec::with_capacity(demand_si.len());
        let mut last = 0.0;
        let mut missing = 0;
        for &v in &demand_si {
            if v.is_nan() {
                missing += 1;
            } else {
                last = v.max(0.0);
            }
            demand.push(last);
        }
        let parts = ServiceParts::of(service, model, recorded.is_some());
        let tick_ms = data.tick_ms;
        Ok(Model {
            service,
            model,
            tick_ms,
            tick_s: tick_ms as f64 / 1000.0,
            demand: Cow::Owned(demand),
            demand_si: Cow::Owned(demand_si),
            recorded,
            cols,
            kinds: parts.kinds,
            treatments: parts.treatments,
            latency_slot: parts.latency_slot,
            slo_aggs: parts.slo_aggs,
            slo_slots: parts.slo_slots,
            missing_demand_ticks: missing,
        })
    }

    /// The model of another variant of this service (`tune`: the same metrics and
    /// columns, other thresholds, bounds or model values), sharing this model's demand
    /// columns and dataset columns instead of computing them again.
    pub fn for_variant<'b>(&'b self, service: &'b Service) -> Result<Model<'b>, BacktestError> {
        let model = service
            .model
            .as_ref()
            .ok_or_else(|| BacktestError::NoModel(service.name.clone()))?;
        if service.metrics != self.service.metrics || model.demand != self.model.demand {
            return Err(BacktestError::BadModel(
                "a variant must read the same metrics as the service it varies".into(),
            ));
        }
        if model.capacity.is_nan() || model.capacity <= 0.0 || model.capacity.is_infinite() {
            return Err(BacktestError::BadModel(format!(
                "capacity must be a positive number, got {}",
                model.capacity
            )));
        }
        let parts = ServiceParts::of(service, model, self.recorded.is_some());
        Ok(Model {
            service,
            model,
            tick_ms: self.tick_ms,
            tick_s: self.tick_s,
            demand: Cow::Borrowed(&self.demand),
            demand_si: Cow::Borrowed(&self.demand_si),
            recorded: self.recorded,
            cols: self.cols.clone(),
            kinds: parts.kinds,
            treatments: parts.treatments,
            latency_slot: parts.latency_slot,
            slo_aggs: parts.slo_aggs,
            slo_slots: parts.slo_slots,
            missing_demand_ticks: self.missing_demand_ticks,
        })
    }

    pub fn len(&self) -> usize {
        self.demand.len()
    }

    pub fn is_empty(&self) -> bool {
        self.demand.is_empty()
    }

    /// ρ = (d + B / tick_s) / (N × capacity); ∞ with load and no capacity, 0 without load.
    pub fn rho(&self, i: usize, units: f64, backlog: f64) -> f64 {
        let load = self.demand[i] + backlog / self.tick_s;
        let cap = units * self.model.capacity;
        if cap > 0.0 {
            load / cap
        } else if load > 0.0 {
            f64::INFINITY
        } else {
            0.0
        }
    }

    /// Fills `out` with the simulated SI value of every metric slot; returns ρ.
    pub fn values(
        &self,
        i: usize,
        ready: Supply,
        requested: u32,
        backlog: f64,
        out: &mut [f64],
    ) -> f64 {
        let (units, ready) = (ready.units, ready.ready);
        let rho = self.rho(i, units, backlog);
        for (slot, kind) in self.kinds.iter().enumerate() {
            out[slot] = self.value_of(slot, *kind, i, rho, units, ready, requested, backlog);
        }
        rho
    }

    /// Like [`values`](Self::values), but only the metrics the SLOs read (the other
    /// slots of `out` are left as they are): all a breach needs, so what the oracle's
    /// search and the baseline runs compute.
    ///
    /// `units` is the ready capacity in units of the model's capacity per replica (the
    /// ready count without a size ladder: see [`Supply`]).
    pub fn slo_values(
        &self,
        i: usize,
        ready: u32,
        units: f64,
        requested: u32,
        backlog: f64,
        out: &mut [f64],
    ) -> f64 {
        let rho = self.rho(i, units, backlog);
        for &slot in &self.slo_slots {
            out[slot] = self.value_of(
                slot,
                self.kinds[slot],
                i,
                rho,
                units,
                ready,
                requested,
                backlog,
            );
        }
        rho
    }

    /// One metric's simulated value at tick `i`.
    #[expect(
        clippy::too_many_arguments,
        reason = "the simulation state at one tick, read-only"
    )]
    fn value_of(
        &self,
        slot: usize,
        kind: Kind,
        i: usize,
        rho: f64,
        units: f64,
        ready: u32,
        requested: u32,
        backlog: f64,
    ) -> f64 {
        let n = units;
        let m = &self.service.metrics[slot];
        let rec = || self.cols[slot].map_or(f64::NAN, |c| m.to_si(c[i]));
        match kind {
            Kind::Demand => self.demand_si[i],
            Kind::Builtin(Builtin::Backlog) => backlog,
            Kind::Builtin(Builtin::Utilization) => rho,
            Kind::Builtin(Builtin::Replicas) => f64::from(requested),
            Kind::Builtin(Builtin::Ready) => f64::from(ready),
            Kind::UtilScaled { ratio } => {
                let rr = self.recorded.map_or(f64::NAN, |r| r[i]);
                let mrec = rec();
                let v = if mrec.is_nan() {
                    f64::NAN
                } else if rr.is_nan() || rr <= 0.0 {
                    rho
                } else if n <= 0.0 {
                    // No pod serving: no recording to rescale. Read it as ρ does (0
                    // without load, saturated with load), so an idle service with no
                    // demand reads 0 and stays idle (docs/backtest.md, "Zero replicas").
                    rho
                } else {
                    mrec * rr / n
                };
                if ratio {
                    v.min(1.0)
                } else {
                    v
                }
            }
            Kind::UtilRho { ratio } => {
                if ratio {
                    rho.min(1.0)
                } else {
                    rho
                }
            }
            Kind::LatBase { base } => latency_base(base, rho),
            Kind::LatRescaled => {
                let lrec = rec();
                let rr = self.recorded.map_or(f64::NAN, |r| r[i]);
                if lrec.is_nan() || rr.is_nan() || rr <= 0.0 {
                    f64::NAN
                } else {
                    let rho_rec =
                        (self.demand[i] / (rr * self.model.capacity)).min(MAX_RECORDED_RHO);
                    latency_rescaled(lrec, rho_rec, rho)
                }
            }
            Kind::Replayed => rec(),
        }
    }

    /// The recorded values (no simulation), for `--replay`. Builtins come from the
    /// recorded replicas when present (backlog: 0), else from the simulation.
    pub fn recorded_values(&self, i: usize, sim: &[f64], out: &mut [f64]) {
        for (slot, kind) in self.kinds.iter().enumerate() {
            let m = &self.service.metrics[slot];
            out[slot] = match (*kind, self.recorded) {
                (Kind::Builtin(b), Some(r)) => {
                    let rr = r[i];
                    match b {
                        Builtin::Backlog => 0.0,
                        Builtin::Replicas | Builtin::Ready => rr,
                        Builtin::Utilization => self.demand[i] / (rr * self.model.capacity),
                    }
                }
                (Kind::Builtin(_), None) => sim[slot],
                _ => self.cols[slot].map_or(sim[slot], |c| m.to_si(c[i])),
            };
        }
    }

    /// The first simulated latency metric in `values`, NaN without one.
    pub fn latency_of(&self, values: &[f64]) -> f64 {
        self.latency_slot.map_or(f64::NAN, |s| values[s])
    }

    /// True when any SLO is definitely false (unknown, e.g. a missing replayed
    /// value, is not a breach). `aggs` holds the current aggregate values (NaN for
    /// aggregates no SLO reads).
    pub fn slo_violated(&self, values: &[f64], aggs: &[f64]) -> bool {
        self.model.slos.iter().any(|s| {
            let c = &s.compare;
            let get = |v: &Value| match v {
                Value::Metric(m) => values[m.0],
                Value::Aggregate(a) => aggs[a.0],
                Value::Const(k) => *k,
            };
            let (a, b) = (get(&c.lhs), get(&c.rhs));
            if a.is_nan() || b.is_nan() {
                return false;
            }
            !match c.op {
                CmpOp::Gt => a > b,
                CmpOp::Ge => a >= b,
                CmpOp::Lt => a < b,
                CmpOp::Le => a <= b,
                CmpOp::Eq => a == b,
                CmpOp::Ne => a != b,
            }
        })
    }

    /// Fresh windows for the aggregates SLOs read.
    pub fn slo_windows(&self) -> SloWindows {
        SloWindows {
            windows: self
                .slo_aggs
                .iter()
                .map(|&a| {
                    let g = &self.service.aggregates[a];
                    (a, g.metric.0, Window::new(g.func, g.window))
                })
                .collect(),
            values: vec![f64::NAN; self.service.aggregates.len()],
        }
    }

    /// The fewest replicas in [min, max] with ρ < 1 and every SLO met at tick `i`
    /// with no backlog (SLO aggregates are taken as the instantaneous value).
    /// `None` when even `max` fails. `hint` (usually the previous tick's answer) is
    /// where the search starts; the answer does not depend on it.
    pub fn demand_replicas(
        &self,
        i: usize,
        hint: Option<u32>,
        scratch: &mut [f64],
        aggs: &mut [f64],
    ) -> Option<u32> {
        self.demand_replicas_sized(i, hint, 1.0, scratch, aggs)
    }

    /// [`demand_replicas`](Self::demand_replicas) for replicas of `unit` times the
    /// model's capacity each (a size of the ladder; 1.0 is the model's replica).
    pub fn demand_replicas_sized(
        &self,
        i: usize,
        hint: Option<u32>,
        unit: f64,
        scratch: &mut [f64],
        aggs: &mut [f64],
    ) -> Option<u32> {
        let (min, max) = (self.service.min, self.service.max);
        // ρ < 1 needs N > d / capacity.
        let lb = (self.demand[i] / (self.model.capacity * unit)).floor();
        let start = if lb >= f64::from(max) {
            max
        } else {
            (lb as u32 + 1).max(min)
        };
        let start = if self.demand[i] <= 0.0 { min } else { start };
        let mut ok = |n: u32| {
            let rho = self.slo_values(i, n, f64::from(n) * unit, n, 0.0, scratch);
            for &a in &self.slo_aggs {
                aggs[a] = scratch[self.service.aggregates[a].metric.0];
            }
            rho < 1.0 && !self.slo_violated(scratch, aggs)
        };
        // Every metric function is monotone in N (more replicas never raise utilisation
        // or latency), so feasibility is monotone too: the answer is the one count that
        // holds while the count below fails (or is below `start`). Demand moves slowly,
        // so the previous tick's answer is usually it or a step away: gallop from there
        // (down when it holds, up when it fails), then bisect the last step.
        let c = hint.unwrap_or(start).clamp(start, max);
        if ok(c) {
            if c == start || !ok(c - 1) {
                return Some(c);
            }
            // Invariant: `hi` holds; find the lowest count that holds, in [start, hi).
            let (mut hi, mut step) = (c - 1, 1u32);
            let lo = loop {
                if hi == start {
                    return Some(start);
                }
                let next = hi.saturating_sub(step).max(start);
                if !ok(next) {
                    break next;
                }
                hi = next;
                step = step.saturating_mul(2);
            };
            return Some(bisect(lo, hi, &mut ok));
        }
        // Invariant: `lo` fails.
        let (mut lo, mut step) = (c, 1u32);
        let hi = loop {
            if lo == max {
                return None;
            }
            let next = lo.saturating_add(step).min(max);
            if ok(next) {
                break next;
            }
            lo = next;
            step = step.saturating_mul(2);
        };
        Some(bisect(lo, hi, &mut ok))
    }
}

/// The lowest count in (lo, hi] that holds, when `lo` fails and `hi` holds.
fn bisect(lo: u32, hi: u32, ok: &mut impl FnMut(u32) -> bool) -> u32 {
    let (mut lo, mut hi) = (lo + 1, hi);
    while lo < hi {
        let mid = lo + (hi - lo) / 2;
        if ok(mid) {
            hi = mid;
        } else {
            lo = mid + 1;
        }
    }
    hi
}

/// Sliding windows for SLO aggregates along one simulated run.
pub struct SloWindows {
    windows: Vec<(usize, usize, Window)>,
    pub values: Vec<f64>,
}

impl SloWindows {
    pub fn push(&mut self, t: i64, metrics: &[f64]) {
        for (a, m, w) in &mut self.windows {
            w.push(t, metrics[*m]);
            self.values[*a] = w.value();
        }
    }
}

/// `L = base / (1 − ρ)`, capped at `100 × base` (and equal to it when ρ ≥ 1).
pub fn latency_base(base: f64, rho: f64) -> f64 {
    let cap = SATURATION_BASE_FACTOR * base;
    if rho >= 1.0 {
        cap
    } else {
        (base / (1.0 - rho)).min(cap)
    }
}

/// `L_sim = L_rec × (1 − ρ_rec) / (1 − ρ_sim)`, capped at 60 s (and 60 s when ρ_sim ≥ 1).
pub fn latency_rescaled(l_rec: f64, rho_rec: f64, rho: f64) -> f64 {
    if rho >= 1.0 {
        SATURATION_LATENCY_S
    } else {
        (l_rec * (1.0 - rho_rec) / (1.0 - rho)).min(SATURATION_LATENCY_S)
    }
}

/// One run of the queue: the backlog carried from tick to tick.
pub struct Queue {
    pub backlog: f64,
}

impl Queue {
    /// Advances one tick with `ready` replicas: returns the tick's state (without
    /// `breach`/`latency`, which the caller fills) and updates the backlog:
    /// `B' = max(0, B + (d − C) × tick_s)`.
    pub fn advance(&mut self, m: &Model<'_>, i: usize, units: f64, rho: f64) -> TickState {
        let d = m.demand[i];
        let cap = units * m.model.capacity;
        let b = self.backlog;
        let spare_for_new = (cap * m.tick_s - b).max(0.0);
        let delayed = (d * m.tick_s - spare_for_new).max(0.0);
        self.backlog = (b + (d - cap) * m.tick_s).max(0.0);
        TickState {
            demand: d,
            capacity: cap,
            rho,
            backlog: b,
            delayed,
            breach: false,
            saturated: rho >= 1.0,
            latency: f64::NAN,
        }
    }
}

/// The replicas between a decision and readiness: a scale-out's replicas join the
/// ready count `startup` after the tick that asked for them; a scale-in cancels the
/// newest pending replicas first, then removes ready ones at once (docs/backtest.md).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Pipeline {
    ready: u32,
    /// (ready at, count), ascending by time.
    pending: VecDeque<(i64, u32)>,
}

impl Pipeline {
    /// A fleet of `ready` replicas with nothing pending.
    pub fn new(ready: u32) -> Self {
        Pipeline {
            ready,
            pending: VecDeque::new(),
        }
    }

    /// Replicas serving now.
    pub fn ready(&self) -> u32 {
        self.ready
    }

    /// Replicas requested but not ready yet.
    pub fn pending(&self) -> u32 {
        self.pending.iter().map(|p| p.1).sum()
    }

    /// Moves the replicas whose startup has ended by `t` to ready; returns the ready count.
    pub fn advance(&mut self, t: i64) -> u32 {
        while let Some(&(at, k)) = self.pending.front() {
            if at > t {
                break;
            }
            self.ready += k;
            self.pending.pop_front();
        }
        self.ready
    }

    /// `k` more replicas, ready at `at`.
    pub fn start(&mut self, at: i64, k: u32) {
        // Startup is one constant, so `at` rarely goes backwards: then this is a push.
        let pos = self.pending.partition_point(|p| p.0 <= at);
        self.pending.insert(pos, (at, k));
    }

    /// `k` fewer replicas: the newest pending ones are cancelled first, then ready ones
    /// are removed (never below zero).
    pub fn stop(&mut self, mut k: u32) {
        while k > 0 {
            match self.pending.back_mut() {
                Some(p) => {
                    let take = p.1.min(k);
                    p.1 -= take;
                    k -= take;
                    if p.1 == 0 {
                        self.pending.pop_back();
                    }
                }
                None => {
                    self.ready = self.ready.saturating_sub(k);
                    k = 0;
                }
            }
        }
    }

    /// Applies a decision from `from` to `to` replicas taken at `t`: a scale-out
    /// starts the difference, ready at `t + startup`.
    pub fn decide(&mut self, from: u32, to: u32, ready_at: i64) {
        if to > from {
            self.start(ready_at, to - from);
        } else {
            self.stop(from - to);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scale_out_becomes_ready_after_startup() {
        let mut p = Pipeline::new(2);
        p.start(100, 3);
        assert_eq!((p.advance(99), p.pending()), (2, 3));
        assert_eq!((p.advance(100), p.pending()), (5, 0));
    }

    #[test]
    fn scale_in_cancels_newest_pending_first() {
        let mut p = Pipeline::new(4);
        p.start(100, 2);
        p.start(200, 3);
        p.stop(4); // cancels the 3 of t=200 and one of t=100
        assert_eq!((p.ready(), p.pending()), (4, 1));
        p.stop(3); // the last pending one, then two ready
        assert_eq!((p.ready(), p.pending()), (2, 0));
        p.stop(10);
        assert_eq!(p.ready(), 0);
        assert_eq!(p.advance(1_000), 0);
    }

    #[test]
    fn out_of_order_starts_stay_sorted() {
        let mut p = Pipeline::new(0);
        p.start(300, 1);
        p.start(100, 2);
        p.start(300, 4);
        assert_eq!(p.advance(100), 2);
        assert_eq!(p.advance(299), 2);
        assert_eq!(p.advance(300), 7);
    }

    #[test]
    fn decide_maps_directions() {
        let mut p = Pipeline::new(3);
        p.decide(3, 5, 50);
        assert_eq!((p.ready(), p.pending()), (3, 2));
        p.decide(5, 2, 60);
        assert_eq!((p.ready(), p.pending()), (2, 0));
    }

    #[test]
    fn oracle_search_does_not_depend_on_its_hint() {
        let svc = crate::compile(
            "service s {\n  replicas 1..40\n  metric rps = column \"rps\" in rps\n  metric p95 = column \"p95\" in ms\n  when rps > 100 rps scale out by 1\n  model {\n    demand rps\n    capacity 10 rps per replica\n    latency p95 base 20ms\n    slo p95 < 50ms\n  }\n}\n",
            "s",
        )
        .program
        .expect("compiles");
        let demand = [0.0, 5.0, 9.99, 10.0, 55.0, 121.0, 239.0, 400.0, 1e6];
        let data = dataset(&[("rps", &demand), ("p95", &[f64::NAN; 9])]);
        let m = Model::new(&svc.services[0], &data).expect("model");
        let (mut scratch, mut aggs) = (vec![0.0; 2], vec![]);
        for (i, d) in demand.iter().enumerate() {
            let cold = m.demand_replicas(i, None, &mut scratch, &mut aggs);
            // The fewest with p95 = 20 / (1 - ρ) < 50 ms, i.e. ρ < 0.6.
            let want = (1..=40).find(|&n| d / (10.0 * f64::from(n)) < 0.6);
            assert_eq!(cold, want, "tick {i}");
            for hint in [0, 1, 2, 7, 20, 39, 40, 41, u32::MAX] {
                let warm = m.demand_replicas(i, Some(hint), &mut scratch, &mut aggs);
                assert_eq!(warm, cold, "tick {i}, hint {hint}");
            }
        }
    }

    fn dataset(columns: &[(&str, &[f64])]) -> Dataset {
        let n = columns[0].1.len();
        Dataset {
            path: "x.csv".into(),
            tick_ms: 1000,
            timestamps_ms: (0..n as i64).map(|i| i * 1000).collect(),
            columns: columns
                .iter()
                .map(|(name, v)| crate::backtest::data::Column {
                    name: name.to_string(),
                    values: v.to_vec(),
                })
                .collect(),
            report: crate::backtest::data::LoadReport {
                format: crate::backtest::data::FileFormat::Csv,
                rows_read: n,
                blank_rows_skipped: 0,
                rows_other_services: 0,
                rows_before_from: 0,
                rows_after_to: 0,
                rows_used: n,
                gap_ticks_filled: 0,
                held_ticks: 0,
                null_cells: Vec::new(),
                resampled: false,
                inferred_tick_ms: Some(1000),
                services: Vec::new(),
                service: None,
                optional_missing: Vec::new(),
            },
        }
    }

    #[test]
    fn queue_carries_backlog() {
        // One replica of 10 rps for a 1-second tick against 15 rps: 5 left over.
        let svc = crate::compile(
            "service s {\n  replicas 1..4\n  metric rps = column \"rps\" in rps\n  when rps > 100 rps scale out by 1\n  model {\n    demand rps\n    capacity 10 rps per replica\n  }\n}\n",
            "s",
        )
        .program
        .expect("compiles");
        let data = dataset(&[("rps", &[15.0, 0.0])]);
        let m = Model::new(&svc.services[0], &data).expect("model");
        let mut q = Queue { backlog: 0.0 };
        let st = q.advance(&m, 0, 1.0, m.rho(0, 1.0, 0.0));
        assert_eq!((st.backlog, st.delayed, q.backlog), (0.0, 5.0, 5.0));
        let st = q.advance(&m, 1, 1.0, m.rho(1, 1.0, q.backlog));
        assert_eq!((st.backlog, q.backlog), (5.0, 0.0));
    }
}
