//! The stable, readable form of the IR printed by `scalerules explain`. Values are shown
//! in SI (`0.3s`, `0.75`, `1000/s`); durations in seconds.

use super::*;
use crate::syntax::lex::quote;
use crate::units::{fmt_num, Dimension};
use std::fmt::{self, Display, Formatter};

fn secs(ms: Millis) -> String {
    format!("{}s", fmt_num(ms as f64 / 1000.0))
}

fn si(v: f64, unit: Unit) -> String {
    let n = fmt_num(v);
    match unit.dimension() {
        Dimension::Time => format!("{n}s"),
        Dimension::Ratio | Dimension::Count => n,
        Dimension::Rate => format!("{n}/s"),
        Dimension::Cpu => format!("{n} cores"),
        Dimension::Size => format!("{n} bytes"),
    }
}

impl Display for Program {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        for (i, s) in self.services.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{s}")?;
        }
        Ok(())
    }
}

impl Display for Service {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        writeln!(f, "service {}", self.name)?;
        writeln!(
            f,
            "  replicas: {}..{}, start {}",
            self.min, self.max, self.start
        )?;
        writeln!(f, "  on missing: {}", missing_name(self.on_missing))?;
        writeln!(
            f,
            "  direction cooldown: out {}, in {}",
            secs(self.cooldown_out),
            secs(self.cooldown_in)
        )?;
        match (self.tick, &self.targets) {
            (Some(t), _) => writeln!(f, "  tick: {}", secs(t))?,
            (None, Some(_)) => writeln!(
                f,
                "  tick: {} in backtests (the HPA's sync period; coarser rows are held), every sample online",
                secs(TARGET_TRACKING_TICK)
            )?,
            (None, None) => writeln!(f, "  tick: every sample")?,
        }
        if let Some(z) = &self.timezone {
            writeln!(f, "  timezone: {z}")?;
        }
        writeln!(f, "  metrics:")?;
        for (i, m) in self.metrics.iter().enumerate() {
            let source = match &m.source {
                MetricSource::Column(c) => format!("column {}", quote(c)),
                MetricSource::Builtin(b) => format!("simulated {}", b.name()),
            };
            let source = match &m.promql {
                Some(q) => format!("{source}, promql {}", quote(&q.query)),
                None => source,
            };
            let origin = match &m.unit_origin {
                UnitOrigin::Declared => "declared".to_string(),
                UnitOrigin::Suffix(s) => format!("column suffix `{s}`"),
                UnitOrigin::Inferred { literal, line } => {
                    format!("inferred from `{literal}` on line {line}")
                }
                UnitOrigin::Builtin => "builtin".to_string(),
                UnitOrigin::Default => "default".to_string(),
            };
            let per = if m.per_replica { " per replica" } else { "" };
            writeln!(
                f,
                "    m{i} {}: {source} in {}{per} ({origin})",
                m.name, m.unit
            )?;
        }
        if !self.aggregates.is_empty() {
            writeln!(f, "  aggregates:")?;
            for (i, a) in self.aggregates.iter().enumerate() {
                writeln!(
                    f,
                    "    a{i} {}({}, {}): samples of m{} in (t - {}, t]",
                    a.func.name(),
                    self.metrics[a.metric.0].name,
                    secs(a.window),
                    a.metric.0,
                    secs(a.window)
                )?;
            }
        }
        writeln!(f, "  rules:")?;
        for r in &self.rules {
            writeln!(f, "    r{} (line {}): {}", r.id.0 + 1, r.line, r.text)?;
            writeln!(f, "      if {}", CondView(&r.condition, self))?;
            let sustain = match r.sustain {
                Sustain::Immediate => "immediately".to_string(),
                Sustain::For(d) => format!("held for {}", secs(d)),
                Sustain::MOfN { m, window } => {
                    format!("true at least {m} times in (t - {}, t]", secs(window))
                }
            };
            writeln!(f, "      when {sustain}")?;
            let action = match r.action {
                Action::OutBy(n) => format!("out by {n}"),
                Action::OutByPercent(p) => {
                    format!("out by {}% (added rounded up, at least 1)", fmt_num(p))
                }
                Action::InBy(n) => format!("in by {n}"),
                Action::InByPercent(p) => {
                    format!("in by {}% (removed rounded down, at least 1)", fmt_num(p))
                }
                Action::To(n) => format!("to {n}"),
                Action::UpBy(_) | Action::DownBy(_) | Action::UpTo(_) | Action::DownTo(_) => {
                    super::display_ladder::action(r.action, self)
                }
            };
            if r.action.is_vertical() {
                writeln!(f, "      then scale {action}")?;
            } else {
                writeln!(
                    f,
                    "      then scale {action}, clamped to {}..{}",
                    self.awake_min(),
                    self.max
                )?;
            }
            writeln!(f, "      cooldown {}", secs(r.cooldown))?;
        }
        if let Some(t) = &self.targets {
            super::display_tracking::targets(f, self, t)?;
        }
        if !self.schedules.is_empty() {
            super::display_tracking::schedules(f, self)?;
        }
        if let Some(i) = &self.idle {
            super::display_tracking::idle(f, self, i)?;
        }
        if let Some(l) = &self.ladder {
            super::display_ladder::ladder(f, self, l)?;
        }
        if let Some(m) = &self.model {
            writeln!(f, "  model:")?;
            let demand = &self.metrics[m.demand.0];
            writeln!(
                f,
                "    demand: m{} {} ({})",
                m.demand.0, demand.name, demand.unit
            )?;
            writeln!(
                f,
                "    capacity: {} per ready replica",
                si(m.capacity, demand.unit)
            )?;
            writeln!(f, "    startup: {}", secs(m.startup))?;
            match m.price_per_hour {
                Some(p) => writeln!(f, "    price: {} per replica-hour", fmt_num(p))?,
                None => writeln!(f, "    price: none")?,
            }
            match (&m.recorded_replicas, &m.recorded_promql) {
                (Some(c), Some(q)) => writeln!(
                    f,
                    "    recorded replicas: column {}, promql {}",
                    quote(c),
                    quote(&q.query)
                )?,
                (Some(c), None) => writeln!(f, "    recorded replicas: column {}", quote(c))?,
                (None, _) => writeln!(f, "    recorded replicas: none")?,
            }
            for u in &m.utilization {
                writeln!(f, "    utilization: m{} {}", u.0, self.metrics[u.0].name)?;
            }
            for l in &m.latency {
                let how = match l.base {
                    Some(b) => format!("base {}s / (1 - rho)", fmt_num(b)),
                    None => "recorded x (1 - rho_rec) / (1 - rho)".to_string(),
                };
                writeln!(
                    f,
                    "    latency: m{} {} = {how}",
                    l.metric.0, self.metrics[l.metric.0].name
                )?;
            }
            for s in &m.slos {
                writeln!(
                    f,
                    "    slo: {} ({})",
                    CondView(&Cond::Compare(s.compare.clone()), self),
                    s.text
                )?;
            }
        }
        Ok(())
    }
}

fn missing_name(m: MissingMode) -> &'static str {
    match m {
        MissingMode::False => "false (unknown counts as false)",
        MissingMode::True => "true (unknown counts as true)",
        MissingMode::Hold => "hold (unknown repeats the previous result)",
        MissingMode::Skip => "skip (unknown evaluations are skipped)",
    }
}

struct CondView<'a>(&'a Cond, &'a Service);

impl Display for CondView<'_> {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        let s = self.1;
        match self.0 {
            Cond::Compare(c) => {
                let side = |v: &Value| match v {
                    Value::Metric(m) => s.metrics[m.0].name.clone(),
                    Value::Aggregate(a) => format!("a{}", a.0),
                    Value::Const(x) => si(*x, c.unit),
                };
                write!(f, "{} {} {}", side(&c.lhs), c.op.as_str(), side(&c.rhs))
            }
            Cond::And(a, b) => write!(f, "({} and {})", CondView(a, s), CondView(b, s)),
            Cond::Or(a, b) => write!(f, "({} or {})", CondView(a, s), CondView(b, s)),
            Cond::Not(a) => write!(f, "not {}", CondView(a, s)),
        }
    }
}
