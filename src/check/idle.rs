//! `idle` (KEDA's scale to zero): the count is below the minimum, the durations are
//! valid, and something can make the service active again.

use super::resolved::Idle;
use super::ServiceChecker;
use crate::diagnostics::{Code, Diagnostic};
use crate::syntax::ast;
use crate::syntax::lex::fold_ws;

impl ServiceChecker<'_> {
    /// One `idle` line, given the service's `replicas` minimum and whether it has a
    /// `target` (only targets can report activity).
    pub(super) fn idle(&mut self, d: &ast::IdleDecl, min: u32, has_target: bool) -> Option<Idle> {
        let to = self.count(&d.to, "the idle count");
        let after = match &d.after {
            Some(a) => Some(self.duration(a, "an idle delay", true)?),
            None => None,
        };
        let check_every = match &d.check_every {
            Some(c) => Some(self.duration(c, "an activity check interval", false)?),
            None => None,
        };
        let to = to?;
        // KEDA: `idleReplicaCount` must be below `minReplicaCount`; with a minimum of 0
        // the idle count is 0 (scale to zero).
        if to >= min && !(to == 0 && min == 0) {
            self.sink.push(
                Diagnostic::error(
                    Code::INVALID_IDLE,
                    format!("the idle count {to} is not below the minimum {min}"),
                    d.to.span,
                )
                .label(format!("must be below {min}"))
                .help(if min == 0 {
                    "with `replicas 0..MAX` the service idles at 0: write `idle to 0`".to_string()
                } else {
                    format!(
                        "write `idle to 0` (scale to zero) or any count below {min}, or lower the minimum"
                    )
                }),
            );
            return None;
        }
        if !has_target {
            self.sink.push(
                Diagnostic::error(
                    Code::IDLE_WITHOUT_TARGET,
                    "`idle` needs a `target`: only targets report activity, so nothing would wake the service",
                    d.span,
                )
                .label("nothing can make the service active")
                .help("add a target (e.g. `target rps at 100 per replica, active above 1`), or remove the `idle` line"),
            );
            return None;
        }
        Some(Idle {
            to,
            after_written: after,
            check_every_written: check_every,
            text: fold_ws(d.span.text(self.src)),
            line: crate::span::line_col(self.src, d.span.start).0,
            span: d.span,
        })
    }
}
