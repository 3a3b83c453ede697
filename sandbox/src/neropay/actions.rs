//! NeroPay state changes from the checkout page, `/_control` and `trigger` (providers.md §N3,
//! §N4): pay, fail and cancel make a transaction; refunds go through `refunds.rs`.

use super::model::{ipn, Link, Tx, DEFAULT_ACCOUNT};
use super::refunds::refund;
use crate::delivery::Webhook;
use crate::state::{opts_amount, Action, ActionError, ActionOpts, Config, State, Transition};
use crate::util;
use serde_json::Value;

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
