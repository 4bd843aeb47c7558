//! Rendering diagnostics: human (graphical, coloured on a terminal), plain (narratable,
//! no colour) and JSON. The one renderer for every command: rule-file diagnostics
//! ([`render`], [`json_values`]) and problems outside a rule file, such as a dataset or
//! a backtest that cannot run ([`render_other`], [`other_json`]), share the handlers and
//! the JSON shape. Tests render [`Format::Human`] without colour at a fixed width.

use super::{Diagnostic, Severity};
use crate::span::line_col;
use miette::{
    GraphicalReportHandler, GraphicalTheme, LabeledSpan, NamedSource, NarratableReportHandler,
};
use serde::Serialize;
use std::fmt;
use std::sync::Arc;

/// How to show diagnostics.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Graphical, with colour when `color` is set.
    Human,
    /// Narratable plain text, one fact per line: for screen readers and logs.
    Plain,
    /// An array of objects, one per diagnostic.
    Json,
}

/// A source text with the name shown in diagnostics.
#[derive(Clone, Debug)]
pub struct SourceFile {
    pub name: String,
    pub text: Arc<String>,
}

impl SourceFile {
    pub fn new(name: impl Into<String>, text: impl Into<String>) -> Self {
        SourceFile {
            name: name.into(),
            text: Arc::new(text.into()),
        }
    }
}

/// The bridge to miette: one diagnostic with its source.
struct Report<'a> {
    diag: &'a Diagnostic,
    source: NamedSource<Arc<String>>,
}

impl fmt::Debug for Report<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.diag.message)
    }
}

impl fmt::Display for Report<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.diag.message)
    }
}

impl std::error::Error for Report<'_> {}

impl miette::Diagnostic for Report<'_> {
    fn code<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        Some(Box::new(self.diag.code))
    }

    fn severity(&self) -> Option<miette::Severity> {
        Some(match self.diag.severity {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
        })
    }

    fn help<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        self.diag
            .help
            .as_ref()
            .map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        Some(&self.source)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        let d = self.diag;
        let text_len = self.source.inner().len();
        let fit = move |s: crate::span::Span| {
            crate::span::Span::new(s.start.min(text_len), s.end.min(text_len))
        };
        let primary =
            LabeledSpan::new_primary_with_span(non_empty(&d.primary.message), fit(d.primary.span));
        let rest = d
            .secondary
            .iter()
            .map(move |l| LabeledSpan::new_with_span(non_empty(&l.message), fit(l.span)));
        Some(Box::new(std::iter::once(primary).chain(rest)))
    }
}

/// One report in human (graphical) or plain (narratable) text.
fn render_text(
    out: &mut String,
    report: &dyn miette::Diagnostic,
    format: Format,
    color: bool,
    width: usize,
) -> fmt::Result {
    match format {
        Format::Plain => NarratableReportHandler::new().render_report(out, report),
        _ => {
            let theme = if color {
                GraphicalTheme::unicode()
            } else {
                GraphicalTheme::unicode_nocolor()
            };
            GraphicalReportHandler::new_themed(theme)
                .with_width(width)
                .render_report(out, report)
        }
    }
}

fn non_empty(s: &str) -> Option<String> {
    (!s.is_empty()).then(|| s.to_string())
}

/// Renders diagnostics as text. `color` only matters for [`Format::Human`];
/// `width` is the terminal width to wrap at.
pub fn render(
    diags: &[Diagnostic],
    file: &SourceFile,
    format: Format,
    color: bool,
    width: usize,
) -> String {
    if format == Format::Json {
        return render_json(diags, file);
    }
    let mut out = String::new();
    for d in diags {
        let report = Report {
            diag: d,
            source: NamedSource::new(file.name.clone(), file.text.clone()),
        };
        if render_text(&mut out, &report, format, color, width).is_err() {
            out.push_str(&format!("{}: {} [{}]\n", file.name, d.message, d.code));
        }
        if !out.ends_with('\n') {
            out.push('\n');
        }
    }
    out
}

#[derive(Serialize)]
struct JsonDiagnostic<'a> {
    file: &'a str,
    code: &'a str,
    severity: Severity,
    message: &'a str,
    line: usize,
    column: usize,
    end_line: usize,
    end_column: usize,
    help: Option<&'a str>,
    labels: Vec<JsonLabel<'a>>,
}

#[derive(Serialize)]
struct JsonLabel<'a> {
    line: usize,
    column: usize,
    message: &'a str,
    primary: bool,
}

/// The JSON array form: one object per diagnostic, with 1-based line and column.
pub fn render_json(diags: &[Diagnostic], file: &SourceFile) -> String {
    serde_json::to_string_pretty(&json_values(diags, file)).unwrap_or_else(|_| "[]".into())
}

/// The JSON objects, for callers that merge several files into one array.
pub fn json_values(diags: &[Diagnostic], file: &SourceFile) -> Vec<serde_json::Value> {
    diags
        .iter()
        .map(|d| {
            let (line, column) = line_col(&file.text, d.primary.span.start);
            let (end_line, end_column) = line_col(&file.text, d.primary.span.end);
            let labels = std::iter::once((&d.primary, true))
                .chain(d.secondary.iter().map(|l| (l, false)))
                .map(|(l, primary)| {
                    let (line, column) = line_col(&file.text, l.span.start);
                    JsonLabel {
                        line,
                        column,
                        message: &l.message,
                        primary,
                    }
                })
                .collect();
            let j = JsonDiagnostic {
                file: &file.name,
                code: d.code.as_str(),
                severity: d.severity,
                message: &d.message,
                line,
                column,
                end_line,
                end_column,
                help: d.help.as_deref(),
                labels,
            };
            serde_json::to_value(j).unwrap_or(serde_json::Value::Null)
        })
        .collect()
}

/// Renders a problem that has no place in a rule file (a dataset or a backtest error,
/// given as a miette diagnostic with a code and help). JSON is the one-element array
/// of [`other_json`] without a location; use that to add one.
pub fn render_other(
    d: &dyn miette::Diagnostic,
    format: Format,
    color: bool,
    width: usize,
) -> String {
    if format == Format::Json {
        let v = vec![other_json(d, None, None)];
        return serde_json::to_string_pretty(&v).unwrap_or_else(|_| "[]".into());
    }
    let mut out = String::new();
    if render_text(&mut out, d, format, color, width).is_err() {
        out = format!("error: {d}");
    }
    if !out.ends_with('\n') {
        out.push('\n');
    }
    out
}

/// The JSON object of a problem outside a rule file, with the keys of a rule-file
/// diagnostic: `file` and `line` when known (a dataset and its CSV line), no column
/// and no labels.
pub fn other_json(
    d: &dyn miette::Diagnostic,
    file: Option<&str>,
    line: Option<usize>,
) -> serde_json::Value {
    let severity = match d.severity() {
        Some(miette::Severity::Warning) | Some(miette::Severity::Advice) => Severity::Warning,
        _ => Severity::Error,
    };
    serde_json::json!({
        "file": file,
        "code": d.code().map(|c| c.to_string()),
        "severity": severity,
        "message": d.to_string(),
        "line": line,
        "column": null,
        "end_line": null,
        "end_column": null,
        "help": d.help().map(|h| h.to_string()),
        "labels": [],
    })
}
