//! Inline suppression: `# allow(name, …): reason` on the line(s) directly before a
//! statement. The parser drops comments, so they are found by a lexical scan.

use super::{LintReport, Suppressed};
use crate::diagnostics::Diagnostic;
use crate::span::line_col;
use crate::syntax::ast;

/// One `# allow(...)` comment.
#[derive(Clone, Debug, PartialEq)]
pub struct AllowComment {
    /// 1-based line of the comment.
    pub line: usize,
    /// Codes or names, as written.
    pub lints: Vec<String>,
    pub reason: String,
}

/// Parses the comment text after `#`: `allow(a, b): reason`.
fn parse_allow(comment: &str) -> Option<(Vec<String>, String)> {
    let rest = comment.trim().strip_prefix("allow")?.trim_start();
    let rest = rest.strip_prefix('(')?;
    let close = rest.find(')')?;
    let lints = rest[..close]
        .split(',')
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .collect();
    let reason = rest[close + 1..]
        .trim_start()
        .trim_start_matches(':')
        .trim()
        .to_string();
    Some((lints, reason))
}

/// Every `allow` comment that stands on a line of its own.
pub fn allow_comments(src: &str) -> Vec<AllowComment> {
    src.lines()
        .enumerate()
        .filter_map(|(i, line)| {
            let at = crate::fmt::lex::comment_start(line)?;
            if !line[..at].trim().is_empty() {
                return None;
            }
            let (lints, reason) = parse_allow(&line[at + 1..])?;
            Some(AllowComment {
                line: i + 1,
                lints,
                reason,
            })
        })
        .collect()
}

/// The 1-based line range of the statement starting at `line`.
fn statement_lines(src: &str, ast: &ast::File, line: usize) -> (usize, usize) {
    for s in &ast.services {
        for item in &s.items {
            if let ast::Item::Rule(r) = item {
                let (l0, _) = line_col(src, r.span.start);
                if l0 == line {
                    let ext = super::rule_extent(src, r);
                    let (l1, _) = line_col(src, ext.end.saturating_sub(1).max(ext.start));
                    return (l0, l1);
                }
            }
        }
    }
    (line, line)
}

/// Splits raw lint diagnostics into reported and suppressed.
pub fn apply(src: &str, ast: &ast::File, raw: Vec<Diagnostic>) -> LintReport {
    let lines: Vec<&str> = src.lines().collect();
    // Each allow comment covers the next line that is neither blank nor a comment,
    // provided only comment lines stand between them.
    let mut scopes = Vec::new();
    for a in allow_comments(src) {
        let mut l = a.line + 1;
        while let Some(text) = lines.get(l - 1) {
            let t = text.trim();
            if t.starts_with('#') {
                l += 1;
                continue;
            }
            if !t.is_empty() {
                scopes.push((statement_lines(src, ast, l), a.clone()));
            }
            break;
        }
    }
    let mut report = LintReport::default();
    for d in raw {
        let (line, _) = line_col(src, d.primary.span.start);
        let info = super::lookup(d.code);
        let hit = scopes.iter().find(|((from, to), a)| {
            (*from..=*to).contains(&line)
                && a.lints.iter().any(|k| {
                    k.eq_ignore_ascii_case(d.code) || info.is_some_and(|i| i.name == k.as_str())
                })
        });
        match hit {
            Some((_, a)) => report.suppressed.push(Suppressed {
                diagnostic: d,
                reason: a.reason.clone(),
            }),
            None => report.diagnostics.push(d),
        }
    }
    report
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_allow_comments() {
        let src =
            "  # allow(flapping-band, W203): the band is wide enough\nx # allow(a)\n# other\n";
        let a = allow_comments(src);
        assert_eq!(a.len(), 1);
        assert_eq!(a[0].lints, vec!["flapping-band", "W203"]);
        assert_eq!(a[0].reason, "the band is wide enough");
    }
}
