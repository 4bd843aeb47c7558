//! `scalerules fetch`: runs the `promql "…"` queries of a rule file over a time range
//! and writes the dataset `backtest --data` reads, one column per binding under the
//! name a backtest looks for (docs/prometheus.md).

use super::prometheus::{self, ServerArgs};
use super::{load_rules, Reporter, EXIT_FAILURE, EXIT_OK, EXIT_USAGE};
use crate::diagnostics::Format;
use crate::prom;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::Args, Debug)]
pub struct FetchArgs {
    /// The rule file whose `promql "…"` bindings are fetched.
    pub file: PathBuf,
    /// The service to fetch (needed when the rule file has several).
    #[arg(long)]
    pub service: Option<String>,
    #[command(flatten)]
    pub server: ServerArgs,
    /// Start of the range (inclusive): `-7d`, `now-1h`, RFC 3339, a date, unix seconds.
    #[arg(long, allow_hyphen_values = true)]
    pub from: String,
    /// End of the range (exclusive), in the same forms.
    #[arg(long, allow_hyphen_values = true, default_value = "now")]
    pub to: String,
    /// Time between points (`15s`, `1m`); default: the service's `tick`, else 1m (coarser
    /// for ranges over 5,000,000 points).
    #[arg(long)]
    pub step: Option<String>,
    /// The dataset to write: `.csv`, or `.parquet`/`.pq`. Written atomically.
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    pub output: PathBuf,
    /// How diagnostics are shown (on stderr).
    #[arg(long, value_enum, default_value = "human")]
    pub format: Format,
}

pub fn run(args: FetchArgs) -> ExitCode {
    let Ok(loaded) = load_rules(&args.file) else {
        return ExitCode::from(EXIT_USAGE);
    };
    let mut out = Reporter::new(args.format);
    out.rules(&loaded);
    let Some(program) = &loaded.compiled.program else {
        return out.finish(EXIT_FAILURE);
    };
    let service = match program.select(args.service.as_deref()) {
        Ok(s) => s,
        Err(e) => return prometheus::usage(e),
    };
    let Some(url) = &args.server.prometheus else {
        return prometheus::usage("`fetch` needs --prometheus URL");
    };
    if let Err(e) = prom::format_of(&args.output) {
        return prometheus::usage(e);
    }
    let queries = match prometheus::queries(service, &loaded.file) {
        Ok(q) => q,
        Err(diags) => {
            out.diagnostics(&diags, &loaded.file);
            return out.finish(EXIT_FAILURE);
        }
    };
    let setup = prometheus::grid(&args.from, &args.to, args.step.as_deref(), service.tick)
        .and_then(|grid| Ok((grid, args.server.client(url)?)));
    let (grid, client) = match setup {
        Ok(x) => x,
        Err(e) => {
            prometheus::report(&mut out, &loaded.file, service, &e);
            return out.finish(EXIT_FAILURE);
        }
    };
    let Some(fetched) = prometheus::fetch(&client, &queries, &grid, service, &loaded, &mut out)
    else {
        return out.finish(EXIT_FAILURE);
    };
    if let Err(e) = prom::write_dataset(&fetched, &args.output) {
        return prometheus::usage(e);
    }
    eprintln!(
        "wrote {}: {} points {}, columns {}",
        args.output.display(),
        grid.len(),
        grid.describe(),
        fetched
            .columns
            .iter()
            .map(|c| c.name.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    );
    out.finish(EXIT_OK)
}
