//! Vertical scaling in the evaluator: the candidates of `scale up` / `scale down` rules
//! (the ladder's ends and the service's `cooldown up/down`) and the resize decision.
//! A service without a ladder has no vertical rule, so none of this runs for it.

use super::{Candidate, Decision, Direction, Evaluator, Step, Suppressed, Suppression};
use crate::ir::{self, Actor, Millis, RuleId};
use serde::Serialize;

/// The size before and after a resize.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SizeChange {
    /// The size's name before.
    pub from: String,
    /// The size's name after.
    pub to: String,
    /// Index of `from` in the ladder (smallest first).
    #[serde(skip)]
    pub from_index: u32,
    /// Index of `to` in the ladder.
    #[serde(skip)]
    pub to_index: u32,
}

/// What a vertical rule needs of the evaluator's state.
pub(super) struct State {
    pub size: u32,
    pub last_up: Option<Millis>,
    pub last_down: Option<Millis>,
}

impl State {
    /// A vertical rule whose sustain holds and whose own cooldown is over: the service's
    /// size cooldown, then the ladder's ends; else a candidate.
    pub fn candidate(
        &self,
        service: &ir::Service,
        rule: &ir::Rule,
        i: usize,
        t: Millis,
        step: &mut Step,
        out: &mut Vec<Candidate>,
    ) {
        let Some(ladder) = &service.ladder else {
            return;
        };
        let id = Actor::Rule(RuleId(i));
        let up = rule.action.is_up() == Some(true);
        let (last, cooldown) = if up {
            (self.last_up, ladder.cooldown_up)
        } else {
            (self.last_down, ladder.cooldown_down)
        };
        if let Some(last) = last.filter(|&l| t - l < cooldown) {
            step.suppressed.push(Suppression {
                rule: id,
                why: Suppressed::SizeCooldown {
                    up,
                    until: last + cooldown,
                },
            });
            return;
        }
        let wanted = rule.action.size_target(self.size as usize).unwrap_or(0);
        let to = wanted.clamp(0, ladder.top() as i64) as u32;
        if to == self.size {
            let why = if wanted == i64::from(self.size) && !at_end(up, self.size, ladder) {
                Suppressed::NoChange
            } else {
                Suppressed::SizeBound { top: up }
            };
            step.suppressed.push(Suppression { rule: id, why });
            return;
        }
        out.push(Candidate {
            actor: id,
            to,
            direction: if up { Direction::Out } else { Direction::In },
            order: (rule.line, i),
        });
    }
}

/// Whether the size is at the end of the ladder the direction moves towards.
fn at_end(up: bool, size: u32, ladder: &ir::Ladder) -> bool {
    if up {
        size as usize >= ladder.top()
    } else {
        size == 0
    }
}

impl Evaluator<'_> {
    /// The vertical candidates against the horizontal winner (`None`: nothing
    /// horizontal acts; `hold`: the targets hold the count): a `scale up` wins, a
    /// `scale down` wins only when nothing horizontal acts and the targets do not hold.
    /// Applies the resize and returns true when it wins; else suppresses the vertical
    /// candidates.
    pub(super) fn vertical_wins(
        &mut self,
        t: Millis,
        horizontal: Option<Candidate>,
        hold: bool,
        candidates: &[Candidate],
        values: &[f64],
        step: &mut Step,
    ) -> bool {
        let key = |c: &Candidate| (c.to, std::cmp::Reverse(c.order));
        let Some(v) = self.vcandidates.iter().copied().max_by_key(key) else {
            return false;
        };
        let up = v.direction == Direction::Out;
        if up || (horizontal.is_none() && !hold) {
            for c in candidates.iter().chain(&self.vcandidates) {
                if c.actor != v.actor {
                    step.suppressed.push(Suppression {
                        rule: c.actor,
                        why: Suppressed::LostTieBreak { winner: v.actor },
                    });
                }
            }
            self.resize(t, v, values, step);
            return true;
        }
        for c in &self.vcandidates {
            step.suppressed.push(Suppression {
                rule: c.actor,
                why: match horizontal {
                    Some(h) => Suppressed::LostTieBreak { winner: h.actor },
                    None => Suppressed::HeldByTarget,
                },
            });
        }
        false
    }

    /// Applies the winning vertical candidate `v`.
    pub(super) fn resize(&mut self, t: Millis, v: Candidate, values: &[f64], step: &mut Step) {
        let from = self.size;
        self.size = v.to;
        if v.direction == Direction::Out {
            self.last_up = Some(t);
        } else {
            self.last_down = Some(t);
        }
        let name = |i: u32| {
            self.service
                .ladder
                .as_ref()
                .and_then(|l| l.sizes.get(i as usize))
                .map_or_else(String::new, |s| s.name.clone())
        };
        let mut reason = String::new();
        if let Actor::Rule(id) = v.actor {
            self.rules[id.0].last_fired = Some(t);
            reason = self.reason(&self.service.rules[id.0], values);
        }
        step.decision = Some(Decision {
            timestamp: t,
            from: self.replicas,
            to: self.replicas,
            direction: v.direction,
            rule: v.actor,
            reason,
            resize: Some(SizeChange {
                from: name(from),
                to: name(v.to),
                from_index: from,
                to_index: v.to,
            }),
        });
    }
}
