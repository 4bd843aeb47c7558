//! The JSON of the Prometheus HTTP API (`/api/v1/query`, `/api/v1/query_range`), read
//! into typed values.
//!
//! ```json
//! {"status":"success","data":{"resultType":"matrix","result":[
//!   {"metric":{"job":"checkout"},"values":[[1772409600,"223.25"],[1772409660,"223.58"]]}]}}
//! {"status":"error","errorType":"bad_data","error":"1:5: parse error: …"}
//! ```
//!
//! Sample values are strings (`"1.5"`, `"NaN"`, `"+Inf"`); timestamps are float seconds.

use std::collections::BTreeMap;

use serde::Deserialize;

/// One series' labels, sorted by name.
pub type Labels = BTreeMap<String, String>;

/// The envelope every endpoint answers with.
#[derive(Debug, Deserialize)]
pub(crate) struct Envelope {
    pub status: String,
    #[serde(default)]
    pub data: Option<Data>,
    #[serde(default, rename = "errorType")]
    pub error_type: Option<String>,
    #[serde(default)]
    pub error: Option<String>,
    #[serde(default)]
    pub warnings: Vec<String>,
}

/// `data` of a successful answer, by `resultType`.
#[derive(Debug, Deserialize)]
#[serde(tag = "resultType", content = "result", rename_all = "lowercase")]
pub(crate) enum Data {
    Matrix(Vec<RangeSeries>),
    Vector(Vec<InstantSample>),
    Scalar(RawPoint),
    String(serde::de::IgnoredAny),
}

impl Data {
    pub fn type_name(&self) -> &'static str {
        match self {
            Data::Matrix(_) => "a range vector (matrix)",
            Data::Vector(_) => "an instant vector",
            Data::Scalar(_) => "a scalar",
            Data::String(_) => "a string",
        }
    }
}

/// `[1772409600.5, "223.25"]`
#[derive(Debug, Deserialize)]
pub(crate) struct RawPoint(pub f64, pub String);

impl RawPoint {
    /// Time in ms since the epoch (rounded to the millisecond: the API writes
    /// milliseconds as three decimals) and the value (`NaN` for text that is no number).
    pub fn parse(&self) -> (i64, f64) {
        let t = (self.0 * 1000.0).round() as i64;
        (t, parse_value(&self.1))
    }
}

/// A series of a range query.
#[derive(Debug, Deserialize)]
pub(crate) struct RangeSeries {
    #[serde(default)]
    pub metric: Labels,
    #[serde(default)]
    pub values: Vec<RawPoint>,
}

/// A series of an instant query.
#[derive(Debug, Deserialize)]
pub(crate) struct InstantSample {
    #[serde(default)]
    pub metric: Labels,
    pub value: RawPoint,
}

/// Prometheus writes `NaN`, `+Inf` and `-Inf` for the special values; Rust's parser
/// reads `inf` and `NaN` but not the leading `+` on `+Inf` in every version, so the
/// three are matched first.
pub(crate) fn parse_value(s: &str) -> f64 {
    match s {
        "NaN" => f64::NAN,
        "+Inf" => f64::INFINITY,
        "-Inf" => f64::NEG_INFINITY,
        _ => s.parse().unwrap_or(f64::NAN),
    }
}

/// Writes a label set as PromQL does: `{job="checkout", pod="a"}` (`{}` when empty;
/// the metric name, if any, in front).
pub fn format_labels(labels: &Labels) -> String {
    let name = labels.get("__name__").map(String::as_str).unwrap_or("");
    let rest: Vec<String> = labels
        .iter()
        .filter(|(k, _)| k.as_str() != "__name__")
        .map(|(k, v)| format!("{k}=\"{}\"", v.replace('\\', "\\\\").replace('"', "\\\"")))
        .collect();
    if rest.is_empty() && !name.is_empty() {
        name.to_string()
    } else {
        format!("{name}{{{}}}", rest.join(", "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_a_matrix() {
        let body = r#"{"status":"success","data":{"resultType":"matrix","result":[
            {"metric":{"__name__":"up","job":"a"},"values":[[1772409600,"1"],[1772409660.5,"NaN"],[1772409720,"+Inf"]]}]},
            "warnings":["w"]}"#;
        let env: Envelope = serde_json::from_str(body).unwrap();
        assert_eq!(env.status, "success");
        assert_eq!(env.warnings, vec!["w".to_string()]);
        let Some(Data::Matrix(series)) = env.data else {
            panic!("not a matrix")
        };
        let pts: Vec<(i64, f64)> = series[0].values.iter().map(RawPoint::parse).collect();
        assert_eq!(pts[0], (1_772_409_600_000, 1.0));
        assert_eq!(pts[1].0, 1_772_409_660_500);
        assert!(pts[1].1.is_nan());
        assert_eq!(pts[2].1, f64::INFINITY);
        assert_eq!(format_labels(&series[0].metric), "up{job=\"a\"}");
    }

    #[test]
    fn reads_errors_vectors_and_scalars() {
        let env: Envelope = serde_json::from_str(
            r#"{"status":"error","errorType":"bad_data","error":"parse error"}"#,
        )
        .unwrap();
        assert_eq!(env.error_type.as_deref(), Some("bad_data"));
        assert!(env.data.is_none());
        let env: Envelope = serde_json::from_str(
            r#"{"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":[1.5,"2"]}]}}"#,
        )
        .unwrap();
        assert!(matches!(env.data, Some(Data::Vector(ref v)) if v.len() == 1));
        let env: Envelope = serde_json::from_str(
            r#"{"status":"success","data":{"resultType":"scalar","result":[1.5,"-Inf"]}}"#,
        )
        .unwrap();
        let Some(Data::Scalar(p)) = env.data else {
            panic!("not a scalar")
        };
        assert_eq!(p.parse(), (1500, f64::NEG_INFINITY));
    }

    #[test]
    fn labels_are_written_as_promql() {
        let mut l = Labels::new();
        assert_eq!(format_labels(&l), "{}");
        l.insert("pod".into(), "a\"b".into());
        l.insert("job".into(), "x".into());
        assert_eq!(format_labels(&l), "{job=\"x\", pod=\"a\\\"b\"}");
    }
}
