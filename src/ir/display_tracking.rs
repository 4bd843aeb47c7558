//! `explain` for target tracking and schedules: each target with its HPA equivalent, the
//! behavior resolved with every default marked `(default)`, and each schedule entry.

use super::*;
use crate::units::fmt_num;
use std::fmt::{self, Formatter};

/// The Kubernetes defaults of `spec.behavior` (`pkg/apis/autoscaling/v2/defaults.go`;
/// the evaluator resolves the same ones in `eval::target::Behavior::resolve`).
pub const DEFAULT_UP_POLICIES: [RatePolicy; 2] = [
    RatePolicy {
        percent: false,
        value: 4,
        period: 15_000,
    },
    RatePolicy {
        percent: true,
        value: 100,
        period: 15_000,
    },
];
/// `scaleDown.policies` default: 100 % per 15 s.
pub const DEFAULT_DOWN_POLICIES: [RatePolicy; 1] = [RatePolicy {
    percent: true,
    value: 100,
    period: 15_000,
}];
/// `scaleDown.stabilizationWindowSeconds` default (the controller's
/// `--horizontal-pod-autoscaler-downscale-stabilization`).
pub const DEFAULT_DOWN_STABILIZE: Millis = 300_000;
/// The controller's `--horizontal-pod-autoscaler-tolerance`.
pub const DEFAULT_TOLERANCE: f64 = 0.1;

fn secs(ms: Millis) -> String {
    format!("{}s", fmt_num(ms as f64 / 1000.0))
}

fn policy(p: &RatePolicy) -> String {
    if p.percent {
        format!("at most {}% per {}", p.value, secs(p.period))
    } else {
        format!("at most {} replicas per {}", p.value, secs(p.period))
    }
}

fn select_name(m: SelectMode) -> &'static str {
    match m {
        SelectMode::Max => "max",
        SelectMode::Min => "min",
        SelectMode::Disabled => "disabled",
    }
}

pub(super) fn targets(f: &mut Formatter<'_>, s: &Service, t: &Targets) -> fmt::Result {
    writeln!(
        f,
        "  targets (line {}, the HPA's metrics; the largest proposal wins):",
        t.line
    )?;
    for x in &t.targets {
        let operand = match &x.operand {
            Value::Metric(m) => s.metrics[m.0].name.clone(),
            Value::Aggregate(a) => format!("a{}", a.0),
            Value::Const(c) => fmt_num(*c),
        };
        let (goal, hpa) = match (x.goal, x.source) {
            (TargetGoal::Utilization(p), _) => (
                format!("{p}%"),
                "Utilization of a per-replica average (Resource)".to_string(),
            ),
            (TargetGoal::AverageValue(v), TargetSource::PodAverage) => (
                format!("{} per replica", x.unit.show_si(v)),
                "AverageValue of a per-replica average (Pods)".to_string(),
            ),
            (TargetGoal::AverageValue(v), TargetSource::Total) => (
                format!("{} per replica", x.unit.show_si(v)),
                "AverageValue of a total divided by ready replicas (External)".to_string(),
            ),
            (TargetGoal::Value(v), _) => {
                (x.unit.show_si(v), "Value of a total (External)".to_string())
            }
        };
        writeln!(f, "    line {}: {operand} at {goal} [{hpa}]", x.line)?;
        if let Some(a) = x.activation {
            let use_ = if s.idle.is_some() {
                "KEDA's activation: checked by `idle`"
            } else {
                "KEDA only; evaluated only with `idle`"
            };
            writeln!(f, "      active above {} ({use_})", x.unit.show_si(a))?;
        }
    }
    match &t.behavior {
        None => {
            writeln!(f, "  behavior: none (the controller's legacy path)")?;
            writeln!(
                f,
                "    out: at most max(2 x current, 4) per evaluation, no window; in: stabilize {} (window inclusive of its start); tolerance {}%",
                secs(DEFAULT_DOWN_STABILIZE),
                fmt_num(DEFAULT_TOLERANCE * 100.0)
            )?;
        }
        Some(b) => {
            writeln!(f, "  behavior:")?;
            direction(f, "out", b.scale_up.as_ref(), 0, &DEFAULT_UP_POLICIES)?;
            direction(
                f,
                "in",
                b.scale_down.as_ref(),
                DEFAULT_DOWN_STABILIZE,
                &DEFAULT_DOWN_POLICIES,
            )?;
        }
    }
    Ok(())
}

fn direction(
    f: &mut Formatter<'_>,
    name: &str,
    d: Option<&DirectionBehavior>,
    default_window: Millis,
    default_policies: &[RatePolicy],
) -> fmt::Result {
    let d = d.cloned().unwrap_or_default();
    let mark = |written: bool| if written { "" } else { " (default)" };
    let window = d.stabilize.unwrap_or(default_window);
    let policies = d
        .policies
        .clone()
        .unwrap_or_else(|| default_policies.to_vec());
    let list: Vec<String> = policies.iter().map(policy).collect();
    writeln!(
        f,
        "    {name}: stabilize {}{}; {}{}; select {}{}; tolerance {}%{}",
        secs(window),
        mark(d.stabilize.is_some()),
        list.join(", "),
        mark(d.policies.is_some()),
        select_name(d.select.unwrap_or(SelectMode::Max)),
        mark(d.select.is_some()),
        fmt_num(d.tolerance.unwrap_or(DEFAULT_TOLERANCE) * 100.0),
        mark(d.tolerance.is_some()),
    )
}

pub(super) fn schedules(f: &mut Formatter<'_>, s: &Service) -> fmt::Result {
    writeln!(f, "  schedules (moving bounds within {}..{}; the highest floor and lowest ceiling in force, the floor winning a crossing):", s.awake_min(), s.max)?;
    for e in &s.schedules {
        let when = match e.calendar {
            Calendar::Weekly { days, start, end } => format!(
                "{} {}-{}{}",
                day_names(days),
                clock(start),
                clock(end),
                if end <= start {
                    " (into the next day)"
                } else {
                    ""
                }
            ),
            Calendar::Once { start, end } => format!("once {} to {}", local(start), local(end)),
            Calendar::Span {
                day,
                start,
                span_days,
                end,
            } => format!(
                "every {} {} to {} {} ({span_days} days later)",
                day_names(1 << day),
                clock(start),
                day_names(1 << ((u32::from(day) + u32::from(span_days)) % 7)),
                clock(end)
            ),
        };
        let zone = if e.zone_written {
            e.zone.clone()
        } else {
            format!("{} (assumed)", e.zone)
        };
        let mut what = Vec::new();
        if let Some(n) = e.floor {
            what.push(format!("at least {n}"));
        }
        if let Some(n) = e.ceiling {
            what.push(format!("at most {n}"));
        }
        if let Some(n) = e.propose {
            what.push(format!(
                "propose {n} (an extra metric: AverageValue 1 of a total)"
            ));
        }
        writeln!(
            f,
            "    line {}: {when} in {zone}: {}",
            e.line,
            what.join(", ")
        )?;
    }
    Ok(())
}

fn day_names(bits: u8) -> String {
    const NAMES: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];
    match bits {
        0b0111_1111 => "daily".into(),
        0b0001_1111 => "weekdays".into(),
        0b0110_0000 => "weekends".into(),
        _ => (0..7)
            .filter(|i| bits & (1 << i) != 0)
            .map(|i| NAMES[i])
            .collect::<Vec<_>>()
            .join(","),
    }
}

fn clock(secs: u32) -> String {
    format!("{:02}:{:02}", secs / 3600, secs % 3600 / 60)
}

fn local(secs: i64) -> String {
    chrono::DateTime::from_timestamp(secs, 0)
        .map(|d| d.naive_utc().format("%Y-%m-%d %H:%M").to_string())
        .unwrap_or_else(|| secs.to_string())
}

/// `idle` as KEDA's scale executor runs it.
pub(super) fn idle(f: &mut Formatter<'_>, s: &Service, i: &Idle) -> fmt::Result {
    let mark = |written: Option<Millis>| if written.is_none() { " (default)" } else { "" };
    writeln!(f, "  idle (line {}, KEDA's scale to zero):", i.line)?;
    writeln!(
        f,
        "    every {}{}: active when a target is above its `active above` (default 0), or a schedule floor or `propose` is in force",
        secs(i.check_every()),
        mark(i.check_every_written)
    )?;
    writeln!(
        f,
        "    inactive for more than {}{} (a target with no value blocks it): to {}",
        secs(i.after()),
        mark(i.after_written),
        i.to
    )?;
    writeln!(
        f,
        "    active while below {}: to {} at once; rules and targets act within {}..{}",
        s.awake_min(),
        s.awake_min(),
        s.awake_min(),
        s.max
    )
}
