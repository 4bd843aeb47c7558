//! `idle`: KEDA's scale executor (`pkg/scaling/executor/scale_scaledobjects.go`,
//! `RequestScale`, `scaleToZeroOrIdle`, `scaleFromZeroOrIdle`). Every `check every` the
//! service is *active* when some target's value is above its `active above` threshold
//! (default 0), or a schedule line holds it up; a target with no value is a trigger
//! error. docs/language.md ("Idle") is the reference.

use crate::ir::{self, Millis};
use crate::timestamp::{format_duration, format_timestamp};

/// What KEDA remembers between polls.
#[derive(Clone, Debug, Default)]
pub(super) struct Idling {
    last_check: Option<Millis>,
    /// KEDA's `status.lastActiveTime`; the first evaluation stands for it (the
    /// evaluator does not know what came before it).
    last_active: Option<Millis>,
}

/// The outcome of one evaluation for `idle`.
#[derive(Clone, Debug, PartialEq)]
pub(super) enum IdleStep {
    /// The service is awake: rules and targets act as usual.
    Awake,
    /// The service is idle and stays so: nothing else acts (the HPA is off).
    Asleep,
    /// Scale to `to` now (to the idle count, or awake).
    Move { to: u32, reason: String },
}

/// What the triggers say at a check.
struct Activity {
    /// Why the service is active (the first active trigger), if it is.
    active: Option<String>,
    /// Some target had no value (a scaler error).
    error: bool,
}

impl Idling {
    pub fn new(service: &ir::Service) -> Option<Idling> {
        service.idle.as_ref().map(|_| Idling::default())
    }

    /// One evaluation at `t`: `current` is the count, `bounds` the bounds of the moment
    /// (at least `max(MIN, 1)`), `schedules_on` which schedule lines are in force.
    #[expect(
        clippy::too_many_arguments,
        reason = "one evaluation's inputs, each named"
    )]
    pub fn step(
        &mut self,
        t: Millis,
        service: &ir::Service,
        values: &[f64],
        aggs: &[f64],
        schedules_on: &[bool],
        current: u32,
        bounds: (u32, u32),
    ) -> IdleStep {
        let Some(idle) = &service.idle else {
            return IdleStep::Awake;
        };
        let asleep = current < service.awake_min();
        let resting = if asleep {
            IdleStep::Asleep
        } else {
            IdleStep::Awake
        };
        if self.last_check.is_some_and(|c| t - c < idle.check_every()) {
            return resting;
        }
        self.last_check = Some(t);
        let last_active = *self.last_active.get_or_insert(t);
        let activity = activity(service, idle, values, aggs, schedules_on);
        match activity.active {
            // `RequestScale`, active: wake from idle or zero, else remember the time
            // (not when some trigger failed).
            Some(why) => {
                if asleep {
                    self.last_active = Some(t);
                    let to = bounds.0;
                    return IdleStep::Move {
                        to,
                        reason: format!("{why}: active, wakes to {to}"),
                    };
                }
                if !activity.error {
                    self.last_active = Some(t);
                }
                resting
            }
            // Inactive: a trigger error blocks the scale to idle (no fallback simulated);
            // else the count goes to the idle count once the cooldown has passed
            // (`lastActiveTime + cooldownPeriod` before now).
            None if !activity.error && current > idle.to && t > last_active + idle.after() => {
                IdleStep::Move {
                    to: idle.to,
                    reason: format!(
                        "no target active since {} (more than {})",
                        format_timestamp(last_active),
                        format_duration(idle.after())
                    ),
                }
            }
            None => resting,
        }
    }
}

fn activity(
    service: &ir::Service,
    idle: &ir::Idle,
    values: &[f64],
    aggs: &[f64],
    schedules_on: &[bool],
) -> Activity {
    let mut out = Activity {
        active: None,
        error: false,
    };
    for t in service.targets.iter().flat_map(|t| &t.targets) {
        let v = super::value_of(&t.operand, values, aggs);
        if v.is_nan() {
            out.error = true;
            continue;
        }
        let threshold = t.activation.unwrap_or(0.0);
        if v > threshold && out.active.is_none() {
            out.active = Some(format!(
                "{} = {} (active above {})",
                super::tracking::value_name(service, &t.operand),
                t.unit.show_si(v),
                t.unit.show_si(threshold)
            ));
        }
    }
    if out.active.is_none() {
        // A schedule in force that proposes a count (a cron trigger) or holds a floor
        // above the idle count keeps the service awake.
        out.active = service
            .schedules
            .iter()
            .zip(schedules_on)
            .position(|(e, &on)| {
                on && (e.propose.is_some() || e.floor.is_some_and(|f| f > idle.to))
            })
            .map(|i| format!("schedule {} in force", i + 1));
    }
    out
}
