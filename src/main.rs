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
    /// Online mode: read metric rows (CSV) from stdin, print one JSON line per decision.
    Eval(cli::eval::EvalArgs),
    /// Replay a policy over a historical dataset, counterfactually, and score it.
    Backtest(cli::backtest::BacktestArgs),
    /// Check whether policies are wise: flapping, shadowed rules, cooldowns, …
    Lint(cli::lint::LintArgs),
    /// Format rule files in the canonical layout.
    Fmt(cli::fmt::FmtArgs),
    /// Run the rule unit tests written next to the rule files.
    Test(cli::test::TestArgs),
    /// Record a policy's backtest outcome in a reviewable file; `--check` fails on change.
    Snapshot(cli::snapshot::SnapshotArgs),
    /// Backtest two versions of a policy on the same data, side by side.
    Diff(cli::diff::DiffArgs),
    /// Generate the bundled sample datasets (or the large benchmark dataset).
    Datasets(cli::datasets::DatasetsArgs),
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
        Command::Backtest(a) => cli::backtest::run(a),
        Command::Lint(a) => cli::lint::run(a),
        Command::Fmt(a) => cli::fmt::run(a),
        Command::Test(a) => cli::test::run(a),
        Command::Snapshot(a) => cli::snapshot::run(a),
        Command::Diff(a) => cli::diff::run(a),
        Command::Datasets(a) => cli::datasets::run(a),
    }
}
