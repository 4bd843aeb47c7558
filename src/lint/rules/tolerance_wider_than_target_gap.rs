//! W225 `tolerance-wider-than-target-gap`.

use crate::diagnostics::{Code, Diagnostic, Severity};
use crate::lint::{Ctx, LintInfo};
use crate::syntax::ast;
use crate::units::fmt_num;

pub const INFO: LintInfo = LintInfo {
    code: Code::TOLERANCE_WIDER_THAN_TARGET_GAP,
    default_severity: Severity::Warning,
    docs: r#"
### What it does
Reports a `behavior out|in … tolerance P%` of 50 % or more.

### Why is this bad
The targets make no change while `1 − down ≤ current / target ≤ 1 + up`. With a
scale-up tolerance of 50 % the service does not grow until the metric is at 1.5 × its
target; with a scale-down tolerance of 50 % it does not shrink until the metric is down to
half the target, and at 100 % never. Such a band is wider than the distance the target
is meant to keep, so the target no longer tracks anything; the usual tolerance is a few
percent (Kubernetes' default is 10 %).

### Example
```text
target cpu at 60%
behavior in tolerance 60%    # scales in only below 24% CPU
```
Use a tolerance of a few percent, or lower the target.
"#,
};

/// A tolerance this wide or wider is reported.
const LIMIT: f64 = 0.5;

pub fn check(cx: &Ctx<'_>, out: &mut Vec<Diagnostic>) {
    if cx.ir.targets.is_none() {
        return;
    }
    for item in &cx.ast.items {
        let ast::Item::Behavior(b) = item else {
            continue;
        };
        let Some(dir) = &b.direction else { continue };
        for c in &b.clauses {
            let ast::BehaviorClause::Tolerance(n, span) = c else {
                continue;
            };
            let fraction = n.value / 100.0;
            if fraction < LIMIT {
                continue;
            }
            let pct = fmt_num(n.value);
            let what = match dir.node {
                ast::Direction::Out => format!(
                    "the targets scale out only once a metric is {}× its target",
                    fmt_num(1.0 + fraction)
                ),
                ast::Direction::In if fraction >= 1.0 => {
                    "the targets never scale in: no metric can fall that far below its target"
                        .to_string()
                }
                ast::Direction::In => format!(
                    "the targets scale in only once a metric is down to {}% of its target",
                    fmt_num((1.0 - fraction) * 100.0)
                ),
            };
            out.push(
                Diagnostic::warning(INFO.code, format!("a tolerance of {pct}%: {what}"), *span)
                    .label(format!("tolerance {pct}%"))
                    .help("a tolerance of a few percent keeps the metric near its target (Kubernetes' default is 10%)"),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::lint::rules::test_util::{codes, fires};

    const HEAD: &str = "replicas 1..9\nmetric cpu in %\ntarget cpu at 60%\n";

    #[test]
    fn fires_on_a_wide_tolerance_in_either_direction() {
        let src =
            format!("{HEAD}behavior out tolerance 50%\nbehavior in stabilize 5m, tolerance 120%\n");
        let w: Vec<_> = codes(&src).into_iter().filter(|c| c.0 == "W225").collect();
        assert_eq!(w, vec![("W225", 4), ("W225", 5)]);
    }

    #[test]
    fn quiet_on_a_narrow_tolerance() {
        assert!(!fires(
            "W225",
            &format!("{HEAD}behavior out tolerance 5%\nbehavior in tolerance 49%\n")
        ));
    }
}
