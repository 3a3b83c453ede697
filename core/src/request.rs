//! The business rules of a payment request (architecture.md "The PHP surface"): which keys a
//! caller may pass, how long a reference may be, what an idempotency key may look like and what
//! the description defaults to. The binding only converts PHP values into a `RequestInput`; every
//! decision is made here, in one order, so each binding reports the same first error.

use crate::error::{Error, Result};
use crate::http::idempotency::is_valid_key;
use crate::money::{Currency, Money};

/// A hosted payment to create, already validated (money parsed, URLs present).
#[derive(Debug, Clone, PartialEq)]
pub struct PaymentRequest {
    pub money: Money,
    pub reference: String,
    pub description: String,
    pub success_url: String,
    pub cancel_url: String,
    pub notify_url: Option<String>,
    pub metadata: Vec<(String, String)>,
    pub customer_name: Option<String>,
    pub customer_email: Option<String>,
    /// The caller's key, used as given where the provider supports keys (providers.md §0);
    /// absent = the provider makes one per logical operation and reuses it on retries.
    pub idempotency_key: Option<String>,
}

/// The request keys a caller may pass; any other key is refused, never ignored.
pub const REQUEST_KEYS: &[&str] = &[
    "amount",
    "currency",
    "reference",
    "description",
    "success_url",
    "cancel_url",
    "notify_url",
    "metadata",
    "customer",
    "idempotency_key",
];

/// A reference longer than this is refused (Perfex invoice references are far shorter).
pub const MAX_REFERENCE_BYTES: usize = 200;

/// An amount as the caller's language handed it over.
#[derive(Debug, Clone, PartialEq)]
pub enum AmountInput {
    /// An integer: minor units.
    Minor(i64),
    /// A decimal string in major units, "12.50".
    Decimal(String),
    /// A float: refused, money is never a float (style.md).
    Float,
    /// Anything else.
    Other,
}

/// A text field as converted by a binding: absent (`Ok(None)`), a string, or the binding's
/// conversion error (not a string, not UTF-8), which the core reports in its turn so the first
/// error a caller sees does not depend on the binding.
pub type TextInput = Result<Option<String>>;

/// The caller's request, converted but not yet judged. `keys` lists every top-level key (`None`
/// for a key that is not a UTF-8 string).
#[derive(Debug)]
pub struct RequestInput {
    pub keys: Vec<Option<String>>,
    pub amount: Option<AmountInput>,
    pub currency: TextInput,
    pub reference: TextInput,
    pub description: TextInput,
    pub success_url: TextInput,
    pub cancel_url: TextInput,
    pub notify_url: TextInput,
    pub metadata: Result<Vec<(String, String)>>,
    /// (name, email)
    pub customer: Result<(TextInput, TextInput)>,
    pub idempotency_key: TextInput,
}

impl Default for RequestInput {
    fn default() -> Self {
        RequestInput {
            keys: Vec::new(),
            amount: None,
            currency: Ok(None),
            reference: Ok(None),
            description: Ok(None),
            success_url: Ok(None),
            cancel_url: Ok(None),
            notify_url: Ok(None),
            metadata: Ok(Vec::new()),
            customer: Ok((Ok(None), Ok(None))),
            idempotency_key: Ok(None),
        }
    }
}

fn required(v: TextInput, key: &str) -> Result<String> {
    v?.filter(|s| !s.trim().is_empty())
        .ok_or_else(|| Error::request(format!("{key} is required")))
}

fn optional(v: TextInput) -> Result<Option<String>> {
    Ok(v?.filter(|s| !s.is_empty()))
}

fn amount(a: AmountInput, currency: Currency) -> Result<Money> {
    match a {
        AmountInput::Minor(minor) => Money::payment_from_minor(minor, currency),
        AmountInput::Decimal(s) => Money::parse_payment(&s, currency),
        AmountInput::Float | AmountInput::Other => Err(unusable_amount(&a)),
    }
}

/// The error for an amount in a form no operation accepts: a float (money is never a float,
/// style.md) or anything that is neither an int nor a string. Shared with refunds so both
/// operations refuse alike.
pub(crate) fn unusable_amount(a: &AmountInput) -> Error {
    match a {
        AmountInput::Float => Error::amount(
            "a float is refused: pass a decimal string like \"12.50\" or an int of minor units",
        ),
        _ => Error::amount("must be a decimal string or an int of minor units"),
    }
}

/// Refuses any key not in `allowed` (a misspelt key must not be silently ignored), before any
/// value is judged. Shared by payment and refund requests.
pub(crate) fn check_keys(keys: &[Option<String>], allowed: &[&str]) -> Result<()> {
    for k in keys {
        match k {
            Some(n) if allowed.contains(&n.as_str()) => {}
            Some(n) => {
                let shown: String = n.chars().take(40).collect();
                return Err(Error::request(format!("unknown key '{shown}'")));
            }
            None => return Err(Error::request("request keys must be strings")),
        }
    }
    Ok(())
}

/// An optional caller's idempotency key, in the one format every operation accepts (an empty
/// string counts as none).
pub(crate) fn idempotency_key(v: TextInput) -> Result<Option<String>> {
    let key = optional(v)?;
    if let Some(k) = &key {
        if !is_valid_key(k) {
            return Err(Error::request(
                "idempotency_key must be 1 to 255 printable ASCII characters",
            ));
        }
    }
    Ok(key)
}

impl PaymentRequest {
    /// Validates a caller's request: unknown keys, then currency, amount, reference, metadata,
    /// customer, idempotency key, description (default: the reference) and the URLs.
    pub fn new(input: RequestInput) -> Result<PaymentRequest> {
        check_keys(&input.keys, REQUEST_KEYS)?;
        let currency = Currency::from_code(&required(input.currency, "currency")?)?;
        let money = amount(
            input
                .amount
                .ok_or_else(|| Error::request("amount is required"))?,
            currency,
        )?;
        let reference = required(input.reference, "reference")?;
        if reference.len() > MAX_REFERENCE_BYTES {
            return Err(Error::request(format!(
                "reference is longer than {MAX_REFERENCE_BYTES} bytes"
            )));
        }
        let metadata = input.metadata?;
        let (name, email) = input.customer?;
        let (customer_name, customer_email) = (optional(name)?, optional(email)?);
        let idempotency_key = idempotency_key(input.idempotency_key)?;
        Ok(PaymentRequest {
            money,
            description: optional(input.description)?.unwrap_or_else(|| reference.clone()),
            reference,
            success_url: required(input.success_url, "success_url")?,
            cancel_url: required(input.cancel_url, "cancel_url")?,
            notify_url: optional(input.notify_url)?,
            metadata,
            customer_name,
            customer_email,
            idempotency_key,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn valid() -> RequestInput {
        RequestInput {
            keys: [
                "amount",
                "currency",
                "reference",
                "success_url",
                "cancel_url",
            ]
            .iter()
            .map(|k| Some(k.to_string()))
            .collect(),
            amount: Some(AmountInput::Decimal("12.50".into())),
            currency: Ok(Some("EUR".into())),
            reference: Ok(Some("INV-1".into())),
            success_url: Ok(Some("https://shop.example/ok".into())),
            cancel_url: Ok(Some("https://shop.example/cancel".into())),
            ..RequestInput::default()
        }
    }

    fn code(input: RequestInput) -> &'static str {
        PaymentRequest::new(input).unwrap_err().code()
    }

    #[test]
    fn description_defaults_to_the_reference() {
        let r = PaymentRequest::new(valid()).unwrap();
        assert_eq!(r.description, "INV-1");
        assert_eq!(r.money.minor(), 1250);
    }

    #[test]
    fn unknown_keys_are_refused_before_anything_else() {
        let mut i = valid();
        i.keys.push(Some("amount_minor".into()));
        i.amount = Some(AmountInput::Float);
        let e = PaymentRequest::new(i).unwrap_err();
        assert_eq!(e.code(), "invalid_request");
        assert!(e.to_string().contains("unknown key 'amount_minor'"));
    }

    #[test]
    fn a_float_amount_is_refused() {
        let mut i = valid();
        i.amount = Some(AmountInput::Float);
        assert_eq!(code(i), "invalid_amount");
    }

    #[test]
    fn a_reference_of_201_bytes_is_refused_and_200_accepted() {
        let mut i = valid();
        i.reference = Ok(Some("r".repeat(201)));
        assert_eq!(code(i), "invalid_request");
        let mut i = valid();
        i.reference = Ok(Some("r".repeat(200)));
        assert!(PaymentRequest::new(i).is_ok());
    }

    #[test]
    fn an_idempotency_key_with_a_space_is_refused() {
        let mut i = valid();
        i.idempotency_key = Ok(Some("a b".into()));
        assert_eq!(code(i), "invalid_request");
    }

    #[test]
    fn a_binding_conversion_error_is_reported_in_the_field_order() {
        // Currency comes before the URLs: a missing currency wins over a non-string URL.
        let mut i = valid();
        i.currency = Ok(None);
        i.success_url = Err(Error::request("success_url must be a string"));
        let e = PaymentRequest::new(i).unwrap_err();
        assert!(e.to_string().contains("currency is required"));
    }
}
