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

/// Every policy `policy_of` reads back from `.scale` text, and its error count.
fn lowered_all(text: &str) -> Result<Vec<(scalerules::kube::Policy, Vec<String>)>, String> {
    let compiled = scalerules::compile(text, "roundtrip");
    let Some(program) = compiled.program else {
        let codes: Vec<_> = compiled
            .diagnostics
            .iter()
            .map(|d| format!("{} {}", d.code, d.message))
            .collect();
        return Err(format!("does not compile: {codes:?}"));
    };
    Ok(program
        .services
        .iter()
        .map(|service| {
            let (policy, diags) = policy_of(service, text);
            let errors = diags
                .iter()
                .filter(|d| d.is_error())
                .map(|d| format!("{} {}", d.code, d.message))
                .collect();
            (policy, errors)
        })
        .collect())
}

/// `export(import(y))` through the language: every autoscaler document of every fixture
/// that imports without an error (HPA and KEDA, multi-document files included), printed
/// as `.scale`, compiled and lowered, gives back the very `Policy` import made, so its
/// manifest is the one `kube_import` compares field by field with the original.
/// ScaledObjects with `minReplicaCount: 0` or an `idleReplicaCount` come back through
/// their `idle` line like every other field.
#[test]
fn export_of_imported_manifests_through_the_language_keeps_the_policy() {
    let mut checked = 0;
    let mut idle = 0;
    let mut failures = Vec::new();
    let mut paths: Vec<_> = std::fs::read_dir("tests/fixtures/kube")
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    paths.push("rules/checkout-hpa.yaml".into());
    paths.sort();
    for path in paths {
        let src = std::fs::read_to_string(&path).unwrap();
        let imported = import(&src);
        if imported.has_errors() {
            // The deliberately broken fixtures (`broken-*.yaml`).
            continue;
        }
        idle += imported
            .policies
            .iter()
            .filter(|p| p.idle.is_some())
            .count();
        let text = scale_text(&imported.policies);
        let back = match lowered_all(&text) {
            Ok(back) => back,
            Err(e) => {
                failures.push(format!("{}: {e}\n{text}", path.display()));
                continue;
            }
        };
        assert_eq!(back.len(), imported.policies.len(), "{}", path.display());
        // A quantity's suffix style (`2Gi` against `2147483648`) is not a field value.
        let plain = |p: &scalerules::kube::Policy| {
            ["BinarySI", "DecimalSI", "DecimalExponent"]
                .iter()
                .fold(format!("{p:#?}"), |s, f| s.replace(f, "_"))
        };
        for (policy, (back, errors)) in imported.policies.iter().zip(&back) {
            if !errors.is_empty() {
                failures.push(format!("{} {}: {errors:?}", path.display(), policy.service));
                continue;
            }
            if plain(back) != plain(policy) {
                failures.push(format!(
                    "{} {}:\n{}",
                    path.display(),
                    policy.service,
                    differing_lines(&plain(policy), &plain(back))
                ));
                continue;
            }
            let to = match policy.kubernetes.kind {
                scalerules::kube::policy::ManifestKind::Hpa => To::Hpa,
                scalerules::kube::policy::ManifestKind::Keda => To::Keda,
            };
            let exported = export::export(back, to);
            assert!(exported.manifest.is_some(), "{:?}", exported.diagnostics);
            checked += 1;
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
    // 18 documents in 13 files, 3 of them ScaledObjects with `idle`.
    assert_eq!((checked, idle), (18, 3));
}

/// The lines of `a` and `b` that differ, `-`/`+` marked.
fn differing_lines(a: &str, b: &str) -> String {
    let (a, b): (Vec<_>, Vec<_>) = (a.lines().collect(), b.lines().collect());
    let mut out = String::new();
    for i in 0..a.len().max(b.len()) {
        let (x, y) = (a.get(i), b.get(i));
        if x != y {
            out.push_str(&format!(
                "  line {i}: - {}\n          + {}\n",
                x.unwrap_or(&""),
                y.unwrap_or(&"")
            ));
        }
    }
    out
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
    let idle = s
        .idle
        .as_ref()
        .map(|i| (i.to, i.after_written, i.check_every_written));
    format!(
        "{} {}..{} {metrics:?} {targets:?} {behavior:?} {schedules:?} {idle:?}",
        s.name, s.min, s.max
    )
}

/// A generated expressible policy, and the manifest kind that can hold it: schedules
/// (`propose N`, KEDA cron triggers) need a ScaledObject, whose triggers here are `cpu`
/// and, optionally, a `prometheus` query with KEDA's own `kubernetes { }` lines (trigger
/// name, timing, fallback) or an `idle` line (which then carries the timing).
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
            // A window from a time to the same time is empty (E124): move its end.
            let h2 = if (h1, m1) == (h2, 0) {
                (h2 + 1) % 24
            } else {
                h2
            };
            format!("schedule weekdays from {h1:02}:{m1:02} to {h2:02}:00 in UTC propose {n}")
        },
    ));
    (
        1u32..=5,
        0u32..=50,
        target,
        behavior,
        schedule,
        keda_extras(),
    )
        .prop_map(|(min, extra, t, b, s, k)| {
            let to = if s.is_some() { To::Keda } else { To::Hpa };
            let t = if to == To::Keda && t.contains("rps") {
                "target cpu_utilization at 50%".to_string()
            } else {
                t
            };
            let (metric, source) = if t.contains("cpu_utilization") {
                (
                    "metric cpu_utilization in %",
                    "metric cpu_utilization: resource cpu",
                )
            } else {
                ("metric rps per replica", "metric rps: pods \"rps\"")
            };
            let mut metrics = vec![metric.to_string()];
            let mut targets = vec![t];
            let mut block = vec![source.to_string()];
            if to == To::Keda {
                metrics.extend(k.metric);
                targets.extend(k.target);
                block.extend(k.lines);
                // An idle count below the minimum (`idleReplicaCount`).
                if let Some((n, after, check)) = k.idle {
                    let mut line = format!("idle to {}", n % min);
                    if let Some(a) = after {
                        line.push_str(&format!(" after {a}s"));
                    }
                    if let Some(c) = check {
                        line.push_str(&format!(", check every {c}s"));
                    }
                    targets.push(line);
                }
            }
            let mut text = format!("service web {{\n  replicas {min}..{}\n", min + extra);
            for line in metrics {
                text.push_str(&format!("  {line}\n"));
            }
            text.push('\n');
            for line in targets.into_iter().chain([b, s].into_iter().flatten()) {
                text.push_str(&format!("  {line}\n"));
            }
            let kind = if to == To::Keda { "keda" } else { "hpa" };
            text.push_str(&format!(
                "\n  kubernetes {{\n    {kind} \"web\"\n    scale Deployment \"web\"\n"
            ));
            for line in block {
                text.push_str(&format!("    {line}\n"));
            }
            text.push_str("  }\n}\n");
            (text, to)
        })
}

/// What a ScaledObject adds: an optional prometheus target and `kubernetes` lines.
#[derive(Debug)]
struct KedaExtras {
    metric: Option<String>,
    target: Option<String>,
    lines: Vec<String>,
    /// `idle to (n % min) [after A s][, check every C s]`, only without `keda polling`.
    idle: Option<(u32, Option<u32>, Option<u32>)>,
}

fn keda_extras() -> impl Strategy<Value = KedaExtras> {
    let prometheus = proptest::option::of((
        1u32..=5000,
        proptest::option::of(1u32..=50),
        any::<bool>(),
        proptest::option::of("[a-z]{1,6}(-[a-z]{1,6})?"),
    ));
    let timing = proptest::option::of((1u32..=120, 0u32..=3600));
    let fallback = proptest::option::of((1u32..=10, 1u32..=20));
    let idle = proptest::option::of((
        0u32..=4,
        proptest::option::of(0u32..=3600),
        proptest::option::of(1u32..=120),
    ));
    (prometheus, timing, fallback, idle).prop_map(|(prom, timing, fallback, idle)| {
        let mut k = KedaExtras {
            metric: None,
            target: None,
            lines: Vec::new(),
            // With `idle`, import puts the timing on the `idle` line.
            idle: idle.filter(|_| timing.is_none()),
        };
        if let Some((value, active, total, name)) = prom {
            k.metric = Some("metric queue".into());
            let per = if total { "" } else { " per replica" };
            let active = active.map(|a| format!(", active above {a}")).unwrap_or_default();
            k.target = Some(format!("target queue at {value}{per}{active}"));
            k.lines.push(
                "metric queue: prometheus \"http://prometheus:9090\" query \"sum(queue{q=\\\"a\\\"})\""
                    .into(),
            );
            if let Some(name) = name {
                k.lines.push(format!("trigger queue name \"{name}\""));
            }
        }
        if let Some((polling, cooldown)) = timing {
            k.lines.push(format!("keda polling {polling}s, cooldown {cooldown}s"));
        }
        if let Some((failures, replicas)) = fallback {
            k.lines.push(format!("keda fallback {failures} failures, {replicas} replicas"));
        }
        k
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]
    #[test]
    fn import_of_export_lowers_to_the_same_ir_and_block((text, to) in policy_text()) {
        let (service, policy, errors) = lowered(&text);
        prop_assert_eq!(errors, 0);
        let exported = export::export(&policy, to);
        prop_assert!(exported.manifest.is_some(), "{:?}\n{}", exported.diagnostics, text);
        let manifest = exported.manifest.unwrap();
        let yaml = export::to_yaml(&[manifest]);
        let imported = import(&yaml);
        prop_assert!(!imported.has_errors(), "{:?}", imported.diagnostics);
        let back_text = scale_text(&imported.policies);
        let (back, back_policy, _) = lowered(&back_text);
        prop_assert_eq!(essence(&service), essence(&back), "{}\n{}\n{}", text, yaml, back_text);
        // The `kubernetes { }` block comes back too (names, sources, KEDA's fields).
        prop_assert_eq!(
            format!("{:?}", back_policy.kubernetes),
            format!("{:?}", policy.kubernetes),
            "{}\n{}\n{}",
            text,
            yaml,
            back_text
        );
    }
}
