//! `scalerules lint`: checks that a policy which compiles is also a wise one.
//!
//! Lints run on a compiled file (AST and IR together), one service at a time. Each lint
//! lives in its own file under [`rules`] with its documentation, its diagnostic and its
//! tests, and is registered in [`all`]. Lint codes are `W2xx`; names describe the pattern
//! flagged, so that they read well after `allow`: `# allow(flapping-band): reason`.

pub mod logic;
pub mod rules;
mod suppress;

use crate::diagnostics::{Code, Diagnostic, Severity};
use crate::ir;
use crate::span::Span;
use crate::syntax::ast;
pub use suppress::{allow_comments, AllowComment};

/// One registered lint. Its code, name and one-line summary are rows of the code
/// registry (`diagnostics::REGISTRY`); the documentation lives beside the check.
#[derive(Debug)]
pub struct LintInfo {
    pub code: Code,
    pub default_severity: Severity,
    /// Markdown: *What it does*, *Why is this bad*, *Example*.
    pub docs: &'static str,
}

impl LintInfo {
    /// `flapping-band`: the name `allow`, `--allow` and `--deny` take.
    pub fn name(&self) -> &'static str {
        self.code.name()
    }

    /// One line.
    pub fn summary(&self) -> &'static str {
        self.code.summary()
    }
}

/// Every lint, in code order.
pub fn all() -> &'static [LintInfo] {
    rules::ALL
}

/// A lint by code (`W201`, any case) or name (`flapping-band`).
pub fn lookup(key: &str) -> Option<&'static LintInfo> {
    let k = key.trim();
    all()
        .iter()
        .find(|l| l.code.as_str().eq_ignore_ascii_case(k) || l.name() == k)
}

/// What one service's lints see.
pub struct Ctx<'a> {
    pub src: &'a str,
    pub ast: &'a ast::Service,
    pub ir: &'a ir::Service,
    /// The AST rules, index-aligned with `ir.rules`.
    pub rules: Vec<&'a ast::Rule>,
}

impl Ctx<'_> {
    /// "service `api`", or "this policy" for a file without a `service` block.
    pub fn subject(&self) -> String {
        if self.ast.implicit {
            "this policy".into()
        } else {
            format!("service `{}`", self.ir.name)
        }
    }

    /// The effective re-fire delay of a rule: its own cooldown or its direction's.
    pub fn effective_cooldown(&self, r: &ir::Rule) -> ir::Millis {
        let dir = match r.action.static_direction() {
            Some(ir::Direction::Out) => self.ir.cooldown_out,
            Some(ir::Direction::In) => self.ir.cooldown_in,
            None => 0,
        };
        r.cooldown.max(dir)
    }

    /// The span of the `replicas` line (or the service name), where service-wide lints point.
    pub fn service_anchor(&self) -> Span {
        self.ast
            .items
            .iter()
            .find_map(|i| match i {
                ast::Item::Replicas(r) => Some(r.span),
                _ => None,
            })
            .unwrap_or(self.ast.name.span)
    }

    /// The span of the `behavior out` line, if any, where scale-out rate lints point.
    pub fn behavior_out_span(&self) -> Option<Span> {
        self.ast.items.iter().find_map(|i| match i {
            ast::Item::Behavior(b)
                if b.direction
                    .as_ref()
                    .is_some_and(|d| d.node == ast::Direction::Out) =>
            {
                Some(b.span)
            }
            _ => None,
        })
    }

    /// The AST comparison with this span, if any.
    pub fn comparison_at(&self, span: Span) -> Option<&ast::Comparison> {
        self.rules.iter().find_map(|r| {
            r.condition
                .comparisons()
                .into_iter()
                .find(|c| c.span == span)
        })
    }

    /// The exact extent of rule `id` (see [`rule_extent`]).
    pub fn rule_span(&self, id: ir::RuleId) -> Span {
        self.rules
            .get(id.0)
            .map_or(Span::default(), |r| rule_extent(self.src, r))
    }

    pub fn metric_name(&self, v: &ir::Value) -> String {
        logic::value_name(self.ir, v)
    }
}

/// The text a rule really covers: `when` to the end of its action or cooldown.
pub fn rule_extent(src: &str, r: &ast::Rule) -> Span {
    crate::syntax::lex::trim_span(src, r.span)
}

/// A diagnostic an `allow` comment silenced, with the comment's reason.
#[derive(Clone, Debug)]
pub struct Suppressed {
    pub diagnostic: Diagnostic,
    pub reason: String,
}

/// The lints of one file.
#[derive(Clone, Debug, Default)]
pub struct LintReport {
    pub diagnostics: Vec<Diagnostic>,
    pub suppressed: Vec<Suppressed>,
}

/// Runs every lint over a compiled file. Returns nothing for a file that did not compile.
pub fn lint_compiled(src: &str, compiled: &crate::Compiled) -> LintReport {
    let (Some(ast), Some(program)) = (&compiled.ast, &compiled.program) else {
        return LintReport::default();
    };
    let mut raw = Vec::new();
    for (s, p) in ast.services.iter().zip(&program.services) {
        let rules: Vec<&ast::Rule> = s
            .items
            .iter()
            .filter_map(|i| match i {
                ast::Item::Rule(r) => Some(r),
                _ => None,
            })
            .collect();
        if rules.len() != p.rules.len() {
            continue;
        }
        let cx = Ctx {
            src,
            ast: s,
            ir: p,
            rules,
        };
        for check in rules::CHECKS {
            check(&cx, &mut raw);
        }
    }
    raw.sort_by_key(|d| (d.primary.span.start, d.code));
    suppress::apply(src, ast, raw)
}

/// Compiles and lints a source text: `Err` with the compile diagnostics when it has errors.
pub fn lint_source(src: &str, stem: &str) -> Result<LintReport, Vec<Diagnostic>> {
    let compiled = crate::compile(src, stem);
    if compiled.program.is_none() || compiled.diagnostics.iter().any(Diagnostic::is_error) {
        return Err(compiled.diagnostics);
    }
    Ok(lint_compiled(src, &compiled))
}

/// `docs/lints.md`: the reference generated from the registry.
pub fn docs_markdown() -> String {
    let mut s = String::from(
        "# Lints\n\n<!-- Generated from src/lint/rules/*.rs by `UPDATE_DOCS=1 cargo test --test lint`; do not edit. -->\n\n\
         `scalerules lint FILE...` checks policies that compile for patterns that are legal but unwise.\n\
         Silence one occurrence with a comment on the line directly before the statement:\n\
         `# allow(flapping-band): reason`. On the command line, `--allow CODE|NAME` silences a lint\n\
         and `--deny CODE|NAME|warnings` turns it into an error (exit 1).\n\n\
         | Code | Name | Summary |\n|---|---|---|\n",
    );
    for l in all() {
        s.push_str(&format!(
            "| {} | `{}` | {} |\n",
            l.code,
            l.name(),
            l.summary()
        ));
    }
    for l in all() {
        s.push_str(&format!(
            "\n## {} `{}`\n\n{}\n",
            l.code,
            l.name(),
            l.docs.trim()
        ));
    }
    s
}

/// Formats an SI value in the unit it is shown in (`0.75` → `75%`).
pub fn show(v: f64, unit: crate::units::Unit) -> String {
    let x = unit.from_si(v);
    let x = (x * 100.0).round() / 100.0;
    format!("{}{}", crate::units::fmt_num(x), unit.symbol())
}
