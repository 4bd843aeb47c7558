//! The code registry (`diagnostics::REGISTRY`) is the one list of diagnostic codes. A
//! producer can only emit a registered code (`Code` has no public constructor), so these
//! tests check what the types cannot: that users can look every code up, and that the
//! reference documentation lists the codes of each stage.

use scalerules::cli::check::explain_code;
use scalerules::diagnostics::{Code, Stage, REGISTRY};
use std::path::Path;

fn doc(name: &str) -> String {
    std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("docs")
            .join(name),
    )
    .unwrap_or_else(|e| panic!("docs/{name}: {e}"))
}

#[test]
fn every_code_can_be_explained() {
    for c in REGISTRY {
        let text = explain_code(c.code.as_str())
            .unwrap_or_else(|| panic!("`scalerules explain {}` knows nothing", c.code));
        assert!(text.contains(c.code.summary()), "{}: {text}", c.code);
        assert_eq!(Code::lookup(c.name), Some(c.code), "{}", c.name);
    }
}

#[test]
fn the_reference_lists_every_code_of_its_stage() {
    let language = doc("language.md");
    let backtest = doc("backtest.md");
    let lints = doc("lints.md");
    let prometheus = doc("prometheus.md");
    let kubernetes = doc("kubernetes.md");
    for c in REGISTRY {
        let row = format!("| {} |", c.code);
        let listed = match c.code.stage() {
            Stage::Syntax | Stage::Check => language.contains(&row),
            Stage::Lint => lints.contains(&row),
            Stage::Backtest => backtest.contains(&row),
            // docs/backtest.md names the data codes as one range, each kind has a fixture.
            Stage::Data => backtest.contains("E301–E313"),
            Stage::Prometheus => prometheus.contains(&row),
            Stage::Kube => kubernetes.contains(&row),
        };
        assert!(listed, "{} is missing from the reference docs", c.code);
    }
}

#[test]
fn codes_render_as_their_number() {
    let compiled = scalerules::compile("replicas 3..1\n", "t");
    let d = compiled
        .diagnostics
        .first()
        .expect("reversed bounds are reported");
    assert_eq!(d.code.to_string(), d.code.as_str());
    let json = serde_json::to_value(d.code).expect("serialises");
    assert_eq!(json, serde_json::json!(d.code.as_str()));
}
