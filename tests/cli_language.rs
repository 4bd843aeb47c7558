//! The real binary: `check`, `explain` and `eval` exit codes and outputs.

use assert_cmd::Command;
use predicates::prelude::*;

fn bin() -> Command {
    let mut c = Command::cargo_bin("scalerules").expect("binary");
    c.current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("NO_COLOR", "1");
    c
}

#[test]
fn check_exit_codes() {
    bin()
        .args(["check", "rules/checkout.scale"])
        .assert()
        .code(0);
    bin()
        .args(["check", "tests/fixtures/check/invalid/unit_mismatch.scale"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("E107"));
    bin()
        .args(["check", "no/such/file.scale"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("cannot read"));
    bin()
        .args(["check", "--format", "nonsense", "rules/checkout.scale"])
        .assert()
        .code(2);
}

#[test]
fn check_json_lists_every_diagnostic_with_location() {
    let out = bin()
        .args([
            "check",
            "--format",
            "json",
            "tests/fixtures/check/invalid/zero_and_bad_amounts.scale",
        ])
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    let v: serde_json::Value = serde_json::from_slice(&out).expect("json");
    let arr = v.as_array().expect("array");
    assert_eq!(arr.len(), 3);
    for d in arr {
        for key in [
            "file", "code", "severity", "message", "line", "column", "help",
        ] {
            assert!(d.get(key).is_some(), "missing {key} in {d}");
        }
    }
    assert_eq!(arr[0]["line"], 4);
    assert_eq!(arr[1]["code"], "E113");
}

#[test]
fn plain_format_is_narratable() {
    bin()
        .args([
            "check",
            "--format",
            "plain",
            "tests/fixtures/check/invalid/reversed_bounds.scale",
        ])
        .assert()
        .code(1)
        .stderr(
            predicate::str::contains("replica bounds are reversed")
                .and(predicate::str::contains("E102")),
        );
}

#[test]
fn explain_shows_inferred_units() {
    bin()
        .args(["explain", "tests/fixtures/check/valid/bare_line.scale"])
        .assert()
        .code(0)
        .stdout(predicate::str::contains(
            "p95: column \"p95\" in ms (inferred from `300ms` on line 3)",
        ));
}

#[test]
fn eval_streams_decisions_as_json_lines() {
    let input = "timestamp,p95\n2026-03-02T00:00:00Z,400\n2026-03-02T00:01:00Z,420\n\
                 2026-03-02T00:02:00Z,450\n1772409780,10\n";
    let out = bin()
        .args(["eval", "tests/fixtures/check/valid/bare_line.scale"])
        .write_stdin(input)
        .assert()
        .code(0)
        .get_output()
        .stdout
        .clone();
    let text = String::from_utf8(out).unwrap();
    let lines: Vec<serde_json::Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 1);
    assert_eq!(lines[0]["timestamp"], "2026-03-02T00:02:00Z");
    assert_eq!(lines[0]["from"], 1);
    assert_eq!(lines[0]["to"], 3);
    assert_eq!(lines[0]["line"], 3);
    assert_eq!(lines[0]["service"], "bare_line");
    assert_eq!(
        lines[0]["rule"],
        "when p95 > 300ms for 2m scale out by 2, cooldown 5m"
    );
}

#[test]
fn eval_names_the_bad_row_and_column() {
    bin()
        .args([
            "eval",
            "--strict",
            "tests/fixtures/check/valid/bare_line.scale",
        ])
        .write_stdin("timestamp,p95\n2026-03-02T00:00:00Z,400\n2026-03-02T00:01:00Z,fast\n")
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "row 2 (line 3), column `p95`: `fast` is not a number",
        ));
    bin()
        .args(["eval", "tests/fixtures/check/valid/bare_line.scale"])
        .write_stdin("timestamp,latency\n")
        .assert()
        .code(1)
        .stderr(predicate::str::contains("no column `p95`"));
    bin()
        .args(["eval", "tests/fixtures/check/valid/two_services.scale"])
        .write_stdin("timestamp,cpu_pct\n")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("choose one with --service"));
}

#[test]
fn folders_expand_to_their_rule_files() {
    let n = std::fs::read_dir("rules")
        .expect("rules/")
        .filter(|e| {
            e.as_ref()
                .is_ok_and(|e| e.path().extension().is_some_and(|x| x == "scale"))
        })
        .count();
    assert!(n >= 6);
    bin()
        .args(["check", "rules"])
        .assert()
        .code(0)
        .stderr(predicate::str::contains(format!(
            "checked {n} files: no errors"
        )));
    bin()
        .args(["check", "tests/fixtures/check/invalid"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("E105").and(predicate::str::contains("E002")));
    bin().args(["lint", "rules"]).assert().code(0);
    bin().args(["fmt", "--check", "rules"]).assert().code(0);
}

#[test]
fn explain_accepts_codes_and_lint_names() {
    bin()
        .args(["explain", "E107"])
        .assert()
        .code(0)
        .stdout(predicate::str::contains(
            "E107: a metric is used with units that cannot be converted",
        ));
    bin()
        .args(["explain", "e302"])
        .assert()
        .code(0)
        .stdout(predicate::str::contains("E302").and(predicate::str::contains("missing")));
    bin()
        .args(["explain", "flapping-band"])
        .assert()
        .code(0)
        .stdout(predicate::str::contains("W201"));
    bin().args(["explain", "E999"]).assert().code(2);
}

#[test]
fn a_closed_pipe_ends_quietly_without_a_panic() {
    use std::process::{Command as Std, Stdio};
    let bin = assert_cmd::cargo::cargo_bin("scalerules");
    // The reader goes away before the child writes anything (as with `| head` on a long
    // output): every write then fails with a broken pipe.
    let mut child = Std::new(bin)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(["test", "rules"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    drop(child.stdout.take());
    let out = child.wait_with_output().expect("wait");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
}

/// A build without the `data` feature keeps the commands that need polars, and says so.
#[cfg(not(feature = "data"))]
#[test]
fn data_commands_say_they_need_the_feature() {
    for cmd in ["backtest", "snapshot", "diff", "datasets"] {
        bin()
            .args([
                cmd,
                "rules/checkout.scale",
                "--data",
                "datasets/checkout.csv",
            ])
            .assert()
            .code(2)
            .stderr(predicate::str::contains(format!(
                "`scalerules {cmd}` needs polars"
            )));
    }
}
