//! W224 `scale-in-held-by-target`.

use super::moves;
use crate::diagnostics::{Code, Diagnostic, Severity};
use crate::ir::Direction;
use crate::lint::{Ctx, LintInfo};

pub const INFO: LintInfo = LintInfo {
    code: Code::SCALE_IN_HELD_BY_TARGET,
    default_severity: Severity::Warning,
    docs: r#"
### What it does
Reports a threshold rule that scales in, in a service with a `target`.

### Why is this bad
The targets always vote, and the largest resulting count wins (`docs/language.md`,
"Target tracking and threshold rules in one service"): while the targets hold, their
vote is the current count, which beats any scale-in. So the rule never makes the service
scale in on its own; it can only make the targets' own scale-ins smaller (the larger of
the two counts wins). Its decisions show up as `held_by_target` instead, and a reader
expecting it to shed replicas is misled. It acts on its own only when the targets cast
no vote (a target's metric is missing).

### Example
```text
target cpu at 60%
when cpu < 30% for 10m scale in by 1    # never scales in while the target holds
```
Remove the rule and let the target scale in (tune `behavior in` for its pace), or
`# allow(scale-in-held-by-target): …` when it is meant as a brake on the target's
scale-ins or a fallback for missing metrics.
"#,
};

pub fn check(cx: &Ctx<'_>, out: &mut Vec<Diagnostic>) {
    let Some(targets) = &cx.ir.targets else {
        return;
    };
    let Some(first) = targets.targets.first() else {
        return;
    };
    for r in &cx.ir.rules {
        if !moves(cx.ir, r, Direction::In) {
            continue;
        }
        out.push(
            Diagnostic::warning(
                INFO.code,
                "this rule scales in beside a target: the target's hold vote outweighs it, so it can only slow the target's scale-ins",
                r.span,
            )
            .label("a scale-in the target holds")
            .with_secondary(first.span, "votes for the current count while it holds")
            .help("let the target scale in (shape it with `behavior in`), or allow this lint with the reason the rule stays"),
        );
    }
}

#[cfg(test)]
mod tests {
    use crate::lint::rules::test_util::{codes, fires};

    const HEAD: &str = "replicas 1..9\nmetric cpu in %\ntarget cpu at 60%\n";

    #[test]
    fn fires_on_each_scale_in_rule_beside_a_target() {
        let src = format!(
            "{HEAD}when cpu > 90% scale out by 2\nwhen cpu < 20% for 10m scale in by 1\nwhen cpu < 5% scale to 1\n"
        );
        let w: Vec<_> = codes(&src).into_iter().filter(|c| c.0 == "W224").collect();
        assert_eq!(w, vec![("W224", 5), ("W224", 6)]);
    }

    #[test]
    fn quiet_without_a_target_or_without_a_scale_in() {
        assert!(!fires(
            "W224",
            "replicas 1..9\nmetric cpu in %\nwhen cpu > 80% scale out by 1\nwhen cpu < 20% scale in by 1\n"
        ));
        assert!(!fires(
            "W224",
            &format!("{HEAD}when cpu > 90% for 1m scale out by 2\n")
        ));
    }
}
