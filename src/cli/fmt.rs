//! `scalerules fmt` (being built on its own branch).

use std::process::ExitCode;

#[derive(clap::Args, Debug)]
pub struct FmtArgs {}

pub fn run(_args: FmtArgs) -> ExitCode {
    eprintln!("error: `scalerules fmt` is not available in this build yet");
    ExitCode::from(super::EXIT_USAGE)
}
