//! [`DataError`]: every way a dataset can be rejected, with its code and help.

use crate::diagnostics::{Code, Stage};
use std::fmt;
use std::path::{Path, PathBuf};

/// The dataset layer's codes (E301–E313) with their summaries, as `(code, summary)`
/// pairs: a view of the code registry (`diagnostics::REGISTRY`), which owns them.
pub static DATA_ERROR_CODES: std::sync::LazyLock<Vec<(&str, &str)>> =
    std::sync::LazyLock::new(|| {
        Code::of_stage(Stage::Data)
            .map(|c| (c.code.as_str(), c.summary))
            .collect()
    });

/// Where a problem is: the file, and when known the data row, the file line and the column.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    /// The dataset file.
    pub path: PathBuf,
    /// 1-based data row (the CSV header is not a row; Parquet rows count from 1).
    pub row: Option<usize>,
    /// 1-based line of the file where that row starts (CSV only). It is `row + 1`
    /// unless earlier quoted cells span several lines.
    pub line: Option<usize>,
    /// The column concerned.
    pub column: Option<String>,
}

impl Location {
    pub(crate) fn file(path: &Path) -> Self {
        Location {
            path: path.to_path_buf(),
            row: None,
            line: None,
            column: None,
        }
    }

    pub(crate) fn cell(path: &Path, row: usize, column: &str) -> Self {
        Location {
            path: path.to_path_buf(),
            row: Some(row),
            line: None,
            column: Some(column.to_string()),
        }
    }

    pub(crate) fn column(path: &Path, column: &str) -> Self {
        Location {
            path: path.to_path_buf(),
            row: None,
            line: None,
            column: Some(column.to_string()),
        }
    }

    /// `` `data/metrics.csv` ``
    pub fn file_display(&self) -> String {
        format!("`{}`", self.path.display())
    }

    /// `row 4 (line 5), column `cpu`` — the parts that are known.
    pub fn place_display(&self) -> String {
        let mut parts = Vec::new();
        if let Some(row) = self.row {
            parts.push(RowRef::new(row, self.line).to_string());
        }
        if let Some(col) = &self.column {
            parts.push(format!("column `{col}`"));
        }
        parts.join(", ")
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let place = self.place_display();
        if place.is_empty() {
            write!(f, "{}", self.file_display())
        } else {
            write!(f, "{}, {place}", self.file_display())
        }
    }
}

/// A data row and, for CSV, the line it starts on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RowRef {
    /// 1-based data row.
    pub row: usize,
    /// 1-based file line (CSV only).
    pub line: Option<usize>,
}

impl RowRef {
    pub(crate) fn new(row: usize, line: Option<usize>) -> Self {
        RowRef { row, line }
    }
}

impl fmt::Display for RowRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(f, "row {} (line {line})", self.row),
            None => write!(f, "row {}", self.row),
        }
    }
}

/// The kinds of [`DataError`], each with its own code and details.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DataErrorKind {
    /// E301: the file is missing, unreadable, or neither CSV nor Parquet.
    #[error("cannot read {}: {reason}", .at.file_display())]
    CannotRead {
        at: Location,
        reason: String,
        help: String,
    },

    /// E302: a needed column is not in the file.
    #[error("{} has no column `{}`", .at.file_display(), .at.column.as_deref().unwrap_or_default())]
    MissingColumn {
        at: Location,
        /// The file's column names, in file order.
        available: Vec<String>,
        /// The closest real column name, if any is close.
        suggestion: Option<String>,
        help: String,
    },

    /// E303: a timestamp cell cannot be parsed or is out of range.
    #[error("bad timestamp in {at}: {}", describe_text(.text, .reason))]
    BadTimestamp {
        at: Location,
        /// The cell as written (cut to 60 characters); empty for a missing cell.
        text: String,
        reason: String,
        help: String,
    },

    /// E304: time goes backwards.
    #[error(
        "timestamps in {} go backwards at {current}: {current_time} is earlier than {previous_time} in {previous}",
        .at.file_display()
    )]
    Unsorted {
        at: Location,
        previous: RowRef,
        current: RowRef,
        previous_time: String,
        current_time: String,
        help: String,
    },

    /// E305: two rows (of the selected service) have the same timestamp.
    #[error("duplicate timestamp in {}: {first} and {second} both have {time}", .at.file_display())]
    DuplicateTimestamp {
        at: Location,
        first: RowRef,
        second: RowRef,
        time: String,
        help: String,
    },

    /// E306: a cell of a numeric column is not a number.
    #[error("not a number in {at}: `{text}`")]
    NotNumeric {
        at: Location,
        text: String,
        help: String,
    },

    /// E307: a column's type cannot hold what it should.
    #[error("column `{}` in {} has type {dtype}, expected {expected}", .at.column.as_deref().unwrap_or_default(), .at.file_display())]
    WrongType {
        at: Location,
        dtype: String,
        expected: String,
        help: String,
    },

    /// E308: no rows at all, or none left after the time window.
    #[error("empty dataset {}: {reason}", .at.file_display())]
    Empty {
        at: Location,
        reason: String,
        help: String,
    },

    /// E309: the requested service is not in the file, or none was requested
    /// and the file holds several.
    #[error("{}", service_message(.at, .requested.as_deref(), .services))]
    Service {
        at: Location,
        requested: Option<String>,
        /// Every service seen in the file, sorted.
        services: Vec<String>,
        help: String,
    },

    /// E310: the tick is invalid or cannot be inferred.
    #[error("{reason}{}", place_suffix(.at))]
    BadTick {
        at: Location,
        reason: String,
        /// A tick that would work, when one can be suggested.
        suggested_tick_ms: Option<i64>,
        help: String,
    },

    /// E311: an infinite value in a numeric column.
    #[error("infinite value in {at}: `{text}`")]
    Infinite {
        at: Location,
        text: String,
        help: String,
    },

    /// E312: the CSV text itself is malformed.
    #[error("malformed CSV in {at}: {reason}")]
    MalformedCsv {
        at: Location,
        reason: String,
        help: String,
    },

    /// E313: a needed column name appears several times in the header.
    #[error("{} has {count} columns named `{}`", .at.file_display(), .at.column.as_deref().unwrap_or_default())]
    DuplicateColumn {
        at: Location,
        count: usize,
        help: String,
    },
}

fn describe_text(text: &str, reason: &str) -> String {
    if text.is_empty() {
        format!("the cell is {reason}")
    } else {
        format!("`{text}` ({reason})")
    }
}

fn place_suffix(at: &Location) -> String {
    let place = at.place_display();
    if place.is_empty() {
        place
    } else {
        format!(", at {place}")
    }
}

fn service_message(at: &Location, requested: Option<&str>, services: &[String]) -> String {
    match requested {
        Some(s) => format!("{} has no rows for service `{s}`", at.file_display()),
        None => format!(
            "{} holds {} services ({}); pick one",
            at.file_display(),
            services.len(),
            list(services, 8)
        ),
    }
}

/// `a, b, c` — at most `max` items, then `… (N more)`.
pub(crate) fn list(items: &[String], max: usize) -> String {
    let mut out = items
        .iter()
        .take(max)
        .map(String::as_str)
        .collect::<Vec<_>>()
        .join(", ");
    if items.len() > max {
        out.push_str(&format!(", … ({} more)", items.len() - max));
    }
    out
}

/// `` `a`, `b`, `c` `` — like [`list`] with backquotes.
pub(crate) fn list_quoted(items: &[String], max: usize) -> String {
    let quoted: Vec<String> = items.iter().map(|s| format!("`{s}`")).collect();
    list(&quoted, max)
}

/// Closest candidate to `wanted`: an exact match ignoring case and surrounding
/// spaces first, else the best Jaro-Winkler similarity above 0.8.
pub(crate) fn suggest<'a>(wanted: &str, candidates: &'a [String]) -> Option<&'a str> {
    let norm = wanted.trim().to_lowercase();
    if let Some(c) = candidates
        .iter()
        .find(|c| c.trim().to_lowercase() == norm && c.as_str() != wanted)
    {
        return Some(c);
    }
    candidates
        .iter()
        .filter(|c| c.as_str() != wanted)
        .map(|c| (strsim::jaro_winkler(&norm, &c.trim().to_lowercase()), c))
        .filter(|(score, _)| *score > 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, c)| c.as_str())
}

/// A rejected dataset: see [`DataErrorKind`] for the kinds and their codes.
///
/// Renders with miette (code, message, help). The location accessors give the
/// file, the 1-based data row, the file line (CSV) and the column when known.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(transparent)]
pub struct DataError(Box<DataErrorKind>);

impl From<DataErrorKind> for DataError {
    fn from(kind: DataErrorKind) -> Self {
        DataError(Box::new(kind))
    }
}

impl DataError {
    /// What went wrong, with the details of that kind.
    pub fn kind(&self) -> &DataErrorKind {
        &self.0
    }

    /// Consumes the error into its kind.
    pub fn into_kind(self) -> DataErrorKind {
        *self.0
    }

    /// The error code as text, e.g. `"E303"` (the kind has it typed).
    pub fn code(&self) -> &'static str {
        self.0.code().as_str()
    }

    /// Where the problem is.
    pub fn location(&self) -> &Location {
        self.0.location()
    }

    /// The dataset file.
    pub fn path(&self) -> &Path {
        &self.location().path
    }

    /// 1-based data row, when the problem is in one row.
    pub fn row(&self) -> Option<usize> {
        self.location().row
    }

    /// 1-based file line of that row (CSV only).
    pub fn line(&self) -> Option<usize> {
        self.location().line
    }

    /// The column concerned, if any.
    pub fn column(&self) -> Option<&str> {
        self.location().column.as_deref()
    }

    /// The fix hint shown under the message.
    pub fn help_text(&self) -> &str {
        self.0.help_str()
    }

    /// Fills in the file lines of the rows named by this error.
    pub(crate) fn with_lines(mut self, line_of: impl Fn(usize) -> Option<usize>) -> Self {
        let kind = &mut *self.0;
        let at = kind.location_mut();
        if let Some(row) = at.row {
            if at.line.is_none() {
                at.line = line_of(row);
            }
        }
        match kind {
            DataErrorKind::Unsorted {
                previous, current, ..
            } => {
                previous.line = previous.line.or_else(|| line_of(previous.row));
                current.line = current.line.or_else(|| line_of(current.row));
            }
            DataErrorKind::DuplicateTimestamp { first, second, .. } => {
                first.line = first.line.or_else(|| line_of(first.row));
                second.line = second.line.or_else(|| line_of(second.row));
            }
            _ => {}
        }
        self
    }
}

/// The `at` of any kind, by shared or mutable reference (every variant carries one).
macro_rules! location_of {
    ($kind:expr) => {
        match $kind {
            DataErrorKind::CannotRead { at, .. }
            | DataErrorKind::MissingColumn { at, .. }
            | DataErrorKind::BadTimestamp { at, .. }
            | DataErrorKind::Unsorted { at, .. }
            | DataErrorKind::DuplicateTimestamp { at, .. }
            | DataErrorKind::NotNumeric { at, .. }
            | DataErrorKind::WrongType { at, .. }
            | DataErrorKind::Empty { at, .. }
            | DataErrorKind::Service { at, .. }
            | DataErrorKind::BadTick { at, .. }
            | DataErrorKind::Infinite { at, .. }
            | DataErrorKind::MalformedCsv { at, .. }
            | DataErrorKind::DuplicateColumn { at, .. } => at,
        }
    };
}

impl DataErrorKind {
    /// The error code, e.g. [`Code::BAD_TIMESTAMP`].
    pub fn code(&self) -> Code {
        match self {
            DataErrorKind::CannotRead { .. } => Code::CANNOT_READ,
            DataErrorKind::MissingColumn { .. } => Code::MISSING_COLUMN,
            DataErrorKind::BadTimestamp { .. } => Code::BAD_TIMESTAMP,
            DataErrorKind::Unsorted { .. } => Code::UNSORTED_TIMESTAMPS,
            DataErrorKind::DuplicateTimestamp { .. } => Code::DUPLICATE_TIMESTAMP,
            DataErrorKind::NotNumeric { .. } => Code::NOT_A_NUMBER,
            DataErrorKind::WrongType { .. } => Code::WRONG_COLUMN_TYPE,
            DataErrorKind::Empty { .. } => Code::EMPTY_DATASET,
            DataErrorKind::Service { .. } => Code::SERVICE_NOT_IN_DATA,
            DataErrorKind::BadTick { .. } => Code::BAD_TICK,
            DataErrorKind::Infinite { .. } => Code::INFINITE_VALUE,
            DataErrorKind::MalformedCsv { .. } => Code::MALFORMED_CSV,
            DataErrorKind::DuplicateColumn { .. } => Code::DUPLICATE_COLUMN,
        }
    }

    /// Where the problem is.
    pub fn location(&self) -> &Location {
        location_of!(self)
    }

    fn location_mut(&mut self) -> &mut Location {
        location_of!(self)
    }

    /// The fix hint.
    pub fn help_str(&self) -> &str {
        match self {
            DataErrorKind::CannotRead { help, .. }
            | DataErrorKind::MissingColumn { help, .. }
            | DataErrorKind::BadTimestamp { help, .. }
            | DataErrorKind::Unsorted { help, .. }
            | DataErrorKind::DuplicateTimestamp { help, .. }
            | DataErrorKind::NotNumeric { help, .. }
            | DataErrorKind::WrongType { help, .. }
            | DataErrorKind::Empty { help, .. }
            | DataErrorKind::Service { help, .. }
            | DataErrorKind::BadTick { help, .. }
            | DataErrorKind::Infinite { help, .. }
            | DataErrorKind::MalformedCsv { help, .. }
            | DataErrorKind::DuplicateColumn { help, .. } => help,
        }
    }
}

/// Code and help for miette, from the registry constants (the derive would take a
/// literal code).
impl miette::Diagnostic for DataErrorKind {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new(DataErrorKind::code(self)))
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new(self.help_str()))
    }
}

impl miette::Diagnostic for DataError {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new(self.0.code()))
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new(self.0.help_str()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use miette::Diagnostic;

    #[test]
    fn codes_table_matches_kinds() {
        let codes: Vec<&str> = DATA_ERROR_CODES.iter().map(|(c, _)| *c).collect();
        let expected: Vec<String> = (301..=313).map(|n| format!("E{n}")).collect();
        assert_eq!(codes, expected);
        assert!(DATA_ERROR_CODES.iter().all(|(_, s)| !s.is_empty()));
        let e: DataError = DataErrorKind::Infinite {
            at: Location::cell(Path::new("m.csv"), 4, "cpu"),
            text: "inf".into(),
            help: "h".into(),
        }
        .into();
        assert_eq!(e.code(), "E311");
        assert_eq!(
            e.code().to_string(),
            Diagnostic::code(&e)
                .map(|c| c.to_string())
                .unwrap_or_default()
        );
        assert_eq!(
            e.to_string(),
            "infinite value in `m.csv`, row 4, column `cpu`: `inf`"
        );
        let e = e.with_lines(|r| Some(r + 1));
        assert_eq!(e.line(), Some(5));
        assert_eq!(
            e.to_string(),
            "infinite value in `m.csv`, row 4 (line 5), column `cpu`: `inf`"
        );
        assert_eq!(
            Diagnostic::help(&e).map(|h| h.to_string()).as_deref(),
            Some("h")
        );
    }

    #[test]
    fn suggestions() {
        let cols: Vec<String> = ["timestamp", "cpu_usage", "rps", " Memory"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        assert_eq!(suggest("cpu", &cols), Some("cpu_usage"));
        assert_eq!(suggest("memory", &cols), Some(" Memory"));
        assert_eq!(suggest("timestmp", &cols), Some("timestamp"));
        assert_eq!(suggest("latency_p99", &cols), None);
        assert_eq!(list(&cols, 2), "timestamp, cpu_usage, … (2 more)");
    }
}
