//! Reliability through the real binary (docs/reliability.md): pathological rule files
//! get a diagnostic, never a crash.

use assert_cmd::Command;
use predicates::prelude::*;
use std::path::Path;

fn bin() -> Command {
    let mut c = Command::cargo_bin("scalerules").expect("binary");
    c.current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("NO_COLOR", "1");
    c
}

fn write(dir: &Path, name: &str, text: &str) -> String {
    let p = dir.join(name);
    std::fs::write(&p, text).expect("write");
    p.to_string_lossy().into_owned()
}

/// Ten thousand levels of parentheses, of `not`, and of chained `and`: each command
/// says E005 and exits 1 (it used to abort with a stack overflow, exit 134).
#[test]
fn deep_nesting_is_a_diagnostic_in_every_command() {
    let dir = tempfile::tempdir().expect("tempdir");
    let depth = 10_000;
    let conditions = [
        format!("{}cpu > 1{}", "(".repeat(depth), ")".repeat(depth)),
        format!("{}cpu > 1", "not ".repeat(depth)),
        vec!["cpu > 1"; depth].join(" and "),
    ];
    for (i, cond) in conditions.iter().enumerate() {
        let file = write(
            dir.path(),
            &format!("deep{i}.scale"),
            &format!("replicas 1..3\nwhen {cond} scale out by 1\n"),
        );
        for cmd in [
            vec!["check", file.as_str()],
            vec!["lint", file.as_str()],
            vec!["fmt", "--check", file.as_str()],
            vec!["fmt", file.as_str()],
        ] {
            bin()
                .args(&cmd)
                .assert()
                .code(1)
                .stderr(predicate::str::contains("E005"))
                .stderr(predicate::str::contains("this condition nests more than"));
        }
    }
}

/// At the limits themselves every stage (parse, check, lower, evaluate, lint, fmt) works
/// in a test thread's 2 MB stack, in a debug build.
#[test]
fn the_nesting_limit_itself_is_handled_by_every_stage() {
    let depth = scalerules::syntax::MAX_NESTING;
    let parens = scalerules::syntax::MAX_PARENTHESES;
    let conditions = [
        format!("{}cpu > 1{}", "(".repeat(parens), ")".repeat(parens)),
        format!("{}cpu > 1{}", "not (".repeat(parens), ")".repeat(parens)),
        format!("{}cpu > 1", "not ".repeat(depth)),
        vec!["cpu > 1"; depth].join(" or "),
    ];
    for cond in conditions {
        let src = format!("replicas 1..3\nwhen {cond} scale out by 1\n");
        let compiled = scalerules::compile(&src, "deep");
        let program = compiled.program.expect("compiles at the limit");
        let mut ev = scalerules::eval::Evaluator::new(&program.services[0]);
        ev.step(0, &[2.0]).expect("evaluates");
        assert!(scalerules::lint::lint_source(&src, "deep").is_ok());
        let formatted = scalerules::fmt::format_source(&src, "deep").expect("formats");
        assert!(scalerules::compile(&formatted, "deep").program.is_some());
    }
}

const POLICY: &str = "replicas 1..10\nwhen p95 > 300ms scale out by 1\n";

/// A bad scrape does not end the decisions: the row is reported with its line and
/// column, counted, and evaluated as missing data; `--strict` stops instead.
#[test]
fn eval_goes_on_after_a_malformed_row() {
    let dir = tempfile::tempdir().expect("tempdir");
    let rules = write(dir.path(), "api.scale", POLICY);
    let input = "timestamp,p95\n\
                 2026-03-02T00:00:00Z,abc\n\
                 2026-03-02T00:01:00Z,400\n\
                 2026-03-02T00:00:30Z,400\n\
                 2026-03-02T00:02:00Z,500\n";
    let out = bin()
        .args(["eval", &rules])
        .write_stdin(input)
        .assert()
        .code(0)
        .stderr(predicate::str::contains(
            "warning: row 1 (line 2), column `p95`: `abc` is not a number",
        ))
        .stderr(predicate::str::contains(
            "warning: row 3 (line 4), column `timestamp`: timestamp",
        ))
        .stderr(predicate::str::contains(
            "eval: 3 rows evaluated, 2 decisions; 1 malformed cell treated as missing",
        ))
        .get_output()
        .stdout
        .clone();
    assert_eq!(String::from_utf8_lossy(&out).lines().count(), 2);
    bin()
        .args(["eval", "--strict", &rules])
        .write_stdin(input)
        .assert()
        .code(1)
        .stdout("")
        .stderr(predicate::str::contains(
            "error: row 1 (line 2), column `p95`: `abc` is not a number",
        ));
}

/// Each decision reaches a pipe as soon as its row is evaluated: the test writes one
/// row, reads its decision, and only then writes the next.
#[test]
fn eval_flushes_each_decision_as_it_is_made() {
    use std::io::{BufRead, BufReader, Write};
    use std::process::{Command as Std, Stdio};
    let dir = tempfile::tempdir().expect("tempdir");
    let rules = write(dir.path(), "api.scale", POLICY);
    let mut child = Std::new(assert_cmd::cargo::cargo_bin("scalerules"))
        .args(["eval", &rules])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawns");
    let mut stdin = child.stdin.take().expect("stdin");
    let mut stdout = BufReader::new(child.stdout.take().expect("stdout"));
    writeln!(stdin, "timestamp,p95").expect("header");
    for minute in 0..5 {
        writeln!(stdin, "2026-03-02T00:0{minute}:00Z,900").expect("row");
        stdin.flush().expect("flush");
        let mut line = String::new();
        stdout.read_line(&mut line).expect("a decision line");
        let decision: serde_json::Value = serde_json::from_str(&line).expect("JSON");
        assert_eq!(
            decision["timestamp"],
            format!("2026-03-02T00:0{minute}:00Z")
        );
        assert_eq!(decision["to"], minute + 2);
    }
    drop(stdin);
    assert!(child.wait().expect("exits").success());
}

/// At the repository root, `scalerules test` runs the real tests and skips the
/// deliberately failing fixtures (`tests/fixtures/.scalerules-skip`).
#[test]
fn test_at_the_repository_root_skips_the_failing_fixtures() {
    let out = bin()
        .arg("test")
        .assert()
        .code(0)
        .get_output()
        .stdout
        .clone();
    let text = String::from_utf8_lossy(&out);
    assert!(text.contains("rules/checkout.test.toml"), "{text}");
    assert!(!text.contains("tests/fixtures"), "{text}");
    // Named explicitly, a fixture still runs (and fails, as it should).
    bin()
        .args(["test", "tests/fixtures/ruletest"])
        .assert()
        .code(1);
}

/// Runs the binary with regular-file writes limited to 0 bytes. With `ignore` the
/// SIGXFSZ signal is ignored, so each write fails half-way with EFBIG (an error the
/// tool reports); without it the process is killed at its first write (an interruption).
pub fn starved(dir: &Path, ignore: bool, args: &[&str]) -> std::process::Output {
    let trap = if ignore { "trap '' XFSZ; " } else { "" };
    std::process::Command::new("sh")
        .arg("-c")
        .arg(format!("{trap}ulimit -f 0; exec \"$0\" \"$@\""))
        .arg(assert_cmd::cargo::cargo_bin("scalerules"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .output()
        .expect("runs")
}

/// The names in `dir`, sorted.
fn listing(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .expect("read_dir")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// `fmt` rewrites a file through a temporary file: a write error or a kill half-way
/// leaves the previous text.
#[test]
fn fmt_keeps_the_previous_file_when_writing_fails() {
    let dir = tempfile::tempdir().expect("tempdir");
    let messy = "replicas 1..3\nwhen   cpu>1   scale out by 1\n";
    write(dir.path(), "a.scale", messy);
    let out = starved(dir.path(), true, &["fmt", "a.scale"]);
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("a.scale"),
        "{out:?}"
    );
    assert_eq!(
        std::fs::read_to_string(dir.path().join("a.scale")).expect("read"),
        messy
    );
    assert_eq!(listing(dir.path()), ["a.scale"]);
    // Killed at the first write: the file is intact (a stray temporary may remain).
    let out = starved(dir.path(), false, &["fmt", "a.scale"]);
    assert_eq!(out.status.code(), None, "killed by SIGXFSZ: {out:?}");
    assert_eq!(
        std::fs::read_to_string(dir.path().join("a.scale")).expect("read"),
        messy
    );
    // And with room to write, it is formatted.
    bin()
        .args(["fmt", &dir.path().join("a.scale").to_string_lossy()])
        .assert()
        .code(0);
    assert_ne!(
        std::fs::read_to_string(dir.path().join("a.scale")).expect("read"),
        messy
    );
}

#[test]
fn junit_keeps_the_previous_report_when_writing_fails() {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = env!("CARGO_MANIFEST_DIR");
    let tests = format!("{root}/rules/checkout.test.toml");
    write(dir.path(), "junit.xml", "previous");
    let out = starved(dir.path(), true, &["test", &tests, "--junit", "junit.xml"]);
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("cannot write"),
        "{out:?}"
    );
    assert_eq!(
        std::fs::read_to_string(dir.path().join("junit.xml")).expect("read"),
        "previous"
    );
    assert_eq!(listing(dir.path()), ["junit.xml"]);
}

/// Pathological but valid inputs stay bounded online: a million replicas, a 12-hour gap,
/// and a year-long `p99` window with a declared one-second tick (refused before the
/// first row; docs/reliability.md, "Resource limits").
#[test]
fn bounded_resources_online() {
    let dir = tempfile::tempdir().expect("tempdir");
    let million = write(
        dir.path(),
        "million.scale",
        "replicas 1..1000000\nwhen cpu > 80% scale to 1000000\nwhen cpu < 10% for 1m scale in by 50%\n",
    );
    bin().args(["check", &million]).assert().code(0);
    bin().args(["lint", &million]).assert().code(0);
    let out = bin()
        .args(["eval", &million])
        .write_stdin("timestamp,cpu\n0,90\n43200,5\n43260,5\n86400,5\n")
        .assert()
        .code(0)
        .get_output()
        .stdout
        .clone();
    let text = String::from_utf8_lossy(&out);
    let lines: Vec<serde_json::Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).expect("JSON"))
        .collect();
    assert_eq!(lines[0]["to"], 1_000_000);
    assert_eq!(lines[1]["from"], 1_000_000);
    assert_eq!(lines[1]["to"], 500_000);
    // A 12-hour gap between rows empties the windows; evaluation goes on.
    let gap = write(
        dir.path(),
        "gap.scale",
        "replicas 1..10\nwhen avg(cpu, 5m) > 80% scale out by 1\n",
    );
    let out = bin()
        .args(["eval", &gap])
        .write_stdin("timestamp,cpu\n0,90\n43200,\n43201,95\n")
        .assert()
        .code(0)
        .get_output()
        .stdout
        .clone();
    assert_eq!(String::from_utf8_lossy(&out).lines().count(), 2);
    let year = write(
        dir.path(),
        "year.scale",
        "replicas 1..10\ntick 1s\nwhen p99(lat, 365d) > 300ms scale out by 1\n",
    );
    bin()
        .args(["eval", &year])
        .write_stdin("timestamp,lat\n0,100\n")
        .assert()
        .code(1)
        .stdout("")
        .stderr(predicate::str::contains(
            "`p99(lat, 365d)` would hold 31536001 samples at one every 1s, more than the limit of 1000000 per window",
        ));
}
