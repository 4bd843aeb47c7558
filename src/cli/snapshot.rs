//! `scalerules snapshot` (being built on its own branch).

use std::process::ExitCode;

#[derive(clap::Args, Debug)]
pub struct SnapshotArgs {}

pub fn run(_args: SnapshotArgs) -> ExitCode {
    eprintln!("error: `scalerules snapshot` is not available in this build yet");
    ExitCode::from(super::EXIT_USAGE)
}
