//! `scalerules export --to hpa|keda FILE.scale [-o FILE]`: each service of a rule file as
//! an HorizontalPodAutoscaler or a KEDA ScaledObject (`kube::policy_of`, then
//! `kube::export`). A construct with no manifest equivalent is a diagnostic on its span
//! in the rule file; then nothing is written and the exit status is 1.

use super::{load_rules, Reporter, EXIT_FAILURE, EXIT_OK, EXIT_USAGE};
use crate::diagnostics::Format;
use crate::kube::To;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::ValueEnum, Clone, Copy, Debug)]
pub enum Kind {
    /// autoscaling/v2 HorizontalPodAutoscaler
    Hpa,
    /// keda.sh/v1alpha1 ScaledObject
    Keda,
}

#[derive(clap::Args, Debug)]
pub struct ExportArgs {
    /// The manifest kind to write.
    #[arg(long = "to", value_enum)]
    pub to: Kind,
    /// The rule file (`-` for stdin).
    pub file: PathBuf,
    /// Write the YAML to this file instead of stdout.
    #[arg(short = 'o', long = "output")]
    pub output: Option<PathBuf>,
    /// How to show diagnostics.
    #[arg(long, value_enum, default_value = "human")]
    pub format: Format,
}

pub fn run(args: ExportArgs) -> ExitCode {
    let to = match args.to {
        Kind::Hpa => To::Hpa,
        Kind::Keda => To::Keda,
    };
    let Ok(loaded) = load_rules(&args.file) else {
        return ExitCode::from(EXIT_USAGE);
    };
    let mut out = Reporter::new(args.format);
    out.rules(&loaded);
    let Some(program) = &loaded.compiled.program else {
        return out.finish(EXIT_FAILURE);
    };
    let mut failed = false;
    let mut manifests = Vec::new();
    for service in &program.services {
        let (policy, diags) = crate::kube::policy_of(service, &loaded.file.text);
        failed |= diags.iter().any(|d| d.is_error());
        out.diagnostics(&diags, &loaded.file);
        if failed {
            continue;
        }
        let exported = crate::kube::export(&policy, to);
        for d in &exported.diagnostics {
            eprintln!("{}: service {}: {d}", loaded.file.name, service.name);
        }
        match exported.manifest {
            Some(m) => manifests.push(m),
            None => failed = true,
        }
    }
    if failed {
        return out.finish(EXIT_FAILURE);
    }
    let yaml = crate::kube::export::to_yaml(&manifests);
    match &args.output {
        Some(path) => {
            if let Err(e) = std::fs::write(path, &yaml) {
                eprintln!("error: cannot write {}: {e}", path.display());
                return out.finish(EXIT_USAGE);
            }
            eprintln!(
                "wrote {} ({} manifest{})",
                path.display(),
                manifests.len(),
                if manifests.len() == 1 { "" } else { "s" }
            );
        }
        None => print!("{yaml}"),
    }
    out.finish(EXIT_OK)
}
