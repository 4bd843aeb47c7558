//! `tune --write`: the rule file with a variant's values as the parameters' defaults,
//! through the formatter (comments kept). The `$NAME` uses stay; only the `param`
//! lines change, so the written file is still tunable.

use crate::diagnostics::Diagnostic;
use crate::params::Param;

/// `src` with each of `params`' defaults replaced by the matching value of `values`,
/// formatted.
pub fn with_defaults(
    src: &str,
    stem: &str,
    params: &[Param],
    values: &[f64],
) -> Result<String, Vec<Diagnostic>> {
    let mut edits: Vec<(std::ops::Range<usize>, String)> = params
        .iter()
        .zip(values)
        .map(|(p, &v)| (p.default_span.start..p.default_span.end, p.show(v)))
        .collect();
    edits.sort_by_key(|(r, _)| std::cmp::Reverse(r.start));
    let mut text = src.to_string();
    for (range, new) in edits {
        if text.get(range.clone()).is_some() {
            text.replace_range(range, &new);
        }
    }
    crate::fmt::format_source(&text, stem)
}

#[cfg(test)]
mod tests {
    #[test]
    fn only_the_defaults_change_and_comments_stay() {
        let src = "# keep me\nreplicas 1..5\nmetric p95 = column \"p95_ms\" in ms\n\
                   param thr = 300ms in 200ms..400ms step 50ms # the threshold\n\
                   when p95 > $thr scale out by 1\n";
        let c = crate::compile(src, "t");
        let out = super::with_defaults(src, "t", &c.params, &[250.0]).expect("formats");
        assert_eq!(
            out,
            "# keep me\nreplicas 1..5\nmetric p95 = column \"p95_ms\" in ms\n\
             param thr = 250ms in 200ms..400ms step 50ms  # the threshold\n\
             when p95 > $thr scale out by 1\n"
        );
    }
}
