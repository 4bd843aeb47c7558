//! W206 `unsatisfiable-condition`.

use crate::diagnostics::{Code, Diagnostic, Severity};
use crate::lint::logic::{atoms, unsatisfiable, value_name, Atom};
use crate::lint::{Ctx, LintInfo};
use crate::span::Span;

pub const INFO: LintInfo = LintInfo {
    code: Code::UNSATISFIABLE_CONDITION,
    default_severity: Severity::Warning,
    docs: r#"
### What it does
Reasons about the intervals each comparison allows, per metric, and reports a condition
that no values can make true (metrics are never negative).

### Why is this bad
The rule never fires. Usually a comparison is turned the wrong way round or `and` was
meant to be `or`.

### Example
```text
when cpu > 80% and cpu < 50% scale out by 1
```
"#,
};

/// Whether two atoms on the same variable contradict each other.
fn contradict(a: &Atom, b: &Atom) -> bool {
    if a.var != b.var {
        return false;
    }
    let (lo, hi) = (a.c.min(b.c), a.c.max(b.c));
    let probes = [lo, hi, (lo + hi) / 2.0, lo - 1.0, hi + 1.0];
    !probes.iter().any(|x| a.holds(*x) && b.holds(*x))
}

pub fn check(cx: &Ctx<'_>, out: &mut Vec<Diagnostic>) {
    for r in &cx.ir.rules {
        if unsatisfiable(&r.condition) != Some(true) {
            continue;
        }
        let cond_span = cx.rules.get(r.id.0).map_or(r.span, |a| a.condition.span());
        let list = atoms(&r.condition).unwrap_or_default();
        let pair = list.iter().enumerate().find_map(|(i, (a, ca))| {
            list[i + 1..]
                .iter()
                .find(|(b, _)| contradict(a, b))
                .map(|(_, cb)| (value_name(cx.ir, &a.var.value()), ca.span, cb.span))
        });
        out.push(diagnostic(cond_span, pair));
    }
}

/// The finding: on the two comparisons that exclude each other when there is such a pair
/// (`(metric, first, second)`), else on the whole condition.
pub fn diagnostic(condition: Span, pair: Option<(String, Span, Span)>) -> Diagnostic {
    let help = "check the direction of each comparison, or whether `and` should be `or`";
    match pair {
        Some((name, first, second)) => Diagnostic::warning(
            INFO.code,
            format!(
                "this condition can never be true: no value of {name} satisfies both comparisons"
            ),
            first,
        )
        .label("this comparison…")
        .with_secondary(second, "…excludes this one")
        .help(help),
        None => Diagnostic::warning(INFO.code, "this condition can never be true", condition)
            .label("no values make this true")
            .help(help),
    }
}

#[cfg(test)]
mod tests {
    use crate::lint::rules::test_util::fires;

    #[test]
    fn fires_on_a_contradiction() {
        assert!(fires("W206", "replicas 1..9\nmetric cpu in %\nwhen cpu > 80% and cpu < 50% scale out by 1\nwhen cpu < 9% scale in by 1\n"));
        assert!(fires("W206", "replicas 1..9\nmetric cpu in %\nwhen cpu < 0% scale out by 1\nwhen cpu < 9% scale in by 1\n"));
    }

    #[test]
    fn quiet_on_a_band() {
        assert!(!fires("W206", "replicas 1..9\nmetric cpu in %\nwhen cpu > 50% and cpu < 80% scale out by 1\nwhen cpu < 9% scale in by 1\n"));
    }
}
