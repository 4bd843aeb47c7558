//! Stage 4: the lowered form the evaluator and the backtester run. Units are SI
//! (seconds, fractions, per-second rates, counts); durations are whole milliseconds;
//! every metric is a numbered slot; every node that can fail at run time keeps its span.
//! [`fmt::Display`] is stable: `scalerules explain` and the snapshots print it.

mod display;
mod display_ladder;
pub mod display_tracking;
pub mod lower;

use crate::diagnostics::did_you_mean;
use crate::span::Span;
pub use crate::syntax::ast::{CmpOp, Direction, MissingMode};
use crate::units::Unit;
use serde::Serialize;

pub use crate::check::resolved::{
    AggFunc, Behavior, Builtin, Calendar, DirectionBehavior, Idle, Metric, MetricId, MetricSource,
    Promql, RatePolicy, TargetGoal, TargetSource, UnitOrigin,
};
pub use crate::check::{Ladder, Resize, Size, SizeCapacity};
pub use crate::syntax::ast::SelectMode;
pub use crate::units::Millis;

/// A checked, lowered rule file.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Program {
    pub services: Vec<Service>,
}

impl Program {
    pub fn service(&self, name: &str) -> Option<&Service> {
        self.services.iter().find(|s| s.name == name)
    }

    /// The service a command runs: the one named, else the file's only service.
    pub fn select(&self, name: Option<&str>) -> Result<&Service, SelectError> {
        let names = || self.services.iter().map(|s| s.name.clone()).collect();
        match name {
            Some(n) => self.service(n).ok_or_else(|| SelectError::Unknown {
                name: n.to_string(),
                suggestion: did_you_mean(n, self.services.iter().map(|s| s.name.as_str()))
                    .map(str::to_string),
                available: names(),
            }),
            None => match self.services.as_slice() {
                [only] => Ok(only),
                _ => Err(SelectError::Ambiguous { available: names() }),
            },
        }
    }
}

/// Why [`Program::select`] found no service to run.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum SelectError {
    /// `--service NAME` names no service of the file.
    #[error("no service `{name}` in the rule file (it has: {}).{}", .available.join(", "), suggestion_text(.suggestion))]
    Unknown {
        name: String,
        available: Vec<String>,
        suggestion: Option<String>,
    },
    /// No name given, and the file has several services.
    #[error("the rule file has several services ({}); choose one with --service", .available.join(", "))]
    Ambiguous { available: Vec<String> },
}

fn suggestion_text(s: &Option<String>) -> String {
    s.as_ref()
        .map(|s| format!(" Did you mean `{s}`?"))
        .unwrap_or_default()
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
    /// Target tracking (`target`, `behavior`); `None` when the service has no `target`.
    pub targets: Option<Targets>,
    /// `schedule` lines, in file order.
    pub schedules: Vec<ScheduleEntry>,
    /// `timezone ZONE`.
    pub timezone: Option<String>,
    pub model: Option<Model>,
    /// `kubernetes { … }` lines as written (export metadata; never evaluated).
    pub kubernetes: Vec<String>,
    /// `idle to N …` (KEDA's scale to zero).
    pub idle: Option<Idle>,
    pub span: Span,
    /// The size ladder (`size`, `resize`, `cooldown up/down`); `None`: horizontal only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ladder: Option<Ladder>,
}

/// The HPA's sync period (`--horizontal-pod-autoscaler-sync-period`): how often the
/// controller evaluates, and so the backtest tick of a service with targets and no
/// `tick` ([`Service::backtest_tick`]).
pub const TARGET_TRACKING_TICK: Millis = 15_000;

impl Service {
    /// The grid a backtest evaluates on, unless `--tick` says otherwise: the declared
    /// `tick`, else the HPA's 15 s sync period for a service with targets, else `None`
    /// (the dataset's own interval). Online evaluation ignores it: every row is an
    /// evaluation.
    pub fn backtest_tick(&self) -> Option<Millis> {
        self.tick
            .or_else(|| self.targets.as_ref().map(|_| TARGET_TRACKING_TICK))
    }

    /// The lowest count rules, targets and schedules scale to: `MIN`, or `max(MIN, 1)`
    /// with `idle` (only `idle` goes below it; KEDA's `GetHPAMinReplicas`).
    pub fn awake_min(&self) -> u32 {
        match self.idle {
            Some(_) => Idle::awake_min(self.min),
            None => self.min,
        }
    }
}

/// Target tracking: the service's HPA.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Targets {
    /// The HPA's metrics, in file order.
    pub targets: Vec<Target>,
    /// `spec.behavior` as written; `None`: no `behavior` line, the controller's legacy
    /// path (which is not the same as every default).
    pub behavior: Option<Behavior>,
    /// The line of the first `target`: the pseudo-rule's place in the tie-break.
    pub line: usize,
}

/// `target OPERAND at VALUE [per replica]`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Target {
    /// A metric or an aggregate, never a constant.
    pub operand: Value,
    pub source: TargetSource,
    pub goal: TargetGoal,
    /// The unit values are shown in.
    pub unit: Unit,
    /// `active above` in SI (KEDA's activation threshold; read only by `idle`).
    pub activation: Option<f64>,
    pub text: String,
    pub line: usize,
    pub span: Span,
}

/// One `schedule` line.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ScheduleEntry {
    pub calendar: Calendar,
    /// An IANA zone name.
    pub zone: String,
    /// Whether a zone was written (on the line or as `timezone`); else UTC.
    pub zone_written: bool,
    pub floor: Option<u32>,
    pub ceiling: Option<u32>,
    /// `propose N`: an extra target-tracking metric (KEDA's cron trigger).
    pub propose: Option<u32>,
    pub text: String,
    pub line: usize,
    pub span: Span,
}

/// What made a decision or wanted to: a rule, or a pseudo-rule.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Actor {
    /// A `when … scale …` rule.
    Rule(RuleId),
    /// The service's targets (one vote for all of them, as the HPA takes the largest).
    Target,
    /// A `schedule` line that moved the count into its bounds (index in `schedules`).
    Schedule(usize),
    /// `replicas MIN..MAX` moved an observed count back into the bounds.
    Bounds,
    /// The `idle` line: scaled to the idle count after inactivity, or woke the service.
    Idle,
}

impl Actor {
    /// The rule's index, for a rule.
    pub fn rule_index(self) -> Option<usize> {
        match self {
            Actor::Rule(id) => Some(id.0),
            _ => None,
        }
    }
}

impl Service {
    /// The source text of what an actor names (a rule's text, `target`, a schedule line).
    pub fn actor_text(&self, a: Actor) -> String {
        match a {
            Actor::Rule(id) => self
                .rules
                .get(id.0)
                .map_or_else(String::new, |r| r.text.clone()),
            Actor::Target => self
                .targets
                .as_ref()
                .map(|t| {
                    t.targets
                        .iter()
                        .map(|x| x.text.as_str())
                        .collect::<Vec<_>>()
                        .join("; ")
                })
                .unwrap_or_default(),
            Actor::Schedule(i) => self
                .schedules
                .get(i)
                .map_or_else(String::new, |s| s.text.clone()),
            Actor::Bounds => format!("replicas {}..{}", self.min, self.max),
            Actor::Idle => self
                .idle
                .as_ref()
                .map_or_else(String::new, |i| i.text.clone()),
        }
    }

    /// The 1-based line of what an actor names (0 for the bounds).
    pub fn actor_line(&self, a: Actor) -> usize {
        match a {
            Actor::Rule(id) => self.rules.get(id.0).map_or(0, |r| r.line),
            Actor::Target => self.targets.as_ref().map_or(0, |t| t.line),
            Actor::Schedule(i) => self.schedules.get(i).map_or(0, |s| s.line),
            Actor::Bounds => 0,
            Actor::Idle => self.idle.as_ref().map_or(0, |i| i.line),
        }
    }

    /// A short stable name: `rule 3`, `target`, `schedule 1`, `bounds`.
    pub fn actor_name(a: Actor) -> String {
        match a {
            Actor::Rule(id) => format!("rule {}", id.0 + 1),
            Actor::Target => "target".into(),
            Actor::Schedule(i) => format!("schedule {}", i + 1),
            Actor::Bounds => "bounds".into(),
            Actor::Idle => "idle".into(),
        }
    }
}

impl Service {
    pub fn metric(&self, name: &str) -> Option<MetricId> {
        self.metrics
            .iter()
            .position(|m| m.name == name)
            .map(MetricId)
    }

    /// Which metric slots the rules and targets read (directly or through an aggregate);
    /// the model may declare others, such as the demand.
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
        for t in self.targets.iter().flat_map(|t| &t.targets) {
            match &t.operand {
                Value::Metric(m) => used[m.0] = true,
                Value::Aggregate(a) => used[self.aggregates[a.0].metric.0] = true,
                Value::Const(_) => {}
            }
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

    /// What a fetch from Prometheus needs, one entry per dataset column in the order of
    /// [`Service::columns`], then the recorded replicas: the column and its `promql`
    /// binding, or `None` for a column without one (the recorded replicas are left
    /// out then, as a backtest runs without them).
    pub fn promql_columns(&self) -> Vec<PromqlColumn<'_>> {
        let mut out: Vec<PromqlColumn> = self
            .metrics
            .iter()
            .filter_map(|m| match &m.source {
                MetricSource::Column(c) => Some(PromqlColumn {
                    column: c,
                    promql: m.promql.as_ref(),
                    name: &m.name,
                    declared: m.span,
                }),
                MetricSource::Builtin(_) => None,
            })
            .collect();
        let recorded = self
            .model
            .as_ref()
            .and_then(|m| Some((m.recorded_replicas.as_deref()?, m.recorded_promql.as_ref()?)));
        if let Some((column, promql)) = recorded {
            if !out.iter().any(|c| c.column == column) {
                out.push(PromqlColumn {
                    column,
                    promql: Some(promql),
                    name: "recorded replicas",
                    declared: Some(promql.span),
                });
            }
        }
        out
    }
}

/// One dataset column a fetch writes: see [`Service::promql_columns`].
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PromqlColumn<'a> {
    pub column: &'a str,
    pub promql: Option<&'a Promql>,
    /// The metric's name (`recorded replicas` for the model's line).
    pub name: &'a str,
    /// Where it is declared (an undeclared metric, named only in a rule, has no line).
    pub declared: Option<Span>,
}

/// Index of an aggregate in [`Service::aggregates`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub struct AggregateId(pub usize);

/// Index of a rule in [`Service::rules`] (also its order in the file).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct RuleId(pub usize);

/// An aggregate over a window of the past: samples with timestamps in (t − window, t].
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Aggregate {
    pub func: AggFunc,
    pub metric: MetricId,
    pub window: Millis,
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
    /// The unit values are shown in: the literal's unit as written, else the metric's
    /// (SI values convert from the metric's unit on the way in, so this is display only).
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
    /// `scale up [by N]`: N sizes up the ladder
    UpBy(u32),
    /// `scale down [by N]`: N sizes down the ladder
    DownBy(u32),
    /// `scale up to SIZE`: to that size (an index in the ladder), if it is above
    UpTo(u32),
    /// `scale down to SIZE`: to that size, if it is below
    DownTo(u32),
}

impl Action {
    /// Whether the action moves along the size ladder rather than the count.
    pub fn is_vertical(self) -> bool {
        matches!(
            self,
            Action::UpBy(_) | Action::DownBy(_) | Action::UpTo(_) | Action::DownTo(_)
        )
    }

    /// For a vertical action, the unclamped size index it asks for from `current`
    /// (`None` for a horizontal action). `up to` never goes down, `down to` never up.
    pub fn size_target(self, current: usize) -> Option<i64> {
        let n = current as i64;
        Some(match self {
            Action::UpBy(k) => n + i64::from(k),
            Action::DownBy(k) => n - i64::from(k),
            Action::UpTo(i) => n.max(i64::from(i)),
            Action::DownTo(i) => n.min(i64::from(i)),
            _ => return None,
        })
    }

    /// `true` for `scale up`, `false` for `scale down`, `None` for horizontal actions.
    pub fn is_up(self) -> Option<bool> {
        match self {
            Action::UpBy(_) | Action::UpTo(_) => Some(true),
            Action::DownBy(_) | Action::DownTo(_) => Some(false),
            _ => None,
        }
    }

    /// The unclamped target from `current` replicas. Saturates: a percentage of
    /// `1e26%` (found by fuzzing) must not overflow.
    pub fn target(self, current: u32) -> i64 {
        let n = i64::from(current);
        match self {
            Action::OutBy(k) => n + i64::from(k),
            Action::OutByPercent(p) => {
                n.saturating_add(((n as f64 * p / 100.0).ceil() as i64).max(1))
            }
            Action::InBy(k) => n - i64::from(k),
            Action::InByPercent(p) => {
                n.saturating_sub(((n as f64 * p / 100.0).floor() as i64).max(1))
            }
            Action::To(k) => i64::from(k),
            Action::UpBy(_) | Action::DownBy(_) | Action::UpTo(_) | Action::DownTo(_) => n,
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
                _ => None,
            },
        }
    }

    /// The direction for static analysis (`scale to` has none).
    pub fn static_direction(self) -> Option<Direction> {
        match self {
            Action::OutBy(_) | Action::OutByPercent(_) => Some(Direction::Out),
            Action::InBy(_) | Action::InByPercent(_) => Some(Direction::In),
            _ => None,
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
    /// Money per replica-hour; `None` without a `price` (the backtest then reports no cost).
    pub price_per_hour: Option<f64>,
    /// The dataset column with the replica count history ran with.
    pub recorded_replicas: Option<String>,
    /// `recorded replicas = promql "…"`: the query that fetches that column.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub recorded_promql: Option<Promql>,
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
