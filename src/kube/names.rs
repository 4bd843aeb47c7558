//! Names: a manifest's names made into scalerules names, and the columns imported metrics
//! read (`docs/kubernetes.md`, "Column naming of imported metrics").

/// Words a metric cannot be named, because a statement reads them as keywords.
const RESERVED: &[&str] = &[
    "when",
    "for",
    "scale",
    "and",
    "or",
    "not",
    "cooldown",
    "target",
    "at",
    "per",
    "behavior",
    "schedule",
    "idle",
    "kubernetes",
    "service",
    "metric",
];

/// A scalerules name for `text`: letters, digits and `_`, not starting with a digit, not
/// a keyword. `checkout-api` → `checkout_api`, `http-requests/sec` → `http_requests_sec`.
pub fn ident(text: &str) -> String {
    let mut out = String::new();
    for c in text.chars() {
        if c.is_ascii_alphanumeric() || c == '_' {
            out.push(c);
        } else if !out.ends_with('_') {
            out.push('_');
        }
    }
    let trimmed = out.trim_matches('_');
    let mut name = if trimmed.is_empty() {
        "unnamed".to_string()
    } else {
        trimmed.to_string()
    };
    if name.starts_with(|c: char| c.is_ascii_digit()) {
        name.insert(0, '_');
    }
    if RESERVED.contains(&name.as_str()) {
        name.push_str("_metric");
    }
    name
}

/// Whether `text` is usable as it is.
pub fn is_ident(text: &str) -> bool {
    ident(text) == text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_slugged() {
        assert_eq!(ident("checkout-api"), "checkout_api");
        assert_eq!(ident("http-requests/sec"), "http_requests_sec");
        assert_eq!(ident("queue.depth"), "queue_depth");
        assert_eq!(ident("5xx_rate"), "_5xx_rate");
        assert_eq!(ident("target"), "target_metric");
        assert_eq!(ident("--"), "unnamed");
        assert!(is_ident("cpu_utilization"));
        assert!(!is_ident("requests-per-second"));
    }
}
