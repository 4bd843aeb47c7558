//! Every diagnostic code the source emits is registered, and no code is registered twice.

use std::collections::BTreeSet;
use std::path::Path;

fn rust_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

/// Codes written as string literals `"E123"` or in `code(E123)` attributes.
fn emitted_codes() -> BTreeSet<String> {
    let mut files = Vec::new();
    rust_files(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("src"),
        &mut files,
    );
    let mut out = BTreeSet::new();
    for f in files {
        let text = std::fs::read_to_string(&f).unwrap();
        let b = text.as_bytes();
        for i in 0..b.len().saturating_sub(5) {
            let quoted = b[i] == b'"' && b[i + 5] == b'"';
            let attr = i >= 5 && &b[i - 5..i] == b"code(" && b[i + 5] == b')';
            let lead = if quoted { i + 1 } else { i };
            if (quoted || attr)
                && b[lead] == b'E'
                && b[lead + 1..lead + 4].iter().all(u8::is_ascii_digit)
            {
                out.insert(text[lead..lead + 4].to_string());
            }
        }
    }
    out
}

#[test]
fn every_emitted_code_is_registered() {
    let codes = emitted_codes();
    assert!(codes.len() > 30, "the scan found too few codes: {codes:?}");
    // The import/export family (`E4xx`) has its own table until it joins the registry.
    let kube = |c: &str| scalerules::kube::KUBE_CODES.iter().any(|k| k.0 == c);
    for c in &codes {
        assert!(
            scalerules::diagnostics::lookup(c).is_some() || kube(c),
            "{c} is emitted but not registered"
        );
    }
}

#[test]
fn no_code_is_registered_twice() {
    let mut seen = BTreeSet::new();
    let all = scalerules::diagnostics::CODES
        .iter()
        .map(|c| c.code)
        .chain(
            scalerules::backtest::data::DATA_ERROR_CODES
                .iter()
                .map(|c| c.0),
        )
        .chain(
            scalerules::backtest::BACKTEST_ERROR_CODES
                .iter()
                .map(|c| c.0),
        )
        .chain(scalerules::kube::KUBE_CODES.iter().map(|c| c.0));
    for c in all {
        assert!(seen.insert(c), "{c} registered twice");
    }
}
