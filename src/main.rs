//! The `scalerules` binary: clap only. Arguments → library call → render.

use clap::{Parser, Subcommand};
use scalerules::cli;
use std::process::ExitCode;

/// Autoscaling policy as code: write, check, lint, backtest and snapshot-test scaling rules.
#[derive(Parser)]
#[command(name = "scalerules", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Parse and check rule files; exit 1 on errors.
    Check(cli::check::CheckArgs),
    /// Print the lowered form (IR) of a rule file: units, windows, sustain, actions.
    Explain(cli::check::ExplainArgs),
    /// Online mode: read metric rows (CSV) from stdin, or from Prometheus with
    /// --prometheus, and print one JSON line per decision.
    Eval(cli::eval::EvalArgs),
    /// Run a rule file's PromQL queries over a time range into a dataset file.
    #[cfg(feature = "prometheus")]
    Fetch(cli::fetch::FetchArgs),
    /// Replay a policy over a historical dataset, counterfactually, and score it.
    #[cfg(feature = "data")]
    Backtest(cli::backtest::BacktestArgs),
    /// Replay a policy over a dataset (needs the `data` feature, left out of this build).
    #[cfg(not(feature = "data"))]
    Backtest(cli::NeedsData),
    /// Check whether policies are wise: flapping, shadowed rules, cooldowns, …
    Lint(cli::lint::LintArgs),
    /// Format rule files in the canonical layout.
    Fmt(cli::fmt::FmtArgs),
    /// Print the `.scale` policy of Kubernetes HPA / KEDA ScaledObject manifests.
    Import(cli::import::ImportArgs),
    /// Write a rule file's services as HorizontalPodAutoscaler or KEDA ScaledObject YAML.
    Export(cli::export::ExportArgs),
    /// Run the rule unit tests written next to the rule files.
    Test(cli::test::TestArgs),
    /// Record a policy's backtest outcome in a reviewable file; `--check` fails on change.
    #[cfg(feature = "data")]
    Snapshot(cli::snapshot::SnapshotArgs),
    /// Record a backtest outcome (needs the `data` feature, left out of this build).
    #[cfg(not(feature = "data"))]
    Snapshot(cli::NeedsData),
    /// Backtest two versions of a policy on the same data, side by side.
    #[cfg(feature = "data")]
    Diff(cli::diff::DiffArgs),
    /// Backtest two policy versions (needs the `data` feature, left out of this build).
    #[cfg(not(feature = "data"))]
    Diff(cli::NeedsData),
    /// Backtest several policies for one service (horizontal, vertical, hybrid…) on the same data, side by side.
    #[cfg(feature = "data")]
    Compare(cli::compare::CompareArgs),
    /// Compare several policies (needs the `data` feature, left out of this build).
    #[cfg(not(feature = "data"))]
    Compare(cli::NeedsData),
    /// Search a policy's `param` values over datasets: the cost/SLA Pareto front.
    #[cfg(feature = "data")]
    Tune(cli::tune::TuneArgs),
    /// Search `param` values (needs the `data` feature, left out of this build).
    #[cfg(not(feature = "data"))]
    Tune(cli::NeedsData),
    /// Generate the bundled sample datasets (or the large benchmark dataset).
    #[cfg(feature = "data")]
    Datasets(cli::datasets::DatasetsArgs),
    /// Generate the sample datasets (needs the `data` feature, left out of this build).
    #[cfg(not(feature = "data"))]
    Datasets(cli::NeedsData),
}

/// Rust ignores SIGPIPE, so `scalerules … | head` would make `println!` panic when the
/// reader goes away. Restore the Unix default: the process ends quietly, like `cat`.
#[cfg(unix)]
fn restore_sigpipe() {
    extern "C" {
        fn signal(signum: std::os::raw::c_int, handler: usize) -> usize;
    }
    const SIGPIPE: std::os::raw::c_int = 13;
    const SIG_DFL: usize = 0;
    // SAFETY: setting a signal's disposition to the default has no preconditions; it is
    // done once, before any thread starts.
    unsafe {
        signal(SIGPIPE, SIG_DFL);
    }
}

#[cfg(not(unix))]
fn restore_sigpipe() {}

fn main() -> ExitCode {
    restore_sigpipe();
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() {
                ExitCode::from(cli::EXIT_USAGE)
            } else {
                ExitCode::SUCCESS
            };
        }
    };
    match cli.command {
        Command::Check(a) => cli::check::run_check(a),
        Command::Explain(a) => cli::check::run_explain(a),
        Command::Eval(a) => cli::eval::run(a),
        #[cfg(feature = "prometheus")]
        Command::Fetch(a) => cli::fetch::run(a),
        Command::Lint(a) => cli::lint::run(a),
        Command::Fmt(a) => cli::fmt::run(a),
        Command::Import(a) => cli::import::run(a),
        Command::Export(a) => cli::export::run(a),
        Command::Test(a) => cli::test::run(a),
        #[cfg(feature = "data")]
        Command::Backtest(a) => cli::backtest::run(a),
        #[cfg(feature = "data")]
        Command::Snapshot(a) => cli::snapshot::run(a),
        #[cfg(feature = "data")]
        Command::Diff(a) => cli::diff::run(a),
        #[cfg(feature = "data")]
        Command::Compare(a) => cli::compare::run(a),
        #[cfg(feature = "data")]
        Command::Datasets(a) => cli::datasets::run(a),
        #[cfg(feature = "data")]
        Command::Tune(a) => cli::tune::run(a),
        #[cfg(not(feature = "data"))]
        Command::Tune(_) => cli::needs_data("tune"),
        #[cfg(not(feature = "data"))]
        Command::Backtest(_) => cli::needs_data("backtest"),
        #[cfg(not(feature = "data"))]
        Command::Snapshot(_) => cli::needs_data("snapshot"),
        #[cfg(not(feature = "data"))]
        Command::Diff(_) => cli::needs_data("diff"),
        #[cfg(not(feature = "data"))]
        Command::Compare(_) => cli::needs_data("compare"),
        #[cfg(not(feature = "data"))]
        Command::Datasets(_) => cli::needs_data("datasets"),
    }
}
