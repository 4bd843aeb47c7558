//! Export's first half: one lowered [`ir::Service`] → [`Policy`]
//! (`docs/design-kubernetes.md` 8.3). Replicas, metrics, targets, `behavior`, schedules,
//! `idle`, the zone and the `kubernetes { }` block carry over; every construct an
//! HorizontalPodAutoscaler or a ScaledObject cannot say (a `when … scale …` rule, a
//! cooldown, a target on a window aggregate, a one-off schedule) is an E413 diagnostic
//! on its span, and a `kubernetes { }` line export does not read is an E415
//! (`kubernetes.rs`, the inverse of `print::kubernetes`). The caller
//! writes no manifest when any diagnostic is an error.

mod kubernetes;

use super::policy::{
    Behavior, Bound, Days, Hm, Idle, Metric, Policy, RatePolicy, Replicas, Rules, Schedule, Select,
    Target, TargetValue, Unit, Window,
};
use super::quantity::Quantity;
use crate::diagnostics::{Code, Diagnostic};
use crate::ir::{self, Calendar, MetricSource, SelectMode, TargetGoal, Value};
use crate::span::Span;

/// The policy of `service` (compiled from `src`), and one diagnostic per construct it
/// cannot carry.
pub fn policy_of(service: &ir::Service, src: &str) -> (Policy, Vec<Diagnostic>) {
    let mut diags = Vec::new();
    let no = |diags: &mut Vec<Diagnostic>, span: Span, what: &str, help: &str| {
        diags.push(
            Diagnostic::error(
                Code::NO_EXPORT_EQUIVALENT,
                format!("{what} has no HorizontalPodAutoscaler or ScaledObject equivalent"),
                span,
            )
            .label("not exportable")
            .help(help.to_string()),
        );
    };
    for r in &service.rules {
        no(
            &mut diags,
            r.span,
            "a `when … scale …` rule",
            "only target tracking (`target`, `behavior`) and `schedule` lines export; \
             express the rule as a `target`, or keep it out of the exported service",
        );
    }
    if service.cooldown_out != 0 || service.cooldown_in != 0 {
        no(
            &mut diags,
            statement_span(service, src, "cooldown"),
            "`cooldown`",
            "the HPA has no cooldown: use `behavior in stabilize D` / `behavior out stabilize D`",
        );
    }
    if service.ladder.is_some() {
        no(
            &mut diags,
            statement_span(service, src, "size"),
            "a size ladder (`size`, `resize`)",
            "an HorizontalPodAutoscaler or ScaledObject changes the replica count only; a \
             replica's size is the Deployment's resources (or a VerticalPodAutoscaler's): \
             export the service without its ladder",
        );
    }
    let metrics = service
        .metrics
        .iter()
        .map(|m| {
            let column = match &m.source {
                MetricSource::Column(c) if *c != m.name => Some(c.clone()),
                MetricSource::Column(_) => None,
                MetricSource::Builtin(_) => None,
            };
            Metric {
                name: m.name.clone(),
                column,
                unit: unit_of(m.unit),
                per_replica: m.per_replica,
            }
        })
        .collect::<Vec<_>>();
    let mut targets = Vec::new();
    let mut behavior = None;
    if let Some(t) = &service.targets {
        for target in &t.targets {
            let metric = match target.operand {
                Value::Metric(id) => service.metrics.get(id.0),
                _ => None,
            };
            let Some(metric) = metric else {
                no(
                    &mut diags,
                    target.span,
                    "a target on a window aggregate",
                    "the HPA averages the current metric value; target the metric itself",
                );
                continue;
            };
            if let MetricSource::Builtin(_) = metric.source {
                no(
                    &mut diags,
                    target.span,
                    "a target on a simulated metric",
                    "a manifest reads a metric the cluster serves; declare one with a column",
                );
                continue;
            }
            let written = value_text(&target.text);
            let value = match target.goal {
                TargetGoal::Utilization(p) => TargetValue::Utilization(p),
                TargetGoal::AverageValue(v) => TargetValue::PerReplica(quantity(written, v)),
                TargetGoal::Value(v) => TargetValue::Total(quantity(written, v)),
            };
            let active_above = target
                .activation
                .map(|a| quantity(activation_text(&target.text), a));
            targets.push(Target {
                metric: metric.name.clone(),
                value,
                active_above,
            });
        }
        behavior = t.behavior.as_ref().map(|b| Behavior {
            scale_out: b
                .scale_up
                .as_ref()
                .map(|d| rules(d, service.span, &mut diags)),
            scale_in: b
                .scale_down
                .as_ref()
                .map(|d| rules(d, service.span, &mut diags)),
        });
    }
    let mut schedules = Vec::new();
    for s in &service.schedules {
        let Some(window) = window(&s.calendar) else {
            no(
                &mut diags,
                s.span,
                "a one-off schedule or one not on whole minutes",
                "a cron trigger repeats every week on whole minutes",
            );
            continue;
        };
        let mut bounds = Vec::new();
        bounds.extend(s.floor.map(Bound::AtLeast));
        bounds.extend(s.ceiling.map(Bound::AtMost));
        bounds.extend(s.propose.map(Bound::Propose));
        schedules.push(Schedule {
            window,
            zone: s.zone_written.then(|| s.zone.clone()),
            bounds,
        });
    }
    let idle = service.idle.as_ref().map(|i| {
        let mut secs = |ms: Option<i64>| {
            let ms = ms?;
            if ms % 1000 != 0 {
                no(
                    &mut diags,
                    i.span,
                    "an `idle` duration that is not whole seconds",
                    "KEDA counts `cooldownPeriod` and `pollingInterval` in seconds",
                );
            }
            u32::try_from(ms.max(0) / 1000).ok()
        };
        Idle {
            to: i.to,
            after: secs(i.after_written),
            check_every: secs(i.check_every_written),
        }
    });
    let kubernetes = kubernetes::block(service, src, &mut diags);
    let policy = Policy {
        service: service.name.clone(),
        replicas: Replicas {
            min: service.min,
            max: service.max,
        },
        metrics,
        targets,
        behavior,
        schedules,
        idle,
        kubernetes,
    };
    (policy, diags)
}

/// The span of the service's first statement line starting with `keyword` (the IR keeps
/// no span for service settings), else the service's.
fn statement_span(service: &ir::Service, src: &str, keyword: &str) -> Span {
    let body = src.get(service.span.start..service.span.end).unwrap_or("");
    let mut at = 0;
    for line in body.split_inclusive('\n') {
        let text = line.trim_end();
        let trimmed = text.trim_start();
        if trimmed
            .strip_prefix(keyword)
            .is_some_and(|rest| rest.starts_with(' '))
        {
            let start = service.span.start + at + (text.len() - trimmed.len());
            return Span::new(start, start + trimmed.len());
        }
        at += line.len();
    }
    service.span
}

fn unit_of(u: crate::units::Unit) -> Option<Unit> {
    use crate::units::Unit as U;
    match u {
        U::Percent => Some(Unit::Percent),
        U::Cores | U::Millicores => Some(Unit::Cores),
        U::Bytes
        | U::Kilobytes
        | U::Megabytes
        | U::Gigabytes
        | U::Terabytes
        | U::Kibibytes
        | U::Mebibytes
        | U::Gibibytes
        | U::Tebibytes => Some(Unit::Bytes),
        _ => None,
    }
}

/// The value as written on a `target` line (`512Mi` in `target m at 512Mi per replica`).
fn value_text(text: &str) -> Option<&str> {
    let rest = text.split_once(" at ")?.1;
    let rest = rest.split(',').next()?.trim();
    let rest = rest.strip_suffix("per replica").unwrap_or(rest).trim();
    (!rest.contains(' ')).then_some(rest)
}

fn activation_text(text: &str) -> Option<&str> {
    let rest = text.split_once("active above")?.1.trim();
    (!rest.contains(' ')).then_some(rest)
}

/// The written quantity when it is a Kubernetes one, else the SI value.
fn quantity(written: Option<&str>, si: f64) -> Quantity {
    written
        .and_then(|w| Quantity::parse(w).ok())
        .filter(|q| (q.to_f64() - si).abs() <= f64::EPSILON * si.abs().max(1.0) * 4.0)
        .or_else(|| Quantity::parse(&format!("{si}")).ok())
        .unwrap_or_else(|| Quantity::decimal(super::quantity::Dec::from_int(si.round() as i64)))
}

fn rules(d: &ir::DirectionBehavior, span: Span, diags: &mut Vec<Diagnostic>) -> Rules {
    let mut secs = |ms: i64| {
        if ms % 1000 != 0 || ms < 0 {
            diags.push(
                Diagnostic::error(
                    Code::NO_EXPORT_EQUIVALENT,
                    "a `behavior` duration that is not whole seconds has no HPA equivalent",
                    span,
                )
                .help("the HPA counts `stabilizationWindowSeconds` and `periodSeconds` in seconds"),
            );
        }
        u32::try_from(ms.max(0) / 1000).unwrap_or(u32::MAX)
    };
    Rules {
        stabilize: d.stabilize.map(&mut secs),
        policies: d.policies.as_ref().map(|ps| {
            ps.iter()
                .map(|p| {
                    let period = secs(p.period);
                    if p.percent {
                        RatePolicy::Percent {
                            percent: p.value,
                            period,
                        }
                    } else {
                        RatePolicy::Replicas {
                            count: p.value,
                            period,
                        }
                    }
                })
                .collect()
        }),
        select: d.select.map(|s| match s {
            SelectMode::Max => Select::Max,
            SelectMode::Min => Select::Min,
            SelectMode::Disabled => Select::Disabled,
        }),
        tolerance: d
            .tolerance
            .and_then(|t| Quantity::parse(&format!("{t}")).ok()),
    }
}

fn hm(secs: u32) -> Option<Hm> {
    (secs % 60 == 0 && secs <= 86_400).then_some(Hm {
        hour: (secs / 3600) as u8,
        minute: (secs % 3600 / 60) as u8,
    })
}

fn window(c: &Calendar) -> Option<Window> {
    match *c {
        Calendar::Weekly { days, start, end } => Some(Window::Daily {
            days: Days(days),
            from: hm(start)?,
            to: hm(end)?,
        }),
        Calendar::Span {
            day,
            start,
            span_days,
            end,
        } => Some(Window::Span {
            from_day: day,
            from: hm(start)?,
            to_day: (day + span_days) % 7,
            to: hm(end)?,
        }),
        Calendar::Once { .. } => None,
    }
}
