//! Pest pairs → typed AST. One function per grammar rule; spans are taken at once. A
//! shape the grammar should never produce becomes an internal-error diagnostic, not a
//! panic.

use super::ast::*;
use super::grammar::Rule;
use crate::diagnostics::{Code, Diagnostic};
use crate::span::{Span, Spanned};
use pest::iterators::{Pair, Pairs};

type Result<T> = std::result::Result<T, Box<Diagnostic>>;

/// The pair's span without the white space and comments pest may have consumed after
/// its last token (an optional trailing group that matched nothing does that).
fn span_of(p: &Pair<Rule>) -> Span {
    let start = p.as_span().start();
    Span::new(start, start + super::lex::trim_code_end(p.as_str()).len())
}

fn internal(span: Span, what: &str) -> Box<Diagnostic> {
    Box::new(
        Diagnostic::error(
            Code::INTERNAL_ERROR,
            format!("internal error: unexpected syntax tree at {what}"),
            span,
        )
        .help("this is a bug in scalerules: please report it together with the rule file"),
    )
}

/// The children of one pair, taken in order.
struct Children<'i> {
    pairs: Pairs<'i, Rule>,
    span: Span,
}

impl<'i> Children<'i> {
    fn of(p: Pair<'i, Rule>) -> Self {
        let span = span_of(&p);
        Children {
            pairs: p.into_inner(),
            span,
        }
    }

    /// The next child, which must exist.
    fn next(&mut self, what: &str) -> Result<Pair<'i, Rule>> {
        self.pairs.next().ok_or_else(|| internal(self.span, what))
    }

    /// The next child if it is of rule `r`.
    fn next_if(&mut self, r: Rule) -> Option<Pair<'i, Rule>> {
        if self.pairs.peek().is_some_and(|p| p.as_rule() == r) {
            self.pairs.next()
        } else {
            None
        }
    }

    /// Skips keyword children (they carry no data).
    fn skip_keywords(&mut self) {
        while self
            .pairs
            .peek()
            .is_some_and(|p| super::grammar::is_keyword(p.as_rule()))
        {
            self.pairs.next();
        }
    }
}

fn spanned_str(p: &Pair<Rule>) -> Spanned<String> {
    Spanned::new(p.as_str().to_string(), span_of(p))
}

/// `file`
pub(super) fn file(p: Pair<Rule>, implicit_name: &str) -> Result<File> {
    let span = span_of(&p);
    let mut services = Vec::new();
    let mut loose = Vec::new();
    for child in p.into_inner() {
        match child.as_rule() {
            Rule::service_block => services.push(service_block(child)?),
            Rule::EOI => {}
            _ => loose.push(item(child)?),
        }
    }
    if services.is_empty() {
        services.push(Service {
            name: Spanned::new(implicit_name.to_string(), Span::new(0, 0)),
            items: loose,
            implicit: true,
            span,
        });
    }
    Ok(File { services })
}

fn service_block(p: Pair<Rule>) -> Result<Service> {
    let span = span_of(&p);
    let mut c = Children::of(p);
    c.skip_keywords();
    let name = spanned_str(&c.next("service name")?);
    let mut items = Vec::new();
    for child in c.pairs {
        match child.as_rule() {
            Rule::block_open | Rule::block_close => {}
            _ => items.push(item(child)?),
        }
    }
    Ok(Service {
        name,
        items,
        implicit: false,
        span,
    })
}

fn item(p: Pair<Rule>) -> Result<Item> {
    let span = span_of(&p);
    Ok(match p.as_rule() {
        Rule::replicas_decl => Item::Replicas(replicas_decl(p)?),
        Rule::metric_decl => Item::Metric(metric_decl(p)?),
        Rule::missing_decl => {
            let mut c = Children::of(p);
            c.skip_keywords();
            let m = c.next("missing mode")?;
            let mode = match m.as_str() {
                "true" => MissingMode::True,
                "hold" => MissingMode::Hold,
                "skip" => MissingMode::Skip,
                _ => MissingMode::False,
            };
            Item::OnMissing(Spanned::new(mode, span_of(&m)))
        }
        Rule::cooldown_decl => {
            let mut out = Vec::new();
            for dc in p
                .into_inner()
                .filter(|x| x.as_rule() == Rule::direction_cooldown)
            {
                let mut c = Children::of(dc);
                let d = c.next("cooldown direction")?;
                let dir = if d.as_str() == "in" {
                    Direction::In
                } else {
                    Direction::Out
                };
                let direction = Spanned::new(dir, span_of(&d));
                out.push(DirectionCooldown {
                    direction,
                    duration: duration(c.next("cooldown duration")?)?,
                });
            }
            Item::Cooldown(out)
        }
        Rule::tick_decl => {
            let mut c = Children::of(p);
            c.skip_keywords();
            Item::Tick(duration(c.next("tick duration")?)?)
        }
        Rule::model_block => Item::Model(model_block(p)?),
        Rule::rule => Item::Rule(rule(p)?),
        Rule::target_decl => Item::Target(target_decl(p)?),
        Rule::behavior_decl => Item::Behavior(behavior_decl(p)?),
        Rule::schedule_decl => Item::Schedule(schedule_decl(p)?),
        Rule::timezone_decl => {
            let mut c = Children::of(p);
            c.skip_keywords();
            Item::Timezone(spanned_str(&c.next("time zone")?))
        }
        Rule::kubernetes_block => Item::Kubernetes(KubernetesBlock {
            lines: p
                .into_inner()
                .filter(|x| x.as_rule() == Rule::kube_line)
                .filter_map(|x| {
                    // Trimmed of all Unicode white space at both ends, as `fmt` prints it:
                    // the grammar skips only spaces and tabs, so a line led by a vertical
                    // tab or a form feed would otherwise format to another line (found by
                    // fuzzing, tests/fixtures/fuzz/lint_fmt/kubernetes-line-vertical-tab.scale).
                    let raw = super::lex::trim_code_end(x.as_str()).trim_end();
                    let text = raw.trim_start();
                    if text.is_empty() {
                        return None;
                    }
                    let start = x.as_span().start() + (raw.len() - text.len());
                    Some(Spanned::new(
                        text.to_string(),
                        Span::new(start, start + text.len()),
                    ))
                })
                .collect(),
            span,
        }),
        Rule::size_decl => Item::Size(size_decl(p)?),
        Rule::resize_decl => Item::Resize(resize_decl(p)?),
        Rule::size_cooldown_decl => {
            let mut out = Vec::new();
            for sc in p
                .into_inner()
                .filter(|x| x.as_rule() == Rule::size_cooldown)
            {
                let mut c = Children::of(sc);
                let d = c.next("cooldown direction")?;
                out.push(SizeCooldown {
                    direction: Spanned::new(size_direction(&d), span_of(&d)),
                    duration: duration(c.next("cooldown duration")?)?,
                });
            }
            Item::SizeCooldown(out)
        }
        Rule::idle_decl => Item::Idle(idle_decl(p)?),
        Rule::param_decl => Item::Param(param_decl(p)?),
        _ => return Err(internal(span, "a statement")),
    })
}

/// `idle to N [after D] [, check every D]`
fn idle_decl(p: Pair<Rule>) -> Result<IdleDecl> {
    let span = span_of(&p);
    let mut to = None;
    let mut after = None;
    let mut check_every = None;
    for x in p.into_inner() {
        match x.as_rule() {
            Rule::number => to = Some(number(&x)),
            Rule::duration => after = Some(duration(x)?),
            Rule::idle_check => {
                let mut c = Children::of(x);
                c.skip_keywords();
                check_every = Some(duration(c.next("check interval")?)?);
            }
            _ => {}
        }
    }
    Ok(IdleDecl {
        to: to.ok_or_else(|| internal(span, "the idle count"))?,
        after,
        check_every,
        span,
    })
}

/// `param_decl`
fn param_decl(p: Pair<Rule>) -> Result<ParamDecl> {
    let span = span_of(&p);
    let mut c = Children::of(p);
    c.skip_keywords();
    let name = spanned_str(&c.next("parameter name")?);
    let default = quantity(c.next("parameter value")?)?;
    c.skip_keywords();
    let r = c.next("parameter range")?;
    let rspan = span_of(&r);
    let range = match r.as_rule() {
        Rule::param_list => {
            ParamRange::List(r.into_inner().map(quantity).collect::<Result<_>>()?, rspan)
        }
        _ => {
            let mut rc = Children::of(r);
            let low = quantity(rc.next("range start")?)?;
            let high = quantity(rc.next("range end")?)?;
            rc.skip_keywords();
            let step = match rc.next_if(Rule::quantity) {
                Some(q) => Some(quantity(q)?),
                None => None,
            };
            ParamRange::Span {
                low,
                high,
                step,
                span: rspan,
            }
        }
    };
    Ok(ParamDecl {
        name,
        default,
        range,
        span,
    })
}

fn number(p: &Pair<Rule>) -> Number {
    Number {
        // The grammar admits only digits, one optional point and a sign, which f64
        // always parses; NaN marks the impossible rest for the checker.
        value: p.as_str().parse().unwrap_or(f64::NAN),
        text: p.as_str().to_string(),
        span: span_of(p),
    }
}

fn replicas_decl(p: Pair<Rule>) -> Result<ReplicasDecl> {
    let span = span_of(&p);
    let nums: Vec<Number> = p
        .into_inner()
        .filter(|x| x.as_rule() == Rule::number)
        .map(|x| number(&x))
        .collect();
    let mut it = nums.into_iter();
    let min = it.next().ok_or_else(|| internal(span, "replica minimum"))?;
    let max = it.next().ok_or_else(|| internal(span, "replica maximum"))?;
    Ok(ReplicasDecl {
        min,
        max,
        start: it.next(),
        span,
    })
}

fn unit_name(p: &Pair<Rule>) -> Result<Unit> {
    Ok(match p.as_str() {
        "ms" => Unit::Millis,
        "s" => Unit::Seconds,
        "m" => Unit::Minutes,
        "h" => Unit::Hours,
        "d" => Unit::Days,
        "%" | "percent" => Unit::Percent,
        "fraction" => Unit::Fraction,
        "rps" => Unit::Rps,
        "rpm" => Unit::Rpm,
        "count" => Unit::Count,
        "cores" | "core" => Unit::Cores,
        "millicores" => Unit::Millicores,
        "B" | "bytes" => Unit::Bytes,
        "KB" => Unit::Kilobytes,
        "MB" => Unit::Megabytes,
        "GB" => Unit::Gigabytes,
        "TB" => Unit::Terabytes,
        "KiB" | "Ki" => Unit::Kibibytes,
        "MiB" | "Mi" => Unit::Mebibytes,
        "GiB" | "Gi" => Unit::Gibibytes,
        "TiB" | "Ti" => Unit::Tebibytes,
        _ => return Err(internal(span_of(p), "a unit")),
    })
}

fn metric_decl(p: Pair<Rule>) -> Result<MetricDecl> {
    let span = span_of(&p);
    let mut c = Children::of(p);
    c.skip_keywords();
    let name = spanned_str(&c.next("metric name")?);
    let mut binding = Binding::default();
    let mut unit = None;
    let mut per_replica = None;
    for child in c.pairs {
        match child.as_rule() {
            Rule::column_binding | Rule::promql_binding => binding_part(child, &mut binding)?,
            Rule::unit => unit = Some(Spanned::new(unit_name(&child)?, span_of(&child))),
            Rule::per_replica => per_replica = Some(span_of(&child)),
            _ => {}
        }
    }
    Ok(MetricDecl {
        name,
        binding,
        unit,
        per_replica,
        span,
    })
}

/// `column "…"` or `promql "…"`, stored into its slot of `binding`.
fn binding_part(p: Pair<Rule>, binding: &mut Binding) -> Result<()> {
    let kind = p.as_rule();
    let mut c = Children::of(p);
    c.skip_keywords();
    let text = string(c.next("quoted string")?)?;
    match kind {
        Rule::column_binding => binding.column = Some(text),
        _ => binding.promql = Some(text),
    }
    Ok(())
}

/// A `binding` (the pairs left in `c`).
fn binding(c: Children) -> Result<Binding> {
    let mut out = Binding::default();
    for child in c.pairs {
        binding_part(child, &mut out)?;
    }
    Ok(out)
}

fn string(p: Pair<Rule>) -> Result<Spanned<String>> {
    let span = span_of(&p);
    let body = Children::of(p).next("string body")?;
    Ok(Spanned::new(super::lex::unescape(body.as_str()), span))
}

fn duration(p: Pair<Rule>) -> Result<Duration> {
    let span = span_of(&p);
    let mut c = Children::of(p);
    let value = number(&c.next("duration value")?);
    let unit = match c.next_if(Rule::time_unit) {
        Some(u) => Some(unit_name(&u)?),
        None => None,
    };
    Ok(Duration { value, unit, span })
}

fn quantity(p: Pair<Rule>) -> Result<Quantity> {
    let span = span_of(&p);
    let mut c = Children::of(p);
    let value = number(&c.next("quantity value")?);
    let unit = match c.next_if(Rule::unit) {
        Some(u) => Some(Spanned::new(unit_name(&u)?, span_of(&u))),
        None => None,
    };
    Ok(Quantity { value, unit, span })
}

fn rule(p: Pair<Rule>) -> Result<crate::syntax::ast::Rule> {
    let span = span_of(&p);
    let mut c = Children::of(p);
    c.skip_keywords();
    let condition = expr(c.next("rule condition")?)?;
    let sustain = match c.next_if(Rule::sustain) {
        Some(s) => Some(sustain(s)?),
        None => None,
    };
    let action = action(c.next("rule action")?)?;
    let mut cooldown = None;
    if let Some(opts) = c.next_if(Rule::rule_options) {
        for opt in opts.into_inner() {
            let mut oc = Children::of(opt);
            oc.skip_keywords();
            cooldown = Some(duration(oc.next("rule cooldown")?)?);
        }
    }
    Ok(crate::syntax::ast::Rule {
        condition,
        sustain,
        action,
        cooldown,
        span,
    })
}

fn sustain(p: Pair<Rule>) -> Result<Sustain> {
    let span = span_of(&p);
    let mut c = Children::of(p);
    c.skip_keywords();
    let inner = c.next("sustain")?;
    Ok(match inner.as_rule() {
        Rule::m_of_n => {
            let mut mc = Children::of(inner);
            let m = number(&mc.next("sustain count")?);
            mc.skip_keywords();
            let window = duration(mc.next("sustain window")?)?;
            Sustain::MOfN { m, window, span }
        }
        _ => Sustain::For {
            duration: duration(inner)?,
            span,
        },
    })
}

fn amount(p: Pair<Rule>) -> Result<Amount> {
    let span = span_of(&p);
    let mut c = Children::of(p);
    let value = number(&c.next("amount")?);
    let percent = c.next_if(Rule::percent).is_some();
    Ok(Amount {
        value,
        percent,
        span,
    })
}

fn action(p: Pair<Rule>) -> Result<Action> {
    let span = span_of(&p);
    let mut c = Children::of(p);
    c.skip_keywords();
    let kind = c.next("scale action")?;
    let kind_rule = kind.as_rule();
    let mut kc = Children::of(kind);
    let first = kc.next("scale direction")?;
    kc.skip_keywords();
    Ok(match kind_rule {
        Rule::scale_out => Action::Out {
            amount: amount(kc.next("scale amount")?)?,
            span,
        },
        Rule::scale_in => Action::In {
            amount: amount(kc.next("scale amount")?)?,
            span,
        },
        Rule::scale_to => Action::To {
            count: number(&kc.next("scale target")?),
            span,
        },
        _ => {
            let direction = size_direction(&first);
            let step = if let Some(a) = kc.next_if(Rule::amount) {
                SizeStep::By(amount(a)?)
            } else if let Some(n) = kc.next_if(Rule::ident) {
                SizeStep::To(spanned_str(&n))
            } else {
                SizeStep::One
            };
            Action::Vertical {
                direction,
                step,
                span,
            }
        }
    })
}

/// `up` / `down` (a `size_direction` pair)
fn size_direction(p: &Pair<Rule>) -> SizeDirection {
    if p.as_str().trim() == "down" {
        SizeDirection::Down
    } else {
        SizeDirection::Up
    }
}

/// `size NAME CLAUSE, …`
fn size_decl(p: Pair<Rule>) -> Result<SizeDecl> {
    let span = span_of(&p);
    let mut c = Children::of(p);
    c.skip_keywords();
    let name = spanned_str(&c.next("size name")?);
    let mut d = SizeDecl {
        name,
        capacity: Vec::new(),
        price: Vec::new(),
        start: Vec::new(),
        span,
    };
    for clause in c.pairs {
        let s = span_of(&clause);
        match clause.as_rule() {
            Rule::size_capacity => {
                let mut cc = Children::of(clause);
                cc.skip_keywords();
                let v = cc.next("size capacity")?;
                let cap = if v.as_rule() == Rule::multiplier {
                    SizeCapacity::Times(number(&Children::of(v).next("multiplier")?))
                } else {
                    SizeCapacity::Absolute(quantity(v)?)
                };
                d.capacity.push((cap, s));
            }
            Rule::size_price => {
                let mut cc = Children::of(clause);
                cc.skip_keywords();
                d.price.push(number(&cc.next("size price")?));
            }
            Rule::size_start => d.start.push(s),
            _ => return Err(internal(s, "a size clause")),
        }
    }
    Ok(d)
}

/// `resize in place` / `resize restart D[, N at a time]`
fn resize_decl(p: Pair<Rule>) -> Result<ResizeDecl> {
    let span = span_of(&p);
    let mut c = Children::of(p);
    c.skip_keywords();
    let kind = c.next("resize kind")?;
    if kind.as_rule() == Rule::resize_in_place {
        return Ok(ResizeDecl::InPlace(span));
    }
    let mut kc = Children::of(kind);
    kc.skip_keywords();
    let restart = duration(kc.next("restart time")?)?;
    let at_a_time = kc.next_if(Rule::number).map(|n| number(&n));
    Ok(ResizeDecl::Restart {
        restart,
        at_a_time,
        span,
    })
}

fn expr(p: Pair<Rule>) -> Result<Expr> {
    let span = span_of(&p);
    match p.as_rule() {
        Rule::condition => expr(Children::of(p).next("condition")?),
        Rule::or_expr | Rule::and_expr => {
            let is_or = p.as_rule() == Rule::or_expr;
            let mut operands = p
                .into_inner()
                .filter(|x| !matches!(x.as_rule(), Rule::kw_or | Rule::kw_and));
            let first = operands
                .next()
                .ok_or_else(|| internal(span, "a condition"))?;
            let mut acc = expr(first)?;
            for next in operands {
                let rhs = expr(next)?;
                let s = acc.span().to(rhs.span());
                acc = if is_or {
                    Expr::Or(Box::new(acc), Box::new(rhs), s)
                } else {
                    Expr::And(Box::new(acc), Box::new(rhs), s)
                };
            }
            Ok(acc)
        }
        Rule::not_expr => {
            let mut c = Children::of(p);
            if c.next_if(Rule::kw_not).is_some() {
                let inner = expr(c.next("negated condition")?)?;
                Ok(Expr::Not(Box::new(inner), span))
            } else {
                expr(c.next("condition")?)
            }
        }
        Rule::comparison => Ok(Expr::Compare(comparison(p)?)),
        _ => Err(internal(span, "a condition")),
    }
}

fn comparison(p: Pair<Rule>) -> Result<Comparison> {
    let span = span_of(&p);
    let mut c = Children::of(p);
    let lhs = operand(c.next("left operand")?)?;
    let op_pair = c.next("comparison operator")?;
    let op = match op_pair.as_str() {
        ">" => CmpOp::Gt,
        ">=" => CmpOp::Ge,
        "<" => CmpOp::Lt,
        "<=" => CmpOp::Le,
        "==" => CmpOp::Eq,
        "!=" => CmpOp::Ne,
        _ => return Err(internal(span_of(&op_pair), "an operator")),
    };
    let rhs = operand(c.next("right operand")?)?;
    Ok(Comparison {
        lhs,
        op: Spanned::new(op, span_of(&op_pair)),
        rhs,
        span,
    })
}

fn operand(p: Pair<Rule>) -> Result<Operand> {
    let span = span_of(&p);
    Ok(match p.as_rule() {
        Rule::metric_ref => Operand::Metric(spanned_str(&Children::of(p).next("metric")?)),
        Rule::quantity => Operand::Literal(quantity(p)?),
        Rule::aggregate => {
            let mut c = Children::of(p);
            let func = spanned_str(&c.next("function")?);
            let metric = spanned_str(&c.next("function argument")?);
            let window = duration(c.next("window")?)?;
            Operand::Aggregate(Aggregate {
                func,
                metric,
                window,
                span,
            })
        }
        _ => return Err(internal(span, "an operand")),
    })
}

fn model_block(p: Pair<Rule>) -> Result<Model> {
    let span = span_of(&p);
    let mut items = Vec::new();
    for child in p.into_inner() {
        let s = span_of(&child);
        let child_rule = child.as_rule();
        if matches!(
            child_rule,
            Rule::kw_model | Rule::block_open | Rule::block_close
        ) {
            continue;
        }
        let mut c = Children::of(child);
        c.skip_keywords();
        items.push(match child_rule {
            Rule::demand_decl => ModelItem::Demand(spanned_str(&c.next("demand metric")?)),
            Rule::capacity_decl => ModelItem::Capacity(quantity(c.next("capacity")?)?, s),
            Rule::startup_decl => ModelItem::Startup(duration(c.next("startup")?)?, s),
            Rule::price_decl => ModelItem::Price(number(&c.next("price")?), s),
            Rule::recorded_decl => ModelItem::Recorded(binding(c)?, s),
            Rule::utilization_decl => {
                ModelItem::Utilization(spanned_str(&c.next("utilization metric")?), s)
            }
            Rule::latency_decl => {
                let metric = spanned_str(&c.next("latency metric")?);
                c.skip_keywords();
                let base = match c.next_if(Rule::duration) {
                    Some(d) => Some(duration(d)?),
                    None => None,
                };
                ModelItem::Latency {
                    metric,
                    base,
                    span: s,
                }
            }
            Rule::slo_decl => ModelItem::Slo(comparison(c.next("slo comparison")?)?, s),
            _ => return Err(internal(s, "a model statement")),
        });
    }
    Ok(Model { items, span })
}

fn target_decl(p: Pair<Rule>) -> Result<TargetDecl> {
    let span = span_of(&p);
    let mut c = Children::of(p);
    c.skip_keywords();
    let operand = operand(c.next("target metric")?)?;
    c.skip_keywords();
    let value = quantity(c.next("target value")?)?;
    let per_replica = c.next_if(Rule::per_replica).map(|x| span_of(&x));
    let activation = match c.next_if(Rule::activation) {
        Some(a) => {
            let mut ac = Children::of(a);
            ac.skip_keywords();
            Some(quantity(ac.next("activation threshold")?)?)
        }
        None => None,
    };
    Ok(TargetDecl {
        operand,
        value,
        per_replica,
        activation,
        span,
    })
}

fn behavior_decl(p: Pair<Rule>) -> Result<BehaviorDecl> {
    let span = span_of(&p);
    let mut c = Children::of(p);
    c.skip_keywords();
    let direction = match c.next_if(Rule::direction) {
        Some(d) => {
            let dir = if d.as_str().trim() == "in" {
                Direction::In
            } else {
                Direction::Out
            };
            Some(Spanned::new(dir, span_of(&d)))
        }
        None => None,
    };
    let mut clauses = Vec::new();
    for clause in c.pairs {
        clauses.push(behavior_clause(clause)?);
    }
    Ok(BehaviorDecl {
        direction,
        clauses,
        span,
    })
}

fn behavior_clause(p: Pair<Rule>) -> Result<BehaviorClause> {
    let span = span_of(&p);
    let r = p.as_rule();
    let mut c = Children::of(p);
    c.skip_keywords();
    Ok(match r {
        Rule::stabilize_clause => {
            BehaviorClause::Stabilize(duration(c.next("stabilization window")?)?, span)
        }
        Rule::policy_clause => {
            let value = number(&c.next("policy value")?);
            let percent = c.next_if(Rule::percent).is_some();
            c.skip_keywords();
            let period = duration(c.next("policy period")?)?;
            BehaviorClause::Policy {
                value,
                percent,
                period,
                span,
            }
        }
        Rule::select_clause => {
            let m = c.next("select policy")?;
            let mode = match m.as_str() {
                "min" => SelectMode::Min,
                "disabled" => SelectMode::Disabled,
                _ => SelectMode::Max,
            };
            BehaviorClause::Select(Spanned::new(mode, span_of(&m)))
        }
        Rule::tolerance_clause => BehaviorClause::Tolerance(number(&c.next("tolerance")?), span),
        _ => return Err(internal(span, "a behavior clause")),
    })
}

fn schedule_decl(p: Pair<Rule>) -> Result<ScheduleDecl> {
    let span = span_of(&p);
    let mut c = Children::of(p);
    c.skip_keywords();
    let w = c.next("schedule time")?;
    let when = match w.as_rule() {
        Rule::schedule_weekly => {
            let mut wc = Children::of(w);
            let days_pair = wc.next("schedule days")?;
            let mut days = Vec::new();
            for set in days_pair.into_inner() {
                let mut sc = Children::of(set);
                let first = sc.next("a day")?;
                days.push(if first.as_rule() == Rule::day_group {
                    DaySet::Group(spanned_str(&first))
                } else {
                    DaySet::Range(
                        spanned_str(&first),
                        sc.next_if(Rule::day).map(|d| spanned_str(&d)),
                    )
                });
            }
            wc.skip_keywords();
            let from = spanned_str(&wc.next("start time")?);
            wc.skip_keywords();
            let to = spanned_str(&wc.next("end time")?);
            ScheduleWhen::Weekly { days, from, to }
        }
        Rule::schedule_span => {
            let mut sc = Children::of(w);
            sc.skip_keywords();
            let from_day = spanned_str(&sc.next("start day")?);
            let from = spanned_str(&sc.next("start time")?);
            sc.skip_keywords();
            let to_day = spanned_str(&sc.next("end day")?);
            let to = spanned_str(&sc.next("end time")?);
            ScheduleWhen::Span {
                from_day,
                from,
                to_day,
                to,
            }
        }
        Rule::schedule_once => {
            let mut oc = Children::of(w);
            oc.skip_keywords();
            let from_date = spanned_str(&oc.next("start date")?);
            let from_time = oc.next_if(Rule::clock).map(|x| spanned_str(&x));
            oc.skip_keywords();
            let to_date = spanned_str(&oc.next("end date")?);
            let to_time = oc.next_if(Rule::clock).map(|x| spanned_str(&x));
            ScheduleWhen::Once {
                from_date,
                from_time,
                to_date,
                to_time,
            }
        }
        _ => return Err(internal(span, "a schedule")),
    };
    let mut zone = None;
    let mut bounds = Vec::new();
    for child in c.pairs {
        match child.as_rule() {
            Rule::zone => zone = Some(spanned_str(&child)),
            Rule::bound => {
                let bspan = span_of(&child);
                let text = child.as_str().to_string();
                let mut bc = Children::of(child);
                bc.skip_keywords();
                let count = number(&bc.next("schedule count")?);
                let kind = if text.starts_with("propose") {
                    BoundKind::Propose
                } else if text.split_whitespace().nth(1) == Some("least") {
                    BoundKind::AtLeast
                } else {
                    BoundKind::AtMost
                };
                bounds.push(ScheduleBound {
                    kind,
                    count,
                    span: bspan,
                });
            }
            _ => {}
        }
    }
    Ok(ScheduleDecl {
        when,
        zone,
        bounds,
        span,
    })
}
