//! Stage 2: names, units, bounds and duplicates ([`check`]). Every problem is collected;
//! nothing stops at the first. The result records what each name and comparison
//! resolved to, so lowering (`ir::lower`) never re-checks.

mod idle;
mod ladder;
pub mod resolved;
mod schedule;
mod tracking;
mod units;

use crate::diagnostics::{did_you_mean, Code, Diagnostic, Sink};
use crate::span::Span;
use crate::syntax::ast::MissingMode;
use crate::syntax::ast::{self, Action, Item, ModelItem, Operand, Sustain};
use crate::units::Millis;
use crate::units::{Dimension, Unit};
use resolved::{
    AggFunc, Behavior, Builtin, Metric, MetricId, MetricSource, Promql, ScheduleSpec, TargetKind,
    UnitOrigin,
};
use std::collections::HashMap;
use units::Side;

pub use ladder::{Capacity as SizeCapacity, Ladder, Resize, Size};

/// What checking one file established.
#[derive(Debug)]
pub struct Checked {
    pub services: Vec<CheckedService>,
}

/// One service's resolved declarations.
#[derive(Debug)]
pub struct CheckedService {
    pub name: String,
    pub min: u32,
    pub max: u32,
    pub start: u32,
    pub on_missing: MissingMode,
    pub cooldown_out: Millis,
    pub cooldown_in: Millis,
    pub tick: Option<Millis>,
    pub metrics: Vec<Metric>,
    /// The metric each metric operand (or aggregate) names, keyed by its span.
    pub operand_metric: HashMap<Span, MetricId>,
    /// The unit each comparison's values are shown in, keyed by its span.
    pub compare_unit: HashMap<Span, Unit>,
    /// Each `target` line's kind, in file order.
    pub targets: Vec<TargetKind>,
    /// The `behavior` lines folded into one; `None` when the service has none.
    pub behavior: Option<Behavior>,
    /// Each `schedule` line, in file order.
    pub schedules: Vec<ScheduleSpec>,
    /// `timezone ZONE`, canonical spelling.
    pub timezone: Option<String>,
    /// The size ladder (`size` lines); `None` without one.
    pub ladder: Option<Ladder>,
    /// `idle to N …`, when valid.
    pub idle: Option<resolved::Idle>,
}

pub(super) struct Slot {
    metric: Metric,
    /// Declared, by suffix, builtin or inferred: no later literal may change it.
    unit_fixed: bool,
    /// Where the unit was decided, for secondary labels.
    unit_span: Option<Span>,
}

#[derive(Default)]
pub(super) struct MetricTable {
    metrics: Vec<Slot>,
    index: HashMap<String, MetricId>,
}

impl MetricTable {
    fn declare(&mut self, metric: Metric, unit_fixed: bool, unit_span: Option<Span>) -> MetricId {
        let id = MetricId(self.metrics.len());
        self.index.insert(metric.name.clone(), id);
        self.metrics.push(Slot {
            metric,
            unit_fixed,
            unit_span,
        });
        id
    }
}

/// Known aggregate function names, for "did you mean".
const FUNCTIONS: &[&str] = &[
    "avg", "min", "max", "sum", "rate", "p50", "p90", "p95", "p99",
];

/// The function people often mean by a name from other tools (`average` is `avg`).
fn function_synonym(name: &str) -> Option<&'static str> {
    Some(match name.to_ascii_lowercase().as_str() {
        "average" | "mean" | "avg_over_time" => "avg",
        "minimum" | "min_over_time" => "min",
        "maximum" | "max_over_time" => "max",
        "total" | "sum_over_time" => "sum",
        "increase" | "irate" | "per_second" => "rate",
        "median" => "p50",
        "percentile" | "quantile" | "quantile_over_time" => "p95",
        _ => return None,
    })
}

/// The aggregate function a name stands for.
pub fn parse_function(name: &str) -> Option<AggFunc> {
    Some(match name {
        "avg" => AggFunc::Avg,
        "min" => AggFunc::Min,
        "max" => AggFunc::Max,
        "sum" => AggFunc::Sum,
        "rate" => AggFunc::Rate,
        p => {
            let digits = p.strip_prefix('p')?;
            if digits.is_empty() || digits.len() > 2 || !digits.bytes().all(|b| b.is_ascii_digit())
            {
                return None;
            }
            let n: u32 = digits.parse().ok()?;
            if !(1..=99).contains(&n) {
                return None;
            }
            AggFunc::Quantile(f64::from(n) / 100.0)
        }
    })
}

/// A duration literal in milliseconds, when it is well formed (a unit, or a bare 0).
pub fn duration_ms(d: &ast::Duration) -> Option<Millis> {
    let v = d.value.value;
    let factor = match d.unit {
        Some(u) => u.si_factor(),
        None if v == 0.0 => 1.0,
        None => return None,
    };
    let ms = v * factor * 1000.0;
    (ms.is_finite() && ms.abs() < 1e15).then(|| ms.round() as Millis)
}

/// Checks a parsed file. `None` when any error was reported.
pub fn check(file: &ast::File, src: &str, sink: &mut Sink) -> Option<Checked> {
    let before = sink.error_count();
    let mut seen: HashMap<&str, Span> = HashMap::new();
    let mut services = Vec::new();
    for s in &file.services {
        if let Some(first) = seen.get(s.name.node.as_str()) {
            sink.push(
                Diagnostic::error(
                    Code::DUPLICATE_SERVICE,
                    format!("duplicate service `{}`", s.name.node),
                    s.name.span,
                )
                .label("defined again here")
                .with_secondary(*first, "first defined here")
                .help("give each service a unique name, or merge the two blocks"),
            );
        } else {
            seen.insert(&s.name.node, s.name.span);
        }
        services.push(ServiceChecker::new(src, sink).run(s));
    }
    (sink.error_count() == before).then_some(Checked { services })
}

struct ServiceChecker<'a> {
    src: &'a str,
    sink: &'a mut Sink,
    table: MetricTable,
    operand_metric: HashMap<Span, MetricId>,
    compare_unit: HashMap<Span, Unit>,
    /// The size ladder, checked before the rules that move along it.
    ladder: Option<Ladder>,
}

impl<'a> ServiceChecker<'a> {
    fn new(src: &'a str, sink: &'a mut Sink) -> Self {
        ServiceChecker {
            src,
            sink,
            table: MetricTable::default(),
            operand_metric: HashMap::new(),
            compare_unit: HashMap::new(),
            ladder: None,
        }
    }

    fn run(mut self, s: &ast::Service) -> CheckedService {
        let mut once: HashMap<&'static str, Span> = HashMap::new();
        let mut replicas = None;
        let mut on_missing = MissingMode::False;
        let mut cooldown = [0, 0];
        let mut tick = None;
        let mut timezone = None;
        for item in &s.items {
            let (key, span) = match item {
                Item::Replicas(r) => ("replicas", r.span),
                Item::OnMissing(m) => ("on missing", m.span),
                Item::Tick(d) => ("tick", d.span),
                Item::Model(m) => ("model", m.span),
                Item::Timezone(z) => ("timezone", z.span),
                Item::Kubernetes(k) => ("kubernetes", k.span),
                Item::Idle(d) => ("idle", d.span),
                _ => ("", Span::default()),
            };
            if !key.is_empty() {
                if let Some(first) = once.insert(key, span) {
                    self.duplicate(key, span, first);
                }
            }
            match item {
                Item::Replicas(r) => replicas = self.replicas(r),
                Item::OnMissing(m) => on_missing = m.node,
                Item::Tick(d) => tick = self.duration(d, "a tick", false),
                Item::Metric(m) => self.metric_decl(m),
                Item::Cooldown(list) => {
                    let mut seen: [Option<Span>; 2] = [None, None];
                    for dc in list {
                        let i = usize::from(dc.direction.node == ast::Direction::In);
                        if let Some(first) = seen[i] {
                            self.duplicate("cooldown direction", dc.direction.span, first);
                        }
                        seen[i] = Some(dc.direction.span);
                        cooldown[i] = self.duration(&dc.duration, "a cooldown", true).unwrap_or(0);
                    }
                }
                Item::Timezone(z) => timezone = self.time_zone(z),
                Item::Rule(_)
                | Item::Model(_)
                | Item::Target(_)
                | Item::Behavior(_)
                | Item::Schedule(_)
                | Item::Kubernetes(_)
                | Item::Size(_)
                | Item::Resize(_)
                | Item::SizeCooldown(_)
                | Item::Idle(_)
                | Item::Param(_) => {}
            }
        }
        let (min, max, start) = replicas.unwrap_or_else(|| {
            if !s.items.iter().any(|i| matches!(i, Item::Replicas(_))) {
                let span = if s.implicit {
                    Span::new(0, 0)
                } else {
                    s.name.span
                };
                self.sink.push(
                    Diagnostic::error(
                        Code::MISSING_REPLICAS,
                        format!("service `{}` has no replica bounds", s.name.node),
                        span,
                    )
                    .label("needs a `replicas MIN..MAX` line")
                    .help("add a line like `replicas 2..20` (optionally `, start 4`)"),
                );
            }
            (1, 1, 1)
        });

        // Resolve names, then units, then check every comparison. A target counts as the
        // comparison `metric == value` for units.
        let target_cmps: Vec<ast::Comparison> = s
            .items
            .iter()
            .filter_map(|i| {
                if let Item::Target(t) = i {
                    Some(tracking::as_comparison(t))
                } else {
                    None
                }
            })
            .collect();
        let mut comparisons: Vec<(&ast::Comparison, Side, Side)> = Vec::new();
        let rules: Vec<&ast::Rule> = s
            .items
            .iter()
            .filter_map(|i| if let Item::Rule(r) = i { Some(r) } else { None })
            .collect();
        for r in &rules {
            for c in r.condition.comparisons() {
                let l = self.operand(&c.lhs);
                let rr = self.operand(&c.rhs);
                comparisons.push((c, l, rr));
            }
        }
        let targets: Vec<&ast::TargetDecl> = s
            .items
            .iter()
            .filter_map(|i| {
                if let Item::Target(t) = i {
                    Some(t)
                } else {
                    None
                }
            })
            .collect();
        for (c, t) in target_cmps.iter().zip(&targets) {
            let l = self.operand(&t.operand);
            let rr = Side::Literal(&t.value);
            comparisons.push((c, l, rr));
        }
        let model = s.items.iter().find_map(|i| {
            if let Item::Model(m) = i {
                Some(m)
            } else {
                None
            }
        });
        if let Some(m) = model {
            for item in &m.items {
                if let ModelItem::Slo(c, _) = item {
                    let l = self.operand(&c.lhs);
                    let rr = self.operand(&c.rhs);
                    comparisons.push((c, l, rr));
                }
            }
        }
        units::infer(&mut self.table, &comparisons, self.src);
        // The model gives its metrics default units before comparisons are checked.
        if let Some(m) = model {
            self.model(m);
        }
        for (c, l, r) in &comparisons {
            if let Some(u) = units::check_comparison(&self.table, c, l, r, self.sink) {
                self.compare_unit.insert(c.span, u);
            }
        }
        self.ladder = self.ladder(s);
        for r in &rules {
            self.rule(r);
        }
        let target_kinds: Vec<TargetKind> = targets.iter().filter_map(|t| self.target(t)).collect();
        let behaviors: Vec<&ast::BehaviorDecl> = s
            .items
            .iter()
            .filter_map(|i| {
                if let Item::Behavior(b) = i {
                    Some(b)
                } else {
                    None
                }
            })
            .collect();
        let behavior = self.behavior(&behaviors);
        if let (Some(b), true) = (behaviors.first(), targets.is_empty()) {
            self.sink.push(
                Diagnostic::error(
                    Code::BEHAVIOR_WITHOUT_TARGET,
                    "`behavior` shapes target tracking, but the service has no `target`",
                    b.span,
                )
                .label("nothing to shape")
                .help("add a `target` line (e.g. `target cpu at 60%`), or remove the behavior: threshold rules use `cooldown` and `for`"),
            );
        }
        let schedules: Vec<ScheduleSpec> = s
            .items
            .iter()
            .filter_map(|i| {
                if let Item::Schedule(d) = i {
                    Some(d)
                } else {
                    None
                }
            })
            .filter_map(|d| self.schedule(d, timezone, !targets.is_empty()))
            .collect();
        let idle = s.items.iter().find_map(|i| match i {
            Item::Idle(d) => Some(d),
            _ => None,
        });
        let idle = idle.and_then(|d| self.idle(d, min, !targets.is_empty()));

        CheckedService {
            name: s.name.node.clone(),
            min,
            max,
            start,
            on_missing,
            cooldown_out: cooldown[0],
            cooldown_in: cooldown[1],
            tick,
            metrics: self.table.metrics.into_iter().map(|s| s.metric).collect(),
            operand_metric: self.operand_metric,
            compare_unit: self.compare_unit,
            targets: target_kinds,
            behavior,
            schedules,
            timezone: timezone.map(str::to_string),
            ladder: self.ladder,
            idle,
        }
    }

    fn duplicate(&mut self, what: &str, span: Span, first: Span) {
        self.sink.push(
            Diagnostic::error(
                Code::DUPLICATE_DECLARATION,
                format!("duplicate `{what}` declaration"),
                span,
            )
            .label("declared again here")
            .with_secondary(first, "first declared here")
            .help("keep one of the two"),
        );
    }

    /// A whole, non-negative number.
    fn count(&mut self, n: &ast::Number, what: &str) -> Option<u32> {
        let v = n.value;
        if v.fract() != 0.0 || !(0.0..=1_000_000.0).contains(&v) {
            self.sink.push(
                Diagnostic::error(
                    Code::INVALID_NUMBER,
                    format!(
                        "{what} must be a whole number from 0 to 1000000, not `{}`",
                        n.text
                    ),
                    n.span,
                )
                .label("not a valid count")
                .help("replica counts are whole numbers"),
            );
            return None;
        }
        Some(v as u32)
    }

    fn replicas(&mut self, r: &ast::ReplicasDecl) -> Option<(u32, u32, u32)> {
        let min = self.count(&r.min, "the minimum");
        let max = self.count(&r.max, "the maximum");
        let start = match &r.start {
            Some(s) => Some(self.count(s, "the start count")?),
            None => None,
        };
        let (min, max) = (min?, max?);
        if min > max {
            self.sink.push(
                Diagnostic::error(
                    Code::INVALID_BOUNDS,
                    format!("replica bounds are reversed: {min} is more than {max}"),
                    r.min.span.to(r.max.span),
                )
                .label("minimum above maximum")
                .help(format!("write `replicas {max}..{min}`")),
            );
            return None;
        }
        if max == 0 {
            self.sink.push(
                Diagnostic::error(
                    Code::INVALID_BOUNDS,
                    "the maximum must be at least 1",
                    r.max.span,
                )
                .label("a service that can never run")
                .help("raise the maximum, e.g. `replicas 0..10` for scale to zero"),
            );
            return None;
        }
        let start = start.unwrap_or(min);
        if !(min..=max).contains(&start) {
            if let Some(s) = &r.start {
                self.sink.push(
                    Diagnostic::error(
                        Code::START_OUT_OF_BOUNDS,
                        format!("start count {start} is outside the bounds {min}..{max}"),
                        s.span,
                    )
                    .label("outside the bounds")
                    .help(format!("pick a start between {min} and {max}")),
                );
            }
            return None;
        }
        Some((min, max, start))
    }

    /// A duration in ms. `positive`: zero is not allowed (windows, ticks).
    fn duration(&mut self, d: &ast::Duration, what: &str, zero_ok: bool) -> Option<Millis> {
        let Some(ms) = duration_ms(d) else {
            if d.unit.is_some() {
                self.sink.push(
                    Diagnostic::error(
                        Code::INVALID_DURATION,
                        format!("{what} is too long"),
                        d.span,
                    )
                    .label("longer than any schedule can use")
                    .help(
                        "durations above about 30 000 years are rejected; use a realistic length",
                    ),
                );
                return None;
            }
            self.sink.push(
                Diagnostic::error(
                    Code::INVALID_DURATION,
                    format!("{what} needs a time unit"),
                    d.span,
                )
                .label("a number without a unit")
                .help(format!(
                    "write the unit, e.g. `{}m` or `{}s`",
                    d.value.text, d.value.text
                )),
            );
            return None;
        };
        if ms < 0 || (ms == 0 && !zero_ok) {
            let (msg, help) = if ms < 0 {
                (
                    format!("{what} cannot be negative"),
                    "durations count forward from now; drop the minus sign",
                )
            } else {
                (
                    format!("{what} must be longer than zero"),
                    "give it a positive length, e.g. `1m`",
                )
            };
            self.sink.push(
                Diagnostic::error(Code::INVALID_DURATION, msg, d.span)
                    .label("invalid duration")
                    .help(help),
            );
            return None;
        }
        Some(ms)
    }

    fn metric_decl(&mut self, m: &ast::MetricDecl) {
        if let Some(&first) = self.table.index.get(&m.name.node) {
            let first = self.table.metrics[first.0].metric.span.unwrap_or_default();
            self.duplicate(&format!("metric {}", m.name.node), m.name.span, first);
            return;
        }
        let column = m
            .binding
            .column
            .as_ref()
            .map_or(m.name.node.clone(), |c| c.node.clone());
        let col_span = m.binding.column.as_ref().map_or(m.name.span, |c| c.span);
        let suffix = Unit::from_suffix(&column);
        let (unit, origin, unit_span, fixed) = match (&m.unit, suffix) {
            (Some(u), suffix) => {
                let unit = u.node;
                if let Some((su, s)) = suffix {
                    if su != unit {
                        self.sink.push(
                            Diagnostic::error(
                                Code::COLUMN_SUFFIX_CONTRADICTS_UNIT,
                                format!("column `{column}` ends in `{s}`, which means {su}, but the metric is declared in {unit}"),
                                u.span,
                            )
                            .label(format!("declared in {unit}"))
                            .with_secondary(col_span, format!("the suffix `{s}` says {su}"))
                            .help(format!("declare it `in {}`, or check that the column really holds {unit}", su.name())),
                        );
                    }
                }
                (unit, UnitOrigin::Declared, Some(u.span), true)
            }
            (None, Some((su, s))) => (su, UnitOrigin::Suffix(s.to_string()), Some(col_span), true),
            (None, None) => (Unit::Count, UnitOrigin::Default, None, false),
        };
        self.table.declare(
            Metric {
                name: m.name.node.clone(),
                source: MetricSource::Column(column),
                unit,
                unit_origin: origin,
                per_replica: m.per_replica.is_some(),
                promql: m.binding.promql.as_ref().map(|q| Promql {
                    query: q.node.clone(),
                    span: q.span,
                }),
                span: Some(m.span),
            },
            fixed,
            unit_span,
        );
    }

    /// Resolves a metric name, creating an implicit slot for an undeclared one.
    fn resolve(&mut self, name: &str, span: Span) -> Option<MetricId> {
        if let Some(&id) = self.table.index.get(name) {
            return Some(id);
        }
        let declared: Vec<String> = self
            .table
            .metrics
            .iter()
            .filter(|s| s.metric.span.is_some())
            .map(|s| s.metric.name.clone())
            .collect();
        let builtin_names = Builtin::ALL.map(Builtin::name);
        let pool = declared.iter().map(String::as_str).chain(builtin_names);
        if let Some(close) = did_you_mean(name, pool) {
            if !siblings(name, close) {
                self.sink.push(
                    Diagnostic::error(Code::UNKNOWN_METRIC, format!("unknown metric `{name}`"), span)
                        .label("not declared")
                        .help(format!("did you mean `{close}`? If `{name}` is a column of its own, declare it: `metric {name} = column \"{name}\"`")),
                );
                return None;
            }
        }
        let (source, unit, origin, fixed) = match Builtin::from_name(name) {
            Some(b) => (
                MetricSource::Builtin(b),
                b.unit(),
                UnitOrigin::Builtin,
                true,
            ),
            None => match Unit::from_suffix(name) {
                Some((u, s)) => (
                    MetricSource::Column(name.to_string()),
                    u,
                    UnitOrigin::Suffix(s.into()),
                    true,
                ),
                None => (
                    MetricSource::Column(name.to_string()),
                    Unit::Count,
                    UnitOrigin::Default,
                    false,
                ),
            },
        };
        Some(self.table.declare(
            Metric {
                name: name.to_string(),
                source,
                unit,
                unit_origin: origin,
                per_replica: false,
                promql: None,
                span: None,
            },
            fixed,
            fixed.then_some(span),
        ))
    }

    fn operand<'o>(&mut self, op: &'o Operand) -> Side<'o> {
        match op {
            Operand::Literal(q) => Side::Literal(q),
            Operand::Metric(m) => {
                let id = self.resolve(&m.node, m.span);
                if let Some(id) = id {
                    self.operand_metric.insert(m.span, id);
                }
                units::side_of(op, false, id)
            }
            Operand::Aggregate(a) => {
                let func = parse_function(&a.func.node);
                if func.is_none() {
                    let mut d = Diagnostic::error(
                        Code::UNKNOWN_FUNCTION,
                        format!("unknown function `{}`", a.func.node),
                        a.func.span,
                    )
                    .label("not an aggregate function");
                    let hint = function_synonym(&a.func.node)
                        .or_else(|| did_you_mean(&a.func.node, FUNCTIONS.iter().copied()));
                    d = match hint {
                        Some(s) => d.help(format!(
                            "did you mean `{s}`? Functions: avg, min, max, sum, rate, p1…p99"
                        )),
                        None => {
                            d.help("functions: avg, min, max, sum, rate, and percentiles p1…p99")
                        }
                    };
                    self.sink.push(d);
                }
                self.duration(&a.window, "a window", false);
                let id = self.resolve(&a.metric.node, a.metric.span);
                if let Some(id) = id {
                    self.operand_metric.insert(a.span, id);
                }
                let rate = func == Some(AggFunc::Rate);
                if func.is_none() {
                    return Side::Broken;
                }
                units::side_of(op, rate, id)
            }
        }
    }

    fn rule(&mut self, r: &ast::Rule) {
        // rate() needs a counter.
        for c in r.condition.comparisons() {
            for op in [&c.lhs, &c.rhs] {
                if let Operand::Aggregate(a) = op {
                    if a.func.node == "rate" {
                        self.check_counter(a);
                    }
                }
            }
        }
        match &r.sustain {
            Some(Sustain::For { duration, .. }) => {
                self.duration(duration, "a sustain duration", true);
            }
            Some(Sustain::MOfN { m, window, .. }) => {
                if m.value < 1.0 || m.value.fract() != 0.0 {
                    self.sink.push(
                        Diagnostic::error(Code::INVALID_SUSTAIN, format!("`for {} of …` needs a whole number of evaluations, at least 1", m.text), m.span)
                            .label("invalid count")
                            .help("write e.g. `for 3 of 5m`: at least 3 true evaluations in the last 5 minutes"),
                    );
                }
                self.duration(window, "a sustain window", false);
            }
            None => {}
        }
        if let Some(c) = &r.cooldown {
            self.duration(c, "a cooldown", true);
        }
        match &r.action {
            Action::Out { amount, .. } | Action::In { amount, .. } => {
                let inward = matches!(r.action, Action::In { .. });
                let v = amount.value.value;
                if v <= 0.0 {
                    self.sink.push(
                        Diagnostic::error(
                            Code::INVALID_AMOUNT,
                            format!("scaling by {} does nothing", amount.value.text),
                            amount.span,
                        )
                        .label("must be positive")
                        .help(if inward {
                            "scale in by at least 1, e.g. `scale in by 1`"
                        } else {
                            "scale out by at least 1, e.g. `scale out by 1`"
                        }),
                    );
                } else if !amount.percent && v.fract() != 0.0 {
                    self.sink.push(
                        Diagnostic::error(
                            Code::INVALID_AMOUNT,
                            format!("cannot add or remove {} replicas", amount.value.text),
                            amount.span,
                        )
                        .label("not a whole number")
                        .help(format!(
                            "use a whole number, or a percentage like `{}%`",
                            amount.value.text
                        )),
                    );
                } else if amount.percent && inward && v > 100.0 {
                    self.sink.push(
                        Diagnostic::error(
                            Code::PERCENT_OVER_100,
                            format!("cannot remove {}% of the replicas", amount.value.text),
                            amount.span,
                        )
                        .label("over 100%")
                        .help("scale in by at most 100%, or use `scale to N`"),
                    );
                }
            }
            Action::To { count, .. } => {
                self.count(count, "the target count");
            }
            Action::Vertical {
                direction,
                step,
                span,
            } => self.vertical_action(*direction, step, *span),
        }
    }

    fn check_counter(&mut self, a: &ast::Aggregate) {
        let Some(&id) = self.table.index.get(&a.metric.node) else {
            return;
        };
        let slot = &self.table.metrics[id.0];
        if slot.metric.unit.dimension() != Dimension::Count {
            let unit = slot.metric.unit;
            let mut d = Diagnostic::error(Code::RATE_OF_NON_COUNTER, format!("`rate` needs a counter, but `{}` is {} in {unit}", a.metric.node, unit.dimension()), a.metric.span)
                .label("not a counter")
                .help("apply `rate` to a monotonically increasing count such as `requests_total`, or use `avg` for a gauge");
            if let Some(s) = slot.unit_span.filter(|s| *s != a.metric.span) {
                d = d.with_secondary(s, "its unit comes from here");
            }
            self.sink.push(d);
        }
    }

    fn model(&mut self, m: &ast::Model) {
        let mut demand = None;
        let mut capacity = None;
        for item in &m.items {
            match item {
                ModelItem::Demand(name) => {
                    demand = self
                        .resolve(&name.node, name.span)
                        .map(|id| (id, name.span));
                    if let Some((id, _)) = demand {
                        self.operand_metric.insert(name.span, id);
                    }
                }
                ModelItem::Capacity(q, _) => capacity = Some(q),
                ModelItem::Startup(d, _) => {
                    self.duration(d, "a startup delay", true);
                }
                ModelItem::Price(p, _) => {
                    if p.value < 0.0 {
                        self.sink.push(
                            Diagnostic::error(Code::INVALID_MODEL, "a price cannot be negative", p.span)
                                .label("negative price")
                                .help("give the price of one replica for one hour, e.g. `price 0.10 per replica-hour`"),
                        );
                    }
                }
                ModelItem::Utilization(name, _) => {
                    self.model_metric(name, Dimension::Ratio, "utilization", "%")
                }
                ModelItem::Latency { metric, base, .. } => {
                    self.model_metric(metric, Dimension::Time, "latency", "ms");
                    if let Some(b) = base {
                        self.duration(b, "a base latency", false);
                    }
                }
                ModelItem::Recorded(..) | ModelItem::Slo(..) => {}
            }
        }
        let has_demand = m.items.iter().any(|i| matches!(i, ModelItem::Demand(_)));
        let missing: Vec<&str> = [
            ("`demand METRIC`", !has_demand),
            ("`capacity N UNIT per replica`", capacity.is_none()),
        ]
        .iter()
        .filter(|x| x.1)
        .map(|x| x.0)
        .collect();
        if !missing.is_empty() {
            self.sink.push(
                Diagnostic::error(Code::INVALID_MODEL, "the model is incomplete", m.span)
                    .label(format!("missing {}", missing.join(" and ")))
                    .help("a model needs the demand metric and the capacity of one replica, e.g. `demand rps` and `capacity 100 rps per replica`"),
            );
        }
        if let (Some((id, dspan)), Some(q)) = (demand, capacity) {
            let du = self.table.metrics[id.0].metric.unit;
            if q.value.value <= 0.0 {
                self.sink.push(
                    Diagnostic::error(Code::INVALID_MODEL, "capacity must be positive", q.span)
                        .label("not positive")
                        .help("give the demand one ready replica serves, e.g. `capacity 100 rps per replica`"),
                );
            }
            if let Some(u) = &q.unit {
                let cu = u.node;
                if cu.dimension() != du.dimension() {
                    self.sink.push(
                        Diagnostic::error(
                            Code::UNIT_MISMATCH,
                            format!(
                                "capacity is {} but demand `{}` is {}",
                                cu.dimension(),
                                self.table.metrics[id.0].metric.name,
                                du.dimension()
                            ),
                            q.span,
                        )
                        .label(format!("in {cu}"))
                        .with_secondary(dspan, format!("in {du}"))
                        .help("give capacity in the demand's unit"),
                    );
                }
            }
            if !matches!(du.dimension(), Dimension::Rate | Dimension::Count) {
                self.sink.push(
                    Diagnostic::error(
                        Code::INVALID_MODEL,
                        format!(
                            "demand must be a rate or a count, but `{}` is {}",
                            self.table.metrics[id.0].metric.name,
                            du.dimension()
                        ),
                        dspan,
                    )
                    .label("not a load")
                    .help("name the column of offered load, e.g. requests per second"),
                );
            }
        }
    }

    fn model_metric(
        &mut self,
        name: &ast::Spanned<String>,
        dim: Dimension,
        role: &str,
        example: &str,
    ) {
        let Some(id) = self.resolve(&name.node, name.span) else {
            return;
        };
        self.operand_metric.insert(name.span, id);
        let slot = &mut self.table.metrics[id.0];
        if !slot.unit_fixed {
            // Nothing said otherwise: a utilisation is in percent, a latency in ms.
            slot.metric.unit = if dim == Dimension::Ratio {
                Unit::Percent
            } else {
                Unit::Millis
            };
            slot.metric.unit_origin = UnitOrigin::Default;
            slot.unit_fixed = true;
            return;
        }
        // A per-replica load (in-flight requests per replica) scales like a utilisation.
        let per_replica_count =
            dim == Dimension::Ratio && slot.metric.unit.dimension() == Dimension::Count;
        if slot.metric.unit.dimension() != dim && !per_replica_count {
            let unit = slot.metric.unit;
            let mut d = Diagnostic::error(
                Code::INVALID_MODEL,
                format!(
                    "a {role} metric must be {dim}, but `{}` is {} in {unit}",
                    name.node,
                    unit.dimension()
                ),
                name.span,
            )
            .label(format!("not {dim}"))
            .help(format!(
                "declare it with the right unit, e.g. `metric {} in {example}`",
                name.node
            ));
            if let Some(s) = slot.unit_span {
                d = d.with_secondary(s, "its unit comes from here");
            }
            self.sink.push(d);
        }
    }
}

/// Names that differ only in digits (`p90` and `p95`) are siblings, not typos.
fn siblings(a: &str, b: &str) -> bool {
    let strip = |s: &str| {
        s.chars()
            .filter(|c| !c.is_ascii_digit())
            .collect::<String>()
    };
    a != b && strip(a) == strip(b)
}
