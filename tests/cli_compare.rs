//! `scalerules compare`: the three strategy examples of rules/ on the bundled data,
//! through the real binary (docs/strategies.md).

use assert_cmd::Command;

fn bin() -> Command {
    let mut c = Command::cargo_bin("scalerules").expect("binary");
    c.current_dir(env!("CARGO_MANIFEST_DIR"));
    c
}

const STRATEGIES: [&str; 3] = [
    "rules/horizontal.scale",
    "rules/vertical.scale",
    "rules/hybrid.scale",
];

#[test]
fn json_has_a_column_per_policy_the_baselines_once_and_the_winners() {
    let out = bin()
        .arg("compare")
        .args(STRATEGIES)
        .args(["--data", "datasets/checkout.csv", "--format", "json"])
        .output()
        .expect("runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let p = v["policies"].as_array().expect("policies");
    let labels: Vec<&str> = p.iter().filter_map(|x| x["label"].as_str()).collect();
    assert_eq!(labels, ["horizontal", "vertical", "hybrid"]);
    // The horizontal policy has no ladder: no vertical scores; the others do.
    assert!(p[0]["scores"]["vertical.size_ups"].is_null());
    assert!(p[1]["scores"]["vertical.size_ups"]
        .as_f64()
        .is_some_and(|n| n > 0.0));
    assert!(p[2]["scores"]["vertical.restart_replica_minutes"]
        .as_f64()
        .is_some_and(|n| n > 0.0));
    // The vertical policy never changes its count.
    assert_eq!(p[1]["scores"]["thrashing.scale_outs"].as_f64(), Some(0.0));
    assert_eq!(p[1]["scores"]["cost.peak_replicas"].as_f64(), Some(4.0));
    // Baselines once, from one policy.
    assert!(v["baselines"]["oracle"]["cost"]["replica_hours"]
        .as_f64()
        .is_some());
    assert!(v["baselines"]["from"].is_string());
    // Each ranked score names its winners; the headline verdicts are there.
    let w = v["winners"].as_object().expect("winners");
    assert!(
        w.contains_key("cost.cost") && w.contains_key("sla.breach_minutes"),
        "{w:?}"
    );
    assert!(!w.keys().any(|k| k.starts_with("elasticity.")), "{w:?}");
    for k in ["cost", "SLA", "thrashing"] {
        assert!(v["best"][k].is_string(), "{v}");
    }
}

#[test]
fn the_table_marks_winners_and_the_plot_overlays_every_capacity_line() {
    let dir = tempfile::tempdir().expect("tempdir");
    let svg = dir.path().join("strategies.svg");
    let out = bin()
        .arg("compare")
        .args(STRATEGIES)
        .args(["--data", "datasets/checkout.csv", "--plot"])
        .arg(&svg)
        .output()
        .expect("runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let table = String::from_utf8_lossy(&out.stdout);
    assert!(table.contains("| score"), "{table}");
    assert!(table.contains(" *"), "{table}");
    assert!(table.contains("best on cost: "), "{table}");
    let s = std::fs::read_to_string(&svg).expect("svg written");
    for l in ["horizontal", "vertical", "hybrid"] {
        assert!(
            s.contains(&format!("data-name=\"{l} (ready capacity)\"")),
            "{l}"
        );
    }
    assert!(s.contains("data-name=\"demand\""));
}

#[test]
fn one_policy_is_a_usage_error() {
    let out = bin()
        .args([
            "compare",
            "rules/hybrid.scale",
            "--data",
            "datasets/checkout.csv",
        ])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2));
}

/// `diff` of two vertical policies names the sizes of the resizes that changed.
#[test]
fn diff_shows_the_sizes_of_resizes() {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let src = std::fs::read_to_string(root.join("rules/vertical.scale")).expect("read");
    let slower = src.replace("scale up\n", "scale up, cooldown 5m\n");
    assert_ne!(src, slower);
    let new = dir.path().join("vertical-slower.scale");
    std::fs::write(&new, slower).expect("write");
    let out = bin()
        .args(["diff", "rules/vertical.scale"])
        .arg(&new)
        .args(["--data", "datasets/checkout.csv"])
        .output()
        .expect("runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("up medium -> large"), "{text}");
}
