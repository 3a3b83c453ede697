//! HMAC-SHA256 helpers shared by every provider. Candidates are decoded to bytes first and
//! compared with `Mac::verify_slice`, which is constant time; no MAC is ever compared with `==`.

use crate::error::{Error, Result};
use base64::Engine as _;
use hmac::{Hmac, Mac};
use sha2::Sha256;
use std::fmt;

type HmacSha256 = Hmac<Sha256>;

/// Key material. `Debug` never prints it, so a secret cannot leak through `{:?}` in a log line,
/// a panic message or a test failure. The keyed HMAC state is computed once, here: verifying then
/// costs a clone of it instead of hashing the key pads again on every call.
#[derive(Clone)]
pub struct Secret {
    bytes: Vec<u8>,
    keyed: HmacSha256,
}

impl Secret {
    pub fn new(bytes: impl Into<Vec<u8>>) -> Secret {
        let bytes = bytes.into();
        let keyed = mac(&bytes);
        Secret { bytes, keyed }
    }
    pub fn expose(&self) -> &[u8] {
        &self.bytes
    }
}

impl PartialEq for Secret {
    fn eq(&self, other: &Self) -> bool {
        self.bytes == other.bytes
    }
}

impl Eq for Secret {}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(<redacted>)")
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    Hex,
    Base64,
}

fn mac(key: &[u8]) -> HmacSha256 {
    // HMAC accepts keys of any length, so this cannot fail.
    <HmacSha256 as Mac>::new_from_slice(key).unwrap_or_else(|_| unreachable!())
}

/// HMAC-SHA256 over the concatenation of `parts` (avoids copying a large body to prepend a
/// timestamp).
pub fn hmac_sha256(key: &[u8], parts: &[&[u8]]) -> [u8; 32] {
    let mut m = mac(key);
    for p in parts {
        m.update(p);
    }
    m.finalize().into_bytes().into()
}

pub fn sign(key: &[u8], parts: &[&[u8]], encoding: Encoding) -> String {
    let raw = hmac_sha256(key, parts);
    match encoding {
        Encoding::Hex => hex::encode(raw),
        Encoding::Base64 => base64::engine::general_purpose::STANDARD.encode(raw),
    }
}

/// Decodes a candidate signature. Hex is accepted in either case; anything that does not decode
/// to exactly 32 bytes is `malformed_signature` (a different fault from a wrong secret).
pub fn decode(candidate: &str, encoding: Encoding) -> Result<Vec<u8>> {
    let bytes = match encoding {
        Encoding::Hex => {
            let c = candidate.trim();
            if c.len() != 64 {
                return Err(Error::MalformedSignature(
                    if c.bytes().all(|b| b.is_ascii_hexdigit()) {
                        "not a SHA-256 MAC (wrong length)"
                    } else {
                        "not hexadecimal"
                    }
                    .into(),
                ));
            }
            let mut out = [0u8; 32];
            hex::decode_to_slice(c, &mut out)
                .map_err(|_| Error::MalformedSignature("not hexadecimal".into()))?;
            return Ok(out.to_vec());
        }
        Encoding::Base64 => base64::engine::general_purpose::STANDARD
            .decode(candidate.trim())
            .map_err(|_| Error::MalformedSignature("not base64".into()))?,
    };
    if bytes.len() != 32 {
        return Err(Error::MalformedSignature(
            "not a SHA-256 MAC (wrong length)".into(),
        ));
    }
    Ok(bytes)
}

/// True when `candidate` is the MAC of `parts` under any of `secrets`. Every secret is tried so
/// the time taken does not depend on which one matched.
pub fn verify_any(secrets: &[Secret], parts: &[&[u8]], candidate: &[u8]) -> bool {
    let mut ok = false;
    for s in secrets {
        let mut m = s.keyed.clone();
        for p in parts {
            m.update(p);
        }
        ok |= m.verify_slice(candidate).is_ok();
    }
    ok
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_rfc_4231_test_case_2() {
        let got = sign(
            b"Jefe",
            &[b"what do ya want ", b"for nothing?"],
            Encoding::Hex,
        );
        assert_eq!(
            got,
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }

    #[test]
    fn verifies_with_any_secret_of_a_rotation_list() {
        let secrets = [Secret::new("old"), Secret::new("new")];
        let sig = hmac_sha256(b"new", &[b"body"]);
        assert!(verify_any(&secrets, &[b"body"], &sig));
        assert!(!verify_any(&secrets, &[b"body!"], &sig));
        assert!(!verify_any(&[], &[b"body"], &sig));
    }

    #[test]
    fn tells_malformed_signatures_from_wrong_ones() {
        assert_eq!(
            decode("zz", Encoding::Hex).unwrap_err().code(),
            "malformed_signature"
        );
        assert_eq!(
            decode("abcd", Encoding::Hex).unwrap_err().code(),
            "malformed_signature"
        );
        assert_eq!(
            decode("***", Encoding::Base64).unwrap_err().code(),
            "malformed_signature"
        );
        let good = sign(b"k", &[b"m"], Encoding::Hex).to_uppercase();
        assert_eq!(decode(&good, Encoding::Hex).unwrap().len(), 32);
    }

    #[test]
    fn debug_of_a_secret_prints_no_key_material() {
        assert_eq!(
            format!("{:?}", Secret::new("sk_live_abc")),
            "Secret(<redacted>)"
        );
    }
}
