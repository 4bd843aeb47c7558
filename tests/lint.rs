//! The linter: one fixture per lint (with its expectations in header comments), JSON and
//! SARIF output, the generated docs, the example rules, and the CLI.

use assert_cmd::Command;
use predicates::prelude::*;
use scalerules::diagnostics::{render, Code, Format, SourceFile, Stage};
use scalerules::lint;
use scalerules::span::line_col;
use std::path::Path;

/// `# expect: W201 line 7` lines of a fixture, as `(code, line)`.
fn expectations(src: &str) -> Vec<(String, usize)> {
    let mut out = Vec::new();
    for l in src.lines() {
        let Some(rest) = l.trim().strip_prefix("# expect:") else {
            continue;
        };
        let words: Vec<&str> = rest.split_whitespace().collect();
        match words.as_slice() {
            [code, "line", n] => out.push((
                code.to_string(),
                n.parse().unwrap_or_else(|_| panic!("bad expect line: {l}")),
            )),
            _ => panic!("malformed expectation: {l}"),
        }
    }
    out.sort();
    out
}

#[test]
fn lint_fixtures() {
    insta::glob!("fixtures/lint/*.scale", |path| {
        let src = std::fs::read_to_string(path).unwrap_or_default();
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let report = match lint::lint_source(&src, "fixture") {
            Ok(r) => r,
            Err(e) => panic!("{name} does not compile: {e:?}"),
        };
        let mut got: Vec<(String, usize)> = report
            .diagnostics
            .iter()
            .map(|d| (d.code.to_string(), line_col(&src, d.primary.span.start).0))
            .collect();
        got.sort();
        assert_eq!(
            got,
            expectations(&src),
            "{name}: the `# expect:` header does not match the lints emitted"
        );
        let file = SourceFile::new(format!("fixtures/lint/{name}"), src.clone());
        let mut text = render(&report.diagnostics, &file, Format::Human, false, 100);
        for s in &report.suppressed {
            text.push_str(&format!(
                "suppressed {} on line {}: {}\n",
                s.diagnostic.code,
                line_col(&src, s.diagnostic.primary.span.start).0,
                s.reason
            ));
        }
        insta::assert_snapshot!(text);
    });
}

#[test]
fn every_lint_has_a_fixture_that_fires_it() {
    for l in lint::all() {
        let p = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join(format!("tests/fixtures/lint/{}.scale", l.name()));
        let src = std::fs::read_to_string(&p)
            .unwrap_or_else(|_| panic!("no fixture for {} {}", l.code, l.name()));
        assert!(
            expectations(&src).iter().any(|(c, _)| l.code == *c),
            "the fixture for {} expects no {}",
            l.name(),
            l.code
        );
        assert!(
            l.docs.contains("### What it does")
                && l.docs.contains("### Why is this bad")
                && l.docs.contains("### Example"),
            "{} docs",
            l.code
        );
    }
}

#[test]
fn every_lint_code_is_registered_and_every_lint_code_has_a_lint() {
    let lints: Vec<Code> = lint::all().iter().map(|l| l.code).collect();
    let registered: Vec<Code> = Code::of_stage(Stage::Lint).map(|c| c.code).collect();
    assert_eq!(
        lints, registered,
        "lint::all() and the registry's W2xx rows"
    );
}

#[test]
fn docs_are_up_to_date() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/lints.md");
    let want = lint::docs_markdown();
    if std::env::var_os("UPDATE_DOCS").is_some() {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).unwrap_or_default();
        }
        std::fs::write(&path, &want).unwrap_or_else(|e| panic!("cannot write docs/lints.md: {e}"));
        return;
    }
    let have = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        have == want,
        "docs/lints.md is out of date with the lint docs in src/lint/rules/; regenerate it with `UPDATE_DOCS=1 cargo test --test lint docs_are_up_to_date`"
    );
}

#[test]
fn example_rules_lint_clean() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("rules");
    let mut n = 0;
    for entry in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
        let p = entry.path();
        if p.extension().is_some_and(|e| e == "scale") {
            let src = std::fs::read_to_string(&p).unwrap_or_default();
            let r = lint::lint_source(&src, "rules")
                .unwrap_or_else(|e| panic!("{} does not compile: {e:?}", p.display()));
            let codes: Vec<_> = r.diagnostics.iter().map(|d| d.code).collect();
            assert!(
                codes.is_empty(),
                "{} has lints {codes:?}: fix them or add a justified `# allow(...)`",
                p.display()
            );
            assert!(
                r.suppressed.iter().all(|s| !s.reason.is_empty()),
                "{}: an allow without a reason",
                p.display()
            );
            n += 1;
        }
    }
    assert!(n > 0);
}

#[test]
fn allow_covers_only_the_next_statement() {
    let src = "replicas 2..9\nmetric cpu in %\ncooldown out 3m, in 10m\n# allow(W201): tested\nwhen cpu > 75% for 1m scale out by 2\nwhen cpu < 55% for 10m scale in by 1\n\nwhen cpu > 50% for 1m scale out by 1\n";
    let r = lint::lint_source(src, "t").unwrap_or_default();
    assert_eq!(r.suppressed.len(), 1);
    assert_eq!(r.suppressed[0].reason, "tested");
    assert!(r.diagnostics.iter().any(|d| d.code == "W201"));
}

#[test]
fn lint_never_panics_on_odd_policies() {
    for src in [
        "replicas 0..0\n",
        "replicas 1..4294967295\nmetric x\nwhen x > 1 scale out by 100%\nwhen x < 0 scale in by 100%\n",
        "replicas 1..3\nmetric x\nwhen x > y scale out by 1\nwhen not not x < 1 scale in by 1\n",
        "replicas 1..3\nmetric cpu in %\nwhen cpu > 1000000000000% scale out by 1\n",
    ] {
        let _ = lint::lint_source(src, "t");
    }
}

fn bin() -> Command {
    let mut c = Command::cargo_bin("scalerules").unwrap_or_else(|e| panic!("{e}"));
    c.current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("NO_COLOR", "1");
    c
}

const FLAPPING: &str = "tests/fixtures/lint/flapping-band.scale";

#[test]
fn cli_json_snapshot() {
    let out = bin()
        .args(["lint", "--format", "json", FLAPPING])
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(out.status.code(), Some(0));
    let v: serde_json::Value =
        serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}"));
    insta::assert_json_snapshot!(v);
}

#[test]
fn cli_sarif_snapshot() {
    let out = bin()
        .args(["lint", "--format", "sarif", FLAPPING])
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(out.status.code(), Some(0));
    let v: serde_json::Value =
        serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(v["version"], "2.1.0");
    assert!(v["$schema"].as_str().is_some_and(|s| s.contains("sarif")));
    let run = &v["runs"][0];
    assert_eq!(
        run["tool"]["driver"]["rules"].as_array().map(Vec::len),
        Some(lint::all().len())
    );
    let mut v = v;
    v["runs"][0]["tool"]["driver"]["version"] = "[version]".into();
    insta::assert_json_snapshot!(v);
}

#[test]
fn cli_exit_codes() {
    bin()
        .args(["lint", "rules/checkout.scale"])
        .assert()
        .code(0)
        .stderr(predicate::str::contains("0 warnings"));
    bin()
        .args(["lint", FLAPPING])
        .assert()
        .code(0)
        .stderr(predicate::str::contains("W201"));
    bin()
        .args(["lint", "--deny", "warnings", FLAPPING])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("W201"));
    bin()
        .args(["lint", "--deny", "flapping-band", FLAPPING])
        .assert()
        .code(1);
    bin()
        .args(["lint", "--deny", "W214", FLAPPING])
        .assert()
        .code(0);
    bin()
        .args(["lint", "--deny", "warnings", "--allow", "W201", FLAPPING])
        .assert()
        .code(0)
        .stderr(predicate::str::contains("W201").not());
    bin()
        .args(["lint", "--deny", "no-such-lint", FLAPPING])
        .assert()
        .code(2);
    bin()
        .args(["lint", "tests/fixtures/lint/does-not-exist.scale"])
        .assert()
        .code(2);
    bin()
        .args(["lint", "-"])
        .write_stdin("replicas 2..\n")
        .assert()
        .code(1)
        .stderr(predicate::str::contains("E001"));
    bin().args(["lint"]).assert().code(2);
}

#[test]
fn cli_explain() {
    bin()
        .args(["lint", "--explain", "W201"])
        .assert()
        .code(0)
        .stdout(
            predicate::str::contains("flapping-band")
                .and(predicate::str::contains("### Why is this bad")),
        );
    bin()
        .args(["lint", "--explain", "shadowed-rule"])
        .assert()
        .code(0)
        .stdout(predicate::str::contains("W204"));
    bin().args(["lint", "--explain", "W999"]).assert().code(2);
}
