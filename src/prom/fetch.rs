//! Range fetches: every query of a service over one [`Grid`], chunked under the server's
//! points-per-series limit, stitched and aligned into one column per metric.

use crate::span::Span;

use super::client::Client;
use super::error::{FetchErrors, PromError};
use super::range::{Grid, DEFAULT_CHUNK_POINTS};
use super::series::{AlignedSeries, Stitcher};

/// One metric to fetch: the dataset column it becomes and its PromQL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Query {
    /// The column name in the written dataset (the metric's column in the rule file).
    pub name: String,
    /// The PromQL expression; it must give one series.
    pub promql: String,
    /// Where the query is written in the rule file, copied into its errors.
    pub span: Option<Span>,
}

impl Query {
    pub fn new(name: impl Into<String>, promql: impl Into<String>) -> Self {
        Query {
            name: name.into(),
            promql: promql.into(),
            span: None,
        }
    }

    pub fn with_span(mut self, span: Span) -> Self {
        self.span = Some(span);
        self
    }

    /// Attaches this query's text, name and span to an error about it.
    pub fn locate(&self, e: PromError) -> PromError {
        let e = e.with_query(&self.promql).with_metric(&self.name);
        match self.span {
            Some(span) => e.with_span(span),
            None => e,
        }
    }
}

/// Knobs of a range fetch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FetchOptions {
    /// Grid points per `query_range` call ([`DEFAULT_CHUNK_POINTS`]; Prometheus
    /// refuses more than 11,000).
    pub chunk_points: usize,
}

impl Default for FetchOptions {
    fn default() -> Self {
        FetchOptions {
            chunk_points: DEFAULT_CHUNK_POINTS,
        }
    }
}

/// Where a fetch is, for a progress bar: `done` of `total` calls, the last for `query`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FetchProgress<'a> {
    pub done: usize,
    pub total: usize,
    pub query: &'a str,
}

/// One fetched metric.
#[derive(Debug, Clone, PartialEq)]
pub struct Column {
    pub name: String,
    pub promql: String,
    pub series: AlignedSeries,
    /// Warnings the server sent (deduplicated across chunks).
    pub warnings: Vec<String>,
}

/// Every fetched metric on one grid: what a dataset file holds.
#[derive(Debug, Clone, PartialEq)]
pub struct Fetched {
    pub grid: Grid,
    pub columns: Vec<Column>,
}

impl Fetched {
    /// The values of the column named `name`.
    pub fn column(&self, name: &str) -> Option<&[f64]> {
        self.columns
            .iter()
            .find(|c| c.name == name)
            .map(|c| c.series.values.as_slice())
    }
}

/// Fetches one query over `grid`: one `query_range` call per chunk of at most
/// `options.chunk_points` points, stitched and aligned. A grid point without a sample
/// is `NaN`; several series are E374, no finite value anywhere is E375.
pub fn fetch_series(
    client: &Client,
    promql: &str,
    grid: &Grid,
    options: FetchOptions,
    on_chunk: &mut dyn FnMut(),
) -> Result<(AlignedSeries, Vec<String>), PromError> {
    let mut stitcher = Stitcher::new(*grid);
    let mut warnings: Vec<String> = Vec::new();
    for chunk in grid.chunks(options.chunk_points) {
        let start = grid.time(chunk.start);
        let end = grid.time(chunk.start + chunk.len - 1);
        let answer = client.query_range(promql, start, end, grid.step_ms())?;
        for w in answer.warnings {
            if !warnings.contains(&w) {
                warnings.push(w);
            }
        }
        stitcher.add(answer.series);
        on_chunk();
    }
    Ok((stitcher.finish(promql)?, warnings))
}

/// Fetches every query over `grid`. Each failed query gives one error (with its query,
/// metric name and span) and the others still run, so one run reports every bad
/// query; a connection failure (E370, E371) stops the fetch, since every further
/// query would fail alike.
pub fn fetch(
    client: &Client,
    queries: &[Query],
    grid: &Grid,
    options: FetchOptions,
    progress: &mut dyn FnMut(FetchProgress<'_>),
) -> Result<Fetched, FetchErrors> {
    let per_query = grid.chunks(options.chunk_points).len();
    let total = per_query * queries.len();
    let mut done = 0;
    let mut columns = Vec::with_capacity(queries.len());
    let mut errors = Vec::new();
    for q in queries {
        let result = fetch_series(client, &q.promql, grid, options, &mut || {
            done += 1;
            progress(FetchProgress {
                done,
                total,
                query: &q.promql,
            });
        });
        match result {
            Ok((series, warnings)) => columns.push(Column {
                name: q.name.clone(),
                promql: q.promql.clone(),
                series,
                warnings,
            }),
            Err(e) => {
                let stop = e.kind().is_connection();
                errors.push(q.locate(e));
                if stop {
                    break;
                }
            }
        }
    }
    if errors.is_empty() {
        Ok(Fetched {
            grid: *grid,
            columns,
        })
    } else {
        Err(FetchErrors(errors))
    }
}
