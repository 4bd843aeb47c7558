//! The backtester with a size ladder: the restart dip of a resize and its cost, worked
//! out by hand in the comments (docs/backtest.md, "Sizes").

use scalerules::backtest::data::{load, DataRequest};
use scalerules::backtest::{backtest, Options, Report};
use std::path::Path;

fn run(src: &str, file: &str) -> Report {
    let c = scalerules::compile(src, "t");
    let p = c
        .program
        .unwrap_or_else(|| panic!("rules do not compile: {:?}", c.diagnostics));
    let s = &p.services[0];
    let mut req = DataRequest::new(Path::new("tests/fixtures/backtest").join(file));
    req.columns = s.columns().iter().map(|c| c.to_string()).collect();
    let d = load(&req).expect("dataset loads");
    let opts = Options {
        timeline: true,
        ..Options::default()
    };
    backtest(s, &d, &opts).expect("backtest runs")
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-9 * (1.0 + a.abs().max(b.abs()))
}

/// Two replicas, small (1x, 1 an hour) → large (2x, 3 an hour) as soon as the demand
/// (150 rps on a 100 rps base) is above 120 rps.
fn vertical(resize: &str) -> String {
    format!(
        "service s {{
  replicas 2..2
  size small capacity 1x, price 1 per replica-hour
  size large capacity 2x, price 3 per replica-hour
  {resize}
  when rps > 120 rps scale up
  model {{
    demand rps
    capacity 100 rps per replica
    startup 0s
  }}
}}"
    )
}

// flat150.csv: 150 rps for 8 minutes. The resize is decided at t0; the first replica
// goes down at t1 for 120 s (two ticks), the second at t3 for two ticks.
//   tick  small  restarting  large  units  capacity  backlog B  ρ = (150 + B/60)/cap   spend/h
//   t0    2      0           0      2      200       0          0.75                    2·1 = 2
//   t1    1      1           0      1      100       0          1.5   breach            1·3 + 1·1 = 4
//   t2    1      1           0      1      100       3000       2.0   breach            4
//   t3    0      1           1      2      200       6000       1.25  breach            2·3 = 6
//   t4    0      1           1      2      200       3000       1.0   breach (ρ ≥ 1)    6
//   t5-7  0      0           2      4      400       0          0.375                   6
// Breach ticks 4; restarting replica-minutes 4; spend Σ = 2+4+4+6·5 = 40 per hour-tick,
// × 1/60 h = 0.6667; replica-hours 8 × 2 / 60 = 0.2667; mean units 20/8 = 2.5.
#[test]
fn a_rolling_restart_dips_and_bills_each_replica_at_its_size() {
    let r = run(&vertical("resize restart 120s, 1 at a time"), "flat150.csv");
    let p = &r.policy;
    let tl = r.timeline.as_ref().expect("timeline");
    assert_eq!(
        tl.capacity,
        [200.0, 100.0, 100.0, 200.0, 200.0, 400.0, 400.0, 400.0]
    );
    assert_eq!(tl.decision[0], "up small->large");
    assert_eq!(p.sla.breach_ticks, 4);
    let v = p.vertical.as_ref().expect("vertical scores");
    assert_eq!((v.size_ups, v.size_downs), (1, 0));
    assert!(close(v.restart_replica_minutes, 4.0));
    assert!(close(v.mean_capacity_units, 2.5));
    assert!(close(p.cost.cost.unwrap_or(f64::NAN), 40.0 / 60.0));
    assert!(close(p.cost.replica_hours, 16.0 / 60.0));
    // The count never changed: no scale-out, no scale-in.
    assert_eq!((p.thrashing.scale_outs, p.thrashing.scale_ins), (0, 0));
    assert_eq!(r.decisions.len(), 1);
    assert_eq!(
        r.decisions[0].resize,
        Some(["small".to_string(), "large".to_string()])
    );
}

// In place: large from t1, no dip. Spend 2 + 7·6 = 44 → 0.7333; no breach, no restart.
#[test]
fn an_in_place_resize_has_no_dip_and_costs_the_new_price_at_once() {
    let r = run(&vertical("resize in place"), "flat150.csv");
    let p = &r.policy;
    let tl = r.timeline.as_ref().expect("timeline");
    assert_eq!(tl.capacity[..3], [200.0, 400.0, 400.0]);
    assert_eq!(p.sla.breach_ticks, 0);
    let v = p.vertical.as_ref().expect("vertical scores");
    assert!(close(v.restart_replica_minutes, 0.0));
    assert!(close(p.cost.cost.unwrap_or(f64::NAN), 44.0 / 60.0));
}

/// A service without a ladder reports no vertical scores (and its JSON has no key).
#[test]
fn a_horizontal_service_has_no_vertical_scores() {
    let r = run(
        "service s {\n  replicas 2..2\n  model {\n    demand rps\n    capacity 100 rps per replica\n  }\n}",
        "flat150.csv",
    );
    assert!(r.policy.vertical.is_none());
    let json = serde_json::to_value(&r.policy).expect("json");
    assert!(json.get("vertical").is_none());
}

/// A ladder and no rules, for the baselines.
fn ladder(large_price: &str) -> String {
    format!(
        "service s {{
  replicas 1..4
  size small capacity 1x, price 1 per replica-hour
  size large capacity 2x, price {large_price} per replica-hour
  resize in place
  model {{
    demand rps
    capacity 100 rps per replica
  }}
}}"
    )
}

// 150 rps on a 100 rps base; ρ < 1 needs more than 150 rps of capacity:
//   small (100 each): 2 replicas, 2 an hour;  large (200 each): 1 replica, 3 an hour.
// The oracle and the static baseline take 2 × small: 8 ticks × 2 / 60 h = 0.2667 an hour.
// With large at 1.8 an hour, 1 × large (1.8) beats 2 × small (2): 8 × 1.8 / 60 = 0.24.
#[test]
fn the_oracle_and_the_static_baseline_take_the_cheapest_count_and_size() {
    let r = run(&ladder("3"), "flat150.csv");
    let o = &r.baselines.oracle;
    assert!(close(o.cost.cost.unwrap_or(f64::NAN), 16.0 / 60.0));
    assert!(close(o.cost.mean_replicas, 2.0));
    assert_eq!(o.sla.breach_ticks, 0);
    let st = &r.baselines.static_best;
    assert_eq!((st.replicas, st.size.as_deref()), (Some(2), Some("small")));

    let r = run(&ladder("1.8"), "flat150.csv");
    let o = &r.baselines.oracle;
    assert!(close(o.cost.cost.unwrap_or(f64::NAN), 8.0 * 1.8 / 60.0));
    assert!(close(o.cost.mean_replicas, 1.0));
    let v = o.vertical.as_ref().expect("vertical scores");
    assert!(close(v.mean_capacity_units, 2.0));
    let st = &r.baselines.static_best;
    assert_eq!((st.replicas, st.size.as_deref()), (Some(1), Some("large")));
    // The policy (no rules) stays at 1 × small: saturated every tick.
    assert_eq!(r.policy.sla.breach_ticks, 8);
}
