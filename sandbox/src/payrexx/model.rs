//! Payrexx gateways, transactions, state changes and webhooks (providers.md §P3, §P4).

use super::phpform::{self, PVal};
use crate::actions::Summary;
use crate::delivery::{Signing, Webhook};
use crate::state::{Config, WebhookFormat};
use crate::util;
use serde_json::{json, Value};
use std::collections::BTreeMap;

#[derive(Clone)]
pub struct Gateway {
    pub id: u64,
    pub hash: String,
    /// providers.md §P3: waiting | confirmed
    pub status: &'static str,
    pub amount: i64,
    pub currency: String,
    pub purpose: String,
    pub reference_id: String,
    pub success_url: Option<String>,
    pub failed_url: Option<String>,
    pub cancel_url: Option<String>,
    /// Sandbox-only create field `notifyUrl` (Payrexx configures webhooks in its backend).
    pub notify_url: Option<String>,
    /// Every create parameter, echoed back (sku, vatRate, fields, pm, psp, language, …).
    pub params: Value,
    pub created_at: i64,
    pub txs: Vec<u64>,
}

#[derive(Clone)]
pub struct Tx {
    pub id: u64,
    pub uuid: String,
    pub gateway_id: u64,
    /// providers.md §P3 statuses: waiting, confirmed, declined, cancelled, refunded,
    /// partially-refunded (hyphen), chargeback.
    pub status: String,
    pub amount: i64,
    pub currency: String,
    pub refunded: i64,
    pub time: i64,
    /// providers.md §P3 `mode`: `LIVE` (default) or `TEST` (a test payment provider on a live
    /// instance); shown in `Transaction/{id}` and in the webhook.
    pub mode: String,
    /// [ours] refunds of this transaction, oldest first (issue 13 contract 2).
    pub refunds: Vec<Refund>,
}

/// [ours] a refund of a transaction: an integer id (a refund is a transaction of its own at
/// Payrexx, §P4 `originalTransactionId`), minor units, `refunded | refund_pending | error`.
#[derive(Clone)]
pub struct Refund {
    pub id: u64,
    pub uuid: String,
    pub amount: i64,
    pub status: &'static str,
    pub time: i64,
}

impl Tx {
    /// What pending refunds hold: not refunded yet, not refundable again.
    pub fn held(&self) -> i64 {
        self.refunds
            .iter()
            .filter(|r| r.status == "refund_pending")
            .map(|r| r.amount)
            .sum()
    }
}

#[derive(Default)]
pub struct Store {
    pub gateways: BTreeMap<u64, Gateway>,
    pub txs: BTreeMap<u64, Tx>,
    next_gateway: u64,
    next_tx: u64,
}

impl Store {
    pub fn new_gateway_id(&mut self) -> u64 {
        if self.next_gateway == 0 {
            self.next_gateway = crate::util::id_base(0);
        }
        self.next_gateway += 1;
        self.next_gateway
    }

    pub fn new_tx_id(&mut self) -> u64 {
        if self.next_tx == 0 {
            self.next_tx = crate::util::id_base(3_512_000);
        }
        self.next_tx += 1;
        self.next_tx
    }

    /// A gateway by id, or by hash (checkout pages use the hash).
    pub fn find(&self, key: &str) -> Option<&Gateway> {
        if let Ok(id) = key.parse::<u64>() {
            if let Some(g) = self.gateways.get(&id) {
                return Some(g);
            }
        }
        self.gateways.values().find(|g| g.hash == key)
    }

    fn tx_brief(t: &Tx) -> Value {
        json!({"id": t.id, "uuid": t.uuid, "status": t.status, "amount": t.amount,
               "time": util::payrexx_time(t.time)})
    }

    /// `Gateway` object of providers.md §P3.
    pub fn gateway_json(&self, g: &Gateway, base: &str) -> Value {
        let txs: Vec<Value> = g
            .txs
            .iter()
            .filter_map(|id| self.txs.get(id))
            .map(Self::tx_brief)
            .collect();
        let invoices = if txs.is_empty() {
            json!([])
        } else {
            json!([{"paymentRequestId": g.id, "referenceId": g.reference_id,
                    "amount": g.amount, "currency": g.currency, "transactions": txs}])
        };
        let p = |k: &str| g.params.get(k).cloned().unwrap_or(Value::Null);
        json!({
            "id": g.id,
            "status": g.status,
            "hash": g.hash,
            "referenceId": g.reference_id,
            "link": checkout_url(base, &g.hash),
            "invoices": invoices,
            "preAuthorization": false,
            "reservation": false,
            "fields": g.params.get("fields").cloned().unwrap_or(json!({})),
            "psp": g.params.get("psp").cloned().unwrap_or(json!([])),
            "pm": g.params.get("pm").cloned().unwrap_or(json!([])),
            "amount": g.amount,
            "vatRate": p("vatRate"),
            "currency": g.currency,
            "sku": p("sku"),
            "purpose": g.purpose,
            "language": p("language"),
            "validity": p("validity"),
            "successRedirectUrl": g.success_url,
            "failedRedirectUrl": g.failed_url,
            "cancelRedirectUrl": g.cancel_url,
            "createdAt": g.created_at,
        })
    }

    /// `Transaction` object of providers.md §P3 (its invoice shape differs from the webhook's).
    pub fn transaction_json(&self, t: &Tx) -> Value {
        let g = self.gateways.get(&t.gateway_id);
        let reference = g.map_or(String::new(), |g| g.reference_id.clone());
        json!({
            "id": t.id,
            "uuid": t.uuid,
            "status": t.status,
            "time": util::payrexx_time(t.time),
            "lang": "en",
            "pageUuid": g.map(|g| g.hash.clone()),
            "referenceId": reference,
            "psp": "Test PSP",
            "pspId": 1,
            "mode": t.mode,
            "amount": t.amount,
            "payment": {"brand": "visa", "cardNumber": "424242xxxxxx4242"},
            "invoice": {
                "currencyAlpha3": t.currency,
                "totalAmount": t.amount,
                "originalAmount": t.amount,
                "refundedAmount": t.refunded,
                "referenceId": reference,
                "paymentRequestId": t.gateway_id,
                "products": [{"name": g.map(|g| g.purpose.clone()), "quantity": 1, "amount": t.amount}],
            },
            "contact": {"email": "jane@example.com", "firstname": "Jane", "lastname": "Doe"},
            "refunds": t.refunds.iter().map(|r| json!({
                "id": r.id, "uuid": r.uuid, "amount": r.amount, "currency": t.currency,
                "status": r.status, "time": util::payrexx_time(r.time),
            })).collect::<Vec<_>>(),
        })
    }

    /// [ours] the refund call's answer: the refund transaction, naming its original (§P4).
    pub fn refund_transaction_json(&self, t: &Tx, r: &Refund) -> Value {
        let status = match r.status {
            "refunded" => t.status.as_str(),
            other => other,
        };
        json!({
            "id": r.id,
            "uuid": r.uuid,
            "status": status,
            "time": util::payrexx_time(r.time),
            "amount": r.amount,
            "originalTransactionId": t.id,
            "mode": t.mode,
            "invoice": {"currencyAlpha3": t.currency, "totalAmount": r.amount,
                        "paymentRequestId": t.gateway_id},
        })
    }

    pub fn full_json(&self, key: &str, _cfg: &Config, base: &str) -> Option<Value> {
        let g = self.find(key)?;
        let mut v = self.gateway_json(g, base);
        v["notifyUrl"] = json!(g.notify_url);
        v["transactions"] = g
            .txs
            .iter()
            .filter_map(|id| self.txs.get(id))
            .map(|t| self.transaction_json(t))
            .collect();
        Some(v)
    }

    pub fn summary(&self, key: &str) -> Option<Summary> {
        let g = self.find(key)?;
        Some(Summary {
            amount: util::format_minor(g.amount, util::currency_exponent(&g.currency)),
            currency: g.currency.clone(),
            reference: g.reference_id.clone(),
            description: g.purpose.clone(),
            status: g.status.to_string(),
        })
    }
}

pub fn checkout_url(base: &str, hash: &str) -> String {
    format!("{base}/payrexx/checkout/{hash}")
}

/// Webhook of providers.md §P4: `{"transaction": …}` as JSON or PHP-bracket form; the event id
/// the client derives is `payrexx:<uuid>:<status>`.
pub fn webhook(cfg: &Config, g: &Gateway, t: &Tx) -> Webhook {
    let tx = json!({
        "id": t.id,
        "uuid": t.uuid,
        "status": t.status,
        "amount": t.amount,
        "referenceId": g.reference_id,
        "time": util::payrexx_time(t.time),
        "lang": "en",
        "psp": "Test PSP",
        "pspId": 1,
        "mode": t.mode,
        "payment": {"brand": "visa", "cardNumber": "424242xxxxxx4242"},
        "invoice": {
            "referenceId": g.reference_id,
            "paymentRequestId": g.id,
            "paymentLink": {"hash": g.hash, "referenceId": g.reference_id, "email": null},
            "currency": t.currency,
            "originalAmount": t.amount,
            "refundedAmount": t.refunded,
            "products": [{"name": g.purpose, "quantity": 1, "amount": t.amount}],
            "test": t.mode == "TEST",
        },
        "contact": {"email": "jane@example.com", "firstname": "Jane", "lastname": "Doe"},
        "metadata": {},
    });
    let wrapped = json!({"transaction": tx});
    let (content_type, body) = match cfg.payrexx_webhook_format {
        WebhookFormat::Json => ("application/json", wrapped.to_string().into_bytes()),
        WebhookFormat::Form => {
            let params = match PVal::from_json(&wrapped) {
                Some(PVal::Map(m)) => m,
                _ => Vec::new(),
            };
            (
                "application/x-www-form-urlencoded",
                phpform::build_query(&params).into_bytes(),
            )
        }
    };
    Webhook {
        provider: "payrexx",
        payment_id: g.id.to_string(),
        event_id: format!("payrexx:{}:{}", t.uuid, t.status),
        event_type: t.status.clone(),
        url: g.notify_url.clone().or(cfg.payrexx_webhook_url.clone()),
        content_type,
        body,
        signing: match &cfg.payrexx_webhook_key {
            Some(k) => Signing::Payrexx(k.clone()),
            None => Signing::None,
        },
    }
}
