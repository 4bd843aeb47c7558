//! The settings of a [`Client`](super::Client): the server's URL, authentication
//! ([`Auth`], [`Secret`]), extra headers, a CA file and the timeout. A bad setting is
//! E378, found when the client is built, before any request (a token file is re-read,
//! and so checked again, for every request).

use std::path::PathBuf;
use std::time::Duration;

use super::error::{PromError, PromErrorKind};

/// Default overall timeout of one request.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);

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

    pub(crate) fn resolve(&self, what: &str) -> Result<String, PromError> {
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

/// The base URL, checked and without a trailing `/` (E378).
pub(crate) fn check_url(url: &str) -> Result<String, PromError> {
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
pub(crate) fn read_ca_file(
    path: &std::path::Path,
) -> Result<Vec<ureq::tls::Certificate<'static>>, PromError> {
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

/// Standard base64 with padding (RFC 4648), for basic auth.
pub(crate) fn base64(bytes: &[u8]) -> String {
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
}
