//! Diagnostics known to be poor, kept as snapshots until each is fixed (the PRQL habit).
//! When one improves, its snapshot changes: review it, and move the case to the fixture
//! folders (`tests/fixtures/check/invalid/`) once it is good. Each case says what is
//! wrong with today's message.
//!
//! Fixed so far and moved: `average` now suggests `avg`; `outward` suggests `out`; a
//! `rate` error no longer labels one span twice; a broken multi-line rule no longer
//! blames the next statement; `scale out by` with no amount asks for an amount, not "a
//! number" (`tests/fixtures/check/invalid/broken_multiline_rule.scale`); a spelt-out
//! unit (`5 mins`) is answered with its short form (`invalid/spelt_out_unit.scale`).

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

/// Poor: a cooldown written before the action gets generic help ("a rule ends with an
/// action") instead of "the cooldown goes after the action: `scale out by 1, cooldown 5m`".
#[test]
fn cooldown_before_the_action() {
    insta::assert_snapshot!(show(
        "replicas 1..4\nwhen cpu > 80% cooldown 5m scale out by 1\n"
    ));
}

/// Poor: a `metric` line without its name says "expected a name, found `=`" with no
/// help showing the shape `metric p95 = column "latency_p95_ms" in ms`.
#[test]
fn metric_binding_without_a_name() {
    insta::assert_snapshot!(show("replicas 1..4\nmetric = column \"x\"\n"));
}
