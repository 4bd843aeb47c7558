//! W205 `duplicate-rule`.

use crate::diagnostics::{Code, Diagnostic, Severity};
use crate::ir;
use crate::lint::logic::{implies, same_cond};
use crate::lint::{Ctx, LintInfo};

pub const INFO: LintInfo = LintInfo {
    code: Code::DUPLICATE_RULE,
    default_severity: Severity::Warning,
    docs: r#"
### What it does
Finds a rule whose condition is equivalent to an earlier rule's (the same comparisons,
possibly written differently), with the same sustain and the same action.

### Why is this bad
The later rule never changes a decision; it is usually a copy-paste left-over whose edit
was forgotten, so the policy is not what its author meant.

### Example
```text
when cpu > 80% for 2m scale out by 2
when 80% < cpu for 2m scale out by 2
```
"#,
};

/// Whether two rules are the same rule, written twice.
pub fn duplicates(a: &ir::Rule, b: &ir::Rule) -> bool {
    a.action == b.action
        && a.sustain == b.sustain
        && (same_cond(&a.condition, &b.condition)
            || (implies(&a.condition, &b.condition) == Some(true)
                && implies(&b.condition, &a.condition) == Some(true)))
}

pub fn check(cx: &Ctx<'_>, out: &mut Vec<Diagnostic>) {
    let rules = &cx.ir.rules;
    for (j, b) in rules.iter().enumerate() {
        if let Some(a) = rules[..j].iter().find(|a| duplicates(a, b)) {
            out.push(diagnostic(a.line, cx.rule_span(b.id), cx.rule_span(a.id)));
        }
    }
}

/// The finding, on the later copy.
pub fn diagnostic(
    first_line: usize,
    duplicate: crate::span::Span,
    first: crate::span::Span,
) -> Diagnostic {
    Diagnostic::warning(
        INFO.code,
        format!("this rule repeats the rule on line {}", first_line),
        duplicate,
    )
    .label("duplicate")
    .with_secondary(first, "first written here")
    .help("delete one of them, or finish editing the copy")
}

#[cfg(test)]
mod tests {
    use crate::lint::rules::test_util::fires;

    #[test]
    fn fires_on_a_copy() {
        assert!(fires("W205", "replicas 1..9\nmetric cpu in %\nwhen cpu > 80% scale out by 1\nwhen 80% < cpu scale out by 1\nwhen cpu < 9% scale in by 1\n"));
    }

    #[test]
    fn quiet_when_actions_differ() {
        assert!(!fires("W205", "replicas 1..9\nmetric cpu in %\nwhen cpu > 80% scale out by 1\nwhen cpu > 80% scale out by 2\nwhen cpu < 9% scale in by 1\n"));
    }
}
