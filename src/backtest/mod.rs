//! Counterfactual backtesting over historical metric datasets.
//!
//! [`backtest`] replays a dataset tick by tick through a queueing model of the
//! service (demand, ready capacity, startup delay, backlog), feeds the evaluator
//! the metrics the policy's own replica count would have produced, and scores the
//! run (cost, SLO breaches, thrashing, SPEC RG elasticity) next to three baselines
//! (the recorded replica counts, the cheapest breach-free static count, the
//! per-tick oracle). docs/backtest.md documents every formula and JSON key.
pub mod data;
pub mod engine;
pub mod model;
pub mod output;

pub use engine::{
    backtest, backtest_with_progress, Options, Report, Scores, Timeline, COUNTERFACTUAL_LABEL,
    REPLAY_LABEL,
};

/// Code → summary for [`BacktestError`] (the table lives in the code registry).
pub use crate::diagnostics::BACKTEST_CODES as BACKTEST_ERROR_CODES;

/// Why a backtest cannot run.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum BacktestError {
    #[error(
        "service `{0}` has no `model {{ … }}` block: the backtester needs demand and capacity"
    )]
    #[diagnostic(
        code(E350),
        help("add a model block: `model {{ demand rps  capacity 100 rps per replica  startup 60s }}`")
    )]
    NoModel(String),
    #[error("invalid model: {0}")]
    #[diagnostic(code(E351))]
    BadModel(String),
    #[error("the dataset has no column `{0}` that the policy reads")]
    #[diagnostic(
        code(E352),
        help("load the dataset with every column of `Service::columns()`")
    )]
    MissingColumn(String),
    #[error("the dataset is empty")]
    #[diagnostic(code(E353))]
    EmptyData,
    #[error("the service declares tick {service} ms but the dataset grid is {data} ms")]
    #[diagnostic(
        code(E354),
        help("load the dataset with `tick_ms` set to the service's tick")
    )]
    TickMismatch { service: i64, data: i64 },
    #[error(
        "column `{column}` holds {value} at {time}: a load or a replica count cannot be negative"
    )]
    #[diagnostic(
        code(E356),
        help("fix the value at its source, or blank the cell to mark it missing (the service's `on missing` mode then applies)")
    )]
    NegativeValue {
        column: String,
        value: f64,
        time: String,
    },
    #[error("evaluator: {0}")]
    #[diagnostic(code(E355))]
    Eval(crate::eval::EvalError),
}
