//! Rendering test results: readable text for people, JUnit XML for CI systems.

use super::{CaseResult, FileResult};
use crate::ir;
use crate::timestamp::format_duration;
use std::fmt::Write;

/// How far around a failure to show decisions.
const CONTEXT_MS: i64 = 5 * 60_000;

/// A failed case: what was expected, what happened, and the decisions around that time.
pub fn render_failure(
    file: &FileResult,
    case: &CaseResult,
    service: Option<&ir::Service>,
) -> String {
    let mut out = String::new();
    for f in &case.failures {
        let _ = writeln!(out, "    --> {}:{}", file.path.display(), f.line);
        let _ = writeln!(out, "    expected: {}", f.expected);
        let _ = writeln!(out, "    got:      {}", f.got);
        if let (Some(at), Some(service)) = (f.around, service) {
            let near: Vec<_> = case
                .decisions
                .iter()
                .filter(|d| (d.timestamp - at).abs() <= CONTEXT_MS)
                .collect();
            let _ = writeln!(out, "    decisions within 5m of {}:", format_duration(at));
            if near.is_empty() {
                let _ = writeln!(out, "      (none)");
            }
            for d in near {
                let _ = writeln!(
                    out,
                    "      {:>6}  {} → {}  line {}: {}",
                    format_duration(d.timestamp),
                    d.from,
                    d.to,
                    service.actor_line(d.rule),
                    service.actor_text(d.rule)
                );
            }
        }
    }
    out
}

fn xml_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// JUnit XML: one `<testsuite>` per test file, one `<testcase>` per test.
pub fn junit_xml(files: &[FileResult]) -> String {
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let tests: usize = files.iter().map(|f| f.cases.len().max(1)).sum();
    let failures: usize = files
        .iter()
        .map(|f| {
            if f.error.is_some() {
                1
            } else {
                f.cases.iter().filter(|c| !c.failures.is_empty()).count()
            }
        })
        .sum();
    let _ = writeln!(
        out,
        "<testsuites name=\"scalerules\" tests=\"{tests}\" failures=\"{failures}\">"
    );
    for f in files {
        let name = xml_escape(&f.path.display().to_string());
        if let Some(e) = &f.error {
            let _ = writeln!(
                out,
                "  <testsuite name=\"{name}\" tests=\"1\" failures=\"1\">"
            );
            let _ = writeln!(out, "    <testcase name=\"load\" classname=\"{name}\">");
            let _ = writeln!(out, "      <failure message=\"{}\"/>", xml_escape(e));
            let _ = writeln!(out, "    </testcase>\n  </testsuite>");
            continue;
        }
        let failed = f.cases.iter().filter(|c| !c.failures.is_empty()).count();
        let _ = writeln!(
            out,
            "  <testsuite name=\"{name}\" tests=\"{}\" failures=\"{failed}\">",
            f.cases.len()
        );
        for c in &f.cases {
            let _ = write!(
                out,
                "    <testcase name=\"{}\" classname=\"{name}\" file=\"{name}\" line=\"{}\"",
                xml_escape(&c.name),
                c.line
            );
            if c.failures.is_empty() {
                out.push_str("/>\n");
                continue;
            }
            out.push_str(">\n");
            for fl in &c.failures {
                let _ = writeln!(
                    out,
                    "      <failure message=\"expected {}; got {}\">{}:{}</failure>",
                    xml_escape(&fl.expected),
                    xml_escape(&fl.got),
                    name,
                    fl.line
                );
            }
            out.push_str("    </testcase>\n");
        }
        out.push_str("  </testsuite>\n");
    }
    out.push_str("</testsuites>\n");
    out
}
