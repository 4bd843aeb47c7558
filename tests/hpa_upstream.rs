//! The Kubernetes HPA controller's own tests, transcribed through the library API of
//! `scalerules::eval::target`. Each test names the upstream test it comes from, in
//! kubernetes `pkg/controller/podautoscaler/replica_calculator_test.go` or
//! `horizontal_test.go` (Apache-2.0); the cases are restated here, no upstream code is
//! copied. Upstream feeds per-pod samples; the library takes the aggregate form
//! (docs/kubernetes.md, "The aggregate form"): a resource utilisation is the sum of the
//! ready pods' usage over the sum of their requests, a Pods metric is the ready pods'
//! average, pods are counted as ready (with a sample), unready or missing (ready, no
//! sample). Failed and deleted pods do not exist in that form. For CPU, upstream also
//! counts a pod in its CPU initialisation period ("hot CPU") as unready: the transcriptions
//! of those tests report it as unready.
//!
//! One module per upstream file or theme: `replica_calculator`, `reconcile` and
//! `normalization` transcribe upstream cases; `sequences` runs the defaults and the
//! documentation's examples over time; `properties` checks invariants over generated
//! sequences.

use proptest::prelude::*;
use scalerules::eval::target::behavior::{self, stabilize, stabilize_legacy};
use scalerules::eval::target::{
    Behavior, ControllerConfig, Hpa, Limit, MetricError, MetricTarget, Normalization, Observation,
    Outcome, Pods, Policy, Proposal, Recommendation, RulesSpec, ScaleEvent, SelectPolicy, Source,
    Stabilization, State, Target, Tolerances, Why,
};

const T0: i64 = 1_700_000_000_000;
const S: i64 = 1000;
const MIN: i64 = 60 * S;
const TOL: Tolerances = Tolerances { down: 0.1, up: 0.1 };

#[path = "hpa_upstream/normalization.rs"]
mod normalization;
#[path = "hpa_upstream/properties.rs"]
mod properties;
#[path = "hpa_upstream/reconcile.rs"]
mod reconcile;
#[path = "hpa_upstream/replica_calculator.rs"]
mod replica_calculator;
#[path = "hpa_upstream/sequences.rs"]
mod sequences;

// ------------------------------------------------------------------ helpers

fn cpu(target_percent: u32) -> MetricTarget {
    MetricTarget::new(Source::PodAverage, Target::Utilization(target_percent))
        .expect("valid target")
}

fn pods_metric(target: f64) -> MetricTarget {
    MetricTarget::new(Source::PodAverage, Target::AverageValue(target)).expect("valid target")
}

fn total_value(target: f64) -> MetricTarget {
    MetricTarget::new(Source::Total, Target::Value(target)).expect("valid target")
}

fn total_per_pod(target: f64) -> MetricTarget {
    MetricTarget::new(Source::Total, Target::AverageValue(target)).expect("valid target")
}

/// Utilisation as a fraction: the ready pods' usage over their requests (millicores).
fn util(levels: &[u32], requests: &[u32]) -> f64 {
    f64::from(levels.iter().sum::<u32>()) / f64::from(requests.iter().sum::<u32>())
}

/// A Pods metric's value in SI: the average of milli-unit samples.
fn avg_milli(levels: &[u32]) -> f64 {
    f64::from(levels.iter().sum::<u32>()) / levels.len() as f64 / 1000.0
}

fn pods(ready: u32, unready: u32, missing: u32) -> Pods {
    Pods {
        ready,
        unready,
        missing,
    }
}

fn propose(m: MetricTarget, spec: u32, p: Pods, value: f64) -> Proposal {
    match m.propose(Some(value), spec, p, TOL) {
        Ok(p) => p,
        Err(e) => panic!("unexpected metric error: {e}"),
    }
}

fn hpa(min: u32, max: u32, metrics: Vec<MetricTarget>, behavior: Option<Behavior>) -> Hpa {
    Hpa {
        min,
        max,
        metrics,
        behavior,
        controller: ControllerConfig::default(),
    }
}

/// An autoscaler that has run before (upstream `recommendations: []timestampedRecommendation{}`).
fn seasoned() -> State {
    State {
        recommendations: Some(Vec::new()),
        ..State::default()
    }
}

fn run(h: &Hpa, state: &mut State, spec: u32, p: Pods, values: &[Option<f64>]) -> Outcome {
    let obs = Observation {
        replicas: spec,
        pods: p,
        values,
    };
    match h.evaluate(state, T0, &obs) {
        Ok(o) => o,
        Err(e) => panic!("{e}"),
    }
}

fn limit_of(o: &Outcome) -> Option<Limit> {
    match o.why {
        Why::Normalized { normalized, .. } => Some(normalized.limit),
        _ => None,
    }
}

fn stabilization_of(o: &Outcome) -> Option<Stabilization> {
    match o.why {
        Why::Normalized { normalized, .. } => Some(normalized.stabilization),
        _ => None,
    }
}

/// `generateScalingRules(pods, podsPeriod, percent, percentPeriod, window)`, select Max.
fn rules(pods: u32, pods_period: i64, percent: u32, percent_period: i64, window: i64) -> RulesSpec {
    let mut policies = Vec::new();
    if pods != 0 {
        policies.push(Policy::pods(pods, pods_period * S));
    }
    if percent != 0 {
        policies.push(Policy::percent(percent, percent_period * S));
    }
    RulesSpec {
        stabilization_window: Some(window * S),
        select: Some(SelectPolicy::Max),
        policies: Some(policies),
        tolerance: None,
    }
}

fn behavior_of(up: Option<RulesSpec>, down: Option<RulesSpec>) -> Behavior {
    Behavior::resolve(up, down, &ControllerConfig::default())
}

/// `generateEventsUniformDistribution(raw, period)`: events spread over the last `period`
/// seconds, each in the middle of its segment.
fn uniform_events(raw: &[u32], period: i64) -> Vec<ScaleEvent> {
    let segment = period as f64 / raw.len() as f64;
    raw.iter()
        .enumerate()
        .map(|(i, &change)| {
            let ago = (period as f64 - segment * (i + 1) as f64 + segment / 2.0) as i64;
            ScaleEvent {
                change,
                at: T0 - ago * S,
                outdated: false,
            }
        })
        .collect()
}

fn rec(replicas: u32, ago: i64) -> Recommendation {
    Recommendation {
        replicas,
        at: T0 - ago,
    }
}

/// Feeds a desired count straight through: one `External` metric with an `AverageValue`
/// target of 1 and the value `want` (KEDA's cron trigger works this way), tolerance 0.
fn driver(min: u32, max: u32, behavior: Option<Behavior>) -> Hpa {
    Hpa {
        min,
        max,
        metrics: vec![total_per_pod(1.0)],
        behavior,
        controller: ControllerConfig {
            tolerance: 0.0,
            ..ControllerConfig::default()
        },
    }
}
