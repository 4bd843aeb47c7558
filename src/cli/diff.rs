//! `scalerules diff` (being built on its own branch).

use std::process::ExitCode;

#[derive(clap::Args, Debug)]
pub struct DiffArgs {}

pub fn run(_args: DiffArgs) -> ExitCode {
    eprintln!("error: `scalerules diff` is not available in this build yet");
    ExitCode::from(super::EXIT_USAGE)
}
