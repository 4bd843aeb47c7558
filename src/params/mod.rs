//! Parameters: `param NAME = VALUE in RANGE` declarations and their `$NAME` uses.
//!
//! A stage between parse and check. [`declare`] reads and validates the declarations;
//! [`bind`] writes a value for every parameter into the numbers that use it (`$thr` in
//! `p95 > $thr` becomes `300ms`), so the checker, the lowering and the linter see a
//! file of literals and check a parameter's units like any literal's. `compile` binds
//! the defaults; `tune` binds each variant's values into a copy of the tree and lowers
//! it again (docs/tuning.md). The formatter never binds: it prints `$thr` as written.

mod slots;

use crate::diagnostics::{did_you_mean, Code, Diagnostic, Sink};
use crate::span::Span;
use crate::syntax::ast::{File, Item, ParamDecl, ParamRange, Quantity};
use crate::units::{fmt_num, Dimension, Unit};

/// At most this many values per parameter (a range with a finer step is an error).
pub const MAX_VALUES: usize = 10_000;

/// One declared parameter, its values in the unit of its default.
#[derive(Clone, Debug, PartialEq)]
pub struct Param {
    /// The index of its service in the file.
    pub service: usize,
    pub name: String,
    /// The unit of the default (`None`: a plain number).
    pub unit: Option<Unit>,
    pub default: f64,
    /// Every value the range admits, in order (the default among them or not).
    pub values: Vec<f64>,
    /// The whole `param` line, its name, and its range.
    pub span: Span,
    pub name_span: Span,
    pub range_span: Span,
    /// The span of the default's text (what `tune --write` replaces).
    pub default_span: Span,
}

impl Param {
    /// A value of this parameter as the rule file writes it: `300ms`, `75%`, `2`.
    pub fn show(&self, v: f64) -> String {
        show_value(v, self.unit)
    }
}

/// `v` in `unit` as rule-file text (durations in the largest unit that divides them).
pub fn show_value(v: f64, unit: Option<Unit>) -> String {
    match unit {
        Some(u) if u.dimension() == Dimension::Time => {
            crate::timestamp::format_duration((u.to_si(v) * 1000.0).round() as i64)
        }
        Some(Unit::Count) => format!("{} count", fmt_num(v)),
        Some(u) => format!("{}{}", fmt_num(v), u.symbol()),
        None => fmt_num(v),
    }
}

/// Every `param` declaration of `file`, validated: a problem is reported to `sink` and
/// its parameter left out.
pub fn declare(file: &File, sink: &mut Sink) -> Vec<Param> {
    let mut out: Vec<Param> = Vec::new();
    for (si, s) in file.services.iter().enumerate() {
        for item in &s.items {
            let Item::Param(p) = item else { continue };
            if let Some(first) = out
                .iter()
                .find(|q| q.service == si && q.name == p.name.node)
            {
                sink.push(
                    Diagnostic::error(
                        Code::DUPLICATE_DECLARATION,
                        format!("parameter `{}` is declared twice", p.name.node),
                        p.name.span,
                    )
                    .label("declared again here")
                    .with_secondary(first.name_span, "first declared here")
                    .help("remove one of the two `param` lines, or rename one"),
                );
                continue;
            }
            if let Some(param) = declaration(si, p, sink) {
                out.push(param);
            }
        }
    }
    out
}

/// A reference inside a `param` line is not allowed: its values must be literals.
fn literal(q: &Quantity, sink: &mut Sink) -> bool {
    if q.value.param().is_some() {
        sink.push(
            Diagnostic::error(
                Code::MISPLACED_PARAM_REFERENCE,
                "a parameter's values must be numbers, not other parameters",
                q.span,
            )
            .label("a reference inside a `param` line")
            .help("write the value itself, e.g. `param thr = 300ms in 200ms..500ms step 50ms`"),
        );
        return false;
    }
    true
}

/// `q` in `unit` (the default's), or a unit-mismatch diagnostic.
fn convert(q: &Quantity, unit: Option<Unit>, p: &ParamDecl, sink: &mut Sink) -> Option<f64> {
    let written = q.unit.as_ref().map(|u| u.node);
    let dim = |u: Option<Unit>| u.map_or(Dimension::Count, Unit::dimension);
    if dim(written) != dim(unit) {
        sink.push(
            Diagnostic::error(
                Code::PARAM_UNIT_MISMATCH,
                format!(
                    "`{}` is {}, but the default of `${}` is {}",
                    show_value(q.value.value, written),
                    dim(written),
                    p.name.node,
                    dim(unit)
                ),
                q.span,
            )
            .label("not the default's kind of value")
            .with_secondary(p.default.span, "the default")
            .help("write every value of a parameter in units of one kind (e.g. all durations)"),
        );
        return None;
    }
    let si = written.map_or(q.value.value, |u| u.to_si(q.value.value));
    Some(unit.map_or(si, |u| u.from_si(si)))
}

/// Rounds away the float noise of `low + i × step` (`0.30000000000000004`).
fn tidy(v: f64) -> f64 {
    (v * 1e9).round() / 1e9
}

/// A declaration; one whose range is in error keeps its default as its only value (so
/// its uses still bind and the file reports the range problem alone).
fn declaration(service: usize, p: &ParamDecl, sink: &mut Sink) -> Option<Param> {
    if !literal(&p.default, sink) {
        return None;
    }
    let unit = p.default.unit.as_ref().map(|u| u.node);
    let default = p.default.value.value;
    let values = range_values(p, unit, default, sink).unwrap_or_else(|| vec![default]);
    Some(Param {
        service,
        name: p.name.node.clone(),
        unit,
        default,
        values,
        span: p.span,
        name_span: p.name.span,
        range_span: p.range.span(),
        default_span: p.default.span,
    })
}

/// The values of `p`'s range, or `None` after reporting why there are none.
fn range_values(
    p: &ParamDecl,
    unit: Option<Unit>,
    default: f64,
    sink: &mut Sink,
) -> Option<Vec<f64>> {
    let (values, inside) = match &p.range {
        ParamRange::Span {
            low, high, step, ..
        } => {
            let ok = [Some(low), Some(high), step.as_ref()]
                .into_iter()
                .flatten()
                .all(|q| literal(q, sink));
            if !ok {
                return None;
            }
            let (lo, hi) = (convert(low, unit, p, sink)?, convert(high, unit, p, sink)?);
            let st = match step {
                Some(q) => step_value(q, unit, p, sink)?,
                None => 1.0,
            };
            if lo > hi || st <= 0.0 || !st.is_finite() {
                let why = if lo > hi {
                    "the range starts after it ends"
                } else {
                    "the step is not positive"
                };
                sink.push(
                    Diagnostic::error(
                        Code::EMPTY_PARAM_RANGE,
                        format!("the range of `${}` holds no value: {why}", p.name.node),
                        p.range.span(),
                    )
                    .label(why)
                    .help("write the range low to high with a positive step: `200ms..500ms step 50ms`"),
                );
                return None;
            }
            let n = ((hi - lo) / st + 1e-9).floor() + 1.0;
            if n > MAX_VALUES as f64 {
                sink.push(
                    Diagnostic::error(
                        Code::EMPTY_PARAM_RANGE,
                        format!(
                            "the range of `${}` holds {} values, more than the limit of {MAX_VALUES}",
                            p.name.node,
                            fmt_num(n)
                        ),
                        p.range.span(),
                    )
                    .label("too fine a step")
                    .help("use a coarser `step` (without one the step is 1 in the unit of the default)"),
                );
                return None;
            }
            let values = (0..n as usize)
                .map(|i| tidy(lo + i as f64 * st))
                .collect::<Vec<_>>();
            (values, default >= lo - 1e-9 && default <= hi + 1e-9)
        }
        ParamRange::List(items, _) => {
            let mut vs = Vec::with_capacity(items.len());
            for q in items {
                if !literal(q, sink) {
                    return None;
                }
                let v = tidy(convert(q, unit, p, sink)?);
                if !vs.contains(&v) {
                    vs.push(v);
                }
            }
            let inside = vs.iter().any(|v| (v - default).abs() <= 1e-9);
            (vs, inside)
        }
    };
    if !inside {
        sink.push(
            Diagnostic::error(
                Code::PARAM_DEFAULT_OUTSIDE_RANGE,
                format!(
                    "the default of `${}`, {}, lies outside its range",
                    p.name.node,
                    show_value(default, unit)
                ),
                p.default.span,
            )
            .label("outside the range")
            .with_secondary(p.range.span(), "the range")
            .help("widen the range, or pick a default inside it: the file runs with the default"),
        );
        return None;
    }
    Some(values)
}

/// The step in the default's unit: of the same kind (a time step for a duration).
fn step_value(q: &Quantity, unit: Option<Unit>, p: &ParamDecl, sink: &mut Sink) -> Option<f64> {
    let written = q.unit.as_ref().map(|u| u.node);
    let dim = |u: Option<Unit>| u.map_or(Dimension::Count, Unit::dimension);
    if dim(written) != dim(unit) {
        sink.push(
            Diagnostic::error(
                Code::PARAM_STEP_UNIT,
                format!(
                    "the step of `${}` is {}, but its values are {}",
                    p.name.node,
                    dim(written),
                    dim(unit)
                ),
                q.span,
            )
            .label("a step of another kind")
            .with_secondary(p.default.span, "the default")
            .help(format!(
                "write the step in units of the default, e.g. `step {}`",
                show_value(1.0, unit)
            )),
        );
        return None;
    }
    convert(q, unit, p, sink)
}

/// Writes `values[i]` (one per entry of `params`) into every `$NAME` use of the file.
/// With a `sink`, reports uses that name no parameter or stand where its unit cannot;
/// returns whether every use was bound.
pub fn bind(
    file: &mut File,
    params: &[Param],
    values: &[f64],
    mut sink: Option<&mut Sink>,
) -> bool {
    let mut ok = true;
    for (si, s) in file.services.iter_mut().enumerate() {
        let names: Vec<(usize, &Param)> = params
            .iter()
            .enumerate()
            .filter(|(_, p)| p.service == si)
            .collect();
        for item in &mut s.items {
            let in_param = matches!(item, Item::Param(_));
            slots::for_each(item, &mut |mut slot| {
                let span = slot.number().span;
                let Some(name) = slot.number().param().map(str::to_string) else {
                    return;
                };
                if in_param {
                    return; // reported by `declare`
                }
                let Some((i, p)) = names.iter().find(|(_, p)| p.name == name) else {
                    ok = false;
                    if let Some(sink) = sink.as_deref_mut() {
                        sink.push(unknown(&name, span, names.iter().map(|(_, p)| p)));
                    }
                    return;
                };
                if let Err(d) = slot.set(p, values[*i]) {
                    ok = false;
                    if let Some(sink) = sink.as_deref_mut() {
                        sink.push(*d);
                    }
                }
            });
        }
    }
    ok
}

/// The defaults of `params`, in order.
pub fn defaults(params: &[Param]) -> Vec<f64> {
    params.iter().map(|p| p.default).collect()
}

fn unknown<'p>(name: &str, span: Span, params: impl Iterator<Item = &'p &'p Param>) -> Diagnostic {
    let names: Vec<&str> = params.map(|p| p.name.as_str()).collect();
    let d = Diagnostic::error(
        Code::UNKNOWN_PARAM,
        format!("no parameter `{name}` is declared in this service"),
        span,
    )
    .label("unknown parameter");
    match did_you_mean(name, names.iter().copied()) {
        Some(close) => d.help(format!("did you mean `${close}`?")),
        None => d.help(format!(
            "declare it in the service: `param {name} = VALUE in LOW..HIGH step STEP`"
        )),
    }
}

/// Every use of a parameter: its span and the parameter's index in `params`.
pub fn uses(file: &File, params: &[Param]) -> Vec<(Span, usize)> {
    let mut out = Vec::new();
    let mut copy = file.clone();
    for (si, s) in copy.services.iter_mut().enumerate() {
        for item in &mut s.items {
            if matches!(item, Item::Param(_)) {
                continue;
            }
            slots::for_each(item, &mut |slot| {
                let n = slot.number();
                if let Some(name) = n.param() {
                    if let Some(i) = params
                        .iter()
                        .position(|p| p.service == si && p.name == name)
                    {
                        out.push((n.span, i));
                    }
                }
            });
        }
    }
    out
}

/// Points the checker's diagnostics that fall on a parameter's use at its declaration
/// too: a unit problem with `$thr` is one at `param thr` as much as at the use.
pub fn annotate(diagnostics: &mut [Diagnostic], uses: &[(Span, usize)], params: &[Param]) {
    for d in diagnostics.iter_mut() {
        let hit = uses.iter().find(|(s, _)| {
            std::iter::once(&d.primary)
                .chain(&d.secondary)
                .any(|l| l.span.start <= s.start && s.end <= l.span.end)
        });
        if let Some(&(_, i)) = hit {
            let p = &params[i];
            if d.secondary.iter().any(|l| l.span == p.span) {
                continue;
            }
            d.secondary.push(crate::diagnostics::Label {
                span: p.span,
                message: format!(
                    "`${}` is declared here, {} by default",
                    p.name,
                    p.show(p.default)
                ),
            });
        }
    }
}

/// Checks the file at each end of every parameter's range, or at every value of a
/// range of at most 10 (the others at their defaults), as a literal with that value
/// would be checked: a value the checker rejects is an error at the range.
pub fn check_ranges(file: &File, src: &str, params: &[Param], sink: &mut Sink) {
    let base = defaults(params);
    for (i, p) in params.iter().enumerate() {
        // A short list is checked value by value; a range at its two ends.
        let probes: Vec<f64> = if p.values.len() <= 10 {
            p.values.clone()
        } else {
            p.values
                .first()
                .into_iter()
                .chain(p.values.last())
                .copied()
                .collect()
        };
        for v in probes {
            if (v - p.default).abs() <= 1e-12 {
                continue;
            }
            let mut values = base.clone();
            values[i] = v;
            let mut f = file.clone();
            let mut scratch = Sink::new();
            bind(&mut f, params, &values, Some(&mut scratch));
            if !scratch.has_errors() {
                crate::check::check(&f, src, &mut scratch);
            }
            if let Some(first) = scratch.into_sorted().into_iter().find(|d| d.is_error()) {
                sink.push(
                    Diagnostic::error(
                        Code::PARAM_RANGE_INVALID,
                        format!(
                            "with `${} = {}` the file does not check: {}",
                            p.name,
                            p.show(v),
                            first.message
                        ),
                        p.range_span,
                    )
                    .label(format!("{} is in the range", p.show(v)))
                    .with_secondary(first.primary.span, "rejected here at that value")
                    .help("narrow the range to values the rule accepts"),
                );
                break;
            }
        }
    }
}

#[cfg(test)]
mod tests;
