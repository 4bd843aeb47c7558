//! Reading a KEDA ScaledObject (`keda.sh/v1alpha1`).

use super::read::{Object, Reader};
use super::*;
use crate::diagnostics::Code;
use crate::kube::yaml::Value;

pub(super) fn read(r: &mut Reader<'_>, mut root: Object<'_>) -> Option<ScaledObject> {
    let metadata = root.req(r, "metadata", read_metadata);
    root.server_set(r, &["status"]);
    let spec = root.req(r, "spec", read_spec);
    root.finish(r);
    Some(ScaledObject {
        metadata: metadata?,
        spec: spec?,
    })
}

fn read_spec(r: &mut Reader<'_>, node: &Node, path: &Path) -> Option<ScaledObjectSpec> {
    let mut o = r.object(node, path)?;
    let scale_target_ref = o.req(r, "scaleTargetRef", read_target_ref);
    let polling_interval = o.opt(r, "pollingInterval", Reader::int32);
    let cooldown_period = o.opt(r, "cooldownPeriod", Reader::int32);
    let initial_cooldown_period = o.opt(r, "initialCooldownPeriod", Reader::int32);
    let idle_replica_count = o.opt(r, "idleReplicaCount", Reader::int32);
    let min_replica_count = o.opt(r, "minReplicaCount", Reader::int32);
    let max_replica_count = o.opt(r, "maxReplicaCount", Reader::int32);
    let fallback = o.opt(r, "fallback", read_fallback);
    let advanced = o.opt(r, "advanced", read_advanced);
    let triggers = o.req(r, "triggers", |r, n, p| r.list(n, p, read_trigger));
    o.finish(r);
    Some(ScaledObjectSpec {
        scale_target_ref: scale_target_ref?,
        polling_interval,
        cooldown_period,
        initial_cooldown_period,
        idle_replica_count,
        min_replica_count,
        max_replica_count,
        fallback,
        advanced,
        triggers: triggers?,
    })
}

fn read_target_ref(r: &mut Reader<'_>, node: &Node, path: &Path) -> Option<ScaleTarget> {
    let mut o = r.object(node, path)?;
    let name = o.req(r, "name", Reader::string);
    let api_version = o.opt(r, "apiVersion", Reader::string);
    let kind = o.opt(r, "kind", Reader::string);
    let env_source_container_name = o.opt(r, "envSourceContainerName", Reader::string);
    o.finish(r);
    Some(ScaleTarget {
        name: name?,
        api_version,
        kind,
        env_source_container_name,
    })
}

fn read_fallback(r: &mut Reader<'_>, node: &Node, path: &Path) -> Option<Fallback> {
    let mut o = r.object(node, path)?;
    let failure_threshold = o.req(r, "failureThreshold", Reader::int32);
    let replicas = o.req(r, "replicas", Reader::int32);
    let behavior = o.opt(r, "behavior", Reader::string);
    o.finish(r);
    Some(Fallback {
        failure_threshold: failure_threshold?,
        replicas: replicas?,
        behavior,
    })
}

fn read_advanced(r: &mut Reader<'_>, node: &Node, path: &Path) -> Option<Advanced> {
    let mut o = r.object(node, path)?;
    let restore_to_original_replica_count = o.opt(r, "restoreToOriginalReplicaCount", Reader::bool);
    let horizontal_pod_autoscaler_config = o.opt(r, "horizontalPodAutoscalerConfig", |r, n, p| {
        let mut h = r.object(n, p)?;
        let name = h.opt(r, "name", Reader::string);
        let behavior = h.opt(r, "behavior", read_behavior);
        h.finish(r);
        Some(HpaConfig { name, behavior })
    });
    let scaling_modifiers = o.opt(r, "scalingModifiers", |r, n, p| {
        let mut m = r.object(n, p)?;
        let formula = m.opt(r, "formula", Reader::string);
        let target = m.opt(r, "target", Reader::string);
        let activation_target = m.opt(r, "activationTarget", Reader::string);
        let metric_type = m.opt(r, "metricType", read_metric_type);
        m.finish(r);
        Some(ScalingModifiers {
            formula,
            target,
            activation_target,
            metric_type,
        })
    });
    o.finish(r);
    Some(Advanced {
        restore_to_original_replica_count,
        horizontal_pod_autoscaler_config,
        scaling_modifiers,
    })
}

fn read_metric_type(r: &mut Reader<'_>, node: &Node, path: &Path) -> Option<TargetType> {
    let s = r.string(node, path)?;
    let t = TargetType::parse(&s);
    if t.is_none() {
        r.push(bad_enum(
            path,
            node,
            &s,
            &["AverageValue", "Value", "Utilization"],
        ));
    }
    t
}

fn read_trigger(r: &mut Reader<'_>, node: &Node, path: &Path) -> Option<Trigger> {
    let mut o = r.object(node, path)?;
    let kind = o.req(r, "type", Reader::string);
    let name = o.opt(r, "name", Reader::string);
    let metric_type = o.opt(r, "metricType", read_metric_type);
    let use_cached_metrics = o.opt(r, "useCachedMetrics", Reader::bool);
    let metadata = o.opt(r, "metadata", read_metadata_map).unwrap_or_default();
    let authentication_ref = o.opt(r, "authenticationRef", |r, n, p| {
        let mut a = r.object(n, p)?;
        let name = a.req(r, "name", Reader::string);
        let kind = a.opt(r, "kind", Reader::string);
        a.finish(r);
        Some(AuthRef { name: name?, kind })
    });
    o.finish(r);
    Some(Trigger {
        kind: kind?,
        name,
        metric_type,
        use_cached_metrics,
        metadata,
        authentication_ref,
    })
}

/// A trigger's `metadata` (`map[string]string`): a value written as a number or boolean
/// is kept as its text with W407, since the API server refuses it.
fn read_metadata_map(
    r: &mut Reader<'_>,
    node: &Node,
    path: &Path,
) -> Option<Vec<(String, String)>> {
    let Value::Map(entries) = &node.value else {
        return r.string_map(node, path); // reports the wrong type
    };
    let mut out: Vec<(String, String)> = Vec::new();
    for e in entries {
        if out.iter().any(|(k, _)| k == &e.key) {
            continue;
        }
        let p = path.key(&e.key);
        let Some(s) = e.value.scalar() else {
            r.string(&e.value, &p);
            continue;
        };
        if !s.quoted && (s.is_number() || s.as_bool().is_some()) {
            r.push(
                ImportDiagnostic::warning(
                    Code::NON_STRING_KEDA_METADATA,
                    p.to_string(),
                    format!("`{}` is {}, but trigger metadata values are strings: the API server rejects it", s.text, e.value.kind_name()),
                )
                .at(e.value.loc)
                .help(format!("quote it: `{}: \"{}\"`", e.key, s.text)),
            );
        }
        out.push((e.key.clone(), s.text.clone()));
    }
    Some(out)
}
