//! `scalerules fmt`: one canonical layout for rule files.
//!
//! The layout: two spaces of indentation per block, one statement per line (a rule on one
//! line however it was split), single spaces around operators and after commas,
//! `replicas 2..40, start 4`, units attached to numbers except the word units
//! (`300ms`, `75%`, `1000 rps`), numbers as written, rule order kept, runs of blank lines
//! folded to one (none just inside braces), comments kept: an own-line comment stays
//! before the statement that follows it, a trailing comment stays at the end of its
//! statement's line.
//!
//! The parser drops comments, so they are found by a lexical scan ([`lex`]) and attached
//! to statements by line number.

mod print;

use crate::diagnostics::{Diagnostic, Sink};
use crate::span::{line_col, Span};
use crate::syntax::{self, ast, lex};

/// Formats a rule file. `Err` with the syntax diagnostics when it does not parse.
pub fn format_source(src: &str, stem: &str) -> Result<String, Vec<Diagnostic>> {
    let mut sink = Sink::new();
    let Some(file) = syntax::parse(src, stem, &mut sink) else {
        return Err(sink.into_sorted());
    };
    Ok(layout(src, &file))
}

/// One line of output-to-be, tied to the source lines it came from.
#[derive(Debug)]
struct Event {
    first: usize,
    last: usize,
    indent: usize,
    text: String,
    kind: Kind,
}

#[derive(Debug, PartialEq, Eq, Clone, Copy)]
enum Kind {
    Open,
    Stmt,
    Close,
}

fn lines_of(src: &str, span: Span) -> (usize, usize) {
    let (a, _) = line_col(src, span.start);
    let (b, _) = line_col(src, span.end.saturating_sub(1).max(span.start));
    (a, b)
}

fn events(src: &str, file: &ast::File) -> Vec<Event> {
    let mut out = Vec::new();
    for s in &file.services {
        let indent = usize::from(!s.implicit);
        if !s.implicit {
            let (a, b) = lines_of(src, s.span);
            let open_line = src
                .get(s.span.start..)
                .and_then(|t| t.find('{'))
                .map_or(a, |i| line_col(src, s.span.start + i).0);
            out.push(Event {
                first: a,
                last: open_line,
                indent: 0,
                text: format!("service {} {{", s.name.node),
                kind: Kind::Open,
            });
            items(src, &s.items, indent, &mut out);
            out.push(Event {
                first: b,
                last: b,
                indent: 0,
                text: "}".into(),
                kind: Kind::Close,
            });
        } else {
            items(src, &s.items, 0, &mut out);
        }
    }
    out
}

/// A `NAME { … }` block: the opening line, one statement per (span, text), the `}`.
fn block(
    src: &str,
    span: Span,
    name: &str,
    stmts: impl Iterator<Item = (Span, String)>,
    indent: usize,
    out: &mut Vec<Event>,
) {
    let (a, b) = lines_of(src, span);
    let open_line = src
        .get(span.start..)
        .and_then(|t| t.find('{'))
        .map_or(a, |i| line_col(src, span.start + i).0);
    out.push(Event {
        first: a,
        last: open_line,
        indent,
        text: format!("{name} {{"),
        kind: Kind::Open,
    });
    for (span, text) in stmts {
        let (a, b) = lines_of(src, span);
        out.push(Event {
            first: a,
            last: b,
            indent: indent + 1,
            text,
            kind: Kind::Stmt,
        });
    }
    out.push(Event {
        first: b,
        last: b,
        indent,
        text: "}".into(),
        kind: Kind::Close,
    });
}

fn items(src: &str, items: &[ast::Item], indent: usize, out: &mut Vec<Event>) {
    for item in items {
        match item {
            ast::Item::Model(m) => {
                let stmts = m
                    .items
                    .iter()
                    .map(|mi| (print::model_item_span(src, mi), print::model_item(src, mi)));
                block(src, m.span, "model", stmts, indent, out);
            }
            ast::Item::Kubernetes(k) => {
                let stmts = k.lines.iter().map(|l| (l.span, l.node.trim().to_string()));
                block(src, k.span, "kubernetes", stmts, indent, out);
            }
            other => {
                let (a, b) = lines_of(src, print::item_span(src, other));
                out.push(Event {
                    first: a,
                    last: b,
                    indent,
                    text: print::item(other),
                    kind: Kind::Stmt,
                });
            }
        }
    }
}

/// The canonical text of a parsed file.
fn layout(src: &str, file: &ast::File) -> String {
    let lines: Vec<&str> = src.lines().collect();
    let mut own: Vec<(usize, String)> = Vec::new();
    let mut trailing: Vec<(usize, String)> = Vec::new();
    for (i, l) in lines.iter().enumerate() {
        if let (code, Some(c)) = lex::split_comment(l) {
            if code.trim().is_empty() {
                own.push((i + 1, c.to_string()));
            } else {
                trailing.push((i + 1, c.to_string()));
            }
        }
    }
    let evs = events(src, file);
    // Trailing comments go to the last event whose lines hold them.
    let mut tails: Vec<Vec<String>> = vec![Vec::new(); evs.len()];
    for (line, c) in trailing {
        match evs.iter().rposition(|e| e.first <= line && line <= e.last) {
            Some(i) => tails[i].push(c),
            None => own.push((line, c)),
        }
    }
    own.sort_by_key(|(l, _)| *l);

    let blank_between = |a: usize, b: usize| -> bool {
        b > a + 1
            && (a + 1..b).all(|l| lines.get(l - 1).is_none_or(|t| t.trim().is_empty()))
            && (a + 1..b).any(|l| lines.get(l - 1).is_some_and(|t| t.trim().is_empty()))
    };
    let mut out = String::new();
    let mut prev: Option<(usize, Kind)> = None; // last source line emitted, and what
    let mut own_iter = own.into_iter().peekable();
    let push = |out: &mut String,
                prev: &mut Option<(usize, Kind)>,
                first: usize,
                last: usize,
                indent: usize,
                text: &str,
                kind: Kind| {
        if let Some((p, pk)) = *prev {
            if pk != Kind::Open && kind != Kind::Close && blank_between(p, first) {
                out.push('\n');
            }
        }
        out.push_str(&"  ".repeat(indent));
        out.push_str(text);
        out.push('\n');
        *prev = Some((last.max(prev.map_or(0, |p| p.0)), kind));
    };
    for (i, e) in evs.iter().enumerate() {
        let comment_indent = if e.kind == Kind::Close {
            e.indent + 1
        } else {
            e.indent
        };
        while let Some((l, _)) = own_iter.peek() {
            if *l > e.last {
                break;
            }
            let Some((l, c)) = own_iter.next() else { break };
            push(&mut out, &mut prev, l, l, comment_indent, &c, Kind::Stmt);
        }
        let mut text = e.text.clone();
        let t = &tails[i];
        if let Some((last, rest)) = t.split_last() {
            for c in rest {
                // Several trailing comments on a multi-line statement: keep all but the
                // last as own-line comments before it.
                push(
                    &mut out,
                    &mut prev,
                    e.first,
                    e.first,
                    e.indent,
                    c,
                    Kind::Stmt,
                );
            }
            text.push_str("  ");
            text.push_str(last);
        }
        push(
            &mut out, &mut prev, e.first, e.last, e.indent, &text, e.kind,
        );
    }
    for (l, c) in own_iter {
        push(&mut out, &mut prev, l, l, 0, &c, Kind::Stmt);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_a_small_file() {
        let src = "# head\nservice api {\n\n\n   replicas 1..3,start 2   # bounds\n  metric cpu in %\n\n  when cpu>80%   and\n   cpu < 99 %\n   scale out by 1 ,cooldown 2m\n  # tail\n}\n";
        let out = format_source(src, "api").unwrap_or_default();
        assert_eq!(
            out,
            "# head\nservice api {\n  replicas 1..3, start 2  # bounds\n  metric cpu in %\n\n  when cpu > 80% and cpu < 99% scale out by 1, cooldown 2m\n  # tail\n}\n"
        );
        assert_eq!(format_source(&out, "api").unwrap_or_default(), out);
    }

    #[test]
    fn syntax_errors_are_returned() {
        assert!(format_source("when cpu >", "x").is_err());
    }
}
