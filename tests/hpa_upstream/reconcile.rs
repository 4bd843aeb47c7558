//! `horizontal_test.go`, the reconcile tests: whole evaluations through `Hpa::evaluate`.

use super::*;

#[test]
fn test_scale_up() {
    let h = hpa(2, 6, vec![cpu(30)], None);
    let o = run(
        &h,
        &mut State::default(),
        3,
        pods(3, 0, 0),
        &[Some(util(&[300, 500, 700], &[1000; 3]))],
    );
    assert_eq!(o.desired, 5);
    assert_eq!(limit_of(&o), Some(Limit::DesiredWithinRange));
}

#[test]
fn test_scale_up_unready_less_scale() {
    let h = hpa(2, 6, vec![cpu(30)], None);
    let o = run(
        &h,
        &mut State::default(),
        3,
        pods(2, 1, 0),
        &[Some(util(&[500, 700], &[1000; 2]))],
    );
    assert_eq!(o.desired, 4);
}

#[test]
fn test_scale_up_unready_no_scale() {
    let h = hpa(2, 6, vec![cpu(30)], None);
    let o = run(
        &h,
        &mut State::default(),
        3,
        pods(1, 2, 0),
        &[Some(util(&[400], &[1000]))],
    );
    assert_eq!(o.desired, 3);
    assert_eq!(stabilization_of(&o), Some(Stabilization::ReadyForNewScale));
}

#[test]
fn test_scale_up_ignores_failed_pods() {
    let h = hpa(2, 6, vec![cpu(30)], None);
    let o = run(
        &h,
        &mut State::default(),
        2,
        pods(2, 0, 0),
        &[Some(util(&[500, 700], &[1000; 2]))],
    );
    assert_eq!(o.desired, 4);
}

#[test]
fn test_scale_up_cm() {
    let h = hpa(2, 6, vec![pods_metric(15.0)], None);
    let o = run(
        &h,
        &mut State::default(),
        3,
        pods(3, 0, 0),
        &[Some(avg_milli(&[20000, 10000, 30000]))],
    );
    assert_eq!(o.desired, 4);
}

#[test]
fn test_scale_up_cm_unready_and_cpu_hot() {
    // 7 proposed, limited by max 6.
    let h = hpa(2, 6, vec![pods_metric(15.0)], None);
    let o = run(
        &h,
        &mut State::default(),
        3,
        pods(3, 0, 0),
        &[Some(avg_milli(&[50000, 15000, 30000]))],
    );
    assert_eq!(o.desired, 6);
    assert_eq!(limit_of(&o), Some(Limit::TooManyReplicas));
}

#[test]
fn test_scale_up_cm_object_and_external() {
    // TestScaleUpCMObject, TestScaleUpPerPodCMObject, TestScaleUpCMExternal,
    // TestScaleUpPerPodCMExternal: 3 → 4 each.
    let cases = [
        (total_value(15.0), 20.0),
        (total_per_pod(10.0), 40.0),
        (total_value(6.666), 8.6),
        (total_per_pod(2.222), 8.6),
    ];
    for (m, v) in cases {
        let h = hpa(2, 6, vec![m], None);
        let o = run(&h, &mut State::default(), 3, pods(3, 0, 0), &[Some(v)]);
        assert_eq!(o.desired, 4, "{m:?} at {v}");
    }
}

#[test]
fn test_scale_up_from_zero_cm_object() {
    let h = hpa(0, 6, vec![total_value(15.0)], None);
    let o = run(&h, &mut State::default(), 0, pods(0, 0, 0), &[Some(20.0)]);
    assert_eq!(o.desired, 2);
}

#[test]
fn test_scale_up_from_zero_ignores_tolerance_cm_object() {
    // A ratio of exactly 1 is inside the tolerance, but from zero there is no tolerance.
    let h = hpa(0, 6, vec![total_value(1.0)], None);
    let o = run(&h, &mut State::default(), 0, pods(0, 0, 0), &[Some(1.0)]);
    assert_eq!(o.desired, 1);
}

#[test]
fn test_scale_down() {
    let h = hpa(2, 6, vec![cpu(50)], None);
    let v = util(&[100, 300, 500, 250, 250], &[1000; 5]);
    let o = run(&h, &mut seasoned(), 5, pods(5, 0, 0), &[Some(v)]);
    assert_eq!(o.desired, 3);
}

#[test]
fn test_scale_down_stabilize_initial_size() {
    // A new autoscaler remembers 5 as its first recommendation: no scale-down in its
    // first window.
    let h = hpa(2, 6, vec![cpu(50)], None);
    let v = util(&[100, 300, 500, 250, 250], &[1000; 5]);
    let o = run(&h, &mut State::default(), 5, pods(5, 0, 0), &[Some(v)]);
    assert_eq!(o.desired, 5);
    assert_eq!(
        stabilization_of(&o),
        Some(Stabilization::ScaleDownStabilized)
    );
}

#[test]
fn test_scale_down_with_scaling_rules() {
    let b = behavior_of(Some(rules(0, 0, 100, 15, 30)), None);
    let h = hpa(2, 6, vec![cpu(50)], Some(b));
    let v = util(&[100, 300, 500, 250, 250], &[1000; 5]);
    let o = run(&h, &mut seasoned(), 5, pods(5, 0, 0), &[Some(v)]);
    assert_eq!(o.desired, 3);
}

#[test]
fn test_scale_down_cm_object_external_to_zero() {
    // TestScaleDownCM, TestScaleDownCMObject, TestScaleDownPerPodCMObject,
    // TestScaleDownCMExternal, TestScaleDownPerPodCMExternal: 5 → 3;
    // TestScaleDownToZeroCMObject, TestScaleDownToZeroCMExternal (min 0): 5 → 0.
    let cases = [
        (2, pods_metric(20.0), 12.0, 3),
        (2, total_value(20.0), 12.0, 3),
        (2, total_per_pod(20.0), 60.0, 3),
        (2, total_value(14.4), 8.6, 3),
        (2, total_per_pod(3.0), 8.6, 3),
        (0, total_value(20.0), 0.0, 0),
        (0, total_value(14.4), 0.0, 0),
    ];
    for (min, m, v, want) in cases {
        let h = hpa(min, 6, vec![m], None);
        let o = run(&h, &mut seasoned(), 5, pods(5, 0, 0), &[Some(v)]);
        assert_eq!(o.desired, want, "{m:?} at {v}");
    }
}

#[test]
fn test_scale_down_include_unready_pods() {
    let h = hpa(2, 6, vec![cpu(50)], None);
    let o = run(
        &h,
        &mut seasoned(),
        5,
        pods(3, 2, 0),
        &[Some(util(&[100, 300, 500], &[1000; 3]))],
    );
    assert_eq!(o.desired, 2);
}

#[test]
fn test_scale_up_one_metric_empty() {
    // CPU proposes 4; the external metric fails. An invalid metric does not stop a scale-up.
    let h = hpa(2, 6, vec![cpu(30), total_value(0.1)], None);
    let o = run(
        &h,
        &mut State::default(),
        3,
        pods(3, 0, 0),
        &[Some(util(&[300, 400, 500], &[1000; 3])), None],
    );
    assert_eq!(o.desired, 4);
}

#[test]
fn test_no_scale_down_one_metric_invalid() {
    // CPU proposes 3 of 5; the other metric is invalid: a scale-down is blocked.
    let h = hpa(2, 6, vec![cpu(50), total_value(1.0)], None);
    let v = util(&[100, 300, 500, 250, 250], &[1000; 5]);
    let o = run(&h, &mut seasoned(), 5, pods(5, 0, 0), &[Some(v), None]);
    assert_eq!(o.desired, 5);
    assert_eq!(
        o.why,
        Why::InvalidMetrics {
            invalid: 1,
            blocked_scale_down: true
        }
    );
}

#[test]
fn test_no_scale_down_one_metric_empty() {
    let h = hpa(2, 6, vec![cpu(50), total_value(1.0)], None);
    let v = util(&[100, 300, 500, 250, 250], &[1000; 5]);
    let o = run(&h, &mut seasoned(), 5, pods(5, 0, 0), &[Some(v), None]);
    assert_eq!(o.desired, 5);
}

#[test]
fn test_scale_up_both_metrics_empty() {
    let h = hpa(2, 6, vec![total_value(1.0)], None);
    let o = run(&h, &mut State::default(), 3, pods(3, 0, 0), &[None]);
    assert_eq!(o.desired, 3);
    assert_eq!(
        o.why,
        Why::InvalidMetrics {
            invalid: 1,
            blocked_scale_down: false
        }
    );
}

#[test]
fn test_empty_metrics() {
    let h = hpa(2, 6, vec![cpu(100)], None);
    let o = run(&h, &mut State::default(), 4, pods(0, 0, 4), &[Some(0.5)]);
    assert_eq!(o.desired, 4);
    assert_eq!(o.proposals, vec![Err(MetricError::NoReadyPods)]);
}

#[test]
fn test_tolerance_family() {
    // TestTolerance, TestToleranceCM, TestToleranceCMObject (3 replicas);
    // TestToleranceCMExternal, TestTolerancePerPodCMObject, TestTolerancePerPodCMExternal (4).
    let cases = [
        (3, cpu(100), util(&[1010, 1030, 1020], &[900, 1000, 1100])),
        (3, pods_metric(20.0), avg_milli(&[20000, 20001, 21000])),
        (3, total_value(20.0), 20.05),
        (4, total_value(8.666), 8.6),
        (4, total_per_pod(2.2), 8.6),
        (4, total_per_pod(2.2), 8.6),
    ];
    for (spec, m, v) in cases {
        let h = hpa(1, 6, vec![m], None);
        let o = run(&h, &mut seasoned(), spec, pods(spec, 0, 0), &[Some(v)]);
        assert_eq!(o.desired, spec, "{m:?} at {v}");
        assert_eq!(stabilization_of(&o), Some(Stabilization::ReadyForNewScale));
    }
}

#[test]
fn test_min_replicas() {
    let h = hpa(2, 5, vec![cpu(90)], None);
    let o = run(
        &h,
        &mut seasoned(),
        3,
        pods(3, 0, 0),
        &[Some(util(&[10, 95, 10], &[900, 1000, 1100]))],
    );
    assert_eq!(o.desired, 2);
    assert_eq!(limit_of(&o), Some(Limit::TooFewReplicas));
}

#[test]
fn test_zero_min_replicas_desired_zero() {
    let h = hpa(0, 5, vec![cpu(90)], None);
    let o = run(&h, &mut seasoned(), 3, pods(3, 0, 0), &[Some(0.0)]);
    assert_eq!(o.desired, 0);
    assert_eq!(limit_of(&o), Some(Limit::DesiredWithinRange));
}

#[test]
fn test_min_replicas_desired_zero() {
    let h = hpa(2, 5, vec![cpu(90)], None);
    let o = run(&h, &mut seasoned(), 3, pods(3, 0, 0), &[Some(0.0)]);
    assert_eq!(o.desired, 2);
    assert_eq!(limit_of(&o), Some(Limit::TooFewReplicas));
}

#[test]
fn test_zero_replicas() {
    let h = hpa(3, 5, vec![cpu(90)], None);
    let o = run(&h, &mut State::default(), 0, pods(0, 0, 0), &[None]);
    assert_eq!((o.desired, o.why), (0, Why::ScalingDisabled));
}

#[test]
fn test_too_few_and_too_many_replicas() {
    // TestTooFewReplicas, TestScaleUpRCImmediately: below min → min at once.
    // TestTooManyReplicas, TestScaleDownRCImmediately: above max → max at once.
    let h = hpa(3, 5, vec![cpu(90)], None);
    let o = run(&h, &mut State::default(), 2, pods(2, 0, 0), &[None]);
    assert_eq!((o.desired, o.why), (3, Why::BelowMin));
    let o = run(&h, &mut State::default(), 10, pods(10, 0, 0), &[None]);
    assert_eq!((o.desired, o.why), (5, Why::AboveMax));
}

#[test]
fn test_max_replicas() {
    let h = hpa(2, 5, vec![cpu(90)], None);
    let o = run(
        &h,
        &mut State::default(),
        3,
        pods(3, 0, 0),
        &[Some(util(&[8000, 9500, 1000], &[900, 1000, 1100]))],
    );
    assert_eq!(o.desired, 5);
    assert_eq!(limit_of(&o), Some(Limit::TooManyReplicas));
}

#[test]
fn test_superfluous_metrics() {
    let h = hpa(2, 6, vec![cpu(100)], None);
    let o = run(
        &h,
        &mut State::default(),
        4,
        pods(4, 0, 0),
        &[Some(util(&[4000, 9500, 3000, 7000], &[1000; 4]))],
    );
    assert_eq!(o.desired, 6);
    assert_eq!(limit_of(&o), Some(Limit::TooManyReplicas));
}

#[test]
fn test_missing_metrics() {
    let h = hpa(2, 6, vec![cpu(100)], None);
    let o = run(
        &h,
        &mut seasoned(),
        4,
        pods(2, 0, 2),
        &[Some(util(&[400, 95], &[1000; 2]))],
    );
    assert_eq!(o.desired, 3);
}

#[test]
fn test_event_created_and_not_created() {
    let h = hpa(1, 5, vec![cpu(50)], None);
    let o = run(
        &h,
        &mut State::default(),
        1,
        pods(1, 0, 0),
        &[Some(util(&[200], &[200]))],
    );
    assert_eq!(o.desired, 2, "TestEventCreated");
    let o = run(
        &h,
        &mut State::default(),
        2,
        pods(2, 0, 0),
        &[Some(util(&[200, 200], &[400, 400]))],
    );
    assert_eq!(o.desired, 2, "TestEventNotCreated");
}

#[test]
fn test_missing_reports() {
    // Four replicas requested, one pod exists and reports 100 % of a 50 % target.
    let h = hpa(1, 5, vec![cpu(50)], None);
    let o = run(
        &h,
        &mut seasoned(),
        4,
        pods(1, 0, 0),
        &[Some(util(&[200], &[200]))],
    );
    assert_eq!(o.desired, 2);
}

#[test]
fn test_upscale_cap() {
    // Scale-up policy 700 % per 60 s: from 3, at most ceil(3 × 8) = 24 of the 60 proposed.
    let b = behavior_of(Some(rules(0, 0, 700, 60, 0)), None);
    let h = hpa(1, 100, vec![cpu(10)], Some(b.clone()));
    let v = util(&[100, 200, 300], &[100; 3]);
    let o = run(&h, &mut State::default(), 3, pods(3, 0, 0), &[Some(v)]);
    assert_eq!(o.desired, 24);
    assert_eq!(limit_of(&o), Some(Limit::ScaleUpLimit));
    // TestUpscaleCapGreaterThanMaxReplicas: max 20 is lower than the cap.
    let h = hpa(1, 20, vec![cpu(10)], Some(b));
    let o = run(&h, &mut State::default(), 3, pods(3, 0, 0), &[Some(v)]);
    assert_eq!(o.desired, 20);
    assert_eq!(limit_of(&o), Some(Limit::TooManyReplicas));
}

#[test]
fn test_more_replicas_than_spec_no_scale() {
    // A rolling update surges to 5 pods for 4 requested; 50 % of a 50 % target: no change.
    let h = hpa(1, 8, vec![cpu(50)], None);
    let o = run(
        &h,
        &mut State::default(),
        4,
        pods(5, 0, 0),
        &[Some(util(&[500; 5], &[1000; 5]))],
    );
    assert_eq!(o.desired, 4);
}

#[test]
fn test_stabilize_downscale() {
    // 2 proposed; a recommendation of 4 a minute ago holds the count (one of 10 ten
    // minutes ago is outside the 5-minute window).
    let h = hpa(1, 5, vec![cpu(100)], None);
    let mut state = State {
        recommendations: Some(vec![rec(10, 10 * MIN), rec(4, MIN)]),
        ..State::default()
    };
    let o = run(
        &h,
        &mut state,
        4,
        pods(3, 0, 0),
        &[Some(util(&[50, 50, 50], &[100; 3]))],
    );
    assert_eq!(o.desired, 4);
    assert_eq!(
        stabilization_of(&o),
        Some(Stabilization::ScaleDownStabilized)
    );
}

#[test]
fn test_computed_tolerance_alg_implementation() {
    let requests = [400, 200, 310, 290, 302, 298, 301, 299, 300, 300];
    let v = util(&[150; 10], &requests);
    let h = hpa(0, 1000, vec![cpu(56)], None);
    assert_eq!(
        run(&h, &mut seasoned(), 10, pods(10, 0, 0), &[Some(v)]).desired,
        9
    );
    let h = hpa(0, 1000, vec![cpu(55)], None);
    assert_eq!(
        run(&h, &mut seasoned(), 10, pods(10, 0, 0), &[Some(v)]).desired,
        10
    );
}
