//! [`Policy`] → `.scale` text, in the layout `scalerules fmt` prints: two spaces inside
//! `service NAME { … }`, one statement per line, statements in the canonical order
//! (`docs/design-kubernetes.md` section 10), a blank line between groups.
//!
//! The syntax is the design's (sections 1 and 8), with these forms the design leaves
//! open, which the grammar phase must accept:
//!
//! ```text
//! idle to N [after D][, check every D]          # an absent duration is KEDA's default
//! metric NAME in cores|bytes per replica        # cpu_average / memory_average
//! target NAME at 500 millicores per replica     # also `2 cores`, `512Mi`, `1GB`, `100 bytes`
//! kubernetes {
//!   scale "NAME"                                # KEDA: no kind (Deployment by default)
//!   metric NAME: prometheus "ADDR" query "Q" auth "SECRET" kind ClusterTriggerAuthentication
//!   trigger REF name "N", cached metrics [false], metric type AverageValue, auth "A" [kind K]
//!   keda metadata REF "KEY" = "VALUE"           # trigger metadata no statement says
//!   keda triggers REF, REF, …                   # only when not targets first, then schedules
//!   cron schedule N start "CRON" end "CRON"     # only when export would write other text
//!   keda polling D, cooldown D, initial cooldown D, hpa name "N"
//!   keda fallback N failures, M replicas[, BEHAVIOR]
//!   keda restore original replicas [false]
//!   keda modifiers formula "F" target "T" activation "A" type AverageValue
//! }
//! REF := a metric name | schedule N (the N-th schedule line, from 1)
//! ```
//!
//! Strings escape `"` and `\` with a backslash (PromQL label matchers are quoted); today's
//! grammar has no escapes, so the grammar phase adds them.

mod kubernetes;

use super::policy::*;
use super::quantity::{Format, Quantity};

/// The `.scale` text of several policies (one `service` block each).
pub fn scale_text(policies: &[Policy]) -> String {
    policies.iter().map(service).collect::<Vec<_>>().join("\n")
}

fn service(p: &Policy) -> String {
    let mut groups: Vec<Vec<String>> = Vec::new();
    let mut head = vec![format!("replicas {}..{}", p.replicas.min, p.replicas.max)];
    head.extend(p.metrics.iter().map(metric));
    groups.push(head);
    let mut tracking: Vec<String> = p.targets.iter().map(|t| target(p, t)).collect();
    if let Some(b) = &p.behavior {
        tracking.extend(behavior(b));
    }
    groups.push(tracking);
    let mut calendar: Vec<String> = p.schedules.iter().map(schedule).collect();
    calendar.extend(p.idle.as_ref().map(idle));
    groups.push(calendar);
    let block = kubernetes::lines(&p.kubernetes);
    let mut out = format!("service {} {{\n", p.service);
    let mut first = true;
    for g in groups.into_iter().filter(|g| !g.is_empty()) {
        if !first {
            out.push('\n');
        }
        first = false;
        for line in g {
            out.push_str(&format!("  {line}\n"));
        }
    }
    if !first {
        out.push('\n');
    }
    out.push_str("  kubernetes {\n");
    for line in block {
        out.push_str(&format!("    {line}\n"));
    }
    out.push_str("  }\n}\n");
    out
}

fn metric(m: &Metric) -> String {
    let mut s = format!("metric {}", m.name);
    if let Some(c) = &m.column {
        s.push_str(&format!(" = column {}", string(c)));
    }
    if let Some(u) = m.unit {
        s.push_str(match u {
            Unit::Percent => " in %",
            Unit::Cores => " in cores",
            Unit::Bytes => " in bytes",
        });
    }
    if m.per_replica {
        s.push_str(" per replica");
    }
    s
}

fn target(p: &Policy, t: &Target) -> String {
    let unit = p
        .metrics
        .iter()
        .find(|m| m.name == t.metric)
        .and_then(|m| m.unit);
    let value = match &t.value {
        TargetValue::Utilization(pct) => format!("{pct}%"),
        TargetValue::PerReplica(q) => format!("{} per replica", amount(q, unit)),
        TargetValue::Total(q) => amount(q, unit),
    };
    let mut s = format!("target {} at {value}", t.metric);
    if let Some(a) = &t.active_above {
        s.push_str(&format!(", active above {}", amount(a, unit)));
    }
    s
}

/// A quantity in the metric's unit: `500 millicores`, `2 cores`, `512Mi`, `1GB`,
/// `100 bytes`, or a plain exact decimal.
pub fn amount(q: &Quantity, unit: Option<Unit>) -> String {
    let v = q.value;
    match unit {
        Some(Unit::Cores) => {
            if let Some(n) = v.to_i64() {
                format!("{n} {}", if n == 1 { "core" } else { "cores" })
            } else if let Some(m) = v.scale10(3).to_i64() {
                format!("{m} millicores")
            } else {
                format!("{v} cores")
            }
        }
        Some(Unit::Bytes) => bytes(q),
        _ => v.to_string(),
    }
}

fn bytes(q: &Quantity) -> String {
    let v = q.value;
    let Some(n) = v.to_i64().filter(|n| *n != 0) else {
        return format!("{v} bytes");
    };
    let (suffixes, base): (&[&str], i64) = match q.format {
        Format::BinarySI => (&["Ki", "Mi", "Gi", "Ti"], 1024),
        _ => (&["KB", "MB", "GB", "TB"], 1000),
    };
    let mut best = None;
    let mut div = 1i64;
    for s in suffixes {
        div = div.saturating_mul(base);
        if n % div == 0 {
            best = Some((n / div, *s));
        }
    }
    match best {
        Some((m, s)) => format!("{m}{s}"),
        None => format!("{n} bytes"),
    }
}

fn behavior(b: &Behavior) -> Vec<String> {
    if b.scale_out.is_none() && b.scale_in.is_none() {
        return vec!["behavior".into()];
    }
    let mut out = Vec::new();
    for (word, rules) in [("out", &b.scale_out), ("in", &b.scale_in)] {
        let Some(r) = rules else { continue };
        let mut clauses = Vec::new();
        if let Some(w) = r.stabilize {
            clauses.push(format!("stabilize {}", duration(w)));
        }
        for p in r.policies.iter().flatten() {
            clauses.push(match *p {
                RatePolicy::Replicas { count, period } => format!(
                    "at most {count} {} per {}",
                    if count == 1 { "replica" } else { "replicas" },
                    duration(period)
                ),
                RatePolicy::Percent { percent, period } => {
                    format!("at most {percent}% per {}", duration(period))
                }
            });
        }
        if let Some(s) = r.select {
            clauses.push(
                match s {
                    Select::Max => "select max",
                    Select::Min => "select min",
                    Select::Disabled => "select disabled",
                }
                .into(),
            );
        }
        if let Some(t) = &r.tolerance {
            clauses.push(format!("tolerance {}%", t.value.scale10(2)));
        }
        let line = if clauses.is_empty() {
            format!("behavior {word}")
        } else {
            format!("behavior {word} {}", clauses.join(", "))
        };
        out.push(line);
    }
    out
}

/// Whole seconds in their largest whole unit: `0s`, `45s`, `5m`, `1h`.
pub fn duration(secs: u32) -> String {
    if secs > 0 && secs % 3600 == 0 {
        format!("{}h", secs / 3600)
    } else if secs > 0 && secs % 60 == 0 {
        format!("{}m", secs / 60)
    } else {
        format!("{secs}s")
    }
}

fn schedule(s: &Schedule) -> String {
    let when = match s.window {
        Window::Daily { days: d, from, to } => {
            format!("{} from {} to {}", days(d), hm(from), hm(to))
        }
        Window::Span {
            from_day,
            from,
            to_day,
            to,
        } => format!(
            "from {} {} to {} {}",
            Days::NAMES[from_day as usize],
            hm(from),
            Days::NAMES[to_day as usize],
            hm(to)
        ),
    };
    let zone = s
        .zone
        .as_ref()
        .map(|z| format!(" in {z}"))
        .unwrap_or_default();
    let bounds: Vec<String> = s
        .bounds
        .iter()
        .map(|b| match b {
            Bound::AtLeast(n) => format!("at least {n}"),
            Bound::AtMost(n) => format!("at most {n}"),
            Bound::Propose(n) => format!("propose {n}"),
        })
        .collect();
    format!("schedule {when}{zone} {}", bounds.join(", "))
}

fn hm(t: Hm) -> String {
    format!("{:02}:{:02}", t.hour, t.minute)
}

/// `daily`, `weekdays`, `weekends`, or days and ranges: `mon-wed,fri`.
pub fn days(d: Days) -> String {
    match d {
        Days::ALL => return "daily".into(),
        Days::WEEKDAYS => return "weekdays".into(),
        Days::WEEKENDS => return "weekends".into(),
        _ => {}
    }
    let mut parts = Vec::new();
    let mut i = 0u8;
    while i < 7 {
        if !d.has(i) {
            i += 1;
            continue;
        }
        let mut j = i;
        while j + 1 < 7 && d.has(j + 1) {
            j += 1;
        }
        if j >= i + 2 {
            parts.push(format!(
                "{}-{}",
                Days::NAMES[i as usize],
                Days::NAMES[j as usize]
            ));
        } else {
            parts.extend((i..=j).map(|k| Days::NAMES[k as usize].to_string()));
        }
        i = j + 1;
    }
    parts.join(",")
}

fn idle(i: &Idle) -> String {
    let mut s = format!("idle to {}", i.to);
    if let Some(a) = i.after {
        s.push_str(&format!(" after {}", duration(a)));
    }
    if let Some(c) = i.check_every {
        s.push_str(&format!(", check every {}", duration(c)));
    }
    s
}

/// A string literal. `"` and `\` are escaped with `\` (PromQL label matchers have quotes).
pub fn string(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kube::quantity::Dec;

    fn q(s: &str) -> Quantity {
        Quantity::parse(s).unwrap()
    }

    #[test]
    fn amounts_read_in_the_metric_unit() {
        assert_eq!(amount(&q("500m"), Some(Unit::Cores)), "500 millicores");
        assert_eq!(amount(&q("1"), Some(Unit::Cores)), "1 core");
        assert_eq!(amount(&q("1.5"), Some(Unit::Cores)), "1500 millicores");
        assert_eq!(amount(&q("2"), Some(Unit::Cores)), "2 cores");
        assert_eq!(amount(&q("512Mi"), Some(Unit::Bytes)), "512Mi");
        assert_eq!(amount(&q("1.5Gi"), Some(Unit::Bytes)), "1536Mi");
        assert_eq!(amount(&q("1G"), Some(Unit::Bytes)), "1GB");
        assert_eq!(amount(&q("1e9"), Some(Unit::Bytes)), "1GB");
        assert_eq!(amount(&q("1000"), Some(Unit::Bytes)), "1KB");
        assert_eq!(amount(&q("1023"), Some(Unit::Bytes)), "1023 bytes");
        assert_eq!(amount(&q("500m"), None), "0.5");
        assert_eq!(amount(&q("1k"), None), "1000");
        assert_eq!(Dec::new(5, -2).scale10(2).to_string(), "5");
    }

    #[test]
    fn durations_and_days_are_canonical() {
        assert_eq!(duration(0), "0s");
        assert_eq!(duration(90), "90s");
        assert_eq!(duration(600), "10m");
        assert_eq!(duration(3600), "1h");
        assert_eq!(days(Days(0b000_1011)), "mon,tue,thu");
        assert_eq!(days(Days(0b101_0111)), "mon-wed,fri,sun");
        assert_eq!(days(Days::WEEKENDS), "weekends");
    }
}
