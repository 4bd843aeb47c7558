//! W219 `unused-allow`.

use crate::diagnostics::{Code, Diagnostic, Severity};
use crate::lint::{AllowComment, Ctx, LintInfo};

pub const INFO: LintInfo = LintInfo {
    code: Code::UNUSED_ALLOW,
    default_severity: Severity::Warning,
    docs: r#"
### What it does
Reports an `# allow(name)` whose lint does not fire on the statement that follows it, or
that is not directly followed by a statement (a blank line in between ends its reach).

### Why is this bad
A stale allow documents a decision about code that has changed since. It also hides the
next real finding on that statement, if the lint starts firing again for another reason.

### Example
```text
# allow(no-cooldown): reviewed
when cpu > 80% scale out by 1, cooldown 3m     # has a cooldown now
```
"#,
};

/// Runs from the suppression pass, which sees the comments; nothing to do per service.
pub fn check(_cx: &Ctx<'_>, _out: &mut Vec<Diagnostic>) {}

pub fn diagnostic(a: &AllowComment, key: &str, has_statement: bool) -> Diagnostic {
    let (msg, help) = if has_statement {
        (
            format!("`allow({key})` suppresses nothing: the next statement has no such finding"),
            "delete the comment, or move it directly above the statement it is about",
        )
    } else {
        (
            format!("`allow({key})` is not directly followed by a statement"),
            "put the comment on the line right above the statement (no blank line between)",
        )
    };
    Diagnostic::warning(INFO.code, msg, a.span)
        .label("unused")
        .help(help)
}

#[cfg(test)]
mod tests {
    use crate::lint::rules::test_util::fires;

    #[test]
    fn fires_when_stale() {
        assert!(fires("W219", "replicas 1..9\nmetric cpu in %\n# allow(no-cooldown): stale\nwhen cpu > 80% scale out by 1, cooldown 3m\nwhen cpu < 9% for 10m scale in by 1\n"));
        assert!(fires("W219", "replicas 1..9\nmetric cpu in %\n# allow(no-cooldown): stale\n\nwhen cpu > 80% scale out by 1, cooldown 3m\nwhen cpu < 9% for 10m scale in by 1\n"));
    }

    #[test]
    fn quiet_when_used() {
        assert!(!fires("W219", "replicas 1..9\nmetric cpu in %\n# allow(no-cooldown): on purpose\nwhen cpu > 80% scale out by 1\nwhen cpu < 9% for 10m scale in by 1\n"));
    }
}
