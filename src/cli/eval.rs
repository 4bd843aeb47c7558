//! `scalerules eval`: the evaluator online. Metric rows in (CSV on stdin, the first
//! column `timestamp`; empty cells, `NaN`, `null`, `NA`, `N/A` and `None` are missing,
//! as in datasets), one JSON line per decision out, flushed at once.
//!
//! Meant to run unattended, so bad input does not end it (docs/reliability.md): a cell
//! that is not a number is reported on stderr and counts as missing for that row (the
//! rules' `on missing` mode applies); a row whose timestamp is unreadable or does not
//! come after the previous row's is reported and skipped. `--strict` stops at the first
//! such problem instead. A summary of the counts goes to stderr on exit.
//!
//! Two layers: [`Online`] takes one evaluation (a timestamp and one SI value per metric)
//! and writes its lines, for any source of rows; [`run_stream`] reads CSV rows into it.
//!
//! Optional columns `replicas` and `ready` carry the cluster's actual counts: from a row
//! where a cell is present it overrides the evaluator's own count (an empty cell: no
//! observation; docs/language.md, "The replica count the evaluator believes").

use super::{load_rules, print_diagnostics, EXIT_FAILURE, EXIT_OK, EXIT_USAGE};
use crate::cell::{numeric_hint, parse_number, Cell};
use crate::diagnostics::did_you_mean;
use crate::eval::{check_window_sizes, EvalError, Evaluator, Observed, Step, MAX_WINDOW_SAMPLES};
use crate::ir::{self, MetricSource, Millis};
use crate::timestamp::{format_timestamp, parse_timestamp};
use serde_json::json;
use std::fmt;
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
    /// Stop at the first malformed row (by default it is reported, counted and treated
    /// as missing data or skipped, and evaluation goes on).
    #[arg(long)]
    pub strict: bool,
    /// Or evaluate live from Prometheus (`--prometheus URL`) instead of stdin.
    #[cfg(feature = "prometheus")]
    #[command(flatten)]
    pub live: super::live::LiveArgs,
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
    #[cfg(feature = "prometheus")]
    if let Some(url) = &args.live.server.prometheus {
        return super::live::run(&args.live, url, service, &loaded, args.suppressed);
    }
    let options = Options {
        show_suppressed: args.suppressed,
        strict: args.strict,
    };
    let stdin = std::io::stdin();
    let stdout = std::io::stdout();
    let stderr = std::io::stderr();
    let mut err = stderr.lock();
    let result = run_stream(service, stdin.lock(), &mut stdout.lock(), &mut err, options);
    match result {
        Ok(summary) => {
            let _ = writeln!(err, "{summary}");
            ExitCode::from(EXIT_OK)
        }
        Err(stop) => {
            let _ = writeln!(err, "error: {}", stop.message);
            if let Some(summary) = stop.summary {
                let _ = writeln!(err, "{summary}");
            }
            ExitCode::from(EXIT_FAILURE)
        }
    }
}

/// How [`run_stream`] treats its input.
#[derive(Clone, Copy, Debug, Default)]
pub struct Options {
    /// Also print a line for each suppressed rule.
    pub show_suppressed: bool,
    /// Stop at the first malformed row instead of reporting it and going on.
    pub strict: bool,
}

/// What an online run counted, printed on exit.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Summary {
    /// Rows evaluated (including those with cells treated as missing).
    pub rows: u64,
    pub decisions: u64,
    /// Cells that were not numbers, evaluated as missing.
    pub bad_cells: u64,
    /// Rows skipped because their line or their timestamp could not be read.
    pub unreadable_rows: u64,
    /// Rows skipped because their timestamp did not come after the previous row's.
    pub out_of_order: u64,
}

impl fmt::Display for Summary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "eval: {} evaluated, {}; {} treated as missing, skipped {} and {}",
            plural(self.rows, "row"),
            plural(self.decisions, "decision"),
            plural(self.bad_cells, "malformed cell"),
            plural(self.unreadable_rows, "unreadable row"),
            plural(self.out_of_order, "row whose timestamp did not increase"),
        )
    }
}

fn plural(n: u64, what: &str) -> String {
    if n == 1 {
        format!("1 {what}")
    } else if let Some(rest) = what.strip_prefix("row ") {
        format!("{n} rows {rest}")
    } else {
        format!("{n} {what}s")
    }
}

/// Why an evaluation did not happen.
#[derive(Debug, thiserror::Error)]
pub enum RowError {
    /// The timestamp does not come after the previous evaluation's: nothing was evaluated.
    #[error("{0}")]
    NotIncreasing(EvalError),
    /// The evaluator refused the values (a caller's mistake, e.g. the wrong width).
    #[error("{0}")]
    Rejected(EvalError),
    /// The output could not be written.
    #[error("cannot write the output: {0}")]
    Output(#[from] std::io::Error),
}

/// The online evaluator with its output: one evaluation in, its JSON lines out
/// (flushed), counts kept. Any source of rows drives it: CSV on stdin ([`run_stream`])
/// or a live query loop.
pub struct Online<'p> {
    service: &'p ir::Service,
    evaluator: Evaluator<'p>,
    step: Step,
    show_suppressed: bool,
    pub summary: Summary,
}

impl<'p> Online<'p> {
    pub fn new(service: &'p ir::Service, show_suppressed: bool) -> Self {
        Online {
            service,
            evaluator: Evaluator::new(service),
            step: Step::default(),
            show_suppressed,
            summary: Summary::default(),
        }
    }

    /// Evaluates at `t` with one SI value per metric slot (NaN = missing) and writes
    /// the decision line, if any (and the suppressed rules' lines when asked), flushed.
    /// A `t` not after the previous evaluation's is refused and counted.
    pub fn row(&mut self, t: Millis, values: &[f64], out: &mut impl Write) -> Result<(), RowError> {
        self.row_observed(t, values, Observed::default(), out)
    }

    /// [`row`](Self::row) with the counts the cluster reports (the `replicas` and
    /// `ready` columns).
    pub fn row_observed(
        &mut self,
        t: Millis,
        values: &[f64],
        observed: Observed,
        out: &mut impl Write,
    ) -> Result<(), RowError> {
        match self
            .evaluator
            .step_observed(t, values, observed, &mut self.step)
        {
            Ok(()) => {}
            Err(e @ EvalError::NotIncreasing { .. }) => {
                self.summary.out_of_order += 1;
                return Err(RowError::NotIncreasing(e));
            }
            Err(e) => return Err(RowError::Rejected(e)),
        }
        self.summary.rows += 1;
        let service = self.service;
        let mut wrote = false;
        if self.show_suppressed {
            for s in &self.step.suppressed {
                let line = json!({
                    "timestamp": format_timestamp(t),
                    "service": service.name,
                    "suppressed": s.why.key(),
                    "rule": service.actor_text(s.rule),
                    "by": ir::Service::actor_name(s.rule),
                    "line": service.actor_line(s.rule),
                    "detail": s.why.to_string(),
                });
                writeln!(out, "{line}")?;
                wrote = true;
            }
        }
        if let Some(d) = &self.step.decision {
            self.summary.decisions += 1;
            let mut line = json!({
                "timestamp": format_timestamp(d.timestamp),
                "service": service.name,
                "from": d.from,
                "to": d.to,
                "rule": service.actor_text(d.rule),
                "by": ir::Service::actor_name(d.rule),
                "line": service.actor_line(d.rule),
                "reason": d.reason,
            });
            // A `scale up`/`scale down`: the sizes before and after.
            if let (Some(r), Some(obj)) = (&d.resize, line.as_object_mut()) {
                obj.insert("resize".into(), json!({ "from": r.from, "to": r.to }));
            }
            writeln!(out, "{line}")?;
            wrote = true;
        }
        if wrote {
            out.flush()?;
        }
        Ok(())
    }
}

/// Why [`run_stream`] stopped early: the message, and the counts so far once rows
/// were being read.
#[derive(Debug)]
pub struct Stop {
    pub message: String,
    pub summary: Option<Summary>,
}

impl From<String> for Stop {
    fn from(message: String) -> Self {
        Stop {
            message,
            summary: None,
        }
    }
}

/// Where a CSV row's metrics are: the header, checked against the service.
struct Columns {
    names: Vec<String>,
    /// The column index of each metric slot.
    slots: Vec<usize>,
    /// The optional `replicas` and `ready` columns (the cluster's counts).
    replicas: Option<usize>,
    ready: Option<usize>,
}

impl Columns {
    fn from_header(service: &ir::Service, header: &Cells) -> Result<Self, String> {
        let names: Vec<String> = (0..header.len())
            .map(|i| String::from_utf8_lossy(header.get(i)).into_owned())
            .collect();
        if names.first().map(String::as_str) != Some("timestamp") {
            return Err(format!(
                "line 1: the first column must be `timestamp`, found `{}`",
                names.first().map_or("", String::as_str)
            ));
        }
        let mut slots = Vec::with_capacity(service.metrics.len());
        for m in &service.metrics {
            let col = match &m.source {
                MetricSource::Column(c) => c.as_str(),
                MetricSource::Builtin(b) => b.name(),
            };
            match names.iter().position(|c| c == col) {
                Some(i) => slots.push(i),
                None => {
                    let hint = did_you_mean(col, names.iter().map(String::as_str))
                        .map(|s| format!(" Did you mean `{s}`?"))
                        .unwrap_or_default();
                    return Err(format!(
                        "line 1: no column `{col}` for metric `{}` (columns: {}).{hint}",
                        m.name,
                        names.join(", ")
                    ));
                }
            }
        }
        let replicas = names.iter().position(|c| c == "replicas");
        let ready = names.iter().position(|c| c == "ready");
        Ok(Columns {
            names,
            slots,
            replicas,
            ready,
        })
    }
}

/// Runs the evaluator over CSV rows from `input` (RFC 4180 quoting, cells trimmed),
/// writing decision lines to `out` as each row arrives and problems with rows to `err`.
/// A cell is read as `cell::parse_number` reads it, as for the dataset loader. Problems
/// name the row (1-based, after the header), its line and the column. Returns the
/// counts; stops early only on a bad header, an I/O error, or with `strict`.
///
/// Input is taken line by line, so that each decision is written as soon as its row
/// arrives and problems name the exact line (a quoted cell cannot span lines).
pub fn run_stream(
    service: &ir::Service,
    mut input: impl BufRead,
    out: &mut impl Write,
    err: &mut impl Write,
    options: Options,
) -> Result<Summary, Stop> {
    let mut cells = Cells::default();
    let read_error = |e: std::io::Error| format!("cannot read standard input: {e}");
    if !cells.read_line(&mut input).map_err(read_error)? {
        return Err("no input: expected a CSV header starting with `timestamp`"
            .to_string()
            .into());
    }
    cells.split().map_err(|e| format!("line 1: {e}"))?;
    let columns = Columns::from_header(service, &cells)?;
    // With a declared tick the windows' sizes are known: refuse an oversized one now.
    if let Some(tick) = service.tick {
        check_window_sizes(service, tick).map_err(|e| e.to_string())?;
    }
    let mut online = Online::new(service, options.show_suppressed);
    let mut warned_truncation = false;
    let mut values = vec![f64::NAN; service.metrics.len()];
    let stop = |online: &Online, message: String| Stop {
        message,
        summary: Some(online.summary.clone()),
    };
    let mut line = 1u64;
    loop {
        match cells.read_line(&mut input) {
            Ok(true) => line += 1,
            Ok(false) => break,
            Err(e) => return Err(stop(&online, read_error(e))),
        }
        if cells.is_blank() {
            continue;
        }
        // Formatted only for a problem: most rows have none.
        let at = || format!("row {} (line {line})", line - 1);
        let t = match cells.split() {
            Err(e) => Err(e),
            Ok(()) => match std::str::from_utf8(cells.get(0)) {
                Ok(text) => parse_timestamp(text).map_err(|e| format!("column `timestamp`: {e}")),
                Err(_) => Err("column `timestamp`: not UTF-8 text".to_string()),
            },
        };
        let t = match t {
            Ok(t) => t,
            Err(e) => {
                let message = format!("{}, {e}", at());
                if options.strict {
                    return Err(stop(&online, message));
                }
                online.summary.unreadable_rows += 1;
                report(err, &format!("{message}; row skipped"));
                continue;
            }
        };
        for (slot, (&col, m)) in columns.slots.iter().zip(&service.metrics).enumerate() {
            let cell = cells.get(col);
            let problem = match std::str::from_utf8(cell) {
                Err(_) => Some("is not UTF-8 text".to_string()),
                Ok(text) => match parse_number(text) {
                    Cell::Value(v) => {
                        values[slot] = m.to_si(v);
                        None
                    }
                    Cell::Missing => {
                        values[slot] = f64::NAN;
                        None
                    }
                    Cell::Infinite => Some(format!(
                        "`{text}` is infinite; write a finite number, or leave the cell empty for a missing value"
                    )),
                    Cell::Invalid => {
                        Some(format!("`{text}` is not a number: {}", numeric_hint(text)))
                    }
                },
            };
            if let Some(problem) = problem {
                let message = format!("{}, column `{}`: {problem}", at(), columns.names[col]);
                if options.strict {
                    return Err(stop(&online, message));
                }
                online.summary.bad_cells += 1;
                values[slot] = f64::NAN;
                report(err, &format!("{message}; treated as missing"));
            }
        }
        let mut observed = Observed::default();
        for (col, slot) in [
            (columns.replicas, &mut observed.replicas),
            (columns.ready, &mut observed.ready),
        ] {
            let Some(col) = col else { continue };
            match observed_count(cells.get(col)) {
                Ok(n) => *slot = n,
                Err(text) => {
                    let message = format!(
                        "{}, column `{}`: `{text}` is not a replica count: write a whole number of at least 0, or leave the cell empty for no observation",
                        at(),
                        columns.names[col]
                    );
                    if options.strict {
                        return Err(stop(&online, message));
                    }
                    online.summary.bad_cells += 1;
                    report(err, &format!("{message}; treated as no observation"));
                }
            }
        }
        match online.row_observed(t, &values, observed, out) {
            Ok(()) => {}
            Err(RowError::NotIncreasing(e)) => {
                let message = format!("{}, column `timestamp`: {e}", at());
                if options.strict {
                    return Err(stop(&online, message));
                }
                report(err, &format!("{message}; row skipped"));
            }
            Err(e) => return Err(stop(&online, e.to_string())),
        }
        if !warned_truncation && online.evaluator.windows_truncated() {
            warned_truncation = true;
            report(
                err,
                &format!("{}: a window holds {MAX_WINDOW_SAMPLES} samples, the limit; from here on it drops its oldest samples early and covers less than its duration", at()),
            );
        }
    }
    Ok(online.summary)
}

/// The count in an observed column (`replicas`, `ready`): `None` for a missing cell,
/// the cell's text as the error for anything but a whole number ≥ 0.
fn observed_count(cell: &[u8]) -> Result<Option<u32>, String> {
    let text = String::from_utf8_lossy(cell);
    match parse_number(&text) {
        Cell::Missing => Ok(None),
        Cell::Value(v) if v >= 0.0 && v.fract() == 0.0 && v <= f64::from(u32::MAX) => {
            Ok(Some(v as u32))
        }
        _ => Err(text.into_owned()),
    }
}

/// One input line and its cells, buffers reused from line to line. A line without a
/// `"` is split at its commas (the fast path); one with quotes goes through the `csv`
/// crate (RFC 4180).
#[derive(Default)]
struct Cells {
    line: Vec<u8>,
    /// Each cell's byte range in `line`, trimmed (fast path).
    ranges: Vec<(usize, usize)>,
    /// The cells of a quoted line.
    quoted: Option<csv::ByteRecord>,
}

impl Cells {
    /// Reads the next line (without its line ending); false at the end of the input.
    fn read_line(&mut self, input: &mut impl BufRead) -> std::io::Result<bool> {
        self.line.clear();
        if input.read_until(b'\n', &mut self.line)? == 0 {
            return Ok(false);
        }
        while matches!(self.line.last(), Some(b'\n' | b'\r')) {
            self.line.pop();
        }
        Ok(true)
    }

    fn is_blank(&self) -> bool {
        self.line.iter().all(u8::is_ascii_whitespace)
    }

    /// Splits the line into cells; an error names what is wrong with the line.
    fn split(&mut self) -> Result<(), String> {
        self.ranges.clear();
        self.quoted = None;
        if !self.line.contains(&b'"') {
            let mut start = 0;
            for (i, &b) in self.line.iter().enumerate() {
                if b == b',' {
                    self.ranges.push(trimmed(&self.line, start, i));
                    start = i + 1;
                }
            }
            self.ranges
                .push(trimmed(&self.line, start, self.line.len()));
            return Ok(());
        }
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .trim(csv::Trim::All)
            .from_reader(self.line.as_slice());
        let mut record = csv::ByteRecord::new();
        match reader.read_byte_record(&mut record) {
            Ok(_) => {
                self.quoted = Some(record);
                Ok(())
            }
            Err(e) => Err(e.to_string()),
        }
    }

    /// Cell `i`; a short row's missing cells are empty (missing).
    fn get(&self, i: usize) -> &[u8] {
        match &self.quoted {
            Some(r) => r.get(i).unwrap_or(b""),
            None => self.ranges.get(i).map_or(b"", |&(a, b)| &self.line[a..b]),
        }
    }

    fn len(&self) -> usize {
        self.quoted
            .as_ref()
            .map_or(self.ranges.len(), csv::ByteRecord::len)
    }
}

/// `line[start..end]` without white space at either end, as a range.
fn trimmed(line: &[u8], mut start: usize, mut end: usize) -> (usize, usize) {
    while start < end && line[start].is_ascii_whitespace() {
        start += 1;
    }
    while end > start && line[end - 1].is_ascii_whitespace() {
        end -= 1;
    }
    (start, end)
}

/// A problem with one row, on stderr. A failing stderr cannot be reported anywhere,
/// and must not stop the decisions.
fn report(err: &mut impl Write, message: &str) {
    let _ = writeln!(err, "warning: {message}");
}

#[cfg(test)]
mod tests {
    use super::{run_stream, Options, Stop, Summary};

    const POLICY: &str = "replicas 1..10\nwhen p95 > 300ms scale out by 1\n";

    /// The decisions, the stderr text and the counts.
    fn eval(input: &str, strict: bool) -> Result<(Vec<serde_json::Value>, String, Summary), Stop> {
        let compiled = crate::compile(POLICY, "api");
        let program = compiled.program.expect("compiles");
        let (mut out, mut err) = (Vec::new(), Vec::new());
        let options = Options {
            strict,
            ..Options::default()
        };
        let summary = run_stream(
            &program.services[0],
            input.as_bytes(),
            &mut out,
            &mut err,
            options,
        )?;
        let decisions = String::from_utf8_lossy(&out)
            .lines()
            .map(|l| serde_json::from_str(l).expect("a JSON line"))
            .collect();
        Ok((
            decisions,
            String::from_utf8_lossy(&err).into_owned(),
            summary,
        ))
    }

    fn decisions(input: &str) -> Vec<serde_json::Value> {
        eval(input, false).expect("reads").0
    }

    #[test]
    fn quoted_fields_follow_rfc4180() {
        let d = decisions("timestamp,note,p95\n\"2026-03-02T00:00:00Z\",\"a, \"\"b\"\"\", 400 \n");
        assert_eq!(d.len(), 1);
        assert_eq!(d[0]["timestamp"], "2026-03-02T00:00:00Z");
    }

    /// Online and backtest agree on what a missing value is (`cell::parse_number`).
    #[test]
    fn missing_cells_are_those_of_the_dataset_loader() {
        for missing in ["", "NaN", "nan", "null", "NA", "N/A", "None", "-nan"] {
            let input = format!("timestamp,p95\n2026-03-02T00:00:00Z,{missing}\n");
            let (d, err, summary) = eval(&input, false).expect("reads");
            assert_eq!(
                (d.len(), err.as_str(), summary.bad_cells),
                (0, "", 0),
                "{missing:?}"
            );
        }
        let short_row = "timestamp,p95\n2026-03-02T00:00:00Z\n";
        assert_eq!(decisions(short_row), Vec::<serde_json::Value>::new());
    }

    #[test]
    fn strict_stops_at_bad_cells_naming_row_line_and_column() {
        let input = "timestamp,p95\n2026-03-02T00:00:00Z,1,5\n\n2026-03-02T00:01:00Z,12%\n";
        let e = eval(input, true).expect_err("12% is not a number");
        assert!(
            e.message.starts_with(
                "row 3 (line 4), column `p95`: `12%` is not a number: drop the `%` sign"
            ),
            "{}",
            e.message
        );
        assert_eq!(e.summary.expect("rows were read").rows, 1);
        let e = eval("timestamp,p95\n2026-03-02T00:00:00Z,inf\n", true).expect_err("infinite");
        assert!(e.message.contains("`inf` is infinite"), "{}", e.message);
        let e =
            eval("timestamp,p95\n2026-03-02T00:00:00Z,\"0,5\"\n", true).expect_err("decimal comma");
        assert!(
            e.message
                .starts_with("row 1 (line 2), column `p95`: `0,5` is not a number: use a dot"),
            "{}",
            e.message
        );
    }

    /// A bad cell is missing data for its row; evaluation goes on and the count says so.
    #[test]
    fn bad_cells_are_missing_data_and_evaluation_goes_on() {
        let input = "timestamp,p95\n\
                     2026-03-02T00:00:00Z,abc\n\
                     2026-03-02T00:01:00Z,400\n\
                     2026-03-02T00:02:00Z,inf\n\
                     2026-03-02T00:03:00Z,500\n";
        let (d, err, summary) = eval(input, false).expect("goes on");
        assert_eq!(d.len(), 2, "{d:?}");
        assert_eq!(d[0]["timestamp"], "2026-03-02T00:01:00Z");
        assert_eq!(d[1]["timestamp"], "2026-03-02T00:03:00Z");
        assert!(
            err.contains("warning: row 1 (line 2), column `p95`: `abc` is not a number"),
            "{err}"
        );
        assert!(
            err.contains("row 3 (line 4), column `p95`: `inf` is infinite"),
            "{err}"
        );
        assert!(err.contains("; treated as missing"), "{err}");
        assert_eq!(
            (summary.rows, summary.bad_cells, summary.decisions),
            (4, 2, 2)
        );
    }

    /// `on missing true`: a malformed cell counts as a true condition, as a missing one would.
    #[test]
    fn the_missing_mode_applies_to_bad_cells() {
        let compiled = crate::compile(
            "replicas 1..10\non missing true\nwhen p95 > 300ms scale out by 1\n",
            "api",
        );
        let program = compiled.program.expect("compiles");
        let (mut out, mut err) = (Vec::new(), Vec::new());
        let input = "timestamp,p95\n2026-03-02T00:00:00Z,abc\n";
        run_stream(
            &program.services[0],
            input.as_bytes(),
            &mut out,
            &mut err,
            Options::default(),
        )
        .expect("goes on");
        assert_eq!(String::from_utf8_lossy(&out).lines().count(), 1);
    }

    #[test]
    fn rows_out_of_order_or_with_bad_timestamps_are_skipped() {
        let input = "timestamp,p95\n\
                     2026-03-02T00:01:00Z,100\n\
                     2026-03-02T00:00:00Z,900\n\
                     2026-03-02T00:01:00Z,900\n\
                     yesterday,900\n\
                     2026-03-02T00:02:00Z,900\n";
        let (d, err, summary) = eval(input, false).expect("goes on");
        assert_eq!(d.len(), 1);
        assert_eq!(d[0]["timestamp"], "2026-03-02T00:02:00Z");
        assert!(
            err.contains("row 2 (line 3), column `timestamp`: timestamp"),
            "{err}"
        );
        assert!(err.contains("not after the previous evaluation"), "{err}");
        assert!(err.contains("row 4 (line 5), column `timestamp`"), "{err}");
        assert_eq!(
            (summary.rows, summary.out_of_order, summary.unreadable_rows),
            (2, 2, 1)
        );
        assert_eq!(
            summary.to_string(),
            "eval: 2 rows evaluated, 1 decision; 0 malformed cells treated as missing, \
             skipped 1 unreadable row and 2 rows whose timestamp did not increase"
        );
        let e = eval(input, true).expect_err("strict");
        assert!(
            e.message.contains("not after the previous evaluation"),
            "{}",
            e.message
        );
    }

    #[test]
    fn bad_utf8_is_a_malformed_cell() {
        let compiled = crate::compile(POLICY, "api");
        let program = compiled.program.expect("compiles");
        let (mut out, mut err) = (Vec::new(), Vec::new());
        let input = b"timestamp,p95\n2026-03-02T00:00:00Z,\xff\xfe\n2026-03-02T00:01:00Z,400\n";
        let summary = run_stream(
            &program.services[0],
            &input[..],
            &mut out,
            &mut err,
            Options::default(),
        )
        .expect("goes on");
        assert_eq!(
            (summary.rows, summary.bad_cells, summary.decisions),
            (2, 1, 1)
        );
    }
}
