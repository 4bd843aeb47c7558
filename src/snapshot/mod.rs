//! Backtest snapshots and policy diffs (docs/testing.md).
//!
//! An [`Outcome`] is the reviewable part of a backtest [`Report`]: the run's header,
//! the scores rounded to a fixed precision, the per-rule counts and every decision.
//! [`Outcome::render`] writes it as a line-oriented text file kept in git next to the
//! rules; [`Outcome::parse`] reads it back, so that [`compare`] can say structurally
//! what changed between the committed outcome and a new one.

pub mod compare;
pub mod plot;

pub use compare::{compare, Comparison, DecisionChange, RuleChange, ScoreChange};

use crate::backtest::report::{DecisionRecord, Report, Scores};
use crate::ir::Direction;
use crate::timestamp::{format_duration, format_timestamp, parse_timestamp};
use serde::Serialize;
use std::collections::BTreeMap;
use std::fmt::Write as _;

/// The first line of every snapshot file.
pub const MAGIC: &str = "# scalerules snapshot v1";

/// One line of the `[run]` section, in file order.
pub const RUN_KEYS: [&str; 8] = [
    "rules", "service", "data", "from", "to", "tick", "ticks", "mode",
];

/// The reviewable outcome of a backtest.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Outcome {
    /// `[run]`: the keys of [`RUN_KEYS`] (and any unknown key read from a file).
    pub run: Vec<(String, String)>,
    /// `[scores]`: `policy.cost.replica_hours` → `2382.9`, in a fixed order. Values are
    /// text, rounded when written; `-` stands for "none".
    pub scores: Vec<(String, String)>,
    /// `[rules]`.
    pub rules: Vec<RuleLine>,
    /// `[decisions]`, in time order.
    pub decisions: Vec<Decision>,
}

/// A rule's counts.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct RuleLine {
    /// `r1`, `r2`, … (as `explain` numbers them).
    pub rule: String,
    pub line: usize,
    pub fired: usize,
    /// Suppressions by reason.
    pub suppressed: BTreeMap<String, usize>,
    pub text: String,
}

/// One scaling decision.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Decision {
    pub timestamp_ms: i64,
    /// `out` or `in`.
    pub direction: String,
    pub from: u32,
    pub to: u32,
    pub rule: String,
    /// The rule's line in the rule file (0 when unknown).
    pub line: usize,
    /// A resize (`up`/`down`): the size's name before and after.
    pub resize: Option<[String; 2]>,
}

impl Decision {
    /// `2026-03-02T06:14:00Z  out  4 -> 6  r1 (line 10)`.
    pub fn display(&self) -> String {
        let mut s = format!(
            "{}  {:<3}  {} -> {}  {} (line {})",
            format_timestamp(self.timestamp_ms),
            self.direction,
            self.from,
            self.to,
            self.rule,
            self.line
        );
        if let Some([a, b]) = &self.resize {
            s.push_str(&format!("  size {a} -> {b}"));
        }
        s
    }
}

/// A malformed snapshot file.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: {message}")]
pub struct ParseError {
    pub line: usize,
    pub message: String,
}

fn num(v: f64, d: usize) -> String {
    if v.is_nan() {
        "-".into()
    } else if v.is_infinite() {
        if v > 0.0 { "inf" } else { "-inf" }.into()
    } else {
        let s = format!("{v:.d$}");
        // `-0.0` and `0.0` are the same outcome.
        if s.trim_start_matches('-')
            .chars()
            .all(|c| c == '0' || c == '.')
        {
            s.trim_start_matches('-').to_string()
        } else {
            s
        }
    }
}

/// The scores of one run as `(key suffix, value)` with the precision used everywhere
/// (snapshot files, `diff` tables): coarse enough that float noise does not churn.
pub fn score_lines(prefix: &str, s: &Scores) -> Vec<(String, String)> {
    let rows: Vec<(&str, String)> = vec![
        ("cost.replica_hours", num(s.cost.replica_hours, 1)),
        (
            "cost.cost",
            s.cost.cost.map_or_else(|| "-".into(), |c| num(c, 2)),
        ),
        ("cost.mean_replicas", num(s.cost.mean_replicas, 2)),
        ("cost.peak_replicas", s.cost.peak_replicas.to_string()),
        ("sla.breach_minutes", num(s.sla.breach_minutes, 1)),
        ("sla.breach_ratio", num(s.sla.breach_ratio, 4)),
        ("sla.breach_episodes", s.sla.breach_episodes.to_string()),
        (
            "sla.longest_breach_minutes",
            num(s.sla.longest_breach_minutes, 1),
        ),
        ("sla.saturated_ticks", s.sla.saturated_ticks.to_string()),
        ("sla.delayed_requests", num(s.sla.delayed_requests, 0)),
        (
            "sla.backlog_request_seconds",
            num(s.sla.backlog_request_seconds, 0),
        ),
        ("sla.unserved_at_end", num(s.sla.unserved_at_end, 0)),
        ("thrashing.scale_outs", s.thrashing.scale_outs.to_string()),
        ("thrashing.scale_ins", s.thrashing.scale_ins.to_string()),
        ("thrashing.reversals", s.thrashing.reversals.to_string()),
        ("elasticity.theta_u", num(s.elasticity.theta_u, 2)),
        ("elasticity.theta_o", num(s.elasticity.theta_o, 2)),
        ("elasticity.tau_u", num(s.elasticity.tau_u, 2)),
        ("elasticity.tau_o", num(s.elasticity.tau_o, 2)),
        ("elasticity.instability", num(s.elasticity.instability, 2)),
        ("elasticity.jitter", num(s.elasticity.jitter, 3)),
    ];
    // Only with a size ladder, so horizontal snapshots stay as they were.
    let mut rows = rows;
    if let Some(v) = &s.vertical {
        rows.extend([
            ("vertical.size_ups", v.size_ups.to_string()),
            ("vertical.size_downs", v.size_downs.to_string()),
            (
                "vertical.restart_replica_minutes",
                num(v.restart_replica_minutes, 1),
            ),
            (
                "vertical.mean_capacity_units",
                num(v.mean_capacity_units, 2),
            ),
        ]);
    }
    rows.into_iter()
        .map(|(k, v)| (format!("{prefix}.{k}"), v))
        .collect()
}

fn direction(d: &Direction) -> &'static str {
    match d {
        Direction::Out => "out",
        Direction::In => "in",
    }
}

fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

impl Outcome {
    /// The outcome of `report`; `rules` is the rule file as the user named it.
    pub fn from_report(report: &Report, rules: &str) -> Outcome {
        let run = vec![
            ("rules".to_string(), rules.replace('\\', "/")),
            ("service".into(), report.service.clone()),
            ("data".into(), report.data.path.replace('\\', "/")),
            ("from".into(), report.data.from.clone()),
            ("to".into(), report.data.to.clone()),
            ("tick".into(), format_duration(report.data.tick_ms)),
            ("ticks".into(), report.data.ticks.to_string()),
            ("mode".into(), report.mode.clone()),
        ];
        let mut scores = score_lines("policy", &report.policy);
        scores.push((
            "policy.cost_vs_oracle".into(),
            report.cost_vs_oracle.map_or("-".into(), |v| num(v, 3)),
        ));
        scores.push((
            "baselines.oracle.cost.replica_hours".into(),
            num(report.baselines.oracle.cost.replica_hours, 1),
        ));
        scores.push((
            "baselines.static_best.replicas".into(),
            report
                .baselines
                .static_best
                .replicas
                .map_or("-".into(), |v| v.to_string()),
        ));
        if let Some(z) = &report.baselines.static_best.size {
            scores.push(("baselines.static_best.size".into(), z.clone()));
        }
        let lines: BTreeMap<&str, usize> = report
            .rules
            .iter()
            .map(|r| (r.rule.as_str(), r.line))
            .collect();
        let rules = report
            .rules
            .iter()
            .map(|r| RuleLine {
                rule: r.rule.clone(),
                line: r.line,
                fired: r.fired,
                suppressed: r.suppressed.clone(),
                text: one_line(&r.text),
            })
            .collect();
        let decisions = report
            .decisions
            .iter()
            .map(|d: &DecisionRecord| Decision {
                timestamp_ms: d.timestamp_ms,
                direction: match (&d.resize, d.direction) {
                    (Some(_), Direction::Out) => "up",
                    (Some(_), Direction::In) => "down",
                    (None, dir) => direction(&dir),
                }
                .into(),
                from: d.from,
                to: d.to,
                rule: d.rule.clone(),
                line: lines.get(d.rule.as_str()).copied().unwrap_or(0),
                resize: d.resize.clone(),
            })
            .collect();
        Outcome {
            run,
            scores,
            rules,
            decisions,
        }
    }

    /// A `[run]` value.
    pub fn run_value(&self, key: &str) -> Option<&str> {
        self.run
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    /// The tick in ms, from `[run] tick`.
    pub fn tick_ms(&self) -> Option<i64> {
        self.run_value("tick")
            .and_then(|t| crate::timestamp::parse_duration(t).ok())
    }

    /// The snapshot file's text.
    pub fn render(&self) -> String {
        let mut s = String::new();
        let _ = writeln!(s, "{MAGIC}");
        let _ = writeln!(
            s,
            "# The backtest outcome of a rule file. Review changes with `scalerules snapshot`,"
        );
        let _ = writeln!(
            s,
            "# accept them with `scalerules snapshot --accept` (docs/testing.md)."
        );
        let _ = writeln!(s);
        let _ = writeln!(s, "[run]");
        for (k, v) in &self.run {
            let _ = writeln!(s, "{k} = {v}");
        }
        let _ = writeln!(s);
        let _ = writeln!(s, "[scores]");
        for (k, v) in &self.scores {
            let _ = writeln!(s, "{k} = {v}");
        }
        let _ = writeln!(s);
        let _ = writeln!(s, "[rules]");
        let _ = writeln!(s, "# rule  line  fired  suppressed  | text");
        for r in &self.rules {
            let sup = if r.suppressed.is_empty() {
                "-".to_string()
            } else {
                r.suppressed
                    .iter()
                    .map(|(k, v)| format!("{k}={v}"))
                    .collect::<Vec<_>>()
                    .join(",")
            };
            let _ = writeln!(
                s,
                "{}  line={}  fired={}  suppressed={}  | {}",
                r.rule, r.line, r.fired, sup, r.text
            );
        }
        let _ = writeln!(s);
        let _ = writeln!(s, "[decisions]");
        let _ = writeln!(
            s,
            "# {} decisions: time  direction  from -> to  rule",
            self.decisions.len()
        );
        for d in &self.decisions {
            let _ = writeln!(s, "{}", d.display());
        }
        s
    }

    /// Reads a snapshot file back.
    pub fn parse(text: &str) -> Result<Outcome, ParseError> {
        let mut out = Outcome::default();
        let mut section = "";
        let mut seen_magic = false;
        for (i, raw) in text.lines().enumerate() {
            let lineno = i + 1;
            let err = |m: String| ParseError {
                line: lineno,
                message: m,
            };
            let line = raw.trim();
            if i == 0 {
                if line != MAGIC {
                    return Err(err(format!(
                        "not a scalerules snapshot (the first line should be `{MAGIC}`)"
                    )));
                }
                seen_magic = true;
                continue;
            }
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            if line.starts_with('[') && line.ends_with(']') {
                section = match &line[1..line.len() - 1] {
                    "run" => "run",
                    "scores" => "scores",
                    "rules" => "rules",
                    "decisions" => "decisions",
                    other => return Err(err(format!("unknown section `[{other}]`"))),
                };
                continue;
            }
            match section {
                "run" | "scores" => {
                    let (k, v) = line
                        .split_once(" = ")
                        .ok_or_else(|| err(format!("expected `key = value`, got `{line}`")))?;
                    let pair = (k.trim().to_string(), v.trim().to_string());
                    if section == "run" {
                        out.run.push(pair);
                    } else {
                        out.scores.push(pair);
                    }
                }
                "rules" => out.rules.push(parse_rule(line).map_err(err)?),
                "decisions" => out.decisions.push(parse_decision(line).map_err(err)?),
                _ => return Err(err(format!("`{line}` is outside any section"))),
            }
        }
        if !seen_magic {
            return Err(ParseError {
                line: 1,
                message: "the file is empty".into(),
            });
        }
        Ok(out)
    }
}

fn field<'a>(part: &'a str, key: &str) -> Result<&'a str, String> {
    part.strip_prefix(key)
        .and_then(|r| r.strip_prefix('='))
        .ok_or_else(|| format!("expected `{key}=…`, got `{part}`"))
}

fn int<T: std::str::FromStr>(s: &str, what: &str) -> Result<T, String> {
    s.parse()
        .map_err(|_| format!("{what}: `{s}` is not a whole number"))
}

fn parse_rule(line: &str) -> Result<RuleLine, String> {
    let (head, text) = line.split_once(" | ").unwrap_or((line, ""));
    let parts: Vec<&str> = head.split_whitespace().collect();
    let [rule, l, fired, sup] = parts.as_slice() else {
        return Err(format!(
            "expected `rN  line=L  fired=F  suppressed=…  | text`, got `{line}`"
        ));
    };
    let mut suppressed = BTreeMap::new();
    let sup = field(sup, "suppressed")?;
    if sup != "-" {
        for kv in sup.split(',') {
            let (k, v) = kv
                .split_once('=')
                .ok_or_else(|| format!("expected `reason=count`, got `{kv}`"))?;
            suppressed.insert(k.to_string(), int(v, "suppressed")?);
        }
    }
    Ok(RuleLine {
        rule: rule.to_string(),
        line: int(field(l, "line")?, "line")?,
        fired: int(field(fired, "fired")?, "fired")?,
        suppressed,
        text: text.trim().to_string(),
    })
}

fn parse_decision(line: &str) -> Result<Decision, String> {
    let bad = || {
        format!(
            "expected `TIME  out|in|up|down  FROM -> TO  rN (line L)[  size A -> B]`, got `{line}`"
        )
    };
    let parts: Vec<&str> = line.split_whitespace().collect();
    let [time, dir, from, arrow, to, rule, rest @ ..] = parts.as_slice() else {
        return Err(bad());
    };
    if *arrow != "->" || !matches!(*dir, "out" | "in" | "up" | "down") {
        return Err(bad());
    }
    let (line_no, resize) = match rest {
        [] => (0, None),
        ["(line", n] => (int(n.trim_end_matches(')'), "line")?, None),
        ["(line", n, "size", a, "->", b] => (
            int(n.trim_end_matches(')'), "line")?,
            Some([a.to_string(), b.to_string()]),
        ),
        _ => return Err(bad()),
    };
    Ok(Decision {
        timestamp_ms: parse_timestamp(time).map_err(|e| format!("`{time}`: {e}"))?,
        direction: dir.to_string(),
        from: int(from, "from")?,
        to: int(to, "to")?,
        rule: rule.to_string(),
        line: line_no,
        resize,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Outcome {
        Outcome {
            run: vec![
                ("rules".into(), "rules/a.scale".into()),
                ("tick".into(), "1m".into()),
            ],
            scores: vec![("policy.cost.replica_hours".into(), "12.5".into())],
            rules: vec![RuleLine {
                rule: "r1".into(),
                line: 4,
                fired: 2,
                suppressed: [("cooldown".to_string(), 3)].into_iter().collect(),
                text: "when p95 > 300ms for 2m scale out by 2 | odd".into(),
            }],
            decisions: vec![Decision {
                timestamp_ms: 1_772_429_700_000,
                direction: "out".into(),
                from: 4,
                to: 6,
                rule: "r1".into(),
                line: 4,
                resize: None,
            }],
        }
    }

    #[test]
    fn a_resize_decision_round_trips() {
        let mut o = sample();
        o.decisions.push(Decision {
            timestamp_ms: 120_000,
            direction: "up".into(),
            from: 3,
            to: 3,
            rule: "r2".into(),
            line: 5,
            resize: Some(["small".into(), "large".into()]),
        });
        let text = o.render();
        assert!(
            text.contains("up   3 -> 3  r2 (line 5)  size small -> large"),
            "{text}"
        );
        assert_eq!(Outcome::parse(&text), Ok(o));
    }

    #[test]
    fn render_then_parse_round_trips() {
        let o = sample();
        let text = o.render();
        assert!(text.contains("2026-03-02T05:35:00Z  out  4 -> 6  r1 (line 4)"));
        assert!(text.contains("policy.cost.replica_hours = 12.5"));
        assert_eq!(Outcome::parse(&text), Ok(o));
    }

    #[test]
    fn parse_errors_name_the_line() {
        let e = Outcome::parse("# scalerules snapshot v1\n[decisions]\nnonsense here\n");
        assert_eq!(e.map_err(|e| e.line), Err(3));
        assert!(Outcome::parse("hello\n").is_err());
        assert!(Outcome::parse("").is_err());
        let e = Outcome::parse("# scalerules snapshot v1\n[run]\nservice\n");
        assert!(e.is_err_and(|e| e.message.contains("key = value")));
    }

    #[test]
    fn rounding_hides_noise_and_negative_zero() {
        assert_eq!(num(2382.94999, 1), "2382.9");
        assert_eq!(num(-0.00001, 2), "0.00");
        assert_eq!(num(f64::NAN, 2), "-");
    }
}
