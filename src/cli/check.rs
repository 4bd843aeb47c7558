//! `scalerules check` and `scalerules explain`.

use super::{load_rules, print_diagnostics, Reporter, EXIT_FAILURE, EXIT_OK, EXIT_USAGE};
use crate::diagnostics::{Code, Format};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::Args, Debug)]
pub struct CheckArgs {
    /// Rule files or folders of them (`-` for stdin).
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    /// How to show diagnostics.
    #[arg(long, value_enum, default_value = "human")]
    pub format: Format,
}

#[derive(clap::Args, Debug)]
pub struct ExplainArgs {
    /// The rule file to explain, or a diagnostic code (`E107`, `W201`) or lint name.
    pub file: PathBuf,
    /// Print the IR as JSON instead of text.
    #[arg(long)]
    pub json: bool,
}

pub fn run_check(args: CheckArgs) -> ExitCode {
    let mut errors = 0;
    let mut io_failed = false;
    let mut out = Reporter::as_result(args.format);
    let files = super::expand_rule_paths(&args.files);
    for path in &files {
        let Ok(loaded) = load_rules(path) else {
            io_failed = true;
            continue;
        };
        errors += loaded
            .compiled
            .diagnostics
            .iter()
            .filter(|d| d.is_error())
            .count();
        out.rules(&loaded);
    }
    if args.format != Format::Json && errors == 0 && !io_failed {
        let n = files.len();
        eprintln!(
            "checked {n} file{}: no errors",
            if n == 1 { "" } else { "s" }
        );
    }
    out.finish(if io_failed {
        EXIT_USAGE
    } else if errors > 0 {
        EXIT_FAILURE
    } else {
        EXIT_OK
    })
}

/// The explanation of a diagnostic code or lint name, when `key` is one.
pub fn explain_code(key: &str) -> Option<String> {
    if let Some(info) = crate::lint::lookup(key) {
        return Some(super::lint::explain_text(info));
    }
    let code = Code::lookup(key)?;
    let reference = match code.stage() {
        crate::diagnostics::Stage::Kube => {
            "Import and export diagnostics are described in docs/kubernetes.md."
        }
        crate::diagnostics::Stage::Prometheus => {
            "Prometheus errors are described in docs/prometheus.md."
        }
        _ => {
            "The reference for every construct is docs/language.md; data and backtest \
             errors are described in docs/backtest.md."
        }
    };
    Some(format!(
        "{code}: {}\n\nStage: {}. {reference}",
        code.summary(),
        code.stage().describe()
    ))
}

pub fn run_explain(args: ExplainArgs) -> ExitCode {
    if !args.file.exists() {
        if let Some(text) = explain_code(&args.file.to_string_lossy()) {
            println!("{text}");
            return ExitCode::from(EXIT_OK);
        }
    }
    let Ok(loaded) = load_rules(&args.file) else {
        return ExitCode::from(EXIT_USAGE);
    };
    print_diagnostics(&loaded);
    let Some(program) = &loaded.compiled.program else {
        return ExitCode::from(EXIT_FAILURE);
    };
    if args.json {
        match serde_json::to_string_pretty(program) {
            Ok(s) => println!("{s}"),
            Err(e) => {
                eprintln!("error: cannot serialise the IR: {e}");
                return ExitCode::from(EXIT_FAILURE);
            }
        }
    } else {
        print!("{program}");
        print!("{}", params_text(&loaded.compiled));
    }
    ExitCode::from(EXIT_OK)
}

/// The parameters after the IR: the IR holds their defaults; `tune` tries the rest.
fn params_text(c: &crate::Compiled) -> String {
    let Some(ast) = &c.ast else {
        return String::new();
    };
    let mut out = String::new();
    for (si, s) in ast.services.iter().enumerate() {
        let params: Vec<_> = c.params.iter().filter(|p| p.service == si).collect();
        if params.is_empty() {
            continue;
        }
        out.push_str(&format!(
            "parameters of {} (the IR above uses each default; `scalerules tune` tries the others):\n",
            s.name.node
        ));
        for p in params {
            let (lo, hi) = (p.values.first(), p.values.last());
            out.push_str(&format!(
                "  ${} = {}: {} values, {} to {}\n",
                p.name,
                p.show(p.default),
                p.values.len(),
                lo.map_or(String::new(), |&v| p.show(v)),
                hi.map_or(String::new(), |&v| p.show(v)),
            ));
        }
    }
    out
}
