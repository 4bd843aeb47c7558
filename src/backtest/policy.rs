//! The policy run: each tick the model turns the replicas ready into the metrics the
//! rules would have seen, the evaluator decides, and the decision goes through the
//! replica pipeline (startup delay) into later ticks. Scores accumulate as it goes; the
//! per-tick timeline is kept only when asked for.

use super::model::{Model, Pipeline, Queue, SloWindows, Supply, TickState};
use super::report::{DecisionRecord, RuleStats, Scores, Timeline};
use super::score::{Scorer, TickScore};
use super::sizes::{Fleet, SizeTable};
use super::{BacktestError, Options};
use crate::eval::{Decision, Evaluator, Step, Suppressed};
use crate::ir::{Actor, Direction, RuleId, Service};
use crate::timestamp::format_timestamp;
use std::collections::BTreeMap;

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
fn suppression_index(why: &Suppressed) -> usize {
    match why {
        Suppressed::Cooldown { .. } => 0,
        Suppressed::DirectionCooldown { .. } | Suppressed::SizeCooldown { .. } => 1,
        Suppressed::Bound { .. } | Suppressed::SizeBound { .. } => 2,
        Suppressed::NoChange => 3,
        Suppressed::LostTieBreak { .. } => 4,
        Suppressed::HeldByTarget => 5,
    }
}

/// `r1`, `r2`, … as `explain` numbers the rules.
pub fn rule_name(id: RuleId) -> String {
    format!("r{}", id.0 + 1)
}

/// The report row of a rule or pseudo-rule: rules first, then `target`, then each
/// schedule line (`s1`, …), then `idle`; `None` for the static bounds.
fn actor_row(service: &Service, a: Actor) -> Option<usize> {
    let n = service.rules.len();
    match a {
        Actor::Rule(id) => Some(id.0),
        Actor::Target => service.targets.as_ref().map(|_| n),
        Actor::Schedule(i) => Some(n + usize::from(service.targets.is_some()) + i),
        Actor::Idle => service
            .idle
            .as_ref()
            .map(|_| n + usize::from(service.targets.is_some()) + service.schedules.len()),
        Actor::Bounds => None,
    }
}

/// A decision's rule column: `r3`, `target`, `s1`, `idle`, `bounds`.
pub fn actor_label(a: Actor) -> String {
    match a {
        Actor::Rule(id) => rule_name(id),
        Actor::Target => "target".into(),
        Actor::Schedule(i) => format!("s{}", i + 1),
        Actor::Idle => "idle".into(),
        Actor::Bounds => "bounds".into(),
    }
}

/// The pseudo-rules of a service, in report order: its targets, each schedule line, then
/// `idle`.
fn pseudo_rules(service: &Service) -> impl Iterator<Item = Actor> + '_ {
    service
        .targets
        .iter()
        .map(|_| Actor::Target)
        .chain((0..service.schedules.len()).map(Actor::Schedule))
        .chain(service.idle.iter().map(|_| Actor::Idle))
}

/// What the policy run produced.
pub struct PolicyOutcome {
    pub scores: Scores,
    pub rules: Vec<RuleStats>,
    pub decisions: Vec<DecisionRecord>,
    pub timeline: Option<Timeline>,
}

/// The state of the policy run between ticks.
struct PolicyRun<'m, 'a> {
    m: &'m Model<'a>,
    opts: &'m Options,
    ev: Evaluator<'a>,
    pipeline: Pipeline,
    queue: Queue,
    slo: SloWindows,
    /// Simulated metric values of the tick (SI).
    values: Vec<f64>,
    /// The recorded values, for `--replay`.
    replayed: Vec<f64>,
    step: Step,
    fired: Vec<usize>,
    /// Suppressions per report row (rules, then pseudo-rules), by reason (see
    /// [`suppression_index`]).
    suppressed: Vec<[usize; SUPPRESSION_KEYS.len()]>,
    decisions: Vec<DecisionRecord>,
    scorer: Scorer,
    timeline: Option<Timeline>,
    /// The replicas' sizes, for a service with a size ladder.
    fleet: Option<Fleet>,
}

/// Runs the policy of `m.service` over the ticks at `ts`, against the oracle's `dstar`,
/// reporting progress as (ticks done, total ticks).
pub fn run(
    m: &Model<'_>,
    ts: &[i64],
    dstar: &[u32],
    opts: &Options,
    progress: &mut dyn FnMut(usize, usize),
) -> Result<PolicyOutcome, BacktestError> {
    let mut run = PolicyRun::new(m, opts);
    let n = ts.len();
    let every = (n / 200).max(1);
    for (i, (&t, &d)) in ts.iter().zip(dstar).enumerate() {
        run.tick(i, t, d)?;
        if i % every == 0 {
            progress(i, n);
        }
    }
    progress(n, n);
    Ok(run.finish())
}

impl<'m, 'a> PolicyRun<'m, 'a> {
    fn new(m: &'m Model<'a>, opts: &'m Options) -> Self {
        let service = m.service;
        let ev = Evaluator::new(service);
        let width = service.metrics.len();
        let rows = service.rules.len() + pseudo_rules(service).count();
        let fleet = service
            .ladder
            .as_ref()
            .map(|l| Fleet::new(SizeTable::new(l, m.model)));
        let mut scorer = Scorer::new(m.tick_s, m.model.price_per_hour, opts.reversal_window_ms);
        if let Some(f) = &fleet {
            scorer = scorer.with_sizes(f.table.priced());
        }
        PolicyRun {
            m,
            opts,
            pipeline: Pipeline::new(ev.replicas()),
            ev,
            queue: Queue { backlog: 0.0 },
            slo: m.slo_windows(),
            values: vec![0.0; width],
            replayed: vec![0.0; width],
            step: Step::default(),
            fired: vec![0; rows],
            suppressed: vec![[0; SUPPRESSION_KEYS.len()]; rows],
            decisions: Vec::new(),
            scorer,
            timeline: opts.timeline.then(|| Timeline::with_capacity(m.len())),
            fleet,
        }
    }

    /// Tick `i` at time `t`: simulate, score, evaluate, apply the decision.
    fn tick(&mut self, i: usize, t: i64, oracle: u32) -> Result<(), BacktestError> {
        let m = self.m;
        let ready = self.pipeline.advance(t);
        let requested = self.ev.replicas();
        let supply = match &mut self.fleet {
            None => Supply {
                ready,
                units: f64::from(ready),
            },
            Some(f) => {
                let ft = f.at(t, ready, requested);
                self.scorer
                    .sizes(ft.spend_per_hour, ft.restarting, ft.supply_units);
                ft.supply(ready)
            }
        };
        let rho = m.values(i, supply, requested, self.queue.backlog, &mut self.values);
        self.slo.push(t, &self.values);
        let mut st = self.queue.advance(m, i, supply.units, rho);
        st.breach = st.saturated || m.slo_violated(&self.values, &self.slo.values);
        st.latency = m.latency_of(&self.values);
        let counts = TickScore {
            requested,
            ready,
            oracle,
        };
        self.scorer.tick(counts, &st);
        let fed = if self.opts.replay {
            m.recorded_values(i, &self.values, &mut self.replayed);
            &self.replayed
        } else {
            &self.values
        };
        // Target tracking sees the requested replicas still starting as not ready.
        let observed = crate::eval::Observed {
            replicas: None,
            ready: Some(ready),
        };
        self.ev
            .step_observed(t, fed, observed, &mut self.step)
            .map_err(BacktestError::Eval)?;
        let service = m.service;
        for s in &self.step.suppressed {
            if let Some(c) = actor_row(service, s.rule).and_then(|i| self.suppressed.get_mut(i)) {
                c[suppression_index(&s.why)] += 1;
            }
        }
        let decision = self.step.decision.take();
        if let Some(tl) = self.timeline.as_mut() {
            tl.push_tick(t, counts, &st, decision.as_ref());
        }
        if let Some(d) = decision {
            self.decide(t, d);
        }
        Ok(())
    }

    /// A decision at `t`: counted, recorded, and sent through the pipeline (ready one
    /// tick later plus the startup delay).
    fn decide(&mut self, t: i64, d: Decision) {
        if let Some(f) = actor_row(self.m.service, d.rule).and_then(|i| self.fired.get_mut(i)) {
            *f += 1;
        }
        let resize = match (&d.resize, &mut self.fleet) {
            (Some(r), Some(f)) => {
                // The first batch goes down at the next tick.
                f.resize(
                    r.to_index as usize,
                    self.pipeline.ready(),
                    t + self.m.tick_ms,
                );
                self.scorer.resize(t, d.direction == Direction::Out);
                Some([r.from.clone(), r.to.clone()])
            }
            _ => {
                let ready_at = t + self.m.tick_ms + self.m.model.startup;
                self.pipeline.decide(d.from, d.to, ready_at);
                self.scorer.change(t, d.direction);
                None
            }
        };
        self.decisions.push(DecisionRecord {
            timestamp_ms: t,
            time: format_timestamp(t),
            from: d.from,
            to: d.to,
            direction: d.direction,
            rule: actor_label(d.rule),
            reason: d.reason,
            resize,
        });
    }

    fn finish(self) -> PolicyOutcome {
        let service = self.m.service;
        let rows = service
            .rules
            .iter()
            .map(|r| (rule_name(r.id), r.line, r.text.clone()))
            .chain(
                pseudo_rules(service)
                    .map(|a| (actor_label(a), service.actor_line(a), service.actor_text(a))),
            );
        let rules = rows
            .zip(self.fired.iter().zip(&self.suppressed))
            .map(|((rule, line, text), (&fired, counts))| RuleStats {
                rule,
                line,
                text,
                fired,
                suppressed: SUPPRESSION_KEYS
                    .iter()
                    .zip(counts)
                    .filter(|(_, c)| **c > 0)
                    .map(|(k, &c)| ((*k).to_string(), c))
                    .collect::<BTreeMap<_, _>>(),
            })
            .collect();
        PolicyOutcome {
            scores: self.scorer.finish(self.queue.backlog),
            rules,
            decisions: self.decisions,
            timeline: self.timeline,
        }
    }
}

impl Timeline {
    fn with_capacity(n: usize) -> Self {
        Timeline {
            timestamp_ms: Vec::with_capacity(n),
            demand: Vec::with_capacity(n),
            requested: Vec::with_capacity(n),
            ready: Vec::with_capacity(n),
            capacity: Vec::with_capacity(n),
            utilization: Vec::with_capacity(n),
            latency_s: Vec::with_capacity(n),
            backlog: Vec::with_capacity(n),
            breach: Vec::with_capacity(n),
            decision: Vec::with_capacity(n),
            rule: Vec::with_capacity(n),
            oracle: Vec::with_capacity(n),
        }
    }

    /// One tick of the policy run.
    fn push_tick(&mut self, t: i64, c: TickScore, st: &TickState, d: Option<&Decision>) {
        self.timestamp_ms.push(t);
        self.demand.push(st.demand);
        self.requested.push(c.requested);
        self.ready.push(c.ready);
        self.capacity.push(st.capacity);
        self.utilization.push(st.rho);
        self.latency_s.push(st.latency);
        self.backlog.push(st.backlog);
        self.breach.push(st.breach);
        let (decision, rule) = match d {
            Some(Decision {
                resize: Some(r),
                direction,
                rule,
                ..
            }) => {
                let dir = if *direction == Direction::Out {
                    "up"
                } else {
                    "down"
                };
                (format!("{dir} {}->{}", r.from, r.to), actor_label(*rule))
            }
            Some(d) => {
                let dir = match d.direction {
                    Direction::Out => "out",
                    Direction::In => "in",
                };
                (format!("{dir} {}->{}", d.from, d.to), actor_label(d.rule))
            }
            None => (String::new(), String::new()),
        };
        self.decision.push(decision);
        self.rule.push(rule);
        self.oracle.push(c.oracle);
    }
}
