//! Payrexx refunds in the sandbox (providers.md §P5, issue 13 contract 3): refund entries with
//! transaction ids of their own, the `refund_fails_async` fault, and the transaction webhooks.

use super::model::{webhook, Gateway, Refund};
use crate::delivery::Webhook;
use crate::state::{ActionError, Config, State};
use crate::util;

/// The gateway's latest transaction that can still be refunded.
pub(super) fn refundable_tx(st: &State, g: &Gateway) -> Result<u64, ActionError> {
    g.txs
        .iter()
        .rev()
        .copied()
        .find(|id| {
            st.px
                .txs
                .get(id)
                .is_some_and(|t| matches!(t.status.as_str(), "confirmed" | "partially-refunded"))
        })
        .ok_or_else(|| ActionError::new(409, "gateway has no confirmed transaction"))
}

/// §P5: refund all or part of what is left of a transaction (issue 13 contract 3): a refund
/// entry with a transaction id of its own, the transaction `refunded` / `partially-refunded`
/// and its webhook; with the `refund_fails_async` fault the refund stays `refund_pending` (no
/// webhook) and fails later. The webhook is not yet remembered for `redeliver`.
pub fn refund(
    cfg: &Config,
    st: &mut State,
    tx_id: u64,
    amount: Option<i64>,
) -> Result<(Option<Webhook>, u64), ActionError> {
    let t = st
        .px
        .txs
        .get(&tx_id)
        .ok_or_else(|| ActionError::new(404, "transaction not found"))?;
    if !matches!(t.status.as_str(), "confirmed" | "partially-refunded") {
        return Err(ActionError::new(
            422,
            format!("Transaction cannot be refunded in status {}.", t.status),
        ));
    }
    let left = t.amount - t.refunded - t.held();
    let amount = amount.unwrap_or(left);
    if amount <= 0 || amount > left {
        return Err(ActionError::new(
            422,
            "amount: The refund amount exceeds the refundable amount.",
        ));
    }
    let fails = st.take_refund_failure("payrexx");
    let id = st.px.new_tx_id();
    let Some(t) = st.px.txs.get_mut(&tx_id) else {
        return Err(ActionError::new(404, "transaction not found"));
    };
    t.refunds.push(Refund {
        id,
        uuid: util::random_hex(4),
        amount,
        status: if fails { "refund_pending" } else { "refunded" },
        time: util::now_secs(),
    });
    if fails {
        st.failing_refunds
            .push(("payrexx", tx_id.to_string(), id.to_string()));
        return Ok((None, id));
    }
    t.refunded += amount;
    t.status = if t.refunded == t.amount {
        "refunded"
    } else {
        "partially-refunded"
    }
    .into();
    let t = t.clone();
    let wh = st
        .px
        .gateways
        .get(&t.gateway_id)
        .map(|g| webhook(cfg, g, &t));
    Ok((wh, id))
}

/// The end of a refund the `refund_fails_async` fault made pending: `error`, its money free
/// again, and the transaction's webhook with its unchanged status as the wake-up.
pub fn fail_refund(cfg: &Config, st: &mut State, tx_key: &str, refund_id: &str) -> Option<Webhook> {
    let t = st.px.txs.get_mut(&tx_key.parse().ok()?)?;
    let r = t
        .refunds
        .iter_mut()
        .find(|r| r.id.to_string() == refund_id && r.status == "refund_pending")?;
    r.status = "error";
    let t = t.clone();
    let wh = webhook(cfg, st.px.gateways.get(&t.gateway_id)?, &t);
    st.remember_webhook(&wh);
    Some(wh)
}
