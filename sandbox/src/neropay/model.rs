//! NeroPay payment links, transactions, state changes and IPNs (providers.md §N3–§N5).

use crate::delivery::{Signing, Webhook};
use crate::state::Config;
use crate::util;
use serde_json::{json, Value};
use std::collections::BTreeMap;

pub use super::refunds::refund_json;

pub const DEFAULT_ACCOUNT: &str = "NPSANDBOX0001_1000";

pub struct Link {
    pub id: u64,
    pub identifier: String,
    pub account_id: String,
    pub reference: String,
    pub amount_minor: i64,
    pub currency: String,
    pub details: String,
    pub success_url: String,
    pub cancel_url: String,
    pub ipn_url: String,
    pub metadata: Value,
    pub customer_name: Value,
    pub customer_email: Value,
    /// providers.md §N3: open | paid | failed (a cancel leaves it open).
    pub status: &'static str,
    pub created_at: String,
    /// The latest payment attempt.
    pub tx: Option<u64>,
}

pub struct Tx {
    pub id: u64,
    pub link_id: u64,
    pub trx: String,
    /// providers.md §N4: succeeded | failed | cancelled | refunded | partial_refunded
    pub status: &'static str,
    pub amount_minor: i64,
    pub refunded_minor: i64,
    pub currency: String,
    pub account_id: String,
    pub created_at: String,
    /// [ours] every refund of the transaction, oldest first (issue 13 contract 2).
    pub refunds: Vec<Refund>,
}

/// [ours] a refund: integer id, decimal amount, `pending | succeeded | failed`.
pub struct Refund {
    pub id: u64,
    pub amount_minor: i64,
    pub status: &'static str,
    pub reason: Option<String>,
    pub created_at: String,
}

impl Tx {
    /// What pending refunds hold: not refunded yet, not refundable again.
    pub fn held(&self) -> i64 {
        self.refunds
            .iter()
            .filter(|r| r.status == "pending")
            .map(|r| r.amount_minor)
            .sum()
    }
}

#[derive(Default)]
pub struct Store {
    pub links: BTreeMap<u64, Link>,
    pub txs: BTreeMap<u64, Tx>,
    next_link: u64,
    next_tx: u64,
    next_refund: u64,
}

impl Store {
    pub fn new_link_id(&mut self) -> u64 {
        if self.next_link == 0 {
            self.next_link = crate::util::id_base(1000);
        }
        self.next_link += 1;
        self.next_link
    }

    pub fn new_tx_id(&mut self) -> u64 {
        if self.next_tx == 0 {
            self.next_tx = crate::util::id_base(6_636_000);
        }
        self.next_tx += 1;
        self.next_tx
    }

    pub fn new_refund_id(&mut self) -> u64 {
        if self.next_refund == 0 {
            self.next_refund = crate::util::id_base(880_000);
        }
        self.next_refund += 1;
        self.next_refund
    }

    /// `GET /transactions/{id or reference}` (providers.md §N4): a numeric id, else the link
    /// reference (`trx`), which resolves to that link's latest transaction.
    pub fn find_tx(&self, key: &str) -> Option<&Tx> {
        if let Ok(id) = key.parse::<u64>() {
            if let Some(t) = self.txs.get(&id) {
                return Some(t);
            }
        }
        let link = self.links.values().find(|l| l.reference == key)?;
        self.txs.get(&link.tx?)
    }

    pub fn tx_json(&self, t: &Tx) -> Value {
        json!({
            "id": t.id,
            "trx": t.trx,
            "transaction_reference": t.trx,
            "payment_link_id": t.link_id,
            "account_id": t.account_id,
            "status": t.status,
            "amount": util::format_minor(t.amount_minor, 2),
            "refunded_amount": util::format_minor(t.refunded_minor, 2),
            "currency": t.currency,
            "remark": "make_payment",
            "created_at": t.created_at,
            "refunds": t.refunds.iter().map(|r| refund_json(t, r)).collect::<Vec<_>>(),
        })
    }

    /// The vendor create/read shape (providers.md §N3) plus `checkout_url` = `payment_link`.
    pub fn link_json(&self, l: &Link, base: &str) -> Value {
        let url = checkout_url(base, l.id);
        let mut v = json!({
            "id": l.id,
            "identifier": l.identifier,
            "account_id": l.account_id,
            "reference": l.reference,
            "amount": util::format_minor(l.amount_minor, 2),
            "currency": l.currency,
            "status": l.status,
            "details": l.details,
            "payment_link": url,
            "checkout_url": url,
            "success_url": l.success_url,
            "cancel_url": l.cancel_url,
            "ipn_url": l.ipn_url,
            "metadata": l.metadata,
            "customer_name": l.customer_name,
            "customer_email": l.customer_email,
            "created_at": l.created_at,
        });
        if let Some(t) = l.tx.and_then(|id| self.txs.get(&id)) {
            v["transaction"] = self.tx_json(t);
        }
        v
    }

    /// `GET /_control/neropay/payments/{id}`: the link with every attempt.
    pub fn full_json(&self, l: &Link, base: &str) -> Value {
        let mut v = self.link_json(l, base);
        let txs: Vec<Value> = self
            .txs
            .values()
            .filter(|t| t.link_id == l.id)
            .map(|t| self.tx_json(t))
            .collect();
        v["transactions"] = Value::Array(txs);
        v
    }
}

pub fn checkout_url(base: &str, id: u64) -> String {
    format!("{base}/neropay/checkout/{id}")
}

/// IPN body of providers.md §N5, signed only when a webhook secret is configured.
pub fn ipn(cfg: &Config, t: &Tx, event_type: &str, url: Option<String>) -> Webhook {
    let event_id = format!("evt_{}", util::random_hex(12));
    let mut tx = json!({
        "id": t.id,
        "trx": t.trx,
        "status": t.status,
        "amount": util::format_minor(t.amount_minor, 2),
        "currency": t.currency,
    });
    if event_type == "refund.succeeded" {
        tx["refunded_amount"] = json!(util::format_minor(t.refunded_minor, 2));
    }
    let body = json!({
        "id": event_id,
        "type": event_type,
        "created_at": util::rfc3339_offset(util::now_secs()),
        "account_id": t.account_id,
        "transaction": tx,
    });
    Webhook {
        provider: "neropay",
        payment_id: t.link_id.to_string(),
        event_id,
        event_type: event_type.into(),
        url,
        content_type: "application/json",
        body: body.to_string().into_bytes(),
        signing: match &cfg.neropay_webhook_secret {
            Some(s) => Signing::NeroPay(s.clone()),
            None => Signing::None,
        },
    }
}
