//! The evaluator's vertical scaling (docs/language.md, "Vertical scaling"): the ladder's
//! ends, the size cooldowns, and how a vertical and a horizontal decision at the same
//! evaluation combine. Expectations are worked out by hand in each test's comment.

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

/// Runs `src` over one `cpu` series (one row a minute) and returns each decision as
/// `"t=Nm COUNT SIZE rN"` after it, plus the suppressions' keys per minute.
fn run(src: &str, cpu: &str) -> (Vec<String>, Vec<String>) {
    let program = compile(src);
    let service = &program.services[0];
    let values = parse_series(cpu).expect("series");
    let names: Vec<String> = service
        .ladder
        .as_ref()
        .map(|l| l.sizes.iter().map(|s| s.name.clone()).collect())
        .unwrap_or_default();
    let mut ev = Evaluator::new(service);
    let (mut decisions, mut suppressed) = (Vec::new(), Vec::new());
    for (i, v) in values.iter().enumerate() {
        let step = ev.step(i as i64 * 60_000, &[v / 100.0]).expect("step");
        if let Some(d) = step.decision {
            decisions.push(format!(
                "t={i}m {} {} r{}",
                d.to,
                names[ev.size() as usize],
                d.rule.rule_index().map_or(0, |i| i + 1)
            ));
        }
        for s in &step.suppressed {
            suppressed.push(format!(
                "t={i}m r{} {}",
                s.rule.rule_index().map_or(0, |i| i + 1),
                s.why.key()
            ));
        }
    }
    (decisions, suppressed)
}

const HYBRID: &str = "
replicas 2..4, start 2
metric cpu in %
size small capacity 1x, start
size medium capacity 2x
size large capacity 3x
when cpu > 80% scale up
when cpu > 80% scale out by 1
when cpu < 20% scale in by 1
when cpu < 20% scale down
";

/// The same condition on `scale up` and `scale out`: up to the top size first (minutes 0
/// and 1: small→medium→large, the out rule losing the tie-break), then out (minutes 2 and
/// 3: 2→3→4 replicas, `scale up` now absorbed by the top size), then nothing (minute 4:
/// both absorbed). Then the reverse: in to `min` first (minutes 5, 6: 4→3→2), then down
/// (minutes 7, 8: large→medium→small).
#[test]
fn hybrid_scales_up_then_out_and_in_then_down() {
    let (d, s) = run(HYBRID, "90x4 10x4");
    assert_eq!(
        d,
        [
            "t=0m 2 medium r1",
            "t=1m 2 large r1",
            "t=2m 3 large r2",
            "t=3m 4 large r2",
            "t=5m 3 large r3",
            "t=6m 2 large r3",
            "t=7m 2 medium r4",
            "t=8m 2 small r4",
        ]
    );
    assert!(s.contains(&"t=0m r2 tie_break".to_string()), "{s:?}");
    assert!(s.contains(&"t=2m r1 bound".to_string()), "{s:?}");
    assert!(s.contains(&"t=4m r1 bound".to_string()), "{s:?}");
    assert!(s.contains(&"t=4m r2 bound".to_string()), "{s:?}");
    // The scale-in wins over the scale-down while the count can still go in.
    assert!(s.contains(&"t=5m r4 tie_break".to_string()), "{s:?}");
    assert!(s.contains(&"t=9m r4 bound".to_string()), "{s:?}");
}

/// `cooldown up 3m`: up at minute 0, blocked at 1 and 2, up again at 3 (t − last = 3m);
/// at minute 5 (cpu 100%) both rules want up and the cooldown blocks both.
#[test]
fn size_cooldown_and_up_to() {
    let src = "
replicas 1..1
metric cpu in %
size s capacity 1x
size m capacity 2x
size l capacity 4x
size xl capacity 8x
cooldown up 3m
when cpu > 80% scale up
when cpu > 99% scale up to l
";
    let (d, s) = run(src, "90x4 100");
    assert_eq!(d, ["t=0m 1 m r1", "t=3m 1 l r1"]);
    assert!(
        s.contains(&"t=1m r1 direction_cooldown".to_string()),
        "{s:?}"
    );
    // Minute 5: cpu 100% → both want up; the cooldown blocks both (last up at 3m).
    assert!(
        s.contains(&"t=5m r2 direction_cooldown".to_string()),
        "{s:?}"
    );
}

/// `scale up to m` from `m` is no change, and `scale down to s` never goes up.
#[test]
fn to_size_moves_one_way_only() {
    let program = compile(
        "replicas 1..1\nmetric cpu in %\nsize s capacity 1x\nsize m capacity 2x, start\nsize l capacity 3x\nwhen cpu > 50% scale up to m\nwhen cpu > 50% scale down to l\n",
    );
    let mut ev = Evaluator::new(&program.services[0]);
    assert_eq!(ev.size(), 1);
    let step = ev.step(0, &[0.9]).expect("step");
    assert!(step.decision.is_none());
    let whys: Vec<&Suppressed> = step.suppressed.iter().map(|s| &s.why).collect();
    assert_eq!(whys, [&Suppressed::NoChange, &Suppressed::NoChange]);
}

/// A decision's JSON carries the sizes; a horizontal one has no `resize` key.
#[test]
fn resize_decisions_carry_the_sizes() {
    let program = compile(HYBRID);
    let mut ev = Evaluator::new(&program.services[0]);
    let d = ev
        .step(0, &[0.9])
        .expect("step")
        .decision
        .expect("decision");
    let json = serde_json::to_value(&d).expect("json");
    assert_eq!(json["resize"]["from"], "small");
    assert_eq!(json["resize"]["to"], "medium");
    assert_eq!(json["from"], 2);
    assert_eq!(json["to"], 2);
    assert_eq!(json["direction"], "out");
    ev.step(60_000, &[0.9]).expect("step");
    let d = ev
        .step(120_000, &[0.9])
        .expect("step")
        .decision
        .expect("decision");
    assert_eq!((d.from, d.to), (2, 3));
    let json = serde_json::to_value(&d).expect("json");
    assert!(json.get("resize").is_none(), "{json}");
}

/// Online `eval` emits a resize as a JSON line with the sizes (the evaluator carries the
/// size from row to row).
#[test]
fn online_eval_emits_resizes() {
    let dir = tempfile::tempdir().expect("tempdir");
    let rules = dir.path().join("api.scale");
    std::fs::write(
        &rules,
        "replicas 2..2\nmetric cpu in %\nsize small capacity 1x\nsize large capacity 2x\nwhen cpu > 80% scale up\nwhen cpu < 20% scale down\n",
    )
    .expect("write");
    let out = assert_cmd::Command::cargo_bin("scalerules")
        .expect("binary")
        .arg("eval")
        .arg(&rules)
        .write_stdin("timestamp,cpu\n2026-03-02T00:00:00Z,90\n2026-03-02T00:01:00Z,90\n2026-03-02T00:02:00Z,10\n")
        .output()
        .expect("runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let lines: Vec<serde_json::Value> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).expect("a JSON line"))
        .collect();
    // 00:00 up small→large; 00:01 at the top: nothing; 00:02 down large→small.
    assert_eq!(lines.len(), 2, "{lines:?}");
    assert_eq!(lines[0]["resize"]["from"], "small");
    assert_eq!(lines[0]["resize"]["to"], "large");
    assert_eq!(
        (lines[0]["from"].as_u64(), lines[0]["to"].as_u64()),
        (Some(2), Some(2))
    );
    assert_eq!(lines[1]["resize"]["to"], "small");
}
