//! What names resolve to: the metric slots of a service and the aggregate functions.
//! The checker builds these; the IR carries them as they are (`ir` re-exports them), so
//! lowering copies instead of converting.

use crate::span::Span;
use crate::syntax::ast::SelectMode;
use crate::units::Millis;
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
    /// `per replica` on the `metric` line: the value is already an average over the ready
    /// replicas (an HPA `Pods` metric); otherwise a total. Ratios are always averages.
    pub per_replica: bool,
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

/// What a target's metric value aggregates (the HPA's metric source kinds).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TargetSource {
    /// An average over the ready replicas: a ratio metric, or one declared `per replica`
    /// (HPA `Resource`, `ContainerResource`, `Pods`).
    PodAverage,
    /// One total for the service (HPA `Object`, `External`).
    Total,
}

/// Where a target holds its metric (the HPA's `MetricTarget` types), in SI.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TargetGoal {
    /// `at 60%` on a ratio metric: `type: Utilization`, whole percent.
    Utilization(u32),
    /// `at 20 per replica`: `type: AverageValue`.
    AverageValue(f64),
    /// `at 500` on a total: `type: Value`.
    Value(f64),
}

/// A checked `target` line (its operand resolves through `operand_metric`).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct TargetKind {
    pub source: TargetSource,
    pub goal: TargetGoal,
    /// The unit values are shown in (the metric's).
    pub unit: Unit,
    /// `, active above Q` in SI (KEDA's `activationThreshold`; read only by `idle`).
    pub activation: Option<f64>,
}

/// A rate policy: at most `value` replicas (or percent) per `period`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct RatePolicy {
    pub percent: bool,
    pub value: u32,
    pub period: Millis,
}

/// One direction of `behavior` as written: `None` fields take the Kubernetes defaults.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct DirectionBehavior {
    pub stabilize: Option<Millis>,
    pub policies: Option<Vec<RatePolicy>>,
    pub select: Option<SelectMode>,
    /// A fraction (`tolerance 5%` is 0.05).
    pub tolerance: Option<f64>,
}

/// The `behavior` statements of a service (the HPA's `spec.behavior`), as written.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Behavior {
    /// `behavior out …` (`scaleUp`).
    pub scale_up: Option<DirectionBehavior>,
    /// `behavior in …` (`scaleDown`).
    pub scale_down: Option<DirectionBehavior>,
}

/// When a schedule entry applies, in local time of its zone.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Calendar {
    /// Every week on `days` (bit 0 is Monday), from `start` to `end` seconds after local
    /// midnight; `end <= start` runs into the next day; `end` may be 86400 (24:00).
    Weekly { days: u8, start: u32, end: u32 },
    /// Every week from `start` on `day` (Monday = 0) to `end` on the day `span_days`
    /// later (`from fri 18:00 to mon 08:00`: day 4, span 3).
    Span {
        day: u8,
        start: u32,
        span_days: u8,
        end: u32,
    },
    /// Once, between two local date-times, each as seconds since 1970-01-01T00:00 local.
    Once { start: i64, end: i64 },
}

/// A checked `schedule` line.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ScheduleSpec {
    pub calendar: Calendar,
    /// An IANA zone name, canonical spelling (`in ZONE`, else `timezone`, else `UTC`).
    pub zone: String,
    /// Whether the line or the service named the zone (else UTC was assumed).
    pub zone_written: bool,
    /// `at least N`
    pub floor: Option<u32>,
    /// `at most N`
    pub ceiling: Option<u32>,
    /// `propose N`
    pub propose: Option<u32>,
}

/// `idle to N [after D] [, check every D]`: KEDA's scale to zero (docs/language.md,
/// "Idle"). Durations as written; [`Idle::after`] and [`Idle::check_every`] give KEDA's
/// defaults for the absent ones.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Idle {
    /// The count while idle (`idleReplicaCount`; 0 for `minReplicaCount: 0`).
    pub to: u32,
    /// `after D` as written (`cooldownPeriod`).
    pub after_written: Option<Millis>,
    /// `, check every D` as written (`pollingInterval`).
    pub check_every_written: Option<Millis>,
    pub text: String,
    pub line: usize,
    pub span: Span,
}

impl Idle {
    /// KEDA's default `cooldownPeriod`: 300 s.
    pub const DEFAULT_AFTER: Millis = 300_000;
    /// KEDA's default `pollingInterval`: 30 s.
    pub const DEFAULT_CHECK_EVERY: Millis = 30_000;

    /// How long every trigger must be inactive before the count goes to `to`.
    pub fn after(&self) -> Millis {
        self.after_written.unwrap_or(Self::DEFAULT_AFTER)
    }

    /// How often activity is checked.
    pub fn check_every(&self) -> Millis {
        self.check_every_written
            .unwrap_or(Self::DEFAULT_CHECK_EVERY)
    }

    /// The lowest count of an active service: `max(MIN, 1)` (KEDA's `GetHPAMinReplicas`).
    pub fn awake_min(min: u32) -> u32 {
        min.max(1)
    }
}
