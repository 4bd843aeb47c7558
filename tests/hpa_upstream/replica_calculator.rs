//! `replica_calculator_test.go`: one metric's proposal.

use super::*;

#[test]
fn test_replica_calc_scale_up() {
    let p = propose(
        cpu(30),
        3,
        pods(3, 0, 0),
        util(&[300, 500, 700], &[1000, 1000, 1000]),
    );
    assert_eq!((p.replicas, p.current), (5, 50.0));
}

#[test]
fn test_replica_calc_scale_up_unready_less_scale() {
    // The unready pod is left out of the first pass (60 %) and counted at 0 % in the
    // second (40 %): 4, not 6.
    let p = propose(cpu(30), 3, pods(2, 1, 0), util(&[500, 700], &[1000, 1000]));
    assert_eq!((p.replicas, p.current), (4, 60.0));
}

#[test]
fn test_replica_calc_scale_up_hot_cpu_less_scale() {
    let p = propose(cpu(30), 3, pods(2, 1, 0), util(&[500, 700], &[1000, 1000]));
    assert_eq!(p.replicas, 4);
}

#[test]
fn test_replica_calc_scale_up_unready_no_scale() {
    // First pass 40 % (scale up); with two unready pods at 0 % the second pass is 13 %:
    // the direction flips, so nothing changes.
    let p = propose(cpu(30), 3, pods(1, 2, 0), util(&[400], &[1000]));
    assert_eq!((p.replicas, p.current), (3, 40.0));
}

#[test]
fn test_replica_calc_scale_hot_cpu_no_scale() {
    let p = propose(cpu(30), 3, pods(1, 2, 0), util(&[400], &[1000]));
    assert_eq!(p.replicas, 3);
}

#[test]
fn test_replica_calc_scale_up_ignores_failed_pods() {
    // Two failed pods are not pods at all in the aggregate form.
    let p = propose(cpu(30), 2, pods(2, 0, 0), util(&[500, 700], &[1000, 1000]));
    assert_eq!((p.replicas, p.current), (4, 60.0));
}

#[test]
fn test_replica_calc_scale_up_ignores_deletion_pods() {
    let p = propose(cpu(30), 2, pods(2, 0, 0), util(&[500, 700], &[1000, 1000]));
    assert_eq!(p.replicas, 4);
}

#[test]
fn test_replica_calc_scale_up_cm() {
    let p = propose(
        pods_metric(15.0),
        3,
        pods(3, 0, 0),
        avg_milli(&[20000, 10000, 30000]),
    );
    assert_eq!((p.replicas, p.current), (4, 20.0));
}

#[test]
fn test_replica_calc_scale_up_cm_unready_hot_cpu_no_less_scale() {
    // For a custom metric upstream treats only Pending pods as unready: the pod whose
    // readiness is False still reports and counts. The caller reports three ready pods.
    let p = propose(
        pods_metric(15.0),
        3,
        pods(3, 0, 0),
        avg_milli(&[50000, 10000, 30000]),
    );
    assert_eq!((p.replicas, p.current), (6, 30.0));
}

#[test]
fn test_replica_calc_scale_up_cm_unready_hot_cpu_scale_would_scale_down() {
    let p = propose(
        pods_metric(15.0),
        3,
        pods(3, 0, 0),
        avg_milli(&[50000, 15000, 30000]),
    );
    assert_eq!((p.replicas, p.current), (7, 31.666));
}

#[test]
fn test_replica_calc_scale_up_cm_object() {
    let p = propose(total_value(15.0), 3, pods(3, 0, 0), 20.0);
    assert_eq!((p.replicas, p.current), (4, 20.0));
}

#[test]
fn test_replica_calc_scale_up_cm_per_pod_object() {
    let p = propose(total_per_pod(5.0), 3, pods(3, 0, 0), 20.0);
    assert_eq!((p.replicas, p.current), (4, 6.667));
}

#[test]
fn test_replica_calc_scale_up_cm_object_ignores_unready_pods() {
    // ceil(5 × 1 ready pod), not 15.
    let p = propose(total_value(10.0), 3, pods(1, 2, 0), 50.0);
    assert_eq!(p.replicas, 5);
}

#[test]
fn test_replica_calc_scale_up_cm_external() {
    // Upstream runs this one as a pods metric on one pod.
    let p = propose(pods_metric(4.4), 1, pods(1, 0, 0), 8.6);
    assert_eq!(p.replicas, 2);
}

#[test]
fn test_replica_calc_scale_up_cm_external_ignores_unready_pods() {
    let p = propose(total_value(4.4), 3, pods(1, 2, 0), 8.6);
    assert_eq!(p.replicas, 2);
}

#[test]
fn test_replica_calc_scale_up_per_pod_cm_external() {
    let p = propose(total_per_pod(2.15), 3, pods(3, 0, 0), 8.6);
    assert_eq!((p.replicas, p.current), (4, 2.867));
}

#[test]
fn test_replica_calc_scale_down() {
    let p = propose(
        cpu(50),
        5,
        pods(5, 0, 0),
        util(&[100, 300, 500, 250, 250], &[1000; 5]),
    );
    assert_eq!((p.replicas, p.current), (3, 28.0));
}

#[test]
fn test_replica_calc_scale_down_cm() {
    let p = propose(pods_metric(20.0), 5, pods(5, 0, 0), avg_milli(&[12000; 5]));
    assert_eq!(p.replicas, 3);
}

#[test]
fn test_replica_calc_scale_down_per_pod_cm_object() {
    let p = propose(total_per_pod(2.0), 5, pods(5, 0, 0), 6.0);
    assert_eq!((p.replicas, p.current), (3, 1.2));
}

#[test]
fn test_replica_calc_scale_down_cm_object() {
    let p = propose(total_value(20.0), 5, pods(5, 0, 0), 12.0);
    assert_eq!(p.replicas, 3);
}

#[test]
fn test_replica_calc_scale_down_cm_external() {
    let p = propose(total_value(14.334), 5, pods(5, 0, 0), 8.6);
    assert_eq!(p.replicas, 3);
}

#[test]
fn test_replica_calc_scale_down_per_pod_cm_external() {
    let p = propose(total_per_pod(2.867), 5, pods(5, 0, 0), 8.6);
    assert_eq!((p.replicas, p.current), (3, 1.72));
}

#[test]
fn test_replica_calc_scale_down_include_unready_pods() {
    // A scale-down ignores the unready pods: ceil(0.6 × 3 ready) = 2.
    let p = propose(
        cpu(50),
        5,
        pods(3, 2, 0),
        util(&[100, 300, 500], &[1000; 3]),
    );
    assert_eq!((p.replicas, p.current), (2, 30.0));
}

#[test]
fn test_replica_calc_scale_down_exclude_unscheduled_pods() {
    let p = propose(cpu(50), 5, pods(1, 4, 0), util(&[100], &[1000]));
    assert_eq!((p.replicas, p.current), (1, 10.0));
}

#[test]
fn test_replica_calc_scale_down_ignore_hot_cpu_pods() {
    let p = propose(
        cpu(50),
        5,
        pods(3, 2, 0),
        util(&[100, 300, 500], &[1000; 3]),
    );
    assert_eq!(p.replicas, 2);
}

#[test]
fn test_replica_calc_scale_down_ignores_failed_pods() {
    let p = propose(
        cpu(50),
        5,
        pods(5, 0, 0),
        util(&[100, 300, 500, 250, 250], &[1000; 5]),
    );
    assert_eq!((p.replicas, p.current), (3, 28.0));
}

#[test]
fn test_replica_calc_tolerance() {
    // 102 % of target: inside the default 10 % tolerance.
    let p = propose(
        cpu(100),
        3,
        pods(3, 0, 0),
        util(&[1010, 1030, 1020], &[900, 1000, 1100]),
    );
    assert_eq!((p.replicas, p.current), (3, 102.0));
}

#[test]
fn test_replica_calc_tolerance_cm() {
    let p = propose(
        pods_metric(20.0),
        3,
        pods(3, 0, 0),
        avg_milli(&[20000, 21000, 21000]),
    );
    assert_eq!((p.replicas, p.current), (3, 20.666));
}

#[test]
fn test_replica_calc_tolerance_cm_object() {
    let p = propose(total_value(20.0), 3, pods(3, 0, 0), 20.666);
    assert_eq!(p.replicas, 3);
}

#[test]
fn test_replica_calc_tolerance_per_pod_cm_object() {
    let p = propose(total_per_pod(5.0), 4, pods(4, 0, 0), 20.166);
    assert_eq!((p.replicas, p.current), (4, 5.042));
}

#[test]
fn test_replica_calc_tolerance_cm_external() {
    let p = propose(total_value(8.888), 3, pods(3, 0, 0), 8.6);
    assert_eq!(p.replicas, 3);
}

#[test]
fn test_replica_calc_tolerance_per_pod_cm_external() {
    let p = propose(total_per_pod(2.9), 3, pods(3, 0, 0), 8.6);
    assert_eq!((p.replicas, p.current), (3, 2.867));
}

#[test]
fn test_replica_calc_superfluous_metrics() {
    // Samples of pods that no longer exist carry no request and do not count: the
    // average is over the four pods.
    let p = propose(
        cpu(100),
        4,
        pods(4, 0, 0),
        util(&[4000, 9500, 3000, 7000], &[1000; 4]),
    );
    assert_eq!((p.replicas, p.current), (24, 587.0));
}

#[test]
fn test_replica_calc_missing_metrics() {
    // Two pods report 24 %; on a scale-down the two silent pods count at 100 %: 62 %.
    let p = propose(cpu(100), 4, pods(2, 0, 2), util(&[400, 95], &[1000, 1000]));
    assert_eq!((p.replicas, p.current), (3, 24.0));
}

#[test]
fn test_replica_calc_empty_metrics() {
    let m = cpu(100);
    assert_eq!(
        m.propose(None, 4, pods(3, 0, 0), TOL),
        Err(MetricError::Unavailable)
    );
    assert_eq!(
        m.propose(Some(0.5), 4, pods(0, 0, 3), TOL),
        Err(MetricError::NoReadyPods)
    );
}

#[test]
fn test_replica_calc_disjoint_resources_metrics() {
    // Samples only for a pod that no longer exists: no pod reports.
    assert_eq!(
        cpu(100).propose(Some(0.1), 1, pods(0, 0, 1), TOL),
        Err(MetricError::NoReadyPods)
    );
}

#[test]
fn test_replica_calc_missing_metrics_no_change_eq() {
    let p = propose(cpu(100), 2, pods(1, 0, 1), util(&[1000], &[1000]));
    assert_eq!((p.replicas, p.current), (2, 100.0));
}

#[test]
fn test_replica_calc_missing_metrics_no_change_gt() {
    // 190 %, but with the silent pod at 0 % the second pass is 95 %: inside the tolerance.
    let p = propose(cpu(100), 2, pods(1, 0, 1), util(&[1900], &[1000]));
    assert_eq!((p.replicas, p.current), (2, 190.0));
}

#[test]
fn test_replica_calc_missing_metrics_no_change_lt() {
    // 60 %, with the silent pod at 100 % 80 %: ceil(0.8 × 2) = 2.
    let p = propose(cpu(100), 2, pods(1, 0, 1), util(&[600], &[1000]));
    assert_eq!((p.replicas, p.current), (2, 60.0));
}

#[test]
fn test_replica_calc_missing_metrics_unready_change() {
    // One ready pod at 45 % (scale down), one silent pod at 100 %: 72 % flips the
    // direction; no change.
    let p = propose(cpu(50), 3, pods(1, 1, 1), util(&[450], &[1000]));
    assert_eq!((p.replicas, p.current), (3, 45.0));
}

#[test]
fn test_replica_calc_missing_metrics_hot_cpu_no_change() {
    let p = propose(cpu(50), 3, pods(1, 1, 1), util(&[450], &[1000]));
    assert_eq!(p.replicas, 3);
}

#[test]
fn test_replica_calc_missing_metrics_unready_scale_up() {
    // 200 %; the silent and the unready pod at 0 %: 66 % → ceil(1.32 × 3) = 4.
    let p = propose(cpu(50), 3, pods(1, 1, 1), util(&[2000], &[1000]));
    assert_eq!((p.replicas, p.current), (4, 200.0));
}

#[test]
fn test_replica_calc_missing_metrics_hot_cpu_scale_up() {
    let p = propose(cpu(50), 3, pods(1, 1, 1), util(&[2000], &[1000]));
    assert_eq!(p.replicas, 4);
}

#[test]
fn test_replica_calc_missing_metrics_unready_scale_down() {
    // Two ready pods at 10 %, one silent at 100 %: 40 % → ceil(0.8 × 3) = 3. The unready
    // pod does not count on a scale-down.
    let p = propose(cpu(50), 4, pods(2, 1, 1), util(&[100, 100], &[1000, 1000]));
    assert_eq!((p.replicas, p.current), (3, 10.0));
}

#[test]
fn test_replica_calc_computed_tolerance_alg_implementation() {
    // 10 pods using 150m of 300m requested (50 %). Target 56 %: 50/56 = 0.893 is just
    // outside the tolerance → 9. Target 55 %: 0.909 is inside → 10.
    let requests = [400, 200, 310, 290, 302, 298, 301, 299, 300, 300];
    let value = util(&[150; 10], &requests);
    assert_eq!(propose(cpu(56), 10, pods(10, 0, 0), value).replicas, 9);
    assert_eq!(propose(cpu(55), 10, pods(10, 0, 0), value).replicas, 10);
}
