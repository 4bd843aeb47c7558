//! `scalerules import FILE.yaml… [-o FILE]`: Kubernetes HorizontalPodAutoscaler and KEDA
//! ScaledObject manifests to `.scale` text (`kube::import`). Every field it cannot
//! translate is a diagnostic on stderr naming the YAML field and line; the text is then
//! compiled, so what is printed is known to parse and check.

use super::{EXIT_FAILURE, EXIT_OK, EXIT_USAGE};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::Args, Debug)]
pub struct ImportArgs {
    /// Manifest files (multi-document YAML accepted).
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    /// Write the `.scale` text to this file instead of stdout.
    #[arg(short = 'o', long = "output")]
    pub output: Option<PathBuf>,
}

pub fn run(args: ImportArgs) -> ExitCode {
    let mut policies = Vec::new();
    let mut failed = false;
    for path in &args.files {
        let src = match std::fs::read_to_string(path) {
            Ok(s) => s,
            Err(e) => {
                eprintln!("error: cannot read {}: {e}", path.display());
                return ExitCode::from(EXIT_USAGE);
            }
        };
        let imported = crate::kube::import(&src);
        for d in &imported.diagnostics {
            eprintln!("{}: {d}", path.display());
        }
        failed |= imported.has_errors();
        policies.extend(imported.policies);
    }
    let text = crate::kube::scale_text(&policies);
    let stem = args
        .output
        .as_deref()
        .map_or_else(|| "imported".to_string(), crate::stem_of);
    let compiled = crate::compile(&text, &stem);
    for d in compiled.diagnostics.iter().filter(|d| d.is_error()) {
        // Import writes only what the language accepts; a failure here is a bug, shown
        // rather than hidden.
        eprintln!(
            "note: the imported text does not check yet: {} {}",
            d.code, d.message
        );
    }
    match &args.output {
        Some(out) => {
            if let Err(e) = std::fs::write(out, &text) {
                eprintln!("error: cannot write {}: {e}", out.display());
                return ExitCode::from(EXIT_USAGE);
            }
            eprintln!("wrote {} ({} services)", out.display(), policies.len());
        }
        None => print!("{text}"),
    }
    ExitCode::from(if failed { EXIT_FAILURE } else { EXIT_OK })
}
