//! `confirm_webhook` as one template for every provider (architecture.md "The PHP surface"):
//! parse the body, or take it as a wake-up call → choose the payment → re-read it through the
//! provider's authenticated API → the event as the API reports it (`verified` = api). A provider
//! only gives its webhook verifier and how it re-reads (`Confirm::reread`); `Provider` carries
//! `confirm_webhook` as a provided method over these hooks, so no provider repeats it.

use super::common::parsed_or_wake_up;
use super::{Hint, Provider};
use crate::error::Result;
use crate::money::Money;
use crate::refund::RefundFacts;
use crate::webhook::{Event, Headers, Mode, PaymentStatus, Verified, Verifier};
use serde_json::Value;

/// The payment a webhook concerns, as the provider's API reports it now (README "Trust").
pub struct Reread {
    /// The confirmed event's id: the body's own where it has a stable one, else derived.
    pub event_id: String,
    pub payment_id: String,
    pub reference: Option<String>,
    pub status: PaymentStatus,
    pub money: Money,
    pub mode: Option<Mode>,
    /// Refunds and chargebacks as the API lists them now (README "Refunds").
    pub refunds: RefundFacts,
}

/// The provider hooks of the template (`Provider` requires them).
pub trait Confirm {
    /// The provider's webhook verifier, built once from its config.
    fn verifier(&self) -> &Verifier;

    /// True when a body must verify by signature: then a body that does not parse is an error,
    /// never a wake-up call (providers.md §0 "Trust"). That is whenever a webhook secret is
    /// configured: optional for NeroPay (§N5) and Payrexx (§P4); Noxipay's is required (§X1),
    /// its `parse_webhook` refuses with `config` before reading a body without one.
    fn signed(&self) -> bool {
        self.verifier().has_secrets()
    }

    /// Chooses the payment (the caller's hint first, else what the parsed body names) and reads
    /// its current state through the API. `parsed` is `None` for a wake-up call.
    fn reread(&self, parsed: Option<&Event>, hint: &Hint) -> Result<Reread>;
}

pub fn confirm_webhook<P: Provider + ?Sized>(
    provider: &P,
    body: &[u8],
    headers: &Headers,
    hint: &Hint,
    now: i64,
) -> Result<Event> {
    let parsed = parsed_or_wake_up(
        provider.parse_webhook(body, headers, now),
        hint,
        provider.signed(),
    )?;
    let r = provider.reread(parsed.as_ref(), hint)?;
    let (event_type, raw) = match parsed {
        Some(e) => (e.event_type, e.raw),
        None => ("unknown".to_string(), Value::Null),
    };
    Ok(Event {
        id: r.event_id,
        event_type,
        status: r.status,
        payment_id: Some(r.payment_id),
        reference: r.reference,
        money: Some(r.money),
        mode: r.mode,
        provider: provider.name(),
        verified: Verified::Api,
        raw,
        refunds: Some(r.refunds),
    })
}
