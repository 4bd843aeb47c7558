//! Typed models of the manifests scalerules reads and writes: Kubernetes `autoscaling/v2`
//! HorizontalPodAutoscaler and KEDA `keda.sh/v1alpha1` ScaledObject, with the fields of
//! their API types (`k8s.io/api/autoscaling/v2/types.go`, KEDA's
//! `apis/keda/v1alpha1/scaledobject_types.go`). Field names follow the Go types in
//! snake case. The models are plain values: [`read`](self::read_document) fills them from
//! YAML (positions stay in the YAML tree, found again by field path), and export fills
//! them from a [`Policy`](super::policy::Policy).

mod hpa;
mod keda;
pub mod read;
pub mod selector;
pub mod write;

pub use selector::{LabelSelector, Requirement};

use super::diagnostic::ImportDiagnostic;
use super::quantity::Quantity;
use super::yaml::{Node, Path};
use crate::diagnostics::Code;
use read::Reader;

#[derive(Clone, Debug, PartialEq)]
pub enum Manifest {
    Hpa(Box<HorizontalPodAutoscaler>),
    Keda(Box<ScaledObject>),
}

/// `metadata`: the parts a policy keeps.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ObjectMeta {
    pub name: String,
    pub namespace: Option<String>,
    pub labels: Vec<(String, String)>,
    pub annotations: Vec<(String, String)>,
}

// ----- HorizontalPodAutoscaler ---------------------------------------------------------

#[derive(Clone, Debug, PartialEq)]
pub struct HorizontalPodAutoscaler {
    pub metadata: ObjectMeta,
    pub spec: HpaSpec,
}

#[derive(Clone, Debug, PartialEq)]
pub struct HpaSpec {
    pub scale_target_ref: ObjectReference,
    /// Absent: 1 (the API default).
    pub min_replicas: Option<i32>,
    pub max_replicas: i32,
    /// Absent: CPU at 80 % (the API default).
    pub metrics: Option<Vec<MetricSpec>>,
    /// Absent: the controller's legacy path, not the same as every default.
    pub behavior: Option<Behavior>,
}

/// `scaleTargetRef`, `describedObject` (`CrossVersionObjectReference`).
#[derive(Clone, Debug, PartialEq)]
pub struct ObjectReference {
    pub api_version: Option<String>,
    pub kind: String,
    pub name: String,
}

/// One entry of `spec.metrics`.
#[derive(Clone, Debug, PartialEq)]
pub enum MetricSpec {
    /// `type: Resource`: a resource of the pods (`cpu`, `memory`), against their requests.
    Resource { name: String, target: MetricTarget },
    /// `type: ContainerResource`: a resource of one container of the pods.
    ContainerResource {
        name: String,
        container: String,
        target: MetricTarget,
    },
    /// `type: Pods`: a custom metric averaged over the pods.
    Pods {
        metric: MetricIdentifier,
        target: MetricTarget,
    },
    /// `type: Object`: a metric of another object (an Ingress's request rate).
    Object {
        described_object: ObjectReference,
        metric: MetricIdentifier,
        target: MetricTarget,
    },
    /// `type: External`: a metric from outside the cluster (a queue's length).
    External {
        metric: MetricIdentifier,
        target: MetricTarget,
    },
}

#[derive(Clone, Debug, PartialEq)]
pub struct MetricIdentifier {
    pub name: String,
    pub selector: Option<LabelSelector>,
}

/// `target`: the type and whichever value fields were written (validated by import).
#[derive(Clone, Debug, PartialEq)]
pub struct MetricTarget {
    pub kind: TargetType,
    pub value: Option<Quantity>,
    pub average_value: Option<Quantity>,
    pub average_utilization: Option<i32>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TargetType {
    Utilization,
    Value,
    AverageValue,
}

impl TargetType {
    pub fn parse(s: &str) -> Option<TargetType> {
        match s {
            "Utilization" => Some(TargetType::Utilization),
            "Value" => Some(TargetType::Value),
            "AverageValue" => Some(TargetType::AverageValue),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            TargetType::Utilization => "Utilization",
            TargetType::Value => "Value",
            TargetType::AverageValue => "AverageValue",
        }
    }
}

/// `spec.behavior` (and KEDA's `advanced.horizontalPodAutoscalerConfig.behavior`).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Behavior {
    pub scale_up: Option<ScalingRules>,
    pub scale_down: Option<ScalingRules>,
}

/// `scaleUp` / `scaleDown`; every field optional (defaults per direction).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ScalingRules {
    pub stabilization_window_seconds: Option<i32>,
    pub select_policy: Option<SelectPolicy>,
    pub policies: Option<Vec<ScalingPolicy>>,
    /// Kubernetes 1.33+ (`HPAConfigurableTolerance`).
    pub tolerance: Option<Quantity>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SelectPolicy {
    Max,
    Min,
    Disabled,
}

impl SelectPolicy {
    pub fn as_str(self) -> &'static str {
        match self {
            SelectPolicy::Max => "Max",
            SelectPolicy::Min => "Min",
            SelectPolicy::Disabled => "Disabled",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ScalingPolicy {
    pub kind: PolicyType,
    pub value: i32,
    pub period_seconds: i32,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PolicyType {
    Pods,
    Percent,
}

impl PolicyType {
    pub fn as_str(self) -> &'static str {
        match self {
            PolicyType::Pods => "Pods",
            PolicyType::Percent => "Percent",
        }
    }
}

// ----- KEDA ScaledObject ---------------------------------------------------------------

#[derive(Clone, Debug, PartialEq)]
pub struct ScaledObject {
    pub metadata: ObjectMeta,
    pub spec: ScaledObjectSpec,
}

#[derive(Clone, Debug, PartialEq)]
pub struct ScaledObjectSpec {
    pub scale_target_ref: ScaleTarget,
    /// Seconds; absent: 30.
    pub polling_interval: Option<i32>,
    /// Seconds; absent: 300.
    pub cooldown_period: Option<i32>,
    pub initial_cooldown_period: Option<i32>,
    pub idle_replica_count: Option<i32>,
    /// Absent: 0.
    pub min_replica_count: Option<i32>,
    /// Absent: 100.
    pub max_replica_count: Option<i32>,
    pub fallback: Option<Fallback>,
    pub advanced: Option<Advanced>,
    pub triggers: Vec<Trigger>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct ScaleTarget {
    pub name: String,
    pub api_version: Option<String>,
    pub kind: Option<String>,
    pub env_source_container_name: Option<String>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Fallback {
    pub failure_threshold: i32,
    pub replicas: i32,
    /// `static`, `currentReplicas`, `currentReplicasIfHigher`, `currentReplicasIfLower`.
    pub behavior: Option<String>,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Advanced {
    pub restore_to_original_replica_count: Option<bool>,
    pub horizontal_pod_autoscaler_config: Option<HpaConfig>,
    pub scaling_modifiers: Option<ScalingModifiers>,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct HpaConfig {
    pub name: Option<String>,
    pub behavior: Option<Behavior>,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct ScalingModifiers {
    pub formula: Option<String>,
    pub target: Option<String>,
    pub activation_target: Option<String>,
    pub metric_type: Option<TargetType>,
}

/// One entry of `spec.triggers`. `metadata` is KEDA's `map[string]string`, kept in written
/// order; import interprets it per trigger type.
#[derive(Clone, Debug, PartialEq)]
pub struct Trigger {
    pub kind: String,
    pub name: Option<String>,
    pub metric_type: Option<TargetType>,
    pub use_cached_metrics: Option<bool>,
    pub metadata: Vec<(String, String)>,
    pub authentication_ref: Option<AuthRef>,
}

impl Trigger {
    pub fn meta(&self, key: &str) -> Option<&str> {
        self.metadata
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct AuthRef {
    pub name: String,
    /// `TriggerAuthentication` (default) or `ClusterTriggerAuthentication`.
    pub kind: Option<String>,
}

// ----- Reading -------------------------------------------------------------------------

/// What one YAML document is.
#[derive(Clone, Debug, PartialEq)]
pub enum Read {
    Manifest(Manifest),
    /// Another kind (a Deployment beside the HPA): skipped with W410.
    Skipped,
    /// Not readable: the diagnostics say why.
    Failed,
}

pub const HPA_API: &str = "autoscaling/v2";
pub const KEDA_API: &str = "keda.sh/v1alpha1";

/// Reads one document; the diagnostics are appended to `diags`.
pub fn read_document(root: &Node, diags: &mut Vec<ImportDiagnostic>) -> Read {
    let mut r = Reader::new(root);
    let read = read_root(&mut r, root);
    diags.append(&mut r.diags);
    read
}

fn read_root(r: &mut Reader<'_>, root: &Node) -> Read {
    let path = Path::root();
    let Some(mut obj) = r.object(root, &path) else {
        return Read::Failed;
    };
    let api = obj.req(r, "apiVersion", Reader::string);
    let kind = obj.req(r, "kind", Reader::string);
    let (Some(api), Some(kind)) = (api, kind) else {
        return Read::Failed;
    };
    let loc = root.locate(&path.key("kind"));
    let group = api.split('/').next().unwrap_or("");
    match (kind.as_str(), group) {
        ("HorizontalPodAutoscaler", "autoscaling") => {
            if api != HPA_API {
                let older = matches!(
                    api.as_str(),
                    "autoscaling/v2beta2" | "autoscaling/v2beta1" | "autoscaling/v1"
                );
                if !older {
                    r.push(unsupported(&api, &kind, loc));
                    return Read::Failed;
                }
                r.push(
                    ImportDiagnostic::warning(
                        Code::OLDER_API_VERSION,
                        "apiVersion",
                        format!("`{api}` is read as {HPA_API}; export writes {HPA_API}"),
                    )
                    .at(root.locate(&path.key("apiVersion"))),
                );
            }
            hpa::read(r, obj, &api)
                .map_or(Read::Failed, |h| Read::Manifest(Manifest::Hpa(Box::new(h))))
        }
        ("ScaledObject", "keda.sh") => {
            if api != KEDA_API {
                r.push(unsupported(&api, &kind, loc));
                return Read::Failed;
            }
            keda::read(r, obj).map_or(Read::Failed, |k| {
                Read::Manifest(Manifest::Keda(Box::new(k)))
            })
        }
        ("ScaledJob", "keda.sh") => {
            r.push(
                ImportDiagnostic::error(
                    Code::UNSUPPORTED_MANIFEST_KIND,
                    "kind",
                    "a KEDA ScaledJob starts Jobs per event; it has no replica count to scale",
                )
                .at(loc)
                .help("scalerules imports ScaledObject (Deployments, StatefulSets and other scalable resources)"),
            );
            Read::Failed
        }
        _ => {
            r.push(
                ImportDiagnostic::warning(
                    Code::OTHER_KIND_SKIPPED,
                    "kind",
                    format!("a {kind} ({api}) is not an autoscaler: skipped"),
                )
                .at(loc),
            );
            Read::Skipped
        }
    }
}

fn unsupported(api: &str, kind: &str, loc: super::yaml::Loc) -> ImportDiagnostic {
    ImportDiagnostic::error(
        Code::UNSUPPORTED_MANIFEST_KIND,
        "apiVersion",
        format!("{kind} `{api}` is not a version this import reads"),
    )
    .at(loc)
    .help(format!(
        "write `apiVersion: {}`",
        if kind == "ScaledObject" {
            KEDA_API
        } else {
            HPA_API
        }
    ))
}

/// `metadata`, with the fields the API server sets reported and ignored.
fn read_metadata(r: &mut Reader<'_>, node: &Node, path: &Path) -> Option<ObjectMeta> {
    let mut o = r.object(node, path)?;
    let name = o.req(r, "name", Reader::string);
    let namespace = o.opt(r, "namespace", Reader::string);
    let labels = o.opt(r, "labels", Reader::string_map).unwrap_or_default();
    let annotations = o
        .opt(r, "annotations", Reader::string_map)
        .unwrap_or_default();
    o.server_set(
        r,
        &[
            "uid",
            "resourceVersion",
            "generation",
            "creationTimestamp",
            "deletionTimestamp",
            "deletionGracePeriodSeconds",
            "managedFields",
            "selfLink",
            "ownerReferences",
            "finalizers",
        ],
    );
    o.finish(r);
    Some(ObjectMeta {
        name: name?,
        namespace,
        labels,
        annotations,
    })
}

/// `behavior` / `horizontalPodAutoscalerConfig.behavior`.
fn read_behavior(r: &mut Reader<'_>, node: &Node, path: &Path) -> Option<Behavior> {
    let mut o = r.object(node, path)?;
    let scale_up = o.opt(r, "scaleUp", read_rules);
    let scale_down = o.opt(r, "scaleDown", read_rules);
    o.finish(r);
    Some(Behavior {
        scale_up,
        scale_down,
    })
}

fn read_rules(r: &mut Reader<'_>, node: &Node, path: &Path) -> Option<ScalingRules> {
    let mut o = r.object(node, path)?;
    let stabilization_window_seconds = o.opt(r, "stabilizationWindowSeconds", Reader::int32);
    let select_policy = o.opt(r, "selectPolicy", |r, n, p| {
        let s = r.string(n, p)?;
        let v = match s.as_str() {
            "Max" => Some(SelectPolicy::Max),
            "Min" => Some(SelectPolicy::Min),
            "Disabled" => Some(SelectPolicy::Disabled),
            _ => None,
        };
        if v.is_none() {
            r.push(bad_enum(p, n, &s, &["Max", "Min", "Disabled"]));
        }
        v
    });
    let policies = o.opt(r, "policies", |r, n, p| r.list(n, p, read_policy));
    let tolerance = o.opt(r, "tolerance", Reader::quantity);
    o.finish(r);
    Some(ScalingRules {
        stabilization_window_seconds,
        select_policy,
        policies,
        tolerance,
    })
}

fn read_policy(r: &mut Reader<'_>, node: &Node, path: &Path) -> Option<ScalingPolicy> {
    let mut o = r.object(node, path)?;
    let kind = o.req(r, "type", |r, n, p| {
        let s = r.string(n, p)?;
        let v = match s.as_str() {
            "Pods" => Some(PolicyType::Pods),
            "Percent" => Some(PolicyType::Percent),
            _ => None,
        };
        if v.is_none() {
            r.push(bad_enum(p, n, &s, &["Pods", "Percent"]));
        }
        v
    });
    let value = o.req(r, "value", Reader::int32);
    let period_seconds = o.req(r, "periodSeconds", Reader::int32);
    o.finish(r);
    Some(ScalingPolicy {
        kind: kind?,
        value: value?,
        period_seconds: period_seconds?,
    })
}

/// E405 for a value outside an enum, with the closest accepted spelling.
pub(crate) fn bad_enum(
    path: &Path,
    node: &Node,
    found: &str,
    accepted: &[&str],
) -> ImportDiagnostic {
    let list = accepted
        .iter()
        .map(|a| format!("`{a}`"))
        .collect::<Vec<_>>()
        .join(", ");
    let mut d = ImportDiagnostic::error(
        Code::INVALID_FIELD_VALUE,
        path.to_string(),
        format!("`{found}` is not one of {list}"),
    )
    .at(node.loc);
    if let Some(c) = accepted
        .iter()
        .find(|a| a.eq_ignore_ascii_case(found) || strsim::levenshtein(a, found) <= 2)
    {
        d = d.help(format!("did you mean `{c}`?"));
    }
    d
}
