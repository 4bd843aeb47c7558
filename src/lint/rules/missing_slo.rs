//! W214 `missing-slo`.

use crate::diagnostics::{Code, Diagnostic, Severity};
use crate::lint::{Ctx, LintInfo};
use crate::syntax::ast;

pub const INFO: LintInfo = LintInfo {
    code: Code::MISSING_SLO,
    default_severity: Severity::Warning,
    docs: r#"
### What it does
Reports a `model` block without an `slo` line.

### Why is this bad
A backtest then scores only what the policy costs, never what it breaks: the cheapest
policy (always the minimum) looks best.

### Example
```text
model {
  demand rps
  capacity 100 rps per replica
}
```
Add e.g. `slo p95 < 300ms`.
"#,
};

pub fn check(cx: &Ctx<'_>, out: &mut Vec<Diagnostic>) {
    let Some(model) = &cx.ir.model else { return };
    if !model.slos.is_empty() {
        return;
    }
    let span = cx
        .ast
        .items
        .iter()
        .find_map(|i| match i {
            ast::Item::Model(m) => Some(crate::span::Span::new(m.span.start, m.span.start + 5)),
            _ => None,
        })
        .unwrap_or(model.span);
    out.push(diagnostic(span));
}

/// The finding, on the `model` keyword.
pub fn diagnostic(model_keyword: crate::span::Span) -> Diagnostic {
    Diagnostic::warning(
        INFO.code,
        "the model has no `slo`: backtests will only measure cost",
        model_keyword,
    )
    .label("no service-level objective")
    .help("add an objective the backtest scores breaches against, e.g. `slo p95 < 300ms`")
}

#[cfg(test)]
mod tests {
    use crate::lint::rules::test_util::fires;

    #[test]
    fn fires_without_slo() {
        assert!(fires("W214", "replicas 1..9\nmetric rps in rps\nwhen rps > 9 rps scale out by 1\nwhen rps < 1 rps scale in by 1\nmodel {\n demand rps\n capacity 10 rps per replica\n}\n"));
    }

    #[test]
    fn quiet_without_model() {
        assert!(!fires("W214", "replicas 1..9\nmetric rps in rps\nwhen rps > 9 rps scale out by 1\nwhen rps < 1 rps scale in by 1\n"));
    }
}
