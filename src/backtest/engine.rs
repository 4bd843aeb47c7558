//! The driver: checks the run can start, resolves the model against the dataset,
//! computes the oracle's curve, runs the policy and the baselines side by side, and
//! assembles the report. Each job lives in its own module (docs/ARCHITECTURE.md).

use super::baseline::{self, OracleCurve};
use super::model::{Model, Treatment};
use super::policy::{self, PolicyOutcome};
use super::report::{Baselines, DataInfo, MetricInfo, ModelInfo, Report, SloInfo};
use super::BacktestError;
use crate::backtest::data::Dataset;
use crate::ir::{MetricSource, Service};
use crate::timestamp::format_timestamp;

/// Label used in every output of a `--replay` run.
pub const REPLAY_LABEL: &str = "replay (not counterfactual)";
/// Label of a normal run.
pub const COUNTERFACTUAL_LABEL: &str = "counterfactual";

/// Backtest options.
#[derive(Clone, Debug)]
pub struct Options {
    /// Feed the evaluator the recorded values (no feedback).
    pub replay: bool,
    /// An opposite decision within this long of the previous one is a reversal.
    pub reversal_window_ms: i64,
    /// Keep the per-tick timeline in [`Report::timeline`].
    pub timeline: bool,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            replay: false,
            reversal_window_ms: 600_000,
            timeline: false,
        }
    }
}

/// Runs the counterfactual backtest of `service` on `data`.
pub fn backtest(
    service: &Service,
    data: &Dataset,
    opts: &Options,
) -> Result<Report, BacktestError> {
    backtest_with_progress(service, data, opts, &mut |_, _| {})
}

/// [`backtest`] reporting progress as (ticks done, total ticks) of the policy run.
pub fn backtest_with_progress(
    service: &Service,
    data: &Dataset,
    opts: &Options,
    progress: &mut dyn FnMut(usize, usize),
) -> Result<Report, BacktestError> {
    check(service, data, opts)?;
    let m = Model::new(service, data)?;
    let ts = &data.timestamps_ms;
    let curve = OracleCurve::compute(&m);
    // The baselines need only d*_t: they run on a second thread while this one runs
    // the policy (the same results, in less wall time on 2+ cores).
    let (policy, baselines) = std::thread::scope(|scope| {
        let baselines =
            scope.spawn(|| baseline::baselines(&m, ts, &curve, opts.reversal_window_ms));
        let policy = policy::run(&m, ts, &curve.dstar, opts, progress);
        match baselines.join() {
            Ok(b) => policy.map(|p| (p, b)),
            Err(p) => std::panic::resume_unwind(p),
        }
    })?;
    Ok(report(&m, data, opts, policy, baselines))
}

/// What must hold before a run starts.
pub(crate) fn check(
    service: &Service,
    data: &Dataset,
    opts: &Options,
) -> Result<(), BacktestError> {
    if data.is_empty() {
        return Err(BacktestError::EmptyData);
    }
    if data.tick_ms <= 0 {
        return Err(BacktestError::BadModel(format!(
            "invalid tick {} ms",
            data.tick_ms
        )));
    }
    if let Some(t) = service.tick {
        if t != data.tick_ms {
            return Err(BacktestError::TickMismatch {
                service: t,
                data: data.tick_ms,
            });
        }
    }
    crate::eval::check_window_sizes(service, data.tick_ms)
        .map_err(BacktestError::WindowTooLarge)?;
    if opts.reversal_window_ms < 0 {
        return Err(BacktestError::BadModel(
            "the reversal window must not be negative".into(),
        ));
    }
    Ok(())
}

/// The report of a finished run.
fn report(
    m: &Model<'_>,
    data: &Dataset,
    opts: &Options,
    policy: PolicyOutcome,
    baselines: Baselines,
) -> Report {
    let (service, model) = (m.service, m.model);
    let oracle_hours = baselines.oracle.cost.replica_hours;
    let mut cost_vs_oracle =
        (oracle_hours > 0.0).then(|| policy.scores.cost.replica_hours / oracle_hours);
    // With a size ladder a replica-hour has no one price: compare the money.
    if service.ladder.is_some() {
        cost_vs_oracle = match (policy.scores.cost.cost, baselines.oracle.cost.cost) {
            (Some(p), Some(o)) if o > 0.0 => Some(p / o),
            _ => None,
        };
    }
    let ts = &data.timestamps_ms;
    let (first, last) = (ts[0], ts[ts.len() - 1]);
    Report {
        mode: if opts.replay {
            REPLAY_LABEL
        } else {
            COUNTERFACTUAL_LABEL
        }
        .to_string(),
        service: service.name.clone(),
        data: DataInfo {
            path: data.path.display().to_string(),
            ticks: ts.len(),
            tick_ms: data.tick_ms,
            from: format_timestamp(first),
            to: format_timestamp(last + data.tick_ms),
            load: data.report.clone(),
        },
        model: ModelInfo {
            demand: service.metrics[model.demand.0].name.clone(),
            capacity: model.capacity,
            startup_ms: model.startup,
            price_per_hour: model.price_per_hour,
            recorded_replicas: model.recorded_replicas.clone(),
            recorded_replicas_present: m.recorded.is_some(),
        },
        metrics: metrics(m, opts),
        slo: SloInfo {
            declared: model.slos.iter().map(|s| s.text.clone()).collect(),
            note: model.slos.is_empty().then(|| {
                "no SLO declared: only saturation (rho >= 1) counts as a breach".to_string()
            }),
        },
        notes: notes(m, opts, baselines.oracle_infeasible_ticks),
        policy: policy.scores,
        baselines,
        cost_vs_oracle,
        rules: policy.rules,
        decisions: policy.decisions,
        timeline: policy.timeline,
    }
}

/// Metric by metric: where its value came from.
fn metrics(m: &Model<'_>, opts: &Options) -> Vec<MetricInfo> {
    m.service
        .metrics
        .iter()
        .zip(&m.treatments)
        .map(|(mt, t)| MetricInfo {
            name: mt.name.clone(),
            source: match &mt.source {
                MetricSource::Column(c) => c.clone(),
                MetricSource::Builtin(b) => format!("builtin:{}", b.name()),
            },
            treatment: if opts.replay && *t != Treatment::Demand {
                Treatment::Replayed
            } else {
                *t
            },
            simulated: !opts.replay && t.simulated(),
        })
        .collect()
}

/// What a reader of the scores should know about how they were made.
fn notes(m: &Model<'_>, opts: &Options, infeasible: usize) -> Vec<String> {
    let mut notes = Vec::new();
    if infeasible > 0 {
        notes.push(format!(
            "{infeasible} ticks breach even at the maximum of {} replicas: no static count \
             avoids every breach and the oracle breaches there too",
            m.service.max
        ));
    }
    if m.missing_demand_ticks > 0 {
        notes.push(format!(
            "{} ticks without demand: the simulation carried the last known demand forward; \
             the rules saw a missing value",
            m.missing_demand_ticks
        ));
    }
    if m.model.recorded_replicas.is_some() && m.recorded.is_none() {
        notes.push("the recorded replicas column is not in the dataset: no recorded baseline, utilisation from rho".into());
    }
    if m.model.price_per_hour.is_none() {
        notes.push(
            "no price given: the model has no `price`, so no cost is computed (replica-hours \
             are); add e.g. `price 0.10 per replica-hour` to the model"
                .into(),
        );
    }
    if opts.replay {
        notes.push(
            "replay (not counterfactual): the rules saw the recorded metrics, which do not \
             react to the policy's own replica count; scores apply the model to its counts"
                .into(),
        );
    }
    notes
}
