//! Small helpers every provider folder uses, so no provider carries its own copy.

use crate::error::{Error, Kind, Result};
use crate::http::Response;
use crate::money::{Currency, Money};
use crate::providers::{id_string, Hint};
use crate::refund::{RefundEntry, RefundStatus};
use crate::signing::Secret;
use crate::webhook::Event;
use serde::Deserialize;
use serde_json::Value;

pub fn invalid_response(status: u16, message: &str) -> Error {
    Error::InvalidResponse {
        http_status: status,
        message: message.into(),
    }
}

/// A decimal amount written as a JSON string or number (kept exact by `arbitrary_precision`).
pub fn amount_text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// An integer of minor units, as a JSON integer or a string of digits (form bodies).
pub fn minor_units(v: &Value) -> Option<i64> {
    match v {
        Value::Number(n) => n.as_i64(),
        Value::String(s) if !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) => {
            s.parse().ok()
        }
        _ => None,
    }
}

/// Money read from a provider's authenticated answer: a malformed one is the provider's fault.
pub fn api_decimal(amount: &Value, currency: &str) -> Result<Money> {
    let c = Currency::from_code(currency)
        .map_err(|_| invalid_response(200, "unknown currency in provider answer"))?;
    let text =
        amount_text(amount).ok_or_else(|| invalid_response(200, "amount is not a decimal"))?;
    Money::parse_provider(&text, c).map_err(|_| invalid_response(200, "amount is not a decimal"))
}

pub fn api_minor(amount: &Value, currency: &str) -> Result<Money> {
    let c = Currency::from_code(currency)
        .map_err(|_| invalid_response(200, "unknown currency in provider answer"))?;
    let minor = minor_units(amount)
        .ok_or_else(|| invalid_response(200, "amount is not an integer of minor units"))?;
    Ok(Money::from_minor(minor, c))
}

/// Money read from an untrusted webhook body: errors are the sender's payload problem.
pub fn body_decimal(amount: &Value, currency: &str) -> Result<Money> {
    let c = Currency::from_code(currency)?;
    let text = amount_text(amount).ok_or_else(|| Error::amount("not a decimal"))?;
    Money::parse_provider(&text, c)
}

pub fn body_minor(amount: &Value, currency: &str) -> Result<Money> {
    let c = Currency::from_code(currency)?;
    let minor =
        minor_units(amount).ok_or_else(|| Error::amount("not an integer of minor units"))?;
    Ok(Money::from_minor(minor, c))
}

/// One refund as a provider's answer lists it. Its id and amount are required: a refund that
/// cannot be named or counted would make what is still refundable a guess. `money` reads the
/// amount in the provider's unit (NeroPay a decimal, Payrexx minor units).
pub fn listed_refund(
    id: &Value,
    amount: Option<&Value>,
    status: RefundStatus,
    money: impl FnOnce(&Value) -> Result<Money>,
) -> Result<RefundEntry> {
    let amount = amount.ok_or_else(|| invalid_response(200, "refund without amount"))?;
    Ok(RefundEntry {
        id: id_string(id).ok_or_else(|| invalid_response(200, "refund without id"))?,
        status,
        money: money(amount)?,
    })
}

/// A read whose 404 means "there is nothing there" (a transaction the link or gateway names but
/// the API cannot find): `None`, so the caller reports the payment as not paid (README "Trust").
/// Every other error stands: a timeout or 5xx is a reason to retry, not a state.
pub fn absent_if_not_found<T>(read: Result<T>) -> Result<Option<T>> {
    match read {
        Ok(v) => Ok(Some(v)),
        Err(Error::ProviderRejected {
            http_status: 404, ..
        }) => Ok(None),
        Err(e) => Err(e),
    }
}

/// The error for a non-2xx answer, with the provider's own code and message when it sent them.
pub fn rejected(
    status: u16,
    code: Option<String>,
    message: Option<String>,
    request_id: Option<String>,
) -> Error {
    Error::ProviderRejected {
        http_status: status,
        provider_code: code,
        message: message
            .map(|m| m.chars().take(200).collect())
            .unwrap_or_else(|| format!("HTTP {status}")),
        request_id,
    }
}

/// The error object NeroPay (§N2, inside its envelope) and Noxipay (§X2 [ours], under `error`)
/// answer with.
#[derive(Debug, Default, Deserialize)]
pub struct ErrorBody {
    #[serde(default)]
    pub code: Option<String>,
    #[serde(default)]
    pub message: Option<String>,
}

/// `provider_rejected` for a non-2xx answer, with its error object's code and message if any.
pub fn rejected_with(resp: Response, body: Option<ErrorBody>) -> Error {
    let body = body.unwrap_or_default();
    rejected(resp.status, body.code, body.message, resp.request_id)
}

/// The headers every NeroPay (§N1) and Noxipay (§X2 [ours]) call starts with: bearer auth with
/// the secret key, and JSON answers.
pub fn bearer_headers(secret_key: &Secret) -> Vec<(String, String)> {
    vec![
        (
            "Authorization".into(),
            format!("Bearer {}", String::from_utf8_lossy(secret_key.expose())),
        ),
        ("Accept".into(), "application/json".into()),
    ]
}

/// providers.md §0 "Trust": without a configured webhook signature the body is untrusted input, a
/// wake-up call. When the caller's hint already names the payment, a body that does not parse (or
/// carries a bad amount or currency) still leads to the authoritative re-read instead of an error.
/// Signature failures always stand.
pub fn parsed_or_wake_up(
    parsed: Result<Event>,
    hint: &Hint,
    signed: bool,
) -> Result<Option<Event>> {
    match parsed {
        Ok(e) => Ok(Some(e)),
        Err(e) if e.kind() == Kind::InvalidPayload && hint.payment_id.is_some() && !signed => {
            Ok(None)
        }
        Err(e) => Err(e),
    }
}

/// A wire status or event type as its typed enum (async-stripe's way). Every such enum has a
/// `#[serde(other)]` `Unknown` arm (its `Default`), so a string the provider never documented is
/// `Unknown`, which every status map sends to `PaymentStatus::Unknown`: never paid.
pub fn wire_enum<T: serde::de::DeserializeOwned + Default>(s: &str) -> T {
    use serde::de::value::{Error as ValueError, StrDeserializer};
    T::deserialize(StrDeserializer::<ValueError>::new(s)).unwrap_or_default()
}
