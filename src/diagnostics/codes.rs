//! The registry of diagnostic codes: every code any stage emits, with a name and a
//! one-line summary, in one table. Codes are stable and never reused: `E0xx` syntax,
//! `E1xx` check, `W2xx` lint, `E30x`–`E31x` data, `E35x` backtest.
//!
//! A [`Code`] can only be made here, so a producer cannot emit an unregistered code:
//! `Diagnostic::error(Code::UNIT_MISMATCH, …)`, never a string literal.

use serde::{Serialize, Serializer};
use std::fmt;

/// A registered diagnostic code (`E107`). Its constants are the registry's rows.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Code(&'static str);

/// The stage a code belongs to, from its number.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stage {
    Syntax,
    Check,
    Lint,
    Data,
    Backtest,
    Prometheus,
    Kube,
}

impl Stage {
    /// How `explain` names the stage.
    pub fn describe(self) -> &'static str {
        match self {
            Stage::Syntax => "syntax (the parser)",
            Stage::Check => "check (names, units, bounds)",
            Stage::Lint => "lint (a legal but unwise policy)",
            Stage::Data => "data (loading a dataset)",
            Stage::Backtest => "backtest (running a policy over a dataset)",
            Stage::Prometheus => "prometheus (fetching metrics over the HTTP API)",
            Stage::Kube => "kube (Kubernetes manifests: import and export)",
        }
    }
}

/// One row of the registry.
#[derive(Debug)]
pub struct CodeInfo {
    pub code: Code,
    /// Kebab-case, stable: lints are allowed and denied by it.
    pub name: &'static str,
    pub summary: &'static str,
}

macro_rules! registry {
    ($($konst:ident = $code:literal $name:literal $summary:literal;)*) => {
        impl Code {
            $(
                #[doc = concat!("`", $code, "` `", $name, "`: ", $summary, ".")]
                pub const $konst: Code = Code($code);
            )*
        }

        /// Every code, in number order.
        pub const REGISTRY: &[CodeInfo] = &[
            $(CodeInfo { code: Code::$konst, name: $name, summary: $summary }),*
        ];
    };
}

registry! {
    // E0xx: syntax (the parser)
    INTERNAL_ERROR = "E000" "internal-error" "a bug in scalerules: the syntax tree had a shape the grammar should not produce";
    SYNTAX_ERROR = "E001" "syntax-error" "the text does not follow the grammar";
    UNTERMINATED_BLOCK = "E002" "unterminated-block" "a `{` has no matching `}`";
    UNKNOWN_KEYWORD = "E003" "unknown-keyword" "a word that is not a keyword stands where a statement must start";
    INVALID_NUMBER = "E004" "invalid-number" "a number is malformed, not an integer where one is needed, or out of range";
    NESTING_TOO_DEEP = "E005" "nesting-too-deep" "a condition nests deeper than the limit (parentheses, `not`, chained `and`/`or`)";
    // E1xx: check (names, units, bounds)
    MISSING_REPLICAS = "E101" "missing-replicas" "a service has no `replicas MIN..MAX` line";
    INVALID_BOUNDS = "E102" "invalid-bounds" "the replica bounds are reversed or empty";
    START_OUT_OF_BOUNDS = "E103" "start-out-of-bounds" "the start count lies outside the replica bounds";
    DUPLICATE_DECLARATION = "E104" "duplicate-declaration" "a declaration that may appear once appears twice";
    DUPLICATE_SERVICE = "E105" "duplicate-service" "two services have the same name";
    UNKNOWN_METRIC = "E106" "unknown-metric" "a metric name is close to a declared one but not declared";
    UNIT_MISMATCH = "E107" "unit-mismatch" "a metric is used with units that cannot be converted into each other";
    MISSING_UNIT = "E108" "missing-unit" "a number compared with a duration or a ratio has no unit";
    COLUMN_SUFFIX_CONTRADICTS_UNIT = "E109" "column-suffix-contradicts-unit" "a column's name suffix says one unit, the rule says another";
    UNKNOWN_FUNCTION = "E110" "unknown-function" "an aggregate function name is not known";
    INVALID_DURATION = "E111" "invalid-duration" "a duration is negative, or zero where it must be positive";
    INVALID_AMOUNT = "E112" "invalid-amount" "a scaling amount is zero, negative or fractional";
    PERCENT_OVER_100 = "E113" "percent-over-100" "a scale-in percentage over 100";
    RATE_OF_NON_COUNTER = "E114" "rate-of-non-counter" "`rate` applied to a metric that is not a plain counter";
    RESERVED_CONSTRUCT = "E115" "reserved-construct" "retired: a construct reserved for a later version (`idle`, `scale up`/`scale down`), each built since";
    INVALID_SUSTAIN = "E116" "invalid-sustain" "an `M of window` sustain with M below 1";
    INVALID_MODEL = "E117" "invalid-model" "the backtest model is incomplete or inconsistent";
    CONSTANT_COMPARISON = "E118" "constant-comparison" "a comparison between two numbers, with no metric";
    INVALID_TARGET = "E120" "invalid-target" "a target that is not positive, a fractional utilisation percent, or `per replica` on a ratio";
    VALUE_TARGET_ON_AVERAGE = "E121" "value-target-on-average" "a total (`Value`) target on a metric declared `per replica`";
    INVALID_BEHAVIOR = "E122" "invalid-behavior" "a behavior window, period, policy or tolerance outside the Kubernetes limits";
    BEHAVIOR_WITHOUT_TARGET = "E123" "behavior-without-target" "`behavior` in a service with no `target`";
    INVALID_SCHEDULE = "E124" "invalid-schedule" "a schedule that is empty, ends before it starts, names a bad time or date, or mixes `propose` with bounds";
    UNKNOWN_TIME_ZONE = "E125" "unknown-time-zone" "a time zone that is not an IANA name";
    PROPOSE_WITHOUT_TARGET = "E126" "propose-without-target" "`propose N` in a service with no `target`";
    INVALID_IDLE = "E127" "invalid-idle" "an `idle` count not below the minimum (KEDA's `idleReplicaCount` must be below `minReplicaCount`)";
    IDLE_WITHOUT_TARGET = "E128" "idle-without-target" "`idle` in a service with no `target`: nothing can make it active again";
    UNKNOWN_SIZE = "E130" "unknown-size" "`scale up to SIZE` / `scale down to SIZE` names a size the ladder does not have";
    VERTICAL_WITHOUT_LADDER = "E131" "vertical-without-ladder" "`scale up`/`scale down`, `resize` or `cooldown up/down` in a service with no `size` ladder";
    INVALID_LADDER = "E132" "invalid-ladder" "a size ladder whose capacities do not increase, a size without a positive capacity, a negative price, two starting sizes, or a bad `at a time`";
    // E14x: parameters (`param NAME = VALUE in RANGE` and `$NAME`; src/params/)
    UNKNOWN_PARAM = "E140" "unknown-param" "a `$NAME` names no parameter declared in its service";
    PARAM_UNIT_MISMATCH = "E141" "param-unit-mismatch" "a parameter's values are of another kind than its default, or than the place it is used needs";
    PARAM_DEFAULT_OUTSIDE_RANGE = "E142" "param-default-outside-range" "a parameter's default lies outside its range or list";
    EMPTY_PARAM_RANGE = "E143" "empty-param-range" "a parameter's range holds no value (low above high, a step not positive) or too many";
    PARAM_STEP_UNIT = "E144" "param-step-unit" "a parameter's step is of another kind than its values (a step in % for a duration)";
    MISPLACED_PARAM_REFERENCE = "E145" "misplaced-param-reference" "a unit written after `$NAME`, or `$NAME` inside a `param` line";
    PARAM_RANGE_INVALID = "E146" "param-range-invalid" "the file does not check with a parameter at one end of its range";
    // W2xx: lints (docs in src/lint/rules/, one file each)
    FLAPPING_BAND = "W201" "flapping-band" "scale-out and scale-in thresholds on a utilisation metric overlap, or one step jumps across the gap";
    COOLDOWN_SHORTER_THAN_STARTUP = "W202" "cooldown-shorter-than-startup" "a scale-out rule can fire again before the replicas it added are ready";
    COOLDOWN_SHORTER_THAN_WINDOW = "W203" "cooldown-shorter-than-window" "a rule on a windowed aggregate can re-fire while the window still holds samples from before its last action";
    SHADOWED_RULE = "W204" "shadowed-rule" "a rule can never win the tie-break: another rule fires whenever it does and scales at least as far";
    DUPLICATE_RULE = "W205" "duplicate-rule" "two rules have equivalent conditions, the same sustain and the same action";
    UNSATISFIABLE_CONDITION = "W206" "unsatisfiable-condition" "a rule's condition can never be true";
    ALWAYS_TRUE_CONDITION = "W207" "always-true-condition" "a rule's condition is true whatever the metrics say";
    THRESHOLD_OUT_OF_RANGE = "W208" "threshold-out-of-range" "a threshold lies outside the values its metric can take (a ratio over 100% or below 0, a negative latency, count or rate)";
    MISSING_SCALE_IN = "W209" "missing-scale-in" "no rule can scale in: the policy only grows, and costs money forever";
    MISSING_SCALE_OUT = "W210" "missing-scale-out" "no rule can scale out: the policy only shrinks";
    SCALE_IN_FASTER_THAN_OUT = "W211" "scale-in-faster-than-out" "a scale-in rule reacts faster (shorter sustain or cooldown) than every scale-out rule";
    ACTION_ABSORBED_BY_BOUND = "W212" "action-absorbed-by-bound" "an action the replica bounds always clamp: `scale to` outside the bounds, or any scaling when min == max";
    WINDOW_SHORTER_THAN_TICK = "W213" "window-shorter-than-tick" "an aggregate's window is shorter than the tick (declared, else 15 s with a `target`), so it sees at most one sample";
    MISSING_SLO = "W214" "missing-slo" "a backtest model declares no `slo`, so backtests can only measure cost";
    NO_COOLDOWN = "W215" "no-cooldown" "a scale-out rule has no cooldown at all (neither its own nor `cooldown out`)";
    SUSTAIN_SHORTER_THAN_TICK = "W216" "sustain-shorter-than-tick" "a `for` sustain shorter than the tick (declared, else 15 s with a `target`), which acts like no sustain";
    UNREACHABLE_M_OF_N = "W217" "unreachable-m-of-n" "`for M of W` needs more evaluations than the window can hold at the tick (declared, else 15 s with a `target`)";
    UNKNOWN_LINT_IN_ALLOW = "W218" "unknown-lint-in-allow" "an `# allow(...)` comment names a lint that does not exist";
    UNUSED_ALLOW = "W219" "unused-allow" "an `# allow(...)` comment suppresses nothing (the lint no longer fires there, or no statement follows)";
    TARGET_INSIDE_DEAD_BAND = "W220" "target-inside-dead-band" "a threshold rule on a target's metric acts inside the target's no-change band, or scales in above the target";
    STABILIZATION_SHORTER_THAN_STARTUP = "W221" "stabilization-shorter-than-startup" "the targets' scale-down stabilisation window is shorter than the model's startup";
    RATE_POLICY_CANNOT_REACH_MAX = "W222" "rate-policy-cannot-reach-max" "the targets' scale-up policies cannot reach `max` within an hour";
    SCHEDULE_FLOOR_ABOVE_MAX = "W223" "schedule-floor-above-max" "a schedule floor above `max`, or a ceiling below `min`, which the bounds clamp";
    SCALE_IN_HELD_BY_TARGET = "W224" "scale-in-held-by-target" "a threshold scale-in rule beside a target, whose hold vote outweighs it: it can only slow the target's scale-ins";
    TOLERANCE_WIDER_THAN_TARGET_GAP = "W225" "tolerance-wider-than-target-gap" "a behavior tolerance of 50% or more, so the target reacts only far from its value";
    SCHEDULE_WITHOUT_TIME_ZONE = "W226" "schedule-without-time-zone" "a `schedule` with no `in ZONE` in a service with no `timezone`: it runs in UTC";
    THRESHOLD_RULE_BEYOND_BEHAVIOR_RATE = "W227" "threshold-rule-beyond-behavior-rate" "a threshold scale-out rule adds more than the targets' scale-up policies allow in a period, spending their budget";
    SCHEDULE_FLOOR_ABOVE_CEILING = "W228" "schedule-floor-above-ceiling" "two schedule lines in force at once where one's floor is above the other's ceiling, which the floor overrides";
    SCALE_UP_WITHOUT_SCALE_DOWN = "W230" "scale-up-without-scale-down" "a `scale up` rule and no rule that can scale down: the replicas only ever grow larger";
    UNEVEN_LADDER_PRICE = "W231" "uneven-ladder-price" "a size ladder whose price per unit of capacity falls with size (more replicas are then never cheaper), or jumps so steeply at the top that the top size hardly ever pays";
    RESTART_LONGER_THAN_COOLDOWN = "W232" "restart-longer-than-cooldown" "a resize's restart time is longer than a vertical rule's cooldown: it can resize again before the last restart ended";
    // E30x-E31x: data (loading a dataset; `backtest::data::DataErrorKind`). E314-E320 are reserved here.
    CANNOT_READ = "E301" "cannot-read" "cannot read the dataset file (not found, permission, not CSV or Parquet)";
    MISSING_COLUMN = "E302" "missing-column" "a needed column is missing from the dataset";
    BAD_TIMESTAMP = "E303" "bad-timestamp" "a timestamp cell cannot be parsed";
    UNSORTED_TIMESTAMPS = "E304" "unsorted-timestamps" "timestamps are not in ascending order";
    DUPLICATE_TIMESTAMP = "E305" "duplicate-timestamp" "two rows have the same timestamp";
    NOT_A_NUMBER = "E306" "not-a-number" "a cell in a numeric column is not a number";
    WRONG_COLUMN_TYPE = "E307" "wrong-column-type" "a column has the wrong type (e.g. boolean, list or date where numbers are expected)";
    EMPTY_DATASET = "E308" "empty-dataset" "the dataset is empty, or nothing is left after the --from/--to window";
    SERVICE_NOT_IN_DATA = "E309" "service-not-in-data" "unknown service, or a long-format file with several services and none selected";
    BAD_TICK = "E310" "bad-tick" "invalid tick, or the tick cannot be inferred (irregular timestamps)";
    INFINITE_VALUE = "E311" "infinite-value" "a numeric cell holds an infinite value";
    MALFORMED_CSV = "E312" "malformed-csv" "malformed CSV (too many fields, unterminated quote, invalid UTF-8)";
    DUPLICATE_COLUMN = "E313" "duplicate-column" "the header names a needed column more than once";
    // E35x: backtest (`backtest::BacktestError`)
    NO_MODEL = "E350" "no-model" "the service has no backtest model";
    MODEL_REJECTED = "E351" "model-rejected" "the backtest model is invalid";
    COLUMN_NOT_LOADED = "E352" "column-not-loaded" "the dataset lacks a column the policy reads";
    NO_TICKS = "E353" "no-ticks" "the dataset is empty";
    TICK_MISMATCH = "E354" "tick-mismatch" "the service's tick and the dataset grid disagree";
    EVALUATION_FAILED = "E355" "evaluation-failed" "the evaluator rejected a sample";
    NEGATIVE_VALUE = "E356" "negative-value" "a demand or replica-count cell is negative";
    WINDOW_TOO_LARGE = "E357" "window-too-large" "an aggregate's window would hold more samples than the limit at the dataset's tick";
    // E37x: Prometheus (`prom::PromErrorKind`: fetching metrics over the HTTP API; E379 from the commands).
    PROM_UNREACHABLE = "E370" "prometheus-unreachable" "the Prometheus server cannot be reached (connection refused, unknown host, TLS failure)";
    PROM_TIMEOUT = "E371" "prometheus-timeout" "a Prometheus request timed out";
    PROM_HTTP_STATUS = "E372" "prometheus-http-status" "the server answered with an HTTP error status (401, 403, 404, 5xx, …)";
    PROM_QUERY_ERROR = "E373" "promql-error" "Prometheus rejected the query (a PromQL error; its own message is shown)";
    PROM_SEVERAL_SERIES = "E374" "several-series" "a query returned several series where one is needed";
    PROM_NO_DATA = "E375" "no-data" "a query returned no data over the whole range";
    PROM_BAD_RESPONSE = "E376" "bad-prometheus-response" "the answer is not a Prometheus API response of the expected type";
    PROM_BAD_RANGE = "E377" "invalid-time-range" "invalid time range or step (`--from`, `--to`, `--step`)";
    PROM_BAD_CONFIG = "E378" "invalid-client-settings" "invalid client settings (URL, token, basic auth, header, CA file)";
    NO_PROMQL_BINDING = "E379" "no-promql-binding" "a metric the command reads from Prometheus has no `promql \"…\"` binding";
    // E38x: tune (`scalerules tune`)
    NOTHING_TO_TUNE = "E380" "nothing-to-tune" "`tune` on a service that declares no `param`";
    WOULD_OVERWRITE_INPUT = "E381" "would-overwrite-input" "`tune --write` names an existing file other than by the exact path of the input";
    NO_VALID_VARIANT = "E382" "no-valid-variant" "every variant `tune` tried was rejected (by the checker, the backtest or the constraints)";
    // E40x-E41x: Kubernetes import and export (`kube`); W40x-W41x: their warnings (an
    // approximation or a field kept but not simulated), which are not lints.
    YAML_SYNTAX_ERROR = "E401" "yaml-syntax-error" "import: the YAML does not parse";
    UNSUPPORTED_MANIFEST_KIND = "E402" "unsupported-manifest-kind" "import: a document that is neither an autoscaling HorizontalPodAutoscaler nor a KEDA ScaledObject this version reads";
    MISSING_MANIFEST_FIELD = "E403" "missing-manifest-field" "import: a required manifest field is missing";
    WRONG_FIELD_TYPE = "E404" "wrong-field-type" "import: a field has the wrong type (a number, a string, a mapping or a list was expected)";
    INVALID_FIELD_VALUE = "E405" "invalid-field-value" "import: a value the Kubernetes or KEDA API rejects (out of range, unknown enum value, min above max)";
    INVALID_QUANTITY = "E406" "invalid-quantity" "import: not a Kubernetes quantity (`500m`, `1.5`, `512Mi`, `2Gi`, `1k`, `1e3`)";
    INCONSISTENT_METRIC_TARGET = "E407" "inconsistent-metric-target" "import: a metric target whose type and value fields disagree, or a type that metric cannot have";
    UNSUPPORTED_KEDA_TRIGGER = "E408" "unsupported-keda-trigger" "import: a KEDA trigger type with no scalerules equivalent (only cpu, memory, prometheus and cron are read)";
    UNTRANSLATABLE_CRON = "E409" "untranslatable-cron" "import: a cron expression that is not a fixed minute and hour on whole days of the week";
    UNKNOWN_MANIFEST_TIME_ZONE = "E410" "unknown-manifest-time-zone" "import: a KEDA cron trigger's time zone is not an IANA name";
    SCALING_MODIFIERS = "E411" "scaling-modifiers" "import: KEDA scalingModifiers, a formula over triggers, has no scalerules form";
    DUPLICATE_YAML_KEY = "E412" "duplicate-yaml-key" "import: a key written twice in one YAML mapping";
    NO_EXPORT_EQUIVALENT = "E413" "no-export-equivalent" "export: a policy construct with no equivalent in the chosen manifest kind";
    NO_METRIC_SOURCE = "E414" "no-metric-source" "export: a target whose metric has no source the manifest kind can express";
    UNREAD_KUBERNETES_LINE = "E415" "unread-kubernetes-line" "export: a `kubernetes { }` line export does not read, or a second copy of a line a manifest has once";
    UNKNOWN_MANIFEST_FIELD = "W401" "unknown-manifest-field" "import: an unknown manifest field, ignored";
    SERVER_SET_FIELD = "W402" "server-set-field" "import: a field the API server sets (status, uid, managedFields…), not part of the policy: ignored";
    EXPLICIT_API_DEFAULT = "W403" "explicit-api-default" "import: an API default written out explicitly";
    NOT_SIMULATED = "W404" "not-simulated" "import: a field kept for export but not simulated";
    RENAMED_METRIC = "W405" "renamed-metric" "import: a metric renamed: its name is not a scalerules name, or two metrics would read one column";
    GUESSED_RESOURCE_COLUMN = "W406" "guessed-resource-column" "import: a resource other than cpu and memory, whose column name is a guess";
    NON_STRING_KEDA_METADATA = "W407" "non-string-keda-metadata" "import: a KEDA metadata value that is not a string (the API server rejects it)";
    CRON_SPLIT = "W408" "cron-split" "import: one cron trigger became several schedule lines; export writes one cron trigger per line";
    OLDER_API_VERSION = "W409" "older-api-version" "import: an older autoscaling API version, read as autoscaling/v2; export writes autoscaling/v2";
    OTHER_KIND_SKIPPED = "W410" "other-kind-skipped" "import: a document of another kind, skipped";
}

impl Code {
    /// `"E107"`.
    pub const fn as_str(self) -> &'static str {
        self.0
    }

    /// The registry row of this code.
    pub fn info(self) -> &'static CodeInfo {
        // Every `Code` is a registry constant, so the search always succeeds; the
        // fallback only keeps this total.
        REGISTRY
            .iter()
            .find(|c| c.code == self)
            .unwrap_or(&REGISTRY[0])
    }

    pub fn name(self) -> &'static str {
        self.info().name
    }

    pub fn summary(self) -> &'static str {
        self.info().summary
    }

    pub fn stage(self) -> Stage {
        match self.0.as_bytes() {
            [b'W', b'4', ..] => Stage::Kube,
            [b'W', ..] => Stage::Lint,
            [_, b'0', ..] => Stage::Syntax,
            [_, b'1', ..] => Stage::Check,
            [_, b'3', b'0' | b'1' | b'2', ..] => Stage::Data,
            [_, b'3', b'7', ..] => Stage::Prometheus,
            [_, b'4', ..] => Stage::Kube,
            _ => Stage::Backtest,
        }
    }

    /// The code written `key` (any case), or named `key` (`unit-mismatch`).
    pub fn lookup(key: &str) -> Option<Code> {
        let key = key.trim();
        REGISTRY
            .iter()
            .find(|c| c.code.0.eq_ignore_ascii_case(key) || c.name == key)
            .map(|c| c.code)
    }

    /// Every code of one stage, in code order.
    pub fn of_stage(stage: Stage) -> impl Iterator<Item = &'static CodeInfo> {
        REGISTRY.iter().filter(move |c| c.code.stage() == stage)
    }
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0)
    }
}

impl Serialize for Code {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.0)
    }
}

impl PartialEq<str> for Code {
    fn eq(&self, other: &str) -> bool {
        self.0 == other
    }
}

impl PartialEq<&str> for Code {
    fn eq(&self, other: &&str) -> bool {
        self.0 == *other
    }
}

impl PartialEq<String> for Code {
    fn eq(&self, other: &String) -> bool {
        self.0 == other
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_ordered_and_in_their_stage_range() {
        // In number order within each hundred, errors before warnings (E401… then W401…).
        let key = |c: Code| {
            let n = c.as_str()[1..].parse::<u32>().unwrap_or(0);
            (n / 100, c.as_str().starts_with('W'), n)
        };
        for w in REGISTRY.windows(2) {
            assert!(
                key(w[0].code) < key(w[1].code),
                "{} then {}",
                w[0].code,
                w[1].code
            );
        }
        let mut names: Vec<&str> = REGISTRY.iter().map(|c| c.name).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), REGISTRY.len(), "a name is used twice");
        for c in REGISTRY {
            let s = c.code.as_str();
            assert!(
                s.len() == 4 && s[1..].bytes().all(|b| b.is_ascii_digit()),
                "{s}"
            );
            let kube_warning = s.starts_with("W4");
            assert_eq!(
                s.starts_with('W') && !kube_warning,
                c.code.stage() == Stage::Lint,
                "{s}"
            );
            assert!(!c.summary.is_empty() && !c.summary.ends_with('.'), "{s}");
            assert!(
                c.name
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-'),
                "{}",
                c.name
            );
        }
    }

    #[test]
    fn lookup_by_code_or_name() {
        assert_eq!(Code::lookup("e107"), Some(Code::UNIT_MISMATCH));
        assert_eq!(Code::lookup("flapping-band"), Some(Code::FLAPPING_BAND));
        assert_eq!(Code::lookup("E999"), None);
        assert_eq!(Code::UNIT_MISMATCH.info().name, "unit-mismatch");
        assert_eq!(Code::BAD_TICK.stage(), Stage::Data);
        assert_eq!(Code::NO_MODEL.stage(), Stage::Backtest);
        assert_eq!(Code::lookup("E356").map(Code::stage), Some(Stage::Backtest));
        assert_eq!(Code::of_stage(Stage::Data).count(), 13);
        assert_eq!(Code::lookup("W405").map(Code::stage), Some(Stage::Kube));
        assert_eq!(Code::of_stage(Stage::Kube).count(), 25);
    }
}
