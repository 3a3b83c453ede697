//! The verify-then-parse engine every provider's webhook goes through (style.md rule 3,
//! providers.md §0 "Verification order"): required headers → signature decodes → MAC over the
//! exact raw bytes matches any secret (constant time) → timestamp within tolerance. Only then may a
//! provider parse the body.

use crate::error::{Error, Result};
use crate::signing::{self, Encoding, Secret};
use serde_json::Value;

pub use crate::event::{Event, Mode, PaymentStatus, Verified};

/// Bodies above this are refused before any work (a webhook is a few KB).
pub const MAX_BODY_BYTES: usize = 1024 * 1024;
/// More headers than this is not a provider talking.
pub const MAX_HEADERS: usize = 256;

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

/// A provider's webhook verifier, built once from config (Svix / Standard Webhooks shape): where
/// the signature lives (`scheme`), the secrets accepted (several during a rotation) and how far a
/// signed timestamp may be from now (`None`: the scheme signs no timestamp and the caller checks
/// none). `now` is passed in, so tests and replays are deterministic.
#[derive(Debug, Clone)]
pub struct Verifier {
    pub scheme: Scheme,
    pub secrets: Vec<Secret>,
    pub tolerance: Option<i64>,
}

impl Verifier {
    pub fn has_secrets(&self) -> bool {
        !self.secrets.is_empty()
    }

    /// Checks a webhook's signature, then its timestamp. Returns the verified timestamp, if the
    /// scheme has one. A missing secret is an error, never a default (style.md rule 3).
    pub fn verify_at(&self, headers: &Headers, body: &[u8], now: i64) -> Result<Option<i64>> {
        let scheme = &self.scheme;
        if self.secrets.is_empty() {
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
            Some(t) => signing::verify_any(
                &self.secrets,
                &[t.trim().as_bytes(), b".", body],
                &candidate,
            ),
            None => signing::verify_any(&self.secrets, &[body], &candidate),
        };
        if !ok {
            return Err(Error::SignatureMismatch);
        }
        if let Some(ts) = timestamp {
            self.check_age(ts, now)?;
        }
        Ok(timestamp)
    }

    /// For providers whose signature is optional (providers.md §N5, §P4): none configured → the
    /// body is unverified input; configured → it must verify, exactly as with `verify_at`.
    pub fn verify_if_configured_at(
        &self,
        headers: &Headers,
        body: &[u8],
        now: i64,
    ) -> Result<Verified> {
        if self.secrets.is_empty() {
            return Ok(Verified::None);
        }
        self.verify_at(headers, body, now)?;
        Ok(Verified::Signature)
    }

    /// Tolerance applies both ways: too old is a replay, too new is a skewed or forged clock.
    /// Also used for a timestamp inside a verified body (Noxipay's `created`, §X3).
    pub fn check_age(&self, ts: i64, now: i64) -> Result<()> {
        let Some(tolerance) = self.tolerance else {
            return Ok(());
        };
        let age = now.saturating_sub(ts);
        if age > tolerance {
            return Err(Error::TimestampOutOfTolerance {
                too_old: true,
                skew_seconds: age - tolerance,
            });
        }
        if -age > tolerance {
            return Err(Error::TimestampOutOfTolerance {
                too_old: false,
                skew_seconds: -age - tolerance,
            });
        }
        Ok(())
    }
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

    fn verifier(secrets: &[&str]) -> Verifier {
        Verifier {
            scheme: SCHEME,
            secrets: secrets.iter().map(|s| Secret::new(*s)).collect(),
            tolerance: Some(300),
        }
    }

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
            verifier(&["k"]).verify_at(&h, b"{}", 1010).unwrap(),
            Some(1000)
        );
    }

    #[test]
    fn rejects_timestamp_older_or_newer_than_tolerance() {
        let h = signed("1000", b"{}", b"k");
        let old = verifier(&["k"]).verify_at(&h, b"{}", 1301).unwrap_err();
        assert_eq!(old.code(), "timestamp_out_of_tolerance");
        assert!(old.to_string().contains("too old"));
        let new = verifier(&["k"]).verify_at(&h, b"{}", 699).unwrap_err();
        assert!(new.to_string().contains("too new"));
    }

    #[test]
    fn checks_the_mac_before_the_timestamp_so_forgeries_never_learn_about_clocks() {
        let h = signed("1000", b"{}", b"other");
        let e = verifier(&["k"]).verify_at(&h, b"{}", 99_999).unwrap_err();
        assert_eq!(e.code(), "signature_mismatch");
    }

    #[test]
    fn names_the_missing_header_and_refuses_without_a_secret() {
        let h = Headers::from_pairs([("X-Test-Timestamp", "1")]).unwrap();
        let e = verifier(&["k"]).verify_at(&h, b"", 1).unwrap_err();
        assert_eq!(e.code(), "missing_header");
        assert_eq!(
            verifier(&[]).verify_at(&h, b"", 1).unwrap_err().code(),
            "config"
        );
    }

    #[test]
    fn a_re_encoded_body_is_a_mismatch_not_a_parse_error() {
        let h = signed("1000", br#"{"a":1}"#, b"k");
        let e = verifier(&["k"])
            .verify_at(&h, br#"{"a": 1}"#, 1000)
            .unwrap_err();
        assert_eq!(e.code(), "signature_mismatch");
    }
}
