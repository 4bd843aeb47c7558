//! YAML text from a tree, in `kubectl`'s block style.

use super::{Entry, Node, Value};

/// Documents as YAML text, separated by `---`, in `kubectl`'s block style: two spaces per
/// level, list items at the indentation of their key, keys in the order given.
pub fn emit_stream(docs: &[Node]) -> String {
    let mut out = String::new();
    for (i, d) in docs.iter().enumerate() {
        if i > 0 {
            out.push_str("---\n");
        }
        emit_block(&mut out, d, 0);
    }
    out
}

fn emit_block(out: &mut String, node: &Node, indent: usize) {
    match &node.value {
        Value::Map(entries) if !entries.is_empty() => {
            for e in entries {
                out.push_str(&" ".repeat(indent));
                emit_entry(out, e, indent);
            }
        }
        Value::Seq(items) if !items.is_empty() => {
            for item in items {
                out.push_str(&" ".repeat(indent));
                emit_item(out, item, indent);
            }
        }
        _ => {
            out.push_str(&inline(node));
            out.push('\n');
        }
    }
}

/// `key: value` where the line's indentation is already written.
fn emit_entry(out: &mut String, e: &Entry, indent: usize) {
    out.push_str(&scalar_text(&e.key, true));
    out.push(':');
    match &e.value.value {
        Value::Map(m) if !m.is_empty() => {
            out.push('\n');
            emit_block(out, &e.value, indent + 2);
        }
        Value::Seq(s) if !s.is_empty() => {
            out.push('\n');
            emit_block(out, &e.value, indent);
        }
        _ => {
            out.push(' ');
            out.push_str(&inline(&e.value));
            out.push('\n');
        }
    }
}

/// `- item` where the line's indentation is already written.
fn emit_item(out: &mut String, item: &Node, indent: usize) {
    match &item.value {
        Value::Map(entries) if !entries.is_empty() => {
            out.push_str("- ");
            for (i, e) in entries.iter().enumerate() {
                if i > 0 {
                    out.push_str(&" ".repeat(indent + 2));
                }
                emit_entry(out, e, indent + 2);
            }
        }
        Value::Seq(s) if !s.is_empty() => {
            out.push_str("-\n");
            emit_block(out, item, indent + 2);
        }
        _ => {
            out.push_str("- ");
            out.push_str(&inline(item));
            out.push('\n');
        }
    }
}

fn inline(node: &Node) -> String {
    match &node.value {
        Value::Scalar(s) => scalar_text(&s.text, s.quoted),
        Value::Seq(_) => "[]".into(),
        Value::Map(_) => "{}".into(),
    }
}

/// A scalar's text: a plain scalar as is; a string plain when that reads back as the same
/// string, else double-quoted.
fn scalar_text(text: &str, is_string: bool) -> String {
    if !is_string || plain_is_string(text) {
        return text.to_string();
    }
    let mut q = String::from("\"");
    for c in text.chars() {
        match c {
            '"' => q.push_str("\\\""),
            '\\' => q.push_str("\\\\"),
            '\n' => q.push_str("\\n"),
            '\t' => q.push_str("\\t"),
            c if c.is_control() => q.push_str(&format!("\\u{:04x}", c as u32)),
            c => q.push(c),
        }
    }
    q.push('"');
    q
}

/// Whether `text` written plain reads back as this string in YAML 1.1 and 1.2 alike
/// (so neither a number, a boolean nor null, and no indicator characters).
fn plain_is_string(text: &str) -> bool {
    const WORDS: &[&str] = &[
        "null", "~", "true", "false", "yes", "no", "on", "off", "y", "n",
    ];
    let Some(first) = text.chars().next() else {
        return false;
    };
    if first.is_ascii_digit() {
        return is_suffixed_number(text);
    }
    if !(first.is_ascii_alphabetic() || first == '_' || first == '/') {
        return false;
    }
    if WORDS.contains(&text.to_ascii_lowercase().as_str()) || text.ends_with([' ', ':']) {
        return false;
    }
    if text.contains(": ") || text.contains(" #") {
        return false;
    }
    text.chars()
        .all(|c| c.is_ascii_alphanumeric() || "_./-()[]=*$+<>,: ".contains(c))
}

/// `512Mi`, `500m`, `1.5k`: digits, at most one `.`, then letters that cannot make a YAML
/// number (no exponent, hex, octal or binary marker) — a string in YAML 1.1 and 1.2, which
/// `kubectl` prints plain.
fn is_suffixed_number(text: &str) -> bool {
    let number_end = text
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(text.len());
    let (number, suffix) = text.split_at(number_end);
    number.matches('.').count() <= 1
        && !number.ends_with('.')
        && !suffix.is_empty()
        && suffix.chars().all(|c| c.is_ascii_alphabetic())
        && !suffix.starts_with(['e', 'E', 'x', 'X', 'o', 'O', 'b', 'B'])
        && !matches!(suffix.to_ascii_lowercase().as_str(), "inf" | "nan")
}
