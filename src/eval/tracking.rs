//! The IR's target tracking and schedules, run by the library in [`target`] and
//! [`schedule`]: the service's HPA (its targets and `propose` schedules as the HPA's
//! metrics, `behavior` resolved with the Kubernetes defaults) and its calendar.
//! `docs/language.md` ("Target tracking", "Schedules") is the reference.

use super::schedule::{self, Clock};
use super::target::{
    self, Behavior, ControllerConfig, Hpa, MetricTarget, Outcome, Pods, Policy, RulesSpec,
    SelectPolicy, Source, Target, Why,
};
use crate::ir::{self, Millis, SelectMode, TargetGoal, TargetSource};
use crate::units::fmt_num;

/// What feeds one HPA metric.
#[derive(Clone, Copy, Debug)]
enum Feed {
    /// The value of the service's target `i`.
    Target(usize),
    /// `propose N` of schedule entry `i`: N while active, else 0.
    Propose(usize, u32),
}

/// The HPA of a service and what the controller remembers between evaluations.
#[derive(Clone, Debug)]
pub(super) struct Tracking {
    pub hpa: Hpa,
    pub state: target::State,
    feeds: Vec<Feed>,
    values: Vec<Option<f64>>,
}

/// The service's calendar.
#[derive(Clone, Debug)]
pub(super) struct Timetable {
    clock: Clock<'static>,
    /// The schedule line of each library entry.
    line_of: Vec<usize>,
    buffer: Vec<bool>,
    /// Which schedule lines are active at the current evaluation.
    pub active: Vec<bool>,
}

/// How a value reads in reasons: `cpu`, `avg(cpu, 2m)`, or the number.
pub(super) fn value_name(service: &ir::Service, v: &ir::Value) -> String {
    match v {
        ir::Value::Metric(m) => service.metrics[m.0].name.clone(),
        ir::Value::Aggregate(a) => {
            let agg = &service.aggregates[a.0];
            format!(
                "{}({}, {})",
                agg.func.name(),
                service.metrics[agg.metric.0].name,
                crate::timestamp::format_duration(agg.window)
            )
        }
        ir::Value::Const(c) => fmt_num(*c),
    }
}

impl Tracking {
    /// The HPA of `service`, `None` without targets.
    pub fn new(service: &ir::Service) -> Option<Tracking> {
        let t = service.targets.as_ref()?;
        let controller = ControllerConfig::default();
        let mut metrics = Vec::new();
        let mut feeds = Vec::new();
        for (i, x) in t.targets.iter().enumerate() {
            let source = match x.source {
                TargetSource::PodAverage => Source::PodAverage,
                TargetSource::Total => Source::Total,
            };
            let goal = match x.goal {
                TargetGoal::Utilization(p) => Target::Utilization(p),
                TargetGoal::AverageValue(v) => Target::AverageValue(v),
                TargetGoal::Value(v) => Target::Value(v),
            };
            // The checker accepted only pairings the API accepts.
            if let Ok(m) = MetricTarget::new(source, goal) {
                metrics.push(m);
                feeds.push(Feed::Target(i));
            }
        }
        for (i, e) in service.schedules.iter().enumerate() {
            if let (Some(n), Ok(m)) = (
                e.propose,
                MetricTarget::new(Source::Total, Target::AverageValue(1.0)),
            ) {
                metrics.push(m);
                feeds.push(Feed::Propose(i, n));
            }
        }
        let behavior = t.behavior.as_ref().map(|b| {
            Behavior::resolve(
                b.scale_up.as_ref().map(rules_spec),
                b.scale_down.as_ref().map(rules_spec),
                &controller,
            )
        });
        Some(Tracking {
            hpa: Hpa {
                min: service.awake_min(),
                max: service.max,
                metrics,
                behavior,
                controller,
            },
            state: target::State::default(),
            values: vec![None; feeds.len()],
            feeds,
        })
    }

    /// The HPA's recommendation at `t` (recorded in its state, not yet applied).
    #[expect(
        clippy::too_many_arguments,
        reason = "one evaluation's inputs, each named"
    )]
    pub fn recommend(
        &mut self,
        t: Millis,
        service: &ir::Service,
        metric_values: &[f64],
        agg_values: &[f64],
        active: &[bool],
        current: u32,
        ready: u32,
        bounds: (u32, u32),
    ) -> Option<Outcome> {
        let targets = service.targets.as_ref()?;
        for (v, feed) in self.values.iter_mut().zip(&self.feeds) {
            *v = match *feed {
                Feed::Target(i) => {
                    let x = super::value_of(&targets.targets[i].operand, metric_values, agg_values);
                    (!x.is_nan()).then_some(x)
                }
                Feed::Propose(i, n) => Some(if active.get(i).copied().unwrap_or(false) {
                    f64::from(n)
                } else {
                    0.0
                }),
            };
        }
        let ready = ready.min(current);
        let obs = target::Observation {
            replicas: current,
            pods: Pods {
                ready,
                unready: current - ready,
                missing: 0,
            },
            values: &self.values,
        };
        let b = target::Bounds {
            min: bounds.0,
            max: bounds.1,
        };
        self.hpa.recommend_within(&mut self.state, t, &obs, b).ok()
    }

    /// Why the targets want what they want, in words like the controller's events.
    pub fn reason(&self, service: &ir::Service, outcome: &Outcome) -> String {
        let Some(targets) = service.targets.as_ref() else {
            return String::new();
        };
        let mut parts = Vec::new();
        for (feed, (p, v)) in self
            .feeds
            .iter()
            .zip(outcome.proposals.iter().zip(&self.values))
        {
            let (name, unit, goal) = match *feed {
                Feed::Target(i) => {
                    let x = &targets.targets[i];
                    let name = value_name(service, &x.operand);
                    let goal = match x.goal {
                        TargetGoal::Utilization(p) => format!("{p}%"),
                        TargetGoal::AverageValue(v) => format!("{} per replica", x.unit.show_si(v)),
                        TargetGoal::Value(v) => x.unit.show_si(v),
                    };
                    (name, Some(x.unit), goal)
                }
                Feed::Propose(i, _) => {
                    (format!("schedule {}", i + 1), None, "1 per replica".into())
                }
            };
            let value = match (v, unit) {
                (Some(v), Some(u)) => u.show_si(*v),
                (Some(v), None) => fmt_num(*v),
                (None, _) => "no value".into(),
            };
            parts.push(match p {
                Ok(p) => format!(
                    "{name} = {value} (target {goal}, ratio {}) proposes {}",
                    fmt_num((p.ratio * 1000.0).round() / 1000.0),
                    p.replicas
                ),
                Err(e) => format!("{name}: {e}"),
            });
        }
        let mut s = parts.join("; ");
        match outcome.why {
            Why::Normalized {
                proposal,
                normalized,
            } => {
                if normalized.stabilized != proposal {
                    s.push_str(&format!(
                        "; {} to {}",
                        normalized.stabilization, normalized.stabilized
                    ));
                }
                if normalized.replicas != normalized.stabilized {
                    s.push_str(&format!(
                        "; {} to {}",
                        normalized.limit, normalized.replicas
                    ));
                }
            }
            Why::InvalidMetrics {
                blocked_scale_down: true,
                ..
            } => s.push_str("; a metric without a value blocks the scale-down"),
            Why::BelowMin | Why::AboveMax | Why::ScalingDisabled | Why::InvalidMetrics { .. } => {}
        }
        s
    }
}

fn rules_spec(d: &ir::DirectionBehavior) -> RulesSpec {
    RulesSpec {
        stabilization_window: d.stabilize,
        select: d.select.map(|m| match m {
            SelectMode::Max => SelectPolicy::Max,
            SelectMode::Min => SelectPolicy::Min,
            SelectMode::Disabled => SelectPolicy::Disabled,
        }),
        policies: d.policies.as_ref().map(|ps| {
            ps.iter()
                .map(|p| {
                    if p.percent {
                        Policy::percent(p.value, p.period)
                    } else {
                        Policy::pods(p.value, p.period)
                    }
                })
                .collect()
        }),
        tolerance: d.tolerance,
    }
}

impl Timetable {
    /// The calendar of `service`, `None` without schedules.
    pub fn new(service: &ir::Service) -> Option<Timetable> {
        if service.schedules.is_empty() {
            return None;
        }
        let mut entries = Vec::new();
        let mut line_of = Vec::new();
        for (i, e) in service.schedules.iter().enumerate() {
            if let Some(x) = schedule::Entry::from_ir(e) {
                entries.push(x);
                line_of.push(i);
            }
        }
        Some(Timetable {
            buffer: vec![false; entries.len()],
            clock: schedule::Schedule { entries }.into_clock(),
            line_of,
            active: vec![false; service.schedules.len()],
        })
    }

    /// The bounds in force at `t` within `min..=max`; [`active`](Self::active) says which
    /// lines are in force.
    pub fn bounds(&mut self, t: Millis, min: u32, max: u32) -> (u32, u32) {
        let b = self.clock.at_entries(t, &mut self.buffer).bounds(min, max);
        for (&line, &on) in self.line_of.iter().zip(&self.buffer) {
            self.active[line] = on;
        }
        b
    }
}
