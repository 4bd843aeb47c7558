//! The HTTP client for the Prometheus API: settings ([`ClientConfig`], [`Auth`],
//! [`Secret`]), the two endpoints (`/api/v1/query_range`, `/api/v1/query`) and the
//! mapping of every failure to a coded [`PromError`].
//!
//! Requests are GET with the parameters in the URL, or a POST form when the query is
//! long (Prometheus takes both; URLs of several kilobytes are refused by some proxies).
//! Every request has one overall timeout. TLS is rustls with the Mozilla roots bundled
//! in the binary, or only the certificates of a CA file when one is given.

use std::path::PathBuf;
use std::time::Duration;

use super::api::{Data, Envelope, Labels};
use super::error::{PromError, PromErrorKind};
use super::range::api_seconds;
use crate::units::fmt_duration_ms;

/// Queries whose URL-encoded parameters exceed this many bytes are sent as a POST form.
pub const POST_ABOVE_BYTES: usize = 2_000;

/// Default overall timeout of one request.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);

/// Largest response body read (a range query of many series can be large).
const MAX_BODY_BYTES: u64 = 512 * 1024 * 1024;

/// Characters of a non-JSON error body shown in an E372 message.
const BODY_EXCERPT_CHARS: usize = 200;

/// A secret (a bearer token or a password) and where it comes from.
#[derive(Clone, PartialEq, Eq)]
pub enum Secret {
    /// The secret itself (avoid on a command line: it shows in `ps`).
    Value(String),
    /// A file holding the secret, re-read for every request so a rotated token (a
    /// Kubernetes service-account token, say) is picked up; surrounding white space
    /// (the trailing newline) is dropped.
    File(PathBuf),
    /// An environment variable holding the secret, read once when the client is built.
    Env(String),
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Secret::Value(_) => write!(f, "Value(<redacted>)"),
            Secret::File(p) => write!(f, "File({})", p.display()),
            Secret::Env(v) => write!(f, "Env({v})"),
        }
    }
}

impl Secret {
    fn setting(&self, what: &str) -> String {
        match self {
            Secret::Value(_) => what.to_string(),
            Secret::File(p) => format!("{what} file `{}`", p.display()),
            Secret::Env(v) => format!("{what} variable `{v}`"),
        }
    }

    fn resolve(&self, what: &str) -> Result<String, PromError> {
        let bad = |reason: String, help: &str| -> PromError {
            PromErrorKind::BadConfig {
                setting: self.setting(what),
                reason,
                help: help.to_string(),
            }
            .into()
        };
        let text = match self {
            Secret::Value(v) => v.clone(),
            Secret::File(p) => std::fs::read_to_string(p).map_err(|e| {
                bad(
                    format!("cannot read it: {e}"),
                    "check the path and that the file is readable by this user",
                )
            })?,
            Secret::Env(v) => std::env::var(v).map_err(|e| {
                bad(
                    match e {
                        std::env::VarError::NotPresent => "the variable is not set".into(),
                        std::env::VarError::NotUnicode(_) => "the value is not UTF-8".into(),
                    },
                    "export the variable before running scalerules, or give the secret in a file",
                )
            })?,
        };
        let text = text.trim().to_string();
        if text.is_empty() {
            return Err(bad("it is empty".into(), "put the secret in it (one line)"));
        }
        if text.contains(['\r', '\n']) {
            return Err(bad(
                "it holds several lines".into(),
                "a secret is one line: keep only the token or password",
            ));
        }
        Ok(text)
    }
}

/// How requests authenticate.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum Auth {
    #[default]
    None,
    /// `Authorization: Bearer <token>` (Grafana Cloud, most managed services, an
    /// OAuth proxy, a Kubernetes service-account token).
    Bearer(Secret),
    /// `Authorization: Basic …` (Prometheus' own `--web.config.file`, nginx).
    Basic { user: String, password: Secret },
}

/// Everything needed to talk to one server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientConfig {
    /// The server's base URL, with any path prefix: `http://localhost:9090`,
    /// `https://mimir.example.com/prometheus`. Not including `/api/v1`.
    pub url: String,
    /// Overall timeout of one request (connect, send, wait, read).
    pub timeout: Duration,
    pub auth: Auth,
    /// Extra headers sent with every request, e.g. `X-Scope-OrgID` for Mimir/Cortex.
    pub headers: Vec<(String, String)>,
    /// A PEM file of CA certificates to trust instead of the bundled Mozilla roots
    /// (a private CA, a self-signed server).
    pub ca_file: Option<PathBuf>,
}

impl ClientConfig {
    /// A config for `url` with the default timeout, no auth, no extra headers.
    pub fn new(url: impl Into<String>) -> Self {
        ClientConfig {
            url: url.into(),
            timeout: DEFAULT_TIMEOUT,
            auth: Auth::None,
            headers: Vec::new(),
            ca_file: None,
        }
    }
}

/// Parses a `--header 'Name: value'` argument (E378 when malformed).
pub fn parse_header(text: &str) -> Result<(String, String), PromError> {
    let bad = |reason: &str| -> PromError {
        PromErrorKind::BadConfig {
            setting: format!("--header `{text}`"),
            reason: reason.to_string(),
            help: "write a header as `Name: value`, e.g. `X-Scope-OrgID: team-a`".into(),
        }
        .into()
    };
    let (name, value) = text.split_once(':').ok_or_else(|| bad("there is no `:`"))?;
    let name = name.trim();
    let value = value.trim();
    let token = |c: char| c.is_ascii_alphanumeric() || "!#$%&'*+-.^_`|~".contains(c);
    if name.is_empty() || !name.chars().all(token) {
        return Err(bad(
            "the header name is empty or has characters a name cannot have",
        ));
    }
    if value.chars().any(|c| c.is_control() && c != '\t') {
        return Err(bad("the value has control characters"));
    }
    Ok((name.to_string(), value.to_string()))
}

/// One series of a range query: its labels and its samples `(ms, value)` as sent
/// (`NaN` and ±Inf included).
#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    pub labels: Labels,
    pub points: Vec<(i64, f64)>,
}

/// The answer of one `query_range` call.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct RangeAnswer {
    pub series: Vec<Series>,
    /// Warnings the server sent with the result.
    pub warnings: Vec<String>,
}

/// The answer of one instant query, reduced to one value.
#[derive(Debug, Clone, PartialEq)]
pub struct InstantAnswer {
    /// The value, or `None` when the query returned no series (or `NaN`/±Inf).
    pub value: Option<f64>,
    /// The labels of the series (empty for a scalar or an aggregation).
    pub labels: Labels,
    /// The sample's time (the evaluation time), when there was a sample.
    pub time_ms: Option<i64>,
    pub warnings: Vec<String>,
}

/// A client for one Prometheus server. Cheap to clone (the connection pool is shared).
#[derive(Debug, Clone)]
pub struct Client {
    agent: ureq::Agent,
    base: String,
    config: ClientConfig,
}

impl Client {
    /// Builds a client: checks the URL, reads the CA file and resolves the secrets once
    /// (so a missing token file is reported before any query). E378 on a bad setting.
    pub fn new(config: ClientConfig) -> Result<Client, PromError> {
        let base = check_url(&config.url)?;
        let mut builder = ureq::Agent::config_builder()
            .timeout_global(Some(config.timeout))
            .http_status_as_error(false)
            .user_agent(concat!("scalerules/", env!("CARGO_PKG_VERSION")));
        if let Some(path) = &config.ca_file {
            builder = builder.tls_config(
                ureq::tls::TlsConfig::builder()
                    .root_certs(ureq::tls::RootCerts::new_with_certs(&read_ca_file(path)?))
                    .build(),
            );
        }
        match &config.auth {
            Auth::None => {}
            Auth::Bearer(s) => {
                s.resolve("bearer token")?;
            }
            Auth::Basic { password, .. } => {
                password.resolve("basic-auth password")?;
            }
        }
        for (name, value) in &config.headers {
            parse_header(&format!("{name}: {value}"))?;
        }
        Ok(Client {
            agent: builder.build().into(),
            base,
            config,
        })
    }

    /// The base URL, without a trailing `/`.
    pub fn base_url(&self) -> &str {
        &self.base
    }

    /// The settings this client was built with.
    pub fn config(&self) -> &ClientConfig {
        &self.config
    }

    /// Runs `query` over `[start_ms, end_ms]` at `step_ms` (one `query_range` call:
    /// the caller keeps it under the server's 11,000 points, see [`super::fetch`]).
    pub fn query_range(
        &self,
        query: &str,
        start_ms: i64,
        end_ms: i64,
        step_ms: i64,
    ) -> Result<RangeAnswer, PromError> {
        let step = api_seconds(step_ms);
        let params = [
            ("query", query.to_string()),
            ("start", api_seconds(start_ms)),
            ("end", api_seconds(end_ms)),
            ("step", step),
        ];
        let env = self
            .call("/api/v1/query_range", &params)
            .map_err(|e| e.with_query(query))?;
        match env.data {
            Some(Data::Matrix(series)) => Ok(RangeAnswer {
                series: series
                    .into_iter()
                    .map(|s| Series {
                        labels: s.metric,
                        points: s.values.iter().map(|p| p.parse()).collect(),
                    })
                    .collect(),
                warnings: env.warnings,
            }),
            other => Err(self
                .unexpected_type(other.as_ref(), "a range vector (matrix)", "")
                .with_query(query)),
        }
    }

    /// Runs `query` at one instant (`None`: the server's current time). A query that
    /// returns nothing is `Ok` with no value; several series is E374; a range vector
    /// (`x[5m]`) or a string is E376.
    pub fn query_instant(
        &self,
        query: &str,
        at_ms: Option<i64>,
    ) -> Result<InstantAnswer, PromError> {
        let mut params = vec![("query", query.to_string())];
        if let Some(t) = at_ms {
            params.push(("time", api_seconds(t)));
        }
        let env = self
            .call("/api/v1/query", &params)
            .map_err(|e| e.with_query(query))?;
        let finite = |(t, v): (i64, f64)| (Some(t), v.is_finite().then_some(v));
        let (labels, (time_ms, value)) = match env.data {
            Some(Data::Vector(mut samples)) if samples.len() <= 1 => match samples.pop() {
                Some(s) => (s.metric, finite(s.value.parse())),
                None => (Labels::new(), (None, None)),
            },
            Some(Data::Vector(samples)) => {
                let labels: Vec<Labels> = samples.into_iter().map(|s| s.metric).collect();
                return Err(super::series::several_series(&labels, query));
            }
            Some(Data::Scalar(p)) => (Labels::new(), finite(p.parse())),
            other => {
                return Err(self
                    .unexpected_type(
                        other.as_ref(),
                        "an instant vector or a scalar",
                        "; an instant query cannot return a range vector: remove the `[…]` \
                         range, or wrap it in a function such as `rate(…)` or `avg_over_time(…)`",
                    )
                    .with_query(query))
            }
        };
        Ok(InstantAnswer {
            value,
            labels,
            time_ms,
            warnings: env.warnings,
        })
    }

    fn unexpected_type(&self, data: Option<&Data>, expected: &str, extra: &str) -> PromError {
        let got = data.map_or("no data field", Data::type_name);
        PromErrorKind::BadResponse {
            url: self.base.clone(),
            reason: format!("the result is {got}, expected {expected}"),
            help: format!("check the query in the Prometheus UI{extra}"),
        }
        .into()
    }

    /// Sends one request and reads the envelope; every failure is mapped to its code.
    fn call(&self, path: &str, params: &[(&str, String)]) -> Result<Envelope, PromError> {
        let url = format!("{}{path}", self.base);
        let auth = self.authorization()?;
        let encoded: usize = params.iter().map(|(k, v)| k.len() + v.len() * 3 + 2).sum();
        let sent = if encoded > POST_ABOVE_BYTES {
            let mut req = self.agent.post(&url);
            if let Some(a) = &auth {
                req = req.header("Authorization", a);
            }
            for (k, v) in &self.config.headers {
                req = req.header(k, v);
            }
            req.send_form(params.iter().map(|(k, v)| (*k, v.as_str())))
        } else {
            let mut req = self.agent.get(&url);
            if let Some(a) = &auth {
                req = req.header("Authorization", a);
            }
            for (k, v) in &self.config.headers {
                req = req.header(k, v);
            }
            for (k, v) in params {
                req = req.query(*k, v);
            }
            req.call()
        };
        let response = sent.map_err(|e| self.transport_error(e))?;
        let status = response.status().as_u16();
        let body = response
            .into_body()
            .with_config()
            .limit(MAX_BODY_BYTES)
            .read_to_string()
            .map_err(|e| self.transport_error(e))?;
        interpret(&self.base, status, &body)
    }

    fn authorization(&self) -> Result<Option<String>, PromError> {
        Ok(match &self.config.auth {
            Auth::None => None,
            Auth::Bearer(s) => Some(format!("Bearer {}", s.resolve("bearer token")?)),
            Auth::Basic { user, password } => {
                let pass = password.resolve("basic-auth password")?;
                Some(format!(
                    "Basic {}",
                    base64(format!("{user}:{pass}").as_bytes())
                ))
            }
        })
    }

    fn transport_error(&self, e: ureq::Error) -> PromError {
        let url = self.base.clone();
        match e {
            ureq::Error::Timeout(_) => PromErrorKind::Timeout {
                url,
                timeout: fmt_duration_ms(self.config.timeout.as_millis() as i64),
                help: "the server is slow or the network drops packets; raise --timeout, \
                       or use a larger --step or a shorter range so each query does less work"
                    .into(),
            }
            .into(),
            ureq::Error::BodyExceedsLimit(n) => PromErrorKind::BadResponse {
                url,
                reason: format!("the answer is larger than {n} bytes"),
                help: "the query returns too many series or points: aggregate it \
                       (`sum(...)`) or use a larger --step"
                    .into(),
            }
            .into(),
            ureq::Error::BadUri(reason) => PromErrorKind::BadConfig {
                setting: format!("--prometheus `{url}`"),
                reason: format!("not a usable URL ({reason})"),
                help: "write the server's base URL, e.g. `http://localhost:9090`".into(),
            }
            .into(),
            other => {
                let text = other.to_string();
                let reason = text.strip_prefix("io: ").unwrap_or(&text).to_string();
                let lower = reason.to_ascii_lowercase();
                let help =
                    if lower.contains("corrupt message") || lower.contains("invalidcontenttype") {
                        "the server does not speak TLS at this address: use an `http://` URL"
                    } else if matches!(other, ureq::Error::Tls(_) | ureq::Error::Rustls(_))
                        || lower.contains("certificate")
                    {
                        "the TLS handshake failed: if the server's certificate is signed by a \
                     private CA, pass its certificate with --ca-file; check that the host \
                     name matches the certificate"
                    } else if matches!(other, ureq::Error::HostNotFound)
                        || lower.contains("lookup address")
                    {
                        "the host name does not resolve: check the --prometheus URL"
                    } else {
                        "check that the server runs and listens at this address (host, port, \
                     `http` vs `https`), and that no firewall or proxy is in the way"
                    };
                PromErrorKind::Unreachable {
                    url,
                    reason,
                    help: help.into(),
                }
                .into()
            }
        }
    }
}

/// The base URL, checked and without a trailing `/` (E378).
fn check_url(url: &str) -> Result<String, PromError> {
    let bad = |reason: &str, help: &str| -> PromError {
        PromErrorKind::BadConfig {
            setting: format!("--prometheus `{url}`"),
            reason: reason.to_string(),
            help: help.to_string(),
        }
        .into()
    };
    let t = url.trim();
    let rest = t
        .strip_prefix("http://")
        .or_else(|| t.strip_prefix("https://"))
        .ok_or_else(|| {
            bad(
                "the URL must start with `http://` or `https://`",
                "write the server's base URL, e.g. `http://localhost:9090`",
            )
        })?;
    let host = rest.split(['/', '?', '#']).next().unwrap_or("");
    if host.is_empty() {
        return Err(bad(
            "the URL has no host",
            "write the server's base URL, e.g. `http://localhost:9090`",
        ));
    }
    if rest.contains(['?', '#']) {
        return Err(bad(
            "the URL has a query string or fragment",
            "write only the base URL and path prefix, e.g. `https://host/prometheus`",
        ));
    }
    let trimmed = t.trim_end_matches('/');
    for suffix in ["/api/v1/query_range", "/api/v1/query", "/api/v1"] {
        if let Some(base) = trimmed.strip_suffix(suffix) {
            return Err(bad(
                &format!("the URL ends with `{suffix}`"),
                &format!("give the base URL only; scalerules adds `/api/v1/…`: `{base}`"),
            ));
        }
    }
    Ok(trimmed.to_string())
}

/// Reads the certificates of a PEM file (E378 when unreadable or without certificates).
fn read_ca_file(path: &std::path::Path) -> Result<Vec<ureq::tls::Certificate<'static>>, PromError> {
    let bad = |reason: String| -> PromError {
        PromErrorKind::BadConfig {
            setting: format!("--ca-file `{}`", path.display()),
            reason,
            help: "give a PEM file holding the CA certificate(s) that signed the server's \
                   certificate (`-----BEGIN CERTIFICATE-----` blocks)"
                .into(),
        }
        .into()
    };
    let pem = std::fs::read(path).map_err(|e| bad(format!("cannot read it: {e}")))?;
    let mut certs = Vec::new();
    for item in ureq::tls::parse_pem(&pem) {
        match item {
            Ok(ureq::tls::PemItem::Certificate(c)) => certs.push(c),
            Ok(_) => {}
            Err(e) => return Err(bad(format!("not valid PEM: {e}"))),
        }
    }
    if certs.is_empty() {
        return Err(bad("it holds no certificate".into()));
    }
    Ok(certs)
}

/// Turns a status and body into the envelope of a success, or the error they mean.
pub(crate) fn interpret(url: &str, status: u16, body: &str) -> Result<Envelope, PromError> {
    let parsed: Result<Envelope, _> = serde_json::from_str(body);
    match parsed {
        Ok(env) if env.status == "error" => {
            let error_type = env.error_type.unwrap_or_else(|| "unknown".into());
            let message = env.error.unwrap_or_default();
            let help = query_error_help(&error_type, &message);
            Err(PromErrorKind::Query {
                error_type,
                message,
                help,
            }
            .into())
        }
        Ok(env) if (200..300).contains(&status) && env.status == "success" => Ok(env),
        _ if !(200..300).contains(&status) => Err(http_status(url, status, body)),
        Ok(env) => Err(PromErrorKind::BadResponse {
            url: url.to_string(),
            reason: format!("the answer's status is `{}`", env.status),
            help: "the server speaks something close to the Prometheus API but not it".into(),
        }
        .into()),
        Err(e) => Err(PromErrorKind::BadResponse {
            url: url.to_string(),
            reason: format!(
                "the body is not the Prometheus API's JSON ({e}){}",
                excerpt(body).map(|b| format!(": {b}")).unwrap_or_default()
            ),
            help: "check that the URL is the Prometheus server's (or a compatible API's) \
                   base URL, with its path prefix if it has one; a login page means the \
                   request needs authentication"
                .into(),
        }
        .into()),
    }
}

fn query_error_help(error_type: &str, message: &str) -> String {
    match error_type {
        "bad_data" if message.contains("exceeded maximum resolution") => {
            "the range holds too many points for one query: use a larger --step".into()
        }
        "bad_data" if message.contains("range vector") => "a metric needs one value per \
                       step: remove the `[…]` range, or wrap it in a function such as \
                       `rate(…)` or `avg_over_time(…)`"
            .into(),
        "bad_data" => "fix the PromQL in the rule file; try it in the Prometheus UI's \
                       expression browser, which points at the same position"
            .into(),
        "timeout" | "canceled" => "the query took longer than the server allows \
                                   (--query.timeout): use a larger --step, a shorter range, \
                                   or a cheaper query (a recording rule)"
            .into(),
        "execution" => "the query is valid PromQL but failed on this data, e.g. too many \
                        samples (--query.max-samples) or a many-to-many match: aggregate \
                        earlier, or use a larger --step"
            .into(),
        _ => "see the server's message above; try the query in the Prometheus UI".into(),
    }
}

fn http_status(url: &str, status: u16, body: &str) -> PromError {
    let help = match status {
        401 => {
            "the server wants credentials: pass a bearer token (--bearer-token-file, \
                --bearer-token-env) or basic auth, or check that the ones given are right"
        }
        403 => {
            "the credentials are not allowed to read these metrics (check the token's \
                scopes or the tenant header, e.g. `--header 'X-Scope-OrgID: …'`)"
        }
        404 => {
            "no Prometheus API at this URL: give the server's base URL, with its path \
                prefix if it has one (`--web.route-prefix`, e.g. `http://host/prometheus`)"
        }
        405 => "the server or a proxy does not accept this method on the API",
        408 | 504 => {
            "a proxy timed out waiting for the server: use a larger --step or a \
                      shorter range"
        }
        429 => "the server limits the request rate: wait and retry, or fetch a shorter range",
        500..=599 => {
            "the server or a proxy in front of it failed; retry later, and check \
                      the server's logs"
        }
        _ => "check the URL and the server's logs",
    };
    PromErrorKind::HttpStatus {
        url: url.to_string(),
        status,
        body: excerpt(body).unwrap_or_default(),
        help: help.into(),
    }
    .into()
}

/// The start of a body on one line, for messages.
fn excerpt(body: &str) -> Option<String> {
    let one_line: String = body.split_whitespace().collect::<Vec<_>>().join(" ");
    if one_line.is_empty() {
        return None;
    }
    let mut cut: String = one_line.chars().take(BODY_EXCERPT_CHARS).collect();
    if one_line.chars().count() > BODY_EXCERPT_CHARS {
        cut.push('…');
    }
    Some(cut)
}

/// Standard base64 with padding (RFC 4648), for basic auth.
fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_matches_rfc4648() {
        for (plain, enc) in [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
            ("fooba", "Zm9vYmE="),
            ("foobar", "Zm9vYmFy"),
            ("Aladdin:open sesame", "QWxhZGRpbjpvcGVuIHNlc2FtZQ=="),
        ] {
            assert_eq!(base64(plain.as_bytes()), enc, "{plain}");
        }
    }

    #[test]
    fn urls_are_checked() {
        assert_eq!(
            check_url("http://localhost:9090/").unwrap(),
            "http://localhost:9090"
        );
        assert_eq!(
            check_url("https://h/prometheus").unwrap(),
            "https://h/prometheus"
        );
        for bad in ["localhost:9090", "ftp://h", "http://", "http://h/?x=1"] {
            assert_eq!(check_url(bad).unwrap_err().code(), "E378", "{bad}");
        }
        let e = check_url("http://h:9090/api/v1/").unwrap_err();
        assert!(e.help_text().contains("`http://h:9090`"), "{e}");
    }

    #[test]
    fn headers_are_parsed() {
        assert_eq!(
            parse_header("X-Scope-OrgID: team-a").unwrap(),
            ("X-Scope-OrgID".into(), "team-a".into())
        );
        assert_eq!(parse_header("X: a: b").unwrap().1, "a: b");
        for bad in ["no colon", ": v", "Bad Name: v", "X: a\nb"] {
            assert_eq!(parse_header(bad).unwrap_err().code(), "E378", "{bad}");
        }
    }

    #[test]
    fn secrets_resolve_and_are_redacted() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("token");
        std::fs::write(&file, "abc\n").unwrap();
        assert_eq!(Secret::File(file.clone()).resolve("t").unwrap(), "abc");
        std::fs::write(&file, "\n").unwrap();
        let e = Secret::File(file.clone())
            .resolve("bearer token")
            .unwrap_err();
        assert_eq!(e.code(), "E378");
        assert!(e.to_string().contains("is empty"), "{e}");
        let e = Secret::File(dir.path().join("nope"))
            .resolve("t")
            .unwrap_err();
        assert!(e.to_string().contains("cannot read it"), "{e}");
        let e = Secret::Env("SCALERULES_TEST_SURELY_UNSET_VAR".into())
            .resolve("bearer token")
            .unwrap_err();
        assert!(e.to_string().contains("is not set"), "{e}");
        assert_eq!(
            format!("{:?}", Secret::Value("hunter2".into())),
            "Value(<redacted>)"
        );
    }

    #[test]
    fn answers_are_interpreted() {
        let ok = r#"{"status":"success","data":{"resultType":"vector","result":[]}}"#;
        assert!(interpret("u", 200, ok).is_ok());
        let err = r#"{"status":"error","errorType":"bad_data","error":"1:4: parse error: unexpected end of input"}"#;
        let e = interpret("u", 400, err).unwrap_err();
        assert_eq!(e.code(), "E373");
        assert_eq!(
            e.message(),
            "Prometheus rejected the query: 1:4: parse error: unexpected end of input (bad_data)"
        );
        let e = interpret("u", 502, "<html>\n<h1>Bad   Gateway</h1></html>").unwrap_err();
        assert_eq!(e.code(), "E372");
        assert_eq!(
            e.message(),
            "Prometheus at u answered HTTP 502: <html> <h1>Bad Gateway</h1></html>"
        );
        let e = interpret("u", 401, "").unwrap_err();
        assert_eq!(e.message(), "Prometheus at u answered HTTP 401");
        assert!(e.help_text().contains("credentials"));
        let e = interpret("u", 200, "<html>login</html>").unwrap_err();
        assert_eq!(e.code(), "E376");
        let long = "x".repeat(1000);
        let PromErrorKind::HttpStatus { body, .. } =
            interpret("u", 500, &long).unwrap_err().kind().clone()
        else {
            panic!("kind")
        };
        assert_eq!(body.chars().count(), BODY_EXCERPT_CHARS + 1);
    }
}
