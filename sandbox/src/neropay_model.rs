//! NeroPay payment links, transactions, state changes and IPNs (providers.md §N3–§N5).

use crate::delivery::{Signing, Webhook};
use crate::state::{opts_amount, Action, ActionError, ActionOpts, Config, State, Transition};
use crate::util;
use serde_json::{json, Value};
use std::collections::BTreeMap;

pub use crate::neropay_refunds::{fail_refund, refund, refund_json};

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

    fn new_tx_id(&mut self) -> u64 {
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

/// Checkout and `/_control` state changes of a link.
pub fn apply(
    cfg: &Config,
    base: &str,
    st: &mut State,
    id: &str,
    action: Action,
    opts: &ActionOpts,
) -> Result<Transition, ActionError> {
    let link_id: u64 = id
        .parse()
        .map_err(|_| ActionError::new(404, "payment link not found"))?;
    let link = st
        .nero
        .links
        .get(&link_id)
        .ok_or_else(|| ActionError::new(404, "payment link not found"))?;
    if opts.mode.is_some() {
        return Err(ActionError::new(
            400,
            "mode is only simulated for payrexx (NeroPay reports none)",
        ));
    }
    let (webhook, redirect): (Option<Webhook>, Option<String>) = match action {
        Action::Pay | Action::Fail | Action::Cancel => {
            if link.status == "paid" {
                return Err(ActionError::new(409, "payment link is already paid"));
            }
            let amount = opts_amount(opts, 2, link.amount_minor)?;
            let currency = opts.currency.clone().unwrap_or(link.currency.clone());
            let (tx_status, event, link_status, redirect) = match action {
                Action::Pay => (
                    "succeeded",
                    "transaction.succeeded",
                    "paid",
                    &link.success_url,
                ),
                Action::Fail => ("failed", "transaction.failed", "failed", &link.cancel_url),
                _ => (
                    "cancelled",
                    "transaction.cancelled",
                    link.status,
                    &link.cancel_url,
                ),
            };
            let redirect = redirect.clone();
            let (trx, account_id, url) = (
                link.reference.clone(),
                link.account_id.clone(),
                link.ipn_url.clone(),
            );
            let tx = Tx {
                id: st.nero.new_tx_id(),
                link_id,
                trx,
                status: tx_status,
                amount_minor: amount,
                refunded_minor: 0,
                currency,
                account_id,
                created_at: util::rfc3339(util::now_secs()),
                refunds: Vec::new(),
            };
            let wh = ipn(cfg, &tx, event, Some(url));
            if let Some(l) = st.nero.links.get_mut(&link_id) {
                l.status = link_status;
                l.tx = Some(tx.id);
            }
            st.nero.txs.insert(tx.id, tx);
            st.remember_webhook(&wh);
            (Some(wh), Some(redirect))
        }
        Action::Refund | Action::PartialRefund => {
            let tx_id = link
                .tx
                .ok_or_else(|| ActionError::new(409, "payment link has no transaction"))?;
            let amount = match action {
                Action::PartialRefund => Some(
                    opts.amount
                        .as_deref()
                        .ok_or_else(|| ActionError::new(400, "amount is required"))
                        .and_then(|a| {
                            util::parse_decimal(a, 2)
                                .map_err(|m| ActionError::new(400, format!("amount {m}")))
                        })?,
                ),
                _ => None,
            };
            (refund(cfg, st, tx_id, amount, opts.reason.clone())?.0, None)
        }
        // providers.md §N4 has no chargeback state; the sandbox does not invent one.
        Action::Chargeback => {
            return Err(ActionError::new(
                400,
                "chargeback is only simulated for noxipay and payrexx",
            ))
        }
    };
    let store = &st.nero;
    let state = store.full_json(&store.links[&link_id], base);
    Ok(Transition {
        webhooks: webhook.into_iter().collect(),
        redirect,
        state,
    })
}

/// The IPN `trigger --sandbox` sends for a link, built from its current state without changing it.
pub fn event_for(
    cfg: &Config,
    st: &State,
    id: &str,
    event_type: &str,
) -> Result<Webhook, ActionError> {
    let link = id
        .parse::<u64>()
        .ok()
        .and_then(|i| st.nero.links.get(&i))
        .ok_or_else(|| ActionError::new(404, "payment link not found"))?;
    let current = link.tx.and_then(|t| st.nero.txs.get(&t));
    let status = match (event_type, current.map(|t| t.status)) {
        ("transaction.succeeded", _) => "succeeded",
        ("transaction.failed", _) => "failed",
        ("transaction.cancelled", _) => "cancelled",
        ("refund.succeeded", Some(s @ ("refunded" | "partial_refunded"))) => s,
        ("refund.succeeded", _) => "refunded",
        (_, Some(s)) => s,
        (_, None) => "succeeded",
    };
    let amount = current.map_or(link.amount_minor, |t| t.amount_minor);
    let tx = Tx {
        id: current.map_or(6_000_000 + link.id, |t| t.id),
        link_id: link.id,
        trx: link.reference.clone(),
        status,
        amount_minor: amount,
        refunded_minor: current.map_or(0, |t| t.refunded_minor),
        currency: current.map_or(link.currency.clone(), |t| t.currency.clone()),
        account_id: link.account_id.clone(),
        created_at: util::rfc3339(util::now_secs()),
        refunds: Vec::new(),
    };
    Ok(ipn(cfg, &tx, event_type, Some(link.ipn_url.clone())))
}

/// A plausible open link with that (numeric) id, for `trigger` without a running sandbox.
pub fn insert_synthetic(st: &mut State, id: &str) {
    let Ok(id) = id.parse::<u64>() else { return };
    st.nero.links.insert(
        id,
        Link {
            id,
            identifier: format!("PERFEX_CRM-{id}"),
            account_id: DEFAULT_ACCOUNT.into(),
            reference: format!("NP-SBX-{id}"),
            amount_minor: 1599,
            currency: "GBP".into(),
            details: "Invoice".into(),
            success_url: "http://127.0.0.1/success".into(),
            cancel_url: "http://127.0.0.1/cancel".into(),
            ipn_url: "http://127.0.0.1/ipn".into(),
            metadata: Value::Null,
            customer_name: Value::Null,
            customer_email: Value::Null,
            status: "open",
            created_at: util::rfc3339(util::now_secs()),
            tx: None,
        },
    );
}
