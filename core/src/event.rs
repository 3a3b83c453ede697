//! What a provider reports, normalized: a payment's status, its live/test mode, how an event's
//! facts were established, and the event itself (architecture.md "The PHP surface").

use crate::money::Money;
use crate::refund::RefundFacts;
use serde_json::Value;

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

/// Whether money moved for real (README "Trust", `mode`): `live`, `test`, or `None` on the payment
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
    /// Live or test money, where the provider reports it (`None`: the provider reports none).
    pub mode: Option<Mode>,
    pub provider: &'static str,
    pub verified: Verified,
    pub raw: Value,
    /// Refunds and chargebacks (README "Refunds"): the API's lists for a confirmed event,
    /// `None` where a body alone cannot tell them.
    pub refunds: Option<RefundFacts>,
}
