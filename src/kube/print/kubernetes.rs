//! The `kubernetes { }` block: what only a manifest needs (names, sources, KEDA fields).

use super::{duration, string};
use crate::kube::policy::*;

fn reference(r: &TriggerRef) -> String {
    match r {
        TriggerRef::Metric(m) => m.clone(),
        TriggerRef::Schedule(n) => format!("schedule {n}"),
    }
}

/// The lines of the `kubernetes { }` block, in a fixed order.
pub(super) fn lines(k: &Kubernetes) -> Vec<String> {
    let mut out = Vec::new();
    let kind = match k.kind {
        ManifestKind::Hpa => "hpa",
        ManifestKind::Keda => "keda",
    };
    let mut head = format!("{kind} {}", string(&k.name));
    if let Some(ns) = &k.namespace {
        head.push_str(&format!(" namespace {}", string(ns)));
    }
    out.push(head);
    if let Some(s) = &k.scale {
        let mut line = String::from("scale ");
        if let Some(kind) = &s.kind {
            line.push_str(&format!("{kind} "));
        }
        line.push_str(&string(&s.name));
        if let Some(api) = &s.api {
            line.push_str(&format!(" api {}", string(api)));
        }
        if let Some(c) = &s.env_container {
            line.push_str(&format!(" env container {}", string(c)));
        }
        out.push(line);
    }
    for (key, v) in &k.labels {
        out.push(format!("label {} = {}", string(key), string(v)));
    }
    for (key, v) in &k.annotations {
        out.push(format!("annotation {} = {}", string(key), string(v)));
    }
    for (m, s) in &k.sources {
        out.push(format!("metric {m}: {}", source(s)));
    }
    for t in &k.triggers {
        out.extend(trigger(t));
    }
    if let Some(order) = &k.trigger_order {
        let refs: Vec<String> = order.iter().map(reference).collect();
        out.push(format!("keda triggers {}", refs.join(", ")));
    }
    for c in &k.crons {
        out.push(format!(
            "cron schedule {} start {} end {}",
            c.schedule,
            string(&c.start),
            string(&c.end)
        ));
    }
    out.extend(keda(&k.keda));
    out
}

fn selector(s: &Option<crate::kube::manifest::LabelSelector>) -> String {
    s.as_ref()
        .map(|s| format!(" selector {}", string(&s.to_string())))
        .unwrap_or_default()
}

fn auth(a: &crate::kube::manifest::AuthRef) -> String {
    let mut s = format!("auth {}", string(&a.name));
    if let Some(k) = &a.kind {
        s.push_str(&format!(" kind {k}"));
    }
    s
}

fn source(s: &Source) -> String {
    match s {
        Source::Resource { name, container } => match container {
            Some(c) => format!("container {} resource {name}", string(c)),
            None => format!("resource {name}"),
        },
        Source::Pods {
            metric,
            selector: sel,
        } => format!("pods {}{}", string(metric), selector(sel)),
        Source::Object {
            kind,
            name,
            api,
            metric,
            selector: sel,
        } => {
            let api = api
                .as_ref()
                .map(|a| format!(" api {}", string(a)))
                .unwrap_or_default();
            format!(
                "object {kind} {}{api} metric {}{}",
                string(name),
                string(metric),
                selector(sel)
            )
        }
        Source::External {
            metric,
            selector: sel,
        } => {
            format!("external {}{}", string(metric), selector(sel))
        }
        Source::Prometheus {
            server,
            query,
            auth: a,
        } => {
            let mut s = format!("prometheus {} query {}", string(server), string(query));
            if let Some(a) = a {
                s.push_str(&format!(" {}", auth(a)));
            }
            s
        }
    }
}

fn trigger(t: &TriggerMeta) -> Vec<String> {
    let Some(of) = &t.of else {
        return Vec::new();
    };
    let r = reference(of);
    let mut clauses = Vec::new();
    if let Some(n) = &t.name {
        clauses.push(format!("name {}", string(n)));
    }
    if let Some(c) = t.use_cached_metrics {
        clauses.push(if c {
            "cached metrics".into()
        } else {
            "cached metrics false".into()
        });
    }
    if let Some(mt) = t.metric_type {
        clauses.push(format!("metric type {}", mt.as_str()));
    }
    if let Some(a) = &t.auth {
        clauses.push(auth(a));
    }
    let mut out = Vec::new();
    if !clauses.is_empty() {
        out.push(format!("trigger {r} {}", clauses.join(", ")));
    }
    for (key, v) in &t.metadata {
        out.push(format!("keda metadata {r} {} = {}", string(key), string(v)));
    }
    out
}

fn keda(k: &Keda) -> Vec<String> {
    let mut out = Vec::new();
    let mut timing = Vec::new();
    if let Some(p) = k.polling {
        timing.push(format!("polling {}", duration(p)));
    }
    if let Some(c) = k.cooldown {
        timing.push(format!("cooldown {}", duration(c)));
    }
    if let Some(c) = k.initial_cooldown {
        timing.push(format!("initial cooldown {}", duration(c)));
    }
    if let Some(n) = &k.hpa_name {
        timing.push(format!("hpa name {}", string(n)));
    }
    if !timing.is_empty() {
        out.push(format!("keda {}", timing.join(", ")));
    }
    if let Some(f) = &k.fallback {
        let mut line = format!(
            "keda fallback {} failures, {} replicas",
            f.failures, f.replicas
        );
        if let Some(b) = &f.behavior {
            line.push_str(&format!(", {b}"));
        }
        out.push(line);
    }
    match k.restore_original {
        Some(true) => out.push("keda restore original replicas".into()),
        Some(false) => out.push("keda restore original replicas false".into()),
        None => {}
    }
    if let Some(m) = &k.modifiers {
        let mut line = String::from("keda modifiers");
        if let Some(f) = &m.formula {
            line.push_str(&format!(" formula {}", string(f)));
        }
        if let Some(t) = &m.target {
            line.push_str(&format!(" target {}", string(t)));
        }
        if let Some(a) = &m.activation {
            line.push_str(&format!(" activation {}", string(a)));
        }
        if let Some(t) = m.metric_type {
            line.push_str(&format!(" type {}", t.as_str()));
        }
        out.push(line);
    }
    out
}
