//! Command implementations behind `main.rs`: each file turns parsed arguments into
//! library calls and renders the result. Shared helpers live here.

#[cfg(feature = "data")]
pub mod backtest;
pub mod check;
#[cfg(feature = "data")]
pub mod compare;
#[cfg(feature = "data")]
pub mod datasets;
#[cfg(feature = "data")]
pub mod diff;
pub mod eval;
pub mod export;
#[cfg(feature = "prometheus")]
pub mod fetch;
pub mod fmt;
pub mod import;
pub mod lint;
#[cfg(feature = "prometheus")]
pub mod live;
#[cfg(feature = "prometheus")]
pub mod prometheus;
#[cfg(feature = "data")]
pub mod snapshot;
pub mod test;
#[cfg(feature = "data")]
pub mod tune;

use crate::diagnostics::{json_values, other_json, render, render_other, Format, SourceFile};
use crate::Compiled;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Exit status: success (warnings allowed).
pub const EXIT_OK: u8 = 0;
/// Exit status: the input has errors (or a denied warning, a failed test, a changed snapshot).
pub const EXIT_FAILURE: u8 = 1;
/// Exit status: usage or I/O error.
pub const EXIT_USAGE: u8 = 2;

/// The arguments of a command left out of a build without the `data` feature.
#[derive(clap::Args, Debug)]
pub struct NeedsData {
    #[arg(trailing_var_arg = true, allow_hyphen_values = true, hide = true)]
    pub args: Vec<String>,
}

/// What a command left out of the build says (exit 2).
pub fn needs_data(command: &str) -> ExitCode {
    eprintln!(
        "error: `scalerules {command}` needs polars, which this build leaves out: \
         build with the `data` feature (on by default), e.g. `cargo install scalerules`"
    );
    ExitCode::from(EXIT_USAGE)
}

/// The slice of a dataset a command runs on (`backtest`, `snapshot`, `diff`).
#[derive(clap::Args, Debug, Clone, Default)]
pub struct WindowArgs {
    /// Start of the window (inclusive): RFC 3339, a date, or unix seconds/ms (with
    /// --prometheus also `-7d`, `now-1h`).
    #[arg(long, allow_hyphen_values = true)]
    pub from: Option<String>,
    /// End of the window (exclusive); with --prometheus, default `now`.
    #[arg(long, allow_hyphen_values = true)]
    pub to: Option<String>,
    /// Resample to this tick (e.g. `1m`); default: the service's `tick`, else the dataset's.
    #[arg(long)]
    pub tick: Option<String>,
}

/// The terminal width to wrap diagnostics at (80 when unknown, e.g. in tests).
pub fn term_width() -> usize {
    std::env::var("COLUMNS")
        .ok()
        .and_then(|c| c.parse().ok())
        .unwrap_or(100)
}

/// Whether stderr is a colour terminal (and `NO_COLOR` is unset).
pub fn stderr_color() -> bool {
    std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none()
}

/// Rule-file arguments with folders expanded to the `*.scale` files below them (see
/// [`crate::files::expand`]). Files and `-` are kept as given.
pub fn expand_rule_paths(paths: &[PathBuf]) -> Vec<PathBuf> {
    crate::files::expand(paths, |p| p.extension().is_some_and(|e| e == "scale"))
}

/// A rule file read and compiled, or the I/O error already printed.
pub struct Loaded {
    pub file: SourceFile,
    pub compiled: Compiled,
}

/// An I/O error that was already printed to stderr.
#[derive(Debug)]
pub struct Reported;

/// Reads and compiles one rule file. `-` reads stdin. I/O errors are printed and
/// returned as [`Reported`].
pub fn load_rules(path: &Path) -> Result<Loaded, Reported> {
    let (name, text) = if path.as_os_str() == "-" {
        let mut s = String::new();
        if let Err(e) = std::io::Read::read_to_string(&mut std::io::stdin(), &mut s) {
            eprintln!("error: cannot read standard input: {e}");
            return Err(Reported);
        }
        ("<stdin>".to_string(), s)
    } else {
        match std::fs::read_to_string(path) {
            Ok(t) => (path.display().to_string(), t),
            Err(e) => {
                eprintln!("error: cannot read {}: {e}", path.display());
                return Err(Reported);
            }
        }
    };
    let compiled = crate::compile(&text, &crate::stem_of(path));
    Ok(Loaded {
        file: SourceFile::new(name, text),
        compiled,
    })
}

/// Where a command's diagnostics go, in the one format the user chose. Human and plain
/// text go to stderr as they come. JSON is gathered and written as one array when the
/// reporter is finished or dropped (so an early return cannot lose it): on stderr for
/// the commands whose stdout carries a result (a report, a diff), on stdout for
/// `check`, whose result the diagnostics are.
pub struct Reporter {
    format: Format,
    json_on_stdout: bool,
    json: Vec<serde_json::Value>,
    written: bool,
}

impl Reporter {
    /// Diagnostics beside a result on stdout: text or JSON on stderr.
    pub fn new(format: Format) -> Self {
        Reporter {
            format,
            json_on_stdout: false,
            json: Vec::new(),
            written: false,
        }
    }

    /// Diagnostics as the result: JSON goes to stdout, as an array even when empty.
    pub fn as_result(format: Format) -> Self {
        Reporter {
            format,
            json_on_stdout: true,
            json: Vec::new(),
            written: false,
        }
    }

    /// A rule file's diagnostics (warnings and errors).
    pub fn rules(&mut self, loaded: &Loaded) {
        self.diagnostics(&loaded.compiled.diagnostics, &loaded.file);
    }

    /// Diagnostics about `file` found after it compiled (a Prometheus query that
    /// failed, a binding a command needs), rendered with its source.
    pub fn diagnostics(&mut self, diags: &[crate::diagnostics::Diagnostic], file: &SourceFile) {
        if self.format == Format::Json {
            self.json.extend(json_values(diags, file));
        } else if !diags.is_empty() {
            let width = term_width();
            eprint!(
                "{}",
                render(diags, file, self.format, stderr_color(), width)
            );
        }
    }

    /// A problem outside the rule file (a dataset, a backtest run); `file` and `line`
    /// say where, when known.
    pub fn other(&mut self, d: &dyn miette::Diagnostic, file: Option<&str>, line: Option<usize>) {
        if self.format == Format::Json {
            self.json.push(other_json(d, file, line));
        } else {
            let text = render_other(d, self.format, stderr_color(), term_width());
            eprintln!("{text}");
        }
    }

    /// Writes the gathered JSON and returns `status` as the exit code.
    pub fn finish(mut self, status: u8) -> ExitCode {
        self.write_json();
        ExitCode::from(status)
    }

    fn write_json(&mut self) {
        let due = self.json_on_stdout || !self.json.is_empty();
        if self.format != Format::Json || self.written || !due {
            return;
        }
        self.written = true;
        let text = serde_json::to_string_pretty(&self.json).unwrap_or_else(|_| "[]".into());
        if self.json_on_stdout {
            println!("{text}");
        } else {
            eprintln!("{text}");
        }
    }
}

impl Drop for Reporter {
    fn drop(&mut self) {
        self.write_json();
    }
}

/// Prints a file's diagnostics to stderr in human form (for commands without `--format`).
pub fn print_diagnostics(loaded: &Loaded) {
    Reporter::new(Format::Human).rules(loaded);
}
