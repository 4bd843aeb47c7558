//! Sequences over time: the defaults, the docs' examples, each window and budget.

use super::*;

/// Evaluates every 15 s from T0 with the wanted counts, the count following each decision;
/// returns the counts after each evaluation.
fn simulate(h: &Hpa, start: u32, wants: &[u32]) -> Vec<u32> {
    let mut state = State::default();
    let mut current = start;
    let mut out = Vec::new();
    for (i, w) in wants.iter().enumerate() {
        let values = [Some(f64::from(*w))];
        let obs = Observation {
            replicas: current,
            pods: Pods::ready(current),
            values: &values,
        };
        match h.evaluate(&mut state, T0 + i as i64 * 15 * S, &obs) {
            Ok(o) => current = o.desired,
            Err(e) => panic!("{e}"),
        }
        out.push(current);
    }
    out
}

#[test]
fn default_behavior_scales_up_by_max_of_4_pods_or_100_percent_per_15s() {
    // defaults.go: up Max(Pods 4, Percent 100) per 15 s, no window.
    let h = driver(1, 100, Some(behavior_of(None, None)));
    assert_eq!(simulate(&h, 1, &[50; 5]), vec![5, 10, 20, 40, 50]);
}

#[test]
fn default_behavior_scale_down_waits_300s_then_drops_at_once() {
    // A new autoscaler at 10 wanting 2: its first recommendation (10) holds the count
    // for the 300 s window (recommendations strictly after now − 300 s count); then 100 %
    // per 15 s lets it drop to 2 at once.
    let h = driver(1, 100, Some(behavior_of(None, None)));
    let counts = simulate(&h, 10, &[2; 22]);
    assert_eq!(&counts[..20], &[10; 20], "t = 0 … 285 s");
    assert_eq!(counts[20], 2, "t = 300 s");
}

#[test]
fn no_behavior_legacy_window_includes_its_cutoff_and_caps_scale_up_at_double() {
    // Without behavior the window is the controller flag (300 s) and a recommendation
    // exactly 300 s old still counts: the drop comes one evaluation later than with the
    // default behavior.
    let h = driver(1, 100, None);
    let counts = simulate(&h, 10, &[2; 23]);
    assert_eq!(&counts[..21], &[10; 21], "t = 0 … 300 s");
    assert_eq!(counts[21], 2, "t = 315 s");
    // Scale-up: max(2 × current, 4) per evaluation, no period.
    assert_eq!(simulate(&h, 1, &[50; 5]), vec![4, 8, 16, 32, 50]);
}

#[test]
fn percent_policy_budget_is_spent_per_period() {
    // Kubernetes docs, "Scaling policies": scale down at most 10 % per minute. From 80:
    // 72 at once, then nothing until the event leaves the minute, then 64 (10 % of 72,
    // 7.2 pods, is rounded up to 8 removed).
    let down = RulesSpec {
        policies: Some(vec![Policy::percent(10, 60 * S)]),
        stabilization_window: Some(0),
        ..RulesSpec::default()
    };
    let h = driver(1, 100, Some(behavior_of(None, Some(down))));
    let counts = simulate(&h, 80, &[10; 9]);
    assert_eq!(counts, vec![72, 72, 72, 72, 64, 64, 64, 64, 57]);
}

#[test]
fn pods_policy_budget_is_spent_per_period() {
    // At most 4 pods per 60 s up: 10 → 14, then held until the minute has passed.
    let up = RulesSpec {
        policies: Some(vec![Policy::pods(4, 60 * S)]),
        ..RulesSpec::default()
    };
    let h = driver(1, 100, Some(behavior_of(Some(up), None)));
    assert_eq!(simulate(&h, 10, &[30; 6]), vec![14, 14, 14, 14, 18, 18]);
}

#[test]
fn select_min_and_disabled() {
    // Min: the smaller of 4 pods and 100 % → 1 → 2 → 4 → 8 → 12.
    let up = RulesSpec {
        select: Some(SelectPolicy::Min),
        ..RulesSpec::default()
    };
    let h = driver(1, 100, Some(behavior_of(Some(up), None)));
    assert_eq!(simulate(&h, 1, &[50; 5]), vec![2, 4, 8, 12, 16]);
    // Disabled scale-down: never below the count, whatever the metric says.
    let down = RulesSpec {
        select: Some(SelectPolicy::Disabled),
        stabilization_window: Some(0),
        ..RulesSpec::default()
    };
    let h = driver(1, 100, Some(behavior_of(None, Some(down))));
    assert_eq!(simulate(&h, 10, &[1; 4]), vec![10; 4]);
}

#[test]
fn scale_up_stabilization_window_takes_the_lowest_recent_recommendation() {
    // Up window 60 s: a spike has to last the whole minute to count fully.
    let up = RulesSpec {
        stabilization_window: Some(60 * S),
        ..RulesSpec::default()
    };
    let h = driver(1, 100, Some(behavior_of(Some(up), None)));
    // The first recommendation (5) is in the window for 60 s.
    assert_eq!(simulate(&h, 5, &[8, 8, 8, 8, 8, 8]), vec![5, 5, 5, 5, 8, 8]);
}

#[test]
fn per_direction_tolerance() {
    // API reference, HPAScalingRules.tolerance: a 100Mi memory target with 5 % down and
    // 1 % up tolerance scales when consumption falls below 95Mi or exceeds 101Mi.
    let mi = 1024.0 * 1024.0;
    let b = behavior_of(
        Some(RulesSpec {
            tolerance: Some(0.01),
            ..RulesSpec::default()
        }),
        Some(RulesSpec {
            tolerance: Some(0.05),
            stabilization_window: Some(0),
            ..RulesSpec::default()
        }),
    );
    let memory = MetricTarget::new(Source::PodAverage, Target::AverageValue(100.0 * mi))
        .expect("valid target");
    let h = hpa(1, 100, vec![memory], Some(b));
    assert_eq!(
        h.tolerances(),
        Tolerances {
            down: 0.05,
            up: 0.01
        }
    );
    let at = |mib: f64| run(&h, &mut seasoned(), 10, Pods::ready(10), &[Some(mib * mi)]).desired;
    assert_eq!(at(100.9), 10, "inside +1 %");
    assert_eq!(at(101.5), 11, "outside +1 %: ceil(10.15)");
    assert_eq!(at(95.5), 10, "inside −5 %");
    assert_eq!(at(90.0), 9, "outside −5 %");
}

#[test]
fn tolerance_edges_are_inclusive() {
    // isWithin: 1 − down ≤ ratio ≤ 1 + up. 110 % and 90 % of a 100 % target change nothing;
    // 111 % and 89 % do.
    let m = cpu(100);
    assert_eq!(propose(m, 10, Pods::ready(10), 1.10).replicas, 10);
    assert_eq!(propose(m, 10, Pods::ready(10), 0.90).replicas, 10);
    assert_eq!(
        propose(m, 10, Pods::ready(10), 1.11).replicas,
        12,
        "ceil(11.1)"
    );
    assert_eq!(
        propose(m, 10, Pods::ready(10), 0.89).replicas,
        9,
        "ceil(8.9)"
    );
    // Utilisation is whole percent, truncated: 110.9 % is 110 %, inside.
    assert_eq!(propose(m, 10, Pods::ready(10), 1.109).replicas, 10);
}

#[test]
fn several_metrics_take_the_largest_proposal() {
    let h = hpa(1, 20, vec![cpu(50), pods_metric(10.0)], None);
    let o = run(
        &h,
        &mut seasoned(),
        4,
        Pods::ready(4),
        &[Some(0.75), Some(25.0)],
    );
    // cpu: ceil(1.5 × 4) = 6; pods metric: ceil(2.5 × 4) = 10.
    assert_eq!(o.desired, 8, "10 proposed, legacy cap max(2 × 4, 4)");
    assert!(matches!(o.why, Why::Normalized { proposal: 10, .. }));
}

#[test]
fn recommend_records_recommendations_but_not_events() {
    // A caller whose own rules may win asks for the HPA's count without applying it; the
    // change that actually happened is recorded afterwards.
    let h = driver(1, 100, Some(behavior_of(None, None)));
    let mut state = State::default();
    let values = [Some(8.0)];
    let obs = Observation {
        replicas: 4,
        pods: Pods::ready(4),
        values: &values,
    };
    let bounds = scalerules::eval::target::Bounds { min: 1, max: 100 };
    let o = h
        .recommend_within(&mut state, T0, &obs, bounds)
        .expect("width");
    assert_eq!(o.desired, 8);
    assert_eq!(state.recommendations.as_ref().map(Vec::len), Some(2));
    assert!(state.scale_up_events.is_empty());
    // Another rule took the count to 10: that is the event.
    h.record_change(&mut state, 4, 10, T0);
    assert_eq!(
        state
            .scale_up_events
            .iter()
            .map(|e| e.change)
            .collect::<Vec<_>>(),
        vec![6]
    );
}
