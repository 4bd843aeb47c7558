//! `horizontal_test.go`, the normalisation tests: stabilisation, rate policies, scale events.

use super::*;

/// (name, stored before, rules, change over the last 60 s, stored after as (change, outdated))
type StoreCase = (
    &'static str,
    Vec<ScaleEvent>,
    Option<RulesSpec>,
    i64,
    Vec<(u32, bool)>,
);

/// (name, log, current, desired, up window s, down window s, stabilised, log after)
type StabilizeCase = (
    &'static str,
    Vec<Recommendation>,
    u32,
    u32,
    i64,
    i64,
    u32,
    Vec<u32>,
);

#[test]
fn test_convert_desired_replicas_with_rules() {
    // (current, desired, min, max) → (replicas, condition)
    let cases = [
        ((5, 7, 3, 8), (7, Limit::DesiredWithinRange)),
        ((3, 1, 2, 8), (2, Limit::TooFewReplicas)),
        ((1, 0, 0, 10), (0, Limit::DesiredWithinRange)),
        ((20, 1000, 1, 10), (10, Limit::TooManyReplicas)),
        (
            (3, 1000, 1, 2000),
            (behavior::legacy_scale_up_limit(3), Limit::ScaleUpLimit),
        ),
    ];
    for ((current, desired, min, max), want) in cases {
        assert_eq!(behavior::limit_legacy(current, desired, min, max), want);
    }
    assert_eq!(behavior::legacy_scale_up_limit(3), 6);
    assert_eq!(behavior::legacy_scale_up_limit(1), 4);
}

#[test]
fn test_calculate_scale_up_limit_with_scaling_rules() {
    let r = behavior_of(
        Some(RulesSpec {
            select: Some(SelectPolicy::Min),
            policies: Some(vec![Policy::pods(2, 60 * S), Policy::percent(50, 60 * S)]),
            stabilization_window: Some(300 * S),
            tolerance: None,
        }),
        None,
    );
    assert_eq!(behavior::scale_up_limit(1, &[], &[], &r.scale_up, T0), 2);
}

#[test]
fn test_calculate_scale_down_limit_with_behaviors() {
    let r = behavior_of(
        None,
        Some(RulesSpec {
            select: Some(SelectPolicy::Min),
            policies: Some(vec![Policy::pods(2, 60 * S), Policy::percent(50, 60 * S)]),
            stabilization_window: Some(300 * S),
            tolerance: None,
        }),
    );
    assert_eq!(
        behavior::scale_down_limit(5, &[], &[], &r.scale_down, T0),
        3
    );
}

#[test]
fn test_normalize_desired_replicas() {
    // The legacy stabilisation: (name, log, desired, stabilised, log length after).
    let cases: [(&str, Vec<Recommendation>, u32, u32, usize); 5] = [
        ("empty log", vec![], 5, 5, 1),
        ("stabilize", vec![rec(4, 2 * MIN), rec(5, MIN)], 3, 5, 3),
        ("no stabilize", vec![rec(1, 2 * MIN), rec(2, MIN)], 3, 3, 3),
        (
            "no stabilize - old recommendations",
            vec![rec(10, 10 * MIN), rec(9, 9 * MIN)],
            3,
            3,
            2,
        ),
        (
            "stabilize - old recommendations",
            vec![
                rec(10, 10 * MIN),
                rec(4, MIN),
                rec(5, 2 * MIN),
                rec(9, 9 * MIN),
            ],
            3,
            5,
            4,
        ),
    ];
    for (name, log, desired, want, len) in cases {
        let mut state = State {
            recommendations: Some(log),
            ..State::default()
        };
        assert_eq!(
            stabilize_legacy(&mut state, desired, 5 * MIN, T0),
            want,
            "{name}"
        );
        assert_eq!(state.recommendations.map(|r| r.len()), Some(len), "{name}");
    }
}

struct RateCase {
    name: &'static str,
    up_events: Vec<ScaleEvent>,
    down_events: Vec<ScaleEvent>,
    min: u32,
    max: u32,
    up: Option<RulesSpec>,
    down: Option<RulesSpec>,
    current: u32,
    desired: u32,
    want: u32,
    limit: Limit,
}

fn rate_case(
    name: &'static str,
    current: u32,
    desired: u32,
    min: u32,
    max: u32,
    want: u32,
    limit: Limit,
) -> RateCase {
    RateCase {
        name,
        up_events: vec![],
        down_events: vec![],
        min,
        max,
        up: None,
        down: None,
        current,
        desired,
        want,
        limit,
    }
}

impl RateCase {
    fn up(mut self, r: RulesSpec) -> Self {
        self.up = Some(r);
        self
    }
    fn down(mut self, r: RulesSpec) -> Self {
        self.down = Some(r);
        self
    }
    fn up_events(mut self, e: Vec<ScaleEvent>) -> Self {
        self.up_events = e;
        self
    }
    fn down_events(mut self, e: Vec<ScaleEvent>) -> Self {
        self.down_events = e;
        self
    }
}

#[test]
fn test_scaling_with_rules() {
    use Limit::*;
    let cases = vec![
        rate_case(
            "prenormalized desired replicas within range",
            5,
            7,
            3,
            8,
            7,
            DesiredWithinRange,
        ),
        rate_case(
            "prenormalized desired replicas < minReplicas",
            3,
            1,
            2,
            8,
            2,
            TooFewReplicas,
        ),
        rate_case(
            "desired replicas within range when minReplicas is 0",
            1,
            0,
            0,
            10,
            0,
            DesiredWithinRange,
        ),
        rate_case(
            "maxReplicas is the limit because maxReplicas < scaleUpLimit",
            20,
            1000,
            1,
            10,
            10,
            TooManyReplicas,
        ),
        rate_case(
            "desired replica count is more than the maximum replica count",
            100,
            1000,
            100,
            150,
            150,
            TooManyReplicas,
        ),
        rate_case(
            "scaleUpLimit is the limit with user policies",
            3,
            1000,
            1,
            2000,
            4,
            ScaleUpLimit,
        )
        .up(rules(0, 0, 1, 60, 0)),
        // Upstream marks this case testThis and skips it; it holds all the same.
        rate_case(
            "scaleDownLimit is the limit with user defined policies",
            1000,
            3,
            3,
            2000,
            980,
            ScaleDownLimit,
        )
        .down(rules(20, 60, 0, 0, 0)),
        rate_case(
            "scaleUp with default behavior",
            10,
            50,
            1,
            1000,
            20,
            ScaleUpLimit,
        ),
        rate_case(
            "scaleUp with pods policy larger than percent policy",
            10,
            500,
            1,
            1000,
            110,
            ScaleUpLimit,
        )
        .up(rules(100, 60, 100, 60, 0)),
        rate_case(
            "scaleUp with percent policy larger than pods policy",
            10,
            500,
            1,
            1000,
            20,
            ScaleUpLimit,
        )
        .up(rules(2, 60, 100, 60, 0)),
        rate_case(
            "scaleUp with spec MaxReplicas limitation with large pod policy",
            10,
            50,
            1,
            1000,
            50,
            DesiredWithinRange,
        )
        .up(rules(100, 60, 0, 0, 0)),
        rate_case(
            "scaleUp with spec MaxReplicas limitation with large percent policy",
            10,
            50,
            1,
            1000,
            50,
            DesiredWithinRange,
        )
        .up(rules(10000, 60, 0, 0, 0)),
        rate_case(
            "scaleUp with pod policy limitation",
            10,
            50,
            1,
            1000,
            40,
            ScaleUpLimit,
        )
        .up(rules(30, 60, 0, 0, 0)),
        rate_case(
            "scaleUp with percent policy limitation",
            10,
            50,
            1,
            1000,
            30,
            ScaleUpLimit,
        )
        .up(rules(0, 0, 200, 60, 0)),
        rate_case(
            "scaleDown with percent policy larger than pod policy",
            100,
            2,
            1,
            1000,
            80,
            ScaleDownLimit,
        )
        .down(rules(20, 60, 1, 60, 300)),
        rate_case(
            "scaleDown with pod policy larger than percent policy",
            100,
            2,
            1,
            1000,
            98,
            ScaleDownLimit,
        )
        .down(rules(2, 60, 1, 60, 300)),
        rate_case(
            "scaleDown with spec MinReplicas=nil limitation with large pod policy",
            10,
            0,
            1,
            1000,
            1,
            TooFewReplicas,
        )
        .down(rules(100, 60, 0, 0, 300)),
        rate_case(
            "scaleDown with spec MinReplicas limitation with large percent policy",
            10,
            2,
            5,
            1000,
            5,
            TooFewReplicas,
        )
        .down(rules(0, 0, 100, 60, 300)),
        rate_case(
            "scaleDown with pod policy limitation",
            10,
            2,
            1,
            1000,
            5,
            ScaleDownLimit,
        )
        .down(rules(5, 60, 0, 0, 300)),
        rate_case(
            "scaleDown with percent policy limitation",
            10,
            5,
            1,
            1000,
            5,
            DesiredWithinRange,
        )
        .down(rules(0, 0, 50, 60, 300)),
        rate_case(
            "scaleUp with MaxReplicas limitation, large pod policy and events",
            100,
            500,
            1,
            200,
            200,
            TooManyReplicas,
        )
        .up(rules(300, 60, 0, 0, 0))
        .up_events(uniform_events(&[1, 5, 9], 120)),
        rate_case(
            "scaleUp with MaxReplicas limitation, large percent policy and events",
            100,
            500,
            1,
            200,
            200,
            TooManyReplicas,
        )
        .up(rules(0, 0, 10000, 60, 0))
        .up_events(uniform_events(&[1, 5, 9], 120)),
        // 120 s ago the count was 85; 5 pods per 120 s allow 90 < 100: no scale-up.
        rate_case(
            "scaleUp with currentReplicas limitation and recent scale up events",
            100,
            500,
            1,
            1000,
            100,
            ScaleUpLimit,
        )
        .up(rules(5, 120, 0, 0, 0))
        .up_events(uniform_events(&[1, 5, 9], 120)),
        rate_case(
            "scaleUp with pod policy and previous scale up events",
            100,
            500,
            1,
            1000,
            235,
            ScaleUpLimit,
        )
        .up(rules(150, 120, 0, 0, 0))
        .up_events(uniform_events(&[1, 5, 9], 120)),
        rate_case(
            "scaleUp with percent policy and previous scale up events",
            100,
            500,
            1,
            1000,
            255,
            ScaleUpLimit,
        )
        .up(rules(0, 0, 200, 120, 0))
        .up_events(uniform_events(&[1, 5, 9], 120)),
        rate_case(
            "scaleDown with default policy and previous events",
            10,
            5,
            1,
            1000,
            5,
            DesiredWithinRange,
        )
        .down_events(uniform_events(&[1, 5, 9], 120)),
        rate_case(
            "scaleDown with MinReplicas=nil limitation, large pod policy and events",
            100,
            0,
            1,
            1000,
            1,
            TooFewReplicas,
        )
        .down(rules(115, 120, 0, 0, 300))
        .down_events(uniform_events(&[1, 5, 9], 120)),
        rate_case(
            "scaleDown with MinReplicas limitation, large pod policy and events",
            100,
            0,
            5,
            1000,
            5,
            TooFewReplicas,
        )
        .down(rules(130, 120, 0, 0, 300))
        .down_events(uniform_events(&[1, 5, 9], 120)),
        rate_case(
            "scaleDown with MinReplicas limitation, large percent policy and events",
            100,
            2,
            5,
            1000,
            5,
            TooFewReplicas,
        )
        .down(rules(0, 0, 100, 120, 300))
        .down_events(uniform_events(&[1, 5, 9], 120)),
        rate_case(
            "scaleDown with pod policy limitation and previous events",
            100,
            2,
            1,
            1000,
            100,
            ScaleDownLimit,
        )
        .down(rules(5, 120, 0, 0, 300))
        .down_events(uniform_events(&[1, 5, 9], 120)),
        rate_case(
            "scaleDown with percent policy limitation and previous events",
            100,
            0,
            1,
            1000,
            56,
            ScaleDownLimit,
        )
        .down(rules(0, 0, 50, 120, 300))
        .down_events(uniform_events(&[2, 4, 6], 120)),
        rate_case(
            "scaleDown with previous events preventing further scale down",
            100,
            0,
            1,
            1000,
            100,
            ScaleDownLimit,
        )
        .down(rules(0, 0, 10, 120, 300))
        .down_events(uniform_events(&[10, 10, 10], 120)),
        rate_case(
            "scaleDown with previous events still allowing more scale down",
            10,
            5,
            1,
            1000,
            5,
            DesiredWithinRange,
        )
        .down(rules(0, 0, 1000, 120, 300))
        .down_events(uniform_events(&[10, 10, 10], 120)),
        rate_case(
            "check 'outdated' flag for events for one behavior for up",
            100,
            200,
            1,
            1000,
            200,
            DesiredWithinRange,
        )
        .up(rules(1000, 60, 0, 0, 0))
        .up_events(uniform_events(&[8, 12, 9, 11], 120)),
        rate_case(
            "events not marked 'outdated' for two policies for up",
            100,
            200,
            1,
            1000,
            200,
            DesiredWithinRange,
        )
        .up(rules(1000, 120, 100, 60, 0))
        .up_events(uniform_events(&[8, 12, 9, 11], 120)),
        rate_case(
            "events marked 'outdated' for two policies for up",
            100,
            200,
            1,
            1000,
            200,
            DesiredWithinRange,
        )
        .up(rules(1000, 30, 100, 60, 0))
        .up_events(uniform_events(&[8, 12, 9, 11], 120)),
        rate_case(
            "check 'outdated' flag for events for one behavior for down",
            100,
            5,
            1,
            1000,
            5,
            DesiredWithinRange,
        )
        .down(rules(1000, 60, 0, 0, 300))
        .down_events(uniform_events(&[8, 12, 9, 11], 120)),
        rate_case(
            "events not marked 'outdated' for two policies for down",
            100,
            5,
            1,
            1000,
            5,
            DesiredWithinRange,
        )
        .down(rules(1000, 120, 100, 60, 300))
        .down_events(uniform_events(&[8, 12, 9, 11], 120)),
        rate_case(
            "events marked 'outdated' for two policies for down",
            100,
            5,
            1,
            1000,
            5,
            DesiredWithinRange,
        )
        .down(rules(1000, 30, 100, 60, 300))
        .down_events(uniform_events(&[8, 12, 9, 11], 120)),
    ];
    for c in cases {
        let b = behavior_of(c.up, c.down);
        let state = State {
            recommendations: None,
            scale_up_events: c.up_events,
            scale_down_events: c.down_events,
        };
        let n = Normalization {
            current: c.current,
            desired: c.desired,
            min: c.min,
            max: c.max,
        };
        assert_eq!(
            behavior::limit_rate(&state, &b, n, T0),
            (c.want, c.limit),
            "{}",
            c.name
        );
    }
}

#[test]
fn test_store_scale_events() {
    let ev = |change, ago_s: i64, outdated| ScaleEvent {
        change,
        at: T0 - ago_s * S,
        outdated,
    };
    let cases: Vec<StoreCase> = vec![
        (
            "empty entries with default behavior",
            vec![],
            None,
            0,
            vec![],
        ),
        (
            "empty entries with two-policy-behavior",
            vec![],
            Some(rules(10, 60, 100, 60, 0)),
            0,
            vec![(5, false)],
        ),
        (
            "one outdated entry to be kept untouched without behavior",
            vec![ev(7, 61, false)],
            None,
            0,
            vec![(7, false)],
        ),
        (
            "one outdated entry to be replaced with behavior",
            vec![ev(7, 61, false)],
            Some(rules(10, 60, 100, 60, 0)),
            0,
            vec![(5, false)],
        ),
        (
            "one actual entry to be not touched with behavior",
            vec![ev(7, 58, false)],
            Some(rules(10, 60, 100, 60, 0)),
            7,
            vec![(7, false), (5, false)],
        ),
        (
            "two entries, one of them to be replaced",
            vec![ev(7, 61, false), ev(6, 59, false)],
            Some(rules(10, 60, 0, 0, 0)),
            6,
            vec![(5, false), (6, false)],
        ),
        (
            "replace one entry, use policies with different periods",
            vec![
                ev(8, 29, false),
                ev(6, 59, false),
                ev(7, 61, false),
                ev(9, 61, false),
            ],
            Some(rules(10, 60, 100, 30, 0)),
            14,
            vec![(8, false), (6, false), (7, true), (5, false)],
        ),
        (
            "two entries, both actual",
            vec![ev(7, 58, false), ev(6, 59, false)],
            Some(rules(10, 120, 100, 30, 0)),
            13,
            vec![(7, false), (6, false), (5, false)],
        ),
    ];
    for (name, before, spec, change, after) in cases {
        // Scale up, then the same for scale down.
        for up in [true, false] {
            let b = spec.clone().map(|r| {
                if up {
                    behavior_of(Some(r), None)
                } else {
                    behavior_of(None, Some(r))
                }
            });
            let mut state = State::default();
            if up {
                state.scale_up_events = before.clone();
            } else {
                state.scale_down_events = before.clone();
            }
            let events = if up {
                &state.scale_up_events
            } else {
                &state.scale_down_events
            };
            assert_eq!(
                behavior::replicas_change_in_period(60 * S, events, T0),
                change,
                "{name}"
            );
            let new = if up { 15 } else { 5 };
            behavior::store_scale_event(&mut state, b.as_ref(), 10, new, T0);
            let events = if up {
                &state.scale_up_events
            } else {
                &state.scale_down_events
            };
            let got: Vec<(u32, bool)> = events.iter().map(|e| (e.change, e.outdated)).collect();
            assert_eq!(got, after, "{name} (up: {up})");
        }
    }
}

#[test]
fn test_normalize_desired_replicas_with_behavior() {
    let cases: Vec<StabilizeCase> = vec![
        (
            "empty recommendations for scaling down",
            vec![],
            100,
            5,
            0,
            0,
            5,
            vec![5],
        ),
        (
            "simple scale down stabilization",
            vec![rec(4, 2 * MIN), rec(5, MIN)],
            100,
            3,
            0,
            180,
            5,
            vec![4, 5, 3],
        ),
        (
            "simple scale up stabilization",
            vec![rec(4, 2 * MIN), rec(5, MIN)],
            1,
            7,
            300,
            0,
            4,
            vec![4, 5, 7],
        ),
        (
            "no scale down stabilization",
            vec![rec(1, 2 * MIN), rec(2, MIN)],
            100,
            3,
            300,
            0,
            3,
            vec![1, 2, 3],
        ),
        (
            "no scale up stabilization",
            vec![rec(4, 2 * MIN), rec(5, MIN)],
            1,
            3,
            0,
            300,
            3,
            vec![4, 5, 3],
        ),
        (
            "no scale down stabilization, reuse recommendation element",
            vec![rec(10, 10 * MIN), rec(9, 9 * MIN)],
            100,
            3,
            0,
            0,
            3,
            vec![10, 3],
        ),
        (
            "no scale up stabilization, reuse recommendation element",
            vec![rec(10, 10 * MIN), rec(9, 9 * MIN)],
            1,
            100,
            0,
            0,
            100,
            vec![10, 100],
        ),
        (
            "scale down stabilization, reuse one of obsolete recommendation element",
            vec![
                rec(10, 10 * MIN),
                rec(4, MIN),
                rec(5, 2 * MIN),
                rec(9, 9 * MIN),
            ],
            100,
            3,
            0,
            180,
            5,
            vec![10, 4, 5, 3],
        ),
        (
            "scale up stabilization, reuse one of obsolete recommendation element",
            vec![
                rec(10, 100 * MIN),
                rec(6, MIN),
                rec(5, 2 * MIN),
                rec(9, 3 * MIN),
            ],
            1,
            100,
            300,
            0,
            5,
            vec![100, 6, 5, 9],
        ),
    ];
    for (name, log, current, desired, up_w, down_w, want, after) in cases {
        let b = behavior_of(
            Some(RulesSpec {
                stabilization_window: Some(up_w * S),
                ..RulesSpec::default()
            }),
            Some(RulesSpec {
                stabilization_window: Some(down_w * S),
                ..RulesSpec::default()
            }),
        );
        let mut state = State {
            recommendations: Some(log),
            ..State::default()
        };
        let n = Normalization {
            current,
            desired,
            min: 0,
            max: 1000,
        };
        assert_eq!(stabilize(&mut state, &b, n, T0).0, want, "{name}");
        let got: Vec<u32> = state
            .recommendations
            .unwrap_or_default()
            .iter()
            .map(|r| r.replicas)
            .collect();
        assert_eq!(got, after, "{name}");
    }
}
