//! Stage 1: source text → typed AST ([`parse`]). Pest lives here and nowhere else.

pub mod ast;
mod cst_to_ast;
mod grammar;
pub mod lex;
mod nesting;

pub use nesting::{MAX_NESTING, MAX_PARENTHESES};

use crate::diagnostics::{did_you_mean, Code, Diagnostic, Sink};
use crate::span::Span;
use grammar::{describe, Rule, ScaleParser};
use pest::Parser;

/// How many syntax errors one file may report before the parser gives up.
const MAX_SYNTAX_ERRORS: usize = 10;

/// Parses a rule file. A file without a `service` block becomes one service named
/// `implicit_name` (the file stem). Syntax errors go to `sink`; `None` when there were any.
///
/// After a syntax error the parser blanks the offending line and tries again, so that
/// independent mistakes on later statements are reported in the same run; an error that
/// merely follows from the blanked line (one that does not start a statement) is dropped.
pub fn parse(src: &str, implicit_name: &str, sink: &mut Sink) -> Option<ast::File> {
    if let Some(d) = nesting::check_nesting(src) {
        sink.push(d);
        return None;
    }
    let mut text = src.to_string();
    let mut errors: Vec<Diagnostic> = Vec::new();
    loop {
        match ScaleParser::parse(Rule::file, &text) {
            Ok(mut pairs) => {
                if errors.is_empty() {
                    let Some(root) = pairs.next() else {
                        sink.push(Diagnostic::error(
                            Code::INTERNAL_ERROR,
                            "internal error: empty parse",
                            Span::new(0, 0),
                        ));
                        return None;
                    };
                    return match cst_to_ast::file(root, implicit_name) {
                        Ok(f) => Some(f),
                        Err(d) => {
                            sink.push(*d);
                            None
                        }
                    };
                }
                break;
            }
            Err(e) => {
                let d = syntax_error(src, &e);
                let pos = d.primary.span.start;
                let first = errors.is_empty();
                let repeated = errors.last().is_some_and(|e| e.primary.span.start == pos);
                if repeated || (!first && !starts_statement(src, pos)) {
                    break;
                }
                errors.push(d);
                // A statement keyword that opens its line, where the parser wanted more of
                // the statement before it: that earlier statement is the broken one.
                let line_start = text[..pos.min(text.len())].rfind('\n').map_or(0, |i| i + 1);
                let opens_line = text[line_start..pos.min(text.len())].trim().is_empty();
                let at = if opens_line && starts_statement(&text, pos) && line_start > 0 {
                    line_start - 1
                } else {
                    pos
                };
                if errors.len() >= MAX_SYNTAX_ERRORS || !blank_line_at(&mut text, at) {
                    break;
                }
            }
        }
    }
    for d in errors {
        sink.push(d);
    }
    None
}

/// Whether the line holding `pos` starts with a statement keyword (so an error there is
/// its own mistake, not the tail of a blanked statement).
fn starts_statement(src: &str, pos: usize) -> bool {
    let line_start = src[..pos.min(src.len())].rfind('\n').map_or(0, |i| i + 1);
    let first = src[line_start..].split_whitespace().next().unwrap_or("");
    grammar::STATEMENT_KEYWORDS.contains(&first) || first == "}"
}

/// Replaces the statement holding `pos` with spaces (offsets stay valid): from the last
/// line at or before `pos` that starts a statement, through the line holding `pos`. False
/// when that would change nothing.
fn blank_line_at(text: &mut String, pos: usize) -> bool {
    let pos = pos.min(text.len());
    let mut start = text[..pos].rfind('\n').map_or(0, |i| i + 1);
    let end = text[pos..].find('\n').map_or(text.len(), |i| pos + i);
    while start > 0 && !starts_statement(text, start) {
        start = text[..start - 1].rfind('\n').map_or(0, |i| i + 1);
    }
    if !starts_statement(text, start) {
        start = text[..pos].rfind('\n').map_or(0, |i| i + 1);
    }
    if text[start..end].trim().is_empty() {
        return false;
    }
    // One space per byte keeps every later offset valid; newlines stay.
    let blank: String = text[start..end]
        .bytes()
        .map(|b| if b == b'\n' { '\n' } else { ' ' })
        .collect();
    text.replace_range(start..end, &blank);
    true
}

/// The word (identifier) starting at `pos`, if any.
fn word_at(src: &str, pos: usize) -> Option<&str> {
    let rest = src.get(pos..)?;
    let len = rest
        .char_indices()
        .find(|(_, c)| !(c.is_ascii_alphanumeric() || *c == '_'))
        .map_or(rest.len(), |(i, _)| i);
    let w = &rest[..len];
    (!w.is_empty()
        && w.chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic() || c == '_'))
    .then_some(w)
}

/// Turns a pest error into an English diagnostic.
fn syntax_error(src: &str, e: &pest::error::Error<Rule>) -> Diagnostic {
    let pos = match e.location {
        pest::error::InputLocation::Pos(p) => p,
        pest::error::InputLocation::Span((s, _)) => s,
    };
    let positives: Vec<Rule> = match &e.variant {
        pest::error::ErrorVariant::ParsingError { positives, .. } => positives.clone(),
        pest::error::ErrorVariant::CustomError { .. } => Vec::new(),
    };
    // After `by`, the number pest wants is a scaling amount: say so.
    let before = src[..pos.min(src.len())].trim_end();
    let after_by = before.ends_with("by")
        && !before[..before.len() - 2].ends_with(|c: char| c.is_ascii_alphanumeric() || c == '_');
    let positives: Vec<Rule> = positives
        .into_iter()
        .map(|r| {
            if after_by && r == Rule::number {
                Rule::amount
            } else {
                r
            }
        })
        .collect();
    let at_end = src[pos.min(src.len())..].trim().is_empty();

    if at_end && positives.contains(&Rule::block_close) {
        if let Some(open) = unmatched_brace(src) {
            return Diagnostic::error(
                Code::UNTERMINATED_BLOCK,
                "unterminated block: this `{` is never closed",
                open,
            )
            .label("block opened here")
            .with_secondary(Span::new(src.len(), src.len()), "file ends here")
            .help("add a `}` after the block's last statement");
        }
    }

    let word = word_at(src, pos);

    // A new statement's keyword where the previous statement needed more: point at the
    // end of the incomplete statement, not at the innocent next line.
    let line_start = src[..pos.min(src.len())].rfind('\n').map_or(0, |i| i + 1);
    let opens_line = src[line_start..pos.min(src.len())].trim().is_empty();
    let statement_expected = positives
        .iter()
        .any(|r| matches!(r, Rule::kw_when | Rule::block_close));
    if let (Some(w), true, false) = (word, opens_line && line_start > 0, statement_expected) {
        if grammar::STATEMENT_KEYWORDS.contains(&w) {
            let before = src[..line_start].trim_end();
            let tok_start = before
                .rfind(|c: char| c.is_whitespace())
                .map_or(0, |i| i + 1);
            let prev = Span::new(tok_start, before.len());
            let mut expected: Vec<&str> = positives.iter().filter_map(|r| describe(*r)).collect();
            let mut seen = std::collections::HashSet::new();
            expected.retain(|x| seen.insert(*x));
            let mut d = Diagnostic::error(
                Code::SYNTAX_ERROR,
                format!(
                    "incomplete statement: expected {} after `{}`",
                    join_or(&expected),
                    prev.text(src)
                ),
                prev,
            )
            .label("the statement stops here")
            .with_secondary(
                Span::new(pos, pos + w.len()),
                "the next statement starts here",
            );
            if let Some(help) = syntax_help(src, pos, &positives) {
                d = d.help(help);
            }
            return d;
        }
    }

    let span = match word {
        Some(w) => Span::new(pos, pos + w.len()),
        None => Span::new(pos, (pos + next_char_len(src, pos)).min(src.len())),
    };

    // A misspelt keyword where a statement (or a keyword) must stand.
    let keyword_expected = positives.iter().any(|r| grammar::is_keyword(*r));
    if let (Some(w), true) = (word, keyword_expected) {
        let statement = positives.iter().any(|r| {
            matches!(
                r,
                Rule::kw_when | Rule::kw_replicas | Rule::kw_metric | Rule::kw_demand
            )
        });
        let pool = if statement {
            grammar::STATEMENT_KEYWORDS
        } else {
            grammar::ALL_KEYWORDS
        };
        let expected_words: Vec<&str> = positives
            .iter()
            .filter_map(|r| describe(*r))
            .filter_map(|d| d.strip_prefix('`').and_then(|d| d.strip_suffix('`')))
            .collect();
        let candidates: Vec<&str> = if statement {
            pool.to_vec()
        } else {
            expected_words
        };
        // `outward` for `out`: a keyword the word starts with is the likely meaning.
        let prefix = candidates
            .iter()
            .copied()
            .filter(|c| c.len() >= 2 && w.starts_with(c))
            .max_by_key(|c| c.len());
        if let Some(s) = prefix.or_else(|| did_you_mean(w, candidates.iter().copied())) {
            return Diagnostic::error(
                Code::UNKNOWN_KEYWORD,
                format!("unknown keyword `{w}`"),
                span,
            )
            .label("not a keyword here")
            .help(format!("did you mean `{s}`?"));
        }
        if statement {
            return Diagnostic::error(
                Code::UNKNOWN_KEYWORD,
                format!("unknown keyword `{w}`"),
                span,
            )
            .label("a statement cannot start with this word")
            .help(format!(
                "a statement starts with one of: {}",
                pool.iter()
                    .map(|k| format!("`{k}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
    }

    let mut expected: Vec<&str> = positives.iter().filter_map(|r| describe(*r)).collect();
    expected.dedup();
    let mut seen = std::collections::HashSet::new();
    expected.retain(|x| seen.insert(*x));
    let found = if at_end {
        "the end of the file".to_string()
    } else {
        match word {
            Some(w) => format!("`{w}`"),
            None => format!("`{}`", span.text(src)),
        }
    };
    let message = if expected.is_empty() {
        format!("unexpected {found}")
    } else {
        format!("expected {}, found {found}", join_or(&expected))
    };
    let mut d =
        Diagnostic::error(Code::SYNTAX_ERROR, message, span).label(if expected.is_empty() {
            "unexpected here".to_string()
        } else {
            format!("expected {}", join_or(&expected))
        });
    if let Some(help) = syntax_help(src, pos, &positives) {
        d = d.help(help);
    }
    d
}

/// Extra advice for the commonest slips.
fn syntax_help(src: &str, pos: usize, positives: &[Rule]) -> Option<String> {
    let rest = src.get(pos..).unwrap_or("");
    if positives.contains(&Rule::cmp_op) && (rest.starts_with("=") || rest.starts_with("=>")) {
        return Some("equality is written `==`; greater-or-equal is `>=`".into());
    }
    // A unit spelt out (`5 mins`, `30 seconds`): name the short form.
    let wants_unit = positives.contains(&Rule::time_unit) || positives.contains(&Rule::unit);
    if let (true, Some(w)) = (wants_unit, word_at(src, pos)) {
        let short = match w.to_ascii_lowercase().as_str() {
            "msec" | "msecs" | "millis" | "millisecond" | "milliseconds" => Some("ms"),
            "sec" | "secs" | "second" | "seconds" => Some("s"),
            "min" | "mins" | "minute" | "minutes" => Some("m"),
            "hr" | "hrs" | "hour" | "hours" => Some("h"),
            "day" | "days" => Some("d"),
            "pct" => Some("%"),
            _ => None,
        };
        if let Some(u) = short {
            let before = src[..pos].trim_end();
            let num = before
                .rsplit(|c: char| !(c.is_ascii_digit() || c == '.'))
                .next()
                .filter(|n| !n.is_empty())
                .unwrap_or("5");
            return Some(format!(
                "`{w}` is not a unit: write `{num}{u}` (units: ms, s, m, h, d, %, rps, rpm)"
            ));
        }
    }
    if positives.contains(&Rule::kw_scale) || positives.contains(&Rule::action) {
        return Some(
            "a rule ends with an action: `scale out by N`, `scale in by P%` or `scale to N`".into(),
        );
    }
    if positives.contains(&Rule::kw_by) {
        return Some(
            "write the amount after `by`, as in `scale out by 2` or `scale in by 25%`".into(),
        );
    }
    if positives.contains(&Rule::time_unit) {
        return Some("durations need a unit: `ms`, `s`, `m`, `h` or `d` (e.g. `5m`)".into());
    }
    None
}

fn next_char_len(src: &str, pos: usize) -> usize {
    src.get(pos..)
        .and_then(|s| s.chars().next())
        .map_or(0, char::len_utf8)
}

fn join_or(items: &[&str]) -> String {
    match items {
        [] => String::new(),
        [one] => (*one).to_string(),
        [init @ .., last] => format!("{} or {last}", init.join(", ")),
    }
}

/// The span of the last `{` without a matching `}` (comments and strings skipped).
fn unmatched_brace(src: &str) -> Option<Span> {
    let mut stack = Vec::new();
    let mut in_comment = false;
    let mut in_string = false;
    for (i, c) in src.char_indices() {
        match c {
            '\n' => {
                in_comment = false;
                in_string = false;
            }
            _ if in_comment => {}
            '"' => in_string = !in_string,
            _ if in_string => {}
            '#' => in_comment = true,
            '{' => stack.push(i),
            '}' => {
                stack.pop();
            }
            _ => {}
        }
    }
    stack.pop().map(|i| Span::new(i, i + 1))
}
