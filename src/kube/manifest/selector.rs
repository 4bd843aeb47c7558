//! Label selectors (`metav1.LabelSelector`): read from YAML, printed in `kubectl`'s
//! selector syntax (`app=checkout,tier in (web,api),!canary`) for the `.scale` file's
//! `kubernetes { }` block, and parsed back from it.

use super::read::Reader;
use super::{bad_enum, Node, Path};
use std::fmt;

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LabelSelector {
    /// `matchLabels`, in written order.
    pub match_labels: Vec<(String, String)>,
    pub match_expressions: Vec<Requirement>,
}

/// One of `matchExpressions`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Requirement {
    pub key: String,
    pub operator: Operator,
    pub values: Vec<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Operator {
    In,
    NotIn,
    Exists,
    DoesNotExist,
}

impl Operator {
    pub fn as_str(self) -> &'static str {
        match self {
            Operator::In => "In",
            Operator::NotIn => "NotIn",
            Operator::Exists => "Exists",
            Operator::DoesNotExist => "DoesNotExist",
        }
    }
}

pub(super) fn read(r: &mut Reader<'_>, node: &Node, path: &Path) -> Option<LabelSelector> {
    let mut o = r.object(node, path)?;
    let match_labels = o
        .opt(r, "matchLabels", Reader::string_map)
        .unwrap_or_default();
    let match_expressions = o
        .opt(r, "matchExpressions", |r, n, p| {
            r.list(n, p, read_requirement)
        })
        .unwrap_or_default();
    o.finish(r);
    Some(LabelSelector {
        match_labels,
        match_expressions,
    })
}

fn read_requirement(r: &mut Reader<'_>, node: &Node, path: &Path) -> Option<Requirement> {
    let mut o = r.object(node, path)?;
    let key = o.req(r, "key", Reader::string);
    let operator = o.req(r, "operator", |r, n, p| {
        let s = r.string(n, p)?;
        let op = match s.as_str() {
            "In" => Some(Operator::In),
            "NotIn" => Some(Operator::NotIn),
            "Exists" => Some(Operator::Exists),
            "DoesNotExist" => Some(Operator::DoesNotExist),
            _ => None,
        };
        if op.is_none() {
            r.push(bad_enum(
                p,
                n,
                &s,
                &["In", "NotIn", "Exists", "DoesNotExist"],
            ));
        }
        op
    });
    let values = o
        .opt(r, "values", |r, n, p| r.list(n, p, Reader::string))
        .unwrap_or_default();
    o.finish(r);
    Some(Requirement {
        key: key?,
        operator: operator?,
        values,
    })
}

impl fmt::Display for LabelSelector {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut parts: Vec<String> = self
            .match_labels
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect();
        for req in &self.match_expressions {
            let values = req.values.join(",");
            parts.push(match req.operator {
                Operator::In => format!("{} in ({values})", req.key),
                Operator::NotIn => format!("{} notin ({values})", req.key),
                Operator::Exists => req.key.clone(),
                Operator::DoesNotExist => format!("!{}", req.key),
            });
        }
        f.write_str(&parts.join(","))
    }
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("`{text}` is not a label selector: {why}")]
pub struct SelectorError {
    pub text: String,
    pub why: String,
}

impl LabelSelector {
    /// Parses the printed form back: `k=v` is a `matchLabels` entry, `k in (a,b)`,
    /// `k notin (a,b)`, `k` and `!k` are `matchExpressions`, in written order.
    pub fn parse(text: &str) -> Result<LabelSelector, SelectorError> {
        let err = |why: &str| SelectorError {
            text: text.to_string(),
            why: why.to_string(),
        };
        let mut sel = LabelSelector::default();
        for part in split_top(text).map_err(|w| err(&w))? {
            let part = part.trim();
            if part.is_empty() {
                return Err(err("an empty requirement"));
            }
            if let Some(key) = part.strip_prefix('!') {
                sel.match_expressions.push(Requirement {
                    key: key.trim().to_string(),
                    operator: Operator::DoesNotExist,
                    values: vec![],
                });
            } else if let Some((k, v)) = part.split_once('=') {
                sel.match_labels
                    .push((k.trim().to_string(), v.trim().to_string()));
            } else if let Some((key, op, values)) = set_requirement(part) {
                sel.match_expressions.push(Requirement {
                    key,
                    operator: op,
                    values,
                });
            } else if part.contains(char::is_whitespace) || part.contains(['(', ')']) {
                return Err(err(&format!("cannot read `{part}`")));
            } else {
                sel.match_expressions.push(Requirement {
                    key: part.to_string(),
                    operator: Operator::Exists,
                    values: vec![],
                });
            }
        }
        Ok(sel)
    }
}

/// Splits at commas outside parentheses.
fn split_top(text: &str) -> Result<Vec<&str>, String> {
    let (mut depth, mut start, mut out) = (0i32, 0, Vec::new());
    for (i, c) in text.char_indices() {
        match c {
            '(' => depth += 1,
            ')' => depth -= 1,
            ',' if depth == 0 => {
                out.push(&text[start..i]);
                start = i + 1;
            }
            _ => {}
        }
        if depth < 0 {
            return Err("a `)` without its `(`".into());
        }
    }
    if depth != 0 {
        return Err("a `(` without its `)`".into());
    }
    out.push(&text[start..]);
    Ok(out)
}

fn set_requirement(part: &str) -> Option<(String, Operator, Vec<String>)> {
    let open = part.find('(')?;
    let inner = part[open + 1..].strip_suffix(')')?;
    let mut head = part[..open].split_whitespace();
    let key = head.next()?.to_string();
    let op = match head.next()? {
        "in" => Operator::In,
        "notin" => Operator::NotIn,
        _ => return None,
    };
    if head.next().is_some() {
        return None;
    }
    let values = inner.split(',').map(|v| v.trim().to_string()).collect();
    Some((key, op, values))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn printed_selectors_parse_back() {
        let sel = LabelSelector {
            match_labels: vec![("app".into(), "checkout".into())],
            match_expressions: vec![
                Requirement {
                    key: "tier".into(),
                    operator: Operator::In,
                    values: vec!["web".into(), "api".into()],
                },
                Requirement {
                    key: "zone".into(),
                    operator: Operator::NotIn,
                    values: vec!["eu-1".into()],
                },
                Requirement {
                    key: "ready".into(),
                    operator: Operator::Exists,
                    values: vec![],
                },
                Requirement {
                    key: "canary".into(),
                    operator: Operator::DoesNotExist,
                    values: vec![],
                },
            ],
        };
        let text = sel.to_string();
        assert_eq!(
            text,
            "app=checkout,tier in (web,api),zone notin (eu-1),ready,!canary"
        );
        assert_eq!(LabelSelector::parse(&text).unwrap(), sel);
    }

    #[test]
    fn malformed_selectors_are_refused() {
        for s in ["a in (b", "a,,b", "a foo (b)", "x)"] {
            assert!(LabelSelector::parse(s).is_err(), "{s}");
        }
    }
}
