//! A small YAML tree that keeps the position of every node, built from `saphyr-parser`'s
//! events, and a deterministic emitter (`kubectl`'s block style) for export.
//!
//! Scalars keep their text and whether they were quoted: the typed readers in
//! [`manifest`](super::manifest) decide what a scalar means for the field it fills, as
//! Kubernetes' decoders do (a quoted `"5"` is a string; a plain `5` is a number). Anchors
//! and aliases are resolved by copying; tags are ignored. Duplicate keys are kept in the
//! tree and reported by [`duplicate_keys`].

mod emit;

pub use emit::emit_stream;

use crate::span::Span;
use saphyr_parser::{Event, Marker, Parser, ScalarStyle};
use std::fmt;

/// Where a node starts: 1-based line and column (in characters), and its byte range.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Loc {
    pub span: Span,
    pub line: usize,
    pub column: usize,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Node {
    pub value: Value,
    /// `Loc::default()` for a node built by export.
    pub loc: Loc,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    Scalar(Scalar),
    Seq(Vec<Node>),
    Map(Vec<Entry>),
}

#[derive(Clone, Debug, PartialEq)]
pub struct Entry {
    pub key: String,
    pub key_loc: Loc,
    pub value: Node,
}

/// A scalar's text and whether it is certainly a string (quoted or a block scalar).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Scalar {
    pub text: String,
    pub quoted: bool,
}

impl Scalar {
    /// YAML 1.2 core schema null: a plain `null`, `~` or nothing.
    pub fn is_null(&self) -> bool {
        !self.quoted && matches!(self.text.as_str(), "" | "~" | "null" | "Null" | "NULL")
    }

    /// A plain whole number (decimal, `0x…`, `0o…`), as the core schema reads it.
    pub fn as_int(&self) -> Option<i64> {
        if self.quoted {
            return None;
        }
        let t = self.text.as_str();
        let (neg, digits) = match t.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, t.strip_prefix('+').unwrap_or(t)),
        };
        let magnitude = if let Some(hex) = digits.strip_prefix("0x") {
            i64::from_str_radix(hex, 16).ok()?
        } else if let Some(oct) = digits.strip_prefix("0o") {
            i64::from_str_radix(oct, 8).ok()?
        } else if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) {
            digits.parse().ok()?
        } else {
            return None;
        };
        Some(if neg { -magnitude } else { magnitude })
    }

    /// A plain `true`/`false` (any of the core schema's spellings).
    pub fn as_bool(&self) -> Option<bool> {
        if self.quoted {
            return None;
        }
        match self.text.as_str() {
            "true" | "True" | "TRUE" => Some(true),
            "false" | "False" | "FALSE" => Some(false),
            _ => None,
        }
    }

    /// A plain number of any kind (int or float), as the core schema reads it.
    pub fn is_number(&self) -> bool {
        !self.quoted
            && (self.as_int().is_some()
                || (self.text.parse::<f64>().is_ok()
                    && self.text.bytes().any(|b| b.is_ascii_digit())))
    }
}

impl Node {
    fn at(value: Value, loc: Loc) -> Node {
        Node { value, loc }
    }

    /// A string scalar (export): quoted on output only when plain text would mean
    /// something else.
    pub fn string(s: impl Into<String>) -> Node {
        Node::at(
            Value::Scalar(Scalar {
                text: s.into(),
                quoted: true,
            }),
            Loc::default(),
        )
    }

    /// A plain scalar written as is (numbers and booleans in export).
    pub fn plain(s: impl Into<String>) -> Node {
        Node::at(
            Value::Scalar(Scalar {
                text: s.into(),
                quoted: false,
            }),
            Loc::default(),
        )
    }

    pub fn int(i: i64) -> Node {
        Node::plain(i.to_string())
    }

    pub fn bool(b: bool) -> Node {
        Node::plain(if b { "true" } else { "false" })
    }

    pub fn seq(items: Vec<Node>) -> Node {
        Node::at(Value::Seq(items), Loc::default())
    }

    pub fn map(entries: Vec<(&str, Node)>) -> Node {
        Node::at(
            Value::Map(
                entries
                    .into_iter()
                    .map(|(k, value)| Entry {
                        key: k.to_string(),
                        key_loc: Loc::default(),
                        value,
                    })
                    .collect(),
            ),
            Loc::default(),
        )
    }

    /// A mapping with owned keys (labels, annotations, trigger metadata).
    pub fn map_owned(entries: Vec<(String, Node)>) -> Node {
        Node::at(
            Value::Map(
                entries
                    .into_iter()
                    .map(|(key, value)| Entry {
                        key,
                        key_loc: Loc::default(),
                        value,
                    })
                    .collect(),
            ),
            Loc::default(),
        )
    }

    pub fn scalar(&self) -> Option<&Scalar> {
        match &self.value {
            Value::Scalar(s) => Some(s),
            _ => None,
        }
    }

    pub fn is_null(&self) -> bool {
        self.scalar().is_some_and(Scalar::is_null)
    }

    /// The first entry for `key` in a mapping.
    pub fn get(&self, key: &str) -> Option<&Entry> {
        match &self.value {
            Value::Map(entries) => entries.iter().find(|e| e.key == key),
            _ => None,
        }
    }

    /// The node at `path`, if there is one.
    pub fn lookup(&self, path: &Path) -> Option<&Node> {
        let mut node = self;
        for seg in &path.0 {
            node = match (seg, &node.value) {
                (Seg::Key(k), Value::Map(_)) => &node.get(k)?.value,
                (Seg::Index(i), Value::Seq(items)) => items.get(*i)?,
                _ => return None,
            };
        }
        Some(node)
    }

    /// The position of the node at `path`, or of its deepest existing ancestor (a missing
    /// field is reported where it should have been).
    /// A field is placed at its key: line and column of the key, span from the key to the
    /// end of its value.
    pub fn locate(&self, path: &Path) -> Loc {
        let mut node = self;
        let mut loc = self.loc;
        for seg in &path.0 {
            match (seg, &node.value) {
                (Seg::Key(k), Value::Map(_)) => match node.get(k) {
                    Some(e) => {
                        node = &e.value;
                        let end = e.value.loc.span.end.max(e.key_loc.span.end);
                        loc = Loc {
                            span: Span::new(e.key_loc.span.start, end),
                            ..e.key_loc
                        };
                    }
                    None => break,
                },
                (Seg::Index(i), Value::Seq(items)) => match items.get(*i) {
                    Some(n) => {
                        node = n;
                        loc = n.loc;
                    }
                    None => break,
                },
                _ => break,
            }
        }
        loc
    }

    /// What a reader calls this node's kind in "expected a mapping, found a list".
    pub fn kind_name(&self) -> &'static str {
        match &self.value {
            Value::Scalar(s) if s.is_null() => "nothing (null)",
            Value::Scalar(s) if s.as_bool().is_some() => "a boolean",
            Value::Scalar(s) if s.is_number() => "a number",
            Value::Scalar(_) => "a string",
            Value::Seq(_) => "a list",
            Value::Map(_) => "a mapping",
        }
    }
}

/// A field path in a document: `spec.metrics[2].object.describedObject`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Path(Vec<Seg>);

#[derive(Clone, Debug, PartialEq, Eq)]
enum Seg {
    Key(String),
    Index(usize),
}

impl Path {
    pub fn root() -> Path {
        Path(Vec::new())
    }

    pub fn key(&self, k: &str) -> Path {
        let mut p = self.clone();
        p.0.push(Seg::Key(k.to_string()));
        p
    }

    pub fn index(&self, i: usize) -> Path {
        let mut p = self.clone();
        p.0.push(Seg::Index(i));
        p
    }
}

impl fmt::Display for Path {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.is_empty() {
            return f.write_str("(document)");
        }
        for (i, seg) in self.0.iter().enumerate() {
            match seg {
                Seg::Key(k) if is_simple_key(k) => {
                    if i > 0 {
                        f.write_str(".")?;
                    }
                    f.write_str(k)?;
                }
                Seg::Key(k) => write!(f, "[{k:?}]")?,
                Seg::Index(n) => write!(f, "[{n}]")?,
            }
        }
        Ok(())
    }
}

fn is_simple_key(k: &str) -> bool {
    !k.is_empty()
        && k.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

/// One document of a stream: its root node, and the position of its start (for
/// diagnostics about the document as a whole).
#[derive(Clone, Debug, PartialEq)]
pub struct Document {
    pub root: Node,
    /// 0-based position in the stream, counting empty documents.
    pub index: usize,
}

/// The YAML does not parse.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SyntaxError {
    pub message: String,
    pub loc: Loc,
}

/// Every non-empty document of a multi-document stream.
pub fn parse_stream(src: &str) -> Result<Vec<Document>, SyntaxError> {
    let mut b = Builder::new(src);
    let mut parser = Parser::new_from_str(src);
    while let Some(ev) = parser.next_event() {
        match ev {
            Ok((event, span)) => b.event(event, span.start, span.end),
            Err(e) => {
                return Err(SyntaxError {
                    message: e.info().to_string(),
                    loc: b.loc(*e.marker(), *e.marker()),
                })
            }
        }
    }
    Ok(b.docs)
}

/// The builder's stack frame: a collection being filled.
enum Frame {
    Seq {
        items: Vec<Node>,
        start: Marker,
        anchor: usize,
    },
    Map {
        entries: Vec<Entry>,
        key: Option<(String, Loc)>,
        start: Marker,
        anchor: usize,
    },
}

struct Builder<'s> {
    src: &'s str,
    /// Byte offset of each character, when the text is not ASCII (markers count chars).
    char_bytes: Option<Vec<usize>>,
    stack: Vec<Frame>,
    anchors: std::collections::HashMap<usize, Node>,
    docs: Vec<Document>,
    doc_index: usize,
}

impl<'s> Builder<'s> {
    fn new(src: &'s str) -> Self {
        let char_bytes = (!src.is_ascii()).then(|| {
            src.char_indices()
                .map(|(i, _)| i)
                .chain(std::iter::once(src.len()))
                .collect()
        });
        Builder {
            src,
            char_bytes,
            stack: Vec::new(),
            anchors: Default::default(),
            docs: Vec::new(),
            doc_index: 0,
        }
    }

    fn byte(&self, m: Marker) -> usize {
        let b = match &self.char_bytes {
            Some(v) => v.get(m.index()).copied().unwrap_or(self.src.len()),
            None => m.index(),
        };
        b.min(self.src.len())
    }

    fn loc(&self, start: Marker, end: Marker) -> Loc {
        let (s, e) = (self.byte(start), self.byte(end));
        Loc {
            span: Span::new(s, e.max(s)),
            line: start.line(),
            column: start.col() + 1,
        }
    }

    fn event(&mut self, event: Event<'_>, start: Marker, end: Marker) {
        match event {
            Event::DocumentEnd => self.doc_index += 1,
            Event::Scalar(text, style, anchor, _tag) => {
                let node = Node::at(
                    Value::Scalar(Scalar {
                        text: text.into_owned(),
                        quoted: style != ScalarStyle::Plain,
                    }),
                    self.loc(start, end),
                );
                self.push(node, anchor);
            }
            Event::Alias(id) => {
                let node = match self.anchors.get(&id) {
                    Some(n) => n.clone(),
                    None => Node::at(
                        Value::Scalar(Scalar {
                            text: String::new(),
                            quoted: false,
                        }),
                        self.loc(start, end),
                    ),
                };
                self.push(node, 0);
            }
            Event::SequenceStart(anchor, _) => self.stack.push(Frame::Seq {
                items: Vec::new(),
                start,
                anchor,
            }),
            Event::MappingStart(anchor, _) => self.stack.push(Frame::Map {
                entries: Vec::new(),
                key: None,
                start,
                anchor,
            }),
            Event::SequenceEnd | Event::MappingEnd => {
                let (value, s, anchor) = match self.stack.pop() {
                    Some(Frame::Seq {
                        items,
                        start,
                        anchor,
                    }) => (Value::Seq(items), start, anchor),
                    Some(Frame::Map {
                        entries,
                        start,
                        anchor,
                        ..
                    }) => (Value::Map(entries), start, anchor),
                    None => return,
                };
                let loc = self.loc(s, end);
                self.push(Node::at(value, loc), anchor);
            }
            _ => {}
        }
    }

    fn push(&mut self, node: Node, anchor: usize) {
        if anchor != 0 {
            self.anchors.insert(anchor, node.clone());
        }
        match self.stack.last_mut() {
            None => {
                if !node.is_null() {
                    self.docs.push(Document {
                        root: node,
                        index: self.doc_index,
                    });
                }
            }
            Some(Frame::Seq { items, .. }) => items.push(node),
            Some(Frame::Map { entries, key, .. }) => match key.take() {
                None => {
                    // A key: a mapping or list used as a key becomes its text position
                    // only (Kubernetes manifests have string keys); the reader reports it
                    // as an unknown field.
                    let text = match &node.value {
                        Value::Scalar(s) => s.text.clone(),
                        _ => node.loc.span.text(self.src).to_string(),
                    };
                    *key = Some((text, node.loc));
                }
                Some((k, key_loc)) => entries.push(Entry {
                    key: k,
                    key_loc,
                    value: node,
                }),
            },
        }
    }
}

/// Keys written twice in one mapping, anywhere in the tree: (path of the second one, its
/// position, the line of the first).
pub fn duplicate_keys(root: &Node) -> Vec<(Path, Loc, usize)> {
    let mut out = Vec::new();
    walk_duplicates(root, &Path::root(), &mut out);
    out
}

fn walk_duplicates(node: &Node, path: &Path, out: &mut Vec<(Path, Loc, usize)>) {
    match &node.value {
        Value::Scalar(_) => {}
        Value::Seq(items) => {
            for (i, n) in items.iter().enumerate() {
                walk_duplicates(n, &path.index(i), out);
            }
        }
        Value::Map(entries) => {
            for (i, e) in entries.iter().enumerate() {
                let p = path.key(&e.key);
                if let Some(first) = entries[..i].iter().find(|f| f.key == e.key) {
                    out.push((p.clone(), e.key_loc, first.key_loc.line));
                }
                walk_duplicates(&e.value, &p, out);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn first(src: &str) -> Node {
        parse_stream(src).unwrap().remove(0).root
    }

    #[test]
    fn positions_are_lines_columns_and_bytes() {
        let src = "a:\n  b: [1, 2]\n  é: x\n  c: \"q\"\n";
        let root = first(src);
        let a = &root.get("a").unwrap().value;
        let c = a.get("c").unwrap();
        assert_eq!((c.value.loc.line, c.value.loc.column), (4, 6));
        assert_eq!(c.value.loc.span.text(src), "\"q\"");
        assert_eq!(c.key_loc.span.text(src), "c");
        assert!(c.value.scalar().unwrap().quoted);
        let e = a.get("é").unwrap();
        assert_eq!(e.value.loc.span.text(src), "x");
    }

    #[test]
    fn streams_skip_empty_documents_and_keep_their_index() {
        let docs = parse_stream("---\na: 1\n---\n---\nb: 2\n...\n").unwrap();
        assert_eq!(docs.len(), 2);
        assert_eq!(docs[1].root.get("b").unwrap().value.loc.line, 5);
    }

    #[test]
    fn aliases_copy_their_anchor() {
        let root = first("x: &v {k: 1}\ny: *v\n");
        assert_eq!(
            root.get("y")
                .unwrap()
                .value
                .get("k")
                .unwrap()
                .value
                .scalar(),
            Some(&Scalar {
                text: "1".into(),
                quoted: false
            })
        );
    }

    #[test]
    fn duplicate_keys_are_found_with_their_paths() {
        let root = first("spec:\n  a: 1\n  a: 2\n");
        let d = duplicate_keys(&root);
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].0.to_string(), "spec.a");
        assert_eq!((d[0].1.line, d[0].2), (3, 2));
    }

    #[test]
    fn syntax_errors_have_a_position() {
        let e = parse_stream("a: [1, 2\nb: 3\n").unwrap_err();
        assert!(e.loc.line >= 1, "{e:?}");
    }

    #[test]
    fn scalars_read_as_the_core_schema_does() {
        let s = |t: &str, q| Scalar {
            text: t.into(),
            quoted: q,
        };
        assert_eq!(s("42", false).as_int(), Some(42));
        assert_eq!(s("-0x10", false).as_int(), Some(-16));
        assert_eq!(s("42", true).as_int(), None);
        assert_eq!(s("4.5", false).as_int(), None);
        assert!(s("4.5", false).is_number());
        assert!(!s("inf", false).is_number());
        assert!(s("~", false).is_null());
        assert_eq!(s("True", false).as_bool(), Some(true));
    }

    #[test]
    fn paths_print_like_kubectl_explain() {
        let p = Path::root()
            .key("spec")
            .key("metrics")
            .index(2)
            .key("object");
        assert_eq!(p.to_string(), "spec.metrics[2].object");
        let l = Path::root()
            .key("metadata")
            .key("labels")
            .key("app.kubernetes.io/name");
        assert_eq!(l.to_string(), "metadata.labels[\"app.kubernetes.io/name\"]");
    }

    #[test]
    fn emitted_text_reads_back_as_the_same_tree() {
        let tree = Node::map(vec![
            ("apiVersion", Node::string("autoscaling/v2")),
            (
                "spec",
                Node::map(vec![
                    ("maxReplicas", Node::int(10)),
                    (
                        "metrics",
                        Node::seq(vec![Node::map(vec![
                            ("type", Node::string("Pods")),
                            ("value", Node::string("25")),
                            ("averageValue", Node::string("512Mi")),
                            ("x", Node::string("1e3")),
                            ("yes", Node::string("no")),
                            ("q", Node::string("sum(rate(x[2m])) > 0: \"a\"\n")),
                        ])]),
                    ),
                    ("empty", Node::map(vec![])),
                    ("list", Node::seq(vec![Node::string("a"), Node::int(1)])),
                ]),
            ),
        ]);
        let text = emit_stream(&[tree.clone(), tree.clone()]);
        insta::assert_snapshot!(text, @r#"
        apiVersion: autoscaling/v2
        spec:
          maxReplicas: 10
          metrics:
          - type: Pods
            value: "25"
            averageValue: 512Mi
            x: "1e3"
            "yes": "no"
            q: "sum(rate(x[2m])) > 0: \"a\"\n"
          empty: {}
          list:
          - a
          - 1
        ---
        apiVersion: autoscaling/v2
        spec:
          maxReplicas: 10
          metrics:
          - type: Pods
            value: "25"
            averageValue: 512Mi
            x: "1e3"
            "yes": "no"
            q: "sum(rate(x[2m])) > 0: \"a\"\n"
          empty: {}
          list:
          - a
          - 1
        "#);
        let back = parse_stream(&text).unwrap();
        assert_eq!(back.len(), 2);
        assert!(same_tree(&back[0].root, &tree));
    }

    fn same_tree(a: &Node, b: &Node) -> bool {
        match (&a.value, &b.value) {
            (Value::Scalar(x), Value::Scalar(y)) => x.text == y.text,
            (Value::Seq(x), Value::Seq(y)) => {
                x.len() == y.len() && x.iter().zip(y).all(|(p, q)| same_tree(p, q))
            }
            (Value::Map(x), Value::Map(y)) => {
                x.len() == y.len()
                    && x.iter()
                        .zip(y)
                        .all(|(p, q)| p.key == q.key && same_tree(&p.value, &q.value))
            }
            _ => false,
        }
    }
}
