//! The fuzz targets' checks. They live in the main crate's `tests/fuzz/checks.rs`, so
//! that `tests/fuzz_regressions.rs` replays the kept inputs through the very same code
//! without AFL; each binary in `src/bin/` feeds one of them.

#[path = "../../tests/fuzz/checks.rs"]
pub mod checks;
