//! The tick loop, the baselines and the scores. Formulas: docs/backtest.md.

use super::model::{Model, Queue, Treatment};
use super::BacktestError;
use crate::backtest::data::{Dataset, LoadReport};
use crate::eval::Evaluator;
use crate::ir::{Direction, MetricSource, Service};
use crate::timestamp::format_timestamp;
use serde::Serialize;
use std::collections::BTreeMap;

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

/// The outcome of a backtest.
#[derive(Clone, Debug, Serialize)]
pub struct Report {
    /// `counterfactual` or `replay (not counterfactual)`.
    pub mode: String,
    pub service: String,
    pub data: DataInfo,
    pub model: ModelInfo,
    /// Metric by metric: simulated or replayed.
    pub metrics: Vec<MetricInfo>,
    pub slo: SloInfo,
    pub policy: Scores,
    pub baselines: Baselines,
    /// Policy cost / oracle cost (replica-hours), when the oracle costs anything.
    pub cost_vs_oracle: Option<f64>,
    pub rules: Vec<RuleStats>,
    pub decisions: Vec<DecisionRecord>,
    pub notes: Vec<String>,
    #[serde(skip)]
    pub timeline: Option<Timeline>,
}

#[derive(Clone, Debug, Serialize)]
pub struct DataInfo {
    pub path: String,
    pub ticks: usize,
    pub tick_ms: i64,
    pub from: String,
    pub to: String,
    pub load: LoadReport,
}

#[derive(Clone, Debug, Serialize)]
pub struct ModelInfo {
    pub demand: String,
    /// Per ready replica, SI (per second).
    pub capacity: f64,
    pub startup_ms: i64,
    pub price_per_hour: f64,
    pub recorded_replicas: Option<String>,
    pub recorded_replicas_present: bool,
}

#[derive(Clone, Debug, Serialize)]
pub struct MetricInfo {
    pub name: String,
    /// Column name, or `builtin:NAME`.
    pub source: String,
    pub treatment: Treatment,
    pub simulated: bool,
}

#[derive(Clone, Debug, Serialize)]
pub struct SloInfo {
    pub declared: Vec<String>,
    /// Set when no SLO is declared (only saturation counts).
    pub note: Option<String>,
}

#[derive(Clone, Debug, Serialize)]
pub struct Baselines {
    /// History's replica counts under the same model (when recorded).
    pub recorded: Option<Scores>,
    pub static_best: StaticBaseline,
    /// Per-tick fewest replicas meeting the SLO, ready instantly.
    pub oracle: Scores,
    /// Ticks where even `max` replicas breach (the oracle breaches there too).
    pub oracle_infeasible_ticks: usize,
}

#[derive(Clone, Debug, Serialize)]
pub struct StaticBaseline {
    /// The cheapest constant count with zero breaches, if one exists in [min, max].
    pub replicas: Option<u32>,
    pub scores: Option<Scores>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Scores {
    pub cost: CostScores,
    pub sla: SlaScores,
    pub thrashing: ThrashScores,
    pub elasticity: Elasticity,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct CostScores {
    /// Σ requested × tick (hours).
    pub replica_hours: f64,
    /// replica_hours × price.
    pub cost: f64,
    pub mean_replicas: f64,
    pub peak_replicas: u32,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct SlaScores {
    pub breach_ticks: usize,
    pub breach_minutes: f64,
    pub breach_ratio: f64,
    pub breach_episodes: usize,
    pub longest_breach_minutes: f64,
    /// Ticks with ρ ≥ 1.
    pub saturated_ticks: usize,
    /// ∫ backlog dt (request-seconds).
    pub backlog_request_seconds: f64,
    /// Requests not served in the tick they arrived (each counted once).
    pub delayed_requests: f64,
    /// Backlog left after the last tick.
    pub unserved_at_end: f64,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct ThrashScores {
    pub scale_outs: usize,
    pub scale_ins: usize,
    pub reversals: usize,
}

/// SPEC RG elasticity metrics against d*_t (percent; jitter per hour).
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Elasticity {
    pub theta_u: f64,
    pub theta_o: f64,
    pub tau_u: f64,
    pub tau_o: f64,
    pub instability: f64,
    pub jitter: f64,
}

#[derive(Clone, Debug, Serialize)]
pub struct RuleStats {
    /// `r1`, `r2`, … as `explain` numbers them.
    pub rule: String,
    pub line: usize,
    pub text: String,
    pub fired: usize,
    /// Suppressions by reason key (cooldown, direction_cooldown, bound, no_change, tie_break).
    pub suppressed: BTreeMap<String, usize>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct DecisionRecord {
    pub timestamp_ms: i64,
    pub time: String,
    pub from: u32,
    pub to: u32,
    pub direction: Direction,
    pub rule: String,
    pub reason: String,
}

/// The per-tick trace of the policy run.
#[derive(Clone, Debug, Default)]
pub struct Timeline {
    pub timestamp_ms: Vec<i64>,
    pub demand: Vec<f64>,
    pub requested: Vec<u32>,
    pub ready: Vec<u32>,
    pub capacity: Vec<f64>,
    pub utilization: Vec<f64>,
    pub latency_s: Vec<f64>,
    pub backlog: Vec<f64>,
    pub breach: Vec<bool>,
    /// `out 4->6` or empty.
    pub decision: Vec<String>,
    pub rule: Vec<String>,
    /// The oracle's d*_t.
    pub oracle: Vec<u32>,
}

/// What a run needs for its scores.
struct Run {
    requested: Vec<u32>,
    ready: Vec<u32>,
    breach: Vec<bool>,
    saturated: usize,
    backlog_rs: f64,
    delayed: f64,
    unserved: f64,
    /// (timestamp, direction) of each change of the requested count.
    changes: Vec<(i64, Direction)>,
}

/// The suppression reasons, in the order of [`suppression_index`].
const SUPPRESSION_KEYS: [&str; 6] = [
    "cooldown",
    "direction_cooldown",
    "bound",
    "no_change",
    "tie_break",
    "held_by_target",
];

/// The position of a suppression's reason in [`SUPPRESSION_KEYS`].
fn suppression_index(why: &crate::eval::Suppressed) -> usize {
    use crate::eval::Suppressed::*;
    match why {
        Cooldown { .. } => 0,
        DirectionCooldown { .. } => 1,
        Bound { .. } => 2,
        NoChange => 3,
        LostTieBreak { .. } => 4,
        HeldByTarget => 5,
    }
}

fn rule_name(id: crate::ir::RuleId) -> String {
    format!("r{}", id.0 + 1)
}

/// The report row of a rule or pseudo-rule: rules first, then `target`, then each
/// schedule line (`s1`, …); `None` for the static bounds.
fn actor_row(service: &Service, a: crate::ir::Actor) -> Option<usize> {
    use crate::ir::Actor;
    let n = service.rules.len();
    match a {
        Actor::Rule(id) => Some(id.0),
        Actor::Target => service.targets.as_ref().map(|_| n),
        Actor::Schedule(i) => Some(n + usize::from(service.targets.is_some()) + i),
        Actor::Bounds => None,
    }
}

/// A decision's rule column: `r3`, `target`, `s1`, `bounds`.
fn actor_label(a: crate::ir::Actor) -> String {
    use crate::ir::Actor;
    match a {
        Actor::Rule(id) => rule_name(id),
        Actor::Target => "target".into(),
        Actor::Schedule(i) => format!("s{}", i + 1),
        Actor::Bounds => "bounds".into(),
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
    let m = Model::new(service, data)?;
    let model = m.model;
    let n = m.len();
    let width = service.metrics.len();
    let mut notes = Vec::new();

    // Oracle demand curve d*_t.
    // Each tick is independent: split the ticks over two threads.
    let curve = |range: std::ops::Range<usize>| {
        let mut scratch = vec![0.0; width];
        let mut aggs = vec![f64::NAN; service.aggregates.len()];
        range
            .map(|i| m.demand_replicas(i, &mut scratch, &mut aggs))
            .collect::<Vec<Option<u32>>>()
    };
    let half = n / 2;
    let (first, second) = std::thread::scope(|scope| {
        let second = scope.spawn(|| curve(half..n));
        (curve(0..half), second.join())
    });
    let second = match second {
        Ok(v) => v,
        Err(p) => std::panic::resume_unwind(p),
    };
    let infeasible = first.iter().chain(&second).filter(|d| d.is_none()).count();
    let dstar: Vec<u32> = first
        .into_iter()
        .chain(second)
        .map(|d| d.unwrap_or(service.max))
        .collect();
    // The baselines need only d*_t: they run on a second thread while this
    // one runs the policy (same results, in less wall time on 2+ cores).
    let (policy, rules, decisions, tl, (oracle, recorded, static_best)) =
        std::thread::scope(|scope| {
            let baselines = scope.spawn(|| {
                let oracle = simulate_fixed(&m, data, |i| dstar[i]).scores(
                    &m,
                    &dstar,
                    opts,
                    &data.timestamps_ms,
                );
                let recorded = m.recorded.map(|rec| {
                    let mut last = service.start;
                    let counts: Vec<u32> = rec
                        .iter()
                        .map(|&v| {
                            if v.is_finite() && v >= 0.0 {
                                last = v.round().min(f64::from(u32::MAX)) as u32;
                            }
                            last
                        })
                        .collect();
                    simulate_fixed(&m, data, |i| counts[i]).scores(
                        &m,
                        &dstar,
                        opts,
                        &data.timestamps_ms,
                    )
                });
                let static_best = if infeasible > 0 {
                    StaticBaseline {
                        replicas: None,
                        scores: None,
                    }
                } else {
                    let mut k = dstar.iter().copied().max().unwrap_or(service.min);
                    let mut found = None;
                    while k <= service.max {
                        let s = simulate_fixed(&m, data, |_| k).scores(
                            &m,
                            &dstar,
                            opts,
                            &data.timestamps_ms,
                        );
                        if s.sla.breach_ticks == 0 {
                            found = Some((k, s));
                            break;
                        }
                        k += 1;
                    }
                    match found {
                        Some((k, s)) => StaticBaseline {
                            replicas: Some(k),
                            scores: Some(s),
                        },
                        None => StaticBaseline {
                            replicas: None,
                            scores: None,
                        },
                    }
                };
                (oracle, recorded, static_best)
            });
            // Policy run.
            let mut ev = Evaluator::new(service);
            let mut ready = ev.replicas();
            let mut pending: Vec<(i64, u32)> = Vec::new();
            let mut queue = Queue { backlog: 0.0 };
            let mut slo_w = m.slo_windows();
            let mut vals = vec![0.0; width];
            let mut feed = vec![0.0; width];
            let mut rules: Vec<RuleStats> = service
                .rules
                .iter()
                .map(|r| RuleStats {
                    rule: rule_name(r.id),
                    line: r.line,
                    text: r.text.clone(),
                    fired: 0,
                    suppressed: BTreeMap::new(),
                })
                .collect();
            // Pseudo-rules: the targets, then each schedule line.
            let pseudo = service
                .targets
                .iter()
                .map(|_| crate::ir::Actor::Target)
                .chain((0..service.schedules.len()).map(crate::ir::Actor::Schedule));
            for a in pseudo {
                rules.push(RuleStats {
                    rule: actor_label(a),
                    line: service.actor_line(a),
                    text: service.actor_text(a),
                    fired: 0,
                    suppressed: BTreeMap::new(),
                });
            }
            // Suppression counts per rule, by reason (see `suppression_index`).
            let mut suppressed = vec![[0usize; SUPPRESSION_KEYS.len()]; rules.len()];
            let mut step = crate::eval::Step::default();
            let mut decisions = Vec::new();
            let mut run = Run::new(n);
            let mut tl = opts.timeline.then(Timeline::default);
            let every = (n / 200).max(1);
            #[allow(clippy::needless_range_loop)]
            for i in 0..n {
                let t = data.timestamps_ms[i];
                while let Some(&(at, k)) = pending.first() {
                    if at > t {
                        break;
                    }
                    ready += k;
                    pending.remove(0);
                }
                let requested = ev.replicas();
                let rho = m.values(i, ready, requested, queue.backlog, &mut vals);
                slo_w.push(t, &vals);
                let mut st = queue.advance(&m, i, ready, rho);
                st.breach = st.saturated || m.slo_violated(&vals, &slo_w.values);
                st.latency = m.latency_of(&vals);
                run.push(requested, ready, &st, m.tick_s);
                let fed = if opts.replay {
                    m.recorded_values(i, &vals, &mut feed);
                    &feed
                } else {
                    &vals
                };
                // Target tracking sees the requested replicas still starting as not ready.
                let observed = crate::eval::Observed {
                    replicas: None,
                    ready: Some(ready),
                };
                ev.step_observed(t, fed, observed, &mut step)
                    .map_err(BacktestError::Eval)?;
                for s in &step.suppressed {
                    if let Some(c) = actor_row(service, s.rule).and_then(|i| suppressed.get_mut(i))
                    {
                        c[suppression_index(&s.why)] += 1;
                    }
                }
                let (mut dtext, mut rtext) = (String::new(), String::new());
                if let Some(d) = step.decision.take() {
                    if let Some(r) = actor_row(service, d.rule).and_then(|i| rules.get_mut(i)) {
                        r.fired += 1;
                    }
                    let at = t + m.tick_ms;
                    if d.to > d.from {
                        pending.push((at + model.startup, d.to - d.from));
                        pending.sort_by_key(|p| p.0);
                    } else {
                        let mut remove = d.from - d.to;
                        while remove > 0 {
                            match pending.last_mut() {
                                Some(p) => {
                                    let k = p.1.min(remove);
                                    p.1 -= k;
                                    remove -= k;
                                    if p.1 == 0 {
                                        pending.pop();
                                    }
                                }
                                None => {
                                    ready = ready.saturating_sub(remove);
                                    remove = 0;
                                }
                            }
                        }
                    }
                    run.changes.push((t, d.direction));
                    if tl.is_some() {
                        let dir = match d.direction {
                            Direction::Out => "out",
                            Direction::In => "in",
                        };
                        dtext = format!("{dir} {}->{}", d.from, d.to);
                        rtext = actor_label(d.rule);
                    }
                    decisions.push(DecisionRecord {
                        timestamp_ms: t,
                        time: format_timestamp(t),
                        from: d.from,
                        to: d.to,
                        direction: d.direction,
                        rule: actor_label(d.rule),
                        reason: d.reason,
                    });
                }
                if let Some(tl) = tl.as_mut() {
                    tl.timestamp_ms.push(t);
                    tl.demand.push(st.demand);
                    tl.requested.push(requested);
                    tl.ready.push(ready);
                    tl.capacity.push(st.capacity);
                    tl.utilization.push(rho);
                    tl.latency_s.push(st.latency);
                    tl.backlog.push(st.backlog);
                    tl.breach.push(st.breach);
                    tl.decision.push(dtext);
                    tl.rule.push(rtext);
                    tl.oracle.push(dstar[i]);
                }
                if i % every == 0 {
                    progress(i, n);
                }
            }
            run.unserved = queue.backlog;
            progress(n, n);
            for (r, counts) in rules.iter_mut().zip(&suppressed) {
                for (key, &c) in SUPPRESSION_KEYS.iter().zip(counts) {
                    if c > 0 {
                        r.suppressed.insert((*key).to_string(), c);
                    }
                }
            }
            let policy = run.scores(&m, &dstar, opts, &data.timestamps_ms);
            let baselines = match baselines.join() {
                Ok(b) => b,
                Err(p) => std::panic::resume_unwind(p),
            };
            Ok::<_, BacktestError>((policy, rules, decisions, tl, baselines))
        })?;

    if infeasible > 0 {
        notes.push(format!(
            "{infeasible} ticks breach even at the maximum of {} replicas: no static count \
             avoids every breach and the oracle breaches there too",
            service.max
        ));
    }
    if m.missing_demand_ticks > 0 {
        notes.push(format!(
            "{} ticks without demand: the simulation carried the last known demand forward; \
             the rules saw a missing value",
            m.missing_demand_ticks
        ));
    }
    if model.recorded_replicas.is_some() && m.recorded.is_none() {
        notes.push("the recorded replicas column is not in the dataset: no recorded baseline, utilisation from rho".into());
    }
    if opts.replay {
        notes.push(
            "replay (not counterfactual): the rules saw the recorded metrics, which do not \
             react to the policy's own replica count; scores apply the model to its counts"
                .into(),
        );
    }
    let cost_vs_oracle = (oracle.cost.replica_hours > 0.0)
        .then(|| policy.cost.replica_hours / oracle.cost.replica_hours);
    let metrics = service
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
        .collect();
    let slo = SloInfo {
        declared: model.slos.iter().map(|s| s.text.clone()).collect(),
        note: model
            .slos
            .is_empty()
            .then(|| "no SLO declared: only saturation (rho >= 1) counts as a breach".to_string()),
    };
    let first = data.timestamps_ms[0];
    let last = data.timestamps_ms[n - 1];
    Ok(Report {
        mode: if opts.replay {
            REPLAY_LABEL
        } else {
            COUNTERFACTUAL_LABEL
        }
        .to_string(),
        service: service.name.clone(),
        data: DataInfo {
            path: data.path.display().to_string(),
            ticks: n,
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
        metrics,
        slo,
        policy,
        baselines: Baselines {
            recorded,
            static_best,
            oracle,
            oracle_infeasible_ticks: infeasible,
        },
        cost_vs_oracle,
        rules,
        decisions,
        notes,
        timeline: tl,
    })
}

/// A run whose ready count is given per tick (ready at once; billed = ready).
fn simulate_fixed(m: &Model<'_>, data: &Dataset, count: impl Fn(usize) -> u32) -> Run {
    let n = m.len();
    let mut run = Run::new(n);
    let mut queue = Queue { backlog: 0.0 };
    let mut slo_w = m.slo_windows();
    let mut vals = vec![0.0; m.service.metrics.len()];
    let mut prev: Option<u32> = None;
    for i in 0..n {
        let k = count(i);
        let t = data.timestamps_ms[i];
        let rho = m.values(i, k, k, queue.backlog, &mut vals);
        slo_w.push(t, &vals);
        let mut st = queue.advance(m, i, k, rho);
        st.breach = st.saturated || m.slo_violated(&vals, &slo_w.values);
        run.push(k, k, &st, m.tick_s);
        if let Some(p) = prev {
            if k != p {
                let dir = if k > p { Direction::Out } else { Direction::In };
                run.changes.push((t, dir));
            }
        }
        prev = Some(k);
    }
    run.unserved = queue.backlog;
    run
}

impl Run {
    fn new(n: usize) -> Self {
        Run {
            requested: Vec::with_capacity(n),
            ready: Vec::with_capacity(n),
            breach: Vec::with_capacity(n),
            saturated: 0,
            backlog_rs: 0.0,
            delayed: 0.0,
            unserved: 0.0,
            changes: Vec::new(),
        }
    }

    fn push(&mut self, requested: u32, ready: u32, st: &super::model::TickState, tick_s: f64) {
        self.requested.push(requested);
        self.ready.push(ready);
        self.breach.push(st.breach);
        if st.saturated {
            self.saturated += 1;
        }
        self.backlog_rs += st.backlog * tick_s;
        self.delayed += st.delayed;
    }

    fn scores(&self, m: &Model<'_>, dstar: &[u32], opts: &Options, ts: &[i64]) -> Scores {
        let n = self.requested.len();
        let tick_h = m.tick_s / 3600.0;
        let tick_min = m.tick_s / 60.0;
        let total: f64 = self.requested.iter().map(|&r| f64::from(r)).sum();
        let replica_hours = total * tick_h;
        let breach_ticks = self.breach.iter().filter(|b| **b).count();
        let (mut episodes, mut longest, mut cur) = (0usize, 0usize, 0usize);
        for &b in &self.breach {
            if b {
                if cur == 0 {
                    episodes += 1;
                }
                cur += 1;
                longest = longest.max(cur);
            } else {
                cur = 0;
            }
        }
        let scale_outs = self
            .changes
            .iter()
            .filter(|c| c.1 == Direction::Out)
            .count();
        let reversals = self
            .changes
            .windows(2)
            .filter(|w| w[0].1 != w[1].1 && w[1].0 - w[0].0 <= opts.reversal_window_ms)
            .count();
        Scores {
            cost: CostScores {
                replica_hours,
                cost: replica_hours * m.model.price_per_hour,
                mean_replicas: if n > 0 { total / n as f64 } else { 0.0 },
                peak_replicas: self.requested.iter().copied().max().unwrap_or(0),
            },
            sla: SlaScores {
                breach_ticks,
                breach_minutes: breach_ticks as f64 * tick_min,
                breach_ratio: if n > 0 {
                    breach_ticks as f64 / n as f64
                } else {
                    0.0
                },
                breach_episodes: episodes,
                longest_breach_minutes: longest as f64 * tick_min,
                saturated_ticks: self.saturated,
                backlog_request_seconds: self.backlog_rs,
                delayed_requests: self.delayed,
                unserved_at_end: self.unserved,
            },
            thrashing: ThrashScores {
                scale_outs,
                scale_ins: self.changes.len() - scale_outs,
                reversals,
            },
            elasticity: elasticity(dstar, &self.ready, m.tick_s, ts),
        }
    }
}

/// SPEC RG elasticity metrics of supply `s` (ready) against demand `d` (d*_t), both in
/// replicas, on a regular grid. See docs/backtest.md.
pub fn elasticity(d: &[u32], s: &[u32], tick_s: f64, _ts: &[i64]) -> Elasticity {
    let n = d.len().min(s.len());
    if n == 0 {
        return Elasticity::default();
    }
    let (mut tu, mut to, mut cu, mut co) = (0.0, 0.0, 0usize, 0usize);
    for i in 0..n {
        let (dd, ss) = (f64::from(d[i]), f64::from(s[i]));
        let denom = dd.max(1.0);
        if dd > ss {
            tu += (dd - ss) / denom;
            cu += 1;
        } else if ss > dd {
            to += (ss - dd) / denom;
            co += 1;
        }
    }
    let nf = n as f64;
    let sgn = |a: u32, b: u32| (i64::from(b) - i64::from(a)).signum();
    let mut unstable = 0usize;
    let (mut es, mut ed) = (0usize, 0usize);
    for i in 1..n {
        let ds = sgn(s[i - 1], s[i]);
        let dd = sgn(d[i - 1], d[i]);
        if ds != dd {
            unstable += 1;
        }
        es += usize::from(ds != 0);
        ed += usize::from(dd != 0);
    }
    let hours = nf * tick_s / 3600.0;
    Elasticity {
        theta_u: 100.0 * tu / nf,
        theta_o: 100.0 * to / nf,
        tau_u: 100.0 * cu as f64 / nf,
        tau_o: 100.0 * co as f64 / nf,
        instability: if n > 1 {
            100.0 * unstable as f64 / (n - 1) as f64
        } else {
            0.0
        },
        jitter: (es as f64 - ed as f64) / hours,
    }
}
