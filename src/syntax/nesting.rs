//! The nesting limit: a cheap, non-recursive scan of the source that runs before the
//! parser. The grammar, the syntax tree and every stage after it (check, lower, lint,
//! fmt, the evaluator) walk conditions recursively, so a condition thousands of levels
//! deep would overflow the stack. Like rustc's `recursion_limit`, a fixed limit turns that
//! into a diagnostic (E005) before any recursion starts.
//!
//! The scan over-approximates the depth of a condition's syntax tree: each `(`, each
//! `not`, and each `and`/`or` chained at the same level adds one (a chain of `and`s is a
//! left-leaning tree as deep as it is long). Comments and strings are skipped; a `when`
//! starts a new condition.

use crate::diagnostics::{Code, Diagnostic};
use crate::span::Span;

/// The deepest condition a rule file may hold, in levels of its syntax tree. Real
/// policies use a handful; the stages after the parser are tested at this depth.
pub const MAX_NESTING: usize = 128;

/// The most parentheses a condition may nest. Lower than [`MAX_NESTING`] because each
/// one costs the parser several recursive grammar rules (about 35 KB of stack per level in
/// a debug build, where a test thread has 2 MB).
pub const MAX_PARENTHESES: usize = 32;

/// The first place where a condition nests deeper than [`MAX_NESTING`] levels or
/// [`MAX_PARENTHESES`] parentheses, as an E005 diagnostic; `None` when the file stays
/// within the limits.
pub fn check_nesting(src: &str) -> Option<Diagnostic> {
    let mut scan = Scan::default();
    let bytes = src.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        match b {
            b'#' => {
                i = src[i..].find('\n').map_or(bytes.len(), |n| i + n);
                continue;
            }
            b'"' => {
                // A string ends at the next unescaped `"` or at the end of its line.
                let mut j = i + 1;
                while j < bytes.len() && bytes[j] != b'"' && bytes[j] != b'\n' {
                    j += if bytes[j] == b'\\' { 2 } else { 1 };
                }
                i = j + 1;
                scan.other();
                continue;
            }
            b'(' => {
                if let Some(d) = scan.open(Span::new(i, i + 1)) {
                    return Some(d);
                }
            }
            b')' => scan.close(),
            b'{' | b'}' => scan = Scan::default(),
            _ if b.is_ascii_alphabetic() || b == b'_' => {
                let end = src[i..]
                    .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                    .map_or(bytes.len(), |n| i + n);
                let span = Span::new(i, end);
                let found = match &src[i..end] {
                    "when" => {
                        scan = Scan::default();
                        None
                    }
                    "not" => scan.not(span),
                    "and" | "or" => scan.operator(span),
                    _ => {
                        scan.other();
                        None
                    }
                };
                if found.is_some() {
                    return found;
                }
                i = end;
                continue;
            }
            _ if b.is_ascii_whitespace() => {}
            _ => scan.other(),
        }
        i += 1;
    }
    None
}

/// The depth bookkeeping of one condition.
#[derive(Default)]
struct Scan {
    /// The enclosing levels' `base` and `operators`, one entry per open `(`.
    outer: Vec<(usize, usize)>,
    /// The depth at which the current level starts.
    base: usize,
    /// `and`/`or` operators seen so far at the current level.
    operators: usize,
    /// `not`s directly in front of what comes next.
    nots: usize,
}

impl Scan {
    fn depth(&self) -> usize {
        self.base + self.operators + self.nots
    }

    fn limit(&self, span: Span) -> Option<Diagnostic> {
        (self.depth() > MAX_NESTING).then(|| {
            too_deep(
                span,
                format!("this condition nests more than {MAX_NESTING} levels deep"),
            )
        })
    }

    fn open(&mut self, span: Span) -> Option<Diagnostic> {
        if self.outer.len() >= MAX_PARENTHESES {
            return Some(too_deep(
                span,
                format!("this condition nests more than {MAX_PARENTHESES} parentheses"),
            ));
        }
        self.outer.push((self.base, self.operators));
        self.base = self.depth() + 1;
        self.operators = 0;
        self.nots = 0;
        self.limit(span)
    }

    fn close(&mut self) {
        (self.base, self.operators) = self.outer.pop().unwrap_or((0, 0));
        self.nots = 0;
    }

    fn not(&mut self, span: Span) -> Option<Diagnostic> {
        self.nots += 1;
        self.limit(span)
    }

    fn operator(&mut self, span: Span) -> Option<Diagnostic> {
        self.operators += 1;
        self.nots = 0;
        self.limit(span)
    }

    fn other(&mut self) {
        self.nots = 0;
    }
}

fn too_deep(span: Span, message: String) -> Diagnostic {
    Diagnostic::error(Code::NESTING_TOO_DEEP, message, span)
        .label("one level too many")
        .help(format!(
            "each `(`, `not`, `and` and `or` adds a level to a condition: at most \
             {MAX_NESTING} levels and {MAX_PARENTHESES} nested parentheses are allowed; split \
             the rule into several rules, or drop redundant parentheses and double negations"
        ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(cond: &str) -> String {
        format!("replicas 1..3\nwhen {cond} scale out by 1\n")
    }

    #[test]
    fn parentheses_and_nots_count() {
        let ok = format!(
            "{}a > 1{}",
            "(".repeat(MAX_PARENTHESES),
            ")".repeat(MAX_PARENTHESES)
        );
        assert!(check_nesting(&rule(&ok)).is_none());
        let deep = format!("{}a > 1{}", "(".repeat(5000), ")".repeat(5000));
        let d = check_nesting(&rule(&deep)).expect("too deep");
        assert_eq!(d.code, Code::NESTING_TOO_DEEP);
        let src = rule(&deep);
        // The primary label sits on the first `(` past the limit.
        assert_eq!(
            d.primary.span.start,
            "replicas 1..3\nwhen ".len() + MAX_PARENTHESES
        );
        assert_eq!(d.primary.span.text(&src), "(");
        assert_eq!(d.message, "this condition nests more than 32 parentheses");
        // Side by side, parentheses do not nest.
        let flat = vec!["(a > 1)"; 100].join(" or ");
        assert!(check_nesting(&rule(&flat)).is_none());
        assert!(check_nesting(&rule(&format!("{}a > 1", "not ".repeat(MAX_NESTING)))).is_none());
        let d = check_nesting(&rule(&format!("{}a > 1", "not ".repeat(10_000)))).expect("deep");
        assert_eq!(d.message, "this condition nests more than 128 levels deep");
        assert!(check_nesting(&rule(&"not (".repeat(MAX_PARENTHESES + 1))).is_some());
    }

    #[test]
    fn long_chains_count_but_separate_rules_do_not() {
        let chain = vec!["a > 1"; MAX_NESTING + 2].join(" and ");
        assert!(check_nesting(&rule(&chain)).is_some());
        let chain = vec!["(a > 1)"; MAX_NESTING + 2].join(" or ");
        assert!(check_nesting(&rule(&chain)).is_some());
        let chain = vec!["(a > 1)"; MAX_NESTING].join(" or ");
        assert!(check_nesting(&rule(&chain)).is_none());
        let chain = vec!["avg(a, 5m) > 1"; MAX_NESTING].join(" or ");
        assert!(check_nesting(&rule(&chain)).is_none());
        let many_rules: String = (0..1000)
            .map(|_| rule("a > 1 and b > 2 or not c < 3"))
            .collect();
        assert!(check_nesting(&many_rules).is_none());
    }

    #[test]
    fn comments_strings_and_words_are_not_operators() {
        let src = format!(
            "metric x = column \"{}\"\n# {}\nreplicas 1..3\nwhen order > 1 and android > 2 scale out by 1\n",
            "(".repeat(1000),
            "not ".repeat(1000)
        );
        assert!(check_nesting(&src).is_none());
        // Unbalanced closers are harmless.
        assert!(check_nesting(&rule(")))) a > 1")).is_none());
    }
}
