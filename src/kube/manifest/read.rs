//! Typed reading of YAML nodes, reporting every problem with its field path and position:
//! wrong types (E404), missing required fields (E403), unknown fields (W401).

use super::super::diagnostic::ImportDiagnostic;
use super::super::quantity::Quantity;
use super::super::yaml::{Node, Path, Value};
use crate::diagnostics::Code;

/// Collects the diagnostics of one document.
pub struct Reader<'d> {
    /// The document, to place a missing field at its parent's key.
    root: &'d Node,
    pub diags: Vec<ImportDiagnostic>,
}

impl<'d> Reader<'d> {
    pub fn new(root: &'d Node) -> Self {
        Reader {
            root,
            diags: Vec::new(),
        }
    }

    pub fn push(&mut self, d: ImportDiagnostic) {
        self.diags.push(d);
    }

    fn wrong_type(&mut self, node: &Node, path: &Path, expected: &str) {
        self.push(
            ImportDiagnostic::error(
                Code::WRONG_FIELD_TYPE,
                path.to_string(),
                format!("expected {expected}, found {}", node.kind_name()),
            )
            .at(node.loc),
        );
    }

    pub fn string(&mut self, node: &Node, path: &Path) -> Option<String> {
        match &node.value {
            Value::Scalar(s) if !s.is_null() => Some(s.text.clone()),
            _ => {
                self.wrong_type(node, path, "a string");
                None
            }
        }
    }

    /// A whole number that fits an `int32`, as the API's integer fields do.
    pub fn int32(&mut self, node: &Node, path: &Path) -> Option<i32> {
        match node.scalar().and_then(|s| s.as_int()) {
            Some(i) => match i32::try_from(i) {
                Ok(v) => Some(v),
                Err(_) => {
                    self.push(
                        ImportDiagnostic::error(
                            Code::INVALID_FIELD_VALUE,
                            path.to_string(),
                            format!("{i} does not fit a 32-bit integer"),
                        )
                        .at(node.loc),
                    );
                    None
                }
            },
            None => {
                let quoted_int = node
                    .scalar()
                    .is_some_and(|s| s.quoted && s.text.parse::<i64>().is_ok());
                let mut d = ImportDiagnostic::error(
                    Code::WRONG_FIELD_TYPE,
                    path.to_string(),
                    format!("expected a whole number, found {}", node.kind_name()),
                )
                .at(node.loc);
                if quoted_int {
                    d = d.help("remove the quotes: this field is an integer, not a string");
                }
                self.push(d);
                None
            }
        }
    }

    pub fn bool(&mut self, node: &Node, path: &Path) -> Option<bool> {
        let b = node.scalar().and_then(|s| s.as_bool());
        if b.is_none() {
            self.wrong_type(node, path, "true or false");
        }
        b
    }

    /// A quantity, written as a string (`"500m"`) or a plain number (`0.05`).
    pub fn quantity(&mut self, node: &Node, path: &Path) -> Option<Quantity> {
        let s = match &node.value {
            Value::Scalar(s) if !s.is_null() => s,
            _ => {
                self.wrong_type(node, path, "a quantity");
                return None;
            }
        };
        match Quantity::parse(&s.text) {
            Ok(q) => Some(q),
            Err(e) => {
                self.push(
                    ImportDiagnostic::error(
                        Code::INVALID_QUANTITY,
                        path.to_string(),
                        e.to_string(),
                    )
                    .at(node.loc),
                );
                None
            }
        }
    }

    /// A mapping of strings to strings (labels, annotations), in written order.
    pub fn string_map(&mut self, node: &Node, path: &Path) -> Option<Vec<(String, String)>> {
        let Value::Map(entries) = &node.value else {
            self.wrong_type(node, path, "a mapping");
            return None;
        };
        let mut out = Vec::new();
        for e in entries {
            if out.iter().any(|(k, _)| k == &e.key) {
                continue; // reported by the duplicate-key check
            }
            if let Some(v) = self.string(&e.value, &path.key(&e.key)) {
                out.push((e.key.clone(), v));
            }
        }
        Some(out)
    }

    /// A list, each item read by `item`; unreadable items are left out (and reported).
    pub fn list<T>(
        &mut self,
        node: &Node,
        path: &Path,
        mut item: impl FnMut(&mut Reader<'d>, &Node, &Path) -> Option<T>,
    ) -> Option<Vec<T>> {
        let Value::Seq(items) = &node.value else {
            self.wrong_type(node, path, "a list");
            return None;
        };
        Some(
            items
                .iter()
                .enumerate()
                .filter_map(|(i, n)| item(self, n, &path.index(i)))
                .collect(),
        )
    }

    /// The fields of a mapping, for reading one by one; `None` (reported) when the node is
    /// not a mapping.
    pub fn object<'n>(&mut self, node: &'n Node, path: &Path) -> Option<Object<'n>> {
        if !matches!(node.value, Value::Map(_)) {
            self.wrong_type(node, path, "a mapping");
            return None;
        }
        Some(Object {
            node,
            path: path.clone(),
            used: Vec::new(),
        })
    }
}

/// A mapping being read: remembers the keys read, so [`Object::finish`] can report the
/// rest as unknown.
pub struct Object<'n> {
    pub node: &'n Node,
    pub path: Path,
    used: Vec<String>,
}

impl<'n> Object<'n> {
    /// The value of `key`, marked as read; `None` when absent or null (Kubernetes treats
    /// `field: null` as absent).
    pub fn field(&mut self, key: &str) -> Option<(&'n Node, Path)> {
        self.used.push(key.to_string());
        let e = self.node.get(key)?;
        (!e.value.is_null()).then(|| (&e.value, self.path.key(key)))
    }

    pub fn opt<'d, T>(
        &mut self,
        r: &mut Reader<'d>,
        key: &str,
        read: impl FnOnce(&mut Reader<'d>, &Node, &Path) -> Option<T>,
    ) -> Option<T> {
        let (node, path) = self.field(key)?;
        read(r, node, &path)
    }

    /// A required field: E403 when absent.
    pub fn req<'d, T>(
        &mut self,
        r: &mut Reader<'d>,
        key: &str,
        read: impl FnOnce(&mut Reader<'d>, &Node, &Path) -> Option<T>,
    ) -> Option<T> {
        match self.field(key) {
            Some((node, path)) => read(r, node, &path),
            None => {
                let path = self.path.key(key);
                r.push(
                    ImportDiagnostic::error(
                        Code::MISSING_MANIFEST_FIELD,
                        path.to_string(),
                        format!("`{key}` is required here"),
                    )
                    .at(r.root.locate(&self.path)),
                );
                None
            }
        }
    }

    /// Marks keys as known but not part of the policy: each present one gets W402.
    pub fn server_set(&mut self, r: &mut Reader<'_>, keys: &[&str]) {
        for k in keys {
            self.used.push((*k).to_string());
            if let Some(e) = self.node.get(k) {
                r.push(
                    ImportDiagnostic::warning(
                        Code::SERVER_SET_FIELD,
                        self.path.key(k).to_string(),
                        format!("`{k}` is set by the API server, not part of the policy: ignored"),
                    )
                    .at(e.key_loc),
                );
            }
        }
    }

    /// Reports every key not read as unknown (W401), with a "did you mean" among `known`.
    pub fn finish(self, r: &mut Reader<'_>) {
        let Value::Map(entries) = &self.node.value else {
            return;
        };
        for e in entries {
            if self.used.iter().any(|u| u == &e.key) {
                continue;
            }
            let mut d = ImportDiagnostic::warning(
                Code::UNKNOWN_MANIFEST_FIELD,
                self.path.key(&e.key).to_string(),
                format!("unknown field `{}`: ignored", e.key),
            )
            .at(e.key_loc);
            let close = self
                .used
                .iter()
                .filter(|u| {
                    strsim::damerau_levenshtein(&u.to_lowercase(), &e.key.to_lowercase()) <= 2
                })
                .min_by_key(|u| strsim::damerau_levenshtein(u, &e.key));
            if let Some(c) = close {
                d = d.help(format!("did you mean `{c}`?"));
            }
            r.push(d);
        }
    }
}
