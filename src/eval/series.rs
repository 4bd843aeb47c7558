//! promtool's compact notation for input series, used by evaluator tests and rule unit
//! tests: `100+50x3` is `100 150 200 250` (a start, a step, and n more values); `600x2` is
//! `600 600 600`; `_` is one missing sample and `_x3` three; plain numbers stand alone.
//! Terms are separated by spaces.

/// A malformed series term.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[error("bad series term `{term}`: {reason} (write e.g. `100+50x10`, `600x20`, `_`, `_x3`, `42`)")]
pub struct SeriesError {
    pub term: String,
    pub reason: &'static str,
}

/// Expands a series into values (NaN = missing).
pub fn parse_series(text: &str) -> Result<Vec<f64>, SeriesError> {
    let mut out = Vec::new();
    for term in text.split_whitespace() {
        let err = |reason| SeriesError {
            term: term.to_string(),
            reason,
        };
        let (head, times) = match term.rsplit_once('x') {
            Some((h, n)) => {
                let n: usize = n
                    .parse()
                    .map_err(|_| err("the count after `x` must be a whole number"))?;
                if n > 1_000_000 {
                    return Err(err("the count after `x` is too large"));
                }
                (h, Some(n))
            }
            None => (term, None),
        };
        if head == "_" {
            out.extend(std::iter::repeat_n(f64::NAN, times.unwrap_or(1)));
            continue;
        }
        // Split `a+b` / `a-b` at the sign that is not the leading one.
        let split = head
            .char_indices()
            .skip(1)
            .find(|&(i, c)| (c == '+' || c == '-') && !head[..i].ends_with(['e', 'E']));
        let (start, step) = match split {
            Some((i, _)) => (&head[..i], Some(&head[i..])),
            None => (head, None),
        };
        let start: f64 = start
            .parse()
            .map_err(|_| err("the start is not a number"))?;
        let step: f64 = match step {
            Some(s) => s
                .trim_start_matches('+')
                .parse()
                .map_err(|_| err("the step is not a number"))?,
            None => 0.0,
        };
        match times {
            None if split.is_some() => return Err(err("a step needs a count: `a+bxn`")),
            None => out.push(start),
            Some(n) => out.extend((0..=n).map(|i| start + step * i as f64)),
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expands_like_promtool() {
        assert_eq!(
            parse_series("100+50x3").unwrap(),
            vec![100.0, 150.0, 200.0, 250.0]
        );
        assert_eq!(parse_series("600x2").unwrap(), vec![600.0, 600.0, 600.0]);
        assert_eq!(parse_series("10-5x2 7").unwrap(), vec![10.0, 5.0, 0.0, 7.0]);
        assert_eq!(parse_series("-3 1e3").unwrap(), vec![-3.0, 1000.0]);
        let v = parse_series("1 _x2 _ 2").unwrap();
        assert_eq!(v.len(), 5);
        assert!(v[1].is_nan() && v[2].is_nan() && v[3].is_nan());
    }

    #[test]
    fn rejects_malformed_terms() {
        assert!(parse_series("1+2").is_err());
        assert!(parse_series("abc").is_err());
        assert!(parse_series("1x").is_err());
        assert!(parse_series("1+x3").is_err());
    }
}
