//! The typed syntax tree. Every node keeps the span of the text it came from; values are
//! as written (units not yet converted: the checker does that).

pub use crate::span::{Span, Spanned};
/// A unit as written after a number or after `in` (`%` and `percent` are one unit).
pub use crate::units::Unit;

/// A whole `.scale` file.
#[derive(Clone, Debug, PartialEq)]
pub struct File {
    pub services: Vec<Service>,
}

/// `service checkout { … }`, or the items of a file without a `service` block (then
/// `implicit` is set and the name is the file stem).
#[derive(Clone, Debug, PartialEq)]
pub struct Service {
    pub name: Spanned<String>,
    pub items: Vec<Item>,
    pub implicit: bool,
    pub span: Span,
}

/// One statement inside a service.
#[derive(Clone, Debug, PartialEq)]
#[expect(
    clippy::large_enum_variant,
    reason = "built once per file; boxing would only add noise"
)]
pub enum Item {
    /// `replicas 2..40, start 4`
    Replicas(ReplicasDecl),
    /// `metric p95 = column "latency_p95_ms" in ms`, `metric p95 = promql "…" in s`
    Metric(MetricDecl),
    /// `on missing hold`
    OnMissing(Spanned<MissingMode>),
    /// `cooldown out 3m, in 10m`
    Cooldown(Vec<DirectionCooldown>),
    /// `tick 1m` — the evaluation interval of backtests
    Tick(Duration),
    /// `model { … }` — the backtest model
    Model(Model),
    /// `when … scale …`
    Rule(Rule),
    /// `target cpu at 60%` — hold a metric at a value, as the HPA does
    Target(TargetDecl),
    /// `behavior`, `behavior out …`, `behavior in …` — the HPA's `spec.behavior`
    Behavior(BehaviorDecl),
    /// `schedule weekdays from 08:00 to 18:00 in Europe/Paris at least 10`
    Schedule(ScheduleDecl),
    /// `timezone Europe/Paris` — the zone of schedules that name none
    Timezone(Spanned<String>),
    /// `kubernetes { … }` — export metadata, kept verbatim, never evaluated
    Kubernetes(KubernetesBlock),
    /// `size medium capacity 2x, price 0.20 per replica-hour` — one rung of the size ladder
    Size(SizeDecl),
    /// `resize restart 90s, 2 at a time` / `resize in place` — what a resize costs
    Resize(ResizeDecl),
    /// `cooldown up 10m, down 30m` — the service's cooldowns for resizes
    SizeCooldown(Vec<SizeCooldown>),
    /// `idle to 0 after 5m, check every 30s` — KEDA's scale to zero
    Idle(IdleDecl),
    /// `param thr = 300ms in 200ms..500ms step 50ms` — a value used as `$thr`, with the
    /// range `tune` searches
    Param(ParamDecl),
}

/// `idle to N [after DURATION] [, check every DURATION]` — KEDA's `idleReplicaCount`
/// (or `minReplicaCount: 0`), `cooldownPeriod` and `pollingInterval`.
#[derive(Clone, Debug, PartialEq)]
pub struct IdleDecl {
    /// `to N` — the count while idle.
    pub to: Number,
    /// `after 5m` — how long every target must be inactive first (default 5m).
    pub after: Option<Duration>,
    /// `, check every 30s` — how often activity is checked (default 30s).
    pub check_every: Option<Duration>,
    pub span: Span,
}

/// `size NAME CLAUSE, …`
#[derive(Clone, Debug, PartialEq)]
pub struct SizeDecl {
    pub name: Spanned<String>,
    /// `capacity 2x` / `capacity 400 rps`
    pub capacity: Vec<(SizeCapacity, Span)>,
    /// `price 0.20 per replica-hour`
    pub price: Vec<Number>,
    /// `start`: the size the service starts at (else the first, smallest size)
    pub start: Vec<Span>,
    pub span: Span,
}

/// A size's capacity per replica.
#[derive(Clone, Debug, PartialEq)]
pub enum SizeCapacity {
    /// `2x` — times the model's `capacity … per replica`
    Times(Number),
    /// `400 rps` — in the model demand's unit
    Absolute(Quantity),
}

/// `resize …`
#[derive(Clone, Debug, PartialEq)]
pub enum ResizeDecl {
    /// `resize in place` — no restart, no dip (Kubernetes in-place resize)
    InPlace(Span),
    /// `resize restart 90s[, N at a time]` — a rolling restart; each replica serves
    /// nothing for the restart time, N at a time (default 1)
    Restart {
        restart: Duration,
        at_a_time: Option<Number>,
        span: Span,
    },
}

impl ResizeDecl {
    pub fn span(&self) -> Span {
        match self {
            ResizeDecl::InPlace(s) | ResizeDecl::Restart { span: s, .. } => *s,
        }
    }
}

/// Up or down the size ladder.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum SizeDirection {
    Up,
    Down,
}

/// `up 10m` inside a `cooldown` line
#[derive(Clone, Debug, PartialEq)]
pub struct SizeCooldown {
    pub direction: Spanned<SizeDirection>,
    pub duration: Duration,
}

/// How far a `scale up` / `scale down` goes.
#[derive(Clone, Debug, PartialEq)]
pub enum SizeStep {
    /// no amount: one step
    One,
    /// `by N` (steps; a `%` is an error)
    By(Amount),
    /// `to SIZE`
    To(Spanned<String>),
}

/// `param NAME = VALUE in LOW..HIGH [step STEP]` / `param NAME = VALUE in [A, B, …]`
#[derive(Clone, Debug, PartialEq)]
pub struct ParamDecl {
    pub name: Spanned<String>,
    /// The value the file runs with (`check`, `backtest`, …).
    pub default: Quantity,
    pub range: ParamRange,
    pub span: Span,
}

/// The values a parameter may take.
#[derive(Clone, Debug, PartialEq)]
#[expect(
    clippy::large_enum_variant,
    reason = "built once per file; boxing would only add noise"
)]
pub enum ParamRange {
    /// `LOW..HIGH [step STEP]` — without a step, 1 in the unit of the default
    Span {
        low: Quantity,
        high: Quantity,
        step: Option<Quantity>,
        span: Span,
    },
    /// `[A, B, …]`
    List(Vec<Quantity>, Span),
}

impl ParamRange {
    pub fn span(&self) -> Span {
        match self {
            ParamRange::Span { span, .. } | ParamRange::List(_, span) => *span,
        }
    }
}

/// `target OPERAND at QUANTITY [per replica] [, active above QUANTITY]`
#[derive(Clone, Debug, PartialEq)]
pub struct TargetDecl {
    /// A metric or a window aggregate (`avg(cpu, 2m)`).
    pub operand: Operand,
    pub value: Quantity,
    /// `per replica`: an average value per replica (the HPA's `AverageValue`).
    pub per_replica: Option<Span>,
    /// `, active above Q` — KEDA's `activationThreshold`; no effect on the computation.
    pub activation: Option<Quantity>,
    pub span: Span,
}

/// `behavior [out|in] [CLAUSE, …]`
#[derive(Clone, Debug, PartialEq)]
pub struct BehaviorDecl {
    /// `None`: the bare `behavior` (every default).
    pub direction: Option<Spanned<Direction>>,
    pub clauses: Vec<BehaviorClause>,
    pub span: Span,
}

/// One clause of a `behavior` line.
#[derive(Clone, Debug, PartialEq)]
pub enum BehaviorClause {
    /// `stabilize 5m` — `stabilizationWindowSeconds`
    Stabilize(Duration, Span),
    /// `at most 4 replicas per 15s` / `at most 100% per 15s` — a rate policy
    Policy {
        value: Number,
        percent: bool,
        period: Duration,
        span: Span,
    },
    /// `select max|min|disabled` — `selectPolicy`
    Select(Spanned<SelectMode>),
    /// `tolerance 5%` — the direction's tolerance (Kubernetes 1.33+)
    Tolerance(Number, Span),
}

impl BehaviorClause {
    pub fn span(&self) -> Span {
        match self {
            BehaviorClause::Stabilize(_, s)
            | BehaviorClause::Policy { span: s, .. }
            | BehaviorClause::Tolerance(_, s) => *s,
            BehaviorClause::Select(m) => m.span,
        }
    }
}

/// `selectPolicy`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum SelectMode {
    /// `select max` — the policy allowing the largest change (the default)
    Max,
    /// `select min` — the policy allowing the smallest change
    Min,
    /// `select disabled` — no scaling in this direction
    Disabled,
}

/// `schedule WHEN [in ZONE] BOUND[, BOUND]`
#[derive(Clone, Debug, PartialEq)]
pub struct ScheduleDecl {
    pub when: ScheduleWhen,
    pub zone: Option<Spanned<String>>,
    pub bounds: Vec<ScheduleBound>,
    pub span: Span,
}

/// When a schedule applies.
#[derive(Clone, Debug, PartialEq)]
pub enum ScheduleWhen {
    /// `weekdays from 08:00 to 18:00` — every week, on the days a window starts on
    Weekly {
        days: Vec<DaySet>,
        from: Spanned<String>,
        to: Spanned<String>,
    },
    /// `from fri 18:00 to mon 08:00` — every week, a span across days
    Span {
        from_day: Spanned<String>,
        from: Spanned<String>,
        to_day: Spanned<String>,
        to: Spanned<String>,
    },
    /// `from 2026-11-27 [14:00] to 2026-11-30 [09:00]` — once; a date alone is a whole day
    Once {
        from_date: Spanned<String>,
        from_time: Option<Spanned<String>>,
        to_date: Spanned<String>,
        to_time: Option<Spanned<String>>,
    },
}

/// `daily`, `weekdays`, `weekends`, `mon`, `mon-fri`
#[derive(Clone, Debug, PartialEq)]
pub enum DaySet {
    Group(Spanned<String>),
    Range(Spanned<String>, Option<Spanned<String>>),
}

/// `at least N`, `at most N`, `propose N`
#[derive(Clone, Debug, PartialEq)]
pub struct ScheduleBound {
    pub kind: BoundKind,
    pub count: Number,
    pub span: Span,
}

/// What a schedule bound does while active.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum BoundKind {
    /// `at least N` — a moving minimum
    AtLeast,
    /// `at most N` — a moving maximum
    AtMost,
    /// `propose N` — KEDA's cron trigger: an extra metric proposing N
    Propose,
}

/// `kubernetes { … }`: each line as written (export metadata).
#[derive(Clone, Debug, PartialEq)]
pub struct KubernetesBlock {
    pub lines: Vec<Spanned<String>>,
    pub span: Span,
}

/// A number as written, with its span. `$thr` (a parameter) is a number too: its text
/// keeps the reference and `params::bind` fills in its value.
#[derive(Clone, Debug, PartialEq)]
pub struct Number {
    pub value: f64,
    pub text: String,
    pub span: Span,
}

impl Number {
    /// `thr` for `$thr`: the parameter this number stands for.
    pub fn param(&self) -> Option<&str> {
        self.text.strip_prefix('$')
    }
}

/// `replicas MIN..MAX, start N`
#[derive(Clone, Debug, PartialEq)]
pub struct ReplicasDecl {
    pub min: Number,
    pub max: Number,
    pub start: Option<Number>,
    pub span: Span,
}

/// `metric NAME [= BINDING] [in UNIT] [per replica]`
#[derive(Clone, Debug, PartialEq)]
pub struct MetricDecl {
    pub name: Spanned<String>,
    pub binding: Binding,
    pub unit: Option<Spanned<Unit>>,
    /// `per replica`: the column is already an average over the ready replicas.
    pub per_replica: Option<Span>,
    pub span: Span,
}

/// Where a metric's values come from: `= column "COL"`, `= promql "QUERY"`, or both,
/// `= column "COL", promql "QUERY"`; neither when the line has no `=`. Strings hold the
/// text with its escapes (`\"`, `\\`) resolved; spans cover the quoted literal.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Binding {
    /// `column "latency_p95_ms"` — the dataset column
    pub column: Option<Spanned<String>>,
    /// `promql "sum(rate(x[1m]))"` — the PromQL query that `fetch` and live `eval` run
    pub promql: Option<Spanned<String>>,
}

/// What an unknown (missing) condition counts as.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum MissingMode {
    /// `on missing false` — unknown counts as false (the default)
    False,
    /// `on missing true` — unknown counts as true
    True,
    /// `on missing hold` — unknown repeats the rule's previous result
    Hold,
    /// `on missing skip` — the evaluation is skipped for that rule
    Skip,
}

/// Scaling direction.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Direction {
    Out,
    In,
}

/// `out 3m` inside a `cooldown` line
#[derive(Clone, Debug, PartialEq)]
pub struct DirectionCooldown {
    pub direction: Spanned<Direction>,
    pub duration: Duration,
}

/// `5m`, `90s`, `0`
#[derive(Clone, Debug, PartialEq)]
pub struct Duration {
    pub value: Number,
    pub unit: Option<Unit>,
    pub span: Span,
}

/// `300ms`, `75%`, `1000`, `1000 rps`
#[derive(Clone, Debug, PartialEq)]
pub struct Quantity {
    pub value: Number,
    pub unit: Option<Spanned<Unit>>,
    pub span: Span,
}

/// `when CONDITION [SUSTAIN] ACTION [, cooldown D]`
#[derive(Clone, Debug, PartialEq)]
pub struct Rule {
    pub condition: Expr,
    pub sustain: Option<Sustain>,
    pub action: Action,
    pub cooldown: Option<Duration>,
    pub span: Span,
}

/// How long a condition must hold before the rule fires.
#[derive(Clone, Debug, PartialEq)]
pub enum Sustain {
    /// `for 2m` — true at every evaluation for this long
    For { duration: Duration, span: Span },
    /// `for 3 of 5m` — at least M true evaluations in the window
    MOfN {
        m: Number,
        window: Duration,
        span: Span,
    },
}

impl Sustain {
    pub fn span(&self) -> Span {
        match self {
            Sustain::For { span, .. } | Sustain::MOfN { span, .. } => *span,
        }
    }
}

/// `N` or `P%`
#[derive(Clone, Debug, PartialEq)]
pub struct Amount {
    pub value: Number,
    pub percent: bool,
    pub span: Span,
}

/// What a rule does.
#[derive(Clone, Debug, PartialEq)]
pub enum Action {
    /// `scale out by N` / `scale out by P%`
    Out { amount: Amount, span: Span },
    /// `scale in by N` / `scale in by P%`
    In { amount: Amount, span: Span },
    /// `scale to N`
    To { count: Number, span: Span },
    /// `scale up [by N | to SIZE]` / `scale down …` — along the size ladder
    Vertical {
        direction: SizeDirection,
        step: SizeStep,
        span: Span,
    },
}

impl Action {
    pub fn span(&self) -> Span {
        match self {
            Action::Out { span, .. }
            | Action::In { span, .. }
            | Action::To { span, .. }
            | Action::Vertical { span, .. } => *span,
        }
    }
}

/// Comparison operators.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
pub enum CmpOp {
    Gt,
    Ge,
    Lt,
    Le,
    Eq,
    Ne,
}

impl CmpOp {
    pub fn as_str(self) -> &'static str {
        match self {
            CmpOp::Gt => ">",
            CmpOp::Ge => ">=",
            CmpOp::Lt => "<",
            CmpOp::Le => "<=",
            CmpOp::Eq => "==",
            CmpOp::Ne => "!=",
        }
    }

    /// The operator with its sides swapped (`a < b` is `b > a`).
    pub fn flipped(self) -> CmpOp {
        match self {
            CmpOp::Gt => CmpOp::Lt,
            CmpOp::Ge => CmpOp::Le,
            CmpOp::Lt => CmpOp::Gt,
            CmpOp::Le => CmpOp::Ge,
            other => other,
        }
    }
}

/// A condition.
#[derive(Clone, Debug, PartialEq)]
#[expect(
    clippy::large_enum_variant,
    reason = "built once per file; boxing would only add noise"
)]
pub enum Expr {
    /// `a or b`
    Or(Box<Expr>, Box<Expr>, Span),
    /// `a and b`
    And(Box<Expr>, Box<Expr>, Span),
    /// `not a`
    Not(Box<Expr>, Span),
    /// `lhs OP rhs`
    Compare(Comparison),
}

impl Expr {
    pub fn span(&self) -> Span {
        match self {
            Expr::Or(_, _, s) | Expr::And(_, _, s) | Expr::Not(_, s) => *s,
            Expr::Compare(c) => c.span,
        }
    }

    /// Every comparison in the condition, left to right.
    pub fn comparisons(&self) -> Vec<&Comparison> {
        let mut out = Vec::new();
        self.walk(&mut |c| out.push(c));
        out
    }

    fn walk<'a>(&'a self, f: &mut impl FnMut(&'a Comparison)) {
        match self {
            Expr::Or(a, b, _) | Expr::And(a, b, _) => {
                a.walk(f);
                b.walk(f);
            }
            Expr::Not(a, _) => a.walk(f),
            Expr::Compare(c) => f(c),
        }
    }
}

/// `lhs OP rhs`
#[derive(Clone, Debug, PartialEq)]
pub struct Comparison {
    pub lhs: Operand,
    pub op: Spanned<CmpOp>,
    pub rhs: Operand,
    pub span: Span,
}

/// One side of a comparison.
#[derive(Clone, Debug, PartialEq)]
pub enum Operand {
    /// `cpu` — the metric's current value
    Metric(Spanned<String>),
    /// `avg(cpu, 5m)` — an aggregate over a window of the past
    Aggregate(Aggregate),
    /// `300ms`
    Literal(Quantity),
}

impl Operand {
    pub fn span(&self) -> Span {
        match self {
            Operand::Metric(m) => m.span,
            Operand::Aggregate(a) => a.span,
            Operand::Literal(q) => q.span,
        }
    }
}

/// `FUNC(METRIC, WINDOW)`
#[derive(Clone, Debug, PartialEq)]
pub struct Aggregate {
    pub func: Spanned<String>,
    pub metric: Spanned<String>,
    pub window: Duration,
    pub span: Span,
}

/// `model { … }`
#[derive(Clone, Debug, PartialEq)]
pub struct Model {
    pub items: Vec<ModelItem>,
    pub span: Span,
}

/// One line of a `model` block.
#[derive(Clone, Debug, PartialEq)]
#[expect(
    clippy::large_enum_variant,
    reason = "built once per file; boxing would only add noise"
)]
pub enum ModelItem {
    /// `demand rps` — the metric holding offered load
    Demand(Spanned<String>),
    /// `capacity 100 rps per replica`
    Capacity(Quantity, Span),
    /// `startup 60s` — from request to ready
    Startup(Duration, Span),
    /// `price 0.10 per replica-hour`
    Price(Number, Span),
    /// `recorded replicas = column "replicas"` / `= promql "…"` — the replica count the
    /// service really ran with
    Recorded(Binding, Span),
    /// `utilization cpu` — a metric proportional to load per ready replica
    Utilization(Spanned<String>, Span),
    /// `latency p95 base 80ms` — a latency that follows the queueing model
    Latency {
        metric: Spanned<String>,
        base: Option<Duration>,
        span: Span,
    },
    /// `slo p95 < 300ms`
    Slo(Comparison, Span),
}

impl ModelItem {
    pub fn span(&self) -> Span {
        match self {
            ModelItem::Demand(m) => m.span,
            ModelItem::Capacity(_, s)
            | ModelItem::Startup(_, s)
            | ModelItem::Price(_, s)
            | ModelItem::Recorded(_, s)
            | ModelItem::Utilization(_, s)
            | ModelItem::Latency { span: s, .. }
            | ModelItem::Slo(_, s) => *s,
        }
    }
}
