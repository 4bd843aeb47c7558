//! Live sampling for `eval --prometheus`: every tick, one instant query per metric.
//! A query that fails, or returns nothing, is missing data for that tick; the failure
//! is returned beside the values for the caller to report, never raised.

use super::client::Client;
use super::error::PromError;
use super::fetch::Query;

/// The values of one tick, in the order of the queries.
#[derive(Debug, Clone, PartialEq)]
pub struct Tick {
    /// The evaluation time asked for (ms since the epoch).
    pub at_ms: i64,
    /// One value per query; `None` is missing data (no series, `NaN`, or a failure).
    pub values: Vec<Option<f64>>,
    /// The failures of this tick (each with its query, metric and span), for stderr.
    pub errors: Vec<PromError>,
}

/// Runs every query as an instant query at `at_ms`. A failed query does not stop the
/// others; when the server is unreachable (E370/E371) the remaining queries are not
/// sent and are missing too, so a dead server costs one timeout per tick, not one per
/// query.
pub fn sample(client: &Client, queries: &[Query], at_ms: i64) -> Tick {
    let mut values = Vec::with_capacity(queries.len());
    let mut errors = Vec::new();
    let mut down = false;
    for q in queries {
        if down {
            values.push(None);
            continue;
        }
        match client.query_instant(&q.promql, Some(at_ms)) {
            Ok(answer) => values.push(answer.value),
            Err(e) => {
                down = e.kind().is_connection();
                errors.push(q.locate(e));
                values.push(None);
            }
        }
    }
    Tick {
        at_ms,
        values,
        errors,
    }
}
