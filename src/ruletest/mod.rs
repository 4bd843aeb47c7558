//! Rule unit tests (`scalerules test`): short input series per metric in promtool's
//! notation, fed to the real evaluator, checked against expectations. The file format is
//! TOML, kept next to the rule file (`checkout.scale` → `checkout.test.toml`); see
//! `docs/testing.md`.

mod report;

pub use report::{junit_xml, render_failure};

use crate::eval::series::parse_series;
use crate::eval::{Decision, Evaluator};
use crate::ir::{self, Direction, Millis};
use crate::span::line_col;
use serde::Deserialize;
use std::path::{Path, PathBuf};

/// A whole test file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TestFile {
    /// The rule file, relative to the test file (default: the same stem with `.scale`).
    pub rules: Option<String>,
    /// The service under test (needed when the rule file has several).
    pub service: Option<String>,
    #[serde(rename = "test", default)]
    pub tests: Vec<toml::Spanned<TestCase>>,
}

/// One `[[test]]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TestCase {
    pub name: String,
    /// Time between samples (`1m`, `30s`).
    #[serde(default = "default_interval")]
    pub interval: String,
    /// Starting replica count (default: the service's start).
    pub start: Option<u32>,
    /// Metric name → series in promtool notation, in the metric's unit.
    pub series: std::collections::BTreeMap<String, String>,
    #[serde(default)]
    pub expect: Vec<toml::Spanned<Expectation>>,
}

fn default_interval() -> String {
    "1m".into()
}

/// One expectation. Exactly one form:
/// - `{ at = "4m", scale = "out", to = 6, rule = 10 }` — a decision at a time (`to` and
///   `rule` optional; `rule` is the rule's line, or a piece of its text);
/// - `{ at = "6m", replicas = 6 }` — the replica count just after that evaluation;
/// - `{ between = ["0m", "3m"], no_decision = true }` — no decision in the closed window;
/// - `{ no_scale_in = true }` / `{ no_scale_out = true }` — never, in the whole test.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Expectation {
    pub at: Option<String>,
    pub scale: Option<String>,
    pub to: Option<u32>,
    pub rule: Option<RuleRef>,
    pub replicas: Option<u32>,
    pub between: Option<[String; 2]>,
    pub no_decision: Option<bool>,
    pub no_scale_in: Option<bool>,
    pub no_scale_out: Option<bool>,
    /// The size (a ladder name): with `at` alone, the size just after that evaluation;
    /// with `scale = "up"`/`"down"`, the size the resize goes to.
    pub size: Option<String>,
}

/// A rule named by its line or by a piece of its text.
#[derive(Debug, Deserialize, Clone)]
#[serde(untagged)]
pub enum RuleRef {
    Line(usize),
    Text(String),
}

/// What happened in one test.
#[derive(Debug)]
pub struct CaseResult {
    pub name: String,
    /// 1-based line of the `[[test]]` in the test file.
    pub line: usize,
    pub failures: Vec<Failure>,
    /// Every decision, for context.
    pub decisions: Vec<Decision>,
    pub interval: Millis,
}

/// One unmet expectation, with a pointer into the test file.
#[derive(Debug)]
pub struct Failure {
    pub line: usize,
    pub expected: String,
    pub got: String,
    /// Around which time to show decisions.
    pub around: Option<Millis>,
}

/// The outcome of one test file.
#[derive(Debug)]
pub struct FileResult {
    pub path: PathBuf,
    pub rules: PathBuf,
    pub cases: Vec<CaseResult>,
    /// A problem with the file itself (unreadable, malformed, rules do not compile).
    pub error: Option<String>,
    /// The compiled rules and the service under test, for reports.
    pub program: Option<ir::Program>,
    pub service: Option<String>,
}

impl FileResult {
    /// The service the tests ran against.
    pub fn service(&self) -> Option<&ir::Service> {
        self.program.as_ref()?.service(self.service.as_deref()?)
    }

    pub fn passed(&self) -> bool {
        self.error.is_none() && self.cases.iter().all(|c| c.failures.is_empty())
    }
}

/// Parses a test's times and intervals (`5m`, `90s`, `1h30m`).
fn parse_duration(s: &str) -> Option<Millis> {
    crate::timestamp::parse_duration(s).ok()
}

/// Finds test files under `paths` (files as given; folders searched for `*.test.toml`
/// by [`crate::files::expand`]), sorted. Fails when a folder cannot be read.
pub fn discover(paths: &[PathBuf]) -> std::io::Result<Vec<PathBuf>> {
    let mut found = crate::files::expand(paths, |p| {
        p.file_name()
            .is_some_and(|n| n.to_string_lossy().ends_with(".test.toml"))
    });
    // An unreadable folder stays in the list: read it again for its error.
    if let Some(dir) = found.iter().find(|p| p.is_dir()) {
        std::fs::read_dir(dir)?;
    }
    found.sort();
    Ok(found)
}

/// Runs one test file.
pub fn run_file(path: &Path) -> FileResult {
    let mut result = FileResult {
        path: path.to_path_buf(),
        rules: PathBuf::new(),
        cases: Vec::new(),
        error: None,
        program: None,
        service: None,
    };
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) => {
            result.error = Some(format!("cannot read {}: {e}", path.display()));
            return result;
        }
    };
    let file: TestFile = match toml::from_str(&text) {
        Ok(f) => f,
        Err(e) => {
            result.error = Some(format!("{}: not a valid test file: {e}", path.display()));
            return result;
        }
    };
    let dir = path.parent().unwrap_or(Path::new("."));
    let rules = match &file.rules {
        Some(r) => dir.join(r),
        None => {
            let name = path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            dir.join(format!("{}.scale", name.trim_end_matches(".test.toml")))
        }
    };
    result.rules = rules.clone();
    let src = match std::fs::read_to_string(&rules) {
        Ok(s) => s,
        Err(e) => {
            result.error = Some(format!(
                "cannot read the rule file {}: {e}",
                rules.display()
            ));
            return result;
        }
    };
    let compiled = crate::compile(&src, &crate::stem_of(&rules));
    let Some(program) = compiled.program else {
        let n = compiled.diagnostics.iter().filter(|d| d.is_error()).count();
        result.error = Some(format!(
            "the rule file {} has {n} error(s): run `scalerules check {}`",
            rules.display(),
            rules.display()
        ));
        return result;
    };
    let service = match program.select(file.service.as_deref()) {
        Ok(s) => s,
        Err(e) => {
            result.error = Some(format!("{}: {e}", path.display()));
            return result;
        }
    };
    for case in &file.tests {
        let line = line_col(&text, case.span().start).0;
        result
            .cases
            .push(run_case(service, case.get_ref(), line, &text));
    }
    result.service = Some(service.name.clone());
    result.program = Some(program);
    result
}

fn run_case(service: &ir::Service, case: &TestCase, line: usize, text: &str) -> CaseResult {
    let mut res = CaseResult {
        name: case.name.clone(),
        line,
        failures: Vec::new(),
        decisions: Vec::new(),
        interval: 60_000,
    };
    let fail = |res: &mut CaseResult, expected: &str, got: String| {
        res.failures.push(Failure {
            line,
            expected: expected.to_string(),
            got,
            around: None,
        });
    };
    let Some(interval) = parse_duration(&case.interval).filter(|&d| d > 0) else {
        fail(
            &mut res,
            "a positive `interval` like \"1m\"",
            format!("`{}`", case.interval),
        );
        return res;
    };
    res.interval = interval;
    // One column per metric the rules read, in the metric's unit; other slots (model-only
    // metrics such as the demand) stay missing.
    let used = service.read_by_rules();
    let mut columns: Vec<Option<Vec<f64>>> = Vec::new();
    for (m, &read) in service.metrics.iter().zip(&used) {
        if !read {
            columns.push(None);
            continue;
        }
        let Some(s) = case.series.get(&m.name) else {
            fail(
                &mut res,
                &format!("a series for metric `{}`", m.name),
                "none".into(),
            );
            continue;
        };
        match parse_series(s) {
            Ok(v) => columns.push(Some(v)),
            Err(e) => fail(
                &mut res,
                &format!("a valid series for `{}`", m.name),
                e.to_string(),
            ),
        }
    }
    for name in case.series.keys() {
        if service.metric(name).is_none_or(|id| !used[id.0]) {
            fail(
                &mut res,
                "series only for metrics the rules read",
                format!("a series for `{name}`, which no rule reads"),
            );
        }
    }
    let lengths: Vec<(String, usize)> = service
        .metrics
        .iter()
        .zip(&columns)
        .filter_map(|(m, c)| c.as_ref().map(|c| (m.name.clone(), c.len())))
        .collect();
    if lengths.iter().any(|l| l.1 != lengths[0].1) {
        let desc: Vec<String> = lengths
            .iter()
            .map(|(n, l)| format!("{n} has {l}"))
            .collect();
        fail(&mut res, "series of equal length", desc.join(", "));
    }
    if !res.failures.is_empty() {
        return res;
    }
    let n = lengths.first().map_or(0, |l| l.1);
    let start = case.start.unwrap_or(service.start);
    let mut ev = Evaluator::with_replicas(service, start);
    let mut counts = Vec::with_capacity(n);
    let mut sizes = Vec::with_capacity(n);
    let mut values = vec![f64::NAN; service.metrics.len()];
    for i in 0..n {
        let t = i as Millis * interval;
        for (slot, (col, m)) in columns.iter().zip(&service.metrics).enumerate() {
            values[slot] = col.as_ref().map_or(f64::NAN, |c| m.to_si(c[i]));
        }
        match ev.step(t, &values) {
            Ok(step) => res.decisions.extend(step.decision),
            Err(e) => {
                fail(&mut res, "an evaluation", e.to_string());
                return res;
            }
        }
        counts.push(ev.replicas());
        sizes.push(ev.size());
    }
    let end = n.saturating_sub(1) as Millis * interval;
    for exp in &case.expect {
        let eline = line_col(text, exp.span().start).0;
        if let Err((expected, got, around)) = check(
            service,
            exp.get_ref(),
            &res.decisions,
            (&counts, &sizes),
            interval,
            end,
        ) {
            res.failures.push(Failure {
                line: eline,
                expected,
                got,
                around,
            });
        }
    }
    res
}

type Unmet = (String, String, Option<Millis>);

fn time(s: &str) -> Result<Millis, Unmet> {
    parse_duration(s).ok_or_else(|| ("a time like \"4m\"".to_string(), format!("`{s}`"), None))
}

fn describe(service: &ir::Service, d: &Decision) -> String {
    let by = match d.rule {
        ir::Actor::Rule(_) => String::new(),
        other => format!(" ({})", ir::Service::actor_name(other)),
    };
    if let Some(r) = &d.resize {
        return format!(
            "scale {} {} → {} by line {}{by}",
            if d.direction == Direction::Out {
                "up"
            } else {
                "down"
            },
            r.from,
            r.to,
            service.actor_line(d.rule)
        );
    }
    format!(
        "scale {} {} → {} by line {}{by}",
        dir_word(d.direction),
        d.from,
        d.to,
        service.actor_line(d.rule)
    )
}

fn dir_word(d: Direction) -> &'static str {
    match d {
        Direction::Out => "out",
        Direction::In => "in",
    }
}

/// Whether a decision was made by the rule named: its line, a piece of its text, or the
/// pseudo-rules `target`, `schedule` and `idle`.
fn rule_matches(service: &ir::Service, r: &RuleRef, d: &Decision) -> bool {
    match (r, d.rule) {
        (RuleRef::Text(t), ir::Actor::Target) if t == "target" => true,
        (RuleRef::Text(t), ir::Actor::Schedule(_)) if t == "schedule" => true,
        (RuleRef::Text(t), ir::Actor::Idle) if t == "idle" => true,
        (RuleRef::Line(l), a) => service.actor_line(a) == *l,
        (RuleRef::Text(t), a) => service.actor_text(a).contains(t.as_str()),
    }
}

fn check(
    service: &ir::Service,
    e: &Expectation,
    decisions: &[Decision],
    (counts, sizes): (&[u32], &[u32]),
    interval: Millis,
    end: Millis,
) -> Result<(), Unmet> {
    if e.no_scale_in == Some(true) || e.no_scale_out == Some(true) {
        let banned = if e.no_scale_in == Some(true) {
            Direction::In
        } else {
            Direction::Out
        };
        return match decisions
            .iter()
            .find(|d| d.direction == banned && d.resize.is_none())
        {
            None => Ok(()),
            Some(d) => Err((
                format!("no scale-{} at all", dir_word(banned)),
                format!(
                    "{} at {}",
                    describe(service, d),
                    crate::timestamp::format_duration(d.timestamp)
                ),
                Some(d.timestamp),
            )),
        };
    }
    if let Some([a, b]) = &e.between {
        let (a, b) = (time(a)?, time(b)?);
        return match decisions
            .iter()
            .find(|d| d.timestamp >= a && d.timestamp <= b)
        {
            None => Ok(()),
            Some(d) => Err((
                format!(
                    "no decision from {} to {}",
                    crate::timestamp::format_duration(a),
                    crate::timestamp::format_duration(b)
                ),
                format!(
                    "{} at {}",
                    describe(service, d),
                    crate::timestamp::format_duration(d.timestamp)
                ),
                Some(d.timestamp),
            )),
        };
    }
    let Some(at) = &e.at else {
        return Err((
            "one of `at`, `between`, `no_scale_in`, `no_scale_out`".into(),
            "none of them".into(),
            None,
        ));
    };
    let at = time(at)?;
    if at % interval != 0 || at > end {
        return Err((
            format!(
                "a time on the series' grid (every {}, up to {})",
                crate::timestamp::format_duration(interval),
                crate::timestamp::format_duration(end)
            ),
            crate::timestamp::format_duration(at),
            None,
        ));
    }
    let shown = crate::timestamp::format_duration(at);
    if let Some(n) = e.replicas {
        let got = counts[(at / interval) as usize];
        return if got == n {
            Ok(())
        } else {
            Err((
                format!("{n} replicas at {shown}"),
                format!("{got} replicas"),
                Some(at),
            ))
        };
    }
    let size_name = |i: u32| {
        service
            .ladder
            .as_ref()
            .and_then(|l| l.sizes.get(i as usize))
            .map_or_else(String::new, |z| z.name.clone())
    };
    if let (Some(want), None) = (&e.size, &e.scale) {
        let got = size_name(sizes[(at / interval) as usize]);
        return if &got == want {
            Ok(())
        } else {
            Err((
                format!("size {want} at {shown}"),
                format!("size {got}"),
                Some(at),
            ))
        };
    }
    let mut want = String::from("scale");
    // (direction, vertical)
    let dir = match e.scale.as_deref() {
        Some("out") => Some((Direction::Out, false)),
        Some("in") => Some((Direction::In, false)),
        Some("up") => Some((Direction::Out, true)),
        Some("down") => Some((Direction::In, true)),
        None => None,
        Some(other) => {
            return Err((
                "`scale = \"out\"`, `\"in\"`, `\"up\"` or `\"down\"`".into(),
                format!("`{other}`"),
                None,
            ))
        }
    };
    match dir {
        Some((d, false)) => want.push_str(&format!(" {}", dir_word(d))),
        Some((Direction::Out, true)) => want.push_str(" up"),
        Some((Direction::In, true)) => want.push_str(" down"),
        None => {}
    }
    if let (Some(z), Some(_)) = (&e.size, &e.scale) {
        want.push_str(&format!(" to {z}"));
    }
    if let Some(to) = e.to {
        want.push_str(&format!(" to {to}"));
    }
    want.push_str(&format!(" at {shown}"));
    match &e.rule {
        Some(RuleRef::Line(l)) => want.push_str(&format!(" by line {l}")),
        Some(RuleRef::Text(t)) => want.push_str(&format!(" by the rule with `{t}`")),
        None => {}
    }
    let Some(d) = decisions.iter().find(|d| d.timestamp == at) else {
        return Err((want, format!("no decision at {shown}"), Some(at)));
    };
    let ok = dir.is_none_or(|(x, v)| x == d.direction && v == d.resize.is_some())
        && e.size
            .as_ref()
            .is_none_or(|z| d.resize.as_ref().is_some_and(|r| &r.to == z))
        && e.to.is_none_or(|x| x == d.to)
        && e.rule.as_ref().is_none_or(|r| rule_matches(service, r, d));
    if ok {
        Ok(())
    } else {
        Err((want, describe(service, d), Some(at)))
    }
}
