//! Diagnostics of `import` and `export`: their own type for now, with stable codes in
//! the `E4xx`/`W4xx` family listed in [`KUBE_CODES`]. Each names the YAML field path and
//! its line, column and byte span in the file, so the crate's diagnostic renderer can
//! show it once the lead folds these codes into the registry.

use crate::span::Span;
use std::fmt;

/// Every code of the family: (code, what it means). Codes are never reused.
pub const KUBE_CODES: &[(&str, &str)] = &[
    ("E401", "the YAML does not parse"),
    ("E402", "a document that is neither an autoscaling HorizontalPodAutoscaler nor a KEDA ScaledObject this version reads"),
    ("E403", "a required field is missing"),
    ("E404", "a field has the wrong type (a number, a string, a mapping or a list was expected)"),
    ("E405", "a value the Kubernetes or KEDA API rejects (out of range, unknown enum value, min above max)"),
    ("E406", "not a Kubernetes quantity (`500m`, `1.5`, `512Mi`, `2Gi`, `1k`, `1e3`)"),
    ("E407", "a metric target whose type and value fields disagree, or a type that metric cannot have"),
    ("E408", "a KEDA trigger type with no scalerules equivalent (only cpu, memory, prometheus and cron are read)"),
    ("E409", "a cron expression that is not a fixed minute and hour on whole days of the week"),
    ("E410", "not an IANA time zone"),
    ("E411", "KEDA scalingModifiers: a formula over triggers has no scalerules form"),
    ("E412", "a key written twice in one mapping"),
    ("E413", "export: a policy construct with no equivalent in the chosen manifest kind"),
    ("E414", "export: a target whose metric has no source the manifest kind can express"),
    ("E415", "export: a `kubernetes { }` line export does not read (yet)"),
    ("W401", "an unknown field, ignored"),
    ("W402", "a field the API server sets (status, uid, managedFields…), not part of the policy: ignored"),
    ("W403", "an API default written out explicitly"),
    ("W404", "a field kept for export but not simulated"),
    ("W405", "a metric renamed: its name is not a scalerules name, or two metrics would read one column"),
    ("W406", "a resource other than cpu and memory: the column name is a guess"),
    ("W407", "a KEDA metadata value that is not a string (the API server rejects it)"),
    ("W408", "one cron trigger became several schedule lines; export writes one cron trigger per line"),
    ("W409", "an older autoscaling API version, read as autoscaling/v2; export writes autoscaling/v2"),
    ("W410", "a document of another kind, skipped"),
];

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    Warning,
    Error,
}

/// One problem found while importing or exporting a manifest.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImportDiagnostic {
    /// `E4xx` or `W4xx`, one of [`KUBE_CODES`].
    pub code: &'static str,
    pub severity: Severity,
    pub message: String,
    /// The YAML field path, e.g. `spec.metrics[2].object.describedObject`; for export, the
    /// policy construct (`schedule 1`, `target rps`).
    pub path: String,
    /// 1-based line and column in the YAML file (0 when there is no file position, as in
    /// export).
    pub line: usize,
    pub column: usize,
    /// Byte range in the YAML file (empty at 0 when there is no file position).
    pub span: Span,
    pub help: Option<String>,
}

impl ImportDiagnostic {
    pub fn error(code: &'static str, path: impl Into<String>, message: impl Into<String>) -> Self {
        ImportDiagnostic {
            code,
            severity: Severity::Error,
            message: message.into(),
            path: path.into(),
            line: 0,
            column: 0,
            span: Span::default(),
            help: None,
        }
    }

    pub fn warning(
        code: &'static str,
        path: impl Into<String>,
        message: impl Into<String>,
    ) -> Self {
        ImportDiagnostic {
            severity: Severity::Warning,
            ..ImportDiagnostic::error(code, path, message)
        }
    }

    /// Places the diagnostic at a YAML position.
    pub fn at(mut self, loc: crate::kube::yaml::Loc) -> Self {
        self.line = loc.line;
        self.column = loc.column;
        self.span = loc.span;
        self
    }

    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

/// `E405 spec.maxReplicas (line 12): …` then an indented `help:` line: the plain,
/// narratable form the snapshots use.
impl fmt::Display for ImportDiagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.code, self.path)?;
        if self.line > 0 {
            write!(f, " (line {}, column {})", self.line, self.column)?;
        }
        write!(f, ": {}", self.message)?;
        if let Some(h) = &self.help {
            write!(f, "\n  help: {h}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::KUBE_CODES;

    #[test]
    fn codes_are_unique_and_in_the_family() {
        let mut seen = std::collections::HashSet::new();
        for (code, _) in KUBE_CODES {
            assert!(seen.insert(*code), "{code} twice");
            let n: u32 = code[1..].parse().unwrap();
            assert!((401..=419).contains(&n), "{code}");
            assert!(code.starts_with('E') || code.starts_with('W'));
        }
    }
}
