//! The verify-then-parse engine every provider's webhook goes through (style.md rule 3,
//! providers.md §0 "Verification order"): required headers → signature decodes → MAC over the
//! exact raw bytes matches any secret (constant time) → timestamp within tolerance. Only then may a
//! provider parse the body.

use crate::error::{Error, Result};
use crate::money::Money;
use crate::signing::{self, Encoding, Secret};
use serde_json::Value;

/// Bodies above this are refused before any work (a webhook is a few KB).
pub const MAX_BODY_BYTES: usize = 1024 * 1024;
/// More headers than this is not a provider talking.
pub const MAX_HEADERS: usize = 256;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PaymentStatus {
    Pending,
    Authorized,
    Paid,
    Failed,
    Cancelled,
    Refunded,
    PartiallyRefunded,
    Chargeback,
    Unknown,
}

impl PaymentStatus {
    pub fn as_str(&self) -> &'static str {
        match self {
            PaymentStatus::Pending => "pending",
            PaymentStatus::Authorized => "authorized",
            PaymentStatus::Paid => "paid",
            PaymentStatus::Failed => "failed",
            PaymentStatus::Cancelled => "cancelled",
            PaymentStatus::Refunded => "refunded",
            PaymentStatus::PartiallyRefunded => "partially_refunded",
            PaymentStatus::Chargeback => "chargeback",
            PaymentStatus::Unknown => "unknown",
        }
    }
}

/// Whether money moved for real (contract 1 of issue 9): `live`, `test`, or `None` on the payment
/// when the provider's API does not report it (NeroPay §N4 and Noxipay §X2 have no such field).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Live,
    Test,
}

impl Mode {
    pub fn as_str(&self) -> &'static str {
        match self {
            Mode::Live => "live",
            Mode::Test => "test",
        }
    }

    /// Payrexx's `mode` field, `TEST` or `LIVE` (providers.md §P3, §P4); anything else is not a
    /// mode we can vouch for, so it is `None`, never a guess.
    pub fn from_payrexx(s: &str) -> Option<Mode> {
        if s.eq_ignore_ascii_case("LIVE") {
            Some(Mode::Live)
        } else if s.eq_ignore_ascii_case("TEST") {
            Some(Mode::Test)
        } else {
            None
        }
    }
}

/// How an event's facts were established.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verified {
    /// Nothing: the body is untrusted input (providers without a documented signature).
    None,
    /// A MAC over the raw body matched a configured secret.
    Signature,
    /// Status, amount and currency were re-read through the authenticated API.
    Api,
}

impl Verified {
    pub fn as_str(&self) -> &'static str {
        match self {
            Verified::None => "none",
            Verified::Signature => "signature",
            Verified::Api => "api",
        }
    }
}

/// A normalized webhook event.
#[derive(Debug, Clone, PartialEq)]
pub struct Event {
    pub id: String,
    pub event_type: String,
    pub status: PaymentStatus,
    pub payment_id: Option<String>,
    pub reference: Option<String>,
    pub money: Option<Money>,
    /// Live or test money, where the provider reports it (contract 1).
    pub mode: Option<Mode>,
    pub provider: &'static str,
    pub verified: Verified,
    pub raw: Value,
}

/// Request headers with case-insensitive lookup. Accepts both `X-NeroPay-Signature` and PHP's
/// `$_SERVER` form `HTTP_X_NEROPAY_SIGNATURE`.
#[derive(Debug, Clone, Default)]
pub struct Headers(Vec<(String, String)>);

impl Headers {
    pub fn new() -> Headers {
        Headers(Vec::new())
    }

    pub fn push(&mut self, name: &str, value: impl Into<String>) -> Result<()> {
        if self.0.len() >= MAX_HEADERS {
            return Err(Error::payload("too many headers"));
        }
        self.0.push((normalize(name), value.into()));
        Ok(())
    }

    pub fn from_pairs<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> Result<Headers> {
        let mut h = Headers::new();
        for (k, v) in pairs {
            h.push(k, v)?;
        }
        Ok(h)
    }

    /// `name` is compared as `normalize` would write it, without allocating (a hot path).
    pub fn get(&self, name: &str) -> Option<&str> {
        let want = name.trim();
        let want = match (want.get(..5), want.get(5..)) {
            (Some(p), Some(rest))
                if p.eq_ignore_ascii_case("http_") || p.eq_ignore_ascii_case("http-") =>
            {
                rest
            }
            _ => want,
        };
        let same = |k: &str| {
            k.len() == want.len()
                && k.bytes().zip(want.bytes()).all(|(a, b)| {
                    a == if b == b'_' {
                        b'-'
                    } else {
                        b.to_ascii_lowercase()
                    }
                })
        };
        self.0
            .iter()
            .find(|(k, _)| same(k))
            .map(|(_, v)| v.as_str())
    }
}

fn normalize(name: &str) -> String {
    let lower = name.trim().to_ascii_lowercase().replace('_', "-");
    match lower.strip_prefix("http-") {
        Some(rest) => rest.to_string(),
        None => lower,
    }
}

/// Where a provider puts its signature and what it signs.
#[derive(Debug, Clone, Copy)]
pub struct Scheme {
    pub signature_header: &'static str,
    /// e.g. `sha256=` for Noxipay; stripped before decoding, required when set.
    pub prefix: Option<&'static str>,
    pub encoding: Encoding,
    /// When set, the signed message is `timestamp + "." + body` (NeroPay §N5).
    pub timestamp_header: Option<&'static str>,
}

/// Checks a webhook's signature and timestamp. Returns the verified timestamp, if the scheme
/// has one. `now` is injected so tests are deterministic.
pub fn verify(
    scheme: &Scheme,
    secrets: &[Secret],
    headers: &Headers,
    body: &[u8],
    now: i64,
    tolerance_seconds: i64,
) -> Result<Option<i64>> {
    if secrets.is_empty() {
        return Err(Error::config(
            "webhook_secret is required to verify this webhook",
        ));
    }
    let sig = headers
        .get(scheme.signature_header)
        .ok_or_else(|| Error::MissingHeader(scheme.signature_header.into()))?;
    let ts_text = match scheme.timestamp_header {
        Some(h) => Some(
            headers
                .get(h)
                .ok_or_else(|| Error::MissingHeader(h.into()))?,
        ),
        None => None,
    };
    let sig = match scheme.prefix {
        Some(p) => sig
            .trim()
            .strip_prefix(p)
            .ok_or_else(|| Error::MalformedSignature(format!("expected the {p} prefix")))?,
        None => sig,
    };
    let candidate = signing::decode(sig, scheme.encoding)?;
    let timestamp = match ts_text {
        Some(t) => Some(t.trim().parse::<i64>().map_err(|_| {
            Error::MalformedSignature("timestamp is not an integer of seconds".into())
        })?),
        None => None,
    };
    let ok = match ts_text {
        Some(t) => signing::verify_any(secrets, &[t.trim().as_bytes(), b".", body], &candidate),
        None => signing::verify_any(secrets, &[body], &candidate),
    };
    if !ok {
        return Err(Error::SignatureMismatch);
    }
    if let Some(ts) = timestamp {
        check_age(ts, now, tolerance_seconds)?;
    }
    Ok(timestamp)
}

/// For providers whose signature is optional (providers.md §N5, §P4): none configured → the body is
/// unverified input; configured → it must verify, exactly as with `verify`.
pub fn verify_if_configured(
    scheme: &Scheme,
    secrets: &[Secret],
    headers: &Headers,
    body: &[u8],
    now: i64,
    tolerance_seconds: i64,
) -> Result<Verified> {
    if secrets.is_empty() {
        return Ok(Verified::None);
    }
    verify(scheme, secrets, headers, body, now, tolerance_seconds)?;
    Ok(Verified::Signature)
}

/// Tolerance applies both ways: too old is a replay, too new is a skewed or forged clock.
pub fn check_age(ts: i64, now: i64, tolerance_seconds: i64) -> Result<()> {
    let age = now.saturating_sub(ts);
    if age > tolerance_seconds {
        return Err(Error::TimestampOutOfTolerance {
            too_old: true,
            skew_seconds: age - tolerance_seconds,
        });
    }
    if -age > tolerance_seconds {
        return Err(Error::TimestampOutOfTolerance {
            too_old: false,
            skew_seconds: -age - tolerance_seconds,
        });
    }
    Ok(())
}

pub fn check_body_size(body: &[u8]) -> Result<()> {
    if body.len() > MAX_BODY_BYTES {
        return Err(Error::payload("body larger than 1 MiB"));
    }
    Ok(())
}

/// Parses a JSON object body; anything else is `invalid_payload`.
pub fn parse_json_object(body: &[u8]) -> Result<Value> {
    if body.is_empty() {
        return Err(Error::payload("empty body"));
    }
    let v: Value =
        serde_json::from_slice(body).map_err(|_| Error::payload("body is not valid JSON"))?;
    if !v.is_object() {
        return Err(Error::payload("body is not a JSON object"));
    }
    Ok(v)
}

/// Seconds since the Unix epoch from the system clock (the default clock).
pub fn system_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SCHEME: Scheme = Scheme {
        signature_header: "X-Test-Signature",
        prefix: None,
        encoding: Encoding::Hex,
        timestamp_header: Some("X-Test-Timestamp"),
    };

    fn signed(ts: &str, body: &[u8], key: &[u8]) -> Headers {
        let sig = signing::sign(key, &[ts.as_bytes(), b".", body], Encoding::Hex);
        Headers::from_pairs([
            ("HTTP_X_TEST_SIGNATURE", sig.as_str()),
            ("x-test-timestamp", ts),
        ])
        .unwrap()
    }

    #[test]
    fn accepts_a_fresh_correctly_signed_body_with_server_style_headers() {
        let h = signed("1000", b"{}", b"k");
        assert_eq!(
            verify(&SCHEME, &[Secret::new("k")], &h, b"{}", 1010, 300).unwrap(),
            Some(1000)
        );
    }

    #[test]
    fn rejects_timestamp_older_or_newer_than_tolerance() {
        let h = signed("1000", b"{}", b"k");
        let old = verify(&SCHEME, &[Secret::new("k")], &h, b"{}", 1301, 300).unwrap_err();
        assert_eq!(old.code(), "timestamp_out_of_tolerance");
        assert!(old.to_string().contains("too old"));
        let new = verify(&SCHEME, &[Secret::new("k")], &h, b"{}", 699, 300).unwrap_err();
        assert!(new.to_string().contains("too new"));
    }

    #[test]
    fn checks_the_mac_before_the_timestamp_so_forgeries_never_learn_about_clocks() {
        let h = signed("1000", b"{}", b"other");
        let e = verify(&SCHEME, &[Secret::new("k")], &h, b"{}", 99_999, 300).unwrap_err();
        assert_eq!(e.code(), "signature_mismatch");
    }

    #[test]
    fn names_the_missing_header_and_refuses_without_a_secret() {
        let h = Headers::from_pairs([("X-Test-Timestamp", "1")]).unwrap();
        let e = verify(&SCHEME, &[Secret::new("k")], &h, b"", 1, 300).unwrap_err();
        assert_eq!(e.code(), "missing_header");
        assert_eq!(
            verify(&SCHEME, &[], &h, b"", 1, 300).unwrap_err().code(),
            "config"
        );
    }

    #[test]
    fn a_re_encoded_body_is_a_mismatch_not_a_parse_error() {
        let h = signed("1000", br#"{"a":1}"#, b"k");
        let e = verify(&SCHEME, &[Secret::new("k")], &h, br#"{"a": 1}"#, 1000, 300).unwrap_err();
        assert_eq!(e.code(), "signature_mismatch");
    }
}
