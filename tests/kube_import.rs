//! `scalerules::kube`: importing HorizontalPodAutoscaler and KEDA ScaledObject manifests
//! into `.scale` text, and writing them back.
//!
//! - Each `tests/fixtures/kube/*.yaml` has one snapshot: the imported `.scale` text, the
//!   diagnostics, and the manifests export writes back. Its `# expect: CODE line N`
//!   headers list every diagnostic it must produce, no more, no less.
//! - `export(import(y))` keeps every field of every document that imports without an
//!   error: the trees are compared field by field (not as text).
//! - The quantity parser's edges, and round trips as properties.

use proptest::prelude::*;
use scalerules::kube::export::{self, To};
use scalerules::kube::manifest::{self, Manifest, Read};
use scalerules::kube::policy::{Days, Hm, ManifestKind, Policy, Window};
use scalerules::kube::quantity::{Dec, Format, Quantity};
use scalerules::kube::yaml::{self, Node, Value};
use scalerules::kube::{cron, import, scale_text, ImportDiagnostic};
use std::path::Path;

fn kind_of(p: &Policy) -> To {
    match p.kubernetes.kind {
        ManifestKind::Hpa => To::Hpa,
        ManifestKind::Keda => To::Keda,
    }
}

/// The snapshot text of one fixture.
fn render(src: &str) -> String {
    let imported = import(src);
    let mut out = scale_text(&imported.policies);
    out.push_str("\n--- diagnostics ---\n");
    for d in &imported.diagnostics {
        out.push_str(&format!("{d}\n"));
    }
    if imported.diagnostics.is_empty() {
        out.push_str("(none)\n");
    }
    if !imported.has_errors() {
        out.push_str("\n--- export ---\n");
        for p in &imported.policies {
            let e = export::export(p, kind_of(p));
            match e.manifest {
                Some(m) => out.push_str(&export::to_yaml(&[m])),
                None => {
                    for d in e.diagnostics {
                        out.push_str(&format!("{d}\n"));
                    }
                }
            }
            out.push_str("---\n");
        }
    }
    out
}

/// `# expect: CODE line N` headers.
fn expectations(src: &str) -> Vec<(String, usize)> {
    let mut out: Vec<(String, usize)> = src
        .lines()
        .filter_map(|l| l.trim().strip_prefix("# expect:"))
        .filter_map(|e| {
            let mut w = e.split_whitespace();
            let code = w.next()?.to_string();
            let line = w.nth(1)?.parse().ok()?;
            Some((code, line))
        })
        .collect();
    out.sort();
    out
}

fn found(diags: &[ImportDiagnostic]) -> Vec<(String, usize)> {
    let mut out: Vec<(String, usize)> =
        diags.iter().map(|d| (d.code.to_string(), d.line)).collect();
    out.sort();
    out
}

#[test]
fn fixtures() {
    insta::glob!("fixtures/kube/*.yaml", |path| {
        let src = std::fs::read_to_string(path).unwrap();
        let imported = import(&src);
        assert_eq!(
            found(&imported.diagnostics),
            expectations(&src),
            "{}: diagnostics differ from the `# expect:` headers:\n{}",
            path.display(),
            imported
                .diagnostics
                .iter()
                .map(|d| d.to_string())
                .collect::<Vec<_>>()
                .join("\n")
        );
        insta::assert_snapshot!(render(&src));
    });
}

// ----- export(import(y)) keeps every field ---------------------------------------------

/// API defaults that export writes out although the manifest left them out: (kind, path
/// as printed, value).
const DEFAULTED: &[(&str, &str, &str)] = &[
    ("HorizontalPodAutoscaler", "spec.minReplicas", "1"),
    ("ScaledObject", "spec.minReplicaCount", "0"),
    ("ScaledObject", "spec.maxReplicaCount", "100"),
];

/// Whether export added this field as the API default the manifest left out.
fn is_defaulted(kind: &str, path: &str, value: &str, metrics_defaulted: bool) -> bool {
    let listed = DEFAULTED
        .iter()
        .any(|(k, p, v)| *k == kind && *p == path && *v == value);
    listed || (metrics_defaulted && path == "spec.metrics")
}

fn scalar_eq(a: &yaml::Scalar, b: &yaml::Scalar) -> bool {
    if a.text == b.text {
        return true;
    }
    // A quantity written `"25"`, `25` or `25000m` is the same field value.
    matches!((Quantity::parse(&a.text), Quantity::parse(&b.text)), (Ok(x), Ok(y)) if x.value == y.value)
}

/// Every field of `a` that `b` lacks or has with another value, and every field `b` adds,
/// as printed paths.
fn differences(
    a: &Node,
    b: &Node,
    path: &str,
    missing: &mut Vec<String>,
    extra: &mut Vec<(String, String)>,
) {
    match (&a.value, &b.value) {
        (Value::Scalar(x), Value::Scalar(y)) => {
            if !scalar_eq(x, y) {
                missing.push(format!("{path} = {} (exported: {})", x.text, y.text));
            }
        }
        (Value::Seq(xs), Value::Seq(ys)) => {
            for (i, x) in xs.iter().enumerate() {
                match ys.get(i) {
                    Some(y) => differences(x, y, &format!("{path}[{i}]"), missing, extra),
                    None => missing.push(format!("{path}[{i}]")),
                }
            }
            for i in xs.len()..ys.len() {
                extra.push((format!("{path}[{i}]"), String::new()));
            }
        }
        (Value::Map(xs), Value::Map(ys)) => {
            let sep = if path.is_empty() { "" } else { "." };
            for x in xs.iter().filter(|e| !e.value.is_null()) {
                let p = format!("{path}{sep}{}", x.key);
                match ys.iter().find(|y| y.key == x.key) {
                    Some(y) => differences(&x.value, &y.value, &p, missing, extra),
                    None => missing.push(p),
                }
            }
            for y in ys
                .iter()
                .filter(|y| !xs.iter().any(|x| x.key == y.key && !x.value.is_null()))
            {
                let text = y.value.scalar().map(|s| s.text.clone()).unwrap_or_default();
                extra.push((format!("{path}{sep}{}", y.key), text));
            }
        }
        _ => missing.push(format!("{path} (another kind of value)")),
    }
}

#[test]
fn export_of_import_keeps_every_field() {
    let mut checked = 0;
    for entry in std::fs::read_dir("tests/fixtures/kube").unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "yaml") {
            continue;
        }
        let src = std::fs::read_to_string(&path).unwrap();
        checked += round_trip_file(&path, &src);
    }
    checked += round_trip_file(
        Path::new("rules/checkout-hpa.yaml"),
        &std::fs::read_to_string("rules/checkout-hpa.yaml").unwrap(),
    );
    assert!(checked >= 15, "only {checked} documents were compared");
}

/// Compares each autoscaler document of a file that imports without errors with its
/// export; returns how many were compared.
fn round_trip_file(path: &Path, src: &str) -> usize {
    let docs = yaml::parse_stream(src);
    let Ok(docs) = docs else { return 0 };
    let mut n = 0;
    for doc in docs {
        let mut diags = Vec::new();
        if !matches!(
            manifest::read_document(&doc.root, &mut diags),
            Read::Manifest(_)
        ) {
            continue;
        }
        let text = yaml::emit_stream(std::slice::from_ref(&doc.root));
        let imported = import(&text);
        // A cron trigger split in several schedule lines comes back as several triggers
        // (W408 says so; the snapshot shows them).
        if imported.has_errors() || imported.diagnostics.iter().any(|d| d.code == "W408") {
            continue;
        }
        // Fields a warning names as not kept (unknown, server-set, another API version)
        // are allowed to differ there.
        let dropped: Vec<String> = imported
            .diagnostics
            .iter()
            .filter(|d| ["W401", "W402", "W409"].contains(&d.code.as_str()))
            .map(|d| d.path.clone())
            .collect();
        let policy = &imported.policies[0];
        let exported = export::export(policy, kind_of(policy));
        let manifest = exported
            .manifest
            .unwrap_or_else(|| panic!("{}: {:?}", path.display(), exported.diagnostics));
        let back = export::node(&manifest);
        let (mut missing, mut extra) = (Vec::new(), Vec::new());
        differences(&doc.root, &back, "", &mut missing, &mut extra);
        missing.retain(|m| !dropped.iter().any(|d| m.starts_with(d.as_str())));
        let kind = match manifest {
            Manifest::Hpa(_) => "HorizontalPodAutoscaler",
            Manifest::Keda(_) => "ScaledObject",
        };
        let metrics_defaulted = imported.diagnostics.iter().any(|d| d.code == "W403");
        extra.retain(|(p, v)| !is_defaulted(kind, p, v, metrics_defaulted));
        assert!(
            missing.is_empty() && extra.is_empty(),
            "{} ({}): export(import(y)) lost {missing:?}, added {extra:?}",
            path.display(),
            policy.service
        );
        n += 1;
    }
    n
}

#[test]
fn diagnostics_carry_the_byte_span_of_their_field() {
    let src = std::fs::read_to_string("tests/fixtures/kube/broken-fields.yaml").unwrap();
    let imported = import(&src);
    let quoted = imported
        .diagnostics
        .iter()
        .find(|d| d.code == "E404")
        .unwrap();
    assert_eq!(quoted.path, "spec.minReplicas");
    assert_eq!(&src[quoted.span.start..quoted.span.end], "\"3\"");
    let typo = imported
        .diagnostics
        .iter()
        .find(|d| d.code == "W401")
        .unwrap();
    assert_eq!(&src[typo.span.start..typo.span.end], "minReplica");
    let missing = imported
        .diagnostics
        .iter()
        .find(|d| d.code == "E403")
        .unwrap();
    assert!(src[missing.span.start..missing.span.end].starts_with("object:"));
}

#[test]
fn a_policy_without_targets_has_no_manifest() {
    let imported =
        import(&std::fs::read_to_string("tests/fixtures/kube/broken-keda.yaml").unwrap());
    let policy = &imported.policies[0];
    assert!(policy.targets.is_empty());
    for to in [To::Hpa, To::Keda] {
        let out = export::export(policy, to);
        assert!(out.manifest.is_none());
        assert!(
            out.diagnostics
                .iter()
                .any(|d| d.code == "E413" && d.path == "service"),
            "{:?}",
            out.diagnostics
        );
    }
}

// ----- the bundled checkout HPA ------------------------------------------------------------

#[test]
fn checkout_hpa_imports_cleanly_onto_the_dataset() {
    let src = std::fs::read_to_string("rules/checkout-hpa.yaml").unwrap();
    let imported = import(&src);
    assert!(
        imported.diagnostics.is_empty(),
        "{:?}",
        imported.diagnostics
    );
    insta::assert_snapshot!("checkout_hpa", scale_text(&imported.policies));
    let header = std::fs::read_to_string("datasets/checkout.csv").unwrap();
    let columns: Vec<&str> = header.lines().next().unwrap().split(',').collect();
    let policy = &imported.policies[0];
    let absent: Vec<&str> = policy
        .metrics
        .iter()
        .map(|m| m.column())
        .filter(|c| !columns.contains(c))
        .collect();
    // The dataset records CPU as `cpu_pct`; an imported CPU target reads
    // `cpu_utilization` (the naming rule), which the backtest phase derives or the
    // dataset gains. Every other metric reads a column that exists.
    assert_eq!(absent, ["cpu_utilization"]);
}

// ----- quantities ------------------------------------------------------------------------

#[test]
fn quantities_at_their_edges() {
    let value = |s: &str| Quantity::parse(s).map(|q| q.value.to_string());
    assert_eq!(value("0").unwrap(), "0");
    assert_eq!(value("-0.5").unwrap(), "-0.5");
    assert_eq!(value("1n").unwrap(), "0.000000001");
    assert_eq!(value("999999999999999999999999999999").unwrap().len(), 30);
    assert_eq!(value("8Ei").unwrap(), "9223372036854775808");
    assert_eq!(value("1.5e-3").unwrap(), "0.0015");
    assert!(value("1.5Mi").is_ok());
    assert!(
        Quantity::parse("9999999999999999999999999999999").is_err(),
        "31 digits"
    );
    assert!(Quantity::parse("0.1n").is_err(), "finer than 1n");
    assert!(Quantity::parse("1e-10").is_err(), "finer than 1n");
    assert!(Quantity::parse("5 m").is_err());
    assert!(Quantity::parse("+").is_err());
    assert!(Quantity::parse("1e3.5").is_err());
    assert_eq!(Quantity::parse("12e6").unwrap().to_string(), "12e6");
    assert_eq!(Quantity::parse("100Mi").unwrap().to_string(), "100Mi");
    assert_eq!(Quantity::parse("0.05").unwrap().to_string(), "50m");
    // A BinarySI value that is no whole multiple of 1024 prints bare (upstream's
    // CanonicalizeBytes), and the bare text then reads as DecimalSI.
    let binary = Quantity {
        value: Dec::new(-71_000, 0),
        format: Format::BinarySI,
    };
    assert_eq!(binary.to_string(), "-71000");
    assert_eq!(Quantity::parse("-71000").unwrap().to_string(), "-71k");
}

fn quantity() -> impl Strategy<Value = Quantity> {
    let decimal =
        (-10_000_000i64..10_000_000, -9i32..=12, 0usize..3).prop_map(|(m, e, f)| Quantity {
            value: Dec::new(m.into(), e),
            format: [
                Format::DecimalSI,
                Format::DecimalExponent,
                Format::DecimalSI,
            ][f],
        });
    let binary = (-100_000i64..100_000, 0u32..4).prop_map(|(m, k)| Quantity {
        value: Dec::new(i128::from(m) << (10 * k), 0),
        format: Format::BinarySI,
    });
    prop_oneof![decimal, binary]
}

proptest! {
    /// Printing is exact (parsing the text gives back the value) and canonical after one
    /// step: a BinarySI value that is no whole multiple of a power of 1024 prints without
    /// a suffix (`-71000`), as upstream's `CanonicalizeBytes` does, and that text parses as
    /// DecimalSI and reprints as `-71k`; from there printing and parsing are a fixpoint.
    #[test]
    fn quantity_print_parse_round_trip(q in quantity()) {
        let text = q.to_string();
        let back = Quantity::parse(&text).unwrap();
        prop_assert_eq!(back.value, q.value, "{}", text);
        let canonical = back.to_string();
        let again = Quantity::parse(&canonical).unwrap();
        prop_assert_eq!(again.value, q.value, "{}", canonical);
        prop_assert_eq!(again.to_string(), canonical);
    }

    /// Plain decimals (as `.scale` prints targets) parse back to the same value.
    #[test]
    fn decimal_text_round_trip(m in -1_000_000_000i64..1_000_000_000, e in -9i32..=9) {
        let d = Dec::new(m.into(), e);
        prop_assert_eq!(Quantity::parse(&d.to_string()).unwrap().value, d);
    }

    /// A weekly window written as KEDA cron expressions is active exactly in that window.
    #[test]
    fn schedule_window_cron_round_trip(days in 1u8..128, from in 0u32..1440, len in 1u32..1440) {
        let to = (from + len) % 1440;
        let hm = |m: u32| Hm { hour: (m / 60) as u8, minute: (m % 60) as u8 };
        let window = Window::Daily { days: Days(days), from: hm(from), to: hm(to) };
        let (s, e) = cron::expressions(&window);
        let got = cron::windows(cron::Cron::parse(&s).unwrap(), cron::Cron::parse(&e).unwrap()).unwrap();
        // Overnight windows on consecutive days can only differ by where one day's window
        // ends and the next begins, which KEDA cannot tell apart: compare the minutes.
        prop_assert_eq!(active_minutes(&got), active_minutes(&[window]), "{} / {}", s, e);
    }
}

/// The minutes of the week a set of windows covers.
fn active_minutes(ws: &[Window]) -> Vec<bool> {
    let mut on = vec![false; 7 * 1440];
    for w in ws {
        let spans: Vec<(u32, u32)> = match *w {
            Window::Daily { days, from, to } => (0..7u8)
                .filter(|d| days.has(*d))
                .map(|d| {
                    let s = u32::from(d) * 1440 + from.minutes();
                    let len = (to.minutes() + 1440 - from.minutes() - 1) % 1440 + 1;
                    (s, s + len)
                })
                .collect(),
            Window::Span {
                from_day,
                from,
                to_day,
                to,
            } => {
                let s = u32::from(from_day) * 1440 + from.minutes();
                let e = u32::from(to_day) * 1440 + to.minutes();
                vec![(s, if e > s { e } else { e + 7 * 1440 })]
            }
        };
        for (s, e) in spans {
            for m in s..e {
                on[(m % (7 * 1440)) as usize] = true;
            }
        }
    }
    on
}

/// The imported `.scale` text is the language: it parses and checks (KEDA's scale to
/// zero included, as `idle`), and formatting it changes nothing but layout details.
#[test]
fn imported_text_parses_and_checks() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/kube");
    let mut checked = 0;
    let mut failures = Vec::new();
    let mut entries: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "yaml"))
        .collect();
    entries.sort();
    for path in entries {
        let imported = import(&std::fs::read_to_string(&path).unwrap());
        if imported.has_errors() {
            continue;
        }
        let text = scale_text(&imported.policies);
        let c = scalerules::compile(&text, "imported");
        let errors: Vec<String> = c
            .diagnostics
            .iter()
            .filter(|d| d.is_error())
            .map(|d| format!("{} {}", d.code, d.message))
            .collect();
        if !errors.is_empty() {
            failures.push(format!("{}:\n{text}\n{errors:#?}", path.display()));
            continue;
        }
        checked += 1;
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert!(checked >= 10, "only {checked} fixtures imported cleanly");
}

/// `scalerules import` through the real binary: the `.scale` text on stdout (or `-o`),
/// diagnostics on stderr naming the field and line, exit 1 on an error.
#[test]
fn cli_import_prints_the_policy() {
    let out = assert_cmd::Command::cargo_bin("scalerules")
        .unwrap()
        .args(["import", "rules/checkout-hpa.yaml"])
        .assert()
        .code(0)
        .get_output()
        .stdout
        .clone();
    let text = String::from_utf8(out).unwrap();
    assert!(text.contains("target cpu_utilization at 60%"), "{text}");
    assert!(scalerules::compile(&text, "x").program.is_some());
    let dir = tempfile::tempdir().unwrap();
    let to = dir.path().join("hpa.scale");
    assert_cmd::Command::cargo_bin("scalerules")
        .unwrap()
        .args([
            "import",
            "tests/fixtures/kube/hpa-all-metric-kinds.yaml",
            "-o",
        ])
        .arg(&to)
        .assert()
        .code(0)
        .stderr(predicates::str::contains("W405 metadata.name (line 6"));
    assert!(std::fs::read_to_string(&to)
        .unwrap()
        .contains("service php_apache"));
    assert_cmd::Command::cargo_bin("scalerules")
        .unwrap()
        .args(["import", "tests/fixtures/kube/broken-fields.yaml"])
        .assert()
        .code(1);
}
