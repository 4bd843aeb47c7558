//! `idle` in the backtest: zero replicas have zero capacity, so demand that arrives while
//! idle queues until the woken replica is ready (a cold start), and is a breach
//! (docs/backtest.md, "Zero replicas"). Expectations computed by hand in the comments.

use scalerules::backtest::data::{load, DataRequest};
use scalerules::backtest::{backtest, Options};

// idle.csv: 1-minute rows, 0 rps at minutes 0-9, 100 rps at minutes 10-14.
const IDLE: &str = "replicas 0..10, start 1
metric rps in rps
target rps at 100 per replica
idle to 0 after 2m, check every 1m
model {
  demand rps
  capacity 200 rps per replica
  startup 30s
  price 3 per replica-hour
}";

#[test]
fn idle_service_sleeps_then_cold_starts_with_a_backlog() {
    let c = scalerules::compile(IDLE, "idle");
    let service = &c.program.expect("compiles").services[0];
    let mut req = DataRequest::new("tests/fixtures/backtest/idle.csv");
    req.columns = service.columns().iter().map(|c| c.to_string()).collect();
    req.tick_ms = service.backtest_tick();
    let data = load(&req).expect("dataset loads");
    let opts = Options {
        timeline: true,
        ..Options::default()
    };
    let r = backtest(service, &data, &opts).expect("backtest runs");
    // 15 s ticks (a target-tracking service), 60 of them to 00:15:00.
    let tl = r.timeline.as_ref().expect("timeline");
    assert_eq!(tl.requested.len(), 60);
    // Checks every minute; last active = the first evaluation (0 s); 120 s is not past
    // 0 + 120, so 180 s scales 1 → 0. The check at 600 s sees 100 rps: 0 → 1.
    let moves: Vec<_> = r
        .decisions
        .iter()
        .map(|d| (d.timestamp_ms / 1000 % 3600, d.from, d.to, d.rule.as_str()))
        .collect();
    assert_eq!(moves, [(180, 1, 0, "idle"), (600, 0, 1, "idle")]);
    // Requested: 1 through tick 12 (180 s, where the decision is made), 0 for ticks
    // 13-40, 1 from tick 41 (615 s).
    for (i, &n) in tl.requested.iter().enumerate() {
        let want = u32::from(!(13..=40).contains(&i));
        assert_eq!(n, want, "requested at tick {i}");
    }
    // Zero replicas, zero demand: no breach, capacity 0, utilisation 0.
    for i in 13..40 {
        assert_eq!(tl.capacity[i], 0.0);
        assert_eq!(tl.utilization[i], 0.0, "tick {i}");
        assert!(!tl.breach[i]);
    }
    // Ready at 645 s (requested at 615 s + 30 s startup). 100 rps arrive from 600 s:
    // 3 ticks with no capacity queue 1500 requests each (backlog 1500, 3000, 4500 at the
    // start of 615, 630, 645); then 200 rps drain 100 rps of it a tick: 3000, 1500, 0.
    assert_eq!(
        &tl.backlog[40..47],
        &[0.0, 1500.0, 3000.0, 4500.0, 3000.0, 1500.0, 0.0]
    );
    // Breach from 600 s to 690 s: 6 ticks, 1.5 minutes.
    assert_eq!(r.policy.sla.breach_ticks, 6);
    assert!((r.policy.sla.breach_minutes - 1.5).abs() < 1e-9);
    // Cost: 1 replica for 195 s (ticks 0-12) and 285 s (ticks 41-59) = 480 s;
    // 480 / 3600 × 3 = 0.4.
    assert!((r.policy.cost.replica_hours - 480.0 / 3600.0).abs() < 1e-9);
    // The `idle` line has its report row.
    let row = r.rules.iter().find(|s| s.rule == "idle").expect("idle row");
    assert_eq!(row.fired, 2);
}
