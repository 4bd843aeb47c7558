//! Prometheus as a data source: the HTTP API client, range fetches aligned on one grid,
//! instant samples for live evaluation, and the dataset writer. Behind the
//! `prometheus` cargo feature; polars-free except the Parquet writer (`data` feature).
//!
//! ```text
//!  Query{name, promql, span} ─┐
//!  ClientConfig ─Client::new─▶ Client ─fetch(queries, Grid)─▶ Fetched ─write_dataset─▶ .csv / .parquet
//!  --from/--to/--step ─parse_time, parse_step─▶ Grid ─┘        │
//!                                                              └─ live::sample(queries, t) ─▶ Tick (eval)
//! ```
//!
//! # Behaviour
//!
//! - **Grid.** [`Grid::new`] takes the multiples of the step in `[from, to)`; a range
//!   fetch evaluates every query at exactly those times.
//! - **Chunking.** Prometheus refuses more than 11,000 points per series in one range
//!   query; [`fetch`] asks for at most [`FetchOptions::chunk_points`] (10,000) per call
//!   and concatenates the chunks, which share the grid.
//! - **Alignment.** A grid point without a sample, and a sample that is `NaN` or ±Inf
//!   on the server, is a missing value (`NaN`), never an error. Prometheus itself
//!   carries the last sample forward for up to its lookback delta (5 minutes by
//!   default), so only longer gaps reach the result as missing values.
//! - **One series per query.** Several series (over the whole range, all chunks) is
//!   E374, naming the labels that differ; not one finite value is E375.
//! - **Errors.** Every failure is a [`PromError`] with a code from
//!   [`prom_error_codes`] (E370–E378, registered in `diagnostics::codes`), a help text, and slots for the query, the metric
//!   and its span in the rule file.
//!
//! `docs/prometheus.md` is the user-facing description, with the error catalogue.

mod api;
mod client;
mod config;
mod dataset;
mod error;
mod fetch;
pub mod live;
mod range;
mod response;
mod series;

pub use api::{format_labels, Labels};
pub use client::{Client, InstantAnswer, RangeAnswer, Series, POST_ABOVE_BYTES};
pub use config::{parse_header, Auth, ClientConfig, Secret, DEFAULT_TIMEOUT};
pub use dataset::{format_of, write_csv, write_dataset, DatasetFormat, WriteError};
pub use error::{prom_error_codes, FetchErrors, PromError, PromErrorKind};
pub use fetch::{fetch, fetch_series, Column, FetchOptions, FetchProgress, Fetched, Query};
pub use range::{
    default_step, parse_step, parse_time, Chunk, Grid, DEFAULT_CHUNK_POINTS, DEFAULT_STEP_MS,
    MAX_GRID_POINTS, SERVER_MAX_POINTS,
};
pub use series::AlignedSeries;
