//! NeroPay refunds in the sandbox (providers.md §N4, issue 13 contract 3): refund entries with
//! integer ids on the transaction, the `refund_fails_async` fault, and the refund IPNs.

use super::model::{ipn, Refund, Tx};
use crate::delivery::Webhook;
use crate::state::{ActionError, Config, State};
use crate::util;
use serde_json::{json, Value};

/// [ours] a refund as listed under the transaction and answered by the refund call.
pub fn refund_json(t: &Tx, r: &Refund) -> Value {
    json!({
        "id": r.id,
        "transaction_id": t.id,
        "amount": util::format_minor(r.amount_minor, 2),
        "currency": t.currency,
        "status": r.status,
        "reason": r.reason,
        "created_at": r.created_at,
    })
}

/// Refund all or part of what is left (providers.md §N4): a refund entry with an id (issue 13
/// contract 3). Returns the IPN to send (none while the refund is pending) and the refund id.
pub fn refund(
    cfg: &Config,
    st: &mut State,
    tx_id: u64,
    amount: Option<i64>,
    reason: Option<String>,
) -> Result<(Option<Webhook>, u64), ActionError> {
    let t = st
        .nero
        .txs
        .get(&tx_id)
        .ok_or_else(|| ActionError::new(404, "transaction not found"))?;
    if !matches!(t.status, "succeeded" | "partial_refunded") {
        return Err(ActionError::new(
            422,
            format!("cannot be refunded in status {}", t.status),
        ));
    }
    let left = t.amount_minor - t.refunded_minor - t.held();
    let amount = amount.unwrap_or(left);
    if amount <= 0 || amount > left {
        return Err(ActionError::new(
            422,
            format!(
                "amount must be between 0.01 and {}",
                util::format_minor(left, 2)
            ),
        ));
    }
    let fails = st.take_refund_failure("neropay");
    let id = st.nero.new_refund_id();
    let Some(t) = st.nero.txs.get_mut(&tx_id) else {
        return Err(ActionError::new(404, "transaction not found"));
    };
    let status = if fails { "pending" } else { "succeeded" };
    t.refunds.push(Refund {
        id,
        amount_minor: amount,
        status,
        reason,
        created_at: util::rfc3339(util::now_secs()),
    });
    if fails {
        st.failing_refunds
            .push(("neropay", tx_id.to_string(), id.to_string()));
        return Ok((None, id));
    }
    t.refunded_minor += amount;
    t.status = if t.refunded_minor == t.amount_minor {
        "refunded"
    } else {
        "partial_refunded"
    };
    let t = &st.nero.txs[&tx_id];
    let url = st.nero.links.get(&t.link_id).map(|l| l.ipn_url.clone());
    let wh = ipn(cfg, t, "refund.succeeded", url);
    st.remember_webhook(&wh);
    Ok((Some(wh), id))
}

/// The end of a refund the `refund_fails_async` fault made pending: failed, its money free
/// again, IPN `refund.failed` [ours].
pub fn fail_refund(cfg: &Config, st: &mut State, tx_key: &str, refund_id: &str) -> Option<Webhook> {
    let tx_id: u64 = tx_key.parse().ok()?;
    let t = st.nero.txs.get_mut(&tx_id)?;
    let r = t
        .refunds
        .iter_mut()
        .find(|r| r.id.to_string() == refund_id && r.status == "pending")?;
    r.status = "failed";
    let t = &st.nero.txs[&tx_id];
    let url = st.nero.links.get(&t.link_id).map(|l| l.ipn_url.clone());
    let wh = ipn(cfg, t, "refund.failed", url);
    st.remember_webhook(&wh);
    Some(wh)
}
