//! Diagnostics known to be poor, kept as snapshots until each is fixed (the PRQL habit).
//! When one improves, its snapshot changes: review it, and move the case to the fixture
//! folders if it is now good. Each case says what is wrong with today's message.

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

/// Poor: no "did you mean `avg`" for `average` (too far by edit distance).
#[test]
fn average_is_not_suggested_as_avg() {
    insta::assert_snapshot!(show(
        "replicas 1..5\nwhen average(cpu, 5m) > 80% scale out by 1\n"
    ));
}

/// Poor: `outward` is not matched to `out`: the message lists the three keywords but
/// does not say which one was probably meant.
#[test]
fn outward_is_not_suggested_as_out() {
    insta::assert_snapshot!(show("replicas 1..5\nwhen cpu > 80% scale outward by 1\n"));
}

/// Poor: when the unit of a counter comes from its own use, the secondary label repeats
/// the primary span ("its unit comes from here" on the same word).
#[test]
fn rate_label_repeats_its_span() {
    insta::assert_snapshot!(show(
        "replicas 1..5\nwhen rate(latency_ms, 5m) > 10 scale out by 1\n"
    ));
}
