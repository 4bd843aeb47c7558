//! Target tracking exactly as the Kubernetes HorizontalPodAutoscaler controller computes
//! it: pure functions over an explicit [`State`] the caller keeps, with time in
//! milliseconds, so the same code serves the online evaluator (one evaluation at a time,
//! at whatever times the input rows carry) and a backtest (the controller's 15 s sync
//! period as the default tick). No polars here.
//!
//! One evaluation ([`Hpa::evaluate`], upstream `reconcileAutoscaler` in
//! `pkg/controller/podautoscaler/horizontal.go`):
//! 1. a new autoscaler records the current count as its first recommendation;
//! 2. a count of zero with `min > 0` means autoscaling is disabled; a count outside
//!    `[min, max]` is moved to the nearest bound at once;
//! 3. otherwise each metric proposes a count ([`calculator`], `replica_calculator.go`);
//!    the largest wins, and an invalid metric blocks a scale-down
//!    (`computeReplicasForMetrics`);
//! 4. the proposal is normalised ([`behavior`]): stabilisation windows, rate policies,
//!    bounds; or, for an HPA without `behavior`, the legacy path;
//! 5. a change is recorded as a scale event for the rate policies.
//!
//! `docs/kubernetes.md` is the reference for every formula, default and rounding rule.

pub mod behavior;
pub mod calculator;

pub use behavior::{
    Behavior, Limit, Normalization, Normalized, Policy, PolicyKind, Recommendation, RulesSpec,
    ScaleEvent, ScalingRules, SelectPolicy, Stabilization,
};
pub use calculator::{
    MetricError, MetricTarget, Pods, Proposal, Source, Target, TargetError, Tolerances,
};

pub use crate::ir::Millis;

/// The kube-controller-manager flags that shape every HPA.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ControllerConfig {
    /// `--horizontal-pod-autoscaler-tolerance` (default 0.1), both directions unless the
    /// HPA's `behavior` sets a direction's `tolerance`.
    pub tolerance: f64,
    /// `--horizontal-pod-autoscaler-downscale-stabilization` (default 5 minutes): the
    /// scale-down window of an HPA without `behavior`, and of one whose `behavior` leaves
    /// `scaleDown.stabilizationWindowSeconds` unset.
    pub downscale_stabilization: Millis,
    /// `--horizontal-pod-autoscaler-sync-period` (default 15 s): how often the controller
    /// evaluates; the default tick of a backtest.
    pub sync_period: Millis,
}

impl Default for ControllerConfig {
    fn default() -> Self {
        ControllerConfig {
            tolerance: 0.1,
            downscale_stabilization: 300_000,
            sync_period: 15_000,
        }
    }
}

/// One autoscaler's configuration: the parts of an `autoscaling/v2`
/// HorizontalPodAutoscaler spec that decide the count, and the controller's flags.
#[derive(Clone, Debug, PartialEq)]
pub struct Hpa {
    pub min: u32,
    pub max: u32,
    pub metrics: Vec<MetricTarget>,
    /// `spec.behavior`, defaults filled in ([`Behavior::resolve`]); `None` for an HPA
    /// without it, which takes the legacy path.
    pub behavior: Option<Behavior>,
    pub controller: ControllerConfig,
}

/// What the controller remembers about one autoscaler between evaluations. Start with
/// `State::default()` for a new autoscaler.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct State {
    /// Recent recommendations (before stabilisation). `None` until the first evaluation,
    /// which records the current count (`recordInitialRecommendation`).
    pub recommendations: Option<Vec<Recommendation>>,
    pub scale_up_events: Vec<ScaleEvent>,
    pub scale_down_events: Vec<ScaleEvent>,
}

/// What the controller sees at one evaluation.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Observation<'a> {
    /// The current count: the scale subresource's `spec.replicas`.
    pub replicas: u32,
    pub pods: Pods,
    /// One value per metric, in the order of [`Hpa::metrics`], in SI; `None` when
    /// unavailable.
    pub values: &'a [Option<f64>],
}

/// The outcome of one evaluation.
#[derive(Clone, Debug, PartialEq)]
pub struct Outcome {
    pub current: u32,
    /// The count to set; equal to `current` when nothing changes.
    pub desired: u32,
    pub why: Why,
    /// Each metric's proposal, in the order of [`Hpa::metrics`] (empty when the metrics
    /// were not consulted).
    pub proposals: Vec<Result<Proposal, MetricError>>,
}

/// Why the count is what it is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Why {
    /// The count is 0 and `min` is not: autoscaling is off (`ScalingDisabled`).
    ScalingDisabled,
    /// The count was above `max`: moved to `max` directly, without behavior.
    AboveMax,
    /// The count was below `min`: moved to `min` directly, without behavior.
    BelowMin,
    /// Every metric was invalid, or one was and the rest proposed a scale-down: no change.
    InvalidMetrics {
        invalid: usize,
        blocked_scale_down: bool,
    },
    /// The metrics proposed `proposal`; normalisation made it `normalized.replicas`.
    Normalized {
        proposal: u32,
        normalized: Normalized,
    },
}

/// Feeding [`Hpa::evaluate`] the wrong number of values.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("expected {expected} metric values, got {got}")]
pub struct WidthError {
    pub expected: usize,
    pub got: usize,
}

/// Bounds that may move between evaluations (schedules): within `[Hpa::min, Hpa::max]`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Bounds {
    pub min: u32,
    pub max: u32,
}

impl Hpa {
    /// The tolerances of this HPA: a direction's `behavior` tolerance if set, else the
    /// controller's (`tolerancesForHpa`).
    pub fn tolerances(&self) -> Tolerances {
        let t = self.controller.tolerance;
        match &self.behavior {
            Some(b) => Tolerances {
                down: b.scale_down.tolerance.unwrap_or(t),
                up: b.scale_up.tolerance.unwrap_or(t),
            },
            None => Tolerances::both(t),
        }
    }

    /// One evaluation at `now` with the configured bounds.
    pub fn evaluate(
        &self,
        state: &mut State,
        now: Millis,
        obs: &Observation<'_>,
    ) -> Result<Outcome, WidthError> {
        let bounds = Bounds {
            min: self.min,
            max: self.max,
        };
        self.evaluate_within(state, now, obs, bounds)
    }

    /// One evaluation at `now` with `bounds` in place of `min`/`max`, as if the HPA's
    /// `minReplicas`/`maxReplicas` had been patched to them (a schedule's floor and ceiling).
    /// The outcome is applied: a change is recorded as a scale event.
    pub fn evaluate_within(
        &self,
        state: &mut State,
        now: Millis,
        obs: &Observation<'_>,
        bounds: Bounds,
    ) -> Result<Outcome, WidthError> {
        let outcome = self.recommend_within(state, now, obs, bounds)?;
        self.record_change(state, outcome.current, outcome.desired, now);
        Ok(outcome)
    }

    /// What the HPA would set, without applying it: the recommendations are recorded (as
    /// upstream records them whatever happens next) but no scale event is. For a caller
    /// that may set another count (a service whose threshold rules can win): it reports
    /// the change that happened with [`record_change`](Self::record_change).
    pub fn recommend_within(
        &self,
        state: &mut State,
        now: Millis,
        obs: &Observation<'_>,
        bounds: Bounds,
    ) -> Result<Outcome, WidthError> {
        if obs.values.len() != self.metrics.len() {
            return Err(WidthError {
                expected: self.metrics.len(),
                got: obs.values.len(),
            });
        }
        let current = obs.replicas;
        behavior::record_initial_recommendation(state, current, now);
        let mut outcome = Outcome {
            current,
            desired: current,
            why: Why::ScalingDisabled,
            proposals: Vec::new(),
        };
        if current == 0 && bounds.min != 0 {
            return Ok(outcome);
        }
        if current > bounds.max {
            outcome.desired = bounds.max;
            outcome.why = Why::AboveMax;
        } else if current < bounds.min {
            outcome.desired = bounds.min;
            outcome.why = Why::BelowMin;
        } else {
            let tolerances = self.tolerances();
            outcome.proposals = self
                .metrics
                .iter()
                .zip(obs.values)
                .map(|(m, v)| m.propose(*v, current, obs.pods, tolerances))
                .collect();
            let proposal = match combine(&outcome.proposals, current) {
                Ok(p) => p,
                Err(why) => {
                    outcome.why = why;
                    return Ok(outcome);
                }
            };
            let n = Normalization {
                current,
                desired: proposal,
                min: bounds.min,
                max: bounds.max,
            };
            let normalized = match &self.behavior {
                Some(b) => behavior::normalize_with_behavior(state, b, n, now),
                None => behavior::normalize_legacy(
                    state,
                    n,
                    self.controller.downscale_stabilization,
                    now,
                ),
            };
            outcome.desired = normalized.replicas;
            outcome.why = Why::Normalized {
                proposal,
                normalized,
            };
        }
        Ok(outcome)
    }

    /// Records a change of the count from `from` to `to` at `now` as a scale event for the
    /// rate policies (`storeScaleEvent`); nothing without `behavior` or without a change.
    pub fn record_change(&self, state: &mut State, from: u32, to: u32, now: Millis) {
        if from != to {
            behavior::store_scale_event(state, self.behavior.as_ref(), from, to, now);
        }
    }
}

/// `computeReplicasForMetrics`: the largest proposal of the valid metrics. No proposal
/// when every metric is invalid, or when one is and the rest would scale down.
pub fn combine(proposals: &[Result<Proposal, MetricError>], current: u32) -> Result<u32, Why> {
    let invalid = proposals.iter().filter(|p| p.is_err()).count();
    let largest = proposals
        .iter()
        .filter_map(|p| p.as_ref().ok())
        .map(|p| p.replicas)
        .max();
    match largest {
        Some(r) if invalid == 0 || r >= current => Ok(r),
        Some(_) => Err(Why::InvalidMetrics {
            invalid,
            blocked_scale_down: true,
        }),
        None => Err(Why::InvalidMetrics {
            invalid,
            blocked_scale_down: false,
        }),
    }
}
