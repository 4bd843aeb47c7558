//! Counterfactual backtesting over historical metric datasets.
//!
//! [`backtest`] replays a dataset tick by tick through a queueing model of the
//! service (demand, ready capacity, startup delay, backlog), feeds the evaluator
//! the metrics the policy's own replica count would have produced, and scores the
//! run (cost, SLO breaches, thrashing, SPEC RG elasticity) next to three baselines
//! (the recorded replica counts, the cheapest breach-free static count, the
//! per-tick oracle). docs/backtest.md documents every formula and JSON key.
pub mod baseline;
pub mod data;
pub mod engine;
pub mod model;
pub mod output;
pub mod policy;
pub mod report;
pub mod score;
pub mod sizes;

pub use engine::{backtest, backtest_with_progress, Options, COUNTERFACTUAL_LABEL, REPLAY_LABEL};
pub use report::{Report, Scores, Timeline};

use crate::diagnostics::Code;

/// Why a backtest cannot run. Codes `E35x` (see the code registry).
#[derive(Debug, thiserror::Error)]
pub enum BacktestError {
    #[error(
        "service `{0}` has no `model {{ … }}` block: the backtester needs demand and capacity"
    )]
    NoModel(String),
    #[error("invalid model: {0}")]
    BadModel(String),
    #[error("the dataset has no column `{0}` that the policy reads")]
    MissingColumn(String),
    #[error("the dataset is empty")]
    EmptyData,
    #[error("the service declares tick {service} ms but the dataset grid is {data} ms")]
    TickMismatch { service: i64, data: i64 },
    #[error(
        "column `{column}` holds {value} at {time}: a load or a replica count cannot be negative"
    )]
    NegativeValue {
        column: String,
        value: f64,
        time: String,
    },
    #[error("evaluator: {0}")]
    Eval(crate::eval::EvalError),
    #[error("{0}")]
    WindowTooLarge(crate::eval::WindowTooLarge),
}

impl BacktestError {
    pub fn code(&self) -> Code {
        match self {
            BacktestError::NoModel(_) => Code::NO_MODEL,
            BacktestError::BadModel(_) => Code::MODEL_REJECTED,
            BacktestError::MissingColumn(_) => Code::COLUMN_NOT_LOADED,
            BacktestError::EmptyData => Code::NO_TICKS,
            BacktestError::TickMismatch { .. } => Code::TICK_MISMATCH,
            BacktestError::Eval(_) => Code::EVALUATION_FAILED,
            BacktestError::NegativeValue { .. } => Code::NEGATIVE_VALUE,
            BacktestError::WindowTooLarge(_) => Code::WINDOW_TOO_LARGE,
        }
    }

    /// What to change, when there is a general answer.
    pub fn help(&self) -> Option<&'static str> {
        match self {
            BacktestError::NoModel(_) => Some(
                "add a model block: `model { demand rps  capacity 100 rps per replica  startup 60s }`",
            ),
            BacktestError::MissingColumn(_) => {
                Some("load the dataset with every column of `Service::columns()`")
            }
            BacktestError::TickMismatch { .. } => {
                Some("load the dataset with `tick_ms` set to the service's tick")
            }
            BacktestError::WindowTooLarge(_) => Some(
                "shorten the window, or resample the data to a coarser tick with --tick",
            ),
            BacktestError::NegativeValue { .. } => Some(
                "fix the value at its source, or blank the cell to mark it missing (the service's `on missing` mode then applies)",
            ),
            BacktestError::BadModel(_) | BacktestError::EmptyData | BacktestError::Eval(_) => {
                None
            }
        }
    }
}

impl miette::Diagnostic for BacktestError {
    fn code<'a>(&'a self) -> Option<Box<dyn std::fmt::Display + 'a>> {
        Some(Box::new(BacktestError::code(self)))
    }

    fn help<'a>(&'a self) -> Option<Box<dyn std::fmt::Display + 'a>> {
        self.help()
            .map(|h| Box::new(h) as Box<dyn std::fmt::Display + 'a>)
    }
}
