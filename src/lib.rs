//! scalerules: autoscaling policy as code.
pub mod backtest;
pub mod datagen;
pub mod timestamp;
