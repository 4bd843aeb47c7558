//! W218 `unknown-lint-in-allow`.

use crate::diagnostics::{did_you_mean, Code, Diagnostic, Severity};
use crate::lint::{AllowComment, Ctx, LintInfo};

pub const INFO: LintInfo = LintInfo {
    code: Code::UNKNOWN_LINT_IN_ALLOW,
    default_severity: Severity::Warning,
    docs: r#"
### What it does
Checks every name and code in `# allow(...)` comments against the lint registry.

### Why is this bad
A misspelt allow silences nothing, so the warning it was meant to acknowledge comes back
(or, worse, the author believes a finding was reviewed when the comment does nothing).

### Example
```text
# allow(flaping-band): reviewed, the band is wide enough at our scale
when cpu > 75% scale out by 2
```
"#,
};

/// Runs from the suppression pass, which sees the comments; nothing to do per service.
pub fn check(_cx: &Ctx<'_>, _out: &mut Vec<Diagnostic>) {}

pub fn diagnostic(a: &AllowComment, key: &str) -> Diagnostic {
    let names = crate::lint::all().iter().map(|l| l.name());
    let d = Diagnostic::warning(INFO.code, format!("no lint is named `{key}`"), a.span)
        .label("unknown lint");
    match did_you_mean(key, names) {
        Some(s) => d.help(format!("did you mean `{s}`?")),
        None => d.help("`scalerules lint --explain CODE` lists what each lint does; docs/lints.md lists them all"),
    }
}

#[cfg(test)]
mod tests {
    use crate::lint::rules::test_util::fires;

    #[test]
    fn fires_on_a_typo() {
        assert!(fires("W218", "replicas 1..9\nmetric cpu in %\ncooldown out 3m\n# allow(flaping-band): typo\nwhen cpu > 80% scale out by 1\nwhen cpu < 9% for 10m scale in by 1\n"));
    }

    #[test]
    fn quiet_on_a_known_name() {
        assert!(!fires("W218", "replicas 1..9\nmetric cpu in %\n# allow(no-cooldown): on purpose\nwhen cpu > 80% scale out by 1\nwhen cpu < 9% for 10m scale in by 1\n"));
    }
}
