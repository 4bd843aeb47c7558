//! `scalerules lint` (being built on its own branch).

use std::process::ExitCode;

#[derive(clap::Args, Debug)]
pub struct LintArgs {}

pub fn run(_args: LintArgs) -> ExitCode {
    eprintln!("error: `scalerules lint` is not available in this build yet");
    ExitCode::from(super::EXIT_USAGE)
}
