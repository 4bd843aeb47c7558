//! The registry of diagnostic codes. Codes are stable and never reused:
//! `E0xx` syntax, `E1xx` check, `W2xx` lint, `E3xx` data.

/// One registered code.
#[derive(Debug)]
pub struct CodeInfo {
    pub code: &'static str,
    pub name: &'static str,
    pub summary: &'static str,
}

macro_rules! codes {
    ($($code:literal $name:literal $summary:literal;)*) => {
        /// Every code the checker and parser emit (lint and data codes live beside their
        /// checks and are added to this list by [`lookup`]).
        pub const CODES: &[CodeInfo] = &[$(CodeInfo { code: $code, name: $name, summary: $summary }),*];
    };
}

codes! {
    "E000" "internal-error" "a bug in scalerules: the syntax tree had a shape the grammar should not produce";
    "E001" "syntax-error" "the text does not follow the grammar";
    "E002" "unterminated-block" "a `{` has no matching `}`";
    "E003" "unknown-keyword" "a word that is not a keyword stands where a statement must start";
    "E004" "invalid-number" "a number is malformed, not an integer where one is needed, or out of range";
    "E101" "missing-replicas" "a service has no `replicas MIN..MAX` line";
    "E102" "invalid-bounds" "the replica bounds are reversed or empty";
    "E103" "start-out-of-bounds" "the start count lies outside the replica bounds";
    "E104" "duplicate-declaration" "a declaration that may appear once appears twice";
    "E105" "duplicate-service" "two services have the same name";
    "E106" "unknown-metric" "a metric name is close to a declared one but not declared";
    "E107" "unit-mismatch" "a metric is used with units that cannot be converted into each other";
    "E108" "missing-unit" "a number compared with a duration or a ratio has no unit";
    "E109" "column-suffix-contradicts-unit" "a column's name suffix says one unit, the rule says another";
    "E110" "unknown-function" "an aggregate function name is not known";
    "E111" "invalid-duration" "a duration is negative, or zero where it must be positive";
    "E112" "invalid-amount" "a scaling amount is zero, negative or fractional";
    "E113" "percent-over-100" "a scale-in percentage over 100";
    "E114" "rate-of-non-counter" "`rate` applied to a metric that is not a plain counter";
    "E115" "reserved-construct" "a construct reserved for a later version (target tracking, schedules, vertical scaling)";
    "E116" "invalid-sustain" "an `M of window` sustain with M below 1";
    "E117" "invalid-model" "the backtest model is incomplete or inconsistent";
    "E118" "constant-comparison" "a comparison between two numbers, with no metric";
}

/// Error codes of the dataset layer and a one-line summary of each, for the
/// project's code registry. E314–E320 are reserved for this layer.
pub const DATA_CODES: &[(&str, &str)] = &[
    (
        "E301",
        "cannot read the dataset file (not found, permission, not CSV or Parquet)",
    ),
    ("E302", "a needed column is missing from the dataset"),
    ("E303", "a timestamp cell cannot be parsed"),
    ("E304", "timestamps are not in ascending order"),
    ("E305", "two rows have the same timestamp"),
    ("E306", "a cell in a numeric column is not a number"),
    (
        "E307",
        "a column has the wrong type (e.g. boolean, list or date where numbers are expected)",
    ),
    (
        "E308",
        "the dataset is empty, or nothing is left after the --from/--to window",
    ),
    (
        "E309",
        "unknown service, or a long-format file with several services and none selected",
    ),
    (
        "E310",
        "invalid tick, or the tick cannot be inferred (irregular timestamps)",
    ),
    ("E311", "a numeric cell holds an infinite value"),
    (
        "E312",
        "malformed CSV (too many fields, unterminated quote, invalid UTF-8)",
    ),
    ("E313", "the header names a needed column more than once"),
];

/// Code → summary for the backtest's errors (`backtest::BacktestError`), for the project's code registry.
pub const BACKTEST_CODES: &[(&str, &str)] = &[
    ("E350", "the service has no backtest model"),
    ("E351", "the backtest model is invalid"),
    ("E352", "the dataset lacks a column the policy reads"),
    ("E353", "the dataset is empty"),
    ("E354", "the service's tick and the dataset grid disagree"),
    ("E355", "the evaluator rejected a sample"),
    ("E356", "a demand or replica-count cell is negative"),
];

/// Looks a code up in the core registry, then in the data and backtest registries.
/// Returns the canonical code and its one-line summary.
pub fn lookup(code: &str) -> Option<(&'static str, &'static str)> {
    let code = code.to_ascii_uppercase();
    CODES
        .iter()
        .map(|c| (c.code, c.summary))
        .chain(DATA_CODES.iter().copied())
        .chain(BACKTEST_CODES.iter().copied())
        .find(|(c, _)| *c == code)
}
