//! Diagnostics of `import` and `export`: codes from the one registry
//! (`diagnostics::codes`, the `E4xx`/`W4xx` rows, stage `Kube`), each naming the YAML
//! field path and its line, column and byte span in the file (for export, the policy
//! construct).

use crate::diagnostics::Code;
use crate::span::Span;
use std::fmt;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    Warning,
    Error,
}

/// One problem found while importing or exporting a manifest.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImportDiagnostic {
    /// An `E4xx` or `W4xx` row of the registry.
    pub code: Code,
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
    pub fn error(code: Code, path: impl Into<String>, message: impl Into<String>) -> Self {
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

    pub fn warning(code: Code, path: impl Into<String>, message: impl Into<String>) -> Self {
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
    use super::*;
    use crate::diagnostics::{Stage, REGISTRY};

    #[test]
    fn the_kube_codes_are_the_registry_e4xx_and_w4xx_rows() {
        let kube: Vec<&str> = REGISTRY
            .iter()
            .filter(|c| c.code.stage() == Stage::Kube)
            .map(|c| c.code.as_str())
            .collect();
        assert_eq!(kube.len(), 25);
        assert!(kube.iter().all(|c| c[1..].starts_with('4')), "{kube:?}");
        let d = ImportDiagnostic::warning(Code::RENAMED_METRIC, "spec", "renamed");
        assert_eq!(d.to_string(), "W405 spec: renamed");
        assert!(!d.is_error());
    }
}
