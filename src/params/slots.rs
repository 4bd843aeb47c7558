//! Every place a number stands in a statement, by what it must be: a quantity (its
//! unit from the parameter), a duration, a plain count, or an amount (a count or a
//! percentage). One walk serves binding and finding the uses.

use super::Param;
use crate::diagnostics::{Code, Diagnostic};
use crate::span::Spanned;
use crate::syntax::ast::*;
use crate::units::{Dimension, Unit};

/// A number and what stands around it.
pub enum Slot<'a> {
    /// `p95 > $thr`, `target cpu at $t`, `capacity $c per replica`: the unit too
    Quantity(&'a mut Quantity),
    /// `for $w`, `cooldown $c`, `avg(cpu, $w)`: a duration
    Duration(&'a mut Duration),
    /// `replicas $min..$max`, `scale to $n`, `for $m of 5m`, `price $p …`: a plain number
    Count(&'a mut Number),
    /// `scale out by $n` / `by $p` with `$p` in %
    Amount(&'a mut Amount),
}

impl Slot<'_> {
    pub fn number(&self) -> &Number {
        match self {
            Slot::Quantity(q) => &q.value,
            Slot::Duration(d) => &d.value,
            Slot::Count(n) => n,
            Slot::Amount(a) => &a.value,
        }
    }

    /// Writes `v` (in `p`'s unit) into the slot, or says why `p` cannot stand here.
    pub fn set(&mut self, p: &Param, v: f64) -> Result<(), Box<Diagnostic>> {
        let dim = p.unit.map(Unit::dimension);
        let span = self.number().span;
        let mismatch = |wanted: &str, help: &str| {
            Box::new(
                Diagnostic::error(
                    Code::PARAM_UNIT_MISMATCH,
                    format!(
                        "`${}` is {}, but {wanted} stands here",
                        p.name,
                        dim.map_or("a plain number".to_string(), |d| d.to_string())
                    ),
                    span,
                )
                .label(format!("{wanted} expected"))
                .with_secondary(p.span, format!("`${}` is declared here", p.name))
                .help(help.to_string()),
            )
        };
        match self {
            Slot::Quantity(q) => {
                // A unit of its own span was written; one spanning the number was bound.
                if let Some(u) = q.unit.as_ref().filter(|u| u.span != q.value.span) {
                    return Err(Box::new(
                        Diagnostic::error(
                            Code::MISPLACED_PARAM_REFERENCE,
                            format!("a unit after `${}`, which carries its own", p.name),
                            u.span,
                        )
                        .label("remove this unit")
                        .with_secondary(p.span, format!("`${}` is declared here", p.name))
                        .help("a parameter's unit is the unit of its default: write `$NAME` alone"),
                    ));
                }
                q.value.value = v;
                q.unit = p.unit.map(|u| Spanned::new(u, q.value.span));
            }
            Slot::Duration(d) => {
                if dim != Some(Dimension::Time) {
                    return Err(mismatch(
                        "a duration",
                        "give the parameter a duration as its values, e.g. `param w = 2m in 1m..5m`",
                    ));
                }
                d.value.value = v;
                d.unit = p.unit;
            }
            Slot::Count(n) => {
                if !matches!(p.unit, None | Some(Unit::Count)) {
                    return Err(mismatch(
                        "a plain number",
                        "give the parameter plain numbers as its values, e.g. `param n = 2 in 1..4`",
                    ));
                }
                n.value = v;
            }
            Slot::Amount(a) => {
                match p.unit {
                    None | Some(Unit::Count) => {}
                    Some(Unit::Percent) => a.percent = true,
                    Some(_) => {
                        return Err(mismatch(
                            "a replica count or a percentage",
                            "give the parameter plain numbers or percentages, e.g. `param n = 2 in 1..4`",
                        ))
                    }
                }
                a.value.value = v;
            }
        }
        Ok(())
    }
}

/// Calls `f` on every number slot of `item`, in source order.
pub fn for_each(item: &mut Item, f: &mut dyn FnMut(Slot<'_>)) {
    match item {
        Item::Replicas(r) => {
            f(Slot::Count(&mut r.min));
            f(Slot::Count(&mut r.max));
            if let Some(s) = &mut r.start {
                f(Slot::Count(s));
            }
        }
        Item::Cooldown(list) => {
            for dc in list {
                f(Slot::Duration(&mut dc.duration));
            }
        }
        Item::Tick(d) => f(Slot::Duration(d)),
        Item::Model(m) => {
            for mi in &mut m.items {
                model_item(mi, f);
            }
        }
        Item::Rule(r) => {
            expr(&mut r.condition, f);
            match &mut r.sustain {
                Some(Sustain::For { duration, .. }) => f(Slot::Duration(duration)),
                Some(Sustain::MOfN { m, window, .. }) => {
                    f(Slot::Count(m));
                    f(Slot::Duration(window));
                }
                None => {}
            }
            match &mut r.action {
                Action::Out { amount, .. } | Action::In { amount, .. } => f(Slot::Amount(amount)),
                Action::To { count, .. } => f(Slot::Count(count)),
                Action::Vertical {
                    step: SizeStep::By(amount),
                    ..
                } => f(Slot::Amount(amount)),
                Action::Vertical { .. } => {}
            }
            if let Some(c) = &mut r.cooldown {
                f(Slot::Duration(c));
            }
        }
        Item::Target(t) => {
            operand(&mut t.operand, f);
            f(Slot::Quantity(&mut t.value));
            if let Some(a) = &mut t.activation {
                f(Slot::Quantity(a));
            }
        }
        Item::Behavior(b) => {
            for c in &mut b.clauses {
                match c {
                    BehaviorClause::Stabilize(d, _) => f(Slot::Duration(d)),
                    BehaviorClause::Policy { value, period, .. } => {
                        f(Slot::Count(value));
                        f(Slot::Duration(period));
                    }
                    BehaviorClause::Tolerance(n, _) => f(Slot::Count(n)),
                    BehaviorClause::Select(_) => {}
                }
            }
        }
        Item::Schedule(d) => {
            for b in &mut d.bounds {
                f(Slot::Count(&mut b.count));
            }
        }
        Item::Param(p) => {
            f(Slot::Quantity(&mut p.default));
            match &mut p.range {
                ParamRange::Span {
                    low, high, step, ..
                } => {
                    f(Slot::Quantity(low));
                    f(Slot::Quantity(high));
                    if let Some(s) = step {
                        f(Slot::Quantity(s));
                    }
                }
                ParamRange::List(values, _) => {
                    for q in values {
                        f(Slot::Quantity(q));
                    }
                }
            }
        }
        Item::Size(d) => {
            for (c, _) in &mut d.capacity {
                match c {
                    SizeCapacity::Times(n) => f(Slot::Count(n)),
                    SizeCapacity::Absolute(q) => f(Slot::Quantity(q)),
                }
            }
            for n in &mut d.price {
                f(Slot::Count(n));
            }
        }
        Item::Resize(ResizeDecl::Restart {
            restart, at_a_time, ..
        }) => {
            f(Slot::Duration(restart));
            if let Some(n) = at_a_time {
                f(Slot::Count(n));
            }
        }
        Item::SizeCooldown(v) => {
            for c in v {
                f(Slot::Duration(&mut c.duration));
            }
        }
        Item::Idle(d) => {
            f(Slot::Count(&mut d.to));
            if let Some(a) = &mut d.after {
                f(Slot::Duration(a));
            }
            if let Some(c) = &mut d.check_every {
                f(Slot::Duration(c));
            }
        }
        Item::Metric(_)
        | Item::OnMissing(_)
        | Item::Timezone(_)
        | Item::Kubernetes(_)
        | Item::Resize(ResizeDecl::InPlace(_)) => {}
    }
}

fn model_item(mi: &mut ModelItem, f: &mut dyn FnMut(Slot<'_>)) {
    match mi {
        ModelItem::Capacity(q, _) => f(Slot::Quantity(q)),
        ModelItem::Startup(d, _) => f(Slot::Duration(d)),
        ModelItem::Price(n, _) => f(Slot::Count(n)),
        ModelItem::Latency { base: Some(d), .. } => f(Slot::Duration(d)),
        ModelItem::Slo(c, _) => comparison(c, f),
        ModelItem::Demand(_)
        | ModelItem::Recorded(..)
        | ModelItem::Utilization(..)
        | ModelItem::Latency { base: None, .. } => {}
    }
}

fn expr(e: &mut Expr, f: &mut dyn FnMut(Slot<'_>)) {
    match e {
        Expr::Or(a, b, _) | Expr::And(a, b, _) => {
            expr(a, f);
            expr(b, f);
        }
        Expr::Not(a, _) => expr(a, f),
        Expr::Compare(c) => comparison(c, f),
    }
}

fn comparison(c: &mut Comparison, f: &mut dyn FnMut(Slot<'_>)) {
    operand(&mut c.lhs, f);
    operand(&mut c.rhs, f);
}

fn operand(o: &mut Operand, f: &mut dyn FnMut(Slot<'_>)) {
    match o {
        Operand::Literal(q) => f(Slot::Quantity(q)),
        Operand::Aggregate(a) => f(Slot::Duration(&mut a.window)),
        Operand::Metric(_) => {}
    }
}
