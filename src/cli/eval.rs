//! `scalerules eval`: the evaluator online. Metric rows in (CSV on stdin, the first
//! column `timestamp`; empty cells, `NaN`, `null`, `NA`, `N/A` and `None` are missing,
//! as in datasets), one JSON line per decision out, flushed at once. Optional columns
//! `replicas` and `ready` carry the cluster's actual counts: from a row where a cell is
//! present it overrides the evaluator's own count (an empty cell: no observation).

use super::{load_rules, print_diagnostics, EXIT_FAILURE, EXIT_OK, EXIT_USAGE};
use crate::cell::{numeric_hint, parse_number, Cell};
use crate::diagnostics::did_you_mean;
use crate::eval::{Evaluator, Observed, Step};
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

/// One line of CSV as its fields (RFC 4180 quoting, cells trimmed), read with the
/// `csv` crate. Input is taken line by line so that each decision is written as soon as
/// its row arrives and errors name the exact line.
fn fields(csv: &csv::ReaderBuilder, line: &str) -> Result<csv::StringRecord, String> {
    let mut record = csv::StringRecord::new();
    match csv.from_reader(line.as_bytes()).read_record(&mut record) {
        Ok(_) => Ok(record),
        Err(e) => Err(match e.kind() {
            csv::ErrorKind::Utf8 { .. } => "the line is not UTF-8 text".to_string(),
            _ => e.to_string(),
        }),
    }
}

/// Runs the evaluator over CSV rows from `input`, writing decision lines to `out`. A
/// missing cell is what `cell::parse_number` says, as for the dataset loader. Errors
/// name the input row (1-based, after the header), its line and the column.
pub fn run_stream(
    service: &ir::Service,
    input: impl BufRead,
    out: &mut impl Write,
    show_suppressed: bool,
) -> Result<(), String> {
    let mut csv = csv::ReaderBuilder::new();
    csv.has_headers(false).flexible(true).trim(csv::Trim::All);
    let mut lines = input.lines();
    let header = match lines.next() {
        Some(Ok(h)) => h,
        Some(Err(e)) => return Err(format!("cannot read standard input: {e}")),
        None => return Err("no input: expected a CSV header starting with `timestamp`".into()),
    };
    let columns: Vec<String> = fields(&csv, &header)
        .map_err(|e| format!("line 1: {e}"))?
        .iter()
        .map(str::to_string)
        .collect();
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
    let observed_col = |name: &str| columns.iter().position(|c| c == name);
    let (replicas_col, ready_col) = (observed_col("replicas"), observed_col("ready"));
    let mut ev = Evaluator::new(service);
    let mut values = vec![f64::NAN; service.metrics.len()];
    let mut step = Step::default();
    for (i, line) in lines.enumerate() {
        let row = i + 1;
        let at = format!("row {row} (line {})", row + 1);
        let line = line.map_err(|e| format!("cannot read standard input: {e}"))?;
        if line.trim().is_empty() {
            continue;
        }
        let record = fields(&csv, &line).map_err(|e| format!("{at}: {e}"))?;
        let t = parse_timestamp(record.get(0).unwrap_or(""))
            .map_err(|e| format!("{at}, column `timestamp`: {e}"))?;
        for (slot, (&col, m)) in slots.iter().zip(&service.metrics).enumerate() {
            let text = record.get(col).unwrap_or("");
            values[slot] = match parse_number(text) {
                Cell::Value(v) => m.to_si(v),
                Cell::Missing => f64::NAN,
                Cell::Infinite => {
                    return Err(format!(
                        "{at}, column `{}`: `{text}` is infinite; write a finite number, or leave the cell empty for a missing value",
                        columns[col]
                    ))
                }
                Cell::Invalid => {
                    return Err(format!(
                        "{at}, column `{}`: `{text}` is not a number: {}",
                        columns[col],
                        numeric_hint(text)
                    ))
                }
            };
        }
        let observed = Observed {
            replicas: observed_count(&record, replicas_col, "replicas", &at)?,
            ready: observed_count(&record, ready_col, "ready", &at)?,
        };
        ev.step_observed(t, &values, observed, &mut step)
            .map_err(|e| format!("{at}: {e}"))?;
        if show_suppressed {
            for s in &step.suppressed {
                let line = json!({
                    "timestamp": format_timestamp(t),
                    "service": service.name,
                    "suppressed": s.why.key(),
                    "rule": service.actor_text(s.rule),
                    "by": ir::Service::actor_name(s.rule),
                    "line": service.actor_line(s.rule),
                    "detail": s.why.to_string(),
                });
                writeln!(out, "{line}").map_err(|e| e.to_string())?;
            }
        }
        if let Some(d) = step.decision.take() {
            let line = json!({
                "timestamp": format_timestamp(d.timestamp),
                "service": service.name,
                "from": d.from,
                "to": d.to,
                "rule": service.actor_text(d.rule),
                "by": ir::Service::actor_name(d.rule),
                "line": service.actor_line(d.rule),
                "reason": d.reason,
            });
            writeln!(out, "{line}").map_err(|e| e.to_string())?;
            out.flush().map_err(|e| e.to_string())?;
        }
    }
    Ok(())
}

/// The count in an observed column (`replicas`, `ready`) of one row: `None` for an
/// absent column or a missing cell, an error for anything but a whole number ≥ 0.
fn observed_count(
    record: &csv::StringRecord,
    col: Option<usize>,
    name: &str,
    at: &str,
) -> Result<Option<u32>, String> {
    let Some(text) = col.and_then(|c| record.get(c)) else {
        return Ok(None);
    };
    match parse_number(text) {
        Cell::Missing => Ok(None),
        Cell::Value(v) if v >= 0.0 && v.fract() == 0.0 && v <= f64::from(u32::MAX) => {
            Ok(Some(v as u32))
        }
        _ => Err(format!(
            "{at}, column `{name}`: `{text}` is not a replica count: write a whole number of at least 0, or leave the cell empty for no observation"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::run_stream;

    fn decisions(input: &str) -> Result<Vec<serde_json::Value>, String> {
        let compiled = crate::compile("replicas 1..10\nwhen p95 > 300ms scale out by 1\n", "api");
        let program = compiled.program.expect("compiles");
        let mut out = Vec::new();
        run_stream(&program.services[0], input.as_bytes(), &mut out, false)?;
        Ok(String::from_utf8_lossy(&out)
            .lines()
            .map(|l| serde_json::from_str(l).expect("a JSON line"))
            .collect())
    }

    #[test]
    fn quoted_fields_follow_rfc4180() {
        let d = decisions("timestamp,note,p95\n\"2026-03-02T00:00:00Z\",\"a, \"\"b\"\"\", 400 \n")
            .expect("reads");
        assert_eq!(d.len(), 1);
        assert_eq!(d[0]["timestamp"], "2026-03-02T00:00:00Z");
    }

    /// Online and backtest agree on what a missing value is (`cell::parse_number`).
    #[test]
    fn missing_cells_are_those_of_the_dataset_loader() {
        for missing in ["", "NaN", "nan", "null", "NA", "N/A", "None", "-nan"] {
            let input = format!("timestamp,p95\n2026-03-02T00:00:00Z,{missing}\n");
            assert_eq!(decisions(&input), Ok(Vec::new()), "{missing:?}");
        }
        let short_row = "timestamp,p95\n2026-03-02T00:00:00Z\n";
        assert_eq!(decisions(short_row), Ok(Vec::new()));
    }

    #[test]
    fn bad_cells_name_row_line_and_column() {
        let e = decisions("timestamp,p95\n2026-03-02T00:00:00Z,1,5\n\n2026-03-02T00:01:00Z,12%\n")
            .expect_err("12% is not a number");
        assert!(
            e.starts_with("row 3 (line 4), column `p95`: `12%` is not a number: drop the `%` sign"),
            "{e}"
        );
        let e = decisions("timestamp,p95\n2026-03-02T00:00:00Z,inf\n").expect_err("infinite");
        assert!(e.contains("`inf` is infinite"), "{e}");
        let e =
            decisions("timestamp,p95\n2026-03-02T00:00:00Z,\"0,5\"\n").expect_err("decimal comma");
        assert!(
            e.starts_with("row 1 (line 2), column `p95`: `0,5` is not a number: use a dot"),
            "{e}"
        );
    }
}
