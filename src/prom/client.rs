//! The HTTP client for the Prometheus API: the two endpoints (`/api/v1/query_range`,
//! `/api/v1/query`) and the mapping of transport failures to coded [`PromError`]s
//! (settings in `config.rs`, reading answers in `response.rs`).
//!
//! Requests are GET with the parameters in the URL, or a POST form when the query is
//! long (Prometheus takes both; URLs of several kilobytes are refused by some proxies).
//! Every request has one overall timeout. TLS is rustls with the Mozilla roots bundled
//! in the binary, or only the certificates of a CA file when one is given.

use super::api::{Data, Envelope, Labels};
use super::config::{base64, check_url, parse_header, read_ca_file, Auth, ClientConfig};
use super::error::{PromError, PromErrorKind};
use super::range::api_seconds;
use super::response::interpret;
use crate::timestamp::format_duration as fmt_duration_ms;

/// Queries whose URL-encoded parameters exceed this many bytes are sent as a POST form.
pub const POST_ABOVE_BYTES: usize = 2_000;

/// Largest response body read (a range query of many series can be large).
const MAX_BODY_BYTES: u64 = 512 * 1024 * 1024;

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
