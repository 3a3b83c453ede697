//! providers.md §0: 32 lowercase hex chars from 16 CSPRNG bytes, made once per logical operation.

use rand::RngCore;

pub fn new_idempotency_key() -> String {
    let mut bytes = [0u8; 16];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    hex::encode(bytes)
}

/// A caller's own key is used as given, but it must be something a provider accepts as a header
/// value.
pub fn is_valid_key(key: &str) -> bool {
    !key.is_empty() && key.len() <= 255 && key.bytes().all(|b| b.is_ascii_graphic())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_32_lowercase_hex_chars_and_differ() {
        let a = new_idempotency_key();
        assert_eq!(a.len(), 32);
        assert!(a
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)));
        assert_ne!(a, new_idempotency_key());
    }

    #[test]
    fn refuses_keys_that_cannot_be_a_header_value() {
        assert!(is_valid_key("order-1001-attempt-2"));
        assert!(!is_valid_key(""));
        assert!(!is_valid_key("a b"));
        assert!(!is_valid_key("line\nbreak"));
    }
}
