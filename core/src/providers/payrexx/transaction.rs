//! What a Payrexx gateway is now, from its transaction (providers.md §P3, README "Trust"): a
//! Gateway stays `confirmed` after a refund or chargeback, so the status, settled money, `mode` and
//! refunds are read from `Transaction/{id}`. Apart from `mod.rs` because both the payment reads and
//! the webhook re-read (`provider.rs`) derive the state here, once.

use super::*;
use crate::money::{Currency, Money};
use crate::providers::common::{absent_if_not_found, api_minor, listed_refund, minor_units};
use crate::refund::RefundFacts;

impl Payrexx {
    /// `Transaction/{id}` (§P3): the one read of a transaction, for a gateway's state and for a
    /// webhook that names only its transaction.
    pub(super) fn read_transaction(&self, tid: &str) -> Result<wire::Transaction> {
        let data = self.send(
            Method::Get,
            &format!("Transaction/{}/", path_segment(tid)?),
            Map::new(),
        )?;
        wire::Transaction::deserialize(&data)
            .map_err(|_| invalid_response(200, "transaction has an unexpected shape"))
    }

    /// The gateway's current state (README "Trust"). A Gateway stays `confirmed` after
    /// its transaction is refunded or charged back, so the state is the transaction's, read
    /// through `Transaction/{id}` (§P3), which also carries the settled amount, currency and
    /// `mode`. `chosen` is the transaction a webhook named (when it is one of the gateway's);
    /// otherwise the latest. A waiting transaction is pending without a second read (§P4 API
    /// budget); a gateway that says paid without a readable transaction of its own is `unknown`.
    pub(super) fn current(
        &self,
        gw: &wire::Gateway,
        chosen: Option<&wire::Transaction>,
    ) -> Result<Current> {
        let gid = id_string(&gw.id).ok_or_else(|| invalid_response(200, "gateway without id"))?;
        let requested = api_minor(
            gw.amount
                .as_ref()
                .ok_or_else(|| invalid_response(200, "gateway without amount"))?,
            gw.currency.as_deref().unwrap_or(""),
        )?;
        let last = gw
            .invoices
            .iter()
            .flat_map(|i| i.transactions.iter())
            .next_back();
        let unread = |status_text: String, status, key| Current {
            status_text,
            status,
            money: requested,
            mode: None,
            key,
            refunds: RefundFacts::none(requested.currency()),
            tx_id: None,
        };
        let Some(tx) = chosen.or(last) else {
            let text = gw.status.clone().unwrap_or_default();
            let status = match text.as_str() {
                "waiting" => PaymentStatus::Pending,
                _ => PaymentStatus::Unknown,
            };
            return Ok(unread(text, status, None));
        };
        let brief_text = tx.status.clone().unwrap_or_default();
        let key = tx.uuid.clone();
        if transaction_status(&brief_text) == PaymentStatus::Pending {
            return Ok(unread(brief_text, PaymentStatus::Pending, key));
        }
        let Some(tid) = tx.id.as_ref().and_then(id_string) else {
            return Ok(unread(brief_text, PaymentStatus::Unknown, key));
        };
        let Some(full) = absent_if_not_found(self.read_transaction(&tid))? else {
            return Ok(unread(brief_text, PaymentStatus::Unknown, key));
        };
        let same_tx = full
            .id
            .as_ref()
            .is_none_or(|i| id_string(i).as_deref() == Some(&tid));
        let same_gateway = full
            .invoice
            .as_ref()
            .and_then(|i| i.payment_request_id.as_ref())
            .is_none_or(|g| id_string(g).as_deref() == Some(gid.as_str()));
        if !(same_tx && same_gateway) {
            return Ok(unread(brief_text, PaymentStatus::Unknown, key));
        }
        Ok(facts(&full, Some(requested))?.with_key_fallback(key))
    }
}

/// A payment's state as derived from its transaction.
pub(super) struct Current {
    /// The provider's own status word (for the event id `payrexx:<uuid>:<status>`, §P4).
    pub(super) status_text: String,
    pub(super) status: PaymentStatus,
    pub(super) money: Money,
    pub(super) mode: Option<Mode>,
    pub(super) key: Option<String>,
    /// Refunds of the transaction (README "Refunds").
    pub(super) refunds: RefundFacts,
    /// The transaction read, which a refund is sent against (§P5).
    pub(super) tx_id: Option<String>,
}

impl Current {
    pub(super) fn with_key_fallback(mut self, key: Option<String>) -> Current {
        self.key = self.key.or(key);
        self
    }
}

/// The facts of a `Transaction/{id}` answer (§P3). `confirmed` counts as paid only with the
/// transaction's own amount and currency; other states fall back to `requested` when the amount
/// is missing (they record no money). Without `requested` a missing amount is an error.
pub(super) fn facts(full: &wire::Transaction, requested: Option<Money>) -> Result<Current> {
    let status_text = full.status.clone().unwrap_or_default();
    let mut status = transaction_status(&status_text);
    let settled = full.invoice.as_ref().and_then(|inv| {
        let currency = inv
            .currency_alpha3
            .clone()
            .or(inv.currency.clone())
            .unwrap_or_default();
        inv.total_amount
            .as_ref()
            .or(full.amount.as_ref())
            .map(|a| api_minor(a, &currency))
    });
    let money = match settled {
        Some(Ok(m)) => m,
        Some(Err(e)) if status == PaymentStatus::Paid || requested.is_none() => return Err(e),
        Some(Err(_)) | None => match requested {
            Some(r) => {
                if status == PaymentStatus::Paid {
                    status = PaymentStatus::Unknown;
                }
                r
            }
            None => return Err(invalid_response(200, "transaction without amount")),
        },
    };
    Ok(Current {
        refunds: refund_facts(full, money.currency())?,
        tx_id: full.id.as_ref().and_then(id_string),
        status_text,
        status,
        money,
        mode: full.mode.as_deref().and_then(Mode::from_payrexx),
        key: full.uuid.clone(),
    })
}

/// Refunds of a `Transaction/{id}` answer: §P4's `invoice.refundedAmount` [doc] as the total and
/// the [ours, sandbox] `refunds` list. Payrexx documents no chargeback list.
fn refund_facts(full: &wire::Transaction, currency: Currency) -> Result<RefundFacts> {
    let total = full
        .invoice
        .as_ref()
        .and_then(|i| i.refunded_amount.as_ref())
        .and_then(minor_units);
    let refunds = full
        .refunds
        .iter()
        .map(|r| {
            listed_refund(
                &r.id,
                r.amount.as_ref(),
                refund_status(r.status.as_deref().unwrap_or("")),
                |amount| api_minor(amount, r.currency.as_deref().unwrap_or(currency.code())),
            )
        })
        .collect::<Result<Vec<_>>>()?;
    Ok(RefundFacts::from_parts(currency, total, refunds, vec![]))
}
