//! Small shared helpers: HMAC, clock formatting, random ids, decimal money parsing, URL codecs.
//! Everything here is the sandbox's own code, independent of the `paybridge` crate, so that the
//! sandbox can catch bugs in the client.

use hmac::{Hmac, Mac};
use rand::Rng;
use sha2::Sha256;
use std::time::{SystemTime, UNIX_EPOCH};

type HmacSha256 = Hmac<Sha256>;

fn mac(key: &[u8], msg: &[u8]) -> HmacSha256 {
    // HMAC takes keys of any length, so this cannot fail whatever the input.
    let mut m = HmacSha256::new_from_slice(key).expect("HMAC accepts any key length");
    m.update(msg);
    m
}

pub fn hmac_sha256(key: &[u8], msg: &[u8]) -> Vec<u8> {
    mac(key, msg).finalize().into_bytes().to_vec()
}

pub fn hmac_hex(key: &[u8], msg: &[u8]) -> String {
    hex::encode(hmac_sha256(key, msg))
}

/// Constant-time check of a lowercase-hex HMAC-SHA256. Uppercase hex is refused: the contracts
/// say lowercase (providers.md §N1, §X1, §P4), and a client sending uppercase has a bug.
pub fn verify_hex_lower(key: &[u8], msg: &[u8], candidate: &str) -> bool {
    if candidate.len() != 64
        || !candidate
            .bytes()
            .all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
    {
        return false;
    }
    match hex::decode(candidate) {
        Ok(bytes) => mac(key, msg).verify_slice(&bytes).is_ok(),
        Err(_) => false,
    }
}

/// Constant-time check of a standard-base64 HMAC-SHA256 (Payrexx ApiSignature, providers.md §P1).
pub fn verify_base64(key: &[u8], msg: &[u8], candidate: &str) -> bool {
    use base64::Engine;
    match base64::engine::general_purpose::STANDARD.decode(candidate.trim()) {
        Ok(bytes) => mac(key, msg).verify_slice(&bytes).is_ok(),
        Err(_) => false,
    }
}

pub fn now_secs() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

pub fn now_millis() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

/// Days since 1970-01-01 → (year, month, day); Howard Hinnant's civil_from_days.
fn civil(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

/// `2026-04-22T02:37:11Z`
pub fn rfc3339(secs: i64) -> String {
    let (y, mo, d) = civil(secs.div_euclid(86_400));
    let s = secs.rem_euclid(86_400);
    format!(
        "{y:04}-{mo:02}-{d:02}T{:02}:{:02}:{:02}Z",
        s / 3600,
        (s / 60) % 60,
        s % 60
    )
}

/// `2026-04-22T02:37:11+00:00` — NeroPay's IPNs carry an explicit offset (providers.md §N5).
pub fn rfc3339_offset(secs: i64) -> String {
    let z = rfc3339(secs);
    format!("{}+00:00", &z[..z.len() - 1])
}

/// `2026-04-22T02:37:11.123Z`, for logs.
pub fn rfc3339_millis(ms: i64) -> String {
    let z = rfc3339(ms.div_euclid(1000));
    format!("{}.{:03}Z", &z[..z.len() - 1], ms.rem_euclid(1000))
}

/// Payrexx's `time` field: `2026-04-22 02:37:11`.
pub fn payrexx_time(secs: i64) -> String {
    rfc3339(secs)[..19].replace('T', " ")
}

pub fn random_hex(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    rand::thread_rng().fill(&mut buf[..]);
    hex::encode(buf)
}

pub fn random_alnum(len: usize) -> String {
    const CHARS: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    let mut rng = rand::thread_rng();
    (0..len)
        .map(|_| CHARS[rng.gen_range(0..CHARS.len())] as char)
        .collect()
}

/// Parses a plain decimal in major units into minor units with `exponent` fraction digits at most.
/// Refuses signs, exponents, whitespace, empty parts and i64 overflow (providers.md §0). Never f64.
pub fn parse_decimal(text: &str, exponent: u32) -> Result<i64, &'static str> {
    let (int_part, frac_part) = match text.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (text, None),
    };
    if int_part.is_empty() || !int_part.bytes().all(|b| b.is_ascii_digit()) {
        return Err("must be a plain decimal number like 12.50");
    }
    let frac = frac_part.unwrap_or("");
    if frac_part.is_some() && frac.is_empty() {
        return Err("must be a plain decimal number like 12.50");
    }
    if !frac.bytes().all(|b| b.is_ascii_digit()) {
        return Err("must be a plain decimal number like 12.50");
    }
    if frac.len() > exponent as usize {
        return Err("has more decimals than the currency allows");
    }
    let mut minor: i64 = 0;
    let padded = format!("{frac:0<width$}", width = exponent as usize);
    for b in int_part.bytes().chain(padded.bytes()) {
        minor = minor
            .checked_mul(10)
            .and_then(|v| v.checked_add(i64::from(b - b'0')))
            .ok_or("is too large")?;
    }
    Ok(minor)
}

/// Minor units → `"12.50"` with `exponent` decimals.
pub fn format_minor(minor: i64, exponent: u32) -> String {
    let sign = if minor < 0 { "-" } else { "" };
    let abs = minor.unsigned_abs();
    if exponent == 0 {
        return format!("{sign}{abs}");
    }
    let p = 10u64.pow(exponent);
    format!(
        "{sign}{}.{:0width$}",
        abs / p,
        abs % p,
        width = exponent as usize
    )
}

/// ISO 4217 minor-unit exponent; codes not listed here use 2.
pub fn currency_exponent(code: &str) -> u32 {
    match code {
        "BIF" | "CLP" | "DJF" | "GNF" | "ISK" | "JPY" | "KMF" | "KRW" | "PYG" | "RWF" | "UGX"
        | "UYI" | "VND" | "VUV" | "XAF" | "XOF" | "XPF" => 0,
        "BHD" | "IQD" | "JOD" | "KWD" | "LYD" | "OMR" | "TND" => 3,
        _ => 2,
    }
}

pub fn is_currency_code(s: &str) -> bool {
    s.len() == 3 && s.bytes().all(|b| b.is_ascii_uppercase())
}

/// An absolute http(s) URL with a host.
pub fn is_http_url(s: &str) -> bool {
    let rest = s
        .strip_prefix("http://")
        .or_else(|| s.strip_prefix("https://"));
    match rest {
        Some(r) => {
            let host = r.split(['/', '?', '#']).next().unwrap_or("");
            !host.is_empty() && !s.chars().any(|c| c.is_whitespace() || c.is_control())
        }
        None => false,
    }
}

/// Percent-decoding; `plus_space` turns `+` into a space (form encoding). Invalid escapes stay.
pub fn percent_decode(s: &str, plus_space: bool) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' if plus_space => out.push(b' '),
            b'%' if i + 2 < bytes.len() => {
                let hi = (bytes[i + 1] as char).to_digit(16);
                let lo = (bytes[i + 2] as char).to_digit(16);
                match (hi, lo) {
                    (Some(h), Some(l)) => {
                        out.push((h * 16 + l) as u8);
                        i += 2;
                    }
                    _ => out.push(b'%'),
                }
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// A request path's segments, percent-decoded (`+` stays `+`), for every router of the sandbox.
/// `keep_empty` keeps the empty segments of `a//b` (control and checkout routes match exact
/// shapes); the provider APIs drop them, as `Gateway/0/` and `Gateway/0` are the same call.
pub fn path_segments(path: &str, keep_empty: bool) -> Vec<String> {
    path.trim_matches('/')
        .split('/')
        .filter(|s| keep_empty || !s.is_empty())
        .map(|s| percent_decode(s, false))
        .collect()
}

/// PHP `urlencode` (RFC 1738 as `http_build_query` uses it): alnum and `-_.` kept, space → `+`,
/// everything else `%XX` uppercase (providers.md §P1).
pub fn php_urlencode(s: &str) -> String {
    let mut out = String::with_capacity(s.len() * 3);
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => out.push(b as char),
            b' ' => out.push('+'),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// `a=1&b=2` → pairs, form-decoded.
pub fn parse_query(q: &str) -> Vec<(String, String)> {
    q.split('&')
        .filter(|p| !p.is_empty())
        .map(|p| match p.split_once('=') {
            Some((k, v)) => (percent_decode(k, true), percent_decode(v, true)),
            None => (percent_decode(p, true), String::new()),
        })
        .collect()
}

pub fn query_get<'a>(pairs: &'a [(String, String)], key: &str) -> Option<&'a str> {
    pairs
        .iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.as_str())
}

pub fn html_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

/// First id of a numbering sequence: grows with wall-clock time (10 per millisecond since
/// 2023-11-14), so ids stay unique across sandbox restarts while the database of the app under
/// test keeps the ids it saw before (a real provider never reuses ids).
pub fn id_base(floor: u64) -> u64 {
    let ms = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or(0);
    floor.max(ms.saturating_sub(1_700_000_000_000) * 10)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_decimals_without_floats() {
        assert_eq!(parse_decimal("12.50", 2), Ok(1250));
        assert_eq!(parse_decimal("0.1", 2), Ok(10));
        assert_eq!(parse_decimal("7", 0), Ok(7));
        assert_eq!(parse_decimal("1.234", 3), Ok(1234));
        assert_eq!(parse_decimal("92233720368547758.07", 2), Ok(i64::MAX));
        assert!(parse_decimal("92233720368547758.08", 2).is_err());
        for bad in [
            "", ".5", "5.", "1e3", "-1", "+1", " 1", "1 ", "1.2.3", "1,5", "1.234",
        ] {
            assert!(parse_decimal(bad, 2).is_err(), "{bad:?} should be refused");
        }
    }

    #[test]
    fn formats_minor_units() {
        assert_eq!(format_minor(1250, 2), "12.50");
        assert_eq!(format_minor(5, 2), "0.05");
        assert_eq!(format_minor(1234, 3), "1.234");
        assert_eq!(format_minor(500, 0), "500");
    }

    #[test]
    fn formats_rfc3339() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339(1_776_825_431), "2026-04-22T02:37:11Z");
        assert_eq!(rfc3339(951_782_400), "2000-02-29T00:00:00Z");
        assert_eq!(rfc3339_offset(0), "1970-01-01T00:00:00+00:00");
        assert_eq!(payrexx_time(0), "1970-01-01 00:00:00");
    }

    #[test]
    fn urlencodes_like_php() {
        assert_eq!(php_urlencode("a b&c=d+e~ä"), "a+b%26c%3Dd%2Be%7E%C3%A4");
        assert_eq!(percent_decode("a+b%26%zz", true), "a b&%zz");
        assert_eq!(percent_decode("a+b", false), "a+b");
    }

    #[test]
    fn accepts_only_http_urls() {
        assert!(is_http_url("http://127.0.0.1:8080/x?y=1"));
        assert!(is_http_url("https://example.com"));
        assert!(!is_http_url("ftp://example.com"));
        assert!(!is_http_url("http://"));
        assert!(!is_http_url("http://a b"));
    }
}
