//! Reasoning about conditions without running them.
//!
//! Every comparison a lint reasons about sets one variable (a metric or an aggregate)
//! against a constant, so a condition's truth is constant between two consecutive
//! thresholds of each variable. Evaluating it at every threshold and at one point inside
//! every gap (metrics are never negative) therefore decides satisfiability, validity and
//! implication exactly. Conditions comparing two variables are left alone (`None`).

use crate::ir::{AggregateId, CmpOp, Compare, Cond, MetricId, Service, Value};
use std::collections::BTreeMap;

/// A variable a condition constrains.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Var {
    Metric(usize),
    Aggregate(usize),
}

impl Var {
    pub fn value(self) -> Value {
        match self {
            Var::Metric(m) => Value::Metric(MetricId(m)),
            Var::Aggregate(a) => Value::Aggregate(AggregateId(a)),
        }
    }

    /// The metric the variable reads.
    pub fn metric(self, s: &Service) -> Option<usize> {
        match self {
            Var::Metric(m) => Some(m),
            Var::Aggregate(a) => s.aggregates.get(a).map(|a| a.metric.0),
        }
    }
}

/// The display name of a value: `cpu`, `avg(cpu, 5m)`, `0.75`.
pub fn value_name(s: &Service, v: &Value) -> String {
    match v {
        Value::Metric(m) => s.metrics.get(m.0).map_or("?".into(), |m| m.name.clone()),
        Value::Aggregate(a) => match s.aggregates.get(a.0) {
            Some(agg) => format!(
                "{}({}, {})",
                agg.func.name(),
                s.metrics.get(agg.metric.0).map_or("?", |m| m.name.as_str()),
                show_ms(agg.window)
            ),
            None => "?".into(),
        },
        Value::Const(c) => crate::units::fmt_num(*c),
    }
}

/// The tick the tick lints (W213, W216, W217) compare with: the declared `tick`, else the
/// 15 s sync period a service with a `target` is evaluated at in backtests
/// ([`Service::backtest_tick`]); `None` for a service evaluated at every sample. The flag
/// says whether the tick was declared.
pub fn lint_tick(ir: &Service) -> Option<(i64, bool)> {
    let tick = ir.backtest_tick().filter(|t| *t > 0)?;
    Some((tick, ir.tick.is_some()))
}

/// A tick lint's finding, saying where an undeclared tick comes from.
pub fn on_default_tick(
    d: crate::diagnostics::Diagnostic,
    declared: bool,
) -> crate::diagnostics::Diagnostic {
    if declared {
        return d;
    }
    let help = d.help.clone().unwrap_or_default();
    d.help(format!(
        "{help}; no `tick` is declared, and a service with a `target` is evaluated every {} in backtests (the HPA's sync period)",
        show_ms(crate::ir::TARGET_TRACKING_TICK)
    ))
}

/// `300000` → `5m`, `90000` → `90s`, `1500` → `1500ms`.
pub fn show_ms(ms: i64) -> String {
    if ms != 0 && ms % 3_600_000 == 0 {
        format!("{}h", ms / 3_600_000)
    } else if ms != 0 && ms % 60_000 == 0 {
        format!("{}m", ms / 60_000)
    } else if ms % 1000 == 0 {
        format!("{}s", ms / 1000)
    } else {
        format!("{ms}ms")
    }
}

/// A comparison as `var OP const`, sides normalised.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Atom {
    pub var: Var,
    pub op: CmpOp,
    pub c: f64,
}

fn var_of(v: &Value) -> Option<Var> {
    match v {
        Value::Metric(m) => Some(Var::Metric(m.0)),
        Value::Aggregate(a) => Some(Var::Aggregate(a.0)),
        Value::Const(_) => None,
    }
}

/// A comparison as an atom, when one side is a constant and the other a variable.
pub fn atom(c: &Compare) -> Option<Atom> {
    match (&c.lhs, &c.rhs) {
        (l, Value::Const(k)) => Some(Atom {
            var: var_of(l)?,
            op: c.op,
            c: *k,
        }),
        (Value::Const(k), r) => Some(Atom {
            var: var_of(r)?,
            op: c.op.flipped(),
            c: *k,
        }),
        _ => None,
    }
}

impl Atom {
    pub fn holds(&self, x: f64) -> bool {
        match self.op {
            CmpOp::Gt => x > self.c,
            CmpOp::Ge => x >= self.c,
            CmpOp::Lt => x < self.c,
            CmpOp::Le => x <= self.c,
            CmpOp::Eq => x == self.c,
            CmpOp::Ne => x != self.c,
        }
    }
}

/// Every atom in a condition; `None` when a comparison is not an atom.
pub fn atoms(c: &Cond) -> Option<Vec<(Atom, &Compare)>> {
    let mut out = Vec::new();
    fn go<'a>(c: &'a Cond, out: &mut Vec<(Atom, &'a Compare)>) -> Option<()> {
        match c {
            Cond::Compare(cmp) => out.push((atom(cmp)?, cmp)),
            Cond::And(a, b) | Cond::Or(a, b) => {
                go(a, out)?;
                go(b, out)?;
            }
            Cond::Not(a) => go(a, out)?,
        }
        Some(())
    }
    go(c, &mut out)?;
    Some(out)
}

/// The top-level conjuncts of a condition.
pub fn conjuncts(c: &Cond) -> Vec<&Cond> {
    match c {
        Cond::And(a, b) => {
            let mut v = conjuncts(a);
            v.extend(conjuncts(b));
            v
        }
        other => vec![other],
    }
}

/// An assignment of values to variables.
pub type Point = BTreeMap<Var, f64>;

pub fn eval(c: &Cond, p: &Point) -> bool {
    match c {
        Cond::Compare(cmp) => match atom(cmp) {
            Some(a) => p.get(&a.var).is_some_and(|x| a.holds(*x)),
            None => false,
        },
        Cond::And(a, b) => eval(a, p) && eval(b, p),
        Cond::Or(a, b) => eval(a, p) || eval(b, p),
        Cond::Not(a) => !eval(a, p),
    }
}

/// The most points [`points`] enumerates before giving up.
const MAX_POINTS: usize = 50_000;

/// Representative points for the conditions together, or `None` when one is not
/// made of atoms or there would be too many.
pub fn points(conds: &[&Cond]) -> Option<Vec<Point>> {
    let mut thresholds: BTreeMap<Var, Vec<f64>> = BTreeMap::new();
    for c in conds {
        for (a, _) in atoms(c)? {
            if !a.c.is_finite() {
                return None;
            }
            thresholds.entry(a.var).or_default().push(a.c);
        }
    }
    let mut axes: Vec<(Var, Vec<f64>)> = Vec::new();
    let mut total: usize = 1;
    for (var, mut ts) in thresholds {
        ts.push(0.0);
        ts.retain(|t| *t >= 0.0);
        ts.sort_by(f64::total_cmp);
        ts.dedup();
        let mut vals = Vec::new();
        for (i, t) in ts.iter().enumerate() {
            vals.push(*t);
            let next = ts.get(i + 1).copied().unwrap_or(t + 1.0 + t.abs());
            vals.push((t + next) / 2.0);
        }
        total = total.checked_mul(vals.len())?;
        if total > MAX_POINTS {
            return None;
        }
        axes.push((var, vals));
    }
    let mut out = vec![Point::new()];
    for (var, vals) in axes {
        let mut next = Vec::with_capacity(out.len() * vals.len());
        for p in &out {
            for v in &vals {
                let mut q = p.clone();
                q.insert(var, *v);
                next.push(q);
            }
        }
        out = next;
    }
    Some(out)
}

/// Whether no values make `c` true (`None`: cannot tell).
pub fn unsatisfiable(c: &Cond) -> Option<bool> {
    Some(!points(&[c])?.iter().any(|p| eval(c, p)))
}

/// Whether every value makes `c` true (`None`: cannot tell).
pub fn always_true(c: &Cond) -> Option<bool> {
    Some(points(&[c])?.iter().all(|p| eval(c, p)))
}

/// Whether `a` being true implies `b` is true (`None`: cannot tell).
pub fn implies(a: &Cond, b: &Cond) -> Option<bool> {
    Some(points(&[a, b])?.iter().all(|p| !eval(a, p) || eval(b, p)))
}

/// The lowest value of `metric` (or an aggregate of it) that the top-level conjuncts of
/// `c` demand (`m > 0.75` → `(0.75, Gt, compare)`), if any.
pub fn lower_bound<'a>(
    s: &Service,
    c: &'a Cond,
    metric: usize,
) -> Option<(f64, CmpOp, &'a Compare)> {
    bound(s, c, metric, true)
}

/// The highest value of `metric` the top-level conjuncts of `c` allow (`m < 0.3`).
pub fn upper_bound<'a>(
    s: &Service,
    c: &'a Cond,
    metric: usize,
) -> Option<(f64, CmpOp, &'a Compare)> {
    bound(s, c, metric, false)
}

fn bound<'a>(
    s: &Service,
    c: &'a Cond,
    metric: usize,
    lower: bool,
) -> Option<(f64, CmpOp, &'a Compare)> {
    let mut best: Option<(f64, CmpOp, &Compare)> = None;
    for conj in conjuncts(c) {
        let Cond::Compare(cmp) = conj else { continue };
        let Some(a) = atom(cmp) else { continue };
        if a.var.metric(s) != Some(metric) {
            continue;
        }
        let fits = if lower {
            matches!(a.op, CmpOp::Gt | CmpOp::Ge)
        } else {
            matches!(a.op, CmpOp::Lt | CmpOp::Le)
        };
        if !fits {
            continue;
        }
        let tighter = match best {
            None => true,
            Some((b, _, _)) => {
                if lower {
                    a.c > b
                } else {
                    a.c < b
                }
            }
        };
        if tighter {
            best = Some((a.c, a.op, cmp));
        }
    }
    best
}

/// Structural equality of conditions, spans ignored.
pub fn same_cond(a: &Cond, b: &Cond) -> bool {
    match (a, b) {
        (Cond::Compare(x), Cond::Compare(y)) => x.lhs == y.lhs && x.op == y.op && x.rhs == y.rhs,
        (Cond::And(a1, a2), Cond::And(b1, b2)) | (Cond::Or(a1, a2), Cond::Or(b1, b2)) => {
            same_cond(a1, b1) && same_cond(a2, b2)
        }
        (Cond::Not(x), Cond::Not(y)) => same_cond(x, y),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cond(src: &str) -> (Service, Cond) {
        let text = format!("replicas 1..10\nmetric cpu in %\nmetric p95 in ms\nwhen {src} scale out by 1\nwhen cpu < 1% scale in by 1\n");
        let c = crate::compile(&text, "t");
        let p = c.program.expect("compiles");
        let s = p.services.into_iter().next().expect("service");
        let r = s.rules[0].condition.clone();
        (s, r)
    }

    #[test]
    fn unsat_and_valid() {
        assert_eq!(
            unsatisfiable(&cond("cpu > 80% and cpu < 50%").1),
            Some(true)
        );
        assert_eq!(
            unsatisfiable(&cond("cpu > 50% and cpu < 80%").1),
            Some(false)
        );
        assert_eq!(always_true(&cond("cpu >= 0%").1), Some(true));
        assert_eq!(always_true(&cond("cpu > 5% or cpu <= 5%").1), Some(true));
        assert_eq!(always_true(&cond("cpu > 5% or p95 <= 5ms").1), Some(false));
    }

    #[test]
    fn implication() {
        let (_, a) = cond("cpu > 90% and p95 > 100ms");
        let (_, b) = cond("cpu > 80%");
        assert_eq!(implies(&a, &b), Some(true));
        assert_eq!(implies(&b, &a), Some(false));
    }

    #[test]
    fn bounds() {
        let (s, c) = cond("cpu > 70% and cpu > 80% and p95 < 1s");
        let cpu = s.metric("cpu").map(|m| m.0).unwrap_or(99);
        assert_eq!(lower_bound(&s, &c, cpu).map(|b| b.0), Some(0.8));
        assert!(upper_bound(&s, &c, cpu).is_none());
    }
}
