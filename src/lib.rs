//! scalerules: autoscaling policy as code.
//!
//! Text flows one way through the stages; each has one public entry function:
//!
//! ```text
//!  source ──parse──▶ ast::File ──check──▶ Checked ──lower──▶ ir::Program ──▶ eval::Evaluator
//!  (grammar/        (syntax/)           (check/)           (ir/)              (eval/)
//!   scale.pest)                                                                  │
//!                                      datasets ──backtest::data::load──▶ backtest::* ◀┘
//! ```
//!
//! [`compile`] runs parse, check and lower in one call, collecting every diagnostic.
//!
//! The `data` feature (on by default) adds what needs polars: `backtest` (the dataset
//! loader and the simulation), `snapshot` and `datagen`. Everything from source text to
//! decisions builds without it.

#[cfg(feature = "data")]
pub mod backtest;
pub mod cell;
pub mod chart;
pub mod check;
pub mod cli;
#[cfg(feature = "data")]
pub mod datagen;
pub mod diagnostics;
pub mod eval;
pub mod files;
pub mod fmt;
pub mod ir;
pub mod kube;
pub mod lint;
pub mod params;
#[cfg(feature = "prometheus")]
pub mod prom;
pub mod ruletest;
#[cfg(feature = "data")]
pub mod snapshot;
pub mod span;
pub mod syntax;
pub mod timestamp;
#[cfg(feature = "data")]
pub mod tune;
pub mod units;

use diagnostics::{Diagnostic, Sink};

/// The outcome of compiling one rule file: the program when there were no errors, and
/// every diagnostic (errors and warnings) in source order.
#[derive(Debug)]
pub struct Compiled {
    pub program: Option<ir::Program>,
    /// The tree with every parameter bound to its default.
    pub ast: Option<syntax::ast::File>,
    pub diagnostics: Vec<Diagnostic>,
    /// The `param` declarations of every service (`tune` binds other values).
    pub params: Vec<params::Param>,
}

/// Parses, checks and lowers `src`. `name` is the file stem, used as the service name of
/// a file without a `service` block. Parameters run with their defaults.
pub fn compile(src: &str, name: &str) -> Compiled {
    let mut sink = Sink::new();
    let mut ast = syntax::parse(src, name, &mut sink);
    let mut declared = Vec::new();
    let mut uses = Vec::new();
    let program = ast.as_mut().and_then(|f| {
        let before = sink.error_count();
        declared = params::declare(f, &mut sink);
        uses = params::uses(f, &declared);
        params::bind(f, &declared, &params::defaults(&declared), Some(&mut sink));
        if sink.error_count() > before {
            return None;
        }
        let checked = check::check(f, src, &mut sink)?;
        params::check_ranges(f, src, &declared, &mut sink);
        if sink.error_count() > before {
            return None;
        }
        Some(ir::lower::lower(f, &checked, src))
    });
    let mut diagnostics = sink.into_sorted();
    params::annotate(&mut diagnostics, &uses, &declared);
    Compiled {
        program,
        ast,
        diagnostics,
        params: declared,
    }
}

/// The service name for a file without a `service` block: the file stem.
pub fn stem_of(path: &std::path::Path) -> String {
    path.file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "service".into())
}
