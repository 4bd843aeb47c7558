//! Parsing and formatting of dataset timestamps.
//! (Placeholder until the ingestion branch lands: formatting only.)

/// Formats ms since epoch as RFC 3339 UTC with `Z`.
pub fn format_timestamp(ms: i64) -> String {
    match chrono::DateTime::from_timestamp_millis(ms) {
        Some(t) if ms % 1000 == 0 => t.format("%Y-%m-%dT%H:%M:%SZ").to_string(),
        Some(t) => t.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string(),
        None => ms.to_string(),
    }
}
