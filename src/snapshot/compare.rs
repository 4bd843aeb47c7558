//! What changed between two outcomes: run header, scores, per-rule counts and the
//! decisions (unchanged, moved, appeared, vanished).

use super::{Decision, Outcome};
use crate::timestamp::{format_duration, format_timestamp};
use serde::Serialize;
use std::collections::BTreeMap;
use std::fmt::Write as _;

/// One score that differs.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ScoreChange {
    pub key: String,
    pub old: String,
    pub new: String,
    /// new − old, when both are numbers.
    pub delta: Option<f64>,
    /// 100 × delta / |old|, when both are numbers and old ≠ 0.
    pub percent: Option<f64>,
}

/// A rule whose counts, line or text differ (matched by id: `r1`, `r2`, …).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RuleChange {
    pub rule: String,
    pub old_line: Option<usize>,
    pub new_line: Option<usize>,
    pub old_fired: Option<usize>,
    pub new_fired: Option<usize>,
    pub old_suppressed: BTreeMap<String, usize>,
    pub new_suppressed: BTreeMap<String, usize>,
    pub old_text: Option<String>,
    pub new_text: Option<String>,
}

/// A decision that is not in both outcomes unchanged.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum DecisionChange {
    /// Only in the new outcome.
    Appeared { new: Decision },
    /// Only in the old outcome.
    Vanished { old: Decision },
    /// The same rule and direction within the move window: its time (and maybe its
    /// replica counts) changed.
    Moved {
        old: Decision,
        new: Decision,
        shift_ms: i64,
    },
}

impl DecisionChange {
    /// The earliest instant the change concerns (for ordering).
    pub fn time(&self) -> i64 {
        match self {
            DecisionChange::Appeared { new } => new.timestamp_ms,
            DecisionChange::Vanished { old } => old.timestamp_ms,
            DecisionChange::Moved { old, new, .. } => old.timestamp_ms.min(new.timestamp_ms),
        }
    }
}

/// Everything that differs between two outcomes.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Comparison {
    /// `[run]` keys whose values differ: (key, old, new).
    pub run: Vec<(String, String, String)>,
    pub scores: Vec<ScoreChange>,
    pub rules: Vec<RuleChange>,
    pub old_decisions: usize,
    pub new_decisions: usize,
    pub unchanged: usize,
    /// In time order.
    pub decisions: Vec<DecisionChange>,
    /// The move window used, in ms.
    pub move_window_ms: i64,
}

impl Comparison {
    /// Whether the outcomes are the same (header, scores, rules, decisions).
    pub fn is_empty(&self) -> bool {
        self.run.is_empty()
            && self.scores.is_empty()
            && self.rules.is_empty()
            && self.decisions.is_empty()
    }

    /// `2 unchanged, 1 moved, 2 vanished, 3 appeared`.
    pub fn kinds(&self) -> String {
        format!(
            "{} unchanged, {} moved, {} vanished, {} appeared",
            self.unchanged,
            self.count("moved"),
            self.count("vanished"),
            self.count("appeared")
        )
    }

    /// `moved = same rule and direction within 10m`.
    pub fn moved_means(&self) -> String {
        format!(
            "moved = same rule and direction within {}",
            format_duration(self.move_window_ms)
        )
    }

    pub fn count(&self, kind: &str) -> usize {
        self.decisions
            .iter()
            .filter(|d| {
                matches!(
                    (kind, d),
                    ("moved", DecisionChange::Moved { .. })
                        | ("appeared", DecisionChange::Appeared { .. })
                        | ("vanished", DecisionChange::Vanished { .. })
                )
            })
            .count()
    }
}

fn parse_num(s: &str) -> Option<f64> {
    s.parse::<f64>().ok().filter(|v| v.is_finite())
}

fn score_changes(old: &[(String, String)], new: &[(String, String)]) -> Vec<ScoreChange> {
    let old_map: BTreeMap<&str, &str> = old.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let new_map: BTreeMap<&str, &str> = new.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    // The new file's order, then keys only the old one has.
    let mut keys: Vec<&str> = new.iter().map(|(k, _)| k.as_str()).collect();
    keys.extend(
        old.iter()
            .map(|(k, _)| k.as_str())
            .filter(|k| !new_map.contains_key(k)),
    );
    let mut out = Vec::new();
    for k in keys {
        let o = old_map.get(k).copied().unwrap_or("(absent)");
        let n = new_map.get(k).copied().unwrap_or("(absent)");
        if o == n {
            continue;
        }
        let (delta, percent) = match (parse_num(o), parse_num(n)) {
            (Some(a), Some(b)) => (Some(b - a), (a != 0.0).then(|| 100.0 * (b - a) / a.abs())),
            _ => (None, None),
        };
        out.push(ScoreChange {
            key: k.to_string(),
            old: o.to_string(),
            new: n.to_string(),
            delta,
            percent,
        });
    }
    out
}

fn rule_changes(old: &Outcome, new: &Outcome) -> Vec<RuleChange> {
    let mut ids: Vec<&str> = new.rules.iter().map(|r| r.rule.as_str()).collect();
    for r in &old.rules {
        if !ids.contains(&r.rule.as_str()) {
            ids.push(&r.rule);
        }
    }
    let mut out = Vec::new();
    for id in ids {
        let o = old.rules.iter().find(|r| r.rule == id);
        let n = new.rules.iter().find(|r| r.rule == id);
        if o == n {
            continue;
        }
        out.push(RuleChange {
            rule: id.to_string(),
            old_line: o.map(|r| r.line),
            new_line: n.map(|r| r.line),
            old_fired: o.map(|r| r.fired),
            new_fired: n.map(|r| r.fired),
            old_suppressed: o.map(|r| r.suppressed.clone()).unwrap_or_default(),
            new_suppressed: n.map(|r| r.suppressed.clone()).unwrap_or_default(),
            old_text: o.map(|r| r.text.clone()),
            new_text: n.map(|r| r.text.clone()),
        });
    }
    out
}

/// Classifies the decisions of two runs:
/// 1. identical (time, direction, from, to, rule) in both: unchanged (paired one to one);
/// 2. of the rest, an old and a new decision of the same rule and direction at most
///    `move_window_ms` apart: moved (closest pairs first, then the earlier);
/// 3. what is left: vanished (old only) or appeared (new only).
pub fn classify(
    old: &[Decision],
    new: &[Decision],
    move_window_ms: i64,
) -> (usize, Vec<DecisionChange>) {
    let key = |d: &Decision| {
        (
            d.timestamp_ms,
            d.direction.clone(),
            d.from,
            d.to,
            d.rule.clone(),
        )
    };
    let mut new_left: BTreeMap<_, Vec<usize>> = BTreeMap::new();
    for (j, d) in new.iter().enumerate() {
        new_left.entry(key(d)).or_default().push(j);
    }
    let mut old_used = vec![false; old.len()];
    let mut new_used = vec![false; new.len()];
    let mut unchanged = 0;
    for (i, d) in old.iter().enumerate() {
        if let Some(js) = new_left.get_mut(&key(d)) {
            if let Some(j) = js.pop() {
                old_used[i] = true;
                new_used[j] = true;
                unchanged += 1;
            }
        }
    }
    // Candidate moves, closest first. Both lists are in time order, so a window scan
    // would do; the quadratic scan is bounded by the (small) unmatched remainder.
    let mut pairs: Vec<(i64, i64, usize, usize)> = Vec::new();
    for (i, o) in old.iter().enumerate().filter(|(i, _)| !old_used[*i]) {
        for (j, n) in new.iter().enumerate().filter(|(j, _)| !new_used[*j]) {
            let dt = (n.timestamp_ms - o.timestamp_ms).abs();
            if o.rule == n.rule && o.direction == n.direction && dt <= move_window_ms {
                pairs.push((dt, o.timestamp_ms.min(n.timestamp_ms), i, j));
            }
        }
    }
    pairs.sort();
    let mut changes = Vec::new();
    for (_, _, i, j) in pairs {
        if old_used[i] || new_used[j] {
            continue;
        }
        old_used[i] = true;
        new_used[j] = true;
        changes.push(DecisionChange::Moved {
            old: old[i].clone(),
            new: new[j].clone(),
            shift_ms: new[j].timestamp_ms - old[i].timestamp_ms,
        });
    }
    for (i, d) in old.iter().enumerate() {
        if !old_used[i] {
            changes.push(DecisionChange::Vanished { old: d.clone() });
        }
    }
    for (j, d) in new.iter().enumerate() {
        if !new_used[j] {
            changes.push(DecisionChange::Appeared { new: d.clone() });
        }
    }
    changes.sort_by_key(|c| {
        let rank = match c {
            DecisionChange::Vanished { .. } => 0,
            DecisionChange::Moved { .. } => 1,
            DecisionChange::Appeared { .. } => 2,
        };
        (c.time(), rank)
    });
    (unchanged, changes)
}

/// Compares two outcomes. `move_window_ms`: see [`classify`].
pub fn compare(old: &Outcome, new: &Outcome, move_window_ms: i64) -> Comparison {
    let mut run = Vec::new();
    for (k, n) in &new.run {
        let o = old.run_value(k).unwrap_or("(absent)");
        if o != n {
            run.push((k.clone(), o.to_string(), n.clone()));
        }
    }
    for (k, o) in &old.run {
        if new.run_value(k).is_none() {
            run.push((k.clone(), o.clone(), "(absent)".into()));
        }
    }
    let (unchanged, decisions) = classify(&old.decisions, &new.decisions, move_window_ms);
    Comparison {
        run,
        scores: score_changes(&old.scores, &new.scores),
        rules: rule_changes(old, new),
        old_decisions: old.decisions.len(),
        new_decisions: new.decisions.len(),
        unchanged,
        decisions,
        move_window_ms,
    }
}

/// A signed number with a real minus sign, e.g. `−92.8` or `+3`.
pub fn signed(v: f64, decimals: usize) -> String {
    let s = format!("{:.decimals$}", v.abs());
    if s.chars().all(|c| c == '0' || c == '.') {
        s
    } else if v < 0.0 {
        format!("−{s}")
    } else {
        format!("+{s}")
    }
}

fn decimals_of(s: &str) -> usize {
    s.split_once('.').map_or(0, |(_, f)| f.len())
}

/// `2382.9 → 2290.1 (−3.9%)`.
pub fn describe_score(c: &ScoreChange) -> String {
    match (c.delta, c.percent) {
        (_, Some(p)) => format!("{} → {} ({}%)", c.old, c.new, signed(p, 1)),
        (Some(d), None) => format!(
            "{} → {} ({})",
            c.old,
            c.new,
            signed(d, decimals_of(&c.new).max(decimals_of(&c.old)))
        ),
        _ => format!("{} → {}", c.old, c.new),
    }
}

/// How far a decision moved: `+2m`, `−90s`, `same time`.
pub fn shift(ms: i64) -> String {
    if ms == 0 {
        "same time".into()
    } else if ms < 0 {
        format!("−{}", format_duration(-ms))
    } else {
        format!("+{}", format_duration(ms))
    }
}

/// One line per decision change, e.g.
/// `moved     2026-03-02T05:35:00Z → 05:37:00Z (+2m)  out  4 -> 6  r1 (line 10)`.
pub fn describe_decision(c: &DecisionChange) -> String {
    match c {
        DecisionChange::Appeared { new } => format!("appeared  {}", new.display()),
        DecisionChange::Vanished { old } => format!("vanished  {}", old.display()),
        DecisionChange::Moved { old, new, shift_ms } => {
            let counts = if (old.from, old.to) == (new.from, new.to) {
                format!("{} -> {}", new.from, new.to)
            } else {
                format!(
                    "{} -> {} (was {} -> {})",
                    new.from, new.to, old.from, old.to
                )
            };
            format!(
                "moved     {} → {} ({})  {:<3}  {}  {} (line {})",
                format_timestamp(old.timestamp_ms),
                format_timestamp(new.timestamp_ms),
                shift(*shift_ms),
                new.direction,
                counts,
                new.rule,
                new.line
            )
        }
    }
}

fn sup_text(m: &BTreeMap<String, usize>) -> String {
    if m.is_empty() {
        "-".into()
    } else {
        m.iter()
            .map(|(k, v)| format!("{k} {v}"))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

fn opt<T: std::fmt::Display>(v: Option<T>) -> String {
    v.map_or("(absent)".into(), |v| v.to_string())
}

/// The readable report of a comparison; at most `limit` decision lines.
pub fn render(c: &Comparison, limit: usize) -> String {
    let mut s = String::new();
    if c.is_empty() {
        let _ = writeln!(s, "no change");
        return s;
    }
    if !c.run.is_empty() {
        let _ = writeln!(s, "run:");
        for (k, o, n) in &c.run {
            let _ = writeln!(s, "  {k}: {o} → {n}");
        }
    }
    if !c.scores.is_empty() {
        let _ = writeln!(s, "scores ({} changed):", c.scores.len());
        let w = c.scores.iter().map(|x| x.key.len()).max().unwrap_or(0) + 1;
        for x in &c.scores {
            let _ = writeln!(s, "  {:<w$} {}", format!("{}:", x.key), describe_score(x));
        }
    }
    if !c.rules.is_empty() {
        let _ = writeln!(s, "rules:");
        for r in &c.rules {
            let mut parts = Vec::new();
            if r.old_line != r.new_line {
                parts.push(format!("line {} → {}", opt(r.old_line), opt(r.new_line)));
            }
            if r.old_fired != r.new_fired {
                parts.push(format!("fired {} → {}", opt(r.old_fired), opt(r.new_fired)));
            }
            if r.old_suppressed != r.new_suppressed {
                parts.push(format!(
                    "suppressed {} → {}",
                    sup_text(&r.old_suppressed),
                    sup_text(&r.new_suppressed)
                ));
            }
            let line = r
                .new_line
                .or(r.old_line)
                .map_or(String::new(), |l| format!(" (line {l})"));
            let _ = writeln!(s, "  {}{line}: {}", r.rule, parts.join("; "));
            if r.old_text != r.new_text {
                let _ = writeln!(s, "    was: {}", opt(r.old_text.as_deref()));
                let _ = writeln!(s, "    now: {}", opt(r.new_text.as_deref()));
            }
        }
    }
    let _ = writeln!(
        s,
        "decisions: {} → {} ({}; {})",
        c.old_decisions,
        c.new_decisions,
        c.kinds(),
        c.moved_means()
    );
    for d in c.decisions.iter().take(limit) {
        let _ = writeln!(s, "  {}", describe_decision(d));
    }
    if c.decisions.len() > limit {
        let _ = writeln!(s, "  … and {} more", c.decisions.len() - limit);
    }
    s
}

/// Which way a score is better, for `compare`'s winner marks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Better {
    Lower,
    /// `elasticity.jitter`: adapting as often as demand changes is 0.
    NearerZero,
}

/// Which way the score `key` (a [`crate::snapshot::score_lines`] key without its
/// prefix) is better; `None` for scores that describe rather than rank
/// (`cost.mean_replicas`, `cost.peak_replicas`, `vertical.mean_capacity_units`, the
/// scale-out and resize counts).
pub fn better(key: &str) -> Option<Better> {
    match key {
        "elasticity.jitter" => Some(Better::NearerZero),
        "cost.replica_hours"
        | "cost.cost"
        | "thrashing.reversals"
        | "thrashing.changes"
        | "vertical.restart_replica_minutes" => Some(Better::Lower),
        k if k.starts_with("sla.") || k.starts_with("elasticity.") => Some(Better::Lower),
        _ => None,
    }
}

/// The indices of the best values (all of them on a tie); none when fewer than two
/// values are known or all known values are equal.
pub fn winners(values: &[Option<f64>], better: Better) -> Vec<usize> {
    let rank = |v: f64| match better {
        Better::Lower => v,
        Better::NearerZero => v.abs(),
    };
    let known: Vec<(usize, f64)> = values
        .iter()
        .enumerate()
        .filter_map(|(i, v)| v.filter(|x| x.is_finite()).map(|x| (i, rank(x))))
        .collect();
    let Some(best) = known.iter().map(|x| x.1).reduce(f64::min) else {
        return Vec::new();
    };
    if known.len() < 2 || known.iter().all(|x| x.1 == best) {
        return Vec::new();
    }
    known.iter().filter(|x| x.1 == best).map(|x| x.0).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(min: i64, dir: &str, from: u32, to: u32, rule: &str) -> Decision {
        Decision {
            timestamp_ms: min * 60_000,
            direction: dir.into(),
            from,
            to,
            rule: rule.into(),
            line: 1,
            resize: None,
        }
    }

    #[test]
    fn classifies_unchanged_moved_appeared_vanished() {
        let old = vec![
            d(0, "out", 2, 4, "r1"),
            d(10, "out", 4, 6, "r1"),
            d(30, "in", 6, 5, "r2"),
            d(100, "out", 5, 7, "r1"),
        ];
        let new = vec![
            d(0, "out", 2, 4, "r1"),
            d(13, "out", 4, 6, "r1"),
            d(31, "out", 6, 8, "r1"),
            d(200, "in", 8, 7, "r2"),
        ];
        let (same, ch) = classify(&old, &new, 5 * 60_000);
        assert_eq!(same, 1);
        let kinds: Vec<String> = ch.iter().map(describe_decision).collect();
        assert_eq!(
            kinds,
            vec![
                "moved     1970-01-01T00:10:00Z → 1970-01-01T00:13:00Z (+3m)  out  4 -> 6  r1 (line 1)",
                "vanished  1970-01-01T00:30:00Z  in   6 -> 5  r2 (line 1)",
                "appeared  1970-01-01T00:31:00Z  out  6 -> 8  r1 (line 1)",
                "vanished  1970-01-01T01:40:00Z  out  5 -> 7  r1 (line 1)",
                "appeared  1970-01-01T03:20:00Z  in   8 -> 7  r2 (line 1)",
            ]
        );
    }

    #[test]
    fn closest_pairs_move_first() {
        let old = vec![d(10, "out", 2, 4, "r1"), d(14, "out", 4, 6, "r1")];
        let new = vec![d(15, "out", 2, 4, "r1")];
        let (_, ch) = classify(&old, &new, 10 * 60_000);
        assert!(matches!(&ch[0], DecisionChange::Vanished { old } if old.timestamp_ms == 600_000));
        assert!(matches!(&ch[1], DecisionChange::Moved { shift_ms, .. } if *shift_ms == 60_000));
    }

    #[test]
    fn winners_are_the_best_known_values_and_no_one_on_a_full_tie() {
        assert_eq!(
            winners(&[Some(3.0), Some(1.0), None, Some(1.0)], Better::Lower),
            [1, 3]
        );
        assert_eq!(winners(&[Some(-0.5), Some(0.2)], Better::NearerZero), [1]);
        assert!(winners(&[Some(2.0), Some(2.0)], Better::Lower).is_empty());
        assert!(winners(&[Some(2.0), None], Better::Lower).is_empty());
        assert_eq!(better("cost.cost"), Some(Better::Lower));
        assert_eq!(better("cost.mean_replicas"), None);
    }

    #[test]
    fn score_deltas_and_percentages() {
        let old = vec![
            ("a".to_string(), "2382.9".to_string()),
            ("b".into(), "0".into()),
            ("c".into(), "-".into()),
            ("d".into(), "5".into()),
        ];
        let new = vec![
            ("a".to_string(), "2290.1".to_string()),
            ("b".into(), "3".into()),
            ("c".into(), "4".into()),
            ("d".into(), "5".into()),
        ];
        let ch = score_changes(&old, &new);
        let text: Vec<String> = ch.iter().map(describe_score).collect();
        assert_eq!(text, vec!["2382.9 → 2290.1 (−3.9%)", "0 → 3 (+3)", "- → 4"]);
    }
}
