//! `scalerules snapshot` through the real binary: the insta-like review flow on a copy
//! of a small rule file, and the committed snapshots of the examples in `rules/`.

use assert_cmd::Command;
use std::path::{Path, PathBuf};

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/snapshot");

fn snap(dir: &Path) -> Command {
    let mut c = Command::cargo_bin("scalerules").expect("binary");
    c.env("NO_COLOR", "1")
        .env("COLUMNS", "100")
        .current_dir(dir)
        .arg("snapshot");
    c
}

/// A temporary folder holding `small.scale` and `small.csv`.
fn workdir() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    for f in ["small.scale", "small.csv"] {
        std::fs::copy(Path::new(FIXTURES).join(f), dir.path().join(f)).expect("copy");
    }
    dir
}

fn run(c: &mut Command) -> (i32, String, String) {
    let out = c.output().expect("runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn edit_threshold(dir: &Path) {
    let p = dir.join("small.scale");
    let text = std::fs::read_to_string(&p).expect("read");
    assert!(text.contains("p95 > 300ms for 2m"));
    std::fs::write(&p, text.replace("p95 > 300ms for 2m", "p95 > 260ms for 2m")).expect("write");
}

#[test]
fn create_check_change_pending_accept() {
    let dir = workdir();
    let d = dir.path();
    let snap_file = d.join("small.snap");
    let pending = d.join("small.snap.pending");

    // --check before the snapshot exists: fails and says how to create it.
    let (code, out, _) = run(snap(d).args(["--check", "small.scale", "--data", "small.csv"]));
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("small.snap: missing"), "{out}");
    assert!(out.contains("scalerules snapshot --accept small.scale --data small.csv"));
    assert!(!snap_file.exists());

    // Plain mode creates it.
    let (code, out, err) = run(snap(d).args(["small.scale", "--data", "small.csv"]));
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("small.snap: created, 5 decisions"), "{out}");
    let text = std::fs::read_to_string(&snap_file).expect("snapshot written");
    insta::assert_snapshot!("small_snap_file", text);

    // Unchanged: --check passes, with and without --data (taken from the file).
    let (code, out, _) = run(snap(d).args(["--check", "small.scale", "--data", "small.csv"]));
    assert_eq!((code, out.trim()), (0, "small.snap: unchanged"));
    let (code, out, _) = run(snap(d).args(["--check", "small.scale"]));
    assert_eq!((code, out.trim()), (0, "small.snap: unchanged"));

    // Edit a threshold: --check fails with the structural diff and writes nothing.
    edit_threshold(d);
    let (code, out, _) = run(snap(d).args(["--check", "small.scale"]));
    assert_eq!(code, 1, "{out}");
    assert!(!pending.exists(), "--check must not write");
    assert_eq!(std::fs::read_to_string(&snap_file).expect("read"), text);
    insta::assert_snapshot!("small_check_after_threshold_edit", out);

    // Plain mode writes FILE.pending beside it and exits 1; the snapshot is untouched.
    let (code, out, _) = run(snap(d).args(["small.scale"]));
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("wrote small.snap.pending"), "{out}");
    let pending_text = std::fs::read_to_string(&pending).expect("pending written");
    assert!(pending_text.contains("| when p95 > 260ms for 2m"));
    assert_eq!(std::fs::read_to_string(&snap_file).expect("read"), text);

    // --accept writes the new outcome and removes the .pending file.
    let (code, out, _) = run(snap(d).args(["--accept", "small.scale"]));
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("small.snap: accepted, 6 decisions (removed the .pending file)"));
    assert!(!pending.exists());
    assert_eq!(
        std::fs::read_to_string(&snap_file).expect("read"),
        pending_text
    );
    let (code, out, _) = run(snap(d).args(["--check", "small.scale"]));
    assert_eq!((code, out.trim()), (0, "small.snap: unchanged"));
}

#[test]
fn line_diff_and_custom_out() {
    let dir = workdir();
    let d = dir.path();
    let (code, _, _) = run(snap(d).args([
        "small.scale",
        "--data",
        "small.csv",
        "--out",
        "custom/../outcome.snap",
    ]));
    // `custom/` does not exist: an I/O error is a usage error (2), never a panic.
    assert_eq!(code, 2);
    let (code, out, _) = run(snap(d).args([
        "small.scale",
        "--data",
        "small.csv",
        "--out",
        "outcome.snap",
    ]));
    assert_eq!(code, 0, "{out}");
    assert!(d.join("outcome.snap").exists() && !d.join("small.snap").exists());
    edit_threshold(d);
    let (code, out, _) = run(snap(d).args([
        "--check",
        "--line-diff",
        "small.scale",
        "--out",
        "outcome.snap",
    ]));
    assert_eq!(code, 1);
    assert!(out.contains("--- outcome.snap"), "{out}");
    assert!(out.contains("-r1  line=10  fired=5 "), "{out}");
    assert!(out.contains("+r1  line=10  fired=6 "), "{out}");
}

#[test]
fn errors_are_reported_not_panics() {
    let dir = workdir();
    let d = dir.path();
    // No snapshot to take the data from.
    let (code, _, err) = run(snap(d).args(["--check", "small.scale"]));
    assert_eq!(code, 2);
    assert!(err.contains("no --data given"), "{err}");
    // A broken snapshot file: --check fails and shows a line diff.
    std::fs::write(d.join("small.snap"), "not a snapshot\n").expect("write");
    let (code, out, _) = run(snap(d).args(["--check", "small.scale", "--data", "small.csv"]));
    assert_eq!(code, 1);
    assert!(out.contains("cannot read the old snapshot (line 1: not a scalerules snapshot"));
    // A rule file with an error: exit 1.
    std::fs::write(d.join("bad.scale"), "service x {\n  replicas 2..\n}\n").expect("write");
    let (code, _, _) = run(snap(d).args(["bad.scale", "--data", "small.csv"]));
    assert_eq!(code, 1);
    assert!(!d.join("bad.snap").exists());
    // A missing dataset: exit 1 (data error), nothing written.
    let (code, _, _) = run(snap(d).args(["small.scale", "--data", "nope.csv"]));
    assert_ne!(code, 0);
    // --out with several files: usage.
    let (code, _, _) = run(snap(d).args(["a.scale", "b.scale", "--data", "x", "--out", "y"]));
    assert_eq!(code, 2);
}

fn examples() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut v: Vec<PathBuf> = std::fs::read_dir(root.join("rules"))
        .expect("rules/")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "scale"))
        .collect();
    v.sort();
    v
}

/// CI fails when a change to an example's rules is not reviewed: each example has a
/// committed snapshot, and `snapshot --check` passes on it.
#[test]
fn every_example_has_a_committed_snapshot_that_checks() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let files = examples();
    assert!(files.len() >= 4);
    for f in &files {
        let rel = f.strip_prefix(root).expect("under the root");
        let snap_path = f.with_extension("snap");
        assert!(snap_path.exists(), "missing {}", snap_path.display());
        let (code, out, err) = run(snap(root).arg("--check").arg(rel));
        assert_eq!(code, 0, "{}: {out}{err}", rel.display());
    }
}

/// `--format json`: one object per rule file on stdout, diagnostics as JSON on stderr.
#[test]
fn json_format_reports_each_file_and_the_diagnostics() {
    let dir = workdir();
    let json = |c: &mut Command| {
        let (code, out, err) = run(c.args(["--format", "json"]));
        let v: serde_json::Value = serde_json::from_str(&out)
            .unwrap_or_else(|e| panic!("stdout is not JSON ({e}): {out}\nstderr: {err}"));
        (code, v, err)
    };
    let (code, v, _) = json(snap(dir.path()).args(["small.scale", "--data", "small.csv"]));
    assert_eq!(code, 0);
    assert_eq!(v[0]["status"], "created");
    assert_eq!(v[0]["snapshot"], "small.snap");
    assert!(v[0]["decisions"].as_u64().is_some_and(|n| n > 0), "{v}");

    edit_threshold(dir.path());
    let (code, v, _) = json(snap(dir.path()).args(["small.scale", "--check"]));
    assert_eq!(code, 1);
    assert_eq!(v[0]["status"], "changed");
    assert!(
        v[0]["changes"]["decisions"]
            .as_array()
            .is_some_and(|d| !d.is_empty()),
        "{v}"
    );
    assert!(v[0]["accept_command"]
        .as_str()
        .is_some_and(|c| c.starts_with("scalerules snapshot --accept small.scale")));
    assert_eq!(
        v[0]["pending"],
        serde_json::Value::Null,
        "--check writes nothing"
    );

    let (code, v, err) = json(snap(dir.path()).args(["small.scale", "--data", "nope.csv"]));
    assert_eq!(code, 1);
    assert_eq!(v[0]["status"], "error");
    let diags: serde_json::Value = serde_json::from_str(&err).expect("stderr is JSON");
    assert_eq!(diags[0]["code"], "E301", "{diags}");
    assert_eq!(diags[0]["file"], "nope.csv");
}
