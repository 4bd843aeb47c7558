//! `explain` for the size ladder: the sizes, the resize cost and the vertical actions.

use super::*;
use crate::units::fmt_num;
use std::fmt::{self, Formatter};

fn secs(ms: Millis) -> String {
    format!("{}s", fmt_num(ms as f64 / 1000.0))
}

fn name(l: Option<&Ladder>, i: u32) -> String {
    l.and_then(|l| l.sizes.get(i as usize))
        .map_or_else(|| format!("size {i}"), |s| s.name.clone())
}

/// A vertical rule's action, after `then scale `.
pub(super) fn action(a: Action, s: &Service) -> String {
    let l = s.ladder.as_ref();
    let range = l.map_or_else(String::new, |l| {
        format!(
            ", clamped to {}..{}",
            name(Some(l), 0),
            name(Some(l), l.top() as u32)
        )
    });
    match a {
        Action::UpBy(n) => format!("up by {n} size{}{range}", plural(n)),
        Action::DownBy(n) => format!("down by {n} size{}{range}", plural(n)),
        Action::UpTo(i) => format!("up to {} (only from a smaller size)", name(l, i)),
        Action::DownTo(i) => format!("down to {} (only from a larger size)", name(l, i)),
        _ => String::new(),
    }
}

fn plural(n: u32) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

/// The `sizes:` section.
pub(super) fn ladder(f: &mut Formatter<'_>, s: &Service, l: &Ladder) -> fmt::Result {
    writeln!(f, "  sizes (smallest first):")?;
    let unit = s.model.as_ref().map(|m| s.metrics[m.demand.0].unit);
    for (i, z) in l.sizes.iter().enumerate() {
        let cap = match z.capacity {
            SizeCapacity::Times(m) => format!("{}x the model's capacity", fmt_num(m)),
            SizeCapacity::PerReplica(c) => match unit {
                Some(u) if u.dimension() == crate::units::Dimension::Rate => {
                    format!("{}/s", fmt_num(c))
                }
                _ => fmt_num(c),
            },
        };
        let price = match z.price_per_hour {
            Some(p) => format!("{} per replica-hour", fmt_num(p)),
            None => "the model's price scaled by capacity".to_string(),
        };
        let start = if i == l.start { ", start" } else { "" };
        writeln!(
            f,
            "    z{i} {} (line {}): capacity {cap} per replica, {price}{start}",
            z.name, z.line
        )?;
    }
    let resize = match l.resize {
        Resize::InPlace => "in place (no restart, no dip)".to_string(),
        Resize::Restart { restart, at_a_time } => format!(
            "rolling restart, {at_a_time} at a time, each replica serving nothing for {}",
            restart.map_or_else(|| "the model's startup".to_string(), secs)
        ),
    };
    writeln!(f, "    resize: {resize}")?;
    writeln!(
        f,
        "    size cooldown: up {}, down {}",
        secs(l.cooldown_up),
        secs(l.cooldown_down)
    )
}
