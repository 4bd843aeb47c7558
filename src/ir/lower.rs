//! Stage 3: checked AST → IR ([`lower`]). Everything was validated by the checker; this
//! only converts (units to SI, durations to ms, shared aggregates deduplicated).

use super::*;
use crate::check::{duration_ms, parse_function, Checked, CheckedService};
use crate::span::line_col;
use crate::syntax::ast::{self, Item, ModelItem, Operand};
use crate::syntax::lex::fold_ws;

/// Lowers a checked file.
pub fn lower(file: &ast::File, checked: &Checked, src: &str) -> Program {
    let services = file
        .services
        .iter()
        .zip(&checked.services)
        .map(|(s, c)| {
            Lowerer {
                c,
                src,
                aggregates: Vec::new(),
            }
            .service(s)
        })
        .collect();
    Program { services }
}

fn vertical_by(up: bool, steps: u32) -> Action {
    if up {
        Action::UpBy(steps)
    } else {
        Action::DownBy(steps)
    }
}

struct Lowerer<'a> {
    c: &'a CheckedService,
    src: &'a str,
    aggregates: Vec<Aggregate>,
}

impl Lowerer<'_> {
    fn service(mut self, s: &ast::Service) -> Service {
        let mut rules = Vec::new();
        let mut model = None;
        let mut targets = Vec::new();
        let mut schedules = Vec::new();
        let mut kubernetes = Vec::new();
        for item in &s.items {
            match item {
                Item::Rule(r) => {
                    let id = RuleId(rules.len());
                    rules.push(self.rule(r, id));
                }
                Item::Model(m) => model = self.model(m),
                Item::Target(t) => {
                    if let Some(kind) = self.c.targets.get(targets.len()) {
                        let unit = kind.unit;
                        targets.push(Target {
                            operand: self.value(&t.operand, unit),
                            source: kind.source,
                            goal: kind.goal,
                            unit,
                            activation: kind.activation,
                            text: fold_ws(t.span.text(self.src)),
                            line: line_col(self.src, t.span.start).0,
                            span: t.span,
                        });
                    }
                }
                Item::Schedule(d) => {
                    if let Some(spec) = self.c.schedules.get(schedules.len()) {
                        schedules.push(ScheduleEntry {
                            calendar: spec.calendar,
                            zone: spec.zone.clone(),
                            zone_written: spec.zone_written,
                            floor: spec.floor,
                            ceiling: spec.ceiling,
                            propose: spec.propose,
                            text: fold_ws(d.span.text(self.src)),
                            line: line_col(self.src, d.span.start).0,
                            span: d.span,
                        });
                    }
                }
                Item::Kubernetes(k) => {
                    kubernetes.extend(k.lines.iter().map(|l| l.node.clone()));
                }
                _ => {}
            }
        }
        let targets = (!targets.is_empty()).then(|| Targets {
            line: targets.first().map_or(0, |t: &Target| t.line),
            targets,
            behavior: self.c.behavior.clone(),
        });
        Service {
            name: self.c.name.clone(),
            min: self.c.min,
            max: self.c.max,
            start: self.c.start,
            on_missing: self.c.on_missing,
            cooldown_out: self.c.cooldown_out,
            cooldown_in: self.c.cooldown_in,
            tick: self.c.tick,
            metrics: self.c.metrics.clone(),
            aggregates: self.aggregates,
            rules,
            targets,
            schedules,
            timezone: self.c.timezone.clone(),
            model,
            kubernetes,
            idle: self.c.idle.clone(),
            span: s.span,
            ladder: self.c.ladder.clone(),
        }
    }

    fn rule(&mut self, r: &ast::Rule, id: RuleId) -> Rule {
        let sustain = match &r.sustain {
            None => Sustain::Immediate,
            Some(ast::Sustain::For { duration, .. }) => match duration_ms(duration).unwrap_or(0) {
                0 => Sustain::Immediate,
                d => Sustain::For(d),
            },
            Some(ast::Sustain::MOfN { m, window, .. }) => Sustain::MOfN {
                m: m.value.max(1.0) as u32,
                window: duration_ms(window).unwrap_or(0),
            },
        };
        let action = match &r.action {
            ast::Action::Out { amount, .. } if amount.percent => {
                Action::OutByPercent(amount.value.value)
            }
            ast::Action::Out { amount, .. } => Action::OutBy(amount.value.value as u32),
            ast::Action::In { amount, .. } if amount.percent => {
                Action::InByPercent(amount.value.value)
            }
            ast::Action::In { amount, .. } => Action::InBy(amount.value.value as u32),
            ast::Action::To { count, .. } => Action::To(count.value as u32),
            ast::Action::Vertical {
                direction, step, ..
            } => {
                let up = *direction == ast::SizeDirection::Up;
                match step {
                    ast::SizeStep::One => vertical_by(up, 1),
                    ast::SizeStep::By(a) => vertical_by(up, a.value.value as u32),
                    ast::SizeStep::To(name) => {
                        // The checker resolved the name; kept total.
                        let i = self
                            .c
                            .ladder
                            .as_ref()
                            .and_then(|l| l.index(&name.node))
                            .unwrap_or(0) as u32;
                        if up {
                            Action::UpTo(i)
                        } else {
                            Action::DownTo(i)
                        }
                    }
                }
            }
        };
        Rule {
            id,
            text: fold_ws(r.span.text(self.src)),
            span: r.span,
            line: line_col(self.src, r.span.start).0,
            condition: self.cond(&r.condition),
            sustain,
            action,
            cooldown: r.cooldown.as_ref().and_then(duration_ms).unwrap_or(0),
        }
    }

    fn cond(&mut self, e: &ast::Expr) -> Cond {
        match e {
            ast::Expr::Or(a, b, _) => Cond::Or(Box::new(self.cond(a)), Box::new(self.cond(b))),
            ast::Expr::And(a, b, _) => Cond::And(Box::new(self.cond(a)), Box::new(self.cond(b))),
            ast::Expr::Not(a, _) => Cond::Not(Box::new(self.cond(a))),
            ast::Expr::Compare(c) => Cond::Compare(self.compare(c)),
        }
    }

    fn compare(&mut self, c: &ast::Comparison) -> Compare {
        let unit = self
            .c
            .compare_unit
            .get(&c.span)
            .copied()
            .unwrap_or(crate::units::Unit::Count);
        // Values are shown in the unit the user wrote on the literal (`utilization >
        // 71%` shows `71%`), else in the metric's.
        let written = [&c.lhs, &c.rhs].into_iter().find_map(|o| match o {
            Operand::Literal(q) => q
                .unit
                .as_ref()
                .map(|u| u.node)
                .filter(|u| u.dimension() == unit.dimension()),
            _ => None,
        });
        Compare {
            lhs: self.value(&c.lhs, unit),
            op: c.op.node,
            rhs: self.value(&c.rhs, unit),
            unit: written.unwrap_or(unit),
            span: c.span,
        }
    }

    fn value(&mut self, op: &Operand, unit: crate::units::Unit) -> Value {
        match op {
            Operand::Literal(q) => {
                let u = q.unit.as_ref().map_or(unit, |u| u.node);
                Value::Const(u.to_si(q.value.value))
            }
            Operand::Metric(m) => Value::Metric(
                self.c
                    .operand_metric
                    .get(&m.span)
                    .copied()
                    .unwrap_or(MetricId(0)),
            ),
            Operand::Aggregate(a) => {
                let agg = Aggregate {
                    func: parse_function(&a.func.node).unwrap_or(AggFunc::Avg),
                    metric: self
                        .c
                        .operand_metric
                        .get(&a.span)
                        .copied()
                        .unwrap_or(MetricId(0)),
                    window: duration_ms(&a.window).unwrap_or(0),
                };
                let id = match self.aggregates.iter().position(|x| *x == agg) {
                    Some(i) => i,
                    None => {
                        self.aggregates.push(agg);
                        self.aggregates.len() - 1
                    }
                };
                Value::Aggregate(AggregateId(id))
            }
        }
    }

    fn model(&mut self, m: &ast::Model) -> Option<Model> {
        let mut out = Model {
            demand: MetricId(0),
            capacity: 0.0,
            startup: 0,
            price_per_hour: None,
            recorded_replicas: None,
            recorded_promql: None,
            utilization: Vec::new(),
            latency: Vec::new(),
            slos: Vec::new(),
            span: m.span,
        };
        let metric = |n: &crate::span::Spanned<String>| self.c.operand_metric.get(&n.span).copied();
        let mut demand = None;
        let mut capacity = None;
        for item in &m.items {
            match item {
                ModelItem::Demand(n) => demand = metric(n),
                ModelItem::Capacity(q, _) => capacity = Some(q),
                ModelItem::Startup(d, _) => out.startup = duration_ms(d).unwrap_or(0),
                ModelItem::Price(p, _) => out.price_per_hour = Some(p.value),
                ModelItem::Recorded(b, _) => {
                    // Without a column, a fetch names the column after the statement.
                    let column = b.column.as_ref().map_or("replicas", |c| c.node.as_str());
                    out.recorded_replicas = Some(column.to_string());
                    out.recorded_promql = b.promql.as_ref().map(|q| Promql {
                        query: q.node.clone(),
                        span: q.span,
                    });
                }
                ModelItem::Utilization(n, _) => out.utilization.extend(metric(n)),
                ModelItem::Latency {
                    metric: n, base, ..
                } => {
                    if let Some(id) = metric(n) {
                        out.latency.push(LatencyModel {
                            metric: id,
                            base: base
                                .as_ref()
                                .and_then(duration_ms)
                                .map(|ms| ms as f64 / 1000.0),
                        });
                    }
                }
                ModelItem::Slo(..) => {}
            }
        }
        for item in &m.items {
            if let ModelItem::Slo(c, span) = item {
                let compare = self.compare(c);
                out.slos.push(Slo {
                    compare,
                    text: fold_ws(span.text(self.src)),
                });
            }
        }
        out.demand = demand?;
        let q = capacity?;
        let du = self.c.metrics[out.demand.0].unit;
        let cu = q.unit.as_ref().map_or(du, |u| u.node);
        out.capacity = cu.to_si(q.value.value);
        Some(out)
    }
}
