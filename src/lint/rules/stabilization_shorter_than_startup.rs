//! W221 `stabilization-shorter-than-startup`.

use crate::diagnostics::{Code, Diagnostic, Severity};
use crate::ir::display_tracking::DEFAULT_DOWN_STABILIZE;
use crate::lint::logic::show_ms;
use crate::lint::{Ctx, LintInfo};
use crate::syntax::ast;

pub const INFO: LintInfo = LintInfo {
    code: Code::STABILIZATION_SHORTER_THAN_STARTUP,
    default_severity: Severity::Warning,
    docs: r#"
### What it does
Compares the targets' scale-down stabilisation window (`behavior in stabilize`, 300 s by
default and without `behavior`) with the model's `startup` time.

### Why is this bad
While new replicas start, the ready ones still carry the load they had; once the new
ones are ready the metric drops. With a window shorter than startup the target scales in
on that drop and then has to scale out again.

### Example
```text
target cpu at 60%
behavior in stabilize 30s
model { … startup 2m … }
```
Use `behavior in stabilize 2m` or more.
"#,
};

pub fn check(cx: &Ctx<'_>, out: &mut Vec<Diagnostic>) {
    let (Some(t), Some(model)) = (&cx.ir.targets, &cx.ir.model) else {
        return;
    };
    let window = t
        .behavior
        .as_ref()
        .and_then(|b| b.scale_down.as_ref()?.stabilize)
        .unwrap_or(DEFAULT_DOWN_STABILIZE);
    if window >= model.startup {
        return;
    }
    let written = cx.ast.items.iter().find_map(|i| match i {
        ast::Item::Behavior(b)
            if b.direction
                .as_ref()
                .is_some_and(|d| d.node == ast::Direction::In) =>
        {
            b.clauses.iter().find_map(|c| match c {
                ast::BehaviorClause::Stabilize(_, s) => Some(*s),
                _ => None,
            })
        }
        _ => None,
    });
    let anchor = written.unwrap_or(t.targets.first().map_or(cx.service_anchor(), |x| x.span));
    out.push(
        Diagnostic::warning(
            INFO.code,
            format!(
                "the targets may scale in after {} of lower metrics, before replicas started {} earlier are ready",
                show_ms(window),
                show_ms(model.startup)
            ),
            anchor,
        )
        .label(format!("scale-down window {}", show_ms(window)))
        .with_secondary(model.span, format!("startup {}", show_ms(model.startup)))
        .help(format!(
            "write `behavior in stabilize {}` or longer",
            show_ms(model.startup)
        )),
    );
}

#[cfg(test)]
mod tests {
    use crate::lint::rules::test_util::fires;

    const M: &str = "model {\n demand rps\n capacity 100 rps per replica\n startup 6m\n}\n";

    #[test]
    fn fires_when_the_window_is_short() {
        let src = format!("replicas 1..9\nmetric rps in rps\ntarget rps at 70 per replica\nbehavior in stabilize 1m\n{M}");
        assert!(fires("W221", &src));
        // The default window (5m) is shorter than 6m too.
        let src = format!("replicas 1..9\nmetric rps in rps\ntarget rps at 70 per replica\n{M}");
        assert!(fires("W221", &src));
    }

    #[test]
    fn quiet_when_the_window_covers_startup() {
        let src = format!("replicas 1..9\nmetric rps in rps\ntarget rps at 70 per replica\nbehavior in stabilize 10m\n{M}");
        assert!(!fires("W221", &src));
    }
}
