//! `scalerules datasets generate`: the seeded sample data.

use super::{EXIT_FAILURE, EXIT_OK};
use crate::datagen;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::Args, Debug)]
pub struct DatasetsArgs {
    #[command(subcommand)]
    pub command: DatasetsCommand,
}

#[derive(clap::Subcommand, Debug)]
pub enum DatasetsCommand {
    /// Write the committed samples (default) or one preset, e.g. `--preset year-10s`.
    Generate {
        /// Output folder.
        #[arg(long, default_value = "datasets")]
        out: PathBuf,
        /// One preset by name; without it, every committed sample.
        #[arg(long)]
        preset: Option<String>,
    },
    /// List the presets.
    List,
}

pub fn run(args: DatasetsArgs) -> ExitCode {
    match args.command {
        DatasetsCommand::List => {
            for p in datagen::presets() {
                let kind = if p.committed { "sample" } else { "on demand" };
                println!("{:<14} {:<10} {}", p.name, kind, p.description);
            }
            ExitCode::from(EXIT_OK)
        }
        DatasetsCommand::Generate { out, preset } => {
            let written = match preset {
                None => datagen::regenerate_samples(&out),
                Some(name) => datagen::preset(&name).and_then(|p| datagen::write_preset(p, &out)),
            };
            match written {
                Ok(paths) => {
                    for p in paths {
                        println!("wrote {}", p.display());
                    }
                    ExitCode::from(EXIT_OK)
                }
                Err(e) => {
                    eprintln!("error: {e}");
                    ExitCode::from(EXIT_FAILURE)
                }
            }
        }
    }
}
