//! KEDA `cron` triggers → `schedule … propose N` lines (`crate::kube::cron` computes the
//! windows exactly as KEDA decides activity).

use super::keda::{keep_rest, required};
use super::*;
use crate::kube::cron;
use crate::kube::manifest::Trigger;
use crate::kube::policy::{Bound, Schedule, TriggerMeta};

/// `cron`: one `schedule … propose N` line per weekly window (usually one).
pub(super) fn cron(
    cx: &mut Cx<'_>,
    t: &Trigger,
    path: &Path,
    meta: &mut TriggerMeta,
    kube: &mut Kubernetes,
    first_line: usize,
) -> Option<Vec<Schedule>> {
    let mp = path.key("metadata");
    let zone = required(cx, t, path, "timezone");
    let start = required(cx, t, path, "start");
    let end = required(cx, t, path, "end");
    let desired = required(cx, t, path, "desiredReplicas");
    let (zone, start_text, end_text, desired) = (zone?, start?, end?, desired?);
    keep_rest(t, &["timezone", "start", "end", "desiredReplicas"], meta);
    meta.auth = t.authentication_ref.clone();
    meta.metric_type = t.metric_type;
    let zone_ok = time_zone(cx, zone, &mp.key("timezone"));
    let mut parse = |text: &str, key: &str| match cron::Cron::parse(text) {
        Ok(c) => Some(c),
        Err(e) => {
            cx.error(Code::UNTRANSLATABLE_CRON, &mp.key(key), e.0).help =
                Some("write one cron trigger per fixed time, or a `schedule` line by hand".into());
            None
        }
    };
    let (start, end) = (parse(start_text, "start"), parse(end_text, "end"));
    let n = match desired.parse::<u32>() {
        Ok(n) => Some(n),
        Err(_) => {
            cx.error(
                Code::INVALID_FIELD_VALUE,
                &mp.key("desiredReplicas"),
                format!("`{desired}` is not a whole number of replicas"),
            );
            None
        }
    };
    let (start, end, n) = (start?, end?, n?);
    zone_ok?;
    let windows = match cron::windows(start, end) {
        Ok(w) => w,
        Err(e) => {
            cx.error(Code::UNTRANSLATABLE_CRON, &mp.key("end"), e.0);
            return None;
        }
    };
    if windows.len() > 1 {
        cx.warn(
            Code::CRON_SPLIT,
            path,
            format!("this cron trigger is active in {} differently shaped weekly windows: {} schedule lines", windows.len(), windows.len()),
        )
        .help = Some("export writes one cron trigger per schedule line".into());
    } else if let Some(w) = windows.first() {
        let (s, e) = cron::expressions(w);
        if s != start_text || e != end_text {
            kube.crons.push(policy::Cron {
                schedule: first_line,
                start: start_text.to_string(),
                end: end_text.to_string(),
            });
        }
    }
    Some(
        windows
            .into_iter()
            .map(|window| Schedule {
                window,
                zone: Some(zone.to_string()),
                bounds: vec![Bound::Propose(n)],
            })
            .collect(),
    )
}

fn time_zone(cx: &mut Cx<'_>, zone: &str, path: &Path) -> Option<()> {
    if zone.parse::<chrono_tz::Tz>().is_ok() {
        return Some(());
    }
    let close = chrono_tz::TZ_VARIANTS
        .iter()
        .map(|z| z.name())
        .min_by_key(|n| strsim::levenshtein(&n.to_lowercase(), &zone.to_lowercase()))
        .filter(|n| strsim::levenshtein(&n.to_lowercase(), &zone.to_lowercase()) <= 3);
    let d = cx.error(
        Code::UNKNOWN_MANIFEST_TIME_ZONE,
        path,
        format!("`{zone}` is not an IANA time zone"),
    );
    d.help = Some(match close {
        Some(c) => format!("did you mean `{c}`?"),
        None => "write a zone name like Europe/Paris, America/New_York or UTC".into(),
    });
    None
}
