//! providers.md §0: 32 lowercase hex chars from 16 CSPRNG bytes, made once per logical operation.

use rand::RngCore;

pub fn new_idempotency_key() -> String {
    let mut bytes = [0u8; 16];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    hex::encode(bytes)
}

/// The idempotency key one write is sent with, and whether the caller chose it. Retries inside
/// the call reuse it either way. After the request may have reached the provider, only the
/// caller's own key makes repeating the whole call safe: a new call without one gets a new key,
/// which the provider takes for a new payment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OperationKey {
    value: String,
    from_caller: bool,
}

impl OperationKey {
    /// The caller's key as given, else a fresh one made for this call (providers.md §0).
    pub fn new(caller: Option<&str>) -> OperationKey {
        match caller {
            Some(key) => OperationKey {
                value: key.to_string(),
                from_caller: true,
            },
            None => OperationKey {
                value: new_idempotency_key(),
                from_caller: false,
            },
        }
    }

    pub fn as_str(&self) -> &str {
        &self.value
    }

    pub fn from_caller(&self) -> bool {
        self.from_caller
    }
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
    fn an_operation_key_is_the_callers_as_given_or_a_fresh_one_of_its_own() {
        let given = OperationKey::new(Some("order-1001-attempt-2"));
        assert_eq!(given.as_str(), "order-1001-attempt-2");
        assert!(given.from_caller());
        let own = OperationKey::new(None);
        assert_eq!(own.as_str().len(), 32);
        assert!(!own.from_caller());
        assert_ne!(own, OperationKey::new(None));
    }

    #[test]
    fn refuses_keys_that_cannot_be_a_header_value() {
        assert!(is_valid_key("order-1001-attempt-2"));
        assert!(!is_valid_key(""));
        assert!(!is_valid_key("a b"));
        assert!(!is_valid_key("line\nbreak"));
    }
}
