//! Noxipay payments, state changes and signed webhooks (providers.md §X1, §X2).

use crate::actions::Summary;
use crate::delivery::{Signing, Webhook};
use crate::state::{opts_amount, Action, ActionError, ActionOpts, Config, State, Transition};
use crate::util;
use serde_json::{json, Value};
use std::collections::BTreeMap;

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
fn webhook(cfg: &Config, p: &Payment, event_type: &str, data: Value) -> Webhook {
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

/// The data object of each event type (providers.md §X1 [doc] and [ours]).
fn event_data(p: &Payment, base: &str, event_type: &str, amount: i64, reason: &str) -> Value {
    match event_type {
        "refund.completed" => json!({
            "id": format!("re_{}", util::random_hex(12)),
            "payment_id": p.id,
            "amount": amount,
            "currency": p.currency,
            "status": "completed",
        }),
        "chargeback.created" => json!({
            "id": format!("cb_{}", util::random_hex(12)),
            "payment_id": p.id,
            "reason": reason,
            "amount": amount,
            "currency": p.currency,
        }),
        _ => payment_data(p, base),
    }
}

pub fn apply(
    cfg: &Config,
    base: &str,
    st: &mut State,
    id: &str,
    action: Action,
    opts: &ActionOpts,
) -> Result<Transition, ActionError> {
    let p = st
        .nox
        .payments
        .get_mut(id)
        .ok_or_else(|| ActionError::new(404, "payment not found"))?;
    if opts.mode.is_some() {
        return Err(ActionError::new(
            400,
            "mode is only simulated for payrexx (Noxipay reports none)",
        ));
    }
    let exp = util::currency_exponent(&p.currency);
    let mut redirect = None;
    let event: Option<(&str, i64)> = match action {
        Action::Pay | Action::Fail if !matches!(p.status, "pending" | "failed") => {
            return Err(ActionError::new(409, format!("payment is {}", p.status)));
        }
        Action::Pay => {
            let currency = opts.currency.clone().unwrap_or(p.currency.clone());
            p.amount = opts_amount(opts, util::currency_exponent(&currency), p.amount)?;
            p.currency = currency;
            p.status = "completed";
            p.completed_at = Some(util::rfc3339(util::now_secs()));
            redirect = Some(p.success_url.clone());
            Some(("payment.completed", p.amount))
        }
        Action::Fail => {
            p.status = "failed";
            redirect = Some(p.cancel_url.clone());
            Some(("payment.failed", p.amount))
        }
        // [ours] Noxipay has no cancelled status or event: the payer leaves, the payment stays.
        Action::Cancel => {
            redirect = Some(p.cancel_url.clone());
            None
        }
        Action::Refund | Action::PartialRefund => {
            if !matches!(p.status, "completed" | "partially_refunded") {
                return Err(ActionError::new(
                    409,
                    format!("cannot refund a {} payment", p.status),
                ));
            }
            let left = p.amount - p.amount_refunded;
            let amount = match action {
                Action::PartialRefund if opts.amount.is_none() => {
                    return Err(ActionError::new(400, "amount is required"));
                }
                _ => opts_amount(opts, exp, left)?,
            };
            if amount <= 0 || amount > left {
                return Err(ActionError::new(
                    400,
                    "amount must be positive and at most what is left",
                ));
            }
            p.amount_refunded += amount;
            p.status = if p.amount_refunded == p.amount {
                "refunded"
            } else {
                "partially_refunded"
            };
            Some(("refund.completed", amount))
        }
        Action::Chargeback => {
            if !matches!(p.status, "completed" | "partially_refunded" | "refunded") {
                return Err(ActionError::new(
                    409,
                    format!("cannot dispute a {} payment", p.status),
                ));
            }
            p.status = "disputed";
            Some(("chargeback.created", opts_amount(opts, exp, p.amount)?))
        }
    };
    let p = &st.nox.payments[id];
    let webhooks = match event {
        Some((event_type, amount)) => {
            let reason = opts.reason.as_deref().unwrap_or("fraudulent");
            let data = event_data(p, base, event_type, amount, reason);
            vec![webhook(cfg, p, event_type, data)]
        }
        None => vec![],
    };
    for wh in &webhooks {
        st.remember_webhook(wh);
    }
    let state = st.nox.full_json(id, base).unwrap_or(Value::Null);
    Ok(Transition {
        webhooks,
        redirect,
        state,
    })
}

/// The webhook `trigger --sandbox` sends, from the payment's current state (state unchanged).
pub fn event_for(
    cfg: &Config,
    st: &State,
    id: &str,
    event_type: &str,
) -> Result<Webhook, ActionError> {
    let p = st
        .nox
        .payments
        .get(id)
        .ok_or_else(|| ActionError::new(404, "payment not found"))?;
    let base = "http://127.0.0.1";
    let status = match event_type {
        "payment.completed" => "completed",
        "payment.failed" => "failed",
        _ => p.status,
    };
    let view = Payment {
        status,
        ..p.clone()
    };
    let amount = match event_type {
        "refund.completed" if p.amount_refunded > 0 => p.amount_refunded,
        _ => p.amount,
    };
    let data = event_data(&view, base, event_type, amount, "fraudulent");
    Ok(webhook(cfg, &view, event_type, data))
}

/// A plausible pending payment with that id, for `trigger` without a running sandbox.
pub fn insert_synthetic(st: &mut State, id: &str) {
    let now = util::rfc3339(util::now_secs());
    st.nox.payments.insert(
        id.to_string(),
        Payment {
            id: id.to_string(),
            status: "pending",
            amount: 2500,
            currency: "EUR".into(),
            amount_requested: 2500,
            currency_requested: "EUR".into(),
            amount_refunded: 0,
            description: json!("Invoice"),
            reference: json!(format!("INV-{id}")),
            success_url: "http://127.0.0.1/success".into(),
            cancel_url: "http://127.0.0.1/cancel".into(),
            notify_url: None,
            metadata: json!({}),
            customer: json!({"email": "jane@example.com", "name": "Jane Doe"}),
            created_at: now.clone(),
            completed_at: Some(now),
        },
    );
}
