//! `scalerules diff` through the real binary: two fixture rule files whose threshold
//! differs, the JSON, the first divergences, `REV:path` in a temporary git repository
//! and the SVG overlay.

use assert_cmd::Command;
use std::path::Path;

const OLD: &str = "tests/fixtures/snapshot/small.scale";
const NEW: &str = "tests/fixtures/snapshot/small-260ms.scale";
const DATA: &str = "tests/fixtures/snapshot/small.csv";

fn diff() -> Command {
    let mut c = Command::cargo_bin("scalerules").expect("binary");
    c.env("NO_COLOR", "1")
        .env("COLUMNS", "100")
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .arg("diff");
    c
}

fn json_of(c: &mut Command) -> serde_json::Value {
    let out = c.args(["--format", "json"]).output().expect("runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("json")
}

#[test]
fn json_has_both_score_sets_deltas_and_divergences() {
    let v = json_of(diff().args([OLD, NEW, "--data", DATA]));
    assert_eq!(v["old"]["source"], OLD);
    assert_eq!(v["new"]["source"], NEW);
    assert_eq!(v["old"]["scores"]["policy.cost.replica_hours"], 64.0);
    assert_eq!(v["new"]["scores"]["policy.cost.replica_hours"], 65.8);
    let d = &v["deltas"]["policy.cost.replica_hours"];
    assert_eq!(d["delta"], 1.8);
    assert_eq!(d["percent"], 2.8125);
    assert_eq!(v["deltas"]["policy.cost.peak_replicas"]["delta"], 2.0);
    assert_eq!(v["deltas"]["policy.thrashing.reversals"]["delta"], 0.0);
    assert_eq!(v["decisions"]["old"], 5);
    assert_eq!(v["decisions"]["new"], 6);
    assert_eq!(v["decisions"]["unchanged"], 2);
    assert_eq!(v["decisions"]["moved"], 1);
    assert_eq!(v["decisions"]["vanished"], 2);
    assert_eq!(v["decisions"]["appeared"], 3);
    assert_eq!(v["first_divergence"], "2026-03-02T06:36:00Z");
    let div = v["divergences"].as_array().expect("array");
    assert_eq!(div.len(), 6);
    assert_eq!(div[0]["kind"], "moved");
    assert_eq!(div[0]["shift_ms"], -540_000);
    assert_eq!(div[0]["old"]["timestamp_ms"], 1_772_433_900_000_i64);
    assert_eq!(div[0]["new"]["rule"], "r1");
    assert_eq!(div[1]["kind"], "appeared");
    assert_eq!(div[1]["new"]["from"], 8);
    assert_eq!(div[1]["new"]["to"], 10);
    assert_eq!(div[2]["kind"], "vanished");
    let r1 = &v["rules"][0];
    assert_eq!(
        (
            r1["rule"].clone(),
            r1["old_fired"].clone(),
            r1["new_fired"].clone()
        ),
        ("r1".into(), 5.into(), 6.into())
    );
    // The same policy twice: no divergence at all.
    let same = json_of(diff().args([OLD, OLD, "--data", DATA]));
    assert_eq!(same["divergences"].as_array().map(Vec::len), Some(0));
    assert_eq!(same["decisions"]["unchanged"], 5);
}

#[test]
fn table_output() {
    let out = diff()
        .args([OLD, NEW, "--data", DATA])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(0));
    insta::assert_snapshot!("diff_small_table", String::from_utf8_lossy(&out.stdout));
}

#[test]
fn plot_overlays_both_versions() {
    let dir = tempfile::tempdir().expect("tempdir");
    let svg_path = dir.path().join("overlay.svg");
    diff()
        .args([OLD, NEW, "--data", DATA, "--plot"])
        .arg(&svg_path)
        .assert()
        .success();
    let svg = std::fs::read_to_string(&svg_path).expect("svg written");
    assert!(svg.starts_with("<svg") && svg.trim_end().ends_with("</svg>"));
    for name in [
        format!(r#"data-name="old: {OLD} (requested replicas)""#),
        format!(r#"data-name="new: {NEW} (requested replicas)""#),
        r#"data-name="demand""#.to_string(),
    ] {
        assert!(svg.contains(&name), "missing {name}");
    }
    let legend = svg.split(r#"<g class="legend">"#).nth(1).expect("legend");
    assert!(legend.contains(&format!("old: {OLD}")));
    assert!(legend.contains(&format!("new: {NEW}")));
    assert_eq!(svg.matches("<polyline").count(), 5);
    // The two requested-replica curves differ (the thresholds do).
    let points = |name: &str| {
        svg.lines()
            .find(|l| l.contains(name))
            .and_then(|l| l.split("points=\"").nth(1))
            .map(str::to_string)
            .expect("series")
    };
    assert_ne!(
        points("old: tests/fixtures/snapshot/small.scale (requested"),
        points("new: tests/fixtures/snapshot/small-260ms.scale (requested")
    );
    // Not an .svg name: usage error.
    diff()
        .args([OLD, NEW, "--data", DATA, "--plot", "x.png"])
        .assert()
        .code(2);
}

fn git(dir: &Path, args: &[&str]) {
    let st = std::process::Command::new("git")
        .args(args)
        .current_dir(dir)
        .env("GIT_AUTHOR_NAME", "t")
        .env("GIT_AUTHOR_EMAIL", "t@example.com")
        .env("GIT_COMMITTER_NAME", "t")
        .env("GIT_COMMITTER_EMAIL", "t@example.com")
        .status()
        .expect("git runs");
    assert!(st.success(), "git {args:?}");
}

#[test]
fn git_revisions() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    std::fs::create_dir(d.join("rules")).expect("mkdir");
    std::fs::copy(root.join(DATA), d.join("small.csv")).expect("copy");
    std::fs::copy(root.join(OLD), d.join("rules/small.scale")).expect("copy");
    git(d, &["init", "-q"]);
    git(d, &["add", "."]);
    git(d, &["commit", "-qm", "old"]);
    std::fs::copy(root.join(NEW), d.join("rules/small.scale")).expect("copy");
    git(d, &["commit", "-qam", "new"]);
    let mut c = Command::cargo_bin("scalerules").expect("binary");
    c.current_dir(d).args([
        "diff",
        "HEAD~1:rules/small.scale",
        "rules/small.scale",
        "--data",
        "small.csv",
    ]);
    let v = json_of(&mut c);
    assert_eq!(v["old"]["source"], "HEAD~1:rules/small.scale");
    assert_eq!(v["deltas"]["policy.cost.replica_hours"]["delta"], 1.8);
    assert_eq!(v["decisions"]["appeared"], 3);
    // HEAD and the working file are the same version.
    let mut c = Command::cargo_bin("scalerules").expect("binary");
    c.current_dir(d).args([
        "diff",
        "HEAD:rules/small.scale",
        "rules/small.scale",
        "--data",
        "small.csv",
    ]);
    let v = json_of(&mut c);
    assert_eq!(v["divergences"].as_array().map(Vec::len), Some(0));
    // A revision that does not exist: a clear error, exit 2.
    let mut c = Command::cargo_bin("scalerules").expect("binary");
    let out = c
        .current_dir(d)
        .args([
            "diff",
            "HEAD~5:rules/small.scale",
            "rules/small.scale",
            "--data",
            "small.csv",
        ])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("`git show HEAD~5:rules/small.scale` failed"),
        "{err}"
    );
    // Outside a repository.
    let plain = tempfile::tempdir().expect("tempdir");
    std::fs::copy(root.join(DATA), plain.path().join("small.csv")).expect("copy");
    let mut c = Command::cargo_bin("scalerules").expect("binary");
    let out = c
        .current_dir(plain.path())
        .env(
            "GIT_CEILING_DIRECTORIES",
            plain.path().parent().unwrap_or(plain.path()),
        )
        .args([
            "diff",
            "HEAD:a.scale",
            "HEAD:b.scale",
            "--data",
            "small.csv",
        ])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("failed"));
}

#[test]
fn errors() {
    // Not a file and not REV:path.
    diff()
        .args(["nope.scale", NEW, "--data", DATA])
        .assert()
        .code(2);
    // A rule error in one version: exit 1.
    let dir = tempfile::tempdir().expect("tempdir");
    let bad = dir.path().join("bad.scale");
    std::fs::write(&bad, "service x {\n  replicas 2..\n}\n").expect("write");
    diff()
        .arg(OLD)
        .arg(&bad)
        .args(["--data", DATA])
        .assert()
        .code(1);
}

#[test]
fn json_format_puts_data_errors_on_stderr_as_json() {
    let out = diff()
        .args([OLD, NEW, "--data", "tests/fixtures/snapshot/nope.csv"])
        .args(["--format", "json"])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty());
    let v: serde_json::Value = serde_json::from_slice(&out.stderr).expect("stderr is JSON");
    assert_eq!(v[0]["code"], "E301", "{v}");
    assert_eq!(v[0]["file"], "tests/fixtures/snapshot/nope.csv");
    assert!(v[0]["help"].is_string());
}
