//! HorizontalPodAutoscaler → [`Policy`] (`docs/design-kubernetes.md` 8.1).

use super::*;
use crate::kube::manifest::{HorizontalPodAutoscaler, MetricSpec, MetricTarget, TargetType};
use crate::kube::policy::{ScaleRef, Target, TargetValue};
use crate::kube::quantity::Quantity;

pub(super) fn policy(cx: &mut Cx<'_>, h: &HorizontalPodAutoscaler) -> Policy {
    let (service, mut kube) = service_and_meta(cx, &h.metadata, ManifestKind::Hpa);
    let spec = Path::root().key("spec");
    let r = &h.spec.scale_target_ref;
    kube.scale = Some(ScaleRef {
        kind: Some(r.kind.clone()),
        name: r.name.clone(),
        api: r.api_version.clone(),
        env_container: None,
    });

    let min_path = spec.key("minReplicas");
    let min = match h.spec.min_replicas {
        Some(m) => cx.count(&min_path, m).unwrap_or(1),
        None => 1,
    };
    let max_path = spec.key("maxReplicas");
    let max = cx.count(&max_path, h.spec.max_replicas).unwrap_or(1);
    let replicas = bounds(cx, (min, &min_path), (max, &max_path));

    let mut targets = Vec::new();
    match &h.spec.metrics {
        Some(list) => {
            let mp = spec.key("metrics");
            if list.is_empty() {
                cx.warn(
                    Code::EXPLICIT_API_DEFAULT,
                    &mp,
                    "an empty metric list: the API reads it as CPU at 80 %",
                )
                .help = Some("written out as `target cpu_utilization at 80%`".into());
                targets.push(default_cpu(cx, &mp));
            }
            for (i, m) in list.iter().enumerate() {
                if let Some(t) = target(cx, m, &mp.index(i)) {
                    targets.push(t);
                }
            }
        }
        None => {
            cx.warn(
                Code::EXPLICIT_API_DEFAULT,
                &spec,
                "no `metrics`: the API's default is CPU at 80 % of requests",
            )
            .help = Some(
                "written out as `target cpu_utilization at 80%`; export writes `spec.metrics`"
                    .into(),
            );
            targets.push(default_cpu(cx, &spec.key("metrics")));
        }
    }
    let behavior = h
        .spec
        .behavior
        .as_ref()
        .map(|b| behavior(cx, b, &spec.key("behavior")));
    let (metrics, sources) = cx.take_metrics();
    kube.sources = sources;
    Policy {
        service,
        replicas,
        metrics,
        targets,
        behavior,
        schedules: Vec::new(),
        idle: None,
        kubernetes: kube,
    }
}

fn default_cpu(cx: &mut Cx<'_>, path: &Path) -> Target {
    let source = Source::Resource {
        name: "cpu".into(),
        container: None,
    };
    let metric = cx.metric(
        path,
        "cpu_utilization",
        Some(Unit::Percent),
        false,
        Some(source),
    );
    Target {
        metric,
        value: TargetValue::Utilization(80),
        active_above: None,
    }
}

/// One `spec.metrics[i]` → its metric declaration, source and target.
fn target(cx: &mut Cx<'_>, m: &MetricSpec, path: &Path) -> Option<Target> {
    match m {
        MetricSpec::Resource { name, target } => {
            resource(cx, name, None, target, &path.key("resource"))
        }
        MetricSpec::ContainerResource {
            name,
            container,
            target,
        } => resource(
            cx,
            name,
            Some(container),
            target,
            &path.key("containerResource"),
        ),
        MetricSpec::Pods { metric, target } => {
            let tp = path.key("pods").key("target");
            let q = match target.kind {
                TargetType::AverageValue => only(cx, target, &tp, Field::AverageValue)?,
                other => {
                    wrong_kind(cx, &tp, "a Pods metric", other, "AverageValue");
                    return None;
                }
            };
            let source = Source::Pods {
                metric: metric.name.clone(),
                selector: metric.selector.clone(),
            };
            let name = cx.metric(
                &path.key("pods").key("metric").key("name"),
                &metric.name,
                None,
                true,
                Some(source),
            );
            Some(plain(name, TargetValue::PerReplica(q)))
        }
        MetricSpec::Object {
            described_object,
            metric,
            target,
        } => {
            let source = Source::Object {
                kind: described_object.kind.clone(),
                name: described_object.name.clone(),
                api: described_object.api_version.clone(),
                metric: metric.name.clone(),
                selector: metric.selector.clone(),
            };
            total(cx, &metric.name, source, target, &path.key("object"))
        }
        MetricSpec::External { metric, target } => {
            let source = Source::External {
                metric: metric.name.clone(),
                selector: metric.selector.clone(),
            };
            total(cx, &metric.name, source, target, &path.key("external"))
        }
    }
}

fn plain(metric: String, value: TargetValue) -> Target {
    Target {
        metric,
        value,
        active_above: None,
    }
}

/// `Resource` / `ContainerResource`: `Utilization` reads `NAME_utilization` in %,
/// `AverageValue` reads `NAME_average` per replica (cores for cpu, bytes for memory).
fn resource(
    cx: &mut Cx<'_>,
    name: &str,
    container: Option<&String>,
    target: &MetricTarget,
    path: &Path,
) -> Option<Target> {
    let tp = path.key("target");
    let known = matches!(name, "cpu" | "memory");
    let source = Source::Resource {
        name: name.to_string(),
        container: container.cloned(),
    };
    let (column, unit, per_replica, value) = match target.kind {
        TargetType::Utilization => {
            let pct = utilization(cx, target, &tp)?;
            (
                format!("{name}_utilization"),
                Some(Unit::Percent),
                false,
                TargetValue::Utilization(pct),
            )
        }
        TargetType::AverageValue => {
            let q = only(cx, target, &tp, Field::AverageValue)?;
            let unit = match name {
                "cpu" => Some(Unit::Cores),
                "memory" => Some(Unit::Bytes),
                _ => None,
            };
            (
                format!("{name}_average"),
                unit,
                true,
                TargetValue::PerReplica(q),
            )
        }
        TargetType::Value => {
            wrong_kind(
                cx,
                &tp,
                "a resource metric",
                TargetType::Value,
                "Utilization or AverageValue",
            );
            return None;
        }
    };
    if !known {
        cx.warn(
            Code::GUESSED_RESOURCE_COLUMN,
            &path.key("name"),
            format!("resource `{name}` is neither cpu nor memory: its column is `{column}`, in the unit the data has"),
        );
    }
    let metric = cx.metric(&path.key("name"), &column, unit, per_replica, Some(source));
    Some(plain(metric, value))
}

/// `Object` / `External`: a total, `Value` or `AverageValue`.
fn total(
    cx: &mut Cx<'_>,
    name: &str,
    source: Source,
    target: &MetricTarget,
    path: &Path,
) -> Option<Target> {
    let tp = path.key("target");
    let value = match target.kind {
        TargetType::Value => TargetValue::Total(only(cx, target, &tp, Field::Value)?),
        TargetType::AverageValue => {
            TargetValue::PerReplica(only(cx, target, &tp, Field::AverageValue)?)
        }
        TargetType::Utilization => {
            wrong_kind(
                cx,
                &tp,
                "an Object or External metric",
                TargetType::Utilization,
                "Value or AverageValue",
            );
            return None;
        }
    };
    let metric = cx.metric(
        &path.key("metric").key("name"),
        name,
        None,
        false,
        Some(source),
    );
    Some(plain(metric, value))
}

#[derive(Clone, Copy, PartialEq)]
enum Field {
    Value,
    AverageValue,
}

/// The one value field `type` calls for: present, above 0, and no other value field.
fn only(cx: &mut Cx<'_>, t: &MetricTarget, path: &Path, field: Field) -> Option<Quantity> {
    let (key, want) = match field {
        Field::Value => ("value", t.value),
        Field::AverageValue => ("averageValue", t.average_value),
    };
    let q = value_field(cx, t, path, key, want.is_some())?;
    let q = want.or(q)?;
    if q.value.is_negative() || q.value.is_zero() {
        cx.error(
            Code::INVALID_FIELD_VALUE,
            &path.key(key),
            format!("the target {q} is not above 0"),
        );
        return None;
    }
    Some(q)
}

fn utilization(cx: &mut Cx<'_>, t: &MetricTarget, path: &Path) -> Option<u32> {
    value_field(
        cx,
        t,
        path,
        "averageUtilization",
        t.average_utilization.is_some(),
    )?;
    let pct = t.average_utilization?;
    if pct <= 0 {
        cx.error(
            Code::INVALID_FIELD_VALUE,
            &path.key("averageUtilization"),
            format!("{pct} % is not above 0"),
        );
        return None;
    }
    Some(pct as u32)
}

/// Checks that `key` is the one value field written (the API rejects the others), with one
/// diagnostic per mistake. `Some(None)` when it is there (the caller has its value); a
/// field present but unreadable was reported by the reader and is not reported again.
fn value_field(
    cx: &mut Cx<'_>,
    t: &MetricTarget,
    path: &Path,
    key: &str,
    have: bool,
) -> Option<Option<Quantity>> {
    let others: Vec<&str> = [
        ("value", t.value.is_some()),
        ("averageValue", t.average_value.is_some()),
        ("averageUtilization", t.average_utilization.is_some()),
    ]
    .into_iter()
    .filter(|(k, present)| *present && *k != key)
    .map(|(k, _)| k)
    .collect();
    let kind = t.kind.as_str();
    if !have && cx.present(&path.key(key)) {
        return None; // present but unreadable: already reported
    }
    if !have {
        match others.first() {
            Some(other) => {
                cx.error(
                    Code::INCONSISTENT_METRIC_TARGET,
                    &path.key(other),
                    format!("`type: {kind}` takes `{key}`, not `{other}`"),
                )
                .help = Some(format!("rename `{other}` to `{key}`, or change `type`"));
            }
            None => {
                cx.error(
                    Code::INCONSISTENT_METRIC_TARGET,
                    path,
                    format!("`type: {kind}` needs `{key}`"),
                );
            }
        }
        return None;
    }
    for other in others {
        cx.error(
            Code::INCONSISTENT_METRIC_TARGET,
            &path.key(other),
            format!("`type: {kind}` takes `{key}`, not also `{other}`"),
        )
        .help = Some(format!("remove `{other}`"));
    }
    Some(None)
}

fn wrong_kind(cx: &mut Cx<'_>, path: &Path, what: &str, kind: TargetType, accepted: &str) {
    cx.error(
        Code::INCONSISTENT_METRIC_TARGET,
        &path.key("type"),
        format!(
            "{what} cannot have a `{}` target (the API rejects it)",
            kind.as_str()
        ),
    )
    .help = Some(format!("use {accepted}"));
}
