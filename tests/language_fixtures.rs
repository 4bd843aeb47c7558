//! Fixture-driven tests of the language pipeline: every valid file's IR and every
//! invalid file's rendered diagnostics are snapshotted; each invalid file also states its
//! expected codes and lines in a `# expect:` header, which this test enforces.

use scalerules::diagnostics::{render, Format, SourceFile};
use scalerules::span::line_col;
use std::collections::BTreeSet;
use std::path::Path;

fn compile_file(path: &Path) -> (String, scalerules::Compiled) {
    let src = std::fs::read_to_string(path).expect("read fixture");
    let compiled = scalerules::compile(&src, &scalerules::stem_of(path));
    (src, compiled)
}

#[test]
fn valid_files_lower_to_ir() {
    insta::glob!("fixtures/check/valid/*.scale", |path| {
        let (_, c) = compile_file(path);
        assert!(
            c.diagnostics.iter().all(|d| !d.is_error()),
            "{:#?}",
            c.diagnostics
        );
        insta::assert_snapshot!(c.program.expect("program").to_string());
    });
}

#[test]
fn example_rules_lower_to_ir() {
    insta::glob!("../rules", "*.scale", |path| {
        let (_, c) = compile_file(path);
        assert!(c.diagnostics.is_empty(), "{:#?}", c.diagnostics);
        insta::assert_snapshot!(c.program.expect("program").to_string());
    });
}

/// `(code, line)` pairs from the `# expect:` header.
fn expectations(src: &str) -> BTreeSet<(String, usize)> {
    let header = src.lines().next().unwrap_or("");
    let body = header
        .strip_prefix("# expect:")
        .expect("fixture needs an `# expect:` header");
    let words: Vec<&str> = body
        .split(|c: char| c == ',' || c.is_whitespace())
        .filter(|w| !w.is_empty())
        .collect();
    let mut out = BTreeSet::new();
    for w in words.windows(3) {
        if w[0].starts_with('E') && w[0].len() == 4 && w[1] == "line" {
            out.insert((w[0].to_string(), w[2].parse().expect("line number")));
        }
    }
    out
}

#[test]
fn invalid_files_render_diagnostics() {
    insta::glob!("fixtures/check/invalid/*.scale", |path| {
        let (src, c) = compile_file(path);
        assert!(c.program.is_none(), "an invalid fixture compiled");
        let got: BTreeSet<(String, usize)> = c
            .diagnostics
            .iter()
            .map(|d| (d.code.to_string(), line_col(&src, d.primary.span.start).0))
            .collect();
        assert_eq!(
            got,
            expectations(&src),
            "the `# expect:` header disagrees with the diagnostics"
        );
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        let file = SourceFile::new(name, src);
        insta::assert_snapshot!(render(&c.diagnostics, &file, Format::Human, false, 100));
    });
}

#[test]
fn diagnostics_as_json_have_the_documented_keys() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/check/invalid/unit_mismatch.scale");
    let (src, c) = compile_file(&path);
    let file = SourceFile::new("unit_mismatch.scale", src);
    insta::assert_snapshot!(render(&c.diagnostics, &file, Format::Json, false, 100));
}

#[test]
fn no_panic_on_arbitrary_input() {
    use proptest::prelude::*;
    let pieces = [
        "service",
        "a",
        "{",
        "}",
        "replicas",
        "1..3",
        "when",
        "cpu",
        ">",
        "80%",
        "for",
        "2m",
        "scale",
        "out",
        "by",
        "2",
        ",",
        "cooldown",
        "5m",
        "and",
        "or",
        "not",
        "(",
        ")",
        "avg(cpu, 5m)",
        "model",
        "demand",
        "capacity",
        "per",
        "replica",
        "slo",
        "#",
        "\"",
        "\n",
        "-1",
        "0",
        "in",
        "%",
        "of",
        "to",
        "metric",
        "=",
        "column",
        "\"x\"",
        "on",
        "missing",
        "hold",
        "p99(x, 1m)",
        "é",
        "..",
    ];
    proptest!(|(idx in proptest::collection::vec(0usize..pieces.len(), 0..40))| {
        let src: Vec<&str> = idx.iter().map(|&i| pieces[i]).collect();
        let _ = scalerules::compile(&src.join(" "), "fuzz");
    });
}
