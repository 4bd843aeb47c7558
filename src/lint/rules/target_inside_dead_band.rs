//! W220 `target-inside-dead-band`.

use super::moves;
use crate::diagnostics::{Code, Diagnostic, Severity};
use crate::ir::{self, Direction, TargetGoal, Value};
use crate::lint::logic::atoms;
use crate::lint::{Ctx, LintInfo};

pub const INFO: LintInfo = LintInfo {
    code: Code::TARGET_INSIDE_DEAD_BAND,
    default_severity: Severity::Warning,
    docs: r#"
### What it does
Compares each threshold rule on a target's metric with the target's no-change band
`[target × (1 − down), target × (1 + up)]` (the tolerances, 10 % each way by default).
It flags a threshold inside the band, and a scale-in rule whose threshold lies above the
target.

### Why is this bad
The target and the rule fight: the rule acts where the target wants no change (inside
the band), or a scale-in rule fires while the target holds or scales out (above the
target), so the count goes back and forth.

### Example
```text
target cpu at 60%
when cpu > 62% scale out by 1     # 62% is inside 54%..66%
when cpu < 70% scale in by 1      # fires while the target holds at 60%
```
Put guard thresholds outside the band, e.g. `when cpu > 85% scale out by 2`.
"#,
};

/// The goal of a target in SI, as the metric's values are.
fn goal_si(g: TargetGoal) -> f64 {
    match g {
        TargetGoal::Utilization(p) => f64::from(p) / 100.0,
        TargetGoal::AverageValue(v) | TargetGoal::Value(v) => v,
    }
}

pub fn check(cx: &Ctx<'_>, out: &mut Vec<Diagnostic>) {
    let Some(targets) = &cx.ir.targets else {
        return;
    };
    let (down, up) = tolerances(targets);
    for t in &targets.targets {
        // A per-replica target of a total compares with the total divided by replicas:
        // no fixed threshold to compare with.
        if matches!(
            (t.goal, t.source),
            (TargetGoal::AverageValue(_), ir::TargetSource::Total)
        ) {
            continue;
        }
        let g = goal_si(t.goal);
        let (lo, hi) = (g * (1.0 - down), g * (1.0 + up));
        for r in &cx.ir.rules {
            let Some(list) = atoms(&r.condition) else {
                continue;
            };
            for (a, cmp) in list {
                if !same_operand(&t.operand, &cmp.lhs) && !same_operand(&t.operand, &cmp.rhs) {
                    continue;
                }
                let inside = lo <= a.c && a.c <= hi;
                let scale_in_above =
                    moves(cx.ir, r, Direction::In) && !moves(cx.ir, r, Direction::Out) && a.c > g;
                if !(inside || scale_in_above) {
                    continue;
                }
                let show = |v: f64| t.unit.show_si(v);
                let why = if inside {
                    format!(
                        "the threshold {} lies inside the target's no-change band {}..{}",
                        show(a.c),
                        show(lo),
                        show(hi)
                    )
                } else {
                    format!(
                        "this scale-in rule's threshold {} is above the target {}, so it fires while the target holds or scales out",
                        show(a.c),
                        show(g)
                    )
                };
                out.push(
                    Diagnostic::warning(INFO.code, format!("the rule and `{}` fight: {why}", t.text), cmp.span)
                        .label("threshold here")
                        .with_secondary(t.span, format!("holds the metric at {}", show(g)))
                        .help(format!(
                            "move the threshold outside {}..{} (a scale-out guard above {}, a scale-in below {}), or drop the rule and let the target decide",
                            show(lo),
                            show(hi),
                            show(hi),
                            show(lo)
                        )),
                );
            }
        }
    }
}

/// The tolerances (down, up) in force: the behavior's, else the controller's 10 %.
pub fn tolerances(t: &ir::Targets) -> (f64, f64) {
    let d = ir::display_tracking::DEFAULT_TOLERANCE;
    let b = t.behavior.as_ref();
    (
        b.and_then(|b| b.scale_down.as_ref()?.tolerance)
            .unwrap_or(d),
        b.and_then(|b| b.scale_up.as_ref()?.tolerance).unwrap_or(d),
    )
}

fn same_operand(a: &Value, b: &Value) -> bool {
    matches!((a, b), (Value::Metric(x), Value::Metric(y)) if x == y)
        || matches!((a, b), (Value::Aggregate(x), Value::Aggregate(y)) if x == y)
}

#[cfg(test)]
mod tests {
    use crate::lint::rules::test_util::{codes, fires};

    const HEAD: &str = "replicas 1..9\nmetric cpu in %\ntarget cpu at 60%\n";

    #[test]
    fn fires_inside_the_band_and_above_the_target() {
        let src = format!("{HEAD}when cpu > 62% scale out by 1\n");
        let w220: Vec<_> = codes(&src).into_iter().filter(|c| c.0 == "W220").collect();
        assert_eq!(w220, vec![("W220", 4)]);
        let src = format!("{HEAD}when cpu < 70% for 5m scale in by 1\n");
        assert!(fires("W220", &src));
    }

    #[test]
    fn quiet_for_a_guard_outside_the_band() {
        let src = format!("{HEAD}when cpu > 85% scale out by 2\nwhen cpu < 30% scale in by 1\n");
        assert!(!fires("W220", &src));
        // A tolerance of 5% narrows the band to 57%..63%: 64% is outside.
        let src = format!("{HEAD}behavior out tolerance 5%\nwhen cpu > 64% scale out by 1\n");
        assert!(!fires("W220", &src));
    }
}
