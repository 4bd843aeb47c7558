//! Units and their conversion to SI (seconds, fractions, per-second rates, counts).

use serde::Serialize;
use std::fmt;

/// Milliseconds: the unit of every duration and timestamp in the IR and the evaluator.
pub type Millis = i64;

/// What kind of quantity a unit measures. Two units convert into each other only
/// within one dimension.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Dimension {
    /// durations and latencies; SI: seconds
    Time,
    /// utilisation and other shares; SI: a fraction (75% = 0.75)
    Ratio,
    /// events per unit of time; SI: per second
    Rate,
    /// plain numbers: queue depths, counters, replicas
    Count,
    /// processor time per second; SI: cores (Kubernetes `cpu: 500m` is 0.5)
    Cpu,
    /// memory and storage; SI: bytes
    Size,
}

impl fmt::Display for Dimension {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Dimension::Time => "a duration",
            Dimension::Ratio => "a ratio",
            Dimension::Rate => "a rate",
            Dimension::Count => "a plain count",
            Dimension::Cpu => "an amount of CPU",
            Dimension::Size => "a size in bytes",
        })
    }
}

/// A unit a metric or literal is expressed in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Unit {
    Millis,
    Seconds,
    Minutes,
    Hours,
    Days,
    Percent,
    Fraction,
    Rps,
    Rpm,
    Count,
    /// `cores`, `core`
    Cores,
    /// `millicores` (Kubernetes' `500m`; `m` is minutes here)
    Millicores,
    /// `B`, `bytes`
    Bytes,
    /// `KB`, `MB`, `GB`, `TB`: powers of 1000
    Kilobytes,
    Megabytes,
    Gigabytes,
    Terabytes,
    /// `KiB`/`Ki`, `MiB`/`Mi`, `GiB`/`Gi`, `TiB`/`Ti`: powers of 1024
    Kibibytes,
    Mebibytes,
    Gibibytes,
    Tebibytes,
}

impl Unit {
    pub fn dimension(self) -> Dimension {
        match self {
            Unit::Millis | Unit::Seconds | Unit::Minutes | Unit::Hours | Unit::Days => {
                Dimension::Time
            }
            Unit::Percent | Unit::Fraction => Dimension::Ratio,
            Unit::Rps | Unit::Rpm => Dimension::Rate,
            Unit::Count => Dimension::Count,
            Unit::Cores | Unit::Millicores => Dimension::Cpu,
            Unit::Bytes
            | Unit::Kilobytes
            | Unit::Megabytes
            | Unit::Gigabytes
            | Unit::Terabytes
            | Unit::Kibibytes
            | Unit::Mebibytes
            | Unit::Gibibytes
            | Unit::Tebibytes => Dimension::Size,
        }
    }

    /// The factor that turns a value in this unit into SI.
    pub fn si_factor(self) -> f64 {
        match self {
            Unit::Millis => 0.001,
            Unit::Seconds => 1.0,
            Unit::Minutes => 60.0,
            Unit::Hours => 3600.0,
            Unit::Days => 86400.0,
            Unit::Percent => 0.01,
            Unit::Fraction => 1.0,
            Unit::Rps => 1.0,
            Unit::Rpm => 1.0 / 60.0,
            Unit::Count => 1.0,
            Unit::Cores => 1.0,
            Unit::Millicores => 0.001,
            Unit::Bytes => 1.0,
            Unit::Kilobytes => 1e3,
            Unit::Megabytes => 1e6,
            Unit::Gigabytes => 1e9,
            Unit::Terabytes => 1e12,
            Unit::Kibibytes => 1024.0,
            Unit::Mebibytes => 1_048_576.0,
            Unit::Gibibytes => 1_073_741_824.0,
            Unit::Tebibytes => 1_099_511_627_776.0,
        }
    }

    pub fn to_si(self, v: f64) -> f64 {
        v * self.si_factor()
    }

    pub fn from_si(self, v: f64) -> f64 {
        v / self.si_factor()
    }

    /// How the unit is written after a number.
    pub fn symbol(self) -> &'static str {
        match self {
            Unit::Millis => "ms",
            Unit::Seconds => "s",
            Unit::Minutes => "m",
            Unit::Hours => "h",
            Unit::Days => "d",
            Unit::Percent => "%",
            Unit::Fraction => " fraction",
            Unit::Rps => " rps",
            Unit::Rpm => " rpm",
            Unit::Count => "",
            Unit::Cores => " cores",
            Unit::Millicores => " millicores",
            Unit::Bytes => " bytes",
            Unit::Kilobytes => "KB",
            Unit::Megabytes => "MB",
            Unit::Gigabytes => "GB",
            Unit::Terabytes => "TB",
            Unit::Kibibytes => "Ki",
            Unit::Mebibytes => "Mi",
            Unit::Gibibytes => "Gi",
            Unit::Tebibytes => "Ti",
        }
    }

    /// The unit's name as written after `in`.
    pub fn name(self) -> &'static str {
        match self {
            Unit::Count => "count",
            Unit::Percent => "%",
            other => other.symbol().trim(),
        }
    }

    /// An SI value shown in this unit, e.g. `0.3` s in ms is `300ms`. Fractions are
    /// shown as percentages (`0.81` is `81%`), which is how people read utilisation.
    pub fn show_si(self, si: f64) -> String {
        match self {
            Unit::Fraction => format!("{}%", fmt_num(Unit::Percent.from_si(si))),
            _ => format!("{}{}", fmt_num(self.from_si(si)), self.symbol()),
        }
    }

    /// The unit implied by a column or metric name's suffix (see docs/language.md,
    /// "Column suffixes"), with the suffix that implied it.
    pub fn from_suffix(name: &str) -> Option<(Unit, &'static str)> {
        const SUFFIXES: &[(&str, Unit)] = &[
            ("_ms", Unit::Millis),
            ("_millis", Unit::Millis),
            ("_seconds", Unit::Seconds),
            ("_secs", Unit::Seconds),
            ("_s", Unit::Seconds),
            ("_pct", Unit::Percent),
            ("_percent", Unit::Percent),
            ("_ratio", Unit::Fraction),
            ("_fraction", Unit::Fraction),
            ("_rps", Unit::Rps),
            ("_per_s", Unit::Rps),
            ("_per_sec", Unit::Rps),
            ("_rpm", Unit::Rpm),
            ("_per_min", Unit::Rpm),
            ("_count", Unit::Count),
            ("_total", Unit::Count),
            ("_depth", Unit::Count),
            ("_cores", Unit::Cores),
            ("_bytes", Unit::Bytes),
        ];
        let lower = name.to_ascii_lowercase();
        match lower.as_str() {
            "rps" => return Some((Unit::Rps, "rps")),
            "rpm" => return Some((Unit::Rpm, "rpm")),
            _ => {}
        }
        // The longest matching suffix wins: `_per_s` before `_s`.
        SUFFIXES
            .iter()
            .filter(|(s, _)| lower.ends_with(s) && lower.len() > s.len())
            .max_by_key(|(s, _)| s.len())
            .map(|(s, u)| (*u, *s))
    }
}

impl fmt::Display for Unit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A number without trailing zeros: `300`, `0.75`, `1.5`.
pub fn fmt_num(v: f64) -> String {
    if v.is_nan() {
        return "missing".into();
    }
    if v.fract() == 0.0 && v.abs() < 1e15 {
        return format!("{}", v as i64);
    }
    let s = format!("{v:.6}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    s.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suffixes() {
        assert_eq!(
            Unit::from_suffix("latency_p95_ms").map(|u| u.0),
            Some(Unit::Millis)
        );
        assert_eq!(
            Unit::from_suffix("cpu_pct").map(|u| u.0),
            Some(Unit::Percent)
        );
        assert_eq!(Unit::from_suffix("rps").map(|u| u.0), Some(Unit::Rps));
        assert_eq!(
            Unit::from_suffix("requests_total").map(|u| u.0),
            Some(Unit::Count)
        );
        assert_eq!(Unit::from_suffix("cpu"), None);
        assert_eq!(
            Unit::from_suffix("arrivals_per_s").map(|u| u.0),
            Some(Unit::Rps)
        );
        assert_eq!(Unit::from_suffix("_ms"), None);
    }

    #[test]
    fn conversions() {
        assert_eq!(Unit::Millis.to_si(300.0), 0.3);
        assert_eq!(Unit::Percent.to_si(75.0), 0.75);
        assert_eq!(Unit::Rpm.to_si(120.0), 2.0);
        assert_eq!(Unit::Millis.show_si(0.3), "300ms");
        assert_eq!(Unit::Fraction.show_si(0.81), "81%");
    }
}
