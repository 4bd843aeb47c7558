//! Target tracking, behavior and schedules through the language: the evaluator runs the
//! IR of `target`, `behavior` and `schedule` lines with the library in `eval::target` and
//! `eval::schedule` (whose upstream-transcribed tests are `tests/hpa_upstream*`), and
//! combines them with threshold rules as docs/language.md ("Target tracking and threshold
//! rules") says. Each test names the construct it pins.

use assert_cmd::Command;
use proptest::prelude::*;
use scalerules::eval::target::{
    Behavior, ControllerConfig, Hpa, MetricTarget, Observation, Pods, Source, State, Target,
};
use scalerules::eval::{Actor, Evaluator, Observed, Step, Suppressed};
use scalerules::ir;
use scalerules::timestamp::parse_timestamp;

fn compile(src: &str) -> ir::Program {
    let c = scalerules::compile(src, "svc");
    assert!(
        c.diagnostics.iter().all(|d| !d.is_error()),
        "does not compile: {:#?}",
        c.diagnostics
    );
    c.program.expect("program")
}

fn at(s: &str) -> i64 {
    parse_timestamp(s).expect("timestamp")
}

/// A service with targets and nothing else is the HPA, evaluation for evaluation: the
/// evaluator's counts equal the library controller's, with behavior and without.
fn same_as_library(with_behavior: bool, cpu: &[u32]) -> Result<(), TestCaseError> {
    let src = format!(
        "replicas 1..20, start 4\nmetric cpu in %\ntarget cpu at 50%\n{}",
        if with_behavior { "behavior\n" } else { "" }
    );
    let program = compile(&src);
    let service = &program.services[0];
    let mut ev = Evaluator::new(service);
    let controller = ControllerConfig::default();
    let hpa = Hpa {
        min: 1,
        max: 20,
        metrics: vec![MetricTarget::new(Source::PodAverage, Target::Utilization(50)).unwrap()],
        behavior: with_behavior.then(|| Behavior::kubernetes_default(&controller)),
        controller,
    };
    let mut state = State::default();
    let mut current = 4;
    for (i, &c) in cpu.iter().enumerate() {
        let t = i as i64 * 15_000;
        let v = f64::from(c) / 100.0;
        ev.step(t, &[v]).unwrap();
        let obs = Observation {
            replicas: current,
            pods: Pods::ready(current),
            values: &[Some(v)],
        };
        current = hpa.evaluate(&mut state, t, &obs).unwrap().desired;
        prop_assert_eq!(ev.replicas(), current, "at evaluation {}", i);
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]
    /// docs/language.md "Target tracking": exactness against `eval::target::Hpa`.
    #[test]
    fn targets_alone_are_the_hpa(with_behavior in any::<bool>(), cpu in prop::collection::vec(0u32..300, 1..120)) {
        same_as_library(with_behavior, &cpu)?;
    }
}

/// `target cpu at 50%` at 100 % on 4 ready replicas: ratio 2, ceil(2 × 4) = 8, within
/// the default scale-up limit max(4 pods, 100 %) per 15 s; the decision names `target`.
#[test]
fn a_target_decides_and_says_why() {
    let p = compile("replicas 1..20, start 4\nmetric cpu in %\ntarget cpu at 50%\nbehavior\n");
    let mut ev = Evaluator::new(&p.services[0]);
    let d = ev.step(0, &[1.0]).unwrap().decision.expect("a decision");
    assert_eq!((d.from, d.to, d.rule), (4, 8, Actor::Target));
    assert_eq!(d.reason, "cpu = 100% (target 50%, ratio 2) proposes 8");
    // 12 replicas wanted from 8: the default policy allows +8 (100 %) per 15 s, but the
    // window of 15 s still holds the +4 event: 8 + max(4, 8) - 4 = 12.
    let d = ev
        .step(15_000, &[0.75])
        .unwrap()
        .decision
        .expect("a decision");
    assert_eq!((d.from, d.to), (8, 12));
}

/// "Target tracking and threshold rules": the largest resulting count wins, so a latency
/// guard adds capacity beyond the target.
#[test]
fn a_threshold_guard_outbids_the_target() {
    let p = compile(
        "replicas 1..20, start 4\nmetric cpu in %\nmetric p95 in ms\ntarget cpu at 50%\nwhen p95 > 300ms scale out by 6\n",
    );
    let mut ev = Evaluator::new(&p.services[0]);
    let step = ev.step(0, &[0.6, 0.4]).unwrap();
    let d = step.decision.expect("a decision");
    // cpu 60 % of 50 %: ratio 1.2, the target proposes 5; the rule 10.
    assert_eq!((d.to, d.rule), (10, Actor::Rule(ir::RuleId(0))));
    assert!(matches!(
        step.suppressed.as_slice(),
        [s] if s.rule == Actor::Target && matches!(s.why, Suppressed::LostTieBreak { .. })
    ));
}

/// A target inside its tolerance votes to hold: a threshold scale-in is `held_by_target`.
#[test]
fn a_holding_target_holds_back_a_scale_in_rule() {
    let p = compile(
        "replicas 1..20, start 4\nmetric cpu in %\ntarget cpu at 50%\nwhen cpu < 60% scale in by 1\n",
    );
    let mut ev = Evaluator::new(&p.services[0]);
    let step = ev.step(0, &[0.52]).unwrap();
    assert_eq!(step.decision, None);
    assert!(matches!(
        step.suppressed.as_slice(),
        [s] if s.rule == Actor::Rule(ir::RuleId(0)) && s.why == Suppressed::HeldByTarget
    ));
}

/// A target whose metric has no value does not vote, and blocks nothing else.
#[test]
fn a_missing_target_value_does_not_vote() {
    let p = compile(
        "replicas 1..20, start 4\nmetric cpu in %\ntarget cpu at 50%\nwhen cpu < 60% scale in by 1\n",
    );
    let mut ev = Evaluator::new(&p.services[0]);
    assert_eq!(ev.step(0, &[f64::NAN]).unwrap().decision, None);
}

/// `schedule … at least N`: a moving minimum; the schedule line moves the count at the
/// start of its window and the targets then work within the moved bounds.
#[test]
fn a_schedule_floor_moves_the_count() {
    let p = compile(
        "replicas 2..20, start 2\nmetric cpu in %\ntarget cpu at 50%\nschedule weekdays from 08:00 to 18:00 in Europe/Paris at least 10\n",
    );
    let mut ev = Evaluator::new(&p.services[0]);
    // Monday 2 March 2026: 06:59 UTC is 07:59 in Paris.
    assert_eq!(
        ev.step(at("2026-03-02T06:59:00Z"), &[0.5])
            .unwrap()
            .decision,
        None
    );
    let d = ev
        .step(at("2026-03-02T07:00:00Z"), &[0.5])
        .unwrap()
        .decision
        .expect("the floor starts");
    assert_eq!((d.from, d.to, d.rule), (2, 10, Actor::Schedule(0)));
    // Within the window the target may not go below the floor.
    let mut step = Step::default();
    ev.step_observed(
        at("2026-03-02T12:00:00Z"),
        &[0.1],
        Observed::default(),
        &mut step,
    )
    .unwrap();
    assert_eq!(step.decision, None);
    assert_eq!(ev.replicas(), 10);
}

/// `schedule from fri 18:00 to mon 08:00 … at most N`: a weekly span across days, in
/// force over the weekend and not on a Wednesday.
#[test]
fn a_weekend_span_caps_the_count() {
    let p = compile(
        "replicas 2..20, start 8\nmetric cpu in %\ntarget cpu at 50%\nschedule from fri 18:00 to mon 08:00 in Europe/Paris at most 3\n",
    );
    let mut ev = Evaluator::new(&p.services[0]);
    // Wednesday 4 March 2026, noon: not in force.
    assert_eq!(
        ev.step(at("2026-03-04T11:00:00Z"), &[0.5])
            .unwrap()
            .decision,
        None
    );
    // Saturday 7 March, noon in Paris: the ceiling moves the count to 3.
    let d = ev
        .step(at("2026-03-07T11:00:00Z"), &[0.5])
        .unwrap()
        .decision
        .expect("the ceiling");
    assert_eq!((d.from, d.to, d.rule), (8, 3, Actor::Schedule(0)));
    // Monday 07:59 Paris (06:59 UTC) still capped; the target at 200 % cannot exceed 3.
    assert_eq!(
        ev.step(at("2026-03-09T06:59:00Z"), &[2.0])
            .unwrap()
            .decision,
        None
    );
    // 08:00 Paris: the cap ends, the target scales out.
    let d = ev
        .step(at("2026-03-09T07:00:00Z"), &[2.0])
        .unwrap()
        .decision;
    assert!(d.is_some_and(|d| d.to > 3 && d.rule == Actor::Target));
}

/// "The replica count the evaluator believes": an observed count replaces the
/// evaluator's own, and `replicas − ready` pods count as not ready (the second pass).
#[test]
fn observed_counts_override_and_unready_pods_damp_a_scale_up() {
    let p = compile("replicas 1..40, start 4\nmetric cpu in %\ntarget cpu at 50%\nbehavior\n");
    let mut ev = Evaluator::new(&p.services[0]);
    let mut step = Step::default();
    let seen = Observed {
        replicas: Some(6),
        ready: Some(6),
    };
    ev.step_observed(0, &[1.0], seen, &mut step).unwrap();
    let d = step.decision.take().expect("from the observed 6");
    assert_eq!((d.from, d.to), (6, 12));
    // 12 requested, 6 ready at 100 %: the 6 starting pods count at 0 % in the second
    // pass, ratio (6 × 100) / 12 / 50 = 1: no change.
    ev.step_observed(
        15_000,
        &[1.0],
        Observed {
            replicas: None,
            ready: Some(6),
        },
        &mut step,
    )
    .unwrap();
    assert_eq!(step.decision, None);
}

fn bin() -> Command {
    Command::cargo_bin("scalerules").expect("binary")
}

fn eval_lines(rules: &str, input: &str) -> Vec<serde_json::Value> {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("svc.scale");
    std::fs::write(&path, rules).unwrap();
    let out = bin()
        .args(["eval", path.to_str().unwrap()])
        .write_stdin(input)
        .assert()
        .code(0)
        .get_output()
        .stdout
        .clone();
    String::from_utf8(out)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

/// `scalerules eval` with `replicas` and `ready` columns: a manual scale to 6 is the
/// truth from its row on; an empty cell is no observation.
#[test]
fn cli_eval_reads_replicas_and_ready() {
    let rules = "replicas 1..40, start 4\nmetric cpu in %\ntarget cpu at 50%\nbehavior\n";
    let input = "timestamp,cpu,replicas,ready\n\
                 2026-03-02T00:00:00Z,50,,\n\
                 2026-03-02T00:00:15Z,100,6,6\n\
                 2026-03-02T00:00:30Z,100,,6\n";
    let lines = eval_lines(rules, input);
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert_eq!(lines[0]["from"], 6);
    assert_eq!(lines[0]["to"], 12);
    assert_eq!(lines[0]["by"], "target");
    assert_eq!(lines[0]["rule"], "target cpu at 50%");
    assert_eq!(lines[0]["line"], 3);
}

#[test]
fn cli_eval_reports_a_replica_count_that_is_not_whole() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("svc.scale");
    std::fs::write(
        &path,
        "replicas 1..40\nmetric cpu in %\ntarget cpu at 50%\n",
    )
    .unwrap();
    bin()
        .args(["eval", path.to_str().unwrap()])
        .write_stdin("timestamp,cpu,replicas\n2026-03-02T00:00:00Z,50,2.5\n")
        .assert()
        .code(0)
        .stderr(predicates::str::contains(
            "row 1 (line 2), column `replicas`: `2.5` is not a replica count",
        ));
    bin()
        .args(["eval", "--strict", path.to_str().unwrap()])
        .write_stdin("timestamp,cpu,replicas\n2026-03-02T00:00:00Z,50,-1\n")
        .assert()
        .code(1)
        .stderr(predicates::str::contains("`-1` is not a replica count"));
}
