//! Unit resolution: every metric gets one unit, from its declaration, its column
//! suffix, a builtin, or the first literal with a unit it is compared with; then every
//! comparison is checked against those units.

use super::resolved::{MetricId, UnitOrigin};
use super::MetricTable;
use crate::diagnostics::{Code, Diagnostic, Sink};
use crate::span::{line_col, Span};
use crate::syntax::ast::{Comparison, Operand, Quantity};
use crate::units::{fmt_num, Dimension, Unit};

/// An operand after name resolution.
#[derive(Clone, Copy, Debug)]
pub(super) enum Side<'a> {
    Metric {
        id: MetricId,
        rate: bool,
        span: Span,
    },
    Literal(&'a Quantity),
    /// The operand did not resolve; an error was already reported.
    Broken,
}

/// Pass 1: a metric without a unit takes the unit of the first literal with a unit it
/// is compared with.
pub(super) fn infer(table: &mut MetricTable, comparisons: &[(&Comparison, Side, Side)], src: &str) {
    for (_, l, r) in comparisons {
        for (a, b) in [(l, r), (r, l)] {
            let (Side::Metric { id, rate, .. }, Side::Literal(q)) = (a, b) else {
                continue;
            };
            let Some(unit) = &q.unit else { continue };
            let lit_unit = unit.node;
            let slot = &mut table.metrics[id.0];
            if slot.unit_fixed {
                continue;
            }
            if *rate {
                // rate(x) is per second of a counter: the counter itself is a count.
                if lit_unit.dimension() != Dimension::Rate {
                    continue;
                }
                slot.metric.unit = Unit::Count;
            } else {
                slot.metric.unit = lit_unit;
            }
            slot.unit_fixed = true;
            slot.unit_span = Some(q.span);
            slot.metric.unit_origin = UnitOrigin::Inferred {
                literal: q.span.text(src).to_string(),
                line: line_col(src, q.span.start).0,
            };
        }
    }
}

/// The unit an operand's value is in.
pub(super) fn side_unit(table: &MetricTable, side: &Side) -> Option<Unit> {
    match side {
        Side::Metric { rate: true, .. } => Some(Unit::Rps),
        Side::Metric { id, .. } => Some(table.metrics[id.0].metric.unit),
        Side::Literal(q) => q.unit.as_ref().map(|u| u.node),
        Side::Broken => None,
    }
}

/// Pass 2: checks one comparison; returns the unit its values are shown in.
pub(super) fn check_comparison(
    table: &MetricTable,
    cmp: &Comparison,
    l: &Side,
    r: &Side,
    sink: &mut Sink,
) -> Option<Unit> {
    match (l, r) {
        (Side::Broken, _) | (_, Side::Broken) => None,
        (Side::Literal(_), Side::Literal(_)) => {
            sink.push(
                Diagnostic::error(
                    Code::CONSTANT_COMPARISON,
                    "this comparison has no metric in it",
                    cmp.span,
                )
                .label("both sides are numbers")
                .help("compare a metric or an aggregate with a number, as in `p95 > 300ms`"),
            );
            None
        }
        (Side::Metric { .. }, Side::Literal(q)) | (Side::Literal(q), Side::Metric { .. }) => {
            let m = if matches!(l, Side::Metric { .. }) {
                l
            } else {
                r
            };
            check_against_literal(table, m, q, sink)
        }
        (Side::Metric { span: sa, .. }, Side::Metric { span: sb, .. }) => {
            let (ua, ub) = (side_unit(table, l)?, side_unit(table, r)?);
            if ua.dimension() != ub.dimension() {
                sink.push(
                    Diagnostic::error(
                        Code::UNIT_MISMATCH,
                        format!(
                            "cannot compare {} ({}) with {} ({})",
                            ua.dimension(),
                            ua,
                            ub.dimension(),
                            ub
                        ),
                        *sa,
                    )
                    .label(format!("this is {} in {ua}", ua.dimension()))
                    .with_secondary(*sb, format!("this is {} in {ub}", ub.dimension()))
                    .help("compare metrics of the same kind, or declare the right unit with `metric NAME in UNIT`"),
                );
                return None;
            }
            Some(ua)
        }
    }
}

fn check_against_literal(
    table: &MetricTable,
    m: &Side,
    q: &Quantity,
    sink: &mut Sink,
) -> Option<Unit> {
    let Side::Metric { id, rate, span } = *m else {
        return None;
    };
    let slot = &table.metrics[id.0];
    let unit = side_unit(table, m)?;
    let name = &slot.metric.name;
    match &q.unit {
        None => {
            let needs_unit = matches!(unit.dimension(), Dimension::Time | Dimension::Ratio);
            if needs_unit && q.value.value != 0.0 {
                let suggestion = format!("{}{}", fmt_num(q.value.value), unit.symbol().trim());
                sink.push(
                    Diagnostic::error(Code::MISSING_UNIT, format!("`{}` has no unit", q.value.text), q.span)
                        .label("a number without a unit")
                        .with_secondary(span, format!("`{name}` is {} in {unit}", unit.dimension()))
                        .help(format!(
                            "write the unit, e.g. `{suggestion}`: a bare number is only allowed for counts and rates"
                        )),
                );
                return None;
            }
            Some(unit)
        }
        Some(lu) => {
            let lit = lu.node;
            if lit.dimension() == unit.dimension() {
                return Some(unit);
            }
            let what = if rate {
                format!("`rate({name}, …)` is a rate per second")
            } else {
                format!("`{name}` is {} in {unit}", unit.dimension())
            };
            let mut d = Diagnostic::error(
                Code::UNIT_MISMATCH,
                format!(
                    "unit mismatch: `{name}` is compared with {} here",
                    lit.dimension()
                ),
                q.span,
            )
            .label(format!("this is {} ({lit})", lit.dimension()))
            .with_secondary(span, what);
            if let Some(origin) = slot.unit_span {
                if origin != q.span {
                    d = d.with_secondary(origin, format!("`{name}` got its unit ({unit}) here"));
                }
            }
            sink.push(d.help(format!(
                "use one kind of unit for `{name}` everywhere, or bind another column with `metric NAME = column \"…\" in UNIT`"
            )));
            None
        }
    }
}

/// A metric operand that the checker already resolved.
pub(super) fn side_of(op: &Operand, rate: bool, id: Option<MetricId>) -> Side<'_> {
    match (op, id) {
        (Operand::Literal(q), _) => Side::Literal(q),
        (_, Some(id)) => Side::Metric {
            id,
            rate,
            span: op.span(),
        },
        _ => Side::Broken,
    }
}
