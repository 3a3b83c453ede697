//! Money as integer minor units of an ISO 4217 currency (providers.md §0). Decimal strings exist
//! only at the edges; nothing here ever goes through a float.

use crate::error::{Error, Result};
use std::fmt;

/// Active ISO 4217 codes with their minor-unit exponent (ISO 4217 list, 2025 amendments: XCG,
/// ZWG added; ANG/SLL/BGN/ZWL still accepted as providers keep them for a while).
const ISO_4217: &[(&str, u8)] = &[
    ("AED", 2),
    ("AFN", 2),
    ("ALL", 2),
    ("AMD", 2),
    ("ANG", 2),
    ("AOA", 2),
    ("ARS", 2),
    ("AUD", 2),
    ("AWG", 2),
    ("AZN", 2),
    ("BAM", 2),
    ("BBD", 2),
    ("BDT", 2),
    ("BGN", 2),
    ("BHD", 3),
    ("BIF", 0),
    ("BMD", 2),
    ("BND", 2),
    ("BOB", 2),
    ("BOV", 2),
    ("BRL", 2),
    ("BSD", 2),
    ("BTN", 2),
    ("BWP", 2),
    ("BYN", 2),
    ("BZD", 2),
    ("CAD", 2),
    ("CDF", 2),
    ("CHE", 2),
    ("CHF", 2),
    ("CHW", 2),
    ("CLF", 4),
    ("CLP", 0),
    ("CNY", 2),
    ("COP", 2),
    ("COU", 2),
    ("CRC", 2),
    ("CUP", 2),
    ("CVE", 2),
    ("CZK", 2),
    ("DJF", 0),
    ("DKK", 2),
    ("DOP", 2),
    ("DZD", 2),
    ("EGP", 2),
    ("ERN", 2),
    ("ETB", 2),
    ("EUR", 2),
    ("FJD", 2),
    ("FKP", 2),
    ("GBP", 2),
    ("GEL", 2),
    ("GHS", 2),
    ("GIP", 2),
    ("GMD", 2),
    ("GNF", 0),
    ("GTQ", 2),
    ("GYD", 2),
    ("HKD", 2),
    ("HNL", 2),
    ("HTG", 2),
    ("HUF", 2),
    ("IDR", 2),
    ("ILS", 2),
    ("INR", 2),
    ("IQD", 3),
    ("IRR", 2),
    ("ISK", 0),
    ("JMD", 2),
    ("JOD", 3),
    ("JPY", 0),
    ("KES", 2),
    ("KGS", 2),
    ("KHR", 2),
    ("KMF", 0),
    ("KPW", 2),
    ("KRW", 0),
    ("KWD", 3),
    ("KYD", 2),
    ("KZT", 2),
    ("LAK", 2),
    ("LBP", 2),
    ("LKR", 2),
    ("LRD", 2),
    ("LSL", 2),
    ("LYD", 3),
    ("MAD", 2),
    ("MDL", 2),
    ("MGA", 2),
    ("MKD", 2),
    ("MMK", 2),
    ("MNT", 2),
    ("MOP", 2),
    ("MRU", 2),
    ("MUR", 2),
    ("MVR", 2),
    ("MWK", 2),
    ("MXN", 2),
    ("MXV", 2),
    ("MYR", 2),
    ("MZN", 2),
    ("NAD", 2),
    ("NGN", 2),
    ("NIO", 2),
    ("NOK", 2),
    ("NPR", 2),
    ("NZD", 2),
    ("OMR", 3),
    ("PAB", 2),
    ("PEN", 2),
    ("PGK", 2),
    ("PHP", 2),
    ("PKR", 2),
    ("PLN", 2),
    ("PYG", 0),
    ("QAR", 2),
    ("RON", 2),
    ("RSD", 2),
    ("RUB", 2),
    ("RWF", 0),
    ("SAR", 2),
    ("SBD", 2),
    ("SCR", 2),
    ("SDG", 2),
    ("SEK", 2),
    ("SGD", 2),
    ("SHP", 2),
    ("SLE", 2),
    ("SLL", 2),
    ("SOS", 2),
    ("SRD", 2),
    ("SSP", 2),
    ("STN", 2),
    ("SVC", 2),
    ("SYP", 2),
    ("SZL", 2),
    ("THB", 2),
    ("TJS", 2),
    ("TMT", 2),
    ("TND", 3),
    ("TOP", 2),
    ("TRY", 2),
    ("TTD", 2),
    ("TWD", 2),
    ("TZS", 2),
    ("UAH", 2),
    ("UGX", 0),
    ("USD", 2),
    ("USN", 2),
    ("UYI", 0),
    ("UYU", 2),
    ("UYW", 4),
    ("UZS", 2),
    ("VED", 2),
    ("VES", 2),
    ("VND", 0),
    ("VUV", 0),
    ("WST", 2),
    ("XAF", 0),
    ("XCD", 2),
    ("XCG", 2),
    ("XOF", 0),
    ("XPF", 0),
    ("YER", 2),
    ("ZAR", 2),
    ("ZMW", 2),
    ("ZWG", 2),
    ("ZWL", 2),
];

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Currency {
    code: &'static str,
    exponent: u8,
}

impl Currency {
    /// Looks up an ISO 4217 code. Lower case is accepted (providers send both); anything that is
    /// not exactly three ASCII letters, or not in the table, is `unsupported_currency`.
    pub fn from_code(code: &str) -> Result<Currency> {
        let valid = code.len() == 3 && code.bytes().all(|b| b.is_ascii_alphabetic());
        if !valid {
            return Err(Error::UnsupportedCurrency(printable(code)));
        }
        let upper = code.to_ascii_uppercase();
        ISO_4217
            .binary_search_by(|(c, _)| (*c).cmp(upper.as_str()))
            .ok()
            .and_then(|i| ISO_4217.get(i))
            .map(|(code, exponent)| Currency {
                code,
                exponent: *exponent,
            })
            .ok_or(Error::UnsupportedCurrency(upper))
    }

    pub fn code(&self) -> &'static str {
        self.code
    }

    pub fn exponent(&self) -> u8 {
        self.exponent
    }

    /// Every currency of the table, for exhaustive tests.
    pub fn all() -> impl Iterator<Item = Currency> {
        ISO_4217.iter().map(|(code, exponent)| Currency {
            code,
            exponent: *exponent,
        })
    }
}

/// Keeps error messages short and printable whatever the caller sent.
fn printable(s: &str) -> String {
    s.chars()
        .take(16)
        .map(|c| if c.is_ascii_graphic() { c } else { '?' })
        .collect()
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Money {
    minor: i64,
    currency: Currency,
}

impl Money {
    pub fn from_minor(minor: i64, currency: Currency) -> Money {
        Money { minor, currency }
    }

    /// A payment amount from a caller: strictly positive, strict decimal syntax.
    pub fn parse_payment(decimal: &str, currency: Currency) -> Result<Money> {
        let m = Money::parse(decimal, currency)?;
        if m.minor == 0 {
            return Err(Error::amount("must be greater than zero"));
        }
        Ok(m)
    }

    /// A positive integer of minor units from a caller (PHP `int`).
    pub fn payment_from_minor(minor: i64, currency: Currency) -> Result<Money> {
        if minor <= 0 {
            return Err(Error::amount("must be greater than zero"));
        }
        Ok(Money::from_minor(minor, currency))
    }

    /// Strict decimal in major units: `digits[.digits]`, no sign, no exponent, no whitespace, no
    /// leading zeros (except a single `0`), at most `exponent` fraction digits (providers.md §0).
    pub fn parse(decimal: &str, currency: Currency) -> Result<Money> {
        let (int_part, frac_part) = match decimal.split_once('.') {
            Some((i, f)) => (i, Some(f)),
            None => (decimal, None),
        };
        if decimal.starts_with('-') {
            return Err(Error::amount("must not be negative"));
        }
        if int_part.is_empty() || !int_part.bytes().all(|b| b.is_ascii_digit()) {
            return Err(Error::amount("not a plain decimal number"));
        }
        if int_part.len() > 1 && int_part.starts_with('0') {
            return Err(Error::amount("leading zeros are not allowed"));
        }
        let frac = frac_part.unwrap_or("");
        if frac_part.is_some() && (frac.is_empty() || !frac.bytes().all(|b| b.is_ascii_digit())) {
            return Err(Error::amount("not a plain decimal number"));
        }
        let exp = currency.exponent as usize;
        if frac.len() > exp {
            return Err(Error::amount(format!(
                "more than {exp} decimal places for {}",
                currency.code
            )));
        }
        let overflow = || Error::amount("too large");
        let mut minor: i64 = 0;
        for b in int_part.bytes().chain(frac.bytes()) {
            minor = minor
                .checked_mul(10)
                .and_then(|v| v.checked_add(i64::from(b - b'0')))
                .ok_or_else(overflow)?;
        }
        for _ in frac.len()..exp {
            minor = minor.checked_mul(10).ok_or_else(overflow)?;
        }
        Ok(Money { minor, currency })
    }

    /// A decimal written by a provider: as `parse`, but tolerates trailing fraction zeros beyond
    /// the exponent ("15.990") which some APIs emit from their own decimal columns.
    pub fn parse_provider(decimal: &str, currency: Currency) -> Result<Money> {
        // Only ASCII digits may be trimmed: anything else goes to `parse`, which refuses it with
        // `invalid_amount`. Splitting by byte position inside "1.1é" would cut a multi-byte
        // character and panic, so `str::get` is used, which cannot.
        let exp = currency.exponent as usize;
        let trimmed = match decimal.split_once('.') {
            Some((i, f)) if f.len() > exp && f.bytes().all(|b| b.is_ascii_digit()) => {
                match (f.get(..exp), f.get(exp..)) {
                    (Some(keep), Some(extra)) if extra.bytes().all(|b| b == b'0') => {
                        if keep.is_empty() {
                            Some(i.to_string())
                        } else {
                            Some(format!("{i}.{keep}"))
                        }
                    }
                    _ => None,
                }
            }
            _ => None,
        };
        Money::parse(trimmed.as_deref().unwrap_or(decimal), currency)
    }

    pub fn minor(&self) -> i64 {
        self.minor
    }

    pub fn currency(&self) -> Currency {
        self.currency
    }

    /// Major-unit decimal with exactly the currency's exponent digits ("12.50", "1000", "1.250").
    pub fn to_decimal(&self) -> String {
        let exp = self.currency.exponent as u32;
        let sign = if self.minor < 0 { "-" } else { "" };
        let abs = self.minor.unsigned_abs();
        if exp == 0 {
            return format!("{sign}{abs}");
        }
        let scale = 10u64.pow(exp);
        format!(
            "{sign}{}.{:0width$}",
            abs / scale,
            abs % scale,
            width = exp as usize
        )
    }
}

impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.to_decimal(), self.currency.code)
    }
}

#[cfg(test)]
mod tests;
