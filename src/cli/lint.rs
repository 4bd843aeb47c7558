//! `scalerules lint`: lint rule files, render the findings, decide the exit status.

use super::{load_rules, stderr_color, term_width, EXIT_FAILURE, EXIT_OK, EXIT_USAGE};
use crate::diagnostics::{json_values, render, Code, Diagnostic, Format, Severity, SourceFile};
use crate::lint::{self, LintReport};
use crate::span::line_col;
use serde_json::{json, Value};
use std::path::PathBuf;
use std::process::ExitCode;

/// Output formats of `lint`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum LintFormat {
    /// Graphical, coloured on a terminal (stderr).
    Human,
    /// Narratable plain text (stderr).
    Plain,
    /// A JSON array on stdout, suppressed findings included with their reason.
    Json,
    /// SARIF 2.1.0 on stdout, for code-scanning services.
    Sarif,
}

#[derive(clap::Args, Debug)]
pub struct LintArgs {
    /// Rule files or folders of them (`-` for stdin).
    #[arg(required_unless_present = "explain")]
    pub files: Vec<PathBuf>,
    /// How to show findings.
    #[arg(long, value_enum, default_value = "human")]
    pub format: LintFormat,
    /// Turn a lint (code or name) into an error, or every warning with `warnings`.
    #[arg(long, value_name = "CODE|NAME|warnings")]
    pub deny: Vec<String>,
    /// Silence a lint (code or name).
    #[arg(long, value_name = "CODE|NAME")]
    pub allow: Vec<String>,
    /// Print a lint's documentation and exit.
    #[arg(long, value_name = "CODE|NAME", conflicts_with_all = ["deny", "allow"])]
    pub explain: Option<String>,
}

/// The text `--explain` prints.
pub fn explain_text(info: &lint::LintInfo) -> String {
    format!(
        "{} {} (default: warning)\n\n{}\n{}",
        info.code,
        info.name(),
        info.summary(),
        info.docs.trim_end()
    )
}

struct FileResult {
    file: SourceFile,
    compile_errors: Vec<Diagnostic>,
    report: LintReport,
}

pub fn run(args: LintArgs) -> ExitCode {
    if let Some(key) = &args.explain {
        return match lint::lookup(key) {
            Some(info) => {
                println!("{}", explain_text(info));
                ExitCode::from(EXIT_OK)
            }
            None => {
                eprintln!("error: no lint named `{key}` (see docs/lints.md for the list)");
                ExitCode::from(EXIT_USAGE)
            }
        };
    }
    let mut deny_all = false;
    let mut deny = Vec::new();
    let mut allow = Vec::new();
    for (key, is_deny) in args
        .deny
        .iter()
        .map(|k| (k, true))
        .chain(args.allow.iter().map(|k| (k, false)))
    {
        if is_deny && key == "warnings" {
            deny_all = true;
            continue;
        }
        match lint::lookup(key) {
            Some(info) if is_deny => deny.push(info.code),
            Some(info) => allow.push(info.code),
            None => {
                let flag = if is_deny { "--deny" } else { "--allow" };
                eprintln!("error: {flag} {key}: no lint has this code or name");
                return ExitCode::from(EXIT_USAGE);
            }
        }
    }

    let mut io_failed = false;
    let mut results = Vec::new();
    for path in &super::expand_rule_paths(&args.files) {
        let Ok(loaded) = load_rules(path) else {
            io_failed = true;
            continue;
        };
        let has_errors = loaded.compiled.diagnostics.iter().any(Diagnostic::is_error);
        let (compile_errors, mut report) = if has_errors {
            (loaded.compiled.diagnostics.clone(), LintReport::default())
        } else {
            let mut r = lint::lint_compiled(&loaded.file.text, &loaded.compiled);
            let mut all = loaded.compiled.diagnostics.clone();
            all.append(&mut r.diagnostics);
            r.diagnostics = all;
            (Vec::new(), r)
        };
        report.diagnostics.retain(|d| !allow.contains(&d.code));
        for d in &mut report.diagnostics {
            if deny_all || deny.contains(&d.code) {
                d.severity = Severity::Error;
            }
        }
        results.push(FileResult {
            file: loaded.file,
            compile_errors,
            report,
        });
    }

    let errors: usize = results
        .iter()
        .map(|r| {
            r.compile_errors.iter().filter(|d| d.is_error()).count()
                + r.report.diagnostics.iter().filter(|d| d.is_error()).count()
        })
        .sum();
    match args.format {
        LintFormat::Human | LintFormat::Plain => {
            let format = if args.format == LintFormat::Human {
                Format::Human
            } else {
                Format::Plain
            };
            let mut warnings = 0;
            let mut suppressed = 0;
            for r in &results {
                let diags = if r.compile_errors.is_empty() {
                    &r.report.diagnostics
                } else {
                    &r.compile_errors
                };
                warnings += diags.iter().filter(|d| !d.is_error()).count();
                suppressed += r.report.suppressed.len();
                eprint!(
                    "{}",
                    render(diags, &r.file, format, stderr_color(), term_width())
                );
            }
            if !io_failed {
                let n = results.len();
                eprintln!(
                    "linted {n} file{}: {errors} error{}, {warnings} warning{}, {suppressed} suppressed",
                    plural(n),
                    plural(errors),
                    plural(warnings)
                );
            }
        }
        LintFormat::Json => {
            let values: Vec<Value> = results.iter().flat_map(json_results).collect();
            println!(
                "{}",
                serde_json::to_string_pretty(&values).unwrap_or_else(|_| "[]".into())
            );
        }
        LintFormat::Sarif => {
            println!(
                "{}",
                serde_json::to_string_pretty(&sarif(&results)).unwrap_or_else(|_| "{}".into())
            );
        }
    }
    if io_failed {
        ExitCode::from(EXIT_USAGE)
    } else if errors > 0 {
        ExitCode::from(EXIT_FAILURE)
    } else {
        ExitCode::from(EXIT_OK)
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

fn with_name(mut v: Value, code: Code, suppressed: Option<&str>) -> Value {
    if let Some(obj) = v.as_object_mut() {
        if let Some(info) = lint::lookup(code.as_str()) {
            obj.insert("name".into(), json!(info.name()));
        }
        obj.insert(
            "suppressed".into(),
            match suppressed {
                Some(reason) => json!({ "reason": reason }),
                None => Value::Null,
            },
        );
    }
    v
}

fn json_results(r: &FileResult) -> Vec<Value> {
    if !r.compile_errors.is_empty() {
        return json_values(&r.compile_errors, &r.file);
    }
    let mut out: Vec<Value> = json_values(&r.report.diagnostics, &r.file)
        .into_iter()
        .zip(&r.report.diagnostics)
        .map(|(v, d)| with_name(v, d.code, None))
        .collect();
    for s in &r.report.suppressed {
        let v = json_values(std::slice::from_ref(&s.diagnostic), &r.file)
            .into_iter()
            .next()
            .unwrap_or(Value::Null);
        out.push(with_name(v, s.diagnostic.code, Some(&s.reason)));
    }
    out
}

/// The SARIF 2.1.0 log for every file's findings.
fn sarif(results: &[FileResult]) -> Value {
    let rules: Vec<Value> = lint::all()
        .iter()
        .map(|l| {
            json!({
                "id": l.code,
                "name": l.name(),
                "shortDescription": { "text": l.summary() },
                "fullDescription": { "text": l.docs.trim() },
                "defaultConfiguration": { "level": "warning" },
                "helpUri": format!("https://github.com/scalerules/scalerules/blob/main/docs/lints.md#{}-{}", l.code.as_str().to_ascii_lowercase(), l.name()),
            })
        })
        .collect();
    let mut out = Vec::new();
    for r in results {
        let diags = if r.compile_errors.is_empty() {
            r.report
                .diagnostics
                .iter()
                .map(|d| (d, None))
                .collect::<Vec<_>>()
        } else {
            r.compile_errors.iter().map(|d| (d, None)).collect()
        };
        let suppressed = r
            .report
            .suppressed
            .iter()
            .map(|s| (&s.diagnostic, Some(&s.reason)));
        for (d, reason) in diags.into_iter().chain(suppressed) {
            let text = &r.file.text;
            let (sl, sc) = line_col(text, d.primary.span.start);
            let (el, ec) = line_col(text, d.primary.span.end);
            let mut res = json!({
                "ruleId": d.code,
                "level": if d.is_error() { "error" } else { "warning" },
                "message": { "text": d.message },
                "locations": [{
                    "physicalLocation": {
                        "artifactLocation": { "uri": r.file.name.replace('\\', "/") },
                        "region": { "startLine": sl, "startColumn": sc, "endLine": el, "endColumn": ec }
                    }
                }]
            });
            if let (Some(reason), Some(obj)) = (reason, res.as_object_mut()) {
                obj.insert(
                    "suppressions".into(),
                    json!([{ "kind": "inSource", "justification": reason }]),
                );
            }
            out.push(res);
        }
    }
    json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": {
                "name": "scalerules",
                "version": env!("CARGO_PKG_VERSION"),
                "informationUri": "https://github.com/scalerules/scalerules",
                "rules": rules,
            }},
            "results": out,
        }]
    })
}
