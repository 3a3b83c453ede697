//! One trait every provider implements, and lookup by name. Each provider folder has the same
//! files in the same order (object_store's shape): `mod.rs` (config → one `send(method, path,
//! body, idempotency key)` doing auth, envelope unwrapping and redaction → `payment_from(wire)`),
//! `provider.rs` (the `Provider` impl and the `confirm::Confirm` hooks), `status.rs` (wire
//! statuses as typed enums → `PaymentStatus`), `wire.rs` (serde types); Payrexx adds
//! `webhook.rs` (JSON or PHP-form bodies) and `query.rs` (PHP's `http_build_query`).

pub mod common;
pub mod config;
pub mod confirm;
pub mod neropay;
pub mod noxipay;
pub mod payrexx;

use crate::error::{Error, Result};
use crate::money::Money;
use crate::refund::{Refund, RefundFacts, RefundOrder, RefundRequest};
use crate::webhook::{Event, Headers, Mode, PaymentStatus};
use serde_json::Value;

pub use crate::request::PaymentRequest;
pub use config::{Config, ConfigValue};

/// A normalized payment as the provider reports it.
#[derive(Debug, Clone, PartialEq)]
pub struct Payment {
    pub id: String,
    pub reference: String,
    pub status: PaymentStatus,
    pub checkout_url: Option<String>,
    pub money: Money,
    /// Live or test money as the provider's API reports it; `None` where it reports no mode.
    pub mode: Option<Mode>,
    pub provider: &'static str,
    pub raw: Value,
    /// Refunds and chargebacks as the provider's API lists them (README "Refunds").
    pub refunds: RefundFacts,
    /// What a refund is sent against where that is not the payment id: NeroPay's and Payrexx's
    /// transaction (providers.md §N4, §P5); `None` where the payment id is the target.
    pub transaction_id: Option<String>,
}

/// What the caller knows about the payment a webhook concerns (the module's per-payment token):
/// the provider's payment id, which every provider re-reads. (A reference would identify nothing
/// more: no provider can look a payment up by it, so there is no such field.)
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Hint {
    pub payment_id: Option<String>,
}

pub trait Provider: confirm::Confirm + Send + Sync {
    fn name(&self) -> &'static str;
    fn create_payment(&self, request: &PaymentRequest) -> Result<Payment>;
    /// The payment's current state (README "Trust"): `paid` only with a succeeded /
    /// confirmed transaction and that transaction's settled amount and currency; a refunded,
    /// partially refunded, cancelled or charged-back transaction reports that state even while
    /// the link or gateway still says paid; a paid link or gateway without a readable, matching
    /// transaction is never `paid`.
    fn retrieve_payment(&self, id: &str) -> Result<Payment>;
    /// Offline: verify (where a signature exists or is configured), then parse.
    fn parse_webhook(&self, body: &[u8], headers: &Headers, now: i64) -> Result<Event>;
    /// `parse_webhook`, then re-read through the API: the result's status, amount, currency and
    /// mode are the API's, never the body's, by the same rule as `retrieve_payment`. One
    /// template for every provider (`confirm.rs`), over its `Confirm` hooks.
    fn confirm_webhook(
        &self,
        body: &[u8],
        headers: &Headers,
        hint: &Hint,
        now: i64,
    ) -> Result<Event> {
        confirm::confirm_webhook(self, body, headers, hint, now)
    }
    /// The provider's refund call for an order already judged against `payment`, a fresh read
    /// (README "Refunds"). Callers use `refund_payment`, which does the judging.
    fn send_refund(&self, payment: &Payment, order: &RefundOrder) -> Result<Refund>;
    /// Re-reads the payment, refuses what it does not allow (typed errors, no request), then
    /// sends the refund (docs/providers-refunds.md "Common rules").
    fn refund_payment(&self, payment_id: &str, request: &RefundRequest) -> Result<Refund> {
        crate::refund::refund_payment(self, payment_id, request)
    }
}

pub const PROVIDERS: &[&str] = &["neropay", "payrexx", "noxipay"];

pub fn build(name: &str, config: &Config) -> Result<Box<dyn Provider>> {
    match name {
        "neropay" => Ok(Box::new(neropay::NeroPay::from_config(config)?)),
        "payrexx" => Ok(Box::new(payrexx::Payrexx::from_config(config)?)),
        "noxipay" => Ok(Box::new(noxipay::Noxipay::from_config(config)?)),
        other => {
            let shown: String = other.chars().take(32).collect();
            Err(Error::config(format!("unknown provider '{shown}'")))
        }
    }
}

/// Reads a JSON string-or-integer id as a string (NeroPay sends both, providers.md §N3).
pub(crate) fn id_string(v: &Value) -> Option<String> {
    match v {
        Value::String(s) if !s.is_empty() => Some(s.clone()),
        Value::Number(n) if n.is_u64() || n.is_i64() => Some(n.to_string()),
        _ => None,
    }
}

/// Path segments from callers are percent-encoded so an id can never change the URL's path.
pub(crate) fn path_segment(id: &str) -> Result<String> {
    if id.is_empty() || id.len() > 200 {
        return Err(Error::request("payment id must be 1 to 200 characters"));
    }
    let mut out = String::with_capacity(id.len());
    for b in id.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    Ok(out)
}
