//! The evaluator's semantics, pinned by short series in promtool's notation.
//! Each test names the construct of docs/language.md it pins.

use proptest::prelude::*;
use scalerules::eval::series::parse_series;
use scalerules::eval::{Evaluator, Suppressed};
use scalerules::ir;

fn compile(src: &str) -> ir::Program {
    let c = scalerules::compile(src, "svc");
    assert!(
        c.diagnostics.iter().all(|d| !d.is_error()),
        "does not compile: {:#?}",
        c.diagnostics
    );
    c.program.expect("program")
}

/// Runs `src` over series (one per metric name) at `step_s` seconds per row and returns
/// the decisions as `"t=MINUTESm FROM->TO rN"` (t in minutes when whole, else seconds).
fn run_at(src: &str, series: &[(&str, &str)], times_s: Option<&[i64]>, step_s: i64) -> Vec<String> {
    let program = compile(src);
    let service = &program.services[0];
    let columns: Vec<Vec<f64>> = service
        .metrics
        .iter()
        .map(|m| {
            let (_, s) = series
                .iter()
                .find(|(n, _)| *n == m.name)
                .unwrap_or_else(|| panic!("no series for {}", m.name));
            parse_series(s).expect("series")
        })
        .collect();
    let n = columns.iter().map(Vec::len).max().unwrap_or(0);
    let mut ev = Evaluator::new(service);
    let mut out = Vec::new();
    for i in 0..n {
        let t_s = times_s.map_or(i as i64 * step_s, |t| t[i]);
        let values: Vec<f64> = columns
            .iter()
            .zip(&service.metrics)
            .map(|(c, m)| m.to_si(c.get(i).copied().unwrap_or(f64::NAN)))
            .collect();
        let step = ev.step(t_s * 1000, &values).expect("step");
        if let Some(d) = step.decision {
            let t = if t_s % 60 == 0 {
                format!("{}m", t_s / 60)
            } else {
                format!("{t_s}s")
            };
            out.push(format!(
                "t={t} {}->{} r{}",
                d.from,
                d.to,
                d.rule.rule_index().map_or(0, |i| i + 1)
            ));
        }
    }
    out
}

fn run(src: &str, series: &[(&str, &str)]) -> Vec<String> {
    run_at(src, series, None, 60)
}

#[test]
fn bare_rule_line_works_without_a_binding() {
    let src = "replicas 1..10\nwhen p95 > 300ms for 2m scale out by 2, cooldown 5m\n";
    // p95 in ms, inferred from `300ms`: fires on the third true minute (t=2m).
    assert_eq!(run(src, &[("p95", "400x6")]), ["t=2m 1->3 r1"]);
}

#[test]
fn sustain_is_prometheus_for_and_one_false_restarts_it() {
    let src = "replicas 1..10\nwhen cpu > 80% for 2m scale out by 1\n";
    // true at 0,1 | false at 2 | true 3,4,5 → fires at 5 (3 + 2m), then again each minute
    // (no cooldown, and the clock is not reset by firing).
    assert_eq!(
        run(src, &[("cpu", "90 90 10 90 90 90 90")]),
        ["t=5m 1->2 r1", "t=6m 2->3 r1"]
    );
}

#[test]
fn for_zero_fires_on_the_first_true_evaluation() {
    let src = "replicas 1..10\nwhen cpu > 80% for 0 scale out by 1, cooldown 10m\n";
    assert_eq!(run(src, &[("cpu", "10 90 90")]), ["t=1m 1->2 r1"]);
}

#[test]
fn m_of_n_counts_true_evaluations_not_necessarily_consecutive() {
    let src = "replicas 1..10\nwhen cpu > 80% for 3 of 5m scale out by 1, cooldown 10m\n";
    // trues at 0, 2, 4 → the window (t-5m, t] at t=4 holds 3 trues.
    assert_eq!(run(src, &[("cpu", "90 10 90 10 90 10")]), ["t=4m 1->2 r1"]);
    // trues at 0, 3, 6: never 3 in any 5-minute window.
    assert!(run(src, &[("cpu", "90 10 10 90 10 10 90")]).is_empty());
}

#[test]
fn missing_counts_as_false_by_default_and_restarts_sustain() {
    let src = "replicas 1..10\nwhen cpu > 80% for 2m scale out by 1, cooldown 10m\n";
    assert_eq!(run(src, &[("cpu", "90 90 _ 90 90 90")]), ["t=5m 1->2 r1"]);
}

#[test]
fn missing_as_true_extends_the_streak() {
    let src =
        "replicas 1..10\non missing true\nwhen cpu > 80% for 2m scale out by 1, cooldown 10m\n";
    assert_eq!(run(src, &[("cpu", "90 _ 90")]), ["t=2m 1->2 r1"]);
    // Even an all-missing series fires.
    assert_eq!(run(src, &[("cpu", "_x3")]), ["t=2m 1->2 r1"]);
}

#[test]
fn missing_hold_repeats_the_previous_result() {
    let src =
        "replicas 1..10\non missing hold\nwhen cpu > 80% for 2m scale out by 1, cooldown 10m\n";
    assert_eq!(run(src, &[("cpu", "90 _ _")]), ["t=2m 1->2 r1"]);
    // A held false stays false.
    assert!(run(src, &[("cpu", "10 _ _ _")]).is_empty());
}

#[test]
fn missing_skip_neither_breaks_nor_extends_a_streak() {
    let src =
        "replicas 1..10\non missing skip\nwhen cpu > 80% for 2m scale out by 1, cooldown 10m\n";
    // streak starts at 0; the skipped minute 1 does not break it; at 2 (true) 2m have passed.
    assert_eq!(run(src, &[("cpu", "90 _ 90")]), ["t=2m 1->2 r1"]);
    // a skipped evaluation cannot fire by itself.
    assert!(run(src, &[("cpu", "90 90 _")]).is_empty());
}

#[test]
fn kleene_logic_true_or_unknown_is_true() {
    let src = "replicas 1..10\nwhen cpu > 80% or p95 > 300ms scale out by 1, cooldown 10m\n";
    assert_eq!(
        run(src, &[("cpu", "_ _"), ("p95", "_ 400")]),
        ["t=1m 1->2 r1"]
    );
    let and = "replicas 1..10\non missing true\nwhen cpu > 80% and p95 > 300ms scale out by 1\n";
    // false and unknown is false, even with `on missing true`.
    assert!(run(and, &[("cpu", "10"), ("p95", "_")]).is_empty());
}

#[test]
fn rule_cooldown_blocks_repeats_until_it_has_passed() {
    let src = "replicas 1..10\nwhen cpu > 80% scale out by 1, cooldown 3m\n";
    assert_eq!(
        run(src, &[("cpu", "90x7")]),
        ["t=0m 1->2 r1", "t=3m 2->3 r1", "t=6m 3->4 r1"]
    );
}

#[test]
fn direction_cooldown_spans_rules_of_one_direction_only() {
    let src = "replicas 1..10, start 5\ncooldown out 5m\n\
        when cpu > 80% scale out by 1\nwhen p95 > 300ms scale out by 2\nwhen cpu < 20% scale in by 1\n";
    // r2 fires at 0 (largest); nothing scales out until 5m; scale-in is not blocked.
    assert_eq!(
        run(src, &[("cpu", "90 90 10 90 90 90"), ("p95", "400x5")]),
        ["t=0m 5->7 r2", "t=2m 7->6 r3", "t=5m 6->8 r2"]
    );
}

#[test]
fn tie_break_out_beats_in_and_larger_count_wins() {
    let src = "replicas 1..20, start 10\n\
        when a > 1 scale in by 5\nwhen a > 1 scale out by 1\nwhen a > 1 scale out by 3\nwhen a > 1 scale out by 30%\n";
    // out by 3 → 13; 30% of 10 = 3 → 13 too: the earlier rule (r3) wins the tie.
    assert_eq!(run(src, &[("a", "2")]), ["t=0m 10->13 r3"]);
    let ins = "replicas 1..20, start 10\nwhen a > 1 scale in by 5\nwhen a > 1 scale in by 2\n";
    // among scale-ins the largest resulting count (the most conservative) wins.
    assert_eq!(run(ins, &[("a", "2")]), ["t=0m 10->8 r2"]);
}

#[test]
fn losers_are_reported_as_lost_tie_break_and_keep_no_cooldown() {
    let program = compile("replicas 1..20, start 10\nwhen a > 1 scale out by 1, cooldown 1h\nwhen a > 1 scale out by 3\n");
    let mut ev = Evaluator::new(&program.services[0]);
    let step = ev.step(0, &[2.0]).unwrap();
    assert_eq!(
        step.decision.as_ref().and_then(|d| d.rule.rule_index()),
        Some(1)
    );
    assert!(matches!(
        step.suppressed[0].why,
        Suppressed::LostTieBreak { .. }
    ));
    // When r1 loses the tie-break, its 1h cooldown does not start: it fires alone later.
    let program2 = compile("replicas 1..20, start 10\nwhen a > 1 scale out by 1, cooldown 1h\nwhen a > 1 and a < 3 scale out by 3\n");
    let mut ev = Evaluator::new(&program2.services[0]);
    assert_eq!(
        ev.step(0, &[2.0])
            .unwrap()
            .decision
            .and_then(|d| d.rule.rule_index()),
        Some(1)
    );
    assert_eq!(
        ev.step(60_000, &[5.0])
            .unwrap()
            .decision
            .and_then(|d| d.rule.rule_index()),
        Some(0)
    );
}

#[test]
fn percent_rounding_out_up_in_down_at_least_one() {
    let out = "replicas 1..100, start 3\nwhen a > 1 scale out by 10%, cooldown 1h\n";
    assert_eq!(run(out, &[("a", "2")]), ["t=0m 3->4 r1"]); // 0.3 → up to 1
    let out50 = "replicas 1..100, start 5\nwhen a > 1 scale out by 50%, cooldown 1h\n";
    assert_eq!(run(out50, &[("a", "2")]), ["t=0m 5->8 r1"]); // 2.5 → 3
    let in_ = "replicas 1..100, start 5\nwhen a > 1 scale in by 50%, cooldown 1h\n";
    assert_eq!(run(in_, &[("a", "2")]), ["t=0m 5->3 r1"]); // 2.5 → 2
    let in_small = "replicas 1..100, start 3\nwhen a > 1 scale in by 10%, cooldown 1h\n";
    assert_eq!(run(in_small, &[("a", "2")]), ["t=0m 3->2 r1"]); // 0.3 → at least 1
}

#[test]
fn bounds_clamp_and_an_absorbed_action_starts_no_cooldown() {
    let src = "replicas 2..5, start 4\nwhen a > 1 scale out by 3, cooldown 10m\nwhen a < 0 scale in by 1\n";
    // 4+3 clamps to 5. After the scale-in at 2m, r1's own cooldown (from its firing at
    // 0m) still runs, so it fires again at 10m, not at 3m.
    let got = run(src, &[("a", "2 2 -1 2 2 2 2 2 2 2 2")]);
    assert_eq!(got, ["t=0m 4->5 r1", "t=2m 5->4 r2", "t=10m 4->5 r1"]);
    let program = compile(src);
    let mut ev = Evaluator::with_replicas(&program.services[0], 5);
    let step = ev.step(0, &[2.0]).unwrap();
    assert!(step.decision.is_none());
    assert_eq!(step.suppressed[0].why, Suppressed::Bound { bound: 5 });
    // absorbed at 0 → no cooldown: once below the bound it fires at once.
    assert!(ev.step(60_000, &[-1.0]).unwrap().decision.is_some());
    assert!(ev.step(120_000, &[2.0]).unwrap().decision.is_some());
}

#[test]
fn scale_to_moves_in_either_direction() {
    let src = "replicas 1..40, start 10\nwhen q >= 5000 scale to 40\nwhen q < 10 scale to 2\n";
    assert_eq!(
        run(src, &[("q", "6000 5 5")]),
        ["t=0m 10->40 r1", "t=1m 40->2 r2"]
    );
}

#[test]
fn windows_are_measured_in_time_not_rows_with_irregular_timestamps() {
    let src = "replicas 1..10\nwhen avg(cpu, 5m) > 50% for 2m scale out by 1, cooldown 1h\n";
    // Samples at 0s, 10s, 20s, 200s, 400s: the average over (t-5m, t] at 400s is
    // mean(60, 90) = 75 (the samples at 0..20s have left the window).
    let times = [0, 10, 20, 200, 400];
    let got = run_at(src, &[("cpu", "10 10 10 60 90")], Some(&times), 0);
    // At 200s the average is (10+10+10+60)/4 = 22.5: false. At 400s: 75 → streak starts;
    // no later sample, so the 2m sustain is not yet met.
    assert!(got.is_empty());
    let times = [0, 10, 20, 200, 400, 430, 520];
    let got = run_at(src, &[("cpu", "10 10 10 60 90 90 90")], Some(&times), 0);
    // streak from 400s; 520 − 400 = 120s ≥ 2m → fires at 520s.
    assert_eq!(got, ["t=520s 1->2 r1"]);
}

#[test]
fn percentiles_and_rate_over_windows() {
    let src = "replicas 1..10\nwhen p90(lat, 10m) > 500ms scale out by 1, cooldown 1h\n";
    // values 100..1000 step 100: p90 of 10 values = 910 (interpolated) > 500.
    assert_eq!(run(src, &[("lat", "100+100x9")]).len(), 1);
    let rate = "replicas 1..10\nwhen rate(requests_total, 5m) > 10 scale out by 1, cooldown 1h\n";
    // +600 per minute = 10/s: not > 10. +660 per minute = 11/s: fires at the 2nd sample.
    assert!(run(rate, &[("requests_total", "0+600x5")]).is_empty());
    assert_eq!(
        run(rate, &[("requests_total", "0+660x5")]),
        ["t=1m 1->2 r1"]
    );
}

proptest! {
    /// Whatever the metrics do, replicas stay within the bounds, and no rule fires
    /// inside its own cooldown or inside its direction's cooldown.
    #[test]
    fn replicas_within_bounds_and_cooldowns_respected(
        min in 0u32..5, span in 0u32..10, start_off in 0u32..10,
        out_k in 1u32..6, in_pct in 1u32..100, cd_out in 0i64..6, cd_rule in 0i64..6, cd_in in 0i64..6,
        values in proptest::collection::vec(proptest::option::weighted(0.9, 0.0f64..100.0), 1..120),
        gaps in proptest::collection::vec(1i64..120, 120),
        mode in 0usize..4,
    ) {
        let max = (min + span).max(1);
        let start = (min + start_off).min(max);
        let mode = ["false", "true", "hold", "skip"][mode];
        let src = format!(
            "replicas {min}..{max}, start {start}\non missing {mode}\ncooldown out {cd_out}m, in {cd_in}m\n\
             when cpu > 70% for 1m scale out by {out_k}, cooldown {cd_rule}m\n\
             when avg(cpu, 3m) > 90% scale to {max}\n\
             when cpu < 30% for 2 of 3m scale in by {in_pct}%, cooldown {cd_rule}m\n"
        );
        let program = compile(&src);
        let service = &program.services[0];
        let mut ev = Evaluator::new(service);
        let mut last_fired = vec![None::<i64>; service.rules.len()];
        let mut last_dir = [None::<i64>, None::<i64>];
        let mut t = 0;
        for (v, g) in values.iter().zip(&gaps) {
            t += g * 1000;
            let step = ev.step(t, &[v.map_or(f64::NAN, |x| x / 100.0)]).unwrap();
            prop_assert!(ev.replicas() >= service.min && ev.replicas() <= service.max);
            if let Some(d) = step.decision {
                let r = d.rule.rule_index().expect("a rule decided");
                let rule = &service.rules[r];
                if let Some(last) = last_fired[r] {
                    prop_assert!(t - last >= rule.cooldown, "rule {} fired inside its cooldown", r);
                }
                let (i, cd) = match d.direction {
                    ir::Direction::Out => (0, service.cooldown_out),
                    ir::Direction::In => (1, service.cooldown_in),
                };
                if let Some(last) = last_dir[i] {
                    prop_assert!(t - last >= cd, "direction cooldown violated");
                }
                prop_assert!(d.to != d.from);
                last_fired[r] = Some(t);
                last_dir[i] = Some(t);
            }
        }
    }
}
