//! `scalerules backtest` (being built on its own branch).

use std::process::ExitCode;

#[derive(clap::Args, Debug)]
pub struct BacktestArgs {}

pub fn run(_args: BacktestArgs) -> ExitCode {
    eprintln!("error: `scalerules backtest` is not available in this build yet");
    ExitCode::from(super::EXIT_USAGE)
}
