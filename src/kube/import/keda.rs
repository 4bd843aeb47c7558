//! KEDA ScaledObject → [`Policy`] (`docs/design-kubernetes.md` 8.2).

use super::schedule;
use super::*;
use crate::kube::manifest::{ScaledObject, ScaledObjectSpec, TargetType, Trigger};
use crate::kube::policy::{
    Fallback, Idle, Keda, Modifiers, Replicas, ScaleRef, Schedule, Target, TargetValue,
    TriggerMeta, TriggerRef,
};
use crate::kube::quantity::{Format, Quantity};

/// KEDA's defaults (`scaledobject_types.go`).
pub const DEFAULT_MAX: i32 = 100;

const PAUSE_ANNOTATIONS: &[&str] = &[
    "autoscaling.keda.sh/paused",
    "autoscaling.keda.sh/paused-replicas",
    "autoscaling.keda.sh/paused-scale-in",
    "autoscaling.keda.sh/paused-scale-out",
];

pub(super) fn policy(cx: &mut Cx<'_>, k: &ScaledObject) -> Policy {
    let (service, mut kube) = service_and_meta(cx, &k.metadata, ManifestKind::Keda);
    paused(cx, &k.metadata.annotations);
    let s = &k.spec;
    kube.scale = Some(ScaleRef {
        kind: s.scale_target_ref.kind.clone(),
        name: s.scale_target_ref.name.clone(),
        api: s.scale_target_ref.api_version.clone(),
        env_container: s.scale_target_ref.env_source_container_name.clone(),
    });
    let (replicas, idle) = bounds_and_idle(cx, s, &mut kube.keda);
    not_simulated(cx, s, &mut kube.keda);
    let behavior = advanced(cx, s, &mut kube.keda);
    let (targets, schedules) = triggers(cx, s, &mut kube);
    let (metrics, sources) = cx.take_metrics();
    kube.sources = sources;
    Policy {
        service,
        replicas,
        metrics,
        targets,
        behavior,
        schedules,
        idle,
        kubernetes: kube,
    }
}

fn paused(cx: &mut Cx<'_>, annotations: &[(String, String)]) {
    for (key, value) in annotations {
        if PAUSE_ANNOTATIONS.contains(&key.as_str()) {
            cx.warn(
                Code::NOT_SIMULATED,
                &Path::root().key("metadata").key("annotations").key(key),
                format!("`{key}: {value}` pauses KEDA; a backtest does not simulate the pause"),
            );
        }
    }
}

/// Whole seconds at `spec.KEY`: E405 when negative.
fn seconds(cx: &mut Cx<'_>, key: &str, v: Option<i32>) -> Option<u32> {
    let v = v?;
    if v < 0 {
        cx.error(
            Code::INVALID_FIELD_VALUE,
            &Path::root().key("spec").key(key),
            format!("{v} s is negative"),
        );
        return None;
    }
    Some(v as u32)
}

/// `replicas MIN..MAX` (KEDA's defaults 0 and 100) and `idle to N`: with
/// `idleReplicaCount` (below `minReplicaCount`), or scale to zero when the minimum is 0.
/// `cooldownPeriod` and `pollingInterval` go to `idle` when there is one, else to the
/// `keda` line (they only matter for idling).
fn bounds_and_idle(
    cx: &mut Cx<'_>,
    s: &ScaledObjectSpec,
    keda: &mut Keda,
) -> (Replicas, Option<Idle>) {
    let spec = Path::root().key("spec");
    let min_path = spec.key("minReplicaCount");
    let max_path = spec.key("maxReplicaCount");
    let min = cx
        .count(&min_path, s.min_replica_count.unwrap_or(0))
        .unwrap_or(0);
    let max = cx
        .count(&max_path, s.max_replica_count.unwrap_or(DEFAULT_MAX))
        .unwrap_or(1);
    let replicas = bounds(cx, (min, &min_path), (max, &max_path));
    let polling = seconds(cx, "pollingInterval", s.polling_interval);
    let cooldown = seconds(cx, "cooldownPeriod", s.cooldown_period);
    let idle_path = spec.key("idleReplicaCount");
    let idle_to = match s.idle_replica_count.and_then(|n| cx.count(&idle_path, n)) {
        Some(n) if n >= min => {
            cx.error(
                Code::INVALID_FIELD_VALUE,
                &idle_path,
                format!(
                    "idleReplicaCount {n} must be below minReplicaCount {min} (KEDA rejects it)"
                ),
            );
            None
        }
        Some(n) => Some(n),
        None if min == 0 => Some(0),
        None => None,
    };
    let idle = idle_to.map(|to| Idle {
        to,
        after: cooldown,
        check_every: polling,
    });
    if idle.is_none() {
        keda.polling = polling;
        keda.cooldown = cooldown;
    }
    (replicas, idle)
}

/// `initialCooldownPeriod` and `fallback`: kept for export, not simulated (W404).
fn not_simulated(cx: &mut Cx<'_>, s: &ScaledObjectSpec, keda: &mut Keda) {
    let spec = Path::root().key("spec");
    keda.initial_cooldown = seconds(cx, "initialCooldownPeriod", s.initial_cooldown_period);
    if keda.initial_cooldown.is_some() {
        cx.warn(
            Code::NOT_SIMULATED,
            &spec.key("initialCooldownPeriod"),
            "initialCooldownPeriod only delays the first scale to zero after KEDA starts; kept for export, not simulated",
        );
    }
    if let Some(f) = &s.fallback {
        let fp = spec.key("fallback");
        let failures = cx.count(&fp.key("failureThreshold"), f.failure_threshold);
        let fallback_replicas = cx.count(&fp.key("replicas"), f.replicas);
        if let (Some(failures), Some(replicas)) = (failures, fallback_replicas) {
            keda.fallback = Some(Fallback {
                failures,
                replicas,
                behavior: f.behavior.clone(),
            });
        }
        cx.warn(
            Code::NOT_SIMULATED,
            &fp,
            "fallback replaces a failing metric's value; scalerules treats a failing metric as unavailable (Kubernetes' rule)",
        );
    }
}

/// `advanced`: the HPA's behavior and name, restore, and scaling modifiers (E411).
fn advanced(cx: &mut Cx<'_>, s: &ScaledObjectSpec, keda: &mut Keda) -> Option<policy::Behavior> {
    let a = s.advanced.as_ref()?;
    let ap = Path::root().key("spec").key("advanced");
    keda.restore_original = a.restore_to_original_replica_count;
    if let Some(m) = &a.scaling_modifiers {
        keda.modifiers = Some(Modifiers {
            formula: m.formula.clone(),
            target: m.target.clone(),
            activation: m.activation_target.clone(),
            metric_type: m.metric_type,
        });
        cx.error(
            Code::SCALING_MODIFIERS,
            &ap.key("scalingModifiers"),
            "scalingModifiers combines the triggers with a formula into one metric; scalerules has no such target",
        )
        .help = Some("kept in `kubernetes { keda modifiers … }` for export; evaluation refuses the policy until the formula is rewritten as targets".into());
    }
    let h = a.horizontal_pod_autoscaler_config.as_ref()?;
    keda.hpa_name = h.name.clone();
    let bp = ap.key("horizontalPodAutoscalerConfig").key("behavior");
    h.behavior.as_ref().map(|b| super::behavior(cx, b, &bp))
}

/// `triggers`: targets and schedules in order; each trigger's other fields kept in the
/// `kubernetes` block, and the order when it is not targets first, then schedules.
fn triggers(
    cx: &mut Cx<'_>,
    s: &ScaledObjectSpec,
    kube: &mut Kubernetes,
) -> (Vec<Target>, Vec<Schedule>) {
    let mut targets = Vec::new();
    let mut schedules: Vec<Schedule> = Vec::new();
    let mut order = Vec::new();
    let tp = Path::root().key("spec").key("triggers");
    if s.triggers.is_empty() {
        cx.error(
            Code::MISSING_MANIFEST_FIELD,
            &tp,
            "a ScaledObject needs at least one trigger",
        );
    }
    for (i, t) in s.triggers.iter().enumerate() {
        let path = tp.index(i);
        let mut meta = TriggerMeta {
            name: t.name.clone(),
            use_cached_metrics: t.use_cached_metrics,
            ..TriggerMeta::default()
        };
        // The refs this trigger became: one target, or one or more schedule lines.
        let refs: Vec<TriggerRef> = match t.kind.as_str() {
            "cpu" | "memory" | "prometheus" => {
                let target = if t.kind == "prometheus" {
                    prometheus(cx, t, &path, &mut meta)
                } else {
                    resource(cx, t, &path, &mut meta)
                };
                target
                    .map(|tg| {
                        let r = TriggerRef::Metric(tg.metric.clone());
                        targets.push(tg);
                        vec![r]
                    })
                    .unwrap_or_default()
            }
            "cron" => {
                let first = schedules.len() + 1;
                let lines =
                    schedule::cron(cx, t, &path, &mut meta, kube, first).unwrap_or_default();
                let refs = (first..first + lines.len())
                    .map(TriggerRef::Schedule)
                    .collect();
                schedules.extend(lines);
                refs
            }
            other => {
                cx.error(
                    Code::UNSUPPORTED_KEDA_TRIGGER,
                    &path.key("type"),
                    format!("KEDA's `{other}` scaler has no scalerules equivalent: this trigger is not imported"),
                )
                .help = Some("scalerules reads cpu, memory, prometheus and cron triggers; a metric the scaler reads can be a prometheus query or an External metric".into());
                Vec::new()
            }
        };
        let Some(first) = refs.first() else { continue };
        let has_meta = meta.name.is_some()
            || meta.use_cached_metrics.is_some()
            || meta.auth.is_some()
            || meta.metric_type.is_some()
            || !meta.metadata.is_empty();
        if has_meta {
            meta.of = Some(first.clone());
            kube.triggers.push(meta);
        }
        order.extend(refs);
    }
    let default_order: Vec<TriggerRef> = targets
        .iter()
        .map(|t| TriggerRef::Metric(t.metric.clone()))
        .chain((1..=schedules.len()).map(TriggerRef::Schedule))
        .collect();
    if order != default_order {
        kube.trigger_order = Some(order);
    }
    (targets, schedules)
}

/// The metadata keys a trigger type reads into statements; the others are kept verbatim.
pub(super) fn keep_rest(t: &Trigger, used: &[&str], meta: &mut TriggerMeta) {
    meta.metadata = t
        .metadata
        .iter()
        .filter(|(k, _)| !used.contains(&k.as_str()))
        .cloned()
        .collect();
}

pub(super) fn required<'t>(
    cx: &mut Cx<'_>,
    t: &'t Trigger,
    path: &Path,
    key: &str,
) -> Option<&'t str> {
    let v = t.meta(key);
    if v.is_none() {
        cx.error(
            Code::MISSING_MANIFEST_FIELD,
            &path.key("metadata").key(key),
            format!("a `{}` trigger needs `metadata.{key}`", t.kind),
        );
    }
    v
}

/// `cpu` / `memory`: as the HPA's Resource / ContainerResource metrics.
fn resource(cx: &mut Cx<'_>, t: &Trigger, path: &Path, meta: &mut TriggerMeta) -> Option<Target> {
    // `metadata.type` is the deprecated spelling of `metricType`.
    let deprecated = t.meta("type");
    let kind = match (t.metric_type, deprecated) {
        (Some(k), _) => Some(k),
        (None, Some(d)) => TargetType::parse(d),
        (None, None) => None,
    };
    let Some(kind) = kind else {
        cx.error(
            Code::MISSING_MANIFEST_FIELD,
            &path.key("metricType"),
            format!(
                "a `{}` trigger needs `metricType` (Utilization or AverageValue)",
                t.kind
            ),
        );
        return None;
    };
    // Export writes `metricType` unless the deprecated `type` is kept in the metadata; with
    // both written, the trigger line says so.
    if deprecated.is_some() {
        meta.metric_type = t.metric_type;
    }
    keep_rest(t, &["value", "containerName"], meta);
    meta.auth = t.authentication_ref.clone();
    let value = required(cx, t, path, "value")?;
    let vp = path.key("metadata").key("value");
    let name = t.kind.as_str();
    let source = Source::Resource {
        name: name.to_string(),
        container: t.meta("containerName").map(str::to_string),
    };
    let (column, unit, per_replica, target) = match kind {
        TargetType::Utilization => {
            let Some(pct) = value.parse::<u32>().ok().filter(|p| *p > 0) else {
                cx.error(
                    Code::INVALID_FIELD_VALUE,
                    &vp,
                    format!("`{value}` is not a whole percent above 0"),
                );
                return None;
            };
            (
                format!("{name}_utilization"),
                Unit::Percent,
                false,
                TargetValue::Utilization(pct),
            )
        }
        TargetType::AverageValue => {
            let q = positive_quantity(cx, value, &vp)?;
            let unit = if name == "cpu" {
                Unit::Cores
            } else {
                Unit::Bytes
            };
            (
                format!("{name}_average"),
                unit,
                true,
                TargetValue::PerReplica(q),
            )
        }
        TargetType::Value => {
            cx.error(
                Code::INCONSISTENT_METRIC_TARGET,
                &path.key("metricType"),
                format!("a `{name}` trigger cannot have a `Value` target (KEDA rejects it)"),
            )
            .help = Some("use Utilization or AverageValue".into());
            return None;
        }
    };
    let metric = cx.metric(
        &path.key("type"),
        &column,
        Some(unit),
        per_replica,
        Some(source),
    );
    Some(Target {
        metric,
        value: target,
        active_above: None,
    })
}

fn positive_quantity(cx: &mut Cx<'_>, text: &str, path: &Path) -> Option<Quantity> {
    match Quantity::parse(text) {
        Ok(q) if !q.value.is_negative() && !q.value.is_zero() => Some(q),
        Ok(q) => {
            cx.error(
                Code::INVALID_FIELD_VALUE,
                path,
                format!("the target {q} is not above 0"),
            );
            None
        }
        Err(e) => {
            cx.error(Code::INVALID_QUANTITY, path, e.to_string());
            None
        }
    }
}

/// A number as KEDA's scalers read thresholds (`strconv.ParseFloat`): decimal or
/// exponent notation, no SI suffix.
fn threshold(cx: &mut Cx<'_>, text: &str, path: &Path, positive: bool) -> Option<Quantity> {
    match Quantity::parse(text) {
        Ok(q)
            if q.format == Format::BinarySI
                || (text.ends_with(|c: char| c.is_ascii_alphabetic())
                    && q.format == Format::DecimalSI) =>
        {
            cx.error(
                Code::INVALID_FIELD_VALUE,
                path,
                format!("`{text}`: KEDA reads this as a plain number, without a unit suffix"),
            )
            .help = Some(format!("write it as {}", q.value));
            None
        }
        Ok(q) if q.value.is_negative() || (positive && q.value.is_zero()) => {
            cx.error(
                Code::INVALID_FIELD_VALUE,
                path,
                format!("`{text}` is not above 0"),
            );
            None
        }
        Ok(q) => Some(q),
        Err(_) => {
            cx.error(
                Code::INVALID_FIELD_VALUE,
                path,
                format!("`{text}` is not a number"),
            );
            None
        }
    }
}

/// `prometheus`: a total (the query's value), `AverageValue` by default.
fn prometheus(cx: &mut Cx<'_>, t: &Trigger, path: &Path, meta: &mut TriggerMeta) -> Option<Target> {
    let server = required(cx, t, path, "serverAddress");
    let query = required(cx, t, path, "query");
    let thr = required(cx, t, path, "threshold");
    let (server, query, thr) = (server?, query?, thr?);
    let mp = path.key("metadata");
    let q = threshold(cx, thr, &mp.key("threshold"), true)?;
    let active = match t.meta("activationThreshold") {
        Some(a) => Some(threshold(cx, a, &mp.key("activationThreshold"), false)?),
        None => None,
    };
    let value = match t.metric_type {
        None | Some(TargetType::AverageValue) => TargetValue::PerReplica(q),
        Some(TargetType::Value) => TargetValue::Total(q),
        Some(TargetType::Utilization) => {
            cx.error(
                Code::INCONSISTENT_METRIC_TARGET,
                &path.key("metricType"),
                "a prometheus trigger cannot have a `Utilization` target",
            )
            .help = Some("use AverageValue (the default) or Value".into());
            return None;
        }
    };
    if t.metric_type == Some(TargetType::AverageValue) {
        meta.metric_type = Some(TargetType::AverageValue);
    }
    // The column: metricName, else the trigger's name, else `prometheus`. metricName is a
    // statement only when export would write it back (it differs from both fallbacks).
    let metric_name = t.meta("metricName");
    let fallback = t.name.clone().unwrap_or_else(|| "prometheus".into());
    let column = metric_name.map_or(fallback.clone(), str::to_string);
    let mut used = vec!["serverAddress", "query", "threshold", "activationThreshold"];
    if metric_name.is_some_and(|m| m != fallback && m != "prometheus") {
        used.push("metricName");
    }
    keep_rest(t, &used, meta);
    let source = Source::Prometheus {
        server: server.to_string(),
        query: query.to_string(),
        auth: t.authentication_ref.clone(),
    };
    let name_path = if metric_name.is_some() {
        mp.key("metricName")
    } else {
        path.clone()
    };
    let metric = cx.metric(&name_path, &column, None, false, Some(source));
    Some(Target {
        metric,
        value,
        active_above: active,
    })
}
