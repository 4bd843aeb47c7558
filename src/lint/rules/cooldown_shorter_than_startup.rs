//! W202 `cooldown-shorter-than-startup`.

use super::moves;
use crate::diagnostics::{Code, Diagnostic, Severity};
use crate::ir::Direction;
use crate::lint::logic::show_ms;
use crate::lint::{Ctx, LintInfo};
use crate::syntax::ast;

pub const INFO: LintInfo = LintInfo {
    code: Code::COOLDOWN_SHORTER_THAN_STARTUP,
    default_severity: Severity::Warning,
    docs: r#"
### What it does
Compares each scale-out rule's effective cooldown (its own `cooldown`, or `cooldown out`,
whichever is longer) with the model's `startup` time.

### Why is this bad
Until new replicas are ready the metrics still show the old load, so the rule fires again
and again: the policy overshoots and then has to scale back in.

### Example
```text
when cpu > 80% scale out by 2, cooldown 1m
model { … startup 3m … }
```
Use `cooldown 3m` or more.
"#,
};

pub fn check(cx: &Ctx<'_>, out: &mut Vec<Diagnostic>) {
    let Some(model) = &cx.ir.model else { return };
    if model.startup <= 0 {
        return;
    }
    let startup_span = cx.ast.items.iter().find_map(|i| match i {
        ast::Item::Model(m) => m.items.iter().find_map(|mi| match mi {
            ast::ModelItem::Startup(_, s) => Some(*s),
            _ => None,
        }),
        _ => None,
    });
    for (r, a) in cx.ir.rules.iter().zip(&cx.rules) {
        if !moves(cx.ir, r, Direction::Out) {
            continue;
        }
        let cd = cx.effective_cooldown(r);
        if cd >= model.startup {
            continue;
        }
        let span = a.cooldown.as_ref().map_or(a.action.span(), |c| c.span);
        out.push(diagnostic(cd, model.startup, span, startup_span));
    }
}

/// The finding, on the rule's cooldown (or action), with the `startup` line as secondary.
pub fn diagnostic(
    cooldown: crate::ir::Millis,
    startup: crate::ir::Millis,
    span: crate::span::Span,
    startup_span: Option<crate::span::Span>,
) -> Diagnostic {
    let d = Diagnostic::warning(
        INFO.code,
        format!(
            "this rule can scale out again after {}, before the replicas it added are ready ({} startup)",
            show_ms(cooldown),
            show_ms(startup)
        ),
        span,
    )
    .label(format!("re-fires after {}", show_ms(cooldown)))
    .help(format!(
        "give the rule `, cooldown {}` (or `cooldown out {}`) so it sees the new replicas before acting again",
        show_ms(startup),
        show_ms(startup)
    ));
    match startup_span {
        Some(s) => d.with_secondary(s, "replicas take this long to become ready"),
        None => d,
    }
}

#[cfg(test)]
mod tests {
    use crate::lint::rules::test_util::fires;

    const M: &str = "model {\n demand rps\n capacity 100 rps per replica\n startup 2m\n}\n";

    #[test]
    fn fires_when_cooldown_is_short() {
        let src = format!(
            "replicas 1..9\nmetric rps in rps\nwhen rps > 10 rps scale out by 1, cooldown 1m\n{M}"
        );
        assert!(fires("W202", &src));
    }

    #[test]
    fn quiet_when_cooldown_covers_startup() {
        let src = format!(
            "replicas 1..9\nmetric rps in rps\nwhen rps > 10 rps scale out by 1, cooldown 2m\n{M}"
        );
        assert!(!fires("W202", &src));
    }
}
