//! Stage 4: the lowered form the evaluator and the backtester run. Units are SI
//! (seconds, fractions, per-second rates, counts); durations are whole milliseconds;
//! every metric is a numbered slot; every node that can fail at run time keeps its span.
//! [`fmt::Display`] is stable: `scalerules explain` and the snapshots print it.

mod display;
pub mod lower;

use crate::span::Span;
pub use crate::syntax::ast::{CmpOp, Direction, MissingMode};
use crate::units::Unit;
use serde::Serialize;

/// Milliseconds: the unit of every duration and timestamp in the IR.
pub type Millis = i64;

/// A checked, lowered rule file.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Program {
    pub services: Vec<Service>,
}

impl Program {
    pub fn service(&self, name: &str) -> Option<&Service> {
        self.services.iter().find(|s| s.name == name)
    }
}

/// One service's policy.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Service {
    pub name: String,
    pub min: u32,
    pub max: u32,
    pub start: u32,
    pub on_missing: MissingMode,
    /// After any scale-out, no scale-out for this long (0: none).
    pub cooldown_out: Millis,
    /// After any scale-in, no scale-in for this long (0: none).
    pub cooldown_in: Millis,
    /// The declared evaluation interval (`tick 1m`), if any.
    pub tick: Option<Millis>,
    /// Metric slots: `Sample` values are indexed by position here.
    pub metrics: Vec<Metric>,
    /// Window aggregates, shared by every rule that names the same one.
    pub aggregates: Vec<Aggregate>,
    pub rules: Vec<Rule>,
    pub model: Option<Model>,
    pub span: Span,
}

impl Service {
    pub fn metric(&self, name: &str) -> Option<MetricId> {
        self.metrics
            .iter()
            .position(|m| m.name == name)
            .map(MetricId)
    }

    /// Which metric slots the rules read (directly or through an aggregate); the model
    /// may declare others, such as the demand.
    pub fn read_by_rules(&self) -> Vec<bool> {
        let mut used = vec![false; self.metrics.len()];
        fn walk(c: &Cond, aggs: &[Aggregate], used: &mut [bool]) {
            match c {
                Cond::Compare(cmp) => {
                    for v in [&cmp.lhs, &cmp.rhs] {
                        match v {
                            Value::Metric(m) => used[m.0] = true,
                            Value::Aggregate(a) => used[aggs[a.0].metric.0] = true,
                            Value::Const(_) => {}
                        }
                    }
                }
                Cond::And(a, b) | Cond::Or(a, b) => {
                    walk(a, aggs, used);
                    walk(b, aggs, used);
                }
                Cond::Not(a) => walk(a, aggs, used),
            }
        }
        for r in &self.rules {
            walk(&r.condition, &self.aggregates, &mut used);
        }
        used
    }

    /// The dataset columns the policy reads (column metrics only).
    pub fn columns(&self) -> Vec<&str> {
        self.metrics
            .iter()
            .filter_map(|m| match &m.source {
                MetricSource::Column(c) => Some(c.as_str()),
                MetricSource::Builtin(_) => None,
            })
            .collect()
    }
}

/// Index of a metric slot in [`Service::metrics`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub struct MetricId(pub usize);

/// Index of an aggregate in [`Service::aggregates`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub struct AggregateId(pub usize);

/// Index of a rule in [`Service::rules`] (also its order in the file).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct RuleId(pub usize);

/// A metric the policy reads.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Metric {
    pub name: String,
    pub source: MetricSource,
    /// The unit the data is recorded in; values are converted to SI on the way in.
    pub unit: Unit,
    /// Where the unit came from, for `explain`.
    pub unit_origin: UnitOrigin,
    pub span: Option<Span>,
}

impl Metric {
    /// A raw data value in SI.
    pub fn to_si(&self, raw: f64) -> f64 {
        self.unit.to_si(raw)
    }
}

/// Where a metric's values come from.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub enum MetricSource {
    /// A dataset column (or, online, an input column) of this name.
    Column(String),
    /// A value the backtest simulation computes (online: an input column of the same name).
    Builtin(Builtin),
}

/// Metrics the simulation provides.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Builtin {
    /// Queued demand not yet served (count)
    Backlog,
    /// Demand over ready capacity (fraction)
    Utilization,
    /// Requested replicas (count)
    Replicas,
    /// Ready replicas (count)
    Ready,
}

impl Builtin {
    pub const ALL: [Builtin; 4] = [
        Builtin::Backlog,
        Builtin::Utilization,
        Builtin::Replicas,
        Builtin::Ready,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Builtin::Backlog => "backlog",
            Builtin::Utilization => "utilization",
            Builtin::Replicas => "replicas",
            Builtin::Ready => "ready",
        }
    }

    pub fn unit(self) -> Unit {
        match self {
            Builtin::Utilization => Unit::Fraction,
            _ => Unit::Count,
        }
    }

    pub fn from_name(name: &str) -> Option<Builtin> {
        Builtin::ALL.into_iter().find(|b| b.name() == name)
    }
}

/// How a metric's unit was decided.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum UnitOrigin {
    /// `in UNIT` on its `metric` line
    Declared,
    /// the column name's suffix (e.g. `_ms`)
    Suffix(String),
    /// the first literal it is compared with
    Inferred { literal: String, line: usize },
    /// a simulation builtin
    Builtin,
    /// nothing said otherwise: a plain count
    Default,
}

/// An aggregate over a window of the past: samples with timestamps in (t − window, t].
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Aggregate {
    pub func: AggFunc,
    pub metric: MetricId,
    pub window: Millis,
}

/// Aggregate functions.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum AggFunc {
    Avg,
    Min,
    Max,
    Sum,
    /// per-second increase of a counter, resets tolerated
    Rate,
    /// the q-quantile (0 < q < 1), linearly interpolated between closest ranks
    Quantile(f64),
}

impl AggFunc {
    pub fn name(self) -> String {
        match self {
            AggFunc::Avg => "avg".into(),
            AggFunc::Min => "min".into(),
            AggFunc::Max => "max".into(),
            AggFunc::Sum => "sum".into(),
            AggFunc::Rate => "rate".into(),
            AggFunc::Quantile(q) => format!("p{}", crate::units::fmt_num(q * 100.0)),
        }
    }
}

/// One scaling rule.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Rule {
    pub id: RuleId,
    /// The rule's source text, whitespace folded, for reports.
    pub text: String,
    pub span: Span,
    /// 1-based line of `when`.
    pub line: usize,
    pub condition: Cond,
    pub sustain: Sustain,
    pub action: Action,
    /// The rule cannot fire again until this long after it last fired (0: none).
    pub cooldown: Millis,
}

/// A condition in three-valued logic.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub enum Cond {
    Compare(Compare),
    And(Box<Cond>, Box<Cond>),
    Or(Box<Cond>, Box<Cond>),
    Not(Box<Cond>),
}

/// `lhs OP rhs`, both sides in SI.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Compare {
    pub lhs: Value,
    pub op: CmpOp,
    pub rhs: Value,
    /// The unit values are shown in (the metric's unit).
    pub unit: Unit,
    pub span: Span,
}

/// One side of a comparison.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub enum Value {
    Metric(MetricId),
    Aggregate(AggregateId),
    /// An SI constant.
    Const(f64),
}

/// How long a condition must hold before the rule fires.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub enum Sustain {
    /// Fires at the first true evaluation (`for 0` or no `for`).
    Immediate,
    /// True at every evaluation since a time at least this long ago (Prometheus `for`).
    For(Millis),
    /// At least `m` true evaluations with timestamps in (t − window, t].
    MOfN { m: u32, window: Millis },
}

/// What a rule does when it wins.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub enum Action {
    OutBy(u32),
    /// percent of the current count, added replicas rounded up, at least 1
    OutByPercent(f64),
    InBy(u32),
    /// percent of the current count, removed replicas rounded down, at least 1
    InByPercent(f64),
    To(u32),
}

impl Action {
    /// The unclamped target from `current` replicas.
    pub fn target(self, current: u32) -> i64 {
        let n = i64::from(current);
        match self {
            Action::OutBy(k) => n + i64::from(k),
            Action::OutByPercent(p) => n + ((n as f64 * p / 100.0).ceil() as i64).max(1),
            Action::InBy(k) => n - i64::from(k),
            Action::InByPercent(p) => n - ((n as f64 * p / 100.0).floor() as i64).max(1),
            Action::To(k) => i64::from(k),
        }
    }

    /// The direction the action moves from `current`, if it moves at all.
    pub fn direction(self, current: u32) -> Option<Direction> {
        let t = self.target(current);
        let n = i64::from(current);
        match t.cmp(&n) {
            std::cmp::Ordering::Greater => Some(Direction::Out),
            std::cmp::Ordering::Less => Some(Direction::In),
            std::cmp::Ordering::Equal => match self {
                Action::OutBy(_) | Action::OutByPercent(_) => Some(Direction::Out),
                Action::InBy(_) | Action::InByPercent(_) => Some(Direction::In),
                Action::To(_) => None,
            },
        }
    }

    /// The direction for static analysis (`scale to` has none).
    pub fn static_direction(self) -> Option<Direction> {
        match self {
            Action::OutBy(_) | Action::OutByPercent(_) => Some(Direction::Out),
            Action::InBy(_) | Action::InByPercent(_) => Some(Direction::In),
            Action::To(_) => None,
        }
    }
}

/// The backtest model: how the simulation turns demand into replica-dependent metrics.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Model {
    /// The metric holding offered load (independent of replicas).
    pub demand: MetricId,
    /// Demand one ready replica serves, in the demand metric's SI unit.
    pub capacity: f64,
    /// From request to ready.
    pub startup: Millis,
    /// Money per replica-hour (0 when not declared).
    pub price_per_hour: f64,
    /// The dataset column with the replica count history ran with.
    pub recorded_replicas: Option<String>,
    /// Metrics proportional to demand per ready replica.
    pub utilization: Vec<MetricId>,
    /// Metrics that follow the queueing model.
    pub latency: Vec<LatencyModel>,
    pub slos: Vec<Slo>,
    pub span: Span,
}

/// `latency p95 base 80ms`: `L = base / (1 − ρ)`; without a base, the recorded value is
/// rescaled: `L_sim = L_rec × (1 − ρ_rec) / (1 − ρ_sim)`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct LatencyModel {
    pub metric: MetricId,
    /// Seconds.
    pub base: Option<f64>,
}

/// `slo p95 < 300ms`: a tick where this is false is a breach.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Slo {
    pub compare: Compare,
    pub text: String,
}
