//! Reading an answer: the status and body of a response become the envelope of a
//! success, or the coded error they mean (E372 HTTP status, E373 Prometheus' own error,
//! E376 not the API's JSON).

use super::api::Envelope;
use super::error::{PromError, PromErrorKind};

/// Characters of a non-JSON error body shown in an E372 message.
const BODY_EXCERPT_CHARS: usize = 200;

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_are_interpreted() {
        let ok = r#"{"status":"success","data":{"resultType":"vector","result":[]}}"#;
        assert!(interpret("u", 200, ok).is_ok());
        let err = r#"{"status":"error","errorType":"bad_data","error":"1:4: parse error: unexpected end of input"}"#;
        let e = interpret("u", 400, err).unwrap_err();
        assert_eq!(e.code().as_str(), "E373");
        assert_eq!(
            e.message(),
            "Prometheus rejected the query: 1:4: parse error: unexpected end of input (bad_data)"
        );
        let e = interpret("u", 502, "<html>\n<h1>Bad   Gateway</h1></html>").unwrap_err();
        assert_eq!(e.code().as_str(), "E372");
        assert_eq!(
            e.message(),
            "Prometheus at u answered HTTP 502: <html> <h1>Bad Gateway</h1></html>"
        );
        let e = interpret("u", 401, "").unwrap_err();
        assert_eq!(e.message(), "Prometheus at u answered HTTP 401");
        assert!(e.help_text().contains("credentials"));
        let e = interpret("u", 200, "<html>login</html>").unwrap_err();
        assert_eq!(e.code().as_str(), "E376");
        let long = "x".repeat(1000);
        let PromErrorKind::HttpStatus { body, .. } =
            interpret("u", 500, &long).unwrap_err().kind().clone()
        else {
            panic!("kind")
        };
        assert_eq!(body.chars().count(), BODY_EXCERPT_CHARS + 1);
    }
}
