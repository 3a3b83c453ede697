//! Noxipay payments, state changes and signed webhooks (providers.md §X1, §X2).

use crate::actions::Summary;
use crate::delivery::{Signing, Webhook};
use crate::state::Config;
use crate::util;
use serde_json::{json, Value};
use std::collections::BTreeMap;

pub use super::refunds::refund_json;

#[derive(Clone)]
pub struct Payment {
    pub id: String,
    /// providers.md §X2: pending | completed | failed | refunded | partially_refunded | disputed
    pub status: &'static str,
    /// Minor units; after a pay with another amount, the amount actually paid.
    pub amount: i64,
    pub currency: String,
    pub amount_requested: i64,
    pub currency_requested: String,
    pub amount_refunded: i64,
    pub description: Value,
    pub reference: Value,
    pub success_url: String,
    pub cancel_url: String,
    pub notify_url: Option<String>,
    pub metadata: Value,
    pub customer: Value,
    pub created_at: String,
    pub completed_at: Option<String>,
    /// [ours] every refund, oldest first (issue 13 contract 2).
    pub refunds: Vec<Refund>,
    /// [ours] every chargeback, oldest first.
    pub chargebacks: Vec<Chargeback>,
}

/// [ours] refund object: `re_…` id, minor units, `pending | succeeded | failed`.
#[derive(Clone)]
pub struct Refund {
    pub id: String,
    pub amount: i64,
    pub status: &'static str,
    pub reason: Option<String>,
    pub created_at: String,
}

#[derive(Clone)]
pub struct Chargeback {
    pub id: String,
    pub amount: i64,
    pub reason: String,
}

impl Payment {
    /// What pending refunds hold: not refunded yet, not refundable again.
    pub fn held(&self) -> i64 {
        self.refunds
            .iter()
            .filter(|r| r.status == "pending")
            .map(|r| r.amount)
            .sum()
    }
}

#[derive(Default)]
pub struct Store {
    pub payments: BTreeMap<String, Payment>,
}

pub fn checkout_url(base: &str, id: &str) -> String {
    format!("{base}/noxipay/checkout/{id}")
}

pub fn payment_json(p: &Payment, base: &str) -> Value {
    json!({
        "id": p.id,
        "object": "payment",
        "status": p.status,
        "amount": p.amount,
        "currency": p.currency,
        "amount_refunded": p.amount_refunded,
        "description": p.description,
        "reference": p.reference,
        "checkout_url": checkout_url(base, &p.id),
        "success_url": p.success_url,
        "cancel_url": p.cancel_url,
        "metadata": p.metadata,
        "customer": p.customer,
        "created_at": p.created_at,
        "completed_at": p.completed_at,
        "refunds": p.refunds.iter().map(|r| refund_json(p, r)).collect::<Vec<_>>(),
        "chargebacks": p.chargebacks.iter().map(|c| json!({
            "id": c.id, "payment_id": p.id, "amount": c.amount, "currency": p.currency,
            "reason": c.reason,
        })).collect::<Vec<_>>(),
    })
}

impl Store {
    pub fn full_json(&self, id: &str, base: &str) -> Option<Value> {
        let p = self.payments.get(id)?;
        let mut v = payment_json(p, base);
        v["amount_requested"] = json!(p.amount_requested);
        v["currency_requested"] = json!(p.currency_requested);
        v["notify_url"] = json!(p.notify_url);
        Some(v)
    }

    pub fn summary(&self, id: &str) -> Option<Summary> {
        let p = self.payments.get(id)?;
        let exp = util::currency_exponent(&p.currency);
        Some(Summary {
            amount: util::format_minor(p.amount, exp),
            currency: p.currency.clone(),
            reference: p.reference.as_str().unwrap_or("").to_string(),
            description: p.description.as_str().unwrap_or("").to_string(),
            status: p.status.to_string(),
        })
    }
}

/// Webhook body of providers.md §X1, signed `sha256=<hex>` over the raw bytes.
pub(crate) fn webhook(cfg: &Config, p: &Payment, event_type: &str, data: Value) -> Webhook {
    let event_id = format!("evt_{}", util::random_hex(12));
    let body = json!({
        "id": event_id,
        "type": event_type,
        "created": util::rfc3339(util::now_secs()),
        "data": data,
    });
    Webhook {
        provider: "noxipay",
        payment_id: p.id.clone(),
        event_id,
        event_type: event_type.into(),
        url: p.notify_url.clone(),
        content_type: "application/json",
        body: body.to_string().into_bytes(),
        signing: Signing::Noxipay(cfg.noxipay_webhook_secret.clone()),
    }
}

fn payment_data(p: &Payment, base: &str) -> Value {
    let mut d = payment_json(p, base);
    d["payment_method"] = json!({"type": "card", "brand": "visa", "last4": "4242"});
    d
}

/// The data object of each event type (providers.md §X1 [doc] and [ours]); `object_id` is the
/// refund's or chargeback's own id.
pub(crate) fn event_data(
    p: &Payment,
    base: &str,
    event_type: &str,
    amount: i64,
    reason: &str,
    object_id: Option<&str>,
) -> Value {
    let id = |prefix: &str| {
        object_id.map_or_else(
            || format!("{prefix}_{}", util::random_hex(12)),
            String::from,
        )
    };
    match event_type {
        "refund.completed" | "refund.failed" => json!({
            "id": id("re"),
            "payment_id": p.id,
            "amount": amount,
            "currency": p.currency,
            "status": if event_type == "refund.failed" { "failed" } else { "succeeded" },
        }),
        "chargeback.created" => json!({
            "id": id("cb"),
            "payment_id": p.id,
            "reason": reason,
            "amount": amount,
            "currency": p.currency,
        }),
        _ => payment_data(p, base),
    }
}
