//! The lints, one per file, and the helpers they share.

use super::{Ctx, LintInfo};
use crate::diagnostics::Diagnostic;
use crate::ir::{self, Direction, Millis};

pub mod action_absorbed_by_bound;
pub mod always_true_condition;
pub mod cooldown_shorter_than_startup;
pub mod cooldown_shorter_than_window;
pub mod duplicate_rule;
pub mod flapping_band;
pub mod missing_scale_in;
pub mod missing_scale_out;
pub mod missing_slo;
pub mod no_cooldown;
pub mod rate_policy_cannot_reach_max;
pub mod restart_longer_than_cooldown;
pub mod scale_in_faster_than_out;
pub mod scale_in_held_by_target;
pub mod scale_up_without_scale_down;
pub mod schedule_floor_above_ceiling;
pub mod schedule_floor_above_max;
pub mod schedule_without_time_zone;
pub mod shadowed_rule;
pub mod stabilization_shorter_than_startup;
pub mod sustain_shorter_than_tick;
pub mod target_inside_dead_band;
pub mod threshold_out_of_range;
pub mod threshold_rule_beyond_behavior_rate;
pub mod tolerance_wider_than_target_gap;
pub mod uneven_ladder_price;
pub mod unknown_lint_in_allow;
pub mod unreachable_m_of_n;
pub mod unsatisfiable_condition;
pub mod unused_allow;
pub mod window_shorter_than_tick;

/// A lint's check over one service.
pub type Check = fn(&Ctx<'_>, &mut Vec<Diagnostic>);

/// The registry, in code order.
pub static ALL: &[LintInfo] = &[
    flapping_band::INFO,
    cooldown_shorter_than_startup::INFO,
    cooldown_shorter_than_window::INFO,
    shadowed_rule::INFO,
    duplicate_rule::INFO,
    unsatisfiable_condition::INFO,
    always_true_condition::INFO,
    threshold_out_of_range::INFO,
    missing_scale_in::INFO,
    missing_scale_out::INFO,
    scale_in_faster_than_out::INFO,
    action_absorbed_by_bound::INFO,
    window_shorter_than_tick::INFO,
    missing_slo::INFO,
    no_cooldown::INFO,
    sustain_shorter_than_tick::INFO,
    unreachable_m_of_n::INFO,
    unknown_lint_in_allow::INFO,
    unused_allow::INFO,
    target_inside_dead_band::INFO,
    stabilization_shorter_than_startup::INFO,
    rate_policy_cannot_reach_max::INFO,
    schedule_floor_above_max::INFO,
    scale_in_held_by_target::INFO,
    tolerance_wider_than_target_gap::INFO,
    schedule_without_time_zone::INFO,
    threshold_rule_beyond_behavior_rate::INFO,
    schedule_floor_above_ceiling::INFO,
    scale_up_without_scale_down::INFO,
    uneven_ladder_price::INFO,
    restart_longer_than_cooldown::INFO,
];

/// The checks, index-aligned with [`ALL`].
pub static CHECKS: &[Check] = &[
    flapping_band::check,
    cooldown_shorter_than_startup::check,
    cooldown_shorter_than_window::check,
    shadowed_rule::check,
    duplicate_rule::check,
    unsatisfiable_condition::check,
    always_true_condition::check,
    threshold_out_of_range::check,
    missing_scale_in::check,
    missing_scale_out::check,
    scale_in_faster_than_out::check,
    action_absorbed_by_bound::check,
    window_shorter_than_tick::check,
    missing_slo::check,
    no_cooldown::check,
    sustain_shorter_than_tick::check,
    unreachable_m_of_n::check,
    unknown_lint_in_allow::check,
    unused_allow::check,
    target_inside_dead_band::check,
    stabilization_shorter_than_startup::check,
    rate_policy_cannot_reach_max::check,
    schedule_floor_above_max::check,
    scale_in_held_by_target::check,
    tolerance_wider_than_target_gap::check,
    schedule_without_time_zone::check,
    threshold_rule_beyond_behavior_rate::check,
    schedule_floor_above_ceiling::check,
    scale_up_without_scale_down::check,
    uneven_ladder_price::check,
    restart_longer_than_cooldown::check,
];

/// How long a rule's condition must hold before it fires (the window for `M of N`).
pub fn sustain_ms(r: &ir::Rule) -> Millis {
    match r.sustain {
        ir::Sustain::Immediate => 0,
        ir::Sustain::For(d) => d,
        ir::Sustain::MOfN { window, .. } => window,
    }
}

/// The replica count a rule's action leads to from `n`, clamped to the bounds.
pub fn clamped_target(s: &ir::Service, a: ir::Action, n: u32) -> u32 {
    a.target(n).clamp(i64::from(s.min), i64::from(s.max)) as u32
}

/// The replica counts to try, `min..=max` (at most 10 000 of them).
pub fn counts(s: &ir::Service) -> impl Iterator<Item = u32> {
    let max = s.max.min(s.min.saturating_add(10_000));
    s.min..=max
}

/// Whether a rule's action can move in `dir` (`scale to` moves both ways).
pub fn moves(s: &ir::Service, r: &ir::Rule, dir: Direction) -> bool {
    match r.action {
        ir::Action::To(k) => match dir {
            Direction::Out => k > s.min,
            Direction::In => k < s.max,
        },
        a => a.static_direction() == Some(dir),
    }
}

/// `scale out by 2`, `scale in by 10%`, `scale to 5`.
pub fn action_text(a: ir::Action) -> String {
    let f = crate::units::fmt_num;
    match a {
        ir::Action::OutBy(k) => format!("scale out by {k}"),
        ir::Action::OutByPercent(p) => format!("scale out by {}%", f(p)),
        ir::Action::InBy(k) => format!("scale in by {k}"),
        ir::Action::InByPercent(p) => format!("scale in by {}%", f(p)),
        ir::Action::To(k) => format!("scale to {k}"),
        ir::Action::UpBy(k) => format!("scale up by {k}"),
        ir::Action::DownBy(k) => format!("scale down by {k}"),
        ir::Action::UpTo(i) => format!("scale up to size {}", i + 1),
        ir::Action::DownTo(i) => format!("scale down to size {}", i + 1),
    }
}

#[cfg(test)]
pub(crate) mod test_util {
    /// `(code, line)` of every lint reported for `src`.
    pub fn codes(src: &str) -> Vec<(&'static str, usize)> {
        match crate::lint::lint_source(src, "t") {
            Ok(r) => r
                .diagnostics
                .iter()
                .map(|d| {
                    (
                        d.code.as_str(),
                        crate::span::line_col(src, d.primary.span.start).0,
                    )
                })
                .collect(),
            Err(e) => panic!("does not compile: {e:?}"),
        }
    }

    /// Whether `code` fires on `src`.
    pub fn fires(code: &str, src: &str) -> bool {
        codes(src).iter().any(|(c, _)| *c == code)
    }
}
