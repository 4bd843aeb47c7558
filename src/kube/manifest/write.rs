//! Manifests → YAML trees, for export: keys in the order of the API's Go types
//! (`apiVersion`, `kind`, `metadata`, `spec`, then each struct's fields as declared), only
//! the fields that are set, quantities in Kubernetes' canonical form.

use super::*;
use crate::kube::quantity::Quantity;

/// The YAML tree of a manifest.
pub fn node(m: &Manifest) -> Node {
    match m {
        Manifest::Hpa(h) => Node::map(vec![
            ("apiVersion", Node::string(HPA_API)),
            ("kind", Node::string("HorizontalPodAutoscaler")),
            ("metadata", meta_node(&h.metadata)),
            ("spec", hpa_spec(&h.spec)),
        ]),
        Manifest::Keda(k) => Node::map(vec![
            ("apiVersion", Node::string(KEDA_API)),
            ("kind", Node::string("ScaledObject")),
            ("metadata", meta_node(&k.metadata)),
            ("spec", keda_spec(&k.spec)),
        ]),
    }
}

/// Entries of the fields that are present.
fn fields(entries: Vec<(&str, Option<Node>)>) -> Node {
    Node::map(
        entries
            .into_iter()
            .filter_map(|(k, v)| v.map(|v| (k, v)))
            .collect(),
    )
}

fn strings(pairs: &[(String, String)]) -> Option<Node> {
    (!pairs.is_empty()).then(|| {
        Node::map_owned(
            pairs
                .iter()
                .map(|(k, v)| (k.clone(), Node::string(v)))
                .collect(),
        )
    })
}

fn meta_node(m: &ObjectMeta) -> Node {
    fields(vec![
        ("name", Some(Node::string(&m.name))),
        ("namespace", m.namespace.as_ref().map(Node::string)),
        ("labels", strings(&m.labels)),
        ("annotations", strings(&m.annotations)),
    ])
}

fn reference(r: &ObjectReference) -> Node {
    fields(vec![
        ("apiVersion", r.api_version.as_ref().map(Node::string)),
        ("kind", Some(Node::string(&r.kind))),
        ("name", Some(Node::string(&r.name))),
    ])
}

fn hpa_spec(s: &HpaSpec) -> Node {
    fields(vec![
        ("scaleTargetRef", Some(reference(&s.scale_target_ref))),
        ("minReplicas", s.min_replicas.map(|v| Node::int(v.into()))),
        ("maxReplicas", Some(Node::int(s.max_replicas.into()))),
        (
            "metrics",
            s.metrics
                .as_ref()
                .map(|ms| Node::seq(ms.iter().map(metric_node).collect())),
        ),
        ("behavior", s.behavior.as_ref().map(behavior_node)),
    ])
}

fn quantity(q: &Quantity) -> Node {
    Node::string(q.to_string())
}

fn target_node(t: &MetricTarget) -> Node {
    fields(vec![
        ("type", Some(Node::string(t.kind.as_str()))),
        ("value", t.value.as_ref().map(quantity)),
        ("averageValue", t.average_value.as_ref().map(quantity)),
        (
            "averageUtilization",
            t.average_utilization.map(|v| Node::int(v.into())),
        ),
    ])
}

fn identifier(m: &MetricIdentifier) -> Node {
    fields(vec![
        ("name", Some(Node::string(&m.name))),
        ("selector", m.selector.as_ref().map(selector_node)),
    ])
}

fn selector_node(s: &LabelSelector) -> Node {
    let exprs = (!s.match_expressions.is_empty()).then(|| {
        Node::seq(
            s.match_expressions
                .iter()
                .map(|r| {
                    fields(vec![
                        ("key", Some(Node::string(&r.key))),
                        ("operator", Some(Node::string(r.operator.as_str()))),
                        (
                            "values",
                            (!r.values.is_empty())
                                .then(|| Node::seq(r.values.iter().map(Node::string).collect())),
                        ),
                    ])
                })
                .collect(),
        )
    });
    fields(vec![
        ("matchLabels", strings(&s.match_labels)),
        ("matchExpressions", exprs),
    ])
}

fn metric_node(m: &MetricSpec) -> Node {
    let (kind, key, body) = match m {
        MetricSpec::Resource { name, target } => (
            "Resource",
            "resource",
            Node::map(vec![
                ("name", Node::string(name)),
                ("target", target_node(target)),
            ]),
        ),
        MetricSpec::ContainerResource {
            name,
            container,
            target,
        } => (
            "ContainerResource",
            "containerResource",
            Node::map(vec![
                ("name", Node::string(name)),
                ("container", Node::string(container)),
                ("target", target_node(target)),
            ]),
        ),
        MetricSpec::Pods { metric, target } => (
            "Pods",
            "pods",
            Node::map(vec![
                ("metric", identifier(metric)),
                ("target", target_node(target)),
            ]),
        ),
        MetricSpec::Object {
            described_object,
            metric,
            target,
        } => (
            "Object",
            "object",
            Node::map(vec![
                ("describedObject", reference(described_object)),
                ("metric", identifier(metric)),
                ("target", target_node(target)),
            ]),
        ),
        MetricSpec::External { metric, target } => (
            "External",
            "external",
            Node::map(vec![
                ("metric", identifier(metric)),
                ("target", target_node(target)),
            ]),
        ),
    };
    Node::map(vec![("type", Node::string(kind)), (key, body)])
}

fn behavior_node(b: &Behavior) -> Node {
    let rules = |r: &ScalingRules| {
        fields(vec![
            (
                "stabilizationWindowSeconds",
                r.stabilization_window_seconds.map(|v| Node::int(v.into())),
            ),
            (
                "selectPolicy",
                r.select_policy.map(|s| Node::string(s.as_str())),
            ),
            (
                "policies",
                r.policies.as_ref().map(|ps| {
                    Node::seq(
                        ps.iter()
                            .map(|p| {
                                Node::map(vec![
                                    ("type", Node::string(p.kind.as_str())),
                                    ("value", Node::int(p.value.into())),
                                    ("periodSeconds", Node::int(p.period_seconds.into())),
                                ])
                            })
                            .collect(),
                    )
                }),
            ),
            ("tolerance", r.tolerance.as_ref().map(quantity)),
        ])
    };
    fields(vec![
        ("scaleUp", b.scale_up.as_ref().map(rules)),
        ("scaleDown", b.scale_down.as_ref().map(rules)),
    ])
}

fn keda_spec(s: &ScaledObjectSpec) -> Node {
    let int = |v: Option<i32>| v.map(|v| Node::int(v.into()));
    let r = &s.scale_target_ref;
    fields(vec![
        (
            "scaleTargetRef",
            Some(fields(vec![
                ("apiVersion", r.api_version.as_ref().map(Node::string)),
                ("kind", r.kind.as_ref().map(Node::string)),
                ("name", Some(Node::string(&r.name))),
                (
                    "envSourceContainerName",
                    r.env_source_container_name.as_ref().map(Node::string),
                ),
            ])),
        ),
        ("pollingInterval", int(s.polling_interval)),
        ("cooldownPeriod", int(s.cooldown_period)),
        ("initialCooldownPeriod", int(s.initial_cooldown_period)),
        ("idleReplicaCount", int(s.idle_replica_count)),
        ("minReplicaCount", int(s.min_replica_count)),
        ("maxReplicaCount", int(s.max_replica_count)),
        (
            "fallback",
            s.fallback.as_ref().map(|f| {
                fields(vec![
                    (
                        "failureThreshold",
                        Some(Node::int(f.failure_threshold.into())),
                    ),
                    ("replicas", Some(Node::int(f.replicas.into()))),
                    ("behavior", f.behavior.as_ref().map(Node::string)),
                ])
            }),
        ),
        ("advanced", s.advanced.as_ref().map(advanced_node)),
        (
            "triggers",
            Some(Node::seq(s.triggers.iter().map(trigger_node).collect())),
        ),
    ])
}

fn advanced_node(a: &Advanced) -> Node {
    fields(vec![
        (
            "restoreToOriginalReplicaCount",
            a.restore_to_original_replica_count.map(Node::bool),
        ),
        (
            "horizontalPodAutoscalerConfig",
            a.horizontal_pod_autoscaler_config.as_ref().map(|h| {
                fields(vec![
                    ("name", h.name.as_ref().map(Node::string)),
                    ("behavior", h.behavior.as_ref().map(behavior_node)),
                ])
            }),
        ),
        (
            "scalingModifiers",
            a.scaling_modifiers.as_ref().map(|m| {
                fields(vec![
                    ("formula", m.formula.as_ref().map(Node::string)),
                    ("target", m.target.as_ref().map(Node::string)),
                    (
                        "activationTarget",
                        m.activation_target.as_ref().map(Node::string),
                    ),
                    (
                        "metricType",
                        m.metric_type.map(|t| Node::string(t.as_str())),
                    ),
                ])
            }),
        ),
    ])
}

fn trigger_node(t: &Trigger) -> Node {
    fields(vec![
        ("type", Some(Node::string(&t.kind))),
        ("name", t.name.as_ref().map(Node::string)),
        (
            "metricType",
            t.metric_type.map(|m| Node::string(m.as_str())),
        ),
        ("useCachedMetrics", t.use_cached_metrics.map(Node::bool)),
        (
            "metadata",
            Some(strings(&t.metadata).unwrap_or_else(|| Node::map(vec![]))),
        ),
        (
            "authenticationRef",
            t.authentication_ref.as_ref().map(|a| {
                fields(vec![
                    ("name", Some(Node::string(&a.name))),
                    ("kind", a.kind.as_ref().map(Node::string)),
                ])
            }),
        ),
    ])
}
