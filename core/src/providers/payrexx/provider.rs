//! The `Provider` impl of Payrexx: the trait's four operations over `send` and `payment_from`.

use super::transaction::facts;
use super::*;
use crate::providers::confirm::{Confirm, Reread};
use crate::refund::{Refund, RefundOrder};

impl Provider for Payrexx {
    fn name(&self) -> &'static str {
        NAME
    }

    fn create_payment(&self, req: &PaymentRequest) -> Result<Payment> {
        let mut p = Map::new();
        p.insert("amount".into(), json!(req.money.minor()));
        p.insert("currency".into(), json!(req.money.currency().code()));
        p.insert("purpose".into(), json!(req.description));
        p.insert("referenceId".into(), json!(req.reference));
        p.insert("successRedirectUrl".into(), json!(req.success_url));
        p.insert("failedRedirectUrl".into(), json!(req.cancel_url));
        p.insert("cancelRedirectUrl".into(), json!(req.cancel_url));
        if let Some(email) = &req.customer_email {
            p.insert("fields".into(), json!({"email": {"value": email}}));
        }
        // [ours] Payrexx configures webhook URLs in its backend; `notifyUrl` is read by our
        // sandbox only and is an unknown field to the real API.
        if let Some(n) = &req.notify_url {
            p.insert("notifyUrl".into(), json!(n));
        }
        let data = self.send(Method::Post, "Gateway/", p)?;
        let gw: wire::Gateway = serde_json::from_value(data.clone())
            .map_err(|_| invalid_response(200, "gateway has an unexpected shape"))?;
        self.payment_from(gw, data, None)
    }

    fn retrieve_payment(&self, id: &str) -> Result<Payment> {
        let (gw, raw) = self.gateway(id)?;
        self.payment_from(gw, raw, None)
    }

    fn parse_webhook(&self, body: &[u8], headers: &Headers, now: i64) -> Result<Event> {
        self.webhook_event(body, headers, now)
    }

    /// §P5 `POST Transaction/{id}/refund` with `amount` in minor units. Payrexx honours no
    /// idempotency key (§P1/§P3), so the caller's key is checked but never sent, and `send`
    /// never re-sends a POST that may have reached Payrexx: a timeout after sending is a
    /// `TransportException` with `isRetrySafe() === false` (re-read before refunding again).
    fn send_refund(&self, payment: &Payment, order: &RefundOrder) -> Result<Refund> {
        let tid = payment
            .transaction_id
            .as_deref()
            .ok_or_else(|| invalid_response(200, "paid gateway without a transaction"))?;
        let mut p = Map::new();
        p.insert("amount".into(), json!(order.money.minor()));
        let data = self.send(
            Method::Post,
            &format!("Transaction/{}/refund/", path_segment(tid)?),
            p,
        )?;
        let tx = wire::Transaction::deserialize(&data)
            .map_err(|_| invalid_response(200, "refund answer has an unexpected shape"))?;
        let id = tx
            .id
            .as_ref()
            .and_then(id_string)
            .ok_or_else(|| invalid_response(200, "refund answer without id"))?;
        // §P4: a refund transaction names its original; one naming another is not ours.
        if let Some(orig) = tx.original_transaction_id.as_ref() {
            if id_string(orig).as_deref() != Some(tid) {
                return Err(invalid_response(200, "refund of another transaction"));
            }
        }
        Ok(Refund {
            id,
            payment_id: payment.id.clone(),
            status: refund_status(tx.status.as_deref().unwrap_or("")),
            // What was asked: Payrexx refunds that amount or refuses (§P5).
            money: order.money,
            provider: NAME,
            raw: data,
        })
    }
}

impl Confirm for Payrexx {
    fn verifier(&self) -> &Verifier {
        &self.verifier
    }

    fn reread(&self, parsed: Option<&Event>, hint: &Hint) -> Result<Reread> {
        let body_tx = parsed
            .and_then(|e| e.raw.get("transaction"))
            .and_then(|t| serde_json::from_value::<wire::Transaction>(t.clone()).ok());
        let body_uuid = body_tx.as_ref().and_then(|t| t.uuid.clone());
        let body_tx_id = body_tx
            .as_ref()
            .and_then(|t| t.id.as_ref())
            .and_then(id_string);
        let gateway_id = hint
            .payment_id
            .clone()
            .or_else(|| parsed.and_then(|e| e.payment_id.clone()));
        // §P4: the status, amount, currency and mode used are the API's, never the body's.
        let (payment_id, reference, now) = if let Some(gid) = gateway_id {
            let (gw, _) = self.gateway(&gid)?;
            let matching = gw
                .invoices
                .iter()
                .flat_map(|i| i.transactions.iter())
                .rev()
                .find(|t| {
                    (body_uuid.is_some() && t.uuid == body_uuid)
                        || (body_tx_id.is_some() && t.id.as_ref().and_then(id_string) == body_tx_id)
                });
            let now = self.current(&gw, matching)?;
            let id =
                id_string(&gw.id).ok_or_else(|| invalid_response(200, "gateway without id"))?;
            let key = now.key.clone();
            (
                id,
                gw.reference_id.clone().unwrap_or_default(),
                now.with_key_fallback(key.or_else(|| Some(format!("gateway-{gid}")))),
            )
        } else {
            let tid = body_tx_id
                .ok_or_else(|| Error::payload("cannot tell which payment this event is about"))?;
            let full = self.read_transaction(&tid)?;
            if full.invoice.is_none() {
                return Err(invalid_response(200, "transaction without invoice"));
            }
            let now = facts(&full, None)?.with_key_fallback(Some(tid.clone()));
            (tid, full.reference_id.clone().unwrap_or_default(), now)
        };
        let key = now.key.clone().unwrap_or_default();
        Ok(Reread {
            event_id: format!("payrexx:{key}:{}", now.status_text),
            payment_id,
            reference: Some(reference).filter(|r| !r.is_empty()),
            status: now.status,
            money: now.money,
            mode: now.mode,
            refunds: now.refunds,
        })
    }
}
