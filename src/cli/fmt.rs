//! `scalerules fmt`: rewrite rule files in the canonical layout.

use super::{stderr_color, term_width, EXIT_FAILURE, EXIT_OK, EXIT_USAGE};
use crate::diagnostics::{render, Format, SourceFile};
use crate::fmt::format_source;
use std::io::Read;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::Args, Debug)]
pub struct FmtArgs {
    /// Rule files or folders of them; `-` formats stdin to stdout.
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    /// Change nothing: print a unified diff and exit 1 when a file is not formatted.
    #[arg(long)]
    pub check: bool,
}

/// The unified diff `fmt --check` prints.
pub fn diff(name: &str, old: &str, new: &str) -> String {
    similar::TextDiff::from_lines(old, new)
        .unified_diff()
        .context_radius(3)
        .header(name, &format!("{name} (formatted)"))
        .to_string()
}

pub fn run(args: FmtArgs) -> ExitCode {
    let mut status = EXIT_OK;
    let worse = |s: &mut u8, new: u8| {
        if new == EXIT_USAGE || *s == EXIT_OK {
            *s = new;
        }
    };
    for path in &super::expand_rule_paths(&args.files) {
        let stdin = path.as_os_str() == "-";
        let (name, src) = if stdin {
            let mut s = String::new();
            if let Err(e) = std::io::stdin().read_to_string(&mut s) {
                eprintln!("error: cannot read standard input: {e}");
                worse(&mut status, EXIT_USAGE);
                continue;
            }
            ("<stdin>".to_string(), s)
        } else {
            match std::fs::read_to_string(path) {
                Ok(s) => (path.display().to_string(), s),
                Err(e) => {
                    eprintln!("error: cannot read {}: {e}", path.display());
                    worse(&mut status, EXIT_USAGE);
                    continue;
                }
            }
        };
        let formatted = match format_source(&src, &crate::stem_of(path)) {
            Ok(f) => f,
            Err(diags) => {
                let file = SourceFile::new(name.clone(), src);
                eprint!(
                    "{}",
                    render(&diags, &file, Format::Human, stderr_color(), term_width())
                );
                eprintln!("{name}: not formatted (syntax errors)");
                worse(&mut status, EXIT_FAILURE);
                continue;
            }
        };
        if stdin && !args.check {
            print!("{formatted}");
            continue;
        }
        if formatted == src {
            continue;
        }
        if args.check {
            print!("{}", diff(&name, &src, &formatted));
            worse(&mut status, EXIT_FAILURE);
        } else if let Err(e) = crate::files::write_file(path, &formatted) {
            eprintln!("error: cannot write {name}: {e}");
            worse(&mut status, EXIT_USAGE);
        } else {
            eprintln!("formatted {name}");
        }
    }
    ExitCode::from(status)
}
