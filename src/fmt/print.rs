//! Printing AST nodes in the canonical form, one statement per line.

use crate::span::Span;
use crate::syntax::ast::*;
use crate::syntax::lex::{quote, trim_span};

pub fn item_span(src: &str, i: &Item) -> Span {
    let span = match i {
        Item::Replicas(r) => r.span,
        Item::Metric(m) => m.span,
        Item::OnMissing(m) => m.span,
        Item::Cooldown(v) => v
            .iter()
            .map(|d| d.direction.span.to(d.duration.span))
            .reduce(Span::to)
            .unwrap_or_default(),
        Item::Tick(d) => d.span,
        Item::Model(m) => m.span,
        Item::Rule(r) => r.span,
        Item::Target(t) => t.span,
        Item::Behavior(b) => b.span,
        Item::Schedule(d) => d.span,
        Item::Timezone(z) => z.span,
        Item::Kubernetes(k) => k.span,
        Item::Size(d) => d.span,
        Item::Resize(r) => r.span(),
        Item::SizeCooldown(v) => v
            .iter()
            .map(|d| d.direction.span.to(d.duration.span))
            .reduce(Span::to)
            .unwrap_or_default(),
        Item::Idle(d) => d.span,
        Item::Param(p) => p.span,
    };
    trim_span(src, span)
}

pub fn model_item_span(src: &str, m: &ModelItem) -> Span {
    trim_span(src, m.span())
}

/// A unit as the formatter writes it after a number: symbols attached (`300ms`, `75%`),
/// words after a space (`1000 rps`, `3 count`).
fn unit(u: Unit) -> &'static str {
    match u {
        Unit::Count => " count",
        other => other.symbol(),
    }
}

fn duration(d: &Duration) -> String {
    format!("{}{}", d.value.text, d.unit.map_or("", unit))
}

fn quantity(q: &Quantity) -> String {
    format!(
        "{}{}",
        q.value.text,
        q.unit.as_ref().map_or("", |u| unit(u.node))
    )
}

fn operand(o: &Operand) -> String {
    match o {
        Operand::Metric(m) => m.node.clone(),
        Operand::Aggregate(a) => format!(
            "{}({}, {})",
            a.func.node,
            a.metric.node,
            duration(&a.window)
        ),
        Operand::Literal(q) => quantity(q),
    }
}

pub fn comparison(c: &Comparison) -> String {
    format!(
        "{} {} {}",
        operand(&c.lhs),
        c.op.node.as_str(),
        operand(&c.rhs)
    )
}

fn prec(e: &Expr) -> u8 {
    match e {
        Expr::Or(..) => 0,
        Expr::And(..) => 1,
        Expr::Not(..) => 2,
        Expr::Compare(_) => 3,
    }
}

fn wrap(e: &Expr, min: u8) -> String {
    let s = expr(e);
    if prec(e) < min {
        format!("({s})")
    } else {
        s
    }
}

pub fn expr(e: &Expr) -> String {
    match e {
        Expr::Or(a, b, _) => format!("{} or {}", wrap(a, 0), wrap(b, 1)),
        Expr::And(a, b, _) => format!("{} and {}", wrap(a, 1), wrap(b, 2)),
        Expr::Not(a, _) => format!("not {}", wrap(a, 2)),
        Expr::Compare(c) => comparison(c),
    }
}

fn amount(a: &Amount) -> String {
    format!("{}{}", a.value.text, if a.percent { "%" } else { "" })
}

fn action(a: &Action) -> String {
    match a {
        Action::Out { amount: x, .. } => format!("scale out by {}", amount(x)),
        Action::In { amount: x, .. } => format!("scale in by {}", amount(x)),
        Action::To { count, .. } => format!("scale to {}", count.text),
        Action::Vertical {
            direction, step, ..
        } => {
            let d = size_direction(*direction);
            match step {
                SizeStep::One => format!("scale {d}"),
                SizeStep::By(x) => format!("scale {d} by {}", amount(x)),
                SizeStep::To(name) => format!("scale {d} to {}", name.node),
            }
        }
    }
}

fn direction(d: Direction) -> &'static str {
    match d {
        Direction::Out => "out",
        Direction::In => "in",
    }
}

fn missing(m: MissingMode) -> &'static str {
    match m {
        MissingMode::False => "false",
        MissingMode::True => "true",
        MissingMode::Hold => "hold",
        MissingMode::Skip => "skip",
    }
}

pub fn rule(r: &Rule) -> String {
    let mut s = format!("when {}", expr(&r.condition));
    match &r.sustain {
        Some(Sustain::For { duration: d, .. }) => s.push_str(&format!(" for {}", duration(d))),
        Some(Sustain::MOfN { m, window, .. }) => {
            s.push_str(&format!(" for {} of {}", m.text, duration(window)))
        }
        None => {}
    }
    s.push(' ');
    s.push_str(&action(&r.action));
    if let Some(c) = &r.cooldown {
        s.push_str(&format!(", cooldown {}", duration(c)));
    }
    s
}

pub fn item(i: &Item) -> String {
    match i {
        Item::Replicas(r) => {
            let mut s = format!("replicas {}..{}", r.min.text, r.max.text);
            if let Some(st) = &r.start {
                s.push_str(&format!(", start {}", st.text));
            }
            s
        }
        Item::Metric(m) => {
            let mut s = format!("metric {}", m.name.node);
            if m.binding.column.is_some() || m.binding.promql.is_some() {
                s.push_str(&format!(" = {}", binding(&m.binding)));
            }
            if let Some(u) = &m.unit {
                s.push_str(&format!(" in {}", unit(u.node).trim()));
            }
            if m.per_replica.is_some() {
                s.push_str(" per replica");
            }
            s
        }
        Item::OnMissing(m) => format!("on missing {}", missing(m.node)),
        Item::Cooldown(v) => {
            let parts: Vec<String> = v
                .iter()
                .map(|d| format!("{} {}", direction(d.direction.node), duration(&d.duration)))
                .collect();
            format!("cooldown {}", parts.join(", "))
        }
        Item::Tick(d) => format!("tick {}", duration(d)),
        Item::Model(_) => "model {".into(),
        Item::Rule(r) => rule(r),
        Item::Target(t) => target(t),
        Item::Behavior(b) => behavior(b),
        Item::Schedule(d) => schedule(d),
        Item::Timezone(z) => format!("timezone {}", z.node),
        Item::Kubernetes(_) => "kubernetes {".into(),
        Item::Size(d) => size(d),
        Item::Resize(ResizeDecl::InPlace(_)) => "resize in place".into(),
        Item::Resize(ResizeDecl::Restart {
            restart, at_a_time, ..
        }) => match at_a_time {
            Some(n) => format!("resize restart {}, {} at a time", duration(restart), n.text),
            None => format!("resize restart {}", duration(restart)),
        },
        Item::SizeCooldown(v) => {
            let parts: Vec<String> = v
                .iter()
                .map(|d| {
                    format!(
                        "{} {}",
                        size_direction(d.direction.node),
                        duration(&d.duration)
                    )
                })
                .collect();
            format!("cooldown {}", parts.join(", "))
        }
        Item::Idle(d) => idle(d),
        Item::Param(p) => param(p),
    }
}

/// `size NAME capacity …, price …, start`: clauses in that order.
fn size(d: &SizeDecl) -> String {
    let mut parts: Vec<String> = d
        .capacity
        .iter()
        .map(|(c, _)| match c {
            SizeCapacity::Times(n) => format!("capacity {}x", n.text),
            SizeCapacity::Absolute(q) => format!("capacity {}", quantity(q)),
        })
        .collect();
    parts.extend(
        d.price
            .iter()
            .map(|p| format!("price {} per replica-hour", p.text)),
    );
    parts.extend(d.start.iter().map(|_| "start".to_string()));
    format!("size {} {}", d.name.node, parts.join(", "))
}

fn size_direction(d: SizeDirection) -> &'static str {
    match d {
        SizeDirection::Up => "up",
        SizeDirection::Down => "down",
    }
}

fn idle(d: &IdleDecl) -> String {
    let mut s = format!("idle to {}", d.to.text);
    if let Some(a) = &d.after {
        s.push_str(&format!(" after {}", duration(a)));
    }
    if let Some(c) = &d.check_every {
        s.push_str(&format!(", check every {}", duration(c)));
    }
    s
}

/// `param thr = 300ms in 200ms..500ms step 50ms`
pub fn param(p: &ParamDecl) -> String {
    let range = match &p.range {
        ParamRange::Span {
            low, high, step, ..
        } => {
            let mut s = format!("{}..{}", quantity(low), quantity(high));
            if let Some(st) = step {
                s.push_str(&format!(" step {}", quantity(st)));
            }
            s
        }
        ParamRange::List(values, _) => {
            let v: Vec<String> = values.iter().map(quantity).collect();
            format!("[{}]", v.join(", "))
        }
    };
    format!(
        "param {} = {} in {range}",
        p.name.node,
        quantity(&p.default)
    )
}

fn target(t: &TargetDecl) -> String {
    let mut s = format!("target {} at {}", operand(&t.operand), quantity(&t.value));
    if t.per_replica.is_some() {
        s.push_str(" per replica");
    }
    if let Some(a) = &t.activation {
        s.push_str(&format!(", active above {}", quantity(a)));
    }
    s
}

fn behavior(b: &BehaviorDecl) -> String {
    let mut s = "behavior".to_string();
    if let Some(d) = &b.direction {
        s.push(' ');
        s.push_str(direction(d.node));
    }
    let clauses: Vec<String> = b
        .clauses
        .iter()
        .map(|c| match c {
            BehaviorClause::Stabilize(d, _) => format!("stabilize {}", duration(d)),
            BehaviorClause::Policy {
                value,
                percent: true,
                period,
                ..
            } => format!("at most {}% per {}", value.text, duration(period)),
            BehaviorClause::Policy { value, period, .. } => {
                let word = if value.text == "1" {
                    "replica"
                } else {
                    "replicas"
                };
                format!("at most {} {word} per {}", value.text, duration(period))
            }
            BehaviorClause::Select(m) => format!(
                "select {}",
                match m.node {
                    SelectMode::Max => "max",
                    SelectMode::Min => "min",
                    SelectMode::Disabled => "disabled",
                }
            ),
            BehaviorClause::Tolerance(n, _) => format!("tolerance {}%", n.text),
        })
        .collect();
    if !clauses.is_empty() {
        s.push(' ');
        s.push_str(&clauses.join(", "));
    }
    s
}

fn schedule(d: &ScheduleDecl) -> String {
    let mut s = "schedule ".to_string();
    match &d.when {
        ScheduleWhen::Weekly { days, from, to } => {
            let sets: Vec<String> = days
                .iter()
                .map(|x| match x {
                    DaySet::Group(g) => g.node.clone(),
                    DaySet::Range(a, None) => a.node.clone(),
                    DaySet::Range(a, Some(b)) => format!("{}-{}", a.node, b.node),
                })
                .collect();
            s.push_str(&format!(
                "{} from {} to {}",
                sets.join(","),
                from.node,
                to.node
            ));
        }
        ScheduleWhen::Span {
            from_day,
            from,
            to_day,
            to,
        } => s.push_str(&format!(
            "from {} {} to {} {}",
            from_day.node, from.node, to_day.node, to.node
        )),
        ScheduleWhen::Once {
            from_date,
            from_time,
            to_date,
            to_time,
        } => {
            let at = |d: &crate::span::Spanned<String>,
                      t: &Option<crate::span::Spanned<String>>| {
                match t {
                    Some(t) => format!("{} {}", d.node, t.node),
                    None => d.node.clone(),
                }
            };
            s.push_str(&format!(
                "from {} to {}",
                at(from_date, from_time),
                at(to_date, to_time)
            ));
        }
    }
    if let Some(z) = &d.zone {
        s.push_str(&format!(" in {}", z.node));
    }
    let bounds: Vec<String> = d
        .bounds
        .iter()
        .map(|b| {
            let word = match b.kind {
                BoundKind::AtLeast => "at least",
                BoundKind::AtMost => "at most",
                BoundKind::Propose => "propose",
            };
            format!("{word} {}", b.count.text)
        })
        .collect();
    s.push(' ');
    s.push_str(&bounds.join(", "));
    s
}

pub fn model_item(src: &str, m: &ModelItem) -> String {
    match m {
        ModelItem::Demand(d) => format!("demand {}", d.node),
        ModelItem::Capacity(q, _) => format!("capacity {} per replica", quantity(q)),
        ModelItem::Startup(d, _) => format!("startup {}", duration(d)),
        ModelItem::Price(n, _) => format!("price {} per replica-hour", n.text),
        ModelItem::Recorded(b, _) => format!("recorded replicas = {}", binding(b)),
        ModelItem::Utilization(u, _) => format!("utilization {}", u.node),
        ModelItem::Latency { metric, base, .. } => match base {
            Some(b) => format!("latency {} base {}", metric.node, duration(b)),
            None => format!("latency {}", metric.node),
        },
        ModelItem::Slo(c, _) => {
            let _ = src;
            format!("slo {}", comparison(c))
        }
    }
}

/// `column "…"`, `promql "…"` or both, strings escaped.
fn binding(b: &Binding) -> String {
    let parts: Vec<String> = [("column", &b.column), ("promql", &b.promql)]
        .into_iter()
        .filter_map(|(kw, text)| text.as_ref().map(|t| format!("{kw} {}", quote(&t.node))))
        .collect();
    parts.join(", ")
}
