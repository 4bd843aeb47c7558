//! `scalerules test` through the real binary: passing examples, a failing test file with
//! its output snapshotted, a malformed file, and the JUnit report.

use assert_cmd::Command;

fn bin() -> Command {
    let mut c = Command::cargo_bin("scalerules").expect("binary");
    c.current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("NO_COLOR", "1");
    c
}

#[test]
fn every_example_policy_has_passing_tests() {
    let out = bin()
        .args(["test", "rules"])
        .assert()
        .code(0)
        .get_output()
        .stdout
        .clone();
    let text = String::from_utf8(out).unwrap();
    for f in ["checkout", "reports", "queue-worker", "inference"] {
        assert!(
            text.contains(&format!("rules/{f}.test.toml")),
            "no tests for {f}:\n{text}"
        );
    }
    assert!(text.trim_end().ends_with("0 failed"), "{text}");
}

#[test]
fn failing_tests_say_what_was_expected_and_what_happened() {
    let out = bin()
        .args(["test", "tests/fixtures/ruletest/failing.test.toml"])
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    insta::assert_snapshot!(String::from_utf8(out).unwrap());
}

#[test]
fn a_malformed_test_file_is_reported_not_panicked() {
    let out = bin()
        .args(["test", "tests/fixtures/ruletest/malformed.test.toml"])
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    let text = String::from_utf8(out).unwrap();
    assert!(
        text.contains("not a valid test file") && text.contains("series"),
        "{text}"
    );
}

#[test]
fn junit_report_lists_each_case() {
    let dir = tempfile::tempdir().unwrap();
    let junit = dir.path().join("report.xml");
    bin()
        .args([
            "test",
            "tests/fixtures/ruletest/failing.test.toml",
            "--junit",
        ])
        .arg(&junit)
        .assert()
        .code(1);
    let xml = std::fs::read_to_string(&junit).unwrap();
    assert!(xml.starts_with("<?xml"));
    assert!(xml.contains("tests=\"3\" failures=\"2\""), "{xml}");
    assert!(xml.contains("<testcase name=\"passes: scale out after 2 minutes\""));
    assert!(
        xml.contains(
            "<failure message=\"expected scale out to 5 at 2m; got scale out 2 → 4 by line 4\">"
        ),
        "{xml}"
    );
}

#[test]
fn no_test_files_is_a_usage_error() {
    bin().args(["test", "datasets"]).assert().code(2);
}
