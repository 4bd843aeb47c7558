//! Target tracking: the kind of each `target` (the HPA's `Utilization`, `AverageValue`,
//! `Value`, from the target's unit and the metric's declaration) and the limits the
//! Kubernetes API puts on `behavior` (`pkg/apis/autoscaling/validation`).

use super::resolved::{
    Behavior, DirectionBehavior, RatePolicy, TargetGoal, TargetKind, TargetSource,
};
use super::ServiceChecker;
use crate::diagnostics::{Code, Diagnostic};
use crate::span::Span;
use crate::syntax::ast::{self, BehaviorClause, Direction, Operand};
use crate::units::{fmt_num, Dimension, Millis};

/// The longest stabilisation window the API accepts (`MaxStabilizationWindowSeconds`).
const MAX_STABILIZE: Millis = 3_600_000;
/// The longest policy period the API accepts (`MaxPeriodSeconds`).
const MAX_PERIOD: Millis = 1_800_000;

/// The comparison a target stands for in unit inference and checking: `operand == value`.
pub(super) fn as_comparison(t: &ast::TargetDecl) -> ast::Comparison {
    ast::Comparison {
        lhs: t.operand.clone(),
        op: ast::Spanned::new(ast::CmpOp::Eq, t.value.span),
        rhs: Operand::Literal(t.value.clone()),
        span: t.span,
    }
}

impl ServiceChecker<'_> {
    /// The kind of one target, once its comparison checked (`unit` is the metric's unit).
    pub(super) fn target(&mut self, t: &ast::TargetDecl) -> Option<TargetKind> {
        let unit = *self.compare_unit.get(&t.span)?;
        let id = *self.operand_metric.get(&t.operand.span())?;
        let metric = &self.table.metrics[id.0].metric;
        let name = metric.name.clone();
        let si = t
            .value
            .unit
            .as_ref()
            .map_or(unit, |u| u.node)
            .to_si(t.value.value.value);
        let written = t.value.span.text(self.src).to_string();
        if si.is_nan() || si <= 0.0 || !si.is_finite() {
            self.invalid_target(
                t.value.span,
                format!("a target must be greater than zero, not `{written}`"),
                "the HPA holds the metric at a positive value: write e.g. `at 60%`",
            );
            return None;
        }
        let activation = t.activation.as_ref().map(|q| {
            q.unit
                .as_ref()
                .map_or(unit, |u| u.node)
                .to_si(q.value.value)
        });
        if unit.dimension() == Dimension::Ratio {
            if let Some(p) = t.per_replica {
                self.invalid_target(
                    p,
                    format!("`{name}` is a ratio, already an average over the replicas"),
                    "drop `per replica`: `at 60%` is the HPA's averageUtilization",
                );
                return None;
            }
            let pct = si * 100.0;
            if (pct - pct.round()).abs() > 1e-9 {
                self.invalid_target(
                    t.value.span,
                    format!("a utilisation target is a whole percent, not `{written}`"),
                    format!(
                        "the HPA's averageUtilization is an integer: write `at {}%`",
                        fmt_num(pct.round().max(1.0))
                    ),
                );
                return None;
            }
            return Some(TargetKind {
                source: TargetSource::PodAverage,
                goal: TargetGoal::Utilization(pct.round() as u32),
                unit,
                activation,
            });
        }
        let per_replica_metric = metric.per_replica;
        let (source, goal) = match (per_replica_metric, t.per_replica.is_some()) {
            (true, true) => (TargetSource::PodAverage, TargetGoal::AverageValue(si)),
            (false, true) => (TargetSource::Total, TargetGoal::AverageValue(si)),
            (false, false) => (TargetSource::Total, TargetGoal::Value(si)),
            (true, false) => {
                let mut d = Diagnostic::error(
                    Code::VALUE_TARGET_ON_AVERAGE,
                    format!("`{name}` is an average per replica, so its target is per replica too"),
                    t.value.span,
                )
                .label("a total (`Value`) target")
                .help(format!(
                    "write `target {} at {written} per replica`",
                    t.operand.span().text(self.src)
                ));
                if let Some(s) = metric.span {
                    d = d.with_secondary(s, "declared `per replica` here");
                }
                self.sink.push(d);
                return None;
            }
        };
        Some(TargetKind {
            source,
            goal,
            unit,
            activation,
        })
    }

    fn invalid_target(&mut self, span: Span, msg: String, help: impl Into<String>) {
        self.sink.push(
            Diagnostic::error(Code::INVALID_TARGET, msg, span)
                .label("not a valid target")
                .help(help),
        );
    }

    /// Checks the `behavior` lines of a service and folds them into one [`Behavior`].
    pub(super) fn behavior(&mut self, decls: &[&ast::BehaviorDecl]) -> Option<Behavior> {
        if decls.is_empty() {
            return None;
        }
        let mut out = Behavior::default();
        let mut seen: [Option<Span>; 3] = [None; 3];
        for d in decls {
            let (slot, what) = match d.direction.as_ref().map(|x| x.node) {
                None => (2, "behavior"),
                Some(Direction::Out) => (0, "behavior out"),
                Some(Direction::In) => (1, "behavior in"),
            };
            if let Some(first) = seen[slot] {
                self.duplicate(what, d.span, first);
                continue;
            }
            seen[slot] = Some(d.span);
            let rules = self.direction_behavior(&d.clauses);
            match slot {
                0 => out.scale_up = Some(rules),
                1 => out.scale_down = Some(rules),
                _ => {}
            }
        }
        Some(out)
    }

    fn direction_behavior(&mut self, clauses: &[BehaviorClause]) -> DirectionBehavior {
        let mut out = DirectionBehavior::default();
        let mut seen: [Option<Span>; 3] = [None; 3];
        let mut once = |this: &mut Self, i: usize, what: &str, span: Span| {
            if let Some(first) = seen[i] {
                this.duplicate(what, span, first);
            }
            seen[i] = Some(span);
        };
        for c in clauses {
            match c {
                BehaviorClause::Stabilize(d, span) => {
                    once(self, 0, "stabilize", *span);
                    out.stabilize = self.seconds(d, "a stabilization window", 0, MAX_STABILIZE);
                }
                BehaviorClause::Policy {
                    value,
                    percent,
                    period,
                    ..
                } => {
                    let v = value.value;
                    if v < 1.0 || v.fract() != 0.0 || v > 1e6 {
                        self.invalid_behavior(
                            value.span,
                            format!(
                                "a rate policy allows a whole number of at least 1, not `{}`",
                                value.text
                            ),
                            "write e.g. `at most 4 replicas per 15s` or `at most 100% per 15s`",
                        );
                    }
                    let period = self.seconds(period, "a policy period", 1000, MAX_PERIOD);
                    if let Some(period) = period {
                        out.policies.get_or_insert_with(Vec::new).push(RatePolicy {
                            percent: *percent,
                            value: v.clamp(1.0, 1e6) as u32,
                            period,
                        });
                    }
                }
                BehaviorClause::Select(m) => {
                    once(self, 1, "select", m.span);
                    out.select = Some(m.node);
                }
                BehaviorClause::Tolerance(n, span) => {
                    once(self, 2, "tolerance", *span);
                    if n.value.is_nan() || n.value < 0.0 {
                        self.invalid_behavior(
                            n.span,
                            format!("a tolerance cannot be negative (`{}%`)", n.text),
                            "write e.g. `tolerance 5%`: no change while the ratio is within 5% of 1",
                        );
                    } else {
                        out.tolerance = Some(n.value / 100.0);
                    }
                }
            }
        }
        out
    }

    /// A duration in whole seconds within `[min, max]` ms, as the API requires.
    fn seconds(
        &mut self,
        d: &ast::Duration,
        what: &str,
        min: Millis,
        max: Millis,
    ) -> Option<Millis> {
        let ms = self.duration(d, what, true)?;
        let text = d.span.text(self.src).to_string();
        if ms % 1000 != 0 {
            self.invalid_behavior(
                d.span,
                format!("{what} is a whole number of seconds in Kubernetes, not `{text}`"),
                "round it to whole seconds",
            );
            return None;
        }
        if ms < min || ms > max {
            self.invalid_behavior(
                d.span,
                format!(
                    "{what} must be from {} to {}, not `{text}`",
                    crate::units::Unit::Seconds.show_si(min as f64 / 1000.0),
                    crate::units::Unit::Seconds.show_si(max as f64 / 1000.0)
                ),
                "Kubernetes rejects it (pkg/apis/autoscaling/validation)",
            );
            return None;
        }
        Some(ms)
    }

    fn invalid_behavior(&mut self, span: Span, msg: String, help: &str) {
        self.sink.push(
            Diagnostic::error(Code::INVALID_BEHAVIOR, msg, span)
                .label("outside the Kubernetes limits")
                .help(help),
        );
    }
}
