//! Opening a dataset file: format detection, header/schema, projected reads,
//! and locating CSV problems that polars reports without a position.

use std::fs::File;
use std::io::{self, BufReader, Read, Seek, SeekFrom};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use polars::prelude::{
    CsvReadOptions, DataFrame, DataType, ParquetReader, PlSmallStr, PolarsError, Schema, SerReader,
};

use super::error::{list_quoted, suggest, DataError, DataErrorKind, Location};
use super::FileFormat;

/// Longest header line we accept (a guard against a file without newlines).
const MAX_HEADER_BYTES: usize = 1 << 20;

/// An opened dataset: its format and column names, nothing read yet.
pub(crate) struct Source {
    pub path: PathBuf,
    pub format: FileFormat,
    /// Column names in file order (CSV: as written, BOM removed; may repeat).
    pub columns: Vec<String>,
}

fn cannot_read(path: &Path, reason: impl Into<String>, help: impl Into<String>) -> DataError {
    DataErrorKind::CannotRead {
        at: Location::file(path),
        reason: reason.into(),
        help: help.into(),
    }
    .into()
}

fn io_error(path: &Path, e: &io::Error) -> DataError {
    match e.kind() {
        io::ErrorKind::NotFound => {
            let mut help = String::from("check the path");
            if path.is_relative() {
                if let Ok(cwd) = std::env::current_dir() {
                    help.push_str(&format!(" (relative paths start from {})", cwd.display()));
                }
            }
            if let Some(near) = nearby_dataset(path) {
                help = format!("did you mean `{near}`? {help}");
            }
            cannot_read(path, "file not found", help)
        }
        io::ErrorKind::PermissionDenied => cannot_read(
            path,
            "permission denied",
            "check the file's permissions (`ls -l`) and that you may read it",
        ),
        _ => cannot_read(path, e.to_string(), "check that the file is readable"),
    }
}

/// A dataset file in the same directory whose name is close to the missing one.
fn nearby_dataset(path: &Path) -> Option<String> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let wanted = path.file_name()?.to_str()?;
    let mut names = Vec::new();
    for entry in std::fs::read_dir(dir).ok()?.flatten().take(10_000) {
        if let Some(name) = entry.file_name().to_str() {
            let lower = name.to_ascii_lowercase();
            if [".csv", ".parquet", ".pq"]
                .iter()
                .any(|e| lower.ends_with(e))
            {
                names.push(name.to_string());
            }
        }
    }
    names.sort();
    let best = suggest(wanted, &names)?;
    Some(dir.join(best).display().to_string())
}

impl Source {
    /// Detects the format and reads the column names.
    pub fn open(path: &Path) -> Result<Source, DataError> {
        let format = detect(path)?;
        let columns = match format {
            FileFormat::Csv => csv_header(path)?,
            FileFormat::Parquet => parquet_columns(path)?,
        };
        Ok(Source {
            path: path.to_path_buf(),
            format,
            columns,
        })
    }

    /// Reads the named columns (each must exist exactly once). CSV columns are
    /// all read as strings; Parquet columns keep their types.
    pub fn read(&self, names: &[String]) -> Result<DataFrame, DataError> {
        let path = &self.path;
        match self.raw_read(names, &[]) {
            Ok(Ok(df)) => Ok(df),
            Ok(Err(e)) => Err(match self.format {
                FileFormat::Csv => csv_failure(path, self.columns.len(), &e),
                FileFormat::Parquet => cannot_read(
                    path,
                    format!("invalid Parquet file: {}", first_line(&e.to_string())),
                    "the file may be corrupt or truncated; re-export it",
                ),
            }),
            Err(_) => Err(cannot_read(
                path,
                "the reader failed unexpectedly (internal error)",
                "please report this, with the file if you can share it",
            )),
        }
    }

    /// Like [`read`](Self::read), but a CSV file's `numeric` columns (a subset
    /// of `names`) are parsed by polars as `Float64` — a quarter of the memory
    /// of the text and no second parsing pass. The typed frame is only used
    /// when it means exactly what the text path would make of the cells: when
    /// the typed read fails (a cell polars cannot parse as a float, such as
    /// `N/A`, `1,5` or `12%`, or a malformed file) or a numeric column holds
    /// an infinite value (whose diagnostic quotes the cell as written), the
    /// columns are read again as text, so every diagnostic stays the same.
    /// Empty cells are null either way; a float polars parses is the value
    /// Rust's parser gives (both take the same decimal grammar, correctly
    /// rounded); `NaN` is missing either way.
    pub fn read_typed(&self, names: &[String], numeric: &[String]) -> Result<DataFrame, DataError> {
        if self.format != FileFormat::Csv || numeric.is_empty() {
            return self.read(names);
        }
        if let Ok(Ok(df)) = self.raw_read(names, numeric) {
            let finite = numeric.iter().all(|n| {
                df.column(n)
                    .ok()
                    .and_then(|c| c.f64().ok())
                    .is_some_and(|ca| ca.iter().all(|v| v.is_none_or(|x| !x.is_infinite())))
            });
            // A row whose cells are all null is skipped as blank; a whitespace-only
            // number is null when typed but not as text, so let the text path
            // decide about such rows.
            if finite && super::cells::blank_rows(&df).is_empty() {
                return Ok(df);
            }
        }
        self.read(names)
    }

    /// The polars read; `numeric` columns as `Float64`, the other CSV columns as text.
    fn raw_read(
        &self,
        names: &[String],
        numeric: &[String],
    ) -> std::thread::Result<Result<DataFrame, PolarsError>> {
        let path = &self.path;
        quietly(|| match self.format {
            FileFormat::Csv => {
                let cols: Arc<[PlSmallStr]> = names.iter().map(PlSmallStr::from).collect();
                let overwrite = (!numeric.is_empty()).then(|| {
                    Arc::new(Schema::from_iter(
                        numeric
                            .iter()
                            .map(|n| (PlSmallStr::from(n.as_str()), DataType::Float64)),
                    ))
                });
                CsvReadOptions::default()
                    .with_has_header(true)
                    .with_infer_schema_length(Some(0))
                    .with_schema_overwrite(overwrite)
                    .with_columns(Some(cols))
                    .try_into_reader_with_file_path(Some(path.clone()))
                    .and_then(SerReader::finish)
            }
            FileFormat::Parquet => File::open(path).map_err(PolarsError::from).and_then(|f| {
                ParquetReader::new(f)
                    .with_columns(Some(names.to_vec()))
                    .finish()
            }),
        })
    }
}

/// Runs a polars read, catching a panic without printing it. polars' readers can panic on
/// malformed input (polars-io 0.55, `csv/read/builder.rs:141`, on an unterminated quote
/// in a typed column: found by fuzzing the loader); the caller reports the file instead,
/// so the panic's message and backtrace must not reach the terminal. While a read runs,
/// a panic on any thread is silent; the loader runs before any other work.
fn quietly<T>(f: impl FnOnce() -> T) -> std::thread::Result<T> {
    use std::sync::atomic::{AtomicUsize, Ordering};
    static HOOK: std::sync::Once = std::sync::Once::new();
    static QUIET: AtomicUsize = AtomicUsize::new(0);
    HOOK.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if QUIET.load(Ordering::SeqCst) == 0 {
                previous(info);
            }
        }));
    });
    QUIET.fetch_add(1, Ordering::SeqCst);
    let result = catch_unwind(AssertUnwindSafe(f));
    QUIET.fetch_sub(1, Ordering::SeqCst);
    result
}

fn first_line(s: &str) -> &str {
    s.lines().next().unwrap_or(s)
}

/// Format by extension, checked against the content's magic bytes.
fn detect(path: &Path) -> Result<FileFormat, DataError> {
    let meta = std::fs::metadata(path).map_err(|e| io_error(path, &e))?;
    if meta.is_dir() {
        return Err(cannot_read(
            path,
            "it is a directory",
            "pass a CSV (.csv) or Parquet (.parquet, .pq) file",
        ));
    }
    let len = meta.len();
    if len == 0 {
        return Err(DataErrorKind::Empty {
            at: Location::file(path),
            reason: "the file is empty (0 bytes)".into(),
            help: "a dataset needs a header row and at least one data row".into(),
        }
        .into());
    }
    let mut file = File::open(path).map_err(|e| io_error(path, &e))?;
    let mut head = vec![0u8; 4096.min(len as usize)];
    file.read_exact(&mut head).map_err(|e| io_error(path, &e))?;
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .unwrap_or_default();

    if head.starts_with(b"PAR1") {
        let mut tail = [0u8; 4];
        let footer_ok = len >= 12
            && file.seek(SeekFrom::End(-4)).is_ok()
            && file.read_exact(&mut tail).is_ok()
            && &tail == b"PAR1";
        if !footer_ok {
            return Err(cannot_read(
                path,
                "truncated or corrupt Parquet file (no `PAR1` footer)",
                "the file was probably cut off while being written or copied; re-export it",
            ));
        }
        return Ok(FileFormat::Parquet);
    }
    let compressed = [
        (&b"\x1f\x8b"[..], "gzip", "gunzip"),
        (&b"\x28\xb5\x2f\xfd"[..], "zstd", "unzstd"),
        (&b"BZh"[..], "bzip2", "bunzip2"),
        (&b"\xfd7zXZ\x00"[..], "xz", "unxz"),
        (&b"PK\x03\x04"[..], "zip", "unzip"),
    ];
    for (magic, name, tool) in compressed {
        if head.starts_with(magic) {
            return Err(cannot_read(
                path,
                format!("the file is {name}-compressed"),
                format!("decompress it first (e.g. `{tool}`), then pass the .csv or .parquet file"),
            ));
        }
    }
    let text = !head.contains(&0);
    match ext.as_str() {
        "parquet" | "pq" => Err(cannot_read(
            path,
            "not a Parquet file (it does not start with the `PAR1` magic bytes)",
            if text {
                "the content looks like text: if it is CSV, give it a .csv extension"
            } else {
                "the file may be corrupt; re-export it as Parquet"
            },
        )),
        _ if !text => Err(cannot_read(
            path,
            "binary content that is not Parquet",
            "scalerules reads CSV (.csv, text with a header row) and Parquet (.parquet, .pq) files",
        )),
        "csv" => Ok(FileFormat::Csv),
        "tsv" => Err(cannot_read(
            path,
            "tab-separated files are not supported",
            "convert it to comma-separated CSV with a .csv extension",
        )),
        _ => {
            let first = head.split(|&b| b == b'\n').next().unwrap_or(&head);
            if first.contains(&b',') {
                Ok(FileFormat::Csv)
            } else {
                Err(cannot_read(
                    path,
                    if ext.is_empty() {
                        "unknown format (no extension, and the content is neither Parquet nor comma-separated text)".to_string()
                    } else {
                        format!("unknown format `.{ext}` (the content is neither Parquet nor comma-separated text)")
                    },
                    "scalerules reads CSV (.csv, text with a header row) and Parquet (.parquet, .pq) files",
                ))
            }
        }
    }
}

/// Parses the CSV header line (quotes, `""` escapes, BOM and CRLF handled) like polars does.
fn csv_header(path: &Path) -> Result<Vec<String>, DataError> {
    let file = File::open(path).map_err(|e| io_error(path, &e))?;
    let mut bytes = Vec::new();
    let mut in_quotes = false;
    let mut reader = BufReader::new(file).take(MAX_HEADER_BYTES as u64 + 1);
    let mut buf = [0u8; 8192];
    'outer: loop {
        let n = reader.read(&mut buf).map_err(|e| io_error(path, &e))?;
        if n == 0 {
            break;
        }
        for &b in &buf[..n] {
            if b == b'"' {
                in_quotes = !in_quotes;
            } else if b == b'\n' && !in_quotes {
                break 'outer;
            }
            bytes.push(b);
        }
    }
    if bytes.len() > MAX_HEADER_BYTES {
        return Err(malformed(
            path,
            None,
            1,
            "the header line is longer than 1 MiB",
            "is this really a CSV file with a header row?",
        ));
    }
    if bytes.last() == Some(&b'\r') {
        bytes.pop();
    }
    let bytes = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(&bytes);
    let Ok(line) = std::str::from_utf8(bytes) else {
        return Err(malformed(
            path,
            None,
            1,
            "the header line is not valid UTF-8",
            "save the file as UTF-8",
        ));
    };
    if line.trim().is_empty() {
        return Err(malformed(
            path,
            None,
            1,
            "the first line is empty; it must be the header",
            "put the column names (e.g. `timestamp,cpu`) on the first line",
        ));
    }
    Ok(split_fields(line))
}

/// Splits one CSV record (no newline) into unquoted fields.
fn split_fields(line: &str) -> Vec<String> {
    let mut fields = Vec::new();
    let mut cur = String::new();
    let mut in_quotes = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' if in_quotes && chars.peek() == Some(&'"') => {
                cur.push('"');
                chars.next();
            }
            '"' => in_quotes = !in_quotes,
            ',' if !in_quotes => fields.push(std::mem::take(&mut cur)),
            _ => cur.push(c),
        }
    }
    fields.push(cur);
    fields
}

fn parquet_columns(path: &Path) -> Result<Vec<String>, DataError> {
    let result = quietly(|| {
        let file = File::open(path).map_err(PolarsError::from)?;
        let mut reader = ParquetReader::new(file);
        let schema = reader.schema()?;
        Ok::<_, PolarsError>(
            schema
                .iter_names()
                .map(|n| n.to_string())
                .collect::<Vec<_>>(),
        )
    });
    match result {
        Ok(Ok(cols)) => Ok(cols),
        Ok(Err(e)) => Err(cannot_read(
            path,
            format!("invalid Parquet file: {}", first_line(&e.to_string())),
            "the file may be corrupt or truncated; re-export it",
        )),
        Err(_) => Err(cannot_read(
            path,
            "the Parquet reader failed unexpectedly (internal error)",
            "please report this, with the file if you can share it",
        )),
    }
}

pub(crate) fn malformed(
    path: &Path,
    row: Option<usize>,
    line: usize,
    reason: impl Into<String>,
    help: impl Into<String>,
) -> DataError {
    DataErrorKind::MalformedCsv {
        at: Location {
            path: path.to_path_buf(),
            row,
            line: Some(line),
            column: None,
        },
        reason: reason.into(),
        help: help.into(),
    }
    .into()
}

/// Turns a polars CSV failure into an error with a position, by scanning the file.
fn csv_failure(path: &Path, header_fields: usize, e: &PolarsError) -> DataError {
    match scan_csv(path, header_fields, None) {
        Ok(Scan {
            problem: Some(p), ..
        }) => malformed(
            path,
            (p.record > 0).then_some(p.record),
            p.line,
            p.reason,
            p.help,
        ),
        Ok(_) => cannot_read(
            path,
            format!("invalid CSV: {}", first_line(&e.to_string())),
            "check that the file is comma-separated text with a header row",
        ),
        Err(io) => io_error(path, &io),
    }
}

/// 1-based file line on which data row `row` (1-based) starts.
pub(crate) fn csv_line_of_row(path: &Path, header_fields: usize, row: usize) -> Option<usize> {
    scan_csv(path, header_fields, Some(row)).ok()?.line_of_row
}

struct Problem {
    line: usize,
    /// 1-based data row (0 = the header).
    record: usize,
    reason: String,
    help: &'static str,
}

struct Scan {
    problem: Option<Problem>,
    line_of_row: Option<usize>,
}

/// Walks the CSV records like polars splits them: `"` toggles quoting, a
/// newline outside quotes ends a record (blank lines are records too). Stops
/// at `stop_row` (1-based data row) or at the first problem.
fn scan_csv(path: &Path, header_fields: usize, stop_row: Option<usize>) -> io::Result<Scan> {
    let mut reader = BufReader::with_capacity(1 << 16, File::open(path)?);
    let mut buf = vec![0u8; 1 << 16];
    let mut line = 1usize; // current physical line
    let mut record = 0usize; // 0 = header
    let mut record_line = 1usize; // line where the current record starts
    let mut fields = 1usize;
    let mut in_quotes = false;
    let mut quote_line = 0usize;
    let mut quote_record = 0usize;
    let mut rec_bytes: Vec<u8> = Vec::new();
    let mut at_record_start = true;

    let check = |rec: &[u8], record: usize, record_line: usize, fields: usize| -> Option<Problem> {
        if std::str::from_utf8(rec).is_err() {
            return Some(Problem {
                line: record_line,
                record,
                reason: if record == 0 {
                    "the header is not valid UTF-8".into()
                } else {
                    "the line is not valid UTF-8".into()
                },
                help: "save the file as UTF-8 (e.g. `iconv -f latin1 -t utf-8`)",
            });
        }
        if record > 0 && fields > header_fields {
            return Some(Problem {
                line: record_line,
                record,
                reason: format!(
                    "the row has {fields} fields but the header has {header_fields}"
                ),
                help: "quote cells that contain commas (`\"1,5\"`), or fix the extra separators on this line",
            });
        }
        None
    };

    loop {
        let n = reader.read(&mut buf)?;
        if n == 0 {
            break;
        }
        for &b in &buf[..n] {
            if at_record_start {
                at_record_start = false;
                record_line = line;
                if stop_row == Some(record) && record > 0 {
                    return Ok(Scan {
                        problem: None,
                        line_of_row: Some(record_line),
                    });
                }
            }
            match b {
                b'"' => {
                    in_quotes = !in_quotes;
                    if in_quotes {
                        quote_line = line;
                        quote_record = record;
                    }
                }
                b',' if !in_quotes => fields += 1,
                b'\n' => {
                    line += 1;
                    if !in_quotes {
                        if let Some(p) = check(&rec_bytes, record, record_line, fields) {
                            return Ok(Scan {
                                problem: Some(p),
                                line_of_row: None,
                            });
                        }
                        rec_bytes.clear();
                        record += 1;
                        fields = 1;
                        at_record_start = true;
                        continue;
                    }
                }
                _ => {}
            }
            if stop_row.is_none() {
                rec_bytes.push(b);
            }
        }
    }
    if in_quotes {
        return Ok(Scan {
            problem: Some(Problem {
                line: quote_line,
                record: quote_record,
                reason: "a quoted cell opened here is never closed".into(),
                help: "add the closing `\"`, or double quotes inside quoted cells (`\"\"`)",
            }),
            line_of_row: None,
        });
    }
    if !at_record_start {
        if let Some(p) = check(&rec_bytes, record, record_line, fields) {
            return Ok(Scan {
                problem: Some(p),
                line_of_row: None,
            });
        }
        if stop_row == Some(record) {
            return Ok(Scan {
                problem: None,
                line_of_row: Some(record_line),
            });
        }
    }
    Ok(Scan {
        problem: None,
        line_of_row: None,
    })
}

/// Checks the needed columns against the header: missing (E302) or repeated (E313).
pub(crate) fn resolve_column(
    path: &Path,
    available: &[String],
    name: &str,
    what: &str,
) -> Result<(), DataError> {
    let count = available.iter().filter(|c| c.as_str() == name).count();
    if count > 1 {
        return Err(DataErrorKind::DuplicateColumn {
            at: Location::column(path, name),
            count,
            help: "rename the duplicates in the header so that each column name is unique".into(),
        }
        .into());
    }
    if count == 1 {
        return Ok(());
    }
    if let [only] = available {
        if let Some(sep) = [';', '\t', '|'].into_iter().find(|c| only.contains(*c)) {
            let shown = if sep == '\t' {
                "\\t".to_string()
            } else {
                sep.to_string()
            };
            return Err(DataErrorKind::MissingColumn {
                at: Location::column(path, name),
                available: available.to_vec(),
                suggestion: None,
                help: format!(
                    "the header is a single column `{only}`: the file seems to use `{shown}` as \
                     separator, but only `,` is supported; convert it to comma-separated CSV"
                ),
            }
            .into());
        }
    }
    let suggestion = suggest(name, available).map(str::to_string);
    let mut help = String::new();
    if let Some(s) = &suggestion {
        if s.trim() == name {
            help.push_str(&format!(
                "the header has `{s}` with surrounding spaces: remove them from the header. "
            ));
        } else {
            help.push_str(&format!("did you mean `{s}`? "));
        }
    }
    help.push_str(what);
    help.push_str(&format!(
        "; the file's columns are: {}",
        list_quoted(available, 20)
    ));
    Err(DataErrorKind::MissingColumn {
        at: Location::column(path, name),
        available: available.to_vec(),
        suggestion,
        help,
    }
    .into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn split_fields_unquotes() {
        assert_eq!(
            split_fields(r#"a,"b,c","d""e",,f"#),
            vec!["a", "b,c", "d\"e", "", "f"]
        );
        assert_eq!(split_fields(""), vec![""]);
    }

    fn scan_str(text: &[u8], header_fields: usize, stop: Option<usize>) -> Scan {
        let dir = tempfile::tempdir().expect("tempdir");
        let p = dir.path().join("x.csv");
        std::fs::write(&p, text).expect("write");
        scan_csv(&p, header_fields, stop).expect("scan")
    }

    #[test]
    fn scan_maps_rows_to_lines() {
        let text = b"t,v\n1,2\n\n3,\"a\nb\"\n4,5\n6,7";
        let line = |row| scan_str(text, 2, Some(row)).line_of_row;
        assert_eq!(line(1), Some(2));
        assert_eq!(line(2), Some(3)); // the blank line is a row
        assert_eq!(line(3), Some(4));
        assert_eq!(line(4), Some(6)); // after the quoted two-line cell
        assert_eq!(line(5), Some(7)); // last line without newline
        assert_eq!(line(6), None);
    }

    #[test]
    fn scan_finds_problems() {
        let p = scan_str(b"t,v\n1,2\n3,4,5\n", 2, None)
            .problem
            .expect("ragged");
        assert_eq!(
            (p.line, p.reason.as_str()),
            (3, "the row has 3 fields but the header has 2")
        );
        let p = scan_str(b"t,v\n1,2\n3,\"4\n5,6\n", 2, None)
            .problem
            .expect("quote");
        assert_eq!(p.line, 3);
        let p = scan_str(b"t,v\n1,2\n3,\xff\n", 2, None)
            .problem
            .expect("utf8");
        assert_eq!(
            (p.line, p.reason.as_str()),
            (3, "the line is not valid UTF-8")
        );
        assert!(scan_str(b"t,v\n1,2\n3,4\n", 2, None).problem.is_none());
    }
}
