//! The formatter: snapshots, idempotence and meaning preservation on every fixture and
//! example, the same two properties on random programs, and the CLI.

use assert_cmd::Command;
use predicates::prelude::*;
use proptest::prelude::*;
use scalerules::fmt::format_source;
use scalerules::syntax;
use scalerules::syntax::lex::split_comment;
use std::path::{Path, PathBuf};

/// The AST without spans: what the text means, not where it stands.
fn span_free_ast(src: &str) -> Option<String> {
    let mut sink = scalerules::diagnostics::Sink::new();
    let ast = syntax::parse(src, "prop", &mut sink)?;
    let dbg = format!("{ast:#?}");
    let mut out = String::new();
    let mut skip = 0usize;
    for line in dbg.lines() {
        // Drop `span: Span { start: 1, end: 2 },` blocks (pretty-printed over 4 lines).
        if skip > 0 {
            skip -= 1;
            continue;
        }
        let t = line.trim_start();
        if t.starts_with("span: Span {") || t == "Span {" {
            skip = 3;
            continue;
        }
        out.push_str(line);
        out.push('\n');
    }
    Some(out)
}

/// The IR's `Display`, with source line numbers and rule texts (which show layout) masked.
fn ir_text(src: &str) -> Option<String> {
    let program = scalerules::compile(src, "prop").program?;
    Some(
        program
            .to_string()
            .lines()
            .filter(|l| !l.trim_start().starts_with('r') || !l.contains("(line "))
            .map(
                |l| match (l.find("on line "), l.trim_start().starts_with("slo:")) {
                    (Some(i), _) => format!("{}on line _)", &l[..i]),
                    // The SLO's source text, as written, follows in parentheses.
                    (None, true) => l.split(" (").next().unwrap_or(l).to_string(),
                    (None, false) => l.to_string(),
                },
            )
            .map(|l| mask_lines(&l))
            .collect::<Vec<_>>()
            .join("\n"),
    )
}

/// `line 12` → `line _`: targets and schedules name their source lines, which layout moves.
fn mask_lines(l: &str) -> String {
    let mut out = String::new();
    let mut rest = l;
    while let Some(i) = rest.find("line ") {
        out.push_str(&rest[..i + 5]);
        rest = &rest[i + 5..];
        let digits = rest.len() - rest.trim_start_matches(|c: char| c.is_ascii_digit()).len();
        if digits > 0 {
            out.push('_');
            rest = &rest[digits..];
        }
    }
    out.push_str(rest);
    out
}

fn comments(src: &str) -> Vec<String> {
    src.lines()
        .filter_map(|l| split_comment(l).1.map(str::to_string))
        .collect()
}

/// Idempotence, same AST, same IR, every comment kept.
fn check_properties(name: &str, src: &str) {
    let once = format_source(src, "prop")
        .unwrap_or_else(|e| panic!("{name}: does not parse: {e:?}\n{src}"));
    let twice = format_source(&once, "prop")
        .unwrap_or_else(|e| panic!("{name}: output does not parse: {e:?}\n{once}"));
    assert_eq!(once, twice, "{name}: fmt is not idempotent");
    assert_eq!(
        span_free_ast(src),
        span_free_ast(&once),
        "{name}: fmt changed the AST\n{once}"
    );
    assert_eq!(
        ir_text(src),
        ir_text(&once),
        "{name}: fmt changed the IR\n{once}"
    );
    let mut before = comments(src);
    let mut after = comments(&once);
    before.sort();
    after.sort();
    assert_eq!(before, after, "{name}: comments lost or changed\n{once}");
}

fn scale_files(dir: &str) -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join(dir);
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "scale"))
        .collect();
    v.sort();
    v
}

#[test]
fn fmt_fixtures() {
    insta::glob!("fixtures/fmt/*.scale", |path| {
        let src = std::fs::read_to_string(path).unwrap_or_default();
        let out = format_source(&src, "fixture").unwrap_or_else(|e| panic!("{e:?}"));
        insta::assert_snapshot!(out);
    });
}

#[test]
fn properties_hold_for_fixtures_and_examples() {
    let files: Vec<PathBuf> = ["tests/fixtures/fmt", "tests/fixtures/lint", "rules"]
        .iter()
        .flat_map(|d| scale_files(d))
        .collect();
    assert!(files.len() > 20);
    for p in files {
        let src = std::fs::read_to_string(&p).unwrap_or_default();
        check_properties(&p.display().to_string(), &src);
    }
}

#[test]
fn example_rules_are_formatted() {
    for p in scale_files("rules") {
        let src = std::fs::read_to_string(&p).unwrap_or_default();
        assert_eq!(
            format_source(&src, "x").ok().as_deref(),
            Some(src.as_str()),
            "{} is not in canonical form",
            p.display()
        );
    }
}

// ---------------------------------------------------------------- random programs

fn sep() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => Just(" ".to_string()),
        1 => Just("   ".to_string()),
        1 => Just("\t".to_string()),
        1 => Just("\n    ".to_string()),
        1 => Just("\n\n\n".to_string()),
        1 => Just("  # note\n".to_string()),
        1 => Just(" #x#\n\n".to_string()),
    ]
}

fn metric() -> impl Strategy<Value = &'static str> {
    prop::sample::select(vec!["cpu", "p95", "queue"])
}

fn literal(m: &str) -> BoxedStrategy<Vec<String>> {
    match m {
        "cpu" => (0u32..100).prop_map(|v| vec![format!("{v}%")]).boxed(),
        "p95" => (1u32..900)
            .prop_map(|v| vec![v.to_string(), "ms".into()])
            .boxed(),
        _ => (0u32..50).prop_map(|v| vec![v.to_string()]).boxed(),
    }
}

fn comparison() -> impl Strategy<Value = Vec<String>> {
    (
        metric(),
        prop::sample::select(vec![">", ">=", "<", "<=", "==", "!="]),
        any::<bool>(),
        any::<bool>(),
    )
        .prop_flat_map(|(m, op, agg, flip)| {
            literal(m).prop_map(move |lit| {
                let lhs: Vec<String> = if agg {
                    vec![
                        "avg".into(),
                        "(".into(),
                        m.into(),
                        ",".into(),
                        "5m".into(),
                        ")".into(),
                    ]
                } else {
                    vec![m.into()]
                };
                let mut v = Vec::new();
                if flip {
                    v.extend(lit.clone());
                    v.push(op.into());
                    v.extend(lhs);
                } else {
                    v.extend(lhs);
                    v.push(op.into());
                    v.extend(lit.clone());
                }
                v
            })
        })
}

fn condition() -> impl Strategy<Value = Vec<String>> {
    comparison().prop_recursive(3, 8, 2, |inner| {
        prop_oneof![
            (
                inner.clone(),
                inner.clone(),
                prop::sample::select(vec!["and", "or"])
            )
                .prop_map(|(a, b, op)| {
                    let mut v = a;
                    v.push(op.into());
                    v.extend(b);
                    v
                }),
            inner.clone().prop_map(|a| {
                let mut v = vec!["(".to_string()];
                v.extend(a);
                v.push(")".into());
                v
            }),
            inner.prop_map(|a| {
                let mut v = vec!["not".to_string(), "(".to_string()];
                v.extend(a);
                v.push(")".into());
                v
            }),
        ]
    })
}

fn rule() -> impl Strategy<Value = Vec<String>> {
    (condition(), 0u8..3, 0u8..5, 1u32..5, any::<bool>()).prop_map(|(c, sustain, action, k, cd)| {
        let mut v = vec!["when".to_string()];
        v.extend(c);
        match sustain {
            1 => v.extend(["for", "2m"].map(String::from)),
            2 => v.extend(["for", "2", "of", "5m"].map(String::from)),
            _ => {}
        }
        let a: Vec<String> = match action {
            0 => vec!["scale".into(), "out".into(), "by".into(), k.to_string()],
            1 => vec!["scale".into(), "in".into(), "by".into(), k.to_string()],
            2 => vec![
                "scale".into(),
                "out".into(),
                "by".into(),
                format!("{}", k * 10),
                "%".into(),
            ],
            3 => vec![
                "scale".into(),
                "in".into(),
                "by".into(),
                format!("{}%", k * 10),
            ],
            _ => vec!["scale".into(), "to".into(), k.to_string()],
        };
        v.extend(a);
        if cd {
            v.extend([",", "cooldown", "3m"].map(String::from));
        }
        v
    })
}

fn words(s: &str) -> Vec<String> {
    s.split(' ').map(String::from).collect()
}

/// Target tracking, behavior, schedules, a time zone and `idle` (issue 8), some of them.
fn tracking() -> impl Strategy<Value = Vec<Vec<String>>> {
    let target = prop::sample::select(vec![
        "target cpu at 60 %",
        "target queue at 30 per replica",
        "target queue at 500",
        "target avg ( cpu , 5m ) at 50% , active above 5%",
        "target load at 512 Mi per replica",
    ]);
    let clause = prop::sample::select(vec![
        "stabilize 5m",
        "stabilize 0s",
        "at most 4 replicas per 15s",
        "at most 1 replica per 1m",
        "at most 100 % per 15s",
        "select min",
        "select disabled",
        "tolerance 5%",
    ]);
    let schedule = prop::sample::select(vec![
        "schedule weekdays from 08:00 to 18:00 in Europe/Paris at least 3",
        "schedule sat , sun from 22:00 to 06:00 at most 4",
        "schedule mon-fri , sun from 08:00 to 24:00 at least 2 , at most 8",
        "schedule from fri 18:00 to mon 08:00 in America/New_York at most 5",
        "schedule from 2026-11-27 to 2026-11-30 in UTC at least 6",
        "schedule from 2026-12-24 14:00 to 2026-12-26 09:00 at least 4",
        "schedule daily from 06:00 to 20:00 propose 5",
    ]);
    // `replicas 1..9`: any idle count below 1.
    let idle = prop::sample::select(vec![
        "idle to 0",
        "idle to 0 after 5m",
        "idle to 0 after 0s , check every 1m",
        "idle to 0 , check every 45s",
    ]);
    (
        prop::collection::vec(target, 1..3),
        prop::option::of((
            prop::sample::select(vec!["", "out", "in"]),
            prop::collection::vec(clause, 0..3),
        )),
        prop::collection::vec(schedule, 0..3),
        any::<bool>(),
        prop::option::of(idle),
    )
        .prop_map(|(targets, behavior, schedules, zone, idle)| {
            let mut v: Vec<Vec<String>> = Vec::new();
            if zone {
                v.push(words("timezone Europe/Paris"));
            }
            v.push(words("metric load in bytes per replica"));
            v.extend(targets.iter().map(|t| words(t)));
            if let Some((dir, clauses)) = behavior {
                let mut b = vec!["behavior".to_string()];
                if !dir.is_empty() {
                    b.push(dir.into());
                    let mut seen = std::collections::BTreeSet::new();
                    let mut first = true;
                    for c in clauses {
                        // One clause of a kind per line (the checker's rule).
                        if !seen.insert(c.split(' ').next().unwrap_or("")) && !c.starts_with("at") {
                            continue;
                        }
                        if !first {
                            b.push(",".into());
                        }
                        first = false;
                        b.extend(words(c));
                    }
                }
                v.push(b);
            }
            v.extend(schedules.iter().map(|s| words(s)));
            v.extend(idle.map(words));
            v
        })
}

/// A size ladder, its resize cost and cooldowns, and vertical rules (issue 9), some of
/// them. `at a time` and `replica-hour` are one token each (no comment may split them).
fn ladder() -> impl Strategy<Value = Vec<Vec<String>>> {
    let resize = prop::sample::select(vec![
        "",
        "resize in place",
        "resize restart 90s",
        "resize restart 2m , 3 at a time",
    ]);
    let cooldown = prop::sample::select(vec!["", "cooldown up 5m", "cooldown up 1m , down 30m"]);
    let vertical = prop::sample::select(vec![
        "when cpu > 80% scale up",
        "when cpu > 90% for 2m scale up by 2",
        "when cpu > 95% scale up to large , cooldown 10m",
        "when cpu < 10% for 20m scale down",
        "when cpu < 5% scale down to small",
    ]);
    (
        1usize..4,
        any::<bool>(),
        resize,
        cooldown,
        prop::collection::vec(vertical, 0..4),
    )
        .prop_map(|(n, start, resize, cooldown, rules)| {
            let sizes = [
                "size small capacity 1x , price 0.10 per replica-hour",
                "size medium capacity 2.5x",
                "size large capacity 600 rps , price 0.6 per replica-hour",
            ];
            let mut v: Vec<Vec<String>> = Vec::new();
            for (i, line) in sizes.iter().take(n).enumerate() {
                let mut w = words(line);
                if start && i + 1 == n {
                    w.extend(words(", start"));
                }
                v.push(w);
            }
            // `to large` needs all three sizes.
            v.extend(
                rules
                    .iter()
                    .filter(|r| n == 3 || !r.contains("large"))
                    .map(|r| words(r)),
            );
            for line in [resize, cooldown] {
                if !line.is_empty() {
                    v.push(
                        line.replace("at a time", "at_a_time")
                            .split(' ')
                            .map(|w| w.replace("at_a_time", "at a time"))
                            .collect(),
                    );
                }
            }
            v
        })
}

fn program() -> impl Strategy<Value = Vec<Vec<String>>> {
    (
        prop::collection::vec(rule(), 1..5),
        any::<bool>(),
        any::<bool>(),
        prop::option::of(tracking()),
        prop::option::of(ladder()),
    )
        .prop_map(|(rules, block, cooldown, tracking, ladder)| {
            let mut stmts: Vec<Vec<String>> = Vec::new();
            if block {
                stmts.push(["service", "svc", "{"].map(String::from).to_vec());
            }
            stmts.push(
                ["replicas", "1", "..", "9", ",", "start", "2"]
                    .map(String::from)
                    .to_vec(),
            );
            stmts.push(["metric", "cpu", "in", "%"].map(String::from).to_vec());
            stmts.push(
                ["metric", "p95", "=", "column", "\"lat#ms\"", "in", "ms"]
                    .map(String::from)
                    .to_vec(),
            );
            stmts.push(["metric", "queue"].map(String::from).to_vec());
            if cooldown {
                stmts.push(
                    ["cooldown", "out", "1m", ",", "in", "5m"]
                        .map(String::from)
                        .to_vec(),
                );
            }
            stmts.extend(rules);
            stmts.extend(tracking.unwrap_or_default());
            stmts.extend(ladder.unwrap_or_default());
            if block {
                stmts.push(vec!["}".to_string()]);
            }
            stmts
        })
}

/// A program's tokens joined with random white space and comments.
fn source() -> impl Strategy<Value = String> {
    program().prop_flat_map(|stmts| {
        let n: usize = stmts.iter().map(Vec::len).sum();
        prop::collection::vec(sep(), n + 1).prop_map(move |seps| {
            let mut s = String::from("# generated\n");
            let mut i = 0;
            for st in &stmts {
                for tok in st {
                    s.push_str(tok);
                    s.push_str(&seps[i]);
                    i += 1;
                }
                s.push('\n');
            }
            s
        })
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    #[test]
    fn random_programs_format_idempotently_and_keep_their_meaning(src in source()) {
        check_properties("generated", &src);
    }
}

// ---------------------------------------------------------------- CLI

fn bin() -> Command {
    let mut c = Command::cargo_bin("scalerules").unwrap_or_else(|e| panic!("{e}"));
    c.env("NO_COLOR", "1");
    c
}

const MESSY: &str =
    "replicas 1..3\nmetric cpu in %\nwhen cpu>80%   scale out by 1\nwhen cpu < 10% scale in by 1\n";

#[test]
fn cli_stdin_to_stdout() {
    bin()
        .args(["fmt", "-"])
        .write_stdin(MESSY)
        .assert()
        .code(0)
        .stdout("replicas 1..3\nmetric cpu in %\nwhen cpu > 80% scale out by 1\nwhen cpu < 10% scale in by 1\n");
}

#[test]
fn cli_check_prints_a_diff_and_changes_nothing() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let p = dir.path().join("api.scale");
    std::fs::write(&p, MESSY).unwrap_or_else(|e| panic!("{e}"));
    bin()
        .args(["fmt", "--check"])
        .arg(&p)
        .assert()
        .code(1)
        .stdout(
            predicate::str::contains("-when cpu>80%   scale out by 1")
                .and(predicate::str::contains("+when cpu > 80% scale out by 1")),
        );
    assert_eq!(std::fs::read_to_string(&p).unwrap_or_default(), MESSY);
    bin().args(["fmt"]).arg(&p).assert().code(0);
    let formatted = std::fs::read_to_string(&p).unwrap_or_default();
    assert!(formatted.contains("when cpu > 80% scale out by 1"));
    bin()
        .args(["fmt", "--check"])
        .arg(&p)
        .assert()
        .code(0)
        .stdout("");
    // No temporary file is left behind.
    let left: Vec<_> = std::fs::read_dir(dir.path())
        .into_iter()
        .flatten()
        .flatten()
        .collect();
    assert_eq!(left.len(), 1);
}

#[test]
fn cli_syntax_errors_leave_the_file_alone() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let p = dir.path().join("bad.scale");
    let bad = "replicas 1..3\nwhen cpu >   scale out by 1\n";
    std::fs::write(&p, bad).unwrap_or_else(|e| panic!("{e}"));
    bin()
        .args(["fmt"])
        .arg(&p)
        .assert()
        .code(1)
        .stderr(predicate::str::contains("E001"));
    assert_eq!(std::fs::read_to_string(&p).unwrap_or_default(), bad);
    bin().args(["fmt", "/nonexistent/x.scale"]).assert().code(2);
}
