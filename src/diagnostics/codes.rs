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

/// Looks a code up in the core registry, then in the data, backtest and Prometheus registries.
/// Returns the canonical code and its one-line summary.
pub fn lookup(code: &str) -> Option<(&'static str, &'static str)> {
    let code = code.to_ascii_uppercase();
    let found = CODES
        .iter()
        .map(|c| (c.code, c.summary))
        .chain(crate::backtest::data::DATA_ERROR_CODES.iter().copied())
        .chain(crate::backtest::BACKTEST_ERROR_CODES.iter().copied())
        .find(|(c, _)| *c == code);
    // The Prometheus client's codes (E370-E379), until they move into this registry.
    #[cfg(feature = "prometheus")]
    let found = found.or_else(|| {
        crate::prom::PROM_ERROR_CODES
            .iter()
            .copied()
            .find(|(c, _)| *c == code)
    });
    found
}
