//! `scalerules tune`: searches the values of a service's parameters (`param` lines)
//! over one or more datasets and reports the cost/SLA Pareto front (docs/tuning.md).
//!
//! ```text
//! params ──space──▶ variants ─┐
//! datasets ──load once──▶ shared work (demand, oracle curve, baselines) ─┐
//!                             └──▶ per variant, in parallel: bind → check → lower → policy run
//!                                                                  ──▶ summary scores ──▶ front
//! ```
//!
//! Deterministic: the variants depend only on the parameters, the budget and the seed;
//! each variant's scores only on its values (results are collected in variant order),
//! so any thread count gives the same outcome.

pub mod front;
pub mod output;
pub mod run;
pub mod space;
pub mod write;

use crate::backtest::data::Dataset;
use crate::backtest::{BacktestError, Options};
use crate::ir::Service;
use crate::params::Param;
use crate::syntax::ast::File;
use serde::Serialize;
pub use space::{Sampling, SpaceInfo, Values};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

/// What to tune: the file's tree (bound to the defaults), its source, its parameters and
/// the ones of the service run.
pub struct Problem<'a> {
    pub src: &'a str,
    pub ast: &'a File,
    /// Every parameter of the file.
    pub params: &'a [Param],
    /// The indices (into `params`) of the service's parameters, the ones varied.
    pub tuned: Vec<usize>,
    pub service: &'a str,
}

impl<'a> Problem<'a> {
    /// The problem of `service` in a compiled file; `None` when it has no parameter.
    pub fn new(
        src: &'a str,
        ast: &'a File,
        params: &'a [Param],
        service: &'a str,
    ) -> Option<Problem<'a>> {
        let index = ast.services.iter().position(|s| s.name.node == service)?;
        let tuned: Vec<usize> = params
            .iter()
            .enumerate()
            .filter(|(_, p)| p.service == index)
            .map(|(i, _)| i)
            .collect();
        (!tuned.is_empty()).then_some(Problem {
            src,
            ast,
            params,
            tuned,
            service,
        })
    }

    /// The parameters varied, in declaration order.
    pub fn tuned_params(&self) -> Vec<&'a Param> {
        self.tuned.iter().map(|&i| &self.params[i]).collect()
    }
}

/// Limits a variant must keep to be chosen, on every dataset.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize)]
pub struct Constraints {
    pub max_breach_minutes: Option<f64>,
    pub max_reversals: Option<usize>,
}

/// How to search.
#[derive(Clone, Debug)]
pub struct TuneOptions {
    /// The backtest settings (the reversal window); no timeline is ever kept.
    pub backtest: Options,
    /// At most this many variants besides the current file.
    pub budget: usize,
    pub sampling: Sampling,
    pub seed: u64,
    /// Worker threads (`None`: one per core).
    pub threads: Option<usize>,
    pub constraints: Constraints,
}

impl Default for TuneOptions {
    fn default() -> Self {
        TuneOptions {
            backtest: Options::default(),
            budget: 200,
            sampling: Sampling::Lhs,
            seed: 1,
            threads: None,
            constraints: Constraints::default(),
        }
    }
}

/// One variant's scores on one dataset.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct TraceScores {
    /// Money when the model has a `price`, else replica-hours.
    pub cost: f64,
    pub replica_hours: f64,
    pub breach_minutes: f64,
    pub reversals: usize,
}

/// What became of a variant.
#[derive(Clone, Debug, PartialEq)]
pub enum VariantOutcome {
    /// Its scores, one per dataset.
    Scored(Vec<TraceScores>),
    /// The checker or the backtester refused it: the first reason.
    Rejected(String),
    /// Interrupted before its turn.
    NotRun,
}

/// A variant's scores over all datasets: the total, and the worst dataset.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Totals {
    pub cost: f64,
    pub breach_minutes: f64,
    pub reversals: usize,
    /// The largest cost / oracle cost over the datasets (`null` when an oracle costs 0).
    pub worst_cost_vs_oracle: Option<f64>,
    pub worst_breach_minutes: f64,
    pub worst_reversals: usize,
}

impl Totals {
    fn of(traces: &[TraceScores], oracle_costs: &[f64]) -> Totals {
        let ratios: Vec<f64> = traces
            .iter()
            .zip(oracle_costs)
            .filter(|(_, &o)| o > 0.0)
            .map(|(t, o)| t.cost / o)
            .collect();
        Totals {
            cost: traces.iter().map(|t| t.cost).sum(),
            breach_minutes: traces.iter().map(|t| t.breach_minutes).sum(),
            reversals: traces.iter().map(|t| t.reversals).sum(),
            worst_cost_vs_oracle: (ratios.len() == traces.len() && !ratios.is_empty())
                .then(|| ratios.iter().copied().fold(0.0, f64::max)),
            worst_breach_minutes: traces.iter().map(|t| t.breach_minutes).fold(0.0, f64::max),
            worst_reversals: traces.iter().map(|t| t.reversals).max().unwrap_or(0),
        }
    }

    /// The objectives the front is over, all minimised: total cost, total breach
    /// minutes, total reversals, and the worst dataset's breach minutes.
    pub fn objectives(&self) -> Vec<f64> {
        vec![
            self.cost,
            self.breach_minutes,
            self.reversals as f64,
            self.worst_breach_minutes,
        ]
    }

    fn within(&self, c: &Constraints) -> bool {
        c.max_breach_minutes
            .is_none_or(|m| self.worst_breach_minutes <= m + 1e-9)
            && c.max_reversals.is_none_or(|m| self.worst_reversals <= m)
    }
}

/// A variant and what became of it.
#[derive(Clone, Debug, PartialEq)]
pub struct Variant {
    pub values: Values,
    pub outcome: VariantOutcome,
    /// Set when scored.
    pub totals: Option<Totals>,
    /// Within the constraints given (all variants are when none is).
    pub feasible: bool,
}

/// A dataset and the baselines of the file's own service on it.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct TraceInfo {
    pub path: String,
    pub ticks: usize,
    pub oracle_cost: f64,
    /// The cheapest breach-free constant count, if any.
    pub static_replicas: Option<u32>,
    pub static_cost: Option<f64>,
}

/// The result of a search.
#[derive(Clone, Debug, PartialEq)]
pub struct Outcome {
    pub service: String,
    pub params: Vec<Param>,
    pub traces: Vec<TraceInfo>,
    pub space: SpaceInfo,
    /// `cost` (money) or `replica-hours`.
    pub cost_unit: String,
    /// Variant 0 is the file as written (every default).
    pub variants: Vec<Variant>,
    /// Indices into `variants`, cheapest first.
    pub front: Vec<usize>,
    /// The cheapest front variant within the limits: the constraints given, else the
    /// current file's worst breach minutes and reversals.
    pub chosen: Option<usize>,
    pub limits: Constraints,
    pub constraints: Constraints,
    pub interrupted: bool,
    /// Wall-clock seconds of the shared per-dataset work and of the variants.
    pub shared_seconds: f64,
    pub variant_seconds: f64,
    pub threads: usize,
}

impl Outcome {
    pub fn count(&self, f: impl Fn(&Variant) -> bool) -> usize {
        self.variants.iter().filter(|v| f(v)).count()
    }
}

/// Why a search cannot run.
#[derive(Debug, thiserror::Error)]
pub enum TuneError {
    /// The file's own service cannot be backtested on a dataset.
    #[error("{path}: {err}")]
    Trace { path: String, err: BacktestError },
    #[error("cannot start the worker threads: {0}")]
    Pool(String),
}

/// Searches `problem` over `data` (each loaded once by the caller, for `service`, the
/// file's own service). `progress(done, total)` is called as variants finish; setting
/// `stop` leaves the variants not yet started unrun, and the outcome reports the front
/// of those that ran.
pub fn tune(
    problem: &Problem<'_>,
    service: &Service,
    data: &[Dataset],
    opts: &TuneOptions,
    stop: &AtomicBool,
    progress: &(dyn Fn(usize, usize) + Sync),
) -> Result<Outcome, TuneError> {
    let params = problem.tuned_params();
    let (values, space) = space::variants(&params, opts.budget, opts.sampling, opts.seed);
    let mut builder = rayon::ThreadPoolBuilder::new();
    if let Some(n) = opts.threads {
        builder = builder.num_threads(n);
    }
    let pool = builder
        .build()
        .map_err(|e| TuneError::Pool(e.to_string()))?;
    let threads = pool.current_num_threads();
    let started = std::time::Instant::now();
    let (shared, shared_seconds, outcomes, variant_seconds) = pool.install(|| {
        use rayon::prelude::*;
        let shared: Result<Vec<run::Shared<'_>>, TuneError> = data
            .par_iter()
            .map(|d| {
                run::shared(service, d, opts).map_err(|err| TuneError::Trace {
                    path: d.path.display().to_string(),
                    err,
                })
            })
            .collect();
        let shared_seconds = started.elapsed().as_secs_f64();
        let t1 = std::time::Instant::now();
        let shared = match shared {
            Ok(s) => s,
            Err(e) => return (Err(e), shared_seconds, Vec::new(), 0.0),
        };
        let done = AtomicUsize::new(0);
        let total = values.len();
        let outcomes = run::run_all(problem, &values, &shared, data, opts, stop, &|| {
            let n = done.fetch_add(1, Ordering::Relaxed) + 1;
            progress(n, total);
        });
        let infos = trace_infos(&shared, data);
        (
            Ok(infos),
            shared_seconds,
            outcomes,
            t1.elapsed().as_secs_f64(),
        )
    });
    let traces = shared?;
    let oracle: Vec<f64> = traces.iter().map(|t| t.oracle_cost).collect();
    let mut variants: Vec<Variant> = values
        .into_iter()
        .zip(outcomes)
        .map(|(values, outcome)| {
            let totals = match &outcome {
                VariantOutcome::Scored(t) => Some(Totals::of(t, &oracle)),
                _ => None,
            };
            Variant {
                feasible: totals.as_ref().is_some_and(|t| t.within(&opts.constraints)),
                values,
                outcome,
                totals,
            }
        })
        .collect();
    let interrupted = variants.iter().any(|v| v.outcome == VariantOutcome::NotRun);
    let points: Vec<Option<Vec<f64>>> = variants
        .iter()
        .map(|v| {
            v.totals
                .as_ref()
                .filter(|_| v.feasible)
                .map(Totals::objectives)
        })
        .collect();
    let front = front::pareto(&points);
    let current = variants.first().and_then(|v| v.totals.clone());
    let limits = Constraints {
        max_breach_minutes: opts
            .constraints
            .max_breach_minutes
            .or(current.as_ref().map(|t| t.worst_breach_minutes)),
        max_reversals: opts
            .constraints
            .max_reversals
            .or(current.as_ref().map(|t| t.worst_reversals)),
    };
    let chosen = front
        .iter()
        .copied()
        .filter(|&i| {
            variants[i]
                .totals
                .as_ref()
                .is_some_and(|t| t.within(&limits))
        })
        .min_by(|&a, &b| {
            let (ta, tb) = (&variants[a].totals, &variants[b].totals);
            let key = |t: &Option<Totals>| t.as_ref().map(|t| (t.cost, t.breach_minutes));
            key(ta)
                .partial_cmp(&key(tb))
                .unwrap_or(std::cmp::Ordering::Equal)
                .then(a.cmp(&b))
        });
    // Keep the summaries only: a rejected variant's reason is all a reader needs.
    for v in &mut variants {
        if let VariantOutcome::Scored(t) = &mut v.outcome {
            t.shrink_to_fit();
        }
    }
    Ok(Outcome {
        service: problem.service.to_string(),
        params: params.into_iter().cloned().collect(),
        traces,
        space,
        cost_unit: if service
            .model
            .as_ref()
            .is_some_and(|m| m.price_per_hour.is_some())
        {
            "cost".into()
        } else {
            "replica-hours".into()
        },
        variants,
        front,
        chosen,
        limits,
        constraints: opts.constraints,
        interrupted,
        shared_seconds,
        variant_seconds,
        threads,
    })
}

fn trace_infos(shared: &[run::Shared<'_>], data: &[Dataset]) -> Vec<TraceInfo> {
    shared
        .iter()
        .zip(data)
        .map(|(s, d)| {
            let cost = |c: &crate::backtest::report::CostScores| c.cost.unwrap_or(c.replica_hours);
            TraceInfo {
                path: d.path.display().to_string(),
                ticks: d.timestamps_ms.len(),
                oracle_cost: cost(&s.baselines.oracle.cost),
                static_replicas: s.baselines.static_best.replicas,
                static_cost: s
                    .baselines
                    .static_best
                    .scores
                    .as_ref()
                    .map(|sc| cost(&sc.cost)),
            }
        })
        .collect()
}
