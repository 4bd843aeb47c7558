//! `scalerules tune`: a grid small enough to check by hand, the front's properties on
//! real runs, determinism (threads and seeds), and the real binary (table, JSON, the
//! chart, `--write` and its no-overwrite rule).

use assert_cmd::Command;
use scalerules::backtest::data::{load, DataRequest};
use scalerules::tune::{self, front::dominates, Outcome, Problem, Sampling, TuneOptions};
use std::path::Path;
use std::sync::atomic::AtomicBool;

/// Demand 250 rps for an hour; no rules, so the replica count stays at `start` = the
/// minimum. With capacity `$cap` per replica, `$min` replicas saturate (utilisation
/// ρ ≥ 1, a breach) every minute when `$min × $cap ≤ 250`, and cost `$min` replica-hours.
const FLAT: &str = "service flat {
  param min = 3 in 1..5
  param cap = 100 rps in [50 rps, 100 rps]
  replicas $min..10
  metric rps = column \"rps\" in rps
  model {
    demand rps
    capacity $cap per replica
  }
}
";

fn flat_csv(dir: &Path) -> std::path::PathBuf {
    let mut csv = String::from("timestamp,rps\n");
    for m in 0..60 {
        csv.push_str(&format!("2026-01-01T00:{m:02}:00Z,250\n"));
    }
    let p = dir.join("flat.csv");
    std::fs::write(&p, csv).expect("write csv");
    p
}

/// Compiles `src`, loads `data` for its only service and tunes it.
fn run_tune(src: &str, data: &[&Path], opts: &TuneOptions) -> Outcome {
    let c = scalerules::compile(src, "t");
    assert!(
        c.diagnostics.iter().all(|d| !d.is_error()),
        "{:#?}",
        c.diagnostics
    );
    let program = c.program.as_ref().expect("program");
    let service = program.select(None).expect("one service");
    let ast = c.ast.as_ref().expect("ast");
    let problem = Problem::new(src, ast, &c.params, &service.name).expect("params");
    let data: Vec<_> = data
        .iter()
        .map(|p| load(&DataRequest::for_service(p, service, None)).expect("loads"))
        .collect();
    tune::tune(
        &problem,
        service,
        &data,
        opts,
        &AtomicBool::new(false),
        &|_, _| {},
    )
    .expect("tunes")
}

fn values(o: &Outcome, i: usize) -> Vec<f64> {
    o.variants[i].values.clone()
}

#[test]
fn a_small_grid_gives_the_front_worked_out_by_hand() {
    let dir = tempfile::tempdir().expect("tempdir");
    let csv = flat_csv(dir.path());
    let o = run_tune(FLAT, &[&csv], &TuneOptions::default());
    // The defaults first, then the grid ($min slowest, $cap fastest) without (3, 100).
    let all: Vec<Vec<f64>> = (0..o.variants.len()).map(|i| values(&o, i)).collect();
    let expected: Vec<Vec<f64>> = [
        (3, 100),
        (1, 50),
        (1, 100),
        (2, 50),
        (2, 100),
        (3, 50),
        (4, 50),
        (4, 100),
        (5, 50),
        (5, 100),
    ]
    .iter()
    .map(|&(m, c)| vec![f64::from(m), f64::from(c)])
    .collect();
    assert_eq!(all, expected);
    assert_eq!(o.space.method, "grid");
    assert_eq!(o.cost_unit, "replica-hours");
    // Scores by hand: cost = $min replica-hours; 60 breach minutes when $min × $cap ≤ 250.
    for v in &o.variants {
        let t = v.totals.as_ref().expect("scored");
        let (min, cap) = (v.values[0], v.values[1]);
        assert!((t.cost - min).abs() < 1e-9, "{:?}", v.values);
        let breach = if min * cap <= 250.0 { 60.0 } else { 0.0 };
        assert_eq!(t.breach_minutes, breach, "{:?}", v.values);
        assert_eq!(t.reversals, 0);
    }
    // The front: 1 replica (cheapest, breaching; (1, 50) and (1, 100) score the same, the
    // first is kept) and 3 replicas of 100 rps (the cheapest without a breach).
    assert_eq!(o.front, vec![1, 0]);
    // The current file breaches never: the cheapest front variant that breaches no more.
    assert_eq!(o.chosen, Some(0));
}

#[test]
fn constraints_leave_out_variants_and_pick_within_them() {
    let dir = tempfile::tempdir().expect("tempdir");
    let csv = flat_csv(dir.path());
    let opts = TuneOptions {
        constraints: tune::Constraints {
            max_breach_minutes: Some(0.0),
            max_reversals: None,
        },
        ..TuneOptions::default()
    };
    let o = run_tune(FLAT, &[&csv], &opts);
    assert_eq!(o.front, vec![0]);
    // Every variant of 50 rps per replica and 1 or 2 of 100 rps breach.
    assert_eq!(o.count(|v| v.totals.is_some() && !v.feasible), 7);
}

/// rules/checkout.scale with three thresholds as parameters.
fn checkout_with_params() -> String {
    let src = std::fs::read_to_string("rules/checkout.scale").expect("rules/checkout.scale");
    src.replace(
        "  when avg(cpu, 2m) > 65%",
        "  param busy = 65% in 55%..80% step 5%\n  param slow = 250ms in [200ms, 250ms, 300ms]\n  \
         param quiet = 40% in 30%..50% step 5%\n  param wait = 10m in 5m..15m step 5m\n  \
         when avg(cpu, 2m) > $busy",
    )
    .replace("p95 > 250ms", "p95 > $slow")
    .replace(
        "avg(cpu, 10m) < 40% for 10m",
        "avg(cpu, 10m) < $quiet for $wait",
    )
}

fn same(a: &Outcome, b: &Outcome) {
    assert_eq!(a.variants, b.variants);
    assert_eq!(a.front, b.front);
    assert_eq!(a.chosen, b.chosen);
}

#[test]
fn one_thread_and_several_give_the_same_outcome() {
    let src = checkout_with_params();
    let data = [Path::new("datasets/checkout.csv")];
    let opts = |threads| TuneOptions {
        budget: 12,
        threads: Some(threads),
        ..TuneOptions::default()
    };
    let one = run_tune(&src, &data, &opts(1));
    let three = run_tune(&src, &data, &opts(3));
    assert_eq!((one.threads, three.threads), (1, 3));
    assert_eq!(one.space.method, "lhs");
    assert_eq!(one.variants.len(), 13);
    same(&one, &three);
}

#[test]
fn a_seed_gives_the_same_variants_and_another_seed_others() {
    let src = checkout_with_params();
    let data = [Path::new("datasets/checkout.csv")];
    let opts = |seed, sampling| TuneOptions {
        budget: 8,
        seed,
        sampling,
        ..TuneOptions::default()
    };
    for sampling in [Sampling::Lhs, Sampling::Random] {
        let a = run_tune(&src, &data, &opts(7, sampling));
        let b = run_tune(&src, &data, &opts(7, sampling));
        same(&a, &b);
        let c = run_tune(&src, &data, &opts(8, sampling));
        assert_ne!(a.variants[1..], c.variants[1..]);
        // A Latin hypercube covers each parameter's values evenly: with 8 points and 6
        // values of $busy, no value is drawn three times.
        if sampling == Sampling::Lhs {
            for v in [55.0, 60.0, 65.0, 70.0, 75.0, 80.0] {
                let n = a.variants[1..].iter().filter(|x| x.values[0] == v).count();
                assert!(n <= 2, "{v}: {n}");
            }
        }
    }
}

#[test]
fn over_several_datasets_the_front_is_non_dominated_and_reports_the_worst() {
    let src = checkout_with_params();
    let data = [
        Path::new("datasets/checkout.csv"),
        Path::new("datasets/checkout.parquet"),
    ];
    let o = run_tune(
        &src,
        &data,
        &TuneOptions {
            budget: 10,
            ..TuneOptions::default()
        },
    );
    for v in o.variants.iter().filter(|v| v.totals.is_some()) {
        let t = v.totals.as_ref().expect("scored");
        let tune::VariantOutcome::Scored(traces) = &v.outcome else {
            panic!("scored");
        };
        assert_eq!(traces.len(), 2);
        // The same data in two formats: the total is twice the worst.
        assert!((t.breach_minutes - 2.0 * t.worst_breach_minutes).abs() < 1e-6);
        for &f in &o.front {
            let q = o.variants[f].totals.as_ref().expect("front");
            assert!(!dominates(&t.objectives(), &q.objectives()));
        }
    }
}

// ---------------------------------------------------------------- the real binary

fn cmd() -> Command {
    let mut c = Command::cargo_bin("scalerules").expect("binary");
    c.env("NO_COLOR", "1").env("COLUMNS", "100");
    c
}

fn workdir() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(
        dir.path().join("flat.scale"),
        format!("# A flat load.\n{FLAT}"),
    )
    .expect("write rules");
    flat_csv(dir.path());
    dir
}

#[test]
fn cli_prints_the_front_as_a_table() {
    let dir = workdir();
    let out = cmd()
        .current_dir(dir.path())
        .args(["tune", "flat.scale", "--data", "flat.csv"])
        .output()
        .expect("runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    insta::assert_snapshot!(stdout);
}

#[test]
fn cli_json_has_the_front_the_current_file_and_the_choice() {
    let dir = workdir();
    let out = cmd()
        .current_dir(dir.path())
        .args([
            "tune",
            "flat.scale",
            "--data",
            "flat.csv",
            "--format",
            "json",
        ])
        .output()
        .expect("runs");
    assert!(out.status.success());
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(v["variants"], 10);
    assert_eq!(v["space"]["method"], "grid");
    let front = v["front"].as_array().expect("front");
    assert_eq!(front.len(), 2);
    assert_eq!(front[0]["values"]["min"], "1");
    assert_eq!(front[1]["values"]["cap"], "100 rps");
    assert_eq!(front[1]["current"], true);
    assert_eq!(v["chosen"]["variant"], 0);
    assert_eq!(v["current"]["totals"]["breach_minutes"], 0.0);
    assert_eq!(v["datasets"][0]["ticks"], 60);
}

#[test]
fn cli_plot_draws_every_variant_the_front_and_the_current_file() {
    let dir = workdir();
    cmd()
        .current_dir(dir.path())
        .args([
            "tune",
            "flat.scale",
            "--data",
            "flat.csv",
            "--plot",
            "front.svg",
        ])
        .assert()
        .success();
    let svg = std::fs::read_to_string(dir.path().join("front.svg")).expect("svg");
    assert!(svg.starts_with("<svg") && svg.ends_with("</svg>\n"));
    assert!(svg.contains("against breach minutes, 10 variants"));
    // Ten variants with six distinct scores: the front's two, drawn red, and the rest.
    let front = svg
        .split(r#"<g class="front""#)
        .nth(1)
        .and_then(|g| g.split("</g>").next())
        .expect("front group");
    assert_eq!(front.matches("<circle").count(), 2);
    let others = svg
        .split(r#"<g class="variants""#)
        .nth(1)
        .and_then(|g| g.split("</g>").next())
        .expect("variants group");
    assert_eq!(others.matches("<circle").count(), 8);
    assert_eq!(svg.matches(r#"<rect class="current""#).count(), 1);
    assert_eq!(svg.matches(r#"<circle class="chosen""#).count(), 1);
    assert!(svg.contains("replica-hours (total over the datasets)"));
}

#[test]
fn cli_write_substitutes_the_chosen_values_and_never_overwrites_the_input_by_accident() {
    let dir = workdir();
    let run = |args: &[&str]| {
        cmd()
            .current_dir(dir.path())
            .args(["tune", "flat.scale", "--data", "flat.csv"])
            .args(args)
            .output()
            .expect("runs")
    };
    // At most 60 breach minutes: the cheapest is 1 replica (of 50 rps, the first).
    let out = run(&["--max-breach-minutes", "60", "--write", "best.scale"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let best = std::fs::read_to_string(dir.path().join("best.scale")).expect("written");
    assert!(best.starts_with("# A flat load.\n"), "{best}");
    assert!(best.contains("param min = 1 in 1..5"), "{best}");
    assert!(
        best.contains("param cap = 50 rps in [50 rps, 100 rps]"),
        "{best}"
    );
    assert!(best.contains("replicas $min..10"), "{best}");
    // The input under another name is refused, and left as it was.
    let before = std::fs::read_to_string(dir.path().join("flat.scale")).expect("input");
    let out = run(&["--max-breach-minutes", "60", "--write", "./flat.scale"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("E381"));
    assert_eq!(
        std::fs::read_to_string(dir.path().join("flat.scale")).expect("input"),
        before
    );
    // Its very path, as given, replaces it.
    let out = run(&["--max-breach-minutes", "60", "--write", "flat.scale"]);
    assert!(out.status.success());
    let after = std::fs::read_to_string(dir.path().join("flat.scale")).expect("input");
    assert!(after.contains("param min = 1 in 1..5"), "{after}");
}

#[test]
fn cli_without_params_says_there_is_nothing_to_tune() {
    let out = cmd()
        .args([
            "tune",
            "rules/checkout.scale",
            "--data",
            "datasets/checkout.csv",
        ])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("E380"));
}
