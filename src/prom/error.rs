//! [`PromError`]: every way a Prometheus request or its result can fail, with a stable
//! code (E370–E379) and a help text that says what to change.
//!
//! The kind ([`PromErrorKind`]) owns the message and the help; the error itself carries
//! where the problem belongs: the query, the metric it feeds and, once the rule-file
//! binding exists, the span of the query in the rule file (the slot is filled by the
//! caller with [`PromError::with_span`]).

use std::fmt;

use crate::diagnostics::{Code, Diagnostic};
use crate::span::Span;

/// Error codes of the Prometheus client and a one-line summary of each: a view of the
/// project's registry (`diagnostics::codes`, stage `Prometheus`), without E379, which
/// the commands raise about the rule file before any request.
pub fn prom_error_codes() -> impl Iterator<Item = (&'static str, &'static str)> {
    crate::diagnostics::Code::of_stage(crate::diagnostics::Stage::Prometheus)
        .filter(|c| c.code != Code::NO_PROMQL_BINDING)
        .map(|c| (c.code.as_str(), c.summary))
}

/// The kinds of [`PromError`], each with its own code, message and help.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, miette::Diagnostic)]
pub enum PromErrorKind {
    /// E370: no connection (refused, unknown host, TLS handshake or certificate failure).
    #[error("cannot reach Prometheus at {url}: {reason}")]
    #[diagnostic(code(E370))]
    Unreachable {
        url: String,
        reason: String,
        #[help]
        help: String,
    },

    /// E371: the request did not complete within the timeout.
    #[error("Prometheus at {url} did not answer within {timeout}")]
    #[diagnostic(code(E371))]
    Timeout {
        url: String,
        /// The timeout, written like `30s`.
        timeout: String,
        #[help]
        help: String,
    },

    /// E372: an HTTP error status without a Prometheus error body (a proxy, an
    /// authentication layer, a wrong path).
    #[error("Prometheus at {url} answered HTTP {status}{}", excerpt_suffix(.body))]
    #[diagnostic(code(E372))]
    HttpStatus {
        url: String,
        status: u16,
        /// The start of the response body, on one line (at most 200 characters).
        body: String,
        #[help]
        help: String,
    },

    /// E373: Prometheus' own error for the query, e.g. a PromQL parse error.
    #[error("Prometheus rejected the query: {message} ({error_type})")]
    #[diagnostic(code(E373))]
    Query {
        /// Prometheus' `errorType`, e.g. `bad_data`, `execution`, `timeout`.
        error_type: String,
        /// Prometheus' `error` text, as the server wrote it.
        message: String,
        #[help]
        help: String,
    },

    /// E374: several series where one is needed.
    #[error("the query returned {count} series where one is needed; {}", distinguishing_text(.distinguishing))]
    #[diagnostic(code(E374))]
    SeveralSeries {
        count: usize,
        /// The labels whose values differ between the series, each with the values
        /// seen (sorted, at most 5; an absent label is shown as `""`).
        distinguishing: Vec<(String, Vec<String>)>,
        /// The first few series, written as PromQL label sets.
        series: Vec<String>,
        #[help]
        help: String,
    },

    /// E375: not one sample over the whole range (or at the instant).
    #[error("the query returned no data {during}")]
    #[diagnostic(code(E375))]
    NoData {
        /// `from … to … (step 1m)` or `at …`.
        during: String,
        #[help]
        help: String,
    },

    /// E376: the body is not the Prometheus API's JSON, or has an unexpected result type.
    #[error("unexpected answer from {url}: {reason}")]
    #[diagnostic(code(E376))]
    BadResponse {
        url: String,
        reason: String,
        #[help]
        help: String,
    },

    /// E377: the time range or step cannot be used.
    #[error("{reason}")]
    #[diagnostic(code(E377))]
    BadRange {
        reason: String,
        #[help]
        help: String,
    },

    /// E378: a client setting is invalid (URL, token source, header, CA file).
    #[error("{setting}: {reason}")]
    #[diagnostic(code(E378))]
    BadConfig {
        /// The setting, e.g. `--bearer-token-file /run/token`.
        setting: String,
        reason: String,
        #[help]
        help: String,
    },
}

fn excerpt_suffix(body: &str) -> String {
    if body.is_empty() {
        String::new()
    } else {
        format!(": {body}")
    }
}

fn distinguishing_text(labels: &[(String, Vec<String>)]) -> String {
    if labels.is_empty() {
        return "their label sets are identical".into();
    }
    let parts: Vec<String> = labels
        .iter()
        .map(|(name, values)| {
            let vals: Vec<String> = values.iter().map(|v| format!("\"{v}\"")).collect();
            format!("`{name}` ({})", vals.join(", "))
        })
        .collect();
    format!("they differ in {}", parts.join(", "))
}

impl PromErrorKind {
    /// The error code, e.g. `"E373"`.
    pub fn code(&self) -> Code {
        match self {
            PromErrorKind::Unreachable { .. } => Code::PROM_UNREACHABLE,
            PromErrorKind::Timeout { .. } => Code::PROM_TIMEOUT,
            PromErrorKind::HttpStatus { .. } => Code::PROM_HTTP_STATUS,
            PromErrorKind::Query { .. } => Code::PROM_QUERY_ERROR,
            PromErrorKind::SeveralSeries { .. } => Code::PROM_SEVERAL_SERIES,
            PromErrorKind::NoData { .. } => Code::PROM_NO_DATA,
            PromErrorKind::BadResponse { .. } => Code::PROM_BAD_RESPONSE,
            PromErrorKind::BadRange { .. } => Code::PROM_BAD_RANGE,
            PromErrorKind::BadConfig { .. } => Code::PROM_BAD_CONFIG,
        }
    }

    /// The fix hint.
    pub fn help_str(&self) -> &str {
        match self {
            PromErrorKind::Unreachable { help, .. }
            | PromErrorKind::Timeout { help, .. }
            | PromErrorKind::HttpStatus { help, .. }
            | PromErrorKind::Query { help, .. }
            | PromErrorKind::SeveralSeries { help, .. }
            | PromErrorKind::NoData { help, .. }
            | PromErrorKind::BadResponse { help, .. }
            | PromErrorKind::BadRange { help, .. }
            | PromErrorKind::BadConfig { help, .. } => help,
        }
    }

    /// True for failures of the connection rather than of one query (E370, E371):
    /// running further queries against the same server would fail the same way.
    pub fn is_connection(&self) -> bool {
        matches!(
            self,
            PromErrorKind::Unreachable { .. } | PromErrorKind::Timeout { .. }
        )
    }
}

/// A failed Prometheus request or an unusable result: see [`PromErrorKind`] for the
/// kinds and their codes.
///
/// Displays as the kind's message followed by the query on its own line (when there is
/// one). [`PromError::to_diagnostic`] turns it into the crate's [`Diagnostic`] with the
/// primary label on the query's span in the rule file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PromError(Box<Inner>);

#[derive(Debug, Clone, PartialEq, Eq)]
struct Inner {
    kind: PromErrorKind,
    query: Option<String>,
    metric: Option<String>,
    span: Option<Span>,
}

impl From<PromErrorKind> for PromError {
    fn from(kind: PromErrorKind) -> Self {
        PromError(Box::new(Inner {
            kind,
            query: None,
            metric: None,
            span: None,
        }))
    }
}

impl PromError {
    /// What went wrong, with the details of that kind.
    pub fn kind(&self) -> &PromErrorKind {
        &self.0.kind
    }

    /// The error code, e.g. `"E373"`.
    pub fn code(&self) -> Code {
        self.0.kind.code()
    }

    /// The fix hint.
    pub fn help_text(&self) -> &str {
        self.0.kind.help_str()
    }

    /// The message without the query.
    pub fn message(&self) -> String {
        self.0.kind.to_string()
    }

    /// The PromQL query concerned, if any.
    pub fn query(&self) -> Option<&str> {
        self.0.query.as_deref()
    }

    /// The metric (dataset column) the query feeds, if known.
    pub fn metric(&self) -> Option<&str> {
        self.0.metric.as_deref()
    }

    /// Where the query is written in the rule file, once the caller has set it.
    pub fn span(&self) -> Option<Span> {
        self.0.span
    }

    /// Attaches the query (kept if one is already set).
    pub fn with_query(mut self, query: &str) -> Self {
        if self.0.query.is_none() {
            self.0.query = Some(query.to_string());
        }
        self
    }

    /// Attaches the metric name the query feeds.
    pub fn with_metric(mut self, metric: &str) -> Self {
        self.0.metric = Some(metric.to_string());
        self
    }

    /// Attaches the span of the query in the rule file.
    pub fn with_span(mut self, span: Span) -> Self {
        self.0.span = Some(span);
        self
    }

    /// The crate's diagnostic for this error, labelled at `span` (usually the query's
    /// span in the rule file; the snippet then shows the query, so the message omits it).
    pub fn to_diagnostic(&self, span: Span) -> Diagnostic {
        let label = match &self.0.metric {
            Some(m) => format!("the query of `{m}`"),
            None => "this query".to_string(),
        };
        Diagnostic::error(self.code(), self.message(), span)
            .label(label)
            .help(self.help_text())
    }
}

impl fmt::Display for PromError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0.kind)?;
        match (&self.0.metric, &self.0.query) {
            (Some(m), Some(q)) => write!(f, "\n  metric `{m}`, query: {q}"),
            (None, Some(q)) => write!(f, "\n  query: {q}"),
            (Some(m), None) => write!(f, "\n  metric `{m}`"),
            (None, None) => Ok(()),
        }
    }
}

impl std::error::Error for PromError {}

impl miette::Diagnostic for PromError {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new(self.code()))
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new(self.help_text()))
    }
}

/// Several errors from one fetch: one per failed query (a connection failure stops the
/// fetch at the first, since every further query would fail alike).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FetchErrors(pub Vec<PromError>);

impl fmt::Display for FetchErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, e) in self.0.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "error[{}]: {e}", e.code())?;
        }
        Ok(())
    }
}

impl std::error::Error for FetchErrors {}

#[cfg(test)]
mod tests {
    use super::*;

    fn every_kind() -> Vec<PromErrorKind> {
        let h = || "help".to_string();
        vec![
            PromErrorKind::Unreachable {
                url: "u".into(),
                reason: "r".into(),
                help: h(),
            },
            PromErrorKind::Timeout {
                url: "u".into(),
                timeout: "30s".into(),
                help: h(),
            },
            PromErrorKind::HttpStatus {
                url: "u".into(),
                status: 502,
                body: String::new(),
                help: h(),
            },
            PromErrorKind::Query {
                error_type: "bad_data".into(),
                message: "m".into(),
                help: h(),
            },
            PromErrorKind::SeveralSeries {
                count: 2,
                distinguishing: vec![],
                series: vec![],
                help: h(),
            },
            PromErrorKind::NoData {
                during: "d".into(),
                help: h(),
            },
            PromErrorKind::BadResponse {
                url: "u".into(),
                reason: "r".into(),
                help: h(),
            },
            PromErrorKind::BadRange {
                reason: "r".into(),
                help: h(),
            },
            PromErrorKind::BadConfig {
                setting: "s".into(),
                reason: "r".into(),
                help: h(),
            },
        ]
    }

    #[test]
    fn every_kind_has_a_registered_code_and_miette_agrees() {
        let kinds = every_kind();
        let codes: Vec<_> = prom_error_codes().collect();
        assert_eq!(kinds.len(), codes.len());
        for (kind, (code, summary)) in kinds.iter().zip(codes) {
            assert_eq!(kind.code().as_str(), code);
            assert!(!summary.is_empty());
            let miette_code = miette::Diagnostic::code(kind).map(|c| c.to_string());
            assert_eq!(miette_code.as_deref(), Some(code));
            assert_eq!(kind.help_str(), "help");
        }
    }

    #[test]
    fn display_adds_metric_and_query() {
        let e = PromError::from(PromErrorKind::Query {
            error_type: "bad_data".into(),
            message: "1:5: parse error: unclosed left parenthesis".into(),
            help: "fix".into(),
        })
        .with_query("sum(x")
        .with_metric("rps");
        assert_eq!(
            e.to_string(),
            "Prometheus rejected the query: 1:5: parse error: unclosed left parenthesis (bad_data)\n  metric `rps`, query: sum(x"
        );
        let d = e.with_span(Span::new(3, 8)).to_diagnostic(Span::new(3, 8));
        assert_eq!(d.code, "E373");
        assert_eq!(d.primary.message, "the query of `rps`");
        assert_eq!(d.help.as_deref(), Some("fix"));
    }

    #[test]
    fn several_series_names_the_labels() {
        let k = PromErrorKind::SeveralSeries {
            count: 2,
            distinguishing: vec![("pod".into(), vec!["a".into(), "b".into()])],
            series: vec![],
            help: String::new(),
        };
        assert_eq!(
            k.to_string(),
            "the query returned 2 series where one is needed; they differ in `pod` (\"a\", \"b\")"
        );
    }
}
