//! `import`: HorizontalPodAutoscaler and ScaledObject manifests → [`Policy`] values (and,
//! through [`print`](super::print), `.scale` text). `docs/design-kubernetes.md` section 8
//! is the mapping; every field either becomes a statement or a `kubernetes { }` line, or
//! is named by a diagnostic.

mod hpa;
mod keda;
mod schedule;

use super::diagnostic::ImportDiagnostic;
use super::manifest::{self, Manifest, ObjectMeta, Read};
use super::names;
use super::policy::{self, Kubernetes, ManifestKind, Metric, Policy, Source, Unit};
use super::yaml::{self, Node, Path};
use crate::diagnostics::Code;

/// What one YAML file imports to: a policy per autoscaler document, and every diagnostic
/// in document order.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Imported {
    pub policies: Vec<Policy>,
    pub diagnostics: Vec<ImportDiagnostic>,
}

impl Imported {
    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(ImportDiagnostic::is_error)
    }
}

/// Imports every document of one YAML file. A document that cannot be read adds its
/// diagnostics and no policy; a field that cannot be translated adds a diagnostic and the
/// rest of the document still imports.
pub fn import(src: &str) -> Imported {
    let mut out = Imported::default();
    let docs = match yaml::parse_stream(src) {
        Ok(d) => d,
        Err(e) => {
            out.diagnostics.push(
                ImportDiagnostic::error(
                    Code::YAML_SYNTAX_ERROR,
                    "(file)",
                    format!("the YAML does not parse: {}", e.message),
                )
                .at(e.loc),
            );
            return out;
        }
    };
    for doc in &docs {
        let start = out.diagnostics.len();
        import_document(&doc.root, &mut out);
        // In document order: by position, errors before warnings at one place.
        out.diagnostics[start..]
            .sort_by_key(|d| (d.span.start, d.line, std::cmp::Reverse(d.severity)));
    }
    out
}

fn import_document(doc: &Node, out: &mut Imported) {
    for (path, loc, first) in yaml::duplicate_keys(doc) {
        out.diagnostics.push(
            ImportDiagnostic::error(
                Code::DUPLICATE_YAML_KEY,
                path.to_string(),
                format!(
                    "this key is already set on line {first}; Kubernetes refuses duplicate fields"
                ),
            )
            .at(loc)
            .help("keep one of the two"),
        );
    }
    let mut diags = Vec::new();
    let read = manifest::read_document(doc, &mut diags);
    out.diagnostics.append(&mut diags);
    let Read::Manifest(m) = read else { return };
    let mut cx = Cx::new(doc);
    let policy = match &m {
        Manifest::Hpa(h) => hpa::policy(&mut cx, h),
        Manifest::Keda(k) => keda::policy(&mut cx, k),
    };
    out.diagnostics.append(&mut cx.diags);
    out.policies.push(policy);
}

/// The state of importing one document: its tree (to place diagnostics by field path),
/// the diagnostics so far, and the metrics declared so far.
pub(crate) struct Cx<'a> {
    root: &'a Node,
    pub diags: Vec<ImportDiagnostic>,
    metrics: Vec<(Metric, Option<Source>)>,
}

impl<'a> Cx<'a> {
    fn new(root: &'a Node) -> Self {
        Cx {
            root,
            diags: Vec::new(),
            metrics: Vec::new(),
        }
    }

    /// An error at `path`'s position.
    pub fn error(
        &mut self,
        code: Code,
        path: &Path,
        message: impl Into<String>,
    ) -> &mut ImportDiagnostic {
        let d = ImportDiagnostic::error(code, path.to_string(), message).at(self.root.locate(path));
        self.diags.push(d);
        self.diags.last_mut().expect("just pushed")
    }

    /// A warning at `path`'s position.
    pub fn warn(
        &mut self,
        code: Code,
        path: &Path,
        message: impl Into<String>,
    ) -> &mut ImportDiagnostic {
        let d =
            ImportDiagnostic::warning(code, path.to_string(), message).at(self.root.locate(path));
        self.diags.push(d);
        self.diags.last_mut().expect("just pushed")
    }

    /// Declares the metric that reads `column` with this meaning and returns its name: the
    /// same column with the same meaning is the same metric; with another meaning it gets
    /// a suffix (`cpu_utilization_2`).
    pub fn metric(
        &mut self,
        path: &Path,
        column: &str,
        unit: Option<Unit>,
        per_replica: bool,
        source: Option<Source>,
    ) -> String {
        let same = |m: &Metric, s: &Option<Source>| {
            m.unit == unit && m.per_replica == per_replica && *s == source
        };
        if let Some((m, _)) = self
            .metrics
            .iter()
            .find(|(m, s)| m.column() == column && same(m, s))
        {
            return m.name.clone();
        }
        let mut col = column.to_string();
        let mut n = 1;
        while self
            .metrics
            .iter()
            .any(|(m, _)| m.column() == col || m.name == names::ident(&col))
        {
            n += 1;
            col = format!("{column}_{n}");
        }
        if n > 1 {
            self.warn(
                Code::RENAMED_METRIC,
                path,
                format!("another metric already reads column `{column}` with a different meaning: this one reads `{col}`"),
            );
        }
        let name = names::ident(&col);
        if name != col {
            self.warn(
                Code::RENAMED_METRIC,
                path,
                format!("`{col}` is not a scalerules name: the metric is `{name}`, reading column \"{col}\""),
            );
        }
        let metric = Metric {
            name: name.clone(),
            column: (name != col).then_some(col),
            unit,
            per_replica,
        };
        self.metrics.push((metric, source));
        name
    }

    /// The metrics and their sources, in declaration order.
    fn take_metrics(&mut self) -> (Vec<Metric>, Vec<(String, Source)>) {
        let list = std::mem::take(&mut self.metrics);
        let sources = list
            .iter()
            .filter_map(|(m, s)| s.clone().map(|s| (m.name.clone(), s)))
            .collect();
        (list.into_iter().map(|(m, _)| m).collect(), sources)
    }

    /// Whether the document has a value at `path` (a field the reader could not read is
    /// present, and already reported).
    pub fn present(&self, path: &Path) -> bool {
        self.root.lookup(path).is_some_and(|n| !n.is_null())
    }

    /// A non-negative count (replicas), E405 otherwise.
    pub fn count(&mut self, path: &Path, v: i32) -> Option<u32> {
        match u32::try_from(v) {
            Ok(c) => Some(c),
            Err(_) => {
                self.error(
                    Code::INVALID_FIELD_VALUE,
                    path,
                    format!("{v} is negative; a count of replicas is 0 or more"),
                );
                None
            }
        }
    }
}

/// `service NAME` and the `kubernetes { hpa|keda "NAME" namespace … label … annotation … }`
/// lines from `metadata`.
fn service_and_meta(
    cx: &mut Cx<'_>,
    meta: &ObjectMeta,
    kind: ManifestKind,
) -> (String, Kubernetes) {
    let service = names::ident(&meta.name);
    if service != meta.name {
        cx.warn(
            Code::RENAMED_METRIC,
            &Path::root().key("metadata").key("name"),
            format!(
                "`{}` is not a scalerules name: the service is `{service}`",
                meta.name
            ),
        )
        .help = Some("the manifest's name is kept verbatim in `kubernetes { … }`".into());
    }
    let k = Kubernetes {
        kind,
        name: meta.name.clone(),
        namespace: meta.namespace.clone(),
        labels: meta.labels.clone(),
        annotations: meta.annotations.clone(),
        ..Kubernetes::default()
    };
    (service, k)
}

/// `behavior`: the manifest's fields, checked against the API's limits
/// (`validateScalingRules`: windows 0–3600 s, periods 1–1800 s, values > 0, a non-empty
/// policy list, tolerance ≥ 0).
fn behavior(cx: &mut Cx<'_>, b: &manifest::Behavior, path: &Path) -> policy::Behavior {
    policy::Behavior {
        scale_out: b
            .scale_up
            .as_ref()
            .map(|r| rules(cx, r, &path.key("scaleUp"))),
        scale_in: b
            .scale_down
            .as_ref()
            .map(|r| rules(cx, r, &path.key("scaleDown"))),
    }
}

fn rules(cx: &mut Cx<'_>, r: &manifest::ScalingRules, path: &Path) -> policy::Rules {
    let stabilize = r.stabilization_window_seconds.and_then(|w| {
        let p = path.key("stabilizationWindowSeconds");
        if !(0..=3600).contains(&w) {
            cx.error(
                Code::INVALID_FIELD_VALUE,
                &p,
                format!("{w} s is outside the API's 0–3600 s"),
            );
            return None;
        }
        Some(w as u32)
    });
    let policies = r.policies.as_ref().map(|list| {
        let p = path.key("policies");
        if list.is_empty() {
            cx.error(
                Code::INVALID_FIELD_VALUE,
                &p,
                "an empty policy list: the API needs at least one policy when `policies` is given",
            )
            .help = Some("remove `policies` to take the default ones".into());
        }
        list.iter()
            .enumerate()
            .filter_map(|(i, pol)| rate_policy(cx, pol, &p.index(i)))
            .collect()
    });
    let select = r.select_policy.map(|s| match s {
        manifest::SelectPolicy::Max => policy::Select::Max,
        manifest::SelectPolicy::Min => policy::Select::Min,
        manifest::SelectPolicy::Disabled => policy::Select::Disabled,
    });
    let tolerance = r.tolerance.filter(|t| {
        if t.value.is_negative() {
            cx.error(
                Code::INVALID_FIELD_VALUE,
                &path.key("tolerance"),
                "a tolerance is 0 or more",
            );
            return false;
        }
        true
    });
    policy::Rules {
        stabilize,
        policies,
        select,
        tolerance,
    }
}

fn rate_policy(
    cx: &mut Cx<'_>,
    p: &manifest::ScalingPolicy,
    path: &Path,
) -> Option<policy::RatePolicy> {
    let mut ok = true;
    if p.value <= 0 {
        cx.error(
            Code::INVALID_FIELD_VALUE,
            &path.key("value"),
            format!("{} is not above 0", p.value),
        );
        ok = false;
    }
    if !(1..=1800).contains(&p.period_seconds) {
        cx.error(
            Code::INVALID_FIELD_VALUE,
            &path.key("periodSeconds"),
            format!("{} s is outside the API's 1–1800 s", p.period_seconds),
        );
        ok = false;
    }
    if !ok {
        return None;
    }
    let (value, period) = (p.value as u32, p.period_seconds as u32);
    Some(match p.kind {
        manifest::PolicyType::Pods => policy::RatePolicy::Replicas {
            count: value,
            period,
        },
        manifest::PolicyType::Percent => policy::RatePolicy::Percent {
            percent: value,
            period,
        },
    })
}

/// `replicas MIN..MAX`, checked (`min ≤ max`, `max ≥ 1`).
fn bounds(cx: &mut Cx<'_>, min: (u32, &Path), max: (u32, &Path)) -> policy::Replicas {
    if max.0 < 1 {
        cx.error(
            Code::INVALID_FIELD_VALUE,
            max.1,
            "the maximum must be at least 1",
        );
    } else if min.0 > max.0 {
        cx.error(
            Code::INVALID_FIELD_VALUE,
            min.1,
            format!("the minimum {} is above the maximum {}", min.0, max.0),
        );
    }
    policy::Replicas {
        min: min.0,
        max: max.0,
    }
}
