//! What names resolve to: the metric slots of a service and the aggregate functions.
//! The checker builds these; the IR carries them as they are (`ir` re-exports them), so
//! lowering copies instead of converting.

use crate::span::Span;
use crate::units::{fmt_num, Unit};
use serde::Serialize;

/// Index of a metric slot in a service's metric list (`ir::Service::metrics`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub struct MetricId(pub usize);

/// A metric the policy reads.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Metric {
    pub name: String,
    pub source: MetricSource,
    /// The unit the data is recorded in; values are converted to SI on the way in.
    pub unit: Unit,
    /// Where the unit came from, for `explain`.
    pub unit_origin: UnitOrigin,
    /// `promql "…"` on its line: the query that gives its values from Prometheus.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub promql: Option<Promql>,
    pub span: Option<Span>,
}

/// `promql "QUERY"`: a PromQL query bound to a metric or to the recorded replicas. A
/// fetch writes its values into the dataset column of the same binding (the `column`
/// beside it, else the metric's name), so the file reads back with `--data`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Promql {
    /// The query, escapes resolved.
    pub query: String,
    /// The quoted query in the rule file, for errors about it.
    pub span: Span,
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
            AggFunc::Quantile(q) => format!("p{}", fmt_num(q * 100.0)),
        }
    }
}
