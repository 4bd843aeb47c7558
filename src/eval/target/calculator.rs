//! The replica calculator: what one metric proposes, computed as the HPA controller does
//! in kubernetes `pkg/controller/podautoscaler/replica_calculator.go`, on the aggregate
//! inputs scalerules has (an average over the ready pods, or a total, plus pod counts)
//! instead of per-pod samples. `docs/kubernetes.md` ("Target tracking") gives every
//! formula with the upstream function it follows.

use std::fmt;

/// What a metric's value is an aggregate of.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Source {
    /// A `Resource`, `ContainerResource` or `Pods` metric: the value is the average over
    /// the ready pods that reported one (`cpu_utilization`, `memory_average`, `inflight`).
    PodAverage,
    /// An `Object` or `External` metric: the value is one total for the service
    /// (`queue_depth`, `requests_per_second`).
    Total,
}

/// The target a metric is held at (`autoscaling/v2` `MetricTarget`).
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Target {
    /// `type: Utilization` — average use as a share of the pods' requests, in whole percent
    /// (`averageUtilization: 60`). Only for a [`Source::PodAverage`] resource metric.
    Utilization(u32),
    /// `type: AverageValue` — per replica, in SI units.
    AverageValue(f64),
    /// `type: Value` — the total, in SI units. Only for a [`Source::Total`] metric.
    Value(f64),
}

/// One metric of a target-tracking policy: what its value is and where to hold it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct MetricTarget {
    source: Source,
    target: Target,
}

/// A metric target that the HPA API would reject.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum TargetError {
    #[error("a utilization target needs a per-pod resource metric, not a total")]
    UtilizationOfTotal,
    #[error("a `Value` target needs a total (Object or External metric), not a per-pod average")]
    ValueOfPodAverage,
    #[error("the target must be greater than zero")]
    NotPositive,
}

impl MetricTarget {
    /// Checks the pairing as the API's validation does (`Utilization` only for resource
    /// metrics, `Value` only for Object/External metrics, targets above zero).
    pub fn new(source: Source, target: Target) -> Result<Self, TargetError> {
        match (source, target) {
            (Source::Total, Target::Utilization(_)) => return Err(TargetError::UtilizationOfTotal),
            (Source::PodAverage, Target::Value(_)) => return Err(TargetError::ValueOfPodAverage),
            _ => {}
        }
        let positive = match target {
            Target::Utilization(p) => p > 0,
            Target::AverageValue(v) | Target::Value(v) => v.is_finite() && milli(v) > 0,
        };
        if !positive {
            return Err(TargetError::NotPositive);
        }
        Ok(MetricTarget { source, target })
    }

    pub fn source(&self) -> Source {
        self.source
    }

    pub fn target(&self) -> Target {
        self.target
    }
}

/// The no-change band around a usage ratio of 1: no change while
/// `1 − down ≤ ratio ≤ 1 + up` (`Tolerances.isWithin`, replica_calculator.go).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Tolerances {
    pub down: f64,
    pub up: f64,
}

impl Tolerances {
    /// The same tolerance both ways.
    pub fn both(t: f64) -> Self {
        Tolerances { down: t, up: t }
    }

    pub fn is_within(&self, ratio: f64) -> bool {
        (1.0 - self.down) <= ratio && ratio <= (1.0 + self.up)
    }
}

/// The pods behind one evaluation, as the controller groups them (`groupPods`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Pods {
    /// Ready pods whose metric the value aggregates.
    pub ready: u32,
    /// Pods that are not ready (in a backtest: requested replicas still starting).
    pub unready: u32,
    /// Ready pods that reported no metric (online only; a backtest has none).
    pub missing: u32,
}

impl Pods {
    /// All ready pods, with or without a metric.
    pub fn ready(ready: u32) -> Self {
        Pods {
            ready,
            unready: 0,
            missing: 0,
        }
    }

    /// Every pod the selector finds: the scale subresource's `status.replicas`.
    pub fn total(&self) -> u32 {
        self.ready
            .saturating_add(self.unready)
            .saturating_add(self.missing)
    }
}

/// What one metric proposes.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Proposal {
    pub replicas: u32,
    /// The first-pass usage ratio, current / target.
    pub ratio: f64,
    /// The current value the controller reports: whole percent for a utilization target,
    /// else the value in SI (per pod for an average target, the total for a value target).
    pub current: f64,
}

/// Why a metric proposes nothing. The controller counts it as an invalid metric
/// (`computeReplicasForMetrics`): it cannot raise the count, and it blocks a scale-down.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum MetricError {
    #[error("no value (the metric is unavailable at this evaluation)")]
    Unavailable,
    #[error("the value is not a finite number")]
    NotFinite,
    #[error("the value is negative")]
    Negative,
    #[error("no pods returned by selector while calculating replica count")]
    NoPods,
    #[error("did not receive metrics for targeted pods (pods might be unready)")]
    NoReadyPods,
}

impl fmt::Display for Proposal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} replicas (ratio {:.3})", self.replicas, self.ratio)
    }
}

impl MetricTarget {
    /// What this metric proposes, given the current (spec) replica count, the pods and the
    /// metric's value in SI (`None` when it is unavailable).
    pub fn propose(
        &self,
        value: Option<f64>,
        spec_replicas: u32,
        pods: Pods,
        tolerances: Tolerances,
    ) -> Result<Proposal, MetricError> {
        let value = value.ok_or(MetricError::Unavailable)?;
        if !value.is_finite() {
            return Err(MetricError::NotFinite);
        }
        if value < 0.0 {
            return Err(MetricError::Negative);
        }
        match (self.source, self.target) {
            (Source::PodAverage, Target::Utilization(t)) => {
                utilization(value, t, spec_replicas, pods, tolerances)
            }
            (Source::PodAverage, Target::AverageValue(t)) => {
                pod_average(value, milli(t), spec_replicas, pods, tolerances)
            }
            (Source::Total, Target::Value(t)) => {
                total_value(value, milli(t), spec_replicas, pods, tolerances)
            }
            (Source::Total, Target::AverageValue(t)) => {
                Ok(total_per_pod(value, milli(t), pods, tolerances))
            }
            // `new` rejects the other pairings.
            (Source::Total, Target::Utilization(_)) | (Source::PodAverage, Target::Value(_)) => {
                Err(MetricError::Unavailable)
            }
        }
    }
}

/// `GetResourceReplicas` with a `Utilization` target. `avg` is the average utilisation of
/// the ready pods as a fraction (0.6 = 60 %). Pods are assumed to request the same amount
/// (one pod template), so sums over pods become counts times averages.
fn utilization(
    avg: f64,
    target: u32,
    spec: u32,
    pods: Pods,
    tol: Tolerances,
) -> Result<Proposal, MetricError> {
    check_pods(pods)?;
    let target = f64::from(target);
    let pct = avg * 100.0;
    // currentUtilization = int32(metricsTotal * 100 / requestsTotal): whole percent.
    let current = floor_exact(pct);
    let ratio = current / target;
    let up_with_unready = pods.unready > 0 && ratio > 1.0;
    if !up_with_unready && pods.missing == 0 {
        let replicas = if tol.is_within(ratio) {
            spec
        } else {
            ceil_count(ratio * f64::from(pods.ready))
        };
        return Ok(Proposal {
            replicas,
            ratio,
            current,
        });
    }
    // Second pass: missing pods at max(100 %, target) on a scale-down and 0 % on a
    // scale-up, unready pods at 0 % on a scale-up; then the ratio is computed again.
    let mut sum = pct * f64::from(pods.ready);
    let mut counted = pods.ready;
    if pods.missing > 0 {
        if ratio < 1.0 {
            sum += target.max(100.0) * f64::from(pods.missing);
            counted += pods.missing;
        } else if ratio > 1.0 {
            counted += pods.missing;
        }
    }
    if up_with_unready {
        counted += pods.unready;
    }
    let new_ratio = floor_exact(sum / f64::from(counted)) / target;
    Ok(Proposal {
        replicas: second_pass(ratio, new_ratio, counted, spec, tol),
        ratio,
        current,
    })
}

/// `calcPlainMetricReplicas` (a `Pods` metric, or a resource with an `AverageValue`
/// target). `avg` is the per-pod average over the ready pods in SI; arithmetic is in
/// integer milli-units as upstream.
fn pod_average(
    avg: f64,
    target: i64,
    spec: u32,
    pods: Pods,
    tol: Tolerances,
) -> Result<Proposal, MetricError> {
    check_pods(pods)?;
    let total = milli(avg * f64::from(pods.ready));
    // GetMetricUsageRatio: currentUsage = metricsTotal / len(metrics), integer division.
    let usage = total / i64::from(pods.ready);
    let ratio = usage as f64 / target as f64;
    let current = usage as f64 / 1000.0;
    let up_with_unready = pods.unready > 0 && ratio > 1.0;
    if !up_with_unready && pods.missing == 0 {
        let replicas = if tol.is_within(ratio) {
            spec
        } else {
            ceil_count(ratio * f64::from(pods.ready))
        };
        return Ok(Proposal {
            replicas,
            ratio,
            current,
        });
    }
    // Missing pods count at the target on a scale-down, at 0 on a scale-up; unready pods
    // at 0 on a scale-up.
    let mut sum = total;
    let mut counted = pods.ready;
    if pods.missing > 0 {
        if ratio < 1.0 {
            sum = sum.saturating_add(target.saturating_mul(i64::from(pods.missing)));
            counted += pods.missing;
        } else if ratio > 1.0 {
            counted += pods.missing;
        }
    }
    if up_with_unready {
        counted += pods.unready;
    }
    let new_ratio = (sum / i64::from(counted)) as f64 / target as f64;
    Ok(Proposal {
        replicas: second_pass(ratio, new_ratio, counted, spec, tol),
        ratio,
        current,
    })
}

/// The end of the second pass, shared by both per-pod calculations: no change when the
/// new ratio lies inside the tolerance or flips the direction, or when the new count
/// would move against the new ratio.
fn second_pass(ratio: f64, new_ratio: f64, counted: u32, spec: u32, tol: Tolerances) -> u32 {
    if tol.is_within(new_ratio)
        || (ratio < 1.0 && new_ratio > 1.0)
        || (ratio > 1.0 && new_ratio < 1.0)
    {
        return spec;
    }
    let replicas = ceil_count(new_ratio * f64::from(counted));
    if (new_ratio < 1.0 && replicas > spec) || (new_ratio > 1.0 && replicas < spec) {
        return spec;
    }
    replicas
}

/// `GetObjectMetricReplicas` / `GetExternalMetricReplicas` with a `Value` target, through
/// `getUsageRatioReplicaCount`: the ratio times the ready pods; from zero replicas the
/// ratio alone, with no tolerance (scale from zero).
fn total_value(
    total: f64,
    target: i64,
    spec: u32,
    pods: Pods,
    tol: Tolerances,
) -> Result<Proposal, MetricError> {
    let usage = milli(total);
    let ratio = usage as f64 / target as f64;
    let current = usage as f64 / 1000.0;
    let replicas = if spec != 0 {
        if tol.is_within(ratio) {
            spec
        } else {
            if pods.total() == 0 {
                return Err(MetricError::NoPods);
            }
            // getReadyPodsCount: running and ready, whether or not they report metrics.
            let ready = pods.ready.saturating_add(pods.missing);
            ceil_count(ratio * f64::from(ready))
        }
    } else {
        ceil_count(ratio)
    };
    Ok(Proposal {
        replicas,
        ratio,
        current,
    })
}

/// `GetObjectPerPodMetricReplicas` / `GetExternalPerPodMetricReplicas` (an `AverageValue`
/// target on a total): compared per pod that exists (`status.replicas`, ready or not);
/// outside the tolerance the proposal is `ceil(total / target)`. Inside it, the proposal is
/// the number of pods that exist, which may differ from the spec count.
fn total_per_pod(total: f64, target: i64, pods: Pods, tol: Tolerances) -> Proposal {
    let usage = milli(total);
    let status = pods.total();
    let ratio = usage as f64 / (target as f64 * f64::from(status));
    let replicas = if tol.is_within(ratio) {
        status
    } else {
        ceil_count(usage as f64 / target as f64)
    };
    let current = if status == 0 {
        usage as f64 / 1000.0
    } else {
        (usage as f64 / f64::from(status)).ceil() / 1000.0
    };
    Proposal {
        replicas,
        ratio,
        current,
    }
}

fn check_pods(pods: Pods) -> Result<(), MetricError> {
    if pods.total() == 0 {
        return Err(MetricError::NoPods);
    }
    if pods.ready == 0 {
        return Err(MetricError::NoReadyPods);
    }
    Ok(())
}

/// `int32(math.Ceil(x))`, capped at `MaxInt32` as upstream caps it, never negative.
pub(crate) fn ceil_count(x: f64) -> u32 {
    let c = x.ceil();
    if c.is_nan() || c <= 0.0 {
        0
    } else if c >= f64::from(i32::MAX) {
        i32::MAX as u32
    } else {
        c as u32
    }
}

/// A value in SI as integer milli-units, the controller's unit (`Quantity.MilliValue`,
/// which rounds up). A value within floating-point noise of a whole milli-unit is that
/// milli-unit, so 0.1 is 100 and not 101.
pub(crate) fn milli(x: f64) -> i64 {
    let m = x * 1000.0;
    let r = m.round();
    if (m - r).abs() <= 1e-12 * r.abs().max(1.0) {
        r as i64
    } else {
        m.ceil() as i64
    }
}

/// `floor`, except that a value within floating-point noise of a whole number is that
/// number: 0.29 × 100 is 29, not 28 (upstream divides integers; scalerules has floats).
pub(crate) fn floor_exact(x: f64) -> f64 {
    let r = x.round();
    if (x - r).abs() <= 1e-12 * r.abs().max(1.0) {
        r
    } else {
        x.floor()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn milli_and_floor_absorb_float_noise() {
        assert_eq!(milli(0.1), 100);
        assert_eq!(milli(0.0011), 2, "a fraction of a milli-unit rounds up");
        assert_eq!(floor_exact(0.29 * 100.0), 29.0);
        assert_eq!(floor_exact(28.7), 28.0);
    }

    #[test]
    fn pairings_follow_the_api_validation() {
        assert_eq!(
            MetricTarget::new(Source::Total, Target::Utilization(50)),
            Err(TargetError::UtilizationOfTotal)
        );
        assert_eq!(
            MetricTarget::new(Source::PodAverage, Target::Value(1.0)),
            Err(TargetError::ValueOfPodAverage)
        );
        assert_eq!(
            MetricTarget::new(Source::PodAverage, Target::AverageValue(0.0)),
            Err(TargetError::NotPositive)
        );
    }

    #[test]
    fn unusable_values_are_metric_errors() {
        let m = MetricTarget::new(Source::PodAverage, Target::Utilization(50)).unwrap();
        let tol = Tolerances::both(0.1);
        assert_eq!(
            m.propose(None, 3, Pods::ready(3), tol),
            Err(MetricError::Unavailable)
        );
        assert_eq!(
            m.propose(Some(f64::INFINITY), 3, Pods::ready(3), tol),
            Err(MetricError::NotFinite)
        );
        assert_eq!(
            m.propose(Some(-1.0), 3, Pods::ready(3), tol),
            Err(MetricError::Negative)
        );
        assert_eq!(
            m.propose(Some(0.5), 3, Pods::default(), tol),
            Err(MetricError::NoPods)
        );
        let starting = Pods {
            ready: 0,
            unready: 3,
            missing: 0,
        };
        assert_eq!(
            m.propose(Some(0.5), 3, starting, tol),
            Err(MetricError::NoReadyPods)
        );
    }
}
