//! `export`: [`Policy`] → HorizontalPodAutoscaler or ScaledObject → YAML text
//! (`docs/design-kubernetes.md` 8.3). A construct with no equivalent in the chosen kind is
//! one diagnostic each (E413), and then there is no manifest. Keys come in the order of the
//! API's Go types (`apiVersion`, `kind`, `metadata`, `spec`, …), so output is deterministic
//! and diffs stay small.

use super::cron;
use super::diagnostic::ImportDiagnostic;
pub use super::manifest::write::node;
use super::manifest::*;
use super::policy::{self, Bound, Policy, Source, TargetValue, TriggerMeta, TriggerRef};
use super::quantity::Quantity;
use super::yaml::{self, Node};
use crate::diagnostics::Code;

/// The manifest kind to write.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum To {
    Hpa,
    Keda,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Exported {
    /// `None` when a diagnostic is an error.
    pub manifest: Option<Manifest>,
    pub diagnostics: Vec<ImportDiagnostic>,
}

/// The manifest for `policy`, or one diagnostic per construct it cannot express.
pub fn export(policy: &Policy, to: To) -> Exported {
    let mut diags = Vec::new();
    let manifest = match to {
        To::Hpa => Manifest::Hpa(Box::new(hpa(policy, &mut diags))),
        To::Keda => Manifest::Keda(Box::new(keda(policy, &mut diags))),
    };
    let ok = !diags.iter().any(ImportDiagnostic::is_error);
    Exported {
        manifest: ok.then_some(manifest),
        diagnostics: diags,
    }
}

/// Manifests as one multi-document YAML text.
pub fn to_yaml(manifests: &[Manifest]) -> String {
    let nodes: Vec<Node> = manifests.iter().map(write::node).collect();
    yaml::emit_stream(&nodes)
}

fn no_equivalent(diags: &mut Vec<ImportDiagnostic>, what: &str, kind: &str, help: &str) {
    diags.push(
        ImportDiagnostic::error(
            Code::NO_EXPORT_EQUIVALENT,
            what,
            format!("`{what}` has no {kind} equivalent"),
        )
        .help(help),
    );
}

fn metadata(p: &Policy) -> ObjectMeta {
    let k = &p.kubernetes;
    ObjectMeta {
        name: if k.name.is_empty() {
            p.service.clone()
        } else {
            k.name.clone()
        },
        namespace: k.namespace.clone(),
        labels: k.labels.clone(),
        annotations: k.annotations.clone(),
    }
}

fn source_of<'p>(p: &'p Policy, metric: &str) -> Option<&'p Source> {
    p.kubernetes
        .sources
        .iter()
        .find(|(m, _)| m == metric)
        .map(|(_, s)| s)
}

fn column_of<'p>(p: &'p Policy, metric: &'p str) -> &'p str {
    p.metrics
        .iter()
        .find(|m| m.name == metric)
        .map_or(metric, |m| m.column())
}

/// A target's source: the `kubernetes` line, else the naming rule read backwards
/// (`cpu_utilization` → Resource cpu, …; other per-replica metrics → Pods; totals →
/// External).
fn source_or_default(p: &Policy, t: &policy::Target) -> Source {
    if let Some(s) = source_of(p, &t.metric) {
        return s.clone();
    }
    let column = column_of(p, &t.metric).to_string();
    for res in ["cpu", "memory"] {
        if column == format!("{res}_utilization") || column == format!("{res}_average") {
            return Source::Resource {
                name: res.into(),
                container: None,
            };
        }
    }
    let per_replica = p
        .metrics
        .iter()
        .any(|m| m.name == t.metric && m.per_replica);
    if per_replica {
        Source::Pods {
            metric: column,
            selector: None,
        }
    } else {
        Source::External {
            metric: column,
            selector: None,
        }
    }
}

fn behavior(b: &policy::Behavior) -> Behavior {
    let rules = |r: &policy::Rules| ScalingRules {
        stabilization_window_seconds: r.stabilize.map(|s| s as i32),
        select_policy: r.select.map(|s| match s {
            policy::Select::Max => SelectPolicy::Max,
            policy::Select::Min => SelectPolicy::Min,
            policy::Select::Disabled => SelectPolicy::Disabled,
        }),
        policies: r.policies.as_ref().map(|ps| {
            ps.iter()
                .map(|p| match *p {
                    policy::RatePolicy::Replicas { count, period } => ScalingPolicy {
                        kind: PolicyType::Pods,
                        value: count as i32,
                        period_seconds: period as i32,
                    },
                    policy::RatePolicy::Percent { percent, period } => ScalingPolicy {
                        kind: PolicyType::Percent,
                        value: percent as i32,
                        period_seconds: period as i32,
                    },
                })
                .collect()
        }),
        tolerance: r.tolerance,
    };
    Behavior {
        scale_up: b.scale_out.as_ref().map(rules),
        scale_down: b.scale_in.as_ref().map(rules),
    }
}

fn target(value: &TargetValue) -> MetricTarget {
    let mut t = MetricTarget {
        kind: value.target_type(),
        value: None,
        average_value: None,
        average_utilization: None,
    };
    match value {
        TargetValue::Utilization(p) => t.average_utilization = Some(*p as i32),
        TargetValue::PerReplica(q) => t.average_value = Some(*q),
        TargetValue::Total(q) => t.value = Some(*q),
    }
    t
}

// ----- HPA -----------------------------------------------------------------------------

fn hpa(p: &Policy, diags: &mut Vec<ImportDiagnostic>) -> HorizontalPodAutoscaler {
    for (i, _) in p.schedules.iter().enumerate() {
        no_equivalent(
            diags,
            &format!("schedule {}", i + 1),
            "HorizontalPodAutoscaler",
            "an HPA has no calendar; export to KEDA (`propose` becomes a cron trigger) or patch minReplicas with a CronJob",
        );
    }
    if p.idle.is_some() {
        no_equivalent(
            diags,
            "idle",
            "HorizontalPodAutoscaler",
            "scaling to an idle count is KEDA's; export to KEDA",
        );
    }
    if p.targets.is_empty() {
        diags.push(
            ImportDiagnostic::error(
                Code::NO_EXPORT_EQUIVALENT,
                "service",
                "a policy without a `target` has no HorizontalPodAutoscaler form",
            )
            .help("an HPA holds metrics at targets: add a `target` statement"),
        );
    }
    let metrics = p
        .targets
        .iter()
        .filter_map(|t| {
            if t.active_above.is_some() {
                no_equivalent(
                    diags,
                    &format!("target {}, active above", t.metric),
                    "HorizontalPodAutoscaler",
                    "an activation threshold is KEDA's; remove it or export to KEDA",
                );
            }
            hpa_metric(p, t, diags)
        })
        .collect();
    let scale = p.kubernetes.scale.as_ref();
    HorizontalPodAutoscaler {
        metadata: metadata(p),
        spec: HpaSpec {
            scale_target_ref: ObjectReference {
                api_version: scale.map_or(Some("apps/v1".into()), |s| s.api.clone()),
                kind: scale
                    .and_then(|s| s.kind.clone())
                    .unwrap_or_else(|| "Deployment".into()),
                name: scale.map_or(p.service.clone(), |s| s.name.clone()),
            },
            min_replicas: Some(p.replicas.min as i32),
            max_replicas: p.replicas.max as i32,
            metrics: Some(metrics),
            behavior: p.behavior.as_ref().map(behavior),
        },
    }
}

fn hpa_metric(
    p: &Policy,
    t: &policy::Target,
    diags: &mut Vec<ImportDiagnostic>,
) -> Option<MetricSpec> {
    let target = target(&t.value);
    Some(match source_or_default(p, t) {
        Source::Resource { name, container } => match container {
            Some(container) => MetricSpec::ContainerResource {
                name,
                container,
                target,
            },
            None => MetricSpec::Resource { name, target },
        },
        Source::Pods { metric, selector } => MetricSpec::Pods {
            metric: MetricIdentifier {
                name: metric,
                selector,
            },
            target,
        },
        Source::Object {
            kind,
            name,
            api,
            metric,
            selector,
        } => MetricSpec::Object {
            described_object: ObjectReference {
                api_version: api,
                kind,
                name,
            },
            metric: MetricIdentifier {
                name: metric,
                selector,
            },
            target,
        },
        Source::External { metric, selector } => MetricSpec::External {
            metric: MetricIdentifier {
                name: metric,
                selector,
            },
            target,
        },
        Source::Prometheus { .. } => {
            diags.push(
                ImportDiagnostic::error(
                    Code::NO_METRIC_SOURCE,
                    format!("target {}", t.metric),
                    format!("`{}` is a prometheus query; an HPA reads metrics through the metrics APIs", t.metric),
                )
                .help("export to KEDA, or source the metric as `external \"NAME\"` through a metrics adapter"),
            );
            return None;
        }
    })
}

// ----- KEDA ----------------------------------------------------------------------------

fn keda(p: &Policy, diags: &mut Vec<ImportDiagnostic>) -> ScaledObject {
    let k = &p.kubernetes;
    let scale = k.scale.clone().unwrap_or(policy::ScaleRef {
        kind: None,
        name: p.service.clone(),
        api: None,
        env_container: None,
    });
    let (min, idle_count) = match &p.idle {
        Some(i) if i.to < p.replicas.min => (p.replicas.min, Some(i.to as i32)),
        _ => (p.replicas.min, None),
    };
    let secs = |v: Option<u32>| v.map(|s| s as i32);
    let hpa_config = (k.keda.hpa_name.is_some() || p.behavior.is_some()).then(|| HpaConfig {
        name: k.keda.hpa_name.clone(),
        behavior: p.behavior.as_ref().map(behavior),
    });
    let modifiers = k.keda.modifiers.as_ref().map(|m| ScalingModifiers {
        formula: m.formula.clone(),
        target: m.target.clone(),
        activation_target: m.activation.clone(),
        metric_type: m.metric_type,
    });
    let advanced =
        (k.keda.restore_original.is_some() || hpa_config.is_some() || modifiers.is_some())
            .then_some(Advanced {
                restore_to_original_replica_count: k.keda.restore_original,
                horizontal_pod_autoscaler_config: hpa_config,
                scaling_modifiers: modifiers,
            });
    ScaledObject {
        metadata: metadata(p),
        spec: ScaledObjectSpec {
            scale_target_ref: ScaleTarget {
                name: scale.name,
                api_version: scale.api,
                kind: scale.kind,
                env_source_container_name: scale.env_container,
            },
            polling_interval: secs(p.idle.and_then(|i| i.check_every).or(k.keda.polling)),
            cooldown_period: secs(p.idle.and_then(|i| i.after).or(k.keda.cooldown)),
            initial_cooldown_period: secs(k.keda.initial_cooldown),
            idle_replica_count: idle_count,
            min_replica_count: Some(min as i32),
            max_replica_count: Some(p.replicas.max as i32),
            fallback: k.keda.fallback.as_ref().map(|f| Fallback {
                failure_threshold: f.failures as i32,
                replicas: f.replicas as i32,
                behavior: f.behavior.clone(),
            }),
            advanced,
            triggers: triggers(p, diags),
        },
    }
}

fn triggers(p: &Policy, diags: &mut Vec<ImportDiagnostic>) -> Vec<Trigger> {
    if p.targets.is_empty() && p.schedules.is_empty() {
        diags.push(
            ImportDiagnostic::error(
                Code::NO_EXPORT_EQUIVALENT,
                "service",
                "a policy without a `target` or a `propose` schedule has no KEDA trigger",
            )
            .help("a ScaledObject needs at least one trigger: add a `target` statement"),
        );
    }
    let default: Vec<TriggerRef> = p
        .targets
        .iter()
        .map(|t| TriggerRef::Metric(t.metric.clone()))
        .chain((1..=p.schedules.len()).map(TriggerRef::Schedule))
        .collect();
    let order = p.kubernetes.trigger_order.clone().unwrap_or(default);
    let mut used = vec![false; p.targets.len()];
    let mut out = Vec::new();
    for r in &order {
        let meta = p
            .kubernetes
            .triggers
            .iter()
            .find(|m| m.of.as_ref() == Some(r))
            .cloned()
            .unwrap_or_default();
        let trigger = match r {
            TriggerRef::Metric(m) => {
                let Some(i) = (0..p.targets.len()).find(|&i| !used[i] && p.targets[i].metric == *m)
                else {
                    continue;
                };
                used[i] = true;
                target_trigger(p, &p.targets[i], meta, diags)
            }
            TriggerRef::Schedule(n) => match p.schedules.get(n - 1) {
                Some(s) => cron_trigger(p, *n, s, meta, diags),
                None => continue,
            },
        };
        out.extend(trigger);
    }
    out
}

fn new_trigger(kind: &str, meta: TriggerMeta, metadata: Vec<(String, String)>) -> Trigger {
    let mut all = metadata;
    all.extend(meta.metadata);
    Trigger {
        kind: kind.into(),
        name: meta.name,
        metric_type: meta.metric_type,
        use_cached_metrics: meta.use_cached_metrics,
        metadata: all,
        authentication_ref: meta.auth,
    }
}

fn target_trigger(
    p: &Policy,
    t: &policy::Target,
    meta: TriggerMeta,
    diags: &mut Vec<ImportDiagnostic>,
) -> Option<Trigger> {
    match source_or_default(p, t) {
        Source::Resource { name, container } if name == "cpu" || name == "memory" => {
            let deprecated = meta.metadata.iter().any(|(k, _)| k == "type");
            let value = match &t.value {
                TargetValue::Utilization(pct) => pct.to_string(),
                TargetValue::PerReplica(q) => q.to_string(),
                TargetValue::Total(_) => {
                    no_equivalent(
                        diags,
                        &format!("target {}", t.metric),
                        "KEDA cpu/memory trigger",
                        "cpu and memory triggers take Utilization or AverageValue targets",
                    );
                    return None;
                }
            };
            let mut metadata = vec![("value".to_string(), value)];
            if let Some(c) = container {
                metadata.push(("containerName".into(), c));
            }
            let mut tr = new_trigger(&name, meta, metadata);
            if !deprecated {
                tr.metric_type = Some(t.value.target_type());
            }
            Some(tr)
        }
        Source::Prometheus {
            server,
            query,
            auth,
        } => {
            let column = column_of(p, &t.metric).to_string();
            let (threshold, value_type) = match &t.value {
                TargetValue::PerReplica(q) => (q, None),
                TargetValue::Total(q) => (q, Some(TargetType::Value)),
                TargetValue::Utilization(_) => {
                    no_equivalent(
                        diags,
                        &format!("target {}", t.metric),
                        "KEDA prometheus trigger",
                        "a prometheus trigger takes AverageValue or Value targets",
                    );
                    return None;
                }
            };
            let mut metadata = vec![
                ("serverAddress".to_string(), server),
                ("query".to_string(), query),
                ("threshold".to_string(), plain(threshold)),
            ];
            if let Some(a) = &t.active_above {
                metadata.push(("activationThreshold".into(), plain(a)));
            }
            let fallback = meta.name.clone().unwrap_or_else(|| "prometheus".into());
            let named_in_meta = meta.metadata.iter().any(|(k, _)| k == "metricName");
            if column != fallback && column != "prometheus" && !named_in_meta {
                metadata.push(("metricName".into(), column));
            }
            let mut tr = new_trigger("prometheus", meta, metadata);
            if auth.is_some() {
                tr.authentication_ref = auth;
            }
            if value_type.is_some() {
                tr.metric_type = value_type;
            }
            Some(tr)
        }
        _ => {
            diags.push(
                ImportDiagnostic::error(
                    Code::NO_METRIC_SOURCE,
                    format!("target {}", t.metric),
                    format!("KEDA needs a trigger for `{}`: only cpu, memory and prometheus sources are written", t.metric),
                )
                .help(format!("add `metric {}: prometheus \"ADDRESS\" query \"…\"` to the kubernetes block", t.metric)),
            );
            None
        }
    }
}

/// KEDA reads thresholds as plain numbers: `0.5`, not `500m`.
fn plain(q: &Quantity) -> String {
    q.value.to_string()
}

fn cron_trigger(
    p: &Policy,
    n: usize,
    s: &policy::Schedule,
    meta: TriggerMeta,
    diags: &mut Vec<ImportDiagnostic>,
) -> Option<Trigger> {
    let what = format!("schedule {n}");
    let mut desired = None;
    for b in &s.bounds {
        match b {
            Bound::Propose(v) => desired = Some(*v),
            Bound::AtLeast(_) | Bound::AtMost(_) => no_equivalent(
                diags,
                &format!(
                    "{what}, {}",
                    if matches!(b, Bound::AtLeast(_)) {
                        "at least"
                    } else {
                        "at most"
                    }
                ),
                "KEDA",
                "KEDA's cron trigger proposes a count through the HPA: write `propose N`",
            ),
        }
    }
    let desired = desired?;
    let generated = cron::expressions(&s.window);
    let (start, end) = p
        .kubernetes
        .crons
        .iter()
        .find(|c| c.schedule == n)
        .filter(|c| kept_cron_matches(c, &s.window))
        .map_or(generated, |c| (c.start.clone(), c.end.clone()));
    let metadata = vec![
        (
            "timezone".to_string(),
            s.zone.clone().unwrap_or_else(|| "UTC".into()),
        ),
        ("start".to_string(), start),
        ("end".to_string(), end),
        ("desiredReplicas".to_string(), desired.to_string()),
    ];
    Some(new_trigger("cron", meta, metadata))
}

/// A kept cron pair is written only while it still means the schedule line's window.
fn kept_cron_matches(c: &policy::Cron, window: &policy::Window) -> bool {
    match (cron::Cron::parse(&c.start), cron::Cron::parse(&c.end)) {
        (Ok(s), Ok(e)) => cron::windows(s, e).is_ok_and(|w| w == [*window]),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_schedule_has_no_hpa_form() {
        let imported = crate::kube::import(
            "apiVersion: keda.sh/v1alpha1\nkind: ScaledObject\nmetadata: {name: w}\nspec:\n  scaleTargetRef: {name: w}\n  minReplicaCount: 1\n  triggers:\n  - type: cron\n    metadata: {timezone: UTC, start: 0 8 * * *, end: 0 18 * * *, desiredReplicas: \"5\"}\n  - type: cpu\n    metricType: Utilization\n    metadata: {value: \"60\"}\n",
        );
        assert!(!imported.has_errors(), "{:?}", imported.diagnostics);
        let out = export(&imported.policies[0], To::Hpa);
        assert!(out.manifest.is_none());
        assert_eq!(out.diagnostics.len(), 1);
        assert_eq!(out.diagnostics[0].code, Code::NO_EXPORT_EQUIVALENT);
        assert_eq!(out.diagnostics[0].path, "schedule 1");
    }

    #[test]
    fn a_policy_without_sources_exports_by_the_naming_rule() {
        let imported = crate::kube::import(
            "apiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\nmetadata: {name: w}\nspec:\n  scaleTargetRef: {kind: Deployment, name: w}\n  maxReplicas: 5\n",
        );
        let mut p = imported.policies[0].clone();
        p.kubernetes.sources.clear();
        p.metrics.push(policy::Metric {
            name: "inflight".into(),
            column: None,
            unit: None,
            per_replica: true,
        });
        p.targets.push(policy::Target {
            metric: "inflight".into(),
            value: TargetValue::PerReplica(Quantity::parse("20").unwrap()),
            active_above: None,
        });
        let out = export(&p, To::Hpa);
        let text = to_yaml(&[out.manifest.unwrap()]);
        assert!(text.contains("type: Resource"), "{text}");
        assert!(text.contains("type: Pods"), "{text}");
    }
}
