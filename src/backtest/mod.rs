//! Counterfactual backtesting over historical metric datasets.
pub mod data;
