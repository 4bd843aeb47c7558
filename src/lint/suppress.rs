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
    /// The comment's text, `#` to the end of the line.
    pub span: crate::span::Span,
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
    let mut offset = 0;
    src.split_inclusive('\n')
        .map(|raw| {
            let start = offset;
            offset += raw.len();
            (start, raw.trim_end_matches(['\n', '\r']))
        })
        .enumerate()
        .filter_map(|(i, (start, line))| {
            let at = crate::syntax::lex::comment_start(line)?;
            if !line[..at].trim().is_empty() {
                return None;
            }
            let (lints, reason) = parse_allow(&line[at + 1..])?;
            Some(AllowComment {
                line: i + 1,
                span: crate::span::Span::new(start + at, start + line.len()),
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
        if scopes.last().is_none_or(|(_, s)| s.line != a.line) {
            scopes.push(((0, 0), a.clone()));
        }
    }
    let mut used = vec![Vec::<String>::new(); scopes.len()];
    let mut report = LintReport::default();
    for d in raw {
        let (line, _) = line_col(src, d.primary.span.start);
        let matches =
            |k: &String| k.eq_ignore_ascii_case(d.code.as_str()) || d.code.name() == k.as_str();
        let hit = scopes.iter().position(|((from, to), a)| {
            *from > 0 && (*from..=*to).contains(&line) && a.lints.iter().any(matches)
        });
        match hit {
            Some(i) => {
                if let (Some(u), Some((_, a))) = (used.get_mut(i), scopes.get(i)) {
                    u.extend(a.lints.iter().filter(|k| matches(k)).cloned());
                }
                report.suppressed.push(Suppressed {
                    diagnostic: d,
                    reason: scopes
                        .get(i)
                        .map_or(String::new(), |(_, a)| a.reason.clone()),
                });
            }
            None => report.diagnostics.push(d),
        }
    }
    for (((from, _), a), used) in scopes.iter().zip(&used) {
        for k in &a.lints {
            if super::lookup(k).is_none() {
                report
                    .diagnostics
                    .push(super::rules::unknown_lint_in_allow::diagnostic(a, k));
            } else if !used.contains(k) {
                report
                    .diagnostics
                    .push(super::rules::unused_allow::diagnostic(a, k, *from > 0));
            }
        }
    }
    report
        .diagnostics
        .sort_by_key(|d| (d.primary.span.start, d.code));
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
