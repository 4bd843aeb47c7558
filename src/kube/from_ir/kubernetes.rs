//! The `kubernetes { }` block read back into [`Kubernetes`]: the inverse of
//! `kube::print::kubernetes::lines`, line for line, so every line import writes is read
//! (`docs/design-kubernetes.md` 1.7). A line it cannot read, or a second copy of a line
//! that can appear once, is an E415 on that line: export never drops one silently.
//!
//! ```text
//! hpa|keda "NAME" [namespace "NS"]
//! scale [KIND] "NAME" [api "API"] [env container "C"]
//! label "K" = "V"                      annotation "K" = "V"
//! metric NAME: resource R | container "C" resource R | pods "M" [selector "S"]
//!            | object KIND "NAME" [api "A"] metric "M" [selector "S"]
//!            | external "M" [selector "S"]
//!            | prometheus "ADDR" query "Q" [auth "A" [kind K]]
//! trigger REF CLAUSE, …                CLAUSE := name "N" | cached metrics [false]
//!                                                | metric type T | auth "A" [kind K]
//! keda metadata REF "K" = "V"          keda triggers REF, REF, …
//! cron schedule N start "CRON" end "CRON"
//! keda polling D, cooldown D, initial cooldown D, hpa name "N"   (any of them, any order)
//! keda fallback N failures, M replicas[, BEHAVIOR]
//! keda restore original replicas [false]
//! keda modifiers [formula "F"] [target "T"] [activation "A"] [type T]
//! REF := METRIC | schedule N
//! ```

use crate::diagnostics::{Code, Diagnostic};
use crate::ir;
use crate::kube::manifest::{AuthRef, LabelSelector, TargetType};
use crate::kube::policy::{
    Cron, Fallback, Keda, Kubernetes, ManifestKind, Modifiers, ScaleRef, Source, TriggerMeta,
    TriggerRef,
};
use crate::span::Span;

/// The service's `kubernetes { }` lines as a [`Kubernetes`], and an E415 for each line
/// that is not read.
pub(super) fn block(service: &ir::Service, src: &str, diags: &mut Vec<Diagnostic>) -> Kubernetes {
    let mut k = Kubernetes::default();
    let mut seen = Seen::default();
    let body = src.get(service.span.start..service.span.end).unwrap_or("");
    let mut from = 0;
    for line in &service.kubernetes {
        // The line's place in the service, for a diagnostic (the block keeps no spans);
        // searched after the previous line's, so a repeated line points at the repeat.
        let at = body
            .get(from..)
            .and_then(|b| b.find(line.as_str()))
            .map(|i| from + i);
        let span = at.map_or(service.span, |at| {
            from = at + line.len();
            let start = service.span.start + at;
            Span::new(start, start + line.len())
        });
        if let Err(problem) = read_line(line, &mut k, &mut seen) {
            diags.push(unread(problem, span));
        }
    }
    k
}

/// Why a line was not read.
#[derive(Debug, PartialEq)]
enum Problem {
    Unknown,
    /// A line that can appear once, again (its words).
    Repeated(&'static str),
}

fn unread(problem: Problem, span: Span) -> Diagnostic {
    match problem {
        Problem::Unknown => Diagnostic::error(
            Code::UNREAD_KUBERNETES_LINE,
            "export does not read this `kubernetes` line",
            span,
        )
        .label("not read by export")
        .help(
            "the lines export reads are listed in docs/kubernetes.md (\"The kubernetes block\"); \
             `scalerules import` writes only those",
        ),
        Problem::Repeated(what) => Diagnostic::error(
            Code::UNREAD_KUBERNETES_LINE,
            format!("a second `{what}` line: a manifest has one"),
            span,
        )
        .label("repeated")
        .help(format!("keep one `{what}` line")),
    }
}

/// The lines and clauses that may appear once.
#[derive(Default)]
struct Seen(Vec<&'static str>);

impl Seen {
    fn once(&mut self, what: &'static str) -> Result<(), Problem> {
        if self.0.contains(&what) {
            return Err(Problem::Repeated(what));
        }
        self.0.push(what);
        Ok(())
    }
}

fn read_line(line: &str, k: &mut Kubernetes, seen: &mut Seen) -> Result<(), Problem> {
    let toks = tokens(line).ok_or(Problem::Unknown)?;
    let mut c = Cursor { toks: &toks, at: 0 };
    let head = c.any_word().ok_or(Problem::Unknown)?;
    match head.as_str() {
        "hpa" | "keda" if c.peek_string() => {
            seen.once("hpa/keda NAME")?;
            k.kind = if head == "hpa" {
                ManifestKind::Hpa
            } else {
                ManifestKind::Keda
            };
            k.name = c.string().ok_or(Problem::Unknown)?;
            k.namespace = c.keyed_string(&["namespace"]);
            c.end()
        }
        "keda" => keda(&mut c, k, seen),
        "scale" => {
            seen.once("scale")?;
            let kind = c.any_word();
            let name = c.string().ok_or(Problem::Unknown)?;
            let api = c.keyed_string(&["api"]);
            let env_container = c.keyed_string(&["env", "container"]);
            k.scale = Some(ScaleRef {
                kind,
                name,
                api,
                env_container,
            });
            c.end()
        }
        "label" | "annotation" => {
            let pair = c.pair().ok_or(Problem::Unknown)?;
            c.end()?;
            if head == "label" {
                k.labels.push(pair);
            } else {
                k.annotations.push(pair);
            }
            Ok(())
        }
        "metric" => {
            let name = c.any_word().ok_or(Problem::Unknown)?;
            if !c.punct(':') {
                return Err(Problem::Unknown);
            }
            let s = source(&mut c).ok_or(Problem::Unknown)?;
            c.end()?;
            if k.sources.iter().any(|(m, _)| *m == name) {
                return Err(Problem::Repeated("metric NAME:"));
            }
            k.sources.push((name, s));
            Ok(())
        }
        "trigger" => {
            let r = c.reference().ok_or(Problem::Unknown)?;
            let mut meta = TriggerMeta::default();
            loop {
                trigger_clause(&mut c, &mut meta).ok_or(Problem::Unknown)?;
                if !c.punct(',') {
                    break;
                }
            }
            c.end()?;
            let m = trigger_meta(k, r);
            if m.name.is_some() || m.use_cached_metrics.is_some() || m.metric_type.is_some() {
                return Err(Problem::Repeated("trigger REF"));
            }
            m.name = meta.name;
            m.use_cached_metrics = meta.use_cached_metrics;
            m.metric_type = meta.metric_type;
            m.auth = meta.auth;
            Ok(())
        }
        "cron" => {
            let Some(TriggerRef::Schedule(schedule)) = c.reference() else {
                return Err(Problem::Unknown);
            };
            let start = c.keyed_string(&["start"]).ok_or(Problem::Unknown)?;
            let end = c.keyed_string(&["end"]).ok_or(Problem::Unknown)?;
            c.end()?;
            if k.crons.iter().any(|x| x.schedule == schedule) {
                return Err(Problem::Repeated("cron schedule N"));
            }
            k.crons.push(Cron {
                schedule,
                start,
                end,
            });
            Ok(())
        }
        _ => Err(Problem::Unknown),
    }
}

/// The `keda …` lines after the word `keda`.
fn keda(c: &mut Cursor<'_>, k: &mut Kubernetes, seen: &mut Seen) -> Result<(), Problem> {
    let unknown = || Problem::Unknown;
    if c.words(&["metadata"]) {
        let r = c.reference().ok_or_else(unknown)?;
        let pair = c.pair().ok_or_else(unknown)?;
        c.end()?;
        trigger_meta(k, r).metadata.push(pair);
        return Ok(());
    }
    if c.words(&["triggers"]) {
        seen.once("keda triggers")?;
        let mut order = vec![c.reference().ok_or_else(unknown)?];
        while c.punct(',') {
            order.push(c.reference().ok_or_else(unknown)?);
        }
        c.end()?;
        k.trigger_order = Some(order);
        return Ok(());
    }
    if c.words(&["fallback"]) {
        seen.once("keda fallback")?;
        let failures = c.number().ok_or_else(unknown)?;
        if !(c.words(&["failures"]) && c.punct(',')) {
            return Err(unknown());
        }
        let replicas = c.number().ok_or_else(unknown)?;
        if !c.words(&["replicas"]) {
            return Err(unknown());
        }
        let behavior = if c.punct(',') {
            Some(c.any_word().ok_or_else(unknown)?)
        } else {
            None
        };
        c.end()?;
        k.keda.fallback = Some(Fallback {
            failures,
            replicas,
            behavior,
        });
        return Ok(());
    }
    if c.words(&["restore", "original", "replicas"]) {
        seen.once("keda restore original replicas")?;
        let restore = !c.words(&["false"]);
        c.end()?;
        k.keda.restore_original = Some(restore);
        return Ok(());
    }
    if c.words(&["modifiers"]) {
        seen.once("keda modifiers")?;
        let mut m = Modifiers {
            formula: c.keyed_string(&["formula"]),
            target: c.keyed_string(&["target"]),
            activation: c.keyed_string(&["activation"]),
            metric_type: None,
        };
        if c.words(&["type"]) {
            m.metric_type = Some(
                c.any_word()
                    .and_then(|t| TargetType::parse(&t))
                    .ok_or_else(unknown)?,
            );
        }
        c.end()?;
        k.keda.modifiers = Some(m);
        return Ok(());
    }
    // `keda polling D, cooldown D, initial cooldown D, hpa name "N"`.
    loop {
        timing_clause(c, &mut k.keda, seen)?;
        if !c.punct(',') {
            break;
        }
    }
    c.end()
}

fn timing_clause(c: &mut Cursor<'_>, keda: &mut Keda, seen: &mut Seen) -> Result<(), Problem> {
    if c.words(&["polling"]) {
        seen.once("keda polling")?;
        keda.polling = Some(c.duration().ok_or(Problem::Unknown)?);
    } else if c.words(&["cooldown"]) {
        seen.once("keda cooldown")?;
        keda.cooldown = Some(c.duration().ok_or(Problem::Unknown)?);
    } else if c.words(&["initial", "cooldown"]) {
        seen.once("keda initial cooldown")?;
        keda.initial_cooldown = Some(c.duration().ok_or(Problem::Unknown)?);
    } else if c.words(&["hpa", "name"]) {
        seen.once("keda hpa name")?;
        keda.hpa_name = Some(c.string().ok_or(Problem::Unknown)?);
    } else {
        return Err(Problem::Unknown);
    }
    Ok(())
}

/// The block's entry for trigger `r`, made on first mention (so the order is the
/// order of the lines, which is import's order of the triggers).
fn trigger_meta(k: &mut Kubernetes, r: TriggerRef) -> &mut TriggerMeta {
    let i = match k.triggers.iter().position(|t| t.of.as_ref() == Some(&r)) {
        Some(i) => i,
        None => {
            k.triggers.push(TriggerMeta {
                of: Some(r),
                ..TriggerMeta::default()
            });
            k.triggers.len() - 1
        }
    };
    &mut k.triggers[i]
}

fn trigger_clause(c: &mut Cursor<'_>, meta: &mut TriggerMeta) -> Option<()> {
    if c.words(&["name"]) {
        meta.name = Some(c.string()?);
    } else if c.words(&["cached", "metrics"]) {
        meta.use_cached_metrics = Some(!c.words(&["false"]));
    } else if c.words(&["metric", "type"]) {
        meta.metric_type = Some(TargetType::parse(&c.any_word()?)?);
    } else if c.words(&["auth"]) {
        meta.auth = Some(auth(c)?);
    } else {
        return None;
    }
    Some(())
}

/// `"NAME" [kind KIND]`, after `auth`.
fn auth(c: &mut Cursor<'_>) -> Option<AuthRef> {
    let name = c.string()?;
    let kind = if c.words(&["kind"]) {
        Some(c.any_word()?)
    } else {
        None
    };
    Some(AuthRef { name, kind })
}

/// A metric's source, after `metric NAME:`.
fn source(c: &mut Cursor<'_>) -> Option<Source> {
    let kind = c.any_word()?;
    let selector = |c: &mut Cursor<'_>| -> Option<Option<LabelSelector>> {
        match c.keyed_string(&["selector"]) {
            Some(s) => Some(Some(LabelSelector::parse(&s).ok()?)),
            None => Some(None),
        }
    };
    Some(match kind.as_str() {
        "resource" => Source::Resource {
            name: c.any_word()?,
            container: None,
        },
        "container" => {
            let container = c.string()?;
            c.words(&["resource"]).then_some(())?;
            Source::Resource {
                name: c.any_word()?,
                container: Some(container),
            }
        }
        "pods" => Source::Pods {
            metric: c.string()?,
            selector: selector(c)?,
        },
        "external" => Source::External {
            metric: c.string()?,
            selector: selector(c)?,
        },
        "object" => Source::Object {
            kind: c.any_word()?,
            name: c.string()?,
            api: c.keyed_string(&["api"]),
            metric: c.keyed_string(&["metric"])?,
            selector: selector(c)?,
        },
        "prometheus" => {
            let server = c.string()?;
            let query = c.keyed_string(&["query"])?;
            let auth = if c.words(&["auth"]) {
                Some(auth(c)?)
            } else {
                None
            };
            Source::Prometheus {
                server,
                query,
                auth,
            }
        }
        _ => return None,
    })
}

// ----- tokens --------------------------------------------------------------------------

#[derive(Debug, PartialEq)]
enum Tok {
    Word(String),
    Str(String),
    Punct(char),
}

/// Words, `"strings"` (with the printer's `\"`, `\\` and `\n` escapes) and `:`, `=`, `,`;
/// `None` for an unterminated string.
fn tokens(line: &str) -> Option<Vec<Tok>> {
    let mut out = Vec::new();
    let mut chars = line.chars().peekable();
    while let Some(&c) = chars.peek() {
        if c.is_whitespace() {
            chars.next();
        } else if c == '"' {
            chars.next();
            let mut s = String::new();
            loop {
                match chars.next()? {
                    '"' => break,
                    '\\' => match chars.next()? {
                        'n' => s.push('\n'),
                        c => s.push(c),
                    },
                    c => s.push(c),
                }
            }
            out.push(Tok::Str(s));
        } else if matches!(c, ':' | '=' | ',') {
            chars.next();
            out.push(Tok::Punct(c));
        } else {
            let mut w = String::new();
            while let Some(&c) = chars.peek() {
                if c.is_whitespace() || matches!(c, ':' | '=' | ',' | '"') {
                    break;
                }
                w.push(c);
                chars.next();
            }
            out.push(Tok::Word(w));
        }
    }
    Some(out)
}

struct Cursor<'t> {
    toks: &'t [Tok],
    at: usize,
}

impl Cursor<'_> {
    /// Takes these words if they come next, all of them.
    fn words(&mut self, ws: &[&str]) -> bool {
        let next = self.toks.get(self.at..self.at + ws.len());
        let matched = next.is_some_and(|toks| {
            toks.iter()
                .zip(ws)
                .all(|(t, w)| matches!(t, Tok::Word(x) if x == w))
        });
        if matched {
            self.at += ws.len();
        }
        matched
    }

    fn any_word(&mut self) -> Option<String> {
        match self.toks.get(self.at) {
            Some(Tok::Word(w)) => {
                self.at += 1;
                Some(w.clone())
            }
            _ => None,
        }
    }

    fn peek_string(&self) -> bool {
        matches!(self.toks.get(self.at), Some(Tok::Str(_)))
    }

    fn string(&mut self) -> Option<String> {
        match self.toks.get(self.at) {
            Some(Tok::Str(s)) => {
                self.at += 1;
                Some(s.clone())
            }
            _ => None,
        }
    }

    /// `KEYWORDS "VALUE"` when the keywords come next.
    fn keyed_string(&mut self, ws: &[&str]) -> Option<String> {
        let back = self.at;
        if self.words(ws) {
            if let Some(s) = self.string() {
                return Some(s);
            }
        }
        self.at = back;
        None
    }

    fn punct(&mut self, p: char) -> bool {
        let matched = matches!(self.toks.get(self.at), Some(Tok::Punct(x)) if *x == p);
        if matched {
            self.at += 1;
        }
        matched
    }

    /// `"K" = "V"`.
    fn pair(&mut self) -> Option<(String, String)> {
        let key = self.string()?;
        self.punct('=').then_some(())?;
        Some((key, self.string()?))
    }

    /// `METRIC` or `schedule N`.
    fn reference(&mut self) -> Option<TriggerRef> {
        if self.words(&["schedule"]) {
            return Some(TriggerRef::Schedule(self.number::<usize>()?));
        }
        self.any_word().map(TriggerRef::Metric)
    }

    fn number<T: std::str::FromStr>(&mut self) -> Option<T> {
        let back = self.at;
        let n = self.any_word().and_then(|w| w.parse().ok());
        if n.is_none() {
            self.at = back;
        }
        n
    }

    /// `30s`, `5m`, `1h` (as `print::duration` writes them), in seconds.
    fn duration(&mut self) -> Option<u32> {
        let w = self.any_word()?;
        let split = w.find(|c: char| !c.is_ascii_digit())?;
        let n: u32 = w[..split].parse().ok()?;
        let unit = match &w[split..] {
            "s" => 1,
            "m" => 60,
            "h" => 3600,
            _ => return None,
        };
        n.checked_mul(unit)
    }

    fn end(&self) -> Result<(), Problem> {
        if self.at == self.toks.len() {
            Ok(())
        } else {
            Err(Problem::Unknown)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(lines: &[&str]) -> Result<Kubernetes, Problem> {
        let mut k = Kubernetes::default();
        let mut seen = Seen::default();
        for l in lines {
            read_line(l, &mut k, &mut seen)?;
        }
        Ok(k)
    }

    #[test]
    fn keda_timing_clauses_read_in_any_order() {
        let k =
            read(&["keda hpa name \"h\", initial cooldown 2m, polling 15s, cooldown 1h"]).unwrap();
        assert_eq!(k.keda.polling, Some(15));
        assert_eq!(k.keda.cooldown, Some(3600));
        assert_eq!(k.keda.initial_cooldown, Some(120));
        assert_eq!(k.keda.hpa_name.as_deref(), Some("h"));
    }

    #[test]
    fn trigger_lines_of_one_ref_meet_in_one_entry() {
        let k = read(&[
            "trigger schedule 2 name \"night\", cached metrics false, auth \"a\" kind ClusterTriggerAuthentication",
            "keda metadata schedule 2 \"k\" = \"v \\\"q\\\"\"",
            "keda metadata rps \"x\" = \"y\"",
        ])
        .unwrap();
        assert_eq!(k.triggers.len(), 2);
        let t = &k.triggers[0];
        assert_eq!(t.of, Some(TriggerRef::Schedule(2)));
        assert_eq!(t.name.as_deref(), Some("night"));
        assert_eq!(t.use_cached_metrics, Some(false));
        assert_eq!(
            t.auth.as_ref().and_then(|a| a.kind.as_deref()),
            Some("ClusterTriggerAuthentication")
        );
        assert_eq!(t.metadata, [("k".to_string(), "v \"q\"".to_string())]);
        assert_eq!(k.triggers[1].of, Some(TriggerRef::Metric("rps".into())));
    }

    #[test]
    fn a_second_singleton_line_is_refused() {
        assert_eq!(
            read(&["keda polling 15s", "keda polling 30s"]).err(),
            Some(Problem::Repeated("keda polling"))
        );
        assert_eq!(
            read(&["scale \"a\"", "scale Deployment \"b\""]).err(),
            Some(Problem::Repeated("scale"))
        );
    }

    #[test]
    fn unknown_words_and_trailing_text_are_refused() {
        for line in [
            "keda polling 15 seconds",
            "keda warp 9",
            "metric rps: graphite \"x\"",
            "scale Deployment \"a\" api \"v1\" extra",
            "fallback 3 failures",
            "keda fallback 3 failures, 6",
            "trigger rps colour \"red\"",
            "label \"unterminated",
        ] {
            assert_eq!(read(&[line]).err(), Some(Problem::Unknown), "{line}");
        }
    }

    #[test]
    fn keda_scale_without_kind_and_with_env_container() {
        let k = read(&["scale \"w\" env container \"app\""]).unwrap();
        let s = k.scale.unwrap();
        assert_eq!((s.kind, s.name.as_str()), (None, "w"));
        assert_eq!(s.env_container.as_deref(), Some("app"));
    }
}
