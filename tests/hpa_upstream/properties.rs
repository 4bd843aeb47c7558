//! Invariants over generated sequences.

use super::*;

fn arb_rules(up: bool) -> impl Strategy<Value = RulesSpec> {
    let policy = (prop::bool::ANY, 1u32..200, 1i64..=120).prop_map(|(pods, v, p)| {
        if pods {
            Policy::pods(v.min(20), p * S)
        } else {
            Policy::percent(v, p * S)
        }
    });
    (
        prop::collection::vec(policy, 1..3),
        prop::sample::select(vec![SelectPolicy::Max, SelectPolicy::Min]),
        0i64..=(if up { 120 } else { 300 }),
    )
        .prop_map(|(policies, select, w)| RulesSpec {
            stabilization_window: Some(w * S),
            select: Some(select),
            policies: Some(policies),
            tolerance: None,
        })
}

/// A run at irregular times with wanted counts; the state, current and the log of all
/// changes and recommendations the test keeps beside the library.
struct Trace {
    times: Vec<i64>,
    counts: Vec<u32>,
    wants: Vec<u32>,
}

fn trace(h: &Hpa, start: u32, steps: &[(i64, u32)]) -> Trace {
    let mut state = State::default();
    let mut current = start;
    let mut t = T0;
    let mut out = Trace {
        times: vec![],
        counts: vec![],
        wants: vec![],
    };
    for &(dt, want) in steps {
        t += dt;
        let values = [Some(f64::from(want))];
        let obs = Observation {
            replicas: current,
            pods: Pods::ready(current),
            values: &values,
        };
        match h.evaluate(&mut state, t, &obs) {
            Ok(o) => current = o.desired,
            Err(e) => panic!("{e}"),
        }
        out.times.push(t);
        out.counts.push(current);
        out.wants.push(want);
    }
    out
}

fn arb_steps() -> impl Strategy<Value = Vec<(i64, u32)>> {
    prop::collection::vec(
        (
            prop::sample::select(vec![15 * S, 15 * S, 15 * S, 30 * S, 7 * S, 60 * S]),
            0u32..60,
        ),
        1..60,
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    /// The count always ends within [min, max], whatever the start.
    #[test]
    fn result_within_bounds(
        min in 0u32..5, span in 1u32..40, start in 0u32..60,
        up in arb_rules(true), down in arb_rules(false), legacy in prop::bool::ANY,
        steps in arb_steps(),
    ) {
        let max = min + span;
        let b = (!legacy).then(|| behavior_of(Some(up), Some(down)));
        let h = driver(min, max, b);
        let tr = trace(&h, start, &steps);
        for (i, c) in tr.counts.iter().enumerate() {
            let before = if i == 0 { start } else { tr.counts[i - 1] };
            if before == 0 && min > 0 {
                prop_assert_eq!(*c, 0, "scaling disabled at 0");
            } else {
                prop_assert!(*c >= min && *c <= max, "count {} outside {}..{}", c, min, max);
            }
        }
    }

    /// Stabilisation never moves against its window: a scale-down never goes below a
    /// recommendation of the down window, a scale-up never above one of the up window,
    /// and the count never overshoots the proposal.
    #[test]
    fn stabilization_never_moves_against_the_window(
        up in arb_rules(true), down in arb_rules(false), start in 1u32..60, steps in arb_steps(),
    ) {
        let b = behavior_of(Some(up), Some(down));
        let (w_up, w_down) = (b.scale_up.stabilization_window, b.scale_down.stabilization_window);
        let h = driver(1, 1000, Some(b));
        let tr = trace(&h, start, &steps);
        for i in 0..tr.counts.len() {
            let t = tr.times[i];
            let before = if i == 0 { start } else { tr.counts[i - 1] };
            let c = tr.counts[i];
            // The recommendations the controller remembers: the first count at the first
            // evaluation, and every proposal (the driver proposes `want`).
            let mut recs: Vec<(i64, u32)> = vec![(tr.times[0], start)];
            recs.extend((0..=i).map(|j| (tr.times[j], tr.wants[j])));
            if c < before {
                for &(at, r) in &recs {
                    if at > t - w_down {
                        prop_assert!(c >= r.min(before), "down to {} below {} recorded at {}", c, r, at);
                    }
                }
                prop_assert!(c >= tr.wants[i].max(1), "overshoot below the proposal");
            }
            if c > before {
                for &(at, r) in &recs {
                    if at > t - w_up {
                        prop_assert!(c <= r.max(before), "up to {} above {} recorded at {}", c, r, at);
                    }
                }
                prop_assert!(c <= tr.wants[i].max(1), "overshoot above the proposal");
            }
        }
    }

    /// Rate limits are never exceeded: for every Pods policy, the net change over
    /// (t − period, t] is at most its value; for every Percent policy, a count reached by
    /// a scale-up is at most ceil(start × (1 + p/100)), start being the count at the
    /// beginning of the period. Scale-down likewise. With select Max the largest of the
    /// limits applies, so the check is against the most generous policy.
    #[test]
    fn rate_limits_are_never_exceeded(
        up in arb_rules(true), down in arb_rules(false), start in 1u32..60, steps in arb_steps(),
    ) {
        let b = behavior_of(Some(up), Some(down));
        let h = driver(1, 1000, Some(b.clone()));
        let tr = trace(&h, start, &steps);
        let changes: Vec<(i64, i64)> = (0..tr.counts.len())
            .map(|i| {
                let before = if i == 0 { start } else { tr.counts[i - 1] };
                (tr.times[i], i64::from(tr.counts[i]) - i64::from(before))
            })
            .collect();
        for i in 0..changes.len() {
            let (t, delta) = changes[i];
            if delta == 0 {
                continue;
            }
            let rules = if delta > 0 { &b.scale_up } else { &b.scale_down };
            let count = i64::from(tr.counts[i]);
            // The most any policy allows, from the true history.
            let allowed = rules
                .policies
                .iter()
                .map(|p| {
                    let net: i64 = changes[..i].iter().filter(|(at, _)| *at > t - p.period).map(|(_, d)| d).sum();
                    let period_start = count - delta - net;
                    match (p.kind, delta > 0) {
                        (scalerules::eval::target::PolicyKind::Pods, true) => period_start + i64::from(p.value),
                        (scalerules::eval::target::PolicyKind::Pods, false) => period_start - i64::from(p.value),
                        (scalerules::eval::target::PolicyKind::Percent, true) => {
                            (period_start as f64 * (1.0 + f64::from(p.value) / 100.0)).ceil() as i64
                        }
                        (scalerules::eval::target::PolicyKind::Percent, false) => {
                            (period_start as f64 * (1.0 - f64::from(p.value) / 100.0)) as i64
                        }
                    }
                })
                .collect::<Vec<_>>();
            if delta > 0 {
                let most = allowed.iter().copied().max().unwrap_or(count);
                prop_assert!(count <= most, "up to {} beyond the policies' {}", count, most);
            } else {
                let least = allowed.iter().copied().min().unwrap_or(count);
                prop_assert!(count >= least, "down to {} beyond the policies' {}", count, least);
            }
        }
    }
}
