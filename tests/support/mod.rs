//! Helpers shared by integration tests: a loopback HTTP server and a real Prometheus.

#![allow(
    dead_code,
    reason = "each test binary uses a different part of the helpers"
)]

pub mod http;
pub mod prometheus;
