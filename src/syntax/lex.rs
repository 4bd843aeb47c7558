//! The lexical facts the parser drops: comments and string escapes. The one place that
//! knows where a `#` comment starts, and so where a statement's text really ends; spans,
//! rule texts, the formatter, the linter and `# allow(...)` comments all ask here. It also
//! reads and writes string literals (`unescape`, `quote`) for the parser and formatter.

use crate::span::Span;

/// The byte offset of the `#` starting a comment on this line, if any (a `#` inside a
/// string does not count).
pub fn comment_start(line: &str) -> Option<usize> {
    let mut in_string = false;
    let mut escaped = false;
    for (i, c) in line.char_indices() {
        match c {
            _ if escaped => escaped = false,
            '\\' if in_string => escaped = true,
            '"' => in_string = !in_string,
            '#' if !in_string => return Some(i),
            _ => {}
        }
    }
    None
}

/// The text of a string literal's body: `\"` is a quote, `\\` a backslash; any other
/// backslash stays as it is (so `\d` in a PromQL regex needs no doubling).
pub fn unescape(body: &str) -> String {
    let mut out = String::with_capacity(body.len());
    let mut chars = body.chars().peekable();
    while let Some(ch) = chars.next() {
        if ch == '\\' {
            if let Some(&next @ ('"' | '\\')) = chars.peek() {
                out.push(next);
                chars.next();
                continue;
            }
        }
        out.push(ch);
    }
    out
}

/// `text` as a string literal, quotes included: the inverse of [`unescape`].
pub fn quote(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for ch in text.chars() {
        if matches!(ch, '"' | '\\') {
            out.push('\\');
        }
        out.push(ch);
    }
    out.push('"');
    out
}

/// One line split into code and comment (`#` included), both trimmed at the end.
pub fn split_comment(line: &str) -> (&str, Option<&str>) {
    match comment_start(line) {
        Some(i) => (line[..i].trim_end(), Some(line[i..].trim_end())),
        None => (line.trim_end(), None),
    }
}

/// `text` without the white space, comments and comment-only lines at its end: the
/// code a grammar node really covers (pest lets a node take in the trivia after it).
pub fn trim_code_end(text: &str) -> &str {
    let mut text = text.trim_end();
    loop {
        let line_start = text.rfind('\n').map_or(0, |i| i + 1);
        match comment_start(&text[line_start..]) {
            Some(i) => text = text[..line_start + i].trim_end(),
            None => return text,
        }
    }
}

/// `span` shortened to end with its last character of code (see [`trim_code_end`]).
pub fn trim_span(src: &str, span: Span) -> Span {
    Span::new(span.start, span.start + trim_code_end(span.text(src)).len())
}

/// Source text without comments, runs of white space (newlines too) folded to one
/// space: a statement as one line, for reports and the formatter.
pub fn fold_ws(text: &str) -> String {
    text.lines()
        .map(|line| comment_start(line).map_or(line, |i| &line[..i]))
        .flat_map(str::split_whitespace)
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hash_in_string_is_not_a_comment() {
        assert_eq!(comment_start(r##"metric a = column "x#y" # c"##), Some(24));
        assert_eq!(
            split_comment("when a > 1 scale out by 1  # go "),
            ("when a > 1 scale out by 1", Some("# go"))
        );
        assert_eq!(comment_start("no comment"), None);
    }

    #[test]
    fn escaped_quote_does_not_end_a_string() {
        let line = r##"metric a = promql "x{l=\"#\"}" # c"##;
        assert_eq!(comment_start(line), Some(line.len() - 3));
        assert_eq!(comment_start(r##"column "a\\" # c"##), Some(13));
    }

    #[test]
    fn strings_round_trip_through_quote_and_unescape() {
        for text in [r#"a"b"#, r"a\b", r"\d+", "", r#"\""#, "plain"] {
            let quoted = quote(text);
            assert_eq!(unescape(&quoted[1..quoted.len() - 1]), text);
        }
        assert_eq!(quote(r#"x{a="b\c"}"#), r#""x{a=\"b\\c\"}""#);
        assert_eq!(unescape(r"\d"), r"\d");
    }

    #[test]
    fn trims_trailing_blank_and_comment_lines() {
        let src = "when x > 1 scale out by 1  # why\n  # c\n\nnext";
        let s = trim_span(src, Span::new(0, 40));
        assert_eq!(s.text(src), "when x > 1 scale out by 1");
        assert_eq!(trim_span("ab", Span::new(0, 2)).text("ab"), "ab");
        assert_eq!(trim_code_end("# only a comment\n"), "");
        assert_eq!(
            trim_code_end(r##"metric a = column "x#y"  "##),
            r##"metric a = column "x#y""##
        );
    }

    #[test]
    fn folds_white_space_and_drops_comments() {
        assert_eq!(
            fold_ws("when cpu > 80%  # hot\n   for 5m\tscale out by 2"),
            "when cpu > 80% for 5m scale out by 2"
        );
        assert_eq!(fold_ws(r##"column "a#b" # c"##), r##"column "a#b""##);
    }
}
