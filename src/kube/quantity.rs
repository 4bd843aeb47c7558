//! Kubernetes quantities (`500m`, `1.5`, `512Mi`, `2Gi`, `1k`, `1e3`), parsed exactly and
//! printed in Kubernetes' canonical form, as `kubectl get` shows them
//! (`k8s.io/apimachinery/pkg/api/resource`, `quantity.go`: `ParseQuantity`,
//! `CanonicalizeBytes`).
//!
//! ```text
//! quantity  := sign? number suffix
//! number    := digits | digits "." digits? | "." digits
//! suffix    := binarySI (Ki Mi Gi Ti Pi Ei) | decimalSI (n u m "" k M G T P E)
//!            | ("e" | "E") sign? digits
//! ```
//!
//! A value is kept as an exact decimal ([`Dec`]: an integer times a power of ten), which
//! every quantity is (a power of 1024 times a decimal is a decimal).

use std::cmp::Ordering;
use std::fmt;

/// An exact decimal: `mantissa × 10^exp`, normalised so the mantissa has no trailing zero
/// (zero is `0 × 10^0`), so equal values are equal structs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Dec {
    pub mantissa: i128,
    pub exp: i32,
}

/// How a quantity was written, which decides how it is printed back.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Format {
    /// `Ki`, `Mi`, … (powers of 1024).
    BinarySI,
    /// `m`, `k`, `M`, … or no suffix.
    DecimalSI,
    /// `1e3`, `5E-2`.
    DecimalExponent,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Quantity {
    pub value: Dec,
    pub format: Format,
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum QuantityError {
    #[error("`{0}` is not a quantity: expected a number with an optional suffix (`500m`, `1.5`, `512Mi`, `2Gi`, `1k`, `1e3`)")]
    Format(String),
    #[error("`{text}` has an unknown suffix `{suffix}` (use n, u, m, k, M, G, T, P, E, Ki, Mi, Gi, Ti, Pi, Ei or an exponent like e3)")]
    Suffix { text: String, suffix: String },
    #[error("`{0}` is too large or too precise for an exact quantity")]
    Range(String),
}

const MAX_DIGITS: usize = 30;

impl Dec {
    pub const ZERO: Dec = Dec {
        mantissa: 0,
        exp: 0,
    };

    /// `mantissa × 10^exp`, normalised.
    pub fn new(mantissa: i128, exp: i32) -> Dec {
        if mantissa == 0 {
            return Dec::ZERO;
        }
        let (mut m, mut e) = (mantissa, exp);
        while m % 10 == 0 {
            m /= 10;
            e += 1;
        }
        Dec {
            mantissa: m,
            exp: e,
        }
    }

    pub fn from_int(i: i64) -> Dec {
        Dec::new(i128::from(i), 0)
    }

    pub fn is_zero(&self) -> bool {
        self.mantissa == 0
    }

    pub fn is_negative(&self) -> bool {
        self.mantissa < 0
    }

    /// `self × 10^n`, exactly.
    pub fn scale10(self, n: i32) -> Dec {
        Dec::new(self.mantissa, self.exp + n)
    }

    /// `self × k`, or `None` on overflow.
    pub fn mul_int(self, k: i128) -> Option<Dec> {
        Some(Dec::new(self.mantissa.checked_mul(k)?, self.exp))
    }

    /// The value as a whole number, if it is one and fits.
    pub fn to_i64(self) -> Option<i64> {
        if self.exp < 0 {
            return None;
        }
        let m = self
            .mantissa
            .checked_mul(10i128.checked_pow(self.exp as u32)?)?;
        i64::try_from(m).ok()
    }

    pub fn to_f64(self) -> f64 {
        // Through the decimal text: exact to the nearest double.
        self.to_string().parse().unwrap_or(f64::NAN)
    }

    /// The mantissa scaled to exponent `exp` (≤ `self.exp`), or `None` on overflow.
    fn mantissa_at(self, exp: i32) -> Option<i128> {
        let shift = u32::try_from(self.exp - exp).ok()?;
        self.mantissa.checked_mul(10i128.checked_pow(shift)?)
    }
}

impl PartialOrd for Dec {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Dec {
    fn cmp(&self, other: &Self) -> Ordering {
        let e = self.exp.min(other.exp);
        match (self.mantissa_at(e), other.mantissa_at(e)) {
            (Some(a), Some(b)) => a.cmp(&b),
            // Only when the exponents are far apart: compare as floats.
            _ => self
                .to_f64()
                .partial_cmp(&other.to_f64())
                .unwrap_or(Ordering::Equal),
        }
    }
}

/// Plain decimal notation, exactly: `0.05`, `1536`, `-2.5`, `1000000`.
impl fmt::Display for Dec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.mantissa < 0 { "-" } else { "" };
        let digits = self.mantissa.unsigned_abs().to_string();
        if self.exp >= 0 {
            return write!(f, "{sign}{digits}{}", "0".repeat(self.exp as usize));
        }
        let frac = self.exp.unsigned_abs() as usize;
        if digits.len() > frac {
            let (int, dec) = digits.split_at(digits.len() - frac);
            write!(f, "{sign}{int}.{dec}")
        } else {
            write!(f, "{sign}0.{}{digits}", "0".repeat(frac - digits.len()))
        }
    }
}

impl Quantity {
    pub fn parse(text: &str) -> Result<Quantity, QuantityError> {
        let bad = || QuantityError::Format(text.to_string());
        let (neg, rest) = match text.as_bytes().first() {
            Some(b'-') => (true, &text[1..]),
            Some(b'+') => (false, &text[1..]),
            _ => (false, text),
        };
        let int_len = rest.bytes().take_while(u8::is_ascii_digit).count();
        let (int, after) = rest.split_at(int_len);
        let (frac, suffix) = match after.strip_prefix('.') {
            Some(a) => {
                let n = a.bytes().take_while(u8::is_ascii_digit).count();
                a.split_at(n)
            }
            None => ("", after),
        };
        if int.is_empty() && frac.is_empty() {
            return Err(bad());
        }
        let digits = format!("{int}{frac}");
        let significant = digits.trim_start_matches('0');
        if significant.len() > MAX_DIGITS {
            return Err(QuantityError::Range(text.to_string()));
        }
        let mut mantissa: i128 = if significant.is_empty() {
            0
        } else {
            significant
                .parse()
                .map_err(|_| QuantityError::Range(text.to_string()))?
        };
        if neg {
            mantissa = -mantissa;
        }
        let frac_exp = -(frac.len() as i32);
        let (format, exp10, pow1024) = suffix_of(text, suffix)?;
        let mut value = Dec::new(mantissa, frac_exp + exp10);
        if pow1024 > 0 {
            value = value
                .mul_int(1i128 << (10 * pow1024))
                .ok_or_else(|| QuantityError::Range(text.to_string()))?;
        }
        if value.exp < -9 || value.exp > 30 {
            // Kubernetes keeps nothing finer than 1n.
            return Err(QuantityError::Range(text.to_string()));
        }
        Ok(Quantity { value, format })
    }

    pub fn to_f64(&self) -> f64 {
        self.value.to_f64()
    }

    /// A plain decimal as a quantity (`0.05` → `50m`).
    pub fn decimal(value: Dec) -> Quantity {
        Quantity {
            value,
            format: Format::DecimalSI,
        }
    }
}

/// (format, power of ten, power of 1024) of a suffix.
fn suffix_of(text: &str, suffix: &str) -> Result<(Format, i32, u32), QuantityError> {
    let dec = |e| Ok((Format::DecimalSI, e, 0));
    let bin = |p| Ok((Format::BinarySI, 0, p));
    match suffix {
        "" => dec(0),
        "n" => dec(-9),
        "u" => dec(-6),
        "m" => dec(-3),
        "k" => dec(3),
        "M" => dec(6),
        "G" => dec(9),
        "T" => dec(12),
        "P" => dec(15),
        "E" => dec(18),
        "Ki" => bin(1),
        "Mi" => bin(2),
        "Gi" => bin(3),
        "Ti" => bin(4),
        "Pi" => bin(5),
        "Ei" => bin(6),
        s if s.starts_with(['e', 'E']) => {
            let e = &s[1..];
            let digits = e.strip_prefix(['+', '-']).unwrap_or(e);
            if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
                return Err(QuantityError::Format(text.to_string()));
            }
            let n: i32 = e
                .parse()
                .map_err(|_| QuantityError::Range(text.to_string()))?;
            if n.abs() > 40 {
                return Err(QuantityError::Range(text.to_string()));
            }
            Ok((Format::DecimalExponent, n, 0))
        }
        s => Err(QuantityError::Suffix {
            text: text.to_string(),
            suffix: s.to_string(),
        }),
    }
}

/// Kubernetes' canonical form (`CanonicalizeBytes`): `1.5` → `1500m`, `2000` → `2k`,
/// `1.5Gi` → `1536Mi`, `0.5Ki` → `512`, `1e3` → `1e3`.
impl fmt::Display for Quantity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let v = self.value;
        if v.is_zero() {
            return f.write_str("0");
        }
        if self.format == Format::BinarySI && v.mantissa.unsigned_abs() > 0 {
            let whole = v.to_i64().map(i128::from);
            if let Some(mut n) = whole.filter(|n| n.unsigned_abs() >= 1024) {
                let mut p = 0;
                while n % 1024 == 0 && p < 6 {
                    n /= 1024;
                    p += 1;
                }
                let suffix = ["", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei"][p];
                return write!(f, "{n}{suffix}");
            }
        }
        // Decimal: the exponent lowered to a multiple of three.
        let exp = v.exp.div_euclid(3) * 3;
        let m = v.mantissa_at(exp).unwrap_or(v.mantissa);
        let exponent_form = self.format == Format::DecimalExponent;
        let suffix = match exp {
            0 => String::new(),
            _ if exponent_form => format!("e{exp}"),
            -9 => "n".into(),
            -6 => "u".into(),
            -3 => "m".into(),
            3 => "k".into(),
            6 => "M".into(),
            9 => "G".into(),
            12 => "T".into(),
            15 => "P".into(),
            18 => "E".into(),
            _ => format!("e{exp}"),
        };
        write!(f, "{m}{suffix}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(s: &str) -> Quantity {
        Quantity::parse(s).unwrap()
    }

    fn dec(s: &str) -> String {
        q(s).value.to_string()
    }

    #[test]
    fn values_are_exact() {
        assert_eq!(dec("500m"), "0.5");
        assert_eq!(dec("1.5"), "1.5");
        assert_eq!(dec("512Mi"), "536870912");
        assert_eq!(dec("2Gi"), "2147483648");
        assert_eq!(dec("1k"), "1000");
        assert_eq!(dec("1e3"), "1000");
        assert_eq!(dec("5E-2"), "0.05");
        assert_eq!(dec("0.1"), "0.1");
        assert_eq!(dec("100n"), "0.0000001");
        assert_eq!(dec("-1.5Ki"), "-1536");
        assert_eq!(dec(".5"), "0.5");
        assert_eq!(dec("5."), "5");
        assert_eq!(dec("+2M"), "2000000");
        assert_eq!(dec("0.0"), "0");
        assert_eq!(dec("1E"), "1000000000000000000");
        assert_eq!(dec("007"), "7");
    }

    #[test]
    fn malformed_quantities_are_refused() {
        for s in [
            "", ".", "-", "1 Ki", "1ki", "1KB", "1e", "1e+", "abc", "1.2.3", "1m1", "0x10",
        ] {
            assert!(Quantity::parse(s).is_err(), "{s}");
        }
        assert!(matches!(
            Quantity::parse("3Xi"),
            Err(QuantityError::Suffix { .. })
        ));
        assert!(matches!(
            Quantity::parse("1e400"),
            Err(QuantityError::Range(_))
        ));
        assert!(matches!(
            Quantity::parse("0.0000000001"),
            Err(QuantityError::Range(_))
        ));
    }

    #[test]
    fn canonical_form_is_kubernetes() {
        // Cases from apimachinery's quantity_test.go (TestQuantityParse's canonical column).
        for (input, canonical) in [
            ("0", "0"),
            ("0Ki", "0"),
            ("1.5", "1500m"),
            ("0.5", "500m"),
            ("0.05", "50m"),
            ("2000", "2k"),
            ("1500", "1500"),
            ("1.1e5", "110e3"),
            ("1e3", "1e3"),
            ("1.5Gi", "1536Mi"),
            ("1024Ki", "1Mi"),
            ("0.5Ki", "512"),
            ("1023", "1023"),
            ("1Ki", "1Ki"),
            ("100m", "100m"),
            ("1000m", "1"),
            ("-5m", "-5m"),
            ("1.5Ki", "1536"),
            ("0.3Ki", "307200m"),
            ("10M", "10M"),
            ("12E", "12E"),
        ] {
            assert_eq!(q(input).to_string(), canonical, "{input}");
        }
    }

    #[test]
    fn order_is_by_value() {
        assert!(q("500m").value < q("1").value);
        assert!(q("1Ki").value > q("1k").value);
        assert_eq!(q("1k").value, q("1e3").value);
        assert_eq!(q("1000m").value.cmp(&q("1").value), Ordering::Equal);
    }
}
