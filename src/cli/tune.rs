//! `scalerules tune`: searches a service's `param` values over datasets and prints the
//! cost/SLA Pareto front (docs/tuning.md).

use super::backtest::{data_error, data_request, usage, OutFormat};
use super::{load_rules, Reporter, EXIT_FAILURE, EXIT_OK, EXIT_USAGE};
use crate::backtest::data::load;
use crate::diagnostics::Code;
use crate::timestamp::{parse_bound, parse_duration};
use crate::tune::{self, output, Constraints, Problem, Sampling, TuneOptions};
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::AtomicBool;
use std::sync::Arc;

/// Exit status after Ctrl-C (128 + SIGINT), the front found so far printed.
const EXIT_INTERRUPTED: u8 = 130;

#[derive(clap::Args, Debug)]
pub struct TuneArgs {
    /// The rule file, with `param` lines in the service to tune.
    pub file: PathBuf,
    /// A dataset (CSV or Parquet); repeat for several, each scored separately.
    #[arg(long, required = true)]
    pub data: Vec<PathBuf>,
    /// The service to tune (needed when the rule file has several).
    #[arg(long)]
    pub service: Option<String>,
    #[command(flatten)]
    pub window: super::WindowArgs,
    /// At most this many variants besides the current file: the full grid when it is
    /// no larger, else a sample of this size.
    #[arg(long, default_value_t = 200)]
    pub budget: usize,
    /// How to sample a grid larger than the budget.
    #[arg(long, value_enum, default_value = "lhs")]
    pub sample: Sampling,
    /// The seed of the sample: the same seed gives the same variants.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Worker threads (default: one per core).
    #[arg(long)]
    pub jobs: Option<usize>,
    /// Keep only variants with at most this many breach minutes on every dataset.
    #[arg(long)]
    pub max_breach_minutes: Option<f64>,
    /// Keep only variants with at most this many reversals on every dataset.
    #[arg(long)]
    pub max_reversals: Option<usize>,
    /// Opposite decisions closer than this count as a reversal.
    #[arg(long, default_value = "10m")]
    pub reversal_window: String,
    /// Output format.
    #[arg(long, value_enum, default_value = "table")]
    pub format: OutFormat,
    /// Write the chart of cost against breach minutes to this SVG file.
    #[arg(long, value_name = "OUT.svg")]
    pub plot: Option<PathBuf>,
    /// Write the rule file with the chosen variant's values as the defaults. The input
    /// itself is overwritten only when this is its very path as given.
    #[arg(long, value_name = "OUT.scale")]
    pub write: Option<PathBuf>,
}

/// Problems of the command itself, with their codes.
#[derive(Debug, thiserror::Error)]
enum TuneProblem {
    #[error("service `{0}` declares no `param`: there is nothing to tune")]
    NothingToTune(String),
    #[error("--write {given} is the input file {input} under another name")]
    WouldOverwrite { given: String, input: String },
    #[error("no variant could be chosen: {0}")]
    NoVariant(String),
}

impl miette::Diagnostic for TuneProblem {
    fn code<'a>(&'a self) -> Option<Box<dyn std::fmt::Display + 'a>> {
        Some(Box::new(match self {
            TuneProblem::NothingToTune(_) => Code::NOTHING_TO_TUNE,
            TuneProblem::WouldOverwrite { .. } => Code::WOULD_OVERWRITE_INPUT,
            TuneProblem::NoVariant(_) => Code::NO_VALID_VARIANT,
        }))
    }

    fn help<'a>(&'a self) -> Option<Box<dyn std::fmt::Display + 'a>> {
        let h = match self {
            TuneProblem::NothingToTune(_) => {
                "declare the values to search, e.g. `param thr = 300ms in 200ms..500ms step 50ms`, and use `$thr` in a rule (docs/tuning.md)"
            }
            TuneProblem::WouldOverwrite { .. } => {
                "write to a new file, or give the input's own path exactly as on the command line to replace it"
            }
            TuneProblem::NoVariant(_) => {
                "loosen --max-breach-minutes / --max-reversals, or widen the ranges"
            }
        };
        Some(Box::new(h))
    }
}

/// `--write PATH` may replace the input only when PATH is the input's path as given.
fn overwrites_input(given: &Path, input: &Path) -> bool {
    if given == input {
        return false;
    }
    match (given.canonicalize(), input.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    }
}

pub fn run(args: TuneArgs) -> ExitCode {
    let Ok(loaded) = load_rules(&args.file) else {
        return ExitCode::from(EXIT_USAGE);
    };
    let mut out = Reporter::new(args.format.diagnostics());
    out.rules(&loaded);
    let (Some(program), Some(ast)) = (&loaded.compiled.program, &loaded.compiled.ast) else {
        return out.finish(EXIT_FAILURE);
    };
    let service = match program.select(args.service.as_deref()) {
        Ok(s) => s,
        Err(e) => return usage(e),
    };
    if !super::backtest::has_model(service, &mut out) {
        return out.finish(EXIT_FAILURE);
    }
    let src = loaded.file.text.as_str();
    let Some(problem) = Problem::new(src, ast, &loaded.compiled.params, &service.name) else {
        out.other(
            &TuneProblem::NothingToTune(service.name.clone()),
            None,
            None,
        );
        return out.finish(EXIT_FAILURE);
    };
    if let Some(p) = &args.plot {
        if p.extension().and_then(|e| e.to_str()) != Some("svg") {
            return usage(format!("--plot: {} must be an .svg file", p.display()));
        }
    }
    if let Some(w) = &args.write {
        if overwrites_input(w, &args.file) {
            let e = TuneProblem::WouldOverwrite {
                given: w.display().to_string(),
                input: args.file.display().to_string(),
            };
            out.other(&e, None, None);
            return out.finish(EXIT_USAGE);
        }
    }
    if args.budget == 0 {
        return usage("--budget must be at least 1");
    }
    if args.jobs == Some(0) {
        return usage("--jobs must be at least 1");
    }
    let bound = |v: &Option<String>, flag: &str| -> Result<Option<i64>, ExitCode> {
        v.as_deref()
            .map(parse_bound)
            .transpose()
            .map_err(|e| usage(format!("{flag}: {e}")))
    };
    let (from_ms, to_ms) = match (
        bound(&args.window.from, "--from"),
        bound(&args.window.to, "--to"),
    ) {
        (Ok(a), Ok(b)) => (a, b),
        (Err(e), _) | (_, Err(e)) => return e,
    };
    let tick_ms = match args.window.tick.as_deref().map(parse_duration).transpose() {
        Ok(Some(0)) => return usage("--tick must be greater than 0"),
        Ok(v) => v.or(service.tick),
        Err(e) => return usage(format!("--tick: {e}")),
    };
    let reversal_window_ms = match parse_duration(&args.reversal_window) {
        Ok(v) => v,
        Err(e) => return usage(format!("--reversal-window: {e}")),
    };
    // Each dataset is loaded once, for the service as written: no variant changes the
    // columns it reads.
    let mut data = Vec::with_capacity(args.data.len());
    for path in &args.data {
        let req = data_request(
            service,
            path,
            args.service.as_deref(),
            from_ms,
            to_ms,
            tick_ms,
        );
        match load(&req) {
            Ok(d) => data.push(d),
            Err(e) => {
                data_error(&mut out, &e);
                return out.finish(EXIT_FAILURE);
            }
        }
    }
    let opts = TuneOptions {
        backtest: crate::backtest::Options {
            replay: false,
            reversal_window_ms,
            timeline: false,
        },
        budget: args.budget,
        sampling: args.sample,
        seed: args.seed,
        threads: args.jobs,
        constraints: Constraints {
            max_breach_minutes: args.max_breach_minutes,
            max_reversals: args.max_reversals,
        },
    };
    let stop = Arc::new(AtomicBool::new(false));
    // Ctrl-C once: no new variant starts and the front so far is printed; twice: exit.
    for sig in [signal_hook::consts::SIGINT, signal_hook::consts::SIGTERM] {
        let _ = signal_hook::flag::register_conditional_shutdown(sig, 130, Arc::clone(&stop));
        let _ = signal_hook::flag::register(sig, Arc::clone(&stop));
    }
    let bar = std::io::stderr().is_terminal().then(|| {
        let pb = indicatif::ProgressBar::new(0);
        pb.set_style(
            indicatif::ProgressStyle::with_template(
                "{msg} [{bar:40}] {pos}/{len} variants ({elapsed}, eta {eta})",
            )
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
        );
        pb.set_message("tune");
        pb
    });
    let result = tune::tune(&problem, service, &data, &opts, &stop, &|done, total| {
        if let Some(b) = &bar {
            b.set_length(total as u64);
            b.set_position(done as u64);
        }
    });
    if let Some(b) = bar {
        b.finish_and_clear();
    }
    let outcome = match result {
        Ok(o) => o,
        Err(tune::TuneError::Trace { path, err }) => {
            out.other(&err, Some(&path), None);
            return out.finish(EXIT_FAILURE);
        }
        Err(e) => return usage(e),
    };
    if let Some(p) = &args.plot {
        if let Err(e) = crate::files::write_file(p, output::svg(&outcome)) {
            return usage(format!("cannot write {}: {e}", p.display()));
        }
    }
    match args.format {
        OutFormat::Json => match output::json(&outcome) {
            Ok(s) => println!("{s}"),
            Err(e) => return usage(format!("cannot serialise the outcome: {e}")),
        },
        OutFormat::Table => print!(
            "{}",
            output::table(&outcome, std::io::stdout().is_terminal())
        ),
    }
    let Some(chosen) = outcome.chosen else {
        let why = if outcome.front.is_empty() {
            "no variant was scored within the constraints"
        } else {
            "no front variant keeps to the limits"
        };
        out.other(&TuneProblem::NoVariant(why.into()), None, None);
        return out.finish(EXIT_FAILURE);
    };
    if let Some(w) = &args.write {
        let stem = crate::stem_of(&args.file);
        let text = match tune::write::with_defaults(
            src,
            &stem,
            &outcome.params,
            &outcome.variants[chosen].values,
        ) {
            Ok(t) => t,
            Err(diags) => {
                out.diagnostics(&diags, &loaded.file);
                return out.finish(EXIT_FAILURE);
            }
        };
        if let Err(e) = crate::files::write_file(w, text) {
            return usage(format!("cannot write {}: {e}", w.display()));
        }
        eprintln!("wrote {} (variant #{chosen})", w.display());
    }
    out.finish(if outcome.interrupted {
        EXIT_INTERRUPTED
    } else {
        EXIT_OK
    })
}
