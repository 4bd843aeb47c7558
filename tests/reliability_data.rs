//! Every file the data commands write survives a failure half-way: timelines (CSV and
//! Parquet), charts, snapshots and `--accept`, diff charts and generated datasets go
//! through `files::write_atomic` (docs/reliability.md). The binary runs with file
//! writes limited to 0 bytes, so each write fails after its file was created.

use std::path::Path;

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/snapshot");

/// Runs the binary in `dir` with regular-file writes failing (EFBIG, SIGXFSZ ignored).
fn starved(dir: &Path, args: &[&str]) -> std::process::Output {
    std::process::Command::new("sh")
        .arg("-c")
        .arg("trap '' XFSZ; ulimit -f 0; exec \"$0\" \"$@\"")
        .arg(assert_cmd::cargo::cargo_bin("scalerules"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .output()
        .expect("runs")
}

fn scalerules(dir: &Path, args: &[&str]) -> std::process::Output {
    std::process::Command::new(assert_cmd::cargo::cargo_bin("scalerules"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .output()
        .expect("runs")
}

/// A folder with `small.scale`, `small-260ms.scale`, `small.csv` and a `previous` file
/// at each output path.
fn workdir(outputs: &[&str]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    for f in ["small.scale", "small-260ms.scale", "small.csv"] {
        std::fs::copy(Path::new(FIXTURES).join(f), dir.path().join(f)).expect("copy");
    }
    for o in outputs {
        std::fs::write(dir.path().join(o), "previous").expect("write");
    }
    dir
}

/// Each output still says `previous` and nothing else was left in the folder.
fn assert_intact(dir: &Path, outputs: &[&str], out: &std::process::Output) {
    assert!(!out.status.success(), "the write should fail: {out:?}");
    for o in outputs {
        let text = std::fs::read_to_string(dir.join(o)).expect("read");
        assert_eq!(text, "previous", "{o}");
    }
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .expect("read_dir")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with('.'))
        .collect();
    names.sort();
    assert!(names.is_empty(), "temporary files left: {names:?}");
}

#[test]
fn backtest_timelines_and_charts() {
    for outputs in [["tl.csv", "chart.svg"], ["tl.parquet", "chart.svg"]] {
        let dir = workdir(&outputs);
        let d = dir.path();
        for (flag, output) in [("--timeline", outputs[0]), ("--plot", outputs[1])] {
            let args = [
                "backtest",
                "small.scale",
                "--data",
                "small.csv",
                flag,
                output,
            ];
            let out = starved(d, &args);
            assert_intact(d, &[output], &out);
            // With room to write, the same command replaces the file.
            assert!(scalerules(d, &args).status.success());
        }
        assert_ne!(
            std::fs::read(d.join(outputs[0])).expect("read"),
            b"previous"
        );
        assert_ne!(
            std::fs::read(d.join(outputs[1])).expect("read"),
            b"previous"
        );
    }
}

#[test]
fn diff_charts() {
    let dir = workdir(&["overlay.svg"]);
    let d = dir.path();
    let args = [
        "diff",
        "small.scale",
        "small-260ms.scale",
        "--data",
        "small.csv",
        "--plot",
        "overlay.svg",
    ];
    assert_intact(d, &["overlay.svg"], &starved(d, &args));
    assert!(scalerules(d, &args).status.success());
}

#[test]
fn snapshots_and_accept() {
    let dir = workdir(&["small.snap"]);
    let d = dir.path();
    // Creating or accepting over an old snapshot: the old one survives a failed write.
    let out = starved(
        d,
        &["snapshot", "--accept", "small.scale", "--data", "small.csv"],
    );
    assert_intact(d, &["small.snap"], &out);
    let out = scalerules(
        d,
        &["snapshot", "--accept", "small.scale", "--data", "small.csv"],
    );
    assert!(out.status.success(), "{out:?}");
    let accepted = std::fs::read_to_string(d.join("small.snap")).expect("read");
    // A pending snapshot after an edit: its write fails, the accepted one is untouched.
    let text = std::fs::read_to_string(d.join("small.scale")).expect("read");
    std::fs::write(
        d.join("small.scale"),
        text.replace("p95 > 300ms", "p95 > 260ms"),
    )
    .expect("edit");
    let out = starved(d, &["snapshot", "small.scale"]);
    assert!(!out.status.success());
    assert_eq!(
        std::fs::read_to_string(d.join("small.snap")).expect("read"),
        accepted
    );
    assert!(!d.join("small.snap.pending").exists());
}

#[test]
fn generated_datasets() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    let out = scalerules(d, &["datasets", "generate", "--out", "."]);
    assert!(out.status.success(), "{out:?}");
    let mut files: Vec<_> = std::fs::read_dir(d)
        .expect("read_dir")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    assert!(!files.is_empty());
    for f in &files {
        std::fs::write(f, "previous").expect("write");
    }
    let out = starved(d, &["datasets", "generate", "--out", "."]);
    let names: Vec<String> = files
        .iter()
        .map(|f| f.file_name().expect("name").to_string_lossy().into_owned())
        .collect();
    let names: Vec<&str> = names.iter().map(String::as_str).collect();
    assert_intact(d, &names, &out);
}

/// A CSV at one-second steps: `rows` rows from 0, then (with `gap_s`) `rows` more after
/// a gap.
fn one_second_data(dir: &Path, name: &str, rows: i64, gap_s: Option<i64>) {
    let mut text = String::from("timestamp,rps,lat\n");
    let mut push =
        |t: i64| text.push_str(&format!("{},{},{}\n", 1_772_409_600 + t, 50 + t % 7, 120));
    for t in 0..rows {
        push(t);
    }
    if let Some(g) = gap_s {
        for t in 0..rows {
            push(rows + g + t);
        }
    }
    std::fs::write(dir.join(name), text).expect("write");
}

const MODEL: &str = "metric rps in rps\nmetric lat in ms\n\
                     model {\n  demand rps\n  capacity 100 rps per replica\n  startup 30s\n}\n";

/// Bounded or refused before work: a `p99` over a year of one-second data (E357), a
/// 12-hour gap (filled, completes) and a million replicas (completes).
#[test]
fn bounded_resources_in_backtests() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    one_second_data(d, "1s.csv", 120, None);
    std::fs::write(
        d.join("year.scale"),
        format!("replicas 1..10\n{MODEL}when p99(lat, 365d) > 300ms scale out by 1\n"),
    )
    .expect("write");
    let out = scalerules(d, &["backtest", "year.scale", "--data", "1s.csv"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("E357"), "{err}");
    assert!(
        err.contains("`p99(lat, 365d)` would hold 31536001 samples at one every 1s"),
        "{err}"
    );
    // Resampled to a coarser tick, the same policy runs.
    let out = scalerules(
        d,
        &[
            "backtest",
            "year.scale",
            "--data",
            "1s.csv",
            "--tick",
            "60s",
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    one_second_data(d, "gap.csv", 120, Some(12 * 3600));
    std::fs::write(
        d.join("gap.scale"),
        format!("replicas 1..10\n{MODEL}when avg(rps, 5m) > 80 rps scale out by 1\n"),
    )
    .expect("write");
    let out = scalerules(
        d,
        &[
            "backtest",
            "gap.scale",
            "--data",
            "gap.csv",
            "--format",
            "json",
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    std::fs::write(
        d.join("million.scale"),
        format!(
            "replicas 1..1000000\n{MODEL}when rps > 52 rps scale to 1000000\nwhen rps < 51 rps for 10s scale in by 1\n"
        ),
    )
    .expect("write");
    let out = scalerules(
        d,
        &[
            "backtest",
            "million.scale",
            "--data",
            "1s.csv",
            "--format",
            "json",
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert!(report.to_string().contains("1000000"), "{report}");
}

/// polars' CSV reader panics on an unterminated quote in a typed column (found by fuzzing
/// the loader, docs/reliability.md); the loader catches it and reports the file, and the
/// panic's message and backtrace never reach the terminal.
#[test]
fn a_panicking_polars_read_is_a_data_error_without_a_panic_message() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(
        dir.path().join("broken.csv"),
        "timestamp,rps,note\n2026-03-02T14:00:,oops,\ndeploy\nstarted\"\n\
         2026-03-02T14:01:00Z,2,\n2026-03-02T14:02:00Z00Z,1,\"",
    )
    .expect("write");
    std::fs::write(
        dir.path().join("p.scale"),
        "service s {\n  replicas 1..5\n  metric rps in rps\n  metric note in count\n  \
         when rps > 80 and note > 1 scale out by 1\n  model {\n    demand rps\n    \
         capacity 10 rps per replica\n  }\n}\n",
    )
    .expect("write");
    let out = std::process::Command::new(assert_cmd::cargo::cargo_bin("scalerules"))
        .args(["backtest", "p.scale", "--data", "broken.csv"])
        .current_dir(dir.path())
        .env("NO_COLOR", "1")
        .env("RUST_BACKTRACE", "1")
        .output()
        .expect("runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("E301") && stderr.contains("broken.csv"),
        "{stderr}"
    );
    assert!(!stderr.contains("panicked"), "{stderr}");
}
