//! W211 `scale-in-faster-than-out`.

use super::sustain_ms;
use crate::diagnostics::{Code, Diagnostic, Severity};
use crate::ir::Direction;
use crate::lint::logic::show_ms;
use crate::lint::{Ctx, LintInfo};

pub const INFO: LintInfo = LintInfo {
    code: Code::SCALE_IN_FASTER_THAN_OUT,
    default_severity: Severity::Warning,
    docs: r#"
### What it does
Compares each scale-in rule's sustain and effective cooldown with the fastest scale-out
rule's. It reports a scale-in rule that needs less time than any scale-out rule.

### Why is this bad
Removing capacity is the risky direction: a dip of a few minutes removes replicas that
the next peak needs, and adding them back takes startup time. Kubernetes' HPA waits
300 s before scaling down for this reason. Scale in slowly, scale out fast.

### Example
```text
when cpu > 80% for 5m scale out by 2
when cpu < 30% for 1m scale in by 1
```
"#,
};

pub fn check(cx: &Ctx<'_>, out: &mut Vec<Diagnostic>) {
    let s = cx.ir;
    let outs: Vec<_> = s
        .rules
        .iter()
        .filter(|r| r.action.static_direction() == Some(Direction::Out))
        .collect();
    let (Some(out_sustain), Some(out_cd)) = (
        outs.iter().map(|r| sustain_ms(r)).min(),
        outs.iter().map(|r| cx.effective_cooldown(r)).min(),
    ) else {
        return;
    };
    for (r, a) in s.rules.iter().zip(&cx.rules) {
        if r.action.static_direction() != Some(Direction::In) {
            continue;
        }
        let (sus, cd) = (sustain_ms(r), cx.effective_cooldown(r));
        let what = if sus < out_sustain {
            format!(
                "its condition must hold for {} but every scale-out rule's for at least {}",
                show_ms(sus),
                show_ms(out_sustain)
            )
        } else if cd < out_cd {
            format!(
                "its cooldown is {} but every scale-out rule's is at least {}",
                show_ms(cd),
                show_ms(out_cd)
            )
        } else {
            continue;
        };
        let span = if sus < out_sustain {
            a.sustain.as_ref().map_or(a.action.span(), |x| x.span())
        } else {
            a.cooldown.as_ref().map_or(a.action.span(), |x| x.span)
        };
        out.push(diagnostic(&what, span));
    }
}

/// The finding, on the sustain or the cooldown that is too short; `what` says which.
pub fn diagnostic(what: &str, span: crate::span::Span) -> Diagnostic {
    Diagnostic::warning(INFO.code, format!("this rule scales in faster than the policy scales out: {what}"), span)
                .label("reacts too fast for a scale-in")
                .help("make scale-in slower than scale-out (HPA waits 300 s before scaling down): e.g. `for 10m` and `cooldown 10m`")
}

#[cfg(test)]
mod tests {
    use crate::lint::rules::test_util::fires;

    #[test]
    fn fires_on_a_hasty_scale_in() {
        assert!(fires("W211", "replicas 1..9\nmetric cpu in %\nwhen cpu > 80% for 5m scale out by 1, cooldown 5m\nwhen cpu < 9% for 1m scale in by 1, cooldown 5m\n"));
    }

    #[test]
    fn quiet_on_a_patient_scale_in() {
        assert!(!fires("W211", "replicas 1..9\nmetric cpu in %\nwhen cpu > 80% for 1m scale out by 1, cooldown 1m\nwhen cpu < 9% for 10m scale in by 1, cooldown 10m\n"));
    }
}
