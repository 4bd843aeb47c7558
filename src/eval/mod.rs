//! Stage 5: the evaluator. Built from one IR service, fed one evaluation at a time
//! (a timestamp and one SI value per metric slot), it returns the decision, if any, and
//! why the other rules that wanted to act did not. Used online (`scalerules eval`) and
//! by the backtester. No polars here.
//!
//! Order of work at each evaluation (docs/language.md, "Evaluation"):
//! 0. take the observed replica count, if any; 1. push the sample into every window;
//! 2. evaluate each rule's condition in three-valued logic and resolve "unknown" by the
//!    missing-data mode; 3. update each rule's sustain state (firing does not reset it);
//!    3a. `idle`, at each activity check: wake an idle service or send it to its idle
//!    count, which ends the evaluation (so does being idle: nothing else acts);
//!    3b. the bounds of the moment (schedules): a count outside them moves to the
//!    nearest one and the evaluation ends; 3c. the targets' recommendation (the HPA);
//!    4. for rules whose sustain holds, check the rule cooldown, then the direction
//!    cooldown, then the bounds; 5. the winner is the largest resulting count (a target's
//!    hold vote counting as the current count), ties to the earlier line; only it starts
//!    its cooldowns; 6. any change is recorded as a scale event for the targets' rate
//!    policies.

mod idle;
pub mod schedule;
pub mod series;
pub mod target;
mod tracking;
mod vertical;
mod window;

pub use vertical::SizeChange;

pub use window::{check_window_sizes, quantile, Window, WindowTooLarge, MAX_WINDOW_SAMPLES};

pub use crate::ir::Actor;
use crate::ir::{self, Cond, Direction, Millis, MissingMode, RuleId, Sustain, Value};
use crate::timestamp::format_duration;
use idle::{IdleStep, Idling};
use serde::Serialize;
use std::collections::VecDeque;
use std::fmt;
use tracking::{Timetable, Tracking};

/// A scaling decision.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Decision {
    pub timestamp: Millis,
    pub from: u32,
    pub to: u32,
    pub direction: Direction,
    /// The rule or pseudo-rule (`target`, a schedule line) that decided.
    pub rule: Actor,
    /// Why, in words: the comparisons with their current values, or the targets'
    /// proposals.
    pub reason: String,
    /// A `scale up` / `scale down`: the size before and after (the count is unchanged,
    /// and `direction` is `out` for up, `in` for down: the way capacity moves).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resize: Option<SizeChange>,
}

/// What the cluster reports at one evaluation (online: the `replicas` and `ready` input
/// columns). `None` fields: no observation, the evaluator keeps its own count.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Observed {
    /// The current desired count (the scale subresource's `spec.replicas`).
    pub replicas: Option<u32>,
    /// Ready replicas; `replicas − ready` are the pods that are not ready.
    pub ready: Option<u32>,
}

/// Why a rule whose condition held did not act.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Suppressed {
    /// Its own cooldown runs until `until`.
    Cooldown { until: Millis },
    /// The service's cooldown for this direction runs until `until`.
    DirectionCooldown { direction: Direction, until: Millis },
    /// The bound absorbed the whole action.
    Bound { bound: u32 },
    /// `scale to N` where N is the current count.
    NoChange,
    /// Another rule won the tie-break.
    LostTieBreak { winner: Actor },
    /// A scale-in the targets' hold vote outranked (the targets keep the current count).
    HeldByTarget,
    /// The top (`top`) or bottom size of the ladder absorbed the whole resize.
    SizeBound { top: bool },
    /// The service's `cooldown up` (`up`) or `cooldown down` runs until `until`.
    SizeCooldown { up: bool, until: Millis },
}

impl Suppressed {
    /// A short stable key for counting: `cooldown`, `direction_cooldown`, `bound`,
    /// `no_change`, `tie_break`, `held_by_target`.
    pub fn key(&self) -> &'static str {
        match self {
            Suppressed::Cooldown { .. } => "cooldown",
            Suppressed::DirectionCooldown { .. } => "direction_cooldown",
            Suppressed::Bound { .. } => "bound",
            Suppressed::NoChange => "no_change",
            Suppressed::LostTieBreak { .. } => "tie_break",
            Suppressed::HeldByTarget => "held_by_target",
            Suppressed::SizeBound { .. } => "bound",
            Suppressed::SizeCooldown { .. } => "direction_cooldown",
        }
    }
}

/// One rule that wanted to act and did not.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Suppression {
    pub rule: Actor,
    pub why: Suppressed,
}

/// The result of one evaluation.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Step {
    pub decision: Option<Decision>,
    pub suppressed: Vec<Suppression>,
}

/// Errors from feeding the evaluator.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum EvalError {
    #[error("timestamp {got} is not after the previous evaluation at {previous}")]
    NotIncreasing { previous: Millis, got: Millis },
    #[error("expected {expected} metric values, got {got}")]
    WrongWidth { expected: usize, got: usize },
}

/// Per-rule state.
#[derive(Clone, Debug, Default)]
struct RuleState {
    /// Start of the current run of true evaluations (`for`).
    streak_start: Option<Millis>,
    /// Times of true evaluations inside the M-of-N window.
    trues: VecDeque<Millis>,
    /// The last resolved condition value (for `on missing hold`).
    previous: bool,
    last_fired: Option<Millis>,
}

/// Three-valued truth.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Truth {
    True,
    False,
    Unknown,
}

impl Truth {
    fn not(self) -> Truth {
        match self {
            Truth::True => Truth::False,
            Truth::False => Truth::True,
            Truth::Unknown => Truth::Unknown,
        }
    }
}

/// The online evaluator for one service.
#[derive(Clone, Debug)]
pub struct Evaluator<'p> {
    service: &'p ir::Service,
    replicas: u32,
    windows: Vec<Window>,
    rules: Vec<RuleState>,
    last_out: Option<Millis>,
    last_in: Option<Millis>,
    last_t: Option<Millis>,
    /// Aggregate values at the current evaluation.
    agg_values: Vec<f64>,
    /// Rules that may act at the current evaluation (reused between evaluations).
    candidates: Vec<Candidate>,
    /// The service's HPA, when it has targets.
    tracking: Option<Tracking>,
    /// The service's calendar, when it has schedules.
    timetable: Option<Timetable>,
    /// The last observed ready count.
    ready: Option<u32>,
    /// The current size: an index in the service's ladder (0 without one).
    size: u32,
    last_up: Option<Millis>,
    last_down: Option<Millis>,
    /// Vertical rules that may act at the current evaluation (reused; empty without a
    /// ladder).
    vcandidates: Vec<Candidate>,
    /// KEDA's activity checks, when the service has `idle`.
    idling: Option<Idling>,
}

/// One actor that may act at this evaluation.
#[derive(Clone, Copy, Debug)]
struct Candidate {
    actor: Actor,
    to: u32,
    direction: Direction,
    /// Its place in the tie-break: earlier lines win ties.
    order: (usize, usize),
}

impl<'p> Evaluator<'p> {
    /// An evaluator starting at the service's `start` count.
    pub fn new(service: &'p ir::Service) -> Self {
        Evaluator::with_replicas(service, service.start)
    }

    /// An evaluator starting at `replicas` (clamped to the bounds).
    pub fn with_replicas(service: &'p ir::Service, replicas: u32) -> Self {
        Evaluator {
            service,
            replicas: replicas.clamp(service.min, service.max),
            windows: service
                .aggregates
                .iter()
                .map(|a| Window::new(a.func, a.window))
                .collect(),
            rules: vec![RuleState::default(); service.rules.len()],
            last_out: None,
            last_in: None,
            last_t: None,
            agg_values: vec![f64::NAN; service.aggregates.len()],
            candidates: Vec::new(),
            tracking: Tracking::new(service),
            timetable: Timetable::new(service),
            ready: None,
            size: service.ladder.as_ref().map_or(0, |l| l.start as u32),
            last_up: None,
            last_down: None,
            vcandidates: Vec::new(),
            idling: Idling::new(service),
        }
    }

    /// The current size (an index in the service's ladder; 0 without one).
    pub fn size(&self) -> u32 {
        self.size
    }

    /// Sets the current size (online: the size the cluster reports), clamped to the
    /// ladder.
    pub fn set_size(&mut self, size: u32) {
        let top = self.service.ladder.as_ref().map_or(0, |l| l.top() as u32);
        self.size = size.min(top);
    }

    pub fn service(&self) -> &'p ir::Service {
        self.service
    }

    /// The current (requested) replica count.
    pub fn replicas(&self) -> u32 {
        self.replicas
    }

    /// Whether some window dropped samples early to stay within
    /// [`MAX_WINDOW_SAMPLES`] (online, where the sample interval is not known ahead).
    pub fn windows_truncated(&self) -> bool {
        self.windows.iter().any(Window::truncated)
    }

    /// Evaluates at `t` with one SI value per metric slot (NaN = missing).
    pub fn step(&mut self, t: Millis, values: &[f64]) -> Result<Step, EvalError> {
        let mut step = Step::default();
        self.step_into(t, values, &mut step)?;
        Ok(step)
    }

    /// [`step`](Self::step) writing into `step`, whose buffers are reused: the form for
    /// hot loops (the backtester calls it millions of times).
    pub fn step_into(
        &mut self,
        t: Millis,
        values: &[f64],
        step: &mut Step,
    ) -> Result<(), EvalError> {
        self.step_observed(t, values, Observed::default(), step)
    }

    /// [`step_into`](Self::step_into) with what the cluster reports: an observed count
    /// replaces the evaluator's own from this evaluation on; the ready count tells target
    /// tracking how many pods are not ready yet (docs/language.md, "The replica count").
    pub fn step_observed(
        &mut self,
        t: Millis,
        values: &[f64],
        observed: Observed,
        step: &mut Step,
    ) -> Result<(), EvalError> {
        step.decision = None;
        step.suppressed.clear();
        if values.len() != self.service.metrics.len() {
            return Err(EvalError::WrongWidth {
                expected: self.service.metrics.len(),
                got: values.len(),
            });
        }
        if let Some(prev) = self.last_t {
            if t <= prev {
                return Err(EvalError::NotIncreasing {
                    previous: prev,
                    got: t,
                });
            }
        }
        self.last_t = Some(t);
        if let Some(r) = observed.replicas {
            self.replicas = r;
        }
        if observed.ready.is_some() {
            self.ready = observed.ready;
        }
        for (i, (w, agg)) in self
            .windows
            .iter_mut()
            .zip(&self.service.aggregates)
            .enumerate()
        {
            w.push(t, values[agg.metric.0]);
            self.agg_values[i] = w.value();
        }

        let current = self.replicas;
        let min = self.service.awake_min();
        let (lo, hi) = match &mut self.timetable {
            Some(tt) => tt.bounds(t, min, self.service.max),
            None => (min, self.service.max),
        };
        let mut candidates = std::mem::take(&mut self.candidates);
        candidates.clear();
        let sized = self.service.ladder.is_some();
        if sized {
            self.vcandidates.clear();
        }
        for (i, rule) in self.service.rules.iter().enumerate() {
            let truth = eval_cond(&rule.condition, values, &self.agg_values);
            let state = &mut self.rules[i];
            let Some(holds) =
                update_sustain(state, rule.sustain, truth, self.service.on_missing, t)
            else {
                continue;
            };
            if !holds {
                continue;
            }
            let id = Actor::Rule(RuleId(i));
            if let Some(last) = state.last_fired {
                if t - last < rule.cooldown {
                    step.suppressed.push(Suppression {
                        rule: id,
                        why: Suppressed::Cooldown {
                            until: last + rule.cooldown,
                        },
                    });
                    continue;
                }
            }
            if sized && rule.action.is_vertical() {
                let v = vertical::State {
                    size: self.size,
                    last_up: self.last_up,
                    last_down: self.last_down,
                };
                v.candidate(self.service, rule, i, t, step, &mut self.vcandidates);
                continue;
            }
            let Some(direction) = rule.action.direction(current) else {
                step.suppressed.push(Suppression {
                    rule: id,
                    why: Suppressed::NoChange,
                });
                continue;
            };
            let (last_dir, dir_cooldown) = match direction {
                Direction::Out => (self.last_out, self.service.cooldown_out),
                Direction::In => (self.last_in, self.service.cooldown_in),
            };
            if let Some(last) = last_dir {
                if t - last < dir_cooldown {
                    step.suppressed.push(Suppression {
                        rule: id,
                        why: Suppressed::DirectionCooldown {
                            direction,
                            until: last + dir_cooldown,
                        },
                    });
                    continue;
                }
            }
            let wanted = rule.action.target(current);
            let to = wanted.clamp(i64::from(lo), i64::from(hi)) as u32;
            if to == current {
                let bound = if wanted > i64::from(current) { hi } else { lo };
                step.suppressed.push(Suppression {
                    rule: id,
                    why: Suppressed::Bound { bound },
                });
                continue;
            }
            candidates.push(Candidate {
                actor: id,
                to,
                direction,
                order: (rule.line, i),
            });
        }

        let active: &[bool] = self.timetable.as_ref().map_or(&[], |tt| &tt.active);
        // 3a. `idle`: KEDA's activity check; while idle, nothing else acts.
        if let Some(idling) = &mut self.idling {
            let at = idling.step(
                t,
                self.service,
                values,
                &self.agg_values,
                active,
                current,
                (lo, hi),
            );
            match at {
                IdleStep::Awake => {}
                IdleStep::Asleep => {
                    self.candidates = candidates;
                    return Ok(());
                }
                IdleStep::Move { to, reason } => {
                    self.candidates = candidates;
                    self.apply(t, current, to);
                    step.decision = Some(Decision {
                        timestamp: t,
                        from: current,
                        to,
                        direction: if to > current {
                            Direction::Out
                        } else {
                            Direction::In
                        },
                        rule: Actor::Idle,
                        reason,
                        resize: None,
                    });
                    return Ok(());
                }
            }
        }

        // 3c. The targets' recommendation with the bounds of the moment.
        let ready = self.ready.unwrap_or(current);
        let active: &[bool] = self.timetable.as_ref().map_or(&[], |tt| &tt.active);
        let outcome = match &mut self.tracking {
            Some(tr) => tr.recommend(
                t,
                self.service,
                values,
                &self.agg_values,
                active,
                current,
                ready,
                (lo, hi),
            ),
            None => None,
        };

        // 3b. A count outside the bounds of the moment moves to the nearest one.
        if current < lo || current > hi {
            let disabled = outcome
                .as_ref()
                .is_some_and(|o| o.why == target::Why::ScalingDisabled);
            self.candidates = candidates;
            if disabled {
                return Ok(());
            }
            let to = current.clamp(lo, hi);
            let actor = self.binding_bound(to, lo);
            let direction = if to > current {
                Direction::Out
            } else {
                Direction::In
            };
            self.apply(t, current, to);
            step.decision = Some(Decision {
                timestamp: t,
                from: current,
                to,
                direction,
                rule: actor,
                reason: self.bound_reason(actor, to, lo),
                resize: None,
            });
            return Ok(());
        }

        // The targets' vote: a candidate, a hold, or nothing (no proposal).
        let target_order = (
            self.service.targets.as_ref().map_or(0, |t| t.line),
            usize::MAX,
        );
        let mut hold = false;
        if let Some(o) = &outcome {
            if matches!(o.why, target::Why::Normalized { .. }) {
                let to = o.desired;
                if to == current {
                    hold = true;
                } else {
                    let direction = if to > current {
                        Direction::Out
                    } else {
                        Direction::In
                    };
                    let (last_dir, dir_cooldown) = match direction {
                        Direction::Out => (self.last_out, self.service.cooldown_out),
                        Direction::In => (self.last_in, self.service.cooldown_in),
                    };
                    match last_dir.filter(|&last| t - last < dir_cooldown) {
                        Some(last) => step.suppressed.push(Suppression {
                            rule: Actor::Target,
                            why: Suppressed::DirectionCooldown {
                                direction,
                                until: last + dir_cooldown,
                            },
                        }),
                        None => candidates.push(Candidate {
                            actor: Actor::Target,
                            to,
                            direction,
                            order: target_order,
                        }),
                    }
                }
            }
        }

        // The largest resulting count wins; equal counts go to the earlier line.
        let key = |c: &Candidate| (c.to, std::cmp::Reverse(c.order));
        let best = candidates.iter().copied().max_by_key(key);
        let hold_key = (current, std::cmp::Reverse(target_order));
        // A resize: `scale up` beats every horizontal decision, a horizontal decision
        // beats `scale down` (docs/language.md, "Vertical and horizontal together").
        if !self.vcandidates.is_empty() {
            let horizontal = best.filter(|b| !hold || key(b) > hold_key);
            if self.vertical_wins(t, horizontal, hold, &candidates, values, step) {
                self.candidates = candidates;
                return Ok(());
            }
        }
        let winner = match best {
            Some(b) if !hold || key(&b) > hold_key => b,
            _ => {
                if hold {
                    for c in &candidates {
                        step.suppressed.push(Suppression {
                            rule: c.actor,
                            why: Suppressed::HeldByTarget,
                        });
                    }
                }
                self.candidates = candidates;
                return Ok(());
            }
        };
        for c in &candidates {
            if c.actor != winner.actor {
                step.suppressed.push(Suppression {
                    rule: c.actor,
                    why: Suppressed::LostTieBreak {
                        winner: winner.actor,
                    },
                });
            }
        }
        self.candidates = candidates;
        if let Actor::Rule(id) = winner.actor {
            self.rules[id.0].last_fired = Some(t);
        }
        match winner.direction {
            Direction::Out => self.last_out = Some(t),
            Direction::In => self.last_in = Some(t),
        }
        self.apply(t, current, winner.to);
        let reason = match (winner.actor, &self.tracking, &outcome) {
            (Actor::Rule(id), _, _) => self.reason(&self.service.rules[id.0], values),
            (_, Some(tr), Some(o)) => tr.reason(self.service, o),
            _ => String::new(),
        };
        step.decision = Some(Decision {
            timestamp: t,
            from: current,
            to: winner.to,
            direction: winner.direction,
            rule: winner.actor,
            reason,
            resize: None,
        });
        Ok(())
    }

    /// Sets the count and records the change as a scale event for the targets' rate
    /// policies (whatever made it: docs/language.md, "Behavior and threshold rules").
    fn apply(&mut self, t: Millis, from: u32, to: u32) {
        self.replicas = to;
        if let Some(tr) = &mut self.tracking {
            tr.hpa.record_change(&mut tr.state, from, to, t);
        }
    }

    /// The schedule line that set the bound `to` (the first active one), else the
    /// service's `replicas` bounds.
    fn binding_bound(&self, to: u32, lo: u32) -> Actor {
        let (min, max) = (self.service.awake_min(), self.service.max);
        let Some(tt) = &self.timetable else {
            return Actor::Bounds;
        };
        let found = self
            .service
            .schedules
            .iter()
            .zip(&tt.active)
            .position(|(e, &on)| {
                let bound = if to == lo { e.floor } else { e.ceiling };
                on && bound.map(|b| b.clamp(min, max)) == Some(to)
            });
        found.map_or(Actor::Bounds, Actor::Schedule)
    }

    fn bound_reason(&self, actor: Actor, to: u32, lo: u32) -> String {
        let which = if to == lo { "at least" } else { "at most" };
        match actor {
            Actor::Schedule(_) => format!("schedule in force: {which} {to}"),
            _ => format!(
                "outside replicas {}..{}: {which} {to}",
                self.service.min, self.service.max
            ),
        }
    }

    /// "p95 = 412ms (> 300ms) for 2m".
    fn reason(&self, rule: &ir::Rule, values: &[f64]) -> String {
        let mut parts = Vec::new();
        collect_reason(
            &rule.condition,
            self.service,
            values,
            &self.agg_values,
            &mut parts,
        );
        let mut s = parts.join(", ");
        match rule.sustain {
            Sustain::Immediate => {}
            Sustain::For(d) => s.push_str(&format!("; held for {}", format_duration(d))),
            Sustain::MOfN { m, window } => {
                s.push_str(&format!("; true {m} times in {}", format_duration(window)))
            }
        }
        s
    }
}

pub(crate) fn value_of(v: &Value, values: &[f64], aggs: &[f64]) -> f64 {
    match v {
        Value::Metric(m) => values[m.0],
        Value::Aggregate(a) => aggs[a.0],
        Value::Const(c) => *c,
    }
}

fn eval_cond(c: &Cond, values: &[f64], aggs: &[f64]) -> Truth {
    match c {
        Cond::Compare(cmp) => {
            let (a, b) = (
                value_of(&cmp.lhs, values, aggs),
                value_of(&cmp.rhs, values, aggs),
            );
            if a.is_nan() || b.is_nan() {
                return Truth::Unknown;
            }
            let r = match cmp.op {
                ir::CmpOp::Gt => a > b,
                ir::CmpOp::Ge => a >= b,
                ir::CmpOp::Lt => a < b,
                ir::CmpOp::Le => a <= b,
                ir::CmpOp::Eq => a == b,
                ir::CmpOp::Ne => a != b,
            };
            if r {
                Truth::True
            } else {
                Truth::False
            }
        }
        Cond::Not(x) => eval_cond(x, values, aggs).not(),
        Cond::And(a, b) => match (eval_cond(a, values, aggs), eval_cond(b, values, aggs)) {
            (Truth::False, _) | (_, Truth::False) => Truth::False,
            (Truth::True, Truth::True) => Truth::True,
            _ => Truth::Unknown,
        },
        Cond::Or(a, b) => match (eval_cond(a, values, aggs), eval_cond(b, values, aggs)) {
            (Truth::True, _) | (_, Truth::True) => Truth::True,
            (Truth::False, Truth::False) => Truth::False,
            _ => Truth::Unknown,
        },
    }
}

/// Applies one evaluation to a rule's sustain state. `None`: the evaluation was skipped
/// for this rule (`on missing skip` and an unknown condition).
fn update_sustain(
    state: &mut RuleState,
    sustain: Sustain,
    truth: Truth,
    on_missing: MissingMode,
    t: Millis,
) -> Option<bool> {
    let c = match truth {
        Truth::True => true,
        Truth::False => false,
        Truth::Unknown => match on_missing {
            MissingMode::False => false,
            MissingMode::True => true,
            MissingMode::Hold => state.previous,
            MissingMode::Skip => {
                if let Sustain::MOfN { window, .. } = sustain {
                    while state.trues.front().is_some_and(|&x| x <= t - window) {
                        state.trues.pop_front();
                    }
                }
                return None;
            }
        },
    };
    state.previous = c;
    Some(match sustain {
        Sustain::Immediate => c,
        Sustain::For(d) => {
            if c {
                let start = *state.streak_start.get_or_insert(t);
                t - start >= d
            } else {
                state.streak_start = None;
                false
            }
        }
        Sustain::MOfN { m, window } => {
            if c {
                state.trues.push_back(t);
            }
            // Only the newest `m` trues matter: memory stays bounded by `m`.
            while state.trues.len() > m as usize
                || state.trues.front().is_some_and(|&x| x <= t - window)
            {
                state.trues.pop_front();
            }
            state.trues.len() >= m as usize
        }
    })
}

fn collect_reason(
    c: &Cond,
    service: &ir::Service,
    values: &[f64],
    aggs: &[f64],
    out: &mut Vec<String>,
) {
    match c {
        Cond::Compare(cmp) => {
            let name = |v: &Value| match v {
                Value::Metric(m) => Some(service.metrics[m.0].name.clone()),
                Value::Aggregate(a) => {
                    let agg = &service.aggregates[a.0];
                    Some(format!(
                        "{}({}, {})",
                        agg.func.name(),
                        service.metrics[agg.metric.0].name,
                        format_duration(agg.window)
                    ))
                }
                Value::Const(_) => None,
            };
            let (subject, value, op, other) = match (name(&cmp.lhs), name(&cmp.rhs)) {
                (Some(n), _) => (n, &cmp.lhs, cmp.op, &cmp.rhs),
                (None, Some(n)) => (n, &cmp.rhs, cmp.op.flipped(), &cmp.lhs),
                (None, None) => return,
            };
            out.push(format!(
                "{subject} = {} ({} {})",
                cmp.unit.show_si(value_of(value, values, aggs)),
                op.as_str(),
                cmp.unit.show_si(value_of(other, values, aggs))
            ));
        }
        Cond::Not(x) => collect_reason(x, service, values, aggs, out),
        Cond::And(a, b) | Cond::Or(a, b) => {
            collect_reason(a, service, values, aggs, out);
            collect_reason(b, service, values, aggs, out);
        }
    }
}

impl fmt::Display for Suppressed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Suppressed::Cooldown { until } => write!(
                f,
                "in its cooldown until {}",
                crate::timestamp::format_timestamp(*until)
            ),
            Suppressed::DirectionCooldown { direction, until } => write!(
                f,
                "in the scale-{} cooldown until {}",
                match direction {
                    Direction::Out => "out",
                    Direction::In => "in",
                },
                crate::timestamp::format_timestamp(*until)
            ),
            Suppressed::Bound { bound } => write!(f, "absorbed by the bound {bound}"),
            Suppressed::NoChange => write!(f, "already at the target count"),
            Suppressed::LostTieBreak { winner } => {
                write!(
                    f,
                    "lost the tie-break to {}",
                    ir::Service::actor_name(*winner)
                )
            }
            Suppressed::HeldByTarget => {
                write!(f, "held by the targets, which keep the current count")
            }
            Suppressed::SizeBound { top } => write!(
                f,
                "absorbed by the {} size of the ladder",
                if *top { "top" } else { "bottom" }
            ),
            Suppressed::SizeCooldown { up, until } => write!(
                f,
                "in the scale-{} cooldown until {}",
                if *up { "up" } else { "down" },
                crate::timestamp::format_timestamp(*until)
            ),
        }
    }
}
