//! W201 `flapping-band`.

use super::{action_text, clamped_target, counts};
use crate::diagnostics::{Code, Diagnostic, Severity};
use crate::ir::{self, CmpOp, Direction};
use crate::lint::logic::{always_true, lower_bound, unsatisfiable, upper_bound, value_name};
use crate::lint::{show, Ctx, LintInfo};
use crate::span::Span;
use crate::units::Unit;

/// An approximate value: one decimal in the display unit.
fn approx(v: f64, unit: crate::units::Unit) -> String {
    let x = (unit.from_si(v) * 10.0).round() / 10.0;
    format!("{}{}", crate::units::fmt_num(x), unit.symbol())
}
use crate::units::Dimension;

pub const INFO: LintInfo = LintInfo {
    code: Code::FLAPPING_BAND,
    default_severity: Severity::Warning,
    docs: r#"
### What it does
Looks at every pair of a scale-out and a scale-in rule that bound the same utilisation-like
metric (unit `%` or `fraction`, or declared `utilization` in the model). Utilisation falls
as replicas are added: scaling out by k at n replicas moves it to about m·n/(n+k). The lint
reports when the thresholds overlap, or when, for some replica count within the bounds, a
value just over the scale-out threshold lands under the scale-in threshold after the step
(or the reverse), with the concrete numbers.

### Why is this bad
The policy oscillates: it scales out, the metric drops below the scale-in threshold, it
scales in, the metric rises over the scale-out threshold, and so on. Every cycle costs
startup time, cold caches and money.

### Example
```text
when cpu > 75% scale out by 2
when cpu < 55% scale in by 1      # at 4 replicas: 76% → 6 replicas → ≈51% < 55%
```
Widen the band (`cpu < 40%`) or take smaller steps.
"#,
};

/// Whether a metric's value falls as replicas are added.
fn utilisation_like(s: &ir::Service, m: usize) -> bool {
    let declared = s
        .model
        .as_ref()
        .is_some_and(|md| md.utilization.iter().any(|u| u.0 == m));
    declared
        || s.metrics
            .get(m)
            .is_some_and(|x| x.unit.dimension() == Dimension::Ratio)
}

/// "Just over" / "just under" a threshold, in SI.
fn nudge(t: f64, unit: crate::units::Unit, up: bool) -> f64 {
    let d = if unit.dimension() == Dimension::Ratio {
        0.01
    } else {
        (t.abs() * 0.01).max(1e-9)
    };
    if up {
        t + d
    } else {
        (t - d).max(0.0)
    }
}

/// Whether a rule's condition is worth reasoning about here (impossible and always-true
/// conditions have their own lints).
fn meaningful(r: &ir::Rule) -> bool {
    unsatisfiable(&r.condition) != Some(true) && always_true(&r.condition) != Some(true)
}

/// One rule's threshold on the metric.
#[derive(Clone, Debug)]
pub struct Threshold {
    /// `cpu`, `avg(cpu, 5m)`
    pub name: String,
    pub op: CmpOp,
    /// SI
    pub value: f64,
    /// The unit the threshold was written in, for display.
    pub unit: Unit,
    pub span: Span,
}

/// A step that carries the metric across the other rule's threshold.
#[derive(Clone, Debug)]
pub struct Jump {
    /// Replicas before and after the step.
    pub from: u32,
    pub to: u32,
    /// The metric just past the firing rule's threshold, and where it lands (SI).
    pub before: f64,
    pub after: f64,
    pub action: ir::Action,
}

/// The thresholds overlap: both rules are true at once.
pub fn overlap(out: &Threshold, inn: &Threshold, unit: Unit) -> Diagnostic {
    Diagnostic::warning(
        INFO.code,
        format!(
            "scale-out and scale-in thresholds overlap: with {} {} {} and {} {} {}, both rules are true between {} and {}",
            out.name, out.op.as_str(), show(out.value, unit),
            inn.name, inn.op.as_str(), show(inn.value, unit),
            show(out.value.min(inn.value), unit), show(out.value.max(inn.value), unit)
        ),
        out.span,
    )
    .label("scale-out threshold")
    .with_secondary(inn.span, "scale-in threshold")
    .help("make the scale-in threshold lower than the scale-out threshold, with a gap wider than one step moves the metric")
}

/// Scaling out (`firing` = the scale-out threshold) or in carries the metric across the
/// `other` rule's threshold.
pub fn jump(firing: &Threshold, other: &Threshold, j: &Jump, unit: Unit, out: bool) -> Diagnostic {
    let (dir, other_kind) = if out {
        ("out", "scale-in")
    } else {
        ("in", "scale-out")
    };
    let help = if out {
        format!(
            "put the scale-in threshold clearly below ≈{} (where {} lands after the step), or take smaller steps",
            approx(j.after, unit),
            show(j.before, unit)
        )
    } else {
        "widen the band or scale in by smaller steps".to_string()
    };
    Diagnostic::warning(
        INFO.code,
        format!(
            "at {} replicas, {} {} → {} → {} replicas → ≈{} {} {} ({other_kind} threshold) → oscillation",
            j.from, firing.name, show(j.before, unit), action_text(j.action), j.to,
            approx(j.after, unit), other.op.as_str(), show(other.value, unit)
        ),
        firing.span,
    )
    .label(format!("scaling {dir} from here at {} replicas…", j.from))
    .with_secondary(other.span, format!("…makes this {other_kind} rule true"))
    .help(help)
}

fn threshold(s: &ir::Service, b: (f64, CmpOp, &ir::Compare)) -> Threshold {
    Threshold {
        name: value_name(s, &var_side(b.2)),
        op: b.1,
        value: b.0,
        unit: b.2.unit,
        span: b.2.span,
    }
}

/// The first replica count at which one step of `rule` carries `before` across `other`.
fn find_jump(
    s: &ir::Service,
    rule: &ir::Rule,
    before: f64,
    other: &Threshold,
    out: bool,
) -> Option<Jump> {
    counts(s).find_map(|n| {
        let to = clamped_target(s, rule.action, n);
        if (out && to <= n) || (!out && (to >= n || to == 0)) {
            return None;
        }
        let after = before * f64::from(n) / f64::from(to);
        let crosses = match other.op {
            CmpOp::Le => after <= other.value,
            CmpOp::Lt => after < other.value,
            CmpOp::Ge => after >= other.value,
            _ => after > other.value,
        };
        crosses.then_some(Jump {
            from: n,
            to,
            before,
            after,
            action: rule.action,
        })
    })
}

pub fn check(cx: &Ctx<'_>, out: &mut Vec<Diagnostic>) {
    let s = cx.ir;
    for m in 0..s.metrics.len() {
        if !utilisation_like(s, m) {
            continue;
        }
        let rules = |d: Direction| {
            s.rules
                .iter()
                .filter(move |r| r.action.static_direction() == Some(d) && meaningful(r))
        };
        for ro in rules(Direction::Out) {
            let Some(up) = lower_bound(s, &ro.condition, m).map(|b| threshold(s, b)) else {
                continue;
            };
            for ri in rules(Direction::In) {
                let Some(down) = upper_bound(s, &ri.condition, m).map(|b| threshold(s, b)) else {
                    continue;
                };
                // Shown in the unit the scale-out rule's threshold was written in.
                let unit = up.unit;
                let overlaps = up.value < down.value
                    || (up.value == down.value && up.op == CmpOp::Ge && down.op == CmpOp::Le);
                if overlaps {
                    out.push(overlap(&up, &down, unit));
                } else if let Some(j) = find_jump(s, ro, nudge(up.value, unit, true), &down, true) {
                    out.push(jump(&up, &down, &j, unit, true));
                } else if let Some(j) = find_jump(s, ri, nudge(down.value, unit, false), &up, false)
                {
                    out.push(jump(&down, &up, &j, unit, false));
                }
            }
        }
    }
}

fn var_side(c: &ir::Compare) -> ir::Value {
    match (&c.lhs, &c.rhs) {
        (ir::Value::Const(_), v) => v.clone(),
        (v, _) => v.clone(),
    }
}

#[cfg(test)]
mod tests {
    use crate::lint::rules::test_util::fires;

    #[test]
    fn fires_on_a_narrow_band() {
        assert!(fires("W201", "replicas 2..10\nmetric cpu in %\nwhen cpu > 75% scale out by 2\nwhen cpu < 55% scale in by 1\n"));
        assert!(fires("W201", "replicas 2..10\nmetric cpu in %\nwhen cpu > 50% scale out by 1\nwhen cpu < 60% scale in by 1\n"));
    }

    #[test]
    fn reports_the_concrete_numbers() {
        let src = "replicas 4..20\nmetric cpu in %\nwhen cpu > 75% scale out by 2\nwhen cpu < 55% scale in by 1\n";
        let r = crate::lint::lint_source(src, "t").unwrap_or_default();
        let d = r.diagnostics.iter().find(|d| d.code == "W201");
        assert_eq!(
            d.map(|d| d.message.as_str()),
            Some("at 4 replicas, cpu 76% → scale out by 2 → 6 replicas → ≈50.7% < 55% (scale-in threshold) → oscillation")
        );
    }

    /// The `utilization` builtin is a fraction inside; the lint speaks in the `%` written.
    #[test]
    fn shows_values_in_the_unit_written() {
        let src = "replicas 4..20\nmodel {\n  demand rps\n  capacity 100 rps per replica\n}\nwhen utilization > 71% scale out by 2\nwhen utilization < 55% scale in by 1\n";
        let r = crate::lint::lint_source(src, "t").unwrap_or_default();
        let d = r
            .diagnostics
            .iter()
            .find(|d| d.code == "W201")
            .expect("W201");
        assert!(
            d.message.contains("utilization 72% → scale out by 2"),
            "{}",
            d.message
        );
        assert!(!d.message.contains("fraction"), "{}", d.message);
    }

    #[test]
    fn quiet_on_a_wide_band() {
        assert!(!fires("W201", "replicas 2..10\nmetric cpu in %\nwhen cpu > 75% scale out by 1\nwhen cpu < 30% scale in by 1\n"));
    }
}
