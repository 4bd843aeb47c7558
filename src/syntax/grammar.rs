//! The pest parser, derived from `grammar/scale.pest`. Private to `syntax`: no pest type
//! leaves this folder.

#[derive(pest_derive::Parser)]
#[grammar = "../grammar/scale.pest"]
pub(super) struct ScaleParser;

/// Words a rule name stands for in "expected …" messages, or `None` to leave it out.
pub(super) fn describe(r: Rule) -> Option<&'static str> {
    use Rule::*;
    Some(match r {
        EOI => "end of file",
        ident => "a name",
        number => "a number",
        string => "a quoted string like \"latency_p95_ms\"",
        quantity => "a number, with a unit where it has one (`300ms`, `75%`, `1000`)",
        duration => "a duration like `5m`",
        time_unit => "a time unit (`ms`, `s`, `m`, `h`, `d`)",
        unit => "a unit (`ms`, `s`, `m`, `h`, `%`, `rps`, `rpm`, `fraction`, `count`)",
        cmp_op => "a comparison (`>`, `>=`, `<`, `<=`, `==`, `!=`)",
        missing_mode => "a missing-data mode (`false`, `true`, `hold`, `skip`)",
        block_open => "`{`",
        block_close => "`}`",
        percent => "`%`",
        kw_service => "`service`",
        kw_replicas => "`replicas`",
        kw_start => "`start`",
        kw_metric => "`metric`",
        kw_column => "`column`",
        kw_promql => "`promql`",
        kw_in => "`in`",
        kw_on => "`on`",
        kw_missing => "`missing`",
        kw_cooldown => "`cooldown`",
        kw_out => "`out`",
        kw_tick => "`tick`",
        kw_when => "`when`",
        kw_for => "`for`",
        kw_of => "`of`",
        kw_scale => "`scale`",
        kw_by => "`by`",
        kw_to => "`to`",
        kw_up => "`up`",
        kw_down => "`down`",
        kw_and => "`and`",
        kw_or => "`or`",
        kw_not => "`not`",
        kw_model => "`model`",
        kw_demand => "`demand`",
        kw_capacity => "`capacity`",
        kw_per => "`per`",
        kw_replica => "`replica`",
        kw_startup => "`startup`",
        kw_price => "`price`",
        kw_recorded => "`recorded`",
        kw_utilization => "`utilization`",
        kw_latency => "`latency`",
        kw_base => "`base`",
        kw_slo => "`slo`",
        kw_target => "`target`",
        kw_at => "`at`",
        kw_active => "`active`",
        kw_above => "`above`",
        kw_behavior => "`behavior`",
        kw_stabilize => "`stabilize`",
        kw_most => "`most`",
        kw_least => "`least`",
        kw_select => "`select`",
        kw_tolerance => "`tolerance`",
        kw_schedule => "`schedule`",
        kw_from => "`from`",
        kw_propose => "`propose`",
        kw_timezone => "`timezone`",
        kw_kubernetes => "`kubernetes`",
        kw_size => "`size`",
        kw_resize => "`resize`",
        kw_restart => "`restart`",
        kw_place => "`place`",
        size_capacity => "`capacity 2x` or `capacity 400 rps`",
        multiplier => "a multiplier like `2x`",
        size_price => "`price N per replica-hour`",
        size_start => "`start`",
        resize_in_place | resize_restart => "`in place` or `restart DURATION`",
        at_a_time => "`at a time`",
        size_direction => "`up` or `down`",
        kw_idle => "`idle`",
        kw_after => "`after`",
        kw_check => "`check`",
        kw_every => "`every`",
        kw_param => "`param`",
        kw_step => "`step`",
        param_decl => "`= VALUE in LOW..HIGH [step STEP]` or `= VALUE in [A, B, …]`",
        param_span | param_list => "a range like `200ms..500ms step 50ms` or a list like `[1, 2, 4]`",
        per_replica => "`per replica`",
        activation => "`, active above VALUE`",
        stabilize_clause | policy_clause | select_clause | tolerance_clause => {
            "a behavior clause (`stabilize 5m`, `at most 4 replicas per 15s`, `at most 10% per 1m`, `select max`, `tolerance 5%`)"
        }
        select_mode => "`max`, `min` or `disabled`",
        days | day_set | day_group | day => {
            "days (`daily`, `weekdays`, `weekends`, `mon-fri`, `sat,sun`)"
        }
        clock => "a time like `08:00`",
        date => "a date like `2026-11-27`",
        zone => "a time zone like `Europe/Paris`",
        bound => "`at least N`, `at most N` or `propose N`",
        schedule_weekly | schedule_once | schedule_span => {
            "`DAYS from HH:MM to HH:MM`, `from DAY HH:MM to DAY HH:MM` or `from DATE to DATE`"
        }
        kube_line => "a `kubernetes` line",
        idle_decl => "`idle to N after DURATION`",
        idle_check => "`check every DURATION`",
        condition_keyword => return None,
        replica_hour => "`replica-hour`",
        replicas_decl => "`..` between the bounds, as in `replicas 2..40`",
        metric_decl => "`= column \"NAME\"`, `= promql \"QUERY\"` or `in UNIT`",
        column_binding => "`column \"NAME\"`",
        promql_binding => "`promql \"QUERY\"`",
        rule_options | rule_cooldown => "`, cooldown DURATION`",
        sustain => "`for DURATION`",
        action => "`scale`",
        aggregate => "`(METRIC, WINDOW)` after a function name",
        comparison => "a comparison like `p95 > 300ms`",
        condition | or_expr | and_expr | not_expr => "a condition like `p95 > 300ms`",
        metric_ref => "a metric name",
        amount => "an amount like `2` or `50%`",
        scale_out | scale_in => "`by`",
        _ => return None,
    })
}

/// Whether a rule is a keyword token (it carries no data for the AST).
pub(super) fn is_keyword(r: Rule) -> bool {
    use Rule::*;
    matches!(
        r,
        kw_service
            | kw_replicas
            | kw_start
            | kw_metric
            | kw_column
            | kw_promql
            | kw_in
            | kw_on
            | kw_missing
            | kw_cooldown
            | kw_out
            | kw_tick
            | kw_when
            | kw_for
            | kw_of
            | kw_scale
            | kw_by
            | kw_to
            | kw_up
            | kw_down
            | kw_and
            | kw_or
            | kw_not
            | kw_model
            | kw_demand
            | kw_capacity
            | kw_per
            | kw_replica
            | kw_startup
            | kw_price
            | kw_recorded
            | kw_utilization
            | kw_latency
            | kw_base
            | kw_slo
            | kw_target
            | kw_at
            | kw_active
            | kw_above
            | kw_behavior
            | kw_stabilize
            | kw_most
            | kw_least
            | kw_select
            | kw_tolerance
            | kw_schedule
            | kw_from
            | kw_propose
            | kw_timezone
            | kw_kubernetes
            | kw_size
            | kw_resize
            | kw_restart
            | kw_place
            | kw_idle
            | kw_after
            | kw_check
            | kw_every
            | kw_param
            | kw_step
    )
}

/// Keywords that may start a statement, for "did you mean" on a misspelt one.
pub(super) const STATEMENT_KEYWORDS: &[&str] = &[
    "service",
    "replicas",
    "metric",
    "on",
    "cooldown",
    "tick",
    "when",
    "model",
    "demand",
    "capacity",
    "startup",
    "price",
    "recorded",
    "utilization",
    "latency",
    "slo",
    "target",
    "behavior",
    "schedule",
    "timezone",
    "kubernetes",
    "size",
    "resize",
    "idle",
    "param",
];

/// Every keyword, for "did you mean" inside statements.
pub(super) const ALL_KEYWORDS: &[&str] = &[
    "service",
    "replicas",
    "start",
    "metric",
    "column",
    "promql",
    "in",
    "on",
    "missing",
    "cooldown",
    "out",
    "tick",
    "when",
    "for",
    "of",
    "scale",
    "by",
    "to",
    "and",
    "or",
    "not",
    "model",
    "demand",
    "capacity",
    "per",
    "replica",
    "startup",
    "price",
    "recorded",
    "utilization",
    "latency",
    "base",
    "slo",
    "target",
    "at",
    "active",
    "above",
    "behavior",
    "stabilize",
    "most",
    "least",
    "select",
    "tolerance",
    "schedule",
    "from",
    "propose",
    "timezone",
    "kubernetes",
    "size",
    "resize",
    "restart",
    "place",
    "up",
    "down",
    "idle",
    "after",
    "check",
    "every",
    "param",
    "step",
    "hold",
    "skip",
    "true",
    "false",
];

#[cfg(test)]
mod tests {
    //! Rule-level tests pin the grammar: this text is a `duration`, this is not.
    use super::*;
    use pest::Parser;

    fn full(r: Rule, text: &str) -> bool {
        ScaleParser::parse(r, text).is_ok_and(|p| p.as_str() == text)
    }

    #[test]
    fn durations() {
        for ok in ["5m", "90s", "250ms", "1h", "2d", "0", "5 m", "1.5h"] {
            assert!(full(Rule::duration, ok), "{ok} should be a duration");
        }
        for bad in ["m", "5min", "5 minutes", "-"] {
            assert!(!full(Rule::duration, bad), "{bad} should not be a duration");
        }
    }

    #[test]
    fn quantities() {
        for ok in [
            "300ms",
            "75%",
            "1000",
            "1000 rps",
            "12rpm",
            "0.5 fraction",
            "-3",
        ] {
            assert!(full(Rule::quantity, ok), "{ok} should be a quantity");
        }
        for bad in ["ms", "75%%", "3 km"] {
            assert!(!full(Rule::quantity, bad), "{bad} should not be a quantity");
        }
    }

    #[test]
    fn idle_lines() {
        for ok in [
            "idle to 0",
            "idle to 0 after 5m",
            "idle to 1 after 2m, check every 30s",
            "idle to 0, check every 1m",
        ] {
            assert!(full(Rule::idle_decl, ok), "{ok} should be an idle line");
        }
        for bad in [
            "idle",
            "idle 0",
            "idle to 0 for 5m",
            "idle to 0 after 5m check every 30s",
        ] {
            assert!(
                !full(Rule::idle_decl, bad),
                "{bad} should not be an idle line"
            );
        }
    }

    #[test]
    fn parameters_are_numbers_and_declarations() {
        for ok in ["$thr", "$_x1", "$busy"] {
            assert!(full(Rule::number, ok), "{ok} should be a number");
            assert!(full(Rule::quantity, ok), "{ok} should be a quantity");
            assert!(full(Rule::duration, ok), "{ok} should be a duration");
        }
        for bad in ["$", "$1x", "$ thr", "thr"] {
            assert!(!full(Rule::number, bad), "{bad} should not be a number");
        }
        for ok in [
            "param thr = 300ms in 200ms..500ms step 50ms",
            "param n = 2 in [1, 2, 4]",
            "param w = 2m in 1m..5m",
        ] {
            assert!(full(Rule::param_decl, ok), "{ok} should be a param");
        }
        for bad in [
            "param thr = 300ms",
            "param = 1 in 1..2",
            "param n = 2 in []",
        ] {
            assert!(!full(Rule::param_decl, bad), "{bad} should not be a param");
        }
    }

    #[test]
    fn keywords_end_at_word_boundaries() {
        assert!(full(Rule::ident, "input"));
        assert!(!full(Rule::kw_in, "input"));
        assert!(full(Rule::kw_in, "in"));
        assert!(full(Rule::kw_utilization, "utilisation"));
    }

    #[test]
    fn rules_and_conditions() {
        for ok in [
            "when p95 > 300ms for 2m scale out by 2, cooldown 5m",
            "when avg(cpu, 5m) > 75% and rps > 1000 for 1m scale out by 50%, cooldown 3m",
            "when not (a > 1 or b < 2) scale in by 1",
            "when queue_depth >= 5000 scale to 40",
            "when x > 1 for 3 of 5m scale in by 10%",
        ] {
            assert!(full(Rule::rule, ok), "{ok} should be a rule");
        }
        for bad in [
            "when p95 > 300ms",
            "when scale out by 2",
            "when p95 > 300ms scale out 2",
        ] {
            assert!(!full(Rule::rule, bad), "{bad} should not be a rule");
        }
    }

    #[test]
    fn strings_take_escaped_quotes_and_backslashes() {
        for ok in [
            r#""""#,
            r#""a b""#,
            r#""a\"b""#,
            r#""a\\""#,
            r#""\d+""#,
            r#""x#y""#,
        ] {
            assert!(full(Rule::string, ok), "{ok} should be a string");
        }
        for bad in [r#""a\""#, "\"a\nb\"", r#""a"b""#] {
            assert!(!full(Rule::string, bad), "{bad} should not be a string");
        }
    }

    #[test]
    fn statements() {
        assert!(full(Rule::replicas_decl, "replicas 2..40, start 4"));
        assert!(full(
            Rule::metric_decl,
            "metric p95 = column \"latency_p95_ms\" in ms"
        ));
        assert!(full(Rule::metric_decl, "metric cpu in %"));
        assert!(full(
            Rule::metric_decl,
            r#"metric p95 = promql "max(x{service=\"checkout\"})" in s"#
        ));
        assert!(full(
            Rule::metric_decl,
            r#"metric rps = column "rps", promql "sum(rate(x[1m]))""#
        ));
        assert!(!full(
            Rule::metric_decl,
            r#"metric rps = promql "x", column "rps""#
        ));
        assert!(full(
            Rule::recorded_decl,
            r#"recorded replicas = column "replicas""#
        ));
        assert!(full(
            Rule::recorded_decl,
            r#"recorded replicas = promql "sum(kube_deployment_status_replicas)""#
        ));
        assert!(!full(Rule::recorded_decl, "recorded replicas"));
        assert!(full(Rule::cooldown_decl, "cooldown out 3m, in 10m"));
        assert!(full(Rule::price_decl, "price 0.10 per replica-hour"));
        assert!(full(Rule::missing_decl, "on missing hold"));
        assert!(!full(Rule::missing_decl, "on missing maybe"));
        assert!(full(
            Rule::metric_decl,
            "metric inflight = column \"inflight\" per replica"
        ));
        assert!(full(
            Rule::metric_decl,
            "metric memory_average in bytes per replica"
        ));
    }

    #[test]
    fn target_tracking() {
        for ok in [
            "target cpu at 60%",
            "target inflight at 20 per replica",
            "target queue at 500",
            "target avg(cpu, 2m) at 60%",
            "target memory_average at 512Mi per replica",
            "target cpu_average at 500 millicores per replica",
            "target rps at 70 per replica, active above 5",
        ] {
            assert!(full(Rule::target_decl, ok), "{ok} should be a target");
        }
        for bad in ["target cpu 60%", "target at 60%", "target cpu at"] {
            assert!(
                !full(Rule::target_decl, bad),
                "{bad} should not be a target"
            );
        }
        for ok in [
            "behavior",
            "behavior out",
            "behavior out stabilize 0s, at most 4 replicas per 15s, at most 100% per 15s, select max",
            "behavior in stabilize 5m, at most 10% per 1m, tolerance 5%",
            "behaviour in select disabled",
        ] {
            assert!(full(Rule::behavior_decl, ok), "{ok} should be a behavior");
        }
        assert!(!full(Rule::behavior_decl, "behavior in select sometimes"));
    }

    #[test]
    fn schedules() {
        for ok in [
            "schedule weekdays from 08:00 to 18:00 in Europe/Paris at least 10",
            "schedule sat,sun from 22:00 to 06:00 in UTC at most 4",
            "schedule mon-fri, sun from 08:00 to 24:00 at least 2, at most 8",
            "schedule from 2026-11-27 to 2026-11-30 in America/New_York at least 30",
            "schedule from 2026-12-24 14:00 to 2026-12-26 09:00 in Etc/GMT+2 propose 8",
            "schedule from fri 18:00 to mon 08:00 in Europe/Paris at most 3",
        ] {
            assert!(full(Rule::schedule_decl, ok), "{ok} should be a schedule");
        }
        for bad in [
            "schedule weekdays from 8:00 to 18:00 at least 10",
            "schedule weekdays from 08:00 to 18:00",
            "schedule from 2026-11-27 at least 3",
        ] {
            assert!(
                !full(Rule::schedule_decl, bad),
                "{bad} should not be a schedule"
            );
        }
        assert!(full(Rule::timezone_decl, "timezone Europe/Paris"));
    }
}
