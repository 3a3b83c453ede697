//! Noxipay state changes from the checkout page, `/_control` and `trigger` (providers.md §X1,
//! §X2): pay, fail, chargeback; refunds go through `refunds.rs`.

use super::model::{event_data, webhook, Chargeback, Payment};
use super::refunds::refund;
use crate::delivery::Webhook;
use crate::state::{opts_amount, Action, ActionError, ActionOpts, Config, State, Transition};
use crate::util;
use serde_json::{json, Value};

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
            if action == Action::PartialRefund && opts.amount.is_none() {
                return Err(ActionError::new(400, "amount is required"));
            }
            let amount = match &opts.amount {
                Some(_) => Some(opts_amount(opts, exp, 0)?),
                None => None,
            };
            let (webhook, _) = refund(cfg, base, st, id, amount, opts.reason.clone())?;
            let state = st.nox.full_json(id, base).unwrap_or(Value::Null);
            return Ok(Transition {
                webhooks: webhook.into_iter().collect(),
                redirect: None,
                state,
            });
        }
        Action::Chargeback => {
            if !matches!(p.status, "completed" | "partially_refunded" | "refunded") {
                return Err(ActionError::new(
                    409,
                    format!("cannot dispute a {} payment", p.status),
                ));
            }
            p.status = "disputed";
            let amount = opts_amount(opts, exp, p.amount)?;
            p.chargebacks.push(Chargeback {
                id: format!("cb_{}", util::random_hex(12)),
                amount,
                reason: opts.reason.clone().unwrap_or("fraudulent".into()),
            });
            Some(("chargeback.created", amount))
        }
    };
    let p = &st.nox.payments[id];
    let webhooks = match event {
        Some((event_type, amount)) => {
            let reason = opts.reason.as_deref().unwrap_or("fraudulent");
            let cb = p.chargebacks.last().map(|c| c.id.as_str());
            let data = event_data(p, base, event_type, amount, reason, cb);
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
    let data = event_data(&view, base, event_type, amount, "fraudulent", None);
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
            refunds: Vec::new(),
            chargebacks: Vec::new(),
        },
    );
}
