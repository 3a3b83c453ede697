//! Noxipay refunds in the sandbox (§X2 [ours], issue 13 contract 3): `re_…` refund objects on
//! the payment, the `refund_fails_async` fault, and the refund webhooks.

use super::model::{event_data, webhook, Payment, Refund};
use crate::delivery::Webhook;
use crate::state::{ActionError, Config, State};
use crate::util;
use serde_json::{json, Value};

/// [ours] a refund object as the API lists and answers it.
pub fn refund_json(p: &Payment, r: &Refund) -> Value {
    json!({
        "id": r.id,
        "object": "refund",
        "payment_id": p.id,
        "amount": r.amount,
        "currency": p.currency,
        "status": r.status,
        "reason": r.reason,
        "created_at": r.created_at,
    })
}

/// Refund all or part of what is left (issue 13 contract 3): a `re_…` refund entry, the payment
/// `refunded` / `partially_refunded`, webhook `refund.completed`; with the `refund_fails_async`
/// fault the refund stays pending (no webhook) and fails later. Returns the webhook and the id.
pub fn refund(
    cfg: &Config,
    base: &str,
    st: &mut State,
    id: &str,
    amount: Option<i64>,
    reason: Option<String>,
) -> Result<(Option<Webhook>, String), ActionError> {
    let p = st
        .nox
        .payments
        .get(id)
        .ok_or_else(|| ActionError::new(404, "payment not found"))?;
    if !matches!(p.status, "completed" | "partially_refunded") {
        return Err(ActionError::new(
            409,
            format!("cannot refund a {} payment", p.status),
        ));
    }
    let left = p.amount - p.amount_refunded - p.held();
    let amount = amount.unwrap_or(left);
    if amount <= 0 || amount > left {
        return Err(ActionError::new(
            400,
            "amount must be positive and at most what is left",
        ));
    }
    let fails = st.take_refund_failure("noxipay");
    let refund_id = format!("re_{}", util::random_alnum(24));
    let Some(p) = st.nox.payments.get_mut(id) else {
        return Err(ActionError::new(404, "payment not found"));
    };
    p.refunds.push(Refund {
        id: refund_id.clone(),
        amount,
        status: if fails { "pending" } else { "succeeded" },
        reason,
        created_at: util::rfc3339(util::now_secs()),
    });
    if fails {
        st.failing_refunds
            .push(("noxipay", id.to_string(), refund_id.clone()));
        return Ok((None, refund_id));
    }
    p.amount_refunded += amount;
    p.status = if p.amount_refunded == p.amount {
        "refunded"
    } else {
        "partially_refunded"
    };
    let p = &st.nox.payments[id];
    let data = event_data(p, base, "refund.completed", amount, "", Some(&refund_id));
    let wh = webhook(cfg, p, "refund.completed", data);
    st.remember_webhook(&wh);
    Ok((Some(wh), refund_id))
}

/// The end of a refund the `refund_fails_async` fault made pending: failed, its money free
/// again, webhook `refund.failed` [ours] with data status `failed`.
pub fn fail_refund(cfg: &Config, st: &mut State, id: &str, refund_id: &str) -> Option<Webhook> {
    let p = st.nox.payments.get_mut(id)?;
    let r = p
        .refunds
        .iter_mut()
        .find(|r| r.id == refund_id && r.status == "pending")?;
    r.status = "failed";
    let amount = r.amount;
    let p = &st.nox.payments[id];
    let data = event_data(p, "", "refund.failed", amount, "", Some(refund_id));
    let wh = webhook(cfg, p, "refund.failed", data);
    st.remember_webhook(&wh);
    Some(wh)
}
