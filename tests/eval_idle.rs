//! `idle` (KEDA's scale to zero) through the language and the evaluator: the scale
//! executor's rules (`pkg/scaling/executor/scale_scaledobjects.go` in kedacore/keda) with
//! hand-computed times. docs/language.md ("Idle") is the reference.

use assert_cmd::Command;
use scalerules::eval::{Actor, Decision, Evaluator};
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

/// Runs one evaluation every 15 s from 0 with `values(t_seconds)`, for `seconds`; every
/// decision made.
fn run(src: &str, seconds: i64, values: impl Fn(i64) -> Vec<f64>) -> Vec<Decision> {
    let program = compile(src);
    let mut ev = Evaluator::new(&program.services[0]);
    let mut out = Vec::new();
    for s in (0..seconds).step_by(15) {
        let step = ev.step(s * 1000, &values(s)).expect("step");
        out.extend(step.decision);
    }
    out
}

fn idle_moves(d: &[Decision]) -> Vec<(i64, u32, u32)> {
    d.iter()
        .filter(|d| d.rule == Actor::Idle)
        .map(|d| (d.timestamp / 1000, d.from, d.to))
        .collect()
}

const BASIC: &str = "replicas 0..10, start 2\nmetric rps in rps\n\
                     target rps at 100 per replica\nidle to 0 after 2m, check every 30s\n";

/// No traffic from the start: the first evaluation stands for the last activity (0 s);
/// checks at 0, 30, …, 120 (0 + 120 is not *before* 120: KEDA's `Before`) and 150,
/// where the count goes from 2 to 0. The HPA's own scale-down waits for its 300 s
/// window, so nothing else moves first.
#[test]
fn scales_to_the_idle_count_after_the_cooldown_of_inactivity() {
    let d = run(BASIC, 400, |_| vec![0.0]);
    assert_eq!(idle_moves(&d), [(150, 2, 0)], "{d:#?}");
    assert_eq!(d.len(), 1, "{d:#?}");
    assert_eq!(
        d[0].reason,
        "no target active since 1970-01-01T00:00:00Z (more than 2m)"
    );
}

/// Idle at 0, checked every minute: traffic from 75 s is seen at the check of 120 s (not
/// at 75 s), which wakes the service to max(MIN, 1) = 1 at once; at 135 s the HPA takes
/// over (250 rps at 100 per replica: 3).
#[test]
fn wakes_to_max_min_1_at_the_first_active_check() {
    let src = "replicas 0..10\nmetric rps in rps\ntarget rps at 100 per replica\n\
               idle to 0 after 2m, check every 1m\n";
    let d = run(src, 150, |s| vec![if s >= 75 { 250.0 } else { 0.0 }]);
    let got: Vec<_> = d
        .iter()
        .map(|d| (d.timestamp / 1000, d.from, d.to, d.rule))
        .collect();
    assert_eq!(got, [(120, 0, 1, Actor::Idle), (135, 1, 3, Actor::Target)]);
    assert_eq!(
        d[0].reason,
        "rps = 250 rps (active above 0 rps): active, wakes to 1"
    );
}

/// With a minimum of 2 and an idle count of 0 (KEDA's `idleReplicaCount` below
/// `minReplicaCount`), waking goes to the minimum, 2, and the HPA's bounds are 2..10.
#[test]
fn wakes_to_the_minimum_when_it_is_above_1() {
    let src = "replicas 2..10, start 2\nmetric rps in rps\ntarget rps at 100 per replica\n\
               idle to 0 after 1m, check every 30s\n";
    let d = run(src, 400, |s| vec![if s >= 240 { 50.0 } else { 0.0 }]);
    // Inactive from 0: checks 30, 60 (not past 0 + 60), 90 → idle; 240 → awake at 2.
    assert_eq!(idle_moves(&d), [(90, 2, 0), (240, 0, 2)], "{d:#?}");
    // 50 rps at 100 per replica proposes 1, which the minimum 2 absorbs.
    assert_eq!(d.len(), 2, "{d:#?}");
}

/// Two targets: `rps` stays below its `active above 5`, `queue` (default threshold 0) is
/// 3 until 600 s. Every check to 570 s is active; inactive from 600; 570 + 120 = 690 is
/// not past at 690, so the count goes to 0 at the check of 720 s, and never before.
#[test]
fn no_scale_to_zero_while_any_target_is_active() {
    let src = "replicas 0..10, start 2\nmetric rps in rps\nmetric queue\n\
               target rps at 100 per replica, active above 5\ntarget queue at 50\n\
               idle to 0 after 2m, check every 30s\n";
    let d = run(src, 900, |s| vec![4.0, if s < 600 { 3.0 } else { 0.0 }]);
    assert_eq!(idle_moves(&d), [(720, 1, 0)], "{d:#?}");
    // Meanwhile the HPA's own scale-down (queue 3 of 50 proposes 1) after its 300 s
    // window: the count stays within max(MIN, 1)..MAX while awake.
    assert!(
        d.iter().all(|d| d.rule == Actor::Idle || d.to >= 1),
        "{d:#?}"
    );
}

/// Activity between two checks is not seen: checked every minute, traffic only from 75 s
/// to 105 s never wakes the service.
#[test]
fn the_check_interval_is_respected() {
    let src = "replicas 0..10\nmetric rps in rps\ntarget rps at 100 per replica\n\
               idle to 0 after 2m, check every 1m\n";
    let d = run(src, 600, |s| {
        vec![if (75..=105).contains(&s) { 500.0 } else { 0.0 }]
    });
    assert!(d.is_empty(), "{d:#?}");
}

/// A target with no value is a trigger error: KEDA does not scale to idle then (no
/// fallback), and it does not wake an idle service either.
#[test]
fn a_target_without_a_value_blocks_the_scale_to_idle() {
    let d = run(BASIC, 600, |_| vec![f64::NAN]);
    assert!(idle_moves(&d).is_empty(), "{d:#?}");
}

/// A schedule floor in force above the idle count keeps the service awake; after it
/// ends (01:00 UTC) the cooldown runs from the last check it was in force.
#[test]
fn a_schedule_floor_in_force_keeps_the_service_awake() {
    let src = "replicas 0..10, start 3\nmetric rps in rps\ntarget rps at 100 per replica\n\
               schedule daily from 00:00 to 01:00 in UTC at least 3\n\
               idle to 0 after 2m, check every 30s\n";
    let d = run(src, 4200, |_| vec![0.0]);
    // Last check in force: 3570 s; 3570 + 120 = 3690 is not past at 3690, so 3720.
    assert_eq!(idle_moves(&d), [(3720, 1, 0)], "{d:#?}");
}

/// `scalerules eval` through the real binary: decisions of `idle` are JSON lines whose
/// `by` is `idle` and whose rule is the `idle` line.
#[test]
fn cli_eval_reports_idle_decisions() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("svc.scale");
    std::fs::write(
        &path,
        "replicas 0..10\nmetric rps in rps\ntarget rps at 100 per replica, active above 5\n\
         idle to 0 after 2m, check every 30s\n",
    )
    .unwrap();
    // 15 s rows: 50 rps for two rows, 0 for twenty, then 300 rps.
    let mut input = String::from("timestamp,rps\n");
    for i in 0..26 {
        let rps = match i {
            0..=1 => 50,
            2..=21 => 0,
            _ => 300,
        };
        input.push_str(&format!(
            "2026-03-02T00:{:02}:{:02}Z,{rps}\n",
            i * 15 / 60,
            i * 15 % 60
        ));
    }
    let out = Command::cargo_bin("scalerules")
        .unwrap()
        .args(["eval", path.to_str().unwrap()])
        .write_stdin(input)
        .assert()
        .code(0)
        .get_output()
        .stdout
        .clone();
    let lines: Vec<serde_json::Value> = String::from_utf8(out)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let got: Vec<_> = lines
        .iter()
        .map(|l| {
            (
                l["timestamp"].as_str().unwrap().to_string(),
                l["from"].as_u64().unwrap(),
                l["to"].as_u64().unwrap(),
                l["by"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    // Active at 00:00:00 (wake 0 → 1); last active 00:00:00 (00:00:15 is not a check);
    // idle at the check of 00:02:30 (past 00:02:00); 300 rps seen at the 00:05:30 check.
    let want = [
        ("2026-03-02T00:00:00Z", 0, 1, "idle"),
        ("2026-03-02T00:02:30Z", 1, 0, "idle"),
        ("2026-03-02T00:05:30Z", 0, 1, "idle"),
        ("2026-03-02T00:05:45Z", 1, 3, "target"),
    ];
    let want: Vec<_> = want
        .iter()
        .map(|(t, f, to, by)| (t.to_string(), *f, *to, by.to_string()))
        .collect();
    assert_eq!(got, want);
    assert_eq!(lines[0]["rule"], "idle to 0 after 2m, check every 30s");
    assert_eq!(lines[0]["line"], 4);
}

/// `scalerules test` names the pseudo-rule `idle` in expectations (promtool series:
/// `0x7` is eight zeros, so the busy rows start at 4m30s).
#[test]
fn unit_tests_expect_idle_decisions() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("api.scale"),
        "replicas 0..10\nmetric rps in rps\ntarget rps at 100 per replica, active above 5\n\
         idle to 0 after 2m, check every 30s\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("api.test.toml"),
        r#"[[test]]
name = "idle after two quiet minutes, awake at the first busy check"
interval = "30s"
series.rps = "50 0x7 300x2"
expect = [
  { at = "0m", scale = "out", to = 1, rule = "idle" },
  { at = "2m30s", scale = "in", to = 0, rule = "idle" },
  { at = "4m30s", scale = "out", to = 1, rule = "idle" },
  { at = "5m", scale = "out", to = 3, rule = "target" },
]
"#,
    )
    .unwrap();
    Command::cargo_bin("scalerules")
        .unwrap()
        .arg("test")
        .arg(dir.path())
        .assert()
        .code(0)
        .stdout(predicates::str::contains("1 passed, 0 failed"));
}
