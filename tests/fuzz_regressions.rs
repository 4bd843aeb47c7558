//! Inputs the fuzzers found (or that once crashed the tool), replayed through the fuzz
//! targets' own checks (`tests/fuzz/checks.rs`) on every `cargo test`. One folder per
//! target under `tests/fixtures/fuzz/`; a file there is one input, bytes as given to the
//! target. Fuzzing itself is not part of CI (docs/reliability.md); this test is.

#[path = "fuzz/checks.rs"]
mod checks;

use std::path::Path;

fn replay(target: &str, check: fn(&[u8])) -> usize {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/fuzz")
        .join(target);
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.expect("entry").path())
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    for f in &files {
        let data = std::fs::read(f).expect("read");
        // A panic names the input.
        let r = std::panic::catch_unwind(|| check(&data));
        assert!(r.is_ok(), "{} fails its check", f.display());
    }
    files.len()
}

#[test]
fn compile_inputs() {
    assert!(replay("compile", checks::compile) > 0);
}

#[test]
fn lint_fmt_inputs() {
    assert!(replay("lint_fmt", checks::lint_fmt) > 0);
}

#[test]
fn eval_inputs() {
    assert!(replay("eval", checks::eval) > 0);
}

#[test]
fn kube_import_inputs() {
    assert!(replay("kube_import", checks::kube_import) > 0);
}

#[cfg(feature = "data")]
#[test]
fn dataset_inputs() {
    assert!(replay("dataset", checks::dataset) > 0);
}
