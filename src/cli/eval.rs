//! `scalerules eval`: the evaluator online. Metric rows in (CSV on stdin, the first
//! column `timestamp`), one JSON line per decision out, flushed at once.

use super::{load_rules, print_diagnostics, EXIT_FAILURE, EXIT_OK, EXIT_USAGE};
use crate::diagnostics::did_you_mean;
use crate::eval::Evaluator;
use crate::ir::{self, MetricSource};
use crate::timestamp::{format_timestamp, parse_timestamp};
use serde_json::json;
use std::io::{BufRead, Write};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::Args, Debug)]
pub struct EvalArgs {
    /// The rule file.
    pub file: PathBuf,
    /// The service to run (needed when the file has several).
    #[arg(long)]
    pub service: Option<String>,
    /// Also print a line for each rule that held but was suppressed (cooldown, bound, tie-break).
    #[arg(long)]
    pub suppressed: bool,
}

pub fn run(args: EvalArgs) -> ExitCode {
    let Ok(loaded) = load_rules(&args.file) else {
        return ExitCode::from(EXIT_USAGE);
    };
    print_diagnostics(&loaded);
    let Some(program) = &loaded.compiled.program else {
        return ExitCode::from(EXIT_FAILURE);
    };
    let service = match program.select(args.service.as_deref()) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(EXIT_USAGE);
        }
    };
    let stdin = std::io::stdin();
    let stdout = std::io::stdout();
    match run_stream(service, stdin.lock(), &mut stdout.lock(), args.suppressed) {
        Ok(()) => ExitCode::from(EXIT_OK),
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(EXIT_FAILURE)
        }
    }
}

/// One CSV record's fields (RFC 4180 quoting: `"a,b"` is one field, `""` inside quotes
/// is a quote), trimmed.
fn split_csv(line: &str) -> Vec<String> {
    let mut fields = Vec::new();
    let mut cur = String::new();
    let mut quoted = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' if quoted && chars.peek() == Some(&'"') => {
                cur.push('"');
                chars.next();
            }
            '"' => quoted = !quoted,
            ',' if !quoted => fields.push(std::mem::take(&mut cur).trim().to_string()),
            _ => cur.push(c),
        }
    }
    fields.push(cur.trim().to_string());
    fields
}

/// Runs the evaluator over CSV rows from `input`, writing decision lines to `out`.
/// Errors name the input row (1-based, after the header) and the column.
pub fn run_stream(
    service: &ir::Service,
    input: impl BufRead,
    out: &mut impl Write,
    show_suppressed: bool,
) -> Result<(), String> {
    let mut lines = input.lines();
    let header = match lines.next() {
        Some(Ok(h)) => h,
        Some(Err(e)) => return Err(format!("cannot read standard input: {e}")),
        None => return Err("no input: expected a CSV header starting with `timestamp`".into()),
    };
    let columns: Vec<String> = split_csv(&header);
    if columns.first().map(String::as_str) != Some("timestamp") {
        return Err(format!(
            "line 1: the first column must be `timestamp`, found `{}`",
            columns.first().map_or("", String::as_str)
        ));
    }
    let mut slots = Vec::with_capacity(service.metrics.len());
    for m in &service.metrics {
        let col = match &m.source {
            MetricSource::Column(c) => c.as_str(),
            MetricSource::Builtin(b) => b.name(),
        };
        match columns.iter().position(|c| c == col) {
            Some(i) => slots.push(i),
            None => {
                let hint = did_you_mean(col, columns.iter().map(String::as_str))
                    .map(|s| format!(" Did you mean `{s}`?"))
                    .unwrap_or_default();
                return Err(format!(
                    "line 1: no column `{col}` for metric `{}` (columns: {}).{hint}",
                    m.name,
                    columns.join(", ")
                ));
            }
        }
    }
    let mut ev = Evaluator::new(service);
    let mut values = vec![f64::NAN; service.metrics.len()];
    for (i, line) in lines.enumerate() {
        let row = i + 1;
        let line = line.map_err(|e| format!("cannot read standard input: {e}"))?;
        if line.trim().is_empty() {
            continue;
        }
        let cells = split_csv(&line);
        let t = parse_timestamp(&cells[0])
            .map_err(|e| format!("row {row} (line {}), column `timestamp`: {e}", row + 1))?;
        for (slot, (&col, m)) in slots.iter().zip(&service.metrics).enumerate() {
            let cell = cells.get(col).map_or("", String::as_str);
            values[slot] = if cell.is_empty() || cell.eq_ignore_ascii_case("nan") {
                f64::NAN
            } else {
                let v: f64 = cell.parse().map_err(|_| {
                    format!(
                        "row {row} (line {}), column `{}`: `{cell}` is not a number",
                        row + 1,
                        columns[col]
                    )
                })?;
                m.to_si(v)
            };
        }
        let step = ev
            .step(t, &values)
            .map_err(|e| format!("row {row} (line {}): {e}", row + 1))?;
        if show_suppressed {
            for s in &step.suppressed {
                let rule = &service.rules[s.rule.0];
                let line = json!({
                    "timestamp": format_timestamp(t),
                    "service": service.name,
                    "suppressed": s.why.key(),
                    "rule": rule.text,
                    "line": rule.line,
                    "detail": s.why.to_string(),
                });
                writeln!(out, "{line}").map_err(|e| e.to_string())?;
            }
        }
        if let Some(d) = step.decision {
            let rule = &service.rules[d.rule.0];
            let line = json!({
                "timestamp": format_timestamp(d.timestamp),
                "service": service.name,
                "from": d.from,
                "to": d.to,
                "rule": rule.text,
                "line": rule.line,
                "reason": d.reason,
            });
            writeln!(out, "{line}").map_err(|e| e.to_string())?;
            out.flush().map_err(|e| e.to_string())?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::split_csv;

    #[test]
    fn csv_fields_follow_rfc4180_quoting() {
        assert_eq!(split_csv("a, b ,c"), ["a", "b", "c"]);
        assert_eq!(
            split_csv(r#""2026-03-02T00:00:00Z","1,5",x"#),
            ["2026-03-02T00:00:00Z", "1,5", "x"]
        );
        assert_eq!(split_csv(r#""say ""hi""",2"#), [r#"say "hi""#, "2"]);
        assert_eq!(split_csv("a,,"), ["a", "", ""]);
    }
}
