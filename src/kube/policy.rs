//! [`Policy`]: one service's autoscaling policy in the terms of the `.scale` language
//! (`docs/design-kubernetes.md`), the meeting point of import and export:
//!
//! ```text
//! import:  YAML ─▶ manifest::Manifest ─▶ Policy ─▶ .scale text      (import.rs, print.rs)
//! export:  IR (later phase) ─▶ Policy ─▶ manifest::Manifest ─▶ YAML  (export.rs)
//! ```
//!
//! Each field is one statement or clause of the language; the `kubernetes { }` block
//! ([`Kubernetes`]) keeps what only a manifest needs, so `export(import(y))` loses no
//! field. Values are exact ([`Quantity`], whole seconds), never floats.

use super::manifest::{AuthRef, LabelSelector, TargetType};
use super::quantity::Quantity;

#[derive(Clone, Debug, PartialEq)]
pub struct Policy {
    /// `service NAME`: a scalerules name.
    pub service: String,
    /// `replicas MIN..MAX`.
    pub replicas: Replicas,
    /// `metric NAME [= column "COL"] [in UNIT] [per replica]`.
    pub metrics: Vec<Metric>,
    /// `target METRIC at …`, in manifest order.
    pub targets: Vec<Target>,
    /// `behavior …` statements; `None` when there are none (the HPA has no
    /// `spec.behavior` and takes the legacy path).
    pub behavior: Option<Behavior>,
    /// `schedule …` lines.
    pub schedules: Vec<Schedule>,
    /// `idle to N [after D][, check every D]` (KEDA scale to zero / idle).
    pub idle: Option<Idle>,
    pub kubernetes: Kubernetes,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Replicas {
    pub min: u32,
    pub max: u32,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Metric {
    /// The scalerules name.
    pub name: String,
    /// The column it reads, when not the name (`= column "http-requests/sec"`).
    pub column: Option<String>,
    pub unit: Option<Unit>,
    /// `per replica`: the column is already an average over the ready pods.
    pub per_replica: bool,
}

impl Metric {
    pub fn column(&self) -> &str {
        self.column.as_deref().unwrap_or(&self.name)
    }
}

/// The units an imported metric is declared in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Unit {
    /// `in %`: a utilisation, percent of requests.
    Percent,
    /// `in cores`: CPU.
    Cores,
    /// `in bytes`: memory.
    Bytes,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Target {
    /// The metric's scalerules name.
    pub metric: String,
    pub value: TargetValue,
    /// `, active above Q`: KEDA's `activationThreshold`.
    pub active_above: Option<Quantity>,
}

#[derive(Clone, Debug, PartialEq)]
pub enum TargetValue {
    /// `at 60%`: `Utilization`, `averageUtilization: 60`.
    Utilization(u32),
    /// `at Q per replica`: `AverageValue`.
    PerReplica(Quantity),
    /// `at Q`: `Value`, a total.
    Total(Quantity),
}

impl TargetValue {
    pub fn target_type(&self) -> TargetType {
        match self {
            TargetValue::Utilization(_) => TargetType::Utilization,
            TargetValue::PerReplica(_) => TargetType::AverageValue,
            TargetValue::Total(_) => TargetType::Value,
        }
    }
}

/// The `behavior` statements: a bare `behavior` is `Behavior::default()`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Behavior {
    /// `behavior out …`: `scaleUp`.
    pub scale_out: Option<Rules>,
    /// `behavior in …`: `scaleDown`.
    pub scale_in: Option<Rules>,
}

/// One direction's clauses; each `None` takes the Kubernetes default.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Rules {
    /// `stabilize D` (whole seconds).
    pub stabilize: Option<u32>,
    /// `at most N replicas per D` / `at most P% per D`, in order.
    pub policies: Option<Vec<RatePolicy>>,
    /// `select max|min|disabled`.
    pub select: Option<Select>,
    /// `tolerance P%` (kept exact: `0.05` is 5 %).
    pub tolerance: Option<Quantity>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RatePolicy {
    /// `at most N replicas per D`.
    Replicas { count: u32, period: u32 },
    /// `at most P% per D`.
    Percent { percent: u32, period: u32 },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Select {
    Max,
    Min,
    Disabled,
}

/// `schedule DAYS from HH:MM to HH:MM in ZONE BOUND` (or the weekly span form).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Schedule {
    pub window: Window,
    /// An IANA zone name.
    pub zone: Option<String>,
    pub bounds: Vec<Bound>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Window {
    /// `DAYS from FROM to TO`: starting on each of `days`; a `to` at or before `from` runs
    /// into the next day.
    Daily { days: Days, from: Hm, to: Hm },
    /// `from DAY FROM to DAY TO`: one weekly span across days.
    Span {
        from_day: u8,
        from: Hm,
        to_day: u8,
        to: Hm,
    },
}

/// Days of the week, bit 0 = Monday … bit 6 = Sunday.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Days(pub u8);

impl Days {
    pub const ALL: Days = Days(0x7f);
    pub const WEEKDAYS: Days = Days(0x1f);
    pub const WEEKENDS: Days = Days(0x60);
    pub const NAMES: [&'static str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

    pub fn has(self, day: u8) -> bool {
        self.0 & (1 << day) != 0
    }
}

/// A local time of day (`24:00` allowed as an end).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Hm {
    pub hour: u8,
    pub minute: u8,
}

impl Hm {
    pub fn minutes(self) -> u32 {
        u32::from(self.hour) * 60 + u32::from(self.minute)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Bound {
    AtLeast(u32),
    AtMost(u32),
    /// `propose N`: KEDA's cron trigger (an extra metric proposing N while active).
    Propose(u32),
}

/// `idle to N [after D][, check every D]`; an absent duration takes KEDA's default
/// (`cooldownPeriod` 300 s, `pollingInterval` 30 s).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Idle {
    pub to: u32,
    pub after: Option<u32>,
    pub check_every: Option<u32>,
}

// ----- kubernetes { } ------------------------------------------------------------------

/// What only a manifest needs; the evaluator never reads it.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Kubernetes {
    /// `hpa "NAME"` or `keda "NAME"`: the manifest kind and `metadata.name`.
    pub kind: ManifestKind,
    pub name: String,
    /// `… namespace "NS"`.
    pub namespace: Option<String>,
    /// `scale KIND "NAME" [api "…"] [env container "…"]`.
    pub scale: Option<ScaleRef>,
    /// `label "K" = "V"`.
    pub labels: Vec<(String, String)>,
    /// `annotation "K" = "V"`.
    pub annotations: Vec<(String, String)>,
    /// `metric NAME: SOURCE`, one per metric that has a source.
    pub sources: Vec<(String, Source)>,
    /// `trigger REF name "…"`, `keda metadata REF "K" = "V"`: KEDA trigger fields kept
    /// verbatim.
    pub triggers: Vec<TriggerMeta>,
    /// `keda triggers REF, REF, …`: the triggers' order, when it is not targets first then
    /// schedules.
    pub trigger_order: Option<Vec<TriggerRef>>,
    /// `cron REF start "…" end "…"`: a cron trigger's expressions, when they differ from
    /// the ones export would write for its schedule line.
    pub crons: Vec<Cron>,
    /// `keda …` lines.
    pub keda: Keda,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ManifestKind {
    #[default]
    Hpa,
    Keda,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ScaleRef {
    /// Absent only for KEDA (default `Deployment`).
    pub kind: Option<String>,
    pub name: String,
    pub api: Option<String>,
    /// KEDA `envSourceContainerName`.
    pub env_container: Option<String>,
}

/// How a metric is sourced in the manifest.
#[derive(Clone, Debug, PartialEq)]
pub enum Source {
    /// `resource cpu` / `container "app" resource cpu` (`Resource`, `ContainerResource`,
    /// KEDA `cpu`/`memory` triggers with `containerName`).
    Resource {
        name: String,
        container: Option<String>,
    },
    /// `pods "NAME" [selector "…"]`.
    Pods {
        metric: String,
        selector: Option<LabelSelector>,
    },
    /// `object KIND "NAME" [api "…"] metric "M" [selector "…"]`.
    Object {
        kind: String,
        name: String,
        api: Option<String>,
        metric: String,
        selector: Option<LabelSelector>,
    },
    /// `external "NAME" [selector "…"]`.
    External {
        metric: String,
        selector: Option<LabelSelector>,
    },
    /// `prometheus "ADDR" query "…" [auth "NAME" [kind "…"]]`.
    Prometheus {
        server: String,
        query: String,
        auth: Option<AuthRef>,
    },
}

/// A KEDA trigger: the target's metric or the n-th schedule line (1-based).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TriggerRef {
    Metric(String),
    Schedule(usize),
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct TriggerMeta {
    pub of: Option<TriggerRef>,
    /// `triggers[].name`.
    pub name: Option<String>,
    /// `triggers[].useCachedMetrics`.
    pub use_cached_metrics: Option<bool>,
    /// `triggers[].metricType` where export would not write it by itself.
    pub metric_type: Option<TargetType>,
    /// `triggers[].authenticationRef` of a trigger whose source has no `auth` clause.
    pub auth: Option<AuthRef>,
    /// Metadata no statement says, verbatim.
    pub metadata: Vec<(String, String)>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Cron {
    /// The schedule line, 1-based.
    pub schedule: usize,
    pub start: String,
    pub end: String,
}

/// The `keda` lines of the block.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Keda {
    /// `keda polling D` (when there is no `idle` to carry it).
    pub polling: Option<u32>,
    /// `keda cooldown D` (when there is no `idle` to carry it).
    pub cooldown: Option<u32>,
    /// `keda initial cooldown D` (not simulated).
    pub initial_cooldown: Option<u32>,
    /// `keda hpa name "…"`: `advanced.horizontalPodAutoscalerConfig.name`.
    pub hpa_name: Option<String>,
    /// `keda fallback N failures, M replicas[, BEHAVIOR]` (not simulated).
    pub fallback: Option<Fallback>,
    /// `keda restore original replicas [false]`.
    pub restore_original: Option<bool>,
    /// `keda modifiers formula "…" …`: refused by evaluation, kept for export.
    pub modifiers: Option<Modifiers>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fallback {
    pub failures: u32,
    pub replicas: u32,
    pub behavior: Option<String>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Modifiers {
    pub formula: Option<String>,
    pub target: Option<String>,
    pub activation: Option<String>,
    pub metric_type: Option<TargetType>,
}
