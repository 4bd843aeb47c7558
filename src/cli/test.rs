//! `scalerules test` (being built on its own branch).

use std::process::ExitCode;

#[derive(clap::Args, Debug)]
pub struct TestArgs {}

pub fn run(_args: TestArgs) -> ExitCode {
    eprintln!("error: `scalerules test` is not available in this build yet");
    ExitCode::from(super::EXIT_USAGE)
}
