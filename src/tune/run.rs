//! Running the variants: each dataset's shared work once (the demand columns, the
//! oracle's curve, the baselines), then every variant on every dataset in parallel,
//! each variant lowered again from the tree with its values bound and scored by the
//! policy run alone. Only summary scores are kept, never a timeline.

use super::space::Values;
use super::{Problem, TraceScores, TuneOptions, VariantOutcome};
use crate::backtest::baseline::{self, OracleCurve};
use crate::backtest::data::Dataset;
use crate::backtest::model::Model;
use crate::backtest::report::Baselines;
use crate::backtest::{engine, policy, BacktestError, Scores};
use crate::diagnostics::Sink;
use crate::ir::{Program, Service};
use rayon::prelude::*;
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

/// A dataset's work that no variant changes.
pub struct Shared<'d> {
    pub model: Model<'d>,
    pub curve: OracleCurve,
    /// What the curve depends on ([`oracle_key`]).
    pub key: String,
    pub baselines: Baselines,
}

/// The shared work of one dataset, for the service as the file writes it.
pub fn shared<'d>(
    service: &'d Service,
    data: &'d Dataset,
    opts: &TuneOptions,
) -> Result<Shared<'d>, BacktestError> {
    engine::check(service, data, &opts.backtest)?;
    let model = Model::new(service, data)?;
    let curve = OracleCurve::compute(&model);
    let baselines = baseline::baselines(
        &model,
        &data.timestamps_ms,
        &curve,
        opts.backtest.reversal_window_ms,
    );
    Ok(Shared {
        key: oracle_key(service),
        model,
        curve,
        baselines,
    })
}

/// Everything the oracle's curve depends on: the bounds, the model without its startup
/// and price (the oracle's replicas are ready at once; the price only scales a cost),
/// the metrics and the aggregates the SLOs may read.
pub fn oracle_key(s: &Service) -> String {
    let model = s.model.as_ref().map(|m| {
        let mut m = m.clone();
        m.startup = 0;
        m.price_per_hour = None;
        m
    });
    format!(
        "{}..{}|{:?}|{:?}|{:?}",
        s.min, s.max, model, s.metrics, s.aggregates
    )
}

/// The program of one variant: the tree with `values` bound, checked and lowered.
pub fn compile_variant(problem: &Problem<'_>, values: &Values) -> Result<Program, String> {
    let mut all = crate::params::defaults(problem.params);
    for (&i, &v) in problem.tuned.iter().zip(values) {
        all[i] = v;
    }
    let mut file = problem.ast.clone();
    let mut sink = Sink::new();
    crate::params::bind(&mut file, problem.params, &all, Some(&mut sink));
    let checked = if sink.has_errors() {
        None
    } else {
        crate::check::check(&file, problem.src, &mut sink)
    };
    match checked {
        Some(c) => Ok(crate::ir::lower::lower(&file, &c, problem.src)),
        None => Err(sink
            .into_sorted()
            .into_iter()
            .find(|d| d.is_error())
            .map_or_else(
                || "rejected by the checker".into(),
                |d| format!("{} {}", d.code, d.message),
            )),
    }
}

/// Curves of variants whose model differs from the file's, by dataset and key.
type CurveCache = Mutex<HashMap<(usize, String), Arc<OracleCurve>>>;

/// One variant on one dataset: the policy run against the shared (or cached) curve.
fn run_on(
    trace: usize,
    shared: &Shared<'_>,
    service: &Service,
    data: &Dataset,
    opts: &TuneOptions,
    cache: &CurveCache,
) -> Result<Scores, BacktestError> {
    engine::check(service, data, &opts.backtest)?;
    let m = shared.model.for_variant(service)?;
    let key = oracle_key(service);
    let own;
    let curve: &OracleCurve = if key == shared.key {
        &shared.curve
    } else {
        let cached = cache
            .lock()
            .ok()
            .and_then(|c| c.get(&(trace, key.clone())).cloned());
        own = match cached {
            Some(c) => c,
            None => {
                let c = Arc::new(OracleCurve::compute(&m));
                if let Ok(mut map) = cache.lock() {
                    map.insert((trace, key), Arc::clone(&c));
                }
                c
            }
        };
        &own
    };
    let out = policy::run(
        &m,
        &data.timestamps_ms,
        &curve.dstar,
        &opts.backtest,
        &mut |_, _| {},
    )?;
    Ok(out.scores)
}

fn summary(s: &Scores) -> TraceScores {
    TraceScores {
        cost: s.cost.cost.unwrap_or(s.cost.replica_hours),
        replica_hours: s.cost.replica_hours,
        breach_minutes: s.sla.breach_minutes,
        reversals: s.thrashing.reversals,
    }
}

/// Runs every variant on every dataset, on the pool the caller installed. A variant
/// whose turn comes after `stop` is set is not run. `done` is called after each.
pub fn run_all(
    problem: &Problem<'_>,
    variants: &[Values],
    shared: &[Shared<'_>],
    data: &[Dataset],
    opts: &TuneOptions,
    stop: &AtomicBool,
    done: &(dyn Fn() + Sync),
) -> Vec<VariantOutcome> {
    let cache: CurveCache = Mutex::new(HashMap::new());
    variants
        .par_iter()
        .map(|values| {
            if stop.load(Ordering::Relaxed) {
                return VariantOutcome::NotRun;
            }
            let out = evaluate(problem, values, shared, data, opts, &cache);
            done();
            out
        })
        .collect()
}

fn evaluate(
    problem: &Problem<'_>,
    values: &Values,
    shared: &[Shared<'_>],
    data: &[Dataset],
    opts: &TuneOptions,
    cache: &CurveCache,
) -> VariantOutcome {
    let program = match compile_variant(problem, values) {
        Ok(p) => p,
        Err(why) => return VariantOutcome::Rejected(why),
    };
    let Some(service) = program.service(problem.service) else {
        return VariantOutcome::Rejected("the service is gone".into());
    };
    let mut traces = Vec::with_capacity(data.len());
    for (i, (sh, d)) in shared.iter().zip(data).enumerate() {
        match run_on(i, sh, service, d, opts, cache) {
            Ok(s) => traces.push(summary(&s)),
            Err(e) => {
                return VariantOutcome::Rejected(format!("{} {e}", e.code()));
            }
        }
    }
    VariantOutcome::Scored(traces)
}
