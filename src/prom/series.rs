//! From the series a query returned to the one column a metric needs: stitching the
//! chunks of a range query onto the [`Grid`], and the checks that exactly one series
//! with some data came back (E374 several series, E375 no data).

use std::collections::BTreeSet;

use super::api::{format_labels, Labels};
use super::client::Series;
use super::error::{PromError, PromErrorKind};
use super::range::Grid;

/// Values shown per distinguishing label, and series shown, in an E374 message.
const MAX_SHOWN: usize = 5;

/// One query's result on the grid.
#[derive(Debug, Clone, PartialEq)]
pub struct AlignedSeries {
    /// The series' labels (empty for an aggregation such as `sum(...)`).
    pub labels: Labels,
    /// One value per grid point; a point without a sample is `NaN` (missing).
    pub values: Vec<f64>,
    /// Grid points with a finite value.
    pub present: usize,
    /// Samples that were `NaN` or ±Inf on the server (e.g. `histogram_quantile` over
    /// empty buckets or above the last bucket): stored as missing, counted here.
    pub non_finite: usize,
}

impl AlignedSeries {
    /// Grid points without a finite value.
    pub fn missing(&self) -> usize {
        self.values.len() - self.present
    }
}

/// Collects the series of every chunk of one range query, keyed by label set.
#[derive(Debug)]
pub(crate) struct Stitcher {
    grid: Grid,
    series: Vec<(Labels, Vec<f64>, usize)>,
}

impl Stitcher {
    pub fn new(grid: Grid) -> Self {
        Stitcher {
            grid,
            series: Vec::new(),
        }
    }

    /// Adds the series of one chunk. Samples off the grid (which a conforming server
    /// does not send) are ignored.
    pub fn add(&mut self, chunk: Vec<Series>) {
        for s in chunk {
            let idx = match self.series.iter().position(|(l, _, _)| *l == s.labels) {
                Some(i) => i,
                None => {
                    self.series
                        .push((s.labels, vec![f64::NAN; self.grid.len()], 0));
                    self.series.len() - 1
                }
            };
            let (_, values, non_finite) = &mut self.series[idx];
            for &(t, v) in &s.points {
                if let Some(i) = self.grid.index_of(t) {
                    if v.is_finite() {
                        values[i] = v;
                    } else {
                        *non_finite += 1;
                    }
                }
            }
        }
    }

    /// The one series, or E374 (several) / E375 (none, or no finite value anywhere).
    pub fn finish(self, query: &str) -> Result<AlignedSeries, PromError> {
        let grid = self.grid;
        let labels: Vec<Labels> = self.series.iter().map(|(l, _, _)| l.clone()).collect();
        let mut series = self.series;
        if series.len() > 1 {
            return Err(several_series(&labels, query));
        }
        let Some((labels, values, non_finite)) = series.pop() else {
            return Err(no_data(&grid.describe(), query, None));
        };
        let present = values.iter().filter(|v| v.is_finite()).count();
        if present == 0 {
            return Err(no_data(&grid.describe(), query, Some(non_finite)));
        }
        Ok(AlignedSeries {
            labels,
            values,
            present,
            non_finite,
        })
    }
}

/// Whether the query groups `by (…)`, roughly: the word `by` before a `(`.
fn has_by_clause(query: &str) -> bool {
    let bytes = query.as_bytes();
    query.match_indices("by").any(|(i, _)| {
        let before_ok = i == 0 || !(bytes[i - 1].is_ascii_alphanumeric() || bytes[i - 1] == b'_');
        let after = query[i + 2..].trim_start();
        before_ok && after.starts_with('(')
    })
}

/// E375 for `query` over `during` (a range description or `at <time>`);
/// `non_finite` is the count of NaN/Inf samples when the series existed.
pub(crate) fn no_data(during: &str, query: &str, non_finite: Option<usize>) -> PromError {
    let help = match non_finite {
        Some(n) if n > 0 => format!(
            "the query's series exists but all its {n} samples are NaN or infinite \
             (e.g. `histogram_quantile` over buckets with no requests, or a division by zero); \
             check the query in the Prometheus UI over the same range"
        ),
        _ => "check the metric name and label matchers in the Prometheus UI over the \
              same range; the data may be older than the server's retention, or the \
              series may have another name on this server"
            .to_string(),
    };
    PromError::from(PromErrorKind::NoData {
        during: during.to_string(),
        help,
    })
    .with_query(query)
}

/// E374 for the label sets of the series `query` returned.
pub(crate) fn several_series(labels: &[Labels], query: &str) -> PromError {
    let names: BTreeSet<&String> = labels.iter().flat_map(|l| l.keys()).collect();
    let mut distinguishing = Vec::new();
    for name in names {
        let values: BTreeSet<&str> = labels
            .iter()
            .map(|l| l.get(name).map_or("", String::as_str))
            .collect();
        if values.len() > 1 {
            let mut shown: Vec<String> = values
                .iter()
                .take(MAX_SHOWN)
                .map(|v| v.to_string())
                .collect();
            if values.len() > MAX_SHOWN {
                shown.push(format!("… {} more", values.len() - MAX_SHOWN));
            }
            distinguishing.push((name.clone(), shown));
        }
    }
    let series = labels.iter().take(MAX_SHOWN).map(format_labels).collect();
    let by: Vec<&str> = distinguishing.iter().map(|(n, _)| n.as_str()).collect();
    let q = if query.chars().count() > 60 {
        "…".to_string()
    } else {
        query.to_string()
    };
    let first = by.first().copied().unwrap_or("label");
    let mut help = format!(
        "aggregate the series into one in the query: `sum({q})` adds them up (request \
         rates, replicas), `max({q})` or `avg({q})` keeps a level (CPU, latency); or select \
         one series with a matcher such as `{{{first}=\"…\"}}`"
    );
    if has_by_clause(query) && !by.is_empty() {
        help.push_str(&format!(
            "; a `by (…)` clause keeps one series per value of its labels: drop `{}` from it",
            by.join("`, `")
        ));
    }
    PromError::from(PromErrorKind::SeveralSeries {
        count: labels.len(),
        distinguishing,
        series,
        help,
    })
    .with_query(query)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::prom::api::parse_value;

    fn series(labels: &[(&str, &str)], points: &[(i64, &str)]) -> Series {
        Series {
            labels: labels
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            points: points
                .iter()
                .map(|(t, v)| (t * 1000, parse_value(v)))
                .collect(),
        }
    }

    fn grid() -> Grid {
        Grid::new(0, 6 * 60_000, 60_000).unwrap()
    }

    #[test]
    fn chunks_stitch_and_gaps_are_missing() {
        let mut s = Stitcher::new(grid());
        s.add(vec![series(&[("job", "a")], &[(0, "1"), (60, "2")])]);
        s.add(vec![]); // a chunk with no data at all
        s.add(vec![series(
            &[("job", "a")],
            &[(240, "5"), (300, "+Inf"), (301, "9")],
        )]);
        let a = s.finish("x").unwrap();
        let shown: Vec<String> = a.values.iter().map(|v| format!("{v}")).collect();
        assert_eq!(shown, ["1", "2", "NaN", "NaN", "5", "NaN"]);
        assert_eq!((a.present, a.non_finite, a.missing()), (3, 1, 3));
    }

    #[test]
    fn no_series_or_only_nan_is_no_data() {
        let e = Stitcher::new(grid()).finish("up").unwrap_err();
        assert_eq!(e.code().as_str(), "E375");
        assert_eq!(e.query(), Some("up"));
        assert!(e.to_string().contains("from 1970-01-01T00:00:00Z"), "{e}");
        let mut s = Stitcher::new(grid());
        s.add(vec![series(&[], &[(0, "NaN")])]);
        let e = s.finish("q").unwrap_err();
        assert!(e.help_text().contains("all its 1 samples are NaN"), "{e}");
    }

    #[test]
    fn several_series_name_what_differs() {
        let mut s = Stitcher::new(grid());
        s.add(vec![
            series(&[("job", "a"), ("pod", "p1")], &[(0, "1")]),
            series(&[("job", "a"), ("pod", "p2")], &[(0, "1")]),
        ]);
        // A third label set only in a later chunk still counts.
        s.add(vec![series(&[("job", "a")], &[(120, "1")])]);
        let e = s.finish("rate(x[1m])").unwrap_err();
        assert_eq!(e.code().as_str(), "E374");
        assert_eq!(
            e.message(),
            "the query returned 3 series where one is needed; they differ in `pod` (\"\", \"p1\", \"p2\")"
        );
        assert!(
            e.help_text().contains("`sum(rate(x[1m]))`"),
            "{}",
            e.help_text()
        );
        assert!(e.help_text().contains("`{pod=\"…\"}`"), "{}", e.help_text());
        assert!(!e.help_text().contains("by (…)"), "{}", e.help_text());
        let PromErrorKind::SeveralSeries { series, .. } = e.kind() else {
            panic!("kind")
        };
        assert_eq!(series[0], "{job=\"a\", pod=\"p1\"}");
        let pod = |p: &str| Labels::from([("pod".to_string(), p.to_string())]);
        let e = several_series(&[pod("a"), pod("b")], "sum by (pod) (x)");
        assert!(
            e.help_text().ends_with("drop `pod` from it"),
            "{}",
            e.help_text()
        );
        assert!(has_by_clause("sum by(le) (x)") && has_by_clause("sum by (le) (x)"));
        assert!(!has_by_clause("rate(bytes_total[1m])") && !has_by_clause("standby(x)"));
    }
}
