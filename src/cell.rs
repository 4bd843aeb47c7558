//! One text cell of metric data: what counts as missing, and how a number is read.
//! Shared by every reader of metric rows (the dataset loader and the online evaluator),
//! so online and backtest agree on what a missing value is. No polars here.

/// One numeric text cell.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Cell {
    Value(f64),
    Missing,
    Infinite,
    Invalid,
}

/// Texts (case-insensitive, after trimming) that mean "no value".
pub const MISSING_TOKENS: &[&str] = &["", "nan", "-nan", "null", "na", "n/a", "none"];

pub fn parse_number(s: &str) -> Cell {
    let t = s.trim_ascii();
    if t.len() <= 4 && MISSING_TOKENS.iter().any(|m| t.eq_ignore_ascii_case(m)) {
        return Cell::Missing;
    }
    match t.parse::<f64>() {
        Ok(v) if v.is_nan() => Cell::Missing,
        Ok(v) if v.is_infinite() => Cell::Infinite,
        Ok(v) => Cell::Value(v),
        Err(_) => Cell::Invalid,
    }
}

pub const MISSING_HELP: &str =
    "Empty cells, `NaN`, `null`, `NA`, `N/A` and `None` are read as missing data.";

/// A fix hint for a non-numeric cell, from its shape.
pub fn numeric_hint(text: &str) -> String {
    let t = text.trim();
    let digits_only = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    let unsigned = t.strip_prefix(['-', '+']).unwrap_or(t);
    let hint = if let Some((a, b)) = unsigned.split_once(',') {
        let groups: Vec<&str> = unsigned.split(',').collect();
        let thousands = groups.len() >= 2
            && (1..=3).contains(&groups[0].len())
            && digits_only(groups[0])
            && groups[1..].iter().enumerate().all(|(k, g)| {
                let g = if k == groups.len() - 2 {
                    g.split_once('.').map_or(
                        *g,
                        |(int, frac)| {
                            if digits_only(frac) {
                                int
                            } else {
                                "x"
                            }
                        },
                    )
                } else {
                    g
                };
                g.len() == 3 && digits_only(g)
            });
        if thousands {
            let alt = if groups.len() == 2 && !t.contains('.') {
                format!(
                    " (or `{}` if the comma is a decimal separator)",
                    t.replace(',', ".")
                )
            } else {
                String::new()
            };
            format!(
                "remove the thousands separators: write `{}` instead of `{t}`{alt}.",
                t.replace(',', "")
            )
        } else if digits_only(a) && digits_only(b) {
            format!(
                "use a dot as the decimal separator: write `{}` instead of `{t}`.",
                t.replace(',', ".")
            )
        } else {
            "write one plain number per cell (like `42` or `0.75`).".to_string()
        }
    } else if let Some(n) = t.strip_suffix('%') {
        if n.trim().parse::<f64>().is_ok() {
            format!(
                "drop the `%` sign: write `{}` (in percent) or a fraction.",
                n.trim()
            )
        } else {
            "write one plain number per cell (like `42` or `0.75`).".to_string()
        }
    } else if t.eq_ignore_ascii_case("true") || t.eq_ignore_ascii_case("false") {
        "booleans are not numbers: write 1 or 0.".to_string()
    } else {
        let split = t
            .char_indices()
            .find(|&(i, c)| c.is_alphabetic() && t[..i].trim().parse::<f64>().is_ok())
            .map(|(i, _)| i);
        match split {
            Some(i) if i > 0 => format!(
                "drop the unit `{}`: numeric columns hold plain numbers in one unit (write `{}`).",
                &t[i..],
                t[..i].trim()
            ),
            _ => "numeric columns hold plain numbers like `42`, `0.75` or `1e-3`.".to_string(),
        }
    };
    format!("{hint} {MISSING_HELP}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_parse() {
        assert_eq!(parse_number("42"), Cell::Value(42.0));
        assert_eq!(parse_number(" 0.75 "), Cell::Value(0.75));
        assert_eq!(parse_number("1e-3"), Cell::Value(0.001));
        assert_eq!(parse_number("-5"), Cell::Value(-5.0));
        assert_eq!(parse_number("+5."), Cell::Value(5.0));
        for m in [
            "", "  ", "NaN", "nan", "null", "NULL", "NA", "n/a", "None", "-nan",
        ] {
            assert_eq!(parse_number(m), Cell::Missing, "{m:?}");
        }
        for inf in ["inf", "-inf", "Infinity", "+INF", "1e400", "-1e309"] {
            assert_eq!(parse_number(inf), Cell::Infinite, "{inf:?}");
        }
        for bad in ["1,5", "12%", "512Mi", "true", "0x10", "1_000", "--1", "abc"] {
            assert_eq!(parse_number(bad), Cell::Invalid, "{bad:?}");
        }
    }

    #[test]
    fn hints() {
        assert!(numeric_hint("1,234").starts_with("remove the thousands separators: write `1234`"));
        assert!(numeric_hint("1,234,567.5")
            .starts_with("remove the thousands separators: write `1234567.5`"));
        assert!(numeric_hint("0,5").starts_with("use a dot as the decimal separator: write `0.5`"));
        assert!(numeric_hint("12.5%").starts_with("drop the `%` sign: write `12.5`"));
        assert!(numeric_hint("512Mi").starts_with("drop the unit `Mi`"));
        assert!(numeric_hint("200 ms").starts_with("drop the unit `ms`"));
        assert!(numeric_hint("true").starts_with("booleans are not numbers"));
        assert!(numeric_hint("abc").starts_with("numeric columns hold plain numbers"));
        assert!(numeric_hint("abc").ends_with(MISSING_HELP));
    }
}
