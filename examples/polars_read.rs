//! The reference of the backtest's performance goal (docs/performance.md): a whole
//! process that only reads, with polars' CSV reader, the five columns
//! `scalerules backtest rules/checkout.scale` needs, and prints the frame's shape.
//!
//! `cargo run --release --example polars_read -- [FILE]` (default
//! `datasets/large/checkout-year-10s.csv`). Time it as a process, beside the CLI:
//! `hyperfine 'target/release/examples/polars_read' 'target/release/scalerules backtest …'`.

use polars::prelude::{CsvReadOptions, PlSmallStr, SerReader};
use std::sync::Arc;

/// The columns `rules/checkout.scale` reads (its metrics and the recorded replicas).
const COLUMNS: [&str; 5] = ["timestamp", "rps", "replicas", "cpu_pct", "latency_p95_ms"];

fn main() {
    let path = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "datasets/large/checkout-year-10s.csv".into());
    let columns: Arc<[PlSmallStr]> = COLUMNS.iter().map(|c| PlSmallStr::from(*c)).collect();
    let df = CsvReadOptions::default()
        .with_has_header(true)
        .with_columns(Some(columns))
        .try_into_reader_with_file_path(Some(path.clone().into()))
        .and_then(SerReader::finish);
    match df {
        Ok(df) => println!("{path}: {} rows x {} columns", df.height(), df.width()),
        Err(e) => {
            eprintln!("polars cannot read {path}: {e}");
            std::process::exit(1);
        }
    }
}
