//! Reading a HorizontalPodAutoscaler (`autoscaling/v2`; `v2beta2` and `v1` documents are
//! read into the same model).

use super::read::{Object, Reader};
use super::*;

pub(super) fn read(
    r: &mut Reader<'_>,
    mut root: Object<'_>,
    api: &str,
) -> Option<HorizontalPodAutoscaler> {
    let metadata = root.req(r, "metadata", read_metadata);
    root.server_set(r, &["status"]);
    let spec = root.req(r, "spec", |r, n, p| read_spec(r, n, p, api));
    root.finish(r);
    Some(HorizontalPodAutoscaler {
        metadata: metadata?,
        spec: spec?,
    })
}

fn read_spec(r: &mut Reader<'_>, node: &Node, path: &Path, api: &str) -> Option<HpaSpec> {
    let mut o = r.object(node, path)?;
    let scale_target_ref = o.req(r, "scaleTargetRef", read_reference);
    let min_replicas = o.opt(r, "minReplicas", Reader::int32);
    let max_replicas = o.req(r, "maxReplicas", Reader::int32);
    let mut metrics = o.opt(r, "metrics", |r, n, p| r.list(n, p, read_metric));
    if api == "autoscaling/v1" {
        // v1's one field, read as the v2 metric it converts to.
        let cpu = o.opt(r, "targetCPUUtilizationPercentage", Reader::int32);
        if let Some(pct) = cpu {
            metrics
                .get_or_insert_with(Vec::new)
                .push(MetricSpec::Resource {
                    name: "cpu".into(),
                    target: MetricTarget {
                        kind: TargetType::Utilization,
                        value: None,
                        average_value: None,
                        average_utilization: Some(pct),
                    },
                });
        }
    }
    let behavior = o.opt(r, "behavior", read_behavior);
    o.finish(r);
    Some(HpaSpec {
        scale_target_ref: scale_target_ref?,
        min_replicas,
        max_replicas: max_replicas?,
        metrics,
        behavior,
    })
}

pub(super) fn read_reference(
    r: &mut Reader<'_>,
    node: &Node,
    path: &Path,
) -> Option<ObjectReference> {
    let mut o = r.object(node, path)?;
    let api_version = o.opt(r, "apiVersion", Reader::string);
    let kind = o.req(r, "kind", Reader::string);
    let name = o.req(r, "name", Reader::string);
    o.finish(r);
    Some(ObjectReference {
        api_version,
        kind: kind?,
        name: name?,
    })
}

fn read_metric(r: &mut Reader<'_>, node: &Node, path: &Path) -> Option<MetricSpec> {
    let mut o = r.object(node, path)?;
    let kind = o.req(r, "type", Reader::string)?;
    const KINDS: [(&str, &str); 5] = [
        ("Resource", "resource"),
        ("ContainerResource", "containerResource"),
        ("Pods", "pods"),
        ("Object", "object"),
        ("External", "external"),
    ];
    let Some((_, key)) = KINDS.iter().find(|(k, _)| *k == kind) else {
        let (n, p) = o.field("type")?;
        r.push(bad_enum(&p, n, &kind, &KINDS.map(|k| k.0)));
        return None;
    };
    // The fields of the other kinds are unknown here (the API rejects them too).
    let spec = o.req(r, key, |r, n, p| read_metric_source(r, n, p, &kind));
    o.finish(r);
    spec
}

fn read_metric_source(
    r: &mut Reader<'_>,
    node: &Node,
    path: &Path,
    kind: &str,
) -> Option<MetricSpec> {
    let mut o = r.object(node, path)?;
    let spec = match kind {
        "Resource" => {
            let name = o.req(r, "name", Reader::string);
            let target = o.req(r, "target", read_target);
            MetricSpec::Resource {
                name: name?,
                target: target?,
            }
        }
        "ContainerResource" => {
            let name = o.req(r, "name", Reader::string);
            let container = o.req(r, "container", Reader::string);
            let target = o.req(r, "target", read_target);
            MetricSpec::ContainerResource {
                name: name?,
                container: container?,
                target: target?,
            }
        }
        "Pods" => {
            let metric = o.req(r, "metric", read_identifier);
            let target = o.req(r, "target", read_target);
            MetricSpec::Pods {
                metric: metric?,
                target: target?,
            }
        }
        "Object" => {
            let described_object = o.req(r, "describedObject", read_reference);
            let metric = o.req(r, "metric", read_identifier);
            let target = o.req(r, "target", read_target);
            MetricSpec::Object {
                described_object: described_object?,
                metric: metric?,
                target: target?,
            }
        }
        _ => {
            let metric = o.req(r, "metric", read_identifier);
            let target = o.req(r, "target", read_target);
            MetricSpec::External {
                metric: metric?,
                target: target?,
            }
        }
    };
    o.finish(r);
    Some(spec)
}

fn read_identifier(r: &mut Reader<'_>, node: &Node, path: &Path) -> Option<MetricIdentifier> {
    let mut o = r.object(node, path)?;
    let name = o.req(r, "name", Reader::string);
    let selector = o.opt(r, "selector", selector::read);
    o.finish(r);
    Some(MetricIdentifier {
        name: name?,
        selector,
    })
}

fn read_target(r: &mut Reader<'_>, node: &Node, path: &Path) -> Option<MetricTarget> {
    let mut o = r.object(node, path)?;
    let kind = o.req(r, "type", |r, n, p| {
        let s = r.string(n, p)?;
        let t = TargetType::parse(&s);
        if t.is_none() {
            r.push(bad_enum(
                p,
                n,
                &s,
                &["Utilization", "Value", "AverageValue"],
            ));
        }
        t
    });
    let value = o.opt(r, "value", Reader::quantity);
    let average_value = o.opt(r, "averageValue", Reader::quantity);
    let average_utilization = o.opt(r, "averageUtilization", Reader::int32);
    o.finish(r);
    Some(MetricTarget {
        kind: kind?,
        value,
        average_value,
        average_utilization,
    })
}
