//! Diagnostics known to be poor, kept as snapshots until each is fixed (the PRQL habit).
//! When one improves, its snapshot changes: review it, and move the case to the fixture
//! folders (`tests/fixtures/check/invalid/`) once it is good. Each case says what is
//! wrong with today's message.
//!
//! Fixed so far and moved: `average` now suggests `avg`; `outward` suggests `out`; a
//! `rate` error no longer labels one span twice; a broken multi-line rule no longer
//! blames the next statement; `scale out by` with no amount asks for an amount, not "a
//! number" (`tests/fixtures/check/invalid/broken_multiline_rule.scale`).

use scalerules::diagnostics::{render, Format, SourceFile};

fn show(src: &str) -> String {
    let c = scalerules::compile(src, "poor");
    render(
        &c.diagnostics,
        &SourceFile::new("poor.scale", src),
        Format::Human,
        false,
        100,
    )
}

/// Poor: for a misspelt unit (`5 mins`) the help talks about actions instead of
/// suggesting `5m`.
#[test]
fn misspelt_unit_is_not_named() {
    insta::assert_snapshot!(show(
        "replicas 1..5\nwhen cpu > 80% for 5 mins scale out by 1\n"
    ));
}
