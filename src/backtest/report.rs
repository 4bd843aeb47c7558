//! What a backtest reports: the scores of the policy and its baselines, per-rule
//! counts, the decisions and (on request) the per-tick timeline. The JSON keys are
//! the field names (docs/backtest.md lists them).

use super::model::Treatment;
use crate::backtest::data::LoadReport;
use crate::ir::Direction;
use serde::Serialize;
use std::collections::BTreeMap;

/// The outcome of a backtest.
#[derive(Clone, Debug, Serialize)]
pub struct Report {
    /// `counterfactual` or `replay (not counterfactual)`.
    pub mode: String,
    pub service: String,
    pub data: DataInfo,
    pub model: ModelInfo,
    /// Metric by metric: simulated or replayed.
    pub metrics: Vec<MetricInfo>,
    pub slo: SloInfo,
    pub policy: Scores,
    pub baselines: Baselines,
    /// Policy cost / oracle cost (replica-hours), when the oracle costs anything.
    pub cost_vs_oracle: Option<f64>,
    pub rules: Vec<RuleStats>,
    pub decisions: Vec<DecisionRecord>,
    pub notes: Vec<String>,
    #[serde(skip)]
    pub timeline: Option<Timeline>,
}

#[derive(Clone, Debug, Serialize)]
pub struct DataInfo {
    pub path: String,
    pub ticks: usize,
    pub tick_ms: i64,
    pub from: String,
    pub to: String,
    pub load: LoadReport,
}

#[derive(Clone, Debug, Serialize)]
pub struct ModelInfo {
    pub demand: String,
    /// Per ready replica, SI (per second).
    pub capacity: f64,
    pub startup_ms: i64,
    /// `null` when the model has no `price`.
    pub price_per_hour: Option<f64>,
    pub recorded_replicas: Option<String>,
    pub recorded_replicas_present: bool,
}

#[derive(Clone, Debug, Serialize)]
pub struct MetricInfo {
    pub name: String,
    /// Column name, or `builtin:NAME`.
    pub source: String,
    pub treatment: Treatment,
    pub simulated: bool,
}

#[derive(Clone, Debug, Serialize)]
pub struct SloInfo {
    pub declared: Vec<String>,
    /// Set when no SLO is declared (only saturation counts).
    pub note: Option<String>,
}

#[derive(Clone, Debug, Serialize)]
pub struct Baselines {
    /// History's replica counts under the same model (when recorded).
    pub recorded: Option<Scores>,
    pub static_best: StaticBaseline,
    /// Per-tick fewest replicas meeting the SLO, ready instantly.
    pub oracle: Scores,
    /// Ticks where even `max` replicas breach (the oracle breaches there too).
    pub oracle_infeasible_ticks: usize,
}

#[derive(Clone, Debug, Serialize)]
pub struct StaticBaseline {
    /// The cheapest constant count with zero breaches, if one exists in [min, max].
    pub replicas: Option<u32>,
    pub scores: Option<Scores>,
    /// With a size ladder: the size of those replicas.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub size: Option<String>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Scores {
    pub cost: CostScores,
    pub sla: SlaScores,
    pub thrashing: ThrashScores,
    pub elasticity: Elasticity,
    /// With a size ladder: resizes and the restarts they cost; absent without one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub vertical: Option<VerticalScores>,
}

/// What vertical scaling did (a service with a size ladder).
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct VerticalScores {
    /// `scale up` decisions (or a baseline's steps to a larger size).
    pub size_ups: usize,
    /// `scale down` decisions.
    pub size_downs: usize,
    /// Σ replicas restarting × tick, in minutes: capacity paid for and not served.
    pub restart_replica_minutes: f64,
    /// Mean capacity of the ready fleet in units of the model's capacity per replica.
    pub mean_capacity_units: f64,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct CostScores {
    /// Σ requested × tick (hours).
    pub replica_hours: f64,
    /// replica_hours × price; `null` when the model has no `price`.
    pub cost: Option<f64>,
    pub mean_replicas: f64,
    pub peak_replicas: u32,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct SlaScores {
    pub breach_ticks: usize,
    pub breach_minutes: f64,
    pub breach_ratio: f64,
    pub breach_episodes: usize,
    pub longest_breach_minutes: f64,
    /// Ticks with ρ ≥ 1.
    pub saturated_ticks: usize,
    /// ∫ backlog dt (request-seconds).
    pub backlog_request_seconds: f64,
    /// Requests not served in the tick they arrived (each counted once).
    pub delayed_requests: f64,
    /// Backlog left after the last tick.
    pub unserved_at_end: f64,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct ThrashScores {
    pub scale_outs: usize,
    pub scale_ins: usize,
    pub reversals: usize,
}

/// SPEC RG elasticity metrics against d*_t (percent; jitter per hour).
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Elasticity {
    pub theta_u: f64,
    pub theta_o: f64,
    pub tau_u: f64,
    pub tau_o: f64,
    pub instability: f64,
    pub jitter: f64,
}

#[derive(Clone, Debug, Serialize)]
pub struct RuleStats {
    /// `r1`, `r2`, … as `explain` numbers them.
    pub rule: String,
    pub line: usize,
    pub text: String,
    pub fired: usize,
    /// Suppressions by reason key (cooldown, direction_cooldown, bound, no_change, tie_break).
    pub suppressed: BTreeMap<String, usize>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct DecisionRecord {
    pub timestamp_ms: i64,
    pub time: String,
    pub from: u32,
    pub to: u32,
    pub direction: Direction,
    pub rule: String,
    pub reason: String,
    /// A resize: the size's name before and after (the count is unchanged).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resize: Option<[String; 2]>,
}

/// The per-tick trace of the policy run.
#[derive(Clone, Debug, Default)]
pub struct Timeline {
    pub timestamp_ms: Vec<i64>,
    pub demand: Vec<f64>,
    pub requested: Vec<u32>,
    pub ready: Vec<u32>,
    pub capacity: Vec<f64>,
    pub utilization: Vec<f64>,
    pub latency_s: Vec<f64>,
    pub backlog: Vec<f64>,
    pub breach: Vec<bool>,
    /// `out 4->6` or empty.
    pub decision: Vec<String>,
    pub rule: Vec<String>,
    /// The oracle's d*_t.
    pub oracle: Vec<u32>,
}
