//! W201 `flapping-band`.

use super::{action_text, clamped_target, counts};
use crate::diagnostics::{Diagnostic, Severity};
use crate::ir::{self, CmpOp, Direction};
use crate::lint::logic::{always_true, lower_bound, unsatisfiable, upper_bound, value_name};
use crate::lint::{show, Ctx, LintInfo};

/// An approximate value: one decimal in the display unit.
fn approx(v: f64, unit: crate::units::Unit) -> String {
    let x = (unit.from_si(v) * 10.0).round() / 10.0;
    format!("{}{}", crate::units::fmt_num(x), unit.symbol())
}
use crate::units::Dimension;

pub const INFO: LintInfo = LintInfo {
    code: "W201",
    name: "flapping-band",
    default_severity: Severity::Warning,
    summary: "scale-out and scale-in thresholds on a utilisation metric overlap, or one step jumps across the gap",
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

pub fn check(cx: &Ctx<'_>, out: &mut Vec<Diagnostic>) {
    let s = cx.ir;
    for m in 0..s.metrics.len() {
        if !utilisation_like(s, m) {
            continue;
        }
        let unit = s.metrics[m].unit;
        for ro in s
            .rules
            .iter()
            .filter(|r| r.action.static_direction() == Some(Direction::Out) && meaningful(r))
        {
            let Some((out_t, out_op, out_cmp)) = lower_bound(s, &ro.condition, m) else {
                continue;
            };
            for ri in s
                .rules
                .iter()
                .filter(|r| r.action.static_direction() == Some(Direction::In) && meaningful(r))
            {
                let Some((in_t, in_op, in_cmp)) = upper_bound(s, &ri.condition, m) else {
                    continue;
                };
                let name_out = value_name(s, &var_side(out_cmp));
                let name_in = value_name(s, &var_side(in_cmp));
                let overlap =
                    out_t < in_t || (out_t == in_t && out_op == CmpOp::Ge && in_op == CmpOp::Le);
                if overlap {
                    out.push(
                        Diagnostic::warning(
                            INFO.code,
                            format!(
                                "scale-out and scale-in thresholds overlap: with {name_out} {} {} and {name_in} {} {}, both rules are true between {} and {}",
                                out_op.as_str(), show(out_t, unit), in_op.as_str(), show(in_t, unit),
                                show(out_t.min(in_t), unit), show(out_t.max(in_t), unit)
                            ),
                            out_cmp.span,
                        )
                        .label("scale-out threshold")
                        .with_secondary(in_cmp.span, "scale-in threshold")
                        .help("make the scale-in threshold lower than the scale-out threshold, with a gap wider than one step moves the metric"),
                    );
                    continue;
                }
                // Out step lands under the in threshold.
                let v = nudge(out_t, unit, true);
                let found = counts(s).find_map(|n| {
                    let to = clamped_target(s, ro.action, n);
                    if to <= n {
                        return None;
                    }
                    let after = v * f64::from(n) / f64::from(to);
                    let under = if in_op == CmpOp::Le {
                        after <= in_t
                    } else {
                        after < in_t
                    };
                    under.then_some((n, to, after))
                });
                if let Some((n, to, after)) = found {
                    out.push(
                        Diagnostic::warning(
                            INFO.code,
                            format!(
                                "at {n} replicas, {name_out} {} → {} → {to} replicas → ≈{} {} {} (scale-in threshold) → oscillation",
                                show(v, unit), action_text(ro.action), approx(after, unit), in_op.as_str(), show(in_t, unit)
                            ),
                            out_cmp.span,
                        )
                        .label(format!("scaling out from here at {n} replicas…"))
                        .with_secondary(in_cmp.span, "…makes this scale-in rule true")
                        .help(format!(
                            "put the scale-in threshold clearly below ≈{} (where {} lands after the step), or take smaller steps",
                            approx(after, unit),
                            show(v, unit)
                        )),
                    );
                    continue;
                }
                // In step lands over the out threshold.
                let v = nudge(in_t, unit, false);
                let found = counts(s).find_map(|n| {
                    let to = clamped_target(s, ri.action, n);
                    if to >= n || to == 0 {
                        return None;
                    }
                    let after = v * f64::from(n) / f64::from(to);
                    let over = if out_op == CmpOp::Ge {
                        after >= out_t
                    } else {
                        after > out_t
                    };
                    over.then_some((n, to, after))
                });
                if let Some((n, to, after)) = found {
                    out.push(
                        Diagnostic::warning(
                            INFO.code,
                            format!(
                                "at {n} replicas, {name_in} {} → {} → {to} replicas → ≈{} {} {} (scale-out threshold) → oscillation",
                                show(v, unit), action_text(ri.action), approx(after, unit), out_op.as_str(), show(out_t, unit)
                            ),
                            in_cmp.span,
                        )
                        .label(format!("scaling in from here at {n} replicas…"))
                        .with_secondary(out_cmp.span, "…makes this scale-out rule true")
                        .help("widen the band or scale in by smaller steps"),
                    );
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
    fn quiet_on_a_wide_band() {
        assert!(!fires("W201", "replicas 2..10\nmetric cpu in %\nwhen cpu > 75% scale out by 1\nwhen cpu < 30% scale in by 1\n"));
    }
}
