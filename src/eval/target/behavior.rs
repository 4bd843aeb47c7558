//! What the HPA controller does with a metric proposal before it becomes the replica
//! count: stabilisation windows, rate policies and the min/max clamp, with `behavior`
//! (`normalizeDesiredReplicasWithBehaviors`) and without it (the legacy
//! `normalizeDesiredReplicas`), as in kubernetes
//! `pkg/controller/podautoscaler/horizontal.go`. Defaults follow
//! `pkg/apis/autoscaling/v2/defaults.go`. Every function here mirrors the upstream function
//! named in its doc, including the order of floating-point operations, so results match
//! to the replica.

use super::{ControllerConfig, Millis, State};
use std::fmt;

/// A rate policy's unit (`HPAScalingPolicy.type`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PolicyKind {
    /// `Pods`: at most `value` pods per period.
    Pods,
    /// `Percent`: at most `value` % of the count at the start of the period.
    Percent,
}

/// `HPAScalingPolicy`: at most `value` pods or percent per `period`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Policy {
    pub kind: PolicyKind,
    pub value: u32,
    pub period: Millis,
}

impl Policy {
    pub fn pods(value: u32, period: Millis) -> Self {
        Policy {
            kind: PolicyKind::Pods,
            value,
            period,
        }
    }

    pub fn percent(value: u32, period: Millis) -> Self {
        Policy {
            kind: PolicyKind::Percent,
            value,
            period,
        }
    }
}

/// `selectPolicy`: which policy's limit applies when there are several.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SelectPolicy {
    /// The policy allowing the largest change (the default).
    Max,
    /// The policy allowing the smallest change.
    Min,
    /// No scaling in this direction.
    Disabled,
}

/// One direction's rules once defaults are filled in (`HPAScalingRules`).
#[derive(Clone, Debug, PartialEq)]
pub struct ScalingRules {
    pub stabilization_window: Millis,
    pub select: SelectPolicy,
    pub policies: Vec<Policy>,
    /// `tolerance` (Kubernetes 1.33+); `None`: the controller's `--horizontal-pod-autoscaler-tolerance`.
    pub tolerance: Option<f64>,
}

/// One direction's rules as written: every field optional, as in the API.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct RulesSpec {
    pub stabilization_window: Option<Millis>,
    pub select: Option<SelectPolicy>,
    pub policies: Option<Vec<Policy>>,
    pub tolerance: Option<f64>,
}

/// `spec.behavior` with every default filled in.
#[derive(Clone, Debug, PartialEq)]
pub struct Behavior {
    pub scale_up: ScalingRules,
    pub scale_down: ScalingRules,
}

impl Behavior {
    /// The behavior of an HPA whose `spec.behavior` is present: unset fields take the API
    /// defaults (`SetDefaults_HorizontalPodAutoscalerBehavior`, `copyHPAScalingRules`):
    /// up: no window, `Max` of 4 pods or 100 % per 15 s; down: `Max` of 100 % per 15 s and,
    /// for the window, the controller's `--horizontal-pod-autoscaler-downscale-stabilization`
    /// (`maybeInitScaleDownStabilizationWindow`; 300 s by default).
    pub fn resolve(
        up: Option<RulesSpec>,
        down: Option<RulesSpec>,
        controller: &ControllerConfig,
    ) -> Self {
        let up = up.unwrap_or_default();
        let down = down.unwrap_or_default();
        Behavior {
            scale_up: ScalingRules {
                stabilization_window: up.stabilization_window.unwrap_or(0),
                select: up.select.unwrap_or(SelectPolicy::Max),
                policies: up
                    .policies
                    .unwrap_or_else(|| vec![Policy::pods(4, 15_000), Policy::percent(100, 15_000)]),
                tolerance: up.tolerance,
            },
            scale_down: ScalingRules {
                stabilization_window: down
                    .stabilization_window
                    .unwrap_or(controller.downscale_stabilization),
                select: down.select.unwrap_or(SelectPolicy::Max),
                policies: down
                    .policies
                    .unwrap_or_else(|| vec![Policy::percent(100, 15_000)]),
                tolerance: down.tolerance,
            },
        }
    }

    /// `behavior: {}`: every default.
    pub fn kubernetes_default(controller: &ControllerConfig) -> Self {
        Behavior::resolve(None, None, controller)
    }
}

/// `timestampedRecommendation`: a metric proposal as it was recorded, before stabilisation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Recommendation {
    pub replicas: u32,
    pub at: Millis,
}

/// `timestampedScaleEvent`: one change of the replica count (its size, always positive;
/// the list it is in gives the direction).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ScaleEvent {
    pub change: u32,
    pub at: Millis,
    /// Older than the direction's longest policy period: the slot may be reused.
    pub outdated: bool,
}

/// How stabilisation changed the proposal (the `AbleToScale` condition's reason).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stabilization {
    /// `ReadyForNewScale`: the stabilised count is the proposal.
    ReadyForNewScale,
    /// `ScaleUpStabilized`: a lower recent recommendation held the count down.
    ScaleUpStabilized,
    /// `ScaleDownStabilized`: a higher recent recommendation held the count up.
    ScaleDownStabilized,
}

/// What bounded the count after stabilisation (the `ScalingLimited` condition's reason).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Limit {
    DesiredWithinRange,
    /// A rate policy (or, without behavior, the legacy max(2 × current, 4)) limited a scale-up.
    ScaleUpLimit,
    /// `maxReplicas` limited a scale-up.
    TooManyReplicas,
    /// A rate policy limited a scale-down.
    ScaleDownLimit,
    /// `minReplicas` limited a scale-down.
    TooFewReplicas,
}

impl fmt::Display for Stabilization {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Stabilization::ReadyForNewScale => "ReadyForNewScale",
            Stabilization::ScaleUpStabilized => "ScaleUpStabilized",
            Stabilization::ScaleDownStabilized => "ScaleDownStabilized",
        })
    }
}

impl fmt::Display for Limit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Limit::DesiredWithinRange => "DesiredWithinRange",
            Limit::ScaleUpLimit => "ScaleUpLimit",
            Limit::TooManyReplicas => "TooManyReplicas",
            Limit::ScaleDownLimit => "ScaleDownLimit",
            Limit::TooFewReplicas => "TooFewReplicas",
        })
    }
}

/// The inputs of one normalisation (`NormalizationArg`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Normalization {
    pub current: u32,
    /// The metrics' proposal (the largest over the metrics).
    pub desired: u32,
    pub min: u32,
    pub max: u32,
}

/// The result of normalising a proposal.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Normalized {
    pub stabilized: u32,
    pub stabilization: Stabilization,
    pub replicas: u32,
    pub limit: Limit,
}

/// `recordInitialRecommendation`: a new autoscaler remembers the current count as its
/// first recommendation, so it does not scale down within its first window.
pub fn record_initial_recommendation(state: &mut State, current: u32, now: Millis) {
    if state.recommendations.is_none() {
        state.recommendations = Some(vec![Recommendation {
            replicas: current,
            at: now,
        }]);
    }
}

/// `normalizeDesiredReplicasWithBehaviors`: stabilise, then apply the rate policies and
/// the bounds in the direction of the change.
pub fn normalize_with_behavior(
    state: &mut State,
    behavior: &Behavior,
    n: Normalization,
    now: Millis,
) -> Normalized {
    let (stabilized, reason) = stabilize(state, behavior, n, now);
    let stabilization = if stabilized != n.desired {
        reason
    } else {
        Stabilization::ReadyForNewScale
    };
    let (replicas, limit) = limit_rate(
        state,
        behavior,
        Normalization {
            desired: stabilized,
            ..n
        },
        now,
    );
    Normalized {
        stabilized,
        stabilization,
        replicas,
        limit,
    }
}

/// `normalizeDesiredReplicas`, for an HPA without `behavior`: the highest recommendation
/// of the controller's downscale window, then [`limit_legacy`].
pub fn normalize_legacy(
    state: &mut State,
    n: Normalization,
    window: Millis,
    now: Millis,
) -> Normalized {
    let stabilized = stabilize_legacy(state, n.desired, window, now);
    let stabilization = if stabilized != n.desired {
        Stabilization::ScaleDownStabilized
    } else {
        Stabilization::ReadyForNewScale
    };
    let (replicas, limit) = limit_legacy(n.current, stabilized, n.min, n.max);
    Normalized {
        stabilized,
        stabilization,
        replicas,
        limit,
    }
}

/// `stabilizeRecommendation` (no behavior): the highest of the proposal and every
/// recommendation recorded at or after `now − window`; records the proposal, reusing the
/// slot of one older recommendation.
pub fn stabilize_legacy(state: &mut State, desired: u32, window: Millis, now: Millis) -> u32 {
    let cutoff = now - window;
    let recs = state.recommendations.get_or_insert_with(Vec::new);
    let mut highest = desired;
    let mut old = None;
    for (i, rec) in recs.iter().enumerate() {
        if rec.at < cutoff {
            old = Some(i);
        } else if rec.replicas > highest {
            highest = rec.replicas;
        }
    }
    record(recs, old, desired, now);
    highest
}

/// `stabilizeRecommendationWithBehaviors`: the count moves from `current` towards the
/// proposal, up to the lowest recommendation of the scale-up window and down to the
/// highest of the scale-down window (recommendations strictly after `now − window`);
/// records the proposal, reusing the slot of one recommendation older than both windows.
pub fn stabilize(
    state: &mut State,
    behavior: &Behavior,
    n: Normalization,
    now: Millis,
) -> (u32, Stabilization) {
    let up_cutoff = now - behavior.scale_up.stabilization_window;
    let down_cutoff = now - behavior.scale_down.stabilization_window;
    let recs = state.recommendations.get_or_insert_with(Vec::new);
    let mut up = n.desired;
    let mut down = n.desired;
    let mut old = None;
    for (i, rec) in recs.iter().enumerate() {
        if rec.at > up_cutoff {
            up = up.min(rec.replicas);
        }
        if rec.at > down_cutoff {
            down = down.max(rec.replicas);
        }
        if rec.at < up_cutoff && rec.at < down_cutoff {
            old = Some(i);
        }
    }
    let mut recommendation = n.current;
    if recommendation < up {
        recommendation = up;
    }
    if recommendation > down {
        recommendation = down;
    }
    record(recs, old, n.desired, now);
    let reason = if n.desired >= n.current {
        Stabilization::ScaleUpStabilized
    } else {
        Stabilization::ScaleDownStabilized
    };
    (recommendation, reason)
}

fn record(recs: &mut Vec<Recommendation>, old: Option<usize>, replicas: u32, now: Millis) {
    let rec = Recommendation { replicas, at: now };
    match old {
        Some(i) => recs[i] = rec,
        None => recs.push(rec),
    }
}

/// `convertDesiredReplicasWithBehaviorRate`: a scale-up is limited by the scale-up
/// policies and `max`, a scale-down by the scale-down policies and `min`. The bounds are
/// applied only in the direction of the change.
pub fn limit_rate(
    state: &State,
    behavior: &Behavior,
    n: Normalization,
    now: Millis,
) -> (u32, Limit) {
    let current = i64::from(n.current);
    let desired = i64::from(n.desired);
    if desired > current {
        let limit = scale_up_limit(
            current,
            &state.scale_up_events,
            &state.scale_down_events,
            &behavior.scale_up,
            now,
        )
        .max(current);
        let (allowed, reason) = if i64::from(n.max) > limit {
            (limit, Limit::ScaleUpLimit)
        } else {
            (i64::from(n.max), Limit::TooManyReplicas)
        };
        if desired > allowed {
            return (to_count(allowed), reason);
        }
    } else if desired < current {
        let limit = scale_down_limit(
            current,
            &state.scale_up_events,
            &state.scale_down_events,
            &behavior.scale_down,
            now,
        )
        .min(current);
        let (allowed, reason) = if i64::from(n.min) < limit {
            (limit, Limit::ScaleDownLimit)
        } else {
            (i64::from(n.min), Limit::TooFewReplicas)
        };
        if desired < allowed {
            return (to_count(allowed), reason);
        }
    }
    (n.desired, Limit::DesiredWithinRange)
}

/// `convertDesiredReplicasWithRules` (no behavior): between `min` and the smaller of `max`
/// and `max(2 × current, 4)` (`calculateScaleUpLimit`); no limit on scaling down.
pub fn limit_legacy(current: u32, desired: u32, min: u32, max: u32) -> (u32, Limit) {
    let scale_up_limit = legacy_scale_up_limit(current);
    let (maximum, reason) = if max > scale_up_limit {
        (scale_up_limit, Limit::ScaleUpLimit)
    } else {
        (max, Limit::TooManyReplicas)
    };
    if desired < min {
        (min, Limit::TooFewReplicas)
    } else if desired > maximum {
        (maximum, reason)
    } else {
        (desired, Limit::DesiredWithinRange)
    }
}

/// `calculateScaleUpLimit`: `max(2 × current, 4)`.
pub fn legacy_scale_up_limit(current: u32) -> u32 {
    (2.0 * f64::from(current)).max(4.0) as u32
}

/// `calculateScaleUpLimitWithScalingRules`: the highest count the scale-up policies allow.
/// Each policy starts from the count at the start of its period (the current count less
/// the scale-ups and plus the scale-downs recorded within the period).
pub fn scale_up_limit(
    current: i64,
    up_events: &[ScaleEvent],
    down_events: &[ScaleEvent],
    rules: &ScalingRules,
    now: Millis,
) -> i64 {
    let (mut result, pick): (i64, fn(i64, i64) -> i64) = match rules.select {
        SelectPolicy::Disabled => return current,
        SelectPolicy::Min => (i64::from(i32::MAX), i64::min),
        SelectPolicy::Max => (i64::from(i32::MIN), i64::max),
    };
    for p in &rules.policies {
        let added = replicas_change_in_period(p.period, up_events, now);
        let deleted = replicas_change_in_period(p.period, down_events, now);
        let start = current - added + deleted;
        let proposed = match p.kind {
            PolicyKind::Pods => start + i64::from(p.value),
            // Rounded up, so that a small percentage still lets the count grow.
            PolicyKind::Percent => {
                (start as f64 * (1.0 + f64::from(p.value) / 100.0)).ceil() as i64
            }
        };
        result = pick(result, proposed);
    }
    result
}

/// `calculateScaleDownLimitWithBehaviors`: the lowest count the scale-down policies allow.
pub fn scale_down_limit(
    current: i64,
    up_events: &[ScaleEvent],
    down_events: &[ScaleEvent],
    rules: &ScalingRules,
    now: Millis,
) -> i64 {
    let (mut result, pick): (i64, fn(i64, i64) -> i64) = match rules.select {
        SelectPolicy::Disabled => return current,
        SelectPolicy::Min => (i64::from(i32::MIN), i64::max),
        SelectPolicy::Max => (i64::from(i32::MAX), i64::min),
    };
    for p in &rules.policies {
        let added = replicas_change_in_period(p.period, up_events, now);
        let deleted = replicas_change_in_period(p.period, down_events, now);
        let start = current - added + deleted;
        let proposed = match p.kind {
            PolicyKind::Pods => start - i64::from(p.value),
            // Go's float-to-int conversion truncates toward zero.
            PolicyKind::Percent => (start as f64 * (1.0 - f64::from(p.value) / 100.0)) as i64,
        };
        result = pick(result, proposed);
    }
    result
}

/// `getReplicasChangePerPeriod`: the replicas changed by events strictly after `now − period`.
pub fn replicas_change_in_period(period: Millis, events: &[ScaleEvent], now: Millis) -> i64 {
    let cutoff = now - period;
    events
        .iter()
        .filter(|e| e.at > cutoff)
        .map(|e| i64::from(e.change))
        .sum()
}

/// `storeScaleEvent`: records a change of the count in its direction's list, reusing the
/// slot of an event older than the direction's longest policy period. Without behavior
/// nothing is recorded (the legacy path has no rate policies).
pub fn store_scale_event(
    state: &mut State,
    behavior: Option<&Behavior>,
    prev: u32,
    new: u32,
    now: Millis,
) {
    let Some(behavior) = behavior else {
        return;
    };
    let (events, rules, change) = if new > prev {
        (&mut state.scale_up_events, &behavior.scale_up, new - prev)
    } else {
        (
            &mut state.scale_down_events,
            &behavior.scale_down,
            prev - new,
        )
    };
    let longest = rules.policies.iter().map(|p| p.period).max().unwrap_or(0);
    let cutoff = now - longest;
    let mut old = None;
    for (i, e) in events.iter_mut().enumerate() {
        if e.at < cutoff {
            e.outdated = true;
        }
        if e.outdated {
            old = Some(i);
        }
    }
    let event = ScaleEvent {
        change,
        at: now,
        outdated: false,
    };
    match old {
        Some(i) => events[i] = event,
        None => events.push(event),
    }
}

fn to_count(x: i64) -> u32 {
    x.clamp(0, i64::from(u32::MAX)) as u32
}
