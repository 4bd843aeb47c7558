//! `scalerules export` and `kube::policy_of` (IR → `kube::Policy`).
//!
//! - Each `tests/fixtures/export/*.scale` runs through the real binary with the arguments
//!   of its `# export:` header; the snapshot holds the exit status, the YAML and the
//!   diagnostics.
//! - `export(import(y))` through the language: each HPA document of
//!   `tests/fixtures/kube/` imported, printed, compiled and lowered gives back the very
//!   `Policy` import made, so its manifest is the one the import tests compare field by
//!   field with the original.
//! - A property: for a generated expressible policy `x`, `import(export(x))` lowers to
//!   the same IR as `x`.

use assert_cmd::Command;
use proptest::prelude::*;
use scalerules::ir;
use scalerules::kube::export::{self, To};
use scalerules::kube::{import, policy_of, scale_text};

fn run_fixture(path: &std::path::Path) -> String {
    let src = std::fs::read_to_string(path).unwrap();
    let args: Vec<&str> = src
        .lines()
        .next()
        .and_then(|l| l.strip_prefix("# export:"))
        .expect("an `# export:` header")
        .split_whitespace()
        .collect();
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let out = Command::cargo_bin("scalerules")
        .unwrap()
        .current_dir(root)
        .arg("export")
        .args(&args)
        .arg(path.strip_prefix(root).unwrap_or(path))
        .env("NO_COLOR", "1")
        .env("COLUMNS", "100")
        .output()
        .unwrap();
    format!(
        "exit: {}\n--- stdout ---\n{}--- stderr ---\n{}",
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

#[test]
fn fixtures() {
    insta::glob!("fixtures/export/*.scale", |path| {
        insta::assert_snapshot!(run_fixture(path));
    });
}

#[test]
fn output_file_holds_the_yaml() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("checkout.yaml");
    Command::cargo_bin("scalerules")
        .unwrap()
        .args([
            "export",
            "--to",
            "hpa",
            "tests/fixtures/export/hpa-targets.scale",
            "-o",
        ])
        .arg(&out)
        .assert()
        .success();
    let yaml = std::fs::read_to_string(&out).unwrap();
    let back = import(&yaml);
    assert!(!back.has_errors(), "{:?}", back.diagnostics);
    assert_eq!(back.policies.len(), 1);
    assert_eq!(back.policies[0].replicas.max, 40);
}

#[test]
fn inexpressible_constructs_exit_1_without_yaml() {
    let out = Command::cargo_bin("scalerules")
        .unwrap()
        .args([
            "export",
            "--to",
            "keda",
            "tests/fixtures/export/threshold-rules.scale",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(stderr.matches("E413").count(), 4, "{stderr}");
}

/// The policy `policy_of` reads back from `.scale` text.
fn lowered(text: &str) -> (ir::Service, scalerules::kube::Policy, usize) {
    let compiled = scalerules::compile(text, "roundtrip");
    let program = compiled
        .program
        .unwrap_or_else(|| panic!("does not compile: {:?}\n{text}", compiled.diagnostics));
    let service = program.services[0].clone();
    let (policy, diags) = policy_of(&service, text);
    (
        service,
        policy,
        diags.iter().filter(|d| d.is_error()).count(),
    )
}

#[test]
fn export_of_imported_hpas_through_the_language_keeps_the_policy() {
    let mut checked = 0;
    for entry in std::fs::read_dir("tests/fixtures/kube").unwrap() {
        let path = entry.unwrap().path();
        let src = std::fs::read_to_string(&path).unwrap();
        let imported = import(&src);
        if imported.has_errors() || imported.policies.len() != 1 {
            continue;
        }
        let policy = &imported.policies[0];
        if policy.kubernetes.kind != scalerules::kube::policy::ManifestKind::Hpa {
            continue;
        }
        let text = scale_text(&imported.policies);
        let (_, back, errors) = lowered(&text);
        assert_eq!(errors, 0, "{}:\n{text}", path.display());
        // A quantity's suffix style (`2Gi` against `2147483648`) is not a field value.
        let plain = |p: &scalerules::kube::Policy| {
            ["BinarySI", "DecimalSI", "DecimalExponent"]
                .iter()
                .fold(format!("{p:?}"), |s, f| s.replace(f, "_"))
        };
        assert_eq!(plain(&back), plain(policy), "{}:\n{text}", path.display());
        assert!(export::export(&back, To::Hpa).manifest.is_some());
        checked += 1;
    }
    assert!(checked >= 5, "only {checked} manifests were compared");
}

/// What of a lowered service a manifest can carry (spans, lines and the source text of
/// lines aside).
fn essence(s: &ir::Service) -> String {
    let metrics: Vec<_> = s
        .metrics
        .iter()
        .map(|m| (&m.name, &m.source, m.unit, m.per_replica))
        .collect();
    let targets: Vec<_> = s
        .targets
        .iter()
        .flat_map(|t| &t.targets)
        .map(|t| (&t.operand, t.source, t.goal, t.unit, t.activation))
        .collect();
    let behavior = s.targets.as_ref().map(|t| &t.behavior);
    let schedules: Vec<_> = s
        .schedules
        .iter()
        .map(|x| (x.calendar, &x.zone, x.floor, x.ceiling, x.propose))
        .collect();
    format!(
        "{} {}..{} {metrics:?} {targets:?} {behavior:?} {schedules:?}",
        s.name, s.min, s.max
    )
}

/// A generated expressible policy, and the manifest kind that can hold it: schedules
/// (`propose N`, KEDA cron triggers) need a ScaledObject, whose triggers here are `cpu`.
fn policy_text() -> impl Strategy<Value = (String, To)> {
    let target = prop_oneof![
        (1u32..=100).prop_map(|p| format!("target cpu_utilization at {p}%")),
        (1u32..=5000).prop_map(|v| format!("target rps at {v} per replica")),
    ];
    let behavior = proptest::option::of((0u32..=600, 1u32..=10, 1u32..=300).prop_map(
        |(stab, n, period)| {
            format!("behavior in stabilize {stab}s, at most {n} replicas per {period}s, select min")
        },
    ));
    let schedule = proptest::option::of((0u8..24, 0u8..60, 0u8..24, 1u32..=20).prop_map(
        |(h1, m1, h2, n)| {
            format!("schedule weekdays from {h1:02}:{m1:02} to {h2:02}:00 in UTC propose {n}")
        },
    ));
    (1u32..=5, 0u32..=50, target, behavior, schedule).prop_map(|(min, extra, t, b, s)| {
        let to = if s.is_some() { To::Keda } else { To::Hpa };
        let t = if to == To::Keda && t.contains("rps") {
            "target cpu_utilization at 50%".to_string()
        } else {
            t
        };
        let (metric, source) = if t.contains("cpu_utilization") {
            ("metric cpu_utilization in %", "metric cpu_utilization: resource cpu")
        } else {
            ("metric rps per replica", "metric rps: pods \"rps\"")
        };
        let mut text = format!(
            "service web {{\n  replicas {min}..{}\n  {metric}\n\n  {t}\n",
            min + extra
        );
        for line in [b, s].into_iter().flatten() {
            text.push_str(&format!("  {line}\n"));
        }
        let kind = if to == To::Keda { "keda" } else { "hpa" };
        text.push_str(&format!(
            "\n  kubernetes {{\n    {kind} \"web\"\n    scale Deployment \"web\"\n    {source}\n  }}\n}}\n"
        ));
        (text, to)
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]
    #[test]
    fn import_of_export_lowers_to_the_same_ir((text, to) in policy_text()) {
        let (service, policy, errors) = lowered(&text);
        prop_assert_eq!(errors, 0);
        let exported = export::export(&policy, to);
        prop_assert!(exported.manifest.is_some(), "{:?}\n{}", exported.diagnostics, text);
        let manifest = exported.manifest.unwrap();
        let yaml = export::to_yaml(&[manifest]);
        let imported = import(&yaml);
        prop_assert!(!imported.has_errors(), "{:?}", imported.diagnostics);
        let back_text = scale_text(&imported.policies);
        let (back, _, _) = lowered(&back_text);
        prop_assert_eq!(essence(&service), essence(&back), "{}\n{}\n{}", text, yaml, back_text);
    }
}
