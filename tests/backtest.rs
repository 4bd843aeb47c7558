//! Backtester engine tests: every expectation is computed by hand in the comments.

use proptest::prelude::*;
use scalerules::backtest::data::{load, DataRequest, Dataset};
use scalerules::backtest::{backtest, Options, Report, REPLAY_LABEL};
use scalerules::ir::Service;
use std::path::Path;

const FIX: &str = "tests/fixtures/backtest";

fn compile(src: &str) -> Service {
    let c = scalerules::compile(src, "t");
    let p = c
        .program
        .unwrap_or_else(|| panic!("rules do not compile: {:?}", c.diagnostics));
    p.services.into_iter().next().expect("one service")
}

fn load_for(service: &Service, path: &Path) -> Dataset {
    let mut req = DataRequest::new(path);
    req.columns = service.columns().iter().map(|c| c.to_string()).collect();
    if let Some(c) = service
        .model
        .as_ref()
        .and_then(|m| m.recorded_replicas.clone())
    {
        req.optional_columns.push(c);
    }
    load(&req).expect("dataset loads")
}

fn run(src: &str, file: &str, opts: &Options) -> Report {
    let s = compile(src);
    let d = load_for(&s, &Path::new(FIX).join(file));
    backtest(&s, &d, opts).expect("backtest runs")
}

fn with_timeline() -> Options {
    Options {
        timeline: true,
        ..Options::default()
    }
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-9 * (1.0 + a.abs().max(b.abs()))
}

/// 1..10 replicas, start 2, capacity 100 rps, no rules, no SLO.
const STATIC2: &str = "service s {
  replicas 1..10, start 2
  model {
    demand rps
    capacity 100 rps per replica
    startup 0s
    price 3 per replica-hour
  }
}";

// step.csv: d = 100 rps at minutes 0-4 and 8-11, 300 rps at minutes 5-7. N = 2, C = 200.
// Backlog B (start of tick) and ρ = (d + B/60)/C:
//   t5: B=0      ρ=1.5  → B' = 0 + (300-200)·60 = 6000
//   t6: B=6000   ρ=2.0  → 12000
//   t7: B=12000  ρ=2.5  → 18000
//   t8: B=18000  ρ=2.0  → 18000 + (100-200)·60 = 12000   (drains 6000/min: the spare 100 rps)
//   t9: B=12000  ρ=1.5  → 6000
//   t10: B=6000  ρ=1.0  → 0  (ρ ≥ 1 is saturation: still a breach)
//   t11: B=0     ρ=0.5
#[test]
fn demand_step_gives_exact_breach_minutes_and_replica_hours() {
    let r = run(STATIC2, "step.csv", &with_timeline());
    let p = &r.policy;
    assert_eq!(p.sla.breach_ticks, 6);
    assert!(close(p.sla.breach_minutes, 6.0));
    assert_eq!(p.sla.breach_episodes, 1);
    assert!(close(p.sla.longest_breach_minutes, 6.0));
    assert!(close(p.sla.breach_ratio, 0.5));
    // 12 ticks × 2 replicas × 1/60 h = 0.4 replica-hours, × 3 per hour = 1.2.
    assert!(close(p.cost.replica_hours, 0.4));
    assert!(close(p.cost.cost.unwrap_or(f64::NAN), 1.2));
    assert!(close(p.cost.mean_replicas, 2.0));
    assert_eq!(p.cost.peak_replicas, 2);
    // Σ B·60 s = (6000+12000+18000+12000+6000)·60.
    assert!(close(p.sla.backlog_request_seconds, 54_000.0 * 60.0));
    // New arrivals not served in their own minute (FIFO): 6000+12000+18000+6000+6000.
    assert!(close(p.sla.delayed_requests, 48_000.0));
    assert!(close(p.sla.unserved_at_end, 0.0));
    let tl = r.timeline.as_ref().expect("timeline");
    let breach: Vec<usize> = (0..12).filter(|&i| tl.breach[i]).collect();
    assert_eq!(breach, vec![5, 6, 7, 8, 9, 10]);
    assert!(close(tl.utilization[7], 2.5));
    assert!(close(tl.utilization[10], 1.0));
    // No SLO declared: the report says only saturation counts.
    assert!(r.slo.note.as_deref().unwrap_or("").contains("saturation"));
}

#[test]
fn backlog_drains_at_the_spare_capacity() {
    let r = run(STATIC2, "step.csv", &with_timeline());
    let tl = r.timeline.expect("timeline");
    assert_eq!(
        tl.backlog,
        vec![0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 6000.0, 12000.0, 18000.0, 12000.0, 6000.0, 0.0]
    );
}

// Oracle on step.csv: d = 100 → N = 2 (N = 1 gives ρ = 1); d = 300 → N = 4 (ρ = 0.75).
// Oracle replica-hours = (9·2 + 3·4)/60 = 0.5. The cheapest static count without a
// breach is 4: 12·4/60 = 0.8. Policy 0.4 / oracle 0.5 = 0.8.
#[test]
fn baselines_oracle_and_static_on_a_step() {
    let r = run(STATIC2, "step.csv", &with_timeline());
    let o = &r.baselines.oracle;
    assert_eq!(o.sla.breach_ticks, 0);
    assert!(close(o.cost.replica_hours, 0.5));
    assert_eq!(r.baselines.static_best.replicas, Some(4));
    let st = r
        .baselines
        .static_best
        .scores
        .as_ref()
        .expect("static scores");
    assert!(close(st.cost.replica_hours, 0.8));
    assert_eq!(st.sla.breach_ticks, 0);
    assert!(close(r.cost_vs_oracle.expect("ratio"), 0.8));
    assert!(r.baselines.recorded.is_none());
    let tl = r.timeline.expect("timeline");
    assert_eq!(tl.oracle, vec![2, 2, 2, 2, 2, 4, 4, 4, 2, 2, 2, 2]);
    // SPEC metrics of the static 2 against d*: under-provisioned 3 of 12 ticks by
    // (4-2)/4 = 50 % each → θU = 100·1.5/12 = 12.5 %, τU = 25 %, nothing over.
    let e = &r.policy.elasticity;
    assert!(close(e.theta_u, 12.5));
    assert!(close(e.tau_u, 25.0));
    assert!(close(e.theta_o, 0.0));
    assert!(close(e.tau_o, 0.0));
    // d* changes twice (t5 up, t8 down), supply never: instability 2/11, jitter
    // (0 - 2) adaptations over 12 minutes = -10 per hour.
    assert!(close(e.instability, 200.0 / 11.0));
    assert!(close(e.jitter, -10.0));
}

fn out_policy(startup: &str) -> String {
    format!(
        "service s {{
  replicas 1..10, start 2
  when rps > 200 scale out by 2, cooldown 1h
  model {{
    demand rps
    capacity 100 rps per replica
    startup {startup}
    price 1 per replica-hour
  }}
}}"
    )
}

// long-step.csv: 100 rps until t4, 300 rps from t5. The rule sees 300 at t5; the request
// is made at the end of that tick (t6) and billed from t6; ready at t6 + startup.
#[test]
fn startup_delay_shifts_relief_by_exactly_the_delay() {
    let fast = run(&out_policy("0s"), "long-step.csv", &with_timeline());
    let slow = run(&out_policy("2m"), "long-step.csv", &with_timeline());
    let (tf, ts) = (fast.timeline.expect("tl"), slow.timeline.expect("tl"));
    let first4 = |v: &[u32]| v.iter().position(|&n| n == 4);
    assert_eq!(first4(&tf.requested), Some(6));
    assert_eq!(first4(&ts.requested), Some(6));
    assert_eq!(first4(&tf.ready), Some(6));
    assert_eq!(first4(&ts.ready), Some(8));
    // Same bill: the request is billed from t6 in both runs (6·2 + 10·4)/60.
    assert!(close(fast.policy.cost.replica_hours, 52.0 / 60.0));
    assert!(close(slow.policy.cost.replica_hours, 52.0 / 60.0));
    // Fast: t5 (ρ 1.5, B' 6000), t6 (ρ (300+100)/400 = 1.0) → 2 breach minutes.
    assert_eq!(fast.policy.sla.breach_ticks, 2);
    // Slow: t5..t7 at C = 200 build B = 18000; from t8 C = 400 drains 6000/min:
    // t8 ρ 1.5, t9 ρ 1.25, t10 ρ 1.0 → breaches t5..t10 = 6 minutes.
    assert_eq!(slow.policy.sla.breach_ticks, 6);
    assert_eq!(fast.decisions.len(), 1);
    let d = &fast.decisions[0];
    assert_eq!((d.from, d.to, d.rule.as_str()), (2, 4, "r1"));
    assert_eq!(d.time, "2026-01-01T00:05:00Z");
}

// cpu.csv: history ran 2 ready replicas at 90 % CPU. The policy scales out to 4 at t0
// (ready at t1, startup 0); the simulated CPU is 90 % × 2 / 4 = 45 %, which the second
// rule sees (and only then can fire: it needs cpu < 50 %).
#[test]
fn scaling_out_makes_the_recomputed_cpu_fall() {
    let src = "service s {
  replicas 1..10, start 2
  metric cpu = column \"cpu_pct\" in %
  when cpu > 80% scale out by 2, cooldown 1h
  when cpu < 50% scale to 3, cooldown 1h
  model {
    demand rps
    capacity 100 rps per replica
    startup 0s
    recorded replicas = column \"replicas\"
    utilization cpu
  }
}";
    let r = run(src, "cpu.csv", &with_timeline());
    assert_eq!(r.decisions.len(), 2, "{:?}", r.decisions);
    assert_eq!((r.decisions[0].from, r.decisions[0].to), (2, 4));
    assert_eq!(r.decisions[0].time, "2026-01-01T00:00:00Z");
    let d = &r.decisions[1];
    assert_eq!((d.from, d.to, d.rule.as_str()), (4, 3, "r2"));
    assert_eq!(d.time, "2026-01-01T00:01:00Z");
    assert!(d.reason.contains("45%"), "reason: {}", d.reason);
    let cpu = r.metrics.iter().find(|m| m.name == "cpu").expect("cpu");
    assert!(cpu.simulated);
    // The recorded baseline: 2 replicas for 10 minutes.
    let rec = r.baselines.recorded.as_ref().expect("recorded baseline");
    assert!(close(rec.cost.replica_hours, 20.0 / 60.0));
    // A reversal: out at t0, in at t1 (within the default 10 minutes).
    assert_eq!(r.policy.thrashing.reversals, 1);
    assert_eq!(r.policy.thrashing.scale_outs, 1);
    assert_eq!(r.policy.thrashing.scale_ins, 1);
}

#[test]
fn replay_is_labelled_and_feeds_recorded_values() {
    let src = "service s {
  replicas 1..10, start 2
  metric cpu = column \"cpu_pct\" in %
  when cpu > 80% scale out by 2, cooldown 1m
  model {
    demand rps
    capacity 100 rps per replica
    startup 0s
    recorded replicas = column \"replicas\"
    utilization cpu
  }
}";
    let opts = Options {
        replay: true,
        ..Options::default()
    };
    let r = run(src, "cpu.csv", &opts);
    assert_eq!(r.mode, REPLAY_LABEL);
    // The recorded 90 % never falls: the rule fires every minute after its cooldown:
    // 2→4 at t0, 4→6 at t1, … capped at 10 (t3) → 4 decisions.
    assert_eq!(r.decisions.len(), 4);
    assert!(r.metrics.iter().all(|m| !m.simulated));
    assert!(r.notes.iter().any(|n| n.contains("not counterfactual")));
}

#[test]
fn latency_slo_breaches_and_oracle_uses_the_latency_model() {
    // base 80 ms, SLO 300 ms: needs ρ ≤ 1 - 0.08/0.3 = 0.7333; d = 300 → N = 5 (ρ = 0.6;
    // N = 4 gives ρ 0.75 → 320 ms); d = 100 → N = 2 (ρ 0.5 → 160 ms).
    let src = "service s {
  replicas 1..10, start 4
  metric p95 = column \"latency_p95_ms\" in ms
  model {
    demand rps
    capacity 100 rps per replica
    startup 0s
    latency p95 base 80ms
    slo p95 < 300ms
  }
}";
    let r = run(src, "step.csv", &with_timeline());
    let tl = r.timeline.expect("tl");
    assert_eq!(tl.oracle, vec![2, 2, 2, 2, 2, 5, 5, 5, 2, 2, 2, 2]);
    // Static 4: at d = 300 the latency is 0.08/(1-0.75) = 320 ms > 300 ms: 3 breaches.
    assert_eq!(r.policy.sla.breach_ticks, 3);
    assert_eq!(r.policy.sla.saturated_ticks, 0);
    assert!(close(tl.latency_s[5], 0.32));
    assert!(close(tl.latency_s[0], 0.08 / 0.75));
    assert_eq!(r.baselines.static_best.replicas, Some(5));
}

fn demand_csv(dir: &Path, demand: &[u32]) -> std::path::PathBuf {
    let mut s = String::from("timestamp,rps\n");
    for (i, d) in demand.iter().enumerate() {
        s.push_str(&format!("{},{}\n", 1_767_225_600 + 60 * i as i64, d));
    }
    let p = dir.join("d.csv");
    std::fs::write(&p, s).expect("write");
    p
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]
    /// The oracle is never more expensive than a breach-free run: the cheapest static
    /// count, and the policy itself whenever it has no breach.
    #[test]
    fn oracle_is_a_lower_bound(demand in proptest::collection::vec(0u32..900, 2..40)) {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = demand_csv(dir.path(), &demand);
        let src = "service s {
  replicas 1..10, start 3
  when rps > 250 for 2m scale out by 2, cooldown 2m
  when rps < 150 for 5m scale in by 1, cooldown 5m
  model {
    demand rps
    capacity 100 rps per replica
    startup 1m
    price 1 per replica-hour
  }
}";
        let s = compile(src);
        let d = load_for(&s, &path);
        let r = backtest(&s, &d, &Options::default()).expect("runs");
        let o = &r.baselines.oracle;
        prop_assert_eq!(o.sla.breach_ticks, 0);
        let st = r.baselines.static_best.scores.as_ref().expect("static exists: max 10 covers 900 rps");
        prop_assert_eq!(st.sla.breach_ticks, 0);
        prop_assert!(o.cost.replica_hours <= st.cost.replica_hours + 1e-9);
        if r.policy.sla.breach_ticks == 0 {
            prop_assert!(o.cost.replica_hours <= r.policy.cost.replica_hours + 1e-9);
        }
        // The static count is the peak of d*.
        let peak = demand.iter().map(|&x| x / 100 + 1).max().unwrap_or(1).max(1);
        prop_assert_eq!(r.baselines.static_best.replicas, Some(peak));
    }
}
