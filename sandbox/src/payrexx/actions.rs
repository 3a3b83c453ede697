//! Payrexx state changes from the checkout page and `/_control` (providers.md §P3, §P4): a pay
//! sends two webhooks, `waiting` then `confirmed`.

use super::model::{webhook, Gateway, Tx};
use super::refunds::{refund, refundable_tx};
use crate::delivery::Webhook;
use crate::state::{opts_amount, Action, ActionError, ActionOpts, Config, State, Transition};
use crate::util;
use serde_json::json;

pub fn apply(
    cfg: &Config,
    base: &str,
    st: &mut State,
    key: &str,
    action: Action,
    opts: &ActionOpts,
) -> Result<Transition, ActionError> {
    let g = st
        .px
        .find(key)
        .cloned()
        .ok_or_else(|| ActionError::new(404, "gateway not found"))?;
    let exp = util::currency_exponent(&g.currency);
    if opts.mode.is_some() && !matches!(action, Action::Pay | Action::Fail | Action::Cancel) {
        return Err(ActionError::new(
            400,
            "mode belongs to a new transaction: pay, fail or cancel",
        ));
    }
    let mut webhooks: Vec<Webhook> = Vec::new();
    let redirect = match action {
        Action::Pay | Action::Fail | Action::Cancel => {
            if g.status != "waiting" {
                return Err(ActionError::new(409, format!("gateway is {}", g.status)));
            }
            let currency = opts.currency.clone().unwrap_or(g.currency.clone());
            let amount = opts_amount(opts, util::currency_exponent(&currency), g.amount)?;
            // Contract 5 of issue 9: `{"mode": "TEST"}` makes a test-provider payment.
            let mode = match opts.mode.as_deref() {
                None | Some("LIVE") => "LIVE",
                Some("TEST") => "TEST",
                Some(_) => return Err(ActionError::new(400, "mode must be TEST or LIVE")),
            };
            let mut tx = Tx {
                id: st.px.new_tx_id(),
                uuid: util::random_hex(4),
                gateway_id: g.id,
                status: "waiting".into(),
                amount,
                currency,
                refunded: 0,
                time: util::now_secs(),
                mode: mode.into(),
                refunds: Vec::new(),
            };
            let redirect = match action {
                Action::Pay => {
                    webhooks.push(webhook(cfg, &g, &tx));
                    tx.status = "confirmed".into();
                    webhooks.push(webhook(cfg, &g, &tx));
                    g.success_url.clone()
                }
                Action::Fail => {
                    tx.status = "declined".into();
                    webhooks.push(webhook(cfg, &g, &tx));
                    g.failed_url.clone().or(g.cancel_url.clone())
                }
                _ => {
                    tx.status = "cancelled".into();
                    webhooks.push(webhook(cfg, &g, &tx));
                    g.cancel_url.clone()
                }
            };
            if let Some(gw) = st.px.gateways.get_mut(&g.id) {
                if action == Action::Pay {
                    gw.status = "confirmed";
                }
                gw.txs.push(tx.id);
            }
            st.px.txs.insert(tx.id, tx);
            redirect
        }
        Action::Refund | Action::PartialRefund => {
            let tx_id = refundable_tx(st, &g)?;
            if action == Action::PartialRefund && opts.amount.is_none() {
                return Err(ActionError::new(400, "amount is required"));
            }
            let amount = match &opts.amount {
                Some(_) => Some(opts_amount(opts, exp, 0)?),
                None => None,
            };
            let (wh, _) = refund(cfg, st, tx_id, amount)?;
            webhooks.extend(wh);
            None
        }
        // §P3 status `chargeback`: the payer's bank took the money back. The gateway stays
        // `confirmed`, as with a refund; only the transaction shows it.
        Action::Chargeback => {
            let tx_id = g
                .txs
                .iter()
                .rev()
                .copied()
                .find(|id| {
                    st.px.txs.get(id).is_some_and(|t| {
                        matches!(
                            t.status.as_str(),
                            "confirmed" | "partially-refunded" | "refunded"
                        )
                    })
                })
                .ok_or_else(|| ActionError::new(409, "gateway has no confirmed transaction"))?;
            let t = st
                .px
                .txs
                .get_mut(&tx_id)
                .ok_or_else(|| ActionError::new(404, "transaction not found"))?;
            t.status = "chargeback".into();
            let t = t.clone();
            webhooks.push(webhook(cfg, &g, &t));
            None
        }
    };
    for wh in &webhooks {
        st.remember_webhook(wh);
    }
    let state = st
        .px
        .full_json(&g.id.to_string(), cfg, base)
        .unwrap_or(json!(null));
    Ok(Transition {
        webhooks,
        redirect,
        state,
    })
}

/// The webhook `trigger --sandbox` sends: the gateway's latest transaction (or a new-looking one)
/// with the requested status, state unchanged.
pub fn event_for(
    cfg: &Config,
    st: &State,
    key: &str,
    status: &str,
) -> Result<Webhook, ActionError> {
    let g = st
        .px
        .find(key)
        .ok_or_else(|| ActionError::new(404, "gateway not found"))?;
    let mut tx = match g.txs.last().and_then(|id| st.px.txs.get(id)) {
        Some(t) => t.clone(),
        None => Tx {
            id: 3_500_000 + g.id,
            uuid: util::random_hex(4),
            gateway_id: g.id,
            status: String::new(),
            amount: g.amount,
            currency: g.currency.clone(),
            refunded: 0,
            time: util::now_secs(),
            mode: "LIVE".into(),
            refunds: Vec::new(),
        },
    };
    tx.status = status.to_string();
    Ok(webhook(cfg, g, &tx))
}

/// A plausible waiting gateway with that (numeric) id, for `trigger` without a running sandbox.
pub fn insert_synthetic(_cfg: &Config, st: &mut State, id: &str) {
    let Ok(id) = id.parse::<u64>() else { return };
    st.px.gateways.insert(
        id,
        Gateway {
            id,
            hash: util::random_hex(16),
            status: "waiting",
            amount: 8900,
            currency: "CHF".into(),
            purpose: "Invoice".into(),
            reference_id: format!("INV-{id}"),
            success_url: None,
            failed_url: None,
            cancel_url: None,
            notify_url: None,
            params: json!({}),
            created_at: util::now_secs(),
            txs: Vec::new(),
        },
    );
}
